/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering between the workers of one port (DESIGN.md section 2), for
 * devices that cannot deliver every flow to its owner's queue (net_tap,
 * memif, single-queue virtio, fewer queues than workers) and as a safety
 * net under hardware RSS: a frame that arrives on the wrong worker is
 * queued for its owner (tcpe_rss_owner()) and moved, at the end of the
 * loop iteration, to an SPSC rte_ring from this worker to the owner; the
 * owner handles it like its own on its next iteration. What a full ring
 * refuses waits in a per-destination backlog and is retried; only a full
 * backlog drops (counted). Each ring has one producer and one consumer:
 * no lock, no atomic beyond the ring's own head/tail.
 *
 * Workers without a TX queue of their own (more workers than queues)
 * hand their finished frames to the worker whose queue they share, over
 * an SPSC ring as well.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "tcpe_dp.h"
#include "tcpe_net.h"
#include "tcpe_rss.h"

/* Frames waiting for one destination when its ring is full. */
#define BACKLOG		4096
#define DRAIN_MAX	512

static unsigned int ring_seq;	/* names: engines may come and go */

static struct rte_ring *
ring_new(const char *what, uint16_t i, uint16_t j, uint32_t size, int socket)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "tcpe_%s%u_%u_%u", what,
	    ring_seq, i, j);
	return rte_ring_create(name, size, socket,
	    RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
}

int
tcpe_steer_setup(struct tcpe_dp *const *dps, uint16_t n, uint32_t ring_size,
    uint16_t ntxq, char *err, size_t errlen)
{
	struct tcpe_dp *a, *b;
	uint16_t i, j, o;

	ring_seq++;
	for (i = 0; i < n; i++) {
		a = dps[i];
		a->to = calloc(n, sizeof(a->to[0]));
		a->from = calloc(n, sizeof(a->from[0]));
		a->fwd = calloc(n, sizeof(a->fwd[0]));
		a->tx_from = calloc(n, sizeof(a->tx_from[0]));
		if (a->to == NULL || a->from == NULL || a->fwd == NULL ||
		    a->tx_from == NULL)
			goto nomem;
		for (j = 0; j < n; j++) {
			if (j == i)
				continue;
			a->fwd[j].cap = BACKLOG;
			a->fwd[j].m = calloc(BACKLOG, sizeof(a->fwd[j].m[0]));
			if (a->fwd[j].m == NULL)
				goto nomem;
		}
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			if (i == j)
				continue;
			/* On the consumer's socket: it reads the frames. */
			dps[i]->to[j] = ring_new("s", i, j, ring_size,
			    (int)dps[j]->pool->socket_id);
			if (dps[i]->to[j] == NULL)
				goto noring;
			dps[j]->from[i] = dps[i]->to[j];
		}
	}
	for (i = ntxq; i < n && ntxq > 0; i++) {
		o = (uint16_t)(i % ntxq);
		a = dps[i];
		b = dps[o];
		a->tx_ring = ring_new("t", i, o, ring_size,
		    (int)b->pool->socket_id);
		if (a->tx_ring == NULL)
			goto noring;
		b->tx_from[b->ntx_from++] = a->tx_ring;
	}
	return 0;
nomem:
	snprintf(err, errlen, "steering: out of memory");
	return -ENOMEM;
noring:
	snprintf(err, errlen, "steering: rte_ring_create(%u): %s", ring_size,
	    rte_strerror(rte_errno));
	return -ENOMEM;
}

static void
ring_free(struct rte_ring *r)
{
	struct rte_mbuf *m[64];
	unsigned int k, n;

	if (r == NULL)
		return;
	while ((n = rte_ring_sc_dequeue_burst(r, (void **)m, 64, NULL)) > 0)
		for (k = 0; k < n; k++)
			rte_pktmbuf_free(m[k]);
	rte_ring_free(r);
}

void
tcpe_steer_fini(struct tcpe_dp *dp)
{
	uint16_t j;
	uint32_t k;

	if (dp->fwd != NULL) {
		for (j = 0; j < dp->nworkers; j++) {
			for (k = 0; k < dp->fwd[j].n; k++)
				rte_pktmbuf_free(dp->fwd[j].m[k]);
			free(dp->fwd[j].m);
		}
	}
	/* Each ring is freed by its consumer. */
	for (j = 0; dp->from != NULL && j < dp->nworkers; j++)
		ring_free(dp->from[j]);
	for (j = 0; dp->tx_from != NULL && j < dp->ntx_from; j++)
		ring_free(dp->tx_from[j]);
	free(dp->fwd);
	free(dp->to);
	free(dp->from);
	free(dp->tx_from);
	dp->fwd = NULL;
	dp->to = NULL;
	dp->from = NULL;
	dp->tx_from = NULL;
	dp->tx_ring = NULL;
	dp->ntx_from = 0;
}

static void
flush_one(struct tcpe_dp *dp, uint16_t j)
{
	struct tcpe_steer_q *q = &dp->fwd[j];
	unsigned int n;

	n = rte_ring_sp_enqueue_burst(dp->to[j], (void **)q->m, q->n, NULL);
	if (n == q->n) {
		q->n = 0;
		return;
	}
	dp->ctr[TCPE_DP_STEER_BACKLOG] += q->n - n;
	memmove(q->m, q->m + n, (q->n - n) * sizeof(q->m[0]));
	q->n -= n;
}

void
tcpe_steer_fwd(struct tcpe_dp *dp, uint16_t owner, struct rte_mbuf *m)
{
	struct tcpe_steer_q *q = &dp->fwd[owner];

	if (unlikely(q->n == q->cap)) {
		flush_one(dp, owner);
		if (q->n == q->cap) {
			dp->ctr[TCPE_DP_STEER_DROP]++;
			rte_pktmbuf_free(m);
			return;
		}
	}
	q->m[q->n++] = m;
	if (q->n >= dp->burst)
		flush_one(dp, owner);
}

void
tcpe_steer_flush(struct tcpe_dp *dp)
{
	uint16_t j;

	for (j = 0; j < dp->nworkers; j++)
		if (dp->fwd[j].n > 0)
			flush_one(dp, j);
}

void
tcpe_steer_rx(struct tcpe_dp *dp)
{
	struct rte_mbuf *pkts[DRAIN_MAX];
	unsigned int n, k, room;
	uint16_t j;
	bool any = false;

	for (j = 0; j < dp->nworkers; j++) {
		if (dp->from[j] == NULL)
			continue;
		n = rte_ring_sc_dequeue_burst(dp->from[j], (void **)pkts,
		    dp->burst, NULL);
		if (n == 0)
			continue;
		dp->ctr[TCPE_DP_STEER_IN] += n;
		dp->steered = true;
		for (k = 0; k < n; k++)
			if (tcpe_net_rx(dp, pkts[k]))
				rte_pktmbuf_free(pkts[k]);
		dp->steered = false;
		any = true;
	}
	/* Frames of workers that transmit through our queue. */
	for (j = 0; j < dp->ntx_from; j++) {
		room = dp->tx_cap - dp->tx_n;
		if (room == 0)
			tcpe_dp_flush(dp);
		room = dp->tx_cap - dp->tx_n;
		if (room > DRAIN_MAX)
			room = DRAIN_MAX;
		n = rte_ring_sc_dequeue_burst(dp->tx_from[j],
		    (void **)(dp->tx + dp->tx_n), room, NULL);
		for (k = 0; k < n; k++)
			dp->tx_staged_bytes += dp->tx[dp->tx_n + k]->pkt_len;
		dp->tx_n += n;
	}
	if (any && dp->on_events != NULL && dp->stack->ev_head != NULL)
		dp->on_events(dp->owner);
}

uint16_t
tcpe_dp_pick_port(struct tcpe_dp *dp, uint32_t raddr, uint16_t rport,
    uint32_t *hash)
{
	uint16_t p;

	if (dp->rss == NULL) {
		p = dp->port_next;
		dp->port_next = p == dp->port_hi ? dp->port_lo :
		    (uint16_t)(p + 1);
		*hash = 0;	/* the caller hashes with tcpe_dp_hash() */
		return p;
	}
	p = tcpe_rss_pick_port(dp->rss, dp->addr, raddr, rport, dp->port_lo,
	    dp->port_hi, &dp->port_next, dp->wid, hash);
	if (p != 0)
		*hash = tcpe_rss_table_hash(*hash);
	return p;
}
