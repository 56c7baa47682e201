/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpe public API: a userspace TCP engine on DPDK.
 *
 * Threading: everything here is lcore-local. A socket belongs to the
 * worker (lcore) that created or accepted it, and only that lcore may call
 * functions on it. Callbacks run on that lcore, from inside tcpe's loop;
 * every socket function may be called from a callback unless its comment
 * says otherwise. Nothing takes a lock.
 *
 * Two ways to run:
 *  - tcpe owns the loop: tcpe_init() then tcpe_run(), which polls the
 *    ports configured in the config file on every worker lcore until
 *    tcpe_stop();
 *  - a host application that already runs its own DPDK loop embeds tcpe:
 *    tcpe_embed_create() per lcore, then tcpe_embed_input() with the
 *    mbufs it received, tcpe_embed_timers() with its own clock, and
 *    tcpe_embed_output() to collect the mbufs tcpe wants sent.
 *
 * Zero-copy ownership (DESIGN.md section 4):
 *  - Receive: tcpe_recv() hands out views of received mbufs. The
 *    application owns each view until it passes it to tcpe_rx_release();
 *    until then its bytes count against the receive window, so an
 *    application that holds data slows its peer down instead of draining
 *    the mbuf pool.
 *  - Send: tcpe_send() takes an engine buffer the application filled in
 *    place (tcpe_txbuf_get()); tcpe_send_ext() attaches the application's
 *    own memory by reference, with a callback run when the engine no
 *    longer needs it. Both return the number of bytes accepted: the engine
 *    owns what it accepted, the caller keeps the rest (the
 *    rte_eth_tx_burst contract). The application must not modify attached
 *    memory until its free callback has run.
 */
#ifndef TCPE_H
#define TCPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;
struct rte_mempool;

struct tcpe_engine;	/* the process: configuration, EAL, ports, pools */
struct tcpe_worker;	/* one lcore: its queues, shard, timers */
struct tcpe_sock;	/* a connection or a listener */

/*
 * Event callbacks of a socket. Any of them may be NULL. A socket created
 * by a listener starts with its listener's handlers and context.
 */
struct tcpe_handlers {
	/* l has a new connection s; the application now holds s. */
	void (*accept)(struct tcpe_sock *l, struct tcpe_sock *s, void *ctx);
	/* The active open of s completed. */
	void (*connected)(struct tcpe_sock *s, void *ctx);
	/* Data can be read with tcpe_recv(). */
	void (*readable)(struct tcpe_sock *s, void *ctx);
	/* Send space was freed after a short send. */
	void (*writable)(struct tcpe_sock *s, void *ctx);
	/* The peer closed its side: tcpe_recv() returns 0 once drained. */
	void (*eof)(struct tcpe_sock *s, void *ctx);
	/*
	 * The connection failed: err is -ECONNREFUSED, -ECONNRESET or
	 * -ETIMEDOUT. closed follows.
	 */
	void (*error)(struct tcpe_sock *s, int err, void *ctx);
	/*
	 * The connection reached CLOSED. The handle stays valid until the
	 * application calls tcpe_close().
	 */
	void (*closed)(struct tcpe_sock *s, void *ctx);
};

/* --- engine ----------------------------------------------------------- */

/*
 * Parse tcpe's options from argv, load the configuration, start the EAL
 * and the ports. Options: --config FILE, --set section.key=value
 * (repeatable, applied after the file), --help-config. Returns the number
 * of arguments consumed (argv[0] excluded; the application parses the
 * rest), or a negative errno after printing a message that names the bad
 * key and its allowed range. Call once, from the main lcore.
 */
int tcpe_init(int argc, char **argv, struct tcpe_engine **e);

/*
 * Where the application's own arguments start in argv, as tcpe_init()
 * will see it: after the leading --config/--set options (value after '='
 * or in the next argument), --help-config and an optional "--"; argc if
 * there are none. Needs no engine: an application may parse its options
 * before tcpe_init() starts anything. Equals tcpe_init()'s return + 1.
 */
int tcpe_app_args(int argc, char **argv);

/*
 * Run the loop on every worker lcore until tcpe_stop(). setup is called
 * once on each worker lcore before its loop starts (create listeners
 * there); a non-zero return stops the engine. Returns 0 or the first
 * setup error. Call from the main lcore.
 */
int tcpe_run(struct tcpe_engine *e, int (*setup)(struct tcpe_worker *w,
    void *arg), void *arg);

/*
 * Ask tcpe_run() to return (each worker finishes its iteration). Called
 * before tcpe_run(), it makes tcpe_run() return right after setup.
 * Async-signal-safe; any thread.
 */
void tcpe_stop(struct tcpe_engine *e);

/* Stop the ports, free everything, clean up the EAL. */
void tcpe_fini(struct tcpe_engine *e);

/*
 * Print the counters, summed over the workers, netstat -s style, file a
 * FILE * (NULL: stdout). After tcpe_run() returned, or from a poll hook
 * (see tcpe_print_states() for what that means with several workers).
 */
void tcpe_print_counters(struct tcpe_engine *e, void *file);

/*
 * Print one line, the connections of every state summed over the workers,
 * and the orphans (connections the application closed that are not CLOSED
 * yet; TIME_WAIT records are not orphans):
 *
 *   States: ESTABLISHED 3 SYN_SENT 0 SYN_RECEIVED 0 FIN_WAIT_1 0
 *   FIN_WAIT_2 0 TIME_WAIT 12 CLOSE_WAIT 0 LAST_ACK 0 CLOSING 0 LISTEN 1
 *   Orphans 0
 *
 * (one line, no CLOSED: a connection is freed on reaching it). TIME_WAIT
 * counts both TIME_WAIT connections the application still holds and the
 * compact records of closed ones; LISTEN counts listeners. file is a FILE *
 * (NULL: stdout). Safe from a worker's lcore in its loop (a poll hook,
 * tcpe_set_poll_hook(), or a callback) and after tcpe_run() returned.
 * With several workers the other workers' counts are read while they
 * run: each number is exact for its worker at some moment of the call,
 * the sum is not a snapshot.
 */
void tcpe_print_states(struct tcpe_engine *e, void *file);

/*
 * A function tcpe_run() calls on every worker lcore once per loop
 * iteration, before the iteration polls the port: the place for an
 * application's own periodic work (timeouts of its own, a report asked
 * for by a signal handler through a flag). It runs outside any callback,
 * so every socket function and tcpe_print_states()/tcpe_print_counters()
 * may be called from it; frames it causes go out in that iteration, events
 * it causes are delivered in that iteration too. It runs very often (the
 * loop never sleeps): check a flag or tcpe_worker_now() and return. fn
 * NULL removes the hook. Returns 0, or -EINVAL if e is NULL. Call from
 * the main lcore before tcpe_run(), not while it runs.
 */
int tcpe_set_poll_hook(struct tcpe_engine *e,
    void (*fn)(struct tcpe_worker *w, void *arg), void *arg);

/* What tcpe_init() brought up, for an application's start-up line. */
struct tcpe_engine_info {
	unsigned int workers;	/* worker lcores tcpe_run() starts */
	char device[64];	/* the port's name, e.g. "net_tap0" */
	char driver[32];	/* e.g. "net_tap" */
	uint32_t addr;		/* local IPv4 address, host byte order */
	uint8_t prefix;
	uint8_t mac[6];		/* tcpe's MAC on the port */
	uint16_t mtu;
};
#define TCPE_HAVE_ENGINE_INFO	1

/*
 * Fill info after tcpe_init(). Returns 0, or -EINVAL if e or info is NULL.
 * Any thread; not from a callback of another engine.
 */
int tcpe_engine_info(const struct tcpe_engine *e,
    struct tcpe_engine_info *info);

/* The worker's index (0 .. workers-1) and the engine it belongs to. */
unsigned int tcpe_worker_id(const struct tcpe_worker *w);

/* Nanoseconds of the worker's clock (the `now` of its last iteration). */
uint64_t tcpe_worker_now(const struct tcpe_worker *w);

/*
 * Print one worker's counters as tcpe_print_counters() does (the way to
 * read an embedded worker's). Its lcore, not from a callback.
 */
void tcpe_worker_print_counters(struct tcpe_worker *w, void *file);

/* Live connections of w, listeners and TIME_WAIT included. Its lcore. */
uint32_t tcpe_worker_conns(const struct tcpe_worker *w);

/* --- sockets ---------------------------------------------------------- */

/*
 * Listen on addr:port (addr 0: the port's address; host byte order) with
 * accept queue min(backlog, somaxconn) and a SYN queue of
 * tcp_max_syn_backlog half-open connections (SYN cookies beyond it, as
 * tcp_syncookies says: README "Connection establishment"). Returns the listener or NULL with
 * errno EADDRINUSE, ENOMEM, EINVAL (port 0) or EADDRNOTAVAIL (addr is not
 * the port's). Each new connection is passed to the accept handler; a
 * listener without one closes them.
 */
struct tcpe_sock *tcpe_listen(struct tcpe_worker *w, uint32_t addr,
    uint16_t port, uint32_t backlog, const struct tcpe_handlers *h,
    void *ctx);

/*
 * Open a connection to raddr:rport (host byte order) from an ephemeral
 * port of ip_local_port_range. Returns the socket (connected follows) or
 * NULL with errno EADDRNOTAVAIL (no free port), ENOSPC (table full),
 * ENOMEM or EINVAL (raddr or rport 0).
 */
struct tcpe_sock *tcpe_connect(struct tcpe_worker *w, uint32_t raddr,
    uint16_t rport, const struct tcpe_handlers *h, void *ctx);

/*
 * tcpe_connect() from a chosen local address and port (bind(2) before
 * connect(2)), for a load generator that spreads connections over several
 * client addresses and port ranges. laddr 0 is the port's address; lport
 * 0 picks an ephemeral port as tcpe_connect() does. A chosen lport may lie
 * outside ip_local_port_range; with several workers the caller must pick
 * ports whose replies the engine gives to the calling worker
 * (tcpe_worker_owns(); with one worker any port does). Returns the
 * socket, or NULL with errno as tcpe_connect(), EXDEV when the flow
 * belongs to another worker, EADDRNOTAVAIL when laddr is not the port's address
 * (one address per port for now), EADDRINUSE when the chosen 4-tuple is
 * in use (a connection, or a TIME_WAIT record that may not be reused).
 * w's lcore; from a callback too.
 */
#define TCPE_HAVE_CONNECT_FROM	1
struct tcpe_sock *tcpe_connect_from(struct tcpe_worker *w, uint32_t laddr,
    uint16_t lport, uint32_t raddr, uint16_t rport,
    const struct tcpe_handlers *h, void *ctx);

/*
 * Does the engine deliver the segments of the flow laddr:lport <->
 * raddr:rport (host byte order; laddr 0: the port's address) to w? With
 * several workers each flow has one owner, the RETA entry of its
 * Toeplitz hash (DESIGN.md section 2); tcpe_connect() picks such ports by
 * itself, tcpe_connect_from() refuses others (EXDEV). Always true with one
 * worker. Any lcore.
 */
#define TCPE_HAVE_WORKER_OWNS	1
bool tcpe_worker_owns(const struct tcpe_worker *w, uint32_t laddr,
    uint16_t lport, uint32_t raddr, uint16_t rport);

/* Replace the handlers and context of s. */
void tcpe_sock_set_handlers(struct tcpe_sock *s, const struct tcpe_handlers *h,
    void *ctx);

void *tcpe_sock_ctx(const struct tcpe_sock *s);

/* The worker s belongs to. */
struct tcpe_worker *tcpe_sock_worker(const struct tcpe_sock *s);

/* "ESTABLISHED", "CLOSE_WAIT", ... */
const char *tcpe_sock_state(const struct tcpe_sock *s);

/* Addresses and ports of s, host byte order. Any pointer may be NULL. */
void tcpe_sock_addr(const struct tcpe_sock *s, uint32_t *laddr,
    uint16_t *lport, uint32_t *raddr, uint16_t *rport);

#define TCPE_SHUT_RD	1
#define TCPE_SHUT_WR	2
#define TCPE_SHUT_RDWR	3

/*
 * shutdown(2): TCPE_SHUT_WR sends a FIN after the queued data and the
 * application can still read; TCPE_SHUT_RD makes reads report EOF.
 * Returns 0, -EINVAL, -ENOTCONN.
 */
int tcpe_shutdown(struct tcpe_sock *s, int how);

/*
 * close(2): give up the handle. The connection finishes its close on its
 * own (FIN, TIME_WAIT, ...), or is reset if received data was left
 * unread. Closing a listener resets its unaccepted connections. s must not
 * be used afterwards; no callback for s runs after this.
 */
void tcpe_close(struct tcpe_sock *s);

/* Send an RST and close at once; the handle stays valid until close. */
void tcpe_abort(struct tcpe_sock *s);

/*
 * SO_LINGER: what tcpe_close() of s does with its pending close, for a
 * connection (not a listener):
 *  - on 0 (the default, secs ignored): tcpe_close() returns at once and
 *    the connection finishes its close on its own (FIN after the queued
 *    data, FIN_WAIT, TIME_WAIT), as without SO_LINGER;
 *  - on, secs 0: an abortive close. tcpe_close() discards what is still
 *    queued and sends RST <SEQ=SND.NXT><ACK=RCV.NXT> from ESTABLISHED,
 *    CLOSE_WAIT, FIN_WAIT_1, FIN_WAIT_2 or SYN_RECEIVED (nothing from the
 *    other states) and frees the connection at once: no TIME_WAIT
 *    (counted as TCPAbortOnData, as Linux does; TCPAbortOnClose when
 *    received data was left unread, which resets whatever the setting).
 *    Data already sent may be destroyed at the peer before it reads it;
 *  - on, secs > 0: tcpe_close() still returns at once (tcpe never
 *    blocks), and the close proceeds as by default, but if the peer has
 *    not acknowledged our FIN secs seconds after tcpe_close() (still
 *    FIN_WAIT_1, CLOSING or LAST_ACK), the connection is reset and freed
 *    (TCPAbortOnLinger).
 * It may be set at any time before tcpe_close(); tcpe_close() uses the
 * last setting. Returns 0, or -1 with errno EINVAL: s is NULL or a
 * listener, or secs > 86400. s's lcore; from a callback too.
 */
int tcpe_setlinger(struct tcpe_sock *s, int on, unsigned int secs);

/*
 * TCP_NODELAY: on (1) sends short segments at once; off (0, the default
 * as in Linux) holds a short segment while an earlier short one is
 * unacknowledged (Nagle in Minshall's form). Request/response servers
 * usually want it on (tcpe-httpd sets it). Returns 0, or -1 with errno
 * EINVAL for NULL or a listener. s's lcore; from a callback too.
 */
int tcpe_set_nodelay(struct tcpe_sock *s, int on);

/*
 * SO_KEEPALIVE: on probes the peer after tcp_keepalive_time seconds of
 * silence, every tcp_keepalive_intvl seconds, and resets the connection
 * (error ETIMEDOUT) after tcp_keepalive_probes unanswered probes. Off by
 * default. Same returns as tcpe_set_nodelay().
 */
int tcpe_set_keepalive(struct tcpe_sock *s, int on);

/*
 * TCP_QUICKACK: on acknowledges every segment at once instead of
 * delaying ACKs (delayed ACKs are the default, as in Linux: at once for
 * every second full segment, else within tcp_delack_min_ms). Same
 * returns as tcpe_set_nodelay().
 */
int tcpe_set_quickack(struct tcpe_sock *s, int on);

/* --- zero-copy receive ------------------------------------------------ */

/* A view of received bytes, owned by the application until released. */
struct tcpe_rx {
	const uint8_t *data;
	uint32_t len;
	struct rte_mbuf *m;	/* the buffer holding data */
};

/*
 * Take up to n views of received in-order data. Returns the number of
 * views filled (> 0) while data is queued, then:
 *  - 0, end of stream: the peer closed its side (its FIN was received and
 *    every byte before it taken), or s was shut down with TCPE_SHUT_RD,
 *    or the connection ended cleanly; it keeps returning 0;
 *  - -ECONNRESET when the connection was reset (an RST from the peer, or
 *    tcpe_abort()) or -ETIMEDOUT when it timed out, before the peer's FIN:
 *    a failure is never reported as 0. Data received before the reset is
 *    still handed out first. A reset arriving after the peer's FIN reads
 *    as end of stream (as on Linux); the error handler reports it;
 *  - -EAGAIN when nothing is queued yet, -ENOTCONN on a listener.
 */
int tcpe_recv(struct tcpe_sock *s, struct tcpe_rx *rx, unsigned int n);

/*
 * Give n views back: their buffers are freed and, when s is not NULL,
 * their bytes reopen s's receive window. After tcpe_close(s), pass NULL.
 */
void tcpe_rx_release(struct tcpe_sock *s, struct tcpe_rx *rx, unsigned int n);

/* Copying convenience: at most len bytes into buf; same returns as recv. */
int tcpe_recv_copy(struct tcpe_sock *s, void *buf, uint32_t len);

/* --- zero-copy send --------------------------------------------------- */

/* An engine buffer the application fills in place. */
struct tcpe_txbuf {
	uint8_t *data;
	uint32_t room;		/* bytes that fit at data */
	struct rte_mbuf *m;
};

/*
 * Get an empty engine buffer from w's pool. Returns 0 or -ENOBUFS. Give it
 * to tcpe_send() or back with tcpe_txbuf_put().
 */
int tcpe_txbuf_get(struct tcpe_worker *w, struct tcpe_txbuf *tb);
void tcpe_txbuf_put(struct tcpe_txbuf *tb);

/*
 * Send the first len bytes of tb. Returns the bytes accepted (0 when the
 * send buffer is full: wait for writable), or -EPIPE / -ENOTCONN /
 * -ECONNRESET, or -EINVAL (no buffer, len > tb->room). If all len bytes
 * were accepted the engine owns tb; otherwise tb->data/room now describe
 * the rest, which the caller still owns (send it later or
 * tcpe_txbuf_put() it). len 0 sends nothing and returns 0.
 */
int tcpe_send(struct tcpe_sock *s, struct tcpe_txbuf *tb, uint32_t len);

/* Called when the engine drops its last reference to attached memory. */
typedef void (*tcpe_ext_free_fn)(void *addr, void *opaque);

/*
 * Attach len bytes of the application's memory at data (no copy). Returns
 * the bytes accepted, as tcpe_send(), or, when nothing could be accepted,
 * -ENOBUFS (no mbuf) or -ENOMEM. free_fn (may be NULL for memory that
 * lives forever, such as a static body) runs once, on this lcore, when
 * the engine no longer references the accepted bytes (possibly from
 * inside a later tcpe call); it never runs if nothing was accepted.
 */
int tcpe_send_ext(struct tcpe_sock *s, const void *data, uint32_t len,
    tcpe_ext_free_fn free_fn, void *opaque);

/* Copying convenience: returns the bytes accepted, as tcpe_send_ext(). */
int tcpe_send_copy(struct tcpe_sock *s, const void *data, uint32_t len);

/* Bytes tcpe_send() would accept now. */
uint32_t tcpe_send_space(const struct tcpe_sock *s);

/* --- embedding in a host's DPDK loop ---------------------------------- */

struct tcpe_embed_params {
	const char *config;	/* config file for [tcp] etc., or NULL */
	const char *const *set;	/* "section.key=value" overrides, or NULL */
	unsigned int nset;
	uint32_t addr;		/* local IPv4 address, host byte order */
	uint8_t prefix;		/* netmask length */
	uint32_t gateway;	/* 0: none */
	uint8_t mac[6];		/* local MAC */
	uint16_t mtu;
	uint16_t port_id;	/* the port the host polls (for offloads) */
	struct rte_mempool *pool;	/* for headers and copies */
	uint64_t now;		/* host clock, ns */
};

/*
 * A tcpe worker driven by the host on the calling lcore. Returns NULL with
 * errno EINVAL (message printed) or ENOMEM. The EAL must be initialised.
 */
struct tcpe_worker *tcpe_embed_create(const struct tcpe_embed_params *p);
void tcpe_embed_destroy(struct tcpe_worker *w);

/*
 * Hand received frames to tcpe. tcpe takes the frames addressed to it
 * (ARP, ICMP echo, TCP to its address) and frees or keeps them; the others
 * are moved to the front of pkts, untouched, and their count is returned
 * for the host to handle. A chained frame is made contiguous first.
 * Callbacks run from here; they must not call tcpe_embed_*().
 */
uint16_t tcpe_embed_input(struct tcpe_worker *w, struct rte_mbuf **pkts,
    uint16_t n, uint64_t now);

/* Run the timers due at now (host clock, ns). */
void tcpe_embed_timers(struct tcpe_worker *w, uint64_t now);

/*
 * Take up to max frames tcpe wants sent; the host transmits (or frees)
 * them. A frame is a header mbuf chained to the payload's mbufs unless
 * params.port_id names a port configured without
 * RTE_ETH_TX_OFFLOAD_MULTI_SEGS (then the payload is copied); its
 * checksums are offloaded as that port's TX offloads allow, else
 * complete. Returns the count; call again while it returns max.
 */
uint16_t tcpe_embed_output(struct tcpe_worker *w, struct rte_mbuf **pkts,
    uint16_t max);

#ifdef __cplusplus
}
#endif

#endif /* TCPE_H */
