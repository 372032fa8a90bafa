/*
 * CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected, initial value and
 * final xor 0xFFFFFFFF): the checksum Cloud Storage keeps for every object
 * and iSCSI and ext4 use.
 *
 * Written here because neither OpenSSL nor zlib has it. The portable code
 * is slicing-by-8 (8 table lookups per 8 bytes); on x86-64 CPUs with
 * SSE4.2 the crc32 instruction does it, chosen at run time.
 *
 * Like zlib's crc32(), the value chains: start from 0 and feed the pieces
 * in order, sg_crc32c(sg_crc32c(0, a, n), b, m) == sg_crc32c(0, a||b, n+m).
 */
#ifndef SG_UTIL_CRC32C_H
#define SG_UTIL_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The CRC-32C of `len` more bytes, continuing from `crc` (0 to start). */
uint32_t sg_crc32c(uint32_t crc, const void *data, size_t len);

/* Does this CPU compute it in hardware (SSE4.2)? */
bool sg_crc32c_hw_available(void);
/*
 * Whether to use the hardware where it is (on by default). For tests and
 * benchmarks of the portable path; not to be flipped while another thread
 * computes.
 */
void sg_crc32c_use_hw(bool on);

#endif
