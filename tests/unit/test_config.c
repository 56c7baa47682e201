/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration: the [eal], [port], [pool], [lcores] and [fault]
 * tables, the INI loader (rte_cfgfile underneath), --set overrides, the cross-key
 * checks, --help-config and the dump. The keys, defaults and ranges are
 * written out here again, independently of the tables.
 *
 * Nothing here calls rte_eal_init(): the loader runs before the EAL (it
 * builds the EAL's arguments), and this binary shows that rte_cfgfile
 * works without it.
 *
 * argv[1] is config/tcpe.conf (meson passes it; default: the path relative
 * to the repository root), which must load to exactly the defaults.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tcpe_config.h"

#define ERRLEN	512

static const char *conf_path = "config/tcpe.conf";

struct expect {
	const char *name;
	enum tcpe_param_type type;
	size_t offset;
	uint32_t min;
	uint32_t max;
	const char *def;
};

#define E(st, f)	offsetof(struct st, f)

static const struct expect exp_eal[] = {
	{ "lcores", TCPE_PT_STR, E(tcpe_eal_cfg, lcores), 1, 128, "0" },
	{ "memory_mb", TCPE_PT_U32, E(tcpe_eal_cfg, memory_mb), 64, 65536,
	    "512" },
	{ "no_huge", TCPE_PT_BOOL, E(tcpe_eal_cfg, no_huge), 0, 1, "1" },
	{ "no_pci", TCPE_PT_BOOL, E(tcpe_eal_cfg, no_pci), 0, 1, "1" },
	{ "file_prefix", TCPE_PT_STR, E(tcpe_eal_cfg, file_prefix), 1, 128,
	    "tcpe" },
	{ "log_level", TCPE_PT_STR, E(tcpe_eal_cfg, log_level), 1, 128,
	    "notice" },
	{ "extra", TCPE_PT_STR, E(tcpe_eal_cfg, extra), 0, 256, "" },
};

static const struct expect exp_port[] = {
	{ "vdev", TCPE_PT_STR, E(tcpe_port_cfg, vdev), 0, 256,
	    "net_tap0,iface=tcpe0" },
	{ "addr", TCPE_PT_IPV4, E(tcpe_port_cfg, addr), 0, UINT32_MAX,
	    "198.18.0.2" },
	{ "prefix", TCPE_PT_U32, E(tcpe_port_cfg, prefix), 1, 32, "24" },
	{ "gateway", TCPE_PT_IPV4, E(tcpe_port_cfg, gateway), 0, UINT32_MAX,
	    "0.0.0.0" },
	{ "mac", TCPE_PT_MAC, E(tcpe_port_cfg, mac), 0, 0,
	    "00:00:00:00:00:00" },
	{ "mtu", TCPE_PT_U32, E(tcpe_port_cfg, mtu), 576, 9000, "1500" },
	{ "rx_desc", TCPE_PT_U32, E(tcpe_port_cfg, rx_desc), 64, 16384,
	    "1024" },
	{ "tx_desc", TCPE_PT_U32, E(tcpe_port_cfg, tx_desc), 64, 16384,
	    "1024" },
	{ "arp_pending", TCPE_PT_U32, E(tcpe_port_cfg, arp_pending), 1, 4096,
	    "64" },
	{ "arp_timeout_s", TCPE_PT_U32, E(tcpe_port_cfg, arp_timeout_s), 1,
	    86400, "300" },
	{ "queues", TCPE_PT_U32, E(tcpe_port_cfg, queues), 0, 1024, "0" },
	{ "rss_key", TCPE_PT_ENUM, E(tcpe_port_cfg, rss_key), 0, 1,
	    "default" },
	{ "csum", TCPE_PT_ENUM, E(tcpe_port_cfg, csum), 0, 1, "auto" },
};

static const struct expect exp_pool[] = {
	{ "mbufs", TCPE_PT_U32, E(tcpe_pool_cfg, mbufs), 1023, 16777215,
	    "16383" },
	{ "cache", TCPE_PT_U32, E(tcpe_pool_cfg, cache), 0, 512, "256" },
	{ "data_room", TCPE_PT_U32, E(tcpe_pool_cfg, data_room), 1024, 65535,
	    "2176" },
};

static const struct expect exp_lcores[] = {
	{ "workers", TCPE_PT_U32, E(tcpe_lcores_cfg, workers), 1, 128, "1" },
	{ "burst", TCPE_PT_U32, E(tcpe_lcores_cfg, burst), 1, 512, "32" },
	{ "steering", TCPE_PT_ENUM, E(tcpe_lcores_cfg, steering), 0, 3,
	    "auto" },
	{ "steer_ring", TCPE_PT_U32, E(tcpe_lcores_cfg, steer_ring), 256,
	    65536, "4096" },
};

#define F(f)	offsetof(struct tcpe_fault_cfg, f)

static const struct expect exp_fault[] = {
	{ "seed", TCPE_PT_U32, F(seed), 0, UINT32_MAX, "0" },
	{ "hold", TCPE_PT_U32, F(hold), 16, 65536, "4096" },
	{ "rx_loss", TCPE_PT_U32, F(rx.loss), 0, 1000000, "0" },
	{ "rx_dup", TCPE_PT_U32, F(rx.dup), 0, 1000000, "0" },
	{ "rx_reorder", TCPE_PT_U32, F(rx.reorder), 0, 1000000, "0" },
	{ "rx_reorder_depth", TCPE_PT_U32, F(rx.reorder_depth), 1, 4096, "3" },
	{ "rx_corrupt", TCPE_PT_U32, F(rx.corrupt), 0, 1000000, "0" },
	{ "rx_delay_us", TCPE_PT_U32, F(rx.delay_us), 0, 1000000, "0" },
	{ "tx_loss", TCPE_PT_U32, F(tx.loss), 0, 1000000, "0" },
	{ "tx_dup", TCPE_PT_U32, F(tx.dup), 0, 1000000, "0" },
	{ "tx_reorder", TCPE_PT_U32, F(tx.reorder), 0, 1000000, "0" },
	{ "tx_reorder_depth", TCPE_PT_U32, F(tx.reorder_depth), 1, 4096, "3" },
	{ "tx_corrupt", TCPE_PT_U32, F(tx.corrupt), 0, 1000000, "0" },
	{ "tx_delay_us", TCPE_PT_U32, F(tx.delay_us), 0, 1000000, "0" },
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* Names too long for any key or section: 40 and 30 characters. */
#define A40	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A30	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct {
	const char *name;
	size_t offset;
	size_t size;		/* of the section's struct */
	size_t padding;		/* bytes of it that no key covers */
	const struct expect *exp;	/* NULL: the core's [tcp] table */
	size_t n;
} exp_sections[] = {
	{ "eal", offsetof(struct tcpe_config, eal),
	    sizeof(struct tcpe_eal_cfg), 0, exp_eal, N(exp_eal) },
	{ "port", offsetof(struct tcpe_config, port),
	    sizeof(struct tcpe_port_cfg), 2, exp_port, N(exp_port) },
	{ "pool", offsetof(struct tcpe_config, pool),
	    sizeof(struct tcpe_pool_cfg), 0, exp_pool, N(exp_pool) },
	{ "lcores", offsetof(struct tcpe_config, lcores),
	    sizeof(struct tcpe_lcores_cfg), 0, exp_lcores, N(exp_lcores) },
	{ "tcp", offsetof(struct tcpe_config, tcp),
	    sizeof(struct tcpe_tcp_cfg), 0, NULL, 0 },
	{ "fault", offsetof(struct tcpe_config, fault),
	    sizeof(struct tcpe_fault_cfg), 0, exp_fault, N(exp_fault) },
};

/* --- Helpers ------------------------------------------------------------ */

/* Write len bytes to a new temporary file; returns its malloc()ed path. */
static char *
tmp_write_raw(const char *text, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	size_t sz;
	int fd;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	sz = strlen(dir) + 32;
	path = malloc(sz);
	if (path == NULL)
		abort();
	snprintf(path, sz, "%s/tcpe_test_config_XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

static char *
tmp_write(const char *text)
{
	return tmp_write_raw(text, strlen(text));
}

static void
tmp_rm(char *path)
{
	unlink(path);
	free(path);
}

/* A config whose every byte differs from the defaults' zeros. */
static void
poison(struct tcpe_config *cfg)
{
	memset(cfg, 0xa5, sizeof(*cfg));
}

/* Load text from a temporary file into cfg. */
static int
load_text(struct tcpe_config *cfg, const char *text, char *err)
{
	char *path = tmp_write(text);
	int rc;

	rc = tcpe_config_load(cfg, path, err, ERRLEN);
	tmp_rm(path);
	return rc;
}

/*
 * Every field of every section of a equals the one of b (the padding
 * aside); fail naming the first key that differs.
 */
static void
assert_fields_equal(const struct tcpe_config *a, const struct tcpe_config *b,
    const char *what)
{
	const struct tcpe_param_section *sec;
	const struct tcpe_param_desc *d;
	size_t i, j, off, pos;

	for (i = 0; (sec = tcpe_config_section(i, &off)) != NULL; i++) {
		for (j = 0; j < sec->n; j++) {
			d = &sec->desc[j];
			pos = off + d->offset;
			if (memcmp((const char *)a + pos,
			    (const char *)b + pos, tcpe_param_size(d)) != 0)
				fail_msg("%s: [%s] %s differs", what,
				    sec->name, d->name);
		}
	}
}

/* The help text or a dump, in a malloc()ed string. */
static char *
capture(const struct tcpe_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	if (cfg == NULL)
		tcpe_config_help(f);
	else
		tcpe_config_dump(cfg, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

/* Does text have a line that starts with prefix? */
static bool
has_line(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, n) == 0)
			return true;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return false;
}

/* --- Tables and defaults ---------------------------------------------- */

static void
test_sections(void **state)
{
	const struct tcpe_param_section *sec;
	const struct tcpe_param_desc *d;
	const struct expect *e;
	unsigned char cover[1024];
	size_t i, j, k, off, b, uncovered;

	(void)state;
	for (i = 0; i < N(exp_sections); i++) {
		sec = tcpe_config_section(i, &off);
		assert_non_null(sec);
		assert_string_equal(sec->name, exp_sections[i].name);
		assert_int_equal(off, exp_sections[i].offset);
		assert_non_null(tcpe_config_section(i, NULL));
		if (exp_sections[i].exp == NULL) {
			assert_ptr_equal(sec, &tcpe_tcp_params);
			continue;
		}
		assert_int_equal(sec->n, exp_sections[i].n);
		for (j = 0; j < sec->n; j++) {
			d = &sec->desc[j];
			e = &exp_sections[i].exp[j];
			assert_string_equal(d->name, e->name);
			assert_int_equal(d->type, e->type);
			assert_int_equal(d->offset, e->offset);
			assert_int_equal(d->min, e->min);
			assert_int_equal(d->max, e->max);
			assert_string_equal(d->def, e->def);
			assert_non_null(d->help);
			assert_true(strlen(d->help) > 10);
			assert_null(strchr(d->help, '\n'));
		}
	}
	assert_null(tcpe_config_section(N(exp_sections), &off));
	assert_null(tcpe_config_section((size_t)-1, NULL));
	assert_ptr_equal(tcpe_config_section(0, NULL), &tcpe_eal_params);
	assert_ptr_equal(tcpe_config_section(1, NULL), &tcpe_port_params);
	assert_ptr_equal(tcpe_config_section(2, NULL), &tcpe_pool_params);
	assert_ptr_equal(tcpe_config_section(3, NULL), &tcpe_lcores_params);
	assert_ptr_equal(tcpe_config_section(5, NULL), &tcpe_fault_params);

	/* Every byte of every section's struct is one key's, but padding. */
	for (i = 0; i < N(exp_sections); i++) {
		sec = tcpe_config_section(i, NULL);
		assert_true(exp_sections[i].size <= sizeof(cover));
		memset(cover, 0, sizeof(cover));
		for (j = 0; j < sec->n; j++) {
			d = &sec->desc[j];
			assert_true(d->offset + tcpe_param_size(d) <=
			    exp_sections[i].size);
			for (b = 0; b < tcpe_param_size(d); b++)
				cover[d->offset + b]++;
			for (k = 0; k < j; k++)
				assert_string_not_equal(d->name,
				    sec->desc[k].name);
		}
		uncovered = 0;
		for (b = 0; b < exp_sections[i].size; b++) {
			if (cover[b] > 1)
				fail_msg("[%s]: byte %zu covered %d times",
				    sec->name, b, cover[b]);
			uncovered += cover[b] == 0;
		}
		assert_int_equal(uncovered, exp_sections[i].padding);
	}
}

static void
test_defaults(void **state)
{
	struct tcpe_config a, b;
	char err[ERRLEN];

	(void)state;
	poison(&a);
	tcpe_config_defaults(&a);
	assert_string_equal(a.eal.lcores, "0");
	assert_int_equal(a.eal.memory_mb, 512);
	assert_int_equal(a.eal.no_huge, 1);
	assert_int_equal(a.eal.no_pci, 1);
	assert_string_equal(a.eal.file_prefix, "tcpe");
	assert_string_equal(a.eal.log_level, "notice");
	assert_string_equal(a.eal.extra, "");
	assert_string_equal(a.port.vdev, "net_tap0,iface=tcpe0");
	assert_int_equal(a.port.addr, 0xc6120002);
	assert_int_equal(a.port.prefix, 24);
	assert_int_equal(a.port.gateway, 0);
	assert_memory_equal(a.port.mac, "\0\0\0\0\0\0", 6);
	assert_int_equal(a.port.mtu, 1500);
	assert_int_equal(a.port.rx_desc, 1024);
	assert_int_equal(a.port.tx_desc, 1024);
	assert_int_equal(a.port.arp_pending, 64);
	assert_int_equal(a.port.arp_timeout_s, 300);
	assert_int_equal(a.pool.mbufs, 16383);
	assert_int_equal(a.pool.cache, 256);
	assert_int_equal(a.pool.data_room, 2176);
	assert_int_equal(a.lcores.workers, 1);
	assert_int_equal(a.lcores.burst, 32);
	assert_int_equal(a.tcp.syn_retries, 6);
	assert_int_equal(a.tcp.max_conns, 65536);
	/* Every fault off. */
	assert_int_equal(a.fault.seed, 0);
	assert_int_equal(a.fault.hold, 4096);
	assert_int_equal(a.fault.rx.loss, 0);
	assert_int_equal(a.fault.rx.dup, 0);
	assert_int_equal(a.fault.rx.reorder, 0);
	assert_int_equal(a.fault.rx.reorder_depth, 3);
	assert_int_equal(a.fault.rx.corrupt, 0);
	assert_int_equal(a.fault.rx.delay_us, 0);
	assert_int_equal(a.fault.tx.loss, 0);
	assert_int_equal(a.fault.tx.dup, 0);
	assert_int_equal(a.fault.tx.reorder, 0);
	assert_int_equal(a.fault.tx.reorder_depth, 3);
	assert_int_equal(a.fault.tx.corrupt, 0);
	assert_int_equal(a.fault.tx.delay_us, 0);
	err[0] = '\0';
	assert_int_equal(tcpe_config_check(&a, err, sizeof(err)), 0);
	assert_string_equal(err, "");

	/* Padding and string tails are zeroed: memcmp works. */
	memset(&b, 0x5a, sizeof(b));
	tcpe_config_defaults(&b);
	assert_memory_equal(&a, &b, sizeof(a));
}

/*
 * config/tcpe.conf is the defaults: every key present (a missing one
 * would keep the poison), none twice (the loader refuses it), every value
 * the default, and every range written in its comment the table's.
 */
static void
test_defaults_file(void **state)
{
	const struct tcpe_param_section *sec;
	const struct tcpe_param_desc *d;
	struct tcpe_config def, cfg;
	char err[ERRLEN], line[512], comment[1024], key[64], range[64];
	char cursec[64] = "";
	unsigned int lo, hi;
	size_t i, j, keys = 0, total = 0;
	const char *p;
	FILE *f;
	int rc;

	(void)state;
	tcpe_config_defaults(&def);
	poison(&cfg);
	rc = tcpe_config_load(&cfg, conf_path, err, sizeof(err));
	if (rc != 0)
		fail_msg("%s: %d %s", conf_path, rc, err);
	assert_fields_equal(&cfg, &def, conf_path);
	assert_int_equal(tcpe_config_check(&cfg, err, sizeof(err)), 0);

	/* A "lo..hi" in a key's comment is its table's range. */
	f = fopen(conf_path, "r");
	assert_non_null(f);
	comment[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == ';') {
			strncat(comment, line,
			    sizeof(comment) - strlen(comment) - 1);
			continue;
		}
		if (line[0] == '#' ||
		    sscanf(line, "[%63[^]]]", cursec) == 1 ||
		    sscanf(line, "%63s =", key) != 1 ||
		    strchr(line, '=') == NULL) {
			comment[0] = '\0';
			continue;
		}
		keys++;
		d = NULL;
		for (i = 0; (sec = tcpe_config_section(i, NULL)) != NULL; i++)
			for (j = 0; j < sec->n; j++)
				if (strcmp(sec->name, cursec) == 0 &&
				    strcmp(sec->desc[j].name, key) == 0)
					d = &sec->desc[j];
		if (d == NULL)
			fail_msg("%s: [%s] %s not in the tables", conf_path,
			    cursec, key);
		if (comment[0] == '\0')
			fail_msg("%s: [%s] %s has no comment", conf_path,
			    cursec, key);
		for (p = comment; *p != '\0'; p++) {
			if (sscanf(p, "%u..%u", &lo, &hi) != 2 ||
			    (p > comment && p[-1] >= '0' && p[-1] <= '9'))
				continue;
			snprintf(range, sizeof(range), "%u..%u", lo, hi);
			if (d->type != TCPE_PT_U32 || lo != d->min ||
			    hi != d->max)
				fail_msg("%s: [%s] %s: comment says %s",
				    conf_path, cursec, key, range);
			break;
		}
		comment[0] = '\0';
	}
	fclose(f);
	for (i = 0; (sec = tcpe_config_section(i, NULL)) != NULL; i++)
		total += sec->n;
	assert_int_equal(keys, total);
}

/* --- Help and dump ------------------------------------------------------ */

static void
test_help(void **state)
{
	const struct tcpe_param_section *sec;
	struct tcpe_config def, cfg;
	char want[128], err[ERRLEN], line[512], key[64];
	char *help, *path;
	size_t i, j;
	FILE *f;

	(void)state;
	help = capture(NULL);
	for (i = 0; (sec = tcpe_config_section(i, NULL)) != NULL; i++) {
		snprintf(want, sizeof(want), "[%s]\n", sec->name);
		assert_non_null(strstr(help, want));
		for (j = 0; j < sec->n; j++) {
			snprintf(want, sizeof(want), "%s = %s  ; ",
			    sec->desc[j].name, sec->desc[j].def);
			if (!has_line(help, want))
				fail_msg("help lacks \"%s\"", want);
		}
	}
	assert_true(has_line(help, "mtu = 1500  ; 576..9000; IP MTU"));
	assert_true(has_line(help, "addr = 198.18.0.2  ; a.b.c.d; "));
	assert_true(has_line(help, "mac = 00:00:00:00:00:00  ; "
	    "xx:xx:xx:xx:xx:xx; "));
	assert_true(has_line(help, "lcores = 0  ; 1..127 characters; "));
	assert_true(has_line(help, "extra =   ; 0..255 characters; "));

	/* Every key of config/tcpe.conf is in the help. */
	f = fopen(conf_path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == ';' || line[0] == '#' || line[0] == '[' ||
		    strchr(line, '=') == NULL ||
		    sscanf(line, "%63s", key) != 1)
			continue;
		snprintf(want, sizeof(want), "%s = ", key);
		if (!has_line(help, want))
			fail_msg("help lacks %s of %s", key, conf_path);
	}
	fclose(f);

	/* The help is a config file: it loads to the defaults. */
	tcpe_config_defaults(&def);
	poison(&cfg);
	path = tmp_write(help);
	if (tcpe_config_load(&cfg, path, err, sizeof(err)) != 0)
		fail_msg("help does not load: %s", err);
	tmp_rm(path);
	assert_fields_equal(&cfg, &def, "help");
	free(help);
}

static void
test_dump(void **state)
{
	static const char *const sets[] = {
		"eal.lcores=0-3,5", "eal.extra=--iova-mode=va --no-telemetry",
		"eal.no_huge=0", "port.vdev=net_memif0,role=server,id=7",
		"port.addr=10.1.2.3", "port.prefix=16", "port.gateway=10.1.0.1",
		"port.mac=02:AB:cd:00:00:01", "port.mtu=9000",
		"pool.data_room=9216", "pool.cache=0", "lcores.workers=4",
		"tcp.tcp_rmem=1024 2048 1073741824", "tcp.tcp_window_scaling=0",
	};
	struct tcpe_config cfg, back;
	char err[ERRLEN], *dump, *path;
	size_t i;

	(void)state;
	tcpe_config_defaults(&cfg);
	for (i = 0; i < N(sets); i++)
		if (tcpe_config_set(&cfg, sets[i], err, sizeof(err)) != 0)
			fail_msg("%s: %s", sets[i], err);
	assert_int_equal(tcpe_config_check(&cfg, err, sizeof(err)), 0);
	dump = capture(&cfg);
	assert_true(has_line(dump, "[eal]"));
	assert_true(has_line(dump, "lcores = 0-3,5\n"));
	assert_true(has_line(dump, "extra = --iova-mode=va --no-telemetry\n"));
	assert_true(has_line(dump, "vdev = net_memif0,role=server,id=7\n"));
	assert_true(has_line(dump, "addr = 10.1.2.3\n"));
	assert_true(has_line(dump, "gateway = 10.1.0.1\n"));
	assert_true(has_line(dump, "mac = 02:ab:cd:00:00:01\n"));
	assert_true(has_line(dump, "tcp_rmem = 1024 2048 1073741824\n"));
	assert_true(has_line(dump, "file_prefix = tcpe\n"));

	/* It reads back to the same configuration. */
	poison(&back);
	path = tmp_write(dump);
	if (tcpe_config_load(&back, path, err, sizeof(err)) != 0)
		fail_msg("dump does not load: %s", err);
	tmp_rm(path);
	assert_fields_equal(&back, &cfg, "dump");
	free(dump);

	/* And the defaults' dump to the defaults. */
	tcpe_config_defaults(&cfg);
	dump = capture(&cfg);
	poison(&back);
	assert_int_equal(load_text(&back, dump, err), 0);
	assert_fields_equal(&back, &cfg, "default dump");
	free(dump);
}

/* --- Loading ------------------------------------------------------------- */

static void
test_load_good(void **state)
{
	static const char text[] =
	    "; a comment\n"
	    "# another\n"
	    "\n"
	    "[port]\n"
	    "addr = 10.1.2.3\n"
	    "prefix=16\n"
	    "gateway\t=\t10.1.0.1\n"
	    "  vdev =   net_tap1,iface=foo,mac=02:00:00:00:00:09   \n"
	    "mac = 02:00:00:00:00:01\r\n"
	    "[ eal ]\r\n"
	    "extra =\n"
	    "log_level = lib.eal:debug\n"
	    "lcores = 0-3\n"
	    "file_prefix = a b c\n"
	    "[port]\n"
	    "mtu = 9000\n"
	    "[pool]\n"
	    "data_room = 9216\n"
	    "[tcp]\n"
	    "tcp_rmem = 8192   65536 1048576\n"
	    "tcp_syn_retries = 3";	/* no newline at the end */
	struct tcpe_config cfg, want;
	char err[ERRLEN];

	(void)state;
	/* On top of what cfg holds: rx_desc and extra were set before. */
	tcpe_config_defaults(&cfg);
	cfg.port.rx_desc = 2048;
	strcpy(cfg.eal.extra, "--old");
	want = cfg;
	want.port.addr = 0x0a010203;
	want.port.prefix = 16;
	want.port.gateway = 0x0a010001;
	memset(want.port.vdev, 0, sizeof(want.port.vdev));
	strcpy(want.port.vdev, "net_tap1,iface=foo,mac=02:00:00:00:00:09");
	memcpy(want.port.mac, "\x02\0\0\0\0\x01", 6);
	memset(want.eal.extra, 0, sizeof(want.eal.extra));
	strcpy(want.eal.log_level, "lib.eal:debug");
	strcpy(want.eal.lcores, "0-3");
	strcpy(want.eal.file_prefix, "a b c");
	want.port.mtu = 9000;
	want.pool.data_room = 9216;
	want.tcp.rmem[0] = 8192;
	want.tcp.rmem[1] = 65536;
	want.tcp.rmem[2] = 1048576;
	want.tcp.syn_retries = 3;
	if (load_text(&cfg, text, err) != 0)
		fail_msg("%s", err);
	assert_memory_equal(&cfg, &want, sizeof(cfg));
	assert_int_equal(cfg.port.rx_desc, 2048);
	assert_int_equal(tcpe_config_check(&cfg, err, sizeof(err)), 0);

	/* Empty files, and files of comments only, change nothing. */
	assert_int_equal(load_text(&cfg, "", err), 0);
	assert_int_equal(load_text(&cfg, "\n\n  \n", err), 0);
	assert_int_equal(load_text(&cfg, "; x = y\n# [eal]\n#a=b\n", err), 0);
	assert_int_equal(load_text(&cfg, "[eal]\n[port]\n", err), 0);
	assert_memory_equal(&cfg, &want, sizeof(cfg));
}

static void
test_comments(void **state)
{
	static const char text[] =
	    "# key = value before any section: a comment\n"
	    "; the same = with ';'\n"
	    "[port] ; the port\n"
	    "[port] # the port again\n"
	    "   # indented = comment\n"
	    "\t; indented = comment\n"
	    "addr = 198.18.0.9 ; trailing ;\n"
	    "vdev = net_tap0,iface=x # trailing #\n"
	    "# addr = 9.9.9.9\n"
	    "; addr = 8.8.8.8\n"
	    "mtu = 1400# no space\n"
	    "prefix = 8;no space\n"
	    "#[eal]\n"
	    ";[eal]\n"
	    "#; mixed = 1\n"
	    ";# mixed = 2\n"
	    "arp_pending = 7 # ; both\n"
	    "arp_timeout_s = 9 ; # both\n"
	    "[eal]\n"
	    "extra = # only a comment: empty\n"
	    "log_level = info;\n";
	struct tcpe_config cfg;
	char err[ERRLEN];

	(void)state;
	tcpe_config_defaults(&cfg);
	strcpy(cfg.eal.extra, "--x");
	if (load_text(&cfg, text, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.port.addr, 0xc6120009);
	assert_string_equal(cfg.port.vdev, "net_tap0,iface=x");
	assert_int_equal(cfg.port.mtu, 1400);
	assert_int_equal(cfg.port.prefix, 8);
	assert_int_equal(cfg.port.arp_pending, 7);
	assert_int_equal(cfg.port.arp_timeout_s, 9);
	assert_string_equal(cfg.eal.extra, "");
	assert_string_equal(cfg.eal.log_level, "info");
	assert_string_equal(cfg.eal.file_prefix, "tcpe");
}

/* A file that must fail with rc and exactly msg ("%s" is the path). */
struct bad_file {
	const char *text;
	int rc;
	const char *msg;
};

static void
expect_bad_file(const char *text, size_t len, int rc, const char *msg)
{
	struct tcpe_config cfg, before;
	char err[ERRLEN], want[ERRLEN], *path;
	int got;

	tcpe_config_defaults(&cfg);
	cfg.port.mtu = 1280;	/* on top of a non-default config */
	before = cfg;
	path = tmp_write_raw(text, len);
	memset(err, 0, sizeof(err));
	got = tcpe_config_load(&cfg, path, err, sizeof(err));
	snprintf(want, sizeof(want), msg, path);
	if (got != rc || strcmp(err, want) != 0)
		fail_msg("\"%.60s\": got %d \"%s\", want %d \"%s\"", text,
		    got, err, rc, want);
	/* All or nothing. */
	assert_memory_equal(&cfg, &before, sizeof(cfg));
	assert_null(strchr(err, '\n'));
	/* No error buffer: same verdict. */
	assert_int_equal(tcpe_config_load(&cfg, path, NULL, 0), rc);
	tmp_rm(path);
}

static void
test_load_errors(void **state)
{
	static const struct bad_file bad[] = {
		/* Unknown section and key. */
		{ "[prot]\naddr = 1.2.3.4\n", -ENOENT,
		    "%s:1: [prot]: unknown section (expected eal, port, "
		    "pool, lcores, tcp or fault)" },
		{ "[port]\n[Port]\n", -ENOENT, "%s:2: [Port]: unknown "
		    "section (expected eal, port, pool, lcores, tcp or fault)" },
		{ "[]\n", -ENOENT, "%s:1: []: unknown section (expected eal, "
		    "port, pool, lcores, tcp or fault)" },
		{ "[GLOBAL]\n", -ENOENT, "%s:1: [GLOBAL]: unknown section "
		    "(expected eal, port, pool, lcores, tcp or fault)" },
		{ "[fault]\nrx_los = 1\n", -ENOENT,
		    "%s:2: [fault] rx_los: unknown key" },
		{ "[fault]\nloss = 1\n", -ENOENT,
		    "%s:2: [fault] loss: unknown key" },
		{ "[port]\nadress = 1.2.3.4\n", -ENOENT,
		    "%s:2: [port] adress: unknown key" },
		{ "[eal]\n# a = b\n; c = d\nfoo = 1\n", -ENOENT,
		    "%s:4: [eal] foo: unknown key" },
		{ "[tcp]\nmtu = 1500\n", -ENOENT,
		    "%s:2: [tcp] mtu: unknown key" },
		{ "[port]\nMTU = 1500\n", -ENOENT,
		    "%s:2: [port] MTU: unknown key" },
		{ "[port]\nport.mtu = 1500\n", -ENOENT,
		    "%s:2: [port] port.mtu: unknown key" },
		{ "[port]\naddr = 198.18.0.1 # c\n\n[eal]\n; x\nbar = 2\n",
		    -ENOENT, "%s:6: [eal] bar: unknown key" },
		{ "[port]\n" A40 A30 " = 1\n", -ENOENT,
		    "%s:2: [port] " A40 "...: unknown key" },
		/* Malformed values. */
		{ "[port]\nmtu = 1500x\n", -EINVAL, "%s:2: [port] mtu: "
		    "\"1500x\" is not a decimal integer (expected 576..9000)" },
		{ "[port]\nmtu =\n", -EINVAL, "%s:2: [port] mtu: \"\" is not "
		    "a decimal integer (expected 576..9000)" },
		{ "[port]\naddr = 1.2.3\n", -EINVAL, "%s:2: [port] addr: "
		    "\"1.2.3\" is not an IPv4 address (expected a.b.c.d)" },
		{ "[port]\ngateway = 198.018.0.1\n", -EINVAL, "%s:2: [port] "
		    "gateway: \"198.018.0.1\" is not an IPv4 address (expected "
		    "a.b.c.d)" },
		{ "[port]\nmac = 02:00:00:00:00\n", -EINVAL, "%s:2: [port] "
		    "mac: \"02:00:00:00:00\" is not a MAC address (expected "
		    "xx:xx:xx:xx:xx:xx)" },
		{ "[eal]\nno_huge = yes\n", -EINVAL, "%s:2: [eal] no_huge: "
		    "\"yes\" is not a decimal integer (expected 0..1)" },
		{ "[eal]\nlcores = 0\x01\n", -EINVAL, "%s:2: [eal] lcores: "
		    "\"0?\" has a control character (expected 1..127 "
		    "characters)" },
		{ "[tcp]\ntcp_rmem = 1 2\n", -EINVAL, "%s:2: [tcp] tcp_rmem: "
		    "\"1 2\" is not three decimal integers (expected "
		    "1024..1073741824 each, min <= default <= max)" },
		/* Out of range. */
		{ "[port]\nmtu = 9001\n", -ERANGE,
		    "%s:2: [port] mtu: 9001 out of range 576..9000" },
		{ "[port]\nmtu = 575\n", -ERANGE,
		    "%s:2: [port] mtu: 575 out of range 576..9000" },
		{ "[port]\nprefix = 0\n", -ERANGE,
		    "%s:2: [port] prefix: 0 out of range 1..32" },
		{ "[pool]\nmbufs = 16777216\n", -ERANGE, "%s:2: [pool] mbufs: "
		    "16777216 out of range 1023..16777215" },
		{ "[pool]\ncache = 513\n", -ERANGE,
		    "%s:2: [pool] cache: 513 out of range 0..512" },
		{ "[lcores]\nworkers = 129\n", -ERANGE,
		    "%s:2: [lcores] workers: 129 out of range 1..128" },
		{ "[lcores]\nburst = 0\n", -ERANGE,
		    "%s:2: [lcores] burst: 0 out of range 1..512" },
		{ "[eal]\nmemory_mb = 63\n", -ERANGE,
		    "%s:2: [eal] memory_mb: 63 out of range 64..65536" },
		{ "[eal]\nfile_prefix =\n", -ERANGE, "%s:2: [eal] file_prefix: "
		    "length 0 out of range 1..127 characters" },
		{ "[tcp]\ntcp_syn_retries = 300\n", -ERANGE, "%s:2: [tcp] "
		    "tcp_syn_retries: 300 out of range 1..127" },
		{ "[port]\naddr = 198.18.0.1 # c\nmtu = 70000 ; x\n", -ERANGE,
		    "%s:3: [port] mtu: 70000 out of range 576..9000" },
		/* Lines cfgfile would skip, misread or refuse silently. */
		{ "[port]\nmtu 9000\n", -EINVAL, "%s:2: \"mtu 9000\" is not "
		    "\"[section]\", \"key = value\" or a comment" },
		{ "\xef\xbb\xbf[port]\n", -EINVAL, "%s:1: \"???[port]\" is not "
		    "\"[section]\", \"key = value\" or a comment" },
		{ "addr = 1.2.3.4\n[port]\n", -EINVAL, "%s:1: \"key = value\" "
		    "before the first [section]" },
		{ "[port\n", -EINVAL, "%s:1: no ']' after '['" },
		{ "[po#rt]\n", -EINVAL, "%s:1: no ']' after '['" },
		{ "[port] x\n", -EINVAL, "%s:1: text after ']'" },
		{ "[port]=1\n", -EINVAL, "%s:1: text after ']'" },
		{ "[port]\n= 5\n", -EINVAL, "%s:2: no key before '='" },
		{ "[port]\nvdev = a\\;b\n", -EINVAL, "%s:2: \"\\;\" is not "
		    "supported (no value can hold ';')" },
		{ "[" A40 A30 "]\n", -EINVAL,
		    "%s:1: section name longer than 63 characters" },
		/* Twice. */
		{ "[port]\nmtu = 1500\nmtu = 1400\n", -EINVAL,
		    "%s:3: [port] mtu: given twice (first on line 2)" },
		{ "[port]\nmtu = 1500\n[eal]\n[port]\n# mtu = 1\nmtu = 1500\n",
		    -EINVAL,
		    "%s:6: [port] mtu: given twice (first on line 2)" },
		/* The first error wins. */
		{ "[port]\nmtu = 1\n[prot]\n", -ERANGE,
		    "%s:2: [port] mtu: 1 out of range 576..9000" },
	};
	char text[1024];
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++)
		expect_bad_file(bad[i].text, strlen(bad[i].text), bad[i].rc,
		    bad[i].msg);

	/* cfgfile's limits: 322 characters a line, 255 a value. */
	memset(text, 0, sizeof(text));
	strcpy(text, "[port]\nvdev = ");
	memset(text + strlen(text), 'x', 256);
	strcat(text, "\n");
	expect_bad_file(text, strlen(text), -EINVAL,
	    "%s:2: [port] vdev: value longer than 255 characters");
	memset(text, 0, sizeof(text));
	strcpy(text, "[port]\n; ");
	memset(text + strlen(text), 'x', 323 - 2);
	strcat(text, "\n");
	expect_bad_file(text, strlen(text), -EINVAL,
	    "%s:2: line longer than 322 characters");
	/* A NUL byte: cfgfile would cut the line there. */
	expect_bad_file("[port]\nmtu = 15\0" "00\n", 17, -EINVAL,
	    "%s:2: NUL byte in the line");
}

/* The longest line and value cfgfile reads are accepted. */
static void
test_load_limits(void **state)
{
	struct tcpe_config cfg;
	char text[1024], err[ERRLEN];
	size_t n;

	(void)state;
	tcpe_config_defaults(&cfg);
	/* A 255-character value fits char[256]. */
	strcpy(text, "[port]\nvdev = ");
	n = strlen(text);
	memset(text + n, 'v', 255);
	strcpy(text + n + 255, "\n");
	if (load_text(&cfg, text, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(strlen(cfg.port.vdev), 255);
	/* A 322-character line, comment and all. */
	strcpy(text, "[port]\nmtu = 1400 ;");
	n = strlen(text) - strlen("[port]\n");
	memset(text + strlen(text), 'c', 322 - n);
	text[strlen("[port]\n") + 322] = '\0';
	strcat(text, "\n");
	if (load_text(&cfg, text, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.port.mtu, 1400);
}

static void
test_load_io(void **state)
{
	struct tcpe_config cfg, before;
	char err[ERRLEN];

	(void)state;
	tcpe_config_defaults(&cfg);
	before = cfg;
	assert_int_equal(tcpe_config_load(&cfg, "/nonexistent/tcpe.conf", err,
	    sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/tcpe.conf: cannot read: No "
	    "such file or directory");
	assert_int_equal(tcpe_config_load(&cfg, "/", err, sizeof(err)),
	    -EISDIR);
	assert_string_equal(err, "/: cannot read: Is a directory");
	assert_int_equal(tcpe_config_load(&cfg, NULL, err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(tcpe_config_load(&cfg, "", NULL, 0), -ENOENT);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
	/* A short buffer: truncated, terminated. */
	memset(err, 'Z', sizeof(err));
	assert_int_equal(tcpe_config_load(&cfg, "/nonexistent/x", err, 8),
	    -ENOENT);
	assert_string_equal(err, "/nonexi");
	assert_int_equal(err[8], 'Z');
}

/* --- --set --------------------------------------------------------------- */

static void
test_set(void **state)
{
	struct tcpe_config cfg, want;
	char err[ERRLEN];

	(void)state;
	tcpe_config_defaults(&cfg);
	want = cfg;
	assert_int_equal(tcpe_config_set(&cfg, "port.addr=198.18.0.1", err,
	    sizeof(err)), 0);
	want.port.addr = 0xc6120001;
	/* The value may hold '=' and spaces. */
	assert_int_equal(tcpe_config_set(&cfg,
	    "port.vdev=net_tap0,iface=x,remote=eth0", err, sizeof(err)), 0);
	strcpy(want.port.vdev, "net_tap0,iface=x,remote=eth0");
	assert_int_equal(tcpe_config_set(&cfg,
	    "eal.extra=--iova-mode=va --no-telemetry", err, sizeof(err)), 0);
	strcpy(want.eal.extra, "--iova-mode=va --no-telemetry");
	/* Whitespace around the parts. */
	assert_int_equal(tcpe_config_set(&cfg, " port . mtu = 9000 ", err,
	    sizeof(err)), 0);
	want.port.mtu = 9000;
	assert_int_equal(tcpe_config_set(&cfg, "tcp.tcp_rmem=4096 8192 16384",
	    err, sizeof(err)), 0);
	want.tcp.rmem[1] = 8192;
	want.tcp.rmem[2] = 16384;
	assert_int_equal(tcpe_config_set(&cfg, "port.mac=02:00:00:00:00:02",
	    err, sizeof(err)), 0);
	want.port.mac[0] = 2;
	want.port.mac[5] = 2;
	assert_int_equal(tcpe_config_set(&cfg, "lcores.workers=2", err,
	    sizeof(err)), 0);
	want.lcores.workers = 2;
	assert_memory_equal(&cfg, &want, sizeof(cfg));
	/* Empty string value. */
	assert_int_equal(tcpe_config_set(&cfg, "eal.extra=", err,
	    sizeof(err)), 0);
	memset(want.eal.extra, 0, sizeof(want.eal.extra));
	assert_memory_equal(&cfg, &want, sizeof(cfg));
}

static void
expect_bad_set(const char *a, int rc, const char *msg)
{
	struct tcpe_config cfg, before;
	char err[ERRLEN];
	int got;

	tcpe_config_defaults(&cfg);
	before = cfg;
	memset(err, 0, sizeof(err));
	got = tcpe_config_set(&cfg, a, err, sizeof(err));
	if (got != rc || strcmp(err, msg) != 0)
		fail_msg("\"%s\": got %d \"%s\", want %d \"%s\"",
		    a != NULL ? a : "(null)", got, err, rc, msg);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
	assert_int_equal(tcpe_config_set(&cfg, a, NULL, 0), rc);
}

static void
test_set_errors(void **state)
{
	(void)state;
	expect_bad_set("port.addr", -EINVAL,
	    "--set \"port.addr\": expected section.key=value");
	expect_bad_set("addr=1.2.3.4", -EINVAL,
	    "--set \"addr=1.2.3.4\": expected section.key=value");
	expect_bad_set("", -EINVAL, "--set \"\": expected section.key=value");
	expect_bad_set(NULL, -EINVAL,
	    "--set \"\": expected section.key=value");
	expect_bad_set("=", -EINVAL, "--set \"=\": expected section.key=value");
	expect_bad_set("prot.addr=1.2.3.4", -ENOENT, "--set: [prot]: unknown "
	    "section (expected eal, port, pool, lcores, tcp or fault)");
	expect_bad_set(".mtu=1500", -ENOENT, "--set: []: unknown section "
	    "(expected eal, port, pool, lcores, tcp or fault)");
	expect_bad_set(A40 A30 ".mtu=1", -ENOENT, "--set: [" A40 "...]: "
	    "unknown section (expected eal, port, pool, lcores, tcp or "
	    "fault)");
	expect_bad_set("port.adress=1.2.3.4", -ENOENT,
	    "--set: [port] adress: unknown key");
	expect_bad_set("port.=1", -ENOENT, "--set: [port] : unknown key");
	expect_bad_set("port.mtu.x=1", -ENOENT,
	    "--set: [port] mtu.x: unknown key");
	expect_bad_set("port.mtu=9001", -ERANGE,
	    "--set: [port] mtu: 9001 out of range 576..9000");
	expect_bad_set("port.mtu=x", -EINVAL, "--set: [port] mtu: \"x\" is not "
	    "a decimal integer (expected 576..9000)");
	expect_bad_set("port.mtu=", -EINVAL, "--set: [port] mtu: \"\" is not "
	    "a decimal integer (expected 576..9000)");
	/* No comments on the command line, and none stored. */
	expect_bad_set("port.mtu=1500 ; x", -EINVAL, "--set: [port] mtu: "
	    "\"1500 ; x\" is not a decimal integer (expected 576..9000)");
	expect_bad_set("port.vdev=a;b", -EINVAL, "--set: [port] vdev: \"a;b\" "
	    "has ';', which starts a comment (expected 0..255 characters)");
	expect_bad_set("port.vdev=a#b", -EINVAL, "--set: [port] vdev: \"a#b\" "
	    "has '#', which starts a comment (expected 0..255 characters)");
	expect_bad_set("eal.file_prefix=", -ERANGE, "--set: [eal] file_prefix: "
	    "length 0 out of range 1..127 characters");
}

/* The file, then --set: the last applied wins. */
static void
test_precedence(void **state)
{
	struct tcpe_config cfg;
	char err[ERRLEN], *path;

	(void)state;
	path = tmp_write("[port]\nmtu = 9000\naddr = 198.18.0.2\n"
	    "[pool]\ndata_room = 9216\n");
	tcpe_config_defaults(&cfg);
	assert_int_equal(tcpe_config_load(&cfg, path, err, sizeof(err)), 0);
	assert_int_equal(cfg.port.mtu, 9000);
	assert_int_equal(tcpe_config_set(&cfg, "port.mtu=1400", err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.port.mtu, 1400);
	assert_int_equal(cfg.port.addr, 0xc6120002);
	assert_int_equal(tcpe_config_set(&cfg, "port.mtu=1300", err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.port.mtu, 1300);
	/* A failed --set leaves the earlier value. */
	assert_int_equal(tcpe_config_set(&cfg, "port.mtu=1", err,
	    sizeof(err)), -ERANGE);
	assert_int_equal(cfg.port.mtu, 1300);
	/* Loading again puts the file's value back, leaves the rest. */
	assert_int_equal(tcpe_config_set(&cfg, "port.rx_desc=512", err,
	    sizeof(err)), 0);
	assert_int_equal(tcpe_config_load(&cfg, path, err, sizeof(err)), 0);
	assert_int_equal(cfg.port.mtu, 9000);
	assert_int_equal(cfg.port.rx_desc, 512);
	assert_int_equal(tcpe_config_check(&cfg, err, sizeof(err)), 0);
	tmp_rm(path);
}

/* --- check ---------------------------------------------------------------- */

static void
check_is(const struct tcpe_config *cfg, int rc, const char *msg)
{
	char err[ERRLEN];
	int got;

	err[0] = '\0';
	got = tcpe_config_check(cfg, err, sizeof(err));
	if (got != rc)
		fail_msg("check: got %d, want %d (%s)", got, rc, err);
	if (msg != NULL && strcmp(err, msg) != 0)
		fail_msg("check: \"%s\", want \"%s\"", err, msg);
	assert_int_equal(tcpe_config_check(cfg, NULL, 0), rc);
}

/* Defaults with the overrides in a (NULL-terminated) applied. */
static void
with(struct tcpe_config *cfg, ...)
{
	char err[ERRLEN];
	const char *a;
	va_list ap;

	tcpe_config_defaults(cfg);
	va_start(ap, cfg);
	while ((a = va_arg(ap, const char *)) != NULL)
		if (tcpe_config_set(cfg, a, err, sizeof(err)) != 0)
			fail_msg("%s: %s", a, err);
	va_end(ap);
}

static void
test_check_port(void **state)
{
	static const char *const unusable[] = {
		"0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.255.254",
		"224.0.0.1", "239.1.1.1", "240.0.0.1", "255.255.255.255",
	};
	struct tcpe_config cfg;
	char msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < N(unusable); i++) {
		with(&cfg, NULL);
		cfg.port.prefix = 8;
		assert_int_equal(tcpe_config_set(&cfg, "port.addr=0.0.0.0",
		    NULL, 0), 0);
		snprintf(msg, sizeof(msg), "port.addr=%s", unusable[i]);
		assert_int_equal(tcpe_config_set(&cfg, msg, NULL, 0), 0);
		snprintf(msg, sizeof(msg), "[port] addr: %s is not a unicast "
		    "host address (0.0.0.0/8, 127.0.0.0/8 and 224.0.0.0/3 "
		    "are not)", unusable[i]);
		check_is(&cfg, -ERANGE, msg);
	}
	with(&cfg, "port.addr=1.0.0.1", "port.prefix=8", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.addr=223.255.255.1", NULL);
	check_is(&cfg, 0, NULL);

	/* Network and broadcast addresses of the subnet, up to /30. */
	with(&cfg, "port.addr=198.18.0.0", NULL);
	check_is(&cfg, -ERANGE, "[port] addr: 198.18.0.0 is the network "
	    "address of 198.18.0.0/24");
	with(&cfg, "port.addr=198.18.0.255", NULL);
	check_is(&cfg, -ERANGE, "[port] addr: 198.18.0.255 is the broadcast "
	    "address of 198.18.0.0/24");
	with(&cfg, "port.addr=198.18.0.255", "port.prefix=23", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.addr=198.18.0.4", "port.prefix=30", NULL);
	check_is(&cfg, -ERANGE, NULL);
	with(&cfg, "port.addr=198.18.0.5", "port.prefix=30", NULL);
	check_is(&cfg, 0, NULL);
	/* RFC 3021 /31 and a /32: every address is a host. */
	with(&cfg, "port.addr=198.18.0.4", "port.prefix=31", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.addr=198.18.0.5", "port.prefix=31", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.addr=198.18.0.0", "port.prefix=32", NULL);
	check_is(&cfg, 0, NULL);

	/* Gateway: none, or a host of the subnet other than addr. */
	with(&cfg, "port.gateway=198.18.0.1", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.gateway=198.18.0.254", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.gateway=198.18.1.1", NULL);
	check_is(&cfg, -ERANGE, "[port] gateway: 198.18.1.1 out of range "
	    "198.18.0.1..198.18.0.254 (a host of [port] addr/prefix "
	    "198.18.0.2/24 other than addr, or 0.0.0.0 for none)");
	with(&cfg, "port.gateway=198.18.1.1", "port.prefix=16", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.gateway=198.18.0.0", NULL);
	check_is(&cfg, -ERANGE, NULL);
	with(&cfg, "port.gateway=198.18.0.255", NULL);
	check_is(&cfg, -ERANGE, NULL);
	with(&cfg, "port.gateway=198.19.0.1", NULL);
	check_is(&cfg, -ERANGE, NULL);
	with(&cfg, "port.gateway=198.18.0.2", NULL);
	check_is(&cfg, -ERANGE, "[port] gateway: 198.18.0.2 is [port] addr "
	    "itself (0.0.0.0 for none)");
	with(&cfg, "port.addr=198.18.0.0", "port.prefix=31",
	    "port.gateway=198.18.0.1", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.addr=198.18.0.0", "port.prefix=32",
	    "port.gateway=198.18.0.1", NULL);
	check_is(&cfg, -ERANGE, "[port] gateway: 198.18.0.1 out of range "
	    "198.18.0.0..198.18.0.0 (a host of [port] addr/prefix 198.18.0.0/32 "
	    "other than addr, or 0.0.0.0 for none)");

	/* MAC: the device's (zero) or unicast. */
	with(&cfg, "port.mac=02:00:00:00:00:01", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.mac=fe:ff:ff:ff:ff:ff", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.mac=01:00:5e:00:00:01", NULL);
	check_is(&cfg, -ERANGE, "[port] mac: 01:00:5e:00:00:01 is a "
	    "multicast address (the low bit of its first octet is set)");
	with(&cfg, "port.mac=ff:ff:ff:ff:ff:ff", NULL);
	check_is(&cfg, -ERANGE, NULL);
}

static void
test_check_pool(void **state)
{
	struct tcpe_config cfg;

	(void)state;
	/* data_room holds headroom 128 + mtu + 18. */
	with(&cfg, "port.mtu=9000", NULL);
	check_is(&cfg, -ERANGE, "[pool] data_room: 2176 out of range "
	    "9146..65535 (headroom 128 + [port] mtu 9000 + 18 of Ethernet "
	    "header and CRC: a full frame in one mbuf)");
	with(&cfg, "port.mtu=9000", "pool.data_room=9146", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.mtu=9000", "pool.data_room=9145", NULL);
	check_is(&cfg, -ERANGE, NULL);
	with(&cfg, "pool.data_room=1646", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "pool.data_room=1645", NULL);
	check_is(&cfg, -ERANGE, NULL);
	with(&cfg, "pool.data_room=1024", "port.mtu=878", NULL);
	check_is(&cfg, 0, NULL);

	/*
	 * cache * 1.5 <= mbufs holds across the table ranges (512 * 1.5 <
	 * 1023), so only the extremes are checked here.
	 */
	with(&cfg, "pool.mbufs=1023", "pool.cache=512", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "pool.mbufs=1023", "pool.cache=0", NULL);
	check_is(&cfg, 0, NULL);
}

/* Fields set by code are checked against the tables, then cross-key. */
static void
test_check_fields(void **state)
{
	struct tcpe_config cfg;

	(void)state;
	with(&cfg, NULL);
	cfg.port.mtu = 100;
	check_is(&cfg, -ERANGE, "[port] mtu: 100 out of range 576..9000");
	with(&cfg, NULL);
	cfg.pool.mbufs = 100;
	check_is(&cfg, -ERANGE, "[pool] mbufs: 100 out of range "
	    "1023..16777215");
	with(&cfg, NULL);
	cfg.lcores.workers = 0;
	check_is(&cfg, -ERANGE, "[lcores] workers: 0 out of range 1..128");
	with(&cfg, NULL);
	cfg.eal.file_prefix[0] = '\0';
	check_is(&cfg, -ERANGE, "[eal] file_prefix: length 0 out of range "
	    "1..127 characters");
	with(&cfg, NULL);
	memset(cfg.eal.lcores, '1', sizeof(cfg.eal.lcores));
	check_is(&cfg, -ERANGE, "[eal] lcores: length 128 or more out of "
	    "range 1..127 characters");
	with(&cfg, NULL);
	strcpy(cfg.port.vdev, "net_tap0\n");
	check_is(&cfg, -EINVAL, "[port] vdev: \"net_tap0?\" has a control "
	    "character (expected 0..255 characters)");
	with(&cfg, NULL);
	cfg.eal.no_huge = 2;
	check_is(&cfg, -ERANGE, "[eal] no_huge: 2 out of range 0..1");
	/* [tcp]'s own rules. */
	with(&cfg, "tcp.tcp_rto_max_ms=1000", "tcp.tcp_rto_min_ms=2000",
	    NULL);
	check_is(&cfg, -ERANGE, "[tcp] tcp_rto_min_ms: 2000 out of range "
	    "1..1000 (must be <= tcp_rto_max_ms)");
	with(&cfg, NULL);
	cfg.tcp.syn_retries = 0;
	check_is(&cfg, -ERANGE, "[tcp] tcp_syn_retries: 0 out of range "
	    "1..127");
}

/* --- [fault] ------------------------------------------------------------- */

static void
test_fault(void **state)
{
	struct tcpe_config cfg, want;
	char err[ERRLEN];

	(void)state;
	/* --set, every key, and the extremes of the ranges. */
	with(&cfg, "fault.seed=4294967295", "fault.hold=16",
	    "fault.rx_loss=5000", "fault.rx_dup=1", "fault.rx_reorder=20000",
	    "fault.rx_reorder_depth=4096", "fault.rx_corrupt=1000000",
	    "fault.rx_delay_us=1000000", "fault.tx_loss=1000000",
	    "fault.tx_dup=999999", "fault.tx_reorder=7",
	    "fault.tx_reorder_depth=1", "fault.tx_corrupt=2",
	    "fault.tx_delay_us=250", NULL);
	tcpe_config_defaults(&want);
	want.fault.seed = UINT32_MAX;
	want.fault.hold = 16;
	want.fault.rx.loss = 5000;
	want.fault.rx.dup = 1;
	want.fault.rx.reorder = 20000;
	want.fault.rx.reorder_depth = 4096;
	want.fault.rx.corrupt = 1000000;
	want.fault.rx.delay_us = 1000000;
	want.fault.tx.loss = 1000000;
	want.fault.tx.dup = 999999;
	want.fault.tx.reorder = 7;
	want.fault.tx.reorder_depth = 1;
	want.fault.tx.corrupt = 2;
	want.fault.tx.delay_us = 250;
	assert_memory_equal(&cfg, &want, sizeof(cfg));
	check_is(&cfg, 0, NULL);

	/* From a file, on top of --set values; the rest untouched. */
	with(&cfg, "fault.tx_loss=10", NULL);
	if (load_text(&cfg, "[fault]\nseed = 42\nrx_loss = 20000 ; 2 %\n"
	    "tx_delay_us = 100\nrx_reorder_depth = 5\n", err) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.fault.seed, 42);
	assert_int_equal(cfg.fault.rx.loss, 20000);
	assert_int_equal(cfg.fault.tx.delay_us, 100);
	assert_int_equal(cfg.fault.rx.reorder_depth, 5);
	assert_int_equal(cfg.fault.tx.loss, 10);
	assert_int_equal(cfg.fault.tx.reorder_depth, 3);
	check_is(&cfg, 0, NULL);

	/* Per million integers only: no percentages, no fractions. */
	expect_bad_set("fault.rx_loss=1000001", -ERANGE,
	    "--set: [fault] rx_loss: 1000001 out of range 0..1000000");
	expect_bad_set("fault.tx_loss=0.5%", -EINVAL, "--set: [fault] "
	    "tx_loss: \"0.5%\" is not a decimal integer (expected "
	    "0..1000000)");
	expect_bad_set("fault.tx_dup=-1", -EINVAL, "--set: [fault] tx_dup: "
	    "\"-1\" is not a decimal integer (expected 0..1000000)");
	expect_bad_set("fault.rx_reorder_depth=0", -ERANGE, "--set: [fault] "
	    "rx_reorder_depth: 0 out of range 1..4096");
	expect_bad_set("fault.tx_reorder_depth=4097", -ERANGE, "--set: "
	    "[fault] tx_reorder_depth: 4097 out of range 1..4096");
	expect_bad_set("fault.hold=15", -ERANGE,
	    "--set: [fault] hold: 15 out of range 16..65536");
	expect_bad_set("fault.rx_delay_us=1000001", -ERANGE, "--set: [fault] "
	    "rx_delay_us: 1000001 out of range 0..1000000");
	expect_bad_set("fault.seed=4294967296", -ERANGE, "--set: [fault] "
	    "seed: 4294967296 out of range 0..4294967295");
	expect_bad_set("fault.delay_us=1", -ENOENT,
	    "--set: [fault] delay_us: unknown key");
	expect_bad_set("faults.rx_loss=1", -ENOENT, "--set: [faults]: unknown "
	    "section (expected eal, port, pool, lcores, tcp or fault)");

	/* Fields set by code are checked too. */
	with(&cfg, NULL);
	cfg.fault.tx.corrupt = 1000001;
	check_is(&cfg, -ERANGE, "[fault] tx_corrupt: 1000001 out of range "
	    "0..1000000");
	with(&cfg, NULL);
	cfg.fault.tx.reorder_depth = 0;
	check_is(&cfg, -ERANGE, "[fault] tx_reorder_depth: 0 out of range "
	    "1..4096");
}

/* A file beside conf_path (config/tcpe.conf) into cfg, on the defaults. */
static void
load_sibling(struct tcpe_config *cfg, const char *name)
{
	char path[1024], err[ERRLEN];
	const char *slash = strrchr(conf_path, '/');
	int dir = slash != NULL ? (int)(slash - conf_path) + 1 : 0;

	snprintf(path, sizeof(path), "%.*s%s", dir, conf_path, name);
	tcpe_config_defaults(cfg);
	if (tcpe_config_load(cfg, path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

/*
 * [port] csum: auto by default; trust refused with any corruption fault
 * (the fault layer's corruption would pass a trusted checksum), allowed
 * with the other faults; the memif files (engine to engine) set trust.
 */
static void
test_csum(void **state)
{
	static const char *const names[] = { "memif-server.conf",
	    "memif-client.conf" };
	struct tcpe_config cfg;
	char err[ERRLEN];
	size_t i;
	int rc;

	(void)state;
	with(&cfg, NULL);
	assert_int_equal(cfg.port.csum, TCPE_CSUM_AUTO);
	with(&cfg, "port.csum=trust", NULL);
	assert_int_equal(cfg.port.csum, TCPE_CSUM_TRUST);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.csum = auto", NULL);
	assert_int_equal(cfg.port.csum, TCPE_CSUM_AUTO);
	if (load_text(&cfg, "[port]\ncsum = trust\n", err) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.port.csum, TCPE_CSUM_TRUST);
	tcpe_config_defaults(&cfg);
	rc = tcpe_config_set(&cfg, "port.csum=none", err, sizeof(err));
	assert_true(rc == -EINVAL || rc == -ERANGE);
	assert_non_null(strstr(err, "csum"));
	assert_non_null(strstr(err, "auto"));
	assert_non_null(strstr(err, "trust"));

	/* Trust with corruption: refused, naming both keys. */
	with(&cfg, "port.csum=trust", "fault.rx_corrupt=10000", NULL);
	check_is(&cfg, -EINVAL, "[port] csum = trust cannot be combined "
	    "with [fault] rx_corrupt = 10000: trusted checksums are not "
	    "verified, so a corrupted frame would be delivered as good (set "
	    "[port] csum = auto to inject corruption)");
	with(&cfg, "port.csum=trust", "fault.tx_corrupt=1", NULL);
	check_is(&cfg, -EINVAL, "[port] csum = trust cannot be combined "
	    "with [fault] tx_corrupt = 1: trusted checksums are not "
	    "verified, so a corrupted frame would be delivered as good (set "
	    "[port] csum = auto to inject corruption)");
	/* In a file as well: the check sees the result of file and --set. */
	tcpe_config_defaults(&cfg);
	if (load_text(&cfg, "[port]\ncsum = trust\n[fault]\n"
	    "tx_corrupt = 5000\n", err) != 0)
		fail_msg("%s", err);
	check_is(&cfg, -EINVAL, NULL);
	/* auto with corruption, trust with the other faults: fine. */
	with(&cfg, "fault.rx_corrupt=10000", "fault.tx_corrupt=10000", NULL);
	check_is(&cfg, 0, NULL);
	with(&cfg, "port.csum=trust", "fault.rx_loss=10000",
	    "fault.tx_dup=10000", "fault.rx_reorder=10000",
	    "fault.tx_delay_us=100", NULL);
	check_is(&cfg, 0, NULL);

	/* The engine-to-engine memif files trust; corruption needs auto. */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		load_sibling(&cfg, names[i]);
		assert_int_equal(cfg.port.csum, TCPE_CSUM_TRUST);
		check_is(&cfg, 0, NULL);
		if (tcpe_config_set(&cfg, "fault.rx_corrupt=100", err,
		    sizeof(err)) != 0)
			fail_msg("%s", err);
		check_is(&cfg, -EINVAL, NULL);
		if (tcpe_config_set(&cfg, "port.csum=auto", err,
		    sizeof(err)) != 0)
			fail_msg("%s", err);
		check_is(&cfg, 0, NULL);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_defaults_file),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_limits),
		cmocka_unit_test(test_load_io),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_check_port),
		cmocka_unit_test(test_check_pool),
		cmocka_unit_test(test_check_fields),
		cmocka_unit_test(test_fault),
		cmocka_unit_test(test_csum),
	};

	if (argc > 1)
		conf_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
