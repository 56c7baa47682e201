/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL start from the [eal] section, the port of the [port] section (one
 * RX/TX queue pair per worker, offloads the device offers), mbuf pools,
 * lcores and the TSC clock.
 */
/* rte_eth_dev_conf_get() (an embedding host's offloads) is experimental. */
#define ALLOW_EXPERIMENTAL_API 1

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tcpe_config.h"
#include "tcpe_dp.h"
#include "tcpe_rss.h"

#define EAL_ARGS_MAX	64
#define EAL_BUF		2048

/* TX offloads tcpe uses when the device has them. */
#define TX_WANT	(RTE_ETH_TX_OFFLOAD_MULTI_SEGS | \
		 RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM)
#define RX_WANT	(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | \
		 RTE_ETH_RX_OFFLOAD_TCP_CKSUM)

/* --- EAL ------------------------------------------------------------------ */

/* The EAL may keep pointers into argv: the strings live for the process. */
static char eal_buf[EAL_BUF];
static char *eal_argv[EAL_ARGS_MAX + 1];

struct argb {
	char *p;
	size_t left;
	int argc;
};

static int
arg_add(struct argb *b, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > b->left || b->argc >= EAL_ARGS_MAX)
		return -E2BIG;
	memcpy(b->p, s, n);
	eal_argv[b->argc++] = b->p;
	b->p += n;
	b->left -= n;
	return 0;
}

/*
 * rte_eal_cleanup() leaves the runtime directory (/var/run/dpdk/<prefix>:
 * config, fbarray and socket files) behind, and so does a failed
 * rte_eal_init(); tcpe runs as a lone primary process, so nothing else
 * needs it once its EAL is gone.
 */
static void
remove_runtime_dir(const char *dir)
{
	char path[PATH_MAX + 256];
	struct dirent *d;
	DIR *dh;

	if (dir == NULL || dir[0] == '\0')
		return;
	dh = opendir(dir);
	if (dh == NULL)
		return;
	while ((d = readdir(dh)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		(void)unlink(path);
	}
	closedir(dh);
	(void)rmdir(dir);
}

int
tcpe_eal_start(const struct tcpe_config *cfg, const char *argv0, char *err,
    size_t errlen)
{
	const struct tcpe_eal_cfg *e = &cfg->eal;
	struct argb b = { eal_buf, sizeof(eal_buf), 0 };
	char num[32], tok[TCPE_CFG_STR * 2];
	const char *s;
	size_t n;
	int rc = 0, i;

	rc |= arg_add(&b, argv0 != NULL ? argv0 : "tcpe");
	rc |= arg_add(&b, "-l");
	rc |= arg_add(&b, e->lcores);
	if (e->no_huge)
		rc |= arg_add(&b, "--no-huge");
	snprintf(num, sizeof(num), "%u", (unsigned int)e->memory_mb);
	rc |= arg_add(&b, "-m");
	rc |= arg_add(&b, num);
	if (e->no_pci)
		rc |= arg_add(&b, "--no-pci");
	if (e->file_prefix[0] != '\0') {
		rc |= arg_add(&b, "--file-prefix");
		rc |= arg_add(&b, e->file_prefix);
	}
	if (e->log_level[0] != '\0') {
		rc |= arg_add(&b, "--log-level");
		rc |= arg_add(&b, e->log_level);
	}
	if (cfg->port.vdev[0] != '\0') {
		rc |= arg_add(&b, "--vdev");
		rc |= arg_add(&b, cfg->port.vdev);
	}
	/* extra: raw EAL arguments, split at whitespace. */
	for (s = e->extra; *s != '\0';) {
		while (*s == ' ' || *s == '\t')
			s++;
		for (n = 0; s[n] != '\0' && s[n] != ' ' && s[n] != '\t'; n++)
			;
		if (n == 0)
			break;
		if (n >= sizeof(tok)) {
			rc = -E2BIG;
			break;
		}
		memcpy(tok, s, n);
		tok[n] = '\0';
		rc |= arg_add(&b, tok);
		s += n;
	}
	if (rc != 0) {
		snprintf(err, errlen, "[eal]: too many or too long arguments");
		return -E2BIG;
	}
	eal_argv[b.argc] = NULL;
	/* For the message: rte_eal_init() permutes argv. */
	snprintf(err, errlen, "rte_eal_init (");
	for (i = 0; i < b.argc; i++) {
		n = strlen(err);
		snprintf(err + n, errlen - n, "%s%s", i ? " " : "",
		    eal_argv[i]);
	}
	rc = rte_eal_init(b.argc, eal_argv);
	if (rc < 0) {
		rc = rte_errno != 0 ? rte_errno : EINVAL;
		n = strlen(err);
		snprintf(err + n, errlen - n, "): %s", rte_strerror(rc));
		remove_runtime_dir(rte_eal_get_runtime_dir());
		return -rc;
	}
	err[0] = '\0';
	return 0;
}

void
tcpe_eal_stop(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_runtime_dir(dir);
}


/* --- clock ---------------------------------------------------------------- */

__extension__ typedef unsigned __int128 u128;

static uint64_t tsc0;
static uint64_t ns_mult;	/* ns per TSC tick, 32.32 fixed point */

void
tcpe_clock_init(void)
{
	uint64_t hz = rte_get_tsc_hz();

	tsc0 = rte_rdtsc();
	ns_mult = (uint64_t)(((u128)1000000000u << 32) / (hz ? hz : 1));
}

uint64_t
tcpe_clock_ns(void)
{
	return (uint64_t)(((u128)(rte_rdtsc() - tsc0) * ns_mult) >> 32);
}

/* --- port ----------------------------------------------------------------- */

static bool
mac_zero(const uint8_t *m)
{
	static const uint8_t z[6];

	return memcmp(m, z, 6) == 0;
}

int
tcpe_port_probe(const struct tcpe_port_cfg *pc, struct tcpe_port *p,
    char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t pid = RTE_MAX_ETHPORTS;
	size_t n;
	int rc;

	memset(p, 0, sizeof(*p));
	if (pc->vdev[0] != '\0') {
		n = strcspn(pc->vdev, ",");
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, pc->vdev, n);
		name[n] = '\0';
		if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
			snprintf(err, errlen, "[port] vdev: no port %s", name);
			return -ENODEV;
		}
	} else {
		RTE_ETH_FOREACH_DEV(pid)
			break;
		if (pid >= RTE_MAX_ETHPORTS) {
			snprintf(err, errlen, "[port] vdev is empty and no "
			    "port was probed");
			return -ENODEV;
		}
	}
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc == 0)
		rc = rte_eth_macaddr_get(pid, &mac);
	if (rc != 0) {
		snprintf(err, errlen, "port %u: %s", pid, rte_strerror(-rc));
		return rc;
	}
	p->port_id = pid;
	snprintf(p->driver, sizeof(p->driver), "%s",
	    info.driver_name != NULL ? info.driver_name : "?");
	RTE_BUILD_BUG_ON(sizeof(p->name) < RTE_ETH_NAME_MAX_LEN);
	if (rte_eth_dev_get_name_by_port(pid, p->name) != 0)
		snprintf(p->name, sizeof(p->name), "port%u", pid);
	memcpy(p->dev_mac, &mac, 6);
	p->max_queues = RTE_MIN(info.max_rx_queues, info.max_tx_queues);
	p->max_rx = info.max_rx_queues;
	p->max_tx = info.max_tx_queues;
	/*
	 * Usable RSS: the device hashes IPv4/TCP, delivers the hash, takes a
	 * 40-byte key and has a RETA we can fill (so that our software copy
	 * of key and RETA predicts where each flow lands).
	 */
	p->reta_size = info.reta_size;
	p->rss = (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH) &&
	    (info.flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV4_TCP) &&
	    info.hash_key_size == TCPE_RSS_KEY_LEN && info.reta_size > 0 &&
	    info.reta_size <= TCPE_RETA_MAX &&
	    (info.reta_size & (info.reta_size - 1)) == 0;
	return 0;
}

/*
 * tcpe's MAC: the configured one, else a locally administered unicast
 * address derived from the device's, different from it. On net_tap the
 * kernel interface has the device's MAC, so tcpe must not use it.
 */
static void
pick_mac(const struct tcpe_port_cfg *pc, struct tcpe_port *p)
{
	if (!mac_zero(pc->mac)) {
		memcpy(p->mac, pc->mac, 6);
		return;
	}
	memcpy(p->mac, p->dev_mac, 6);
	p->mac[0] = 0x02;
	if (memcmp(p->mac, p->dev_mac, 6) == 0)
		p->mac[5] ^= 0x01;
}

/* Program the device's RETA from rss's (entry e -> rss's e % size). */
static int
reta_fill(uint16_t pid, uint16_t size, const struct tcpe_rss *rss,
    uint16_t nrxq)
{
	struct rte_eth_rss_reta_entry64 reta[TCPE_RETA_MAX /
	    RTE_ETH_RETA_GROUP_SIZE];
	uint16_t e, q;

	memset(reta, 0, sizeof(reta));
	for (e = 0; e < size; e++) {
		q = rss->reta[e % rss->reta_size];
		if (q >= nrxq)
			q = (uint16_t)(q % nrxq);
		reta[e / RTE_ETH_RETA_GROUP_SIZE].mask |=
		    1ULL << (e % RTE_ETH_RETA_GROUP_SIZE);
		reta[e / RTE_ETH_RETA_GROUP_SIZE].reta[e %
		    RTE_ETH_RETA_GROUP_SIZE] = q;
	}
	return rte_eth_dev_rss_reta_update(pid, reta, size);
}

int
tcpe_port_start(struct tcpe_port *p, const struct tcpe_port_cfg *pc,
    uint16_t nrxq, uint16_t ntxq, const struct tcpe_rss *rss, char *err,
    size_t errlen)
{
	struct rte_mempool *const *pools = p->pools;
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	struct rte_ether_addr ea;
	uint8_t key[TCPE_RSS_KEY_LEN];
	uint16_t rxd, txd, q, pid = p->port_id;
	bool tap;
	int rc;

	rc = rte_eth_dev_info_get(pid, &info);
	if (rc != 0)
		goto fail;
	if (nrxq == 0 || ntxq == 0 || nrxq > p->max_rx || ntxq > p->max_tx ||
	    nrxq > p->npools) {
		snprintf(err, errlen, "port %u: %u RX and %u TX queues, the "
		    "device has %u and %u", pid, nrxq, ntxq, p->max_rx,
		    p->max_tx);
		return -EINVAL;
	}
	if (pc->csum == TCPE_CSUM_TRUST && strcmp(p->driver, "net_tap") == 0) {
		snprintf(err, errlen, "[port] csum = trust on %s: the kernel "
		    "on the other side drops every segment without a "
		    "checksum; trust is for net_memif or net_ring between two "
		    "tcpe engines", p->driver);
		return -EINVAL;
	}
	memset(&conf, 0, sizeof(conf));
	conf.txmode.offloads = info.tx_offload_capa & TX_WANT;
	conf.rxmode.offloads = info.rx_offload_capa & RX_WANT;
	conf.rxmode.mtu = pc->mtu;
	p->rss_on = false;
	if (nrxq > 1 && p->rss && rss != NULL) {
		memcpy(key, rss->key, sizeof(key));
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(key);
		conf.rx_adv_conf.rss_conf.rss_hf =
		    RTE_ETH_RSS_NONFRAG_IPV4_TCP & info.flow_type_rss_offloads;
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
		p->rss_on = true;
	}
	rc = rte_eth_dev_configure(pid, nrxq, ntxq, &conf);
	if (rc != 0 && nrxq != ntxq) {
		/*
		 * Some drivers (net_tap) want as many TX queues as RX: the
		 * workers without one hand their frames over (tcpe_steer.c).
		 */
		ntxq = RTE_MIN(nrxq, ntxq);
		rc = rte_eth_dev_configure(pid, nrxq, ntxq, &conf);
	}
	if (rc != 0)
		goto fail;
	p->configured = true;
	rxd = (uint16_t)RTE_MIN(pc->rx_desc, (uint32_t)UINT16_MAX);
	txd = (uint16_t)RTE_MIN(pc->tx_desc, (uint32_t)UINT16_MAX);
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &rxd, &txd);
	if (rc != 0)
		goto fail;
	for (q = 0; q < nrxq; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, rxd,
		    (unsigned int)pools[q]->socket_id, NULL, pools[q]);
		if (rc != 0)
			goto fail;
	}
	for (q = 0; q < ntxq; q++) {
		rc = rte_eth_tx_queue_setup(pid, q, txd,
		    (unsigned int)pools[q % p->npools]->socket_id, NULL);
		if (rc != 0)
			goto fail;
	}
	p->nq = RTE_MIN(nrxq, ntxq);
	p->nrxq = nrxq;
	p->ntxq = ntxq;
	p->dp_flags = 0;
	if (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		p->dp_flags |= TCPE_DP_TX_MULTISEG;
	if (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)
		p->dp_flags |= TCPE_DP_TX_IP_CSUM;
	if (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM)
		p->dp_flags |= TCPE_DP_TX_TCP_CSUM;
	if (pc->csum == TCPE_CSUM_TRUST) {
		/* tcpe_config.h: engine to engine over shared memory only. */
		if (strcmp(p->driver, "net_memif") != 0 &&
		    strcmp(p->driver, "net_ring") != 0)
			printf("tcpe: WARNING: [port] csum = trust on %s: "
			    "only a tcpe engine with csum = trust on a link "
			    "that cannot corrupt frames accepts what this "
			    "port sends\n", p->driver);
		printf("tcpe: [port] csum = trust: TCP checksums neither "
		    "verified nor filled (engine-to-engine link only)\n");
		p->dp_flags |= TCPE_DP_CSUM_TRUST;
	}

	pick_mac(pc, p);
	memcpy(&ea, p->mac, 6);
	/*
	 * net_tap applies a MAC change to the kernel interface as well, which
	 * would give both sides one address again: leave the device alone;
	 * the tap delivers every frame the kernel sends anyway. Elsewhere
	 * make the device accept our address, or everything.
	 */
	tap = strcmp(p->driver, "net_tap") == 0;
	if (!tap && memcmp(p->mac, p->dev_mac, 6) != 0 &&
	    rte_eth_dev_default_mac_addr_set(pid, &ea) != 0 &&
	    rte_eth_dev_mac_addr_add(pid, &ea, 0) != 0)
		(void)rte_eth_promiscuous_enable(pid);

	rc = rte_eth_dev_start(pid);
	if (rc != 0)
		goto fail;
	p->started = true;
	/*
	 * Our RETA, so that software predicts the queue of every flow (the
	 * choice of source ports depends on it). A device that refuses
	 * keeps its own: RSS stays on, the hash is still read from the
	 * mbuf, and frames it puts on the wrong queue are handed over.
	 */
	if (p->rss_on && reta_fill(pid, info.reta_size, rss, nrxq) != 0)
		p->reta_size = 0;
	return 0;
fail:
	snprintf(err, errlen, "port %u (%s): %s", pid, p->driver,
	    rte_strerror(rc < 0 ? -rc : rc));
	return rc < 0 ? rc : -rc;
}

void
tcpe_port_stop(struct tcpe_port *p)
{
	uint16_t i;

	if (p->started)
		(void)rte_eth_dev_stop(p->port_id);
	if (p->configured)
		(void)rte_eth_dev_close(p->port_id);
	p->started = false;
	p->configured = false;
	for (i = 0; i < p->npools; i++)
		rte_mempool_free(p->pools[i]);
	free(p->pools);
	p->pools = NULL;
	p->npools = 0;
}

uint32_t
tcpe_port_dp_flags(uint16_t port_id, bool *valid)
{
	struct rte_eth_conf conf;
	uint32_t f = 0;

	*valid = rte_eth_dev_is_valid_port(port_id) &&
	    rte_eth_dev_conf_get(port_id, &conf) == 0;
	if (!*valid)
		return 0;
	if (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		f |= TCPE_DP_TX_MULTISEG;
	if (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)
		f |= TCPE_DP_TX_IP_CSUM;
	if (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM)
		f |= TCPE_DP_TX_TCP_CSUM;
	return f;
}

/* --- pools ---------------------------------------------------------------- */

int
tcpe_port_pools(struct tcpe_port *p, uint16_t n,
    const struct tcpe_pool_cfg *pc, const unsigned int *lcores, char *err,
    size_t errlen)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	uint32_t cache = pc->cache;
	unsigned int s;
	uint16_t i;

	p->pools = calloc(n, sizeof(p->pools[0]));
	if (p->pools == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* The mempool library wants cache <= n / 1.5 and <= its maximum. */
	if (cache > RTE_MEMPOOL_CACHE_MAX_SIZE)
		cache = RTE_MEMPOOL_CACHE_MAX_SIZE;
	if ((uint64_t)cache * 3 > (uint64_t)pc->mbufs * 2)
		cache = pc->mbufs * 2 / 3;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "tcpe_w%u", i);
		s = rte_lcore_to_socket_id(lcores[i]);
		p->pools[i] = rte_pktmbuf_pool_create(name, pc->mbufs, cache,
		    0, (uint16_t)RTE_MIN(pc->data_room, (uint32_t)UINT16_MAX),
		    s == (unsigned int)SOCKET_ID_ANY ? SOCKET_ID_ANY : (int)s);
		if (p->pools[i] == NULL) {
			snprintf(err, errlen, "[pool] mbufs = %u: pool %s on "
			    "socket %d: %s (is [eal] memory_mb large enough?)",
			    pc->mbufs, name, (int)s, rte_strerror(rte_errno));
			return -ENOMEM;
		}
		p->npools = (uint16_t)(i + 1);
	}
	return 0;
}

uint32_t
tcpe_pool_in_use(const struct rte_mempool *mp)
{
	return rte_mempool_in_use_count(mp);
}

uint32_t
tcpe_pool_size(const struct rte_mempool *mp)
{
	return mp->size;
}

/* --- lcores --------------------------------------------------------------- */

unsigned int
tcpe_lcores(unsigned int *ids, unsigned int max)
{
	unsigned int n = 0, l;

	if (max == 0)
		return 0;
	ids[n++] = rte_get_main_lcore();
	RTE_LCORE_FOREACH_WORKER(l) {
		if (n == max)
			break;
		ids[n++] = l;
	}
	return n;
}

unsigned int
tcpe_lcore_self(void)
{
	return rte_lcore_id();
}

int
tcpe_lcore_socket(unsigned int lcore)
{
	unsigned int s = rte_lcore_to_socket_id(lcore);

	return s == (unsigned int)SOCKET_ID_ANY ? -1 : (int)s;
}

int
tcpe_lcore_launch(unsigned int lcore, int (*fn)(void *), void *arg)
{
	return rte_eal_remote_launch(fn, arg, lcore);
}

int
tcpe_lcore_wait(unsigned int lcore)
{
	return rte_eal_wait_lcore(lcore);
}
