/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore connection table keyed by 4-tuple. The caller supplies the
 * hash (the NIC's RSS hash when it has one, tcpe_tuple_hash() otherwise)
 * and must use the same hash function for insert and lookup of a tuple.
 *
 * Intrusive chained hash: the node lives inside the connection (or the
 * TIME_WAIT record), so the table allocates nothing but its bucket array.
 * Capacity is fixed at init from configuration; a full table is reported
 * as -ENOSPC, never grown on the fast path.
 */
#ifndef TCPE_TABLE_H
#define TCPE_TABLE_H

#include "tcpe_types.h"

struct tcpe_table_node {
	struct tcpe_table_node *next;
	struct tcpe_table_node **pprev;	/* NULL when not in a table */
	struct tcpe_tuple key;
	uint32_t hash;
};

struct tcpe_table {
	struct tcpe_table_node **bucket;
	uint32_t mask;		/* buckets - 1, a power of two minus one */
	uint32_t count;
	uint32_t max;		/* capacity in entries */
};

#define TCPE_TABLE_MAX_ENTRIES	(1u << 28)

/*
 * Size the table for max_entries (1 .. TCPE_TABLE_MAX_ENTRIES); the bucket
 * count is the next power of two at or above max_entries.
 * Returns 0, -EINVAL for a size out of range, -ENOMEM.
 */
int tcpe_table_init(struct tcpe_table *t, uint32_t max_entries);

/* Free the bucket array. The nodes still linked are not touched. */
void tcpe_table_fini(struct tcpe_table *t);

/*
 * Link n, whose key and hash the caller has set. Returns 0, -ENOSPC when
 * the table holds max entries, -EEXIST when the key is already present.
 */
int tcpe_table_insert(struct tcpe_table *t, struct tcpe_table_node *n);

/* The node with this key, or NULL. */
struct tcpe_table_node *tcpe_table_lookup(const struct tcpe_table *t,
    const struct tcpe_tuple *key, uint32_t hash);

/* Unlink n; no-op if it is not linked. O(1). */
void tcpe_table_remove(struct tcpe_table *t, struct tcpe_table_node *n);

static inline uint32_t
tcpe_table_count(const struct tcpe_table *t)
{
	return t->count;
}

/*
 * Iterate: start with *cursor = 0 and prev = NULL; returns the next node or
 * NULL at the end. Removing the returned node before the next call is
 * allowed only through tcpe_table_remove() after fetching its successor.
 */
struct tcpe_table_node *tcpe_table_next(const struct tcpe_table *t,
    uint32_t *cursor, const struct tcpe_table_node *prev);

/* A software 4-tuple hash for devices without RSS, and for tests. */
uint32_t tcpe_tuple_hash(const struct tcpe_tuple *key);

#endif /* TCPE_TABLE_H */
