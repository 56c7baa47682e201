/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpe-httpd: the sample HTTP/1.1 server on tcpe's zero-copy API.
 *
 *	tcpe-httpd [tcpe options] [--] [--port N] [--max-body N]
 *	    [--linger SECS] [--lingering-timeout SECS]
 *
 * tcpe options come first (--config FILE, --set section.key=value,
 * --help-config; tcpe_init() parses them), then the server's own.
 *
 * Routes (http_route() in http_parse.c decides them):
 *	GET|HEAD /		a small HTML page
 *	GET|HEAD /bytes/N	N bytes, byte i being i mod 251
 *	POST /echo		the request body, as application/octet-stream
 * anything else is 404, 405 (with Allow) or 501; the parser's errors
 * (400, 413, 414, 431, 501, 505) and 417 (an unknown Expect) are answered
 * and the connection is closed.
 *
 * How it uses the API (DESIGN.md section 4):
 *  - Receive: tcpe_recv() hands out views of the received mbufs; each view
 *    is fed to the incremental parser as it is, in place, and given back
 *    with tcpe_rx_release() once every byte of it has been parsed and, for
 *    POST /echo, sent. While a response cannot be queued (the send buffer
 *    is full) the server stops parsing and keeps the views it holds: the
 *    bytes count against the receive window, so a pipelining client that
 *    does not read is slowed down instead of filling memory.
 *  - Response heads (and the small page, and error bodies) are written in
 *    place into an engine buffer from tcpe_txbuf_get() and queued with
 *    tcpe_send(): no intermediate copy.
 *  - GET /bytes/N attaches a static array holding the pattern with
 *    tcpe_send_ext() (free_fn NULL: the memory lives forever). The array
 *    holds 261 periods of 251 bytes, so the body from any position p is
 *    available contiguously from offset p mod 251 for at least 260 * 251
 *    bytes: one attachment per send call, never a copy.
 *  - POST /echo copies each received body chunk into engine buffers
 *    (tcpe_txbuf_get() + memcpy + tcpe_send()). A zero-copy echo would
 *    have to hand the received mbufs themselves to the send path, and a
 *    receive view given to the send side would have to stay counted
 *    against the receive window until the peer acknowledged it, which the
 *    API does not express; one memcpy per chunk is the simple, correct
 *    choice for a sample.
 *  - Short sends (the rte_eth_tx_burst contract: the engine owns what it
 *    accepted, the rest stays ours) leave the remainder in the
 *    connection's state; the writable callback resumes it.
 *
 * Connections: keep-alive by default (HTTP/1.1, or HTTP/1.0 with
 * "Connection: keep-alive"); requests are answered in order, whether they
 * arrive one per segment, several in one segment or split anywhere
 * (pipelining). After a response that closes (Connection: close, HTTP/1.0
 * without keep-alive, any error) the server shuts its side down first
 * (FIN after the response, so the server side goes through FIN_WAIT and
 * TIME_WAIT), then reads and discards whatever the client still sends
 * until the client's FIN (a lingering close: closing with unread data
 * would answer it with an RST, which could destroy the response before
 * the client read it), and only then gives the socket up with
 * tcpe_close(). A client that neither sends nor closes for
 * --lingering-timeout seconds (default 5, as nginx's lingering_timeout;
 * each received byte starts it again) is given up: tcpe_close() then
 * leaves the engine to finish the close on its own (an orphan in
 * FIN_WAIT_2 lives tcp_fin_timeout). Per-connection state is a small
 * struct attached as the socket's context, freed when the socket is
 * closed.
 *
 * --linger SECS sets SO_LINGER {1, SECS} (tcpe_setlinger()) on every
 * accepted connection. SECS 0 makes every close abortive: after a
 * response that closes, the server calls tcpe_close() at once instead of
 * the lingering close, which sends an RST after the response, and so does
 * a close after the client's FIN. SECS > 0 keeps the lingering close; the
 * engine resets a connection whose FIN is still unacknowledged SECS
 * seconds after tcpe_close().
 *
 * SIGINT or SIGTERM stops the engine (tcpe_stop() is async-signal-safe);
 * the server then prints the engine's state line, its own counters and
 * the engine's. SIGUSR1 asks for the same report while it runs: the
 * handler only sets a flag, worker 0 prints it from its poll hook
 * (tcpe_set_poll_hook()), between "tcpe-httpd: report N" and
 * "tcpe-httpd: end of report N" lines.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tcpe/tcpe.h>

#include "app_opts.h"
#include "http_parse.h"

#define HTTPD_MAX_WORKERS	128
#define HTTPD_RX_VIEWS		32	/* views taken per tcpe_recv() */
#define HTTPD_BACKLOG		4096

/* The /bytes/N pattern: byte i is i mod 251, 261 periods. */
#define PATTERN_PERIOD		251
#define PATTERN_LEN		(PATTERN_PERIOD * 261)
/* Largest contiguous run from any offset below one period. */
#define PATTERN_RUN		(PATTERN_LEN - PATTERN_PERIOD)

static uint8_t pattern[PATTERN_LEN];

static const char root_page[] =
	"<!DOCTYPE html>\n"
	"<html><head><title>tcpe</title></head>\n"
	"<body><h1>tcpe-httpd</h1>\n"
	"<p>Served by tcpe, a kernel-bypass TCP engine on DPDK.</p>\n"
	"<p>Try <a href=\"/bytes/1000\">/bytes/N</a> or POST /echo.</p>\n"
	"</body></html>\n";

/*
 * Server counters, one set per worker, summed at the end and printed as
 * the engine prints its own ("Httpd:" then "    Name: value" lines).
 */
#define HTTPD_CTR_LIST(X) \
	X(ACCEPTED, "Accepted") /* connections accepted */ \
	X(CLOSED, "Closed") /* connections closed (also at exit) */ \
	X(RESET, "Failed") /* connections reset or timed out */ \
	X(NOMEM, "NoConnMem") /* connections refused: no memory */ \
	X(REQUESTS, "Requests") /* requests (and unparsable heads) */ \
	X(S2XX, "Responses2xx") \
	X(S4XX, "Responses4xx") \
	X(S5XX, "Responses5xx") \
	X(S500, "Responses500") /* internal errors: must stay 0 */ \
	X(BODY_BYTES, "BodyBytes") /* response body bytes queued */ \
	X(ECHO_BYTES, "EchoBytes") /* request body bytes echoed */ \
	X(SHORT_SENDS, "ShortSends") /* sends cut short: send buffer full */ \
	X(SERVER_CLOSES, "ServerCloses") /* the server closed first */ \
	X(CLIENT_CLOSES, "ClientCloses") /* the client closed first */ \
	X(ABORTIVE_CLOSES, "AbortiveCloses") /* SO_LINGER {1, 0} closes */ \
	X(LINGER_TIMEOUTS, "LingerTimeouts") /* lingering closes given up */ \
	X(NOBUFS, "NoBufs") /* connections aborted: no engine buffer */

enum {
#define HTTPD_CTR_ENUM(id, name) C_##id,
	HTTPD_CTR_LIST(HTTPD_CTR_ENUM)
#undef HTTPD_CTR_ENUM
	C_N
};

static const char *const ctr_name[C_N] = {
#define HTTPD_CTR_NAME(id, name) name,
	HTTPD_CTR_LIST(HTTPD_CTR_NAME)
#undef HTTPD_CTR_NAME
};

struct hconn;

/* One worker lcore: its listener, its connections, its counters. */
struct hworker {
	struct tcpe_worker *w;
	struct tcpe_sock *listener;
	struct hconn *conns;		/* open connections, for the end */
	/* Lingering connections, earliest deadline first. */
	struct hconn *lhead, *ltail;
	uint64_t open;			/* connections with state */
	uint64_t open_at_exit;		/* open when tcpe_run() returned */
	uint64_t ctr[C_N];
} __attribute__((aligned(64)));

/* Connection phases. */
enum {
	P_SERVE,	/* parse requests, answer them in order */
	P_LINGER,	/* our FIN is queued: discard input until EOF */
};

/*
 * Per-connection state, the socket's context. Invariants: views
 * rx[rx_i..rx_n) are held (not released), rx_off < rx[rx_i].len unless
 * the view is about to be released; echo_ptr points into rx[rx_i]; at
 * most one output piece is pending, in the order tb, bytes, echo.
 */
struct hconn {
	struct tcpe_sock *s;
	struct hworker *hw;
	struct hconn *next, *prev;	/* in hw->conns */
	struct hconn *lnext, *lprev;	/* in hw->lhead, while lingering */
	uint64_t ldeadline;		/* ns: give the lingering close up */
	bool in_llist;
	uint8_t phase;
	bool in_run;			/* conn_run() is on the stack */
	bool rerun;			/* an event came during conn_run() */
	bool dead;			/* closed: free at the end of the run */
	bool failed;			/* reset or timed out */
	bool req_body_echo;		/* this request's body is echoed */
	bool close_after;		/* close once this request is answered */
	bool resp_started;		/* this request has been answered */
	bool resp_done;			/* ... and all of its answer is queued */
	bool parse_more;		/* the parser has more to say */

	/* Held receive views. */
	struct tcpe_rx rx[HTTPD_RX_VIEWS];
	uint32_t rx_n, rx_i, rx_off;

	/* Pending output. */
	struct tcpe_txbuf tb;		/* valid while tb_len > 0 */
	uint32_t tb_len;		/* bytes of tb still to send */
	uint64_t bytes_pos;		/* /bytes/N: next body byte */
	uint64_t bytes_left;		/* /bytes/N: body bytes to attach */
	const uint8_t *echo_ptr;	/* /echo: received bytes to copy */
	uint32_t echo_len;

	struct http_parser p;
};

static struct tcpe_engine *engine;
static struct hworker workers[HTTPD_MAX_WORKERS];
static atomic_uint workers_ready;
static unsigned int nworkers_started = 1;
static char engine_device[64] = "?";
static uint32_t engine_addr;
static uint16_t opt_port = 80;
static int64_t opt_linger = -1;		/* SO_LINGER seconds, -1: off */
static uint64_t opt_lingering_ns = 5000000000ULL;	/* 0: for ever */
static struct http_limits limits;
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t report_signal;	/* SIGUSR1 seen */
static unsigned int reports;

static void conn_run(struct hconn *hc);

static void
on_report_signal(int sig)
{
	(void)sig;
	report_signal = 1;
}

static void
on_signal(int sig)
{
	stop_signal = sig;
	if (engine != NULL)
		tcpe_stop(engine);
}

/* --- output ------------------------------------------------------------ */

/*
 * Queue hc->tb (tb_len bytes). Returns 1 when all of it is queued (the
 * engine owns it), 0 when some is left (wait for writable), -1 on error.
 */
static int
flush_tb(struct hconn *hc)
{
	int r;

	r = tcpe_send(hc->s, &hc->tb, hc->tb_len);
	if (r < 0)
		return -1;
	if ((uint32_t)r == hc->tb_len) {
		hc->tb_len = 0;
		memset(&hc->tb, 0, sizeof(hc->tb));
		return 1;
	}
	/* tb->data now points at the rest, which we still own. */
	hc->tb_len -= (uint32_t)r;
	hc->hw->ctr[C_SHORT_SENDS]++;
	return 0;
}

/* Attach the next runs of the /bytes/N pattern. Same returns as flush_tb. */
static int
flush_bytes(struct hconn *hc)
{
	uint64_t off;
	uint32_t len;
	int r;

	while (hc->bytes_left > 0) {
		off = hc->bytes_pos % PATTERN_PERIOD;
		len = hc->bytes_left < PATTERN_RUN ? (uint32_t)hc->bytes_left :
		    PATTERN_RUN;
		r = tcpe_send_ext(hc->s, pattern + off, len, NULL, NULL);
		if (r < 0)
			return -1;
		hc->bytes_pos += (uint32_t)r;
		hc->bytes_left -= (uint32_t)r;
		hc->hw->ctr[C_BODY_BYTES] += (uint32_t)r;
		if ((uint32_t)r < len) {
			hc->hw->ctr[C_SHORT_SENDS]++;
			return 0;
		}
	}
	return 1;
}

/*
 * Copy the pending echo bytes into engine buffers and queue them. A
 * buffer the engine took only in part stays in hc->tb. Same returns as
 * flush_tb, and -2 when no engine buffer is left.
 */
static int
flush_echo(struct hconn *hc)
{
	struct tcpe_txbuf tb;
	uint32_t n;
	int r;

	while (hc->echo_len > 0) {
		if (tcpe_txbuf_get(tcpe_sock_worker(hc->s), &tb) != 0)
			return -2;
		n = hc->echo_len < tb.room ? hc->echo_len : tb.room;
		memcpy(tb.data, hc->echo_ptr, n);
		hc->echo_ptr += n;
		hc->echo_len -= n;
		hc->hw->ctr[C_ECHO_BYTES] += n;
		hc->hw->ctr[C_BODY_BYTES] += n;
		hc->tb = tb;
		hc->tb_len = n;
		r = flush_tb(hc);
		if (r <= 0)
			return r;
	}
	return 1;
}

/*
 * Push the pending output, in order. Returns 1 when nothing is left, 0
 * when blocked on the send buffer, negative on error (the connection is
 * unusable: abort it).
 */
static int
flush_output(struct hconn *hc)
{
	int r;

	if (hc->tb_len > 0 && (r = flush_tb(hc)) <= 0)
		return r;
	if (hc->bytes_left > 0 && (r = flush_bytes(hc)) <= 0)
		return r;
	if (hc->echo_len > 0 && (r = flush_echo(hc)) <= 0)
		return r;
	return 1;
}

static void
count_status(struct hconn *hc, int status)
{
	if (status == 500)
		hc->hw->ctr[C_S500]++;
	if (status >= 500)
		hc->hw->ctr[C_S5XX]++;
	else if (status >= 400)
		hc->hw->ctr[C_S4XX]++;
	else if (status >= 200)
		hc->hw->ctr[C_S2XX]++;
}

/*
 * Start a response: its head (preceded by "100 Continue" when cont) and
 * body (the first body_len bytes of body, when body is not NULL) are
 * written in place into one engine buffer, left in hc->tb for
 * flush_output(). Returns 0, or -ENOBUFS.
 */
static int
respond(struct hconn *hc, int status, uint64_t content_length,
    const char *content_type, const char *allow, bool cont,
    const void *body, uint32_t body_len)
{
	struct tcpe_txbuf tb;
	size_t n = 0, h;

	if (tcpe_txbuf_get(tcpe_sock_worker(hc->s), &tb) != 0) {
		hc->hw->ctr[C_NOBUFS]++;
		return -ENOBUFS;
	}
	if (cont)
		n = http_format_head((char *)tb.data, tb.room, 100, 0, true,
		    NULL);
	h = http_format_head_allow((char *)tb.data + n, tb.room - n, status,
	    content_length, !hc->close_after, content_type, allow);
	if (h == 0 || n + h + body_len > tb.room) {
		/* Cannot happen with the heads and bodies of this file. */
		tcpe_txbuf_put(&tb);
		hc->hw->ctr[C_NOBUFS]++;
		return -ENOBUFS;
	}
	n += h;
	if (body != NULL && body_len > 0) {
		memcpy(tb.data + n, body, body_len);
		n += body_len;
		hc->hw->ctr[C_BODY_BYTES] += body_len;
	}
	hc->tb = tb;
	hc->tb_len = (uint32_t)n;
	hc->resp_started = true;
	hc->resp_done = true;
	count_status(hc, status);
	return 0;
}

/*
 * A response with a short text body ("404 Not Found\n"), for errors.
 * The caller sets hc->close_after first: errors that lose the stream's
 * framing close, 404/405/501 on a well-formed request need not.
 */
static int
respond_text(struct hconn *hc, int status, const char *allow)
{
	char body[96];
	int n;

	n = snprintf(body, sizeof(body), "%d %s\n", status,
	    http_status_reason(status));
	if (n < 0 || (size_t)n >= sizeof(body))
		n = 0;
	return respond(hc, status, (uint64_t)n, "text/plain", allow, false,
	    body, (uint32_t)n);
}

/* An error that ends the connection: answer, then close. */
static int
respond_error(struct hconn *hc, int status, const char *allow)
{
	hc->close_after = true;
	return respond_text(hc, status, allow);
}

/*
 * The head of a request has been parsed. POST /echo answers now (the
 * body streams back as it arrives); so does a request that waits for
 * 100-continue on a resource that will refuse it (the client then need
 * not send the body; we close after answering). Everything else answers
 * once the request is complete (on_done()).
 */
static int
on_head(struct hconn *hc)
{
	const struct http_request *q = &hc->p.req;
	struct http_route rt;
	int st;

	hc->hw->ctr[C_REQUESTS]++;
	hc->resp_started = false;
	hc->resp_done = false;
	hc->req_body_echo = false;
	hc->close_after = !q->keep_alive;
	if (q->expect_other)
		return respond_error(hc, 417, NULL);
	st = http_route(q->method, q->target, HTTP_DEFAULT_BYTES_MAX, &rt);
	if (st == 200 && rt.id == HTTP_ROUTE_ECHO) {
		hc->req_body_echo = true;
		if (respond(hc, 200, q->content_length,
		    "application/octet-stream", NULL,
		    q->expect_continue && q->content_length > 0, NULL, 0) != 0)
			return -ENOBUFS;
		/* Done once the last body byte is handed to the output. */
		hc->resp_done = q->content_length == 0;
		return 0;
	}
	if (st != 200 && q->expect_continue && q->content_length > 0)
		return respond_error(hc, st, rt.allow);
	return 0;
}

/* The request is complete: answer it unless on_head() already did. */
static int
on_done(struct hconn *hc)
{
	const struct http_request *q = &hc->p.req;
	struct http_route rt;
	int st;

	if (hc->resp_started)
		return 0;
	st = http_route(q->method, q->target, HTTP_DEFAULT_BYTES_MAX, &rt);
	if (st != 200) {
		/*
		 * 404, 405, 501 leave the stream's framing intact: the
		 * connection stays as the request asked.
		 */
		return respond_text(hc, st, rt.allow);
	}
	switch (rt.id) {
	case HTTP_ROUTE_ROOT:
		return respond(hc, 200, sizeof(root_page) - 1,
		    "text/html; charset=utf-8", NULL, false,
		    rt.head ? NULL : root_page,
		    rt.head ? 0 : (uint32_t)(sizeof(root_page) - 1));
	case HTTP_ROUTE_BYTES:
		if (respond(hc, 200, rt.n, "application/octet-stream", NULL,
		    false, NULL, 0) != 0)
			return -ENOBUFS;
		if (!rt.head) {
			hc->bytes_pos = 0;
			hc->bytes_left = rt.n;
		}
		return 0;
	default:
		/* ECHO answers at the head; nothing else routes to 200. */
		return respond_error(hc, 500, NULL);
	}
}

/* --- receive and the connection's life --------------------------------- */

static void
release_views(struct hconn *hc, struct tcpe_sock *s)
{
	if (hc->rx_i < hc->rx_n)
		tcpe_rx_release(s, &hc->rx[hc->rx_i], hc->rx_n - hc->rx_i);
	hc->rx_i = hc->rx_n = hc->rx_off = 0;
	hc->echo_ptr = NULL;
	hc->echo_len = 0;
}

/* Take hc off its worker's list of lingering connections. */
static void
llist_del(struct hconn *hc)
{
	struct hworker *hw = hc->hw;

	if (!hc->in_llist)
		return;
	if (hc->lprev != NULL)
		hc->lprev->lnext = hc->lnext;
	else
		hw->lhead = hc->lnext;
	if (hc->lnext != NULL)
		hc->lnext->lprev = hc->lprev;
	else
		hw->ltail = hc->lprev;
	hc->lnext = hc->lprev = NULL;
	hc->in_llist = false;
}

/*
 * (Re)start hc's lingering timeout: to the tail, every deadline being now
 * plus the same timeout keeps the list sorted.
 */
static void
llist_touch(struct hconn *hc)
{
	struct hworker *hw = hc->hw;

	if (opt_lingering_ns == 0)
		return;
	llist_del(hc);
	hc->ldeadline = tcpe_worker_now(hw->w) + opt_lingering_ns;
	hc->lprev = hw->ltail;
	if (hw->ltail != NULL)
		hw->ltail->lnext = hc;
	else
		hw->lhead = hc;
	hw->ltail = hc;
	hc->in_llist = true;
}

/* Give back everything hc holds and free it; s is closed by the caller. */
static void
conn_free(struct hconn *hc, struct tcpe_sock *s)
{
	struct hworker *hw = hc->hw;

	release_views(hc, s);
	if (hc->tb_len > 0)
		tcpe_txbuf_put(&hc->tb);
	hc->tb_len = 0;
	llist_del(hc);
	if (hc->prev != NULL)
		hc->prev->next = hc->next;
	else
		hw->conns = hc->next;
	if (hc->next != NULL)
		hc->next->prev = hc->prev;
	hw->open--;
	hw->ctr[C_CLOSED]++;
	if (hc->failed)
		hw->ctr[C_RESET]++;
	free(hc);
}

/* Close the socket (graceful: FIN after what is queued) and free hc. */
static void
conn_close(struct hconn *hc)
{
	struct tcpe_sock *s = hc->s;

	conn_free(hc, s);
	tcpe_sock_set_handlers(s, NULL, NULL);
	tcpe_close(s);
}

/* Reset the connection and free hc. */
static void
conn_abort(struct hconn *hc)
{
	struct tcpe_sock *s = hc->s;

	conn_free(hc, s);
	tcpe_sock_set_handlers(s, NULL, NULL);
	tcpe_abort(s);
	tcpe_close(s);
}

/*
 * Our response is queued and we close: FIN after it, then discard the
 * input until the client's FIN (see the top of the file).
 */
static void
start_linger(struct hconn *hc)
{
	release_views(hc, hc->s);
	hc->phase = P_LINGER;
	hc->hw->ctr[C_SERVER_CLOSES]++;
	llist_touch(hc);
	(void)tcpe_shutdown(hc->s, TCPE_SHUT_WR);
}

/*
 * Discard input until EOF. Returns true when hc was freed (EOF or
 * error), false when waiting for more.
 */
static bool
linger(struct hconn *hc)
{
	int n;

	for (;;) {
		n = tcpe_recv(hc->s, hc->rx, HTTPD_RX_VIEWS);
		if (n > 0) {
			tcpe_rx_release(hc->s, hc->rx, (unsigned int)n);
			llist_touch(hc);
			continue;
		}
		if (n == -EAGAIN)
			return false;
		if (n < 0)
			hc->failed = true;
		conn_close(hc);
		return true;
	}
}

/*
 * Feed the current view to the parser and act on the event. Returns 0 to
 * go on, or a negative value: the connection must be aborted.
 */
static int
parse_step(struct hconn *hc)
{
	const uint8_t *d = NULL;
	size_t len = 0, used = 0;
	int ev;

	if (hc->rx_i < hc->rx_n) {
		d = hc->rx[hc->rx_i].data + hc->rx_off;
		len = hc->rx[hc->rx_i].len - hc->rx_off;
	}
	ev = http_parse(&hc->p, d, len, &used);
	hc->rx_off += (uint32_t)used;
	/*
	 * After an event the parser must be called again, even with no
	 * byte left (DONE follows a HEAD or BODY that ended the chunk).
	 */
	hc->parse_more = ev == HTTP_PARSE_HEAD || ev == HTTP_PARSE_BODY ||
	    ev == HTTP_PARSE_DONE;
	switch (ev) {
	case HTTP_PARSE_AGAIN:
		return 0;
	case HTTP_PARSE_HEAD:
		return on_head(hc);
	case HTTP_PARSE_BODY:
		if (hc->req_body_echo) {
			/* The view stays held until these bytes are sent. */
			hc->echo_ptr = d;
			hc->echo_len = (uint32_t)used;
			if (hc->p.body_left == 0)
				hc->resp_done = true;
		}
		return 0;
	case HTTP_PARSE_DONE:
		return on_done(hc);
	default:
		hc->hw->ctr[C_REQUESTS]++;
		hc->resp_started = false;
		hc->req_body_echo = false;
		return respond_error(hc, hc->p.status, NULL);
	}
}

/*
 * Make all the progress possible: push pending output, then parse and
 * answer held and newly received bytes, until the send buffer is full or
 * the input is exhausted. Frees hc when the connection is done, and
 * then returns true.
 */
static bool
conn_run_once(struct hconn *hc)
{
	int r, n;

	for (;;) {
		if (hc->dead) {
			conn_close(hc);
			return true;
		}
		if (hc->phase == P_LINGER)
			return linger(hc);
		r = flush_output(hc);
		if (r == 0)
			return false;	/* wait for writable */
		if (r < 0) {
			/* No engine buffer, or the connection failed. */
			if (r == -2)
				hc->hw->ctr[C_NOBUFS]++;
			else
				hc->failed = true;
			conn_abort(hc);
			return true;
		}
		/* Nothing pending: the answered request may close. */
		if (hc->close_after && hc->resp_done) {
			if (opt_linger == 0) {
				/* SO_LINGER {1, 0}: RST after the response. */
				hc->hw->ctr[C_SERVER_CLOSES]++;
				hc->hw->ctr[C_ABORTIVE_CLOSES]++;
				conn_close(hc);
				return true;
			}
			start_linger(hc);
			continue;
		}
		if (hc->parse_more) {
			if (parse_step(hc) < 0) {
				conn_abort(hc);
				return true;
			}
			continue;
		}
		if (hc->rx_i < hc->rx_n && hc->rx_off == hc->rx[hc->rx_i].len) {
			tcpe_rx_release(hc->s, &hc->rx[hc->rx_i], 1);
			hc->rx_i++;
			hc->rx_off = 0;
			continue;
		}
		if (hc->rx_i == hc->rx_n) {
			hc->rx_i = hc->rx_n = hc->rx_off = 0;
			n = tcpe_recv(hc->s, hc->rx, HTTPD_RX_VIEWS);
			if (n == -EAGAIN)
				return false;
			if (n <= 0) {
				/*
				 * EOF with every request answered (a
				 * partial request is dropped), or failed.
				 */
				if (n < 0)
					hc->failed = true;
				else
					hc->hw->ctr[C_CLIENT_CLOSES]++;
				if (n == 0 && opt_linger == 0)
					hc->hw->ctr[C_ABORTIVE_CLOSES]++;
				conn_close(hc);
				return true;
			}
			hc->rx_n = (uint32_t)n;
			continue;
		}
		if (parse_step(hc) < 0) {
			conn_abort(hc);
			return true;
		}
	}
}

/*
 * Entry from every callback. Re-entrant calls (an event delivered while
 * the connection is running) are turned into one more pass.
 */
static void
conn_run(struct hconn *hc)
{
	if (hc->in_run) {
		hc->rerun = true;
		return;
	}
	hc->in_run = true;
	do {
		hc->rerun = false;
		if (conn_run_once(hc))
			return;		/* freed */
	} while (hc->rerun);
	hc->in_run = false;
}

/* --- callbacks --------------------------------------------------------- */

static void on_io(struct tcpe_sock *s, void *ctx);
static void on_error(struct tcpe_sock *s, int err, void *ctx);
static void on_closed(struct tcpe_sock *s, void *ctx);

static const struct tcpe_handlers conn_handlers = {
	.readable = on_io,
	.writable = on_io,
	.eof = on_io,
	.error = on_error,
	.closed = on_closed,
};

static void
on_accept(struct tcpe_sock *l, struct tcpe_sock *s, void *ctx)
{
	struct hworker *hw = ctx;
	struct hconn *hc;

	(void)l;
	hw->ctr[C_ACCEPTED]++;
	hc = calloc(1, sizeof(*hc));
	if (hc == NULL) {
		hw->ctr[C_NOMEM]++;
		tcpe_sock_set_handlers(s, NULL, NULL);
		tcpe_abort(s);
		tcpe_close(s);
		return;
	}
	hc->s = s;
	hc->hw = hw;
	hc->phase = P_SERVE;
	http_parser_init(&hc->p, &limits);
	hc->next = hw->conns;
	if (hw->conns != NULL)
		hw->conns->prev = hc;
	hw->conns = hc;
	hw->open++;
	if (opt_linger >= 0 &&
	    tcpe_setlinger(s, 1, (unsigned int)opt_linger) != 0) {
		/* Cannot happen: checked at start-up. */
		fprintf(stderr, "tcpe-httpd: tcpe_setlinger: %s\n",
		    strerror(errno));
	}
	/* Replies go out as written (as nginx's tcp_nodelay on). */
	(void)tcpe_set_nodelay(s, 1);
	tcpe_sock_set_handlers(s, &conn_handlers, hc);
	/* Data may have come with the handshake's last ACK. */
	conn_run(hc);
}

/*
 * Readable, writable or the end of the stream: conn_run() does what can
 * be done (tcpe_recv() returns 0 at the end once held data is parsed).
 */
static void
on_io(struct tcpe_sock *s, void *ctx)
{
	(void)s;
	conn_run(ctx);
}

static void
on_error(struct tcpe_sock *s, int err, void *ctx)
{
	struct hconn *hc = ctx;

	(void)s;
	(void)err;
	hc->failed = true;
	/* closed follows. */
}

static void
on_closed(struct tcpe_sock *s, void *ctx)
{
	struct hconn *hc = ctx;

	(void)s;
	hc->dead = true;
	conn_run(hc);
}

/* --- engine set-up ----------------------------------------------------- */

static void
print_addr(char *buf, size_t len, uint32_t a)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
	    (a >> 8) & 0xff, a & 0xff);
}

static int
worker_setup(struct tcpe_worker *w, void *arg)
{
	static const struct tcpe_handlers listen_handlers = {
		.accept = on_accept,
	};
	unsigned int id = tcpe_worker_id(w);
	struct hworker *hw;
	uint32_t laddr = 0;
	uint16_t lport = 0;
	char a[16];

	(void)arg;
	if (id >= HTTPD_MAX_WORKERS) {
		fprintf(stderr, "tcpe-httpd: worker %u: at most %u workers\n",
		    id, HTTPD_MAX_WORKERS);
		return -EINVAL;
	}
	hw = &workers[id];
	hw->w = w;
	hw->listener = tcpe_listen(w, 0, opt_port, HTTPD_BACKLOG,
	    &listen_handlers, hw);
	if (hw->listener == NULL) {
		fprintf(stderr, "tcpe-httpd: worker %u: listen on port %u: %s\n",
		    id, opt_port, strerror(errno));
		return -errno;
	}
	/* The last worker to be ready says so. */
	if (atomic_fetch_add(&workers_ready, 1) + 1 >= nworkers_started) {
		tcpe_sock_addr(hw->listener, &laddr, &lport, NULL, NULL);
		print_addr(a, sizeof(a), laddr != 0 ? laddr : engine_addr);
		printf("tcpe-httpd: listening on %s port %u, device %s, "
		    "%u worker%s: ready\n", a, lport, engine_device,
		    nworkers_started, nworkers_started == 1 ? "" : "s");
		fflush(stdout);
	}
	return 0;
}

/* What the engine runs on, for the ready line. */
static void
engine_describe(void)
{
#ifdef TCPE_HAVE_ENGINE_INFO
	struct tcpe_engine_info info;

	if (tcpe_engine_info(engine, &info) == 0) {
		nworkers_started = info.workers;
		snprintf(engine_device, sizeof(engine_device), "%s",
		    info.device);
		engine_addr = info.addr;
	}
#endif
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tcpe-httpd [tcpe options] [--] [--port N] [--max-body N]\n"
	    "           [--linger SECS] [--lingering-timeout SECS]\n"
	    "  tcpe options: --config FILE, --set section.key=value "
	    "(repeatable), --help-config\n"
	    "  --port N       TCP port to listen on (default 80)\n"
	    "  --max-body N   largest request body accepted, bytes "
	    "(default %u); larger is 413\n"
	    "  --linger SECS  SO_LINGER {1, SECS} on accepted connections "
	    "(0..86400;\n"
	    "                 0: abortive close, an RST after the response)\n"
	    "  --lingering-timeout SECS  give a lingering close up after SECS "
	    "s without\n"
	    "                 input from the client (default 5; 0: never)\n"
	    "SIGUSR1 prints the connection states and the counters.\n"
	    "Routes: GET|HEAD /, GET|HEAD /bytes/N (byte i = i mod 251), "
	    "POST /echo\n", HTTP_DEFAULT_MAX_BODY);
}

/* The server's options, argv[i..argc). Returns 0, or -1 after a message. */
static int
parse_options(int argc, char **argv, int i)
{
	uint64_t v;

	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			if (app_parse_u64(argv[++i], 65535, &v) != 0 || v == 0) {
				fprintf(stderr, "tcpe-httpd: --port: \"%s\" is "
				    "not in 1..65535\n", argv[i]);
				return -1;
			}
			opt_port = (uint16_t)v;
		} else if (strcmp(argv[i], "--max-body") == 0 &&
		    i + 1 < argc) {
			if (app_parse_u64(argv[++i], UINT64_MAX, &v) != 0) {
				fprintf(stderr, "tcpe-httpd: --max-body: \"%s\" "
				    "is not a decimal integer\n", argv[i]);
				return -1;
			}
			limits.max_body = v;
		} else if (strcmp(argv[i], "--linger") == 0 && i + 1 < argc) {
			if (app_parse_u64(argv[++i], 86400, &v) != 0) {
				fprintf(stderr, "tcpe-httpd: --linger: \"%s\" "
				    "is not in 0..86400\n", argv[i]);
				return -1;
			}
			opt_linger = (int64_t)v;
		} else if (strcmp(argv[i], "--lingering-timeout") == 0 &&
		    i + 1 < argc) {
			if (app_parse_u64(argv[++i], 86400, &v) != 0) {
				fprintf(stderr, "tcpe-httpd: "
				    "--lingering-timeout: \"%s\" is not in "
				    "0..86400\n", argv[i]);
				return -1;
			}
			opt_lingering_ns = v * 1000000000ULL;
		} else {
			fprintf(stderr, "tcpe-httpd: unknown option \"%s\"%s\n",
			    argv[i], i + 1 == argc && (strcmp(argv[i],
			    "--port") == 0 || strcmp(argv[i], "--max-body") ==
			    0 || strcmp(argv[i], "--linger") == 0 ||
			    strcmp(argv[i], "--lingering-timeout") == 0) ?
			    " (needs a value)" : "");
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

/*
 * The server's counters: at exit with OpenAtExit (connections open when
 * the loop ended), in a SIGUSR1 report with Open (open now; read from
 * worker 0 while the others run, as tcpe_print_states() does).
 */
static void
print_counters(FILE *f, bool at_exit)
{
	uint64_t sum[C_N] = { 0 }, open = 0;
	unsigned int i, j;

	for (i = 0; i < HTTPD_MAX_WORKERS; i++) {
		for (j = 0; j < C_N; j++)
			sum[j] += workers[i].ctr[j];
		open += at_exit ? workers[i].open_at_exit : workers[i].open;
	}
	fprintf(f, "Httpd:\n");
	for (j = 0; j < C_N; j++)
		fprintf(f, "    %s: %" PRIu64 "\n", ctr_name[j], sum[j]);
	fprintf(f, "    %s: %" PRIu64 "\n", at_exit ? "OpenAtExit" : "Open",
	    open);
}

/*
 * The poll hook, on every worker each loop iteration: give up the
 * lingering closes that timed out, and on worker 0 print the report
 * SIGUSR1 asked for.
 */
static void
worker_poll(struct tcpe_worker *w, void *arg)
{
	struct hworker *hw = &workers[tcpe_worker_id(w)];
	struct hconn *hc;
	uint64_t now;

	(void)arg;
	if (hw->lhead != NULL) {
		now = tcpe_worker_now(w);
		while ((hc = hw->lhead) != NULL && hc->ldeadline <= now) {
			hw->ctr[C_LINGER_TIMEOUTS]++;
			conn_close(hc);
		}
	}
	if (report_signal && tcpe_worker_id(w) == 0) {
		report_signal = 0;
		reports++;
		printf("tcpe-httpd: report %u\n", reports);
		tcpe_print_states(engine, stdout);
		print_counters(stdout, false);
		tcpe_print_counters(engine, stdout);
		printf("tcpe-httpd: end of report %u\n", reports);
		fflush(stdout);
	}
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	int i, n, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	}
	for (i = 0; i < PATTERN_LEN; i++)
		pattern[i] = (uint8_t)(i % PATTERN_PERIOD);
	http_limits_default(&limits);

	/*
	 * Check the server's options before tcpe_init() starts the EAL and
	 * creates the device; tcpe_init() then says where they really start.
	 */
	if (parse_options(argc, argv, tcpe_app_args(argc, argv)) != 0)
		return 2;
	n = tcpe_init(argc, argv, &engine);
	if (n < 0)
		return 1;
	if (parse_options(argc, argv, 1 + n) != 0) {
		tcpe_fini(engine);
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_report_signal;
	sigaction(SIGUSR1, &sa, NULL);

	engine_describe();
	(void)tcpe_set_poll_hook(engine, worker_poll, NULL);
	rc = tcpe_run(engine, worker_setup, NULL);
	if (rc != 0)
		fprintf(stderr, "tcpe-httpd: tcpe_run: %s\n", strerror(-rc));
	if (stop_signal != 0)
		printf("tcpe-httpd: %s: stopping\n",
		    stop_signal == SIGINT ? "SIGINT" : "SIGTERM");

	/*
	 * The loop is over: give back what the connections still hold
	 * (views, a partly sent buffer) and close them, so that the pool's
	 * count of mbufs in use is back to its baseline when the engine
	 * prints it.
	 */
	for (i = 0; i < HTTPD_MAX_WORKERS; i++) {
		workers[i].open_at_exit = workers[i].open;
		while (workers[i].conns != NULL) {
			struct hconn *hc = workers[i].conns;

			conn_close(hc);
		}
	}
	tcpe_print_states(engine, stdout);
	print_counters(stdout, true);
	tcpe_print_counters(engine, stdout);
	fflush(stdout);
	tcpe_fini(engine);
	return rc == 0 ? 0 : 1;
}
