/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpe-load: an HTTP/1.1 load generator on tcpe's zero-copy API.
 *
 *	tcpe-load [tcpe options] [--] URL [options]
 *
 * tcpe options come first (--config FILE, --set section.key=value,
 * --help-config; tcpe_init() parses them), then the URL
 * (http://A.B.C.D[:PORT][/PATH]) and tcpe-load's own options (usage()).
 *
 * Modes:
 *  - keep-alive (default): -c connections are kept open, each sends one
 *    request at a time (no pipelining) and the next as soon as the answer
 *    is complete; after -r requests (0: no limit) the client closes the
 *    connection (--close client, the client goes through TIME_WAIT) or
 *    asks the server to (--close server: the last request carries
 *    "Connection: close") and a new connection takes its place;
 *  - short (--short): every connection carries one request and is
 *    closed: by the server (--close server, the default: the request has
 *    "Connection: close", the server's side goes through TIME_WAIT) or by
 *    the client (--close client: the client closes once the answer is
 *    complete and goes through TIME_WAIT itself).
 *
 * --rate N paces requests (keep-alive) or new connections (short) at N
 * per second overall, from the loop's clock; without it, as fast as the
 * responses come. The run ends after -d seconds or -n requests
 * (whichever comes first; -n alone runs until done), or at SIGINT.
 *
 * Measures: one progress line per second (conn/s, req/s, Gbit/s
 * received, active connections, errors by kind), and a final summary
 * with the latency of each request (from its first byte handed to the
 * engine to the last byte of its answer, both read from the loop's
 * clock, tcpe_worker_now()) and of each connect (SYN to established) as
 * percentiles of a log-linear histogram (load_hist.h); --json FILE
 * writes the same summary as JSON.
 *
 * How it uses the API: the request head (and as much body as fits) is
 * written in place into one engine buffer (tcpe_txbuf_get()), a larger
 * body is attached from a static array (tcpe_send_ext(), no copy).
 * Answers are parsed in place in the received views (http_resp.c) and the
 * views released at once. Connections are slots of a fixed array per
 * worker, the socket's context; callbacks drive them, and the poll hook
 * (tcpe_set_poll_hook()) opens connections and starts paced requests,
 * checks the end of the run and prints the progress line.
 *
 * Client addresses and port ranges: --src A[,B...], --lport LO-HI and
 * --rport LO-HI make every connect go through tcpe_connect_from() with
 * the next (address, server port, local port) of their product, so a run
 * can hold more than 64 k connections to one server address (one
 * worker; with several, each worker takes its share of --lport).
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
#include <time.h>

#include <tcpe/tcpe.h>

#include "app_opts.h"
#include "http_resp.h"
#include "load_hist.h"

#define LOAD_MAX_WORKERS	128
#define LOAD_RX_VIEWS		32
#define LOAD_MAX_SRC		64
#define LOAD_MAX_BODY		(64u << 20)
#define NS			1000000000ULL

/* Counters, per worker; errors by kind first. */
#define LOAD_CTR_LIST(X) \
	X(E_REFUSED, "refused") /* connect answered by RST */ \
	X(E_TIMEOUT, "timeout") /* connect or connection timed out */ \
	X(E_RESET, "reset") /* reset while established */ \
	X(E_NOPORT, "noport") /* no free local port or tuple */ \
	X(E_NOMEM, "nomem") /* table full, no memory, no buffer */ \
	X(E_PARSE, "parse") /* malformed answer, or bytes unasked for */ \
	X(E_EOF, "eof") /* closed before the answer was complete */ \
	X(E_STATUS, "status") /* answers other than 2xx */ \
	X(CONNECTS, "connects") /* connections opened (SYN sent) */ \
	X(ESTABLISHED, "established") /* connections established */ \
	X(CLOSED, "closed") /* connections given back */ \
	X(REQUESTS, "requests") /* requests started */ \
	X(RESPONSES, "responses") /* answers complete */ \
	X(S1XX, "1xx") \
	X(S2XX, "2xx") \
	X(S3XX, "3xx") \
	X(S4XX, "4xx") \
	X(S5XX, "5xx") \
	X(RX_BYTES, "rx_bytes") /* TCP payload received */ \
	X(TX_BYTES, "tx_bytes") /* TCP payload queued */ \
	X(BODY_BYTES, "body_bytes") /* answer body bytes */ \
	X(CLIENT_CLOSES, "client_closes") /* the client closed first */ \
	X(SERVER_CLOSES, "server_closes") /* the server closed first */ \
	X(SHORT_SENDS, "short_sends") /* sends cut short by a full buffer */

enum {
#define LOAD_CTR_ENUM(id, name) C_##id,
	LOAD_CTR_LIST(LOAD_CTR_ENUM)
#undef LOAD_CTR_ENUM
	C_N
};

static const char *const ctr_name[C_N] = {
#define LOAD_CTR_NAME(id, name) name,
	LOAD_CTR_LIST(LOAD_CTR_NAME)
#undef LOAD_CTR_NAME
};

#define C_ERR_FIRST	C_E_REFUSED
#define C_ERR_LAST	C_E_STATUS

/* Slot states. */
enum {
	S_FREE,		/* no connection: waiting to open one */
	S_CONNECTING,	/* SYN sent */
	S_IDLE,		/* established, waiting to start a request */
	S_BUSY,		/* request (partly) sent, waiting for its answer */
	S_WAIT_EOF,	/* last answer read, waiting for the server's FIN */
};

struct lworker;

/* One connection slot: the socket's context. */
struct lconn {
	struct lworker *lw;
	struct tcpe_sock *s;
	struct lconn *next;	/* in the free or idle list */
	uint8_t st;
	bool listed;		/* in a list */
	bool last;		/* this request is the connection's last */
	uint32_t reqs;		/* requests started on this connection */
	uint64_t t_conn;	/* ns: connect started */
	uint64_t t_req;		/* ns: request started */
	/* Pending output of the request: tb (tb_len bytes), then body. */
	struct tcpe_txbuf tb;
	uint32_t tb_len;
	uint64_t body_off;	/* next body byte to attach */
	struct http_resp p;
};

struct lworker {
	struct tcpe_worker *w;
	unsigned int id;
	struct lconn *slots;
	uint32_t nslots;
	struct lconn *free_head, *idle_head;
	uint64_t active;	/* slots with a connection */
	uint64_t connecting;
	bool probed;		/* a first connection was established */
	/* Pacing and limits: this worker's share. */
	double rate;		/* per second, 0: none */
	uint64_t t_start;	/* ns: pacing and duration start */
	uint64_t tokens_used;
	uint64_t limit;		/* requests, 0: none */
	uint64_t issued;	/* requests started (warm-up included) */
	uint64_t ended;		/* requests answered or failed */
	bool done;		/* limit reached and everything ended */
	/* Connect cursor over (src, rport, lport). */
	uint64_t cursor;
	uint32_t lport_lo, lport_n;
	uint64_t ctr[C_N];
	struct load_hist lat;	/* request latency, ns */
	struct load_hist clat;	/* connect latency, ns */
} __attribute__((aligned(64)));

/* Options. */
static uint32_t opt_addr;
static uint16_t opt_port = 80;
static char opt_path[1024] = "/";
static const char *opt_method = "GET";
static char opt_host[300];
static uint64_t opt_conns = 10;
static uint64_t opt_requests;		/* 0: no limit */
static double opt_duration = -1;	/* s; < 0: not given */
static double opt_warmup;
static uint64_t opt_per_conn;		/* 0: no limit */
static bool opt_short;
static bool opt_close_server = true;	/* who closes first */
static bool opt_close_given;
static double opt_rate;
static uint64_t opt_body;
static const char *opt_json;
static bool opt_quiet;
static bool opt_counters;
static uint32_t opt_src[LOAD_MAX_SRC];
static unsigned int opt_nsrc;
static uint32_t opt_lport_lo, opt_lport_hi;
static uint32_t opt_rport_lo, opt_rport_hi;
static bool opt_from;			/* use tcpe_connect_from() */

/* The requests: keep-alive and with "Connection: close". */
static char req_ka[2048], req_close[2048];
static uint32_t req_ka_len, req_close_len;
static uint8_t *body;

static struct tcpe_engine *engine;
static struct lworker workers[LOAD_MAX_WORKERS];
static unsigned int nworkers = 1;
static atomic_uint workers_ready;
static volatile sig_atomic_t stop_signal;
static atomic_bool stopping;

/* Worker 0's reporting state. */
static uint64_t t0;			/* ns: measured part starts */
static uint64_t t_end;			/* ns: run ends (0: no duration) */
static uint64_t t_next_report;
static bool warm;			/* warm-up over, counters reset */
static uint64_t last_ctr[C_N];
static uint64_t last_t;
static unsigned int seconds;

static void slot_next(struct lconn *lc);

static void
on_signal(int sig)
{
	stop_signal = sig;
	if (engine != NULL)
		tcpe_stop(engine);
}

/* --- lists ------------------------------------------------------------- */

static void
push(struct lconn **head, struct lconn *lc)
{
	lc->next = *head;
	*head = lc;
	lc->listed = true;
}

static struct lconn *
pop(struct lconn **head)
{
	struct lconn *lc = *head;

	if (lc != NULL) {
		*head = lc->next;
		lc->next = NULL;
		lc->listed = false;
	}
	return lc;
}

/* --- pacing and limits ------------------------------------------------- */

/* Is a paced action (request or connect) due now? */
static bool
token_ready(const struct lworker *lw)
{
	uint64_t now, allowed;

	if (lw->rate <= 0.0)
		return true;
	now = tcpe_worker_now(lw->w);
	allowed = (uint64_t)((double)(now - lw->t_start) * lw->rate / 1e9) + 1;
	return lw->tokens_used < allowed;
}

/* Take the next paced action's token, if it is due. */
static bool
take_token(struct lworker *lw)
{
	if (!token_ready(lw))
		return false;
	lw->tokens_used++;
	return true;
}

/* May a new request start (the -n limit)? */
static bool
may_start(const struct lworker *lw)
{
	return !atomic_load_explicit(&stopping, memory_order_relaxed) &&
	    (lw->limit == 0 || lw->issued < lw->limit);
}

/* A started request ended (answered or failed). */
static void
request_ended(struct lworker *lw)
{
	lw->ended++;
	if (lw->limit != 0 && lw->ended >= lw->limit)
		lw->done = true;
}

/* --- connections ------------------------------------------------------- */

static void on_connected(struct tcpe_sock *s, void *ctx);
static void on_readable(struct tcpe_sock *s, void *ctx);
static void on_writable(struct tcpe_sock *s, void *ctx);
static void on_error(struct tcpe_sock *s, int err, void *ctx);
static void on_closed(struct tcpe_sock *s, void *ctx);

static const struct tcpe_handlers conn_handlers = {
	.connected = on_connected,
	.readable = on_readable,
	.writable = on_writable,
	.eof = on_readable,	/* slot_read() sees the end */
	.error = on_error,
	.closed = on_closed,
};

static void
count_errno(struct lworker *lw, int err)
{
	switch (err) {
	case EADDRNOTAVAIL:
	case EADDRINUSE:
		lw->ctr[C_E_NOPORT]++;
		break;
	case ECONNREFUSED:
		lw->ctr[C_E_REFUSED]++;
		break;
	case ETIMEDOUT:
		lw->ctr[C_E_TIMEOUT]++;
		break;
	case ECONNRESET:
	case EPIPE:
	case ENOTCONN:
		lw->ctr[C_E_RESET]++;
		break;
	default:
		lw->ctr[C_E_NOMEM]++;
		break;
	}
}

/*
 * Give the slot's connection up (tcpe_close(): the engine finishes the
 * close on its own) and put the slot back in the free list. A request in
 * flight counts as ended.
 */
static void
slot_release(struct lconn *lc, bool failed)
{
	struct lworker *lw = lc->lw;

	if (lc->st == S_BUSY && failed)
		request_ended(lw);
	if (lc->tb_len > 0) {
		tcpe_txbuf_put(&lc->tb);
		lc->tb_len = 0;
	}
	if (lc->st == S_CONNECTING)
		lw->connecting--;
	if (lc->s != NULL) {
		tcpe_close(lc->s);
		lc->s = NULL;
		lw->active--;
		lw->ctr[C_CLOSED]++;
	}
	lc->st = S_FREE;
	slot_next(lc);
}

/* Open a connection for a free slot. Returns 0, or -1 (counted). */
static int
slot_connect(struct lconn *lc)
{
	struct lworker *lw = lc->lw;
	uint32_t laddr = 0, nr, k, tries, combos;
	uint16_t lport = 0, rport = opt_port;
	struct tcpe_sock *s = NULL;
	uint64_t c;

	if (!opt_from) {
		s = tcpe_connect(lw->w, opt_addr, opt_port, &conn_handlers, lc);
	} else {
		nr = opt_rport_hi - opt_rport_lo + 1;
		combos = (lw->lport_n ? lw->lport_n : 1) * nr *
		    (opt_nsrc ? opt_nsrc : 1);
		tries = combos < 64 ? combos : 64;
		for (k = 0; k < tries && s == NULL; k++) {
			c = lw->cursor++;
			if (opt_nsrc > 0) {
				laddr = opt_src[c % opt_nsrc];
				c /= opt_nsrc;
			}
			rport = (uint16_t)(opt_rport_lo + c % nr);
			c /= nr;
			if (lw->lport_n > 0)
				lport = (uint16_t)(lw->lport_lo +
				    c % lw->lport_n);
			s = tcpe_connect_from(lw->w, laddr, lport, opt_addr,
			    rport, &conn_handlers, lc);
			if (s == NULL && errno != EADDRINUSE)
				break;
		}
	}
	if (s == NULL) {
		count_errno(lw, errno);
		return -1;
	}
	lc->s = s;
	lc->st = S_CONNECTING;
	lc->reqs = 0;
	lc->t_conn = tcpe_worker_now(lw->w);
	http_resp_init(&lc->p, strcmp(opt_method, "HEAD") == 0);
	lw->active++;
	lw->connecting++;
	lw->ctr[C_CONNECTS]++;
	/* Short replies go out at once; a request is one write. */
	(void)tcpe_set_nodelay(s, 1);
	return 0;
}

/* Push the pending request bytes. Returns 0, or -1: the send failed. */
static int
slot_flush(struct lconn *lc)
{
	struct lworker *lw = lc->lw;
	uint64_t left;
	uint32_t len;
	int r;

	if (lc->tb_len > 0) {
		r = tcpe_send(lc->s, &lc->tb, lc->tb_len);
		if (r < 0)
			return -1;
		lw->ctr[C_TX_BYTES] += (uint32_t)r;
		if ((uint32_t)r < lc->tb_len) {
			lc->tb_len -= (uint32_t)r;
			lw->ctr[C_SHORT_SENDS]++;
			return 0;
		}
		lc->tb_len = 0;
	}
	while (lc->body_off < opt_body) {
		left = opt_body - lc->body_off;
		len = left > (1u << 20) ? (1u << 20) : (uint32_t)left;
		r = tcpe_send_ext(lc->s, body + lc->body_off, len, NULL, NULL);
		if (r < 0)
			return r == -ENOBUFS || r == -ENOMEM ? 0 : -1;
		lc->body_off += (uint32_t)r;
		lw->ctr[C_TX_BYTES] += (uint32_t)r;
		if ((uint32_t)r < len) {
			lw->ctr[C_SHORT_SENDS]++;
			return 0;
		}
	}
	return 0;
}

/*
 * Start a request on an idle connection: head and as much body as fits
 * in one engine buffer, the rest of the body attached. Returns 0 or -1
 * (the slot was released).
 */
static int
slot_request(struct lconn *lc)
{
	struct lworker *lw = lc->lw;
	const char *head;
	uint32_t hlen, n;

	lc->reqs++;
	lc->last = opt_short || (opt_per_conn != 0 && lc->reqs >= opt_per_conn);
	/* The server closes first: say so in the last request. */
	if (lc->last && opt_close_server) {
		head = req_close;
		hlen = req_close_len;
	} else {
		head = req_ka;
		hlen = req_ka_len;
	}
	if (tcpe_txbuf_get(lw->w, &lc->tb) != 0) {
		lw->ctr[C_E_NOMEM]++;
		lc->st = S_IDLE;
		slot_release(lc, false);
		return -1;
	}
	memcpy(lc->tb.data, head, hlen);
	n = lc->tb.room - hlen;
	if (n > opt_body)
		n = (uint32_t)opt_body;
	memcpy(lc->tb.data + hlen, body, n);
	lc->tb_len = hlen + n;
	lc->body_off = n;
	lc->st = S_BUSY;
	lc->t_req = tcpe_worker_now(lw->w);
	lw->ctr[C_REQUESTS]++;
	lw->issued++;
	if (slot_flush(lc) != 0) {
		count_errno(lw, ECONNRESET);
		slot_release(lc, true);
		return -1;
	}
	return 0;
}

/*
 * What a slot does next: a free slot opens a connection, an idle one
 * starts a request, when the limits and the pacing allow; otherwise it
 * waits in the free or idle list for the poll hook.
 */
static void
slot_next(struct lconn *lc)
{
	struct lworker *lw = lc->lw;

	if (lc->listed)
		return;
	if (lc->st == S_FREE) {
		if (!may_start(lw) || (!lw->probed && lw->connecting > 0) ||
		    (opt_short && !take_token(lw))) {
			push(&lw->free_head, lc);
			return;
		}
		if (slot_connect(lc) != 0)
			push(&lw->free_head, lc);
		return;
	}
	if (lc->st == S_IDLE) {
		if (!may_start(lw)) {
			/* The run is over for this connection. */
			if (lw->limit != 0) {
				slot_release(lc, false);
				return;
			}
			push(&lw->idle_head, lc);
			return;
		}
		if (!opt_short && !take_token(lw)) {
			push(&lw->idle_head, lc);
			return;
		}
		(void)slot_request(lc);
	}
}

/* The answer to the slot's request is complete. */
static void
response_done(struct lconn *lc)
{
	struct lworker *lw = lc->lw;
	int st = lc->p.status;

	load_hist_record(&lw->lat, tcpe_worker_now(lw->w) - lc->t_req);
	lw->ctr[C_RESPONSES]++;
	lw->ctr[C_BODY_BYTES] += lc->p.body_bytes;
	if (st >= 500)
		lw->ctr[C_S5XX]++;
	else if (st >= 400)
		lw->ctr[C_S4XX]++;
	else if (st >= 300)
		lw->ctr[C_S3XX]++;
	else if (st >= 200)
		lw->ctr[C_S2XX]++;
	if (st < 200 || st >= 300)
		lw->ctr[C_E_STATUS]++;
	request_ended(lw);
}

/*
 * Read and parse what arrived. Answers complete on the way are counted;
 * then the slot goes on (next request, close, wait for the FIN).
 */
static void
slot_read(struct lconn *lc)
{
	struct lworker *lw = lc->lw;
	struct tcpe_rx rx[LOAD_RX_VIEWS];
	bool done = false, bad = false, eof = false;
	size_t off, used;
	int n, i, r;

	for (;;) {
		n = tcpe_recv(lc->s, rx, LOAD_RX_VIEWS);
		if (n == -EAGAIN)
			break;
		if (n <= 0) {
			/* 0: EOF; < 0: the error handler counted it. */
			if (n == 0)
				eof = true;
			else
				bad = true;
			break;
		}
		for (i = 0; i < n && !bad; i++) {
			lw->ctr[C_RX_BYTES] += rx[i].len;
			for (off = 0; off < rx[i].len && !bad;) {
				if (lc->st != S_BUSY || done) {
					/* Bytes nobody asked for. */
					lw->ctr[C_E_PARSE]++;
					bad = true;
					break;
				}
				r = http_resp_feed(&lc->p, rx[i].data + off,
				    rx[i].len - off, &used);
				off += used;
				if (r == HTTP_RESP_ERROR) {
					lw->ctr[C_E_PARSE]++;
					bad = true;
				} else if (r == HTTP_RESP_DONE) {
					response_done(lc);
					done = true;
				}
			}
		}
		tcpe_rx_release(lc->s, rx, (unsigned int)n);
		if (bad)
			break;
	}
	if (bad) {
		if (lc->st == S_BUSY && !done)
			request_ended(lw);
		lc->st = S_IDLE;
		tcpe_abort(lc->s);
		slot_release(lc, false);
		return;
	}
	if (eof && lc->st == S_BUSY && !done) {
		/* A body delimited by the close, or an answer cut short. */
		if (http_resp_eof(&lc->p) == HTTP_RESP_DONE) {
			response_done(lc);
			done = true;
		} else {
			lw->ctr[C_E_EOF]++;
			request_ended(lw);
			lc->st = S_IDLE;
			slot_release(lc, false);
			return;
		}
	}
	if (done) {
		lc->st = S_IDLE;
		if (!lc->last && lc->p.keep_alive && !eof) {
			slot_next(lc);
			return;
		}
		if (!lc->p.keep_alive || eof || opt_close_server) {
			/* The server closes first: wait for its FIN. */
			lc->st = S_WAIT_EOF;
		} else {
			lw->ctr[C_CLIENT_CLOSES]++;
			slot_release(lc, false);
			return;
		}
	}
	if (eof) {
		if (lc->st == S_WAIT_EOF)
			lw->ctr[C_SERVER_CLOSES]++;
		lc->st = S_IDLE;
		slot_release(lc, false);
	}
}

/* --- callbacks --------------------------------------------------------- */

static void
on_connected(struct tcpe_sock *s, void *ctx)
{
	struct lconn *lc = ctx;
	struct lworker *lw = lc->lw;

	(void)s;
	lw->connecting--;
	lw->ctr[C_ESTABLISHED]++;
	load_hist_record(&lw->clat, tcpe_worker_now(lw->w) - lc->t_conn);
	lc->st = S_IDLE;
	lw->probed = true;	/* the poll hook opens the others now */
	slot_next(lc);
}

/* Data or the end of the stream: slot_read() takes either. */
static void
on_readable(struct tcpe_sock *s, void *ctx)
{
	struct lconn *lc = ctx;

	(void)s;
	if (lc->st == S_CONNECTING)
		return;
	slot_read(lc);
}

static void
on_writable(struct tcpe_sock *s, void *ctx)
{
	struct lconn *lc = ctx;

	(void)s;
	if (lc->st != S_BUSY)
		return;
	if (slot_flush(lc) != 0) {
		count_errno(lc->lw, ECONNRESET);
		slot_release(lc, true);
	}
}

static void
on_error(struct tcpe_sock *s, int err, void *ctx)
{
	struct lconn *lc = ctx;

	(void)s;
	count_errno(lc->lw, -err);
	/* closed follows. */
}

static void
on_closed(struct tcpe_sock *s, void *ctx)
{
	struct lconn *lc = ctx;

	(void)s;
	/* Reset, timed out, or a close we did not start: give it up. */
	slot_release(lc, true);
}

/* --- reporting --------------------------------------------------------- */

static void
sum_ctr(uint64_t *sum, uint64_t *active)
{
	unsigned int i, j;

	memset(sum, 0, sizeof(uint64_t) * C_N);
	*active = 0;
	for (i = 0; i < nworkers; i++) {
		for (j = 0; j < C_N; j++)
			sum[j] += workers[i].ctr[j];
		*active += workers[i].active;
	}
}

static void
progress(uint64_t now)
{
	uint64_t sum[C_N], active, d[C_N];
	double dt = (double)(now - last_t) / 1e9;
	unsigned int j;

	sum_ctr(sum, &active);
	for (j = 0; j < C_N; j++)
		d[j] = sum[j] - last_ctr[j];
	seconds++;
	if (!opt_quiet) {
		printf("tcpe-load: %4us conn/s %9.0f req/s %10.0f Gbit/s %7.3f "
		    "active %6" PRIu64 " errors", seconds,
		    (double)d[C_ESTABLISHED] / dt, (double)d[C_RESPONSES] / dt,
		    (double)d[C_RX_BYTES] * 8 / dt / 1e9, active);
		for (j = C_ERR_FIRST; j <= C_ERR_LAST; j++)
			printf(" %s %" PRIu64, ctr_name[j], d[j]);
		printf("%s\n", warm ? "" : " (warm-up)");
		fflush(stdout);
	}
	memcpy(last_ctr, sum, sizeof(last_ctr));
	last_t = now;
}

/* Start the measured part: counters and histograms from zero. */
static void
reset_stats(uint64_t now)
{
	unsigned int i;

	for (i = 0; i < nworkers; i++) {
		memset(workers[i].ctr, 0, sizeof(workers[i].ctr));
		load_hist_init(&workers[i].lat);
		load_hist_init(&workers[i].clat);
	}
	memset(last_ctr, 0, sizeof(last_ctr));
	t0 = now;
	last_t = now;
	if (opt_duration >= 0)
		t_end = now + (uint64_t)(opt_duration * 1e9);
	warm = true;
}

/* --- the poll hook ----------------------------------------------------- */

static void
worker_poll(struct tcpe_worker *w, void *arg)
{
	struct lworker *lw = &workers[tcpe_worker_id(w)];
	struct lconn *lc;
	uint64_t now;
	unsigned int i;
	bool all_done;

	(void)arg;
	if (lw->id == 0 && !warm && tcpe_worker_now(w) >= t0)
		reset_stats(tcpe_worker_now(w));
	/* Free slots open connections, idle ones start requests. */
	while (lw->free_head != NULL && may_start(lw) &&
	    (lw->probed || lw->connecting == 0) &&
	    (!opt_short || token_ready(lw))) {
		lc = pop(&lw->free_head);
		slot_next(lc);
		if (lc->listed)
			break;	/* it could not: try again later */
	}
	while (lw->idle_head != NULL && may_start(lw) &&
	    (opt_short || token_ready(lw))) {
		lc = pop(&lw->idle_head);
		slot_next(lc);
		if (lc->listed)
			break;
	}
	if (lw->id != 0)
		return;
	now = tcpe_worker_now(w);
	if (now >= t_next_report) {
		progress(now);
		t_next_report = now + NS;
	}
	if (atomic_load_explicit(&stopping, memory_order_relaxed))
		return;
	all_done = opt_requests != 0;
	for (i = 0; i < nworkers && all_done; i++)
		all_done = workers[i].done;
	if (all_done || (warm && t_end != 0 && now >= t_end)) {
		/* What is in flight now is not counted. */
		atomic_store(&stopping, true);
		if (warm && last_t < now)
			progress(now);
		t_end = now;
		tcpe_stop(engine);
	}
}

static int
worker_setup(struct tcpe_worker *w, void *arg)
{
	unsigned int id = tcpe_worker_id(w);
	struct lworker *lw;
	uint64_t per, i;
	uint32_t n;

	(void)arg;
	if (id >= LOAD_MAX_WORKERS) {
		fprintf(stderr, "tcpe-load: worker %u: at most %u workers\n",
		    id, LOAD_MAX_WORKERS);
		return -EINVAL;
	}
	lw = &workers[id];
	lw->w = w;
	lw->id = id;
	per = opt_conns / nworkers + (id < opt_conns % nworkers);
	lw->nslots = (uint32_t)per;
	lw->slots = calloc(per ? per : 1, sizeof(*lw->slots));
	if (lw->slots == NULL)
		return -ENOMEM;
	lw->rate = opt_rate / nworkers;
	if (opt_requests != 0) {
		lw->limit = opt_requests / nworkers +
		    (id < opt_requests % nworkers);
		if (lw->limit == 0)
			lw->done = true;
	}
	if (opt_lport_lo != 0) {
		n = (opt_lport_hi - opt_lport_lo + 1) / nworkers;
		lw->lport_lo = opt_lport_lo + id * n;
		lw->lport_n = id + 1 == nworkers ?
		    opt_lport_hi - lw->lport_lo + 1 : n;
	}
	load_hist_init(&lw->lat);
	load_hist_init(&lw->clat);
	lw->t_start = tcpe_worker_now(w);
	for (i = per; i > 0; i--) {
		lw->slots[i - 1].lw = lw;
		push(&lw->free_head, &lw->slots[i - 1]);
	}
	if (atomic_fetch_add(&workers_ready, 1) + 1 >= nworkers) {
		printf("tcpe-load: ready, %u worker%s\n", nworkers,
		    nworkers == 1 ? "" : "s");
		fflush(stdout);
	}
	if (id == 0) {
		t0 = lw->t_start + (uint64_t)(opt_warmup * 1e9);
		last_t = lw->t_start;
		t_next_report = lw->t_start + NS;
	}
	return 0;
}

/* --- summary ----------------------------------------------------------- */

static void
print_addr(char *buf, size_t len, uint32_t a)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
	    (a >> 8) & 0xff, a & 0xff);
}

static void
hist_line(FILE *f, const char *name, const struct load_hist *h)
{
	fprintf(f, "  %-9s p50 %9.1f  p90 %9.1f  p99 %9.1f  p99.9 %9.1f  "
	    "max %9.1f  mean %9.1f us (%" PRIu64 ")\n", name,
	    load_hist_percentile(h, 50) / 1e3,
	    load_hist_percentile(h, 90) / 1e3,
	    load_hist_percentile(h, 99) / 1e3,
	    load_hist_percentile(h, 99.9) / 1e3,
	    (double)(h->count ? h->max : 0) / 1e3, load_hist_mean(h) / 1e3,
	    h->count);
}

static void
hist_json(FILE *f, const char *name, const struct load_hist *h)
{
	fprintf(f, "  \"%s\": {\"count\": %" PRIu64 ", \"min\": %" PRIu64
	    ", \"p50\": %" PRIu64 ", \"p90\": %" PRIu64 ", \"p99\": %" PRIu64
	    ", \"p99_9\": %" PRIu64 ", \"max\": %" PRIu64 ", \"mean\": %.1f}",
	    name, h->count, h->count ? h->min : 0,
	    load_hist_percentile(h, 50), load_hist_percentile(h, 90),
	    load_hist_percentile(h, 99), load_hist_percentile(h, 99.9),
	    h->count ? h->max : 0, load_hist_mean(h));
}

static void
summary(double secs)
{
	static struct load_hist lat, clat;
	uint64_t sum[C_N], active, errs = 0, all;
	char a[16];
	unsigned int i, j;
	FILE *f;

	sum_ctr(sum, &active);
	load_hist_init(&lat);
	load_hist_init(&clat);
	for (i = 0; i < nworkers; i++) {
		load_hist_merge(&lat, &workers[i].lat);
		load_hist_merge(&clat, &workers[i].clat);
	}
	for (j = C_ERR_FIRST; j <= C_ERR_LAST; j++)
		errs += sum[j];
	if (secs <= 0)
		secs = 1e-9;
	print_addr(a, sizeof(a), opt_addr);
	printf("tcpe-load: summary: %s http://%s:%u%s, %s, %" PRIu64
	    " connections, %.2f s\n", opt_method, a, opt_port, opt_path,
	    opt_short ? "short connections" : "keep-alive", opt_conns, secs);
	printf("  connections  %" PRIu64 " opened, %" PRIu64 " established, %"
	    PRIu64 " closed (client first %" PRIu64 ", server first %" PRIu64
	    "): %.0f conn/s\n", sum[C_CONNECTS], sum[C_ESTABLISHED],
	    sum[C_CLOSED], sum[C_CLIENT_CLOSES], sum[C_SERVER_CLOSES],
	    (double)sum[C_ESTABLISHED] / secs);
	printf("  requests     %" PRIu64 " sent, %" PRIu64 " answered: %.0f "
	    "req/s; 2xx %" PRIu64 " 3xx %" PRIu64 " 4xx %" PRIu64 " 5xx %"
	    PRIu64 "\n", sum[C_REQUESTS], sum[C_RESPONSES],
	    (double)sum[C_RESPONSES] / secs, sum[C_S2XX], sum[C_S3XX],
	    sum[C_S4XX], sum[C_S5XX]);
	printf("  transfer     %" PRIu64 " bytes received (%.3f Gbit/s), %"
	    PRIu64 " sent (%.3f Gbit/s), body %" PRIu64 "\n",
	    sum[C_RX_BYTES], (double)sum[C_RX_BYTES] * 8 / secs / 1e9,
	    sum[C_TX_BYTES], (double)sum[C_TX_BYTES] * 8 / secs / 1e9,
	    sum[C_BODY_BYTES]);
	printf("  errors       %" PRIu64 ":", errs);
	for (j = C_ERR_FIRST; j <= C_ERR_LAST; j++)
		printf(" %s %" PRIu64, ctr_name[j], sum[j]);
	printf("\n");
	hist_line(stdout, "latency", &lat);
	hist_line(stdout, "connect", &clat);
	fflush(stdout);

	if (opt_json == NULL)
		return;
	f = strcmp(opt_json, "-") == 0 ? stdout : fopen(opt_json, "w");
	if (f == NULL) {
		fprintf(stderr, "tcpe-load: %s: %s\n", opt_json,
		    strerror(errno));
		return;
	}
	fprintf(f, "{\n  \"url\": \"http://%s:%u%s\",\n  \"method\": \"%s\",\n"
	    "  \"mode\": \"%s\",\n  \"close\": \"%s\",\n  \"connections\": %"
	    PRIu64 ",\n  \"workers\": %u,\n  \"rate\": %.1f,\n  \"body\": %"
	    PRIu64 ",\n  \"seconds\": %.6f,\n", a, opt_port, opt_path,
	    opt_method, opt_short ? "short" : "keep-alive",
	    opt_close_server ? "server" : "client", opt_conns, nworkers,
	    opt_rate, opt_body, secs);
	fprintf(f, "  \"conn_per_s\": %.1f,\n  \"req_per_s\": %.1f,\n"
	    "  \"rx_gbit_per_s\": %.4f,\n  \"tx_gbit_per_s\": %.4f,\n"
	    "  \"errors\": %" PRIu64 ",\n",
	    (double)sum[C_ESTABLISHED] / secs,
	    (double)sum[C_RESPONSES] / secs,
	    (double)sum[C_RX_BYTES] * 8 / secs / 1e9,
	    (double)sum[C_TX_BYTES] * 8 / secs / 1e9, errs);
	for (i = 0, all = 0; i < nworkers; i++)
		all += workers[i].ended;
	/* Warm-up included: what the engine's own counters cover. */
	fprintf(f, "  \"ended_with_warmup\": %" PRIu64 ",\n", all);
	fprintf(f, "  \"counters\": {");
	for (j = 0; j < C_N; j++)
		fprintf(f, "%s\"%s\": %" PRIu64, j ? ", " : "", ctr_name[j],
		    sum[j]);
	fprintf(f, "},\n");
	hist_json(f, "latency_ns", &lat);
	fprintf(f, ",\n");
	hist_json(f, "connect_ns", &clat);
	fprintf(f, "\n}\n");
	if (f != stdout)
		fclose(f);
	else
		fflush(f);
}

/* --- options ----------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tcpe-load [tcpe options] [--] URL [options]\n"
	    "  tcpe options: --config FILE, --set section.key=value "
	    "(repeatable), --help-config\n"
	    "  URL            http://A.B.C.D[:PORT][/PATH]\n"
	    "  -c N           concurrent connections (default 10)\n"
	    "  -n N           requests in all (default: no limit)\n"
	    "  -d SECS        run time after the warm-up (default 10 without "
	    "-n)\n"
	    "  -r N           requests per connection, keep-alive (default 0:"
	    " no limit)\n"
	    "  --short        one request per connection (connect, request,"
	    " close)\n"
	    "  --close client|server  who closes first (default server:"
	    " \"Connection: close\")\n"
	    "  --rate N       requests/s (keep-alive) or connections/s "
	    "(--short); default: as fast as possible\n"
	    "  --method M     GET (default), HEAD or POST (POST with --body)\n"
	    "  --body N       request body bytes (default 0; POST when > 0)\n"
	    "  --host NAME    Host header (default: the URL's address)\n"
	    "  --src A[,B..]  client addresses (default: the port's)\n"
	    "  --lport LO-HI  local ports (default: ip_local_port_range)\n"
	    "  --rport LO-HI  server ports (default: the URL's)\n"
	    "  --warmup SECS  run before measuring (default 0)\n"
	    "  --json FILE    write the summary as JSON (- for stdout)\n"
	    "  --quiet        no progress line\n"
	    "  --counters     print the engine's counters at the end\n");
}

static int
parse_double(const char *s, double *v)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	return errno != 0 || *end != '\0' || *v < 0 || *v > 1e9 ? -1 : 0;
}

static int
parse_ip(const char *s, size_t len, uint32_t *a)
{
	unsigned int b[4], k = 0, x;
	size_t i = 0;

	for (k = 0; k < 4; k++) {
		if (i >= len || s[i] < '0' || s[i] > '9')
			return -1;
		for (x = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			x = x * 10 + (unsigned int)(s[i] - '0');
			if (x > 255)
				return -1;
		}
		b[k] = x;
		if (k < 3 && (i >= len || s[i++] != '.'))
			return -1;
	}
	if (i != len)
		return -1;
	*a = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	return 0;
}

static int
parse_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	char buf[32], *dash;
	uint64_t a, b;

	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (app_parse_u64(buf, 65535, &a) != 0 || a == 0)
		return -1;
	b = a;
	if (dash != NULL && (app_parse_u64(dash + 1, 65535, &b) != 0 || b < a))
		return -1;
	*lo = (uint32_t)a;
	*hi = (uint32_t)b;
	return 0;
}

static int
parse_url(const char *u)
{
	const char *p, *end, *colon;
	uint64_t port;
	char pb[8];

	if (strncmp(u, "http://", 7) != 0)
		return -1;
	p = u + 7;
	end = p + strcspn(p, "/");
	colon = memchr(p, ':', (size_t)(end - p));
	if (parse_ip(p, (size_t)((colon ? colon : end) - p), &opt_addr) != 0 ||
	    opt_addr == 0)
		return -1;
	if (colon != NULL) {
		if ((size_t)(end - colon - 1) >= sizeof(pb))
			return -1;
		memcpy(pb, colon + 1, (size_t)(end - colon - 1));
		pb[end - colon - 1] = '\0';
		if (app_parse_u64(pb, 65535, &port) != 0 || port == 0)
			return -1;
		opt_port = (uint16_t)port;
	}
	if (*end == '/') {
		if (strlen(end) >= sizeof(opt_path))
			return -1;
		snprintf(opt_path, sizeof(opt_path), "%s", end);
	}
	if (opt_host[0] == '\0') {
		snprintf(opt_host, sizeof(opt_host), "%.*s",
		    (int)(end - p), p);
	}
	return 0;
}

#define NEED_VALUE() \
	do { \
		if (i + 1 >= argc) { \
			fprintf(stderr, "tcpe-load: %s needs a value\n", a); \
			return -1; \
		} \
		v = argv[++i]; \
	} while (0)

static int
bad_value(const char *opt, const char *v)
{
	fprintf(stderr, "tcpe-load: %s: bad value \"%s\"\n", opt, v);
	return -1;
}

static int
parse_options(int argc, char **argv, int i)
{
	const char *a, *v, *p;
	bool url = false;
	char buf[64];
	size_t n;

	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	for (; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "-c") == 0) {
			NEED_VALUE();
			if (app_parse_u64(v, 100000000, &opt_conns) != 0 ||
			    opt_conns == 0)
				return bad_value(a, v);
		} else if (strcmp(a, "-n") == 0) {
			NEED_VALUE();
			if (app_parse_u64(v, UINT64_MAX / 2, &opt_requests) != 0)
				return bad_value(a, v);
		} else if (strcmp(a, "-d") == 0) {
			NEED_VALUE();
			if (parse_double(v, &opt_duration) != 0)
				return bad_value(a, v);
		} else if (strcmp(a, "-r") == 0) {
			NEED_VALUE();
			if (app_parse_u64(v, UINT64_MAX / 2, &opt_per_conn) != 0)
				return bad_value(a, v);
		} else if (strcmp(a, "--short") == 0) {
			opt_short = true;
		} else if (strcmp(a, "--close") == 0) {
			NEED_VALUE();
			if (strcmp(v, "server") == 0)
				opt_close_server = true;
			else if (strcmp(v, "client") == 0)
				opt_close_server = false;
			else
				return bad_value(a, v);
			opt_close_given = true;
		} else if (strcmp(a, "--rate") == 0) {
			NEED_VALUE();
			if (parse_double(v, &opt_rate) != 0)
				return bad_value(a, v);
		} else if (strcmp(a, "--method") == 0) {
			NEED_VALUE();
			if (strcmp(v, "GET") != 0 && strcmp(v, "HEAD") != 0 &&
			    strcmp(v, "POST") != 0)
				return bad_value(a, v);
			opt_method = v;
		} else if (strcmp(a, "--body") == 0) {
			NEED_VALUE();
			if (app_parse_u64(v, LOAD_MAX_BODY, &opt_body) != 0)
				return bad_value(a, v);
		} else if (strcmp(a, "--host") == 0) {
			NEED_VALUE();
			if (strlen(v) >= sizeof(opt_host) || strpbrk(v,
			    "\r\n") != NULL)
				return bad_value(a, v);
			snprintf(opt_host, sizeof(opt_host), "%s", v);
		} else if (strcmp(a, "--src") == 0) {
			NEED_VALUE();
			for (p = v; *p != '\0';) {
				n = strcspn(p, ",");
				if (opt_nsrc == LOAD_MAX_SRC || n >= sizeof(buf) ||
				    parse_ip(p, n, &opt_src[opt_nsrc]) != 0)
					return bad_value(a, v);
				opt_nsrc++;
				p += n;
				if (*p == ',')
					p++;
			}
			opt_from = true;
		} else if (strcmp(a, "--lport") == 0) {
			NEED_VALUE();
			if (parse_range(v, &opt_lport_lo, &opt_lport_hi) != 0)
				return bad_value(a, v);
			opt_from = true;
		} else if (strcmp(a, "--rport") == 0) {
			NEED_VALUE();
			if (parse_range(v, &opt_rport_lo, &opt_rport_hi) != 0)
				return bad_value(a, v);
			opt_from = true;
		} else if (strcmp(a, "--warmup") == 0) {
			NEED_VALUE();
			if (parse_double(v, &opt_warmup) != 0)
				return bad_value(a, v);
		} else if (strcmp(a, "--json") == 0) {
			NEED_VALUE();
			opt_json = v;
		} else if (strcmp(a, "--quiet") == 0) {
			opt_quiet = true;
		} else if (strcmp(a, "--counters") == 0) {
			opt_counters = true;
		} else if (a[0] != '-' && !url) {
			if (parse_url(a) != 0) {
				fprintf(stderr, "tcpe-load: bad URL \"%s\" "
				    "(http://A.B.C.D[:PORT][/PATH])\n", a);
				return -1;
			}
			url = true;
		} else {
			fprintf(stderr, "tcpe-load: unknown option \"%s\"\n", a);
			usage(stderr);
			return -1;
		}
	}
	if (!url) {
		fprintf(stderr, "tcpe-load: no URL\n");
		usage(stderr);
		return -1;
	}
	if (opt_body > 0 && strcmp(opt_method, "GET") == 0)
		opt_method = "POST";
	if (opt_rport_lo == 0)
		opt_rport_lo = opt_rport_hi = opt_port;
	if (opt_duration < 0 && opt_requests == 0)
		opt_duration = 10;
	return 0;
}

static int
build_requests(void)
{
	char cl[64] = "";
	int n;

	if (opt_body > 0 || strcmp(opt_method, "POST") == 0)
		snprintf(cl, sizeof(cl), "Content-Length: %" PRIu64 "\r\n",
		    opt_body);
	n = snprintf(req_ka, sizeof(req_ka), "%s %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: tcpe-load\r\n%s\r\n", opt_method, opt_path, opt_host,
	    cl);
	if (n < 0 || (size_t)n >= sizeof(req_ka))
		return -1;
	req_ka_len = (uint32_t)n;
	n = snprintf(req_close, sizeof(req_close), "%s %s HTTP/1.1\r\n"
	    "Host: %s\r\nUser-Agent: tcpe-load\r\nConnection: close\r\n%s\r\n",
	    opt_method, opt_path, opt_host, cl);
	if (n < 0 || (size_t)n >= sizeof(req_close))
		return -1;
	req_close_len = (uint32_t)n;
	body = malloc(opt_body ? opt_body : 1);
	if (body == NULL)
		return -1;
	for (uint64_t i = 0; i < opt_body; i++)
		body[i] = (uint8_t)('a' + i % 26);
	return 0;
}

int
main(int argc, char **argv)
{
	struct tcpe_engine_info info;
	struct sigaction sa;
	uint64_t sum[C_N], active;
	double secs;
	int i, n, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	}
	if (parse_options(argc, argv, tcpe_app_args(argc, argv)) != 0)
		return 2;
	if (opt_short && !opt_close_given)
		opt_close_server = true;
	if (!opt_short && !opt_close_given)
		opt_close_server = false;
	if (build_requests() != 0) {
		fprintf(stderr, "tcpe-load: request too large\n");
		return 2;
	}
	n = tcpe_init(argc, argv, &engine);
	if (n < 0)
		return 1;
	if (tcpe_engine_info(engine, &info) == 0) {
		nworkers = info.workers ? info.workers : 1;
		/* tcpe has one address per port (tcpe_connect_from()). */
		for (i = 0; i < (int)opt_nsrc; i++) {
			char a[16];

			if (opt_src[i] == info.addr)
				continue;
			print_addr(a, sizeof(a), opt_src[i]);
			fprintf(stderr, "tcpe-load: --src %s: not the port's "
			    "address (tcpe has one address per port)\n", a);
			tcpe_fini(engine);
			return 2;
		}
	}
	if (nworkers > LOAD_MAX_WORKERS)
		nworkers = LOAD_MAX_WORKERS;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	(void)tcpe_set_poll_hook(engine, worker_poll, NULL);
	rc = tcpe_run(engine, worker_setup, NULL);
	if (rc != 0)
		fprintf(stderr, "tcpe-load: tcpe_run: %s\n", strerror(-rc));
	if (stop_signal != 0)
		printf("tcpe-load: %s: stopping\n",
		    stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
	secs = (double)((t_end > t0 ? t_end : last_t) - t0) / 1e9;
	if (!warm)
		secs = 0;
	summary(secs);
	for (i = 0; i < (int)nworkers; i++) {
		struct lworker *lw = &workers[i];
		uint32_t k;

		for (k = 0; k < lw->nslots; k++) {
			struct lconn *lc = &lw->slots[k];

			if (lc->tb_len > 0)
				tcpe_txbuf_put(&lc->tb);
			lc->tb_len = 0;
			if (lc->s != NULL)
				tcpe_close(lc->s);
			lc->s = NULL;
		}
	}
	if (opt_counters) {
		tcpe_print_states(engine, stdout);
		tcpe_print_counters(engine, stdout);
	}
	fflush(stdout);
	sum_ctr(sum, &active);
	tcpe_fini(engine);
	for (i = 0; i < (int)nworkers; i++)
		free(workers[i].slots);
	free(body);
	if (rc != 0)
		return 1;
	return sum[C_RESPONSES] > 0 ? 0 : 1;
}
