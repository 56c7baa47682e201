/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link and network layers of a worker: Ethernet demux, ARP (RFC 826),
 * IPv4 input checks (RFC 791, RFC 1122 3.2.1), ICMP echo (RFC 792) and the
 * hand-off of TCP segments to the core.
 *
 * Every frame ends in exactly one place: consumed (the core keeps its own
 * references; replies reuse or replace the frame), dropped with one
 * counter naming the reason, or "not mine" (freed and counted when tcpe
 * owns the port, handed back untouched to an embedding host).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "tcpe_dp.h"
#include "tcpe_net.h"
#include "tcpe_rss.h"
#include "tcpe_wire.h"

#define L2_LEN		RTE_ETHER_HDR_LEN
#define ARP_LEN		((uint32_t)sizeof(struct rte_arp_hdr))
#define MIN_FRAME	60	/* Ethernet minimum without FCS */

#define ARP_PROBE	8		/* slots searched per address */
#define ARP_RETRY	TCPE_S(1)	/* between requests */
#define ARP_TRIES	3		/* requests before giving up */
/*
 * dp->arp_next is at or before the earliest expires of a non-free entry
 * (TCPE_TIME_NEVER with none), so the loop tests one compare per
 * iteration and scans the table only when something is due: arming an
 * entry lowers it (arp_arm()), a scan recomputes it, an entry freed or
 * pushed later leaves it early, which costs one scan for nothing.
 */
#define TCPE_TIME_NEVER	UINT64_MAX

#define ICMP_HDR_LEN	8
#define IPPROTO_ICMP_	1

enum verdict {
	RX_FREE,	/* handled or dropped: free the frame */
	RX_KEPT,	/* consumed: the frame lives on (a reply) */
	RX_NOT_MINE,	/* for the host (embedded) or nobody */
};

enum arp_state {
	ARP_FREE = 0,
	ARP_INCOMPLETE,	/* request sent, frames pending */
	ARP_REACHABLE,	/* confirmed within arp_timeout_s */
	ARP_STALE,	/* still used, being confirmed again */
};

/*
 * One next hop. Invariant: npend > 0 only while INCOMPLETE; pend has
 * room for dp->arp_pending frames once allocated.
 */
struct tcpe_arp_entry {
	uint32_t ip;		/* host order; meaningful unless FREE */
	uint8_t state;
	uint8_t tries;		/* requests sent in this state */
	bool used;		/* a frame went out since the last refresh */
	uint8_t mac[6];
	tcpe_time_t expires;	/* REACHABLE: end; else: next request */
	tcpe_time_t last;	/* last confirmation, for eviction */
	struct rte_mbuf **pend;
	uint32_t npend;
};

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/*
 * The Toeplitz hash of the segments of flow t (local view) as they
 * arrive: what the device puts in hash.rss under hardware RSS.
 */
static inline uint32_t
rss_raw(const struct tcpe_dp *dp, const struct tcpe_tuple *t)
{
	return tcpe_rss_hash(dp->rss, t->raddr, t->laddr, t->rport, t->lport);
}

uint32_t
tcpe_dp_hash(const struct tcpe_dp *dp, const struct tcpe_tuple *t)
{
	/*
	 * One worker: no device hash to agree with, the software tuple hash
	 * on input and for active opens alike. Several: the Toeplitz hash
	 * that decides the owner (the device's own when it has RSS), spread
	 * for the core's table.
	 */
	if (dp->rss == NULL)
		return tcpe_tuple_hash(t);
	return tcpe_rss_table_hash(rss_raw(dp, t));
}

bool
tcpe_dp_owns(const struct tcpe_dp *dp, const struct tcpe_tuple *t)
{
	return dp->rss == NULL ||
	    tcpe_rss_owner(dp->rss, rss_raw(dp, t)) == dp->wid;
}

/* --- ARP ------------------------------------------------------------------ */

int
tcpe_arp_init(struct tcpe_dp *dp, uint32_t slots)
{
	dp->arp = calloc(slots, sizeof(*dp->arp));
	if (dp->arp == NULL)
		return -ENOMEM;
	dp->arp_slots = slots;
	dp->arp_next = TCPE_TIME_NEVER;
	return 0;
}

/* e's deadline is set: the table's next is no later. */
static inline void
arp_arm(struct tcpe_dp *dp, struct tcpe_arp_entry *e, tcpe_time_t expires)
{
	e->expires = expires;
	if (expires < dp->arp_next)
		dp->arp_next = expires;
}

static void
arp_drop_pending(struct tcpe_dp *dp, struct tcpe_arp_entry *e)
{
	uint32_t i;

	for (i = 0; i < e->npend; i++)
		rte_pktmbuf_free(e->pend[i]);
	dp->ctr[TCPE_DP_ARP_UNRESOLVED] += e->npend;
	e->npend = 0;
}

static void
arp_clear(struct tcpe_dp *dp, struct tcpe_arp_entry *e)
{
	arp_drop_pending(dp, e);
	free(e->pend);
	memset(e, 0, sizeof(*e));
}

void
tcpe_arp_fini(struct tcpe_dp *dp)
{
	uint32_t i;

	if (dp->arp == NULL)
		return;
	for (i = 0; i < dp->arp_slots; i++)
		arp_clear(dp, &dp->arp[i]);
	free(dp->arp);
	dp->arp = NULL;
}

uint32_t
tcpe_arp_held(const struct tcpe_dp *dp)
{
	uint32_t i, n = 0;

	for (i = 0; dp->arp != NULL && i < dp->arp_slots; i++)
		n += dp->arp[i].npend;
	return n;
}

static uint32_t
arp_home(const struct tcpe_dp *dp, uint32_t ip)
{
	return ((ip * 2654435761u) >> 16) & (dp->arp_slots - 1);
}

static struct tcpe_arp_entry *
arp_find(struct tcpe_dp *dp, uint32_t ip)
{
	struct tcpe_arp_entry *e;
	uint32_t h = arp_home(dp, ip), k;

	for (k = 0; k < ARP_PROBE; k++) {
		e = &dp->arp[(h + k) & (dp->arp_slots - 1)];
		if (e->state != ARP_FREE && e->ip == ip)
			return e;
	}
	return NULL;
}

/*
 * A slot for ip (not present): a free one, else the resolved entry
 * confirmed longest ago. NULL when every candidate is being resolved.
 */
static struct tcpe_arp_entry *
arp_new(struct tcpe_dp *dp, uint32_t ip)
{
	struct tcpe_arp_entry *e, *old = NULL;
	uint32_t h = arp_home(dp, ip), k;

	for (k = 0; k < ARP_PROBE; k++) {
		e = &dp->arp[(h + k) & (dp->arp_slots - 1)];
		if (e->state == ARP_FREE)
			goto take;
		if (e->state != ARP_INCOMPLETE &&
		    (old == NULL || e->last < old->last))
			old = e;
	}
	if (old == NULL)
		return NULL;
	e = old;
	arp_clear(dp, e);
take:
	e->ip = ip;
	e->last = dp->now;
	return e;
}

/*
 * Send an ARP packet: op, target hardware address tha (NULL: zero),
 * target protocol address tip, to the Ethernet address dst.
 */
static void
arp_send(struct tcpe_dp *dp, uint16_t op, const uint8_t *tha, uint32_t tip,
    const uint8_t *dst)
{
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *a;
	struct rte_mbuf *m;
	char *p;

	m = rte_pktmbuf_alloc(dp->pool);
	if (m == NULL) {
		dp->ctr[TCPE_DP_TX_NOMBUF]++;
		return;
	}
	p = rte_pktmbuf_append(m, MIN_FRAME);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		dp->ctr[TCPE_DP_TX_NOMBUF]++;
		return;
	}
	memset(p, 0, MIN_FRAME);
	eth = (struct rte_ether_hdr *)p;
	memcpy(&eth->dst_addr, dst, 6);
	memcpy(&eth->src_addr, dp->mac, 6);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	a = (struct rte_arp_hdr *)(eth + 1);
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	memcpy(&a->arp_data.arp_sha, dp->mac, 6);
	a->arp_data.arp_sip = rte_cpu_to_be_32(dp->addr);
	if (tha != NULL)
		memcpy(&a->arp_data.arp_tha, tha, 6);
	a->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	dp->ctr[op == RTE_ARP_OP_REPLY ? TCPE_DP_ARP_TX_REPLY :
	    TCPE_DP_ARP_TX_REQUEST]++;
	tcpe_dp_stage(dp, m);
}

void
tcpe_dp_announce(struct tcpe_dp *dp)
{
	/* Gratuitous ARP (RFC 5227 section 3): a request for ourselves. */
	arp_send(dp, RTE_ARP_OP_REQUEST, NULL, dp->addr, bcast_mac);
}

/* e's address is now known to be at mac: release what waited for it. */
static void
arp_confirm(struct tcpe_dp *dp, struct tcpe_arp_entry *e, const uint8_t *mac)
{
	struct rte_ether_hdr *eth;
	uint32_t i;

	memcpy(e->mac, mac, 6);
	e->state = ARP_REACHABLE;
	e->tries = 0;
	e->used = false;
	e->last = dp->now;
	arp_arm(dp, e, dp->now + dp->arp_timeout);
	for (i = 0; i < e->npend; i++) {
		eth = rte_pktmbuf_mtod(e->pend[i], struct rte_ether_hdr *);
		memcpy(&eth->dst_addr, mac, 6);
		tcpe_dp_stage(dp, e->pend[i]);
	}
	e->npend = 0;
}

void
tcpe_arp_timers(struct tcpe_dp *dp)
{
	struct tcpe_arp_entry *e;
	tcpe_time_t next = TCPE_TIME_NEVER;
	uint32_t i;

	if (dp->now < dp->arp_next)
		return;
	/* Entries armed below (arp_send() never arms) lower dp->arp_next. */
	dp->arp_next = TCPE_TIME_NEVER;
	for (i = 0; i < dp->arp_slots; i++) {
		e = &dp->arp[i];
		if (e->state == ARP_FREE)
			continue;
		if (dp->now < e->expires) {
			if (e->expires < next)
				next = e->expires;
			continue;
		}
		switch (e->state) {
		case ARP_REACHABLE:
			if (!e->used) {
				arp_clear(dp, e);	/* idle: forget it */
				break;
			}
			/* In use: keep using it while asking again. */
			e->state = ARP_STALE;
			e->used = false;
			e->tries = 1;
			arp_arm(dp, e, dp->now + ARP_RETRY);
			arp_send(dp, RTE_ARP_OP_REQUEST, NULL, e->ip, e->mac);
			break;
		case ARP_INCOMPLETE:
		case ARP_STALE:
			if (e->tries >= ARP_TRIES) {
				/* Its pending frames count as unresolved. */
				arp_clear(dp, e);
				break;
			}
			e->tries++;
			arp_arm(dp, e, dp->now + ARP_RETRY);
			arp_send(dp, RTE_ARP_OP_REQUEST, NULL, e->ip,
			    bcast_mac);
			break;
		default:
			break;
		}
	}
	if (next < dp->arp_next)
		dp->arp_next = next;
}

static void
arp_share(struct tcpe_dp *dp, struct rte_mbuf *m)
{
	uint16_t j;

	for (j = 0; j < dp->nworkers; j++) {
		if (j == dp->wid)
			continue;
		rte_mbuf_refcnt_update(m, 1);
		dp->ctr[TCPE_DP_STEER_ARP]++;
		tcpe_steer_fwd(dp, j, m);
	}
}

static enum verdict
arp_input(struct tcpe_dp *dp, struct rte_mbuf *m)
{
	const struct rte_arp_hdr *a;
	struct tcpe_arp_entry *e;
	uint8_t sha[6];
	uint32_t sip, tip;
	uint16_t op;

	if (rte_pktmbuf_data_len(m) < L2_LEN + ARP_LEN) {
		dp->ctr[TCPE_DP_ARP_BAD]++;
		return RX_FREE;
	}
	a = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, L2_LEN);
	if (a->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != 4) {
		dp->ctr[TCPE_DP_ARP_BAD]++;
		return RX_FREE;
	}
	op = rte_be_to_cpu_16(a->arp_opcode);
	sip = rte_be_to_cpu_32(a->arp_data.arp_sip);
	tip = rte_be_to_cpu_32(a->arp_data.arp_tip);
	memcpy(sha, &a->arp_data.arp_sha, 6);
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) {
		dp->ctr[TCPE_DP_ARP_RX_OTHER]++;
		return RX_NOT_MINE;
	}
	if (sip == dp->addr) {
		if (memcmp(sha, dp->mac, 6) != 0)
			dp->ctr[TCPE_DP_ARP_CONFLICT]++;
		return RX_NOT_MINE;
	}
	/*
	 * RFC 826 "Packet Reception": update the sender if known; add it
	 * if the packet is for us. Probes (sender 0.0.0.0) and multicast
	 * senders teach nothing.
	 */
	if (sip != 0 && !(sha[0] & 0x01)) {
		e = arp_find(dp, sip);
		if (e == NULL && tip == dp->addr)
			e = arp_new(dp, sip);
		if (e != NULL)
			arp_confirm(dp, e, sha);
	}
	/* A copy another worker received: it counted and answered. */
	if (dp->steered)
		return RX_FREE;
	/*
	 * Every worker keeps its own ARP table, and the device delivers an
	 * answer to whichever queue it likes: show what teaches a mapping
	 * to the other workers (read-only, one reference each).
	 */
	if (dp->nworkers > 1 && sip != 0 && !(sha[0] & 0x01))
		arp_share(dp, m);
	if (tip != dp->addr) {
		dp->ctr[TCPE_DP_ARP_RX_OTHER]++;
		return RX_NOT_MINE;
	}
	if (op == RTE_ARP_OP_REQUEST) {
		dp->ctr[TCPE_DP_ARP_RX_REQUEST]++;
		arp_send(dp, RTE_ARP_OP_REPLY, sha, sip, sha);
	} else {
		dp->ctr[TCPE_DP_ARP_RX_REPLY]++;
	}
	return RX_FREE;
}

void
tcpe_net_ip_out(struct tcpe_dp *dp, struct rte_mbuf *m, uint32_t dst)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct tcpe_arp_entry *e;
	uint32_t nh;

	memcpy(&eth->src_addr, dp->mac, 6);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	nh = ((dst ^ dp->addr) & dp->mask) == 0 ? dst : dp->gateway;
	if (nh == 0) {
		dp->ctr[TCPE_DP_TX_NO_ROUTE]++;
		rte_pktmbuf_free(m);
		return;
	}
	e = arp_find(dp, nh);
	if (e != NULL && e->state != ARP_INCOMPLETE) {
		memcpy(&eth->dst_addr, e->mac, 6);
		e->used = true;
		tcpe_dp_stage(dp, m);
		return;
	}
	if (e == NULL) {
		e = arp_new(dp, nh);
		if (e == NULL) {
			dp->ctr[TCPE_DP_ARP_TABLE_FULL]++;
			rte_pktmbuf_free(m);
			return;
		}
		e->state = ARP_INCOMPLETE;
		e->tries = 1;
		arp_arm(dp, e, dp->now + ARP_RETRY);
		arp_send(dp, RTE_ARP_OP_REQUEST, NULL, nh, bcast_mac);
	}
	if (dp->arp_pending == 0) {
		dp->ctr[TCPE_DP_ARP_PENDING_DROP]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (e->pend == NULL) {
		e->pend = malloc(dp->arp_pending * sizeof(e->pend[0]));
		if (e->pend == NULL) {
			dp->ctr[TCPE_DP_ARP_PENDING_DROP]++;
			rte_pktmbuf_free(m);
			return;
		}
	}
	if (e->npend == dp->arp_pending) {
		/* Keep the newest, as Linux does (unres_qlen). */
		dp->ctr[TCPE_DP_ARP_PENDING_DROP]++;
		rte_pktmbuf_free(e->pend[0]);
		memmove(e->pend, e->pend + 1,
		    (e->npend - 1) * sizeof(e->pend[0]));
		e->npend--;
	}
	e->pend[e->npend++] = m;
}

/* --- IPv4 ----------------------------------------------------------------- */

/*
 * RFC 1122 3.2.1.3: addresses that can never be a source: this host,
 * limited and directed broadcast, multicast, loopback. A /31 has no
 * broadcast address (RFC 3021).
 */
static bool
bad_source(const struct tcpe_dp *dp, uint32_t src)
{
	if (src == 0 || src == UINT32_MAX || (src >> 28) == 0xe ||
	    (src >> 24) == 127 || src == dp->addr)
		return true;
	return ~dp->mask >= 3 && ((src ^ dp->addr) & dp->mask) == 0 &&
	    (src | dp->mask) == UINT32_MAX;
}

/* ICMP echo request to us: answer in the same frame (RFC 792, RFC 1122). */
static enum verdict
icmp_input(struct tcpe_dp *dp, struct rte_mbuf *m, const struct tcpe_ip4 *ip)
{
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ih;
	struct rte_icmp_hdr *ic;
	struct rte_mbuf *r;
	uint32_t ilen = tcpe_ip4_payload_len(ip), frame;
	uint8_t *p;

	p = rte_pktmbuf_mtod_offset(m, uint8_t *, L2_LEN + ip->ihl);
	if (ilen < ICMP_HDR_LEN || tcpe_csum(p, ilen) != 0) {
		dp->ctr[TCPE_DP_RX_BAD_ICMP]++;
		return RX_FREE;
	}
	ic = (struct rte_icmp_hdr *)p;
	if (ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || ic->icmp_code != 0) {
		dp->ctr[TCPE_DP_RX_ICMP_OTHER]++;
		return RX_NOT_MINE;
	}
	/* The reply is written in place: the frame must be ours alone. */
	if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1) {
		r = rte_pktmbuf_copy(m, dp->pool, 0, UINT32_MAX);
		if (r == NULL) {
			dp->ctr[TCPE_DP_TX_NOMBUF]++;
			return RX_FREE;
		}
		rte_pktmbuf_free(m);
		m = r;
	}
	frame = L2_LEN + ip->tot_len;
	if (rte_pktmbuf_pkt_len(m) > frame)
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - frame));
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memcpy(&eth->dst_addr, &eth->src_addr, 6);
	memcpy(&eth->src_addr, dp->mac, 6);
	ih = (struct rte_ipv4_hdr *)(eth + 1);
	ih->dst_addr = ih->src_addr;
	ih->src_addr = rte_cpu_to_be_32(dp->addr);
	ih->time_to_live = 64;
	ih->hdr_checksum = 0;
	ih->hdr_checksum = tcpe_csum(ih, ip->ihl);
	ic = (struct rte_icmp_hdr *)((uint8_t *)ih + ip->ihl);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = tcpe_csum(ic, ilen);
	m->ol_flags = 0;
	dp->ctr[TCPE_DP_ICMP_ECHO]++;
	tcpe_dp_stage(dp, m);
	return RX_KEPT;
}

#define SYNACK	(TCPE_TH_SYN | TCPE_TH_ACK)

/*
 * Several workers: the flow's Toeplitz hash (the device's when it
 * computed it with our key, or the handing worker's), into *raw. Returns
 * true when m is another worker's and was handed to it; false when it is
 * ours to handle. A frame is handed over at most once: the owner handles
 * what it is given even if (it never should) the RETA disagreed.
 */
static inline bool
steer(struct tcpe_dp *dp, struct rte_mbuf *m, const struct tcpe_seg *seg,
    uint32_t *raw)
{
	bool synack = (seg->flags & SYNACK) == SYNACK;
	uint16_t owner;

	if ((dp->rx_hash || dp->steered) &&
	    (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH)) {
		*raw = m->hash.rss;
		/*
		 * Once per connection (SYN or SYN-ACK) check that the device
		 * hashes as we predict (port choice depends on it); software
		 * wins when it does not.
		 */
		if (unlikely(seg->flags & TCPE_TH_SYN) && !dp->steered &&
		    *raw != rss_raw(dp, &seg->t)) {
			dp->ctr[TCPE_DP_RSS_MISMATCH]++;
			*raw = rss_raw(dp, &seg->t);
		}
	} else {
		*raw = rss_raw(dp, &seg->t);
	}
	owner = tcpe_rss_owner(dp->rss, *raw);
	if (synack && !dp->steered)
		dp->ctr[TCPE_DP_SYNACK_RX]++;
	if (likely(owner == dp->wid)) {
		dp->ctr[TCPE_DP_SYNACK_OWNED] += synack;
		return false;
	}
	if (dp->steered) {
		dp->ctr[TCPE_DP_STEER_WRONG]++;
		return false;
	}
	/* The owner reuses the hash and the checksum verdict. */
	m->hash.rss = *raw;
	m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_RX_L4_CKSUM_MASK) |
	    RTE_MBUF_F_RX_L4_CKSUM_GOOD | RTE_MBUF_F_RX_RSS_HASH;
	dp->ctr[TCPE_DP_STEER_FWD]++;
	dp->ctr[TCPE_DP_SYNACK_FWD] += synack;
	tcpe_steer_fwd(dp, owner, m);
	return true;
}

/* A TCP segment to us: checked, parsed, handed to the core. */
static enum verdict
tcp_input(struct tcpe_dp *dp, struct rte_mbuf *m, const struct tcpe_ip4 *ip)
{
	struct tcpe_seg seg;
	uint32_t raw;
	uint64_t fl = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	bool verify = true;
	int rc;

	/* Trust the device's verdict when it gives one. */
	if (fl == RTE_MBUF_F_RX_L4_CKSUM_BAD) {
		dp->ctr[TCPE_DP_RX_TCP_CSUM]++;
		return RX_FREE;
	}
	if (fl == RTE_MBUF_F_RX_L4_CKSUM_GOOD) {
		/* A handed-over frame was checked by its first worker. */
		if (!dp->steered)
			dp->ctr[TCPE_DP_RX_TCP_CSUM_HW]++;
		verify = false;
	} else if (dp->flags & TCPE_DP_CSUM_TRUST) {
		/* Engine to engine over shared memory (tcpe_config.h). */
		dp->ctr[TCPE_DP_RX_TCP_CSUM_TRUST]++;
		verify = false;
	} else {
		dp->ctr[TCPE_DP_RX_TCP_CSUM_SW]++;
	}
	rc = tcpe_wire_tcp_parse(rte_pktmbuf_mtod_offset(m, const uint8_t *,
	    L2_LEN + ip->ihl), tcpe_ip4_payload_len(ip), ip->src, ip->dst,
	    verify, &seg);
	if (rc != 0) {
		dp->ctr[rc == -EBADMSG ? TCPE_DP_RX_TCP_CSUM :
		    TCPE_DP_RX_BAD_TCP]++;
		return RX_FREE;
	}
	/* The payload is a view of the frame itself (zero copy). */
	seg.data.buf = (struct tcpe_buf *)(void *)m;
	seg.data.off += L2_LEN + ip->ihl;
	seg.tos = ip->tos;
	if (dp->rss == NULL) {
		seg.hash = tcpe_tuple_hash(&seg.t);
	} else {
		if (steer(dp, m, &seg, &raw))
			return RX_KEPT;
		seg.hash = tcpe_rss_table_hash(raw);
	}
	tcpe_stack_input(dp->stack, &seg, dp->now, &dp->out);
	tcpe_dp_drain(dp, &seg.t, seg.hash);
	/* The core took references on what it keeps. */
	return RX_FREE;
}

static enum verdict
ip_input(struct tcpe_dp *dp, struct rte_mbuf *m)
{
	struct tcpe_ip4 ip;
	int rc;

	rc = tcpe_wire_ip4_parse(rte_pktmbuf_mtod_offset(m, const uint8_t *,
	    L2_LEN), rte_pktmbuf_data_len(m) - L2_LEN, &ip);
	if (rc != 0) {
		dp->ctr[rc == -EBADMSG ? TCPE_DP_RX_IP_CSUM :
		    TCPE_DP_RX_BAD_IP]++;
		return RX_FREE;
	}
	if (ip.dst != dp->addr) {
		dp->ctr[TCPE_DP_RX_NOT_LOCAL]++;
		return RX_NOT_MINE;
	}
	if (tcpe_ip4_is_fragment(&ip)) {
		dp->ctr[TCPE_DP_RX_FRAG]++;
		return RX_FREE;
	}
	if (bad_source(dp, ip.src)) {
		dp->ctr[TCPE_DP_RX_BAD_IP]++;
		return RX_FREE;
	}
	switch (ip.proto) {
	case TCPE_IPPROTO_TCP:
		return tcp_input(dp, m, &ip);
	case IPPROTO_ICMP_:
		return icmp_input(dp, m, &ip);
	default:
		dp->ctr[TCPE_DP_RX_OTHER_PROTO]++;
		return RX_NOT_MINE;
	}
}

static enum verdict
rx_one(struct tcpe_dp *dp, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;
	uint16_t type;

	if (rte_pktmbuf_pkt_len(m) < L2_LEN) {
		dp->ctr[TCPE_DP_RX_BAD_ETH]++;
		return RX_FREE;
	}
	if (m->nb_segs > 1) {
		/* Headers and payload must be contiguous for the views. */
		if (rte_pktmbuf_linearize(m) != 0) {
			dp->ctr[TCPE_DP_RX_SEGMENTED]++;
			return RX_NOT_MINE;
		}
		dp->ctr[TCPE_DP_RX_LINEARIZED]++;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (memcmp(&eth->dst_addr, dp->mac, 6) != 0 &&
	    memcmp(&eth->dst_addr, bcast_mac, 6) != 0) {
		dp->ctr[TCPE_DP_RX_L2_OTHER]++;
		return RX_NOT_MINE;
	}
	type = rte_be_to_cpu_16(eth->ether_type);
	if (type == RTE_ETHER_TYPE_IPV4)
		return ip_input(dp, m);
	if (type == RTE_ETHER_TYPE_ARP)
		return arp_input(dp, m);
	dp->ctr[TCPE_DP_RX_OTHER_ETHERTYPE]++;
	return RX_NOT_MINE;
}

/* One frame: true when the caller must keep it (not mine, embedded). */
static inline bool
rx_frame(struct tcpe_dp *dp, struct rte_mbuf *m)
{
	if (likely(!dp->steered)) {
		dp->ctr[TCPE_DP_RX_PKTS]++;
		dp->ctr[TCPE_DP_RX_BYTES] += rte_pktmbuf_pkt_len(m);
	}
	switch (rx_one(dp, m)) {
	case RX_FREE:
		rte_pktmbuf_free(m);
		return false;
	case RX_KEPT:
		return false;
	case RX_NOT_MINE:
		if (dp->flags & TCPE_DP_EMBED)
			return true;
		rte_pktmbuf_free(m);
		return false;
	}
	return false;
}

bool
tcpe_net_rx(struct tcpe_dp *dp, struct rte_mbuf *m)
{
	return rx_frame(dp, m);
}

uint16_t
tcpe_dp_input(struct tcpe_dp *dp, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *m;
	uint16_t i, keep = 0;

	if (unlikely(dp->fault[TCPE_FAULT_RX] != NULL)) {
		/* The faulty wire first; it calls tcpe_net_rx(). */
		keep = tcpe_fault_rx(dp, pkts, n);
		goto events;
	}
	for (i = 0; i < n; i++) {
		m = pkts[i];
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (rx_frame(dp, m))
			pkts[keep++] = m;
	}
events:
	if (dp->on_events != NULL && dp->stack->ev_head != NULL)
		dp->on_events(dp->owner);
	return keep;
}
