/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checked wire parsing and building of IPv4 and TCP headers, TCP options
 * (RFC 9293 section 3.1, RFC 7323, RFC 2018) and Internet checksums
 * (RFC 1071).
 *
 * Parsers never read beyond the length they are given and reject what they
 * cannot represent; builders write the layouts Linux uses. Addresses and
 * ports in the structures are in host byte order. Checksums are returned
 * "ready to store": copying the uint16_t into the packet with memcpy()
 * yields the checksum bytes in network order, on any host (the convention
 * of DPDK's checksum helpers).
 *
 * Everything here is pure, reentrant and keeps no state: any lcore or
 * thread may call it, including from an application callback.
 */
#ifndef TCPE_WIRE_H
#define TCPE_WIRE_H

#include "tcpe_types.h"

#define TCPE_IP4_HDR_LEN	20	/* without options */
#define TCPE_IP4_DF		0x4000	/* don't fragment */
#define TCPE_IP4_MF		0x2000	/* more fragments */
#define TCPE_IP4_OFFMASK	0x1fff	/* fragment offset (8-byte units) */
#define TCPE_IPPROTO_TCP	6

#define TCPE_TCP_HDR_LEN	20	/* without options */
#define TCPE_TCP_OPT_MAX	40	/* data offset 15 words, minus 5 */
#define TCPE_TCP_CSUM_OFF	16	/* offset of the checksum field */

/* Option kinds (IANA "TCP Option Kind Numbers"). */
#define TCPE_TCPOPT_EOL		0
#define TCPE_TCPOPT_NOP		1
#define TCPE_TCPOPT_MSS		2
#define TCPE_TCPOPT_WS		3
#define TCPE_TCPOPT_SACKOK	4
#define TCPE_TCPOPT_SACK	5
#define TCPE_TCPOPT_TS		8

/* A parsed IPv4 header; every field in host byte order. */
struct tcpe_ip4 {
	uint32_t src;
	uint32_t dst;
	uint16_t tot_len;	/* header + payload, <= the length parsed */
	uint16_t id;
	uint16_t frag;		/* flags (TCPE_IP4_DF/MF) and offset */
	uint8_t ihl;		/* header length in bytes, 20..60 */
	uint8_t ttl;
	uint8_t proto;
	uint8_t tos;
};

/* True for any fragment of a fragmented datagram (MF set or offset != 0). */
static inline bool
tcpe_ip4_is_fragment(const struct tcpe_ip4 *ip)
{
	return (ip->frag & (TCPE_IP4_MF | TCPE_IP4_OFFMASK)) != 0;
}

/* Bytes after the IPv4 header, up to tot_len (Ethernet padding excluded). */
static inline uint32_t
tcpe_ip4_payload_len(const struct tcpe_ip4 *ip)
{
	return (uint32_t)ip->tot_len - ip->ihl;
}

/*
 * Incremental Internet checksum over any number of chunks of any length,
 * contiguous or not: the state remembers whether the bytes added so far
 * are odd in number, so the next chunk is summed at the right position.
 * Invariant: sum <= 0xffff (folded after every step).
 */
struct tcpe_csum {
	uint32_t sum;
	bool odd;
};

static inline void
tcpe_csum_init(struct tcpe_csum *st)
{
	st->sum = 0;
	st->odd = false;
}

/* Add len bytes at p to the running checksum. p may be NULL if len is 0. */
void tcpe_csum_add(struct tcpe_csum *st, const void *p, uint32_t len);

/*
 * Add the TCP/UDP pseudo-header for IPv4 (RFC 9293 section 3.1): source,
 * destination (host order), protocol and the upper-layer length. len is
 * added as a 32-bit quantity, which equals the 16-bit IPv4 field whenever
 * len <= 0xffff. May be added at any point: before, between or after
 * chunks, whatever their parity.
 */
void tcpe_csum_pseudo(struct tcpe_csum *st, uint32_t src, uint32_t dst,
    uint8_t proto, uint32_t len);

/*
 * The 16-bit one's complement sum of what was added, not complemented,
 * ready to store. 0xffff when the bytes included a correct checksum
 * field.
 */
uint16_t tcpe_csum_fold(const struct tcpe_csum *st);

/*
 * The checksum to store: the complement of tcpe_csum_fold(). Over data
 * that includes a correct checksum field the result is 0, which is how a
 * receiver verifies it.
 */
uint16_t tcpe_csum_finish(const struct tcpe_csum *st);

/* One-shot tcpe_csum_finish() over len bytes at p. */
uint16_t tcpe_csum(const void *p, uint32_t len);

/*
 * Parse and check the IPv4 header at p; len is what the link delivered
 * (it may exceed tot_len by Ethernet padding, which is ignored).
 * Fills *ip only on success.
 * Returns 0, or
 *   -EINVAL   len < 20, version != 4, ihl < 5, ihl * 4 > len,
 *             tot_len < ihl * 4 or tot_len > len;
 *   -EBADMSG  bad header checksum.
 * Fragments are accepted: the caller drops them with tcpe_ip4_is_fragment().
 */
int tcpe_wire_ip4_parse(const uint8_t *p, uint32_t len, struct tcpe_ip4 *ip);

/*
 * Write a 20-byte IPv4 header at p from ip->src, dst, tot_len, id, ttl,
 * proto and tos, with DF set, no options and the header checksum filled
 * in. ip->ihl and ip->frag are ignored.
 * Returns TCPE_IP4_HDR_LEN, or 0 (nothing written) if cap < 20.
 */
uint32_t tcpe_wire_ip4_build(uint8_t *p, uint32_t cap,
    const struct tcpe_ip4 *ip);

/*
 * Parse the TCP options area, len bytes at p (len 0 is valid). Fills *o
 * from scratch: o->present tells which of MSS, WS, SACKOK, TS and SACK
 * were seen; wscale is stored as received (clamping to 14 belongs to the
 * connection). EOL ends the list, NOP is skipped, unknown kinds are
 * skipped by their length, and a known kind with the wrong length is
 * ignored as Linux does (SACK accepts 1 to TCPE_MAX_SACK_BLOCKS blocks).
 * A later instance of an option replaces an earlier one.
 * Returns 0, or -EINVAL if the list is malformed: a length byte missing,
 * a length below 2, or an option running past len. *o is then empty
 * (present == 0) and the caller should drop the segment.
 */
int tcpe_wire_opts_parse(const uint8_t *p, uint32_t len, struct tcpe_opts *o);

/*
 * Bytes tcpe_wire_opts_build() writes for o: a multiple of 4, at most
 * TCPE_TCP_OPT_MAX. SACK blocks that do not fit in what the other
 * options leave are dropped, last ones first.
 */
uint32_t tcpe_wire_opts_len(const struct tcpe_opts *o);

/*
 * Write the options flagged in o->present at p, in the order and layout
 * Linux uses (tcp_options_write()):
 *   MSS                 2,4,mss
 *   SACKOK and TS       4,2,8,10,tsval,tsecr   (or 1,1,8,10,... without SACKOK)
 *   SACKOK without TS   1,1,4,2
 *   WS                  1,3,3,wscale
 *   SACK                1,1,5,2+8n,blocks
 * SACK is written only if nsack > 0. p must have tcpe_wire_opts_len(o)
 * bytes. Returns the bytes written, equal to tcpe_wire_opts_len(o).
 */
uint32_t tcpe_wire_opts_build(uint8_t *p, const struct tcpe_opts *o);

/*
 * Parse the TCP segment at p: len is the TCP length from the IP header
 * (header + payload), src/dst the IP addresses (host order). If
 * verify_csum is set, the checksum over the pseudo-header and all len
 * bytes is checked (the caller may skip it when the NIC verified it).
 * Fills seg->t (laddr/lport = destination, raddr/rport = source), seq,
 * ack, wnd, urp, flags and opts, and the payload as seg->data.buf = NULL,
 * seg->data.off = data offset in bytes from p, seg->data.len = payload
 * length: the caller sets buf and adds the offset of p inside it.
 * seg->hash and seg->tos are left to the caller. Checks are made in this
 * order, and on error *seg is unspecified.
 * Returns 0, or
 *   -EINVAL   len < 20, data offset < 5 or data offset * 4 > len;
 *   -EBADMSG  bad checksum;
 *   -EINVAL   malformed options (see tcpe_wire_opts_parse()).
 */
int tcpe_wire_tcp_parse(const uint8_t *p, uint32_t len, uint32_t src,
    uint32_t dst, bool verify_csum, struct tcpe_seg *seg);

/* Header length tcpe_wire_tcp_build() writes for o: 20 + options. */
static inline uint32_t
tcpe_wire_tcp_hdr_len(const struct tcpe_oseg *o)
{
	return TCPE_TCP_HDR_LEN + tcpe_wire_opts_len(&o->opts);
}

/*
 * Write the TCP header and options of o at p: source port o->t.lport,
 * destination port o->t.rport, seq, ack, flags and wnd as given, urgent
 * pointer 0, checksum field 0 (see tcpe_wire_tcp_csum()).
 * Returns the header length (a multiple of 4, 20 to 60), or 0 (nothing
 * written) if cap is smaller than that.
 */
uint32_t tcpe_wire_tcp_build(uint8_t *p, uint32_t cap,
    const struct tcpe_oseg *o);

/*
 * The TCP checksum of a segment from src to dst (host order) made of the
 * hlen-byte header at hdr followed by the payload views v[0..nv), each
 * read as ops->ptr(ops->ctx, v->buf) + v->off for v->len bytes; the TCP
 * length is hlen plus the view lengths. Returns the value to store at
 * hdr + TCPE_TCP_CSUM_OFF when the header's checksum field is 0; over a
 * header that already holds the right checksum it returns 0. ops may be
 * NULL if nv is 0. Never fails.
 */
uint16_t tcpe_wire_tcp_csum(uint32_t src, uint32_t dst, const uint8_t *hdr,
    uint32_t hlen, const struct tcpe_view *v, uint32_t nv,
    const struct tcpe_buf_ops *ops);

#endif /* TCPE_WIRE_H */
