/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the unit tests: a malloc-backed struct tcpe_buf with a count
 * of live buffers, so that every test can end by asserting that nothing
 * leaked; and, for the connection tests, segment builders, a fixture
 * around a struct tcpe_stack, a model of the remote peer and assertions
 * on emitted segments (smoltcp/lwIP style: feed one segment at an
 * explicit time, assert exactly what came out).
 *
 * The H_EXPECT_* macros and the h_* helpers fail the current cmocka test
 * with the caller's file and line, and dump the emitted segments.
 */
#ifndef TCPE_TEST_HARNESS_H
#define TCPE_TEST_HARNESS_H

#include "tcpe_stack.h"
#include "tcpe_types.h"

/* Buffer operations backed by malloc; h_bops.ctx is unused. */
extern const struct tcpe_buf_ops h_bops;

/* A new buffer holding a copy of len bytes of data (one reference). */
struct tcpe_buf *h_buf_new(const void *data, uint32_t len);

/* A new buffer of len bytes whose byte i is (seed + i) & 0xff. */
struct tcpe_buf *h_buf_pattern(uint32_t len, uint8_t seed);

/* Buffers currently alive (allocated and not yet freed). */
long h_buf_live(void);

/* Current reference count of b. */
int h_buf_refs(const struct tcpe_buf *b);

/* Drop one reference on b (h_bops.unref). */
void h_buf_put(struct tcpe_buf *b);

/* --- segments ----------------------------------------------------------- */

/* Addresses of the tests: we are H_LADDR, the peer is H_RADDR. */
#define H_LADDR		0xc6120001u	/* 198.18.0.1 */
#define H_RADDR		0xc6120002u	/* 198.18.0.2 */

/* Time at which every fixture starts (not 0, to catch "0 = unset"). */
#define H_T0		TCPE_S(1000)

/* Timer wheel tick (tcpe_timer.h): the fine granularity. */
#define H_TICK		((tcpe_time_t)1 << TCPE_WHEEL_TICK_SHIFT)

/*
 * A received segment: tuple t (laddr/lport = ours), hash from
 * tcpe_tuple_hash(), no options, no payload.
 */
struct tcpe_seg h_seg(const struct tcpe_tuple *t, uint8_t flags,
    uint32_t seq, uint32_t ack, uint16_t wnd);
void h_seg_mss(struct tcpe_seg *seg, uint16_t mss);
void h_seg_ws(struct tcpe_seg *seg, uint8_t shift);
/* Borrow len bytes at off of b as the payload (no reference taken). */
void h_seg_payload(struct tcpe_seg *seg, struct tcpe_buf *b, uint32_t off,
    uint32_t len);

/* "SA" for SYN|ACK, "FPA" for FIN|PSH|ACK, ... into buf (>= 9 bytes). */
const char *h_flags_str(uint8_t flags, char *buf);

/* --- fixture ------------------------------------------------------------ */

#define H_OUT_CAP	64
#define H_EV_SLOTS	32

struct h_fx {
	struct tcpe_tcp_cfg cfg;	/* edit, then h_fx_restart() */
	struct tcpe_stack *s;
	struct tcpe_oseg seg[H_OUT_CAP];
	struct tcpe_out out;		/* what the last h_* call emitted */
	tcpe_time_t now;
	long live0;			/* h_buf_live() at the start */
	struct {
		const struct tcpe_conn *c;
		uint16_t ev;
	} ev[H_EV_SLOTS];		/* events drained from the stack */
};

/*
 * A stack with cfg (NULL: tcpe_tcp_cfg_defaults()), h_bops, a fixed
 * secret and MTU 1500, started at H_T0.
 */
struct h_fx *h_fx_new(const struct tcpe_tcp_cfg *cfg);
/* Destroy the stack and create it again from fx->cfg, at fx->now. */
void h_fx_restart(struct h_fx *fx);
/*
 * Release the emitted segments, destroy the stack, assert that no buffer
 * is left alive (relative to the start of the test) and free fx.
 */
void h_fx_free(struct h_fx *fx);

/*
 * The classic fixtures' settings: RFC 6298's initial RTO (1 s) as the
 * RTO floor too, so timings stay exact whatever RTT the harness's
 * instant replies measure, and tcp_congestion_control "none", so no
 * congestion window limits what the tests send. h_fx_new(NULL) and
 * h_cfg_plain() apply them; test_rel.c tests the estimator and the
 * congestion control with the real defaults.
 */
void h_cfg_classic(struct tcpe_tcp_cfg *cfg);

/*
 * Defaults, but no window scaling and fixed buffers: rmem = rbuf,
 * wmem = wbuf (all three values), so window arithmetic stays readable.
 */
void h_cfg_plain(struct tcpe_tcp_cfg *cfg, uint32_t rbuf, uint32_t wbuf);

/* Drop the references of the emitted segments and empty fx->out. */
void h_out_clear(struct h_fx *fx);
/* Print the emitted segments (on failure). */
void h_dump(const struct h_fx *fx);

/*
 * Events of c since the last call: drains tcpe_stack_next_event() (keeping
 * other connections' events for later) and adds what is pending in
 * c->events (a connection the application does not hold yet).
 */
uint16_t h_events(struct h_fx *fx, const struct tcpe_conn *c);

/* --- the remote peer ---------------------------------------------------- */

/*
 * The other end of a connection, as a test script sees it. Its byte
 * stream is deterministic: byte k (from 0) is (uint8_t)k; ours (what
 * h_send() queues) has byte k == (uint8_t)(k + H_OUR_SEED).
 */
#define H_OUR_SEED	0x80

struct h_peer {
	struct tcpe_tuple t;	/* seen from our side: laddr/lport ours */
	uint32_t iss;		/* the peer's ISS */
	uint32_t nxt;		/* the peer's SND.NXT */
	uint32_t ack;		/* the peer's RCV.NXT: what it ACKs */
	uint16_t wnd;		/* window field it sends */
	uint32_t our_base;	/* our ISS + 1 (first byte of our stream) */
	uint32_t app_sent;	/* bytes our application queued */
	uint32_t app_rcvd;	/* bytes our application read */
};

void h_peer_init(struct h_peer *p, uint16_t lport, uint16_t rport,
    uint32_t iss, uint16_t wnd);

/*
 * The peer sends one segment with explicit fields and len bytes of its
 * stream (matching seq) as payload, opts if not NULL. fx->out is cleared
 * first and then holds what the stack emitted. p is not updated.
 */
void h_tx(struct h_fx *fx, const struct h_peer *p, uint8_t flags,
    uint32_t seq, uint32_t ack, uint16_t wnd, uint32_t len);
void h_tx_opts(struct h_fx *fx, const struct h_peer *p, uint8_t flags,
    uint32_t seq, uint32_t ack, uint16_t wnd, uint32_t len,
    const struct tcpe_opts *opts);
/* The peer sends from p->nxt, acking p->ack, and advances p->nxt. */
void h_peer_send(struct h_fx *fx, struct h_peer *p, uint8_t flags,
    uint32_t len);

/* --- driving the stack (each clears fx->out first) ----------------------- */

/* Feed seg at fx->now. */
void h_input(struct h_fx *fx, const struct tcpe_seg *seg);
/* Set fx->now = t and run tcpe_stack_expire(). */
void h_expire(struct h_fx *fx, tcpe_time_t t);

/*
 * A timer armed at from for delay: assert that nothing is emitted up to
 * due - 1 ns (running any earlier, stale wheel deadline on the way), that
 * tcpe_stack_deadline() lies in [due, due + delay / 7 + 2 ticks], and run
 * tcpe_stack_expire() there. Returns that time (fx->now).
 */
#define h_fire(fx, from, delay) \
	h_fire_at(__FILE__, __LINE__, fx, from, delay)
tcpe_time_t h_fire_at(const char *file, int line, struct h_fx *fx,
    tcpe_time_t from, tcpe_time_t delay);

/* Active open of p->t; asserts the SYN; p->ack/our_base set from it. */
#define h_connect(fx, p)	h_connect_at(__FILE__, __LINE__, fx, p)
struct tcpe_conn *h_connect_at(const char *file, int line, struct h_fx *fx,
    struct h_peer *p);

/*
 * Full active open: connect, SYN-ACK from the peer with opts (NULL: MSS
 * 1460 only), our ACK asserted; returns the ESTABLISHED connection with
 * its events cleared and fx->out empty.
 */
#define h_open_active(fx, p, opts) \
	h_open_active_at(__FILE__, __LINE__, fx, p, opts)
struct tcpe_conn *h_open_active_at(const char *file, int line,
    struct h_fx *fx, struct h_peer *p, const struct tcpe_opts *opts);

/* A listener on H_LADDR:lport (asserted to succeed). */
struct tcpe_conn *h_listen(struct h_fx *fx, uint16_t lport,
    uint32_t backlog);

/*
 * Full passive open on listener l: SYN with opts (NULL: MSS 1460), the
 * SYN-ACK asserted, ACK; returns the accepted ESTABLISHED child with its
 * events (and the listener's) cleared.
 */
#define h_open_passive(fx, l, p, opts) \
	h_open_passive_at(__FILE__, __LINE__, fx, l, p, opts)
struct tcpe_conn *h_open_passive_at(const char *file, int line,
    struct h_fx *fx, struct tcpe_conn *l, struct h_peer *p,
    const struct tcpe_opts *opts);

/*
 * From ESTABLISHED with nothing in flight, drive c to state: FIN_WAIT_1,
 * FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK or TIME_WAIT, with
 * tcpe_conn_shutdown() (the application keeps its handle) and the peer's
 * ACKs and FIN, asserting each emitted segment. fx->out ends empty.
 */
#define h_goto(fx, c, p, state) \
	h_goto_at(__FILE__, __LINE__, fx, c, p, state)
void h_goto_at(const char *file, int line, struct h_fx *fx,
    struct tcpe_conn *c, struct h_peer *p, int state);

/*
 * Queue len bytes of our stream (p->app_sent onwards) with
 * tcpe_conn_send(), honouring the ownership contract (our reference is
 * dropped only if the send was partial). Returns what tcpe_conn_send()
 * returned.
 */
int h_send(struct h_fx *fx, struct tcpe_conn *c, struct h_peer *p,
    uint32_t len);

/*
 * Take everything tcpe_conn_recv() has, check it is the peer's stream
 * from p->app_rcvd on, drop the views. Returns the bytes taken; *last
 * (if not NULL) gets the return value of the final tcpe_conn_recv() call.
 * tcpe_conn_recv_done() is left to the caller.
 */
#define h_recv(fx, c, p, last) \
	h_recv_at(__FILE__, __LINE__, fx, c, p, last)
uint32_t h_recv_at(const char *file, int line, struct h_fx *fx,
    struct tcpe_conn *c, struct h_peer *p, int *last);

int h_recv_done(struct h_fx *fx, struct tcpe_conn *c, uint32_t len);
int h_shutdown(struct h_fx *fx, struct tcpe_conn *c, int how);
/* tcpe_conn_close(); forgets c's pending events. */
void h_close(struct h_fx *fx, struct tcpe_conn *c);

/* --- assertions --------------------------------------------------------- */

/* Compared flags ignore PSH, whose placement is the sender's choice. */
#define H_FLAGS_MASK	((uint8_t)~TCPE_TH_PSH)
/* Any value (for H_EXPECT_OPTS' mss/ws). */
#define H_ANY		(-1)

void h_expect_n(const char *file, int line, const struct h_fx *fx,
    uint32_t n);
void h_expect_seg(const char *file, int line, const struct h_fx *fx,
    uint32_t i, const struct h_peer *p, uint8_t flags, uint32_t seq,
    uint32_t ack);
void h_expect_rst(const char *file, int line, const struct h_fx *fx,
    uint32_t i, const struct h_peer *p, uint32_t seq, uint32_t ack);
void h_expect_wnd(const char *file, int line, const struct h_fx *fx,
    uint32_t i, uint16_t wnd);
void h_expect_len(const char *file, int line, const struct h_fx *fx,
    uint32_t i, uint32_t len);
void h_expect_stream(const char *file, int line, const struct h_fx *fx,
    uint32_t i, const struct h_peer *p, uint32_t len);
void h_expect_opts(const char *file, int line, const struct h_fx *fx,
    uint32_t i, uint8_t present, int mss, int ws);
void h_check(const char *file, int line, const struct h_fx *fx, bool ok,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Exactly n segments were emitted. */
#define H_EXPECT_N(fx, n)	h_expect_n(__FILE__, __LINE__, fx, n)
#define H_EXPECT_NONE(fx)	h_expect_n(__FILE__, __LINE__, fx, 0)
/*
 * Segment i has these flags (PSH ignored), seq, and ack if ACK is among
 * the flags; if p is not NULL, p's tuple. No payload is asserted here.
 */
#define H_EXPECT(fx, i, p, flags, seq, ack) \
	h_expect_seg(__FILE__, __LINE__, fx, i, p, flags, seq, ack)
/* Exactly one segment, with no payload. */
#define H_EXPECT_ONLY(fx, p, flags, seq, ack) do { \
	h_expect_n(__FILE__, __LINE__, fx, 1); \
	h_expect_seg(__FILE__, __LINE__, fx, 0, p, flags, seq, ack); \
	h_expect_len(__FILE__, __LINE__, fx, 0, 0); \
} while (0)
/* Segment i is an RST with this seq (ack checked if it carries ACK). */
#define H_EXPECT_RST(fx, i, p, seq, ack) \
	h_expect_rst(__FILE__, __LINE__, fx, i, p, seq, ack)
#define H_EXPECT_WND(fx, i, wnd) h_expect_wnd(__FILE__, __LINE__, fx, i, wnd)
#define H_EXPECT_LEN(fx, i, len) h_expect_len(__FILE__, __LINE__, fx, i, len)
/* Segment i carries len bytes of our stream, matching its seq. */
#define H_EXPECT_STREAM(fx, i, p, len) \
	h_expect_stream(__FILE__, __LINE__, fx, i, p, len)
/* Segment i carries exactly the options present (mss/ws: H_ANY or value). */
#define H_EXPECT_OPTS(fx, i, present, mss, ws) \
	h_expect_opts(__FILE__, __LINE__, fx, i, present, mss, ws)
/* A condition, with a message and a dump of the emitted segments. */
#define H_CHECK(fx, cond, ...) \
	h_check(__FILE__, __LINE__, fx, (cond), __VA_ARGS__)

/* --- timestamps and SACK-permitted (issue 3) ------------------------------ */

/* Give a received segment a TS option (RFC 7323) / SACK-permitted. */
void h_seg_ts(struct tcpe_seg *seg, uint32_t tsval, uint32_t tsecr);
void h_seg_sackok(struct tcpe_seg *seg);

/* Any value, for H_EXPECT_TS' tsval/tsecr. */
#define H_ANY_TS	(-1LL)

void h_expect_ts(const char *file, int line, const struct h_fx *fx,
    uint32_t i, long long tsval, long long tsecr);
/*
 * Segment i carries a TS option with this TSval and TSecr (H_ANY_TS: any).
 * Which other options it carries is H_EXPECT_OPTS' business.
 */
#define H_EXPECT_TS(fx, i, tsval, tsecr) \
	h_expect_ts(__FILE__, __LINE__, fx, i, tsval, tsecr)

/* --- shared by the connection tests ----------------------------------- */

/* Header flags, as the tests write them. */
#define SYN		TCPE_TH_SYN
#define SA		(TCPE_TH_SYN | TCPE_TH_ACK)
#define FA		(TCPE_TH_FIN | TCPE_TH_ACK)
#define RA		(TCPE_TH_RST | TCPE_TH_ACK)
#define R		TCPE_TH_RST
#define A		TCPE_TH_ACK
#define PA		(TCPE_TH_PSH | TCPE_TH_ACK)

/* The fixture's counters and gauges. */
#define MIB(fx, id)	((fx)->s->mib[TCPE_MIB_##id])
#define NCONNS(fx)	tcpe_stack_conn_count((fx)->s)
#define NSTATE(fx, st)	((fx)->s->state_count[TCPE_##st])

#define EXPECT_STATE(fx, c, st) \
	H_CHECK(fx, (c)->state == TCPE_##st, "state %s, expected %s", \
	    tcpe_state_name((c)->state), #st)
/* The events since the last look include want / exclude unwanted. */
#define EXPECT_EV(fx, c, want) do { \
	uint16_t ev_ = h_events(fx, c); \
	H_CHECK(fx, (ev_ & (want)) == (want), "events %#x, expected %#x set", \
	    ev_, (unsigned)(want)); \
} while (0)
#define EXPECT_NO_EV(fx, c, unwanted) do { \
	uint16_t ev_ = h_events(fx, c); \
	H_CHECK(fx, (ev_ & (unwanted)) == 0, "events %#x, expected %#x clear", \
	    ev_, (unsigned)(unwanted)); \
} while (0)
/* The events since the last look are exactly want. */
#define EXPECT_EVS(fx, c, want) do { \
	uint16_t ev_ = h_events(fx, c); \
	H_CHECK(fx, ev_ == (want), "events %#x, expected exactly %#x", ev_, \
	    (unsigned)(want)); \
} while (0)
#define EXPECT_MIB(fx, id, v) \
	H_CHECK(fx, MIB(fx, id) == (uint64_t)(v), "%s = %llu, expected %llu", \
	    tcpe_mib_name(TCPE_MIB_##id), (unsigned long long)MIB(fx, id), \
	    (unsigned long long)(v))
/* got and want are evaluated once (either may be a call). */
#define EXPECT_U32(fx, what, got, want) do { \
	uint32_t g_ = (uint32_t)(got), w_ = (uint32_t)(want); \
	H_CHECK(fx, g_ == w_, "%s = %u, expected %u", what, g_, w_); \
} while (0)

/* cmocka fixtures: a default stack (h_fx_new(NULL)), and its teardown. */
int h_setup_default(void **state);
int h_teardown(void **state);

#endif /* TCPE_TEST_HARNESS_H */
