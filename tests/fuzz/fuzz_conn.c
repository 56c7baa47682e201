/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for segment parsing and connection input: the whole
 * sans-IO core (tcpe_stack, tcpe_conn, tcpe_wire) driven by a script.
 *
 * Two stacks share one clock: the server SRV (198.18.0.1, listening on
 * port 80) and its peer PEER (198.18.0.2, listening on port 8080). Every
 * segment a stack emits is checked, built into an IPv4 packet with the
 * wire builders and queued on the network towards the other stack when
 * it is addressed to it (anything else falls into a black hole). The
 * script decides when queued packets are delivered (one by one or as an
 * rx burst sharing one struct tcpe_out), dropped, duplicated, reordered
 * or corrupted; injects raw packets and structured segments (fields
 * relative to a live connection's sequence space); calls the application
 * API on either side; and moves time. The output array can be small, and
 * then either flushed and retried as the API says or left to drop what
 * did not fit (the core's timers must retry).
 *
 * Input: 6 configuration bytes (see LLVMFuzzerTestOneInput), then
 * records of one opcode byte and its operands (see the OP_* list and the
 * do_* functions); a record cut short reads zeros.
 *
 * After every call into the core, what may only move forward in a TCB is
 * checked (SND.UNA, SND.MAX, RCV.NXT, the advertised right edge); after
 * every record, every connection of both stacks against the TCB
 * invariants (tcpe_conn.h), the state counters, the listener queues, the
 * timer wheel, the event list and the state transitions; every emitted
 * segment against its views and its payload. Payloads are checked end to
 * end: the byte an honest sender puts at sequence number s is always
 * pattern(s), so whatever a stack emits or hands to its application must
 * match, whatever the drops, duplicates, reorders and incarnations,
 * unless the connection's tuple was "tainted" by injected payload bytes.
 * At the end, either both stacks are destroyed at once, or every handle
 * is closed and time runs until every connection has freed itself; in
 * both cases no buffer may be left alive (own refcounted buffers with a
 * live counter). Any violation calls abort() after printing what failed.
 *
 * Seeds: tests/fuzz/mkcorpus.py writes tests/fuzz/corpus/fuzz_conn/, with
 * one finding_* reproducer per core defect this target found (all fixed:
 * they are regression tests now).
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib/core \
 *            tests/fuzz/fuzz_conn.c lib/core/tcpe_*.c -o /tmp/fuzz_conn
 * Run with FUZZ_CONN_TRACE=1 in the environment to print every record.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpe_stack.h"
#include "tcpe_wire.h"

/* --- failing ------------------------------------------------------------ */

static int trace_on = -1;

static void fail(int line, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			fail(__LINE__, #cond, NULL); \
	} while (0)
#define CHECKF(cond, ...) \
	do { \
		if (!(cond)) \
			fail(__LINE__, #cond, __VA_ARGS__); \
	} while (0)

static void
tracef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
tracef(const char *fmt, ...)
{
	va_list ap;

	if (trace_on < 0)
		trace_on = getenv("FUZZ_CONN_TRACE") != NULL;
	if (!trace_on)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* --- refcounted buffers with a live counter ----------------------------- */

#define FB_MAGIC	0x66627566u

struct tcpe_buf {
	uint32_t magic;
	int refs;
	uint32_t len;
	uint8_t data[];
};

static long live;

static void
fb_ref(void *ctx, struct tcpe_buf *b)
{
	(void)ctx;
	CHECK(b != NULL && b->magic == FB_MAGIC && b->refs > 0);
	b->refs++;
}

static void
fb_unref(void *ctx, struct tcpe_buf *b)
{
	(void)ctx;
	CHECK(b != NULL && b->magic == FB_MAGIC && b->refs > 0);
	if (--b->refs == 0) {
		b->magic = 0;
		live--;
		free(b);
	}
}

static const uint8_t *
fb_ptr(void *ctx, const struct tcpe_buf *b)
{
	(void)ctx;
	return b->data;
}

static uint32_t
fb_len(void *ctx, const struct tcpe_buf *b)
{
	(void)ctx;
	return b->len;
}

static const struct tcpe_buf_ops bops = {
	.ref = fb_ref,
	.unref = fb_unref,
	.ptr = fb_ptr,
	.len = fb_len,
	.ctx = NULL,
};

/* Exactly len bytes of data, so that ASan sees any over-read. */
static struct tcpe_buf *
fb_new(uint32_t len)
{
	struct tcpe_buf *b = malloc(sizeof(*b) + len);

	CHECK(b != NULL);
	b->magic = FB_MAGIC;
	b->refs = 1;
	b->len = len;
	live++;
	return b;
}

static bool
view_ok(const struct tcpe_view *v)
{
	return v->buf != NULL && v->buf->magic == FB_MAGIC &&
	    v->buf->refs > 0 &&
	    (uint64_t)v->off + v->len <= v->buf->len;
}

/* The byte any honest sender puts at sequence number s. */
static uint8_t
pattern(uint32_t s)
{
	return (uint8_t)((s * 0x9e3779b1u) >> 24);
}

/* --- the world ---------------------------------------------------------- */

#define SRV		0
#define PEER		1
#define NNODES		2
/* Addresses from 198.18.0.0/15 (RFC 2544 benchmarking) only. */
#define ADDR_SRV	0xc6120001u	/* 198.18.0.1 */
#define ADDR_PEER	0xc6120002u	/* 198.18.0.2 */
#define ADDR_HOLE	0xc61200feu	/* 198.18.0.254: nobody, packets vanish */
#define PORT_SRV	80
#define PORT_PEER	8080
#define PORT_CLOSED	9
#define PORT_EPH	40000		/* + 0..3: local ports of connect() */

#define MAX_HANDLES	80
#define MAX_CONNS	48		/* cfg.max_conns <= 31 */
#define MAX_TAINT	64
#define NETQ_CAP	256
#define OUT_CAP		16384
#define T0		TCPE_S(1000)

/* A connection the application holds (listeners included). */
struct handle {
	struct tcpe_conn *c;
	uint64_t sent;		/* bytes tcpe_conn_send() accepted */
	uint64_t rcvd;		/* bytes tcpe_conn_recv() returned */
	uint16_t ev;		/* events drained for it */
	bool eof;		/* recv returned 0 after the peer's FIN */
};

/* What must only grow in a TCB, as seen after the previous record. */
struct snap {
	uintptr_t id;		/* our tag in c->app_ctx */
	uint8_t state;
	uint32_t iss, irs, snd_una, snd_max, rcv_nxt, rcv_adv;
};

struct node {
	struct tcpe_stack *s;
	struct snap snap[MAX_CONNS];
	uint32_t nsnap;
	struct tcpe_tcp_cfg cfg;
	uint32_t addr;
	uint16_t lport;
	uint32_t backlog;
	struct handle h[MAX_HANDLES];
	uint32_t nh;
	struct tcpe_conn *conns[MAX_CONNS];	/* table snapshot */
	uint32_t nconns;
	struct tcpe_tuple taint[MAX_TAINT];
	uint32_t ntaint;
	bool taint_all;
};

/* Packets on their way to node i. */
struct netq {
	struct tcpe_buf *p[NETQ_CAP];
	uint32_t n;
};

static struct node N[NNODES];
static struct netq Q[NNODES];
static tcpe_time_t now;
static struct tcpe_oseg outsegs[OUT_CAP];
static struct tcpe_out out;
static uint32_t out_cap;
static bool retry_full;		/* flush a full out and output again */
static bool lossy_out;		/* out may fill up and lose segments */
static uint16_t ip_id;
static uintptr_t next_id;
static bool batching;		/* several inputs share out before a flush */
static uint32_t ncalls;		/* calls into the core since the last check */
static const char *cur_op = "setup";

static void dump_world(void);

static void
fail(int line, const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\nfuzz_conn: invariant violated at line %d during "
	    "%s: %s\n", line, cur_op, what);
	if (fmt != NULL) {
		fputs("  ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	dump_world();
	abort();
}

static const char *
flags_str(uint8_t flags, char *buf)
{
	static const char names[] = "FSRPAUEC";
	int i, n = 0;

	for (i = 0; i < 8; i++)
		if (flags & (1u << i))
			buf[n++] = names[i];
	if (n == 0)
		buf[n++] = '.';
	buf[n] = '\0';
	return buf;
}

static void
dump_conn(const struct tcpe_conn *c)
{
	fprintf(stderr, "    %p %08x:%u>%08x:%u %s flags=%#x iss=%u una=%u "
	    "nxt=%u max=%u wnd=%u sndq=%u/%u irs=%u rcv_nxt=%u adv=%u "
	    "rcvq=%u held=%u buf=%u mss=%u rtx=%u dl=[%lld,%lld] "
	    "pend=%d exp=%lld\n", (const void *)c, c->node.key.laddr,
	    c->node.key.lport, c->node.key.raddr, c->node.key.rport,
	    tcpe_state_name(c->state), c->flags, c->iss, c->snd_una,
	    c->snd_nxt, c->snd_max, c->snd_wnd, c->sndq.bytes, c->snd_buf,
	    c->irs, c->rcv_nxt, c->rcv_adv, c->rcvq.bytes, c->rcv_held,
	    c->rcv_buf, c->mss, c->rtx_count,
	    c->deadline[0] == TCPE_TIME_NEVER ? -1LL :
	    (long long)(c->deadline[0] - T0),
	    c->deadline[1] == TCPE_TIME_NEVER ? -1LL :
	    (long long)(c->deadline[1] - T0),
	    tcpe_timer_pending(&c->timer),
	    c->timer.expires == TCPE_TIME_NEVER ? -1LL :
	    (long long)(c->timer.expires - T0));
}

static void
dump_world(void)
{
	struct tcpe_table_node *tn;
	struct tcpe_list *e;
	uint32_t cursor;
	int i;

	fprintf(stderr, "  now = T0%+lld ns, live buffers %ld\n",
	    (long long)(now - T0), live);
	for (i = 0; i < NNODES; i++) {
		if (N[i].s == NULL)
			continue;
		fprintf(stderr, "  %s: nconns %u, %u handles, %u queued to it\n",
		    i == SRV ? "SRV" : "PEER", N[i].s->nconns, N[i].nh,
		    Q[i].n);
		for (e = N[i].s->listeners.next; e != &N[i].s->listeners;
		    e = e->next)
			dump_conn(tcpe_container_of(e, struct tcpe_conn,
			    qlink));
		cursor = 0;
		for (tn = tcpe_table_next(&N[i].s->table, &cursor, NULL);
		    tn != NULL;
		    tn = tcpe_table_next(&N[i].s->table, &cursor, tn))
			dump_conn(tcpe_container_of(tn, struct tcpe_conn,
			    node));
	}
}

/* --- script reader ------------------------------------------------------ */

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t
u8(struct rd *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

static uint16_t
u16(struct rd *r)
{
	uint16_t hi = u8(r);

	return (uint16_t)(hi << 8 | u8(r));
}

static uint32_t
u32(struct rd *r)
{
	uint32_t hi = u16(r);

	return hi << 16 | u16(r);
}

/* --- bookkeeping -------------------------------------------------------- */

static struct handle *
handle_of(struct node *n, const struct tcpe_conn *c)
{
	uint32_t i;

	for (i = 0; i < n->nh; i++)
		if (n->h[i].c == c)
			return &n->h[i];
	return NULL;
}

static struct handle *
handle_add(struct node *n, struct tcpe_conn *c)
{
	struct handle *h;

	CHECK(handle_of(n, c) == NULL);
	CHECK(n->nh < MAX_HANDLES);
	h = &n->h[n->nh++];
	memset(h, 0, sizeof(*h));
	h->c = c;
	return h;
}

static void
handle_del(struct node *n, struct handle *h)
{
	*h = n->h[--n->nh];
}

/* Snapshot the connection table of n into n->conns. */
static void
enum_conns(struct node *n)
{
	struct tcpe_table_node *tn;
	uint32_t cursor = 0;

	n->nconns = 0;
	for (tn = tcpe_table_next(&n->s->table, &cursor, NULL); tn != NULL;
	    tn = tcpe_table_next(&n->s->table, &cursor, tn)) {
		CHECK(n->nconns < MAX_CONNS);
		n->conns[n->nconns++] = tcpe_container_of(tn,
		    struct tcpe_conn, node);
	}
}

/* Listener k of n (0: the first), NULL if there is none. */
static struct tcpe_conn *
listener_of(struct node *n, uint32_t k)
{
	struct tcpe_list *e;

	for (e = n->s->listeners.next; e != &n->s->listeners; e = e->next)
		if (k-- == 0)
			return tcpe_container_of(e, struct tcpe_conn, qlink);
	return NULL;
}

static bool
is_listener(struct node *n, const struct tcpe_conn *l)
{
	struct tcpe_list *e;

	for (e = n->s->listeners.next; e != &n->s->listeners; e = e->next)
		if (tcpe_container_of(e, struct tcpe_conn, qlink) == l)
			return true;
	return false;
}

static void
taint(struct node *n, const struct tcpe_tuple *t)
{
	uint32_t i;

	for (i = 0; i < n->ntaint; i++)
		if (tcpe_tuple_eq(&n->taint[i], t))
			return;
	if (n->ntaint == MAX_TAINT) {
		n->taint_all = true;
		return;
	}
	n->taint[n->ntaint++] = *t;
}

static bool
tainted(const struct node *n, const struct tcpe_tuple *t)
{
	uint32_t i;

	if (n->taint_all)
		return true;
	for (i = 0; i < n->ntaint; i++)
		if (tcpe_tuple_eq(&n->taint[i], t))
			return true;
	return false;
}

/* --- emitted segments: check, put on the wire, release ------------------ */

static void
netq_push(int dst, struct tcpe_buf *b)
{
	if (Q[dst].n == NETQ_CAP) {
		fb_unref(NULL, b);	/* tail drop */
		return;
	}
	Q[dst].p[Q[dst].n++] = b;
}

static void
check_oseg(struct node *n, const struct tcpe_oseg *o)
{
	const struct tcpe_table_node *tn;
	const struct tcpe_conn *c;
	const uint8_t *d;
	uint32_t i, j, sum = 0, pos = 0, seq;
	char f[9];

	CHECKF(o->nviews <= TCPE_OSEG_MAX_VIEWS, "%u views", o->nviews);
	for (i = 0; i < o->nviews; i++) {
		CHECKF(view_ok(&o->v[i]), "view %u [%u,+%u)", i, o->v[i].off,
		    o->v[i].len);
		sum += o->v[i].len;
	}
	CHECKF(sum == o->len, "len %u, views sum to %u", o->len, sum);
	CHECKF(!((o->flags & TCPE_TH_SYN) &&
	    (o->flags & (TCPE_TH_RST | TCPE_TH_FIN))), "flags %s",
	    flags_str(o->flags, f));
	CHECKF(o->len == 0 || !(o->flags & (TCPE_TH_SYN | TCPE_TH_RST)),
	    "payload on %s", flags_str(o->flags, f));
	if (o->flags & TCPE_TH_SYN)
		CHECK(o->opts.present & TCPE_OPT_MSS);
	CHECK(o->len <= n->s->mss);
	/* Every byte an honest sender sends is pattern(seq). */
	seq = o->seq;
	for (i = 0; i < o->nviews; i++) {
		d = o->v[i].buf->data + o->v[i].off;
		for (j = 0; j < o->v[i].len; j++, pos++)
			CHECKF(d[j] == pattern(seq + pos), "payload byte %u "
			    "(seq %u) of %s seg is %#x, expected %#x", pos,
			    seq + pos, flags_str(o->flags, f), d[j],
			    pattern(seq + pos));
	}
	/*
	 * Against the emitting TCB, unless a burst of inputs may have freed
	 * it and made another with the same tuple.
	 */
	if ((o->flags & TCPE_TH_RST) || ncalls > 1)
		return;
	tn = tcpe_table_lookup(&n->s->table, &o->t, tcpe_tuple_hash(&o->t));
	if (tn == NULL)
		return;
	c = tcpe_container_of(tn, struct tcpe_conn, node);
	if (c->state == TCPE_CLOSED)
		return;
	/* Nothing beyond what was ever sent. */
	CHECKF(tcpe_seq_leq(o->seq + o->len +
	    ((o->flags & (TCPE_TH_SYN | TCPE_TH_FIN)) ? 1 : 0), c->snd_max),
	    "seg seq %u len %u %s beyond snd_max %u", o->seq, o->len,
	    flags_str(o->flags, f), c->snd_max);
	if (o->len > 0)
		CHECKF(tcpe_seq_geq(o->seq, c->snd_una - 1) &&
		    tcpe_seq_geq(o->seq, c->iss + 1), "data seq %u below "
		    "snd_una %u", o->seq, c->snd_una);
}

/* The IPv4 packet carrying o, as the other end would receive it. */
static struct tcpe_buf *
build_pkt(const struct tcpe_oseg *o)
{
	struct tcpe_ip4 ip;
	struct tcpe_buf *b;
	uint32_t hlen, tot, i, at;
	uint16_t csum;

	hlen = tcpe_wire_tcp_hdr_len(o);
	tot = TCPE_IP4_HDR_LEN + hlen + o->len;
	CHECK(tot <= 0xffff);
	b = fb_new(tot);
	memset(&ip, 0, sizeof(ip));
	ip.src = o->t.laddr;
	ip.dst = o->t.raddr;
	ip.tot_len = (uint16_t)tot;
	ip.id = ip_id++;
	ip.ttl = 64;
	ip.proto = TCPE_IPPROTO_TCP;
	CHECK(tcpe_wire_ip4_build(b->data, tot, &ip) == TCPE_IP4_HDR_LEN);
	CHECK(tcpe_wire_tcp_build(b->data + TCPE_IP4_HDR_LEN, hlen, o) ==
	    hlen);
	at = TCPE_IP4_HDR_LEN + hlen;
	for (i = 0; i < o->nviews; i++) {
		memcpy(b->data + at, o->v[i].buf->data + o->v[i].off,
		    o->v[i].len);
		at += o->v[i].len;
	}
	csum = tcpe_wire_tcp_csum(o->t.laddr, o->t.raddr,
	    b->data + TCPE_IP4_HDR_LEN, hlen, o->v, o->nviews, &bops);
	memcpy(b->data + TCPE_IP4_HDR_LEN + TCPE_TCP_CSUM_OFF, &csum, 2);
	return b;
}

static void
emit_out(int i)
{
	struct tcpe_oseg *o;
	uint32_t k;
	char f[9];
	int dst;

	for (k = 0; k < out.n; k++) {
		o = &outsegs[k];
		check_oseg(&N[i], o);
		tracef("    %s> %08x:%u>%08x:%u %s seq=%u ack=%u wnd=%u "
		    "len=%u\n", i == SRV ? "SRV" : "PEER", o->t.laddr,
		    o->t.lport, o->t.raddr, o->t.rport,
		    flags_str(o->flags, f), o->seq, o->ack, o->wnd, o->len);
		dst = -1;
		if (o->t.raddr == N[1 - i].addr)
			dst = 1 - i;
		if (dst >= 0)
			netq_push(dst, build_pkt(o));
	}
	tcpe_out_release(&out, &bops);
}

/*
 * Put what stack i emitted on the wire. When out filled up, either do
 * what the API asks of the caller: flush it and call tcpe_conn_output()
 * again (here on every connection, since the caller of tcpe_stack_input()
 * or tcpe_stack_expire() cannot know which one was cut short); or
 * (retry_full off) drop what did not fit and let the core's timers retry.
 */
static void check_monotonic(struct node *n);

static void
flush(int i)
{
	struct node *n = &N[i];
	uint32_t k, rounds = 0;
	bool full;

	for (;;) {
		full = out.full;
		emit_out(i);
		/* Otherwise what did not fit is lost, as on a full ring. */
		if (!full || !retry_full)
			break;
		CHECK(++rounds < 100000);
		enum_conns(n);
		for (k = 0; k < n->nconns; k++) {
			CHECK(tcpe_conn_output(n->conns[k], now, &out) == 0);
			if (out.full)
				break;
		}
		if (!out.full) {
			emit_out(i);
			break;
		}
	}
	check_monotonic(n);
}

/* --- invariants --------------------------------------------------------- */

static uint32_t
vq_check(const struct tcpe_vq *q)
{
	uint32_t i, sum = 0;
	const struct tcpe_view *v;

	CHECK(q->n <= q->cap);
	CHECK(q->cap == 0 || q->head < q->cap);
	for (i = 0; i < q->n; i++) {
		v = &q->v[(q->head + i) % q->cap];
		CHECKF(view_ok(v), "queued view %u of %u", i, q->n);
		sum += v->len;
	}
	CHECKF(sum == q->bytes, "vq views sum to %u, bytes %u", sum,
	    q->bytes);
	return sum;
}

/* Does c need a running timer (retransmission, persist, TIME_WAIT)? */
static bool
needs_timer(const struct tcpe_conn *c)
{
	uint32_t data_end = c->snd_una + c->sndq.bytes;

	switch (c->state) {
	case TCPE_CLOSED:
	case TCPE_LISTEN:
		return false;
	case TCPE_SYN_SENT:
	case TCPE_SYN_RECEIVED:
	case TCPE_TIME_WAIT:
		return true;
	default:
		break;
	}
	if (c->snd_una != c->snd_max)
		return true;
	/* An orphan waits for the peer's FIN for tcp_fin_timeout only. */
	if (c->state == TCPE_FIN_WAIT_2 && !(c->flags & TCPE_CF_APP))
		return true;
	/* Data waiting behind a zero window: the persist timer. */
	if (c->state != TCPE_FIN_WAIT_2 && tcpe_seq_lt(c->snd_nxt, data_end))
		return true;
	return false;
}

static bool
transition_ok(int from, int to)
{
	switch (from) {
	case TCPE_CLOSED:
		return to == TCPE_LISTEN || to == TCPE_SYN_SENT ||
		    to == TCPE_SYN_RECEIVED;
	case TCPE_LISTEN:
		return to == TCPE_CLOSED;
	case TCPE_SYN_SENT:
		return to == TCPE_SYN_RECEIVED || to == TCPE_ESTABLISHED ||
		    to == TCPE_CLOSED;
	case TCPE_SYN_RECEIVED:
		return to == TCPE_ESTABLISHED || to == TCPE_CLOSED;
	case TCPE_ESTABLISHED:
		return to == TCPE_FIN_WAIT_1 || to == TCPE_CLOSE_WAIT ||
		    to == TCPE_CLOSED;
	case TCPE_CLOSE_WAIT:
		return to == TCPE_LAST_ACK || to == TCPE_CLOSED;
	case TCPE_FIN_WAIT_1:
		return to == TCPE_FIN_WAIT_2 || to == TCPE_CLOSING ||
		    to == TCPE_TIME_WAIT || to == TCPE_CLOSED;
	case TCPE_FIN_WAIT_2:
	case TCPE_CLOSING:
		return to == TCPE_TIME_WAIT || to == TCPE_CLOSED;
	case TCPE_LAST_ACK:
	case TCPE_TIME_WAIT:
		return to == TCPE_CLOSED;
	default:
		return false;
	}
}

static void
trace_state(void *ctx, const struct tcpe_conn *c, int old, int new_state)
{
	(void)ctx;
	tracef("      %08x:%u>%08x:%u %s -> %s\n", c->node.key.laddr,
	    c->node.key.lport, c->node.key.raddr, c->node.key.rport,
	    tcpe_state_name(old), tcpe_state_name(new_state));
	CHECKF(old >= 0 && old < TCPE_STATE_MAX && new_state >= 0 &&
	    new_state < TCPE_STATE_MAX && transition_ok(old, new_state),
	    "transition %s -> %s", tcpe_state_name(old),
	    tcpe_state_name(new_state));
	/* Only a fresh TCB leaves CLOSED: nothing sent yet. */
	if (old == TCPE_CLOSED && new_state != TCPE_LISTEN)
		CHECK(c->snd_una == c->iss && c->snd_max == c->iss);
}

static void
check_conn(struct node *n, const struct tcpe_conn *c)
{
	struct tcpe_stack *s = n->s;
	uint32_t data_end;
	tcpe_time_t d;
	int st = c->state;

	CHECK(c->stack == s);
	CHECKF(st < TCPE_STATE_MAX && st != TCPE_LISTEN, "state %d", st);
	CHECK(tcpe_seq_leq(c->snd_una, c->snd_nxt));
	CHECK(tcpe_seq_leq(c->snd_nxt, c->snd_max));
	vq_check(&c->sndq);
	vq_check(&c->rcvq);
	CHECKF(c->sndq.bytes <= c->snd_buf, "sndq %u > snd_buf %u",
	    c->sndq.bytes, c->snd_buf);
	/*
	 * The scaled window is rounded up (never shrunk), so what it lets in
	 * may overshoot the buffer by less than one unit of 2^rcv_wscale.
	 */
	CHECKF((uint64_t)c->rcvq.bytes + c->rcv_held <
	    (uint64_t)c->rcv_buf + (1u << c->rcv_wscale),
	    "rcvq %u + held %u > rcv_buf %u (+ scale unit %u - 1)",
	    c->rcvq.bytes, c->rcv_held, c->rcv_buf, 1u << c->rcv_wscale);
	CHECK(tcpe_conn_send_space(c) <= c->snd_buf);
	if (c->state == TCPE_CLOSED || (c->flags & TCPE_CF_FIN_QUEUED))
		CHECK(tcpe_conn_send_space(c) == 0);
	/* Held by the application exactly when it is in our handle list. */
	CHECK(((c->flags & TCPE_CF_APP) != 0) == (handle_of(n, c) != NULL));
	if (c->listener == NULL)
		CHECK(!(c->flags & TCPE_CF_IN_ACCEPTQ));
	/* Nobody holds a CLOSED TCB but the application: else it is freed. */
	if (st == TCPE_CLOSED)
		CHECK((c->flags & TCPE_CF_APP) && c->listener == NULL);

	d = tcpe_conn_deadline(c);
	if (st == TCPE_CLOSED) {
		CHECK(d == TCPE_TIME_NEVER);
		CHECK(!tcpe_timer_pending(&c->timer));
		CHECK(c->sndq.n == 0);
		return;
	}
	if (needs_timer(c))
		CHECKF(d != TCPE_TIME_NEVER, "%s needs a timer, has none",
		    tcpe_state_name(st));
	if (d != TCPE_TIME_NEVER)
		CHECKF(tcpe_timer_pending(&c->timer) && c->timer.expires <= d,
		    "deadline T0%+lld but wheel entry %s at T0%+lld",
		    (long long)(d - T0),
		    tcpe_timer_pending(&c->timer) ? "pending" : "idle",
		    (long long)(c->timer.expires - T0));

	/* Sequence space: in flight is queued data plus SYN and FIN. */
	CHECKF(c->snd_max - c->snd_una <= c->sndq.bytes + 2,
	    "%u in flight, %u queued", c->snd_max - c->snd_una,
	    c->sndq.bytes);
	if (st == TCPE_SYN_SENT)
		CHECK(c->snd_una == c->iss);
	if (tcpe_state_synchronized(st))
		CHECKF(c->mss >= 48 && c->mss <= s->mss, "mss %u", c->mss);

	/* What each state implies about the FINs. */
	switch (st) {
	case TCPE_ESTABLISHED:
		CHECK(!(c->flags & (TCPE_CF_FIN_QUEUED | TCPE_CF_RCV_EOF)));
		break;
	case TCPE_CLOSE_WAIT:
		CHECK(!(c->flags & TCPE_CF_FIN_QUEUED));
		CHECK(c->flags & TCPE_CF_RCV_EOF);
		break;
	case TCPE_FIN_WAIT_1:
		CHECK(c->flags & TCPE_CF_FIN_QUEUED);
		CHECK(!(c->flags & TCPE_CF_FIN_ACKED));
		break;
	case TCPE_FIN_WAIT_2:
		CHECK(c->flags & TCPE_CF_FIN_QUEUED);
		CHECK(c->flags & TCPE_CF_FIN_ACKED);
		if (!(c->flags & TCPE_CF_APP))
			CHECK(c->deadline[TCPE_TT_2MSL] != TCPE_TIME_NEVER);
		break;
	case TCPE_CLOSING:
	case TCPE_LAST_ACK:
		CHECK(c->flags & TCPE_CF_FIN_QUEUED);
		CHECK(c->flags & TCPE_CF_RCV_EOF);
		CHECK(!(c->flags & TCPE_CF_FIN_ACKED));
		break;
	case TCPE_TIME_WAIT:
		CHECK(c->flags & TCPE_CF_FIN_QUEUED);
		CHECK(c->flags & TCPE_CF_RCV_EOF);
		CHECK(c->flags & TCPE_CF_FIN_ACKED);
		CHECK(c->deadline[TCPE_TT_2MSL] != TCPE_TIME_NEVER);
		break;
	default:
		break;
	}
	if (c->flags & TCPE_CF_FIN_ACKED)
		CHECKF(c->sndq.bytes == 0 && c->snd_una == c->snd_max,
		    "FIN acked with %u queued, una %u max %u",
		    c->sndq.bytes, c->snd_una, c->snd_max);
	/*
	 * A queued FIN is sent as soon as the data before it is (unless out
	 * filled up and we leave the retry to the timer).
	 */
	data_end = c->snd_una + c->sndq.bytes;
	if ((st == TCPE_FIN_WAIT_1 || st == TCPE_CLOSING ||
	    st == TCPE_LAST_ACK) && c->snd_nxt == data_end &&
	    c->snd_una == c->snd_max)
		CHECKF(lossy_out && d != TCPE_TIME_NEVER, "FIN queued, "
		    "all data sent and acked, FIN not in flight");
}

static uint32_t
list_len(const struct tcpe_list *h)
{
	const struct tcpe_list *e;
	uint32_t k = 0;

	for (e = h->next; e != h; e = e->next) {
		CHECK(e->next->prev == e);
		CHECK(++k <= MAX_CONNS);
	}
	return k;
}

static void
check_listener(struct node *n, struct tcpe_conn *l)
{
	struct tcpe_list *e;
	struct tcpe_conn *c;

	CHECK(l->state == TCPE_LISTEN);
	CHECK(l->stack == n->s);
	CHECK(l->flags & TCPE_CF_APP);
	CHECK(handle_of(n, l) != NULL);
	CHECK(tcpe_conn_deadline(l) == TCPE_TIME_NEVER);
	CHECK(!tcpe_timer_pending(&l->timer));
	CHECK(l->node.pprev == NULL);	/* not in the table */
	CHECK(list_len(&l->lq->syn_q) == l->lq->syn_len);
	CHECK(list_len(&l->lq->acc_q) == l->lq->acc_len);
	/* SYN queue: tcp_max_syn_backlog; accept queue: the backlog. */
	CHECKF(l->lq->syn_len <= n->s->cfg.max_syn_backlog, "syn %u max %u",
	    l->lq->syn_len, n->s->cfg.max_syn_backlog);
	CHECKF(l->lq->acc_len <= l->lq->backlog, "acc %u backlog %u", l->lq->acc_len,
	    l->lq->backlog);
	for (e = l->lq->syn_q.next; e != &l->lq->syn_q; e = e->next) {
		c = tcpe_container_of(e, struct tcpe_conn, qlink);
		CHECK(c->listener == l);
		CHECK(c->state == TCPE_SYN_RECEIVED);
		CHECK(!(c->flags & (TCPE_CF_IN_ACCEPTQ | TCPE_CF_APP)));
		CHECK(c->node.pprev != NULL);
	}
	for (e = l->lq->acc_q.next; e != &l->lq->acc_q; e = e->next) {
		c = tcpe_container_of(e, struct tcpe_conn, qlink);
		CHECK(c->listener == l);
		CHECKF(tcpe_state_synchronized(c->state), "child in accept "
		    "queue in %s", tcpe_state_name(c->state));
		CHECK(c->flags & TCPE_CF_IN_ACCEPTQ);
		CHECK(!(c->flags & TCPE_CF_APP));
		CHECK(c->node.pprev != NULL);
	}
}

/*
 * Tag every TCB with an id in app_ctx (the core never touches it), and
 * check against the previous call what may only move forward. Runs after
 * every call into the core (from flush()) and after every record.
 */
static void
check_monotonic(struct node *n)
{
	struct snap now_snap[MAX_CONNS], *o, *x;
	struct tcpe_conn *c;
	uint32_t i, j;

	enum_conns(n);
	for (i = 0; i < n->nconns; i++) {
		c = n->conns[i];
		if (c->app_ctx == NULL)
			c->app_ctx = (void *)++next_id;
		x = &now_snap[i];
		x->id = (uintptr_t)c->app_ctx;
		x->state = c->state;
		x->iss = c->iss;
		x->irs = c->irs;
		x->snd_una = c->snd_una;
		x->snd_max = c->snd_max;
		x->rcv_nxt = c->rcv_nxt;
		x->rcv_adv = c->rcv_adv;
		o = NULL;
		for (j = 0; j < n->nsnap; j++)
			if (n->snap[j].id == x->id)
				o = &n->snap[j];
		if (o == NULL || x->state == TCPE_CLOSED)
			continue;
		CHECK(x->iss == o->iss);
		CHECK(tcpe_seq_geq(x->snd_una, o->snd_una));
		CHECK(tcpe_seq_geq(x->snd_max, o->snd_max));
		if (!tcpe_state_synchronized(o->state))
			continue;
		CHECK(x->irs == o->irs);
		CHECKF(tcpe_seq_geq(x->rcv_nxt, o->rcv_nxt), "rcv_nxt %u -> "
		    "%u", o->rcv_nxt, x->rcv_nxt);
		/* RFC 9293 3.8.6.2.2: the window is never shrunk. */
		CHECKF(tcpe_seq_geq(x->rcv_adv, o->rcv_adv), "right edge of "
		    "the window moved left: %u -> %u", o->rcv_adv, x->rcv_adv);
	}
	memcpy(n->snap, now_snap, n->nconns * sizeof(now_snap[0]));
	n->nsnap = n->nconns;
	ncalls = 0;
}

static void
check_node(struct node *n)
{
	struct tcpe_stack *s = n->s;
	uint32_t cnt[TCPE_STATE_MAX], total = 0, nl = 0, pending = 0, i,
	    children = 0, sum = 0;
	struct tcpe_list *e;
	struct tcpe_conn *c, *x;
	int st;

	memset(cnt, 0, sizeof(cnt));
	for (e = s->listeners.next; e != &s->listeners; e = e->next) {
		c = tcpe_container_of(e, struct tcpe_conn, qlink);
		check_listener(n, c);
		cnt[TCPE_LISTEN]++;
		nl++;
		children += c->lq->syn_len + c->lq->acc_len;
	}
	CHECK(nl <= 2);	/* on our address and on any address */
	enum_conns(n);
	for (i = 0; i < n->nconns; i++) {
		c = n->conns[i];
		check_conn(n, c);
		cnt[c->state]++;
		if (tcpe_timer_pending(&c->timer))
			pending++;
		if (c->listener != NULL) {
			CHECK(is_listener(n, c->listener));
			children--;
		}
	}
	CHECKF(children == 0, "listener queues and children disagree");
	check_monotonic(n);
	total = nl + n->nconns;
	CHECKF(total == s->nconns, "%u TCBs found, nconns %u", total,
	    s->nconns);
	CHECK(tcpe_table_count(&s->table) == n->nconns);
	/* TIME_WAIT records count as TIME_WAIT, but are not TCBs. */
	CHECK(s->tw.count <= s->cfg.max_tw_buckets);
	CHECK(tcpe_table_count(&s->tw.table) == s->tw.count);
	cnt[TCPE_TIME_WAIT] += s->tw.count;
	sum -= s->tw.count;
	for (st = 0; st < TCPE_STATE_MAX; st++) {
		CHECKF(cnt[st] == s->state_count[st], "state_count[%s] = %u, "
		    "found %u", tcpe_state_name(st), s->state_count[st],
		    cnt[st]);
		sum += s->state_count[st];
	}
	CHECK(sum == s->nconns);
	CHECKF(pending == tcpe_wheel_count(&s->wheel), "%u pending timers, "
	    "wheel holds %u", pending, tcpe_wheel_count(&s->wheel));
	/* Every handle is alive and held. */
	for (i = 0; i < n->nh; i++) {
		c = n->h[i].c;
		CHECK(c->flags & TCPE_CF_APP);
		if (c->state == TCPE_LISTEN)
			CHECK(is_listener(n, c));
		else
			CHECK(tcpe_table_lookup(&s->table, &c->node.key,
			    c->node.hash) == &c->node);
	}
	/* The event list holds only what the application holds. */
	i = 0;
	for (x = s->ev_head; x != NULL; x = x->ev_next) {
		CHECK(++i <= MAX_CONNS + 1);
		CHECKF(handle_of(n, x) != NULL, "connection on the event list "
		    "(events %#x) that the application does not hold",
		    x->events);
		CHECK(x->flags & TCPE_CF_EVQ);
	}
}

/* Drain node n's events, as the application's loop does. */
static void
drain_events(struct node *n)
{
	struct tcpe_conn *x;
	struct handle *h;
	uint16_t ev;

	while ((x = tcpe_stack_next_event(n->s, &ev)) != NULL) {
		h = handle_of(n, x);
		CHECKF(h != NULL, "event %#x for a connection the "
		    "application does not hold", ev);
		CHECK(!(x->flags & TCPE_CF_EVQ));
		h->ev |= ev;
	}
}

static void
check_all(void)
{
	int i;

	for (i = 0; i < NNODES; i++)
		check_node(&N[i]);
}

/* --- input paths -------------------------------------------------------- */

/*
 * Rewrite modes for injected packets: keep the tuple, use the one of
 * connection k of the target stack, or aim at its listener.
 */
enum { RW_NONE, RW_CONN, RW_LISTEN, RW_LISTEN_PEER };

/*
 * Parse packet b (an IPv4 packet, or a bare TCP segment from the other
 * node when bare is set) and feed it to node i. Consumes b's reference.
 */
static void
deliver(int i, struct tcpe_buf *b, bool verify, bool bare, int rw,
    uint32_t k, bool do_taint)
{
	struct node *n = &N[i];
	struct tcpe_ip4 ip;
	struct tcpe_seg seg;
	uint32_t off, src, dst;
	char f[9];
	int rc;

	if (bare) {
		off = 0;
		src = N[1 - i].addr;
		dst = n->addr;
		rc = tcpe_wire_tcp_parse(b->data, b->len, src, dst, verify,
		    &seg);
		memset(&ip, 0, sizeof(ip));
	} else {
		rc = tcpe_wire_ip4_parse(b->data, b->len, &ip);
		if (rc == 0 && (tcpe_ip4_is_fragment(&ip) ||
		    ip.proto != TCPE_IPPROTO_TCP))
			rc = -EINVAL;
		if (rc == 0)
			rc = tcpe_wire_tcp_parse(b->data + ip.ihl,
			    tcpe_ip4_payload_len(&ip), ip.src, ip.dst, verify,
			    &seg);
		off = ip.ihl;
	}
	if (rc != 0) {
		/* Only injected or corrupted packets may fail to parse. */
		CHECKF(!verify, "our own packet does not parse: %d", rc);
		fb_unref(NULL, b);
		return;
	}
	seg.data.buf = b;
	seg.data.off += off;
	seg.tos = ip.tos;
	CHECK((uint64_t)seg.data.off + seg.data.len <= b->len);
	switch (rw) {
	case RW_CONN:
		enum_conns(n);
		if (n->nconns > 0)
			seg.t = n->conns[k % n->nconns]->node.key;
		break;
	case RW_LISTEN:
	case RW_LISTEN_PEER:
		seg.t.laddr = n->addr;
		seg.t.lport = n->lport;
		if (rw == RW_LISTEN_PEER)
			seg.t.raddr = N[1 - i].addr;
		break;
	default:
		break;
	}
	seg.hash = tcpe_tuple_hash(&seg.t);
	if (do_taint && seg.data.len > 0)
		taint(n, &seg.t);
	tracef("    >%s %08x:%u>%08x:%u %s seq=%u ack=%u wnd=%u len=%u "
	    "opts=%#x\n", i == SRV ? "SRV" : "PEER", seg.t.raddr, seg.t.rport,
	    seg.t.laddr, seg.t.lport, flags_str(seg.flags, f), seg.seq,
	    seg.ack, seg.wnd, seg.data.len, seg.opts.present);
	CHECK(tcpe_stack_input(n->s, &seg, now, &out) == 0);
	ncalls++;
	if (!batching)
		flush(i);
	fb_unref(NULL, b);
}

/* Deliver (or drop) packet idx of the queue towards node i. */
static void
net_take(int i, uint32_t idx, bool drop)
{
	struct tcpe_buf *b;

	if (Q[i].n == 0)
		return;
	idx %= Q[i].n;
	b = Q[i].p[idx];
	memmove(&Q[i].p[idx], &Q[i].p[idx + 1],
	    (Q[i].n - idx - 1) * sizeof(Q[i].p[0]));
	Q[i].n--;
	if (drop)
		fb_unref(NULL, b);
	else
		deliver(i, b, true, false, RW_NONE, 0, false);
}

/*
 * Deliver everything in flight, in order, until quiet or max packets.
 * Returns the packets delivered.
 */
static uint32_t
net_settle(uint32_t max)
{
	uint32_t k = 0;
	int i;

	while ((Q[0].n > 0 || Q[1].n > 0) && k < max) {
		for (i = 0; i < NNODES; i++) {
			if (Q[i].n > 0) {
				net_take(i, 0, false);
				k++;
			}
		}
	}
	return k;
}

static void
advance(tcpe_time_t t)
{
	int i;

	if (t > now)
		now = t;
	for (i = 0; i < NNODES; i++) {
		CHECK(tcpe_stack_expire(N[i].s, now, &out) == 0);
		flush(i);
	}
}

/* --- operations --------------------------------------------------------- */

enum {
	OP_RAW,		/* sel len16 bytes: raw packet, parse unverified */
	OP_SEG,		/* structured segment relative to a connection */
	OP_SEND,	/* sel len */
	OP_RECV,	/* sel mode */
	OP_SHUT,	/* sel how */
	OP_CLOSE,	/* sel */
	OP_ABORT,	/* sel */
	OP_ACCEPT,	/* node */
	OP_CONNECT,	/* sel */
	OP_LISTEN,	/* sel: node, any address, backlog */
	OP_TIME,	/* unit value */
	OP_TIME_NEXT,	/* jump to the earliest deadline */
	OP_NET_DELIVER,	/* sel: node, index */
	OP_NET_DROP,	/* sel */
	OP_NET_DUP,	/* sel */
	OP_NET_FLUSH,	/* n: deliver in flight, up to 2n + 1 packets */
	OP_NET_CORRUPT,	/* sel pos xor: corrupt, deliver unverified */
	OP_PUMP,	/* node: accept all, read everything */
	OP_EVENTS,	/* node: drain the event list */
	OP_NET_BURST,	/* sel: deliver up to n packets, one out for all */
	OP_N
};

static const char *const op_names[OP_N] = {
	"raw", "seg", "send", "recv", "shutdown", "close", "abort", "accept",
	"connect", "listen", "time", "time_next", "net_deliver", "net_drop",
	"net_dup", "net_flush", "net_corrupt", "pump", "events", "net_burst",
};

static struct handle *
pick_handle(uint8_t sel, int *ni)
{
	struct node *n = &N[sel & 1];

	*ni = sel & 1;
	if (n->nh == 0)
		return NULL;
	return &n->h[(sel >> 1) % n->nh];
}

static void
do_raw(struct rd *r)
{
	uint8_t sel = u8(r);
	uint32_t len = u16(r) % 2048, i;
	struct tcpe_buf *b;

	if (len > r->n)
		len = (uint32_t)r->n;
	b = fb_new(len);
	for (i = 0; i < len; i++)
		b->data[i] = u8(r);
	deliver(sel & 1, b, false, (sel & 8) != 0, (sel >> 1) & 3, sel >> 4,
	    true);
}

static void
do_seg(struct rd *r)
{
	uint8_t tgt = u8(r), flags = u8(r), sm = u8(r), am = u8(r);
	int8_t sd = (int8_t)u8(r), ad = (int8_t)u8(r);
	uint16_t wnd = u16(r);
	uint8_t ob = u8(r), pl = u8(r);
	int i = tgt & 1;
	struct node *n = &N[i];
	const struct tcpe_conn *c = NULL;
	uint32_t rcv_nxt = 0x40000000, rcv_adv, irs, una = 0, nxt = 0,
	    max = 0, iss = 0, msw = 0, base, len, k, first;
	struct tcpe_seg seg;
	struct tcpe_buf *b;
	bool honest = (ob & 0x20) != 0;

	memset(&seg, 0, sizeof(seg));
	enum_conns(n);
	if ((tgt & 0x80) || n->nconns == 0) {
		/* A new tuple, aimed at the listener. */
		seg.t.laddr = n->addr;
		seg.t.lport = n->lport;
		seg.t.raddr = (tgt & 2) ? N[1 - i].addr : ADDR_HOLE;
		seg.t.rport = (uint16_t)(1000 + ((tgt >> 2) & 7));
	} else {
		c = n->conns[(tgt >> 1) % n->nconns];
		seg.t = c->node.key;
		rcv_nxt = c->rcv_nxt;
		una = c->snd_una;
		nxt = c->snd_nxt;
		max = c->snd_max;
		iss = c->iss;
		msw = c->max_snd_wnd;
	}
	rcv_adv = c != NULL ? c->rcv_adv : rcv_nxt;
	irs = c != NULL ? c->irs : rcv_nxt - 1;
	switch (sm & 7) {
	case 0: base = rcv_nxt; break;
	case 1: base = rcv_adv; break;
	case 2: base = irs; break;
	case 3: base = rcv_nxt - 1; break;
	case 4: base = rcv_nxt + 0x80000000u; break;
	case 5: base = irs + 1; break;
	case 6: base = rcv_adv - 1; break;
	default: base = u32(r); break;
	}
	seg.seq = base + (uint32_t)(int32_t)sd * (1u << ((sm >> 3) & 31));
	switch (am & 7) {
	case 0: base = una; break;
	case 1: base = nxt; break;
	case 2: base = max; break;
	case 3: base = iss; break;
	case 4: base = una - msw; break;
	case 5: base = iss + 1; break;
	case 6: base = max + 1; break;
	default: base = u32(r); break;
	}
	seg.ack = base + (uint32_t)(int32_t)ad * (1u << ((am >> 3) & 31));
	seg.flags = flags;
	seg.wnd = wnd;
	if (ob & 1) {
		seg.opts.present |= TCPE_OPT_MSS;
		seg.opts.mss = u16(r);
	}
	if (ob & 2) {
		seg.opts.present |= TCPE_OPT_WS;
		seg.opts.wscale = u8(r);
	}
	if (ob & 4)
		seg.opts.present |= TCPE_OPT_SACKOK;
	if (ob & 8) {
		seg.opts.present |= TCPE_OPT_TS;
		seg.opts.tsval = u8(r);
		seg.opts.tsecr = u8(r);
	}
	if (ob & 0x10) {
		seg.opts.present |= TCPE_OPT_SACK;
		seg.opts.nsack = (uint8_t)(1 + (u8(r) & 3));
		for (k = 0; k < seg.opts.nsack; k++) {
			seg.opts.sack[k].left = una + k * 100;
			seg.opts.sack[k].right = una + k * 100 + 50;
		}
	}
	len = pl < 192 ? pl : (uint32_t)(pl - 191) * 128;
	if (ob & 0x40)
		seg.urp = 1;
	b = fb_new(len + 2);
	b->data[0] = 0xee;
	b->data[1] = 0xee;
	first = seg.seq + ((flags & TCPE_TH_SYN) ? 1 : 0);
	for (k = 0; k < len; k++)
		b->data[2 + k] = honest ? pattern(first + k) :
		    (uint8_t)(k * 13 + pl);
	seg.data.buf = b;
	seg.data.off = 2;
	seg.data.len = len;
	seg.hash = tcpe_tuple_hash(&seg.t);
	if (!honest && len > 0)
		taint(n, &seg.t);
	{
		char f[9];

		tracef("    >%s %08x:%u>%08x:%u %s seq=%u ack=%u wnd=%u "
		    "len=%u opts=%#x%s\n", i == SRV ? "SRV" : "PEER",
		    seg.t.raddr, seg.t.rport, seg.t.laddr, seg.t.lport,
		    flags_str(seg.flags, f), seg.seq, seg.ack, seg.wnd,
		    seg.data.len, seg.opts.present, honest ? "" : " garbage");
	}
	CHECK(tcpe_stack_input(n->s, &seg, now, &out) == 0);
	ncalls++;
	if (!batching)
		flush(i);
	fb_unref(NULL, b);
}

static void
do_send(struct rd *r)
{
	uint8_t sel = u8(r), lb = u8(r);
	struct tcpe_view v;
	struct tcpe_buf *b;
	struct handle *h;
	uint32_t len, pre = lb & 3, k, first;
	int ni, rc;

	h = pick_handle(sel, &ni);
	if (h == NULL)
		return;
	len = lb < 128 ? lb : (uint32_t)(lb - 127) * 256;
	b = fb_new(pre + len);
	memset(b->data, 0xdd, pre);
	first = h->c->iss + 1 + (uint32_t)h->sent;
	for (k = 0; k < len; k++)
		b->data[pre + k] = pattern(first + k);
	v.buf = b;
	v.off = pre;
	v.len = len;
	rc = tcpe_conn_send(h->c, &v, now, &out);
	tracef("    send %u -> %d\n", len, rc);
	if (rc >= 0) {
		CHECK((uint32_t)rc <= len);
		CHECK(v.len == len - (uint32_t)rc);
		CHECK(v.off == pre + (uint32_t)rc);
		h->sent += (uint32_t)rc;
	} else {
		CHECKF(rc == -ENOTCONN || rc == -EPIPE || rc == h->c->err,
		    "send: %d", rc);
	}
	/* A complete send took our reference; otherwise it is ours. */
	if (rc != (int)len || len == 0)
		fb_unref(NULL, b);
	flush(ni);
}

/*
 * Read up to max chunks from h (of at most chunk bytes each, if chunk is
 * not 0), checking them; returns the bytes read.
 */
static uint32_t
recv_some(struct node *n, struct handle *h, uint32_t max, uint32_t chunk)
{
	struct tcpe_conn *c = h->c;
	struct tcpe_view v;
	uint32_t total = 0, k, seq;
	bool check = !tainted(n, &c->node.key);
	const uint8_t *d;
	int rc;

	while (max-- > 0) {
		memset(&v, 0, sizeof(v));
		rc = chunk != 0 ? tcpe_conn_recv_max(c, &v, chunk) :
		    tcpe_conn_recv(c, &v);
		if (rc <= 0) {
			if (rc == 0) {
				CHECK(c->flags & (TCPE_CF_RCV_EOF |
				    TCPE_CF_RD_SHUT) || c->state == TCPE_CLOSED);
				if (c->flags & TCPE_CF_RCV_EOF)
					h->eof = true;
			} else {
				CHECKF(rc == -EAGAIN || rc == c->err ||
				    rc == -ENOTCONN, "recv: %d", rc);
			}
			break;
		}
		CHECK((uint32_t)rc == v.len && view_ok(&v));
		CHECK(chunk == 0 || v.len <= chunk);
		CHECKF(!h->eof, "data after end of stream");
		d = v.buf->data + v.off;
		seq = c->irs + 1 + (uint32_t)h->rcvd;
		for (k = 0; check && k < v.len; k++)
			CHECKF(d[k] == pattern(seq + k), "received byte %llu "
			    "(seq %u) is %#x, expected %#x",
			    (unsigned long long)h->rcvd + k, seq + k, d[k],
			    pattern(seq + k));
		h->rcvd += v.len;
		total += v.len;
		fb_unref(NULL, v.buf);
	}
	return total;
}

static void
do_recv(struct rd *r)
{
	uint8_t sel = u8(r), m = u8(r);
	struct handle *h;
	uint32_t held;
	int ni, rc;

	h = pick_handle(sel, &ni);
	if (h == NULL)
		return;
	/* Chunks of any size, or of at most 1..7 bytes. */
	recv_some(&N[ni], h, (m & 3) == 3 ? 1000 : 1u + (m & 3), m >> 5);
	held = h->c->rcv_held;
	switch ((m >> 2) & 3) {
	case 0:
		rc = tcpe_conn_recv_done(h->c, held, now, &out);
		CHECK(rc == 0);
		break;
	case 1:
		rc = tcpe_conn_recv_done(h->c, held / 2, now, &out);
		CHECK(rc == 0);
		break;
	case 2:
		break;	/* keep holding */
	default:
		rc = tcpe_conn_recv_done(h->c, held + 1, now, &out);
		CHECK(rc == -EINVAL);
		CHECK(h->c->rcv_held == held);
		rc = tcpe_conn_recv_done(h->c, held, now, &out);
		CHECK(rc == 0);
		break;
	}
	flush(ni);
}

static void
do_shut(struct rd *r)
{
	uint8_t sel = u8(r), how = u8(r) % 5;
	struct handle *h;
	int ni, rc, st;

	h = pick_handle(sel, &ni);
	if (h == NULL)
		return;
	st = h->c->state;
	rc = tcpe_conn_shutdown(h->c, how, now, &out);
	if (how < TCPE_SHUT_RD || how > TCPE_SHUT_RDWR)
		CHECK(rc == -EINVAL);
	else if (st == TCPE_LISTEN || st == TCPE_CLOSED)
		CHECK(rc == -ENOTCONN);
	else
		CHECK(rc == 0);
	flush(ni);
}

static void
do_close(struct rd *r)
{
	uint8_t sel = u8(r);
	struct handle *h;
	struct tcpe_conn *c;
	int ni;

	h = pick_handle(sel, &ni);
	if (h == NULL)
		return;
	c = h->c;
	handle_del(&N[ni], h);
	tcpe_conn_close(c, now, &out);
	flush(ni);
}

static void
do_abort(struct rd *r)
{
	uint8_t sel = u8(r);
	struct handle *h;
	int ni;

	h = pick_handle(sel, &ni);
	if (h == NULL)
		return;
	CHECK(tcpe_conn_abort(h->c, now, &out) == 0);
	flush(ni);
}

static void
accept_all(int ni, uint32_t max)
{
	struct node *n = &N[ni];
	struct tcpe_conn *l, *c;
	uint32_t k = 0;

	while ((l = listener_of(n, k)) != NULL && max > 0 &&
	    n->nh < MAX_HANDLES) {
		c = tcpe_stack_accept(l);
		if (c == NULL) {
			k++;
			continue;
		}
		max--;
		CHECK(c->flags & TCPE_CF_APP);
		CHECKF(tcpe_state_synchronized(c->state), "accepted in %s",
		    tcpe_state_name(c->state));
		CHECK(c->listener == NULL);
		handle_add(n, c);
	}
}

static void
do_accept(struct rd *r)
{
	uint8_t sel = u8(r);

	accept_all(sel & 1, 1 + ((sel >> 1) & 3));
}

static void
do_connect(struct rd *r)
{
	uint8_t sel = u8(r);
	int ni = sel & 1, err = 1;
	struct node *n = &N[ni], *o = &N[1 - ni];
	struct tcpe_tuple t;
	struct tcpe_conn *c;

	if (n->nh >= MAX_HANDLES)
		return;
	t.laddr = n->addr;
	t.lport = (uint16_t)(PORT_EPH + ((sel >> 1) & 3));
	t.raddr = o->addr;
	switch ((sel >> 3) & 3) {
	case 0:
		t.rport = o->lport;
		break;
	case 1:
		/* Both sides connecting: simultaneous open. */
		t.rport = (uint16_t)(PORT_EPH + ((sel >> 5) & 3));
		break;
	case 2:
		t.rport = PORT_CLOSED;
		break;
	default:
		t.raddr = ADDR_HOLE;
		t.rport = PORT_SRV;
		break;
	}
	c = tcpe_stack_connect(n->s, &t, tcpe_tuple_hash(&t), now, &out,
	    &err);
	tracef("    connect %08x:%u>%08x:%u -> %p err %d\n", t.laddr,
	    t.lport, t.raddr, t.rport, (void *)c, err);
	if (c != NULL) {
		CHECK(err == 0);
		CHECK(c->state == TCPE_SYN_SENT);
		handle_add(n, c);
	} else {
		CHECKF(err == -EADDRINUSE || err == -ENOSPC || err == -ENOMEM,
		    "connect: %d", err);
	}
	flush(ni);
}

static void
do_listen(struct rd *r)
{
	uint8_t sel = u8(r);
	struct node *n = &N[sel & 1];
	uint32_t laddr = (sel & 2) ? 0 : n->addr;
	struct tcpe_conn *l;
	int err = 1;
	bool had = false;
	uint32_t k;

	if (n->nh >= MAX_HANDLES)
		return;
	for (k = 0; (l = listener_of(n, k)) != NULL; k++)
		if (l->node.key.laddr == laddr)
			had = true;
	/* Bit 1: listen on any address (0); the rest: the backlog, 0 too. */
	l = tcpe_stack_listen(n->s, laddr, n->lport, sel >> 2, &err);
	if (had) {
		CHECK(l == NULL && err == -EADDRINUSE);
		return;
	}
	if (l == NULL) {
		CHECKF(err == -ENOMEM, "listen: %d", err);
		return;
	}
	CHECK(err == 0 && l->state == TCPE_LISTEN);
	handle_add(n, l);
}

static void
do_time(struct rd *r)
{
	static const tcpe_time_t unit[8] = {
		TCPE_US(100), TCPE_MS(1), TCPE_MS(10), TCPE_MS(100),
		TCPE_S(1), TCPE_S(10), TCPE_S(60), TCPE_S(3600),
	};
	uint8_t u = u8(r), v = u8(r);

	advance(now + unit[u & 7] * v + (u >> 3));
}

static tcpe_time_t
next_deadline(void)
{
	tcpe_time_t a = tcpe_stack_deadline(N[0].s);
	tcpe_time_t b = tcpe_stack_deadline(N[1].s);

	return a < b ? a : b;
}

static void
do_time_next(struct rd *r)
{
	tcpe_time_t d = next_deadline();

	(void)r;
	if (d != TCPE_TIME_NEVER)
		advance(d);
}

static void
do_net(struct rd *r, int op)
{
	uint8_t sel = u8(r);
	int i = sel & 1;
	struct tcpe_buf *b, *copy;
	uint32_t idx;

	if (op == OP_NET_FLUSH) {
		net_settle(1 + (uint32_t)sel * 2);
		return;
	}
	if (Q[i].n == 0)
		return;
	idx = (uint32_t)(sel >> 1) % Q[i].n;
	switch (op) {
	case OP_NET_DELIVER:
		net_take(i, idx, false);
		break;
	case OP_NET_DROP:
		net_take(i, idx, true);
		break;
	case OP_NET_DUP:
		b = Q[i].p[idx];
		copy = fb_new(b->len);
		memcpy(copy->data, b->data, b->len);
		netq_push(i, copy);
		break;
	default:
		break;
	}
}

/*
 * A receive burst, as lib/port processes one: up to n packets in order
 * into node i, sharing one out that is flushed once at the end.
 */
static void
do_burst(struct rd *r)
{
	uint8_t sel = u8(r);
	int i = sel & 1;
	uint32_t k;

	batching = true;
	for (k = 0; k <= (uint32_t)(sel >> 1) && Q[i].n > 0; k++)
		net_take(i, 0, false);
	batching = false;
	flush(i);
}

static void
do_corrupt(struct rd *r)
{
	uint8_t sel = u8(r), pos = u8(r), x = u8(r);
	int i = sel & 1;
	struct tcpe_buf *b;
	uint32_t idx, at;

	if (Q[i].n == 0)
		return;
	idx = (uint32_t)(sel >> 1) % Q[i].n;
	b = Q[i].p[idx];
	memmove(&Q[i].p[idx], &Q[i].p[idx + 1],
	    (Q[i].n - idx - 1) * sizeof(Q[i].p[0]));
	Q[i].n--;
	/* Only the TCP part: the IPv4 header checksum is always verified. */
	at = TCPE_IP4_HDR_LEN + pos % (b->len - TCPE_IP4_HDR_LEN);
	b->data[at] ^= x != 0 ? x : 1;
	deliver(i, b, false, false, RW_NONE, 0, true);
}

static void
do_pump(struct rd *r)
{
	uint8_t sel = u8(r);
	int ni = sel & 1;
	struct node *n = &N[ni];
	uint32_t k;

	drain_events(n);
	accept_all(ni, 64);
	for (k = 0; k < n->nh; k++) {
		if (n->h[k].c->state == TCPE_LISTEN)
			continue;
		recv_some(n, &n->h[k], 1000, 0);
		CHECK(tcpe_conn_recv_done(n->h[k].c, n->h[k].c->rcv_held, now,
		    &out) == 0);
		flush(ni);
	}
}

/* --- setup and teardown ------------------------------------------------- */

static void
node_init(int i, const struct tcpe_tcp_cfg *cfg, uint16_t mtu,
    uint32_t backlog)
{
	struct node *n = &N[i];
	struct tcpe_stack_params p;
	struct tcpe_conn *l;
	int err = 1;

	memset(n, 0, sizeof(*n));
	n->cfg = *cfg;
	n->addr = i == SRV ? ADDR_SRV : ADDR_PEER;
	n->lport = i == SRV ? PORT_SRV : PORT_PEER;
	n->backlog = backlog;
	memset(&p, 0, sizeof(p));
	p.cfg = &n->cfg;
	p.bops = bops;
	p.secret[0] = 0x0123456789abcdefULL + (uint64_t)i;
	p.secret[1] = 0x0fedcba987654321ULL;
	p.mtu = mtu;
	p.trace = trace_state;
	p.trace_ctx = n;
	n->s = tcpe_stack_create(&p, now);
	CHECK(n->s != NULL);
	l = tcpe_stack_listen(n->s, n->addr, n->lport, backlog, &err);
	CHECK(l != NULL && err == 0);
	handle_add(n, l);
}

static void
netq_clear(void)
{
	uint32_t k;
	int i;

	for (i = 0; i < NNODES; i++) {
		for (k = 0; k < Q[i].n; k++)
			fb_unref(NULL, Q[i].p[k]);
		Q[i].n = 0;
	}
}

/*
 * Close every handle, then run the network and the clock until every TCB
 * has freed itself: a correct TCP gives up after retries2 retransmissions
 * or probes at most rto_max apart, tcp_fin_timeout or TIME_WAIT, so three
 * simulated hours are plenty. Then no buffer may be left alive, without
 * any help from tcpe_stack_destroy().
 */
static void
drain(void)
{
	struct tcpe_conn *c;
	tcpe_time_t d, end = now + TCPE_S(3 * 3600);
	uint32_t iter, sent = 0;
	int i;

	cur_op = "drain";
	for (i = 0; i < NNODES; i++) {
		while (N[i].nh > 0) {
			c = N[i].h[0].c;
			handle_del(&N[i], &N[i].h[0]);
			tcpe_conn_close(c, now, &out);
			flush(i);
		}
	}
	check_all();
	for (iter = 0; iter < 20000; iter++) {
		sent += net_settle(1024);
		netq_clear();	/* an ACK storm: cut it */
		check_all();
		/* A storm that does not stop (an ACK war, a wedged TCB). */
		CHECKF(sent <= 200000, "drain: the network never goes quiet");
		if (N[0].s->nconns == 0 && N[1].s->nconns == 0)
			break;
		d = next_deadline();
		if (d == TCPE_TIME_NEVER || d > end)
			break;
		advance(d);
		check_all();
	}
	for (i = 0; i < NNODES; i++) {
		enum_conns(&N[i]);
		if (N[i].nconns > 0) {
			c = N[i].conns[0];
			CHECKF(0, "%s: %u connection(s) never freed after close, "
			    "e.g. %s with %s deadline", i == SRV ? "SRV" :
			    "PEER", N[i].nconns, tcpe_state_name(c->state),
			    tcpe_conn_deadline(c) == TCPE_TIME_NEVER ? "no" :
			    "a");
		}
		CHECK(N[i].s->nconns == 0);
	}
	CHECKF(live == 0, "%ld buffers alive with no connection left", live);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Configuration bytes (both stacks get the same [tcp] section):
 *   c0  bit 0 window scaling, bits 1-2 rmem {1K, 4K, 16K, 128K},
 *       bits 3-4 wmem {1K, 4K, 16K, 64K}, bit 5 small out array,
 *       bit 6 end with tcpe_stack_destroy() instead of draining,
 *       bit 7 MTU 576 instead of 1500
 *   c1  bits 0-1 syn_retries - 1, bits 2-3 synack_retries, 4-7 retries2
 *   c2  bits 0-5 timewait_len - 1 (s), bits 6-7 rto_initial
 *       {1000, 200, 3000, 1} ms
 *   c3  bits 0-3 max_conns - 2, bits 4-6 somaxconn - 1
 *   c4  bits 0-2 small out array size - 1, bits 3-5 initial backlog - 1,
 *       bit 6 on a full out, drop the rest instead of flushing and
 *       calling tcpe_conn_output() again, bit 7 tcp_early_retrans 0
 *       (no tail loss probe) instead of 3
 *   c5  bits 0-1 rto_max {1, 5, 60, 120} s, bits 2-7 fin_timeout - 1 (s)
 *   c6 .. c8  see below; c8 bit 7 tcp_recovery 0 (no RACK) instead
 *       of 1
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t rmem[4] = { 1024, 4096, 16384, 131072 };
	static const uint32_t wmem[4] = { 1024, 4096, 16384, 65536 };
	static const uint32_t rto_max[4] = { 1000, 5000, 60000, 120000 };
	static const uint32_t rto_init[4] = { 1000, 200, 3000, 1 };
	struct rd r = { data, size };
	struct tcpe_tcp_cfg cfg;
	uint8_t c0, c1, c2, c3, c4, c5, c6, c7, c8, op;
	uint32_t steps = 0;
	bool destroy;
	int i;

	if (size > 16384)
		return 0;
	live = 0;
	now = T0;
	ip_id = 0;
	next_id = 0;
	ncalls = 0;
	batching = false;
	cur_op = "setup";
	memset(Q, 0, sizeof(Q));

	c0 = u8(&r);
	c1 = u8(&r);
	c2 = u8(&r);
	c3 = u8(&r);
	c4 = u8(&r);
	c5 = u8(&r);
	c6 = u8(&r);
	c7 = u8(&r);
	c8 = u8(&r);
	tcpe_tcp_cfg_defaults(&cfg);
	cfg.window_scaling = c0 & 1;
	cfg.rmem[0] = cfg.rmem[1] = cfg.rmem[2] = rmem[(c0 >> 1) & 3];
	cfg.wmem[0] = cfg.wmem[1] = cfg.wmem[2] = wmem[(c0 >> 3) & 3];
	cfg.syn_retries = 1 + (c1 & 3);
	cfg.synack_retries = (c1 >> 2) & 3;
	cfg.retries2 = c1 >> 4;
	cfg.timewait_len = 1 + (c2 & 63);
	cfg.fin_timeout = 1 + (c5 >> 2);
	cfg.rto_max_ms = rto_max[c5 & 3];
	cfg.rto_initial_ms = rto_init[c2 >> 6];
	if (cfg.rto_initial_ms > cfg.rto_max_ms)
		cfg.rto_initial_ms = cfg.rto_max_ms;
	cfg.rto_min_ms = 1;
	/*
	 * tcpe_tcp_cfg_check() wants at least 16, but the core must cope
	 * with any size: small tables reach the table-full paths.
	 */
	cfg.max_conns = 2 + (c3 & 15);
	cfg.somaxconn = 1 + ((c3 >> 4) & 7);
	/* Establishment knobs (issue 3): spare bits, defaults at zero. */
	cfg.abort_on_overflow = c3 >> 7;
	cfg.max_syn_backlog = (c0 & 0x80) ? 1 + (c6 & 1) : 1024;
	cfg.timestamps = !(c6 & 0x02);
	cfg.sack = !(c6 & 0x04);
	cfg.syncookies = (c6 >> 3) & 3;
	if (cfg.syncookies == 3)
		cfg.syncookies = 1;
	/* Teardown knobs (issue 4). */
	cfg.orphan_retries = (c6 >> 5) & 3;
	cfg.rfc1337 = c6 >> 7;
	cfg.max_orphans = (c7 & 1) ? 1 + ((c7 >> 1) & 3) : 65536;
	cfg.max_tw_buckets = (c7 & 0x08) ? (c7 >> 4) & 3 : 262144;
	cfg.tw_reuse = (c7 >> 6) & 3;
	/* Reliable delivery knobs (issue 5). */
	cfg.congestion_control = c8 % 3;
	cfg.reordering = 1 + ((c8 >> 2) & 3);
	cfg.dsack = (c8 >> 4) & 1;
	cfg.init_cwnd = (c8 & 0x20) ? 1 : 10;
	cfg.delack_min_ms = (c8 & 0x40) ? 1 : 40;
	/* RACK-TLP (RFC 8985): the defaults unless the spare bits say no. */
	cfg.recovery = !(c8 & 0x80);
	cfg.early_retrans = (c4 & 0x80) ? 0 : 3;
	out_cap = (c0 & 0x20) ? 1 + (c4 & 7) : OUT_CAP;
	retry_full = !(c4 & 0x40);
	lossy_out = out_cap < OUT_CAP && !retry_full;
	destroy = (c0 & 0x40) != 0;
	out.segs = outsegs;
	out.cap = out_cap;
	out.n = 0;
	out.full = false;
	for (i = 0; i < NNODES; i++)
		node_init(i, &cfg, (c0 & 0x80) ? 576 : 1500,
		    1 + ((c4 >> 3) & 7));
	tracef("--- cfg ws=%u rmem=%u wmem=%u syn=%u synack=%u r2=%u tw=%u "
	    "rto=%u/%u max_conns=%u somax=%u out_cap=%u rack=%u tlp=%u %s\n",
	    cfg.window_scaling, cfg.rmem[1], cfg.wmem[1], cfg.syn_retries,
	    cfg.synack_retries, cfg.retries2, cfg.timewait_len,
	    cfg.rto_initial_ms, cfg.rto_max_ms, cfg.max_conns, cfg.somaxconn,
	    out_cap, cfg.recovery, cfg.early_retrans,
	    destroy ? "destroy" : "drain");
	check_all();

	while (r.n > 0 && steps++ < 2000) {
		op = u8(&r) % OP_N;
		cur_op = op_names[op];
		tracef("[%u] %s at T0%+lld\n", steps, cur_op,
		    (long long)(now - T0));
		switch (op) {
		case OP_RAW: do_raw(&r); break;
		case OP_SEG: do_seg(&r); break;
		case OP_SEND: do_send(&r); break;
		case OP_RECV: do_recv(&r); break;
		case OP_SHUT: do_shut(&r); break;
		case OP_CLOSE: do_close(&r); break;
		case OP_ABORT: do_abort(&r); break;
		case OP_ACCEPT: do_accept(&r); break;
		case OP_CONNECT: do_connect(&r); break;
		case OP_LISTEN: do_listen(&r); break;
		case OP_TIME: do_time(&r); break;
		case OP_TIME_NEXT: do_time_next(&r); break;
		case OP_NET_CORRUPT: do_corrupt(&r); break;
		case OP_PUMP: do_pump(&r); break;
		case OP_EVENTS: drain_events(&N[u8(&r) & 1]); break;
		case OP_NET_BURST: do_burst(&r); break;
		default: do_net(&r, op); break;
		}
		check_all();
	}

	if (!destroy)
		drain();
	cur_op = "destroy";
	netq_clear();
	for (i = 0; i < NNODES; i++) {
		tcpe_stack_destroy(N[i].s);
		N[i].s = NULL;
	}
	CHECKF(live == 0, "%ld buffers alive after tcpe_stack_destroy", live);
	return 0;
}
