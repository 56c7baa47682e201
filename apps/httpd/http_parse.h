/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 request parser, router and response-head formatter of the
 * sample server (apps/httpd). Pure C11, no DPDK, no allocation, no clock,
 * no globals: it builds, is unit-tested and fuzzed on its own.
 *
 * The server receives a connection's bytes as a sequence of
 * non-contiguous chunks (zero-copy views of packet buffers), so the parser
 * is a push-style state machine that is fed byte ranges of any size, down
 * to one byte at a time. A fast path scans the runs of a head (method,
 * target, names, values: tables, and 8 bytes a word for targets and
 * values) and the delimiters between them; any other byte goes through
 * the byte-by-byte reference path, which defines the behaviour (the
 * fast path makes exactly its changes; tests/fuzz/fuzz_http_diff.c checks
 * it against the original byte-by-byte parser). Its result depends
 * only on the byte stream, never on where the chunk boundaries fall
 * (tests/unit/test_http_parse.c checks every split point;
 * tests/fuzz/fuzz_http.c checks random splits). It keeps no pointer into
 * caller data across calls: the method, the target and the Host value are
 * copied into bounded buffers inside struct http_parser, and the other
 * headers that matter (Content-Length, Transfer-Encoding, Connection,
 * Expect) are reduced to a few numbers and flags as they stream past.
 * It reads data[0..len) and nothing else.
 *
 * Calling convention. Call http_parse() on a chunk, advance the chunk by
 * *consumed, and call again until it returns HTTP_PARSE_AGAIN (every byte
 * was consumed and more are needed) or HTTP_PARSE_ERROR. Each request
 * produces, in order:
 *
 *	HTTP_PARSE_HEAD		once: p->req describes the request head.
 *	HTTP_PARSE_BODY		zero or more times: data[0..*consumed) are
 *				body bytes (Content-Length framing);
 *				p->body_left of them remain after these.
 *	HTTP_PARSE_DONE		once, consuming nothing: the request is
 *				complete. p->req stays valid until the
 *				next call, which starts the next request
 *				(pipelining) from whatever data it is given.
 *
 * The server may stop calling after HTTP_PARSE_DONE (for instance while
 * a long response is being sent) and keep the rest of the chunk; it
 * resumes by calling http_parse() with the bytes it kept. The server must
 * take the body bytes of every request, also for routes that ignore the
 * body, so that the next pipelined request starts at the right byte.
 *
 * On HTTP_PARSE_ERROR, p->status is the status to answer (400, 413, 414,
 * 431, 501, 505) and p->error a short static description for logs. The
 * error is sticky: later calls return HTTP_PARSE_ERROR and consume
 * nothing, until http_parser_reset(). *consumed counts the bytes accepted
 * before the byte that revealed the error, so the error's offset in the
 * stream is the same however the stream was split. The framing of the
 * stream is lost: the server answers and closes the connection (RFC 9112
 * section 9.6 allows closing after any response). 405 and 404 are not
 * parser errors: http_route() decides them from a well-formed head.
 *
 * Decisions (RFC 9112 unless stated otherwise):
 *
 * - Line endings: CRLF, or a single LF (section 2.2: a recipient MAY
 *   recognize a lone LF as a line terminator; curl, wrk and browsers send
 *   CRLF, the lenient reading costs nothing here since there is no proxy
 *   in front whose framing could disagree). A CR not followed by LF (bare
 *   CR) is 400, wherever it occurs.
 * - Up to HTTP_MAX_EMPTY_LINES empty lines before a request line are
 *   ignored (section 2.2: SHOULD ignore at least one; clients that send a
 *   CRLF after a POST body); one more is 400. They do not count towards
 *   max_head.
 * - Request line (section 3): method SP request-target SP HTTP-version,
 *   single spaces, nothing else. Method: 1*tchar, case-sensitive, at most
 *   HTTP_METHOD_MAX bytes; a longer method is 501 (section 3: SHOULD 501
 *   for a method longer than any implemented). Any non-tchar in the
 *   method is 400. Target: 1*VCHAR (0x21-0x7e; control bytes, DEL and
 *   bytes above 0x7f are 400), at most lim.max_target bytes, else 414. Its
 *   form and percent-encoding are not checked here; http_route() matches
 *   paths exactly, so anything odd is a 404.
 * - Version: exactly "HTTP/" DIGIT "." DIGIT, case-sensitive; other syntax
 *   is 400. Major version other than 1 is 505. HTTP/1.x with x >= 2 is
 *   processed as HTTP/1.1 (RFC 9110 section 6.2: SHOULD process as the
 *   highest minor version implemented); req.version_minor keeps the digit.
 * - Header field lines (section 5): name 1*tchar, case-insensitive;
 *   whitespace before the colon is 400 (section 5.1: MUST), a line with no
 *   colon is 400, obs-fold (a line starting with SP or HTAB) is 400
 *   (section 5.2: MUST reject or unfold; rejecting also covers
 *   whitespace between the request line and the first field, section
 *   2.2). Value: leading and trailing OWS are not part of it; control
 *   bytes other than HTAB (NUL included) and DEL are 400 (RFC 9110 section
 *   5.5); obs-text (0x80-0xff) is allowed in values.
 * - Limits (struct http_limits): a field line longer than max_line bytes
 *   (its terminator not counted) is 431, and so is a head longer than
 *   max_head bytes (from the first byte of the request line to the end of
 *   the empty line that ends the head, terminators counted). Both are
 *   detected on the first byte past the limit. A line exactly at the
 *   limit is accepted. The request line counts towards max_head but is
 *   not a field line: its method and target have their own limits.
 * - Host (section 3.2): a HTTP/1.1 request without Host, or with more than
 *   one Host field line, is 400 (MUST). The value may be empty; otherwise
 *   it may only hold reg-name, IP-literal and port characters (unreserved,
 *   sub-delims, "%", ":", "[", "]"), no inner whitespace, at most
 *   HTTP_HOST_MAX bytes, else 400.
 * - Content-Length (section 6.3, RFC 9110 section 8.6): 1*DIGIT; anything
 *   else, including a list ("5, 5") and a second Content-Length field line
 *   even with the same value, is 400 (RFC 9110 allows either rejecting or
 *   merging identical values; rejecting is simpler and safe). A value
 *   above lim.max_body, however many digits (the value saturates, no
 *   overflow), is 413.
 * - Transfer-Encoding (section 6): chunked request bodies are not
 *   implemented. Any Transfer-Encoding in a HTTP/1.0 request is 400
 *   (section 6.1: faulty framing); with Content-Length too it is 400
 *   (section 6.1, request smuggling); an empty list, a final coding that
 *   is not "chunked" (section 6.3 rule 4, which also covers the retired
 *   "identity"), or "chunked" more than once is 400; the remaining valid
 *   case, chunked last, is 501 Not Implemented (section 6.1: SHOULD 501
 *   for a transfer coding not understood). Field lines are combined, so
 *   the final coding is the last one over all Transfer-Encoding lines.
 * - Precedence: syntax errors and 431/414/501-method/505 are reported at
 *   the byte that reveals them; the checks that need the whole head are
 *   made at its end in this order: missing Host (400), Transfer-Encoding
 *   (400/501), Content-Length above max_body (413).
 * - Connection (section 9.3): a comma-separated list of tokens, matched
 *   case-insensitively, over all Connection field lines, empty elements
 *   ignored. HTTP/1.1 is persistent unless "close" is listed; HTTP/1.0 is
 *   persistent only if "keep-alive" is listed and "close" is not.
 * - Expect (RFC 9110 section 10.1.1): "100-continue" sets
 *   req.expect_continue (the server sends 100 Continue before reading the
 *   body). Any other expectation sets req.expect_other; the server MAY
 *   answer 417. Both stay false in HTTP/1.0 requests (a 100-continue
 *   there MUST be ignored).
 * - Requests carry a body only with Content-Length; a GET with a body is
 *   accepted and its body delivered like any other.
 *
 * Thread safety: none needed. A parser belongs to one connection, hence
 * to the lcore that owns it; every function may be called from a callback.
 */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest method accepted (bytes); longer is 501. */
#define HTTP_METHOD_MAX		15
/* Longest target the buffer holds: lim.max_target is clamped to it. */
#define HTTP_TARGET_MAX		2048
/* Longest Host value accepted (bytes); longer is 400. */
#define HTTP_HOST_MAX		255
/* Empty lines ignored before a request line; one more is 400. */
#define HTTP_MAX_EMPTY_LINES	8

/* Defaults of struct http_limits. */
#define HTTP_DEFAULT_MAX_HEAD	8192
#define HTTP_DEFAULT_MAX_LINE	4096
#define HTTP_DEFAULT_MAX_TARGET	HTTP_TARGET_MAX
#define HTTP_DEFAULT_MAX_BODY	(1024 * 1024)

/* Largest N of GET /bytes/N by default (1 GiB). */
#define HTTP_DEFAULT_BYTES_MAX	(UINT64_C(1) << 30)

/* Size limits of one request; see the decisions above for the statuses. */
struct http_limits {
	uint32_t max_head;	/* whole head, bytes: above is 431 */
	uint32_t max_line;	/* one field line, bytes: above is 431 */
	uint32_t max_target;	/* request-target, bytes: above is 414 */
	uint64_t max_body;	/* Content-Length: above is 413 */
};

/*
 * The request head, valid from HTTP_PARSE_HEAD up to the call after
 * HTTP_PARSE_DONE. Strings are NUL-terminated copies; the *_len fields
 * give their length.
 */
struct http_request {
	char method[HTTP_METHOD_MAX + 1];
	char target[HTTP_TARGET_MAX + 1];
	char host[HTTP_HOST_MAX + 1];	/* "" when absent or empty */
	uint16_t method_len;
	uint16_t target_len;
	uint16_t host_len;
	uint8_t version_major;		/* always 1 in a parsed head */
	uint8_t version_minor;		/* 0 or 1 (or higher: see above) */
	bool has_host;
	bool has_content_length;
	bool keep_alive;		/* persistent after this request */
	bool conn_close;		/* "close" in Connection */
	bool conn_keep_alive;		/* "keep-alive" in Connection */
	bool expect_continue;		/* HTTP/1.1 Expect: 100-continue */
	bool expect_other;		/* an expectation we do not know */
	uint64_t content_length;	/* 0 without Content-Length */
};

/* Results of http_parse(). */
enum http_parse_result {
	HTTP_PARSE_ERROR = -1,	/* p->status, p->error say why */
	HTTP_PARSE_AGAIN = 0,	/* all of the input consumed, need more */
	HTTP_PARSE_HEAD = 1,	/* p->req holds a complete request head */
	HTTP_PARSE_BODY = 2,	/* data[0..*consumed) are body bytes */
	HTTP_PARSE_DONE = 3,	/* the request is complete */
};

/* Sizes of the private buffers below. */
#define HTTP_NAME_BUF		18	/* "transfer-encoding" + 1 */
#define HTTP_ELEM_BUF		12	/* "100-continue" */

/*
 * Parser state. The caller reads req, status, error and body_left, and
 * nothing else. Invariants: every buffer index is below its buffer's
 * size; head_len <= lim.max_head and line_len <= lim.max_line while no
 * error is set; body_left is non-zero only in the body state.
 */
struct http_parser {
	struct http_request req;
	int status;		/* HTTP_PARSE_ERROR: status to answer */
	const char *error;	/* HTTP_PARSE_ERROR: static description */
	uint64_t body_left;	/* body bytes of this request not yet seen */

	/* Private. */
	struct http_limits lim;
	uint32_t head_len;	/* bytes of the head so far */
	uint32_t line_len;	/* bytes of the current field line */
	uint8_t state;
	uint8_t substate;	/* version: position in "HTTP/d.d" */
	uint8_t empty_lines;	/* ignored before the request line */
	uint8_t hdr;		/* which header the current line holds */
	uint8_t name_len;	/* lowercased name prefix in name[] */
	bool name_long;		/* name longer than name[] */
	char name[HTTP_NAME_BUF];
	/* List elements of Connection, Transfer-Encoding, Expect. */
	uint8_t elem_len;
	bool elem_ws;		/* whitespace after the element's text */
	bool elem_long;		/* inner whitespace or longer than elem[] */
	char elem[HTTP_ELEM_BUF];
	/* Content-Length and Host of the current line. */
	bool val_ws;		/* whitespace after the value's text */
	uint8_t cl_digits;	/* digits seen, saturating at 255 */
	/* Transfer-Encoding over all its lines. */
	bool te_seen;
	bool te_last_chunked;
	uint16_t te_codings;
	uint16_t te_chunked;
};

/* Fill l with the HTTP_DEFAULT_* limits. Any lcore, also from callbacks. */
void http_limits_default(struct http_limits *l);

/*
 * Initialize p for a new connection with the limits lim (copied;
 * max_target is clamped to HTTP_TARGET_MAX), or the defaults if lim is
 * NULL. Any lcore, also from callbacks.
 */
void http_parser_init(struct http_parser *p, const struct http_limits *lim);

/*
 * Forget the current request (and any error) and wait for a new request
 * line, keeping the limits. http_parse() does this by itself after
 * HTTP_PARSE_DONE. Any lcore, also from callbacks.
 */
void http_parser_reset(struct http_parser *p);

/*
 * Feed data[0..len) (data may be NULL if len is 0). Returns one of enum
 * http_parse_result and sets *consumed to the bytes used, which are never
 * read again:
 *	HTTP_PARSE_AGAIN: *consumed == len, all absorbed, no event.
 *	HTTP_PARSE_HEAD: the head ended at data[*consumed - 1]; p->req is
 *	    complete and p->body_left is its Content-Length (0 if none).
 *	HTTP_PARSE_BODY: data[0..*consumed) are body bytes, *consumed >= 1.
 *	HTTP_PARSE_DONE: *consumed == 0.
 *	HTTP_PARSE_ERROR: p->status is 400, 413, 414, 431, 501 or 505;
 *	    *consumed counts the bytes accepted before the offending one
 *	    (0 on the calls after the first error).
 * Reads no byte outside data[0..len). Any lcore (the connection's owner),
 * also from callbacks.
 */
int http_parse(struct http_parser *p, const uint8_t *data, size_t len,
    size_t *consumed);

/* Routes of the sample server. */
enum http_route_id {
	HTTP_ROUTE_NONE = 0,	/* no such resource */
	HTTP_ROUTE_ROOT,	/* GET, HEAD /: a small page */
	HTTP_ROUTE_BYTES,	/* GET, HEAD /bytes/N: N bytes */
	HTTP_ROUTE_ECHO,	/* POST /echo: the request body */
};

struct http_route {
	enum http_route_id id;	/* resource named by the path */
	int status;		/* 200, 404, 405 or 501 */
	bool head;		/* HEAD: send the head of the GET answer */
	uint64_t n;		/* HTTP_ROUTE_BYTES: the N */
	const char *allow;	/* 405: value of the Allow field; else NULL */
};

/*
 * Classify method and target (NUL-terminated, as in struct http_request)
 * into r and return r->status:
 *	501: the method is none of GET HEAD POST PUT DELETE CONNECT OPTIONS
 *	    TRACE PATCH (RFC 9110 section 9.1: SHOULD 501 for a method the
 *	    server does not recognize), whatever the path.
 *	404: the path names no resource (r->id is HTTP_ROUTE_NONE).
 *	405: the resource exists but not for this method; r->allow is "GET,
 *	    HEAD" or "POST", for the Allow field (RFC 9110 section 15.5.6:
 *	    MUST send Allow).
 *	200: r->id, r->n and r->head say what to send.
 * The path is the target up to '?' (the query is ignored); an
 * absolute-form target ("http://host/path", scheme case-insensitive) is
 * reduced to its path, "/" if it has none. Other forms ('*',
 * authority-form) name no resource. Paths match exactly, case-sensitive,
 * with no percent-decoding. /bytes/N exists for N written in decimal as
 * "0" or without leading zeros, no sign, no other character, with N <=
 * bytes_max: "/bytes/", "/bytes/007", "/bytes/+1", "/bytes/1x", a value
 * above bytes_max and any value too large for 64 bits are 404 (not a
 * resource of this server; 404 rather than 400 because the request
 * itself is well-formed). Pure: any lcore, also from callbacks.
 */
int http_route(const char *method, const char *target, uint64_t bytes_max,
    struct http_route *r);

/*
 * Reason phrase of status (RFC 9110 section 15), "" for a status it does
 * not know (a valid, empty reason-phrase, RFC 9112 section 4). Any lcore.
 */
const char *http_status_reason(int status);

/*
 * Write a HTTP/1.1 response head into buf and return its length, or 0 if
 * it does not fit in cap - 1 bytes (a NUL is written after the head but
 * not counted) or if status is outside 100..999 or content_type holds a
 * byte that is not allowed in a field value (CR, LF, other controls):
 *
 *	HTTP/1.1 <status> <reason>\r\n
 *	Server: tcpe\r\n
 *	Content-Type: <content_type>\r\n	unless NULL or ""
 *	Content-Length: <content_length>\r\n	unless 1xx or 204
 *	Connection: keep-alive | close\r\n
 *	\r\n
 *
 * A 1xx head is the status line alone (for "100 Continue"). Connection is
 * always sent: "close" tells the client the server closes (RFC 9112
 * section 9.6), "keep-alive" is needed by HTTP/1.0 clients and harmless
 * for HTTP/1.1 ones, so the formatter need not know the version. Date is
 * not sent: the sample server keeps no wall clock (RFC 9110 section
 * 6.6.1 lets a server without a reliable clock omit it). Any lcore, also
 * from callbacks.
 */
size_t http_format_head(char *buf, size_t cap, int status,
    uint64_t content_length, bool keep_alive, const char *content_type);

/*
 * http_format_head() with an Allow field after Content-Type when allow is
 * neither NULL nor "" (for 405: http_route()'s r->allow). Returns 0 also
 * when allow holds a byte not allowed in a field value.
 */
size_t http_format_head_allow(char *buf, size_t cap, int status,
    uint64_t content_length, bool keep_alive, const char *content_type,
    const char *allow);

#endif /* HTTP_PARSE_H */
