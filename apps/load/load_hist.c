/* SPDX-License-Identifier: BSD-3-Clause */
/* The log-linear latency histogram of tcpe-load: see load_hist.h. */
#include <string.h>

#include "load_hist.h"

void
load_hist_init(struct load_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

uint32_t
load_hist_index(uint64_t v)
{
	unsigned int e;

	if (v > LOAD_HIST_MAX)
		v = LOAD_HIST_MAX;
	if (v < 2 * LOAD_HIST_SUB)
		return (uint32_t)v;
	/* v >> e is in [1024, 2048): its top bit is bit 10. */
	e = (unsigned int)(63 - __builtin_clzll(v)) - LOAD_HIST_SUB_BITS;
	return (e + 1) * LOAD_HIST_SUB +
	    (uint32_t)((v >> e) - LOAD_HIST_SUB);
}

uint64_t
load_hist_lowest(uint32_t i)
{
	unsigned int e;

	if (i < 2 * LOAD_HIST_SUB)
		return i;
	e = i / LOAD_HIST_SUB - 1;
	return (uint64_t)(i % LOAD_HIST_SUB + LOAD_HIST_SUB) << e;
}

uint64_t
load_hist_highest(uint32_t i)
{
	unsigned int e;

	if (i < 2 * LOAD_HIST_SUB)
		return i;
	e = i / LOAD_HIST_SUB - 1;
	return ((uint64_t)(i % LOAD_HIST_SUB + LOAD_HIST_SUB + 1) << e) - 1;
}

void
load_hist_merge(struct load_hist *dst, const struct load_hist *src)
{
	uint32_t i;

	if (src->count == 0)
		return;
	for (i = 0; i < LOAD_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum = dst->sum + src->sum < dst->sum ? UINT64_MAX :
	    dst->sum + src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
load_hist_percentile(const struct load_hist *h, double p)
{
	uint64_t want, seen = 0, v;
	uint32_t i;

	if (h->count == 0)
		return 0;
	if (p >= 100.0)
		return h->max;
	if (p <= 0.0)
		return h->min;
	/* ceil(p/100 * count), at least 1. */
	want = (uint64_t)(p / 100.0 * (double)h->count);
	if ((double)want < p / 100.0 * (double)h->count)
		want++;
	if (want == 0)
		want = 1;
	for (i = 0; i < LOAD_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want) {
			v = load_hist_highest(i);
			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}

double
load_hist_mean(const struct load_hist *h)
{
	return h->count == 0 ? 0.0 : (double)h->sum / (double)h->count;
}
