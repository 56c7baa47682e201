/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection table: insert, lookup, remove, capacity, iteration with
 * removal, colliding hashes, and the spread of tcpe_tuple_hash().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcpe_table.h"

struct ent {
	struct tcpe_table_node node;
	uint32_t id;
	uint32_t seen;
};

static struct tcpe_tuple
tuple(uint32_t i)
{
	struct tcpe_tuple k = {
		.laddr = 0x0a000001,
		.raddr = 0xc0a80000 + (i >> 16),
		.lport = 80,
		.rport = (uint16_t)i,
	};

	return k;
}

static void
ent_init(struct ent *e, uint32_t i)
{
	memset(e, 0, sizeof(*e));
	e->id = i;
	e->node.key = tuple(i);
	e->node.hash = tcpe_tuple_hash(&e->node.key);
}

static struct ent *
lookup(const struct tcpe_table *t, uint32_t i)
{
	struct tcpe_tuple k = tuple(i);
	struct tcpe_table_node *n;

	n = tcpe_table_lookup(t, &k, tcpe_tuple_hash(&k));
	return n == NULL ? NULL : tcpe_container_of(n, struct ent, node);
}

/* Visit every node once; returns how many, failing on a second visit. */
static uint32_t
walk(const struct tcpe_table *t, struct ent *e, uint32_t n)
{
	struct tcpe_table_node *p;
	uint32_t cursor = 0, visits = 0, i;

	for (i = 0; i < n; i++)
		e[i].seen = 0;
	for (p = tcpe_table_next(t, &cursor, NULL); p != NULL;
	    p = tcpe_table_next(t, &cursor, p)) {
		assert_non_null(p->pprev);
		tcpe_container_of(p, struct ent, node)->seen++;
		visits++;
	}
	for (i = 0; i < n; i++)
		assert_true(e[i].seen == (e[i].node.pprev != NULL ? 1 : 0));
	return visits;
}

static void
test_init_bounds(void **state)
{
	struct tcpe_table t;

	(void)state;
	assert_int_equal(tcpe_table_init(&t, 0), -EINVAL);
	assert_int_equal(tcpe_table_init(&t, TCPE_TABLE_MAX_ENTRIES + 1),
	    -EINVAL);
	assert_int_equal(tcpe_table_init(&t, UINT32_MAX), -EINVAL);
	/* Bucket count: the next power of two at or above the size. */
	assert_int_equal(tcpe_table_init(&t, 1), 0);
	assert_int_equal(t.mask, 0);
	assert_int_equal(t.max, 1);
	assert_int_equal(tcpe_table_count(&t), 0);
	tcpe_table_fini(&t);
	assert_int_equal(tcpe_table_init(&t, 1000), 0);
	assert_int_equal(t.mask, 1023);
	tcpe_table_fini(&t);
	assert_int_equal(tcpe_table_init(&t, 1024), 0);
	assert_int_equal(t.mask, 1023);
	tcpe_table_fini(&t);
	assert_int_equal(tcpe_table_init(&t, 1025), 0);
	assert_int_equal(t.mask, 2047);
	tcpe_table_fini(&t);
	assert_null(t.bucket);
}

static void
test_insert_lookup_remove(void **state)
{
	struct tcpe_table t;
	struct ent e[3];
	struct tcpe_tuple k;
	uint32_t i;

	(void)state;
	assert_int_equal(tcpe_table_init(&t, 16), 0);
	for (i = 0; i < 3; i++) {
		ent_init(&e[i], i);
		assert_null(lookup(&t, i));
		assert_int_equal(tcpe_table_insert(&t, &e[i].node), 0);
		assert_non_null(e[i].node.pprev);
		assert_int_equal(tcpe_table_count(&t), i + 1);
	}
	for (i = 0; i < 3; i++)
		assert_ptr_equal(lookup(&t, i), &e[i]);
	assert_null(lookup(&t, 3));
	/* The key is the whole tuple: swapping the ports is another key. */
	k = e[1].node.key;
	k.lport = e[1].node.key.rport;
	k.rport = e[1].node.key.lport;
	assert_null(tcpe_table_lookup(&t, &k, tcpe_tuple_hash(&k)));
	assert_null(tcpe_table_lookup(&t, &k, e[1].node.hash));
	/* A lookup with another hash does not find the key. */
	assert_null(tcpe_table_lookup(&t, &e[1].node.key, e[1].node.hash + 1));

	tcpe_table_remove(&t, &e[1].node);
	assert_null(e[1].node.pprev);
	assert_int_equal(tcpe_table_count(&t), 2);
	assert_null(lookup(&t, 1));
	assert_ptr_equal(lookup(&t, 0), &e[0]);
	assert_ptr_equal(lookup(&t, 2), &e[2]);
	/* Removing an unlinked node is a no-op. */
	tcpe_table_remove(&t, &e[1].node);
	assert_int_equal(tcpe_table_count(&t), 2);
	/* Reinsert after remove. */
	assert_int_equal(tcpe_table_insert(&t, &e[1].node), 0);
	assert_ptr_equal(lookup(&t, 1), &e[1]);
	for (i = 0; i < 3; i++)
		tcpe_table_remove(&t, &e[i].node);
	assert_int_equal(tcpe_table_count(&t), 0);
	for (i = 0; i <= t.mask; i++)
		assert_null(t.bucket[i]);
	tcpe_table_fini(&t);
}

static void
test_duplicate(void **state)
{
	struct tcpe_table t;
	struct ent a, b;

	(void)state;
	assert_int_equal(tcpe_table_init(&t, 4), 0);
	ent_init(&a, 7);
	ent_init(&b, 7);
	assert_int_equal(tcpe_table_insert(&t, &a.node), 0);
	assert_int_equal(tcpe_table_insert(&t, &b.node), -EEXIST);
	assert_null(b.node.pprev);
	assert_int_equal(tcpe_table_count(&t), 1);
	assert_ptr_equal(lookup(&t, 7), &a);
	/* Once the first is gone, the second goes in. */
	tcpe_table_remove(&t, &a.node);
	assert_int_equal(tcpe_table_insert(&t, &b.node), 0);
	assert_ptr_equal(lookup(&t, 7), &b);
	tcpe_table_remove(&t, &b.node);
	tcpe_table_fini(&t);
}

/* -ENOSPC at max, also when max is not a power of two. */
static void
test_full(void **state)
{
	static const uint32_t sizes[] = { 1, 5, 8 };
	struct tcpe_table t;
	struct ent e[9];
	uint32_t i, s, max;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		max = sizes[s];
		assert_int_equal(tcpe_table_init(&t, max), 0);
		for (i = 0; i <= max; i++)
			ent_init(&e[i], i);
		for (i = 0; i < max; i++)
			assert_int_equal(tcpe_table_insert(&t, &e[i].node), 0);
		assert_int_equal(tcpe_table_insert(&t, &e[max].node), -ENOSPC);
		assert_null(e[max].node.pprev);
		assert_null(lookup(&t, max));
		assert_int_equal(tcpe_table_count(&t), max);
		/* A duplicate in a full table is still a duplicate. */
		assert_int_equal(tcpe_table_insert(&t, &e[0].node), -EEXIST);
		tcpe_table_remove(&t, &e[max / 2].node);
		assert_int_equal(tcpe_table_insert(&t, &e[max].node), 0);
		assert_ptr_equal(lookup(&t, max), &e[max]);
		assert_int_equal(tcpe_table_insert(&t, &e[max / 2].node),
		    -ENOSPC);
		assert_int_equal(walk(&t, e, max + 1), max);
		tcpe_table_fini(&t);
	}
}

#define N_IT	3000

static void
test_iterate(void **state)
{
	struct tcpe_table t;
	struct ent *e;
	uint32_t i;

	(void)state;
	e = calloc(N_IT, sizeof(*e));
	assert_non_null(e);
	assert_int_equal(tcpe_table_init(&t, N_IT), 0);
	assert_int_equal(walk(&t, e, 0), 0);
	for (i = 0; i < N_IT; i++) {
		ent_init(&e[i], i);
		/* Crowd some buckets: a third share one hash. */
		if (i % 3 == 0)
			e[i].node.hash = 0x1234;
		assert_int_equal(tcpe_table_insert(&t, &e[i].node), 0);
	}
	assert_int_equal(walk(&t, e, N_IT), N_IT);
	/* Remove some, then every node is still visited exactly once. */
	for (i = 0; i < N_IT; i += 7)
		tcpe_table_remove(&t, &e[i].node);
	assert_int_equal(walk(&t, e, N_IT), tcpe_table_count(&t));
	for (i = 0; i < N_IT; i++)
		tcpe_table_remove(&t, &e[i].node);
	assert_int_equal(walk(&t, e, N_IT), 0);
	tcpe_table_fini(&t);
	free(e);
}

/*
 * The header's idiom: fetch the successor, then remove the current node.
 * Remove every other node, then all of them, as tcpe_stack_destroy does.
 */
static void
test_remove_while_iterating(void **state)
{
	struct tcpe_table t;
	struct tcpe_table_node *p, *next;
	struct ent *e, *x;
	uint32_t cursor, i, visits;

	(void)state;
	e = calloc(N_IT, sizeof(*e));
	assert_non_null(e);
	assert_int_equal(tcpe_table_init(&t, N_IT), 0);
	for (i = 0; i < N_IT; i++) {
		ent_init(&e[i], i);
		if (i % 4 == 0)
			e[i].node.hash = 0xabcd;	/* one long chain */
		assert_int_equal(tcpe_table_insert(&t, &e[i].node), 0);
	}
	cursor = 0;
	visits = 0;
	p = tcpe_table_next(&t, &cursor, NULL);
	while (p != NULL) {
		next = tcpe_table_next(&t, &cursor, p);
		x = tcpe_container_of(p, struct ent, node);
		x->seen++;
		visits++;
		if (x->id % 2 == 0)
			tcpe_table_remove(&t, p);
		p = next;
	}
	assert_int_equal(visits, N_IT);
	for (i = 0; i < N_IT; i++) {
		assert_int_equal(e[i].seen, 1);
		assert_true((e[i].node.pprev == NULL) == (i % 2 == 0));
	}
	assert_int_equal(tcpe_table_count(&t), N_IT / 2);
	assert_int_equal(walk(&t, e, N_IT), N_IT / 2);

	cursor = 0;
	visits = 0;
	p = tcpe_table_next(&t, &cursor, NULL);
	while (p != NULL) {
		next = tcpe_table_next(&t, &cursor, p);
		tcpe_table_remove(&t, p);
		visits++;
		p = next;
	}
	assert_int_equal(visits, N_IT / 2);
	assert_int_equal(tcpe_table_count(&t), 0);
	for (i = 0; i <= t.mask; i++)
		assert_null(t.bucket[i]);
	tcpe_table_fini(&t);
	free(e);
}

/* Same hash, different keys: one chain, each key found and removed alone. */
static void
test_collisions(void **state)
{
	enum { N = 200 };
	struct tcpe_table t;
	struct tcpe_tuple k;
	struct tcpe_table_node *n;
	struct ent *e;
	uint32_t i, j;

	(void)state;
	e = calloc(N, sizeof(*e));
	assert_non_null(e);
	assert_int_equal(tcpe_table_init(&t, N), 0);
	for (i = 0; i < N; i++) {
		ent_init(&e[i], i * 7919);
		e[i].node.hash = 0xdeadbeef;
		assert_int_equal(tcpe_table_insert(&t, &e[i].node), 0);
	}
	/* A duplicate key deep in the chain is still caught. */
	assert_int_equal(tcpe_table_insert(&t, &e[0].node), -EEXIST);
	for (i = 0; i < N; i++) {
		n = tcpe_table_lookup(&t, &e[i].node.key, 0xdeadbeef);
		assert_ptr_equal(n, &e[i].node);
	}
	k = tuple(1);
	assert_null(tcpe_table_lookup(&t, &k, 0xdeadbeef));
	/* Remove from head, tail and middle of the chain in turn. */
	for (i = 0; i < N; i += 3)
		tcpe_table_remove(&t, &e[i].node);
	for (j = 0; j < N; j += 5)
		tcpe_table_remove(&t, &e[N - 1 - j].node);
	for (j = 0; j < N; j++) {
		n = tcpe_table_lookup(&t, &e[j].node.key, 0xdeadbeef);
		if (e[j].node.pprev == NULL)
			assert_null(n);
		else
			assert_ptr_equal(n, &e[j].node);
	}
	assert_int_equal(walk(&t, e, N), tcpe_table_count(&t));
	for (i = 0; i < N; i++)
		tcpe_table_remove(&t, &e[i].node);
	assert_int_equal(tcpe_table_count(&t), 0);
	tcpe_table_fini(&t);
	free(e);
}

/*
 * Count keys per bucket for 2^16 tuples into 2^12 buckets (16 expected
 * per bucket). A uniform hash gives a maximum around 32 and a chi-square
 * near 4095 (standard deviation ~90); reject gross overload or skew.
 */
static void
check_spread(const struct tcpe_tuple *k, uint32_t n, uint32_t shift)
{
	enum { B = 4096 };
	static uint32_t cnt[B];
	uint32_t i, max = 0, empty = 0;
	double chi = 0, exp = (double)n / B, d;

	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < n; i++)
		cnt[(tcpe_tuple_hash(&k[i]) >> shift) & (B - 1)]++;
	for (i = 0; i < B; i++) {
		if (cnt[i] > max)
			max = cnt[i];
		if (cnt[i] == 0)
			empty++;
		d = cnt[i] - exp;
		chi += d * d / exp;
	}
	print_message("spread (bits %u..%u): max %u per bucket (mean %.0f), "
	    "chi2 %.0f, empty %u\n", shift, shift + 11, max, exp, chi, empty);
	assert_true(max <= 3 * exp);
	assert_true(chi < B * 1.3);
	assert_int_equal(empty, 0);
}

static void
test_hash_spread(void **state)
{
	enum { N = 65536 };
	struct tcpe_tuple *k;
	uint32_t i, s;

	(void)state;
	k = calloc(N, sizeof(*k));
	assert_non_null(k);
	/* Sequential remote ports: a client hammering one server port. */
	for (i = 0; i < N; i++) {
		k[i].laddr = 0x0a000001;
		k[i].raddr = 0x0a000002;
		k[i].lport = 80;
		k[i].rport = (uint16_t)i;
	}
	for (s = 0; s <= 20; s += 10)
		check_spread(k, N, s);
	/* Sequential local ports: active opens from one address. */
	for (i = 0; i < N; i++) {
		k[i].lport = (uint16_t)i;
		k[i].rport = 443;
	}
	check_spread(k, N, 0);
	/* Sequential remote addresses, one port each. */
	for (i = 0; i < N; i++) {
		k[i].raddr = 0xc0a80000 + i;
		k[i].lport = 80;
		k[i].rport = 40000;
	}
	check_spread(k, N, 0);
	/* Few addresses x few ports. */
	for (i = 0; i < N; i++) {
		k[i].raddr = 0x0a000000 + (i & 255);
		k[i].rport = (uint16_t)(32768 + (i >> 8));
	}
	check_spread(k, N, 0);
	free(k);
}

/* Each input bit flips about half of the output bits (no dead inputs). */
static void
test_hash_avalanche(void **state)
{
	struct tcpe_tuple a = {
		.laddr = 0x0a000001, .raddr = 0x5db8d822,
		.lport = 443, .rport = 51234,
	}, b;
	uint32_t bit, flips, total = 0, h;
	uint8_t *p;

	(void)state;
	h = tcpe_tuple_hash(&a);
	/* Same input, same hash: the hash has no hidden state. */
	assert_int_equal(tcpe_tuple_hash(&a), h);
	for (bit = 0; bit < 96; bit++) {
		b = a;
		p = (uint8_t *)&b;
		p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		flips = (uint32_t)__builtin_popcount(tcpe_tuple_hash(&b) ^ h);
		assert_true(flips >= 4 && flips <= 28);
		total += flips;
	}
	/* Mean near 16 of 32. */
	assert_true(total >= 96 * 13 && total <= 96 * 19);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_bounds),
		cmocka_unit_test(test_insert_lookup_remove),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_remove_while_iterating),
		cmocka_unit_test(test_collisions),
		cmocka_unit_test(test_hash_spread),
		cmocka_unit_test(test_hash_avalanche),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
