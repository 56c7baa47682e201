/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segment-level tests of the connection state machine (RFC 9293, with the
 * RFC 5961 amendments as Linux applies them), through the stack's entry
 * points: build a segment, feed it at an explicit time, assert exactly
 * what was emitted. Grouped by TCP state. Every test ends with the stack
 * destroyed and no buffer left alive (the h_teardown checks it), and where
 * the connection is closed properly, with no connection left.
 *
 * Conventions: we are 10.0.0.1, the peer 10.0.0.2. The peer's ISS is
 * chosen near 2^32 so that sequence numbers wrap during most tests. Our
 * ISS is read from what the stack emits, never hard-coded.
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
#include "tcpe_params.h"
#include "tcpe_stack.h"

/* The peer's ISS: the sequence space wraps 4 KB into its stream. */
/* What our SYN offers with the default knobs (tcp_sack, tcp_timestamps). */
#define SYN_OPTS	(TCPE_OPT_MSS | TCPE_OPT_SACKOK | TCPE_OPT_TS)

#define PISS		0xfffff000u
/* Receive and send buffers of the "plain" fixture (no window scaling). */
#define RBUF		16384u
#define WBUF		65536u
/* Our MSS on an MTU of 1500. */
#define MSS		1460u



static uint16_t
min16(uint32_t v)
{
	return v > 65535 ? 65535 : (uint16_t)v;
}

/* --- fixtures ------------------------------------------------------------ */

static int
setup_plain(void **state)
{
	struct tcpe_tcp_cfg cfg;

	h_cfg_plain(&cfg, RBUF, WBUF);
	*state = h_fx_new(&cfg);
	return 0;
}



/* Replace the plain fixture's stack with one using other buffer sizes. */
static void
replain(struct h_fx *fx, uint32_t rbuf, uint32_t wbuf)
{
	h_cfg_plain(&fx->cfg, rbuf, wbuf);
	h_fx_restart(fx);
}

/* An ESTABLISHED active connection to peer p (port 40000 -> 80). */
static struct tcpe_conn *
open_est(struct h_fx *fx, struct h_peer *p)
{
	h_peer_init(p, 40000, 80, PISS, 8192);
	return h_open_active(fx, p, NULL);
}

/* ------------------------------------------------------------------------
 * No connection: RFC 9293 section 3.10.7.1 (CLOSED).
 * ------------------------------------------------------------------------ */

static void
test_closed_syn_gets_rst_ack(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;

	h_peer_init(&p, 81, 50000, 1000, 8192);
	h_tx(fx, &p, TCPE_TH_SYN, 1000, 0, 8192, 0);
	/* No ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; a SYN counts 1. */
	H_EXPECT_ONLY(fx, &p, RA, 0, 1001);
	assert_int_equal(MIB(fx, OUT_RSTS), 1);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_closed_ack_gets_rst(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;

	h_peer_init(&p, 81, 50000, 1000, 8192);
	h_tx(fx, &p, PA, 5000, 777, 8192, 100);
	/* ACK on: <SEQ=SEG.ACK><CTL=RST>, no ACK bit. */
	H_EXPECT_ONLY(fx, &p, TCPE_TH_RST, 777, 0);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_closed_data_fin_without_ack(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;

	h_peer_init(&p, 81, 50000, 1000, 8192);
	/* SEG.LEN counts the 10 bytes and the FIN. */
	h_tx(fx, &p, TCPE_TH_FIN, 0xfffffffau, 0, 8192, 10);
	H_EXPECT_ONLY(fx, &p, RA, 0, 0xfffffffau + 11);
}

static void
test_closed_rst_never_answered(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;

	h_peer_init(&p, 81, 50000, 1000, 8192);
	h_tx(fx, &p, TCPE_TH_RST, 1000, 0, 0, 0);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, RA, 1000, 55, 0, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(MIB(fx, OUT_RSTS), 0);
}

/* ------------------------------------------------------------------------
 * LISTEN and the passive open (RFC 9293 3.10.7.2, 3.5 figure 7).
 * ------------------------------------------------------------------------ */

static void
test_listen_rst_ignored(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8);
	struct h_peer p;

	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx(fx, &p, TCPE_TH_RST, PISS, 0, 0, 0);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, RA, PISS, 1234, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, l, LISTEN);
	assert_int_equal(NCONNS(fx), 1);
	h_close(fx, l);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_listen_ack_gets_rst(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8);
	struct h_peer p;

	h_peer_init(&p, 80, 50000, PISS, 8192);
	/* Any ACK in LISTEN is bad: <SEQ=SEG.ACK><CTL=RST>. */
	h_tx(fx, &p, A, PISS, 5555, 8192, 0);
	H_EXPECT_ONLY(fx, &p, TCPE_TH_RST, 5555, 0);
	h_tx(fx, &p, SA, PISS, 6666, 8192, 0);
	H_EXPECT_ONLY(fx, &p, TCPE_TH_RST, 6666, 0);
	assert_int_equal(NCONNS(fx), 1);
	assert_int_equal(l->lq->syn_len, 0);
	h_close(fx, l);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_listen_no_syn_dropped(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8);
	struct h_peer p;

	h_peer_init(&p, 80, 50000, PISS, 8192);
	/* Neither RST, ACK nor SYN: drop (RFC 9293 3.10.7.2 fourth). */
	h_tx(fx, &p, TCPE_TH_FIN, PISS, 0, 8192, 10);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, 0, PISS, 0, 8192, 10);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 1);
	h_close(fx, l);
}

static void
test_listen_addr_in_use(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *l2;
	int err = 0;

	l2 = tcpe_stack_listen(fx->s, H_LADDR, 80, 8, &err);
	assert_null(l2);
	assert_int_equal(err, -EADDRINUSE);
	/* Another port is fine. */
	l2 = h_listen(fx, 81, 8);
	assert_int_equal(NCONNS(fx), 2);
	h_close(fx, l2);
	h_close(fx, l);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_listen_any_addr(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c;
	struct h_peer p;
	int err = 1;

	l = tcpe_stack_listen(fx->s, 0, 80, 8, &err);
	assert_non_null(l);
	h_peer_init(&p, 80, 50000, PISS, 8192);
	c = h_open_passive(fx, l, &p, NULL);
	assert_true(tcpe_tuple_eq(&c->node.key, &p.t));
	h_close(fx, c);
	h_close(fx, l);
}

static void
test_passive_open(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c;
	struct h_peer p;
	struct tcpe_seg syn;
	uint32_t iss;

	h_peer_init(&p, 80, 50000, PISS, 8192);
	syn = h_seg(&p.t, TCPE_TH_SYN, PISS, 0, 8192);
	h_seg_mss(&syn, 1460);
	h_input(fx, &syn);
	/* <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, our MSS, no WS (not offered). */
	H_EXPECT_N(fx, 1);
	iss = fx->out.segs[0].seq;
	H_EXPECT(fx, 0, &p, SA, iss, PISS + 1);
	H_EXPECT_LEN(fx, 0, 0);
	H_EXPECT_OPTS(fx, 0, TCPE_OPT_MSS, MSS, H_ANY);
	H_EXPECT_WND(fx, 0, min16(RBUF));
	assert_int_equal(NSTATE(fx, SYN_RECEIVED), 1);
	assert_int_equal(l->lq->syn_len, 1);
	assert_int_equal(NCONNS(fx), 2);
	assert_null(tcpe_stack_accept(l));
	EXPECT_NO_EV(fx, l, TCPE_EV_ACCEPT);

	/* The third segment completes the handshake; nothing is sent. */
	h_tx(fx, &p, A, PISS + 1, iss + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(NSTATE(fx, SYN_RECEIVED), 0);
	assert_int_equal(NSTATE(fx, ESTABLISHED), 1);
	assert_int_equal(l->lq->syn_len, 0);
	assert_int_equal(l->lq->acc_len, 1);
	EXPECT_EV(fx, l, TCPE_EV_ACCEPT);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	assert_null(tcpe_stack_accept(l));
	EXPECT_STATE(fx, c, ESTABLISHED);
	EXPECT_EV(fx, c, TCPE_EV_CONNECTED);
	assert_true(tcpe_tuple_eq(&c->node.key, &p.t));
	assert_int_equal(c->iss, iss);
	assert_int_equal(c->irs, PISS);
	assert_int_equal(c->snd_una, iss + 1);
	assert_int_equal(c->snd_nxt, iss + 1);
	assert_int_equal(c->rcv_nxt, PISS + 1);
	assert_int_equal(c->snd_wnd, 8192);
	assert_int_equal(c->mss, 1460);
	assert_int_equal(MIB(fx, PASSIVE_OPENS), 1);
	assert_int_equal(l->lq->acc_len, 0);
	assert_int_equal(NCONNS(fx), 2);
	h_close(fx, c);
	h_close(fx, l);
}

static void
test_passive_open_wscale(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *c;
	struct h_peer p;
	struct tcpe_opts o = { .present = TCPE_OPT_MSS | TCPE_OPT_WS,
	    .mss = 1460, .wscale = 7 };
	uint8_t ws;

	assert_int_equal(fx->cfg.window_scaling, 1);
	l = h_listen(fx, 80, 8);
	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx_opts(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0, &o);
	H_EXPECT_N(fx, 1);
	H_EXPECT_OPTS(fx, 0, TCPE_OPT_MSS | TCPE_OPT_WS, MSS, H_ANY);
	ws = fx->out.segs[0].opts.wscale;
	p.ack = fx->out.segs[0].seq + 1;
	p.our_base = p.ack;
	p.nxt = PISS + 1;
	/* Complete with a window field of 100: scaled by the peer's 7. */
	h_tx(fx, &p, A, p.nxt, p.ack, 100, 0);
	H_EXPECT_NONE(fx);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	(void)h_events(fx, c);
	assert_int_equal(c->rcv_wscale, ws);
	assert_true(ws <= 14);
	/* The shift lets the whole buffer be announced. */
	assert_true(((uint64_t)65535 << ws) >= c->rcv_buf);
	assert_int_equal(c->snd_wscale, 7);
	assert_int_equal(c->snd_wnd, 100u << 7);
	/* The SYN-ACK's own window field is never scaled (RFC 7323 2.2). */
	/* Our ACKs now carry window >> rcv_wscale. */
	h_peer_send(fx, &p, PA, 1000);
	H_EXPECT_ONLY(fx, &p, A, p.ack, p.nxt);
	H_EXPECT_WND(fx, 0, min16((c->rcv_buf - 1000) >> ws));
	assert_int_equal(h_recv(fx, c, &p, NULL), 1000);
	h_close(fx, c);
	h_close(fx, l);
}

static void
test_passive_no_ws_when_peer_did_not_offer(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c;
	struct h_peer p;

	h_peer_init(&p, 80, 50000, PISS, 1000);
	c = h_open_passive(fx, l, &p, NULL);	/* asserts MSS-only below */
	assert_int_equal(c->snd_wscale, 0);
	assert_int_equal(c->rcv_wscale, 0);
	assert_int_equal(c->snd_wnd, 1000);
	/*
	 * Our window is then limited to 65535, unscaled: the edge stays at
	 * what the SYN-ACK offered (it may not move by less than an MSS,
	 * and it never goes beyond what the field can say).
	 */
	h_peer_send(fx, &p, PA, 100);
	H_EXPECT_ONLY(fx, &p, A, p.ack, p.nxt);
	H_EXPECT_WND(fx, 0, 65535 - 100);
	assert_int_equal(c->rcv_adv - c->rcv_nxt, 65535 - 100);
	h_peer_send(fx, &p, A, 0);
	h_tx(fx, &p, A, p.nxt, p.ack, 3000, 0);
	assert_int_equal(c->snd_wnd, 3000);
	assert_int_equal(h_recv(fx, c, &p, NULL), 100);
	h_close(fx, c);
	h_close(fx, l);
}

static void
test_passive_synack_options(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8);
	struct h_peer p;

	/* Default config: a SYN without WS gets a SYN-ACK without WS. */
	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT_OPTS(fx, 0, TCPE_OPT_MSS, MSS, H_ANY);
	H_EXPECT_WND(fx, 0, min16(fx->cfg.rmem[1]));
	h_close(fx, l);
}

static void
test_passive_ws_disabled(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c;
	struct h_peer p;
	struct tcpe_opts o = { .present = TCPE_OPT_MSS | TCPE_OPT_WS,
	    .mss = 1460, .wscale = 7 };

	/* Plain fixture: tcp_window_scaling = 0. */
	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx_opts(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0, &o);
	H_EXPECT_N(fx, 1);
	H_EXPECT_OPTS(fx, 0, TCPE_OPT_MSS, MSS, H_ANY);
	p.ack = fx->out.segs[0].seq + 1;
	p.nxt = PISS + 1;
	h_tx(fx, &p, A, p.nxt, p.ack, 100, 0);
	H_EXPECT_NONE(fx);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	assert_int_equal(c->snd_wscale, 0);
	assert_int_equal(c->snd_wnd, 100);
	h_close(fx, c);
	h_close(fx, l);
}

static void
test_passive_syn_retransmitted(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8);
	struct h_peer p;
	uint32_t iss;

	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_N(fx, 1);
	iss = fx->out.segs[0].seq;
	/* Our SYN-ACK was lost: the same SYN again gets it again (Linux). */
	fx->now += TCPE_MS(200);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_ONLY(fx, &p, SA, iss, PISS + 1);
	H_EXPECT_OPTS(fx, 0, TCPE_OPT_MSS, MSS, H_ANY);
	assert_int_equal(NCONNS(fx), 2);
	assert_int_equal(l->lq->syn_len, 1);
	h_close(fx, l);
}

static void
test_passive_synack_rto_then_dropped(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p;
	tcpe_time_t t;
	uint32_t iss;

	fx->cfg.synack_retries = 2;
	h_fx_restart(fx);
	l = h_listen(fx, 80, 8);
	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_N(fx, 1);
	iss = fx->out.segs[0].seq;
	t = h_fire(fx, fx->now, TCPE_S(1));
	H_EXPECT_ONLY(fx, &p, SA, iss, PISS + 1);
	t = h_fire(fx, t, TCPE_S(2));
	H_EXPECT_ONLY(fx, &p, SA, iss, PISS + 1);
	assert_int_equal(MIB(fx, RETRANS_SEGS), 2);
	/* After tcp_synack_retries the half-open child goes, silently. */
	(void)h_fire(fx, t, TCPE_S(4));
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 1);
	assert_int_equal(l->lq->syn_len, 0);
	assert_int_equal(NSTATE(fx, SYN_RECEIVED), 0);
	EXPECT_NO_EV(fx, l, TCPE_EV_ACCEPT | TCPE_EV_ERROR);
	assert_int_equal(tcpe_stack_deadline(fx->s) == TCPE_TIME_NEVER ||
	    tcpe_stack_deadline(fx->s) > fx->now, 1);
	/* A late ACK now meets the listener: RST. */
	h_tx(fx, &p, A, PISS + 1, iss + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p, TCPE_TH_RST, iss + 1, 0);
	h_close(fx, l);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_passive_bad_ack_gets_rst(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c;
	struct h_peer p;
	uint32_t iss;

	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_N(fx, 1);
	iss = fx->out.segs[0].seq;
	/* RFC 9293 3.10.7.4 fifth, SYN-RECEIVED: <SEQ=SEG.ACK><CTL=RST>. */
	h_tx(fx, &p, A, PISS + 1, iss + 5, 8192, 0);
	H_EXPECT_ONLY(fx, &p, TCPE_TH_RST, iss + 5, 0);
	assert_int_equal(NSTATE(fx, SYN_RECEIVED), 1);
	h_tx(fx, &p, A, PISS + 1, iss, 8192, 0);
	H_EXPECT_ONLY(fx, &p, TCPE_TH_RST, iss, 0);
	assert_int_equal(NSTATE(fx, SYN_RECEIVED), 1);
	/* The right ACK still completes the handshake. */
	h_tx(fx, &p, A, PISS + 1, iss + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	EXPECT_STATE(fx, c, ESTABLISHED);
	h_close(fx, c);
	h_close(fx, l);
}

static void
test_passive_rst_frees_child(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8);
	struct h_peer p;

	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_N(fx, 1);
	assert_int_equal(NCONNS(fx), 2);
	/* RST at RCV.NXT: back to LISTEN, the user need not be told. */
	h_tx(fx, &p, TCPE_TH_RST, PISS + 1, 0, 0, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 1);
	assert_int_equal(l->lq->syn_len, 0);
	EXPECT_STATE(fx, l, LISTEN);
	EXPECT_NO_EV(fx, l, TCPE_EV_ACCEPT | TCPE_EV_ERROR);
	assert_null(tcpe_stack_accept(l));
	h_close(fx, l);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_passive_rst_out_of_window_ignored(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8);
	struct h_peer p;

	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_N(fx, 1);
	h_tx(fx, &p, TCPE_TH_RST, PISS, 0, 0, 0);	/* before RCV.NXT */
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, TCPE_TH_RST, PISS + 1 + RBUF + 100, 0, 0, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 2);
	assert_int_equal(l->lq->syn_len, 1);
	h_close(fx, l);
}

static void
test_passive_data_on_third_segment(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c;
	struct h_peer p;
	uint32_t iss;

	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_N(fx, 1);
	iss = fx->out.segs[0].seq;
	p.nxt = PISS + 1;
	p.ack = iss + 1;
	p.our_base = iss + 1;
	h_peer_send(fx, &p, PA, 100);
	H_EXPECT_ONLY(fx, &p, A, iss + 1, PISS + 101);
	H_EXPECT_WND(fx, 0, RBUF - 100);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	EXPECT_EV(fx, c, TCPE_EV_CONNECTED | TCPE_EV_READABLE);
	assert_int_equal(h_recv(fx, c, &p, NULL), 100);
	h_close(fx, c);
	h_close(fx, l);
}

static void
test_passive_fin_on_third_segment(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c;
	struct h_peer p;
	uint32_t iss;
	int last;

	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_N(fx, 1);
	iss = fx->out.segs[0].seq;
	/* ACK and FIN together: established, then at once CLOSE_WAIT. */
	h_tx(fx, &p, FA, PISS + 1, iss + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p, A, iss + 1, PISS + 2);
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	EXPECT_STATE(fx, c, CLOSE_WAIT);
	EXPECT_EV(fx, c, TCPE_EV_CONNECTED | TCPE_EV_EOF);
	p.nxt = PISS + 2;
	p.ack = iss + 1;
	p.our_base = iss + 1;
	assert_int_equal(h_recv(fx, c, &p, &last), 0);
	assert_int_equal(last, 0);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, iss + 1, PISS + 2);
	h_tx(fx, &p, A, PISS + 2, iss + 2, 8192, 0);
	H_EXPECT_NONE(fx);
	h_close(fx, l);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_listen_syn_with_data_not_acked(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8);
	struct h_peer p;

	/* Without Fast Open, data on a SYN is not taken (Linux). */
	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 100);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, SA, fx->out.segs[0].seq, PISS + 1);
	h_close(fx, l);
}

static void
test_listen_backlog_full(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 1), *c;
	struct h_peer p1, p2;

	h_peer_init(&p1, 80, 50001, PISS, 8192);
	h_peer_init(&p2, 80, 50002, PISS, 8192);
	/* The accept queue (1) holds one established, unaccepted child. */
	h_tx(fx, &p1, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_N(fx, 1);
	h_tx(fx, &p1, A, PISS + 1, fx->out.segs[0].seq + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(l->lq->acc_len, 1);
	/* Further SYNs are dropped without an answer and counted. */
	h_tx(fx, &p2, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 2);
	assert_true(MIB(fx, LISTEN_OVERFLOWS) >= 1);
	/* Once the child is accepted, there is room again. */
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	h_tx(fx, &p2, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p2, SA, fx->out.segs[0].seq, PISS + 1);
	h_close(fx, c);
	h_close(fx, l);
}

static void
test_listen_close_resets_unaccepted(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8);
	struct h_peer p;
	uint32_t iss;

	h_peer_init(&p, 80, 50000, PISS, 8192);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_N(fx, 1);
	iss = fx->out.segs[0].seq;
	h_tx(fx, &p, A, PISS + 1, iss + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(l->lq->acc_len, 1);
	/* An established child nobody accepted is reset with the listener. */
	h_close(fx, l);
	H_EXPECT_N(fx, 1);
	H_EXPECT_RST(fx, 0, &p, iss + 1, PISS + 1);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_listen_table_full(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l;
	struct h_peer p;
	uint32_t i, synacks = 0, refused = 0;
	uint64_t drops;

	fx->cfg.max_conns = 3;
	h_fx_restart(fx);
	l = h_listen(fx, 80, 64);
	for (i = 0; i < 8; i++) {
		h_peer_init(&p, 80, (uint16_t)(50000 + i), PISS, 8192);
		h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
		if (fx->out.n == 1 && fx->out.segs[0].flags == SA) {
			synacks++;
			continue;
		}
		/* Refused: dropped, or answered with a reset. */
		refused++;
		H_CHECK(fx, fx->out.n == 0 || (fx->out.n == 1 &&
		    (fx->out.segs[0].flags & TCPE_TH_RST)),
		    "SYN %u refused with something other than RST", i);
	}
	assert_true(synacks >= 1);
	assert_true(synacks <= fx->cfg.max_conns);
	assert_true(refused >= 8 - fx->cfg.max_conns);
	assert_int_equal(NCONNS(fx), 1 + synacks);
	drops = MIB(fx, DROP_TABLE_FULL) + MIB(fx, LISTEN_DROPS);
	assert_true(drops >= refused);
	h_close(fx, l);
	assert_int_equal(NCONNS(fx), 0);
}

/* ------------------------------------------------------------------------
 * SYN_SENT and the active open (RFC 9293 3.10.7.3).
 * ------------------------------------------------------------------------ */

static void
test_active_open(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_opts o = { .present = TCPE_OPT_MSS | TCPE_OPT_WS,
	    .mss = 1400, .wscale = 7 };
	uint32_t iss;

	assert_int_equal(fx->cfg.window_scaling, 1);
	h_peer_init(&p, 40000, 80, PISS, 29200);
	c = h_connect(fx, &p);
	iss = c->iss;
	assert_int_equal(fx->out.segs[0].seq, iss);
	/* Our SYN: MSS = MTU - 40, WS = our shift, window unscaled. */
	H_EXPECT_OPTS(fx, 0, SYN_OPTS | TCPE_OPT_WS, MSS,
	    c->rcv_wscale);
	H_EXPECT_WND(fx, 0, min16(c->rcv_buf));
	assert_true(c->rcv_wscale <= 14);
	assert_true(((uint64_t)65535 << c->rcv_wscale) >= c->rcv_buf);
	assert_int_equal(c->snd_nxt, iss + 1);
	assert_int_equal(MIB(fx, ACTIVE_OPENS), 1);
	assert_int_equal(h_events(fx, c) & TCPE_EV_CONNECTED, 0);

	h_tx_opts(fx, &p, SA, PISS, iss + 1, 29200, 0, &o);
	H_EXPECT_ONLY(fx, &p, A, iss + 1, PISS + 1);
	/* From now on our window field is shifted. */
	H_EXPECT_WND(fx, 0, min16(c->rcv_buf >> c->rcv_wscale));
	EXPECT_STATE(fx, c, ESTABLISHED);
	EXPECT_EV(fx, c, TCPE_EV_CONNECTED);
	assert_int_equal(c->irs, PISS);
	assert_int_equal(c->rcv_nxt, PISS + 1);
	assert_int_equal(c->snd_una, iss + 1);
	assert_int_equal(c->mss, 1400);
	assert_int_equal(c->snd_wscale, 7);
	/* The SYN-ACK's window is not scaled (RFC 7323 section 2.2). */
	assert_int_equal(c->snd_wnd, 29200);
	assert_int_equal(tcpe_conn_deadline(c), TCPE_TIME_NEVER);
	h_close(fx, c);
}

static void
test_active_peer_without_ws(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;

	h_peer_init(&p, 40000, 80, PISS, 1000);
	c = h_connect(fx, &p);
	H_EXPECT_OPTS(fx, 0, SYN_OPTS | TCPE_OPT_WS, MSS, H_ANY);
	h_tx(fx, &p, SA, PISS, p.ack, 1000, 0);
	/* Scaling needs both sides: our window goes unscaled, <= 65535. */
	H_EXPECT_ONLY(fx, &p, A, p.ack, PISS + 1);
	H_EXPECT_WND(fx, 0, min16(c->rcv_buf));
	assert_int_equal(c->snd_wscale, 0);
	assert_int_equal(c->rcv_wscale, 0);
	p.nxt = PISS + 1;
	h_tx(fx, &p, A, p.nxt, p.ack, 2000, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(c->snd_wnd, 2000);
	h_close(fx, c);
}

static void
test_active_ws_disabled(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_opts o = { .present = TCPE_OPT_MSS | TCPE_OPT_WS,
	    .mss = 1460, .wscale = 7 };

	/* Plain fixture: no WS in our SYN, the peer's is ignored. */
	h_peer_init(&p, 40000, 80, PISS, 1000);
	c = h_connect(fx, &p);
	H_EXPECT_OPTS(fx, 0, SYN_OPTS, MSS, H_ANY);
	H_EXPECT_WND(fx, 0, RBUF);
	h_tx_opts(fx, &p, SA, PISS, p.ack, 1000, 0, &o);
	H_EXPECT_ONLY(fx, &p, A, p.ack, PISS + 1);
	H_EXPECT_WND(fx, 0, RBUF);
	assert_int_equal(c->snd_wscale, 0);
	h_tx(fx, &p, A, PISS + 1, p.ack, 2000, 0);
	assert_int_equal(c->snd_wnd, 2000);
	h_close(fx, c);
}

static void
test_active_ws_clamped_to_14(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_opts o = { .present = TCPE_OPT_MSS | TCPE_OPT_WS,
	    .mss = 1460, .wscale = 15 };

	h_peer_init(&p, 40000, 80, PISS, 1);
	c = h_connect(fx, &p);
	h_tx_opts(fx, &p, SA, PISS, p.ack, 1, 0, &o);
	H_EXPECT_ONLY(fx, &p, A, p.ack, PISS + 1);
	/* RFC 7323 2.3: a shift above 14 is used as 14. */
	assert_int_equal(c->snd_wscale, 14);
	assert_int_equal(c->snd_wnd, 1);
	h_tx(fx, &p, A, PISS + 1, p.ack, 1, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(c->snd_wnd, 1u << 14);
	h_close(fx, c);
}

/* The peer offers mss (0: no option); send len, expect these segments. */
static void
mss_case(struct h_fx *fx, int mss, uint32_t len, const uint32_t *segs,
    uint32_t nsegs, uint16_t want_mss)
{
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_opts o;
	uint32_t i, off = 0;

	memset(&o, 0, sizeof(o));
	if (mss > 0) {
		o.present = TCPE_OPT_MSS;
		o.mss = (uint16_t)mss;
	}
	h_peer_init(&p, 40000, 80, PISS, 16000);
	c = h_open_active(fx, &p, &o);
	assert_int_equal(c->mss, want_mss);
	assert_int_equal(h_send(fx, c, &p, len), (int)len);
	H_EXPECT_N(fx, nsegs);
	for (i = 0; i < nsegs; i++) {
		H_EXPECT(fx, i, &p, A, p.our_base + off, p.nxt);
		H_EXPECT_STREAM(fx, i, &p, segs[i]);
		off += segs[i];
	}
	h_tx(fx, &p, A, p.nxt, p.our_base + len, 16000, 0);
	H_EXPECT_NONE(fx);
	h_close(fx, c);
}

static void
test_active_mss_from_peer(void **state)
{
	static const uint32_t segs[] = { 1000, 1000, 500 };

	mss_case(*state, 1000, 2500, segs, 3, 1000);
}

static void
test_active_mss_default_536(void **state)
{
	static const uint32_t segs[] = { 536, 536, 128 };

	/* RFC 9293 3.7.1: no MSS option means 536. */
	mss_case(*state, 0, 1200, segs, 3, 536);
}

static void
test_active_mss_clamped_to_ours(void **state)
{
	static const uint32_t segs[] = { 1460, 540 };

	/* The peer's 9000 is more than our MTU allows. */
	mss_case(*state, 9000, 2000, segs, 2, 1460);
}

static void
test_syn_sent_bad_ack(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	uint32_t iss;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	iss = c->iss;
	/* SEG.ACK =< ISS: <SEQ=SEG.ACK><CTL=RST>, state unchanged. */
	h_tx(fx, &p, A, PISS, iss, 8192, 0);
	H_EXPECT_ONLY(fx, &p, TCPE_TH_RST, iss, 0);
	EXPECT_STATE(fx, c, SYN_SENT);
	/* SEG.ACK > SND.NXT, on a SYN-ACK. */
	h_tx(fx, &p, SA, PISS, iss + 2, 8192, 0);
	H_EXPECT_ONLY(fx, &p, TCPE_TH_RST, iss + 2, 0);
	EXPECT_STATE(fx, c, SYN_SENT);
	/* A bad ACK on an RST: dropped. */
	h_tx(fx, &p, RA, PISS, iss + 5, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, SYN_SENT);
	EXPECT_NO_EV(fx, c, TCPE_EV_ERROR | TCPE_EV_CONNECTED);
	/* The real SYN-ACK still works. */
	h_tx(fx, &p, SA, PISS, iss + 1, 8192, 0);
	H_EXPECT_ONLY(fx, &p, A, iss + 1, PISS + 1);
	EXPECT_STATE(fx, c, ESTABLISHED);
	h_close(fx, c);
}

static void
test_syn_sent_rst_refused(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_view v;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	h_tx(fx, &p, RA, 0, c->iss + 1, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, -ECONNREFUSED);
	EXPECT_EV(fx, c, TCPE_EV_ERROR);
	assert_int_equal(tcpe_conn_recv(c, &v), -ECONNREFUSED);
	assert_int_equal(tcpe_conn_deadline(c), TCPE_TIME_NEVER);
	assert_int_equal(MIB(fx, ATTEMPT_FAILS), 1);
	assert_int_equal(NCONNS(fx), 1);	/* the handle is still ours */
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_syn_sent_rst_without_ack_ignored(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	h_tx(fx, &p, TCPE_TH_RST, PISS, 0, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, SYN_SENT);
	assert_int_equal(c->err, 0);
	assert_true(tcpe_conn_deadline(c) != TCPE_TIME_NEVER);
	h_close(fx, c);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_syn_sent_ack_without_syn_dropped(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	/* Acceptable ACK, neither SYN nor RST: drop (3.10.7.3 fifth). */
	h_tx(fx, &p, A, PISS, c->iss + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, SYN_SENT);
	h_close(fx, c);
}

static void
test_simultaneous_open(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_opts o = { .present = TCPE_OPT_MSS | TCPE_OPT_WS,
	    .mss = 1460, .wscale = 7 };
	uint32_t iss;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	iss = c->iss;
	/* Crossing SYNs (RFC 9293 figure 8). */
	h_tx_opts(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0, &o);
	H_EXPECT_ONLY(fx, &p, SA, iss, PISS + 1);
	H_EXPECT_OPTS(fx, 0, TCPE_OPT_MSS | TCPE_OPT_WS, MSS, c->rcv_wscale);
	H_EXPECT_WND(fx, 0, min16(c->rcv_buf));
	EXPECT_STATE(fx, c, SYN_RECEIVED);
	EXPECT_NO_EV(fx, c, TCPE_EV_CONNECTED);
	/* The peer's SYN-ACK acknowledges our SYN. */
	h_tx_opts(fx, &p, SA, PISS, iss + 1, 8192, 0, &o);
	EXPECT_STATE(fx, c, ESTABLISHED);
	EXPECT_EV(fx, c, TCPE_EV_CONNECTED);
	/* Nothing needs sending; an ACK is harmless. */
	H_CHECK(fx, fx->out.n == 0 || (fx->out.n == 1 &&
	    fx->out.segs[0].flags == A && fx->out.segs[0].seq == iss + 1 &&
	    fx->out.segs[0].ack == PISS + 1 && fx->out.segs[0].len == 0),
	    "only a pure ACK may follow the SYN-ACK");
	assert_int_equal(c->snd_wscale, 7);
	assert_int_equal(c->snd_una, iss + 1);
	p.nxt = PISS + 1;
	p.ack = iss + 1;
	p.our_base = iss + 1;
	h_peer_send(fx, &p, PA, 10);
	H_EXPECT_ONLY(fx, &p, A, iss + 1, PISS + 11);
	assert_int_equal(h_recv(fx, c, &p, NULL), 10);
	h_close(fx, c);
}

static void
test_simultaneous_open_then_ack(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_ONLY(fx, &p, SA, c->iss, PISS + 1);
	EXPECT_STATE(fx, c, SYN_RECEIVED);
	h_tx(fx, &p, A, PISS + 1, c->iss + 1, 8192, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, ESTABLISHED);
	EXPECT_EV(fx, c, TCPE_EV_CONNECTED);
	h_close(fx, c);
}

static void
test_syn_retransmit_backoff_then_timeout(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	tcpe_time_t t, rto, rto_max;
	uint32_t i, n = fx->cfg.syn_retries;
	struct tcpe_view v;

	assert_int_equal(fx->cfg.rto_initial_ms, 1000);
	assert_true(n >= 1);
	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	t = fx->now;
	rto = TCPE_MS(fx->cfg.rto_initial_ms);
	rto_max = TCPE_MS(fx->cfg.rto_max_ms);
	/* 1 s, 2 s, 4 s, ... (RFC 6298 5.5), tcp_syn_retries times. */
	for (i = 0; i < n; i++) {
		t = h_fire(fx, t, rto);
		H_EXPECT_ONLY(fx, &p, TCPE_TH_SYN, c->iss, 0);
		H_EXPECT_OPTS(fx, 0, c->flags & TCPE_CF_WSCALE ?
		    SYN_OPTS | TCPE_OPT_WS : SYN_OPTS, MSS, H_ANY);
		EXPECT_STATE(fx, c, SYN_SENT);
		rto = rto * 2 > rto_max ? rto_max : rto * 2;
	}
	assert_int_equal(MIB(fx, RETRANS_SEGS), n);
	/* Then the connect fails, without a segment. */
	(void)h_fire(fx, t, rto);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, -ETIMEDOUT);
	EXPECT_EV(fx, c, TCPE_EV_ERROR);
	assert_int_equal(tcpe_conn_recv(c, &v), -ETIMEDOUT);
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
	h_close(fx, c);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_syn_retries_short(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	tcpe_time_t t;

	fx->cfg.syn_retries = 2;
	h_fx_restart(fx);
	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	t = h_fire(fx, fx->now, TCPE_S(1));
	H_EXPECT_ONLY(fx, &p, TCPE_TH_SYN, c->iss, 0);
	t = h_fire(fx, t, TCPE_S(2));
	H_EXPECT_ONLY(fx, &p, TCPE_TH_SYN, c->iss, 0);
	(void)h_fire(fx, t, TCPE_S(4));
	H_EXPECT_NONE(fx);
	assert_int_equal(c->err, -ETIMEDOUT);
	h_close(fx, c);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_syn_sent_data_queued(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	uint32_t last;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	/* Sending before the handshake completes queues the data. */
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, SA, PISS, c->iss + 1, 8192, 0);
	p.nxt = PISS + 1;
	/* Either an ACK then the data, or the data carrying the ACK. */
	H_CHECK(fx, fx->out.n == 1 || fx->out.n == 2, "1 or 2 segments");
	last = fx->out.n - 1;
	if (last == 1) {
		H_EXPECT(fx, 0, &p, A, c->iss + 1, PISS + 1);
		H_EXPECT_LEN(fx, 0, 0);
	}
	H_EXPECT(fx, last, &p, A, c->iss + 1, PISS + 1);
	H_EXPECT_STREAM(fx, last, &p, 100);
	h_close(fx, c);
}

static void
test_connect_tuple_in_use(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c, *c2;
	struct h_peer p;
	int err = 0;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	h_out_clear(fx);
	c2 = tcpe_stack_connect(fx->s, &p.t, tcpe_tuple_hash(&p.t), fx->now,
	    &fx->out, &err);
	assert_null(c2);
	assert_int_equal(err, -EADDRINUSE);
	H_EXPECT_NONE(fx);
	h_close(fx, c);
}

static void
test_connect_table_full(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c1, *c2, *c3;
	struct h_peer p1, p2, p3;
	int err = 0;

	fx->cfg.max_conns = 2;
	h_fx_restart(fx);
	h_peer_init(&p1, 40001, 80, PISS, 8192);
	h_peer_init(&p2, 40002, 80, PISS, 8192);
	h_peer_init(&p3, 40003, 80, PISS, 8192);
	c1 = h_connect(fx, &p1);
	c2 = h_connect(fx, &p2);
	h_out_clear(fx);
	c3 = tcpe_stack_connect(fx->s, &p3.t, tcpe_tuple_hash(&p3.t), fx->now,
	    &fx->out, &err);
	assert_null(c3);
	assert_int_equal(err, -ENOSPC);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 2);
	/* Closing one makes room. */
	h_close(fx, c1);
	c3 = h_connect(fx, &p3);
	h_close(fx, c3);
	h_close(fx, c2);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_close_in_syn_sent(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	/* RFC 9293 3.10.4 CLOSE, SYN-SENT: delete the TCB, send nothing. */
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
	assert_int_equal(tcpe_stack_deadline(fx->s) == TCPE_TIME_NEVER ||
	    tcpe_stack_deadline(fx->s) >= fx->now, 1);
	/* Its SYN-ACK now meets a closed port. */
	h_tx(fx, &p, SA, PISS, p.ack, 8192, 0);
	H_EXPECT_ONLY(fx, &p, TCPE_TH_RST, p.ack, 0);
}

/* ------------------------------------------------------------------------
 * ESTABLISHED: receiving (RFC 9293 3.10.7.4 first and seventh steps).
 * ------------------------------------------------------------------------ */

static void
test_recv_in_order_and_window(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	struct tcpe_view v;
	int last;

	assert_int_equal(c->rcv_buf, RBUF);
	h_peer_send(fx, &p, PA, 1000);
	/* Every data segment is acknowledged; the window shrinks by it. */
	H_EXPECT_ONLY(fx, &p, A, p.ack, p.nxt);
	H_EXPECT_WND(fx, 0, RBUF - 1000);
	EXPECT_EV(fx, c, TCPE_EV_READABLE);
	h_peer_send(fx, &p, PA, 1000);
	H_EXPECT_ONLY(fx, &p, A, p.ack, p.nxt);
	H_EXPECT_WND(fx, 0, RBUF - 2000);
	/* Taking the bytes does not reopen the window... */
	assert_int_equal(h_recv(fx, c, &p, &last), 2000);
	assert_int_equal(last, -EAGAIN);
	assert_int_equal(c->rcv_held, 2000);
	h_peer_send(fx, &p, PA, 1000);
	H_EXPECT_ONLY(fx, &p, A, p.ack, p.nxt);
	H_EXPECT_WND(fx, 0, RBUF - 3000);
	assert_int_equal(h_recv(fx, c, &p, NULL), 1000);
	/* ...releasing them does, in steps of at least one MSS (SWS). */
	assert_int_equal(h_recv_done(fx, c, 500), 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(h_recv_done(fx, c, 2500), 0);
	H_EXPECT_ONLY(fx, &p, A, p.ack, p.nxt);
	H_EXPECT_WND(fx, 0, RBUF);
	assert_int_equal(c->rcv_held, 0);
	assert_int_equal(h_recv_done(fx, c, 1), -EINVAL);
	assert_int_equal(tcpe_conn_recv(c, &v), -EAGAIN);
	h_close(fx, c);
}

/* tcpe_conn_recv_max() splits a chunk; the rest stays queued, in order. */
static void
test_recv_max_splits(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	struct tcpe_view v1, v2;
	const uint8_t *d;
	uint32_t i;

	h_peer_send(fx, &p, PA, 1000);
	H_EXPECT_ONLY(fx, &p, A, p.ack, p.nxt);
	assert_int_equal(tcpe_conn_recv_max(c, &v1, 300), 300);
	assert_int_equal(v1.len, 300);
	assert_int_equal(c->rcv_held, 300);
	assert_int_equal(c->rcvq.bytes, 700);
	/* Both parts hold a reference on the one buffer. */
	assert_int_equal(h_buf_refs(v1.buf), 2);
	assert_int_equal(tcpe_conn_recv_max(c, &v2, 5000), 700);
	assert_ptr_equal(v1.buf, v2.buf);
	assert_int_equal(v2.off, v1.off + 300);
	d = h_bops.ptr(NULL, v1.buf) + v1.off;
	for (i = 0; i < 1000; i++)
		assert_int_equal(d[i], (uint8_t)i);
	assert_int_equal(c->rcv_held, 1000);
	assert_int_equal(tcpe_conn_recv_max(c, &v2, 1), -EAGAIN);
	h_buf_put(v1.buf);
	h_buf_put(v2.buf);
	assert_int_equal(h_recv_done(fx, c, 1000), 0);
	h_close(fx, c);
}

static void
test_recv_partial_overlap_trimmed(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t start = p.nxt;

	h_peer_send(fx, &p, PA, 100);
	H_EXPECT_ONLY(fx, &p, A, p.ack, start + 100);
	/* [50, 250): the first 50 bytes are old, only 150 are new. */
	h_tx(fx, &p, PA, start + 50, p.ack, p.wnd, 200);
	p.nxt = start + 250;
	H_EXPECT_ONLY(fx, &p, A, p.ack, start + 250);
	H_EXPECT_WND(fx, 0, RBUF - 250);
	/* h_recv checks the stream: no byte twice, none missing. */
	assert_int_equal(h_recv(fx, c, &p, NULL), 250);
	h_close(fx, c);
}

static void
test_recv_duplicate_acked_not_delivered(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t start = p.nxt;
	int last;

	h_peer_send(fx, &p, PA, 100);
	assert_int_equal(h_recv(fx, c, &p, NULL), 100);
	(void)h_events(fx, c);
	/* Wholly before RCV.NXT: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
	h_tx(fx, &p, PA, start, p.ack, p.wnd, 100);
	H_EXPECT_ONLY(fx, &p, A, p.ack, start + 100);
	EXPECT_NO_EV(fx, c, TCPE_EV_READABLE);
	assert_int_equal(h_recv(fx, c, &p, &last), 0);
	assert_int_equal(last, -EAGAIN);
	assert_true(MIB(fx, DROP_OUT_OF_WINDOW) >= 1);
	h_close(fx, c);
}

static void
test_recv_beyond_window_dropped(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	int last;

	/* At the right edge: not acceptable; ACK, drop. */
	h_tx(fx, &p, PA, p.nxt + RBUF, p.ack, p.wnd, 10);
	H_EXPECT_ONLY(fx, &p, A, p.ack, p.nxt);
	H_EXPECT_WND(fx, 0, RBUF);
	h_tx(fx, &p, PA, p.nxt + 3 * RBUF, p.ack, p.wnd, 10);
	H_EXPECT_ONLY(fx, &p, A, p.ack, p.nxt);
	EXPECT_NO_EV(fx, c, TCPE_EV_READABLE);
	assert_int_equal(h_recv(fx, c, &p, &last), 0);
	assert_int_equal(last, -EAGAIN);
	assert_true(MIB(fx, DROP_OUT_OF_WINDOW) >= 2);
	EXPECT_STATE(fx, c, ESTABLISHED);
	h_close(fx, c);
}

static void
test_recv_out_of_order_not_delivered(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t start = p.nxt, got;
	int last;

	/* A gap: the duplicate ACK names what is missing. */
	h_tx(fx, &p, PA, start + 100, p.ack, p.wnd, 100);
	H_EXPECT_ONLY(fx, &p, A, p.ack, start);
	assert_int_equal(h_recv(fx, c, &p, &last), 0);
	assert_int_equal(last, -EAGAIN);
	/* The hole filled: at least its bytes become readable. */
	h_tx(fx, &p, PA, start, p.ack, p.wnd, 100);
	H_EXPECT_N(fx, 1);
	H_CHECK(fx, fx->out.segs[0].ack == start + 100 ||
	    fx->out.segs[0].ack == start + 200, "ack after the hole");
	got = h_recv(fx, c, &p, NULL);
	assert_int_equal(got, fx->out.segs[0].ack - start);
	h_close(fx, c);
}

static void
test_recv_buffer_full(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	uint32_t start;

	replain(fx, 4096, WBUF);
	c = open_est(fx, &p);
	start = p.nxt;
	h_peer_send(fx, &p, PA, 1460);
	H_EXPECT_ONLY(fx, &p, A, p.ack, start + 1460);
	H_EXPECT_WND(fx, 0, 4096 - 1460);
	h_peer_send(fx, &p, PA, 1460);
	H_EXPECT_ONLY(fx, &p, A, p.ack, start + 2920);
	H_EXPECT_WND(fx, 0, 4096 - 2920);
	h_peer_send(fx, &p, PA, 1100);
	H_EXPECT_ONLY(fx, &p, A, p.ack, start + 4020);
	H_EXPECT_WND(fx, 0, 76);
	/* 150 more, but 76 fit: the excess is trimmed, not accepted. */
	h_peer_send(fx, &p, PA, 150);
	H_EXPECT_ONLY(fx, &p, A, p.ack, start + 4096);
	H_EXPECT_WND(fx, 0, 0);
	/* Zero window: data at RCV.NXT is not acceptable. */
	h_tx(fx, &p, PA, start + 4096, p.ack, p.wnd, 100);
	H_EXPECT_ONLY(fx, &p, A, p.ack, start + 4096);
	H_EXPECT_WND(fx, 0, 0);
	/* A zero-length probe below RCV.NXT gets an ACK too. */
	h_tx(fx, &p, A, start + 4095, p.ack, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, A, p.ack, start + 4096);
	/* A pure ACK at exactly RCV.NXT is fine, and needs no answer. */
	h_tx(fx, &p, A, start + 4096, p.ack, p.wnd, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(h_recv(fx, c, &p, NULL), 4096);
	assert_int_equal(h_recv_done(fx, c, 4096), 0);
	/* Window update. */
	H_EXPECT_ONLY(fx, &p, A, p.ack, start + 4096);
	H_EXPECT_WND(fx, 0, 4096);
	/* The retransmission (from the trimmed byte on) is accepted now. */
	h_tx(fx, &p, PA, start + 4096, p.ack, p.wnd, 284);
	H_EXPECT_ONLY(fx, &p, A, p.ack, start + 4380);
	assert_int_equal(h_recv(fx, c, &p, NULL), 284);
	h_close(fx, c);
}

static void
test_zero_window_still_takes_acks(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	uint32_t rn;

	replain(fx, 4096, WBUF);
	c = open_est(fx, &p);
	h_peer_send(fx, &p, PA, 1460);
	h_peer_send(fx, &p, PA, 1460);
	h_peer_send(fx, &p, PA, 1176);
	H_EXPECT_WND(fx, 0, 0);
	rn = p.nxt;
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	H_EXPECT_N(fx, 1);
	H_EXPECT_WND(fx, 0, 0);
	/* RFC 9293 3.10.7.4: with RCV.WND = 0 an ACK at RCV.NXT is taken. */
	h_tx(fx, &p, A, rn, p.our_base + 100, p.wnd, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(c->snd_una, p.our_base + 100);
	/* One off RCV.NXT: not acceptable, answered, its ACK ignored. */
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	h_tx(fx, &p, A, rn + 1, p.our_base + 200, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, A, p.our_base + 200, rn);
	assert_int_equal(c->snd_una, p.our_base + 100);
	h_tx(fx, &p, A, rn, p.our_base + 200, p.wnd, 0);
	assert_int_equal(c->snd_una, p.our_base + 200);
	(void)h_recv(fx, c, &p, NULL);
	h_close(fx, c);
}

static void
test_recv_window_scaled(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_opts o = { .present = TCPE_OPT_MSS | TCPE_OPT_WS,
	    .mss = 1460, .wscale = 0 };
	uint32_t ws;

	/* Default config: our shift, the peer's shift 0. */
	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_open_active(fx, &p, &o);
	ws = c->rcv_wscale;
	assert_true(c->flags & TCPE_CF_WSCALE);
	if (c->rcv_buf > 65535)
		assert_true(ws > 0);
	h_peer_send(fx, &p, PA, 1000);
	H_EXPECT_ONLY(fx, &p, A, p.ack, p.nxt);
	H_EXPECT_WND(fx, 0, min16((c->rcv_buf - 1000) >> ws));
	h_peer_send(fx, &p, PA, 1000);
	H_EXPECT_ONLY(fx, &p, A, p.ack, p.nxt);
	H_EXPECT_WND(fx, 0, min16((c->rcv_buf - 2000) >> ws));
	/* The peer's shift is 0: its field is taken as is. */
	assert_int_equal(c->snd_wnd, 8192);
	assert_int_equal(h_recv(fx, c, &p, NULL), 2000);
	h_close(fx, c);
}

/* ------------------------------------------------------------------------
 * ESTABLISHED: sending, windows, MSS, ACK processing.
 * ------------------------------------------------------------------------ */

static void
test_send_limited_by_peer_window(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	uint32_t b;

	h_peer_init(&p, 40000, 80, PISS, 1000);
	c = h_open_active(fx, &p, NULL);
	b = p.our_base;
	/* 3000 bytes queued, only the peer's 1000 go out. */
	assert_int_equal(h_send(fx, c, &p, 3000), 3000);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, b, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 1000);
	assert_int_equal(c->snd_nxt, b + 1000);
	/* Each ACK that opens the window lets more out. */
	h_tx(fx, &p, A, p.nxt, b + 1000, 1000, 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, b + 1000, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 1000);
	/*
	 * Same ACK, bigger window: a window update. The rest (1000 bytes,
	 * all that is queued) is short while an earlier short segment is
	 * unacknowledged: Nagle (Minshall's, as Linux) holds it until then.
	 */
	h_tx(fx, &p, A, p.nxt, b + 1000, 2000, 0);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, A, p.nxt, b + 2000, 2000, 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, b + 2000, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 1000);
	h_tx(fx, &p, A, p.nxt, b + 3000, 2000, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(c->snd_una, b + 3000);
	/* Every byte acknowledged: no payload buffer is left. */
	h_out_clear(fx);
	assert_int_equal(h_buf_live(), fx->live0);
	assert_int_equal(tcpe_conn_deadline(c), TCPE_TIME_NEVER);
	h_close(fx, c);
}

static void
test_send_window_scaled(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	struct tcpe_opts o = { .present = TCPE_OPT_MSS | TCPE_OPT_WS,
	    .mss = 1460, .wscale = 3 };
	uint32_t b;

	/* Default config; the SYN-ACK's 1000 is not scaled. */
	h_peer_init(&p, 40000, 80, PISS, 1000);
	c = h_open_active(fx, &p, &o);
	b = p.our_base;
	assert_int_equal(c->snd_wnd, 1000);
	assert_int_equal(h_send(fx, c, &p, 3000), 3000);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, b, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 1000);
	/* Later fields are: 250 << 3 = 2000. */
	h_tx(fx, &p, A, p.nxt, b + 1000, 250, 0);
	assert_int_equal(c->snd_wnd, 2000);
	H_EXPECT_N(fx, 2);
	H_EXPECT(fx, 0, &p, A, b + 1000, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 1460);
	H_EXPECT(fx, 1, &p, A, b + 2460, p.nxt);
	H_EXPECT_STREAM(fx, 1, &p, 540);
	h_tx(fx, &p, A, p.nxt, b + 3000, 250, 0);
	H_EXPECT_NONE(fx);
	h_close(fx, c);
}

static void
test_ack_of_unsent_data(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	int last;

	/* SEG.ACK > SND.NXT: send an ACK, drop the segment (with its data). */
	h_tx(fx, &p, PA, p.nxt, p.our_base + 1, p.wnd, 10);
	H_EXPECT_ONLY(fx, &p, A, p.our_base, p.nxt);
	assert_int_equal(h_recv(fx, c, &p, &last), 0);
	assert_int_equal(last, -EAGAIN);
	assert_int_equal(c->rcv_nxt, p.nxt);
	assert_int_equal(c->snd_una, p.our_base);
	EXPECT_STATE(fx, c, ESTABLISHED);
	h_close(fx, c);
}

static void
test_ack_too_old(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	int last;

	h_peer_init(&p, 40000, 80, PISS, 1000);
	c = h_open_active(fx, &p, NULL);
	assert_int_equal(h_send(fx, c, &p, 1000), 1000);
	h_tx(fx, &p, A, p.nxt, p.our_base + 1000, 1000, 0);
	assert_int_equal(h_send(fx, c, &p, 1000), 1000);
	h_tx(fx, &p, A, p.nxt, p.our_base + 2000, 1000, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(c->max_snd_wnd, 1000);
	/*
	 * RFC 5961 5.2: SEG.ACK below SND.UNA - MAX.SND.WND is not
	 * acceptable: ACK it back and drop the segment with its data.
	 */
	h_tx(fx, &p, PA, p.nxt, p.our_base + 500, 1000, 10);
	H_EXPECT_ONLY(fx, &p, A, p.our_base + 2000, p.nxt);
	assert_int_equal(h_recv(fx, c, &p, &last), 0);
	/* An old ACK within MAX.SND.WND is just a duplicate: data taken. */
	h_tx(fx, &p, PA, p.nxt, p.our_base + 1500, 1000, 10);
	p.nxt += 10;
	H_EXPECT_ONLY(fx, &p, A, p.our_base + 2000, p.nxt);
	assert_int_equal(h_recv(fx, c, &p, NULL), 10);
	h_close(fx, c);
}

static void
test_dup_ack_needs_no_answer(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);

	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, ESTABLISHED);
	h_close(fx, c);
}

static void
test_syn_in_established_challenge_ack(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);

	/* RFC 5961 4.2: any SYN in a synchronized state, in window... */
	h_tx(fx, &p, TCPE_TH_SYN, p.nxt, 0, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, A, p.our_base, p.nxt);
	EXPECT_STATE(fx, c, ESTABLISHED);
	assert_int_equal(MIB(fx, CHALLENGE_ACK), 1);
	/* ...or not (an old SYN, e.g. a retransmission)... */
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, A, p.our_base, p.nxt);
	/* ...or a SYN-ACK: a challenge ACK, nothing else changes. */
	h_tx(fx, &p, SA, p.nxt + 10, p.our_base, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, A, p.our_base, p.nxt);
	EXPECT_STATE(fx, c, ESTABLISHED);
	EXPECT_NO_EV(fx, c, TCPE_EV_ERROR);
	assert_int_equal(c->rcv_nxt, p.nxt);
	h_close(fx, c);
}

static void
test_data_rto_and_backoff(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	tcpe_time_t t0, t1, t2, rto, d;

	assert_int_equal(h_send(fx, c, &p, 100), 100);
	H_EXPECT_N(fx, 1);
	H_EXPECT_STREAM(fx, 0, &p, 100);
	t0 = fx->now;
	d = tcpe_conn_deadline(c);
	assert_true(d != TCPE_TIME_NEVER && d > t0);
	rto = d - t0;
	assert_true(rto >= TCPE_MS(fx->cfg.rto_min_ms));
	/* RFC 6298 5.4: resend the earliest unacknowledged segment. */
	t1 = h_fire(fx, t0, rto);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, p.our_base, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 100);
	assert_int_equal(MIB(fx, RETRANS_SEGS), 1);
	/* 5.5: double the RTO. */
	assert_int_equal(tcpe_conn_deadline(c) - t1, 2 * rto);
	t2 = h_fire(fx, t1, 2 * rto);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, p.our_base, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 100);
	assert_int_equal(tcpe_conn_deadline(c) - t2, 4 * rto);
	/* All acknowledged: the timer stops (5.2). */
	h_tx(fx, &p, A, p.nxt, p.our_base + 100, p.wnd, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(tcpe_conn_deadline(c), TCPE_TIME_NEVER);
	h_out_clear(fx);
	assert_int_equal(h_buf_live(), fx->live0);
	h_close(fx, c);
}

static void
test_rto_resends_one_segment(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	tcpe_time_t t0;

	assert_int_equal(h_send(fx, c, &p, 2 * MSS), 2 * MSS);
	H_EXPECT_N(fx, 2);
	t0 = fx->now;
	/*
	 * RFC 6298 5.4 retransmits the earliest segment; RFC 5681 3.1 then
	 * allows one segment (loss window) until ACKs return.
	 */
	(void)h_fire(fx, t0, tcpe_conn_deadline(c) - t0);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, p.our_base, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, MSS);
	/* Its ACK lets the rest be resent. */
	h_tx(fx, &p, A, p.nxt, p.our_base + MSS, p.wnd, 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, p.our_base + MSS, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, MSS);
	h_tx(fx, &p, A, p.nxt, p.our_base + 2 * MSS, p.wnd, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(tcpe_conn_deadline(c), TCPE_TIME_NEVER);
	/* And new data flows again. */
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, p.our_base + 2 * MSS, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 100);
	h_close(fx, c);
}

static void
test_data_retries_exhausted(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	struct tcpe_view v;
	tcpe_time_t t, rto;
	uint32_t i;

	fx->cfg.retries2 = 2;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	t = fx->now;
	rto = tcpe_conn_deadline(c) - t;
	for (i = 0; i < 2; i++) {
		t = h_fire(fx, t, rto);
		H_EXPECT_N(fx, 1);
		H_EXPECT(fx, 0, &p, A, p.our_base, p.nxt);
		rto *= 2;
	}
	(void)h_fire(fx, t, rto);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, -ETIMEDOUT);
	EXPECT_EV(fx, c, TCPE_EV_ERROR);
	assert_int_equal(tcpe_conn_recv(c, &v), -ETIMEDOUT);
	assert_int_equal(MIB(fx, ABORT_ON_TIMEOUT), 1);
	h_out_clear(fx);
	assert_int_equal(h_buf_live(), fx->live0);
	h_close(fx, c);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_zero_window_probe(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	const struct tcpe_oseg *o;
	tcpe_time_t t0, d;
	uint32_t i, end;

	h_peer_init(&p, 40000, 80, PISS, 0);
	c = h_open_active(fx, &p, NULL);
	assert_int_equal(c->snd_wnd, 0);
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	H_EXPECT_NONE(fx);
	t0 = fx->now;
	/* The persist timer must run, or the connection deadlocks. */
	d = tcpe_conn_deadline(c);
	assert_true(d != TCPE_TIME_NEVER);
	(void)h_fire(fx, t0, d - t0);
	/* A probe: one old byte's worth (Linux) or one new byte (RFC). */
	H_EXPECT_N(fx, 1);
	o = &fx->out.segs[0];
	H_CHECK(fx, (o->flags & H_FLAGS_MASK) == A &&
	    ((o->seq == p.our_base - 1 && o->len == 0) ||
	    (o->seq == p.our_base && o->len == 1)), "not a window probe");
	/* The window opens: the data follows. */
	h_tx(fx, &p, A, p.nxt, p.our_base, 8192, 0);
	H_CHECK(fx, fx->out.n >= 1, "nothing sent once the window opened");
	end = 0;
	for (i = 0; i < fx->out.n; i++) {
		o = &fx->out.segs[i];
		end = o->seq + o->len;
		H_EXPECT_STREAM(fx, i, &p, o->len);
	}
	H_CHECK(fx, fx->out.segs[0].seq == p.our_base ||
	    fx->out.segs[0].seq == p.our_base + 1, "first byte");
	assert_int_equal(end, p.our_base + 100);
	h_close(fx, c);
}

/*
 * With window scaling, the field counts units of 2^rcv_wscale. While the
 * application holds data, the edge we announce never recedes by a whole
 * unit (RFC 9293 3.8.6.2.1), every byte inside the announced window is
 * accepted, and the queue never exceeds the buffer by a unit or more,
 * even against a peer sending one byte at a time (fuzz_conn F5). Odd
 * segment sizes make the window a non-multiple of the unit.
 */
static void
test_scaled_window_edge_never_shrinks(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_opts o = { .present = TCPE_OPT_MSS | TCPE_OPT_WS,
	    .mss = 1460, .wscale = 7 };
	struct h_peer p;
	struct tcpe_conn *c;
	uint32_t edge, prev = 0, i, got, unit;
	const struct tcpe_oseg *a;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_open_active(fx, &p, &o);
	tcpe_conn_set_quickack(c, true);	/* an ACK per segment */
	assert_true(c->rcv_wscale > 0);
	unit = 1u << c->rcv_wscale;
	for (i = 0; i < 400 && c->rcv_adv != c->rcv_nxt; i++) {
		/* Leave a 1-byte remainder, then send single bytes. */
		got = c->rcv_adv - c->rcv_nxt;
		h_peer_send(fx, &p, A, got > 1001 ? 1001 : got > 1 ? got - 1 :
		    1);
		H_EXPECT_N(fx, 1);
		a = &fx->out.segs[0];
		assert_int_equal(a->ack, p.nxt);	/* nothing trimmed */
		edge = a->ack + ((uint32_t)a->wnd << c->rcv_wscale);
		if (i > 0)
			H_CHECK(fx, tcpe_seq_gt(edge + unit, prev),
			    "edge receded by a unit");
		prev = i == 0 ? edge : tcpe_seq_max(prev, edge);
		h_out_clear(fx);
		H_CHECK(fx, c->rcvq.bytes < c->rcv_buf + unit, "overshoot");
	}
	assert_int_equal(c->rcv_adv, c->rcv_nxt);
	assert_int_equal(MIB(fx, DROP_RCVBUF_FULL), 0);
	/* One byte at a time into the closed window: nothing more queued. */
	got = c->rcvq.bytes;
	for (i = 0; i < 20; i++) {
		h_tx(fx, &p, A, p.nxt, p.ack, p.wnd, 1);
		h_out_clear(fx);
	}
	assert_int_equal(c->rcvq.bytes, got);
	H_CHECK(fx, c->rcvq.bytes < c->rcv_buf + unit, "overshoot");
	h_close(fx, c);
}

/*
 * A SYN retransmission that finds struct tcpe_out full is retried by the
 * timer; if the SYN-ACK to the first SYN arrives meanwhile, SND.NXT must
 * follow SND.UNA and data must flow (fuzz_conn F6).
 */
static void
test_syn_resend_out_full(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	tcpe_time_t d;
	uint32_t cap;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	h_out_clear(fx);
	d = tcpe_stack_deadline(fx->s);
	cap = fx->out.cap;
	fx->out.cap = 0;		/* nothing fits */
	tcpe_stack_expire(fx->s, d + TCPE_MS(500), &fx->out);
	fx->now = d + TCPE_MS(500);
	fx->out.cap = cap;
	fx->out.full = false;
	assert_int_equal(fx->out.n, 0);
	/* The resend is still owed: a timer is armed for it. */
	assert_true(tcpe_stack_deadline(fx->s) != TCPE_TIME_NEVER);
	/* The SYN-ACK to the first SYN. */
	h_tx(fx, &p, TCPE_TH_SYN | A, PISS, p.our_base, 8192, 0);
	assert_int_equal(c->state, TCPE_ESTABLISHED);
	assert_int_equal(c->snd_nxt, c->snd_una);
	H_EXPECT_N(fx, 1);
	H_CHECK(fx, fx->out.segs[0].seq == p.our_base, "ACK below SND.UNA");
	h_out_clear(fx);
	p.nxt = PISS + 1;
	p.ack = p.our_base;
	/* Data goes out from SND.UNA (one segment: the SYN was resent). */
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	H_EXPECT_N(fx, 1);
	H_EXPECT_STREAM(fx, 0, &p, 100);
	h_out_clear(fx);
	h_close(fx, c);
}

/*
 * A peer that keeps its window shut cannot pin an orphan: probes count
 * against tcp_orphan_retries (0: 8), and the answers of a zero window do
 * not reset the count once nobody holds the connection (fuzz_conn F2).
 * It then goes silently, as Linux's tcp_probe_timer.
 */
static void
test_persist_orphan_gives_up(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	tcpe_time_t d;
	uint32_t i, limit = 8;

	assert_int_equal(fx->s->cfg.orphan_retries, 0);
	h_peer_init(&p, 40000, 80, PISS, 0);
	c = h_open_active(fx, &p, NULL);
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	H_EXPECT_NONE(fx);
	tcpe_conn_close(c, fx->now, &fx->out);	/* orphan in FIN_WAIT_1 */
	H_EXPECT_NONE(fx);
	for (i = 0; i < limit; i++) {
		d = tcpe_stack_deadline(fx->s);
		assert_true(d != TCPE_TIME_NEVER);
		h_expire(fx, d + TCPE_S(200));
		H_EXPECT_N(fx, 1);	/* the probe */
		h_out_clear(fx);
		/* The peer answers with its window still shut. */
		h_tx(fx, &p, A, p.nxt, p.our_base, 0, 0);
		h_out_clear(fx);
		assert_int_equal(NCONNS(fx), 1);
	}
	d = tcpe_stack_deadline(fx->s);
	assert_true(d != TCPE_TIME_NEVER);
	h_expire(fx, d + TCPE_S(200));
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
	assert_int_equal(MIB(fx, ABORT_ON_TIMEOUT), 1);
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
}

/* No event reaches a handle after tcpe_conn_close() (fuzz_conn F1). */
static void
test_close_drops_pending_events(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	uint16_t ev;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_open_active(fx, &p, NULL);
	/* The peer's FIN queues EOF for the application... */
	h_tx(fx, &p, A | TCPE_TH_FIN, p.nxt, p.our_base, 8192, 0);
	h_out_clear(fx);
	assert_int_equal(c->state, TCPE_CLOSE_WAIT);
	/* ...which closes before reading its events. */
	tcpe_conn_close(c, fx->now, &fx->out);
	assert_null(tcpe_stack_next_event(fx->s, &ev));
	h_out_clear(fx);
	assert_int_equal(NCONNS(fx), 1);	/* LAST_ACK, an orphan */
}

/* ------------------------------------------------------------------------
 * RST in each synchronized state (RFC 9293 3.10.7.4 second, RFC 5961 3).
 * ------------------------------------------------------------------------ */

static struct tcpe_conn *
open_in_state(struct h_fx *fx, struct h_peer *p, int state)
{
	struct tcpe_conn *c = open_est(fx, p);

	if (state != TCPE_ESTABLISHED)
		h_goto(fx, c, p, state);
	return c;
}

/* RST at exactly RCV.NXT: the connection is reset. */
#define ANY_ERR	1
static void
rst_exact(struct h_fx *fx, int state, uint8_t flags, int err)
{
	struct h_peer p;
	struct tcpe_conn *c = open_in_state(fx, &p, state);
	uint64_t resets = MIB(fx, ESTAB_RESETS);

	h_tx(fx, &p, flags, p.nxt, p.ack, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	if (err == ANY_ERR) {
		/* Closing states: whether the user hears of it is open. */
		H_CHECK(fx, c->err == 0 || c->err == -ECONNRESET, "err %d",
		    c->err);
		EXPECT_EV(fx, c, TCPE_EV_CLOSED);
	} else {
		assert_int_equal(c->err, err);
		EXPECT_EV(fx, c, TCPE_EV_ERROR | TCPE_EV_CLOSED);
	}
	assert_int_equal(tcpe_conn_deadline(c), TCPE_TIME_NEVER);
	if (state == TCPE_ESTABLISHED || state == TCPE_CLOSE_WAIT)
		assert_int_equal(MIB(fx, ESTAB_RESETS), resets + 1);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
	/* Gone: a segment for it now gets the closed port's answer. */
	h_tx(fx, &p, A, p.nxt, p.ack, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, TCPE_TH_RST, p.ack, 0);
}

/* RST inside the window but not at RCV.NXT: challenge ACK (5961 3.2). */
static void
rst_in_window(struct h_fx *fx, int state)
{
	struct h_peer p;
	struct tcpe_conn *c = open_in_state(fx, &p, state);
	uint64_t ch = MIB(fx, CHALLENGE_ACK);

	h_tx(fx, &p, TCPE_TH_RST, p.nxt + 1, 0, 0, 0);
	H_EXPECT_ONLY(fx, &p, A, c->snd_nxt, p.nxt);
	H_CHECK(fx, c->state == state, "state %s changed",
	    tcpe_state_name(c->state));
	assert_int_equal(c->err, 0);
	assert_int_equal(MIB(fx, CHALLENGE_ACK), ch + 1);
	h_tx(fx, &p, RA, p.nxt + 1000, p.ack, 0, 0);
	H_EXPECT_ONLY(fx, &p, A, c->snd_nxt, p.nxt);
	H_CHECK(fx, c->state == state, "state %s changed",
	    tcpe_state_name(c->state));
	EXPECT_NO_EV(fx, c, TCPE_EV_ERROR);
	h_close(fx, c);
}

/* RST outside the window: dropped silently. */
static void
rst_out_of_window(struct h_fx *fx, int state)
{
	struct h_peer p;
	struct tcpe_conn *c = open_in_state(fx, &p, state);

	h_tx(fx, &p, TCPE_TH_RST, p.nxt - 1, 0, 0, 0);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, RA, p.nxt + 4 * RBUF, p.ack, 0, 0);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, TCPE_TH_RST, p.nxt + 0x80000000u, 0, 0, 0);
	H_EXPECT_NONE(fx);
	H_CHECK(fx, c->state == state, "state %s changed",
	    tcpe_state_name(c->state));
	EXPECT_NO_EV(fx, c, TCPE_EV_ERROR);
	h_close(fx, c);
}

#define RST_TESTS(st, err) \
static void \
test_rst_exact_##st(void **state) \
{ \
	rst_exact(*state, TCPE_##st, TCPE_TH_RST, err); \
} \
static void \
test_rst_ack_exact_##st(void **state) \
{ \
	rst_exact(*state, TCPE_##st, RA, err); \
} \
static void \
test_rst_in_window_##st(void **state) \
{ \
	rst_in_window(*state, TCPE_##st); \
} \
static void \
test_rst_out_of_window_##st(void **state) \
{ \
	rst_out_of_window(*state, TCPE_##st); \
}

RST_TESTS(ESTABLISHED, -ECONNRESET)
RST_TESTS(FIN_WAIT_1, -ECONNRESET)
RST_TESTS(FIN_WAIT_2, -ECONNRESET)
RST_TESTS(CLOSE_WAIT, -ECONNRESET)
RST_TESTS(CLOSING, ANY_ERR)
RST_TESTS(LAST_ACK, ANY_ERR)

static void
test_rst_exact_TIME_WAIT(void **state)
{
	rst_exact(*state, TCPE_TIME_WAIT, TCPE_TH_RST, ANY_ERR);
}

static void
test_rst_out_of_window_TIME_WAIT(void **state)
{
	rst_out_of_window(*state, TCPE_TIME_WAIT);
}

/* The same for orphans: a reset frees them at once. */
static void
rst_orphan(struct h_fx *fx, int state)
{
	struct h_peer p;
	struct tcpe_conn *c = open_in_state(fx, &p, state);

	h_close(fx, c);
	H_EXPECT_NONE(fx);
	/* An orphan in TIME_WAIT is a record, not a TCB. */
	assert_int_equal(NCONNS(fx), state == TCPE_TIME_WAIT ? 0 : 1);
	assert_int_equal(fx->s->state_count[state], 1);
	h_tx(fx, &p, TCPE_TH_RST, p.nxt, 0, 0, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
	assert_int_equal(fx->s->state_count[state], 0);
}

static void
test_rst_orphan_FIN_WAIT_2(void **state)
{
	rst_orphan(*state, TCPE_FIN_WAIT_2);
}

static void
test_rst_orphan_CLOSING(void **state)
{
	rst_orphan(*state, TCPE_CLOSING);
}

static void
test_rst_orphan_LAST_ACK(void **state)
{
	rst_orphan(*state, TCPE_LAST_ACK);
}

static void
test_rst_orphan_TIME_WAIT(void **state)
{
	rst_orphan(*state, TCPE_TIME_WAIT);
}

static void
test_syn_in_states_challenge_ack(void **state)
{
	static const int states[] = { TCPE_FIN_WAIT_1, TCPE_FIN_WAIT_2,
	    TCPE_CLOSE_WAIT, TCPE_CLOSING, TCPE_LAST_ACK };
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		c = open_in_state(fx, &p, states[i]);
		h_tx(fx, &p, TCPE_TH_SYN, p.nxt, 0, p.wnd, 0);
		H_EXPECT_ONLY(fx, &p, A, c->snd_nxt, p.nxt);
		H_CHECK(fx, c->state == states[i], "state %s changed",
		    tcpe_state_name(c->state));
		h_close(fx, c);
		h_fx_restart(fx);
	}
}

/* ------------------------------------------------------------------------
 * Closing (RFC 9293 3.6, 3.10.4, 3.10.7.4 eighth).
 * ------------------------------------------------------------------------ */

static void
test_active_close_shutdown(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t tw;
	int last;

	assert_int_equal(h_shutdown(fx, c, TCPE_SHUT_WR), 0);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	EXPECT_STATE(fx, c, FIN_WAIT_1);
	assert_int_equal(h_send(fx, c, &p, 10), -EPIPE);
	assert_int_equal(tcpe_conn_send_space(c), 0);
	/* A second shutdown sends nothing more. */
	assert_int_equal(h_shutdown(fx, c, TCPE_SHUT_WR), 0);
	H_EXPECT_NONE(fx);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, FIN_WAIT_2);
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	EXPECT_STATE(fx, c, TIME_WAIT);
	EXPECT_EV(fx, c, TCPE_EV_EOF);
	assert_int_equal(h_recv(fx, c, &p, &last), 0);
	assert_int_equal(last, 0);
	/* 2 MSL = tcp_timewait_len, then CLOSED, quietly. */
	tw = fx->now;
	(void)h_fire(fx, tw, TCPE_S(fx->cfg.timewait_len));
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, 0);
	EXPECT_EV(fx, c, TCPE_EV_CLOSED);
	EXPECT_NO_EV(fx, c, TCPE_EV_ERROR);
	assert_int_equal(NCONNS(fx), 1);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_active_close_orphan_time_wait(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t tw;

	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	assert_int_equal(NSTATE(fx, FIN_WAIT_1), 1);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(NSTATE(fx, FIN_WAIT_2), 1);
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	assert_int_equal(NSTATE(fx, TIME_WAIT), 1);
	tw = fx->now;
	/* Still there 1 ns before 2 MSL, gone at it. */
	(void)h_fire(fx, tw, TCPE_S(fx->cfg.timewait_len));
	H_EXPECT_NONE(fx);
	assert_int_equal(NSTATE(fx, TIME_WAIT), 0);
	assert_int_equal(NCONNS(fx), 0);
	assert_int_equal(tcpe_stack_deadline(fx->s), TCPE_TIME_NEVER);
}

static void
test_time_wait_not_expired_early(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	tcpe_time_t tw, len, d;

	h_goto(fx, c, &p, TCPE_TIME_WAIT);
	tw = fx->now;
	len = TCPE_S(fx->cfg.timewait_len);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	/* (Stale, lazily re-armed wheel entries may fire before.) */
	h_expire(fx, tw + len - TCPE_MS(1));
	H_EXPECT_NONE(fx);
	assert_int_equal(NSTATE(fx, TIME_WAIT), 1);
	d = tcpe_stack_deadline(fx->s);
	assert_true(d >= tw + len && d <= tw + len * 8 / 7 + 2 * H_TICK);
	h_expire(fx, tw + len * 8 / 7 + 2 * H_TICK);
	H_EXPECT_NONE(fx);
	assert_int_equal(NSTATE(fx, TIME_WAIT), 0);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_time_wait_fin_retransmitted(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t;

	h_goto(fx, c, &p, TCPE_TIME_WAIT);
	h_close(fx, c);
	/* Our last ACK was lost: the peer's FIN again gets an ACK... */
	fx->now += TCPE_S(10);
	h_tx(fx, &p, FA, p.nxt - 1, fin + 1, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	assert_int_equal(NSTATE(fx, TIME_WAIT), 1);
	/* ...and the 2 MSL wait restarts (RFC 9293 3.10.7.4 eighth). */
	t = fx->now;
	(void)h_fire(fx, t, TCPE_S(fx->cfg.timewait_len));
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
}

/*
 * A new SYN on the 4-tuple of a server-side TIME_WAIT (the client reused
 * its port after the server closed first): beyond RCV.NXT it reopens the
 * connection through the listener, with an ISS above the old SND.NXT
 * (RFC 1122 4.2.2.13, Linux TCP_TW_SYN); an older one gets an ACK.
 */
static void
test_time_wait_syn_reopens(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c;
	struct h_peer p;
	struct tcpe_seg syn;
	uint32_t old_nxt, old_rcv;

	h_peer_init(&p, 80, 40000, PISS, 8192);
	c = h_open_passive(fx, l, &p, NULL);
	h_goto(fx, c, &p, TCPE_TIME_WAIT);
	old_nxt = c->snd_nxt;
	old_rcv = c->rcv_nxt;
	h_close(fx, c);		/* c is now a TIME_WAIT record */
	assert_int_equal(NSTATE(fx, TIME_WAIT), 1);
	/* An old SYN (not beyond RCV.NXT): ACK, TIME_WAIT kept. */
	syn = h_seg(&p.t, TCPE_TH_SYN, old_rcv - 10, 0, 8192);
	h_input(fx, &syn);
	H_EXPECT_ONLY(fx, &p, A, old_nxt, old_rcv);
	assert_int_equal(NSTATE(fx, TIME_WAIT), 1);
	/* A new incarnation: SYN-ACK from ISS old SND.NXT + 65537. */
	syn = h_seg(&p.t, TCPE_TH_SYN, old_rcv + 100000, 0, 8192);
	h_seg_mss(&syn, 1460);
	h_input(fx, &syn);
	H_EXPECT_N(fx, 1);
	H_CHECK(fx, fx->out.segs[0].flags == (TCPE_TH_SYN | TCPE_TH_ACK),
	    "no SYN-ACK");
	assert_int_equal(fx->out.segs[0].seq, old_nxt + 65537);
	assert_int_equal(fx->out.segs[0].ack, old_rcv + 100001);
	assert_int_equal(NSTATE(fx, TIME_WAIT), 0);
	assert_int_equal(NSTATE(fx, SYN_RECEIVED), 1);
	h_out_clear(fx);
	h_close(fx, l);		/* resets the half-open child */
	h_out_clear(fx);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_time_wait_other_segments(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;

	h_goto(fx, c, &p, TCPE_TIME_WAIT);
	/* A duplicate ACK: nothing to say. */
	h_tx(fx, &p, A, p.nxt, fin + 1, p.wnd, 0);
	H_EXPECT_NONE(fx);
	/* An old data segment: ACK it. */
	h_tx(fx, &p, PA, p.nxt - 11, fin + 1, p.wnd, 10);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	EXPECT_STATE(fx, c, TIME_WAIT);
	h_close(fx, c);
}

static void
test_passive_close(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	int last;

	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, p.our_base, p.nxt);
	EXPECT_STATE(fx, c, CLOSE_WAIT);
	EXPECT_EV(fx, c, TCPE_EV_EOF);
	assert_int_equal(h_recv(fx, c, &p, &last), 0);
	assert_int_equal(last, 0);
	/* CLOSE_WAIT: we may still send. */
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, p.our_base, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 100);
	p.ack = p.our_base + 100;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	/* close: FIN, LAST_ACK; its ACK ends everything. */
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, p.our_base + 100, p.nxt);
	assert_int_equal(NSTATE(fx, LAST_ACK), 1);
	p.ack++;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
	assert_int_equal(tcpe_stack_deadline(fx->s) == TCPE_TIME_NEVER ||
	    tcpe_stack_deadline(fx->s) > fx->now, 1);
}

static void
test_passive_close_handle_kept(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);

	h_goto(fx, c, &p, TCPE_LAST_ACK);
	p.ack = c->snd_nxt;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, 0);
	EXPECT_EV(fx, c, TCPE_EV_CLOSED);
	EXPECT_NO_EV(fx, c, TCPE_EV_ERROR);
	assert_int_equal(tcpe_conn_deadline(c), TCPE_TIME_NEVER);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_fin_with_data(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	int last;

	h_peer_send(fx, &p, FA | TCPE_TH_PSH, 100);
	/* The ACK covers the 100 bytes and the FIN. */
	H_EXPECT_ONLY(fx, &p, A, p.our_base, p.nxt);
	EXPECT_STATE(fx, c, CLOSE_WAIT);
	EXPECT_EV(fx, c, TCPE_EV_READABLE | TCPE_EV_EOF);
	/* The data first, then end of stream. */
	assert_int_equal(h_recv(fx, c, &p, &last), 100);
	assert_int_equal(last, 0);
	h_close(fx, c);
}

static void
test_fin_after_gap_not_processed(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);

	/* A FIN beyond a hole cannot be taken yet. */
	h_tx(fx, &p, FA, p.nxt + 10, p.ack, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, A, p.our_base, p.nxt);
	EXPECT_STATE(fx, c, ESTABLISHED);
	EXPECT_NO_EV(fx, c, TCPE_EV_EOF);
	/* Fill the hole with the FIN retransmitted: now it counts. */
	h_peer_send(fx, &p, FA, 10);
	H_EXPECT_ONLY(fx, &p, A, p.our_base, p.nxt);
	EXPECT_STATE(fx, c, CLOSE_WAIT);
	assert_int_equal(h_recv(fx, c, &p, NULL), 10);
	h_close(fx, c);
}

static void
test_fin_ack_in_fin_wait_1(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;

	h_goto(fx, c, &p, TCPE_FIN_WAIT_1);
	/* FIN and the ACK of our FIN together: straight to TIME_WAIT. */
	p.ack = fin + 1;
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	EXPECT_STATE(fx, c, TIME_WAIT);
	EXPECT_EV(fx, c, TCPE_EV_EOF);
	h_close(fx, c);
}

static void
test_simultaneous_close(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t;

	/* FIN_WAIT_1 -> (FIN) CLOSING, ACK sent; asserted by h_goto. */
	h_goto(fx, c, &p, TCPE_CLOSING);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, TIME_WAIT);
	t = fx->now;
	h_close(fx, c);
	(void)h_fire(fx, t, TCPE_S(fx->cfg.timewait_len));
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_shutdown_wr_then_read(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;

	h_goto(fx, c, &p, TCPE_FIN_WAIT_1);
	/* Data that crosses our FIN: still delivered. */
	h_peer_send(fx, &p, PA, 100);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	EXPECT_STATE(fx, c, FIN_WAIT_1);
	p.ack = fin + 1;
	h_peer_send(fx, &p, PA, 200);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	EXPECT_STATE(fx, c, FIN_WAIT_2);
	h_peer_send(fx, &p, PA, 300);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	H_EXPECT_WND(fx, 0, RBUF - 600);
	EXPECT_EV(fx, c, TCPE_EV_READABLE);
	assert_int_equal(h_recv(fx, c, &p, NULL), 600);
	h_close(fx, c);
}

static void
test_close_with_unread_data_resets(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);

	h_peer_send(fx, &p, PA, 100);
	h_close(fx, c);
	/* RFC 9293 3.10.4 (and Linux): unread data means RST. */
	H_EXPECT_N(fx, 1);
	H_EXPECT_RST(fx, 0, &p, p.our_base, p.nxt);
	assert_int_equal(MIB(fx, ABORT_ON_CLOSE), 1);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_close_with_taken_but_unreleased_data(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;

	/* Read (but not recv_done): the application saw it, FIN is fine. */
	h_peer_send(fx, &p, PA, 100);
	assert_int_equal(h_recv(fx, c, &p, NULL), 100);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	assert_int_equal(MIB(fx, ABORT_ON_CLOSE), 0);
}

static void
test_close_sends_queued_data_first(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	uint32_t b;

	h_peer_init(&p, 40000, 80, PISS, 1000);
	c = h_open_active(fx, &p, NULL);
	b = p.our_base;
	assert_int_equal(h_send(fx, c, &p, 3000), 3000);
	H_EXPECT_N(fx, 1);
	/* The FIN waits behind the data the window holds back. */
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	assert_int_equal(NSTATE(fx, FIN_WAIT_1), 1);
	h_tx(fx, &p, A, p.nxt, b + 1000, 1000, 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, b + 1000, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 1000);
	/* The FIN rides on the last data segment. */
	h_tx(fx, &p, A, p.nxt, b + 2000, 1000, 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, FA, b + 2000, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 1000);
	h_tx(fx, &p, A, p.nxt, b + 3001, 1000, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(NSTATE(fx, FIN_WAIT_2), 1);
	p.ack = b + 3001;
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, b + 3001, p.nxt);
	assert_int_equal(NSTATE(fx, TIME_WAIT), 1);
}

static void
test_fin_retransmitted(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t0, d;

	h_goto(fx, c, &p, TCPE_FIN_WAIT_1);
	t0 = fx->now;
	d = tcpe_conn_deadline(c);
	assert_true(d != TCPE_TIME_NEVER);
	(void)h_fire(fx, t0, d - t0);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	assert_int_equal(MIB(fx, RETRANS_SEGS), 1);
	EXPECT_STATE(fx, c, FIN_WAIT_1);
	h_close(fx, c);
}

static void
test_last_ack_fin_retransmitted(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t0, d;

	h_goto(fx, c, &p, TCPE_LAST_ACK);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	t0 = fx->now;
	d = tcpe_stack_deadline(fx->s);
	assert_true(d != TCPE_TIME_NEVER);
	(void)h_fire(fx, t0, TCPE_MS(fx->cfg.rto_initial_ms));
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_orphan_data_after_close_resets(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;

	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	assert_int_equal(NSTATE(fx, FIN_WAIT_2), 1);
	/*
	 * Nobody will ever read it: Linux TCPAbortOnData, RST. Its seq must
	 * be the peer's RCV.NXT; an ACK on it must not cover the data.
	 */
	h_peer_send(fx, &p, PA, 10);
	H_EXPECT_N(fx, 1);
	H_EXPECT_RST(fx, 0, &p, fin + 1, p.nxt - 10);
	assert_int_equal(MIB(fx, ABORT_ON_DATA), 1);
	assert_int_equal(NCONNS(fx), 0);
}

/* ------------------------------------------------------------------------
 * Application calls: send ownership, errors, events.
 * ------------------------------------------------------------------------ */

static void
test_send_full_acceptance_transfers_ref(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	struct tcpe_buf *b = h_buf_pattern(100, H_OUR_SEED);
	struct tcpe_view v = { .buf = b, .off = 0, .len = 100 };
	long live = h_buf_live();

	h_out_clear(fx);
	assert_int_equal(tcpe_conn_send(c, &v, fx->now, &fx->out), 100);
	p.app_sent = 100;
	assert_int_equal(v.len, 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT_STREAM(fx, 0, &p, 100);
	/* Our reference went to the connection, the segment has its own. */
	assert_int_equal(h_buf_refs(b), 2);
	h_out_clear(fx);
	assert_int_equal(h_buf_refs(b), 1);
	/* Once acknowledged, the connection drops it: freed. */
	h_tx(fx, &p, A, p.nxt, p.our_base + 100, p.wnd, 0);
	assert_int_equal(h_buf_live(), live - 1);
	h_close(fx, c);
}

static void
test_send_partial_acceptance_keeps_ref(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	struct tcpe_buf *b;
	struct tcpe_view v;
	long live;
	uint32_t i;

	replain(fx, RBUF, 4096);
	c = open_est(fx, &p);
	tcpe_conn_set_nodelay(c, true);	/* segments as queued, no Nagle */
	assert_int_equal(tcpe_conn_send_space(c), 4096);
	b = h_buf_pattern(5000, H_OUR_SEED);
	v.buf = b;
	v.off = 0;
	v.len = 5000;
	live = h_buf_live();
	h_out_clear(fx);
	assert_int_equal(tcpe_conn_send(c, &v, fx->now, &fx->out), 4096);
	p.app_sent = 4096;
	/* The rest is still ours, the view advanced past what was taken. */
	assert_ptr_equal(v.buf, b);
	assert_int_equal(v.off, 4096);
	assert_int_equal(v.len, 904);
	H_EXPECT_N(fx, 3);
	for (i = 0; i < 3; i++)
		H_EXPECT_STREAM(fx, i, &p, i < 2 ? 1460 : 1176);
	h_out_clear(fx);
	assert_int_equal(h_buf_refs(b), 2);	/* ours + the connection's */
	assert_int_equal(tcpe_conn_send_space(c), 0);
	/* A full buffer takes nothing and leaves everything to us. */
	assert_int_equal(tcpe_conn_send(c, &v, fx->now, &fx->out), 0);
	assert_int_equal(v.len, 904);
	assert_int_equal(h_buf_refs(b), 2);
	(void)h_events(fx, c);
	/* Space freed by an ACK: WRITABLE. */
	h_tx(fx, &p, A, p.nxt, p.our_base + 2920, p.wnd, 0);
	EXPECT_EV(fx, c, TCPE_EV_WRITABLE);
	assert_int_equal(tcpe_conn_send_space(c), 2920);
	/* The rest; now complete: our reference goes with it. */
	assert_int_equal(tcpe_conn_send(c, &v, fx->now, &fx->out), 904);
	p.app_sent += 904;
	assert_int_equal(v.len, 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, p.our_base + 4096, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 904);
	h_out_clear(fx);
	/* Two views of b queued: [2920, 4096) unacked, and [4096, 5000). */
	assert_int_equal(h_buf_refs(b), 2);
	h_tx(fx, &p, A, p.nxt, p.our_base + 5000, p.wnd, 0);
	H_EXPECT_NONE(fx);
	assert_int_equal(h_buf_live(), live - 1);
	h_close(fx, c);
}

static void
test_send_and_recv_errors(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c;
	struct h_peer p;
	struct tcpe_view v;

	h_peer_init(&p, 80, 50000, PISS, 8192);
	assert_int_equal(h_send(fx, l, &p, 10), -ENOTCONN);
	assert_int_equal(h_shutdown(fx, l, TCPE_SHUT_WR), -ENOTCONN);
	c = open_est(fx, &p);
	assert_int_equal(h_shutdown(fx, c, 0), -EINVAL);
	assert_int_equal(h_shutdown(fx, c, 4), -EINVAL);
	H_EXPECT_NONE(fx);
	assert_int_equal(tcpe_conn_recv(c, &v), -EAGAIN);
	/* Reset by the peer. */
	h_tx(fx, &p, TCPE_TH_RST, p.nxt, 0, 0, 0);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(tcpe_conn_recv(c, &v), -ECONNRESET);
	/* tcpe_conn.h: -EPIPE once the connection is closed or reset. */
	assert_int_equal(h_send(fx, c, &p, 10), -EPIPE);
	assert_int_equal(tcpe_conn_send_space(c), 0);
	h_close(fx, c);
	h_close(fx, l);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_shutdown_rd(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	struct tcpe_view v;

	/* SHUT_RD: reads report EOF, nothing is sent. */
	assert_int_equal(h_shutdown(fx, c, TCPE_SHUT_RD), 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, ESTABLISHED);
	assert_int_equal(tcpe_conn_recv(c, &v), 0);
	/* Writing still works. */
	assert_int_equal(h_send(fx, c, &p, 10), 10);
	H_EXPECT_N(fx, 1);
	h_close(fx, c);
}

static void
test_abort(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);

	h_out_clear(fx);
	assert_int_equal(tcpe_conn_abort(c, fx->now, &fx->out), 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT_RST(fx, 0, &p, p.our_base, p.nxt);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(NCONNS(fx), 1);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_next_event_api(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c, *x;
	struct h_peer p, q;
	uint16_t ev = 0;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	h_tx(fx, &p, SA, PISS, p.ack, 8192, 0);
	x = tcpe_stack_next_event(fx->s, &ev);
	assert_ptr_equal(x, c);
	assert_true(ev & TCPE_EV_CONNECTED);
	assert_null(tcpe_stack_next_event(fx->s, &ev));
	/* An unaccepted child never shows; its listener does. */
	h_peer_init(&q, 80, 50000, PISS, 8192);
	h_tx(fx, &q, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_N(fx, 1);
	h_tx(fx, &q, PA, PISS + 1, fx->out.segs[0].seq + 1, 8192, 10);
	x = tcpe_stack_next_event(fx->s, &ev);
	assert_ptr_equal(x, l);
	assert_true(ev & TCPE_EV_ACCEPT);
	assert_null(tcpe_stack_next_event(fx->s, &ev));
	x = tcpe_stack_accept(l);
	assert_non_null(x);
	h_close(fx, x);	/* unread data: reset */
	h_close(fx, c);
	h_close(fx, l);
	assert_null(tcpe_stack_next_event(fx->s, &ev));
}

static void
test_simultaneous_open_rst_refused(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;

	h_peer_init(&p, 40000, 80, PISS, 8192);
	c = h_connect(fx, &p);
	h_tx(fx, &p, TCPE_TH_SYN, PISS, 0, 8192, 0);
	H_EXPECT_ONLY(fx, &p, SA, c->iss, PISS + 1);
	/* From SYN-SENT, an RST in SYN-RECEIVED means refused (3.10.7.4). */
	h_tx(fx, &p, TCPE_TH_RST, PISS + 1, 0, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, -ECONNREFUSED);
	EXPECT_EV(fx, c, TCPE_EV_ERROR);
	h_close(fx, c);
	assert_int_equal(NCONNS(fx), 0);
}

static void
test_orphan_fin_wait_2_times_out(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t, len, d;

	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	assert_int_equal(NSTATE(fx, FIN_WAIT_2), 1);
	/*
	 * The peer never sends its FIN. An orphan cannot wait for ever:
	 * tcp_fin_timeout, then it is dropped quietly (Linux moves it to a
	 * FIN_WAIT_2 timewait record for that long).
	 */
	t = fx->now;
	len = TCPE_S(fx->cfg.fin_timeout);
	assert_true(len > 0);
	/* (This also runs any stale, lazily re-armed wheel entry.) */
	h_expire(fx, t + len - TCPE_MS(1));
	H_EXPECT_NONE(fx);
	assert_int_equal(NSTATE(fx, FIN_WAIT_2), 1);
	d = tcpe_stack_deadline(fx->s);
	assert_true(d >= t + len && d <= t + len + len / 7 + 2 * H_TICK);
	h_expire(fx, d);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
	/* Its FIN, too late, meets a closed port. */
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, TCPE_TH_RST, fin + 1, 0);
}

static void
test_fin_wait_2_held_waits_until_close(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	tcpe_time_t t, len, d;

	/* shutdown(WR) only: the application may still read, no limit. */
	h_goto(fx, c, &p, TCPE_FIN_WAIT_2);
	len = TCPE_S(fx->cfg.fin_timeout);
	h_expire(fx, fx->now + 10 * len);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, FIN_WAIT_2);
	h_peer_send(fx, &p, PA, 10);
	H_EXPECT_ONLY(fx, &p, A, c->snd_nxt, p.nxt);
	assert_int_equal(h_recv(fx, c, &p, NULL), 10);
	/* close() makes it an orphan: the timeout starts now. */
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	t = fx->now;
	h_expire(fx, t + len - TCPE_MS(1));
	H_EXPECT_NONE(fx);
	assert_int_equal(NSTATE(fx, FIN_WAIT_2), 1);
	d = tcpe_stack_deadline(fx->s);
	assert_true(d >= t + len && d <= t + len + len / 7 + 2 * H_TICK);
	h_expire(fx, d);
	H_EXPECT_NONE(fx);
	assert_int_equal(NCONNS(fx), 0);
}

/* ------------------------------------------------------------------------
 * Fuzz-ish: seeded random segments and application calls. Nothing may
 * crash, every emitted segment must be well formed and carry our stream
 * at its sequence number, what we read must be the peer's stream, and no
 * buffer may outlive the stack.
 * ------------------------------------------------------------------------ */

static uint64_t rng;

static uint32_t
rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static uint32_t
rnd_n(uint32_t n)
{
	return n == 0 ? 0 : rnd() % n;
}

static void
fuzz_check_out(struct h_fx *fx, const struct h_peer *p, bool ours)
{
	const struct tcpe_oseg *o;
	uint32_t i;

	for (i = 0; i < fx->out.n; i++) {
		o = &fx->out.segs[i];
		H_CHECK(fx, o->nviews <= TCPE_OSEG_MAX_VIEWS, "[%u] views", i);
		H_CHECK(fx, o->len <= MSS, "[%u] %u bytes > MSS", i, o->len);
		H_CHECK(fx, !((o->flags & TCPE_TH_RST) &&
		    (o->flags & TCPE_TH_SYN)), "[%u] SYN+RST", i);
		H_CHECK(fx, !((o->flags & TCPE_TH_RST) && o->len > 0),
		    "[%u] RST with data", i);
		if (ours && o->len > 0 && tcpe_tuple_eq(&o->t, &p->t))
			h_expect_stream(__FILE__, __LINE__, fx, i, p, o->len);
		else
			h_expect_len(__FILE__, __LINE__, fx, i, o->len);
	}
}

static void
fuzz_check_conn(struct h_fx *fx, const struct tcpe_conn *c)
{
	if (!tcpe_state_synchronized(c->state))
		return;
	H_CHECK(fx, tcpe_seq_leq(c->snd_una, c->snd_nxt) &&
	    tcpe_seq_leq(c->snd_nxt, c->snd_max),
	    "una %u nxt %u max %u", c->snd_una, c->snd_nxt, c->snd_max);
	H_CHECK(fx, c->sndq.bytes <= c->snd_buf, "sndq %u > %u",
	    c->sndq.bytes, c->snd_buf);
	H_CHECK(fx, c->rcvq.bytes + c->rcv_held <= c->rcv_buf,
	    "rcvq %u + held %u > %u", c->rcvq.bytes, c->rcv_held,
	    c->rcv_buf);
}

static const uint8_t fuzz_flags[] = {
	A, A, A, A, A, PA, PA, PA, PA, PA, FA, FA | TCPE_TH_PSH,
	TCPE_TH_RST, RA, TCPE_TH_SYN, SA, TCPE_TH_FIN, 0, A | TCPE_TH_URG,
	TCPE_TH_SYN | TCPE_TH_FIN, 0xff,
};

static void
fuzz_segment(struct h_fx *fx, struct tcpe_conn *c, struct h_peer *p)
{
	struct tcpe_opts o;
	uint32_t seq, ack, len;
	uint16_t wnd;
	uint8_t flags;

	flags = fuzz_flags[rnd_n(sizeof(fuzz_flags))];
	switch (rnd_n(5)) {
	case 0:
		seq = rnd();
		break;
	case 1:
	case 2:
		seq = c->rcv_nxt;
		break;
	default:
		seq = c->rcv_nxt + rnd_n(8000) - 4000;
		break;
	}
	switch (rnd_n(5)) {
	case 0:
		ack = rnd();
		break;
	case 1:
		ack = c->snd_nxt;
		break;
	case 2:
		ack = c->snd_max;
		break;
	default:
		ack = c->snd_una + rnd_n(c->snd_max - c->snd_una + 3000) -
		    1000;
		break;
	}
	wnd = rnd_n(4) == 0 ? 0 : (uint16_t)rnd_n(65536);
	len = rnd_n(3) == 0 ? 0 : rnd_n(2000);
	memset(&o, 0, sizeof(o));
	if (rnd_n(8) == 0) {
		o.present = (uint8_t)rnd_n(32);
		o.mss = (uint16_t)rnd();
		o.wscale = (uint8_t)rnd_n(20);
	}
	h_tx_opts(fx, p, flags, seq, ack, wnd, len, &o);
}

static uint32_t fuzz_state_hist[TCPE_STATE_MAX];

static void
fuzz_established(struct h_fx *fx, uint64_t seed, uint32_t steps)
{
	struct h_peer p;
	struct tcpe_conn *c;
	uint32_t i, r, held, opened = 1;
	uint16_t port = 40000;
	int last;

	rng = seed;
	c = open_est(fx, &p);
	for (i = 0; i < steps; i++) {
		if (c->state == TCPE_CLOSED) {
			/* Reset or timed out: go on with a fresh connection. */
			h_close(fx, c);
			fuzz_check_out(fx, &p, true);
			port++;
			h_peer_init(&p, port, 80, rnd(), 8192);
			c = h_open_active(fx, &p, NULL);
			opened++;
		}
		fuzz_state_hist[c->state]++;
		r = rnd_n(100);
		if (r < 65) {
			fuzz_segment(fx, c, &p);
		} else if (r < 75) {
			(void)h_send(fx, c, &p, rnd_n(3000));
		} else if (r < 85) {
			(void)h_recv(fx, c, &p, &last);
			held = c->rcv_held;
			(void)h_recv_done(fx, c, rnd_n(held + 1));
		} else if (r < 97) {
			h_expire(fx, fx->now + TCPE_MS(rnd_n(4000)));
		} else if (r < 98) {
			(void)h_shutdown(fx, c, TCPE_SHUT_WR);
		} else {
			h_out_clear(fx);
			(void)tcpe_conn_output(c, fx->now, &fx->out);
		}
		fuzz_check_out(fx, &p, true);
		fuzz_check_conn(fx, c);
	}
	(void)opened;
	h_close(fx, c);
	fuzz_check_out(fx, &p, true);
	/* Let every timer run out. */
	for (i = 0; i < 1000 && tcpe_stack_deadline(fx->s) !=
	    TCPE_TIME_NEVER; i++) {
		h_expire(fx, tcpe_stack_deadline(fx->s));
		fuzz_check_out(fx, &p, true);
	}
}

static void
test_fuzz_established(void **state)
{
	struct h_fx *fx = *state;
	uint64_t seed;

	for (seed = 1; seed <= 24; seed++) {
		fuzz_established(fx, seed * 0x9e3779b97f4a7c15ULL, 3000);
		h_fx_restart(fx);
		assert_int_equal(h_buf_live(), fx->live0);
	}
}

static void
test_fuzz_established_small_buffers(void **state)
{
	struct h_fx *fx = *state;
	uint64_t seed;

	for (seed = 1; seed <= 12; seed++) {
		replain(fx, 3000, 2000);
		fuzz_established(fx, seed * 0xda942042e4dd58b5ULL, 3000);
	}
	h_fx_restart(fx);
	assert_int_equal(h_buf_live(), fx->live0);
}

static void
test_fuzz_listener(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l, *kids[64];
	struct h_peer p[4];
	uint32_t i, j, r, nkids = 0;
	uint64_t seed;
	struct tcpe_opts o;

	for (seed = 1; seed <= 12; seed++) {
		rng = seed * 0x2545f4914f6cdd1dULL;
		fx->cfg.max_conns = 6;
		h_fx_restart(fx);
		l = h_listen(fx, 80, 3);
		nkids = 0;
		for (j = 0; j < 4; j++)
			h_peer_init(&p[j], 80, (uint16_t)(50000 + j),
			    rnd(), 8192);
		for (i = 0; i < 3000; i++) {
			struct h_peer *q = &p[rnd_n(4)];

			r = rnd_n(100);
			if (r < 70) {
				memset(&o, 0, sizeof(o));
				if (rnd_n(2))
					o.present = TCPE_OPT_MSS | TCPE_OPT_WS;
				o.mss = (uint16_t)rnd();
				o.wscale = (uint8_t)rnd_n(16);
				h_tx_opts(fx, q,
				    fuzz_flags[rnd_n(sizeof(fuzz_flags))],
				    q->iss + rnd_n(5) - 2, rnd_n(3) == 0 ?
				    rnd() : q->ack + rnd_n(3) - 1,
				    (uint16_t)rnd(), rnd_n(4) == 0 ?
				    rnd_n(1500) : 0, &o);
				/* Learn our ISS from a SYN-ACK, as a peer. */
				if (fx->out.n == 1 &&
				    fx->out.segs[0].flags == SA)
					q->ack = fx->out.segs[0].seq + 1;
			} else if (r < 80) {
				struct tcpe_conn *k = tcpe_stack_accept(l);

				if (k != NULL && nkids < 64)
					kids[nkids++] = k;
				else if (k != NULL)
					h_close(fx, k);
			} else if (r < 88 && nkids > 0) {
				j = rnd_n(nkids);
				h_close(fx, kids[j]);
				kids[j] = kids[--nkids];
			} else {
				h_expire(fx, fx->now +
				    TCPE_MS(rnd_n(3000)));
			}
			fuzz_check_out(fx, &p[0], false);
			assert_true(NCONNS(fx) <= fx->cfg.max_conns);
			assert_true(l->lq->acc_len <= l->lq->backlog);
		}
		while (nkids > 0)
			h_close(fx, kids[--nkids]);
		h_close(fx, l);
		h_fx_restart(fx);
		assert_int_equal(h_buf_live(), fx->live0);
	}
}

/* ------------------------------------------------------------------------ */

#define T(f)	cmocka_unit_test_setup_teardown(f, setup_plain, h_teardown)
#define TD(f)	cmocka_unit_test_setup_teardown(f, h_setup_default, h_teardown)
#define T_RST(st) \
	T(test_rst_exact_##st), T(test_rst_ack_exact_##st), \
	T(test_rst_in_window_##st), T(test_rst_out_of_window_##st)

int
main(void)
{
	const struct CMUnitTest closed[] = {
		T(test_closed_syn_gets_rst_ack),
		T(test_closed_ack_gets_rst),
		T(test_closed_data_fin_without_ack),
		T(test_closed_rst_never_answered),
	};
	const struct CMUnitTest listen[] = {
		T(test_listen_rst_ignored),
		T(test_listen_ack_gets_rst),
		T(test_listen_no_syn_dropped),
		T(test_listen_addr_in_use),
		T(test_listen_any_addr),
		T(test_passive_open),
		TD(test_passive_open_wscale),
		TD(test_passive_no_ws_when_peer_did_not_offer),
		TD(test_passive_synack_options),
		T(test_passive_ws_disabled),
		T(test_listen_backlog_full),
		T(test_listen_close_resets_unaccepted),
		T(test_listen_table_full),
	};
	const struct CMUnitTest syn_received[] = {
		T(test_passive_syn_retransmitted),
		T(test_passive_synack_rto_then_dropped),
		T(test_passive_bad_ack_gets_rst),
		T(test_passive_rst_frees_child),
		T(test_passive_rst_out_of_window_ignored),
		T(test_passive_data_on_third_segment),
		T(test_passive_fin_on_third_segment),
		T(test_listen_syn_with_data_not_acked),
		TD(test_simultaneous_open),
		T(test_simultaneous_open_then_ack),
		T(test_simultaneous_open_rst_refused),
	};
	const struct CMUnitTest syn_sent[] = {
		TD(test_active_open),
		TD(test_active_peer_without_ws),
		T(test_active_ws_disabled),
		TD(test_active_ws_clamped_to_14),
		T(test_active_mss_from_peer),
		T(test_active_mss_default_536),
		T(test_active_mss_clamped_to_ours),
		T(test_syn_sent_bad_ack),
		T(test_syn_sent_rst_refused),
		T(test_syn_sent_rst_without_ack_ignored),
		T(test_syn_sent_ack_without_syn_dropped),
		TD(test_syn_retransmit_backoff_then_timeout),
		T(test_syn_retries_short),
		T(test_syn_sent_data_queued),
		T(test_connect_tuple_in_use),
		T(test_connect_table_full),
		T(test_close_in_syn_sent),
	};
	const struct CMUnitTest established[] = {
		T(test_recv_in_order_and_window),
		T(test_recv_max_splits),
		T(test_recv_partial_overlap_trimmed),
		T(test_recv_duplicate_acked_not_delivered),
		T(test_recv_beyond_window_dropped),
		T(test_recv_out_of_order_not_delivered),
		T(test_recv_buffer_full),
		T(test_zero_window_still_takes_acks),
		TD(test_recv_window_scaled),
		T(test_send_limited_by_peer_window),
		TD(test_send_window_scaled),
		T(test_ack_of_unsent_data),
		T(test_ack_too_old),
		T(test_dup_ack_needs_no_answer),
		T(test_syn_in_established_challenge_ack),
		T(test_data_rto_and_backoff),
		T(test_rto_resends_one_segment),
		T(test_data_retries_exhausted),
		T(test_zero_window_probe),
		T(test_persist_orphan_gives_up),
		T(test_syn_resend_out_full),
		TD(test_scaled_window_edge_never_shrinks),
		T(test_close_drops_pending_events),
	};
	const struct CMUnitTest rst[] = {
		T_RST(ESTABLISHED),
		T_RST(FIN_WAIT_1),
		T_RST(FIN_WAIT_2),
		T_RST(CLOSE_WAIT),
		T_RST(CLOSING),
		T_RST(LAST_ACK),
		T(test_rst_exact_TIME_WAIT),
		T(test_rst_out_of_window_TIME_WAIT),
		T(test_rst_orphan_FIN_WAIT_2),
		T(test_rst_orphan_CLOSING),
		T(test_rst_orphan_LAST_ACK),
		T(test_rst_orphan_TIME_WAIT),
		T(test_syn_in_states_challenge_ack),
	};
	const struct CMUnitTest closing[] = {
		T(test_active_close_shutdown),
		T(test_active_close_orphan_time_wait),
		T(test_time_wait_not_expired_early),
		T(test_time_wait_fin_retransmitted),
		T(test_time_wait_syn_reopens),
		T(test_time_wait_other_segments),
		T(test_passive_close),
		T(test_passive_close_handle_kept),
		T(test_fin_with_data),
		T(test_fin_after_gap_not_processed),
		T(test_fin_ack_in_fin_wait_1),
		T(test_simultaneous_close),
		T(test_shutdown_wr_then_read),
		T(test_close_with_unread_data_resets),
		T(test_close_with_taken_but_unreleased_data),
		T(test_close_sends_queued_data_first),
		T(test_fin_retransmitted),
		T(test_last_ack_fin_retransmitted),
		T(test_orphan_data_after_close_resets),
		T(test_orphan_fin_wait_2_times_out),
		T(test_fin_wait_2_held_waits_until_close),
	};
	const struct CMUnitTest app[] = {
		T(test_send_full_acceptance_transfers_ref),
		T(test_send_partial_acceptance_keeps_ref),
		T(test_send_and_recv_errors),
		T(test_shutdown_rd),
		T(test_abort),
		T(test_next_event_api),
	};
	const struct CMUnitTest fuzz[] = {
		T(test_fuzz_established),
		T(test_fuzz_established_small_buffers),
		T(test_fuzz_listener),
	};
	int fails = 0;

	fails += cmocka_run_group_tests_name("closed", closed, NULL, NULL);
	fails += cmocka_run_group_tests_name("listen", listen, NULL, NULL);
	fails += cmocka_run_group_tests_name("syn_received", syn_received,
	    NULL, NULL);
	fails += cmocka_run_group_tests_name("syn_sent", syn_sent, NULL,
	    NULL);
	fails += cmocka_run_group_tests_name("established", established,
	    NULL, NULL);
	fails += cmocka_run_group_tests_name("rst", rst, NULL, NULL);
	fails += cmocka_run_group_tests_name("closing", closing, NULL, NULL);
	fails += cmocka_run_group_tests_name("app", app, NULL, NULL);
	fails += cmocka_run_group_tests_name("fuzz", fuzz, NULL, NULL);
	return fails == 0 ? 0 : 1;
}
