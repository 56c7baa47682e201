/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control: reno (RFC 5681 + RFC 3465), cubic (RFC 9438) and
 * none, behind const ops tables. See tcpe_cc.h for the contract.
 *
 * CUBIC in integers: with windows in bytes and t in milliseconds,
 *
 *	W_cubic(t) = origin +/- 4 * SMSS * |t - K|^3 / 10^10	(C = 0.4/s^3)
 *	K = cbrt((W_max - cwnd_epoch) * 2.5 * 10^9 / SMSS)	(ms)
 *
 * Both fit in 64 bits: (W_max - cwnd_epoch) < 2^32, times 2.5e9 is below
 * 1.1e19; |t - K| is capped at CUBIC_OFFS_MAX, whose cube is below 2^64,
 * and the product with 4 * SMSS is split around 10^10 so it is exact.
 */
#include <string.h>

#include "tcpe_cc.h"

/* Largest SMSS: the MSS option is 16 bits. */
#define MSS_MAX		65535U

/* 10^10: C = 0.4 = 4 / 10 per s^3 = 4 / 10^10 per ms^3. */
#define CUBIC_DIV	10000000000ULL
/* 10^10 / 4: K^3 in ms^3 per segment of W_max - cwnd_epoch. */
#define CUBIC_K3	2500000000ULL
/*
 * Cap of |t - K|, ms (43 minutes): its cube, 1.76e19, fits in 64 bits,
 * and it is above the largest K (cbrt(2^32 * 2.5e9) = 2.2e6 ms).
 */
#define CUBIC_OFFS_MAX	2600000ULL

#define NS_PER_MS	1000000ULL

const char *const tcpe_cc_names[TCPE_CC_N + 1] = {
	[TCPE_CC_RENO] = "reno",
	[TCPE_CC_CUBIC] = "cubic",
	[TCPE_CC_NONE] = "none",
	[TCPE_CC_N] = NULL,
};

static uint32_t
norm_mss(uint32_t mss)
{
	if (mss == 0)
		return 1;
	return mss > MSS_MAX ? MSS_MAX : mss;
}

static uint32_t
sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static uint32_t
max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static uint32_t
init_window(uint32_t mss, uint32_t segs)
{
	return sat32((uint64_t)(segs == 0 ? 1 : segs) * mss);
}

uint64_t
tcpe_cc_icbrt(uint64_t x)
{
	uint64_t y = 0, b;
	int s;

	/*
	 * Digit by digit in base 8 (Hacker's Delight, icbrt): with y the
	 * root so far, (2y + 1)^3 - (2y)^3 = 3 * 2y * (2y + 1) + 1.
	 */
	for (s = 63; s >= 0; s -= 3) {
		y <<= 1;
		b = 3 * y * (y + 1) + 1;
		if ((x >> s) >= b) {
			x -= b << s;
			y++;
		}
	}
	return y;
}

/* --- reno (RFC 5681, RFC 3465) --------------------------------------- */

/*
 * Slow start with ABC: cwnd += min(acked, L * SMSS), not past ssthresh.
 * Returns the acked bytes left for congestion avoidance: those beyond
 * the point where cwnd reached ssthresh (0 while below it).
 */
static uint32_t
slow_start(struct tcpe_cc *cc, uint32_t mss, uint32_t acked)
{
	uint32_t inc, room;

	if (cc->cwnd >= cc->ssthresh)
		return acked;
	inc = acked < TCPE_CC_ABC_L * mss ? acked : TCPE_CC_ABC_L * mss;
	room = cc->ssthresh - cc->cwnd;
	if (inc <= room) {
		cc->cwnd += inc;
		return 0;
	}
	cc->cwnd = cc->ssthresh;
	return acked - room;
}

static void
reno_init(struct tcpe_cc *cc, uint32_t mss, uint32_t iw)
{
	(void)mss;
	cc->cwnd = iw;
	cc->ssthresh = UINT32_MAX;
}

/*
 * Congestion avoidance by byte counting (RFC 5681 section 3.1, RFC 3465
 * section 2.1): one SMSS once a cwnd's worth of bytes has been acked,
 * at most one per ACK.
 */
static void
reno_on_ack(struct tcpe_cc *cc, uint32_t mss, uint32_t acked,
    tcpe_time_t now, tcpe_time_t srtt)
{
	(void)now;
	(void)srtt;
	acked = slow_start(cc, mss, acked);
	if (acked == 0)
		return;
	cc->ca_acked = sat32((uint64_t)cc->ca_acked + acked);
	if (cc->ca_acked >= cc->cwnd) {
		cc->ca_acked -= cc->cwnd;
		cc->cwnd = sat32((uint64_t)cc->cwnd + mss);
	}
}

/* RFC 5681 equation 4. */
static uint32_t
reno_ssthresh(uint32_t mss, uint32_t flight)
{
	return max32(flight / 2, 2 * mss);
}

static void
reno_on_congestion(struct tcpe_cc *cc, uint32_t mss, uint32_t flight,
    tcpe_time_t now)
{
	(void)now;
	cc->ssthresh = reno_ssthresh(mss, flight);
	cc->cwnd = cc->ssthresh;
	cc->ca_acked = 0;
}

static void
reno_on_rto(struct tcpe_cc *cc, uint32_t mss, uint32_t flight)
{
	cc->ssthresh = reno_ssthresh(mss, flight);
	cc->cwnd = mss;
	cc->ca_acked = 0;
}

static void
reno_after_idle(struct tcpe_cc *cc, uint32_t mss, uint32_t iw)
{
	(void)mss;
	if (cc->cwnd > iw)
		cc->cwnd = iw;
	cc->ca_acked = 0;
}

/* --- cubic (RFC 9438) ------------------------------------------------- */

/* 4 * mss * offs^3 / 10^10, floored exactly: C * (offs ms)^3, bytes. */
static uint64_t
cubic_delta(uint32_t mss, uint64_t offs)
{
	uint64_t cube, q, r;

	if (offs > CUBIC_OFFS_MAX)
		offs = CUBIC_OFFS_MAX;
	cube = offs * offs * offs;
	q = cube / CUBIC_DIV;
	r = cube % CUBIC_DIV;
	/* q < 1.8e9 and r < 1e10, each times 4 * 65535: no overflow. */
	return 4ULL * mss * q + 4ULL * mss * r / CUBIC_DIV;
}

uint32_t
tcpe_cc_cubic_k(uint32_t w_max, uint32_t cwnd_epoch, uint32_t mss)
{
	mss = norm_mss(mss);
	if (w_max <= cwnd_epoch)
		return 0;
	return (uint32_t)tcpe_cc_icbrt((uint64_t)(w_max - cwnd_epoch) *
	    CUBIC_K3 / mss);
}

/* W_cubic at t_ms ms into the epoch. */
static uint32_t
cubic_w_ms(const struct tcpe_cc *cc, uint32_t mss, uint64_t t_ms)
{
	uint64_t d;

	if (t_ms < cc->k_ms) {
		d = cubic_delta(mss, cc->k_ms - t_ms);
		return d >= cc->origin ? 0 : cc->origin - (uint32_t)d;
	}
	return sat32(cubic_delta(mss, t_ms - cc->k_ms) + cc->origin);
}

uint32_t
tcpe_cc_cubic_w(const struct tcpe_cc *cc, uint32_t mss, tcpe_time_t t)
{
	return cubic_w_ms(cc, norm_mss(mss), t / NS_PER_MS);
}

static void
cubic_reset(struct tcpe_cc *cc)
{
	cc->ca_acked = 0;
	cc->w_max = 0;
	cc->prior = 0;
	cc->origin = 0;
	cc->k_ms = 0;
	cc->epoch_on = false;
	cc->epoch = 0;
	cc->w_est = 0;
	cc->cubic_acc = 0;
}

static void
cubic_init(struct tcpe_cc *cc, uint32_t mss, uint32_t iw)
{
	reno_init(cc, mss, iw);
	cubic_reset(cc);
}

/*
 * The first ACK of a congestion avoidance stage starts an epoch (RFC
 * 9438 section 4.2): below W_max the curve climbs back to it in K;
 * at or above it (no loss yet, or after an RTO) the curve starts at
 * cwnd with K = 0 and W_max = cwnd_epoch (section 4.8).
 */
static void
cubic_epoch_start(struct tcpe_cc *cc, uint32_t mss, tcpe_time_t now)
{
	cc->epoch_on = true;
	cc->epoch = now;
	cc->cubic_acc = 0;
	cc->w_est = (uint64_t)cc->cwnd << TCPE_CC_WEST_SHIFT;
	if (cc->cwnd < cc->w_max) {
		cc->k_ms = tcpe_cc_cubic_k(cc->w_max, cc->cwnd, mss);
		cc->origin = cc->w_max;
	} else {
		cc->k_ms = 0;
		cc->origin = cc->cwnd;
		cc->w_max = cc->cwnd;
	}
}

static void
cubic_ca(struct tcpe_cc *cc, uint32_t mss, uint32_t acked, tcpe_time_t now,
    tcpe_time_t srtt)
{
	uint64_t t, est, target, inc, alpha;
	uint32_t w;

	if (!cc->epoch_on)
		cubic_epoch_start(cc, mss, now);
	t = now > cc->epoch ? now - cc->epoch : 0;

	/*
	 * Section 4.3: W_est grows by alpha_cubic segments per cwnd of
	 * acked segments, alpha_cubic = 3 (1 - beta) / (1 + beta) until
	 * W_est reaches cwnd_prior, then 1 (Reno's rate).
	 */
	alpha = (cc->w_est >> TCPE_CC_WEST_SHIFT) >= cc->prior ?
	    (1U << TCPE_CC_WEST_SHIFT) : TCPE_CC_CUBIC_ALPHA;
	cc->w_est += (uint64_t)acked * mss * alpha / cc->cwnd;
	est = cc->w_est >> TCPE_CC_WEST_SHIFT;

	/* Reno-friendly region: W_cubic(t) < W_est, cwnd follows W_est. */
	w = cubic_w_ms(cc, mss, t / NS_PER_MS);
	if (w < est) {
		if (est > cc->cwnd)
			cc->cwnd = sat32(est);
		cc->cubic_acc = 0;
		return;
	}

	/*
	 * Section 4.2: concave or convex region, toward
	 * target = W_cubic(t + RTT) within [cwnd, 1.5 cwnd], by
	 * (target - cwnd) / cwnd SMSS per SMSS acked.
	 */
	target = cubic_w_ms(cc, mss, (t + srtt) / NS_PER_MS);
	if (target < cc->cwnd)
		target = cc->cwnd;
	if (target > (uint64_t)cc->cwnd * 3 / 2)
		target = (uint64_t)cc->cwnd * 3 / 2;
	/* (target - cwnd) < 2^31, acked < 2^32, the rest < cwnd. */
	cc->cubic_acc += (target - cc->cwnd) * acked;
	inc = cc->cubic_acc / cc->cwnd;
	cc->cubic_acc %= cc->cwnd;
	cc->cwnd = sat32(cc->cwnd + inc);
}

static void
cubic_on_ack(struct tcpe_cc *cc, uint32_t mss, uint32_t acked,
    tcpe_time_t now, tcpe_time_t srtt)
{
	acked = slow_start(cc, mss, acked);
	if (acked == 0)
		return;
	cubic_ca(cc, mss, acked, now, srtt);
}

/*
 * Section 4.6, multiplicative decrease, with fast convergence (section
 * 4.7): a flow that lost before reaching its previous W_max releases
 * bandwidth by aiming lower. Returns the new ssthresh.
 */
static uint32_t
cubic_decrease(struct tcpe_cc *cc, uint32_t mss)
{
	uint32_t cwnd = cc->cwnd;

	cc->epoch_on = false;
	cc->cubic_acc = 0;
	if (cwnd < cc->w_max)
		cc->w_max = (uint32_t)((uint64_t)cwnd *
		    TCPE_CC_CUBIC_FC_NUM / TCPE_CC_CUBIC_FC_DEN);
	else
		cc->w_max = cwnd;
	cc->prior = cwnd;
	return max32((uint32_t)((uint64_t)cwnd * TCPE_CC_CUBIC_BETA_NUM /
	    TCPE_CC_CUBIC_BETA_DEN), 2 * mss);
}

static void
cubic_on_congestion(struct tcpe_cc *cc, uint32_t mss, uint32_t flight,
    tcpe_time_t now)
{
	(void)flight;
	(void)now;
	cc->ssthresh = cubic_decrease(cc, mss);
	cc->cwnd = cc->ssthresh;
}

/*
 * Section 4.8: after a timeout, ssthresh from beta_cubic, cwnd 1 SMSS,
 * and the next CA stage starts a fresh curve (W_max forgotten, K = 0),
 * as Linux's bictcp_reset() on TCP_CA_Loss.
 */
static void
cubic_on_rto(struct tcpe_cc *cc, uint32_t mss, uint32_t flight)
{
	(void)flight;
	cc->ssthresh = cubic_decrease(cc, mss);
	cc->cwnd = mss;
	cubic_reset(cc);
}

static void
cubic_after_idle(struct tcpe_cc *cc, uint32_t mss, uint32_t iw)
{
	(void)mss;
	if (cc->cwnd > iw)
		cc->cwnd = iw;
	/* Time spent idle is not growth time: a new epoch at next ACK. */
	cc->epoch_on = false;
	cc->cubic_acc = 0;
}

/* --- none ---------------------------------------------------------------- */

static void
none_init(struct tcpe_cc *cc, uint32_t mss, uint32_t iw)
{
	(void)mss;
	(void)iw;
	cc->cwnd = UINT32_MAX;
	cc->ssthresh = UINT32_MAX;
}

static void
none_on_ack(struct tcpe_cc *cc, uint32_t mss, uint32_t acked,
    tcpe_time_t now, tcpe_time_t srtt)
{
	(void)cc;
	(void)mss;
	(void)acked;
	(void)now;
	(void)srtt;
}

static void
none_on_congestion(struct tcpe_cc *cc, uint32_t mss, uint32_t flight,
    tcpe_time_t now)
{
	(void)cc;
	(void)mss;
	(void)flight;
	(void)now;
}

static void
none_on_rto(struct tcpe_cc *cc, uint32_t mss, uint32_t flight)
{
	(void)cc;
	(void)mss;
	(void)flight;
}

static void
none_after_idle(struct tcpe_cc *cc, uint32_t mss, uint32_t iw)
{
	(void)cc;
	(void)mss;
	(void)iw;
}

/* --- The table and the wrappers --------------------------------------- */

static const struct tcpe_cc_ops cc_ops[TCPE_CC_N] = {
	[TCPE_CC_RENO] = {
		.name = "reno",
		.id = TCPE_CC_RENO,
		.init = reno_init,
		.on_ack = reno_on_ack,
		.on_congestion = reno_on_congestion,
		.on_rto = reno_on_rto,
		.after_idle = reno_after_idle,
	},
	[TCPE_CC_CUBIC] = {
		.name = "cubic",
		.id = TCPE_CC_CUBIC,
		.init = cubic_init,
		.on_ack = cubic_on_ack,
		.on_congestion = cubic_on_congestion,
		.on_rto = cubic_on_rto,
		.after_idle = cubic_after_idle,
	},
	[TCPE_CC_NONE] = {
		.name = "none",
		.id = TCPE_CC_NONE,
		.init = none_init,
		.on_ack = none_on_ack,
		.on_congestion = none_on_congestion,
		.on_rto = none_on_rto,
		.after_idle = none_after_idle,
	},
};

const struct tcpe_cc_ops *
tcpe_cc_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < TCPE_CC_N; i++)
		if (strcmp(cc_ops[i].name, name) == 0)
			return &cc_ops[i];
	return NULL;
}

const struct tcpe_cc_ops *
tcpe_cc_by_id(uint32_t id)
{
	return id < TCPE_CC_N ? &cc_ops[id] : NULL;
}

void
tcpe_cc_init(struct tcpe_cc *cc, const struct tcpe_cc_ops *ops, uint32_t mss,
    uint32_t init_cwnd_segs)
{
	mss = norm_mss(mss);
	memset(cc, 0, sizeof(*cc));
	cc->ops = ops != NULL ? ops : &cc_ops[TCPE_CC_CUBIC];
	cc->ops->init(cc, mss, init_window(mss, init_cwnd_segs));
}

bool
tcpe_cc_cwnd_limited(const struct tcpe_cc *cc, uint32_t mss, uint32_t flight)
{
	mss = norm_mss(mss);
	if (tcpe_cc_in_slow_start(cc))
		return 2ULL * flight > cc->cwnd;
	return (uint64_t)flight + mss > cc->cwnd;
}

void
tcpe_cc_on_ack(struct tcpe_cc *cc, uint32_t mss, uint32_t acked,
    uint32_t flight, tcpe_time_t now, tcpe_time_t srtt)
{
	mss = norm_mss(mss);
	if (acked == 0 || !tcpe_cc_cwnd_limited(cc, mss, flight))
		return;
	cc->ops->on_ack(cc, mss, acked, now, srtt);
}

void
tcpe_cc_on_congestion(struct tcpe_cc *cc, uint32_t mss, uint32_t flight,
    tcpe_time_t now)
{
	mss = norm_mss(mss);
	cc->ops->on_congestion(cc, mss, flight, now);
}

void
tcpe_cc_on_rto(struct tcpe_cc *cc, uint32_t mss, uint32_t flight)
{
	mss = norm_mss(mss);
	cc->ops->on_rto(cc, mss, flight);
}

void
tcpe_cc_after_idle(struct tcpe_cc *cc, uint32_t mss, uint32_t init_cwnd_segs)
{
	uint32_t iw;

	mss = norm_mss(mss);
	iw = init_window(mss, init_cwnd_segs);
	cc->ops->after_idle(cc, mss, iw);
}
