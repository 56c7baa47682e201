/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for tcpe_wire: IPv4/TCP parsing and building, TCP options,
 * Internet checksums. Reference packets were generated once with scapy
 * 2.5.0 (see the comment above each) and pasted here as bytes.
 *
 * Inputs that must not be over-read are copied into heap blocks of exactly
 * their length (exact()), so that AddressSanitizer reports any read past
 * the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "tcpe_wire.h"

#define IP4(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/*
 * A SYN as Linux sends it:
 * IP(src="10.0.0.1", dst="10.0.0.2", id=0x1234, flags="DF", ttl=64) /
 * TCP(sport=40000, dport=80, seq=0x01020304, flags="S", window=64240,
 *     options=[("MSS", 1460), ("SAckOK", b""),
 *              ("Timestamp", (0x11223344, 0)), ("NOP", None),
 *              ("WScale", 7)])
 * IP checksum 0x1486, TCP checksum 0x5410.
 */
static const uint8_t syn_pkt[] = {
	0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x14, 0x86,
	0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x00, 0x50,
	0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
	0x54, 0x10, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07
};

/*
 * An ACK carrying 13 bytes (odd), timestamps and two SACK blocks:
 * IP(src="192.168.1.10", dst="192.168.1.20", id=0xbeef, flags="DF",
 *    ttl=63, tos=0x10) /
 * TCP(sport=80, dport=51000, seq=0xfffffff0, ack=0x89abcdef, flags="PA",
 *     window=502, options=[("NOP", None), ("NOP", None),
 *     ("Timestamp", (0xdeadbeef, 0x01020304)), ("NOP", None),
 *     ("NOP", None), ("SAck", (1000, 2000, 3000, 4000))]) /
 * b"hello, world!"
 * IP checksum 0xf934, TCP checksum 0x5207.
 */
static const uint8_t ack_pkt[] = {
	0x45, 0x10, 0x00, 0x55, 0xbe, 0xef, 0x40, 0x00, 0x3f, 0x06, 0xf9, 0x34,
	0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14, 0x00, 0x50, 0xc7, 0x38,
	0xff, 0xff, 0xff, 0xf0, 0x89, 0xab, 0xcd, 0xef, 0xd0, 0x18, 0x01, 0xf6,
	0x52, 0x07, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0xde, 0xad, 0xbe, 0xef,
	0x01, 0x02, 0x03, 0x04, 0x01, 0x01, 0x05, 0x12, 0x00, 0x00, 0x03, 0xe8,
	0x00, 0x00, 0x07, 0xd0, 0x00, 0x00, 0x0b, 0xb8, 0x00, 0x00, 0x0f, 0xa0,
	0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x77, 0x6f, 0x72, 0x6c, 0x64,
	0x21
};

#define SYN_SRC		IP4(10, 0, 0, 1)
#define SYN_DST		IP4(10, 0, 0, 2)
#define ACK_SRC		IP4(192, 168, 1, 10)
#define ACK_DST		IP4(192, 168, 1, 20)

/* A heap copy of exactly len bytes (at least 1 allocated): free() it. */
static uint8_t *
exact(const void *p, uint32_t len)
{
	uint8_t *q;

	q = malloc(len > 0 ? len : 1);
	assert_non_null(q);
	if (len > 0)
		memcpy(q, p, len);
	return q;
}

/* A stored checksum as the 16-bit number its two bytes spell. */
static uint16_t
stored(uint16_t c)
{
	uint8_t b[2];

	memcpy(b, &c, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* Reference checksum, straight from RFC 1071: big-endian words. */
static uint16_t
ref_csum(const uint8_t *p, uint32_t len)
{
	uint32_t s = 0, i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Deterministic bytes (xorshift32). */
static void
fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t x = seed | 1, i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static void
set_ip_csum(uint8_t *p)
{
	uint16_t c;

	p[10] = 0;
	p[11] = 0;
	c = tcpe_csum(p, (uint32_t)(p[0] & 0x0f) * 4);
	memcpy(&p[10], &c, 2);
}

static int
ip_parse_exact(const uint8_t *p, uint32_t len, struct tcpe_ip4 *ip)
{
	uint8_t *q = exact(p, len);
	int rc;

	rc = tcpe_wire_ip4_parse(q, len, ip);
	free(q);
	return rc;
}

static int
opts_parse_exact(const uint8_t *p, uint32_t len, struct tcpe_opts *o)
{
	uint8_t *q = exact(p, len);
	int rc;

	rc = tcpe_wire_opts_parse(q, len, o);
	free(q);
	return rc;
}

static int
no_leaks(void **state)
{
	(void)state;
	assert_int_equal(h_buf_live(), 0);
	return 0;
}

/* ---- checksum ---- */

static void
test_csum_rfc1071_example(void **state)
{
	/* RFC 1071 section 3: sum of these words is 0xddf2. */
	static const uint8_t d[] = {
		0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7
	};
	struct tcpe_csum st;

	(void)state;
	tcpe_csum_init(&st);
	tcpe_csum_add(&st, d, sizeof(d));
	assert_int_equal(stored(tcpe_csum_fold(&st)), 0xddf2);
	assert_int_equal(stored(tcpe_csum_finish(&st)), 0x220d);
	assert_int_equal(stored(tcpe_csum(d, sizeof(d))), 0x220d);
	/* Nothing added: the sum is 0, the checksum 0xffff. */
	tcpe_csum_init(&st);
	tcpe_csum_add(&st, NULL, 0);
	assert_int_equal(tcpe_csum_finish(&st), 0xffff);
}

static void
test_csum_matches_reference(void **state)
{
	uint8_t buf[2048 + 8];
	uint32_t len, off;

	(void)state;
	fill(buf, sizeof(buf), 12345);
	/* Every length up to 300 and every misalignment of the start. */
	for (off = 0; off < 8; off++)
		for (len = 0; len <= 300; len++)
			assert_int_equal(stored(tcpe_csum(buf + off, len)),
			    ref_csum(buf + off, len));
	/* Long buffers, all 0xff (many carries) and random. */
	assert_int_equal(stored(tcpe_csum(buf, 2048)), ref_csum(buf, 2048));
	assert_int_equal(stored(tcpe_csum(buf + 3, 2047)),
	    ref_csum(buf + 3, 2047));
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(stored(tcpe_csum(buf, 2048)), ref_csum(buf, 2048));
	assert_int_equal(stored(tcpe_csum(buf, 2047)), ref_csum(buf, 2047));
}

static void
test_csum_chunks(void **state)
{
	uint8_t buf[301];
	struct tcpe_csum st;
	uint16_t one;
	uint32_t a, b, c, seed;

	(void)state;
	fill(buf, sizeof(buf), 777);
	one = tcpe_csum(buf, sizeof(buf));
	/* Every split into three chunks of lengths a, b-a, rest. */
	for (a = 0; a <= 40; a++) {
		for (b = a; b <= 80; b++) {
			tcpe_csum_init(&st);
			tcpe_csum_add(&st, buf, a);
			tcpe_csum_add(&st, buf + a, b - a);
			tcpe_csum_add(&st, buf + b, sizeof(buf) - b);
			assert_int_equal(tcpe_csum_finish(&st), one);
		}
	}
	/* Many chunks of 1 to 7 bytes, from copies (not contiguous). */
	for (seed = 1; seed < 50; seed++) {
		uint8_t lens[sizeof(buf)];
		uint32_t pos = 0;

		fill(lens, sizeof(lens), seed);
		tcpe_csum_init(&st);
		while (pos < sizeof(buf)) {
			uint8_t *chunk;

			c = (uint32_t)(lens[pos] % 7) + 1;
			if (c > sizeof(buf) - pos)
				c = (uint32_t)sizeof(buf) - pos;
			chunk = exact(buf + pos, c);
			tcpe_csum_add(&st, chunk, c);
			free(chunk);
			pos += c;
		}
		assert_int_equal(tcpe_csum_finish(&st), one);
	}
}

static void
test_csum_pseudo_any_position(void **state)
{
	uint8_t seg[57];
	struct tcpe_csum st;
	uint16_t first, c;
	uint8_t ph[12];
	uint32_t len = sizeof(seg);

	(void)state;
	fill(seg, sizeof(seg), 99);
	/* By hand: the 12-byte IPv4 pseudo-header, then the segment. */
	memcpy(ph, (const uint8_t []){ 0xc0, 0xa8, 0x00, 0x01, 0x0a, 0x01,
	    0x02, 0x03, 0x00, 0x06, 0x00, (uint8_t)len }, 12);
	tcpe_csum_init(&st);
	tcpe_csum_add(&st, ph, 12);
	tcpe_csum_add(&st, seg, len);
	first = tcpe_csum_finish(&st);

	tcpe_csum_init(&st);
	tcpe_csum_pseudo(&st, IP4(192, 168, 0, 1), IP4(10, 1, 2, 3), 6, len);
	tcpe_csum_add(&st, seg, len);
	assert_int_equal(tcpe_csum_finish(&st), first);

	/* After an odd chunk, and after everything. */
	tcpe_csum_init(&st);
	tcpe_csum_add(&st, seg, 13);
	tcpe_csum_pseudo(&st, IP4(192, 168, 0, 1), IP4(10, 1, 2, 3), 6, len);
	tcpe_csum_add(&st, seg + 13, len - 13);
	assert_int_equal(tcpe_csum_finish(&st), first);

	tcpe_csum_init(&st);
	tcpe_csum_add(&st, seg, len);
	tcpe_csum_pseudo(&st, IP4(192, 168, 0, 1), IP4(10, 1, 2, 3), 6, len);
	c = tcpe_csum_finish(&st);
	assert_int_equal(c, first);
}

/* ---- IPv4 ---- */

static void
test_ip4_parse_syn(void **state)
{
	struct tcpe_ip4 ip;

	(void)state;
	assert_int_equal(ip_parse_exact(syn_pkt, sizeof(syn_pkt), &ip), 0);
	assert_int_equal(ip.src, SYN_SRC);
	assert_int_equal(ip.dst, SYN_DST);
	assert_int_equal(ip.ihl, 20);
	assert_int_equal(ip.tot_len, 60);
	assert_int_equal(ip.id, 0x1234);
	assert_int_equal(ip.frag, TCPE_IP4_DF);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(ip.proto, TCPE_IPPROTO_TCP);
	assert_int_equal(ip.tos, 0);
	assert_false(tcpe_ip4_is_fragment(&ip));
	assert_int_equal(tcpe_ip4_payload_len(&ip), 40);

	assert_int_equal(ip_parse_exact(ack_pkt, sizeof(ack_pkt), &ip), 0);
	assert_int_equal(ip.tos, 0x10);
	assert_int_equal(ip.ttl, 63);
	assert_int_equal(ip.src, ACK_SRC);
	assert_int_equal(ip.dst, ACK_DST);
	assert_int_equal(tcpe_ip4_payload_len(&ip), 65);
}

static void
test_ip4_padding(void **state)
{
	uint8_t pkt[sizeof(syn_pkt) + 6];
	struct tcpe_ip4 ip;

	(void)state;
	/* Short frames are padded: bytes past tot_len are ignored. */
	memcpy(pkt, syn_pkt, sizeof(syn_pkt));
	memset(pkt + sizeof(syn_pkt), 0xee, 6);
	assert_int_equal(ip_parse_exact(pkt, sizeof(pkt), &ip), 0);
	assert_int_equal(ip.tot_len, 60);
	assert_int_equal(tcpe_ip4_payload_len(&ip), 40);
}

static void
test_ip4_options(void **state)
{
	/* ihl 6: one word of options (NOPs), then 8 bytes of payload. */
	uint8_t pkt[32];
	struct tcpe_ip4 ip;

	(void)state;
	memcpy(pkt, syn_pkt, 20);
	pkt[0] = 0x46;
	pkt[2] = 0;
	pkt[3] = 32;
	memset(pkt + 20, 1, 4);
	memset(pkt + 24, 0xab, 8);
	set_ip_csum(pkt);
	assert_int_equal(ip_parse_exact(pkt, sizeof(pkt), &ip), 0);
	assert_int_equal(ip.ihl, 24);
	assert_int_equal(tcpe_ip4_payload_len(&ip), 8);
}

static void
test_ip4_bad(void **state)
{
	uint8_t pkt[60];
	struct tcpe_ip4 ip;
	uint32_t len;

	(void)state;
	/* Shorter than a header, at every length. */
	for (len = 0; len < 20; len++)
		assert_int_equal(ip_parse_exact(syn_pkt, len, &ip), -EINVAL);

	/* Version 6. */
	memcpy(pkt, syn_pkt, 60);
	pkt[0] = 0x65;
	set_ip_csum(pkt);
	assert_int_equal(ip_parse_exact(pkt, 60, &ip), -EINVAL);

	/* ihl 0 to 4. */
	for (len = 0; len < 5; len++) {
		memcpy(pkt, syn_pkt, 60);
		pkt[0] = (uint8_t)(0x40 | len);
		assert_int_equal(ip_parse_exact(pkt, 60, &ip), -EINVAL);
	}

	/* ihl * 4 beyond what was received (60 > 40). */
	memcpy(pkt, syn_pkt, 60);
	pkt[0] = 0x4f;
	pkt[3] = 40;
	assert_int_equal(ip_parse_exact(pkt, 40, &ip), -EINVAL);

	/* tot_len below the header length. */
	memcpy(pkt, syn_pkt, 60);
	pkt[3] = 19;
	set_ip_csum(pkt);
	assert_int_equal(ip_parse_exact(pkt, 60, &ip), -EINVAL);
	pkt[0] = 0x46;
	pkt[3] = 20;
	set_ip_csum(pkt);
	assert_int_equal(ip_parse_exact(pkt, 60, &ip), -EINVAL);

	/* tot_len beyond what was received (truncated datagram). */
	memcpy(pkt, syn_pkt, 60);
	pkt[3] = 61;
	set_ip_csum(pkt);
	assert_int_equal(ip_parse_exact(pkt, 60, &ip), -EINVAL);
	assert_int_equal(ip_parse_exact(syn_pkt, 59, &ip), -EINVAL);

	/* tot_len == header length: valid, empty payload. */
	memcpy(pkt, syn_pkt, 60);
	pkt[3] = 20;
	set_ip_csum(pkt);
	assert_int_equal(ip_parse_exact(pkt, 60, &ip), 0);
	assert_int_equal(tcpe_ip4_payload_len(&ip), 0);

	/* Bad checksum: any flipped bit of the header. */
	for (len = 0; len < 20 * 8; len++) {
		memcpy(pkt, syn_pkt, 60);
		pkt[len / 8] ^= (uint8_t)(1u << (len % 8));
		if (len / 8 == 0 || len / 8 == 2 || len / 8 == 3)
			continue;	/* version, ihl, tot_len: -EINVAL */
		assert_int_equal(ip_parse_exact(pkt, 60, &ip), -EBADMSG);
	}
	/* A payload byte is not covered by the header checksum. */
	memcpy(pkt, syn_pkt, 60);
	pkt[40] ^= 0xff;
	assert_int_equal(ip_parse_exact(pkt, 60, &ip), 0);
}

static void
test_ip4_fragment(void **state)
{
	static const uint16_t frag[] = {
		0x0000, TCPE_IP4_DF, TCPE_IP4_MF, 0x0001, 0x1fff,
		TCPE_IP4_MF | 0x0010, TCPE_IP4_DF | 0x0001,
	};
	static const bool is_frag[] = {
		false, false, true, true, true, true, true,
	};
	uint8_t pkt[60];
	struct tcpe_ip4 ip;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(frag) / sizeof(frag[0]); i++) {
		memcpy(pkt, syn_pkt, 60);
		pkt[6] = (uint8_t)(frag[i] >> 8);
		pkt[7] = (uint8_t)frag[i];
		set_ip_csum(pkt);
		assert_int_equal(ip_parse_exact(pkt, 60, &ip), 0);
		assert_int_equal(ip.frag, frag[i]);
		assert_int_equal(tcpe_ip4_is_fragment(&ip), is_frag[i]);
	}
}

static void
test_ip4_build(void **state)
{
	struct tcpe_ip4 ip = {
		.src = SYN_SRC,
		.dst = SYN_DST,
		.tot_len = 60,
		.id = 0x1234,
		.ttl = 64,
		.proto = TCPE_IPPROTO_TCP,
		.tos = 0,
		.ihl = 99,	/* ignored */
		.frag = 0xffff,	/* ignored */
	};
	struct tcpe_ip4 back;
	uint8_t out[24];

	(void)state;
	memset(out, 0xcc, sizeof(out));
	assert_int_equal(tcpe_wire_ip4_build(out, 19, &ip), 0);
	assert_int_equal(out[0], 0xcc);
	assert_int_equal(tcpe_wire_ip4_build(out, sizeof(out), &ip), 20);
	assert_memory_equal(out, syn_pkt, 20);
	assert_int_equal(out[20], 0xcc);

	ip.src = ACK_SRC;
	ip.dst = ACK_DST;
	ip.tot_len = 85;
	ip.id = 0xbeef;
	ip.ttl = 63;
	ip.tos = 0x10;
	assert_int_equal(tcpe_wire_ip4_build(out, 20, &ip), 20);
	assert_memory_equal(out, ack_pkt, 20);
	assert_int_equal(tcpe_wire_ip4_parse(ack_pkt, sizeof(ack_pkt), &back),
	    0);
	assert_int_equal(back.id, 0xbeef);
}

/* ---- TCP ---- */

static void
test_tcp_parse_syn(void **state)
{
	const uint8_t *tcp = syn_pkt + 20;
	struct tcpe_seg seg;
	uint8_t *q;

	(void)state;
	memset(&seg, 0x5a, sizeof(seg));
	seg.hash = 0x12345678;
	seg.tos = 7;
	q = exact(tcp, 40);
	assert_int_equal(tcpe_wire_tcp_parse(q, 40, SYN_SRC, SYN_DST, true,
	    &seg), 0);
	free(q);
	assert_int_equal(seg.t.raddr, SYN_SRC);
	assert_int_equal(seg.t.laddr, SYN_DST);
	assert_int_equal(seg.t.rport, 40000);
	assert_int_equal(seg.t.lport, 80);
	assert_int_equal(seg.seq, 0x01020304);
	assert_int_equal(seg.ack, 0);
	assert_int_equal(seg.flags, TCPE_TH_SYN);
	assert_int_equal(seg.wnd, 64240);
	assert_int_equal(seg.urp, 0);
	assert_int_equal(seg.opts.present,
	    TCPE_OPT_MSS | TCPE_OPT_SACKOK | TCPE_OPT_TS | TCPE_OPT_WS);
	assert_int_equal(seg.opts.mss, 1460);
	assert_int_equal(seg.opts.wscale, 7);
	assert_int_equal(seg.opts.tsval, 0x11223344);
	assert_int_equal(seg.opts.tsecr, 0);
	assert_int_equal(seg.opts.nsack, 0);
	assert_null(seg.data.buf);
	assert_int_equal(seg.data.off, 40);
	assert_int_equal(seg.data.len, 0);
	/* Left to the caller. */
	assert_int_equal(seg.hash, 0x12345678);
	assert_int_equal(seg.tos, 7);
}

static void
test_tcp_build_syn(void **state)
{
	struct tcpe_oseg o;
	uint8_t out[64];
	uint16_t c;
	uint32_t hlen;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.t.laddr = SYN_SRC;
	o.t.raddr = SYN_DST;
	o.t.lport = 40000;
	o.t.rport = 80;
	o.seq = 0x01020304;
	o.flags = TCPE_TH_SYN;
	o.wnd = 64240;
	o.opts.present = TCPE_OPT_MSS | TCPE_OPT_SACKOK | TCPE_OPT_TS |
	    TCPE_OPT_WS;
	o.opts.mss = 1460;
	o.opts.wscale = 7;
	o.opts.tsval = 0x11223344;
	o.opts.tsecr = 0;
	assert_int_equal(tcpe_wire_tcp_hdr_len(&o), 40);

	memset(out, 0xcc, sizeof(out));
	assert_int_equal(tcpe_wire_tcp_build(out, 39, &o), 0);
	assert_int_equal(out[0], 0xcc);
	hlen = tcpe_wire_tcp_build(out, sizeof(out), &o);
	assert_int_equal(hlen, 40);
	assert_int_equal(out[40], 0xcc);
	assert_int_equal(out[16], 0);
	assert_int_equal(out[17], 0);
	c = tcpe_wire_tcp_csum(SYN_SRC, SYN_DST, out, hlen, NULL, 0, NULL);
	assert_int_equal(stored(c), 0x5410);
	memcpy(out + TCPE_TCP_CSUM_OFF, &c, 2);
	assert_memory_equal(out, syn_pkt + 20, 40);
	/* Over a correct checksum the sum comes out 0. */
	assert_int_equal(tcpe_wire_tcp_csum(SYN_SRC, SYN_DST, out, hlen, NULL,
	    0, NULL), 0);
}

static void
test_tcp_ack_views(void **state)
{
	const uint8_t *tcp = ack_pkt + 20;
	struct tcpe_buf *b1, *b2;
	struct tcpe_view v[4];
	struct tcpe_oseg o;
	struct tcpe_seg seg;
	uint8_t out[60];
	uint16_t c;
	uint32_t hlen;

	(void)state;
	/* Parse the whole segment, checksum verified. */
	assert_int_equal(tcpe_wire_tcp_parse(tcp, 65, ACK_SRC, ACK_DST, true,
	    &seg), 0);
	assert_int_equal(seg.t.rport, 80);
	assert_int_equal(seg.t.lport, 51000);
	assert_int_equal(seg.seq, 0xfffffff0);
	assert_int_equal(seg.ack, 0x89abcdef);
	assert_int_equal(seg.flags, TCPE_TH_PSH | TCPE_TH_ACK);
	assert_int_equal(seg.wnd, 502);
	assert_int_equal(seg.opts.present, TCPE_OPT_TS | TCPE_OPT_SACK);
	assert_int_equal(seg.opts.tsval, 0xdeadbeef);
	assert_int_equal(seg.opts.tsecr, 0x01020304);
	assert_int_equal(seg.opts.nsack, 2);
	assert_int_equal(seg.opts.sack[0].left, 1000);
	assert_int_equal(seg.opts.sack[0].right, 2000);
	assert_int_equal(seg.opts.sack[1].left, 3000);
	assert_int_equal(seg.opts.sack[1].right, 4000);
	assert_int_equal(seg.data.off, 52);
	assert_int_equal(seg.data.len, 13);
	assert_memory_equal(tcp + seg.data.off, "hello, world!", 13);

	/* Rebuild the header from the same fields. */
	memset(&o, 0, sizeof(o));
	o.t.lport = 80;
	o.t.rport = 51000;
	o.seq = seg.seq;
	o.ack = seg.ack;
	o.flags = seg.flags;
	o.wnd = seg.wnd;
	o.opts = seg.opts;
	hlen = tcpe_wire_tcp_build(out, sizeof(out), &o);
	assert_int_equal(hlen, 52);

	/*
	 * Payload in odd-sized views over two buffers, at odd offsets:
	 * "hel" + "lo, w" + "" + "orld!".
	 */
	b1 = h_buf_new("xhelxx", 6);
	b2 = h_buf_new("zzlo, world!", 12);
	v[0] = (struct tcpe_view){ .buf = b1, .off = 1, .len = 3 };
	v[1] = (struct tcpe_view){ .buf = b2, .off = 2, .len = 5 };
	v[2] = (struct tcpe_view){ .buf = b1, .off = 5, .len = 0 };
	v[3] = (struct tcpe_view){ .buf = b2, .off = 7, .len = 5 };
	c = tcpe_wire_tcp_csum(ACK_SRC, ACK_DST, out, hlen, v, 4, &h_bops);
	assert_int_equal(stored(c), 0x5207);
	memcpy(out + TCPE_TCP_CSUM_OFF, &c, 2);
	assert_memory_equal(out, tcp, 52);

	/* "hel" then "lo, world!": same bytes, other cut, same sum. */
	out[16] = 0;
	out[17] = 0;
	v[0] = (struct tcpe_view){ .buf = b1, .off = 1, .len = 3 };
	v[1] = (struct tcpe_view){ .buf = b2, .off = 2, .len = 10 };
	c = tcpe_wire_tcp_csum(ACK_SRC, ACK_DST, out, hlen, v, 2, &h_bops);
	assert_int_equal(stored(c), 0x5207);
	/* Views in the wrong order: the sum must notice. */
	v[2] = v[0];
	c = tcpe_wire_tcp_csum(ACK_SRC, ACK_DST, out, hlen, &v[1], 2,
	    &h_bops);
	assert_int_not_equal(stored(c), 0x5207);
	h_bops.unref(h_bops.ctx, b1);
	h_bops.unref(h_bops.ctx, b2);

	/* One view holding it all. */
	b1 = h_buf_new("hello, world!", 13);
	v[0] = (struct tcpe_view){ .buf = b1, .off = 0, .len = 13 };
	c = tcpe_wire_tcp_csum(ACK_SRC, ACK_DST, out, hlen, v, 1, &h_bops);
	assert_int_equal(stored(c), 0x5207);
	h_bops.unref(h_bops.ctx, b1);
	assert_int_equal(h_buf_live(), 0);
}

static void
test_tcp_bad(void **state)
{
	const uint8_t *tcp = syn_pkt + 20;
	struct tcpe_seg seg;
	uint8_t buf[64];
	uint32_t len, d;
	uint8_t *q;

	(void)state;
	/* Shorter than a header. */
	for (len = 0; len < 20; len++) {
		q = exact(tcp, len);
		assert_int_equal(tcpe_wire_tcp_parse(q, len, SYN_SRC, SYN_DST,
		    false, &seg), -EINVAL);
		free(q);
	}
	/* Data offset below 5. */
	for (d = 0; d < 5; d++) {
		memcpy(buf, tcp, 40);
		buf[12] = (uint8_t)(d << 4);
		assert_int_equal(tcpe_wire_tcp_parse(buf, 40, SYN_SRC, SYN_DST,
		    false, &seg), -EINVAL);
	}
	/* Data offset beyond len: 40-byte header in 39 and 20 bytes. */
	q = exact(tcp, 39);
	assert_int_equal(tcpe_wire_tcp_parse(q, 39, SYN_SRC, SYN_DST, false,
	    &seg), -EINVAL);
	free(q);
	q = exact(tcp, 20);
	assert_int_equal(tcpe_wire_tcp_parse(q, 20, SYN_SRC, SYN_DST, false,
	    &seg), -EINVAL);
	free(q);
	memcpy(buf, tcp, 40);
	buf[12] = 0xf0;
	assert_int_equal(tcpe_wire_tcp_parse(buf, 40, SYN_SRC, SYN_DST, false,
	    &seg), -EINVAL);
	/* The structure is checked before the checksum. */
	assert_int_equal(tcpe_wire_tcp_parse(buf, 40, SYN_SRC, SYN_DST, true,
	    &seg), -EINVAL);

	/* Bad checksum: flipped bit anywhere, or wrong pseudo-header. */
	for (d = 0; d < 40 * 8; d++) {
		memcpy(buf, tcp, 40);
		buf[d / 8] ^= (uint8_t)(1u << (d % 8));
		if (d / 8 == 12)
			continue;	/* data offset: may be -EINVAL */
		assert_int_equal(tcpe_wire_tcp_parse(buf, 40, SYN_SRC, SYN_DST,
		    true, &seg), -EBADMSG);
	}
	assert_int_equal(tcpe_wire_tcp_parse(tcp, 40, SYN_SRC + 1, SYN_DST,
	    true, &seg), -EBADMSG);
	assert_int_equal(tcpe_wire_tcp_parse(tcp, 40, SYN_DST, SYN_SRC,
	    true, &seg), 0);	/* swapping is invisible to the sum */
	memcpy(buf, tcp, 40);
	buf[41] = 0;
	assert_int_equal(tcpe_wire_tcp_parse(buf, 41, SYN_SRC, SYN_DST,
	    true, &seg), -EBADMSG);	/* length in the pseudo-header */

	/* Not verified: a corrupt segment parses. */
	memcpy(buf, tcp, 40);
	buf[4] ^= 0x80;
	assert_int_equal(tcpe_wire_tcp_parse(buf, 40, SYN_SRC, SYN_DST, false,
	    &seg), 0);
	assert_int_equal(seg.seq, 0x81020304);

	/* Malformed options: the last one, WS, given length 4, runs past. */
	memcpy(buf, tcp, 40);
	buf[38] = 4;
	assert_int_equal(tcpe_wire_tcp_parse(buf, 40, SYN_SRC, SYN_DST, false,
	    &seg), -EINVAL);
	/* Options area cut at 12 bytes: the TS option runs past it. */
	memcpy(buf, tcp, 40);
	buf[12] = 0x80;
	assert_int_equal(tcpe_wire_tcp_parse(buf, 40, SYN_SRC, SYN_DST, false,
	    &seg), -EINVAL);
}

/* ---- options ---- */

static void
assert_opts_equal(const struct tcpe_opts *a, const struct tcpe_opts *b)
{
	uint8_t i;

	assert_int_equal(a->present, b->present);
	if (a->present & TCPE_OPT_MSS)
		assert_int_equal(a->mss, b->mss);
	if (a->present & TCPE_OPT_WS)
		assert_int_equal(a->wscale, b->wscale);
	if (a->present & TCPE_OPT_TS) {
		assert_int_equal(a->tsval, b->tsval);
		assert_int_equal(a->tsecr, b->tsecr);
	}
	if (a->present & TCPE_OPT_SACK) {
		assert_int_equal(a->nsack, b->nsack);
		for (i = 0; i < a->nsack; i++) {
			assert_int_equal(a->sack[i].left, b->sack[i].left);
			assert_int_equal(a->sack[i].right, b->sack[i].right);
		}
	}
}

static void
test_opts_roundtrip(void **state)
{
	struct tcpe_opts o, back, want;
	uint8_t buf[TCPE_TCP_OPT_MAX + 8];
	uint32_t present, ns, len, room, k;

	(void)state;
	for (present = 0; present < 32; present++) {
		for (ns = 0; ns <= TCPE_MAX_SACK_BLOCKS; ns++) {
			memset(&o, 0, sizeof(o));
			o.present = (uint8_t)present;
			o.mss = 0xfedc;
			o.wscale = 14;
			o.tsval = 0x80000001;
			o.tsecr = 0xfffffffe;
			o.nsack = (uint8_t)ns;
			for (k = 0; k < TCPE_MAX_SACK_BLOCKS; k++) {
				o.sack[k].left = 0x10000000 * k + 1;
				o.sack[k].right = 0x10000000 * k + 0x8000;
			}
			len = tcpe_wire_opts_len(&o);
			assert_true(len % 4 == 0);
			assert_true(len <= TCPE_TCP_OPT_MAX);
			memset(buf, 0xcc, sizeof(buf));
			assert_int_equal(tcpe_wire_opts_build(buf, &o), len);
			assert_int_equal(buf[len], 0xcc);
			assert_int_equal(opts_parse_exact(buf, len, &back), 0);

			/* What should come back: SACK only with blocks. */
			want = o;
			room = (TCPE_TCP_OPT_MAX - 4 -
			    ((present & TCPE_OPT_MSS) ? 4 : 0) -
			    ((present & TCPE_OPT_TS) ? 12 :
			    (present & TCPE_OPT_SACKOK) ? 4 : 0) -
			    ((present & TCPE_OPT_WS) ? 4 : 0)) / 8;
			if (want.nsack > room)
				want.nsack = (uint8_t)room;
			if (want.nsack == 0)
				want.present &= (uint8_t)~TCPE_OPT_SACK;
			assert_opts_equal(&back, &want);
		}
	}
}

static void
test_opts_layouts(void **state)
{
	struct tcpe_opts o;
	uint8_t buf[TCPE_TCP_OPT_MAX];

	(void)state;
	memset(&o, 0, sizeof(o));
	o.present = TCPE_OPT_MSS;
	o.mss = 1460;
	assert_int_equal(tcpe_wire_opts_build(buf, &o), 4);
	assert_memory_equal(buf, ((const uint8_t []){ 2, 4, 0x05, 0xb4 }), 4);

	o.present = TCPE_OPT_WS;
	o.wscale = 9;
	assert_int_equal(tcpe_wire_opts_build(buf, &o), 4);
	assert_memory_equal(buf, ((const uint8_t []){ 1, 3, 3, 9 }), 4);

	o.present = TCPE_OPT_SACKOK;
	assert_int_equal(tcpe_wire_opts_build(buf, &o), 4);
	assert_memory_equal(buf, ((const uint8_t []){ 1, 1, 4, 2 }), 4);

	o.present = TCPE_OPT_TS;
	o.tsval = 0x01020304;
	o.tsecr = 0x05060708;
	assert_int_equal(tcpe_wire_opts_build(buf, &o), 12);
	assert_memory_equal(buf, ((const uint8_t []){ 1, 1, 8, 10, 1, 2, 3, 4,
	    5, 6, 7, 8 }), 12);

	o.present = TCPE_OPT_TS | TCPE_OPT_SACKOK;
	assert_int_equal(tcpe_wire_opts_build(buf, &o), 12);
	assert_memory_equal(buf, ((const uint8_t []){ 4, 2, 8, 10, 1, 2, 3, 4,
	    5, 6, 7, 8 }), 12);

	/* Linux's SYN without timestamps: MSS, NOP,NOP,SACKOK, NOP,WS. */
	o.present = TCPE_OPT_MSS | TCPE_OPT_SACKOK | TCPE_OPT_WS;
	o.mss = 1460;
	o.wscale = 7;
	assert_int_equal(tcpe_wire_opts_len(&o), 12);
	assert_int_equal(tcpe_wire_opts_build(buf, &o), 12);
	assert_memory_equal(buf, ((const uint8_t []){ 2, 4, 0x05, 0xb4, 1, 1,
	    4, 2, 1, 3, 3, 7 }), 12);

	/* SACK present but no block: nothing written. */
	o.present = TCPE_OPT_SACK;
	o.nsack = 0;
	assert_int_equal(tcpe_wire_opts_len(&o), 0);
	assert_int_equal(tcpe_wire_opts_build(buf, &o), 0);

	o.nsack = 1;
	o.sack[0].left = 0xa1a2a3a4;
	o.sack[0].right = 0xb1b2b3b4;
	assert_int_equal(tcpe_wire_opts_build(buf, &o), 12);
	assert_memory_equal(buf, ((const uint8_t []){ 1, 1, 5, 10, 0xa1, 0xa2,
	    0xa3, 0xa4, 0xb1, 0xb2, 0xb3, 0xb4 }), 12);

	/* Nothing at all. */
	o.present = 0;
	assert_int_equal(tcpe_wire_opts_len(&o), 0);
	assert_int_equal(tcpe_wire_opts_build(buf, &o), 0);
}

static void
test_opts_sack_fit(void **state)
{
	struct tcpe_opts o, back;
	uint8_t buf[TCPE_TCP_OPT_MAX];
	uint32_t k;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.nsack = TCPE_MAX_SACK_BLOCKS;
	for (k = 0; k < TCPE_MAX_SACK_BLOCKS; k++) {
		o.sack[k].left = 100 * k;
		o.sack[k].right = 100 * k + 50;
	}
	/* Alone: 4 blocks, 36 bytes. */
	o.present = TCPE_OPT_SACK;
	assert_int_equal(tcpe_wire_opts_len(&o), 36);
	/* With timestamps (the common case): 3 blocks, 12 + 28 = 40. */
	o.present = TCPE_OPT_SACK | TCPE_OPT_TS;
	assert_int_equal(tcpe_wire_opts_len(&o), 40);
	assert_int_equal(tcpe_wire_opts_build(buf, &o), 40);
	assert_int_equal(opts_parse_exact(buf, 40, &back), 0);
	assert_int_equal(back.nsack, 3);
	assert_int_equal(back.sack[2].left, 200);
	assert_true(back.present & TCPE_OPT_TS);
	/* Everything: 20 bytes left for SACK, 2 blocks. */
	o.present = TCPE_OPT_SACK | TCPE_OPT_TS | TCPE_OPT_MSS |
	    TCPE_OPT_WS | TCPE_OPT_SACKOK;
	assert_int_equal(tcpe_wire_opts_len(&o), 40);
	assert_int_equal(tcpe_wire_opts_build(buf, &o), 40);
	assert_int_equal(opts_parse_exact(buf, 40, &back), 0);
	assert_int_equal(back.nsack, 2);
	assert_int_equal(back.present, o.present);
	/* A bogus nsack above the maximum is clamped. */
	o.present = TCPE_OPT_SACK;
	o.nsack = 200;
	assert_int_equal(tcpe_wire_opts_len(&o), 36);
	assert_int_equal(tcpe_wire_opts_build(buf, &o), 36);
}

struct bad_case {
	const char *what;
	uint8_t len;
	uint8_t b[40];
};

static const struct bad_case bad_cases[] = {
	{ "MSS, length byte missing", 1, { 2 } },
	{ "length byte missing after NOPs", 3, { 1, 1, 8 } },
	{ "unknown kind, length byte missing", 1, { 99 } },
	{ "length 0", 4, { 2, 0, 0, 0 } },
	{ "length 1", 4, { 2, 1, 0, 0 } },
	{ "unknown kind, length 0", 4, { 30, 0, 1, 1 } },
	{ "unknown kind, length 1", 4, { 30, 1, 1, 1 } },
	{ "SACKOK length 0", 2, { 4, 0 } },
	{ "MSS past the end", 3, { 2, 4, 5 } },
	{ "TS past the end", 9, { 8, 10, 1, 2, 3, 4, 5, 6, 7 } },
	{ "SACK past the end", 12, { 1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2 } },
	{ "unknown kind past the end", 4, { 30, 5, 0, 0 } },
	{ "length 255", 40, { 30, 255 } },
	{ "good options then no length", 8, { 2, 4, 5, 0xb4, 1, 1, 1, 3 } },
	{ "good options then length 1", 8, { 2, 4, 5, 0xb4, 3, 1, 0, 0 } },
	{ "wrong-length WS past the end", 4, { 1, 3, 4, 7 } },
};

static void
test_opts_malformed(void **state)
{
	struct tcpe_opts o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		print_message("  %s\n", bad_cases[i].what);
		memset(&o, 0xff, sizeof(o));
		assert_int_equal(opts_parse_exact(bad_cases[i].b,
		    bad_cases[i].len, &o), -EINVAL);
		assert_int_equal(o.present, 0);
		assert_int_equal(o.nsack, 0);
	}
}

static void
test_opts_wrong_length_ignored(void **state)
{
	static const struct {
		const char *what;
		uint8_t len;
		uint8_t b[40];
	} cases[] = {
		{ "MSS length 3", 3, { 2, 3, 5 } },
		{ "MSS length 6", 6, { 2, 6, 5, 0xb4, 0, 0 } },
		{ "WS length 2", 2, { 3, 2 } },
		{ "WS length 4", 4, { 3, 4, 7, 0 } },
		{ "SACKOK length 3", 3, { 4, 3, 0 } },
		{ "TS length 8", 8, { 8, 8, 1, 2, 3, 4, 5, 6 } },
		{ "TS length 12", 12, { 8, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9 } },
		{ "SACK length 2 (no block)", 2, { 5, 2 } },
		{ "SACK length 9", 9, { 5, 9, 0, 0, 0, 1, 0, 0, 0 } },
		{ "SACK length 11", 11, { 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0 } },
		{ "SACK length 40", 40, { 5, 40 } },
	};
	struct tcpe_opts o;
	uint8_t buf[48];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("  %s\n", cases[i].what);
		assert_int_equal(opts_parse_exact(cases[i].b, cases[i].len, &o),
		    0);
		assert_int_equal(o.present, 0);
		/* A good MSS after it is still seen. */
		memcpy(buf, cases[i].b, cases[i].len);
		memcpy(buf + cases[i].len, ((const uint8_t []){ 2, 4, 0x12,
		    0x34 }), 4);
		assert_int_equal(opts_parse_exact(buf, cases[i].len + 4u, &o),
		    0);
		assert_int_equal(o.present, TCPE_OPT_MSS);
		assert_int_equal(o.mss, 0x1234);
	}
	/*
	 * SACK with 5 blocks can only arrive through a caller passing more
	 * than 40 bytes: still a wrong length, still ignored.
	 */
	memset(buf, 0, sizeof(buf));
	buf[0] = 5;
	buf[1] = 42;
	assert_int_equal(opts_parse_exact(buf, 42, &o), 0);
	assert_int_equal(o.present, 0);
	/* A wrong-length option does not undo an earlier good one. */
	assert_int_equal(opts_parse_exact(((const uint8_t []){ 2, 4, 0, 99, 2,
	    3, 7, 0 }), 8, &o), 0);
	assert_int_equal(o.present, TCPE_OPT_MSS);
	assert_int_equal(o.mss, 99);
}

static void
test_opts_unknown_and_eol(void **state)
{
	struct tcpe_opts o;

	(void)state;
	/* Unknown kinds (TFO 34, MD5 19, experimental 254) are skipped. */
	assert_int_equal(opts_parse_exact(((const uint8_t []){ 34, 2, 19, 18,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 254, 4, 0xf9, 0x89,
	    3, 3, 5, 0 }), 28, &o), 0);
	assert_int_equal(o.present, TCPE_OPT_WS);
	assert_int_equal(o.wscale, 5);

	/* EOL ends the list: garbage after it is not looked at. */
	assert_int_equal(opts_parse_exact(((const uint8_t []){ 2, 4, 1, 0, 0,
	    2, 0, 99 }), 8, &o), 0);
	assert_int_equal(o.present, TCPE_OPT_MSS);
	assert_int_equal(o.mss, 256);
	assert_int_equal(opts_parse_exact(((const uint8_t []){ 0, 2 }), 2, &o),
	    0);
	assert_int_equal(o.present, 0);

	/* Only NOPs, and nothing at all. */
	assert_int_equal(opts_parse_exact(((const uint8_t []){ 1, 1, 1, 1 }), 4,
	    &o), 0);
	assert_int_equal(o.present, 0);
	assert_int_equal(opts_parse_exact(NULL, 0, &o), 0);
	assert_int_equal(o.present, 0);

	/* An option ending exactly at the end of the area. */
	assert_int_equal(opts_parse_exact(((const uint8_t []){ 1, 3, 3, 14 }),
	    4, &o), 0);
	assert_int_equal(o.wscale, 14);
}

static void
test_opts_values(void **state)
{
	struct tcpe_opts o;

	(void)state;
	/* wscale stored as received, clamping is the connection's job. */
	assert_int_equal(opts_parse_exact(((const uint8_t []){ 3, 3, 200 }), 3,
	    &o), 0);
	assert_int_equal(o.present, TCPE_OPT_WS);
	assert_int_equal(o.wscale, 200);

	/* A later instance replaces an earlier one. */
	assert_int_equal(opts_parse_exact(((const uint8_t []){ 2, 4, 0, 1, 2,
	    4, 0, 2 }), 8, &o), 0);
	assert_int_equal(o.mss, 2);
	assert_int_equal(opts_parse_exact(((const uint8_t []){ 5, 18, 0, 0, 0,
	    1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 5, 10, 0, 0, 0, 9, 0, 0, 0,
	    10 }), 28, &o), 0);
	assert_int_equal(o.nsack, 1);
	assert_int_equal(o.sack[0].left, 9);
	assert_int_equal(o.sack[0].right, 10);

	/* Four SACK blocks, 34 bytes: the most an option can carry. */
	assert_int_equal(opts_parse_exact(((const uint8_t []){ 1, 1, 5, 34,
	    0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4,
	    0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 8 }), 36, &o), 0);
	assert_int_equal(o.present, TCPE_OPT_SACK);
	assert_int_equal(o.nsack, 4);
	assert_int_equal(o.sack[3].left, 7);
	assert_int_equal(o.sack[3].right, 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_csum_rfc1071_example, no_leaks),
		cmocka_unit_test_teardown(test_csum_matches_reference,
		    no_leaks),
		cmocka_unit_test_teardown(test_csum_chunks, no_leaks),
		cmocka_unit_test_teardown(test_csum_pseudo_any_position,
		    no_leaks),
		cmocka_unit_test_teardown(test_ip4_parse_syn, no_leaks),
		cmocka_unit_test_teardown(test_ip4_padding, no_leaks),
		cmocka_unit_test_teardown(test_ip4_options, no_leaks),
		cmocka_unit_test_teardown(test_ip4_bad, no_leaks),
		cmocka_unit_test_teardown(test_ip4_fragment, no_leaks),
		cmocka_unit_test_teardown(test_ip4_build, no_leaks),
		cmocka_unit_test_teardown(test_tcp_parse_syn, no_leaks),
		cmocka_unit_test_teardown(test_tcp_build_syn, no_leaks),
		cmocka_unit_test_teardown(test_tcp_ack_views, no_leaks),
		cmocka_unit_test_teardown(test_tcp_bad, no_leaks),
		cmocka_unit_test_teardown(test_opts_roundtrip, no_leaks),
		cmocka_unit_test_teardown(test_opts_layouts, no_leaks),
		cmocka_unit_test_teardown(test_opts_sack_fit, no_leaks),
		cmocka_unit_test_teardown(test_opts_malformed, no_leaks),
		cmocka_unit_test_teardown(test_opts_wrong_length_ignored,
		    no_leaks),
		cmocka_unit_test_teardown(test_opts_unknown_and_eol, no_leaks),
		cmocka_unit_test_teardown(test_opts_values, no_leaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
