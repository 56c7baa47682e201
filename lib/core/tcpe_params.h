/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tunables, named after Linux's net.ipv4 sysctls, with their defaults and
 * allowed ranges, and a table-driven parser shared by every config
 * section. lib/port reads the file (DPDK's cfgfile library) and `--set
 * section.key=value` arguments and hands each key/value pair here; the
 * tables decide what is valid, so validation is DPDK-free, unit-tested and
 * fuzzed.
 */
#ifndef TCPE_PARAMS_H
#define TCPE_PARAMS_H

#include "tcpe_types.h"

/*
 * [tcp] section. Every field is documented in the parameter table
 * (tcpe_params.c) with its Linux meaning, default and range.
 */
struct tcpe_tcp_cfg {
	/* tcp_rmem / tcp_wmem: "min default max" bytes, as in Linux. */
	uint32_t rmem[3];
	uint32_t wmem[3];
	uint32_t window_scaling;	/* tcp_window_scaling 0/1 */
	uint32_t syn_retries;		/* tcp_syn_retries */
	uint32_t synack_retries;	/* tcp_synack_retries */
	uint32_t retries2;		/* tcp_retries2 */
	uint32_t rto_min_ms;		/* tcp_rto_min_ms */
	uint32_t rto_max_ms;		/* tcp_rto_max_ms */
	uint32_t rto_initial_ms;	/* tcp_rto_initial_ms (RFC 6298: 1 s) */
	uint32_t timewait_len;		/* tcp_timewait_len, seconds */
	uint32_t fin_timeout;		/* tcp_fin_timeout, seconds */
	uint32_t somaxconn;		/* somaxconn: accept queue cap */
	uint32_t max_syn_backlog;	/* tcp_max_syn_backlog: SYN queue cap */
	uint32_t abort_on_overflow;	/* tcp_abort_on_overflow 0/1 */
	uint32_t syncookies;		/* tcp_syncookies 0/1/2 */
	uint32_t sack;			/* tcp_sack 0/1 */
	uint32_t timestamps;		/* tcp_timestamps 0/1 */
	uint32_t orphan_retries;	/* tcp_orphan_retries, 0 means 8 */
	uint32_t max_orphans;		/* tcp_max_orphans */
	uint32_t max_tw_buckets;	/* tcp_max_tw_buckets */
	uint32_t tw_reuse;		/* tcp_tw_reuse 0/1/2 */
	uint32_t rfc1337;		/* tcp_rfc1337 0/1 */
	uint32_t dsack;			/* tcp_dsack 0/1: send D-SACKs (RFC 2883) */
	uint32_t reordering;		/* tcp_reordering: initial dupthresh */
	uint32_t recovery;		/* tcp_recovery: 1 RACK (RFC 8985) */
	uint32_t early_retrans;		/* tcp_early_retrans: 3, 4 TLP */
	/* tcp_congestion_control: enum tcpe_cc_algo (TCPE_CC_*, tcpe_cc.h). */
	uint32_t congestion_control;
	uint32_t init_cwnd;		/* tcp_init_cwnd: IW, segments */
	uint32_t delack_min_ms;		/* tcp_delack_min_ms (TCP_DELACK_MIN) */
	uint32_t delack_max_ms;		/* tcp_delack_max_ms (TCP_DELACK_MAX) */
	uint32_t keepalive_time;	/* tcp_keepalive_time, seconds */
	uint32_t keepalive_intvl;	/* tcp_keepalive_intvl, seconds */
	uint32_t keepalive_probes;	/* tcp_keepalive_probes */
	uint32_t max_conns;		/* tcp_max_conns: table size per lcore */
	/* ip_local_port_range: "low high" ephemeral ports, as in Linux. */
	uint32_t local_port_range[2];
};

enum tcpe_param_type {
	TCPE_PT_U32,		/* one unsigned integer in [min, max] */
	TCPE_PT_BOOL,		/* 0 or 1 */
	TCPE_PT_U32x3,		/* "a b c", each in [min, max], a <= b <= c */
	TCPE_PT_U32x2,		/* "a b", each in [min, max], a <= b */
	TCPE_PT_STR,		/* char[max]: min..max-1 characters */
	TCPE_PT_IPV4,		/* "a.b.c.d", host order, in [min, max] */
	TCPE_PT_MAC,		/* "xx:xx:xx:xx:xx:xx", uint8_t[6]; no range */
	TCPE_PT_ENUM,		/* one of names[min..max], stored as its index */
};

/*
 * One key. The field at offset is, by type: uint32_t (U32, BOOL, IPV4),
 * uint32_t[3] (U32x3), char[max] (STR: min and max-1 bound the length, the
 * text is stored NUL-terminated and zero-filled to max bytes), uint8_t[6]
 * (MAC: min and max are unused, 0), uint32_t (ENUM: the index in names of
 * the name given; names[min..max] are the values allowed, each non-NULL).
 * An IPV4 range compares host-order values, so 0..UINT32_MAX accepts
 * every address. names is NULL for every type but ENUM.
 */
struct tcpe_param_desc {
	const char *name;	/* key, e.g. "tcp_syn_retries" */
	enum tcpe_param_type type;
	size_t offset;		/* of the field in the struct */
	uint32_t min;
	uint32_t max;
	const char *def;	/* default, written as in the config file */
	const char *help;	/* one line: meaning and unit */
	const char *const *names;	/* ENUM: the names by index */
};

/* A named table of parameters for one config section. */
struct tcpe_param_section {
	const char *name;	/* section, e.g. "tcp" */
	const struct tcpe_param_desc *desc;
	size_t n;
};

/* The [tcp] section's table. */
extern const struct tcpe_param_section tcpe_tcp_params;

/*
 * Look up key in sec and parse value into the struct at base.
 * Returns 0, -ENOENT for an unknown key, -EINVAL for a malformed value,
 * -ERANGE for a value out of range. On error, err (if not NULL) receives a
 * message that names the section, the key and the allowed range.
 *
 * Keys match exactly (case-sensitive). Whitespace around the value is
 * ignored for every type. By type:
 *
 * U32, BOOL, U32x3: one decimal integer (three for U32x3, separated by
 * whitespace). Malformed (-EINVAL): empty, a sign, hex, a fraction,
 * trailing garbage, the wrong count of integers, or a leading zero ("010":
 * Linux sysctl would read it as octal 8, so it is refused rather than
 * silently read as ten). Out of range (-ERANGE): a number outside
 * [min, max], including one that does not fit in 32 bits, and a U32x3
 * whose values are not ordered a <= b <= c.
 *
 * STR: any text, inner spaces included. Malformed (-EINVAL): a control
 * character (below 0x20, or 0x7f), ';' or '#' (they start a comment in
 * the config file, so such a value could not be written there).
 * Out of range (-ERANGE): fewer than min or more than max-1 characters
 * (after trimming). The whole char[max] is written: the text, then zeros.
 *
 * IPV4: exactly four decimal octets 0..255 separated by '.', no leading
 * zero ("010" is octal to inet_aton()), nothing else: anything else is
 * -EINVAL. Stored in host order; -ERANGE outside [min, max].
 *
 * MAC: exactly six pairs of hex digits (either case) separated by ':',
 * else -EINVAL.
 *
 * ENUM: exactly one of names[min..max] (case-sensitive, as Linux's
 * sysctls); anything else, a number included, is -EINVAL with a message
 * listing the names: [tcp] tcp_congestion_control: "vegas" is not one of
 * reno, cubic, none.
 *
 * On error nothing is written to base. Pure function of its arguments:
 * any thread or lcore, also from a callback.
 */
int tcpe_param_set(const struct tcpe_param_section *sec, void *base,
    const char *key, const char *value, char *err, size_t errlen);

/*
 * Write every default of sec into base, each parsed from desc->def by
 * tcpe_param_set(), so the defaults are validated by the same code.
 * Returns 0 (the defaults parse; the unit tests check it), otherwise the
 * first error, which would be a bug in the table. Any thread.
 */
int tcpe_param_defaults(const struct tcpe_param_section *sec, void *base);

/* Defaults for the [tcp] section. Any thread. */
void tcpe_tcp_cfg_defaults(struct tcpe_tcp_cfg *cfg);

/*
 * Format entry i of sec as one line, without a newline, in the config
 * file's syntax (';' starts a comment), for the docs and --help-config:
 *
 *	tcp_syn_retries = 6  ; 1..127; <help>
 *
 * The range part by type: "1..127", "1024..1073741824 each, min <=
 * default <= max", "0..127 characters" (STR), "a.b.c.d" or "a.b.c.d in
 * 10.0.0.0..10.255.255.255" (IPV4), "xx:xx:xx:xx:xx:xx" (MAC), "one of
 * reno, cubic, none" (ENUM).
 * Returns, like snprintf(), the length of the whole line: if it is >= len
 * the line was truncated (buf is NUL-terminated whenever len > 0).
 * Returns -ENOENT if i >= sec->n. Any thread.
 */
int tcpe_param_describe(const struct tcpe_param_section *sec, size_t i,
    char *buf, size_t len);

/*
 * Format the value of entry i of sec, read from the struct at base, as it
 * would be written in the config file ("6", "4096 131072 6291456",
 * "net_tap0,iface=tcpe0", "198.18.0.2", "02:00:00:00:00:01", "cubic"),
 * so that tcpe_param_set() reads it back to the same field (an ENUM
 * index outside names[min..max] is written as a number, which does
 * not). Returns, like snprintf(), the length of the value; -ENOENT if
 * i >= sec->n. Any thread.
 */
int tcpe_param_format(const struct tcpe_param_section *sec, size_t i,
    const void *base, char *buf, size_t len);

/* Size in bytes of the field that d describes. Any thread. */
size_t tcpe_param_size(const struct tcpe_param_desc *d);

/*
 * Check every field of the struct at base against its entry in sec, as
 * tcpe_param_set() would have accepted it: integers within [min, max] and
 * U32x3 ordered, STR NUL-terminated within max bytes with min..max-1
 * characters and no control character, ';' or '#', IPV4 within
 * [min, max], ENUM an index of names within [min, max]. For structs filled in by code rather than by the parser.
 * Returns 0, -ERANGE (out of range) or -EINVAL (bad STR text), with a
 * message naming the section and key in err (if not NULL). Any thread.
 */
/*
 * Format a message into err (nothing when err is NULL or errlen 0): the
 * one error writer of every config parser.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void tcpe_param_errf(char *err, size_t errlen, const char *fmt, ...);

/* Whitespace of the config syntax (isspace() in the C locale). */
bool tcpe_param_is_ws(char c);

int tcpe_param_check(const struct tcpe_param_section *sec, const void *base,
    char *err, size_t errlen);

/*
 * Check a whole [tcp] configuration: tcpe_param_check() (every field
 * within its table range, tcp_rmem/tcp_wmem ordered), and the rules
 * between keys that a single tcpe_param_set() cannot see:
 * tcp_rto_min_ms <= tcp_rto_max_ms,
 * tcp_rto_min_ms <= tcp_rto_initial_ms <= tcp_rto_max_ms and
 * tcp_delack_min_ms <= tcp_delack_max_ms. Call it once
 * every key of the section has been set. Returns 0 or -ERANGE, with a
 * message naming the keys in err (if not NULL). Any thread.
 */
int tcpe_tcp_cfg_check(const struct tcpe_tcp_cfg *cfg, char *err,
    size_t errlen);

#endif /* TCPE_PARAMS_H */
