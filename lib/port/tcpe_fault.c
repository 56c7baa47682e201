/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection: loss, duplication, corruption, reordering and delay of
 * the frames of one worker, per direction (tcpe_fault.h says what each
 * fault does and where the hooks are).
 *
 * One direction is a pipeline with two hold queues, both FIFO rings of at
 * most [fault] hold frames:
 *
 *   frame -> loss -> dup -> (each copy) corrupt -> reorder -> delay -> out
 *                                                    |  ^       |  ^
 *                                                    reo ring   dly ring
 *
 * "out" is the rest of the rx path (tcpe_net_rx()) or the TX staging
 * (tcpe_dp_stage_now()). A frame held for reordering records the count
 * of frames passed when it was held plus reorder_depth: every frame that
 * passes the reorder stage without being held increments the count, and
 * the held frames whose target it reaches follow it. Targets and hold
 * times grow with the ring's order, so both rings only ever release from
 * their head.
 *
 * Re-entry: staging a tx frame may flush (a full batch), and a flush
 * releases held tx frames; a direction marked busy does not release, so
 * its rings are only ever touched by one level at a time.
 */
/* rte_ipv4_udptcp_cksum_mbuf() (a chained frame's TCP checksum). */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "tcpe_config.h"
#include "tcpe_dp.h"
#include "tcpe_fault.h"
#include "tcpe_net.h"

#define PPM		1000000u
/* Longest a frame waits to be reordered when no later frame comes. */
#define REORDER_MAX	TCPE_MS(10)

#define L2_LEN		RTE_ETHER_HDR_LEN

static const char *const ctr_names[TCPE_FAULT_CTR_N] = {
#define NAME_RX(id, name, help) \
	[TCPE_FAULT_CTR(TCPE_FAULT_RX, TCPE_FAULT_##id)] = "rx_fault_" name,
#define NAME_TX(id, name, help) \
	[TCPE_FAULT_CTR(TCPE_FAULT_TX, TCPE_FAULT_##id)] = "tx_fault_" name,
	TCPE_FAULT_KIND_LIST(NAME_RX)
	TCPE_FAULT_KIND_LIST(NAME_TX)
#undef NAME_RX
#undef NAME_TX
};

const char *
tcpe_fault_ctr_name(int i)
{
	return i < 0 || i >= TCPE_FAULT_CTR_N ? NULL : ctr_names[i];
}

/* A held frame: reo: a = target count, b = time held; dly: a = due. */
struct held {
	struct rte_mbuf *m;
	uint64_t a;
	uint64_t b;
};

struct ring {
	struct held *e;
	uint32_t mask;		/* size - 1, a power of two >= hold */
	uint32_t head;
	uint32_t n;
};

struct tcpe_fault {
	struct tcpe_dp *dp;
	uint64_t *ctr;			/* dp->fault_ctr of this direction */
	uint64_t rng;			/* splitmix64 state */
	uint32_t loss;			/* per million */
	uint32_t dup;
	uint32_t reorder;
	uint32_t corrupt;
	uint32_t depth;
	uint32_t hold;
	tcpe_time_t delay;		/* ns; 0: no delay stage */
	uint64_t passed;		/* frames through reorder unheld */
	uint8_t dir;			/* TCPE_FAULT_RX or TCPE_FAULT_TX */
	bool busy;
	struct ring reo;
	struct ring dly;
	/* rx: the hand-back array of the tcpe_dp_input() call running. */
	struct rte_mbuf **back;
	uint16_t nback;
	uint16_t back_room;		/* slots of back[] free to write */
};

/* --- randomness ----------------------------------------------------------- */

static inline uint64_t
fmix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* splitmix64 (Steele, Lea, Flood 2014): fast, and passes BigCrush. */
static inline uint64_t
rnd(struct tcpe_fault *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) (Lemire's multiply-shift; bias below 2^-32 * n). */
static inline uint32_t
below(struct tcpe_fault *f, uint32_t n)
{
	return (uint32_t)(((rnd(f) >> 32) * n) >> 32);
}

/* True with probability ppm / 10^6; draws nothing when ppm is 0. */
static inline bool
chance(struct tcpe_fault *f, uint32_t ppm)
{
	return ppm != 0 && (ppm >= PPM || below(f, PPM) < ppm);
}

/* seed 0: one random seed for the whole process, never 0. */
static uint32_t
process_seed(void)
{
	static uint32_t seed;
	struct timespec ts;
	uint32_t s = 0;

	if (seed != 0)
		return seed;
	if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		s = (uint32_t)fmix64((uint64_t)ts.tv_nsec ^
		    ((uint64_t)ts.tv_sec << 32) ^ rte_rdtsc());
	}
	seed = s != 0 ? s : 1;
	return seed;
}

/* --- rings ---------------------------------------------------------------- */

static int
ring_init(struct ring *r, uint32_t hold)
{
	uint32_t size = 1;

	while (size < hold)
		size <<= 1;
	r->e = calloc(size, sizeof(r->e[0]));
	if (r->e == NULL)
		return -ENOMEM;
	r->mask = size - 1;
	r->head = 0;
	r->n = 0;
	return 0;
}

static inline void
ring_push(struct ring *r, struct rte_mbuf *m, uint64_t a, uint64_t b)
{
	struct held *h = &r->e[(r->head + r->n) & r->mask];

	h->m = m;
	h->a = a;
	h->b = b;
	r->n++;
}

static inline const struct held *
ring_head(const struct ring *r)
{
	return &r->e[r->head & r->mask];
}

static inline struct rte_mbuf *
ring_pop(struct ring *r)
{
	struct rte_mbuf *m = r->e[r->head & r->mask].m;

	r->head++;
	r->n--;
	return m;
}

static void
ring_drop(struct ring *r)
{
	while (r->n > 0)
		rte_pktmbuf_free(ring_pop(r));
}

static void
ring_free(struct ring *r)
{
	ring_drop(r);
	free(r->e);
	r->e = NULL;
}

/* --- copies and corruption ------------------------------------------------ */

/*
 * A copy of m for dup: the first segment (every header, and the whole
 * frame when it is not chained) copied into a fresh mbuf, the further
 * segments attached by reference (rte_pktmbuf_attach() takes a reference
 * on the direct or external buffer underneath). NULL when the pool is
 * empty.
 */
static struct rte_mbuf *
dup_frame(struct rte_mempool *mp, struct rte_mbuf *m)
{
	struct rte_mbuf *c, *seg, *mi, *tail;

	c = rte_pktmbuf_alloc(mp);
	if (c == NULL)
		return NULL;
	if (rte_pktmbuf_tailroom(c) < m->data_len) {
		/* The host's pool has smaller mbufs: copy it all. */
		rte_pktmbuf_free(c);
		c = rte_pktmbuf_copy(m, mp, 0, UINT32_MAX);
		if (c != NULL)
			c->ol_flags = m->ol_flags &
			    ~(RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL);
		return c;
	}
	memcpy(rte_pktmbuf_mtod(c, void *), rte_pktmbuf_mtod(m, void *),
	    m->data_len);
	c->data_len = m->data_len;
	c->pkt_len = m->data_len;
	c->ol_flags = m->ol_flags & ~(RTE_MBUF_F_INDIRECT |
	    RTE_MBUF_F_EXTERNAL);
	c->port = m->port;
	c->vlan_tci = m->vlan_tci;
	c->vlan_tci_outer = m->vlan_tci_outer;
	c->tx_offload = m->tx_offload;
	c->hash = m->hash;
	c->packet_type = m->packet_type;
	tail = c;
	for (seg = m->next; seg != NULL; seg = seg->next) {
		mi = rte_pktmbuf_alloc(mp);
		if (mi == NULL) {
			rte_pktmbuf_free(c);
			return NULL;
		}
		rte_pktmbuf_attach(mi, seg);
		tail->next = mi;
		tail = mi;
		c->nb_segs++;
		c->pkt_len += mi->data_len;
	}
	return c;
}

/* m, or a copy of it when any segment is shared; NULL: no mbuf. */
static struct rte_mbuf *
make_private(struct rte_mempool *mp, struct rte_mbuf *m)
{
	struct rte_mbuf *seg, *c;

	for (seg = m; seg != NULL; seg = seg->next)
		if (!RTE_MBUF_DIRECT(seg) || rte_mbuf_refcnt_read(seg) != 1)
			break;
	if (seg == NULL)
		return m;
	c = rte_pktmbuf_copy(m, mp, 0, UINT32_MAX);
	if (c == NULL)
		return NULL;
	c->ol_flags = m->ol_flags & ~(RTE_MBUF_F_INDIRECT |
	    RTE_MBUF_F_EXTERNAL);
	rte_pktmbuf_free(m);
	return c;
}

/* The checksums a device would fill, filled now; no offload left. */
static void
tx_csum_now(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint32_t ihl)
{
	struct rte_tcp_hdr *th;

	if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) {
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if ((m->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM &&
	    m->data_len >= L2_LEN + ihl + sizeof(*th)) {
		th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *,
		    L2_LEN + ihl);
		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum_mbuf(m, ip, L2_LEN + ihl);
	}
	m->ol_flags &= ~(RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK |
	    RTE_MBUF_F_TX_IPV4);
}

/*
 * Flip one bit of m's IPv4 payload. Returns the frame (m, or the private
 * copy that replaced it); *done tells whether a bit was flipped.
 */
static struct rte_mbuf *
corrupt(struct tcpe_fault *f, struct rte_mbuf *m, bool *done)
{
	const struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *c, *seg;
	uint32_t ihl, tot, bit, off;
	uint8_t *p;

	*done = false;
	if (m->data_len < L2_LEN + sizeof(*ip))
		return m;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return m;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, L2_LEN);
	ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) ||
	    m->data_len < L2_LEN + ihl || tot <= ihl ||
	    L2_LEN + tot > m->pkt_len)
		return m;
	c = make_private(f->dp->pool, m);
	if (c == NULL)
		return m;
	m = c;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, L2_LEN);
	if (f->dir == TCPE_FAULT_TX)
		tx_csum_now(m, ip, ihl);
	else
		m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK |
		    RTE_MBUF_F_RX_L4_CKSUM_MASK);
	bit = below(f, (tot - ihl) * 8);
	off = L2_LEN + ihl + bit / 8;
	for (seg = m; off >= seg->data_len; seg = seg->next)
		off -= seg->data_len;
	p = rte_pktmbuf_mtod_offset(seg, uint8_t *, off);
	*p ^= (uint8_t)(1u << (bit & 7));
	*done = true;
	return m;
}

/* --- the pipeline --------------------------------------------------------- */

/* Out of the fault layer: the rest of the rx path, or the staging. */
static void
emit(struct tcpe_fault *f, struct rte_mbuf *m)
{
	if (f->dir == TCPE_FAULT_TX) {
		tcpe_dp_stage_now(f->dp, m);
		return;
	}
	if (!tcpe_net_rx(f->dp, m))
		return;
	if (f->nback < f->back_room)
		f->back[f->nback++] = m;
	else
		rte_pktmbuf_free(m);
}

static void
to_delay(struct tcpe_fault *f, struct rte_mbuf *m)
{
	if (f->delay == 0) {
		emit(f, m);
		return;
	}
	if (f->dly.n >= f->hold) {
		f->ctr[TCPE_FAULT_HOLD_FULL]++;
		rte_pktmbuf_free(m);
		return;
	}
	ring_push(&f->dly, m, f->dp->now + f->delay, 0);
	f->ctr[TCPE_FAULT_DELAY]++;
}

static void
to_reorder(struct tcpe_fault *f, struct rte_mbuf *m)
{
	if (chance(f, f->reorder) && f->reo.n < f->hold) {
		ring_push(&f->reo, m, f->passed + f->depth, f->dp->now);
		f->ctr[TCPE_FAULT_REORDER]++;
		return;
	}
	f->passed++;
	to_delay(f, m);
	/* Those that depth frames have now overtaken follow this one. */
	while (f->reo.n > 0 && ring_head(&f->reo)->a <= f->passed)
		to_delay(f, ring_pop(&f->reo));
}

static inline struct rte_mbuf *
maybe_corrupt(struct tcpe_fault *f, struct rte_mbuf *m)
{
	bool done;

	if (!chance(f, f->corrupt))
		return m;
	m = corrupt(f, m, &done);
	if (done)
		f->ctr[TCPE_FAULT_CORRUPT]++;
	return m;
}

static void
one_frame(struct tcpe_fault *f, struct rte_mbuf *m)
{
	struct rte_mbuf *c = NULL;

	if (chance(f, f->loss)) {
		f->ctr[TCPE_FAULT_LOSS]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (chance(f, f->dup)) {
		/* From the original as it came, before any corruption. */
		c = dup_frame(f->dp->pool, m);
		if (c != NULL)
			f->ctr[TCPE_FAULT_DUP]++;
	}
	to_reorder(f, maybe_corrupt(f, m));
	if (c != NULL)
		to_reorder(f, maybe_corrupt(f, c));
}

/*
 * Pass on the held frames that are due (all: every one). tx stops while
 * the staging is full (they stay held); rx frames go through the rx path.
 */
static void
release(struct tcpe_fault *f, bool all)
{
	struct tcpe_dp *dp = f->dp;
	tcpe_time_t now = dp->now;

	if (f->busy)
		return;
	f->busy = true;
	while (f->reo.n > 0 && (all ||
	    now >= ring_head(&f->reo)->b + REORDER_MAX))
		to_delay(f, ring_pop(&f->reo));
	while (f->dly.n > 0 && (all || ring_head(&f->dly)->a <= now)) {
		if (f->dir == TCPE_FAULT_TX && dp->tx_n >= dp->tx_cap && !all)
			break;
		emit(f, ring_pop(&f->dly));
	}
	f->busy = false;
}

/* --- hooks ---------------------------------------------------------------- */

uint16_t
tcpe_fault_rx(struct tcpe_dp *dp, struct rte_mbuf **pkts, uint16_t n)
{
	struct tcpe_fault *f = dp->fault[TCPE_FAULT_RX];
	uint16_t i, keep;

	f->busy = true;
	f->back = pkts;
	f->nback = 0;
	for (i = 0; i < n; i++) {
		/* pkts[0..i] are read: a frame handed back may go there. */
		f->back_room = (uint16_t)(i + 1);
		one_frame(f, pkts[i]);
	}
	f->busy = false;
	/* After the new ones, so that frames released have slots too. */
	f->back_room = n;
	release(f, false);
	keep = f->nback;
	f->back = NULL;
	f->nback = 0;
	f->back_room = 0;
	return keep;
}

void
tcpe_fault_rx_release(struct tcpe_dp *dp)
{
	release(dp->fault[TCPE_FAULT_RX], false);
}

void
tcpe_fault_tx(struct tcpe_dp *dp, struct rte_mbuf *m)
{
	struct tcpe_fault *f = dp->fault[TCPE_FAULT_TX];

	/* A flush that staging triggers releases nothing meanwhile. */
	f->busy = true;
	one_frame(f, m);
	f->busy = false;
}

void
tcpe_fault_tx_release(struct tcpe_dp *dp)
{
	release(dp->fault[TCPE_FAULT_TX], false);
}

void
tcpe_fault_stop(struct tcpe_dp *dp)
{
	struct tcpe_fault *f;

	f = dp->fault[TCPE_FAULT_TX];
	if (f != NULL)
		release(f, true);
	f = dp->fault[TCPE_FAULT_RX];
	if (f != NULL) {
		ring_drop(&f->reo);
		ring_drop(&f->dly);
	}
}

/* --- set-up --------------------------------------------------------------- */

static bool
dir_on(const struct tcpe_fault_dir_cfg *d)
{
	return d->loss != 0 || d->dup != 0 || d->reorder != 0 ||
	    d->corrupt != 0 || d->delay_us != 0;
}

static int
dir_init(struct tcpe_dp *dp, int dir, const struct tcpe_fault_cfg *cfg,
    uint32_t seed, uint32_t worker)
{
	const struct tcpe_fault_dir_cfg *d = dir == TCPE_FAULT_RX ? &cfg->rx :
	    &cfg->tx;
	struct tcpe_fault *f;
	uint64_t mac = 0;
	int i;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	f->dp = dp;
	f->dir = (uint8_t)dir;
	f->ctr = &dp->fault_ctr[TCPE_FAULT_CTR(dir, 0)];
	f->loss = d->loss;
	f->dup = d->dup;
	f->reorder = d->reorder;
	f->corrupt = d->corrupt;
	f->depth = d->reorder_depth > 0 ? d->reorder_depth : 1;
	f->delay = TCPE_US((uint64_t)d->delay_us);
	f->hold = cfg->hold > 0 ? cfg->hold : 1;
	for (i = 0; i < 6; i++)
		mac = mac << 8 | dp->mac[i];
	f->rng = fmix64(seed) ^ fmix64(((uint64_t)worker << 8 | (uint64_t)dir)
	    + 0x632be59bd9b4e019ULL) ^ fmix64(mac + 0x9e3779b97f4a7c15ULL);
	if (ring_init(&f->reo, f->hold) != 0 ||
	    ring_init(&f->dly, f->hold) != 0) {
		free(f->reo.e);
		free(f);
		return -ENOMEM;
	}
	dp->fault[dir] = f;
	return 0;
}

static void
describe(char *s, size_t len, const struct tcpe_fault_dir_cfg *d)
{
	int n = 0;

#define ADD(...) do { \
		if (n >= 0 && (size_t)n < len) \
			n += snprintf(s + n, len - (size_t)n, __VA_ARGS__); \
	} while (0)
	if (!dir_on(d)) {
		ADD(" off");
		return;
	}
	if (d->loss != 0)
		ADD(" loss %u ppm", (unsigned int)d->loss);
	if (d->dup != 0)
		ADD(" dup %u ppm", (unsigned int)d->dup);
	if (d->reorder != 0)
		ADD(" reorder %u ppm depth %u", (unsigned int)d->reorder,
		    (unsigned int)d->reorder_depth);
	if (d->corrupt != 0)
		ADD(" corrupt %u ppm", (unsigned int)d->corrupt);
	if (d->delay_us != 0)
		ADD(" delay %u us", (unsigned int)d->delay_us);
#undef ADD
}

int
tcpe_fault_init(struct tcpe_dp *dp, const struct tcpe_fault_cfg *cfg,
    uint32_t worker)
{
	char rx[128], tx[128];
	uint32_t seed;
	int rc;

	dp->fault[TCPE_FAULT_RX] = NULL;
	dp->fault[TCPE_FAULT_TX] = NULL;
	dp->fault_seed = 0;
	if (cfg == NULL || (!dir_on(&cfg->rx) && !dir_on(&cfg->tx)))
		return 0;
	seed = cfg->seed != 0 ? cfg->seed : process_seed();
	if (dir_on(&cfg->rx)) {
		rc = dir_init(dp, TCPE_FAULT_RX, cfg, seed, worker);
		if (rc != 0)
			return rc;
	}
	if (dir_on(&cfg->tx)) {
		rc = dir_init(dp, TCPE_FAULT_TX, cfg, seed, worker);
		if (rc != 0) {
			tcpe_fault_fini(dp);
			return rc;
		}
	}
	dp->fault_seed = seed;
	describe(rx, sizeof(rx), &cfg->rx);
	describe(tx, sizeof(tx), &cfg->tx);
	printf("tcpe: worker %u: fault injection, seed %u (--set "
	    "fault.seed=%u replays it); rx:%s; tx:%s\n",
	    (unsigned int)worker, (unsigned int)seed, (unsigned int)seed, rx,
	    tx);
	fflush(stdout);
	return 0;
}

void
tcpe_fault_fini(struct tcpe_dp *dp)
{
	struct tcpe_fault *f;
	int d;

	for (d = 0; d < TCPE_FAULT_DIRS; d++) {
		f = dp->fault[d];
		if (f == NULL)
			continue;
		ring_free(&f->reo);
		ring_free(&f->dly);
		free(f);
		dp->fault[d] = NULL;
	}
}

uint32_t
tcpe_fault_held(const struct tcpe_dp *dp)
{
	const struct tcpe_fault *f;
	uint32_t n = 0;
	int d;

	for (d = 0; d < TCPE_FAULT_DIRS; d++) {
		f = dp->fault[d];
		if (f != NULL)
			n += f->reo.n + f->dly.n;
	}
	return n;
}
