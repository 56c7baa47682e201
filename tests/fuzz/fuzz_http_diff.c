/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Differential libFuzzer target for apps/httpd/http_parse.c: the parser,
 * router and response-head formatter against a frozen copy of the
 * byte-by-byte implementation they replaced (tests/fuzz/ref_http_parse.c,
 * the same code with every http_/HTTP_ renamed ref_http_/REF_HTTP_).
 *
 * The input is a byte stream from a client, with the same optional five
 * control bytes as fuzz_http (first byte 0xf0 or above: limits, see
 * limits()). The reference parses the stream whole; the parser under
 * test parses it whole, one byte at a time, cut in two at every
 * position (short inputs) and cut at random points. Each run writes a
 * transcript: every field of each request head and body_left, the body
 * bytes (hashed), DONE, the error status, its description and its offset
 * in the stream. All transcripts must be identical. For every head, both
 * routers and both formatters (with a capacity taken from the input,
 * also too small) must give the same bytes. Any difference abort()s.
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Iapps/httpd \
 *	    -Itests/fuzz tests/fuzz/fuzz_http_diff.c \
 *	    apps/httpd/http_parse.c tests/fuzz/ref_http_parse.c \
 *	    -o fuzz_http_diff
 *	./fuzz_http_diff -dict=tests/fuzz/http.dict -max_total_time=60 \
 *	    tests/fuzz/corpus/fuzz_http
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "ref_http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz_http_diff: %s:%d: %s\n", \
			    __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/* Every two-piece split is tried for streams up to this length. */
#define ALL_SPLITS_MAX	256
/* Random splittings per input. */
#define RANDOM_RUNS	4

struct tr {
	char *s;
	size_t n;
	size_t cap;
	uint64_t body_hash;
	uint64_t body_len;
	uint64_t off;
};

static void
tr_add(struct tr *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (t->s == NULL) {
		t->cap = 4096;
		t->s = malloc(t->cap);
		CHECK(t->s != NULL);
	}
	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
		va_end(ap);
		CHECK(k >= 0);
		if ((size_t)k < t->cap - t->n)
			break;
		t->cap = (t->n + (size_t)k + 1) * 2;
		t->s = realloc(t->s, t->cap);
		CHECK(t->s != NULL);
	}
	t->n += (size_t)k;
}

static uint64_t
fnv(uint64_t h, const uint8_t *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= d[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void
tr_body(struct tr *t, char tag)
{
	if (t->body_len > 0)
		tr_add(t, "%c%llu:%016llx;", tag,
		    (unsigned long long)t->body_len,
		    (unsigned long long)t->body_hash);
	t->body_len = 0;
}

/* Input bytes that choose the formatter's capacity and content type. */
static const uint8_t *fmt_seed;
static size_t fmt_seed_len;

/* The router and formatter of both sides on the head just parsed. */
static void
cmp_route_format(const char *method, const char *target, uint64_t cl,
    bool keep_alive)
{
	static const char *const types[] = {
		NULL, "", "text/plain", "text/html; charset=utf-8",
		"bad\r\nvalue", "tab\there \x80\xff", "del\x7f",
	};
	struct http_route a;
	struct ref_http_route b;
	char ba[600], bb[600];
	size_t na, nb, cap, k;
	const char *ty;
	int sa, sb;

	sa = http_route(method, target, HTTP_DEFAULT_BYTES_MAX, &a);
	sb = ref_http_route(method, target, REF_HTTP_DEFAULT_BYTES_MAX, &b);
	CHECK(sa == sb && a.status == b.status && (int)a.id == (int)b.id &&
	    a.head == b.head && a.n == b.n);
	CHECK((a.allow == NULL) == (b.allow == NULL));
	CHECK(a.allow == NULL || strcmp(a.allow, b.allow) == 0);
	CHECK(strcmp(http_status_reason(sa), ref_http_status_reason(sb)) == 0);
	for (k = 0; k < 3; k++) {
		uint8_t s = fmt_seed_len > k ? fmt_seed[fmt_seed_len - 1 - k] :
		    (uint8_t)k;
		int status = k == 0 ? sa : k == 1 ? 100 + s * 4 : 100 + s;

		ty = types[s % (sizeof(types) / sizeof(types[0]))];
		cap = k == 2 ? (size_t)s : sizeof(ba) - 1;
		memset(ba, 'Q', sizeof(ba));
		memset(bb, 'Q', sizeof(bb));
		na = http_format_head_allow(ba, cap, status, cl, keep_alive,
		    ty, (s & 8) ? a.allow : (s & 16) ? "x\ny" : NULL);
		nb = ref_http_format_head_allow(bb, cap, status, cl,
		    keep_alive, ty, (s & 8) ? b.allow : (s & 16) ? "x\ny" :
		    NULL);
		CHECK(na == nb);
		CHECK(ba[cap] == 'Q' && bb[cap] == 'Q');
		if (na > 0)
			CHECK(memcmp(ba, bb, na + 1) == 0);
		else if (cap > 0)
			CHECK(ba[0] == bb[0]);
	}
}

/*
 * The transcript of one run of parser P (type PT, functions with prefix
 * PFX) on s[0..len) in the chunks whose ends are cuts[0..ncuts).
 */
#define DEFINE_RUN(name, PT, PFX, ROUTE)				\
static void								\
name(const uint8_t *s, size_t len, const void *limv,			\
    const size_t *cuts, size_t ncuts, struct tr *t)			\
{									\
	PT p;								\
	size_t i, from = 0, to, n, c;					\
	const uint8_t *d;						\
	uint8_t *copy;							\
	int r;								\
									\
	t->n = 0;							\
	t->body_len = 0;						\
	t->off = 0;							\
	tr_add(t, "%s", "");						\
	memset(&p, 0x5a, sizeof(p));					\
	PFX##parser_init(&p, limv);					\
	for (i = 0; i <= ncuts; i++) {					\
		to = i < ncuts ? cuts[i] : len;				\
		CHECK(to >= from && to <= len);				\
		n = to - from;						\
		copy = malloc(n > 0 ? n : 1);				\
		CHECK(copy != NULL);					\
		if (n > 0)						\
			memcpy(copy, s + from, n);			\
		d = copy;						\
		for (;;) {						\
			c = SIZE_MAX;					\
			r = PFX##parse(&p, d, n, &c);			\
			CHECK(c <= n);					\
			if (r == 0) {	/* AGAIN */			\
				CHECK(c == n);				\
				t->off += c;				\
				break;					\
			}						\
			if (r == 1) {	/* HEAD */			\
				tr_add(t, "H%s|%u %s|%u %s|%u %u.%u "	\
				    "%d%d%d%d%d%d%d cl=%llu bl=%llu;",	\
				    p.req.method, p.req.method_len,	\
				    p.req.target, p.req.target_len,	\
				    p.req.host, p.req.host_len,		\
				    p.req.version_major,		\
				    p.req.version_minor,		\
				    p.req.has_host,			\
				    p.req.has_content_length,		\
				    p.req.keep_alive,			\
				    p.req.conn_close,			\
				    p.req.conn_keep_alive,		\
				    p.req.expect_continue,		\
				    p.req.expect_other,			\
				    (unsigned long long)		\
				    p.req.content_length,		\
				    (unsigned long long)p.body_left);	\
				if (ROUTE)				\
					cmp_route_format(p.req.method,	\
					    p.req.target,		\
					    p.req.content_length,	\
					    p.req.keep_alive);		\
			} else if (r == 2) {	/* BODY */		\
				t->body_hash = fnv(t->body_len == 0 ?	\
				    0xcbf29ce484222325ULL :		\
				    t->body_hash, d, c);		\
				t->body_len += c;			\
			} else if (r == 3) {	/* DONE */		\
				CHECK(c == 0);				\
				tr_body(t, 'B');			\
				tr_add(t, "D;");			\
			} else {		/* ERROR */		\
				CHECK(r == -1 && p.error != NULL);	\
				tr_body(t, 'b');			\
				tr_add(t, "E%d@%llu:%s;", p.status,	\
				    (unsigned long long)(t->off + c),	\
				    p.error);				\
				c = SIZE_MAX;				\
				CHECK(PFX##parse(&p, d, n, &c) == -1);	\
				CHECK(c == 0);				\
				free(copy);				\
				return;					\
			}						\
			t->off += c;					\
			d += c;						\
			n -= c;						\
		}							\
		free(copy);						\
		from = to;						\
	}								\
	tr_body(t, 'b');						\
	tr_add(t, "A;");						\
}

DEFINE_RUN(run_new, struct http_parser, http_, false)
DEFINE_RUN(run_new_routed, struct http_parser, http_, true)
DEFINE_RUN(run_ref, struct ref_http_parser, ref_http_, false)

static void
same(const struct tr *a, const struct tr *b, const char *how)
{
	if (a->n == b->n && memcmp(a->s, b->s, a->n) == 0)
		return;
	fprintf(stderr, "fuzz_http_diff: %s differs from the reference:\n"
	    "  %.*s\nreference:\n  %.*s\n", how, (int)b->n, b->s, (int)a->n,
	    a->s);
	abort();
}

/* As fuzz_http: 0 defaults, 1 small, 2 no body, 3 all at the largest. */
static void
limits(const uint8_t *c, struct http_limits *lim)
{
	http_limits_default(lim);
	switch (c[0] & 3) {
	case 1:
		lim->max_head = c[1];
		lim->max_line = c[2] & 0x3f;
		lim->max_target = c[3] & 0x3f;
		lim->max_body = c[4] & 0x3f;
		break;
	case 2:
		lim->max_body = 0;
		break;
	case 3:
		lim->max_head = UINT32_MAX;
		lim->max_line = UINT32_MAX;
		lim->max_target = UINT32_MAX;
		lim->max_body = UINT64_MAX;
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tr ref, t;
	struct http_limits lim;
	struct ref_http_limits rlim;
	size_t *cuts, ncuts, i, k;
	uint64_t seed;

	if (size >= 5 && data[0] >= 0xf0) {
		limits(data, &lim);
		data += 5;
		size -= 5;
	} else {
		http_limits_default(&lim);
	}
	rlim.max_head = lim.max_head;
	rlim.max_line = lim.max_line;
	rlim.max_target = lim.max_target;
	rlim.max_body = lim.max_body;
	fmt_seed = data;
	fmt_seed_len = size;
	cuts = malloc((size + 1) * sizeof(*cuts));
	CHECK(cuts != NULL);

	run_ref(data, size, &rlim, NULL, 0, &ref);
	run_new_routed(data, size, &lim, NULL, 0, &t);
	same(&ref, &t, "whole");

	for (i = 0; i <= size; i++)
		cuts[i] = i == 0 ? 0 : i - 1;
	run_new(data, size, &lim, cuts, size + 1, &t);
	same(&ref, &t, "bytewise");

	if (size <= ALL_SPLITS_MAX) {
		for (k = 0; k <= size; k++) {
			cuts[0] = k;
			run_new(data, size, &lim, cuts, 1, &t);
			same(&ref, &t, "two pieces");
		}
	}

	seed = fnv(0xcbf29ce484222325ULL, data, size) | 1;
	for (k = 0; k < RANDOM_RUNS; k++) {
		size_t at = 0;

		ncuts = 0;
		while (ncuts < size) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			at += (seed & 7) == 0 ? (seed >> 8) % (size + 1) :
			    (seed >> 8) % 4;
			if (at > size)
				break;
			cuts[ncuts++] = at;
		}
		run_new(data, size, &lim, cuts, ncuts, &t);
		same(&ref, &t, "random cuts");
	}
	free(cuts);
	return 0;
}
