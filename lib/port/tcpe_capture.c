/* SPDX-License-Identifier: BSD-3-Clause */
/* Live pcapng capture of the port's RX and TX (see tcpe_capture.h). */
#define ALLOW_EXPERIMENTAL_API 1	/* rte_pcapng is experimental in 22.11 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pcapng.h>
#include <rte_ring.h>
#include <rte_telemetry.h>

#include "tcpe_capture.h"
#include "tcpe_log.h"

#define CAP_QMAX	128
#define CAP_RING	4096
#define CAP_MBUFS	8191
#define CAP_BURST	64
/* After the callbacks are removed: a worker may still be in one burst. */
#define CAP_GRACE_US	20000

/*
 * One queue's capture state in one direction, touched only by the thread
 * that polls that queue (an ethdev queue has one caller at a time): its
 * ring is single-producer, its counters plain.
 */
struct capq {
	struct rte_ring *ring;			/* SP/SC: worker -> writer */
	const struct rte_eth_rxtx_callback *cb;
	uint64_t frames;			/* copied */
	uint64_t filtered;			/* did not match */
	uint64_t dropped;			/* no mbuf or ring full */
} __attribute__((aligned(64)));

#define DIR_RX	0
#define DIR_TX	1

static struct {
	pthread_mutex_t lock;			/* control side */
	bool ready;
	bool active;
	uint16_t port;
	uint16_t nq[2];				/* RX, TX queues */
	uint32_t snaplen;
	struct rte_mempool *mp;
	rte_pcapng_t *pcapng;
	pthread_t writer;
	int writer_stop;
	uint64_t written;
	uint64_t write_errors;
	uint64_t started_ns;
	struct tcpe_cap_filter filter;		/* read by the callbacks */
	char file[256];
	char filter_str[128];
	struct capq q[2][CAP_QMAX];		/* [DIR_RX or DIR_TX][queue] */
} cap = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* --- filter --------------------------------------------------------------- */

int
tcpe_cap_filter_parse(const char *s, struct tcpe_cap_filter *f, char *err,
    size_t errlen)
{
	char buf[256], *tok, *save = NULL, *end;
	struct in_addr a;
	unsigned long v;
	uint8_t dir = 0;

	memset(f, 0, sizeof(*f));
	if (s == NULL)
		return 0;
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "filter too long");
		return -EINVAL;
	}
	strcpy(buf, s);
	for (tok = strtok_r(buf, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (strcmp(tok, "and") == 0 || strcmp(tok, "&&") == 0) {
			if (dir != 0)
				goto syntax;
			continue;
		}
		if (strcmp(tok, "src") == 0 || strcmp(tok, "dst") == 0) {
			if (dir != 0)
				goto syntax;
			dir = tok[0] == 's' ? 1 : 2;
			continue;
		}
		if (f->n == TCPE_CAP_TERMS) {
			snprintf(err, errlen, "more than %d terms",
			    TCPE_CAP_TERMS);
			return -EINVAL;
		}
		if (strcmp(tok, "tcp") == 0 && dir == 0) {
			f->t[f->n++].kind = 0;
			continue;
		}
		if (strcmp(tok, "host") == 0) {
			tok = strtok_r(NULL, " \t", &save);
			if (tok == NULL || inet_pton(AF_INET, tok, &a) != 1) {
				snprintf(err, errlen, "host needs an IPv4 "
				    "address");
				return -EINVAL;
			}
			f->t[f->n].kind = 1;
			f->t[f->n].dir = dir;
			f->t[f->n++].val = ntohl(a.s_addr);
			dir = 0;
			continue;
		}
		if (strcmp(tok, "port") == 0) {
			tok = strtok_r(NULL, " \t", &save);
			v = tok == NULL ? 0 : strtoul(tok, &end, 10);
			if (tok == NULL || *end != '\0' || v > 65535) {
				snprintf(err, errlen, "port needs a number "
				    "0..65535");
				return -EINVAL;
			}
			f->t[f->n].kind = 2;
			f->t[f->n].dir = dir;
			f->t[f->n++].val = (uint32_t)v;
			dir = 0;
			continue;
		}
		goto syntax;
	}
	if (dir == 0)
		return 0;
syntax:
	snprintf(err, errlen, "filter '%s': expected terms tcp, [src|dst] "
	    "host A.B.C.D, [src|dst] port N, joined by 'and'", s);
	return -EINVAL;
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

bool
tcpe_cap_filter_match(const struct tcpe_cap_filter *f, const uint8_t *p,
    uint32_t len)
{
	uint32_t i, ihl, src, dst, sp = 0, dp = 0;
	bool ports = false;
	uint8_t proto;

	if (f->n == 0)
		return true;
	/* IPv4 (no VLAN tag: the port sends none). */
	if (len < 34 || p[12] != 0x08 || p[13] != 0x00 || (p[14] >> 4) != 4)
		return false;
	ihl = (uint32_t)(p[14] & 0x0f) * 4;
	proto = p[23];
	src = rd32(p + 26);
	dst = rd32(p + 30);
	/* Ports of TCP and UDP, in the first fragment only. */
	if ((proto == 6 || proto == 17) && ihl >= 20 &&
	    len >= 14 + ihl + 4 && ((p[20] & 0x1f) | p[21]) == 0) {
		sp = (uint32_t)p[14 + ihl] << 8 | p[15 + ihl];
		dp = (uint32_t)p[16 + ihl] << 8 | p[17 + ihl];
		ports = true;
	}
	for (i = 0; i < f->n; i++) {
		const struct tcpe_cap_term *t = &f->t[i];
		uint32_t a, b;

		switch (t->kind) {
		case 0:
			if (proto != 6)
				return false;
			continue;
		case 1:
			a = src;
			b = dst;
			break;
		default:
			if (!ports)
				return false;
			a = sp;
			b = dp;
			break;
		}
		if (!((t->dir != 2 && a == t->val) ||
		    (t->dir != 1 && b == t->val)))
			return false;
	}
	return true;
}

/* --- the workers' side: ethdev callbacks ----------------------------------- */

static void
copy_burst(struct capq *q, uint16_t port, uint16_t queue,
    struct rte_mbuf **pkts, uint16_t n, enum rte_pcapng_direction dir)
{
	struct rte_mbuf *c[CAP_BURST];
	uint64_t now = rte_get_tsc_cycles();
	uint16_t i, k = 0, done;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (!tcpe_cap_filter_match(&cap.filter,
		    rte_pktmbuf_mtod(m, const uint8_t *), m->data_len)) {
			q->filtered++;
			continue;
		}
		c[k] = rte_pcapng_copy(port, queue, m, cap.mp, cap.snaplen,
		    now, dir);
		if (c[k] == NULL) {
			q->dropped++;
			continue;
		}
		q->frames++;
		if (++k == CAP_BURST) {
			done = (uint16_t)rte_ring_sp_enqueue_burst(q->ring,
			    (void **)c, k, NULL);
			if (done < k) {
				q->dropped += k - done;
				rte_pktmbuf_free_bulk(c + done, k - done);
			}
			k = 0;
		}
	}
	if (k > 0) {
		done = (uint16_t)rte_ring_sp_enqueue_burst(q->ring, (void **)c,
		    k, NULL);
		if (done < k) {
			q->dropped += k - done;
			rte_pktmbuf_free_bulk(c + done, k - done);
		}
	}
}

static uint16_t
rx_cb(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
    uint16_t max, void *arg)
{
	(void)max;
	if (n > 0)
		copy_burst(arg, port, queue, pkts, n, RTE_PCAPNG_DIRECTION_IN);
	return n;
}

static uint16_t
tx_cb(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
    void *arg)
{
	if (n > 0)
		copy_burst(arg, port, queue, pkts, n, RTE_PCAPNG_DIRECTION_OUT);
	return n;
}

/* --- the writer thread ---------------------------------------------------- */

/* Write what the rings hold. Returns the frames written. */
static unsigned int
drain(bool write)
{
	struct rte_mbuf *m[CAP_BURST];
	unsigned int i, n, total = 0;

	for (i = 0; i < 2 * CAP_QMAX; i++) {
		struct rte_ring *r = cap.q[i / CAP_QMAX][i % CAP_QMAX].ring;

		if (r == NULL)
			continue;
		while ((n = rte_ring_sc_dequeue_burst(r, (void **)m,
		    CAP_BURST, NULL)) > 0) {
			if (write && rte_pcapng_write_packets(cap.pcapng, m,
			    (uint16_t)n) < 0)
				cap.write_errors += n;
			else if (write)
				cap.written += n;
			rte_pktmbuf_free_bulk(m, n);
			total += n;
		}
	}
	return total;
}

static void *
writer(void *arg)
{
	struct timespec nap = { 0, 1000000 };

	(void)arg;
	while (!__atomic_load_n(&cap.writer_stop, __ATOMIC_ACQUIRE))
		if (drain(true) == 0)
			nanosleep(&nap, NULL);
	drain(true);
	return NULL;
}

/* --- control -------------------------------------------------------------- */

int
tcpe_capture_init(uint16_t port_id, uint32_t snaplen)
{
	if (!rte_eth_dev_is_valid_port(port_id) || snaplen < 64)
		return -EINVAL;
	pthread_mutex_lock(&cap.lock);
	if (!cap.active) {
		cap.port = port_id;
		cap.snaplen = snaplen;
		cap.nq[DIR_RX] = cap.nq[DIR_TX] = 0;
	}
	pthread_mutex_unlock(&cap.lock);
	return 0;
}

/* The port's queues as configured now (the engine may use fewer TX). */
static int
queues(char *err, size_t errlen)
{
	struct rte_eth_dev_info di;
	int rc;

	rc = rte_eth_dev_info_get(cap.port, &di);
	if (rc != 0) {
		snprintf(err, errlen, "port %u: %s", cap.port, strerror(-rc));
		return rc;
	}
	cap.nq[DIR_RX] = RTE_MIN(di.nb_rx_queues, CAP_QMAX);
	cap.nq[DIR_TX] = RTE_MIN(di.nb_tx_queues, CAP_QMAX);
	if (cap.nq[DIR_RX] + cap.nq[DIR_TX] == 0) {
		snprintf(err, errlen, "port %u has no queue", cap.port);
		return -ENODEV;
	}
	return 0;
}

/* Pool and rings, once (they outlive every capture: never freed). */
static int
resources(char *err, size_t errlen)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int d, i;

	if (cap.mp == NULL) {
		cap.mp = rte_pktmbuf_pool_create("tcpe_capture", CAP_MBUFS,
		    64, 0, (uint16_t)rte_pcapng_mbuf_size(cap.snaplen),
		    (int)rte_socket_id());
		if (cap.mp == NULL) {
			snprintf(err, errlen, "capture pool: %s",
			    rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	for (i = 0; i < 2 * CAP_QMAX; i++) {
		d = i / CAP_QMAX;
		if (i % CAP_QMAX >= cap.nq[d] ||
		    cap.q[d][i % CAP_QMAX].ring != NULL)
			continue;
		snprintf(name, sizeof(name), "tcpe_cap_%s%u", d ? "tx" : "rx",
		    i % CAP_QMAX);
		cap.q[d][i % CAP_QMAX].ring = rte_ring_create(name, CAP_RING,
		    SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (cap.q[d][i % CAP_QMAX].ring == NULL) {
			snprintf(err, errlen, "capture ring: %s",
			    rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	return 0;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
remove_callbacks(void)
{
	unsigned int i;

	/*
	 * ethdev unlinks a callback at once but cannot know whether a
	 * worker is still inside it: wait out one burst before the rings
	 * are drained (dpdk-pdump does the same). ethdev does not free the
	 * callback records: a few bytes per queue per capture.
	 */
	for (i = 0; i < CAP_QMAX; i++) {
		if (cap.q[DIR_RX][i].cb != NULL)
			rte_eth_remove_rx_callback(cap.port, (uint16_t)i,
			    cap.q[DIR_RX][i].cb);
		if (cap.q[DIR_TX][i].cb != NULL)
			rte_eth_remove_tx_callback(cap.port, (uint16_t)i,
			    cap.q[DIR_TX][i].cb);
		cap.q[DIR_RX][i].cb = NULL;
		cap.q[DIR_TX][i].cb = NULL;
	}
	rte_delay_us_sleep(CAP_GRACE_US);
}

int
tcpe_capture_start(const char *file, const char *filter, char *err,
    size_t errlen)
{
	struct tcpe_cap_filter f;
	unsigned int i;
	int fd, rc;

	rc = tcpe_cap_filter_parse(filter, &f, err, errlen);
	if (rc != 0)
		return rc;
	if (file == NULL || *file == '\0' || strlen(file) >= sizeof(cap.file)) {
		snprintf(err, errlen, "no file, or its name is too long");
		return -EINVAL;
	}
	pthread_mutex_lock(&cap.lock);
	rc = -EBUSY;
	if (cap.active) {
		snprintf(err, errlen, "a capture into %s runs already",
		    cap.file);
		goto out;
	}
	rc = -ENODEV;
	if (cap.snaplen == 0) {
		snprintf(err, errlen, "no port to capture on");
		goto out;
	}
	rc = queues(err, errlen);
	if (rc == 0)
		rc = resources(err, errlen);
	if (rc != 0)
		goto out;
	drain(false);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		goto out;
	}
	cap.pcapng = rte_pcapng_fdopen(fd, NULL, NULL, "tcpe",
	    filter != NULL && *filter != '\0' ? filter : NULL);
	if (cap.pcapng == NULL) {
		rc = -rte_errno;
		snprintf(err, errlen, "rte_pcapng_fdopen: %s",
		    rte_strerror(rte_errno));
		close(fd);
		goto out;
	}
	cap.filter = f;
	snprintf(cap.file, sizeof(cap.file), "%s", file);
	snprintf(cap.filter_str, sizeof(cap.filter_str), "%s",
	    filter != NULL ? filter : "");
	cap.written = 0;
	cap.write_errors = 0;
	for (i = 0; i < CAP_QMAX; i++) {
		memset(&cap.q[DIR_RX][i].frames, 0, 3 * sizeof(uint64_t));
		memset(&cap.q[DIR_TX][i].frames, 0, 3 * sizeof(uint64_t));
	}
	cap.writer_stop = 0;
	rc = rte_ctrl_thread_create(&cap.writer, "tcpe-pcap", NULL, writer,
	    NULL);
	if (rc != 0) {
		rc = -rc;
		snprintf(err, errlen, "writer thread: %s", strerror(-rc));
		rte_pcapng_close(cap.pcapng);
		cap.pcapng = NULL;
		goto out;
	}
	/* Publishing the callbacks publishes the state above. */
	for (i = 0; i < CAP_QMAX; i++) {
		if (i < cap.nq[DIR_RX])
			cap.q[DIR_RX][i].cb = rte_eth_add_rx_callback(cap.port,
			    (uint16_t)i, rx_cb, &cap.q[DIR_RX][i]);
		if (i < cap.nq[DIR_TX])
			cap.q[DIR_TX][i].cb = rte_eth_add_tx_callback(cap.port,
			    (uint16_t)i, tx_cb, &cap.q[DIR_TX][i]);
		if ((i < cap.nq[DIR_RX] && cap.q[DIR_RX][i].cb == NULL) ||
		    (i < cap.nq[DIR_TX] && cap.q[DIR_TX][i].cb == NULL)) {
			rc = -rte_errno;
			snprintf(err, errlen, "ethdev callbacks on queue %u: "
			    "%s", i, rte_strerror(rte_errno));
			remove_callbacks();
			__atomic_store_n(&cap.writer_stop, 1,
			    __ATOMIC_RELEASE);
			pthread_join(cap.writer, NULL);
			rte_pcapng_close(cap.pcapng);
			cap.pcapng = NULL;
			goto out;
		}
	}
	cap.active = true;
	cap.started_ns = mono_ns();
	tcpe_log(TCPE_LOG_NOTICE, "capture: started into %s, port %u, %u RX "
	    "and %u TX queue(s), filter '%s'", cap.file, cap.port,
	    cap.nq[DIR_RX], cap.nq[DIR_TX], cap.filter_str);
	rc = 0;
out:
	pthread_mutex_unlock(&cap.lock);
	return rc;
}

static void
totals(uint64_t *rx, uint64_t *tx, uint64_t *filtered, uint64_t *dropped)
{
	unsigned int i;

	*rx = *tx = *filtered = *dropped = 0;
	for (i = 0; i < 2 * CAP_QMAX; i++) {
		const struct capq *q = &cap.q[i / CAP_QMAX][i % CAP_QMAX];

		/* Written by the workers: single aligned 64-bit loads. */
		*(i < CAP_QMAX ? rx : tx) += __atomic_load_n(&q->frames,
		    __ATOMIC_RELAXED);
		*filtered += __atomic_load_n(&q->filtered, __ATOMIC_RELAXED);
		*dropped += __atomic_load_n(&q->dropped, __ATOMIC_RELAXED);
	}
}

static int
stop_locked(void)
{
	uint64_t rx, tx, filtered, dropped;

	if (!cap.active)
		return -ENOENT;
	remove_callbacks();
	__atomic_store_n(&cap.writer_stop, 1, __ATOMIC_RELEASE);
	pthread_join(cap.writer, NULL);
	rte_pcapng_close(cap.pcapng);
	cap.pcapng = NULL;
	cap.active = false;
	totals(&rx, &tx, &filtered, &dropped);
	tcpe_log(TCPE_LOG_NOTICE, "capture: stopped, %s: %" PRIu64 " frames "
	    "written (rx %" PRIu64 ", tx %" PRIu64 "), %" PRIu64 " dropped",
	    cap.file, cap.written, rx, tx, dropped);
	return 0;
}

int
tcpe_capture_stop(void)
{
	int rc;

	pthread_mutex_lock(&cap.lock);
	rc = stop_locked();
	pthread_mutex_unlock(&cap.lock);
	return rc;
}

void
tcpe_capture_stop_all(void)
{
	(void)tcpe_capture_stop();
}

/* --- telemetry ------------------------------------------------------------ */

static void
status(struct rte_tel_data *d)
{
	uint64_t rx, tx, filtered, dropped;

	totals(&rx, &tx, &filtered, &dropped);
	rte_tel_data_add_dict_string(d, "active", cap.active ? "yes" : "no");
	rte_tel_data_add_dict_string(d, "file", cap.file);
	rte_tel_data_add_dict_string(d, "filter", cap.filter_str);
	rte_tel_data_add_dict_u64(d, "port_id", cap.port);
	rte_tel_data_add_dict_u64(d, "rx_queues", cap.nq[DIR_RX]);
	rte_tel_data_add_dict_u64(d, "tx_queues", cap.nq[DIR_TX]);
	rte_tel_data_add_dict_u64(d, "snaplen", cap.snaplen);
	rte_tel_data_add_dict_u64(d, "rx", rx);
	rte_tel_data_add_dict_u64(d, "tx", tx);
	rte_tel_data_add_dict_u64(d, "filtered", filtered);
	rte_tel_data_add_dict_u64(d, "dropped", dropped);
	rte_tel_data_add_dict_u64(d, "written", cap.written);
	rte_tel_data_add_dict_u64(d, "write_errors", cap.write_errors);
	rte_tel_data_add_dict_u64(d, "seconds", cap.active ?
	    (mono_ns() - cap.started_ns) / 1000000000ULL : 0);
}

static int
cmd_start(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char file[256], err[256];
	const char *filter = NULL, *sp;
	size_t n;
	int rc;

	(void)cmd;
	rte_tel_data_start_dict(d);
	if (params == NULL || *params == '\0') {
		rte_tel_data_add_dict_string(d, "error", "usage: "
		    "/tcpe/capture/start,FILE[ FILTER]");
		return 0;
	}
	sp = strchr(params, ' ');
	n = sp != NULL ? (size_t)(sp - params) : strlen(params);
	if (n >= sizeof(file))
		n = sizeof(file) - 1;
	memcpy(file, params, n);
	file[n] = '\0';
	if (sp != NULL)
		filter = sp + 1;
	rc = tcpe_capture_start(file, filter, err, sizeof(err));
	if (rc != 0) {
		rte_tel_data_add_dict_string(d, "error", err);
		return 0;
	}
	pthread_mutex_lock(&cap.lock);
	status(d);
	pthread_mutex_unlock(&cap.lock);
	return 0;
}

static int
cmd_stop(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int rc;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&cap.lock);
	rc = stop_locked();
	if (rc != 0)
		rte_tel_data_add_dict_string(d, "error", "no capture runs");
	else
		status(d);
	pthread_mutex_unlock(&cap.lock);
	return 0;
}

static int
cmd_status(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&cap.lock);
	status(d);
	pthread_mutex_unlock(&cap.lock);
	return 0;
}

int
tcpe_capture_register(void)
{
	int rc;

	pthread_mutex_lock(&cap.lock);
	if (cap.ready) {
		pthread_mutex_unlock(&cap.lock);
		return 0;
	}
	rc = rte_telemetry_register_cmd("/tcpe/capture/start", cmd_start,
	    "Start a pcapng capture of the port. Parameters: FILE[ FILTER], "
	    "e.g. /tmp/a.pcapng host 198.18.0.1 and port 80");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/tcpe/capture/stop",
		    cmd_stop, "Stop the capture and close its file.");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/tcpe/capture/status",
		    cmd_status, "The capture: file, filter, frames.");
	cap.ready = rc == 0;
	pthread_mutex_unlock(&cap.lock);
	return rc;
}
