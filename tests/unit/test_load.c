/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpe-load's pure parts: the log-linear latency histogram
 * (apps/load/load_hist.c) against an exact sorted reference, and the
 * HTTP/1.1 response parser (apps/load/http_resp.c) fed whole and split
 * at every byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http_resp.h"
#include "load_hist.h"

static struct load_hist h, h2;

/* --- histogram --------------------------------------------------------- */

/* Every bucket's range starts right after the previous one's. */
static void
test_hist_buckets_tile(void **state)
{
	uint32_t i;

	(void)state;
	assert_int_equal(load_hist_lowest(0), 0);
	for (i = 1; i < LOAD_HIST_BUCKETS; i++) {
		assert_true(load_hist_lowest(i) == load_hist_highest(i - 1) + 1);
		assert_true(load_hist_highest(i) >= load_hist_lowest(i));
		assert_int_equal(load_hist_index(load_hist_lowest(i)), i);
		assert_int_equal(load_hist_index(load_hist_highest(i)), i);
	}
	assert_int_equal(load_hist_highest(LOAD_HIST_BUCKETS - 1),
	    LOAD_HIST_MAX);
	/* Beyond the range: the last bucket. */
	assert_int_equal(load_hist_index(UINT64_MAX), LOAD_HIST_BUCKETS - 1);
}

/* Below 2048 every value has its own bucket; above, width <= v/1024. */
static void
test_hist_precision(void **state)
{
	uint64_t v;
	uint32_t i;

	(void)state;
	for (v = 0; v < 2048; v++)
		assert_int_equal(load_hist_index(v), v);
	for (i = 2048; i < LOAD_HIST_BUCKETS; i++) {
		uint64_t lo = load_hist_lowest(i), hi = load_hist_highest(i);

		assert_true((hi - lo + 1) * 1024 <= lo);
	}
}

static void
test_hist_empty(void **state)
{
	(void)state;
	load_hist_init(&h);
	assert_int_equal(h.count, 0);
	assert_int_equal(load_hist_percentile(&h, 50), 0);
	assert_int_equal(load_hist_percentile(&h, 100), 0);
	assert_true(load_hist_mean(&h) == 0.0);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t
xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * Random values over 9 decades: every percentile within the precision
 * of the exact one (same or the top of its bucket), never above max.
 */
static void
test_hist_percentiles_vs_sorted(void **state)
{
	static const double ps[] = { 1, 10, 50, 90, 99, 99.9, 99.99, 100 };
	enum { N = 200000 };
	uint64_t *v = malloc(N * sizeof(*v)), exact, got, sum = 0;
	unsigned int i, k, round;

	(void)state;
	assert_non_null(v);
	for (round = 0; round < 3; round++) {
		load_hist_init(&h);
		sum = 0;
		for (i = 0; i < N; i++) {
			/* Log-uniform from 1 ns to ~1 s. */
			unsigned int bits = (unsigned int)(xorshift() % 30) + 1;

			v[i] = xorshift() & ((UINT64_C(1) << bits) - 1);
			if (round == 1)
				v[i] = 5000 + xorshift() % 200; /* narrow */
			if (round == 2)
				v[i] = i < N - 10 ? 2500 : 900000000; /* tail */
			load_hist_record(&h, v[i]);
			sum += v[i];
		}
		qsort(v, N, sizeof(*v), cmp_u64);
		assert_int_equal(h.count, N);
		assert_int_equal(h.min, v[0]);
		assert_int_equal(h.max, v[N - 1]);
		assert_int_equal(h.sum, sum);
		for (k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
			uint64_t rank = (uint64_t)(ps[k] / 100.0 * N);

			if ((double)rank < ps[k] / 100.0 * N)
				rank++;
			exact = v[rank - 1];
			got = load_hist_percentile(&h, ps[k]);
			assert_true(got >= exact);
			assert_true(got <= h.max);
			assert_true(got - exact <= exact / 1024 + 1);
			if (exact < 2048)
				assert_int_equal(got, exact);
		}
	}
	free(v);
}

/* Merging two halves equals recording everything in one. */
static void
test_hist_merge(void **state)
{
	static struct load_hist all;
	uint64_t x;
	unsigned int i;

	(void)state;
	load_hist_init(&h);
	load_hist_init(&h2);
	load_hist_init(&all);
	for (i = 0; i < 10000; i++) {
		x = xorshift() % 10000000;
		load_hist_record(i % 2 ? &h : &h2, x);
		load_hist_record(&all, x);
	}
	load_hist_merge(&h, &h2);
	assert_int_equal(h.count, all.count);
	assert_int_equal(h.min, all.min);
	assert_int_equal(h.max, all.max);
	assert_int_equal(h.sum, all.sum);
	assert_memory_equal(h.b, all.b, sizeof(all.b));
	assert_int_equal(load_hist_percentile(&h, 99.9),
	    load_hist_percentile(&all, 99.9));
	/* Merging an empty histogram changes nothing. */
	load_hist_init(&h2);
	load_hist_merge(&h, &h2);
	assert_int_equal(h.min, all.min);
}

/* Huge values: counted in the last bucket, max exact, sum saturates. */
static void
test_hist_overflow(void **state)
{
	(void)state;
	load_hist_init(&h);
	load_hist_record(&h, UINT64_MAX - 1);
	load_hist_record(&h, 10);
	assert_int_equal(h.max, UINT64_MAX - 1);
	assert_int_equal(h.sum, UINT64_MAX);
	assert_int_equal(h.b[LOAD_HIST_BUCKETS - 1], 1);
	assert_int_equal(load_hist_percentile(&h, 50), 10);
	assert_int_equal(load_hist_percentile(&h, 100), UINT64_MAX - 1);
}

/* --- response parser --------------------------------------------------- */

struct resp_case {
	const char *text;
	int status;
	bool keep_alive;
	uint64_t body;
	bool head_only;
	bool eof_ends;	/* framed by the end of the connection */
};

static const struct resp_case resp_cases[] = {
	{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, true, 5,
	    false, false },
	{ "HTTP/1.1 404 Not Found\r\ncontent-length:  0 \r\n"
	    "Connection: close\r\n\r\n", 404, false, 0, false, false },
	{ "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi", 200, false, 2,
	    false, false },
	{ "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1"
	    "\r\n\r\nx", 200, true, 1, false, false },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n"
	    "0\r\nX-Trailer: 1\r\n\r\n", 200, true, 31, false, false },
	{ "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
	    "Content-Length: 3\r\n\r\nabc", 201, true, 3, false, false },
	{ "HTTP/1.1 204 No Content\r\n\r\n", 204, true, 0, false, false },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 200, true, 0,
	    true, false },
	/* LF alone as line end (RFC 9112 2.2 allows a recipient to). */
	{ "HTTP/1.1 200 OK\nContent-Length: 1\n\nz", 200, true, 1, false,
	    false },
	{ "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nuntil the end", 200, false, 13,
	    false, true },
};

/* Feed text in pieces of step bytes; check one response comes out. */
static void
run_case(const struct resp_case *c, size_t step)
{
	struct http_resp r;
	size_t len = strlen(c->text), off = 0, used, n;
	int ev = HTTP_RESP_AGAIN, dones = 0;

	http_resp_init(&r, c->head_only);
	while (off < len) {
		n = len - off < step ? len - off : step;
		ev = http_resp_feed(&r, (const uint8_t *)c->text + off, n,
		    &used);
		assert_int_not_equal(ev, HTTP_RESP_ERROR);
		assert_true(used <= n);
		off += used;
		if (ev == HTTP_RESP_DONE) {
			dones++;
			assert_int_equal(off, len);
			break;
		}
		assert_int_equal(used, n);
	}
	if (c->eof_ends) {
		assert_int_equal(dones, 0);
		assert_int_equal(http_resp_eof(&r), HTTP_RESP_DONE);
		dones++;
	}
	assert_int_equal(dones, 1);
	assert_int_equal(r.status, c->status);
	assert_int_equal(r.keep_alive, c->keep_alive);
	assert_int_equal(r.body_bytes, c->body);
	assert_false(http_resp_started(&r));
}

static void
test_resp_cases(void **state)
{
	size_t i, step;

	(void)state;
	for (i = 0; i < sizeof(resp_cases) / sizeof(resp_cases[0]); i++)
		for (step = 1; step <= strlen(resp_cases[i].text); step++)
			run_case(&resp_cases[i], step);
}

/* Two responses back to back in one buffer: DONE after the first. */
static void
test_resp_two(void **state)
{
	static const char t[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
	    "abcHTTP/1.1 500 Err\r\nContent-Length: 0\r\nConnection: close"
	    "\r\n\r\n";
	struct http_resp r;
	size_t used, off;

	(void)state;
	http_resp_init(&r, false);
	assert_int_equal(http_resp_feed(&r, (const uint8_t *)t, sizeof(t) - 1,
	    &used), HTTP_RESP_DONE);
	assert_int_equal(r.status, 200);
	assert_true(r.keep_alive);
	off = used;
	assert_int_equal(http_resp_feed(&r, (const uint8_t *)t + off,
	    sizeof(t) - 1 - off, &used), HTTP_RESP_DONE);
	assert_int_equal(off + used, sizeof(t) - 1);
	assert_int_equal(r.status, 500);
	assert_false(r.keep_alive);
	assert_int_equal(r.body_bytes, 0);
}

static void
test_resp_errors(void **state)
{
	static const char *const bad[] = {
		"HTTP/2 200 OK\r\n\r\n",
		"HTTX/1.1 200 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "1\r\nab\r\n"),
	};
	struct http_resp r;
	size_t i, used;
	int ev;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_resp_init(&r, false);
		ev = http_resp_feed(&r, (const uint8_t *)bad[i],
		    strlen(bad[i]), &used);
		assert_int_equal(ev, HTTP_RESP_ERROR);
	}
	/* Cut short by the end of the connection. */
	http_resp_init(&r, false);
	assert_int_equal(http_resp_feed(&r, (const uint8_t *)
	    "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 41, &used),
	    HTTP_RESP_AGAIN);
	assert_int_equal(http_resp_eof(&r), HTTP_RESP_ERROR);
	/* Nothing started: the end is not an error. */
	http_resp_init(&r, false);
	assert_int_equal(http_resp_eof(&r), HTTP_RESP_AGAIN);
}

/* A long header line is cut, not an error; a huge head is. */
static void
test_resp_long(void **state)
{
	static char t[HTTP_RESP_HEAD_MAX + 200];
	struct http_resp r;
	size_t used, n;

	(void)state;
	n = (size_t)snprintf(t, sizeof(t), "HTTP/1.1 200 OK\r\nX-Long: ");
	memset(t + n, 'a', 1000);
	n += 1000;
	n += (size_t)snprintf(t + n, sizeof(t) - n,
	    "\r\nContent-Length: 1\r\n\r\n!");
	http_resp_init(&r, false);
	assert_int_equal(http_resp_feed(&r, (const uint8_t *)t, n, &used),
	    HTTP_RESP_DONE);
	assert_int_equal(used, n);
	n = (size_t)snprintf(t, sizeof(t), "HTTP/1.1 200 OK\r\n");
	while (n + 20 < sizeof(t))
		n += (size_t)snprintf(t + n, sizeof(t) - n, "X-A: b\r\n");
	http_resp_init(&r, false);
	assert_int_equal(http_resp_feed(&r, (const uint8_t *)t, n, &used),
	    HTTP_RESP_ERROR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_buckets_tile),
		cmocka_unit_test(test_hist_precision),
		cmocka_unit_test(test_hist_empty),
		cmocka_unit_test(test_hist_percentiles_vs_sorted),
		cmocka_unit_test(test_hist_merge),
		cmocka_unit_test(test_hist_overflow),
		cmocka_unit_test(test_resp_cases),
		cmocka_unit_test(test_resp_two),
		cmocka_unit_test(test_resp_errors),
		cmocka_unit_test(test_resp_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
