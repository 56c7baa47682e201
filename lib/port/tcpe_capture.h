/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live capture: a pcapng file (rte_pcapng) of the port's RX and TX,
 * started and stopped at run time through telemetry:
 *
 *   /tcpe/capture/start,FILE[ FILTER]   e.g. /tcpe/capture/start,/tmp/a.pcapng tcp port 80
 *   /tcpe/capture/stop
 *   /tcpe/capture/status
 *
 * (tcpe-stat --capture-start FILE [FILTER] / --capture-stop). FILTER is a
 * small tcpdump-like conjunction of terms, "and" optional:
 *   tcp | [src|dst] host A.B.C.D | [src|dst] port N
 * e.g. "host 198.18.0.1 and port 80" (a 4-tuple: src host, src port, dst
 * host, dst port). Without a filter every frame is kept (ARP, ICMP too).
 *
 * How: like dpdk-pdump, ethdev RX and TX callbacks are installed on every
 * queue of the port while a capture runs, and removed when it stops (so
 * the packet path pays nothing otherwise). A callback runs on the worker
 * that polls the queue: it filters, copies the frame with
 * rte_pcapng_copy() into a capture pool and enqueues the copy on that
 * queue's single-producer ring; a control thread (tcpe-pcap) dequeues and
 * writes the file. No file I/O on a worker; a full ring or an empty pool
 * drops the copy and counts it. RX frames are seen as the device returns
 * them (before the fault layer), TX frames as they are handed to
 * tx_burst (after it); a frame the device refuses is seen again when it
 * is retried (tx_refused). The file is pcapng, interface = the port, with
 * in/out direction flags: tcpdump -r, tshark -r read it.
 */
#ifndef TCPE_CAPTURE_H
#define TCPE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCPE_CAP_TERMS	8

/* A parsed filter: every term must match. */
struct tcpe_cap_filter {
	uint32_t n;
	struct tcpe_cap_term {
		uint8_t kind;	/* 0: tcp, 1: host, 2: port */
		uint8_t dir;	/* 0: either, 1: src, 2: dst */
		uint32_t val;	/* address (host order) or port */
	} t[TCPE_CAP_TERMS];
};

/*
 * Parse a filter ("" or NULL: match everything). Returns 0, or -EINVAL
 * with a message in err. Any thread.
 */
int tcpe_cap_filter_parse(const char *s, struct tcpe_cap_filter *f,
    char *err, size_t errlen);

/* Does the Ethernet frame (its first len bytes) match f. Any thread. */
bool tcpe_cap_filter_match(const struct tcpe_cap_filter *f,
    const uint8_t *frame, uint32_t len);

/*
 * The port to capture on (every RX and TX queue configured when a capture
 * starts), frames cut at snaplen bytes; and the telemetry commands. Main
 * thread, once the port is started. Returns 0 or a negative errno.
 */
int tcpe_capture_init(uint16_t port_id, uint32_t snaplen);
int tcpe_capture_register(void);

/*
 * Start a capture into file (truncated) with filter (may be NULL).
 * Returns 0, -EBUSY (one runs already), -EINVAL (filter), or a negative
 * errno (file, memory) with err filled. Control thread.
 */
int tcpe_capture_start(const char *file, const char *filter, char *err,
    size_t errlen);

/* Stop the capture and close the file. Returns 0, -ENOENT if none. */
int tcpe_capture_stop(void);

/* Stop a capture if one runs (engine shutdown). */
void tcpe_capture_stop_all(void);

#endif /* TCPE_CAPTURE_H */
