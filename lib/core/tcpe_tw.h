/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TIME_WAIT records: what is left of a connection once the application
 * has let go of it and it waits out 2 MSL (Linux's inet_timewait_sock,
 * smaller). Every record lives tcp_timewait_len from its last (re)start,
 * so the records form one FIFO ordered by expiry: no timer wheel entry,
 * O(1) restart (to the tail) and expiry (from the head). Records come
 * from chunks that never move, so a record's address is stable and the
 * links are 32-bit indices. One set per shard, touched only by its lcore.
 */
#ifndef TCPE_TW_H
#define TCPE_TW_H

#include "tcpe_table.h"
#include "tcpe_types.h"

#define TCPE_TW_NONE	UINT32_MAX	/* no record (index) */
#define TCPE_TW_TS	0x01		/* timestamps were in use */

struct tcpe_tw {
	struct tcpe_table_node node;	/* key: 4-tuple, ours as laddr */
	uint32_t prev;			/* FIFO neighbours, or free list */
	uint32_t next;
	tcpe_time_t expires;		/* of the TIME_WAIT period, ns */
	uint32_t snd_nxt;
	uint32_t rcv_nxt;
	uint32_t ts_recent;		/* TS.Recent, when TCPE_TW_TS */
	uint16_t wnd;			/* window field of our ACKs */
	uint8_t flags;
	uint8_t rcv_wscale;		/* ours, to scale wnd */
};

struct tcpe_tw_set {
	struct tcpe_table table;	/* records by 4-tuple */
	struct tcpe_tw **chunk;		/* chunk i: records i*CHUNK.. */
	uint32_t nchunks;
	uint32_t free_head;		/* free list through next */
	uint32_t head;			/* earliest expiry */
	uint32_t tail;			/* latest expiry */
	uint32_t count;			/* live records */
	uint32_t max;			/* tcp_max_tw_buckets */
};

/* Empty set holding at most max records. Returns 0 or -ENOMEM. */
int tcpe_tw_init(struct tcpe_tw_set *ts, uint32_t max);

/* Free every chunk (records included) and the table. */
void tcpe_tw_fini(struct tcpe_tw_set *ts);

/*
 * A new record for key (hash as for the connection table) expiring at
 * expires, at the tail of the FIFO: expires must not be earlier than the
 * tail's (every period has the same length). Returns it with the other
 * fields zero, or NULL when the set is full (count == max) or out of
 * memory (*err -ENOSPC or -ENOMEM).
 */
struct tcpe_tw *tcpe_tw_add(struct tcpe_tw_set *ts,
    const struct tcpe_tuple *key, uint32_t hash, tcpe_time_t expires,
    int *err);

/* The record for key, or NULL. */
struct tcpe_tw *tcpe_tw_lookup(const struct tcpe_tw_set *ts,
    const struct tcpe_tuple *key, uint32_t hash);

/* Restart: new expiry (not earlier than the tail's), moved to the tail. */
void tcpe_tw_restart(struct tcpe_tw_set *ts, struct tcpe_tw *tw,
    tcpe_time_t expires);

/* Remove and free tw. */
void tcpe_tw_del(struct tcpe_tw_set *ts, struct tcpe_tw *tw);

/* Remove and free every record expired at now. Returns how many. */
uint32_t tcpe_tw_expire(struct tcpe_tw_set *ts, tcpe_time_t now);

/* The earliest expiry, TCPE_TIME_NEVER when empty. */
tcpe_time_t tcpe_tw_deadline(const struct tcpe_tw_set *ts);

#endif /* TCPE_TW_H */
