/*
 * Fernet and its gzip stream: every vector of
 * ../shared/testdata/fernet (the spec's and sigma's extra ones), read at
 * test time, plus chunking, key rotation and gzip cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pipeline/fernet.h"
#include "pipeline/gzip_stream.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/text.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ helpers */

static const char *shared_dir(void)
{
	const char *d = getenv("SIGMA_SHARED_DIR");
	return d && *d ? d : "../../../shared";
}

static json_t *load_vectors(const char *rel)
{
	sg_buf path = SG_BUF_INIT;
	sg_buf_printf(&path, "%s/testdata/fernet/%s", shared_dir(), rel);
	json_error_t jerr;
	json_t *root = json_load_file(path.ptr, 0, &jerr);
	if (!root)
		fail_msg("cannot load %s: %s", path.ptr, jerr.text);
	assert_true(json_is_array(root));
	assert_true(json_array_size(root) > 0);
	sg_buf_free(&path);
	return root;
}

static void read_shared(const char *rel, sg_buf *out)
{
	sg_buf path = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	sg_buf_printf(&path, "%s/testdata/fernet/%s", shared_dir(), rel);
	if (sg_fs_read_file(path.ptr, out, &err) < 0)
		fail_msg("%s", sg_error_msg(&err));
	sg_buf_free(&path);
}

/* RFC 3339 with an offset ("1985-10-26T01:20:00-07:00", "...Z") to seconds since the epoch. */
static int64_t parse_time(const char *s)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0;
	char sign = 'Z';
	int n = sscanf(s, "%d-%d-%dT%d:%d:%d%c%d:%d", &y, &mo, &d, &h, &mi, &se, &sign, &oh, &om);
	assert_true(n == 7 || n == 9);
	struct tm tm = { 0 };
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	int64_t t = (int64_t)timegm(&tm);
	int64_t off = (int64_t)oh * 3600 + (int64_t)om * 60;
	if (sign == '+')
		t -= off;
	else if (sign == '-')
		t += off;
	return t;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	if (!s)
		fail_msg("vector without \"%s\"", k);
	return s;
}

static void key_of(const json_t *v, sg_fernet_keys *keys)
{
	sg_error err = SG_ERROR_INIT;
	const char *secret = jstr(v, "secret");
	if (sg_fernet_keys_parse(keys, secret, strlen(secret), "secret", &err) < 0)
		fail_msg("%s", sg_error_msg(&err));
}

static sg_fernet_decrypt_opts opts_at(const json_t *v)
{
	sg_fernet_decrypt_opts o = SG_FERNET_DECRYPT_OPTS_INIT;
	o.has_now = true;
	o.now = parse_time(jstr(v, "now"));
	json_t *ttl = json_object_get(v, "ttl_sec");
	if (ttl)
		o.ttl_sec = json_integer_value(ttl);
	return o;
}

/* Decrypt `token` with the source handing out at most `max_read` bytes a read. */
static int decrypt_chunked(const sg_fernet_keys *keys, const char *token, size_t len, size_t max_read,
			   const sg_fernet_decrypt_opts *opts, sg_buf *out, sg_fernet_result *res,
			   sg_error *err)
{
	sg_mem_stream m;
	sg_source src;
	sg_source_mem(&src, &m, token, len);
	m.max_read = max_read;
	sg_sink sink;
	sg_sink_buf(&sink, out);
	return sg_fernet_decrypt_stream(keys, &src, &sink, opts, res, err);
}

/* ------------------------------------------------------------- vectors */

static void run_generate(const char *file)
{
	json_t *root = load_vectors(file);
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
		key_of(v, &keys);
		uint8_t iv[16];
		json_t *jiv = json_object_get(v, "iv");
		assert_int_equal(json_array_size(jiv), 16);
		for (size_t k = 0; k < 16; k++)
			iv[k] = (uint8_t)json_integer_value(json_array_get(jiv, k));
		sg_fernet_encrypt_opts eo = SG_FERNET_ENCRYPT_OPTS_INIT;
		eo.has_now = true;
		eo.now = parse_time(jstr(v, "now"));
		eo.iv = iv;
		const char *src = jstr(v, "src");
		sg_buf token = SG_BUF_INIT, back = SG_BUF_INIT;
		sg_error err = SG_ERROR_INIT;
		assert_int_equal(sg_fernet_encrypt_mem(&keys.items[0], src, strlen(src), &eo, &token, &err), 0);
		if (strcmp(sg_buf_cstr(&token), jstr(v, "token")) != 0)
			fail_msg("%s[%zu]: token\n  %s\nexpected\n  %s", file, i, sg_buf_cstr(&token), jstr(v, "token"));
		sg_fernet_decrypt_opts dopts = SG_FERNET_DECRYPT_OPTS_INIT;
		assert_int_equal(sg_fernet_decrypt_mem(&keys, token.ptr, token.len, &dopts, &back, NULL, &err), 0);
		assert_int_equal(back.len, strlen(src));
		assert_memory_equal(sg_buf_cstr(&back), src, back.len);
		sg_buf_free(&token);
		sg_buf_free(&back);
		sg_fernet_keys_free(&keys);
	}
	json_decref(root);
}

static void test_generate_spec(void **state)
{
	(void)state;
	run_generate("generate.json");
}

static void test_generate_extra(void **state)
{
	(void)state;
	run_generate("extra/generate.json");
}

static void run_verify(const char *file)
{
	static const size_t reads[] = { 0, 1, 3, 4, 5, 17 };
	json_t *root = load_vectors(file);
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
		key_of(v, &keys);
		sg_fernet_decrypt_opts o = opts_at(v);
		const char *token = jstr(v, "token"), *src = jstr(v, "src");
		for (size_t r = 0; r < SG_ARRAY_SIZE(reads); r++) {
			sg_buf out = SG_BUF_INIT;
			sg_error err = SG_ERROR_INIT;
			sg_fernet_result res;
			if (decrypt_chunked(&keys, token, strlen(token), reads[r], &o, &out, &res, &err) < 0)
				fail_msg("%s[%zu] (reads of %zu): %s", file, i, reads[r], sg_error_msg(&err));
			assert_int_equal(res.check, SG_FERNET_OK);
			assert_int_equal(out.len, strlen(src));
			assert_memory_equal(sg_buf_cstr(&out), src, out.len);
			assert_true(res.has_timestamp);
			sg_buf_free(&out);
		}
		sg_fernet_keys_free(&keys);
	}
	json_decref(root);
}

static void test_verify_spec(void **state)
{
	(void)state;
	run_verify("verify.json");
}

static void test_verify_extra(void **state)
{
	(void)state;
	run_verify("extra/verify.json");
}

/* What each invalid vector must be refused for, by the start of its "desc". */
static const struct {
	const char *desc;
	sg_fernet_check check;
} expected_checks[] = {
	{ "incorrect mac", SG_FERNET_BAD_HMAC },
	{ "too short", SG_FERNET_TRUNCATED },
	{ "invalid base64", SG_FERNET_BAD_BASE64 },
	{ "payload size not multiple of block size", SG_FERNET_BAD_LENGTH }, /* its HMAC is valid */
	{ "payload padding error", SG_FERNET_BAD_PADDING },
	{ "far-future TS", SG_FERNET_FUTURE },
	{ "expired TTL", SG_FERNET_EXPIRED },
	{ "incorrect IV", SG_FERNET_BAD_PADDING },
	{ "flipped byte in ciphertext", SG_FERNET_BAD_HMAC },
	{ "flipped byte in HMAC", SG_FERNET_BAD_HMAC },
	{ "truncated: last byte of the HMAC", SG_FERNET_TRUNCATED },
	{ "truncated: only version", SG_FERNET_TRUNCATED },
	{ "truncated base64 text", SG_FERNET_TRUNCATED },
	{ "flipped byte in timestamp", SG_FERNET_BAD_HMAC },
	{ "flipped byte in IV", SG_FERNET_BAD_HMAC },
	{ "wrong version byte", SG_FERNET_BAD_VERSION },
	{ "wrong key", SG_FERNET_BAD_HMAC },
	{ "far-future timestamp", SG_FERNET_FUTURE },
	{ "valid HMAC, bad PKCS#7", SG_FERNET_BAD_PADDING },
	{ "valid HMAC, ciphertext length", SG_FERNET_BAD_LENGTH },
	{ "empty token", SG_FERNET_TRUNCATED },
	{ "not base64 at all", SG_FERNET_BAD_BASE64 },
};

static sg_fernet_check expected_check(const char *desc)
{
	for (size_t i = 0; i < SG_ARRAY_SIZE(expected_checks); i++) {
		if (sg_str_starts_with(desc, expected_checks[i].desc))
			return expected_checks[i].check;
	}
	fail_msg("no expected check for invalid vector \"%s\": add it to the table", desc);
	return SG_FERNET_OK;
}

static void run_invalid(const char *file)
{
	static const size_t reads[] = { 0, 1, 7 };
	json_t *root = load_vectors(file);
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
		key_of(v, &keys);
		sg_fernet_decrypt_opts o = opts_at(v);
		const char *token = jstr(v, "token"), *desc = jstr(v, "desc");
		sg_fernet_check want = expected_check(desc);
		for (size_t r = 0; r < SG_ARRAY_SIZE(reads); r++) {
			sg_buf out = SG_BUF_INIT;
			sg_error err = SG_ERROR_INIT;
			sg_fernet_result res;
			int rc = decrypt_chunked(&keys, token, strlen(token), reads[r], &o, &out, &res, &err);
			if (rc == 0)
				fail_msg("%s: \"%s\" was accepted", file, desc);
			if (res.check != want)
				fail_msg("%s: \"%s\" refused as \"%s\" (%s), expected \"%s\"", file, desc,
					 sg_fernet_check_name(res.check), sg_error_msg(&err), sg_fernet_check_name(want));
			/* the message says which check failed, and never quotes the key */
			assert_non_null(err.msg);
			assert_null(strstr(err.msg, jstr(v, "secret")));
			sg_error_clear(&err);
			sg_buf_free(&out);
		}
		/* the in-memory form leaves its output as it was */
		sg_buf out = SG_BUF_INIT;
		sg_error err = SG_ERROR_INIT;
		sg_buf_puts(&out, "before");
		assert_int_equal(sg_fernet_decrypt_mem(&keys, token, strlen(token), &o, &out, NULL, &err), -1);
		assert_string_equal(out.ptr, "before");
		sg_error_clear(&err);
		sg_buf_free(&out);
		sg_fernet_keys_free(&keys);
	}
	json_decref(root);
}

static void test_invalid_spec(void **state)
{
	(void)state;
	run_invalid("invalid.json");
}

static void test_invalid_extra(void **state)
{
	(void)state;
	run_invalid("extra/invalid.json");
}

static void make_keys(sg_fernet_keys *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sg_fernet_key k;
		memset(&k, (int)(0x11 * (i + 1)), sizeof(k));
		sg_fernet_keys_add(keys, &k);
	}
}

/* The earliest fault in the text wins, however the text is cut (found by the fuzzer). */
static void test_earliest_fault_wins(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		sg_fernet_check check;
	} cases[] = {
		{ "HkMATM5lFqGaerZ-fWPOm73Q%eoCk9uGib28Xe5vz6oxq5nm", SG_FERNET_BAD_VERSION },
		{ "AAAA%", SG_FERNET_BAD_VERSION },
		{ "gAAA%", SG_FERNET_BAD_BASE64 },
		{ "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA\n\n==", SG_FERNET_BAD_BASE64 },
	};
	static const size_t reads[] = { 0, 1, 2, 3, 4, 5, 8, 16 };
	sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
	make_keys(&keys, 1);
	sg_fernet_decrypt_opts o = SG_FERNET_DECRYPT_OPTS_INIT;
	for (size_t c = 0; c < SG_ARRAY_SIZE(cases); c++) {
		for (size_t r = 0; r < SG_ARRAY_SIZE(reads); r++) {
			sg_buf out = SG_BUF_INIT;
			sg_error err = SG_ERROR_INIT;
			sg_fernet_result res;
			assert_int_equal(decrypt_chunked(&keys, cases[c].text, strlen(cases[c].text), reads[r], &o,
							 &out, &res, &err), -1);
			if (res.check != cases[c].check)
				fail_msg("\"%s\" in reads of %zu: %s (%s)", cases[c].text, reads[r],
					 sg_fernet_check_name(res.check), sg_error_msg(&err));
			sg_error_clear(&err);
			sg_buf_free(&out);
		}
		/* the push-style decryptor fails in the update, and says why */
		sg_buf out = SG_BUF_INIT;
		sg_sink sink;
		sg_sink_buf(&sink, &out);
		sg_fernet_decryptor *d = NULL;
		sg_error err = SG_ERROR_INIT;
		assert_int_equal(sg_fernet_decryptor_new(&d, &keys, 0, &o, &sink, &err), 0);
		assert_int_equal(sg_fernet_decryptor_update(d, cases[c].text, strlen(cases[c].text), &err), -1);
		assert_int_equal(sg_fernet_decryptor_result(d)->check, cases[c].check);
		sg_fernet_decryptor_free(d);
		sg_error_clear(&err);
		sg_buf_free(&out);
	}
	sg_fernet_keys_free(&keys);
}

/* The push-style decryptor, fed a token in two uneven pieces, reports what it found. */
static void test_push_api(void **state)
{
	(void)state;
	sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
	make_keys(&keys, 2);
	const char msg[] = "pushed in pieces";
	sg_buf token = SG_BUF_INIT, out = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	sg_fernet_encrypt_opts eo = SG_FERNET_ENCRYPT_OPTS_INIT;
	eo.has_now = true;
	eo.now = 1718451000;
	assert_int_equal(sg_fernet_encrypt_mem(&keys.items[1], msg, strlen(msg), &eo, &token, &err), 0);
	sg_sink sink;
	sg_sink_buf(&sink, &out);
	sg_fernet_decrypt_opts o = SG_FERNET_DECRYPT_OPTS_INIT;
	for (size_t with = 0; with < 2; with++) {
		sg_fernet_decryptor *d = NULL;
		sg_fernet_result res;
		sg_buf_clear(&out);
		assert_int_equal(sg_fernet_decryptor_new(&d, &keys, with, &o, &sink, &err), 0);
		assert_int_equal(sg_fernet_decryptor_update(d, token.ptr, 10, &err), 0);
		assert_int_equal(sg_fernet_decryptor_update(d, token.ptr + 10, token.len - 10, &err), 0);
		int rc = sg_fernet_decryptor_finish(d, &res, &err);
		assert_int_equal(res.key_index, 1);
		assert_true(res.has_timestamp);
		assert_int_equal(res.timestamp, 1718451000);
		if (with == 1) {
			assert_int_equal(rc, 0);
			assert_int_equal(out.len, strlen(msg));
			assert_memory_equal(out.ptr, msg, out.len);
		} else {
			/* decrypted with key 0, signed by key 1: the output is garbage, say so */
			assert_int_equal(rc, -1);
			assert_int_equal(res.check, SG_FERNET_OTHER_KEY);
		}
		sg_fernet_decryptor_free(d);
	}
	sg_error_clear(&err);
	sg_buf_free(&token);
	sg_buf_free(&out);
	sg_fernet_keys_free(&keys);
}

/* ----------------------------------------------------------- big token */

static void big_key(sg_fernet_keys *keys)
{
	json_error_t jerr;
	sg_buf path = SG_BUF_INIT;
	sg_buf_printf(&path, "%s/testdata/fernet/extra/big.json", shared_dir());
	json_t *meta = json_load_file(path.ptr, 0, &jerr);
	assert_non_null(meta);
	key_of(meta, keys);
	json_decref(meta);
	sg_buf_free(&path);
}

static void test_big_token(void **state)
{
	(void)state;
	static const size_t reads[] = { 0, 1000, 4095, 65537, 200000 };
	sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
	sg_buf token = SG_BUF_INIT, plain = SG_BUF_INIT;
	big_key(&keys);
	read_shared("extra/big.token", &token);
	read_shared("extra/big.bin", &plain);
	assert_int_equal(token.len, 1398200);
	sg_fernet_decrypt_opts o = SG_FERNET_DECRYPT_OPTS_INIT;
	for (size_t r = 0; r < SG_ARRAY_SIZE(reads); r++) {
		sg_buf out = SG_BUF_INIT;
		sg_error err = SG_ERROR_INIT;
		sg_fernet_result res;
		if (decrypt_chunked(&keys, token.ptr, token.len, reads[r], &o, &out, &res, &err) < 0)
			fail_msg("big.token (reads of %zu): %s", reads[r], sg_error_msg(&err));
		assert_int_equal(out.len, 1048577);
		assert_int_equal(res.plaintext_bytes, 1048577);
		assert_memory_equal(out.ptr, plain.ptr, plain.len);
		sg_buf_free(&out);
	}
	sg_buf_free(&token);
	sg_buf_free(&plain);
	sg_fernet_keys_free(&keys);
}

static void test_big_tampered(void **state)
{
	(void)state;
	sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
	sg_buf token = SG_BUF_INIT, out = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	sg_fernet_result res;
	big_key(&keys);
	read_shared("extra/big.tampered.token", &token);
	sg_fernet_decrypt_opts o = SG_FERNET_DECRYPT_OPTS_INIT;
	assert_int_equal(sg_fernet_decrypt_mem(&keys, token.ptr, token.len, &o, &out, &res, &err), -1);
	assert_int_equal(res.check, SG_FERNET_BAD_HMAC);
	assert_int_equal(out.len, 0);
	assert_non_null(strstr(sg_error_msg(&err), "HMAC mismatch"));
	/* with gunzip the garbage is not a gzip stream, yet the HMAC is what is reported */
	o.gunzip = true;
	assert_int_equal(sg_fernet_decrypt_mem(&keys, token.ptr, token.len, &o, &out, &res, &err), -1);
	assert_int_equal(res.check, SG_FERNET_BAD_HMAC);
	sg_error_clear(&err);
	sg_buf_free(&token);
	sg_fernet_keys_free(&keys);
}

/* ------------------------------------------------------- key rotation */

/* A sink that cannot start over. */
static int plain_write(void *ctx, const void *data, size_t len, sg_error *err)
{
	(void)err;
	sg_buf_put(ctx, data, len);
	return 0;
}

static void test_rotation(void **state)
{
	(void)state;
	sg_fernet_keys all = SG_FERNET_KEYS_INIT;
	make_keys(&all, 3);
	const char msg[] = "rotate me, one key after another";
	for (size_t signer = 0; signer < 3; signer++) {
		sg_buf token = SG_BUF_INIT;
		sg_error err = SG_ERROR_INIT;
		sg_fernet_encrypt_opts eo = SG_FERNET_ENCRYPT_OPTS_INIT;
		assert_int_equal(sg_fernet_encrypt_mem(&all.items[signer], msg, sizeof(msg), &eo, &token, &err), 0);
		sg_fernet_decrypt_opts o = SG_FERNET_DECRYPT_OPTS_INIT;
		for (int variant = 0; variant < 3; variant++) {
			sg_buf out = SG_BUF_INIT;
			sg_fernet_result res;
			sg_mem_stream m;
			sg_source src;
			sg_sink sink;
			sg_source_mem(&src, &m, token.ptr, token.len);
			sg_sink_buf(&sink, &out);
			if (variant == 1)
				src.rewind = NULL; /* a pipe: spooled */
			if (variant == 2)
				sink.write = plain_write, sink.reset = NULL; /* verify first, then decrypt */
			if (sg_fernet_decrypt_stream(&all, &src, &sink, &o, &res, &err) < 0)
				fail_msg("signer %zu variant %d: %s", signer, variant, sg_error_msg(&err));
			assert_int_equal(res.key_index, signer);
			assert_int_equal(res.passes, (signer == 0 && variant != 2) ? 1 : 2);
			assert_int_equal(out.len, sizeof(msg));
			assert_memory_equal(out.ptr, msg, sizeof(msg));
			sg_buf_free(&out);
		}
		/* with gzip, the first pass's garbage fails gzip early and is replaced */
		sg_buf_clear(&token);
		eo.gzip = true;
		assert_int_equal(sg_fernet_encrypt_mem(&all.items[signer], msg, sizeof(msg), &eo, &token, &err), 0);
		o.gunzip = true;
		sg_buf out = SG_BUF_INIT;
		sg_fernet_result res;
		assert_int_equal(sg_fernet_decrypt_mem(&all, token.ptr, token.len, &o, &out, &res, &err), 0);
		assert_int_equal(res.key_index, signer);
		assert_int_equal(out.len, sizeof(msg));
		assert_memory_equal(out.ptr, msg, sizeof(msg));
		sg_buf_free(&out);
		/* none of the other keys will do */
		sg_fernet_keys others = SG_FERNET_KEYS_INIT;
		for (size_t k = 0; k < 3; k++)
			if (k != signer)
				sg_fernet_keys_add(&others, &all.items[k]);
		o.gunzip = false;
		assert_int_equal(sg_fernet_decrypt_mem(&others, token.ptr, token.len, &o, &out, &res, &err), -1);
		assert_int_equal(res.check, SG_FERNET_BAD_HMAC);
		assert_non_null(strstr(sg_error_msg(&err), "none of the 2 keys"));
		sg_fernet_keys_free(&others);
		sg_error_clear(&err);
		sg_buf_free(&token);
	}
	sg_fernet_keys_free(&all);
}

/* ---------------------------------------------------------------- gzip */

static void test_gzip_round_trip(void **state)
{
	(void)state;
	sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
	make_keys(&keys, 1);
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 1000, 300001 };
	for (size_t s = 0; s < SG_ARRAY_SIZE(sizes); s++) {
		size_t n = sizes[s];
		uint8_t *data = sg_malloc(n);
		for (size_t i = 0; i < n; i++)
			data[i] = (uint8_t)((i * 2654435761u) >> (i % 7));
		sg_buf token = SG_BUF_INIT, out = SG_BUF_INIT;
		sg_error err = SG_ERROR_INIT;
		sg_fernet_result res;
		sg_fernet_encrypt_opts eo = SG_FERNET_ENCRYPT_OPTS_INIT;
		eo.gzip = true;
		assert_int_equal(sg_fernet_encrypt_mem(&keys.items[0], data, n, &eo, &token, &err), 0);
		sg_fernet_decrypt_opts o = SG_FERNET_DECRYPT_OPTS_INIT;
		o.gunzip = true;
		if (decrypt_chunked(&keys, token.ptr, token.len, 999, &o, &out, &res, &err) < 0)
			fail_msg("size %zu: %s", n, sg_error_msg(&err));
		assert_int_equal(out.len, n);
		assert_int_equal(res.plaintext_bytes, n);
		if (n)
			assert_memory_equal(out.ptr, data, n);
		/* without gunzip the plaintext is the gzip stream itself */
		sg_buf_clear(&out);
		o.gunzip = false;
		assert_int_equal(sg_fernet_decrypt_mem(&keys, token.ptr, token.len, &o, &out, &res, &err), 0);
		assert_true(out.len >= 20);
		assert_int_equal((uint8_t)out.ptr[0], 0x1f);
		assert_int_equal((uint8_t)out.ptr[1], 0x8b);
		sg_buf_free(&token);
		sg_buf_free(&out);
		free(data);
	}
	sg_fernet_keys_free(&keys);
}

/* An authentic token whose plaintext is not a (whole) gzip stream is refused. */
static void test_gzip_corrupt(void **state)
{
	(void)state;
	sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
	make_keys(&keys, 1);
	/* a real gzip stream of some text, to cut and to damage */
	sg_buf gz = SG_BUF_INIT;
	sg_sink gz_sink;
	sg_sink_buf(&gz_sink, &gz);
	sg_gzip_writer w;
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_gzip_writer_init(&w, 6, &gz_sink, &err), 0);
	for (int i = 0; i < 2000; i++) {
		char line[64];
		int n = snprintf(line, sizeof(line), "%d,row %d,%d\n", i, i * 7, i * i);
		assert_int_equal(sg_gzip_writer_write(&w, line, (size_t)n, &err), 0);
	}
	assert_int_equal(sg_gzip_writer_finish(&w, &err), 0);
	sg_gzip_writer_free(&w);

	struct {
		const char *what;
		size_t len;
		int flip; /* offset to flip, or -1 */
	} cases[] = {
		{ "not gzip at all", 0, -1 },
		{ "cut in the middle", gz.len / 2, -1 },
		{ "cut before the trailer", gz.len - 4, -1 },
		{ "a flipped byte in the data", gz.len, (int)gz.len / 2 },
		{ "a wrong CRC", gz.len, (int)gz.len - 6 },
		{ "empty", 0, -2 },
	};
	for (size_t c = 0; c < SG_ARRAY_SIZE(cases); c++) {
		sg_buf plain = SG_BUF_INIT, token = SG_BUF_INIT, out = SG_BUF_INIT;
		if (cases[c].flip == -1 && cases[c].len == 0)
			sg_buf_puts(&plain, "plain text, not gzip\n");
		else
			sg_buf_put(&plain, gz.ptr, cases[c].len);
		if (cases[c].flip >= 0)
			plain.ptr[cases[c].flip] ^= 0x55;
		sg_fernet_encrypt_opts eo = SG_FERNET_ENCRYPT_OPTS_INIT;
		assert_int_equal(sg_fernet_encrypt_mem(&keys.items[0], plain.ptr ? plain.ptr : "", plain.len, &eo,
						       &token, &err), 0);
		sg_fernet_decrypt_opts o = SG_FERNET_DECRYPT_OPTS_INIT;
		o.gunzip = true;
		sg_fernet_result res;
		if (sg_fernet_decrypt_mem(&keys, token.ptr, token.len, &o, &out, &res, &err) == 0)
			fail_msg("gzip %s was accepted", cases[c].what);
		if (res.check != SG_FERNET_BAD_GZIP)
			fail_msg("gzip %s: refused as %s (%s)", cases[c].what, sg_fernet_check_name(res.check),
				 sg_error_msg(&err));
		assert_int_equal(out.len, 0);
		sg_buf_free(&plain);
		sg_buf_free(&token);
		sg_error_clear(&err);
	}
	/* two members one after the other decompress as one (like gzip -d) */
	sg_buf two = SG_BUF_INIT, token = SG_BUF_INIT, out = SG_BUF_INIT;
	sg_buf_put(&two, gz.ptr, gz.len);
	sg_buf_put(&two, gz.ptr, gz.len);
	sg_fernet_encrypt_opts eo = SG_FERNET_ENCRYPT_OPTS_INIT;
	assert_int_equal(sg_fernet_encrypt_mem(&keys.items[0], two.ptr, two.len, &eo, &token, &err), 0);
	sg_fernet_decrypt_opts o = SG_FERNET_DECRYPT_OPTS_INIT;
	o.gunzip = true;
	assert_int_equal(sg_fernet_decrypt_mem(&keys, token.ptr, token.len, &o, &out, NULL, &err), 0);
	assert_true(out.len > 0 && out.len % 2 == 0);
	assert_memory_equal(out.ptr, out.ptr + out.len / 2, out.len / 2);
	assert_true(sg_str_starts_with(out.ptr, "0,row 0,0\n1,row 7,1\n"));
	sg_buf_free(&two);
	sg_buf_free(&token);
	sg_buf_free(&out);
	sg_buf_free(&gz);
	sg_fernet_keys_free(&keys);
}

/* ---------------------------------------------------------------- keys */

static void test_keys_parse(void **state)
{
	(void)state;
	sg_fernet_key k[3];
	char text[3][SG_FERNET_KEY_TEXT_LEN + 1];
	for (int i = 0; i < 3; i++) {
		sg_fernet_key_generate(&k[i]);
		sg_fernet_key_format(&k[i], text[i]);
		assert_int_equal(strlen(text[i]), 44);
	}
	assert_memory_not_equal(&k[0], &k[1], sizeof(k[0]));
	sg_buf file = SG_BUF_INIT;
	sg_buf_printf(&file, "# rotated 2024-06-01\n%s\r\n\n  %s  \n# old\n%s", text[0], text[1], text[2]);
	sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_fernet_keys_parse(&keys, file.ptr, file.len, "key file k", &err), 0);
	assert_int_equal(keys.n, 3);
	for (int i = 0; i < 3; i++)
		assert_memory_equal(&keys.items[i], &k[i], sizeof(k[i]));
	sg_fernet_keys_free(&keys);

	sg_buf_clear(&file);
	sg_buf_printf(&file, "%s,%s", text[2], text[0]);
	assert_int_equal(sg_fernet_keys_parse(&keys, file.ptr, file.len, "$K", &err), 0);
	assert_int_equal(keys.n, 2);
	assert_memory_equal(&keys.items[0], &k[2], sizeof(k[2]));
	sg_fernet_keys_free(&keys);

	/* a bad line is named by number, and no message quotes a key */
	for (size_t b = 0; b < 5; b++) {
		sg_buf_clear(&file);
		switch (b) {
		case 0: sg_buf_puts(&file, "\n\n# nothing\n"); break;
		case 1: break;
		case 2: sg_buf_puts(&file, "short"); break;
		case 3: sg_buf_printf(&file, "%s\n%.43s!", text[0], text[1]); break; /* not base64 */
		default: sg_buf_printf(&file, "%s\n%.40s", text[0], text[1]); break;  /* too short */
		}
		assert_int_equal(sg_fernet_keys_parse(&keys, file.ptr, file.len, "key file k", &err), -1);
		assert_true(sg_str_starts_with(err.msg, "key file k"));
		assert_null(strstr(err.msg, text[0]));
		assert_null(strstr(err.msg, "aaaa"));
		if (b >= 3)
			assert_non_null(strstr(err.msg, "line 2"));
		for (int i = 0; i < 3; i++) {
			char part[12];
			memcpy(part, text[i], 11);
			part[11] = '\0';
			assert_null(strstr(err.msg, part));
		}
		sg_fernet_keys_free(&keys);
	}
	sg_error_clear(&err);
	sg_buf_free_secret(&file);
}

/* Round trips across sizes around the block and chunk sizes, chunked both ways. */
static void test_round_trip_sizes(void **state)
{
	(void)state;
	sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
	make_keys(&keys, 1);
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 31, 32, 33, 98303, 98304, 98305, 131072, 400000 };
	for (size_t s = 0; s < SG_ARRAY_SIZE(sizes); s++) {
		size_t n = sizes[s];
		uint8_t *data = sg_malloc(n);
		for (size_t i = 0; i < n; i++)
			data[i] = (uint8_t)(i ^ (i >> 8));
		sg_buf token = SG_BUF_INIT, out = SG_BUF_INIT;
		sg_error err = SG_ERROR_INIT;
		sg_fernet_result res;
		sg_fernet_encrypt_opts eo = SG_FERNET_ENCRYPT_OPTS_INIT;
		assert_int_equal(sg_fernet_encrypt_mem(&keys.items[0], data, n, &eo, &token, &err), 0);
		size_t raw = 25 + (n / 16 + 1) * 16 + 32;
		assert_int_equal(token.len, (raw + 2) / 3 * 4);
		sg_fernet_decrypt_opts o = SG_FERNET_DECRYPT_OPTS_INIT;
		o.ttl_sec = 60;
		if (decrypt_chunked(&keys, token.ptr, token.len, 131071, &o, &out, &res, &err) < 0)
			fail_msg("size %zu: %s", n, sg_error_msg(&err));
		assert_int_equal(out.len, n);
		if (n)
			assert_memory_equal(out.ptr, data, n);
		/* a trailing newline is fine, anything else after the token is not */
		sg_buf_clear(&out);
		sg_buf_puts(&token, "\n");
		assert_int_equal(sg_fernet_decrypt_mem(&keys, token.ptr, token.len, &o, &out, &res, &err), 0);
		sg_buf_puts(&token, "x");
		assert_int_equal(sg_fernet_decrypt_mem(&keys, token.ptr, token.len, &o, &out, &res, &err), -1);
		assert_int_equal(res.check, SG_FERNET_TRAILING_GARBAGE);
		sg_error_clear(&err);
		sg_buf_free(&token);
		sg_buf_free(&out);
		free(data);
	}
	sg_fernet_keys_free(&keys);
}

/* A sink that takes `room` bytes, then fails like a full disk. */
typedef struct full_sink {
	size_t room;
} full_sink;

static int full_write(void *ctx, const void *data, size_t len, sg_error *err)
{
	(void)data;
	full_sink *f = ctx;
	if (len > f->room)
		return sg_error_set(err, "cannot write out.csv: No space left on device");
	f->room -= len;
	return 0;
}

static int failing_read(void *ctx, void *buf, size_t cap, size_t *out_n, sg_error *err)
{
	(void)ctx, (void)buf, (void)cap, (void)out_n;
	return sg_error_set(err, "cannot read in.enc: Input/output error");
}

/* A failing sink or source stops at once, says so, and is not taken for a bad token. */
static void test_io_failures(void **state)
{
	(void)state;
	sg_fernet_keys keys = SG_FERNET_KEYS_INIT;
	make_keys(&keys, 2);
	uint8_t data[200000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	for (int gz = 0; gz < 2; gz++) {
		sg_buf token = SG_BUF_INIT;
		sg_error err = SG_ERROR_INIT;
		sg_fernet_encrypt_opts eo = SG_FERNET_ENCRYPT_OPTS_INIT;
		eo.gzip = gz;
		assert_int_equal(sg_fernet_encrypt_mem(&keys.items[0], data, sizeof(data), &eo, &token, &err), 0);
		sg_fernet_decrypt_opts o = SG_FERNET_DECRYPT_OPTS_INIT;
		o.gunzip = gz;
		full_sink f = { 1000 };
		sg_sink sink = { full_write, NULL, &f };
		sg_mem_stream m;
		sg_source src;
		sg_source_mem(&src, &m, token.ptr, token.len);
		sg_fernet_keys first = { keys.items, 1 };
		sg_fernet_result res;
		assert_int_equal(sg_fernet_decrypt_stream(&first, &src, &sink, &o, &res, &err), -1);
		assert_int_equal(res.check, SG_FERNET_IO);
		assert_string_equal(sg_error_msg(&err), "cannot write out.csv: No space left on device");
		/* the encryptor too */
		f.room = 1000;
		sg_source_mem(&src, &m, data, sizeof(data));
		assert_int_equal(sg_fernet_encrypt_stream(&keys.items[0], &src, &sink, &eo, &err), -1);
		assert_non_null(strstr(sg_error_msg(&err), "No space left"));
		src.read = failing_read;
		sg_buf out = SG_BUF_INIT;
		sg_sink_buf(&sink, &out);
		assert_int_equal(sg_fernet_decrypt_stream(&keys, &src, &sink, &o, &res, &err), -1);
		assert_int_equal(res.check, SG_FERNET_IO);
		assert_string_equal(sg_error_msg(&err), "cannot read in.enc: Input/output error");
		assert_int_equal(sg_fernet_encrypt_stream(&keys.items[0], &src, &sink, &eo, &err), -1);
		sg_error_clear(&err);
		sg_buf_free(&out);
		sg_buf_free(&token);
	}
	sg_fernet_keys_free(&keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_spec),
		cmocka_unit_test(test_generate_extra),
		cmocka_unit_test(test_verify_spec),
		cmocka_unit_test(test_verify_extra),
		cmocka_unit_test(test_invalid_spec),
		cmocka_unit_test(test_invalid_extra),
		cmocka_unit_test(test_earliest_fault_wins),
		cmocka_unit_test(test_push_api),
		cmocka_unit_test(test_big_token),
		cmocka_unit_test(test_big_tampered),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_gzip_round_trip),
		cmocka_unit_test(test_gzip_corrupt),
		cmocka_unit_test(test_keys_parse),
		cmocka_unit_test(test_round_trip_sizes),
		cmocka_unit_test(test_io_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
