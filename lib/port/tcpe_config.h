/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine's configuration: an INI file (config/tcpe.conf, read with
 * rte_cfgfile) plus `--set section.key=value` overrides. Every key is
 * described by a table (name, type, default, range, help) using the core's
 * tcpe_params mechanism, so unknown keys, malformed values and values out
 * of range stop start-up with a message naming the key and the range.
 */
#ifndef TCPE_CONFIG_H
#define TCPE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "tcpe_params.h"

#define TCPE_CFG_STR	128

/* [eal] */
struct tcpe_eal_cfg {
	char lcores[TCPE_CFG_STR];	/* lcores = 0        EAL -l list */
	uint32_t memory_mb;		/* memory_mb = 512   EAL -m */
	uint32_t no_huge;		/* no_huge = 1       --no-huge */
	uint32_t no_pci;		/* no_pci = 1        --no-pci */
	char file_prefix[TCPE_CFG_STR];	/* file_prefix = tcpe */
	char log_level[TCPE_CFG_STR];	/* log_level = notice */
	char extra[TCPE_CFG_STR * 2];	/* extra = (raw EAL arguments) */
};

/* [port] */
struct tcpe_port_cfg {
	char vdev[TCPE_CFG_STR * 2];	/* vdev = net_tap0,iface=tcpe0 ("" = use port 0 as probed) */
	uint32_t addr;			/* addr = 198.18.0.2 (host order) */
	uint32_t prefix;		/* prefix = 24 */
	uint32_t gateway;		/* gateway = 0.0.0.0 (none) */
	uint8_t mac[6];			/* mac = 00:00:00:00:00:00 (keep the device's) */
	uint32_t mtu;			/* mtu = 1500 */
	uint32_t rx_desc;		/* rx_desc = 1024 */
	uint32_t tx_desc;		/* tx_desc = 1024 */
	uint32_t arp_pending;		/* arp_pending = 64 packets held per unresolved next hop */
	uint32_t arp_timeout_s;		/* arp_timeout_s = 300 */
	uint32_t queues;		/* queues = 0 (one pair per worker) */
	uint32_t rss_key;		/* rss_key = default (enum tcpe_rss_key_kind) */
	uint32_t csum;			/* csum = auto (enum tcpe_csum_mode) */
};

/*
 * [port] csum: who checks TCP checksums.
 *
 * auto: the device where it offers to (RX verdict, TX offload), software
 * otherwise (rx_tcp_csum_sw, tx_csum_sw).
 *
 * trust: FOR A NET_MEMIF OR NET_RING LINK BETWEEN TWO TCPE ENGINES THAT
 * BOTH SET IT, AND NOTHING ELSE. Received TCP checksums are taken as good
 * without being computed (rx_tcp_csum_trust; a device's "bad" verdict
 * still drops) and transmitted ones are left 0 (tx_csum_trust): no
 * checksum work at all, as between two NICs with full offload. Shared
 * memory cannot flip a bit, so nothing is lost there; but a kernel, a
 * NIC's peer or an engine set to auto drops every TCP segment such an
 * engine sends, and a corrupted frame would be delivered. Hence: refused
 * on net_tap (the peer is the kernel), refused with [fault] rx_corrupt or
 * tx_corrupt (tcpe_config_check()), and a warning at start on any other
 * device than net_memif and net_ring. IPv4 header and ICMP checksums are
 * still computed and checked (a few dozen instructions per frame).
 */
enum tcpe_csum_mode {
	TCPE_CSUM_AUTO = 0,
	TCPE_CSUM_TRUST,
};

extern const char *const tcpe_csum_names[];

/* [pool] */
struct tcpe_pool_cfg {
	uint32_t mbufs;			/* mbufs = 16383 per worker */
	uint32_t cache;			/* cache = 256 */
	uint32_t data_room;		/* data_room = 2176 (RTE_MBUF_DEFAULT_BUF_SIZE) */
};

/* [lcores] */
struct tcpe_lcores_cfg {
	uint32_t workers;		/* workers = 1 */
	uint32_t burst;			/* burst = 32 */
	uint32_t steering;		/* steering = auto (enum tcpe_steering) */
	uint32_t steer_ring;		/* steer_ring = 4096 frames per ring */
};

/* [lcores] steering: how flows reach the worker that owns them. */
enum tcpe_steering {
	TCPE_STEER_AUTO = 0,	/* rss if the device can, else software */
	TCPE_STEER_RSS,		/* device RSS with our key and RETA */
	TCPE_STEER_SOFTWARE,	/* a queue per worker, misdirected handed over */
	TCPE_STEER_DISPATCH,	/* one RX queue, worker 0 hands out */
};

extern const char *const tcpe_steering_names[];

/*
 * [fault]: the faults injected in one direction of the port (rx: right
 * after rx_burst, tx: right before tx_burst; tcpe_fault.h). Probabilities
 * are integers in parts per million: 10000 is 1 %, 1000000 every frame.
 */
struct tcpe_fault_dir_cfg {
	uint32_t loss;			/* rx_loss = 0       frames dropped, ppm */
	uint32_t dup;			/* rx_dup = 0        frames sent twice, ppm */
	uint32_t reorder;		/* rx_reorder = 0    frames held back, ppm */
	uint32_t reorder_depth;		/* rx_reorder_depth = 3 frames that overtake one */
	uint32_t corrupt;		/* rx_corrupt = 0    one bit flipped, ppm */
	uint32_t delay_us;		/* rx_delay_us = 0   added to every frame */
};

/* [fault] */
struct tcpe_fault_cfg {
	uint32_t seed;			/* seed = 0          0: random per start */
	uint32_t hold;			/* hold = 4096       frames held per queue */
	struct tcpe_fault_dir_cfg rx;
	struct tcpe_fault_dir_cfg tx;
};

struct tcpe_config {
	struct tcpe_eal_cfg eal;
	struct tcpe_port_cfg port;
	struct tcpe_pool_cfg pool;
	struct tcpe_lcores_cfg lcores;
	struct tcpe_tcp_cfg tcp;
	struct tcpe_fault_cfg fault;
};

/*
 * The tables of the [eal], [port], [pool], [lcores] and [fault] sections
 * (keys, defaults, ranges, help: tcpe_config.c); [tcp] is the core's
 * tcpe_tcp_params.
 */
extern const struct tcpe_param_section tcpe_eal_params;
extern const struct tcpe_param_section tcpe_port_params;
extern const struct tcpe_param_section tcpe_pool_params;
extern const struct tcpe_param_section tcpe_lcores_params;
extern const struct tcpe_param_section tcpe_fault_params;

/*
 * Section i of the configuration, in file order (eal, port, pool, lcores,
 * tcp, fault), and in *offset (if not NULL) where its struct lies in struct
 * tcpe_config. NULL when i is past the last. Any thread.
 */
const struct tcpe_param_section *tcpe_config_section(size_t i,
    size_t *offset);

/*
 * Write every default into cfg (the whole struct: padding and the tail of
 * every string are zeroed, so two default configs compare equal with
 * memcmp). Any thread.
 */
void tcpe_config_defaults(struct tcpe_config *cfg);

/*
 * Load path (INI) into cfg, on top of what cfg holds: keys absent from the
 * file keep their value. All or nothing: on error cfg is unchanged.
 *
 * Syntax: "[section]" lines and "key = value" lines; ';' and '#' start a
 * comment anywhere on a line (so no value can contain them); whitespace
 * around names and values is ignored; a value may contain '=' (the line is
 * split at the first one) and may be empty (a string key then becomes "").
 * A section may appear more than once; a key may be given once per file.
 * Lines are at most 322 characters, values 255 (rte_cfgfile's limits).
 *
 * Returns 0 or a negative errno with err (if not NULL) filled, prefixed
 * with the path and, when known, the line ("tcpe.conf:12: "):
 *	-errno of fopen()/read	"<path>: cannot read: <strerror>"
 *	-ENOENT			"<path>:<n>: [prot]: unknown section
 *				(expected eal, port, pool, lcores, tcp or
 *				fault)",
 *				"<path>:<n>: [port] adress: unknown key"
 *	-EINVAL			a malformed value (tcpe_param_set()'s message,
 *				naming section, key and range), a line that is
 *				not "[section]", "key = value" or a comment, a
 *				key before the first section, a key given twice
 *	-ERANGE			a value out of range (names key and range)
 *	-ENOMEM
 * Reads the file with DPDK's cfgfile library, which needs no EAL: call it
 * before rte_eal_init() (that is the point: [eal] builds its arguments).
 * Any thread; not from an lcore's loop (file I/O).
 */
int tcpe_config_load(struct tcpe_config *cfg, const char *path, char *err,
    size_t errlen);

/*
 * Apply one "section.key=value" override (--set), split at the first '='
 * (the value may contain '=' and spaces) and at the first '.' before it;
 * whitespace around section, key and value is ignored; no comments. On
 * error cfg is unchanged. Returns 0, or with err (if not NULL) filled:
 *	-EINVAL	"--set \"addr=1\": expected section.key=value" (no '=', or
 *		no '.' before it), or a malformed value
 *		("--set: [port] mtu: \"x\" is not a decimal integer ...")
 *	-ENOENT	"--set: [prot]: unknown section (expected eal, port, pool,
 *		lcores, tcp or fault)", "--set: [port] adress: unknown key"
 *	-ERANGE	"--set: [port] mtu: 9001 out of range 576..9000"
 * Any thread.
 */
int tcpe_config_set(struct tcpe_config *cfg, const char *assignment,
    char *err, size_t errlen);

/*
 * Cross-key checks once everything is applied (file, then --set), and
 * every field against its table (for fields set by code). Returns 0, or
 * -ERANGE (-EINVAL for a string with a bad character) with err filled:
 *	[tcp]: tcpe_tcp_cfg_check() (the RTO bounds);
 *	[port] addr: not 0.0.0.0/8, 127.0.0.0/8 or 224.0.0.0/3, and for a
 *	    prefix up to /30 neither the network nor the broadcast address;
 *	[port] gateway: 0.0.0.0 (none) or a host of addr/prefix other than
 *	    addr ("out of range 198.18.0.1..198.18.0.254 (...)");
 *	[port] mac: 00:00:00:00:00:00 (the device's) or unicast;
 *	[pool] cache: cache * 1.5 <= mbufs (rte_mempool_create() refuses
 *	    more), reported as "out of range 0..<max>";
 *	[pool] data_room: at least RTE_PKTMBUF_HEADROOM + [port] mtu + 18
 *	    (Ethernet header and CRC), so a full frame fits one mbuf;
 *	[port] csum = trust with [fault] rx_corrupt or tx_corrupt above 0:
 *	    -EINVAL, "[port] csum = trust cannot be combined with [fault]
 *	    rx_corrupt = N ..." (a trusted checksum would let the corrupted
 *	    frame through; the fault layer's corruption needs csum = auto).
 * Any thread.
 */
int tcpe_config_check(const struct tcpe_config *cfg, char *err,
    size_t errlen);

/*
 * Print every section and key with default, range and help (--help-config)
 * to file (a FILE *), one "key = default  ; range; help" line each: the
 * output is itself a config file that loads to the defaults. Any thread.
 */
void tcpe_config_help(void *file);

/*
 * Print the effective configuration to file (a FILE *) as an INI file that
 * tcpe_config_load() reads back to the same values. Any thread.
 */
void tcpe_config_dump(const struct tcpe_config *cfg, void *file);

#endif /* TCPE_CONFIG_H */
