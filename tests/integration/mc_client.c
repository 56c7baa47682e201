/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpe-mc-client: a tiny HTTP/1.0-style client on the engine, for the
 * multi-core tests (issue 6): every worker opens --conns connections to
 * --server:--port, --parallel at a time, sends "GET <path>" with
 * Connection: close, reads the answer to its end and closes. It checks on
 * every connection that the engine gave it to the worker owning its flow
 * (tcpe_worker_owns()), and at the end prints per worker and in total:
 *
 *   mc-client: w<i> opened N connected N completed N failed N bytes N
 *       notmine N
 *   mc-client: total opened N connected N completed N failed N ... in S s
 *
 * then the engine's counters (the Port: steer_* and synack_* ones, and
 * the Workers: lines). Exits 0 when every connection completed, 1
 * otherwise (or after --timeout seconds).
 *
 *   tcpe-mc-client [tcpe options] -- --server A.B.C.D [--port 80]
 *       [--conns N] [--parallel N] [--path /] [--timeout S]
 *
 * Nothing here takes a lock: each worker has its own slot; worker 0 reads
 * the others' done flags (relaxed atomics) from its poll hook to stop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcpe/tcpe.h"

#define MAX_WORKERS	128

struct slot {
	struct tcpe_worker *w;
	uint64_t opened, connected, completed, failed, bytes, notmine;
	uint64_t refused;	/* tcpe_connect() returned NULL */
	uint32_t live;
	atomic_int done;
} __attribute__((aligned(64)));

static struct slot slots[MAX_WORKERS];
static struct tcpe_engine *engine;
static uint32_t opt_server, opt_conns = 1000, opt_parallel = 32;
static uint16_t opt_port = 80;
static const char *opt_path = "/";
static double opt_timeout = 60;
static unsigned int nworkers;
static char request[256];
static size_t request_len;
static uint64_t t0_ns;

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void open_more(struct slot *sl);

static void
finish(struct tcpe_sock *s, struct slot *sl, bool ok)
{
	if (ok)
		sl->completed++;
	else
		sl->failed++;
	sl->live--;
	tcpe_close(s);
	open_more(sl);
}

static void
on_connected(struct tcpe_sock *s, void *ctx)
{
	struct slot *sl = ctx;
	uint32_t la, ra;
	uint16_t lp, rp;

	sl->connected++;
	tcpe_sock_addr(s, &la, &lp, &ra, &rp);
	if (tcpe_sock_worker(s) != sl->w ||
	    !tcpe_worker_owns(sl->w, la, lp, ra, rp))
		sl->notmine++;
	if (tcpe_send_copy(s, request, (uint32_t)request_len) !=
	    (int)request_len)
		finish(s, sl, false);
}

static void
on_readable(struct tcpe_sock *s, void *ctx)
{
	struct slot *sl = ctx;
	struct tcpe_rx rx[16];
	int n, i;

	while ((n = tcpe_recv(s, rx, 16)) > 0) {
		for (i = 0; i < n; i++)
			sl->bytes += rx[i].len;
		tcpe_rx_release(s, rx, (unsigned int)n);
	}
	if (n == 0)
		finish(s, sl, true);
	else if (n != -EAGAIN)
		finish(s, sl, false);
}

static void
on_eof(struct tcpe_sock *s, void *ctx)
{
	on_readable(s, ctx);
}

static void
on_error(struct tcpe_sock *s, int err, void *ctx)
{
	(void)err;
	finish(s, ctx, false);
}

static const struct tcpe_handlers handlers = {
	.connected = on_connected,
	.readable = on_readable,
	.eof = on_eof,
	.error = on_error,
};

static void
open_more(struct slot *sl)
{
	struct tcpe_sock *s;

	while (sl->live < opt_parallel && sl->opened < opt_conns) {
		s = tcpe_connect(sl->w, opt_server, opt_port, &handlers, sl);
		if (s == NULL) {
			sl->refused++;
			sl->failed++;
			sl->opened++;
			continue;
		}
		tcpe_set_nodelay(s, 1);
		sl->opened++;
		sl->live++;
	}
	if (sl->opened == opt_conns && sl->live == 0)
		atomic_store_explicit(&sl->done, 1, memory_order_relaxed);
}

static int
setup(struct tcpe_worker *w, void *arg)
{
	struct slot *sl = &slots[tcpe_worker_id(w)];

	(void)arg;
	sl->w = w;
	open_more(sl);
	return 0;
}

static void
poll_hook(struct tcpe_worker *w, void *arg)
{
	unsigned int i;

	(void)arg;
	if (tcpe_worker_id(w) != 0)
		return;
	for (i = 0; i < nworkers; i++)
		if (!atomic_load_explicit(&slots[i].done,
		    memory_order_relaxed))
			break;
	if (i == nworkers || (double)(mono_ns() - t0_ns) / 1e9 > opt_timeout)
		tcpe_stop(engine);
}

static int
usage(void)
{
	fprintf(stderr, "usage: tcpe-mc-client [tcpe options] -- --server "
	    "A.B.C.D [--port N] [--conns N] [--parallel N] [--path P] "
	    "[--timeout S]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct tcpe_engine_info info;
	struct slot tot;
	struct in_addr a;
	unsigned int i;
	double secs;
	int used, rc;

	used = tcpe_init(argc, argv, &engine);
	if (used < 0)
		return 1;
	argc -= used;
	argv += used;
	for (i = 1; i < (unsigned int)argc; i++) {
		const char *o = argv[i], *v = i + 1 < (unsigned int)argc ?
		    argv[i + 1] : NULL;

		if (strcmp(o, "--") == 0)
			continue;
		if (v == NULL)
			return usage();
		if (strcmp(o, "--server") == 0 && inet_pton(AF_INET, v, &a))
			opt_server = ntohl(a.s_addr);
		else if (strcmp(o, "--port") == 0)
			opt_port = (uint16_t)atoi(v);
		else if (strcmp(o, "--conns") == 0)
			opt_conns = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(o, "--parallel") == 0)
			opt_parallel = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(o, "--path") == 0)
			opt_path = v;
		else if (strcmp(o, "--timeout") == 0)
			opt_timeout = atof(v);
		else
			return usage();
		i++;
	}
	if (opt_server == 0 || opt_parallel == 0)
		return usage();
	request_len = (size_t)snprintf(request, sizeof(request),
	    "GET %s HTTP/1.1\r\nHost: tcpe\r\nConnection: close\r\n\r\n",
	    opt_path);
	tcpe_engine_info(engine, &info);
	nworkers = info.workers;
	printf("mc-client: %u workers, %u connections each, %u at a time\n",
	    nworkers, opt_conns, opt_parallel);
	fflush(stdout);
	tcpe_set_poll_hook(engine, poll_hook, NULL);
	t0_ns = mono_ns();
	rc = tcpe_run(engine, setup, NULL);
	secs = (double)(mono_ns() - t0_ns) / 1e9;
	memset(&tot, 0, sizeof(tot));
	for (i = 0; i < nworkers; i++) {
		struct slot *sl = &slots[i];

		printf("mc-client: w%u opened %" PRIu64 " connected %" PRIu64
		    " completed %" PRIu64 " failed %" PRIu64 " refused %"
		    PRIu64 " bytes %" PRIu64 " notmine %" PRIu64 "\n", i,
		    sl->opened, sl->connected, sl->completed, sl->failed,
		    sl->refused, sl->bytes, sl->notmine);
		tot.opened += sl->opened;
		tot.connected += sl->connected;
		tot.completed += sl->completed;
		tot.failed += sl->failed;
		tot.bytes += sl->bytes;
		tot.notmine += sl->notmine;
	}
	printf("mc-client: total opened %" PRIu64 " connected %" PRIu64
	    " completed %" PRIu64 " failed %" PRIu64 " bytes %" PRIu64
	    " notmine %" PRIu64 " in %.2f s (%.0f conn/s)\n", tot.opened,
	    tot.connected, tot.completed, tot.failed, tot.bytes, tot.notmine,
	    secs, secs > 0 ? (double)tot.completed / secs : 0.0);
	tcpe_print_counters(engine, stdout);
	fflush(stdout);
	tcpe_fini(engine);
	return rc == 0 && tot.completed == (uint64_t)opt_conns * nworkers &&
	    tot.notmine == 0 ? 0 : 1;
}
