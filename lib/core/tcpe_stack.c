/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore shard: demultiplexing, listeners, connection memory,
 * timers and the application event list.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "tcpe_hash.h"
#include "tcpe_stack.h"

static const char *const mib_group[TCPE_MIB_N] = {
#define TCPE_MIB_GROUP(id, group, name) [TCPE_MIB_##id] = group,
	TCPE_MIB_LIST(TCPE_MIB_GROUP)
#undef TCPE_MIB_GROUP
};

static const char *const mib_name[TCPE_MIB_N] = {
#define TCPE_MIB_NAME(id, group, name) [TCPE_MIB_##id] = name,
	TCPE_MIB_LIST(TCPE_MIB_NAME)
#undef TCPE_MIB_NAME
};

const char *
tcpe_mib_group(int id)
{
	return id < 0 || id >= TCPE_MIB_N ? NULL : mib_group[id];
}

const char *
tcpe_mib_name(int id)
{
	return id < 0 || id >= TCPE_MIB_N ? NULL : mib_name[id];
}

/* --- RFC 6528 initial sequence numbers ---------------------------------- */

/*
 * RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secret),
 * M a clock ticking every 4 microseconds, F SipHash-2-4 under a per-boot
 * secret.
 */
uint32_t
tcpe_stack_isn(const struct tcpe_stack *s, const struct tcpe_tuple *t,
    tcpe_time_t now)
{
	uint64_t m0 = ((uint64_t)t->laddr << 32) | t->raddr;
	uint64_t m1 = ((uint64_t)t->lport << 16) | t->rport;

	return (uint32_t)tcpe_siphash24_2w(s->secret, m0, m1) +
	    (uint32_t)(now / 4000);
}

/*
 * RFC 7323 section 5.4 (Linux secure_tcp_ts_off): a per-4-tuple random
 * offset of the timestamp clock, so TSval reveals no global uptime. The
 * same secret as the ISN, another input (bit 32 of the second word).
 */
uint32_t
tcpe_stack_ts_off(const struct tcpe_stack *s, const struct tcpe_tuple *t)
{
	uint64_t m0 = ((uint64_t)t->laddr << 32) | t->raddr;
	uint64_t m1 = (1ULL << 32) | ((uint64_t)t->lport << 16) | t->rport;

	return (uint32_t)tcpe_siphash24_2w(s->secret, m0, m1);
}

/* --- shard -------------------------------------------------------------- */

struct tcpe_stack *
tcpe_stack_create(const struct tcpe_stack_params *p, tcpe_time_t now)
{
	struct tcpe_stack *s;

	if (p == NULL || p->cfg == NULL || p->bops.ref == NULL ||
	    p->bops.unref == NULL || p->mtu < 576 || p->mtu > 9216) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	s->cfg = *p->cfg;
	s->bops = p->bops;
	s->secret[0] = p->secret[0];
	s->secret[1] = p->secret[1];
	s->mss = (uint16_t)(p->mtu - 40);
	s->now = now;
	tcpe_cookie_keys_init(&s->cookie_keys, s->secret);
	if (s->cfg.window_scaling) {
		/* The smallest shift that can announce the whole buffer. */
		while (s->rcv_wscale < 14 &&
		    (s->cfg.rmem[1] >> s->rcv_wscale) > 65535)
			s->rcv_wscale++;
	}
	s->trace = p->trace;
	s->trace_ctx = p->trace_ctx;
	s->app = p->app;
	if (tcpe_table_init(&s->table, s->cfg.max_conns) != 0) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	if (tcpe_tw_init(&s->tw, s->cfg.max_tw_buckets) != 0) {
		tcpe_table_fini(&s->table);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	tcpe_wheel_init(&s->wheel, now);
	tcpe_list_init(&s->listeners);
	s->ev_tail = &s->ev_head;
	return s;
}

void
tcpe_stack_ev_unlink(struct tcpe_conn *c)
{
	struct tcpe_stack *s = c->stack;
	struct tcpe_conn **pp;

	if (!(c->flags & TCPE_CF_EVQ))
		return;
	for (pp = &s->ev_head; *pp != NULL; pp = &(*pp)->ev_next) {
		if (*pp == c) {
			*pp = c->ev_next;
			if (s->ev_tail == &c->ev_next)
				s->ev_tail = pp;
			break;
		}
	}
	c->ev_next = NULL;
	c->flags &= ~TCPE_CF_EVQ;
}

static void
free_vq(struct tcpe_stack *s, struct tcpe_vq *q)
{
	uint32_t i;

	for (i = 0; i < q->n; i++)
		s->bops.unref(s->bops.ctx, q->v[(q->head + i) % q->cap].buf);
	free(q->v);
	memset(q, 0, sizeof(*q));
}

static void
free_conn(struct tcpe_stack *s, struct tcpe_conn *c)
{
	tcpe_table_remove(&s->table, &c->node);
	tcpe_wheel_del(&s->wheel, &c->timer);
	tcpe_stack_ev_unlink(c);
	free_vq(s, &c->sndq);
	free_vq(s, &c->rcvq);
	if (c->ooo != NULL) {
		tcpe_ooo_free(c->ooo, &s->bops);
		free(c->ooo);
	}
	free(c->lq);
	free(c->sb);
	s->state_count[c->state]--;
	s->nconns--;
	if (c->flags & TCPE_CF_ORPHAN)
		s->orphans--;
	free(c);
}

void
tcpe_stack_destroy(struct tcpe_stack *s)
{
	struct tcpe_table_node *n, *next;
	struct tcpe_conn *c;
	uint32_t cursor = 0;

	if (s == NULL)
		return;
	/* Listeners are not in the table. */
	while (!tcpe_list_empty(&s->listeners)) {
		c = tcpe_container_of(s->listeners.next, struct tcpe_conn,
		    qlink);
		tcpe_list_del(&c->qlink);
		free_conn(s, c);
	}
	n = tcpe_table_next(&s->table, &cursor, NULL);
	while (n != NULL) {
		next = tcpe_table_next(&s->table, &cursor, n);
		c = tcpe_container_of(n, struct tcpe_conn, node);
		free_conn(s, c);
		n = next;
	}
	tcpe_table_fini(&s->table);
	tcpe_tw_fini(&s->tw);
	free(s);
}

struct tcpe_conn *
tcpe_stack_alloc_conn(struct tcpe_stack *s)
{
	const struct tcpe_tcp_cfg *cfg = &s->cfg;
	struct tcpe_conn *c;
	int i;

	if (s->nconns >= cfg->max_conns) {
		s->mib[TCPE_MIB_DROP_TABLE_FULL]++;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		s->mib[TCPE_MIB_DROP_NO_CONN_MEM]++;
		return NULL;
	}
	c->stack = s;
	tcpe_timer_init(&c->timer);
	for (i = 0; i < TCPE_TT_N; i++)
		c->deadline[i] = TCPE_TIME_NEVER;
	tcpe_list_init(&c->qlink);
	c->state = TCPE_CLOSED;
	c->rto = TCPE_MS(cfg->rto_initial_ms);
	tcpe_rtt_init(&c->rtt, c->rto);
	c->snd_buf = cfg->wmem[1];
	c->rcv_buf = cfg->rmem[1];
	c->mss = s->mss;
	c->rcv_mss = s->mss;
	/* Options we offer; tcpe_conn_take_syn_options() keeps the agreed. */
	if (cfg->window_scaling) {
		c->rcv_wscale = s->rcv_wscale;
		c->flags |= TCPE_CF_WSCALE;
	}
	if (cfg->timestamps)
		c->flags |= TCPE_CF_TS;
	if (cfg->sack)
		c->flags |= TCPE_CF_SACK;
	s->state_count[TCPE_CLOSED]++;
	s->nconns++;
	return c;
}

static bool
conn_held(const struct tcpe_conn *c)
{
	return (c->flags & TCPE_CF_APP) || c->listener != NULL ||
	    c->state == TCPE_LISTEN;
}

/* The window field of our last ACK, for the record's ACKs. */
static uint16_t
tw_window(const struct tcpe_conn *c)
{
	uint32_t w = tcpe_seq_gt(c->rcv_adv, c->rcv_nxt) ?
	    (c->rcv_adv - c->rcv_nxt) >> c->rcv_wscale : 0;

	return w > 65535 ? 65535 : (uint16_t)w;
}

/*
 * A TCB in TIME_WAIT that nobody holds becomes a record for the rest of
 * its period (Linux tcp_time_wait), or, with tcp_max_tw_buckets records
 * already, closes at once (TCPTimeWaitOverflow). The TCB is freed.
 */
static void
tw_from_conn(struct tcpe_stack *s, struct tcpe_conn *c)
{
	struct tcpe_tw *tw;
	int err;

	tw = tcpe_tw_add(&s->tw, &c->node.key, c->node.hash,
	    c->deadline[TCPE_TT_2MSL], &err);
	if (tw == NULL) {
		s->mib[TCPE_MIB_TW_OVERFLOW]++;
	} else {
		tw->snd_nxt = c->snd_nxt;
		tw->rcv_nxt = c->rcv_nxt;
		tw->wnd = tw_window(c);
		tw->rcv_wscale = c->rcv_wscale;
		if (c->flags & TCPE_CF_TS) {
			tw->flags |= TCPE_TW_TS;
			tw->ts_recent = c->ts_recent;
		}
	}
	free_conn(s, c);
	if (tw != NULL) {
		s->state_count[TCPE_TIME_WAIT]++;
		if (tw->expires < s->next_hint)
			s->next_hint = tw->expires;
	}
}

/* Does a TCB in this state need a running timer? (README, issue 4/8) */
static bool
needs_timer(const struct tcpe_conn *c)
{
	switch (c->state) {
	case TCPE_SYN_SENT:
	case TCPE_SYN_RECEIVED:
	case TCPE_FIN_WAIT_1:
	case TCPE_CLOSING:
	case TCPE_LAST_ACK:
	case TCPE_TIME_WAIT:
		return true;
	case TCPE_FIN_WAIT_2:
		return !(c->flags & TCPE_CF_APP);
	default:
		return false;
	}
}

void
tcpe_stack_conn_sync(struct tcpe_conn *c)
{
	struct tcpe_stack *s = c->stack;
	tcpe_time_t d;

	if (c->state == TCPE_CLOSED && !conn_held(c)) {
		free_conn(s, c);
		return;
	}
	if (c->state == TCPE_TIME_WAIT && !conn_held(c)) {
		tw_from_conn(s, c);
		return;
	}
	d = tcpe_conn_deadline(c);
	/* No connection may wait for ever in a state that must end. */
	assert(!needs_timer(c) || d != TCPE_TIME_NEVER);
	if (d == TCPE_TIME_NEVER) {
		tcpe_wheel_del(&s->wheel, &c->timer);
	} else if (!tcpe_timer_pending(&c->timer) || d < c->timer.expires) {
		/* Pushing a deadline later leaves the entry early: lazy. */
		tcpe_wheel_add(&s->wheel, &c->timer, d);
		if (d < s->next_hint)
			s->next_hint = d;
	}
	if (c->events != 0 && (c->flags & TCPE_CF_APP) &&
	    !(c->flags & TCPE_CF_EVQ)) {
		c->flags |= TCPE_CF_EVQ;
		c->ev_next = NULL;
		*s->ev_tail = c;
		s->ev_tail = &c->ev_next;
	}
}

/*
 * Answer a segment that has no connection (RFC 9293 section 3.10.7.1):
 * <SEQ=SEG.ACK><CTL=RST> if it carries an ACK, else
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. Never answer an RST.
 */
void
tcpe_stack_send_rst(struct tcpe_stack *s, const struct tcpe_seg *seg,
    struct tcpe_out *out)
{
	struct tcpe_oseg *o;
	uint32_t len;

	if (seg->flags & TCPE_TH_RST)
		return;
	o = tcpe_out_next(out);
	if (o == NULL)
		return;
	o->t = seg->t;
	o->wnd = 0;
	if (seg->flags & TCPE_TH_ACK) {
		o->flags = TCPE_TH_RST;
		o->seq = seg->ack;
		o->ack = 0;
	} else {
		len = seg->data.len + ((seg->flags & TCPE_TH_SYN) ? 1 : 0) +
		    ((seg->flags & TCPE_TH_FIN) ? 1 : 0);
		o->flags = TCPE_TH_RST | TCPE_TH_ACK;
		o->seq = 0;
		o->ack = seg->seq + len;
	}
	s->mib[TCPE_MIB_OUT_SEGS]++;
	s->mib[TCPE_MIB_OUT_RSTS]++;
}

static struct tcpe_conn *
find_listener(struct tcpe_stack *s, uint32_t laddr, uint16_t lport)
{
	struct tcpe_list *e;
	struct tcpe_conn *l, *any = NULL;

	for (e = s->listeners.next; e != &s->listeners; e = e->next) {
		l = tcpe_container_of(e, struct tcpe_conn, qlink);
		if (l->node.key.lport != lport)
			continue;
		if (l->node.key.laddr == laddr)
			return l;
		if (l->node.key.laddr == 0)
			any = l;
	}
	return any;
}

/* Cookies are checked for this long after the last one was sent. */
#define COOKIE_RECENT	TCPE_S(120)

/* The window field of a SYN-ACK: the default buffer, never scaled. */
static uint16_t
syn_window(const struct tcpe_stack *s)
{
	return s->cfg.rmem[1] > 65535 ? 65535 : (uint16_t)s->cfg.rmem[1];
}

/* Our timestamp clock for the 4-tuple t: milliseconds plus its offset. */
static uint32_t
ts_clock(const struct tcpe_stack *s, const struct tcpe_tuple *t,
    tcpe_time_t now)
{
	return (uint32_t)(now / TCPE_MS(1)) + tcpe_stack_ts_off(s, t);
}

/*
 * Answer a SYN with a cookie SYN-ACK and keep no state (Linux
 * tcp_conn_request with want_cookie). The options that cannot be encoded
 * in the cookie travel in the low bits of our TSval; without the peer's
 * timestamps there is nowhere to keep them, so only MSS is offered.
 */
static void
send_cookie_synack(struct tcpe_stack *s, struct tcpe_conn *l,
    const struct tcpe_seg *seg, tcpe_time_t now, struct tcpe_out *out)
{
	const struct tcpe_opts *in = &seg->opts;
	struct tcpe_oseg *o;
	uint16_t mss = (in->present & TCPE_OPT_MSS) ? in->mss : 0;
	uint32_t cookie;
	int ws = -1;
	bool sack = false;

	o = tcpe_out_next(out);
	if (o == NULL) {
		s->mib[TCPE_MIB_LISTEN_DROPS]++;
		return;
	}
	cookie = tcpe_cookie_make(&s->cookie_keys, &seg->t, seg->seq, &mss,
	    now);
	o->t = seg->t;
	o->flags = TCPE_TH_SYN | TCPE_TH_ACK;
	o->seq = cookie;
	o->ack = seg->seq + 1;
	o->wnd = syn_window(s);
	o->opts.present = TCPE_OPT_MSS;
	o->opts.mss = s->mss;
	if ((in->present & TCPE_OPT_TS) && s->cfg.timestamps) {
		if ((in->present & TCPE_OPT_WS) && s->cfg.window_scaling) {
			ws = in->wscale > 14 ? 14 : in->wscale;
			o->opts.present |= TCPE_OPT_WS;
			o->opts.wscale = s->rcv_wscale;
		}
		if ((in->present & TCPE_OPT_SACKOK) && s->cfg.sack) {
			sack = true;
			o->opts.present |= TCPE_OPT_SACKOK;
		}
		o->opts.present |= TCPE_OPT_TS;
		o->opts.tsval = tcpe_cookie_ts_encode(ts_clock(s, &seg->t,
		    now), ws, sack);
		o->opts.tsecr = in->tsval;
	}
	l->lq->last_cookie = now;
	s->mib[TCPE_MIB_SYNCOOKIES_SENT]++;
	s->mib[TCPE_MIB_OUT_SEGS]++;
}

/*
 * The accept queue of l is full when the handshake of a child completes
 * (Linux tcp_check_req, listen_overflow). Returns true when the caller
 * must drop the segment: with tcp_abort_on_overflow it is answered with
 * an RST, otherwise ignored, so the peer retransmits after our next
 * SYN-ACK or its own timeout, when the application may have accepted.
 * A cookie ACK (may_abort false) is dropped silently either way, as Linux
 * does (tcp_v4_syn_recv_sock fails, cookie_v4_check returns no socket).
 */
bool
tcpe_stack_acc_overflow(struct tcpe_stack *s, struct tcpe_conn *l,
    const struct tcpe_seg *seg, bool may_abort, struct tcpe_out *out)
{
	if (l->lq->acc_len < l->lq->backlog)
		return false;
	s->mib[TCPE_MIB_LISTEN_OVERFLOWS]++;
	s->mib[TCPE_MIB_LISTEN_DROPS]++;
	if (may_abort && s->cfg.abort_on_overflow) {
		s->mib[TCPE_MIB_EMBRYONIC_RSTS]++;
		tcpe_stack_send_rst(s, seg, out);
	}
	return true;
}

/*
 * A TCB for the 4-tuple of seg, a half-open child of l (in its SYN
 * queue), or NULL (ListenDrops; DropTableFull when the table is full).
 */
static struct tcpe_conn *
new_child(struct tcpe_stack *s, struct tcpe_conn *l,
    const struct tcpe_seg *seg)
{
	struct tcpe_conn *c;

	c = tcpe_stack_alloc_conn(s);
	if (c == NULL) {
		s->mib[TCPE_MIB_LISTEN_DROPS]++;
		return NULL;
	}
	c->node.key = seg->t;
	c->node.hash = seg->hash;
	if (tcpe_table_insert(&s->table, &c->node) != 0) {
		s->mib[TCPE_MIB_LISTEN_DROPS]++;
		s->mib[TCPE_MIB_DROP_TABLE_FULL]++;
		free_conn(s, c);
		return NULL;
	}
	c->flags |= TCPE_CF_PASSIVE;
	c->listener = l;
	tcpe_list_add_tail(&l->lq->syn_q, &c->qlink);
	l->lq->syn_len++;
	return c;
}

/*
 * An ACK for a listener with no connection: the third segment of a
 * handshake answered with a cookie (Linux cookie_v4_check). Returns the
 * new ESTABLISHED child, or NULL when the caller answers with an RST
 * (*rst true) or drops the segment.
 */
static struct tcpe_conn *
cookie_ack(struct tcpe_stack *s, struct tcpe_conn *l,
    const struct tcpe_seg *seg, tcpe_time_t now, struct tcpe_out *out,
    bool *rst)
{
	const struct tcpe_opts *in = &seg->opts;
	struct tcpe_conn *c;
	uint16_t mss;
	int ws = -1;
	bool sack = false;

	*rst = true;
	if (s->cfg.syncookies == 0 || l->lq->last_cookie == TCPE_TIME_NEVER ||
	    now - l->lq->last_cookie >= COOKIE_RECENT)
		return NULL;
	mss = tcpe_cookie_check(&s->cookie_keys, &seg->t, seg->seq - 1,
	    seg->ack - 1, now);
	if (mss == 0) {
		s->mib[TCPE_MIB_SYNCOOKIES_FAILED]++;
		return NULL;
	}
	s->mib[TCPE_MIB_SYNCOOKIES_RECV]++;
	if (in->present & TCPE_OPT_TS) {
		if (!s->cfg.timestamps ||
		    !tcpe_cookie_ts_decode(in->tsecr, &ws, &sack) ||
		    (sack && !s->cfg.sack) ||
		    (ws >= 0 && !s->cfg.window_scaling))
			return NULL;
	}
	*rst = false;
	if (tcpe_stack_acc_overflow(s, l, seg, false, out))
		return NULL;
	c = new_child(s, l, seg);
	if (c == NULL)
		return NULL;
	c->irs = seg->seq - 1;
	c->rcv_nxt = seg->seq;
	c->last_ack = c->rcv_nxt;
	c->rcv_adv = c->rcv_nxt + syn_window(s);
	c->iss = seg->ack - 1;
	c->snd_una = c->iss;
	c->snd_nxt = c->iss;
	c->snd_max = c->iss;
	c->snd_sml = c->iss;
	c->recover = c->iss;
	c->mss = mss < s->mss ? mss : s->mss;
	if (ws >= 0) {
		c->snd_wscale = (uint8_t)ws;
	} else {
		c->flags &= ~TCPE_CF_WSCALE;
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	if (!sack)
		c->flags &= ~TCPE_CF_SACK;
	if (in->present & TCPE_OPT_TS) {
		c->ts_off = tcpe_stack_ts_off(s, &seg->t);
		c->ts_recent = in->tsval;
	} else {
		c->flags &= ~TCPE_CF_TS;
	}
	c->snd_wnd = (uint32_t)seg->wnd << c->snd_wscale;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	/* The SYN-ACK was the cookie: it is acknowledged. */
	tcpe_conn_set_state(c, TCPE_SYN_RECEIVED);
	c->snd_una = seg->ack;
	c->snd_nxt = seg->ack;
	c->snd_max = seg->ack;
	tcpe_conn_established(c);
	return c;
}

/* RFC 9293 section 3.10.7.2: LISTEN, with Linux's queues and cookies. */
static void
listen_input(struct tcpe_stack *s, struct tcpe_conn *l,
    const struct tcpe_seg *seg, const uint32_t *isn, tcpe_time_t now,
    struct tcpe_out *out)
{
	struct tcpe_conn *c;
	bool rst;

	if (seg->flags & TCPE_TH_RST)
		return;
	if (seg->flags & TCPE_TH_ACK) {
		if (!(seg->flags & TCPE_TH_SYN)) {
			c = cookie_ack(s, l, seg, now, out, &rst);
			if (c != NULL) {
				/* Its payload and FIN, as in ESTABLISHED. */
				tcpe_conn_input(c, seg, now, out);
				return;
			}
			if (!rst)
				return;
		}
		tcpe_stack_send_rst(s, seg, out);
		return;
	}
	if (!(seg->flags & TCPE_TH_SYN))
		return;
	/* Nowhere to put the connection once established: drop the SYN. */
	if (l->lq->acc_len >= l->lq->backlog) {
		s->mib[TCPE_MIB_LISTEN_OVERFLOWS]++;
		s->mib[TCPE_MIB_LISTEN_DROPS]++;
		return;
	}
	/* Linux tcp_syn_flood_action: counted for every cookie sent. */
	if (s->cfg.syncookies == 2 || l->lq->syn_len >= s->cfg.max_syn_backlog) {
		if (s->cfg.syncookies != 0) {
			s->mib[TCPE_MIB_REQQ_FULL_DO_COOKIES]++;
			send_cookie_synack(s, l, seg, now, out);
		} else {
			s->mib[TCPE_MIB_REQQ_FULL_DROP]++;
			s->mib[TCPE_MIB_LISTEN_DROPS]++;
		}
		return;
	}
	c = new_child(s, l, seg);
	if (c == NULL)
		return;
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->last_ack = c->rcv_nxt;
	c->iss = isn != NULL ? *isn : tcpe_stack_isn(s, &c->node.key, now);
	c->snd_una = c->iss;
	c->snd_nxt = c->iss;
	c->snd_max = c->iss;
	c->snd_sml = c->iss;
	c->recover = c->iss;
	/* Options, then the peer's window (never scaled on a SYN). */
	tcpe_conn_take_syn_options(c, seg);
	c->snd_wnd = seg->wnd;
	c->max_snd_wnd = seg->wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = 0;
	tcpe_conn_set_state(c, TCPE_SYN_RECEIVED);
	tcpe_conn_output(c, now, out);
	tcpe_stack_conn_sync(c);
}

/*
 * A segment for a TIME_WAIT record (Linux tcp_timewait_state_process):
 * an RST at RCV.NXT ends it unless tcp_rfc1337; a SYN beyond the old
 * connection (sequence number, or timestamp: RFC 6191) opens a new one
 * through the listener; a bare ACK at RCV.NXT restarts the period; the
 * rest is answered with an ACK, restarting the period if it carries an
 * ACK (a retransmitted FIN).
 */
static void
tw_input(struct tcpe_stack *s, struct tcpe_tw *tw, const struct tcpe_seg *seg,
    tcpe_time_t now, struct tcpe_out *out)
{
	const struct tcpe_opts *in = &seg->opts;
	struct tcpe_oseg *o;
	struct tcpe_conn *l;
	uint32_t isn;
	bool newer;

	if (seg->flags & TCPE_TH_RST) {
		if (seg->seq == tw->rcv_nxt && !s->cfg.rfc1337) {
			s->mib[TCPE_MIB_TW_KILLED]++;
			tcpe_tw_del(&s->tw, tw);
			s->state_count[TCPE_TIME_WAIT]--;
		}
		return;
	}
	if ((seg->flags & (TCPE_TH_SYN | TCPE_TH_ACK)) == TCPE_TH_SYN) {
		newer = tcpe_seq_gt(seg->seq, tw->rcv_nxt) ||
		    ((tw->flags & TCPE_TW_TS) && (in->present & TCPE_OPT_TS) &&
		    (int32_t)(in->tsval - tw->ts_recent) > 0);
		l = find_listener(s, seg->t.laddr, seg->t.lport);
		if (newer && l != NULL) {
			isn = tw->snd_nxt + 65535 + 2;
			tcpe_tw_del(&s->tw, tw);
			s->state_count[TCPE_TIME_WAIT]--;
			listen_input(s, l, seg, &isn, now, out);
			return;
		}
	}
	if ((seg->flags & (TCPE_TH_SYN | TCPE_TH_FIN | TCPE_TH_ACK)) ==
	    TCPE_TH_ACK && seg->data.len == 0 && seg->seq == tw->rcv_nxt) {
		tcpe_tw_restart(&s->tw, tw, now + TCPE_S(s->cfg.timewait_len));
		return;
	}
	if (seg->flags & TCPE_TH_ACK)
		tcpe_tw_restart(&s->tw, tw, now + TCPE_S(s->cfg.timewait_len));
	o = tcpe_out_next(out);
	if (o == NULL)
		return;
	o->t = seg->t;
	o->flags = TCPE_TH_ACK;
	o->seq = tw->snd_nxt;
	o->ack = tw->rcv_nxt;
	o->wnd = tw->wnd;
	if (tw->flags & TCPE_TW_TS) {
		o->opts.present = TCPE_OPT_TS;
		o->opts.tsval = ts_clock(s, &seg->t, now);
		o->opts.tsecr = tw->ts_recent;
	}
	s->mib[TCPE_MIB_OUT_SEGS]++;
}

int
tcpe_stack_input(struct tcpe_stack *s, const struct tcpe_seg *seg,
    tcpe_time_t now, struct tcpe_out *out)
{
	struct tcpe_table_node *n;
	struct tcpe_conn *l, *c;
	struct tcpe_tw *tw;
	uint32_t isn;

	s->now = now;
	s->mib[TCPE_MIB_IN_SEGS]++;
	n = tcpe_table_lookup(&s->table, &seg->t, seg->hash);
	if (n != NULL) {
		c = tcpe_container_of(n, struct tcpe_conn, node);
		/*
		 * A new incarnation may take over a TIME_WAIT 4-tuple; only
		 * then is a listener looked up, not for every segment.
		 */
		if (c->state != TCPE_TIME_WAIT ||
		    !(seg->flags & TCPE_TH_SYN) ||
		    (l = find_listener(s, seg->t.laddr, seg->t.lport)) ==
		    NULL || !tcpe_conn_tw_reopen(c, seg, &isn))
			return tcpe_conn_input(c, seg, now, out);
		listen_input(s, l, seg, &isn, now, out);
		return 0;
	}
	tw = tcpe_tw_lookup(&s->tw, &seg->t, seg->hash);
	if (tw != NULL) {
		tw_input(s, tw, seg, now, out);
		return 0;
	}
	l = find_listener(s, seg->t.laddr, seg->t.lport);
	if (l != NULL) {
		listen_input(s, l, seg, NULL, now, out);
		return 0;
	}
	tcpe_stack_send_rst(s, seg, out);
	return 0;
}

uint32_t
tcpe_stack_expire_tw(struct tcpe_stack *s, tcpe_time_t now)
{
	uint32_t n;

	s->now = now;
	n = tcpe_tw_expire(&s->tw, now);
	s->state_count[TCPE_TIME_WAIT] -= n;
	return n;
}

int
tcpe_stack_expire(struct tcpe_stack *s, tcpe_time_t now, struct tcpe_out *out)
{
	struct tcpe_timer *t;
	struct tcpe_conn *c;

	tcpe_stack_expire_tw(s, now);
	tcpe_wheel_advance(&s->wheel, now);
	while ((t = tcpe_wheel_pop(&s->wheel)) != NULL) {
		c = tcpe_container_of(t, struct tcpe_conn, timer);
		tcpe_conn_expire(c, now, out);
	}
	return 0;
}

tcpe_time_t
tcpe_stack_deadline(const struct tcpe_stack *s)
{
	tcpe_time_t w = tcpe_wheel_next(&s->wheel);
	tcpe_time_t t = tcpe_tw_deadline(&s->tw);

	return t < w ? t : w;
}

struct tcpe_conn *
tcpe_stack_listen(struct tcpe_stack *s, uint32_t laddr, uint16_t lport,
    uint32_t backlog, int *err)
{
	struct tcpe_list *e;
	struct tcpe_conn *l;

	for (e = s->listeners.next; e != &s->listeners; e = e->next) {
		l = tcpe_container_of(e, struct tcpe_conn, qlink);
		if (l->node.key.lport == lport && l->node.key.laddr == laddr) {
			*err = -EADDRINUSE;
			return NULL;
		}
	}
	l = tcpe_stack_alloc_conn(s);
	if (l == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	l->lq = calloc(1, sizeof(*l->lq));
	if (l->lq == NULL) {
		free_conn(s, l);
		*err = -ENOMEM;
		return NULL;
	}
	tcpe_list_init(&l->lq->syn_q);
	tcpe_list_init(&l->lq->acc_q);
	l->lq->last_cookie = TCPE_TIME_NEVER;
	l->node.key.laddr = laddr;
	l->node.key.lport = lport;
	l->lq->backlog = backlog < s->cfg.somaxconn ? backlog : s->cfg.somaxconn;
	if (l->lq->backlog == 0)
		l->lq->backlog = 1;
	l->flags |= TCPE_CF_APP;
	tcpe_list_add_tail(&s->listeners, &l->qlink);
	tcpe_conn_set_state(l, TCPE_LISTEN);
	*err = 0;
	return l;
}

struct tcpe_conn *
tcpe_stack_connect(struct tcpe_stack *s, const struct tcpe_tuple *t,
    uint32_t hash, tcpe_time_t now, struct tcpe_out *out, int *err)
{
	struct tcpe_conn *c;
	struct tcpe_tw *tw;
	uint32_t isn = 0;
	int rc;

	s->now = now;
	if (tcpe_table_lookup(&s->table, t, hash) != NULL) {
		*err = -EADDRINUSE;
		return NULL;
	}
	/*
	 * A 4-tuple in TIME_WAIT: reusable with tcp_tw_reuse=1 when
	 * timestamps were in use and the last of them is a second old, so
	 * PAWS on the peer tells the incarnations apart (Linux
	 * tcp_twsk_unique). The record's last (re)start stands for the
	 * time of its TS.Recent.
	 */
	tw = tcpe_tw_lookup(&s->tw, t, hash);
	if (tw != NULL) {
		if (s->cfg.tw_reuse != 1 || !(tw->flags & TCPE_TW_TS) ||
		    now < tw->expires - TCPE_S(s->cfg.timewait_len) +
		    TCPE_S(1)) {
			*err = -EADDRINUSE;
			return NULL;
		}
		isn = tw->snd_nxt + 65535 + 2;
	}
	c = tcpe_stack_alloc_conn(s);
	if (c == NULL) {
		*err = s->nconns >= s->cfg.max_conns ? -ENOSPC : -ENOMEM;
		return NULL;
	}
	c->node.key = *t;
	c->node.hash = hash;
	rc = tcpe_table_insert(&s->table, &c->node);
	if (rc != 0) {
		free_conn(s, c);
		*err = rc;
		return NULL;
	}
	c->flags |= TCPE_CF_APP;
	if (tw != NULL) {
		tcpe_tw_del(&s->tw, tw);
		s->state_count[TCPE_TIME_WAIT]--;
		s->mib[TCPE_MIB_TW_RECYCLED]++;
		c->iss = isn;
	} else {
		c->iss = tcpe_stack_isn(s, t, now);
	}
	c->ts_off = tcpe_stack_ts_off(s, t);
	c->snd_una = c->iss;
	c->snd_nxt = c->iss;
	c->snd_max = c->iss;
	c->snd_sml = c->iss;
	c->recover = c->iss;
	s->mib[TCPE_MIB_ACTIVE_OPENS]++;
	tcpe_conn_set_state(c, TCPE_SYN_SENT);
	tcpe_conn_output(c, now, out);
	tcpe_stack_conn_sync(c);
	*err = 0;
	return c;
}

struct tcpe_conn *
tcpe_stack_accept(struct tcpe_conn *l)
{
	struct tcpe_conn *c;

	if (l->state != TCPE_LISTEN || tcpe_list_empty(&l->lq->acc_q))
		return NULL;
	c = tcpe_container_of(l->lq->acc_q.next, struct tcpe_conn, qlink);
	tcpe_list_del(&c->qlink);
	l->lq->acc_len--;
	c->listener = NULL;
	c->flags &= ~TCPE_CF_IN_ACCEPTQ;
	c->flags |= TCPE_CF_APP | TCPE_CF_ACCEPTED;
	tcpe_stack_conn_sync(c);
	return c;
}

struct tcpe_conn *
tcpe_stack_next_event(struct tcpe_stack *s, uint16_t *events)
{
	struct tcpe_conn *c = s->ev_head;

	if (c == NULL)
		return NULL;
	s->ev_head = c->ev_next;
	if (s->ev_head == NULL)
		s->ev_tail = &s->ev_head;
	c->ev_next = NULL;
	c->flags &= ~TCPE_CF_EVQ;
	*events = c->events;
	c->events = 0;
	return c;
}
