/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the config parser (tcpe_params.c).
 *
 * The input is lines of "key=value" (split at the first '='; a line with
 * no '=' is a key with no value), applied in order to one struct
 * tcpe_tcp_cfg that starts from the defaults, as lib/port applies a
 * config file. Besides "never crash", every call is checked against an
 * independent reference parser written here with strtoull(): the same
 * verdict, the same values on success, the struct unchanged on error,
 * values within the table's range, and a message naming the section, the
 * key and the range. Any disagreement abort()s.
 *
 * Every line is also applied to a second struct described by a toy
 * section of the other value types (STR, IPV4, MAC), checked against
 * references built on inet_pton() and plain loops, and against
 * tcpe_param_format(): what it writes reads back to the same field.
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib/core \
 *	    tests/fuzz/fuzz_params.c lib/core/tcpe_params.c lib/core/tcpe_cc.c \
 *	    -o fuzz_params
 *	./fuzz_params -dict=tests/fuzz/params.dict -max_total_time=60
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpe_params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ERRLEN	256

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz_params: %s:%d: %s\n", \
			    __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

static const struct tcpe_param_desc *
ref_lookup(const char *key)
{
	const struct tcpe_param_section *sec = &tcpe_tcp_params;
	size_t i;

	for (i = 0; i < sec->n; i++)
		if (strcmp(sec->desc[i].name, key) == 0)
			return &sec->desc[i];
	return NULL;
}

static int
ref_ws(char c)
{
	return c != '\0' && strchr(" \t\n\r\v\f", c) != NULL;
}

/*
 * The rules of tcpe_params.h, written the obvious way: split on
 * whitespace, each token all digits without a leading zero, then range
 * and order. Returns 0/-EINVAL/-ERANGE and the values in v.
 */
/* How many integers a value of d holds. */
static size_t
ref_count(const struct tcpe_param_desc *d)
{
	return d->type == TCPE_PT_U32x3 ? 3 : d->type == TCPE_PT_U32x2 ? 2 : 1;
}

/* ENUM: the value, trimmed, is exactly one of names[min..max]. */
static int
ref_enum(const struct tcpe_param_desc *d, const char *value, uint32_t v[3])
{
	const char *p = value, *e;
	size_t len;
	uint32_t i;

	while (ref_ws(*p))
		p++;
	e = p + strlen(p);
	while (e > p && ref_ws(e[-1]))
		e--;
	len = (size_t)(e - p);
	for (i = d->min; i <= d->max && d->names[i] != NULL; i++) {
		if (strlen(d->names[i]) == len &&
		    strncmp(d->names[i], p, len) == 0) {
			v[0] = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int
ref_parse(const struct tcpe_param_desc *d, const char *value, uint32_t v[3])
{
	unsigned long long x;
	const char *p = value;
	size_t n, i, len, k;
	int overflow = 0;

	if (value == NULL)
		return -EINVAL;
	if (d->type == TCPE_PT_ENUM)
		return ref_enum(d, value, v);
	n = ref_count(d);
	for (i = 0;; i++) {
		while (ref_ws(*p))
			p++;
		if (*p == '\0')
			break;
		if (i == n)
			return -EINVAL;		/* too many tokens */
		for (len = 0; p[len] != '\0' && !ref_ws(p[len]); len++)
			;
		for (k = 0; k < len; k++)
			if (p[k] < '0' || p[k] > '9')
				return -EINVAL;
		if (len > 1 && p[0] == '0')
			return -EINVAL;
		if (len > 10) {
			overflow = 1;
		} else {
			x = strtoull(p, NULL, 10);
			if (x > UINT32_MAX)
				overflow = 1;
			else
				v[i] = (uint32_t)x;
		}
		p += len;
	}
	if (i != n)
		return -EINVAL;
	if (overflow)
		return -ERANGE;
	for (i = 0; i < n; i++)
		if (v[i] < d->min || v[i] > d->max)
			return -ERANGE;
	if (n >= 2 && v[0] > v[1])
		return -ERANGE;
	if (n == 3 && v[1] > v[2])
		return -ERANGE;
	return 0;
}

static void
one(struct tcpe_tcp_cfg *cfg, const char *key, const char *value,
    size_t small)
{
	const struct tcpe_param_desc *d;
	struct tcpe_tcp_cfg before, copy;
	char err[ERRLEN], tiny[ERRLEN], range[64], head[96];
	uint32_t v[3], got[3];
	size_t n;
	int rc, rc2, want;

	before = *cfg;
	memset(err, 0x7f, sizeof(err));
	rc = tcpe_param_set(&tcpe_tcp_params, cfg, key, value, err,
	    sizeof(err));
	CHECK(rc == 0 || rc == -ENOENT || rc == -EINVAL || rc == -ERANGE);

	/* The verdict does not depend on the error buffer. */
	copy = before;
	memset(tiny, 0x7f, sizeof(tiny));
	rc2 = tcpe_param_set(&tcpe_tcp_params, &copy, key, value, tiny,
	    small);
	CHECK(rc2 == rc);
	CHECK(memcmp(&copy, cfg, sizeof(copy)) == 0);
	if (small > 0 && rc != 0)
		CHECK(memchr(tiny, '\0', small) != NULL);
	CHECK(small >= sizeof(tiny) || (unsigned char)tiny[small] == 0x7f);
	copy = before;
	CHECK(tcpe_param_set(&tcpe_tcp_params, &copy, key, value, NULL,
	    0) == rc);

	d = ref_lookup(key);
	if (d == NULL) {
		CHECK(rc == -ENOENT);
	} else {
		want = ref_parse(d, value, v);
		if (rc != want) {
			fprintf(stderr, "fuzz_params: %s=\"%s\": rc %d, "
			    "reference %d\n", key, value ? value : "(null)",
			    rc, want);
			abort();
		}
	}

	if (rc != 0) {
		CHECK(memcmp(cfg, &before, sizeof(before)) == 0);
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(strncmp(err, "[tcp] ", 6) == 0);
		CHECK(strchr(err, '\n') == NULL);
		if (rc == -ENOENT) {
			CHECK(strstr(err, ": unknown key") != NULL);
			return;
		}
		snprintf(head, sizeof(head), "[tcp] %s: ", d->name);
		CHECK(strncmp(err, head, strlen(head)) == 0);
		if (d->type == TCPE_PT_ENUM) {
			/* The names allowed, e.g. "one of reno, cubic". */
			snprintf(range, sizeof(range), "one of %s, ",
			    d->names[d->min]);
			CHECK(strstr(err, range) != NULL);
			return;
		}
		snprintf(range, sizeof(range), "%u..%u",
		    (unsigned int)d->min, (unsigned int)d->max);
		CHECK(strstr(err, range) != NULL);
		return;
	}

	/* Success: exactly the field changed, to the reference's values. */
	n = ref_count(d);
	memcpy(got, (const char *)cfg + d->offset, n * sizeof(got[0]));
	CHECK(memcmp(got, v, n * sizeof(got[0])) == 0);
	for (size_t i = 0; i < n; i++)
		CHECK(got[i] >= d->min && got[i] <= d->max);
	if (n >= 2)
		CHECK(got[0] <= got[1]);
	if (n == 3)
		CHECK(got[1] <= got[2]);
	copy = before;
	memcpy((char *)&copy + d->offset, got, n * sizeof(got[0]));
	CHECK(memcmp(&copy, cfg, sizeof(copy)) == 0);
}

/* --- The other value types, on a toy section ------------------------- */

struct kinds {
	char name[16];
	char word[8];
	uint32_t addr;
	uint32_t net10;
	uint8_t mac[6];
};

static const struct tcpe_param_desc kinds_desc[] = {
	{ "name", TCPE_PT_STR, offsetof(struct kinds, name), 0, 16, "",
	    "STR 0..15", NULL },
	{ "word", TCPE_PT_STR, offsetof(struct kinds, word), 1, 8, "tcpe",
	    "STR 1..7", NULL },
	{ "addr", TCPE_PT_IPV4, offsetof(struct kinds, addr), 0, UINT32_MAX,
	    "198.18.0.2", "IPV4", NULL },
	{ "net10", TCPE_PT_IPV4, offsetof(struct kinds, net10), 0x0a000000,
	    0x0affffff, "10.0.0.1", "IPV4 in 10/8", NULL },
	{ "mac", TCPE_PT_MAC, offsetof(struct kinds, mac), 0, 0,
	    "00:00:00:00:00:00", "MAC", NULL },
};

static const struct tcpe_param_section kinds_sec = {
	"kinds", kinds_desc, sizeof(kinds_desc) / sizeof(kinds_desc[0]),
};

/* value without the config whitespace around it, in a malloc()ed copy. */
static char *
ref_trim(const char *value)
{
	char *t;
	size_t n;

	while (ref_ws(*value))
		value++;
	n = strlen(value);
	while (n > 0 && ref_ws(value[n - 1]))
		n--;
	t = malloc(n + 1);
	CHECK(t != NULL);
	memcpy(t, value, n);
	t[n] = '\0';
	return t;
}

static int
ref_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The header's rules for STR, IPV4 and MAC; the value into out. */
static int
ref_kind_trimmed(const struct tcpe_param_desc *d, const char *t, void *out)
{
	struct in_addr in;
	uint8_t m[6];
	uint32_t a;
	size_t i, n;

	n = strlen(t);
	switch (d->type) {
	case TCPE_PT_STR:
		for (i = 0; i < n; i++)
			if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f ||
			    t[i] == ';' || t[i] == '#')
				return -EINVAL;
		if (n < d->min || n > d->max - 1)
			return -ERANGE;
		memset(out, 0, d->max);
		memcpy(out, t, n);
		return 0;
	case TCPE_PT_IPV4:
		/* glibc's inet_pton() refuses leading zeros, as we do. */
		if (inet_pton(AF_INET, t, &in) != 1)
			return -EINVAL;
		a = ntohl(in.s_addr);
		if (a < d->min || a > d->max)
			return -ERANGE;
		memcpy(out, &a, sizeof(a));
		return 0;
	case TCPE_PT_MAC:
		if (n != 17)
			return -EINVAL;
		for (i = 0; i < 6; i++) {
			if (ref_hex(t[3 * i]) < 0 || ref_hex(t[3 * i + 1]) < 0)
				return -EINVAL;
			if (i < 5 && t[3 * i + 2] != ':')
				return -EINVAL;
			m[i] = (uint8_t)(ref_hex(t[3 * i]) * 16 +
			    ref_hex(t[3 * i + 1]));
		}
		memcpy(out, m, sizeof(m));
		return 0;
	default:
		abort();
	}
}

static int
ref_kind(const struct tcpe_param_desc *d, const char *value, void *out)
{
	char *t;
	int rc;

	if (value == NULL)
		return -EINVAL;
	t = ref_trim(value);
	rc = ref_kind_trimmed(d, t, out);
	free(t);
	return rc;
}

static void
one_kind(struct kinds *k, const char *key, const char *value)
{
	const struct tcpe_param_desc *d = NULL;
	struct kinds before, again;
	char err[ERRLEN], head[96], buf[64];
	unsigned char want[16];
	size_t i, sz;
	int rc, ref;

	before = *k;
	rc = tcpe_param_set(&kinds_sec, k, key, value, err, sizeof(err));
	for (i = 0; i < kinds_sec.n; i++)
		if (strcmp(kinds_desc[i].name, key) == 0)
			d = &kinds_desc[i];
	if (d == NULL) {
		CHECK(rc == -ENOENT);
		CHECK(memcmp(k, &before, sizeof(before)) == 0);
		return;
	}
	ref = ref_kind(d, value, want);
	if (rc != ref) {
		fprintf(stderr, "fuzz_params: [kinds] %s=\"%s\": rc %d, "
		    "reference %d (%s)\n", key, value ? value : "(null)",
		    rc, ref, rc != 0 ? err : "");
		abort();
	}
	if (rc != 0) {
		CHECK(memcmp(k, &before, sizeof(before)) == 0);
		snprintf(head, sizeof(head), "[kinds] %s: ", d->name);
		CHECK(strncmp(err, head, strlen(head)) == 0);
		CHECK(strchr(err, '\n') == NULL);
		if (d->type == TCPE_PT_STR)
			CHECK(strstr(err, " characters") != NULL);
		else if (d->type == TCPE_PT_MAC)
			CHECK(strstr(err, "xx:xx:xx:xx:xx:xx") != NULL);
		else if (rc == -EINVAL)
			CHECK(strstr(err, "a.b.c.d") != NULL);
		else
			CHECK(strstr(err, "10.0.0.0..10.255.255.255") != NULL);
		return;
	}
	/* Exactly the field changed, to the reference's bytes. */
	sz = tcpe_param_size(d);
	CHECK(memcmp((char *)k + d->offset, want, sz) == 0);
	again = before;
	memcpy((char *)&again + d->offset, want, sz);
	CHECK(memcmp(&again, k, sizeof(again)) == 0);
	/* Valid as a whole, and its formatted value reads back the same. */
	CHECK(tcpe_param_check(&kinds_sec, k, err, sizeof(err)) == 0);
	CHECK(tcpe_param_format(&kinds_sec, (size_t)(d - kinds_desc), k, buf,
	    sizeof(buf)) < (int)sizeof(buf));
	again = before;
	CHECK(tcpe_param_set(&kinds_sec, &again, key, buf, NULL, 0) == 0);
	CHECK(memcmp(&again, k, sizeof(again)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcpe_tcp_cfg cfg;
	struct kinds k;
	char *buf, *line, *next, *eq, *value;
	char err[ERRLEN], line_out[512];
	size_t i, small;
	int rc;

	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	small = size % 24;

	tcpe_tcp_cfg_defaults(&cfg);
	memset(&k, 0xa5, sizeof(k));
	CHECK(tcpe_param_defaults(&kinds_sec, &k) == 0);
	for (line = buf; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		eq = strchr(line, '=');
		value = NULL;
		if (eq != NULL) {
			*eq = '\0';
			value = eq + 1;
		}
		one(&cfg, line, value, small);
		one_kind(&k, line, value);
	}

	/*
	 * Every field went through the parser, so only the rules between
	 * keys can fail, and then only when they are really broken.
	 */
	rc = tcpe_tcp_cfg_check(&cfg, err, sizeof(err));
	if (cfg.rto_min_ms > cfg.rto_max_ms ||
	    cfg.rto_initial_ms < cfg.rto_min_ms ||
	    cfg.rto_initial_ms > cfg.rto_max_ms) {
		CHECK(rc == -ERANGE);
		CHECK(strstr(err, "tcp_rto_") != NULL);
	} else if (cfg.delack_min_ms > cfg.delack_max_ms) {
		CHECK(rc == -ERANGE);
		CHECK(strstr(err, "tcp_delack_m") != NULL);
	} else {
		CHECK(rc == 0);
	}
	CHECK(tcpe_tcp_cfg_check(&cfg, NULL, 0) == rc);

	for (i = 0; i < tcpe_tcp_params.n; i++) {
		CHECK(tcpe_param_describe(&tcpe_tcp_params, i, line_out,
		    small) > 0);
		CHECK(tcpe_param_describe(&tcpe_tcp_params, i, line_out,
		    sizeof(line_out)) < (int)sizeof(line_out));
	}
	CHECK(tcpe_param_describe(&tcpe_tcp_params, i, line_out,
	    sizeof(line_out)) == -ENOENT);

	free(buf);
	return 0;
}
