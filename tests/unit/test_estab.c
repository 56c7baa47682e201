/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection establishment (issue 3), segment by segment with explicit
 * time: the listener's SYN and accept queues and their overflow rules,
 * SYN cookies, SYN and SYN-ACK retries, the RST rules of the handshake,
 * the SYN options (MSS, window scale, SACK-permitted, timestamps) and
 * what their negotiation changes afterwards, and RFC 6528 ISNs. The
 * behaviour tested is the specification, which follows Linux
 * (net/ipv4/tcp_input.c tcp_conn_request, tcp_minisocks.c tcp_check_req,
 * syncookies.c); where a test names a Linux function, it is the one whose
 * behaviour the rule copies.
 *
 * Conventions as in test_conn.c: we are 198.18.0.1, the peer 198.18.0.2;
 * the peer's ISS is near 2^32 so that sequence numbers wrap; our ISS is
 * read from what the stack emits, or computed with the same primitives
 * the core documents (tcpe_stack_isn(), tcpe_cookie_make()) to assert
 * exact values. Every test ends with the stack destroyed and no buffer
 * left alive (the h_teardown checks it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "tcpe_conn.h"
#include "tcpe_cookie.h"
#include "tcpe_params.h"
#include "tcpe_stack.h"

/* The peer's ISS: the sequence space wraps 4 KB into its stream. */
#define PISS		0xfffff000u
/* Our MSS on an MTU of 1500. */
#define MSS		1460u
/* Bytes of the timestamp option on every segment once negotiated. */
#define TSLEN		12u
/* Every option a SYN can carry. */
#define O_MSS		TCPE_OPT_MSS
#define O_WS		TCPE_OPT_WS
#define O_SACKOK	TCPE_OPT_SACKOK
#define O_TS		TCPE_OPT_TS
#define O_ALL		(O_MSS | O_WS | O_SACKOK | O_TS)
/* Connection flags that say what was negotiated. */
#define NEG_FLAGS	(TCPE_CF_WSCALE | TCPE_CF_SACK | TCPE_CF_TS)


/* The events since the last look are exactly want. */
/* The negotiated-option flags of c are exactly want (of NEG_FLAGS). */
#define EXPECT_NEG(fx, c, want) \
	H_CHECK(fx, ((c)->flags & NEG_FLAGS) == (want), \
	    "negotiated flags %#x, expected %#x", (c)->flags & NEG_FLAGS, \
	    (unsigned)(want))

/* --- fixtures ------------------------------------------------------------ */



/* --- helpers ------------------------------------------------------------- */

/*
 * Options of a segment the peer sends: mss 0 and ws < 0 leave those out;
 * ts adds TS <tsval, tsecr>.
 */
static struct tcpe_opts
mkopts(int mss, int ws, bool sackok, bool ts, uint32_t tsval, uint32_t tsecr)
{
	struct tcpe_opts o;

	memset(&o, 0, sizeof(o));
	if (mss > 0) {
		o.present |= TCPE_OPT_MSS;
		o.mss = (uint16_t)mss;
	}
	if (ws >= 0) {
		o.present |= TCPE_OPT_WS;
		o.wscale = (uint8_t)ws;
	}
	if (sackok)
		o.present |= TCPE_OPT_SACKOK;
	if (ts) {
		o.present |= TCPE_OPT_TS;
		o.tsval = tsval;
		o.tsecr = tsecr;
	}
	return o;
}

/* Only a TS option (what the peer puts on every segment once agreed). */
static struct tcpe_opts
tsopt(uint32_t tsval, uint32_t tsecr)
{
	return mkopts(0, -1, false, true, tsval, tsecr);
}

/* The shift we announce: the smallest that covers tcp_rmem[1]. */
static uint8_t
our_ws(const struct tcpe_tcp_cfg *cfg)
{
	uint8_t shift = 0;

	if (!cfg->window_scaling)
		return 0;
	while (shift < 14 && (cfg->rmem[1] >> shift) > 65535)
		shift++;
	return shift;
}

/* The window field of a SYN or SYN-ACK: tcp_rmem[1], at most 65535. */
static uint16_t
syn_wnd(const struct tcpe_tcp_cfg *cfg)
{
	return cfg->rmem[1] > 65535 ? 65535 : (uint16_t)cfg->rmem[1];
}

/* Our TSval for tuple t now: the clock in ms plus the tuple's offset. */
static uint32_t
ts_now(const struct h_fx *fx, const struct tcpe_tuple *t)
{
	return (uint32_t)(fx->now / TCPE_MS(1)) +
	    tcpe_stack_ts_off(fx->s, t);
}

/*
 * The cookie the stack must send for a SYN from p with peer_isn and MSS
 * option mss (0: none), now; *enc gets the MSS it encodes. Keys are
 * derived from the stack's secret as tcpe_cookie.h documents.
 */
static uint32_t
cookie_for(const struct h_fx *fx, const struct h_peer *p, uint32_t peer_isn,
    uint16_t mss, uint16_t *enc)
{
	struct tcpe_cookie_keys ck;
	uint16_t m = mss;
	uint32_t cookie;

	tcpe_cookie_keys_init(&ck, fx->s->secret);
	cookie = tcpe_cookie_make(&ck, &p->t, peer_isn, &m, fx->now);
	if (enc != NULL)
		*enc = m;
	return cookie;
}

/*
 * The peer sends its SYN (options o, may be NULL); exactly one SYN-ACK
 * <ACK=ISS+1> without payload must come back. Returns its seq (our ISS or
 * cookie) and sets p's nxt/ack/our_base for the rest of the handshake.
 */
#define SYN_IN(fx, p, o)	syn_in_at(__FILE__, __LINE__, fx, p, o)
static uint32_t
syn_in_at(const char *file, int line, struct h_fx *fx, struct h_peer *p,
    const struct tcpe_opts *o)
{
	uint32_t seq;

	h_tx_opts(fx, p, SYN, p->iss, 0, p->wnd, 0, o);
	h_expect_n(file, line, fx, 1);
	seq = fx->out.segs[0].seq;
	h_expect_seg(file, line, fx, 0, p, SA, seq, p->iss + 1);
	h_expect_len(file, line, fx, 0, 0);
	p->nxt = p->iss + 1;
	p->ack = seq + 1;
	p->our_base = seq + 1;
	return seq;
}

/* The peer's SYN gets no answer at all. */
#define SYN_DROPPED(fx, p, o) do { \
	h_tx_opts(fx, p, SYN, (p)->iss, 0, (p)->wnd, 0, o); \
	H_EXPECT_NONE(fx); \
} while (0)

/* A listener on port 80 of a stack restarted from fx->cfg. */
static struct tcpe_conn *
relisten(struct h_fx *fx, uint32_t backlog)
{
	h_fx_restart(fx);
	return h_listen(fx, 80, backlog);
}

/* The child of l whose 4-tuple is p's, wherever it is queued. */
static struct tcpe_conn *
child_of(struct tcpe_conn *l, const struct h_peer *p)
{
	struct tcpe_list *h, *e;
	struct tcpe_conn *c;
	int q;

	for (q = 0; q < 2; q++) {
		h = q == 0 ? &l->lq->syn_q : &l->lq->acc_q;
		for (e = h->next; e != h; e = e->next) {
			c = tcpe_container_of(e, struct tcpe_conn, qlink);
			if (tcpe_tuple_eq(&c->node.key, &p->t))
				return c;
		}
	}
	return NULL;
}

/* Index of the emitted segment to p's 4-tuple (fails if none or two). */
#define SEG_TO(fx, p)	seg_to_at(__FILE__, __LINE__, fx, p)
static uint32_t
seg_to_at(const char *file, int line, const struct h_fx *fx,
    const struct h_peer *p)
{
	uint32_t i, found = UINT32_MAX, n = 0;

	for (i = 0; i < fx->out.n; i++) {
		if (tcpe_tuple_eq(&fx->out.segs[i].t, &p->t)) {
			found = i;
			n++;
		}
	}
	h_check(file, line, fx, n == 1, "%u segment(s) to port %u, "
	    "expected 1", n, p->t.rport);
	return found;
}

/* ------------------------------------------------------------------------
 * 1. Listener queues.
 * ------------------------------------------------------------------------ */

static void
test_synq_full_no_cookies_drops(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p1, p2, p3;
	uint32_t iss1;

	/* SYN queue of 2, accept queue of 8, cookies off. */
	fx->cfg.syncookies = 0;
	fx->cfg.max_syn_backlog = 2;
	l = relisten(fx, 8);
	h_peer_init(&p1, 80, 50001, PISS, 8192);
	h_peer_init(&p2, 80, 50002, PISS, 8192);
	h_peer_init(&p3, 80, 50003, PISS, 8192);
	iss1 = SYN_IN(fx, &p1, NULL);
	(void)SYN_IN(fx, &p2, NULL);
	assert_int_equal(l->lq->syn_len, 2);
	/* The third finds the SYN queue full: dropped without an answer. */
	SYN_DROPPED(fx, &p3, NULL);
	assert_int_equal(l->lq->syn_len, 2);
	assert_int_equal(NCONNS(fx), 3);
	EXPECT_MIB(fx, LISTEN_DROPS, 1);
	EXPECT_MIB(fx, REQQ_FULL_DROP, 1);
	EXPECT_MIB(fx, LISTEN_OVERFLOWS, 0);
	EXPECT_MIB(fx, REQQ_FULL_DO_COOKIES, 0);
	EXPECT_MIB(fx, SYNCOOKIES_SENT, 0);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	/* One handshake completes: its child leaves the SYN queue. */
	h_tx(fx, &p1, A, PISS + 1, iss1 + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(l->lq->syn_len, 1);
	assert_int_equal(l->lq->acc_len, 1);
	/* The retried SYN now has room. */
	(void)SYN_IN(fx, &p3, NULL);
	assert_int_equal(l->lq->syn_len, 2);
	EXPECT_MIB(fx, LISTEN_DROPS, 1);
	EXPECT_MIB(fx, REQQ_FULL_DROP, 1);
}

/* Complete a normal handshake for p on l (SYN queue not full). */
static uint32_t
handshake(struct h_fx *fx, struct h_peer *p, const struct tcpe_opts *o)
{
	uint32_t iss = SYN_IN(fx, p, o);

	h_peer_send(fx, p, A, 0);
	H_EXPECT_NONE(fx);
	return iss;
}

static void
test_accq_full_syn_dropped(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c;
	struct h_peer p1, p2, p3;

	l = relisten(fx, 2);
	assert_int_equal(l->lq->backlog, 2);
	h_peer_init(&p1, 80, 50001, PISS, 8192);
	h_peer_init(&p2, 80, 50002, PISS, 8192);
	h_peer_init(&p3, 80, 50003, PISS, 8192);
	(void)handshake(fx, &p1, NULL);
	(void)handshake(fx, &p2, NULL);
	assert_int_equal(l->lq->acc_len, 2);
	assert_int_equal(l->lq->syn_len, 0);
	/* tcp_conn_request: accept queue full, the SYN is dropped. */
	SYN_DROPPED(fx, &p3, NULL);
	EXPECT_MIB(fx, LISTEN_OVERFLOWS, 1);
	EXPECT_MIB(fx, LISTEN_DROPS, 1);
	EXPECT_MIB(fx, SYNCOOKIES_SENT, 0);
	EXPECT_MIB(fx, REQQ_FULL_DROP, 0);
	assert_int_equal(NCONNS(fx), 3);
	/* Accepting one makes room. */
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	(void)SYN_IN(fx, &p3, NULL);
	assert_int_equal(l->lq->syn_len, 1);
	EXPECT_MIB(fx, LISTEN_OVERFLOWS, 1);
}

static void
test_accq_full_syn_dropped_even_with_cookies(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p1, p2;

	/* tcp_syncookies = 2 would answer every SYN with a cookie ... */
	fx->cfg.syncookies = 2;
	l = relisten(fx, 1);
	h_peer_init(&p1, 80, 50001, PISS, 8192);
	h_peer_init(&p2, 80, 50002, PISS, 8192);
	(void)handshake(fx, &p1, NULL);
	assert_int_equal(l->lq->acc_len, 1);
	EXPECT_MIB(fx, SYNCOOKIES_SENT, 1);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 1);
	/* ... but not when the accept queue is full. */
	SYN_DROPPED(fx, &p2, NULL);
	EXPECT_MIB(fx, SYNCOOKIES_SENT, 1);
	EXPECT_MIB(fx, LISTEN_OVERFLOWS, 1);
	EXPECT_MIB(fx, LISTEN_DROPS, 1);
	assert_int_equal(NCONNS(fx), 2);
}

static void
test_backlog_capped_by_somaxconn(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p[3];
	int i;

	fx->cfg.somaxconn = 2;
	l = relisten(fx, 100);
	assert_int_equal(l->lq->backlog, 2);
	for (i = 0; i < 3; i++)
		h_peer_init(&p[i], 80, (uint16_t)(50001 + i), PISS, 8192);
	(void)handshake(fx, &p[0], NULL);
	(void)handshake(fx, &p[1], NULL);
	SYN_DROPPED(fx, &p[2], NULL);
	EXPECT_MIB(fx, LISTEN_OVERFLOWS, 1);
	EXPECT_MIB(fx, LISTEN_DROPS, 1);
	assert_int_equal(l->lq->acc_len, 2);
}

static void
test_backlog_zero_means_one(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p1, p2;

	l = relisten(fx, 0);
	assert_int_equal(l->lq->backlog, 1);
	h_peer_init(&p1, 80, 50001, PISS, 8192);
	h_peer_init(&p2, 80, 50002, PISS, 8192);
	(void)handshake(fx, &p1, NULL);
	assert_int_equal(l->lq->acc_len, 1);
	SYN_DROPPED(fx, &p2, NULL);
	EXPECT_MIB(fx, LISTEN_OVERFLOWS, 1);
}

/*
 * Two SYNs while the accept queue (1) is empty; the first handshake fills
 * it, so the second's final ACK meets a full accept queue.
 */
static void
overflow_setup(struct h_fx *fx, struct tcpe_conn **l, struct h_peer *p1,
    struct h_peer *p2, uint32_t *iss2, tcpe_time_t *t2)
{
	*l = relisten(fx, 1);
	h_peer_init(p1, 80, 50001, PISS, 8192);
	h_peer_init(p2, 80, 50002, PISS - 7777, 8192);
	(void)SYN_IN(fx, p1, NULL);
	*t2 = fx->now;
	*iss2 = SYN_IN(fx, p2, NULL);
	assert_int_equal((*l)->lq->syn_len, 2);
	h_peer_send(fx, p1, A, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal((*l)->lq->acc_len, 1);
	assert_int_equal((*l)->lq->syn_len, 1);
	EXPECT_EVS(fx, *l, TCPE_EV_ACCEPT);
}

static void
test_overflow_final_ack_ignored(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c1, *c2;
	struct h_peer p1, p2;
	uint32_t iss2;
	tcpe_time_t t2, t;

	assert_int_equal(fx->cfg.abort_on_overflow, 0);
	overflow_setup(fx, &l, &p1, &p2, &iss2, &t2);
	c2 = child_of(l, &p2);
	assert_non_null(c2);
	/* The final ACK of p2: ignored, counted, nothing sent. */
	fx->now = t2 + TCPE_MS(100);
	h_tx(fx, &p2, A, p2.nxt, iss2 + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c2, SYN_RECEIVED);
	assert_int_equal(l->lq->syn_len, 1);
	assert_int_equal(l->lq->acc_len, 1);
	EXPECT_MIB(fx, LISTEN_OVERFLOWS, 1);
	EXPECT_MIB(fx, LISTEN_DROPS, 1);
	EXPECT_MIB(fx, EMBRYONIC_RSTS, 0);
	EXPECT_MIB(fx, PASSIVE_OPENS, 1);
	EXPECT_EVS(fx, l, 0);
	/* Its SYN-ACK is sent again when its RTO fires, 1 s after it. */
	t = h_fire(fx, t2, TCPE_S(1));
	H_EXPECT_ONLY(fx, &p2, SA, iss2, p2.nxt);
	H_EXPECT_OPTS(fx, 0, O_MSS, MSS, H_ANY);
	EXPECT_STATE(fx, c2, SYN_RECEIVED);
	/* Still full: the answer to it is ignored too. */
	fx->now = t + TCPE_MS(10);
	h_tx(fx, &p2, A, p2.nxt, iss2 + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, LISTEN_OVERFLOWS, 2);
	EXPECT_MIB(fx, LISTEN_DROPS, 2);
	/* The application accepts the first: the peer's next ACK completes. */
	c1 = tcpe_stack_accept(l);
	assert_non_null(c1);
	assert_true(tcpe_tuple_eq(&c1->node.key, &p1.t));
	h_tx(fx, &p2, A, p2.nxt, iss2 + 1, 4000, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c2, ESTABLISHED);
	assert_int_equal(l->lq->syn_len, 0);
	assert_int_equal(l->lq->acc_len, 1);
	EXPECT_EVS(fx, l, TCPE_EV_ACCEPT);
	EXPECT_MIB(fx, PASSIVE_OPENS, 2);
	EXPECT_MIB(fx, LISTEN_OVERFLOWS, 2);
	assert_ptr_equal(tcpe_stack_accept(l), c2);
	EXPECT_EVS(fx, c2, TCPE_EV_CONNECTED);
	assert_int_equal(c2->snd_wnd, 4000);
	assert_int_equal(c2->snd_una, iss2 + 1);
	assert_int_equal(tcpe_conn_deadline(c2), TCPE_TIME_NEVER);
}

static void
test_overflow_final_ack_abort(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p1, p2;
	uint32_t iss2;
	tcpe_time_t t2;
	uint64_t rsts;

	fx->cfg.abort_on_overflow = 1;
	overflow_setup(fx, &l, &p1, &p2, &iss2, &t2);
	rsts = MIB(fx, OUT_RSTS);
	/* tcp_check_req, embryonic_reset: <SEQ=SEG.ACK><CTL=RST>. */
	fx->now = t2 + TCPE_MS(100);
	h_tx(fx, &p2, A, p2.nxt, iss2 + 1, 8192, 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p2, R, iss2 + 1, 0);
	H_EXPECT_LEN(fx, 0, 0);
	H_EXPECT_OPTS(fx, 0, 0, H_ANY, H_ANY);
	EXPECT_MIB(fx, OUT_RSTS, rsts + 1);
	EXPECT_MIB(fx, LISTEN_OVERFLOWS, 1);
	EXPECT_MIB(fx, LISTEN_DROPS, 1);
	EXPECT_MIB(fx, EMBRYONIC_RSTS, 1);
	EXPECT_MIB(fx, PASSIVE_OPENS, 1);
	/* The child is gone: the listener and the first child remain. */
	assert_null(child_of(l, &p2));
	assert_int_equal(l->lq->syn_len, 0);
	assert_int_equal(l->lq->acc_len, 1);
	assert_int_equal(NCONNS(fx), 2);
	assert_int_equal(NSTATE(fx, SYN_RECEIVED), 0);
	EXPECT_EVS(fx, l, 0);
	/* No timer of it is left: nothing is ever sent again. */
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
	/* The peer's next ACK meets the listener: a plain RST. */
	h_tx(fx, &p2, A, p2.nxt, iss2 + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p2, R, iss2 + 1, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 0);
	EXPECT_MIB(fx, EMBRYONIC_RSTS, 1);
}

static void
test_listener_close_resets_both_queues(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p1, p2;
	uint32_t iss1, iss2, i;

	l = relisten(fx, 8);
	h_peer_init(&p1, 80, 50001, PISS, 8192);
	h_peer_init(&p2, 80, 50002, PISS - 100000, 8192);
	/* p1: established, unaccepted, with 100 unread bytes. */
	iss1 = SYN_IN(fx, &p1, NULL);
	h_peer_send(fx, &p1, PA, 100);
	H_EXPECT_ONLY(fx, &p1, A, iss1 + 1, PISS + 101);
	/* p2: half-open. */
	iss2 = SYN_IN(fx, &p2, NULL);
	assert_int_equal(l->lq->acc_len, 1);
	assert_int_equal(l->lq->syn_len, 1);
	assert_int_equal(NCONNS(fx), 3);
	h_close(fx, l);
	/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> for each. */
	H_EXPECT_N(fx, 2);
	i = SEG_TO(fx, &p1);
	H_EXPECT_RST(fx, i, &p1, iss1 + 1, PISS + 101);
	H_EXPECT(fx, i, &p1, RA, iss1 + 1, PISS + 101);
	i = SEG_TO(fx, &p2);
	H_EXPECT_RST(fx, i, &p2, iss2 + 1, p2.iss + 1);
	H_EXPECT(fx, i, &p2, RA, iss2 + 1, p2.iss + 1);
	assert_int_equal(NCONNS(fx), 0);
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
	/* The port is free again; nothing answers there but RSTs. */
	h_tx(fx, &p1, A, PISS + 101, iss1 + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p1, R, iss1 + 1, 0);
}

/* ------------------------------------------------------------------------
 * 2. SYN cookies.
 * ------------------------------------------------------------------------ */

static void
test_cookie_only_when_synq_full(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p1, p2;
	struct tcpe_opts o = mkopts(1460, -1, false, false, 0, 0);
	uint32_t seq1, cookie;
	uint16_t wnd1, enc;

	assert_int_equal(fx->cfg.syncookies, 1);
	fx->cfg.max_syn_backlog = 1;
	l = relisten(fx, 8);
	h_peer_init(&p1, 80, 50001, PISS, 8192);
	h_peer_init(&p2, 80, 50002, PISS - 5000, 8192);
	/* Room in the SYN queue: an ordinary SYN-ACK, ISS from RFC 6528. */
	seq1 = SYN_IN(fx, &p1, &o);
	assert_int_equal(seq1, tcpe_stack_isn(fx->s, &p1.t, fx->now));
	wnd1 = fx->out.segs[0].wnd;
	assert_int_equal(wnd1, syn_wnd(&fx->cfg));
	EXPECT_MIB(fx, SYNCOOKIES_SENT, 0);
	assert_int_equal(l->lq->syn_len, 1);
	/* SYN queue full: a cookie, and no TCB. */
	cookie = cookie_for(fx, &p2, p2.iss, 1460, &enc);
	(void)SYN_IN(fx, &p2, &o);
	H_EXPECT(fx, 0, &p2, SA, cookie, p2.iss + 1);
	H_EXPECT_WND(fx, 0, wnd1);
	H_EXPECT_OPTS(fx, 0, O_MSS, MSS, H_ANY);
	assert_int_equal(enc, 1460);
	EXPECT_MIB(fx, SYNCOOKIES_SENT, 1);
	EXPECT_MIB(fx, REQQ_FULL_DO_COOKIES, 1);
	EXPECT_MIB(fx, REQQ_FULL_DROP, 0);
	EXPECT_MIB(fx, LISTEN_DROPS, 0);
	assert_int_equal(l->lq->syn_len, 1);
	assert_int_equal(NCONNS(fx), 2);
	assert_null(child_of(l, &p2));
	/* Its ACK makes an established child at once. */
	h_peer_send(fx, &p2, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 1);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 0);
	assert_int_equal(l->lq->acc_len, 1);
	assert_int_equal(l->lq->syn_len, 1);
	assert_non_null(child_of(l, &p2));
}

static void
test_cookie_always_mode_2(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1460, 7, true, false, 0, 0);
	uint32_t cookie;

	fx->cfg.syncookies = 2;
	l = relisten(fx, 8);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	cookie = cookie_for(fx, &p, PISS, 1460, NULL);
	(void)SYN_IN(fx, &p, &o);
	H_EXPECT(fx, 0, &p, SA, cookie, PISS + 1);
	H_EXPECT_WND(fx, 0, syn_wnd(&fx->cfg));
	/* No TS in the SYN: MSS only, no WS, no SACK-permitted (Linux). */
	H_EXPECT_OPTS(fx, 0, O_MSS, MSS, H_ANY);
	EXPECT_MIB(fx, SYNCOOKIES_SENT, 1);
	/* Counted for every cookie, full queue or not (tcp_syn_flood_action). */
	EXPECT_MIB(fx, REQQ_FULL_DO_COOKIES, 1);
	assert_int_equal(l->lq->syn_len, 0);
	assert_int_equal(NCONNS(fx), 1);
}

static void
test_cookie_synack_with_ts(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1400, 7, true, true, 123456, 0);
	const struct tcpe_oseg *sa;
	uint32_t cookie, tsval;

	fx->cfg.syncookies = 2;
	l = relisten(fx, 8);
	fx->now += TCPE_MS(777);	/* a clock not on a 64 ms boundary */
	h_peer_init(&p, 80, 50001, PISS, 8192);
	cookie = cookie_for(fx, &p, PISS, 1400, NULL);
	tsval = tcpe_cookie_ts_encode(ts_now(fx, &p.t), 7, true);
	(void)SYN_IN(fx, &p, &o);
	sa = &fx->out.segs[0];
	H_EXPECT(fx, 0, &p, SA, cookie, PISS + 1);
	H_EXPECT_WND(fx, 0, syn_wnd(&fx->cfg));
	/* Our MSS, TS, our WS, SACK-permitted. */
	H_EXPECT_OPTS(fx, 0, O_ALL, MSS, our_ws(&fx->cfg));
	H_EXPECT_TS(fx, 0, tsval, 123456);
	/* Low 6 bits of the TSval: WS 7, SACK bit, no ECN. */
	EXPECT_U32(fx, "TSval & 63", sa->opts.tsval & 63, 7 | 0x10);
	H_CHECK(fx, (uint32_t)(ts_now(fx, &p.t) - sa->opts.tsval) < 64,
	    "cookie TSval %u not within 64 ms behind the clock %u",
	    sa->opts.tsval, ts_now(fx, &p.t));
	EXPECT_MIB(fx, SYNCOOKIES_SENT, 1);
	assert_int_equal(NCONNS(fx), 1);
	(void)l;
}

static void
test_cookie_synack_without_ts(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1400, 7, true, false, 0, 0);

	fx->cfg.syncookies = 2;
	(void)relisten(fx, 8);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	(void)SYN_IN(fx, &p, &o);
	H_EXPECT(fx, 0, &p, SA, cookie_for(fx, &p, PISS, 1400, NULL),
	    PISS + 1);
	H_EXPECT_OPTS(fx, 0, O_MSS, MSS, H_ANY);
	/* No option at all in the SYN: still our MSS. */
	h_peer_init(&p, 80, 50002, PISS, 8192);
	(void)SYN_IN(fx, &p, NULL);
	H_EXPECT(fx, 0, &p, SA, cookie_for(fx, &p, PISS, 0, NULL), PISS + 1);
	H_EXPECT_OPTS(fx, 0, O_MSS, MSS, H_ANY);
	EXPECT_MIB(fx, SYNCOOKIES_SENT, 2);
}

static void
test_cookie_synack_knobs(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1460, 5, true, true, 999, 0);

	h_peer_init(&p, 80, 50001, PISS, 8192);
	fx->cfg.syncookies = 2;
	/* tcp_window_scaling = 0: no WS option, 0xf in the TSval. */
	fx->cfg.window_scaling = 0;
	(void)relisten(fx, 8);
	(void)SYN_IN(fx, &p, &o);
	H_EXPECT_OPTS(fx, 0, O_MSS | O_SACKOK | O_TS, MSS, H_ANY);
	H_EXPECT_TS(fx, 0, tcpe_cookie_ts_encode(ts_now(fx, &p.t), -1, true),
	    999);
	EXPECT_U32(fx, "TSval & 63", fx->out.segs[0].opts.tsval & 63,
	    0xf | 0x10);
	/* tcp_sack = 0: no SACK-permitted, bit 4 clear. */
	fx->cfg.window_scaling = 1;
	fx->cfg.sack = 0;
	(void)relisten(fx, 8);
	(void)SYN_IN(fx, &p, &o);
	H_EXPECT_OPTS(fx, 0, O_MSS | O_WS | O_TS, MSS, our_ws(&fx->cfg));
	H_EXPECT_TS(fx, 0, tcpe_cookie_ts_encode(ts_now(fx, &p.t), 5, false),
	    999);
	EXPECT_U32(fx, "TSval & 63", fx->out.segs[0].opts.tsval & 63, 5);
	/*
	 * tcp_timestamps = 0: the TS is not seen, so nothing else can be
	 * remembered: MSS only (Linux tcp_parse_options ignores the TS
	 * option of a SYN then, and tcp_conn_request clears the options of
	 * a cookie SYN without one).
	 */
	fx->cfg.sack = 1;
	fx->cfg.timestamps = 0;
	(void)relisten(fx, 8);
	(void)SYN_IN(fx, &p, &o);
	H_EXPECT_OPTS(fx, 0, O_MSS, MSS, H_ANY);
}

/* A cookie handshake for p (SYN options o), ACK without options. */
static uint32_t
cookie_open(struct h_fx *fx, struct h_peer *p, const struct tcpe_opts *o)
{
	uint32_t cookie = SYN_IN(fx, p, o);

	h_peer_send(fx, p, A, 0);
	H_EXPECT_NONE(fx);
	return cookie;
}

static void
test_cookie_mss_table(void **state)
{
	static const struct {
		int peer;
		uint16_t want;
	} cases[] = {
		{ 0, 536 }, { 100, 536 }, { 535, 536 }, { 536, 536 },
		{ 1299, 536 }, { 1300, 1300 }, { 1400, 1300 },
		{ 1439, 1300 }, { 1440, 1440 }, { 1459, 1440 },
		{ 1460, 1460 }, { 9000, 1460 },
	};
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c;
	struct tcpe_opts o;
	struct h_peer p;
	uint16_t enc;
	size_t i;

	fx->cfg.syncookies = 2;
	l = relisten(fx, 64);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = mkopts(cases[i].peer, -1, false, false, 0, 0);
		h_peer_init(&p, 80, (uint16_t)(50000 + i), PISS, 8192);
		(void)cookie_for(fx, &p, PISS, (uint16_t)cases[i].peer, &enc);
		assert_int_equal(enc, cases[i].want);
		(void)cookie_open(fx, &p, &o);
		c = tcpe_stack_accept(l);
		H_CHECK(fx, c != NULL, "peer MSS %d: no child", cases[i].peer);
		H_CHECK(fx, c->mss == cases[i].want, "peer MSS %d: child MSS "
		    "%u, expected %u", cases[i].peer, c->mss, cases[i].want);
		H_CHECK(fx, c->rcv_mss == MSS, "rcv_mss %u", c->rcv_mss);
		h_close(fx, c);
	}
	EXPECT_MIB(fx, SYNCOOKIES_RECV, sizeof(cases) / sizeof(cases[0]));
}

static void
test_cookie_never_retransmitted(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	tcpe_time_t t0;
	int i;

	fx->cfg.syncookies = 2;
	(void)relisten(fx, 8);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	(void)SYN_IN(fx, &p, NULL);
	t0 = fx->now;
	/* No TCB, so no timer. */
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
	assert_int_equal(NCONNS(fx), 1);
	for (i = 0; i <= 8; i++) {
		h_expire(fx, t0 + TCPE_S(1) * ((1u << i) - 1) + TCPE_MS(1));
		H_EXPECT_NONE(fx);
	}
	h_expire(fx, t0 + TCPE_S(3600));
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, RETRANS_SEGS, 0);
	EXPECT_MIB(fx, SYNCOOKIES_SENT, 1);
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
}

static void
test_cookie_ack_full_options(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1400, 7, true, true, 5000, 0);
	struct tcpe_opts ack;
	uint32_t cookie, sa_ts, i;

	fx->cfg.syncookies = 2;
	fx->cfg.wmem[0] = fx->cfg.wmem[1] = fx->cfg.wmem[2] = 65536;
	l = relisten(fx, 8);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	cookie = SYN_IN(fx, &p, &o);
	sa_ts = fx->out.segs[0].opts.tsval;
	/* The ACK, 20 ms later, echoes the cookie TSval; window 100 << 7. */
	fx->now += TCPE_MS(20);
	ack = tsopt(5020, sa_ts);
	h_tx_opts(fx, &p, A, PISS + 1, cookie + 1, 100, 0, &ack);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 1);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 0);
	EXPECT_MIB(fx, PASSIVE_OPENS, 1);
	assert_int_equal(l->lq->acc_len, 1);
	assert_int_equal(l->lq->syn_len, 0);
	EXPECT_EVS(fx, l, TCPE_EV_ACCEPT);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	EXPECT_STATE(fx, c, ESTABLISHED);
	EXPECT_EVS(fx, c, TCPE_EV_CONNECTED);
	assert_true(tcpe_tuple_eq(&c->node.key, &p.t));
	assert_true(c->flags & TCPE_CF_PASSIVE);
	EXPECT_U32(fx, "iss", c->iss, cookie);
	EXPECT_U32(fx, "irs", c->irs, PISS);
	EXPECT_U32(fx, "snd_una", c->snd_una, cookie + 1);
	EXPECT_U32(fx, "snd_nxt", c->snd_nxt, cookie + 1);
	EXPECT_U32(fx, "rcv_nxt", c->rcv_nxt, PISS + 1);
	/* Recovered from the TSecr: WS 7, SACK; TS itself. */
	EXPECT_NEG(fx, c, TCPE_CF_WSCALE | TCPE_CF_SACK | TCPE_CF_TS);
	EXPECT_U32(fx, "snd_wscale", c->snd_wscale, 7);
	EXPECT_U32(fx, "rcv_wscale", c->rcv_wscale, our_ws(&fx->cfg));
	EXPECT_U32(fx, "snd_wnd", c->snd_wnd, 100u << 7);
	EXPECT_U32(fx, "ts_recent", c->ts_recent, 5020);
	assert_int_equal(tcpe_conn_deadline(c), TCPE_TIME_NEVER);
	/* MSS 1400 was encoded as 1300; TS takes 12 bytes of it. */
	p.ack = cookie + 1;
	p.our_base = cookie + 1;
	p.nxt = PISS + 1;
	fx->now += TCPE_MS(5);
	assert_int_equal(h_send(fx, c, &p, 3000), 3000);
	H_EXPECT_N(fx, 3);
	for (i = 0; i < 3; i++) {
		H_EXPECT(fx, i, &p, A, cookie + 1 + i * (1300 - TSLEN),
		    PISS + 1);
		H_EXPECT_STREAM(fx, i, &p, i < 2 ? 1300 - TSLEN :
		    3000 - 2 * (1300 - TSLEN));
		H_EXPECT_OPTS(fx, i, O_TS, H_ANY, H_ANY);
		H_EXPECT_TS(fx, i, ts_now(fx, &p.t), 5020);
		H_EXPECT_WND(fx, i, (uint16_t)(fx->cfg.rmem[1] >>
		    our_ws(&fx->cfg)));
	}
}

static void
test_cookie_ack_without_ts(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1400, 7, true, false, 0, 0);
	uint32_t cookie;

	fx->cfg.syncookies = 2;
	l = relisten(fx, 8);
	h_peer_init(&p, 80, 50001, PISS, 3000);
	cookie = cookie_open(fx, &p, &o);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	EXPECT_STATE(fx, c, ESTABLISHED);
	EXPECT_U32(fx, "iss", c->iss, cookie);
	EXPECT_U32(fx, "mss", c->mss, 1300);
	/* Without timestamps, neither WS nor SACK could be remembered. */
	EXPECT_NEG(fx, c, 0);
	EXPECT_U32(fx, "snd_wscale", c->snd_wscale, 0);
	EXPECT_U32(fx, "rcv_wscale", c->rcv_wscale, 0);
	EXPECT_U32(fx, "snd_wnd", c->snd_wnd, 3000);
	/* Segments of 1300, no options, an unscaled window field. */
	assert_int_equal(h_send(fx, c, &p, 2000), 2000);
	H_EXPECT_N(fx, 2);
	H_EXPECT(fx, 0, &p, A, cookie + 1, PISS + 1);
	H_EXPECT_STREAM(fx, 0, &p, 1300);
	H_EXPECT_OPTS(fx, 0, 0, H_ANY, H_ANY);
	H_EXPECT_WND(fx, 0, syn_wnd(&fx->cfg));
	H_EXPECT(fx, 1, &p, A, cookie + 1301, PISS + 1);
	H_EXPECT_STREAM(fx, 1, &p, 700);
	H_EXPECT_OPTS(fx, 1, 0, H_ANY, H_ANY);
}

static void
test_cookie_ack_with_data(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c;
	struct h_peer p;
	uint32_t cookie;

	fx->cfg.syncookies = 2;
	l = relisten(fx, 8);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	cookie = SYN_IN(fx, &p, NULL);
	/* The third segment carries 100 bytes: taken and acknowledged. */
	h_peer_send(fx, &p, PA, 100);
	H_EXPECT_ONLY(fx, &p, A, cookie + 1, PISS + 101);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 1);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	EXPECT_EVS(fx, c, TCPE_EV_CONNECTED | TCPE_EV_READABLE);
	assert_int_equal(h_recv(fx, c, &p, NULL), 100);
	/* And a FIN on it: CLOSE_WAIT at once. */
	h_peer_init(&p, 80, 50002, PISS, 8192);
	cookie = SYN_IN(fx, &p, NULL);
	h_peer_send(fx, &p, FA, 10);
	H_EXPECT_ONLY(fx, &p, A, cookie + 1, PISS + 12);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	EXPECT_STATE(fx, c, CLOSE_WAIT);
	EXPECT_EVS(fx, c, TCPE_EV_CONNECTED | TCPE_EV_READABLE |
	    TCPE_EV_EOF);
	p.app_rcvd = 0;
	assert_int_equal(h_recv(fx, c, &p, NULL), 10);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 2);
}

static void
test_cookie_bad_ack(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p, q;
	struct tcpe_opts o = mkopts(1460, -1, false, false, 0, 0);
	uint32_t cookie;
	uint64_t rsts;

	fx->cfg.syncookies = 2;
	l = relisten(fx, 8);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	/* MSS 1460: the last table entry, so ACK + 1 cannot decode. */
	cookie = SYN_IN(fx, &p, &o);
	rsts = MIB(fx, OUT_RSTS);
	/* ACK one too far. */
	h_tx(fx, &p, A, PISS + 1, cookie + 2, 8192, 0);
	H_EXPECT_ONLY(fx, &p, R, cookie + 2, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 1);
	/* The right ACK but another peer ISN. */
	h_tx(fx, &p, A, PISS + 2, cookie + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p, R, cookie + 1, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 2);
	/* Another minute count in the top byte. */
	h_tx(fx, &p, A, PISS + 1, cookie + 1 + (1u << 24), 8192, 0);
	H_EXPECT_ONLY(fx, &p, R, cookie + 1 + (1u << 24), 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 3);
	/* The cookie of p from another 4-tuple. */
	h_peer_init(&q, 80, 50002, PISS, 8192);
	h_tx(fx, &q, A, PISS + 1, cookie + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &q, R, cookie + 1, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 4);
	EXPECT_MIB(fx, OUT_RSTS, rsts + 4);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 0);
	EXPECT_MIB(fx, PASSIVE_OPENS, 0);
	assert_int_equal(NCONNS(fx), 1);
	assert_int_equal(l->lq->acc_len, 0);
	/* The genuine ACK still works. */
	h_tx(fx, &p, A, PISS + 1, cookie + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 1);
	assert_int_equal(l->lq->acc_len, 1);
}

static void
test_cookie_expiry(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p[4], q;
	uint32_t cookie[4];
	tcpe_time_t t0, m;
	int i;

	fx->cfg.syncookies = 2;
	l = relisten(fx, 8);
	/* Make the cookies 10 s into a minute of the shard's clock. */
	m = fx->now / TCPE_COOKIE_PERIOD + 1;
	t0 = m * TCPE_COOKIE_PERIOD + TCPE_S(10);
	h_expire(fx, t0);
	for (i = 0; i < 4; i++) {
		h_peer_init(&p[i], 80, (uint16_t)(50001 + i), PISS, 8192);
		cookie[i] = SYN_IN(fx, &p[i], NULL);
	}
	/* 59 s later, same minute + 1 at most: valid. */
	fx->now = t0 + TCPE_S(59);
	h_tx(fx, &p[0], A, PISS + 1, cookie[0] + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 1);
	/* The last nanosecond of the next minute: still valid. */
	fx->now = (m + 2) * TCPE_COOKIE_PERIOD - 1;
	h_tx(fx, &p[1], A, PISS + 1, cookie[1] + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 2);
	/* The minute after that: expired. */
	fx->now = (m + 2) * TCPE_COOKIE_PERIOD;
	h_tx(fx, &p[2], A, PISS + 1, cookie[2] + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p[2], R, cookie[2] + 1, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 1);
	/*
	 * Three minutes later; another SYN at +150 s keeps the listener's
	 * cookies recent, so this ACK is checked as a cookie whatever the
	 * mode (see test_cookie_mode_2_needs_recent_cookie).
	 */
	fx->now = t0 + TCPE_S(150);
	h_peer_init(&q, 80, 50100, PISS, 8192);
	(void)SYN_IN(fx, &q, NULL);
	fx->now = t0 + TCPE_S(180);
	h_tx(fx, &p[3], A, PISS + 1, cookie[3] + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p[3], R, cookie[3] + 1, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 2);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 2);
	assert_int_equal(l->lq->acc_len, 2);
}

static void
test_cookie_mode_1_needs_recent_cookie(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer a, b, c, d;
	uint32_t cb, cc, cd;
	tcpe_time_t t0;

	/* A SYN queue of 1 kept full by a slow half-open child. */
	fx->cfg.max_syn_backlog = 1;
	fx->cfg.synack_retries = 10;
	l = relisten(fx, 8);
	t0 = fx->now;
	h_peer_init(&a, 80, 50001, PISS, 8192);
	h_peer_init(&b, 80, 50002, PISS, 8192);
	h_peer_init(&c, 80, 50003, PISS, 8192);
	h_peer_init(&d, 80, 50004, PISS, 8192);
	(void)SYN_IN(fx, &a, NULL);
	cb = SYN_IN(fx, &b, NULL);
	assert_int_equal(cb, cookie_for(fx, &b, PISS, 0, NULL));
	cd = SYN_IN(fx, &d, NULL);
	EXPECT_MIB(fx, SYNCOOKIES_SENT, 2);
	/* Another cookie 150 s later keeps the listener's cookies "recent". */
	fx->now = t0 + TCPE_S(150);
	cc = SYN_IN(fx, &c, NULL);
	EXPECT_MIB(fx, SYNCOOKIES_SENT, 3);
	/* b's cookie is 3 minutes old: checked, and failed. */
	fx->now = t0 + TCPE_S(180);
	h_tx(fx, &b, A, PISS + 1, cb + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &b, R, cb + 1, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 1);
	/* c's is fresh. */
	h_tx(fx, &c, A, PISS + 1, cc + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 1);
	assert_int_equal(l->lq->acc_len, 1);
	/*
	 * Nothing sent for more than 2 minutes: an ACK is not taken for a
	 * cookie at all, so d's gets a plain RST and no cookie counter.
	 */
	fx->now = t0 + TCPE_S(150) + TCPE_S(180);
	h_tx(fx, &d, A, PISS + 1, cd + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &d, R, cd + 1, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 1);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 1);
}

/*
 * Mode 2 too checks an ACK as a cookie only when the listener sent a
 * cookie in the last 2 minutes (Linux cookie_tcp_check():
 * tcp_synq_no_recent_overflow() in every mode): otherwise a plain RST, no
 * cookie counter.
 */
static void
test_cookie_mode_2_needs_recent_cookie(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p, q;
	uint32_t cookie, cq;

	fx->cfg.syncookies = 2;
	(void)relisten(fx, 8);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	h_peer_init(&q, 80, 50002, PISS, 8192);
	cookie = SYN_IN(fx, &p, NULL);
	cq = SYN_IN(fx, &q, NULL);
	fx->now += TCPE_S(180);
	h_tx(fx, &p, A, PISS + 1, cookie + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p, R, cookie + 1, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 0);
	/* A new cookie SYN-ACK (to p again) makes the ACKs checked again. */
	cookie = SYN_IN(fx, &p, NULL);
	h_tx(fx, &q, A, PISS + 1, cq + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &q, R, cq + 1, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 1);
	h_tx(fx, &p, A, PISS + 1, cookie + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 1);
	/* A new stack's listener that never sent one: not checked. */
	(void)relisten(fx, 8);
	h_tx(fx, &q, A, PISS + 1, cq + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &q, R, cq + 1, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 0);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 0);
}

static void
test_cookie_ack_when_cookies_off(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p, q;
	uint32_t cookie;
	uint64_t secret0 = fx->s->secret[0];

	/* A valid cookie, made by a stack with tcp_syncookies = 2 ... */
	fx->cfg.syncookies = 2;
	(void)relisten(fx, 8);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	cookie = SYN_IN(fx, &p, NULL);
	/* ... presented to one with cookies off: a plain RST. */
	fx->cfg.syncookies = 0;
	l = relisten(fx, 8);
	assert_true(fx->s->secret[0] == secret0);
	h_tx(fx, &p, A, PISS + 1, cookie + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p, R, cookie + 1, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 0);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 0);
	assert_int_equal(l->lq->acc_len, 0);
	assert_int_equal(NCONNS(fx), 1);
	/* ... to one with cookies on demand that sent none: the same. */
	fx->cfg.syncookies = 1;
	l = relisten(fx, 8);
	h_tx(fx, &p, A, PISS + 1, cookie + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p, R, cookie + 1, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 0);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 0);
	assert_int_equal(l->lq->acc_len, 0);
	/* An arbitrary ACK as well. */
	h_tx(fx, &p, PA, 1234, 98765, 8192, 10);
	H_EXPECT_ONLY(fx, &p, R, 98765, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 0);
	/*
	 * The cookie was valid: a listener with tcp_syncookies = 2 that has
	 * just sent a cookie (to q) takes it.
	 */
	fx->cfg.syncookies = 2;
	l = relisten(fx, 8);
	h_peer_init(&q, 80, 50002, PISS, 8192);
	(void)SYN_IN(fx, &q, NULL);
	h_tx(fx, &p, A, PISS + 1, cookie + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, SYNCOOKIES_RECV, 1);
	assert_int_equal(l->lq->acc_len, 1);
}

/* Accept queue of 1 filled by a cookie child; b holds a valid cookie. */
static void
cookie_overflow_setup(struct h_fx *fx, struct tcpe_conn **l,
    struct h_peer *a, struct h_peer *b, uint32_t *cb)
{
	fx->cfg.syncookies = 2;
	*l = relisten(fx, 1);
	h_peer_init(a, 80, 50001, PISS, 8192);
	h_peer_init(b, 80, 50002, PISS - 3333, 8192);
	(void)SYN_IN(fx, a, NULL);
	*cb = SYN_IN(fx, b, NULL);
	h_peer_send(fx, a, A, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal((*l)->lq->acc_len, 1);
	EXPECT_EVS(fx, *l, TCPE_EV_ACCEPT);
}

static void
test_cookie_ack_accq_full_dropped(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c;
	struct h_peer a, b;
	uint32_t cb;

	assert_int_equal(fx->cfg.abort_on_overflow, 0);
	cookie_overflow_setup(fx, &l, &a, &b, &cb);
	h_tx(fx, &b, A, b.iss + 1, cb + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, LISTEN_OVERFLOWS, 1);
	EXPECT_MIB(fx, LISTEN_DROPS, 1);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 0);
	EXPECT_MIB(fx, PASSIVE_OPENS, 1);
	assert_int_equal(NCONNS(fx), 2);
	assert_int_equal(l->lq->acc_len, 1);
	EXPECT_EVS(fx, l, 0);
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
	/* Once the application accepted, the peer's next ACK completes. */
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	h_tx(fx, &b, A, b.iss + 1, cb + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(l->lq->acc_len, 1);
	EXPECT_EVS(fx, l, TCPE_EV_ACCEPT);
	EXPECT_MIB(fx, PASSIVE_OPENS, 2);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	assert_true(tcpe_tuple_eq(&c->node.key, &b.t));
	EXPECT_U32(fx, "iss", c->iss, cb);
}

static void
test_cookie_ack_accq_full_abort(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer a, b;
	uint32_t cb;

	/*
	 * tcp_abort_on_overflow = 1 resets a child; a cookie ACK has none:
	 * dropped silently as with 0 (Linux tcp_get_cookie_sock() fails in
	 * syn_recv_sock, tcp_v4_do_rcv discards).
	 */
	fx->cfg.abort_on_overflow = 1;
	cookie_overflow_setup(fx, &l, &a, &b, &cb);
	h_tx(fx, &b, A, b.iss + 1, cb + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, LISTEN_OVERFLOWS, 1);
	EXPECT_MIB(fx, LISTEN_DROPS, 1);
	EXPECT_MIB(fx, EMBRYONIC_RSTS, 0);
	EXPECT_MIB(fx, SYNCOOKIES_FAILED, 0);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	EXPECT_MIB(fx, PASSIVE_OPENS, 1);
	assert_int_equal(NCONNS(fx), 2);
	assert_int_equal(l->lq->acc_len, 1);
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
	EXPECT_EVS(fx, l, 0);
}

/* ------------------------------------------------------------------------
 * 3. Retries and the RST rules of the handshake.
 * ------------------------------------------------------------------------ */

/*
 * tcp_synack_retries = n: the SYN-ACK (with TS, as the SYN had it) is
 * sent again n times, 1, 2, 4 ... s after the previous one, each time with
 * a fresh TSval; at the next expiry the child goes without a word.
 */
static void
synack_retries_case(struct h_fx *fx, uint32_t n)
{
	struct tcpe_conn *l;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1460, 6, true, true, 777, 0);
	tcpe_time_t t, rto = TCPE_S(1);
	uint32_t iss, i;

	fx->cfg.synack_retries = n;
	l = relisten(fx, 8);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	iss = SYN_IN(fx, &p, &o);
	H_EXPECT_OPTS(fx, 0, O_ALL, MSS, our_ws(&fx->cfg));
	H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 777);
	t = fx->now;
	for (i = 0; i < n; i++) {
		t = h_fire(fx, t, rto);
		H_EXPECT_ONLY(fx, &p, SA, iss, PISS + 1);
		H_EXPECT_OPTS(fx, 0, O_ALL, MSS, our_ws(&fx->cfg));
		H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 777);
		H_EXPECT_WND(fx, 0, syn_wnd(&fx->cfg));
		EXPECT_MIB(fx, RETRANS_SEGS, i + 1);
		assert_int_equal(l->lq->syn_len, 1);
		rto *= 2;
	}
	(void)h_fire(fx, t, rto);
	H_EXPECT_NONE(fx);
	assert_int_equal(l->lq->syn_len, 0);
	assert_int_equal(NCONNS(fx), 1);
	assert_int_equal(NSTATE(fx, SYN_RECEIVED), 0);
	EXPECT_MIB(fx, RETRANS_SEGS, n);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	EXPECT_MIB(fx, EMBRYONIC_RSTS, 0);
	EXPECT_MIB(fx, PASSIVE_OPENS, 0);
	EXPECT_EVS(fx, l, 0);
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
	/* The late ACK meets the listener. */
	h_tx(fx, &p, A, PISS + 1, iss + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p, R, iss + 1, 0);
}

static void
test_synack_retries_0(void **state)
{
	synack_retries_case(*state, 0);
}

static void
test_synack_retries_2(void **state)
{
	synack_retries_case(*state, 2);
}

static void
test_synack_retries_default(void **state)
{
	struct h_fx *fx = *state;

	assert_int_equal(fx->cfg.synack_retries, 5);
	synack_retries_case(fx, fx->cfg.synack_retries);
}

/*
 * tcp_syn_retries = n: the SYN goes n more times, then the connect fails
 * with ETIMEDOUT.
 */
static void
syn_retries_case(struct h_fx *fx, uint32_t n)
{
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_view v;
	tcpe_time_t t, rto = TCPE_S(1);
	uint32_t i;

	fx->cfg.syn_retries = n;
	h_fx_restart(fx);
	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	H_EXPECT_OPTS(fx, 0, O_ALL, MSS, our_ws(&fx->cfg));
	H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 0);
	EXPECT_MIB(fx, ACTIVE_OPENS, 1);
	t = fx->now;
	for (i = 0; i < n; i++) {
		t = h_fire(fx, t, rto);
		H_EXPECT_ONLY(fx, &p, SYN, c->iss, 0);
		H_EXPECT_OPTS(fx, 0, O_ALL, MSS, our_ws(&fx->cfg));
		H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 0);
		H_EXPECT_WND(fx, 0, syn_wnd(&fx->cfg));
		EXPECT_STATE(fx, c, SYN_SENT);
		EXPECT_EVS(fx, c, 0);
		rto *= 2;
	}
	EXPECT_MIB(fx, RETRANS_SEGS, n);
	(void)h_fire(fx, t, rto);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, -ETIMEDOUT);
	EXPECT_EVS(fx, c, TCPE_EV_ERROR | TCPE_EV_CLOSED);
	EXPECT_MIB(fx, ATTEMPT_FAILS, 1);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	assert_int_equal(tcpe_conn_recv(c, &v), -ETIMEDOUT);
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_syn_retries_1(void **state)
{
	syn_retries_case(*state, 1);
}

static void
test_syn_retries_3(void **state)
{
	syn_retries_case(*state, 3);
}

static void
test_syn_sent_rst_ack_refused(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	fx->now += TCPE_MS(3);
	h_tx(fx, &p, RA, 0, c->iss + 1, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, -ECONNREFUSED);
	EXPECT_EVS(fx, c, TCPE_EV_ERROR | TCPE_EV_CLOSED);
	EXPECT_MIB(fx, ATTEMPT_FAILS, 1);
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_syn_sent_rst_ignored(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	tcpe_time_t t0;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	t0 = fx->now;
	fx->now += TCPE_MS(10);
	/* RST without ACK. */
	h_tx(fx, &p, R, PISS, 0, 0, 0);
	H_EXPECT_NONE(fx);
	/* RST with an ACK at or below ISS, or beyond SND.NXT. */
	h_tx(fx, &p, RA, PISS, c->iss, 0, 0);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, RA, PISS, c->iss - 1000, 0, 0);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, RA, PISS, c->iss + 2, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, SYN_SENT);
	assert_int_equal(c->err, 0);
	EXPECT_EVS(fx, c, 0);
	EXPECT_MIB(fx, ATTEMPT_FAILS, 0);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	/* The SYN timer runs on, unchanged. */
	(void)h_fire(fx, t0, TCPE_S(1));
	H_EXPECT_ONLY(fx, &p, SYN, c->iss, 0);
	h_close(fx, c);
}

static void
test_syn_sent_bad_ack_gets_rst(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	uint32_t iss;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	iss = c->iss;
	/* SEG.ACK =< ISS or > SND.NXT: <SEQ=SEG.ACK><CTL=RST>, dropped. */
	h_tx(fx, &p, A, PISS, iss, 8192, 0);
	H_EXPECT_ONLY(fx, &p, R, iss, 0);
	H_EXPECT_OPTS(fx, 0, 0, H_ANY, H_ANY);
	h_tx(fx, &p, A, PISS, iss - 5000, 8192, 0);
	H_EXPECT_ONLY(fx, &p, R, iss - 5000, 0);
	h_tx(fx, &p, SA, PISS, iss + 2, 8192, 0);
	H_EXPECT_ONLY(fx, &p, R, iss + 2, 0);
	EXPECT_MIB(fx, OUT_RSTS, 3);
	EXPECT_STATE(fx, c, SYN_SENT);
	EXPECT_EVS(fx, c, 0);
	assert_int_equal(c->err, 0);
	/* The SYN-ACK that acknowledges the SYN still opens. */
	h_tx(fx, &p, SA, PISS, iss + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p, A, iss + 1, PISS + 1);
	EXPECT_STATE(fx, c, ESTABLISHED);
	EXPECT_EVS(fx, c, TCPE_EV_CONNECTED);
	h_close(fx, c);
}

static void
test_syn_received_rst_frees_child(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p;

	l = relisten(fx, 8);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	(void)SYN_IN(fx, &p, NULL);
	assert_int_equal(NCONNS(fx), 2);
	/* RST at RCV.NXT: the child goes; nobody is told. */
	h_tx(fx, &p, R, PISS + 1, 0, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, EMBRYONIC_RSTS, 1);
	assert_int_equal(NCONNS(fx), 1);
	assert_int_equal(l->lq->syn_len, 0);
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
	EXPECT_EVS(fx, l, 0);
	assert_null(tcpe_stack_accept(l));
	/* RST with ACK at RCV.NXT: the same. */
	h_peer_init(&p, 80, 50002, PISS, 8192);
	(void)SYN_IN(fx, &p, NULL);
	h_tx(fx, &p, RA, PISS + 1, p.ack, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, EMBRYONIC_RSTS, 2);
	assert_int_equal(NCONNS(fx), 1);
	EXPECT_MIB(fx, OUT_RSTS, 0);
}

static void
test_syn_received_rst_not_exact(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c;
	struct h_peer p;
	uint32_t iss, wnd;

	l = relisten(fx, 8);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	iss = SYN_IN(fx, &p, NULL);
	wnd = fx->out.segs[0].wnd;
	c = child_of(l, &p);
	assert_non_null(c);
	/* In the window, not RCV.NXT: a challenge ACK (RFC 5961 3.2). */
	h_tx(fx, &p, R, PISS + 2, 0, 0, 0);
	H_EXPECT_ONLY(fx, &p, A, iss + 1, PISS + 1);
	EXPECT_MIB(fx, CHALLENGE_ACK, 1);
	h_tx(fx, &p, R, PISS + wnd, 0, 0, 0);
	H_EXPECT_ONLY(fx, &p, A, iss + 1, PISS + 1);
	EXPECT_MIB(fx, CHALLENGE_ACK, 2);
	/* Outside the window: dropped in silence. */
	h_tx(fx, &p, R, PISS, 0, 0, 0);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, R, PISS + 1 + wnd, 0, 0, 0);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, RA, PISS - 100000, iss + 1, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, CHALLENGE_ACK, 2);
	EXPECT_MIB(fx, EMBRYONIC_RSTS, 0);
	EXPECT_STATE(fx, c, SYN_RECEIVED);
	assert_int_equal(l->lq->syn_len, 1);
	/* The handshake still completes. */
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, ESTABLISHED);
}

static void
test_established_rst_not_exact_ts(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1460, 2, true, true, 40, 0);
	struct tcpe_opts ts;

	/* Active open with timestamps. */
	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	o.tsecr = fx->out.segs[0].opts.tsval;
	h_tx_opts(fx, &p, SA, PISS, p.ack, 8192, 0, &o);
	H_EXPECT_ONLY(fx, &p, A, p.ack, PISS + 1);
	H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 40);
	p.nxt = PISS + 1;
	EXPECT_STATE(fx, c, ESTABLISHED);
	(void)h_events(fx, c);
	fx->now += TCPE_MS(50);
	ts = tsopt(90, 0);
	/* An RST in the window, off RCV.NXT: challenge ACK, with TS. */
	h_tx_opts(fx, &p, R, PISS + 10, 0, 0, 0, &ts);
	H_EXPECT_ONLY(fx, &p, A, p.ack, PISS + 1);
	H_EXPECT_OPTS(fx, 0, O_TS, H_ANY, H_ANY);
	H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 40);
	EXPECT_MIB(fx, CHALLENGE_ACK, 1);
	EXPECT_STATE(fx, c, ESTABLISHED);
	/* Exactly RCV.NXT: reset. */
	h_tx_opts(fx, &p, R, PISS + 1, 0, 0, 0, &ts);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, -ECONNRESET);
	EXPECT_EVS(fx, c, TCPE_EV_ERROR | TCPE_EV_CLOSED);
	h_close(fx, c);
}

/* ------------------------------------------------------------------------
 * 4. Options.
 * ------------------------------------------------------------------------ */

/* Connect with fx->cfg; our SYN must carry exactly want. */
static void
syn_opts_case(struct h_fx *fx, uint32_t ws, uint32_t sack, uint32_t ts,
    uint8_t want)
{
	struct tcpe_conn *c;
	struct h_peer p;

	fx->cfg.window_scaling = ws;
	fx->cfg.sack = sack;
	fx->cfg.timestamps = ts;
	h_fx_restart(fx);
	fx->now += TCPE_MS(123);
	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	H_EXPECT_OPTS(fx, 0, want, MSS, our_ws(&fx->cfg));
	H_EXPECT_WND(fx, 0, syn_wnd(&fx->cfg));
	if (want & O_TS)
		H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 0);
	EXPECT_U32(fx, "rcv_wscale", c->rcv_wscale, our_ws(&fx->cfg));
	h_close(fx, c);
}

static void
test_syn_options_per_knob(void **state)
{
	struct h_fx *fx = *state;

	syn_opts_case(fx, 1, 1, 1, O_ALL);
	syn_opts_case(fx, 0, 1, 1, O_MSS | O_SACKOK | O_TS);
	syn_opts_case(fx, 1, 0, 1, O_MSS | O_WS | O_TS);
	syn_opts_case(fx, 1, 1, 0, O_MSS | O_WS | O_SACKOK);
	syn_opts_case(fx, 0, 0, 0, O_MSS);
}

/*
 * A SYN offering offer (of WS, SACKOK, TS) to a stack with these knobs:
 * the SYN-ACK carries MSS plus what both want; the accepted child has
 * the matching flags.
 */
static void
synack_echo_case(struct h_fx *fx, uint32_t ws, uint32_t sack, uint32_t ts,
    uint8_t offer)
{
	struct tcpe_conn *l, *c;
	struct h_peer p;
	struct tcpe_opts o, ack;
	uint8_t want = O_MSS;
	uint16_t neg = 0;
	uint32_t iss;

	fx->cfg.window_scaling = ws;
	fx->cfg.sack = sack;
	fx->cfg.timestamps = ts;
	l = relisten(fx, 8);
	if ((offer & O_WS) && ws) {
		want |= O_WS;
		neg |= TCPE_CF_WSCALE;
	}
	if ((offer & O_SACKOK) && sack) {
		want |= O_SACKOK;
		neg |= TCPE_CF_SACK;
	}
	if ((offer & O_TS) && ts) {
		want |= O_TS;
		neg |= TCPE_CF_TS;
	}
	o = mkopts(1460, (offer & O_WS) ? 3 : -1, (offer & O_SACKOK) != 0,
	    (offer & O_TS) != 0, 31337, 0);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	iss = SYN_IN(fx, &p, &o);
	H_CHECK(fx, fx->out.segs[0].opts.present == want, "knobs ws %u sack "
	    "%u ts %u, SYN offers %#x: SYN-ACK options %#x, expected %#x",
	    ws, sack, ts, offer, fx->out.segs[0].opts.present, want);
	H_EXPECT_OPTS(fx, 0, want, MSS, our_ws(&fx->cfg));
	if (want & O_TS)
		H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 31337);
	ack = tsopt(31340, (want & O_TS) ? fx->out.segs[0].opts.tsval : 0);
	fx->now += TCPE_MS(3);
	h_tx_opts(fx, &p, A, PISS + 1, iss + 1, 100, 0,
	    (offer & O_TS) ? &ack : NULL);
	H_EXPECT_NONE(fx);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	H_CHECK(fx, (c->flags & NEG_FLAGS) == neg, "knobs ws %u sack %u ts "
	    "%u, SYN offers %#x: negotiated %#x, expected %#x", ws, sack, ts,
	    offer, c->flags & NEG_FLAGS, neg);
	EXPECT_U32(fx, "snd_wscale", c->snd_wscale, (neg & TCPE_CF_WSCALE) ?
	    3 : 0);
	EXPECT_U32(fx, "rcv_wscale", c->rcv_wscale, (neg & TCPE_CF_WSCALE) ?
	    our_ws(&fx->cfg) : 0);
	EXPECT_U32(fx, "snd_wnd", c->snd_wnd, (neg & TCPE_CF_WSCALE) ?
	    100u << 3 : 100u);
	if (neg & TCPE_CF_TS)
		EXPECT_U32(fx, "ts_recent", c->ts_recent, 31340);
	/* A retransmitted SYN gets the same SYN-ACK again. */
	h_tx_opts(fx, &p, A, PISS + 1, iss + 1, 100, 0,
	    (offer & O_TS) ? &ack : NULL);
	H_EXPECT_NONE(fx);
	h_close(fx, c);
}

static void
test_synack_echoes_offer_and_knobs(void **state)
{
	struct h_fx *fx = *state;
	uint8_t offer;
	uint32_t k;

	for (k = 0; k < 8; k++)
		for (offer = 0; offer < 8; offer++)
			synack_echo_case(fx, k & 1, (k >> 1) & 1,
			    (k >> 2) & 1, (uint8_t)(offer << 1));
}

/* Active open: the SYN-ACK's options decide what is used afterwards. */
static void
test_active_negotiation(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_opts o;
	uint8_t offer;
	uint16_t neg;
	uint32_t syn_ts;

	for (offer = 0; offer < 8; offer++) {
		uint8_t sa = (uint8_t)(offer << 1);

		h_fx_restart(fx);
		h_peer_init(&p, 40000, 80, PISS, 8192);
		c = h_connect(fx, &p);
		syn_ts = fx->out.segs[0].opts.tsval;
		o = mkopts(1460, (sa & O_WS) ? 9 : -1, (sa & O_SACKOK) != 0,
		    (sa & O_TS) != 0, 4242, syn_ts);
		fx->now += TCPE_MS(7);
		h_tx_opts(fx, &p, SA, PISS, p.ack, 10, 0, &o);
		H_EXPECT_ONLY(fx, &p, A, p.ack, PISS + 1);
		neg = ((sa & O_WS) ? TCPE_CF_WSCALE : 0) |
		    ((sa & O_SACKOK) ? TCPE_CF_SACK : 0) |
		    ((sa & O_TS) ? TCPE_CF_TS : 0);
		EXPECT_NEG(fx, c, neg);
		/* The ACK carries TS iff agreed; never anything else. */
		H_EXPECT_OPTS(fx, 0, (sa & O_TS) ? O_TS : 0, H_ANY, H_ANY);
		if (sa & O_TS) {
			H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 4242);
			EXPECT_U32(fx, "ts_recent", c->ts_recent, 4242);
		}
		EXPECT_U32(fx, "snd_wscale", c->snd_wscale,
		    (sa & O_WS) ? 9 : 0);
		EXPECT_U32(fx, "rcv_wscale", c->rcv_wscale,
		    (sa & O_WS) ? our_ws(&fx->cfg) : 0);
		H_EXPECT_WND(fx, 0, (sa & O_WS) ? (uint16_t)(fx->cfg.rmem[1] >>
		    our_ws(&fx->cfg)) : syn_wnd(&fx->cfg));
		/* The SYN-ACK's window is never scaled. */
		EXPECT_U32(fx, "snd_wnd", c->snd_wnd, 10);
		h_close(fx, c);
	}
}

static void
test_ts_on_every_segment(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1460, 2, true, true, 1000, 0), ts;
	uint32_t iss, sa_ts, i, n;

	fx->cfg.wmem[0] = fx->cfg.wmem[1] = fx->cfg.wmem[2] = 65536;
	l = relisten(fx, 8);
	fx->now += TCPE_US(1500);	/* the ms clock truncates */
	h_peer_init(&p, 80, 50001, PISS, 8192);
	iss = SYN_IN(fx, &p, &o);
	sa_ts = fx->out.segs[0].opts.tsval;
	EXPECT_U32(fx, "SYN-ACK TSval", sa_ts, ts_now(fx, &p.t));
	H_EXPECT_TS(fx, 0, sa_ts, 1000);
	/* The handshake's ACK, 5 ms later. */
	fx->now += TCPE_MS(5);
	ts = tsopt(1005, sa_ts);
	h_tx_opts(fx, &p, A, PISS + 1, iss + 1, 8192, 0, &ts);
	H_EXPECT_NONE(fx);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	EXPECT_NEG(fx, c, TCPE_CF_WSCALE | TCPE_CF_SACK | TCPE_CF_TS);
	EXPECT_U32(fx, "ts_recent", c->ts_recent, 1005);
	(void)h_events(fx, c);
	/* Data: the ACK echoes its TSval; our TSval moved 10 ms. */
	fx->now += TCPE_MS(10);
	ts = tsopt(1015, sa_ts + 5);
	h_tx_opts(fx, &p, PA, PISS + 1, iss + 1, 8192, 100, &ts);
	H_EXPECT_ONLY(fx, &p, A, iss + 1, PISS + 101);
	H_EXPECT_OPTS(fx, 0, O_TS, H_ANY, H_ANY);
	H_EXPECT_TS(fx, 0, sa_ts + 15, 1015);
	p.nxt = PISS + 101;
	assert_int_equal(h_recv(fx, c, &p, NULL), 100);
	/* A large send: segments of MSS - 12, each with TS. */
	fx->now += TCPE_MS(20);
	n = 5000;
	assert_int_equal(h_send(fx, c, &p, n), (int)n);
	H_EXPECT_N(fx, 4);
	for (i = 0; i < 4; i++) {
		H_EXPECT(fx, i, &p, A, iss + 1 + i * (MSS - TSLEN), PISS + 101);
		H_EXPECT_STREAM(fx, i, &p, i < 3 ? MSS - TSLEN :
		    n - 3 * (MSS - TSLEN));
		H_EXPECT_OPTS(fx, i, O_TS, H_ANY, H_ANY);
		H_EXPECT_TS(fx, i, sa_ts + 35, 1015);
	}
	/* The peer acks it all; then we close: the FIN carries TS too. */
	fx->now += TCPE_MS(1);
	ts = tsopt(1040, sa_ts + 35);
	h_tx_opts(fx, &p, A, PISS + 101, iss + 1 + n, 8192, 0, &ts);
	H_EXPECT_NONE(fx);
	EXPECT_U32(fx, "ts_recent", c->ts_recent, 1040);
	fx->now += TCPE_MS(4);
	h_shutdown(fx, c, TCPE_SHUT_WR);
	H_EXPECT_ONLY(fx, &p, FA, iss + 1 + n, PISS + 101);
	H_EXPECT_OPTS(fx, 0, O_TS, H_ANY, H_ANY);
	H_EXPECT_TS(fx, 0, sa_ts + 40, 1040);
	/* Its retransmission, with a fresh TSval. */
	(void)h_fire(fx, fx->now, c->rto);
	H_EXPECT_ONLY(fx, &p, FA, iss + 1 + n, PISS + 101);
	H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 1040);
	/* An abort: the RST carries no option at all. */
	h_out_clear(fx);
	(void)tcpe_conn_abort(c, fx->now, &fx->out);
	H_EXPECT_N(fx, 1);
	H_EXPECT_RST(fx, 0, &p, iss + 2 + n, PISS + 101);
	H_EXPECT_OPTS(fx, 0, 0, H_ANY, H_ANY);
	h_close(fx, c);
}

static void
test_ts_recent_update_rule(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1460, 2, true, true, 500, 0), ts;
	uint32_t rn;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	o.tsecr = fx->out.segs[0].opts.tsval;
	h_tx_opts(fx, &p, SA, PISS, p.ack, 8192, 0, &o);
	H_EXPECT_ONLY(fx, &p, A, p.ack, PISS + 1);
	rn = PISS + 1;
	EXPECT_U32(fx, "ts_recent", c->ts_recent, 500);
	/*
	 * Out of order (SEG.SEQ > Last.ACK.sent): its TSval is not taken;
	 * the duplicate ACK echoes the previous one (RFC 7323 4.3 and its
	 * appendix example).
	 */
	fx->now += TCPE_MS(1);
	ts = tsopt(520, 0);
	h_tx_opts(fx, &p, PA, rn + 100, p.ack, 8192, 100, &ts);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, p.ack, rn);
	H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 500);
	EXPECT_U32(fx, "ts_recent", c->ts_recent, 500);
	/*
	 * The hole is filled: its TSval is taken. (Whether the segment
	 * beyond was kept is reassembly's business, issue 5: the ACK covers
	 * one or both.)
	 */
	fx->now += TCPE_MS(1);
	ts = tsopt(530, 0);
	h_tx_opts(fx, &p, PA, rn, p.ack, 8192, 100, &ts);
	H_EXPECT_N(fx, 1);
	H_CHECK(fx, fx->out.segs[0].ack == rn + 100 ||
	    fx->out.segs[0].ack == rn + 200, "ACK %u after filling the hole",
	    fx->out.segs[0].ack);
	p.nxt = fx->out.segs[0].ack;
	H_EXPECT(fx, 0, &p, A, p.ack, p.nxt);
	H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 530);
	EXPECT_U32(fx, "ts_recent", c->ts_recent, 530);
	assert_int_equal(h_recv(fx, c, &p, NULL), p.nxt - rn);
	/* A newer TSval on an in-order pure ACK is taken too. */
	ts = tsopt(540, 0);
	h_tx_opts(fx, &p, A, p.nxt, p.ack, 8192, 0, &ts);
	H_EXPECT_NONE(fx);
	EXPECT_U32(fx, "ts_recent", c->ts_recent, 540);
	h_close(fx, c);
}

static void
test_no_ts_when_not_negotiated(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1460, -1, true, false, 0, 0), ts;
	uint32_t iss, i;
	int round;

	for (round = 0; round < 2; round++) {
		/*
		 * Round 0: the peer offers no TS. Round 1: it does, but
		 * tcp_timestamps = 0; it then sends TS anyway.
		 */
		fx->cfg.timestamps = round == 0 ? 1 : 0;
		l = relisten(fx, 8);
		o = mkopts(1460, -1, true, round == 1, 77, 0);
		h_peer_init(&p, 80, 50001, PISS, 8192);
		iss = SYN_IN(fx, &p, &o);
		H_EXPECT_OPTS(fx, 0, O_MSS | O_SACKOK, MSS, H_ANY);
		ts = tsopt(80, 0);
		h_tx_opts(fx, &p, A, PISS + 1, iss + 1, 8192, 0,
		    round == 1 ? &ts : NULL);
		H_EXPECT_NONE(fx);
		c = tcpe_stack_accept(l);
		assert_non_null(c);
		EXPECT_NEG(fx, c, TCPE_CF_SACK);
		h_tx_opts(fx, &p, PA, PISS + 1, iss + 1, 8192, 10,
		    round == 1 ? &ts : NULL);
		H_EXPECT_ONLY(fx, &p, A, iss + 1, PISS + 11);
		H_EXPECT_OPTS(fx, 0, 0, H_ANY, H_ANY);
		p.nxt = PISS + 11;
		assert_int_equal(h_recv(fx, c, &p, NULL), 10);
		/* Full-sized segments: the whole MSS is payload. */
		assert_int_equal(h_send(fx, c, &p, 3000), 3000);
		H_EXPECT_N(fx, 3);
		for (i = 0; i < 3; i++) {
			H_EXPECT_STREAM(fx, i, &p, i < 2 ? MSS :
			    3000 - 2 * MSS);
			H_EXPECT_OPTS(fx, i, 0, H_ANY, H_ANY);
		}
		h_close(fx, c);
		H_EXPECT_ONLY(fx, &p, FA, iss + 1 + 3000, PISS + 11);
		H_EXPECT_OPTS(fx, 0, 0, H_ANY, H_ANY);
	}
}

/* Active open; the SYN-ACK offers MSS mss (0: none), no TS. */
static void
mss_case(struct h_fx *fx, int mss, bool ts, uint16_t want_mss,
    uint32_t seglen)
{
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_opts o;
	uint32_t syn_ts;

	h_fx_restart(fx);
	h_peer_init(&p, 40000, 80, PISS, 60000);
	c = h_connect(fx, &p);
	syn_ts = fx->out.segs[0].opts.tsval;
	o = mkopts(mss, -1, false, ts, 1, syn_ts);
	h_tx_opts(fx, &p, SA, PISS, p.ack, 60000, 0, &o);
	H_EXPECT_ONLY(fx, &p, A, p.ack, PISS + 1);
	p.nxt = PISS + 1;
	if (!ts)
		H_CHECK(fx, c->mss == want_mss, "peer MSS %d: mss %u, "
		    "expected %u", mss, c->mss, want_mss);
	assert_int_equal(h_send(fx, c, &p, 3 * seglen - 1),
	    (int)(3 * seglen - 1));
	H_EXPECT_N(fx, 3);
	H_EXPECT_STREAM(fx, 0, &p, seglen);
	H_EXPECT_STREAM(fx, 1, &p, seglen);
	H_EXPECT_STREAM(fx, 2, &p, seglen - 1);
	h_close(fx, c);
}

static void
test_mss_rules(void **state)
{
	struct h_fx *fx = *state;

	/* The peer's, clamped to ours. */
	mss_case(fx, 1000, false, 1000, 1000);
	mss_case(fx, 9000, false, MSS, MSS);
	mss_case(fx, 1461, false, MSS, MSS);
	/* RFC 9293 3.7.1: none means 536. */
	mss_case(fx, 0, false, 536, 536);
	/* Linux TCP_MIN_SND_MSS: never below 48. */
	mss_case(fx, 1, false, 48, 48);
	mss_case(fx, 48, false, 48, 48);
	/* With timestamps, 12 bytes of each segment are the option. */
	mss_case(fx, 1000, true, 1000, 1000 - TSLEN);
	mss_case(fx, 0, true, 536, 536 - TSLEN);
	mss_case(fx, 9000, true, MSS, MSS - TSLEN);
}

static void
test_passive_mss_rules(void **state)
{
	static const struct {
		int peer;
		uint16_t want;
	} cases[] = {
		{ 0, 536 }, { 1, 48 }, { 1200, 1200 }, { 9000, MSS },
	};
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c;
	struct tcpe_opts o;
	struct h_peer p;
	size_t i;

	l = relisten(fx, 8);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = mkopts(cases[i].peer, -1, false, false, 0, 0);
		h_peer_init(&p, 80, (uint16_t)(50000 + i), PISS, 8192);
		(void)handshake(fx, &p, &o);
		c = tcpe_stack_accept(l);
		assert_non_null(c);
		H_CHECK(fx, c->mss == cases[i].want, "peer MSS %d: mss %u, "
		    "expected %u", cases[i].peer, c->mss, cases[i].want);
		h_close(fx, c);
	}
}

/* The peer's shift ws (> 14) is used as 14: window field 1 = 16384. */
static void
ws_clamp_case(struct h_fx *fx, uint8_t ws, bool passive)
{
	struct tcpe_conn *l, *c;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1460, ws, false, false, 0, 0);
	uint32_t i, sent = 0, n = 20000;

	fx->cfg.wmem[0] = fx->cfg.wmem[1] = fx->cfg.wmem[2] = 65536;
	if (passive) {
		l = relisten(fx, 8);
		h_peer_init(&p, 80, 50001, PISS, 1);
		(void)handshake(fx, &p, &o);
		c = tcpe_stack_accept(l);
		assert_non_null(c);
	} else {
		h_fx_restart(fx);
		h_peer_init(&p, 40000, 80, PISS, 1);
		c = h_connect(fx, &p);
		h_tx_opts(fx, &p, SA, PISS, p.ack, 1, 0, &o);
		H_EXPECT_ONLY(fx, &p, A, p.ack, PISS + 1);
		p.nxt = PISS + 1;
		/* The SYN-ACK's window field is not scaled. */
		EXPECT_U32(fx, "snd_wnd", c->snd_wnd, 1);
		h_peer_send(fx, &p, A, 0);
		H_EXPECT_NONE(fx);
	}
	EXPECT_U32(fx, "snd_wscale", c->snd_wscale, 14);
	EXPECT_U32(fx, "snd_wnd", c->snd_wnd, 16384);
	assert_int_equal(h_send(fx, c, &p, n), (int)n);
	/*
	 * 16384 bytes of window: 11 full segments go; the last 324 bytes of
	 * it would make a short, window-limited segment under half the
	 * largest window, which sender SWS avoidance holds (RFC 9293
	 * 3.8.6.2.1).
	 */
	H_EXPECT_N(fx, 11);
	for (i = 0; i < 11; i++) {
		H_EXPECT(fx, i, &p, A, p.our_base + sent, p.nxt);
		H_EXPECT_STREAM(fx, i, &p, MSS);
		sent += fx->out.segs[i].len;
	}
	assert_int_equal(sent, 11 * MSS);
	EXPECT_U32(fx, "window left", c->snd_una + c->snd_wnd - c->snd_nxt,
	    16384 - 11 * MSS);
	h_close(fx, c);
}

static void
test_ws_shift_clamped_to_14(void **state)
{
	struct h_fx *fx = *state;

	ws_clamp_case(fx, 15, false);
	ws_clamp_case(fx, 255, false);
	ws_clamp_case(fx, 15, true);
	ws_clamp_case(fx, 255, true);
}

static void
test_ws_only_from_syn(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_opts o = mkopts(1460, 2, false, false, 0, 0);

	h_peer_init(&p, 40000, 80, PISS, 100);
	c = h_connect(fx, &p);
	h_tx_opts(fx, &p, SA, PISS, p.ack, 100, 0, &o);
	H_EXPECT_ONLY(fx, &p, A, p.ack, PISS + 1);
	p.nxt = PISS + 1;
	EXPECT_U32(fx, "snd_wscale", c->snd_wscale, 2);
	/* A WS option on a later segment changes nothing. */
	o = mkopts(0, 7, false, false, 0, 0);
	h_tx_opts(fx, &p, A, p.nxt, p.ack, 100, 0, &o);
	H_EXPECT_NONE(fx);
	EXPECT_U32(fx, "snd_wscale", c->snd_wscale, 2);
	EXPECT_U32(fx, "snd_wnd", c->snd_wnd, 400);
	h_close(fx, c);
}

/* ------------------------------------------------------------------------
 * 5. Initial sequence numbers (RFC 6528).
 * ------------------------------------------------------------------------ */

static void
test_isn(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_tuple t = { H_LADDR, H_RADDR, 40000, 80 }, u;
	tcpe_time_t now = fx->now;
	uint32_t isn = tcpe_stack_isn(fx->s, &t, now);

	/* Same tuple, same time: same ISN. */
	assert_int_equal(tcpe_stack_isn(fx->s, &t, now), isn);
	/* A 4 us clock: +1 per 4 us, +250 per ms, +250000 per s. */
	assert_int_equal(tcpe_stack_isn(fx->s, &t, now + TCPE_US(4)),
	    isn + 1);
	assert_int_equal(tcpe_stack_isn(fx->s, &t, now + TCPE_US(3)) - isn,
	    (uint32_t)((now + TCPE_US(3)) / 4000 - now / 4000));
	assert_int_equal(tcpe_stack_isn(fx->s, &t, now + TCPE_MS(1)),
	    isn + 250);
	assert_int_equal(tcpe_stack_isn(fx->s, &t, now + TCPE_S(1)),
	    isn + 250000);
	/* Any other tuple: another ISN. */
	u = t;
	u.rport = 81;
	assert_int_not_equal(tcpe_stack_isn(fx->s, &u, now), isn);
	u = t;
	u.lport = 40001;
	assert_int_not_equal(tcpe_stack_isn(fx->s, &u, now), isn);
	u = t;
	u.raddr = H_RADDR + 1;
	assert_int_not_equal(tcpe_stack_isn(fx->s, &u, now), isn);
	u = t;
	u.laddr = H_LADDR + 2;
	assert_int_not_equal(tcpe_stack_isn(fx->s, &u, now), isn);
	/* Swapped ports: not symmetric. */
	u = t;
	u.lport = t.rport;
	u.rport = t.lport;
	assert_int_not_equal(tcpe_stack_isn(fx->s, &u, now), isn);
}

static void
test_isn_used_by_both_opens(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	uint32_t iss;

	/* Active: the SYN's seq. */
	fx->now += TCPE_US(12345);
	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	assert_int_equal(c->iss, tcpe_stack_isn(fx->s, &p.t, fx->now));
	h_close(fx, c);
	/* Passive, queue not full: the SYN-ACK's seq. */
	(void)relisten(fx, 8);
	fx->now += TCPE_MS(3);
	h_peer_init(&p, 80, 50001, PISS, 8192);
	iss = SYN_IN(fx, &p, NULL);
	assert_int_equal(iss, tcpe_stack_isn(fx->s, &p.t, fx->now));
	/* Another tuple at the same time: another ISS. */
	h_peer_init(&p, 80, 50002, PISS, 8192);
	assert_int_not_equal(SYN_IN(fx, &p, NULL), iss);
}

/* ------------------------------------------------------------------------ */

#define TD(f)	cmocka_unit_test_setup_teardown(f, h_setup_default, h_teardown)

int
main(void)
{
	const struct CMUnitTest queues[] = {
		TD(test_synq_full_no_cookies_drops),
		TD(test_accq_full_syn_dropped),
		TD(test_accq_full_syn_dropped_even_with_cookies),
		TD(test_backlog_capped_by_somaxconn),
		TD(test_backlog_zero_means_one),
		TD(test_overflow_final_ack_ignored),
		TD(test_overflow_final_ack_abort),
		TD(test_listener_close_resets_both_queues),
	};
	const struct CMUnitTest cookies[] = {
		TD(test_cookie_only_when_synq_full),
		TD(test_cookie_always_mode_2),
		TD(test_cookie_synack_with_ts),
		TD(test_cookie_synack_without_ts),
		TD(test_cookie_synack_knobs),
		TD(test_cookie_mss_table),
		TD(test_cookie_never_retransmitted),
		TD(test_cookie_ack_full_options),
		TD(test_cookie_ack_without_ts),
		TD(test_cookie_ack_with_data),
		TD(test_cookie_bad_ack),
		TD(test_cookie_expiry),
		TD(test_cookie_mode_1_needs_recent_cookie),
		TD(test_cookie_mode_2_needs_recent_cookie),
		TD(test_cookie_ack_when_cookies_off),
		TD(test_cookie_ack_accq_full_dropped),
		TD(test_cookie_ack_accq_full_abort),
	};
	const struct CMUnitTest retries[] = {
		TD(test_synack_retries_0),
		TD(test_synack_retries_2),
		TD(test_synack_retries_default),
		TD(test_syn_retries_1),
		TD(test_syn_retries_3),
		TD(test_syn_sent_rst_ack_refused),
		TD(test_syn_sent_rst_ignored),
		TD(test_syn_sent_bad_ack_gets_rst),
		TD(test_syn_received_rst_frees_child),
		TD(test_syn_received_rst_not_exact),
		TD(test_established_rst_not_exact_ts),
	};
	const struct CMUnitTest options[] = {
		TD(test_syn_options_per_knob),
		TD(test_synack_echoes_offer_and_knobs),
		TD(test_active_negotiation),
		TD(test_ts_on_every_segment),
		TD(test_ts_recent_update_rule),
		TD(test_no_ts_when_not_negotiated),
		TD(test_mss_rules),
		TD(test_passive_mss_rules),
		TD(test_ws_shift_clamped_to_14),
		TD(test_ws_only_from_syn),
	};
	const struct CMUnitTest isn[] = {
		TD(test_isn),
		TD(test_isn_used_by_both_opens),
	};
	int fails = 0;

	fails += cmocka_run_group_tests_name("queues", queues, NULL, NULL);
	fails += cmocka_run_group_tests_name("cookies", cookies, NULL, NULL);
	fails += cmocka_run_group_tests_name("retries", retries, NULL, NULL);
	fails += cmocka_run_group_tests_name("options", options, NULL, NULL);
	fails += cmocka_run_group_tests_name("isn", isn, NULL, NULL);
	return fails == 0 ? 0 : 1;
}
