/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Types shared by every module of the sans-IO core: time, 4-tuples, parsed
 * and emitted segments, opaque payload buffers, wrapping comparisons.
 *
 * Nothing here may depend on DPDK (DESIGN.md section 1).
 */
#ifndef TCPE_TYPES_H
#define TCPE_TYPES_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Time is a parameter, never read by the core: nanoseconds since an
 * arbitrary origin chosen by the caller (the lcore loop converts the TSC).
 */
typedef uint64_t tcpe_time_t;

#define TCPE_NS(x)	((tcpe_time_t)(x))
#define TCPE_US(x)	((tcpe_time_t)(x) * 1000ULL)
#define TCPE_MS(x)	((tcpe_time_t)(x) * 1000000ULL)
#define TCPE_S(x)	((tcpe_time_t)(x) * 1000000000ULL)
/* No deadline armed. */
#define TCPE_TIME_NEVER	UINT64_MAX

/*
 * Sequence numbers wrap modulo 2^32 (RFC 9293 section 3.4). They are
 * compared only through these helpers, never with < or > directly.
 */
static inline bool
tcpe_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool
tcpe_seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static inline bool
tcpe_seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline bool
tcpe_seq_geq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

/* lo <= x < hi, modulo 2^32. */
static inline bool
tcpe_seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
	return (uint32_t)(x - lo) < (uint32_t)(hi - lo);
}

static inline uint32_t
tcpe_seq_max(uint32_t a, uint32_t b)
{
	return tcpe_seq_gt(a, b) ? a : b;
}

static inline uint32_t
tcpe_seq_min(uint32_t a, uint32_t b)
{
	return tcpe_seq_lt(a, b) ? a : b;
}

/* 32-bit timestamp clocks (RFC 7323) wrap like sequence numbers. */
#define tcpe_ts_lt(a, b)	tcpe_seq_lt((a), (b))
#define tcpe_ts_gt(a, b)	tcpe_seq_gt((a), (b))

/*
 * A connection's 4-tuple seen from the local side, in host byte order.
 * For a received segment, laddr/lport are its destination.
 */
struct tcpe_tuple {
	uint32_t laddr;
	uint32_t raddr;
	uint16_t lport;
	uint16_t rport;
};

static inline bool
tcpe_tuple_eq(const struct tcpe_tuple *a, const struct tcpe_tuple *b)
{
	return a->laddr == b->laddr && a->raddr == b->raddr &&
	    a->lport == b->lport && a->rport == b->rport;
}

/*
 * Opaque payload buffer. lib/port implements it on DPDK mbufs, the unit
 * tests on malloc with a live-reference counter. A buffer is shared by
 * reference counting; the core never writes into one.
 */
struct tcpe_buf;

struct tcpe_buf_ops {
	/* Take one more reference. */
	void (*ref)(void *ctx, struct tcpe_buf *b);
	/* Drop one reference; the last one frees the buffer. */
	void (*unref)(void *ctx, struct tcpe_buf *b);
	/* First byte of the buffer's data and its length. */
	const uint8_t *(*ptr)(void *ctx, const struct tcpe_buf *b);
	uint32_t (*len)(void *ctx, const struct tcpe_buf *b);
	void *ctx;
};

/*
 * A view of len bytes at offset off inside buf. A view "holding a
 * reference" owns exactly one reference on buf. Splitting a view is done
 * by taking another reference and adjusting off/len, so the buffer
 * implementation needs no split operation of its own.
 */
struct tcpe_view {
	struct tcpe_buf *buf;
	uint32_t off;
	uint32_t len;
};

/* Intrusive circular doubly linked list (Linux list_head). */
struct tcpe_list {
	struct tcpe_list *next;
	struct tcpe_list *prev;
};

static inline void
tcpe_list_init(struct tcpe_list *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool
tcpe_list_empty(const struct tcpe_list *h)
{
	return h->next == h;
}

/* Insert n before h, i.e. at the tail of the list headed by h. */
static inline void
tcpe_list_add_tail(struct tcpe_list *h, struct tcpe_list *n)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

/* Unlink n and leave it pointing at itself (safe to unlink twice). */
static inline void
tcpe_list_del(struct tcpe_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

#define tcpe_container_of(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

/* TCP header flags (RFC 9293 section 3.1). */
#define TCPE_TH_FIN	0x01
#define TCPE_TH_SYN	0x02
#define TCPE_TH_RST	0x04
#define TCPE_TH_PSH	0x08
#define TCPE_TH_ACK	0x10
#define TCPE_TH_URG	0x20
#define TCPE_TH_ECE	0x40
#define TCPE_TH_CWR	0x80

/* Which options a segment carries (struct tcpe_opts.present). */
#define TCPE_OPT_MSS	0x01
#define TCPE_OPT_WS	0x02
#define TCPE_OPT_SACKOK	0x04
#define TCPE_OPT_TS	0x08
#define TCPE_OPT_SACK	0x10

#define TCPE_MAX_SACK_BLOCKS	4

struct tcpe_sack_block {
	uint32_t left;
	uint32_t right;
};

/* TCP options, parsed or to be built. Only fields flagged in present count. */
struct tcpe_opts {
	uint8_t present;
	uint8_t wscale;		/* as received: not yet clamped to 14 */
	uint8_t nsack;		/* SACK blocks in sack[] */
	uint16_t mss;
	uint32_t tsval;
	uint32_t tsecr;
	struct tcpe_sack_block sack[TCPE_MAX_SACK_BLOCKS];
};

/*
 * A received TCP segment after parsing and checksum verification.
 * The payload view does not hold a reference: it is valid for the
 * duration of the input call; the core takes its own references on
 * whatever it keeps.
 */
struct tcpe_seg {
	struct tcpe_tuple t;	/* laddr/lport = destination */
	uint32_t hash;		/* caller's 4-tuple hash (RSS or software) */
	uint32_t seq;
	uint32_t ack;
	uint16_t wnd;		/* raw header field, not scaled */
	uint16_t urp;
	uint8_t flags;
	uint8_t tos;
	struct tcpe_opts opts;
	struct tcpe_view data;	/* payload, no reference held */
};

/* Payload of one emitted segment can span this many views. */
#define TCPE_OSEG_MAX_VIEWS	8

/*
 * A segment the core wants sent. Every view in v[] holds one reference
 * that belongs to whoever consumes the segment (lib/port chains it into
 * the mbuf it transmits; tests inspect it); tcpe_out_release() drops them.
 */
struct tcpe_oseg {
	struct tcpe_tuple t;	/* laddr/lport = source */
	uint32_t seq;
	uint32_t ack;
	uint16_t wnd;		/* raw header field, already scaled down */
	uint8_t flags;
	uint8_t nviews;
	uint32_t len;		/* payload bytes, sum of v[].len */
	struct tcpe_opts opts;
	struct tcpe_view v[TCPE_OSEG_MAX_VIEWS];
};

/*
 * Segments produced by one or more core calls. The caller provides the
 * array; when it is full the core stops emitting (full is set) and the
 * caller flushes and calls tcpe_conn_output() again.
 */
struct tcpe_out {
	struct tcpe_oseg *segs;
	uint32_t n;
	uint32_t cap;
	bool full;
};

static inline struct tcpe_oseg *
tcpe_out_next(struct tcpe_out *out)
{
	struct tcpe_oseg *o;

	if (out->n >= out->cap) {
		out->full = true;
		return NULL;
	}
	o = &out->segs[out->n++];
	o->nviews = 0;
	o->len = 0;
	o->opts.present = 0;
	o->opts.nsack = 0;
	return o;
}

/* Drop the references held by every segment in out and empty it. */
static inline void
tcpe_out_release(struct tcpe_out *out, const struct tcpe_buf_ops *ops)
{
	uint32_t i, j;

	for (i = 0; i < out->n; i++)
		for (j = 0; j < out->segs[i].nviews; j++)
			ops->unref(ops->ctx, out->segs[i].v[j].buf);
	out->n = 0;
	out->full = false;
}

#endif /* TCPE_TYPES_H */
