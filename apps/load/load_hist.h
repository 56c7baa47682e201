/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A log-linear histogram of latencies (HdrHistogram's layout with 3
 * significant digits): values below 2048 have a bucket each; above, each
 * power of two [2^k, 2^(k+1)) is split into 1024 equal buckets, so a
 * value is known to within 1/1024 of itself (0.1 %). Values are
 * nanoseconds here, up to LOAD_HIST_MAX (2^40 ns, 18 minutes; larger
 * values are counted in the last bucket, the exact max is kept apart).
 * Recording is one clz, a shift and an increment: no allocation, no
 * floating point. Pure C, no DPDK: unit-tested on its own
 * (tests/unit/test_load.c).
 */
#ifndef LOAD_HIST_H
#define LOAD_HIST_H

#include <stdint.h>

#define LOAD_HIST_SUB_BITS	10	/* 1024 buckets per power of two */
#define LOAD_HIST_SUB		(1u << LOAD_HIST_SUB_BITS)
#define LOAD_HIST_MAX_BITS	40	/* values up to 2^40 - 1 */
#define LOAD_HIST_MAX		((UINT64_C(1) << LOAD_HIST_MAX_BITS) - 1)
/* 2048 exact buckets, then 1024 per power of two from 2^11 to 2^39. */
#define LOAD_HIST_BUCKETS \
	((LOAD_HIST_MAX_BITS - LOAD_HIST_SUB_BITS + 1) * LOAD_HIST_SUB)

struct load_hist {
	uint64_t count;
	uint64_t sum;		/* of the values recorded (saturating) */
	uint64_t min, max;	/* exact; min is UINT64_MAX when empty */
	uint64_t b[LOAD_HIST_BUCKETS];
};

/* Empty h. */
void load_hist_init(struct load_hist *h);

/* The bucket of value v (v > LOAD_HIST_MAX: the last one). */
uint32_t load_hist_index(uint64_t v);

/* The smallest and largest value of bucket i. */
uint64_t load_hist_lowest(uint32_t i);
uint64_t load_hist_highest(uint32_t i);

static inline void
load_hist_record(struct load_hist *h, uint64_t v)
{
	h->b[load_hist_index(v)]++;
	h->count++;
	h->sum = h->sum + v < h->sum ? UINT64_MAX : h->sum + v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/* Add every count of src to dst. */
void load_hist_merge(struct load_hist *dst, const struct load_hist *src);

/*
 * The value at percentile p (0 < p <= 100): the largest value of the
 * bucket holding the ceil(p/100 * count)-th smallest value, never above
 * the max recorded (as HdrHistogram's getValueAtPercentile). 0 when
 * empty. p 100 is the exact max.
 */
uint64_t load_hist_percentile(const struct load_hist *h, double p);

/* Mean of the values recorded, 0 when empty. */
double load_hist_mean(const struct load_hist *h);

#endif /* LOAD_HIST_H */
