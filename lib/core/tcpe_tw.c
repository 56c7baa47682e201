/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcpe_tw.h"

_Static_assert(sizeof(struct tcpe_tw) <= 64,
    "a TIME_WAIT record must fit in 64 bytes");

#define CHUNK_SHIFT	10
#define CHUNK		(1u << CHUNK_SHIFT)

static struct tcpe_tw *
at(const struct tcpe_tw_set *ts, uint32_t i)
{
	return &ts->chunk[i >> CHUNK_SHIFT][i & (CHUNK - 1)];
}

int
tcpe_tw_init(struct tcpe_tw_set *ts, uint32_t max)
{
	memset(ts, 0, sizeof(*ts));
	ts->free_head = TCPE_TW_NONE;
	ts->head = TCPE_TW_NONE;
	ts->tail = TCPE_TW_NONE;
	ts->max = max;
	/* The table sizes its buckets from max; at least one. */
	return tcpe_table_init(&ts->table, max > 0 ? max : 1) == 0 ? 0 :
	    -ENOMEM;
}

void
tcpe_tw_fini(struct tcpe_tw_set *ts)
{
	uint32_t c;

	for (c = 0; c < ts->nchunks; c++)
		free(ts->chunk[c]);
	free(ts->chunk);
	tcpe_table_fini(&ts->table);
	memset(ts, 0, sizeof(*ts));
}

/* One more chunk onto the free list. Returns 0 or -ENOMEM. */
static int
grow(struct tcpe_tw_set *ts)
{
	struct tcpe_tw **nc, *c;
	uint32_t i, base;

	if (ts->nchunks >= (TCPE_TW_NONE >> CHUNK_SHIFT))
		return -ENOMEM;
	nc = realloc(ts->chunk, (ts->nchunks + 1) * sizeof(*nc));
	if (nc == NULL)
		return -ENOMEM;
	ts->chunk = nc;
	c = calloc(CHUNK, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	ts->chunk[ts->nchunks] = c;
	base = ts->nchunks << CHUNK_SHIFT;
	ts->nchunks++;
	for (i = CHUNK; i-- > 0;) {
		c[i].next = ts->free_head;
		ts->free_head = base + i;
	}
	return 0;
}

static void
fifo_unlink(struct tcpe_tw_set *ts, struct tcpe_tw *tw)
{
	if (tw->prev != TCPE_TW_NONE)
		at(ts, tw->prev)->next = tw->next;
	else
		ts->head = tw->next;
	if (tw->next != TCPE_TW_NONE)
		at(ts, tw->next)->prev = tw->prev;
	else
		ts->tail = tw->prev;
}

static void
fifo_append(struct tcpe_tw_set *ts, struct tcpe_tw *tw, uint32_t i)
{
	tw->next = TCPE_TW_NONE;
	tw->prev = ts->tail;
	if (ts->tail != TCPE_TW_NONE)
		at(ts, ts->tail)->next = i;
	else
		ts->head = i;
	ts->tail = i;
}

struct tcpe_tw *
tcpe_tw_add(struct tcpe_tw_set *ts, const struct tcpe_tuple *key,
    uint32_t hash, tcpe_time_t expires, int *err)
{
	struct tcpe_tw *tw;
	uint32_t i;

	if (ts->count >= ts->max) {
		*err = -ENOSPC;
		return NULL;
	}
	if (ts->free_head == TCPE_TW_NONE && grow(ts) != 0) {
		*err = -ENOMEM;
		return NULL;
	}
	i = ts->free_head;
	tw = at(ts, i);
	ts->free_head = tw->next;
	memset(tw, 0, sizeof(*tw));
	tw->node.key = *key;
	tw->node.hash = hash;
	if (tcpe_table_insert(&ts->table, &tw->node) != 0) {
		tw->next = ts->free_head;
		ts->free_head = i;
		*err = -ENOSPC;
		return NULL;
	}
	tw->expires = expires;
	fifo_append(ts, tw, i);
	ts->count++;
	*err = 0;
	return tw;
}

struct tcpe_tw *
tcpe_tw_lookup(const struct tcpe_tw_set *ts, const struct tcpe_tuple *key,
    uint32_t hash)
{
	struct tcpe_table_node *n;

	if (ts->count == 0)
		return NULL;
	n = tcpe_table_lookup(&ts->table, key, hash);
	return n == NULL ? NULL : tcpe_container_of(n, struct tcpe_tw, node);
}

void
tcpe_tw_restart(struct tcpe_tw_set *ts, struct tcpe_tw *tw,
    tcpe_time_t expires)
{
	uint32_t i = tw->prev != TCPE_TW_NONE ? at(ts, tw->prev)->next :
	    ts->head;

	tw->expires = expires;
	if (i == ts->tail)
		return;
	fifo_unlink(ts, tw);
	fifo_append(ts, tw, i);
}

static void
del_at(struct tcpe_tw_set *ts, struct tcpe_tw *tw, uint32_t i)
{
	tcpe_table_remove(&ts->table, &tw->node);
	fifo_unlink(ts, tw);
	tw->prev = TCPE_TW_NONE;
	tw->next = ts->free_head;
	ts->free_head = i;
	ts->count--;
}

void
tcpe_tw_del(struct tcpe_tw_set *ts, struct tcpe_tw *tw)
{
	uint32_t i = tw->prev != TCPE_TW_NONE ? at(ts, tw->prev)->next :
	    ts->head;

	del_at(ts, tw, i);
}

uint32_t
tcpe_tw_expire(struct tcpe_tw_set *ts, tcpe_time_t now)
{
	struct tcpe_tw *tw;
	uint32_t n = 0, i;

	while ((i = ts->head) != TCPE_TW_NONE) {
		tw = at(ts, i);
		if (tw->expires > now)
			break;
		del_at(ts, tw, i);
		n++;
	}
	return n;
}

tcpe_time_t
tcpe_tw_deadline(const struct tcpe_tw_set *ts)
{
	return ts->head == TCPE_TW_NONE ? TCPE_TIME_NEVER :
	    at(ts, ts->head)->expires;
}
