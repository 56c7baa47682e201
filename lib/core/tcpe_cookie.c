/* SPDX-License-Identifier: BSD-3-Clause */
#include "tcpe_cookie.h"
#include "tcpe_hash.h"

/*
 * Linux msstab (net/ipv4/syncookies.c): 536 for the minimum, then values
 * chosen so that common paths (PPPoE, tunnels, Ethernet) lose little.
 */
const uint16_t tcpe_cookie_msstab[TCPE_COOKIE_NMSS] = {
	536,
	1300,
	1440,	/* 1440, 1452: PPPoE */
	1460,
};

/*
 * Key derivation: k[i][j] = SipHash(secret; TAG, DOM | 2i + j). The other
 * users of the shard's secret (tcpe_stack.c: the RFC 6528 ISN and the RFC
 * 7323 timestamp offset) hash (laddr << 32 | raddr, x) with x below 2^33;
 * DOM sets bit 63 of the second word, so no input here is one of theirs.
 */
#define KDF_TAG	0x7463706520636b79ULL	/* "tcpe cky" */
#define KDF_DOM	0x8000000000000000ULL

void
tcpe_cookie_keys_init(struct tcpe_cookie_keys *ck, const uint64_t secret[2])
{
	uint64_t i;

	for (i = 0; i < 4; i++)
		ck->k[i >> 1][i & 1] = tcpe_siphash24_2w(secret, KDF_TAG,
		    KDF_DOM | i);
}

/* Minutes since the caller's clock origin (Linux tcp_cookie_time()). */
static uint32_t
cookie_count(tcpe_time_t now)
{
	return (uint32_t)(now / TCPE_COOKIE_PERIOD);
}

/* H0: the tuple under k0, addresses in one word, ports in the other. */
static uint64_t
cookie_h0(const struct tcpe_cookie_keys *ck, const struct tcpe_tuple *t)
{
	uint64_t m0 = ((uint64_t)t->laddr << 32) | t->raddr;
	uint64_t m1 = ((uint64_t)t->lport << 16) | t->rport;

	return tcpe_siphash24_2w(ck->k[0], m0, m1);
}

/*
 * h1: the tuple (through H0), the full minute counter and the peer's ISN
 * under k1. Linux hashes only tuple and counter here, so an ACK whose
 * SEQ is off by 1..3 decodes to a neighbouring MSS index; with the ISN
 * in the hash any other ISN fails.
 */
static uint32_t
cookie_h1(const struct tcpe_cookie_keys *ck, uint64_t h0, uint32_t count,
    uint32_t peer_isn)
{
	return (uint32_t)tcpe_siphash24_2w(ck->k[1], h0,
	    ((uint64_t)count << 32) | peer_isn);
}

/* Index of the largest msstab entry <= mss; 0 when mss is below them all. */
static uint32_t
mss_index(uint16_t mss)
{
	uint32_t i;

	for (i = TCPE_COOKIE_NMSS - 1; i > 0; i--)
		if (mss >= tcpe_cookie_msstab[i])
			break;
	return i;
}

/* Linux secure_tcp_syn_cookie(), with the changes of tcpe_cookie.h. */
uint32_t
tcpe_cookie_make(const struct tcpe_cookie_keys *ck,
    const struct tcpe_tuple *t, uint32_t peer_isn, uint16_t *mss_io,
    tcpe_time_t now)
{
	uint32_t count = cookie_count(now);
	uint32_t mssind = mss_index(*mss_io);
	uint64_t h0 = cookie_h0(ck, t);
	uint32_t low;

	*mss_io = tcpe_cookie_msstab[mssind];
	low = (cookie_h1(ck, h0, count, peer_isn) +
	    mssind * TCPE_COOKIE_MSS_STEP) & TCPE_COOKIE_MASK;
	return (uint32_t)h0 + peer_isn + (count << TCPE_COOKIE_BITS) + low;
}

/* Linux check_tcp_syn_cookie() and __cookie_v4_check(). */
uint16_t
tcpe_cookie_check(const struct tcpe_cookie_keys *ck,
    const struct tcpe_tuple *t, uint32_t peer_isn, uint32_t cookie,
    tcpe_time_t now)
{
	uint32_t count = cookie_count(now);
	uint64_t h0 = cookie_h0(ck, t);
	uint32_t diff, data;

	/* Strip H0 + peer_isn: left with (count << 24) + (h1 + data). */
	cookie -= (uint32_t)h0 + peer_isn;

	/* Minutes elapsed, from the 8 bits of the counter that survive. */
	diff = (count - (cookie >> TCPE_COOKIE_BITS)) &
	    (UINT32_MAX >> TCPE_COOKIE_BITS);
	if (diff >= TCPE_COOKIE_MAX_AGE)
		return 0;

	/* h1 of the full counter it was made with: an alias 256 min on fails. */
	data = (cookie - cookie_h1(ck, h0, count - diff, peer_isn)) &
	    TCPE_COOKIE_MASK;
	if (data % TCPE_COOKIE_MSS_STEP != 0 ||
	    data / TCPE_COOKIE_MSS_STEP >= TCPE_COOKIE_NMSS)
		return 0;
	return tcpe_cookie_msstab[data / TCPE_COOKIE_MSS_STEP];
}

/* Linux cookie_init_timestamp(). */
uint32_t
tcpe_cookie_ts_encode(uint32_t ts_now, int peer_wscale, bool sack)
{
	uint32_t opts, ts;

	if (peer_wscale < 0)
		opts = TCPE_COOKIE_TS_WSMASK;
	else if (peer_wscale > TCPE_COOKIE_WS_MAX)
		opts = TCPE_COOKIE_WS_MAX;
	else
		opts = (uint32_t)peer_wscale;
	if (sack)
		opts |= TCPE_COOKIE_TS_SACK;

	ts = (ts_now & ~TCPE_COOKIE_TS_MASK) | opts;
	if (ts > ts_now)
		ts -= TCPE_COOKIE_TS_MASK + 1;
	return ts;
}

/* Linux cookie_timestamp_decode(), without the sysctl checks. */
bool
tcpe_cookie_ts_decode(uint32_t tsecr, int *peer_wscale, bool *sack)
{
	uint32_t ws = tsecr & TCPE_COOKIE_TS_WSMASK;

	if (ws != TCPE_COOKIE_TS_WSMASK && ws > TCPE_COOKIE_WS_MAX)
		return false;
	*peer_wscale = ws == TCPE_COOKIE_TS_WSMASK ? -1 : (int)ws;
	*sack = (tsecr & TCPE_COOKIE_TS_SACK) != 0;
	return true;
}
