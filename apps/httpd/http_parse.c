/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 request parser (RFC 9112), router and response-head formatter
 * of the sample server. See http_parse.h for the contract and the
 * decisions. The parser carries everything it needs in struct
 * http_parser, so its result cannot depend on how the stream was cut
 * into chunks: step() takes one byte and is the reference behaviour;
 * fast() takes runs of bytes on the common path of a head, with exactly
 * step()'s effects, and stops before any byte it does not handle.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_parse.h"

/* Parser states, in stream order. */
enum {
	S_START,	/* before the request line: empty lines allowed */
	S_START_LF,	/* CR of an empty line seen, LF expected */
	S_METHOD,	/* in the method */
	S_TARGET0,	/* after the method's SP */
	S_TARGET,	/* in the request-target */
	S_VERSION,	/* in HTTP-version, substate = position */
	S_RL_LF,	/* CR after the version seen, LF expected */
	S_LINE,		/* at the start of a field line or of the end */
	S_NAME,		/* in a field name */
	S_OWS,		/* after the colon, before the value */
	S_VALUE,	/* in a field value */
	S_VALUE_LF,	/* CR after a field value seen, LF expected */
	S_END_LF,	/* CR of the empty line seen, LF expected */
	S_BODY,		/* delivering Content-Length body bytes */
	S_DONE,		/* request complete, HTTP_PARSE_DONE not yet told */
	S_IDLE,		/* HTTP_PARSE_DONE told: reset at the next call */
	S_ERROR,	/* sticky */
};

/* Field lines the parser interprets. */
enum {
	H_OTHER,
	H_CONTENT_LENGTH,
	H_TRANSFER_ENCODING,
	H_CONNECTION,
	H_HOST,
	H_EXPECT,
};

/* Character classes (RFC 9110 section 5.6.2, RFC 3986 section 3.2.2). */
#define C_TCHAR		0x01	/* token character */
#define C_VCHAR		0x02	/* visible ASCII, 0x21-0x7e */
#define C_FIELD		0x04	/* field-vchar: VCHAR or obs-text */
#define C_HOST		0x08	/* reg-name, IP-literal or port character */
#define C_DIGIT		0x10
#define C_OWS		0x20	/* SP, HTAB */

#define V	(C_VCHAR | C_FIELD)		/* delimiter */
#define T	(V | C_TCHAR)			/* token only */
#define H	(V | C_HOST)			/* host only */
#define B	(V | C_TCHAR | C_HOST)		/* token and host */
#define D	(B | C_DIGIT)
#define O	C_FIELD				/* obs-text */
#define W	C_OWS

static const uint8_t cclass[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, W, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	W, B, V, T, B, B, B, B, H, H, B, B, H, B, B, V,	/* 0x20 */
	D, D, D, D, D, D, D, D, D, D, H, H, V, H, V, V,	/* 0x30 */
	V, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,	/* 0x40 */
	B, B, B, B, B, B, B, B, B, B, B, H, V, H, T, B,	/* 0x50 */
	T, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,	/* 0x60 */
	B, B, B, B, B, B, B, B, B, B, B, V, T, V, B, 0,	/* 0x70 */
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,	/* 0x80 */
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,	/* 0x90 */
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,	/* 0xa0 */
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,	/* 0xb0 */
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,	/* 0xc0 */
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,	/* 0xd0 */
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,	/* 0xe0 */
	O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,	/* 0xf0 */
};

#undef V
#undef T
#undef H
#undef B
#undef D
#undef O
#undef W

/*
 * tchar lowercased (names are case-insensitive), 0 for any other byte:
 * one load classifies and folds a byte of a field name.
 */
static const char tchar_lower[256] = {
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x08 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x18 */
	0, '!', 0, '#', '$', '%', '&', '\'',	/* 0x20 */
	0, 0, '*', '+', 0, '-', '.', 0,	/* 0x28 */
	'0', '1', '2', '3', '4', '5', '6', '7',	/* 0x30 */
	'8', '9', 0, 0, 0, 0, 0, 0,	/* 0x38 */
	0, 'a', 'b', 'c', 'd', 'e', 'f', 'g',	/* 0x40 */
	'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',	/* 0x48 */
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w',	/* 0x50 */
	'x', 'y', 'z', 0, 0, 0, '^', '_',	/* 0x58 */
	'`', 'a', 'b', 'c', 'd', 'e', 'f', 'g',	/* 0x60 */
	'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',	/* 0x68 */
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w',	/* 0x70 */
	'x', 'y', 'z', 0, '|', 0, '~', 0,	/* 0x78 */
};

static inline bool
is(uint8_t c, uint8_t cls)
{
	return (cclass[c] & cls) != 0;
}

static inline bool
is_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static inline char
lower(uint8_t c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

void
http_limits_default(struct http_limits *l)
{
	l->max_head = HTTP_DEFAULT_MAX_HEAD;
	l->max_line = HTTP_DEFAULT_MAX_LINE;
	l->max_target = HTTP_DEFAULT_MAX_TARGET;
	l->max_body = HTTP_DEFAULT_MAX_BODY;
}

void
http_parser_reset(struct http_parser *p)
{
	struct http_request *r = &p->req;
	const size_t off = offsetof(struct http_request, method_len);

	/* The string buffers are only emptied: they are large. */
	r->method[0] = '\0';
	r->target[0] = '\0';
	r->host[0] = '\0';
	memset((char *)r + off, 0, sizeof(*r) - off);
	p->status = 0;
	p->error = NULL;
	p->body_left = 0;
	p->head_len = 0;
	p->line_len = 0;
	p->state = S_START;
	p->substate = 0;
	p->empty_lines = 0;
	p->hdr = H_OTHER;
	p->name_len = 0;
	p->name_long = false;
	p->elem_len = 0;
	p->elem_ws = false;
	p->elem_long = false;
	p->val_ws = false;
	p->cl_digits = 0;
	p->te_seen = false;
	p->te_last_chunked = false;
	p->te_codings = 0;
	p->te_chunked = 0;
}

void
http_parser_init(struct http_parser *p, const struct http_limits *lim)
{
	memset(p, 0, sizeof(*p));
	if (lim != NULL)
		p->lim = *lim;
	else
		http_limits_default(&p->lim);
	if (p->lim.max_target > HTTP_TARGET_MAX)
		p->lim.max_target = HTTP_TARGET_MAX;
	http_parser_reset(p);
}

static int
fail(struct http_parser *p, int status, const char *why)
{
	p->state = S_ERROR;
	p->status = status;
	p->error = why;
	return HTTP_PARSE_ERROR;
}

/* Does the list element collected in p->elem equal s (lowercase)? */
static bool
elem_is(const struct http_parser *p, const char *s)
{
	size_t n = strlen(s);

	return !p->elem_long && p->elem_len == n &&
	    memcmp(p->elem, s, n) == 0;
}

/*
 * End of one element of a comma-separated list (RFC 9110 section 5.6.1):
 * empty elements are ignored; an element that is too long or holds
 * whitespace matches no known token but still counts as an element.
 */
static void
elem_end(struct http_parser *p)
{
	struct http_request *r = &p->req;
	bool chunked;

	if (p->elem_len == 0 && !p->elem_long)
		return;
	switch (p->hdr) {
	case H_CONNECTION:
		if (elem_is(p, "close"))
			r->conn_close = true;
		else if (elem_is(p, "keep-alive"))
			r->conn_keep_alive = true;
		break;
	case H_TRANSFER_ENCODING:
		chunked = elem_is(p, "chunked");
		if (p->te_codings < UINT16_MAX)
			p->te_codings++;
		if (chunked && p->te_chunked < UINT16_MAX)
			p->te_chunked++;
		p->te_last_chunked = chunked;
		break;
	case H_EXPECT:
		if (elem_is(p, "100-continue"))
			r->expect_continue = true;
		else
			r->expect_other = true;
		break;
	default:
		break;
	}
	p->elem_len = 0;
	p->elem_ws = false;
	p->elem_long = false;
}

static void
elem_byte(struct http_parser *p, uint8_t c)
{
	if (c == ',') {
		elem_end(p);
	} else if (is_ws(c)) {
		if (p->elem_len > 0 || p->elem_long)
			p->elem_ws = true;
	} else if (p->elem_ws || p->elem_len == sizeof(p->elem)) {
		p->elem_long = true;
	} else {
		p->elem[p->elem_len++] = lower(c);
	}
}

/* The colon after a field name: which field is it? */
static int
name_end(struct http_parser *p)
{
	struct http_request *r = &p->req;
	size_t n = p->name_len;

	p->hdr = H_OTHER;
	p->val_ws = false;
	p->cl_digits = 0;
	p->elem_len = 0;
	p->elem_ws = false;
	p->elem_long = false;
	if (p->name_long)
		return 0;
#define NAME_IS(s) (n == sizeof(s) - 1 && memcmp(p->name, s, n) == 0)
	if (NAME_IS("content-length")) {
		/* RFC 9110 section 8.6: one value, or we reject. */
		if (r->has_content_length)
			return fail(p, 400, "duplicate Content-Length");
		r->has_content_length = true;
		r->content_length = 0;
		p->hdr = H_CONTENT_LENGTH;
	} else if (NAME_IS("transfer-encoding")) {
		p->te_seen = true;
		p->hdr = H_TRANSFER_ENCODING;
	} else if (NAME_IS("connection")) {
		p->hdr = H_CONNECTION;
	} else if (NAME_IS("host")) {
		/* RFC 9112 section 3.2: more than one Host is 400. */
		if (r->has_host)
			return fail(p, 400, "duplicate Host");
		r->has_host = true;
		p->hdr = H_HOST;
	} else if (NAME_IS("expect")) {
		p->hdr = H_EXPECT;
	}
#undef NAME_IS
	return 0;
}

/* One byte of a field value (not CR or LF, already checked valid). */
static int
value_byte(struct http_parser *p, uint8_t c)
{
	struct http_request *r = &p->req;
	uint64_t d;

	switch (p->hdr) {
	case H_CONTENT_LENGTH:
		if (is_ws(c)) {
			p->val_ws = true;
			return 0;
		}
		if (!is(c, C_DIGIT) || p->val_ws)
			return fail(p, 400, "invalid Content-Length");
		/* Saturate: any value that does not fit is above max_body. */
		d = (uint64_t)(c - '0');
		if (r->content_length > (UINT64_MAX - d) / 10)
			r->content_length = UINT64_MAX;
		else
			r->content_length = r->content_length * 10 + d;
		if (p->cl_digits < UINT8_MAX)
			p->cl_digits++;
		return 0;
	case H_HOST:
		if (is_ws(c)) {
			p->val_ws = true;
			return 0;
		}
		if (!is(c, C_HOST) || p->val_ws)
			return fail(p, 400, "invalid Host");
		if (r->host_len == HTTP_HOST_MAX)
			return fail(p, 400, "Host too long");
		r->host[r->host_len++] = (char)c;
		return 0;
	case H_CONNECTION:
	case H_TRANSFER_ENCODING:
	case H_EXPECT:
		elem_byte(p, c);
		return 0;
	default:
		return 0;
	}
}

/* The end of a field line (its LF). */
static int
line_end(struct http_parser *p)
{
	struct http_request *r = &p->req;

	switch (p->hdr) {
	case H_CONTENT_LENGTH:
		if (p->cl_digits == 0)
			return fail(p, 400, "invalid Content-Length");
		break;
	case H_HOST:
		r->host[r->host_len] = '\0';
		break;
	case H_CONNECTION:
	case H_TRANSFER_ENCODING:
	case H_EXPECT:
		elem_end(p);
		break;
	default:
		break;
	}
	p->hdr = H_OTHER;
	p->state = S_LINE;
	return 0;
}

/* The end of the request line (the first byte of its terminator). */
static int
request_line_end(struct http_parser *p)
{
	/* RFC 9110 section 6.2: other major versions are not ours. */
	if (p->req.version_major != 1)
		return fail(p, 505, "HTTP version not supported");
	return 0;
}

/* The end of the head (the LF of the empty line): whole-head checks. */
static int
head_end(struct http_parser *p)
{
	struct http_request *r = &p->req;
	bool http11 = r->version_minor >= 1;

	if (http11 && !r->has_host)
		return fail(p, 400, "missing Host");
	if (p->te_seen) {
		/* RFC 9112 section 6.1 and 6.3. */
		if (!http11)
			return fail(p, 400, "Transfer-Encoding in HTTP/1.0");
		if (r->has_content_length)
			return fail(p, 400,
			    "both Content-Length and Transfer-Encoding");
		if (p->te_codings == 0 || !p->te_last_chunked ||
		    p->te_chunked > 1)
			return fail(p, 400, "invalid Transfer-Encoding");
		return fail(p, 501, "chunked request body not implemented");
	}
	if (r->has_content_length && r->content_length > p->lim.max_body)
		return fail(p, 413, "body above max_body");
	/* RFC 9112 section 9.3. */
	if (http11)
		r->keep_alive = !r->conn_close;
	else
		r->keep_alive = r->conn_keep_alive && !r->conn_close;
	/* RFC 9110 section 10.1.1: no expectations in HTTP/1.0. */
	if (!http11) {
		r->expect_continue = false;
		r->expect_other = false;
	}
	p->body_left = r->content_length;
	p->state = p->body_left > 0 ? S_BODY : S_DONE;
	return 0;
}

/* One byte of a field name (not CR or LF). */
static int
name_byte(struct http_parser *p, uint8_t c)
{
	if (c == ':') {
		if (name_end(p) != 0)
			return HTTP_PARSE_ERROR;
		p->state = S_OWS;
	} else if (is_ws(c)) {
		/* RFC 9112 section 5.1: MUST 400. */
		return fail(p, 400, "whitespace before colon");
	} else if (!is(c, C_TCHAR)) {
		return fail(p, 400, "invalid field name");
	} else if (p->name_len == sizeof(p->name)) {
		p->name_long = true;
	} else {
		p->name[p->name_len++] = lower(c);
	}
	return 0;
}

/* One byte after a field name's colon (not CR or LF). */
static int
field_byte(struct http_parser *p, uint8_t c)
{
	if (is_ws(c))
		return p->state == S_VALUE ? value_byte(p, c) : 0;
	if (!is(c, C_FIELD))
		return fail(p, 400, "invalid field value");
	p->state = S_VALUE;
	return value_byte(p, c);
}

/*
 * Scanning runs of bytes. The SWAR helpers look at 8 bytes at a time
 * (unaligned loads through memcpy, one instruction on the targets that
 * matter) and only say whether a word is clean; the byte that stops a
 * run is then found with the class table, so the result does not depend
 * on the byte order. They never read outside data[0..n).
 */
#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

static inline uint64_t
load64(const uint8_t *d)
{
	uint64_t v;

	memcpy(&v, d, sizeof(v));
	return v;
}

/* Non-zero iff a byte of x is below b (b <= 0x80). */
static inline uint64_t
has_below(uint64_t x, uint8_t b)
{
	return (x - ONES * b) & ~x & HIGHS;
}

/* Non-zero iff a byte of x is 0x7f or above. */
static inline uint64_t
has_7f_up(uint64_t x)
{
	return (((x & ~HIGHS) + ONES) | x) & HIGHS;
}

/* Non-zero iff a byte of x is 0x7f (DEL). */
static inline uint64_t
has_del(uint64_t x)
{
	x ^= ONES * 0x7f;
	return (x - ONES) & ~x & HIGHS;
}

/* How many of data[0..n) are of class cls. */
static inline size_t
span(const uint8_t *data, size_t n, uint8_t cls)
{
	size_t k = 0;

	while (k < n && is(data[k], cls))
		k++;
	return k;
}

/* How many of data[0..n) are VCHAR (a request-target's bytes). */
static inline size_t
span_vchar(const uint8_t *data, size_t n)
{
	size_t k = 0;
	uint64_t x;

	while (n - k >= 8) {
		x = load64(data + k);
		if ((has_below(x, 0x21) | has_7f_up(x)) != 0)
			break;
		k += 8;
	}
	return k + span(data + k, n - k, C_VCHAR);
}

/* How many of data[0..n) may be in a field value (field-vchar, SP, HTAB). */
static inline size_t
span_field(const uint8_t *data, size_t n)
{
	size_t k = 0;
	uint64_t x;

	while (n - k >= 8) {
		x = load64(data + k);
		/* HTAB (below 0x20) falls back to the table. */
		if ((has_below(x, 0x20) | has_del(x)) != 0)
			break;
		k += 8;
	}
	return k + span(data + k, n - k, C_FIELD | C_OWS);
}

static inline size_t
min3(size_t a, uint64_t b, uint64_t c)
{
	if (b < a)
		a = (size_t)b;
	if (c < a)
		a = (size_t)c;
	return a;
}

/* Value of fast(): the head ended (the LF of its empty line taken). */
#define FAST_END	1

/*
 * The fast path. It takes, from data[0..n), the bytes of the common
 * shapes of a head (tokens, targets, values scanned as runs; the SP, ':',
 * CRLF between them) and makes exactly the changes to p that the byte
 * by byte path (step()) would make for them, never taking a byte that
 * step() would refuse or that would pass a limit: it stops before any
 * byte it does not handle, leaving p as step() expects it, and step()
 * takes that byte. Each limit is checked before the bytes that count
 * towards it, so a run never goes past one. Returns 0 with *used the
 * bytes taken; FAST_END when it took the LF that ends the head
 * (head_end() not yet called); HTTP_PARSE_ERROR when name_end() refused
 * the ':' at data[*used] (which is not taken).
 */
static int
fast(struct http_parser *p, const uint8_t *data, size_t n, size_t *used)
{
	struct http_request *r = &p->req;
	size_t i = 0, k, m, lim, room;
	uint64_t cl, d;
	uint8_t c;

	for (;;) {
		/* Bytes the head may still take (the request line's on). */
		room = p->lim.max_head - p->head_len;
		switch (p->state) {
		case S_START:
			if (i == n || !is(data[i], C_TCHAR) ||
			    p->lim.max_head == 0)
				goto stop;
			p->head_len = 1;
			r->method[0] = (char)data[i++];
			r->method_len = 1;
			p->state = S_METHOD;
			continue;
		case S_METHOD:
			lim = min3(n - i, room,
			    HTTP_METHOD_MAX - r->method_len);
			m = r->method_len;
			for (k = 0; k < lim && is(data[i + k], C_TCHAR); k++)
				r->method[m + k] = (char)data[i + k];
			r->method_len = (uint16_t)(m + k);
			p->head_len += (uint32_t)k;
			i += k;
			if (i == n || data[i] != ' ' || room == k)
				goto stop;
			i++;
			p->head_len++;
			r->method[r->method_len] = '\0';
			p->state = S_TARGET0;
			continue;
		case S_TARGET0:
			/* A VCHAR is taken alike in S_TARGET. */
			if (i == n || !is(data[i], C_VCHAR))
				goto stop;
			p->state = S_TARGET;
			/* FALLTHROUGH */
		case S_TARGET:
			k = span_vchar(data + i, min3(n - i, room,
			    p->lim.max_target - r->target_len));
			memcpy(r->target + r->target_len, data + i, k);
			r->target_len += (uint16_t)k;
			p->head_len += (uint32_t)k;
			i += k;
			if (i == n || data[i] != ' ' || room == k ||
			    r->target_len == 0)
				goto stop;
			i++;
			p->head_len++;
			r->target[r->target_len] = '\0';
			p->state = S_VERSION;
			p->substate = 0;
			continue;
		case S_VERSION:
			/* "HTTP/" DIGIT "." DIGIT whole, then CRLF. */
			if (p->substate == 0) {
				if (n - i < 8 || room < 8 ||
				    memcmp(data + i, "HTTP/", 5) != 0 ||
				    !is(data[i + 5], C_DIGIT) ||
				    data[i + 6] != '.' ||
				    !is(data[i + 7], C_DIGIT))
					goto stop;
				r->version_major = (uint8_t)(data[i + 5] - '0');
				r->version_minor = (uint8_t)(data[i + 7] - '0');
				p->substate = 8;
				p->head_len += 8;
				i += 8;
				room -= 8;
			}
			if (p->substate != 8 || n - i < 2 || room < 2 ||
			    data[i] != '\r' || data[i + 1] != '\n' ||
			    r->version_major != 1)
				goto stop;
			p->substate = 9;
			p->head_len += 2;
			i += 2;
			p->state = S_LINE;
			continue;
		case S_LINE:
			if (i == n)
				goto stop;
			c = data[i];
			if (c == '\r' || c == '\n') {
				/* The empty line: the end of the head. */
				k = c == '\r' ? 2 : 1;
				if (n - i < k || room < k ||
				    data[i + k - 1] != '\n')
					goto stop;
				p->head_len += (uint32_t)k;
				*used = i + k;
				return FAST_END;
			}
			if (!is(c, C_TCHAR) || room == 0 ||
			    p->lim.max_line == 0)
				goto stop;
			i++;
			p->head_len++;
			p->line_len = 1;
			p->name[0] = lower(c);
			p->name_len = 1;
			p->name_long = false;
			p->state = S_NAME;
			room--;
			/* FALLTHROUGH */
		case S_NAME:
			lim = min3(n - i, room,
			    p->lim.max_line - p->line_len);
			m = p->name_len;
			for (k = 0; k < lim; k++) {
				c = (uint8_t)tchar_lower[data[i + k]];
				if (c == 0)
					break;
				if (m < sizeof(p->name))
					p->name[m++] = (char)c;
				else
					p->name_long = true;
			}
			p->name_len = (uint8_t)m;
			p->head_len += (uint32_t)k;
			p->line_len += (uint32_t)k;
			room -= k;
			i += k;
			if (i == n || data[i] != ':' || room == 0 ||
			    p->line_len == p->lim.max_line)
				goto stop;
			p->head_len++;
			p->line_len++;
			if (name_end(p) != 0) {
				*used = i;
				return HTTP_PARSE_ERROR;
			}
			i++;
			p->state = S_OWS;
			continue;
		case S_OWS:
			k = span(data + i, min3(n - i, room,
			    p->lim.max_line - p->line_len), C_OWS);
			p->head_len += (uint32_t)k;
			p->line_len += (uint32_t)k;
			i += k;
			if (i == n)
				goto stop;
			/* A field-vchar is taken alike in S_VALUE. */
			if (is(data[i], C_FIELD)) {
				p->state = S_VALUE;
				continue;
			}
			break;
		case S_VALUE:
			room = min3(n - i, room,
			    p->lim.max_line - p->line_len);
			switch (p->hdr) {
			case H_OTHER:
				k = span_field(data + i, room);
				break;
			case H_HOST:
				k = 0;
				if (p->val_ws)
					break;
				lim = min3(room, room,
				    HTTP_HOST_MAX - r->host_len);
				m = r->host_len;
				for (; k < lim && is(data[i + k], C_HOST); k++)
					r->host[m + k] = (char)data[i + k];
				r->host_len = (uint16_t)(m + k);
				break;
			case H_CONTENT_LENGTH:
				k = 0;
				if (p->val_ws)
					break;
				cl = r->content_length;
				for (; k < room && is(data[i + k], C_DIGIT);
				    k++) {
					d = (uint64_t)(data[i + k] - '0');
					if (cl > (UINT64_MAX - d) / 10)
						cl = UINT64_MAX;
					else
						cl = cl * 10 + d;
					if (p->cl_digits < UINT8_MAX)
						p->cl_digits++;
				}
				r->content_length = cl;
				break;
			default:
				/* Connection, Transfer-Encoding, Expect. */
				for (k = 0; k < room &&
				    is(data[i + k], C_FIELD | C_OWS); k++)
					elem_byte(p, data[i + k]);
				break;
			}
			p->head_len += (uint32_t)k;
			p->line_len += (uint32_t)k;
			i += k;
			break;
		default:
			goto stop;
		}
		/* S_OWS, S_VALUE: the end of the line, CRLF or LF? */
		if (i == n || (data[i] != '\r' && data[i] != '\n'))
			goto stop;
		k = data[i] == '\r' ? 2 : 1;
		if (n - i < k || p->lim.max_head - p->head_len < k ||
		    data[i + k - 1] != '\n' ||
		    (p->hdr == H_CONTENT_LENGTH && p->cl_digits == 0))
			goto stop;
		p->head_len += (uint32_t)k;
		i += k;
		(void)line_end(p);
	}
stop:
	*used = i;
	return 0;
}

/*
 * One byte of the head, the reference behaviour: every byte the fast
 * path does not take comes here. Returns 0, HTTP_PARSE_ERROR, or
 * FAST_END when c was the LF that ends the head.
 */
static int
step(struct http_parser *p, uint8_t c)
{
	struct http_request *r = &p->req;

	if (p->state >= S_METHOD && ++p->head_len > p->lim.max_head)
		return fail(p, 431, "head too long");
	switch (p->state) {
	case S_START:
		if (c == '\r') {
			p->state = S_START_LF;
		} else if (c == '\n') {
			if (++p->empty_lines > HTTP_MAX_EMPTY_LINES)
				return fail(p, 400, "too many empty lines");
		} else if (!is(c, C_TCHAR)) {
			return fail(p, 400, "invalid method");
		} else if (p->lim.max_head == 0) {
			return fail(p, 431, "head too long");
		} else {
			p->head_len = 1;
			r->method[0] = (char)c;
			r->method_len = 1;
			p->state = S_METHOD;
		}
		return 0;
	case S_START_LF:
		if (c != '\n')
			return fail(p, 400, "bare CR");
		if (++p->empty_lines > HTTP_MAX_EMPTY_LINES)
			return fail(p, 400, "too many empty lines");
		p->state = S_START;
		return 0;
	case S_METHOD:
		if (c == ' ') {
			r->method[r->method_len] = '\0';
			p->state = S_TARGET0;
		} else if (!is(c, C_TCHAR)) {
			return fail(p, 400, "invalid method");
		} else if (r->method_len == HTTP_METHOD_MAX) {
			/* RFC 9112 section 3. */
			return fail(p, 501, "method too long");
		} else {
			r->method[r->method_len++] = (char)c;
		}
		return 0;
	case S_TARGET0:
	case S_TARGET:
		if (c == ' ' && p->state == S_TARGET) {
			r->target[r->target_len] = '\0';
			p->state = S_VERSION;
			p->substate = 0;
		} else if (!is(c, C_VCHAR)) {
			return fail(p, 400, "invalid request-target");
		} else if (r->target_len == p->lim.max_target) {
			return fail(p, 414, "request-target too long");
		} else {
			r->target[r->target_len++] = (char)c;
			p->state = S_TARGET;
		}
		return 0;
	case S_VERSION:
		/* "HTTP/" DIGIT "." DIGIT, then CRLF or LF. */
		if (p->substate < 5) {
			if (c != (uint8_t)"HTTP/"[p->substate])
				return fail(p, 400, "invalid version");
		} else if (p->substate == 5 || p->substate == 7) {
			if (!is(c, C_DIGIT))
				return fail(p, 400, "invalid version");
			if (p->substate == 5)
				r->version_major = (uint8_t)(c - '0');
			else
				r->version_minor = (uint8_t)(c - '0');
		} else if (p->substate == 6) {
			if (c != '.')
				return fail(p, 400, "invalid version");
		} else if (c == '\r' || c == '\n') {
			if (request_line_end(p) != 0)
				return HTTP_PARSE_ERROR;
			p->state = c == '\r' ? S_RL_LF : S_LINE;
		} else {
			return fail(p, 400, "invalid version");
		}
		p->substate++;
		return 0;
	case S_RL_LF:
		if (c != '\n')
			return fail(p, 400, "bare CR");
		p->state = S_LINE;
		return 0;
	case S_LINE:
		if (c == '\r') {
			p->state = S_END_LF;
		} else if (c == '\n') {
			return FAST_END;
		} else if (is_ws(c)) {
			/* RFC 9112 sections 2.2 and 5.2. */
			return fail(p, 400, "obs-fold");
		} else if (!is(c, C_TCHAR)) {
			return fail(p, 400, "invalid field name");
		} else if (p->lim.max_line == 0) {
			return fail(p, 431, "field line too long");
		} else {
			p->line_len = 1;
			p->name[0] = lower(c);
			p->name_len = 1;
			p->name_long = false;
			p->state = S_NAME;
		}
		return 0;
	case S_NAME:
	case S_OWS:
	case S_VALUE:
		if ((c == '\r' || c == '\n') && p->state == S_NAME)
			return fail(p, 400, "field without colon");
		if (c == '\r') {
			p->state = S_VALUE_LF;
			return 0;
		}
		if (c == '\n')
			return line_end(p);
		if (++p->line_len > p->lim.max_line)
			return fail(p, 431, "field line too long");
		if (p->state == S_NAME)
			return name_byte(p, c);
		return field_byte(p, c);
	case S_VALUE_LF:
		if (c != '\n')
			return fail(p, 400, "bare CR");
		return line_end(p);
	case S_END_LF:
		if (c != '\n')
			return fail(p, 400, "bare CR");
		return FAST_END;
	default:
		return fail(p, 500, "parser state");
	}
}

/*
 * The head until it ends, fails or the data runs out: the fast path
 * takes what it can, step() the byte it stopped at, and so on.
 */
static int
parse_head(struct http_parser *p, const uint8_t *data, size_t len,
    size_t *consumed)
{
	size_t i = 0, k;
	int rc;

	if (len == 0) {
		/* data may be NULL: no arithmetic on it. */
		*consumed = 0;
		return HTTP_PARSE_AGAIN;
	}
	for (;;) {
		rc = fast(p, data + i, len - i, &k);
		i += k;
		if (rc == FAST_END)
			break;
		if (rc != 0) {
			*consumed = i;
			return rc;
		}
		if (i == len) {
			*consumed = len;
			return HTTP_PARSE_AGAIN;
		}
		rc = step(p, data[i]);
		if (rc != 0 && rc != FAST_END) {
			*consumed = i;
			return rc;
		}
		i++;
		if (rc == FAST_END)
			break;
	}
	/* i is past the LF that ended the head. */
	rc = head_end(p);
	if (rc != 0) {
		*consumed = i - 1;
		return rc;
	}
	*consumed = i;
	return HTTP_PARSE_HEAD;
}

int
http_parse(struct http_parser *p, const uint8_t *data, size_t len,
    size_t *consumed)
{
	size_t n;

	*consumed = 0;
	switch (p->state) {
	case S_ERROR:
		return HTTP_PARSE_ERROR;
	case S_DONE:
		p->state = S_IDLE;
		return HTTP_PARSE_DONE;
	case S_BODY:
		if (len == 0)
			return HTTP_PARSE_AGAIN;
		n = len < p->body_left ? len : (size_t)p->body_left;
		p->body_left -= n;
		if (p->body_left == 0)
			p->state = S_DONE;
		*consumed = n;
		return HTTP_PARSE_BODY;
	case S_IDLE:
		http_parser_reset(p);
		break;
	default:
		break;
	}
	return parse_head(p, data, len, consumed);
}

/* --- routing ------------------------------------------------------------ */

/* Do the NUL-terminated a and b hold the same string? */
static inline bool
str_eq(const char *a, const char *b)
{
	for (; *a == *b; a++, b++)
		if (*a == '\0')
			return true;
	return false;
}

/* Methods of RFC 9110 section 9 and RFC 5789: anything else is 501. */
static bool
method_known(const char *m)
{
	switch (m[0]) {
	case 'G':
		return str_eq(m, "GET");
	case 'H':
		return str_eq(m, "HEAD");
	case 'P':
		return str_eq(m, "POST") || str_eq(m, "PUT") ||
		    str_eq(m, "PATCH");
	case 'D':
		return str_eq(m, "DELETE");
	case 'C':
		return str_eq(m, "CONNECT");
	case 'O':
		return str_eq(m, "OPTIONS");
	case 'T':
		return str_eq(m, "TRACE");
	default:
		return false;
	}
}

static bool
prefix_nocase(const char *s, const char *prefix)
{
	for (; *prefix != '\0'; s++, prefix++)
		if (lower((uint8_t)*s) != *prefix)
			return false;
	return true;
}

/*
 * The path of target: [path, end) up to '?' or the end. Absolute-form
 * (RFC 9112 section 3.2.2) loses its scheme and authority. Returns false
 * for other forms.
 */
static bool
target_path(const char *target, const char **path, size_t *len)
{
	const char *s = target;
	size_t n;

	if (*s == '/')
		;	/* origin-form, the usual one */
	else if (prefix_nocase(s, "http://"))
		s += 7;
	else if (prefix_nocase(s, "https://"))
		s += 8;
	else
		return false;
	if (s != target) {
		s += strcspn(s, "/?");
		if (*s != '/') {
			*path = "/";
			*len = 1;
			return true;
		}
	}
	for (n = 0; s[n] != '\0' && s[n] != '?'; n++)
		;
	*path = s;
	*len = n;
	return true;
}

/* N of /bytes/N: "0" or no leading zero, digits only, <= max. */
static bool
parse_count(const char *s, size_t len, uint64_t max, uint64_t *n)
{
	uint64_t v = 0, d;
	size_t i;

	if (len == 0 || (s[0] == '0' && len > 1))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (uint64_t)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*n = v;
	return true;
}

int
http_route(const char *method, const char *target, uint64_t bytes_max,
    struct http_route *r)
{
	static const char bytes[] = "/bytes/";
	const size_t blen = sizeof(bytes) - 1;
	const char *path;
	size_t len;
	bool get, post;

	memset(r, 0, sizeof(*r));
	r->id = HTTP_ROUTE_NONE;
	if (target_path(target, &path, &len)) {
		if (len == 1 && path[0] == '/') {
			r->id = HTTP_ROUTE_ROOT;
		} else if (len == 5 && memcmp(path, "/echo", 5) == 0) {
			r->id = HTTP_ROUTE_ECHO;
		} else if (len > blen && memcmp(path, bytes, blen) == 0 &&
		    parse_count(path + blen, len - blen, bytes_max, &r->n)) {
			r->id = HTTP_ROUTE_BYTES;
		}
	}
	if (!method_known(method)) {
		r->status = 501;
		return r->status;
	}
	if (r->id == HTTP_ROUTE_NONE) {
		r->status = 404;
		return r->status;
	}
	r->head = str_eq(method, "HEAD");
	get = r->head || str_eq(method, "GET");
	post = str_eq(method, "POST");
	if (r->id == HTTP_ROUTE_ECHO ? post : get) {
		r->status = 200;
	} else {
		r->status = 405;
		r->head = false;
		r->allow = r->id == HTTP_ROUTE_ECHO ? "POST" : "GET, HEAD";
	}
	return r->status;
}

/* --- response head ------------------------------------------------------ */

/*
 * Statuses with a reason phrase (RFC 9110 section 15; 413 was Payload Too
 * Large before RFC 9110; 431 is RFC 6585). Their status lines are
 * precomputed.
 */
#define STATUSES(X) \
	X(100, "Continue") \
	X(101, "Switching Protocols") \
	X(200, "OK") \
	X(201, "Created") \
	X(202, "Accepted") \
	X(204, "No Content") \
	X(206, "Partial Content") \
	X(301, "Moved Permanently") \
	X(302, "Found") \
	X(304, "Not Modified") \
	X(400, "Bad Request") \
	X(403, "Forbidden") \
	X(404, "Not Found") \
	X(405, "Method Not Allowed") \
	X(408, "Request Timeout") \
	X(411, "Length Required") \
	X(413, "Content Too Large") \
	X(414, "URI Too Long") \
	X(417, "Expectation Failed") \
	X(431, "Request Header Fields Too Large") \
	X(500, "Internal Server Error") \
	X(501, "Not Implemented") \
	X(503, "Service Unavailable") \
	X(505, "HTTP Version Not Supported")

enum {
#define X(code, reason) SL_##code,
	STATUSES(X)
#undef X
};

#define STATUS_LINE(code, reason) "HTTP/1.1 " #code " " reason "\r\n"

static const struct status_line {
	const char *reason;
	const char *line;	/* "HTTP/1.1 <code> <reason>\r\n" */
	uint8_t len;		/* of line */
} status_lines[] = {
#define X(code, reason) [SL_##code] = { reason, STATUS_LINE(code, reason), \
	sizeof(STATUS_LINE(code, reason)) - 1 },
	STATUSES(X)
#undef X
};

static const struct status_line *
status_find(int status)
{
	switch (status) {
#define X(code, reason) case code: return &status_lines[SL_##code];
	STATUSES(X)
#undef X
	default:
		return NULL;
	}
}

const char *
http_status_reason(int status)
{
	const struct status_line *sl = status_find(status);

	return sl != NULL ? sl->reason : "";
}

/*
 * May s be sent as a field value (RFC 9110 section 5.5: field-vchar, SP,
 * HTAB)? Sets *len to its length.
 */
static bool
field_ok(const char *s, size_t *len)
{
	size_t n = strlen(s);

	*len = n;
	return span_field((const uint8_t *)s, n) == n;
}

static inline char *
put(char *w, const char *s, size_t n)
{
	memcpy(w, s, n);
	return w + n;
}

#define PUT_LIT(w, s)	put(w, s, sizeof(s) - 1)

size_t
http_format_head_allow(char *buf, size_t cap, int status,
    uint64_t content_length, bool keep_alive, const char *content_type,
    const char *allow)
{
	static const char conn_ka[] = "Connection: keep-alive\r\n\r\n";
	static const char conn_close[] = "Connection: close\r\n\r\n";
	const struct status_line *sl;
	char digits[20], *w;
	size_t ct_len = 0, allow_len = 0, dig_len = 0, n;
	uint64_t v;

	if (buf == NULL || cap == 0 || status < 100 || status > 999)
		return 0;
	if (content_type != NULL && !field_ok(content_type, &ct_len))
		return 0;
	if (allow != NULL && !field_ok(allow, &allow_len))
		return 0;
	/* The length first: the head is written only if it fits. */
	sl = status_find(status);
	n = sl != NULL ? sl->len : sizeof("HTTP/1.1 000 \r\n") - 1;
	if (status >= 200) {
		n += sizeof("Server: tcpe\r\n") - 1;
		if (ct_len > 0)
			n += sizeof("Content-Type: \r\n") - 1 + ct_len;
		if (allow_len > 0)
			n += sizeof("Allow: \r\n") - 1 + allow_len;
		/* RFC 9110 section 8.6: none in 1xx and 204. */
		if (status != 204) {
			v = content_length;
			do {
				digits[sizeof(digits) - ++dig_len] =
				    (char)('0' + v % 10);
				v /= 10;
			} while (v != 0);
			n += sizeof("Content-Length: \r\n") - 1 + dig_len;
		}
		n += keep_alive ? sizeof(conn_ka) - 1 : sizeof(conn_close) - 1;
	} else {
		n += 2;
	}
	if (n >= cap) {
		buf[0] = '\0';
		return 0;
	}
	w = buf;
	if (sl != NULL) {
		w = put(w, sl->line, sl->len);
	} else {
		w = PUT_LIT(w, "HTTP/1.1 ");
		*w++ = (char)('0' + status / 100);
		*w++ = (char)('0' + status / 10 % 10);
		*w++ = (char)('0' + status % 10);
		w = PUT_LIT(w, " \r\n");
	}
	if (status >= 200) {
		w = PUT_LIT(w, "Server: tcpe\r\n");
		if (ct_len > 0) {
			w = PUT_LIT(w, "Content-Type: ");
			w = put(w, content_type, ct_len);
			w = PUT_LIT(w, "\r\n");
		}
		if (allow_len > 0) {
			w = PUT_LIT(w, "Allow: ");
			w = put(w, allow, allow_len);
			w = PUT_LIT(w, "\r\n");
		}
		if (status != 204) {
			w = PUT_LIT(w, "Content-Length: ");
			w = put(w, digits + sizeof(digits) - dig_len, dig_len);
			w = PUT_LIT(w, "\r\n");
		}
		if (keep_alive)
			w = PUT_LIT(w, conn_ka);
		else
			w = PUT_LIT(w, conn_close);
	} else {
		w = PUT_LIT(w, "\r\n");
	}
	*w = '\0';
	return n;
}

size_t
http_format_head(char *buf, size_t cap, int status, uint64_t content_length,
    bool keep_alive, const char *content_type)
{
	return http_format_head_allow(buf, cap, status, content_length,
	    keep_alive, content_type, NULL);
}
