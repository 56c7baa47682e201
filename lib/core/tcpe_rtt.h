/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Round-trip time estimation and the retransmission timeout (RFC 6298),
 * and the time a connection may spend retransmitting before it gives up
 * (Linux's tcp_model_timeout()).
 *
 * All times are tcpe_time_t nanoseconds. The estimator is integer-exact
 * (the unit tests check results to the nanosecond):
 *
 *	first sample R:	SRTT = R, RTTVAR = R / 2
 *	then:		RTTVAR = (3 * RTTVAR + |SRTT - R|) / 4
 *			SRTT = (7 * SRTT + R) / 8
 *	always:		RTO = SRTT + max(G, 4 * RTTVAR), G = 1 ms,
 *			clamped to [rto_min, rto_max]
 *
 * with truncating division, RTTVAR updated from the old SRTT (RFC 6298
 * section 2.3: alpha = 1/8, beta = 1/4, K = 4). The floor is the caller's
 * tcp_rto_min_ms (Linux's 200 ms rather than RFC 6298's 1 s, section
 * 2.4), the cap its tcp_rto_max_ms (section 2.5).
 *
 * Pure and reentrant: any lcore, also from a callback.
 */
#ifndef TCPE_RTT_H
#define TCPE_RTT_H

#include "tcpe_types.h"

/* RFC 6298's clock granularity G: timestamps tick in milliseconds. */
#define TCPE_RTT_G		TCPE_MS(1)

/*
 * Samples above this are taken as this (about 78 hours): far beyond any
 * RTO cap, and it keeps 8 * SRTT from overflowing.
 */
#define TCPE_RTT_SAMPLE_MAX	((tcpe_time_t)1 << 48)

/*
 * Estimator state of one connection. Invariant: !valid until the first
 * sample, and then srtt, rttvar hold RFC 6298's SRTT and RTTVAR; rto is
 * always the base RTO (without backoff) within the bounds last given.
 */
struct tcpe_rtt {
	tcpe_time_t srtt;	/* smoothed RTT, ns (0 before a sample) */
	tcpe_time_t rttvar;	/* RTT variation, ns (0 before a sample) */
	tcpe_time_t rto;	/* retransmission timeout, no backoff, ns */
	bool valid;		/* a sample has been taken */
	/*
	 * RACK's reordering window (RFC 8985), derived from SRTT and kept
	 * here by tcpe_conn.c (the estimator never reads them): SRTT/4
	 * steps beyond the first, and loss episodes before they shrink.
	 */
	uint8_t reo_steps;
	uint8_t reo_persist;
};

/*
 * Start without a sample (RFC 6298 section 2.1): RTO = rto_initial
 * (tcp_rto_initial_ms), SRTT and RTTVAR 0.
 */
void tcpe_rtt_init(struct tcpe_rtt *r, tcpe_time_t rto_initial);

/*
 * Take the RTT measurement m (ns; Karn's algorithm, RFC 6298 section 3,
 * is the caller's: never sample a retransmitted segment unless timestamps
 * say which transmission was acknowledged) and recompute the RTO as
 * above, clamped to [rto_min, rto_max]. rto_min > rto_max is taken as
 * rto_max. m above TCPE_RTT_SAMPLE_MAX is taken as that.
 */
void tcpe_rtt_sample(struct tcpe_rtt *r, tcpe_time_t m, tcpe_time_t rto_min,
    tcpe_time_t rto_max);

/*
 * The RTO after `backoff` consecutive timeouts (RFC 6298 section 5.5,
 * doubled each time): min(r->rto << backoff, rto_max), without
 * overflow.
 */
tcpe_time_t tcpe_rtt_backoff(const struct tcpe_rtt *r, uint32_t backoff,
    tcpe_time_t rto_max);

/*
 * Linux's tcp_model_timeout() (net/ipv4/tcp_timer.c): the total time of
 * `boundary` retransmissions (tcp_retries2, tcp_orphan_retries ...) whose
 * RTO starts at rto_base and doubles up to rto_max:
 *
 *	thresh = ilog2(rto_max / rto_base)
 *	boundary <= thresh: ((2 << boundary) - 1) * rto_base
 *	otherwise:	   ((2 << thresh) - 1) * rto_base +
 *			   (boundary - thresh) * rto_max
 *
 * e.g. boundary 15, base 200 ms, max 120 s: 924.6 s; boundary 8: 102.2 s.
 * A connection gives up once the time since its first unacknowledged
 * retransmission exceeds this (Linux's retransmits_timed_out()), so the
 * limit holds whatever the RTT did to the real timeouts. rto_base is taken
 * as 1 ns if 0 and as rto_max if above it; the result saturates at
 * UINT64_MAX instead of wrapping.
 */
tcpe_time_t tcpe_rtt_timeout(uint32_t boundary, tcpe_time_t rto_base,
    tcpe_time_t rto_max);

#endif /* TCPE_RTT_H */
