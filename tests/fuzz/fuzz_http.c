/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the sample server's HTTP request parser, router
 * and response-head formatter (apps/httpd/http_parse.c).
 *
 * The input is a byte stream from a client. If its first byte is 0xf0 or
 * above, that byte and the next four choose the limits (see limits()) and
 * the stream is the rest; otherwise the default limits apply to the whole
 * input, so a corpus of plain requests works as is.
 *
 * The stream is parsed whole, one byte at a time, cut in two at every
 * position (short inputs) and cut at random points (seeded from the
 * input, so a crash reproduces). Every chunk is copied into a malloc'ed
 * block of exactly its size: ASan sees any read outside it, and any use
 * of it once its call returned. Each parse writes a transcript: the
 * request heads with every field, the body bytes (hashed, merged across
 * BODY events), DONE, and the error status with its offset in the stream.
 * All transcripts must be identical. On the way the invariants of the
 * header are checked (consumed <= len, AGAIN consumes everything, a head
 * respects the limits and the keep-alive rules, errors are sticky, only
 * the documented statuses), every head is routed and a response head is
 * formatted for the result. Any failure abort()s.
 *
 * Seeds: tests/fuzz/corpus/fuzz_http/ (curl, wrk-like, pipelined and
 * malformed requests, and one seed per limits mode).
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Iapps/httpd \
 *	    tests/fuzz/fuzz_http.c apps/httpd/http_parse.c -o fuzz_http
 *	./fuzz_http -dict=tests/fuzz/http.dict -max_total_time=60 \
 *	    tests/fuzz/corpus/fuzz_http
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz_http: %s:%d: %s\n", __FILE__, \
			    __LINE__, #cond); \
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
		t->cap = (t->cap + (size_t)k + 1) * 2;
		t->s = realloc(t->s, t->cap);
		CHECK(t->s != NULL);
	}
	t->n += (size_t)k;
}

static void
tr_body(struct tr *t, char tag)
{
	if (t->body_len == 0)
		return;
	tr_add(t, "%c%llu:%016llx;", tag, (unsigned long long)t->body_len,
	    (unsigned long long)t->body_hash);
	t->body_len = 0;
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

static bool
all(const char *s, size_t n, bool (*ok)(uint8_t))
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!ok((uint8_t)s[i]))
			return false;
	return true;
}

static bool
is_tchar(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool
is_vchar(uint8_t c)
{
	return c > 0x20 && c < 0x7f;
}

static bool
is_host(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != '\0' &&
	    strchr("-._~!$&'()*+,;=%:[]", c) != NULL);
}

/* A complete head: check it against the limits and the rules, route it. */
static void
check_head(const struct http_parser *p, const struct http_limits *lim,
    struct tr *t)
{
	const struct http_request *r = &p->req;
	struct http_route rt;
	char buf[512];
	size_t n;
	int st;

	CHECK(r->method_len >= 1 && r->method_len <= HTTP_METHOD_MAX);
	CHECK(strlen(r->method) == r->method_len);
	CHECK(all(r->method, r->method_len, is_tchar));
	CHECK(r->target_len >= 1 && r->target_len <= lim->max_target);
	CHECK(strlen(r->target) == r->target_len);
	CHECK(all(r->target, r->target_len, is_vchar));
	CHECK(r->host_len <= HTTP_HOST_MAX);
	CHECK(strlen(r->host) == r->host_len);
	CHECK(all(r->host, r->host_len, is_host));
	CHECK(r->host_len == 0 || r->has_host);
	CHECK(r->version_major == 1 && r->version_minor <= 9);
	CHECK(r->has_host || r->version_minor == 0);
	CHECK(r->has_content_length || r->content_length == 0);
	CHECK(r->content_length <= lim->max_body);
	CHECK(p->body_left == r->content_length);
	if (r->version_minor >= 1) {
		CHECK(r->keep_alive == !r->conn_close);
	} else {
		CHECK(r->keep_alive == (r->conn_keep_alive && !r->conn_close));
		CHECK(!r->expect_continue && !r->expect_other);
	}
	tr_add(t, "H%s %s %u.%u h=%d:%s cl=%d:%llu ka=%d c=%d k=%d e=%d%d;",
	    r->method, r->target, r->version_major, r->version_minor,
	    r->has_host, r->host, r->has_content_length,
	    (unsigned long long)r->content_length, r->keep_alive,
	    r->conn_close, r->conn_keep_alive, r->expect_continue,
	    r->expect_other);

	st = http_route(r->method, r->target, HTTP_DEFAULT_BYTES_MAX, &rt);
	CHECK(st == rt.status);
	CHECK(st == 200 || st == 404 || st == 405 || st == 501);
	CHECK((st == 405) == (rt.allow != NULL));
	CHECK(st != 200 || rt.id != HTTP_ROUTE_NONE);
	CHECK(st != 404 || rt.id == HTTP_ROUTE_NONE);
	CHECK(rt.id != HTTP_ROUTE_BYTES || rt.n <= HTTP_DEFAULT_BYTES_MAX);
	CHECK(!rt.head || strcmp(r->method, "HEAD") == 0);
	n = http_format_head_allow(buf, sizeof(buf), st, r->content_length,
	    r->keep_alive, "text/plain", rt.allow);
	CHECK(n > 0 && n < sizeof(buf) && strlen(buf) == n);
	CHECK(memcmp(buf, "HTTP/1.1 ", 9) == 0);
	CHECK(n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0);
}

/* Feed one chunk (in an exact-size copy). Returns false after an error. */
static bool
feed(struct http_parser *p, const struct http_limits *lim,
    const uint8_t *data, size_t len, struct tr *t)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	const uint8_t *d = copy;
	size_t n = len, c;
	uint64_t left;
	int r;

	CHECK(copy != NULL);
	if (len > 0)
		memcpy(copy, data, len);
	for (;;) {
		left = p->body_left;
		c = SIZE_MAX;
		r = http_parse(p, d, n, &c);
		CHECK(c <= n);
		switch (r) {
		case HTTP_PARSE_AGAIN:
			CHECK(c == n);
			t->off += c;
			free(copy);
			return true;
		case HTTP_PARSE_HEAD:
			CHECK(c >= 1);
			check_head(p, lim, t);
			break;
		case HTTP_PARSE_BODY:
			CHECK(c >= 1 && c <= left && p->body_left == left - c);
			t->body_hash = fnv(t->body_len == 0 ?
			    0xcbf29ce484222325ULL : t->body_hash, d, c);
			t->body_len += c;
			break;
		case HTTP_PARSE_DONE:
			CHECK(c == 0 && p->body_left == 0);
			tr_body(t, 'B');
			tr_add(t, "D;");
			break;
		case HTTP_PARSE_ERROR:
			CHECK(p->status == 400 || p->status == 413 ||
			    p->status == 414 || p->status == 431 ||
			    p->status == 501 || p->status == 505);
			CHECK(p->error != NULL);
			tr_body(t, 'b');
			tr_add(t, "E%d@%llu;", p->status,
			    (unsigned long long)(t->off + c));
			c = SIZE_MAX;
			CHECK(http_parse(p, d, n, &c) == HTTP_PARSE_ERROR);
			CHECK(c == 0);
			free(copy);
			return false;
		default:
			CHECK(0);
		}
		t->off += c;
		d += c;
		n -= c;
	}
}

/* Parse s[0..len) in the chunks whose ends are cuts[0..ncuts). */
static void
run(const uint8_t *s, size_t len, const struct http_limits *lim,
    const size_t *cuts, size_t ncuts, struct tr *t)
{
	struct http_parser p;
	size_t i, from = 0, to;

	t->n = 0;
	t->body_len = 0;
	t->off = 0;
	tr_add(t, "%s", "");
	memset(&p, 0x5a, sizeof(p));
	http_parser_init(&p, lim);
	for (i = 0; i <= ncuts; i++) {
		to = i < ncuts ? cuts[i] : len;
		CHECK(to >= from && to <= len);
		if (!feed(&p, lim, s + from, to - from, t))
			return;
		from = to;
	}
	tr_body(t, 'b');
	tr_add(t, "A;");
}

static void
same(const struct tr *a, const struct tr *b, const char *how)
{
	if (a->n == b->n && memcmp(a->s, b->s, a->n) == 0)
		return;
	fprintf(stderr, "fuzz_http: %s differs from whole:\n  %.*s\n"
	    "whole:\n  %.*s\n", how, (int)b->n, b->s, (int)a->n, a->s);
	abort();
}

/*
 * Limits chosen by the control bytes: mode 0 defaults, 1 small (so 414,
 * 431 and 413 are within reach), 2 no body allowed, 3 everything at its
 * largest.
 */
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
	static struct tr whole, t;
	struct http_limits lim;
	size_t *cuts, ncuts, i, k;
	uint64_t seed;

	if (size >= 5 && data[0] >= 0xf0) {
		limits(data, &lim);
		data += 5;
		size -= 5;
	} else {
		http_limits_default(&lim);
	}
	cuts = malloc((size + 1) * sizeof(*cuts));
	CHECK(cuts != NULL);

	run(data, size, &lim, NULL, 0, &whole);

	/* One byte at a time, after two empty chunks. */
	for (i = 0; i <= size; i++)
		cuts[i] = i == 0 ? 0 : i - 1;
	run(data, size, &lim, cuts, size + 1, &t);
	same(&whole, &t, "bytewise");

	if (size <= ALL_SPLITS_MAX) {
		for (k = 0; k <= size; k++) {
			cuts[0] = k;
			run(data, size, &lim, cuts, 1, &t);
			same(&whole, &t, "two pieces");
		}
	}

	/* Random cuts (sorted, repeats allowed: empty chunks). */
	seed = fnv(0xcbf29ce484222325ULL, data, size) | 1;
	for (k = 0; k < RANDOM_RUNS; k++) {
		size_t at = 0;

		ncuts = 0;
		while (ncuts < size) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			/* Mostly small steps, sometimes long ones. */
			at += (seed & 7) == 0 ? (seed >> 8) % (size + 1) :
			    (seed >> 8) % 4;
			if (at > size)
				break;
			cuts[ncuts++] = at;
		}
		run(data, size, &lim, cuts, ncuts, &t);
		same(&whole, &t, "random cuts");
	}
	free(cuts);
	return 0;
}
