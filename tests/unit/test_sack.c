/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SACK scoreboard (RFC 6675): recording blocks in any order, merging,
 * ignoring bad blocks, D-SACK detection (RFC 2883 section 4), cumulative
 * ACKs, IsLost, SetPipe, NextSeg, wraparound, the range limit, and a
 * randomized comparison with a bitmap model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpe_sack.h"

#define MSS	1000
#define DT	3		/* DupThresh */
#define BASE	1000000u	/* SND.UNA of most tests */

static struct tcpe_sack_block
blk(uint32_t left, uint32_t right)
{
	struct tcpe_sack_block b = { .left = left, .right = right };

	return b;
}

/* Segment i of MSS octets above base, or segments i .. j - 1. */
static struct tcpe_sack_block
segs(uint32_t base, uint32_t i, uint32_t j)
{
	return blk(base + i * MSS, base + j * MSS);
}

/* Assert the scoreboard holds exactly the n ranges e[] and their octets. */
static void
expect_ranges(const struct tcpe_sb *sb, const struct tcpe_sack_block *e,
    uint32_t n)
{
	uint32_t i, sum = 0;

	assert_int_equal(tcpe_sb_ranges(sb), n);
	for (i = 0; i < n; i++) {
		assert_int_equal(sb->r[i].left, e[i].left);
		assert_int_equal(sb->r[i].right, e[i].right);
		sum += e[i].right - e[i].left;
	}
	assert_int_equal(tcpe_sb_sacked_bytes(sb), sum);
	if (n == 0)
		assert_int_equal(tcpe_sb_high_sacked(sb), 0);
	else
		assert_int_equal(tcpe_sb_high_sacked(sb), e[n - 1].right);
}

static void
test_update_any_order(void **state)
{
	static const uint8_t perm[][4] = {
		{ 0, 1, 2, 3 }, { 3, 2, 1, 0 }, { 2, 0, 3, 1 }, { 1, 3, 0, 2 },
	};
	const struct tcpe_sack_block in[4] = {
		segs(BASE, 1, 2), segs(BASE, 3, 5), segs(BASE, 6, 7),
		segs(BASE, 8, 10),
	};
	struct tcpe_sack_block b[4], d;
	struct tcpe_sb sb;
	uint32_t p, n, i, got;

	(void)state;
	for (n = 1; n <= 4; n++) {
		for (p = 0; p < 4; p++) {
			uint32_t want = 0;
			struct tcpe_sack_block e[4];
			uint32_t ne = 0, k;

			/* The first n blocks of in[], sent in order perm[p]. */
			for (i = 0, k = 0; i < 4; i++)
				if (perm[p][i] < n)
					b[k++] = in[perm[p][i]];
			for (i = 0; i < n; i++) {
				e[ne++] = in[i];
				want += in[i].right - in[i].left;
			}
			tcpe_sb_init(&sb);
			got = tcpe_sb_update(&sb, BASE, BASE + 10 * MSS, b, n,
			    &d);
			assert_int_equal(got, want);
			assert_int_equal(d.left, d.right);
			expect_ranges(&sb, e, ne);
			/* The same blocks again add nothing. */
			assert_int_equal(tcpe_sb_update(&sb, BASE,
			    BASE + 10 * MSS, b, n, NULL), 0);
			expect_ranges(&sb, e, ne);
		}
	}
	/* No blocks at all. */
	tcpe_sb_init(&sb);
	assert_int_equal(tcpe_sb_update(&sb, BASE, BASE + MSS, NULL, 0, &d),
	    0);
	assert_int_equal(d.left, d.right);
	expect_ranges(&sb, NULL, 0);
}

static void
test_merge(void **state)
{
	struct tcpe_sack_block b[4], e[4];
	struct tcpe_sb sb;
	uint32_t una = BASE, max = BASE + 20 * MSS;

	(void)state;
	tcpe_sb_init(&sb);
	b[0] = segs(una, 2, 3);
	b[1] = segs(una, 5, 6);
	b[2] = segs(una, 8, 9);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 3, NULL), 3 * MSS);
	/* Adjacent on the right of 2 and the left of 5: one range 2 .. 6. */
	b[0] = segs(una, 3, 4);
	b[1] = segs(una, 4, 5);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 2, NULL), 2 * MSS);
	e[0] = segs(una, 2, 6);
	e[1] = segs(una, 8, 9);
	expect_ranges(&sb, e, 2);
	/* Overlapping both ranges and the hole between: 1 .. 10. */
	b[0] = blk(una + 1 * MSS, una + 10 * MSS);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, NULL),
	    9 * MSS - 5 * MSS);
	e[0] = segs(una, 1, 10);
	expect_ranges(&sb, e, 1);
	/* Inside an existing range: nothing new. */
	b[0] = blk(una + 1 * MSS + 7, una + 3 * MSS);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, NULL), 0);
	expect_ranges(&sb, e, 1);
	/* Overlapping the right edge by one octet and the left by one. */
	b[0] = blk(una + 10 * MSS - 1, una + 11 * MSS);
	b[1] = blk(una + MSS - 10, una + MSS + 1);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 2, NULL),
	    MSS + 10);
	e[0] = blk(una + MSS - 10, una + 11 * MSS);
	expect_ranges(&sb, e, 1);
	/* Blocks of one ACK that overlap each other count once. */
	tcpe_sb_init(&sb);
	b[0] = segs(una, 12, 15);
	b[1] = segs(una, 13, 16);
	b[2] = segs(una, 11, 13);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 3, NULL), 5 * MSS);
	e[0] = segs(una, 11, 16);
	expect_ranges(&sb, e, 1);
	/* One-octet hole stays a hole. */
	b[0] = blk(una + 16 * MSS + 1, una + 17 * MSS);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, NULL), MSS - 1);
	e[1] = b[0];
	expect_ranges(&sb, e, 2);
	assert_false(tcpe_sb_is_sacked(&sb, una + 16 * MSS));
	assert_true(tcpe_sb_is_sacked(&sb, una + 16 * MSS - 1));
	assert_true(tcpe_sb_is_sacked(&sb, una + 16 * MSS + 1));
	assert_false(tcpe_sb_is_sacked(&sb, una + 17 * MSS));
	assert_false(tcpe_sb_is_sacked(&sb, una + 11 * MSS - 1));
}

static void
test_bad_blocks(void **state)
{
	struct tcpe_sack_block b[4], e[2], d;
	struct tcpe_sb sb;
	uint32_t una = BASE, max = BASE + 10 * MSS;

	(void)state;
	tcpe_sb_init(&sb);
	/* The first block is valid so that none of the others is a D-SACK. */
	b[0] = segs(una, 1, 2);
	b[1] = blk(una + 3 * MSS, una + 3 * MSS);	/* empty */
	b[2] = blk(una + 5 * MSS, una + 4 * MSS);	/* reversed */
	b[3] = blk(una + 4 * MSS, una + 4 * MSS + 0x80000000u); /* 2^31 */
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 4, &d), MSS);
	assert_int_equal(d.left, d.right);
	e[0] = segs(una, 1, 2);
	expect_ranges(&sb, e, 1);

	/* Beyond snd_max: never sent, so ignored whole. */
	b[1] = blk(una + 9 * MSS, max + 1);
	b[2] = blk(max, max + MSS);
	b[3] = blk(max + 5 * MSS, max + 6 * MSS);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 4, &d), 0);
	assert_int_equal(d.left, d.right);
	expect_ranges(&sb, e, 1);
	/* Ending exactly at snd_max is fine. */
	b[1] = blk(una + 9 * MSS, max);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 2, NULL), MSS);
	e[1] = b[1];
	expect_ranges(&sb, e, 2);

	/* Below snd_una (not first, so no D-SACK) and straddling it. */
	tcpe_sb_init(&sb);
	b[0] = segs(una, 8, 9);
	b[1] = blk(una - 2 * MSS, una - MSS);
	b[2] = blk(una - MSS, una);
	b[3] = blk(una - 100, una + 100);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 4, &d), MSS + 100);
	assert_int_equal(d.left, d.right);
	e[0] = blk(una, una + 100);
	e[1] = segs(una, 8, 9);
	expect_ranges(&sb, e, 2);
	/* Nothing in flight: everything ignored. */
	tcpe_sb_init(&sb);
	b[0] = blk(una, una + 1);
	assert_int_equal(tcpe_sb_update(&sb, una, una, b, 1, NULL), 0);
	expect_ranges(&sb, NULL, 0);
	/* SACK information never moves SND.UNA nor frees anything. */
	b[0] = blk(una, una + MSS);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, NULL), MSS);
	assert_int_equal(sb.una, una);
	assert_true(tcpe_sb_is_sacked(&sb, una));
}

static void
test_dsack_below_ack(void **state)
{
	struct tcpe_sack_block b[4], e[2], d;
	struct tcpe_sb sb;
	uint32_t una = BASE + 5 * MSS, max = BASE + 10 * MSS;

	(void)state;
	tcpe_sb_init(&sb);
	/* A retransmission of segment 2 arrived twice: D-SACK 2, alone. */
	b[0] = segs(BASE, 2, 3);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, &d), 0);
	assert_int_equal(d.left, b[0].left);
	assert_int_equal(d.right, b[0].right);
	expect_ranges(&sb, NULL, 0);
	/* D-SACK first, then regular blocks, which are recorded. */
	b[1] = segs(BASE, 7, 8);
	b[2] = segs(BASE, 9, 10);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 3, &d), 2 * MSS);
	assert_int_equal(d.left, b[0].left);
	assert_int_equal(d.right, b[0].right);
	e[0] = b[1];
	e[1] = b[2];
	expect_ranges(&sb, e, 2);
	/* Straddling the ACK still counts as below it (left < ACK). */
	b[0] = blk(una - 10, una + 10);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, &d), 0);
	assert_int_equal(d.left, una - 10);
	assert_int_equal(d.right, una + 10);
	assert_false(tcpe_sb_is_sacked(&sb, una));
	expect_ranges(&sb, e, 2);
	/* Ending at the ACK, starting right at it: only the first is. */
	b[0] = blk(una - MSS, una);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, &d), 0);
	assert_int_equal(d.right, una);
	b[0] = blk(una, una + 10);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, &d), 10);
	assert_int_equal(d.left, d.right);
	/* A malformed first block is no D-SACK. */
	b[0] = blk(una - 10, una - 20);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, &d), 0);
	assert_int_equal(d.left, d.right);
	/* Below the ACK but not the first block: ignored, no D-SACK. */
	b[0] = segs(BASE, 6, 7);
	b[1] = segs(BASE, 1, 2);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 2, &d), MSS);
	assert_int_equal(d.left, d.right);

	/*
	 * An old ACK (ack 2 segments below SND.UNA) whose first block lies
	 * between its ACK and SND.UNA is an ordinary block of that time,
	 * not a D-SACK; measured against SND.UNA it would be.
	 */
	tcpe_sb_init(&sb);
	b[0] = segs(BASE, 4, 5);
	b[1] = segs(BASE, 8, 9);
	assert_int_equal(tcpe_sb_update_ack(&sb, una, max, BASE + 3 * MSS, b,
	    2, &d), MSS);
	assert_int_equal(d.left, d.right);
	e[0] = segs(BASE, 8, 9);
	expect_ranges(&sb, e, 1);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 2, &d), 0);
	assert_int_equal(d.left, b[0].left);
}

static void
test_dsack_in_second(void **state)
{
	struct tcpe_sack_block b[3], e[2], d;
	struct tcpe_sb sb;
	uint32_t una = BASE, max = BASE + 10 * MSS;

	(void)state;
	tcpe_sb_init(&sb);
	/* Segment 4 duplicated while 3 .. 6 is held out of order. */
	b[0] = segs(una, 4, 5);
	b[1] = segs(una, 3, 6);
	b[2] = segs(una, 8, 9);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 3, &d), 4 * MSS);
	assert_int_equal(d.left, b[0].left);
	assert_int_equal(d.right, b[0].right);
	e[0] = segs(una, 3, 6);
	e[1] = segs(una, 8, 9);
	expect_ranges(&sb, e, 2);
	/* Equal to the second block, or sharing an edge: still inside. */
	tcpe_sb_init(&sb);
	b[0] = segs(una, 3, 6);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 2, &d), 3 * MSS);
	assert_int_equal(d.left, b[0].left);
	b[0] = segs(una, 3, 4);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 2, &d), 0);
	assert_int_equal(d.right, b[0].right);
	b[0] = segs(una, 5, 6);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 2, &d), 0);
	assert_int_equal(d.left, b[0].left);
	/*
	 * Not inside the second (overlapping it only, or inside the third):
	 * an ordinary block, recorded.
	 */
	tcpe_sb_init(&sb);
	b[0] = segs(una, 2, 4);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 2, &d), 4 * MSS);
	assert_int_equal(d.left, d.right);
	e[0] = segs(una, 2, 6);
	expect_ranges(&sb, e, 1);
	tcpe_sb_init(&sb);
	b[0] = segs(una, 8, 9);
	b[1] = segs(una, 1, 2);
	b[2] = segs(una, 7, 10);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 3, &d), 4 * MSS);
	assert_int_equal(d.left, d.right);
	/* A D-SACK is never recorded, even for octets not yet SACKed. */
	tcpe_sb_init(&sb);
	b[0] = blk(una + 3 * MSS, una + 4 * MSS);
	b[1] = blk(una + 3 * MSS, una + 4 * MSS);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, &d), MSS);
	assert_int_equal(d.left, d.right);
	tcpe_sb_init(&sb);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 2, &d), MSS);
	assert_int_equal(d.left, b[0].left);
	/* The second block of a D-SACK past snd_max: nothing recorded. */
	tcpe_sb_init(&sb);
	b[0] = blk(max - 10, max);
	b[1] = blk(max - 20, max + 10);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 2, &d), 0);
	assert_int_equal(d.left, max - 10);
	expect_ranges(&sb, NULL, 0);
}

static void
test_advance(void **state)
{
	struct tcpe_sack_block b[3], e[3];
	struct tcpe_sb sb;
	uint32_t una = BASE, max = BASE + 10 * MSS;

	(void)state;
	tcpe_sb_init(&sb);
	b[0] = segs(una, 2, 3);
	b[1] = segs(una, 4, 6);
	b[2] = segs(una, 7, 9);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 3, NULL), 5 * MSS);
	/* Up to the start of the first range: nothing dropped. */
	tcpe_sb_advance(&sb, una + 2 * MSS);
	expect_ranges(&sb, b, 3);
	/* Into the middle of the second range. */
	tcpe_sb_advance(&sb, una + 5 * MSS);
	e[0] = segs(una, 5, 6);
	e[1] = segs(una, 7, 9);
	expect_ranges(&sb, e, 2);
	assert_false(tcpe_sb_is_sacked(&sb, una + 4 * MSS));
	/* To the end of a range. */
	tcpe_sb_advance(&sb, una + 6 * MSS);
	expect_ranges(&sb, &e[1], 1);
	/* A stale SND.UNA in update() does not undo anything. */
	assert_int_equal(tcpe_sb_update(&sb, una + 6 * MSS, max, b, 1, NULL),
	    0);
	expect_ranges(&sb, &e[1], 1);
	/* Past everything. */
	tcpe_sb_advance(&sb, max);
	expect_ranges(&sb, NULL, 0);
	assert_int_equal(sb.una, max);

	/* update() applies the cumulative ACK it is given. */
	tcpe_sb_init(&sb);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 3, NULL), 5 * MSS);
	b[0] = segs(una, 9, 10);
	assert_int_equal(tcpe_sb_update(&sb, una + 5 * MSS, max, b, 1, NULL),
	    MSS);
	e[0] = segs(una, 5, 6);
	e[1] = segs(una, 7, 10);
	expect_ranges(&sb, e, 2);

	/* clear() forgets everything (after an RTO). */
	tcpe_sb_clear(&sb);
	expect_ranges(&sb, NULL, 0);
	assert_false(tcpe_sb_is_sacked(&sb, una + 5 * MSS));
}

static void
test_is_lost(void **state)
{
	struct tcpe_sack_block b[3];
	struct tcpe_sb sb;
	uint32_t una = BASE, max = BASE + 20 * MSS;

	(void)state;
	tcpe_sb_init(&sb);
	/* Nothing SACKed: nothing lost. */
	assert_false(tcpe_sb_is_lost(&sb, una, MSS, DT));

	/* By count: three discontiguous one-octet ranges, 3 octets. */
	b[0] = blk(una + 5 * MSS, una + 5 * MSS + 1);
	b[1] = blk(una + 6 * MSS, una + 6 * MSS + 1);
	b[2] = blk(una + 7 * MSS, una + 7 * MSS + 1);
	tcpe_sb_update(&sb, una, max, b, 2, NULL);
	assert_false(tcpe_sb_is_lost(&sb, una, MSS, DT));
	tcpe_sb_update(&sb, una, max, &b[2], 1, NULL);
	assert_true(tcpe_sb_is_lost(&sb, una, MSS, DT));
	assert_true(tcpe_sb_is_lost(&sb, una + 5 * MSS - 1, MSS, DT));
	assert_false(tcpe_sb_is_lost(&sb, una + 5 * MSS + 1, MSS, DT));
	/* The octet of the first range has only two ranges above it. */
	assert_false(tcpe_sb_is_lost(&sb, una + 5 * MSS, MSS, DT));
	/* Other DupThresh values. */
	assert_true(tcpe_sb_is_lost(&sb, una + 6 * MSS - 1, MSS, 2));
	assert_false(tcpe_sb_is_lost(&sb, una + 6 * MSS - 1, MSS, 3));
	assert_true(tcpe_sb_is_lost(&sb, una + 7 * MSS - 1, MSS, 1));
	assert_true(tcpe_sb_is_lost(&sb, una + 7 * MSS - 1, MSS, 0));
	assert_false(tcpe_sb_is_lost(&sb, una + 7 * MSS, MSS, 1));

	/* By octets: one range, more than (3 - 1) * MSS above. */
	tcpe_sb_init(&sb);
	b[0] = blk(una + 3 * MSS, una + 5 * MSS);	/* exactly 2 * MSS */
	tcpe_sb_update(&sb, una, max, b, 1, NULL);
	assert_false(tcpe_sb_is_lost(&sb, una, MSS, DT));
	b[0] = blk(una + 5 * MSS, una + 5 * MSS + 1);	/* one more: lost */
	tcpe_sb_update(&sb, una, max, b, 1, NULL);
	assert_int_equal(tcpe_sb_ranges(&sb), 1);
	assert_true(tcpe_sb_is_lost(&sb, una, MSS, DT));
	assert_true(tcpe_sb_is_lost(&sb, una + 3 * MSS - 1, MSS, DT));
	/* Inside the range: only the octets above seq count. */
	assert_false(tcpe_sb_is_lost(&sb, una + 3 * MSS, MSS, DT));
	assert_false(tcpe_sb_is_lost(&sb, una + 6 * MSS, MSS, DT));
	/* Mixed: two ranges of 1500 octets, 2 < 3 ranges but 3000 > 2000. */
	tcpe_sb_init(&sb);
	b[0] = blk(una + 2 * MSS, una + 2 * MSS + 1500);
	b[1] = blk(una + 6 * MSS, una + 6 * MSS + 1500);
	tcpe_sb_update(&sb, una, max, b, 2, NULL);
	assert_true(tcpe_sb_is_lost(&sb, una + MSS, MSS, DT));
	assert_false(tcpe_sb_is_lost(&sb, una + 4 * MSS, MSS, DT));
	/* A huge MSS does not overflow (dupthresh - 1) * mss. */
	assert_false(tcpe_sb_is_lost(&sb, una, UINT32_MAX, DT));
}

/*
 * RFC 6675 style scenarios: 10 segments of MSS in flight (0 .. 9 above
 * SND.UNA), DupThresh 3.
 */
static void
test_pipe(void **state)
{
	struct tcpe_sack_block b[3];
	struct tcpe_sb sb;
	uint32_t una = BASE, max = BASE + 10 * MSS;

	(void)state;
	tcpe_sb_init(&sb);
	/* Nothing SACKed: everything in flight. */
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una, MSS, DT), 10 * MSS);
	assert_int_equal(tcpe_sb_pipe(&sb, una, una, una, MSS, DT), 0);

	/* Segment 2 SACKed: 1 range, MSS octets, nothing lost yet. */
	b[0] = segs(una, 2, 3);
	tcpe_sb_update(&sb, una, max, b, 1, NULL);
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una, MSS, DT), 9 * MSS);
	/* Segment 3: 2 * MSS above 0 and 1, not more: still not lost. */
	b[0] = segs(una, 3, 4);
	tcpe_sb_update(&sb, una, max, b, 1, NULL);
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una, MSS, DT), 8 * MSS);
	/* Segments 2-4 SACKed: 0 and 1 lost, 5 .. 9 in flight. */
	b[0] = segs(una, 4, 5);
	tcpe_sb_update(&sb, una, max, b, 1, NULL);
	assert_true(tcpe_sb_is_lost(&sb, una, MSS, DT));
	assert_false(tcpe_sb_is_lost(&sb, una + 5 * MSS, MSS, DT));
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una, MSS, DT), 5 * MSS);
	/* Segment 0 retransmitted: counted once again. */
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una + MSS, MSS, DT),
	    6 * MSS);
	/* And segment 1. */
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una + 2 * MSS, MSS, DT),
	    7 * MSS);
	/*
	 * HighRxt past the SACKed range: 0, 1 (lost) and 5 (not lost, so
	 * now twice) count as retransmitted, 2 .. 4 not at all.
	 */
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una + 6 * MSS, MSS, DT),
	    8 * MSS);
	/* A stale HighRxt below SND.UNA means none. */
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una - 5, MSS, DT),
	    5 * MSS);
	/* ACK of segment 0 (the retransmission arrived). */
	tcpe_sb_advance(&sb, una + MSS);
	assert_int_equal(tcpe_sb_pipe(&sb, una + MSS, max, una + MSS, MSS, DT),
	    5 * MSS);

	/* Segments 2, 4 and 6 SACKed (three ranges, 3 * MSS). */
	tcpe_sb_init(&sb);
	b[0] = segs(una, 2, 3);
	b[1] = segs(una, 4, 5);
	b[2] = segs(una, 6, 7);
	tcpe_sb_update(&sb, una, max, b, 3, NULL);
	/* 0, 1 lost (3 ranges above); 3 (2 ranges, 2 * MSS) and 5 not. */
	assert_true(tcpe_sb_is_lost(&sb, una + MSS, MSS, DT));
	assert_false(tcpe_sb_is_lost(&sb, una + 3 * MSS, MSS, DT));
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una, MSS, DT), 5 * MSS);
	/* Segments 0 .. 3 retransmitted: 0, 1, 3 once more. */
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una + 4 * MSS, MSS, DT),
	    8 * MSS);
	/* DupThresh 2: segment 3 lost too (2 ranges above). */
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una, MSS, 2), 4 * MSS);
	/* SACK of 9 (the last): 0, 1, 3 lost; 5, 7 and 8 not. */
	b[0] = segs(una, 9, 10);
	tcpe_sb_update(&sb, una, max, b, 1, NULL);
	assert_true(tcpe_sb_is_lost(&sb, una + 5 * MSS, MSS, DT) == false);
	assert_true(tcpe_sb_is_lost(&sb, una + 3 * MSS, MSS, DT));
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una, MSS, DT), 3 * MSS);
	/* snd_max below the highest range (a caller's stale value). */
	assert_int_equal(tcpe_sb_pipe(&sb, una, una + 6 * MSS, una, MSS, DT),
	    MSS);
}

static void
test_next_seg(void **state)
{
	struct tcpe_sack_block b[3];
	struct tcpe_sb sb;
	uint32_t una = BASE, nxt = BASE + 10 * MSS, seq = 0, len = 0;
	uint32_t end = nxt + 5 * MSS;	/* new data the window allows */

	(void)state;
	tcpe_sb_init(&sb);
	/*
	 * Nothing SACKed: new data if any, else nothing (rules 1 and 3 need
	 * a hole below HighSACK).
	 */
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, end, una, MSS, DT, &seq,
	    &len), TCPE_SB_NEW);
	assert_int_equal(seq, nxt);
	assert_int_equal(len, MSS);
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, nxt + 10, una, MSS, DT,
	    &seq, &len), TCPE_SB_NEW);
	assert_int_equal(len, 10);
	seq = len = 7;
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, nxt, una, MSS, DT, &seq,
	    &len), TCPE_SB_NONE);
	assert_false(tcpe_sb_next_seg(&sb, una, nxt, nxt, una, MSS, DT, &seq,
	    &len));
	assert_int_equal(seq, 7);
	assert_int_equal(len, 7);

	/* Segments 2-4 and 6 SACKed: 0, 1 lost, 5 not, 7 .. 9 above. */
	b[0] = segs(una, 2, 5);
	b[1] = segs(una, 6, 7);
	tcpe_sb_update(&sb, una, nxt, b, 2, NULL);
	/* Rule 1: the lost hole first, one MSS at a time. */
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, end, una, MSS, DT, &seq,
	    &len), TCPE_SB_LOST);
	assert_int_equal(seq, una);
	assert_int_equal(len, MSS);
	assert_true(tcpe_sb_next_seg(&sb, una, nxt, end, una + MSS, MSS, DT,
	    &seq, &len));
	assert_int_equal(seq, una + MSS);
	assert_int_equal(len, MSS);
	/* A segment stops at the SACKed range. */
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, end, una + 1500, MSS,
	    DT, &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una + 1500);
	assert_int_equal(len, 500);
	/* Rule 2: the lost hole done, new data. */
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, end, una + 2 * MSS, MSS,
	    DT, &seq, &len), TCPE_SB_NEW);
	assert_int_equal(seq, nxt);
	assert_int_equal(len, MSS);
	/* Rule 3: no new data, the hole at 5 (not lost) is next. */
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, nxt, una + 2 * MSS, MSS,
	    DT, &seq, &len), TCPE_SB_UNSACKED);
	assert_int_equal(seq, una + 5 * MSS);
	assert_int_equal(len, MSS);
	/* Then nothing: above HighSACK is never retransmitted by NextSeg. */
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, nxt, una + 6 * MSS, MSS,
	    DT, &seq, &len), TCPE_SB_NONE);
	/* HighRxt inside a SACKed range: skips to the next hole. */
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, nxt, una + 3 * MSS, MSS,
	    DT, &seq, &len), TCPE_SB_UNSACKED);
	assert_int_equal(seq, una + 5 * MSS);
	/* A stale HighRxt below SND.UNA: from SND.UNA. */
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, nxt, una - 100, MSS, DT,
	    &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una);
	/* mss 0: nothing. */
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, end, una, 0, DT, &seq,
	    &len), TCPE_SB_NONE);

	/* SACK of 8 .. 9: 3 * MSS above the hole at 5, now lost. */
	b[0] = segs(una, 8, 10);
	tcpe_sb_update(&sb, una, nxt, b, 1, NULL);
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, end, una + 2 * MSS, MSS,
	    DT, &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una + 5 * MSS);
	/* The hole at 7 has 2 * MSS in one range above: not lost. */
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, end, una + 6 * MSS, MSS,
	    DT, &seq, &len), TCPE_SB_NEW);
	assert_int_equal(tcpe_sb_next(&sb, una, nxt, nxt, una + 6 * MSS, MSS,
	    DT, &seq, &len), TCPE_SB_UNSACKED);
	assert_int_equal(seq, una + 7 * MSS);
	assert_int_equal(len, MSS);
	/* A cumulative ACK up to 5 leaves the hole at 5 lost. */
	tcpe_sb_advance(&sb, una + 5 * MSS);
	assert_int_equal(tcpe_sb_next(&sb, una + 5 * MSS, nxt, end,
	    una + 5 * MSS, MSS, DT, &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una + 5 * MSS);
}

/*
 * tcpe_sb_pipe_lost(): SetPipe where every unSACKed octet below lost_end
 * is lost as well (RACK, or the whole flight after an RTO). Segment 5
 * SACKed, nothing lost by IsLost (one range, DupThresh 3).
 */
static void
test_pipe_lost(void **state)
{
	struct tcpe_sack_block b[1];
	struct tcpe_sb sb;
	uint32_t una = BASE, max = BASE + 10 * MSS;

	(void)state;
	tcpe_sb_init(&sb);
	/* No scoreboard at all: only lost_end decides. */
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    una + 4 * MSS), 6 * MSS);
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT, max),
	    0);
	b[0] = segs(una, 5, 6);
	tcpe_sb_update(&sb, una, max, b, 1, NULL);
	/* lost_end at or below SND.UNA (or stale, far below): SetPipe. */
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT, una),
	    9 * MSS);
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    una - 5), 9 * MSS);
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    una - 0x40000000u), 9 * MSS);
	/* Inside the hole below the range, at a segment edge or not. */
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    una + 2 * MSS), 7 * MSS);
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    una + 2 * MSS + 100), 7 * MSS - 100);
	/* At the range, inside it, at HighSACK: 0 .. 4 lost, 6 .. 9 not. */
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    una + 5 * MSS), 4 * MSS);
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    una + 5 * MSS + 500), 4 * MSS);
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    una + 6 * MSS), 4 * MSS);
	/* Above HighSACK: lost up to lost_end there too. */
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    una + 8 * MSS + 1), 2 * MSS - 1);
	/* At or beyond SND.MAX: everything unSACKed lost. */
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT, max),
	    0);
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    max + 7 * MSS), 0);
	/* Retransmitted octets count again, lost or not (RFC 6675). */
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una + 2 * MSS, MSS,
	    DT, una + 6 * MSS), 6 * MSS);
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una + 8 * MSS, MSS,
	    DT, max), 7 * MSS);
	/* Nothing in flight. */
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, una, una, MSS, DT, max),
	    0);

	/* Segments 2 .. 4 SACKed: 0, 1 lost by IsLost, 5 .. 9 not. */
	tcpe_sb_init(&sb);
	b[0] = segs(una, 2, 5);
	tcpe_sb_update(&sb, una, max, b, 1, NULL);
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una, MSS, DT), 5 * MSS);
	/* lost_end inside the IsLost hole changes nothing. */
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    una + MSS / 2), 5 * MSS);
	/* Straddling: from the IsLost hole over the range to 7. */
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    una + 7 * MSS), 3 * MSS);
	/* Wrapping SND.UNA. */
	una = UINT32_MAX - 3 * MSS;
	max = una + 10 * MSS;
	tcpe_sb_init(&sb);
	tcpe_sb_advance(&sb, una);
	b[0] = segs(una, 5, 6);
	tcpe_sb_update(&sb, una, max, b, 1, NULL);
	assert_int_equal(tcpe_sb_pipe_lost(&sb, una, max, una, MSS, DT,
	    una + 8 * MSS), 2 * MSS);
}

/* tcpe_sb_hole_above(): an unSACKed octet at or above from, below HighSACK. */
static void
test_hole_above(void **state)
{
	struct tcpe_sack_block b[2];
	struct tcpe_sb sb;
	uint32_t una = BASE, max = BASE + 10 * MSS;

	(void)state;
	tcpe_sb_init(&sb);
	tcpe_sb_advance(&sb, una);
	assert_false(tcpe_sb_hole_above(&sb, una));	/* nothing SACKed */
	b[0] = segs(una, 2, 3);
	b[1] = segs(una, 5, 7);
	tcpe_sb_update(&sb, una, max, b, 2, NULL);
	assert_true(tcpe_sb_hole_above(&sb, una));		/* below 2 */
	assert_true(tcpe_sb_hole_above(&sb, una + 2 * MSS));	/* in 2: 3, 4 */
	assert_true(tcpe_sb_hole_above(&sb, una + 4 * MSS));	/* in 3..4 */
	assert_false(tcpe_sb_hole_above(&sb, una + 5 * MSS));	/* in 5..6 */
	assert_false(tcpe_sb_hole_above(&sb, una + 7 * MSS - 1));
	assert_false(tcpe_sb_hole_above(&sb, una + 7 * MSS));	/* HighSACK */
	assert_false(tcpe_sb_hole_above(&sb, una + 9 * MSS));
}

/*
 * tcpe_sb_next_lost(): NextSeg with every unSACKed octet below lost_end
 * lost; rule 1 finds such octets above HighSACK too, and a range stops at
 * lost_end unless IsLost holds for its hole.
 */
static void
test_next_lost(void **state)
{
	struct tcpe_sack_block b[1];
	struct tcpe_sb sb;
	uint32_t una = BASE, nxt = BASE + 10 * MSS, seq = 0, len = 0;
	uint32_t end = nxt + 5 * MSS;	/* new data the window allows */

	(void)state;
	tcpe_sb_init(&sb);
	b[0] = segs(una, 5, 6);
	tcpe_sb_update(&sb, una, nxt, b, 1, NULL);
	/* lost_end at SND.UNA: NextSeg (new data, else rule 3 at 0). */
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una, MSS, DT,
	    una, &seq, &len), TCPE_SB_NEW);
	assert_int_equal(seq, nxt);
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, nxt, una, MSS, DT,
	    una - 100, &seq, &len), TCPE_SB_UNSACKED);
	assert_int_equal(seq, una);
	assert_int_equal(len, MSS);
	/* lost_end inside the hole, mid-segment. */
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una, MSS, DT,
	    una + 2 * MSS + 100, &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una);
	assert_int_equal(len, MSS);
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una + MSS, MSS,
	    DT, una + 2 * MSS + 100, &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una + MSS);
	assert_int_equal(len, MSS);
	/* The range stops at lost_end. */
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una + 2 * MSS,
	    MSS, DT, una + 2 * MSS + 100, &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una + 2 * MSS);
	assert_int_equal(len, 100);
	/* Past it: new data, else the rest of the hole by rule 3. */
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end,
	    una + 2 * MSS + 100, MSS, DT, una + 2 * MSS + 100, &seq, &len),
	    TCPE_SB_NEW);
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, nxt,
	    una + 2 * MSS + 100, MSS, DT, una + 2 * MSS + 100, &seq, &len),
	    TCPE_SB_UNSACKED);
	assert_int_equal(seq, una + 2 * MSS + 100);
	assert_int_equal(len, MSS);
	/* lost_end inside the range: the range ends the hole's segment. */
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end,
	    una + 4 * MSS + 200, MSS, DT, una + 5 * MSS + 500, &seq, &len),
	    TCPE_SB_LOST);
	assert_int_equal(seq, una + 4 * MSS + 200);
	assert_int_equal(len, 800);
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una + 5 * MSS,
	    MSS, DT, una + 5 * MSS + 500, &seq, &len), TCPE_SB_NEW);
	/* Above HighSACK, below lost_end: lost (NextSeg never goes there). */
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una + 5 * MSS,
	    MSS, DT, una + 8 * MSS, &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una + 6 * MSS);
	assert_int_equal(len, MSS);
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end,
	    una + 7 * MSS + 300, MSS, DT, una + 8 * MSS, &seq, &len),
	    TCPE_SB_LOST);
	assert_int_equal(seq, una + 7 * MSS + 300);
	assert_int_equal(len, 700);
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una + 8 * MSS,
	    MSS, DT, una + 8 * MSS, &seq, &len), TCPE_SB_NEW);
	seq = len = 7;
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, nxt, una + 8 * MSS,
	    MSS, DT, una + 8 * MSS, &seq, &len), TCPE_SB_NONE);
	assert_int_equal(seq, 7);
	assert_int_equal(len, 7);
	/* lost_end beyond SND.NXT: up to SND.NXT, then new data. */
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una + 9 * MSS,
	    MSS, DT, nxt + 3 * MSS, &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una + 9 * MSS);
	assert_int_equal(len, MSS);
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, nxt, MSS, DT,
	    nxt + 3 * MSS, &seq, &len), TCPE_SB_NEW);
	assert_int_equal(seq, nxt);
	/* No scoreboard ranges, the whole flight lost (after an RTO). */
	tcpe_sb_init(&sb);
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una + MSS / 2,
	    MSS, DT, nxt, &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una + MSS / 2);
	assert_int_equal(len, MSS);
	/* mss 0: nothing. */
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una, 0, DT, nxt,
	    &seq, &len), TCPE_SB_NONE);

	/* 2 .. 4 SACKed: the hole at 0 is lost by IsLost: not clipped. */
	b[0] = segs(una, 2, 5);
	tcpe_sb_update(&sb, una, nxt, b, 1, NULL);
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una, MSS, DT,
	    una + MSS / 2, &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una);
	assert_int_equal(len, MSS);
	/* Straddling the range: 5, 6 lost, 7 not (new data next). */
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una + 2 * MSS,
	    MSS, DT, una + 7 * MSS, &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una + 5 * MSS);
	assert_int_equal(len, MSS);
	assert_int_equal(tcpe_sb_next_lost(&sb, una, nxt, end, una + 7 * MSS,
	    MSS, DT, una + 7 * MSS, &seq, &len), TCPE_SB_NEW);
}

static void
test_wraparound(void **state)
{
	struct tcpe_sack_block b[4], e[4], d;
	struct tcpe_sb sb;
	uint32_t una = UINT32_MAX - 3 * MSS + 1;	/* 2^32 - 3000 */
	uint32_t max = una + 10 * MSS;			/* 7000 */
	uint32_t seq, len;

	(void)state;
	tcpe_sb_init(&sb);
	/* Segments 2 (wrapping: 2^32 - 1000 .. 0), 4-6, 8 */
	b[0] = segs(una, 4, 7);
	b[1] = segs(una, 2, 3);
	b[2] = segs(una, 8, 9);
	b[3] = blk(una - 5, una + 5);	/* straddling, not first */
	assert_int_equal(b[1].right, 0);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 4, &d),
	    5 * MSS + 5);
	assert_int_equal(d.left, d.right);
	e[0] = blk(una, una + 5);
	e[1] = segs(una, 2, 3);
	e[2] = segs(una, 4, 7);
	e[3] = segs(una, 8, 9);
	expect_ranges(&sb, e, 4);
	assert_int_equal(sb.r[2].left, MSS);
	assert_int_equal(sb.r[2].right, 4 * MSS);
	/* Merge across 0: segment 3 joins 2 and 4-6. */
	b[0] = segs(una, 3, 4);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, NULL), MSS);
	assert_int_equal(tcpe_sb_ranges(&sb), 3);
	assert_int_equal(sb.r[1].left, UINT32_MAX - MSS + 1);
	assert_int_equal(sb.r[1].right, 4 * MSS);
	assert_true(tcpe_sb_is_sacked(&sb, UINT32_MAX));
	assert_true(tcpe_sb_is_sacked(&sb, 0));
	assert_false(tcpe_sb_is_sacked(&sb, una + 5));
	assert_int_equal(tcpe_sb_high_sacked(&sb), una + 9 * MSS);
	/* IsLost, pipe and NextSeg across the wrap. */
	assert_true(tcpe_sb_is_lost(&sb, una + MSS, MSS, DT));
	assert_false(tcpe_sb_is_lost(&sb, una + 7 * MSS, MSS, DT));
	assert_int_equal(tcpe_sb_pipe(&sb, una, max, una, MSS, DT),
	    MSS + MSS);	/* 7 and 9 */
	assert_int_equal(tcpe_sb_next(&sb, una, max, max, una + MSS, MSS,
	    DT, &seq, &len), TCPE_SB_LOST);
	assert_int_equal(seq, una + MSS);
	assert_int_equal(len, MSS);
	/* D-SACK below an ACK just past 0. */
	tcpe_sb_advance(&sb, 100);
	b[0] = blk(UINT32_MAX - 100, 50);
	assert_int_equal(tcpe_sb_update(&sb, 100, max, b, 1, &d), 0);
	assert_int_equal(d.left, UINT32_MAX - 100);
	e[0] = blk(100, 4 * MSS);
	e[1] = segs(una, 8, 9);
	expect_ranges(&sb, e, 2);
}

static void
test_range_limit(void **state)
{
	struct tcpe_sack_block b[1], e[1];
	struct tcpe_sb sb;
	uint32_t una = BASE, max = BASE + 200 * MSS, i;

	(void)state;
	tcpe_sb_init(&sb);
	/* Every other segment from 1: 32 ranges fit. */
	for (i = 0; i < TCPE_SB_MAX_RANGES; i++) {
		b[0] = segs(una, 2 * i + 1, 2 * i + 2);
		assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, NULL),
		    MSS);
	}
	assert_int_equal(tcpe_sb_ranges(&sb), TCPE_SB_MAX_RANGES);
	assert_int_equal(tcpe_sb_sacked_bytes(&sb), TCPE_SB_MAX_RANGES * MSS);
	/* A 33rd beyond all of them is not recorded. */
	b[0] = segs(una, 100, 101);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, NULL), 0);
	assert_int_equal(tcpe_sb_ranges(&sb), TCPE_SB_MAX_RANGES);
	assert_false(tcpe_sb_is_sacked(&sb, una + 100 * MSS));
	assert_int_equal(tcpe_sb_high_sacked(&sb), una + 64 * MSS);
	/* One nearer SND.UNA evicts the farthest (63 .. 64). */
	b[0] = blk(una + 10, una + 20);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, NULL), 10);
	assert_int_equal(tcpe_sb_ranges(&sb), TCPE_SB_MAX_RANGES);
	assert_int_equal(tcpe_sb_sacked_bytes(&sb),
	    (TCPE_SB_MAX_RANGES - 1) * MSS + 10);
	assert_true(tcpe_sb_is_sacked(&sb, una + 10));
	assert_false(tcpe_sb_is_sacked(&sb, una + 63 * MSS));
	assert_int_equal(tcpe_sb_high_sacked(&sb), una + 62 * MSS);
	/* Merging needs no room: filling a hole joins two ranges. */
	b[0] = segs(una, 2, 3);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, NULL), MSS);
	assert_int_equal(tcpe_sb_ranges(&sb), TCPE_SB_MAX_RANGES - 1);
	b[0] = segs(una, 100, 101);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, NULL), MSS);
	assert_int_equal(tcpe_sb_ranges(&sb), TCPE_SB_MAX_RANGES);
	/* One block covering everything collapses all into one range. */
	b[0] = blk(una, una + 150 * MSS);
	assert_int_equal(tcpe_sb_update(&sb, una, max, b, 1, NULL),
	    150 * MSS - (TCPE_SB_MAX_RANGES + 1) * MSS - 10);
	e[0] = b[0];
	expect_ranges(&sb, e, 1);
	/* The struct is small and fixed: no allocation anywhere. */
	assert_true(sizeof(struct tcpe_sb) <= 12 + 8 * TCPE_SB_MAX_RANGES);
}

/* --- randomized comparison with a bitmap model ------------------------- */

#define RMSS	8
#define RSEGS	256
#define RWIN	(RMSS * RSEGS)	/* octets the model tracks above SND.UNA */

struct model {
	uint32_t una;		/* SND.UNA */
	uint32_t sent;		/* octets in flight: snd_max - una */
	uint8_t m[RWIN];	/* m[i]: octet una + i SACKed */
};

static uint64_t
rnd(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static uint32_t
rndn(uint64_t *s, uint32_t n)
{
	return n == 0 ? 0 : (uint32_t)(rnd(s) >> 32) % n;
}

static uint32_t
m_runs(const struct model *md)
{
	uint32_t i, runs = 0;

	for (i = 0; i < md->sent; i++)
		if (md->m[i] && (i == 0 || !md->m[i - 1]))
			runs++;
	return runs;
}

/* Model of IsLost for octet i (offset from una). */
static bool
m_lost(const struct model *md, uint32_t i, uint32_t mss, uint32_t dt)
{
	uint32_t j, runs = 0, bytes = 0;

	for (j = i + 1; j < md->sent; j++) {
		if (!md->m[j])
			continue;
		bytes++;
		if (j == i + 1 || !md->m[j - 1])
			runs++;
	}
	if (dt == 0)
		dt = 1;
	return runs >= dt || (uint64_t)bytes > (uint64_t)(dt - 1) * mss;
}

/* lost[i] for every i < sent, in one pass from the top. */
static void
m_lost_all(const struct model *md, uint32_t mss, uint32_t dt, bool *lost)
{
	uint32_t i, runs = 0, bytes = 0;

	if (dt == 0)
		dt = 1;
	for (i = md->sent; i-- > 0;) {
		lost[i] = runs >= dt ||
		    (uint64_t)bytes > (uint64_t)(dt - 1) * mss;
		if (md->m[i]) {
			bytes++;
			if (i + 1 >= md->sent || !md->m[i + 1])
				runs++;
		}
	}
}

static void
m_advance(struct model *md, uint32_t d)
{
	memmove(md->m, md->m + d, RWIN - d);
	memset(md->m + RWIN - d, 0, d);
	md->una += d;
	md->sent -= d;
}

/* Record [lo, hi) (offsets, 0 <= lo < hi <= sent); returns octets new. */
static uint32_t
m_record(struct model *md, uint32_t lo, uint32_t hi)
{
	uint8_t set[RWIN];
	uint32_t i, newly = 0, top;

	memset(set, 0, sizeof(set));
	for (i = lo; i < hi; i++) {
		if (!md->m[i])
			set[i] = 1;
		md->m[i] = 1;
	}
	if (m_runs(md) > TCPE_SB_MAX_RANGES) {
		/* Forget the highest run. */
		top = md->sent;
		while (!md->m[top - 1])
			top--;
		while (top > 0 && md->m[top - 1])
			md->m[--top] = 0;
	}
	for (i = lo; i < hi; i++)
		if (set[i] && md->m[i])
			newly++;
	return newly;
}

/*
 * A random block as offsets from una (possibly negative), of a random
 * kind: mostly regular, sometimes bad in some way.
 */
static void
gen_block(uint64_t *s, const struct model *md, int64_t *l, int64_t *r)
{
	uint32_t k = rndn(s, 16), a;

	a = rndn(s, md->sent / RMSS + 1) * RMSS;
	if (rndn(s, 4) == 0)
		a += rndn(s, RMSS);
	*l = a;
	*r = a + (1 + rndn(s, 3)) * RMSS - (rndn(s, 4) == 0 ?
	    rndn(s, RMSS) : 0);
	if (*r > (int64_t)md->sent)
		*r = md->sent;
	switch (k) {
	case 0:		/* malformed */
		*r = *l - rndn(s, 2 * RMSS);
		break;
	case 1:		/* beyond snd_max */
		*r = (int64_t)md->sent + 1 + rndn(s, RMSS);
		*l = *r - 1 - rndn(s, 3 * RMSS);
		break;
	case 2:		/* below snd_una */
		*r = -(int64_t)rndn(s, 3 * RMSS);
		*l = *r - 1 - rndn(s, 3 * RMSS);
		break;
	case 3:		/* straddling snd_una */
		*l = -1 - (int64_t)rndn(s, RMSS);
		*r = 1 + rndn(s, 2 * RMSS);
		break;
	case 4:		/* 2^31 octets or more */
		*r = *l + 0x80000000ll + rndn(s, 3);
		break;
	default:
		break;
	}
}

static bool
m_ok(int64_t l, int64_t r)
{
	return r > l && r - l < 0x80000000ll;
}

/* One tcpe_sb_update() with 1 .. 4 random blocks, checked. */
static void
r_update(uint64_t *s, struct model *md, struct tcpe_sb *sb)
{
	struct tcpe_sack_block b[4], d;
	int64_t l[4], r[4], lo;
	uint32_t n = 1 + rndn(s, 4), i, first = 0, want = 0;
	bool dsack;

	for (i = 0; i < n; i++)
		gen_block(s, md, &l[i], &r[i]);
	/* Sometimes a D-SACK inside the second block. */
	if (n > 1 && rndn(s, 6) == 0 && m_ok(l[1], r[1]) && r[1] - l[1] > 2 &&
	    r[1] <= (int64_t)md->sent) {
		l[0] = l[1] + rndn(s, 2);
		r[0] = r[1] - rndn(s, 2);
	}
	for (i = 0; i < n; i++)
		b[i] = blk(md->una + (uint32_t)l[i], md->una + (uint32_t)r[i]);

	dsack = m_ok(l[0], r[0]) && r[0] <= (int64_t)md->sent &&
	    (l[0] < 0 || (n > 1 && m_ok(l[1], r[1]) && l[0] >= l[1] &&
	    r[0] <= r[1]));
	if (dsack)
		first = 1;
	for (i = first; i < n; i++) {
		if (!m_ok(l[i], r[i]) || r[i] <= 0 ||
		    r[i] > (int64_t)md->sent)
			continue;
		lo = l[i] < 0 ? 0 : l[i];
		want += m_record(md, (uint32_t)lo, (uint32_t)r[i]);
	}
	d = blk(1, 2);
	assert_int_equal(tcpe_sb_update(sb, md->una, md->una + md->sent, b, n,
	    &d), want);
	if (dsack) {
		assert_int_equal(d.left, b[0].left);
		assert_int_equal(d.right, b[0].right);
	} else {
		assert_int_equal(d.left, d.right);
	}
}

/* Compare every query with the model. */
static void
r_check(uint64_t *s, const struct model *md, const struct tcpe_sb *sb)
{
	static bool lost[RWIN];
	uint32_t i, j, k, lo, sum = 0, top = 0, mss, dt, hr, pipe, avail;
	uint32_t seq = 0, len = 0, wseq = 0, wlen = 0;
	enum tcpe_sb_rule want = TCPE_SB_NONE, got;
	bool any = false;

	/* The ranges are exactly the model's runs. */
	k = 0;
	for (i = 0; i < md->sent; i++) {
		if (!md->m[i])
			continue;
		for (lo = i; i < md->sent && md->m[i]; i++)
			;
		assert_true(k < tcpe_sb_ranges(sb));
		assert_int_equal(sb->r[k].left, md->una + lo);
		assert_int_equal(sb->r[k].right, md->una + i);
		/* And is_sacked() agrees at and around the edges. */
		assert_true(tcpe_sb_is_sacked(sb, md->una + lo));
		assert_true(tcpe_sb_is_sacked(sb, md->una + i - 1));
		assert_false(tcpe_sb_is_sacked(sb, md->una + i));
		if (lo > 0)
			assert_false(tcpe_sb_is_sacked(sb, md->una + lo - 1));
		sum += i - lo;
		top = i;
		any = true;
		k++;
	}
	assert_int_equal(tcpe_sb_ranges(sb), k);
	assert_int_equal(m_runs(md), k);
	for (j = 0; j < 16 && md->sent > 0; j++) {
		i = rndn(s, md->sent);
		assert_int_equal(tcpe_sb_is_sacked(sb, md->una + i), md->m[i]);
	}
	assert_false(tcpe_sb_is_sacked(sb, md->una + md->sent));
	assert_false(tcpe_sb_is_sacked(sb, md->una - 1));
	assert_int_equal(tcpe_sb_sacked_bytes(sb), sum);
	assert_int_equal(tcpe_sb_high_sacked(sb), any ? md->una + top : 0);

	mss = rndn(s, 4) == 0 ? 1 + rndn(s, 3 * RMSS) : RMSS;
	dt = rndn(s, 5);	/* 0 .. 4; 0 counts as 1 */
	/* IsLost at a few points, then everywhere through lost[]. */
	for (j = 0; j < 8 && md->sent > 0; j++) {
		i = rndn(s, md->sent);
		assert_int_equal(tcpe_sb_is_lost(sb, md->una + i, mss, dt),
		    m_lost(md, i, mss, dt));
	}
	/* Through lost[] at more points and every range's edges. */
	m_lost_all(md, mss, dt, lost);
	for (j = 0; j < 16 && md->sent > 0; j++) {
		i = rndn(s, md->sent);
		assert_int_equal(tcpe_sb_is_lost(sb, md->una + i, mss, dt),
		    lost[i]);
	}
	for (i = 0; i < md->sent; i++) {
		if (md->m[i] == (i > 0 ? md->m[i - 1] : 0))
			continue;
		assert_int_equal(tcpe_sb_is_lost(sb, md->una + i, mss, dt),
		    lost[i]);
		if (i > 0)
			assert_int_equal(tcpe_sb_is_lost(sb, md->una + i - 1,
			    mss, dt), lost[i - 1]);
	}

	/* SetPipe with a random HighRxt (below, inside, beyond). */
	hr = rndn(s, md->sent + 2 * RMSS);
	hr = rndn(s, 8) == 0 ? md->una - 1 - rndn(s, RMSS) : md->una + hr;
	pipe = 0;
	for (i = 0; i < md->sent; i++) {
		if (md->m[i])
			continue;
		if (!lost[i])
			pipe++;
		if (tcpe_seq_lt(md->una + i, hr))
			pipe++;
	}
	assert_int_equal(tcpe_sb_pipe(sb, md->una, md->una + md->sent, hr,
	    mss, dt), pipe);

	/* NextSeg. */
	avail = rndn(s, 2) == 0 ? 0 : rndn(s, 2 * RMSS);
	for (i = tcpe_seq_lt(hr, md->una) ? 0 : hr - md->una; i < top; i++)
		if (!md->m[i])
			break;
	if (i < top && lost[i]) {
		want = TCPE_SB_LOST;
	} else if (avail > 0) {
		want = TCPE_SB_NEW;
		wseq = md->una + md->sent;
		wlen = avail < mss ? avail : mss;
	} else if (i < top) {
		want = TCPE_SB_UNSACKED;
	}
	if (want == TCPE_SB_LOST || want == TCPE_SB_UNSACKED) {
		wseq = md->una + i;
		for (j = i; j < md->sent && !md->m[j] && j - i < mss; j++)
			;
		wlen = j - i;
	}
	got = tcpe_sb_next(sb, md->una, md->una + md->sent,
	    md->una + md->sent + avail, hr, mss, dt, &seq, &len);
	assert_int_equal(got, want);
	if (want != TCPE_SB_NONE) {
		assert_int_equal(seq, wseq);
		assert_int_equal(len, wlen);
	}
}

/*
 * tcpe_sb_pipe_lost() and tcpe_sb_next_lost() against the model, with
 * their own random stream t (the one of r_check() is left as it was):
 * lost_end at or below SND.UNA gives exactly tcpe_sb_pipe() and
 * tcpe_sb_next(); anywhere else, an octet is lost if IsLost or below
 * lost_end, and a rule 1 range stops at lost_end unless its hole is
 * lost by IsLost.
 */
static void
r_check_lost(uint64_t *t, const struct model *md, const struct tcpe_sb *sb)
{
	static bool lost[RWIN];
	uint32_t i, j, top = 0, mss, dt, hr, le, L, pipe, avail, start;
	uint32_t seq = 0, len = 0, seq2 = 0, len2 = 0, wseq = 0, wlen = 0;
	enum tcpe_sb_rule want = TCPE_SB_NONE, got, got2;
	bool ext;

	for (i = 0; i < md->sent; i++)
		if (md->m[i])
			top = i + 1;
	mss = rndn(t, 4) == 0 ? 1 + rndn(t, 3 * RMSS) : RMSS;
	dt = rndn(t, 5);
	hr = rndn(t, 8) == 0 ? md->una - 1 - rndn(t, RMSS) :
	    md->una + rndn(t, md->sent + 2 * RMSS);
	avail = rndn(t, 2) == 0 ? 0 : rndn(t, 2 * RMSS);
	m_lost_all(md, mss, dt, lost);

	/* At or below SND.UNA: the plain functions. */
	le = rndn(t, 2) == 0 ? md->una : md->una - 1 - rndn(t, 1u << 30);
	assert_int_equal(tcpe_sb_pipe_lost(sb, md->una, md->una + md->sent,
	    hr, mss, dt, le), tcpe_sb_pipe(sb, md->una, md->una + md->sent, hr,
	    mss, dt));
	seq = len = seq2 = len2 = 0;
	got = tcpe_sb_next_lost(sb, md->una, md->una + md->sent,
	    md->una + md->sent + avail, hr, mss, dt, le, &seq, &len);
	got2 = tcpe_sb_next(sb, md->una, md->una + md->sent,
	    md->una + md->sent + avail, hr, mss, dt, &seq2, &len2);
	assert_int_equal(got, got2);
	assert_int_equal(seq, seq2);
	assert_int_equal(len, len2);

	/* Anywhere: below, in a hole, in a range, its edges, beyond. */
	switch (rndn(t, 4)) {
	case 0:
		le = md->una + top;
		break;
	case 1:
		le = md->una + md->sent + rndn(t, 3 * RMSS);
		break;
	case 2:
		/* A range's edge. */
		i = rndn(t, md->sent + 1);
		while (i < md->sent && i > 0 && md->m[i] == md->m[i - 1])
			i++;
		le = md->una + i;
		break;
	default:
		le = md->una + rndn(t, md->sent + 1);
		break;
	}
	L = tcpe_seq_gt(le, md->una) ? le - md->una : 0;
	if (L > md->sent)
		L = md->sent;
	pipe = 0;
	for (i = 0; i < md->sent; i++) {
		if (md->m[i])
			continue;
		if (!lost[i] && i >= L)
			pipe++;
		if (tcpe_seq_lt(md->una + i, hr))
			pipe++;
	}
	assert_int_equal(tcpe_sb_pipe_lost(sb, md->una, md->una + md->sent,
	    hr, mss, dt, le), pipe);

	start = tcpe_seq_lt(hr, md->una) ? 0 : hr - md->una;
	for (i = start; i < md->sent; i++)
		if (!md->m[i])
			break;
	ext = i < top && lost[i];	/* lost by IsLost */
	if (i < md->sent && (ext || i < L)) {
		want = TCPE_SB_LOST;
		for (j = i; j < md->sent && !md->m[j] && j - i < mss &&
		    (ext || j < L); j++)
			;
		wseq = md->una + i;
		wlen = j - i;
	} else if (avail > 0) {
		want = TCPE_SB_NEW;
		wseq = md->una + md->sent;
		wlen = avail < mss ? avail : mss;
	} else if (i < top) {
		want = TCPE_SB_UNSACKED;
		for (j = i; j < md->sent && !md->m[j] && j - i < mss; j++)
			;
		wseq = md->una + i;
		wlen = j - i;
	}
	got = tcpe_sb_next_lost(sb, md->una, md->una + md->sent,
	    md->una + md->sent + avail, hr, mss, dt, le, &seq, &len);
	assert_int_equal(got, want);
	if (want != TCPE_SB_NONE) {
		assert_int_equal(seq, wseq);
		assert_int_equal(len, wlen);
	}
}

/* lost: also r_check_lost() after each step, from its own stream. */
static void
r_run(uint64_t seed, uint32_t una, uint32_t steps, bool lost)
{
	static struct model md;
	struct tcpe_sb sb;
	uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
	uint64_t t = seed * 0xd1b54a32d192ed03ull + 7;
	uint32_t step, op, d;

	memset(&md, 0, sizeof(md));
	md.una = una;
	tcpe_sb_init(&sb);
	tcpe_sb_advance(&sb, una);
	for (step = 0; step < steps; step++) {
		op = rndn(&s, 20);
		if (op < 3) {
			/* Send up to 8 segments more. */
			md.sent += rndn(&s, 8 * RMSS + 1);
			if (md.sent > RWIN)
				md.sent = RWIN;
		} else if (op < 5) {
			/* Cumulative ACK, mostly small steps. */
			d = rndn(&s, op == 3 ? md.sent + 1 :
			    (md.sent < 3 * RMSS ? md.sent : 3 * RMSS) + 1);
			m_advance(&md, d);
			tcpe_sb_advance(&sb, md.una);
		} else if (op == 5 && rndn(&s, 10) == 0) {
			/* RTO. */
			memset(md.m, 0, sizeof(md.m));
			tcpe_sb_clear(&sb);
		} else if (op == 6) {
			/* Cumulative ACK and SACK in one update(). */
			d = rndn(&s, (md.sent < 2 * RMSS ? md.sent :
			    2 * RMSS) + 1);
			m_advance(&md, d);
			r_update(&s, &md, &sb);
		} else {
			r_update(&s, &md, &sb);
		}
		r_check(&s, &md, &sb);
		if (lost)
			r_check_lost(&t, &md, &sb);
		/* Refill when mostly acknowledged, to keep holes coming. */
		if (md.sent < 4 * RMSS)
			md.sent += RWIN / 2;
	}
}

static void
test_random(void **state)
{
	static const uint64_t seeds[] = { 1, 2, 3, 42, 2024, 65537, 987654321 };
	uint32_t i;

	(void)state;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		/* Half of the runs cross 2^32 early on. */
		r_run(seeds[i], i % 2 == 0 ? BASE + (uint32_t)seeds[i] :
		    UINT32_MAX - RWIN - (uint32_t)(seeds[i] % 1000), 3000,
		    false);
	}
}

/* The same scoreboards, and the lost_end variants checked at each step. */
static void
test_random_lost(void **state)
{
	static const uint64_t seeds[] = { 5, 8, 13, 8985, 6675, 424242 };
	uint32_t i;

	(void)state;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		r_run(seeds[i], i % 2 == 0 ? BASE + (uint32_t)seeds[i] :
		    UINT32_MAX - RWIN - (uint32_t)(seeds[i] % 1000), 3000,
		    true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_any_order),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_bad_blocks),
		cmocka_unit_test(test_dsack_below_ack),
		cmocka_unit_test(test_dsack_in_second),
		cmocka_unit_test(test_advance),
		cmocka_unit_test(test_is_lost),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_next_seg),
		cmocka_unit_test(test_pipe_lost),
		cmocka_unit_test(test_hole_above),
		cmocka_unit_test(test_next_lost),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_range_limit),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_random_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
