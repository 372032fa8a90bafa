#include "util/base64url.h"

#include "util/alloc.h"

#include <stdarg.h>
#include <string.h>

/*
 * Decoding tables, built by the preprocessor: four tables of the 6-bit
 * value of each byte already shifted into its place in a 24-bit group, so
 * a group is four loads and three ORs. A byte outside the alphabet has
 * bit 24 set in every table, so one test on the OR of a group (or of two)
 * finds it.
 */
#define B64_BAD 0x01000000u
#define B64_SIX(c)                                                                          \
	((c) >= 'A' && (c) <= 'Z'   ? (uint32_t)((c) - 'A')                                 \
	 : (c) >= 'a' && (c) <= 'z' ? (uint32_t)((c) - 'a' + 26)                            \
	 : (c) >= '0' && (c) <= '9' ? (uint32_t)((c) - '0' + 52)                            \
	 : (c) == '-'               ? 62u                                                   \
	 : (c) == '_'               ? 63u                                                   \
				    : B64_BAD)
#define B64_AT(c, shift) (B64_SIX(c) == B64_BAD ? B64_BAD : B64_SIX(c) << (shift))
#define B64_T0(c) B64_AT(c, 18)
#define B64_T1(c) B64_AT(c, 12)
#define B64_T2(c) B64_AT(c, 6)
#define B64_T3(c) B64_AT(c, 0)
#define B64_R4(F, b) F((b)), F((b) + 1), F((b) + 2), F((b) + 3)
#define B64_R16(F, b) B64_R4(F, (b)), B64_R4(F, (b) + 4), B64_R4(F, (b) + 8), B64_R4(F, (b) + 12)
#define B64_R64(F, b) \
	B64_R16(F, (b)), B64_R16(F, (b) + 16), B64_R16(F, (b) + 32), B64_R16(F, (b) + 48)
#define B64_R256(F) B64_R64(F, 0), B64_R64(F, 64), B64_R64(F, 128), B64_R64(F, 192)

static const uint32_t dec0[256] = { B64_R256(B64_T0) };
static const uint32_t dec1[256] = { B64_R256(B64_T1) };
static const uint32_t dec2[256] = { B64_R256(B64_T2) };
static const uint32_t dec3[256] = { B64_R256(B64_T3) };

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define B64_HAVE_AVX2 1

#define B64_LANES(...) __VA_ARGS__, __VA_ARGS__

/*
 * Whole blocks of 32 plain alphabet characters at once with AVX2: 24 bytes
 * a block. A byte is in the alphabet when the bit of its high nibble's
 * class (2..7) is set in the mask of its low nibble; its 6-bit value is
 * the byte plus an offset chosen by the high nibble ('_' is the one byte
 * whose nibble's offset is wrong, and gets fixed). Returns the characters
 * consumed, a multiple of 32, stopping before the first block that holds
 * anything else (padding, whitespace, an error): the scalar path takes
 * over there. Writes 32 bytes for every 24 it produces: `out` needs 8
 * bytes of room beyond them, which the caller's room for
 * SG_B64URL_DECODED_MAX gives when `len` is at least 64.
 */
__attribute__((target("avx2"))) static size_t decode_avx2(const unsigned char *in, size_t len,
							    uint8_t *out)
{
	const __m256i lut_lo = _mm256_setr_epi8(B64_LANES(0x2A, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E, 0x3E,
							  0x3E, 0x3C, 0x14, 0x14, 0x15, 0x14, 0x1C));
	const __m256i lut_hi = _mm256_setr_epi8(
		B64_LANES(0, 0, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0, 0, 0, 0, 0, 0, 0, 0));
	const __m256i lut_off =
		_mm256_setr_epi8(B64_LANES(0, 0, 17, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0));
	const __m256i pack =
		_mm256_setr_epi8(B64_LANES(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
	const __m256i perm = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
	const __m256i nibble = _mm256_set1_epi8(0x0F);
	const __m256i underscore = _mm256_set1_epi8('_');
	const __m256i underscore_fix = _mm256_set1_epi8(33); /* -65 + 33: '_' is 63 */
	const __m256i merge_pairs = _mm256_set1_epi32(0x01400140);
	const __m256i merge_quads = _mm256_set1_epi32(0x00011000);
	size_t done = 0;
	while (len - done >= 64) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(in + done));
		__m256i hi = _mm256_and_si256(_mm256_srli_epi32(v, 4), nibble);
		__m256i lo = _mm256_and_si256(v, nibble);
		__m256i ok = _mm256_and_si256(_mm256_shuffle_epi8(lut_lo, lo), _mm256_shuffle_epi8(lut_hi, hi));
		if (_mm256_movemask_epi8(_mm256_cmpeq_epi8(ok, _mm256_setzero_si256())) != 0)
			break;
		__m256i off = _mm256_shuffle_epi8(lut_off, hi);
		off = _mm256_add_epi8(off, _mm256_and_si256(_mm256_cmpeq_epi8(v, underscore), underscore_fix));
		__m256i six = _mm256_add_epi8(v, off);
		/* 4 x 6 bits -> 24 bits in each 32-bit lane, then 3 bytes of each, big-endian */
		__m256i pairs = _mm256_maddubs_epi16(six, merge_pairs);
		__m256i quads = _mm256_madd_epi16(pairs, merge_quads);
		__m256i bytes = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(quads, pack), perm);
		_mm256_storeu_si256((__m256i *)(void *)(out + done / 4 * 3), bytes);
		done += 32;
	}
	return done;
}
#endif

static bool simd_allowed = true;

void sg_b64url_use_simd(bool on)
{
	simd_allowed = on;
}

static const char alphabet[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void sg_b64url_decoder_init(sg_b64url_decoder *d)
{
	memset(d, 0, sizeof(*d));
}

static int fail(sg_b64url_decoder *d, sg_b64url_fault fault, sg_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(sg_b64url_decoder *d, sg_b64url_fault fault, sg_error *err, const char *fmt, ...)
{
	d->fault = fault;
	if (!err)
		return -1;
	sg_buf msg = SG_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sg_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	sg_error_set(err, "%s", msg.ptr);
	sg_buf_free(&msg);
	return -1;
}

/* One character outside the fast path: padding, whitespace, errors, group ends. */
static int decode_one(sg_b64url_decoder *d, unsigned char c, uint8_t *out, size_t *n, sg_error *err)
{
	uint64_t at = d->offset;
	if (is_space(c)) {
		d->ended = true;
		return 0;
	}
	if (d->ended && d->ngroup == 0)
		return fail(d, SG_B64URL_TRAILING, err,
			    "trailing garbage: byte 0x%02x at offset %llu follows the end of the base64 text",
			    c, (unsigned long long)at);
	if (d->ended)
		return fail(d, SG_B64URL_BAD_CHAR, err,
			    "invalid base64: byte 0x%02x at offset %llu follows whitespace inside the text", c,
			    (unsigned long long)at);
	if (c == '=') {
		if (d->ngroup < 2)
			return fail(d, SG_B64URL_BAD_CHAR, err,
				    "invalid base64: misplaced padding '%c' at offset %llu", c, (unsigned long long)at);
		d->npad++;
		d->ngroup++;
	} else {
		uint32_t v = dec3[c];
		if (v & B64_BAD)
			return fail(d, SG_B64URL_BAD_CHAR, err,
				    "invalid base64: byte 0x%02x at offset %llu is not in the base64url alphabet",
				    c, (unsigned long long)at);
		if (d->npad > 0)
			return fail(d, SG_B64URL_BAD_CHAR, err,
				    "invalid base64: byte 0x%02x at offset %llu follows padding inside a group", c,
				    (unsigned long long)at);
		d->acc = (d->acc << 6) | v;
		d->ngroup++;
	}
	if (d->ngroup == 4) {
		uint32_t v = d->acc << (6 * d->npad);
		out[(*n)++] = (uint8_t)(v >> 16);
		if (d->npad < 2)
			out[(*n)++] = (uint8_t)(v >> 8);
		if (d->npad < 1)
			out[(*n)++] = (uint8_t)v;
		d->acc = 0;
		d->ngroup = 0;
		if (d->npad > 0)
			d->ended = true;
	}
	return 0;
}

static void put48(uint8_t *out, uint32_t a, uint32_t b)
{
	out[0] = (uint8_t)(a >> 16);
	out[1] = (uint8_t)(a >> 8);
	out[2] = (uint8_t)a;
	out[3] = (uint8_t)(b >> 16);
	out[4] = (uint8_t)(b >> 8);
	out[5] = (uint8_t)b;
}

int sg_b64url_decode_update(sg_b64url_decoder *d, const char *in, size_t len, uint8_t *out,
			    size_t *out_len, sg_error *err)
{
	const unsigned char *p = (const unsigned char *)in;
	const unsigned char *end = p + len;
	size_t n = 0;
	*out_len = 0;
	if (d->fault != SG_B64URL_OK)
		return sg_error_set(err, "internal error: base64 decoder used after a failure");

	while (p < end) {
		/* fast path: whole groups of plain alphabet characters, 8 at a time */
		if (d->ngroup == 0 && !d->ended) {
			const unsigned char *start = p;
#ifdef B64_HAVE_AVX2
			if (end - p >= 64 && simd_allowed && __builtin_cpu_supports("avx2")) {
				size_t k = decode_avx2(p, (size_t)(end - p), out + n);
				p += k;
				n += k / 4 * 3;
			}
#endif
			while (end - p >= 8) {
				uint32_t a = dec0[p[0]] | dec1[p[1]] | dec2[p[2]] | dec3[p[3]];
				uint32_t b = dec0[p[4]] | dec1[p[5]] | dec2[p[6]] | dec3[p[7]];
				if ((a | b) & B64_BAD)
					break;
				put48(out + n, a, b);
				n += 6;
				p += 8;
			}
			d->offset += (uint64_t)(p - start);
			if (p == end)
				break;
		}
		if (decode_one(d, *p, out, &n, err) < 0) {
			*out_len = n;
			return -1;
		}
		p++;
		d->offset++;
	}
	*out_len = n;
	return 0;
}

int sg_b64url_decode_final(sg_b64url_decoder *d, sg_error *err)
{
	if (d->fault != SG_B64URL_OK)
		return sg_error_set(err, "internal error: base64 decoder used after a failure");
	if (d->ngroup != 0) {
		d->fault = SG_B64URL_TRUNCATED;
		return sg_error_set(err,
				    "truncated base64 text (or something appended to it): it ends inside a "
				    "4-character group, %u character%s left over",
				    d->ngroup, d->ngroup == 1 ? "" : "s");
	}
	return 0;
}

void sg_b64url_encoder_init(sg_b64url_encoder *e)
{
	memset(e, 0, sizeof(*e));
}

static void put_group(char *out, uint32_t v)
{
	out[0] = alphabet[(v >> 18) & 63];
	out[1] = alphabet[(v >> 12) & 63];
	out[2] = alphabet[(v >> 6) & 63];
	out[3] = alphabet[v & 63];
}

size_t sg_b64url_encode_update(sg_b64url_encoder *e, const uint8_t *in, size_t len, char *out)
{
	size_t n = 0;
	while (e->ncarry > 0 && e->ncarry < 3 && len > 0) {
		if (e->ncarry == 2) {
			uint32_t v = ((uint32_t)e->carry[0] << 16) | ((uint32_t)e->carry[1] << 8) | in[0];
			put_group(out, v);
			n += 4;
			e->ncarry = 0;
		} else {
			e->carry[e->ncarry++] = in[0];
		}
		in++;
		len--;
	}
	while (len >= 3) {
		uint32_t v = ((uint32_t)in[0] << 16) | ((uint32_t)in[1] << 8) | in[2];
		put_group(out + n, v);
		n += 4;
		in += 3;
		len -= 3;
	}
	while (len > 0) {
		e->carry[e->ncarry++] = *in++;
		len--;
	}
	return n;
}

size_t sg_b64url_encode_final(sg_b64url_encoder *e, char *out)
{
	if (e->ncarry == 0)
		return 0;
	uint32_t v = (uint32_t)e->carry[0] << 16;
	if (e->ncarry == 2)
		v |= (uint32_t)e->carry[1] << 8;
	put_group(out, v);
	out[3] = '=';
	if (e->ncarry == 1)
		out[2] = '=';
	e->ncarry = 0;
	return 4;
}

void sg_b64url_encode(const void *data, size_t len, sg_buf *out)
{
	sg_b64url_encoder e;
	sg_b64url_encoder_init(&e);
	sg_buf_grow(out, SG_B64URL_ENCODED_MAX(len));
	size_t n = sg_b64url_encode_update(&e, data, len, out->ptr + out->len);
	n += sg_b64url_encode_final(&e, out->ptr + out->len + n);
	out->len += n;
	out->ptr[out->len] = '\0';
}

int sg_b64url_decode(const char *text, size_t len, sg_buf *out, sg_error *err)
{
	sg_b64url_decoder d;
	sg_b64url_decoder_init(&d);
	sg_buf_grow(out, SG_B64URL_DECODED_MAX(len));
	size_t n = 0;
	int rc = sg_b64url_decode_update(&d, text, len, (uint8_t *)out->ptr + out->len, &n, err);
	if (rc == 0)
		rc = sg_b64url_decode_final(&d, err);
	if (rc < 0) {
		/* what was decoded may be (part of) a key */
		sg_wipe(out->ptr + out->len, n);
		out->ptr[out->len] = '\0';
		return -1;
	}
	out->len += n;
	out->ptr[out->len] = '\0';
	return 0;
}
