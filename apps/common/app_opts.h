/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command-line helpers shared by the sample applications (tcpe-httpd,
 * tcpe-load). Header only, pure C11.
 */
#ifndef TCPE_APP_OPTS_H
#define TCPE_APP_OPTS_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * A decimal number in [0, max], digits only (no sign, no blanks, no
 * suffix). Returns 0 with *v set, or -1.
 */
static inline int
app_parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return -1;
	*v = x;
	return 0;
}

#endif /* TCPE_APP_OPTS_H */
