/* SPDX-License-Identifier: BSD-3-Clause */
/* tcpe's rte_log type and the state-transition trace (tcpe_log.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_log.h>

#include "tcpe_log.h"

RTE_LOG_REGISTER(tcpe_logtype, tcpe, NOTICE);

static const char *const level_names[] = {
	[RTE_LOG_EMERG] = "emerg", [RTE_LOG_ALERT] = "alert",
	[RTE_LOG_CRIT] = "crit", [RTE_LOG_ERR] = "error",
	[RTE_LOG_WARNING] = "warning", [RTE_LOG_NOTICE] = "notice",
	[RTE_LOG_INFO] = "info", [RTE_LOG_DEBUG] = "debug",
};

void
tcpe_log(uint32_t level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!rte_log_can_log(tcpe_logtype, level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	rte_log(level, tcpe_logtype, "TCPE: %s\n", line);
}

int
tcpe_log_enabled(uint32_t level)
{
	return rte_log_can_log(tcpe_logtype, level);
}

static void
addr_port(char *s, size_t n, uint32_t a, uint16_t p)
{
	snprintf(s, n, "%u.%u.%u.%u:%u", a >> 24, (a >> 16) & 0xff,
	    (a >> 8) & 0xff, a & 0xff, p);
}

void
tcpe_log_trace(void *ctx, const struct tcpe_conn *c, int old_state,
    int new_state)
{
	char l[24], r[24];

	if (!rte_log_can_log(tcpe_logtype, RTE_LOG_DEBUG))
		return;
	addr_port(l, sizeof(l), c->node.key.laddr, c->node.key.lport);
	addr_port(r, sizeof(r), c->node.key.raddr, c->node.key.rport);
	rte_log(RTE_LOG_DEBUG, tcpe_logtype, "TCPE: w%u %s %s %s => %s\n",
	    (unsigned int)(uintptr_t)ctx, l, r, tcpe_state_name(old_state),
	    tcpe_state_name(new_state));
}

int
tcpe_log_set_level(const char *level)
{
	char *end;
	unsigned long v;
	uint32_t i;

	for (i = RTE_LOG_EMERG; i <= RTE_LOG_DEBUG; i++)
		if (strcasecmp(level, level_names[i]) == 0)
			return rte_log_set_level(tcpe_logtype, i) == 0 ? 0 :
			    -EINVAL;
	if (strcasecmp(level, "err") == 0)
		return rte_log_set_level(tcpe_logtype, RTE_LOG_ERR);
	v = strtoul(level, &end, 10);
	if (*level == '\0' || *end != '\0' || v < RTE_LOG_EMERG ||
	    v > RTE_LOG_DEBUG)
		return -EINVAL;
	return rte_log_set_level(tcpe_logtype, (uint32_t)v) == 0 ? 0 :
	    -EINVAL;
}

const char *
tcpe_log_level_name(void)
{
	int l = rte_log_get_level(tcpe_logtype);

	return l >= (int)RTE_LOG_EMERG && l <= (int)RTE_LOG_DEBUG ?
	    level_names[l] : "?";
}
