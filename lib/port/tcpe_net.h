/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to lib/port: the functions the data plane's files share.
 * Everything runs on the lcore that owns dp.
 */
#ifndef TCPE_NET_H
#define TCPE_NET_H

#include "tcpe_dp.h"

/*
 * Send the IPv4 frame m (Ethernet header present, addresses to be filled)
 * to dst: pick the next hop (dst on-link, else the gateway), fill the
 * Ethernet header from the ARP entry and stage m, or hold it in the next
 * hop's pending queue while ARP resolves. Consumes m in every case.
 */
void tcpe_net_ip_out(struct tcpe_dp *dp, struct rte_mbuf *m, uint32_t dst);

/*
 * Stage a finished frame for transmission; consumes m (counted drop).
 * With tx faults on, m goes through them first (tcpe_fault.h).
 */
void tcpe_dp_stage(struct tcpe_dp *dp, struct rte_mbuf *m);

/* tcpe_dp_stage() past the fault layer: the frame as it leaves. */
void tcpe_dp_stage_now(struct tcpe_dp *dp, struct rte_mbuf *m);

/*
 * One received frame past the rx fault layer: counted, handled, consumed
 * or freed. Returns true when it is not for tcpe and dp is embedded: the
 * caller then owns m (to hand it back to the host).
 */
bool tcpe_net_rx(struct tcpe_dp *dp, struct rte_mbuf *m);

/*
 * Polled mode, the worker's last flush at stop (after tcpe_fault_stop()
 * has staged what the fault layer held): offer the staging once more; if the link
 * is still down, free it (tx_down_dropped), so that no frame outlives the
 * loop and the mbufs in use at exit are the idle ones.
 */
void tcpe_dp_tx_stop(struct tcpe_dp *dp);

/* ARP table of dp: allocate, free (with the frames it holds), age. */
int tcpe_arp_init(struct tcpe_dp *dp, uint32_t slots);
void tcpe_arp_fini(struct tcpe_dp *dp);
void tcpe_arp_timers(struct tcpe_dp *dp);
uint32_t tcpe_arp_held(const struct tcpe_dp *dp);

/* Free the cached send_ext records (none may be live). */
void tcpe_dp_ext_fini(struct tcpe_dp *dp);

#endif /* TCPE_NET_H */
