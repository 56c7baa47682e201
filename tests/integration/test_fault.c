/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fault-injection layer (lib/port/tcpe_fault.{c,h}) in a DPDK program
 * without a device: embedded workers (tcpe_embed_*()) on a simulated
 * clock, as in test_embed.c.
 *
 * Frame level: a worker at 198.18.0.2 answers ICMP echo requests; each
 * request carries its sequence number in its IPv4 ID, which the echo reply
 * keeps, so every reply tcpe_embed_output() returns names the request it
 * answers. A fault in tx acts on the replies, a fault in rx on the
 * requests; what comes out is compared with what went in:
 *  - loss: the replies missing are the counter, within 5 standard
 *    deviations of the binomial mean for 1 %, 10 % and 50 %, in both
 *    directions; the same seed loses exactly the same frames, another seed
 *    other frames;
 *  - dup: the replies seen twice are the counter, the copy right after its
 *    original and byte for byte equal;
 *  - reorder: nothing lost or doubled; every frame that comes out late was
 *    overtaken by exactly reorder_depth frames (fewer only at the very end,
 *    where the 10 ms bound releases it), and the counter is their number;
 *  - corrupt: every reply differs from the expected one in nothing or in
 *    exactly one bit, of the ICMP message, whose checksum then fails; in rx
 *    the engine drops the corrupted requests with rx_bad_icmp, and TCP
 *    segments with rx_tcp_csum (rx_bad_tcp when the data offset was hit);
 *  - delay: each reply comes out at the first output at or after the time
 *    its request went in plus the delay, in order; in rx, at the first
 *    input or timer run at or after that time; beyond [fault] hold frames
 *    the rest are dropped and counted as hold_full;
 *  - held frames: counted by tcpe_dp_held(), sent by tcpe_fault_stop()
 *    (tx) and freed by tcpe_embed_destroy(); every test ends with the
 *    pool's mbufs in use back to the baseline.
 * Stream level: two workers joined by a wire with loss, dup, reorder,
 * corruption and delay in both directions of both (so four faulty
 * directions) move 1 MB each way with tcpe_send_ext() (payload chained
 * by reference), the bytes checked; duplicates of chained frames are
 * checked to share their payload by reference (a fresh first segment, the
 * others attached to the same buffers); at the end no connection, no
 * frame held, every send_ext free callback run once, no mbuf in use.
 *
 * Arguments: EAL options (meson passes --no-huge -m 256 --no-pci ...).
 * Exit 0 on success.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tcpe/tcpe.h"
#include "tcpe_api.h"	/* internal: counters, held frames, fault stop */
#include "tcpe_wire.h"

#define CLI_ADDR	0xc6120001u	/* 198.18.0.1 */
#define SRV_ADDR	0xc6120002u	/* 198.18.0.2 */
#define POOL_MBUFS	16383
#define BURST		32
#define MAXF		65536
#define ICMP_DATA	56
#define ICMP_LEN	(8 + ICMP_DATA)
#define FRAME_LEN	(RTE_ETHER_HDR_LEN + TCPE_IP4_HDR_LEN + ICMP_LEN)
#define ID_OFF		(RTE_ETHER_HDR_LEN + 4)	/* IPv4 ID */
#define L4_OFF		(RTE_ETHER_HDR_LEN + TCPE_IP4_HDR_LEN)

static const uint8_t cli_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t srv_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static struct rte_mempool *pool_a, *pool_b;
static uint64_t now;
static unsigned int checks;

#define CHECK(cond, ...) \
	do { \
		checks++; \
		if (!(cond)) { \
			fprintf(stderr, "test_fault: %s:%d: %s: ", __FILE__, \
			    __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			exit(1); \
		} \
	} while (0)

/* Square root by Newton's method (no libm). */
static double
root(double x)
{
	double r = x > 1 ? x : 1;
	int i;

	if (x <= 0)
		return 0;
	for (i = 0; i < 100; i++)
		r = (r + x / r) / 2;
	return r;
}

static double
dabs(double x)
{
	return x < 0 ? -x : x;
}

static uint64_t
fctr(struct tcpe_worker *w, int dir, int kind)
{
	return w->dp.fault_ctr[TCPE_FAULT_CTR(dir, kind)];
}

static uint64_t
dctr(struct tcpe_worker *w, int id)
{
	return w->dp.ctr[id];
}

static struct tcpe_worker *
make(uint32_t addr, const uint8_t *mac, struct rte_mempool *mp,
    const char *const *set)
{
	struct tcpe_embed_params p;
	struct tcpe_worker *w;
	unsigned int n = 0;

	while (set != NULL && set[n] != NULL)
		n++;
	memset(&p, 0, sizeof(p));
	p.set = set;
	p.nset = n;
	p.addr = addr;
	p.prefix = 24;
	memcpy(p.mac, mac, 6);
	p.mtu = 1500;
	p.port_id = UINT16_MAX;		/* no port: no offloads */
	p.pool = mp;
	p.now = now;
	w = tcpe_embed_create(&p);
	CHECK(w != NULL, "tcpe_embed_create: %s", strerror(errno));
	return w;
}

/* --- frames --------------------------------------------------------------- */

/* An echo request from the client, IPv4 ID and ICMP sequence seq. */
static void
request_bytes(uint8_t *p, uint16_t seq)
{
	struct tcpe_ip4 ip;
	uint16_t csum;
	unsigned int i;
	uint8_t *ic = p + L4_OFF;

	memcpy(p, srv_mac, 6);
	memcpy(p + 6, cli_mac, 6);
	p[12] = 0x08;
	p[13] = 0x00;
	memset(&ip, 0, sizeof(ip));
	ip.src = CLI_ADDR;
	ip.dst = SRV_ADDR;
	ip.tot_len = TCPE_IP4_HDR_LEN + ICMP_LEN;
	ip.id = seq;
	ip.ttl = 61;
	ip.proto = 1;
	CHECK(tcpe_wire_ip4_build(p + RTE_ETHER_HDR_LEN, TCPE_IP4_HDR_LEN,
	    &ip) == TCPE_IP4_HDR_LEN, "ip4 build");
	memset(ic, 0, ICMP_LEN);
	ic[0] = 8;
	ic[4] = 0x12;
	ic[5] = 0x34;
	ic[6] = (uint8_t)(seq >> 8);
	ic[7] = (uint8_t)seq;
	for (i = 8; i < ICMP_LEN; i++)
		ic[i] = (uint8_t)(i * 7 + 3);
	csum = tcpe_csum(ic, ICMP_LEN);
	memcpy(ic + 2, &csum, 2);
}

/* The reply the engine makes of request seq (see icmp_input()). */
static void
reply_bytes(uint8_t *p, uint16_t seq)
{
	uint8_t *ih = p + RTE_ETHER_HDR_LEN, *ic = p + L4_OFF;
	uint16_t csum;

	request_bytes(p, seq);
	memcpy(p, cli_mac, 6);
	memcpy(p + 6, srv_mac, 6);
	memcpy(ih + 16, ih + 12, 4);
	ih[12] = 198;
	ih[13] = 18;
	ih[14] = 0;
	ih[15] = 2;
	ih[8] = 64;
	ih[10] = ih[11] = 0;
	csum = tcpe_csum(ih, TCPE_IP4_HDR_LEN);
	memcpy(ih + 10, &csum, 2);
	ic[0] = 0;
	ic[2] = ic[3] = 0;
	csum = tcpe_csum(ic, ICMP_LEN);
	memcpy(ic + 2, &csum, 2);
}

static struct rte_mbuf *
request(struct rte_mempool *mp, uint16_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p;

	CHECK(m != NULL, "no mbuf");
	p = (uint8_t *)rte_pktmbuf_append(m, FRAME_LEN);
	CHECK(p != NULL, "append");
	request_bytes(p, seq);
	return m;
}

/* A TCP ACK from the client to a port nobody listens on. */
static struct rte_mbuf *
tcp_segment(struct rte_mempool *mp, uint16_t seq)
{
	static const uint8_t data[100];
	struct tcpe_oseg o;
	struct tcpe_ip4 ip;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint32_t len = 20 + sizeof(data);
	uint16_t csum;
	uint8_t *p;

	CHECK(m != NULL, "no mbuf");
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(L4_OFF + len));
	CHECK(p != NULL, "append");
	memcpy(p, srv_mac, 6);
	memcpy(p + 6, cli_mac, 6);
	p[12] = 0x08;
	p[13] = 0x00;
	memset(&ip, 0, sizeof(ip));
	ip.src = CLI_ADDR;
	ip.dst = SRV_ADDR;
	ip.tot_len = (uint16_t)(TCPE_IP4_HDR_LEN + len);
	ip.id = seq;
	ip.ttl = 64;
	ip.proto = TCPE_IPPROTO_TCP;
	CHECK(tcpe_wire_ip4_build(p + RTE_ETHER_HDR_LEN, TCPE_IP4_HDR_LEN,
	    &ip) == TCPE_IP4_HDR_LEN, "ip4 build");
	memset(&o, 0, sizeof(o));
	o.t.laddr = CLI_ADDR;
	o.t.raddr = SRV_ADDR;
	o.t.lport = (uint16_t)(40000 + seq % 1000);
	o.t.rport = 9;
	o.seq = seq;
	o.ack = 1;
	o.flags = TCPE_TH_ACK;
	o.wnd = 1000;
	CHECK(tcpe_wire_tcp_build(p + L4_OFF, 20, &o) == 20, "tcp build");
	memcpy(p + L4_OFF + 20, data, sizeof(data));
	csum = tcpe_wire_tcp_csum(CLI_ADDR, SRV_ADDR, p + L4_OFF, len, NULL, 0,
	    NULL);
	memcpy(p + L4_OFF + TCPE_TCP_CSUM_OFF, &csum, 2);
	return m;
}

/* --- observing the worker's output ---------------------------------------- */

/* One reply as it came out: the request it answers, when, its bit. */
struct obs {
	uint16_t seq;
	int16_t bit;		/* the bit that differs, -1: none */
	uint64_t t;
};

static struct obs seen[2 * MAXF];
static unsigned int nseen;
static unsigned int others;	/* frames that are not echo replies */

/* Bits in which the reply m differs from the reply to its IPv4 ID. */
static int
compare_reply(const struct rte_mbuf *m, uint16_t *seq, int *bit)
{
	uint8_t want[FRAME_LEN];
	const uint8_t *p;
	unsigned int i, b;
	int diff = 0;

	CHECK(m->nb_segs == 1 && m->data_len == FRAME_LEN, "reply of %u "
	    "bytes, %u segments", m->data_len, m->nb_segs);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	*seq = (uint16_t)(p[ID_OFF] << 8 | p[ID_OFF + 1]);
	reply_bytes(want, *seq);
	*bit = -1;
	for (i = 0; i < FRAME_LEN; i++) {
		for (b = 0; b < 8; b++) {
			if (((p[i] ^ want[i]) >> b) & 1) {
				diff++;
				*bit = (int)(i * 8 + b);
			}
		}
	}
	return diff;
}

/* Take everything w wants sent and record the echo replies. */
static void
collect(struct tcpe_worker *w)
{
	struct rte_mbuf *pkts[BURST];
	const uint8_t *p;
	uint16_t n, i, seq;
	int bit, diff;

	do {
		n = tcpe_embed_output(w, pkts, BURST);
		for (i = 0; i < n; i++) {
			p = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
			if (pkts[i]->data_len < FRAME_LEN || p[12] != 0x08 ||
			    p[13] != 0x00 || p[23] != 1) {
				others++;
				rte_pktmbuf_free(pkts[i]);
				continue;
			}
			diff = compare_reply(pkts[i], &seq, &bit);
			CHECK(diff <= 1, "reply %u differs in %d bits", seq,
			    diff);
			if (diff == 1) {
				CHECK(bit >= L4_OFF * 8 &&
				    bit < FRAME_LEN * 8, "bit %d flipped: not in "
				    "the ICMP message", bit);
				CHECK(tcpe_csum(p + L4_OFF, ICMP_LEN) != 0,
				    "corrupt reply %u passes its checksum",
				    seq);
			} else {
				CHECK(tcpe_csum(p + L4_OFF, ICMP_LEN) == 0,
				    "reply %u checksum", seq);
			}
			CHECK(nseen < 2 * MAXF, "too many replies");
			seen[nseen].seq = seq;
			seen[nseen].bit = (int16_t)bit;
			seen[nseen].t = now;
			nseen++;
			rte_pktmbuf_free(pkts[i]);
		}
	} while (n == BURST);
}

/* Feed n requests first..first+n-1 to w in bursts, now += step each. */
static void
feed(struct tcpe_worker *w, uint16_t first, unsigned int n, uint64_t step,
    uint64_t *sent_at)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int i = 0, k, b;
	uint16_t back;

	while (i < n) {
		b = n - i < 8 ? n - i : 8;
		for (k = 0; k < b; k++) {
			pkts[k] = request(pool_a, (uint16_t)(first + i + k));
			if (sent_at != NULL)
				sent_at[first + i + k] = now;
		}
		back = tcpe_embed_input(w, pkts, (uint16_t)b, now);
		CHECK(back == 0, "%u requests handed back", back);
		collect(w);
		i += b;
		now += step;
		tcpe_embed_timers(w, now);
		collect(w);
	}
}

/*
 * Run the clock 20 ms (past the reorder bound), in 10 us steps as feed()
 * does, and take what is left.
 */
static void
settle(struct tcpe_worker *w)
{
	int i;

	for (i = 0; i < 2000; i++) {
		now += TCPE_US(10);
		tcpe_embed_timers(w, now);
		collect(w);
	}
}

static void
start(void)
{
	nseen = 0;
	others = 0;
}

static void
finish(struct tcpe_worker *w)
{
	CHECK(tcpe_dp_held(&w->dp) == 0, "%u frames held at the end",
	    tcpe_dp_held(&w->dp));
	tcpe_embed_destroy(w);
	CHECK(rte_mempool_in_use_count(pool_a) == 0 &&
	    rte_mempool_in_use_count(pool_b) == 0, "mbufs in use: %u %u",
	    rte_mempool_in_use_count(pool_a),
	    rte_mempool_in_use_count(pool_b));
}

/* How many times each sequence number was seen. */
static void
histogram(unsigned int n, uint8_t *count)
{
	unsigned int i;

	memset(count, 0, n);
	for (i = 0; i < nseen; i++) {
		CHECK(seen[i].seq < n, "reply to request %u never sent",
		    seen[i].seq);
		CHECK(count[seen[i].seq] < 255, "seen too often");
		count[seen[i].seq]++;
	}
}

/* A worker whose gratuitous ARP has been taken (and not counted). */
static struct tcpe_worker *
server(const char *const *set)
{
	struct tcpe_worker *w;

	w = make(SRV_ADDR, srv_mac, pool_a, set);
	start();
	settle(w);
	start();
	return w;
}

/* --- loss ----------------------------------------------------------------- */

static uint64_t loss_hash;

/* n requests through loss ppm in dir; returns the frames lost. */
static uint64_t
loss_run(int dir, uint32_t ppm, const char *seed, unsigned int n)
{
	static uint8_t count[MAXF];
	char key[64], sd[64];
	const char *set[3];
	struct tcpe_worker *w;
	uint64_t lost = 0, l0, h = 0xcbf29ce484222325ULL;
	double mean, sd5;
	unsigned int i;

	snprintf(key, sizeof(key), "fault.%s_loss=%u",
	    dir == TCPE_FAULT_RX ? "rx" : "tx", (unsigned int)ppm);
	snprintf(sd, sizeof(sd), "fault.seed=%s", seed);
	set[0] = key;
	set[1] = sd;
	set[2] = NULL;
	w = server(set);
	CHECK(w->dp.fault[dir] != NULL && w->dp.fault[!dir] == NULL,
	    "directions on");
	l0 = fctr(w, dir, TCPE_FAULT_LOSS);
	feed(w, 0, n, TCPE_US(10), NULL);
	settle(w);
	histogram(n, count);
	for (i = 0; i < n; i++) {
		CHECK(count[i] <= 1, "request %u answered %u times", i,
		    count[i]);
		if (count[i] == 0) {
			lost++;
			h = (h ^ i) * 0x100000001b3ULL;
		}
	}
	CHECK(lost == fctr(w, dir, TCPE_FAULT_LOSS) - l0, "lost %" PRIu64
	    ", counted %" PRIu64, lost, fctr(w, dir, TCPE_FAULT_LOSS) - l0);
	mean = (double)n * ppm / 1e6;
	sd5 = 5 * root(mean * (1 - ppm / 1e6));
	CHECK(dabs((double)lost - mean) <= sd5, "%s loss %u ppm: %" PRIu64
	    " of %u, expected %.0f +- %.0f", dir == TCPE_FAULT_RX ? "rx" :
	    "tx", (unsigned int)ppm, lost, n, mean, sd5);
	/* Nothing else: no dup, no corruption, replies all correct. */
	for (i = 0; i < nseen; i++)
		CHECK(seen[i].bit < 0, "corrupt reply");
	CHECK(fctr(w, dir, TCPE_FAULT_DUP) == 0 &&
	    fctr(w, dir, TCPE_FAULT_CORRUPT) == 0 &&
	    fctr(w, dir, TCPE_FAULT_DELAY) == 0, "other faults counted");
	printf("test_fault: %s loss %u ppm, seed %s: %" PRIu64 " of %u lost "
	    "(expected %.0f +- %.0f)\n", dir == TCPE_FAULT_RX ? "rx" : "tx",
	    (unsigned int)ppm, seed, lost, n, mean, sd5 / 5);
	finish(w);
	loss_hash = h;
	return lost;
}

static void
test_loss(void)
{
	uint64_t a, b, c, ha, hb;

	(void)loss_run(TCPE_FAULT_TX, 10000, "11", 20000);
	(void)loss_run(TCPE_FAULT_RX, 10000, "12", 20000);
	(void)loss_run(TCPE_FAULT_RX, 500000, "13", 20000);
	a = loss_run(TCPE_FAULT_TX, 100000, "7", 20000);
	ha = loss_hash;
	/* The same seed: the very same frames. */
	b = loss_run(TCPE_FAULT_TX, 100000, "7", 20000);
	hb = loss_hash;
	CHECK(a == b && ha == hb, "seed 7 twice: %" PRIu64 " and %" PRIu64
	    " lost, sets %s", a, b, ha == hb ? "equal" : "differ");
	/* Another seed: other frames. */
	c = loss_run(TCPE_FAULT_TX, 100000, "8", 20000);
	CHECK(loss_hash != ha, "seeds 7 and 8 lose the same frames");
	(void)c;
	/* Every frame, and none. */
	(void)loss_run(TCPE_FAULT_TX, 1000000, "1", 100);
	(void)loss_run(TCPE_FAULT_RX, 1, "1", 1000);
}

/* --- dup ------------------------------------------------------------------ */

static void
dup_run(int dir, uint32_t ppm, unsigned int n)
{
	static uint8_t count[MAXF];
	char key[64];
	const char *set[3];
	struct tcpe_worker *w;
	uint64_t dups = 0, d0;
	unsigned int i;

	snprintf(key, sizeof(key), "fault.%s_dup=%u",
	    dir == TCPE_FAULT_RX ? "rx" : "tx", (unsigned int)ppm);
	set[0] = key;
	set[1] = "fault.seed=21";
	set[2] = NULL;
	w = server(set);
	d0 = fctr(w, dir, TCPE_FAULT_DUP);
	feed(w, 0, n, TCPE_US(10), NULL);
	settle(w);
	histogram(n, count);
	for (i = 0; i < n; i++) {
		CHECK(count[i] == 1 || count[i] == 2, "request %u answered "
		    "%u times", i, count[i]);
		dups += count[i] - 1;
	}
	/* The copy comes right after its original. */
	for (i = 0; i + 1 < nseen; i++)
		CHECK(seen[i + 1].seq == (uint16_t)(seen[i].seq + 1) ||
		    (seen[i + 1].seq == seen[i].seq &&
		    (i == 0 || seen[i - 1].seq != seen[i].seq)),
		    "order: %u after %u", seen[i + 1].seq, seen[i].seq);
	for (i = 0; i < nseen; i++)
		CHECK(seen[i].bit < 0, "a copy differs from its original");
	CHECK(dups == fctr(w, dir, TCPE_FAULT_DUP) - d0, "%" PRIu64 " copies"
	    " seen, %" PRIu64 " counted", dups,
	    fctr(w, dir, TCPE_FAULT_DUP) - d0);
	CHECK(dabs((double)dups - (double)n * ppm / 1e6) <=
	    5 * root((double)n * ppm / 1e6), "%" PRIu64 " copies of %u",
	    dups, n);
	printf("test_fault: %s dup %u ppm: %" PRIu64 " copies of %u frames\n",
	    dir == TCPE_FAULT_RX ? "rx" : "tx", (unsigned int)ppm, dups, n);
	finish(w);
}

static void
test_dup(void)
{
	dup_run(TCPE_FAULT_TX, 200000, 10000);
	dup_run(TCPE_FAULT_RX, 200000, 10000);
	dup_run(TCPE_FAULT_TX, 1000000, 1000);
}

/* --- reorder -------------------------------------------------------------- */

static void
reorder_run(int dir, uint32_t ppm, unsigned int depth, unsigned int n)
{
	static uint8_t count[MAXF], late[MAXF];
	char key[64], dk[64];
	const char *set[4];
	struct tcpe_worker *w;
	unsigned int i, j, nlate = 0, over, after, maxseq, tail;
	uint64_t r0, held;

	snprintf(key, sizeof(key), "fault.%s_reorder=%u",
	    dir == TCPE_FAULT_RX ? "rx" : "tx", (unsigned int)ppm);
	snprintf(dk, sizeof(dk), "fault.%s_reorder_depth=%u",
	    dir == TCPE_FAULT_RX ? "rx" : "tx", depth);
	set[0] = key;
	set[1] = dk;
	set[2] = "fault.seed=31";
	set[3] = NULL;
	w = server(set);
	r0 = fctr(w, dir, TCPE_FAULT_REORDER);
	/* No time passes while frames flow: only depth releases them. */
	feed(w, 0, n, 0, NULL);
	held = tcpe_dp_held(&w->dp);
	settle(w);
	histogram(n, count);
	for (i = 0; i < n; i++)
		CHECK(count[i] == 1, "request %u answered %u times", i,
		    count[i]);
	/* A frame is late when a later one came out before it. */
	memset(late, 0, n);
	maxseq = 0;
	for (i = 0; i < nseen; i++) {
		if (i > 0 && seen[i].seq < maxseq) {
			late[seen[i].seq] = 1;
			nlate++;
		}
		if (seen[i].seq > maxseq)
			maxseq = seen[i].seq;
	}
	for (i = 0; i < nseen; i++) {
		if (!late[seen[i].seq])
			continue;
		/* Overtaken by the frames after it in time, not late. */
		over = 0;
		for (j = 0; j < i; j++)
			if (seen[j].seq > seen[i].seq && !late[seen[j].seq])
				over++;
		after = 0;
		for (j = seen[i].seq + 1u; j < n; j++)
			if (!late[j])
				after++;
		CHECK(over == (after < depth ? after : depth), "frame %u "
		    "overtaken by %u frames, depth %u (%u came after it)",
		    seen[i].seq, over, depth, after);
	}
	/*
	 * Held frames that nothing overtook: those held after the last
	 * frame that passed, the last of the input; they come out last, in
	 * order, when the 10 ms bound releases them.
	 */
	CHECK(fctr(w, dir, TCPE_FAULT_REORDER) - r0 >= nlate, "%" PRIu64
	    " held, %u came out late", fctr(w, dir, TCPE_FAULT_REORDER) - r0,
	    nlate);
	tail = (unsigned int)(fctr(w, dir, TCPE_FAULT_REORDER) - r0 - nlate);
	for (i = 0; i < tail; i++)
		CHECK(seen[nseen - tail + i].seq == n - tail + i, "%u held "
		    "frames not late: output %u is %u", tail, nseen - tail + i,
		    seen[nseen - tail + i].seq);
	printf("test_fault: %s reorder %u ppm depth %u: %u of %u frames "
	    "late, each overtaken by %u (fewer at the end); %" PRIu64 " still "
	    "held when the frames stopped (out after 10 ms), %u of them "
	    "never overtaken\n", dir == TCPE_FAULT_RX ? "rx" : "tx",
	    (unsigned int)ppm, depth, nlate, n, depth, held, tail);
	finish(w);
}

static void
test_reorder(void)
{
	reorder_run(TCPE_FAULT_TX, 50000, 3, 10000);
	reorder_run(TCPE_FAULT_TX, 300000, 1, 5000);
	reorder_run(TCPE_FAULT_RX, 100000, 7, 10000);
	reorder_run(TCPE_FAULT_RX, 500000, 2, 2000);
}

/* --- corruption ----------------------------------------------------------- */

static void
test_corrupt(void)
{
	static const char *const tx[] = { "fault.tx_corrupt=100000",
	    "fault.seed=41", NULL };
	static const char *const rx[] = { "fault.rx_corrupt=100000",
	    "fault.seed=42", NULL };
	static uint8_t count[MAXF];
	struct rte_mbuf *pkts[8];
	struct tcpe_worker *w;
	uint64_t bad = 0, c0, e0, t0, b0, csum, hdr;
	unsigned int i, k, n = 10000;
	uint16_t back;

	/* tx: replies with one bit of the ICMP message flipped. */
	w = server(tx);
	c0 = fctr(w, TCPE_FAULT_TX, TCPE_FAULT_CORRUPT);
	feed(w, 0, n, TCPE_US(10), NULL);
	settle(w);
	histogram(n, count);
	for (i = 0; i < n; i++)
		CHECK(count[i] == 1, "request %u answered %u times", i,
		    count[i]);
	for (i = 0; i < nseen; i++)
		bad += seen[i].bit >= 0;
	CHECK(bad == fctr(w, TCPE_FAULT_TX, TCPE_FAULT_CORRUPT) - c0, "%"
	    PRIu64 " corrupt replies, %" PRIu64 " counted", bad,
	    fctr(w, TCPE_FAULT_TX, TCPE_FAULT_CORRUPT) - c0);
	CHECK(dabs((double)bad - n * 0.1) <= 5 * root(n * 0.09), "%" PRIu64
	    " corrupt of %u", bad, n);
	printf("test_fault: tx corrupt 100000 ppm: %" PRIu64 " of %u replies "
	    "differ in exactly one bit of the ICMP message, which fails its "
	    "checksum\n", bad, n);
	finish(w);

	/* rx: the engine's checksums drop what was corrupted. */
	w = server(rx);
	c0 = fctr(w, TCPE_FAULT_RX, TCPE_FAULT_CORRUPT);
	e0 = dctr(w, TCPE_DP_RX_BAD_ICMP);
	feed(w, 0, n, TCPE_US(10), NULL);
	settle(w);
	histogram(n, count);
	bad = 0;
	for (i = 0; i < n; i++) {
		CHECK(count[i] <= 1, "request %u answered %u times", i,
		    count[i]);
		bad += count[i] == 0;
	}
	CHECK(bad == fctr(w, TCPE_FAULT_RX, TCPE_FAULT_CORRUPT) - c0 &&
	    bad == dctr(w, TCPE_DP_RX_BAD_ICMP) - e0, "%" PRIu64 " requests "
	    "unanswered, %" PRIu64 " corrupted, %" PRIu64 " rx_bad_icmp", bad,
	    fctr(w, TCPE_FAULT_RX, TCPE_FAULT_CORRUPT) - c0,
	    dctr(w, TCPE_DP_RX_BAD_ICMP) - e0);
	printf("test_fault: rx corrupt 100000 ppm: %" PRIu64 " of %u echo "
	    "requests corrupted, all dropped as rx_bad_icmp\n", bad, n);
	/* TCP segments: the TCP checksum catches it. */
	c0 = fctr(w, TCPE_FAULT_RX, TCPE_FAULT_CORRUPT);
	t0 = dctr(w, TCPE_DP_RX_TCP_CSUM);
	b0 = dctr(w, TCPE_DP_RX_BAD_TCP);
	for (i = 0; i < n; i += 8) {
		for (k = 0; k < 8; k++)
			pkts[k] = tcp_segment(pool_a, (uint16_t)(i + k));
		back = tcpe_embed_input(w, pkts, 8, now);
		CHECK(back == 0, "segments handed back");
		now += TCPE_US(10);
		collect(w);	/* the RSTs */
	}
	csum = dctr(w, TCPE_DP_RX_TCP_CSUM) - t0;
	hdr = dctr(w, TCPE_DP_RX_BAD_TCP) - b0;
	CHECK(csum + hdr == fctr(w, TCPE_FAULT_RX, TCPE_FAULT_CORRUPT) - c0 &&
	    csum > 0 && hdr <= csum / 10, "%" PRIu64 " TCP segments "
	    "corrupted: rx_tcp_csum %" PRIu64 ", rx_bad_tcp %" PRIu64,
	    fctr(w, TCPE_FAULT_RX, TCPE_FAULT_CORRUPT) - c0, csum, hdr);
	/* The RSTs wait for an ARP answer that never comes: 4 s. */
	for (i = 0; i < 40; i++) {
		now += TCPE_MS(100);
		tcpe_embed_timers(w, now);
		collect(w);
	}
	printf("test_fault: rx corrupt 100000 ppm: %" PRIu64 " of %u TCP "
	    "segments corrupted: %" PRIu64 " rx_tcp_csum, %" PRIu64
	    " rx_bad_tcp (data offset hit)\n", csum + hdr, n, csum, hdr);
	finish(w);
}

/* --- delay and hold ------------------------------------------------------- */

static uint64_t sent_at[MAXF];

static void
delay_run(int dir, unsigned int us, unsigned int n)
{
	static uint8_t count[MAXF];
	char key[64];
	const char *set[3];
	struct tcpe_worker *w;
	uint64_t d = TCPE_US(us), step = TCPE_US(10), d0;
	unsigned int i;

	snprintf(key, sizeof(key), "fault.%s_delay_us=%u",
	    dir == TCPE_FAULT_RX ? "rx" : "tx", us);
	set[0] = key;
	set[1] = "fault.seed=51";
	set[2] = NULL;
	w = server(set);
	d0 = fctr(w, dir, TCPE_FAULT_DELAY);
	feed(w, 0, n, step, sent_at);
	settle(w);
	histogram(n, count);
	for (i = 0; i < n; i++)
		CHECK(count[i] == 1, "request %u answered %u times", i,
		    count[i]);
	for (i = 0; i < nseen; i++) {
		CHECK(i == 0 || seen[i].seq > seen[i - 1].seq, "order");
		/*
		 * Out at the first output at or after sent + delay: the
		 * clock moves by step between outputs (and rx delay needs
		 * the input or timer run of that step).
		 */
		CHECK(seen[i].t >= sent_at[seen[i].seq] + d &&
		    seen[i].t < sent_at[seen[i].seq] + d + step, "request %u "
		    "in at %" PRIu64 " ns, reply out at %" PRIu64 " ns, delay "
		    "%" PRIu64, seen[i].seq, sent_at[seen[i].seq], seen[i].t,
		    d);
	}
	CHECK(fctr(w, dir, TCPE_FAULT_DELAY) - d0 == n, "%" PRIu64 " delayed",
	    fctr(w, dir, TCPE_FAULT_DELAY) - d0);
	printf("test_fault: %s delay %u us: %u frames, each out within one "
	    "10 us step of its due time, in order\n", dir == TCPE_FAULT_RX ?
	    "rx" : "tx", us, n);
	finish(w);
}

static void
test_delay(void)
{
	static const char *const full[] = { "fault.tx_delay_us=1000",
	    "fault.hold=16", NULL };
	static const char *const rxfull[] = { "fault.rx_delay_us=1000",
	    "fault.hold=16", NULL };
	static const char *const txheld[] = { "fault.tx_delay_us=1000000",
	    "fault.tx_reorder=500000", NULL };
	static const char *const rxheld[] = { "fault.rx_delay_us=1000000",
	    "fault.rx_reorder=200000", NULL };
	static const char *const held[] = { "fault.tx_delay_us=1000000",
	    "fault.tx_reorder=500000", "fault.rx_delay_us=1000000",
	    "fault.rx_reorder=200000", NULL };
	struct tcpe_worker *w;
	uint64_t t0;
	uint32_t h, h0;

	delay_run(TCPE_FAULT_TX, 500, 5000);
	delay_run(TCPE_FAULT_RX, 500, 5000);
	delay_run(TCPE_FAULT_TX, 3, 2000);

	/* 100 frames at once into a queue of 16: 84 dropped. */
	w = server(full);
	t0 = fctr(w, TCPE_FAULT_TX, TCPE_FAULT_DELAY);
	feed(w, 0, 100, 0, NULL);
	CHECK(nseen == 0, "%u replies before the delay", nseen);
	CHECK(tcpe_dp_held(&w->dp) == 16, "%u held", tcpe_dp_held(&w->dp));
	settle(w);
	CHECK(nseen == 16 && fctr(w, TCPE_FAULT_TX, TCPE_FAULT_DELAY) - t0 ==
	    16 && fctr(w, TCPE_FAULT_TX, TCPE_FAULT_HOLD_FULL) == 84, "%u out, %"
	    PRIu64 " delayed, %" PRIu64 " hold_full", nseen,
	    fctr(w, TCPE_FAULT_TX, TCPE_FAULT_DELAY) - t0,
	    fctr(w, TCPE_FAULT_TX, TCPE_FAULT_HOLD_FULL));
	finish(w);
	w = server(rxfull);
	feed(w, 0, 100, 0, NULL);
	settle(w);
	CHECK(nseen == 16 && fctr(w, TCPE_FAULT_RX, TCPE_FAULT_HOLD_FULL) ==
	    84, "rx: %u out, %" PRIu64 " hold_full", nseen,
	    fctr(w, TCPE_FAULT_RX, TCPE_FAULT_HOLD_FULL));
	finish(w);

	/* Held frames at stop: tx sent, rx dropped, then none in use. */
	w = server(txheld);
	h0 = tcpe_dp_held(&w->dp);	/* the gratuitous ARP, delayed */
	t0 = now;
	feed(w, 0, 200, 0, NULL);
	h = tcpe_dp_held(&w->dp) - h0;
	CHECK(h == 200, "%u held", h);
	now = t0 + TCPE_MS(500);
	tcpe_embed_timers(w, now);
	collect(w);
	CHECK(nseen == 0 && tcpe_dp_held(&w->dp) == 200 + h0,
	    "released early");
	tcpe_fault_stop(&w->dp);
	collect(w);
	CHECK(nseen == 200 && tcpe_dp_held(&w->dp) == 0, "%u replies, %u "
	    "held after stop", nseen, tcpe_dp_held(&w->dp));
	finish(w);
	w = server(rxheld);
	feed(w, 0, 200, 0, NULL);
	CHECK(tcpe_dp_held(&w->dp) == 200, "%u held", tcpe_dp_held(&w->dp));
	tcpe_fault_stop(&w->dp);
	collect(w);
	CHECK(nseen == 0 && tcpe_dp_held(&w->dp) == 0, "%u replies, %u held "
	    "after stop", nseen, tcpe_dp_held(&w->dp));
	finish(w);
	printf("test_fault: stop: 200 replies held (1 s tx delay) sent, 200 "
	    "requests held (1 s rx delay) dropped, no mbuf in use after\n");

	/* And freed by destroy without a stop. */
	w = server(held);
	h0 = tcpe_dp_held(&w->dp);
	feed(w, 0, 300, 0, NULL);
	CHECK(tcpe_dp_held(&w->dp) - h0 == 300, "%u held",
	    tcpe_dp_held(&w->dp));
	tcpe_embed_destroy(w);
	CHECK(rte_mempool_in_use_count(pool_a) == 0, "destroy leaked %u "
	    "mbufs", rte_mempool_in_use_count(pool_a));
}

/* --- everything at once, reproducible -------------------------------------- */

static uint64_t
chaos_run(const char *seed, unsigned int n)
{
	const char *set[] = { "fault.tx_loss=20000", "fault.tx_dup=20000",
	    "fault.tx_reorder=50000", "fault.tx_corrupt=20000",
	    "fault.tx_delay_us=100", "fault.rx_loss=20000",
	    "fault.rx_dup=20000", "fault.rx_reorder=50000",
	    "fault.rx_corrupt=20000", "fault.rx_delay_us=50", seed, NULL };
	struct tcpe_worker *w;
	uint64_t h = 0xcbf29ce484222325ULL, t0;
	unsigned int i;

	w = server(set);
	t0 = now;
	feed(w, 0, n, TCPE_US(7), NULL);
	settle(w);
	for (i = 0; i < nseen; i++)
		h = (h ^ ((uint64_t)seen[i].seq << 16 ^ (uint16_t)seen[i].bit ^
		    (seen[i].t - t0) << 32)) * 0x100000001b3ULL;
	CHECK(nseen > n * 8 / 10, "%u replies of %u", nseen, n);
	finish(w);
	return h;
}

static void
test_replay(void)
{
	uint64_t a, b, c;

	a = chaos_run("fault.seed=99", 5000);
	b = chaos_run("fault.seed=99", 5000);
	c = chaos_run("fault.seed=100", 5000);
	CHECK(a == b, "seed 99 twice: different outputs");
	CHECK(a != c, "seeds 99 and 100: the same output");
	printf("test_fault: every fault in both directions: the same seed "
	    "gives the same replies, corruptions and times; another seed "
	    "other ones\n");
}

/* --- off, and seed 0 -------------------------------------------------------- */

static void
test_off(void)
{
	static const char *const zero[] = { "fault.rx_loss=1", NULL };
	static const char *const depth_only[] = { "fault.rx_reorder_depth=9",
	    "fault.seed=5", "fault.hold=100", NULL };
	struct tcpe_worker *w, *v;

	w = server(NULL);
	CHECK(w->dp.fault[0] == NULL && w->dp.fault[1] == NULL &&
	    w->dp.fault_seed == 0, "fault layer on by default");
	finish(w);
	w = server(depth_only);
	CHECK(w->dp.fault[0] == NULL && w->dp.fault[1] == NULL,
	    "fault layer on without a fault");
	finish(w);
	/* seed 0: a random seed, the same for the whole process. */
	w = make(SRV_ADDR, srv_mac, pool_a, zero);
	v = make(CLI_ADDR, cli_mac, pool_b, zero);
	CHECK(w->dp.fault_seed != 0 && w->dp.fault_seed == v->dp.fault_seed,
	    "seeds %u %u", w->dp.fault_seed, v->dp.fault_seed);
	CHECK(w->dp.fault[TCPE_FAULT_RX] != NULL &&
	    w->dp.fault[TCPE_FAULT_TX] == NULL, "directions");
	tcpe_embed_destroy(v);
	settle(w);
	finish(w);
}

/* --- a TCP stream over a faulty wire -------------------------------------- */

#define TOTAL		(1u << 20)

struct side {
	const char *name;
	struct tcpe_worker *w;
	struct rte_mempool *pool;
	struct tcpe_sock *s;
	struct tcpe_sock *l;
	int dir;
	uint64_t sent, rcvd;
	bool connected, shut, eof;
	uint64_t ext_calls, ext_frees;
};

static struct side cli, srv;
static uint8_t data[2][TOTAL];
static uint64_t dup_pairs, dup_chained;

static void
ext_free(void *addr, void *opaque)
{
	struct side *a = opaque;

	(void)addr;
	a->ext_frees++;
}

static void
maybe_close(struct side *a)
{
	if (a->s != NULL && a->eof && a->shut) {
		tcpe_close(a->s);
		a->s = NULL;
	}
}

static void
push(struct side *a)
{
	int rc;

	/* Not before the handshake: a shutdown in SYN_SENT closes. */
	if (!a->connected)
		return;
	while (a->s != NULL && a->sent < TOTAL) {
		rc = tcpe_send_ext(a->s, data[a->dir] + a->sent,
		    (uint32_t)(TOTAL - a->sent), ext_free, a);
		CHECK(rc >= 0, "%s: tcpe_send_ext: %d", a->name, rc);
		if (rc == 0)
			return;
		a->ext_calls++;
		a->sent += (uint32_t)rc;
	}
	if (a->s != NULL && a->sent == TOTAL && !a->shut) {
		CHECK(tcpe_shutdown(a->s, TCPE_SHUT_WR) == 0, "shutdown");
		a->shut = true;
	}
}

static void
pull(struct side *a)
{
	uint8_t buf[4096];
	int rc, i;

	while (a->s != NULL) {
		rc = tcpe_recv_copy(a->s, buf, sizeof(buf));
		if (rc == -EAGAIN)
			return;
		if (rc == 0) {
			a->eof = true;
			return;
		}
		CHECK(rc > 0, "%s: tcpe_recv_copy: %d", a->name, rc);
		CHECK(a->rcvd + (uint64_t)rc <= TOTAL, "%s: too much",
		    a->name);
		for (i = 0; i < rc; i++)
			CHECK(buf[i] == data[!a->dir][a->rcvd + (uint64_t)i],
			    "%s: byte %" PRIu64 " wrong", a->name,
			    a->rcvd + (uint64_t)i);
		a->rcvd += (uint64_t)rc;
	}
}

static void
on_accept(struct tcpe_sock *l, struct tcpe_sock *s, void *ctx)
{
	struct side *a = ctx;

	(void)l;
	CHECK(a->s == NULL, "a second connection");
	a->s = s;
	a->connected = true;
	push(a);
}

static void
on_connected(struct tcpe_sock *s, void *ctx)
{
	struct side *a = ctx;

	(void)s;
	a->connected = true;
	push(a);
}

static void
on_readable(struct tcpe_sock *s, void *ctx)
{
	(void)s;
	pull(ctx);
}

static void
on_writable(struct tcpe_sock *s, void *ctx)
{
	(void)s;
	push(ctx);
}

static void
on_eof(struct tcpe_sock *s, void *ctx)
{
	struct side *a = ctx;

	/*
	 * run() closes once both directions are done (a callback may close
	 * too: dispatch checks the socket is live after each, test_embed
	 * closes from one).
	 */
	pull(a);
	a->eof = true;
	(void)s;
}

static void
on_error(struct tcpe_sock *s, int err, void *ctx)
{
	struct side *a = ctx;

	(void)s;
	CHECK(0, "%s: connection error %d", a->name, err);
}

static const struct tcpe_handlers handlers = {
	.accept = on_accept,
	.connected = on_connected,
	.readable = on_readable,
	.writable = on_writable,
	.eof = on_eof,
	.error = on_error,
};

/* The buffer an attached segment maps (direct mbuf or external area). */
static const void *
under(const struct rte_mbuf *m)
{
	if (RTE_MBUF_HAS_EXTBUF(m))
		return m->shinfo;
	return rte_mbuf_from_indirect((struct rte_mbuf *)(uintptr_t)m);
}

/*
 * a then b, equal bytes: is b a duplicate made as documented? A fresh,
 * private first segment; each further one attached to what a's maps.
 */
static void
check_dup(const struct rte_mbuf *a, const struct rte_mbuf *b)
{
	const struct rte_mbuf *x, *y;

	dup_pairs++;
	CHECK(a != b && RTE_MBUF_DIRECT(b) && rte_mbuf_refcnt_read(b) == 1,
	    "the copy's first segment is not its own");
	CHECK(b->nb_segs == a->nb_segs, "segments %u and %u", a->nb_segs,
	    b->nb_segs);
	if (a->nb_segs > 1)
		dup_chained++;
	for (x = a->next, y = b->next; x != NULL; x = x->next, y = y->next) {
		CHECK(y != NULL && y != x && !RTE_MBUF_DIRECT(y), "segment "
		    "not attached");
		CHECK(under(x) == under(y) && x->buf_addr == y->buf_addr &&
		    x->data_off == y->data_off && x->data_len == y->data_len,
		    "the copy maps other bytes");
		if (!RTE_MBUF_HAS_EXTBUF(y))
			CHECK(rte_mbuf_refcnt_read(rte_mbuf_from_indirect(
			    (struct rte_mbuf *)(uintptr_t)y)) >= 3, "refcnt "
			    "of a shared payload below 3");
	}
}

static bool
same_bytes(const struct rte_mbuf *a, const struct rte_mbuf *b)
{
	static uint8_t x[16384], y[16384];
	const void *p, *q;

	if (a->pkt_len != b->pkt_len || a->pkt_len > sizeof(x))
		return false;
	p = rte_pktmbuf_read(a, 0, a->pkt_len, x);
	q = rte_pktmbuf_read(b, 0, b->pkt_len, y);
	return memcmp(p, q, a->pkt_len) == 0;
}

static struct rte_mbuf *
wire_copy(struct rte_mbuf *m, struct rte_mempool *to)
{
	struct rte_mbuf *c;
	const void *src;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	char *p;

	c = rte_pktmbuf_alloc(to);
	CHECK(c != NULL, "wire: receiver's pool is empty");
	p = rte_pktmbuf_append(c, (uint16_t)len);
	CHECK(p != NULL, "wire: %u-byte frame", len);
	src = rte_pktmbuf_read(m, 0, len, p);
	if (src != p)
		memcpy(p, src, len);
	return c;
}

static unsigned int
carry(struct side *from, struct side *to, bool dups_adjacent)
{
	struct rte_mbuf *pkts[BURST], *in[BURST], *prev = NULL;
	unsigned int total = 0;
	uint16_t n, i, back;

	do {
		n = tcpe_embed_output(from->w, pkts, BURST);
		for (i = 0; i < n; i++) {
			if (dups_adjacent && prev != NULL &&
			    same_bytes(prev, pkts[i]))
				check_dup(prev, pkts[i]);
			in[i] = wire_copy(pkts[i], to->pool);
			if (prev != NULL)
				rte_pktmbuf_free(prev);
			prev = pkts[i];
		}
		back = n > 0 ? tcpe_embed_input(to->w, in, n, now) : 0;
		for (i = 0; i < back; i++)
			rte_pktmbuf_free(in[i]);
		total += n;
	} while (n == BURST);
	if (prev != NULL)
		rte_pktmbuf_free(prev);
	return total;
}

static bool
stream_done(void)
{
	return cli.s == NULL && srv.s == NULL && cli.rcvd == TOTAL &&
	    srv.rcvd == TOTAL;
}

static bool
all_gone(void)
{
	return tcpe_worker_conns(cli.w) == 0 && tcpe_worker_conns(srv.w) == 1;
}

static void
run(bool (*done)(void), bool dups_adjacent, uint64_t limit)
{
	unsigned int moved;

	while (!done()) {
		if (now >= limit) {
			printf("--- client\n");
			tcpe_worker_print_counters(cli.w, stdout);
			printf("--- server\n");
			tcpe_worker_print_counters(srv.w, stdout);
		}
		CHECK(now < limit, "not done at %" PRIu64 " ms: client sent %"
		    PRIu64 " rcvd %" PRIu64 ", server sent %" PRIu64 " rcvd %"
		    PRIu64, (uint64_t)(now / TCPE_MS(1)), cli.sent, cli.rcvd, srv.sent,
		    srv.rcvd);
		moved = carry(&cli, &srv, dups_adjacent);
		moved += carry(&srv, &cli, dups_adjacent);
		tcpe_embed_timers(cli.w, now);
		tcpe_embed_timers(srv.w, now);
		if (cli.s != NULL)
			push(&cli);
		if (srv.s != NULL)
			push(&srv);
		maybe_close(&cli);
		maybe_close(&srv);
		now += moved > 0 ? TCPE_US(20) : TCPE_US(500);
	}
}

static void
stream(const char *what, const char *const *set, bool dups_adjacent)
{
	const char *cs[32], *ss[32];
	unsigned int n = 0, i;
	uint64_t t0 = now, f[2][TCPE_FAULT_CTR_N];
	uint64_t retrans;
	int k;

	/* 1 MB buffers and a short TIME_WAIT; the faults of set. */
	cs[n] = "tcp.tcp_wmem=4096 1048576 4194304";
	ss[n++] = cs[0];
	cs[n] = "tcp.tcp_rmem=4096 1048576 6291456";
	ss[n++] = cs[1];
	cs[n] = "tcp.tcp_timewait_len=1";
	ss[n++] = cs[2];
	cs[n] = "fault.seed=61";
	ss[n] = "fault.seed=62";
	n++;
	for (i = 0; set[i] != NULL; i++, n++)
		cs[n] = ss[n] = set[i];
	cs[n] = ss[n] = NULL;

	memset(&cli, 0, sizeof(cli));
	memset(&srv, 0, sizeof(srv));
	cli.name = "client";
	srv.name = "server";
	cli.dir = 0;
	srv.dir = 1;
	cli.pool = pool_a;
	srv.pool = pool_b;
	cli.w = make(CLI_ADDR, cli_mac, pool_a, cs);
	srv.w = make(SRV_ADDR, srv_mac, pool_b, ss);
	srv.l = tcpe_listen(srv.w, 0, 80, 16, &handlers, &srv);
	CHECK(srv.l != NULL, "listen: %s", strerror(errno));
	cli.s = tcpe_connect(cli.w, SRV_ADDR, 80, &handlers, &cli);
	CHECK(cli.s != NULL, "connect: %s", strerror(errno));
	dup_pairs = dup_chained = 0;
	run(stream_done, dups_adjacent, t0 + TCPE_S(300));
	CHECK(cli.rcvd == TOTAL && srv.rcvd == TOTAL, "received %" PRIu64
	    " and %" PRIu64, cli.rcvd, srv.rcvd);
	run(all_gone, dups_adjacent, now + TCPE_S(300));
	tcpe_close(srv.l);
	/* What is still held (a late copy) comes out on the clock. */
	for (i = 0; i < 40; i++) {
		carry(&cli, &srv, false);
		carry(&srv, &cli, false);
		now += TCPE_MS(1);
		tcpe_embed_timers(cli.w, now);
		tcpe_embed_timers(srv.w, now);
	}
	CHECK(tcpe_worker_conns(cli.w) == 0 && tcpe_worker_conns(srv.w) == 0,
	    "connections left");
	CHECK(cli.ext_frees == cli.ext_calls && srv.ext_frees ==
	    srv.ext_calls, "send_ext: %" PRIu64 "/%" PRIu64 " and %" PRIu64
	    "/%" PRIu64 " freed", cli.ext_frees, cli.ext_calls,
	    srv.ext_frees, srv.ext_calls);
	CHECK(tcpe_dp_held(&cli.w->dp) == 0 && tcpe_dp_held(&srv.w->dp) == 0,
	    "frames held: %u %u", tcpe_dp_held(&cli.w->dp),
	    tcpe_dp_held(&srv.w->dp));
	for (k = 0; k < TCPE_FAULT_CTR_N; k++) {
		f[0][k] = cli.w->dp.fault_ctr[k];
		f[1][k] = srv.w->dp.fault_ctr[k];
	}
	retrans = cli.w->dp.stack->mib[TCPE_MIB_RETRANS_SEGS] +
	    srv.w->dp.stack->mib[TCPE_MIB_RETRANS_SEGS];
	printf("test_fault: stream, %s: 1 MB each way in %" PRIu64 " ms "
	    "simulated, %" PRIu64 " retransmissions; client/server faults:",
	    what, (uint64_t)((now - t0) / TCPE_MS(1)), retrans);
	for (k = 0; k < TCPE_FAULT_CTR_N; k++)
		if (f[0][k] + f[1][k] != 0)
			printf(" %s %" PRIu64 "/%" PRIu64, tcpe_fault_ctr_name(k),
			    f[0][k], f[1][k]);
	printf("; rx_tcp_csum %" PRIu64 "/%" PRIu64, dctr(cli.w,
	    TCPE_DP_RX_TCP_CSUM), dctr(srv.w, TCPE_DP_RX_TCP_CSUM));
	if (dups_adjacent)
		printf("; %" PRIu64 " copies checked, %" PRIu64 " of chained "
		    "frames", dup_pairs, dup_chained);
	printf("\n");
	if (dups_adjacent)
		CHECK(dup_chained > 0 && dup_pairs >= f[0][TCPE_FAULT_CTR(
		    TCPE_FAULT_TX, TCPE_FAULT_DUP)] + f[1][TCPE_FAULT_CTR(
		    TCPE_FAULT_TX, TCPE_FAULT_DUP)], "copies checked: %" PRIu64,
		    dup_pairs);
	tcpe_embed_destroy(cli.w);
	tcpe_embed_destroy(srv.w);
	CHECK(rte_mempool_in_use_count(pool_a) == 0 &&
	    rte_mempool_in_use_count(pool_b) == 0, "mbufs in use: %u %u",
	    rte_mempool_in_use_count(pool_a),
	    rte_mempool_in_use_count(pool_b));
}

static void
test_stream(void)
{
	static const char *const none[] = { NULL };
	static const char *const dup[] = { "fault.tx_dup=50000", NULL };
	static const char *const all[] = {
		"fault.tx_loss=10000", "fault.rx_loss=10000",
		"fault.tx_dup=10000", "fault.rx_dup=10000",
		"fault.tx_reorder=20000", "fault.rx_reorder=20000",
		"fault.tx_reorder_depth=4", "fault.rx_reorder_depth=2",
		"fault.tx_corrupt=5000", "fault.rx_corrupt=5000",
		"fault.tx_delay_us=200", "fault.rx_delay_us=100", NULL,
	};
	unsigned int i;

	for (i = 0; i < TOTAL; i++) {
		data[0][i] = (uint8_t)((i * 2654435761u) >> 13);
		data[1][i] = (uint8_t)((i * 40503u) >> 5 ^ 0x5a);
	}
	stream("no fault", none, false);
	stream("tx dup 5 %", dup, true);
	stream("all faults both ways", all, false);
}

int
main(int argc, char **argv)
{
	int rc;

	rc = rte_eal_init(argc, argv);
	CHECK(rc >= 0, "rte_eal_init: %s", rte_strerror(rte_errno));
	pool_a = rte_pktmbuf_pool_create("fault_a", POOL_MBUFS, 256, 0,
	    RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	pool_b = rte_pktmbuf_pool_create("fault_b", POOL_MBUFS, 256, 0,
	    RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	CHECK(pool_a != NULL && pool_b != NULL, "pools: %s",
	    rte_strerror(rte_errno));
	CHECK(strcmp(tcpe_fault_ctr_name(0), "rx_fault_loss") == 0 &&
	    strcmp(tcpe_fault_ctr_name(TCPE_FAULT_CTR_N - 1),
	    "tx_fault_hold_full") == 0 &&
	    tcpe_fault_ctr_name(TCPE_FAULT_CTR_N) == NULL, "counter names");

	test_off();
	test_loss();
	test_dup();
	test_reorder();
	test_corrupt();
	test_delay();
	test_replay();
	test_stream();

	rte_mempool_free(pool_a);
	rte_mempool_free(pool_b);
	rte_eal_cleanup();
	printf("test_fault: ok (%u checks)\n", checks);
	return 0;
}
