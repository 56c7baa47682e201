/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcpe's log type in rte_log: "tcpe", default level NOTICE. Set it like
 * any DPDK log type: EAL --log-level=tcpe:debug ([eal] log_level, or
 * extra), the telemetry command /tcpe/log,debug at run time, or
 * rte_log_set_level(). At DEBUG every state transition of every
 * connection is logged (tcpe_log_trace(), the core's trace hook):
 *
 *   TCPE: w0 198.18.0.2:80 198.18.0.1:40312 SYN_RECEIVED => ESTABLISHED
 *
 * Internal to tcpe; the header names no DPDK type.
 */
#ifndef TCPE_LOG_H
#define TCPE_LOG_H

#include <stdint.h>

#include "tcpe_conn.h"

/* The rte_log type id of "tcpe" (registered by a constructor). */
extern int tcpe_logtype;

/* rte_log levels, as RTE_LOG_* (so that callers need no rte_log.h). */
#define TCPE_LOG_ERR		4
#define TCPE_LOG_WARNING	5
#define TCPE_LOG_NOTICE		6
#define TCPE_LOG_INFO		7
#define TCPE_LOG_DEBUG		8

/* Log one line (a newline is added) at level under "tcpe". Any thread. */
void tcpe_log(uint32_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Is level enabled for "tcpe" now. Any thread. */
int tcpe_log_enabled(uint32_t level);

/*
 * The core's trace hook (struct tcpe_stack.trace): logs old => new at
 * DEBUG with the connection's 4-tuple; ctx is the worker's index cast
 * to a pointer. Runs on the shard's lcore; costs one level check when
 * DEBUG is off.
 */
void tcpe_log_trace(void *ctx, const struct tcpe_conn *c, int old_state,
    int new_state);

/* Set "tcpe"'s level by name (emerg..debug) or number. Returns 0, -EINVAL. */
int tcpe_log_set_level(const char *level);

/* "tcpe"'s current level as a name. */
const char *tcpe_log_level_name(void);

#endif /* TCPE_LOG_H */
