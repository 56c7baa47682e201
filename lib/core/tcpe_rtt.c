/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 6298 RTT estimator and Linux's retransmission time model. See
 * tcpe_rtt.h for the exact arithmetic.
 */
#include "tcpe_rtt.h"

static tcpe_time_t
clamp_rto(tcpe_time_t rto, tcpe_time_t rto_min, tcpe_time_t rto_max)
{
	if (rto_min > rto_max)
		rto_min = rto_max;
	if (rto < rto_min)
		return rto_min;
	if (rto > rto_max)
		return rto_max;
	return rto;
}

void
tcpe_rtt_init(struct tcpe_rtt *r, tcpe_time_t rto_initial)
{
	r->srtt = 0;
	r->rttvar = 0;
	r->rto = rto_initial;
	r->valid = false;
	r->reo_steps = 0;
	r->reo_persist = 0;
}

void
tcpe_rtt_sample(struct tcpe_rtt *r, tcpe_time_t m, tcpe_time_t rto_min,
    tcpe_time_t rto_max)
{
	tcpe_time_t err, var4;

	if (m > TCPE_RTT_SAMPLE_MAX)
		m = TCPE_RTT_SAMPLE_MAX;
	if (!r->valid) {
		/* RFC 6298 section 2.2. */
		r->srtt = m;
		r->rttvar = m / 2;
		r->valid = true;
	} else {
		/* Section 2.3: RTTVAR first, from the old SRTT. */
		err = r->srtt > m ? r->srtt - m : m - r->srtt;
		r->rttvar = (3 * r->rttvar + err) / 4;
		r->srtt = (7 * r->srtt + m) / 8;
	}
	var4 = 4 * r->rttvar;
	r->rto = clamp_rto(r->srtt + (var4 > TCPE_RTT_G ? var4 : TCPE_RTT_G),
	    rto_min, rto_max);
}

tcpe_time_t
tcpe_rtt_backoff(const struct tcpe_rtt *r, uint32_t backoff,
    tcpe_time_t rto_max)
{
	tcpe_time_t rto = r->rto;

	if (rto >= rto_max)
		return rto_max;
	if (rto == 0)
		return 0;
	/* rto < rto_max, so rto << k is compared before it can overflow. */
	while (backoff-- > 0) {
		if (rto >= rto_max / 2 + 1)
			return rto_max;
		rto <<= 1;
	}
	return rto < rto_max ? rto : rto_max;
}

static uint32_t
ilog2_u64(uint64_t x)
{
	uint32_t n = 0;

	while (x >>= 1)
		n++;
	return n;
}

/* a * b, or UINT64_MAX if it does not fit. */
static uint64_t
mul_sat(uint64_t a, uint64_t b)
{
	if (a != 0 && b > UINT64_MAX / a)
		return UINT64_MAX;
	return a * b;
}

static uint64_t
add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

tcpe_time_t
tcpe_rtt_timeout(uint32_t boundary, tcpe_time_t rto_base,
    tcpe_time_t rto_max)
{
	uint32_t thresh;

	if (rto_base == 0)
		rto_base = 1;
	if (rto_base > rto_max)
		rto_base = rto_max;
	if (rto_base == 0)
		return 0;
	/* rto_max / rto_base >= 1, so thresh is 0..63. */
	thresh = ilog2_u64(rto_max / rto_base);
	if (boundary <= thresh)
		return mul_sat(((uint64_t)2 << boundary) - 1, rto_base);
	/* 2 << 63 is 0 in 64 bits: (2 << 63) - 1 is UINT64_MAX, saturated. */
	return add_sat(mul_sat(((uint64_t)2 << thresh) - 1, rto_base),
	    mul_sat(boundary - thresh, rto_max));
}
