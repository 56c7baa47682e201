/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The [tcp] parameter table and its parser. The expected keys, defaults
 * and ranges are written out here again, independently of the table, so
 * that a change to the table has to be made twice on purpose. The value
 * types lib/port needs (STR, IPV4, MAC) are tested on a toy section.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "tcpe_cc.h"
#include "tcpe_params.h"

#define ERRLEN	256

struct expect {
	const char *name;
	enum tcpe_param_type type;
	size_t offset;
	uint32_t min;
	uint32_t max;
	const char *def;
	uint32_t defv[3];
};

#define F(f)	offsetof(struct tcpe_tcp_cfg, f)

static const struct expect exp_tcp[] = {
	{ "tcp_rmem", TCPE_PT_U32x3, F(rmem), 1024, 1073741824,
	    "4096 131072 6291456", { 4096, 131072, 6291456 } },
	{ "tcp_wmem", TCPE_PT_U32x3, F(wmem), 1024, 1073741824,
	    "4096 16384 4194304", { 4096, 16384, 4194304 } },
	{ "tcp_window_scaling", TCPE_PT_BOOL, F(window_scaling), 0, 1,
	    "1", { 1 } },
	{ "tcp_syn_retries", TCPE_PT_U32, F(syn_retries), 1, 127,
	    "6", { 6 } },
	{ "tcp_synack_retries", TCPE_PT_U32, F(synack_retries), 0, 255,
	    "5", { 5 } },
	{ "tcp_retries2", TCPE_PT_U32, F(retries2), 0, 255, "15", { 15 } },
	{ "tcp_rto_min_ms", TCPE_PT_U32, F(rto_min_ms), 1, 120000,
	    "200", { 200 } },
	{ "tcp_rto_max_ms", TCPE_PT_U32, F(rto_max_ms), 1000, 120000,
	    "120000", { 120000 } },
	{ "tcp_rto_initial_ms", TCPE_PT_U32, F(rto_initial_ms), 1, 60000,
	    "1000", { 1000 } },
	{ "tcp_timewait_len", TCPE_PT_U32, F(timewait_len), 1, 600,
	    "60", { 60 } },
	{ "tcp_fin_timeout", TCPE_PT_U32, F(fin_timeout), 1, 3600,
	    "60", { 60 } },
	{ "somaxconn", TCPE_PT_U32, F(somaxconn), 1, 65535, "4096", { 4096 } },
	{ "tcp_max_syn_backlog", TCPE_PT_U32, F(max_syn_backlog), 1, 65535,
	    "1024", { 1024 } },
	{ "tcp_abort_on_overflow", TCPE_PT_BOOL, F(abort_on_overflow), 0, 1,
	    "0", { 0 } },
	{ "tcp_syncookies", TCPE_PT_U32, F(syncookies), 0, 2, "1", { 1 } },
	{ "tcp_sack", TCPE_PT_BOOL, F(sack), 0, 1, "1", { 1 } },
	{ "tcp_timestamps", TCPE_PT_BOOL, F(timestamps), 0, 1, "1", { 1 } },
	{ "tcp_dsack", TCPE_PT_BOOL, F(dsack), 0, 1, "1", { 1 } },
	{ "tcp_reordering", TCPE_PT_U32, F(reordering), 1, 300, "3", { 3 } },
	{ "tcp_recovery", TCPE_PT_U32, F(recovery), 0, 1, "1", { 1 } },
	{ "tcp_early_retrans", TCPE_PT_U32, F(early_retrans), 0, 4, "3",
	    { 3 } },
	{ "tcp_congestion_control", TCPE_PT_ENUM, F(congestion_control), 0, 2,
	    "cubic", { TCPE_CC_CUBIC } },
	{ "tcp_init_cwnd", TCPE_PT_U32, F(init_cwnd), 1, 1000, "10", { 10 } },
	{ "tcp_delack_min_ms", TCPE_PT_U32, F(delack_min_ms), 1, 1000,
	    "40", { 40 } },
	{ "tcp_delack_max_ms", TCPE_PT_U32, F(delack_max_ms), 1, 1000,
	    "200", { 200 } },
	{ "tcp_keepalive_time", TCPE_PT_U32, F(keepalive_time), 1, 32767,
	    "7200", { 7200 } },
	{ "tcp_keepalive_intvl", TCPE_PT_U32, F(keepalive_intvl), 1, 32767,
	    "75", { 75 } },
	{ "tcp_keepalive_probes", TCPE_PT_U32, F(keepalive_probes), 1, 127,
	    "9", { 9 } },
	{ "tcp_orphan_retries", TCPE_PT_U32, F(orphan_retries), 0, 255,
	    "0", { 0 } },
	{ "tcp_max_orphans", TCPE_PT_U32, F(max_orphans), 0, 1U << 28,
	    "65536", { 65536 } },
	{ "tcp_max_tw_buckets", TCPE_PT_U32, F(max_tw_buckets), 0, 1U << 28,
	    "262144", { 262144 } },
	{ "tcp_tw_reuse", TCPE_PT_U32, F(tw_reuse), 0, 2, "2", { 2 } },
	{ "tcp_rfc1337", TCPE_PT_BOOL, F(rfc1337), 0, 1, "0", { 0 } },
	{ "tcp_max_conns", TCPE_PT_U32, F(max_conns), 16, 1U << 28,
	    "65536", { 65536 } },
	{ "ip_local_port_range", TCPE_PT_U32x2, F(local_port_range), 1,
	    65535, "32768 60999", { 32768, 60999 } },
};

#define N_EXP	(sizeof(exp_tcp) / sizeof(exp_tcp[0]))

static size_t
nvals(const struct expect *e)
{
	return e->type == TCPE_PT_U32x3 ? 3 : e->type == TCPE_PT_U32x2 ? 2 : 1;
}

static uint32_t
field(const struct tcpe_tcp_cfg *cfg, const struct expect *e, size_t j)
{
	uint32_t v;

	memcpy(&v, (const char *)cfg + e->offset + j * sizeof(v), sizeof(v));
	return v;
}

/* A config filled with defaults, so "unchanged" means something. */
static void
fresh(struct tcpe_tcp_cfg *cfg)
{
	memset(cfg, 0xa5, sizeof(*cfg));
	tcpe_tcp_cfg_defaults(cfg);
}

static int
set(struct tcpe_tcp_cfg *cfg, const char *key, const char *value,
    char *err)
{
	return tcpe_param_set(&tcpe_tcp_params, cfg, key, value, err, ERRLEN);
}

/* Expect rc for key=value, the struct unchanged and a useful message. */
static void
expect_reject(const char *key, const char *value, int rc,
    const char *range)
{
	struct tcpe_tcp_cfg cfg, before;
	char err[ERRLEN], want[ERRLEN];
	int got;

	fresh(&cfg);
	before = cfg;
	err[0] = '\0';
	got = set(&cfg, key, value, err);
	if (got != rc)
		fail_msg("%s=\"%s\": got %d, want %d (%s)", key, value, got,
		    rc, err);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
	snprintf(want, sizeof(want), "[tcp] %s: ", key);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("%s=\"%s\": message \"%s\" lacks \"%s\"", key, value,
		    err, want);
	if (range != NULL && strstr(err, range) == NULL)
		fail_msg("%s=\"%s\": message \"%s\" lacks range \"%s\"", key,
		    value, err, range);
	assert_null(strchr(err, '\n'));
}

/* Expect key=value to be accepted and to set exactly v[0..n). */
static void
expect_accept(const struct expect *e, const char *value, const uint32_t *v)
{
	struct tcpe_tcp_cfg cfg, before;
	char err[ERRLEN];
	size_t j;
	int rc;

	fresh(&cfg);
	before = cfg;
	rc = set(&cfg, e->name, value, err);
	if (rc != 0)
		fail_msg("%s=\"%s\": got %d (%s)", e->name, value, rc, err);
	for (j = 0; j < nvals(e); j++)
		if (field(&cfg, e, j) != v[j])
			fail_msg("%s=\"%s\": value %zu is %u, want %u",
			    e->name, value, j, field(&cfg, e, j), v[j]);
	/* Nothing outside the field moved. */
	memcpy((char *)&before + e->offset, v, nvals(e) * sizeof(v[0]));
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static const struct expect *
exp_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < N_EXP; i++)
		if (strcmp(exp_tcp[i].name, name) == 0)
			return &exp_tcp[i];
	fail_msg("no expectation for %s", name);
	return NULL;
}

/* --- The table ------------------------------------------------------- */

static void
test_table_matches_expectation(void **state)
{
	const struct tcpe_param_section *sec = &tcpe_tcp_params;
	const struct tcpe_param_desc *d;
	const struct expect *e;
	size_t i, j;

	(void)state;
	assert_string_equal(sec->name, "tcp");
	assert_int_equal(sec->n, N_EXP);
	for (i = 0; i < sec->n; i++) {
		d = &sec->desc[i];
		e = exp_by_name(d->name);
		assert_int_equal(d->type, e->type);
		assert_int_equal(d->offset, e->offset);
		assert_int_equal(d->min, e->min);
		assert_int_equal(d->max, e->max);
		assert_string_equal(d->def, e->def);
		if (d->type == TCPE_PT_ENUM)
			assert_ptr_equal(d->names, tcpe_cc_names);
		else
			assert_null(d->names);
		assert_non_null(d->help);
		assert_true(strlen(d->help) > 10);
		assert_null(strchr(d->help, '\n'));
		for (j = 0; j < i; j++)
			assert_string_not_equal(d->name, sec->desc[j].name);
	}
}

/* Every byte of struct tcpe_tcp_cfg belongs to exactly one key. */
static void
test_table_covers_struct(void **state)
{
	const struct tcpe_param_section *sec = &tcpe_tcp_params;
	unsigned char cover[sizeof(struct tcpe_tcp_cfg)];
	size_t i, b, sz;

	(void)state;
	memset(cover, 0, sizeof(cover));
	for (i = 0; i < sec->n; i++) {
		sz = tcpe_param_size(&sec->desc[i]);
		assert_true(sec->desc[i].offset + sz <= sizeof(cover));
		for (b = 0; b < sz; b++)
			cover[sec->desc[i].offset + b]++;
	}
	for (b = 0; b < sizeof(cover); b++)
		if (cover[b] != 1)
			fail_msg("byte %zu of struct tcpe_tcp_cfg covered %d "
			    "times", b, cover[b]);
}

/* --- Defaults --------------------------------------------------------- */

static void
test_defaults(void **state)
{
	struct tcpe_tcp_cfg cfg;
	char err[ERRLEN];

	(void)state;
	memset(&cfg, 0xa5, sizeof(cfg));
	tcpe_tcp_cfg_defaults(&cfg);
	assert_int_equal(cfg.rmem[0], 4096);
	assert_int_equal(cfg.rmem[1], 131072);
	assert_int_equal(cfg.rmem[2], 6291456);
	assert_int_equal(cfg.wmem[0], 4096);
	assert_int_equal(cfg.wmem[1], 16384);
	assert_int_equal(cfg.wmem[2], 4194304);
	assert_int_equal(cfg.window_scaling, 1);
	assert_int_equal(cfg.syn_retries, 6);
	assert_int_equal(cfg.synack_retries, 5);
	assert_int_equal(cfg.retries2, 15);
	assert_int_equal(cfg.rto_min_ms, 200);
	assert_int_equal(cfg.rto_max_ms, 120000);
	assert_int_equal(cfg.rto_initial_ms, 1000);
	assert_int_equal(cfg.timewait_len, 60);
	assert_int_equal(cfg.fin_timeout, 60);
	assert_int_equal(cfg.somaxconn, 4096);
	assert_int_equal(cfg.max_conns, 65536);
	assert_int_equal(cfg.dsack, 1);
	assert_int_equal(cfg.reordering, 3);
	assert_int_equal(cfg.congestion_control, TCPE_CC_CUBIC);
	assert_int_equal(cfg.init_cwnd, 10);
	assert_int_equal(cfg.delack_min_ms, 40);
	assert_int_equal(cfg.delack_max_ms, 200);
	assert_int_equal(cfg.keepalive_time, 7200);
	assert_int_equal(cfg.keepalive_intvl, 75);
	assert_int_equal(cfg.keepalive_probes, 9);
	assert_int_equal(tcpe_tcp_cfg_check(&cfg, err, sizeof(err)), 0);

	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(tcpe_param_defaults(&tcpe_tcp_params, &cfg), 0);
	assert_int_equal(cfg.max_conns, 65536);
}

/* Every key's default, checked against the expectation table. */
static void
test_defaults_every_key(void **state)
{
	struct tcpe_tcp_cfg cfg;
	size_t i, j;

	(void)state;
	memset(&cfg, 0xa5, sizeof(cfg));
	assert_int_equal(tcpe_param_defaults(&tcpe_tcp_params, &cfg), 0);
	for (i = 0; i < N_EXP; i++)
		for (j = 0; j < nvals(&exp_tcp[i]); j++)
			if (field(&cfg, &exp_tcp[i], j) != exp_tcp[i].defv[j])
				fail_msg("%s[%zu] default %u, want %u",
				    exp_tcp[i].name, j,
				    field(&cfg, &exp_tcp[i], j),
				    exp_tcp[i].defv[j]);
}

/* Defaults go through the parser: a bad default in a table is caught. */
struct toy {
	uint32_t a;
	uint32_t b;
};

static const struct tcpe_param_desc toy_bad_desc[] = {
	{ "a", TCPE_PT_U32, offsetof(struct toy, a), 1, 10, "5", "a", NULL },
	{ "b", TCPE_PT_U32, offsetof(struct toy, b), 1, 127, "300", "b",
	    NULL },
};

static const struct tcpe_param_desc toy_hex_desc[] = {
	{ "a", TCPE_PT_U32, offsetof(struct toy, a), 0, 100, "0x10", "a",
	    NULL },
};

static void
test_defaults_are_parsed(void **state)
{
	const struct tcpe_param_section bad = { "toy", toy_bad_desc, 2 };
	const struct tcpe_param_section hex = { "toy", toy_hex_desc, 1 };
	struct toy t = { 0, 0 };
	char err[ERRLEN];

	(void)state;
	assert_int_equal(tcpe_param_defaults(&bad, &t), -ERANGE);
	assert_int_equal(t.a, 5);
	assert_int_equal(t.b, 0);
	assert_int_equal(tcpe_param_defaults(&hex, &t), -EINVAL);
	/* The parser is generic: the section name comes from the table. */
	assert_int_equal(tcpe_param_set(&bad, &t, "b", "128", err,
	    sizeof(err)), -ERANGE);
	assert_string_equal(err, "[toy] b: 128 out of range 1..127");
}

/* --- Ranges ----------------------------------------------------------- */

static void
test_bounds_every_key(void **state)
{
	const struct expect *e;
	char val[64], range[64];
	uint32_t v[3];
	size_t i;

	(void)state;
	for (i = 0; i < N_EXP; i++) {
		e = &exp_tcp[i];
		snprintf(range, sizeof(range), "%u..%u", e->min, e->max);
		if (e->type == TCPE_PT_ENUM) {
			/* Every name in range; no number, not even its own. */
			for (v[0] = e->min; v[0] <= e->max; v[0]++)
				expect_accept(e, tcpe_cc_names[v[0]], v);
			snprintf(val, sizeof(val), "%u", e->min);
			expect_reject(e->name, val, -EINVAL, "is not one of");
			snprintf(val, sizeof(val), "%u", e->max + 1);
			expect_reject(e->name, val, -EINVAL, "is not one of");
			continue;
		}
		if (e->type == TCPE_PT_U32x2) {
			v[0] = v[1] = e->min;
			snprintf(val, sizeof(val), "%u %u", e->min, e->min);
			expect_accept(e, val, v);
			v[0] = e->min;
			v[1] = e->max;
			snprintf(val, sizeof(val), "%u %u", e->min, e->max);
			expect_accept(e, val, v);
			snprintf(val, sizeof(val), "%u %u", e->min - 1, e->min);
			expect_reject(e->name, val, -ERANGE, range);
			snprintf(val, sizeof(val), "%u %u", e->max, e->max + 1);
			expect_reject(e->name, val, -ERANGE, range);
			snprintf(val, sizeof(val), "%u %u", e->min + 1, e->min);
			expect_reject(e->name, val, -ERANGE, "low <= high");
			expect_reject(e->name, "1", -EINVAL, range);
			expect_reject(e->name, "1 2 3", -EINVAL, range);
			continue;
		}
		if (e->type != TCPE_PT_U32x3) {
			snprintf(val, sizeof(val), "%u", e->min);
			v[0] = e->min;
			expect_accept(e, val, v);
			snprintf(val, sizeof(val), "%u", e->max);
			v[0] = e->max;
			expect_accept(e, val, v);
			if (e->min > 0) {
				snprintf(val, sizeof(val), "%u", e->min - 1);
				expect_reject(e->name, val, -ERANGE, range);
			}
			snprintf(val, sizeof(val), "%llu",
			    (unsigned long long)e->max + 1);
			expect_reject(e->name, val, -ERANGE, range);
			continue;
		}
		v[0] = v[1] = v[2] = e->min;
		snprintf(val, sizeof(val), "%u %u %u", e->min, e->min, e->min);
		expect_accept(e, val, v);
		v[0] = v[1] = v[2] = e->max;
		snprintf(val, sizeof(val), "%u %u %u", e->max, e->max, e->max);
		expect_accept(e, val, v);
		v[0] = e->min;
		v[1] = e->min + 1;
		v[2] = e->max;
		snprintf(val, sizeof(val), "%u %u %u", v[0], v[1], v[2]);
		expect_accept(e, val, v);
		/* Each position, below and above; order alone would pass. */
		snprintf(val, sizeof(val), "%u %u %u", e->min - 1, e->min,
		    e->min);
		expect_reject(e->name, val, -ERANGE, range);
		snprintf(val, sizeof(val), "%u %u %u", e->min - 1, e->min - 1,
		    e->min);
		expect_reject(e->name, val, -ERANGE, range);
		snprintf(val, sizeof(val), "%u %u %u", e->min - 1, e->min - 1,
		    e->min - 1);
		expect_reject(e->name, val, -ERANGE, range);
		snprintf(val, sizeof(val), "%u %u %u", e->max, e->max,
		    e->max + 1);
		expect_reject(e->name, val, -ERANGE, range);
		snprintf(val, sizeof(val), "%u %u %u", e->max, e->max + 1,
		    e->max + 1);
		expect_reject(e->name, val, -ERANGE, range);
		snprintf(val, sizeof(val), "%u %u %u", e->max + 1, e->max + 1,
		    e->max + 1);
		expect_reject(e->name, val, -ERANGE, range);
	}
}

static void
test_exact_messages(void **state)
{
	struct tcpe_tcp_cfg cfg;
	char err[ERRLEN];

	(void)state;
	fresh(&cfg);
	assert_int_equal(set(&cfg, "tcp_syn_retries", "300", err), -ERANGE);
	assert_string_equal(err, "[tcp] tcp_syn_retries: 300 out of range "
	    "1..127");
	assert_int_equal(set(&cfg, "tcp_foo", "1", err), -ENOENT);
	assert_string_equal(err, "[tcp] tcp_foo: unknown key");
	assert_int_equal(set(&cfg, "tcp_window_scaling", "2", err), -ERANGE);
	assert_string_equal(err, "[tcp] tcp_window_scaling: 2 out of range "
	    "0..1");
	assert_int_equal(set(&cfg, "tcp_syn_retries", "abc", err), -EINVAL);
	assert_string_equal(err, "[tcp] tcp_syn_retries: \"abc\" is not a "
	    "decimal integer (expected 1..127)");
	assert_int_equal(set(&cfg, "tcp_rmem", "8192 4096 16384", err),
	    -ERANGE);
	assert_string_equal(err, "[tcp] tcp_rmem: 8192 4096 16384 out of "
	    "range 1024..1073741824 each, min <= default <= max");
	assert_int_equal(set(&cfg, "tcp_wmem", "1 2", err), -EINVAL);
	assert_string_equal(err, "[tcp] tcp_wmem: \"1 2\" is not three "
	    "decimal integers (expected 1024..1073741824 each, "
	    "min <= default <= max)");
}

static void
test_overflow(void **state)
{
	const char *r = "1..127";
	char big[1001];

	(void)state;
	expect_reject("tcp_syn_retries", "4294967295", -ERANGE, r);
	expect_reject("tcp_syn_retries", "4294967296", -ERANGE, r);
	expect_reject("tcp_syn_retries", "18446744073709551616", -ERANGE, r);
	expect_reject("tcp_syn_retries", "99999999999999999999999999999",
	    -ERANGE, r);
	/* 2^32 + 6 and 2^64 + 6 must not wrap around to a valid 6. */
	expect_reject("tcp_syn_retries", "4294967302", -ERANGE, r);
	expect_reject("tcp_syn_retries", "18446744073709551622", -ERANGE, r);
	expect_reject("tcp_max_conns", "4294967296", -ERANGE,
	    "16..268435456");
	expect_reject("tcp_max_conns", "4294983680", -ERANGE,
	    "16..268435456");
	expect_reject("tcp_rmem", "4096 4294975488 4294983680", -ERANGE,
	    "1024..1073741824");
	expect_reject("tcp_rmem", "4096 4294967296 8192", -ERANGE,
	    "1024..1073741824");
	expect_reject("tcp_rmem", "4096 8192 99999999999999999999", -ERANGE,
	    "1024..1073741824");
	/* A long number: refused, and quoted back truncated. */
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_reject("tcp_syn_retries", big, -ERANGE, r);
	/* Leading zero: refused as malformed, not read as ten or eight. */
	expect_reject("tcp_syn_retries", "010", -EINVAL, r);
}

/* --- Syntax ----------------------------------------------------------- */

static void
test_malformed_u32(void **state)
{
	static const char *const bad[] = {
		"", " ", "\t\n", "-1", "+1", "-0", "+0", "- 1", "1-",
		"0x10", "0X10", "x10", "0b1", "1a", "a1", "6 6", "1 2",
		"1.5", "1.", ".5", "1e3", "010", "00", "007", "1_000",
		"1,000", "1'000", "\xef\xbc\x96", "6\x01", "\x01" "6", "one",
		"6;", "6 ; comment", "(6)", "6\xff",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_reject("tcp_syn_retries", bad[i], -EINVAL, "1..127");
		expect_reject("tcp_window_scaling", bad[i], -EINVAL, "0..1");
	}
	expect_reject("tcp_window_scaling", "true", -EINVAL, "0..1");
	expect_reject("tcp_window_scaling", "yes", -EINVAL, "0..1");
	expect_reject("tcp_window_scaling", "on", -EINVAL, "0..1");
	expect_reject("tcp_syn_retries", NULL, -EINVAL, "1..127");
}

static void
test_malformed_u32x3(void **state)
{
	static const char *const bad[] = {
		"", "   ", "4096", "4096 8192", "4096 8192 16384 32768",
		"4096,8192,16384", "4096, 8192, 16384", "4096 8192 x",
		"4096 8192 16384x", "+4096 8192 16384", "4096 -8192 16384",
		"4096 08192 16384", "0x1000 8192 16384", "4096 8192 1.6e4",
		"4096 8192 16384 ;", "4096\x01" "8192 16384",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_reject("tcp_rmem", bad[i], -EINVAL,
		    "1024..1073741824");
		expect_reject("tcp_wmem", bad[i], -EINVAL,
		    "1024..1073741824");
	}
	/* Malformed wins over out of range. */
	expect_reject("tcp_rmem", "1 2 x", -EINVAL, "1024..1073741824");
}

static void
test_whitespace(void **state)
{
	const struct expect *syn = exp_by_name("tcp_syn_retries");
	const struct expect *rmem = exp_by_name("tcp_rmem");
	static const uint32_t seven[1] = { 7 };
	static const uint32_t zero[1] = { 0 };
	static const uint32_t r[3] = { 4096, 8192, 16384 };

	(void)state;
	expect_accept(syn, "7", seven);
	expect_accept(syn, " 7 ", seven);
	expect_accept(syn, "\t7\n", seven);
	expect_accept(syn, "7\r\n", seven);
	expect_accept(syn, "\v\f 7", seven);
	expect_accept(rmem, "4096 8192 16384", r);
	expect_accept(rmem, "  4096\t8192   16384 \n", r);
	expect_accept(rmem, "4096\n8192\n16384", r);
	expect_accept(exp_by_name("tcp_retries2"), "0", zero);
	expect_accept(exp_by_name("tcp_window_scaling"), " 0 ", zero);
}

static void
test_unknown_key(void **state)
{
	static const char *const bad[] = {
		"tcp_foo", "TCP_SYN_RETRIES", "Tcp_syn_retries",
		"tcp_syn_retries ", " tcp_syn_retries", "tcp_syn",
		"tcp_syn_retriess", "tcp.tcp_syn_retries", "",
		"net.ipv4.tcp_syn_retries", "tcp_rto_min_us",
	};
	struct tcpe_tcp_cfg cfg, before;
	char err[ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* Unknown even with a value that no key would accept. */
		expect_reject(bad[i], "6", -ENOENT, "unknown key");
		expect_reject(bad[i], "junk", -ENOENT, "unknown key");
	}
	fresh(&cfg);
	before = cfg;
	assert_int_equal(set(&cfg, NULL, "6", err), -ENOENT);
	assert_non_null(strstr(err, "unknown key"));
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void
test_err_buffer(void **state)
{
	struct tcpe_tcp_cfg cfg;
	char err[32];

	(void)state;
	fresh(&cfg);
	/* No buffer at all. */
	assert_int_equal(tcpe_param_set(&tcpe_tcp_params, &cfg,
	    "tcp_syn_retries", "300", NULL, 0), -ERANGE);
	assert_int_equal(tcpe_param_set(&tcpe_tcp_params, &cfg,
	    "tcp_foo", "1", NULL, 99), -ENOENT);
	/* errlen 0: untouched. */
	memset(err, 'Z', sizeof(err));
	assert_int_equal(tcpe_param_set(&tcpe_tcp_params, &cfg,
	    "tcp_syn_retries", "300", err, 0), -ERANGE);
	assert_int_equal(err[0], 'Z');
	/* Short buffer: truncated, terminated, nothing past errlen. */
	memset(err, 'Z', sizeof(err));
	assert_int_equal(tcpe_param_set(&tcpe_tcp_params, &cfg,
	    "tcp_syn_retries", "300", err, 8), -ERANGE);
	assert_string_equal(err, "[tcp] t");
	assert_int_equal(err[8], 'Z');
	/* Unprintable bytes are not echoed into the message. */
	assert_int_equal(tcpe_param_set(&tcpe_tcp_params, &cfg,
	    "tcp_\x1b[2J", "1", err, sizeof(err)), -ENOENT);
	assert_null(strchr(err, '\x1b'));
	assert_int_equal(cfg.syn_retries, 6);
}

static void
test_u32x3_order(void **state)
{
	const struct expect *e = exp_by_name("tcp_wmem");
	static const uint32_t eq[3] = { 4096, 4096, 4096 };
	static const uint32_t lo[3] = { 1024, 1024, 1073741824 };
	const char *r = "min <= default <= max";

	(void)state;
	expect_accept(e, "4096 4096 4096", eq);
	expect_accept(e, "1024 1024 1073741824", lo);
	expect_reject("tcp_wmem", "8192 4096 16384", -ERANGE, r);
	expect_reject("tcp_wmem", "4096 16384 8192", -ERANGE, r);
	expect_reject("tcp_wmem", "16384 8192 4096", -ERANGE, r);
	expect_reject("tcp_wmem", "4097 4096 4096", -ERANGE, r);
	expect_reject("tcp_wmem", "4096 4096 4095", -ERANGE, r);
	expect_reject("tcp_rmem", "1073741824 1024 1024", -ERANGE, r);
}

/* --- Cross-field check ------------------------------------------------ */

static void
cfg_check_is(const struct tcpe_tcp_cfg *cfg, int rc, const char *k1,
    const char *k2)
{
	char err[ERRLEN];
	int got;

	err[0] = '\0';
	got = tcpe_tcp_cfg_check(cfg, err, sizeof(err));
	if (got != rc)
		fail_msg("check: got %d, want %d (%s)", got, rc, err);
	if (k1 != NULL && strstr(err, k1) == NULL)
		fail_msg("check: \"%s\" lacks %s", err, k1);
	if (k2 != NULL && strstr(err, k2) == NULL)
		fail_msg("check: \"%s\" lacks %s", err, k2);
	assert_int_equal(tcpe_tcp_cfg_check(cfg, NULL, 0), rc);
}

static void
test_cfg_check(void **state)
{
	struct tcpe_tcp_cfg cfg;
	char err[ERRLEN];

	(void)state;
	fresh(&cfg);
	cfg_check_is(&cfg, 0, NULL, NULL);

	/* Boundaries of the RTO rules hold. */
	cfg.rto_min_ms = 1000;
	cfg.rto_max_ms = 1000;
	cfg.rto_initial_ms = 1000;
	cfg_check_is(&cfg, 0, NULL, NULL);
	cfg.rto_min_ms = 1;
	cfg.rto_initial_ms = 1;
	cfg_check_is(&cfg, 0, NULL, NULL);
	cfg.rto_max_ms = 120000;
	cfg.rto_initial_ms = 60000;
	cfg_check_is(&cfg, 0, NULL, NULL);

	/* rto_min > rto_max. */
	fresh(&cfg);
	cfg.rto_min_ms = 2000;
	cfg.rto_max_ms = 1000;
	cfg.rto_initial_ms = 1000;
	cfg_check_is(&cfg, -ERANGE, "tcp_rto_min_ms", "tcp_rto_max_ms");
	tcpe_tcp_cfg_check(&cfg, err, sizeof(err));
	assert_string_equal(err, "[tcp] tcp_rto_min_ms: 2000 out of range "
	    "1..1000 (must be <= tcp_rto_max_ms)");

	/* rto_initial below rto_min, above rto_max. */
	fresh(&cfg);
	cfg.rto_min_ms = 1001;
	cfg_check_is(&cfg, -ERANGE, "tcp_rto_initial_ms", "tcp_rto_min_ms");
	tcpe_tcp_cfg_check(&cfg, err, sizeof(err));
	assert_non_null(strstr(err, "1001..120000"));
	fresh(&cfg);
	cfg.rto_max_ms = 1000;
	cfg.rto_initial_ms = 1001;
	cfg_check_is(&cfg, -ERANGE, "tcp_rto_initial_ms", "tcp_rto_max_ms");

	/* Reached through the parser: each key alone is fine. */
	fresh(&cfg);
	assert_int_equal(set(&cfg, "tcp_rto_max_ms", "1000", err), 0);
	assert_int_equal(set(&cfg, "tcp_rto_min_ms", "5000", err), 0);
	cfg_check_is(&cfg, -ERANGE, "tcp_rto_min_ms", "tcp_rto_max_ms");

	/* Delayed ACK bounds: min <= max, equal allowed. */
	fresh(&cfg);
	cfg.delack_min_ms = 200;
	cfg_check_is(&cfg, 0, NULL, NULL);
	cfg.delack_min_ms = 201;
	cfg_check_is(&cfg, -ERANGE, "tcp_delack_min_ms", "tcp_delack_max_ms");
	tcpe_tcp_cfg_check(&cfg, err, sizeof(err));
	assert_string_equal(err, "[tcp] tcp_delack_min_ms: 201 out of range "
	    "1..200 (must be <= tcp_delack_max_ms)");
	fresh(&cfg);
	assert_int_equal(set(&cfg, "tcp_delack_max_ms", "10", err), 0);
	cfg_check_is(&cfg, -ERANGE, "tcp_delack_min_ms", "tcp_delack_max_ms");
	assert_int_equal(set(&cfg, "tcp_delack_min_ms", "10", err), 0);
	cfg_check_is(&cfg, 0, NULL, NULL);

	/* Fields filled in by code rather than the parser. */
	fresh(&cfg);
	cfg.syn_retries = 0;
	cfg_check_is(&cfg, -ERANGE, "[tcp] tcp_syn_retries", "1..127");
	fresh(&cfg);
	cfg.max_conns = (1U << 28) + 1;
	cfg_check_is(&cfg, -ERANGE, "tcp_max_conns", "16..268435456");
	fresh(&cfg);
	cfg.window_scaling = 2;
	cfg_check_is(&cfg, -ERANGE, "tcp_window_scaling", "0..1");
	fresh(&cfg);
	cfg.rmem[1] = 1000000000;
	cfg_check_is(&cfg, -ERANGE, "tcp_rmem", "min <= default <= max");
	fresh(&cfg);
	cfg.wmem[0] = 0;
	cfg.wmem[1] = 0;
	cfg_check_is(&cfg, -ERANGE, "tcp_wmem", "1024..1073741824");
	fresh(&cfg);
	cfg.congestion_control = TCPE_CC_N;
	cfg_check_is(&cfg, -ERANGE, "tcp_congestion_control",
	    "one of reno, cubic, none");
	tcpe_tcp_cfg_check(&cfg, err, sizeof(err));
	assert_string_equal(err, "[tcp] tcp_congestion_control: 3 is not one "
	    "of reno, cubic, none");
	cfg.congestion_control = UINT32_MAX;
	cfg_check_is(&cfg, -ERANGE, "tcp_congestion_control", NULL);
	cfg.congestion_control = TCPE_CC_NONE;
	cfg_check_is(&cfg, 0, NULL, NULL);
}

/* --- ENUM: tcp_congestion_control -------------------------------------- */

static void
test_enum(void **state)
{
	static const char *const bad[] = {
		"", " ", "vegas", "Reno", "CUBIC", "cubic2", "cub", "reno,cubic",
		"reno cubic", "0", "1", "2", "3", "-1", "cubic;", "none#",
		"\x01" "cubic", "cubic\x01", "r\xc3\xa9no", "bbr",
	};
	const struct expect *e = exp_by_name("tcp_congestion_control");
	const struct tcpe_param_desc *d = NULL;
	struct tcpe_tcp_cfg cfg;
	char err[ERRLEN], buf[64];
	uint32_t v[1];
	size_t i;

	(void)state;
	/* The names are tcpe_cc's, each found by tcpe_cc_find(). */
	for (v[0] = 0; v[0] < TCPE_CC_N; v[0]++) {
		assert_non_null(tcpe_cc_find(tcpe_cc_names[v[0]]));
		assert_int_equal(tcpe_cc_find(tcpe_cc_names[v[0]])->id, v[0]);
		expect_accept(e, tcpe_cc_names[v[0]], v);
	}
	assert_int_equal(e->max, TCPE_CC_N - 1);
	v[0] = TCPE_CC_RENO;
	expect_accept(e, "reno", v);
	expect_accept(e, " \treno\r\n", v);
	v[0] = TCPE_CC_NONE;
	expect_accept(e, "none", v);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_reject(e->name, bad[i], -EINVAL,
		    "is not one of reno, cubic, none");
	expect_reject(e->name, NULL, -EINVAL,
	    "no value (expected one of reno, cubic, none)");

	fresh(&cfg);
	assert_int_equal(set(&cfg, "tcp_congestion_control", "vegas", err),
	    -EINVAL);
	assert_string_equal(err, "[tcp] tcp_congestion_control: \"vegas\" is "
	    "not one of reno, cubic, none");
	assert_int_equal(set(&cfg, "tcp_congestion_control", "a\x1b", err),
	    -EINVAL);
	assert_string_equal(err, "[tcp] tcp_congestion_control: \"a?\" is "
	    "not one of reno, cubic, none");

	/* Format writes the name, which reads back. */
	for (i = 0; i < tcpe_tcp_params.n; i++)
		if (strcmp(tcpe_tcp_params.desc[i].name, e->name) == 0)
			d = &tcpe_tcp_params.desc[i];
	assert_non_null(d);
	fresh(&cfg);
	assert_int_equal(tcpe_param_format(&tcpe_tcp_params,
	    (size_t)(d - tcpe_tcp_params.desc), &cfg, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "cubic");
	assert_int_equal(set(&cfg, e->name, "reno", err), 0);
	tcpe_param_format(&tcpe_tcp_params, (size_t)(d - tcpe_tcp_params.desc),
	    &cfg, buf, sizeof(buf));
	assert_string_equal(buf, "reno");
	cfg.congestion_control = 7;
	tcpe_param_format(&tcpe_tcp_params, (size_t)(d - tcpe_tcp_params.desc),
	    &cfg, buf, sizeof(buf));
	assert_string_equal(buf, "7");
	assert_int_equal(tcpe_param_size(d), sizeof(uint32_t));
}

/* An ENUM on a toy section: a sub-range of names, a cut range text. */
struct toyenum {
	uint32_t mode;
	uint32_t many;
};

static const char *const toy_names[] = {
	"off", "on", "auto", NULL,
};

static const char *const long_names[] = {
	"alpha-alpha-alpha", "bravo-bravo-bravo", "charlie-charlie-charlie",
	"delta-delta-delta", "echo-echo-echo-echo", "foxtrot-foxtrot",
	"golf-golf-golf-golf", NULL,
};

static const struct tcpe_param_desc toyenum_desc[] = {
	{ "mode", TCPE_PT_ENUM, offsetof(struct toyenum, mode), 1, 2, "auto",
	    "a mode", toy_names },
	{ "many", TCPE_PT_ENUM, offsetof(struct toyenum, many), 0, 6,
	    "golf-golf-golf-golf", "many names", long_names },
};

static void
test_enum_toy(void **state)
{
	const struct tcpe_param_section sec = { "toy", toyenum_desc, 2 };
	struct toyenum t;
	char err[ERRLEN], buf[256];
	int n;

	(void)state;
	memset(&t, 0xa5, sizeof(t));
	assert_int_equal(tcpe_param_defaults(&sec, &t), 0);
	assert_int_equal(t.mode, 2);
	assert_int_equal(t.many, 6);
	/* Only names[min..max]: "off" is outside. */
	assert_int_equal(tcpe_param_set(&sec, &t, "mode", "on", err,
	    sizeof(err)), 0);
	assert_int_equal(t.mode, 1);
	assert_int_equal(tcpe_param_set(&sec, &t, "mode", "off", err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "[toy] mode: \"off\" is not one of on, auto");
	assert_int_equal(t.mode, 1);
	t.mode = 0;
	assert_int_equal(tcpe_param_check(&sec, &t, err, sizeof(err)),
	    -ERANGE);
	assert_string_equal(err, "[toy] mode: 0 is not one of on, auto");
	t.mode = 2;
	assert_int_equal(tcpe_param_check(&sec, &t, err, sizeof(err)), 0);
	n = tcpe_param_describe(&sec, 0, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "mode = auto  ; one of on, auto; a mode");
	/* A long list is cut in the range text, never overflowed. */
	n = tcpe_param_describe(&sec, 1, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_true(strncmp(buf, "many = golf-golf-golf-golf  ; one of "
	    "alpha-alpha-alpha, bravo", 61) == 0);
	assert_non_null(strstr(buf, "; many names"));
	assert_int_equal(tcpe_param_set(&sec, &t, "many", "echo-echo-echo-echo",
	    err, sizeof(err)), 0);
	assert_int_equal(t.many, 4);
	assert_int_equal(tcpe_param_set(&sec, &t, "many", "x", err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is not one of alpha-alpha-alpha"));
}

/* --- describe ---------------------------------------------------------- */

static void
test_describe(void **state)
{
	const struct tcpe_param_section *sec = &tcpe_tcp_params;
	const struct tcpe_param_desc *d;
	char buf[512], want[128];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sec->n; i++) {
		d = &sec->desc[i];
		n = tcpe_param_describe(sec, i, buf, sizeof(buf));
		assert_true(n > 0);
		assert_int_equal((size_t)n, strlen(buf));
		if (d->type == TCPE_PT_U32x3)
			snprintf(want, sizeof(want), "%s = %s  ; %u..%u each, "
			    "min <= default <= max; ", d->name, d->def,
			    (unsigned int)d->min, (unsigned int)d->max);
		else if (d->type == TCPE_PT_U32x2)
			snprintf(want, sizeof(want), "%s = %s  ; %u..%u each, "
			    "low <= high; ", d->name, d->def,
			    (unsigned int)d->min, (unsigned int)d->max);
		else if (d->type == TCPE_PT_ENUM)
			snprintf(want, sizeof(want), "%s = %s  ; one of reno, "
			    "cubic, none; ", d->name, d->def);
		else
			snprintf(want, sizeof(want), "%s = %s  ; %u..%u; ",
			    d->name, d->def, (unsigned int)d->min,
			    (unsigned int)d->max);
		if (strncmp(buf, want, strlen(want)) != 0)
			fail_msg("describe %zu: \"%s\" does not start with "
			    "\"%s\"", i, buf, want);
		assert_string_equal(buf + strlen(want), d->help);
		assert_null(strchr(buf, '\n'));
	}
	n = tcpe_param_describe(sec, 3, buf, sizeof(buf));
	assert_true(n > 0);
	assert_true(strncmp(buf, "tcp_syn_retries = 6  ; 1..127; ", 31) == 0);

	assert_int_equal(tcpe_param_describe(sec, sec->n, buf, sizeof(buf)),
	    -ENOENT);
	assert_int_equal(tcpe_param_describe(sec, (size_t)-1, buf,
	    sizeof(buf)), -ENOENT);

	/* Truncation: snprintf's contract. */
	n = tcpe_param_describe(sec, 0, NULL, 0);
	assert_true(n > 20);
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(tcpe_param_describe(sec, 0, buf, 10), n);
	assert_int_equal(strlen(buf), 9);
	assert_true(strncmp(buf, "tcp_rmem ", 9) == 0);
	assert_int_equal(buf[10], 'Z');
}

/* --- STR, IPV4, MAC (the types of lib/port's sections) ---------------- */

struct kinds {
	char name[16];		/* STR 0..15 characters */
	char word[8];		/* STR 1..7 characters */
	uint32_t addr;		/* IPV4, any address */
	uint32_t net198;		/* IPV4 within 198.18.0.0/15 */
	uint8_t mac[6];
	uint32_t n;		/* U32 next to them */
};

#define K(f)	offsetof(struct kinds, f)

static const struct tcpe_param_desc kinds_desc[] = {
	{ "name", TCPE_PT_STR, K(name), 0, 16, "", "a name", NULL },
	{ "word", TCPE_PT_STR, K(word), 1, 8, "tcpe", "a word", NULL },
	{ "addr", TCPE_PT_IPV4, K(addr), 0, UINT32_MAX, "198.18.0.2",
	    "an address", NULL },
	{ "net198", TCPE_PT_IPV4, K(net198), 0xc6120000, 0xc613ffff,
	    "198.18.0.1", "an address in 198.18/15", NULL },
	{ "mac", TCPE_PT_MAC, K(mac), 0, 0, "00:00:00:00:00:00", "a MAC",
	    NULL },
	{ "n", TCPE_PT_U32, K(n), 1, 9, "5", "a number", NULL },
};

static const struct tcpe_param_section kinds_sec = {
	"kinds", kinds_desc, sizeof(kinds_desc) / sizeof(kinds_desc[0]),
};

/* Defaults over a poisoned struct: padding and tails stay 0xa5. */
static void
kinds_fresh(struct kinds *k)
{
	memset(k, 0xa5, sizeof(*k));
	assert_int_equal(tcpe_param_defaults(&kinds_sec, k), 0);
}

/* Expect key=value rejected with rc, k unchanged, message exactly msg. */
static void
kinds_reject(const char *key, const char *value, int rc, const char *msg)
{
	struct kinds k, before;
	char err[ERRLEN], want[ERRLEN];
	int got;

	kinds_fresh(&k);
	before = k;
	err[0] = '\0';
	got = tcpe_param_set(&kinds_sec, &k, key, value, err, sizeof(err));
	if (got != rc)
		fail_msg("%s=\"%s\": got %d, want %d (%s)", key, value, got,
		    rc, err);
	assert_memory_equal(&k, &before, sizeof(k));
	snprintf(want, sizeof(want), "[kinds] %s: ", key);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("%s=\"%s\": message \"%s\" lacks \"%s\"", key, value,
		    err, want);
	if (msg != NULL && strstr(err, msg) == NULL)
		fail_msg("%s=\"%s\": message \"%s\" lacks \"%s\"", key, value,
		    err, msg);
	assert_null(strchr(err, '\n'));
}

/* Expect key=value accepted; return the struct in *k. */
static void
kinds_accept(struct kinds *k, const char *key, const char *value)
{
	char err[ERRLEN];
	int rc;

	kinds_fresh(k);
	rc = tcpe_param_set(&kinds_sec, k, key, value, err, sizeof(err));
	if (rc != 0)
		fail_msg("%s=\"%s\": got %d (%s)", key, value, rc, err);
}

static void
test_str(void **state)
{
	static const char *const bad[] = {
		"a\x01", "\x1b[2J", "a\tb", "a\nb", "a\rb", "tab\there",
		"del\x7f", "a;b", ";", "a#b", "#", "x ; comment",
	};
	struct kinds k, before;
	char zeros[16];
	size_t i;

	(void)state;
	kinds_fresh(&k);
	assert_string_equal(k.name, "");
	assert_string_equal(k.word, "tcpe");
	/* The whole array is written: text, then zeros. */
	memset(zeros, 0, sizeof(zeros));
	assert_memory_equal(k.name, zeros, sizeof(k.name));
	assert_memory_equal(k.word + 4, zeros, sizeof(k.word) - 4);

	kinds_accept(&k, "name", "abc");
	assert_string_equal(k.name, "abc");
	assert_memory_equal(k.name + 3, zeros, sizeof(k.name) - 3);
	/* Whitespace around is trimmed, inside is kept. */
	kinds_accept(&k, "name", " \ttap0, iface=x \r\n");
	assert_string_equal(k.name, "tap0, iface=x");
	/* '=' and every printable byte but ';' and '#'; UTF-8 too. */
	kinds_accept(&k, "name", "a=b,c=d");
	assert_string_equal(k.name, "a=b,c=d");
	kinds_accept(&k, "name", "!\"$%&'()*+,-./:");
	assert_string_equal(k.name, "!\"$%&'()*+,-./:");
	kinds_accept(&k, "name", "caf\xc3\xa9");
	assert_string_equal(k.name, "caf\xc3\xa9");
	/* Exactly 15 characters fit in char[16]; 16 do not. */
	kinds_accept(&k, "name", "123456789012345");
	assert_string_equal(k.name, "123456789012345");
	kinds_reject("name", "1234567890123456", -ERANGE,
	    "length 16 out of range 0..15 characters");
	kinds_reject("name", "  1234567890123456  ", -ERANGE,
	    "length 16 out of range 0..15 characters");
	/* Empty is a value for name (min 0), not for word (min 1). */
	kinds_accept(&k, "name", "");
	assert_string_equal(k.name, "");
	kinds_accept(&k, "name", "   ");
	assert_string_equal(k.name, "");
	kinds_reject("word", "", -ERANGE,
	    "length 0 out of range 1..7 characters");
	kinds_reject("word", " \t", -ERANGE,
	    "length 0 out of range 1..7 characters");
	kinds_accept(&k, "word", "x");
	assert_string_equal(k.word, "x");
	kinds_accept(&k, "word", "1234567");
	assert_memory_equal(k.word, "1234567", 8);
	kinds_reject("word", "12345678", -ERANGE, "1..7 characters");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kinds_reject("name", bad[i], -EINVAL, "0..15 characters");
		kinds_reject("word", bad[i], -EINVAL, "1..7 characters");
	}
	/* Malformed wins over too long. */
	kinds_reject("word", "123456789;", -EINVAL, "starts a comment");
	kinds_reject("name", NULL, -EINVAL, "no value");

	/* Only the array moved. */
	kinds_fresh(&before);
	kinds_accept(&k, "word", "ab");
	memcpy(before.word, "ab\0\0\0\0\0\0", 8);
	assert_memory_equal(&k, &before, sizeof(k));
}

static void
test_ipv4(void **state)
{
	static const char *const bad[] = {
		"", " ", "1", "1.2", "1.2.3", "1.2.3.4.5", "1.2.3.4.",
		".1.2.3.4", "1..2.3", "1.2..3", "256.1.1.1", "1.256.1.1",
		"1.2.3.256", "999.1.1.1", "1000.1.1.1", "1.2.3.0004",
		"01.2.3.4", "1.02.3.4", "1.2.3.04", "00.1.2.3", "1.2.3.00",
		"0x1.2.3.4", "0xc6120203", "16909060", "+1.2.3.4",
		"1.2.3.-4", "-1.2.3.4", "1 .2.3.4", "1. 2.3.4", "1.2.3.4 x",
		"1.2.3.4/24", "1.2.3.4:80", "1,2,3,4", "a.b.c.d",
		"1.2.3.4a", "1.2.3.4\x01", "\xef\xbc\x91.2.3.4", "::1",
		"1.2.3.4;", "1.2.3.4 # c", "4294967296.0.0.0",
	};
	struct kinds k, before;
	size_t i;

	(void)state;
	kinds_fresh(&k);
	assert_int_equal(k.addr, 0xc6120002);
	assert_int_equal(k.net198, 0xc6120001);
	kinds_accept(&k, "addr", "0.0.0.0");
	assert_int_equal(k.addr, 0);
	kinds_accept(&k, "addr", "255.255.255.255");
	assert_int_equal(k.addr, 0xffffffff);
	kinds_accept(&k, "addr", "198.18.2.3");
	assert_int_equal(k.addr, 0xc6120203);
	kinds_accept(&k, "addr", "198.19.0.199");
	assert_int_equal(k.addr, 0xc61300c7);
	kinds_accept(&k, "addr", " \t198.18.1.10\r\n");
	assert_int_equal(k.addr, 0xc612010a);
	kinds_accept(&k, "addr", "198.18.0.0");
	assert_int_equal(k.addr, 0xc6120000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kinds_reject("addr", bad[i], -EINVAL,
		    "is not an IPv4 address (expected a.b.c.d)");
		kinds_reject("net198", bad[i], -EINVAL,
		    "(expected a.b.c.d in 198.18.0.0..198.19.255.255)");
	}
	kinds_reject("addr", NULL, -EINVAL, "no value (expected a.b.c.d)");

	/* The range, in host order. */
	kinds_accept(&k, "net198", "198.18.0.0");
	assert_int_equal(k.net198, 0xc6120000);
	kinds_accept(&k, "net198", "198.19.255.255");
	assert_int_equal(k.net198, 0xc613ffff);
	kinds_reject("net198", "198.20.0.0", -ERANGE,
	    "198.20.0.0 out of range 198.18.0.0..198.19.255.255");
	kinds_reject("net198", "198.17.255.255", -ERANGE,
	    "198.17.255.255 out of range 198.18.0.0..198.19.255.255");
	kinds_reject("net198", "0.0.0.10", -ERANGE, NULL);
	/* Malformed wins over out of range. */
	kinds_reject("net198", "198.18.0.01", -EINVAL, "not an IPv4 address");

	kinds_fresh(&before);
	kinds_accept(&k, "addr", "9.8.7.6");
	before.addr = 0x09080706;
	assert_memory_equal(&k, &before, sizeof(k));
}

static void
test_mac(void **state)
{
	static const char *const bad[] = {
		"", " ", "0", "02:00:00:00:00", "02:00:00:00:00:00:00",
		"02:00:00:00:00:01:", ":02:00:00:00:00:01",
		"02-00-00-00-00-01", "02.00.00.00.00.01", "0200.0000.0001",
		"020000000001", "2:0:0:0:0:1", "002:00:00:00:00:1",
		"02:00:00:00:00:0g", "0g:00:00:00:00:00", "02:00:00:00:00:001",
		"02::00:00:00:00:01", "0x02:00:00:00:00:01",
		"02:00:00:00:00:01 x", "02 :00:00:00:00:01",
		"02:00:00:00:00: 1", "+2:00:00:00:00:01", "02:00:00:00:00:-1",
		"02:00:00:00:00:01;", "02:00:00:00:00:01\x01",
		"gg:gg:gg:gg:gg:gg", "02;00:00:00:00:01",
	};
	static const uint8_t zero[6] = { 0, 0, 0, 0, 0, 0 };
	static const uint8_t m1[6] = { 0x02, 0xab, 0xcd, 0xef, 0x09, 0xff };
	static const uint8_t ff[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct kinds k, before;
	size_t i;

	(void)state;
	kinds_fresh(&k);
	assert_memory_equal(k.mac, zero, 6);
	kinds_accept(&k, "mac", "02:AB:cd:Ef:09:ff");
	assert_memory_equal(k.mac, m1, 6);
	kinds_accept(&k, "mac", " \t02:ab:cd:ef:09:ff\n");
	assert_memory_equal(k.mac, m1, 6);
	kinds_accept(&k, "mac", "FF:FF:FF:FF:FF:FF");
	assert_memory_equal(k.mac, ff, 6);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		kinds_reject("mac", bad[i], -EINVAL,
		    "is not a MAC address (expected xx:xx:xx:xx:xx:xx)");
	kinds_reject("mac", NULL, -EINVAL, "no value");

	kinds_fresh(&before);
	kinds_accept(&k, "mac", "02:ab:cd:ef:09:ff");
	memcpy(before.mac, m1, 6);
	assert_memory_equal(&k, &before, sizeof(k));
}

static void
test_kinds_messages(void **state)
{
	struct kinds k;
	char err[ERRLEN];

	(void)state;
	kinds_fresh(&k);
	assert_int_equal(tcpe_param_set(&kinds_sec, &k, "word", "abcdefghij",
	    err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "[kinds] word: length 10 out of range "
	    "1..7 characters");
	assert_int_equal(tcpe_param_set(&kinds_sec, &k, "name", "a\x1b" "b",
	    err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "[kinds] name: \"a?b\" has a control "
	    "character (expected 0..15 characters)");
	assert_int_equal(tcpe_param_set(&kinds_sec, &k, "name", "x ; y",
	    err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "[kinds] name: \"x ; y\" has ';', which "
	    "starts a comment (expected 0..15 characters)");
	assert_int_equal(tcpe_param_set(&kinds_sec, &k, "name", "x#",
	    err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "[kinds] name: \"x#\" has '#', which "
	    "starts a comment (expected 0..15 characters)");
	assert_int_equal(tcpe_param_set(&kinds_sec, &k, "addr", "1.2.3.256",
	    err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "[kinds] addr: \"1.2.3.256\" is not an IPv4 "
	    "address (expected a.b.c.d)");
	assert_int_equal(tcpe_param_set(&kinds_sec, &k, "net198", "198.20.2.3",
	    err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "[kinds] net198: 198.20.2.3 out of range "
	    "198.18.0.0..198.19.255.255");
	assert_int_equal(tcpe_param_set(&kinds_sec, &k, "mac", "02:00",
	    err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "[kinds] mac: \"02:00\" is not a MAC address "
	    "(expected xx:xx:xx:xx:xx:xx)");
	assert_int_equal(tcpe_param_set(&kinds_sec, &k, "macc", "02:00",
	    err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "[kinds] macc: unknown key");
	/* The U32 beside them still works as before. */
	assert_int_equal(tcpe_param_set(&kinds_sec, &k, "n", "10", err,
	    sizeof(err)), -ERANGE);
	assert_string_equal(err, "[kinds] n: 10 out of range 1..9");
}

static void
test_kinds_describe_format(void **state)
{
	static const char *const want[] = {
		"name =   ; 0..15 characters; a name",
		"word = tcpe  ; 1..7 characters; a word",
		"addr = 198.18.0.2  ; a.b.c.d; an address",
		"net198 = 198.18.0.1  ; a.b.c.d in 198.18.0.0..198.19.255.255; "
		    "an address in 198.18/15",
		"mac = 00:00:00:00:00:00  ; xx:xx:xx:xx:xx:xx; a MAC",
		"n = 5  ; 1..9; a number",
	};
	static const char *const fmt[] = {
		"", "tcpe", "198.18.0.2", "198.18.0.1", "00:00:00:00:00:00", "5",
	};
	static const char *const set[][2] = {
		{ "name", "net_tap0,iface=tcpe0" },
		{ "word", "a b" },
		{ "addr", "0.0.0.0" },
		{ "net198", "198.18.2.3" },
		{ "mac", "02:AB:00:00:00:0F" },
		{ "n", "9" },
	};
	static const char *const fmt2[] = {
		"net_tap0,iface", "a b", "0.0.0.0", "198.18.2.3",
		"02:ab:00:00:00:0f", "9",
	};
	struct tcpe_tcp_cfg cfg;
	struct kinds k, again;
	char buf[256], err[ERRLEN];
	size_t i;
	int n;

	(void)state;
	assert_int_equal(kinds_sec.n, sizeof(want) / sizeof(want[0]));
	kinds_fresh(&k);
	for (i = 0; i < kinds_sec.n; i++) {
		n = tcpe_param_describe(&kinds_sec, i, buf, sizeof(buf));
		assert_int_equal(n, strlen(want[i]));
		assert_string_equal(buf, want[i]);
		n = tcpe_param_format(&kinds_sec, i, &k, buf, sizeof(buf));
		assert_int_equal(n, strlen(fmt[i]));
		assert_string_equal(buf, fmt[i]);
	}
	assert_int_equal(tcpe_param_format(&kinds_sec, kinds_sec.n, &k, buf,
	    sizeof(buf)), -ENOENT);

	/* Format reads back to the same field (name is cut at 15). */
	for (i = 0; i < kinds_sec.n; i++) {
		if (i == 0) {
			assert_int_equal(tcpe_param_set(&kinds_sec, &k,
			    set[i][0], set[i][1], err, sizeof(err)), -ERANGE);
			assert_int_equal(tcpe_param_set(&kinds_sec, &k,
			    set[i][0], fmt2[i], err, sizeof(err)), 0);
		} else {
			assert_int_equal(tcpe_param_set(&kinds_sec, &k,
			    set[i][0], set[i][1], err, sizeof(err)), 0);
		}
		n = tcpe_param_format(&kinds_sec, i, &k, buf, sizeof(buf));
		assert_string_equal(buf, fmt2[i]);
	}
	memset(&again, 0xa5, sizeof(again));
	for (i = 0; i < kinds_sec.n; i++) {
		tcpe_param_format(&kinds_sec, i, &k, buf, sizeof(buf));
		assert_int_equal(tcpe_param_set(&kinds_sec, &again,
		    kinds_desc[i].name, buf, err, sizeof(err)), 0);
	}
	for (i = 0; i < kinds_sec.n; i++)
		assert_memory_equal((char *)&again + kinds_desc[i].offset,
		    (char *)&k + kinds_desc[i].offset,
		    tcpe_param_size(&kinds_desc[i]));

	/* The [tcp] table formats its defaults as written in the table. */
	fresh(&cfg);
	for (i = 0; i < tcpe_tcp_params.n; i++) {
		tcpe_param_format(&tcpe_tcp_params, i, &cfg, buf, sizeof(buf));
		assert_string_equal(buf, tcpe_tcp_params.desc[i].def);
	}
	/* Truncation: snprintf's contract. */
	kinds_accept(&k, "addr", "198.18.0.2");
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(tcpe_param_format(&kinds_sec, 2, &k, buf, 4), 10);
	assert_string_equal(buf, "198");
	assert_int_equal(buf[4], 'Z');
}

static void
test_param_size(void **state)
{
	static const size_t want[] = { 16, 8, 4, 4, 6, 4 };
	size_t i;

	(void)state;
	for (i = 0; i < kinds_sec.n; i++)
		assert_int_equal(tcpe_param_size(&kinds_desc[i]), want[i]);
	for (i = 0; i < tcpe_tcp_params.n; i++)
		assert_int_equal(tcpe_param_size(&tcpe_tcp_params.desc[i]),
		    tcpe_tcp_params.desc[i].type == TCPE_PT_U32x3 ? 12 :
		    tcpe_tcp_params.desc[i].type == TCPE_PT_U32x2 ? 8 : 4);
}

static void
kinds_check_is(const struct kinds *k, int rc, const char *msg)
{
	char err[ERRLEN];
	int got;

	err[0] = '\0';
	got = tcpe_param_check(&kinds_sec, k, err, sizeof(err));
	if (got != rc)
		fail_msg("check: got %d, want %d (%s)", got, rc, err);
	if (msg != NULL)
		assert_string_equal(err, msg);
	assert_int_equal(tcpe_param_check(&kinds_sec, k, NULL, 0), rc);
}

/* Structs filled in by code: tcpe_param_check() sees what set() would. */
static void
test_param_check(void **state)
{
	struct kinds k;

	(void)state;
	kinds_fresh(&k);
	kinds_check_is(&k, 0, NULL);
	/* Any MAC; any address for addr. */
	memset(k.mac, 0xff, sizeof(k.mac));
	k.addr = 0;
	kinds_check_is(&k, 0, NULL);

	kinds_fresh(&k);
	memset(k.name, 'x', sizeof(k.name));
	kinds_check_is(&k, -ERANGE, "[kinds] name: length 16 or more out of "
	    "range 0..15 characters");
	kinds_fresh(&k);
	memset(k.name, 'x', sizeof(k.name) - 1);
	kinds_check_is(&k, 0, NULL);
	kinds_fresh(&k);
	strcpy(k.name, "a\tb");
	kinds_check_is(&k, -EINVAL, "[kinds] name: \"a?b\" has a control "
	    "character (expected 0..15 characters)");
	kinds_fresh(&k);
	strcpy(k.name, "a;b");
	kinds_check_is(&k, -EINVAL, NULL);
	kinds_fresh(&k);
	memset(k.word, 0, sizeof(k.word));
	kinds_check_is(&k, -ERANGE, "[kinds] word: length 0 out of range "
	    "1..7 characters");
	kinds_fresh(&k);
	k.net198 = 0xc6140000;
	kinds_check_is(&k, -ERANGE, "[kinds] net198: 198.20.0.0 out of range "
	    "198.18.0.0..198.19.255.255");
	kinds_fresh(&k);
	k.n = 0;
	kinds_check_is(&k, -ERANGE, "[kinds] n: 0 out of range 1..9");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_matches_expectation),
		cmocka_unit_test(test_table_covers_struct),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_defaults_every_key),
		cmocka_unit_test(test_defaults_are_parsed),
		cmocka_unit_test(test_bounds_every_key),
		cmocka_unit_test(test_exact_messages),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_malformed_u32),
		cmocka_unit_test(test_malformed_u32x3),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_u32x3_order),
		cmocka_unit_test(test_cfg_check),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_enum_toy),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_kinds_messages),
		cmocka_unit_test(test_kinds_describe_format),
		cmocka_unit_test(test_param_size),
		cmocka_unit_test(test_param_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
