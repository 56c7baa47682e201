/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sender's SACK scoreboard (RFC 6675, with RFC 2018 SACK blocks and
 * RFC 2883 D-SACK detection): which octets above SND.UNA the peer has
 * reported as received, and from that the RFC 6675 loss, pipe and
 * next-segment decisions.
 *
 * The scoreboard only describes; it never owns or frees data. The peer may
 * renege on what it SACKed (RFC 2018 section 8), so the sender keeps every
 * octet in its send queue until it is cumulatively acknowledged, whatever
 * the scoreboard says.
 *
 * Octets are counted as in RFC 6675: a range [left, right) holds the octets
 * left .. right - 1, modulo 2^32. Every window handled is below 2^31 octets.
 *
 * Pure C11: no allocation, no clock, no I/O. All functions are called by the
 * lcore that owns the connection, from its input or timer path; none calls
 * back into anything, so all of them may be called from a callback.
 */
#ifndef TCPE_SACK_H
#define TCPE_SACK_H

#include "tcpe_types.h"

/*
 * Distinct SACKed ranges kept. A peer reports at most 4 blocks per ACK but
 * can build any number of holes over many ACKs; when one more range would
 * exceed this, the range farthest from SND.UNA is forgotten (a new range
 * beyond every held one is simply not recorded). The ranges nearest SND.UNA
 * drive the loss decisions and the first retransmissions; a forgotten range
 * only makes the sender count its octets as in flight (and possibly resend
 * them), and the peer reports it again in later ACKs.
 */
#define TCPE_SB_MAX_RANGES 32

/*
 * Invariants: r[0 .. n - 1] are sorted by sequence, each non-empty
 * (left < right), none overlapping or adjacent (r[i].right < r[i + 1].left),
 * and all inside [una, una + 2^31); sacked is the sum of their lengths.
 * una is the SND.UNA of the last tcpe_sb_update()/tcpe_sb_advance().
 */
struct tcpe_sb {
	uint32_t una;
	uint32_t n;
	uint32_t sacked;
	struct tcpe_sack_block r[TCPE_SB_MAX_RANGES];
};

/* Which RFC 6675 NextSeg rule tcpe_sb_next() applied. */
enum tcpe_sb_rule {
	TCPE_SB_NONE = 0,     /* nothing may be sent */
	TCPE_SB_LOST = 1,     /* rule 1: retransmit a lost hole */
	TCPE_SB_NEW = 2,      /* rule 2: new data at snd_nxt */
	TCPE_SB_UNSACKED = 3, /* rule 3: retransmit a hole not yet lost */
};

/* An empty scoreboard. */
void tcpe_sb_init(struct tcpe_sb *sb);

/*
 * Forget every SACKed range, e.g. after an RTO (RFC 6675 section 5.1: the
 * peer may have reneged). una is kept.
 */
void tcpe_sb_clear(struct tcpe_sb *sb);

/*
 * Record the SACK blocks b[0 .. n - 1] of one ACK, in the order they came in
 * the option (n up to TCPE_MAX_SACK_BLOCKS; more are accepted). snd_una is
 * SND.UNA with this ACK's cumulative acknowledgement already applied: the
 * scoreboard is advanced to it first, as by tcpe_sb_advance(). snd_max is
 * the highest sequence number sent plus one (RFC 6675 HighData + 1).
 *
 * RFC 2883 section 4: the first block is a D-SACK, reporting octets received
 * twice, when it starts below the cumulative ACK (left < snd_una) or lies
 * inside the second block. A D-SACK is copied to *dsack (when dsack is not
 * NULL) and not recorded; otherwise *dsack gets left == right == 0 (no D-SACK
 * has left == right). The other blocks are recorded whatever the first is.
 *
 * Ignored: a malformed block (left >= right, or longer than 2^31 - 1), a
 * block ending after snd_max (the peer cannot have received what was never
 * sent), a block ending at or below snd_una (apart from a D-SACK). A block
 * straddling snd_una is recorded from snd_una. Overlapping and adjacent
 * ranges are merged.
 *
 * Returns the octets newly SACKed: those of the recorded blocks not SACKed
 * before (a block not recorded for lack of room counts nothing).
 */
uint32_t tcpe_sb_update(struct tcpe_sb *sb, uint32_t snd_una, uint32_t snd_max,
    const struct tcpe_sack_block *b, uint32_t n, struct tcpe_sack_block *dsack);

/*
 * As tcpe_sb_update(), for an ACK whose acknowledgement number ack is below
 * snd_una (an old, reordered ACK still carrying SACK information, which RFC
 * 6675 uses): the D-SACK test "below the cumulative ACK" compares with that
 * ACK's own number, as RFC 2883 defines it, while the blocks are recorded
 * above snd_una. tcpe_sb_update() is this with ack == snd_una.
 */
uint32_t tcpe_sb_update_ack(struct tcpe_sb *sb, uint32_t snd_una,
    uint32_t snd_max, uint32_t ack, const struct tcpe_sack_block *b, uint32_t n,
    struct tcpe_sack_block *dsack);

/* Cumulative ACK: forget the SACKed octets below snd_una. */
void tcpe_sb_advance(struct tcpe_sb *sb, uint32_t snd_una);

/* Whether octet seq is SACKed. */
bool tcpe_sb_is_sacked(const struct tcpe_sb *sb, uint32_t seq);

/*
 * RFC 6675 IsLost(seq): true when at least dupthresh discontiguous SACKed
 * ranges hold octets above seq, or more than (dupthresh - 1) * mss SACKed
 * octets lie above seq ("above": sequence numbers greater than seq). A
 * dupthresh of 0 counts as 1. For an unSACKed seq, loss is the same for a
 * whole hole and, going up the sequence space, can only turn false.
 */
bool tcpe_sb_is_lost(const struct tcpe_sb *sb, uint32_t seq, uint32_t mss,
    uint32_t dupthresh);

/*
 * RFC 6675 SetPipe: the octets in flight between snd_una (HighACK) and
 * snd_max (HighData + 1). Each octet not SACKed counts once when it is not
 * lost (IsLost) and once more when it was retransmitted.
 *
 * high_rxt is one past the highest octet retransmitted during this recovery
 * (RFC 6675 HighRxt + 1: after retransmitting [seq, seq + len) the caller
 * sets high_rxt = seq + len); octets in [snd_una, high_rxt) count as
 * retransmitted. Pass snd_una (or anything at or below it) when nothing was
 * retransmitted.
 */
uint32_t tcpe_sb_pipe(const struct tcpe_sb *sb, uint32_t snd_una,
    uint32_t snd_max, uint32_t high_rxt, uint32_t mss, uint32_t dupthresh);

/*
 * tcpe_sb_pipe() where, besides IsLost, every unSACKed octet below lost_end
 * counts as lost (RFC 8985 RACK, or all of the flight after an RTO).
 * lost_end at or below snd_una: tcpe_sb_pipe().
 */
uint32_t tcpe_sb_pipe_lost(const struct tcpe_sb *sb, uint32_t snd_una,
    uint32_t snd_max, uint32_t high_rxt, uint32_t mss, uint32_t dupthresh,
    uint32_t lost_end);

/*
 * RFC 6675 NextSeg, rules 1 to 3 (rule 4, the rescue retransmission, is
 * left to the caller, which tracks RescueRxt per recovery):
 *  1. the first octet S2 >= high_rxt, >= snd_una, not SACKed, below the
 *     highest SACKed octet and lost (IsLost);
 *  2. otherwise new data at snd_nxt, when snd_max allows it;
 *  3. otherwise the first octet S3 as in rule 1 but not lost.
 * The range returned starts there and is at most mss octets, never reaching
 * a SACKed octet (rules 1, 3), never past snd_nxt (rules 1, 3) nor snd_max
 * (rule 2).
 *
 * Here snd_nxt is the first octet never sent (HighData + 1: the connection's
 * snd_max) and snd_max is the end of what may be sent now: the end of the
 * send queue clipped to SND.UNA + SND.WND (snd_max == snd_nxt: no new data
 * may be sent). high_rxt is as for tcpe_sb_pipe().
 *
 * Returns the rule applied, TCPE_SB_NONE (nothing to send; *seq and *len
 * untouched) or the rule's number with the range in *seq and *len (len > 0).
 * Pipe accounting: a rule 1 or 3 range is a retransmission (the caller sets
 * high_rxt = *seq + *len), a rule 2 one is new data.
 */
enum tcpe_sb_rule tcpe_sb_next(const struct tcpe_sb *sb, uint32_t snd_una,
    uint32_t snd_nxt, uint32_t snd_max, uint32_t high_rxt, uint32_t mss,
    uint32_t dupthresh, uint32_t *seq, uint32_t *len);

/*
 * tcpe_sb_next() with every unSACKed octet below lost_end lost as well
 * (see tcpe_sb_pipe_lost()); rule 1 then also finds such octets above the
 * highest SACKed one. A rule 1 range never straddles lost_end unless its
 * hole is lost by IsLost. lost_end at or below snd_una: tcpe_sb_next().
 */
enum tcpe_sb_rule tcpe_sb_next_lost(const struct tcpe_sb *sb,
    uint32_t snd_una, uint32_t snd_nxt, uint32_t snd_max, uint32_t high_rxt,
    uint32_t mss, uint32_t dupthresh, uint32_t lost_end, uint32_t *seq,
    uint32_t *len);

/* tcpe_sb_next() != TCPE_SB_NONE. */
bool tcpe_sb_next_seg(const struct tcpe_sb *sb, uint32_t snd_una,
    uint32_t snd_nxt, uint32_t snd_max, uint32_t high_rxt, uint32_t mss,
    uint32_t dupthresh, uint32_t *seq, uint32_t *len);

/* Octets SACKed above una (RFC 6675 does not need it; PRR and counters do). */
uint32_t tcpe_sb_sacked_bytes(const struct tcpe_sb *sb);

/*
 * Whether an unSACKed octet at or above from lies below a SACKed one (a
 * hole RACK may call lost): from is below HighSACK and either not SACKed
 * or a range starts above it.
 */
bool tcpe_sb_hole_above(const struct tcpe_sb *sb, uint32_t from);

/*
 * The highest SACKed octet plus one (RFC 6675 HighSACK + 1), or 0 when
 * nothing is SACKed (tcpe_sb_sacked_bytes() == 0 tells that case apart
 * from a range that ends at 0 after wraparound).
 */
uint32_t tcpe_sb_high_sacked(const struct tcpe_sb *sb);

/* Number of distinct SACKed ranges held (at most TCPE_SB_MAX_RANGES). */
static inline uint32_t
tcpe_sb_ranges(const struct tcpe_sb *sb)
{
	return sb->n;
}

#endif /* TCPE_SACK_H */
