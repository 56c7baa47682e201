/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sample server's request parser, router and response-head formatter
 * (apps/httpd/http_parse.c).
 *
 * Most parser tests go through run(), which feeds a byte stream in chunks
 * (each chunk copied into its own malloc'ed block of exactly its size, so
 * that ASan sees any read past a chunk or any use of a chunk after its
 * call) and writes a transcript of the events: the head's fields, the
 * body bytes (merged across BODY events), DONE, and an error with its
 * status and its offset in the stream. check_splits() then requires the
 * same transcript for the whole stream, for the stream cut in two at every
 * byte position and for the stream fed one byte at a time (after an empty
 * first chunk). The guard-page test places inputs against a PROT_NONE
 * page, so a read past len faults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "http_parse.h"

#define TR_MAX		(64 * 1024)
#define BODY_MAX	(16 * 1024)
#define WHOLE		SIZE_MAX

/* The transcript of a run. */
struct tr {
	char s[TR_MAX];
	size_t n;
	uint8_t body[BODY_MAX];
	size_t blen;
	uint64_t off;		/* stream bytes consumed */
	int status;		/* of the error, 0 if none */
	uint64_t err_off;	/* offset of the byte that failed */
	int heads;
	int dones;
};

static void
tr_add(struct tr *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(t->s + t->n, sizeof(t->s) - t->n, fmt, ap);
	va_end(ap);
	assert_true(k >= 0 && (size_t)k < sizeof(t->s) - t->n);
	t->n += (size_t)k;
}

static void
tr_body(struct tr *t, char tag)
{
	size_t i;

	if (t->blen == 0)
		return;
	tr_add(t, "%c%zu:", tag, t->blen);
	for (i = 0; i < t->blen; i++) {
		if (t->body[i] >= 0x20 && t->body[i] < 0x7f)
			tr_add(t, "%c", t->body[i]);
		else
			tr_add(t, "\\x%02x", t->body[i]);
	}
	tr_add(t, ";");
	t->blen = 0;
}

static void
tr_head(struct tr *t, const struct http_parser *p)
{
	const struct http_request *r = &p->req;

	assert_int_equal(strlen(r->method), r->method_len);
	assert_int_equal(strlen(r->target), r->target_len);
	assert_int_equal(strlen(r->host), r->host_len);
	assert_int_equal(p->body_left, r->content_length);
	tr_add(t, "H%s %s %u.%u host=%d:%s cl=%d:%llu ka=%d c=%d k=%d "
	    "ec=%d eo=%d;", r->method, r->target, r->version_major,
	    r->version_minor, r->has_host, r->host, r->has_content_length,
	    (unsigned long long)r->content_length, r->keep_alive,
	    r->conn_close, r->conn_keep_alive, r->expect_continue,
	    r->expect_other);
}

/*
 * Feed one chunk (copied into an exact-size block) until the parser
 * needs more or fails. Returns false once it failed.
 */
static bool
feed(struct http_parser *p, const uint8_t *data, size_t len, struct tr *t)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	const uint8_t *d = copy;
	size_t n = len, c, prev_left;
	int r;

	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, data, len);
	for (;;) {
		c = 12345;
		prev_left = p->body_left;
		r = http_parse(p, len > 0 ? d : NULL, n, &c);
		assert_true(c <= n);
		switch (r) {
		case HTTP_PARSE_AGAIN:
			assert_int_equal(c, n);
			t->off += c;
			free(copy);
			return true;
		case HTTP_PARSE_HEAD:
			assert_true(c >= 1);
			tr_head(t, p);
			t->heads++;
			break;
		case HTTP_PARSE_BODY:
			assert_true(c >= 1);
			assert_int_equal(p->body_left, prev_left - c);
			assert_true(t->blen + c <= sizeof(t->body));
			memcpy(t->body + t->blen, d, c);
			t->blen += c;
			break;
		case HTTP_PARSE_DONE:
			assert_int_equal(c, 0);
			assert_int_equal(p->body_left, 0);
			tr_body(t, 'B');
			tr_add(t, "D;");
			t->dones++;
			break;
		case HTTP_PARSE_ERROR:
			assert_true(p->status >= 400 && p->status <= 599);
			assert_non_null(p->error);
			tr_body(t, 'b');
			t->status = p->status;
			t->err_off = t->off + c;
			tr_add(t, "E%d@%llu;", p->status,
			    (unsigned long long)t->err_off);
			/* Sticky, consumes nothing. */
			c = 777;
			assert_int_equal(http_parse(p, d, n, &c),
			    HTTP_PARSE_ERROR);
			assert_int_equal(c, 0);
			free(copy);
			return false;
		default:
			fail_msg("http_parse returned %d", r);
		}
		t->off += c;
		d += c;
		n -= c;
	}
}

/*
 * Parse s[0..len) with limits lim (NULL: defaults) fed as a first chunk
 * of `first` bytes and then chunks of `step` bytes (WHOLE: the rest at
 * once); the transcript goes to t.
 */
static void
run(const void *s, size_t len, const struct http_limits *lim, size_t first,
    size_t step, struct tr *t)
{
	const uint8_t *d = s;
	struct http_parser p;
	size_t off, k;

	memset(t, 0, sizeof(*t));
	memset(&p, 0xa5, sizeof(p));
	http_parser_init(&p, lim);
	if (first > len)
		first = len;
	if (!feed(&p, d, first, t))
		return;
	for (off = first; off < len; off += k) {
		k = len - off < step ? len - off : step;
		if (!feed(&p, d + off, k, t))
			return;
	}
	tr_body(t, 'b');
	tr_add(t, "A;");
}

/* The transcript of s fed whole; it must not depend on how s is cut. */
static struct tr *
check_splits(const void *s, size_t len, const struct http_limits *lim)
{
	struct tr *whole = malloc(sizeof(*whole));
	struct tr *t = malloc(sizeof(*t));
	size_t k;

	assert_non_null(whole);
	assert_non_null(t);
	run(s, len, lim, len, WHOLE, whole);
	for (k = 0; k <= len; k++) {
		run(s, len, lim, k, WHOLE, t);
		if (strcmp(whole->s, t->s) != 0)
			fail_msg("split at %zu:\n  %s\nwhole:\n  %s", k, t->s,
			    whole->s);
	}
	run(s, len, lim, 0, 1, t);
	if (strcmp(whole->s, t->s) != 0)
		fail_msg("bytewise:\n  %s\nwhole:\n  %s", t->s, whole->s);
	run(s, len, lim, 3, 7, t);
	if (strcmp(whole->s, t->s) != 0)
		fail_msg("3+7*:\n  %s\nwhole:\n  %s", t->s, whole->s);
	free(t);
	return whole;
}

/* check_splits() and the transcript must be want. */
static void
expect_tr(const char *s, const struct http_limits *lim, const char *want)
{
	struct tr *t = check_splits(s, strlen(s), lim);

	if (strcmp(t->s, want) != 0)
		fail_msg("input \"%s\"\n got  %s\n want %s", s, t->s, want);
	free(t);
}

/* s (a whole stream) fails with status at offset off (-1: last byte). */
static void
expect_error_at(const void *s, size_t len, const struct http_limits *lim,
    int status, long off)
{
	struct tr *t = check_splits(s, len, lim);
	uint64_t want = off < 0 ? len - 1 : (uint64_t)off;

	if (t->status != status || t->err_off != want)
		fail_msg("got %d@%llu, want %d@%llu: %s", t->status,
		    (unsigned long long)t->err_off, status,
		    (unsigned long long)want, t->s);
	free(t);
}

#define ERR_AT(s, lim, status, off) \
	expect_error_at((s), strlen(s), (lim), (status), (off))

/* Offset of the LF that ends the (first) head of s. */
static long
head_lf(const char *s)
{
	const char *e = strstr(s, "\r\n\r\n");

	assert_non_null(e);
	return (long)(e - s) + 3;
}

/* A parse of a whole stream that must succeed with one request. */
static void
parse_one(const char *s, const struct http_limits *lim, struct http_parser *p)
{
	size_t c;

	http_parser_init(p, lim);
	assert_int_equal(http_parse(p, (const uint8_t *)s, strlen(s), &c),
	    HTTP_PARSE_HEAD);
	assert_int_equal(c, strlen(s));
}

/* A stream built in a buffer, for the limit tests. */
struct sbuf {
	char *s;
	size_t n;
	size_t cap;
};

static void
sb_add(struct sbuf *b, const char *s)
{
	size_t k = strlen(s);

	if (b->n + k + 1 > b->cap) {
		b->cap = (b->n + k + 1) * 2;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	memcpy(b->s + b->n, s, k + 1);
	b->n += k;
}

static void
sb_rep(struct sbuf *b, char c, size_t n)
{
	char one[2] = { c, '\0' };

	while (n-- > 0)
		sb_add(b, one);
}

/* --- basics --------------------------------------------------------------- */

static void
test_simple_get(void **state)
{
	struct http_parser p;
	const char *s = "GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\n"
	    "User-Agent: curl/8.0\r\nAccept: */*\r\n\r\n";
	size_t c;

	(void)state;
	parse_one(s, NULL, &p);
	assert_string_equal(p.req.method, "GET");
	assert_int_equal(p.req.method_len, 3);
	assert_string_equal(p.req.target, "/index.html?x=1");
	assert_int_equal(p.req.target_len, 15);
	assert_string_equal(p.req.host, "example.com");
	assert_int_equal(p.req.version_major, 1);
	assert_int_equal(p.req.version_minor, 1);
	assert_true(p.req.has_host);
	assert_false(p.req.has_content_length);
	assert_true(p.req.keep_alive);
	assert_false(p.req.expect_continue);
	assert_int_equal(p.body_left, 0);
	/* DONE consumes nothing, even with data offered. */
	assert_int_equal(http_parse(&p, (const uint8_t *)"G", 1, &c),
	    HTTP_PARSE_DONE);
	assert_int_equal(c, 0);
	/* p->req still valid after DONE. */
	assert_string_equal(p.req.target, "/index.html?x=1");
	/* The next call starts a new request. */
	assert_int_equal(http_parse(&p, (const uint8_t *)"G", 1, &c),
	    HTTP_PARSE_AGAIN);
	assert_int_equal(c, 1);
	assert_int_equal(p.req.method_len, 1);
	assert_false(p.req.has_host);
}

static void
test_empty_input(void **state)
{
	struct http_parser p;
	size_t c = 99;

	(void)state;
	http_parser_init(&p, NULL);
	assert_int_equal(http_parse(&p, NULL, 0, &c), HTTP_PARSE_AGAIN);
	assert_int_equal(c, 0);
	expect_tr("", NULL, "A;");
}

static void
test_transcripts(void **state)
{
	(void)state;
	expect_tr("GET / HTTP/1.1\r\nHost: a\r\n\r\n", NULL,
	    "HGET / 1.1 host=1:a cl=0:0 ka=1 c=0 k=0 ec=0 eo=0;D;A;");
	/* LF-only line endings (RFC 9112 section 2.2 MAY). */
	expect_tr("GET / HTTP/1.1\nHost: a\n\n", NULL,
	    "HGET / 1.1 host=1:a cl=0:0 ka=1 c=0 k=0 ec=0 eo=0;D;A;");
	/* Mixed. */
	expect_tr("GET / HTTP/1.1\r\nHost: a\n\r\n", NULL,
	    "HGET / 1.1 host=1:a cl=0:0 ka=1 c=0 k=0 ec=0 eo=0;D;A;");
	/* HTTP/1.0 needs no Host. */
	expect_tr("GET / HTTP/1.0\r\n\r\n", NULL,
	    "HGET / 1.0 host=0: cl=0:0 ka=0 c=0 k=0 ec=0 eo=0;D;A;");
	/* Leading empty lines are skipped (RFC 9112 section 2.2). */
	expect_tr("\r\n\nGET / HTTP/1.0\r\n\r\n", NULL,
	    "HGET / 1.0 host=0: cl=0:0 ka=0 c=0 k=0 ec=0 eo=0;D;A;");
	/* OWS around values is not part of them; names any case. */
	expect_tr("GET / HTTP/1.1\r\nhOsT: \t a:80 \t\r\n"
	    "CONTENT-LENGTH:  0 \r\n\r\n", NULL,
	    "HGET / 1.1 host=1:a:80 cl=1:0 ka=1 c=0 k=0 ec=0 eo=0;D;A;");
	/* Empty Host, IPv6 literal, obs-text in other values. */
	expect_tr("GET / HTTP/1.1\r\nHost:\r\nX: \xff\xfe y\r\n\r\n", NULL,
	    "HGET / 1.1 host=1: cl=0:0 ka=1 c=0 k=0 ec=0 eo=0;D;A;");
	expect_tr("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", NULL,
	    "HGET / 1.1 host=1:[::1]:8080 cl=0:0 ka=1 c=0 k=0 ec=0 eo=0;"
	    "D;A;");
	/* Any tchar method; HTTP/1.x, x >= 2, is handled as 1.1. */
	expect_tr("M-SEARCH * HTTP/1.1\r\nHost: h\r\n\r\n", NULL,
	    "HM-SEARCH * 1.1 host=1:h cl=0:0 ka=1 c=0 k=0 ec=0 eo=0;D;A;");
	expect_tr("GET / HTTP/1.9\r\nHost: h\r\n\r\n", NULL,
	    "HGET / 1.9 host=1:h cl=0:0 ka=1 c=0 k=0 ec=0 eo=0;D;A;");
	/* Header names that merely start like the ones we read. */
	expect_tr("GET / HTTP/1.1\r\nHost: h\r\nContent-Lengthy: x\r\n"
	    "Hosts: x y\r\nConnections: close\r\n"
	    "Transfer-Encoding-X: foo\r\n\r\n", NULL,
	    "HGET / 1.1 host=1:h cl=0:0 ka=1 c=0 k=0 ec=0 eo=0;D;A;");
	/* A truncated stream ends waiting. */
	expect_tr("GET / HTTP/1.1\r\nHost: h\r\n", NULL, "A;");
}

/* --- errors --------------------------------------------------------------- */

struct bad {
	const char *s;
	int status;
	const char *at;		/* error at strstr(s, at); NULL: last byte */
};

static const struct bad bad[] = {
	/* Request line. */
	{ "GET  / HTTP/1.1\r\n", 400, " / HTTP" },
	{ " GET / HTTP/1.1\r\n", 400, " GET" },
	{ "GET / HTTP/1.1 \r\n", 400, " \r\n" },
	{ "GET /\r\nHost: a\r\n\r\n", 400, "\r\nHost" },
	{ "GET / \r\n", 400, "\r\n" },
	{ "GET\r\n", 400, "\r\n" },
	{ "GET / http/1.1\r\n", 400, "http" },
	{ "GET / HTTP/1.1x\r\n", 400, "x\r\n" },
	{ "GET / HTTP/11\r\n", 400, "1\r\n" },
	{ "GET / HTTP/1.10\r\n", 400, "0\r\n" },
	{ "GET / HTTP/1.\r\n", 400, "\r\n" },
	{ "GET / HTTP/a.1\r\n", 400, "a.1" },
	{ "GET / HTTP/1,1\r\n", 400, ",1" },
	{ "G(T / HTTP/1.1\r\n", 400, "(T" },
	{ "GET\t/ HTTP/1.1\r\n", 400, "\t/" },
	{ "GET /a\x01 HTTP/1.1\r\n", 400, "\x01" },
	{ "GET /a\x7f HTTP/1.1\r\n", 400, "\x7f" },
	{ "GET /a\x80 HTTP/1.1\r\n", 400, "\x80" },
	{ "GET /a\tb HTTP/1.1\r\n", 400, "\tb" },
	{ "\x16\x03\x01", 400, "\x16" },
	/* Bare CR anywhere. */
	{ "\rGET / HTTP/1.1\r\n", 400, "GET" },
	{ "GET / HTTP/1.1\rHost: a\r\n\r\n", 400, "Host" },
	{ "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400, "b\r\n" },
	{ "GET / HTTP/1.1\r\nHost: a\r\nX:\r \r\n\r\n", 400, " \r\n\r\n" },
	{ "GET / HTTP/1.1\r\nHost: a\r\n\rX", 400, "X" },
	{ "GET / HTTP/1.1\r\nHost: a\r\nX\r\n\r\n", 400, "\r\n\r\n" },
	/* Field lines. */
	{ "GET / HTTP/1.1\r\nHost: a\r\nFoo\r\n\r\n", 400, "\r\n\r\n" },
	{ "GET / HTTP/1.1\r\nHost: a\r\nFoo\n\n", 400, "\n\n" },
	{ "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, " : a" },
	{ "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400, "\t: a" },
	{ "GET / HTTP/1.1\r\nFoo bar: a\r\n\r\n", 400, " bar" },
	{ "GET / HTTP/1.1\r\n: a\r\n\r\n", 400, ": a" },
	{ "GET / HTTP/1.1\r\nF@o: a\r\n\r\n", 400, "@o" },
	{ "GET / HTTP/1.1\r\nF\xc3\xa9: a\r\n\r\n", 400, "\xc3" },
	{ "GET / HTTP/1.1\r\nFoo: a\x01\r\n\r\n", 400, "\x01" },
	{ "GET / HTTP/1.1\r\nFoo: \x7f\r\n\r\n", 400, "\x7f" },
	{ "GET / HTTP/1.1\r\nFoo: \x1b[0m\r\n\r\n", 400, "\x1b" },
	{ "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400, " 2" },
	{ "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\t2\r\n\r\n", 400, "\t2" },
	{ "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400, " Host" },
	/* Host (RFC 9112 section 3.2). */
	{ "GET / HTTP/1.1\r\n\r\n", 400, NULL },
	{ "GET / HTTP/1.1\r\nX: y\r\n\r\n", 400, NULL },
	{ "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400, ": a\r\n\r\n" },
	{ "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", 400, ": b" },
	{ "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "b\r\n" },
	{ "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "/b" },
	{ "GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", 400, "@b" },
	{ "GET / HTTP/1.1\r\nHost: \xc3\xa9\r\n\r\n", 400, "\xc3" },
	/* Content-Length (RFC 9110 section 8.6). */
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400,
	    "abc" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400,
	    "-1" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n", 400,
	    "+1" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", 400,
	    "2\r\n" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400,
	    ", 5" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,5\r\n\r\n", 400,
	    ",5" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400,
	    "x10" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1.0\r\n\r\n", 400,
	    ".0" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400,
	    "\n\r\n" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:  \r\n\r\n", 400,
	    "\n\r\n" },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	    "Content-Length: 5\r\n\r\nhello", 400, ": 5\r\n\r\n" },
	/* Transfer-Encoding (RFC 9112 sections 6.1 and 6.3). */
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 5\r\n\r\n", 400, NULL },
	{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
	    NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
	    400, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n"
	    "\r\n", 400, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n"
	    "\r\n", 400, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: gzip\r\n\r\n", 400, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, "
	    "chunked\r\n\r\n", 400, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", 400,
	    NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chun ked\r\n"
	    "\r\n", 400, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n", 501, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n"
	    "\r\n", 501, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n"
	    "\r\n", 501, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
	    "Transfer-Encoding: ,chunked,\r\n\r\n", 501, NULL },
	/* Missing Host takes precedence over the framing checks. */
	{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
	    NULL },
	/* 413 (default max_body 1 MiB), also when the value overflows. */
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n",
	    413, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "
	    "99999999999999999999999999999\r\n\r\n", 413, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "
	    "18446744073709551616\r\n\r\n", 413, NULL },
	/* 505 (RFC 9110 section 6.2). */
	{ "GET / HTTP/2.0\r\n", 505, "\r\n" },
	{ "GET / HTTP/0.9\r\n", 505, "\r\n" },
	{ "GET / HTTP/3.1\n", 505, "\n" },
	/* 501 for a method longer than HTTP_METHOD_MAX. */
	{ "ABCDEFGHIJKLMNOP / HTTP/1.1\r\n", 501, "P /" },
};

static void
test_errors(void **state)
{
	const char *s, *at;
	struct tr *t;
	size_t i, len;
	long off;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = bad[i].s;
		len = strlen(s);
		at = bad[i].at;
		off = at == NULL ? -1 : (long)(strstr(s, at) - s);
		if (at != NULL && strstr(s, at) == NULL)
			fail_msg("case %zu: marker not found", i);
		t = check_splits(s, len, NULL);
		if (t->status != bad[i].status ||
		    t->err_off != (off < 0 ? len - 1 : (uint64_t)off))
			fail_msg("bad[%zu]: got %d@%llu, want %d@%ld: %s", i,
			    t->status, (unsigned long long)t->err_off,
			    bad[i].status, off < 0 ? (long)len - 1 : off, t->s);
		free(t);
	}
}

static void
test_nul_in_value(void **state)
{
	static const char s[] = "GET / HTTP/1.1\r\nFoo: a\0b\r\n\r\n";

	(void)state;
	expect_error_at(s, sizeof(s) - 1, NULL, 400, 22);
}

static void
test_error_is_sticky_until_reset(void **state)
{
	struct http_parser p;
	const uint8_t bad_rl[] = "GET  / HTTP/1.1\r\n";
	const uint8_t good[] = "GET / HTTP/1.0\r\n\r\n";
	size_t c;

	(void)state;
	http_parser_init(&p, NULL);
	assert_int_equal(http_parse(&p, bad_rl, sizeof(bad_rl) - 1, &c),
	    HTTP_PARSE_ERROR);
	assert_int_equal(c, 4);
	assert_int_equal(p.status, 400);
	assert_string_equal(p.error, "invalid request-target");
	assert_int_equal(http_parse(&p, good, sizeof(good) - 1, &c),
	    HTTP_PARSE_ERROR);
	assert_int_equal(c, 0);
	assert_int_equal(p.status, 400);
	http_parser_reset(&p);
	assert_int_equal(p.status, 0);
	assert_null(p.error);
	assert_int_equal(http_parse(&p, good, sizeof(good) - 1, &c),
	    HTTP_PARSE_HEAD);
	assert_int_equal(c, sizeof(good) - 1);
}

/* --- limits --------------------------------------------------------------- */

static void
test_empty_lines_limit(void **state)
{
	struct sbuf b = { 0 };
	size_t i;
	struct tr *t;

	(void)state;
	for (i = 0; i < HTTP_MAX_EMPTY_LINES; i++)
		sb_add(&b, i % 2 ? "\n" : "\r\n");
	sb_add(&b, "GET / HTTP/1.0\r\n\r\n");
	t = check_splits(b.s, b.n, NULL);
	assert_int_equal(t->status, 0);
	assert_int_equal(t->heads, 1);
	free(t);
	b.n = 0;
	for (i = 0; i <= HTTP_MAX_EMPTY_LINES; i++)
		sb_add(&b, "\r\n");
	sb_add(&b, "GET / HTTP/1.0\r\n\r\n");
	expect_error_at(b.s, b.n, NULL, 400, 2 * HTTP_MAX_EMPTY_LINES + 1);
	b.n = 0;
	sb_rep(&b, '\n', HTTP_MAX_EMPTY_LINES + 1);
	sb_add(&b, "GET / HTTP/1.0\r\n\r\n");
	expect_error_at(b.s, b.n, NULL, 400, HTTP_MAX_EMPTY_LINES);
	/* The empty lines are counted per request. */
	b.n = 0;
	for (i = 0; i < 3; i++) {
		sb_rep(&b, '\n', HTTP_MAX_EMPTY_LINES);
		sb_add(&b, "GET / HTTP/1.0\r\n\r\n");
	}
	t = check_splits(b.s, b.n, NULL);
	assert_int_equal(t->status, 0);
	assert_int_equal(t->dones, 3);
	free(t);
	free(b.s);
}

static void
test_method_limit(void **state)
{
	struct http_parser p;

	(void)state;
	parse_one("ABCDEFGHIJKLMNO / HTTP/1.0\r\n\r\n", NULL, &p);
	assert_int_equal(p.req.method_len, HTTP_METHOD_MAX);
	assert_string_equal(p.req.method, "ABCDEFGHIJKLMNO");
	ERR_AT("ABCDEFGHIJKLMNOP / HTTP/1.0\r\n\r\n", NULL, 501,
	    HTTP_METHOD_MAX);
}

/* "GET /xxx...x HTTP/1.0\r\n\r\n" with a target of n bytes. */
static void
target_req(struct sbuf *b, size_t n)
{
	b->n = 0;
	sb_add(b, "GET /");
	sb_rep(b, 'x', n - 1);
	sb_add(b, " HTTP/1.0\r\n\r\n");
}

static void
test_target_limit(void **state)
{
	struct http_limits lim;
	struct http_parser p;
	struct sbuf b = { 0 };
	struct tr *t = malloc(sizeof(*t));

	(void)state;
	assert_non_null(t);
	/* Default: HTTP_TARGET_MAX. */
	target_req(&b, HTTP_TARGET_MAX);
	parse_one(b.s, NULL, &p);
	assert_int_equal(p.req.target_len, HTTP_TARGET_MAX);
	assert_int_equal(strlen(p.req.target), HTTP_TARGET_MAX);
	run(b.s, b.n, NULL, 0, 1, t);
	assert_int_equal(t->heads, 1);
	target_req(&b, HTTP_TARGET_MAX + 1);
	run(b.s, b.n, NULL, b.n, WHOLE, t);
	assert_int_equal(t->status, 414);
	assert_int_equal(t->err_off, 4 + HTTP_TARGET_MAX);
	run(b.s, b.n, NULL, 0, 1, t);
	assert_int_equal(t->status, 414);
	assert_int_equal(t->err_off, 4 + HTTP_TARGET_MAX);
	/* A configured limit above the buffer is clamped to it. */
	http_limits_default(&lim);
	lim.max_target = 100000;
	run(b.s, b.n, &lim, b.n, WHOLE, t);
	assert_int_equal(t->status, 414);
	/* A small limit, at and past it, every split. */
	lim.max_target = 10;
	target_req(&b, 10);
	free(check_splits(b.s, b.n, &lim));
	parse_one(b.s, &lim, &p);
	target_req(&b, 11);
	expect_error_at(b.s, b.n, &lim, 414, 14);
	/* max_target 0 refuses every target. */
	lim.max_target = 0;
	target_req(&b, 1);
	expect_error_at(b.s, b.n, &lim, 414, 4);
	free(b.s);
	free(t);
}

/* "GET / HTTP/1.1\r\nHost: a\r\nX: yyy\r\n\r\n" whose head is n bytes. */
static void
head_req(struct sbuf *b, size_t n)
{
	const char *pre = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
	size_t fixed = strlen(pre) + 4;

	assert_true(n > fixed);
	b->n = 0;
	sb_add(b, pre);
	sb_rep(b, 'y', n - fixed);
	sb_add(b, "\r\n\r\n");
	assert_int_equal(b->n, n);
}

static void
test_head_limit(void **state)
{
	struct http_limits lim;
	struct sbuf b = { 0 };
	struct tr *t = malloc(sizeof(*t)), *t2;
	const char *rl = "GET / HTTP/1.0\r\n\r\n";

	(void)state;
	assert_non_null(t);
	http_limits_default(&lim);
	lim.max_line = UINT32_MAX;
	/* Default 8 KiB: exactly at the limit, then one past. */
	head_req(&b, HTTP_DEFAULT_MAX_HEAD);
	run(b.s, b.n, &lim, b.n, WHOLE, t);
	assert_int_equal(t->status, 0);
	assert_int_equal(t->heads, 1);
	run(b.s, b.n, &lim, b.n / 2, 1, t);
	assert_int_equal(t->heads, 1);
	head_req(&b, HTTP_DEFAULT_MAX_HEAD + 1);
	run(b.s, b.n, &lim, b.n, WHOLE, t);
	assert_int_equal(t->status, 431);
	assert_int_equal(t->err_off, HTTP_DEFAULT_MAX_HEAD);
	run(b.s, b.n, &lim, 5, 1, t);
	assert_int_equal(t->status, 431);
	assert_int_equal(t->err_off, HTTP_DEFAULT_MAX_HEAD);
	/* Small limits at every split; leading empty lines do not count. */
	lim.max_head = 64;
	head_req(&b, 64);
	free(check_splits(b.s, b.n, &lim));
	head_req(&b, 65);
	expect_error_at(b.s, b.n, &lim, 431, 64);
	b.n = 0;
	sb_add(&b, "\r\n\r\n");
	sb_add(&b, rl);
	lim.max_head = (uint32_t)strlen(rl);
	t2 = check_splits(b.s, b.n, &lim);
	assert_int_equal(t2->heads, 1);
	free(t2);
	lim.max_head--;
	expect_error_at(b.s, b.n, &lim, 431, (long)b.n - 1);
	/* The request line is part of the head. */
	lim.max_head = 3;
	expect_error_at(rl, strlen(rl), &lim, 431, 3);
	lim.max_head = 0;
	expect_error_at(rl, strlen(rl), &lim, 431, 0);
	/* The limit applies per request when pipelined. */
	lim.max_head = (uint32_t)strlen(rl);
	b.n = 0;
	sb_add(&b, rl);
	sb_add(&b, rl);
	sb_add(&b, rl);
	t2 = check_splits(b.s, b.n, &lim);
	assert_int_equal(t2->dones, 3);
	free(t2);
	free(b.s);
	free(t);
}

static void
test_line_limit(void **state)
{
	struct http_limits lim;
	struct sbuf b = { 0 };
	struct tr *t;
	const char *pre = "GET / HTTP/1.1\r\nHost: a\r\n";

	(void)state;
	http_limits_default(&lim);
	lim.max_head = UINT32_MAX;
	/* "X: " + n-3 bytes = a field line of n bytes. */
	b.n = 0;
	sb_add(&b, pre);
	sb_add(&b, "X: ");
	sb_rep(&b, 'z', HTTP_DEFAULT_MAX_LINE - 3);
	sb_add(&b, "\r\n\r\n");
	t = malloc(sizeof(*t));
	assert_non_null(t);
	run(b.s, b.n, &lim, b.n, WHOLE, t);
	assert_int_equal(t->heads, 1);
	run(b.s, b.n, &lim, 1, 1, t);
	assert_int_equal(t->heads, 1);
	b.n = 0;
	sb_add(&b, pre);
	sb_add(&b, "X: ");
	sb_rep(&b, 'z', HTTP_DEFAULT_MAX_LINE - 2);
	sb_add(&b, "\r\n\r\n");
	run(b.s, b.n, &lim, b.n, WHOLE, t);
	assert_int_equal(t->status, 431);
	assert_int_equal(t->err_off, strlen(pre) + HTTP_DEFAULT_MAX_LINE);
	run(b.s, b.n, &lim, 0, 1, t);
	assert_int_equal(t->status, 431);
	assert_int_equal(t->err_off, strlen(pre) + HTTP_DEFAULT_MAX_LINE);
	free(t);
	/* Small limit: at, past; in the name, in the OWS, trailing OWS. */
	lim.max_line = 8;
	expect_tr("GET / HTTP/1.1\r\nHost: a\r\nX: 45678\r\n\r\n", &lim,
	    "HGET / 1.1 host=1:a cl=0:0 ka=1 c=0 k=0 ec=0 eo=0;D;A;");
	ERR_AT("GET / HTTP/1.1\r\nHost: a\r\nX: 456789\r\n\r\n", &lim, 431,
	    33);
	expect_tr("GET / HTTP/1.1\r\nHost: a\r\nXXXXXXX:\r\n\r\n", &lim,
	    "HGET / 1.1 host=1:a cl=0:0 ka=1 c=0 k=0 ec=0 eo=0;D;A;");
	ERR_AT("GET / HTTP/1.1\r\nHost: a\r\nXXXXXXXX:\r\n\r\n", &lim, 431,
	    33);
	ERR_AT("GET / HTTP/1.1\r\nHost: a\r\nX:       \r\n\r\n", &lim, 431,
	    33);
	/* The request line is not a field line. */
	expect_tr("GET /0123456789 HTTP/1.0\r\n\r\n", &lim,
	    "HGET /0123456789 1.0 host=0: cl=0:0 ka=0 c=0 k=0 ec=0 eo=0;"
	    "D;A;");
	lim.max_line = 0;
	ERR_AT("GET / HTTP/1.0\r\nX: y\r\n\r\n", &lim, 431, 16);
	free(b.s);
}

static void
test_host_limit(void **state)
{
	struct sbuf b = { 0 };
	struct http_parser p;

	(void)state;
	sb_add(&b, "GET / HTTP/1.1\r\nHost: ");
	sb_rep(&b, 'h', HTTP_HOST_MAX);
	sb_add(&b, "\r\n\r\n");
	parse_one(b.s, NULL, &p);
	assert_int_equal(p.req.host_len, HTTP_HOST_MAX);
	free(check_splits(b.s, b.n, NULL));
	b.n = 0;
	sb_add(&b, "GET / HTTP/1.1\r\nHost: ");
	sb_rep(&b, 'h', HTTP_HOST_MAX + 1);
	sb_add(&b, "\r\n\r\n");
	expect_error_at(b.s, b.n, NULL, 400, 22 + HTTP_HOST_MAX);
	free(b.s);
}

static void
test_body_limit(void **state)
{
	struct http_limits lim;
	struct tr *t;
	const char *s2;
	char s[256];

	(void)state;
	http_limits_default(&lim);
	snprintf(s, sizeof(s), "POST /echo HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: %u\r\n\r\n", HTTP_DEFAULT_MAX_BODY);
	t = check_splits(s, strlen(s), NULL);
	assert_int_equal(t->status, 0);
	assert_int_equal(t->heads, 1);
	assert_int_equal(t->off, strlen(s));
	free(t);
	snprintf(s, sizeof(s), "POST /echo HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: %u\r\n\r\n", HTTP_DEFAULT_MAX_BODY + 1);
	expect_error_at(s, strlen(s), NULL, 413, -1);
	lim.max_body = 5;
	expect_tr("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"
	    "hello", &lim,
	    "HPOST /echo 1.1 host=1:a cl=1:5 ka=1 c=0 k=0 ec=0 eo=0;"
	    "B5:hello;D;A;");
	s2 = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\n"
	    "hello!";
	ERR_AT(s2, &lim, 413, head_lf(s2));
	/* Leading zeros are digits like any other. */
	expect_tr("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: "
	    "0000000000000000000000000005\r\n\r\nhello", &lim,
	    "HPOST /echo 1.1 host=1:a cl=1:5 ka=1 c=0 k=0 ec=0 eo=0;"
	    "B5:hello;D;A;");
	lim.max_body = 0;
	expect_tr("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
	    &lim, "HPOST /echo 1.1 host=1:a cl=1:0 ka=1 c=0 k=0 ec=0 eo=0;"
	    "D;A;");
	lim.max_body = UINT64_MAX;
	expect_tr("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: "
	    "18446744073709551615\r\n\r\nab", &lim,
	    "HPOST /echo 1.1 host=1:a cl=1:18446744073709551615 ka=1 c=0 "
	    "k=0 ec=0 eo=0;b2:ab;A;");
}

/* --- bodies and pipelining ------------------------------------------------ */

static void
test_body(void **state)
{
	struct http_parser p;
	const char *s = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10"
	    "\r\n\r\n0123456789GET";
	const uint8_t *d = (const uint8_t *)s;
	size_t c, head = strlen(s) - 13;

	(void)state;
	http_parser_init(&p, NULL);
	assert_int_equal(http_parse(&p, d, strlen(s), &c), HTTP_PARSE_HEAD);
	assert_int_equal(c, head);
	assert_int_equal(p.body_left, 10);
	assert_int_equal(p.req.content_length, 10);
	d += c;
	/* The caller may offer less than the body... */
	assert_int_equal(http_parse(&p, d, 4, &c), HTTP_PARSE_BODY);
	assert_int_equal(c, 4);
	assert_int_equal(p.body_left, 6);
	d += c;
	/* ...nothing, which is AGAIN... */
	assert_int_equal(http_parse(&p, d, 0, &c), HTTP_PARSE_AGAIN);
	assert_int_equal(c, 0);
	/* ...or more: only the body is taken. */
	assert_int_equal(http_parse(&p, d, 9, &c), HTTP_PARSE_BODY);
	assert_int_equal(c, 6);
	assert_memory_equal(d, "456789", 6);
	assert_int_equal(p.body_left, 0);
	d += c;
	assert_int_equal(http_parse(&p, d, 3, &c), HTTP_PARSE_DONE);
	assert_int_equal(c, 0);
	assert_int_equal(http_parse(&p, d, 3, &c), HTTP_PARSE_AGAIN);
	assert_int_equal(c, 3);
	/* A new request has started (p->req is only valid from HEAD). */
	assert_int_equal(p.req.method_len, 3);
	assert_memory_equal(p.req.method, "GET", 3);
	/* Body bytes are not parsed: anything goes, CR LF included. */
	expect_tr("POST /echo HTTP/1.0\r\nContent-Length: 4\r\n\r\n\r\n\x01\r"
	    "GET", NULL, "HPOST /echo 1.0 host=0: cl=1:4 ka=0 c=0 k=0 ec=0 "
	    "eo=0;B4:\\x0d\\x0a\\x01\\x0d;D;A;");
	/* A GET may carry a body. */
	expect_tr("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nxy",
	    NULL, "HGET / 1.1 host=1:a cl=1:2 ka=1 c=0 k=0 ec=0 eo=0;"
	    "B2:xy;D;A;");
}

static void
test_pipelining(void **state)
{
	const char *s =
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	    "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"
	    "hello"
	    "\r\n"	/* a stray CRLF after a body, as old clients send */
	    "HEAD /bytes/3 HTTP/1.1\r\nHost: b\r\nContent-Length: 0\r\n\r\n"
	    "GET /x HTTP/1.0\nConnection: keep-alive\n\n"
	    "GET /bytes/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
	    "GET /next";
	struct http_parser p;
	uint8_t *buf, *nb;
	const uint8_t *d;
	size_t n = strlen(s), c;
	int heads = 0;

	(void)state;
	expect_tr(s, NULL,
	    "HGET / 1.1 host=1:a cl=0:0 ka=1 c=0 k=0 ec=0 eo=0;D;"
	    "HPOST /echo 1.1 host=1:a cl=1:5 ka=1 c=0 k=0 ec=0 eo=0;"
	    "B5:hello;D;"
	    "HHEAD /bytes/3 1.1 host=1:b cl=1:0 ka=1 c=0 k=0 ec=0 eo=0;D;"
	    "HGET /x 1.0 host=0: cl=0:0 ka=1 c=0 k=1 ec=0 eo=0;D;"
	    "HGET /bytes/1 1.1 host=1:a cl=0:0 ka=0 c=1 k=0 ec=0 eo=0;D;"
	    "A;");
	/*
	 * The caller may stop after DONE and resume later with the rest,
	 * here from a new copy (the old one freed: ASan would see the
	 * parser use it).
	 */
	http_parser_init(&p, NULL);
	buf = malloc(n);
	assert_non_null(buf);
	memcpy(buf, s, n);
	d = buf;
	while (n > 0) {
		switch (http_parse(&p, d, n, &c)) {
		case HTTP_PARSE_HEAD:
			heads++;
			break;
		case HTTP_PARSE_DONE:
			assert_int_equal(c, 0);
			nb = malloc(n);
			assert_non_null(nb);
			memcpy(nb, d, n);
			free(buf);
			buf = nb;
			d = buf;
			break;
		case HTTP_PARSE_AGAIN:
			assert_int_equal(c, n);
			break;
		case HTTP_PARSE_BODY:
			break;
		default:
			fail();
		}
		d += c;
		n -= c;
	}
	free(buf);
	assert_int_equal(heads, 5);
	assert_string_equal(p.req.method, "GET");
	assert_int_equal(p.req.target_len, 5);
	/* A good request, then a bad one: the first still completes. */
	expect_tr("GET / HTTP/1.0\r\n\r\nGET  / HTTP/1.0\r\n\r\n", NULL,
	    "HGET / 1.0 host=0: cl=0:0 ka=0 c=0 k=0 ec=0 eo=0;D;E400@22;");
}

/* --- keep-alive, Expect --------------------------------------------------- */

struct ka_case {
	int minor;
	const char *conn;	/* Connection lines, "|" between lines */
	bool ka;
};

static const struct ka_case ka_cases[] = {
	{ 1, NULL, true },
	{ 1, "close", false },
	{ 1, "Close", false },
	{ 1, "CLOSE", false },
	{ 1, "keep-alive", true },
	{ 1, "foo, close", false },
	{ 1, "close, foo", false },
	{ 1, ",, close ,", false },
	{ 1, "closed", true },
	{ 1, "clo se", true },
	{ 1, "close;x", true },
	{ 1, "keep-alive, close", false },
	{ 1, "upgrade|close", false },
	{ 1, "", true },
	{ 0, NULL, false },
	{ 0, "keep-alive", true },
	{ 0, "Keep-Alive", true },
	{ 0, " upgrade ,\tkeep-alive\t", true },
	{ 0, "keep-alive, close", false },
	{ 0, "close|keep-alive", false },
	{ 0, "keep-alive|close", false },
	{ 0, "keep alive", false },
	{ 0, "keep-alive2", false },
	{ 0, "keep-alivekeep-alive", false },
	{ 0, "foo|keep-alive", true },
	{ 0, "close", false },
};

static void
test_keep_alive(void **state)
{
	struct http_parser p;
	struct sbuf b = { 0 };
	const char *c, *bar;
	char line[64];
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(ka_cases) / sizeof(ka_cases[0]); i++) {
		b.n = 0;
		sb_add(&b, ka_cases[i].minor ? "GET / HTTP/1.1\r\nHost: a\r\n" :
		    "GET / HTTP/1.0\r\n");
		/* One Connection line per "|"-separated part. */
		for (c = ka_cases[i].conn; c != NULL; c = bar) {
			bar = strchr(c, '|');
			k = bar != NULL ? (size_t)(bar - c) : strlen(c);
			assert_true(k < sizeof(line));
			memcpy(line, c, k);
			line[k] = '\0';
			sb_add(&b, "Connection: ");
			sb_add(&b, line);
			sb_add(&b, "\r\n");
			if (bar != NULL)
				bar++;
		}
		sb_add(&b, "\r\n");
		parse_one(b.s, NULL, &p);
		if (p.req.keep_alive != ka_cases[i].ka)
			fail_msg("HTTP/1.%d Connection \"%s\": keep_alive %d",
			    ka_cases[i].minor, ka_cases[i].conn,
			    p.req.keep_alive);
		free(check_splits(b.s, b.n, NULL));
	}
	free(b.s);
}

static void
test_expect(void **state)
{
	(void)state;
	expect_tr("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
	    "Content-Length: 1\r\n\r\nx", NULL,
	    "HPOST /echo 1.1 host=1:a cl=1:1 ka=1 c=0 k=0 ec=1 eo=0;"
	    "B1:x;D;A;");
	expect_tr("POST /echo HTTP/1.1\r\nHost: a\r\nExpect:  100-Continue \r\n"
	    "\r\n", NULL,
	    "HPOST /echo 1.1 host=1:a cl=0:0 ka=1 c=0 k=0 ec=1 eo=0;D;A;");
	expect_tr("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: foo\r\n\r\n",
	    NULL,
	    "HPOST /echo 1.1 host=1:a cl=0:0 ka=1 c=0 k=0 ec=0 eo=1;D;A;");
	expect_tr("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continuex\r\n"
	    "\r\n", NULL,
	    "HPOST /echo 1.1 host=1:a cl=0:0 ka=1 c=0 k=0 ec=0 eo=1;D;A;");
	expect_tr("POST /echo HTTP/1.1\r\nHost: a\r\nExpect:\r\n\r\n", NULL,
	    "HPOST /echo 1.1 host=1:a cl=0:0 ka=1 c=0 k=0 ec=0 eo=0;D;A;");
	/* Ignored in HTTP/1.0 (RFC 9110 section 10.1.1). */
	expect_tr("POST /echo HTTP/1.0\r\nExpect: 100-continue, foo\r\n\r\n",
	    NULL,
	    "HPOST /echo 1.0 host=0: cl=0:0 ka=0 c=0 k=0 ec=0 eo=0;D;A;");
}

/* --- guard page ----------------------------------------------------------- */

static const char *const guard_inputs[] = {
	"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
	"GET / HTTP/1.0\nConnection: keep-alive\n\nGET /bytes/5 HTTP/1.0\n\n",
	"\r\n\r\nGET / HTTP/1.1\r\nHost: [::1]:80\r\nExpect: 100-continue\r\n"
	    "Transfer-Encoding: gzip, chunked\r\n\r\n",
	"GET  / HTTP/1.1\r\n",
	"GET / HTTP/1.1\rX",
	"GET / HTTP/2.0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n"
	    "\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n",
	"ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n",
	"GET / HTTP/1.1\r\nX: \x01\r\n\r\n",
	"GET / HTTP/1.1\r\nX: y\r\n z\r\n\r\n",
};

/*
 * Every prefix of every input is placed at the very end of a readable
 * page followed by a PROT_NONE page, and at the very start of a page
 * preceded by one, then parsed whole and one byte at a time (each byte
 * against the guard). A read outside data[0..len) faults.
 */
static void
test_guard_page(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *map, *page, *end;
	struct http_limits lim;
	struct http_parser p;
	const char *s;
	size_t i, k, j, len, c, n;
	int r;

	(void)state;
	assert_true(pg > 0);
	map = mmap(NULL, 3 * (size_t)pg, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	page = map + pg;
	end = page + pg;
	assert_int_equal(mprotect(map, (size_t)pg, PROT_NONE), 0);
	assert_int_equal(mprotect(end, (size_t)pg, PROT_NONE), 0);
	http_limits_default(&lim);
	for (i = 0; i < sizeof(guard_inputs) / sizeof(guard_inputs[0]); i++) {
		s = guard_inputs[i];
		len = strlen(s);
		for (k = 0; k <= len; k++) {
			/* Against the page's end, then its start. */
			for (j = 0; j < 2; j++) {
				uint8_t *d = j == 0 ? end - k : page;

				memcpy(d, s, k);
				http_parser_init(&p, &lim);
				n = k;
				do {
					r = http_parse(&p, d, n, &c);
					assert_true(c <= n);
					d += c;
					n -= c;
				} while (r != HTTP_PARSE_AGAIN &&
				    r != HTTP_PARSE_ERROR);
			}
			/*
			 * Byte by byte, each byte the last of the page; the
			 * calls after it take (end, 0), at the guard itself.
			 */
			http_parser_init(&p, &lim);
			for (j = 0, r = HTTP_PARSE_AGAIN;
			    j < k && r != HTTP_PARSE_ERROR; j++) {
				const uint8_t *d = end - 1;

				end[-1] = (uint8_t)s[j];
				n = 1;
				do {
					r = http_parse(&p, d, n, &c);
					assert_true(c <= n);
					d += c;
					n -= c;
				} while (r != HTTP_PARSE_AGAIN &&
				    r != HTTP_PARSE_ERROR);
			}
		}
	}
	assert_int_equal(munmap(map, 3 * (size_t)pg), 0);
}

/* --- routes --------------------------------------------------------------- */

struct route_case {
	const char *method;
	const char *target;
	int status;
	enum http_route_id id;
	uint64_t n;
	bool head;
	const char *allow;
};

#define MAXB	HTTP_DEFAULT_BYTES_MAX

static const struct route_case routes[] = {
	{ "GET", "/", 200, HTTP_ROUTE_ROOT, 0, false, NULL },
	{ "HEAD", "/", 200, HTTP_ROUTE_ROOT, 0, true, NULL },
	{ "GET", "/?q=1", 200, HTTP_ROUTE_ROOT, 0, false, NULL },
	{ "POST", "/", 405, HTTP_ROUTE_ROOT, 0, false, "GET, HEAD" },
	{ "DELETE", "/", 405, HTTP_ROUTE_ROOT, 0, false, "GET, HEAD" },
	{ "OPTIONS", "/", 405, HTTP_ROUTE_ROOT, 0, false, "GET, HEAD" },
	{ "POST", "/echo", 200, HTTP_ROUTE_ECHO, 0, false, NULL },
	{ "POST", "/echo?x", 200, HTTP_ROUTE_ECHO, 0, false, NULL },
	{ "GET", "/echo", 405, HTTP_ROUTE_ECHO, 0, false, "POST" },
	{ "HEAD", "/echo", 405, HTTP_ROUTE_ECHO, 0, false, "POST" },
	{ "PUT", "/echo", 405, HTTP_ROUTE_ECHO, 0, false, "POST" },
	{ "POST", "/echo/", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "POST", "/ECHO", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "POST", "/echoes", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/0", 200, HTTP_ROUTE_BYTES, 0, false, NULL },
	{ "GET", "/bytes/1", 200, HTTP_ROUTE_BYTES, 1, false, NULL },
	{ "HEAD", "/bytes/1024", 200, HTTP_ROUTE_BYTES, 1024, true, NULL },
	{ "GET", "/bytes/1073741824", 200, HTTP_ROUTE_BYTES, MAXB, false,
	    NULL },
	{ "GET", "/bytes/1073741825", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/10?x=1", 200, HTTP_ROUTE_BYTES, 10, false, NULL },
	{ "POST", "/bytes/10", 405, HTTP_ROUTE_BYTES, 10, false,
	    "GET, HEAD" },
	{ "GET", "/bytes/", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/00", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/007", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/+5", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/-5", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/5x", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/5/", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/ 5", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/0x10", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/1e3", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/%31", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/bytes/18446744073709551615", 404, HTTP_ROUTE_NONE, 0,
	    false, NULL },
	{ "GET", "/bytes/18446744073709551616", 404, HTTP_ROUTE_NONE, 0,
	    false, NULL },
	{ "GET", "/bytes/99999999999999999999999999", 404, HTTP_ROUTE_NONE, 0,
	    false, NULL },
	{ "POST", "/bytes/x", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "/nope", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "//", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "OPTIONS", "*", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "CONNECT", "example.com:443", 404, HTTP_ROUTE_NONE, 0, false,
	    NULL },
	/* Absolute-form (RFC 9112 section 3.2.2). */
	{ "GET", "http://example.com/bytes/7", 200, HTTP_ROUTE_BYTES, 7,
	    false, NULL },
	{ "GET", "HTTPS://example.com:8443/", 200, HTTP_ROUTE_ROOT, 0, false,
	    NULL },
	{ "GET", "http://example.com", 200, HTTP_ROUTE_ROOT, 0, false, NULL },
	{ "GET", "http://example.com?x", 200, HTTP_ROUTE_ROOT, 0, false,
	    NULL },
	{ "POST", "http://h/echo", 200, HTTP_ROUTE_ECHO, 0, false, NULL },
	{ "GET", "ftp://h/", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GET", "http:/", 404, HTTP_ROUTE_NONE, 0, false, NULL },
	/* Methods are case-sensitive; unknown ones are 501. */
	{ "get", "/", 501, HTTP_ROUTE_ROOT, 0, false, NULL },
	{ "FOO", "/", 501, HTTP_ROUTE_ROOT, 0, false, NULL },
	{ "FOO", "/nope", 501, HTTP_ROUTE_NONE, 0, false, NULL },
	{ "GETS", "/", 501, HTTP_ROUTE_ROOT, 0, false, NULL },
	{ "PATCH", "/", 405, HTTP_ROUTE_ROOT, 0, false, "GET, HEAD" },
	{ "TRACE", "/echo", 405, HTTP_ROUTE_ECHO, 0, false, "POST" },
};

static void
test_route(void **state)
{
	const struct route_case *rc;
	struct http_route r;
	size_t i;
	int st;

	(void)state;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		rc = &routes[i];
		memset(&r, 0xa5, sizeof(r));
		st = http_route(rc->method, rc->target, MAXB, &r);
		if (st != rc->status || r.status != st || r.id != rc->id ||
		    (r.id == HTTP_ROUTE_BYTES && r.n != rc->n) ||
		    r.head != rc->head)
			fail_msg("%s %s: status %d id %d n %llu head %d",
			    rc->method, rc->target, st, r.id,
			    (unsigned long long)r.n, r.head);
		if (rc->allow == NULL)
			assert_null(r.allow);
		else
			assert_string_equal(r.allow, rc->allow);
	}
}

static void
test_route_bytes_max(void **state)
{
	struct http_route r;

	(void)state;
	assert_int_equal(http_route("GET", "/bytes/0", 0, &r), 200);
	assert_int_equal(r.n, 0);
	assert_int_equal(http_route("GET", "/bytes/1", 0, &r), 404);
	assert_int_equal(http_route("GET", "/bytes/100", 100, &r), 200);
	assert_int_equal(r.n, 100);
	assert_int_equal(http_route("GET", "/bytes/101", 100, &r), 404);
	assert_int_equal(http_route("GET", "/bytes/18446744073709551615",
	    UINT64_MAX, &r), 200);
	assert_true(r.n == UINT64_MAX);
	assert_int_equal(http_route("GET", "/bytes/18446744073709551616",
	    UINT64_MAX, &r), 404);
	assert_int_equal(http_route("GET", "/bytes/18446744073709551620",
	    UINT64_MAX, &r), 404);
	assert_int_equal(http_route("GET", "/bytes/36893488147419103232",
	    UINT64_MAX, &r), 404);
}

/* The parser's output feeds the router: a full round. */
static void
test_route_parsed(void **state)
{
	struct http_parser p;
	struct http_route r;

	(void)state;
	parse_one("GET /bytes/65536 HTTP/1.1\r\nHost: a\r\n\r\n", NULL, &p);
	assert_int_equal(http_route(p.req.method, p.req.target,
	    HTTP_DEFAULT_BYTES_MAX, &r), 200);
	assert_int_equal(r.id, HTTP_ROUTE_BYTES);
	assert_int_equal(r.n, 65536);
}

/* --- response head -------------------------------------------------------- */

static void
expect_head(size_t got, const char *buf, const char *want)
{
	assert_string_equal(buf, want);
	assert_int_equal(got, strlen(want));
}

static void
test_format_head(void **state)
{
	char buf[512];
	size_t n;

	(void)state;
	n = http_format_head(buf, sizeof(buf), 200, 1234, true, "text/html");
	expect_head(n, buf, "HTTP/1.1 200 OK\r\nServer: tcpe\r\n"
	    "Content-Type: text/html\r\nContent-Length: 1234\r\n"
	    "Connection: keep-alive\r\n\r\n");
	n = http_format_head(buf, sizeof(buf), 404, 0, false, NULL);
	expect_head(n, buf, "HTTP/1.1 404 Not Found\r\nServer: tcpe\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n");
	n = http_format_head(buf, sizeof(buf), 200, UINT64_MAX, true, "");
	expect_head(n, buf, "HTTP/1.1 200 OK\r\nServer: tcpe\r\n"
	    "Content-Length: 18446744073709551615\r\n"
	    "Connection: keep-alive\r\n\r\n");
	n = http_format_head_allow(buf, sizeof(buf), 405, 0, true,
	    "text/plain", "GET, HEAD");
	expect_head(n, buf, "HTTP/1.1 405 Method Not Allowed\r\n"
	    "Server: tcpe\r\nContent-Type: text/plain\r\nAllow: GET, HEAD\r\n"
	    "Content-Length: 0\r\nConnection: keep-alive\r\n\r\n");
	n = http_format_head(buf, sizeof(buf), 100, 5, true, "text/plain");
	expect_head(n, buf, "HTTP/1.1 100 Continue\r\n\r\n");
	n = http_format_head(buf, sizeof(buf), 204, 5, false, NULL);
	expect_head(n, buf, "HTTP/1.1 204 No Content\r\nServer: tcpe\r\n"
	    "Connection: close\r\n\r\n");
	n = http_format_head(buf, sizeof(buf), 599, 0, false, NULL);
	expect_head(n, buf, "HTTP/1.1 599 \r\nServer: tcpe\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n");
	n = http_format_head(buf, sizeof(buf), 413, 0, false, NULL);
	expect_head(n, buf, "HTTP/1.1 413 Content Too Large\r\n"
	    "Server: tcpe\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
	/* Refused: bad status, field injection, no buffer. */
	assert_int_equal(http_format_head(buf, sizeof(buf), 99, 0, true, NULL),
	    0);
	assert_int_equal(http_format_head(buf, sizeof(buf), 1000, 0, true,
	    NULL), 0);
	assert_int_equal(http_format_head(buf, sizeof(buf), -200, 0, true,
	    NULL), 0);
	assert_int_equal(http_format_head(buf, sizeof(buf), 200, 0, true,
	    "text/html\r\nSet-Cookie: x"), 0);
	assert_int_equal(http_format_head(buf, sizeof(buf), 200, 0, true,
	    "a\nb"), 0);
	assert_int_equal(http_format_head_allow(buf, sizeof(buf), 405, 0,
	    true, NULL, "GET\r\n"), 0);
	assert_int_equal(http_format_head(NULL, 100, 200, 0, true, NULL), 0);
	assert_int_equal(http_format_head(buf, 0, 200, 0, true, NULL), 0);
	/* A HTAB and obs-text are allowed in a value. */
	assert_true(http_format_head(buf, sizeof(buf), 200, 0, true,
	    "text/plain;\tcharset=\xe9") > 0);
}

/* Every capacity below the length + 1 refuses, and writes inside cap. */
static void
test_format_head_cap(void **state)
{
	char ref[256], buf[256 + 16];
	size_t n, cap, got;

	(void)state;
	n = http_format_head_allow(ref, sizeof(ref), 405, 123456, false,
	    "text/plain", "POST");
	assert_true(n > 0);
	for (cap = 0; cap <= n + 1; cap++) {
		memset(buf, 'Q', sizeof(buf));
		got = http_format_head_allow(buf, cap, 405, 123456, false,
		    "text/plain", "POST");
		assert_int_equal(got, cap == n + 1 ? n : 0);
		assert_int_equal(buf[cap], 'Q');
		if (cap > 0 && got == 0)
			assert_int_equal(buf[0], '\0');
		if (got > 0)
			assert_memory_equal(buf, ref, n + 1);
	}
}

static void
test_status_reason(void **state)
{
	(void)state;
	assert_string_equal(http_status_reason(200), "OK");
	assert_string_equal(http_status_reason(400), "Bad Request");
	assert_string_equal(http_status_reason(404), "Not Found");
	assert_string_equal(http_status_reason(405), "Method Not Allowed");
	assert_string_equal(http_status_reason(411), "Length Required");
	assert_string_equal(http_status_reason(413), "Content Too Large");
	assert_string_equal(http_status_reason(414), "URI Too Long");
	assert_string_equal(http_status_reason(417), "Expectation Failed");
	assert_string_equal(http_status_reason(431),
	    "Request Header Fields Too Large");
	assert_string_equal(http_status_reason(501), "Not Implemented");
	assert_string_equal(http_status_reason(505),
	    "HTTP Version Not Supported");
	assert_string_equal(http_status_reason(100), "Continue");
	assert_string_equal(http_status_reason(299), "");
	assert_string_equal(http_status_reason(-1), "");
}

/*
 * The fast path of the parser takes runs of bytes bounded by the limits:
 * at every max_head and a range of max_line, a head with every kind of
 * line must parse the same however it is cut (check_splits() compares
 * every split with the whole), and the error of a limit falls on the
 * first byte past it.
 */
static void
test_fast_path_limits(void **state)
{
	static const char req[] =
	    "POST /echo?x=1 HTTP/1.1\r\n"
	    "Host: example.com:8080\r\n"
	    "Content-Length:  \t12 \r\n"
	    "Connection: keep-alive, Upgrade,close\r\n"
	    "X-A-Very-Long-Field-Name-Beyond-18: v\xe9rs\ti\xff n\r\n"
	    "Expect: 100-continue\r\n"
	    "Empty:\r\n"
	    "\r\n"
	    "hello world!";
	const size_t len = sizeof(req) - 1;
	const size_t head = strstr(req, "\r\n\r\n") - req + 4;
	struct http_limits lim;
	struct tr *t;
	size_t h, l;

	(void)state;
	for (h = 0; h <= head + 1; h++) {
		for (l = 0; l <= 50; l += (l < 12 ? 1 : 7)) {
			http_limits_default(&lim);
			lim.max_head = (uint32_t)h;
			lim.max_line = (uint32_t)l;
			t = check_splits(req, len, &lim);
			if (h >= head && l >= 46) {
				assert_int_equal(t->heads, 1);
				assert_int_equal(t->dones, 1);
			} else {
				assert_int_equal(t->status, 431);
				if (h < head && h < 25)
					assert_int_equal(t->err_off, h);
			}
			free(t);
		}
	}
}

/*
 * The word-at-a-time scans of targets and values: a byte that is not
 * allowed, at each position of two words, is found at its offset; the
 * bytes that are allowed (obs-text, HTAB, SP in values) are taken.
 */
static void
test_fast_path_bytes(void **state)
{
	static const uint8_t bad_value[] = { 0x00, 0x01, 0x08, 0x0b, 0x1f,
	    0x7f };
	static const uint8_t bad_target[] = { 0x00, 0x09, 0x1f, 0x7f, 0x80,
	    0xff };
	static const uint8_t ok_value[] = { 0x09, 0x20, 0x7e, 0x80, 0xff };
	const char *pre = "GET / HTTP/1.1\r\nHost: a\r\nX-Y: ";
	char buf[128];
	size_t j, b, n, at;
	struct tr *t;

	(void)state;
	for (j = 0; j < 17; j++) {
		for (b = 0; b < sizeof(bad_value); b++) {
			n = (size_t)snprintf(buf, sizeof(buf),
			    "%s0123456789abcdefghij\r\n\r\n", pre);
			at = strlen(pre) + j;
			buf[at] = (char)bad_value[b];
			expect_error_at(buf, n, NULL, 400, (long)at);
		}
		for (b = 0; b < sizeof(ok_value); b++) {
			n = (size_t)snprintf(buf, sizeof(buf),
			    "%s0123456789abcdefghij\r\n\r\n", pre);
			buf[strlen(pre) + 1 + j] = (char)ok_value[b];
			t = check_splits(buf, n, NULL);
			assert_int_equal(t->heads, 1);
			free(t);
		}
		for (b = 0; b < sizeof(bad_target); b++) {
			n = (size_t)snprintf(buf, sizeof(buf),
			    "GET /0123456789abcdefghij HTTP/1.1\r\n"
			    "Host: a\r\n\r\n");
			at = 5 + j;
			buf[at] = (char)bad_target[b];
			expect_error_at(buf, n, NULL, 400, (long)at);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_transcripts),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul_in_value),
		cmocka_unit_test(test_error_is_sticky_until_reset),
		cmocka_unit_test(test_empty_lines_limit),
		cmocka_unit_test(test_method_limit),
		cmocka_unit_test(test_target_limit),
		cmocka_unit_test(test_head_limit),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_host_limit),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_pipelining),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_guard_page),
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_route_bytes_max),
		cmocka_unit_test(test_route_parsed),
		cmocka_unit_test(test_format_head),
		cmocka_unit_test(test_format_head_cap),
		cmocka_unit_test(test_status_reason),
		cmocka_unit_test(test_fast_path_limits),
		cmocka_unit_test(test_fast_path_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
