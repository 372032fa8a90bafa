/*
 * libFuzzer target for the Fernet token reader (pipeline/fernet.h).
 *
 * Input: one byte of options, then token text. The options pick gunzip,
 * a TTL, one key or two (rotation), and the size of the pieces the text is
 * fed in. Checked on every input:
 *   - no crash, leak or undefined behaviour (ASan, UBSan);
 *   - fed in pieces or all at once, the reader reaches the same verdict
 *     and the same plaintext;
 *   - an accepted token's plaintext encrypts and decrypts back to itself.
 *
 * The keys are fixed: bytes 0..31 (the key of most of
 * shared/testdata/fernet/extra) and the spec's vectors' key, so tokens from
 * the shared vectors make good seeds (fuzz/seeds.sh writes them).
 */
#include "pipeline/fernet.h"
#include "util/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t piece_sizes[] = { 0, 1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64, 100, 1000, 4096, 65537 };

static void fixed_keys(sg_fernet_keys *keys, bool both)
{
	sg_fernet_key a, b;
	for (int i = 0; i < 16; i++) {
		a.signing[i] = (uint8_t)i;
		a.encryption[i] = (uint8_t)(16 + i);
	}
	static const char spec_key[] = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
	if (sg_fernet_key_parse(&b, spec_key, strlen(spec_key), NULL) < 0)
		abort();
	if (both)
		sg_fernet_keys_add(keys, &b);
	sg_fernet_keys_add(keys, &a);
	if (!both)
		sg_fernet_keys_add(keys, &b);
}

/* Decrypt by pushing `len` characters in pieces of `piece` (0: all at once). */
static int decrypt_pieces(const sg_fernet_keys *keys, const char *text, size_t len, size_t piece,
			  const sg_fernet_decrypt_opts *opts, sg_buf *out, sg_fernet_result *res)
{
	sg_mem_stream m;
	sg_source src;
	sg_sink sink;
	sg_error err = SG_ERROR_INIT;
	sg_source_mem(&src, &m, text, len);
	m.max_read = piece;
	sg_sink_buf(&sink, out);
	int rc = sg_fernet_decrypt_stream(keys, &src, &sink, opts, res, &err);
	/* a failure always says why */
	if (rc < 0 && (!err.msg || !*err.msg || res->check == SG_FERNET_OK))
		abort();
	sg_error_clear(&err);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t o = data[0];
	const char *text = (const char *)data + 1;
	size_t len = size - 1;

	sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
	fixed_keys(&keys, (o & 4) != 0);
	sg_fernet_decrypt_opts opts = SG_FERNET_DECRYPT_OPTS_INIT;
	opts.gunzip = (o & 1) != 0;
	if (o & 2) {
		opts.ttl_sec = 60;
		opts.has_now = true;
		opts.now = 1729992601; /* the extra vectors' 2024-10-27T02:30:01+01:00 */
	}
	size_t piece = piece_sizes[(o >> 3) % (sizeof(piece_sizes) / sizeof(piece_sizes[0]))];

	sg_buf whole = SG_BUF_INIT, pieces = SG_BUF_INIT;
	sg_fernet_result r1, r2;
	int rc1 = decrypt_pieces(&keys, text, len, 0, &opts, &whole, &r1);
	int rc2 = decrypt_pieces(&keys, text, len, piece, &opts, &pieces, &r2);
	if (rc1 != rc2 || r1.check != r2.check)
		abort();
	if (rc1 == 0) {
		if (whole.len != pieces.len || (whole.len && memcmp(whole.ptr, pieces.ptr, whole.len) != 0))
			abort();
		if (r1.key_index >= keys.n)
			abort();
		/* what was accepted goes round again */
		sg_buf token = SG_BUF_INIT, back = SG_BUF_INIT;
		sg_error err = SG_ERROR_INIT;
		sg_fernet_encrypt_opts eo = SG_FERNET_ENCRYPT_OPTS_INIT;
		eo.gzip = opts.gunzip;
		eo.has_now = opts.has_now;
		eo.now = opts.now;
		if (sg_fernet_encrypt_mem(&keys.items[r1.key_index], whole.ptr ? whole.ptr : "", whole.len, &eo,
					  &token, &err) < 0)
			abort();
		if (sg_fernet_decrypt_mem(&keys, token.ptr, token.len, &opts, &back, NULL, &err) < 0)
			abort();
		if (back.len != whole.len || (whole.len && memcmp(back.ptr, whole.ptr, whole.len) != 0))
			abort();
		sg_buf_free(&token);
		sg_buf_free(&back);
		sg_error_clear(&err);
	}
	sg_buf_free(&whole);
	sg_buf_free(&pieces);
	sg_fernet_keys_free(&keys);
	return 0;
}
