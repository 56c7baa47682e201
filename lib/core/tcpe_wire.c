/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4/TCP wire format and Internet checksum. See tcpe_wire.h.
 *
 * Multi-byte fields are read and written byte by byte (get_be16() and
 * friends), so nothing here depends on the host's byte order or on the
 * alignment of the packet. The checksum sums native-order words loaded
 * with memcpy(): RFC 1071 section 2(B) shows the one's complement sum is
 * byte-order independent, so the folded native sum is already the value
 * to store in network order.
 */
#include <string.h>

#include "tcpe_wire.h"

static inline uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Fold a 64-bit one's complement accumulator down to 16 bits. */
static inline uint16_t
fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	return (uint16_t)s;
}

/*
 * Sum len bytes as if p started at an even offset of the stream: native
 * 64-bit loads split into 32-bit halves, so a plain 64-bit add cannot
 * overflow (len < 2^32 bytes gives fewer than 2^30 halves below 2^32).
 * Four accumulators keep the adds independent.
 */
static uint64_t
sum_raw(const uint8_t *p, uint32_t len)
{
	const uint64_t m = 0xffffffffu;
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	uint64_t w[4];
	uint32_t w32;
	uint16_t w16;
	uint8_t last[2];

	while (len >= 32) {
		memcpy(w, p, sizeof(w));
		s0 += (w[0] & m) + (w[0] >> 32);
		s1 += (w[1] & m) + (w[1] >> 32);
		s2 += (w[2] & m) + (w[2] >> 32);
		s3 += (w[3] & m) + (w[3] >> 32);
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		memcpy(w, p, 8);
		s0 += (w[0] & m) + (w[0] >> 32);
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		memcpy(&w32, p, 4);
		s1 += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		s2 += w16;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		/* A lone last byte is the first (high) byte of its word. */
		last[0] = p[0];
		last[1] = 0;
		memcpy(&w16, last, 2);
		s3 += w16;
	}
	return s0 + s1 + s2 + s3;
}

void
tcpe_csum_add(struct tcpe_csum *st, const void *p, uint32_t len)
{
	uint32_t c;

	if (len == 0)
		return;
	c = fold64(sum_raw(p, len));
	/*
	 * Started at an odd offset: every byte sits in the other half of
	 * its word, which byte-swaps the chunk's sum (RFC 1071 2(B)).
	 */
	if (st->odd)
		c = ((c >> 8) | (c << 8)) & 0xffffu;
	c += st->sum;
	st->sum = (c & 0xffffu) + (c >> 16);
	if (len & 1)
		st->odd = !st->odd;
}

void
tcpe_csum_pseudo(struct tcpe_csum *st, uint32_t src, uint32_t dst,
    uint8_t proto, uint32_t len)
{
	uint8_t ph[14];
	uint32_t c;

	/* src, dst, zero, proto, length as 32 bits (high word 0 for IPv4). */
	put_be32(&ph[0], src);
	put_be32(&ph[4], dst);
	ph[8] = 0;
	ph[9] = proto;
	put_be32(&ph[10], len);
	/*
	 * Not part of the byte stream: its words are aligned on their own,
	 * so it is never swapped, whatever the parity of the stream so far.
	 */
	c = fold64(sum_raw(ph, sizeof(ph)));
	c += st->sum;
	st->sum = (c & 0xffffu) + (c >> 16);
}

uint16_t
tcpe_csum_fold(const struct tcpe_csum *st)
{
	return (uint16_t)st->sum;
}

uint16_t
tcpe_csum_finish(const struct tcpe_csum *st)
{
	return (uint16_t)~st->sum;
}

uint16_t
tcpe_csum(const void *p, uint32_t len)
{
	struct tcpe_csum st;

	tcpe_csum_init(&st);
	tcpe_csum_add(&st, p, len);
	return tcpe_csum_finish(&st);
}

int
tcpe_wire_ip4_parse(const uint8_t *p, uint32_t len, struct tcpe_ip4 *ip)
{
	uint32_t ihl, tot_len;

	if (len < TCPE_IP4_HDR_LEN)
		return -EINVAL;
	if ((p[0] >> 4) != 4)
		return -EINVAL;
	ihl = (uint32_t)(p[0] & 0x0f) * 4;
	if (ihl < TCPE_IP4_HDR_LEN || ihl > len)
		return -EINVAL;
	tot_len = get_be16(&p[2]);
	/* Bytes beyond tot_len are link padding (short Ethernet frames). */
	if (tot_len < ihl || tot_len > len)
		return -EINVAL;
	if (tcpe_csum(p, ihl) != 0)
		return -EBADMSG;

	ip->tos = p[1];
	ip->tot_len = (uint16_t)tot_len;
	ip->id = get_be16(&p[4]);
	ip->frag = get_be16(&p[6]);
	ip->ttl = p[8];
	ip->proto = p[9];
	ip->src = get_be32(&p[12]);
	ip->dst = get_be32(&p[16]);
	ip->ihl = (uint8_t)ihl;
	return 0;
}

uint32_t
tcpe_wire_ip4_build(uint8_t *p, uint32_t cap, const struct tcpe_ip4 *ip)
{
	uint16_t c;

	if (cap < TCPE_IP4_HDR_LEN)
		return 0;
	p[0] = 0x45;
	p[1] = ip->tos;
	put_be16(&p[2], ip->tot_len);
	put_be16(&p[4], ip->id);
	put_be16(&p[6], TCPE_IP4_DF);
	p[8] = ip->ttl;
	p[9] = ip->proto;
	p[10] = 0;
	p[11] = 0;
	put_be32(&p[12], ip->src);
	put_be32(&p[16], ip->dst);
	c = tcpe_csum(p, TCPE_IP4_HDR_LEN);
	memcpy(&p[10], &c, sizeof(c));
	return TCPE_IP4_HDR_LEN;
}

int
tcpe_wire_opts_parse(const uint8_t *p, uint32_t len, struct tcpe_opts *o)
{
	uint32_t i, olen, n, k;
	uint8_t kind;

	memset(o, 0, sizeof(*o));
	i = 0;
	while (i < len) {
		kind = p[i];
		if (kind == TCPE_TCPOPT_EOL)
			break;
		if (kind == TCPE_TCPOPT_NOP) {
			i++;
			continue;
		}
		/* RFC 9293 3.1: every other option carries a length byte. */
		if (len - i < 2)
			goto bad;
		olen = p[i + 1];
		if (olen < 2 || olen > len - i)
			goto bad;
		switch (kind) {
		case TCPE_TCPOPT_MSS:
			if (olen == 4) {
				o->mss = get_be16(&p[i + 2]);
				o->present |= TCPE_OPT_MSS;
			}
			break;
		case TCPE_TCPOPT_WS:
			if (olen == 3) {
				o->wscale = p[i + 2];
				o->present |= TCPE_OPT_WS;
			}
			break;
		case TCPE_TCPOPT_SACKOK:
			if (olen == 2)
				o->present |= TCPE_OPT_SACKOK;
			break;
		case TCPE_TCPOPT_SACK:
			/* RFC 2018 section 3: 2 + 8n bytes, n >= 1. */
			n = (olen - 2) / 8;
			if (olen < 10 || (olen - 2) % 8 != 0 ||
			    n > TCPE_MAX_SACK_BLOCKS)
				break;
			for (k = 0; k < n; k++) {
				o->sack[k].left = get_be32(&p[i + 2 + 8 * k]);
				o->sack[k].right =
				    get_be32(&p[i + 2 + 8 * k + 4]);
			}
			o->nsack = (uint8_t)n;
			o->present |= TCPE_OPT_SACK;
			break;
		case TCPE_TCPOPT_TS:
			if (olen == 10) {
				o->tsval = get_be32(&p[i + 2]);
				o->tsecr = get_be32(&p[i + 6]);
				o->present |= TCPE_OPT_TS;
			}
			break;
		default:
			break;
		}
		i += olen;
	}
	return 0;
bad:
	memset(o, 0, sizeof(*o));
	return -EINVAL;
}

/* Bytes of everything but the SACK blocks option. */
static uint32_t
opts_len_nosack(const struct tcpe_opts *o)
{
	uint32_t n = 0;

	if (o->present & TCPE_OPT_MSS)
		n += 4;
	if (o->present & TCPE_OPT_TS)
		n += 12;	/* SACKOK rides in the TS option's padding */
	else if (o->present & TCPE_OPT_SACKOK)
		n += 4;
	if (o->present & TCPE_OPT_WS)
		n += 4;
	return n;
}

/* SACK blocks that will be written: as many as fit after the rest. */
static uint32_t
opts_nsack(const struct tcpe_opts *o, uint32_t rest)
{
	uint32_t n, room;

	if (!(o->present & TCPE_OPT_SACK))
		return 0;
	n = o->nsack;
	if (n > TCPE_MAX_SACK_BLOCKS)
		n = TCPE_MAX_SACK_BLOCKS;
	/* rest <= 20, so room >= 16. */
	room = (TCPE_TCP_OPT_MAX - rest - 4) / 8;
	return n < room ? n : room;
}

uint32_t
tcpe_wire_opts_len(const struct tcpe_opts *o)
{
	uint32_t n, ns;

	n = opts_len_nosack(o);
	ns = opts_nsack(o, n);
	if (ns > 0)
		n += 4 + 8 * ns;
	return n;
}

uint32_t
tcpe_wire_opts_build(uint8_t *p, const struct tcpe_opts *o)
{
	uint32_t i = 0, k, ns;

	if (o->present & TCPE_OPT_MSS) {
		p[i++] = TCPE_TCPOPT_MSS;
		p[i++] = 4;
		put_be16(&p[i], o->mss);
		i += 2;
	}
	if (o->present & TCPE_OPT_TS) {
		if (o->present & TCPE_OPT_SACKOK) {
			p[i++] = TCPE_TCPOPT_SACKOK;
			p[i++] = 2;
		} else {
			p[i++] = TCPE_TCPOPT_NOP;
			p[i++] = TCPE_TCPOPT_NOP;
		}
		p[i++] = TCPE_TCPOPT_TS;
		p[i++] = 10;
		put_be32(&p[i], o->tsval);
		put_be32(&p[i + 4], o->tsecr);
		i += 8;
	} else if (o->present & TCPE_OPT_SACKOK) {
		p[i++] = TCPE_TCPOPT_NOP;
		p[i++] = TCPE_TCPOPT_NOP;
		p[i++] = TCPE_TCPOPT_SACKOK;
		p[i++] = 2;
	}
	if (o->present & TCPE_OPT_WS) {
		p[i++] = TCPE_TCPOPT_NOP;
		p[i++] = TCPE_TCPOPT_WS;
		p[i++] = 3;
		p[i++] = o->wscale;
	}
	ns = opts_nsack(o, i);
	if (ns > 0) {
		p[i++] = TCPE_TCPOPT_NOP;
		p[i++] = TCPE_TCPOPT_NOP;
		p[i++] = TCPE_TCPOPT_SACK;
		p[i++] = (uint8_t)(2 + 8 * ns);
		for (k = 0; k < ns; k++) {
			put_be32(&p[i], o->sack[k].left);
			put_be32(&p[i + 4], o->sack[k].right);
			i += 8;
		}
	}
	return i;
}

int
tcpe_wire_tcp_parse(const uint8_t *p, uint32_t len, uint32_t src,
    uint32_t dst, bool verify_csum, struct tcpe_seg *seg)
{
	struct tcpe_csum st;
	uint32_t doff;
	int rc;

	if (len < TCPE_TCP_HDR_LEN)
		return -EINVAL;
	doff = (uint32_t)(p[12] >> 4) * 4;
	if (doff < TCPE_TCP_HDR_LEN || doff > len)
		return -EINVAL;
	if (verify_csum) {
		tcpe_csum_init(&st);
		tcpe_csum_pseudo(&st, src, dst, TCPE_IPPROTO_TCP, len);
		tcpe_csum_add(&st, p, len);
		if (tcpe_csum_finish(&st) != 0)
			return -EBADMSG;
	}
	rc = tcpe_wire_opts_parse(&p[TCPE_TCP_HDR_LEN],
	    doff - TCPE_TCP_HDR_LEN, &seg->opts);
	if (rc != 0)
		return rc;

	seg->t.laddr = dst;
	seg->t.raddr = src;
	seg->t.rport = get_be16(&p[0]);
	seg->t.lport = get_be16(&p[2]);
	seg->seq = get_be32(&p[4]);
	seg->ack = get_be32(&p[8]);
	seg->flags = p[13];
	seg->wnd = get_be16(&p[14]);
	seg->urp = get_be16(&p[18]);
	seg->data.buf = NULL;
	seg->data.off = doff;
	seg->data.len = len - doff;
	return 0;
}

uint32_t
tcpe_wire_tcp_build(uint8_t *p, uint32_t cap, const struct tcpe_oseg *o)
{
	uint32_t hlen;

	hlen = tcpe_wire_tcp_hdr_len(o);
	if (cap < hlen)
		return 0;
	put_be16(&p[0], o->t.lport);
	put_be16(&p[2], o->t.rport);
	put_be32(&p[4], o->seq);
	put_be32(&p[8], o->ack);
	p[12] = (uint8_t)((hlen / 4) << 4);
	p[13] = o->flags;
	put_be16(&p[14], o->wnd);
	put_be16(&p[16], 0);
	put_be16(&p[18], 0);
	tcpe_wire_opts_build(&p[TCPE_TCP_HDR_LEN], &o->opts);
	return hlen;
}

uint16_t
tcpe_wire_tcp_csum(uint32_t src, uint32_t dst, const uint8_t *hdr,
    uint32_t hlen, const struct tcpe_view *v, uint32_t nv,
    const struct tcpe_buf_ops *ops)
{
	struct tcpe_csum st;
	uint32_t i, tlen;

	tcpe_csum_init(&st);
	tcpe_csum_add(&st, hdr, hlen);
	tlen = hlen;
	for (i = 0; i < nv; i++) {
		if (v[i].len == 0)
			continue;
		tcpe_csum_add(&st, ops->ptr(ops->ctx, v[i].buf) + v[i].off,
		    v[i].len);
		tlen += v[i].len;
	}
	/* The pseudo-header needs the length: add it last. */
	tcpe_csum_pseudo(&st, src, dst, TCPE_IPPROTO_TCP, tlen);
	return tcpe_csum_finish(&st);
}
