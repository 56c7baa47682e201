/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control: the ops table and its names; reno's slow start
 * (doubling per RTT, the ABC cap, the hand-over at ssthresh), linear
 * congestion avoidance, reductions and floors; CUBIC's K, its curve
 * (W_max at K, concave then convex), the 0.7 reduction, fast
 * convergence, the Reno-friendly region and the RTO; "none" never
 * limiting; the cwnd-limited rule and the restart window.
 *
 * Traffic is simulated a round trip at a time: the sender is cwnd-limited
 * (it keeps cwnd bytes in flight), every segment or every other one is
 * acknowledged, and the ACKs of one round trip are spread evenly over it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpe_cc.h"

#define MSS	1000U
#define SEG(n)	((uint32_t)(n) * MSS)

static const struct tcpe_cc_ops *
ops(const char *name)
{
	const struct tcpe_cc_ops *o = tcpe_cc_find(name);

	assert_non_null(o);
	return o;
}

/*
 * One round trip of a cwnd-limited sender: the window at its start is
 * acknowledged `per_ack` segments at a time (the last ACK covering what
 * is left), ACKs evenly spread over rtt, each seeing cwnd bytes in
 * flight. Advances *now by rtt.
 */
static void
round_trip(struct tcpe_cc *cc, uint32_t per_ack, tcpe_time_t *now,
    tcpe_time_t rtt)
{
	uint32_t left = cc->cwnd, n, i, a;
	tcpe_time_t start = *now;

	n = (left + per_ack * MSS - 1) / (per_ack * MSS);
	for (i = 1; i <= n; i++) {
		a = left < per_ack * MSS ? left : per_ack * MSS;
		left -= a;
		tcpe_cc_on_ack(cc, MSS, a, cc->cwnd, start + rtt * i / n,
		    rtt);
	}
	*now = start + rtt;
}

/* --- The table ---------------------------------------------------------- */

static void
test_find(void **state)
{
	static const char *const bad[] = {
		"vegas", "", "Reno", "CUBIC", "cubic ", " cubic", "bbr",
		"newreno", "renoo", "non",
	};
	const struct tcpe_cc_ops *o;
	size_t i;

	(void)state;
	for (i = 0; i < TCPE_CC_N; i++) {
		o = tcpe_cc_find(tcpe_cc_names[i]);
		assert_non_null(o);
		assert_int_equal(o->id, i);
		assert_string_equal(o->name, tcpe_cc_names[i]);
		assert_ptr_equal(tcpe_cc_by_id((uint32_t)i), o);
		assert_non_null(o->init);
		assert_non_null(o->on_ack);
		assert_non_null(o->on_congestion);
		assert_non_null(o->on_rto);
		assert_non_null(o->after_idle);
	}
	assert_null(tcpe_cc_names[TCPE_CC_N]);
	assert_string_equal(tcpe_cc_names[TCPE_CC_RENO], "reno");
	assert_string_equal(tcpe_cc_names[TCPE_CC_CUBIC], "cubic");
	assert_string_equal(tcpe_cc_names[TCPE_CC_NONE], "none");
	assert_int_equal(ops("reno")->id, TCPE_CC_RENO);
	assert_int_equal(ops("cubic")->id, TCPE_CC_CUBIC);
	assert_int_equal(ops("none")->id, TCPE_CC_NONE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(tcpe_cc_find(bad[i]));
	assert_null(tcpe_cc_find(NULL));
	assert_null(tcpe_cc_by_id(TCPE_CC_N));
	assert_null(tcpe_cc_by_id(UINT32_MAX));
}

static void
test_init(void **state)
{
	struct tcpe_cc cc;

	(void)state;
	memset(&cc, 0xa5, sizeof(cc));
	tcpe_cc_init(&cc, ops("reno"), MSS, 10);
	assert_ptr_equal(cc.ops, ops("reno"));
	assert_int_equal(cc.cwnd, SEG(10));
	assert_int_equal(cc.ssthresh, UINT32_MAX);
	assert_true(tcpe_cc_in_slow_start(&cc));

	memset(&cc, 0xa5, sizeof(cc));
	tcpe_cc_init(&cc, ops("cubic"), 1460, 10);
	assert_int_equal(cc.cwnd, 14600);
	assert_int_equal(cc.ssthresh, UINT32_MAX);
	assert_false(cc.epoch_on);
	assert_int_equal(cc.w_max, 0);

	/* Default algorithm; init_cwnd_segs 0 is 1; mss 0 is 1. */
	tcpe_cc_init(&cc, NULL, MSS, 0);
	assert_ptr_equal(cc.ops, ops("cubic"));
	assert_int_equal(cc.cwnd, MSS);
	tcpe_cc_init(&cc, ops("reno"), 0, 4);
	assert_int_equal(cc.cwnd, 4);
	/* Large values saturate. */
	tcpe_cc_init(&cc, ops("reno"), 65535, 1000);
	assert_int_equal(cc.cwnd, 65535000);
	tcpe_cc_init(&cc, ops("reno"), UINT32_MAX, 100000);
	assert_int_equal(cc.cwnd, UINT32_MAX);	/* 65535 * 100000 */

	tcpe_cc_init(&cc, ops("none"), MSS, 10);
	assert_int_equal(cc.cwnd, UINT32_MAX);
	assert_int_equal(cc.ssthresh, UINT32_MAX);
}

/* --- reno ----------------------------------------------------------------- */

static void
test_reno_slow_start_doubles(void **state)
{
	struct tcpe_cc cc;
	tcpe_time_t now = TCPE_S(1);
	uint32_t per_ack, want;
	int r;

	(void)state;
	/* An ACK per segment or per two (delayed ACK): both double. */
	for (per_ack = 1; per_ack <= 2; per_ack++) {
		tcpe_cc_init(&cc, ops("reno"), MSS, 10);
		want = SEG(10);
		for (r = 0; r < 6; r++) {
			round_trip(&cc, per_ack, &now, TCPE_MS(10));
			want *= 2;
			assert_int_equal(cc.cwnd, want);
		}
	}
}

/* RFC 3465: at most L = 2 SMSS per ACK, whatever the ACK covers. */
static void
test_reno_abc_cap(void **state)
{
	struct tcpe_cc cc;

	(void)state;
	tcpe_cc_init(&cc, ops("reno"), MSS, 10);
	tcpe_cc_on_ack(&cc, MSS, SEG(5), SEG(10), TCPE_S(1), TCPE_MS(10));
	assert_int_equal(cc.cwnd, SEG(12));
	tcpe_cc_on_ack(&cc, MSS, SEG(2), SEG(12), TCPE_S(1), TCPE_MS(10));
	assert_int_equal(cc.cwnd, SEG(14));
	/* A partial segment counts its bytes. */
	tcpe_cc_on_ack(&cc, MSS, 500, SEG(14), TCPE_S(1), TCPE_MS(10));
	assert_int_equal(cc.cwnd, SEG(14) + 500);
	tcpe_cc_on_ack(&cc, MSS, UINT32_MAX, SEG(14), TCPE_S(1), 0);
	assert_int_equal(cc.cwnd, SEG(16) + 500);
	/* Nothing acked, nothing grows. */
	tcpe_cc_on_ack(&cc, MSS, 0, SEG(16), TCPE_S(1), 0);
	assert_int_equal(cc.cwnd, SEG(16) + 500);
}

/* Slow start stops at ssthresh; the bytes beyond go to CA. */
static void
test_reno_slow_start_to_ssthresh(void **state)
{
	struct tcpe_cc cc;

	(void)state;
	tcpe_cc_init(&cc, ops("reno"), MSS, 10);
	cc.ssthresh = SEG(12);
	tcpe_cc_on_ack(&cc, MSS, SEG(2), SEG(10), 0, 0);
	assert_int_equal(cc.cwnd, SEG(12));
	assert_int_equal(cc.ca_acked, 0);
	assert_false(tcpe_cc_in_slow_start(&cc));

	tcpe_cc_init(&cc, ops("reno"), MSS, 10);
	cc.cwnd = 11500;
	cc.ssthresh = SEG(12);
	tcpe_cc_on_ack(&cc, MSS, SEG(2), 11500, 0, 0);
	assert_int_equal(cc.cwnd, SEG(12));
	assert_int_equal(cc.ca_acked, 1500);
}

/* Congestion avoidance: one SMSS per round trip, ACK pattern aside. */
static void
test_reno_ca_linear(void **state)
{
	struct tcpe_cc cc;
	tcpe_time_t now = TCPE_S(1);
	uint32_t per_ack;
	int r;

	(void)state;
	for (per_ack = 1; per_ack <= 2; per_ack++) {
		tcpe_cc_init(&cc, ops("reno"), MSS, 10);
		tcpe_cc_on_congestion(&cc, MSS, SEG(40), now);
		assert_int_equal(cc.ssthresh, SEG(20));
		assert_int_equal(cc.cwnd, SEG(20));
		for (r = 1; r <= 30; r++) {
			round_trip(&cc, per_ack, &now, TCPE_MS(50));
			assert_int_equal(cc.cwnd, SEG(20 + r));
		}
	}
	/* By bytes: a cwnd's worth of bytes acked gives one SMSS. */
	tcpe_cc_init(&cc, ops("reno"), MSS, 10);
	tcpe_cc_on_congestion(&cc, MSS, SEG(20), now);
	assert_int_equal(cc.cwnd, SEG(10));
	tcpe_cc_on_ack(&cc, MSS, SEG(10) - 1, SEG(10), now, 0);
	assert_int_equal(cc.cwnd, SEG(10));
	tcpe_cc_on_ack(&cc, MSS, 1, SEG(10), now, 0);
	assert_int_equal(cc.cwnd, SEG(11));
	assert_int_equal(cc.ca_acked, 0);
	/* At most one SMSS per ACK, the rest kept. */
	tcpe_cc_on_ack(&cc, MSS, SEG(30), SEG(11), now, 0);
	assert_int_equal(cc.cwnd, SEG(12));
	assert_int_equal(cc.ca_acked, SEG(19));
}

static void
test_reno_reductions(void **state)
{
	struct tcpe_cc cc;

	(void)state;
	tcpe_cc_init(&cc, ops("reno"), MSS, 10);
	cc.cwnd = SEG(64);
	cc.ca_acked = 123;
	/* ssthresh = FlightSize / 2, not cwnd / 2. */
	tcpe_cc_on_congestion(&cc, MSS, SEG(30) + 1, 0);
	assert_int_equal(cc.ssthresh, SEG(15));
	assert_int_equal(cc.cwnd, SEG(15));
	assert_int_equal(cc.ca_acked, 0);
	/* Floor 2 SMSS. */
	tcpe_cc_on_congestion(&cc, MSS, SEG(3), 0);
	assert_int_equal(cc.ssthresh, SEG(2));
	assert_int_equal(cc.cwnd, SEG(2));
	tcpe_cc_on_congestion(&cc, MSS, 0, 0);
	assert_int_equal(cc.cwnd, SEG(2));
	/* RTO: the loss window, one SMSS. */
	cc.cwnd = SEG(40);
	tcpe_cc_on_rto(&cc, MSS, SEG(40));
	assert_int_equal(cc.ssthresh, SEG(20));
	assert_int_equal(cc.cwnd, MSS);
	assert_true(tcpe_cc_in_slow_start(&cc));
	tcpe_cc_on_rto(&cc, MSS, MSS);
	assert_int_equal(cc.ssthresh, SEG(2));
	assert_int_equal(cc.cwnd, MSS);
	/* Then slow start back up to ssthresh and linear beyond. */
	cc.ssthresh = SEG(8);
	tcpe_cc_on_ack(&cc, MSS, MSS, MSS, 0, 0);
	assert_int_equal(cc.cwnd, SEG(2));
}

/* A window that is not used does not grow (RFC 7661's spirit). */
static void
test_cwnd_limited(void **state)
{
	struct tcpe_cc cc;

	(void)state;
	tcpe_cc_init(&cc, ops("reno"), MSS, 10);
	/* Slow start: flight must exceed half of cwnd. */
	assert_false(tcpe_cc_cwnd_limited(&cc, MSS, SEG(5)));
	assert_true(tcpe_cc_cwnd_limited(&cc, MSS, SEG(5) + 1));
	tcpe_cc_on_ack(&cc, MSS, MSS, SEG(5), 0, 0);
	assert_int_equal(cc.cwnd, SEG(10));
	tcpe_cc_on_ack(&cc, MSS, MSS, SEG(6), 0, 0);
	assert_int_equal(cc.cwnd, SEG(11));
	/* CA: less than one SMSS of cwnd unused. */
	tcpe_cc_on_congestion(&cc, MSS, SEG(20), 0);
	assert_int_equal(cc.cwnd, SEG(10));
	assert_false(tcpe_cc_cwnd_limited(&cc, MSS, SEG(9)));
	assert_true(tcpe_cc_cwnd_limited(&cc, MSS, SEG(9) + 1));
	assert_true(tcpe_cc_cwnd_limited(&cc, MSS, SEG(10)));
	assert_true(tcpe_cc_cwnd_limited(&cc, MSS, UINT32_MAX));
	tcpe_cc_on_ack(&cc, MSS, SEG(10), SEG(9), 0, 0);
	assert_int_equal(cc.cwnd, SEG(10));
	assert_int_equal(cc.ca_acked, 0);
	tcpe_cc_on_ack(&cc, MSS, SEG(10), SEG(10), 0, 0);
	assert_int_equal(cc.cwnd, SEG(11));

	/* The same rule for cubic. */
	tcpe_cc_init(&cc, ops("cubic"), MSS, 10);
	tcpe_cc_on_ack(&cc, MSS, MSS, SEG(3), 0, 0);
	assert_int_equal(cc.cwnd, SEG(10));
	tcpe_cc_on_congestion(&cc, MSS, SEG(10), 0);
	tcpe_cc_on_ack(&cc, MSS, MSS, SEG(2), TCPE_S(1), 0);
	assert_int_equal(cc.cwnd, SEG(7));
	assert_false(cc.epoch_on);
}

/* RFC 5681 section 4.1: restart window min(cwnd, IW). */
static void
test_after_idle(void **state)
{
	static const char *const names[] = { "reno", "cubic" };
	struct tcpe_cc cc;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		tcpe_cc_init(&cc, ops(names[i]), MSS, 10);
		cc.cwnd = SEG(50);
		tcpe_cc_after_idle(&cc, MSS, 10);
		assert_int_equal(cc.cwnd, SEG(10));
		cc.cwnd = SEG(5);
		tcpe_cc_after_idle(&cc, MSS, 10);
		assert_int_equal(cc.cwnd, SEG(5));
		cc.cwnd = SEG(5);
		tcpe_cc_after_idle(&cc, MSS, 0);
		assert_int_equal(cc.cwnd, MSS);
		/* ssthresh is kept. */
		assert_int_equal(cc.ssthresh, UINT32_MAX);
	}
	/* cubic: the idle time is not growth time. */
	tcpe_cc_init(&cc, ops("cubic"), MSS, 10);
	cc.cwnd = SEG(100);
	tcpe_cc_on_congestion(&cc, MSS, SEG(100), 0);
	tcpe_cc_on_ack(&cc, MSS, MSS, SEG(70), TCPE_S(1), TCPE_MS(100));
	assert_true(cc.epoch_on);
	tcpe_cc_after_idle(&cc, MSS, 10);
	assert_false(cc.epoch_on);
	assert_int_equal(cc.cwnd, SEG(10));
}

static void
test_saturation(void **state)
{
	struct tcpe_cc cc;

	(void)state;
	tcpe_cc_init(&cc, ops("reno"), MSS, 10);
	cc.ssthresh = SEG(2);
	cc.cwnd = UINT32_MAX - 10;
	tcpe_cc_on_ack(&cc, MSS, UINT32_MAX, UINT32_MAX, 0, 0);
	assert_int_equal(cc.cwnd, UINT32_MAX);
	tcpe_cc_on_ack(&cc, MSS, UINT32_MAX, UINT32_MAX, 0, 0);
	assert_int_equal(cc.cwnd, UINT32_MAX);

	tcpe_cc_init(&cc, ops("cubic"), MSS, 10);
	cc.ssthresh = SEG(2);
	cc.cwnd = UINT32_MAX / 2;
	tcpe_cc_on_ack(&cc, MSS, UINT32_MAX, UINT32_MAX, 0, 0);
	tcpe_cc_on_ack(&cc, MSS, UINT32_MAX, UINT32_MAX, UINT64_MAX / 2,
	    UINT64_MAX / 4);
	assert_true(cc.cwnd >= UINT32_MAX / 2);
	tcpe_cc_on_ack(&cc, 65535, UINT32_MAX, UINT32_MAX, UINT64_MAX,
	    UINT64_MAX);
	assert_true(cc.cwnd >= UINT32_MAX / 2);
}

/* --- cubic ---------------------------------------------------------------- */

static void
test_icbrt(void **state)
{
	uint64_t x, y, s = 0x9e3779b97f4a7c15ULL;
	int i;

	(void)state;
	assert_int_equal(tcpe_cc_icbrt(0), 0);
	assert_int_equal(tcpe_cc_icbrt(1), 1);
	assert_int_equal(tcpe_cc_icbrt(7), 1);
	assert_int_equal(tcpe_cc_icbrt(8), 2);
	assert_int_equal(tcpe_cc_icbrt(26), 2);
	assert_int_equal(tcpe_cc_icbrt(27), 3);
	assert_int_equal(tcpe_cc_icbrt(75000000000ULL), 4217);
	assert_int_equal(tcpe_cc_icbrt(UINT64_MAX), 2642245);
	/* Perfect cubes and their neighbours, then random values. */
	for (y = 1; y < 2642245; y += 997) {
		assert_int_equal(tcpe_cc_icbrt(y * y * y), y);
		assert_int_equal(tcpe_cc_icbrt(y * y * y - 1), y - 1);
		assert_int_equal(tcpe_cc_icbrt(y * y * y + 1), y);
	}
	for (i = 0; i < 100000; i++) {
		s ^= s >> 12;
		s ^= s << 25;
		s ^= s >> 27;
		x = (s * 0x2545f4914f6cdd1dULL) >> (i % 64);
		y = tcpe_cc_icbrt(x);
		assert_true(y * y * y <= x);
		if (y < 2642245)
			assert_true((y + 1) * (y + 1) * (y + 1) > x);
	}
}

/* RFC 9438 equation 2: K = cbrt(W_max (1 - beta) / C). */
static void
test_cubic_k(void **state)
{
	(void)state;
	/* W_max 100 segments: cbrt(100 * 0.3 / 0.4) = 4.2172 s. */
	assert_int_equal(tcpe_cc_cubic_k(SEG(100), SEG(70), MSS), 4217);
	assert_int_equal(tcpe_cc_cubic_k(146000, 102200, 1460), 4217);
	/* 1000 segments: cbrt(750) = 9.0856 s. */
	assert_int_equal(tcpe_cc_cubic_k(SEG(1000), SEG(700), MSS), 9085);
	/* 10 segments: cbrt(7.5) = 1.9574 s. */
	assert_int_equal(tcpe_cc_cubic_k(SEG(10), SEG(7), MSS), 1957);
	/* At or above W_max: 0. */
	assert_int_equal(tcpe_cc_cubic_k(SEG(10), SEG(10), MSS), 0);
	assert_int_equal(tcpe_cc_cubic_k(SEG(10), SEG(11), MSS), 0);
	/* The largest: no overflow (cbrt(2^32 * 2.5e9) ms, mss 1). */
	assert_int_equal(tcpe_cc_cubic_k(UINT32_MAX, 0, 1), 2206141);
}

/* Loss at 100 segments, then the first ACK in CA starts the epoch. */
static void
cubic_after_loss(struct tcpe_cc *cc, tcpe_time_t t0)
{
	tcpe_cc_init(cc, ops("cubic"), MSS, 10);
	cc->cwnd = SEG(100);
	tcpe_cc_on_congestion(cc, MSS, SEG(100), t0);
	tcpe_cc_on_ack(cc, MSS, MSS, cc->cwnd, t0, TCPE_MS(100));
}

static void
test_cubic_reduction(void **state)
{
	struct tcpe_cc cc;

	(void)state;
	tcpe_cc_init(&cc, ops("cubic"), MSS, 10);
	cc.cwnd = SEG(100);
	/* beta_cubic 0.7 of cwnd, whatever the flight. */
	tcpe_cc_on_congestion(&cc, MSS, SEG(40), TCPE_S(1));
	assert_int_equal(cc.ssthresh, SEG(70));
	assert_int_equal(cc.cwnd, SEG(70));
	assert_int_equal(cc.w_max, SEG(100));
	assert_int_equal(cc.prior, SEG(100));
	assert_false(cc.epoch_on);
	assert_false(tcpe_cc_in_slow_start(&cc));
	/* Byte-exact: 0.7 * 14599 truncated. */
	cc.cwnd = 14599;
	cc.w_max = 0;
	tcpe_cc_on_congestion(&cc, 1460, 14599, TCPE_S(1));
	assert_int_equal(cc.cwnd, 10219);
	/* Floor 2 SMSS. */
	cc.cwnd = SEG(2);
	tcpe_cc_on_congestion(&cc, MSS, SEG(2), TCPE_S(1));
	assert_int_equal(cc.cwnd, SEG(2));
	assert_int_equal(cc.ssthresh, SEG(2));
}

/* The curve: W_max at t = K, cwnd_epoch at t = 0. */
static void
test_cubic_curve(void **state)
{
	struct tcpe_cc cc;
	uint32_t w0;

	(void)state;
	cubic_after_loss(&cc, TCPE_S(10));
	assert_true(cc.epoch_on);
	assert_int_equal(cc.epoch, TCPE_S(10));
	assert_int_equal(cc.k_ms, 4217);
	assert_int_equal(cc.origin, SEG(100));
	assert_int_equal(tcpe_cc_cubic_w(&cc, MSS, TCPE_MS(4217)), SEG(100));
	assert_int_equal(tcpe_cc_cubic_w(&cc, MSS, TCPE_MS(4217) + 999999),
	    SEG(100));
	/* t = 0: W_max - C K^3 = 100000 - 29996 bytes. */
	w0 = tcpe_cc_cubic_w(&cc, MSS, 0);
	assert_int_equal(w0, 70004);
	/* Symmetric around K; 1 s away: C * 1 s^3 = 0.4 segments. */
	assert_int_equal(tcpe_cc_cubic_w(&cc, MSS, TCPE_MS(3217)), 99600);
	assert_int_equal(tcpe_cc_cubic_w(&cc, MSS, TCPE_MS(5217)), 100400);
	/* 10 s past K: 0.4 * 1000 = 400 segments above W_max. */
	assert_int_equal(tcpe_cc_cubic_w(&cc, MSS, TCPE_MS(14217)),
	    SEG(500));
	/* Far away: saturates, does not wrap. */
	assert_int_equal(tcpe_cc_cubic_w(&cc, MSS, TCPE_S(100000)),
	    UINT32_MAX);
}

/*
 * Driven by ACKs every 100 ms round trip after a loss at 1000 segments
 * (K = 9.085 s): cwnd climbs fast, flattens at W_max around K
 * (concave), then accelerates (convex); it follows W_cubic, never runs
 * ahead of W_cubic(t + RTT), never more than 1.5x per round trip, and
 * stays above W_est (not Reno-friendly with this W_max and RTT).
 */
static void
test_cubic_concave_convex(void **state)
{
	struct tcpe_cc cc;
	tcpe_time_t now, rtt = TCPE_MS(100), t0 = TCPE_S(10);
	uint32_t w[150], g[14], prev, wc;
	int r, j;

	(void)state;
	tcpe_cc_init(&cc, ops("cubic"), MSS, 10);
	cc.cwnd = SEG(1000);
	tcpe_cc_on_congestion(&cc, MSS, SEG(1000), t0);
	assert_int_equal(cc.cwnd, SEG(700));
	now = t0;
	for (r = 0; r < 150; r++) {
		prev = cc.cwnd;
		round_trip(&cc, 1, &now, rtt);
		w[r] = cc.cwnd;
		assert_true(cc.cwnd >= prev);
		assert_true((uint64_t)cc.cwnd * 2 <= (uint64_t)prev * 3);
		assert_true(cc.cwnd <= tcpe_cc_cubic_w(&cc, MSS,
		    now - t0 + rtt));
		wc = tcpe_cc_cubic_w(&cc, MSS, now - t0);
		assert_true((uint64_t)cc.cwnd * 100 >= (uint64_t)wc * 99);
		assert_true(cc.cwnd > (cc.w_est >> TCPE_CC_WEST_SHIFT));
	}
	assert_int_equal(cc.k_ms, 9085);
	/* The epoch started at the first ACK: one of 700 in the RTT. */
	assert_int_equal(cc.epoch, t0 + rtt / 700);
	assert_int_equal(cc.ssthresh, SEG(700));
	/* Growth per second: shrinking up to K, then growing. */
	for (j = 0; j < 14; j++)
		g[j] = w[10 * (j + 1)] - w[10 * j];
	for (j = 0; j < 7; j++)
		assert_true(g[j + 1] < g[j]);
	for (j = 9; j < 13; j++)
		assert_true(g[j + 1] > g[j]);
	/* At K (9.1 s): W_max within 0.1 %; plateau around it. */
	assert_true(w[90] > SEG(999) && w[90] < SEG(1001));
	assert_true(w[95] - w[85] < SEG(1));
	assert_true(w[149] > SEG(1050));
}

/* RFC 9438 section 4.7: losing below W_max lowers W_max further. */
static void
test_cubic_fast_convergence(void **state)
{
	struct tcpe_cc cc;
	tcpe_time_t now = TCPE_S(10);

	(void)state;
	tcpe_cc_init(&cc, ops("cubic"), MSS, 10);
	cc.cwnd = SEG(100);
	tcpe_cc_on_congestion(&cc, MSS, SEG(100), now);
	assert_int_equal(cc.w_max, SEG(100));
	/* Grows back only to 90 segments, then loses again. */
	cc.cwnd = SEG(90);
	tcpe_cc_on_congestion(&cc, MSS, SEG(90), now);
	assert_int_equal(cc.w_max, SEG(90) * 17 / 20);	/* 76.5 segments */
	assert_int_equal(cc.prior, SEG(90));
	assert_int_equal(cc.ssthresh, SEG(63));
	assert_int_equal(cc.cwnd, SEG(63));
	/* The next epoch aims at the reduced W_max. */
	tcpe_cc_on_ack(&cc, MSS, MSS, cc.cwnd, now, TCPE_MS(100));
	assert_int_equal(cc.origin, 76500);
	assert_int_equal(cc.k_ms, tcpe_cc_cubic_k(76500, SEG(63), MSS));
	/* A loss at or above W_max sets W_max to cwnd. */
	cc.cwnd = SEG(80);
	tcpe_cc_on_congestion(&cc, MSS, SEG(80), now);
	assert_int_equal(cc.w_max, SEG(80));
	assert_int_equal(cc.cwnd, SEG(56));
}

/*
 * Small W_max and a short round trip: the cubic curve is slow in real
 * time, Reno's estimate W_est (alpha_cubic per round trip, then 1 once
 * past cwnd_prior) is faster, and cwnd follows W_est.
 */
static void
test_cubic_reno_friendly(void **state)
{
	struct tcpe_cc cc;
	tcpe_time_t now, rtt = TCPE_MS(1), t0 = TCPE_S(5);
	uint32_t at;
	int r;

	(void)state;
	tcpe_cc_init(&cc, ops("cubic"), MSS, 10);
	tcpe_cc_on_congestion(&cc, MSS, SEG(10), t0);
	assert_int_equal(cc.cwnd, SEG(7));
	now = t0;
	/* alpha_cubic = 0.53: about 2.1 segments in 4 round trips. */
	for (r = 0; r < 4; r++)
		round_trip(&cc, 1, &now, rtt);
	assert_int_equal(cc.k_ms, 1957);
	assert_true(cc.cwnd >= 8900 && cc.cwnd <= 9300);
	assert_int_equal(cc.cwnd, cc.w_est >> TCPE_CC_WEST_SHIFT);
	/* Past cwnd_prior (10 segments): one segment per round trip. */
	for (r = 0; r < 100; r++)
		round_trip(&cc, 1, &now, rtt);
	at = cc.cwnd;
	for (r = 0; r < 100; r++)
		round_trip(&cc, 1, &now, rtt);
	assert_true(cc.cwnd - at >= SEG(99) && cc.cwnd - at <= SEG(101));
	/* Far above the curve, which has not even reached W_max. */
	assert_true(tcpe_cc_cubic_w(&cc, MSS, now - t0) < SEG(10));
	assert_true(cc.cwnd > SEG(150));
	assert_int_equal(cc.cwnd, cc.w_est >> TCPE_CC_WEST_SHIFT);

	/* With a long round trip the same loss stays on the curve. */
	tcpe_cc_init(&cc, ops("cubic"), MSS, 10);
	cc.cwnd = SEG(100);
	tcpe_cc_on_congestion(&cc, MSS, SEG(100), t0);
	now = t0;
	for (r = 0; r < 20; r++)
		round_trip(&cc, 1, &now, TCPE_MS(100));
	assert_true(cc.cwnd > (cc.w_est >> TCPE_CC_WEST_SHIFT) + SEG(5));
}

/* RFC 9438 section 4.8: timeout, then a fresh curve from cwnd, K = 0. */
static void
test_cubic_rto(void **state)
{
	struct tcpe_cc cc;
	tcpe_time_t now = TCPE_S(10);
	int r;

	(void)state;
	tcpe_cc_init(&cc, ops("cubic"), MSS, 10);
	cc.cwnd = SEG(100);
	tcpe_cc_on_rto(&cc, MSS, SEG(100));
	assert_int_equal(cc.ssthresh, SEG(70));
	assert_int_equal(cc.cwnd, MSS);
	assert_int_equal(cc.w_max, 0);
	assert_false(cc.epoch_on);
	/* Slow start back to ssthresh: 1, 2, 4 ... 64, 70. */
	for (r = 0; r < 7; r++)
		round_trip(&cc, 1, &now, TCPE_MS(100));
	assert_true(cc.cwnd >= SEG(70) && cc.cwnd < SEG(71));
	assert_true(cc.epoch_on);
	assert_int_equal(cc.k_ms, 0);
	assert_int_equal(cc.origin, cc.w_max);
	/* Convex from there on. */
	for (r = 0; r < 30; r++)
		round_trip(&cc, 1, &now, TCPE_MS(100));
	assert_true(cc.cwnd > SEG(75));
	/* Floor: one SMSS, and 2 SMSS for ssthresh. */
	cc.cwnd = MSS;
	tcpe_cc_on_rto(&cc, MSS, MSS);
	assert_int_equal(cc.cwnd, MSS);
	assert_int_equal(cc.ssthresh, SEG(2));
}

/* --- none ----------------------------------------------------------------- */

static void
test_none_never_limits(void **state)
{
	struct tcpe_cc cc;
	tcpe_time_t now = TCPE_S(1);
	int r;

	(void)state;
	tcpe_cc_init(&cc, ops("none"), MSS, 10);
	for (r = 0; r < 3; r++) {
		tcpe_cc_on_ack(&cc, MSS, SEG(10), SEG(10), now, TCPE_MS(1));
		assert_int_equal(cc.cwnd, UINT32_MAX);
		tcpe_cc_on_congestion(&cc, MSS, SEG(100), now);
		assert_int_equal(cc.cwnd, UINT32_MAX);
		tcpe_cc_on_rto(&cc, MSS, SEG(100));
		assert_int_equal(cc.cwnd, UINT32_MAX);
		tcpe_cc_after_idle(&cc, MSS, 10);
		assert_int_equal(cc.cwnd, UINT32_MAX);
		assert_int_equal(cc.ssthresh, UINT32_MAX);
	}
	assert_true(tcpe_cc_cwnd_limited(&cc, MSS, UINT32_MAX));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_reno_slow_start_doubles),
		cmocka_unit_test(test_reno_abc_cap),
		cmocka_unit_test(test_reno_slow_start_to_ssthresh),
		cmocka_unit_test(test_reno_ca_linear),
		cmocka_unit_test(test_reno_reductions),
		cmocka_unit_test(test_cwnd_limited),
		cmocka_unit_test(test_after_idle),
		cmocka_unit_test(test_saturation),
		cmocka_unit_test(test_icbrt),
		cmocka_unit_test(test_cubic_k),
		cmocka_unit_test(test_cubic_reduction),
		cmocka_unit_test(test_cubic_curve),
		cmocka_unit_test(test_cubic_concave_convex),
		cmocka_unit_test(test_cubic_fast_convergence),
		cmocka_unit_test(test_cubic_reno_friendly),
		cmocka_unit_test(test_cubic_rto),
		cmocka_unit_test(test_none_never_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
