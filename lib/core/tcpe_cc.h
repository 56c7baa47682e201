/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control behind an ops table, chosen per connection by name
 * ([tcp] tcp_congestion_control, Linux's sysctl):
 *
 * "reno"	NewReno's window arithmetic (RFC 5681, RFC 6582 for the
 *		recovery the connection runs): slow start with appropriate
 *		byte counting, L = 2 * SMSS (RFC 3465), congestion avoidance
 *		by byte counting (one SMSS per cwnd of bytes acked, RFC 5681
 *		section 3.1), ssthresh = max(FlightSize / 2, 2 * SMSS).
 * "cubic"	RFC 9438 (Linux's default): C = 0.4, beta_cubic = 0.7, fast
 *		convergence, the Reno-friendly region (W_est), target
 *		W_cubic(t + RTT) clamped to [cwnd, 1.5 * cwnd]; slow start as
 *		reno (no HyStart). Integer arithmetic only: K in milliseconds
 *		through an exact integer cube root, no libm.
 * "none"	no congestion control at all: cwnd is UINT32_MAX and never
 *		changes, so only the peer's window limits the sender. For
 *		load generation on a private link only; never on a shared
 *		network.
 *
 * Windows are in bytes. mss is the connection's SMSS (payload bytes of a
 * full segment, options excluded), taken as 1 if 0 and as 65535 above
 * it. Time is tcpe_time_t ns, from the caller's clock.
 *
 * How the connection drives it:
 *
 *	tcpe_cc_init()		at ESTABLISHED (RFC 6928 IW)
 *	tcpe_cc_on_ack()	each ACK that advances SND.UNA outside loss
 *				recovery
 *	tcpe_cc_on_congestion()	on entering fast recovery (once per
 *				recovery episode: RFC 6582 / RFC 6675)
 *	tcpe_cc_on_rto()	on the first retransmission timeout of an
 *				episode; later timeouts of the same segment
 *				keep ssthresh (RFC 5681 section 3.1) and
 *				cwnd is already 1 SMSS
 *	tcpe_cc_after_idle()	before sending after an idle period longer
 *				than the RTO (RFC 5681 section 4.1)
 *
 * Invariants after any call: cwnd >= mss (>= 2 * mss after
 * on_congestion), ssthresh >= 2 * mss once set by a loss (UINT32_MAX
 * before). Pure and reentrant: any lcore, also from a callback; the ops
 * tables are const.
 */
#ifndef TCPE_CC_H
#define TCPE_CC_H

#include "tcpe_types.h"

/* Algorithms, by the index tcp_congestion_control stores. */
enum tcpe_cc_algo {
	TCPE_CC_RENO,
	TCPE_CC_CUBIC,
	TCPE_CC_NONE,
	TCPE_CC_N
};

/*
 * The names by index ("reno", "cubic", "none"), then NULL: what
 * tcp_congestion_control accepts, in the order it lists them.
 */
extern const char *const tcpe_cc_names[TCPE_CC_N + 1];

/* RFC 3465 appropriate byte counting limit in slow start: L = 2 * SMSS. */
#define TCPE_CC_ABC_L		2
/* RFC 9438 constants, as fractions. */
#define TCPE_CC_CUBIC_BETA_NUM	7	/* beta_cubic = 7 / 10 */
#define TCPE_CC_CUBIC_BETA_DEN	10
#define TCPE_CC_CUBIC_FC_NUM	17	/* fast convergence: (1 + beta) / 2 */
#define TCPE_CC_CUBIC_FC_DEN	20
/* alpha_cubic = 3 * (1 - beta) / (1 + beta) = 0.529..., times 1024. */
#define TCPE_CC_CUBIC_ALPHA	542
/* W_est is kept in bytes << TCPE_CC_WEST_SHIFT. */
#define TCPE_CC_WEST_SHIFT	10

struct tcpe_cc_ops;

/*
 * One connection's congestion state. cwnd and ssthresh are what the
 * connection reads (send while pipe < cwnd; slow start while
 * cwnd < ssthresh); the rest belongs to the algorithm.
 */
struct tcpe_cc {
	uint32_t cwnd;		/* congestion window, bytes */
	uint32_t ssthresh;	/* slow start threshold, bytes */
	uint32_t ca_acked;	/* reno: bytes acked toward the next +SMSS */
	/* CUBIC (RFC 9438 section 4); windows in bytes. */
	uint32_t w_max;		/* W_max: before the last reduction (fast
				 * convergence applied); 0 after an RTO */
	uint32_t prior;		/* cwnd_prior: cwnd before the last
				 * reduction; alpha_cubic is 1 once
				 * W_est reaches it */
	uint32_t origin;	/* W_max of this epoch's curve */
	uint32_t k_ms;		/* K of this epoch, ms */
	bool epoch_on;		/* an epoch has started (epoch is valid) */
	tcpe_time_t epoch;	/* t_epoch: start of this CA stage */
	uint64_t w_est;		/* W_est, bytes << TCPE_CC_WEST_SHIFT */
	uint64_t cubic_acc;	/* remainder of (target - cwnd) * acked,
				 * in bytes * bytes, below cwnd */
	const struct tcpe_cc_ops *ops;
};

/*
 * An algorithm. Every hook is called through the tcpe_cc_* wrappers
 * below, which normalise mss and apply the common floors.
 */
struct tcpe_cc_ops {
	const char *name;	/* tcpe_cc_names[id] */
	enum tcpe_cc_algo id;
	void (*init)(struct tcpe_cc *cc, uint32_t mss, uint32_t iw);
	void (*on_ack)(struct tcpe_cc *cc, uint32_t mss, uint32_t acked,
	    tcpe_time_t now, tcpe_time_t srtt);
	void (*on_congestion)(struct tcpe_cc *cc, uint32_t mss,
	    uint32_t flight, tcpe_time_t now);
	void (*on_rto)(struct tcpe_cc *cc, uint32_t mss, uint32_t flight);
	void (*after_idle)(struct tcpe_cc *cc, uint32_t mss, uint32_t iw);
};

/* The ops of name ("reno", "cubic", "none"; exact match), or NULL. */
const struct tcpe_cc_ops *tcpe_cc_find(const char *name);

/* The ops of id (a tcp_congestion_control value), or NULL if unknown. */
const struct tcpe_cc_ops *tcpe_cc_by_id(uint32_t id);

/*
 * Start with cwnd = init_cwnd_segs * mss (RFC 6928's IW10 by default;
 * tcp_init_cwnd; 0 is taken as 1) and ssthresh = UINT32_MAX, so the
 * connection slow-starts until its first loss. "none": cwnd UINT32_MAX.
 * ops NULL means cubic.
 */
void tcpe_cc_init(struct tcpe_cc *cc, const struct tcpe_cc_ops *ops,
    uint32_t mss, uint32_t init_cwnd_segs);

/*
 * Whether a sender with `flight` bytes outstanding is using its window
 * (RFC 7661's spirit: a window that was not used has not been
 * validated, so it must not grow): in slow start, flight above half of
 * cwnd (Linux's tcp_is_cwnd_limited()); in congestion avoidance, less
 * than one SMSS of cwnd left unused.
 */
bool tcpe_cc_cwnd_limited(const struct tcpe_cc *cc, uint32_t mss,
    uint32_t flight);

/*
 * `acked` new bytes were cumulatively acknowledged outside loss recovery
 * (acked > 0; SND.UNA advanced by it). flight: bytes outstanding just
 * before this ACK was applied (SND.NXT - SND.UNA, or RFC 6675's pipe,
 * measured before SND.UNA moves). now: arrival time; srtt: the smoothed
 * RTT (0 before any sample). No growth unless tcpe_cc_cwnd_limited().
 * Below ssthresh: cwnd += min(acked, 2 * SMSS), never past ssthresh,
 * the bytes beyond it going to congestion avoidance; above: the
 * algorithm's rule.
 */
void tcpe_cc_on_ack(struct tcpe_cc *cc, uint32_t mss, uint32_t acked,
    uint32_t flight, tcpe_time_t now, tcpe_time_t srtt);

/*
 * Entering fast recovery (three duplicate ACKs, or RFC 6675's loss
 * detection): reno ssthresh = max(flight / 2, 2 * SMSS) (RFC 5681
 * equation 4); cubic ssthresh = max(cwnd * 0.7, 2 * SMSS) with W_max
 * from fast convergence (RFC 9438 section 4.6, cwnd rather than flight
 * as Linux: cwnd never grew unused, see tcpe_cc_cwnd_limited()); then
 * cwnd = ssthresh. Call once per recovery episode.
 */
void tcpe_cc_on_congestion(struct tcpe_cc *cc, uint32_t mss,
    uint32_t flight, tcpe_time_t now);

/*
 * Retransmission timeout: ssthresh as tcpe_cc_on_congestion() would set
 * it, cwnd = 1 SMSS (RFC 5681 section 3.1's loss window). cubic also
 * forgets W_max, so the next congestion avoidance stage starts its
 * curve at its own cwnd with K = 0 (RFC 9438 section 4.8).
 */
void tcpe_cc_on_rto(struct tcpe_cc *cc, uint32_t mss, uint32_t flight);

/*
 * Restart after idle (RFC 5681 section 4.1): cwnd = min(cwnd, IW),
 * IW = init_cwnd_segs * mss. cubic starts a new epoch at the next ACK.
 */
void tcpe_cc_after_idle(struct tcpe_cc *cc, uint32_t mss,
    uint32_t init_cwnd_segs);

/* In slow start: cwnd < ssthresh. */
static inline bool
tcpe_cc_in_slow_start(const struct tcpe_cc *cc)
{
	return cc->cwnd < cc->ssthresh;
}

/*
 * CUBIC's window W_cubic(t) = C * (t - K)^3 + W_max of cc's current
 * epoch, in bytes, t ns after the epoch started (RFC 9438 equation 1;
 * t in whole milliseconds; 0 below, UINT32_MAX above). For tests and
 * tracing; meaningful once cc->epoch_on.
 */
uint32_t tcpe_cc_cubic_w(const struct tcpe_cc *cc, uint32_t mss,
    tcpe_time_t t);

/*
 * K of RFC 9438 equation 2, ms: cbrt((w_max - cwnd_epoch) / (C * SMSS)),
 * windows in bytes; 0 if w_max <= cwnd_epoch. For tests and tracing.
 */
uint32_t tcpe_cc_cubic_k(uint32_t w_max, uint32_t cwnd_epoch, uint32_t mss);

/* floor(cbrt(x)), exact for every 64-bit x. */
uint64_t tcpe_cc_icbrt(uint64_t x);

#endif /* TCPE_CC_H */
