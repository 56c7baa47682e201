/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Observability: the engine's counters, connection states and a
 * connection dump (ss -tin), exposed as rte_telemetry commands under
 * /tcpe/ (readable with dpdk-telemetry.py, and with tcpe-stat).
 *
 * Thread safety. rte_telemetry runs its callbacks on its own control
 * threads, while every worker owns its shard without locks. The callbacks
 * never read a worker's live state. Instead each worker has a mailbox:
 *
 *   telemetry thread                      worker (its lcore)
 *   ----------------                      ------------------
 *   (under a mutex: one request at
 *    a time, control plane only)
 *   req = seq << 1 | want_conns  ---->   tcpe_obs_poll(): one relaxed
 *   (release store)                       load per loop iteration; when
 *                                         req != done it copies counters,
 *                                         states and (if asked) a bounded
 *                                         connection dump into the
 *                                         mailbox's snapshot, then
 *   wait (bounded, 5 s) until    <----   done = req (release store)
 *   done == req (acquire load),
 *   then read the snapshot.
 *
 * The worker writes the snapshot only between reading a new req and
 * publishing done; the telemetry thread reads it only once done == req
 * and before it posts the next request, so the two never overlap, even
 * after a timeout (a late answer is published under its own seq and
 * ignored). The packet path pays one load and compare per iteration; no
 * lock, no atomic read-modify-write.
 *
 * A worker that is not running (before tcpe_run(), after tcpe_stop())
 * does not answer: the command then returns {"error": ...}. Embedded
 * workers (tcpe_embed_create()) are not registered.
 */
#ifndef TCPE_TELEMETRY_H
#define TCPE_TELEMETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpe_dp.h"

#define TCPE_OBS_WORKERS_MAX	128

/* Connections a dump holds at most, over all workers (the rest counted). */
#define TCPE_OBS_CONN_MAX	65536

/* The pending timer of a dumped connection, as ss -o names them. */
enum tcpe_obs_timer {
	TCPE_OBS_T_NONE = 0,
	TCPE_OBS_T_ON,		/* retransmission (RTO, persist) */
	TCPE_OBS_T_TIMEWAIT,	/* TIME_WAIT, orphan FIN_WAIT_2, linger */
	TCPE_OBS_T_DELACK,	/* delayed ACK */
	TCPE_OBS_T_KEEPALIVE,
};

#define TCPE_OBS_F_TWREC	0x01	/* a compact TIME_WAIT record */
#define TCPE_OBS_F_ORPHAN	0x02	/* closed by the application */
#define TCPE_OBS_F_LISTEN	0x04	/* sendq: backlog, recvq: accept q */

/* One connection of a dump (host byte order, times in ns). */
struct tcpe_obs_conn {
	uint32_t laddr;
	uint32_t raddr;
	uint16_t lport;
	uint16_t rport;
	uint8_t state;
	uint8_t timer;		/* enum tcpe_obs_timer */
	uint8_t rtx;		/* consecutive RTO expiries */
	uint8_t flags;		/* TCPE_OBS_F_* */
	uint16_t mss;
	uint16_t worker;
	uint32_t sendq;		/* bytes not yet acknowledged */
	uint32_t recvq;		/* bytes not yet read */
	uint32_t cwnd;		/* bytes */
	uint32_t ssthresh;
	uint32_t snd_wnd;
	uint32_t rcv_wnd;	/* offered now */
	uint64_t timer_left;	/* until the timer fires */
	uint64_t rto;		/* backoff included */
	uint64_t srtt;
	uint64_t rttvar;
};

/* What a worker copies on request (one per worker). */
struct tcpe_obs_snap {
	uint64_t now;
	uint64_t mib[TCPE_MIB_N];
	uint64_t ctr[TCPE_DP_CTR_N];
	uint64_t fault[TCPE_FAULT_CTR_N];
	uint32_t fault_seed;
	uint32_t state[TCPE_STATE_MAX];	/* TIME_WAIT: records included */
	uint32_t tcbs;			/* live TCBs, listeners included */
	uint32_t orphans;
	uint32_t tw_records;
	uint32_t tw_max;
	uint32_t timers;		/* entries pending in the wheel */
	uint32_t table;			/* entries in the connection table */
	uint32_t table_max;
	uint32_t mbufs_in_use;		/* of the worker's pool */
	uint32_t mbufs_size;
	uint32_t held;			/* frames staged, pending, delayed */
	/* Connection dump, when asked for: conn[0..nconn), seen in all. */
	uint32_t nconn;
	uint32_t conn_seen;
	uint32_t conn_cap;
	struct tcpe_obs_conn *conn;
};

/* What /tcpe/info reports about the engine (copied). */
struct tcpe_obs_info {
	char app[32];
	char device[64];
	char driver[32];
	uint32_t addr;
	uint8_t prefix;
	uint8_t mac[6];
	uint16_t mtu;
	uint16_t port_id;
	uint16_t queues;
};

/* A worker's mailbox; tcpe_obs_poll() is its fast-path check. */
struct tcpe_obs_mbox {
	uint64_t req;			/* written by the telemetry thread */
	uint64_t done;			/* written by the worker */
	struct tcpe_dp *dp;
	unsigned int lcore;
	struct tcpe_obs_snap snap;
} __attribute__((aligned(64)));

extern struct tcpe_obs_mbox tcpe_obs_mbox[TCPE_OBS_WORKERS_MAX];

/* Serve a pending request of worker i (tcpe_obs_poll()'s slow path). */
void tcpe_obs_serve(unsigned int i);

/*
 * The worker loop's check, once per iteration, on worker i's lcore: a
 * load and a compare unless the telemetry thread is waiting.
 */
static inline void
tcpe_obs_poll(unsigned int i)
{
	struct tcpe_obs_mbox *m = &tcpe_obs_mbox[i];

	if (__builtin_expect(__atomic_load_n(&m->req, __ATOMIC_ACQUIRE) !=
	    m->done, 0))
		tcpe_obs_serve(i);
}

/*
 * Register worker i (its data plane and lcore) and, once every worker is
 * attached, the telemetry commands (tcpe_obs_start()). Main thread,
 * before tcpe_run(). Returns 0, -EINVAL.
 */
int tcpe_obs_attach(unsigned int i, struct tcpe_dp *dp, unsigned int lcore);
int tcpe_obs_start(unsigned int nworkers, const struct tcpe_obs_info *info);

/*
 * Detach every worker: later commands answer {"error"}. Waits for a
 * command in progress. Main thread, before the workers are freed.
 */
void tcpe_obs_stop(void);

/*
 * Take a snapshot of worker `worker`'s dp now (its lcore, or any thread
 * while it is not running): what the mailbox does. The connection dump
 * is taken only when conns is true and s->conn holds s->conn_cap slots.
 */
void tcpe_obs_fill(struct tcpe_dp *dp, unsigned int worker,
    struct tcpe_obs_snap *s, bool conns);

/* "on", "timewait", "delack", "keepalive", "off". */
const char *tcpe_obs_timer_name(int t);

#endif /* TCPE_TELEMETRY_H */
