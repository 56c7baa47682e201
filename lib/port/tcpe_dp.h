/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data plane of one worker (DESIGN.md section 2): everything between a
 * received frame and tcpe_stack_input(), and between a struct tcpe_oseg
 * and a transmitted frame. Ethernet demux, ARP (answer, learn, resolve with
 * a bounded pending queue per next hop), IPv4 checks, ICMP echo, TCP
 * parsing, and the mbuf implementation of struct tcpe_buf_ops.
 *
 * A struct tcpe_dp belongs to one lcore: nothing here takes a lock or
 * touches another worker's state. It runs in two modes:
 *  - polled (tcpe_run()): tcpe_dp_poll() is one iteration of the
 *    run-to-completion loop on the worker's own RX/TX queue pair;
 *  - embedded (tcpe_embed_*()): the host passes received frames to
 *    tcpe_dp_input(), time to tcpe_dp_timers() and collects frames with
 *    tcpe_dp_take(). Both modes share every function below but poll/flush.
 *
 * Internal to tcpe: lib/api builds the public API on it. This header names
 * DPDK types only as incomplete structs, so lib/api never sees rte_*.
 */
#ifndef TCPE_DP_H
#define TCPE_DP_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpe_conn.h"
#include "tcpe_fault.h"
#include "tcpe_stack.h"

struct rte_mbuf;
struct rte_mempool;
struct rte_ring;
struct tcpe_rss;

/*
 * Engine counters of one worker, summed over workers when printed. Every
 * frame that is dropped is counted under exactly one reason.
 */
#define TCPE_DP_CTR_LIST(X) \
	X(RX_PKTS, "rx_pkts", "frames received") \
	X(RX_BYTES, "rx_bytes", "bytes received (frames)") \
	X(TX_PKTS, "tx_pkts", "frames sent (or handed to the host)") \
	X(TX_BYTES, "tx_bytes", "bytes sent (frames)") \
	X(RX_BAD_ETH, "rx_bad_eth", "runt frames") \
	X(RX_L2_OTHER, "rx_l2_other", "frames to another MAC address") \
	X(RX_OTHER_ETHERTYPE, "rx_other_ethertype", "neither IPv4 nor ARP") \
	X(RX_LINEARIZED, "rx_linearized", "chained frames made contiguous") \
	X(RX_SEGMENTED, "rx_segmented", "chained frames that could not be") \
	X(RX_BAD_IP, "rx_bad_ip", "malformed IPv4 header or address") \
	X(RX_IP_CSUM, "rx_ip_csum", "bad IPv4 header checksum") \
	X(RX_FRAG, "rx_frag", "IPv4 fragments (no reassembly)") \
	X(RX_NOT_LOCAL, "rx_not_local", "IPv4 to another address") \
	X(RX_OTHER_PROTO, "rx_other_proto", "IPv4 neither TCP nor ICMP") \
	X(RX_BAD_TCP, "rx_bad_tcp", "malformed TCP header") \
	X(RX_TCP_CSUM, "rx_tcp_csum", "bad TCP checksum") \
	X(RX_TCP_CSUM_HW, "rx_tcp_csum_hw", "TCP checksums the NIC checked") \
	X(RX_TCP_CSUM_SW, "rx_tcp_csum_sw", \
	    "TCP checksums verified in software") \
	X(RX_TCP_CSUM_TRUST, "rx_tcp_csum_trust", \
	    "TCP checksums not verified: [port] csum = trust") \
	X(RX_BAD_ICMP, "rx_bad_icmp", "malformed or bad checksum ICMP") \
	X(RX_ICMP_OTHER, "rx_icmp_other", "ICMP other than echo request") \
	X(ICMP_ECHO, "icmp_echo", "echo requests answered") \
	X(ARP_RX_REQUEST, "arp_rx_request", "ARP requests for our address") \
	X(ARP_RX_REPLY, "arp_rx_reply", "ARP replies to us") \
	X(ARP_RX_OTHER, "arp_rx_other", "ARP not for us (learned from)") \
	X(ARP_BAD, "arp_bad", "malformed ARP") \
	X(ARP_CONFLICT, "arp_conflict", "another host claims our address") \
	X(ARP_TX_REQUEST, "arp_tx_request", "ARP requests sent") \
	X(ARP_TX_REPLY, "arp_tx_reply", "ARP replies sent") \
	X(ARP_PENDING_DROP, "arp_pending_drop", \
	    "frames dropped: next hop's pending queue full") \
	X(ARP_UNRESOLVED, "arp_unresolved", \
	    "frames dropped: next hop never answered") \
	X(ARP_TABLE_FULL, "arp_table_full", "frames dropped: ARP table full") \
	X(TX_NO_ROUTE, "tx_no_route", "frames dropped: no gateway") \
	X(TX_NOMBUF, "tx_nombuf", "segments dropped: no mbuf for headers") \
	X(TX_CSUM_SW, "tx_csum_sw", "TCP checksums computed in software") \
	X(TX_CSUM_TRUST, "tx_csum_trust", \
	    "TCP checksums left empty: [port] csum = trust") \
	X(TX_REFUSED, "tx_refused", \
	    "frames tx_burst refused, link up: ring full (retried)") \
	X(TX_LINK_DOWN, "tx_link_down", \
	    "holds: tx_burst refused all, link down (staging kept)") \
	X(TX_LINK_UP, "tx_link_up", \
	    "holds ended: the link took frames again") \
	X(TX_DROPPED, "tx_dropped", "frames dropped: TX staging full") \
	X(TX_DOWN_DROPPED, "tx_down_dropped", \
	    "frames dropped: TX staging full while the link was down") \
	X(TX_OUT_FULL, "tx_out_full", "core output array filled (resumed)") \
	X(STEER_FWD, "steer_fwd", \
	    "misdirected: frames handed to their owner lcore") \
	X(STEER_IN, "steer_in", "frames received from another lcore") \
	X(STEER_BACKLOG, "steer_backlog", \
	    "frames held: owner's ring full (retried)") \
	X(STEER_DROP, "steer_drop", \
	    "frames dropped: owner's ring and backlog full") \
	X(STEER_ARP, "steer_arp", "ARP frames shown to the other lcores") \
	X(STEER_WRONG, "steer_wrong", \
	    "TCP segments handled off their owner lcore (always 0)") \
	X(SYNACK_RX, "synack_rx", "SYN-ACKs received from the device") \
	X(SYNACK_FWD, "synack_fwd", "SYN-ACKs handed to their owner lcore") \
	X(SYNACK_OWNED, "synack_owned", \
	    "SYN-ACKs handled on their owner lcore") \
	X(TX_RING, "tx_ring", \
	    "frames handed to the lcore owning the TX queue") \
	X(RSS_MISMATCH, "rss_mismatch", \
	    "SYNs whose device hash is not our Toeplitz (key or RETA lost)")

enum tcpe_dp_ctr {
#define TCPE_DP_CTR_ENUM(id, name, help) TCPE_DP_##id,
	TCPE_DP_CTR_LIST(TCPE_DP_CTR_ENUM)
#undef TCPE_DP_CTR_ENUM
	TCPE_DP_CTR_N
};

/* Name of counter i, NULL out of range. Any thread. */
const char *tcpe_dp_ctr_name(int i);

/* Mode and device capabilities (struct tcpe_dp.flags). */
#define TCPE_DP_EMBED		0x01	/* embedded: the host polls */
#define TCPE_DP_TX_MULTISEG	0x02	/* chain payload, else copy it */
#define TCPE_DP_TX_IP_CSUM	0x04	/* device fills IPv4 checksums */
#define TCPE_DP_TX_TCP_CSUM	0x08	/* device fills TCP checksums */
/*
 * [port] csum = trust: received TCP checksums are taken as good without
 * being computed, and transmitted ones are left 0. Only for a link that
 * cannot corrupt a frame between two tcpe engines configured alike
 * (net_memif, net_ring); any other peer drops every frame (tcpe_config.h).
 */
#define TCPE_DP_CSUM_TRUST	0x10

struct tcpe_arp_entry;
struct tcpe_ext;

/* What tcpe_dp_init() needs; addresses in host byte order. */
struct tcpe_dp_params {
	const struct tcpe_tcp_cfg *tcp;
	struct rte_mempool *pool;	/* headers, copies, ARP, attachments */
	uint16_t port_id;		/* polled mode only */
	uint16_t queue_id;
	uint32_t flags;			/* TCPE_DP_* */
	uint32_t burst;			/* RX burst, TX batch: 1..512 */
	uint32_t tx_cap;		/* frames staged before tx_dropped */
	uint32_t addr;
	uint32_t prefix;		/* 0..32 */
	uint32_t gateway;		/* 0: none */
	uint8_t mac[6];
	uint16_t mtu;
	uint32_t arp_pending;		/* frames held per next hop */
	uint32_t arp_timeout_s;		/* REACHABLE lifetime */
	uint16_t port_lo;		/* ephemeral ports, inclusive */
	uint16_t port_hi;
	uint64_t secret[2];		/* ISN key (RFC 6528) */
	/* [fault] (NULL or every fault off: none); queue_id picks the
	 * worker's random streams. */
	const struct tcpe_fault_cfg *fault;
	tcpe_time_t now;
	/*
	 * Steering (tcpe_steer.c), several workers on one port: rss (shared,
	 * read-only; NULL: one worker, software tuple hash), this worker's
	 * index among nworkers, whether it polls RX queue queue_id and
	 * whether the device fills the RSS hash (hardware RSS with rss's
	 * key and RETA). tcpe_steer_setup() connects the workers.
	 */
	const struct tcpe_rss *rss;
	uint16_t wid;
	uint16_t nworkers;
	bool rx_poll;
	bool rx_hash;
	/* Called after each input batch and timer run: the owner dispatches
	 * the stack's events (lib/api). May be NULL. */
	void (*on_events)(void *owner);
	void *owner;			/* also the stack's app pointer */
};

/*
 * One worker's data plane. Invariant between calls: out.n == 0 (every
 * segment the core emitted has become a frame, been queued for ARP, or
 * been dropped and counted), and every frame is in exactly one of tx[],
 * an ARP pending queue, a fault hold queue or the device.
 */
struct tcpe_dp {
	struct tcpe_stack *stack;
	struct tcpe_out out;
	tcpe_time_t now;		/* of this iteration / host call */

	struct rte_mempool *pool;
	uint16_t port_id;
	uint16_t queue_id;
	uint32_t flags;
	uint32_t burst;
	uint16_t mtu;
	uint16_t ip_id;

	uint32_t addr;
	uint32_t mask;
	uint32_t gateway;
	uint8_t mac[6];

	/* Frames waiting for tx_burst (polled) or tcpe_dp_take() (embed). */
	struct rte_mbuf **tx;
	uint32_t tx_n;
	uint32_t tx_cap;
	uint64_t tx_staged_bytes;	/* pkt_len sum of tx[0..tx_n) */
	/*
	 * Polled mode, the device refused everything and its link was down:
	 * the staging is held (not offered) until tx_hold_until, then tried
	 * once; tx_backoff doubles from 100 us to 10 ms while the link stays
	 * down. tx_hold_until == 0: not held.
	 */
	tcpe_time_t tx_hold_until;
	tcpe_time_t tx_backoff;

	struct tcpe_arp_entry *arp;
	uint32_t arp_slots;		/* a power of two */
	uint32_t arp_pending;
	tcpe_time_t arp_timeout;
	/* The earliest ARP entry deadline (or later): one compare per loop. */
	tcpe_time_t arp_next;

	uint16_t port_lo;
	uint16_t port_hi;
	uint16_t port_next;

	struct tcpe_ext *ext_free;	/* send_ext records for reuse */
	uint32_t ext_nfree;
	uint32_t ext_live;		/* records an mbuf still refers to */

	void (*on_events)(void *owner);
	void *owner;

	/*
	 * Steering between workers (tcpe_steer.c); all NULL with one worker.
	 * to[j]/from[j]: the SPSC rings to and from worker j (NULL for j ==
	 * wid); fwd[j]: frames waiting for to[j]. tx_ring: frames for the
	 * worker whose TX queue this one uses (NULL: its own queue);
	 * tx_from[]: rings of the workers using this one's TX queue.
	 */
	const struct tcpe_rss *rss;
	uint16_t wid;
	uint16_t nworkers;
	bool rx_poll;			/* polls RX queue queue_id */
	bool rx_hash;			/* mbuf hash.rss is rss's Toeplitz */
	bool steered;			/* handling frames of from[] */
	struct rte_ring **to;
	struct rte_ring **from;
	struct tcpe_steer_q *fwd;
	struct rte_ring *tx_ring;
	struct rte_ring **tx_from;
	uint16_t ntx_from;

	uint64_t ctr[TCPE_DP_CTR_N];

	/* Fault injection (tcpe_fault.h): NULL for a direction that is off. */
	struct tcpe_fault *fault[TCPE_FAULT_DIRS];
	uint32_t fault_seed;		/* the seed in use; 0: no faults */
	uint64_t fault_ctr[TCPE_FAULT_CTR_N];
};

/*
 * Set up dp: the core shard, output array, TX staging, ARP table. Returns
 * 0, -EINVAL (bad parameters) or -ENOMEM. Any lcore; dp is then used by
 * one lcore only.
 */
int tcpe_dp_init(struct tcpe_dp *dp, const struct tcpe_dp_params *p);

/*
 * Free everything dp holds: connections (with their buffer references),
 * staged and pending frames, cached records. The pool must still exist.
 */
void tcpe_dp_fini(struct tcpe_dp *dp);

/*
 * Process n received frames at dp->now, then let the owner dispatch
 * events. Frames for us (ARP for our address, ICMP echo and TCP to our
 * address) are consumed; every drop is counted. Without TCPE_DP_EMBED the
 * others are freed and 0 is returned; with it they are moved, untouched,
 * to the front of pkts and their count is returned.
 */
uint16_t tcpe_dp_input(struct tcpe_dp *dp, struct rte_mbuf **pkts,
    uint16_t n);

/* Run the TCP timers and ARP retries due at dp->now, then dispatch. */
void tcpe_dp_timers(struct tcpe_dp *dp);

/*
 * Turn every segment in dp->out into a frame (resolving the next hop) and
 * empty it. When the core stopped at a full out and t is not NULL, the
 * connection with tuple t (if it still exists) is asked for the rest,
 * until it has no more. Call after every core call that takes dp->out.
 */
void tcpe_dp_drain(struct tcpe_dp *dp, const struct tcpe_tuple *t,
    uint32_t hash);

/* Polled mode: tx_burst what is staged; what is refused stays staged. */
void tcpe_dp_flush(struct tcpe_dp *dp);

/* Embedded mode: move up to max staged frames to pkts; returns the count. */
uint16_t tcpe_dp_take(struct tcpe_dp *dp, struct rte_mbuf **pkts,
    uint16_t max);

/* Polled mode: one loop iteration (clock, rx, core, callbacks, timers, tx). */
void tcpe_dp_poll(struct tcpe_dp *dp);

/* Queue a gratuitous ARP request announcing dp's address. */
void tcpe_dp_announce(struct tcpe_dp *dp);

/* The hash tcpe_dp_input() gives a segment of tuple t (local view). */
uint32_t tcpe_dp_hash(const struct tcpe_dp *dp, const struct tcpe_tuple *t);

/* Frames and mbufs currently held by dp (staged, pending ARP, faults). */
uint32_t tcpe_dp_held(const struct tcpe_dp *dp);

/* --- steering between workers (tcpe_steer.c) ------------------------------ */

/* Frames waiting for one owner's ring. */
struct tcpe_steer_q {
	struct rte_mbuf **m;
	uint32_t n;
	uint32_t cap;
};

/*
 * Connect the n workers of one port (dps[i]->wid == i, each initialised
 * with rss set): an SPSC ring of ring_size frames from every worker to
 * every other, a backlog per destination, and for workers i >= ntxq a
 * ring carrying their frames to worker i % ntxq, whose TX queue they use.
 * Returns 0 or a negative errno with err filled. Main lcore, before the
 * workers run.
 */
int tcpe_steer_setup(struct tcpe_dp *const *dps, uint16_t n,
    uint32_t ring_size, uint16_t ntxq, char *err, size_t errlen);

/* Free the frames queued for dp and its incoming rings. At fini. */
void tcpe_steer_fini(struct tcpe_dp *dp);

/* Queue m for worker owner (counted; dropped and counted when full). */
void tcpe_steer_fwd(struct tcpe_dp *dp, uint16_t owner, struct rte_mbuf *m);

/* Move queued frames to their owners' rings; what does not fit waits. */
void tcpe_steer_flush(struct tcpe_dp *dp);

/*
 * Handle the frames other workers handed to dp (owner's side), and stage
 * those it transmits for them. Then dispatch events.
 */
void tcpe_steer_rx(struct tcpe_dp *dp);

/* Is the flow of tuple t (local view) dp's? Always with one worker. */
bool tcpe_dp_owns(const struct tcpe_dp *dp, const struct tcpe_tuple *t);

/*
 * An ephemeral port of dp's share for a connection to raddr:rport whose
 * replies the RETA gives to dp, from *next on (see tcpe_rss_pick_port());
 * its table hash in *hash. 0 when there is none.
 */
uint16_t tcpe_dp_pick_port(struct tcpe_dp *dp, uint32_t raddr,
    uint16_t rport, uint32_t *hash);

/* --- buffers (tcpe_mbuf.c) ------------------------------------------------ */

/* struct tcpe_buf is an rte_mbuf holding one segment; ctx is unused. */
extern const struct tcpe_buf_ops tcpe_mbuf_bops;

/*
 * An empty single-segment mbuf from dp's pool: *data is where the
 * application writes, *room how many bytes fit. Returns it, or NULL.
 */
struct rte_mbuf *tcpe_dp_buf_alloc(struct tcpe_dp *dp, uint8_t **data,
    uint32_t *room);

/* Drop one reference on a buffer from tcpe_dp_buf_alloc() or a view. */
void tcpe_dp_buf_put(struct rte_mbuf *m);

/* First byte of a buffer's data. */
uint8_t *tcpe_dp_buf_data(struct rte_mbuf *m);

/*
 * Queue len bytes at offset off of m (one reference, from
 * tcpe_dp_buf_alloc()) on c. Returns what tcpe_conn_send() returns: when
 * it is len, the connection owns the caller's reference.
 */
int tcpe_dp_send_buf(struct tcpe_dp *dp, struct tcpe_conn *c,
    struct rte_mbuf *m, uint32_t off, uint32_t len);

/*
 * Attach len bytes at data (not copied) to c, in mbufs of at most 65532
 * bytes sharing one rte_mbuf_ext_shared_info; free_fn(data, opaque) runs
 * once when the last reference to the accepted bytes goes, never when
 * nothing was accepted. Returns the bytes accepted, or (nothing accepted)
 * 0 when the send buffer is full, -ENOBUFS/-ENOMEM, or the error of
 * tcpe_conn_send().
 */
int tcpe_dp_send_ext(struct tcpe_dp *dp, struct tcpe_conn *c,
    const void *data, uint32_t len, void (*free_fn)(void *, void *),
    void *opaque);

/* Copy up to len bytes into fresh mbufs and queue them. Same returns. */
int tcpe_dp_send_copy(struct tcpe_dp *dp, struct tcpe_conn *c,
    const void *data, uint32_t len);

/* --- device, EAL, lcores, clock (tcpe_ethdev.c) --------------------------- */

struct tcpe_config;
struct tcpe_port_cfg;

/*
 * Build EAL arguments from cfg's [eal] section (and [port] vdev) and run
 * rte_eal_init(). Returns 0, or a negative errno with err filled. Main
 * thread, once.
 */
int tcpe_eal_start(const struct tcpe_config *cfg, const char *argv0,
    char *err, size_t errlen);

/* rte_eal_cleanup(). */
void tcpe_eal_stop(void);

/* Nanoseconds from the TSC, since tcpe_clock_init(). Any lcore. */
uint64_t tcpe_clock_ns(void);
void tcpe_clock_init(void);

/* The port as probed and configured, with one mbuf pool per worker. */
struct tcpe_port {
	uint16_t port_id;
	uint16_t nq;			/* queue pairs configured */
	uint16_t npools;
	struct rte_mempool **pools;	/* [i]: worker i's, on its socket */
	char driver[32];
	char name[64];			/* the device, e.g. net_tap0 */
	uint8_t dev_mac[6];		/* the device's own MAC */
	uint8_t mac[6];			/* tcpe's MAC on it */
	uint32_t dp_flags;		/* TCPE_DP_TX_* the device does */
	uint16_t max_queues;		/* min of RX and TX */
	uint16_t max_rx;
	uint16_t max_tx;
	uint16_t nrxq;			/* RX queues configured */
	uint16_t ntxq;			/* TX queues configured */
	uint16_t reta_size;		/* the device's RETA; 0: none */
	bool rss;			/* can steer flows to queues */
	bool rss_on;			/* RSS configured: key, RETA, hash */
	bool configured;		/* close it at stop */
	bool started;
};

/*
 * Find the port of [port] (by vdev name, else port 0) and read its
 * capabilities. Returns 0, -ENODEV with err filled.
 */
int tcpe_port_probe(const struct tcpe_port_cfg *pc, struct tcpe_port *p,
    char *err, size_t errlen);

struct tcpe_pool_cfg;

/*
 * Create n pktmbuf pools sized by [pool], pools[i] on the NUMA socket of
 * lcores[i] (so each worker's mbufs are local to it). Returns 0 or a
 * negative errno with err filled. Main lcore.
 */
int tcpe_port_pools(struct tcpe_port *p, uint16_t n,
    const struct tcpe_pool_cfg *pc, const unsigned int *lcores, char *err,
    size_t errlen);

/*
 * Configure nrxq RX and ntxq TX queues (RX queue i receives into
 * pools[i]), offloads, MTU and MAC, and start the port. With rss not NULL,
 * more than one RX queue and a device that can (p->rss), also hardware
 * RSS of IPv4/TCP with rss's key, the device's RETA filled from rss's
 * (entry e to queue rss->reta[e % rss->reta_size], which must be below
 * nrxq) and the hash delivered in the mbuf: p->rss_on tells. Returns 0 or
 * a negative errno with err filled. Main lcore.
 */
int tcpe_port_start(struct tcpe_port *p, const struct tcpe_port_cfg *pc,
    uint16_t nrxq, uint16_t ntxq, const struct tcpe_rss *rss, char *err,
    size_t errlen);

/* Stop and close the port, then free its pools (no mbuf may be held). */
void tcpe_port_stop(struct tcpe_port *p);

/* Mbufs of mp not in the pool (nor in a per-lcore cache), and its size. */
uint32_t tcpe_pool_in_use(const struct rte_mempool *mp);
uint32_t tcpe_pool_size(const struct rte_mempool *mp);

/* The EAL's lcores, main first; returns how many (at most max). */
unsigned int tcpe_lcores(unsigned int *ids, unsigned int max);
/* The calling lcore, the socket of an lcore (-1 if unknown). */
unsigned int tcpe_lcore_self(void);
int tcpe_lcore_socket(unsigned int lcore);
/* Run fn(arg) on a worker lcore; wait for it and get its return. */
int tcpe_lcore_launch(unsigned int lcore, int (*fn)(void *), void *arg);
int tcpe_lcore_wait(unsigned int lcore);

/* The port's configured TX offloads, for an embedding host's port. */
uint32_t tcpe_port_dp_flags(uint16_t port_id, bool *valid);

#endif /* TCPE_DP_H */
