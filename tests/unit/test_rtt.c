/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RFC 6298 estimator to the nanosecond (first sample, later samples,
 * truncation, convergence), the clamp to [rto_min, rto_max], the backoff,
 * and Linux's tcp_model_timeout() for the retries knobs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpe_rtt.h"

#define RTO_MIN	TCPE_MS(200)
#define RTO_MAX	TCPE_S(120)

static void
assert_time(tcpe_time_t got, tcpe_time_t want)
{
	if (got != want)
		fail_msg("got %llu ns, want %llu ns", (unsigned long long)got,
		    (unsigned long long)want);
}

static void
test_init(void **state)
{
	struct tcpe_rtt r;

	(void)state;
	memset(&r, 0xa5, sizeof(r));
	tcpe_rtt_init(&r, TCPE_S(1));
	assert_false(r.valid);
	assert_time(r.srtt, 0);
	assert_time(r.rttvar, 0);
	assert_time(r.rto, TCPE_S(1));
}

/* RFC 6298 section 2.2, then 2.3, worked by hand in nanoseconds. */
static void
test_rfc6298_samples(void **state)
{
	struct tcpe_rtt r;

	(void)state;
	tcpe_rtt_init(&r, TCPE_S(1));

	/* First: SRTT = R, RTTVAR = R/2, RTO = 100 + 4 * 50 ms. */
	tcpe_rtt_sample(&r, TCPE_MS(100), RTO_MIN, RTO_MAX);
	assert_true(r.valid);
	assert_time(r.srtt, 100000000);
	assert_time(r.rttvar, 50000000);
	assert_time(r.rto, 300000000);

	/*
	 * R = 120 ms: RTTVAR = 3/4 * 50 + 1/4 * |100 - 120| = 42.5 ms,
	 * SRTT = 7/8 * 100 + 1/8 * 120 = 102.5 ms, RTO = 102.5 + 170.
	 */
	tcpe_rtt_sample(&r, TCPE_MS(120), RTO_MIN, RTO_MAX);
	assert_time(r.rttvar, 42500000);
	assert_time(r.srtt, 102500000);
	assert_time(r.rto, 272500000);

	/*
	 * R = 80 ms: RTTVAR = 3/4 * 42.5 + 1/4 * 22.5 = 37.5 ms,
	 * SRTT = 7/8 * 102.5 + 10 = 99.6875 ms, RTO = 99.6875 + 150.
	 */
	tcpe_rtt_sample(&r, TCPE_MS(80), RTO_MIN, RTO_MAX);
	assert_time(r.rttvar, 37500000);
	assert_time(r.srtt, 99687500);
	assert_time(r.rto, 249687500);

	/*
	 * R = 99.6875 ms, equal to SRTT: RTTVAR = 3/4 * 37.5 = 28.125 ms,
	 * SRTT unchanged, RTO = 99.6875 + 112.5.
	 */
	tcpe_rtt_sample(&r, 99687500, RTO_MIN, RTO_MAX);
	assert_time(r.rttvar, 28125000);
	assert_time(r.srtt, 99687500);
	assert_time(r.rto, 212187500);
}

/* Integer division truncates; RTTVAR uses the SRTT before the update. */
static void
test_truncation(void **state)
{
	struct tcpe_rtt r;

	(void)state;
	tcpe_rtt_init(&r, TCPE_S(1));
	tcpe_rtt_sample(&r, 7, 0, RTO_MAX);
	assert_time(r.srtt, 7);
	assert_time(r.rttvar, 3);		/* 7 / 2 */
	assert_time(r.rto, 7 + TCPE_RTT_G);	/* 4 * 3 < G */

	tcpe_rtt_sample(&r, 10, 0, RTO_MAX);
	assert_time(r.rttvar, 3);		/* (9 + 3) / 4 */
	assert_time(r.srtt, 7);			/* (49 + 10) / 8 */

	tcpe_rtt_sample(&r, 1000, 0, RTO_MAX);
	assert_time(r.rttvar, 250);		/* (9 + 993) / 4 = 250.5 */
	assert_time(r.srtt, 131);		/* (49 + 1000) / 8 = 131.1 */
	assert_time(r.rto, 131 + TCPE_RTT_G);

	/* A zero sample is a sample (loopback). */
	tcpe_rtt_init(&r, TCPE_S(1));
	tcpe_rtt_sample(&r, 0, 0, RTO_MAX);
	assert_true(r.valid);
	assert_time(r.srtt, 0);
	assert_time(r.rttvar, 0);
	assert_time(r.rto, TCPE_RTT_G);
}

/* RTO = SRTT + max(G, 4 * RTTVAR): G wins when the RTT is steady. */
static void
test_granularity(void **state)
{
	struct tcpe_rtt r;
	int i;

	(void)state;
	tcpe_rtt_init(&r, TCPE_S(1));
	for (i = 0; i < 200; i++)
		tcpe_rtt_sample(&r, TCPE_MS(50), 0, RTO_MAX);
	/* RTTVAR decays to 0 (3/4 per step, truncated), SRTT stays R. */
	assert_time(r.srtt, TCPE_MS(50));
	assert_time(r.rttvar, 0);
	assert_time(r.rto, TCPE_MS(51));
	/* 4 * RTTVAR just above G. */
	tcpe_rtt_init(&r, TCPE_S(1));
	tcpe_rtt_sample(&r, TCPE_US(600), 0, RTO_MAX);
	assert_time(r.rttvar, TCPE_US(300));
	assert_time(r.rto, TCPE_US(600) + TCPE_US(1200));
}

static void
test_clamp(void **state)
{
	struct tcpe_rtt r;

	(void)state;
	/* Below rto_min: raised to it (Linux's 200 ms floor). */
	tcpe_rtt_init(&r, TCPE_S(1));
	tcpe_rtt_sample(&r, TCPE_MS(1), RTO_MIN, RTO_MAX);
	assert_time(r.srtt, TCPE_MS(1));
	assert_time(r.rto, RTO_MIN);
	/* 100 + 4 * 50 = 300 ms: at either bound, or just inside one. */
	tcpe_rtt_init(&r, TCPE_S(1));
	tcpe_rtt_sample(&r, TCPE_MS(100), TCPE_MS(300), RTO_MAX);
	assert_time(r.rto, TCPE_MS(300));
	tcpe_rtt_init(&r, TCPE_S(1));
	tcpe_rtt_sample(&r, TCPE_MS(100), TCPE_MS(300) + 1, RTO_MAX);
	assert_time(r.rto, TCPE_MS(300) + 1);
	tcpe_rtt_init(&r, TCPE_S(1));
	tcpe_rtt_sample(&r, TCPE_MS(100), RTO_MIN, TCPE_MS(300));
	assert_time(r.rto, TCPE_MS(300));
	tcpe_rtt_init(&r, TCPE_S(1));
	tcpe_rtt_sample(&r, TCPE_MS(100), RTO_MIN, TCPE_MS(300) - 1);
	assert_time(r.rto, TCPE_MS(300) - 1);
	/* Above rto_max: capped (RFC 6298 section 2.5). */
	tcpe_rtt_init(&r, TCPE_S(1));
	tcpe_rtt_sample(&r, TCPE_S(100), RTO_MIN, RTO_MAX);
	assert_time(r.srtt, TCPE_S(100));
	assert_time(r.rto, RTO_MAX);
	/* The state keeps the unclamped estimate. */
	tcpe_rtt_sample(&r, TCPE_S(100), RTO_MIN, RTO_MAX);
	assert_time(r.rttvar, TCPE_S(150) / 4);
	/* rto_min above rto_max: rto_max wins. */
	tcpe_rtt_init(&r, TCPE_S(1));
	tcpe_rtt_sample(&r, TCPE_MS(1), TCPE_S(2), TCPE_S(1));
	assert_time(r.rto, TCPE_S(1));
	/* A huge sample neither overflows nor escapes the cap. */
	tcpe_rtt_init(&r, TCPE_S(1));
	tcpe_rtt_sample(&r, UINT64_MAX, RTO_MIN, RTO_MAX);
	assert_time(r.srtt, TCPE_RTT_SAMPLE_MAX);
	tcpe_rtt_sample(&r, UINT64_MAX, RTO_MIN, RTO_MAX);
	assert_time(r.srtt, TCPE_RTT_SAMPLE_MAX);
	assert_time(r.rto, RTO_MAX);
	tcpe_rtt_sample(&r, UINT64_MAX, RTO_MIN, UINT64_MAX);
	assert_time(r.rto, TCPE_RTT_SAMPLE_MAX + 4 * r.rttvar);
}

static void
test_backoff(void **state)
{
	struct tcpe_rtt r;

	(void)state;
	tcpe_rtt_init(&r, TCPE_MS(200));
	assert_time(tcpe_rtt_backoff(&r, 0, RTO_MAX), TCPE_MS(200));
	assert_time(tcpe_rtt_backoff(&r, 1, RTO_MAX), TCPE_MS(400));
	assert_time(tcpe_rtt_backoff(&r, 9, RTO_MAX), TCPE_MS(102400));
	assert_time(tcpe_rtt_backoff(&r, 10, RTO_MAX), RTO_MAX);
	assert_time(tcpe_rtt_backoff(&r, 64, RTO_MAX), RTO_MAX);
	assert_time(tcpe_rtt_backoff(&r, UINT32_MAX, RTO_MAX), RTO_MAX);
	assert_time(tcpe_rtt_backoff(&r, 100, UINT64_MAX), UINT64_MAX);
	tcpe_rtt_init(&r, TCPE_S(200));
	assert_time(tcpe_rtt_backoff(&r, 0, RTO_MAX), RTO_MAX);
	tcpe_rtt_init(&r, TCPE_S(60));
	assert_time(tcpe_rtt_backoff(&r, 1, RTO_MAX), RTO_MAX);
	tcpe_rtt_init(&r, 0);
	assert_time(tcpe_rtt_backoff(&r, UINT32_MAX, RTO_MAX), 0);
}

/* Linux's tcp_model_timeout(), as tcp_retries2 uses it. */
static void
test_timeout_linux(void **state)
{
	(void)state;
	/* ilog2(120 s / 200 ms) = ilog2(600) = 9. */
	assert_time(tcpe_rtt_timeout(15, RTO_MIN, RTO_MAX), TCPE_MS(924600));
	assert_time(tcpe_rtt_timeout(8, RTO_MIN, RTO_MAX), TCPE_MS(102200));
	assert_time(tcpe_rtt_timeout(9, RTO_MIN, RTO_MAX), TCPE_MS(204600));
	assert_time(tcpe_rtt_timeout(10, RTO_MIN, RTO_MAX), TCPE_MS(324600));
	/* Small boundaries: 1, 3, 7 RTOs. */
	assert_time(tcpe_rtt_timeout(0, RTO_MIN, RTO_MAX), TCPE_MS(200));
	assert_time(tcpe_rtt_timeout(1, RTO_MIN, RTO_MAX), TCPE_MS(600));
	assert_time(tcpe_rtt_timeout(2, RTO_MIN, RTO_MAX), TCPE_MS(1400));
	assert_time(tcpe_rtt_timeout(3, RTO_MIN, RTO_MAX), TCPE_MS(3000));
	/* tcp_syn_retries 6 from 1 s: Linux's 127 s. */
	assert_time(tcpe_rtt_timeout(6, TCPE_S(1), RTO_MAX), TCPE_S(127));
	assert_time(tcpe_rtt_timeout(7, TCPE_S(1), RTO_MAX), TCPE_S(247));
	/* tcp_retries2 255: linear past the threshold. */
	assert_time(tcpe_rtt_timeout(255, RTO_MIN, RTO_MAX),
	    TCPE_MS(204600) + (tcpe_time_t)246 * RTO_MAX);
	/* A base that is not a power-of-two fraction of the cap. */
	assert_time(tcpe_rtt_timeout(4, TCPE_MS(300), TCPE_S(1)),
	    TCPE_MS(300) * 3 + TCPE_S(1) * 3);
}

static void
test_timeout_edges(void **state)
{
	(void)state;
	/* Base equal to the cap: thresh 0, every RTO is the cap. */
	assert_time(tcpe_rtt_timeout(0, TCPE_S(1), TCPE_S(1)), TCPE_S(1));
	assert_time(tcpe_rtt_timeout(5, TCPE_S(1), TCPE_S(1)), TCPE_S(6));
	/* Base above the cap: taken as the cap. */
	assert_time(tcpe_rtt_timeout(5, TCPE_S(2), TCPE_S(1)), TCPE_S(6));
	/* Base 0: taken as 1 ns. */
	assert_time(tcpe_rtt_timeout(0, 0, 1024), 1);
	assert_time(tcpe_rtt_timeout(10, 0, 1024), 2047);
	assert_time(tcpe_rtt_timeout(11, 0, 1024), 2047 + 1024);
	assert_time(tcpe_rtt_timeout(3, 0, 0), 0);
	/* Saturates rather than wraps. */
	assert_time(tcpe_rtt_timeout(63, 1, UINT64_MAX), UINT64_MAX);
	assert_time(tcpe_rtt_timeout(62, 1, UINT64_MAX),
	    ((uint64_t)2 << 62) - 1);
	assert_time(tcpe_rtt_timeout(UINT32_MAX, RTO_MIN, UINT64_MAX / 2),
	    UINT64_MAX);
	assert_time(tcpe_rtt_timeout(UINT32_MAX, RTO_MIN, RTO_MAX),
	    UINT64_MAX);
	assert_time(tcpe_rtt_timeout(100000, RTO_MIN, RTO_MAX),
	    TCPE_MS(204600) + (tcpe_time_t)(100000 - 9) * RTO_MAX);
}

/* Monotonic in the boundary, and never below one RTO per retry. */
static void
test_timeout_monotonic(void **state)
{
	static const tcpe_time_t bases[] = {
		1, 999, TCPE_MS(1), TCPE_MS(200), TCPE_MS(333), TCPE_S(1),
	};
	tcpe_time_t prev, t;
	uint32_t b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		prev = 0;
		for (b = 0; b < 300; b++) {
			t = tcpe_rtt_timeout(b, bases[i], RTO_MAX);
			assert_true(t > prev);
			assert_true(t - prev <= RTO_MAX);
			assert_true(t >= (tcpe_time_t)(b + 1) * bases[i]);
			prev = t;
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_rfc6298_samples),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_granularity),
		cmocka_unit_test(test_clamp),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_timeout_linux),
		cmocka_unit_test(test_timeout_edges),
		cmocka_unit_test(test_timeout_monotonic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
