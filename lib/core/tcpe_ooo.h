/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The receiver's out-of-order queue: the bytes received above RCV.NXT,
 * kept as views (each holding one buffer reference) until the hole below
 * them is filled, and the SACK blocks that describe them (RFC 2018).
 *
 * The queue never copies payload. Overlaps are resolved byte-exactly in
 * sequence space: the bytes already held win, and only the new bytes of
 * a segment are kept, as one view per gap it fills (a new segment that
 * spans several held ones keeps several views of its buffer). Two limits
 * bound the memory an attacker can pin with scattered or tiny segments:
 * TCPE_OOO_MAX_SEGS distinct ranges (the SACK scoreboard of the peer)
 * and TCPE_OOO_MAX_VIEWS views; a segment that would exceed either is
 * refused whole (the sender retransmits it).
 *
 * Cost: appending at the right edge of the highest range (the common
 * case: in-order arrival after one hole) and popping from the head are
 * O(1) amortized; any other insertion is O(log n) to find its place plus
 * a memmove of the views above it and of the (at most 64) ranges.
 * Memory is allocated on the first insertion and freed whenever the
 * queue becomes empty again.
 *
 * One queue belongs to one connection, touched only by its lcore.
 */
#ifndef TCPE_OOO_H
#define TCPE_OOO_H

#include "tcpe_types.h"

/* At most this many distinct (non-contiguous) ranges are held. */
#define TCPE_OOO_MAX_SEGS	64
/* At most this many views (pieces of received segments) are held. */
#define TCPE_OOO_MAX_VIEWS	1024

/* One held piece: bytes [seq, seq + v.len) of the sequence space. */
struct tcpe_ooo_seg {
	uint32_t seq;
	struct tcpe_view v;		/* holds one reference */
};

/* A maximal run of contiguous held bytes [left, right). */
struct tcpe_ooo_range {
	uint32_t left;
	uint32_t right;
	uint64_t stamp;			/* last insertion that touched it */
};

/*
 * Invariants:
 *  - seg[head .. head + n) are sorted by seq, non-overlapping, non-empty,
 *    all above the rcv_nxt of the last call (modulo 2^32);
 *  - range[0 .. nranges) are sorted, separated by at least one missing
 *    byte, and cover exactly the bytes of the segs; nranges <=
 *    TCPE_OOO_MAX_SEGS, n <= TCPE_OOO_MAX_VIEWS;
 *  - bytes is the sum of the views' lengths;
 *  - if has_fin, no byte at or beyond fin_seq is held;
 *  - seg and range are NULL when n == 0 (nothing allocated).
 */
struct tcpe_ooo {
	struct tcpe_ooo_seg *seg;
	uint32_t head;			/* first live entry of seg[] */
	uint32_t n;			/* live entries */
	uint32_t cap;			/* entries allocated */
	uint32_t bytes;
	struct tcpe_ooo_range *range;	/* TCPE_OOO_MAX_SEGS entries */
	uint32_t nranges;
	uint32_t fin_seq;		/* sequence number of the FIN */
	bool has_fin;
	uint64_t stamp;			/* insertion clock, for recency */
	/* The ops of the last insertion: tcpe_ooo_pop() drops with them. */
	const struct tcpe_buf_ops *ops;
};

/* An empty queue. Allocates nothing. */
void tcpe_ooo_init(struct tcpe_ooo *q);

/*
 * Queue the len bytes of v at seq, with a FIN after them if fin. The
 * caller guarantees seq > rcv_nxt (bytes below rcv_nxt would be ignored)
 * and that seq + len lies inside the receive window. v need not hold a
 * reference: the queue takes its own, one per piece it keeps, through
 * ops (which must stay valid while anything is held: tcpe_ooo_pop()
 * releases through them).
 *
 * Held bytes win: only the bytes of v not already held are kept. A FIN
 * is recorded at seq + len unless one is already recorded (a different
 * FIN position is ignored) or bytes at or beyond it are held (the FIN is
 * ignored, its data kept); bytes beyond a recorded FIN are dropped.
 * Pieces entirely below rcv_nxt are released first (when the caller
 * advanced rcv_nxt past held bytes without popping them).
 *
 * *dup (if not NULL) gets the lowest contiguous run of bytes of v that
 * were already held, for a D-SACK block (RFC 2883), or left == right
 * when none was; the range holding that run becomes the most recent one
 * for tcpe_ooo_sack(), so that it follows the D-SACK block (RFC 2883
 * section 4, rule 2).
 *
 * Returns 0; -ENOSPC if keeping the new bytes would exceed
 * TCPE_OOO_MAX_SEGS ranges or TCPE_OOO_MAX_VIEWS views, -ENOMEM if out of
 * memory: then nothing of the segment is kept (nor its FIN) and *dup
 * tells no duplicate.
 */
int tcpe_ooo_insert(struct tcpe_ooo *q, uint32_t rcv_nxt, uint32_t seq,
    const struct tcpe_view *v, bool fin, const struct tcpe_buf_ops *ops,
    struct tcpe_sack_block *dup);

/*
 * If the lowest held byte is at or below rcv_nxt: removes the view that
 * holds rcv_nxt, trimmed to start there, into *v (its reference passes to
 * the caller), sets *fin when the FIN follows its last byte, and returns
 * true; the caller advances rcv_nxt by v->len (and by one for the FIN)
 * and calls again until false. Held bytes below rcv_nxt are released on
 * the way. When only the FIN is at rcv_nxt (its data arrived in order
 * or was popped already, or a FIN-only segment came early), *v is
 * {NULL, 0, 0} and *fin true. Returns false, *v and *fin untouched, when
 * nothing is held at rcv_nxt. A recorded FIN below rcv_nxt is forgotten.
 */
bool tcpe_ooo_pop(struct tcpe_ooo *q, uint32_t rcv_nxt, struct tcpe_view *v,
    bool *fin);

/*
 * Up to max SACK blocks for the ranges held (RFC 2018 section 4): the
 * range holding the most recently received segment first, then the
 * others from the most recently to the least recently touched. Returns
 * how many were written to blk.
 */
uint32_t tcpe_ooo_sack(const struct tcpe_ooo *q, struct tcpe_sack_block *blk,
    uint32_t max);

/* Payload bytes held. */
uint32_t tcpe_ooo_bytes(const struct tcpe_ooo *q);

/* True when neither byte nor FIN is held. */
static inline bool
tcpe_ooo_empty(const struct tcpe_ooo *q)
{
	return q->n == 0 && !q->has_fin;
}

/* Views held (at most TCPE_OOO_MAX_VIEWS). */
static inline uint32_t
tcpe_ooo_nviews(const struct tcpe_ooo *q)
{
	return q->n;
}

/* Distinct ranges held (at most TCPE_OOO_MAX_SEGS). */
static inline uint32_t
tcpe_ooo_nranges(const struct tcpe_ooo *q)
{
	return q->nranges;
}

/* True and *seq set when a FIN is recorded. */
static inline bool
tcpe_ooo_fin(const struct tcpe_ooo *q, uint32_t *seq)
{
	if (q->has_fin)
		*seq = q->fin_seq;
	return q->has_fin;
}

/*
 * The sequence number just above the highest held byte, or that of the
 * recorded FIN (never below it), or rcv_nxt when the queue is empty: how
 * far the peer has sent, as far as the queue knows.
 */
uint32_t tcpe_ooo_end(const struct tcpe_ooo *q, uint32_t rcv_nxt);

/*
 * Release every reference held through ops, free the memory, leave the
 * queue empty (reusable without tcpe_ooo_init()).
 */
void tcpe_ooo_free(struct tcpe_ooo *q, const struct tcpe_buf_ops *ops);

#endif /* TCPE_OOO_H */
