/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sockets of the public API on the core's connections: open, close,
 * zero-copy receive and send, and the delivery of events to handlers.
 *
 * Every function that calls into the core with the worker's output array
 * drains it right after (tcpe_dp_drain()), so segments become frames at
 * once and the invariant "out is empty between calls" holds for callbacks
 * too.
 */
#include <errno.h>
#include <string.h>

#include "tcpe_api.h"

/* SO_LINGER's longest time, as tcpe_conn_set_linger() accepts. */
#define TCPE_LINGER_MAX	86400

static inline struct tcpe_dp *
sock_dp(const struct tcpe_conn *c)
{
	return &conn_worker(c)->dp;
}

static inline void
drain(struct tcpe_conn *c)
{
	tcpe_dp_drain(sock_dp(c), &c->node.key, c->node.hash);
}

/* --- events --------------------------------------------------------------- */

/* The application still holds c and nothing closed it in a callback. */
static inline bool
live(const struct tcpe_worker *w, const struct tcpe_conn *c)
{
	return w->cur == c;
}

/*
 * A listener's new connections: each is taken from the accept queue and
 * handed to accept() with the listener's handlers and context. Without an
 * accept handler nobody could ever use them: they are closed.
 */
static void
dispatch_accept(struct tcpe_worker *w, struct tcpe_conn *l)
{
	const struct tcpe_handlers *h;
	struct tcpe_conn *c;
	struct tcpe_tuple t;
	uint32_t hash;

	while (live(w, l) && (c = tcpe_stack_accept(l)) != NULL) {
		c->app_h = l->app_h;
		c->app_ctx = l->app_ctx;
		h = l->app_h;
		if (h != NULL && h->accept != NULL) {
			h->accept(conn_sock(l), conn_sock(c), l->app_ctx);
			continue;
		}
		t = c->node.key;
		hash = c->node.hash;
		c->app_h = NULL;
		tcpe_conn_close(c, w->dp.now, &w->dp.out);
		tcpe_dp_drain(&w->dp, &t, hash);
	}
}

/*
 * Call handler `fn` of c for event bit `ev` if c is still live and has
 * it; handlers and context are read again each time, a callback may have
 * replaced them.
 */
#define CALL(w, c, events, ev, fn, ...) \
	do { \
		const struct tcpe_handlers *h_; \
		if (!((events) & (ev)) || !live((w), (c))) \
			break; \
		/* Read only once live() says c was not freed. */ \
		h_ = (c)->app_h; \
		if (h_ != NULL && h_->fn != NULL) \
			h_->fn(conn_sock(c), __VA_ARGS__); \
	} while (0)

void
tcpe_api_dispatch(void *owner)
{
	struct tcpe_worker *w = owner;
	struct tcpe_stack *s = w->dp.stack;
	struct tcpe_conn *c;
	uint16_t ev;

	/* Callbacks do not nest: an inner call leaves the events queued. */
	if (w->dispatching)
		return;
	w->dispatching = true;
	while ((c = tcpe_stack_next_event(s, &ev)) != NULL) {
		if (!(c->flags & TCPE_CF_APP) || c->app_h == NULL)
			continue;
		w->cur = c;
		if (ev & TCPE_EV_ACCEPT) {
			dispatch_accept(w, c);
			continue;
		}
		/* An accepted connection was announced by accept(). */
		if (!(c->flags & TCPE_CF_PASSIVE))
			CALL(w, c, ev, TCPE_EV_CONNECTED, connected,
			    c->app_ctx);
		CALL(w, c, ev, TCPE_EV_READABLE, readable, c->app_ctx);
		CALL(w, c, ev, TCPE_EV_WRITABLE, writable, c->app_ctx);
		CALL(w, c, ev, TCPE_EV_EOF, eof, c->app_ctx);
		CALL(w, c, ev, TCPE_EV_ERROR, error, c->err, c->app_ctx);
		CALL(w, c, ev, TCPE_EV_CLOSED, closed, c->app_ctx);
	}
	w->cur = NULL;
	w->dispatching = false;
}

/* --- opening and closing -------------------------------------------------- */

struct tcpe_sock *
tcpe_listen(struct tcpe_worker *w, uint32_t addr, uint16_t port,
    uint32_t backlog, const struct tcpe_handlers *h, void *ctx)
{
	struct tcpe_conn *l;
	int err;

	if (w == NULL || port == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (addr != 0 && addr != w->dp.addr) {
		errno = EADDRNOTAVAIL;
		return NULL;
	}
	l = tcpe_stack_listen(w->dp.stack, addr, port, backlog, &err);
	if (l == NULL) {
		errno = -err;
		return NULL;
	}
	l->app_h = h;
	l->app_ctx = ctx;
	return conn_sock(l);
}

struct tcpe_sock *
tcpe_connect(struct tcpe_worker *w, uint32_t raddr, uint16_t rport,
    const struct tcpe_handlers *h, void *ctx)
{
	struct tcpe_dp *dp;
	struct tcpe_conn *c;
	struct tcpe_tuple t;
	uint32_t n, k, hash;
	int err;

	if (w == NULL || raddr == 0 || rport == 0) {
		errno = EINVAL;
		return NULL;
	}
	dp = &w->dp;
	t.laddr = dp->addr;
	t.raddr = raddr;
	t.rport = rport;
	/*
	 * The next free port of this worker's share of the range whose
	 * replies come back to this worker (with several workers: the RETA
	 * entry of their Toeplitz hash, DESIGN.md section 2).
	 */
	n = (uint32_t)dp->port_hi - dp->port_lo + 1;
	for (k = 0; k < n; k++) {
		t.lport = tcpe_dp_pick_port(dp, raddr, rport, &hash);
		if (t.lport == 0)
			break;
		hash = tcpe_dp_hash(dp, &t);
		c = tcpe_stack_connect(dp->stack, &t, hash, dp->now, &dp->out,
		    &err);
		if (c != NULL) {
			c->app_h = h;
			c->app_ctx = ctx;
			tcpe_dp_drain(dp, &t, hash);
			return conn_sock(c);
		}
		if (err != -EADDRINUSE) {
			errno = -err;
			return NULL;
		}
	}
	errno = EADDRNOTAVAIL;
	return NULL;
}

struct tcpe_sock *
tcpe_connect_from(struct tcpe_worker *w, uint32_t laddr, uint16_t lport,
    uint32_t raddr, uint16_t rport, const struct tcpe_handlers *h, void *ctx)
{
	struct tcpe_dp *dp;
	struct tcpe_conn *c;
	struct tcpe_tuple t;
	uint32_t hash;
	int err;

	if (w == NULL || raddr == 0 || rport == 0) {
		errno = EINVAL;
		return NULL;
	}
	dp = &w->dp;
	if (laddr != 0 && laddr != dp->addr) {
		errno = EADDRNOTAVAIL;
		return NULL;
	}
	if (lport == 0)
		return tcpe_connect(w, raddr, rport, h, ctx);
	t.laddr = dp->addr;
	t.lport = lport;
	t.raddr = raddr;
	t.rport = rport;
	/* Replies to a port of another worker's flows would never come here. */
	if (!tcpe_dp_owns(dp, &t)) {
		errno = EXDEV;
		return NULL;
	}
	hash = tcpe_dp_hash(dp, &t);
	c = tcpe_stack_connect(dp->stack, &t, hash, dp->now, &dp->out, &err);
	if (c == NULL) {
		errno = -err;
		return NULL;
	}
	c->app_h = h;
	c->app_ctx = ctx;
	tcpe_dp_drain(dp, &t, hash);
	return conn_sock(c);
}

void
tcpe_sock_set_handlers(struct tcpe_sock *s, const struct tcpe_handlers *h,
    void *ctx)
{
	struct tcpe_conn *c = sock_conn(s);

	c->app_h = h;
	c->app_ctx = ctx;
}

void *
tcpe_sock_ctx(const struct tcpe_sock *s)
{
	return sock_conn(s)->app_ctx;
}

bool
tcpe_worker_owns(const struct tcpe_worker *w, uint32_t laddr, uint16_t lport,
    uint32_t raddr, uint16_t rport)
{
	struct tcpe_tuple t = {
		.laddr = laddr != 0 ? laddr : w->dp.addr,
		.raddr = raddr,
		.lport = lport,
		.rport = rport,
	};

	return tcpe_dp_owns(&w->dp, &t);
}

struct tcpe_worker *
tcpe_sock_worker(const struct tcpe_sock *s)
{
	return conn_worker(sock_conn(s));
}

const char *
tcpe_sock_state(const struct tcpe_sock *s)
{
	return tcpe_state_name(sock_conn(s)->state);
}

void
tcpe_sock_addr(const struct tcpe_sock *s, uint32_t *laddr, uint16_t *lport,
    uint32_t *raddr, uint16_t *rport)
{
	const struct tcpe_tuple *t = &sock_conn(s)->node.key;

	if (laddr != NULL)
		*laddr = t->laddr;
	if (lport != NULL)
		*lport = t->lport;
	if (raddr != NULL)
		*raddr = t->raddr;
	if (rport != NULL)
		*rport = t->rport;
}

int
tcpe_shutdown(struct tcpe_sock *s, int how)
{
	struct tcpe_conn *c = sock_conn(s);
	int rc;

	rc = tcpe_conn_shutdown(c, how, sock_dp(c)->now, &sock_dp(c)->out);
	drain(c);
	return rc;
}

void
tcpe_close(struct tcpe_sock *s)
{
	struct tcpe_conn *c = sock_conn(s);
	struct tcpe_worker *w = conn_worker(c);
	struct tcpe_tuple t = c->node.key;
	uint32_t hash = c->node.hash;
	bool listener = c->state == TCPE_LISTEN;

	if (w->cur == c)
		w->cur = NULL;
	c->app_h = NULL;
	c->app_ctx = NULL;
	tcpe_conn_close(c, w->dp.now, &w->dp.out);
	/* c may be gone: the drain finds it again by tuple if needed. */
	tcpe_dp_drain(&w->dp, listener ? NULL : &t, hash);
}

int
tcpe_setlinger(struct tcpe_sock *s, int on, unsigned int secs)
{
	struct tcpe_conn *c;
	int rc;

	if (s == NULL || sock_conn(s)->state == TCPE_LISTEN ||
	    secs > TCPE_LINGER_MAX) {
		errno = EINVAL;
		return -1;
	}
	c = sock_conn(s);
	rc = tcpe_conn_set_linger(c, on != 0, on != 0 ? secs : 0);
	if (rc != 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

/* A connection (not a listener) for the option setters, or NULL. */
static struct tcpe_conn *
opt_conn(struct tcpe_sock *s)
{
	if (s == NULL || sock_conn(s)->state == TCPE_LISTEN) {
		errno = EINVAL;
		return NULL;
	}
	return sock_conn(s);
}

int
tcpe_set_nodelay(struct tcpe_sock *s, int on)
{
	struct tcpe_conn *c = opt_conn(s);

	if (c == NULL)
		return -1;
	tcpe_conn_set_nodelay(c, on != 0);
	/* What Nagle was holding may go now. */
	(void)tcpe_conn_output(c, sock_dp(c)->now, &sock_dp(c)->out);
	drain(c);
	return 0;
}

int
tcpe_set_keepalive(struct tcpe_sock *s, int on)
{
	struct tcpe_conn *c = opt_conn(s);

	if (c == NULL)
		return -1;
	tcpe_conn_set_keepalive(c, on != 0, sock_dp(c)->now);
	return 0;
}

int
tcpe_set_quickack(struct tcpe_sock *s, int on)
{
	struct tcpe_conn *c = opt_conn(s);

	if (c == NULL)
		return -1;
	tcpe_conn_set_quickack(c, on != 0);
	return 0;
}

void
tcpe_abort(struct tcpe_sock *s)
{
	struct tcpe_conn *c = sock_conn(s);

	(void)tcpe_conn_abort(c, sock_dp(c)->now, &sock_dp(c)->out);
	drain(c);
}

/* --- receive -------------------------------------------------------------- */

/*
 * What a read returns once nothing is queued, from the core's answer rc:
 * 0 only for a real end of stream (the peer's FIN taken, or SHUT_RD). A
 * connection the application aborted ended without either and without an
 * error of its own: that is a reset, not an end of stream.
 */
static inline int
read_end(const struct tcpe_conn *c, int rc)
{
	if (rc == 0 && c->state == TCPE_CLOSED &&
	    !(c->flags & (TCPE_CF_RCV_EOF | TCPE_CF_RD_SHUT)))
		return -ECONNRESET;
	return rc;
}

static void
view_to_rx(const struct tcpe_view *v, struct tcpe_rx *rx)
{
	rx->data = tcpe_mbuf_bops.ptr(NULL, v->buf) + v->off;
	rx->len = v->len;
	rx->m = (void *)v->buf;
}

int
tcpe_recv(struct tcpe_sock *s, struct tcpe_rx *rx, unsigned int n)
{
	struct tcpe_conn *c = sock_conn(s);
	struct tcpe_view v;
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = tcpe_conn_recv(c, &v);
		if (rc <= 0)
			return i > 0 ? (int)i : read_end(c, rc);
		view_to_rx(&v, &rx[i]);
	}
	return (int)i;
}

void
tcpe_rx_release(struct tcpe_sock *s, struct tcpe_rx *rx, unsigned int n)
{
	struct tcpe_conn *c;
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		total += rx[i].len;
		tcpe_dp_buf_put(rx[i].m);
		rx[i].m = NULL;
	}
	if (s == NULL || total == 0)
		return;
	c = sock_conn(s);
	(void)tcpe_conn_recv_done(c, total > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)total, sock_dp(c)->now, &sock_dp(c)->out);
	drain(c);
}

int
tcpe_recv_copy(struct tcpe_sock *s, void *buf, uint32_t len)
{
	struct tcpe_conn *c = sock_conn(s);
	uint8_t *p = buf;
	struct tcpe_view v;
	uint32_t got = 0;
	int rc = -EAGAIN;

	if (len == 0)
		return -EINVAL;
	while (got < len) {
		rc = tcpe_conn_recv_max(c, &v, len - got);
		if (rc <= 0)
			break;
		memcpy(p + got, tcpe_mbuf_bops.ptr(NULL, v.buf) + v.off,
		    v.len);
		tcpe_mbuf_bops.unref(NULL, v.buf);
		got += v.len;
	}
	if (got == 0)
		return read_end(c, rc);
	(void)tcpe_conn_recv_done(c, got, sock_dp(c)->now, &sock_dp(c)->out);
	drain(c);
	return (int)got;
}

/* --- send ----------------------------------------------------------------- */

int
tcpe_txbuf_get(struct tcpe_worker *w, struct tcpe_txbuf *tb)
{
	tb->m = tcpe_dp_buf_alloc(&w->dp, &tb->data, &tb->room);
	if (tb->m == NULL) {
		tb->data = NULL;
		tb->room = 0;
		return -ENOBUFS;
	}
	return 0;
}

void
tcpe_txbuf_put(struct tcpe_txbuf *tb)
{
	tcpe_dp_buf_put(tb->m);
	tb->m = NULL;
	tb->data = NULL;
	tb->room = 0;
}

int
tcpe_send(struct tcpe_sock *s, struct tcpe_txbuf *tb, uint32_t len)
{
	struct tcpe_conn *c = sock_conn(s);
	uint32_t off;
	int rc;

	if (tb == NULL || tb->m == NULL || len > tb->room)
		return -EINVAL;
	if (len == 0)
		return 0;
	off = (uint32_t)(tb->data - tcpe_dp_buf_data(tb->m));
	rc = tcpe_dp_send_buf(sock_dp(c), c, tb->m, off, len);
	if (rc < 0)
		return rc;
	if ((uint32_t)rc == len) {
		/* All of it: the connection owns the buffer now. */
		tb->m = NULL;
		tb->data = NULL;
		tb->room = 0;
	} else {
		tb->data += rc;
		tb->room -= (uint32_t)rc;
	}
	return rc;
}

int
tcpe_send_ext(struct tcpe_sock *s, const void *data, uint32_t len,
    tcpe_ext_free_fn free_fn, void *opaque)
{
	struct tcpe_conn *c = sock_conn(s);

	if (data == NULL && len > 0)
		return -EINVAL;
	return tcpe_dp_send_ext(sock_dp(c), c, data, len, free_fn, opaque);
}

int
tcpe_send_copy(struct tcpe_sock *s, const void *data, uint32_t len)
{
	struct tcpe_conn *c = sock_conn(s);

	if (data == NULL && len > 0)
		return -EINVAL;
	if (len == 0)
		return 0;
	return tcpe_dp_send_copy(sock_dp(c), c, data, len);
}

uint32_t
tcpe_send_space(const struct tcpe_sock *s)
{
	return tcpe_conn_send_space(sock_conn(s));
}
