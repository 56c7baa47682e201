/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hierarchical timer wheel, one per lcore (DESIGN.md section 3).
 *
 * - Intrusive: the entry (struct tcpe_timer) lives inside its owner.
 * - Caller-driven: tcpe_wheel_advance() moves due entries to an expired
 *   list, tcpe_wheel_pop() hands them out; the wheel never calls back
 *   (wahern/timeout).
 * - Levels get coarser by 8x and never cascade (Linux kernel/time/timer.c):
 *   an entry is placed once, at the finest level whose 64 slots cover its
 *   delay, with its expiry rounded up to that level's granularity. It
 *   therefore never fires early, and fires late by less than one slot of
 *   its level: at most about 1/7 of its delay, and at least one tick.
 * - O(1) insert and cancel (doubly linked slots); advance skips empty time
 *   through per-level occupancy bitmaps, so a jump of hours costs no more
 *   than the number of non-empty slots it crosses.
 *
 * Geometry: tick = 2^16 ns (65.5 us, the fine level), 9 levels of 64
 * slots; level L has granularity tick << 3L, the last level reaches
 * 63 * 2^40 ns (about 19 hours) ahead. Longer delays are clamped to the
 * range and re-armed when they reach its end (they still never fire early).
 * Times are ns from the caller's origin and must stay below 2^62.
 */
#ifndef TCPE_TIMER_H
#define TCPE_TIMER_H

#include "tcpe_types.h"

#define TCPE_WHEEL_TICK_SHIFT	16
#define TCPE_WHEEL_LVL_BITS	6
#define TCPE_WHEEL_LVL_SIZE	(1u << TCPE_WHEEL_LVL_BITS)
#define TCPE_WHEEL_LVL_CLK_SHIFT 3
#define TCPE_WHEEL_LEVELS	9

/* Invariant: pprev == NULL exactly when the entry is not pending. */
struct tcpe_timer {
	struct tcpe_timer *next;
	struct tcpe_timer **pprev;
	tcpe_time_t expires;	/* as requested by the caller, in ns */
};

/*
 * Invariants: clk == now >> TCPE_WHEEL_TICK_SHIFT; at level L (position
 * pos = clk >> 3L) every entry sits in the slot of an index idx with
 * pos < idx <= pos + 63, stored at slot[L * 64 + (idx & 63)], and bit
 * (idx & 63) of occupied[L] is set exactly when that slot is non-empty.
 */
struct tcpe_wheel {
	uint64_t clk;		/* ticks processed so far */
	tcpe_time_t now;	/* last time passed to init or advance, ns */
	uint32_t count;		/* pending, expired list included */
	uint64_t occupied[TCPE_WHEEL_LEVELS];
	struct tcpe_timer *slot[TCPE_WHEEL_LEVELS * TCPE_WHEEL_LVL_SIZE];
	struct tcpe_timer *expired;	/* due, not yet popped; FIFO */
	struct tcpe_timer **expired_tail;
};

/* Initialise an empty wheel whose clock starts at now. */
void tcpe_wheel_init(struct tcpe_wheel *w, tcpe_time_t now);

/* Initialise an entry as not pending. */
static inline void
tcpe_timer_init(struct tcpe_timer *t)
{
	t->next = NULL;
	t->pprev = NULL;
	t->expires = TCPE_TIME_NEVER;
}

static inline bool
tcpe_timer_pending(const struct tcpe_timer *t)
{
	return t->pprev != NULL;
}

/*
 * Arm t to fire at expires (ns). A pending entry is moved. An entry whose
 * time has already passed the wheel's clock goes straight to the expired
 * list. expires == TCPE_TIME_NEVER cancels t (same as tcpe_wheel_del).
 * Delays beyond the range are parked in the last level and re-armed when
 * that slot comes due, so even they never fire early. O(1).
 */
void tcpe_wheel_add(struct tcpe_wheel *w, struct tcpe_timer *t,
    tcpe_time_t expires);

/* Cancel t; no-op when it is not pending. O(1). */
void tcpe_wheel_del(struct tcpe_wheel *w, struct tcpe_timer *t);

/*
 * Advance the wheel's clock to now and move every entry that is due to the
 * expired list. Returns the number of entries moved. A now earlier than
 * the clock is ignored.
 */
uint32_t tcpe_wheel_advance(struct tcpe_wheel *w, tcpe_time_t now);

/* Take the next expired entry (no longer pending), or NULL. */
struct tcpe_timer *tcpe_wheel_pop(struct tcpe_wheel *w);

/*
 * Earliest time at which tcpe_wheel_advance() would move an entry (the
 * start of the earliest occupied slot), the wheel's current time if the
 * expired list is not empty, TCPE_TIME_NEVER if nothing is pending.
 * It may be earlier than the entry's own expiry (slot start, or a parked
 * entry beyond the range) but never later than the time it will fire.
 */
tcpe_time_t tcpe_wheel_next(const struct tcpe_wheel *w);

static inline uint32_t
tcpe_wheel_count(const struct tcpe_wheel *w)
{
	return w->count;
}

#endif /* TCPE_TIMER_H */
