/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection on a worker's port, per direction: the engine's own
 * netem (DESIGN.md section 6; `tc netem` does not exist on the machines
 * tcpe is tested on). Configured by the [fault] section (tcpe_config.h).
 *
 * Where it sits (tcpe_dp.c, tcpe_mbuf.c, tcpe_net.c):
 *  - rx: every frame rx_burst returns (or the host gives
 *    tcpe_embed_input()) goes through the rx faults before the Ethernet
 *    demux (tcpe_dp_input()); held frames come out at later inputs and at
 *    every timer run (tcpe_dp_timers(), each loop iteration);
 *  - tx: every finished frame goes through the tx faults where it would be
 *    staged for tx_burst (tcpe_dp_stage()); held frames are staged at every
 *    flush, right before tx_burst (tcpe_dp_flush()), or before the host
 *    takes frames (tcpe_dp_take(), tcpe_embed_output()).
 * With a direction off its state pointer is NULL: one branch per hook.
 *
 * Each frame, in order:
 *  1. loss:    dropped (counted loss);
 *  2. dup:     a copy follows the original (counted dup): a fresh first
 *              segment with its bytes, the further segments attached by
 *              reference (refcnt, as tcpe_mbuf.c chains payload), so the
 *              payload is shared, never copied nor modified;
 *  then the original and the copy each, independently:
 *  3. corrupt: one bit flipped, drawn uniformly over the IPv4 payload
 *              (TCP or ICMP header and data: bytes ihl..tot_len of the IP
 *              datagram; not the padding, not the IP or Ethernet header,
 *              and frames other than IPv4 are left alone). The frame is
 *              made private first (copied when any segment is shared);
 *              tx: checksums the device would have filled are computed
 *              first and the offload flags cleared, rx: the device's
 *              checksum verdict is cleared, so the receiver's checksum
 *              always catches the flip (rx_tcp_csum or rx_bad_icmp; a
 *              TCP data offset made invalid is rx_bad_tcp). Counted corrupt;
 *  4. reorder: held back (counted reorder) until reorder_depth frames
 *              that came after it have passed, or for at most 10 ms (so
 *              a frame is never stuck when traffic stops); then it goes
 *              on right after the frame that completed its count;
 *  5. delay:   every frame waits delay_us (counted delay) in a FIFO, so
 *              delay alone keeps the order; when hold frames already
 *              wait the frame is dropped (counted hold_full).
 * When the pool has no mbuf for a copy, the frame goes on as it was.
 *
 * Randomness: splitmix64 per worker and direction, seeded from [fault]
 * seed, the worker's queue, the direction and the worker's MAC address;
 * a probability is drawn only for a fault that is on. The same seed, the
 * same configuration and the same frames in the same order give the same
 * faults. seed 0 draws a random seed once per process and prints it.
 *
 * Held frames belong to the worker: tcpe_dp_held() counts them,
 * tcpe_dp_fault_stop() sends the held tx frames and drops the held rx ones
 * at stop, tcpe_dp_fini() frees whatever is left.
 *
 * Embedded: rx frames not for tcpe are handed back as the faulty wire
 * delivers them: a lost frame never, a duplicate twice, a held frame by
 * the input call that releases it; at most n per call (a frame that
 * finds no free slot of the caller's array is freed), and those released
 * by tcpe_embed_timers() are freed.
 *
 * This header names no DPDK type but as incomplete structs (lib/api
 * reads the counters).
 */
#ifndef TCPE_FAULT_H
#define TCPE_FAULT_H

#include <stdbool.h>
#include <stdint.h>

struct rte_mbuf;
struct tcpe_dp;
struct tcpe_fault_cfg;

/* The counters of one direction, in frames. */
#define TCPE_FAULT_KIND_LIST(X) \
	X(LOSS, "loss", "frames dropped") \
	X(DUP, "dup", "copies made (frames delivered twice)") \
	X(REORDER, "reorder", "frames held back behind later ones") \
	X(CORRUPT, "corrupt", "frames with one bit flipped") \
	X(DELAY, "delay", "frames delayed") \
	X(HOLD_FULL, "hold_full", "frames dropped: the delay queue was full")

enum tcpe_fault_kind {
#define TCPE_FAULT_KIND_ENUM(id, name, help) TCPE_FAULT_##id,
	TCPE_FAULT_KIND_LIST(TCPE_FAULT_KIND_ENUM)
#undef TCPE_FAULT_KIND_ENUM
	TCPE_FAULT_KINDS
};

enum tcpe_fault_dir {
	TCPE_FAULT_RX,
	TCPE_FAULT_TX,
	TCPE_FAULT_DIRS
};

/* struct tcpe_dp.fault_ctr[]: kind k of direction d. */
#define TCPE_FAULT_CTR(d, k)	((d) * TCPE_FAULT_KINDS + (k))
#define TCPE_FAULT_CTR_N	(TCPE_FAULT_DIRS * TCPE_FAULT_KINDS)

/*
 * Name of fault counter i (TCPE_FAULT_CTR()), as printed in the Port:
 * section: "rx_fault_loss" ... "tx_fault_hold_full"; NULL out of range.
 * Any thread.
 */
const char *tcpe_fault_ctr_name(int i);

/* One direction's state (tcpe_fault.c). */
struct tcpe_fault;

/*
 * Set up dp's fault layer from cfg (NULL: none): the directions that
 * have a fault on. worker picks the worker's random streams. Returns 0
 * or -ENOMEM. Called by tcpe_dp_init(); prints one line naming the seed
 * and the faults when any is on.
 */
int tcpe_fault_init(struct tcpe_dp *dp, const struct tcpe_fault_cfg *cfg,
    uint32_t worker);

/* Free dp's fault layer and every frame it holds. */
void tcpe_fault_fini(struct tcpe_dp *dp);

/* Frames dp's fault layer holds (reorder and delay, both directions). */
uint32_t tcpe_fault_held(const struct tcpe_dp *dp);

/*
 * The hooks, only called when dp->fault[dir] is not NULL (see the top).
 * tcpe_fault_rx(): frames pkts[0..n) go through the rx faults, then the
 * rx path, as do the held frames now due; in embedded mode the frames not
 * for tcpe are put back at the front of pkts and their count is returned.
 * tcpe_fault_tx(): frame m goes through the tx faults into the staging.
 * The *_release() functions pass on the held frames that are due.
 */
uint16_t tcpe_fault_rx(struct tcpe_dp *dp, struct rte_mbuf **pkts,
    uint16_t n);
void tcpe_fault_rx_release(struct tcpe_dp *dp);
void tcpe_fault_tx(struct tcpe_dp *dp, struct rte_mbuf *m);
void tcpe_fault_tx_release(struct tcpe_dp *dp);

/*
 * At stop: stage every held tx frame (the final flush sends them) and
 * free every held rx frame. The worker then calls tcpe_dp_tx_stop()
 * (tcpe_net.h) for the last flush.
 */
void tcpe_fault_stop(struct tcpe_dp *dp);

#endif /* TCPE_FAULT_H */
