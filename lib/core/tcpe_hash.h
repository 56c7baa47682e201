/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keyed hashing for the core: SipHash-2-4 (Aumasson and Bernstein), used
 * for RFC 6528 ISNs, timestamp offsets and SYN cookies. Pure C11.
 */
#ifndef TCPE_HASH_H
#define TCPE_HASH_H

#include <stdint.h>

/* SipHash-2-4 of the 16-byte message (m0, m1) under the 128-bit key k. */
uint64_t tcpe_siphash24_2w(const uint64_t k[2], uint64_t m0, uint64_t m1);

#endif /* TCPE_HASH_H */
