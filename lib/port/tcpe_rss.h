/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow to lcore (DESIGN.md section 2): the Toeplitz hash of a received
 * IPv4/TCP segment, the redirection table (RETA) that maps it to the
 * worker owning the flow, the per-worker share of ip_local_port_range and
 * the choice of a local port whose hash maps back to the calling worker.
 *
 * One function decides ownership in every steering mode: with hardware
 * RSS the device computes the same hash with the same key and RETA and
 * delivers the flow to its owner's queue; without it (net_tap, memif, too
 * few queues) the worker that receives a frame computes the hash in
 * software (rte_softrss_be) and hands the frame to the owner.
 *
 * Pure computation over a read-only struct: no EAL needed (unit-tested
 * without one), shared by every worker without locks once built.
 */
#ifndef TCPE_RSS_H
#define TCPE_RSS_H

#include <stdbool.h>
#include <stdint.h>

#define TCPE_RSS_KEY_LEN	40	/* bytes: the common 320-bit key */
#define TCPE_RETA_MAX		512	/* logical RETA entries */

/* [port] rss_key */
enum tcpe_rss_key_kind {
	TCPE_RSS_KEY_DEFAULT = 0,	/* Microsoft's verification key */
	TCPE_RSS_KEY_SYMMETRIC,		/* 0x6d5a repeated: h(a,b) == h(b,a) */
};

extern const char *const tcpe_rss_key_names[];

struct tcpe_rss {
	uint8_t key[TCPE_RSS_KEY_LEN];		/* as the device takes it */
	uint32_t key_be[TCPE_RSS_KEY_LEN / 4];	/* for rte_softrss_be() */
	uint32_t reta_size;			/* a power of two */
	uint16_t nworkers;
	uint16_t reta[TCPE_RETA_MAX];		/* entry -> worker */
};

/*
 * Build r for nworkers (1..TCPE_RETA_MAX) with the key of kind and a
 * RETA of reta_size entries (a power of two, 1..TCPE_RETA_MAX), entry e
 * mapped to worker e % nworkers. Returns 0 or -EINVAL.
 */
int tcpe_rss_init(struct tcpe_rss *r, enum tcpe_rss_key_kind kind,
    uint32_t reta_size, uint16_t nworkers);

/* The 40 key bytes of kind (NULL for an unknown kind). */
const uint8_t *tcpe_rss_key(enum tcpe_rss_key_kind kind);

/*
 * Toeplitz hash of a received IPv4/TCP segment, as a NIC computes it for
 * RTE_ETH_RSS_NONFRAG_IPV4_TCP: input src addr, dst addr, src port, dst
 * port (host order values; the segment's, i.e. the remote end is src).
 */
uint32_t tcpe_rss_hash(const struct tcpe_rss *r, uint32_t src, uint32_t dst,
    uint16_t sport, uint16_t dport);

/* The worker owning a flow of Toeplitz hash h. */
static inline uint16_t
tcpe_rss_owner(const struct tcpe_rss *r, uint32_t h)
{
	return r->reta[h & (r->reta_size - 1)];
}

/*
 * The table hash the core gets for a flow of Toeplitz hash h. Every flow
 * of one worker has the same low RETA bits, so the raw hash would use a
 * fraction of the core's buckets: a multiply spreads them (not a second
 * hash of the tuple: the NIC's hash is read, not recomputed).
 */
static inline uint32_t
tcpe_rss_table_hash(uint32_t h)
{
	h *= 0x9e3779b1u;
	return h ^ (h >> 16);
}

/*
 * Worker i's share of the ephemeral range lo..hi (inclusive) among n
 * workers: consecutive, disjoint, covering the range, sizes differing by
 * at most one. With fewer ports than workers every worker gets the whole
 * range (returns false then, true when partitioned).
 */
bool tcpe_port_share(uint16_t lo, uint16_t hi, unsigned int i, unsigned int n,
    uint16_t *plo, uint16_t *phi);

/*
 * The next local port, starting at *next and going round lo..hi, whose
 * flow (segments from raddr:rport to laddr:port) the RETA gives to worker
 * self. Returns the port and its Toeplitz hash in *hash, with *next moved
 * past it, or 0 when no port of lo..hi maps to self (*next unchanged).
 */
uint16_t tcpe_rss_pick_port(const struct tcpe_rss *r, uint32_t laddr,
    uint32_t raddr, uint16_t rport, uint16_t lo, uint16_t hi,
    uint16_t *next, uint16_t self, uint32_t *hash);

#endif /* TCPE_RSS_H */
