/* SPDX-License-Identifier: BSD-3-Clause */
/* HTTP/1.1 response parser of tcpe-load: see http_resp.h. */
#include <string.h>
#include <strings.h>

#include "http_resp.h"

enum {
	ST_STATUS,	/* the status line */
	ST_HEADER,	/* header lines until the empty one */
	ST_BODY,	/* Content-Length body: left bytes */
	ST_BODY_EOF,	/* body up to the end of the connection */
	ST_CHUNK_SIZE,	/* a chunk-size line */
	ST_CHUNK_DATA,	/* left bytes of chunk data */
	ST_CHUNK_CRLF,	/* the line ending after chunk data */
	ST_TRAILER,	/* trailer lines until the empty one */
};

static void
reset(struct http_resp *r)
{
	bool head_only = r->head_only;

	memset(r, 0, offsetof(struct http_resp, line));
	r->head_only = head_only;
	r->st = ST_STATUS;
}

void
http_resp_init(struct http_resp *r, bool head_only)
{
	memset(r, 0, sizeof(*r));
	r->head_only = head_only;
	r->st = ST_STATUS;
}

bool
http_resp_started(const struct http_resp *r)
{
	return r->st != ST_STATUS || r->line_len > 0;
}

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Does the comma-separated list v hold token tok (case-insensitive)? */
static bool
list_has(const char *v, const char *tok)
{
	size_t n = strlen(tok);
	const char *p = v;

	while (*p != '\0') {
		while (*p == ',' || is_ows(*p))
			p++;
		if (strncasecmp(p, tok, n) == 0 &&
		    (p[n] == '\0' || p[n] == ',' || is_ows(p[n])))
			return true;
		while (*p != '\0' && *p != ',')
			p++;
	}
	return false;
}

static int
parse_u64_dec(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	while (is_ows(*s))
		s++;
	if (*s != '\0')
		return -1;
	*v = x;
	return 0;
}

/* "HTTP/1.x SSS reason" */
static int
status_line(struct http_resp *r, const char *l)
{
	if (strncmp(l, "HTTP/1.", 7) != 0 || l[7] < '0' || l[7] > '9' ||
	    l[8] != ' ' || l[9] < '1' || l[9] > '9' || l[10] < '0' ||
	    l[10] > '9' || l[11] < '0' || l[11] > '9' ||
	    (l[12] != ' ' && l[12] != '\0'))
		return -1;
	r->minor = (uint8_t)(l[7] - '0');
	r->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	/* RFC 9112 9.3: persistent by default from HTTP/1.1 on. */
	r->keep_alive = r->minor >= 1;
	return 0;
}

static int
header_line(struct http_resp *r, char *l)
{
	char *colon = strchr(l, ':'), *v;

	if (colon == NULL || colon == l)
		return -1;
	/* Only three headers matter: skip the others on their first letter. */
	if ((l[0] | 0x20) != 'c' && (l[0] | 0x20) != 't')
		return 0;
	*colon = '\0';
	v = colon + 1;
	while (is_ows(*v))
		v++;
	if (strcasecmp(l, "Content-Length") == 0) {
		if (parse_u64_dec(v, &r->content_length) != 0)
			return -1;
		r->has_length = true;
	} else if (strcasecmp(l, "Transfer-Encoding") == 0) {
		if (list_has(v, "chunked"))
			r->chunked = true;
	} else if (strcasecmp(l, "Connection") == 0) {
		if (list_has(v, "close"))
			r->keep_alive = false;
		else if (list_has(v, "keep-alive"))
			r->keep_alive = true;
	}
	return 0;
}

/* The head ended: how is the body framed (RFC 9112 section 6.3)? */
static int
head_done(struct http_resp *r)
{
	if (r->status < 200) {
		/* 1xx: interim, the real response follows. */
		reset(r);
		return HTTP_RESP_AGAIN;
	}
	if (r->head_only || r->status == 204 || r->status == 304)
		return HTTP_RESP_DONE;
	if (r->chunked) {
		r->st = ST_CHUNK_SIZE;
		return HTTP_RESP_AGAIN;
	}
	if (r->has_length) {
		if (r->content_length == 0)
			return HTTP_RESP_DONE;
		r->left = r->content_length;
		r->st = ST_BODY;
		return HTTP_RESP_AGAIN;
	}
	/* Neither: the body runs to the end of the connection. */
	r->keep_alive = false;
	r->st = ST_BODY_EOF;
	return HTTP_RESP_AGAIN;
}

static int
chunk_size(struct http_resp *r, const char *l)
{
	uint64_t x = 0;
	int d, n = 0;

	for (; *l != '\0' && *l != ';' && !is_ows(*l); l++, n++) {
		if (*l >= '0' && *l <= '9')
			d = *l - '0';
		else if ((*l | 0x20) >= 'a' && (*l | 0x20) <= 'f')
			d = (*l | 0x20) - 'a' + 10;
		else
			return -1;
		if (n >= 15)
			return -1;
		x = x * 16 + (uint64_t)d;
	}
	if (n == 0)
		return -1;
	r->left = x;
	r->st = x == 0 ? ST_TRAILER : ST_CHUNK_DATA;
	return 0;
}

/* One complete line (CR LF or LF stripped). */
static int
line(struct http_resp *r, char *l)
{
	switch (r->st) {
	case ST_STATUS:
		return status_line(r, l) == 0 ? (r->st = ST_HEADER,
		    HTTP_RESP_AGAIN) : HTTP_RESP_ERROR;
	case ST_HEADER:
		if (*l == '\0')
			return head_done(r);
		return header_line(r, l) == 0 ? HTTP_RESP_AGAIN :
		    HTTP_RESP_ERROR;
	case ST_CHUNK_SIZE:
		return chunk_size(r, l) == 0 ? HTTP_RESP_AGAIN :
		    HTTP_RESP_ERROR;
	case ST_CHUNK_CRLF:
		if (*l != '\0')
			return HTTP_RESP_ERROR;
		r->st = ST_CHUNK_SIZE;
		return HTTP_RESP_AGAIN;
	case ST_TRAILER:
		return *l == '\0' ? HTTP_RESP_DONE : HTTP_RESP_AGAIN;
	default:
		return HTTP_RESP_ERROR;
	}
}

int
http_resp_feed(struct http_resp *r, const uint8_t *d, size_t len,
    size_t *used)
{
	size_t i = 0, n, k;
	const uint8_t *nl;
	uint64_t take;
	int ev;

	if (r->done)
		reset(r);
	while (i < len) {
		switch (r->st) {
		case ST_BODY:
		case ST_CHUNK_DATA:
			take = len - i < r->left ? len - i : r->left;
			i += (size_t)take;
			r->left -= take;
			r->body_bytes += take;
			if (r->left > 0)
				break;
			if (r->st == ST_CHUNK_DATA) {
				r->st = ST_CHUNK_CRLF;
				break;
			}
			*used = i;
			r->st = ST_STATUS;
			r->done = true;
			return HTTP_RESP_DONE;
		case ST_BODY_EOF:
			r->body_bytes += len - i;
			i = len;
			break;
		default:
			/* A line: up to LF, kept whole up to the line max. */
			nl = memchr(d + i, '\n', len - i);
			n = nl == NULL ? len - i : (size_t)(nl - (d + i));
			k = n;
			if (r->line_len + k > HTTP_RESP_LINE_MAX - 1)
				k = HTTP_RESP_LINE_MAX - 1 - r->line_len;
			memcpy(r->line + r->line_len, d + i, k);
			r->line_len += (uint32_t)k;
			if (r->st == ST_STATUS || r->st == ST_HEADER)
				r->head_bytes += n + (nl != NULL);
			if (r->head_bytes > HTTP_RESP_HEAD_MAX)
				return HTTP_RESP_ERROR;
			i += n;
			if (nl == NULL)
				break;
			i++;	/* the LF */
			if (r->line_len > 0 && r->line[r->line_len - 1] == '\r')
				r->line_len--;
			r->line[r->line_len] = '\0';
			r->line_len = 0;
			ev = line(r, r->line);
			if (ev == HTTP_RESP_ERROR)
				return ev;
			if (ev == HTTP_RESP_DONE) {
				*used = i;
				r->st = ST_STATUS;
				r->done = true;
				return HTTP_RESP_DONE;
			}
		}
	}
	*used = i;
	return HTTP_RESP_AGAIN;
}

int
http_resp_eof(struct http_resp *r)
{
	if (r->done)
		reset(r);
	if (r->st == ST_BODY_EOF) {
		r->st = ST_STATUS;
		r->done = true;
		return HTTP_RESP_DONE;
	}
	return http_resp_started(r) ? HTTP_RESP_ERROR : HTTP_RESP_AGAIN;
}
