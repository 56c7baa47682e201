/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration tables of the [eal], [port], [pool], [lcores] and
 * [fault] sections, and the loader that applies an INI file and --set overrides
 * through the core's table-driven parser (tcpe_params).
 *
 * The file is read by DPDK's cfgfile library, which has gaps for a strict
 * loader: it knows one comment character, it silently skips a line that
 * has no '=' ("mtu 9000"), ignores text after "[section]", truncates
 * values to 255 characters and fails without saying why or where. So a
 * first pass (lint_file) reads the lines itself and rejects anything
 * cfgfile would get wrong, with the line number; it records the line of
 * every section and key so that the errors found while walking cfgfile's
 * entries can name their line too. '#' comments that cfgfile (set to ';')
 * keeps are removed from its entries afterwards.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tcpe_config.h"
#include "tcpe_rss.h"

/* Room for a tcpe_param_set() message plus a path and a line number. */
#define MSG_MAX		512

/* Longest line rte_cfgfile reads: its buffer less the newline and NUL. */
#define LINE_MAX_LEN	(CFG_NAME_LEN + CFG_VALUE_LEN + 2)

/* The most keys a section may have (a bitmask tracks keys seen). */
#define KEYS_MAX	64

/* Bytes of Ethernet framing an mbuf holds besides the IP packet. */
#define ETH_OVERHEAD	(RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN)

_Static_assert(RTE_MEMPOOL_CACHE_MAX_SIZE == 512,
    "[pool] cache: the table's maximum is RTE_MEMPOOL_CACHE_MAX_SIZE");
_Static_assert(RTE_MBUF_DEFAULT_BUF_SIZE == 2176,
    "[pool] data_room: the default is RTE_MBUF_DEFAULT_BUF_SIZE");
_Static_assert(RTE_MAX_LCORE >= 128,
    "[lcores] workers: the table's maximum is RTE_MAX_LCORE");

#define P(st, key, typ, field, lo, hi, dflt, hlp) { \
	.name = (key), \
	.type = (typ), \
	.offset = offsetof(struct st, field), \
	.min = (lo), \
	.max = (hi), \
	.def = (dflt), \
	.help = (hlp), \
}

/* An ENUM key: one of nam[0..n-1]. */
#define E(st, key, field, nam, n, dflt, hlp) { \
	.name = (key), \
	.type = TCPE_PT_ENUM, \
	.offset = offsetof(struct st, field), \
	.min = 0, \
	.max = (n) - 1, \
	.def = (dflt), \
	.help = (hlp), \
	.names = (nam), \
}

const char *const tcpe_steering_names[] = {
	[TCPE_STEER_AUTO] = "auto",
	[TCPE_STEER_RSS] = "rss",
	[TCPE_STEER_SOFTWARE] = "software",
	[TCPE_STEER_DISPATCH] = "dispatch",
	NULL,
};

const char *const tcpe_csum_names[] = {
	[TCPE_CSUM_AUTO] = "auto",
	[TCPE_CSUM_TRUST] = "trust",
	NULL,
};

#define STR_P(st, key, field, lo, dflt, hlp) \
	P(st, key, TCPE_PT_STR, field, lo, \
	    sizeof(((struct st *)NULL)->field), dflt, hlp)

static const struct tcpe_param_desc eal_desc[] = {
	STR_P(tcpe_eal_cfg, "lcores", lcores, 1, "0",
	    "EAL -l: the lcores to run on (0, 0-3, 0,2,4); the first is "
	    "the main lcore"),
	P(tcpe_eal_cfg, "memory_mb", TCPE_PT_U32, memory_mb, 64, 65536,
	    "512", "EAL -m: memory reserved at start-up, MB"),
	P(tcpe_eal_cfg, "no_huge", TCPE_PT_BOOL, no_huge, 0, 1, "1",
	    "EAL --no-huge: anonymous memory instead of hugepages "
	    "(1 for net_tap, 0 for a real NIC)"),
	P(tcpe_eal_cfg, "no_pci", TCPE_PT_BOOL, no_pci, 0, 1, "1",
	    "EAL --no-pci: probe no PCI device (1 when the port is a vdev)"),
	STR_P(tcpe_eal_cfg, "file_prefix", file_prefix, 1, "tcpe",
	    "EAL --file-prefix: runtime files' name, distinct per process "
	    "running at once"),
	STR_P(tcpe_eal_cfg, "log_level", log_level, 1, "notice",
	    "EAL --log-level: emerg..debug, or type:level"),
	STR_P(tcpe_eal_cfg, "extra", extra, 0, "",
	    "more EAL arguments, split at spaces, passed last "
	    "(e.g. --iova-mode=va)"),
};

static const struct tcpe_param_desc port_desc[] = {
	STR_P(tcpe_port_cfg, "vdev", vdev, 0, "net_tap0,iface=tcpe0",
	    "EAL --vdev: the virtual device to create and use; "
	    "empty: the first probed port"),
	P(tcpe_port_cfg, "addr", TCPE_PT_IPV4, addr, 0, UINT32_MAX,
	    "198.18.0.2", "the port's IPv4 address"),
	P(tcpe_port_cfg, "prefix", TCPE_PT_U32, prefix, 1, 32, "24",
	    "prefix length of addr's subnet, whose hosts are reached "
	    "directly (ARP)"),
	P(tcpe_port_cfg, "gateway", TCPE_PT_IPV4, gateway, 0, UINT32_MAX,
	    "0.0.0.0", "next hop for addresses outside addr/prefix (a "
	    "host of it); 0.0.0.0: none"),
	P(tcpe_port_cfg, "mac", TCPE_PT_MAC, mac, 0, 0, "00:00:00:00:00:00",
	    "tcpe's unicast MAC address on the port; 00:00:00:00:00:00: "
	    "derived from the device's (02:...), never equal to it, since "
	    "on net_tap the kernel side has the device's"),
	P(tcpe_port_cfg, "mtu", TCPE_PT_U32, mtu, 576, 9000, "1500",
	    "IP MTU, bytes; the MSS offered is mtu - 40"),
	P(tcpe_port_cfg, "rx_desc", TCPE_PT_U32, rx_desc, 64, 16384, "1024",
	    "RX ring size of each queue, descriptors (the driver may "
	    "adjust it)"),
	P(tcpe_port_cfg, "tx_desc", TCPE_PT_U32, tx_desc, 64, 16384, "1024",
	    "TX ring size of each queue, descriptors (the driver may "
	    "adjust it)"),
	P(tcpe_port_cfg, "arp_pending", TCPE_PT_U32, arp_pending, 1, 4096,
	    "64", "packets held per next hop while its ARP request is "
	    "unanswered; more are dropped"),
	P(tcpe_port_cfg, "arp_timeout_s", TCPE_PT_U32, arp_timeout_s, 1,
	    86400, "300", "lifetime of a resolved ARP entry, seconds"),
	P(tcpe_port_cfg, "queues", TCPE_PT_U32, queues, 0, 1024, "0",
	    "RX/TX queue pairs; 0: one per worker (at most what the "
	    "device has); fewer than workers: frames are handed over"),
	E(tcpe_port_cfg, "rss_key", rss_key, tcpe_rss_key_names, 2,
	    "default", "Toeplitz key of RSS and software steering: "
	    "default (Microsoft's), symmetric (0x6d5a repeated: both "
	    "directions of a flow hash alike)"),
	E(tcpe_port_cfg, "csum", csum, tcpe_csum_names, 2, "auto",
	    "TCP checksums: auto (the device's offloads, else software); "
	    "trust (neither verified nor filled: ONLY for net_memif or "
	    "net_ring between two tcpe engines both set to trust; any "
	    "other peer drops every segment; refused on net_tap and with "
	    "[fault] corruption)"),
};

static const struct tcpe_param_desc pool_desc[] = {
	P(tcpe_pool_cfg, "mbufs", TCPE_PT_U32, mbufs, 1023, 16777215,
	    "16383", "mbufs in each worker's pool (2^n - 1 is optimal)"),
	P(tcpe_pool_cfg, "cache", TCPE_PT_U32, cache, 0, 512, "256",
	    "per-lcore mempool cache, mbufs; cache * 1.5 <= mbufs"),
	P(tcpe_pool_cfg, "data_room", TCPE_PT_U32, data_room, 1024, 65535,
	    "2176", "bytes per mbuf with the 128 of headroom; must hold "
	    "128 + mtu + 18"),
};

static const struct tcpe_param_desc lcores_desc[] = {
	P(tcpe_lcores_cfg, "workers", TCPE_PT_U32, workers, 1, 128, "1",
	    "worker lcores, each with its own RX/TX queue pair"),
	P(tcpe_lcores_cfg, "burst", TCPE_PT_U32, burst, 1, 512, "32",
	    "packets per rx_burst and per tx_burst"),
	E(tcpe_lcores_cfg, "steering", steering, tcpe_steering_names, 4,
	    "auto", "how flows reach their owner: rss (device RSS), "
	    "software (a queue each, misdirected frames handed over), "
	    "dispatch (worker 0 receives for all), auto (rss, else "
	    "software, dispatch with one queue)"),
	P(tcpe_lcores_cfg, "steer_ring", TCPE_PT_U32, steer_ring, 256,
	    65536, "4096", "frames each ring between two workers holds"),
};

/*
 * [fault]: the same six keys for each direction. Probabilities are parts
 * per million (an integer: the parameter parser has no fractions, and
 * 1 ppm is finer than any test needs).
 */
#define FAULT_DIR(d, D) \
	P(tcpe_fault_cfg, #d "_loss", TCPE_PT_U32, d.loss, 0, 1000000, "0", \
	    D " frames dropped, per million (10000: 1 %)"), \
	P(tcpe_fault_cfg, #d "_dup", TCPE_PT_U32, d.dup, 0, 1000000, "0", \
	    D " frames delivered twice, per million (the copy right after " \
	    "the original)"), \
	P(tcpe_fault_cfg, #d "_reorder", TCPE_PT_U32, d.reorder, 0, 1000000, \
	    "0", D " frames held back until " #d "_reorder_depth later " \
	    "frames have passed them (at most 10 ms), per million"), \
	P(tcpe_fault_cfg, #d "_reorder_depth", TCPE_PT_U32, d.reorder_depth, \
	    1, 4096, "3", "frames that overtake a frame held back by " \
	    #d "_reorder"), \
	P(tcpe_fault_cfg, #d "_corrupt", TCPE_PT_U32, d.corrupt, 0, 1000000, \
	    "0", D " IPv4 frames with one bit of the IP payload flipped " \
	    "(the TCP or ICMP checksum catches it), per million"), \
	P(tcpe_fault_cfg, #d "_delay_us", TCPE_PT_U32, d.delay_us, 0, \
	    1000000, "0", "delay added to every " D " frame, microseconds " \
	    "(order kept; at most [fault] hold frames wait)")

static const struct tcpe_param_desc fault_desc[] = {
	P(tcpe_fault_cfg, "seed", TCPE_PT_U32, seed, 0, UINT32_MAX, "0",
	    "seed of every fault decision (each worker and direction draws "
	    "its own stream from it); 0: a random seed per start, printed "
	    "so that the run can be replayed"),
	P(tcpe_fault_cfg, "hold", TCPE_PT_U32, hold, 16, 65536, "4096",
	    "frames each direction holds at most for reordering, and as "
	    "many for delay (a frame to delay beyond it is dropped and "
	    "counted as hold_full)"),
	FAULT_DIR(rx, "received"),
	FAULT_DIR(tx, "sent"),
};

#define SECTION(nm, d) { \
	.name = (nm), \
	.desc = (d), \
	.n = sizeof(d) / sizeof((d)[0]), \
}

const struct tcpe_param_section tcpe_eal_params = SECTION("eal", eal_desc);
const struct tcpe_param_section tcpe_port_params =
    SECTION("port", port_desc);
const struct tcpe_param_section tcpe_pool_params =
    SECTION("pool", pool_desc);
const struct tcpe_param_section tcpe_lcores_params =
    SECTION("lcores", lcores_desc);
const struct tcpe_param_section tcpe_fault_params =
    SECTION("fault", fault_desc);

/* A section and where its struct lies in struct tcpe_config. */
struct cfg_section {
	const struct tcpe_param_section *sec;
	size_t off;
};

static const struct cfg_section sections[] = {
	{ &tcpe_eal_params, offsetof(struct tcpe_config, eal) },
	{ &tcpe_port_params, offsetof(struct tcpe_config, port) },
	{ &tcpe_pool_params, offsetof(struct tcpe_config, pool) },
	{ &tcpe_lcores_params, offsetof(struct tcpe_config, lcores) },
	{ &tcpe_tcp_params, offsetof(struct tcpe_config, tcp) },
	{ &tcpe_fault_params, offsetof(struct tcpe_config, fault) },
};

#define NSECTIONS	(sizeof(sections) / sizeof(sections[0]))

#define SECTION_NAMES	"eal, port, pool, lcores, tcp or fault"

/* Where the lines of the file's sections and keys are (lint_file). */
struct lines {
	unsigned int *sec;	/* line of each "[section]", in order */
	size_t nsec;
	unsigned int *key;	/* line of each "key = value", in order */
	size_t nkey;
	size_t cap_sec;
	size_t cap_key;
};

/* Short local names for the shared helpers of tcpe_params.h. */
#define seterr(...)	tcpe_param_errf(__VA_ARGS__)
#define is_ws(c)	tcpe_param_is_ws(c)

/* s[0..*n) without whitespace at either end. */
static const char *
strip(const char *s, size_t *n)
{
	while (*n > 0 && is_ws(*s)) {
		s++;
		(*n)--;
	}
	while (*n > 0 && is_ws(s[*n - 1]))
		(*n)--;
	return s;
}

/* A name for a message: printable, at most 40 characters. */
static void
quote(char *q, size_t qlen, const char *s, size_t n)
{
	size_t i, m;

	m = n > 40 ? 40 : n;
	if (m + 4 > qlen)
		m = qlen > 4 ? qlen - 4 : 0;
	for (i = 0; i < m; i++)
		q[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (n > m) {
		memcpy(q + i, "...", 3);
		i += 3;
	}
	q[i] = '\0';
}

static const struct cfg_section *
find_section(const char *name)
{
	size_t i;

	for (i = 0; i < NSECTIONS; i++)
		if (strcmp(sections[i].sec->name, name) == 0)
			return &sections[i];
	return NULL;
}

const struct tcpe_param_section *
tcpe_config_section(size_t i, size_t *offset)
{
	if (i >= NSECTIONS)
		return NULL;
	if (offset != NULL)
		*offset = sections[i].off;
	return sections[i].sec;
}

void
tcpe_config_defaults(struct tcpe_config *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	/* The tables' defaults parse: the unit tests check it. */
	for (i = 0; i < NSECTIONS; i++)
		(void)tcpe_param_defaults(sections[i].sec,
		    (char *)cfg + sections[i].off);
}

/* "path:line: " or "path: " when the line is not known. */
static void
where(char *w, size_t wlen, const char *path, unsigned int line)
{
	if (line > 0)
		snprintf(w, wlen, "%s:%u: ", path, line);
	else
		snprintf(w, wlen, "%s: ", path);
}

static int
push_line(unsigned int **a, size_t *n, size_t *cap, unsigned int line)
{
	unsigned int *p;
	size_t c;

	if (*n == *cap) {
		c = *cap == 0 ? 32 : *cap * 2;
		p = realloc(*a, c * sizeof(**a));
		if (p == NULL)
			return -ENOMEM;
		*a = p;
		*cap = c;
	}
	(*a)[(*n)++] = line;
	return 0;
}

static void
lines_free(struct lines *l)
{
	free(l->sec);
	free(l->key);
	memset(l, 0, sizeof(*l));
}

/*
 * Check one line (n bytes, no newline) the way rte_cfgfile will read it,
 * and record where sections and keys are. Returns 0 or -EINVAL/-ENOMEM
 * with the message, without the "path:line: " prefix, in msg.
 */
static int
lint_line(const char *buf, size_t n, unsigned int lineno, struct lines *l,
    char *cursec, char *msg, size_t msglen)
{
	const char *s, *c, *eq, *key;
	size_t len, klen, vlen;
	char q[48];

	if (memchr(buf, '\0', n) != NULL) {
		seterr(msg, msglen, "NUL byte in the line");
		return -EINVAL;
	}
	if (n > LINE_MAX_LEN) {
		seterr(msg, msglen, "line longer than %d characters",
		    LINE_MAX_LEN);
		return -EINVAL;
	}
	/* The content ends at the first ';' or '#'. */
	len = n;
	for (c = buf; c < buf + n; c++) {
		if (*c == ';' || *c == '#') {
			/* cfgfile reads "\;" as a ';' in the value. */
			if (*c == ';' && c > buf && c[-1] == '\\') {
				seterr(msg, msglen, "\"\\;\" is not "
				    "supported (no value can hold ';')");
				return -EINVAL;
			}
			len = (size_t)(c - buf);
			break;
		}
	}
	s = strip(buf, &len);
	if (len == 0)
		return 0;
	if (s[0] == '[') {
		c = memchr(s, ']', len);
		if (c == NULL) {
			seterr(msg, msglen, "no ']' after '['");
			return -EINVAL;
		}
		if (c != s + len - 1) {
			seterr(msg, msglen, "text after ']'");
			return -EINVAL;
		}
		klen = (size_t)(c - s - 1);
		key = strip(s + 1, &klen);
		if (klen >= CFG_NAME_LEN) {
			seterr(msg, msglen, "section name longer than %d "
			    "characters", CFG_NAME_LEN - 1);
			return -EINVAL;
		}
		memcpy(cursec, key, klen);
		cursec[klen] = '\0';
		return push_line(&l->sec, &l->nsec, &l->cap_sec, lineno);
	}
	eq = memchr(s, '=', len);
	if (eq == NULL) {
		quote(q, sizeof(q), s, len);
		seterr(msg, msglen, "\"%s\" is not \"[section]\", "
		    "\"key = value\" or a comment", q);
		return -EINVAL;
	}
	if (l->nsec == 0) {
		seterr(msg, msglen, "\"key = value\" before the first "
		    "[section]");
		return -EINVAL;
	}
	klen = (size_t)(eq - s);
	key = strip(s, &klen);
	if (klen == 0) {
		seterr(msg, msglen, "no key before '='");
		return -EINVAL;
	}
	if (klen >= CFG_NAME_LEN) {
		quote(q, sizeof(q), key, klen);
		seterr(msg, msglen, "[%s] %s: unknown key", cursec, q);
		return -ENOENT;
	}
	vlen = (size_t)(s + len - eq - 1);
	(void)strip(eq + 1, &vlen);
	if (vlen >= CFG_VALUE_LEN) {
		seterr(msg, msglen, "[%s] %.*s: value longer than %d "
		    "characters", cursec, (int)klen, key, CFG_VALUE_LEN - 1);
		return -EINVAL;
	}
	return push_line(&l->key, &l->nkey, &l->cap_key, lineno);
}

/* The first pass over path: see the comment at the top of the file. */
static int
lint_file(const char *path, struct lines *l, char *err, size_t errlen)
{
	char msg[MSG_MAX], w[MSG_MAX / 2], cursec[CFG_NAME_LEN];
	unsigned int lineno = 0;
	char *buf = NULL;
	size_t cap = 0, n;
	ssize_t got;
	FILE *f;
	int rc = 0;

	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		seterr(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
		return rc;
	}
	cursec[0] = '\0';
	for (;;) {
		errno = 0;
		got = getline(&buf, &cap, f);
		if (got < 0)
			break;
		lineno++;
		n = (size_t)got;
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		rc = lint_line(buf, n, lineno, l, cursec, msg, sizeof(msg));
		if (rc != 0) {
			where(w, sizeof(w), path, lineno);
			seterr(err, errlen, "%s%s", w, msg);
			goto out;
		}
	}
	if (ferror(f)) {
		rc = errno != 0 ? -errno : -EIO;
		seterr(err, errlen, "%s: cannot read: %s", path,
		    strerror(-rc));
	}
out:
	free(buf);
	fclose(f);
	return rc;
}

/*
 * rte_cfgfile (comment character ';') keeps '#' comments: a whole-line
 * one with an '=' in it becomes an entry whose name holds the '#' (lint
 * made sure nothing but whitespace came before it; before the first
 * section it goes to cfgfile's global section), and a trailing one stays
 * in the value.
 */
static bool
is_hash_comment(const struct rte_cfgfile_entry *e)
{
	return strchr(e->name, '#') != NULL;
}

static void
cut_hash_comment(char *value)
{
	char *h;
	size_t n;

	h = strchr(value, '#');
	if (h == NULL)
		return;
	n = (size_t)(h - value);
	while (n > 0 && is_ws(value[n - 1]))
		n--;
	value[n] = '\0';
}

/* Apply every entry of f to cfg; lines (may be NULL) gives line numbers. */
static int
apply_file(struct tcpe_config *cfg, struct rte_cfgfile *f, const char *path,
    const struct lines *l, char *err, size_t errlen)
{
	uint64_t seen[NSECTIONS];
	unsigned int first[NSECTIONS][KEYS_MAX];
	struct rte_cfgfile_entry *ent = NULL;
	const struct cfg_section *cs;
	const struct tcpe_param_desc *d;
	char name[CFG_NAME_LEN], msg[MSG_MAX], w[MSG_MAX / 2], q[48];
	unsigned int line;
	size_t k = 0, j, si;
	int nsec, i, n, e, rc = 0;

	memset(seen, 0, sizeof(seen));
	nsec = rte_cfgfile_num_sections(f, NULL, 0);
	/* Section 0 is cfgfile's global one: only '#' comments (lint). */
	for (i = 1; i < nsec; i++) {
		n = rte_cfgfile_section_num_entries_by_index(f, name, i);
		line = l != NULL ? l->sec[i - 1] : 0;
		cs = find_section(name);
		if (cs == NULL) {
			where(w, sizeof(w), path, line);
			quote(q, sizeof(q), name, strlen(name));
			seterr(err, errlen, "%s[%s]: unknown section "
			    "(expected " SECTION_NAMES ")", w, q);
			rc = -ENOENT;
			goto out;
		}
		si = (size_t)(cs - sections);
		if (n <= 0)
			continue;
		free(ent);
		ent = malloc((size_t)n * sizeof(*ent));
		if (ent == NULL) {
			seterr(err, errlen, "%s: out of memory", path);
			rc = -ENOMEM;
			goto out;
		}
		n = rte_cfgfile_section_entries_by_index(f, i, name, ent, n);
		for (e = 0; e < n; e++) {
			if (is_hash_comment(&ent[e]))
				continue;
			line = l != NULL ? l->key[k] : 0;
			k++;
			cut_hash_comment(ent[e].value);
			where(w, sizeof(w), path, line);
			rc = tcpe_param_set(cs->sec, (char *)cfg + cs->off,
			    ent[e].name, ent[e].value, msg, sizeof(msg));
			if (rc != 0) {
				seterr(err, errlen, "%s%s", w, msg);
				goto out;
			}
			/* Known key: find it to catch a second setting. */
			for (j = 0; j < cs->sec->n; j++)
				if (strcmp(cs->sec->desc[j].name,
				    ent[e].name) == 0)
					break;
			if (j >= KEYS_MAX)
				continue;
			d = &cs->sec->desc[j];
			if (seen[si] & (UINT64_C(1) << j)) {
				if (first[si][j] > 0)
					seterr(err, errlen, "%s[%s] %s: given "
					    "twice (first on line %u)", w,
					    cs->sec->name, d->name,
					    first[si][j]);
				else
					seterr(err, errlen, "%s[%s] %s: given "
					    "twice", w, cs->sec->name,
					    d->name);
				rc = -EINVAL;
				goto out;
			}
			seen[si] |= UINT64_C(1) << j;
			first[si][j] = line;
		}
	}
out:
	free(ent);
	return rc;
}

/* Do the lines lint saw match cfgfile's sections and entries? */
static bool
lines_match(struct rte_cfgfile *f, const struct lines *l)
{
	struct rte_cfgfile_entry *ent;
	char name[CFG_NAME_LEN];
	size_t keys = 0;
	int nsec, i, n, e;

	/* Lint's sections, and cfgfile's global one, with '#' comments. */
	nsec = rte_cfgfile_num_sections(f, NULL, 0);
	if (nsec < 1 || (size_t)nsec != l->nsec + 1)
		return false;
	for (i = 0; i < nsec; i++) {
		n = rte_cfgfile_section_num_entries_by_index(f, name, i);
		if (n <= 0)
			continue;
		ent = malloc((size_t)n * sizeof(*ent));
		if (ent == NULL)
			return false;
		n = rte_cfgfile_section_entries_by_index(f, i, name, ent, n);
		for (e = 0; e < n; e++)
			if (!is_hash_comment(&ent[e]))
				keys++;
		free(ent);
	}
	return keys == l->nkey;
}

int
tcpe_config_load(struct tcpe_config *cfg, const char *path, char *err,
    size_t errlen)
{
	const struct rte_cfgfile_parameters params = {
		.comment_character = ';',
	};
	struct lines l;
	struct tcpe_config tmp;
	struct rte_cfgfile *f;
	int rc;

	if (path == NULL) {
		seterr(err, errlen, "no config file given");
		return -EINVAL;
	}
	memset(&l, 0, sizeof(l));
	rc = lint_file(path, &l, err, errlen);
	if (rc != 0)
		goto out;
	/*
	 * Empty values are allowed: "extra =" sets a string to "". The
	 * global section takes the '#' comments with an '=' that come before
	 * the first section (cfgfile fails on them otherwise).
	 */
	f = rte_cfgfile_load_with_params(path,
	    CFG_FLAG_EMPTY_VALUES | CFG_FLAG_GLOBAL_SECTION, &params);
	if (f == NULL) {
		seterr(err, errlen, "%s: rte_cfgfile cannot read it", path);
		rc = -EINVAL;
		goto out;
	}
	tmp = *cfg;
	rc = apply_file(&tmp, f, path, lines_match(f, &l) ? &l : NULL, err,
	    errlen);
	rte_cfgfile_close(f);
	if (rc == 0)
		*cfg = tmp;
out:
	lines_free(&l);
	return rc;
}

int
tcpe_config_set(struct tcpe_config *cfg, const char *assignment, char *err,
    size_t errlen)
{
	const struct cfg_section *cs;
	const char *eq, *dot, *s, *k;
	char sec[CFG_NAME_LEN], key[CFG_NAME_LEN], msg[MSG_MAX], q[48];
	size_t slen, klen;
	int rc;

	if (assignment == NULL)
		assignment = "";
	eq = strchr(assignment, '=');
	dot = eq != NULL ? memchr(assignment, '.',
	    (size_t)(eq - assignment)) : NULL;
	if (dot == NULL) {
		quote(q, sizeof(q), assignment, strlen(assignment));
		seterr(err, errlen, "--set \"%s\": expected "
		    "section.key=value", q);
		return -EINVAL;
	}
	slen = (size_t)(dot - assignment);
	s = strip(assignment, &slen);
	klen = (size_t)(eq - dot - 1);
	k = strip(dot + 1, &klen);
	cs = NULL;
	if (slen < sizeof(sec)) {
		memcpy(sec, s, slen);
		sec[slen] = '\0';
		cs = find_section(sec);
	}
	if (cs == NULL) {
		quote(q, sizeof(q), s, slen);
		seterr(err, errlen, "--set: [%s]: unknown section "
		    "(expected " SECTION_NAMES ")", q);
		return -ENOENT;
	}
	if (klen >= sizeof(key))
		klen = sizeof(key) - 1;	/* too long for any key: unknown */
	memcpy(key, k, klen);
	key[klen] = '\0';
	rc = tcpe_param_set(cs->sec, (char *)cfg + cs->off, key, eq + 1, msg,
	    sizeof(msg));
	if (rc != 0)
		seterr(err, errlen, "--set: %s", msg);
	return rc;
}

static void
fmt_ipv4(char s[16], uint32_t a)
{
	snprintf(s, 16, "%u.%u.%u.%u", (unsigned int)(a >> 24),
	    (unsigned int)(a >> 16) & 0xff, (unsigned int)(a >> 8) & 0xff,
	    (unsigned int)a & 0xff);
}

static int
check_port(const struct tcpe_port_cfg *p, char *err, size_t errlen)
{
	char a[16], g[16], net[16], lo[16], hi[16];
	uint32_t mask, first, last, top;

	mask = p->prefix >= 32 ? UINT32_MAX :
	    ~(UINT32_MAX >> p->prefix);
	fmt_ipv4(a, p->addr);
	fmt_ipv4(net, p->addr & mask);
	top = p->addr >> 24;
	/* "This network", loopback, multicast, reserved and broadcast. */
	if (top == 0 || top == 127 || top >= 224) {
		seterr(err, errlen, "[port] addr: %s is not a unicast host "
		    "address (0.0.0.0/8, 127.0.0.0/8 and 224.0.0.0/3 are "
		    "not)", a);
		return -ERANGE;
	}
	/* Hosts of the subnet: all of a /31 (RFC 3021), else the inside. */
	first = p->addr & mask;
	last = first | ~mask;
	if (p->prefix <= 30) {
		first++;
		last--;
	}
	if (p->addr < first || p->addr > last) {
		seterr(err, errlen, "[port] addr: %s is the %s address of "
		    "%s/%u", a, p->addr == (p->addr & mask) ? "network" :
		    "broadcast", net, (unsigned int)p->prefix);
		return -ERANGE;
	}
	if (p->gateway != 0 && (p->gateway < first || p->gateway > last ||
	    p->gateway == p->addr)) {
		fmt_ipv4(g, p->gateway);
		fmt_ipv4(lo, first);
		fmt_ipv4(hi, last);
		if (p->gateway == p->addr)
			seterr(err, errlen, "[port] gateway: %s is [port] "
			    "addr itself (0.0.0.0 for none)", g);
		else
			seterr(err, errlen, "[port] gateway: %s out of range "
			    "%s..%s (a host of [port] addr/prefix %s/%u "
			    "other than addr, or 0.0.0.0 for none)", g, lo,
			    hi, a, (unsigned int)p->prefix);
		return -ERANGE;
	}
	if (p->mac[0] & 1) {
		seterr(err, errlen, "[port] mac: "
		    "%02x:%02x:%02x:%02x:%02x:%02x is a multicast address "
		    "(the low bit of its first octet is set)", p->mac[0],
		    p->mac[1], p->mac[2], p->mac[3], p->mac[4], p->mac[5]);
		return -ERANGE;
	}
	return 0;
}

/*
 * The largest mempool cache for n objects: rte_mempool_create() refuses
 * a cache whose flush threshold, (unsigned)(cache * 1.5), exceeds n; that
 * is floor(3c / 2) <= n, i.e. c <= (2n + 1) / 3.
 */
static uint32_t
max_cache(uint32_t n)
{
	uint64_t c = (2 * (uint64_t)n + 1) / 3;

	return c > RTE_MEMPOOL_CACHE_MAX_SIZE ? RTE_MEMPOOL_CACHE_MAX_SIZE :
	    (uint32_t)c;
}

static int
check_pool(const struct tcpe_pool_cfg *pool, const struct tcpe_port_cfg *port,
    char *err, size_t errlen)
{
	uint32_t need;

	if (pool->cache > max_cache(pool->mbufs)) {
		seterr(err, errlen, "[pool] cache: %u out of range 0..%u "
		    "(cache * 1.5 <= [pool] mbufs %u, a mempool rule)",
		    (unsigned int)pool->cache,
		    (unsigned int)max_cache(pool->mbufs),
		    (unsigned int)pool->mbufs);
		return -ERANGE;
	}
	need = RTE_PKTMBUF_HEADROOM + port->mtu + ETH_OVERHEAD;
	if (pool->data_room < need) {
		seterr(err, errlen, "[pool] data_room: %u out of range "
		    "%u..65535 (headroom %u + [port] mtu %u + %u of Ethernet "
		    "header and CRC: a full frame in one mbuf)",
		    (unsigned int)pool->data_room, (unsigned int)need,
		    (unsigned int)RTE_PKTMBUF_HEADROOM,
		    (unsigned int)port->mtu, (unsigned int)ETH_OVERHEAD);
		return -ERANGE;
	}
	return 0;
}

/*
 * Corruption injected under trusted checksums would be delivered to the
 * application as good data: the fault layer's corruption tests mean
 * something only with checksums checked.
 */
static int
check_csum(const struct tcpe_config *cfg, char *err, size_t errlen)
{
	const char *key;
	uint32_t v;

	if (cfg->port.csum != TCPE_CSUM_TRUST)
		return 0;
	if (cfg->fault.rx.corrupt == 0 && cfg->fault.tx.corrupt == 0)
		return 0;
	key = cfg->fault.rx.corrupt != 0 ? "rx_corrupt" : "tx_corrupt";
	v = cfg->fault.rx.corrupt != 0 ? cfg->fault.rx.corrupt :
	    cfg->fault.tx.corrupt;
	seterr(err, errlen, "[port] csum = trust cannot be combined with "
	    "[fault] %s = %u: trusted checksums are not verified, so a "
	    "corrupted frame would be delivered as good (set [port] csum = "
	    "auto to inject corruption)", key, (unsigned int)v);
	return -EINVAL;
}

int
tcpe_config_check(const struct tcpe_config *cfg, char *err, size_t errlen)
{
	size_t i;
	int rc;

	for (i = 0; i < NSECTIONS; i++) {
		if (sections[i].sec == &tcpe_tcp_params)
			rc = tcpe_tcp_cfg_check(&cfg->tcp, err, errlen);
		else
			rc = tcpe_param_check(sections[i].sec,
			    (const char *)cfg + sections[i].off, err,
			    errlen);
		if (rc != 0)
			return rc;
	}
	rc = check_port(&cfg->port, err, errlen);
	if (rc != 0)
		return rc;
	rc = check_csum(cfg, err, errlen);
	if (rc != 0)
		return rc;
	return check_pool(&cfg->pool, &cfg->port, err, errlen);
}

void
tcpe_config_help(void *file)
{
	const struct tcpe_param_section *sec;
	FILE *f = file;
	char buf[512], *line;
	size_t i, j;
	int n;

	fprintf(f, "; tcpe configuration: every section and key, as\n"
	    ";   key = default  ; range; meaning\n"
	    "; Comments start with ';' or '#'. Override a key with\n"
	    "; --set section.key=value.\n");
	for (i = 0; i < NSECTIONS; i++) {
		sec = sections[i].sec;
		fprintf(f, "\n[%s]\n", sec->name);
		for (j = 0; j < sec->n; j++) {
			n = tcpe_param_describe(sec, j, buf, sizeof(buf));
			if (n < 0)
				continue;
			line = buf;
			if ((size_t)n >= sizeof(buf)) {
				line = malloc((size_t)n + 1);
				if (line == NULL)
					continue;
				tcpe_param_describe(sec, j, line,
				    (size_t)n + 1);
			}
			fprintf(f, "%s\n", line);
			if (line != buf)
				free(line);
		}
	}
}

void
tcpe_config_dump(const struct tcpe_config *cfg, void *file)
{
	const struct tcpe_param_section *sec;
	const char *base;
	FILE *f = file;
	char buf[512];
	size_t i, j;

	fprintf(f, "; tcpe effective configuration\n");
	for (i = 0; i < NSECTIONS; i++) {
		sec = sections[i].sec;
		base = (const char *)cfg + sections[i].off;
		fprintf(f, "\n[%s]\n", sec->name);
		for (j = 0; j < sec->n; j++) {
			/* Values are at most 255 characters. */
			tcpe_param_format(sec, j, base, buf, sizeof(buf));
			fprintf(f, "%s = %s\n", sec->desc[j].name, buf);
		}
	}
}
