/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FROZEN REFERENCE for tests/fuzz/fuzz_http_diff.c: apps/httpd/http_parse.c
 * as of commit cc5339a (the byte-by-byte parser), every http_/HTTP_ renamed
 * ref_http_/REF_HTTP_. Do not change it: the differential target checks
 * that the optimized parser behaves exactly like this one.
 */
/*
 * HTTP/1.1 request parser (RFC 9112), router and response-head formatter
 * of the sample server. See ref_http_parse.h for the contract and the
 * decisions. The parser looks at one byte at a time and carries
 * everything it needs in struct ref_http_parser, so its result cannot depend
 * on how the stream was cut into chunks.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ref_http_parse.h"

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
	S_DONE,		/* request complete, REF_HTTP_PARSE_DONE not yet told */
	S_IDLE,		/* REF_HTTP_PARSE_DONE told: reset at the next call */
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
ref_http_limits_default(struct ref_http_limits *l)
{
	l->max_head = REF_HTTP_DEFAULT_MAX_HEAD;
	l->max_line = REF_HTTP_DEFAULT_MAX_LINE;
	l->max_target = REF_HTTP_DEFAULT_MAX_TARGET;
	l->max_body = REF_HTTP_DEFAULT_MAX_BODY;
}

void
ref_http_parser_reset(struct ref_http_parser *p)
{
	struct ref_http_request *r = &p->req;
	const size_t off = offsetof(struct ref_http_request, method_len);

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
ref_http_parser_init(struct ref_http_parser *p, const struct ref_http_limits *lim)
{
	memset(p, 0, sizeof(*p));
	if (lim != NULL)
		p->lim = *lim;
	else
		ref_http_limits_default(&p->lim);
	if (p->lim.max_target > REF_HTTP_TARGET_MAX)
		p->lim.max_target = REF_HTTP_TARGET_MAX;
	ref_http_parser_reset(p);
}

static int
fail(struct ref_http_parser *p, int status, const char *why)
{
	p->state = S_ERROR;
	p->status = status;
	p->error = why;
	return REF_HTTP_PARSE_ERROR;
}

/* Does the list element collected in p->elem equal s (lowercase)? */
static bool
elem_is(const struct ref_http_parser *p, const char *s)
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
elem_end(struct ref_http_parser *p)
{
	struct ref_http_request *r = &p->req;
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
elem_byte(struct ref_http_parser *p, uint8_t c)
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
name_end(struct ref_http_parser *p)
{
	struct ref_http_request *r = &p->req;
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
value_byte(struct ref_http_parser *p, uint8_t c)
{
	struct ref_http_request *r = &p->req;
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
		if (r->host_len == REF_HTTP_HOST_MAX)
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
line_end(struct ref_http_parser *p)
{
	struct ref_http_request *r = &p->req;

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
request_line_end(struct ref_http_parser *p)
{
	/* RFC 9110 section 6.2: other major versions are not ours. */
	if (p->req.version_major != 1)
		return fail(p, 505, "HTTP version not supported");
	return 0;
}

/* The end of the head (the LF of the empty line): whole-head checks. */
static int
head_end(struct ref_http_parser *p)
{
	struct ref_http_request *r = &p->req;
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
name_byte(struct ref_http_parser *p, uint8_t c)
{
	if (c == ':') {
		if (name_end(p) != 0)
			return REF_HTTP_PARSE_ERROR;
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
field_byte(struct ref_http_parser *p, uint8_t c)
{
	if (is_ws(c))
		return p->state == S_VALUE ? value_byte(p, c) : 0;
	if (!is(c, C_FIELD))
		return fail(p, 400, "invalid field value");
	p->state = S_VALUE;
	return value_byte(p, c);
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

static inline size_t
min3(size_t a, uint64_t b, uint64_t c)
{
	if (b < a)
		a = (size_t)b;
	if (c < a)
		a = (size_t)c;
	return a;
}

/*
 * Fast paths for the long runs of a head: the bytes of a target and of a
 * value the parser does not interpret. They take, at once, the bytes the
 * byte-by-byte path would accept with no other effect than counting,
 * never more than the limits leave, so the results are the same.
 */
static size_t
skip_run(struct ref_http_parser *p, const uint8_t *data, size_t n)
{
	struct ref_http_request *r = &p->req;
	size_t k;

	if (p->state == S_TARGET) {
		k = span(data, min3(n, p->lim.max_head - p->head_len,
		    p->lim.max_target - r->target_len), C_VCHAR);
		memcpy(r->target + r->target_len, data, k);
		r->target_len += (uint16_t)k;
	} else if (p->state == S_VALUE && p->hdr == H_OTHER) {
		k = span(data, min3(n, p->lim.max_head - p->head_len,
		    p->lim.max_line - p->line_len), C_FIELD | C_OWS);
		p->line_len += (uint32_t)k;
	} else {
		return 0;
	}
	p->head_len += (uint32_t)k;
	return k;
}

/* The head, byte by byte, until it ends, fails or the data runs out. */
static int
parse_head(struct ref_http_parser *p, const uint8_t *data, size_t len,
    size_t *consumed)
{
	struct ref_http_request *r = &p->req;
	size_t i;
	uint8_t c;
	int rc;

	for (i = 0; i < len; i++) {
		c = data[i];
		rc = 0;
		if (p->state >= S_METHOD && ++p->head_len > p->lim.max_head) {
			rc = fail(p, 431, "head too long");
			goto out;
		}
		switch (p->state) {
		case S_START:
			if (c == '\r') {
				p->state = S_START_LF;
			} else if (c == '\n') {
				if (++p->empty_lines > REF_HTTP_MAX_EMPTY_LINES)
					rc = fail(p, 400,
					    "too many empty lines");
			} else if (!is(c, C_TCHAR)) {
				rc = fail(p, 400, "invalid method");
			} else if (p->lim.max_head == 0) {
				rc = fail(p, 431, "head too long");
			} else {
				p->head_len = 1;
				r->method[0] = (char)c;
				r->method_len = 1;
				p->state = S_METHOD;
			}
			break;
		case S_START_LF:
			if (c != '\n')
				rc = fail(p, 400, "bare CR");
			else if (++p->empty_lines > REF_HTTP_MAX_EMPTY_LINES)
				rc = fail(p, 400, "too many empty lines");
			else
				p->state = S_START;
			break;
		case S_METHOD:
			if (c == ' ') {
				r->method[r->method_len] = '\0';
				p->state = S_TARGET0;
			} else if (!is(c, C_TCHAR)) {
				rc = fail(p, 400, "invalid method");
			} else if (r->method_len == REF_HTTP_METHOD_MAX) {
				/* RFC 9112 section 3. */
				rc = fail(p, 501, "method too long");
			} else {
				r->method[r->method_len++] = (char)c;
			}
			break;
		case S_TARGET0:
		case S_TARGET:
			if (c == ' ' && p->state == S_TARGET) {
				r->target[r->target_len] = '\0';
				p->state = S_VERSION;
				p->substate = 0;
			} else if (!is(c, C_VCHAR)) {
				rc = fail(p, 400, "invalid request-target");
			} else if (r->target_len == p->lim.max_target) {
				rc = fail(p, 414, "request-target too long");
			} else {
				r->target[r->target_len++] = (char)c;
				p->state = S_TARGET;
				i += skip_run(p, data + i + 1, len - i - 1);
			}
			break;
		case S_VERSION:
			/* "HTTP/" DIGIT "." DIGIT, then CRLF or LF. */
			if (p->substate < 5) {
				if (c != (uint8_t)"HTTP/"[p->substate])
					rc = fail(p, 400, "invalid version");
			} else if (p->substate == 5 || p->substate == 7) {
				if (!is(c, C_DIGIT))
					rc = fail(p, 400, "invalid version");
				else if (p->substate == 5)
					r->version_major = (uint8_t)(c - '0');
				else
					r->version_minor = (uint8_t)(c - '0');
			} else if (p->substate == 6) {
				if (c != '.')
					rc = fail(p, 400, "invalid version");
			} else if (c == '\r' || c == '\n') {
				rc = request_line_end(p);
				if (rc == 0)
					p->state = c == '\r' ? S_RL_LF : S_LINE;
			} else {
				rc = fail(p, 400, "invalid version");
			}
			p->substate++;
			break;
		case S_RL_LF:
			if (c != '\n')
				rc = fail(p, 400, "bare CR");
			else
				p->state = S_LINE;
			break;
		case S_LINE:
			if (c == '\r') {
				p->state = S_END_LF;
			} else if (c == '\n') {
				goto end;
			} else if (is_ws(c)) {
				/* RFC 9112 sections 2.2 and 5.2. */
				rc = fail(p, 400, "obs-fold");
			} else if (!is(c, C_TCHAR)) {
				rc = fail(p, 400, "invalid field name");
			} else if (p->lim.max_line == 0) {
				rc = fail(p, 431, "field line too long");
			} else {
				p->line_len = 1;
				p->name[0] = lower(c);
				p->name_len = 1;
				p->name_long = false;
				p->state = S_NAME;
			}
			break;
		case S_NAME:
		case S_OWS:
		case S_VALUE:
			if ((c == '\r' || c == '\n') && p->state == S_NAME)
				rc = fail(p, 400, "field without colon");
			else if (c == '\r')
				p->state = S_VALUE_LF;
			else if (c == '\n')
				rc = line_end(p);
			else if (++p->line_len > p->lim.max_line)
				rc = fail(p, 431, "field line too long");
			else if (p->state == S_NAME)
				rc = name_byte(p, c);
			else if ((rc = field_byte(p, c)) == 0)
				i += skip_run(p, data + i + 1, len - i - 1);
			break;
		case S_VALUE_LF:
			if (c != '\n')
				rc = fail(p, 400, "bare CR");
			else
				rc = line_end(p);
			break;
		case S_END_LF:
			if (c != '\n') {
				rc = fail(p, 400, "bare CR");
				break;
			}
			goto end;
		default:
			rc = fail(p, 500, "parser state");
			break;
		}
		if (rc != 0)
			goto out;
	}
	*consumed = len;
	return REF_HTTP_PARSE_AGAIN;
end:
	rc = head_end(p);
	if (rc == 0) {
		*consumed = i + 1;
		return REF_HTTP_PARSE_HEAD;
	}
out:
	*consumed = i;
	return rc;
}

int
ref_http_parse(struct ref_http_parser *p, const uint8_t *data, size_t len,
    size_t *consumed)
{
	size_t n;

	*consumed = 0;
	switch (p->state) {
	case S_ERROR:
		return REF_HTTP_PARSE_ERROR;
	case S_DONE:
		p->state = S_IDLE;
		return REF_HTTP_PARSE_DONE;
	case S_BODY:
		if (len == 0)
			return REF_HTTP_PARSE_AGAIN;
		n = len < p->body_left ? len : (size_t)p->body_left;
		p->body_left -= n;
		if (p->body_left == 0)
			p->state = S_DONE;
		*consumed = n;
		return REF_HTTP_PARSE_BODY;
	case S_IDLE:
		ref_http_parser_reset(p);
		break;
	default:
		break;
	}
	return parse_head(p, data, len, consumed);
}

/* --- routing ------------------------------------------------------------ */

/* Methods of RFC 9110 section 9 and RFC 5789: anything else is 501. */
static bool
method_known(const char *m)
{
	static const char *const known[] = {
		"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
		"TRACE", "PATCH",
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(m, known[i]) == 0)
			return true;
	return false;
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

	if (prefix_nocase(s, "http://"))
		s += 7;
	else if (prefix_nocase(s, "https://"))
		s += 8;
	else if (*s != '/')
		return false;
	if (s != target) {
		s += strcspn(s, "/?");
		if (*s != '/') {
			*path = "/";
			*len = 1;
			return true;
		}
	}
	n = strcspn(s, "?");
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
ref_http_route(const char *method, const char *target, uint64_t bytes_max,
    struct ref_http_route *r)
{
	static const char bytes[] = "/bytes/";
	const size_t blen = sizeof(bytes) - 1;
	const char *path;
	size_t len;
	bool get, post;

	memset(r, 0, sizeof(*r));
	r->id = REF_HTTP_ROUTE_NONE;
	if (target_path(target, &path, &len)) {
		if (len == 1 && path[0] == '/') {
			r->id = REF_HTTP_ROUTE_ROOT;
		} else if (len == 5 && memcmp(path, "/echo", 5) == 0) {
			r->id = REF_HTTP_ROUTE_ECHO;
		} else if (len > blen && memcmp(path, bytes, blen) == 0 &&
		    parse_count(path + blen, len - blen, bytes_max, &r->n)) {
			r->id = REF_HTTP_ROUTE_BYTES;
		}
	}
	if (!method_known(method)) {
		r->status = 501;
		return r->status;
	}
	if (r->id == REF_HTTP_ROUTE_NONE) {
		r->status = 404;
		return r->status;
	}
	r->head = strcmp(method, "HEAD") == 0;
	get = r->head || strcmp(method, "GET") == 0;
	post = strcmp(method, "POST") == 0;
	if (r->id == REF_HTTP_ROUTE_ECHO ? post : get) {
		r->status = 200;
	} else {
		r->status = 405;
		r->head = false;
		r->allow = r->id == REF_HTTP_ROUTE_ECHO ? "POST" : "GET, HEAD";
	}
	return r->status;
}

/* --- response head ------------------------------------------------------ */

static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{ 100, "Continue" },
	{ 101, "Switching Protocols" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 206, "Partial Content" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },	/* RFC 9110: was Payload Too Large */
	{ 414, "URI Too Long" },
	{ 417, "Expectation Failed" },
	{ 431, "Request Header Fields Too Large" },	/* RFC 6585 */
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 505, "HTTP Version Not Supported" },
};

const char *
ref_http_status_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "";
}

/* A bounded writer: off may run past cap, which means "does not fit". */
struct out {
	char *buf;
	size_t cap;
	size_t off;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->off < o->cap && n <= o->cap - o->off)
		memcpy(o->buf + o->off, s, n);
	o->off += n;
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_u64(struct out *o, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	put(o, tmp + i, sizeof(tmp) - i);
}

/* May s be sent as a field value (RFC 9110 section 5.5)? */
static bool
field_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!is((uint8_t)*s, C_FIELD) && !is_ws((uint8_t)*s))
			return false;
	return true;
}

size_t
ref_http_format_head_allow(char *buf, size_t cap, int status,
    uint64_t content_length, bool keep_alive, const char *content_type,
    const char *allow)
{
	struct out o = { buf, cap, 0 };
	const char *reason;

	if (buf == NULL || cap == 0 || status < 100 || status > 999)
		return 0;
	if (content_type != NULL && !field_ok(content_type))
		return 0;
	if (allow != NULL && !field_ok(allow))
		return 0;
	put_str(&o, "HTTP/1.1 ");
	put_u64(&o, (uint64_t)status);
	put_str(&o, " ");
	reason = ref_http_status_reason(status);
	put_str(&o, reason);
	put_str(&o, "\r\n");
	if (status >= 200) {
		put_str(&o, "Server: tcpe\r\n");
		if (content_type != NULL && content_type[0] != '\0') {
			put_str(&o, "Content-Type: ");
			put_str(&o, content_type);
			put_str(&o, "\r\n");
		}
		if (allow != NULL && allow[0] != '\0') {
			put_str(&o, "Allow: ");
			put_str(&o, allow);
			put_str(&o, "\r\n");
		}
		/* RFC 9110 section 8.6: none in 1xx and 204. */
		if (status != 204) {
			put_str(&o, "Content-Length: ");
			put_u64(&o, content_length);
			put_str(&o, "\r\n");
		}
		put_str(&o, keep_alive ? "Connection: keep-alive\r\n" :
		    "Connection: close\r\n");
	}
	put_str(&o, "\r\n");
	if (o.off >= cap) {
		buf[0] = '\0';
		return 0;
	}
	buf[o.off] = '\0';
	return o.off;
}

size_t
ref_http_format_head(char *buf, size_t cap, int status, uint64_t content_length,
    bool keep_alive, const char *content_type)
{
	return ref_http_format_head_allow(buf, cap, status, content_length,
	    keep_alive, content_type, NULL);
}
