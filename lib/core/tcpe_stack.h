/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore shard of the core: connection table, timer wheel,
 * listeners, counters, event list. One per lcore, touched only by it: no
 * locks, no atomics. Still sans-IO: segments go out through struct
 * tcpe_out, time comes in as now.
 */
#ifndef TCPE_STACK_H
#define TCPE_STACK_H

#include "tcpe_conn.h"
#include "tcpe_cookie.h"
#include "tcpe_params.h"
#include "tcpe_table.h"
#include "tcpe_timer.h"
#include "tcpe_tw.h"
#include "tcpe_types.h"

/*
 * Counters, named after Linux's /proc/net/snmp (Tcp:) and
 * /proc/net/netstat (TcpExt:) where one exists; tcpe's own otherwise.
 */
#define TCPE_MIB_LIST(X) \
	X(ACTIVE_OPENS, "Tcp", "ActiveOpens") \
	X(PASSIVE_OPENS, "Tcp", "PassiveOpens") \
	X(ATTEMPT_FAILS, "Tcp", "AttemptFails") \
	X(ESTAB_RESETS, "Tcp", "EstabResets") \
	X(IN_SEGS, "Tcp", "InSegs") \
	X(OUT_SEGS, "Tcp", "OutSegs") \
	X(RETRANS_SEGS, "Tcp", "RetransSegs") \
	X(IN_ERRS, "Tcp", "InErrs") \
	X(OUT_RSTS, "Tcp", "OutRsts") \
	X(LISTEN_OVERFLOWS, "TcpExt", "ListenOverflows") \
	X(LISTEN_DROPS, "TcpExt", "ListenDrops") \
	X(SYNCOOKIES_SENT, "TcpExt", "SyncookiesSent") \
	X(SYNCOOKIES_RECV, "TcpExt", "SyncookiesRecv") \
	X(SYNCOOKIES_FAILED, "TcpExt", "SyncookiesFailed") \
	X(REQQ_FULL_DO_COOKIES, "TcpExt", "TCPReqQFullDoCookies") \
	X(REQQ_FULL_DROP, "TcpExt", "TCPReqQFullDrop") \
	X(EMBRYONIC_RSTS, "TcpExt", "EmbryonicRsts") \
	X(ABORT_ON_DATA, "TcpExt", "TCPAbortOnData") \
	X(ABORT_ON_CLOSE, "TcpExt", "TCPAbortOnClose") \
	X(ABORT_ON_TIMEOUT, "TcpExt", "TCPAbortOnTimeout") \
	X(ABORT_ON_MEMORY, "TcpExt", "TCPAbortOnMemory") \
	X(ABORT_ON_LINGER, "TcpExt", "TCPAbortOnLinger") \
	X(TW_OVERFLOW, "TcpExt", "TCPTimeWaitOverflow") \
	X(TW_RECYCLED, "TcpExt", "TWRecycled") \
	X(TW_KILLED, "Tcpe", "TWKilled") \
	X(CHALLENGE_ACK, "TcpExt", "TCPChallengeACK") \
	X(TIMEOUTS, "TcpExt", "TCPTimeouts") \
	X(DELAYED_ACKS, "TcpExt", "DelayedACKs") \
	X(KEEPALIVE, "TcpExt", "TCPKeepAlive") \
	X(PAWS_ESTAB, "TcpExt", "PAWSEstab") \
	X(RENO_RECOVERY, "TcpExt", "TCPRenoRecovery") \
	X(SACK_RECOVERY, "TcpExt", "TCPSackRecovery") \
	X(FAST_RETRANS, "TcpExt", "TCPFastRetrans") \
	X(OFO_QUEUE, "TcpExt", "TCPOFOQueue") \
	X(OFO_DROP, "TcpExt", "TCPOFODrop") \
	X(DSACK_SENT, "TcpExt", "TCPDSACKOldSent") \
	X(DSACK_RECV, "TcpExt", "TCPDSACKRecv") \
	X(ACK_SKIPPED_SEQ, "TcpExt", "TCPACKSkippedSeq") \
	X(LOSS_PROBES, "TcpExt", "TCPLossProbes") \
	X(LOSS_PROBE_RECOVERY, "TcpExt", "TCPLossProbeRecovery") \
	X(LOST_RETRANSMIT, "TcpExt", "TCPLostRetransmit") \
	X(RACK_REO_TIMEOUTS, "Tcpe", "TCPRackReoTimeouts") \
	X(LOSS_RECOVERY_AFTER_RTO, "Tcpe", "TCPSackLossRecovery") \
	X(DROP_NO_CONN_MEM, "Tcpe", "DropNoConnMem") \
	X(DROP_TABLE_FULL, "Tcpe", "DropTableFull") \
	X(DROP_OUT_OF_WINDOW, "Tcpe", "DropOutOfWindow") \
	X(DROP_BAD_ACK, "Tcpe", "DropBadAck") \
	X(DROP_RCVBUF_FULL, "Tcpe", "DropRcvbufFull")

enum tcpe_mib {
#define TCPE_MIB_ENUM(id, group, name) TCPE_MIB_##id,
	TCPE_MIB_LIST(TCPE_MIB_ENUM)
#undef TCPE_MIB_ENUM
	TCPE_MIB_N
};

/* "Tcp", "TcpExt" or "Tcpe"; and the counter's name; NULL out of range. */
const char *tcpe_mib_group(int id);
const char *tcpe_mib_name(int id);

/* Optional hook to trace every state transition (old => new). */
typedef void (*tcpe_trace_fn)(void *ctx, const struct tcpe_conn *c,
    int old_state, int new_state);

struct tcpe_stack_params {
	const struct tcpe_tcp_cfg *cfg;	/* must outlive the stack */
	struct tcpe_buf_ops bops;
	uint64_t secret[2];	/* per-boot random key for ISNs (RFC 6528) */
	uint16_t mtu;		/* IPv4 MTU of the device: MSS = mtu - 40 */
	tcpe_trace_fn trace;	/* may be NULL */
	void *trace_ctx;
	void *app;		/* opaque owner context, never read by the core */
};

struct tcpe_stack {
	struct tcpe_tcp_cfg cfg;
	struct tcpe_buf_ops bops;
	uint64_t secret[2];
	struct tcpe_cookie_keys cookie_keys;	/* from secret */
	tcpe_time_t now;		/* of the current entry point */
	tcpe_time_t next_hint;		/* no deadline before it (lower bound) */
	uint16_t mss;			/* largest MSS we accept/advertise */
	uint8_t rcv_wscale;		/* our window shift (tcp_rmem[1]) */
	tcpe_trace_fn trace;
	void *trace_ctx;
	void *app;			/* from tcpe_stack_params, opaque */
	struct tcpe_table table;	/* established, half-open, closing */
	struct tcpe_wheel wheel;
	struct tcpe_tw_set tw;		/* TIME_WAIT records */
	struct tcpe_list listeners;	/* LISTEN conns, by qlink */
	struct tcpe_conn *ev_head;	/* connections with pending events */
	struct tcpe_conn **ev_tail;
	uint32_t nconns;		/* live TCBs, listeners included */
	uint32_t orphans;		/* TCBs closed by the app, not CLOSED */
	uint32_t state_count[TCPE_STATE_MAX];	/* TIME_WAIT: with records */
	uint64_t mib[TCPE_MIB_N];
};

/*
 * Create a shard. Returns NULL with errno EINVAL (bad parameters) or
 * ENOMEM.
 */
struct tcpe_stack *tcpe_stack_create(const struct tcpe_stack_params *p,
    tcpe_time_t now);

/*
 * Free every connection (dropping their buffer references) and the shard.
 * No segment is emitted.
 */
void tcpe_stack_destroy(struct tcpe_stack *s);

/*
 * Demultiplex one received segment: to its connection, else to a
 * listener, else answer as RFC 9293 section 3.10.7.1 says for CLOSED
 * (RST unless the segment is an RST). Returns 0.
 */
int tcpe_stack_input(struct tcpe_stack *s, const struct tcpe_seg *seg,
    tcpe_time_t now, struct tcpe_out *out);

/* Advance the wheel to now and run every due timer. Returns 0. */
int tcpe_stack_expire(struct tcpe_stack *s, tcpe_time_t now,
    struct tcpe_out *out);

/*
 * Free the TIME_WAIT records expired at now (they send nothing): part of
 * tcpe_stack_expire(), for callers that run the wheel themselves.
 * Returns how many.
 */
uint32_t tcpe_stack_expire_tw(struct tcpe_stack *s, tcpe_time_t now);

/* When tcpe_stack_expire() next has work, TCPE_TIME_NEVER if never. */
tcpe_time_t tcpe_stack_deadline(const struct tcpe_stack *s);

/*
 * Is a deadline due at now? One compare while now is below a cached
 * lower bound of the next deadline (raised here to the exact deadline
 * when passed, lowered whenever an earlier timer is armed): a loop may
 * ask on every iteration.
 */
static inline bool
tcpe_stack_due(struct tcpe_stack *s, tcpe_time_t now)
{
	if (now < s->next_hint)
		return false;
	s->next_hint = tcpe_stack_deadline(s);
	return s->next_hint <= now;
}

/*
 * Open a listener on laddr:lport (laddr 0: any local address) with
 * accept queue min(backlog, somaxconn). Returns it, or NULL with *err set
 * to -EADDRINUSE or -ENOMEM.
 */
struct tcpe_conn *tcpe_stack_listen(struct tcpe_stack *s, uint32_t laddr,
    uint16_t lport, uint32_t backlog, int *err);

/*
 * Active open of the 4-tuple t (the caller has chosen the local port),
 * hash as the caller will compute it for received segments. Sends the SYN
 * into out. Returns the connection, or NULL with *err set to -EADDRINUSE
 * (tuple in use), -ENOSPC (table full) or -ENOMEM.
 */
struct tcpe_conn *tcpe_stack_connect(struct tcpe_stack *s,
    const struct tcpe_tuple *t, uint32_t hash, tcpe_time_t now,
    struct tcpe_out *out, int *err);

/*
 * Take the next established child from listener l's accept queue, or NULL.
 * The application then holds the child's handle (close it with
 * tcpe_conn_close()).
 */
struct tcpe_conn *tcpe_stack_accept(struct tcpe_conn *l);

/*
 * Take the next connection with pending events and clear them into
 * *events, or NULL. A connection whose handle the application does not
 * hold (orphans, unaccepted children) never appears.
 */
struct tcpe_conn *tcpe_stack_next_event(struct tcpe_stack *s,
    uint16_t *events);

/* Live TCBs (listeners included). */
static inline uint32_t
tcpe_stack_conn_count(const struct tcpe_stack *s)
{
	return s->nconns;
}

/* Internal to the core: shared by tcpe_conn.c and tcpe_stack.c. */
struct tcpe_conn *tcpe_stack_alloc_conn(struct tcpe_stack *s);
void tcpe_stack_conn_sync(struct tcpe_conn *c);
uint32_t tcpe_stack_isn(const struct tcpe_stack *s,
    const struct tcpe_tuple *t, tcpe_time_t now);
uint32_t tcpe_stack_ts_off(const struct tcpe_stack *s,
    const struct tcpe_tuple *t);
void tcpe_conn_established(struct tcpe_conn *c);
bool tcpe_stack_acc_overflow(struct tcpe_stack *s, struct tcpe_conn *l,
    const struct tcpe_seg *seg, bool may_abort, struct tcpe_out *out);
void tcpe_stack_ev_unlink(struct tcpe_conn *c);
bool tcpe_conn_tw_reopen(struct tcpe_conn *c, const struct tcpe_seg *seg,
    uint32_t *isn);
void tcpe_conn_take_syn_options(struct tcpe_conn *c,
    const struct tcpe_seg *seg);
void tcpe_stack_send_rst(struct tcpe_stack *s, const struct tcpe_seg *seg,
    struct tcpe_out *out);

#endif /* TCPE_STACK_H */
