/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two embedded tcpe workers in one DPDK process, joined by a simulated
 * wire: a client at 198.18.0.1 and a server at 198.18.0.2. No device:
 * every frame one worker gives to tcpe_embed_output() is copied into a
 * fresh mbuf of the other side's pool (as a NIC would receive it), the
 * original is freed (as a TX completion would) and the copy goes to the
 * other worker's tcpe_embed_input(). ARP resolves through the same path.
 * Time is simulated: tcpe_embed_timers() gets the test's clock.
 *
 * Checked, in order:
 *  1. the link layer on the server: an ICMP echo request is answered
 *     with correct checksums; a runt, a bad IPv4 checksum, a fragment and
 *     a bad TCP checksum are dropped and counted; IPv6 and a frame for
 *     another MAC are handed back untouched;
 *  2. a connection: 4 MB each way. Client to server with tcpe_send() on
 *     engine buffers filled in place; server to client with
 *     tcpe_send_ext() of a static buffer (1 MB send buffers and windows,
 *     so one call spans several 64 KB attachments, and the bulk release
 *     below makes one burst overflow the output array, which is drained
 *     and the connection resumed). The server reads zero-copy
 *     with tcpe_recv() and holds views for up to 64 rounds (a full
 *     window) before releasing them all at once; the client reads with tcpe_recv_copy() into a
 *     1000-byte buffer. Both streams are compared byte by byte and by
 *     FNV-1a checksum;
 *  3. the close: both shut down writing after their data, close on end
 *     of stream, the timers run past TIME_WAIT; then no connection is
 *     left, every send_ext free callback ran exactly once, and both pools
 *     hold as many mbufs in use as before the test.
 *
 * Arguments: EAL options (meson passes --no-huge -m 256 --no-pci
 * --file-prefix ...). Exit 0 on success.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
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
#include "tcpe_api.h"	/* internal: counters and held frames */
#include "tcpe_wire.h"

#define CLI_ADDR	0xc6120001u	/* 198.18.0.1 */
#define SRV_ADDR	0xc6120002u	/* 198.18.0.2 */
#define SRV_PORT	80
#define TOTAL		(4u << 20)	/* bytes each way */
#define POOL_MBUFS	8191
#define BURST		64
#define STEP		TCPE_US(10)	/* simulated time per round */
#define IDLE_STEP	TCPE_MS(1)	/* ... when nothing moved */
#define LIMIT		TCPE_S(600)
#define HOLD_MAX	1024		/* views the server holds at most */
#define HOLD_ROUNDS	64		/* ... and for at most this many rounds */
#define COPY_BUF	1000

static const uint8_t cli_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t srv_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static int failed;

#define CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "test_embed: %s:%d: %s: ", __FILE__, \
			    __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			failed = 1; \
			exit(1); \
		} \
	} while (0)

/* Byte i of the stream in direction dir (0: client to server). */
static inline uint8_t
pat(int dir, uint64_t i)
{
	return (uint8_t)(((i * 2654435761u) >> 13) ^ (i >> 7) ^
	    (uint64_t)(dir ? 0x5a : 0xa5));
}

static inline uint64_t
fnv(uint64_t h, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

#define FNV0	0xcbf29ce484222325ULL

/* One side's application. */
struct side {
	const char *name;
	struct tcpe_worker *w;
	struct rte_mempool *pool;
	struct tcpe_sock *s;		/* the connection; NULL: closed */
	struct tcpe_sock *l;		/* server: the listener */
	int dir;			/* direction of what it sends */
	uint64_t sent;
	uint64_t rcvd;
	uint64_t sum_tx;
	uint64_t sum_rx;
	bool connected;
	bool shut;
	bool eof;
	bool closed_ev;
	/* Client: the engine buffer being sent. */
	struct tcpe_txbuf tb;
	uint32_t tb_len;
	/* Server: views held across iterations, and send_ext accounting. */
	struct tcpe_rx held[HOLD_MAX];
	unsigned int nheld;
	uint64_t ext_calls;
	uint64_t ext_frees;
};

static struct side cli, srv;
static uint8_t srv_data[TOTAL];
static uint64_t now;

/* --- the applications ----------------------------------------------------- */

static void srv_release(struct side *a);

static void
maybe_close(struct side *a)
{
	if (a->s != NULL && a->eof && a->shut && a->sent == TOTAL) {
		srv_release(a);
		tcpe_close(a->s);
		a->s = NULL;
	}
}

static void
cli_push(struct side *a)
{
	uint32_t i, n;
	int rc;

	while (a->s != NULL && a->sent < TOTAL) {
		if (a->tb.m == NULL) {
			if (tcpe_txbuf_get(a->w, &a->tb) != 0)
				return;
			n = a->tb.room;
			if (n > TOTAL - a->sent)
				n = (uint32_t)(TOTAL - a->sent);
			for (i = 0; i < n; i++)
				a->tb.data[i] = pat(a->dir, a->sent + i);
			a->tb_len = n;
		}
		rc = tcpe_send(a->s, &a->tb, a->tb_len);
		CHECK(rc >= 0, "%s: tcpe_send: %d", a->name, rc);
		a->sent += (uint32_t)rc;
		a->tb_len -= (uint32_t)rc;
		if (a->tb_len > 0)
			return;		/* wait for writable */
	}
	if (a->s != NULL && a->sent == TOTAL && !a->shut) {
		CHECK(tcpe_shutdown(a->s, TCPE_SHUT_WR) == 0, "%s: shutdown",
		    a->name);
		a->shut = true;
		maybe_close(a);
	}
}

static void
ext_free(void *addr, void *opaque)
{
	struct side *a = opaque;

	CHECK((uint8_t *)addr >= srv_data &&
	    (uint8_t *)addr < srv_data + TOTAL, "free_fn address %p", addr);
	a->ext_frees++;
}

static void
srv_push(struct side *a)
{
	int rc;

	while (a->s != NULL && a->sent < TOTAL) {
		rc = tcpe_send_ext(a->s, srv_data + a->sent,
		    (uint32_t)(TOTAL - a->sent), ext_free, a);
		CHECK(rc >= 0, "%s: tcpe_send_ext: %d", a->name, rc);
		if (rc == 0)
			return;
		a->ext_calls++;
		a->sent += (uint32_t)rc;
	}
	if (a->s != NULL && a->sent == TOTAL && !a->shut) {
		CHECK(tcpe_shutdown(a->s, TCPE_SHUT_WR) == 0, "%s: shutdown",
		    a->name);
		a->shut = true;
		maybe_close(a);
	}
}

static void
check_bytes(struct side *a, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	CHECK(a->rcvd + n <= TOTAL, "%s: more than %u bytes", a->name,
	    TOTAL);
	for (i = 0; i < n; i++)
		CHECK(p[i] == pat(!a->dir, a->rcvd + i), "%s: stream byte %"
		    PRIu64 " is %#x, want %#x", a->name, a->rcvd + i, p[i],
		    pat(!a->dir, a->rcvd + i));
	a->sum_rx = fnv(a->sum_rx, p, n);
	a->rcvd += n;
}

static void
srv_release(struct side *a)
{
	if (a->nheld == 0)
		return;
	tcpe_rx_release(a->s, a->held, a->nheld);
	a->nheld = 0;
}

/* Server: zero-copy reads; the views are released every HOLD_ROUNDS. */
static void
srv_read(struct side *a)
{
	int rc, i;

	while (a->s != NULL) {
		if (a->nheld == HOLD_MAX)
			srv_release(a);
		rc = tcpe_recv(a->s, a->held + a->nheld, HOLD_MAX - a->nheld);
		if (rc == -EAGAIN)
			return;
		if (rc == 0) {
			a->eof = true;
			return;
		}
		CHECK(rc > 0, "%s: tcpe_recv: %d", a->name, rc);
		for (i = 0; i < rc; i++)
			check_bytes(a, a->held[a->nheld + i].data,
			    a->held[a->nheld + i].len);
		a->nheld += (unsigned int)rc;
	}
}

/* Client: copying reads into a small buffer (splits received chunks). */
static void
cli_read(struct side *a)
{
	uint8_t buf[COPY_BUF];
	int rc;

	while (a->s != NULL) {
		rc = tcpe_recv_copy(a->s, buf, sizeof(buf));
		if (rc == -EAGAIN)
			return;
		if (rc == 0) {
			a->eof = true;
			return;
		}
		CHECK(rc > 0 && rc <= COPY_BUF, "%s: tcpe_recv_copy: %d",
		    a->name, rc);
		check_bytes(a, buf, (uint32_t)rc);
	}
}

static void
on_connected(struct tcpe_sock *s, void *ctx)
{
	struct side *a = ctx;

	CHECK(s == a->s, "connected on a stranger");
	a->connected = true;
	cli_push(a);
}

static void
on_accept(struct tcpe_sock *l, struct tcpe_sock *s, void *ctx)
{
	struct side *a = ctx;

	CHECK(l == a->l && a->s == NULL, "a second connection");
	CHECK(tcpe_sock_worker(s) == a->w, "accepted on another worker");
	CHECK(strcmp(tcpe_sock_state(s), "ESTABLISHED") == 0, "state %s",
	    tcpe_sock_state(s));
	a->s = s;
	a->connected = true;
	srv_push(a);
}

static void
on_readable(struct tcpe_sock *s, void *ctx)
{
	struct side *a = ctx;

	(void)s;
	if (a == &srv)
		srv_read(a);
	else
		cli_read(a);
}

static void
on_writable(struct tcpe_sock *s, void *ctx)
{
	struct side *a = ctx;

	(void)s;
	if (a == &srv)
		srv_push(a);
	else
		cli_push(a);
}

static void
on_eof(struct tcpe_sock *s, void *ctx)
{
	struct side *a = ctx;

	on_readable(s, ctx);
	a->eof = true;
	/* Closing from a callback: nothing more may run for s. */
	maybe_close(a);
}

static void
on_error(struct tcpe_sock *s, int err, void *ctx)
{
	struct side *a = ctx;

	(void)s;
	CHECK(0, "%s: connection error %d", a->name, err);
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
	.eof = on_eof,
	.error = on_error,
	.closed = on_closed,
};

/* --- the wire ------------------------------------------------------------- */

/* What a NIC would do: a contiguous copy in the receiver's pool. */
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
	rte_pktmbuf_free(m);
	return c;
}

static uint64_t frames_moved;
static uint64_t handed_back;

/* Move what from wants sent into to. Returns the frames moved. */
static unsigned int
carry(struct side *from, struct side *to)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int total = 0;
	uint16_t n, i, back;

	do {
		n = tcpe_embed_output(from->w, pkts, BURST);
		for (i = 0; i < n; i++) {
			/* Every frame must be complete: no offloads here. */
			CHECK(!(pkts[i]->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM |
			    RTE_MBUF_F_TX_TCP_CKSUM)), "offload flags set");
			pkts[i] = wire_copy(pkts[i], to->pool);
		}
		back = n > 0 ? tcpe_embed_input(to->w, pkts, n, now) : 0;
		/* Only the other side's gratuitous ARP is not for us. */
		for (i = 0; i < back; i++)
			rte_pktmbuf_free(pkts[i]);
		handed_back += back;
		total += n;
	} while (n == BURST);
	frames_moved += total;
	return total;
}

/* --- step 1: link and network layer checks on the server ------------------ */

static struct rte_mbuf *
frame(struct rte_mempool *mp, const uint8_t *dst, uint16_t type,
    const void *l3, uint32_t len)
{
	struct rte_ether_hdr *eth;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *p;

	CHECK(m != NULL, "no mbuf");
	p = rte_pktmbuf_append(m, (uint16_t)(RTE_ETHER_HDR_LEN + len));
	CHECK(p != NULL, "append");
	eth = (struct rte_ether_hdr *)p;
	memcpy(&eth->dst_addr, dst, 6);
	memcpy(&eth->src_addr, cli_mac, 6);
	eth->ether_type = rte_cpu_to_be_16(type);
	memcpy(p + RTE_ETHER_HDR_LEN, l3, len);
	return m;
}

/* An IPv4 datagram from the client to the server into buf; its length. */
static uint32_t
ip4(uint8_t *buf, uint8_t proto, const void *payload, uint32_t plen)
{
	struct tcpe_ip4 ip;

	memset(&ip, 0, sizeof(ip));
	ip.src = CLI_ADDR;
	ip.dst = SRV_ADDR;
	ip.tot_len = (uint16_t)(TCPE_IP4_HDR_LEN + plen);
	ip.id = 7;
	ip.ttl = 64;
	ip.proto = proto;
	CHECK(tcpe_wire_ip4_build(buf, TCPE_IP4_HDR_LEN, &ip) ==
	    TCPE_IP4_HDR_LEN, "ip4 build");
	memcpy(buf + TCPE_IP4_HDR_LEN, payload, plen);
	return TCPE_IP4_HDR_LEN + plen;
}

/* Feed one frame to the server; returns what it handed back (0 or 1). */
static uint16_t
feed_srv(struct rte_mbuf *m)
{
	struct rte_mbuf *pkts[1] = { m };
	uint16_t back;

	back = tcpe_embed_input(srv.w, pkts, 1, now);
	if (back == 1)
		CHECK(pkts[0] == m, "handed back another frame");
	return back;
}

static uint64_t
ctr(const struct side *a, int id)
{
	return a->w->dp.ctr[id];
}

static void
link_checks(void)
{
	static const uint8_t other_mac[6] = { 0x02, 9, 9, 9, 9, 9 };
	uint8_t icmp[64], dgram[128], tcp[20];
	struct rte_mbuf *m, *out[8];
	struct tcpe_oseg o;
	const uint8_t *p;
	uint32_t len, i;
	uint16_t n, k, csum;
	bool got_reply = false;
	uint64_t before;

	/* ICMP echo request, 56 bytes of data. */
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 8;
	icmp[4] = 0x12;
	icmp[6] = 0x34;
	for (i = 8; i < sizeof(icmp); i++)
		icmp[i] = (uint8_t)i;
	csum = tcpe_csum(icmp, sizeof(icmp));
	memcpy(icmp + 2, &csum, 2);
	len = ip4(dgram, 1, icmp, sizeof(icmp));
	CHECK(feed_srv(frame(srv.pool, srv_mac, RTE_ETHER_TYPE_IPV4, dgram,
	    len)) == 0, "echo request handed back");
	n = tcpe_embed_output(srv.w, out, 8);
	for (k = 0; k < n; k++) {
		m = out[k];
		p = rte_pktmbuf_mtod(m, const uint8_t *);
		if (p[12] == 0x08 && p[13] == 0x00 && p[23] == 1) {
			struct tcpe_ip4 ip;

			CHECK(memcmp(p, cli_mac, 6) == 0 &&
			    memcmp(p + 6, srv_mac, 6) == 0, "reply MACs");
			CHECK(tcpe_wire_ip4_parse(p + 14, m->data_len - 14,
			    &ip) == 0, "reply IPv4 header");
			CHECK(ip.src == SRV_ADDR && ip.dst == CLI_ADDR,
			    "reply addresses");
			CHECK(ip.tot_len == len, "reply length %u", ip.tot_len);
			CHECK(p[34] == 0 && tcpe_csum(p + 34, sizeof(icmp)) ==
			    0, "echo reply type/checksum");
			CHECK(memcmp(p + 38, icmp + 4, sizeof(icmp) - 4) == 0,
			    "echo reply data");
			got_reply = true;
		}
		rte_pktmbuf_free(m);
	}
	CHECK(got_reply, "no echo reply among %u frames", n);
	CHECK(ctr(&srv, TCPE_DP_ICMP_ECHO) == 1, "icmp_echo");

	/* Runt. */
	m = rte_pktmbuf_alloc(srv.pool);
	CHECK(rte_pktmbuf_append(m, 10) != NULL, "append");
	CHECK(feed_srv(m) == 0, "runt handed back");
	CHECK(ctr(&srv, TCPE_DP_RX_BAD_ETH) == 1, "rx_bad_eth");

	/* Bad IPv4 header checksum. */
	len = ip4(dgram, 1, icmp, sizeof(icmp));
	dgram[10] ^= 0x55;
	CHECK(feed_srv(frame(srv.pool, srv_mac, RTE_ETHER_TYPE_IPV4, dgram,
	    len)) == 0, "bad IP handed back");
	CHECK(ctr(&srv, TCPE_DP_RX_IP_CSUM) == 1, "rx_ip_csum");

	/* A fragment (MF set), with a correct header checksum. */
	len = ip4(dgram, 1, icmp, sizeof(icmp));
	dgram[6] = 0x20;	/* MF, offset 0 */
	dgram[10] = dgram[11] = 0;
	csum = tcpe_csum(dgram, TCPE_IP4_HDR_LEN);
	memcpy(dgram + 10, &csum, 2);
	CHECK(feed_srv(frame(srv.pool, srv_mac, RTE_ETHER_TYPE_IPV4, dgram,
	    len)) == 0, "fragment handed back");
	CHECK(ctr(&srv, TCPE_DP_RX_FRAG) == 1, "rx_frag");

	/* A TCP SYN with a wrong checksum: dropped, no RST sent. */
	memset(&o, 0, sizeof(o));
	o.t.laddr = CLI_ADDR;
	o.t.raddr = SRV_ADDR;
	o.t.lport = 5555;
	o.t.rport = SRV_PORT;
	o.seq = 1;
	o.flags = TCPE_TH_SYN;
	o.wnd = 1000;
	CHECK(tcpe_wire_tcp_build(tcp, sizeof(tcp), &o) == 20, "tcp build");
	csum = (uint16_t)(tcpe_wire_tcp_csum(CLI_ADDR, SRV_ADDR, tcp, 20, NULL,
	    0, NULL) ^ 0x0101);
	memcpy(tcp + TCPE_TCP_CSUM_OFF, &csum, 2);
	len = ip4(dgram, TCPE_IPPROTO_TCP, tcp, sizeof(tcp));
	before = ctr(&srv, TCPE_DP_TX_PKTS);
	CHECK(feed_srv(frame(srv.pool, srv_mac, RTE_ETHER_TYPE_IPV4, dgram,
	    len)) == 0, "bad TCP handed back");
	CHECK(ctr(&srv, TCPE_DP_RX_TCP_CSUM) == 1, "rx_tcp_csum");
	CHECK(srv.w->dp.tx_n == 0 && ctr(&srv, TCPE_DP_TX_PKTS) == before,
	    "a reply to a corrupt segment");

	/* Not ours: IPv6, and IPv4 to another MAC, come back untouched. */
	m = frame(srv.pool, srv_mac, RTE_ETHER_TYPE_IPV6, dgram, 40);
	CHECK(feed_srv(m) == 1, "IPv6 not handed back");
	rte_pktmbuf_free(m);
	len = ip4(dgram, 1, icmp, sizeof(icmp));
	m = frame(srv.pool, other_mac, RTE_ETHER_TYPE_IPV4, dgram, len);
	CHECK(feed_srv(m) == 1, "frame for another MAC not handed back");
	rte_pktmbuf_free(m);
	CHECK(ctr(&srv, TCPE_DP_RX_OTHER_ETHERTYPE) == 1 &&
	    ctr(&srv, TCPE_DP_RX_L2_OTHER) == 1, "not-mine counters");
}

/* --- main ----------------------------------------------------------------- */

static void
make_side(struct side *a, const char *name, uint32_t addr,
    const uint8_t *mac, int dir, const char *const *set, unsigned int nset)
{
	struct tcpe_embed_params p;
	char pname[32];

	memset(a, 0, sizeof(*a));
	a->name = name;
	a->dir = dir;
	a->sum_tx = FNV0;
	a->sum_rx = FNV0;
	snprintf(pname, sizeof(pname), "test_%s", name);
	a->pool = rte_pktmbuf_pool_create(pname, POOL_MBUFS, 256, 0,
	    RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	CHECK(a->pool != NULL, "%s: pool: %s", name,
	    rte_strerror(rte_errno));
	memset(&p, 0, sizeof(p));
	p.set = set;
	p.nset = nset;
	p.addr = addr;
	p.prefix = 24;
	memcpy(p.mac, mac, 6);
	p.mtu = 1500;
	p.port_id = UINT16_MAX;		/* no port: no offloads */
	p.pool = a->pool;
	p.now = now;
	a->w = tcpe_embed_create(&p);
	CHECK(a->w != NULL, "%s: tcpe_embed_create: %s", name,
	    strerror(errno));
}

static void
run_until(bool (*done)(void), const char *what)
{
	static uint64_t round;
	unsigned int moved;

	while (!done()) {
		CHECK(now < LIMIT, "%s: not done after %" PRIu64 " s simulated"
		    " (client sent %" PRIu64 " rcvd %" PRIu64 ", server sent %"
		    PRIu64 " rcvd %" PRIu64 ")", what,
		    (uint64_t)(now / TCPE_S(1)),
		    cli.sent, cli.rcvd, srv.sent, srv.rcvd);
		moved = carry(&cli, &srv);
		moved += carry(&srv, &cli);
		tcpe_embed_timers(cli.w, now);
		tcpe_embed_timers(srv.w, now);
		/* The applications' own work between events. */
		if (srv.s != NULL && ++round % HOLD_ROUNDS == 0)
			srv_release(&srv);
		if (cli.s != NULL && cli.connected)
			cli_push(&cli);
		if (srv.s != NULL)
			srv_push(&srv);
		maybe_close(&cli);
		maybe_close(&srv);
		now += moved > 0 ? STEP : IDLE_STEP;
	}
}

static bool
transfer_done(void)
{
	return cli.s == NULL && srv.s == NULL && cli.eof && srv.eof;
}

static bool
all_gone(void)
{
	return tcpe_worker_conns(cli.w) == 0 && tcpe_worker_conns(srv.w) == 1;
}

/*
 * tcpe_app_args(): where an application's own arguments start, the same
 * split as tcpe_init()'s (needs no engine).
 */
static void
check_app_args(void)
{
	static const struct {
		const char *argv[7];
		int argc, want;
	} t[] = {
		{ { "a" }, 1, 1 },
		{ { "a", "--port", "80" }, 3, 1 },
		{ { "a", "--config", "f", "--port" }, 4, 3 },
		{ { "a", "--config=f", "--set", "x.y=1", "--", "--set" }, 6, 5 },
		{ { "a", "--set=x.y=1", "--help-config", "-c", "1" }, 5, 3 },
		{ { "a", "--configx", "f" }, 3, 1 },
		{ { "a", "--set" }, 2, 2 },
		{ { "a", "--config", "f", "--" }, 4, 4 },
	};
	unsigned int k;

	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++)
		CHECK(tcpe_app_args(t[k].argc, (char **)t[k].argv) ==
		    t[k].want, "case %u: %d, expected %d", k,
		    tcpe_app_args(t[k].argc, (char **)t[k].argv), t[k].want);
}

int
main(int argc, char **argv)
{
	/*
	 * 1 MB buffers: one send_ext call spans 16 attachments; and when
	 * the server releases the views it held (up to a full 1 MB window)
	 * in one go, the window update lets the client's core emit more
	 * segments than the output array holds, so the drain must resume
	 * the connection.
	 */
	static const char *const srv_set[] = {
		"tcp.tcp_wmem=4096 1048576 4194304",
		"tcp.tcp_rmem=4096 1048576 6291456",
	};
	static const char *const cli_set[] = {
		"tcp.tcp_wmem=4096 1048576 4194304",
		"tcp.tcp_rmem=4096 1048576 6291456",
	};
	unsigned int base_cli, base_srv;
	uint64_t i, t_end;
	int rc;

	check_app_args();
	rc = rte_eal_init(argc, argv);
	CHECK(rc >= 0, "rte_eal_init: %s", rte_strerror(rte_errno));

	for (i = 0; i < TOTAL; i++)
		srv_data[i] = pat(1, i);
	make_side(&cli, "client", CLI_ADDR, cli_mac, 0, cli_set, 1);
	make_side(&srv, "server", SRV_ADDR, srv_mac, 1, srv_set, 2);
	/* Each side announced itself: drop those, then take the baseline. */
	carry(&cli, &srv);
	carry(&srv, &cli);
	CHECK(handed_back == 2, "gratuitous ARPs handed back: %" PRIu64,
	    handed_back);
	base_cli = rte_mempool_in_use_count(cli.pool);
	base_srv = rte_mempool_in_use_count(srv.pool);
	CHECK(base_cli == 0 && base_srv == 0, "in use at start: %u %u",
	    base_cli, base_srv);

	link_checks();
	CHECK(rte_mempool_in_use_count(srv.pool) == base_srv,
	    "link checks leaked %u mbufs",
	    rte_mempool_in_use_count(srv.pool) - base_srv);

	srv.l = tcpe_listen(srv.w, 0, SRV_PORT, 16, &handlers, &srv);
	CHECK(srv.l != NULL, "listen: %s", strerror(errno));
	CHECK(tcpe_listen(srv.w, 0, SRV_PORT, 16, &handlers, &srv) == NULL &&
	    errno == EADDRINUSE, "second listener");
	cli.s = tcpe_connect(cli.w, SRV_ADDR, SRV_PORT, &handlers, &cli);
	CHECK(cli.s != NULL, "connect: %s", strerror(errno));
	CHECK(strcmp(tcpe_sock_state(cli.s), "SYN_SENT") == 0, "state %s",
	    tcpe_sock_state(cli.s));

	run_until(transfer_done, "transfer");
	t_end = now;
	CHECK(cli.rcvd == TOTAL && srv.rcvd == TOTAL, "received %" PRIu64
	    " and %" PRIu64, cli.rcvd, srv.rcvd);
	for (i = 0, cli.sum_tx = FNV0; i < TOTAL; i++) {
		uint8_t b = pat(0, i);

		cli.sum_tx = fnv(cli.sum_tx, &b, 1);
	}
	srv.sum_tx = fnv(FNV0, srv_data, TOTAL);
	CHECK(cli.sum_tx == srv.sum_rx, "client to server checksum");
	CHECK(srv.sum_tx == cli.sum_rx, "server to client checksum");
	CHECK(srv.ext_calls > 0 && srv.ext_frees <= srv.ext_calls,
	    "send_ext calls %" PRIu64 " frees %" PRIu64, srv.ext_calls,
	    srv.ext_frees);

	/* TIME_WAIT is 60 s by default: run the clock past it. */
	run_until(all_gone, "TIME_WAIT");
	tcpe_close(srv.l);
	CHECK(tcpe_worker_conns(srv.w) == 0, "server connections left");
	CHECK(srv.ext_frees == srv.ext_calls, "send_ext calls %" PRIu64
	    " frees %" PRIu64, srv.ext_calls, srv.ext_frees);
	CHECK(srv.w->dp.ext_live == 0, "send_ext records live: %u",
	    srv.w->dp.ext_live);
	CHECK(tcpe_dp_held(&cli.w->dp) == 0 && tcpe_dp_held(&srv.w->dp) == 0,
	    "frames held");
	CHECK(rte_mempool_in_use_count(cli.pool) == base_cli &&
	    rte_mempool_in_use_count(srv.pool) == base_srv,
	    "mbufs in use: client %u (baseline %u), server %u (baseline %u)",
	    rte_mempool_in_use_count(cli.pool), base_cli,
	    rte_mempool_in_use_count(srv.pool), base_srv);
	CHECK(ctr(&cli, TCPE_DP_RX_TCP_CSUM) == 0 &&
	    ctr(&srv, TCPE_DP_RX_TCP_CSUM) == 1, "checksum errors");
	CHECK(ctr(&cli, TCPE_DP_TX_OUT_FULL) > 0, "the resume path ran");
	CHECK(ctr(&cli, TCPE_DP_TX_DROPPED) == 0 &&
	    ctr(&srv, TCPE_DP_TX_DROPPED) == 0 &&
	    ctr(&cli, TCPE_DP_TX_NOMBUF) == 0 &&
	    ctr(&srv, TCPE_DP_TX_NOMBUF) == 0, "drops on the way out");

	printf("test_embed: ok: 4 MB each way in %" PRIu64 ".%03" PRIu64
	    " s simulated, %" PRIu64 " frames; send_ext calls %" PRIu64
	    "; retransmissions %" PRIu64 "; closed by %" PRIu64 " s\n",
	    (uint64_t)(t_end / TCPE_S(1)),
	    (uint64_t)(t_end % TCPE_S(1) / TCPE_MS(1)), frames_moved,
	    srv.ext_calls, cli.w->dp.stack->mib[TCPE_MIB_RETRANS_SEGS] +
	    srv.w->dp.stack->mib[TCPE_MIB_RETRANS_SEGS],
	    (uint64_t)(now / TCPE_S(1)));
	printf("--- server counters\n");
	tcpe_worker_print_counters(srv.w, stdout);
	printf("--- client counters\n");
	tcpe_worker_print_counters(cli.w, stdout);

	tcpe_embed_destroy(cli.w);
	tcpe_embed_destroy(srv.w);
	rte_mempool_free(cli.pool);
	rte_mempool_free(srv.pool);
	rte_eal_cleanup();
	return failed;
}
