/*
 * Throughput of sigma's base64url decoder (util/base64url.c), single core:
 * decodes a 64 MiB token-like text in 128 KiB pieces, as the Fernet reader
 * does, and prints the best of several rounds in MB/s of text: first with
 * the vector path where the CPU has it, then with the portable path alone.
 *
 *   cc -O2 -I. bench/fernet/b64_speed.c util/base64url.c util/buf.c util/error.c util/alloc.c -lcrypto
 */
#include "util/base64url.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define TEXT_MB 64
#define PIECE (128 * 1024)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* MB/s of text, the best of 7 rounds; -1 when the decoding went wrong. */
static double best_of_rounds(const sg_buf *text, unsigned char *out, size_t raw_len)
{
	double best = 0;
	for (int round = 0; round < 7; round++) {
		sg_b64url_decoder d;
		sg_b64url_decoder_init(&d);
		double t0 = now_s();
		size_t total = 0;
		for (size_t off = 0; off < text->len; off += PIECE) {
			size_t n = text->len - off < PIECE ? text->len - off : PIECE;
			size_t got = 0;
			if (sg_b64url_decode_update(&d, text->ptr + off, n, out, &got, NULL) < 0)
				return -1;
			total += got;
		}
		double dt = now_s() - t0;
		if (total != raw_len)
			return -1;
		double mbs = (double)text->len / dt / 1e6;
		if (mbs > best)
			best = mbs;
	}
	return best;
}

int main(void)
{
	size_t raw_len = (size_t)TEXT_MB * 1024 * 1024 / 4 * 3;
	unsigned char *raw = malloc(raw_len);
	unsigned int x = 12345;
	for (size_t i = 0; i < raw_len; i++) {
		x = x * 1103515245u + 12345u;
		raw[i] = (unsigned char)(x >> 16);
	}
	sg_buf text = SG_BUF_INIT;
	sg_b64url_encode(raw, raw_len, &text);
	unsigned char *out = malloc(SG_B64URL_DECODED_MAX(PIECE));
	for (int simd = 1; simd >= 0; simd--) {
		sg_b64url_use_simd(simd);
		double mbs = best_of_rounds(&text, out, raw_len);
		if (mbs < 0)
			return 1;
		printf("%s%.0f", simd ? "" : " ", mbs);
	}
	printf("\n");
	free(raw);
	free(out);
	sg_buf_free(&text);
	return 0;
}
