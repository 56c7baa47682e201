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
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib/core \
 *	    tests/fuzz/fuzz_params.c lib/core/tcpe_params.c -o fuzz_params
 *	./fuzz_params -dict=tests/fuzz/params.dict -max_total_time=60
 */
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
static int
ref_parse(const struct tcpe_param_desc *d, const char *value, uint32_t v[3])
{
	unsigned long long x;
	const char *p = value;
	size_t n, i, len, k;
	int overflow = 0;

	if (value == NULL)
		return -EINVAL;
	n = d->type == TCPE_PT_U32x3 ? 3 : 1;
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
	if (n == 3 && (v[0] > v[1] || v[1] > v[2]))
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
		snprintf(range, sizeof(range), "%u..%u",
		    (unsigned int)d->min, (unsigned int)d->max);
		CHECK(strstr(err, range) != NULL);
		return;
	}

	/* Success: exactly the field changed, to the reference's values. */
	n = d->type == TCPE_PT_U32x3 ? 3 : 1;
	memcpy(got, (const char *)cfg + d->offset, n * sizeof(got[0]));
	CHECK(memcmp(got, v, n * sizeof(got[0])) == 0);
	for (size_t i = 0; i < n; i++)
		CHECK(got[i] >= d->min && got[i] <= d->max);
	if (n == 3)
		CHECK(got[0] <= got[1] && got[1] <= got[2]);
	copy = before;
	memcpy((char *)&copy + d->offset, got, n * sizeof(got[0]));
	CHECK(memcmp(&copy, cfg, sizeof(copy)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcpe_tcp_cfg cfg;
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
