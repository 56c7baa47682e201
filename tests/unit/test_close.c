/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection h_teardown (issue 4), segment by segment with explicit time:
 * close() against shutdown(), FIN retries for orphans (tcp_orphan_retries)
 * and held connections (tcp_retries2), tcp_max_orphans, FIN_WAIT_2 and
 * tcp_fin_timeout, TIME_WAIT (its compact record, what each segment does
 * to it, tcp_rfc1337, reopening by SYN, tcp_max_tw_buckets, tcp_tw_reuse),
 * CLOSE_WAIT, SO_LINGER, the loss of each of the four segments of a close
 * in both directions, and simultaneous close. The behaviour tested is the
 * issue's specification, which follows Linux (net/ipv4/tcp.c __tcp_close,
 * tcp_input.c tcp_rcv_state_process and tcp_fin, tcp_timer.c
 * tcp_write_timeout, tcp_probe_timer and tcp_orphan_retries,
 * tcp_minisocks.c tcp_time_wait and tcp_timewait_state_process,
 * tcp_ipv4.c tcp_twsk_unique and tcp_v4_send_reset); where a test names a
 * Linux function, it is the one whose behaviour the rule copies.
 *
 * Conventions as in test_conn.c: we are 198.18.0.1, the peer 198.18.0.2
 * (a script, h_peer, or in the "pair" tests a second tcpe stack joined to
 * ours by a simulated wire); the peer's ISS is near 2^32 so that sequence
 * numbers wrap; our ISS is read from what the stack emits. Every test ends
 * with the stack(s) destroyed and no buffer left alive (the h_teardown
 * checks it); a test that closes everything also checks that nothing at
 * all is left: no TCB, no TIME_WAIT record, no orphan, no deadline.
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
#include "tcpe_tw.h"

/* The peer's ISS: the sequence space wraps 4 KB into its stream. */
#define PISS		0xfffff000u
/* Receive and send buffers of the "plain" fixture (no window scaling). */
#define RBUF		16384u
#define WBUF		65536u
#define O_TS		TCPE_OPT_TS

#define ORPHANS(fx)	((fx)->s->orphans)
#define NTW(fx)		((fx)->s->tw.count)
#define DEADLINE(fx)	tcpe_stack_deadline((fx)->s)

/* The events since the last look are exactly want. */
/* Stack gauges: TCBs, TCBs and records in a state, orphans, records. */
#define EXPECT_NCONNS(fx, n)	EXPECT_U32(fx, "live TCBs", NCONNS(fx), n)
#define EXPECT_NSTATE(fx, st, n) \
	EXPECT_U32(fx, "state_count[" #st "]", NSTATE(fx, st), n)
#define EXPECT_ORPHANS(fx, n)	EXPECT_U32(fx, "orphans", ORPHANS(fx), n)
#define EXPECT_NTW(fx, n)	EXPECT_U32(fx, "TIME_WAIT records", NTW(fx), n)

/* Nothing left but nlisten listeners: no TCB, record, orphan or timer. */
#define EXPECT_EMPTY(fx, nlisten) \
	expect_empty_at(__FILE__, __LINE__, fx, nlisten)

static void
expect_empty_at(const char *file, int line, struct h_fx *fx,
    uint32_t nlisten)
{
	const struct tcpe_stack *s = fx->s;
	uint32_t want;
	int st;

	for (st = 0; st < TCPE_STATE_MAX; st++) {
		want = st == TCPE_LISTEN ? nlisten : 0;
		h_check(file, line, fx, s->state_count[st] == want,
		    "state_count[%s] = %u, expected %u", tcpe_state_name(st),
		    s->state_count[st], want);
	}
	h_check(file, line, fx, tcpe_stack_conn_count(s) == nlisten,
	    "%u live TCB(s), expected %u", tcpe_stack_conn_count(s), nlisten);
	h_check(file, line, fx, s->tw.count == 0,
	    "%u TIME_WAIT record(s) left", (unsigned)s->tw.count);
	h_check(file, line, fx, s->orphans == 0, "%u orphan(s) left",
	    (unsigned)s->orphans);
	h_check(file, line, fx, tcpe_stack_deadline(s) == TCPE_TIME_NEVER,
	    "a deadline is still armed at now%+.6f s",
	    ((double)tcpe_stack_deadline(s) - (double)fx->now) / 1e9);
}

/* No connection the application holds has an event waiting. */
#define EXPECT_NO_EVENTS(fx) do { \
	uint16_t ev_ = 0; \
	struct tcpe_conn *x_ = tcpe_stack_next_event((fx)->s, &ev_); \
	H_CHECK(fx, x_ == NULL, "events %#x on a connection", ev_); \
} while (0)

/* --- fixtures ------------------------------------------------------------ */

static int
setup_plain(void **state)
{
	struct tcpe_tcp_cfg cfg;

	h_cfg_plain(&cfg, RBUF, WBUF);
	*state = h_fx_new(&cfg);
	return 0;
}



/* --- helpers ------------------------------------------------------------- */

/* An ESTABLISHED active connection from lport to the peer's port 80. */
static struct tcpe_conn *
open_port(struct h_fx *fx, struct h_peer *p, uint16_t lport)
{
	h_peer_init(p, lport, 80, PISS, 8192);
	return h_open_active(fx, p, NULL);
}

static struct tcpe_conn *
open_est(struct h_fx *fx, struct h_peer *p)
{
	return open_port(fx, p, 40000);
}

static tcpe_time_t
secs(uint32_t s)
{
	return TCPE_S(s);
}

/* The RTO after one more backoff: doubled, capped by tcp_rto_max_ms. */
static tcpe_time_t
rto_next(const struct h_fx *fx, tcpe_time_t rto)
{
	tcpe_time_t max = TCPE_MS(fx->cfg.rto_max_ms);

	return 2 * rto > max ? max : 2 * rto;
}

/*
 * Run the clock to 1 ns before due: nothing may be emitted on the way
 * (stale, lazily re-armed wheel entries run too). The caller then checks
 * that what must expire at due is still there.
 */
#define JUST_BEFORE(fx, due)	just_before_at(__FILE__, __LINE__, fx, due)
static void
just_before_at(const char *file, int line, struct h_fx *fx, tcpe_time_t due)
{
	h_check(file, line, fx, due - 1 >= fx->now, "due in the past");
	h_expire(fx, due - 1);
	h_expect_n(file, line, fx, 0);
}

/*
 * The FIN, last sent at t with RTO *rto, is retransmitted n times
 * without an answer: each time exactly <SEQ=fin><ACK=p->nxt><CTL=FIN,ACK>
 * without payload, one RTO after the previous, the RTO doubling up to
 * tcp_rto_max_ms. Returns the time of the last one; *rto is then the RTO
 * armed at it.
 */
#define FIN_RTX(fx, p, fin, t, rto, n) \
	fin_rtx_at(__FILE__, __LINE__, fx, p, fin, t, rto, n)
static tcpe_time_t
fin_rtx_at(const char *file, int line, struct h_fx *fx,
    const struct h_peer *p, uint32_t fin, tcpe_time_t t, tcpe_time_t *rto,
    uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		t = h_fire_at(file, line, fx, t, *rto);
		h_expect_n(file, line, fx, 1);
		h_expect_seg(file, line, fx, 0, p, FA, fin, p->nxt);
		h_expect_len(file, line, fx, 0, 0);
		*rto = rto_next(fx, *rto);
	}
	return t;
}

/* Our TSval for tuple t now: the clock in ms plus the tuple's offset. */
static uint32_t
ts_now(const struct h_fx *fx, const struct tcpe_tuple *t)
{
	return (uint32_t)(fx->now / TCPE_MS(1)) +
	    tcpe_stack_ts_off(fx->s, t);
}

static struct tcpe_opts
tsopt(uint32_t tsval, uint32_t tsecr)
{
	struct tcpe_opts o;

	memset(&o, 0, sizeof(o));
	o.present = TCPE_OPT_TS;
	o.tsval = tsval;
	o.tsecr = tsecr;
	return o;
}

/* MSS 1460 and a TS option: what a peer with timestamps puts in a SYN. */
static struct tcpe_opts
syn_ts(uint32_t tsval, uint32_t tsecr)
{
	struct tcpe_opts o = tsopt(tsval, tsecr);

	o.present |= TCPE_OPT_MSS;
	o.mss = 1460;
	return o;
}

/*
 * The peer sends flags from p->nxt acking p->ack, with a TS option
 * <tsval, our clock>, and advances p->nxt.
 */
static void
peer_send_ts(struct h_fx *fx, struct h_peer *p, uint8_t flags,
    uint32_t tsval)
{
	struct tcpe_opts o = tsopt(tsval, ts_now(fx, &p->t));

	h_tx_opts(fx, p, flags, p->nxt, p->ack, p->wnd, 0, &o);
	p->nxt += (flags & TCPE_TH_FIN) ? 1 : 0;
}

/* An active open with timestamps: the peer's SYN-ACK has TS <tsval>. */
static struct tcpe_conn *
open_active_ts(struct h_fx *fx, struct h_peer *p, uint16_t lport,
    uint32_t tsval)
{
	struct tcpe_opts o;
	struct tcpe_conn *c;

	h_peer_init(p, lport, 80, PISS, 8192);
	c = h_connect(fx, p);
	H_CHECK(fx, (fx->out.segs[0].opts.present & O_TS) != 0,
	    "our SYN offers no timestamps");
	o = syn_ts(tsval, fx->out.segs[0].opts.tsval);
	h_tx_opts(fx, p, SA, p->iss, p->ack, p->wnd, 0, &o);
	p->nxt = p->iss + 1;
	H_EXPECT_ONLY(fx, p, A, p->ack, p->nxt);
	H_EXPECT_TS(fx, 0, H_ANY_TS, tsval);
	EXPECT_STATE(fx, c, ESTABLISHED);
	H_CHECK(fx, (c->flags & TCPE_CF_TS) != 0, "timestamps not in use");
	(void)h_events(fx, c);
	h_out_clear(fx);
	return c;
}

/*
 * A passive open on l with timestamps: SYN with TS <tsval>, SYN-ACK, ACK
 * with TS <tsval + 1>. Returns the accepted child, events cleared.
 */
static struct tcpe_conn *
open_passive_ts(struct h_fx *fx, struct tcpe_conn *l, struct h_peer *p,
    uint32_t tsval)
{
	struct tcpe_opts o = syn_ts(tsval, 0);
	struct tcpe_conn *c;

	h_tx_opts(fx, p, SYN, p->iss, 0, p->wnd, 0, &o);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, p, SA, fx->out.segs[0].seq, p->iss + 1);
	H_EXPECT_TS(fx, 0, H_ANY_TS, tsval);
	p->nxt = p->iss + 1;
	p->ack = fx->out.segs[0].seq + 1;
	p->our_base = p->ack;
	peer_send_ts(fx, p, A, tsval + 1);
	H_EXPECT_NONE(fx);
	c = tcpe_stack_accept(l);
	H_CHECK(fx, c != NULL, "tcpe_stack_accept: NULL");
	EXPECT_STATE(fx, c, ESTABLISHED);
	H_CHECK(fx, (c->flags & TCPE_CF_TS) != 0, "timestamps not in use");
	(void)h_events(fx, l);
	(void)h_events(fx, c);
	return c;
}

/*
 * The application closes c in ESTABLISHED with nothing in flight: our FIN
 * goes out at SND.NXT, the peer acks it and sends its own FIN, which we
 * ack. c is then an orphan entering TIME_WAIT: a record. Returns our FIN's
 * sequence number; fx->now is when TIME_WAIT began.
 */
#define CLOSE_TO_TW(fx, c, p)	close_to_tw_at(__FILE__, __LINE__, fx, c, p)
static uint32_t
close_to_tw_at(const char *file, int line, struct h_fx *fx,
    struct tcpe_conn *c, struct h_peer *p)
{
	uint32_t fin = c->snd_nxt;

	h_close(fx, c);
	h_expect_n(file, line, fx, 1);
	h_expect_seg(file, line, fx, 0, p, FA, fin, p->nxt);
	p->ack = fin + 1;
	h_peer_send(fx, p, A, 0);
	h_expect_n(file, line, fx, 0);
	h_peer_send(fx, p, FA, 0);
	h_expect_n(file, line, fx, 1);
	h_expect_seg(file, line, fx, 0, p, A, fin + 1, p->nxt);
	h_expect_len(file, line, fx, 0, 0);
	h_out_clear(fx);
	return fin;
}

/* ------------------------------------------------------------------------
 * 1. close() against shutdown().
 * ------------------------------------------------------------------------ */

/*
 * shutdown(SHUT_WR): the FIN follows the data still queued (here held back
 * by the peer's window) and the application goes on reading.
 */
static void
test_shut_wr_fin_after_data_reads_go_on(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *c;
	struct h_peer p;
	uint32_t b;
	int last;

	h_peer_init(&p, 40000, 80, PISS, 1000);
	c = h_open_active(fx, &p, NULL);
	b = p.our_base;
	assert_int_equal(h_send(fx, c, &p, 2500), 2500);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, b, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 1000);
	assert_int_equal(h_shutdown(fx, c, TCPE_SHUT_WR), 0);
	H_EXPECT_NONE(fx);		/* the FIN waits behind 1500 bytes */
	EXPECT_STATE(fx, c, FIN_WAIT_1);
	assert_int_equal(h_send(fx, c, &p, 1), -EPIPE);
	/* The peer's data is still delivered. */
	h_peer_send(fx, &p, PA, 300);
	H_EXPECT_ONLY(fx, &p, A, b + 1000, p.nxt);
	EXPECT_EVS(fx, c, TCPE_EV_READABLE);
	assert_int_equal(h_recv(fx, c, &p, &last), 300);
	assert_int_equal(last, -EAGAIN);
	assert_int_equal(h_recv_done(fx, c, 300), 0);
	h_out_clear(fx);
	/* The window opens: 1000 bytes, then the last 500 with the FIN. */
	h_tx(fx, &p, A, p.nxt, b + 1000, 1000, 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, b + 1000, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 1000);
	h_tx(fx, &p, A, p.nxt, b + 2000, 1000, 0);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, FA, b + 2000, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 500);
	p.ack = b + 2501;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, FIN_WAIT_2);
	h_peer_send(fx, &p, PA, 200);
	H_EXPECT_ONLY(fx, &p, A, b + 2501, p.nxt);
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, b + 2501, p.nxt);
	EXPECT_STATE(fx, c, TIME_WAIT);
	EXPECT_EVS(fx, c, TCPE_EV_READABLE | TCPE_EV_EOF);
	assert_int_equal(h_recv(fx, c, &p, &last), 200);
	assert_int_equal(last, 0);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
}

/* shutdown(SHUT_RD): nothing is sent, reads report EOF, writing goes on. */
static void
test_shut_rd_sends_nothing(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	struct tcpe_view v;
	uint32_t fin;

	assert_int_equal(h_shutdown(fx, c, TCPE_SHUT_RD), 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, ESTABLISHED);
	memset(&v, 0, sizeof(v));
	assert_int_equal(tcpe_conn_recv(c, &v), 0);
	assert_int_equal(tcpe_conn_recv(c, &v), 0);
	assert_int_equal(h_send(fx, c, &p, 10), 10);
	H_EXPECT_N(fx, 1);
	H_EXPECT(fx, 0, &p, A, p.our_base, p.nxt);
	H_EXPECT_STREAM(fx, 0, &p, 10);
	p.ack = p.our_base + 10;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	/* No unread data: close() is an orderly FIN. */
	fin = c->snd_nxt;
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	EXPECT_MIB(fx, ABORT_ON_CLOSE, 0);
	EXPECT_ORPHANS(fx, 1);
}

/*
 * close() with unread data: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>,
 * TCPAbortOnClose, freed at once (Linux __tcp_close, data_was_unread).
 * SND.NXT, not SND.UNA: 50 bytes are in flight.
 */
static void
test_close_unread_data_rst(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);

	assert_int_equal(h_send(fx, c, &p, 50), 50);
	H_EXPECT_N(fx, 1);
	h_peer_send(fx, &p, PA, 100);	/* acks nothing of ours */
	H_EXPECT_ONLY(fx, &p, A, p.our_base + 50, p.nxt);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, RA, p.our_base + 50, p.nxt);
	EXPECT_MIB(fx, ABORT_ON_CLOSE, 1);
	EXPECT_MIB(fx, ABORT_ON_DATA, 0);
	EXPECT_MIB(fx, OUT_RSTS, 1);
	EXPECT_EMPTY(fx, 0);
}

/* The same from CLOSE_WAIT: RCV.NXT counts the peer's FIN. */
static void
test_close_unread_data_close_wait_rst(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);

	h_peer_send(fx, &p, FA | TCPE_TH_PSH, 100);
	H_EXPECT_ONLY(fx, &p, A, p.our_base, p.nxt);
	EXPECT_STATE(fx, c, CLOSE_WAIT);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, RA, p.our_base, p.nxt);
	EXPECT_MIB(fx, ABORT_ON_CLOSE, 1);
	EXPECT_EMPTY(fx, 0);
}

/*
 * Data for an orphan in FIN_WAIT_1 (the peer has not seen our FIN yet):
 * nobody will read it, RST and free, TCPAbortOnData (Linux
 * tcp_rcv_state_process, FIN_WAIT1/2 with RCV_SHUTDOWN, then
 * tcp_v4_send_reset: <SEQ=SEG.ACK><CTL=RST>). The RST's sequence number
 * is what the peer expects (its ACK field): any other is not exact and
 * earns only a challenge ACK from an RFC 5961 peer.
 */
static void
test_orphan_data_fin_wait_1_rst(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt, rcv;

	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	EXPECT_NSTATE(fx, FIN_WAIT_1, 1);
	EXPECT_ORPHANS(fx, 1);
	rcv = p.nxt;
	h_peer_send(fx, &p, PA, 10);	/* acks up to our FIN, not it */
	H_EXPECT_N(fx, 1);
	H_EXPECT_RST(fx, 0, &p, fin, rcv);
	EXPECT_MIB(fx, ABORT_ON_DATA, 1);
	EXPECT_MIB(fx, ABORT_ON_CLOSE, 0);
	EXPECT_EMPTY(fx, 0);
	/* The peer's next segment meets a closed port. */
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_ONLY(fx, &p, R, fin, 0);
}

static void
test_orphan_data_fin_wait_2_rst(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt, rcv;

	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_NSTATE(fx, FIN_WAIT_2, 1);
	EXPECT_ORPHANS(fx, 1);
	rcv = p.nxt;
	/* Data and FIN together: the data is what makes it an abort. */
	h_peer_send(fx, &p, FA | TCPE_TH_PSH, 10);
	H_EXPECT_N(fx, 1);
	H_EXPECT_RST(fx, 0, &p, fin + 1, rcv);
	EXPECT_MIB(fx, ABORT_ON_DATA, 1);
	EXPECT_NTW(fx, 0);
	EXPECT_EMPTY(fx, 0);
}

/*
 * A held connection in FIN_WAIT_2 (shutdown(WR) only) takes data: that is
 * what shutdown(WR) is for.
 */
static void
test_held_fin_wait_2_takes_data(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);

	h_goto(fx, c, &p, TCPE_FIN_WAIT_2);
	h_peer_send(fx, &p, PA, 10);
	H_EXPECT_ONLY(fx, &p, A, p.our_base + 1, p.nxt);
	EXPECT_MIB(fx, ABORT_ON_DATA, 0);
	EXPECT_EVS(fx, c, TCPE_EV_READABLE);
	assert_int_equal(h_recv(fx, c, &p, NULL), 10);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
}

/* recv(): 0 at EOF after the peer's FIN, -ECONNRESET after its RST. */
static void
test_recv_eof_vs_reset(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p, q;
	struct tcpe_conn *c = open_port(fx, &p, 40000);
	struct tcpe_conn *d = open_port(fx, &q, 40001);
	struct tcpe_view v;
	int last;

	h_peer_send(fx, &p, FA | TCPE_TH_PSH, 20);
	H_EXPECT_ONLY(fx, &p, A, p.our_base, p.nxt);
	EXPECT_EVS(fx, c, TCPE_EV_READABLE | TCPE_EV_EOF);
	assert_int_equal(h_recv(fx, c, &p, &last), 20);
	assert_int_equal(last, 0);
	memset(&v, 0, sizeof(v));
	assert_int_equal(tcpe_conn_recv(c, &v), 0);
	assert_int_equal(c->err, 0);

	h_tx(fx, &q, R, q.nxt, 0, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, d, CLOSED);
	assert_int_equal(d->err, -ECONNRESET);
	EXPECT_EVS(fx, d, TCPE_EV_ERROR | TCPE_EV_CLOSED);
	assert_int_equal(tcpe_conn_recv(d, &v), -ECONNRESET);
	assert_int_equal(tcpe_conn_recv(d, &v), -ECONNRESET);
	EXPECT_MIB(fx, ESTAB_RESETS, 1);
	h_close(fx, d);
	H_EXPECT_NONE(fx);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, p.our_base, p.nxt);
	EXPECT_NSTATE(fx, LAST_ACK, 1);
}

/* ------------------------------------------------------------------------
 * 2. FIN retries: tcp_orphan_retries for orphans, tcp_retries2 for held
 * connections (Linux tcp_write_timeout, tcp_orphan_retries).
 * ------------------------------------------------------------------------ */

/*
 * An orphan whose FIN (sent at fx->now, in state st) is never answered:
 * exactly n retransmissions, 1, 2, 4 ... s apart, then at the next expiry
 * it is freed without a word (tcp_write_err: no RST), TCPAbortOnTimeout.
 */
static void
orphan_fin_gives_up(struct h_fx *fx, const struct h_peer *p, uint32_t fin,
    int st, uint32_t n)
{
	tcpe_time_t t = fx->now, rto = TCPE_MS(fx->cfg.rto_initial_ms);

	EXPECT_ORPHANS(fx, 1);
	t = FIN_RTX(fx, p, fin, t, &rto, n);
	EXPECT_MIB(fx, RETRANS_SEGS, n);
	JUST_BEFORE(fx, t + rto);
	EXPECT_U32(fx, tcpe_state_name(st), fx->s->state_count[st], 1);
	EXPECT_ORPHANS(fx, 1);
	(void)h_fire(fx, t, rto);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, ABORT_ON_TIMEOUT, 1);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	EXPECT_MIB(fx, RETRANS_SEGS, n);
	EXPECT_NO_EVENTS(fx);
	EXPECT_EMPTY(fx, 0);
}

/* Orphan in FIN_WAIT_1 straight from close(). */
static void
orphan_fw1(struct h_fx *fx, uint32_t orphan_retries, uint32_t n)
{
	struct h_peer p;
	struct tcpe_conn *c;
	uint32_t fin;

	fx->cfg.orphan_retries = orphan_retries;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	fin = c->snd_nxt;
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	EXPECT_NSTATE(fx, FIN_WAIT_1, 1);
	orphan_fin_gives_up(fx, &p, fin, TCPE_FIN_WAIT_1, n);
}

/* tcp_orphan_retries 0 means 8 (Linux tcp_orphan_retries), not retries2. */
static void
test_fin_retries_orphan_fw1_0_means_8(void **state)
{
	struct h_fx *fx = *state;

	assert_int_equal(fx->cfg.retries2, 15);
	orphan_fw1(fx, 0, 8);
}

static void
test_fin_retries_orphan_fw1_1(void **state)
{
	orphan_fw1(*state, 1, 1);
}

static void
test_fin_retries_orphan_fw1_3(void **state)
{
	orphan_fw1(*state, 3, 3);
}

/* The orphan limit holds even when tcp_retries2 is smaller. */
static void
test_fin_retries_orphan_not_retries2(void **state)
{
	struct h_fx *fx = *state;

	fx->cfg.retries2 = 2;
	orphan_fw1(fx, 3, 3);
}

/* The backoff is capped by tcp_rto_max_ms: 1, 2, 3, 3 s, freed 3 s on. */
static void
test_fin_retries_rto_max_cap(void **state)
{
	struct h_fx *fx = *state;

	fx->cfg.rto_max_ms = 3000;
	orphan_fw1(fx, 4, 4);
}

static void
test_fin_retries_orphan_closing(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	uint32_t fin;

	fx->cfg.orphan_retries = 3;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	fin = c->snd_nxt;
	h_goto(fx, c, &p, TCPE_CLOSING);	/* FIN sent now */
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	EXPECT_NSTATE(fx, CLOSING, 1);
	orphan_fin_gives_up(fx, &p, fin, TCPE_CLOSING, 3);
}

static void
test_fin_retries_orphan_last_ack(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	uint32_t fin;

	fx->cfg.orphan_retries = 1;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	fin = c->snd_nxt;
	h_goto(fx, c, &p, TCPE_LAST_ACK);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	EXPECT_NSTATE(fx, LAST_ACK, 1);
	orphan_fin_gives_up(fx, &p, fin, TCPE_LAST_ACK, 1);
}

static void
test_fin_retries_orphan_last_ack_0_means_8(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;

	assert_int_equal(fx->cfg.orphan_retries, 0);
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin, p.nxt);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	EXPECT_NSTATE(fx, LAST_ACK, 1);
	orphan_fin_gives_up(fx, &p, fin, TCPE_LAST_ACK, 8);
}

/*
 * The FIN rides with unacknowledged data: a retransmission resends the
 * data and the FIN together, from SND.UNA.
 */
static void
test_fin_retries_orphan_with_data(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	tcpe_time_t t, rto;
	uint32_t i, b;

	fx->cfg.orphan_retries = 2;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	b = p.our_base;
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	H_EXPECT_N(fx, 1);
	H_EXPECT_STREAM(fx, 0, &p, 100);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, b + 100, p.nxt);
	t = fx->now;
	rto = TCPE_MS(fx->cfg.rto_initial_ms);
	for (i = 0; i < 2; i++) {
		t = h_fire(fx, t, rto);
		H_EXPECT_N(fx, 1);
		H_EXPECT(fx, 0, &p, FA, b, p.nxt);
		H_EXPECT_STREAM(fx, 0, &p, 100);
		rto = rto_next(fx, rto);
	}
	JUST_BEFORE(fx, t + rto);
	EXPECT_NSTATE(fx, FIN_WAIT_1, 1);
	(void)h_fire(fx, t, rto);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, ABORT_ON_TIMEOUT, 1);
	EXPECT_EMPTY(fx, 0);
}

/*
 * A connection held by the application (shutdown(WR)) is bounded by
 * tcp_retries2: then CLOSED with -ETIMEDOUT, EV_ERROR | EV_CLOSED, no
 * RST; the TCB stays until the application closes it.
 */
static void
held_fin_gives_up(struct h_fx *fx, struct tcpe_conn *c, struct h_peer *p,
    uint32_t fin, int st)
{
	tcpe_time_t t = fx->now, rto = TCPE_MS(fx->cfg.rto_initial_ms);

	assert_int_equal(fx->cfg.retries2, 2);
	t = FIN_RTX(fx, p, fin, t, &rto, 2);
	JUST_BEFORE(fx, t + rto);
	H_CHECK(fx, c->state == st, "state %s, expected %s",
	    tcpe_state_name(c->state), tcpe_state_name(st));
	(void)h_fire(fx, t, rto);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, -ETIMEDOUT);
	EXPECT_EVS(fx, c, TCPE_EV_ERROR | TCPE_EV_CLOSED);
	EXPECT_MIB(fx, ABORT_ON_TIMEOUT, 1);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	EXPECT_MIB(fx, RETRANS_SEGS, 2);
	EXPECT_ORPHANS(fx, 0);
	EXPECT_NCONNS(fx, 1);
	H_CHECK(fx, DEADLINE(fx) == TCPE_TIME_NEVER, "a timer is armed");
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

static void
test_fin_retries_held_fw1(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	struct tcpe_view v;
	uint32_t fin;

	fx->cfg.retries2 = 2;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	fin = c->snd_nxt;
	h_goto(fx, c, &p, TCPE_FIN_WAIT_1);
	EXPECT_ORPHANS(fx, 0);
	/* Reads still work until then. */
	memset(&v, 0, sizeof(v));
	assert_int_equal(tcpe_conn_recv(c, &v), -EAGAIN);
	{
		tcpe_time_t t = fx->now, rto = TCPE_MS(fx->cfg.rto_initial_ms);

		t = FIN_RTX(fx, &p, fin, t, &rto, 2);
		(void)h_fire(fx, t, rto);
		H_EXPECT_NONE(fx);
	}
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, -ETIMEDOUT);
	assert_int_equal(tcpe_conn_recv(c, &v), -ETIMEDOUT);
	EXPECT_EVS(fx, c, TCPE_EV_ERROR | TCPE_EV_CLOSED);
	EXPECT_MIB(fx, ABORT_ON_TIMEOUT, 1);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

static void
test_fin_retries_held_closing(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	uint32_t fin;

	fx->cfg.retries2 = 2;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	fin = c->snd_nxt;
	h_goto(fx, c, &p, TCPE_CLOSING);
	held_fin_gives_up(fx, c, &p, fin, TCPE_CLOSING);
}

static void
test_fin_retries_held_last_ack(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	uint32_t fin;

	fx->cfg.retries2 = 2;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	fin = c->snd_nxt;
	h_goto(fx, c, &p, TCPE_LAST_ACK);
	held_fin_gives_up(fx, c, &p, fin, TCPE_LAST_ACK);
}

/*
 * Held while two retransmissions go out, then closed: from then on the
 * orphan limit (3) counts the retransmissions already made (Linux checks
 * SOCK_DEAD at each expiry): one more, then freed.
 */
static void
test_fin_retries_close_after_shutdown(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	tcpe_time_t t, rto;
	uint32_t fin;

	fx->cfg.orphan_retries = 3;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	fin = c->snd_nxt;
	h_goto(fx, c, &p, TCPE_FIN_WAIT_1);
	t = fx->now;
	rto = TCPE_MS(fx->cfg.rto_initial_ms);
	t = FIN_RTX(fx, &p, fin, t, &rto, 2);
	fx->now = t + TCPE_MS(500);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	EXPECT_ORPHANS(fx, 1);
	t = FIN_RTX(fx, &p, fin, t, &rto, 1);
	JUST_BEFORE(fx, t + rto);
	EXPECT_NSTATE(fx, FIN_WAIT_1, 1);
	(void)h_fire(fx, t, rto);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, RETRANS_SEGS, 3);
	EXPECT_MIB(fx, ABORT_ON_TIMEOUT, 1);
	EXPECT_EMPTY(fx, 0);
}

/*
 * A FIN stuck behind a zero window (an orphan): window probes
 * <SEQ=SND.UNA-1><CTL=ACK>, 1, 2, 4 s apart; the peer answers each one
 * with its window still shut, which does not reset an orphan's count;
 * after tcp_orphan_retries probes it is freed silently (Linux
 * tcp_probe_timer -> tcp_write_err), TCPAbortOnTimeout.
 */
static void
test_zero_window_fin_orphan_gives_up(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	tcpe_time_t t, rto;
	uint32_t i;

	fx->cfg.orphan_retries = 3;
	h_fx_restart(fx);
	h_peer_init(&p, 40000, 80, PISS, 0);
	c = h_open_active(fx, &p, NULL);
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	H_EXPECT_NONE(fx);
	h_close(fx, c);
	H_EXPECT_NONE(fx);		/* the FIN waits behind the data */
	EXPECT_NSTATE(fx, FIN_WAIT_1, 1);
	EXPECT_ORPHANS(fx, 1);
	t = fx->now;
	rto = TCPE_MS(fx->cfg.rto_initial_ms);
	for (i = 0; i < 3; i++) {
		t = h_fire(fx, t, rto);
		H_EXPECT_ONLY(fx, &p, A, p.our_base - 1, p.nxt);
		h_tx(fx, &p, A, p.nxt, p.our_base, 0, 0);
		H_EXPECT_NONE(fx);
		rto = rto_next(fx, rto);
	}
	JUST_BEFORE(fx, t + rto);
	EXPECT_NSTATE(fx, FIN_WAIT_1, 1);
	(void)h_fire(fx, t, rto);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, ABORT_ON_TIMEOUT, 1);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	EXPECT_EMPTY(fx, 0);
}

/* tcp_orphan_retries 0 means 8 probes here too. */
static void
test_zero_window_fin_orphan_0_means_8(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	tcpe_time_t t, rto;
	uint32_t i;

	h_peer_init(&p, 40000, 80, PISS, 0);
	c = h_open_active(fx, &p, NULL);
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	t = fx->now;
	rto = TCPE_MS(fx->cfg.rto_initial_ms);
	for (i = 0; i < 8; i++) {
		t = h_fire(fx, t, rto);
		H_EXPECT_ONLY(fx, &p, A, p.our_base - 1, p.nxt);
		rto = rto_next(fx, rto);
	}
	JUST_BEFORE(fx, t + rto);
	EXPECT_NSTATE(fx, FIN_WAIT_1, 1);
	(void)h_fire(fx, t, rto);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, ABORT_ON_TIMEOUT, 1);
	EXPECT_EMPTY(fx, 0);
}

/*
 * A held connection whose data and FIN wait behind a zero window gives up
 * after tcp_retries2 unanswered probes: -ETIMEDOUT, and, as Linux
 * (tcp_probe_timer -> tcp_write_err), without an RST.
 */
static void
test_zero_window_held_gives_up(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	tcpe_time_t t, rto;
	uint32_t i;

	fx->cfg.retries2 = 2;
	h_fx_restart(fx);
	h_peer_init(&p, 40000, 80, PISS, 0);
	c = h_open_active(fx, &p, NULL);
	assert_int_equal(h_send(fx, c, &p, 100), 100);
	assert_int_equal(h_shutdown(fx, c, TCPE_SHUT_WR), 0);
	H_EXPECT_NONE(fx);
	t = fx->now;
	rto = TCPE_MS(fx->cfg.rto_initial_ms);
	for (i = 0; i < 2; i++) {
		t = h_fire(fx, t, rto);
		H_EXPECT_ONLY(fx, &p, A, p.our_base - 1, p.nxt);
		rto = rto_next(fx, rto);
	}
	(void)h_fire(fx, t, rto);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, -ETIMEDOUT);
	EXPECT_EVS(fx, c, TCPE_EV_ERROR | TCPE_EV_CLOSED);
	EXPECT_MIB(fx, ABORT_ON_TIMEOUT, 1);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

/* ------------------------------------------------------------------------
 * 3. tcp_max_orphans (Linux __tcp_close -> tcp_check_oom).
 * ------------------------------------------------------------------------ */

static void
test_max_orphans_1(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p1, p2, p3;
	struct tcpe_conn *c1, *c2, *c3;
	uint32_t fin1, fin3;

	fx->cfg.max_orphans = 1;
	h_fx_restart(fx);
	c1 = open_port(fx, &p1, 40001);
	c2 = open_port(fx, &p2, 40002);
	fin1 = c1->snd_nxt;
	/* The first becomes an orphan and sends its FIN. */
	h_close(fx, c1);
	H_EXPECT_ONLY(fx, &p1, FA, fin1, p1.nxt);
	EXPECT_ORPHANS(fx, 1);
	/*
	 * The second would be the second orphan: reset and freed. As in
	 * Linux (__tcp_close sends the FIN, then tcp_check_oom resets), the
	 * FIN goes first and the RST follows at the new SND.NXT.
	 */
	h_close(fx, c2);
	H_EXPECT_N(fx, 2);
	H_EXPECT(fx, 0, &p2, FA, p2.our_base, p2.nxt);
	H_EXPECT_LEN(fx, 0, 0);
	H_EXPECT(fx, 1, &p2, RA, p2.our_base + 1, p2.nxt);
	H_EXPECT_LEN(fx, 1, 0);
	EXPECT_MIB(fx, ABORT_ON_MEMORY, 1);
	EXPECT_MIB(fx, ABORT_ON_CLOSE, 0);
	EXPECT_ORPHANS(fx, 1);
	EXPECT_NCONNS(fx, 1);
	EXPECT_NSTATE(fx, ESTABLISHED, 0);
	/* The first finishes: a TIME_WAIT record is not an orphan. */
	p1.ack = fin1 + 1;
	h_peer_send(fx, &p1, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_ORPHANS(fx, 1);
	h_peer_send(fx, &p1, FA, 0);
	H_EXPECT_ONLY(fx, &p1, A, fin1 + 1, p1.nxt);
	EXPECT_ORPHANS(fx, 0);
	EXPECT_NTW(fx, 1);
	/* So a third close leaves an orphan again. */
	c3 = open_port(fx, &p3, 40003);
	fin3 = c3->snd_nxt;
	h_close(fx, c3);
	H_EXPECT_ONLY(fx, &p3, FA, fin3, p3.nxt);
	EXPECT_ORPHANS(fx, 1);
	EXPECT_MIB(fx, ABORT_ON_MEMORY, 1);
	p3.ack = fin3 + 1;
	h_peer_send(fx, &p3, A, 0);
	h_peer_send(fx, &p3, FA, 0);
	H_EXPECT_ONLY(fx, &p3, A, fin3 + 1, p3.nxt);
	EXPECT_ORPHANS(fx, 0);
	EXPECT_NTW(fx, 2);
	h_expire(fx, fx->now + secs(fx->cfg.timewait_len) + secs(10));
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

/* How to bring a held connection c to state st for the tests below. */
static struct tcpe_conn *
held_in(struct h_fx *fx, struct h_peer *p, int st)
{
	struct tcpe_conn *c;

	if (st == TCPE_SYN_RECEIVED) {
		/* Simultaneous open: our SYN crosses the peer's. */
		h_peer_init(p, 40000, 80, PISS, 8192);
		c = h_connect(fx, p);
		h_tx(fx, p, SYN, PISS, 0, 8192, 0);
		H_EXPECT_ONLY(fx, p, SA, c->iss, PISS + 1);
		p->nxt = PISS + 1;
		EXPECT_STATE(fx, c, SYN_RECEIVED);
		h_out_clear(fx);
		return c;
	}
	if (st == TCPE_SYN_SENT) {
		h_peer_init(p, 40000, 80, PISS, 8192);
		c = h_connect(fx, p);
		h_out_clear(fx);
		return c;
	}
	c = open_est(fx, p);
	if (st != TCPE_ESTABLISHED)
		h_goto(fx, c, p, st);
	return c;
}

/*
 * max_orphans 0: every close that would leave an orphan resets instead,
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, freed, TCPAbortOnMemory. From
 * ESTABLISHED and CLOSE_WAIT the FIN close() queues goes out first, as in
 * Linux (__tcp_close: tcp_send_fin, then tcp_check_oom and
 * tcp_send_active_reset), and the RST follows at SND.NXT after it.
 */
static void
max_orphans_0_in(struct h_fx *fx, int st)
{
	struct h_peer p;
	struct tcpe_conn *c;
	uint32_t snd, rcv;

	fx->cfg.max_orphans = 0;
	h_fx_restart(fx);
	c = held_in(fx, &p, st);
	snd = st == TCPE_SYN_RECEIVED ? c->iss + 1 :
	    p.our_base + (tcpe_state_fin_queued(st) ? 1 : 0);
	rcv = p.nxt;
	h_close(fx, c);
	if (st == TCPE_ESTABLISHED || st == TCPE_CLOSE_WAIT) {
		H_EXPECT_N(fx, 2);
		H_EXPECT(fx, 0, &p, FA, snd, rcv);
		H_EXPECT_LEN(fx, 0, 0);
		H_EXPECT(fx, 1, &p, RA, snd + 1, rcv);
		H_EXPECT_LEN(fx, 1, 0);
	} else {
		H_EXPECT_ONLY(fx, &p, RA, snd, rcv);
	}
	EXPECT_MIB(fx, ABORT_ON_MEMORY, 1);
	EXPECT_MIB(fx, OUT_RSTS, 1);
	EXPECT_ORPHANS(fx, 0);
	EXPECT_EMPTY(fx, 0);
}

static void
test_max_orphans_0_established(void **state)
{
	max_orphans_0_in(*state, TCPE_ESTABLISHED);
}

static void
test_max_orphans_0_close_wait(void **state)
{
	max_orphans_0_in(*state, TCPE_CLOSE_WAIT);
}

static void
test_max_orphans_0_fin_wait_1(void **state)
{
	max_orphans_0_in(*state, TCPE_FIN_WAIT_1);
}

static void
test_max_orphans_0_fin_wait_2(void **state)
{
	max_orphans_0_in(*state, TCPE_FIN_WAIT_2);
}

static void
test_max_orphans_0_syn_received(void **state)
{
	max_orphans_0_in(*state, TCPE_SYN_RECEIVED);
}

/* A held TCB in TIME_WAIT becomes a record, not an orphan: no reset. */
static void
test_max_orphans_0_time_wait_is_no_orphan(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;

	fx->cfg.max_orphans = 0;
	h_fx_restart(fx);
	c = held_in(fx, &p, TCPE_TIME_WAIT);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, ABORT_ON_MEMORY, 0);
	EXPECT_NTW(fx, 1);
	EXPECT_ORPHANS(fx, 0);
	EXPECT_NCONNS(fx, 0);
}

/* Every way an orphan ends brings the count back down. */
static void
test_orphans_count_back_to_0(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p[4];
	struct tcpe_conn *c[4];
	uint32_t fin[4], i;

	for (i = 0; i < 4; i++) {
		c[i] = open_port(fx, &p[i], (uint16_t)(40010 + i));
		fin[i] = c[i]->snd_nxt;
	}
	/* 0: LAST_ACK, acked. */
	h_peer_send(fx, &p[0], FA, 0);
	h_close(fx, c[0]);
	H_EXPECT_ONLY(fx, &p[0], FA, fin[0], p[0].nxt);
	/* 1: FIN_WAIT_2, times out. */
	h_close(fx, c[1]);
	p[1].ack = fin[1] + 1;
	h_peer_send(fx, &p[1], A, 0);
	/* 2: FIN_WAIT_1, reset by the peer. */
	h_close(fx, c[2]);
	/* 3: FIN_WAIT_1, into TIME_WAIT. */
	h_close(fx, c[3]);
	EXPECT_ORPHANS(fx, 4);
	p[0].ack = fin[0] + 1;
	h_peer_send(fx, &p[0], A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_ORPHANS(fx, 3);
	h_tx(fx, &p[2], R, p[2].nxt, 0, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_ORPHANS(fx, 2);
	p[3].ack = fin[3] + 1;
	h_peer_send(fx, &p[3], FA, 0);
	H_EXPECT_ONLY(fx, &p[3], A, fin[3] + 1, p[3].nxt);
	EXPECT_ORPHANS(fx, 1);
	EXPECT_NTW(fx, 1);
	h_expire(fx, fx->now + secs(fx->cfg.fin_timeout) + secs(10));
	H_EXPECT_NONE(fx);
	EXPECT_ORPHANS(fx, 0);
	h_expire(fx, fx->now + secs(fx->cfg.timewait_len) + secs(10));
	EXPECT_EMPTY(fx, 0);
}

/* ------------------------------------------------------------------------
 * 4. FIN_WAIT_2 and tcp_fin_timeout.
 * ------------------------------------------------------------------------ */

/* An orphan entering FIN_WAIT_2 lives exactly tcp_fin_timeout. */
static void
test_fin_wait_2_orphan_fin_timeout(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	tcpe_time_t t, len;
	uint32_t fin;

	fx->cfg.fin_timeout = 7;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	fin = c->snd_nxt;
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	fx->now += TCPE_MS(300);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_NSTATE(fx, FIN_WAIT_2, 1);
	EXPECT_ORPHANS(fx, 1);
	t = fx->now;
	len = secs(7);
	JUST_BEFORE(fx, t + len);
	EXPECT_NSTATE(fx, FIN_WAIT_2, 1);
	EXPECT_ORPHANS(fx, 1);
	(void)h_fire(fx, t, len);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	EXPECT_EMPTY(fx, 0);
	/* The peer's FIN, too late, meets a closed port. */
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, R, fin + 1, 0);
}

/* The same with the default of 60 s. */
static void
test_fin_wait_2_orphan_default_60s(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	tcpe_time_t t;

	assert_int_equal(fx->cfg.fin_timeout, 60);
	h_close(fx, c);
	H_EXPECT_N(fx, 1);
	p.ack++;
	h_peer_send(fx, &p, A, 0);
	t = fx->now;
	JUST_BEFORE(fx, t + secs(60));
	EXPECT_NSTATE(fx, FIN_WAIT_2, 1);
	(void)h_fire(fx, t, secs(60));
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

/*
 * Held (shutdown(WR)): no timer at all, for ever; close() starts
 * tcp_fin_timeout from then.
 */
static void
test_fin_wait_2_held_forever_then_close(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	tcpe_time_t t, len = secs(fx->cfg.fin_timeout);

	h_goto(fx, c, &p, TCPE_FIN_WAIT_2);
	H_CHECK(fx, DEADLINE(fx) == TCPE_TIME_NEVER,
	    "a held FIN_WAIT_2 has a timer");
	h_expire(fx, fx->now + 10 * len);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, FIN_WAIT_2);
	EXPECT_EVS(fx, c, 0);
	EXPECT_ORPHANS(fx, 0);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	EXPECT_ORPHANS(fx, 1);
	t = fx->now;
	JUST_BEFORE(fx, t + len);
	EXPECT_NSTATE(fx, FIN_WAIT_2, 1);
	(void)h_fire(fx, t, len);
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

/* The peer's FIN before the timeout: TIME_WAIT as usual. */
static void
test_fin_wait_2_orphan_fin_in_time(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t;

	h_close(fx, c);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	fx->now += secs(fx->cfg.fin_timeout) - TCPE_MS(1);
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	EXPECT_NTW(fx, 1);
	EXPECT_NSTATE(fx, FIN_WAIT_2, 0);
	t = fx->now;
	JUST_BEFORE(fx, t + secs(fx->cfg.timewait_len));
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, t, secs(fx->cfg.timewait_len));
	EXPECT_EMPTY(fx, 0);
}

/* ------------------------------------------------------------------------
 * 5. TIME_WAIT: the record and what every segment does to it (Linux
 * tcp_time_wait, tcp_timewait_state_process).
 * ------------------------------------------------------------------------ */

/*
 * An orphan entering TIME_WAIT: its TCB is freed at once for a record of
 * at most 64 bytes, which lasts exactly tcp_timewait_len.
 */
static void
test_tw_record_lasts_timewait_len(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	tcpe_time_t t, len;

	print_message("sizeof(struct tcpe_tw) = %zu bytes "
	    "(sizeof(struct tcpe_conn) = %zu)\n", sizeof(struct tcpe_tw),
	    sizeof(struct tcpe_conn));
	assert_true(sizeof(struct tcpe_tw) <= 64);
	fx->cfg.timewait_len = 7;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	EXPECT_NCONNS(fx, 1);
	(void)CLOSE_TO_TW(fx, c, &p);
	EXPECT_NTW(fx, 1);
	EXPECT_NSTATE(fx, TIME_WAIT, 1);
	EXPECT_NCONNS(fx, 0);		/* the TCB is gone */
	EXPECT_ORPHANS(fx, 0);
	t = fx->now;
	len = secs(7);
	JUST_BEFORE(fx, t + len);
	EXPECT_NTW(fx, 1);
	EXPECT_NSTATE(fx, TIME_WAIT, 1);
	(void)h_fire(fx, t, len);
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

/*
 * The peer's FIN again (our last ACK was lost): ACK
 * <SEQ=SND.NXT><ACK=RCV.NXT>, and the period starts over.
 */
static void
test_tw_fin_retransmitted_acked_and_restarts(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	tcpe_time_t t0, t1, len = secs(fx->cfg.timewait_len);
	uint32_t fin = CLOSE_TO_TW(fx, c, &p);

	t0 = fx->now;
	fx->now = t0 + secs(10);
	h_tx(fx, &p, FA, p.nxt - 1, fin + 1, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	H_EXPECT_OPTS(fx, 0, 0, H_ANY, H_ANY);
	EXPECT_NTW(fx, 1);
	t1 = fx->now;
	/* Past the first expiry (and its slack): still there. */
	h_expire(fx, t0 + len + secs(5));
	H_EXPECT_NONE(fx);
	EXPECT_NTW(fx, 1);
	JUST_BEFORE(fx, t1 + len);
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, t1, len);
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

/* Data (old, or new) in TIME_WAIT: ACK, and the period restarts. */
static void
test_tw_data_acked_and_restarts(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	tcpe_time_t t0, t1, len = secs(fx->cfg.timewait_len);
	uint32_t fin = CLOSE_TO_TW(fx, c, &p);

	t0 = fx->now;
	fx->now = t0 + secs(20);
	h_tx(fx, &p, PA, p.nxt, fin + 1, p.wnd, 10);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	t1 = fx->now;
	h_expire(fx, t0 + len + secs(5));
	H_EXPECT_NONE(fx);
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, t1, len);
	EXPECT_EMPTY(fx, 0);
}

/* A bare ACK at RCV.NXT: no answer, and the period restarts. */
static void
test_tw_bare_ack_silent_restarts(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	tcpe_time_t t0, t1, len = secs(fx->cfg.timewait_len);
	uint32_t fin = CLOSE_TO_TW(fx, c, &p);

	t0 = fx->now;
	fx->now = t0 + secs(30);
	h_tx(fx, &p, A, p.nxt, fin + 1, p.wnd, 0);
	H_EXPECT_NONE(fx);
	EXPECT_NTW(fx, 1);
	t1 = fx->now;
	h_expire(fx, t0 + len + secs(5));
	H_EXPECT_NONE(fx);
	EXPECT_NTW(fx, 1);
	JUST_BEFORE(fx, t1 + len);
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, t1, len);
	EXPECT_EMPTY(fx, 0);
}

/* An RST at RCV.NXT ends TIME_WAIT (tcp_rfc1337 = 0): TWKilled. */
static void
test_tw_rst_kills(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = CLOSE_TO_TW(fx, c, &p);

	assert_int_equal(fx->cfg.rfc1337, 0);
	fx->now += secs(1);
	h_tx(fx, &p, R, p.nxt, 0, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, TW_KILLED, 1);
	EXPECT_EMPTY(fx, 0);
	/* Gone: the next segment is answered as for CLOSED. */
	h_tx(fx, &p, A, p.nxt, fin + 1, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, R, fin + 1, 0);
}

/* RST,ACK at RCV.NXT kills it as well. */
static void
test_tw_rst_ack_kills(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = CLOSE_TO_TW(fx, c, &p);

	h_tx(fx, &p, RA, p.nxt, fin + 1, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, TW_KILLED, 1);
	EXPECT_EMPTY(fx, 0);
}

/*
 * tcp_rfc1337 = 1 (RFC 1337, TIME-WAIT assassination): the same RST is
 * ignored, and does not restart the period either.
 */
static void
test_tw_rst_ignored_rfc1337(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	tcpe_time_t t0;

	fx->cfg.rfc1337 = 1;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	(void)CLOSE_TO_TW(fx, c, &p);
	t0 = fx->now;
	fx->now = t0 + secs(10);
	h_tx(fx, &p, R, p.nxt, 0, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_NTW(fx, 1);
	EXPECT_MIB(fx, TW_KILLED, 0);
	JUST_BEFORE(fx, t0 + secs(fx->cfg.timewait_len));
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, t0, secs(fx->cfg.timewait_len));
	EXPECT_EMPTY(fx, 0);
}

/* An RST anywhere but RCV.NXT: ignored, no answer (not even a challenge). */
static void
test_tw_rst_elsewhere_ignored(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = CLOSE_TO_TW(fx, c, &p);
	tcpe_time_t t0 = fx->now;

	fx->now = t0 + secs(10);
	h_tx(fx, &p, R, p.nxt + 1, 0, 0, 0);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, R, p.nxt + 1000, 0, 0, 0);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, RA, p.nxt - 1, fin + 1, 0, 0);
	H_EXPECT_NONE(fx);
	h_tx(fx, &p, R, p.nxt + 0x40000000u, 0, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_NTW(fx, 1);
	EXPECT_MIB(fx, TW_KILLED, 0);
	/* Nor do they restart the period. */
	JUST_BEFORE(fx, t0 + secs(fx->cfg.timewait_len));
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, t0, secs(fx->cfg.timewait_len));
	EXPECT_EMPTY(fx, 0);
}

/*
 * Server side: the client reuses its port after the server closed first.
 * A SYN beyond RCV.NXT is a new connection (RFC 6191, Linux TCP_TW_SYN)
 * through the listener, ISS = old SND.NXT + 65537; the record goes.
 */
static void
test_tw_syn_higher_seq_reopens(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c;
	struct h_peer p;
	struct tcpe_seg syn;
	uint32_t old_nxt, old_rcv, iss2;
	uint16_t ev;

	h_peer_init(&p, 80, 40000, PISS, 8192);
	c = h_open_passive(fx, l, &p, NULL);
	old_nxt = CLOSE_TO_TW(fx, c, &p) + 1;
	old_rcv = p.nxt;
	EXPECT_NTW(fx, 1);
	EXPECT_NCONNS(fx, 1);		/* the listener */
	fx->now += secs(5);
	iss2 = old_rcv + 100000;
	syn = h_seg(&p.t, SYN, iss2, 0, 8192);
	h_seg_mss(&syn, 1460);
	h_input(fx, &syn);
	H_EXPECT_ONLY(fx, &p, SA, old_nxt + 65537, iss2 + 1);
	EXPECT_NTW(fx, 0);
	EXPECT_NSTATE(fx, TIME_WAIT, 0);
	EXPECT_NSTATE(fx, SYN_RECEIVED, 1);
	EXPECT_MIB(fx, TW_RECYCLED, 0);
	/* The new connection completes and is accepted. */
	h_tx(fx, &p, A, iss2 + 1, old_nxt + 65538, 8192, 0);
	H_EXPECT_NONE(fx);
	ev = h_events(fx, l);
	H_CHECK(fx, (ev & TCPE_EV_ACCEPT) != 0, "no ACCEPT event");
	c = tcpe_stack_accept(l);
	assert_non_null(c);
	EXPECT_STATE(fx, c, ESTABLISHED);
	EXPECT_U32(fx, "new ISS", c->iss, old_nxt + 65537);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, old_nxt + 65538, iss2 + 1);
	h_close(fx, l);
}

/* A SYN that is not beyond RCV.NXT (an old duplicate): ACK, record kept. */
static void
test_tw_old_syn_acked(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c;
	struct h_peer p;
	struct tcpe_seg syn;
	uint32_t old_nxt, old_rcv;
	tcpe_time_t t0;

	h_peer_init(&p, 80, 40000, PISS, 8192);
	c = h_open_passive(fx, l, &p, NULL);
	old_nxt = CLOSE_TO_TW(fx, c, &p) + 1;
	old_rcv = p.nxt;
	t0 = fx->now;
	fx->now += secs(10);
	syn = h_seg(&p.t, SYN, old_rcv - 10, 0, 8192);
	h_input(fx, &syn);
	H_EXPECT_ONLY(fx, &p, A, old_nxt, old_rcv);
	syn = h_seg(&p.t, SYN, old_rcv, 0, 8192);
	h_input(fx, &syn);
	H_EXPECT_ONLY(fx, &p, A, old_nxt, old_rcv);
	EXPECT_NTW(fx, 1);
	EXPECT_NSTATE(fx, SYN_RECEIVED, 0);
	/* A SYN without ACK does not restart the period. */
	JUST_BEFORE(fx, t0 + secs(fx->cfg.timewait_len));
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, t0, secs(fx->cfg.timewait_len));
	EXPECT_NTW(fx, 0);
	h_close(fx, l);
	EXPECT_EMPTY(fx, 0);
}

/* A new SYN, but no listener (client side): ACK from TIME_WAIT. */
static void
test_tw_syn_without_listener_acked(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	struct tcpe_seg syn;
	uint32_t fin = CLOSE_TO_TW(fx, c, &p);

	syn = h_seg(&p.t, SYN, p.nxt + 100000, 0, 8192);
	h_input(fx, &syn);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	EXPECT_NTW(fx, 1);
	EXPECT_NCONNS(fx, 0);
}

/*
 * Timestamps in use: a SYN whose sequence number is not beyond RCV.NXT
 * but whose TSval is newer than TS.Recent reopens (Linux TCP_TW_SYN,
 * RFC 6191); one with the same TSval is answered with an ACK carrying
 * <TSval=our clock, TSecr=TS.Recent>.
 */
static void
test_tw_syn_lower_seq_newer_ts_reopens(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c;
	struct h_peer p;
	struct tcpe_opts o;
	uint32_t fin, old_nxt, old_rcv, sseq;

	h_peer_init(&p, 80, 40000, PISS, 8192);
	c = open_passive_ts(fx, l, &p, 1000);
	fin = c->snd_nxt;
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 1001);
	fx->now += TCPE_MS(10);
	p.ack = fin + 1;
	peer_send_ts(fx, &p, A, 1010);
	H_EXPECT_NONE(fx);
	fx->now += TCPE_MS(10);
	peer_send_ts(fx, &p, FA, 1020);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	H_EXPECT_OPTS(fx, 0, O_TS, H_ANY, H_ANY);
	H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 1020);
	EXPECT_NTW(fx, 1);
	EXPECT_NCONNS(fx, 1);
	old_nxt = fin + 1;
	old_rcv = p.nxt;
	sseq = old_rcv - 5000;
	/* Same TSval, old sequence number: ACK with TS. */
	fx->now += secs(2);
	o = syn_ts(1020, 0);
	h_tx_opts(fx, &p, SYN, sseq, 0, 8192, 0, &o);
	H_EXPECT_ONLY(fx, &p, A, old_nxt, old_rcv);
	H_EXPECT_OPTS(fx, 0, O_TS, H_ANY, H_ANY);
	H_EXPECT_TS(fx, 0, ts_now(fx, &p.t), 1020);
	EXPECT_NTW(fx, 1);
	/* Newer TSval: a new connection. */
	o = syn_ts(3020, 0);
	h_tx_opts(fx, &p, SYN, sseq, 0, 8192, 0, &o);
	H_EXPECT_ONLY(fx, &p, SA, old_nxt + 65537, sseq + 1);
	H_EXPECT_TS(fx, 0, H_ANY_TS, 3020);
	EXPECT_NTW(fx, 0);
	EXPECT_NSTATE(fx, TIME_WAIT, 0);
	EXPECT_NSTATE(fx, SYN_RECEIVED, 1);
	h_close(fx, l);
	H_EXPECT_N(fx, 1);
	EXPECT_EMPTY(fx, 0);
}

/* Without timestamps in the old connection a TSval proves nothing. */
static void
test_tw_syn_lower_seq_no_ts_acked(void **state)
{
	struct h_fx *fx = *state;
	struct tcpe_conn *l = h_listen(fx, 80, 8), *c;
	struct h_peer p;
	struct tcpe_opts o;
	uint32_t old_nxt, old_rcv;

	h_peer_init(&p, 80, 40000, PISS, 8192);
	c = h_open_passive(fx, l, &p, NULL);
	H_CHECK(fx, (c->flags & TCPE_CF_TS) == 0, "timestamps in use");
	old_nxt = CLOSE_TO_TW(fx, c, &p) + 1;
	old_rcv = p.nxt;
	fx->now += secs(2);
	o = syn_ts(99999, 0);
	h_tx_opts(fx, &p, SYN, old_rcv - 5000, 0, 8192, 0, &o);
	H_EXPECT_ONLY(fx, &p, A, old_nxt, old_rcv);
	H_EXPECT_OPTS(fx, 0, 0, H_ANY, H_ANY);
	EXPECT_NTW(fx, 1);
	EXPECT_NSTATE(fx, SYN_RECEIVED, 0);
	h_close(fx, l);
}

/*
 * tcp_max_tw_buckets: with the record set full, a connection that would
 * enter TIME_WAIT is simply gone (TCPTimeWaitOverflow, Linux
 * tcp_time_wait); the peer's FIN was still acknowledged (tcp_fin acks
 * before tcp_time_wait).
 */
static void
test_tw_max_buckets_1(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p1, p2;
	struct tcpe_conn *c1, *c2;
	uint32_t fin2;

	fx->cfg.max_tw_buckets = 1;
	h_fx_restart(fx);
	c1 = open_port(fx, &p1, 40001);
	c2 = open_port(fx, &p2, 40002);
	(void)CLOSE_TO_TW(fx, c1, &p1);
	EXPECT_NTW(fx, 1);
	EXPECT_MIB(fx, TW_OVERFLOW, 0);
	fin2 = CLOSE_TO_TW(fx, c2, &p2);
	EXPECT_MIB(fx, TW_OVERFLOW, 1);
	EXPECT_NTW(fx, 1);
	EXPECT_NSTATE(fx, TIME_WAIT, 1);
	EXPECT_NCONNS(fx, 0);
	EXPECT_ORPHANS(fx, 0);
	/* The second one's FIN again: nobody knows the 4-tuple. */
	h_tx(fx, &p2, FA, p2.nxt - 1, fin2 + 1, p2.wnd, 0);
	H_EXPECT_ONLY(fx, &p2, R, fin2 + 1, 0);
	/* The first one's record is intact. */
	h_tx(fx, &p1, FA, p1.nxt - 1, p1.ack, p1.wnd, 0);
	H_EXPECT_ONLY(fx, &p1, A, p1.ack, p1.nxt);
}

static void
test_tw_max_buckets_0(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;

	fx->cfg.max_tw_buckets = 0;
	h_fx_restart(fx);
	c = open_est(fx, &p);
	(void)CLOSE_TO_TW(fx, c, &p);
	EXPECT_MIB(fx, TW_OVERFLOW, 1);
	EXPECT_EMPTY(fx, 0);
}

/*
 * tcp_tw_reuse = 1 (Linux tcp_twsk_unique): connect() on the 4-tuple of a
 * TIME_WAIT record with timestamps, 1 s or more after the record was made
 * (or restarted): the record goes, ISS = old SND.NXT + 65537, TWRecycled.
 */
static void
test_tw_reuse_after_1s(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	uint32_t old_nxt;
	tcpe_time_t t0;
	int err = 1;

	fx->cfg.tw_reuse = 1;
	h_fx_restart(fx);
	c = open_active_ts(fx, &p, 40000, 500);
	old_nxt = CLOSE_TO_TW(fx, c, &p) + 1;
	t0 = fx->now;
	EXPECT_NTW(fx, 1);
	fx->now = t0 + secs(1) - 1;
	h_out_clear(fx);
	c = tcpe_stack_connect(fx->s, &p.t, tcpe_tuple_hash(&p.t), fx->now,
	    &fx->out, &err);
	assert_null(c);
	assert_int_equal(err, -EADDRINUSE);
	H_EXPECT_NONE(fx);
	EXPECT_NTW(fx, 1);
	EXPECT_MIB(fx, TW_RECYCLED, 0);
	fx->now = t0 + secs(1);
	c = h_connect(fx, &p);
	EXPECT_U32(fx, "ISS", c->iss, old_nxt + 65537);
	EXPECT_MIB(fx, TW_RECYCLED, 1);
	EXPECT_NTW(fx, 0);
	EXPECT_NSTATE(fx, TIME_WAIT, 0);
	EXPECT_NSTATE(fx, SYN_SENT, 1);
	h_close(fx, c);
	EXPECT_EMPTY(fx, 0);
}

/* A restarted record counts its second from the restart. */
static void
test_tw_reuse_counts_from_restart(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c;
	struct tcpe_opts o;
	uint32_t old_nxt;
	tcpe_time_t t0, t1;
	int err = 1;

	fx->cfg.tw_reuse = 1;
	h_fx_restart(fx);
	c = open_active_ts(fx, &p, 40000, 500);
	old_nxt = CLOSE_TO_TW(fx, c, &p) + 1;
	t0 = fx->now;
	/* The peer's FIN again, 600 ms later: ACK, restart. */
	fx->now = t0 + TCPE_MS(600);
	o = tsopt(700, 0);
	h_tx_opts(fx, &p, FA, p.nxt - 1, old_nxt, p.wnd, 0, &o);
	H_EXPECT_ONLY(fx, &p, A, old_nxt, p.nxt);
	t1 = fx->now;
	fx->now = t0 + secs(1) + TCPE_MS(100);
	h_out_clear(fx);
	c = tcpe_stack_connect(fx->s, &p.t, tcpe_tuple_hash(&p.t), fx->now,
	    &fx->out, &err);
	assert_null(c);
	assert_int_equal(err, -EADDRINUSE);
	H_EXPECT_NONE(fx);
	fx->now = t1 + secs(1);
	c = h_connect(fx, &p);
	EXPECT_U32(fx, "ISS", c->iss, old_nxt + 65537);
	EXPECT_MIB(fx, TW_RECYCLED, 1);
	h_close(fx, c);
	EXPECT_EMPTY(fx, 0);
}

/* connect() on a TIME_WAIT 4-tuple that may not be reused. */
static void
tw_no_reuse(struct h_fx *fx, uint32_t tw_reuse, bool ts)
{
	struct h_peer p;
	struct tcpe_conn *c;
	tcpe_time_t t0;
	int err = 1;

	fx->cfg.tw_reuse = tw_reuse;
	h_fx_restart(fx);
	if (ts)
		c = open_active_ts(fx, &p, 40000, 500);
	else
		c = open_est(fx, &p);
	(void)CLOSE_TO_TW(fx, c, &p);
	t0 = fx->now;
	fx->now = t0 + secs(5);
	h_out_clear(fx);
	c = tcpe_stack_connect(fx->s, &p.t, tcpe_tuple_hash(&p.t), fx->now,
	    &fx->out, &err);
	assert_null(c);
	assert_int_equal(err, -EADDRINUSE);
	H_EXPECT_NONE(fx);
	EXPECT_NTW(fx, 1);
	EXPECT_MIB(fx, TW_RECYCLED, 0);
	EXPECT_NCONNS(fx, 0);
	/* Once the record has expired, the 4-tuple is free. */
	h_expire(fx, t0 + secs(fx->cfg.timewait_len) + secs(10));
	EXPECT_EMPTY(fx, 0);
	c = h_connect(fx, &p);
	h_close(fx, c);
}

static void
test_tw_reuse_needs_timestamps(void **state)
{
	tw_no_reuse(*state, 1, false);
}

static void
test_tw_reuse_0(void **state)
{
	tw_no_reuse(*state, 0, true);
}

/* 2: loopback only, which tcpe never is: as 0. */
static void
test_tw_reuse_2(void **state)
{
	tw_no_reuse(*state, 2, true);
}

/*
 * A TCB the application still holds waits in TIME_WAIT as a TCB; closing
 * it makes it a record that keeps the original expiry.
 */
static void
test_tw_held_becomes_record_keeps_expiry(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	tcpe_time_t t0, len = secs(fx->cfg.timewait_len);

	h_goto(fx, c, &p, TCPE_TIME_WAIT);
	t0 = fx->now;
	EXPECT_NSTATE(fx, TIME_WAIT, 1);
	EXPECT_NTW(fx, 0);
	EXPECT_NCONNS(fx, 1);
	fx->now = t0 + secs(20);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	EXPECT_NTW(fx, 1);
	EXPECT_NSTATE(fx, TIME_WAIT, 1);
	EXPECT_NCONNS(fx, 0);
	EXPECT_ORPHANS(fx, 0);
	JUST_BEFORE(fx, t0 + len);
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, t0, len);
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

/* A held TIME_WAIT TCB answers like a record, and expires on its own. */
static void
test_tw_held_answers_and_expires(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t0, t1, len = secs(fx->cfg.timewait_len);

	h_goto(fx, c, &p, TCPE_TIME_WAIT);
	t0 = fx->now;
	fx->now = t0 + secs(10);
	h_tx(fx, &p, FA, p.nxt - 1, fin + 1, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	t1 = fx->now;
	h_tx(fx, &p, R, p.nxt + 5, 0, 0, 0);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, TIME_WAIT);
	h_expire(fx, t0 + len + secs(5));
	EXPECT_STATE(fx, c, TIME_WAIT);
	(void)h_fire(fx, t1, len);
	H_EXPECT_NONE(fx);
	EXPECT_STATE(fx, c, CLOSED);
	assert_int_equal(c->err, 0);
	EXPECT_EVS(fx, c, TCPE_EV_CLOSED);
	h_close(fx, c);
	EXPECT_EMPTY(fx, 0);
}

/* ------------------------------------------------------------------------
 * 6. CLOSE_WAIT never times out by itself.
 * ------------------------------------------------------------------------ */

static void
test_close_wait_no_timer(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	int h;

	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin, p.nxt);
	EXPECT_STATE(fx, c, CLOSE_WAIT);
	EXPECT_EVS(fx, c, TCPE_EV_EOF);
	H_CHECK(fx, DEADLINE(fx) == TCPE_TIME_NEVER,
	    "CLOSE_WAIT armed a timer");
	for (h = 1; h <= 5; h++) {
		h_expire(fx, fx->now + secs(3600));
		H_EXPECT_NONE(fx);
		EXPECT_STATE(fx, c, CLOSE_WAIT);
		H_CHECK(fx, DEADLINE(fx) == TCPE_TIME_NEVER,
		    "CLOSE_WAIT armed a timer after %d h", h);
	}
	EXPECT_EVS(fx, c, 0);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

/* ------------------------------------------------------------------------
 * 7. SO_LINGER (Linux __tcp_close: zero linger after the unread-data
 * check, tcp_disconnect, tcp_need_reset).
 * ------------------------------------------------------------------------ */

static void
test_linger_bad_secs(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);

	assert_int_equal(tcpe_conn_set_linger(c, true, 86401), -EINVAL);
	assert_int_equal(tcpe_conn_set_linger(c, true, UINT32_MAX), -EINVAL);
	assert_int_equal(tcpe_conn_set_linger(c, true, 86400), 0);
	assert_int_equal(tcpe_conn_set_linger(c, false, 0), 0);
	/* Off again: an orderly close. */
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, p.our_base, p.nxt);
	EXPECT_ORPHANS(fx, 1);
}

/*
 * {on, 0} from a state that resets: <SEQ=SND.NXT><ACK=RCV.NXT>
 * <CTL=RST,ACK>, freed at once, no TIME_WAIT, TCPAbortOnData.
 */
static void
linger0_rst(struct h_fx *fx, int st)
{
	struct h_peer p;
	struct tcpe_conn *c = held_in(fx, &p, st);
	uint32_t snd, rcv;

	snd = st == TCPE_SYN_RECEIVED ? c->iss + 1 :
	    p.our_base + (tcpe_state_fin_queued(st) ? 1 : 0);
	rcv = p.nxt;
	assert_int_equal(tcpe_conn_set_linger(c, true, 0), 0);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, RA, snd, rcv);
	EXPECT_MIB(fx, ABORT_ON_DATA, 1);
	EXPECT_MIB(fx, ABORT_ON_CLOSE, 0);
	EXPECT_MIB(fx, ABORT_ON_LINGER, 0);
	EXPECT_MIB(fx, TW_OVERFLOW, 0);
	EXPECT_EMPTY(fx, 0);
}

static void
test_linger0_established(void **state)
{
	linger0_rst(*state, TCPE_ESTABLISHED);
}

static void
test_linger0_close_wait(void **state)
{
	linger0_rst(*state, TCPE_CLOSE_WAIT);
}

static void
test_linger0_fin_wait_1(void **state)
{
	linger0_rst(*state, TCPE_FIN_WAIT_1);
}

static void
test_linger0_fin_wait_2(void **state)
{
	linger0_rst(*state, TCPE_FIN_WAIT_2);
}

static void
test_linger0_syn_received(void **state)
{
	linger0_rst(*state, TCPE_SYN_RECEIVED);
}

/* {on, 0} from a state that sends nothing: freed at once, silently. */
static void
linger0_silent(struct h_fx *fx, int st)
{
	struct h_peer p;
	struct tcpe_conn *c = held_in(fx, &p, st);

	assert_int_equal(tcpe_conn_set_linger(c, true, 0), 0);
	h_close(fx, c);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	EXPECT_EMPTY(fx, 0);
}

static void
test_linger0_last_ack(void **state)
{
	struct h_fx *fx = *state;

	linger0_silent(fx, TCPE_LAST_ACK);
	EXPECT_MIB(fx, ABORT_ON_DATA, 1);	/* Linux counts it all the same */
}

static void
test_linger0_closing(void **state)
{
	struct h_fx *fx = *state;

	linger0_silent(fx, TCPE_CLOSING);
	EXPECT_MIB(fx, ABORT_ON_DATA, 1);
}

static void
test_linger0_time_wait(void **state)
{
	linger0_silent(*state, TCPE_TIME_WAIT);
}

static void
test_linger0_syn_sent(void **state)
{
	linger0_silent(*state, TCPE_SYN_SENT);
}

/* Unread data comes first: TCPAbortOnClose, not TCPAbortOnData. */
static void
test_linger0_unread_data(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);

	h_peer_send(fx, &p, PA, 10);
	assert_int_equal(tcpe_conn_set_linger(c, true, 0), 0);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, RA, p.our_base, p.nxt);
	EXPECT_MIB(fx, ABORT_ON_CLOSE, 1);
	EXPECT_MIB(fx, ABORT_ON_DATA, 0);
	EXPECT_EMPTY(fx, 0);
}

/*
 * {on, 5}: the FIN is retransmitted as usual (1, 2 s later) but not
 * acknowledged within 5 s: RST and free at exactly 5 s, TCPAbortOnLinger.
 */
static void
test_linger_timeout_fin_wait_1(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t0, t, rto = TCPE_MS(fx->cfg.rto_initial_ms);

	assert_int_equal(tcpe_conn_set_linger(c, true, 5), 0);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	EXPECT_ORPHANS(fx, 1);
	t0 = fx->now;
	t = FIN_RTX(fx, &p, fin, t0, &rto, 2);	/* at 1 s and 3 s */
	H_CHECK(fx, t + rto > t0 + secs(5), "next RTO before 5 s");
	JUST_BEFORE(fx, t0 + secs(5));
	EXPECT_NSTATE(fx, FIN_WAIT_1, 1);
	(void)h_fire(fx, t0, secs(5));
	H_EXPECT_N(fx, 1);
	H_EXPECT_RST(fx, 0, &p, fin + 1, p.nxt);
	EXPECT_MIB(fx, ABORT_ON_LINGER, 1);
	EXPECT_MIB(fx, ABORT_ON_TIMEOUT, 0);
	EXPECT_EMPTY(fx, 0);
}

/* {on, 2} in LAST_ACK: the RST comes at 2 s, between two FINs. */
static void
test_linger_timeout_last_ack(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t0, rto = TCPE_MS(fx->cfg.rto_initial_ms);

	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin, p.nxt);
	assert_int_equal(tcpe_conn_set_linger(c, true, 2), 0);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	t0 = fx->now;
	(void)FIN_RTX(fx, &p, fin, t0, &rto, 1);
	JUST_BEFORE(fx, t0 + secs(2));
	EXPECT_NSTATE(fx, LAST_ACK, 1);
	(void)h_fire(fx, t0, secs(2));
	H_EXPECT_N(fx, 1);
	H_EXPECT_RST(fx, 0, &p, fin + 1, p.nxt);
	EXPECT_MIB(fx, ABORT_ON_LINGER, 1);
	EXPECT_EMPTY(fx, 0);
}

/* {on, 5} with the FIN acknowledged in time: an ordinary close. */
static void
test_linger_fin_acked_in_time(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t0, t1;

	assert_int_equal(tcpe_conn_set_linger(c, true, 5), 0);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	t0 = fx->now;
	fx->now = t0 + TCPE_MS(900);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_NSTATE(fx, FIN_WAIT_2, 1);
	/* Past the linger time: nothing. */
	h_expire(fx, t0 + secs(8));
	H_EXPECT_NONE(fx);
	EXPECT_NSTATE(fx, FIN_WAIT_2, 1);
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	t1 = fx->now;
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, t1, secs(fx->cfg.timewait_len));
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, ABORT_ON_LINGER, 0);
	EXPECT_MIB(fx, OUT_RSTS, 0);
	EXPECT_EMPTY(fx, 0);
}

/* ------------------------------------------------------------------------
 * 8. Loss of each of the four segments of a close, scripted.
 * We close first: our FIN, the peer's ACK, the peer's FIN, our ACK.
 * ------------------------------------------------------------------------ */

static void
test_loss_we_close_our_fin(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t0, rto = TCPE_MS(fx->cfg.rto_initial_ms);

	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);	/* lost */
	t0 = fx->now;
	(void)FIN_RTX(fx, &p, fin, t0, &rto, 1);
	EXPECT_NSTATE(fx, FIN_WAIT_1, 1);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_NSTATE(fx, FIN_WAIT_2, 1);
	fx->now += secs(1);
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, fx->now, secs(fx->cfg.timewait_len));
	EXPECT_MIB(fx, RETRANS_SEGS, 1);
	EXPECT_EMPTY(fx, 0);
}

static void
test_loss_we_close_peer_ack(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t0, rto = TCPE_MS(fx->cfg.rto_initial_ms);

	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	/* The peer got it (it is in CLOSE_WAIT) but its ACK is lost. */
	p.ack = fin + 1;
	t0 = fx->now;
	(void)FIN_RTX(fx, &p, fin, t0, &rto, 1);
	EXPECT_NSTATE(fx, FIN_WAIT_1, 1);
	h_peer_send(fx, &p, A, 0);	/* its ACK of the duplicate */
	H_EXPECT_NONE(fx);
	EXPECT_NSTATE(fx, FIN_WAIT_2, 1);
	fx->now += secs(2);
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, fx->now, secs(fx->cfg.timewait_len));
	EXPECT_EMPTY(fx, 0);
}

static void
test_loss_we_close_peer_fin(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;

	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	/* The peer's FIN, 2 s later, is lost; it resends it 1 s after. */
	fx->now += secs(3);
	EXPECT_NSTATE(fx, FIN_WAIT_2, 1);
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	EXPECT_NTW(fx, 1);
	EXPECT_NSTATE(fx, FIN_WAIT_2, 0);
	(void)h_fire(fx, fx->now, secs(fx->cfg.timewait_len));
	EXPECT_MIB(fx, RETRANS_SEGS, 0);
	EXPECT_EMPTY(fx, 0);
}

static void
test_loss_we_close_our_ack(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	tcpe_time_t t0, t1, len = secs(fx->cfg.timewait_len);
	uint32_t fin = CLOSE_TO_TW(fx, c, &p);	/* its last ACK is lost */

	t0 = fx->now;
	fx->now = t0 + secs(1);
	h_tx(fx, &p, FA, p.nxt - 1, fin + 1, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	t1 = fx->now;
	h_expire(fx, t0 + len + TCPE_MS(500));
	H_EXPECT_NONE(fx);
	EXPECT_NTW(fx, 1);
	JUST_BEFORE(fx, t1 + len);
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, t1, len);
	EXPECT_EMPTY(fx, 0);
}

/* The peer closes first: its FIN, our ACK, our FIN, its ACK. */

static void
test_loss_peer_closes_peer_fin(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	int last;

	/* Its first FIN is lost: we hear of nothing. Then it resends. */
	fx->now += secs(1);
	EXPECT_STATE(fx, c, ESTABLISHED);
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin, p.nxt);
	EXPECT_STATE(fx, c, CLOSE_WAIT);
	EXPECT_EVS(fx, c, TCPE_EV_EOF);
	assert_int_equal(h_recv(fx, c, &p, &last), 0);
	assert_int_equal(last, 0);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	EXPECT_NSTATE(fx, LAST_ACK, 1);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

static void
test_loss_peer_closes_our_ack(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;

	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin, p.nxt);	/* lost */
	EXPECT_EVS(fx, c, TCPE_EV_EOF);
	fx->now += secs(1);
	h_tx(fx, &p, FA, p.nxt - 1, p.ack, p.wnd, 0);
	H_EXPECT_ONLY(fx, &p, A, fin, p.nxt);
	EXPECT_STATE(fx, c, CLOSE_WAIT);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

static void
test_loss_peer_closes_our_fin(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t rto = TCPE_MS(fx->cfg.rto_initial_ms);

	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin, p.nxt);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);	/* lost */
	(void)FIN_RTX(fx, &p, fin, fx->now, &rto, 1);
	EXPECT_NSTATE(fx, LAST_ACK, 1);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_MIB(fx, RETRANS_SEGS, 1);
	EXPECT_EMPTY(fx, 0);
}

static void
test_loss_peer_closes_peer_ack(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t rto = TCPE_MS(fx->cfg.rto_initial_ms);

	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin, p.nxt);
	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	/* The peer, now in TIME_WAIT, acks; the ACK is lost. */
	p.ack = fin + 1;
	(void)FIN_RTX(fx, &p, fin, fx->now, &rto, 1);
	EXPECT_NSTATE(fx, LAST_ACK, 1);
	h_peer_send(fx, &p, A, 0);	/* its TIME_WAIT re-acks */
	H_EXPECT_NONE(fx);
	EXPECT_EMPTY(fx, 0);
}

/* ------------------------------------------------------------------------
 * 9. Simultaneous close, scripted: FIN_WAIT_1 -> CLOSING -> TIME_WAIT.
 * ------------------------------------------------------------------------ */

static void
test_simultaneous_close_orphan(void **state)
{
	struct h_fx *fx = *state;
	struct h_peer p;
	struct tcpe_conn *c = open_est(fx, &p);
	uint32_t fin = c->snd_nxt;
	tcpe_time_t t;

	h_close(fx, c);
	H_EXPECT_ONLY(fx, &p, FA, fin, p.nxt);
	/* The peer's FIN crosses ours: it does not ack our FIN. */
	h_peer_send(fx, &p, FA, 0);
	H_EXPECT_ONLY(fx, &p, A, fin + 1, p.nxt);
	EXPECT_NSTATE(fx, CLOSING, 1);
	EXPECT_ORPHANS(fx, 1);
	p.ack = fin + 1;
	h_peer_send(fx, &p, A, 0);
	H_EXPECT_NONE(fx);
	EXPECT_NSTATE(fx, CLOSING, 0);
	EXPECT_NSTATE(fx, TIME_WAIT, 1);
	EXPECT_NTW(fx, 1);
	EXPECT_NCONNS(fx, 0);
	EXPECT_ORPHANS(fx, 0);
	t = fx->now;
	JUST_BEFORE(fx, t + secs(fx->cfg.timewait_len));
	EXPECT_NTW(fx, 1);
	(void)h_fire(fx, t, secs(fx->cfg.timewait_len));
	EXPECT_EMPTY(fx, 0);
}

/* ------------------------------------------------------------------------
 * Two stacks joined by a simulated wire: the peer is tcpe too. A is the
 * client (198.18.0.1:40000), B the server (198.18.0.2:80).
 * ------------------------------------------------------------------------ */

#define LOG_MAX		256

struct wire_rec {
	bool from_a;
	bool dropped;
	uint8_t flags;
	uint32_t seq;
	uint32_t ack;
	tcpe_time_t at;
};

struct pair {
	struct h_fx *a, *b;
	struct tcpe_conn *ca, *cb, *lb;
	struct h_peer pa, pb;		/* tuples as A and B see them */
	/* One loss: the first segment from that side matching the flags. */
	int drop_side;			/* 0 none, 1 A, 2 B */
	uint8_t drop_want;		/* flags & (FIN|SYN|RST|ACK) */
	/* The application of the side that did not close first. */
	struct h_fx *yfx;
	struct tcpe_conn *y;
	tcpe_time_t y_delay;		/* from its EOF to its close() */
	tcpe_time_t y_close_at;
	struct wire_rec log[LOG_MAX];
	uint32_t nlog;
};

#define FLAGS4	(TCPE_TH_FIN | TCPE_TH_SYN | TCPE_TH_RST | TCPE_TH_ACK)

/* Carry every segment emitted by one side to the other, in order. */
static void
wire(struct pair *pr, bool from_a)
{
	struct h_fx *from = from_a ? pr->a : pr->b;
	struct h_fx *to = from_a ? pr->b : pr->a;
	const struct tcpe_oseg *o;
	struct wire_rec *r;
	struct tcpe_seg seg;
	uint32_t i;

	for (i = 0; i < from->out.n; i++) {
		o = &from->out.segs[i];
		H_CHECK(from, o->nviews <= 1, "a segment of %u views",
		    o->nviews);
		memset(&seg, 0, sizeof(seg));
		seg.t.laddr = o->t.raddr;
		seg.t.raddr = o->t.laddr;
		seg.t.lport = o->t.rport;
		seg.t.rport = o->t.lport;
		seg.hash = tcpe_tuple_hash(&seg.t);
		seg.seq = o->seq;
		seg.ack = o->ack;
		seg.wnd = o->wnd;
		seg.flags = o->flags;
		seg.opts = o->opts;
		if (o->nviews == 1)
			seg.data = o->v[0];
		H_CHECK(from, pr->nlog < LOG_MAX, "wire log full");
		r = &pr->log[pr->nlog++];
		r->from_a = from_a;
		r->flags = o->flags;
		r->seq = o->seq;
		r->ack = o->ack;
		r->at = from->now;
		r->dropped = pr->drop_side == (from_a ? 1 : 2) &&
		    (o->flags & FLAGS4) == pr->drop_want;
		if (r->dropped) {
			pr->drop_side = 0;
			continue;
		}
		(void)tcpe_stack_input(to->s, &seg, to->now, &to->out);
	}
	h_out_clear(from);
}

/* The passive application: close() y_delay after its EOF. */
static void
pair_app(struct pair *pr)
{
	uint16_t ev;

	if (pr->y == NULL)
		return;
	if (pr->y_close_at == TCPE_TIME_NEVER) {
		ev = h_events(pr->yfx, pr->y);
		if (ev & TCPE_EV_EOF)
			pr->y_close_at = pr->yfx->now + pr->y_delay;
	}
	if (pr->y_close_at != TCPE_TIME_NEVER &&
	    pr->yfx->now >= pr->y_close_at) {
		(void)h_events(pr->yfx, pr->y);
		tcpe_conn_close(pr->y, pr->yfx->now, &pr->yfx->out);
		pr->y = NULL;
	}
}

static void
pump(struct pair *pr)
{
	int guard = 0;

	for (;;) {
		pair_app(pr);
		if (pr->a->out.n == 0 && pr->b->out.n == 0)
			break;
		H_CHECK(pr->a, guard++ < 100, "the two stacks never go quiet");
		if (pr->a->out.n > 0)
			wire(pr, true);
		if (pr->b->out.n > 0)
			wire(pr, false);
	}
}

static tcpe_time_t
tmin(tcpe_time_t x, tcpe_time_t y)
{
	return x < y ? x : y;
}

/* Run both clocks to until, expiring timers and carrying segments. */
static void
pair_run(struct pair *pr, tcpe_time_t until)
{
	tcpe_time_t d;
	int guard = 0;

	pump(pr);
	for (;;) {
		d = tmin(tcpe_stack_deadline(pr->a->s),
		    tcpe_stack_deadline(pr->b->s));
		if (pr->y != NULL)
			d = tmin(d, pr->y_close_at);
		if (d > until)
			break;
		H_CHECK(pr->a, guard++ < 10000, "timers never settle");
		if (d < pr->a->now)
			d = pr->a->now;
		/*
		 * Both wheels advance before anything else happens at d, as
		 * in a real loop (a timer armed on a wheel whose clock lags
		 * would be placed more coarsely).
		 */
		pr->a->now = pr->b->now = d;
		(void)tcpe_stack_expire(pr->a->s, d, &pr->a->out);
		(void)tcpe_stack_expire(pr->b->s, d, &pr->b->out);
		pump(pr);
	}
	pr->a->now = pr->b->now = until;
}

static int
setup_pair(void **state)
{
	struct pair *pr;
	int err = 1;

	pr = calloc(1, sizeof(*pr));
	assert_non_null(pr);
	pr->a = h_fx_new(NULL);
	pr->b = h_fx_new(NULL);
	pr->y_close_at = TCPE_TIME_NEVER;
	h_peer_init(&pr->pa, 40000, 80, 0, 0);
	pr->pb.t.laddr = H_RADDR;
	pr->pb.t.raddr = H_LADDR;
	pr->pb.t.lport = 80;
	pr->pb.t.rport = 40000;
	pr->lb = tcpe_stack_listen(pr->b->s, H_RADDR, 80, 8, &err);
	assert_non_null(pr->lb);
	pr->ca = tcpe_stack_connect(pr->a->s, &pr->pa.t,
	    tcpe_tuple_hash(&pr->pa.t), pr->a->now, &pr->a->out, &err);
	assert_non_null(pr->ca);
	pump(pr);
	pr->cb = tcpe_stack_accept(pr->lb);
	assert_non_null(pr->cb);
	assert_int_equal(pr->ca->state, TCPE_ESTABLISHED);
	assert_int_equal(pr->cb->state, TCPE_ESTABLISHED);
	(void)h_events(pr->a, pr->ca);
	(void)h_events(pr->b, pr->cb);
	(void)h_events(pr->b, pr->lb);
	pr->nlog = 0;
	*state = pr;
	return 0;
}

static int
teardown_pair(void **state)
{
	struct pair *pr = *state;

	/* No payload ever crossed: each stack holds only its own buffers. */
	h_fx_free(pr->b);
	h_fx_free(pr->a);
	free(pr);
	return 0;
}

/* The n-th segment carried (from 0) has these flags, seq and ack. */
#define EXPECT_LOG(pr, n, from_a, flags, seq, ack) \
	expect_log_at(__FILE__, __LINE__, pr, n, from_a, flags, seq, ack)
static void
expect_log_at(const char *file, int line, const struct pair *pr,
    uint32_t n, bool from_a, uint8_t flags, uint32_t seq, uint32_t ack)
{
	const struct wire_rec *r = &pr->log[n];
	char f1[9], f2[9];

	h_check(file, line, NULL, n < pr->nlog, "only %u segment(s) carried",
	    pr->nlog);
	h_check(file, line, NULL, r->from_a == from_a &&
	    (r->flags & FLAGS4) == flags && r->seq == seq && r->ack == ack,
	    "segment %u: %s %s seq %u ack %u, expected %s %s seq %u ack %u",
	    n, r->from_a ? "A>B" : "B>A", h_flags_str(r->flags, f1), r->seq,
	    r->ack, from_a ? "A>B" : "B>A", h_flags_str(flags, f2), seq, ack);
}

/*
 * Both applications close at the same instant: the FINs cross, both go
 * through CLOSING into TIME_WAIT, both held TCBs expire after
 * tcp_timewait_len. Segments are carried one at a time here so that
 * CLOSING is seen on both sides.
 */
static void
carry_one(struct pair *pr, bool from_a)
{
	struct h_fx *from = from_a ? pr->a : pr->b;
	struct tcpe_oseg keep[H_OUT_CAP];
	uint32_t n = from->out.n;

	H_CHECK(from, n > 0, "nothing to carry");
	memcpy(keep, from->out.segs + 1, (n - 1) * sizeof(keep[0]));
	from->out.n = 1;
	wire(pr, from_a);		/* carries and releases the first */
	memcpy(from->out.segs, keep, (n - 1) * sizeof(keep[0]));
	from->out.n = n - 1;
}

static void
test_pair_simultaneous_close(void **state)
{
	struct pair *pr = *state;
	struct h_fx *a = pr->a, *b = pr->b;
	uint32_t fa = pr->ca->snd_nxt, fb = pr->cb->snd_nxt;
	tcpe_time_t t0 = a->now, len = secs(a->cfg.timewait_len);

	assert_int_equal(tcpe_conn_shutdown(pr->ca, TCPE_SHUT_WR, a->now,
	    &a->out), 0);
	assert_int_equal(tcpe_conn_shutdown(pr->cb, TCPE_SHUT_WR, b->now,
	    &b->out), 0);
	EXPECT_STATE(a, pr->ca, FIN_WAIT_1);
	EXPECT_STATE(b, pr->cb, FIN_WAIT_1);
	carry_one(pr, true);		/* A's FIN reaches B */
	EXPECT_LOG(pr, 0, true, FA, fa, fb);
	EXPECT_STATE(b, pr->cb, CLOSING);
	carry_one(pr, false);		/* B's FIN, sent before, reaches A */
	EXPECT_LOG(pr, 1, false, FA, fb, fa);
	EXPECT_STATE(a, pr->ca, CLOSING);
	carry_one(pr, false);		/* B's ACK of A's FIN */
	EXPECT_LOG(pr, 2, false, A, fb + 1, fa + 1);
	EXPECT_STATE(a, pr->ca, TIME_WAIT);
	carry_one(pr, true);		/* A's ACK of B's FIN */
	EXPECT_LOG(pr, 3, true, A, fa + 1, fb + 1);
	EXPECT_STATE(b, pr->cb, TIME_WAIT);
	assert_int_equal(a->out.n + b->out.n, 0);
	EXPECT_EVS(a, pr->ca, TCPE_EV_EOF);
	EXPECT_EVS(b, pr->cb, TCPE_EV_EOF);
	pair_run(pr, t0 + len - 1);
	EXPECT_STATE(a, pr->ca, TIME_WAIT);
	EXPECT_STATE(b, pr->cb, TIME_WAIT);
	pair_run(pr, t0 + len + len / 7 + 2 * H_TICK);
	EXPECT_STATE(a, pr->ca, CLOSED);
	EXPECT_STATE(b, pr->cb, CLOSED);
	assert_int_equal(pr->ca->err, 0);
	assert_int_equal(pr->cb->err, 0);
	assert_int_equal(pr->nlog, 4);
	h_close(a, pr->ca);
	h_close(b, pr->cb);
	h_close(b, pr->lb);
	EXPECT_EMPTY(a, 0);
	EXPECT_EMPTY(b, 0);
}

/* The same with both applications gone: two orphans, then two records. */
static void
test_pair_simultaneous_close_orphans(void **state)
{
	struct pair *pr = *state;
	struct h_fx *a = pr->a, *b = pr->b;
	tcpe_time_t t0 = a->now, len = secs(a->cfg.timewait_len);

	(void)h_events(a, pr->ca);
	(void)h_events(b, pr->cb);
	tcpe_conn_close(pr->ca, a->now, &a->out);
	tcpe_conn_close(pr->cb, b->now, &b->out);
	EXPECT_ORPHANS(a, 1);
	EXPECT_ORPHANS(b, 1);
	carry_one(pr, true);
	carry_one(pr, false);
	EXPECT_NSTATE(a, CLOSING, 1);
	EXPECT_NSTATE(b, CLOSING, 1);
	pump(pr);
	assert_int_equal(pr->nlog, 4);
	EXPECT_NTW(a, 1);
	EXPECT_NTW(b, 1);
	EXPECT_NSTATE(a, TIME_WAIT, 1);
	EXPECT_NSTATE(b, TIME_WAIT, 1);
	EXPECT_NCONNS(a, 0);
	EXPECT_NCONNS(b, 1);		/* the listener */
	EXPECT_ORPHANS(a, 0);
	EXPECT_ORPHANS(b, 0);
	pair_run(pr, t0 + len - 1);
	EXPECT_NTW(a, 1);
	EXPECT_NTW(b, 1);
	pair_run(pr, t0 + len + len / 7 + 2 * H_TICK);
	EXPECT_EMPTY(a, 0);
	EXPECT_EMPTY(b, 1);
	h_close(b, pr->lb);
	EXPECT_EMPTY(b, 0);
}

/*
 * One side closes (an orphan), the other reads EOF and closes 3 s later;
 * segment `lost` of the four is lost on the wire: 1 the closer's FIN, 2
 * the other's ACK of it, 3 the other's FIN, 4 the closer's last ACK. The
 * lost segment's sender recovers by retransmitting its FIN once, 1 s
 * later; nothing is reset; after the timeouts nothing is left anywhere.
 */
static void
pair_loss(struct pair *pr, bool a_closes, int lost)
{
	struct h_fx *x = a_closes ? pr->a : pr->b;
	struct h_fx *y = a_closes ? pr->b : pr->a;
	struct tcpe_conn *cx = a_closes ? pr->ca : pr->cb;
	uint32_t i, xfins = 0, yfins = 0, rsts = 0, drops = 0, xacks = 0;
	tcpe_time_t t0 = x->now, fin_at[2][2] = { { 0, 0 }, { 0, 0 } };
	uint32_t nfin[2] = { 0, 0 };
	tcpe_time_t rto = TCPE_MS(x->cfg.rto_initial_ms);
	bool from_x;
	int side;

	pr->yfx = y;
	pr->y = a_closes ? pr->cb : pr->ca;
	pr->y_delay = secs(3);
	pr->y_close_at = TCPE_TIME_NEVER;
	side = (lost == 1 || lost == 4) == a_closes ? 1 : 2;
	pr->drop_side = side;
	pr->drop_want = (lost == 1 || lost == 3) ? FA : A;
	(void)h_events(x, cx);
	tcpe_conn_close(cx, x->now, &x->out);
	pair_run(pr, t0 + secs(300));

	for (i = 0; i < pr->nlog; i++) {
		const struct wire_rec *r = &pr->log[i];

		from_x = r->from_a == a_closes;
		if (r->flags & TCPE_TH_RST)
			rsts++;
		if (r->dropped)
			drops++;
		if (r->flags & TCPE_TH_FIN) {
			if (nfin[from_x] < 2)
				fin_at[from_x][nfin[from_x]] = r->at;
			nfin[from_x]++;
			if (from_x)
				xfins++;
			else
				yfins++;
		} else if (from_x && (r->flags & FLAGS4) == A) {
			xacks++;
		}
	}
	EXPECT_U32(x, "segments lost", drops, 1);
	EXPECT_U32(x, "RSTs", rsts, 0);
	EXPECT_U32(x, "closer's FINs", xfins, lost <= 2 ? 2 : 1);
	EXPECT_U32(x, "other side's FINs", yfins, lost >= 3 ? 2 : 1);
	EXPECT_U32(x, "closer's ACKs", xacks, lost == 4 ? 2 : 1);
	EXPECT_MIB(x, RETRANS_SEGS, lost <= 2 ? 1 : 0);
	EXPECT_MIB(y, RETRANS_SEGS, lost >= 3 ? 1 : 0);
	/* The retransmission came one RTO after the original. */
	from_x = lost <= 2;
	H_CHECK(x, fin_at[from_x][1] >= fin_at[from_x][0] + rto &&
	    fin_at[from_x][1] <= fin_at[from_x][0] + rto + rto / 7 +
	    2 * H_TICK, "FIN resent %+.6f s after the first",
	    ((double)fin_at[from_x][1] - (double)fin_at[from_x][0]) / 1e9);
	EXPECT_MIB(x, ABORT_ON_TIMEOUT, 0);
	EXPECT_MIB(y, ABORT_ON_TIMEOUT, 0);
	EXPECT_EMPTY(pr->a, 0);
	EXPECT_EMPTY(pr->b, 1);
	h_close(pr->b, pr->lb);
	EXPECT_EMPTY(pr->b, 0);
}

#define PAIR_LOSS(name, a_closes, lost) \
static void \
test_pair_loss_##name(void **state) \
{ \
	pair_loss(*state, a_closes, lost); \
}

PAIR_LOSS(client_closes_fin, true, 1)
PAIR_LOSS(client_closes_ack_of_fin, true, 2)
PAIR_LOSS(client_closes_other_fin, true, 3)
PAIR_LOSS(client_closes_last_ack, true, 4)
PAIR_LOSS(server_closes_fin, false, 1)
PAIR_LOSS(server_closes_ack_of_fin, false, 2)
PAIR_LOSS(server_closes_other_fin, false, 3)
PAIR_LOSS(server_closes_last_ack, false, 4)

/*
 * The closer's last ACK lost (case 4): its TIME_WAIT record answers the
 * FIN again and starts its period over: still there tcp_timewait_len
 * after it began, gone tcp_timewait_len after the FIN came again.
 */
static void
test_pair_loss_last_ack_restarts_record(void **state)
{
	struct pair *pr = *state;
	struct h_fx *a = pr->a, *b = pr->b;
	tcpe_time_t t0 = a->now, len = secs(a->cfg.timewait_len), tw0 = 0,
	    tw1 = 0;
	uint32_t i;

	pr->yfx = b;
	pr->y = pr->cb;
	pr->y_delay = secs(3);
	pr->drop_side = 1;
	pr->drop_want = A;
	(void)h_events(a, pr->ca);
	tcpe_conn_close(pr->ca, a->now, &a->out);
	pair_run(pr, t0 + secs(10));
	EXPECT_NTW(a, 1);
	EXPECT_NCONNS(b, 1);		/* B got its ACK the second time */
	for (i = 0; i < pr->nlog; i++) {
		if (pr->log[i].from_a && (pr->log[i].flags & FLAGS4) == A) {
			if (tw0 == 0)
				tw0 = pr->log[i].at;
			else
				tw1 = pr->log[i].at;
		}
	}
	H_CHECK(a, tw0 != 0 && tw1 > tw0, "A's ACKs at %llu and %llu",
	    (unsigned long long)tw0, (unsigned long long)tw1);
	pair_run(pr, tw0 + len + (tw1 - tw0) / 2);
	EXPECT_NTW(a, 1);
	pair_run(pr, tw1 + len - 1);
	EXPECT_NTW(a, 1);
	pair_run(pr, tw1 + len + len / 7 + 2 * H_TICK);
	EXPECT_EMPTY(a, 0);
	EXPECT_EMPTY(b, 1);
	h_close(b, pr->lb);
}

/* ------------------------------------------------------------------------ */

#define T(f)	cmocka_unit_test_setup_teardown(f, setup_plain, h_teardown)
#define TD(f)	cmocka_unit_test_setup_teardown(f, h_setup_default, h_teardown)
#define TP(f)	cmocka_unit_test_setup_teardown(f, setup_pair, teardown_pair)

int
main(void)
{
	const struct CMUnitTest close_shutdown[] = {
		T(test_shut_wr_fin_after_data_reads_go_on),
		T(test_shut_rd_sends_nothing),
		T(test_close_unread_data_rst),
		T(test_close_unread_data_close_wait_rst),
		T(test_orphan_data_fin_wait_1_rst),
		T(test_orphan_data_fin_wait_2_rst),
		T(test_held_fin_wait_2_takes_data),
		T(test_recv_eof_vs_reset),
	};
	const struct CMUnitTest fin_retries[] = {
		T(test_fin_retries_orphan_fw1_0_means_8),
		T(test_fin_retries_orphan_fw1_1),
		T(test_fin_retries_orphan_fw1_3),
		T(test_fin_retries_orphan_not_retries2),
		T(test_fin_retries_rto_max_cap),
		T(test_fin_retries_orphan_closing),
		T(test_fin_retries_orphan_last_ack),
		T(test_fin_retries_orphan_last_ack_0_means_8),
		T(test_fin_retries_orphan_with_data),
		T(test_fin_retries_held_fw1),
		T(test_fin_retries_held_closing),
		T(test_fin_retries_held_last_ack),
		T(test_fin_retries_close_after_shutdown),
		T(test_zero_window_fin_orphan_gives_up),
		T(test_zero_window_fin_orphan_0_means_8),
		T(test_zero_window_held_gives_up),
	};
	const struct CMUnitTest max_orphans[] = {
		T(test_max_orphans_1),
		T(test_max_orphans_0_established),
		T(test_max_orphans_0_close_wait),
		T(test_max_orphans_0_fin_wait_1),
		T(test_max_orphans_0_fin_wait_2),
		T(test_max_orphans_0_syn_received),
		T(test_max_orphans_0_time_wait_is_no_orphan),
		T(test_orphans_count_back_to_0),
	};
	const struct CMUnitTest fin_wait_2[] = {
		T(test_fin_wait_2_orphan_fin_timeout),
		T(test_fin_wait_2_orphan_default_60s),
		T(test_fin_wait_2_held_forever_then_close),
		T(test_fin_wait_2_orphan_fin_in_time),
	};
	const struct CMUnitTest time_wait[] = {
		T(test_tw_record_lasts_timewait_len),
		T(test_tw_fin_retransmitted_acked_and_restarts),
		T(test_tw_data_acked_and_restarts),
		T(test_tw_bare_ack_silent_restarts),
		T(test_tw_rst_kills),
		T(test_tw_rst_ack_kills),
		T(test_tw_rst_ignored_rfc1337),
		T(test_tw_rst_elsewhere_ignored),
		T(test_tw_syn_higher_seq_reopens),
		T(test_tw_old_syn_acked),
		T(test_tw_syn_without_listener_acked),
		TD(test_tw_syn_lower_seq_newer_ts_reopens),
		TD(test_tw_syn_lower_seq_no_ts_acked),
		T(test_tw_max_buckets_1),
		T(test_tw_max_buckets_0),
		TD(test_tw_reuse_after_1s),
		TD(test_tw_reuse_counts_from_restart),
		TD(test_tw_reuse_needs_timestamps),
		TD(test_tw_reuse_0),
		TD(test_tw_reuse_2),
		T(test_tw_held_becomes_record_keeps_expiry),
		T(test_tw_held_answers_and_expires),
	};
	const struct CMUnitTest close_wait[] = {
		T(test_close_wait_no_timer),
	};
	const struct CMUnitTest linger[] = {
		T(test_linger_bad_secs),
		T(test_linger0_established),
		T(test_linger0_close_wait),
		T(test_linger0_fin_wait_1),
		T(test_linger0_fin_wait_2),
		T(test_linger0_syn_received),
		T(test_linger0_last_ack),
		T(test_linger0_closing),
		T(test_linger0_time_wait),
		T(test_linger0_syn_sent),
		T(test_linger0_unread_data),
		T(test_linger_timeout_fin_wait_1),
		T(test_linger_timeout_last_ack),
		T(test_linger_fin_acked_in_time),
	};
	const struct CMUnitTest loss[] = {
		T(test_loss_we_close_our_fin),
		T(test_loss_we_close_peer_ack),
		T(test_loss_we_close_peer_fin),
		T(test_loss_we_close_our_ack),
		T(test_loss_peer_closes_peer_fin),
		T(test_loss_peer_closes_our_ack),
		T(test_loss_peer_closes_our_fin),
		T(test_loss_peer_closes_peer_ack),
		TP(test_pair_loss_client_closes_fin),
		TP(test_pair_loss_client_closes_ack_of_fin),
		TP(test_pair_loss_client_closes_other_fin),
		TP(test_pair_loss_client_closes_last_ack),
		TP(test_pair_loss_server_closes_fin),
		TP(test_pair_loss_server_closes_ack_of_fin),
		TP(test_pair_loss_server_closes_other_fin),
		TP(test_pair_loss_server_closes_last_ack),
		TP(test_pair_loss_last_ack_restarts_record),
	};
	const struct CMUnitTest simultaneous[] = {
		T(test_simultaneous_close_orphan),
		TP(test_pair_simultaneous_close),
		TP(test_pair_simultaneous_close_orphans),
	};
	int fails = 0;

	fails += cmocka_run_group_tests_name("close_shutdown", close_shutdown,
	    NULL, NULL);
	fails += cmocka_run_group_tests_name("fin_retries", fin_retries, NULL,
	    NULL);
	fails += cmocka_run_group_tests_name("max_orphans", max_orphans, NULL,
	    NULL);
	fails += cmocka_run_group_tests_name("fin_wait_2", fin_wait_2, NULL,
	    NULL);
	fails += cmocka_run_group_tests_name("time_wait", time_wait, NULL,
	    NULL);
	fails += cmocka_run_group_tests_name("close_wait", close_wait, NULL,
	    NULL);
	fails += cmocka_run_group_tests_name("linger", linger, NULL, NULL);
	fails += cmocka_run_group_tests_name("loss", loss, NULL, NULL);
	fails += cmocka_run_group_tests_name("simultaneous", simultaneous,
	    NULL, NULL);
	return fails == 0 ? 0 : 1;
}
