/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies (RFC 4987 section 3.6), built as Linux builds them
 * (net/ipv4/syncookies.c): when a listener cannot or will not keep a
 * SYN_RECEIVED TCB, the SYN-ACK's sequence number (our ISS) encodes what
 * the handshake needs, and the ACK that echoes it proves the peer saw it.
 *
 * Cookie layout, with H0 = SipHash-2-4(k0; laddr, raddr, lport, rport)
 * and h1(c) = SipHash-2-4(k1; H0, c, peer_isn), truncated to 32 bits:
 *
 *	cookie = H0 + peer_isn + (count << 24) +
 *	    ((h1(count) + 3 * mssind) & 0xffffff)
 *
 * count is the minute counter now / 60 s (32 bits; only its low 8 bits
 * survive in the cookie's top byte, but h1 is keyed on the full counter),
 * mssind indexes tcpe_cookie_msstab. All arithmetic is modulo 2^32.
 * Checking strips H0 + peer_isn, takes the age from the top byte as Linux
 * does, and accepts the low 24 bits minus h1 only if they are one of the
 * four codes 0, 3, 6, 9.
 *
 * Two departures from Linux (secure_tcp_syn_cookie), both so that a
 * near miss is rejected rather than decoded as another MSS: Linux hashes
 * no ISN into h1 and adds the bare index (codes 0, 1, 2, 3), so an ACK
 * whose SEQ is off by 1..3, or a cookie with bit 0 or 1 flipped, passes
 * with a neighbouring MSS. Here the ISN is an input of h1, and the codes
 * are 3 apart, so no two differ by a power of two (one flipped bit).
 *
 * Validity window: a cookie made at time T (minute m = T / 60 s) is
 * accepted at time now iff now / 60 s is m or m + 1, i.e. for at least
 * 60 s and at most 120 s (Linux MAX_SYNCOOKIE_AGE 2): from T to the end of
 * the minute after m. A cookie is rejected in any earlier minute (a clock
 * before T's minute), from minute m + 2 on, and, because h1 is keyed on
 * the full counter, also at m + 256 * k where the top byte matches again
 * (except with the probability 4 / 2^24 of a random forgery). The
 * minutes are counted from the origin of the caller's clock, so make and
 * check must be given the same clock (the shard's).
 *
 * A forged cookie passes only if its top byte is one of two minutes
 * (2/256) and its low 24 bits then decode to one of the 4 MSS codes
 * (4/2^24): about 1 in 2^29 per guess, as with Linux.
 *
 * The options a cookie SYN-ACK cannot remember in 32 bits of sequence
 * space (window scale, SACK-permitted) travel in the low 6 bits of our
 * TSval when the peer uses timestamps (Linux cookie_init_timestamp).
 *
 * Everything here is pure and reentrant: any lcore or thread may call it,
 * including from an application callback. The keys are per shard and
 * read-only after tcpe_cookie_keys_init().
 */
#ifndef TCPE_COOKIE_H
#define TCPE_COOKIE_H

#include "tcpe_types.h"

#define TCPE_COOKIE_BITS	24	/* low bits: hash + MSS index */
#define TCPE_COOKIE_MASK	((UINT32_C(1) << TCPE_COOKIE_BITS) - 1)
#define TCPE_COOKIE_PERIOD	TCPE_S(60)	/* one count per minute */
#define TCPE_COOKIE_MAX_AGE	2	/* minute of creation and the next */
#define TCPE_COOKIE_NMSS	4	/* entries of tcpe_cookie_msstab */
#define TCPE_COOKIE_MSS_STEP	3	/* code of mssind i: i * 3 */

/* Option bits in the low 6 bits of a cookie TSval (Linux TS_OPT_*). */
#define TCPE_COOKIE_TS_BITS	6
#define TCPE_COOKIE_TS_MASK	((UINT32_C(1) << TCPE_COOKIE_TS_BITS) - 1)
#define TCPE_COOKIE_TS_WSMASK	0x0f	/* peer's shift, 0xf: no scaling */
#define TCPE_COOKIE_TS_SACK	0x10	/* peer sent SACK-permitted */
#define TCPE_COOKIE_TS_ECN	0x20	/* ECN; tcpe never sets it */
#define TCPE_COOKIE_WS_MAX	14	/* RFC 7323 section 2.3 */

/*
 * Two SipHash keys derived from the shard's per-boot secret: k[0] for the
 * tuple hash, k[1] for the hash with the minute counter. The derivation
 * is domain-separated from the other uses of the same secret (the RFC
 * 6528 ISN and the RFC 7323 timestamp offset hash messages whose second
 * word is below 2^33; the derivation's have bit 63 set), so no output of
 * one use reveals another.
 */
struct tcpe_cookie_keys {
	uint64_t k[2][2];
};

/* Derive the cookie keys from secret. Cannot fail. */
void tcpe_cookie_keys_init(struct tcpe_cookie_keys *ck,
    const uint64_t secret[2]);

/* MSS values a cookie can encode: 536, 1300, 1440, 1460 (Linux msstab). */
extern const uint16_t tcpe_cookie_msstab[TCPE_COOKIE_NMSS];

/*
 * The cookie (our ISS) for a SYN received on tuple t (laddr/lport = ours)
 * with sequence number peer_isn, at time now.
 * *mss_io on entry: the peer's MSS option (0 if the SYN had none); on
 * return: the MSS encoded, the largest tcpe_cookie_msstab entry <= it, or
 * 536 when it is smaller or absent. Clamping that to our own MSS is the
 * caller's business (the cookie only remembers the peer's side).
 */
uint32_t tcpe_cookie_make(const struct tcpe_cookie_keys *ck,
    const struct tcpe_tuple *t, uint32_t peer_isn, uint16_t *mss_io,
    tcpe_time_t now);

/*
 * Check the ACK of a cookie SYN-ACK received on tuple t (laddr/lport =
 * ours): cookie = SEG.ACK - 1, peer_isn = SEG.SEQ - 1.
 * Returns the MSS that tcpe_cookie_make() encoded (one of
 * tcpe_cookie_msstab, never 0), or 0 when the cookie is forged, was made
 * for another tuple, another peer_isn or under other keys, or is outside
 * the validity window described at the top of this file.
 */
uint16_t tcpe_cookie_check(const struct tcpe_cookie_keys *ck,
    const struct tcpe_tuple *t, uint32_t peer_isn, uint32_t cookie,
    tcpe_time_t now);

/*
 * The TSval of a cookie SYN-ACK (RFC 7323) carrying the peer's options
 * (Linux cookie_init_timestamp): low 6 bits = peer_wscale (0..14, values
 * above 14 are taken as 14 as RFC 7323 section 2.3 says) or 0xf when
 * peer_wscale < 0 (no window scaling), | TCPE_COOKIE_TS_SACK if sack; the
 * ECN bit stays 0. The result is (ts_now & ~63) | options, minus 64
 * (modulo 2^32) when that is numerically above ts_now, so it is never
 * ahead of the clock: 0 <= (uint32_t)(ts_now - result) < 64 always (for
 * ts_now < 64 the result wraps to just below 2^32, which is behind ts_now
 * in RFC 7323 modular order).
 */
uint32_t tcpe_cookie_ts_encode(uint32_t ts_now, int peer_wscale, bool sack);

/*
 * Decode the TSecr of a cookie ACK (the TSval tcpe_cookie_ts_encode()
 * made): *peer_wscale = the shift, or -1 for the 0xf "no scaling" value;
 * *sack = the SACK-permitted bit. The ECN bit is ignored (tcpe is
 * ECN-less). Returns false, leaving both outputs unset, for a shift above
 * TCPE_COOKIE_WS_MAX other than 0xf; with a 4-bit field no such value
 * exists, so every tsecr decodes today. Whether the ACK carried a TS
 * option at all, and refusing a SACK bit with tcp_sack off or a shift with
 * tcp_window_scaling off (Linux cookie_timestamp_decode), is the caller's.
 */
bool tcpe_cookie_ts_decode(uint32_t tsecr, int *peer_wscale, bool *sack);

#endif /* TCPE_COOKIE_H */
