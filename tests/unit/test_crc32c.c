/*
 * CRC-32C (util/crc32c.h): published vectors on both the hardware and the
 * portable path, chaining across every split point, and the two paths
 * agreeing on every length and alignment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/crc32c.h"

#include <stdbool.h>
#include <string.h>

/* RFC 3720 (iSCSI) appendix B.4 and the usual check value. */
static void check_vectors(void)
{
	uint8_t buf[32];
	assert_int_equal(sg_crc32c(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(sg_crc32c(0, "", 0), 0);
	assert_int_equal(sg_crc32c(0, "a", 1), 0xC1D04330u);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(sg_crc32c(0, buf, 32), 0x8A9136AAu);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(sg_crc32c(0, buf, 32), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(sg_crc32c(0, buf, 32), 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	assert_int_equal(sg_crc32c(0, buf, 32), 0x113FDB5Cu);
	static const char fox[] = "The quick brown fox jumps over the lazy dog";
	assert_int_equal(sg_crc32c(0, fox, strlen(fox)), 0x22620404u);
}

static void test_vectors_hw(void **state)
{
	(void)state;
	if (!sg_crc32c_hw_available())
		skip();
	sg_crc32c_use_hw(true);
	check_vectors();
}

static void test_vectors_portable(void **state)
{
	(void)state;
	sg_crc32c_use_hw(false);
	check_vectors();
	sg_crc32c_use_hw(true);
}

/* Feeding the bytes in two pieces, split anywhere, gives the one-piece value. */
static void test_chaining(void **state)
{
	(void)state;
	uint8_t data[200];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 131 + 7);
	for (int hw = 0; hw < 2; hw++) {
		sg_crc32c_use_hw(hw);
		uint32_t whole = sg_crc32c(0, data, sizeof(data));
		for (size_t cut = 0; cut <= sizeof(data); cut++) {
			uint32_t c = sg_crc32c(0, data, cut);
			assert_int_equal(sg_crc32c(c, data + cut, sizeof(data) - cut), whole);
		}
	}
	sg_crc32c_use_hw(true);
}

/* Both paths agree on every length up to 300 and every start alignment. */
static void test_paths_agree(void **state)
{
	(void)state;
	uint8_t data[320];
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (uint8_t)x;
	}
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len + off <= 300; len++) {
			sg_crc32c_use_hw(false);
			uint32_t sw = sg_crc32c(0, data + off, len);
			sg_crc32c_use_hw(true);
			uint32_t hw = sg_crc32c(0, data + off, len);
			if (sw != hw)
				fail_msg("offset %zu length %zu: portable %08x, hardware %08x", off, len, sw, hw);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_hw),
		cmocka_unit_test(test_vectors_portable),
		cmocka_unit_test(test_chaining),
		cmocka_unit_test(test_paths_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
