/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine of the public API: options and configuration, EAL and port
 * start, workers on lcores, the run loop, counters, and embedding in a
 * host's own DPDK loop. The polled loop (tcpe_run()) and the embedded
 * calls drive the same data-plane functions (tcpe_dp_input(),
 * tcpe_dp_timers()); only where frames come from and go to differs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "tcpe_api.h"
#include "tcpe_capture.h"
#include "tcpe_log.h"
#include "tcpe_net.h"
#include "tcpe_telemetry.h"

/* Frames an embedded worker holds for tcpe_embed_output(). */
#define EMBED_TXQ	4096
/* Frames a polled worker holds when the device refuses them. */
#define POLL_TXQ_MIN	512

#define ERRLEN		512

#define RTE_MIN_(a, b)	((a) < (b) ? (a) : (b))

void
tcpe_api_secret(uint64_t secret[2])
{
	struct timespec ts;

	if (getrandom(secret, 2 * sizeof(secret[0]), 0) ==
	    (ssize_t)(2 * sizeof(secret[0])))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	secret[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^
	    (uint64_t)ts.tv_sec;
	secret[1] = secret[0] * 0xc2b2ae3d27d4eb4fULL + (uint64_t)(uintptr_t)
	    &ts;
}

static void
ip_str(char s[16], uint32_t a)
{
	snprintf(s, 16, "%u.%u.%u.%u", (unsigned int)(a >> 24),
	    (unsigned int)(a >> 16) & 0xff, (unsigned int)(a >> 8) & 0xff,
	    (unsigned int)a & 0xff);
}

/* --- configuration -------------------------------------------------------- */

/* Is a an option of tcpe's taking a value; *val is set when it is inline. */
static bool
opt_is(const char *a, const char *name, const char **val)
{
	size_t n = strlen(name);

	*val = NULL;
	if (strncmp(a, name, n) != 0)
		return false;
	if (a[n] == '\0')
		return true;
	if (a[n] == '=') {
		*val = a + n + 1;
		return true;
	}
	return false;
}

int
tcpe_app_args(int argc, char **argv)
{
	const char *val;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		if (strcmp(argv[i], "--help-config") == 0)
			continue;
		if (!opt_is(argv[i], "--config", &val) &&
		    !opt_is(argv[i], "--set", &val))
			return i;
		if (val == NULL)
			i++;		/* the value */
	}
	return argc;
}

/*
 * Parse tcpe's leading options into cfg: the file first, whatever its
 * place, then the --set overrides in order. Returns the arguments used
 * (argv[0] excluded) or a negative errno after a message.
 */
static int
parse_options(int argc, char **argv, struct tcpe_config *cfg)
{
	const char *file = NULL, *val;
	char err[ERRLEN];
	int i, end, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help-config") == 0) {
			tcpe_config_help(stdout);
			exit(EXIT_SUCCESS);
		}
		if (opt_is(argv[i], "--config", &val)) {
			if (val == NULL && ++i >= argc)
				goto missing;
			file = val != NULL ? val : argv[i];
		} else if (opt_is(argv[i], "--set", &val)) {
			if (val == NULL && ++i >= argc)
				goto missing;
		} else {
			break;
		}
	}
	end = i;
	if (file != NULL) {
		rc = tcpe_config_load(cfg, file, err, sizeof(err));
		if (rc != 0)
			goto bad;
	}
	for (i = 1; i < end; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (opt_is(argv[i], "--config", &val)) {
			i += val == NULL;
		} else if (opt_is(argv[i], "--set", &val)) {
			if (val == NULL)
				val = argv[++i];
			rc = tcpe_config_set(cfg, val, err, sizeof(err));
			if (rc != 0)
				goto bad;
		}
	}
	rc = tcpe_config_check(cfg, err, sizeof(err));
	if (rc != 0)
		goto bad;
	return end - 1;
missing:
	fprintf(stderr, "tcpe: %s needs a value\n", argv[i - 1]);
	return -EINVAL;
bad:
	fprintf(stderr, "tcpe: %s\n", err);
	return rc;
}

/* --- engine --------------------------------------------------------------- */

static int
worker_init(struct tcpe_worker *w, const struct tcpe_config *cfg,
    struct tcpe_dp_params *dp)
{
	uint64_t secret[2];
	int rc;

	tcpe_api_secret(secret);
	dp->tcp = &cfg->tcp;
	dp->fault = &cfg->fault;
	dp->burst = cfg->lcores.burst;
	dp->addr = cfg->port.addr;
	dp->prefix = cfg->port.prefix;
	dp->gateway = cfg->port.gateway;
	dp->mtu = (uint16_t)cfg->port.mtu;
	dp->arp_pending = cfg->port.arp_pending;
	dp->arp_timeout_s = cfg->port.arp_timeout_s;
	dp->secret[0] = secret[0];
	dp->secret[1] = secret[1];
	dp->on_events = tcpe_api_dispatch;
	dp->owner = w;
	rc = tcpe_dp_init(&w->dp, dp);
	if (rc == 0) {
		/* State transitions at rte_log DEBUG (lib/port/tcpe_log.h). */
		w->dp.stack->trace = tcpe_log_trace;
		w->dp.stack->trace_ctx = (void *)(uintptr_t)w->id;
	}
	return rc;
}

/*
 * Worker i's share of ip_local_port_range (DESIGN.md section 2): one
 * owner decides reuse and TIME_WAIT for every port (tcpe_rss.h).
 */
static void
port_share(const struct tcpe_tcp_cfg *tcp, unsigned int i, unsigned int n,
    struct tcpe_dp_params *dp)
{
	(void)tcpe_port_share((uint16_t)tcp->local_port_range[0],
	    (uint16_t)tcp->local_port_range[1], i, n, &dp->port_lo,
	    &dp->port_hi);
}

/*
 * How flows reach their owner with nw workers on e's port ([lcores]
 * steering, [port] queues, what the device has): the mode, the RX and TX
 * queues to configure, and why, for the start-up line. Never fails:
 * what cannot be done falls back to what can.
 */
static enum tcpe_steering
steer_plan(const struct tcpe_engine *e, unsigned int nw, uint16_t *nrxq,
    uint16_t *ntxq, char *why, size_t whylen)
{
	const struct tcpe_port *p = &e->port;
	unsigned int want = e->cfg.lcores.steering, q;

	why[0] = '\0';
	if (nw == 1) {
		*nrxq = 1;
		*ntxq = 1;
		return TCPE_STEER_AUTO;
	}
	q = e->cfg.port.queues != 0 ? e->cfg.port.queues : nw;
	if (q > nw) {
		snprintf(why, whylen, "[port] queues = %u > %u workers; ", q,
		    nw);
		q = nw;
	}
	*nrxq = (uint16_t)RTE_MIN_(q, p->max_rx);
	*ntxq = (uint16_t)RTE_MIN_(q, p->max_tx);
	if (*nrxq < q || *ntxq < q)
		snprintf(why + strlen(why), whylen - strlen(why),
		    "%s has %u RX / %u TX queues; ", p->driver, p->max_rx,
		    p->max_tx);
	if (want == TCPE_STEER_DISPATCH || *nrxq == 1) {
		*nrxq = 1;
		snprintf(why + strlen(why), whylen - strlen(why), "%s",
		    want == TCPE_STEER_DISPATCH ? "as configured" :
		    "one RX queue");
		return TCPE_STEER_DISPATCH;
	}
	if (p->rss && want != TCPE_STEER_SOFTWARE && p->reta_size >= nw) {
		snprintf(why + strlen(why), whylen - strlen(why),
		    "the device hashes IPv4/TCP, RETA of %u", p->reta_size);
		return TCPE_STEER_RSS;
	}
	snprintf(why + strlen(why), whylen - strlen(why), "%s",
	    want == TCPE_STEER_SOFTWARE ? "as configured" :
	    "the device has no usable RSS");
	return TCPE_STEER_SOFTWARE;
}

/*
 * Telemetry (/tcpe/... commands) and live capture over the workers
 * (lib/port/tcpe_telemetry.h, tcpe_capture.h). Never fatal: the engine
 * runs without them and says why.
 */
static void
obs_start(struct tcpe_engine *e, const char *argv0)
{
	struct tcpe_obs_info info;
	const char *base = strrchr(argv0, '/');
	unsigned int i;
	int rc = 0;

	memset(&info, 0, sizeof(info));
	snprintf(info.app, sizeof(info.app), "%s", base != NULL ? base + 1 :
	    argv0);
	snprintf(info.device, sizeof(info.device), "%s", e->port.name);
	snprintf(info.driver, sizeof(info.driver), "%s", e->port.driver);
	info.addr = e->cfg.port.addr;
	info.prefix = (uint8_t)e->cfg.port.prefix;
	memcpy(info.mac, e->port.mac, 6);
	info.mtu = (uint16_t)e->cfg.port.mtu;
	info.port_id = e->port.port_id;
	info.queues = e->port.nq;
	for (i = 0; i < e->nworkers && rc == 0; i++)
		rc = tcpe_obs_attach(i, &e->w[i]->dp, e->w[i]->lcore);
	if (rc == 0)
		rc = tcpe_capture_init(e->port.port_id, e->cfg.port.mtu + 18);
	if (rc == 0)
		rc = tcpe_obs_start(e->nworkers, &info);
	if (rc != 0)
		tcpe_log(TCPE_LOG_WARNING, "telemetry and capture off: %s",
		    strerror(rc < 0 ? -rc : rc));
}

int
tcpe_init(int argc, char **argv, struct tcpe_engine **ep)
{
	struct tcpe_dp *dps[TCPE_WORKERS_MAX];
	struct tcpe_dp_params dp;
	struct tcpe_engine *e;
	struct tcpe_worker *w;
	char err[ERRLEN], a[16], why[160];
	uint16_t nrxq = 1, ntxq = 1;
	unsigned int nl, nw, i;
	int used, rc;

	if (ep == NULL || argc < 1 || argv == NULL)
		return -EINVAL;
	*ep = NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	tcpe_config_defaults(&e->cfg);
	used = parse_options(argc, argv, &e->cfg);
	if (used < 0) {
		free(e);
		return used;
	}

	rc = tcpe_eal_start(&e->cfg, argv[0], err, sizeof(err));
	if (rc != 0)
		goto fail;
	e->eal = true;
	tcpe_clock_init();
	rc = tcpe_port_probe(&e->cfg.port, &e->port, err, sizeof(err));
	if (rc != 0)
		goto fail;

	/* Never refuse to start: run what works and say why. */
	nw = e->cfg.lcores.workers;
	nl = tcpe_lcores(e->lcores, TCPE_WORKERS_MAX);
	if (nw > nl) {
		printf("tcpe: notice: [lcores] workers = %u but [eal] lcores "
		    "= %s gives %u lcore(s): running %u worker(s)\n", nw,
		    e->cfg.eal.lcores, nl, nl);
		nw = nl;
	}
	e->nworkers = nw;
	e->steering = steer_plan(e, nw, &nrxq, &ntxq, why, sizeof(why));
	if (nw > 1) {
		/* One owner per flow: the RETA of the device, or ours. */
		rc = tcpe_rss_init(&e->rss, (enum tcpe_rss_key_kind)
		    e->cfg.port.rss_key, e->steering == TCPE_STEER_RSS ?
		    e->port.reta_size : 128, (uint16_t)nw);
		if (rc != 0) {
			snprintf(err, sizeof(err), "RSS: %s", strerror(-rc));
			goto fail;
		}
	}

	rc = tcpe_port_pools(&e->port, (uint16_t)nw, &e->cfg.pool, e->lcores,
	    err, sizeof(err));
	if (rc == 0)
		rc = tcpe_port_start(&e->port, &e->cfg.port, nrxq, ntxq,
		    e->steering == TCPE_STEER_RSS ? &e->rss : NULL, err,
		    sizeof(err));
	if (rc != 0)
		goto fail;
	ntxq = e->port.ntxq;	/* the driver may have wanted fewer */
	if (e->steering == TCPE_STEER_RSS && !e->port.rss_on) {
		e->steering = TCPE_STEER_SOFTWARE;
		snprintf(why, sizeof(why), "RSS could not be configured");
	}
	if (nw > 1) {
		printf("tcpe: steering: %s (%s), %u workers, %u RX / %u TX "
		    "queues, rss_key %s, RETA %u%s\n",
		    tcpe_steering_names[e->steering], why, nw, nrxq, ntxq,
		    tcpe_rss_key_names[e->cfg.port.rss_key],
		    e->rss.reta_size, e->port.rss_on ? ", hash from the "
		    "device" : ", hash in software");
	}
	fflush(stdout);

	for (i = 0; i < nw; i++) {
		w = calloc(1, sizeof(*w));
		if (w == NULL) {
			rc = -ENOMEM;
			snprintf(err, sizeof(err), "out of memory");
			goto fail;
		}
		e->w[i] = w;
		w->e = e;
		w->id = i;
		w->lcore = e->lcores[i];
		memset(&dp, 0, sizeof(dp));
		dp.pool = e->port.pools[i];
		memcpy(dp.mac, e->port.mac, 6);
		dp.port_id = e->port.port_id;
		dp.queue_id = (uint16_t)i;
		dp.flags = e->port.dp_flags;
		if (nw > 1) {
			dp.rss = &e->rss;
			dp.wid = (uint16_t)i;
			dp.nworkers = (uint16_t)nw;
			dp.rx_poll = i < nrxq;
			dp.rx_hash = e->port.rss_on;
		}
		dp.tx_cap = e->cfg.lcores.burst * 4 > POLL_TXQ_MIN ?
		    e->cfg.lcores.burst * 4 : POLL_TXQ_MIN;
		dp.now = tcpe_clock_ns();
		port_share(&e->cfg.tcp, i, nw, &dp);
		rc = worker_init(w, &e->cfg, &dp);
		if (rc != 0) {
			snprintf(err, sizeof(err), "worker %u: %s", i,
			    strerror(-rc));
			goto fail;
		}
	}
	if (nw > 1) {
		for (i = 0; i < nw; i++)
			dps[i] = &e->w[i]->dp;
		rc = tcpe_steer_setup(dps, (uint16_t)nw,
		    e->cfg.lcores.steer_ring, ntxq, err, sizeof(err));
		if (rc != 0)
			goto fail;
	}
	/* Announce ourselves; sent by the first loop iteration. */
	tcpe_dp_announce(&e->w[0]->dp);
	obs_start(e, argv[0]);

	ip_str(a, e->cfg.port.addr);
	printf("tcpe: port %u (%s) %02x:%02x:%02x:%02x:%02x:%02x %s/%u, "
	    "mtu %u, %u worker(s), tx: %s, %s checksums\n",
	    e->port.port_id, e->port.driver, e->port.mac[0], e->port.mac[1],
	    e->port.mac[2], e->port.mac[3], e->port.mac[4], e->port.mac[5], a,
	    e->cfg.port.prefix, e->cfg.port.mtu, nw,
	    (e->port.dp_flags & TCPE_DP_TX_MULTISEG) ? "zero-copy chains" :
	    "payload copied", (e->port.dp_flags & TCPE_DP_TX_TCP_CSUM) ?
	    "device" : "software");
	/* Scripts wait for this line; do not leave it in a stdio buffer. */
	fflush(stdout);
	*ep = e;
	return used;
fail:
	fprintf(stderr, "tcpe: %s\n", err);
	tcpe_fini(e);
	return rc < 0 ? rc : -rc;
}

static int
worker_main(void *arg)
{
	struct tcpe_worker *w = arg;
	struct tcpe_engine *e = w->e;
	int rc;

	w->dp.now = tcpe_clock_ns();
	if (e->setup != NULL) {
		rc = e->setup(w, e->setup_arg);
		if (rc != 0) {
			w->setup_rc = rc;
			tcpe_stop(e);
		}
	}
	while (!__atomic_load_n(&e->stop, __ATOMIC_RELAXED)) {
		/*
		 * Before the poll: what the hook sends is flushed, and the
		 * events it causes are delivered, by this very iteration.
		 */
		if (e->poll_fn != NULL)
			e->poll_fn(w, e->poll_arg);
		tcpe_dp_poll(&w->dp);
		/* A telemetry snapshot asked for (lib/port/tcpe_telemetry.h). */
		tcpe_obs_poll(w->id);
	}
	tcpe_fault_stop(&w->dp);	/* held frames: tx sent, rx dropped */
	/* The last flush; what a down link still holds is freed, counted. */
	tcpe_dp_tx_stop(&w->dp);
	return 0;
}

int
tcpe_run(struct tcpe_engine *e, int (*setup)(struct tcpe_worker *w,
    void *arg), void *arg)
{
	unsigned int i;
	int rc = 0;

	e->setup = setup;
	e->setup_arg = arg;
	for (i = 1; i < e->nworkers; i++) {
		e->w[i]->setup_rc = 0;
		if (tcpe_lcore_launch(e->lcores[i], worker_main, e->w[i]) !=
		    0) {
			fprintf(stderr, "tcpe: cannot launch worker %u on "
			    "lcore %u\n", i, e->lcores[i]);
			tcpe_stop(e);
			rc = -EBUSY;
		}
	}
	/* Worker 0 runs on the main lcore, the caller's. */
	e->w[0]->setup_rc = 0;
	worker_main(e->w[0]);
	for (i = 1; i < e->nworkers; i++)
		(void)tcpe_lcore_wait(e->lcores[i]);
	for (i = 0; i < e->nworkers && rc == 0; i++)
		rc = e->w[i]->setup_rc;
	__atomic_store_n(&e->stop, 0, __ATOMIC_RELAXED);
	return rc;
}

int
tcpe_set_poll_hook(struct tcpe_engine *e,
    void (*fn)(struct tcpe_worker *w, void *arg), void *arg)
{
	if (e == NULL)
		return -EINVAL;
	e->poll_fn = fn;
	e->poll_arg = fn != NULL ? arg : NULL;
	return 0;
}

void
tcpe_stop(struct tcpe_engine *e)
{
	if (e != NULL)
		__atomic_store_n(&e->stop, 1, __ATOMIC_RELAXED);
}

void
tcpe_fini(struct tcpe_engine *e)
{
	unsigned int i;

	if (e == NULL)
		return;
	/* Telemetry stops reading the workers, a capture is closed. */
	tcpe_obs_stop();
	for (i = 0; i < TCPE_WORKERS_MAX; i++) {
		if (e->w[i] == NULL)
			continue;
		tcpe_dp_fini(&e->w[i]->dp);
		free(e->w[i]);
	}
	if (e->eal) {
		tcpe_port_stop(&e->port);
		tcpe_eal_stop();
	}
	free(e);
}

int
tcpe_engine_info(const struct tcpe_engine *e, struct tcpe_engine_info *info)
{
	if (e == NULL || info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->workers = e->nworkers;
	snprintf(info->device, sizeof(info->device), "%s", e->port.name);
	snprintf(info->driver, sizeof(info->driver), "%s", e->port.driver);
	info->addr = e->cfg.port.addr;
	info->prefix = (uint8_t)e->cfg.port.prefix;
	memcpy(info->mac, e->port.mac, sizeof(info->mac));
	info->mtu = (uint16_t)e->cfg.port.mtu;
	return 0;
}

unsigned int
tcpe_worker_id(const struct tcpe_worker *w)
{
	return w->id;
}

uint64_t
tcpe_worker_now(const struct tcpe_worker *w)
{
	return w->dp.now;
}

/* --- counters ------------------------------------------------------------- */

/* Connections per state and orphans, summed over workers. */
struct state_sum {
	uint64_t states[TCPE_STATE_MAX];
	uint64_t conns;		/* live TCBs and TIME_WAIT records */
	uint64_t orphans;
};

static void
sum_states(struct tcpe_worker *const *ws, unsigned int n,
    struct state_sum *sum)
{
	unsigned int i;
	int k;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < n; i++) {
		const struct tcpe_stack *st = ws[i]->dp.stack;

		for (k = 0; k < TCPE_STATE_MAX; k++)
			sum->states[k] += st->state_count[k];
		sum->conns += tcpe_stack_conn_count(st) + st->tw.count;
		sum->orphans += st->orphans;
	}
}

/* The states of tcpe_print_states(), in the order of netstat's summary. */
static const int report_states[] = {
	TCPE_ESTABLISHED, TCPE_SYN_SENT, TCPE_SYN_RECEIVED, TCPE_FIN_WAIT_1,
	TCPE_FIN_WAIT_2, TCPE_TIME_WAIT, TCPE_CLOSE_WAIT, TCPE_LAST_ACK,
	TCPE_CLOSING, TCPE_LISTEN,
};

static void
print_states(struct tcpe_worker *const *ws, unsigned int n, FILE *f)
{
	struct state_sum sum;
	size_t k;

	sum_states(ws, n, &sum);
	fprintf(f, "States:");
	for (k = 0; k < sizeof(report_states) / sizeof(report_states[0]); k++)
		fprintf(f, " %s %" PRIu64, tcpe_state_name(report_states[k]),
		    sum.states[report_states[k]]);
	fprintf(f, " Orphans %" PRIu64 "\n", sum.orphans);
}

/*
 * One line per worker (several workers): where its flows came from and
 * what it did with them. "w<i>: name value ..." (not "name: value", so
 * the summed counters above stay the only ones of their name).
 */
static void
print_workers(struct tcpe_worker *const *ws, unsigned int n, FILE *f)
{
	static const int dpc[] = {
		TCPE_DP_RX_PKTS, TCPE_DP_TX_PKTS, TCPE_DP_STEER_FWD,
		TCPE_DP_STEER_IN, TCPE_DP_STEER_DROP, TCPE_DP_STEER_WRONG,
		TCPE_DP_SYNACK_RX, TCPE_DP_SYNACK_FWD, TCPE_DP_SYNACK_OWNED,
		TCPE_DP_TX_RING,
	};
	unsigned int i;
	size_t k;

	fprintf(f, "Workers:\n");
	for (i = 0; i < n; i++) {
		const struct tcpe_dp *dp = &ws[i]->dp;

		fprintf(f, "    w%u: lcore %u rx_queue %s%u", i, ws[i]->lcore,
		    dp->rx_poll ? "" : "-", dp->queue_id);
		for (k = 0; k < sizeof(dpc) / sizeof(dpc[0]); k++)
			fprintf(f, " %s %" PRIu64, tcpe_dp_ctr_name(dpc[k]),
			    dp->ctr[dpc[k]]);
		fprintf(f, " ActiveOpens %" PRIu64 " PassiveOpens %" PRIu64
		    " OutRsts %" PRIu64 " ports %u-%u\n",
		    dp->stack->mib[TCPE_MIB_ACTIVE_OPENS],
		    dp->stack->mib[TCPE_MIB_PASSIVE_OPENS],
		    dp->stack->mib[TCPE_MIB_OUT_RSTS], dp->port_lo,
		    dp->port_hi);
	}
}

static void
print_counters(struct tcpe_worker *const *ws, unsigned int n, FILE *f)
{
	uint64_t mib[TCPE_MIB_N], ctr[TCPE_DP_CTR_N];
	uint64_t fault[TCPE_FAULT_CTR_N], seed = 0;
	uint64_t in_use = 0, size = 0;
	struct state_sum sum;
	const char *group = "";
	unsigned int i;
	int k;

	memset(mib, 0, sizeof(mib));
	memset(ctr, 0, sizeof(ctr));
	memset(fault, 0, sizeof(fault));
	for (i = 0; i < n; i++) {
		const struct tcpe_dp *dp = &ws[i]->dp;

		for (k = 0; k < TCPE_MIB_N; k++)
			mib[k] += dp->stack->mib[k];
		for (k = 0; k < TCPE_DP_CTR_N; k++)
			ctr[k] += dp->ctr[k];
		for (k = 0; k < TCPE_FAULT_CTR_N; k++)
			fault[k] += dp->fault_ctr[k];
		if (dp->fault_seed != 0)
			seed = dp->fault_seed;
		in_use += tcpe_pool_in_use(dp->pool);
		size += tcpe_pool_size(dp->pool);
	}
	sum_states(ws, n, &sum);
	for (k = 0; k < TCPE_MIB_N; k++) {
		if (strcmp(group, tcpe_mib_group(k)) != 0) {
			group = tcpe_mib_group(k);
			fprintf(f, "%s:\n", group);
		}
		fprintf(f, "    %s: %" PRIu64 "\n", tcpe_mib_name(k), mib[k]);
	}
	fprintf(f, "Conns:\n    Live: %" PRIu64 "\n", sum.conns);
	for (k = 0; k < TCPE_STATE_MAX; k++)
		if (sum.states[k] != 0)
			fprintf(f, "    %s: %" PRIu64 "\n", tcpe_state_name(k),
			    sum.states[k]);
	fprintf(f, "    Orphans: %" PRIu64 "\n", sum.orphans);
	fprintf(f, "Port:\n");
	for (k = 0; k < TCPE_DP_CTR_N; k++)
		fprintf(f, "    %s: %" PRIu64 "\n", tcpe_dp_ctr_name(k),
		    ctr[k]);
	/* Fault injection (tcpe_fault.h), when [fault] turns any on. */
	if (seed != 0)
		fprintf(f, "    fault_seed: %" PRIu64 "\n", seed);
	for (k = 0; seed != 0 && k < TCPE_FAULT_CTR_N; k++)
		fprintf(f, "    %s: %" PRIu64 "\n", tcpe_fault_ctr_name(k),
		    fault[k]);
	fprintf(f, "Mbufs:\n    InUse: %" PRIu64 "\n    PoolSize: %" PRIu64
	    "\n", in_use, size);
	if (n > 1)
		print_workers(ws, n, f);
}

void
tcpe_print_counters(struct tcpe_engine *e, void *file)
{
	print_counters(e->w, e->nworkers, file != NULL ? file : stdout);
}

void
tcpe_print_states(struct tcpe_engine *e, void *file)
{
	print_states(e->w, e->nworkers, file != NULL ? file : stdout);
}

/* --- embedding ------------------------------------------------------------ */

static bool
mac_ok(const uint8_t *m)
{
	static const uint8_t z[6];

	return memcmp(m, z, 6) != 0 && !(m[0] & 0x01);
}

struct tcpe_worker *
tcpe_embed_create(const struct tcpe_embed_params *p)
{
	struct tcpe_dp_params dp;
	struct tcpe_worker *w;
	char err[ERRLEN];
	unsigned int i;
	bool valid;
	int rc;

	if (p == NULL || p->pool == NULL || p->addr == 0 || p->prefix > 32 ||
	    (p->mtu != 0 && (p->mtu < 576 || p->mtu > 9216)) ||
	    !mac_ok(p->mac) || (p->nset > 0 && p->set == NULL)) {
		fprintf(stderr, "tcpe_embed_create: %s\n", p == NULL ?
		    "no parameters" : p->pool == NULL ? "no pool" :
		    p->addr == 0 ? "no address" : p->prefix > 32 ?
		    "prefix > 32" : !mac_ok(p->mac) ?
		    "mac is zero or multicast" : p->nset > 0 &&
		    p->set == NULL ? "nset > 0 but no set" :
		    "mtu out of range 576..9216");
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	tcpe_config_defaults(&w->cfg);
	rc = 0;
	if (p->config != NULL)
		rc = tcpe_config_load(&w->cfg, p->config, err, sizeof(err));
	for (i = 0; rc == 0 && i < p->nset; i++)
		rc = tcpe_config_set(&w->cfg, p->set[i], err, sizeof(err));
	if (rc == 0)
		rc = tcpe_config_check(&w->cfg, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "tcpe_embed_create: %s\n", err);
		free(w);
		errno = EINVAL;
		return NULL;
	}
	/* The embedding host's addresses, not [port]'s. */
	w->cfg.port.addr = p->addr;
	w->cfg.port.prefix = p->prefix;
	w->cfg.port.gateway = p->gateway;
	w->cfg.port.mtu = p->mtu != 0 ? p->mtu : 1500;

	memset(&dp, 0, sizeof(dp));
	dp.pool = p->pool;
	memcpy(dp.mac, p->mac, 6);
	dp.port_id = p->port_id;
	/* Chains unless the host's port was configured without them. */
	dp.flags = TCPE_DP_EMBED | tcpe_port_dp_flags(p->port_id, &valid);
	if (!valid)
		dp.flags |= TCPE_DP_TX_MULTISEG;
	dp.tx_cap = EMBED_TXQ;
	dp.now = p->now;
	port_share(&w->cfg.tcp, 0, 1, &dp);
	rc = worker_init(w, &w->cfg, &dp);
	if (rc != 0) {
		fprintf(stderr, "tcpe_embed_create: %s\n", strerror(-rc));
		free(w);
		errno = -rc;
		return NULL;
	}
	w->lcore = tcpe_lcore_self();
	tcpe_dp_announce(&w->dp);
	return w;
}

void
tcpe_embed_destroy(struct tcpe_worker *w)
{
	if (w == NULL)
		return;
	tcpe_dp_fini(&w->dp);
	free(w);
}

uint16_t
tcpe_embed_input(struct tcpe_worker *w, struct rte_mbuf **pkts, uint16_t n,
    uint64_t now)
{
	if (now > w->dp.now)
		w->dp.now = now;
	return tcpe_dp_input(&w->dp, pkts, n);
}

void
tcpe_embed_timers(struct tcpe_worker *w, uint64_t now)
{
	if (now > w->dp.now)
		w->dp.now = now;
	tcpe_dp_timers(&w->dp);
}

uint16_t
tcpe_embed_output(struct tcpe_worker *w, struct rte_mbuf **pkts, uint16_t max)
{
	return tcpe_dp_take(&w->dp, pkts, max);
}

void
tcpe_worker_print_counters(struct tcpe_worker *w, void *file)
{
	print_counters(&w, 1, file != NULL ? file : stdout);
}

uint32_t
tcpe_worker_conns(const struct tcpe_worker *w)
{
	return tcpe_stack_conn_count(w->dp.stack);
}
