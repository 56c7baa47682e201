/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parameter tables and their parser. Everything here is a pure function
 * of its arguments over const tables: no I/O, no allocation, no globals.
 *
 * Values are parsed by hand rather than with strtoul(), which accepts
 * signs, leading whitespace inside the token, "0x" under base 0 and
 * depends on the locale; the config syntax wants none of that.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tcpe_cc.h"
#include "tcpe_params.h"

/* Longest piece of a user's value quoted back in an error message. */
#define QUOTE_MAX	40

/*
 * Room for "4294967295..4294967295 each, min <= default <= max",
 * "a.b.c.d in 255.255.255.255..255.255.255.255" and an ENUM's
 * "one of reno, cubic, none" (a longer list is cut).
 */
#define RANGE_MAX	96

/* "255.255.255.255" and its NUL. */
#define IPV4_STR	16

/* Length of "xx:xx:xx:xx:xx:xx". */
#define MAC_LEN		17

#define TCP_P(key, typ, field, lo, hi, dflt, hlp) { \
	.name = (key), \
	.type = (typ), \
	.offset = offsetof(struct tcpe_tcp_cfg, field), \
	.min = (lo), \
	.max = (hi), \
	.def = (dflt), \
	.help = (hlp), \
}

/* An ENUM key of [tcp]: one of names[0..n-1]. */
#define TCP_E(key, field, nam, n, dflt, hlp) { \
	.name = (key), \
	.type = TCPE_PT_ENUM, \
	.offset = offsetof(struct tcpe_tcp_cfg, field), \
	.min = 0, \
	.max = (n) - 1, \
	.def = (dflt), \
	.help = (hlp), \
	.names = (nam), \
}

/*
 * The [tcp] section. Defaults are Linux's (6.x); ranges are Linux's where
 * it has one, otherwise what keeps the engine sane. Rules between keys
 * (the RTO bounds, the delayed ACK bounds) are checked by
 * tcpe_tcp_cfg_check().
 */
static const struct tcpe_param_desc tcp_desc[] = {
	TCP_P("tcp_rmem", TCPE_PT_U32x3, rmem, 1024, 1073741824,
	    "4096 131072 6291456",
	    "receive buffer per connection, bytes: min default max "
	    "(Linux net.ipv4.tcp_rmem)"),
	TCP_P("tcp_wmem", TCPE_PT_U32x3, wmem, 1024, 1073741824,
	    "4096 16384 4194304",
	    "send buffer per connection, bytes: min default max "
	    "(Linux net.ipv4.tcp_wmem)"),
	TCP_P("tcp_window_scaling", TCPE_PT_BOOL, window_scaling, 0, 1, "1",
	    "offer RFC 7323 window scaling in SYN and SYN-ACK "
	    "(Linux net.ipv4.tcp_window_scaling)"),
	TCP_P("tcp_syn_retries", TCPE_PT_U32, syn_retries, 1, 127, "6",
	    "SYN retransmissions before an active open fails "
	    "(Linux net.ipv4.tcp_syn_retries)"),
	TCP_P("tcp_synack_retries", TCPE_PT_U32, synack_retries, 0, 255, "5",
	    "SYN-ACK retransmissions before a passive open is dropped "
	    "(Linux net.ipv4.tcp_synack_retries)"),
	TCP_P("tcp_retries2", TCPE_PT_U32, retries2, 0, 255, "15",
	    "RTO retransmissions before an established connection is "
	    "aborted (Linux net.ipv4.tcp_retries2)"),
	TCP_P("tcp_rto_min_ms", TCPE_PT_U32, rto_min_ms, 1, 120000, "200",
	    "lower bound of the RTO, ms, <= tcp_rto_max_ms "
	    "(Linux net.ipv4.tcp_rto_min_us, 200000 us)"),
	TCP_P("tcp_rto_max_ms", TCPE_PT_U32, rto_max_ms, 1000, 120000,
	    "120000",
	    "upper bound of the RTO and its backoff, ms "
	    "(Linux net.ipv4.tcp_rto_max_ms)"),
	TCP_P("tcp_rto_initial_ms", TCPE_PT_U32, rto_initial_ms, 1, 60000,
	    "1000",
	    "RTO before the first RTT sample, ms, within "
	    "tcp_rto_min_ms..tcp_rto_max_ms (RFC 6298 section 2.1)"),
	TCP_P("tcp_timewait_len", TCPE_PT_U32, timewait_len, 1, 600, "60",
	    "TIME_WAIT duration, seconds (Linux TCP_TIMEWAIT_LEN)"),
	TCP_P("tcp_fin_timeout", TCPE_PT_U32, fin_timeout, 1, 3600, "60",
	    "how long an orphaned connection waits in FIN_WAIT_2 for the "
	    "peer's FIN, seconds (Linux net.ipv4.tcp_fin_timeout)"),
	TCP_P("somaxconn", TCPE_PT_U32, somaxconn, 1, 65535, "4096",
	    "cap on a listener's accept queue backlog "
	    "(Linux net.core.somaxconn)"),
	TCP_P("tcp_max_syn_backlog", TCPE_PT_U32, max_syn_backlog, 1, 65535,
	    "1024",
	    "half-open connections (SYN queue) per listener per lcore "
	    "(Linux net.ipv4.tcp_max_syn_backlog)"),
	TCP_P("tcp_abort_on_overflow", TCPE_PT_BOOL, abort_on_overflow, 0, 1,
	    "0",
	    "accept queue full: 0 drops the final ACK (the SYN-ACK is sent "
	    "again later), 1 answers it with an RST "
	    "(Linux net.ipv4.tcp_abort_on_overflow)"),
	TCP_P("tcp_syncookies", TCPE_PT_U32, syncookies, 0, 2, "1",
	    "SYN cookies: 0 never, 1 when the SYN queue is full, 2 always "
	    "(Linux net.ipv4.tcp_syncookies)"),
	TCP_P("tcp_sack", TCPE_PT_BOOL, sack, 0, 1, "1",
	    "offer and accept SACK-permitted (RFC 2018) "
	    "(Linux net.ipv4.tcp_sack)"),
	TCP_P("tcp_timestamps", TCPE_PT_BOOL, timestamps, 0, 1, "1",
	    "offer and accept RFC 7323 timestamps "
	    "(Linux net.ipv4.tcp_timestamps)"),
	TCP_P("tcp_dsack", TCPE_PT_BOOL, dsack, 0, 1, "1",
	    "report duplicate segments with a D-SACK block (RFC 2883) when "
	    "SACK is on (Linux net.ipv4.tcp_dsack)"),
	TCP_P("tcp_reordering", TCPE_PT_U32, reordering, 1, 300, "3",
	    "initial reordering degree: duplicate ACKs (or SACKed segments) "
	    "that mark a segment lost, RFC 5681/6675 DupThresh "
	    "(Linux net.ipv4.tcp_reordering)"),
	TCP_P("tcp_recovery", TCPE_PT_U32, recovery, 0, 1, "1",
	    "1: RACK loss detection (RFC 8985) with SACK: holes below SACKed "
	    "data lost after a reordering window, lost retransmissions found "
	    "without a timeout, SACK recovery after an RTO; 0: DupThresh only "
	    "(Linux net.ipv4.tcp_recovery bit 0x1)"),
	TCP_P("tcp_early_retrans", TCPE_PT_U32, early_retrans, 0, 4, "3",
	    "3 or 4: tail loss probe (RFC 8985 section 7) on SACK "
	    "connections, a probe segment after about two RTTs without an "
	    "ACK instead of waiting for the RTO; 0 to 2: none "
	    "(Linux net.ipv4.tcp_early_retrans)"),
	TCP_E("tcp_congestion_control", congestion_control, tcpe_cc_names,
	    TCPE_CC_N, "cubic",
	    "congestion control of new connections: reno (NewReno, RFC 5681), "
	    "cubic (RFC 9438), none (no limit; load generation on a "
	    "private link only) (Linux net.ipv4.tcp_congestion_control)"),
	TCP_P("tcp_init_cwnd", TCPE_PT_U32, init_cwnd, 1, 1000, "10",
	    "initial and restart congestion window, segments (RFC 6928 "
	    "IW10; tcpe's own, Linux sets it per route: initcwnd)"),
	TCP_P("tcp_delack_min_ms", TCPE_PT_U32, delack_min_ms, 1, 1000, "40",
	    "shortest delayed ACK timeout, ms, <= tcp_delack_max_ms "
	    "(Linux TCP_DELACK_MIN)"),
	TCP_P("tcp_delack_max_ms", TCPE_PT_U32, delack_max_ms, 1, 1000, "200",
	    "longest delayed ACK timeout, ms (Linux TCP_DELACK_MAX)"),
	TCP_P("tcp_keepalive_time", TCPE_PT_U32, keepalive_time, 1, 32767,
	    "7200",
	    "idle time before the first keepalive probe of a connection "
	    "with SO_KEEPALIVE, seconds (Linux net.ipv4.tcp_keepalive_time)"),
	TCP_P("tcp_keepalive_intvl", TCPE_PT_U32, keepalive_intvl, 1, 32767,
	    "75",
	    "interval between keepalive probes, seconds "
	    "(Linux net.ipv4.tcp_keepalive_intvl)"),
	TCP_P("tcp_keepalive_probes", TCPE_PT_U32, keepalive_probes, 1, 127,
	    "9",
	    "unanswered keepalive probes before the connection is reset "
	    "(Linux net.ipv4.tcp_keepalive_probes)"),
	TCP_P("tcp_orphan_retries", TCPE_PT_U32, orphan_retries, 0, 255, "0",
	    "retransmissions of an orphan's FIN (and window probes) before "
	    "it is reset; 0 means 8 "
	    "(Linux net.ipv4.tcp_orphan_retries)"),
	TCP_P("tcp_max_orphans", TCPE_PT_U32, max_orphans, 0, 1U << 28,
	    "65536",
	    "orphans (closed by the application, still closing) per lcore; "
	    "beyond it a newly orphaned connection is reset "
	    "(Linux net.ipv4.tcp_max_orphans)"),
	TCP_P("tcp_max_tw_buckets", TCPE_PT_U32, max_tw_buckets, 0, 1U << 28,
	    "262144",
	    "TIME_WAIT records per lcore; beyond it a connection closes "
	    "without TIME_WAIT (Linux net.ipv4.tcp_max_tw_buckets)"),
	TCP_P("tcp_tw_reuse", TCPE_PT_U32, tw_reuse, 0, 2, "2",
	    "1 lets an active open reuse a TIME_WAIT 4-tuple when timestamps "
	    "make it safe; 2 (loopback only) is 0 for tcpe "
	    "(Linux net.ipv4.tcp_tw_reuse)"),
	TCP_P("tcp_rfc1337", TCPE_PT_BOOL, rfc1337, 0, 1, "0",
	    "1 ignores RSTs in TIME_WAIT (RFC 1337); 0 lets an RST end it "
	    "(Linux net.ipv4.tcp_rfc1337)"),
	TCP_P("tcp_max_conns", TCPE_PT_U32, max_conns, 16, 1U << 28, "65536",
	    "connections per lcore: the size of its connection table "
	    "(tcpe's own)"),
	TCP_P("ip_local_port_range", TCPE_PT_U32x2, local_port_range, 1,
	    65535, "32768 60999",
	    "ephemeral ports of active opens: low high, split between "
	    "the workers (Linux net.ipv4.ip_local_port_range)"),
};

const struct tcpe_param_section tcpe_tcp_params = {
	.name = "tcp",
	.desc = tcp_desc,
	.n = sizeof(tcp_desc) / sizeof(tcp_desc[0]),
};

/* A token of the value: where it is, and its number if it is one. */
struct tok {
	const char *p;
	size_t len;
	uint32_t v;
	bool overflow;		/* > UINT32_MAX: out of range for any key */
};

/* A parsed value of any fixed-size type, before it is written. */
union val {
	uint32_t u[3];
	uint8_t mac[6];
};

/* Short local names for the shared helpers of tcpe_params.h. */
#define seterr(...)	tcpe_param_errf(__VA_ARGS__)
#define is_ws(c)	tcpe_param_is_ws(c)

void
tcpe_param_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

bool
tcpe_param_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Value of a hex digit, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
is_u32_type(enum tcpe_param_type type)
{
	return type == TCPE_PT_U32 || type == TCPE_PT_BOOL ||
	    type == TCPE_PT_U32x3 || type == TCPE_PT_U32x2;
}

static size_t
ntok(enum tcpe_param_type type)
{
	return type == TCPE_PT_U32x3 ? 3 : type == TCPE_PT_U32x2 ? 2 : 1;
}

size_t
tcpe_param_size(const struct tcpe_param_desc *d)
{
	switch (d->type) {
	case TCPE_PT_U32:
	case TCPE_PT_BOOL:
	case TCPE_PT_IPV4:
	case TCPE_PT_ENUM:
		return sizeof(uint32_t);
	case TCPE_PT_U32x3:
		return 3 * sizeof(uint32_t);
	case TCPE_PT_U32x2:
		return 2 * sizeof(uint32_t);
	case TCPE_PT_STR:
		return d->max;
	case TCPE_PT_MAC:
		return 6;
	}
	return 0;
}

/* Most characters a STR of d holds: the array less its NUL. */
static uint32_t
str_maxlen(const struct tcpe_param_desc *d)
{
	return d->max > 0 ? d->max - 1 : 0;
}

/*
 * Copy at most QUOTE_MAX bytes of s (n bytes) into q for an error message,
 * with anything unprintable as '?' so the message stays one line of ASCII.
 */
static void
quote(char q[QUOTE_MAX + 4], const char *s, size_t n)
{
	size_t i, m;

	m = n > QUOTE_MAX ? QUOTE_MAX : n;
	for (i = 0; i < m; i++)
		q[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (n > m) {
		memcpy(q + m, "...", 3);
		m += 3;
	}
	q[m] = '\0';
}

static void
fmt_ipv4(char s[IPV4_STR], uint32_t a)
{
	snprintf(s, IPV4_STR, "%u.%u.%u.%u", (unsigned int)(a >> 24),
	    (unsigned int)(a >> 16) & 0xff, (unsigned int)(a >> 8) & 0xff,
	    (unsigned int)a & 0xff);
}

/* The name of ENUM value i of d, or NULL if i is not one. */
static const char *
enum_name(const struct tcpe_param_desc *d, uint32_t i)
{
	if (d->names == NULL || i < d->min || i > d->max)
		return NULL;
	return d->names[i];
}

/* "one of a, b, c": the names allowed, cut to fit r. */
static void
fmt_enum(const struct tcpe_param_desc *d, char r[RANGE_MAX])
{
	const char *name;
	size_t n;
	uint32_t i;

	n = (size_t)snprintf(r, RANGE_MAX, "one of");
	for (i = d->min; n < RANGE_MAX; i++) {
		name = enum_name(d, i);
		if (name == NULL)
			break;
		n += (size_t)snprintf(r + n, RANGE_MAX - n, "%s %s",
		    i > d->min ? "," : "", name);
		if (i == d->max)
			break;
	}
}

static void
fmt_range(const struct tcpe_param_desc *d, char r[RANGE_MAX])
{
	char lo[IPV4_STR], hi[IPV4_STR];

	switch (d->type) {
	case TCPE_PT_U32x3:
		snprintf(r, RANGE_MAX, "%u..%u each, min <= default <= max",
		    (unsigned int)d->min, (unsigned int)d->max);
		break;
	case TCPE_PT_U32x2:
		snprintf(r, RANGE_MAX, "%u..%u each, low <= high",
		    (unsigned int)d->min, (unsigned int)d->max);
		break;
	case TCPE_PT_STR:
		snprintf(r, RANGE_MAX, "%u..%u characters",
		    (unsigned int)d->min, (unsigned int)str_maxlen(d));
		break;
	case TCPE_PT_IPV4:
		if (d->min == 0 && d->max == UINT32_MAX) {
			snprintf(r, RANGE_MAX, "a.b.c.d");
			break;
		}
		fmt_ipv4(lo, d->min);
		fmt_ipv4(hi, d->max);
		snprintf(r, RANGE_MAX, "a.b.c.d in %s..%s", lo, hi);
		break;
	case TCPE_PT_MAC:
		snprintf(r, RANGE_MAX, "xx:xx:xx:xx:xx:xx");
		break;
	case TCPE_PT_ENUM:
		fmt_enum(d, r);
		break;
	default:
		snprintf(r, RANGE_MAX, "%u..%u",
		    (unsigned int)d->min, (unsigned int)d->max);
		break;
	}
}

/* The value without the whitespace around it: start, and length in *n. */
static const char *
trim(const char *s, size_t *n)
{
	size_t len;

	while (is_ws(*s))
		s++;
	len = strlen(s);
	while (len > 0 && is_ws(s[len - 1]))
		len--;
	*n = len;
	return s;
}

/*
 * Parse one decimal integer starting at s, which is not whitespace. The
 * token runs to the next whitespace or the end. Returns the character
 * after it, or NULL if the token is not a decimal integer.
 */
static const char *
parse_tok(const char *s, struct tok *t)
{
	uint64_t v = 0;
	const char *p = s;

	t->p = s;
	t->overflow = false;
	if (!is_digit(*p))
		return NULL;
	/* "0" is fine, "010" is refused (octal to Linux sysctl). */
	if (p[0] == '0' && is_digit(p[1]))
		return NULL;
	for (; is_digit(*p); p++) {
		if (!t->overflow) {
			v = v * 10 + (uint64_t)(*p - '0');
			if (v > UINT32_MAX)
				t->overflow = true;
		}
	}
	if (*p != '\0' && !is_ws(*p))
		return NULL;
	t->len = (size_t)(p - s);
	t->v = t->overflow ? UINT32_MAX : (uint32_t)v;
	return p;
}

/*
 * Parse value for a U32, BOOL or U32x3 d into out[0..ntok(d->type)),
 * validated, without touching the caller's struct.
 */
static int
parse_u32(const struct tcpe_param_section *sec,
    const struct tcpe_param_desc *d, const char *value, uint32_t out[3],
    char *err, size_t errlen)
{
	struct tok t[3];
	char q[QUOTE_MAX + 4], r[RANGE_MAX];
	const char *s, *end;
	size_t i, n;

	n = ntok(d->type);
	fmt_range(d, r);
	s = value;
	for (i = 0; i < n; i++) {
		while (is_ws(*s))
			s++;
		end = parse_tok(s, &t[i]);
		if (end == NULL)
			goto malformed;
		s = end;
	}
	while (is_ws(*s))
		s++;
	if (*s != '\0')
		goto malformed;

	for (i = 0; i < n; i++) {
		if (t[i].overflow || t[i].v < d->min || t[i].v > d->max) {
			quote(q, t[i].p, t[i].len);
			seterr(err, errlen, "[%s] %s: %s out of range %u..%u",
			    sec->name, d->name, q, (unsigned int)d->min,
			    (unsigned int)d->max);
			return -ERANGE;
		}
		out[i] = t[i].v;
	}
	if (n == 3 && (out[0] > out[1] || out[1] > out[2])) {
		seterr(err, errlen, "[%s] %s: %u %u %u out of range %s",
		    sec->name, d->name, (unsigned int)out[0],
		    (unsigned int)out[1], (unsigned int)out[2], r);
		return -ERANGE;
	}
	if (n == 2 && out[0] > out[1]) {
		seterr(err, errlen, "[%s] %s: %u %u out of range %s",
		    sec->name, d->name, (unsigned int)out[0],
		    (unsigned int)out[1], r);
		return -ERANGE;
	}
	return 0;

malformed:
	quote(q, value, strlen(value));
	seterr(err, errlen, "[%s] %s: \"%s\" is not %s (expected %s)",
	    sec->name, d->name, q,
	    n == 3 ? "three decimal integers" : n == 2 ?
	    "two decimal integers" : "a decimal integer", r);
	return -EINVAL;
}

/*
 * Parse s (n bytes, trimmed) as a dotted quad into *a, host order.
 * Returns false unless it is exactly four octets 0..255 of one to three
 * digits, without a leading zero.
 */
static bool
ipv4_from(const char *s, size_t n, uint32_t *a)
{
	const char *p = s, *end = s + n;
	uint32_t v = 0, octet;
	size_t i, digits;

	for (i = 0; i < 4; i++) {
		if (i > 0) {
			if (p == end || *p != '.')
				return false;
			p++;
		}
		octet = 0;
		for (digits = 0; p < end && is_digit(*p); digits++, p++) {
			if (digits == 3)
				return false;
			octet = octet * 10 + (uint32_t)(*p - '0');
		}
		if (digits == 0 || octet > 255)
			return false;
		if (digits > 1 && p[-(ptrdiff_t)digits] == '0')
			return false;
		v = v << 8 | octet;
	}
	if (p != end)
		return false;
	*a = v;
	return true;
}

static int
parse_ipv4(const struct tcpe_param_section *sec,
    const struct tcpe_param_desc *d, const char *value, uint32_t *out,
    char *err, size_t errlen)
{
	char q[QUOTE_MAX + 4], r[RANGE_MAX], lo[IPV4_STR], hi[IPV4_STR];
	const char *s;
	uint32_t a;
	size_t n;

	s = trim(value, &n);
	if (!ipv4_from(s, n, &a)) {
		fmt_range(d, r);
		quote(q, value, strlen(value));
		seterr(err, errlen, "[%s] %s: \"%s\" is not an IPv4 address "
		    "(expected %s)", sec->name, d->name, q, r);
		return -EINVAL;
	}
	if (a < d->min || a > d->max) {
		fmt_ipv4(q, a);
		fmt_ipv4(lo, d->min);
		fmt_ipv4(hi, d->max);
		seterr(err, errlen, "[%s] %s: %s out of range %s..%s",
		    sec->name, d->name, q, lo, hi);
		return -ERANGE;
	}
	*out = a;
	return 0;
}

static int
parse_mac(const struct tcpe_param_section *sec,
    const struct tcpe_param_desc *d, const char *value, uint8_t out[6],
    char *err, size_t errlen)
{
	char q[QUOTE_MAX + 4];
	const char *s;
	uint8_t m[6];
	size_t i, n;
	int hi, lo;

	s = trim(value, &n);
	if (n != MAC_LEN)
		goto malformed;
	for (i = 0; i < 6; i++) {
		hi = hexval(s[3 * i]);
		lo = hexval(s[3 * i + 1]);
		if (hi < 0 || lo < 0)
			goto malformed;
		if (i < 5 && s[3 * i + 2] != ':')
			goto malformed;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, m, sizeof(m));
	return 0;

malformed:
	quote(q, value, strlen(value));
	seterr(err, errlen, "[%s] %s: \"%s\" is not a MAC address "
	    "(expected xx:xx:xx:xx:xx:xx)", sec->name, d->name, q);
	return -EINVAL;
}

static int
parse_enum(const struct tcpe_param_section *sec,
    const struct tcpe_param_desc *d, const char *value, uint32_t *out,
    char *err, size_t errlen)
{
	char q[QUOTE_MAX + 4], r[RANGE_MAX];
	const char *s, *name;
	uint32_t i;
	size_t n;

	s = trim(value, &n);
	for (i = d->min; (name = enum_name(d, i)) != NULL; i++) {
		if (strlen(name) == n && memcmp(name, s, n) == 0) {
			*out = i;
			return 0;
		}
		if (i == d->max)
			break;
	}
	fmt_range(d, r);
	quote(q, value, strlen(value));
	/* r is "one of ...". */
	seterr(err, errlen, "[%s] %s: \"%s\" is not %s", sec->name, d->name,
	    q, r);
	return -EINVAL;
}

/*
 * Why s (n bytes) cannot be a STR value, or NULL if it can: control
 * characters would corrupt a log line or a device argument; ';' and '#'
 * start a comment in the config file, so the value could not be written
 * there (nor dumped and read back).
 */
static const char *
str_bad(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "has a control character";
		if (s[i] == ';')
			return "has ';', which starts a comment";
		if (s[i] == '#')
			return "has '#', which starts a comment";
	}
	return NULL;
}

/* Check s (n bytes) for a STR d; the message quotes the original v. */
static int
check_str(const struct tcpe_param_section *sec,
    const struct tcpe_param_desc *d, const char *s, size_t n,
    const char *v, size_t vlen, char *err, size_t errlen)
{
	char q[QUOTE_MAX + 4], r[RANGE_MAX];
	const char *why;

	fmt_range(d, r);
	why = str_bad(s, n);
	if (why != NULL) {
		quote(q, v, vlen);
		seterr(err, errlen, "[%s] %s: \"%s\" %s (expected %s)",
		    sec->name, d->name, q, why, r);
		return -EINVAL;
	}
	if (n < d->min || n > str_maxlen(d)) {
		seterr(err, errlen, "[%s] %s: length %zu out of range %s",
		    sec->name, d->name, n, r);
		return -ERANGE;
	}
	return 0;
}

static const struct tcpe_param_desc *
lookup(const struct tcpe_param_section *sec, const char *key)
{
	size_t i;

	if (key == NULL)
		return NULL;
	for (i = 0; i < sec->n; i++)
		if (strcmp(sec->desc[i].name, key) == 0)
			return &sec->desc[i];
	return NULL;
}

int
tcpe_param_set(const struct tcpe_param_section *sec, void *base,
    const char *key, const char *value, char *err, size_t errlen)
{
	const struct tcpe_param_desc *d;
	char q[QUOTE_MAX + 4], r[RANGE_MAX];
	char *field;
	const char *s;
	union val v;
	size_t n;
	int rc;

	d = lookup(sec, key);
	if (d == NULL) {
		if (key == NULL)
			key = "";
		quote(q, key, strlen(key));
		seterr(err, errlen, "[%s] %s: unknown key", sec->name, q);
		return -ENOENT;
	}
	if (value == NULL) {
		fmt_range(d, r);
		seterr(err, errlen, "[%s] %s: no value (expected %s)",
		    sec->name, d->name, r);
		return -EINVAL;
	}
	/* memcpy: base is untyped, the field need not be seen as uint32_t. */
	field = (char *)base + d->offset;
	switch (d->type) {
	case TCPE_PT_U32:
	case TCPE_PT_BOOL:
	case TCPE_PT_U32x3:
	case TCPE_PT_U32x2:
		rc = parse_u32(sec, d, value, v.u, err, errlen);
		if (rc == 0)
			memcpy(field, v.u, ntok(d->type) * sizeof(v.u[0]));
		return rc;
	case TCPE_PT_IPV4:
		rc = parse_ipv4(sec, d, value, &v.u[0], err, errlen);
		if (rc == 0)
			memcpy(field, &v.u[0], sizeof(v.u[0]));
		return rc;
	case TCPE_PT_MAC:
		rc = parse_mac(sec, d, value, v.mac, err, errlen);
		if (rc == 0)
			memcpy(field, v.mac, sizeof(v.mac));
		return rc;
	case TCPE_PT_ENUM:
		rc = parse_enum(sec, d, value, &v.u[0], err, errlen);
		if (rc == 0)
			memcpy(field, &v.u[0], sizeof(v.u[0]));
		return rc;
	case TCPE_PT_STR:
		s = trim(value, &n);
		rc = check_str(sec, d, s, n, value, strlen(value), err,
		    errlen);
		if (rc == 0) {
			memset(field, 0, d->max);
			memcpy(field, s, n);
		}
		return rc;
	}
	seterr(err, errlen, "[%s] %s: bad type %d in the table", sec->name,
	    d->name, (int)d->type);
	return -EINVAL;
}

int
tcpe_param_defaults(const struct tcpe_param_section *sec, void *base)
{
	size_t i;
	int rc;

	for (i = 0; i < sec->n; i++) {
		rc = tcpe_param_set(sec, base, sec->desc[i].name,
		    sec->desc[i].def, NULL, 0);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
tcpe_tcp_cfg_defaults(struct tcpe_tcp_cfg *cfg)
{
	(void)tcpe_param_defaults(&tcpe_tcp_params, cfg);
}

int
tcpe_param_describe(const struct tcpe_param_section *sec, size_t i,
    char *buf, size_t len)
{
	const struct tcpe_param_desc *d;
	char r[RANGE_MAX];
	int n;

	if (i >= sec->n)
		return -ENOENT;
	d = &sec->desc[i];
	fmt_range(d, r);
	n = snprintf(buf, len, "%s = %s  ; %s; %s", d->name, d->def, r,
	    d->help);
	return n < 0 ? -EINVAL : n;
}

int
tcpe_param_format(const struct tcpe_param_section *sec, size_t i,
    const void *base, char *buf, size_t len)
{
	const struct tcpe_param_desc *d;
	const char *field;
	char a[IPV4_STR];
	uint8_t m[6];
	uint32_t v[3];
	int n;

	if (i >= sec->n)
		return -ENOENT;
	d = &sec->desc[i];
	field = (const char *)base + d->offset;
	switch (d->type) {
	case TCPE_PT_U32:
	case TCPE_PT_BOOL:
		memcpy(v, field, sizeof(v[0]));
		n = snprintf(buf, len, "%u", (unsigned int)v[0]);
		break;
	case TCPE_PT_U32x3:
		memcpy(v, field, sizeof(v));
		n = snprintf(buf, len, "%u %u %u", (unsigned int)v[0],
		    (unsigned int)v[1], (unsigned int)v[2]);
		break;
	case TCPE_PT_U32x2:
		memcpy(v, field, 2 * sizeof(v[0]));
		n = snprintf(buf, len, "%u %u", (unsigned int)v[0],
		    (unsigned int)v[1]);
		break;
	case TCPE_PT_IPV4:
		memcpy(v, field, sizeof(v[0]));
		fmt_ipv4(a, v[0]);
		n = snprintf(buf, len, "%s", a);
		break;
	case TCPE_PT_MAC:
		memcpy(m, field, sizeof(m));
		n = snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		    m[0], m[1], m[2], m[3], m[4], m[5]);
		break;
	case TCPE_PT_STR:
		n = snprintf(buf, len, "%.*s", (int)strnlen(field, d->max),
		    field);
		break;
	case TCPE_PT_ENUM:
		memcpy(v, field, sizeof(v[0]));
		if (enum_name(d, v[0]) != NULL)
			n = snprintf(buf, len, "%s", enum_name(d, v[0]));
		else
			n = snprintf(buf, len, "%u", (unsigned int)v[0]);
		break;
	default:
		return -EINVAL;
	}
	return n < 0 ? -EINVAL : n;
}

int
tcpe_param_check(const struct tcpe_param_section *sec, const void *base,
    char *err, size_t errlen)
{
	const struct tcpe_param_desc *d;
	char r[RANGE_MAX], q[IPV4_STR], lo[IPV4_STR], hi[IPV4_STR];
	const char *field;
	uint32_t v[3];
	size_t i, j, n;
	int rc;

	for (i = 0; i < sec->n; i++) {
		d = &sec->desc[i];
		field = (const char *)base + d->offset;
		if (d->type == TCPE_PT_STR) {
			n = strnlen(field, d->max);
			if (n == d->max) {
				fmt_range(d, r);
				seterr(err, errlen, "[%s] %s: length %u or "
				    "more out of range %s", sec->name,
				    d->name, (unsigned int)d->max, r);
				return -ERANGE;
			}
			rc = check_str(sec, d, field, n, field, n, err,
			    errlen);
			if (rc != 0)
				return rc;
			continue;
		}
		if (d->type == TCPE_PT_IPV4) {
			memcpy(v, field, sizeof(v[0]));
			if (v[0] < d->min || v[0] > d->max) {
				fmt_ipv4(q, v[0]);
				fmt_ipv4(lo, d->min);
				fmt_ipv4(hi, d->max);
				seterr(err, errlen,
				    "[%s] %s: %s out of range %s..%s",
				    sec->name, d->name, q, lo, hi);
				return -ERANGE;
			}
			continue;
		}
		if (d->type == TCPE_PT_ENUM) {
			memcpy(v, field, sizeof(v[0]));
			if (enum_name(d, v[0]) == NULL) {
				fmt_range(d, r);
				seterr(err, errlen, "[%s] %s: %u is not %s",
				    sec->name, d->name, (unsigned int)v[0], r);
				return -ERANGE;
			}
			continue;
		}
		if (!is_u32_type(d->type))
			continue;
		n = ntok(d->type);
		memcpy(v, field, n * sizeof(v[0]));
		for (j = 0; j < n; j++) {
			if (v[j] < d->min || v[j] > d->max) {
				seterr(err, errlen,
				    "[%s] %s: %u out of range %u..%u",
				    sec->name, d->name, (unsigned int)v[j],
				    (unsigned int)d->min,
				    (unsigned int)d->max);
				return -ERANGE;
			}
		}
		if (n == 3 && (v[0] > v[1] || v[1] > v[2])) {
			fmt_range(d, r);
			seterr(err, errlen,
			    "[%s] %s: %u %u %u out of range %s",
			    sec->name, d->name, (unsigned int)v[0],
			    (unsigned int)v[1], (unsigned int)v[2], r);
			return -ERANGE;
		}
		if (n == 2 && v[0] > v[1]) {
			fmt_range(d, r);
			seterr(err, errlen, "[%s] %s: %u %u out of range %s",
			    sec->name, d->name, (unsigned int)v[0],
			    (unsigned int)v[1], r);
			return -ERANGE;
		}
	}
	return 0;
}

int
tcpe_tcp_cfg_check(const struct tcpe_tcp_cfg *cfg, char *err, size_t errlen)
{
	int rc;

	rc = tcpe_param_check(&tcpe_tcp_params, cfg, err, errlen);
	if (rc != 0)
		return rc;
	if (cfg->rto_min_ms > cfg->rto_max_ms) {
		seterr(err, errlen,
		    "[tcp] tcp_rto_min_ms: %u out of range 1..%u "
		    "(must be <= tcp_rto_max_ms)",
		    (unsigned int)cfg->rto_min_ms,
		    (unsigned int)cfg->rto_max_ms);
		return -ERANGE;
	}
	if (cfg->rto_initial_ms < cfg->rto_min_ms ||
	    cfg->rto_initial_ms > cfg->rto_max_ms) {
		seterr(err, errlen,
		    "[tcp] tcp_rto_initial_ms: %u out of range %u..%u "
		    "(tcp_rto_min_ms..tcp_rto_max_ms)",
		    (unsigned int)cfg->rto_initial_ms,
		    (unsigned int)cfg->rto_min_ms,
		    (unsigned int)cfg->rto_max_ms);
		return -ERANGE;
	}
	if (cfg->delack_min_ms > cfg->delack_max_ms) {
		seterr(err, errlen,
		    "[tcp] tcp_delack_min_ms: %u out of range 1..%u "
		    "(must be <= tcp_delack_max_ms)",
		    (unsigned int)cfg->delack_min_ms,
		    (unsigned int)cfg->delack_max_ms);
		return -ERANGE;
	}
	return 0;
}
