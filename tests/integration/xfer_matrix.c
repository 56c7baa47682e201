/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loss matrix, engine to engine (issue 5 item 8): every byte must
 * arrive intact in every cell, and the goodput of each cell is recorded
 * so that regressions show.
 *
 * Two embedded tcpe workers in one DPDK process without a device, a
 * client at 198.18.0.1 and a server at 198.18.0.2 (as test_embed.c), are
 * joined by a simulated link: each direction is a FIFO with a rate
 * (--rate-mbps, default 1000) and a one-way propagation delay
 * (--delay-us, default 100): a frame that leaves a worker at t is
 * delivered at max(t, link free) + its serialization time + the delay,
 * as a copy in the receiver's pool (what a NIC does); the original is
 * freed (the TX completion). Time is virtual: it jumps to the next event
 * (the next frame's arrival, the earlier of the two workers' timer
 * deadlines, 1 ms while the fault layer holds frames, at most 100 ms), so
 * a cell with 10 % loss and 200 ms RTOs takes seconds of wall time, not
 * minutes.
 *
 * One connection per cell on which BOTH sides send N bytes at once
 * (--bytes, default 64 MiB each way): a pseudo-random stream generated
 * from the cell's seed (splitmix64 of the seed, the direction and the
 * offset). The client sends with tcpe_send() of engine buffers it fills
 * in place and reads with tcpe_recv_copy(); the server attaches 256 KiB
 * chunks with tcpe_send_ext() (freed by their callbacks) and reads
 * zero-copy with tcpe_recv()/tcpe_rx_release(). The sender hashes (SHA-256)
 * what it generates, the receiver what it receives; the two must be
 * equal, and the receiver also compares every byte with the generator
 * to name the first wrong offset. Both shut down writing after their data
 * and close at end of stream; the clock then runs past TIME_WAIT.
 *
 * Each cell sets [fault] keys on one or both workers (loss, reordering,
 * duplication, corruption, a mix; ppm as tcpe_fault.h) and [tcp] keys
 * (tcp_sack=0, tcp_congestion_control=reno). A cell fails when the
 * hashes differ or a byte is wrong, the connection fails (reset,
 * timeout), its wall time exceeds --cell-wall (default 60 s + 2 s per
 * MiB) or its simulated time --cell-sim (default 900 s), or afterwards a
 * connection, a held frame, an attachment or an mbuf is left. A failed
 * cell prints both workers' counters and the connection's state and
 * writes the last --trace-frames frames of the link (default 4000) to
 * <out>.<cell>.trace; the other cells still run.
 *
 * Per cell, recorded in a TSV file (--out, default build/matrix-e2e.tsv)
 * and a table on stdout: bytes each way, wall and simulated time,
 * goodput each way in Mbit/s per wall second and per simulated second
 * (bytes of the direction over the time until its receiver had them
 * all), and the counters of both workers summed: RetransSegs,
 * TCPFastRetrans, TCPSackRecovery, TCPRenoRecovery, TCPTimeouts,
 * TCPOFOQueue, TCPOFODrop, TCPDSACKOldSent, TCPDSACKRecv,
 * DropOutOfWindow, TCPLossProbes, TCPLostRetransmit, TCPRackReoTimeouts,
 * rx_tcp_csum and the faults injected.
 *
 * Usage: xfer_matrix [EAL options] -- [--quick] [--bytes N] [--out FILE]
 *   [--cells a,b,...] [--list] [--seed S] [--rate-mbps R] [--delay-us D]
 *   [--cell-wall SECS] [--cell-sim SECS] [--trace-frames N]
 *   [--trace-all]
 * --quick: 4 MiB each way and the cells marked quick. Exit 0 when every
 * cell passed, 1 otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tcpe/tcpe.h"
#include "tcpe_api.h"	/* internal: counters, held frames, the TCB */
#include "sha256.h"

#define CLI_ADDR	0xc6120001u	/* 198.18.0.1 */
#define SRV_ADDR	0xc6120002u	/* 198.18.0.2 */
#define SRV_PORT	5001
#define POOL_MBUFS	32767
#define BURST		64
#define WIRE_CAP	65536		/* frames in flight per direction */
#define CHUNK		(256u << 10)	/* server's send_ext chunks */
#define COPY_BUF	16384
#define MAX_SET		24
#define IDLE_CAP	TCPE_MS(100)	/* longest jump of the clock */
#define HELD_STEP	TCPE_MS(1)	/* ... while faults hold frames */
#define T0		TCPE_S(1)

static const uint8_t cli_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t srv_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

/* --- options -------------------------------------------------------------- */

static uint64_t opt_bytes = 64ull << 20;
static bool opt_quick;
static const char *opt_out = "build/matrix-e2e.tsv";
static const char *opt_cells;
static uint32_t opt_seed = 1;
static uint64_t opt_rate_mbps = 1000;
static uint64_t opt_delay_us = 100;
static double opt_cell_wall;		/* 0: 60 + 2 per MiB */
static double opt_cell_sim = 900;
static uint32_t opt_trace_frames = 4000;
static bool opt_trace_all;
static bool opt_bytes_set;

/* --- cells ---------------------------------------------------------------- */

struct cell {
	const char *name;
	const char *desc;
	bool quick;
	const char *both[MAX_SET];	/* set on both workers */
	const char *cli[MAX_SET];	/* client only */
	const char *srv[MAX_SET];	/* server only */
};

#define LOSS(ppm)	"fault.tx_loss=" #ppm

static const struct cell cells[] = {
	{ "clean", "no fault", true, { NULL }, { NULL }, { NULL } },
	{ "loss1", "1% loss each direction (tx of both)", false,
	    { LOSS(10000), NULL }, { NULL }, { NULL } },
	{ "loss2", "2% loss each direction (tx of both)", true,
	    { LOSS(20000), NULL }, { NULL }, { NULL } },
	{ "loss5", "5% loss each direction (tx of both)", false,
	    { LOSS(50000), NULL }, { NULL }, { NULL } },
	{ "loss10", "10% loss each direction (tx of both)", true,
	    { LOSS(100000), NULL }, { NULL }, { NULL } },
	{ "loss5-split", "5% loss each direction: client tx, server tx "
	    "2% + rx 3%", false, { NULL }, { LOSS(50000), NULL },
	    { LOSS(20000), "fault.rx_loss=30000", NULL } },
	{ "loss5-c2s", "5% loss client to server only (server rx)", false,
	    { NULL }, { NULL }, { "fault.rx_loss=50000", NULL } },
	{ "reorder5", "5% of frames reordered, depth 3, each direction",
	    true, { "fault.tx_reorder=50000", "fault.tx_reorder_depth=3",
	    NULL }, { NULL }, { NULL } },
	{ "reorder10-d8", "10% reordered, depth 8, each direction", false,
	    { "fault.tx_reorder=100000", "fault.tx_reorder_depth=8", NULL },
	    { NULL }, { NULL } },
	{ "dup2", "2% of frames duplicated, each direction", true,
	    { "fault.tx_dup=20000", NULL }, { NULL }, { NULL } },
	{ "corrupt1", "1% of frames with a bit flipped, each direction",
	    true, { "fault.tx_corrupt=10000", NULL }, { NULL }, { NULL } },
	{ "mix", "each direction: loss 2% (tx 1% + rx 1%), reorder 3% "
	    "depth 4, dup 1%, corrupt 0.5%", true,
	    { "fault.tx_loss=10000", "fault.rx_loss=10000",
	    "fault.tx_reorder=30000", "fault.tx_reorder_depth=4",
	    "fault.rx_dup=10000", "fault.tx_corrupt=5000", NULL },
	    { NULL }, { NULL } },
	{ "nosack-loss2", "tcp_sack=0, 2% loss each direction", false,
	    { "tcp.tcp_sack=0", LOSS(20000), NULL }, { NULL }, { NULL } },
	{ "nosack-loss5", "tcp_sack=0, 5% loss each direction", true,
	    { "tcp.tcp_sack=0", LOSS(50000), NULL }, { NULL }, { NULL } },
	{ "nosack-loss10", "tcp_sack=0, 10% loss each direction", false,
	    { "tcp.tcp_sack=0", LOSS(100000), NULL }, { NULL }, { NULL } },
	{ "nosack-mix", "tcp_sack=0, the mix", false,
	    { "tcp.tcp_sack=0", "fault.tx_loss=10000", "fault.rx_loss=10000",
	    "fault.tx_reorder=30000", "fault.tx_reorder_depth=4",
	    "fault.rx_dup=10000", "fault.tx_corrupt=5000", NULL },
	    { NULL }, { NULL } },
	{ "reno-clean", "reno, no fault", false,
	    { "tcp.tcp_congestion_control=reno", NULL }, { NULL }, { NULL } },
	{ "reno-loss2", "reno, 2% loss each direction (cubic: loss2)", false,
	    { "tcp.tcp_congestion_control=reno", LOSS(20000), NULL },
	    { NULL }, { NULL } },
	{ "reno-loss5", "reno, 5% loss each direction (cubic: loss5)", true,
	    { "tcp.tcp_congestion_control=reno", LOSS(50000), NULL },
	    { NULL }, { NULL } },
	{ "reno-loss10", "reno, 10% loss each direction (cubic: loss10)",
	    false, { "tcp.tcp_congestion_control=reno", LOSS(100000), NULL },
	    { NULL }, { NULL } },
	{ "reno-nosack-loss5", "reno, tcp_sack=0, 5% loss each direction",
	    false, { "tcp.tcp_congestion_control=reno", "tcp.tcp_sack=0",
	    LOSS(50000), NULL }, { NULL }, { NULL } },
};
#define NCELLS	(sizeof(cells) / sizeof(cells[0]))

/* --- the cell being run --------------------------------------------------- */

struct chunk;

struct side {
	const char *name;
	struct tcpe_worker *w;
	struct rte_mempool *pool;
	struct tcpe_sock *s;		/* the connection; NULL: closed */
	struct tcpe_sock *l;		/* server: the listener */
	int dir;			/* stream it sends: 0 c2s, 1 s2c */
	bool connected, shut, eof, closed_ev;
	uint64_t sent, rcvd;
	struct mx_sha256 sha_tx, sha_rx;
	bool bad;			/* a byte differed */
	uint64_t bad_off;
	uint64_t t_done;		/* sim time its receive completed */
	double wall_done;
	/* client: the engine buffer being sent */
	struct tcpe_txbuf tb;
	uint32_t tb_len;
	/* server: the chunk being attached */
	struct chunk *cur;
	uint32_t cur_len, cur_off;
	uint64_t ext_calls, ext_frees, nobufs;
};

struct chunk {
	struct side *a;
	uint32_t refs;
	uint8_t data[];
};

/* One direction of the link. */
struct wire {
	struct rte_mbuf *q[WIRE_CAP];
	uint64_t t[WIRE_CAP];
	uint32_t head, n;
	uint64_t link_free;		/* when the link is idle again */
	uint64_t frames, bytes;
	uint32_t max_n;
};

/* One frame of the trace ring. */
struct trace_rec {
	uint64_t t;
	uint8_t dir;
	uint8_t flags;
	uint16_t len;
	uint16_t sport;
	uint32_t seq, ack, win;
	uint8_t nsack;
	uint32_t sack[4][2];
};

struct result {
	char name[32];
	bool ok;
	char why[256];
	double wall, sim;
	double mbps_wall[2], mbps_sim[2];
	uint64_t mib[TCPE_MIB_N];
	uint64_t fault[TCPE_FAULT_KINDS];
	uint64_t csum_err;
	uint64_t frames;
	char sha[2][65];
};

static struct side cli, srv;
static struct wire c2s, s2c;
static uint64_t now;
static uint64_t rate_ps_per_byte;	/* link: picoseconds per byte */
static uint64_t cell_seed;
static struct result *res;
static bool cell_failed;
static struct trace_rec *trace;
static uint64_t ntrace;
static double wall0;

static double
wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fail(const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("xfer_matrix: %s: FAILED: %s\n", res->name, buf);
	if (!cell_failed)
		snprintf(res->why, sizeof(res->why), "%s", buf);
	cell_failed = true;
}

/* Fatal set-up errors (not a cell's result). */
static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "xfer_matrix: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* --- the stream ----------------------------------------------------------- */

static inline uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Bytes [off, off + len) of stream dir into p. */
static void
gen(int dir, uint64_t off, uint8_t *p, uint32_t len)
{
	uint64_t key = mix64(cell_seed * 2 + (uint64_t)dir), w, k;
	uint32_t i = 0, s, n;

	while (i < len) {
		k = (off + i) >> 3;
		w = mix64(key ^ (k * 0xd6e8feb86659fd93ull));
		s = (uint32_t)((off + i) & 7);
		if (s == 0 && len - i >= 8) {
			memcpy(p + i, &w, 8);	/* little endian host */
			i += 8;
			continue;
		}
		for (n = s; n < 8 && i < len; n++, i++)
			p[i] = (uint8_t)(w >> (8 * n));
	}
}

/* Received bytes of a's stream (the peer's direction). */
static void
got(struct side *a, const uint8_t *p, uint32_t n)
{
	static uint8_t exp[COPY_BUF];
	uint32_t k, i, m;

	if (a->rcvd + n > opt_bytes) {
		fail("%s: received %" PRIu64 " bytes, more than %" PRIu64,
		    a->name, a->rcvd + n, opt_bytes);
		n = (uint32_t)(opt_bytes - a->rcvd);
	}
	mx_sha256_update(&a->sha_rx, p, n);
	for (k = 0; k < n && !a->bad; k += m) {
		m = n - k < COPY_BUF ? n - k : COPY_BUF;
		gen(!a->dir, a->rcvd + k, exp, m);
		if (memcmp(exp, p + k, m) == 0)
			continue;
		for (i = 0; exp[i] == p[k + i]; i++)
			;
		a->bad = true;
		a->bad_off = a->rcvd + k + i;
		fail("%s: received byte %" PRIu64 " is %#x, want %#x",
		    a->name, a->bad_off, p[k + i], exp[i]);
	}
	a->rcvd += n;
	if (a->rcvd == opt_bytes) {
		a->t_done = now;
		a->wall_done = wall();
	}
}

static void
chunk_put(struct chunk *c)
{
	if (--c->refs == 0)
		free(c);
}

static void
ext_free(void *addr, void *opaque)
{
	struct chunk *c = opaque;

	(void)addr;
	c->a->ext_frees++;
	chunk_put(c);
}

static void
shut_if_sent(struct side *a)
{
	int rc;

	if (a->s != NULL && a->connected && a->sent == opt_bytes &&
	    !a->shut) {
		rc = tcpe_shutdown(a->s, TCPE_SHUT_WR);
		if (rc != 0)
			fail("%s: tcpe_shutdown: %d", a->name, rc);
		a->shut = true;
	}
}

/* Client: tcpe_send() of engine buffers filled in place. */
static void
push_buf(struct side *a)
{
	uint32_t n;
	int rc;

	while (a->s != NULL && a->connected && a->sent < opt_bytes) {
		if (a->tb_len == 0) {
			if (tcpe_txbuf_get(a->w, &a->tb) != 0) {
				a->nobufs++;
				return;
			}
			n = a->tb.room;
			if (n > opt_bytes - a->sent)
				n = (uint32_t)(opt_bytes - a->sent);
			gen(a->dir, a->sent, a->tb.data, n);
			mx_sha256_update(&a->sha_tx, a->tb.data, n);
			a->tb_len = n;
		}
		rc = tcpe_send(a->s, &a->tb, a->tb_len);
		if (rc < 0) {
			fail("%s: tcpe_send: %d", a->name, rc);
			return;
		}
		a->sent += (uint32_t)rc;
		a->tb_len -= (uint32_t)rc;
		if (a->tb_len > 0)
			return;		/* the rest on writable */
	}
	shut_if_sent(a);
}

/* Server: tcpe_send_ext() of 256 KiB chunks. */
static void
push_ext(struct side *a)
{
	uint32_t n;
	int rc;

	while (a->s != NULL && a->connected && a->sent < opt_bytes) {
		if (a->cur == NULL) {
			n = CHUNK;
			if (n > opt_bytes - a->sent)
				n = (uint32_t)(opt_bytes - a->sent);
			a->cur = malloc(sizeof(*a->cur) + n);
			if (a->cur == NULL)
				die("out of memory");
			a->cur->a = a;
			a->cur->refs = 1;	/* ours */
			gen(a->dir, a->sent, a->cur->data, n);
			mx_sha256_update(&a->sha_tx, a->cur->data, n);
			a->cur_len = n;
			a->cur_off = 0;
		}
		rc = tcpe_send_ext(a->s, a->cur->data + a->cur_off,
		    a->cur_len - a->cur_off, ext_free, a->cur);
		if (rc == -ENOBUFS) {
			a->nobufs++;
			return;
		}
		if (rc < 0) {
			fail("%s: tcpe_send_ext: %d", a->name, rc);
			return;
		}
		if (rc == 0)
			return;
		a->cur->refs++;
		a->ext_calls++;
		a->cur_off += (uint32_t)rc;
		a->sent += (uint32_t)rc;
		if (a->cur_off == a->cur_len) {
			chunk_put(a->cur);
			a->cur = NULL;
		}
	}
	shut_if_sent(a);
}

static void
push(struct side *a)
{
	if (a == &cli)
		push_buf(a);
	else
		push_ext(a);
}

static void
read_end(struct side *a, int rc, const char *fn)
{
	if (rc == 0) {
		if (a->rcvd != opt_bytes && !a->eof)
			fail("%s: end of stream after %" PRIu64 " bytes",
			    a->name, a->rcvd);
		a->eof = true;
	} else if (rc != -EAGAIN) {
		fail("%s: %s: %d (%s) after %" PRIu64 " bytes", a->name, fn,
		    rc, strerror(-rc), a->rcvd);
		a->eof = true;
	}
}

/* Client: copying reads. */
static void
pull_copy(struct side *a)
{
	static uint8_t buf[COPY_BUF];
	int rc;

	while (a->s != NULL && !a->eof) {
		rc = tcpe_recv_copy(a->s, buf, sizeof(buf));
		if (rc <= 0) {
			read_end(a, rc, "tcpe_recv_copy");
			return;
		}
		got(a, buf, (uint32_t)rc);
	}
}

/* Server: zero-copy reads, each view released once checked. */
static void
pull_zc(struct side *a)
{
	struct tcpe_rx rx[64];
	int rc, i;

	while (a->s != NULL && !a->eof) {
		rc = tcpe_recv(a->s, rx, 64);
		if (rc <= 0) {
			read_end(a, rc, "tcpe_recv");
			return;
		}
		for (i = 0; i < rc; i++)
			got(a, rx[i].data, rx[i].len);
		tcpe_rx_release(a->s, rx, (unsigned int)rc);
	}
}

static void
pull(struct side *a)
{
	if (a == &cli)
		pull_copy(a);
	else
		pull_zc(a);
}

static void
on_accept(struct tcpe_sock *l, struct tcpe_sock *s, void *ctx)
{
	struct side *a = ctx;

	(void)l;
	if (a->s != NULL) {
		fail("%s: a second connection", a->name);
		tcpe_abort(s);
		tcpe_close(s);
		return;
	}
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
on_error(struct tcpe_sock *s, int err, void *ctx)
{
	struct side *a = ctx;

	(void)s;
	fail("%s: connection error %d (%s), state %s", a->name, err,
	    strerror(-err), a->s != NULL ? tcpe_sock_state(a->s) : "-");
}

static void
on_closed(struct tcpe_sock *s, void *ctx)
{
	struct side *a = ctx;

	(void)s;
	a->closed_ev = true;
}

static const struct tcpe_handlers handlers = {
	.accept = on_accept,
	.connected = on_connected,
	.readable = on_readable,
	.writable = on_writable,
	.eof = on_readable,	/* pull() sees the end; the loop closes */
	.error = on_error,
	.closed = on_closed,
};

/* --- the link ------------------------------------------------------------- */

static void
trace_frame(uint8_t dir, const uint8_t *p, uint32_t len)
{
	struct trace_rec *r;
	uint32_t ihl, off, doff, o, olen;

	if (opt_trace_frames == 0)
		return;
	r = &trace[ntrace++ % opt_trace_frames];
	memset(r, 0, sizeof(*r));
	r->t = now;
	r->dir = dir;
	if (len < 14 + 20 || p[12] != 0x08 || p[13] != 0x00 || p[23] != 6) {
		r->flags = 0xff;	/* not TCP (ARP ...) */
		r->len = (uint16_t)len;
		return;
	}
	ihl = (uint32_t)(p[14] & 15) * 4;
	off = 14 + ihl;
	if (len < off + 20)
		return;
	doff = (uint32_t)(p[off + 12] >> 4) * 4;
	r->sport = (uint16_t)(p[off] << 8 | p[off + 1]);
	r->seq = (uint32_t)p[off + 4] << 24 | (uint32_t)p[off + 5] << 16 |
	    (uint32_t)p[off + 6] << 8 | p[off + 7];
	r->ack = (uint32_t)p[off + 8] << 24 | (uint32_t)p[off + 9] << 16 |
	    (uint32_t)p[off + 10] << 8 | p[off + 11];
	r->flags = p[off + 13];
	r->win = (uint32_t)(p[off + 14] << 8 | p[off + 15]);
	r->len = (uint16_t)((uint32_t)(p[16] << 8 | p[17]) - ihl - doff);
	for (o = off + 20; o < off + doff && o < len;) {
		if (p[o] == 0)
			break;
		if (p[o] == 1) {
			o++;
			continue;
		}
		if (o + 1 >= len)
			break;
		olen = p[o + 1];
		if (olen < 2)
			break;
		if (p[o] == 5) {
			uint32_t b;

			for (b = 0; b < (olen - 2) / 8 && r->nsack < 4; b++) {
				const uint8_t *q = p + o + 2 + 8 * b;

				r->sack[r->nsack][0] = (uint32_t)q[0] << 24 |
				    (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 |
				    q[3];
				r->sack[r->nsack][1] = (uint32_t)q[4] << 24 |
				    (uint32_t)q[5] << 16 | (uint32_t)q[6] << 8 |
				    q[7];
				r->nsack++;
			}
		}
		o += olen;
	}
}

static void
trace_dump(const char *path)
{
	uint64_t i, first;
	struct trace_rec *r;
	FILE *f;
	int b;

	if (opt_trace_frames == 0 || ntrace == 0)
		return;
	f = fopen(path, "w");
	if (f == NULL) {
		printf("xfer_matrix: %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "# the last %" PRIu64 " frames on the link (of %" PRIu64
	    "), as they left the sender (after its tx faults, before the "
	    "receiver's rx faults); time in us; seq/ack absolute\n",
	    ntrace < opt_trace_frames ? ntrace : opt_trace_frames, ntrace);
	first = ntrace > opt_trace_frames ? ntrace - opt_trace_frames : 0;
	for (i = first; i < ntrace; i++) {
		r = &trace[i % opt_trace_frames];
		fprintf(f, "%12.3f %s ", (double)r->t / 1e3,
		    r->dir == 0 ? "C>S" : "S>C");
		if (r->flags == 0xff) {
			fprintf(f, "non-TCP frame, %u bytes\n", r->len);
			continue;
		}
		fprintf(f, "%c%c%c%c%c seq %u ack %u win %u len %u",
		    r->flags & 0x02 ? 'S' : '.', r->flags & 0x01 ? 'F' : '.',
		    r->flags & 0x04 ? 'R' : '.', r->flags & 0x08 ? 'P' : '.',
		    r->flags & 0x10 ? 'A' : '.', r->seq, r->ack, r->win,
		    r->len);
		for (b = 0; b < r->nsack; b++)
			fprintf(f, " sack %u-%u", r->sack[b][0], r->sack[b][1]);
		fputc('\n', f);
	}
	fclose(f);
	printf("xfer_matrix: %s: trace of the last frames in %s\n", res->name,
	    path);
}

/* A NIC's receive: a contiguous copy in the receiver's pool. */
static struct rte_mbuf *
wire_copy(struct rte_mbuf *m, struct rte_mempool *to)
{
	struct rte_mbuf *c;
	const void *src;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	char *p;

	c = rte_pktmbuf_alloc(to);
	if (c == NULL)
		return NULL;
	p = rte_pktmbuf_append(c, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(c);
		return NULL;
	}
	src = rte_pktmbuf_read(m, 0, len, p);
	if (src != p)
		memcpy(p, src, len);
	return c;
}

/* Take what from wants sent onto the link towards to. */
static unsigned int
emit(struct side *from, struct side *to, struct wire *wr, uint8_t dir)
{
	struct rte_mbuf *pkts[BURST], *c;
	unsigned int total = 0;
	uint64_t start;
	uint32_t len, slot;
	uint16_t n, i;

	do {
		n = tcpe_embed_output(from->w, pkts, BURST);
		for (i = 0; i < n; i++) {
			len = rte_pktmbuf_pkt_len(pkts[i]);
			c = wire_copy(pkts[i], to->pool);
			rte_pktmbuf_free(pkts[i]);
			if (c == NULL || wr->n == WIRE_CAP) {
				if (c != NULL)
					rte_pktmbuf_free(c);
				fail("link %s: no room (pool %u in use, %u "
				    "on the link)", dir == 0 ? "C>S" : "S>C",
				    rte_mempool_in_use_count(to->pool), wr->n);
				continue;
			}
			trace_frame(dir, rte_pktmbuf_mtod(c, uint8_t *), len);
			/* Ethernet: preamble, SFD, FCS, gap: 24 bytes. */
			start = wr->link_free > now ? wr->link_free : now;
			wr->link_free = start + ((uint64_t)(len + 24) *
			    rate_ps_per_byte + 999) / 1000;
			slot = (wr->head + wr->n) % WIRE_CAP;
			wr->q[slot] = c;
			wr->t[slot] = wr->link_free +
			    TCPE_US(opt_delay_us);
			wr->n++;
			if (wr->n > wr->max_n)
				wr->max_n = wr->n;
			wr->frames++;
			wr->bytes += len;
		}
		total += n;
	} while (n == BURST);
	return total;
}

/* Deliver the frames of wr due at now to to. */
static unsigned int
deliver(struct wire *wr, struct side *to)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int total = 0;
	uint16_t n, back, i;

	while (wr->n > 0 && wr->t[wr->head] <= now) {
		n = 0;
		while (n < BURST && wr->n > 0 && wr->t[wr->head] <= now) {
			pkts[n++] = wr->q[wr->head];
			wr->head = (wr->head + 1) % WIRE_CAP;
			wr->n--;
		}
		back = tcpe_embed_input(to->w, pkts, n, now);
		/* Only the peer's gratuitous ARP is not for tcpe. */
		for (i = 0; i < back; i++)
			rte_pktmbuf_free(pkts[i]);
		total += n;
	}
	return total;
}

static void
wire_flush(struct wire *wr)
{
	while (wr->n > 0) {
		rte_pktmbuf_free(wr->q[wr->head]);
		wr->head = (wr->head + 1) % WIRE_CAP;
		wr->n--;
	}
}

/* --- the loop ------------------------------------------------------------- */

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* One instant: deliveries, timers, applications, output; then the clock. */
static void
step(void)
{
	uint64_t next, d;

	deliver(&c2s, &srv);
	deliver(&s2c, &cli);
	tcpe_embed_timers(cli.w, now);
	tcpe_embed_timers(srv.w, now);
	if (cli.s != NULL) {
		push(&cli);
		pull(&cli);
	}
	if (srv.s != NULL) {
		push(&srv);
		pull(&srv);
	}
	emit(&cli, &srv, &c2s, 0);
	emit(&srv, &cli, &s2c, 1);

	next = now + IDLE_CAP;
	if (c2s.n > 0)
		next = min64(next, c2s.t[c2s.head]);
	if (s2c.n > 0)
		next = min64(next, s2c.t[s2c.head]);
	d = tcpe_stack_deadline(cli.w->dp.stack);
	next = min64(next, d);
	d = tcpe_stack_deadline(srv.w->dp.stack);
	next = min64(next, d);
	if (tcpe_dp_held(&cli.w->dp) + tcpe_dp_held(&srv.w->dp) > 0)
		next = min64(next, now + HELD_STEP);
	if (next <= now)
		next = now + TCPE_US(1);
	now = next;
}

/* Close at end of stream once everything is sent (not from a callback). */
static void
maybe_close(struct side *a)
{
	if (a->s != NULL && a->eof && (a->shut || cell_failed)) {
		tcpe_close(a->s);
		a->s = NULL;
	}
}

static bool
transfer_done(void)
{
	return cli.rcvd == opt_bytes && srv.rcvd == opt_bytes && cli.eof &&
	    srv.eof && cli.s == NULL && srv.s == NULL;
}

static bool
all_gone(void)
{
	return tcpe_worker_conns(cli.w) == 0 && tcpe_worker_conns(srv.w) == 1;
}

static uint64_t
mib(const struct side *a, int id)
{
	return a->w->dp.stack->mib[id];
}

static void
dump_state(void)
{
	struct side *sides[2] = { &cli, &srv };
	struct tcpe_conn *c;
	int i;

	printf("--- %s: at %.3f s simulated: client sent %" PRIu64 " rcvd %"
	    PRIu64 ", server sent %" PRIu64 " rcvd %" PRIu64 "; on the link "
	    "C>S %u S>C %u\n", res->name, (double)(now - T0) / 1e9, cli.sent,
	    cli.rcvd, srv.sent, srv.rcvd, c2s.n, s2c.n);
	for (i = 0; i < 2; i++) {
		if (sides[i]->s == NULL)
			continue;
		c = sock_conn(sides[i]->s);
		printf("%s: %s snd_una %u snd_nxt %u snd_max %u snd_wnd %u "
		    "cwnd %u ssthresh %u rto %" PRIu64 " ms flags %#x dupacks "
		    "%u recover %u rcv_nxt %u rcv_adv %u\n", sides[i]->name,
		    tcpe_sock_state(sides[i]->s), c->snd_una, c->snd_nxt,
		    c->snd_max, c->snd_wnd, c->cc.cwnd, c->cc.ssthresh,
		    (uint64_t)(c->rto / TCPE_MS(1)), c->flags, c->dupacks,
		    c->recover, c->rcv_nxt, c->rcv_adv);
	}
	/*
	 * A known failure mode: both ends rewound SND.NXT (RTO) below what
	 * the other has received, so each one's bare ACKs fail the other's
	 * sequence check and no ACK is ever taken.
	 */
	if (cli.s != NULL && srv.s != NULL) {
		struct tcpe_conn *a = sock_conn(cli.s), *b = sock_conn(srv.s);

		if ((int32_t)(a->snd_nxt - b->rcv_nxt) < 0 &&
		    (int32_t)(b->snd_nxt - a->rcv_nxt) < 0) {
			printf("%s: both ends' SND.NXT below the peer's "
			    "RCV.NXT (client by %d, server by %d): their bare "
			    "ACKs are out of window for each other\n",
			    res->name, (int)(b->rcv_nxt - a->snd_nxt),
			    (int)(a->rcv_nxt - b->snd_nxt));
			snprintf(res->why + strlen(res->why), sizeof(res->why) -
			    strlen(res->why), " (both SND.NXT below the peer's "
			    "RCV.NXT: bare ACKs out of window)");
		}
	}
	printf("--- client counters\n");
	tcpe_worker_print_counters(cli.w, stdout);
	printf("--- server counters\n");
	tcpe_worker_print_counters(srv.w, stdout);
}

/* Run until done(), the cell fails, or a bound is hit. */
static bool
run(bool (*done)(void), const char *what, uint64_t sim_limit,
    double wall_limit)
{
	uint64_t iter = 0;

	while (!done()) {
		if (cell_failed)
			return false;
		if (now >= sim_limit) {
			fail("%s: not done after %.1f s simulated", what,
			    (double)(now - T0) / 1e9);
			return false;
		}
		if ((++iter & 255) == 0 && wall() - wall0 > wall_limit) {
			fail("%s: not done after %.1f s wall (%.1f s "
			    "simulated)", what, wall() - wall0,
			    (double)(now - T0) / 1e9);
			return false;
		}
		step();
		maybe_close(&cli);
		maybe_close(&srv);
	}
	return true;
}

static struct rte_mempool *
pool(const char *name)
{
	struct rte_mempool *mp;

	mp = rte_pktmbuf_pool_create(name, POOL_MBUFS, 256, 0,
	    RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (mp == NULL)
		die("pool %s: %s", name, rte_strerror(rte_errno));
	return mp;
}

static void
make_side(struct side *a, const char *name, uint32_t addr,
    const uint8_t *mac, struct rte_mempool *mp, int dir,
    const struct cell *ce, const char *const *own)
{
	static char seedset[2][48];
	const char *set[3 * MAX_SET + 8];
	struct tcpe_embed_params p;
	unsigned int n = 0, i;

	memset(a, 0, sizeof(*a));
	a->name = name;
	a->dir = dir;
	a->pool = mp;
	mx_sha256_init(&a->sha_tx);
	mx_sha256_init(&a->sha_rx);
	/* 512 KiB buffers: a window above the link's BDP. */
	set[n++] = "tcp.tcp_wmem=4096 524288 4194304";
	set[n++] = "tcp.tcp_rmem=4096 524288 6291456";
	snprintf(seedset[dir], sizeof(seedset[dir]), "fault.seed=%" PRIu64,
	    (cell_seed * 2 + (uint64_t)dir) % 4000000000u + 1);
	set[n++] = seedset[dir];
	for (i = 0; ce->both[i] != NULL; i++)
		set[n++] = ce->both[i];
	for (i = 0; own[i] != NULL; i++)
		set[n++] = own[i];
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
	a->w = tcpe_embed_create(&p);
	if (a->w == NULL)
		die("%s: %s: tcpe_embed_create: %s", ce->name, name,
		    strerror(errno));
}

static double
mbps(uint64_t bytes, double secs)
{
	return secs > 0 ? (double)bytes * 8 / secs / 1e6 : 0;
}

static void
run_cell(const struct cell *ce, unsigned int idx, struct rte_mempool *pa,
    struct rte_mempool *pb)
{
	uint8_t d[2][2][MX_SHA256_LEN];
	char hx[2][2][65], path[512];
	uint64_t t_start;
	int k, i;

	memset(res, 0, sizeof(*res));
	snprintf(res->name, sizeof(res->name), "%s", ce->name);
	cell_failed = false;
	cell_seed = (uint64_t)opt_seed * 1000 + idx;
	ntrace = 0;
	memset(&c2s, 0, sizeof(c2s));
	memset(&s2c, 0, sizeof(s2c));
	now = T0;
	wall0 = wall();

	make_side(&cli, "client", CLI_ADDR, cli_mac, pa, 0, ce, ce->cli);
	make_side(&srv, "server", SRV_ADDR, srv_mac, pb, 1, ce, ce->srv);
	srv.l = tcpe_listen(srv.w, 0, SRV_PORT, 16, &handlers, &srv);
	if (srv.l == NULL)
		die("listen: %s", strerror(errno));
	cli.s = tcpe_connect(cli.w, SRV_ADDR, SRV_PORT, &handlers, &cli);
	if (cli.s == NULL)
		die("connect: %s", strerror(errno));
	t_start = now;

	if (run(transfer_done, "transfer", T0 + (uint64_t)(opt_cell_sim *
	    1e9), opt_cell_wall)) {
		res->sim = (double)(now - t_start) / 1e9;
		res->wall = wall() - wall0;
		/* Direction 0 (client to server) ends at the server. */
		res->mbps_sim[0] = mbps(opt_bytes,
		    (double)(srv.t_done - t_start) / 1e9);
		res->mbps_sim[1] = mbps(opt_bytes,
		    (double)(cli.t_done - t_start) / 1e9);
		res->mbps_wall[0] = mbps(opt_bytes, srv.wall_done - wall0);
		res->mbps_wall[1] = mbps(opt_bytes, cli.wall_done - wall0);
		mx_sha256_final(&cli.sha_tx, d[0][0]);
		mx_sha256_final(&srv.sha_rx, d[0][1]);
		mx_sha256_final(&srv.sha_tx, d[1][0]);
		mx_sha256_final(&cli.sha_rx, d[1][1]);
		for (k = 0; k < 2; k++)
			for (i = 0; i < 2; i++)
				mx_sha256_hex(d[k][i], hx[k][i]);
		memcpy(res->sha[0], hx[0][1], 65);
		memcpy(res->sha[1], hx[1][1], 65);
		if (memcmp(d[0][0], d[0][1], MX_SHA256_LEN) != 0)
			fail("client to server: sha256 sent %s received %s",
			    hx[0][0], hx[0][1]);
		if (memcmp(d[1][0], d[1][1], MX_SHA256_LEN) != 0)
			fail("server to client: sha256 sent %s received %s",
			    hx[1][0], hx[1][1]);
	} else {
		res->sim = (double)(now - t_start) / 1e9;
		res->wall = wall() - wall0;
	}
	if (cell_failed)
		dump_state();

	/* The close: TIME_WAIT and every retransmitted FIN on the clock. */
	if (!cell_failed && run(all_gone, "close", now + TCPE_S(300),
	    opt_cell_wall + 30)) {
		tcpe_close(srv.l);
		srv.l = NULL;
		/* What the faults still hold comes out on the clock. */
		for (i = 0; i < 40; i++) {
			step();
			now += TCPE_MS(1);
		}
		if (tcpe_worker_conns(cli.w) != 0 ||
		    tcpe_worker_conns(srv.w) != 0)
			fail("connections left: %u %u",
			    tcpe_worker_conns(cli.w),
			    tcpe_worker_conns(srv.w));
		if (tcpe_dp_held(&cli.w->dp) + tcpe_dp_held(&srv.w->dp) != 0)
			fail("frames held at the end: %u %u",
			    tcpe_dp_held(&cli.w->dp),
			    tcpe_dp_held(&srv.w->dp));
		if (srv.ext_frees != srv.ext_calls)
			fail("send_ext: %" PRIu64 " of %" PRIu64 " freed",
			    srv.ext_frees, srv.ext_calls);
	} else if (!cell_failed) {
		dump_state();
	}

	for (k = 0; k < TCPE_MIB_N; k++)
		res->mib[k] = mib(&cli, k) + mib(&srv, k);
	for (k = 0; k < TCPE_FAULT_KINDS; k++)
		for (i = 0; i < TCPE_FAULT_DIRS; i++)
			res->fault[k] += cli.w->dp.fault_ctr[TCPE_FAULT_CTR(i,
			    k)] + srv.w->dp.fault_ctr[TCPE_FAULT_CTR(i, k)];
	res->csum_err = cli.w->dp.ctr[TCPE_DP_RX_TCP_CSUM] +
	    srv.w->dp.ctr[TCPE_DP_RX_TCP_CSUM] +
	    cli.w->dp.ctr[TCPE_DP_RX_BAD_TCP] +
	    srv.w->dp.ctr[TCPE_DP_RX_BAD_TCP];
	res->frames = c2s.frames + s2c.frames;

	if ((cell_failed || opt_trace_all) && opt_trace_frames > 0) {
		snprintf(path, sizeof(path), "%s.%s.trace", opt_out,
		    ce->name);
		trace_dump(path);
	}

	/* Tear down whatever is left (a failed cell leaves a lot). */
	if (cli.s != NULL) {
		tcpe_abort(cli.s);
		tcpe_close(cli.s);
		cli.s = NULL;
	}
	if (srv.s != NULL) {
		tcpe_abort(srv.s);
		tcpe_close(srv.s);
		srv.s = NULL;
	}
	if (srv.l != NULL)
		tcpe_close(srv.l);
	tcpe_embed_destroy(cli.w);
	tcpe_embed_destroy(srv.w);
	wire_flush(&c2s);
	wire_flush(&s2c);
	if (cli.tb_len > 0)
		tcpe_txbuf_put(&cli.tb);
	if (srv.cur != NULL)
		chunk_put(srv.cur);
	if (!cell_failed && (rte_mempool_in_use_count(pa) != 0 ||
	    rte_mempool_in_use_count(pb) != 0))
		fail("mbufs in use after the cell: %u %u",
		    rte_mempool_in_use_count(pa), rte_mempool_in_use_count(pb));
	if (!cell_failed && srv.ext_frees != srv.ext_calls)
		fail("send_ext: %" PRIu64 " of %" PRIu64 " freed after destroy",
		    srv.ext_frees, srv.ext_calls);
	res->ok = !cell_failed;
	if (cell_failed && res->wall == 0)
		res->wall = wall() - wall0;
}

/* --- output --------------------------------------------------------------- */

static const int tsv_mibs[] = {
	TCPE_MIB_RETRANS_SEGS, TCPE_MIB_FAST_RETRANS, TCPE_MIB_SACK_RECOVERY,
	TCPE_MIB_RENO_RECOVERY, TCPE_MIB_TIMEOUTS, TCPE_MIB_OFO_QUEUE,
	TCPE_MIB_OFO_DROP, TCPE_MIB_DSACK_SENT, TCPE_MIB_DSACK_RECV,
	TCPE_MIB_DROP_OUT_OF_WINDOW, TCPE_MIB_PAWS_ESTAB,
	TCPE_MIB_DELAYED_ACKS, TCPE_MIB_OUT_SEGS, TCPE_MIB_IN_SEGS,
	TCPE_MIB_ESTAB_RESETS, TCPE_MIB_LOSS_PROBES, TCPE_MIB_LOST_RETRANSMIT,
	TCPE_MIB_RACK_REO_TIMEOUTS,
};
#define NTSV_MIBS	(sizeof(tsv_mibs) / sizeof(tsv_mibs[0]))

static void
write_tsv(FILE *f, const struct result *r, unsigned int n,
    const char *when)
{
	unsigned int i, k;

	fprintf(f, "# xfer_matrix %s: %" PRIu64 " bytes each way, link %"
	    PRIu64 " Mbit/s each way, %" PRIu64 " us one way, seed %u, %s "
	    "profile\n", when, opt_bytes, opt_rate_mbps, opt_delay_us,
	    opt_seed, opt_quick ? "quick" : "full");
	fprintf(f, "cell\tresult\tbytes_each_way\twall_s\tsim_s\t"
	    "c2s_mbps_wall\ts2c_mbps_wall\tc2s_mbps_sim\ts2c_mbps_sim\tframes");
	for (k = 0; k < NTSV_MIBS; k++)
		fprintf(f, "\t%s", tcpe_mib_name(tsv_mibs[k]));
	fprintf(f, "\tfault_loss\tfault_dup\tfault_reorder\tfault_corrupt\t"
	    "rx_csum_errors\tsha256_c2s\tsha256_s2c\tdescription\treason\n");
	for (i = 0; i < n; i++, r++) {
		const struct cell *ce = NULL;
		unsigned int c;

		for (c = 0; c < NCELLS; c++)
			if (strcmp(cells[c].name, r->name) == 0)
				ce = &cells[c];
		fprintf(f, "%s\t%s\t%" PRIu64 "\t%.3f\t%.3f\t%.1f\t%.1f\t%.1f\t"
		    "%.1f\t%" PRIu64, r->name, r->ok ? "ok" : "FAIL", opt_bytes,
		    r->wall, r->sim, r->mbps_wall[0], r->mbps_wall[1],
		    r->mbps_sim[0], r->mbps_sim[1], r->frames);
		for (k = 0; k < NTSV_MIBS; k++)
			fprintf(f, "\t%" PRIu64, r->mib[tsv_mibs[k]]);
		fprintf(f, "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
		    "\t%" PRIu64 "\t%s\t%s\t%s\t%s\n", r->fault[TCPE_FAULT_LOSS],
		    r->fault[TCPE_FAULT_DUP], r->fault[TCPE_FAULT_REORDER],
		    r->fault[TCPE_FAULT_CORRUPT], r->csum_err,
		    r->sha[0][0] ? r->sha[0] : "-",
		    r->sha[1][0] ? r->sha[1] : "-", ce != NULL ? ce->desc : "",
		    r->ok ? "" : r->why);
	}
}

static void
print_row(const struct result *r)
{
	printf("%-18s %-4s %8.2f %8.2f %8.1f %8.1f %8.1f %8.1f %7" PRIu64
	    " %6" PRIu64 " %5" PRIu64 " %5" PRIu64 " %5" PRIu64 " %7" PRIu64
	    " %6" PRIu64 "\n", r->name, r->ok ? "ok" : "FAIL", r->wall,
	    r->sim, r->mbps_wall[0], r->mbps_wall[1], r->mbps_sim[0],
	    r->mbps_sim[1], r->mib[TCPE_MIB_RETRANS_SEGS],
	    r->mib[TCPE_MIB_FAST_RETRANS],
	    r->mib[TCPE_MIB_SACK_RECOVERY], r->mib[TCPE_MIB_RENO_RECOVERY],
	    r->mib[TCPE_MIB_TIMEOUTS], r->mib[TCPE_MIB_OFO_QUEUE],
	    r->mib[TCPE_MIB_DSACK_SENT]);
}

static void
print_head(void)
{
	printf("%-18s %-4s %8s %8s %8s %8s %8s %8s %7s %6s %5s %5s %5s %7s "
	    "%6s\n", "cell", "res", "wall_s", "sim_s", "c2s/w", "s2c/w",
	    "c2s/sim", "s2c/sim", "Retrans", "FastRx", "SackR", "RenoR",
	    "RTOs", "OFOQ", "DSACK");
}

static bool
selected(const char *name)
{
	const char *p = opt_cells;
	size_t n = strlen(name);

	if (p == NULL)
		return true;
	while (*p != '\0') {
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		p++;
	}
	return false;
}

static uint64_t
num(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s)
		die("%s: bad number '%s'", opt, s);
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end != '\0')
		die("%s: bad number '%s'", opt, s);
	return v;
}

static void
usage(void)
{
	unsigned int i;

	printf("usage: xfer_matrix [EAL options] -- [--quick] [--bytes N] "
	    "[--out FILE] [--cells a,b] [--list] [--seed S] [--rate-mbps R] "
	    "[--delay-us D] [--cell-wall SECS] [--cell-sim SECS] "
	    "[--trace-frames N] [--trace-all]\ncells (* quick):\n");
	for (i = 0; i < NCELLS; i++)
		printf("  %-18s %s %s\n", cells[i].name,
		    cells[i].quick ? "*" : " ", cells[i].desc);
}

static void
parse(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

#define NEED()	do { if (v == NULL) die("%s needs a value", a); i++; } while (0)
		if (strcmp(a, "--") == 0) {
			continue;
		} else if (strcmp(a, "--quick") == 0) {
			opt_quick = true;
		} else if (strcmp(a, "--list") == 0 ||
		    strcmp(a, "--help") == 0) {
			usage();
			exit(0);
		} else if (strcmp(a, "--bytes") == 0) {
			NEED();
			opt_bytes = num(a, v);
			opt_bytes_set = true;
		} else if (strcmp(a, "--out") == 0) {
			NEED();
			opt_out = v;
		} else if (strcmp(a, "--cells") == 0) {
			NEED();
			opt_cells = v;
		} else if (strcmp(a, "--seed") == 0) {
			NEED();
			opt_seed = (uint32_t)num(a, v);
		} else if (strcmp(a, "--rate-mbps") == 0) {
			NEED();
			opt_rate_mbps = num(a, v);
		} else if (strcmp(a, "--delay-us") == 0) {
			NEED();
			opt_delay_us = num(a, v);
		} else if (strcmp(a, "--cell-wall") == 0) {
			NEED();
			opt_cell_wall = (double)num(a, v);
		} else if (strcmp(a, "--cell-sim") == 0) {
			NEED();
			opt_cell_sim = (double)num(a, v);
		} else if (strcmp(a, "--trace-frames") == 0) {
			NEED();
			opt_trace_frames = (uint32_t)num(a, v);
		} else if (strcmp(a, "--trace-all") == 0) {
			opt_trace_all = true;
		} else {
			usage();
			die("unknown option %s", a);
		}
#undef NEED
	}
	if (opt_quick && !opt_bytes_set)
		opt_bytes = 4u << 20;
	if (opt_bytes == 0 || opt_rate_mbps == 0)
		die("--bytes and --rate-mbps must be above 0");
	if (opt_cell_wall == 0)
		opt_cell_wall = 60 + 2.0 * (double)(opt_bytes >> 20);
}

int
main(int argc, char **argv)
{
	static struct result results[NCELLS];
	struct rte_mempool *pa, *pb;
	unsigned int i, n = 0, nfail = 0;
	double t0;
	FILE *f;
	int rc;

	rc = rte_eal_init(argc, argv);
	if (rc < 0)
		die("rte_eal_init: %s", rte_strerror(rte_errno));
	parse(argc - rc, argv + rc);
	if (mx_sha256_selftest() != 0)
		die("sha256 self-test failed");
	rate_ps_per_byte = 8000000 / opt_rate_mbps;	/* 8e12 / (R * 1e6) */
	if (opt_trace_frames > 0) {
		trace = calloc(opt_trace_frames, sizeof(*trace));
		if (trace == NULL)
			die("out of memory");
	}
	pa = pool("mx_client");
	pb = pool("mx_server");
	/* Fail early, not after the matrix, when the file cannot be written. */
	f = fopen(opt_out, "w");
	if (f == NULL)
		die("%s: %s", opt_out, strerror(errno));

	printf("xfer_matrix: %s profile, %" PRIu64 " bytes each way, link %"
	    PRIu64 " Mbit/s, %" PRIu64 " us one way, seed %u, cell bounds %.0f "
	    "s wall, %.0f s simulated\n", opt_quick ? "quick" : "full",
	    opt_bytes, opt_rate_mbps, opt_delay_us, opt_seed, opt_cell_wall,
	    opt_cell_sim);
	print_head();
	t0 = wall();
	for (i = 0; i < NCELLS; i++) {
		if (!selected(cells[i].name))
			continue;
		if (opt_quick && opt_cells == NULL && !cells[i].quick)
			continue;
		res = &results[n];
		run_cell(&cells[i], i, pa, pb);
		if (!res->ok)
			nfail++;
		n++;
		print_row(res);
		fflush(stdout);
	}
	if (n == 0)
		die("no cell selected (--list)");
	printf("\n");
	print_head();
	for (i = 0; i < n; i++)
		print_row(&results[i]);
	{
		char when[32];
		time_t t = time(NULL);

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		write_tsv(f, results, n, when);
	}
	fclose(f);
	printf("xfer_matrix: %u cells, %u failed, %.1f s wall; "
	    "Mbit/s per wall second (/w) and per simulated second (/sim); "
	    "table in %s\n", n, nfail, wall() - t0, opt_out);
	for (i = 0; i < n; i++)
		if (!results[i].ok)
			printf("xfer_matrix: FAILED %s: %s\n", results[i].name,
			    results[i].why);
	free(trace);
	rte_mempool_free(pa);
	rte_mempool_free(pb);
	rte_eal_cleanup();
	return nfail == 0 ? 0 : 1;
}
