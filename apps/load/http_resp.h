/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client side of HTTP/1.1 for tcpe-load: an incremental parser of
 * responses, fed the received bytes in place as they come, split
 * anywhere. It keeps only what a load generator needs: the status, the
 * framing (Content-Length, chunked, or to the end of the connection) and
 * whether the connection stays open (RFC 9112 section 9.3). Interim 1xx
 * responses are skipped. Pure C, no DPDK: unit-tested on its own
 * (tests/unit/test_load.c).
 */
#ifndef HTTP_RESP_H
#define HTTP_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest head line kept whole; longer ones are cut (their value unused). */
#define HTTP_RESP_LINE_MAX	256
/* Largest head accepted, bytes. */
#define HTTP_RESP_HEAD_MAX	65536

enum {
	HTTP_RESP_AGAIN = 0,	/* every byte used, the response goes on */
	HTTP_RESP_DONE = 1,	/* a response ended; *used says where */
	HTTP_RESP_ERROR = -1,	/* malformed: the connection is unusable */
};

struct http_resp {
	/* The response being parsed, or the last one after DONE. */
	int status;
	bool keep_alive;	/* the connection stays open after it */
	bool chunked;
	bool has_length;
	bool head_only;		/* answer to HEAD: no body whatever it says */
	uint64_t content_length;
	uint64_t body_bytes;	/* body bytes seen (chunk framing excluded) */
	uint64_t head_bytes;
	/* Parser state. */
	bool done;		/* the fields above describe an ended one */
	uint8_t st;
	uint8_t minor;		/* HTTP/1.minor */
	uint64_t left;		/* body or chunk bytes still to come */
	uint32_t line_len;
	char line[HTTP_RESP_LINE_MAX];
};

/* Ready for a response; head_only: the request was HEAD. */
void http_resp_init(struct http_resp *r, bool head_only);

/*
 * Feed len bytes at d. Returns HTTP_RESP_AGAIN (all used), HTTP_RESP_DONE
 * (the response ended after *used bytes: status, keep_alive, body_bytes
 * ... describe it until the next call; the parser is ready for the next
 * one, call http_resp_init() again only to change head_only) or
 * HTTP_RESP_ERROR. A response delimited by the end of the connection
 * (no length, not chunked) ends with http_resp_eof().
 */
int http_resp_feed(struct http_resp *r, const uint8_t *d, size_t len,
    size_t *used);

/*
 * The connection reached its end. Returns HTTP_RESP_DONE when that ends
 * the response (a body delimited by the close), HTTP_RESP_AGAIN when no
 * response had started, HTTP_RESP_ERROR when one was cut short.
 */
int http_resp_eof(struct http_resp *r);

/* A response has started and not ended. */
bool http_resp_started(const struct http_resp *r);

#endif /* HTTP_RESP_H */
