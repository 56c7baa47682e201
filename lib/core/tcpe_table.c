/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intrusive chained hash table keyed by 4-tuple (see tcpe_table.h).
 *
 * Each bucket heads a singly linked chain whose nodes keep a pointer to
 * the link that points at them (pprev, as in Linux hlist), so a node is
 * unlinked in O(1) without knowing its bucket or walking its chain.
 */
#include <stdlib.h>

#include "tcpe_table.h"

int
tcpe_table_init(struct tcpe_table *t, uint32_t max_entries)
{
	uint32_t n;

	if (max_entries == 0 || max_entries > TCPE_TABLE_MAX_ENTRIES)
		return -EINVAL;
	for (n = 1; n < max_entries; n <<= 1)
		;
	t->bucket = calloc(n, sizeof(t->bucket[0]));
	if (t->bucket == NULL)
		return -ENOMEM;
	t->mask = n - 1;
	t->count = 0;
	t->max = max_entries;
	return 0;
}

void
tcpe_table_fini(struct tcpe_table *t)
{
	free(t->bucket);
	t->bucket = NULL;
	t->mask = 0;
	t->count = 0;
	t->max = 0;
}

struct tcpe_table_node *
tcpe_table_lookup(const struct tcpe_table *t, const struct tcpe_tuple *key,
    uint32_t hash)
{
	struct tcpe_table_node *n;

	for (n = t->bucket[hash & t->mask]; n != NULL; n = n->next)
		if (n->hash == hash && tcpe_tuple_eq(&n->key, key))
			return n;
	return NULL;
}

int
tcpe_table_insert(struct tcpe_table *t, struct tcpe_table_node *n)
{
	struct tcpe_table_node **head;

	if (tcpe_table_lookup(t, &n->key, n->hash) != NULL)
		return -EEXIST;
	if (t->count >= t->max)
		return -ENOSPC;
	head = &t->bucket[n->hash & t->mask];
	n->next = *head;
	if (n->next != NULL)
		n->next->pprev = &n->next;
	n->pprev = head;
	*head = n;
	t->count++;
	return 0;
}

void
tcpe_table_remove(struct tcpe_table *t, struct tcpe_table_node *n)
{
	if (n->pprev == NULL)
		return;
	*n->pprev = n->next;
	if (n->next != NULL)
		n->next->pprev = n->pprev;
	n->next = NULL;
	n->pprev = NULL;
	t->count--;
}

/*
 * *cursor is the next bucket to scan once the chain of prev ends; the
 * successor of prev is read from prev itself, which therefore must still
 * be linked (the header's rule for removal during iteration).
 */
struct tcpe_table_node *
tcpe_table_next(const struct tcpe_table *t, uint32_t *cursor,
    const struct tcpe_table_node *prev)
{
	struct tcpe_table_node *n;
	uint64_t b;

	if (prev != NULL && prev->next != NULL)
		return prev->next;
	for (b = *cursor; b <= t->mask; b++) {
		n = t->bucket[b];
		if (n != NULL) {
			*cursor = (uint32_t)(b + 1);
			return n;
		}
	}
	*cursor = t->mask + 1;
	return NULL;
}

/*
 * Murmur3's 32-bit mixing of the three words of the tuple, then its
 * finaliser (fmix32), so every input bit reaches every output bit. Good
 * spread for sequential ports and addresses, and fast; it has no key, so
 * it is no defence against a peer that chooses tuples to collide (hash
 * flooding): a keyed hash seeded per boot is to replace it for that.
 */
static uint32_t
rotl32(uint32_t x, unsigned int r)
{
	return (x << r) | (x >> (32 - r));
}

static uint32_t
mix_word(uint32_t h, uint32_t k)
{
	k *= 0xcc9e2d51u;
	k = rotl32(k, 15);
	k *= 0x1b873593u;
	h ^= k;
	h = rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

uint32_t
tcpe_tuple_hash(const struct tcpe_tuple *key)
{
	uint32_t h = 0x9747b28cu;

	h = mix_word(h, key->laddr);
	h = mix_word(h, key->raddr);
	h = mix_word(h, (uint32_t)key->lport << 16 | key->rport);
	h ^= 12;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}
