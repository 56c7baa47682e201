/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcpe_ooo.h"

/* First allocation of seg[], in entries. */
#define SEG_CAP_MIN	16

_Static_assert(TCPE_OOO_MAX_VIEWS >= SEG_CAP_MIN,
    "the view limit must allow the first allocation");

static inline uint32_t
seg_end(const struct tcpe_ooo_seg *s)
{
	return s->seq + s->v.len;
}

/*
 * Everything held and inserted lies in [base, base + 2^31): offsets from
 * base compare as plain unsigned numbers.
 */
static inline uint32_t
rel(uint32_t x, uint32_t base)
{
	return x - base;
}

void
tcpe_ooo_init(struct tcpe_ooo *q)
{
	memset(q, 0, sizeof(*q));
}

/* Give the memory back once nothing is held. */
static void
release_if_empty(struct tcpe_ooo *q)
{
	if (q->n > 0)
		return;
	free(q->seg);
	free(q->range);
	q->seg = NULL;
	q->range = NULL;
	q->head = 0;
	q->cap = 0;
	q->nranges = 0;
	q->bytes = 0;
}

static void
range_remove(struct tcpe_ooo *q, uint32_t i, uint32_t count)
{
	memmove(&q->range[i], &q->range[i + count],
	    (q->nranges - i - count) * sizeof(q->range[0]));
	q->nranges -= count;
}

/*
 * Release every held byte below cut (the caller's rcv_nxt), trimming the
 * view that straddles it, and forget a FIN below it.
 */
static void
prune(struct tcpe_ooo *q, uint32_t cut, const struct tcpe_buf_ops *ops)
{
	struct tcpe_ooo_seg *s;
	uint32_t d, i;

	while (q->n > 0) {
		s = &q->seg[q->head];
		if (tcpe_seq_leq(seg_end(s), cut)) {
			q->bytes -= s->v.len;
			ops->unref(ops->ctx, s->v.buf);
			q->head++;
			q->n--;
			continue;
		}
		if (tcpe_seq_lt(s->seq, cut)) {
			d = cut - s->seq;
			s->seq = cut;
			s->v.off += d;
			s->v.len -= d;
			q->bytes -= d;
		}
		break;
	}
	for (i = 0; i < q->nranges; i++)
		if (tcpe_seq_gt(q->range[i].right, cut))
			break;
	if (i > 0)
		range_remove(q, 0, i);
	if (q->nranges > 0 && tcpe_seq_lt(q->range[0].left, cut))
		q->range[0].left = cut;
	if (q->has_fin && tcpe_seq_lt(q->fin_seq, cut))
		q->has_fin = false;
	release_if_empty(q);
}

/*
 * Make room for k more entries after the last one. Compacts to the
 * front when at most half of seg[] would then be in use, grows (doubling,
 * up to TCPE_OOO_MAX_VIEWS) otherwise: O(1) amortized per entry. The
 * caller checked n + k <= TCPE_OOO_MAX_VIEWS. Returns 0 or -ENOMEM
 * (nothing changed).
 */
static int
reserve(struct tcpe_ooo *q, uint32_t k)
{
	struct tcpe_ooo_seg *ns;
	uint32_t need = q->n + k, ncap;

	if (q->head + need <= q->cap)
		return 0;
	if (need <= q->cap / 2 || q->cap == TCPE_OOO_MAX_VIEWS) {
		memmove(q->seg, &q->seg[q->head], q->n * sizeof(q->seg[0]));
		q->head = 0;
		return 0;
	}
	ncap = q->cap == 0 ? SEG_CAP_MIN : q->cap * 2;
	while (ncap < 2 * need && ncap < TCPE_OOO_MAX_VIEWS)
		ncap *= 2;
	if (ncap > TCPE_OOO_MAX_VIEWS)
		ncap = TCPE_OOO_MAX_VIEWS;
	ns = malloc(ncap * sizeof(*ns));
	if (ns == NULL)
		return -ENOMEM;
	if (q->n > 0)
		memcpy(ns, &q->seg[q->head], q->n * sizeof(*ns));
	free(q->seg);
	q->seg = ns;
	q->head = 0;
	q->cap = ncap;
	return 0;
}

/* Index of the first range whose right edge is at or above x. */
static uint32_t
range_find(const struct tcpe_ooo *q, uint32_t x, uint32_t base)
{
	uint32_t lo = 0, hi = q->nranges, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rel(q->range[mid].right, base) < rel(x, base))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index (into seg[]) of the first entry ending above x. */
static uint32_t
seg_find(const struct tcpe_ooo *q, uint32_t x, uint32_t base)
{
	uint32_t lo = q->head, hi = q->head + q->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rel(seg_end(&q->seg[mid]), base) <= rel(x, base))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Write piece [from, to) of the new segment (starting at s in v) at *w. */
static void
put_piece(struct tcpe_ooo_seg *w, const struct tcpe_view *v, uint32_t s,
    uint32_t from, uint32_t to, const struct tcpe_buf_ops *ops)
{
	w->seq = from;
	w->v.buf = v->buf;
	w->v.off = v->off + (from - s);
	w->v.len = to - from;
	ops->ref(ops->ctx, v->buf);
}

int
tcpe_ooo_insert(struct tcpe_ooo *q, uint32_t rcv_nxt, uint32_t seq,
    const struct tcpe_view *v, bool fin, const struct tcpe_buf_ops *ops,
    struct tcpe_sack_block *dup)
{
	struct tcpe_view nv = *v;
	struct tcpe_ooo_seg *sg;
	struct tcpe_ooo_range *r;
	uint32_t s = seq, e, pos, end, j, nover, k, cur, dl = 0, dr = 0;
	uint32_t ri, m, w, added, left, right;
	int dup_state = 0;	/* 0: none seen, 1: run open, 2: run closed */
	bool set_fin = false;
	int rc;

	if (dup != NULL)
		dup->left = dup->right = seq;
	prune(q, rcv_nxt, ops);
	/* Defensive: the caller promised seq > rcv_nxt. */
	if (tcpe_seq_lt(s, rcv_nxt)) {
		if (tcpe_seq_leq(s + nv.len, rcv_nxt))
			return 0;
		nv.off += rcv_nxt - s;
		nv.len -= rcv_nxt - s;
		s = rcv_nxt;
	}
	e = s + nv.len;
	if (q->has_fin) {
		/* The first FIN fixed the end (RFC 9293 section 3.10.7.4). */
		if (tcpe_seq_gt(e, q->fin_seq)) {
			nv.len = tcpe_seq_geq(s, q->fin_seq) ? 0 :
			    q->fin_seq - s;
			e = s + nv.len;
		}
	} else if (fin) {
		/* Held bytes beyond this FIN win over it. */
		set_fin = q->n == 0 ||
		    tcpe_seq_leq(seg_end(&q->seg[q->head + q->n - 1]), e);
	}
	if (nv.len == 0) {
		if (set_fin) {
			q->has_fin = true;
			q->fin_seq = e;
		}
		return 0;
	}

	/*
	 * Where it goes, and what of it is new: one piece per gap between
	 * the held entries it overlaps, plus the part beyond the last.
	 */
	end = q->head + q->n;
	if (q->n == 0 || rel(seg_end(&q->seg[end - 1]), rcv_nxt) <=
	    rel(s, rcv_nxt))
		pos = end;	/* the common case: above everything */
	else
		pos = seg_find(q, s, rcv_nxt);
	cur = s;
	k = 0;
	for (j = pos; j < end && rel(q->seg[j].seq, rcv_nxt) < rel(e, rcv_nxt);
	    j++) {
		sg = &q->seg[j];
		if (rel(sg->seq, rcv_nxt) > rel(cur, rcv_nxt)) {
			k++;
			if (dup_state == 1)
				dup_state = 2;
		}
		if (dup_state == 0) {
			dl = tcpe_seq_max(sg->seq, s);
			dup_state = 1;
		}
		if (dup_state == 1)
			dr = tcpe_seq_min(seg_end(sg), e);
		cur = seg_end(sg);
	}
	nover = j - pos;
	if (rel(cur, rcv_nxt) < rel(e, rcv_nxt))
		k++;

	if (k == 0) {
		/* Fully held: a duplicate; its range is the freshest. */
		ri = range_find(q, s + 1, rcv_nxt);
		q->range[ri].stamp = ++q->stamp;
		if (set_fin) {
			q->has_fin = true;
			q->fin_seq = e;
		}
		if (dup != NULL) {
			dup->left = s;
			dup->right = e;
		}
		return 0;
	}

	/* Ranges it touches or overlaps merge into one. */
	ri = range_find(q, s, rcv_nxt);
	for (m = 0; ri + m < q->nranges; m++)
		if (rel(q->range[ri + m].left, rcv_nxt) > rel(e, rcv_nxt))
			break;
	if (q->nranges + 1 - m > TCPE_OOO_MAX_SEGS ||
	    q->n + k > TCPE_OOO_MAX_VIEWS)
		return -ENOSPC;
	if (q->range == NULL) {
		q->range = malloc(TCPE_OOO_MAX_SEGS * sizeof(q->range[0]));
		if (q->range == NULL)
			return -ENOMEM;
	}
	pos -= q->head;
	rc = reserve(q, k);
	if (rc != 0) {
		release_if_empty(q);
		return rc;
	}
	pos += q->head;
	end = q->head + q->n;

	/* Open k slots at pos, then merge the pieces between the entries. */
	memmove(&q->seg[pos + k], &q->seg[pos],
	    (end - pos) * sizeof(q->seg[0]));
	w = pos;
	cur = s;
	added = 0;
	for (j = pos + k; j < pos + k + nover; j++) {
		sg = &q->seg[j];
		if (rel(sg->seq, rcv_nxt) > rel(cur, rcv_nxt)) {
			put_piece(&q->seg[w++], &nv, s, cur, sg->seq, ops);
			added += sg->seq - cur;
		}
		cur = seg_end(sg);
		q->seg[w++] = *sg;
	}
	if (rel(cur, rcv_nxt) < rel(e, rcv_nxt)) {
		put_piece(&q->seg[w++], &nv, s, cur, e, ops);
		added += e - cur;
	}
	q->n += k;
	q->bytes += added;

	if (m == 0) {
		memmove(&q->range[ri + 1], &q->range[ri],
		    (q->nranges - ri) * sizeof(q->range[0]));
		q->nranges++;
		left = s;
		right = e;
	} else {
		left = tcpe_seq_min(q->range[ri].left, s);
		right = tcpe_seq_max(q->range[ri + m - 1].right, e);
		range_remove(q, ri + 1, m - 1);
	}
	r = &q->range[ri];
	r->left = left;
	r->right = right;
	r->stamp = ++q->stamp;

	if (set_fin) {
		q->has_fin = true;
		q->fin_seq = e;
	}
	q->ops = ops;
	if (dup != NULL && dup_state != 0) {
		dup->left = dl;
		dup->right = dr;
	}
	return 0;
}

bool
tcpe_ooo_pop(struct tcpe_ooo *q, uint32_t rcv_nxt, struct tcpe_view *v,
    bool *fin)
{
	struct tcpe_ooo_seg *s;
	uint32_t e;

	if (q->n > 0)
		prune(q, rcv_nxt, q->ops);
	else if (q->has_fin && tcpe_seq_lt(q->fin_seq, rcv_nxt))
		q->has_fin = false;
	if (q->n > 0 && q->seg[q->head].seq == rcv_nxt) {
		s = &q->seg[q->head];
		e = seg_end(s);
		*v = s->v;
		q->head++;
		q->n--;
		q->bytes -= v->len;
		q->range[0].left = e;
		if (q->range[0].left == q->range[0].right)
			range_remove(q, 0, 1);
		*fin = q->has_fin && q->fin_seq == e;
		if (*fin)
			q->has_fin = false;
		release_if_empty(q);
		return true;
	}
	if (q->n == 0 && q->has_fin && q->fin_seq == rcv_nxt) {
		v->buf = NULL;
		v->off = 0;
		v->len = 0;
		*fin = true;
		q->has_fin = false;
		return true;
	}
	return false;
}

uint32_t
tcpe_ooo_sack(const struct tcpe_ooo *q, struct tcpe_sack_block *blk,
    uint32_t max)
{
	uint64_t below = UINT64_MAX;
	uint32_t nb, i, best;

	/* Stamps are unique: pick them in decreasing order. */
	for (nb = 0; nb < max && nb < q->nranges; nb++) {
		best = UINT32_MAX;
		for (i = 0; i < q->nranges; i++)
			if (q->range[i].stamp < below &&
			    (best == UINT32_MAX ||
				q->range[i].stamp > q->range[best].stamp))
				best = i;
		blk[nb].left = q->range[best].left;
		blk[nb].right = q->range[best].right;
		below = q->range[best].stamp;
	}
	return nb;
}

uint32_t
tcpe_ooo_bytes(const struct tcpe_ooo *q)
{
	return q->bytes;
}

uint32_t
tcpe_ooo_end(const struct tcpe_ooo *q, uint32_t rcv_nxt)
{
	if (q->has_fin)
		return q->fin_seq;
	if (q->n > 0)
		return seg_end(&q->seg[q->head + q->n - 1]);
	return rcv_nxt;
}

void
tcpe_ooo_free(struct tcpe_ooo *q, const struct tcpe_buf_ops *ops)
{
	uint32_t i;

	for (i = 0; i < q->n; i++)
		ops->unref(ops->ctx, q->seg[q->head + i].v.buf);
	q->n = 0;
	release_if_empty(q);
	tcpe_ooo_init(q);
}
