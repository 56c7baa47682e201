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

#include "tcpe_params.h"

/* Longest piece of a user's value quoted back in an error message. */
#define QUOTE_MAX	40

/* Room for "4294967295..4294967295 each, min <= default <= max". */
#define RANGE_MAX	64

#define TCP_P(key, typ, field, lo, hi, dflt, hlp) { \
	.name = (key), \
	.type = (typ), \
	.offset = offsetof(struct tcpe_tcp_cfg, field), \
	.min = (lo), \
	.max = (hi), \
	.def = (dflt), \
	.help = (hlp), \
}

/*
 * The [tcp] section. Defaults are Linux's (6.x); ranges are Linux's where
 * it has one, otherwise what keeps the engine sane. Rules between keys
 * (the RTO bounds) are checked by tcpe_tcp_cfg_check().
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
	TCP_P("tcp_max_conns", TCPE_PT_U32, max_conns, 16, 1U << 28, "65536",
	    "connections per lcore: the size of its connection table "
	    "(tcpe's own)"),
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

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Config syntax whitespace, independent of the locale. */
static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t
ntok(enum tcpe_param_type type)
{
	return type == TCPE_PT_U32x3 ? 3 : 1;
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
fmt_range(const struct tcpe_param_desc *d, char r[RANGE_MAX])
{
	if (d->type == TCPE_PT_U32x3)
		snprintf(r, RANGE_MAX, "%u..%u each, min <= default <= max",
		    (unsigned int)d->min, (unsigned int)d->max);
	else
		snprintf(r, RANGE_MAX, "%u..%u",
		    (unsigned int)d->min, (unsigned int)d->max);
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
 * Parse value for d into out[0..ntok(d->type)), validated, without
 * touching the caller's struct.
 */
static int
parse_value(const struct tcpe_param_section *sec,
    const struct tcpe_param_desc *d, const char *value, uint32_t out[3],
    char *err, size_t errlen)
{
	struct tok t[3];
	char q[QUOTE_MAX + 4], r[RANGE_MAX];
	const char *s, *end;
	size_t i, n;

	n = ntok(d->type);
	fmt_range(d, r);
	if (value == NULL) {
		seterr(err, errlen, "[%s] %s: no value (expected %s)",
		    sec->name, d->name, r);
		return -EINVAL;
	}
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
	return 0;

malformed:
	quote(q, value, strlen(value));
	seterr(err, errlen, "[%s] %s: \"%s\" is not %s (expected %s)",
	    sec->name, d->name, q,
	    n == 3 ? "three decimal integers" : "a decimal integer", r);
	return -EINVAL;
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
	char q[QUOTE_MAX + 4];
	uint32_t v[3];
	int rc;

	d = lookup(sec, key);
	if (d == NULL) {
		if (key == NULL)
			key = "";
		quote(q, key, strlen(key));
		seterr(err, errlen, "[%s] %s: unknown key", sec->name, q);
		return -ENOENT;
	}
	rc = parse_value(sec, d, value, v, err, errlen);
	if (rc != 0)
		return rc;
	/* memcpy: base is untyped, the field need not be seen as uint32_t. */
	memcpy((char *)base + d->offset, v, ntok(d->type) * sizeof(v[0]));
	return 0;
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

/* Every field of base within its table range, U32x3 ordered. */
static int
check_ranges(const struct tcpe_param_section *sec, const void *base,
    char *err, size_t errlen)
{
	const struct tcpe_param_desc *d;
	char r[RANGE_MAX];
	uint32_t v[3];
	size_t i, j, n;

	for (i = 0; i < sec->n; i++) {
		d = &sec->desc[i];
		n = ntok(d->type);
		memcpy(v, (const char *)base + d->offset, n * sizeof(v[0]));
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
	}
	return 0;
}

int
tcpe_tcp_cfg_check(const struct tcpe_tcp_cfg *cfg, char *err, size_t errlen)
{
	int rc;

	rc = check_ranges(&tcpe_tcp_params, cfg, err, errlen);
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
	return 0;
}
