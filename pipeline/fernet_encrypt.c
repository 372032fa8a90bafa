/*
 * Fernet encryption (pipeline/fernet.h): plaintext in, optionally through
 * gzip, then AES-128-CBC, the HMAC and base64url, out to a sink, in pieces
 * of a fixed size. The token's length is never needed up front: the
 * base64 is written as the ciphertext comes, and the HMAC goes last.
 */
#include "pipeline/fernet.h"

#include "pipeline/gzip_stream.h"
#include "util/alloc.h"
#include "util/base64url.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PLAIN_CHUNK (96 * 1024)
#define CT_CAP (PLAIN_CHUNK + 32)
#define TEXT_CAP SG_B64URL_ENCODED_MAX(CT_CAP)

struct sg_fernet_encryptor {
	sg_sink sink;
	EVP_MAC *mac;
	EVP_MAC_CTX *hmac;
	EVP_CIPHER_CTX *aes;
	sg_b64url_encoder b64;
	uint8_t *ct;
	char *text;
	sg_gzip_writer gz;
	bool has_gz;
	bool failed;
};

/* Raw token bytes out: base64url into the sink. */
static int put_raw(sg_fernet_encryptor *e, const uint8_t *p, size_t n, sg_error *err)
{
	size_t chars = sg_b64url_encode_update(&e->b64, p, n, e->text);
	if (chars && e->sink.write(e->sink.ctx, e->text, chars, err) < 0)
		return -1;
	return 0;
}

static int put_ciphertext(sg_fernet_encryptor *e, const uint8_t *ct, size_t n, sg_error *err)
{
	if (n == 0)
		return 0;
	if (EVP_MAC_update(e->hmac, ct, n) != 1)
		return sg_error_set(err, "HMAC-SHA256 failed (OpenSSL)");
	return put_raw(e, ct, n, err);
}

/* Plaintext (after gzip, if any) in: encrypt, sign, encode. */
static int seal(sg_fernet_encryptor *e, const uint8_t *p, size_t len, sg_error *err)
{
	while (len > 0) {
		size_t n = len < PLAIN_CHUNK ? len : PLAIN_CHUNK;
		int outl = 0;
		if (EVP_EncryptUpdate(e->aes, e->ct, &outl, p, (int)n) != 1)
			return sg_error_set(err, "AES-128-CBC failed (OpenSSL)");
		if (put_ciphertext(e, e->ct, (size_t)outl, err) < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int seal_sink_write(void *ctx, const void *data, size_t len, sg_error *err)
{
	return seal(ctx, data, len, err);
}

int sg_fernet_encryptor_new(sg_fernet_encryptor **out, const sg_fernet_key *key,
			    const sg_fernet_encrypt_opts *opts, const sg_sink *sink, sg_error *err)
{
	*out = NULL;
	sg_fernet_encryptor *e = sg_calloc(1, sizeof(*e));
	e->sink = *sink;
	sg_b64url_encoder_init(&e->b64);
	e->ct = sg_malloc(CT_CAP);
	e->text = sg_malloc(TEXT_CAP);
	e->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	e->hmac = e->mac ? EVP_MAC_CTX_new(e->mac) : NULL;
	e->aes = EVP_CIPHER_CTX_new();

	uint8_t header[SG_FERNET_HEADER_LEN];
	header[0] = SG_FERNET_VERSION;
	int64_t now = opts->has_now ? opts->now : (int64_t)time(NULL);
	uint64_t ts = now < 0 ? 0 : (uint64_t)now;
	for (int i = 0; i < 8; i++)
		header[1 + i] = (uint8_t)(ts >> (56 - 8 * i));
	if (opts->iv)
		memcpy(header + 9, opts->iv, 16);
	else if (RAND_bytes(header + 9, 16) != 1)
		abort(); /* the OS's generator failing is not something to continue past */

	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	if (!e->hmac || !e->aes || EVP_MAC_init(e->hmac, key->signing, 16, params) != 1 ||
	    EVP_EncryptInit_ex(e->aes, EVP_aes_128_cbc(), NULL, key->encryption, header + 9) != 1) {
		sg_fernet_encryptor_free(e);
		return sg_error_set(err, "cannot set up HMAC-SHA256 and AES-128-CBC (OpenSSL)");
	}
	if (opts->gzip) {
		sg_sink seal_sink = { seal_sink_write, NULL, e };
		int level = opts->gzip_level > 0 ? opts->gzip_level : -1;
		if (sg_gzip_writer_init(&e->gz, level, &seal_sink, err) < 0) {
			sg_fernet_encryptor_free(e);
			return -1;
		}
		e->has_gz = true;
	}
	if (EVP_MAC_update(e->hmac, header, sizeof(header)) != 1) {
		sg_fernet_encryptor_free(e);
		return sg_error_set(err, "HMAC-SHA256 failed (OpenSSL)");
	}
	if (put_raw(e, header, sizeof(header), err) < 0) {
		sg_fernet_encryptor_free(e);
		return -1;
	}
	*out = e;
	return 0;
}

int sg_fernet_encryptor_update(sg_fernet_encryptor *e, const void *data, size_t len, sg_error *err)
{
	if (e->failed)
		return sg_error_set(err, "internal error: Fernet encryptor used after a failure");
	int rc = e->has_gz ? sg_gzip_writer_write(&e->gz, data, len, err) : seal(e, data, len, err);
	if (rc < 0)
		e->failed = true;
	return rc;
}

int sg_fernet_encryptor_finish(sg_fernet_encryptor *e, sg_error *err)
{
	if (e->failed)
		return sg_error_set(err, "internal error: Fernet encryptor used after a failure");
	e->failed = true; /* whatever happens now, no more updates */
	if (e->has_gz && sg_gzip_writer_finish(&e->gz, err) < 0)
		return -1;
	int outl = 0;
	if (EVP_EncryptFinal_ex(e->aes, e->ct, &outl) != 1)
		return sg_error_set(err, "AES-128-CBC failed (OpenSSL)");
	if (put_ciphertext(e, e->ct, (size_t)outl, err) < 0)
		return -1;
	uint8_t tag[EVP_MAX_MD_SIZE];
	size_t taglen = 0;
	if (EVP_MAC_final(e->hmac, tag, &taglen, sizeof(tag)) != 1 || taglen != SG_FERNET_HMAC_LEN)
		return sg_error_set(err, "HMAC-SHA256 failed (OpenSSL)");
	if (put_raw(e, tag, taglen, err) < 0)
		return -1;
	size_t chars = sg_b64url_encode_final(&e->b64, e->text);
	if (chars && e->sink.write(e->sink.ctx, e->text, chars, err) < 0)
		return -1;
	return 0;
}

void sg_fernet_encryptor_free(sg_fernet_encryptor *e)
{
	if (!e)
		return;
	if (e->has_gz)
		sg_gzip_writer_free(&e->gz);
	EVP_MAC_CTX_free(e->hmac);
	EVP_MAC_free(e->mac);
	EVP_CIPHER_CTX_free(e->aes);
	if (e->ct) {
		sg_wipe(e->ct, CT_CAP);
		free(e->ct);
	}
	free(e->text);
	sg_wipe(e, sizeof(*e));
	free(e);
}

int sg_fernet_encrypt_stream(const sg_fernet_key *key, const sg_source *in, const sg_sink *out,
			     const sg_fernet_encrypt_opts *opts, sg_error *err)
{
	sg_fernet_encryptor *e = NULL;
	if (sg_fernet_encryptor_new(&e, key, opts, out, err) < 0)
		return -1;
	size_t cap = 256 * 1024;
	uint8_t *buf = sg_malloc(cap);
	int rc = 0;
	for (;;) {
		size_t n = 0;
		rc = in->read(in->ctx, buf, cap, &n, err);
		if (rc < 0 || n == 0)
			break;
		rc = sg_fernet_encryptor_update(e, buf, n, err);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = sg_fernet_encryptor_finish(e, err);
	sg_wipe(buf, cap);
	free(buf);
	sg_fernet_encryptor_free(e);
	return rc;
}

int sg_fernet_encrypt_mem(const sg_fernet_key *key, const void *data, size_t len,
			  const sg_fernet_encrypt_opts *opts, sg_buf *out, sg_error *err)
{
	sg_mem_stream mctx;
	sg_source src;
	sg_source_mem(&src, &mctx, data, len);
	sg_sink sink;
	sg_buf token = SG_BUF_INIT;
	sg_sink_buf(&sink, &token);
	int rc = sg_fernet_encrypt_stream(key, &src, &sink, opts, err);
	if (rc == 0)
		sg_buf_put(out, sg_buf_cstr(&token), token.len);
	sg_buf_free(&token);
	return rc;
}
