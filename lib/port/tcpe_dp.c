/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's data plane: set-up, timers and the polled loop iteration
 * (DESIGN.md section 2):
 *
 *   now = TSC -> ns, read once
 *   rx_burst -> [rx faults] -> Ethernet/ARP/IPv4 -> tcpe_stack_input
 *   -> frames staged [through the tx faults]
 *   -> application callbacks (owner's on_events)
 *   -> [several workers: frames other workers handed over, as above]
 *   -> [held rx frames now due] -> TCP timers due at now, ARP retries
 *   -> callbacks
 *   -> [several workers: misdirected frames to their owners' rings]
 *   -> [held tx frames now due] -> tx_burst of what is staged (also
 *      whenever a batch fills); what the device refuses stays staged
 *      for the next iteration, bounded by tx_cap, beyond which new
 *      frames are dropped and counted. When it refuses everything and
 *      the link is down, the staging is held and offered again only
 *      after a backoff (100 us doubling to 10 ms; tcpe_mbuf.c).
 * The bracketed steps are the fault layer's (tcpe_fault.h), one branch
 * each when it is off.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "tcpe_dp.h"
#include "tcpe_net.h"

/* Segments the core may emit per call before the output is drained. */
#define OUT_CAP		512
#define ARP_SLOTS	256
#define BURST_MAX	512

static const char *const ctr_names[TCPE_DP_CTR_N] = {
#define TCPE_DP_CTR_NAME(id, name, help) [TCPE_DP_##id] = name,
	TCPE_DP_CTR_LIST(TCPE_DP_CTR_NAME)
#undef TCPE_DP_CTR_NAME
};

const char *
tcpe_dp_ctr_name(int i)
{
	return i < 0 || i >= TCPE_DP_CTR_N ? NULL : ctr_names[i];
}

int
tcpe_dp_init(struct tcpe_dp *dp, const struct tcpe_dp_params *p)
{
	struct tcpe_stack_params sp;
	int rc;

	memset(dp, 0, sizeof(*dp));
	if (p == NULL || p->tcp == NULL || p->pool == NULL || p->burst == 0 ||
	    p->burst > BURST_MAX || p->tx_cap < p->burst ||
	    p->prefix > 32 || p->addr == 0 || p->port_lo == 0 ||
	    p->port_lo > p->port_hi ||
	    (p->rss != NULL && (p->nworkers == 0 || p->wid >= p->nworkers)))
		return -EINVAL;
	dp->pool = p->pool;
	dp->port_id = p->port_id;
	dp->queue_id = p->queue_id;
	dp->flags = p->flags;
	dp->burst = p->burst;
	dp->mtu = p->mtu;
	dp->addr = p->addr;
	dp->mask = p->prefix == 0 ? 0 : UINT32_MAX << (32 - p->prefix);
	dp->gateway = p->gateway;
	memcpy(dp->mac, p->mac, 6);
	dp->arp_pending = p->arp_pending;
	dp->arp_timeout = TCPE_S(p->arp_timeout_s);
	dp->port_lo = p->port_lo;
	dp->port_hi = p->port_hi;
	dp->port_next = (uint16_t)(p->port_lo + p->secret[0] %
	    ((uint32_t)p->port_hi - p->port_lo + 1));
	dp->ip_id = (uint16_t)(p->secret[1] >> 16);
	dp->now = p->now;
	dp->on_events = p->on_events;
	dp->owner = p->owner;
	dp->rss = p->rss;
	dp->wid = p->wid;
	dp->nworkers = p->rss != NULL ? p->nworkers : 1;
	dp->rx_poll = p->rss == NULL || p->rx_poll;
	dp->rx_hash = p->rss != NULL && p->rx_hash;

	rc = -ENOMEM;
	dp->out.segs = calloc(OUT_CAP, sizeof(dp->out.segs[0]));
	dp->out.cap = OUT_CAP;
	dp->tx_cap = p->tx_cap;
	dp->tx = calloc(dp->tx_cap, sizeof(dp->tx[0]));
	if (dp->out.segs == NULL || dp->tx == NULL ||
	    tcpe_arp_init(dp, ARP_SLOTS) != 0)
		goto fail;

	memset(&sp, 0, sizeof(sp));
	sp.cfg = p->tcp;
	sp.bops = tcpe_mbuf_bops;
	sp.secret[0] = p->secret[0];
	sp.secret[1] = p->secret[1];
	sp.mtu = p->mtu;
	sp.app = p->owner;
	dp->stack = tcpe_stack_create(&sp, p->now);
	if (dp->stack == NULL) {
		rc = errno == EINVAL ? -EINVAL : -ENOMEM;
		goto fail;
	}
	rc = tcpe_fault_init(dp, p->fault, p->queue_id);
	if (rc != 0) {
		tcpe_stack_destroy(dp->stack);
		goto fail;
	}
	return 0;
fail:
	tcpe_arp_fini(dp);
	free(dp->tx);
	free(dp->out.segs);
	memset(dp, 0, sizeof(*dp));
	return rc;
}

void
tcpe_dp_fini(struct tcpe_dp *dp)
{
	uint32_t i;

	if (dp->stack == NULL)
		return;
	/* Connections first: their views may be what staged frames chain. */
	tcpe_stack_destroy(dp->stack);
	dp->stack = NULL;
	/* Before the send_ext records go: held frames may map them. */
	tcpe_fault_fini(dp);
	tcpe_steer_fini(dp);
	/* Also what a link down held (tcpe_dp_flush() sends nothing then). */
	for (i = 0; i < dp->tx_n; i++)
		rte_pktmbuf_free(dp->tx[i]);
	dp->tx_n = 0;
	dp->tx_staged_bytes = 0;
	dp->tx_hold_until = 0;
	tcpe_arp_fini(dp);
	tcpe_dp_ext_fini(dp);
	free(dp->tx);
	free(dp->out.segs);
	dp->tx = NULL;
	dp->out.segs = NULL;
}

uint32_t
tcpe_dp_held(const struct tcpe_dp *dp)
{
	return dp->tx_n + tcpe_arp_held(dp) + tcpe_fault_held(dp);
}

static inline void
dispatch(struct tcpe_dp *dp)
{
	if (dp->on_events != NULL && dp->stack->ev_head != NULL)
		dp->on_events(dp->owner);
}

void
tcpe_dp_timers(struct tcpe_dp *dp)
{
	struct tcpe_stack *s = dp->stack;
	struct tcpe_tuple key;
	struct tcpe_timer *t;
	struct tcpe_conn *c;
	uint32_t hash;

	/* Received frames the fault layer held and that are due now. */
	if (unlikely(dp->fault[TCPE_FAULT_RX] != NULL))
		tcpe_fault_rx_release(dp);
	if (tcpe_stack_due(s, dp->now)) {
		/*
		 * tcpe_stack_expire(), one connection at a time, so that an
		 * output array filled by one connection is drained and that
		 * connection resumed before the next one runs.
		 */
		tcpe_stack_expire_tw(s, dp->now);
		tcpe_wheel_advance(&s->wheel, dp->now);
		while ((t = tcpe_wheel_pop(&s->wheel)) != NULL) {
			c = tcpe_container_of(t, struct tcpe_conn, timer);
			key = c->node.key;
			hash = c->node.hash;
			tcpe_conn_expire(c, dp->now, &dp->out);
			tcpe_dp_drain(dp, &key, hash);
		}
	}
	/* The earliest ARP deadline is cached: one compare when none is due. */
	if (unlikely(dp->now >= dp->arp_next))
		tcpe_arp_timers(dp);
	dispatch(dp);
}

void
tcpe_dp_poll(struct tcpe_dp *dp)
{
	struct rte_mbuf *pkts[BURST_MAX];
	uint16_t n;

	dp->now = tcpe_clock_ns();
	if (likely(dp->rx_poll)) {
		n = rte_eth_rx_burst(dp->port_id, dp->queue_id, pkts,
		    (uint16_t)dp->burst);
		if (n > 0)
			tcpe_dp_input(dp, pkts, n);
	}
	/* What other workers received for us, or send through us. */
	if (dp->nworkers > 1)
		tcpe_steer_rx(dp);
	tcpe_dp_timers(dp);
	if (dp->nworkers > 1)
		tcpe_steer_flush(dp);
	tcpe_dp_flush(dp);
}
