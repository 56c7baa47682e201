/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SHA-256 (FIPS 180-4), a small self-contained implementation for the
 * integration tests (no crypto library dependency). Incremental:
 * mx_sha256_init(), mx_sha256_update() any number of times with any
 * lengths, mx_sha256_final().
 */
#ifndef MX_SHA256_H
#define MX_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define MX_SHA256_LEN	32

struct mx_sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	uint8_t buf[64];
	uint32_t nbuf;		/* bytes waiting in buf */
};

void mx_sha256_init(struct mx_sha256 *s);
void mx_sha256_update(struct mx_sha256 *s, const void *data, size_t len);
void mx_sha256_final(struct mx_sha256 *s, uint8_t out[MX_SHA256_LEN]);

/* out: 65 bytes, the digest in lower-case hex and a NUL. */
void mx_sha256_hex(const uint8_t d[MX_SHA256_LEN], char out[65]);

/* Returns 0 when the FIPS 180-4 test vectors hash as they should. */
int mx_sha256_selftest(void);

#endif /* MX_SHA256_H */
