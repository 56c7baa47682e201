/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One TCP connection (RFC 9293), sans-IO. Every entry point maps
 * (connection, input, now) to a new state, segments appended to a
 * struct tcpe_out, events for the application (c->events) and a next
 * deadline (tcpe_conn_deadline()). Connections live in a struct
 * tcpe_stack (tcpe_stack.h), which owns their memory, table and timer.
 */
#ifndef TCPE_CONN_H
#define TCPE_CONN_H

#include "tcpe_cc.h"
#include "tcpe_ooo.h"
#include "tcpe_rtt.h"
#include "tcpe_sack.h"
#include "tcpe_table.h"
#include "tcpe_timer.h"
#include "tcpe_types.h"

struct tcpe_stack;

/*
 * States in FreeBSD tcp_fsm.h order, so that ranges mean something:
 * >= ESTABLISHED: synchronized; >= FIN_WAIT_1 (except CLOSE_WAIT): we
 * have sent or queued our FIN.
 */
enum tcpe_state {
	TCPE_CLOSED = 0,
	TCPE_LISTEN,
	TCPE_SYN_SENT,
	TCPE_SYN_RECEIVED,
	TCPE_ESTABLISHED,
	TCPE_CLOSE_WAIT,
	TCPE_FIN_WAIT_1,
	TCPE_CLOSING,
	TCPE_LAST_ACK,
	TCPE_FIN_WAIT_2,
	TCPE_TIME_WAIT,
	TCPE_STATE_MAX
};

/* "CLOSED", "LISTEN", ... as in RFC 9293; "?" out of range. */
const char *tcpe_state_name(int state);

/* RFC 9293: ESTABLISHED and every later state are synchronized. */
static inline bool
tcpe_state_synchronized(int s)
{
	return s >= TCPE_ESTABLISHED;
}

/* We have received the peer's FIN (nothing more will be read). */
static inline bool
tcpe_state_have_rcvd_fin(int s)
{
	return s == TCPE_CLOSE_WAIT || s == TCPE_CLOSING ||
	    s == TCPE_LAST_ACK || s == TCPE_TIME_WAIT;
}

/* Our FIN is queued or sent (nothing more will be written). */
static inline bool
tcpe_state_fin_queued(int s)
{
	return s >= TCPE_FIN_WAIT_1;
}

/* Timers of a connection: one deadline each, one wheel entry for all. */
enum tcpe_tt {
	TCPE_TT_RTO = 0,	/* retransmission (data, SYN, SYN-ACK, FIN) */
	TCPE_TT_2MSL,		/* TIME_WAIT; an orphan's FIN_WAIT_2 timeout;
				 * SO_LINGER {on, n} while our FIN is unacked */
	TCPE_TT_DELACK,		/* delayed ACK */
	TCPE_TT_KEEP,		/* keepalive */
	TCPE_TT_EARLY,		/* RFC 8985: tail loss probe (PTO) or,
				 * with CF_REO, RACK's reordering window */
	TCPE_TT_N
};

/* Events for the application, accumulated in c->events. */
#define TCPE_EV_CONNECTED	0x0001	/* handshake done (active or accepted) */
#define TCPE_EV_READABLE	0x0002	/* data queued for tcpe_conn_recv() */
#define TCPE_EV_WRITABLE	0x0004	/* send space freed */
#define TCPE_EV_EOF		0x0008	/* peer's FIN received, after all data */
#define TCPE_EV_ERROR		0x0010	/* reset, refused or timed out: c->err */
#define TCPE_EV_CLOSED		0x0020	/* reached CLOSED; handle still valid */
#define TCPE_EV_ACCEPT		0x0040	/* listener: a child awaits accept */

/* Connection flags (c->flags). */
#define TCPE_CF_APP		0x0001	/* the application holds a handle */
#define TCPE_CF_FIN_QUEUED	0x0002	/* shutdown(WR)/close: FIN after data */
#define TCPE_CF_FIN_SENT	0x0004	/* our FIN has been sent at least once */
#define TCPE_CF_RD_SHUT		0x0008	/* shutdown(RD): reads report EOF */
#define TCPE_CF_ACK_NOW		0x0010	/* send an ACK on the next output */
#define TCPE_CF_WSCALE		0x0020	/* window scaling negotiated */
#define TCPE_CF_ACCEPTED	0x0040	/* child taken from the accept queue */
#define TCPE_CF_IN_ACCEPTQ	0x0080	/* child sits in its listener's queue */
#define TCPE_CF_EVQ		0x0100	/* linked on the stack's event list */
#define TCPE_CF_RCV_EOF		0x0200	/* peer FIN consumed into the stream */
#define TCPE_CF_WANT_WRITE	0x0400	/* a send was short: signal WRITABLE */
#define TCPE_CF_PASSIVE		0x0800	/* created by a listener */
#define TCPE_CF_FIN_ACKED	0x1000	/* the peer acknowledged our FIN */
#define TCPE_CF_RTO_ONE		0x2000	/* after an RTO: one segment per ACK */
#define TCPE_CF_TS		0x4000	/* RFC 7323 timestamps offered/in use */
#define TCPE_CF_SACK		0x8000	/* SACK-permitted offered/negotiated */
#define TCPE_CF_ORPHAN		0x10000	/* closed by the app, counted in orphans */
#define TCPE_CF_LINGER		0x20000	/* SO_LINGER on: c->linger seconds */
#define TCPE_CF_NODELAY		0x40000	/* TCP_NODELAY: no Nagle */
#define TCPE_CF_KEEPALIVE	0x80000	/* SO_KEEPALIVE */
#define TCPE_CF_QUICKACK	0x100000 /* TCP_QUICKACK: never delay ACKs */
#define TCPE_CF_RTT_ON		0x200000 /* a segment is timed: rtt_seq */
#define TCPE_CF_RECOVERY	0x400000 /* in fast recovery (until recover) */
#define TCPE_CF_RTX_HEAD	0x800000 /* resend the segment at SND.UNA */
#define TCPE_CF_LOSS		0x1000000 /* SACK recovery after an RTO, until
					  * recover (Linux CA_Loss) */
#define TCPE_CF_FENCE		0x2000000 /* rxt_fence set: this recovery pass
					  * has retransmitted */
#define TCPE_CF_TLP		0x4000000 /* a loss probe is out: tlp_high */
#define TCPE_CF_TLP_RXT		0x8000000 /* ... and it was a retransmission */
#define TCPE_CF_REO		0x10000000 /* TT_EARLY is RACK's reordering
					   * window, not the probe timeout */
#define TCPE_CF_REO_GREW	0x20000000 /* RACK's window grew on a D-SACK
					   * since the last loss episode */

/* ACKs sent at once after the handshake before delaying any (Linux). */
#define TCPE_QUICKACKS		16

/* Bytes of the timestamp option as sent (with its two NOPs). */
#define TCPE_TS_OPT_LEN		12

/* A listener's queues, allocated with it (not in every TCB). */
struct tcpe_lq {
	struct tcpe_list syn_q;		/* half-open children */
	struct tcpe_list acc_q;		/* established, unaccepted */
	uint32_t syn_len;
	uint32_t acc_len;
	uint32_t backlog;		/* min(backlog, somaxconn) */
	tcpe_time_t last_cookie;	/* last cookie SYN-ACK sent */
};

/* A growable ring of views; each view holds one buffer reference. */
struct tcpe_vq {
	struct tcpe_view *v;
	uint32_t head;
	uint32_t n;
	uint32_t cap;
	uint32_t bytes;		/* sum of v[].len */
};

/*
 * The transmission control block (RFC 9293 section 3.3.1).
 * Invariants:
 *  - snd_una <= snd_nxt <= snd_max (modulo 2^32); sndq holds the bytes
 *    from snd_una (excluding a SYN or FIN, which carry no payload).
 *  - rcvq holds in-order bytes not yet taken by tcpe_conn_recv();
 *    rcv_held counts bytes taken but not released; the window offered is
 *    rcv_buf - rcvq.bytes - rcv_held, never shrunk below what was
 *    advertised (RFC 9293 section 3.8.6.2.2).
 *  - the wheel entry is pending iff some deadline[] is not NEVER, and it
 *    is armed at or before the earliest of them.
 */
struct tcpe_conn {
	struct tcpe_table_node node;	/* key = 4-tuple; first member */
	struct tcpe_timer timer;
	struct tcpe_stack *stack;
	struct tcpe_conn *ev_next;	/* stack event list */
	uint8_t state;
	uint8_t snd_wscale;		/* peer's shift, applied to its window */
	uint8_t rcv_wscale;		/* our shift, applied to what we send */
	uint8_t rtx_count;		/* consecutive RTO expiries */
	uint8_t probes;			/* unanswered zero-window probes */
	uint8_t keep_probes;		/* unanswered keepalive probes */
	uint8_t quick;			/* ACKs still to send at once */
	uint8_t dupacks;		/* duplicate ACKs in a row */
	uint16_t events;
	uint16_t ato_ms;		/* delayed-ACK timeout (Linux ato) */
	uint32_t flags;
	uint32_t reo_mark;		/* HighSACK when RACK's window began */
	int err;			/* 0 or -ECONNRESET/-ECONNREFUSED/... */
	uint32_t lrcv_ms;		/* last data received, ms clock */
	uint32_t dup_flight;		/* flight at the first duplicate ACK */

	tcpe_time_t deadline[TCPE_TT_N];
	tcpe_time_t rto;		/* current RTO, backoff included */

	/* Send sequence space. */
	uint32_t iss;
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_max;		/* highest seq sent + 1 */
	uint32_t snd_wnd;		/* peer's window, scaled */
	uint32_t snd_wl1;
	uint32_t snd_wl2;
	uint32_t max_snd_wnd;		/* largest window the peer offered */
	uint32_t snd_sml;		/* end of the last short segment sent */
	uint32_t snd_buf;		/* capacity of sndq in bytes */
	uint16_t mss;			/* largest payload we send */
	uint16_t rcv_mss;		/* MSS we advertised */
	uint32_t ts_off;		/* our TSval = now in ms + ts_off */
	uint32_t ts_recent;		/* TS.Recent (RFC 7323 section 4.3) */
	uint32_t linger;		/* SO_LINGER seconds, with CF_LINGER */
	struct tcpe_vq sndq;

	/* Receive sequence space. */
	uint32_t irs;
	uint32_t rcv_nxt;
	uint32_t rcv_adv;		/* right edge of the window advertised */
	uint32_t rcv_buf;
	uint32_t rcv_held;
	uint32_t last_ack;		/* Last.ACK.sent (RFC 7323 4.3) */
	struct tcpe_vq rcvq;

	/*
	 * Reliable delivery: RFC 6298 estimator, congestion control, fast
	 * recovery (RFC 6582; RFC 6675 with the SACK scoreboard), receiver
	 * reassembly and the D-SACK to report (RFC 2883).
	 */
	struct tcpe_rtt rtt;
	struct tcpe_cc cc;
	struct tcpe_sb *sb;		/* allocated at the first SACK block */
	struct tcpe_ooo *ooo;		/* out-of-order data above RCV.NXT,
					 * allocated while there is some */
	tcpe_time_t rtt_ts;		/* when the timed segment was sent */
	tcpe_time_t rtx_start;		/* first retransmission of a stall */
	tcpe_time_t last_tx;		/* last data sent (restart after idle) */
	tcpe_time_t last_oow;		/* last ACK to an unacceptable segment */
	uint32_t rtt_seq;		/* end of the timed segment */
	uint32_t recover;		/* RFC 6582 recover */
	uint32_t high_rxt;		/* one past the last byte resent in
					 * recovery (RFC 6675 HighRxt + 1) */
	uint32_t lost_end;		/* in recovery: every unSACKed byte
					 * below is lost (RACK, RTO) */
	uint32_t rxt_fence;		/* SND.MAX at this pass's first
					 * retransmission (CF_FENCE) */
	uint32_t tlp_high;		/* SND.MAX after the loss probe */
	struct tcpe_sack_block dsack;	/* to report; left == right: none */

	/*
	 * Listener (LISTEN) and child bookkeeping. A child is linked by
	 * qlink on its listener's syn_q while SYN_RECEIVED, then on acc_q
	 * once ESTABLISHED, until the application accepts it. A listener
	 * is linked by qlink on the stack's list of listeners.
	 */
	struct tcpe_list qlink;
	struct tcpe_conn *listener;	/* child: its listener, until accepted */
	struct tcpe_lq *lq;		/* listener only: its queues */

	/*
	 * Owned by the layer above the core (lib/api: the socket's handlers
	 * and context). Zero in a new TCB; the core never reads them.
	 */
	const void *app_h;
	void *app_ctx;
};

/*
 * Process one received segment for c (RFC 9293 section 3.10.7 order:
 * sequence check, RST, SYN, ACK, data, FIN). c must not be a listener
 * (use tcpe_stack_input(), which demultiplexes). Appends what must be
 * sent to out and sets events. Returns 0; the segment's payload view is
 * only borrowed.
 */
int tcpe_conn_input(struct tcpe_conn *c, const struct tcpe_seg *seg,
    tcpe_time_t now, struct tcpe_out *out);

/* Run the timers of c that are due at now. Returns 0. */
int tcpe_conn_expire(struct tcpe_conn *c, tcpe_time_t now,
    struct tcpe_out *out);

/* Earliest deadline of c, TCPE_TIME_NEVER if none. */
tcpe_time_t tcpe_conn_deadline(const struct tcpe_conn *c);

/*
 * Send what the windows allow (data, SYN, FIN, a pending ACK). Called by
 * the other entry points; call it again after flushing a full out.
 */
int tcpe_conn_output(struct tcpe_conn *c, tcpe_time_t now,
    struct tcpe_out *out);

/*
 * Queue the bytes of *v for sending. Returns the number of bytes accepted
 * (0 when the send buffer is full), -ENOTCONN before the handshake has
 * started, -EPIPE after shutdown(WR)/close or once the connection is
 * closed or reset. *v is advanced past the accepted bytes; if all of it
 * was accepted, the caller's reference now belongs to the connection,
 * otherwise the connection took a reference of its own for the accepted
 * part and the caller keeps its reference for the rest.
 */
int tcpe_conn_send(struct tcpe_conn *c, struct tcpe_view *v,
    tcpe_time_t now, struct tcpe_out *out);

/*
 * Take the next chunk of received in-order data. Returns its length (> 0)
 * and fills *v, which then holds a reference owned by the caller; 0 at
 * end of stream (peer FIN, or after shutdown(RD)); -EAGAIN when nothing
 * is queued yet; c->err after a reset or a timeout. The bytes stay
 * counted against the receive window until tcpe_conn_recv_done().
 */
int tcpe_conn_recv(struct tcpe_conn *c, struct tcpe_view *v);

/*
 * As tcpe_conn_recv(), but take at most max bytes (max > 0): a longer
 * chunk is split by taking another reference on its buffer, and the rest
 * stays queued for the next call. Same returns.
 */
int tcpe_conn_recv_max(struct tcpe_conn *c, struct tcpe_view *v,
    uint32_t max);

/*
 * The application has finished with len bytes taken by tcpe_conn_recv()
 * (it unrefs the views itself). Reopens the window and sends a window
 * update once the window can grow by min(half the buffer, one MSS)
 * (receiver-side silly window avoidance, RFC 9293 section 3.8.6.2.2).
 * Returns 0, -EINVAL if len exceeds what is held.
 */
int tcpe_conn_recv_done(struct tcpe_conn *c, uint32_t len, tcpe_time_t now,
    struct tcpe_out *out);

#define TCPE_SHUT_RD	1
#define TCPE_SHUT_WR	2
#define TCPE_SHUT_RDWR	3

/*
 * shutdown(): SHUT_WR queues a FIN after the queued data (the application
 * can still read); SHUT_RD makes further reads return EOF and sends
 * nothing. Returns 0, -EINVAL for a bad how, -ENOTCONN on a listener or
 * a closed connection.
 */
int tcpe_conn_shutdown(struct tcpe_conn *c, int how, tcpe_time_t now,
    struct tcpe_out *out);

/*
 * close(): the application gives up its handle. A connection that still
 * has unread data is reset (RFC 9293 section 3.10.4, as Linux does);
 * otherwise a FIN is queued as for SHUT_WR and the connection finishes
 * its close on its own, then frees itself. A listener is closed and its
 * unaccepted children are reset. c must not be used afterwards.
 */
void tcpe_conn_close(struct tcpe_conn *c, tcpe_time_t now,
    struct tcpe_out *out);

/*
 * Send an RST (in synchronized states and SYN_RECEIVED) and close at once;
 * the handle stays valid until tcpe_conn_close(). Returns 0.
 */
int tcpe_conn_abort(struct tcpe_conn *c, tcpe_time_t now,
    struct tcpe_out *out);

/*
 * SO_LINGER, for the next tcpe_conn_close(): off (the default) closes
 * gracefully in the background; {on, 0} makes close() reset the
 * connection and free it at once, without TIME_WAIT; {on, secs} makes it
 * reset the connection if our FIN is not acknowledged within secs.
 * Returns 0, -EINVAL if secs > 86400.
 */
int tcpe_conn_set_linger(struct tcpe_conn *c, bool on, uint32_t secs);

/*
 * TCP_NODELAY: on sends small segments at once; off (the default) holds
 * a small segment while data is unacknowledged (Nagle, RFC 9293
 * 3.7.4).
 */
void tcpe_conn_set_nodelay(struct tcpe_conn *c, bool on);

/*
 * SO_KEEPALIVE: probe an idle connection after tcp_keepalive_time, every
 * tcp_keepalive_intvl, and reset it with ETIMEDOUT after
 * tcp_keepalive_probes unanswered probes. Off by default.
 */
void tcpe_conn_set_keepalive(struct tcpe_conn *c, bool on, tcpe_time_t now);

/* TCP_QUICKACK: on acknowledges every segment at once (no delayed ACK). */
void tcpe_conn_set_quickack(struct tcpe_conn *c, bool on);

/* Out-of-order bytes held for reassembly. */
static inline uint32_t
tcpe_conn_ooo_bytes(const struct tcpe_conn *c)
{
	return c->ooo != NULL ? tcpe_ooo_bytes(c->ooo) : 0;
}

/* Bytes the application may still queue with tcpe_conn_send(). */
uint32_t tcpe_conn_send_space(const struct tcpe_conn *c);

/* Send the state transition through one place (traceable). */
void tcpe_conn_set_state(struct tcpe_conn *c, int state);

#endif /* TCPE_CONN_H */
