/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sender's SACK scoreboard (RFC 6675). The ranges are few (at most
 * TCPE_SB_MAX_RANGES), so every operation is a linear pass over a sorted
 * array: no allocation, no pointers, trivially copied.
 *
 * Positions are handled as offsets from SND.UNA (uint32_t, x - una), which
 * orders everything in the window without ambiguity as long as the window is
 * below 2^31 octets.
 */
#include <string.h>

#include "tcpe_sack.h"

_Static_assert(TCPE_SB_MAX_RANGES >= TCPE_MAX_SACK_BLOCKS,
    "the scoreboard must hold at least one ACK's worth of blocks");

void
tcpe_sb_init(struct tcpe_sb *sb)
{
	memset(sb, 0, sizeof(*sb));
}

void
tcpe_sb_clear(struct tcpe_sb *sb)
{
	sb->n = 0;
	sb->sacked = 0;
}

uint32_t
tcpe_sb_sacked_bytes(const struct tcpe_sb *sb)
{
	return sb->sacked;
}

uint32_t
tcpe_sb_high_sacked(const struct tcpe_sb *sb)
{
	return sb->n == 0 ? 0 : sb->r[sb->n - 1].right;
}

void
tcpe_sb_advance(struct tcpe_sb *sb, uint32_t snd_una)
{
	uint32_t k, i;
	int32_t lo;

	/* The ranges are sorted: those wholly acknowledged form a prefix. */
	for (k = 0; k < sb->n; k++) {
		if ((int32_t)(sb->r[k].right - snd_una) > 0)
			break;
		sb->sacked -= sb->r[k].right - sb->r[k].left;
	}
	if (k > 0) {
		for (i = k; i < sb->n; i++)
			sb->r[i - k] = sb->r[i];
		sb->n -= k;
	}
	/* A range straddling the cumulative ACK keeps its upper part. */
	if (sb->n > 0) {
		lo = (int32_t)(sb->r[0].left - snd_una);
		if (lo < 0) {
			sb->sacked -= (uint32_t)-lo;
			sb->r[0].left = snd_una;
		}
	}
	sb->una = snd_una;
}

/* Offset of x from sb->una. */
static inline uint32_t
off(const struct tcpe_sb *sb, uint32_t x)
{
	return x - sb->una;
}

/*
 * Record [una + lo, una + hi), 0 <= lo < hi < 2^31, merging with what it
 * overlaps or touches. Returns the octets newly SACKed.
 */
static uint32_t
record(struct tcpe_sb *sb, uint32_t lo, uint32_t hi)
{
	uint32_t i, j, k, d, old, left, right;

	/* i: first range ending at or after lo (touching counts). */
	for (i = 0; i < sb->n; i++)
		if (off(sb, sb->r[i].right) >= lo)
			break;
	/* j: one past the last range starting at or before hi. */
	for (j = i; j < sb->n; j++)
		if (off(sb, sb->r[j].left) > hi)
			break;

	if (j == i) {
		/* No overlap: a new range at position i. */
		if (sb->n == TCPE_SB_MAX_RANGES) {
			/* Keep the ranges nearest SND.UNA. */
			if (i == sb->n)
				return 0;
			sb->n--;
			sb->sacked -= sb->r[sb->n].right - sb->r[sb->n].left;
		}
		for (k = sb->n; k > i; k--)
			sb->r[k] = sb->r[k - 1];
		sb->r[i].left = sb->una + lo;
		sb->r[i].right = sb->una + hi;
		sb->n++;
		sb->sacked += hi - lo;
		return hi - lo;
	}

	/* Merge r[i .. j - 1] and [lo, hi) into r[i]. */
	old = 0;
	for (k = i; k < j; k++)
		old += sb->r[k].right - sb->r[k].left;
	left = sb->r[i].left;
	if (off(sb, left) > lo)
		left = sb->una + lo;
	right = sb->r[j - 1].right;
	if (off(sb, right) < hi)
		right = sb->una + hi;
	sb->r[i].left = left;
	sb->r[i].right = right;
	d = j - i - 1;
	if (d > 0) {
		for (k = j; k < sb->n; k++)
			sb->r[k - d] = sb->r[k];
		sb->n -= d;
	}
	sb->sacked += (right - left) - old;
	return (right - left) - old;
}

/* A block with left < right, shorter than 2^31 octets. */
static inline bool
block_ok(const struct tcpe_sack_block *b)
{
	return (int32_t)(b->right - b->left) > 0;
}

/*
 * RFC 2883 section 4: the first block reports a duplicate when it starts
 * below the cumulative ACK or lies inside the second block. Either way it
 * cannot go beyond what was sent.
 */
static bool
is_dsack(const struct tcpe_sack_block *b, uint32_t n, uint32_t snd_max,
    uint32_t ack)
{
	if (!block_ok(&b[0]) || tcpe_seq_gt(b[0].right, snd_max))
		return false;
	if (tcpe_seq_lt(b[0].left, ack))
		return true;
	return n > 1 && block_ok(&b[1]) && tcpe_seq_geq(b[0].left, b[1].left) &&
	    tcpe_seq_leq(b[0].right, b[1].right);
}

uint32_t
tcpe_sb_update_ack(struct tcpe_sb *sb, uint32_t snd_una, uint32_t snd_max,
    uint32_t ack, const struct tcpe_sack_block *b, uint32_t n,
    struct tcpe_sack_block *dsack)
{
	uint32_t i, first, win, hi, len, lo, newly;

	tcpe_sb_advance(sb, snd_una);
	if (dsack != NULL)
		dsack->left = dsack->right = 0;

	first = 0;
	if (n > 0 && is_dsack(b, n, snd_max, ack)) {
		if (dsack != NULL)
			*dsack = b[0];
		first = 1;
	}

	win = snd_max - snd_una;
	if ((int32_t)win <= 0)
		return 0;
	newly = 0;
	for (i = first; i < n; i++) {
		if (!block_ok(&b[i]))
			continue;
		/* Only octets in [snd_una, snd_max) may be SACKed. */
		hi = b[i].right - snd_una;
		if (hi == 0 || hi > win)
			continue;
		len = b[i].right - b[i].left;
		lo = hi > len ? hi - len : 0;
		newly += record(sb, lo, hi);
	}
	return newly;
}

uint32_t
tcpe_sb_update(struct tcpe_sb *sb, uint32_t snd_una, uint32_t snd_max,
    const struct tcpe_sack_block *b, uint32_t n, struct tcpe_sack_block *dsack)
{
	return tcpe_sb_update_ack(sb, snd_una, snd_max, snd_una, b, n, dsack);
}

bool
tcpe_sb_is_sacked(const struct tcpe_sb *sb, uint32_t seq)
{
	uint32_t i;

	for (i = 0; i < sb->n; i++)
		if (tcpe_seq_in(seq, sb->r[i].left, sb->r[i].right))
			return true;
	return false;
}

bool
tcpe_sb_hole_above(const struct tcpe_sb *sb, uint32_t from)
{
	uint32_t k;

	if (sb->n == 0 || !tcpe_seq_lt(from, sb->r[sb->n - 1].right))
		return false;
	for (k = 0; k < sb->n; k++) {
		if (tcpe_seq_gt(sb->r[k].left, from))
			return true;	/* from is in (or below) the hole */
		if (tcpe_seq_lt(from, sb->r[k].right))
			return k + 1 < sb->n;	/* SACKed: a hole above? */
	}
	return false;
}

/* (dupthresh - 1) * mss, with dupthresh 0 taken as 1. */
static inline uint64_t
lost_bytes(uint32_t mss, uint32_t dupthresh)
{
	return dupthresh > 1 ? (uint64_t)(dupthresh - 1) * mss : 0;
}

static inline bool
lost(uint32_t ranges, uint64_t bytes, uint32_t mss, uint32_t dupthresh)
{
	return ranges >= (dupthresh > 0 ? dupthresh : 1) ||
	    bytes > lost_bytes(mss, dupthresh);
}

bool
tcpe_sb_is_lost(const struct tcpe_sb *sb, uint32_t seq, uint32_t mss,
    uint32_t dupthresh)
{
	uint64_t bytes = 0;
	uint32_t i, ranges = 0, from;

	/* RFC 6675 section 4, IsLost: SACKed octets greater than seq. */
	for (i = sb->n; i-- > 0;) {
		if (!tcpe_seq_gt(sb->r[i].right, seq + 1))
			break;
		from = tcpe_seq_max(sb->r[i].left, seq + 1);
		ranges++;
		bytes += sb->r[i].right - from;
	}
	return lost(ranges, bytes, mss, dupthresh);
}

/*
 * Whether the hole just below range k is lost: every octet of it has the
 * ranges k .. n - 1 above it, so IsLost is the same for all of them. Filled
 * for k = 0 .. n - 1.
 */
static void
holes_lost(const struct tcpe_sb *sb, uint32_t mss, uint32_t dupthresh, bool *hl)
{
	uint64_t bytes = 0;
	uint32_t k;

	for (k = sb->n; k-- > 0;) {
		bytes += sb->r[k].right - sb->r[k].left;
		hl[k] = lost(sb->n - k, bytes, mss, dupthresh);
	}
}

/* x - base clamped to [0, max], x within 2^31 of base. */
static inline uint32_t
clamp_off(uint32_t x, uint32_t base, uint32_t max)
{
	int32_t d = (int32_t)(x - base);

	if (d <= 0)
		return 0;
	return (uint32_t)d < max ? (uint32_t)d : max;
}

/* Length of [a, b) intersected with [0, c). */
static inline uint32_t
below(uint32_t a, uint32_t b, uint32_t c)
{
	if (b > c)
		b = c;
	return b > a ? b - a : 0;
}

uint32_t
tcpe_sb_pipe(const struct tcpe_sb *sb, uint32_t snd_una, uint32_t snd_max,
    uint32_t high_rxt, uint32_t mss, uint32_t dupthresh)
{
	return tcpe_sb_pipe_lost(sb, snd_una, snd_max, high_rxt, mss,
	    dupthresh, snd_una);
}

uint32_t
tcpe_sb_pipe_lost(const struct tcpe_sb *sb, uint32_t snd_una, uint32_t snd_max,
    uint32_t high_rxt, uint32_t mss, uint32_t dupthresh, uint32_t lost_end)
{
	bool hl[TCPE_SB_MAX_RANGES];
	uint32_t k, win, rxt, pos, lo, hi, pipe, le;

	if ((int32_t)(snd_max - snd_una) <= 0)
		return 0;
	win = snd_max - snd_una;
	rxt = clamp_off(high_rxt, snd_una, win);
	le = clamp_off(lost_end, snd_una, win);
	holes_lost(sb, mss, dupthresh, hl);

	/*
	 * RFC 6675 SetPipe, one hole at a time: each unSACKed octet counts
	 * once if not lost, and once more if retransmitted.
	 */
	pipe = 0;
	pos = 0;
	for (k = 0; k < sb->n; k++) {
		lo = clamp_off(sb->r[k].left, snd_una, win);
		hi = clamp_off(sb->r[k].right, snd_una, win);
		if (lo > pos) {
			if (!hl[k])
				pipe += lo - pos - below(pos, lo, le);
			pipe += below(pos, lo, rxt);
		}
		if (hi > pos)
			pos = hi;
	}
	/* Above the highest SACKed octet only what lies below lost_end. */
	pipe += win - pos - below(pos, win, le);
	pipe += below(pos, win, rxt);
	return pipe;
}

enum tcpe_sb_rule
tcpe_sb_next(const struct tcpe_sb *sb, uint32_t snd_una, uint32_t snd_nxt,
    uint32_t snd_max, uint32_t high_rxt, uint32_t mss, uint32_t dupthresh,
    uint32_t *seq, uint32_t *len)
{
	return tcpe_sb_next_lost(sb, snd_una, snd_nxt, snd_max, high_rxt, mss,
	    dupthresh, snd_una, seq, len);
}

enum tcpe_sb_rule
tcpe_sb_next_lost(const struct tcpe_sb *sb, uint32_t snd_una, uint32_t snd_nxt,
    uint32_t snd_max, uint32_t high_rxt, uint32_t mss, uint32_t dupthresh,
    uint32_t lost_end, uint32_t *seq, uint32_t *len)
{
	bool hl[TCPE_SB_MAX_RANGES];
	bool found = false, is_lost = false;
	uint32_t k, sent, pos, lo, hi, end = 0, avail, le;

	if (mss == 0)
		return TCPE_SB_NONE;
	sent = clamp_off(snd_nxt, snd_una, UINT32_MAX >> 1);
	le = clamp_off(lost_end, snd_una, sent);
	holes_lost(sb, mss, dupthresh, hl);

	/*
	 * Rules 1 and 3 look for the same octet: the first one at or above
	 * HighRxt + 1 and SND.UNA that is not SACKed and lies below HighSACK
	 * (i.e. in a hole below some range). IsLost cannot turn true again
	 * higher up, so if that hole is not lost no later one is.
	 */
	pos = clamp_off(high_rxt, snd_una, sent);
	for (k = 0; k < sb->n && pos < sent; k++) {
		lo = clamp_off(sb->r[k].left, snd_una, sent);
		hi = clamp_off(sb->r[k].right, snd_una, sent);
		if (hi <= pos)
			continue;
		if (lo <= pos) {
			pos = hi;
			continue;
		}
		found = true;
		is_lost = hl[k] || pos < le;
		if (!hl[k] && pos < le && le < lo)
			lo = le;	/* lost only up to lost_end */
		end = lo - pos > mss ? pos + mss : lo;
		break;
	}
	/* Above the highest SACKed octet: lost below lost_end. */
	if (!found && pos < le) {
		found = true;
		is_lost = true;
		end = le - pos > mss ? pos + mss : le;
	}
	if (found && is_lost) {
		*seq = snd_una + pos;
		*len = end - pos;
		return TCPE_SB_LOST;
	}
	/* Rule 2: new data, as far as the send queue and window allow. */
	if ((int32_t)(snd_max - snd_nxt) > 0) {
		avail = snd_max - snd_nxt;
		*seq = snd_nxt;
		*len = avail < mss ? avail : mss;
		return TCPE_SB_NEW;
	}
	if (found) {
		*seq = snd_una + pos;
		*len = end - pos;
		return TCPE_SB_UNSACKED;
	}
	return TCPE_SB_NONE;
}

bool
tcpe_sb_next_seg(const struct tcpe_sb *sb, uint32_t snd_una, uint32_t snd_nxt,
    uint32_t snd_max, uint32_t high_rxt, uint32_t mss, uint32_t dupthresh,
    uint32_t *seq, uint32_t *len)
{
	return tcpe_sb_next(sb, snd_una, snd_nxt, snd_max, high_rxt, mss,
		   dupthresh, seq, len) != TCPE_SB_NONE;
}
