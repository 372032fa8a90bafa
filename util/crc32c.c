#include "util/crc32c.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SG_CRC32C_X86 1
#include <nmmintrin.h>
#endif

/* Reflected Castagnoli polynomial. */
#define POLY 0x82F63B78u

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static bool use_hw = true;

/*
 * table[0] is the classic byte-at-a-time table; table[k][b] is the CRC of
 * byte b followed by k zero bytes, so eight lookups fold eight bytes.
 */
static void build_tables(void)
{
	for (uint32_t b = 0; b < 256; b++) {
		uint32_t c = b;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
		table[0][b] = c;
	}
	for (uint32_t b = 0; b < 256; b++) {
		uint32_t c = table[0][b];
		for (int k = 1; k < 8; k++) {
			c = table[0][c & 0xff] ^ (c >> 8);
			table[k][b] = c;
		}
	}
}

static uint32_t load_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t crc_sw(uint32_t c, const unsigned char *p, size_t len)
{
	pthread_once(&table_once, build_tables);
	while (len && ((uintptr_t)p & 7)) {
		c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
		len--;
	}
	while (len >= 8) {
		uint32_t lo = load_le32(p) ^ c;
		uint32_t hi = load_le32(p + 4);
		c = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^
		    table[4][lo >> 24] ^ table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
		    table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return c;
}

#ifdef SG_CRC32C_X86
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t c, const unsigned char *p, size_t len)
{
	while (len && ((uintptr_t)p & 7)) {
		c = _mm_crc32_u8(c, *p++);
		len--;
	}
	uint64_t c64 = c;
	while (len >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		c64 = _mm_crc32_u64(c64, v);
		p += 8;
		len -= 8;
	}
	c = (uint32_t)c64;
	while (len--)
		c = _mm_crc32_u8(c, *p++);
	return c;
}
#endif

bool sg_crc32c_hw_available(void)
{
#ifdef SG_CRC32C_X86
	return __builtin_cpu_supports("sse4.2");
#else
	return false;
#endif
}

void sg_crc32c_use_hw(bool on)
{
	use_hw = on;
}

uint32_t sg_crc32c(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t c = ~crc;
	if (len == 0)
		return crc;
#ifdef SG_CRC32C_X86
	if (use_hw && __builtin_cpu_supports("sse4.2"))
		return ~crc_hw(c, p, len);
#endif
	return ~crc_sw(c, p, len);
}
