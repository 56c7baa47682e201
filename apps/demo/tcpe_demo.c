/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpe-demo: two instances of the protocol core (lib/core) in one process,
 * a client at 198.18.0.1 and a server at 198.18.0.2, joined by a simulated
 * wire. Every segment a stack emits is written as real IPv4 + TCP bytes
 * (tcpe_wire.h builders, checksums included), carried over a link with a
 * fixed delay and bandwidth, parsed back (checksums verified) and fed to the
 * other stack. The payload of a received segment is the packet buffer
 * itself, passed by reference (zero copy), as lib/port will do with mbufs.
 *
 * The exchange: the server listens on port 80, the client connects and
 * sends "GET / HTTP/1.0", the server answers with a small HTTP/1.0 reply
 * (--bytes of body) and closes first; the client reads to EOF and closes;
 * the server's TIME_WAIT runs out on the simulated clock. At the end both
 * stacks must hold no connection and no buffer may be alive.
 *
 * Time is simulated: nothing here sleeps, and the run is deterministic for
 * a given --seed (which keys the ISN generator, RFC 6528).
 *
 * Prints every segment as tcpdump does (relative sequence numbers after the
 * SYN) and every state transition; exits 0 on success, 1 on any failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpe_conn.h"
#include "tcpe_params.h"
#include "tcpe_stack.h"
#include "tcpe_types.h"
#include "tcpe_wire.h"

#define CLIENT_ADDR	0xc6120001u	/* 198.18.0.1 */
#define SERVER_ADDR	0xc6120002u	/* 198.18.0.2 */
#define CLIENT_PORT	40000
#define SERVER_PORT	80
#define LINK_DELAY	TCPE_US(50)	/* one-way propagation */
#define LINK_NS_PER_BYTE 1		/* 8 Gbit/s serialisation */
#define SIM_LIMIT	TCPE_S(600)	/* give up after 10 simulated minutes */
#define OUT_CAP		256
#define MTU		1500

static const char request[] = "GET / HTTP/1.0\r\n\r\n";

static bool quiet;
static int failures;

#define FAIL(...) \
	do { \
		fprintf(stderr, "tcpe-demo: FAIL: " __VA_ARGS__); \
		fputc('\n', stderr); \
		failures++; \
	} while (0)

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			FAIL("%s:%d: %s", __FILE__, __LINE__, #cond); \
			exit(1); \
		} \
	} while (0)

/* --- a malloc-backed, reference-counted tcpe_buf ------------------------- */

struct tcpe_buf {
	int refs;
	uint32_t len;
	uint8_t data[];
};

static long bufs_live;

static struct tcpe_buf *
buf_new(uint32_t len)
{
	struct tcpe_buf *b = malloc(sizeof(*b) + len);

	CHECK(b != NULL);
	b->refs = 1;
	b->len = len;
	bufs_live++;
	return b;
}

static void
buf_ref(void *ctx, struct tcpe_buf *b)
{
	(void)ctx;
	CHECK(b->refs > 0);
	b->refs++;
}

static void
buf_unref(void *ctx, struct tcpe_buf *b)
{
	(void)ctx;
	CHECK(b->refs > 0);	/* a double unref is a bug in the core */
	if (--b->refs == 0) {
		bufs_live--;
		free(b);
	}
}

static const uint8_t *
buf_ptr(void *ctx, const struct tcpe_buf *b)
{
	(void)ctx;
	return b->data;
}

static uint32_t
buf_len(void *ctx, const struct tcpe_buf *b)
{
	(void)ctx;
	return b->len;
}

static const struct tcpe_buf_ops bops = {
	.ref = buf_ref,
	.unref = buf_unref,
	.ptr = buf_ptr,
	.len = buf_len,
	.ctx = NULL,
};

/* --- the simulated wire --------------------------------------------------- */

/* One IPv4 datagram in flight; the packet is a tcpe_buf (one reference). */
struct pkt {
	struct pkt *next;
	tcpe_time_t at;		/* delivery time */
	struct tcpe_buf *b;
};

struct endpoint;

/* One direction of the link: a FIFO, so delivery times never decrease. */
struct link {
	struct pkt *head;
	struct pkt **tail;
	tcpe_time_t busy_until;	/* serialisation of the previous packet */
	struct endpoint *to;
};

/* Relative sequence numbers, as tcpdump prints them. */
struct seqbase {
	bool known;
	uint32_t isn;
};

struct endpoint {
	const char *name;
	uint32_t addr;
	struct tcpe_stack *s;
	struct tcpe_oseg segs[OUT_CAP];
	struct tcpe_out out;
	struct link *tx;
	struct seqbase seq_tx;	/* ISN of what this side sends */
	uint64_t segs_sent;
	uint64_t bytes_sent;

	/* Application state. */
	struct tcpe_conn *listener;	/* server */
	struct tcpe_conn *conn;
	bool closed;		/* the application closed conn */
	bool got_eof;
	tcpe_time_t eof_at;	/* when the end of stream was read */
	uint64_t rx_bytes;	/* stream bytes received */
	uint8_t rx_head[256];	/* the first bytes received (request/headers) */
	uint32_t rx_head_len;
	struct tcpe_view pend[2];	/* server: reply views not yet accepted */
	int npend;
	bool replied;		/* server: reply queued */
	bool requested;		/* client: request sent */
};

static tcpe_time_t now;
static uint32_t ip_id;
static uint64_t reply_bytes = 100;	/* --bytes */
static uint32_t reply_hdr_len;
static uint64_t client_body_ok;		/* body bytes verified by the client */
static uint32_t client_hdr_seen;

static void
print_time(tcpe_time_t t)
{
	printf("%" PRIu64 ".%06" PRIu64 " ", (uint64_t)(t / TCPE_S(1)),
	    (uint64_t)(t % TCPE_S(1) / 1000));
}

static void
print_addr(uint32_t a, uint16_t port)
{
	printf("%u.%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
	    a & 0xff, port);
}

static const char *
state_name(int st)
{
	return tcpe_state_name(st);
}

/* The stacks' trace hook: every state transition of every connection. */
static void
trace_state(void *ctx, const struct tcpe_conn *c, int old_state,
    int new_state)
{
	const struct endpoint *ep = ctx;

	if (quiet)
		return;
	print_time(now);
	/* A listener has no remote end. */
	printf("%s%s %s -> %s\n", ep->name,
	    c->node.key.raddr == 0 ? " listener" : "",
	    state_name(old_state), state_name(new_state));
}

/* A software 4-tuple hash (the NIC's RSS hash stands in for it later). */
static uint32_t
tuple_hash(const struct tcpe_tuple *t)
{
	uint64_t h = ((uint64_t)t->laddr << 32 | t->raddr) * 0x9e3779b97f4a7c15ULL;

	h ^= ((uint64_t)t->lport << 16 | t->rport) * 0xc2b2ae3d27d4eb4fULL;
	return (uint32_t)(h ^ (h >> 32));
}

static void
print_segment(const struct tcpe_seg *seg, const struct endpoint *from,
    const struct endpoint *to)
{
	static const struct {
		uint8_t bit;
		char c;
	} fl[] = {
		{ TCPE_TH_FIN, 'F' }, { TCPE_TH_SYN, 'S' }, { TCPE_TH_RST, 'R' },
		{ TCPE_TH_PSH, 'P' }, { TCPE_TH_URG, 'U' }, { TCPE_TH_ECE, 'E' },
		{ TCPE_TH_CWR, 'W' }, { TCPE_TH_ACK, '.' },
	};
	const struct tcpe_opts *o = &seg->opts;
	const char *sep = "";
	uint32_t seq, ack;
	bool syn;
	size_t i;

	print_time(now);
	/* seg->t is seen from the receiver: raddr/rport are the source. */
	print_addr(seg->t.raddr, seg->t.rport);
	printf(" > ");
	print_addr(seg->t.laddr, seg->t.lport);
	printf(": Flags [");
	for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
		if (seg->flags & fl[i].bit)
			putchar(fl[i].c);
	printf("]");

	/* Absolute numbers on a SYN, relative ones after (tcpdump -S off). */
	syn = (seg->flags & TCPE_TH_SYN) != 0;
	seq = from->seq_tx.known && !syn ? seg->seq - from->seq_tx.isn :
	    seg->seq;
	if (seg->data.len > 0 || (seg->flags & (TCPE_TH_SYN | TCPE_TH_FIN |
	    TCPE_TH_RST)))
		printf(", seq %" PRIu32, seq);
	if (seg->data.len > 0)
		printf(":%" PRIu32, seq + seg->data.len);
	if (seg->flags & TCPE_TH_ACK) {
		ack = to->seq_tx.known && !syn ? seg->ack - to->seq_tx.isn :
		    seg->ack;
		printf(", ack %" PRIu32, ack);
	}
	printf(", win %u", seg->wnd);
	if (o->present != 0) {
		printf(", options [");
		if (o->present & TCPE_OPT_MSS) {
			printf("%smss %u", sep, o->mss);
			sep = ",";
		}
		if (o->present & TCPE_OPT_SACKOK) {
			printf("%ssackOK", sep);
			sep = ",";
		}
		if (o->present & TCPE_OPT_TS) {
			printf("%sTS val %" PRIu32 " ecr %" PRIu32, sep,
			    o->tsval, o->tsecr);
			sep = ",";
		}
		if (o->present & TCPE_OPT_WS) {
			printf("%swscale %u", sep, o->wscale);
			sep = ",";
		}
		if (o->present & TCPE_OPT_SACK) {
			printf("%ssack %u", sep, o->nsack);
			sep = ",";
		}
		printf("]");
	}
	printf(", length %" PRIu32 "\n", seg->data.len);
}

/*
 * Turn one emitted segment into an IPv4 datagram: header, TCP header and
 * options, payload copied out of the segment's views, both checksums.
 */
static struct tcpe_buf *
wire_build(const struct tcpe_oseg *o)
{
	struct tcpe_ip4 ip;
	struct tcpe_buf *b;
	uint32_t hlen, off, i;
	uint16_t csum;
	uint8_t *p;

	hlen = tcpe_wire_tcp_hdr_len(o);
	b = buf_new(TCPE_IP4_HDR_LEN + hlen + o->len);
	p = b->data;

	memset(&ip, 0, sizeof(ip));
	ip.src = o->t.laddr;
	ip.dst = o->t.raddr;
	ip.tot_len = (uint16_t)b->len;
	ip.id = (uint16_t)ip_id++;
	ip.ttl = 64;
	ip.proto = TCPE_IPPROTO_TCP;
	CHECK(tcpe_wire_ip4_build(p, b->len, &ip) == TCPE_IP4_HDR_LEN);

	CHECK(tcpe_wire_tcp_build(p + TCPE_IP4_HDR_LEN,
	    b->len - TCPE_IP4_HDR_LEN, o) == hlen);
	csum = tcpe_wire_tcp_csum(o->t.laddr, o->t.raddr,
	    p + TCPE_IP4_HDR_LEN, hlen, o->v, o->nviews, &bops);
	memcpy(p + TCPE_IP4_HDR_LEN + TCPE_TCP_CSUM_OFF, &csum, sizeof(csum));

	off = TCPE_IP4_HDR_LEN + hlen;
	for (i = 0; i < o->nviews; i++) {
		memcpy(p + off, bops.ptr(bops.ctx, o->v[i].buf) + o->v[i].off,
		    o->v[i].len);
		off += o->v[i].len;
	}
	CHECK(off == b->len);
	return b;
}

/* Put every segment ep emitted on the wire, then release them. */
static void
flush(struct endpoint *ep)
{
	struct link *l = ep->tx;
	struct tcpe_oseg *o;
	struct pkt *pk;
	uint32_t i;

	for (i = 0; i < ep->out.n; i++) {
		o = &ep->out.segs[i];
		CHECK(o->t.laddr == ep->addr);
		if ((o->flags & TCPE_TH_SYN) && !ep->seq_tx.known) {
			ep->seq_tx.known = true;
			ep->seq_tx.isn = o->seq;
		}
		pk = calloc(1, sizeof(*pk));
		CHECK(pk != NULL);
		pk->b = wire_build(o);
		if (l->busy_until < now)
			l->busy_until = now;
		l->busy_until += (tcpe_time_t)pk->b->len * LINK_NS_PER_BYTE;
		pk->at = l->busy_until + LINK_DELAY;
		*l->tail = pk;
		l->tail = &pk->next;
		ep->segs_sent++;
		ep->bytes_sent += o->len;
	}
	tcpe_out_release(&ep->out, &bops);
}

/* --- the applications ------------------------------------------------------ */

static void app_run(struct endpoint *ep);

/* After a core call: send what it emitted, let the application react. */
static void
after_call(struct endpoint *ep)
{
	bool full = ep->out.full;

	flush(ep);
	if (full && ep->conn != NULL && !ep->closed) {
		/* The core stopped at a full out: resume it. */
		tcpe_conn_output(ep->conn, now, &ep->out);
		flush(ep);
	}
	app_run(ep);
}

static void
rx_record(struct endpoint *ep, const struct tcpe_view *v)
{
	const uint8_t *p = bops.ptr(bops.ctx, v->buf) + v->off;
	uint32_t n = v->len, i, k;

	k = sizeof(ep->rx_head) - ep->rx_head_len;
	if (k > n)
		k = n;
	memcpy(ep->rx_head + ep->rx_head_len, p, k);
	ep->rx_head_len += k;

	if (ep->listener != NULL)	/* the server only keeps the head */
		goto done;
	/* Client: check the body byte by byte against the pattern. */
	for (i = 0; i < n; i++) {
		uint64_t pos = ep->rx_bytes + i;

		if (pos < reply_hdr_len) {
			client_hdr_seen++;
			continue;
		}
		if (p[i] != (uint8_t)('a' + (pos - reply_hdr_len) % 26)) {
			FAIL("client: body byte %" PRIu64 " is %#x",
			    pos - reply_hdr_len, p[i]);
			exit(1);
		}
		client_body_ok++;
	}
done:
	ep->rx_bytes += n;
}

/* Read everything queued; notes the end of stream in ep->got_eof. */
static void
drain(struct endpoint *ep)
{
	struct tcpe_view v;
	int rc;

	for (;;) {
		rc = tcpe_conn_recv(ep->conn, &v);
		if (rc == -EAGAIN)
			return;
		if (rc < 0) {
			FAIL("%s: recv: %s", ep->name, strerror(-rc));
			exit(1);
		}
		if (rc == 0) {
			if (!ep->got_eof)
				ep->eof_at = now;
			ep->got_eof = true;
			return;
		}
		rx_record(ep, &v);
		bops.unref(bops.ctx, v.buf);
		CHECK(tcpe_conn_recv_done(ep->conn, (uint32_t)rc, now,
		    &ep->out) == 0);
		flush(ep);
	}
}

/* Server: queue the reply views; what does not fit waits for WRITABLE. */
static void
server_push(struct endpoint *ep)
{
	int rc;

	while (ep->npend > 0) {
		struct tcpe_view *v = &ep->pend[0];

		rc = tcpe_conn_send(ep->conn, v, now, &ep->out);
		flush(ep);
		if (rc < 0) {
			FAIL("server: send: %s", strerror(-rc));
			exit(1);
		}
		if (v->len > 0)
			return;	/* the send buffer is full: we keep our ref */
		/* Accepted whole: the connection owns our reference. */
		memmove(&ep->pend[0], &ep->pend[1],
		    sizeof(ep->pend[0]) * (size_t)(ep->npend - 1));
		ep->npend--;
	}
	/* All of it is queued: the server closes first (FIN after data). */
	tcpe_conn_close(ep->conn, now, &ep->out);
	ep->closed = true;
	flush(ep);
}

static void
server_run(struct endpoint *ep, uint16_t ev, struct tcpe_conn *c)
{
	struct tcpe_conn *nc;
	struct tcpe_buf *h, *body;
	char hdr[128];
	uint64_t i;
	int n;

	if (c == ep->listener) {
		if (!(ev & TCPE_EV_ACCEPT))
			return;
		while ((nc = tcpe_stack_accept(ep->listener)) != NULL) {
			CHECK(ep->conn == NULL);	/* one client only */
			ep->conn = nc;
		}
		/* One connection is all this server serves. */
		tcpe_conn_close(ep->listener, now, &ep->out);
		ep->listener = NULL;
		flush(ep);
	}
	if (ep->conn == NULL || ep->closed)
		return;
	drain(ep);
	if (ep->replied)
		goto push;
	if (ep->rx_head_len < sizeof(request) - 1)
		return;
	if (memcmp(ep->rx_head, request, sizeof(request) - 1) != 0) {
		FAIL("server: unexpected request");
		exit(1);
	}
	n = snprintf(hdr, sizeof(hdr),
	    "HTTP/1.0 200 OK\r\nContent-Length: %" PRIu64 "\r\n\r\n",
	    reply_bytes);
	CHECK(n > 0 && (size_t)n < sizeof(hdr) && n == (int)reply_hdr_len);
	h = buf_new((uint32_t)n);
	memcpy(h->data, hdr, (size_t)n);
	ep->pend[ep->npend++] = (struct tcpe_view){ h, 0, h->len };
	if (reply_bytes > 0) {
		body = buf_new((uint32_t)reply_bytes);
		for (i = 0; i < reply_bytes; i++)
			body->data[i] = (uint8_t)('a' + i % 26);
		ep->pend[ep->npend++] = (struct tcpe_view){ body, 0, body->len };
	}
	ep->replied = true;
push:
	server_push(ep);
}

static void
client_run(struct endpoint *ep, uint16_t ev)
{
	struct tcpe_view v;
	struct tcpe_buf *b;
	int rc;

	if (ep->conn == NULL || ep->closed)
		return;
	if (ev & TCPE_EV_ERROR) {
		FAIL("client: connection error %d", ep->conn->err);
		exit(1);
	}
	if ((ev & TCPE_EV_CONNECTED) && !ep->requested) {
		ep->requested = true;
		b = buf_new(sizeof(request) - 1);
		memcpy(b->data, request, sizeof(request) - 1);
		v = (struct tcpe_view){ b, 0, b->len };
		rc = tcpe_conn_send(ep->conn, &v, now, &ep->out);
		flush(ep);
		/* 18 bytes always fit in a fresh send buffer. */
		CHECK(rc == (int)sizeof(request) - 1 && v.len == 0);
	}
	drain(ep);
	if (ep->got_eof) {
		tcpe_conn_close(ep->conn, now, &ep->out);
		ep->closed = true;
		flush(ep);
	}
}

/* Hand every pending event of ep's stack to its application. */
static void
app_run(struct endpoint *ep)
{
	struct tcpe_conn *c;
	uint16_t ev;

	while ((c = tcpe_stack_next_event(ep->s, &ev)) != NULL) {
		if (ep->listener != NULL || ep->conn != NULL) {
			if (ep->addr == SERVER_ADDR)
				server_run(ep, ev, c);
			else if (c == ep->conn)
				client_run(ep, ev);
		}
	}
}

/* --- the event loop --------------------------------------------------------- */

static void
deliver(struct link *l)
{
	struct pkt *pk = l->head;
	struct endpoint *to = l->to;
	struct endpoint *from = to->tx->to;
	struct tcpe_ip4 ip;
	struct tcpe_seg seg;
	const uint8_t *p;
	int rc;

	l->head = pk->next;
	if (l->head == NULL)
		l->tail = &l->head;
	p = pk->b->data;

	rc = tcpe_wire_ip4_parse(p, pk->b->len, &ip);
	CHECK(rc == 0);
	CHECK(!tcpe_ip4_is_fragment(&ip) && ip.proto == TCPE_IPPROTO_TCP);
	CHECK(ip.dst == to->addr);
	memset(&seg, 0, sizeof(seg));
	rc = tcpe_wire_tcp_parse(p + ip.ihl, tcpe_ip4_payload_len(&ip),
	    ip.src, ip.dst, true, &seg);
	if (rc != 0) {
		FAIL("%s: TCP parse: %s", to->name, strerror(-rc));
		exit(1);
	}
	seg.data.buf = pk->b;
	seg.data.off += ip.ihl;
	seg.hash = tuple_hash(&seg.t);
	seg.tos = ip.tos;
	if (!quiet)
		print_segment(&seg, from, to);

	tcpe_stack_input(to->s, &seg, now, &to->out);
	/* The core took its own references on what it keeps. */
	bops.unref(bops.ctx, pk->b);
	free(pk);
	after_call(to);
}

static tcpe_time_t
min_time(tcpe_time_t a, tcpe_time_t b)
{
	return a < b ? a : b;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tcpe-demo [--seed N] [--bytes N] [--quiet]\n"
	    "  --seed N   ISN secret (RFC 6528 key); default 1\n"
	    "  --bytes N  size of the reply body; default 100\n"
	    "  --quiet    print only the summary\n");
}

static uint64_t
parse_u64(const char *opt, const char *s, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
	    v > max) {
		fprintf(stderr, "tcpe-demo: bad value for %s: %s\n", opt, s);
		usage(stderr);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	struct tcpe_stack_params sp;
	struct tcpe_tcp_cfg cfg;
	struct endpoint cli, srv;
	struct link c2s, s2c;
	struct tcpe_tuple t;
	uint64_t seed = 1;
	tcpe_time_t next, d;
	char hdr[128];
	int i, err;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quiet") == 0) {
			quiet = true;
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			seed = parse_u64("--seed", argv[++i], UINT64_MAX);
		} else if (strcmp(argv[i], "--bytes") == 0 && i + 1 < argc) {
			reply_bytes = parse_u64("--bytes", argv[++i],
			    UINT32_MAX - 256);
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	reply_hdr_len = (uint32_t)snprintf(hdr, sizeof(hdr),
	    "HTTP/1.0 200 OK\r\nContent-Length: %" PRIu64 "\r\n\r\n",
	    reply_bytes);

	tcpe_tcp_cfg_defaults(&cfg);
	memset(&sp, 0, sizeof(sp));
	sp.cfg = &cfg;
	sp.bops = bops;
	sp.mtu = MTU;
	sp.trace = trace_state;

	memset(&cli, 0, sizeof(cli));
	memset(&srv, 0, sizeof(srv));
	memset(&c2s, 0, sizeof(c2s));
	memset(&s2c, 0, sizeof(s2c));
	c2s.tail = &c2s.head;
	c2s.to = &srv;
	s2c.tail = &s2c.head;
	s2c.to = &cli;
	cli.name = "client";
	cli.addr = CLIENT_ADDR;
	cli.tx = &c2s;
	srv.name = "server";
	srv.addr = SERVER_ADDR;
	srv.tx = &s2c;

	/* Each stack gets its own per-boot secret, both derived from seed. */
	sp.secret[0] = seed;
	sp.secret[1] = seed * 0x9e3779b97f4a7c15ULL + 1;
	sp.trace_ctx = &cli;
	cli.s = tcpe_stack_create(&sp, now);
	sp.secret[1] ^= 0xa5a5a5a5a5a5a5a5ULL;
	sp.trace_ctx = &srv;
	srv.s = tcpe_stack_create(&sp, now);
	if (cli.s == NULL || srv.s == NULL) {
		FAIL("tcpe_stack_create: %s", strerror(errno));
		return 1;
	}
	cli.out = (struct tcpe_out){ cli.segs, 0, OUT_CAP, false };
	srv.out = (struct tcpe_out){ srv.segs, 0, OUT_CAP, false };

	srv.listener = tcpe_stack_listen(srv.s, SERVER_ADDR, SERVER_PORT, 16,
	    &err);
	if (srv.listener == NULL) {
		FAIL("listen: %s", strerror(-err));
		return 1;
	}
	t.laddr = CLIENT_ADDR;
	t.lport = CLIENT_PORT;
	t.raddr = SERVER_ADDR;
	t.rport = SERVER_PORT;
	cli.conn = tcpe_stack_connect(cli.s, &t, tuple_hash(&t), now,
	    &cli.out, &err);
	if (cli.conn == NULL) {
		FAIL("connect: %s", strerror(-err));
		return 1;
	}
	after_call(&cli);

	/*
	 * Discrete-event loop: the next thing to happen is the earlier of
	 * the next packet arrival and the stacks' next timer.
	 */
	for (;;) {
		next = TCPE_TIME_NEVER;
		if (c2s.head != NULL)
			next = min_time(next, c2s.head->at);
		if (s2c.head != NULL)
			next = min_time(next, s2c.head->at);
		d = min_time(tcpe_stack_deadline(cli.s),
		    tcpe_stack_deadline(srv.s));
		if (next == TCPE_TIME_NEVER && d == TCPE_TIME_NEVER)
			break;		/* nothing in flight, no timer */
		if (min_time(next, d) > SIM_LIMIT) {
			FAIL("still busy after %" PRIu64 " s simulated",
			    (uint64_t)(SIM_LIMIT / TCPE_S(1)));
			return 1;
		}
		if (next <= d) {
			if (next > now)
				now = next;
			if (c2s.head != NULL && c2s.head->at <= now)
				deliver(&c2s);
			else
				deliver(&s2c);
		} else {
			if (d > now)
				now = d;
			tcpe_stack_expire(cli.s, now, &cli.out);
			after_call(&cli);
			tcpe_stack_expire(srv.s, now, &srv.out);
			after_call(&srv);
		}
	}

	if (!cli.closed || !srv.closed)
		FAIL("the exchange did not finish (client %s, server %s)",
		    cli.closed ? "closed" : "open",
		    srv.closed ? "closed" : "open");
	if (!cli.got_eof)
		FAIL("the client saw no end of stream");
	if (cli.rx_bytes != reply_hdr_len + reply_bytes)
		FAIL("the client received %" PRIu64 " bytes, expected %" PRIu64,
		    cli.rx_bytes, reply_hdr_len + reply_bytes);
	if (client_body_ok != reply_bytes)
		FAIL("the client verified %" PRIu64 " body bytes of %" PRIu64,
		    client_body_ok, reply_bytes);
	if (srv.rx_bytes != sizeof(request) - 1)
		FAIL("the server received %" PRIu64 " bytes, expected %zu",
		    srv.rx_bytes, sizeof(request) - 1);
	if (tcpe_stack_conn_count(cli.s) != 0)
		FAIL("client stack still holds %" PRIu32 " connection(s)",
		    tcpe_stack_conn_count(cli.s));
	if (tcpe_stack_conn_count(srv.s) != 0)
		FAIL("server stack still holds %" PRIu32 " connection(s)",
		    tcpe_stack_conn_count(srv.s));
	if (bufs_live != 0)
		FAIL("%ld buffer(s) still alive with no connection left",
		    bufs_live);

	printf("tcpe-demo: %s: %" PRIu64 "-byte reply read by %" PRIu64
	    ".%06" PRIu64 " s, all closed by %" PRIu64 ".%06" PRIu64
	    " s (simulated); segments client %" PRIu64
	    " server %" PRIu64 "; retransmissions %" PRIu64 "; connections "
	    "left client %" PRIu32 " server %" PRIu32 "; buffers live %ld\n",
	    failures == 0 ? "ok" : "FAILED", reply_bytes,
	    (uint64_t)(cli.eof_at / TCPE_S(1)),
	    (uint64_t)(cli.eof_at % TCPE_S(1) / 1000),
	    (uint64_t)(now / TCPE_S(1)), (uint64_t)(now % TCPE_S(1) / 1000),
	    cli.segs_sent, srv.segs_sent,
	    cli.s->mib[TCPE_MIB_RETRANS_SEGS] +
	    srv.s->mib[TCPE_MIB_RETRANS_SEGS],
	    tcpe_stack_conn_count(cli.s), tcpe_stack_conn_count(srv.s),
	    bufs_live);
	tcpe_stack_destroy(cli.s);
	tcpe_stack_destroy(srv.s);
	return failures == 0 ? 0 : 1;
}
