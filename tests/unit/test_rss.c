/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow to lcore (lib/port/tcpe_rss.c), no EAL: the Toeplitz hash against
 * the IPv4/TCP vectors of Microsoft's RSS verification suite, the
 * symmetric key, the RETA, the per-worker partition of the port range and
 * the choice of a local port whose hash maps back to the calling worker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include <cmocka.h>

#include "tcpe_rss.h"

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))

/*
 * "Verifying the RSS Hash Calculation" (Microsoft, NDIS RSS), IPv4 with
 * TCP ports: the destination is the receiver (us), the source the peer.
 */
static const struct {
	uint32_t dst, src;
	uint16_t dport, sport;
	uint32_t hash;
} ms_vectors[] = {
	{ IP(161, 142, 100, 80), IP(66, 9, 149, 187), 1766, 2794,
	  0x51ccc178 },
	{ IP(65, 69, 140, 83), IP(199, 92, 111, 2), 4739, 14230,
	  0xc626b0ea },
	{ IP(12, 22, 207, 184), IP(24, 19, 198, 95), 38024, 12898,
	  0x5c2b394a },
	{ IP(209, 142, 163, 6), IP(38, 27, 205, 30), 2217, 48228,
	  0xafc7327f },
	{ IP(202, 188, 127, 2), IP(153, 39, 163, 191), 1303, 44251,
	  0x10e828a2 },
};

#define NVEC	(sizeof(ms_vectors) / sizeof(ms_vectors[0]))

static void
test_toeplitz_vectors(void **state)
{
	struct tcpe_rss r;
	size_t i;

	(void)state;
	assert_int_equal(tcpe_rss_init(&r, TCPE_RSS_KEY_DEFAULT, 128, 4), 0);
	for (i = 0; i < NVEC; i++)
		assert_int_equal(tcpe_rss_hash(&r, ms_vectors[i].src,
		    ms_vectors[i].dst, ms_vectors[i].sport,
		    ms_vectors[i].dport), ms_vectors[i].hash);
}

/* Swapping the ends changes the default hash, not the symmetric one. */
static void
test_symmetric_key(void **state)
{
	struct tcpe_rss d, s;
	uint32_t a, b, differ = 0;
	size_t i;

	(void)state;
	assert_int_equal(tcpe_rss_init(&d, TCPE_RSS_KEY_DEFAULT, 128, 2), 0);
	assert_int_equal(tcpe_rss_init(&s, TCPE_RSS_KEY_SYMMETRIC, 128, 2),
	    0);
	for (i = 0; i < NVEC; i++) {
		a = tcpe_rss_hash(&s, ms_vectors[i].src, ms_vectors[i].dst,
		    ms_vectors[i].sport, ms_vectors[i].dport);
		b = tcpe_rss_hash(&s, ms_vectors[i].dst, ms_vectors[i].src,
		    ms_vectors[i].dport, ms_vectors[i].sport);
		assert_int_equal(a, b);
		a = tcpe_rss_hash(&d, ms_vectors[i].src, ms_vectors[i].dst,
		    ms_vectors[i].sport, ms_vectors[i].dport);
		b = tcpe_rss_hash(&d, ms_vectors[i].dst, ms_vectors[i].src,
		    ms_vectors[i].dport, ms_vectors[i].sport);
		differ += a != b;
	}
	assert_int_equal(differ, NVEC);
	for (i = 0; i < 10000; i++) {
		uint32_t x = (uint32_t)i * 2654435761u, y = x ^ 0x5bd1e995u;

		assert_int_equal(tcpe_rss_hash(&s, x, y, (uint16_t)i,
		    (uint16_t)(i >> 3)), tcpe_rss_hash(&s, y, x,
		    (uint16_t)(i >> 3), (uint16_t)i));
	}
}

static void
test_init_bounds(void **state)
{
	struct tcpe_rss r;
	uint32_t i;

	(void)state;
	assert_int_equal(tcpe_rss_init(&r, TCPE_RSS_KEY_DEFAULT, 0, 2),
	    -EINVAL);
	assert_int_equal(tcpe_rss_init(&r, TCPE_RSS_KEY_DEFAULT, 96, 2),
	    -EINVAL);
	assert_int_equal(tcpe_rss_init(&r, TCPE_RSS_KEY_DEFAULT, 1024, 2),
	    -EINVAL);
	assert_int_equal(tcpe_rss_init(&r, TCPE_RSS_KEY_DEFAULT, 128, 0),
	    -EINVAL);
	assert_int_equal(tcpe_rss_init(&r, (enum tcpe_rss_key_kind)7, 128,
	    2), -EINVAL);
	assert_int_equal(tcpe_rss_init(&r, TCPE_RSS_KEY_DEFAULT, 512, 3), 0);
	for (i = 0; i < 512; i++)
		assert_int_equal(r.reta[i], i % 3);
	/* The owner is the RETA entry of the hash's low bits. */
	assert_int_equal(tcpe_rss_owner(&r, 0x51ccc178), 0x178 % 3);
	assert_int_equal(tcpe_rss_owner(&r, 0xfffffe00), 0);
}

/* Every worker's share: disjoint, in order, covering, balanced. */
static void
test_port_share(void **state)
{
	static const struct {
		uint16_t lo, hi;
	} ranges[] = {
		{ 32768, 60999 }, { 1024, 65535 }, { 40000, 40000 },
		{ 40000, 40006 }, { 1, 65535 }, { 60000, 60001 },
	};
	unsigned int n, i;
	uint16_t lo, hi, prev_hi;
	uint32_t span, min, max, total;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++) {
		span = (uint32_t)ranges[k].hi - ranges[k].lo + 1;
		for (n = 1; n <= 17; n++) {
			if (span < n) {
				assert_false(tcpe_port_share(ranges[k].lo,
				    ranges[k].hi, 0, n, &lo, &hi));
				assert_int_equal(lo, ranges[k].lo);
				assert_int_equal(hi, ranges[k].hi);
				continue;
			}
			total = 0;
			min = UINT32_MAX;
			max = 0;
			prev_hi = 0;
			for (i = 0; i < n; i++) {
				assert_true(tcpe_port_share(ranges[k].lo,
				    ranges[k].hi, i, n, &lo, &hi));
				assert_true(lo <= hi);
				if (i == 0)
					assert_int_equal(lo, ranges[k].lo);
				else
					assert_int_equal(lo, prev_hi + 1);
				prev_hi = hi;
				total += (uint32_t)hi - lo + 1;
				if ((uint32_t)hi - lo + 1 < min)
					min = (uint32_t)hi - lo + 1;
				if ((uint32_t)hi - lo + 1 > max)
					max = (uint32_t)hi - lo + 1;
			}
			assert_int_equal(prev_hi, ranges[k].hi);
			assert_int_equal(total, span);
			assert_true(max - min <= 1);
		}
	}
	/* Linux's default range over 2 workers. */
	assert_true(tcpe_port_share(32768, 60999, 0, 2, &lo, &hi));
	assert_int_equal(lo, 32768);
	assert_int_equal(hi, 46883);
	assert_true(tcpe_port_share(32768, 60999, 1, 2, &lo, &hi));
	assert_int_equal(lo, 46884);
	assert_int_equal(hi, 60999);
}

/*
 * Reversing a known vector: the peer 66.9.149.187:2794 connecting to us
 * at 161.142.100.80:1766 hashes to 0x51ccc178, so when we connect from
 * 161.142.100.80 to 66.9.149.187:2794 the port 1766 is the one whose
 * replies hash to that value: with a RETA of 128 entries over 4 workers,
 * entry 0x78 = 120, worker 0.
 */
static void
test_pick_known(void **state)
{
	struct tcpe_rss r;
	uint32_t h = 0;
	uint16_t next = 1766, p;

	(void)state;
	assert_int_equal(tcpe_rss_init(&r, TCPE_RSS_KEY_DEFAULT, 128, 4), 0);
	p = tcpe_rss_pick_port(&r, IP(161, 142, 100, 80), IP(66, 9, 149, 187),
	    2794, 1766, 1766, &next, 0, &h);
	assert_int_equal(p, 1766);
	assert_int_equal(h, 0x51ccc178);
	/* Not worker 1's: a one-port range gives it nothing. */
	next = 1766;
	assert_int_equal(tcpe_rss_pick_port(&r, IP(161, 142, 100, 80),
	    IP(66, 9, 149, 187), 2794, 1766, 1766, &next, 1, &h), 0);
	assert_int_equal(next, 1766);
	/* Every vector, as an active open of its destination. */
	for (size_t i = 0; i < NVEC; i++) {
		uint16_t w = tcpe_rss_owner(&r, ms_vectors[i].hash);

		next = ms_vectors[i].dport;
		p = tcpe_rss_pick_port(&r, ms_vectors[i].dst,
		    ms_vectors[i].src, ms_vectors[i].sport,
		    ms_vectors[i].dport, ms_vectors[i].dport, &next, w, &h);
		assert_int_equal(p, ms_vectors[i].dport);
		assert_int_equal(h, ms_vectors[i].hash);
	}
}

/*
 * Ports picked by each worker in its share: every one maps back to the
 * worker, they come in order, and every port of the share that maps to
 * the worker is found once per round.
 */
static void
test_pick_partition(void **state)
{
	static const enum tcpe_rss_key_kind kinds[] = {
		TCPE_RSS_KEY_DEFAULT, TCPE_RSS_KEY_SYMMETRIC,
	};
	const uint32_t laddr = IP(198, 18, 0, 1), raddr = IP(198, 18, 0, 2);
	struct tcpe_rss r;
	unsigned int n, w, k;
	uint16_t lo, hi, next, p, first;
	uint32_t h, found, expect, port;

	(void)state;
	for (k = 0; k < 2; k++) {
		for (n = 1; n <= 4; n++) {
			assert_int_equal(tcpe_rss_init(&r, kinds[k], 128,
			    (uint16_t)n), 0);
			for (w = 0; w < n; w++) {
				assert_true(tcpe_port_share(32768, 60999, w,
				    n, &lo, &hi));
				expect = 0;
				for (port = lo; port <= hi; port++)
					expect += tcpe_rss_owner(&r,
					    tcpe_rss_hash(&r, raddr, laddr, 80,
					    (uint16_t)port)) == w;
				/* Roughly 1/n of the share each. */
				assert_true(expect * n * 10 >
				    ((uint32_t)hi - lo + 1) * 8);
				next = lo;
				first = 0;
				found = 0;
				for (;;) {
					p = tcpe_rss_pick_port(&r, laddr,
					    raddr, 80, lo, hi, &next,
					    (uint16_t)w, &h);
					assert_int_not_equal(p, 0);
					if (p == first)
						break;
					if (first == 0)
						first = p;
					assert_true(p >= lo && p <= hi);
					assert_int_equal(h, tcpe_rss_hash(&r,
					    raddr, laddr, 80, p));
					assert_int_equal(tcpe_rss_owner(&r, h),
					    w);
					found++;
				}
				assert_int_equal(found, expect);
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toeplitz_vectors),
		cmocka_unit_test(test_symmetric_key),
		cmocka_unit_test(test_init_bounds),
		cmocka_unit_test(test_port_share),
		cmocka_unit_test(test_pick_known),
		cmocka_unit_test(test_pick_partition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
