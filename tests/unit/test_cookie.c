/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies: MSS encoding round trips, rejection of a cookie for another
 * tuple, ISN or key and of every single-bit corruption, the two-minute
 * validity window at minute boundaries and across the 8-bit counter wrap,
 * the timestamp option encoding, key derivation, and the forgery rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpe_cookie.h"

static const uint64_t secret_a[2] = {
	0x0123456789abcdefULL, 0xfedcba9876543210ULL
};
static const uint64_t secret_b[2] = {
	0x0123456789abcdefULL, 0xfedcba9876543211ULL
};

#define MIN(m)	(TCPE_S(60) * (tcpe_time_t)(m))

/* 198.18.0.1:80 <- 198.19.0.7:40000 */
static struct tcpe_tuple
tuple(void)
{
	struct tcpe_tuple t = {
		.laddr = 0xc6120001,
		.raddr = 0xc6130007,
		.lport = 80,
		.rport = 40000,
	};

	return t;
}

static struct tcpe_cookie_keys
keys(const uint64_t secret[2])
{
	struct tcpe_cookie_keys ck;

	tcpe_cookie_keys_init(&ck, secret);
	return ck;
}

/* Deterministic xorshift64*. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* Make a cookie for mss at made, check it at now; the checked MSS. */
static uint16_t
roundtrip(const struct tcpe_cookie_keys *ck, uint32_t isn, uint16_t mss,
    tcpe_time_t made, tcpe_time_t now)
{
	struct tcpe_tuple t = tuple();
	uint32_t c = tcpe_cookie_make(ck, &t, isn, &mss, made);
	uint16_t got = tcpe_cookie_check(ck, &t, isn, c, now);

	if (got != 0)
		assert_int_equal(got, mss);
	return got;
}

static void
test_msstab(void **state)
{
	(void)state;
	assert_int_equal(tcpe_cookie_msstab[0], 536);
	assert_int_equal(tcpe_cookie_msstab[1], 1300);
	assert_int_equal(tcpe_cookie_msstab[2], 1440);
	assert_int_equal(tcpe_cookie_msstab[3], 1460);
}

static void
test_roundtrip_mss(void **state)
{
	static const struct {
		uint16_t peer;
		uint16_t enc;
	} cases[] = {
		{ 0, 536 }, { 1, 536 }, { 100, 536 }, { 535, 536 },
		{ 536, 536 }, { 537, 536 }, { 1299, 536 }, { 1300, 1300 },
		{ 1439, 1300 }, { 1440, 1440 }, { 1459, 1440 },
		{ 1460, 1460 }, { 1461, 1460 }, { 8960, 1460 },
		{ 9000, 1460 }, { 65535, 1460 },
	};
	struct tcpe_cookie_keys ck = keys(secret_a);
	struct tcpe_tuple t = tuple();
	tcpe_time_t now = MIN(1000) + TCPE_MS(1234);
	uint32_t i, c;
	uint16_t mss;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mss = cases[i].peer;
		c = tcpe_cookie_make(&ck, &t, 0x12345678, &mss, now);
		assert_int_equal(mss, cases[i].enc);
		assert_int_equal(tcpe_cookie_check(&ck, &t, 0x12345678, c,
		    now), cases[i].enc);
	}
	/* Every table entry, with ISNs across the 32-bit range. */
	for (i = 0; i < TCPE_COOKIE_NMSS; i++) {
		assert_int_equal(roundtrip(&ck, 0, tcpe_cookie_msstab[i],
		    now, now), tcpe_cookie_msstab[i]);
		assert_int_equal(roundtrip(&ck, UINT32_MAX,
		    tcpe_cookie_msstab[i], now, now), tcpe_cookie_msstab[i]);
		assert_int_equal(roundtrip(&ck, 0x80000000u,
		    tcpe_cookie_msstab[i], 0, 0), tcpe_cookie_msstab[i]);
	}
}

/*
 * Linux's layout: the top byte moves with the minute, the MSS index only
 * moves the low 24 bits, by 3 per index; the ISN is hashed, so unlike
 * Linux the cookie is not linear in it.
 */
static void
test_construction(void **state)
{
	struct tcpe_cookie_keys ck = keys(secret_a);
	struct tcpe_tuple t = tuple();
	tcpe_time_t now = MIN(77);
	uint16_t mss = 1460, m2 = 1460;
	uint32_t c0, c1, c2, i, j;

	(void)state;
	c0 = tcpe_cookie_make(&ck, &t, 1000, &mss, now);
	c1 = tcpe_cookie_make(&ck, &t, 1001, &mss, now);
	assert_true(((c1 - c0 - 1) & TCPE_COOKIE_MASK) != 0);
	/* Same minute: same cookie; next minute: the top byte moves by 1. */
	assert_int_equal(tcpe_cookie_make(&ck, &t, 1000, &mss,
	    now + TCPE_S(59)), c0);
	c2 = tcpe_cookie_make(&ck, &t, 1000, &m2, now + MIN(1));
	assert_true((uint32_t)(c2 - c0) >> 24 <= 1);
	assert_true((uint32_t)(c2 - c0) != 0);
	/* Index 3 vs index 0: the low 24 bits differ by 9 exactly. */
	m2 = 536;
	c2 = tcpe_cookie_make(&ck, &t, 1000, &m2, now);
	assert_int_equal((c0 - c2) & TCPE_COOKIE_MASK, 9);
	/* From the code of index i, +3(j - i) is index j, +-1, +-2 nothing. */
	for (i = 0; i < TCPE_COOKIE_NMSS; i++) {
		mss = tcpe_cookie_msstab[i];
		c0 = tcpe_cookie_make(&ck, &t, 1000, &mss, now);
		for (j = 0; j < TCPE_COOKIE_NMSS; j++)
			assert_int_equal(tcpe_cookie_check(&ck, &t, 1000,
			    c0 + 3 * j - 3 * i, now), tcpe_cookie_msstab[j]);
		assert_int_equal(tcpe_cookie_check(&ck, &t, 1000, c0 + 1, now),
		    0);
		assert_int_equal(tcpe_cookie_check(&ck, &t, 1000, c0 + 2, now),
		    0);
		assert_int_equal(tcpe_cookie_check(&ck, &t, 1000, c0 - 1, now),
		    0);
		assert_int_equal(tcpe_cookie_check(&ck, &t, 1000, c0 - 2, now),
		    0);
		assert_int_equal(tcpe_cookie_check(&ck, &t, 1000,
		    c0 + 3 * TCPE_COOKIE_NMSS - 3 * i, now), 0);
	}
}

static void
test_reject_tuple(void **state)
{
	struct tcpe_cookie_keys ck = keys(secret_a);
	struct tcpe_tuple t = tuple(), o;
	tcpe_time_t now = MIN(5) + TCPE_S(3);
	uint16_t mss;
	uint32_t c, i;

	(void)state;
	for (i = 0; i < TCPE_COOKIE_NMSS; i++) {
		mss = tcpe_cookie_msstab[i];
		c = tcpe_cookie_make(&ck, &t, 42, &mss, now);
		assert_int_equal(tcpe_cookie_check(&ck, &t, 42, c, now), mss);

		o = t;
		o.laddr++;
		assert_int_equal(tcpe_cookie_check(&ck, &o, 42, c, now), 0);
		o = t;
		o.laddr ^= 0x80000000u;
		assert_int_equal(tcpe_cookie_check(&ck, &o, 42, c, now), 0);
		o = t;
		o.raddr++;
		assert_int_equal(tcpe_cookie_check(&ck, &o, 42, c, now), 0);
		o = t;
		o.raddr ^= 0x80000000u;
		assert_int_equal(tcpe_cookie_check(&ck, &o, 42, c, now), 0);
		o = t;
		o.lport++;
		assert_int_equal(tcpe_cookie_check(&ck, &o, 42, c, now), 0);
		o = t;
		o.lport ^= 0x8000;
		assert_int_equal(tcpe_cookie_check(&ck, &o, 42, c, now), 0);
		o = t;
		o.rport++;
		assert_int_equal(tcpe_cookie_check(&ck, &o, 42, c, now), 0);
		o = t;
		o.rport ^= 0x8000;
		assert_int_equal(tcpe_cookie_check(&ck, &o, 42, c, now), 0);
		/* The reverse direction is another tuple. */
		o.laddr = t.raddr;
		o.raddr = t.laddr;
		o.lport = t.rport;
		o.rport = t.lport;
		assert_int_equal(tcpe_cookie_check(&ck, &o, 42, c, now), 0);
		/* Ports swapped only, addresses swapped only. */
		o = t;
		o.lport = t.rport;
		o.rport = t.lport;
		assert_int_equal(tcpe_cookie_check(&ck, &o, 42, c, now), 0);
		o = t;
		o.laddr = t.raddr;
		o.raddr = t.laddr;
		assert_int_equal(tcpe_cookie_check(&ck, &o, 42, c, now), 0);
	}
}

static void
test_reject_isn(void **state)
{
	struct tcpe_cookie_keys ck = keys(secret_a);
	struct tcpe_tuple t = tuple();
	tcpe_time_t now = MIN(9);
	uint64_t s = 7;
	uint32_t c, isn = 0xdeadbeef, other, i, m;
	uint16_t mss;

	(void)state;
	for (m = 0; m < TCPE_COOKIE_NMSS; m++) {
		mss = tcpe_cookie_msstab[m];
		c = tcpe_cookie_make(&ck, &t, isn, &mss, now);
		assert_int_equal(tcpe_cookie_check(&ck, &t, isn, c, now),
		    tcpe_cookie_msstab[m]);
		/*
		 * Near misses: with Linux's construction SEQ - 1 .. SEQ - 3
		 * would decode as another MSS index; the ISN is hashed here.
		 */
		for (i = 1; i <= 16; i++) {
			assert_int_equal(tcpe_cookie_check(&ck, &t, isn + i,
			    c, now), 0);
			assert_int_equal(tcpe_cookie_check(&ck, &t, isn - i,
			    c, now), 0);
			assert_int_equal(tcpe_cookie_check(&ck, &t,
			    isn ^ (1u << i), c, now), 0);
		}
		assert_int_equal(tcpe_cookie_check(&ck, &t, 0, c, now), 0);
		for (i = 0; i < 1000; i++) {
			other = (uint32_t)rnd(&s);
			if (other == isn)
				continue;
			assert_int_equal(tcpe_cookie_check(&ck, &t, other, c,
			    now), 0);
		}
	}
}

static void
test_reject_bitflip(void **state)
{
	struct tcpe_cookie_keys ck = keys(secret_a);
	struct tcpe_tuple t = tuple();
	tcpe_time_t now = MIN(123456) + TCPE_S(30);
	uint32_t c, bit, i;
	uint16_t mss;

	(void)state;
	for (i = 0; i < TCPE_COOKIE_NMSS; i++) {
		mss = tcpe_cookie_msstab[i];
		c = tcpe_cookie_make(&ck, &t, 0x600d, &mss, now);
		for (bit = 0; bit < 32; bit++) {
			assert_int_equal(tcpe_cookie_check(&ck, &t, 0x600d,
			    c ^ (1u << bit), now), 0);
			assert_int_equal(tcpe_cookie_check(&ck, &t, 0x600d,
			    c ^ (1u << bit), now + MIN(1)), 0);
		}
	}
}

static void
test_reject_other_key(void **state)
{
	struct tcpe_cookie_keys a = keys(secret_a), b = keys(secret_b);
	struct tcpe_tuple t = tuple();
	tcpe_time_t now = MIN(31);
	uint32_t c, i;
	uint16_t mss;

	(void)state;
	for (i = 0; i < TCPE_COOKIE_NMSS; i++) {
		mss = tcpe_cookie_msstab[i];
		c = tcpe_cookie_make(&a, &t, 99, &mss, now);
		assert_int_equal(tcpe_cookie_check(&a, &t, 99, c, now), mss);
		assert_int_equal(tcpe_cookie_check(&b, &t, 99, c, now), 0);
	}
	/* Only k[1] differs: the minute byte still matches, the MSS does not. */
	b = a;
	b.k[1][0] ^= 1;
	mss = 1460;
	c = tcpe_cookie_make(&a, &t, 99, &mss, now);
	assert_int_equal(tcpe_cookie_check(&b, &t, 99, c, now), 0);
	b = a;
	b.k[0][1] ^= 1;
	assert_int_equal(tcpe_cookie_check(&b, &t, 99, c, now), 0);
}

static void
test_expiry(void **state)
{
	struct tcpe_cookie_keys ck = keys(secret_a);
	tcpe_time_t start = MIN(1000), made = start + TCPE_MS(500);
	uint32_t i;
	uint16_t m;

	(void)state;
	for (i = 0; i < TCPE_COOKIE_NMSS; i++) {
		m = tcpe_cookie_msstab[i];
		/* The minute of creation. */
		assert_int_equal(roundtrip(&ck, 1, m, made, made), m);
		assert_int_equal(roundtrip(&ck, 1, m, made, start), m);
		assert_int_equal(roundtrip(&ck, 1, m, made,
		    made + TCPE_S(59)), m);
		assert_int_equal(roundtrip(&ck, 1, m, made,
		    start + MIN(1) - 1), m);
		/* The next minute, to its last nanosecond. */
		assert_int_equal(roundtrip(&ck, 1, m, made, start + MIN(1)), m);
		assert_int_equal(roundtrip(&ck, 1, m, made,
		    made + TCPE_S(60)), m);
		assert_int_equal(roundtrip(&ck, 1, m, made,
		    made + TCPE_S(119)), m);
		assert_int_equal(roundtrip(&ck, 1, m, made,
		    start + MIN(2) - 1), m);
		/* Two minutes on, and later. */
		assert_int_equal(roundtrip(&ck, 1, m, made, start + MIN(2)), 0);
		assert_int_equal(roundtrip(&ck, 1, m, made,
		    made + TCPE_S(120)), 0);
		assert_int_equal(roundtrip(&ck, 1, m, made, start + MIN(3)), 0);
		assert_int_equal(roundtrip(&ck, 1, m, made, start + MIN(100)),
		    0);
		assert_int_equal(roundtrip(&ck, 1, m, made, start + MIN(255)),
		    0);
		/* A clock before the minute of creation. */
		assert_int_equal(roundtrip(&ck, 1, m, made, start - 1), 0);
		assert_int_equal(roundtrip(&ck, 1, m, made, start - MIN(1)), 0);
		assert_int_equal(roundtrip(&ck, 1, m, made, start - MIN(2)), 0);
		assert_int_equal(roundtrip(&ck, 1, m, made, start - MIN(255)),
		    0);
		assert_int_equal(roundtrip(&ck, 1, m, made, 0), 0);
	}
}

/* Made at 59.999 s: valid for 60.001 s more, into the next minute only. */
static void
test_minute_boundary(void **state)
{
	struct tcpe_cookie_keys ck = keys(secret_a);
	tcpe_time_t made;
	uint64_t base;
	uint16_t m = 1300;

	(void)state;
	for (base = 0; base < 3; base++) {
		made = MIN(base) + TCPE_MS(59999);
		assert_int_equal(roundtrip(&ck, 7, m, made, made), m);
		assert_int_equal(roundtrip(&ck, 7, m, made, made + TCPE_MS(1)),
		    m);
		assert_int_equal(roundtrip(&ck, 7, m, made,
		    MIN(base + 2) - 1), m);
		assert_int_equal(roundtrip(&ck, 7, m, made, MIN(base + 2)), 0);
		assert_int_equal(roundtrip(&ck, 7, m, made,
		    made + TCPE_MS(60002)), 0);
		if (base > 0)
			assert_int_equal(roundtrip(&ck, 7, m, made,
			    MIN(base) - 1), 0);
	}
	/* Made on the first nanosecond of a minute: 120 s of validity. */
	made = MIN(10);
	assert_int_equal(roundtrip(&ck, 7, m, made, made + TCPE_S(120) - 1),
	    m);
	assert_int_equal(roundtrip(&ck, 7, m, made, made + TCPE_S(120)), 0);
	assert_int_equal(roundtrip(&ck, 7, m, made, made - 1), 0);
}

/*
 * Only the low 8 bits of the minute counter are in the cookie: the window
 * must hold across 255 -> 256 (mod 256: 255 -> 0), and a cookie must not
 * come back to life 256 minutes later when its top byte matches again.
 */
static void
test_counter_wrap(void **state)
{
	static const uint64_t minutes[] = {
		255, 256, 511, 512, 767, 65535, 65536, 0xffffff,
		300000000, /* about 570 years of nanoseconds in minutes */
	};
	struct tcpe_cookie_keys ck = keys(secret_a);
	tcpe_time_t made;
	uint32_t i, j, k;
	uint16_t m;

	(void)state;
	for (i = 0; i < sizeof(minutes) / sizeof(minutes[0]); i++) {
		for (j = 0; j < TCPE_COOKIE_NMSS; j++) {
			m = tcpe_cookie_msstab[j];
			made = MIN(minutes[i]) + TCPE_MS(59999);
			assert_int_equal(roundtrip(&ck, 3, m, made, made), m);
			assert_int_equal(roundtrip(&ck, 3, m, made,
			    MIN(minutes[i] + 1)), m);
			assert_int_equal(roundtrip(&ck, 3, m, made,
			    MIN(minutes[i] + 2) - 1), m);
			assert_int_equal(roundtrip(&ck, 3, m, made,
			    MIN(minutes[i] + 2)), 0);
			assert_int_equal(roundtrip(&ck, 3, m, made,
			    MIN(minutes[i]) - 1), 0);
			/* Aliases: same top byte (diff 0 or 1) k*256 later. */
			for (k = 1; k <= 4; k++) {
				assert_int_equal(roundtrip(&ck, 3, m, made,
				    made + MIN(256 * k)), 0);
				assert_int_equal(roundtrip(&ck, 3, m, made,
				    made + MIN(256 * k + 1)), 0);
				if (minutes[i] >= 256 * k)
					assert_int_equal(roundtrip(&ck, 3, m,
					    made, made - MIN(256 * k)), 0);
			}
			/* Just below 256 minutes behind: diff wraps to 255. */
			assert_int_equal(roundtrip(&ck, 3, m, made,
			    made + MIN(255)), 0);
		}
	}
}

static void
test_ts_roundtrip(void **state)
{
	static const uint32_t clocks[] = {
		0, 1, 15, 31, 63, 64, 65, 127, 128, 1000, 0x12345678,
		0x7fffffff, 0x80000000, 0xffffffc0, 0xffffffe0, 0xffffffff,
	};
	uint32_t i, ts, want;
	int ws, got_ws;
	bool sack, got_sack;

	(void)state;
	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		for (ws = -1; ws <= TCPE_COOKIE_WS_MAX; ws++) {
			for (sack = false;; sack = true) {
				want = (ws < 0 ? 0xfu : (uint32_t)ws) |
				    (sack ? 0x10u : 0);
				ts = tcpe_cookie_ts_encode(clocks[i], ws,
				    sack);
				assert_int_equal(ts & 63, want);
				assert_int_equal(ts & TCPE_COOKIE_TS_ECN, 0);
				assert_true((uint32_t)(clocks[i] - ts) < 64);
				assert_false(tcpe_ts_gt(ts, clocks[i]));
				got_ws = 99;
				got_sack = !sack;
				assert_true(tcpe_cookie_ts_decode(ts, &got_ws,
				    &got_sack));
				assert_int_equal(got_ws, ws);
				assert_int_equal(got_sack, sack);
				if (sack)
					break;
			}
		}
	}
}

/* Every clock value near 0 and 2^32, every option set. */
static void
test_ts_encode_clock(void **state)
{
	static const uint32_t bases[] = {
		0, 64, 0x10000, 0x7fffffc0, 0xffffff00, 0xffffff80,
	};
	uint32_t b, d, now, ts, opts;
	int ws;

	(void)state;
	for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		for (d = 0; d < 128; d++) {
			now = bases[b] + d;
			for (ws = -1; ws <= TCPE_COOKIE_WS_MAX; ws++) {
				opts = ws < 0 ? 0xfu : (uint32_t)ws;
				ts = tcpe_cookie_ts_encode(now, ws, true);
				opts |= 0x10;
				assert_int_equal(ts & 63, opts);
				assert_true((uint32_t)(now - ts) < 64);
				/* Exactly Linux's: same 64-block, else the
				 * previous one (wrapping below 0). */
				if ((now & 63) >= opts)
					assert_int_equal(ts,
					    (now & ~63u) | opts);
				else
					assert_int_equal(ts,
					    ((now & ~63u) | opts) - 64u);
				if (now >= 64)
					assert_true(ts <= now);
			}
		}
	}
	/* ts_now < 64 with options above it: wraps to just below 2^32. */
	assert_int_equal(tcpe_cookie_ts_encode(0, -1, true), 0xffffffdfu);
	assert_int_equal(tcpe_cookie_ts_encode(5, 7, false), 0xffffffc7u);
	assert_int_equal(tcpe_cookie_ts_encode(7, 7, false), 7);
	assert_int_equal(tcpe_cookie_ts_encode(0xffffffff, -1, true),
	    0xffffffdfu);
	/* Shifts above 14 are encoded as 14 (RFC 7323 section 2.3). */
	assert_int_equal(tcpe_cookie_ts_encode(1000, 15, false) & 63, 14);
	assert_int_equal(tcpe_cookie_ts_encode(1000, 255, true) & 63,
	    14 | 0x10);
	assert_int_equal(tcpe_cookie_ts_encode(1000, -7, false) & 63, 0xf);
}

static void
test_ts_decode_all(void **state)
{
	uint32_t v, hi;
	int ws;
	bool sack;

	(void)state;
	for (hi = 0; hi < 4; hi++) {
		for (v = 0; v < 64; v++) {
			ws = 99;
			sack = (v & 0x10) == 0;
			/* Every 6-bit value is valid: 0..14 shift, 15 none. */
			assert_true(tcpe_cookie_ts_decode(
			    (hi * 0x55555540u) | v, &ws, &sack));
			if ((v & 0xf) == 0xf)
				assert_int_equal(ws, -1);
			else
				assert_int_equal(ws, (int)(v & 0xf));
			assert_true(ws >= -1 && ws <= TCPE_COOKIE_WS_MAX);
			assert_int_equal(sack, (v & 0x10) != 0);
		}
	}
	/* ECN is ignored; the high bits are the clock and are ignored. */
	assert_true(tcpe_cookie_ts_decode(0xabcdef00u | 0x20 | 0x13, &ws,
	    &sack));
	assert_int_equal(ws, 3);
	assert_true(sack);
}

static void
test_keys_init(void **state)
{
	static const uint64_t zero[2] = { 0, 0 };
	struct tcpe_cookie_keys a = keys(secret_a), a2 = keys(secret_a);
	struct tcpe_cookie_keys b = keys(secret_b), z = keys(zero);
	struct tcpe_tuple t = tuple();
	uint32_t ca, cb, cz, i, j, isn, same = 0;
	uint16_t mss;
	uint64_t s = 99;

	(void)state;
	/* Deterministic, four distinct words, none equal to the secret. */
	assert_memory_equal(&a, &a2, sizeof(a));
	for (i = 0; i < 4; i++) {
		for (j = i + 1; j < 4; j++)
			assert_true(a.k[i >> 1][i & 1] != a.k[j >> 1][j & 1]);
		assert_true(a.k[i >> 1][i & 1] != secret_a[0]);
		assert_true(a.k[i >> 1][i & 1] != secret_a[1]);
		assert_true(a.k[i >> 1][i & 1] != b.k[i >> 1][i & 1]);
		assert_true(a.k[i >> 1][i & 1] != z.k[i >> 1][i & 1]);
	}
	/* Different secrets: different cookies for the same SYN. */
	for (i = 0; i < 1000; i++) {
		t.rport = (uint16_t)(1024 + i);
		isn = (uint32_t)rnd(&s);
		mss = 1460;
		ca = tcpe_cookie_make(&a, &t, isn, &mss, MIN(3));
		cb = tcpe_cookie_make(&b, &t, isn, &mss, MIN(3));
		cz = tcpe_cookie_make(&z, &t, isn, &mss, MIN(3));
		same += (ca == cb) + (ca == cz) + (cb == cz);
		assert_int_equal(tcpe_cookie_check(&b, &t, isn, ca, MIN(3)),
		    0);
		assert_int_equal(tcpe_cookie_check(&a, &t, isn, cb, MIN(3)),
		    0);
	}
	assert_true(same <= 1);
}

/* 100k random cookies for one tuple: each passes with p = 2/256 * 4/2^24. */
static void
test_forgery_rate(void **state)
{
	struct tcpe_cookie_keys ck = keys(secret_a);
	struct tcpe_tuple t = tuple();
	uint32_t i, ok = 0, ok_isn = 0, c, real;
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	uint16_t mss = 1460;

	(void)state;
	real = tcpe_cookie_make(&ck, &t, 5, &mss, MIN(50));
	for (i = 0; i < 100000; i++) {
		c = (uint32_t)rnd(&s);
		if (c == real)
			continue;
		ok += tcpe_cookie_check(&ck, &t, 5, c, MIN(50)) != 0;
		/* The real cookie replayed with a random ISN. */
		c = (uint32_t)rnd(&s);
		if (c != 5)
			ok_isn += tcpe_cookie_check(&ck, &t, c, real,
			    MIN(50)) != 0;
	}
	assert_true(ok < 100);
	assert_true(ok_isn < 100);
	/*
	 * With the right minute byte, exactly 4 of the 2^24 low values pass
	 * (one per MSS index): sweep them all.
	 */
	ok = 0;
	for (i = 0; i <= TCPE_COOKIE_MASK; i++) {
		c = (real & ~TCPE_COOKIE_MASK) | i;
		ok += tcpe_cookie_check(&ck, &t, 5, c, MIN(50)) != 0;
	}
	assert_int_equal(ok, TCPE_COOKIE_NMSS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msstab),
		cmocka_unit_test(test_roundtrip_mss),
		cmocka_unit_test(test_construction),
		cmocka_unit_test(test_reject_tuple),
		cmocka_unit_test(test_reject_isn),
		cmocka_unit_test(test_reject_bitflip),
		cmocka_unit_test(test_reject_other_key),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_minute_boundary),
		cmocka_unit_test(test_counter_wrap),
		cmocka_unit_test(test_ts_roundtrip),
		cmocka_unit_test(test_ts_encode_clock),
		cmocka_unit_test(test_ts_decode_all),
		cmocka_unit_test(test_keys_init),
		cmocka_unit_test(test_forgery_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
