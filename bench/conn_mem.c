/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/conn_mem: bytes of memory per idle established connection and
 * per TIME_WAIT record, at N connections (default 1 M), measured on the
 * protocol core itself (lib/core, no DPDK): the same code tcpe runs per
 * lcore shard.
 *
 * Method: a client stack and a server stack in one process; segments the
 * one emits are handed to the other as parsed segments (no wire bytes:
 * the handshake and close carry no payload). N connections are opened
 * (client addresses 198.18.2.x, ports 1024..65535 each, to 198.18.1.2:80),
 * completed and accepted; glibc's count of bytes in use (mallinfo2()
 * uordblks + hblkhd, heap and mmap()ed chunks with malloc's own per-chunk
 * header) is read before
 * and after each step on each side, so each side's growth is known
 * separately. Then the server closes all of them first, the client
 * answers and closes, and the server is left with N TIME_WAIT records
 * (its control blocks freed): what the server still uses beyond its
 * baseline, divided by N, is the cost of a record. The fixed cost of a
 * shard sized for N connections (its hash table, tcp_max_conns) is
 * printed apart, and amortized per connection.
 *
 *	conn_mem [N]     prints a summary and one JSON line ("json: {...}")
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpe_conn.h"
#include "tcpe_params.h"
#include "tcpe_stack.h"
#include "tcpe_types.h"

#define SRV_ADDR	0xc6120102u	/* 198.18.1.2 */
#define CLI_NET		0xc6120200u	/* 198.18.2.0 */
#define PORT_LO		1024
#define PORTS		(65536 - PORT_LO)
#define BATCH		512
#define OUT_CAP		(4 * BATCH)

static struct tcpe_oseg cli_segs[OUT_CAP], srv_segs[OUT_CAP];
static struct tcpe_out cli_out = { cli_segs, 0, OUT_CAP, false };
static struct tcpe_out srv_out = { srv_segs, 0, OUT_CAP, false };
static struct tcpe_stack *cli, *srv;
static struct tcpe_conn **cconn, **sconn;
static int64_t cli_bytes, srv_bytes;	/* growth attributed to each side */
static tcpe_time_t now = 1000000000;

/* No payload ever flows: these only keep the ops table complete. */
static void
buf_ref(void *ctx, struct tcpe_buf *b)
{
	(void)ctx;
	(void)b;
}

static const uint8_t *
buf_ptr(void *ctx, const struct tcpe_buf *b)
{
	(void)ctx;
	(void)b;
	return NULL;
}

static uint32_t
buf_len(void *ctx, const struct tcpe_buf *b)
{
	(void)ctx;
	(void)b;
	return 0;
}

static const struct tcpe_buf_ops bops = {
	buf_ref, buf_ref, buf_ptr, buf_len, NULL
};

/* Bytes in use: heap chunks plus large mmap()ed ones (the hash table). */
static int64_t
used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (int64_t)(mi.uordblks + mi.hblkhd);
}

static uint32_t
hash(const struct tcpe_tuple *t)
{
	uint64_t h = ((uint64_t)t->laddr << 32 | t->raddr) *
	    0x9e3779b97f4a7c15ULL;

	h ^= ((uint64_t)t->lport << 16 | t->rport) * 0xc2b2ae3d27d4eb4fULL;
	return (uint32_t)(h ^ (h >> 32));
}

/* Hand every segment of out to stack `to`; returns how many. */
static uint32_t
deliver(struct tcpe_out *out, struct tcpe_stack *to, struct tcpe_out *to_out)
{
	struct tcpe_seg seg;
	uint32_t i, n = out->n;

	for (i = 0; i < n; i++) {
		const struct tcpe_oseg *o = &out->segs[i];

		memset(&seg, 0, sizeof(seg));
		seg.t.laddr = o->t.raddr;
		seg.t.lport = o->t.rport;
		seg.t.raddr = o->t.laddr;
		seg.t.rport = o->t.lport;
		seg.hash = hash(&seg.t);
		seg.seq = o->seq;
		seg.ack = o->ack;
		seg.wnd = o->wnd;
		seg.flags = o->flags;
		seg.opts = o->opts;
		tcpe_stack_input(to, &seg, now, to_out);
	}
	tcpe_out_release(out, &bops);
	return n;
}

/* Clear the event queue of s (nobody listens). */
static void
events(struct tcpe_stack *s)
{
	uint16_t ev;

	while (tcpe_stack_next_event(s, &ev) != NULL)
		;
}

/* Ping-pong until neither side emits anything; each side's growth. */
static void
settle(void)
{
	int64_t m;
	uint32_t k;

	do {
		m = used();
		k = deliver(&cli_out, srv, &srv_out);
		events(srv);
		srv_bytes += used() - m;
		m = used();
		k += deliver(&srv_out, cli, &cli_out);
		events(cli);
		cli_bytes += used() - m;
	} while (k > 0);
}

static const char *
state_of(struct tcpe_conn *c)
{
	return tcpe_state_name(c->state);
}

int
main(int argc, char **argv)
{
	struct tcpe_stack_params sp;
	static struct tcpe_tcp_cfg cfg;
	struct tcpe_conn *l, *c;
	struct tcpe_tuple t;
	uint64_t n = 1000000, i, j, est = 0, tw;
	int64_t base, srv_fixed, cli_fixed, m, cli_est, srv_est, srv_tw, after;
	int err;

	if (argc > 1)
		n = strtoull(argv[1], NULL, 10);
	if (n == 0 || n > (uint64_t)PORTS * 250) {
		fprintf(stderr, "conn_mem: N in 1..%u\n", PORTS * 250);
		return 2;
	}
	cconn = calloc(n, sizeof(*cconn));
	sconn = calloc(n, sizeof(*sconn));
	if (cconn == NULL || sconn == NULL)
		return 1;
	tcpe_tcp_cfg_defaults(&cfg);
	cfg.max_conns = (uint32_t)n + 16;
	cfg.max_tw_buckets = (uint32_t)n + 16;
	cfg.somaxconn = 65535;
	cfg.max_syn_backlog = 65535;
	memset(&sp, 0, sizeof(sp));
	sp.cfg = &cfg;
	sp.bops = bops;
	sp.mtu = 1500;
	sp.secret[0] = 1;
	sp.secret[1] = 2;

	base = used();
	m = used();
	cli = tcpe_stack_create(&sp, now);
	cli_fixed = used() - m;
	m = used();
	sp.secret[1] = 3;
	srv = tcpe_stack_create(&sp, now);
	l = srv != NULL ? tcpe_stack_listen(srv, SRV_ADDR, 80, 65535, &err) :
	    NULL;
	srv_fixed = used() - m;
	if (cli == NULL || l == NULL) {
		fprintf(stderr, "conn_mem: stack: %s\n", strerror(errno));
		return 1;
	}

	/* Open, complete and accept, BATCH at a time. */
	for (i = 0; i < n; i += BATCH) {
		m = used();
		for (j = i; j < n && j < i + BATCH; j++) {
			t.laddr = CLI_NET + 1 + (uint32_t)(j / PORTS);
			t.lport = (uint16_t)(PORT_LO + j % PORTS);
			t.raddr = SRV_ADDR;
			t.rport = 80;
			cconn[j] = tcpe_stack_connect(cli, &t, hash(&t), now,
			    &cli_out, &err);
			if (cconn[j] == NULL) {
				fprintf(stderr, "conn_mem: connect %" PRIu64
				    ": %s\n", j, strerror(-err));
				return 1;
			}
		}
		cli_bytes += used() - m;
		settle();
		m = used();
		while ((c = tcpe_stack_accept(l)) != NULL)
			sconn[est++] = c;
		srv_bytes += used() - m;
	}
	if (est != n) {
		fprintf(stderr, "conn_mem: %" PRIu64 " of %" PRIu64
		    " accepted\n", est, n);
		return 1;
	}
	if (strcmp(state_of(cconn[n - 1]), "ESTABLISHED") != 0) {
		fprintf(stderr, "conn_mem: client in %s\n",
		    state_of(cconn[n - 1]));
		return 1;
	}
	cli_est = cli_bytes;
	srv_est = srv_bytes;

	/* The server closes first: it ends with the TIME_WAIT records. */
	for (i = 0; i < n; i += BATCH) {
		m = used();
		for (j = i; j < n && j < i + BATCH; j++)
			tcpe_conn_close(sconn[j], now, &srv_out);
		srv_bytes += used() - m;
		settle();
		m = used();
		for (j = i; j < n && j < i + BATCH; j++)
			tcpe_conn_close(cconn[j], now, &cli_out);
		cli_bytes += used() - m;
		settle();
	}
	tw = srv->state_count[TCPE_TIME_WAIT];
	srv_tw = srv_bytes;
	after = used() - base - srv_fixed - cli_fixed;

	printf("conn_mem: %" PRIu64 " connections, sizeof(struct tcpe_conn) %zu"
	    ", sizeof(struct tcpe_tw) %zu\n", n, sizeof(struct tcpe_conn),
	    sizeof(struct tcpe_tw));
	printf("  shard fixed cost (tcp_max_conns %u): client %" PRId64
	    " bytes, server %" PRId64 " bytes (%.1f bytes per connection)\n",
	    cfg.max_conns, cli_fixed, srv_fixed, (double)srv_fixed / n);
	printf("  established, idle: client %.1f bytes/conn, server %.1f "
	    "bytes/conn (malloc'd, malloc headers included)\n",
	    (double)cli_est / n, (double)srv_est / n);
	printf("  TIME_WAIT on the server: %" PRIu64 " records, %.1f bytes/"
	    "record; the client freed everything (%" PRId64 " bytes left)\n",
	    tw, (double)srv_tw / n, cli_bytes);
	printf("  still in use beyond the fixed cost: %" PRId64 " bytes\n",
	    after);
	printf("json: {\"connections\": %" PRIu64 ", \"sizeof_conn\": %zu, "
	    "\"sizeof_tw\": %zu, \"established_client_bytes\": %.1f, "
	    "\"established_server_bytes\": %.1f, \"timewait_bytes\": %.1f, "
	    "\"timewait_records\": %" PRIu64 ", \"shard_fixed_bytes\": %"
	    PRId64 "}\n", n, sizeof(struct tcpe_conn), sizeof(struct tcpe_tw),
	    (double)cli_est / n, (double)srv_est / n, (double)srv_tw / n, tw,
	    srv_fixed);
	tcpe_stack_destroy(cli);
	tcpe_stack_destroy(srv);
	return tw == n ? 0 : 1;
}
