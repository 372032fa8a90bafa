/* The streaming base64url codec (util/base64url.h), on both its vector and portable paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/alloc.h"
#include "util/base64url.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void b64_round_trip(void)
{
	uint8_t data[300];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37 + 11);
	for (size_t len = 0; len < sizeof(data); len += (len < 40 ? 1 : 13)) {
		sg_buf text = SG_BUF_INIT, back = SG_BUF_INIT;
		sg_error err = SG_ERROR_INIT;
		sg_b64url_encode(data, len, &text);
		assert_int_equal(text.len, (len + 2) / 3 * 4);
		assert_int_equal(sg_b64url_decode(sg_buf_cstr(&text), text.len, &back, &err), 0);
		assert_int_equal(back.len, len);
		assert_memory_equal(back.ptr ? back.ptr : "", data, len);
		/* every split point of the text, through the streaming decoder */
		for (size_t cut = 0; cut <= text.len; cut += 1 + text.len / 17) {
			sg_b64url_decoder d;
			uint8_t out[SG_B64URL_DECODED_MAX(400)];
			size_t n1 = 0, n2 = 0;
			sg_b64url_decoder_init(&d);
			assert_int_equal(sg_b64url_decode_update(&d, text.ptr, cut, out, &n1, &err), 0);
			assert_int_equal(sg_b64url_decode_update(&d, text.ptr + cut, text.len - cut, out + n1, &n2, &err), 0);
			assert_int_equal(sg_b64url_decode_final(&d, &err), 0);
			assert_int_equal(n1 + n2, len);
			assert_memory_equal(out, data, len);
		}
		/* the streaming encoder, fed in uneven pieces, writes the same text */
		sg_b64url_encoder e;
		sg_b64url_encoder_init(&e);
		char enc[SG_B64URL_ENCODED_MAX(400)];
		size_t n = 0;
		for (size_t off = 0; off < len;) {
			size_t step = 1 + off % 5;
			if (step > len - off)
				step = len - off;
			n += sg_b64url_encode_update(&e, data + off, step, enc + n);
			off += step;
		}
		n += sg_b64url_encode_final(&e, enc + n);
		assert_int_equal(n, text.len);
		assert_memory_equal(enc, text.ptr ? text.ptr : "", n);
		sg_buf_free(&text);
		sg_buf_free(&back);
	}
}

static void test_b64_round_trip(void **state)
{
	(void)state;
	b64_round_trip();
	sg_b64url_use_simd(false); /* the portable path, on machines with AVX2 too */
	b64_round_trip();
	sg_b64url_use_simd(true);
}

static void test_b64_faults(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		sg_b64url_fault fault;
		size_t decoded; /* when ok */
	} cases[] = {
		{ "", SG_B64URL_OK, 0 },
		{ "AAAA", SG_B64URL_OK, 3 },
		{ "AA==", SG_B64URL_OK, 1 },
		{ "AAA=", SG_B64URL_OK, 2 },
		{ "AAAA\n", SG_B64URL_OK, 3 },
		{ "AA==\r\n \n", SG_B64URL_OK, 1 },
		{ "-_-_", SG_B64URL_OK, 3 },
		{ "AA+A", SG_B64URL_BAD_CHAR, 0 },    /* standard alphabet, not url */
		{ "AA/A", SG_B64URL_BAD_CHAR, 0 },
		{ "%AAA", SG_B64URL_BAD_CHAR, 0 },
		{ "A===", SG_B64URL_BAD_CHAR, 0 },    /* padding too early */
		{ "AA=A", SG_B64URL_BAD_CHAR, 0 },
		{ "AA\nAA", SG_B64URL_BAD_CHAR, 0 },  /* whitespace inside a group */
		{ "AA==AAAA", SG_B64URL_TRAILING, 0 },
		{ "AA==\nX", SG_B64URL_TRAILING, 0 },
		{ "AAAA\nAAAA", SG_B64URL_TRAILING, 0 },
		{ "AAA=x", SG_B64URL_TRAILING, 0 },
		{ "AAAA=", SG_B64URL_BAD_CHAR, 0 },   /* padding after a whole group */
		{ "AAAAA", SG_B64URL_TRUNCATED, 0 },
		{ "AA=", SG_B64URL_TRUNCATED, 0 },
		{ "AAAAAA", SG_B64URL_TRUNCATED, 0 },
	};
	for (size_t i = 0; i < SG_ARRAY_SIZE(cases); i++) {
		sg_b64url_decoder d;
		sg_error err = SG_ERROR_INIT;
		uint8_t out[64];
		size_t n = 0;
		sg_b64url_decoder_init(&d);
		int rc = sg_b64url_decode_update(&d, cases[i].text, strlen(cases[i].text), out, &n, &err);
		if (rc == 0)
			rc = sg_b64url_decode_final(&d, &err);
		if (d.fault != cases[i].fault)
			fail_msg("\"%s\": fault %d, expected %d (%s)", cases[i].text, d.fault, cases[i].fault,
				 sg_error_msg(&err));
		assert_int_equal(rc, cases[i].fault == SG_B64URL_OK ? 0 : -1);
		if (rc == 0)
			assert_int_equal(n, cases[i].decoded);
		sg_error_clear(&err);
	}
}

/* Every byte that is not base64url, at every position of a long text, is found where it is. */
static void b64_every_bad_byte(void)
{
	uint8_t data[300];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 151 + 7);
	sg_buf text = SG_BUF_INIT;
	sg_b64url_encode(data, sizeof(data), &text);
	assert_int_equal(text.len, 400);
	uint8_t out[SG_B64URL_DECODED_MAX(400)];
	for (int c = 0; c < 256; c++) {
		bool is_b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			      c == '-' || c == '_';
		if (is_b64)
			continue;
		for (size_t at = (c % 5); at < 240; at += 7) {
			char saved = text.ptr[at];
			text.ptr[at] = (char)c;
			sg_b64url_decoder d;
			sg_error err = SG_ERROR_INIT;
			size_t n = 0;
			sg_b64url_decoder_init(&d);
			int rc = sg_b64url_decode_update(&d, text.ptr, text.len, out, &n, &err);
			if (rc == 0)
				rc = sg_b64url_decode_final(&d, &err);
			if (rc == 0)
				fail_msg("byte 0x%02x at %zu was accepted", c, at);
			/* the bytes before it were decoded, and the offset is in the message */
			assert_true(n + 3 >= at / 4 * 3 && n <= at / 4 * 3 + 3);
			assert_memory_equal(out, data, at / 4 * 3 < n ? at / 4 * 3 : n);
			/* padding and whitespace are allowed there: the next character is the fault */
			bool next = (c == '=' && at % 4 >= 2) || c == ' ' || c == '\t' || c == '\r' || c == '\n';
			char where[32];
			snprintf(where, sizeof(where), "offset %zu", next ? at + 1 : at);
			if (!strstr(sg_error_msg(&err), where))
				fail_msg("byte 0x%02x at %zu: %s", c, at, sg_error_msg(&err));
			sg_error_clear(&err);
			text.ptr[at] = saved;
		}
	}
	sg_buf_free(&text);
}

static void test_b64_every_bad_byte(void **state)
{
	(void)state;
	b64_every_bad_byte();
	sg_b64url_use_simd(false);
	b64_every_bad_byte();
	sg_b64url_use_simd(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_round_trip),
		cmocka_unit_test(test_b64_faults),
		cmocka_unit_test(test_b64_every_bad_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
