/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timer wheel: direct tests of each documented behaviour, then randomized
 * schedules checked against a reference model after every step
 * (wahern/timeout), then a scale test.
 *
 * Lateness bound. An entry added when the wheel's time is a, for expiry e
 * (delay d = e - a), sits in a slot of granularity g ticks and is collected
 * when the clock reaches the slot start s, where s < e + g * tick. At level
 * 0, g = 1. At a level L > 0 the finer level did not fit, i.e. its index
 * span was >= 64 slots of g/8, which gives g < 4 * (d + 2 * tick) / 31.
 * So s - e < max(tick, 4 * (d + 2 * tick) / 31), about d / 7.75: tighter
 * than the header's "1/7 of the delay, at least one tick", and that is the
 * bound the model enforces. Re-armed clamped entries satisfy it too, their
 * final placement is made from a later time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpe_timer.h"

#define TICK		((tcpe_time_t)1 << TCPE_WHEEL_TICK_SHIFT)
#define HOUR		TCPE_S(3600)
/* A delay that still fits the last level from any clock position. */
#define RANGE		(((tcpe_time_t)TCPE_WHEEL_LVL_SIZE - 2) << \
			 (TCPE_WHEEL_TICK_SHIFT + 3 * (TCPE_WHEEL_LEVELS - 1)))

/* The latest an entry of delay d may still be unfired: e + bound(d). */
static tcpe_time_t
late_bound(tcpe_time_t d)
{
	tcpe_time_t b = 4 * (d + 2 * TICK) / 31;

	return b > TICK ? b : TICK;
}

/* splitmix64: a tiny, seedable, reproducible generator. */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rnd_below(uint64_t *s, uint64_t n)
{
	return n == 0 ? 0 : rnd(s) % n;
}

/* Advance to now and pop everything: how many fired. */
static uint32_t
run_to(struct tcpe_wheel *w, tcpe_time_t now)
{
	uint32_t n = 0;

	tcpe_wheel_advance(w, now);
	while (tcpe_wheel_pop(w) != NULL)
		n++;
	return n;
}

/*
 * Step the wheel, holding only t, from now in increments of step until t
 * is moved to the expired list; returns the time of that advance.
 */
static tcpe_time_t
fire_time(struct tcpe_wheel *w, struct tcpe_timer *t, tcpe_time_t now,
    tcpe_time_t step, tcpe_time_t limit)
{
	while (w->expired == NULL && now < limit) {
		now += step;
		tcpe_wheel_advance(w, now);
	}
	assert_ptr_equal(w->expired, t);
	assert_true(tcpe_timer_pending(t));
	return now;
}

/* --- direct tests ------------------------------------------------------ */

static void
test_empty(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer t;

	(void)state;
	tcpe_wheel_init(&w, TCPE_S(5));
	tcpe_timer_init(&t);
	assert_int_equal(tcpe_wheel_count(&w), 0);
	assert_true(tcpe_wheel_next(&w) == TCPE_TIME_NEVER);
	assert_null(tcpe_wheel_pop(&w));
	assert_int_equal(tcpe_wheel_advance(&w, TCPE_S(100000)), 0);
	assert_false(tcpe_timer_pending(&t));
	assert_true(tcpe_wheel_next(&w) == TCPE_TIME_NEVER);
}

/* now + 100 us fires at the first advance at or past it, within a tick. */
static void
test_fine_granularity(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer t;
	tcpe_time_t now = TCPE_S(1000) + 12345, exp = now + TCPE_US(100);
	tcpe_time_t at, next;

	(void)state;
	tcpe_wheel_init(&w, now);
	tcpe_timer_init(&t);
	tcpe_wheel_add(&w, &t, exp);
	assert_true(tcpe_timer_pending(&t));
	assert_int_equal(tcpe_wheel_count(&w), 1);
	next = tcpe_wheel_next(&w);
	assert_true(next > now && next >= exp && next < exp + TICK);
	/* Not a nanosecond early. */
	assert_int_equal(tcpe_wheel_advance(&w, exp - 1), 0);
	assert_true(tcpe_timer_pending(&t));
	assert_null(tcpe_wheel_pop(&w));
	assert_int_equal(tcpe_wheel_advance(&w, next - 1), 0);
	assert_int_equal(tcpe_wheel_advance(&w, next), 1);
	assert_ptr_equal(tcpe_wheel_pop(&w), &t);
	assert_false(tcpe_timer_pending(&t));
	assert_int_equal(tcpe_wheel_count(&w), 0);

	/* The same by 1 us steps: fires by now + ~200 us and not before. */
	tcpe_wheel_init(&w, now);
	tcpe_wheel_add(&w, &t, exp);
	at = fire_time(&w, &t, now, TCPE_US(1), now + TCPE_MS(10));
	assert_true(at >= exp);
	assert_true(at < exp + TICK + TCPE_US(1));
	assert_true(at <= now + TCPE_US(200));
	assert_ptr_equal(tcpe_wheel_pop(&w), &t);
}

/* One tick granularity for a delay of a few ms (level 0 spans 63 ticks). */
static void
test_level0_exact(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer t[63];
	tcpe_time_t now = 0;
	int i;

	(void)state;
	tcpe_wheel_init(&w, now);
	for (i = 0; i < 63; i++) {
		tcpe_timer_init(&t[i]);
		tcpe_wheel_add(&w, &t[i], (tcpe_time_t)(i + 1) * TICK);
	}
	for (i = 0; i < 63; i++) {
		assert_true(tcpe_wheel_next(&w) == (tcpe_time_t)(i + 1) * TICK);
		assert_int_equal(tcpe_wheel_advance(&w,
		    (tcpe_time_t)(i + 1) * TICK - 1), 0);
		assert_int_equal(tcpe_wheel_advance(&w,
		    (tcpe_time_t)(i + 1) * TICK), 1);
		assert_ptr_equal(tcpe_wheel_pop(&w), &t[i]);
	}
	assert_int_equal(tcpe_wheel_count(&w), 0);
}

/* A 7200 s keepalive fires within one slot of its level (2^37 ns). */
static void
test_keepalive_2h(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer t;
	tcpe_time_t now = TCPE_S(77), exp = now + TCPE_S(7200), next, at;

	(void)state;
	tcpe_wheel_init(&w, now);
	tcpe_timer_init(&t);
	tcpe_wheel_add(&w, &t, exp);
	next = tcpe_wheel_next(&w);
	assert_true(next >= exp);
	assert_true(next - exp < ((tcpe_time_t)1 << 37));
	assert_true(next - exp < late_bound(exp - now));
	/* Nothing at the expiry itself minus one, nor just before the slot. */
	assert_int_equal(tcpe_wheel_advance(&w, exp - 1), 0);
	assert_int_equal(tcpe_wheel_advance(&w, next - 1), 0);
	assert_true(tcpe_timer_pending(&t));
	assert_int_equal(tcpe_wheel_advance(&w, next), 1);
	assert_ptr_equal(tcpe_wheel_pop(&w), &t);

	/* The same walked in 1 s steps. */
	tcpe_wheel_init(&w, now);
	tcpe_wheel_add(&w, &t, exp);
	at = fire_time(&w, &t, now, TCPE_S(1), now + TCPE_S(9000));
	assert_true(at >= exp && at - exp < TCPE_S(139));
	assert_ptr_equal(tcpe_wheel_pop(&w), &t);
}

/* Each level: a delay just past the previous level's span. */
static void
test_levels(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer t;
	tcpe_time_t now = TCPE_MS(3) + 17, d, g, next;
	int l;

	(void)state;
	tcpe_timer_init(&t);
	for (l = 0; l < TCPE_WHEEL_LEVELS; l++) {
		g = TICK << (3 * l);
		d = g * 62 - TICK * 2;
		tcpe_wheel_init(&w, now);
		tcpe_wheel_add(&w, &t, now + d);
		/* It went to level l, not coarser. */
		assert_true(w.occupied[l] != 0);
		next = tcpe_wheel_next(&w);
		assert_true(next >= now + d);
		assert_true(next - (now + d) < g);
		assert_true(next - (now + d) < late_bound(d));
		assert_int_equal(tcpe_wheel_advance(&w, next - 1), 0);
		assert_int_equal(tcpe_wheel_advance(&w, next), 1);
		assert_ptr_equal(tcpe_wheel_pop(&w), &t);
	}
}

/* Past the last level: clamped, re-armed, and still never early. */
static void
test_clamp(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer t, far;
	tcpe_time_t now = TCPE_S(10), exp = now + 30 * HOUR, next;

	(void)state;
	tcpe_wheel_init(&w, now);
	tcpe_timer_init(&t);
	tcpe_timer_init(&far);
	tcpe_wheel_add(&w, &t, exp);
	tcpe_wheel_add(&w, &far, (tcpe_time_t)1 << 61);
	assert_int_equal(tcpe_wheel_count(&w), 2);
	/* The clamp slot lies inside the range, so before the expiry. */
	next = tcpe_wheel_next(&w);
	assert_true(next > now && next <= now + 64 * (TICK << 24));
	assert_true(next < exp);
	/* Reaching it moves nothing: both are re-armed. */
	assert_int_equal(tcpe_wheel_advance(&w, next), 0);
	assert_true(tcpe_timer_pending(&t) && tcpe_timer_pending(&far));
	assert_int_equal(tcpe_wheel_count(&w), 2);
	assert_true(tcpe_wheel_next(&w) > next);
	assert_int_equal(tcpe_wheel_advance(&w, exp - 1), 0);
	assert_true(tcpe_timer_pending(&t));
	next = tcpe_wheel_next(&w);
	assert_true(next >= exp && next - exp < late_bound(exp - now));
	assert_int_equal(tcpe_wheel_advance(&w, next), 1);
	assert_ptr_equal(tcpe_wheel_pop(&w), &t);
	/* Days later, the far one is still parked. */
	assert_int_equal(run_to(&w, now + 24 * 10 * HOUR), 0);
	assert_true(tcpe_timer_pending(&far));
	assert_int_equal(tcpe_wheel_count(&w), 1);
	/* Arming at NEVER cancels. */
	tcpe_wheel_add(&w, &far, TCPE_TIME_NEVER);
	assert_false(tcpe_timer_pending(&far));
	assert_int_equal(tcpe_wheel_count(&w), 0);
	assert_true(tcpe_wheel_next(&w) == TCPE_TIME_NEVER);
}

/* Due at add time: straight to the expired list, FIFO, no advance needed. */
static void
test_already_due(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer t[4];
	tcpe_time_t now = TCPE_S(50) + 999;
	int i;

	(void)state;
	tcpe_wheel_init(&w, now);
	for (i = 0; i < 4; i++)
		tcpe_timer_init(&t[i]);
	tcpe_wheel_add(&w, &t[0], now);
	tcpe_wheel_add(&w, &t[1], now - TCPE_S(3));
	tcpe_wheel_add(&w, &t[2], 0);
	tcpe_wheel_add(&w, &t[3], now + 1);
	assert_int_equal(tcpe_wheel_count(&w), 4);
	for (i = 0; i < 4; i++)
		assert_true(tcpe_timer_pending(&t[i]));
	assert_true(tcpe_wheel_next(&w) == now);
	assert_ptr_equal(tcpe_wheel_pop(&w), &t[0]);
	assert_ptr_equal(tcpe_wheel_pop(&w), &t[1]);
	assert_ptr_equal(tcpe_wheel_pop(&w), &t[2]);
	assert_null(tcpe_wheel_pop(&w));
	/* now + 1 ns was not due: it waits for the next tick. */
	assert_true(tcpe_timer_pending(&t[3]));
	assert_int_equal(tcpe_wheel_count(&w), 1);
	assert_true(tcpe_wheel_next(&w) > now);
	assert_int_equal(run_to(&w, now + TICK), 1);
	assert_int_equal(tcpe_wheel_count(&w), 0);
}

/* Deleting from the expired list keeps its order and its tail right. */
static void
test_del_expired(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer t[5];
	int i;

	(void)state;
	tcpe_wheel_init(&w, TCPE_S(1));
	for (i = 0; i < 5; i++) {
		tcpe_timer_init(&t[i]);
		tcpe_wheel_add(&w, &t[i], TCPE_S(1) + TCPE_MS(i));
	}
	assert_int_equal(tcpe_wheel_advance(&w, TCPE_S(2)), 4);
	assert_int_equal(tcpe_wheel_count(&w), 5);
	tcpe_wheel_del(&w, &t[2]);	/* middle */
	tcpe_wheel_del(&w, &t[4]);	/* tail */
	tcpe_wheel_del(&w, &t[4]);	/* twice: no-op */
	assert_int_equal(tcpe_wheel_count(&w), 3);
	tcpe_wheel_add(&w, &t[2], 0);	/* appended after the new tail */
	assert_ptr_equal(tcpe_wheel_pop(&w), &t[0]);
	tcpe_wheel_del(&w, &t[1]);	/* head */
	assert_ptr_equal(tcpe_wheel_pop(&w), &t[3]);
	assert_ptr_equal(tcpe_wheel_pop(&w), &t[2]);
	assert_null(tcpe_wheel_pop(&w));
	assert_int_equal(tcpe_wheel_count(&w), 0);
	assert_true(tcpe_wheel_next(&w) == TCPE_TIME_NEVER);
	/* The list is usable after being emptied by del. */
	tcpe_wheel_add(&w, &t[4], 0);
	tcpe_wheel_del(&w, &t[4]);
	tcpe_wheel_add(&w, &t[3], 0);
	assert_ptr_equal(tcpe_wheel_pop(&w), &t[3]);
	assert_null(tcpe_wheel_pop(&w));
}

/* del of entries that are not pending changes nothing. */
static void
test_del_not_pending(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer t, u;

	(void)state;
	tcpe_wheel_init(&w, 0);
	tcpe_timer_init(&t);
	tcpe_timer_init(&u);
	tcpe_wheel_add(&w, &u, TCPE_MS(5));
	tcpe_wheel_del(&w, &t);
	assert_int_equal(tcpe_wheel_count(&w), 1);
	tcpe_wheel_add(&w, &t, TCPE_MS(1));
	tcpe_wheel_del(&w, &t);
	tcpe_wheel_del(&w, &t);
	assert_false(tcpe_timer_pending(&t));
	assert_int_equal(tcpe_wheel_count(&w), 1);
	/* After it fired and was popped. */
	tcpe_wheel_add(&w, &t, TCPE_MS(1));
	assert_int_equal(run_to(&w, TCPE_MS(2)), 1);
	tcpe_wheel_del(&w, &t);
	assert_int_equal(tcpe_wheel_count(&w), 1);
	assert_true(tcpe_timer_pending(&u));
	assert_int_equal(run_to(&w, TCPE_MS(10)), 1);
	assert_int_equal(tcpe_wheel_count(&w), 0);
}

/* Cancel one of two entries sharing a slot, then the other. */
static void
test_shared_slot(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer a, b, c;

	(void)state;
	tcpe_wheel_init(&w, 0);
	tcpe_timer_init(&a);
	tcpe_timer_init(&b);
	tcpe_timer_init(&c);
	/* Level 1 (8 tick slots): 100 and 101 ticks round to the same one. */
	tcpe_wheel_add(&w, &a, 100 * TICK);
	tcpe_wheel_add(&w, &b, 101 * TICK);
	tcpe_wheel_add(&w, &c, 100 * TICK + 1);
	tcpe_wheel_del(&w, &c);		/* head of the slot */
	assert_true(tcpe_wheel_next(&w) == 104 * TICK);
	tcpe_wheel_del(&w, &a);		/* tail of the slot */
	assert_true(tcpe_wheel_next(&w) == 104 * TICK);
	tcpe_wheel_del(&w, &b);		/* last: the slot is empty */
	assert_true(tcpe_wheel_next(&w) == TCPE_TIME_NEVER);
	assert_int_equal(tcpe_wheel_advance(&w, HOUR), 0);
	/* Re-adding to a slot that was emptied by del works. */
	tcpe_wheel_add(&w, &a, HOUR + 100 * TICK);
	tcpe_wheel_add(&w, &b, HOUR + 100 * TICK);
	assert_int_equal(tcpe_wheel_advance(&w, HOUR + 200 * TICK), 2);
	assert_int_equal(tcpe_wheel_count(&w), 2);
	assert_non_null(tcpe_wheel_pop(&w));
	assert_non_null(tcpe_wheel_pop(&w));
	assert_null(tcpe_wheel_pop(&w));
}

/* Re-adding a pending entry moves it, earlier or later. */
static void
test_move(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer t;

	(void)state;
	tcpe_wheel_init(&w, 0);
	tcpe_timer_init(&t);
	tcpe_wheel_add(&w, &t, TCPE_S(1));
	tcpe_wheel_add(&w, &t, TCPE_MS(10));
	assert_int_equal(tcpe_wheel_count(&w), 1);
	assert_true(t.expires == TCPE_MS(10));
	assert_int_equal(run_to(&w, TCPE_MS(11)), 1);
	tcpe_wheel_add(&w, &t, TCPE_MS(20));
	tcpe_wheel_add(&w, &t, TCPE_S(5));
	assert_int_equal(run_to(&w, TCPE_S(4)), 0);
	assert_int_equal(tcpe_wheel_count(&w), 1);
	assert_int_equal(run_to(&w, TCPE_S(6)), 1);
	/* Moving an expired, unpopped entry back into the wheel. */
	tcpe_wheel_add(&w, &t, TCPE_S(6) + TCPE_MS(1));
	assert_int_equal(tcpe_wheel_advance(&w, TCPE_S(7)), 1);
	assert_true(tcpe_wheel_next(&w) == TCPE_S(7));
	tcpe_wheel_add(&w, &t, TCPE_S(8));
	assert_true(tcpe_timer_pending(&t));
	assert_null(tcpe_wheel_pop(&w));
	assert_int_equal(tcpe_wheel_count(&w), 1);
	assert_true(tcpe_wheel_next(&w) >= TCPE_S(8));
	assert_int_equal(run_to(&w, TCPE_S(9)), 1);
}

/* An advance to an earlier time is ignored. */
static void
test_backwards(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer t, u;
	tcpe_time_t next;

	(void)state;
	tcpe_wheel_init(&w, TCPE_S(100));
	tcpe_timer_init(&t);
	tcpe_timer_init(&u);
	tcpe_wheel_add(&w, &t, TCPE_S(100) + TCPE_MS(1));
	next = tcpe_wheel_next(&w);
	assert_int_equal(tcpe_wheel_advance(&w, TCPE_S(50)), 0);
	assert_int_equal(tcpe_wheel_advance(&w, 0), 0);
	assert_true(tcpe_wheel_next(&w) == next);
	assert_true(tcpe_timer_pending(&t));
	assert_true(w.now == TCPE_S(100));
	/* Due is judged against the wheel's own time, not the late call. */
	tcpe_wheel_add(&w, &u, TCPE_S(99));
	assert_ptr_equal(tcpe_wheel_pop(&w), &u);
	assert_int_equal(run_to(&w, TCPE_S(100) + TCPE_MS(2)), 1);
	/* And after moving on, going back is still ignored. */
	tcpe_wheel_add(&w, &t, TCPE_S(101));
	assert_int_equal(run_to(&w, TCPE_S(100)), 0);
	assert_true(tcpe_timer_pending(&t));
	assert_int_equal(run_to(&w, TCPE_S(102)), 1);
}

/* --- randomized schedules against a model ------------------------------ */

#define M_N	512
/* No delay up to this can be clamped (61 slots of the last level). */
#define CLAMPED	(61 * (TICK << (3 * (TCPE_WHEEL_LEVELS - 1))))

struct m_ent {
	struct tcpe_timer t;
	bool pending;		/* armed and not yet popped */
	bool expired;		/* seen on the expired list */
	tcpe_time_t exp;
	tcpe_time_t added;	/* wheel time when armed */
	uint32_t fired;
};

struct model {
	struct tcpe_wheel w;
	struct m_ent e[M_N];
	tcpe_time_t now;
	uint32_t npending;
	/* Statistics, printed: how close to the bound the wheel ran. */
	uint64_t nfired;
	double worst;		/* max (fire time - exp) / bound */
};

static struct model M;

/* A delay: mostly short (RTO, delayed ACK), some long, a few huge. */
static tcpe_time_t
m_delay(uint64_t *s)
{
	uint64_t r = rnd_below(s, 100);

	if (r < 5)
		return 0;
	if (r < 10)	/* tick-aligned, give or take a nanosecond */
		return rnd_below(s, 64) * TICK + rnd_below(s, 3) - 1;
	if (r < 40)
		return rnd_below(s, TCPE_MS(5));
	if (r < 50)
		return rnd_below(s, TCPE_MS(300));
	if (r < 65)
		return rnd_below(s, TCPE_S(2));
	if (r < 75)
		return rnd_below(s, TCPE_S(120));
	if (r < 90)
		return rnd_below(s, 2 * HOUR + HOUR / 2);
	if (r < 95)	/* a level boundary, give or take a tick */
		return (TICK << (3 * rnd_below(s, TCPE_WHEEL_LEVELS))) *
		    (62 + rnd_below(s, 3)) + rnd_below(s, 3 * TICK) - TICK;
	/* Beyond the range of the last level. */
	return RANGE + rnd_below(s, 12 * HOUR);
}

/* An advance: mostly tiny steps, some seconds, rare jumps of hours. */
static tcpe_time_t
m_step(uint64_t *s)
{
	uint64_t r = rnd_below(s, 100);

	if (r < 3)
		return 3 * HOUR / 2 + rnd_below(s, 3 * HOUR);
	if (r < 8)
		return rnd_below(s, TCPE_S(600));
	if (r < 18)
		return rnd_below(s, TCPE_S(10));
	if (r < 33)
		return rnd_below(s, TCPE_MS(100));
	if (r < 36)
		return 1;
	return rnd_below(s, TCPE_US(300));
}

static void
m_check(const char *what, uint64_t seed, int step)
{
	struct tcpe_wheel *w = &M.w;
	struct tcpe_timer *t, **pp;
	struct m_ent *e;
	tcpe_time_t next, bound, min_late = TCPE_TIME_NEVER;
	uint32_t i, nexp = 0;
	bool fail = false;

	for (i = 0; i < M_N; i++)
		M.e[i].expired = false;
	/* The expired list: well formed, only due, pending entries. */
	pp = &w->expired;
	for (t = w->expired; t != NULL; t = t->next) {
		e = tcpe_container_of(t, struct m_ent, t);
		if (t->pprev != pp || !e->pending || e->expired ||
		    e->exp > M.now)
			fail = true;
		e->expired = true;
		pp = &t->next;
		nexp++;
	}
	if (w->expired_tail != pp)
		fail = true;
	/* Occupancy bits match the slots, so skipping by bitmap is exact. */
	for (i = 0; i < TCPE_WHEEL_LEVELS * TCPE_WHEEL_LVL_SIZE; i++)
		if ((w->slot[i] != NULL) != (((w->occupied[i /
		    TCPE_WHEEL_LVL_SIZE] >> (i % TCPE_WHEEL_LVL_SIZE)) & 1) !=
		    0))
			fail = true;
	for (i = 0; i < M_N; i++) {
		e = &M.e[i];
		if (tcpe_timer_pending(&e->t) != e->pending)
			fail = true;
		if (!e->pending || e->expired)
			continue;
		/* Not yet moved: must not be overdue. */
		bound = e->exp + late_bound(e->exp - e->added);
		if (M.now >= bound)
			fail = true;
		if (bound < min_late)
			min_late = bound;
	}
	if (tcpe_wheel_count(w) != M.npending)
		fail = true;
	next = tcpe_wheel_next(w);
	if (nexp > 0) {
		if (next != M.now)
			fail = true;
	} else if (M.npending == 0) {
		if (next != TCPE_TIME_NEVER)
			fail = true;
	} else if (next <= M.now || next > min_late) {
		/* A slot start: after now, before any entry is overdue. */
		fail = true;
	}
	if (fail) {
		print_error("model mismatch after %s: seed %#llx step %d "
		    "now %llu count %u model %u\n", what,
		    (unsigned long long)seed, step,
		    (unsigned long long)M.now, tcpe_wheel_count(w),
		    M.npending);
		fail_msg("timer wheel diverged from the model");
	}
}

/*
 * Mark what advance moved as fired. When the advance went exactly to a
 * slot start, record how late that was against the bound.
 */
static void
m_collect(bool measure)
{
	struct tcpe_timer *t;
	struct m_ent *e;
	double r;

	for (t = M.w.expired; t != NULL; t = t->next) {
		e = tcpe_container_of(t, struct m_ent, t);
		if (e->expired || e->fired != 0)
			continue;
		e->fired = 1;	/* first seen now: moved by this advance */
		if (!measure)
			continue;
		r = (double)(M.now - e->exp) /
		    (double)late_bound(e->exp - e->added);
		if (r > M.worst)
			M.worst = r;
	}
}

/*
 * Advance exactly to the reported next deadline: something must move
 * there, unless that slot only parks clamped entries.
 */
static void
m_advance_to_next(void)
{
	tcpe_time_t to;
	uint32_t moved, i;

	to = tcpe_wheel_next(&M.w);
	if (to == TCPE_TIME_NEVER)
		return;
	moved = tcpe_wheel_advance(&M.w, to);
	if (to == M.now) {
		/* The expired list is not empty: nothing to advance. */
		assert_int_equal(moved, 0);
		return;
	}
	M.now = to;
	m_collect(true);
	if (moved == 0) {
		for (i = 0; i < M_N; i++)
			if (M.e[i].pending && !M.e[i].expired &&
			    M.e[i].exp - M.e[i].added > CLAMPED)
				break;
		assert_true(i < M_N);
	}
}

static void
m_run(uint64_t seed, int steps)
{
	struct m_ent *e;
	struct tcpe_timer *t;
	uint64_t s = seed;
	tcpe_time_t to, d;
	uint32_t moved, n;
	uint64_t op;
	int step, i;
	const char *what;

	memset(&M, 0, sizeof(M));
	M.now = rnd_below(&s, (tcpe_time_t)1 << 45);
	tcpe_wheel_init(&M.w, M.now);
	for (i = 0; i < M_N; i++)
		tcpe_timer_init(&M.e[i].t);
	for (step = 0; step < steps; step++) {
		op = rnd_below(&s, 16);
		if (op < 6) {
			/* Arm, or move if pending. */
			what = "add";
			e = &M.e[rnd_below(&s, M_N)];
			d = m_delay(&s);
			/* Sometimes already in the past. */
			if (rnd_below(&s, 32) == 0)
				e->exp = M.now - rnd_below(&s, TCPE_S(1));
			else
				e->exp = M.now + d;
			e->added = M.now;
			if (!e->pending)
				M.npending++;
			e->pending = true;
			e->fired = 0;
			tcpe_wheel_add(&M.w, &e->t, e->exp);
			/* Due at once: on the list without an advance. */
			if (e->exp <= M.now)
				e->fired = 1;
		} else if (op < 8) {
			what = "del";
			e = &M.e[rnd_below(&s, M_N)];
			if (e->pending)
				M.npending--;
			e->pending = false;
			e->fired = 0;
			tcpe_wheel_del(&M.w, &e->t);
		} else if (op < 9) {
			what = "advance to next";
			m_advance_to_next();
		} else if (op < 10) {
			what = "advance backwards";
			to = M.now - rnd_below(&s, TCPE_S(5));
			assert_int_equal(tcpe_wheel_advance(&M.w, to), 0);
		} else if (op < 13) {
			what = "pop all";
			while ((t = tcpe_wheel_pop(&M.w)) != NULL) {
				e = tcpe_container_of(t, struct m_ent, t);
				assert_true(e->pending);
				assert_true(e->exp <= M.now);
				assert_false(tcpe_timer_pending(t));
				e->pending = false;
				M.npending--;
				M.nfired++;
			}
		} else {
			what = "advance";
			to = M.now + m_step(&s);
			n = 0;
			for (t = M.w.expired; t != NULL; t = t->next)
				n++;
			moved = tcpe_wheel_advance(&M.w, to);
			if (to > M.now) {
				M.now = to;
				m_collect(false);
			}
			/* The return value counts what was appended. */
			for (t = M.w.expired; t != NULL; t = t->next)
				moved--;
			assert_int_equal(moved + n, 0);
		}
		m_check(what, seed, step);
	}
	/* Drain: everything still pending fires, exactly once. */
	n = M.npending;
	M.now += 2 * RANGE;
	tcpe_wheel_advance(&M.w, M.now);
	while ((t = tcpe_wheel_pop(&M.w)) != NULL) {
		e = tcpe_container_of(t, struct m_ent, t);
		assert_true(e->pending);
		e->pending = false;
		M.npending--;
		n--;
	}
	assert_int_equal(n, 0);
	assert_int_equal(tcpe_wheel_count(&M.w), 0);
	m_check("drain", seed, step);
	print_message("seed %#llx: %d steps, %llu fired, worst lateness "
	    "%.3f of the bound\n", (unsigned long long)seed, steps,
	    (unsigned long long)M.nfired, M.worst);
}

static void
test_random_model(void **state)
{
	static const uint64_t seeds[] = {
		0x1, 0x5eed, 0xdeadbeefcafe, 0x0123456789abcdefULL,
		0x7c3e9a11, 0xfeedface, 0x42, 0xa5a5a5a5a5a5a5a5ULL,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		m_run(seeds[i], 6000);
}

/*
 * The bound is nearly tight: at every level there are delays that the
 * wheel fires more than 0.9 of the bound late (0.8 at level 1). The
 * model's check therefore leaves little room: a wheel that kept entries
 * one slot longer than it should would break it.
 */
static void
test_bound_tightness(void **state)
{
	struct tcpe_wheel w;
	struct tcpe_timer t;
	tcpe_time_t d, g, next;
	int l;

	(void)state;
	tcpe_timer_init(&t);
	for (l = 1; l < TCPE_WHEEL_LEVELS; l++) {
		g = TICK << (3 * l);
		/* A tick past 64 finer slots: level l, rounded up by g - 1. */
		d = 8 * g + TICK;
		tcpe_wheel_init(&w, 0);
		tcpe_wheel_add(&w, &t, d);
		next = tcpe_wheel_next(&w);
		assert_true(next - d == g - TICK);
		assert_true((next - d) * 10 > late_bound(d) * (l == 1 ? 8 : 9));
		assert_true(next - d < late_bound(d));
		assert_int_equal(tcpe_wheel_advance(&w, next - 1), 0);
		assert_int_equal(tcpe_wheel_advance(&w, next), 1);
		assert_ptr_equal(tcpe_wheel_pop(&w), &t);
	}
}

/* --- scale -------------------------------------------------------------- */

/*
 * 1M entries over 3 hours: add, cancel a third, move a third, advance in
 * small steps and a few big jumps. Quadratic behaviour would take minutes.
 */
static void
test_scale(void **state)
{
	enum { N = 1000000 };
	struct tcpe_timer *t, *p;
	struct tcpe_wheel *w;
	tcpe_time_t now = TCPE_S(1), end = now + 3 * HOUR, e;
	uint64_t s = 0x5ca1e;
	uint32_t i, live = 0, fired = 0;

	(void)state;
	t = calloc(N, sizeof(*t));
	w = malloc(sizeof(*w));
	assert_non_null(t);
	assert_non_null(w);
	tcpe_wheel_init(w, now);
	for (i = 0; i < N; i++) {
		tcpe_timer_init(&t[i]);
		tcpe_wheel_add(w, &t[i], now + 1 + rnd_below(&s, 3 * HOUR));
	}
	live = N;
	for (i = 0; i < N; i += 3) {
		tcpe_wheel_del(w, &t[i]);
		live--;
	}
	for (i = 1; i < N; i += 3)
		tcpe_wheel_add(w, &t[i], now + 1 + rnd_below(&s, 3 * HOUR));
	assert_int_equal(tcpe_wheel_count(w), live);
	while (now < end) {
		now += rnd_below(&s, 50) == 0 ? rnd_below(&s, TCPE_S(300)) :
		    rnd_below(&s, TCPE_MS(20));
		tcpe_wheel_advance(w, now);
		while ((p = tcpe_wheel_pop(w)) != NULL) {
			assert_true(p->expires <= now);
			fired++;
		}
	}
	/* Slack of the last level on top of the 3 hours. */
	e = end + late_bound(3 * HOUR);
	tcpe_wheel_advance(w, e);
	while ((p = tcpe_wheel_pop(w)) != NULL)
		fired++;
	assert_int_equal(fired, live);
	assert_int_equal(tcpe_wheel_count(w), 0);
	assert_true(tcpe_wheel_next(w) == TCPE_TIME_NEVER);
	free(w);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_fine_granularity),
		cmocka_unit_test(test_level0_exact),
		cmocka_unit_test(test_keepalive_2h),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_clamp),
		cmocka_unit_test(test_already_due),
		cmocka_unit_test(test_del_expired),
		cmocka_unit_test(test_del_not_pending),
		cmocka_unit_test(test_shared_slot),
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_backwards),
		cmocka_unit_test(test_bound_tightness),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
