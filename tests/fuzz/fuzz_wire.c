/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for tcpe_wire. Arbitrary bytes are read as an IPv4
 * packet, as a bare TCP segment and as a TCP options area. Whatever
 * parses is rebuilt with the builders, checksummed, re-parsed and
 * compared field by field; any mismatch calls abort(). Checksums are also
 * checked against a byte-wise RFC 1071 reference and across random
 * splits into chunks.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib/core \
 *            tests/fuzz/fuzz_wire.c lib/core/tcpe_wire.c
 */
#include <stdlib.h>
#include <string.h>

#include "tcpe_wire.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

#define SRC	0xc0a80001u	/* 192.168.0.1 */
#define DST	0x0a000002u	/* 10.0.0.2 */

/* A borrowed byte range posing as a payload buffer. */
struct tcpe_buf {
	const uint8_t *p;
	uint32_t len;
};

static void
fb_ref(void *ctx, struct tcpe_buf *b)
{
	(void)ctx;
	(void)b;
}

static const uint8_t *
fb_ptr(void *ctx, const struct tcpe_buf *b)
{
	(void)ctx;
	return b->p;
}

static uint32_t
fb_len(void *ctx, const struct tcpe_buf *b)
{
	(void)ctx;
	return b->len;
}

static const struct tcpe_buf_ops fb_ops = {
	.ref = fb_ref,
	.unref = fb_ref,
	.ptr = fb_ptr,
	.len = fb_len,
	.ctx = NULL,
};

/* RFC 1071, one big-endian word at a time, as a number. */
static uint16_t
ref_csum(const uint8_t *p, uint32_t len)
{
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* A stored checksum as the number its two bytes spell. */
static uint16_t
stored(uint16_t c)
{
	uint8_t b[2];

	memcpy(b, &c, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void
check_csum(const uint8_t *d, uint32_t n)
{
	struct tcpe_csum st;
	uint32_t a, b;
	uint16_t one;

	one = tcpe_csum(d, n);
	CHECK(stored(one) == ref_csum(d, n));
	if (n < 2)
		return;
	/* Three chunks, cut where the first two bytes say. */
	a = d[0] % (n + 1);
	b = a + d[1] % (n - a + 1);
	tcpe_csum_init(&st);
	tcpe_csum_add(&st, d, a);
	tcpe_csum_add(&st, d + a, b - a);
	tcpe_csum_add(&st, d + b, n - b);
	CHECK(tcpe_csum_finish(&st) == one);
}

/* What parse(build(o)) must give: the SACK blocks that fit. */
static void
expect_rebuilt(struct tcpe_opts *o)
{
	uint32_t rest = 0, room;

	if (o->present & TCPE_OPT_MSS)
		rest += 4;
	if (o->present & TCPE_OPT_TS)
		rest += 12;
	else if (o->present & TCPE_OPT_SACKOK)
		rest += 4;
	if (o->present & TCPE_OPT_WS)
		rest += 4;
	room = (TCPE_TCP_OPT_MAX - 4 - rest) / 8;
	if (o->nsack > room)
		o->nsack = (uint8_t)room;
	if (o->nsack == 0)
		o->present &= (uint8_t)~TCPE_OPT_SACK;
}

static void
check_opts_equal(const struct tcpe_opts *a, const struct tcpe_opts *b)
{
	uint8_t i;

	CHECK(a->present == b->present);
	CHECK((a->present & ~(TCPE_OPT_MSS | TCPE_OPT_WS | TCPE_OPT_SACKOK |
	    TCPE_OPT_TS | TCPE_OPT_SACK)) == 0);
	if (a->present & TCPE_OPT_MSS)
		CHECK(a->mss == b->mss);
	if (a->present & TCPE_OPT_WS)
		CHECK(a->wscale == b->wscale);
	if (a->present & TCPE_OPT_TS)
		CHECK(a->tsval == b->tsval && a->tsecr == b->tsecr);
	if (a->present & TCPE_OPT_SACK) {
		CHECK(a->nsack == b->nsack);
		CHECK(a->nsack >= 1 && a->nsack <= TCPE_MAX_SACK_BLOCKS);
		for (i = 0; i < a->nsack; i++)
			CHECK(a->sack[i].left == b->sack[i].left &&
			    a->sack[i].right == b->sack[i].right);
	} else {
		CHECK(a->nsack == 0 && b->nsack == 0);
	}
}

static void
check_opts(const uint8_t *d, uint32_t n)
{
	struct tcpe_opts o, back;
	uint8_t buf[TCPE_TCP_OPT_MAX];
	uint32_t len;

	if (tcpe_wire_opts_parse(d, n, &o) != 0) {
		CHECK(o.present == 0);
		return;
	}
	len = tcpe_wire_opts_len(&o);
	CHECK(len % 4 == 0 && len <= TCPE_TCP_OPT_MAX);
	CHECK(tcpe_wire_opts_build(buf, &o) == len);
	CHECK(tcpe_wire_opts_parse(buf, len, &back) == 0);
	expect_rebuilt(&o);
	check_opts_equal(&back, &o);
}

/*
 * p/len parsed into seg (addresses src/dst). Rebuild it as an IPv4
 * packet from the parsed fields with the builders and checksums, parse
 * that back with verification and compare.
 */
static void
check_tcp(const uint8_t *p, uint32_t len, uint32_t src, uint32_t dst,
    const struct tcpe_seg *seg)
{
	struct tcpe_buf pay = { .p = p + seg->data.off, .len = seg->data.len };
	struct tcpe_opts want;
	struct tcpe_oseg o;
	struct tcpe_ip4 ip, ip2;
	struct tcpe_seg back;
	struct tcpe_view v[2];
	uint8_t hdr[60], *pkt, *orig;
	uint32_t hlen, cut;
	uint16_t c, c2, field;

	CHECK(seg->data.buf == NULL);
	CHECK(seg->data.off >= TCPE_TCP_HDR_LEN && seg->data.off <= 60);
	CHECK(seg->data.off % 4 == 0);
	CHECK(seg->data.off + seg->data.len == len);
	CHECK(seg->t.raddr == src && seg->t.laddr == dst);

	/* The checksum of the original, over a copy with the field zeroed. */
	orig = malloc(seg->data.off);
	CHECK(orig != NULL);
	memcpy(orig, p, seg->data.off);
	memcpy(&field, orig + TCPE_TCP_CSUM_OFF, 2);
	orig[TCPE_TCP_CSUM_OFF] = 0;
	orig[TCPE_TCP_CSUM_OFF + 1] = 0;
	v[0] = (struct tcpe_view){ .buf = &pay, .off = 0, .len = pay.len };
	c = tcpe_wire_tcp_csum(src, dst, orig, seg->data.off, v, 1, &fb_ops);
	free(orig);
	/* 0 and 0xffff are both zero in one's complement. */
	if (tcpe_wire_tcp_parse(p, len, src, dst, true, &back) == 0)
		CHECK(field == c || (c == 0 && field == 0xffff));
	else
		CHECK(field != c);

	memset(&o, 0, sizeof(o));
	o.t.laddr = seg->t.raddr;
	o.t.raddr = seg->t.laddr;
	o.t.lport = seg->t.rport;
	o.t.rport = seg->t.lport;
	o.seq = seg->seq;
	o.ack = seg->ack;
	o.wnd = seg->wnd;
	o.flags = seg->flags;
	o.opts = seg->opts;
	o.nviews = 1;
	o.len = pay.len;
	o.v[0] = v[0];

	CHECK(tcpe_wire_tcp_build(hdr, tcpe_wire_tcp_hdr_len(&o) - 1, &o) ==
	    0);
	hlen = tcpe_wire_tcp_build(hdr, sizeof(hdr), &o);
	CHECK(hlen == tcpe_wire_tcp_hdr_len(&o));
	CHECK(hlen >= TCPE_TCP_HDR_LEN && hlen <= 60 && hlen % 4 == 0);
	c = tcpe_wire_tcp_csum(o.t.laddr, o.t.raddr, hdr, hlen, o.v, 1,
	    &fb_ops);
	/* The same payload cut into two views (often odd) sums the same. */
	cut = pay.len > 0 ? seg->seq % pay.len : 0;
	v[0] = (struct tcpe_view){ .buf = &pay, .off = 0, .len = cut };
	v[1] = (struct tcpe_view){ .buf = &pay, .off = cut,
	    .len = pay.len - cut };
	c2 = tcpe_wire_tcp_csum(o.t.laddr, o.t.raddr, hdr, hlen, v, 2,
	    &fb_ops);
	CHECK(c == c2);
	memcpy(hdr + TCPE_TCP_CSUM_OFF, &c, 2);

	/* IPv4 around it, then parse the whole thing back, verified. */
	if (TCPE_IP4_HDR_LEN + hlen + pay.len > 0xffff)
		return;
	pkt = malloc(TCPE_IP4_HDR_LEN + hlen + pay.len);
	CHECK(pkt != NULL);
	memset(&ip, 0, sizeof(ip));
	ip.src = o.t.laddr;
	ip.dst = o.t.raddr;
	ip.tot_len = (uint16_t)(TCPE_IP4_HDR_LEN + hlen + pay.len);
	ip.id = (uint16_t)seg->seq;
	ip.ttl = 64;
	ip.proto = TCPE_IPPROTO_TCP;
	ip.tos = (uint8_t)seg->ack;
	CHECK(tcpe_wire_ip4_build(pkt, TCPE_IP4_HDR_LEN - 1, &ip) == 0);
	CHECK(tcpe_wire_ip4_build(pkt, ip.tot_len, &ip) == TCPE_IP4_HDR_LEN);
	memcpy(pkt + TCPE_IP4_HDR_LEN, hdr, hlen);
	if (pay.len > 0)
		memcpy(pkt + TCPE_IP4_HDR_LEN + hlen, pay.p, pay.len);

	CHECK(tcpe_wire_ip4_parse(pkt, ip.tot_len, &ip2) == 0);
	CHECK(ip2.src == ip.src && ip2.dst == ip.dst);
	CHECK(ip2.tot_len == ip.tot_len && ip2.id == ip.id);
	CHECK(ip2.ttl == 64 && ip2.proto == TCPE_IPPROTO_TCP);
	CHECK(ip2.tos == ip.tos && ip2.ihl == TCPE_IP4_HDR_LEN);
	CHECK(ip2.frag == TCPE_IP4_DF && !tcpe_ip4_is_fragment(&ip2));

	CHECK(tcpe_wire_tcp_parse(pkt + ip2.ihl, tcpe_ip4_payload_len(&ip2),
	    ip2.src, ip2.dst, true, &back) == 0);
	CHECK(tcpe_tuple_eq(&back.t, &seg->t));
	CHECK(back.seq == seg->seq && back.ack == seg->ack);
	CHECK(back.wnd == seg->wnd && back.flags == seg->flags);
	CHECK(back.urp == 0);
	CHECK(back.data.off == hlen && back.data.len == seg->data.len);
	CHECK(pay.len == 0 ||
	    memcmp(pkt + ip2.ihl + back.data.off, pay.p, pay.len) == 0);
	want = seg->opts;
	expect_rebuilt(&want);
	check_opts_equal(&back.opts, &want);
	free(pkt);
}

static void
try_tcp(const uint8_t *p, uint32_t len, uint32_t src, uint32_t dst)
{
	struct tcpe_seg seg, seg2;
	int rc, rc2;

	rc = tcpe_wire_tcp_parse(p, len, src, dst, false, &seg);
	rc2 = tcpe_wire_tcp_parse(p, len, src, dst, true, &seg2);
	CHECK(rc == 0 || rc == -EINVAL);
	CHECK(rc2 == 0 || rc2 == -EINVAL || rc2 == -EBADMSG);
	/* Verifying only adds -EBADMSG, before the options are looked at. */
	if (rc2 == 0)
		CHECK(rc == 0);
	if (rc == 0)
		CHECK(rc2 == 0 || rc2 == -EBADMSG);
	if (rc != 0)
		return;
	check_tcp(p, len, src, dst, &seg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcpe_ip4 ip;
	uint32_t n;
	uint8_t *d;

	if (size > 0x10000)
		return 0;
	n = (uint32_t)size;
	/* An exact heap copy so that ASan sees any over-read. */
	d = malloc(n > 0 ? n : 1);
	CHECK(d != NULL);
	if (n > 0)
		memcpy(d, data, n);

	check_csum(d, n);
	check_opts(d, n);
	try_tcp(d, n, SRC, DST);

	if (tcpe_wire_ip4_parse(d, n, &ip) == 0) {
		CHECK(ip.ihl >= TCPE_IP4_HDR_LEN && ip.ihl <= 60);
		CHECK(ip.ihl % 4 == 0);
		CHECK(ip.tot_len >= ip.ihl && ip.tot_len <= n);
		CHECK(tcpe_csum(d, ip.ihl) == 0);
		CHECK(tcpe_ip4_is_fragment(&ip) ==
		    ((ip.frag & 0x3fff) != 0));
		if (ip.proto == TCPE_IPPROTO_TCP)
			try_tcp(d + ip.ihl, tcpe_ip4_payload_len(&ip), ip.src,
			    ip.dst);
	}
	free(d);
	return 0;
}
