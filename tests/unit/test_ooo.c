/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The out-of-order queue: in-order arrival after a hole, reverse order,
 * every overlap shape (left, right, inside, exact, covering, spanning
 * several held segments with gaps), D-SACK ranges, pop trimming below
 * rcv_nxt, FIN handling, SACK block order (RFC 2018 section 7 examples,
 * RFC 2883 section 4), the range and view limits, every directed test
 * again across the 2^32 wrap, and randomized arrivals checked byte by
 * byte against a reference model. Every test ends with no live buffer.
 *
 * Each inserted segment is a fresh buffer whose bytes depend on the
 * sequence number and on a tag of the insertion, so that a popped view
 * shows exactly which copy of each byte was kept; the view starts PAD
 * bytes into its buffer, so that offsets are checked too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "tcpe_ooo.h"

#define PAD	7

/* Base sequence numbers: plain, and one where +200 .. +300 crosses 2^32. */
#define B_PLAIN	1000u
#define B_WRAP	(UINT32_MAX - 249u)

static uint8_t
content(uint32_t seq, uint32_t tag)
{
	return (uint8_t)(seq * 7u + (seq >> 8) + tag * 13u + 1u);
}

/* A buffer holding PAD junk bytes, then [seq, seq + len) tagged tag. */
static struct tcpe_view
mkview(uint32_t seq, uint32_t len, uint32_t tag)
{
	struct tcpe_view v;
	uint8_t *d;
	uint32_t i;

	d = malloc(PAD + len + 3);
	assert_non_null(d);
	memset(d, 0xee, PAD + len + 3);
	for (i = 0; i < len; i++)
		d[PAD + i] = content(seq + i, tag);
	v.buf = h_buf_new(d, PAD + len + 3);
	v.off = PAD;
	v.len = len;
	free(d);
	return v;
}

/*
 * Insert like the connection does with a received segment: the view holds
 * no reference of the queue's; the segment's own is dropped afterwards.
 */
static int
ins(struct tcpe_ooo *q, uint32_t rcv_nxt, uint32_t seq, uint32_t len,
    uint32_t tag, bool fin, struct tcpe_sack_block *dup)
{
	struct tcpe_view v;
	int rc;

	v = mkview(seq, len, tag);
	rc = tcpe_ooo_insert(q, rcv_nxt, seq, &v, fin, &h_bops, dup);
	h_buf_put(v.buf);
	return rc;
}

/* Bytes of v are [seq, seq + len) of the copy tagged tag. */
static void
check_bytes(const struct tcpe_view *v, uint32_t seq, uint32_t tag,
    const char *file, int line)
{
	const uint8_t *p = h_bops.ptr(h_bops.ctx, v->buf);
	uint32_t i;

	_assert_true(v->off + v->len <= h_bops.len(h_bops.ctx, v->buf),
	    "view inside its buffer", file, line);
	for (i = 0; i < v->len; i++)
		if (p[v->off + i] != content(seq + i, tag)) {
			print_error("byte %u of the view at %u: %u, want %u "
			    "(tag %u)\n", i, seq, p[v->off + i],
			    content(seq + i, tag), tag);
			_fail(file, line);
		}
}

/* Pop at rcv_nxt: expect len bytes tagged tag, then fin. */
#define EXPECT_POP(q, rcv_nxt, len, tag, fin) \
	expect_pop(q, rcv_nxt, len, tag, fin, __FILE__, __LINE__)
static void
expect_pop(struct tcpe_ooo *q, uint32_t rcv_nxt, uint32_t len, uint32_t tag,
    bool fin, const char *file, int line)
{
	struct tcpe_view v;
	bool f = !fin;

	_assert_true(tcpe_ooo_pop(q, rcv_nxt, &v, &f), "pop", file, line);
	_assert_int_equal(v.len, len, file, line);
	_assert_int_equal(f, fin, file, line);
	if (len == 0) {
		_assert_true(v.buf == NULL, "FIN alone: no buffer", file,
		    line);
		return;
	}
	check_bytes(&v, rcv_nxt, tag, file, line);
	h_buf_put(v.buf);
}

#define EXPECT_NO_POP(q, rcv_nxt) do { \
	struct tcpe_view v_; \
	bool f_; \
	assert_false(tcpe_ooo_pop(q, rcv_nxt, &v_, &f_)); \
} while (0)

/* The SACK blocks, in order: n pairs of offsets from base. */
#define EXPECT_SACK(q, base, max, ...) do { \
	const uint32_t w_[] = { __VA_ARGS__ }; \
	expect_sack(q, base, max, w_, sizeof(w_) / sizeof(w_[0]) / 2, \
	    __FILE__, __LINE__); \
} while (0)
static void
expect_sack(const struct tcpe_ooo *q, uint32_t base, uint32_t max,
    const uint32_t *w, uint32_t n, const char *file, int line)
{
	struct tcpe_sack_block blk[TCPE_OOO_MAX_SEGS];
	uint32_t got, i;

	got = tcpe_ooo_sack(q, blk, max);
	if (got != n) {
		for (i = 0; i < got; i++)
			print_error("block %u: %u-%u\n", i,
			    blk[i].left - base, blk[i].right - base);
		_assert_int_equal(got, n, file, line);
	}
	for (i = 0; i < n; i++) {
		_assert_int_equal(blk[i].left, base + w[2 * i], file, line);
		_assert_int_equal(blk[i].right, base + w[2 * i + 1], file,
		    line);
	}
}

#define EXPECT_DUP(d, base, l, r) do { \
	assert_int_equal((d).left, (uint32_t)((base) + (l))); \
	assert_int_equal((d).right, (uint32_t)((base) + (r))); \
} while (0)
#define EXPECT_NODUP(d)	assert_int_equal((d).left, (d).right)

static void
finish(struct tcpe_ooo *q)
{
	tcpe_ooo_free(q, &h_bops);
	assert_true(tcpe_ooo_empty(q));
	assert_int_equal(tcpe_ooo_bytes(q), 0);
	assert_int_equal(h_buf_live(), 0);
}

/* --- in-order arrival after a hole, reverse order ------------------------ */

static void
in_order_after_hole(uint32_t b)
{
	struct tcpe_sack_block d;
	struct tcpe_ooo q;
	uint32_t i;

	tcpe_ooo_init(&q);
	assert_true(tcpe_ooo_empty(&q));
	assert_int_equal(tcpe_ooo_end(&q, b), b);
	EXPECT_SACK(&q, b, 4);
	EXPECT_NO_POP(&q, b);
	/* [b, b + 100) is lost; ten segments follow it. */
	for (i = 0; i < 10; i++) {
		assert_int_equal(ins(&q, b, b + 100 + i * 100, 100, i + 1,
		    false, &d), 0);
		EXPECT_NODUP(d);
		assert_int_equal(tcpe_ooo_nviews(&q), i + 1);
		assert_int_equal(tcpe_ooo_nranges(&q), 1);
		assert_int_equal(tcpe_ooo_bytes(&q), (i + 1) * 100);
		EXPECT_SACK(&q, b, 4, 100, 200 + i * 100);
		assert_int_equal(tcpe_ooo_end(&q, b), b + 200 + i * 100);
	}
	assert_int_equal(h_buf_live(), 10);
	EXPECT_NO_POP(&q, b);
	EXPECT_NO_POP(&q, b + 99);
	/* The retransmission arrives in order: rcv_nxt = b + 100. */
	for (i = 0; i < 10; i++)
		EXPECT_POP(&q, b + 100 + i * 100, 100, i + 1, false);
	EXPECT_NO_POP(&q, b + 1100);
	assert_true(tcpe_ooo_empty(&q));
	assert_null(q.seg);		/* memory given back */
	assert_null(q.range);
	EXPECT_SACK(&q, b, 4);
	finish(&q);
}

static void
test_in_order_after_hole(void **state)
{
	(void)state;
	in_order_after_hole(B_PLAIN);
	in_order_after_hole(B_WRAP);
	in_order_after_hole(UINT32_MAX - 99);	/* the hole ends at 2^32 */
}

static void
reverse_order(uint32_t b)
{
	struct tcpe_sack_block d;
	struct tcpe_ooo q;
	uint32_t i;

	tcpe_ooo_init(&q);
	for (i = 10; i >= 1; i--) {
		assert_int_equal(ins(&q, b, b + i * 100, 100, i, false, &d),
		    0);
		EXPECT_NODUP(d);
		assert_int_equal(tcpe_ooo_nranges(&q), 1);
		EXPECT_SACK(&q, b, 4, i * 100, 1100);
	}
	assert_int_equal(tcpe_ooo_nviews(&q), 10);
	for (i = 1; i <= 10; i++)
		EXPECT_POP(&q, b + i * 100, 100, i, false);
	finish(&q);

	/* Odd ones first (five ranges), then the even ones backwards. */
	tcpe_ooo_init(&q);
	for (i = 1; i <= 9; i += 2)
		assert_int_equal(ins(&q, b, b + i * 100, 100, i, false, NULL),
		    0);
	assert_int_equal(tcpe_ooo_nranges(&q), 5);
	EXPECT_SACK(&q, b, 4, 900, 1000, 700, 800, 500, 600, 300, 400);
	for (i = 8; i >= 2; i -= 2) {
		assert_int_equal(ins(&q, b, b + i * 100, 100, i, false, NULL),
		    0);
		assert_int_equal(tcpe_ooo_nranges(&q), (i - 2) / 2 + 1);
	}
	EXPECT_SACK(&q, b, 4, 100, 1000);
	for (i = 1; i <= 9; i++)
		EXPECT_POP(&q, b + i * 100, 100, i, false);
	finish(&q);
}

static void
test_reverse_order(void **state)
{
	(void)state;
	reverse_order(B_PLAIN);
	reverse_order(B_WRAP);
}

/* --- overlaps ------------------------------------------------------------ */

struct piece {
	uint32_t off;	/* from the base */
	uint32_t len;
	uint32_t tag;
};

/* Pop every piece at its own rcv_nxt and end with an empty queue. */
#define EXPECT_LAYOUT(q, b, ...) do { \
	const struct piece p_[] = { __VA_ARGS__ }; \
	expect_layout(q, b, p_, sizeof(p_) / sizeof(p_[0]), __FILE__, \
	    __LINE__); \
} while (0)
static void
expect_layout(struct tcpe_ooo *q, uint32_t b, const struct piece *p,
    uint32_t n, const char *file, int line)
{
	uint32_t i, bytes = 0;

	for (i = 0; i < n; i++)
		bytes += p[i].len;
	_assert_int_equal(tcpe_ooo_nviews(q), n, file, line);
	_assert_int_equal(tcpe_ooo_bytes(q), bytes, file, line);
	for (i = 0; i < n; i++)
		expect_pop(q, b + p[i].off, p[i].len, p[i].tag, false, file,
		    line);
	_assert_true(tcpe_ooo_empty(q), "empty after the layout", file,
	    line);
	tcpe_ooo_free(q, &h_bops);
	_assert_int_equal(h_buf_live(), 0, file, line);
}

static void
overlap_shapes(uint32_t b)
{
	struct tcpe_sack_block d;
	struct tcpe_ooo q;

	/* Left: the new bytes before the held ones are kept. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 200, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 150, 100, 2, false, &d), 0);
	EXPECT_DUP(d, b, 200, 250);
	EXPECT_SACK(&q, b, 4, 150, 300);
	EXPECT_LAYOUT(&q, b, {150, 50, 2}, {200, 100, 1});

	/* Right. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 200, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 250, 100, 2, false, &d), 0);
	EXPECT_DUP(d, b, 250, 300);
	EXPECT_SACK(&q, b, 4, 200, 350);
	EXPECT_LAYOUT(&q, b, {200, 100, 1}, {300, 50, 2});

	/* Inside: nothing new, no reference kept on the new buffer. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 200, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 220, 60, 2, false, &d), 0);
	EXPECT_DUP(d, b, 220, 280);
	assert_int_equal(h_buf_live(), 1);
	EXPECT_LAYOUT(&q, b, {200, 100, 1});

	/* Exact duplicate. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 200, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 200, 100, 2, false, &d), 0);
	EXPECT_DUP(d, b, 200, 300);
	assert_int_equal(h_buf_live(), 1);
	EXPECT_LAYOUT(&q, b, {200, 100, 1});

	/* Covering: two views of the new buffer around the held bytes. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 200, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 150, 200, 2, false, &d), 0);
	EXPECT_DUP(d, b, 200, 300);
	assert_int_equal(tcpe_ooo_nranges(&q), 1);
	assert_int_equal(h_buf_live(), 2);
	EXPECT_SACK(&q, b, 4, 150, 350);
	EXPECT_LAYOUT(&q, b, {150, 50, 2}, {200, 100, 1}, {300, 50, 2});

	/* Spanning three held segments, filling the gaps between them. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 200, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 400, 100, 2, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 600, 100, 3, false, NULL), 0);
	assert_int_equal(tcpe_ooo_nranges(&q), 3);
	assert_int_equal(ins(&q, b, b + 150, 600, 4, false, &d), 0);
	EXPECT_DUP(d, b, 200, 300);	/* the lowest run of held bytes */
	assert_int_equal(tcpe_ooo_nranges(&q), 1);
	EXPECT_SACK(&q, b, 4, 150, 750);
	EXPECT_LAYOUT(&q, b, {150, 50, 4}, {200, 100, 1}, {300, 100, 4},
	    {400, 100, 2}, {500, 100, 4}, {600, 100, 3}, {700, 50, 4});

	/* Spanning, starting and ending inside held segments. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 200, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 400, 100, 2, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 600, 100, 3, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 250, 400, 4, false, &d), 0);
	EXPECT_DUP(d, b, 250, 300);
	assert_int_equal(tcpe_ooo_nranges(&q), 1);
	EXPECT_LAYOUT(&q, b, {200, 100, 1}, {300, 100, 4}, {400, 100, 2},
	    {500, 100, 4}, {600, 100, 3});

	/* Spanning two of four ranges: the others stay apart. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 100, 50, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 200, 100, 2, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 400, 100, 3, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 600, 100, 4, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 280, 170, 5, false, &d), 0);
	EXPECT_DUP(d, b, 280, 300);
	assert_int_equal(tcpe_ooo_nranges(&q), 3);
	EXPECT_SACK(&q, b, 4, 200, 500, 600, 700, 100, 150);
	EXPECT_LAYOUT(&q, b, {100, 50, 1}, {200, 100, 2}, {300, 100, 5},
	    {400, 100, 3}, {600, 100, 4});

	/* Held bytes contiguous across two views: one D-SACK run. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 200, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 300, 100, 2, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 250, 200, 3, false, &d), 0);
	EXPECT_DUP(d, b, 250, 400);
	EXPECT_LAYOUT(&q, b, {200, 100, 1}, {300, 100, 2}, {400, 50, 3});

	/* Filling the gap exactly between two ranges: no duplicate. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 200, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 400, 100, 2, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 300, 100, 3, false, &d), 0);
	EXPECT_NODUP(d);
	assert_int_equal(tcpe_ooo_nranges(&q), 1);
	assert_int_equal(ins(&q, b, b + 500, 10, 4, false, &d), 0);
	assert_int_equal(tcpe_ooo_nranges(&q), 1);
	EXPECT_SACK(&q, b, 4, 200, 510);
	EXPECT_LAYOUT(&q, b, {200, 100, 1}, {300, 100, 3}, {400, 100, 2},
	    {500, 10, 4});

	/* Bytes below rcv_nxt (against the contract) are ignored. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b - 50, 100, 1, false, &d), 0);
	EXPECT_NODUP(d);
	assert_int_equal(ins(&q, b, b - 50, 50, 2, false, &d), 0);
	EXPECT_LAYOUT(&q, b, {0, 50, 1});
}

static void
test_overlap_shapes(void **state)
{
	(void)state;
	overlap_shapes(B_PLAIN);
	overlap_shapes(B_WRAP);
	overlap_shapes(UINT32_MAX - 399);	/* 2^32 between views */
}

/* --- D-SACK -------------------------------------------------------------- */

/*
 * RFC 2883 section 4: the D-SACK block first (the caller's), then the
 * block holding the duplicate, then the others by recency.
 */
static void
dsack(uint32_t b)
{
	struct tcpe_sack_block d;
	struct tcpe_ooo q;

	tcpe_ooo_init(&q);
	/* Section 4.2.1's shape: 4000-4499 lost, 5000-5499 duplicated. */
	assert_int_equal(ins(&q, b, b + 500, 500, 1, false, &d), 0);
	EXPECT_NODUP(d);
	EXPECT_SACK(&q, b, 4, 500, 1000);
	assert_int_equal(ins(&q, b, b + 1000, 500, 2, false, &d), 0);
	EXPECT_SACK(&q, b, 4, 500, 1500);
	assert_int_equal(ins(&q, b, b + 1000, 500, 3, false, &d), 0);
	EXPECT_DUP(d, b, 1000, 1500);
	EXPECT_SACK(&q, b, 3, 500, 1500);
	assert_int_equal(tcpe_ooo_bytes(&q), 1000);

	/* Two more ranges; a duplicate in the oldest brings it first. */
	assert_int_equal(ins(&q, b, b + 2000, 500, 4, false, &d), 0);
	assert_int_equal(ins(&q, b, b + 3000, 500, 5, false, &d), 0);
	EXPECT_SACK(&q, b, 4, 3000, 3500, 2000, 2500, 500, 1500);
	assert_int_equal(ins(&q, b, b + 600, 100, 6, false, &d), 0);
	EXPECT_DUP(d, b, 600, 700);
	EXPECT_SACK(&q, b, 3, 500, 1500, 3000, 3500, 2000, 2500);
	/* Partly new: the held part is the D-SACK, the range is first. */
	assert_int_equal(ins(&q, b, b + 2400, 200, 7, false, &d), 0);
	EXPECT_DUP(d, b, 2400, 2500);
	EXPECT_SACK(&q, b, 3, 2000, 2600, 500, 1500, 3000, 3500);
	EXPECT_SACK(&q, b, 1, 2000, 2600);
	EXPECT_SACK(&q, b, 0);
	EXPECT_LAYOUT(&q, b, {500, 500, 1}, {1000, 500, 2}, {2000, 500, 4},
	    {2500, 100, 7}, {3000, 500, 5});
	finish(&q);
}

static void
test_dsack(void **state)
{
	(void)state;
	dsack(B_PLAIN);
	dsack(UINT32_MAX - 1999);
}

/* --- pop ----------------------------------------------------------------- */

static void
pop_trim(uint32_t b)
{
	struct tcpe_ooo q;

	/* rcv_nxt inside the first view: it is trimmed. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 200, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 300, 100, 2, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 500, 100, 3, false, NULL), 0);
	EXPECT_POP(&q, b + 250, 50, 1, false);
	EXPECT_SACK(&q, b, 4, 500, 600, 300, 400);
	assert_int_equal(tcpe_ooo_bytes(&q), 200);
	EXPECT_POP(&q, b + 300, 100, 2, false);
	EXPECT_NO_POP(&q, b + 400);
	EXPECT_NO_POP(&q, b + 450);
	EXPECT_SACK(&q, b, 4, 500, 600);
	EXPECT_POP(&q, b + 550, 50, 3, false);
	assert_true(tcpe_ooo_empty(&q));
	finish(&q);

	/* Whole views below rcv_nxt are released. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 200, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 300, 100, 2, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 400, 100, 3, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 700, 100, 4, false, NULL), 0);
	assert_int_equal(h_buf_live(), 4);
	EXPECT_POP(&q, b + 450, 50, 3, false);
	assert_int_equal(h_buf_live(), 1);
	assert_int_equal(tcpe_ooo_nviews(&q), 1);
	assert_int_equal(tcpe_ooo_nranges(&q), 1);
	/* rcv_nxt beyond everything: nothing to pop, all released. */
	EXPECT_NO_POP(&q, b + 900);
	assert_int_equal(h_buf_live(), 0);
	assert_true(tcpe_ooo_empty(&q));
	finish(&q);

	/* An insertion with an advanced rcv_nxt releases what is below. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 200, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 400, 100, 2, false, NULL), 0);
	assert_int_equal(ins(&q, b + 450, b + 600, 100, 3, false, NULL), 0);
	assert_int_equal(h_buf_live(), 2);
	assert_int_equal(tcpe_ooo_bytes(&q), 150);
	EXPECT_SACK(&q, b, 4, 600, 700, 450, 500);
	EXPECT_LAYOUT(&q, b, {450, 50, 2}, {600, 100, 3});
}

static void
test_pop_trim(void **state)
{
	(void)state;
	pop_trim(B_PLAIN);
	pop_trim(B_WRAP);
}

/* --- FIN ----------------------------------------------------------------- */

static void
fin(uint32_t b)
{
	struct tcpe_sack_block d;
	struct tcpe_ooo q;
	uint32_t f;

	/* FIN with the last segment. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 100, 100, 1, true, &d), 0);
	assert_true(tcpe_ooo_fin(&q, &f));
	assert_int_equal(f, b + 200);
	assert_int_equal(tcpe_ooo_end(&q, b), b + 200);
	/* A duplicate FIN at the same place changes nothing. */
	assert_int_equal(ins(&q, b, b + 100, 100, 2, true, &d), 0);
	EXPECT_DUP(d, b, 100, 200);
	EXPECT_POP(&q, b + 100, 100, 1, true);
	assert_true(tcpe_ooo_empty(&q));
	assert_false(tcpe_ooo_fin(&q, &f));
	EXPECT_NO_POP(&q, b + 201);
	finish(&q);

	/* A FIN alone comes first, its data later, in two pieces. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 300, 0, 1, true, &d), 0);
	EXPECT_NODUP(d);
	assert_false(tcpe_ooo_empty(&q));
	assert_int_equal(tcpe_ooo_nviews(&q), 0);
	EXPECT_SACK(&q, b, 4);
	assert_int_equal(tcpe_ooo_end(&q, b), b + 300);
	assert_int_equal(ins(&q, b, b + 100, 100, 2, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 200, 100, 3, false, NULL), 0);
	EXPECT_POP(&q, b + 100, 100, 2, false);
	EXPECT_POP(&q, b + 200, 100, 3, true);
	finish(&q);

	/* Data beyond the FIN and conflicting FINs are dropped. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 100, 100, 1, true, NULL), 0);
	assert_int_equal(ins(&q, b, b + 150, 150, 2, false, &d), 0);
	EXPECT_DUP(d, b, 150, 200);
	assert_int_equal(ins(&q, b, b + 200, 100, 3, false, &d), 0);
	EXPECT_NODUP(d);
	assert_int_equal(ins(&q, b, b + 300, 100, 4, true, &d), 0);
	assert_int_equal(ins(&q, b, b + 250, 0, 5, true, &d), 0);
	assert_int_equal(ins(&q, b, b + 50, 50, 6, true, &d), 0);
	EXPECT_NODUP(d);
	assert_true(tcpe_ooo_fin(&q, &f));
	assert_int_equal(f, b + 200);
	assert_int_equal(h_buf_live(), 2);
	EXPECT_SACK(&q, b, 4, 50, 200);
	EXPECT_POP(&q, b + 50, 50, 6, false);
	EXPECT_POP(&q, b + 100, 100, 1, true);
	finish(&q);

	/* A duplicate brings the FIN. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 100, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 150, 50, 2, true, &d), 0);
	EXPECT_DUP(d, b, 150, 200);
	assert_true(tcpe_ooo_fin(&q, &f));
	assert_int_equal(f, b + 200);
	EXPECT_POP(&q, b + 100, 100, 1, true);
	finish(&q);

	/* A FIN below held data is ignored; its data is kept. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 300, 100, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 100, 100, 2, true, NULL), 0);
	assert_false(tcpe_ooo_fin(&q, &f));
	assert_int_equal(tcpe_ooo_nranges(&q), 2);
	/* ... and one at the very end is taken. */
	assert_int_equal(ins(&q, b, b + 400, 0, 3, true, NULL), 0);
	assert_true(tcpe_ooo_fin(&q, &f));
	assert_int_equal(f, b + 400);
	EXPECT_POP(&q, b + 100, 100, 2, false);
	EXPECT_NO_POP(&q, b + 200);
	EXPECT_POP(&q, b + 300, 100, 1, true);
	finish(&q);

	/* The data came in order around the held bytes: the FIN alone. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 100, 100, 1, true, NULL), 0);
	EXPECT_POP(&q, b + 200, 0, 0, true);
	assert_int_equal(h_buf_live(), 0);
	assert_true(tcpe_ooo_empty(&q));
	finish(&q);

	/* A FIN that rcv_nxt went past is forgotten. */
	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, b, b + 100, 0, 1, true, NULL), 0);
	EXPECT_NO_POP(&q, b + 150);
	assert_true(tcpe_ooo_empty(&q));
	finish(&q);
}

static void
test_fin(void **state)
{
	(void)state;
	fin(B_PLAIN);
	fin(B_WRAP);
	fin(UINT32_MAX - 199);	/* FIN at 2^32 (0) */
}

/* --- SACK block order ---------------------------------------------------- */

/*
 * RFC 2018 section 7, third case: eight 500-byte segments from 5000, the
 * 2nd, 4th, 6th and 8th dropped; then the 4th arrives, then the 2nd.
 */
static void
sack_rfc2018(uint32_t b)
{
	struct tcpe_ooo q;
	uint32_t rcv_nxt = b + 5500;	/* 5000 arrived in order */

	tcpe_ooo_init(&q);
	assert_int_equal(ins(&q, rcv_nxt, b + 6000, 500, 1, false, NULL), 0);
	EXPECT_SACK(&q, b, 4, 6000, 6500);
	assert_int_equal(ins(&q, rcv_nxt, b + 7000, 500, 2, false, NULL), 0);
	EXPECT_SACK(&q, b, 4, 7000, 7500, 6000, 6500);
	assert_int_equal(ins(&q, rcv_nxt, b + 8000, 500, 3, false, NULL), 0);
	EXPECT_SACK(&q, b, 4, 8000, 8500, 7000, 7500, 6000, 6500);
	/* "Suppose the 4th packet is received out of order." */
	assert_int_equal(ins(&q, rcv_nxt, b + 6500, 500, 4, false, NULL), 0);
	EXPECT_SACK(&q, b, 4, 6000, 7500, 8000, 8500);
	/* "Then the 2nd segment is received": ACK 7500, SACK 8000-8500. */
	rcv_nxt = b + 6000;
	EXPECT_POP(&q, rcv_nxt, 500, 1, false);
	EXPECT_POP(&q, b + 6500, 500, 4, false);
	EXPECT_POP(&q, b + 7000, 500, 2, false);
	EXPECT_NO_POP(&q, b + 7500);
	EXPECT_SACK(&q, b, 4, 8000, 8500);
	finish(&q);
}

/* More ranges than blocks: the most recently touched ones. */
static void
sack_recency(uint32_t b)
{
	struct tcpe_ooo q;

	tcpe_ooo_init(&q);
	/* r3, r1, r5, r2, r4 at 300, 100, 500, 200, 400 (50 bytes each). */
	assert_int_equal(ins(&q, b, b + 300, 50, 3, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 100, 50, 1, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 500, 50, 5, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 200, 50, 2, false, NULL), 0);
	assert_int_equal(ins(&q, b, b + 400, 50, 4, false, NULL), 0);
	EXPECT_SACK(&q, b, 4, 400, 450, 200, 250, 500, 550, 100, 150);
	EXPECT_SACK(&q, b, 3, 400, 450, 200, 250, 500, 550);
	EXPECT_SACK(&q, b, 8, 400, 450, 200, 250, 500, 550, 100, 150,
	    300, 350);
	/* Growing r3 makes it the most recent. */
	assert_int_equal(ins(&q, b, b + 350, 10, 6, false, NULL), 0);
	EXPECT_SACK(&q, b, 3, 300, 360, 400, 450, 200, 250);
	/* Joining r1 and r2: the merged range is the most recent. */
	assert_int_equal(ins(&q, b, b + 150, 50, 7, false, NULL), 0);
	EXPECT_SACK(&q, b, 4, 100, 250, 300, 360, 400, 450, 500, 550);
	/* Popping the first range keeps the order of the others. */
	EXPECT_POP(&q, b + 100, 50, 1, false);
	EXPECT_POP(&q, b + 150, 50, 7, false);
	EXPECT_POP(&q, b + 200, 50, 2, false);
	EXPECT_SACK(&q, b, 4, 300, 360, 400, 450, 500, 550);
	finish(&q);
}

static void
test_sack_order(void **state)
{
	(void)state;
	sack_rfc2018(B_PLAIN);
	sack_rfc2018(UINT32_MAX - 6999);
	sack_recency(B_PLAIN);
	sack_recency(UINT32_MAX - 299);
}

/* --- limits -------------------------------------------------------------- */

static void
limits(uint32_t b)
{
	struct tcpe_sack_block d;
	struct tcpe_ooo q;
	uint32_t i, top;

	/* TCPE_OOO_MAX_SEGS ranges of 10 bytes, 10 apart. */
	tcpe_ooo_init(&q);
	for (i = 0; i < TCPE_OOO_MAX_SEGS; i++)
		assert_int_equal(ins(&q, b, b + 100 + i * 20, 10, i + 1, false,
		    NULL), 0);
	top = 100 + TCPE_OOO_MAX_SEGS * 20;
	assert_int_equal(tcpe_ooo_nranges(&q), TCPE_OOO_MAX_SEGS);
	/* One more distinct range is refused whole, above or between. */
	assert_int_equal(ins(&q, b, b + top, 10, 100, false, &d), -ENOSPC);
	EXPECT_NODUP(d);
	assert_int_equal(ins(&q, b, b + 50, 10, 100, true, &d), -ENOSPC);
	assert_int_equal(ins(&q, b, b + 112, 6, 100, false, &d), -ENOSPC);
	assert_int_equal(h_buf_live(), TCPE_OOO_MAX_SEGS);
	assert_int_equal(tcpe_ooo_nviews(&q), TCPE_OOO_MAX_SEGS);
	assert_int_equal(tcpe_ooo_bytes(&q), 10 * TCPE_OOO_MAX_SEGS);
	assert_false(tcpe_ooo_fin(&q, &i));
	/* Growing a range, duplicates and a lone FIN are fine. */
	assert_int_equal(ins(&q, b, b + 110, 5, 101, false, &d), 0);
	assert_int_equal(ins(&q, b, b + 100, 10, 102, false, &d), 0);
	EXPECT_DUP(d, b, 100, 110);
	assert_int_equal(tcpe_ooo_nranges(&q), TCPE_OOO_MAX_SEGS);
	/* Joining two ranges makes room for one more. */
	assert_int_equal(ins(&q, b, b + 130, 10, 103, false, &d), 0);
	assert_int_equal(tcpe_ooo_nranges(&q), TCPE_OOO_MAX_SEGS - 1);
	assert_int_equal(ins(&q, b, b + top + 100, 10, 104, false, &d), 0);
	assert_int_equal(tcpe_ooo_nranges(&q), TCPE_OOO_MAX_SEGS);
	assert_int_equal(ins(&q, b, b + top + 200, 0, 105, true, &d), 0);
	/* One segment over everything: one range, every gap filled. */
	assert_int_equal(ins(&q, b, b + 50, top + 150, 106, false, &d), 0);
	assert_int_equal(tcpe_ooo_nranges(&q), 1);
	EXPECT_DUP(d, b, 100, 115);
	EXPECT_SACK(&q, b, 4, 50, top + 200);
	assert_int_equal(tcpe_ooo_bytes(&q), top + 150);
	EXPECT_POP(&q, b + 50, 50, 106, false);
	EXPECT_POP(&q, b + 100, 10, 1, false);
	EXPECT_POP(&q, b + 110, 5, 101, false);
	EXPECT_POP(&q, b + 115, 5, 106, false);
	EXPECT_POP(&q, b + 120, 10, 2, false);
	EXPECT_POP(&q, b + 130, 10, 103, false);
	EXPECT_POP(&q, b + 140, 10, 3, false);
	EXPECT_POP(&q, b + 150, 10, 106, false);
	EXPECT_NO_POP(&q, b + 149);
	finish(&q);

	/*
	 * One-byte views at 0 .. M - 4 (the upper half first, then the lower
	 * half backwards: insertions at the front), M - 2 and M
	 * (M = TCPE_OOO_MAX_VIEWS, offsets from b + 100): M - 1 views, gaps
	 * at M - 3 and M - 1.
	 */
	tcpe_ooo_init(&q);
	top = b + 100;
	for (i = TCPE_OOO_MAX_VIEWS / 2; i <= TCPE_OOO_MAX_VIEWS - 4; i++)
		assert_int_equal(ins(&q, b, top + i, 1, i, false, NULL), 0);
	for (i = TCPE_OOO_MAX_VIEWS / 2; i-- > 0;)
		assert_int_equal(ins(&q, b, top + i, 1, i, false, NULL), 0);
	assert_int_equal(tcpe_ooo_nranges(&q), 1);
	i = TCPE_OOO_MAX_VIEWS;
	assert_int_equal(ins(&q, b, top + i, 1, i, false, NULL), 0);
	i = TCPE_OOO_MAX_VIEWS - 2;
	assert_int_equal(ins(&q, b, top + i, 1, i, false, NULL), 0);
	assert_int_equal(tcpe_ooo_nviews(&q), TCPE_OOO_MAX_VIEWS - 1);
	assert_int_equal(tcpe_ooo_nranges(&q), 3);
	/* Two gaps to fill with one view left: refused whole. */
	i = TCPE_OOO_MAX_VIEWS - 3;
	assert_int_equal(ins(&q, b, top + i, 3, 5000, false, &d), -ENOSPC);
	EXPECT_NODUP(d);
	assert_int_equal(ins(&q, b, top + i, 1, 5000, false, &d), 0);
	assert_int_equal(tcpe_ooo_nviews(&q), TCPE_OOO_MAX_VIEWS);
	/* Full: even a segment that would join two ranges is refused. */
	i = TCPE_OOO_MAX_VIEWS - 1;
	assert_int_equal(ins(&q, b, top + i, 1, 5001, false, &d), -ENOSPC);
	assert_int_equal(tcpe_ooo_nranges(&q), 2);
	/* A duplicate needs no view. */
	assert_int_equal(ins(&q, b, top, 2, 5002, false, &d), 0);
	EXPECT_DUP(d, b, 100, 102);
	assert_int_equal(h_buf_live(), TCPE_OOO_MAX_VIEWS);
	for (i = 0; i < TCPE_OOO_MAX_VIEWS - 1; i++)
		EXPECT_POP(&q, top + i, 1,
		    i == TCPE_OOO_MAX_VIEWS - 3 ? 5000 : i, false);
	EXPECT_NO_POP(&q, top + TCPE_OOO_MAX_VIEWS - 1);
	EXPECT_POP(&q, top + TCPE_OOO_MAX_VIEWS, 1, TCPE_OOO_MAX_VIEWS, false);
	finish(&q);

	/* free() drops every reference, and the queue is reusable. */
	tcpe_ooo_init(&q);
	for (i = 0; i < 40; i++)
		assert_int_equal(ins(&q, b, b + 100 + i * 37, 30, i, i == 39,
		    NULL), 0);
	assert_int_equal(h_buf_live(), 40);
	tcpe_ooo_free(&q, &h_bops);
	assert_int_equal(h_buf_live(), 0);
	assert_true(tcpe_ooo_empty(&q));
	assert_int_equal(ins(&q, b, b + 100, 30, 1, false, NULL), 0);
	EXPECT_POP(&q, b + 100, 30, 1, false);
	finish(&q);
}

static void
test_limits(void **state)
{
	(void)state;
	limits(B_PLAIN);
	limits(UINT32_MAX - 999);
}

/* --- randomized, against a byte-array model ------------------------------ */

/* In-order segments (retransmissions filling the hole) up to this. */
#define R_MAXSEG	2000u

/* One randomized run's shape. */
struct rparams {
	uint32_t stream;	/* bytes, then the FIN */
	uint32_t win;		/* receive window */
	uint32_t maxseg;	/* largest out-of-order segment */
	uint32_t inorder;	/* per mille of arrivals at or below rcv_nxt */
	uint32_t onward;	/* % of the others continuing the stream */
};

/* Deterministic xorshift64*. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint32_t
rnd_n(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rnd(s) >> 33) % n;
}

/*
 * The model, by stream offset (0 .. stream): id of the insertion whose
 * copy of the byte is held (0: not held), and the recency stamp of the
 * range holding it. The queue's views are exactly the runs of one id.
 */
struct model {
	const struct rparams *p;
	uint32_t *id;
	uint64_t *stamp;
	uint64_t clock;
	uint32_t rn;		/* rcv_nxt, as an offset */
	int64_t fin;		/* FIN offset, or -1 */
	uint32_t nviews;
	uint32_t nranges;
	uint32_t bytes;
};

static bool
held(const struct model *m, uint32_t x)
{
	return x >= m->rn && x < m->p->stream && m->id[x] != 0;
}

/* Views, ranges and bytes held, from the arrays. */
static void
model_count(struct model *m)
{
	uint32_t x, hi = m->rn + m->p->win + R_MAXSEG;

	if (hi > m->p->stream)
		hi = m->p->stream;
	m->nviews = m->nranges = m->bytes = 0;
	for (x = m->rn; x < hi; x++) {
		if (m->id[x] == 0)
			continue;
		m->bytes++;
		if (x == m->rn || m->id[x - 1] != m->id[x])
			m->nviews++;
		if (x == m->rn || m->id[x - 1] == 0)
			m->nranges++;
	}
}

/* Give the range holding x a new stamp. */
static void
model_touch(struct model *m, uint32_t x)
{
	uint32_t l = x, r = x;

	while (l > m->rn && held(m, l - 1))
		l--;
	while (held(m, r))
		r++;
	m->clock++;
	for (; l < r; l++)
		m->stamp[l] = m->clock;
}

/* Compare everything the queue tells about itself with the model. */
static void
model_check(const struct tcpe_ooo *q, const struct model *m, uint32_t base)
{
	struct tcpe_sack_block blk[TCPE_OOO_MAX_SEGS];
	uint64_t prev = UINT64_MAX;
	uint32_t n, i, l, r, x;

	assert_int_equal(tcpe_ooo_bytes(q), m->bytes);
	assert_int_equal(tcpe_ooo_nviews(q), m->nviews);
	assert_int_equal(tcpe_ooo_nranges(q), m->nranges);
	n = tcpe_ooo_sack(q, blk, TCPE_OOO_MAX_SEGS);
	assert_int_equal(n, m->nranges);
	for (i = 0; i < n; i++) {
		/* Each block is a maximal run, by decreasing recency. */
		l = blk[i].left - base;
		r = blk[i].right - base;
		assert_true(l >= m->rn && l < r && r <= m->p->stream);
		assert_true(l == m->rn || !held(m, l - 1));
		assert_false(held(m, r));
		for (x = l; x < r; x++)
			assert_true(held(m, x));
		assert_true(m->stamp[l] < prev);
		prev = m->stamp[l];
	}
}

/* Pop everything at rcv_nxt, checking each view against the model. */
static bool
model_pop(struct tcpe_ooo *q, struct model *m, uint32_t base)
{
	struct tcpe_view v;
	uint32_t x, id;
	bool f;

	while (tcpe_ooo_pop(q, base + m->rn, &v, &f)) {
		if (v.len == 0) {
			assert_true(f);
			assert_true(m->fin == m->rn);
			assert_null(v.buf);
			return true;
		}
		id = m->id[m->rn];
		assert_int_not_equal(id, 0);
		for (x = m->rn; x < m->rn + v.len; x++)
			assert_int_equal(m->id[x], id);
		/* A whole run: the view ends where the run of its id ends. */
		assert_false(held(m, m->rn + v.len) &&
		    m->id[m->rn + v.len] == id);
		check_bytes(&v, base + m->rn, id, __FILE__, __LINE__);
		h_buf_put(v.buf);
		m->rn += v.len;
		assert_int_equal(f, m->fin == m->rn);
		if (f)
			return true;
	}
	assert_false(held(m, m->rn));
	assert_false(m->fin == m->rn);
	return false;
}

static void
random_run(uint64_t seed, uint32_t base, const struct rparams *p)
{
	struct tcpe_sack_block d;
	struct tcpe_ooo q;
	struct model m;
	uint64_t rs = seed * 0x9e3779b97f4a7c15ULL + 1;
	uint32_t recent[8][2] = {{0, 0}};
	uint32_t s, e, len, x, k, touch, nr, id = 0, steps = 0, enospc = 0;
	uint32_t dups = 0, by_views = 0, hi, snd_hi = 0;
	int64_t dl, dr;
	bool fin, done = false, in_gap;
	int rc, want;

	memset(&m, 0, sizeof(m));
	m.p = p;
	m.id = calloc(p->stream + 1, sizeof(*m.id));
	m.stamp = calloc(p->stream + 1, sizeof(*m.stamp));
	assert_non_null(m.id);
	assert_non_null(m.stamp);
	m.fin = -1;
	tcpe_ooo_init(&q);

	while (!done) {
		steps++;
		assert_true(steps < 200000);
		if (rnd_n(&rs, 1000) < p->inorder) {
			/* In order (maybe overlapping what was delivered). */
			s = m.rn - tcpe_seq_min(m.rn, rnd_n(&rs, 1000));
			len = 1 + rnd_n(&rs, R_MAXSEG);
			e = s + len > p->stream ? p->stream : s + len;
			if (e > m.rn)
				m.rn = e;
			if (model_pop(&q, &m, base) || m.rn == p->stream)
				done = true;
			model_count(&m);
			model_check(&q, &m, base);
			continue;
		}
		/* Out of order: fresh, or a replay of a recent one. */
		if (rnd_n(&rs, 100) < 10) {
			x = rnd_n(&rs, 8);
			s = recent[x][0];
			e = recent[x][1];
			if (s <= m.rn || e <= s)
				continue;
		} else {
			if (rnd_n(&rs, 100) < p->onward && snd_hi > m.rn &&
			    snd_hi < m.rn + p->win)
				s = snd_hi;
			else
				s = m.rn + 1 + rnd_n(&rs, p->win - 1);
			switch (rnd_n(&rs, 4)) {
			case 0:
				len = 1 + rnd_n(&rs, 16);
				break;
			case 1:
				len = p->maxseg < 1460 ? p->maxseg : 1460;
				break;
			default:
				len = 1 + rnd_n(&rs, p->maxseg);
				break;
			}
			e = s + len;
			if (e > m.rn + p->win)
				e = m.rn + p->win;
			if (e > p->stream)
				e = p->stream;
			if (s >= e)
				continue;
			if (e > snd_hi)
				snd_hi = e;
			x = rnd_n(&rs, 8);
			recent[x][0] = s;
			recent[x][1] = e;
		}
		fin = e == p->stream && rnd_n(&rs, 2) == 0;
		/* What the model expects. */
		k = 0;
		dl = dr = -1;
		in_gap = false;
		for (x = s; x < e; x++) {
			if (!held(&m, x)) {
				if (!in_gap)
					k++;
				in_gap = true;
				if (dl >= 0 && dr < 0)
					dr = x;
			} else {
				in_gap = false;
				if (dl < 0)
					dl = x;
			}
		}
		if (dl >= 0 && dr < 0)
			dr = e;
		/* The ranges meeting [s - 1, e] merge into one. */
		touch = 0;
		hi = e + 1 > p->stream ? p->stream : e + 1;
		for (x = s - 1; x < hi; x++)
			if (held(&m, x) && (x == s - 1 || !held(&m, x - 1)))
				touch++;
		nr = m.nranges + 1 - touch;
		want = 0;
		if (k > 0 && (nr > TCPE_OOO_MAX_SEGS ||
		    m.nviews + k > TCPE_OOO_MAX_VIEWS)) {
			want = -ENOSPC;
			if (nr <= TCPE_OOO_MAX_SEGS)
				by_views++;
		}
		id++;
		rc = ins(&q, base + m.rn, base + s, e - s, id, fin, &d);
		assert_int_equal(rc, want);
		if (rc != 0) {
			enospc++;
			EXPECT_NODUP(d);
			model_check(&q, &m, base);
			continue;
		}
		if (dl >= 0) {
			dups++;
			assert_int_equal(d.left, base + (uint32_t)dl);
			assert_int_equal(d.right, base + (uint32_t)dr);
		} else {
			EXPECT_NODUP(d);
		}
		for (x = s; x < e; x++)
			if (!held(&m, x))
				m.id[x] = id;
		if (fin && m.fin < 0)
			m.fin = e;
		model_touch(&m, s);
		model_count(&m);
		model_check(&q, &m, base);
	}
	/* The end of the stream: a FIN in order if none was queued. */
	assert_int_equal(m.rn, p->stream);
	EXPECT_NO_POP(&q, base + p->stream + 1);
	finish(&q);
	print_message("seed %llu base %u win %u maxseg %u: %u steps, "
	    "%u refused (%u for views), %u dups\n", (unsigned long long)seed,
	    base, p->win, p->maxseg, steps, enospc, by_views, dups);
	free(m.id);
	free(m.stamp);
}

static void
test_random(void **state)
{
	/*
	 * MSS-like segments over 64 KB; tiny ones, scattered (up to the
	 * range limit) or mostly onward (up to the view limit).
	 */
	static const struct rparams bulk = { 300000, 65536, 2000, 120, 30 };
	static const struct rparams tiny = { 60000, 65536, 24, 30, 0 };
	static const struct rparams narrow = { 20000, 8192, 6, 2, 90 };
	uint64_t seed, rs = 42;

	(void)state;
	for (seed = 1; seed <= 4; seed++) {
		random_run(seed, (uint32_t)rnd(&rs), &bulk);
		random_run(seed + 100, (uint32_t)rnd(&rs), &tiny);
		random_run(seed + 200, (uint32_t)rnd(&rs), &narrow);
	}
	/* Across the wrap, early and late in the stream. */
	random_run(7, UINT32_MAX - 1000, &bulk);
	random_run(8, UINT32_MAX - bulk.stream / 2, &bulk);
	random_run(9, UINT32_MAX, &bulk);
	random_run(107, UINT32_MAX - tiny.stream / 2, &tiny);
	random_run(207, UINT32_MAX - 10, &narrow);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_after_hole),
		cmocka_unit_test(test_reverse_order),
		cmocka_unit_test(test_overlap_shapes),
		cmocka_unit_test(test_dsack),
		cmocka_unit_test(test_pop_trim),
		cmocka_unit_test(test_fin),
		cmocka_unit_test(test_sack_order),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
