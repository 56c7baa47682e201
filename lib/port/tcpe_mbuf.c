/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Buffers on mbufs (DESIGN.md section 4).
 *
 * A struct tcpe_buf is an rte_mbuf with one segment (next == NULL): a
 * received frame, an engine buffer the application filled, or an mbuf
 * attached to the application's memory (external buffer). Views count
 * references with the mbuf's refcnt.
 *
 * Transmission: each segment the core emits becomes a fresh header mbuf
 * (Ethernet, IPv4, TCP and options) chained to one indirect mbuf per
 * payload view, attached to the view's mbuf (or to its external buffer)
 * and narrowed to the view. The payload is never copied and never
 * modified, and a driver never sees a buffer whose refcnt is above 1 as
 * the head of a frame. A device without multi-segment TX gets the payload
 * copied into the header mbuf instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "tcpe_dp.h"
#include "tcpe_net.h"
#include "tcpe_wire.h"

#define L2_LEN	RTE_ETHER_HDR_LEN
#define L3_LEN	TCPE_IP4_HDR_LEN

/*
 * One mbuf maps at most 65535 bytes of external memory (buf_len is 16
 * bits); an even chunk keeps segments that span two chunks even-sized at
 * the join (see csum_by_device()).
 */
#define EXT_CHUNK	65532u

/* Cached send_ext records kept per worker beyond which they are freed. */
#define EXT_CACHE	1024u

/* --- struct tcpe_buf_ops on mbufs ----------------------------------------- */

static inline struct rte_mbuf *
mb(const struct tcpe_buf *b)
{
	return (struct rte_mbuf *)(uintptr_t)b;
}

static void
mbuf_ref(void *ctx, struct tcpe_buf *b)
{
	(void)ctx;
	rte_mbuf_refcnt_update(mb(b), 1);
}

/*
 * The last reference returns the mbuf to its pool; an indirect or external
 * one is detached first, which drops its reference on the buffer it
 * pointed at (and runs an external buffer's free callback when that was
 * the last one). Views are single segments, so this is rte_pktmbuf_free().
 */
static void
mbuf_unref(void *ctx, struct tcpe_buf *b)
{
	(void)ctx;
	rte_pktmbuf_free_seg(mb(b));
}

static const uint8_t *
mbuf_ptr(void *ctx, const struct tcpe_buf *b)
{
	(void)ctx;
	return rte_pktmbuf_mtod(mb(b), const uint8_t *);
}

static uint32_t
mbuf_len(void *ctx, const struct tcpe_buf *b)
{
	(void)ctx;
	return rte_pktmbuf_data_len(mb(b));
}

const struct tcpe_buf_ops tcpe_mbuf_bops = {
	.ref = mbuf_ref,
	.unref = mbuf_unref,
	.ptr = mbuf_ptr,
	.len = mbuf_len,
	.ctx = NULL,
};

struct rte_mbuf *
tcpe_dp_buf_alloc(struct tcpe_dp *dp, uint8_t **data, uint32_t *room)
{
	struct rte_mbuf *m;

	m = rte_pktmbuf_alloc(dp->pool);
	if (m == NULL)
		return NULL;
	/* Payload needs no headroom: the headers go in a mbuf of their own. */
	m->data_off = 0;
	*data = rte_pktmbuf_mtod(m, uint8_t *);
	*room = rte_pktmbuf_tailroom(m);
	return m;
}

void
tcpe_dp_buf_put(struct rte_mbuf *m)
{
	if (m != NULL)
		rte_pktmbuf_free_seg(m);
}

uint8_t *
tcpe_dp_buf_data(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, uint8_t *);
}

/* --- TX staging ----------------------------------------------------------- */

void
tcpe_dp_stage(struct tcpe_dp *dp, struct rte_mbuf *m)
{
	if (unlikely(dp->fault[TCPE_FAULT_TX] != NULL)) {
		tcpe_fault_tx(dp, m);
		return;
	}
	tcpe_dp_stage_now(dp, m);
}

void
tcpe_dp_stage_now(struct tcpe_dp *dp, struct rte_mbuf *m)
{
	if (dp->tx_n == dp->tx_cap) {
		if (!(dp->flags & TCPE_DP_EMBED))
			tcpe_dp_flush(dp);
		if (dp->tx_n == dp->tx_cap) {
			/* Bounded: the newest frame goes, counted by cause. */
			dp->ctr[dp->tx_hold_until != 0 ?
			    TCPE_DP_TX_DOWN_DROPPED : TCPE_DP_TX_DROPPED]++;
			rte_pktmbuf_free(m);
			return;
		}
	}
	dp->tx[dp->tx_n++] = m;
	dp->tx_staged_bytes += m->pkt_len;
	/* A full batch goes now; a lone frame waits only for the loop end. */
	if (!(dp->flags & TCPE_DP_EMBED) && dp->tx_n >= dp->burst)
		tcpe_dp_flush(dp);
}

#define TX_BACKOFF_MIN	TCPE_US(100)
#define TX_BACKOFF_MAX	TCPE_MS(10)

/* The link took frames (or refuses as a full ring): no longer held. */
static void
tx_hold_end(struct tcpe_dp *dp)
{
	if (dp->tx_hold_until != 0)
		dp->ctr[TCPE_DP_TX_LINK_UP]++;
	dp->tx_hold_until = 0;
	dp->tx_backoff = 0;
}

/*
 * The device (or the ring to the worker owning our TX queue) took
 * nothing. A full ring with the link up is transient: count the frames
 * and retry at the next flush, as before. With the link down (a memif
 * peer gone, a cable out) retrying every loop iteration would spin
 * millions of times a second: hold the staging instead, and offer it
 * again after a backoff doubling from 100 us to 10 ms while the link
 * stays down. New frames keep joining the staging up to tx_cap, then
 * are dropped (tx_down_dropped); what is held at stop is freed by
 * tcpe_dp_fini().
 */
static void
tx_refused_all(struct tcpe_dp *dp, uint16_t n)
{
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(dp->port_id, &link) == 0 &&
	    link.link_status == RTE_ETH_LINK_DOWN) {
		dp->tx_backoff = dp->tx_backoff == 0 ? TX_BACKOFF_MIN :
		    RTE_MIN(dp->tx_backoff * 2, TX_BACKOFF_MAX);
		dp->tx_hold_until = dp->now + dp->tx_backoff;
		dp->ctr[TCPE_DP_TX_LINK_DOWN]++;
		return;
	}
	dp->ctr[TCPE_DP_TX_REFUSED] += n;
	tx_hold_end(dp);
}

void
tcpe_dp_flush(struct tcpe_dp *dp)
{
	uint64_t left;
	uint16_t sent, n, i;

	/* Held frames now due join the staging, right before tx_burst. */
	if (unlikely(dp->fault[TCPE_FAULT_TX] != NULL))
		tcpe_fault_tx_release(dp);
	/* The link is down: not before the backoff ends (one compare). */
	if (unlikely(dp->tx_hold_until != 0) && dp->now < dp->tx_hold_until)
		return;
	while (dp->tx_n > 0) {
		n = dp->tx_n > UINT16_MAX ? UINT16_MAX : (uint16_t)dp->tx_n;
		if (likely(dp->tx_ring == NULL)) {
			sent = rte_eth_tx_burst(dp->port_id, dp->queue_id,
			    dp->tx, n);
		} else {
			/* Our TX queue is another worker's: its ring. */
			sent = (uint16_t)rte_ring_sp_enqueue_burst(dp->tx_ring,
			    (void **)dp->tx, n, NULL);
			dp->ctr[TCPE_DP_TX_RING] += sent;
		}
		if (unlikely(sent == 0)) {
			/* Nothing to count, move or sum again. */
			tx_refused_all(dp, n);
			return;
		}
		if (unlikely(dp->tx_hold_until != 0))
			tx_hold_end(dp);
		/*
		 * The bytes sent: the staged sum less what stays. The sent
		 * frames may be freed already (memif copies and frees), so
		 * only the refused ones are read.
		 */
		left = 0;
		if (unlikely(sent < dp->tx_n)) {
			for (i = sent; i < dp->tx_n; i++)
				left += dp->tx[i]->pkt_len;
			memmove(dp->tx, dp->tx + sent,
			    (dp->tx_n - sent) * sizeof(dp->tx[0]));
		}
		if (likely(dp->tx_ring == NULL)) {
			/* Through a ring, the owner of the queue counts. */
			dp->ctr[TCPE_DP_TX_PKTS] += sent;
			dp->ctr[TCPE_DP_TX_BYTES] += dp->tx_staged_bytes - left;
		}
		dp->tx_staged_bytes = left;
		dp->tx_n -= sent;
		if (sent < n) {
			/* The queue is full: keep the rest for next time. */
			dp->ctr[TCPE_DP_TX_REFUSED] += n - sent;
			return;
		}
	}
}

void
tcpe_dp_tx_stop(struct tcpe_dp *dp)
{
	uint32_t i;

	if ((dp->flags & TCPE_DP_EMBED) || dp->tx_n == 0)
		return;
	/* One last try now, whatever the backoff: the link may be back. */
	dp->tx_hold_until = 0;
	tcpe_dp_flush(dp);
	if (dp->tx_hold_until == 0)
		return;		/* sent, or a full ring: the final flush */
	/* The link is down and nobody will poll again: drop, counted. */
	for (i = 0; i < dp->tx_n; i++)
		rte_pktmbuf_free(dp->tx[i]);
	dp->ctr[TCPE_DP_TX_DOWN_DROPPED] += dp->tx_n;
	dp->tx_n = 0;
	dp->tx_staged_bytes = 0;
}

uint16_t
tcpe_dp_take(struct tcpe_dp *dp, struct rte_mbuf **pkts, uint16_t max)
{
	uint64_t bytes = 0;
	uint16_t n, i;

	if (unlikely(dp->fault[TCPE_FAULT_TX] != NULL))
		tcpe_fault_tx_release(dp);
	n = dp->tx_n < max ? (uint16_t)dp->tx_n : max;
	for (i = 0; i < n; i++) {
		pkts[i] = dp->tx[i];
		bytes += pkts[i]->pkt_len;
	}
	dp->ctr[TCPE_DP_TX_PKTS] += n;
	dp->ctr[TCPE_DP_TX_BYTES] += bytes;
	dp->tx_staged_bytes -= bytes;
	if (n < dp->tx_n)
		memmove(dp->tx, dp->tx + n, (dp->tx_n - n) * sizeof(dp->tx[0]));
	dp->tx_n -= n;
	return n;
}

/* --- segments to frames --------------------------------------------------- */

static void
release_views(struct tcpe_oseg *o)
{
	uint32_t i;

	for (i = 0; i < o->nviews; i++)
		rte_pktmbuf_free_seg(mb(o->v[i].buf));
	o->nviews = 0;
}

/* Chain one indirect mbuf per view behind h. Returns 0 or -ENOBUFS. */
static int
chain_views(struct tcpe_dp *dp, struct rte_mbuf *h, const struct tcpe_oseg *o)
{
	struct rte_mbuf *tail = h, *mi;
	uint32_t i;

	for (i = 0; i < o->nviews; i++) {
		mi = rte_pktmbuf_alloc(dp->pool);
		if (mi == NULL)
			return -ENOBUFS;
		/* Takes its own reference on the buffer (or ext buffer). */
		rte_pktmbuf_attach(mi, mb(o->v[i].buf));
		mi->data_off = (uint16_t)(mi->data_off + o->v[i].off);
		mi->data_len = (uint16_t)o->v[i].len;
		mi->pkt_len = o->v[i].len;
		tail->next = mi;
		tail = mi;
		h->nb_segs++;
		h->pkt_len += o->v[i].len;
	}
	return 0;
}

/* Copy the views' bytes behind the headers. Returns 0 or -ENOBUFS. */
static int
copy_views(struct rte_mbuf *h, const struct tcpe_oseg *o)
{
	uint32_t i;
	char *p;

	for (i = 0; i < o->nviews; i++) {
		p = rte_pktmbuf_append(h, (uint16_t)o->v[i].len);
		if (p == NULL)
			return -ENOBUFS;
		memcpy(p, mbuf_ptr(NULL, o->v[i].buf) + o->v[i].off,
		    o->v[i].len);
	}
	return 0;
}

/*
 * Whether the device may compute o's TCP checksum. Some PMDs sum each
 * segment of a chain on its own (net_tap in DPDK 22.11 does, with
 * __rte_raw_cksum() per segment), which is wrong once a segment before the
 * last has an odd length: the next one's bytes land in the wrong half of
 * the 16-bit words. Such frames get their checksum in software.
 */
static bool
csum_by_device(const struct tcpe_dp *dp, const struct tcpe_oseg *o)
{
	uint32_t i;

	if (!(dp->flags & TCPE_DP_TX_TCP_CSUM))
		return false;
	if (!(dp->flags & TCPE_DP_TX_MULTISEG))
		return true;
	for (i = 0; i + 1 < o->nviews; i++)
		if (o->v[i].len & 1)
			return false;
	return true;
}

/*
 * Build the frame of o and hand it to the IPv4 output (next hop, ARP).
 * Always consumes the view references of o.
 */
static void
frame_out(struct tcpe_dp *dp, struct tcpe_oseg *o)
{
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *h;
	struct tcpe_ip4 ip4;
	uint32_t thl, hl;
	uint16_t csum;
	uint8_t *p;
	int rc;

	thl = tcpe_wire_tcp_hdr_len(o);
	hl = L2_LEN + L3_LEN + thl;
	h = rte_pktmbuf_alloc(dp->pool);
	if (h == NULL)
		goto nombuf;
	p = (uint8_t *)rte_pktmbuf_append(h, (uint16_t)hl);
	if (p == NULL)
		goto nombuf;

	memset(&ip4, 0, sizeof(ip4));
	ip4.src = o->t.laddr;
	ip4.dst = o->t.raddr;
	ip4.tot_len = (uint16_t)(L3_LEN + thl + o->len);
	ip4.id = dp->ip_id++;
	ip4.ttl = 64;
	ip4.proto = TCPE_IPPROTO_TCP;
	if (tcpe_wire_ip4_build(p + L2_LEN, L3_LEN, &ip4) != L3_LEN ||
	    tcpe_wire_tcp_build(p + L2_LEN + L3_LEN, thl, o) != thl)
		goto nombuf;	/* cannot happen: the room was reserved */

	if (dp->flags & TCPE_DP_TX_MULTISEG)
		rc = chain_views(dp, h, o);
	else
		rc = copy_views(h, o);
	if (rc != 0)
		goto nombuf;

	ip = (struct rte_ipv4_hdr *)(p + L2_LEN);
	if (dp->flags & (TCPE_DP_TX_IP_CSUM | TCPE_DP_TX_TCP_CSUM)) {
		h->l2_len = L2_LEN;
		h->l3_len = L3_LEN;
		h->l4_len = thl;
		h->ol_flags |= RTE_MBUF_F_TX_IPV4;
	}
	if (dp->flags & TCPE_DP_TX_IP_CSUM) {
		h->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
		ip->hdr_checksum = 0;
	}
	if (dp->flags & TCPE_DP_CSUM_TRUST) {
		/* The peer trusts it too (tcpe_config.h): left 0. */
		dp->ctr[TCPE_DP_TX_CSUM_TRUST]++;
		csum = 0;
	} else if (csum_by_device(dp, o)) {
		/* The device adds the payload to the pseudo-header sum. */
		h->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
		csum = rte_ipv4_phdr_cksum(ip, h->ol_flags);
	} else {
		dp->ctr[TCPE_DP_TX_CSUM_SW]++;
		csum = tcpe_wire_tcp_csum(o->t.laddr, o->t.raddr,
		    p + L2_LEN + L3_LEN, thl, o->v, o->nviews,
		    &tcpe_mbuf_bops);
	}
	memcpy(p + L2_LEN + L3_LEN + TCPE_TCP_CSUM_OFF, &csum, sizeof(csum));
	/* The frame holds its own references now (or a copy). */
	release_views(o);
	tcpe_net_ip_out(dp, h, o->t.raddr);
	return;

nombuf:
	dp->ctr[TCPE_DP_TX_NOMBUF]++;
	if (h != NULL)
		rte_pktmbuf_free(h);
	release_views(o);
}

void
tcpe_dp_drain(struct tcpe_dp *dp, const struct tcpe_tuple *t, uint32_t hash)
{
	struct tcpe_table_node *n;
	struct tcpe_conn *c;
	uint32_t i;
	bool full;

	for (;;) {
		full = dp->out.full;
		for (i = 0; i < dp->out.n; i++)
			frame_out(dp, &dp->out.segs[i]);
		dp->out.n = 0;
		dp->out.full = false;
		if (!full)
			return;
		dp->ctr[TCPE_DP_TX_OUT_FULL]++;
		if (t == NULL)
			return;
		/* Found again by tuple: the call that filled out may have
		 * freed the connection. */
		n = tcpe_table_lookup(&dp->stack->table, t, hash);
		if (n == NULL)
			return;
		c = tcpe_container_of(n, struct tcpe_conn, node);
		if (c->state == TCPE_CLOSED)
			return;
		tcpe_conn_output(c, dp->now, &dp->out);
		tcpe_stack_conn_sync(c);
	}
}

/* --- sending application data --------------------------------------------- */

static inline void
drain_conn(struct tcpe_dp *dp, struct tcpe_conn *c)
{
	tcpe_dp_drain(dp, &c->node.key, c->node.hash);
}

int
tcpe_dp_send_buf(struct tcpe_dp *dp, struct tcpe_conn *c, struct rte_mbuf *m,
    uint32_t off, uint32_t len)
{
	struct tcpe_view v;
	int rc;

	if ((uint64_t)off + len > (uint64_t)(m->buf_len - m->data_off))
		return -EINVAL;
	if (m->data_len < off + len) {
		m->data_len = (uint16_t)(off + len);
		m->pkt_len = m->data_len;
	}
	v.buf = (struct tcpe_buf *)(void *)m;
	v.off = off;
	v.len = len;
	rc = tcpe_conn_send(c, &v, dp->now, &dp->out);
	drain_conn(dp, c);
	return rc;
}

/*
 * One send_ext call: a shared info for the mbufs that map the memory, and
 * what to call when the last of them goes.
 */
struct tcpe_ext {
	struct rte_mbuf_ext_shared_info shinfo;
	void (*free_fn)(void *, void *);
	void *addr;
	void *opaque;
	struct tcpe_dp *dp;
	struct tcpe_ext *next;
};

static void
ext_put(struct tcpe_dp *dp, struct tcpe_ext *x)
{
	dp->ext_live--;
	if (dp->ext_nfree >= EXT_CACHE) {
		free(x);
		return;
	}
	x->next = dp->ext_free;
	dp->ext_free = x;
	dp->ext_nfree++;
}

/* rte_mbuf_ext_shared_info.free_cb: the last mbuf mapping x went. */
static void
ext_free_cb(void *addr, void *opaque)
{
	struct tcpe_ext *x = opaque;

	(void)addr;	/* of whichever chunk went last: use x->addr */
	if (x->free_fn != NULL)
		x->free_fn(x->addr, x->opaque);
	ext_put(x->dp, x);
}

void
tcpe_dp_ext_fini(struct tcpe_dp *dp)
{
	struct tcpe_ext *x;

	while ((x = dp->ext_free) != NULL) {
		dp->ext_free = x->next;
		free(x);
	}
	dp->ext_nfree = 0;
}

static rte_iova_t
ext_iova(const void *p)
{
	/* Software PMDs never read it; in VA mode it is the address. */
	if (rte_eal_iova_mode() == RTE_IOVA_VA)
		return (rte_iova_t)(uintptr_t)p;
	return rte_mem_virt2iova(p);
}

int
tcpe_dp_send_ext(struct tcpe_dp *dp, struct tcpe_conn *c, const void *data,
    uint32_t len, void (*free_fn)(void *, void *), void *opaque)
{
	uint8_t *base = (uint8_t *)(uintptr_t)data;
	struct tcpe_ext *x;
	struct rte_mbuf *m;
	struct tcpe_view v;
	uint32_t done = 0, chunk;
	int rc = 0;

	if (len == 0)
		return 0;
	x = dp->ext_free;
	if (x != NULL) {
		dp->ext_free = x->next;
		dp->ext_nfree--;
	} else {
		x = malloc(sizeof(*x));
		if (x == NULL)
			return -ENOMEM;
	}
	dp->ext_live++;
	memset(&x->shinfo, 0, sizeof(x->shinfo));
	x->shinfo.free_cb = ext_free_cb;
	x->shinfo.fcb_opaque = x;
	x->free_fn = free_fn;
	x->addr = base;
	x->opaque = opaque;
	x->dp = dp;
	/* Our own reference, so no chunk can free x while we loop. */
	rte_mbuf_ext_refcnt_set(&x->shinfo, 1);

	while (done < len) {
		chunk = len - done < EXT_CHUNK ? len - done : EXT_CHUNK;
		m = rte_pktmbuf_alloc(dp->pool);
		if (m == NULL) {
			rc = -ENOBUFS;
			break;
		}
		rte_mbuf_ext_refcnt_update(&x->shinfo, 1);
		rte_pktmbuf_attach_extbuf(m, base + done, ext_iova(base + done),
		    (uint16_t)chunk, &x->shinfo);
		m->data_len = (uint16_t)chunk;
		m->pkt_len = chunk;
		v.buf = (struct tcpe_buf *)(void *)m;
		v.off = 0;
		v.len = chunk;
		rc = tcpe_conn_send(c, &v, dp->now, &dp->out);
		drain_conn(dp, c);
		if (rc > 0)
			done += (uint32_t)rc;
		if (rc <= 0 || v.len > 0) {
			/* Ours for the rest; the connection has its own. */
			rte_pktmbuf_free_seg(m);
			break;
		}
	}
	if (done == 0) {
		/* Nothing references the memory: the caller keeps it. */
		ext_put(dp, x);
		return rc;
	}
	if (rte_mbuf_ext_refcnt_update(&x->shinfo, -1) == 0)
		ext_free_cb(NULL, x);
	return (int)done;
}

int
tcpe_dp_send_copy(struct tcpe_dp *dp, struct tcpe_conn *c, const void *data,
    uint32_t len)
{
	const uint8_t *src = data;
	struct rte_mbuf *m = NULL;
	uint32_t done = 0, room, n, space;
	uint8_t *p;
	int rc = 0;

	while (done < len) {
		if (m == NULL) {
			m = tcpe_dp_buf_alloc(dp, &p, &room);
			if (m == NULL) {
				rc = -ENOBUFS;
				break;
			}
		}
		room = rte_pktmbuf_tailroom(m);
		n = len - done < room ? len - done : room;
		/*
		 * Copy no more than fits; with no space left the call still
		 * goes to the core, which returns 0 (or the error) and
		 * remembers to signal WRITABLE.
		 */
		space = tcpe_conn_send_space(c);
		if (space > 0 && n > space)
			n = space;
		if (space > 0)
			memcpy(rte_pktmbuf_mtod(m, uint8_t *), src + done, n);
		rc = tcpe_dp_send_buf(dp, c, m, 0, n);
		if (rc > 0)
			done += (uint32_t)rc;
		if (rc == (int)n && rc > 0) {
			m = NULL;	/* the connection owns it */
			continue;
		}
		break;
	}
	tcpe_dp_buf_put(m);
	return done > 0 ? (int)done : rc;
}
