/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

struct tcpe_buf {
	int refs;
	uint32_t len;
	uint8_t data[];
};

static long live;

static void
hb_ref(void *ctx, struct tcpe_buf *b)
{
	(void)ctx;
	if (b->refs <= 0)
		abort();	/* a ref on a freed buffer: use after free */
	b->refs++;
}

static void
hb_unref(void *ctx, struct tcpe_buf *b)
{
	(void)ctx;
	if (b->refs <= 0)
		abort();	/* double unref: a bug in the code under test */
	if (--b->refs == 0) {
		live--;
		free(b);
	}
}

static const uint8_t *
hb_ptr(void *ctx, const struct tcpe_buf *b)
{
	(void)ctx;
	return b->data;
}

static uint32_t
hb_len(void *ctx, const struct tcpe_buf *b)
{
	(void)ctx;
	return b->len;
}

const struct tcpe_buf_ops h_bops = {
	.ref = hb_ref,
	.unref = hb_unref,
	.ptr = hb_ptr,
	.len = hb_len,
	.ctx = NULL,
};

struct tcpe_buf *
h_buf_new(const void *data, uint32_t len)
{
	struct tcpe_buf *b;

	b = malloc(sizeof(*b) + len + 1);
	if (b == NULL)
		abort();
	b->refs = 1;
	b->len = len;
	if (len > 0)
		memcpy(b->data, data, len);
	live++;
	return b;
}

struct tcpe_buf *
h_buf_pattern(uint32_t len, uint8_t seed)
{
	struct tcpe_buf *b;
	uint32_t i;

	b = h_buf_new(NULL, 0);
	b = realloc(b, sizeof(*b) + len + 1);
	if (b == NULL)
		abort();
	b->len = len;
	for (i = 0; i < len; i++)
		b->data[i] = (uint8_t)(seed + i);
	return b;
}

long
h_buf_live(void)
{
	return live;
}

int
h_buf_refs(const struct tcpe_buf *b)
{
	return b->refs;
}

void
h_buf_put(struct tcpe_buf *b)
{
	hb_unref(NULL, b);
}

/* --- segments ----------------------------------------------------------- */

struct tcpe_seg
h_seg(const struct tcpe_tuple *t, uint8_t flags, uint32_t seq, uint32_t ack,
    uint16_t wnd)
{
	struct tcpe_seg seg;

	memset(&seg, 0, sizeof(seg));
	seg.t = *t;
	seg.hash = tcpe_tuple_hash(t);
	seg.flags = flags;
	seg.seq = seq;
	seg.ack = ack;
	seg.wnd = wnd;
	return seg;
}

void
h_seg_mss(struct tcpe_seg *seg, uint16_t mss)
{
	seg->opts.present |= TCPE_OPT_MSS;
	seg->opts.mss = mss;
}

void
h_seg_ws(struct tcpe_seg *seg, uint8_t shift)
{
	seg->opts.present |= TCPE_OPT_WS;
	seg->opts.wscale = shift;
}

void
h_seg_payload(struct tcpe_seg *seg, struct tcpe_buf *b, uint32_t off,
    uint32_t len)
{
	seg->data.buf = b;
	seg->data.off = off;
	seg->data.len = len;
}

const char *
h_flags_str(uint8_t flags, char *buf)
{
	static const char names[] = "FSRPAUEC";
	int i, n = 0;

	for (i = 0; i < 8; i++)
		if (flags & (1u << i))
			buf[n++] = names[i];
	if (n == 0)
		buf[n++] = '.';
	buf[n] = '\0';
	return buf;
}

/* --- failures ----------------------------------------------------------- */

void
h_dump(const struct h_fx *fx)
{
	const struct tcpe_oseg *o;
	char f[9];
	uint32_t i;

	print_error("  %u segment(s) emitted at now=%llu ns:\n", fx->out.n,
	    (unsigned long long)fx->now);
	for (i = 0; i < fx->out.n; i++) {
		o = &fx->out.segs[i];
		print_error("  [%u] %08x:%u>%08x:%u %-4s seq=%u ack=%u wnd=%u "
		    "len=%u opts=%#x mss=%u ws=%u\n", i, o->t.laddr,
		    o->t.lport, o->t.raddr, o->t.rport,
		    h_flags_str(o->flags, f), o->seq, o->ack, o->wnd, o->len,
		    o->opts.present, o->opts.mss, o->opts.wscale);
	}
}

static void
h_failv(const char *file, int line, const struct h_fx *fx, const char *fmt,
    va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	print_error("%s\n", msg);
	if (fx != NULL)
		h_dump(fx);
	_fail(file, line);
}

static void
h_fail(const char *file, int line, const struct h_fx *fx, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
h_fail(const char *file, int line, const struct h_fx *fx, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	h_failv(file, line, fx, fmt, ap);
	va_end(ap);
}

void
h_check(const char *file, int line, const struct h_fx *fx, bool ok,
    const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	va_start(ap, fmt);
	h_failv(file, line, fx, fmt, ap);
	va_end(ap);
}

/* --- fixture ------------------------------------------------------------ */

static void
h_fx_start(struct h_fx *fx)
{
	struct tcpe_stack_params p;

	memset(&p, 0, sizeof(p));
	p.cfg = &fx->cfg;
	p.bops = h_bops;
	p.secret[0] = 0x0123456789abcdefULL;
	p.secret[1] = 0x0fedcba987654321ULL;
	p.mtu = 1500;
	fx->s = tcpe_stack_create(&p, fx->now);
	if (fx->s == NULL)
		h_fail(__FILE__, __LINE__, NULL, "tcpe_stack_create: errno %d",
		    errno);
}

struct h_fx *
h_fx_new(const struct tcpe_tcp_cfg *cfg)
{
	struct h_fx *fx;

	fx = calloc(1, sizeof(*fx));
	if (fx == NULL)
		abort();
	if (cfg != NULL) {
		fx->cfg = *cfg;
	} else {
		tcpe_tcp_cfg_defaults(&fx->cfg);
		h_cfg_classic(&fx->cfg);
	}
	fx->out.segs = fx->seg;
	fx->out.cap = H_OUT_CAP;
	fx->now = H_T0;
	fx->live0 = h_buf_live();
	h_fx_start(fx);
	return fx;
}

void
h_fx_restart(struct h_fx *fx)
{
	h_out_clear(fx);
	tcpe_stack_destroy(fx->s);
	fx->s = NULL;
	memset(fx->ev, 0, sizeof(fx->ev));
	h_fx_start(fx);
}

void
h_fx_free(struct h_fx *fx)
{
	long leaked;

	if (fx == NULL)
		return;
	h_out_clear(fx);
	tcpe_stack_destroy(fx->s);
	leaked = h_buf_live() - fx->live0;
	free(fx);
	if (leaked != 0)
		h_fail(__FILE__, __LINE__, NULL,
		    "%ld buffer(s) still alive after tcpe_stack_destroy",
		    leaked);
}

void
h_cfg_classic(struct tcpe_tcp_cfg *cfg)
{
	cfg->rto_min_ms = cfg->rto_initial_ms;
	cfg->congestion_control = TCPE_CC_NONE;
}

void
h_cfg_plain(struct tcpe_tcp_cfg *cfg, uint32_t rbuf, uint32_t wbuf)
{
	tcpe_tcp_cfg_defaults(cfg);
	h_cfg_classic(cfg);
	cfg->window_scaling = 0;
	cfg->rmem[0] = cfg->rmem[1] = cfg->rmem[2] = rbuf;
	cfg->wmem[0] = cfg->wmem[1] = cfg->wmem[2] = wbuf;
}

void
h_out_clear(struct h_fx *fx)
{
	tcpe_out_release(&fx->out, &h_bops);
}

static uint16_t *
ev_slot(struct h_fx *fx, const struct tcpe_conn *c, bool create)
{
	int i, free_i = -1;

	for (i = 0; i < H_EV_SLOTS; i++) {
		if (fx->ev[i].c == c)
			return &fx->ev[i].ev;
		if (fx->ev[i].c == NULL && free_i < 0)
			free_i = i;
	}
	if (!create)
		return NULL;
	if (free_i < 0)
		h_fail(__FILE__, __LINE__, fx, "event slots exhausted");
	fx->ev[free_i].c = c;
	fx->ev[free_i].ev = 0;
	return &fx->ev[free_i].ev;
}

uint16_t
h_events(struct h_fx *fx, const struct tcpe_conn *c)
{
	struct tcpe_conn *x;
	uint16_t ev, *slot;
	int i;

	while ((x = tcpe_stack_next_event(fx->s, &ev)) != NULL)
		*ev_slot(fx, x, true) |= ev;
	ev = c->events;
	((struct tcpe_conn *)(uintptr_t)c)->events = 0;
	slot = ev_slot(fx, c, false);
	if (slot != NULL) {
		ev |= *slot;
		for (i = 0; i < H_EV_SLOTS; i++)
			if (fx->ev[i].c == c)
				fx->ev[i].c = NULL;
	}
	return ev;
}

static void
ev_forget(struct h_fx *fx, const struct tcpe_conn *c)
{
	int i;

	for (i = 0; i < H_EV_SLOTS; i++)
		if (fx->ev[i].c == c)
			fx->ev[i].c = NULL;
}

/* --- the peer ----------------------------------------------------------- */

void
h_peer_init(struct h_peer *p, uint16_t lport, uint16_t rport, uint32_t iss,
    uint16_t wnd)
{
	memset(p, 0, sizeof(*p));
	p->t.laddr = H_LADDR;
	p->t.raddr = H_RADDR;
	p->t.lport = lport;
	p->t.rport = rport;
	p->iss = iss;
	p->nxt = iss;
	p->wnd = wnd;
}

void
h_input(struct h_fx *fx, const struct tcpe_seg *seg)
{
	h_out_clear(fx);
	(void)tcpe_stack_input(fx->s, seg, fx->now, &fx->out);
}

void
h_tx_opts(struct h_fx *fx, const struct h_peer *p, uint8_t flags,
    uint32_t seq, uint32_t ack, uint16_t wnd, uint32_t len,
    const struct tcpe_opts *opts)
{
	struct tcpe_seg seg = h_seg(&p->t, flags, seq, ack, wnd);
	struct tcpe_buf *b = NULL;
	uint32_t first;

	if (opts != NULL)
		seg.opts = *opts;
	if (len > 0) {
		/*
		 * Byte k of the peer's stream is (uint8_t)k; the first data
		 * byte follows the SYN. The view starts 3 bytes into its
		 * buffer, to exercise offsets.
		 */
		first = seq + ((flags & TCPE_TH_SYN) ? 1 : 0) - (p->iss + 1);
		b = h_buf_pattern(len + 6, (uint8_t)(first - 3));
		h_seg_payload(&seg, b, 3, len);
	}
	h_input(fx, &seg);
	if (b != NULL)
		h_buf_put(b);
}

void
h_tx(struct h_fx *fx, const struct h_peer *p, uint8_t flags, uint32_t seq,
    uint32_t ack, uint16_t wnd, uint32_t len)
{
	h_tx_opts(fx, p, flags, seq, ack, wnd, len, NULL);
}

void
h_peer_send(struct h_fx *fx, struct h_peer *p, uint8_t flags, uint32_t len)
{
	h_tx(fx, p, flags, p->nxt, p->ack, p->wnd, len);
	p->nxt += len + ((flags & TCPE_TH_SYN) ? 1 : 0) +
	    ((flags & TCPE_TH_FIN) ? 1 : 0);
}

void
h_expire(struct h_fx *fx, tcpe_time_t t)
{
	h_out_clear(fx);
	fx->now = t;
	(void)tcpe_stack_expire(fx->s, t, &fx->out);
}

tcpe_time_t
h_fire_at(const char *file, int line, struct h_fx *fx, tcpe_time_t from,
    tcpe_time_t delay)
{
	tcpe_time_t due = from + delay, hi = due + delay / 7 + 2 * H_TICK, d;
	int guard = 0;

	/* Stale, earlier wheel entries (lazy re-arming) may fire first. */
	while ((d = tcpe_stack_deadline(fx->s)) < due && guard++ < 64) {
		if (d < fx->now)
			d = fx->now;
		h_expire(fx, d);
		h_check(file, line, fx, fx->out.n == 0,
		    "timer due at +%.6f s: something was emitted %.6f s early",
		    (double)delay / 1e9, (double)(due - d) / 1e9);
	}
	if (due - 1 > fx->now) {
		h_expire(fx, due - 1);
		h_check(file, line, fx, fx->out.n == 0,
		    "timer due at +%.6f s: something was emitted 1 ns early",
		    (double)delay / 1e9);
	}
	d = tcpe_stack_deadline(fx->s);
	h_check(file, line, fx, d >= due && d <= hi,
	    "tcpe_stack_deadline() = from%+.6f s, expected within "
	    "[+%.6f, +%.6f] s", d == TCPE_TIME_NEVER ? 1e99 :
	    ((double)d - (double)from) / 1e9, (double)delay / 1e9,
	    (double)(hi - from) / 1e9);
	h_expire(fx, d);
	return d;
}

/* --- opening and closing ------------------------------------------------- */

struct tcpe_conn *
h_connect_at(const char *file, int line, struct h_fx *fx, struct h_peer *p)
{
	struct tcpe_conn *c;
	int err = 1;

	h_out_clear(fx);
	c = tcpe_stack_connect(fx->s, &p->t, tcpe_tuple_hash(&p->t), fx->now,
	    &fx->out, &err);
	h_check(file, line, fx, c != NULL && err == 0,
	    "tcpe_stack_connect: %p err %d", (void *)c, err);
	h_expect_n(file, line, fx, 1);
	h_expect_seg(file, line, fx, 0, p, TCPE_TH_SYN, c->iss, 0);
	h_expect_len(file, line, fx, 0, 0);
	h_check(file, line, fx, c->state == TCPE_SYN_SENT,
	    "state %s, expected SYN_SENT", tcpe_state_name(c->state));
	p->ack = c->iss + 1;
	p->our_base = c->iss + 1;
	return c;
}

struct tcpe_conn *
h_open_active_at(const char *file, int line, struct h_fx *fx,
    struct h_peer *p, const struct tcpe_opts *opts)
{
	struct tcpe_opts def;
	struct tcpe_conn *c;
	uint16_t ev;

	c = h_connect_at(file, line, fx, p);
	if (opts == NULL) {
		memset(&def, 0, sizeof(def));
		def.present = TCPE_OPT_MSS;
		def.mss = 1460;
		opts = &def;
	}
	h_tx_opts(fx, p, TCPE_TH_SYN | TCPE_TH_ACK, p->iss, p->ack, p->wnd, 0,
	    opts);
	p->nxt = p->iss + 1;
	h_expect_n(file, line, fx, 1);
	h_expect_seg(file, line, fx, 0, p, TCPE_TH_ACK, c->iss + 1, p->nxt);
	h_expect_len(file, line, fx, 0, 0);
	h_check(file, line, fx, c->state == TCPE_ESTABLISHED,
	    "state %s, expected ESTABLISHED", tcpe_state_name(c->state));
	ev = h_events(fx, c);
	h_check(file, line, fx, (ev & TCPE_EV_CONNECTED) != 0,
	    "events %#x lack CONNECTED", ev);
	h_out_clear(fx);
	return c;
}

struct tcpe_conn *
h_listen(struct h_fx *fx, uint16_t lport, uint32_t backlog)
{
	struct tcpe_conn *l;
	int err = 1;

	l = tcpe_stack_listen(fx->s, H_LADDR, lport, backlog, &err);
	h_check(__FILE__, __LINE__, fx, l != NULL && err == 0,
	    "tcpe_stack_listen: %p err %d", (void *)l, err);
	return l;
}

struct tcpe_conn *
h_open_passive_at(const char *file, int line, struct h_fx *fx,
    struct tcpe_conn *l, struct h_peer *p, const struct tcpe_opts *opts)
{
	struct tcpe_opts def;
	struct tcpe_conn *c;
	uint16_t ev;

	if (opts == NULL) {
		memset(&def, 0, sizeof(def));
		def.present = TCPE_OPT_MSS;
		def.mss = 1460;
		opts = &def;
	}
	h_tx_opts(fx, p, TCPE_TH_SYN, p->iss, 0, p->wnd, 0, opts);
	p->nxt = p->iss + 1;
	h_expect_n(file, line, fx, 1);
	h_expect_seg(file, line, fx, 0, p, TCPE_TH_SYN | TCPE_TH_ACK,
	    fx->out.n > 0 ? fx->out.segs[0].seq : 0, p->nxt);
	h_expect_len(file, line, fx, 0, 0);
	p->ack = fx->out.segs[0].seq + 1;
	p->our_base = p->ack;
	h_peer_send(fx, p, TCPE_TH_ACK, 0);
	h_expect_n(file, line, fx, 0);
	ev = h_events(fx, l);
	h_check(file, line, fx, (ev & TCPE_EV_ACCEPT) != 0,
	    "listener events %#x lack ACCEPT", ev);
	c = tcpe_stack_accept(l);
	h_check(file, line, fx, c != NULL, "tcpe_stack_accept: NULL");
	h_check(file, line, fx, c->state == TCPE_ESTABLISHED,
	    "child state %s, expected ESTABLISHED",
	    tcpe_state_name(c->state));
	h_check(file, line, fx, c->iss + 1 == p->our_base,
	    "child iss %u, SYN-ACK seq %u", c->iss, p->our_base - 1);
	ev = h_events(fx, c);
	h_check(file, line, fx, (ev & TCPE_EV_CONNECTED) != 0,
	    "child events %#x lack CONNECTED", ev);
	return c;
}

static void
expect_state(const char *file, int line, struct h_fx *fx,
    const struct tcpe_conn *c, int state)
{
	h_check(file, line, fx, c->state == state, "state %s, expected %s",
	    tcpe_state_name(c->state), tcpe_state_name(state));
}

void
h_goto_at(const char *file, int line, struct h_fx *fx, struct tcpe_conn *c,
    struct h_peer *p, int state)
{
	uint32_t fin;

	expect_state(file, line, fx, c, TCPE_ESTABLISHED);
	h_check(file, line, fx, c->snd_una == c->snd_nxt,
	    "h_goto needs nothing in flight");
	if (state == TCPE_CLOSE_WAIT || state == TCPE_LAST_ACK) {
		/* The peer closes first. */
		h_peer_send(fx, p, TCPE_TH_FIN | TCPE_TH_ACK, 0);
		h_expect_n(file, line, fx, 1);
		h_expect_seg(file, line, fx, 0, p, TCPE_TH_ACK, c->snd_nxt,
		    p->nxt);
		expect_state(file, line, fx, c, TCPE_CLOSE_WAIT);
		if (state == TCPE_LAST_ACK) {
			fin = c->snd_nxt;
			h_shutdown(fx, c, TCPE_SHUT_WR);
			h_expect_n(file, line, fx, 1);
			h_expect_seg(file, line, fx, 0, p,
			    TCPE_TH_FIN | TCPE_TH_ACK, fin, p->nxt);
			expect_state(file, line, fx, c, TCPE_LAST_ACK);
		}
		h_out_clear(fx);
		(void)h_events(fx, c);
		return;
	}
	/* We close first. */
	fin = c->snd_nxt;
	h_shutdown(fx, c, TCPE_SHUT_WR);
	h_expect_n(file, line, fx, 1);
	h_expect_seg(file, line, fx, 0, p, TCPE_TH_FIN | TCPE_TH_ACK, fin,
	    p->nxt);
	h_expect_len(file, line, fx, 0, 0);
	expect_state(file, line, fx, c, TCPE_FIN_WAIT_1);
	if (state == TCPE_CLOSING) {
		/* The peer's FIN crosses ours: it has not seen ours yet. */
		h_peer_send(fx, p, TCPE_TH_FIN | TCPE_TH_ACK, 0);
		h_expect_n(file, line, fx, 1);
		h_expect_seg(file, line, fx, 0, p, TCPE_TH_ACK, fin + 1,
		    p->nxt);
		expect_state(file, line, fx, c, TCPE_CLOSING);
	} else if (state != TCPE_FIN_WAIT_1) {
		p->ack = fin + 1;
		h_peer_send(fx, p, TCPE_TH_ACK, 0);
		h_expect_n(file, line, fx, 0);
		expect_state(file, line, fx, c, TCPE_FIN_WAIT_2);
		if (state == TCPE_TIME_WAIT) {
			h_peer_send(fx, p, TCPE_TH_FIN | TCPE_TH_ACK, 0);
			h_expect_n(file, line, fx, 1);
			h_expect_seg(file, line, fx, 0, p, TCPE_TH_ACK,
			    fin + 1, p->nxt);
			expect_state(file, line, fx, c, TCPE_TIME_WAIT);
		}
	}
	expect_state(file, line, fx, c, state);
	h_out_clear(fx);
	(void)h_events(fx, c);
}

int
h_send(struct h_fx *fx, struct tcpe_conn *c, struct h_peer *p, uint32_t len)
{
	struct tcpe_buf *b;
	struct tcpe_view v;
	int rc;

	h_out_clear(fx);
	b = h_buf_pattern(len, (uint8_t)(p->app_sent + H_OUR_SEED));
	v.buf = b;
	v.off = 0;
	v.len = len;
	rc = tcpe_conn_send(c, &v, fx->now, &fx->out);
	if (rc > 0)
		p->app_sent += (uint32_t)rc;
	/* The contract: a complete send took our reference. */
	if (rc != (int)len || len == 0)
		h_buf_put(b);
	return rc;
}

uint32_t
h_recv_at(const char *file, int line, struct h_fx *fx, struct tcpe_conn *c,
    struct h_peer *p, int *last)
{
	const uint8_t *d;
	struct tcpe_view v;
	uint32_t total = 0, i;
	uint8_t got;
	int rc;

	for (;;) {
		memset(&v, 0, sizeof(v));
		rc = tcpe_conn_recv(c, &v);
		if (rc <= 0)
			break;
		h_check(file, line, fx, (uint32_t)rc == v.len && v.buf != NULL,
		    "tcpe_conn_recv returned %d, view len %u", rc, v.len);
		h_check(file, line, fx, v.off + v.len <=
		    h_bops.len(NULL, v.buf), "view [%u, +%u) beyond buffer "
		    "of %u", v.off, v.len, h_bops.len(NULL, v.buf));
		d = h_bops.ptr(NULL, v.buf) + v.off;
		for (i = 0; i < v.len; i++)
			if (d[i] != (uint8_t)(p->app_rcvd + i))
				break;
		got = i < v.len ? d[i] : 0;
		/* Release before failing, so a failure does not leak. */
		h_buf_put(v.buf);
		h_check(file, line, fx, i == v.len,
		    "received stream byte %u is %#x, expected %#x",
		    p->app_rcvd + i, got, (uint8_t)(p->app_rcvd + i));
		p->app_rcvd += v.len;
		total += v.len;
	}
	if (last != NULL)
		*last = rc;
	return total;
}

int
h_recv_done(struct h_fx *fx, struct tcpe_conn *c, uint32_t len)
{
	h_out_clear(fx);
	return tcpe_conn_recv_done(c, len, fx->now, &fx->out);
}

int
h_shutdown(struct h_fx *fx, struct tcpe_conn *c, int how)
{
	h_out_clear(fx);
	return tcpe_conn_shutdown(c, how, fx->now, &fx->out);
}

void
h_close(struct h_fx *fx, struct tcpe_conn *c)
{
	h_out_clear(fx);
	(void)h_events(fx, c);
	ev_forget(fx, c);
	tcpe_conn_close(c, fx->now, &fx->out);
}

/* --- assertions --------------------------------------------------------- */

void
h_expect_n(const char *file, int line, const struct h_fx *fx, uint32_t n)
{
	if (fx->out.n != n)
		h_fail(file, line, fx, "%u segment(s) emitted, expected %u",
		    fx->out.n, n);
}

static const struct tcpe_oseg *
seg_at(const char *file, int line, const struct h_fx *fx, uint32_t i)
{
	if (i >= fx->out.n)
		h_fail(file, line, fx, "no segment [%u]: %u emitted", i,
		    fx->out.n);
	return &fx->out.segs[i];
}

void
h_expect_seg(const char *file, int line, const struct h_fx *fx, uint32_t i,
    const struct h_peer *p, uint8_t flags, uint32_t seq, uint32_t ack)
{
	const struct tcpe_oseg *o = seg_at(file, line, fx, i);
	char f1[9], f2[9];

	if ((o->flags & H_FLAGS_MASK) != (flags & H_FLAGS_MASK))
		h_fail(file, line, fx, "[%u] flags %s, expected %s", i,
		    h_flags_str(o->flags, f1), h_flags_str(flags, f2));
	if (o->seq != seq)
		h_fail(file, line, fx, "[%u] seq %u, expected %u (%+d)", i,
		    o->seq, seq, (int32_t)(o->seq - seq));
	if ((flags & TCPE_TH_ACK) && o->ack != ack)
		h_fail(file, line, fx, "[%u] ack %u, expected %u (%+d)", i,
		    o->ack, ack, (int32_t)(o->ack - ack));
	if (p != NULL && !tcpe_tuple_eq(&o->t, &p->t))
		h_fail(file, line, fx, "[%u] tuple %08x:%u>%08x:%u, expected "
		    "%08x:%u>%08x:%u", i, o->t.laddr, o->t.lport, o->t.raddr,
		    o->t.rport, p->t.laddr, p->t.lport, p->t.raddr,
		    p->t.rport);
	if (o->nviews > TCPE_OSEG_MAX_VIEWS)
		h_fail(file, line, fx, "[%u] %u views", i, o->nviews);
}

void
h_expect_rst(const char *file, int line, const struct h_fx *fx, uint32_t i,
    const struct h_peer *p, uint32_t seq, uint32_t ack)
{
	const struct tcpe_oseg *o = seg_at(file, line, fx, i);
	char f[9];

	if (!(o->flags & TCPE_TH_RST) ||
	    (o->flags & (TCPE_TH_SYN | TCPE_TH_FIN)))
		h_fail(file, line, fx, "[%u] flags %s, expected an RST", i,
		    h_flags_str(o->flags, f));
	h_expect_seg(file, line, fx, i, p, o->flags, seq, ack);
	h_expect_len(file, line, fx, i, 0);
}

void
h_expect_wnd(const char *file, int line, const struct h_fx *fx, uint32_t i,
    uint16_t wnd)
{
	const struct tcpe_oseg *o = seg_at(file, line, fx, i);

	if (o->wnd != wnd)
		h_fail(file, line, fx, "[%u] window field %u, expected %u", i,
		    o->wnd, wnd);
}

void
h_expect_len(const char *file, int line, const struct h_fx *fx, uint32_t i,
    uint32_t len)
{
	const struct tcpe_oseg *o = seg_at(file, line, fx, i);
	uint32_t j, sum = 0;

	for (j = 0; j < o->nviews && j < TCPE_OSEG_MAX_VIEWS; j++)
		sum += o->v[j].len;
	if (sum != o->len)
		h_fail(file, line, fx, "[%u] len %u but views sum to %u", i,
		    o->len, sum);
	if (o->len != len)
		h_fail(file, line, fx, "[%u] payload %u bytes, expected %u", i,
		    o->len, len);
}

void
h_expect_stream(const char *file, int line, const struct h_fx *fx,
    uint32_t i, const struct h_peer *p, uint32_t len)
{
	const struct tcpe_oseg *o = seg_at(file, line, fx, i);
	const struct tcpe_view *v;
	const uint8_t *d;
	uint32_t j, k, pos = 0, off;

	h_expect_len(file, line, fx, i, len);
	off = o->seq - p->our_base;
	for (j = 0; j < o->nviews; j++) {
		v = &o->v[j];
		if (v->buf == NULL || v->off + v->len >
		    h_bops.len(NULL, v->buf))
			h_fail(file, line, fx, "[%u] view %u [%u, +%u) out of "
			    "its buffer", i, j, v->off, v->len);
		d = h_bops.ptr(NULL, v->buf) + v->off;
		for (k = 0; k < v->len; k++, pos++)
			if (d[k] != (uint8_t)(off + pos + H_OUR_SEED))
				h_fail(file, line, fx, "[%u] payload byte %u "
				    "(stream offset %u) is %#x, expected %#x",
				    i, pos, off + pos, d[k],
				    (uint8_t)(off + pos + H_OUR_SEED));
	}
}

void
h_expect_opts(const char *file, int line, const struct h_fx *fx, uint32_t i,
    uint8_t present, int mss, int ws)
{
	const struct tcpe_oseg *o = seg_at(file, line, fx, i);

	if (o->opts.present != present)
		h_fail(file, line, fx, "[%u] options %#x, expected %#x", i,
		    o->opts.present, present);
	if ((present & TCPE_OPT_MSS) && mss != H_ANY && o->opts.mss != mss)
		h_fail(file, line, fx, "[%u] MSS option %u, expected %d", i,
		    o->opts.mss, mss);
	if ((present & TCPE_OPT_WS) && ws != H_ANY && o->opts.wscale != ws)
		h_fail(file, line, fx, "[%u] WS option %u, expected %d", i,
		    o->opts.wscale, ws);
}

/* --- timestamps and SACK-permitted (issue 3) ------------------------------ */

void
h_seg_ts(struct tcpe_seg *seg, uint32_t tsval, uint32_t tsecr)
{
	seg->opts.present |= TCPE_OPT_TS;
	seg->opts.tsval = tsval;
	seg->opts.tsecr = tsecr;
}

void
h_seg_sackok(struct tcpe_seg *seg)
{
	seg->opts.present |= TCPE_OPT_SACKOK;
}

void
h_expect_ts(const char *file, int line, const struct h_fx *fx, uint32_t i,
    long long tsval, long long tsecr)
{
	const struct tcpe_oseg *o = seg_at(file, line, fx, i);

	if (!(o->opts.present & TCPE_OPT_TS))
		h_fail(file, line, fx, "[%u] no TS option (options %#x)", i,
		    o->opts.present);
	if (tsval != H_ANY_TS && o->opts.tsval != (uint32_t)tsval)
		h_fail(file, line, fx, "[%u] TSval %u, expected %u (%+d)", i,
		    o->opts.tsval, (uint32_t)tsval,
		    (int32_t)(o->opts.tsval - (uint32_t)tsval));
	if (tsecr != H_ANY_TS && o->opts.tsecr != (uint32_t)tsecr)
		h_fail(file, line, fx, "[%u] TSecr %u, expected %u (%+d)", i,
		    o->opts.tsecr, (uint32_t)tsecr,
		    (int32_t)(o->opts.tsecr - (uint32_t)tsecr));
}

int
h_setup_default(void **state)
{
	*state = h_fx_new(NULL);
	return 0;
}

int
h_teardown(void **state)
{
	h_fx_free(*state);
	return 0;
}
