/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Toeplitz hash, RETA and port selection (tcpe_rss.h), on rte_thash's
 * software Toeplitz (rte_softrss_be() with the converted key).
 */
#include <errno.h>
#include <string.h>

#include <rte_thash.h>

#include "tcpe_rss.h"

const char *const tcpe_rss_key_names[] = {
	[TCPE_RSS_KEY_DEFAULT] = "default",
	[TCPE_RSS_KEY_SYMMETRIC] = "symmetric",
	NULL,
};

/*
 * The key of Microsoft's "Verifying the RSS Hash Calculation" suite, also
 * the default of many NIC drivers (testpmd's, i40e's).
 */
static const uint8_t key_default[TCPE_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/*
 * A key whose 16-bit period makes the hash symmetric for IPv4/TCP
 * (Woo and Park, "Scalable TCP Session Monitoring with Symmetric
 * Receive-side Scaling", 2012): both directions of a flow hash alike, so
 * two engines with the same RETA agree on the owner of a connection.
 */
static const uint8_t key_symmetric[TCPE_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

const uint8_t *
tcpe_rss_key(enum tcpe_rss_key_kind kind)
{
	switch (kind) {
	case TCPE_RSS_KEY_DEFAULT:
		return key_default;
	case TCPE_RSS_KEY_SYMMETRIC:
		return key_symmetric;
	}
	return NULL;
}

int
tcpe_rss_init(struct tcpe_rss *r, enum tcpe_rss_key_kind kind,
    uint32_t reta_size, uint16_t nworkers)
{
	const uint8_t *key = tcpe_rss_key(kind);
	uint32_t words[TCPE_RSS_KEY_LEN / 4], i;

	memset(r, 0, sizeof(*r));
	if (key == NULL || nworkers == 0 || reta_size == 0 ||
	    reta_size > TCPE_RETA_MAX || (reta_size & (reta_size - 1)) != 0)
		return -EINVAL;
	memcpy(r->key, key, TCPE_RSS_KEY_LEN);
	memcpy(words, key, TCPE_RSS_KEY_LEN);
	rte_convert_rss_key(words, r->key_be, TCPE_RSS_KEY_LEN);
	r->reta_size = reta_size;
	r->nworkers = nworkers;
	for (i = 0; i < reta_size; i++)
		r->reta[i] = (uint16_t)(i % nworkers);
	return 0;
}

uint32_t
tcpe_rss_hash(const struct tcpe_rss *r, uint32_t src, uint32_t dst,
    uint16_t sport, uint16_t dport)
{
	uint32_t in[3];

	/* struct rte_ipv4_tuple, host order: ports as one word, sport high. */
	in[0] = src;
	in[1] = dst;
	in[2] = (uint32_t)sport << 16 | dport;
	return rte_softrss_be(in, 3, (const uint8_t *)r->key_be);
}

bool
tcpe_port_share(uint16_t lo, uint16_t hi, unsigned int i, unsigned int n,
    uint16_t *plo, uint16_t *phi)
{
	uint32_t span = (uint32_t)hi - lo + 1, each, extra, start;

	if (n == 0 || i >= n || lo > hi || span < n) {
		*plo = lo;
		*phi = hi;
		return false;
	}
	each = span / n;
	extra = span % n;
	/* The first `extra` workers get one port more. */
	start = lo + i * each + (i < extra ? i : extra);
	*plo = (uint16_t)start;
	*phi = (uint16_t)(start + each + (i < extra ? 1 : 0) - 1);
	return true;
}

uint16_t
tcpe_rss_pick_port(const struct tcpe_rss *r, uint32_t laddr, uint32_t raddr,
    uint16_t rport, uint16_t lo, uint16_t hi, uint16_t *next, uint16_t self,
    uint32_t *hash)
{
	uint32_t span = (uint32_t)hi - lo + 1, k, h;
	uint16_t p = *next;

	if (p < lo || p > hi)
		p = lo;
	for (k = 0; k < span; k++) {
		h = tcpe_rss_hash(r, raddr, laddr, rport, p);
		if (tcpe_rss_owner(r, h) == self) {
			*hash = h;
			*next = p == hi ? lo : (uint16_t)(p + 1);
			return p;
		}
		p = p == hi ? lo : (uint16_t)(p + 1);
	}
	return 0;
}
