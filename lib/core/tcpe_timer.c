/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hierarchical, non-cascading timer wheel (see tcpe_timer.h).
 *
 * Time is kept in ticks of 2^16 ns. Level L has granularity g = 8^L ticks
 * and position pos = clk / g. An entry whose expiry, rounded up to ticks,
 * is exp goes to the finest level whose slots reach it: its index there is
 * idx = ceil(exp / g), which must satisfy pos < idx <= pos + 63, and it is
 * collected when clk reaches idx * g. Because idx * g >= exp, nothing fires
 * early; because the level is the finest that fits, the rounding (less
 * than g) is a small fraction of the delay.
 *
 * The 63 admissible indices of a level fall in distinct slots modulo 64,
 * so a slot number and the current position identify the index, and the
 * next occupied slot of a level is one rotate and one count of trailing
 * zeros on its occupancy bitmap.
 */
#include "tcpe_timer.h"

#define LVL_MASK	(TCPE_WHEEL_LVL_SIZE - 1)
#define LVL_SHIFT(l)	(TCPE_WHEEL_LVL_CLK_SHIFT * (unsigned int)(l))
#define TICK_NS		((tcpe_time_t)1 << TCPE_WHEEL_TICK_SHIFT)
#define NSLOTS		(TCPE_WHEEL_LEVELS * TCPE_WHEEL_LVL_SIZE)

/* An expiry in ns as ticks, rounded up so that it never fires early. */
static uint64_t
ns_to_tick_up(tcpe_time_t ns)
{
	return (ns >> TCPE_WHEEL_TICK_SHIFT) + ((ns & (TICK_NS - 1)) != 0);
}

/* Link t at the tail of the expired list. */
static void
expired_append(struct tcpe_wheel *w, struct tcpe_timer *t)
{
	t->next = NULL;
	t->pprev = w->expired_tail;
	*w->expired_tail = t;
	w->expired_tail = &t->next;
}

/*
 * Place t, which is due at tick exp > w->clk, in the finest level whose
 * slots reach it. Past the last level, the entry is clamped to its last
 * slot; collect_slot() re-arms it from there.
 */
static void
enqueue(struct tcpe_wheel *w, struct tcpe_timer *t, uint64_t exp)
{
	uint64_t pos, idx;
	unsigned int lvl, sh, slot;

	for (lvl = 0;; lvl++) {
		sh = LVL_SHIFT(lvl);
		pos = w->clk >> sh;
		/* exp > clk makes idx > pos at every level. */
		idx = (exp + ((uint64_t)1 << sh) - 1) >> sh;
		if (idx - pos < TCPE_WHEEL_LVL_SIZE)
			break;
		if (lvl == TCPE_WHEEL_LEVELS - 1) {
			idx = pos + TCPE_WHEEL_LVL_SIZE - 1;
			break;
		}
	}
	slot = lvl * TCPE_WHEEL_LVL_SIZE + (unsigned int)(idx & LVL_MASK);
	t->next = w->slot[slot];
	if (t->next != NULL)
		t->next->pprev = &t->next;
	t->pprev = &w->slot[slot];
	w->slot[slot] = t;
	w->occupied[lvl] |= (uint64_t)1 << (idx & LVL_MASK);
}

/*
 * The tick at which the earliest occupied slot of level lvl is collected,
 * or 0 when the level is empty (every slot start is above clk >= 0).
 * The search is circular, starting at the slot after the current position.
 */
static uint64_t
level_next(const struct tcpe_wheel *w, unsigned int lvl)
{
	uint64_t bm = w->occupied[lvl];
	uint64_t pos;
	unsigned int sh, start;

	if (bm == 0)
		return 0;
	sh = LVL_SHIFT(lvl);
	pos = w->clk >> sh;
	start = (unsigned int)((pos + 1) & LVL_MASK);
	if (start != 0)
		bm = (bm >> start) | (bm << (TCPE_WHEEL_LVL_SIZE - start));
	return (pos + 1 + (uint64_t)__builtin_ctzll(bm)) << sh;
}

/* The tick of the earliest occupied slot in the wheel, or 0 if none. */
static uint64_t
wheel_next_tick(const struct tcpe_wheel *w)
{
	uint64_t best = 0, t;
	unsigned int lvl;

	for (lvl = 0; lvl < TCPE_WHEEL_LEVELS; lvl++) {
		t = level_next(w, lvl);
		if (t != 0 && (best == 0 || t < best))
			best = t;
	}
	return best;
}

/*
 * Empty slot idx of level lvl, which is due now (w->clk == idx * g): its
 * entries go to the expired list, except clamped ones that are not yet
 * due, which are placed again. Returns the number moved to expired.
 */
static uint32_t
collect_slot(struct tcpe_wheel *w, unsigned int lvl, unsigned int idx)
{
	struct tcpe_timer *t, *next;
	uint32_t n = 0;
	uint64_t exp;

	t = w->slot[lvl * TCPE_WHEEL_LVL_SIZE + idx];
	w->slot[lvl * TCPE_WHEEL_LVL_SIZE + idx] = NULL;
	w->occupied[lvl] &= ~((uint64_t)1 << idx);
	for (; t != NULL; t = next) {
		next = t->next;
		exp = ns_to_tick_up(t->expires);
		if (exp > w->clk) {
			enqueue(w, t, exp);
		} else {
			expired_append(w, t);
			n++;
		}
	}
	return n;
}

void
tcpe_wheel_init(struct tcpe_wheel *w, tcpe_time_t now)
{
	unsigned int i;

	w->clk = now >> TCPE_WHEEL_TICK_SHIFT;
	w->now = now;
	w->count = 0;
	for (i = 0; i < TCPE_WHEEL_LEVELS; i++)
		w->occupied[i] = 0;
	for (i = 0; i < NSLOTS; i++)
		w->slot[i] = NULL;
	w->expired = NULL;
	w->expired_tail = &w->expired;
}

void
tcpe_wheel_del(struct tcpe_wheel *w, struct tcpe_timer *t)
{
	uintptr_t off;
	unsigned int slot;

	if (t->pprev == NULL)
		return;
	*t->pprev = t->next;
	if (t->next != NULL)
		t->next->pprev = t->pprev;
	else if (w->expired_tail == &t->next)
		w->expired_tail = t->pprev;
	/*
	 * When t headed a slot that is now empty, clear its occupancy bit.
	 * Whether pprev points into slot[] is an address range test, so the
	 * entry needs no field of its own for its slot number.
	 */
	off = (uintptr_t)t->pprev - (uintptr_t)&w->slot[0];
	if (off < sizeof(w->slot) && *t->pprev == NULL) {
		slot = (unsigned int)(off / sizeof(w->slot[0]));
		w->occupied[slot / TCPE_WHEEL_LVL_SIZE] &=
		    ~((uint64_t)1 << (slot & LVL_MASK));
	}
	t->next = NULL;
	t->pprev = NULL;
	w->count--;
}

void
tcpe_wheel_add(struct tcpe_wheel *w, struct tcpe_timer *t, tcpe_time_t expires)
{
	tcpe_wheel_del(w, t);
	t->expires = expires;
	if (expires == TCPE_TIME_NEVER)
		return;
	w->count++;
	if (expires <= w->now)
		expired_append(w, t);
	else
		enqueue(w, t, ns_to_tick_up(expires));
}

uint32_t
tcpe_wheel_advance(struct tcpe_wheel *w, tcpe_time_t now)
{
	uint64_t lnext[TCPE_WHEEL_LEVELS];
	uint64_t target, next;
	uint32_t n = 0;
	unsigned int lvl, idx;

	if (now <= w->now)
		return 0;
	target = now >> TCPE_WHEEL_TICK_SHIFT;
	/*
	 * Jump from one occupied slot start to the next, collecting at each
	 * stop every level whose slot begins there; empty time costs nothing.
	 * Stopping at each slot start in turn keeps the invariant at every
	 * level and hands entries out in the order of their slots. The
	 * per-level starts are taken before clk moves: once clk reaches a
	 * slot, that slot is at the level's current position, which the
	 * circular search skips.
	 */
	for (;;) {
		next = 0;
		for (lvl = 0; lvl < TCPE_WHEEL_LEVELS; lvl++) {
			lnext[lvl] = level_next(w, lvl);
			if (lnext[lvl] != 0 && (next == 0 || lnext[lvl] < next))
				next = lnext[lvl];
		}
		if (next == 0 || next > target)
			break;
		w->clk = next;
		for (lvl = 0; lvl < TCPE_WHEEL_LEVELS; lvl++) {
			if (lnext[lvl] != next)
				continue;
			idx = (unsigned int)(next >> LVL_SHIFT(lvl)) & LVL_MASK;
			n += collect_slot(w, lvl, idx);
		}
	}
	w->clk = target;
	w->now = now;
	return n;
}

struct tcpe_timer *
tcpe_wheel_pop(struct tcpe_wheel *w)
{
	struct tcpe_timer *t = w->expired;

	if (t == NULL)
		return NULL;
	w->expired = t->next;
	if (t->next != NULL)
		t->next->pprev = &w->expired;
	else
		w->expired_tail = &w->expired;
	t->next = NULL;
	t->pprev = NULL;
	w->count--;
	return t;
}

tcpe_time_t
tcpe_wheel_next(const struct tcpe_wheel *w)
{
	uint64_t tick;

	if (w->expired != NULL)
		return w->now;
	tick = wheel_next_tick(w);
	if (tick == 0)
		return TCPE_TIME_NEVER;
	return tick << TCPE_WHEEL_TICK_SHIFT;
}
