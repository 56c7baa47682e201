/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/api: the engine and worker objects behind the public
 * handles of include/tcpe/tcpe.h.
 *
 * A struct tcpe_sock is a struct tcpe_conn of the core: the socket's
 * handlers and context live in the TCB's app_h/app_ctx, the worker is the
 * stack's app pointer. lib/api never names a DPDK type: it calls lib/port
 * for everything that touches an mbuf, a port or an lcore.
 */
#ifndef TCPE_API_H
#define TCPE_API_H

#include <stdbool.h>

#include "tcpe/tcpe.h"
#include "tcpe_config.h"
#include "tcpe_dp.h"
#include "tcpe_rss.h"

#define TCPE_WORKERS_MAX	128

/* One lcore's worker: its data plane and the state of its callbacks. */
struct tcpe_worker {
	struct tcpe_dp dp;		/* first: the data plane */
	struct tcpe_engine *e;		/* NULL when embedded */
	unsigned int id;
	unsigned int lcore;
	/*
	 * The connection whose callbacks are running; tcpe_close() of it
	 * clears this, which stops the dispatch of its remaining events.
	 */
	struct tcpe_conn *cur;
	bool dispatching;
	int setup_rc;
	struct tcpe_config cfg;		/* embedded: its own config */
};

/* The process: configuration, EAL, port, workers. */
struct tcpe_engine {
	struct tcpe_config cfg;
	struct tcpe_port port;
	bool eal;			/* the EAL is up: clean up */
	unsigned int nworkers;
	unsigned int lcores[TCPE_WORKERS_MAX];	/* worker i's lcore */
	struct tcpe_worker *w[TCPE_WORKERS_MAX];
	/* Several workers: how flows reach their owner (read-only). */
	enum tcpe_steering steering;
	struct tcpe_rss rss;
	int (*setup)(struct tcpe_worker *w, void *arg);
	void *setup_arg;
	/* tcpe_set_poll_hook(): run on every worker each iteration. */
	void (*poll_fn)(struct tcpe_worker *w, void *arg);
	void *poll_arg;
	int stop;			/* set by tcpe_stop(), polled */
};

static inline struct tcpe_conn *
sock_conn(const struct tcpe_sock *s)
{
	return (struct tcpe_conn *)(uintptr_t)s;
}

static inline struct tcpe_sock *
conn_sock(struct tcpe_conn *c)
{
	return (struct tcpe_sock *)(void *)c;
}

static inline struct tcpe_worker *
conn_worker(const struct tcpe_conn *c)
{
	return c->stack->app;
}

/*
 * struct tcpe_dp.on_events of every worker: deliver the stack's pending
 * events to the sockets' handlers (tcpe_sock.c).
 */
void tcpe_api_dispatch(void *owner);

/* 128 random bits for the ISN key (getrandom(), else the clock). */
void tcpe_api_secret(uint64_t secret[2]);

#endif /* TCPE_API_H */
