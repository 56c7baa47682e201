/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /tcpe/... telemetry commands over per-worker snapshots (see
 * tcpe_telemetry.h for the mailbox scheme). Commands:
 *
 *   /tcpe/info                 engine, device, addresses, workers
 *   /tcpe/snmp[,W]             Tcp, TcpExt, Tcpe counters (netstat -s)
 *   /tcpe/stats[,W]            the same plus Port, Fault, Engine
 *   /tcpe/states[,W]           connections per state (ss -s)
 *   /tcpe/workers              per worker: lcore, conns, mbufs, segments
 *   /tcpe/conns[,OFF[,DUMP]]   connection dump (ss -tin), by pages
 *   /tcpe/log[,LEVEL]          tcpe's rte_log level, get or set
 *
 * ,W restricts a command to worker W; without it counters are summed over
 * workers. /tcpe/conns without OFF takes a new dump of every worker and
 * returns its first page with its id ("dump"); the next pages come from
 * the same dump with ,OFF,DUMP, so a paged listing is one consistent
 * snapshot per worker.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_telemetry.h>

#include "tcpe_capture.h"
#include "tcpe_log.h"
#include "tcpe_telemetry.h"

/*
 * How long a command waits for a worker's answer: generous, a worker
 * sharing its CPU with other busy pollers answers late.
 */
#define REPLY_WAIT_NS	5000000000ULL
/* Connections per /tcpe/conns page: within the 16 KB telemetry output. */
#define PAGE		32

struct tcpe_obs_mbox tcpe_obs_mbox[TCPE_OBS_WORKERS_MAX];

static pthread_mutex_t obs_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int obs_n;		/* workers attached; 0: stopped */
static bool obs_registered;
static struct tcpe_obs_info obs_info;
static uint64_t obs_seq;
static uint64_t obs_dump;		/* id of the last connection dump */
static uint64_t obs_start_ns;

static const char *const timer_names[] = {
	[TCPE_OBS_T_NONE] = "off", [TCPE_OBS_T_ON] = "on",
	[TCPE_OBS_T_TIMEWAIT] = "timewait", [TCPE_OBS_T_DELACK] = "delack",
	[TCPE_OBS_T_KEEPALIVE] = "keepalive",
};

const char *
tcpe_obs_timer_name(int t)
{
	return t >= 0 && t <= TCPE_OBS_T_KEEPALIVE ? timer_names[t] : "?";
}

/* --- the worker's side ---------------------------------------------------- */

static uint64_t
left(tcpe_time_t deadline, tcpe_time_t now)
{
	return deadline > now ? deadline - now : 0;
}

static void
dump_tcb(struct tcpe_obs_snap *s, const struct tcpe_conn *c, uint16_t w,
    tcpe_time_t now)
{
	static const uint8_t tt_map[TCPE_TT_N] = {
		[TCPE_TT_RTO] = TCPE_OBS_T_ON,
		[TCPE_TT_2MSL] = TCPE_OBS_T_TIMEWAIT,
		[TCPE_TT_DELACK] = TCPE_OBS_T_DELACK,
		[TCPE_TT_KEEP] = TCPE_OBS_T_KEEPALIVE,
		[TCPE_TT_EARLY] = TCPE_OBS_T_ON,
	};
	struct tcpe_obs_conn *o;
	tcpe_time_t first = TCPE_TIME_NEVER;
	uint32_t used;
	int k, tk = -1;

	s->conn_seen++;
	if (s->nconn >= s->conn_cap)
		return;
	o = &s->conn[s->nconn++];
	memset(o, 0, sizeof(*o));
	o->laddr = c->node.key.laddr;
	o->raddr = c->node.key.raddr;
	o->lport = c->node.key.lport;
	o->rport = c->node.key.rport;
	o->state = c->state;
	o->worker = w;
	if (c->state == TCPE_LISTEN) {
		o->flags = TCPE_OBS_F_LISTEN;
		o->recvq = c->lq->acc_len;
		o->sendq = c->lq->backlog;
		return;
	}
	if (c->flags & TCPE_CF_ORPHAN)
		o->flags |= TCPE_OBS_F_ORPHAN;
	for (k = 0; k < TCPE_TT_N; k++)
		if (c->deadline[k] < first) {
			first = c->deadline[k];
			tk = k;
		}
	if (tk >= 0) {
		o->timer = tt_map[tk];
		o->timer_left = left(first, now);
	}
	o->rtx = c->rtx_count;
	o->mss = c->mss;
	o->sendq = c->sndq.bytes;
	o->recvq = c->rcvq.bytes;
	o->cwnd = c->cc.cwnd;
	o->ssthresh = c->cc.ssthresh;
	o->snd_wnd = c->snd_wnd;
	used = c->rcvq.bytes + c->rcv_held;
	o->rcv_wnd = c->rcv_buf > used ? c->rcv_buf - used : 0;
	o->rto = c->rto;
	o->srtt = c->rtt.srtt;
	o->rttvar = c->rtt.rttvar;
}

static void
dump_tw(struct tcpe_obs_snap *s, const struct tcpe_tw *tw, uint16_t w,
    tcpe_time_t now)
{
	struct tcpe_obs_conn *o;

	s->conn_seen++;
	if (s->nconn >= s->conn_cap)
		return;
	o = &s->conn[s->nconn++];
	memset(o, 0, sizeof(*o));
	o->laddr = tw->node.key.laddr;
	o->raddr = tw->node.key.raddr;
	o->lport = tw->node.key.lport;
	o->rport = tw->node.key.rport;
	o->state = TCPE_TIME_WAIT;
	o->flags = TCPE_OBS_F_TWREC;
	o->timer = TCPE_OBS_T_TIMEWAIT;
	o->timer_left = left(tw->expires, now);
	o->worker = w;
}

void
tcpe_obs_fill(struct tcpe_dp *dp, unsigned int worker,
    struct tcpe_obs_snap *s, bool conns)
{
	const struct tcpe_stack *st = dp->stack;
	const struct tcpe_table_node *n;
	const struct tcpe_list *e;
	uint16_t w = (uint16_t)worker;
	uint32_t cur;

	s->now = dp->now;
	memcpy(s->mib, st->mib, sizeof(s->mib));
	memcpy(s->ctr, dp->ctr, sizeof(s->ctr));
	memcpy(s->fault, dp->fault_ctr, sizeof(s->fault));
	s->fault_seed = dp->fault_seed;
	memcpy(s->state, st->state_count, sizeof(s->state));
	s->tcbs = tcpe_stack_conn_count(st);
	s->orphans = st->orphans;
	s->tw_records = st->tw.count;
	s->tw_max = st->tw.max;
	s->timers = st->wheel.count;
	s->table = tcpe_table_count(&st->table);
	s->table_max = st->table.max;
	s->mbufs_in_use = tcpe_pool_in_use(dp->pool);
	s->mbufs_size = tcpe_pool_size(dp->pool);
	s->held = tcpe_dp_held(dp);
	if (!conns || s->conn == NULL)
		return;
	s->nconn = 0;
	s->conn_seen = 0;
	for (e = st->listeners.next; e != &st->listeners; e = e->next)
		dump_tcb(s, tcpe_container_of(e, struct tcpe_conn, qlink), w,
		    dp->now);
	cur = 0;
	n = NULL;
	while ((n = tcpe_table_next(&st->table, &cur, n)) != NULL)
		dump_tcb(s, tcpe_container_of(n, struct tcpe_conn, node), w,
		    dp->now);
	cur = 0;
	n = NULL;
	while ((n = tcpe_table_next(&st->tw.table, &cur, n)) != NULL)
		dump_tw(s, tcpe_container_of(n, struct tcpe_tw, node), w,
		    dp->now);
}

void
tcpe_obs_serve(unsigned int i)
{
	struct tcpe_obs_mbox *m = &tcpe_obs_mbox[i];
	uint64_t req = __atomic_load_n(&m->req, __ATOMIC_ACQUIRE);

	if (m->dp != NULL)
		tcpe_obs_fill(m->dp, i, &m->snap, req & 1);
	__atomic_store_n(&m->done, req, __ATOMIC_RELEASE);
}

/* --- the telemetry side (under obs_lock) ---------------------------------- */

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Ask workers [lo, hi) for a snapshot and wait for every answer. Returns
 * 0, or -ETIMEDOUT naming the first silent worker in *late.
 */
static int
request(unsigned int lo, unsigned int hi, bool conns, unsigned int *late)
{
	struct timespec nap = { 0, 50000 };
	uint64_t req[TCPE_OBS_WORKERS_MAX], t0;
	unsigned int i;

	for (i = lo; i < hi; i++) {
		struct tcpe_obs_mbox *m = &tcpe_obs_mbox[i];

		if (conns && m->snap.conn == NULL) {
			m->snap.conn_cap = TCPE_OBS_CONN_MAX / obs_n;
			m->snap.conn = calloc(m->snap.conn_cap,
			    sizeof(m->snap.conn[0]));
			if (m->snap.conn == NULL)
				m->snap.conn_cap = 0;
		}
		req[i] = ++obs_seq << 1 | (conns ? 1 : 0);
		__atomic_store_n(&m->req, req[i], __ATOMIC_RELEASE);
	}
	t0 = mono_ns();
	for (i = lo; i < hi; i++) {
		while (__atomic_load_n(&tcpe_obs_mbox[i].done,
		    __ATOMIC_ACQUIRE) != req[i]) {
			if (mono_ns() - t0 > REPLY_WAIT_NS) {
				*late = i;
				return -ETIMEDOUT;
			}
			nanosleep(&nap, NULL);
		}
	}
	return 0;
}

static void
error(struct rte_tel_data *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
error(struct rte_tel_data *d, const char *fmt, ...)
{
	char msg[RTE_TEL_MAX_STRING_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", msg);
}

/*
 * Parse ",W" into [lo, hi) and take the snapshots. Returns 0, or -1 after
 * filling d with the error.
 */
static int
take(const char *params, bool conns, unsigned int *lo, unsigned int *hi,
    struct rte_tel_data *d)
{
	unsigned int late = 0;
	unsigned long v;
	char *end;

	if (obs_n == 0) {
		error(d, "the engine is not running");
		return -1;
	}
	*lo = 0;
	*hi = obs_n;
	if (params != NULL && *params != '\0') {
		v = strtoul(params, &end, 10);
		if (*end != '\0' || v >= obs_n) {
			error(d, "no worker '%s' (0..%u)", params, obs_n - 1);
			return -1;
		}
		*lo = (unsigned int)v;
		*hi = *lo + 1;
	}
	if (request(*lo, *hi, conns, &late) != 0) {
		error(d, "worker %u did not answer within %llu ms (not "
		    "running?)", late, REPLY_WAIT_NS / 1000000ULL);
		return -1;
	}
	return 0;
}

/* Counters summed over workers [lo, hi). */
struct sum {
	uint64_t mib[TCPE_MIB_N];
	uint64_t ctr[TCPE_DP_CTR_N];
	uint64_t fault[TCPE_FAULT_CTR_N];
	uint64_t state[TCPE_STATE_MAX];
	uint64_t tcbs, orphans, tw, tw_max, timers, table, table_max;
	uint64_t in_use, size, held;
	uint32_t seed;
};

static void
sum(unsigned int lo, unsigned int hi, struct sum *s)
{
	unsigned int i;
	int k;

	memset(s, 0, sizeof(*s));
	for (i = lo; i < hi; i++) {
		const struct tcpe_obs_snap *p = &tcpe_obs_mbox[i].snap;

		for (k = 0; k < TCPE_MIB_N; k++)
			s->mib[k] += p->mib[k];
		for (k = 0; k < TCPE_DP_CTR_N; k++)
			s->ctr[k] += p->ctr[k];
		for (k = 0; k < TCPE_FAULT_CTR_N; k++)
			s->fault[k] += p->fault[k];
		for (k = 0; k < TCPE_STATE_MAX; k++)
			s->state[k] += p->state[k];
		if (p->fault_seed != 0)
			s->seed = p->fault_seed;
		s->tcbs += p->tcbs;
		s->orphans += p->orphans;
		s->tw += p->tw_records;
		s->tw_max += p->tw_max;
		s->timers += p->timers;
		s->table += p->table;
		s->table_max += p->table_max;
		s->in_use += p->mbufs_in_use;
		s->size += p->mbufs_size;
		s->held += p->held;
	}
}

/* Linux's CurrEstab: ESTABLISHED and CLOSE_WAIT. */
static uint64_t
curr_estab(const struct sum *s)
{
	return s->state[TCPE_ESTABLISHED] + s->state[TCPE_CLOSE_WAIT];
}

/* Add the Tcp, TcpExt and Tcpe groups of s to the dict d. */
static void
add_snmp(struct rte_tel_data *d, const struct sum *s)
{
	static const char *const groups[] = { "Tcp", "TcpExt", "Tcpe" };
	struct rte_tel_data *g;
	size_t j;
	int k;

	for (j = 0; j < sizeof(groups) / sizeof(groups[0]); j++) {
		g = rte_tel_data_alloc();
		if (g == NULL)
			return;
		rte_tel_data_start_dict(g);
		for (k = 0; k < TCPE_MIB_N; k++) {
			if (strcmp(tcpe_mib_group(k), groups[j]) != 0)
				continue;
			rte_tel_data_add_dict_u64(g, tcpe_mib_name(k),
			    s->mib[k]);
			/* In /proc/net/snmp's order: after EstabResets. */
			if (k == TCPE_MIB_ESTAB_RESETS)
				rte_tel_data_add_dict_u64(g, "CurrEstab",
				    curr_estab(s));
		}
		rte_tel_data_add_dict_container(d, groups[j], g, 0);
	}
}

static int
cmd_snmp(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int lo, hi;
	struct sum s;

	(void)cmd;
	pthread_mutex_lock(&obs_lock);
	if (take(params, false, &lo, &hi, d) == 0) {
		sum(lo, hi, &s);
		rte_tel_data_start_dict(d);
		add_snmp(d, &s);
	}
	pthread_mutex_unlock(&obs_lock);
	return 0;
}

static void
add_engine(struct rte_tel_data *d, const struct sum *s, unsigned int n)
{
	struct rte_tel_data *g = rte_tel_data_alloc();

	if (g == NULL)
		return;
	rte_tel_data_start_dict(g);
	rte_tel_data_add_dict_u64(g, "Workers", n);
	rte_tel_data_add_dict_u64(g, "Conns", s->tcbs + s->tw);
	rte_tel_data_add_dict_u64(g, "TCBs", s->tcbs);
	rte_tel_data_add_dict_u64(g, "ConnTable", s->table);
	rte_tel_data_add_dict_u64(g, "ConnTableMax", s->table_max);
	rte_tel_data_add_dict_u64(g, "TimeWaitRecords", s->tw);
	rte_tel_data_add_dict_u64(g, "TimeWaitMax", s->tw_max);
	rte_tel_data_add_dict_u64(g, "Orphans", s->orphans);
	rte_tel_data_add_dict_u64(g, "TimersPending", s->timers);
	rte_tel_data_add_dict_u64(g, "MbufsInUse", s->in_use);
	rte_tel_data_add_dict_u64(g, "MbufPoolSize", s->size);
	rte_tel_data_add_dict_u64(g, "FramesHeld", s->held);
	rte_tel_data_add_dict_container(d, "Engine", g, 0);
}

static int
cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *g;
	unsigned int lo, hi;
	struct sum s;
	int k;

	(void)cmd;
	pthread_mutex_lock(&obs_lock);
	if (take(params, false, &lo, &hi, d) != 0)
		goto out;
	sum(lo, hi, &s);
	rte_tel_data_start_dict(d);
	add_snmp(d, &s);
	g = rte_tel_data_alloc();
	if (g != NULL) {
		rte_tel_data_start_dict(g);
		for (k = 0; k < TCPE_DP_CTR_N; k++)
			rte_tel_data_add_dict_u64(g, tcpe_dp_ctr_name(k),
			    s.ctr[k]);
		rte_tel_data_add_dict_container(d, "Port", g, 0);
	}
	g = rte_tel_data_alloc();
	if (g != NULL) {
		rte_tel_data_start_dict(g);
		rte_tel_data_add_dict_u64(g, "fault_seed", s.seed);
		for (k = 0; k < TCPE_FAULT_CTR_N; k++)
			rte_tel_data_add_dict_u64(g, tcpe_fault_ctr_name(k),
			    s.fault[k]);
		rte_tel_data_add_dict_container(d, "Fault", g, 0);
	}
	add_engine(d, &s, hi - lo);
out:
	pthread_mutex_unlock(&obs_lock);
	return 0;
}

static int
cmd_states(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int lo, hi;
	struct sum s;
	int k;

	(void)cmd;
	pthread_mutex_lock(&obs_lock);
	if (take(params, false, &lo, &hi, d) == 0) {
		sum(lo, hi, &s);
		rte_tel_data_start_dict(d);
		for (k = 0; k < TCPE_STATE_MAX; k++)
			rte_tel_data_add_dict_u64(d, tcpe_state_name(k),
			    s.state[k]);
		rte_tel_data_add_dict_u64(d, "Total", s.tcbs + s.tw);
		rte_tel_data_add_dict_u64(d, "TimeWaitRecords", s.tw);
		rte_tel_data_add_dict_u64(d, "Orphans", s.orphans);
	}
	pthread_mutex_unlock(&obs_lock);
	return 0;
}

static int
cmd_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *g;
	unsigned int lo, hi, i;
	char key[16];

	(void)cmd;
	(void)params;
	pthread_mutex_lock(&obs_lock);
	if (take(NULL, false, &lo, &hi, d) != 0)
		goto out;
	/* Dicts cannot sit in a telemetry array: "w0", "w1" ... */
	rte_tel_data_start_dict(d);
	for (i = lo; i < hi; i++) {
		const struct tcpe_obs_snap *p = &tcpe_obs_mbox[i].snap;

		g = rte_tel_data_alloc();
		if (g == NULL)
			break;
		rte_tel_data_start_dict(g);
		rte_tel_data_add_dict_u64(g, "worker", i);
		rte_tel_data_add_dict_u64(g, "lcore", tcpe_obs_mbox[i].lcore);
		rte_tel_data_add_dict_u64(g, "conns", p->tcbs + p->tw_records);
		rte_tel_data_add_dict_u64(g, "established",
		    p->state[TCPE_ESTABLISHED]);
		rte_tel_data_add_dict_u64(g, "time_wait",
		    p->state[TCPE_TIME_WAIT]);
		rte_tel_data_add_dict_u64(g, "timers", p->timers);
		rte_tel_data_add_dict_u64(g, "mbufs_in_use", p->mbufs_in_use);
		rte_tel_data_add_dict_u64(g, "mbuf_pool_size", p->mbufs_size);
		rte_tel_data_add_dict_u64(g, "in_segs",
		    p->mib[TCPE_MIB_IN_SEGS]);
		rte_tel_data_add_dict_u64(g, "out_segs",
		    p->mib[TCPE_MIB_OUT_SEGS]);
		rte_tel_data_add_dict_u64(g, "rx_pkts", p->ctr[TCPE_DP_RX_PKTS]);
		rte_tel_data_add_dict_u64(g, "tx_pkts", p->ctr[TCPE_DP_TX_PKTS]);
		snprintf(key, sizeof(key), "w%u", i);
		rte_tel_data_add_dict_container(d, key, g, 0);
	}
out:
	pthread_mutex_unlock(&obs_lock);
	return 0;
}

static void
ip_port(char *s, size_t n, uint32_t a, uint16_t p)
{
	snprintf(s, n, "%u.%u.%u.%u:%u", a >> 24, (a >> 16) & 0xff,
	    (a >> 8) & 0xff, a & 0xff, p);
}

/* Connection o as the dict d[key] (rte_telemetry nests one level). */
static void
add_conn(struct rte_tel_data *d, const char *key,
    const struct tcpe_obs_conn *o)
{
	struct rte_tel_data *g = rte_tel_data_alloc();
	char a[24];

	if (g == NULL)
		return;
	rte_tel_data_start_dict(g);
	rte_tel_data_add_dict_string(g, "state", tcpe_state_name(o->state));
	ip_port(a, sizeof(a), o->laddr, o->lport);
	rte_tel_data_add_dict_string(g, "local", a);
	ip_port(a, sizeof(a), o->raddr, o->rport);
	rte_tel_data_add_dict_string(g, "remote", a);
	rte_tel_data_add_dict_u64(g, "recvq", o->recvq);
	rte_tel_data_add_dict_u64(g, "sendq", o->sendq);
	rte_tel_data_add_dict_string(g, "timer", tcpe_obs_timer_name(o->timer));
	rte_tel_data_add_dict_u64(g, "timer_ms", o->timer_left / 1000000);
	rte_tel_data_add_dict_u64(g, "worker", o->worker);
	rte_tel_data_add_dict_u64(g, "lcore",
	    tcpe_obs_mbox[o->worker].lcore);
	if (o->flags & TCPE_OBS_F_TWREC) {
		rte_tel_data_add_dict_string(g, "kind", "tw");
	} else if (o->flags & TCPE_OBS_F_LISTEN) {
		rte_tel_data_add_dict_string(g, "kind", "listen");
	} else {
		rte_tel_data_add_dict_string(g, "kind",
		    (o->flags & TCPE_OBS_F_ORPHAN) ? "orphan" : "tcb");
		rte_tel_data_add_dict_u64(g, "rto_us", o->rto / 1000);
		rte_tel_data_add_dict_u64(g, "srtt_us", o->srtt / 1000);
		rte_tel_data_add_dict_u64(g, "rttvar_us", o->rttvar / 1000);
		rte_tel_data_add_dict_u64(g, "mss", o->mss);
		rte_tel_data_add_dict_u64(g, "cwnd", o->cwnd);
		rte_tel_data_add_dict_u64(g, "ssthresh", o->ssthresh);
		rte_tel_data_add_dict_u64(g, "snd_wnd", o->snd_wnd);
		rte_tel_data_add_dict_u64(g, "rcv_wnd", o->rcv_wnd);
		rte_tel_data_add_dict_u64(g, "retrans", o->rtx);
	}
	rte_tel_data_add_dict_container(d, key, g, 0);
}

static int
cmd_conns(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned long off = 0, dump = 0;
	uint64_t total = 0, seen = 0, k = 0, shown = 0;
	unsigned int lo, hi, i;
	char *end, key[16];

	(void)cmd;
	pthread_mutex_lock(&obs_lock);
	if (params != NULL && *params != '\0') {
		off = strtoul(params, &end, 10);
		if (*end == ',')
			dump = strtoul(end + 1, &end, 10);
		if (*end != '\0') {
			error(d, "usage: /tcpe/conns[,OFFSET[,DUMP]]");
			goto out;
		}
	}
	if (obs_n == 0) {
		error(d, "the engine is not running");
		goto out;
	}
	if (off == 0 && dump == 0) {
		/* A new dump; the last one is gone even if this one fails. */
		obs_dump++;
		if (take(NULL, true, &lo, &hi, d) != 0)
			goto out;
	} else if (dump != obs_dump) {
		error(d, "dump %lu is gone (now %" PRIu64 "): start again "
		    "from /tcpe/conns", dump, obs_dump);
		goto out;
	}
	for (i = 0; i < obs_n; i++) {
		total += tcpe_obs_mbox[i].snap.nconn;
		seen += tcpe_obs_mbox[i].snap.conn_seen;
	}
	/*
	 * rte_telemetry (22.11) nests containers one level deep only: the
	 * page is a dict whose connections are the dicts "c0" .. "c31", in
	 * dump order, after the page's fields.
	 */
	for (i = 0; i < obs_n; i++) {
		const struct tcpe_obs_snap *p = &tcpe_obs_mbox[i].snap;

		if (k + p->nconn <= off) {
			k += p->nconn;
			continue;
		}
		break;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "dump", obs_dump);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(d, "not_dumped", seen - total);
	rte_tel_data_add_dict_u64(d, "offset", off);
	shown = off < total ? total - off : 0;
	if (shown > PAGE)
		shown = PAGE;
	rte_tel_data_add_dict_u64(d, "count", shown);
	rte_tel_data_add_dict_u64(d, "next", off + shown < total ?
	    off + shown : 0);
	shown = 0;
	for (; i < obs_n && shown < PAGE; i++) {
		const struct tcpe_obs_snap *p = &tcpe_obs_mbox[i].snap;
		uint32_t j = (uint32_t)(off > k ? off - k : 0);

		for (; j < p->nconn && shown < PAGE; j++) {
			snprintf(key, sizeof(key), "c%" PRIu64, shown++);
			add_conn(d, key, &p->conn[j]);
		}
		k += p->nconn;
	}
out:
	pthread_mutex_unlock(&obs_lock);
	return 0;
}

static void
mac_str(char *s, size_t n, const uint8_t *m)
{
	snprintf(s, n, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
	    m[3], m[4], m[5]);
}

static int
cmd_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *l;
	unsigned int i;
	char s[32];

	(void)cmd;
	(void)params;
	pthread_mutex_lock(&obs_lock);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "app", obs_info.app);
	rte_tel_data_add_dict_u64(d, "pid", (uint64_t)getpid());
	rte_tel_data_add_dict_u64(d, "uptime_s",
	    (mono_ns() - obs_start_ns) / 1000000000ULL);
	rte_tel_data_add_dict_string(d, "running", obs_n > 0 ? "yes" : "no");
	rte_tel_data_add_dict_string(d, "device", obs_info.device);
	rte_tel_data_add_dict_string(d, "driver", obs_info.driver);
	rte_tel_data_add_dict_u64(d, "port_id", obs_info.port_id);
	rte_tel_data_add_dict_u64(d, "queues", obs_info.queues);
	ip_port(s, sizeof(s), obs_info.addr, 0);
	s[strlen(s) - 2] = '\0';	/* drop ":0" */
	rte_tel_data_add_dict_string(d, "addr", s);
	rte_tel_data_add_dict_u64(d, "prefix", obs_info.prefix);
	mac_str(s, sizeof(s), obs_info.mac);
	rte_tel_data_add_dict_string(d, "mac", s);
	rte_tel_data_add_dict_u64(d, "mtu", obs_info.mtu);
	rte_tel_data_add_dict_u64(d, "workers", obs_n);
	rte_tel_data_add_dict_string(d, "log_level", tcpe_log_level_name());
	l = rte_tel_data_alloc();
	if (l != NULL) {
		rte_tel_data_start_array(l, RTE_TEL_U64_VAL);
		for (i = 0; i < obs_n; i++)
			rte_tel_data_add_array_u64(l, tcpe_obs_mbox[i].lcore);
		rte_tel_data_add_dict_container(d, "lcores", l, 0);
	}
	pthread_mutex_unlock(&obs_lock);
	return 0;
}

static int
cmd_log(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	if (params != NULL && *params != '\0' &&
	    tcpe_log_set_level(params) != 0) {
		error(d, "bad level '%s' (emerg, alert, crit, error, warning, "
		    "notice, info, debug)", params);
		return 0;
	}
	if (params != NULL && *params != '\0')
		tcpe_log(TCPE_LOG_NOTICE, "log level set to %s by telemetry",
		    tcpe_log_level_name());
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "level", tcpe_log_level_name());
	return 0;
}

/* --- set-up --------------------------------------------------------------- */

int
tcpe_obs_attach(unsigned int i, struct tcpe_dp *dp, unsigned int lcore)
{
	struct tcpe_obs_mbox *m;

	if (i >= TCPE_OBS_WORKERS_MAX || dp == NULL)
		return -EINVAL;
	m = &tcpe_obs_mbox[i];
	pthread_mutex_lock(&obs_lock);
	m->dp = dp;
	m->lcore = lcore;
	m->snap.nconn = 0;
	__atomic_store_n(&m->req, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&m->done, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&obs_lock);
	return 0;
}

static const struct {
	const char *cmd;
	telemetry_cb fn;
	const char *help;
} cmds[] = {
	{ "/tcpe/info", cmd_info, "tcpe engine: device, address, workers. "
	    "No parameters." },
	{ "/tcpe/snmp", cmd_snmp, "TCP counters with Linux's names (Tcp, "
	    "TcpExt) and tcpe's (Tcpe), summed. Parameter: worker." },
	{ "/tcpe/stats", cmd_stats, "/tcpe/snmp plus Port, Fault and Engine "
	    "(mbufs, timers, TIME_WAIT). Parameter: worker." },
	{ "/tcpe/states", cmd_states, "connections per TCP state. "
	    "Parameter: worker." },
	{ "/tcpe/workers", cmd_workers, "per worker: lcore, connections, "
	    "timers, mbufs, segments. No parameters." },
	{ "/tcpe/conns", cmd_conns, "connection dump (ss -tin), 32 per "
	    "page. Parameters: offset,dump (from the first page)." },
	{ "/tcpe/log", cmd_log, "tcpe's rte_log level. Parameter: a new "
	    "level (emerg..debug)." },
};

int
tcpe_obs_start(unsigned int nworkers, const struct tcpe_obs_info *info)
{
	size_t k;
	int rc;

	if (nworkers == 0 || nworkers > TCPE_OBS_WORKERS_MAX || info == NULL)
		return -EINVAL;
	pthread_mutex_lock(&obs_lock);
	obs_info = *info;
	obs_n = nworkers;
	obs_start_ns = mono_ns();
	pthread_mutex_unlock(&obs_lock);
	if (obs_registered)
		return 0;
	/* rte_telemetry has no unregister: commands stay, answer "error". */
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		rc = rte_telemetry_register_cmd(cmds[k].cmd, cmds[k].fn,
		    cmds[k].help);
		if (rc != 0) {
			tcpe_log(TCPE_LOG_WARNING, "telemetry: cannot register "
			    "%s: %s", cmds[k].cmd, strerror(-rc));
			return rc;
		}
	}
	rc = tcpe_capture_register();
	if (rc != 0)
		return rc;
	obs_registered = true;
	tcpe_log(TCPE_LOG_INFO, "telemetry: /tcpe/ commands registered for "
	    "%u worker(s)", nworkers);
	return 0;
}

void
tcpe_obs_stop(void)
{
	unsigned int i;

	tcpe_capture_stop_all();
	pthread_mutex_lock(&obs_lock);
	for (i = 0; i < obs_n; i++) {
		tcpe_obs_mbox[i].dp = NULL;
		free(tcpe_obs_mbox[i].snap.conn);
		tcpe_obs_mbox[i].snap.conn = NULL;
		tcpe_obs_mbox[i].snap.conn_cap = 0;
		tcpe_obs_mbox[i].snap.nconn = 0;
	}
	obs_n = 0;
	pthread_mutex_unlock(&obs_lock);
}
