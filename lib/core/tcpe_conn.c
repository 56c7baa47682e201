/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP connection state machine (RFC 9293 section 3.10), sans-IO.
 *
 * Segment arrival follows section 3.10.7 step by step; the comments name
 * the step. Where RFC 5961 (blind in-window attacks) amends the RFC, the
 * amendment wins, as in Linux.
 */
#include <stdlib.h>
#include <string.h>

#include "tcpe_conn.h"
#include "tcpe_stack.h"
#include "tcpe_wire.h"

static const char *const state_names[TCPE_STATE_MAX] = {
	[TCPE_CLOSED] = "CLOSED",
	[TCPE_LISTEN] = "LISTEN",
	[TCPE_SYN_SENT] = "SYN_SENT",
	[TCPE_SYN_RECEIVED] = "SYN_RECEIVED",
	[TCPE_ESTABLISHED] = "ESTABLISHED",
	[TCPE_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCPE_FIN_WAIT_1] = "FIN_WAIT_1",
	[TCPE_CLOSING] = "CLOSING",
	[TCPE_LAST_ACK] = "LAST_ACK",
	[TCPE_FIN_WAIT_2] = "FIN_WAIT_2",
	[TCPE_TIME_WAIT] = "TIME_WAIT",
};

/* Linux's floor for a peer's MSS (TCP_MIN_SND_MSS). */
#define MIN_SND_MSS	48
/* RFC 9293 section 3.7.1: the MSS to assume when the peer sends none. */
#define DEFAULT_MSS	536
/* RFC 7323 section 2.3: the largest shift. */
#define MAX_WSCALE	14

const char *
tcpe_state_name(int state)
{
	if (state < 0 || state >= TCPE_STATE_MAX)
		return "?";
	return state_names[state];
}

void
tcpe_conn_set_state(struct tcpe_conn *c, int state)
{
	struct tcpe_stack *s = c->stack;
	int old = c->state;

	if (old == state)
		return;
	s->state_count[old]--;
	s->state_count[state]++;
	c->state = (uint8_t)state;
	if (s->trace != NULL)
		s->trace(s->trace_ctx, c, old, state);
}

/* --- view queues ------------------------------------------------------ */

static int
vq_push(struct tcpe_vq *q, struct tcpe_view v)
{
	struct tcpe_view *nv;
	uint32_t ncap, i;

	if (q->n == q->cap) {
		ncap = q->cap == 0 ? 4 : q->cap * 2;
		nv = malloc(sizeof(*nv) * ncap);
		if (nv == NULL)
			return -ENOMEM;
		for (i = 0; i < q->n; i++)
			nv[i] = q->v[(q->head + i) % q->cap];
		free(q->v);
		q->v = nv;
		q->head = 0;
		q->cap = ncap;
	}
	q->v[(q->head + q->n) % q->cap] = v;
	q->n++;
	q->bytes += v.len;
	return 0;
}

static struct tcpe_view *
vq_at(const struct tcpe_vq *q, uint32_t i)
{
	return &q->v[(q->head + i) % q->cap];
}

/* Remove the first view, whose reference passes to the caller. */
static struct tcpe_view
vq_pop(struct tcpe_vq *q)
{
	struct tcpe_view v = *vq_at(q, 0);

	q->head = (q->head + 1) % q->cap;
	q->n--;
	q->bytes -= v.len;
	return v;
}

/* Drop len bytes from the front, releasing the views fully consumed. */
static void
vq_drop(struct tcpe_vq *q, uint32_t len, const struct tcpe_buf_ops *ops)
{
	struct tcpe_view *v, d;

	while (len > 0 && q->n > 0) {
		v = vq_at(q, 0);
		if (v->len > len) {
			v->off += len;
			v->len -= len;
			q->bytes -= len;
			return;
		}
		len -= v->len;
		d = vq_pop(q);
		ops->unref(ops->ctx, d.buf);
	}
}

static void
vq_free(struct tcpe_vq *q, const struct tcpe_buf_ops *ops)
{
	while (q->n > 0)
		ops->unref(ops->ctx, vq_pop(q).buf);
	free(q->v);
	memset(q, 0, sizeof(*q));
}

/*
 * Reference up to len bytes starting off bytes into q as views of o.
 * Returns the bytes gathered: fewer than len when o runs out of views.
 */
static uint32_t
vq_gather(const struct tcpe_vq *q, uint32_t off, uint32_t len,
    struct tcpe_oseg *o, const struct tcpe_buf_ops *ops)
{
	const struct tcpe_view *v;
	uint32_t i, got = 0, take;

	for (i = 0; i < q->n && got < len; i++) {
		v = vq_at(q, i);
		if (off >= v->len) {
			off -= v->len;
			continue;
		}
		if (o->nviews == TCPE_OSEG_MAX_VIEWS)
			break;
		take = v->len - off;
		if (take > len - got)
			take = len - got;
		ops->ref(ops->ctx, v->buf);
		o->v[o->nviews].buf = v->buf;
		o->v[o->nviews].off = v->off + off;
		o->v[o->nviews].len = take;
		o->nviews++;
		got += take;
		off = 0;
	}
	o->len = got;
	return got;
}

/* --- helpers ----------------------------------------------------------- */

static bool
app_visible(const struct tcpe_conn *c)
{
	return (c->flags & TCPE_CF_APP) != 0;
}

static bool
is_orphan(const struct tcpe_conn *c)
{
	return !app_visible(c) && c->listener == NULL;
}

static void
conn_event(struct tcpe_conn *c, uint16_t ev)
{
	c->events |= ev;
}

static bool
fin_acked(const struct tcpe_conn *c)
{
	return (c->flags & TCPE_CF_FIN_ACKED) != 0;
}

static uint32_t
rcv_space(const struct tcpe_conn *c)
{
	uint32_t used = c->rcvq.bytes + c->rcv_held;

	return used >= c->rcv_buf ? 0 : c->rcv_buf - used;
}

/* The window we advertise now, and the right edge it sets. */
static uint16_t
rcv_window_field(struct tcpe_conn *c, bool syn)
{
	uint32_t space = rcv_space(c), right, thresh, wnd, unit;

	if (syn) {
		wnd = space > 65535 ? 65535 : space;
		c->rcv_adv = c->rcv_nxt + wnd;
		return (uint16_t)wnd;
	}
	/*
	 * Receiver silly window avoidance (RFC 9293 section 3.8.6.2.2):
	 * move the right edge only by min(half the buffer, one MSS) or more.
	 * Never move it left: the edge is bounded by the space at the time
	 * it was set, and space only shrinks as RCV.NXT moves right.
	 */
	/* No more than the field can say (Linux tcp_select_window). */
	if (space > (uint32_t)65535 << c->rcv_wscale)
		space = (uint32_t)65535 << c->rcv_wscale;
	right = c->rcv_nxt + space;
	thresh = c->rcv_buf / 2 < c->rcv_mss ? c->rcv_buf / 2 : c->rcv_mss;
	if (tcpe_seq_lt(c->rcv_adv, c->rcv_nxt))
		c->rcv_adv = c->rcv_nxt;
	if (tcpe_seq_gt(right, c->rcv_adv) &&
	    (right - c->rcv_adv >= thresh || c->rcv_adv == c->rcv_nxt))
		c->rcv_adv = right;
	/*
	 * The field counts units of 2^rcv_wscale. A window that is not a
	 * whole number of units is rounded up when the buffer has room for
	 * the rounding (as Linux's tcp_select_window), so the edge does not
	 * move left. Without room it is rounded down for the field while
	 * rcv_adv keeps the edge already announced, which process_data()
	 * still honours: the queue never exceeds the buffer by a unit or
	 * more, however small the peer's segments.
	 */
	unit = 1u << c->rcv_wscale;
	wnd = c->rcv_adv - c->rcv_nxt;
	if ((wnd & (unit - 1)) != 0 && ((wnd + unit - 1) & ~(unit - 1)) <=
	    space)
		wnd = (wnd + unit - 1) & ~(unit - 1);
	wnd >>= c->rcv_wscale;
	if (wnd > 65535)
		wnd = 65535;
	if (tcpe_seq_gt(c->rcv_nxt + (wnd << c->rcv_wscale), c->rcv_adv))
		c->rcv_adv = c->rcv_nxt + (wnd << c->rcv_wscale);
	return (uint16_t)wnd;
}

static tcpe_time_t
rto_max(const struct tcpe_conn *c)
{
	return TCPE_MS(c->stack->cfg.rto_max_ms);
}


/*
 * Retransmissions (or window probes) before giving up: an orphan is
 * bounded by tcp_orphan_retries, 0 meaning 8 (Linux tcp_orphan_retries),
 * a connection the application holds by tcp_retries2.
 */
static uint32_t
retries_limit(const struct tcpe_conn *c)
{
	const struct tcpe_tcp_cfg *cfg = &c->stack->cfg;

	if (!is_orphan(c))
		return cfg->retries2;
	return cfg->orphan_retries == 0 ? 8 : cfg->orphan_retries;
}

/*
 * SACK blocks for an ACK (RFC 2018): a D-SACK block first when one is due
 * (RFC 2883), then the out-of-order ranges, the most recent first; three
 * fit next to the timestamps, four without.
 */
static void
add_sack(struct tcpe_conn *c, struct tcpe_oseg *o)
{
	uint32_t max = (o->opts.present & TCPE_OPT_TS) ? 3 : 4, n = 0;

	if (c->dsack.left != c->dsack.right) {
		o->opts.sack[n++] = c->dsack;
		c->dsack.right = c->dsack.left;
		c->stack->mib[TCPE_MIB_DSACK_SENT]++;
	}
	if (c->ooo != NULL && !tcpe_ooo_empty(c->ooo))
		n += tcpe_ooo_sack(c->ooo, &o->opts.sack[n], max - n);
	if (n > 0) {
		o->opts.nsack = (uint8_t)n;
		o->opts.present |= TCPE_OPT_SACK;
	}
}

static void cc_start(struct tcpe_conn *c);

/* Start a segment from c to its peer; NULL when out is full. */
static struct tcpe_oseg *
emit(struct tcpe_conn *c, struct tcpe_out *out, uint8_t flags, uint32_t seq)
{
	struct tcpe_stack *s = c->stack;
	struct tcpe_oseg *o;

	o = tcpe_out_next(out);
	if (o == NULL)
		return NULL;
	o->t = c->node.key;
	o->flags = flags;
	o->seq = seq;
	o->ack = (flags & TCPE_TH_ACK) ? c->rcv_nxt : 0;
	o->wnd = rcv_window_field(c, (flags & TCPE_TH_SYN) != 0);
	if (flags & TCPE_TH_ACK) {
		c->flags &= ~TCPE_CF_ACK_NOW;
		/* This ACK covers what the delayed one was waiting for. */
		c->deadline[TCPE_TT_DELACK] = TCPE_TIME_NEVER;
		if (c->quick > 0 && c->rcv_nxt != c->last_ack)
			c->quick--;
		c->last_ack = c->rcv_nxt;
	}
	/* RFC 7323 3.2: once negotiated, on every segment but an RST. */
	if ((c->flags & TCPE_CF_TS) && !(flags & TCPE_TH_RST)) {
		o->opts.present |= TCPE_OPT_TS;
		o->opts.tsval = (uint32_t)(s->now / TCPE_MS(1)) + c->ts_off;
		o->opts.tsecr = c->ts_recent;
	}
	if ((c->flags & TCPE_CF_SACK) && (flags & (TCPE_TH_ACK | TCPE_TH_SYN |
	    TCPE_TH_RST)) == TCPE_TH_ACK && tcpe_state_synchronized(c->state))
		add_sack(c, o);
	s->mib[TCPE_MIB_OUT_SEGS]++;
	if (flags & TCPE_TH_RST)
		s->mib[TCPE_MIB_OUT_RSTS]++;
	return o;
}

/*
 * The sequence number of a segment without data: SND.MAX, the next new
 * byte, even while a timeout has rewound SND.NXT (the peer already holds
 * what SND.NXT points at and would drop the ACK unread as old), but not
 * beyond the peer's window (Linux tcp_acceptable_seq; FreeBSD sends
 * ACK-only segments at snd_max). Found by the loss matrix.
 */
static uint32_t
ack_seq(const struct tcpe_conn *c)
{
	uint32_t wnd_end = c->snd_una + c->snd_wnd;

	if (!tcpe_state_synchronized(c->state) ||
	    tcpe_seq_leq(c->snd_max, wnd_end))
		return c->snd_max;
	return tcpe_seq_gt(wnd_end, c->snd_nxt) ? wnd_end : c->snd_nxt;
}

/* A bare ACK <SEQ=SND.MAX><ACK=RCV.NXT><CTL=ACK> (see ack_seq()). */
static void
send_ack(struct tcpe_conn *c, struct tcpe_out *out)
{
	if (emit(c, out, TCPE_TH_ACK, ack_seq(c)) == NULL)
		c->flags |= TCPE_CF_ACK_NOW;
}

/* RFC 5961 challenge ACK. */
static void
send_challenge_ack(struct tcpe_conn *c, struct tcpe_out *out)
{
	c->stack->mib[TCPE_MIB_CHALLENGE_ACK]++;
	send_ack(c, out);
}

/* <SEQ=SND.NXT><CTL=RST,ACK> for an abort from a synchronized state. */
static void
send_rst(struct tcpe_conn *c, struct tcpe_out *out)
{
	(void)emit(c, out, TCPE_TH_RST | TCPE_TH_ACK, c->snd_nxt);
}

static void
detach_from_listener(struct tcpe_conn *c)
{
	struct tcpe_conn *l = c->listener;

	if (l == NULL)
		return;
	tcpe_list_del(&c->qlink);
	if (c->flags & TCPE_CF_IN_ACCEPTQ)
		l->lq->acc_len--;
	else
		l->lq->syn_len--;
	c->flags &= ~TCPE_CF_IN_ACCEPTQ;
	c->listener = NULL;
}

/*
 * Enter CLOSED: stop every timer, release what will never be sent, and
 * tell the application why (err 0: an orderly end). The TCB itself is
 * freed by tcpe_stack_conn_sync() once no one holds it.
 */
static void
conn_closed(struct tcpe_conn *c, int err)
{
	struct tcpe_stack *s = c->stack;
	int i;

	if (c->state == TCPE_ESTABLISHED || c->state == TCPE_CLOSE_WAIT) {
		if (err == -ECONNRESET)
			s->mib[TCPE_MIB_ESTAB_RESETS]++;
	} else if (c->state == TCPE_SYN_SENT ||
	    c->state == TCPE_SYN_RECEIVED) {
		s->mib[TCPE_MIB_ATTEMPT_FAILS]++;
	}
	tcpe_conn_set_state(c, TCPE_CLOSED);
	for (i = 0; i < TCPE_TT_N; i++)
		c->deadline[i] = TCPE_TIME_NEVER;
	vq_free(&c->sndq, &s->bops);
	detach_from_listener(c);
	if (err != 0 && c->err == 0)
		c->err = err;
	conn_event(c, (err != 0 ? TCPE_EV_ERROR : 0) | TCPE_EV_CLOSED);
	if (!app_visible(c))
		vq_free(&c->rcvq, &s->bops);
}

/*
 * An orphan in FIN_WAIT_2 waits at most tcp_fin_timeout for the peer's
 * FIN (Linux tcp_fin_timeout); one the application still holds after
 * shutdown(WR) waits as long as the application wants.
 */
static void
orphan_fin_wait_2(struct tcpe_conn *c, tcpe_time_t now)
{
	if (c->state == TCPE_FIN_WAIT_2 && !app_visible(c))
		c->deadline[TCPE_TT_2MSL] = now +
		    TCPE_S(c->stack->cfg.fin_timeout);
}

static void
enter_time_wait(struct tcpe_conn *c, tcpe_time_t now)
{
	tcpe_conn_set_state(c, TCPE_TIME_WAIT);
	c->deadline[TCPE_TT_RTO] = TCPE_TIME_NEVER;
	c->deadline[TCPE_TT_EARLY] = TCPE_TIME_NEVER;
	c->deadline[TCPE_TT_2MSL] = now + TCPE_S(c->stack->cfg.timewait_len);
}

/* Keepalive runs while nothing is in flight or queued (Linux). */
static bool
keepalive_state(const struct tcpe_conn *c)
{
	return tcpe_state_synchronized(c->state) &&
	    c->state != TCPE_TIME_WAIT;
}

static void
keepalive_arm(struct tcpe_conn *c, tcpe_time_t now)
{
	c->keep_probes = 0;
	c->deadline[TCPE_TT_KEEP] = keepalive_state(c) ?
	    now + TCPE_S(c->stack->cfg.keepalive_time) : TCPE_TIME_NEVER;
}

/* Our SYN is acknowledged in SYN_RECEIVED: the handshake is complete. */
void
tcpe_conn_established(struct tcpe_conn *c)
{
	struct tcpe_stack *s = c->stack;
	struct tcpe_conn *l = c->listener;

	cc_start(c);
	tcpe_conn_set_state(c, TCPE_ESTABLISHED);
	conn_event(c, TCPE_EV_CONNECTED);
	c->quick = TCPE_QUICKACKS;
	if (c->flags & TCPE_CF_KEEPALIVE)
		keepalive_arm(c, c->stack->now);
	if (l != NULL) {
		s->mib[TCPE_MIB_PASSIVE_OPENS]++;
		tcpe_list_del(&c->qlink);
		l->lq->syn_len--;
		tcpe_list_add_tail(&l->lq->acc_q, &c->qlink);
		l->lq->acc_len++;
		c->flags |= TCPE_CF_IN_ACCEPTQ;
		conn_event(l, TCPE_EV_ACCEPT);
		tcpe_stack_conn_sync(l);
	}
}

/* Options of a SYN or SYN-ACK we receive (RFC 9293 3.7.1, RFC 7323). */
void
tcpe_conn_take_syn_options(struct tcpe_conn *c, const struct tcpe_seg *seg)
{
	const struct tcpe_opts *o = &seg->opts;
	uint32_t mss = DEFAULT_MSS;

	if (o->present & TCPE_OPT_MSS)
		mss = o->mss;
	if (mss > c->stack->mss)
		mss = c->stack->mss;
	if (mss < MIN_SND_MSS)
		mss = MIN_SND_MSS;
	c->mss = (uint16_t)mss;
	if ((o->present & TCPE_OPT_WS) && (c->flags & TCPE_CF_WSCALE)) {
		c->snd_wscale = o->wscale > MAX_WSCALE ? MAX_WSCALE :
		    o->wscale;
	} else {
		/* Scaling is used only when both sides offer it. */
		c->flags &= ~TCPE_CF_WSCALE;
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	if (!(o->present & TCPE_OPT_SACKOK))
		c->flags &= ~TCPE_CF_SACK;
	if ((o->present & TCPE_OPT_TS) && (c->flags & TCPE_CF_TS)) {
		c->ts_off = tcpe_stack_ts_off(c->stack, &c->node.key);
		c->ts_recent = o->tsval;
	} else {
		c->flags &= ~TCPE_CF_TS;
	}
}

/* Payload bytes per segment: the MSS less the options every segment has. */
static uint32_t
seg_mss(const struct tcpe_conn *c)
{
	uint32_t mss = c->mss;

	/* c->mss >= MIN_SND_MSS (48), so at least 36 bytes remain. */
	if (c->flags & TCPE_CF_TS)
		mss -= TCPE_TS_OPT_LEN;
	return mss;
}

static void rtt_ack(struct tcpe_conn *c, const struct tcpe_seg *seg,
    tcpe_time_t now);

/*
 * RFC 6298 5.7 (Linux TCP_TIMEOUT_FALLBACK): a handshake that needed a
 * retransmission and gave no RTT sample starts data with a 3 s RTO.
 */
static void
syn_rto_fallback(struct tcpe_conn *c)
{
	if (c->rtx_count > 0 && !c->rtt.valid && c->rtt.rto < TCPE_S(3))
		c->rtt.rto = TCPE_S(3);
}

static bool
cc_none(const struct tcpe_conn *c)
{
	return c->cc.ops != NULL && c->cc.ops->id == TCPE_CC_NONE;
}

/*
 * Congestion control from the handshake on: tcp_congestion_control with
 * tcp_init_cwnd segments; one segment after a lost SYN or SYN-ACK (RFC
 * 5681 3.1).
 */
static void
cc_start(struct tcpe_conn *c)
{
	const struct tcpe_tcp_cfg *cfg = &c->stack->cfg;

	tcpe_cc_init(&c->cc, tcpe_cc_by_id(cfg->congestion_control),
	    seg_mss(c), cfg->init_cwnd);
	if ((c->flags & TCPE_CF_RTO_ONE) && !cc_none(c))
		c->cc.cwnd = seg_mss(c);
}

/* --- output ------------------------------------------------------------ */

static void tlp_arm(struct tcpe_conn *c, tcpe_time_t now);

static void
count_tx(struct tcpe_conn *c, uint32_t seq)
{
	if (tcpe_seq_lt(seq, c->snd_max))
		c->stack->mib[TCPE_MIB_RETRANS_SEGS]++;
}

static void
arm_rto(struct tcpe_conn *c, tcpe_time_t now)
{
	if (c->deadline[TCPE_TT_RTO] == TCPE_TIME_NEVER)
		c->deadline[TCPE_TT_RTO] = now + c->rto;
}

static int
output_syn(struct tcpe_conn *c, tcpe_time_t now, struct tcpe_out *out)
{
	struct tcpe_oseg *o;
	uint8_t flags = TCPE_TH_SYN;

	if (c->state == TCPE_SYN_RECEIVED)
		flags |= TCPE_TH_ACK;
	/* Armed first: if out is full, the timer retries the send. */
	arm_rto(c, now);
	o = emit(c, out, flags, c->iss);
	if (o == NULL)
		return -ENOBUFS;
	count_tx(c, c->iss);
	/* Time the SYN unless it is a retransmission (Karn). */
	if (c->rtx_count == 0) {
		c->flags |= TCPE_CF_RTT_ON;
		c->rtt_seq = c->iss + 1;
		c->rtt_ts = now;
	} else {
		c->flags &= ~TCPE_CF_RTT_ON;
	}
	/* emit() added the timestamps; the rest only on a SYN. */
	o->opts.present |= TCPE_OPT_MSS;
	o->opts.mss = c->rcv_mss;
	if (c->flags & TCPE_CF_WSCALE) {
		o->opts.present |= TCPE_OPT_WS;
		o->opts.wscale = c->rcv_wscale;
	}
	if (c->flags & TCPE_CF_SACK)
		o->opts.present |= TCPE_OPT_SACKOK;
	c->snd_nxt = c->iss + 1;
	if (tcpe_seq_gt(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
	arm_rto(c, now);
	return 0;
}

/*
 * A segment of new data shorter than the MSS while data is in flight:
 * hold it when the window cut it short and it is under half the largest
 * window the peer offered (sender SWS avoidance, RFC 9293 3.8.6.2.1), or
 * when it is all there is to send and an earlier short segment is still
 * unacknowledged (Nagle, RFC 9293 3.7.4, in Minshall's form as Linux's
 * tcp_nagle_check) unless TCP_NODELAY or a FIN follows it. An ACK will
 * bring it out.
 */
static bool
hold_small(const struct tcpe_conn *c, uint32_t len, uint32_t avail)
{
	if (tcpe_seq_lt(c->snd_nxt, c->snd_max) || c->snd_una == c->snd_max ||
	    (c->flags & TCPE_CF_RTO_ONE))
		return false;
	if (len < avail)
		return len < c->max_snd_wnd / 2;
	return !(c->flags & (TCPE_CF_NODELAY | TCPE_CF_FIN_QUEUED)) &&
	    tcpe_seq_gt(c->snd_sml, c->snd_una);
}

/* The congestion window, never below one segment. */
static uint32_t
cwnd(const struct tcpe_conn *c)
{
	return c->cc.cwnd > seg_mss(c) ? c->cc.cwnd : seg_mss(c);
}

/*
 * The window new data may use: cwnd, plus one segment for each of the
 * first two duplicate ACKs outside recovery, for data never sent before
 * (Limited Transmit, RFC 3042),
 * so a small flight still produces the duplicate ACKs fast retransmit
 * needs.
 */
static uint32_t
send_cwnd(const struct tcpe_conn *c)
{
	uint32_t w = cwnd(c), n = c->dupacks < 2 ? c->dupacks : 2;

	if (n > 0 && !(c->flags & TCPE_CF_RECOVERY) &&
	    c->snd_nxt == c->snd_max && w < UINT32_MAX - 2 * seg_mss(c))
		w += n * seg_mss(c);
	return w;
}

/*
 * Emit one segment carrying [seq, seq + len) of the send queue (len 0:
 * a FIN alone) and the FIN if fin; the options (timestamps, SACK blocks)
 * may leave room for less. Returns the payload bytes sent, or -1 when
 * out is full or nothing could be gathered.
 */
static int
xmit(struct tcpe_conn *c, uint32_t seq, uint32_t len, bool fin,
    tcpe_time_t now, struct tcpe_out *out)
{
	struct tcpe_stack *s = c->stack;
	uint32_t data_end = c->snd_una + c->sndq.bytes, room, got = 0;
	struct tcpe_oseg *o;
	uint8_t flags = TCPE_TH_ACK;

	o = emit(c, out, TCPE_TH_ACK, seq);
	if (o == NULL)
		return -1;
	room = tcpe_wire_opts_len(&o->opts);
	room = c->mss > room ? c->mss - room : 1;
	if (len > room) {
		len = room;
		fin = false;
	}
	if (len > 0) {
		got = vq_gather(&c->sndq, seq - c->snd_una, len, o, &s->bops);
		/* Nothing gathered (a broken invariant): emit nothing. */
		if (got == 0) {
			out->n--;
			s->mib[TCPE_MIB_OUT_SEGS]--;
			return -1;
		}
		if (got < len)
			fin = false;
	}
	if (got > 0 && seq + got == data_end)
		flags |= TCPE_TH_PSH;
	if (fin)
		flags |= TCPE_TH_FIN;
	o->flags = flags;
	count_tx(c, seq);
	if (tcpe_seq_lt(seq, c->snd_max))
		c->flags &= ~TCPE_CF_RTT_ON;	/* Karn: no sample now */
	c->last_tx = now;
	return (int)got;
}

/*
 * Resend [seq, seq + len), clipped to what was sent (SND.MAX) and the
 * data, with the FIN if it was sent right after.
 */
static int
rexmit(struct tcpe_conn *c, uint32_t seq, uint32_t len, tcpe_time_t now,
    struct tcpe_out *out)
{
	uint32_t data_end = c->snd_una + c->sndq.bytes, end = data_end;
	bool fin;
	int got;

	if (tcpe_seq_lt(c->snd_max, end))
		end = c->snd_max;
	if (tcpe_seq_gt(seq + len, end))
		len = tcpe_seq_gt(end, seq) ? end - seq : 0;
	fin = (c->flags & TCPE_CF_FIN_SENT) && seq + len == data_end;
	if (len == 0 && !fin)
		return 0;
	got = xmit(c, seq, len, fin, now, out);
	if (got < 0)
		return got;
	c->flags &= ~TCPE_CF_RTT_ON;
	if (fin && (uint32_t)got == len)
		got++;		/* the FIN's sequence number */
	return got;
}

/*
 * SACK-based loss recovery (RFC 6675 section 5): while the data in
 * flight (pipe) is below cwnd, send what NextSeg picks: a lost range, new
 * data, or another range not SACKed.
 */
static void
sack_recovery_output(struct tcpe_conn *c, tcpe_time_t now,
    struct tcpe_out *out)
{
	const struct tcpe_tcp_cfg *cfg = &c->stack->cfg;
	uint32_t smss = seg_mss(c), data_end = c->snd_una + c->sndq.bytes;
	uint32_t pipe, limit, seq, len, wnd_end;
	enum tcpe_sb_rule r;
	int got;

	wnd_end = c->snd_una + c->snd_wnd;
	limit = tcpe_seq_lt(wnd_end, data_end) ? wnd_end : data_end;
	pipe = tcpe_sb_pipe_lost(c->sb, c->snd_una, c->snd_max, c->high_rxt,
	    smss, cfg->reordering, c->lost_end);
	while (pipe < cwnd(c)) {
		r = tcpe_sb_next_lost(c->sb, c->snd_una, c->snd_max,
		    tcpe_seq_lt(limit, c->snd_max) ? c->snd_max : limit,
		    c->high_rxt, smss, cfg->reordering, c->lost_end, &seq,
		    &len);
		if (r == TCPE_SB_NONE)
			break;
		if (r == TCPE_SB_NEW) {
			got = xmit(c, seq, len, false, now, out);
			if (got <= 0)
				break;
			c->snd_nxt = seq + (uint32_t)got;
			c->snd_max = c->snd_nxt;
		} else {
			got = rexmit(c, seq, len, now, out);
			if (got <= 0)
				break;
			/* RACK: what is sent from now on is sent after it. */
			if (!(c->flags & TCPE_CF_FENCE)) {
				c->flags |= TCPE_CF_FENCE;
				c->rxt_fence = c->snd_max;
			}
			if (tcpe_seq_gt(seq + (uint32_t)got, c->high_rxt))
				c->high_rxt = seq + (uint32_t)got;
		}
		arm_rto(c, now);
		pipe += (uint32_t)got;
	}
}

/*
 * Send [SND.NXT, SND.NXT + len) with the FIN if *fin (kept only if the
 * segment reaches the end of the data) and move SND.NXT and SND.MAX past
 * it. Returns the payload bytes sent, or -1 when out is full.
 */
static int
send_next(struct tcpe_conn *c, uint32_t len, bool *fin, tcpe_time_t now,
    struct tcpe_out *out)
{
	uint32_t data_end = c->snd_una + c->sndq.bytes;
	int got;

	got = xmit(c, c->snd_nxt, len, *fin, now, out);
	if (got < 0)
		return got;
	if (c->snd_nxt + (uint32_t)got != data_end)
		*fin = false;
	c->snd_nxt += (uint32_t)got + (*fin ? 1 : 0);
	if (*fin)
		c->flags |= TCPE_CF_FIN_SENT;
	if (tcpe_seq_gt(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
	return got;
}

static void
conn_output(struct tcpe_conn *c, tcpe_time_t now, struct tcpe_out *out)
{
	uint32_t data_end, wnd_end, avail, usable, len, wnd, seq;
	bool fin, fresh, sent = false;
	int got;

	switch (c->state) {
	case TCPE_SYN_SENT:
	case TCPE_SYN_RECEIVED:
		if (c->snd_nxt == c->iss && output_syn(c, now, out) == 0)
			sent = true;
		break;
	case TCPE_ESTABLISHED:
	case TCPE_CLOSE_WAIT:
	case TCPE_FIN_WAIT_1:
	case TCPE_CLOSING:
	case TCPE_LAST_ACK:
		data_end = c->snd_una + c->sndq.bytes;
		/* Fast retransmit: the segment at SND.UNA first. */
		if (c->flags & TCPE_CF_RTX_HEAD) {
			arm_rto(c, now);
			got = rexmit(c, c->snd_una, seg_mss(c), now, out);
			if (got >= 0) {
				c->flags &= ~TCPE_CF_RTX_HEAD;
				sent = got > 0;
				if (sent && !(c->flags & TCPE_CF_FENCE)) {
					c->flags |= TCPE_CF_FENCE;
					c->rxt_fence = c->snd_max;
				}
				if (tcpe_seq_gt(c->snd_una + (uint32_t)got,
				    c->high_rxt))
					c->high_rxt = c->snd_una + (uint32_t)got;
			}
		}
		if ((c->flags & (TCPE_CF_RECOVERY | TCPE_CF_LOSS)) &&
		    c->sb != NULL && !(c->flags & TCPE_CF_RTX_HEAD)) {
			sack_recovery_output(c, now, out);
			break;
		}
		/* RFC 5681 4.1: restart from the initial window after idle. */
		if (c->snd_una == c->snd_max && c->last_tx != 0 &&
		    now - c->last_tx > c->rto && tcpe_seq_lt(c->snd_nxt,
		    data_end))
			tcpe_cc_after_idle(&c->cc, seg_mss(c),
			    c->stack->cfg.init_cwnd);
		for (;;) {
			fin = false;
			if (tcpe_seq_lt(c->snd_nxt, data_end)) {
				wnd = c->snd_wnd < send_cwnd(c) ? c->snd_wnd :
				    send_cwnd(c);
				wnd_end = c->snd_una + wnd;
				avail = data_end - c->snd_nxt;
				usable = tcpe_seq_gt(wnd_end, c->snd_nxt) ?
				    wnd_end - c->snd_nxt : 0;
				len = avail < usable ? avail : usable;
				/*
				 * A timeout into a closed window resends the
				 * head anyway, as Linux does: it probes the
				 * window and keeps the timer honest.
				 */
				if (len == 0 && (c->flags & TCPE_CF_RTO_ONE) &&
				    c->snd_nxt == c->snd_una &&
				    c->snd_una != c->snd_max)
					len = avail;
				if (len > seg_mss(c))
					len = seg_mss(c);
				if (len == 0)
					break;
				if (len < seg_mss(c) && hold_small(c, len,
				    avail))
					break;
				fin = (c->flags & TCPE_CF_FIN_QUEUED) &&
				    c->snd_nxt + len == data_end;
			} else if ((c->flags & TCPE_CF_FIN_QUEUED) &&
			    !fin_acked(c) && c->snd_nxt == data_end) {
				/* A FIN needs no window (see README). */
				len = 0;
				fin = true;
			} else {
				break;
			}
			/* Armed first: if out is full, the timer retries. */
			arm_rto(c, now);
			seq = c->snd_nxt;
			fresh = seq == c->snd_max;
			got = send_next(c, len, &fin, now, out);
			if (got < 0)
				break;
			/* Time one new segment at a time (RFC 6298 3). */
			if (got > 0 && fresh && !(c->flags & TCPE_CF_RTT_ON)) {
				c->flags |= TCPE_CF_RTT_ON;
				c->rtt_seq = seq + (uint32_t)got;
				c->rtt_ts = now;
			}
			if (got > 0 && (uint32_t)got < seg_mss(c) && fresh)
				c->snd_sml = seq + (uint32_t)got;
			sent = true;
			arm_rto(c, now);
			/*
			 * After a timeout only the earliest segment goes out
			 * (RFC 6298 5.4, a loss window of one segment as in
			 * RFC 5681 3.1) until an ACK moves SND.UNA.
			 */
			if (fin || (c->flags & TCPE_CF_RTO_ONE))
				break;
		}
		/*
		 * Data waits behind a zero window with nothing in flight:
		 * the same timer then runs as the persist timer and sends a
		 * window probe when it fires (RFC 9293 section 3.8.6.1).
		 */
		if (c->snd_una == c->snd_max && tcpe_seq_lt(c->snd_nxt,
		    data_end))
			arm_rto(c, now);
		if (sent || c->deadline[TCPE_TT_EARLY] == TCPE_TIME_NEVER)
			tlp_arm(c, now);
		break;
	default:
		break;
	}
	if (!sent && (c->flags & TCPE_CF_ACK_NOW) &&
	    c->state >= TCPE_SYN_RECEIVED)
		send_ack(c, out);
}

int
tcpe_conn_output(struct tcpe_conn *c, tcpe_time_t now, struct tcpe_out *out)
{
	c->stack->now = now;
	conn_output(c, now, out);
	tcpe_stack_conn_sync(c);
	return 0;
}

/* --- input ------------------------------------------------------------- */

/*
 * Our SYN is acknowledged. A resend of it that found out full may have
 * left SND.NXT at ISS: move it up to SND.UNA (fuzz_conn F6). A SYN that
 * had to be retransmitted keeps TCPE_CF_RTO_ONE, so the first flight is
 * one segment (RFC 5681 section 3.1: after a lost SYN the initial window
 * is one segment).
 */
static void
syn_acked(struct tcpe_conn *c)
{
	if (tcpe_seq_lt(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
}

/* RFC 9293 section 3.10.7.3: SYN-SENT. */
static void
input_syn_sent(struct tcpe_conn *c, const struct tcpe_seg *seg,
    tcpe_time_t now, struct tcpe_out *out)
{
	bool ack = (seg->flags & TCPE_TH_ACK) != 0;

	/* First: the ACK must acknowledge our SYN and nothing more. */
	if (ack && (tcpe_seq_leq(seg->ack, c->iss) ||
	    tcpe_seq_gt(seg->ack, c->snd_max))) {
		if (!(seg->flags & TCPE_TH_RST))
			tcpe_stack_send_rst(c->stack, seg, out);
		c->stack->mib[TCPE_MIB_DROP_BAD_ACK]++;
		return;
	}
	/* Second: RST, honoured only with an acceptable ACK (RFC 5961 3). */
	if (seg->flags & TCPE_TH_RST) {
		if (ack)
			conn_closed(c, -ECONNREFUSED);
		return;
	}
	/* Fourth: SYN. */
	if (!(seg->flags & TCPE_TH_SYN))
		return;
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->last_ack = c->rcv_nxt;
	tcpe_conn_take_syn_options(c, seg);
	/* The window of a SYN is never scaled (RFC 7323 section 2.2). */
	c->snd_wnd = seg->wnd;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	if (ack) {
		c->snd_una = seg->ack;
		syn_acked(c);
		rtt_ack(c, seg, now);
		syn_rto_fallback(c);
		c->rtx_count = 0;
		c->rto = c->rtt.rto;
		c->deadline[TCPE_TT_RTO] = TCPE_TIME_NEVER;
		cc_start(c);
		tcpe_conn_set_state(c, TCPE_ESTABLISHED);
		conn_event(c, TCPE_EV_CONNECTED);
		c->quick = TCPE_QUICKACKS;
		if (c->flags & TCPE_CF_KEEPALIVE)
			keepalive_arm(c, now);
		c->flags |= TCPE_CF_ACK_NOW;
		/*
		 * Data or FIN on a SYN-ACK would continue at the sixth step;
		 * Linux queues neither without Fast Open, and the peer will
		 * retransmit them: drop them here as well.
		 */
		if (c->flags & TCPE_CF_FIN_QUEUED)
			tcpe_conn_set_state(c, TCPE_FIN_WAIT_1);
	} else {
		/* Simultaneous open: SYN-ACK <SEQ=ISS><ACK=RCV.NXT>. */
		tcpe_conn_set_state(c, TCPE_SYN_RECEIVED);
		c->snd_nxt = c->iss;
		c->deadline[TCPE_TT_RTO] = TCPE_TIME_NEVER;
	}
	conn_output(c, now, out);
}

/* Segment length in sequence space (RFC 9293 section 3.4). */
static uint32_t
seg_seqlen(const struct tcpe_seg *seg)
{
	return seg->data.len + ((seg->flags & TCPE_TH_SYN) ? 1 : 0) +
	    ((seg->flags & TCPE_TH_FIN) ? 1 : 0);
}

/* RFC 9293 section 3.10.7.4, first check: is the segment acceptable? */
static bool
seq_acceptable(const struct tcpe_conn *c, const struct tcpe_seg *seg)
{
	uint32_t wnd = tcpe_seq_gt(c->rcv_adv, c->rcv_nxt) ?
	    c->rcv_adv - c->rcv_nxt : 0;
	uint32_t len = seg_seqlen(seg);

	if (len == 0) {
		if (wnd == 0)
			return seg->seq == c->rcv_nxt;
		return tcpe_seq_in(seg->seq, c->rcv_nxt, c->rcv_nxt + wnd);
	}
	if (wnd == 0)
		return false;
	return tcpe_seq_in(seg->seq, c->rcv_nxt, c->rcv_nxt + wnd) ||
	    tcpe_seq_in(seg->seq + len - 1, c->rcv_nxt, c->rcv_nxt + wnd);
}

/*
 * An RTT sample from an ACK that moves SND.UNA (RFC 6298 section 3): the
 * timed segment if it was not retransmitted (Karn), else the echoed
 * timestamp (RFC 7323 section 4.1).
 */
static void
rtt_ack(struct tcpe_conn *c, const struct tcpe_seg *seg, tcpe_time_t now)
{
	const struct tcpe_tcp_cfg *cfg = &c->stack->cfg;
	tcpe_time_t m = TCPE_TIME_NEVER;
	uint32_t d;

	if ((c->flags & TCPE_CF_RTT_ON) && tcpe_seq_geq(seg->ack, c->rtt_seq)) {
		m = now - c->rtt_ts;
		c->flags &= ~TCPE_CF_RTT_ON;
	} else if ((c->flags & TCPE_CF_TS) &&
	    (seg->opts.present & TCPE_OPT_TS) && seg->opts.tsecr != 0) {
		d = (uint32_t)(now / TCPE_MS(1)) + c->ts_off - seg->opts.tsecr;
		if (d < 0x7fffffffu)
			m = TCPE_MS(d);
	}
	if (m != TCPE_TIME_NEVER)
		tcpe_rtt_sample(&c->rtt, m, TCPE_MS(cfg->rto_min_ms),
		    TCPE_MS(cfg->rto_max_ms));
}

/*
 * A duplicate ACK (RFC 5681 section 2): nothing new acknowledged, data
 * outstanding, no payload, no SYN or FIN, the same window.
 */
static bool
is_dupack(const struct tcpe_conn *c, const struct tcpe_seg *seg)
{
	return seg->ack == c->snd_una && c->snd_una != c->snd_max &&
	    seg->data.len == 0 &&
	    !(seg->flags & (TCPE_TH_SYN | TCPE_TH_FIN)) &&
	    ((uint32_t)seg->wnd << c->snd_wscale) == c->snd_wnd;
}

/*
 * Enter fast retransmit and recovery: RFC 6582 (NewReno) without SACK,
 * RFC 6675 with it. Only for losses after the last recovery or timeout
 * (SND.UNA beyond recover).
 */
static void
enter_recovery(struct tcpe_conn *c, tcpe_time_t now)
{
	struct tcpe_stack *s = c->stack;
	uint32_t smss = seg_mss(c), flight = c->snd_max - c->snd_una;

	/* RFC 5681 3.2: Limited Transmit's segments are not FlightSize. */
	if (c->dupacks > 0 && c->dup_flight < flight)
		flight = c->dup_flight;
	c->recover = c->snd_max;
	c->flags |= TCPE_CF_RECOVERY | TCPE_CF_RTX_HEAD;
	/* A probe out has done its work: recovery takes over. */
	c->flags &= ~(TCPE_CF_RTT_ON | TCPE_CF_FENCE | TCPE_CF_TLP |
	    TCPE_CF_TLP_RXT);
	c->high_rxt = c->snd_una;
	c->lost_end = c->snd_una;
	if (!(c->flags & TCPE_CF_REO))
		c->deadline[TCPE_TT_EARLY] = TCPE_TIME_NEVER;
	s->mib[TCPE_MIB_FAST_RETRANS]++;
	if (c->sb != NULL) {
		s->mib[TCPE_MIB_SACK_RECOVERY]++;
		/* RFC 6675 (4.2): FlightSize / 2, as without SACK. */
		tcpe_cc_on_congestion(&c->cc, smss, flight, now);
	} else {
		s->mib[TCPE_MIB_RENO_RECOVERY]++;
		tcpe_cc_on_congestion(&c->cc, smss, flight, now);
		/* RFC 6582 step 3: inflate by the three segments that left. */
		if (c->cc.cwnd < UINT32_MAX - 3 * smss)
			c->cc.cwnd += 3 * smss;
	}
}

/*
 * DupThresh: tcp_reordering, lowered for a small flight with nothing new
 * to send (Early Retransmit, RFC 5827): with fewer than four segments out
 * and no more data the window allows, one fewer than the segments out
 * (at least one), so a loss there is resent without waiting for the RTO.
 */
static uint32_t
dup_thresh(const struct tcpe_conn *c)
{
	uint32_t smss = seg_mss(c), out, th = c->stack->cfg.reordering;
	uint32_t data_end = c->snd_una + c->sndq.bytes;
	uint32_t wnd_end = c->snd_una + c->snd_wnd;

	if (tcpe_seq_lt(c->snd_max, data_end) &&
	    tcpe_seq_lt(c->snd_max, wnd_end))
		return th;	/* new data could still go out */
	out = (c->snd_max - c->snd_una + smss - 1) / smss;
	if (out < 4 && out - 1 < th)
		th = out > 1 ? out - 1 : 1;
	return th;
}

/*
 * RACK-TLP (RFC 8985), on SACK connections: tcp_recovery enables RACK's
 * loss detection, tcp_early_retrans 3 or 4 the tail loss probe (TLP), as
 * in Linux. RACK orders transmissions by time; tcpe keeps no time per
 * segment but knows the order: first transmissions go out in sequence
 * order, a retransmission after everything below rxt_fence (SND.MAX when
 * the recovery pass resent its first segment). So
 *  - a hole below a SACKed byte was sent before it: lost once the
 *    reordering window has passed without it being filled. The window
 *    (the REO timer) is SRTT/4 times (1 + reo_steps), at most SRTT, at
 *    least 1 ms; it starts with reo_mark = HighSACK, and when it ends
 *    lost_end moves up to reo_mark: only holes below what was SACKed when
 *    it began have waited it (it starts again for holes that came since);
 *  - a SACKed byte at or above rxt_fence was sent after this pass's
 *    first retransmission: when the reordering window that began with
 *    reo_mark above rxt_fence ends, the retransmissions below rxt_fence
 *    that are still holes were lost (TCPLostRetransmit), and the pass
 *    starts again from SND.UNA;
 *  - each D-SACK (a spurious resend) widens the window by one step, at
 *    most once per loss episode; 16 episodes without one narrow it again
 *    (Linux tcp_rack_update_reo_wnd);
 *  - after an RTO every byte in flight is lost (lost_end = SND.MAX) but
 *    what the peer SACKed stays SACKed on the first timeout of a stall
 *    (Linux keeps the marks; a later timeout clears them in case the
 *    peer reneged, RFC 6675 section 5.1), and recovery goes on with the
 *    scoreboard from one segment of cwnd (TCPE_CF_LOSS, Linux CA_Loss).
 */
static bool
rack_on(const struct tcpe_conn *c)
{
	return c->stack->cfg.recovery != 0 && (c->flags & TCPE_CF_SACK);
}

/*
 * Arm the probe timeout (RFC 8985 7.2, Linux tcp_schedule_loss_probe):
 * 2 SRTT plus, with one segment out, tcp_rto_min_ms for the peer's
 * delayed ACK, else 2 ms; never later than the RTO. Only in the open
 * state with data in flight, an RTT sample, no probe out and no backoff.
 */
static void
tlp_arm(struct tcpe_conn *c, tcpe_time_t now)
{
	tcpe_time_t when;

	/* The cheap tests first: this runs after every send. */
	if (c->snd_una == c->snd_max || (c->flags & (TCPE_CF_RECOVERY |
	    TCPE_CF_LOSS | TCPE_CF_TLP | TCPE_CF_REO)) ||
	    !(c->flags & TCPE_CF_SACK) || c->rtx_count != 0 ||
	    c->rtt.srtt == 0 || c->stack->cfg.early_retrans < 3 ||
	    !tcpe_state_synchronized(c->state) ||
	    c->deadline[TCPE_TT_RTO] == TCPE_TIME_NEVER)
		return;
	when = now + 2 * c->rtt.srtt + (c->snd_max - c->snd_una <=
	    seg_mss(c) ? TCPE_MS(c->stack->cfg.rto_min_ms) : TCPE_MS(2));
	if (when > c->deadline[TCPE_TT_RTO])
		when = c->deadline[TCPE_TT_RTO];
	c->deadline[TCPE_TT_EARLY] = when;
}

/*
 * The ACK of a probe (RFC 8985 7.4, Linux tcp_process_tlp_ack): a probe
 * of new data, or one the peer reports as a duplicate (D-SACK, or a
 * plain duplicate ACK at tlp_high), repaired nothing; an ACK beyond
 * tlp_high without either means the probe repaired a loss: cwnd is
 * reduced once, as for fast recovery (TCPLossProbeRecovery).
 */
static void
tlp_ack(struct tcpe_conn *c, uint32_t ack, bool dsack, bool pure_dup,
    tcpe_time_t now)
{
	if (tcpe_seq_lt(ack, c->tlp_high))
		return;
	if ((c->flags & TCPE_CF_TLP_RXT) && !dsack &&
	    tcpe_seq_gt(ack, c->tlp_high)) {
		c->stack->mib[TCPE_MIB_LOSS_PROBE_RECOVERY]++;
		if (!(c->flags & (TCPE_CF_RECOVERY | TCPE_CF_LOSS)))
			tcpe_cc_on_congestion(&c->cc, seg_mss(c),
			    c->snd_max - c->snd_una, now);
	} else if ((c->flags & TCPE_CF_TLP_RXT) && !dsack && !pure_dup) {
		return;		/* the probe's fate is not known yet */
	}
	c->flags &= ~(TCPE_CF_TLP | TCPE_CF_TLP_RXT);
}

/*
 * RACK's reordering window adapts as Linux's does (tcp_rack_update_reo_wnd):
 * a D-SACK says a resend was spurious, so the window grows by SRTT/4 (at
 * most once per loss episode, up to SRTT) and stays so for 16 episodes.
 */
static void
rack_dsack(struct tcpe_conn *c)
{
	if (!rack_on(c) || (c->flags & TCPE_CF_REO_GREW))
		return;
	if (c->rtt.reo_steps < 255)
		c->rtt.reo_steps++;
	c->rtt.reo_persist = 16;
	c->flags |= TCPE_CF_REO_GREW;
}

/* A recovery or loss episode ended. */
static void
rack_episode_end(struct tcpe_conn *c)
{
	c->flags &= ~TCPE_CF_REO_GREW;
	if (c->rtt.reo_persist > 0 && --c->rtt.reo_persist == 0)
		c->rtt.reo_steps = 0;
}

/* After the ACK's cumulative and SACK information is taken. */
static void
rack_ack(struct tcpe_conn *c)
{
	if ((c->flags & TCPE_CF_LOSS) &&
	    tcpe_seq_geq(c->snd_una, c->recover)) {
		c->flags &= ~(TCPE_CF_LOSS | TCPE_CF_FENCE);
		rack_episode_end(c);
	}
	if ((c->flags & TCPE_CF_FENCE) &&
	    tcpe_seq_geq(c->snd_una, c->rxt_fence))
		c->flags &= ~TCPE_CF_FENCE;
}

/*
 * Data sent after the first retransmission of this pass is SACKed while
 * holes below rxt_fence remain? Then those retransmissions were lost,
 * once the reordering window has passed (checked when it ends).
 */
static bool
rack_fence_crossed(const struct tcpe_conn *c)
{
	return (c->flags & TCPE_CF_FENCE) && c->sb != NULL && rack_on(c) &&
	    (c->flags & (TCPE_CF_RECOVERY | TCPE_CF_LOSS)) &&
	    tcpe_sb_sacked_bytes(c->sb) > 0 &&
	    tcpe_seq_gt(tcpe_sb_high_sacked(c->sb), c->rxt_fence);
}

/* The reordering window ended with the fence crossed: resend the pass. */
static void
rack_lost_retransmit(struct tcpe_conn *c)
{
	c->stack->mib[TCPE_MIB_LOST_RETRANSMIT]++;
	if (tcpe_seq_gt(c->rxt_fence, c->lost_end))
		c->lost_end = c->rxt_fence;
	c->high_rxt = c->snd_una;
	c->flags &= ~TCPE_CF_FENCE;
}

/* Start RACK's reordering window for holes not yet known lost. */
static void
rack_reo_arm(struct tcpe_conn *c, tcpe_time_t now)
{
	uint32_t from = c->snd_una;
	tcpe_time_t reo;

	if (!rack_on(c) || c->sb == NULL || (c->flags & TCPE_CF_REO) ||
	    tcpe_sb_sacked_bytes(c->sb) == 0 ||
	    !tcpe_state_synchronized(c->state))
		return;
	if ((c->flags & (TCPE_CF_RECOVERY | TCPE_CF_LOSS)) &&
	    tcpe_seq_gt(c->lost_end, from))
		from = c->lost_end;
	if (!tcpe_sb_hole_above(c->sb, from) && !rack_fence_crossed(c))
		return;
	reo = c->rtt.srtt / 4 * (1u + c->rtt.reo_steps);
	if (reo > c->rtt.srtt)
		reo = c->rtt.srtt;
	if (reo < TCPE_MS(1))
		reo = TCPE_MS(1);
	c->deadline[TCPE_TT_EARLY] = now + reo;
	c->flags |= TCPE_CF_REO;
	c->reo_mark = tcpe_sb_high_sacked(c->sb);
}

/* Fifth step: the ACK field, for states past SYN_RECEIVED. */
static bool
process_ack(struct tcpe_conn *c, const struct tcpe_seg *seg,
    tcpe_time_t now, struct tcpe_out *out)
{
	struct tcpe_stack *s = c->stack;
	uint32_t acked, data, wnd, flight, smss = seg_mss(c), dupthresh;
	struct tcpe_sack_block dsack;
	bool dup, pure_dup, got_dsack = false;

	/* RFC 5961 section 5.2: acceptable is SND.UNA - MAX.SND.WND .. SND.NXT */
	if (tcpe_seq_gt(seg->ack, c->snd_max)) {
		s->mib[TCPE_MIB_DROP_BAD_ACK]++;
		send_ack(c, out);
		return false;
	}
	if (tcpe_seq_lt(seg->ack, c->snd_una - c->max_snd_wnd)) {
		s->mib[TCPE_MIB_DROP_BAD_ACK]++;
		send_challenge_ack(c, out);
		return false;
	}
	dup = is_dupack(c, seg);
	pure_dup = seg->ack == c->snd_una && seg->data.len == 0 &&
	    !(seg->flags & (TCPE_TH_SYN | TCPE_TH_FIN));
	flight = c->snd_max - c->snd_una;
	/* SACK blocks (RFC 2018), kept until cumulatively acknowledged. */
	if ((c->flags & TCPE_CF_SACK) && (seg->opts.present & TCPE_OPT_SACK) &&
	    seg->opts.nsack > 0 && tcpe_state_synchronized(c->state)) {
		if (c->sb == NULL) {
			c->sb = malloc(sizeof(*c->sb));
			if (c->sb != NULL)
				tcpe_sb_init(c->sb);
		}
		if (c->sb != NULL) {
			/*
			 * RFC 6675 section 2: with SACK, a duplicate ACK
			 * must SACK new data (a D-SACK alone is not one).
			 */
			if (tcpe_sb_update_ack(c->sb, c->snd_una, c->snd_max,
			    seg->ack, seg->opts.sack, seg->opts.nsack,
			    &dsack) == 0)
				dup = false;
			else
				pure_dup = false;
			if (dsack.left != dsack.right) {
				s->mib[TCPE_MIB_DSACK_RECV]++;
				got_dsack = true;
				rack_dsack(c);
			}
		}
	} else if ((c->flags & TCPE_CF_SACK) &&
	    tcpe_state_synchronized(c->state)) {
		/*
		 * Nor is an ACK without SACK blocks on a SACK connection
		 * (a duplicated ACK frame, say): as in Linux, only SACK
		 * information counts toward DupThresh there.
		 */
		dup = false;
	}
	if (tcpe_seq_gt(seg->ack, c->snd_una)) {
		/* Our FIN sits right after the last byte of sndq. */
		if ((c->flags & TCPE_CF_FIN_SENT) &&
		    tcpe_seq_gt(seg->ack, c->snd_una + c->sndq.bytes))
			c->flags |= TCPE_CF_FIN_ACKED;
		acked = seg->ack - c->snd_una;
		data = acked > c->sndq.bytes ? c->sndq.bytes : acked;
		vq_drop(&c->sndq, data, &s->bops);
		c->snd_una = seg->ack;
		if (tcpe_seq_lt(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		if (tcpe_seq_lt(c->high_rxt, c->snd_una))
			c->high_rxt = c->snd_una;
		if (c->sb != NULL)
			tcpe_sb_advance(c->sb, c->snd_una);
		rtt_ack(c, seg, now);
		c->rtx_count = 0;
		c->rto = c->rtt.rto;
		c->flags &= ~TCPE_CF_RTO_ONE;
		c->dupacks = 0;
		/* RFC 8985 7.2: the probe timeout restarts on an ACK. */
		if (!(c->flags & TCPE_CF_REO))
			c->deadline[TCPE_TT_EARLY] = TCPE_TIME_NEVER;
		if (!(c->flags & TCPE_CF_RECOVERY)) {
			tcpe_cc_on_ack(&c->cc, smss, acked, flight, now,
			    c->rtt.srtt);
		} else if (tcpe_seq_geq(c->snd_una, c->recover)) {
			/*
			 * Full ACK: recovery is over (RFC 6582 step 3, RFC
			 * 6675 section 5): cwnd = min(ssthresh, flight + SMSS).
			 */
			c->flags &= ~(TCPE_CF_RECOVERY | TCPE_CF_RTX_HEAD |
			    TCPE_CF_FENCE);
			rack_episode_end(c);
			flight = c->snd_max - c->snd_una;
			c->cc.cwnd = c->cc.ssthresh < flight + smss ?
			    c->cc.ssthresh : flight + smss;
		} else if (c->sb == NULL) {
			/*
			 * NewReno partial ACK (RFC 6582 step 5): resend the
			 * next hole, deflate cwnd by what was acknowledged
			 * and add back one SMSS if that was at least one.
			 */
			c->flags |= TCPE_CF_RTX_HEAD;
			c->cc.cwnd = c->cc.cwnd > acked ? c->cc.cwnd - acked :
			    smss;
			if (acked >= smss)
				c->cc.cwnd += smss;
		}
		/* RFC 6298 5.2/5.3: stop or restart the retransmission timer. */
		c->deadline[TCPE_TT_RTO] = TCPE_TIME_NEVER;
		if (c->snd_una != c->snd_max)
			arm_rto(c, now);
		if (data > 0 && (c->flags & TCPE_CF_WANT_WRITE)) {
			c->flags &= ~TCPE_CF_WANT_WRITE;
			conn_event(c, TCPE_EV_WRITABLE);
		}
	} else if (dup) {
		if (c->dupacks == 0)
			c->dup_flight = flight;
		if (c->dupacks < 255)
			c->dupacks++;
		/* NewReno: each further duplicate ACK inflates cwnd (RFC 6582). */
		if ((c->flags & TCPE_CF_RECOVERY) && c->sb == NULL &&
		    c->cc.cwnd < UINT32_MAX - smss)
			c->cc.cwnd += smss;
	}
	if (c->flags & TCPE_CF_TLP)
		tlp_ack(c, seg->ack, got_dsack, pure_dup, now);
	rack_ack(c);
	/* An idle connection keeps no scoreboard. */
	if (c->sb != NULL && tcpe_sb_sacked_bytes(c->sb) == 0 &&
	    !(c->flags & (TCPE_CF_RECOVERY | TCPE_CF_LOSS))) {
		free(c->sb);
		c->sb = NULL;
	}
	/* Loss detection: DupThresh duplicate ACKs, or RFC 6675 IsLost. */
	if (!(c->flags & (TCPE_CF_RECOVERY | TCPE_CF_LOSS)) &&
	    c->snd_una != c->snd_max &&
	    tcpe_seq_geq(c->snd_una, c->recover) &&
	    tcpe_state_synchronized(c->state) &&
	    (c->dupacks > 0 || c->sb != NULL)) {
		/* Only when an ACK can have signalled a loss (hot path). */
		dupthresh = dup_thresh(c);
		if (c->dupacks >= dupthresh || (c->sb != NULL &&
		    tcpe_sb_is_lost(c->sb, c->snd_una, smss, dupthresh)))
			enter_recovery(c, now);
	}
	if (c->sb != NULL)
		rack_reo_arm(c, now);
	/* The peer is alive: restart the count of unanswered probes. */
	if (!is_orphan(c))
		c->probes = 0;
	/* Window update (RFC 9293 3.10.7.4, fifth step, ESTABLISHED). */
	if (tcpe_seq_lt(c->snd_wl1, seg->seq) || (c->snd_wl1 == seg->seq &&
	    tcpe_seq_leq(c->snd_wl2, seg->ack))) {
		wnd = (uint32_t)seg->wnd << c->snd_wscale;
		c->snd_wnd = wnd;
		if (wnd > c->max_snd_wnd)
			c->max_snd_wnd = wnd;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = seg->ack;
	}
	return true;
}

/*
 * In-order data arrived: acknowledge it now or within the delayed-ACK
 * timeout (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2; Linux __tcp_ack_snd_check):
 * at once for every second full-sized segment, during the quick-ACK
 * phase after the handshake, or with TCP_QUICKACK.
 */
/*
 * The delayed-ACK timeout follows the peer's pace as Linux's ato does
 * (tcp_event_data_recv, tcp_send_delayed_ack): it starts at
 * tcp_delack_min_ms, moves toward half the gap between data segments,
 * and is bounded by tcp_delack_max_ms and by the smoothed RTT (never
 * below tcp_delack_min_ms).
 */
static void
ato_update(struct tcpe_conn *c)
{
	const struct tcpe_tcp_cfg *cfg = &c->stack->cfg;
	uint32_t now_ms = (uint32_t)(c->stack->now / TCPE_MS(1));
	uint32_t m = now_ms - c->lrcv_ms, ato = c->ato_ms;

	if (ato == 0) {
		ato = cfg->delack_min_ms;
	} else if (m <= cfg->delack_min_ms / 2) {
		ato = ato / 2 + cfg->delack_min_ms / 2;
	} else if (m < ato) {
		ato = ato / 2 + m;
	}
	if (ato > cfg->delack_max_ms)
		ato = cfg->delack_max_ms;
	if (ato < cfg->delack_min_ms)
		ato = cfg->delack_min_ms;
	c->ato_ms = (uint16_t)ato;
	c->lrcv_ms = now_ms;
}

static void
ack_decide(struct tcpe_conn *c)
{
	const struct tcpe_tcp_cfg *cfg = &c->stack->cfg;
	uint32_t full = c->rcv_mss - ((c->flags & TCPE_CF_TS) ?
	    TCPE_TS_OPT_LEN : 0);
	uint32_t ato, rtt_ms;

	ato_update(c);
	if ((c->flags & TCPE_CF_QUICKACK) || c->quick > 0 ||
	    c->rcv_nxt - c->last_ack >= 2u * full) {
		c->flags |= TCPE_CF_ACK_NOW;
		return;
	}
	if (c->deadline[TCPE_TT_DELACK] != TCPE_TIME_NEVER)
		return;
	ato = c->ato_ms;
	if (c->rtt.valid) {
		rtt_ms = (uint32_t)(c->rtt.srtt / TCPE_MS(1));
		if (rtt_ms < cfg->delack_min_ms)
			rtt_ms = cfg->delack_min_ms;
		if (ato > rtt_ms)
			ato = rtt_ms;
	}
	c->deadline[TCPE_TT_DELACK] = c->stack->now + TCPE_MS(ato);
}

/* Report [left, right) as duplicate data (RFC 2883), when negotiated. */
static void
set_dsack(struct tcpe_conn *c, uint32_t left, uint32_t right)
{
	if ((c->flags & TCPE_CF_SACK) && c->stack->cfg.dsack &&
	    left != right) {
		c->dsack.left = left;
		c->dsack.right = right;
	}
}

/* Data only a reader can take: an orphan answers it with a reset. */
static bool
orphan_data(struct tcpe_conn *c, const struct tcpe_seg *seg,
    struct tcpe_out *out)
{
	struct tcpe_stack *s = c->stack;

	if (app_visible(c) || c->listener != NULL)
		return false;
	/*
	 * RFC 9293 3.10.4, Linux TCPAbortOnData. The RST answers the
	 * segment (<SEQ=SEG.ACK>, as Linux's tcp_v4_send_reset): exact for
	 * the peer even before it has seen our FIN.
	 */
	s->mib[TCPE_MIB_ABORT_ON_DATA]++;
	tcpe_stack_send_rst(s, seg, out);
	conn_closed(c, -ECONNRESET);
	return true;
}

/*
 * Data above RCV.NXT: keep what lies inside the window for reassembly and
 * answer at once with a duplicate ACK whose SACK blocks tell the sender
 * what arrived (RFC 5681 4.2, RFC 2018).
 */
static void
ooo_data(struct tcpe_conn *c, const struct tcpe_seg *seg)
{
	struct tcpe_stack *s = c->stack;
	struct tcpe_view v = seg->data;
	struct tcpe_sack_block dup;
	bool fin = (seg->flags & TCPE_TH_FIN) != 0;

	c->flags |= TCPE_CF_ACK_NOW;
	if (!tcpe_seq_lt(seg->seq, c->rcv_adv))
		return;
	if (tcpe_seq_gt(seg->seq + v.len, c->rcv_adv)) {
		v.len = c->rcv_adv - seg->seq;
		fin = false;
	}
	if (c->ooo == NULL) {
		c->ooo = malloc(sizeof(*c->ooo));
		if (c->ooo == NULL) {
			s->mib[TCPE_MIB_OFO_DROP]++;
			return;
		}
		tcpe_ooo_init(c->ooo);
	}
	if (tcpe_ooo_insert(c->ooo, c->rcv_nxt, seg->seq, &v, fin, &s->bops,
	    &dup) != 0) {
		s->mib[TCPE_MIB_OFO_DROP]++;
		return;
	}
	s->mib[TCPE_MIB_OFO_QUEUE]++;
	set_dsack(c, dup.left, dup.right);
}

/*
 * Seventh step: queue the in-window part of the payload, and what it
 * joins in the out-of-order queue. Returns false when the connection was
 * reset because nobody will read the data.
 */
static bool
process_data(struct tcpe_conn *c, const struct tcpe_seg *seg,
    uint32_t *fin_pending, struct tcpe_out *out)
{
	struct tcpe_stack *s = c->stack;
	struct tcpe_view v = seg->data, pv;
	uint32_t skip, space;
	bool pfin, text;

	*fin_pending = 0;
	if (v.len == 0 && !(seg->flags & TCPE_TH_FIN))
		return true;
	text = c->state == TCPE_ESTABLISHED || c->state == TCPE_FIN_WAIT_1 ||
	    c->state == TCPE_FIN_WAIT_2;
	if (v.len > 0 && !text)
		return true;	/* after the peer's FIN: ignore the text */
	if (tcpe_seq_gt(seg->seq, c->rcv_nxt)) {
		if (v.len > 0 && orphan_data(c, seg, out))
			return false;
		if (text)
			ooo_data(c, seg);
		c->flags |= TCPE_CF_ACK_NOW;
		return true;
	}
	skip = c->rcv_nxt - seg->seq;
	if (skip >= v.len) {
		/* Only the FIN (if any) is new. */
		*fin_pending = (seg->flags & TCPE_TH_FIN) &&
		    seg->seq + v.len == c->rcv_nxt;
		if (v.len > 0)
			set_dsack(c, seg->seq, seg->seq + v.len);
		c->flags |= TCPE_CF_ACK_NOW;
		return true;
	}
	if (skip > 0)
		set_dsack(c, seg->seq, c->rcv_nxt);
	v.off += skip;
	v.len -= skip;
	if (orphan_data(c, seg, out))
		return false;
	/*
	 * Everything inside the window we announced is accepted, even the
	 * part of a unit of window scale beyond the buffer: what we offered,
	 * we take (RFC 9293 3.8.6.2.1 discourages shrinking). The overshoot
	 * stays below one unit (rcv_window_field()).
	 */
	space = tcpe_seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt :
	    0;
	*fin_pending = (seg->flags & TCPE_TH_FIN) != 0;
	if (v.len > space) {
		/* Trim what lies beyond the window, and the FIN with it. */
		s->mib[TCPE_MIB_DROP_RCVBUF_FULL]++;
		v.len = space;
		*fin_pending = 0;
		c->flags |= TCPE_CF_ACK_NOW;
	}
	if (v.len == 0) {
		c->flags |= TCPE_CF_ACK_NOW;
		return true;
	}
	if (vq_push(&c->rcvq, v) != 0) {
		s->mib[TCPE_MIB_DROP_NO_CONN_MEM]++;
		*fin_pending = 0;
		return true;
	}
	s->bops.ref(s->bops.ctx, v.buf);
	c->rcv_nxt += v.len;
	conn_event(c, TCPE_EV_READABLE);
	if (c->ooo == NULL) {
		ack_decide(c);
		return true;
	}
	/* A hole filled: take what now follows, and ACK at once (RFC 5681). */
	c->flags |= TCPE_CF_ACK_NOW;
	if (*fin_pending)
		return true;
	while (tcpe_ooo_pop(c->ooo, c->rcv_nxt, &pv, &pfin)) {
		if (pv.len > 0) {
			if (vq_push(&c->rcvq, pv) != 0) {
				/* The peer will send it again. */
				s->bops.unref(s->bops.ctx, pv.buf);
				s->mib[TCPE_MIB_DROP_NO_CONN_MEM]++;
				break;
			}
			c->rcv_nxt += pv.len;
		}
		if (pfin) {
			*fin_pending = 1;
			break;
		}
	}
	/* An idle connection keeps no reassembly memory. */
	if (tcpe_ooo_empty(c->ooo)) {
		tcpe_ooo_free(c->ooo, &s->bops);
		free(c->ooo);
		c->ooo = NULL;
	}
	return true;
}

/* Eighth step: the FIN, once every byte before it has been received. */
static void
process_fin(struct tcpe_conn *c, tcpe_time_t now)
{
	c->rcv_nxt++;
	c->flags |= TCPE_CF_ACK_NOW | TCPE_CF_RCV_EOF;
	conn_event(c, TCPE_EV_EOF);
	switch (c->state) {
	case TCPE_SYN_RECEIVED:
	case TCPE_ESTABLISHED:
		tcpe_conn_set_state(c, TCPE_CLOSE_WAIT);
		break;
	case TCPE_FIN_WAIT_1:
		if (fin_acked(c))
			enter_time_wait(c, now);
		else
			tcpe_conn_set_state(c, TCPE_CLOSING);
		break;
	case TCPE_FIN_WAIT_2:
		enter_time_wait(c, now);
		break;
	default:
		break;
	}
}

int
tcpe_conn_input(struct tcpe_conn *c, const struct tcpe_seg *seg,
    tcpe_time_t now, struct tcpe_out *out)
{
	struct tcpe_stack *s = c->stack;
	struct tcpe_seg simul;
	uint32_t fin = 0;

	c->stack->now = now;
	switch (c->state) {
	case TCPE_CLOSED:
		/* A TCB kept only for the application: answer as CLOSED. */
		if (!(seg->flags & TCPE_TH_RST))
			tcpe_stack_send_rst(s, seg, out);
		goto done;
	case TCPE_LISTEN:
		goto done;	/* listeners are fed by tcpe_stack_input() */
	case TCPE_SYN_SENT:
		input_syn_sent(c, seg, now, out);
		goto done;
	default:
		break;
	}

	/*
	 * Simultaneous open (RFC 9293 figure 8, line 6): in SYN_RECEIVED the
	 * peer's SYN-ACK repeats its SYN; take it as the ACK of ours, as
	 * Linux does (tcp_validate_incoming).
	 */
	if (c->state == TCPE_SYN_RECEIVED && !(c->flags & TCPE_CF_PASSIVE) &&
	    (seg->flags & (TCPE_TH_SYN | TCPE_TH_ACK | TCPE_TH_RST)) ==
	    (TCPE_TH_SYN | TCPE_TH_ACK) && seg->seq + 1 == c->rcv_nxt &&
	    seg->ack == c->snd_nxt) {
		simul = *seg;
		simul.flags &= ~TCPE_TH_SYN;
		simul.seq++;
		seg = &simul;
	}

	/*
	 * A retransmitted SYN in SYN_RECEIVED: our SYN-ACK was lost, send it
	 * again (Linux tcp_check_req) rather than an ACK without SYN.
	 */
	if (c->state == TCPE_SYN_RECEIVED &&
	    (seg->flags & (TCPE_TH_SYN | TCPE_TH_ACK | TCPE_TH_RST)) ==
	    TCPE_TH_SYN && seg->seq == c->irs) {
		c->snd_nxt = c->iss;
		conn_output(c, now, out);
		goto done;
	}

	/*
	 * PAWS (RFC 7323 section 5.3, R1): a timestamp older than TS.Recent
	 * marks an old duplicate; answer with an ACK and drop it.
	 */
	if ((c->flags & TCPE_CF_TS) && (seg->opts.present & TCPE_OPT_TS) &&
	    !(seg->flags & TCPE_TH_RST) &&
	    (int32_t)(seg->opts.tsval - c->ts_recent) < 0) {
		s->mib[TCPE_MIB_PAWS_ESTAB]++;
		send_ack(c, out);
		goto done;
	}

	/* The peer is alive: restart the keepalive idle time. */
	if (c->flags & TCPE_CF_KEEPALIVE)
		keepalive_arm(c, now);

	/* First: sequence number acceptability. */
	if (!seq_acceptable(c, seg)) {
		s->mib[TCPE_MIB_DROP_OUT_OF_WINDOW]++;
		if (!(seg->flags & TCPE_TH_RST)) {
			/*
			 * TIME_WAIT: the only thing that can arrive is a
			 * retransmission of the peer's FIN: ACK it and restart
			 * the 2 MSL timeout.
			 */
			if (c->state == TCPE_TIME_WAIT &&
			    (seg->flags & TCPE_TH_FIN))
				enter_time_wait(c, now);
			/*
			 * At most one answer per 500 ms to segments without
			 * data (Linux tcp_oow_rate_limited,
			 * tcp_invalid_ratelimit): two ends that find each
			 * other's ACKs unacceptable must not ping-pong.
			 */
			if (seg_seqlen(seg) > 0) {
				/* Old data: report it (RFC 2883 4.1). */
				if (seg->data.len > 0 &&
				    tcpe_seq_lt(seg->seq, c->rcv_nxt))
					set_dsack(c, seg->seq, tcpe_seq_lt(
					    seg->seq + seg->data.len,
					    c->rcv_nxt) ? seg->seq +
					    seg->data.len : c->rcv_nxt);
				send_ack(c, out);	/* data: never a loop */
			} else if (now - c->last_oow < TCPE_MS(500)) {
				s->mib[TCPE_MIB_ACK_SKIPPED_SEQ]++;
			} else {
				c->last_oow = now;
				send_ack(c, out);
			}
		}
		goto done;
	}

	/*
	 * RFC 7323 section 4.3: TS.Recent takes the TSval of a segment that
	 * covers Last.ACK.sent (Linux tcp_replace_ts_recent), never going
	 * back in time.
	 */
	if ((c->flags & TCPE_CF_TS) && (seg->opts.present & TCPE_OPT_TS) &&
	    tcpe_seq_leq(seg->seq, c->last_ack) &&
	    (int32_t)(seg->opts.tsval - c->ts_recent) >= 0)
		c->ts_recent = seg->opts.tsval;

	/* Second: RST (RFC 5961 section 3.2). */
	if (seg->flags & TCPE_TH_RST) {
		if (seg->seq != c->rcv_nxt) {
			/* TIME_WAIT ignores it (tcp_timewait_state_process). */
			if (c->state != TCPE_TIME_WAIT)
				send_challenge_ack(c, out);
			goto done;
		}
		if (c->state == TCPE_SYN_RECEIVED &&
		    (c->flags & TCPE_CF_PASSIVE))
			s->mib[TCPE_MIB_EMBRYONIC_RSTS]++;
		/* TIME_WAIT assassination (RFC 1337): tcp_rfc1337 ignores it. */
		if (c->state == TCPE_TIME_WAIT) {
			if (s->cfg.rfc1337)
				goto done;
			s->mib[TCPE_MIB_TW_KILLED]++;
		}
		if (c->state == TCPE_SYN_RECEIVED)
			conn_closed(c, (c->flags & TCPE_CF_PASSIVE) ? 0 :
			    -ECONNREFUSED);
		else
			conn_closed(c, -ECONNRESET);
		goto done;
	}

	/* Fourth: a SYN in a synchronized state (RFC 5961 section 4). */
	if (seg->flags & TCPE_TH_SYN) {
		send_challenge_ack(c, out);
		goto done;
	}

	/* Fifth: the ACK field. */
	if (!(seg->flags & TCPE_TH_ACK))
		goto done;
	if (c->state == TCPE_SYN_RECEIVED) {
		if (!tcpe_seq_gt(seg->ack, c->snd_una) ||
		    tcpe_seq_gt(seg->ack, c->snd_max)) {
			tcpe_stack_send_rst(s, seg, out);
			goto done;
		}
		/*
		 * No room in the accept queue: ignore the ACK, so the SYN-ACK
		 * goes out again on the timer, or reset the child
		 * (tcp_abort_on_overflow).
		 */
		if (c->listener != NULL &&
		    tcpe_stack_acc_overflow(s, c->listener, seg, true, out)) {
			if (s->cfg.abort_on_overflow)
				conn_closed(c, 0);
			goto done;
		}
		rtt_ack(c, seg, now);
		syn_rto_fallback(c);
		c->snd_una = seg->ack;
		syn_acked(c);
		c->rtx_count = 0;
		c->rto = c->rtt.rto;
		c->deadline[TCPE_TT_RTO] = TCPE_TIME_NEVER;
		c->snd_wnd = (uint32_t)seg->wnd << c->snd_wscale;
		c->max_snd_wnd = c->snd_wnd;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = seg->ack;
		tcpe_conn_established(c);
		if (c->flags & TCPE_CF_FIN_QUEUED)
			tcpe_conn_set_state(c, TCPE_FIN_WAIT_1);
	}
	if (!process_ack(c, seg, now, out))
		goto done;
	switch (c->state) {
	case TCPE_FIN_WAIT_1:
		if (fin_acked(c)) {
			tcpe_conn_set_state(c, TCPE_FIN_WAIT_2);
			orphan_fin_wait_2(c, now);
		}
		break;
	case TCPE_CLOSING:
		if (fin_acked(c)) {
			enter_time_wait(c, now);
			goto done;
		}
		break;
	case TCPE_LAST_ACK:
		if (fin_acked(c)) {
			conn_closed(c, 0);
			goto done;
		}
		break;
	default:
		break;
	}

	/* Sixth: URG is not supported; urgent bytes arrive in line. */

	/* Seventh: the segment text. */
	if (!process_data(c, seg, &fin, out))
		goto done;

	/* Eighth: FIN. */
	if (fin)
		process_fin(c, now);

	conn_output(c, now, out);
done:
	tcpe_stack_conn_sync(c);
	return 0;
}

/*
 * A SYN for the 4-tuple of an orphan in TIME_WAIT: RFC 1122 4.2.2.13
 * allows reopening from TIME_WAIT when the SYN's sequence number is
 * beyond everything of the old incarnation, and Linux does so
 * (tcp_timewait_state_process, TCP_TW_SYN). The record is freed and the
 * caller hands the SYN to the listener, with an ISS above the old
 * SND.NXT (Linux: tw_snd_nxt + 65535 + 2) so that old duplicates cannot
 * be mistaken for the new connection. Returns false, touching nothing,
 * for any other segment.
 */
bool
tcpe_conn_tw_reopen(struct tcpe_conn *c, const struct tcpe_seg *seg,
    uint32_t *isn)
{
	if (c->state != TCPE_TIME_WAIT || app_visible(c) ||
	    (seg->flags & (TCPE_TH_SYN | TCPE_TH_ACK | TCPE_TH_RST)) !=
	    TCPE_TH_SYN)
		return false;
	/* RFC 6191: a newer timestamp is as good as a higher sequence. */
	if (!tcpe_seq_gt(seg->seq, c->rcv_nxt) &&
	    !((c->flags & TCPE_CF_TS) && (seg->opts.present & TCPE_OPT_TS) &&
	    (int32_t)(seg->opts.tsval - c->ts_recent) > 0))
		return false;
	*isn = c->snd_nxt + 65535 + 2;
	conn_closed(c, 0);
	tcpe_stack_conn_sync(c);	/* frees the record */
	return true;
}

/* --- timers ------------------------------------------------------------ */

static void
rto_backoff(struct tcpe_conn *c)
{
	c->rto *= 2;
	if (c->rto > rto_max(c))
		c->rto = rto_max(c);
}

/*
 * Give up? A handshake after `limit` retransmissions; a synchronized
 * connection once the time since its first retransmission reaches what
 * `limit` backed-off timeouts from tcp_rto_min_ms would take (Linux
 * retransmits_timed_out, tcp_model_timeout: tcp_retries2 15 is 924.6 s
 * with 200 ms).
 */
static bool
rtx_timed_out(const struct tcpe_conn *c, uint32_t limit, tcpe_time_t now)
{
	const struct tcpe_tcp_cfg *cfg = &c->stack->cfg;

	if (!tcpe_state_synchronized(c->state))
		return c->rtx_count >= limit;
	if (c->rtx_count == 0)
		return limit == 0;
	return now - c->rtx_start >= tcpe_rtt_timeout(limit,
	    TCPE_MS(cfg->rto_min_ms), TCPE_MS(cfg->rto_max_ms));
}

/*
 * RACK after an RTO (RFC 8985 6.3, Linux tcp_enter_loss): everything in
 * flight is lost; the scoreboard drives the resends (from cwnd one
 * segment, growing as ACKs come) until SND.UNA reaches recover.
 */
static void
rto_loss(struct tcpe_conn *c)
{
	if (c->sb == NULL) {
		c->sb = malloc(sizeof(*c->sb));
		if (c->sb == NULL)
			return;		/* go-back-N without a scoreboard */
		tcpe_sb_init(c->sb);
		tcpe_sb_advance(c->sb, c->snd_una);
	}
	c->flags |= TCPE_CF_LOSS;
	c->lost_end = c->snd_max;
	c->snd_nxt = c->snd_max;
	c->stack->mib[TCPE_MIB_LOSS_RECOVERY_AFTER_RTO]++;
}

/*
 * The early timer (RFC 8985): RACK's reordering window ran out (CF_REO)
 * -- the holes below HighSACK are lost, recovery starts or goes on --
 * or the probe timeout fired: send one new segment if the peer's window
 * allows, else resend the last one, to draw an ACK with SACK information
 * instead of waiting for the RTO (TCPLossProbes).
 */
static void
expire_early(struct tcpe_conn *c, tcpe_time_t now, struct tcpe_out *out)
{
	struct tcpe_stack *s = c->stack;
	uint32_t data_end = c->snd_una + c->sndq.bytes, smss = seg_mss(c);
	uint32_t wnd_end = c->snd_una + c->snd_wnd, len, seq;
	bool reo = (c->flags & TCPE_CF_REO) != 0, fin;
	int got = -1;

	c->deadline[TCPE_TT_EARLY] = TCPE_TIME_NEVER;
	c->flags &= ~TCPE_CF_REO;
	if (!tcpe_state_synchronized(c->state) || c->snd_una == c->snd_max)
		return;
	if (reo) {
		/*
		 * Only what was SACKed when the window began has waited
		 * it: holes below reo_mark are lost, a retransmission
		 * below rxt_fence too if reo_mark was above it.
		 */
		if (rack_fence_crossed(c) &&
		    tcpe_seq_gt(c->reo_mark, c->rxt_fence) &&
		    tcpe_sb_hole_above(c->sb, c->snd_una))
			rack_lost_retransmit(c);
		if (c->sb == NULL || !tcpe_sb_hole_above(c->sb, c->snd_una) ||
		    !tcpe_seq_gt(c->reo_mark, c->snd_una)) {
			rack_reo_arm(c, now);
			tlp_arm(c, now);	/* the window displaced it */
			return;
		}
		s->mib[TCPE_MIB_RACK_REO_TIMEOUTS]++;
		if (!(c->flags & (TCPE_CF_RECOVERY | TCPE_CF_LOSS))) {
			if (tcpe_seq_lt(c->snd_una, c->recover))
				return;
			enter_recovery(c, now);
		}
		if (tcpe_seq_gt(c->reo_mark, c->lost_end))
			c->lost_end = c->reo_mark;
		conn_output(c, now, out);
		rack_reo_arm(c, now);	/* for holes that came since */
		return;
	}
	if (c->flags & (TCPE_CF_RECOVERY | TCPE_CF_LOSS | TCPE_CF_TLP))
		return;
	/* RFC 8985 7.3: the RTO runs again from the probe. */
	c->deadline[TCPE_TT_RTO] = now + c->rto;
	if (c->snd_nxt == c->snd_max && tcpe_seq_lt(c->snd_max, data_end) &&
	    tcpe_seq_lt(c->snd_max, wnd_end)) {
		len = data_end - c->snd_max;
		if (len > wnd_end - c->snd_max)
			len = wnd_end - c->snd_max;
		if (len > smss)
			len = smss;
		fin = (c->flags & TCPE_CF_FIN_QUEUED) &&
		    c->snd_max + len == data_end;
		got = send_next(c, len, &fin, now, out);
	}
	if (got <= 0) {
		len = c->snd_max - c->snd_una;
		seq = c->snd_max - (len < smss ? len : smss);
		if (rexmit(c, seq, c->snd_max - seq, now, out) <= 0)
			return;
		c->flags |= TCPE_CF_TLP_RXT;
	}
	s->mib[TCPE_MIB_LOSS_PROBES]++;
	c->flags |= TCPE_CF_TLP;
	c->tlp_high = c->snd_max;
}

static void
expire_rto(struct tcpe_conn *c, tcpe_time_t now, struct tcpe_out *out)
{
	struct tcpe_stack *s = c->stack;
	const struct tcpe_tcp_cfg *cfg = &s->cfg;
	uint32_t limit;

	c->deadline[TCPE_TT_RTO] = TCPE_TIME_NEVER;
	c->deadline[TCPE_TT_EARLY] = TCPE_TIME_NEVER;
	c->flags &= ~(TCPE_CF_REO | TCPE_CF_TLP | TCPE_CF_TLP_RXT);
	if (c->snd_una == c->snd_max) {
		if (!(tcpe_state_synchronized(c->state) && c->sndq.bytes > 0 &&
		    c->snd_wnd == 0)) {
			/*
			 * A send that found out full: try it again, counted
			 * and backed off like a retransmission, so no
			 * connection is re-armed for ever without progress.
			 */
			if (c->rtx_count >= retries_limit(c)) {
				s->mib[TCPE_MIB_ABORT_ON_TIMEOUT]++;
				conn_closed(c, -ETIMEDOUT);
				return;
			}
			c->rtx_count++;
			rto_backoff(c);
			c->deadline[TCPE_TT_RTO] = now + c->rto;
			conn_output(c, now, out);
			return;
		}
		/*
		 * Persist timer (RFC 9293 3.8.6.1): probe the zero window
		 * with SND.UNA - 1. Unanswered probes count against
		 * tcp_retries2; an answer (any ACK) resets the count for a
		 * connection the application holds, not for an orphan, so a
		 * peer that keeps its window shut cannot pin an orphan for
		 * ever (Linux tcp_probe_timer).
		 */
		if (c->probes >= retries_limit(c)) {
			/* Silently, as Linux tcp_probe_timer -> tcp_write_err. */
			s->mib[TCPE_MIB_ABORT_ON_TIMEOUT]++;
			conn_closed(c, -ETIMEDOUT);
			return;
		}
		c->probes++;
		rto_backoff(c);
		c->deadline[TCPE_TT_RTO] = now + c->rto;
		(void)emit(c, out, TCPE_TH_ACK, c->snd_una - 1);
		return;
	}
	switch (c->state) {
	case TCPE_SYN_SENT:
		limit = cfg->syn_retries;
		break;
	case TCPE_SYN_RECEIVED:
		limit = cfg->synack_retries;
		break;
	default:
		limit = retries_limit(c);
		break;
	}
	s->mib[TCPE_MIB_TIMEOUTS]++;
	if (rtx_timed_out(c, limit, now)) {
		s->mib[TCPE_MIB_ABORT_ON_TIMEOUT]++;
		if (c->state == TCPE_SYN_RECEIVED &&
		    (c->flags & TCPE_CF_PASSIVE)) {
			conn_closed(c, 0);
		} else {
			conn_closed(c, -ETIMEDOUT);
		}
		return;
	}
	if (tcpe_state_synchronized(c->state)) {
		/*
		 * RFC 5681 3.1 / RFC 6298 5.5-5.7: the first timeout of a
		 * stall takes the loss window; recovery and SACK state go
		 * (the receiver may have reneged, RFC 6675 5.1); recover =
		 * SND.MAX keeps duplicate ACKs of the go-back-N resends from
		 * starting a fast retransmit (RFC 6582 4.1).
		 */
		if (c->rtx_count == 0) {
			c->rtx_start = now - c->rto;
			tcpe_cc_on_rto(&c->cc, seg_mss(c), c->snd_max -
			    c->snd_una);
		} else if (!cc_none(c)) {
			c->cc.cwnd = seg_mss(c);
		}
		c->flags &= ~(TCPE_CF_RECOVERY | TCPE_CF_RTX_HEAD |
		    TCPE_CF_RTT_ON | TCPE_CF_LOSS | TCPE_CF_FENCE);
		if (c->sb != NULL && !(rack_on(c) && c->rtx_count == 0))
			tcpe_sb_clear(c->sb);
		c->recover = c->snd_max;
		c->high_rxt = c->snd_una;
		c->dupacks = 0;
		if (rack_on(c))
			rto_loss(c);
	}
	c->rtx_count++;
	rto_backoff(c);
	/*
	 * Resend from the oldest unacknowledged byte, one segment. The
	 * timer is armed before the send, so a send that finds out full or
	 * a closed window is retried on the next expiry.
	 */
	c->deadline[TCPE_TT_RTO] = now + c->rto;
	if (!(c->flags & TCPE_CF_LOSS)) {
		c->snd_nxt = c->snd_una;
		c->flags |= TCPE_CF_RTO_ONE;
	}
	conn_output(c, now, out);
}

/*
 * Keepalive (RFC 1122 4.2.3.6, Linux tcp_keepalive_timer): after the
 * idle time, a probe <SEQ=SND.UNA-1><ACK=RCV.NXT> every interval while
 * nothing is in flight; tcp_keepalive_probes unanswered ones reset the
 * connection with ETIMEDOUT. Any segment from the peer re-arms it.
 */
static void
expire_keepalive(struct tcpe_conn *c, tcpe_time_t now, struct tcpe_out *out)
{
	struct tcpe_stack *s = c->stack;
	const struct tcpe_tcp_cfg *cfg = &s->cfg;

	c->deadline[TCPE_TT_KEEP] = TCPE_TIME_NEVER;
	if (!(c->flags & TCPE_CF_KEEPALIVE) || !keepalive_state(c))
		return;
	if (c->snd_una != c->snd_max || c->sndq.bytes > 0) {
		/* The retransmission or persist timer watches the peer. */
		keepalive_arm(c, now);
		return;
	}
	if (c->keep_probes >= cfg->keepalive_probes) {
		s->mib[TCPE_MIB_ABORT_ON_TIMEOUT]++;
		send_rst(c, out);
		conn_closed(c, -ETIMEDOUT);
		return;
	}
	c->keep_probes++;
	s->mib[TCPE_MIB_KEEPALIVE]++;
	(void)emit(c, out, TCPE_TH_ACK, c->snd_una - 1);
	c->deadline[TCPE_TT_KEEP] = now + TCPE_S(cfg->keepalive_intvl);
}

int
tcpe_conn_expire(struct tcpe_conn *c, tcpe_time_t now, struct tcpe_out *out)
{
	c->stack->now = now;
	if (c->deadline[TCPE_TT_2MSL] <= now) {
		c->deadline[TCPE_TT_2MSL] = TCPE_TIME_NEVER;
		if (c->state == TCPE_TIME_WAIT || c->state == TCPE_FIN_WAIT_2) {
			conn_closed(c, 0);
		} else if ((c->flags & TCPE_CF_LINGER) &&
		    c->state != TCPE_CLOSED) {
			/* SO_LINGER {on, n}: our FIN is still unacknowledged. */
			c->stack->mib[TCPE_MIB_ABORT_ON_LINGER]++;
			send_rst(c, out);
			conn_closed(c, 0);
		}
	}
	if (c->deadline[TCPE_TT_EARLY] <= now)
		expire_early(c, now, out);
	if (c->deadline[TCPE_TT_RTO] <= now)
		expire_rto(c, now, out);
	if (c->deadline[TCPE_TT_DELACK] <= now) {
		c->deadline[TCPE_TT_DELACK] = TCPE_TIME_NEVER;
		if (tcpe_state_synchronized(c->state) &&
		    c->rcv_nxt != c->last_ack) {
			c->stack->mib[TCPE_MIB_DELAYED_ACKS]++;
			send_ack(c, out);
		}
	}
	if (c->deadline[TCPE_TT_KEEP] <= now)
		expire_keepalive(c, now, out);
	tcpe_stack_conn_sync(c);
	return 0;
}

tcpe_time_t
tcpe_conn_deadline(const struct tcpe_conn *c)
{
	tcpe_time_t d = TCPE_TIME_NEVER;
	int i;

	for (i = 0; i < TCPE_TT_N; i++)
		if (c->deadline[i] < d)
			d = c->deadline[i];
	return d;
}

/* --- application calls ------------------------------------------------- */

uint32_t
tcpe_conn_send_space(const struct tcpe_conn *c)
{
	if (c->state == TCPE_LISTEN || c->state == TCPE_CLOSED ||
	    (c->flags & TCPE_CF_FIN_QUEUED))
		return 0;
	return c->sndq.bytes >= c->snd_buf ? 0 : c->snd_buf - c->sndq.bytes;
}

int
tcpe_conn_send(struct tcpe_conn *c, struct tcpe_view *v, tcpe_time_t now,
    struct tcpe_out *out)
{
	const struct tcpe_buf_ops *ops = &c->stack->bops;
	struct tcpe_view part;
	uint32_t n;

	c->stack->now = now;
	if (c->state == TCPE_LISTEN)
		return -ENOTCONN;
	if (c->state == TCPE_CLOSED || (c->flags & TCPE_CF_FIN_QUEUED))
		return -EPIPE;
	n = tcpe_conn_send_space(c);
	if (n > v->len)
		n = v->len;
	if (n < v->len)
		c->flags |= TCPE_CF_WANT_WRITE;
	if (n == 0)
		return 0;
	part.buf = v->buf;
	part.off = v->off;
	part.len = n;
	if (vq_push(&c->sndq, part) != 0) {
		c->flags |= TCPE_CF_WANT_WRITE;
		return 0;
	}
	if (n < v->len)
		ops->ref(ops->ctx, v->buf);
	v->off += n;
	v->len -= n;
	conn_output(c, now, out);
	tcpe_stack_conn_sync(c);
	return (int)n;
}

int
tcpe_conn_recv(struct tcpe_conn *c, struct tcpe_view *v)
{
	return tcpe_conn_recv_max(c, v, UINT32_MAX);
}

int
tcpe_conn_recv_max(struct tcpe_conn *c, struct tcpe_view *v, uint32_t max)
{
	const struct tcpe_buf_ops *ops = &c->stack->bops;
	struct tcpe_view *h;

	if (c->rcvq.n > 0 && max > 0) {
		h = vq_at(&c->rcvq, 0);
		if (h->len <= max) {
			*v = vq_pop(&c->rcvq);
		} else {
			/* Split: the caller's part gets a reference of its own. */
			ops->ref(ops->ctx, h->buf);
			v->buf = h->buf;
			v->off = h->off;
			v->len = max;
			h->off += max;
			h->len -= max;
			c->rcvq.bytes -= max;
		}
		c->rcv_held += v->len;
		return (int)v->len;
	}
	if (c->flags & (TCPE_CF_RCV_EOF | TCPE_CF_RD_SHUT))
		return 0;
	if (c->err != 0)
		return c->err;
	if (c->state == TCPE_LISTEN)
		return -ENOTCONN;
	if (c->state == TCPE_CLOSED)
		return 0;
	return -EAGAIN;
}

int
tcpe_conn_recv_done(struct tcpe_conn *c, uint32_t len, tcpe_time_t now,
    struct tcpe_out *out)
{
	uint32_t before, after;

	c->stack->now = now;
	if (len > c->rcv_held)
		return -EINVAL;
	before = c->rcv_adv;
	c->rcv_held -= len;
	if (!tcpe_state_synchronized(c->state) ||
	    tcpe_state_have_rcvd_fin(c->state))
		return 0;
	/* Would the edge move? Then announce it (window update). */
	after = c->rcv_nxt + rcv_space(c);
	if (tcpe_seq_gt(after, before)) {
		uint32_t thresh = c->rcv_buf / 2 < c->rcv_mss ?
		    c->rcv_buf / 2 : c->rcv_mss;

		if (after - before >= thresh || before == c->rcv_nxt) {
			c->flags |= TCPE_CF_ACK_NOW;
			conn_output(c, now, out);
			tcpe_stack_conn_sync(c);
		}
	}
	return 0;
}

int
tcpe_conn_shutdown(struct tcpe_conn *c, int how, tcpe_time_t now,
    struct tcpe_out *out)
{
	c->stack->now = now;
	if (how < TCPE_SHUT_RD || how > TCPE_SHUT_RDWR)
		return -EINVAL;
	if (c->state == TCPE_LISTEN || c->state == TCPE_CLOSED)
		return -ENOTCONN;
	if (how & TCPE_SHUT_RD)
		c->flags |= TCPE_CF_RD_SHUT;
	if (!(how & TCPE_SHUT_WR) || (c->flags & TCPE_CF_FIN_QUEUED))
		return 0;
	switch (c->state) {
	case TCPE_SYN_SENT:
		/* RFC 9293 3.10.4: CLOSE in SYN-SENT deletes the TCB. */
		conn_closed(c, 0);
		break;
	case TCPE_SYN_RECEIVED:
		/* The FIN follows once the handshake completes. */
		c->flags |= TCPE_CF_FIN_QUEUED;
		break;
	case TCPE_ESTABLISHED:
		c->flags |= TCPE_CF_FIN_QUEUED;
		tcpe_conn_set_state(c, TCPE_FIN_WAIT_1);
		break;
	case TCPE_CLOSE_WAIT:
		c->flags |= TCPE_CF_FIN_QUEUED;
		tcpe_conn_set_state(c, TCPE_LAST_ACK);
		break;
	default:
		break;
	}
	conn_output(c, now, out);
	tcpe_stack_conn_sync(c);
	return 0;
}

/* States an abortive close answers with an RST (Linux tcp_need_reset). */
static bool
need_reset(const struct tcpe_conn *c)
{
	switch (c->state) {
	case TCPE_SYN_RECEIVED:
	case TCPE_ESTABLISHED:
	case TCPE_CLOSE_WAIT:
	case TCPE_FIN_WAIT_1:
	case TCPE_FIN_WAIT_2:
		return true;
	default:
		return false;
	}
}

/*
 * The application closed c and it is still closing: count it as an
 * orphan. Beyond tcp_max_orphans it is reset instead (Linux tcp_close ->
 * tcp_check_oom, TCPAbortOnMemory). SO_LINGER {on, n} bounds the wait
 * for the ACK of our FIN by n seconds (the 2MSL deadline is free until
 * FIN_WAIT_2 or TIME_WAIT, which replace it).
 */
static void
orphaned(struct tcpe_conn *c, tcpe_time_t now, struct tcpe_out *out)
{
	struct tcpe_stack *s = c->stack;

	c->flags |= TCPE_CF_ORPHAN;
	s->orphans++;
	if (s->orphans > s->cfg.max_orphans) {
		s->mib[TCPE_MIB_ABORT_ON_MEMORY]++;
		if (c->state >= TCPE_SYN_RECEIVED)
			send_rst(c, out);
		conn_closed(c, 0);
		return;
	}
	if ((c->flags & TCPE_CF_LINGER) && c->linger > 0 && !fin_acked(c) &&
	    c->state != TCPE_FIN_WAIT_2)
		c->deadline[TCPE_TT_2MSL] = now + TCPE_S(c->linger);
}

void
tcpe_conn_set_nodelay(struct tcpe_conn *c, bool on)
{
	if (on)
		c->flags |= TCPE_CF_NODELAY;
	else
		c->flags &= ~TCPE_CF_NODELAY;
}

void
tcpe_conn_set_quickack(struct tcpe_conn *c, bool on)
{
	if (on)
		c->flags |= TCPE_CF_QUICKACK;
	else
		c->flags &= ~TCPE_CF_QUICKACK;
}

void
tcpe_conn_set_keepalive(struct tcpe_conn *c, bool on, tcpe_time_t now)
{
	c->stack->now = now;
	if (on) {
		c->flags |= TCPE_CF_KEEPALIVE;
		keepalive_arm(c, now);
	} else {
		c->flags &= ~TCPE_CF_KEEPALIVE;
		c->deadline[TCPE_TT_KEEP] = TCPE_TIME_NEVER;
	}
	tcpe_stack_conn_sync(c);
}

int
tcpe_conn_set_linger(struct tcpe_conn *c, bool on, uint32_t secs)
{
	if (secs > 86400)
		return -EINVAL;
	if (on)
		c->flags |= TCPE_CF_LINGER;
	else
		c->flags &= ~TCPE_CF_LINGER;
	c->linger = secs;
	return 0;
}

static void
close_listener(struct tcpe_conn *l, tcpe_time_t now, struct tcpe_out *out)
{
	struct tcpe_conn *c;
	struct tcpe_list *h;
	int q;

	/* Reset every child the application never accepted. */
	for (q = 0; q < 2; q++) {
		h = q == 0 ? &l->lq->syn_q : &l->lq->acc_q;
		while (!tcpe_list_empty(h)) {
			c = tcpe_container_of(h->next, struct tcpe_conn, qlink);
			detach_from_listener(c);
			send_rst(c, out);
			conn_closed(c, 0);
			tcpe_stack_conn_sync(c);
		}
	}
	(void)now;
	tcpe_list_del(&l->qlink);
	l->flags &= ~TCPE_CF_APP;
	tcpe_stack_ev_unlink(l);
	l->events = 0;
	tcpe_conn_set_state(l, TCPE_CLOSED);
	tcpe_stack_conn_sync(l);
}

void
tcpe_conn_close(struct tcpe_conn *c, tcpe_time_t now, struct tcpe_out *out)
{
	struct tcpe_stack *s = c->stack;

	c->stack->now = now;
	if (c->state == TCPE_LISTEN) {
		close_listener(c, now, out);
		return;
	}
	c->flags &= ~TCPE_CF_APP;
	c->flags |= TCPE_CF_RD_SHUT;
	/* No event may reach a handle the application gave up. */
	tcpe_stack_ev_unlink(c);
	c->events = 0;
	/* What the application took but never released is its own. */
	c->rcv_held = 0;
	if (c->rcvq.bytes > 0 && c->state != TCPE_CLOSED) {
		/* Unread data: RFC 9293 3.10.4 allows, Linux sends, an RST. */
		s->mib[TCPE_MIB_ABORT_ON_CLOSE]++;
		if (c->state >= TCPE_SYN_RECEIVED)
			send_rst(c, out);
		conn_closed(c, 0);
	} else if ((c->flags & TCPE_CF_LINGER) && c->linger == 0 &&
	    c->state != TCPE_CLOSED) {
		/* SO_LINGER {on, 0}: abortive close (Linux tcp_disconnect). */
		s->mib[TCPE_MIB_ABORT_ON_DATA]++;
		if (need_reset(c))
			send_rst(c, out);
		conn_closed(c, 0);
	} else {
		switch (c->state) {
		case TCPE_SYN_SENT:
			conn_closed(c, 0);
			break;
		case TCPE_SYN_RECEIVED:
		case TCPE_ESTABLISHED:
		case TCPE_CLOSE_WAIT:
			(void)tcpe_conn_shutdown(c, TCPE_SHUT_WR, now, out);
			break;
		case TCPE_FIN_WAIT_2:
			orphan_fin_wait_2(c, now);
			break;
		default:
			break;
		}
	}
	if (c->state != TCPE_CLOSED && c->state != TCPE_TIME_WAIT)
		orphaned(c, now, out);
	if (c->state == TCPE_CLOSED)
		vq_free(&c->rcvq, &s->bops);
	tcpe_stack_conn_sync(c);
}

int
tcpe_conn_abort(struct tcpe_conn *c, tcpe_time_t now, struct tcpe_out *out)
{
	c->stack->now = now;
	(void)now;
	switch (c->state) {
	case TCPE_SYN_RECEIVED:
	case TCPE_ESTABLISHED:
	case TCPE_FIN_WAIT_1:
	case TCPE_FIN_WAIT_2:
	case TCPE_CLOSE_WAIT:
		send_rst(c, out);
		conn_closed(c, 0);
		break;
	case TCPE_LISTEN:
	case TCPE_CLOSED:
		break;
	default:
		conn_closed(c, 0);
		break;
	}
	tcpe_stack_conn_sync(c);
	return 0;
}
