/*
 * Fernet decryption (pipeline/fernet.h): the one-pass decryptor, and the
 * driver that runs it over a source with a second pass for key rotation.
 * Keys are in fernet_key.c, encryption in fernet_encrypt.c.
 */
#include "pipeline/fernet.h"

#include "pipeline/fernet_macs.h"
#include "pipeline/gzip_stream.h"
#include "util/alloc.h"
#include "util/base64url.h"
#include "util/fs.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Characters of token text decoded at a time: the raw bytes stay in L2. */
#define TEXT_CHUNK (256 * 1024)
#define RAW_CAP (SG_FERNET_HMAC_LEN + SG_B64URL_DECODED_MAX(TEXT_CHUNK))
#define PLAIN_CAP (SG_B64URL_DECODED_MAX(TEXT_CHUNK) + 32)

struct sg_fernet_decryptor {
	const sg_fernet_keys *keys;
	size_t decrypt_with;
	sg_fernet_decrypt_opts opts;
	int64_t now;
	sg_sink sink;       /* the caller's */
	sg_sink plain_sink; /* where plaintext goes: the gunzip, or the caller's sink */
	sg_gunzip gz;
	bool has_gz;

	sg_b64url_decoder b64;
	uint8_t header[SG_FERNET_HEADER_LEN];
	size_t header_len;
	/*
	 * Two buffers for raw bytes, used in turn, so the HMAC worker can read
	 * one piece while the next is decoded into the other. raw[cur][0..held)
	 * are body bytes not yet known not to be the HMAC.
	 */
	uint8_t *raw[2];
	unsigned cur;
	size_t held;
	uint8_t *plain;

	sg_fernet_macs *macs; /* set once the header is in */
	EVP_CIPHER_CTX *aes;

	uint64_t ct_bytes;     /* ciphertext bytes fed to the cipher */
	bool plain_failed;     /* the gzip data went bad: stop emitting, keep verifying */
	sg_error plain_err;    /* what was wrong with it, reported if the HMAC verifies */
	sg_fernet_result result;
};

static const char *const check_names[] = {
	[SG_FERNET_OK] = "ok",
	[SG_FERNET_BAD_BASE64] = "invalid base64",
	[SG_FERNET_TRAILING_GARBAGE] = "trailing garbage",
	[SG_FERNET_TRUNCATED] = "truncated token",
	[SG_FERNET_BAD_VERSION] = "bad version",
	[SG_FERNET_EXPIRED] = "expired",
	[SG_FERNET_FUTURE] = "future timestamp",
	[SG_FERNET_BAD_HMAC] = "hmac mismatch",
	[SG_FERNET_BAD_LENGTH] = "bad ciphertext length",
	[SG_FERNET_BAD_PADDING] = "bad padding",
	[SG_FERNET_BAD_GZIP] = "corrupt gzip",
	[SG_FERNET_OTHER_KEY] = "signed by another key",
	[SG_FERNET_IO] = "i/o error",
};

const char *sg_fernet_check_name(sg_fernet_check check)
{
	if ((size_t)check < SG_ARRAY_SIZE(check_names) && check_names[check])
		return check_names[check];
	return "unknown";
}

/* Record the failed check (the first one sticks) and return -1. */
static int refuse(sg_fernet_decryptor *d, sg_fernet_check check)
{
	if (d->result.check == SG_FERNET_OK)
		d->result.check = check;
	return -1;
}

static void format_time(uint64_t t, char *out, size_t cap)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (t > (uint64_t)253402300799LL || !gmtime_r(&tt, &tm)) /* past 9999-12-31 */
		snprintf(out, cap, "%llu s after the epoch", (unsigned long long)t);
	else
		strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Version and timestamp, as soon as they have arrived. */
static int check_header(sg_fernet_decryptor *d, size_t had, sg_error *err)
{
	if (had == 0 && d->header_len >= 1 && d->header[0] != SG_FERNET_VERSION) {
		refuse(d, SG_FERNET_BAD_VERSION);
		return sg_error_set(err, "bad version: the token starts with byte 0x%02x, not 0x%02x",
				    d->header[0], SG_FERNET_VERSION);
	}
	if (had >= 9 || d->header_len < 9)
		return 0;
	uint64_t ts = 0;
	for (int i = 1; i < 9; i++)
		ts = (ts << 8) | d->header[i];
	d->result.timestamp = ts;
	d->result.has_timestamp = true;
	if (d->opts.ttl_sec < 0)
		return 0;
	uint64_t now = d->now < 0 ? 0 : (uint64_t)d->now;
	uint64_t ttl = (uint64_t)d->opts.ttl_sec;
	char when[64];
	format_time(ts, when, sizeof(when));
	if (ts < now && now - ts > ttl) {
		refuse(d, SG_FERNET_EXPIRED);
		return sg_error_set(err, "expired: the token was made at %s, %llu s ago, past its ttl of %llu s",
				    when, (unsigned long long)(now - ts), (unsigned long long)ttl);
	}
	if (ts > now && ts - now > SG_FERNET_MAX_CLOCK_SKEW) {
		refuse(d, SG_FERNET_FUTURE);
		return sg_error_set(err,
				    "future timestamp: the token says it was made at %s, %llu s from now "
				    "(more than the %d s of clock skew allowed)",
				    when, (unsigned long long)(ts - now), SG_FERNET_MAX_CLOCK_SKEW);
	}
	return 0;
}

static int start_crypto(sg_fernet_decryptor *d, sg_error *err)
{
	if (sg_fernet_macs_new(&d->macs, d->keys, d->header, SG_FERNET_HEADER_LEN, err) < 0)
		return -1;
	if (d->decrypt_with != SG_FERNET_VERIFY_ONLY) {
		const sg_fernet_key *k = &d->keys->items[d->decrypt_with];
		if (EVP_DecryptInit_ex(d->aes, EVP_aes_128_cbc(), NULL, k->encryption, d->header + 9) != 1)
			return sg_error_set(err, "cannot start AES-128-CBC (OpenSSL)");
	}
	return 0;
}

/* Plaintext out: into the gunzip or the sink, unless the gzip data already failed. */
static int emit(sg_fernet_decryptor *d, const uint8_t *p, size_t n, sg_error *err)
{
	if (n == 0 || d->plain_failed)
		return 0;
	if (d->plain_sink.write(d->plain_sink.ctx, p, n, err) < 0) {
		if (d->has_gz && d->gz.is_corrupt) {
			/* maybe the wrong key, maybe a bad stream: the HMAC decides which to report */
			d->plain_failed = true;
			sg_error_set(&d->plain_err, "%s", sg_error_msg(err));
			sg_error_clear(err);
			return 0;
		}
		return refuse(d, SG_FERNET_IO);
	}
	if (!d->has_gz)
		d->result.plaintext_bytes += n;
	return 0;
}

/* Ciphertext: into every HMAC and, when decrypting, the cipher. */
static int take_ciphertext(sg_fernet_decryptor *d, const uint8_t *p, size_t n, sg_error *err)
{
	if (sg_fernet_macs_update(d->macs, p, n, err) < 0)
		return -1;
	d->ct_bytes += n;
	if (d->decrypt_with == SG_FERNET_VERIFY_ONLY)
		return 0;
	int outl = 0;
	if (EVP_DecryptUpdate(d->aes, d->plain, &outl, p, (int)n) != 1)
		return sg_error_set(err, "AES-128-CBC failed (OpenSSL)");
	return emit(d, d->plain, (size_t)outl, err);
}

/*
 * raw[0..held) has just grown: fill the header from its front, then pass
 * on all but the last 32 bytes (which may be the HMAC) as ciphertext.
 */
static int take_raw(sg_fernet_decryptor *d, sg_error *err)
{
	uint8_t *raw = d->raw[d->cur];
	size_t off = 0;
	if (d->header_len < SG_FERNET_HEADER_LEN) {
		size_t had = d->header_len;
		size_t n = SG_FERNET_HEADER_LEN - had;
		if (n > d->held)
			n = d->held;
		memcpy(d->header + had, raw, n);
		d->header_len += n;
		off = n;
		if (check_header(d, had, err) < 0)
			return -1;
		if (d->header_len == SG_FERNET_HEADER_LEN && start_crypto(d, err) < 0)
			return refuse(d, SG_FERNET_IO);
	}
	size_t body = d->held - off;
	if (body > SG_FERNET_HMAC_LEN) {
		size_t n = body - SG_FERNET_HMAC_LEN;
		if (take_ciphertext(d, raw + off, n, err) < 0)
			return refuse(d, SG_FERNET_IO);
		off += n;
		/* the HMAC worker may still be reading this buffer: go on in the other */
		d->cur ^= 1;
		memcpy(d->raw[d->cur], raw + off, d->held - off);
	} else {
		memmove(raw, raw + off, d->held - off);
	}
	d->held -= off;
	return 0;
}

static int gunzip_sink_write(void *ctx, const void *data, size_t len, sg_error *err)
{
	return sg_gunzip_write(ctx, data, len, err);
}

int sg_fernet_decryptor_new(sg_fernet_decryptor **out, const sg_fernet_keys *keys, size_t decrypt_with,
			    const sg_fernet_decrypt_opts *opts, const sg_sink *sink, sg_error *err)
{
	*out = NULL;
	if (!keys || keys->n == 0)
		return sg_error_set(err, "no Fernet key to decrypt with");
	if (decrypt_with != SG_FERNET_VERIFY_ONLY && decrypt_with >= keys->n)
		return sg_error_set(err, "internal error: no key %zu to decrypt with", decrypt_with);
	sg_fernet_decryptor *d = sg_calloc(1, sizeof(*d));
	d->keys = keys;
	d->decrypt_with = decrypt_with;
	d->opts = *opts;
	d->now = opts->has_now ? opts->now : (int64_t)time(NULL);
	d->sink = *sink;
	d->plain_sink = *sink;
	sg_b64url_decoder_init(&d->b64);
	d->raw[0] = sg_malloc(RAW_CAP);
	d->raw[1] = sg_malloc(RAW_CAP);
	d->plain = sg_malloc(PLAIN_CAP);
	d->aes = EVP_CIPHER_CTX_new();
	if (!d->aes) {
		sg_fernet_decryptor_free(d);
		return sg_error_set(err, "cannot set up AES-128-CBC (OpenSSL)");
	}
	if (opts->gunzip && decrypt_with != SG_FERNET_VERIFY_ONLY) {
		if (sg_gunzip_init(&d->gz, sink, err) < 0) {
			sg_fernet_decryptor_free(d);
			return -1;
		}
		d->has_gz = true;
		d->plain_sink.write = gunzip_sink_write;
		d->plain_sink.reset = NULL;
		d->plain_sink.ctx = &d->gz;
	}
	*out = d;
	return 0;
}

static sg_fernet_check check_of_b64_fault(sg_b64url_fault fault)
{
	switch (fault) {
	case SG_B64URL_TRAILING:
		return SG_FERNET_TRAILING_GARBAGE;
	case SG_B64URL_TRUNCATED:
		return SG_FERNET_TRUNCATED;
	default:
		return SG_FERNET_BAD_BASE64;
	}
}

int sg_fernet_decryptor_update(sg_fernet_decryptor *d, const char *text, size_t len, sg_error *err)
{
	if (d->result.check != SG_FERNET_OK)
		return sg_error_set(err, "internal error: Fernet decryptor used after a failure");
	while (len > 0) {
		size_t n = len < TEXT_CHUNK ? len : TEXT_CHUNK;
		size_t got = 0;
		int rc = sg_b64url_decode_update(&d->b64, text, n, d->raw[d->cur] + d->held, &got, err);
		d->held += got;
		d->result.token_bytes += got;
		if (rc < 0) {
			/*
			 * The bytes before the bad character come first: a bad version
			 * byte or timestamp among them is the earlier fault, whatever
			 * the size of the pieces the text arrived in.
			 */
			sg_error b64_err = SG_ERROR_INIT;
			sg_error_set(&b64_err, "%s", sg_error_msg(err));
			if (take_raw(d, err) == 0) {
				refuse(d, check_of_b64_fault(d->b64.fault));
				sg_error_set(err, "%s", sg_error_msg(&b64_err));
			}
			sg_error_clear(&b64_err);
			return -1;
		}
		if (take_raw(d, err) < 0)
			return -1;
		text += n;
		len -= n;
	}
	return 0;
}

static int finish(sg_fernet_decryptor *d, sg_error *err)
{
	if (d->result.check != SG_FERNET_OK)
		return sg_error_set(err, "internal error: Fernet decryptor used after a failure");
	if (sg_b64url_decode_final(&d->b64, err) < 0)
		return refuse(d, check_of_b64_fault(d->b64.fault));
	uint64_t total = d->result.token_bytes;
	if (total == 0) {
		refuse(d, SG_FERNET_TRUNCATED);
		return sg_error_set(err, "truncated token: the input is empty");
	}
	if (d->header_len < SG_FERNET_HEADER_LEN || d->held < SG_FERNET_HMAC_LEN) {
		refuse(d, SG_FERNET_TRUNCATED);
		return sg_error_set(err, "truncated token: %llu bytes, where a token has at least %d",
				    (unsigned long long)total, SG_FERNET_MIN_LEN);
	}
	size_t k = 0;
	if (sg_fernet_macs_verify(d->macs, d->raw[d->cur], &k, err) < 0)
		return refuse(d, SG_FERNET_IO);
	if (k == d->keys->n) {
		if (d->ct_bytes % 16 != 0) {
			refuse(d, SG_FERNET_TRUNCATED);
			return sg_error_set(err,
					    "truncated or altered token: %llu bytes is not the length of a "
					    "token (25 + 16n + 32) and the HMAC does not match",
					    (unsigned long long)total);
		}
		refuse(d, SG_FERNET_BAD_HMAC);
		if (d->keys->n == 1)
			return sg_error_set(err, "HMAC mismatch: wrong key, or the token was altered");
		return sg_error_set(err,
				    "HMAC mismatch: none of the %zu keys signed this token (wrong keys, or "
				    "the token was altered)",
				    d->keys->n);
	}
	d->result.key_index = k;
	if (d->decrypt_with == SG_FERNET_VERIFY_ONLY)
		return 0;
	if (k != d->decrypt_with) {
		refuse(d, SG_FERNET_OTHER_KEY);
		return sg_error_set(err, "the token was signed by key %zu, not key %zu: decrypt it again", k + 1,
				    d->decrypt_with + 1);
	}
	if (d->ct_bytes == 0 || d->ct_bytes % 16 != 0) {
		refuse(d, SG_FERNET_BAD_LENGTH);
		return sg_error_set(err, "bad ciphertext length: %llu bytes, not a whole number of 16-byte blocks",
				    (unsigned long long)d->ct_bytes);
	}
	int outl = 0;
	if (EVP_DecryptFinal_ex(d->aes, d->plain, &outl) != 1) {
		refuse(d, SG_FERNET_BAD_PADDING);
		return sg_error_set(err, "bad padding: the token is signed but its last block does not end "
					 "in valid PKCS#7 padding");
	}
	if (emit(d, d->plain, (size_t)outl, err) < 0)
		return -1;
	if (d->has_gz && !d->plain_failed && sg_gunzip_finish(&d->gz, err) < 0) {
		if (!d->gz.is_corrupt)
			return refuse(d, SG_FERNET_IO);
		d->plain_failed = true;
		sg_error_set(&d->plain_err, "%s", sg_error_msg(err));
	}
	if (d->plain_failed) {
		refuse(d, SG_FERNET_BAD_GZIP);
		return sg_error_set(err, "%s", sg_error_msg(&d->plain_err));
	}
	if (d->has_gz)
		d->result.plaintext_bytes = d->gz.out_bytes;
	return 0;
}

int sg_fernet_decryptor_finish(sg_fernet_decryptor *d, sg_fernet_result *result, sg_error *err)
{
	int rc = finish(d, err);
	if (result)
		*result = d->result;
	return rc;
}

const sg_fernet_result *sg_fernet_decryptor_result(const sg_fernet_decryptor *d)
{
	return &d->result;
}

void sg_fernet_decryptor_free(sg_fernet_decryptor *d)
{
	if (!d)
		return;
	/* first: the worker may still be reading a raw buffer */
	sg_fernet_macs_free(d->macs);
	EVP_CIPHER_CTX_free(d->aes);
	if (d->has_gz)
		sg_gunzip_free(&d->gz);
	if (d->plain) {
		sg_wipe(d->plain, PLAIN_CAP);
		free(d->plain);
	}
	for (int i = 0; i < 2; i++) {
		if (d->raw[i]) {
			sg_wipe(d->raw[i], RAW_CAP);
			free(d->raw[i]);
		}
	}
	sg_error_clear(&d->plain_err);
	sg_wipe(d, sizeof(*d));
	free(d);
}

/* ---------------------------------------------------------------- driver */

/* One pass over `in` (copying it to `spool_fd` when >= 0). */
static int run_pass(const sg_fernet_keys *keys, size_t decrypt_with, const sg_source *in, int spool_fd,
		    const sg_sink *out, const sg_fernet_decrypt_opts *opts, char *buf,
		    sg_fernet_result *result, sg_error *err)
{
	sg_fernet_decryptor *d = NULL;
	if (sg_fernet_decryptor_new(&d, keys, decrypt_with, opts, out, err) < 0) {
		result->check = SG_FERNET_IO;
		return -1;
	}
	int rc = 0;
	for (;;) {
		size_t n = 0;
		rc = in->read(in->ctx, buf, TEXT_CHUNK, &n, err);
		if (rc < 0) {
			refuse(d, SG_FERNET_IO);
			break;
		}
		if (n == 0)
			break;
		if (spool_fd >= 0 && sg_fs_write_all(spool_fd, buf, n) < 0) {
			sg_error_set(err, "cannot spool the token to a temporary file: %s", strerror(errno));
			rc = refuse(d, SG_FERNET_IO);
			break;
		}
		rc = sg_fernet_decryptor_update(d, buf, n, err);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = sg_fernet_decryptor_finish(d, NULL, err);
	*result = d->result;
	sg_fernet_decryptor_free(d);
	return rc;
}

int sg_fernet_decrypt_stream(const sg_fernet_keys *keys, const sg_source *in, const sg_sink *out,
			     const sg_fernet_decrypt_opts *opts, sg_fernet_result *result, sg_error *err)
{
	sg_fernet_result local;
	if (!result)
		result = &local;
	memset(result, 0, sizeof(*result));
	if (!keys || keys->n == 0) {
		result->check = SG_FERNET_IO;
		return sg_error_set(err, "no Fernet key to decrypt with");
	}
	bool many = keys->n > 1;
	/* with several keys and a sink that cannot start over, the first pass only verifies */
	size_t first = (many && !out->reset) ? SG_FERNET_VERIFY_ONLY : 0;
	int spool_fd = -1;
	if (many && !in->rewind && sg_tmpfile_anon(opts->spool_dir, &spool_fd, err) < 0) {
		result->check = SG_FERNET_IO;
		return -1;
	}
	char *buf = sg_malloc(TEXT_CHUNK);
	int rc = run_pass(keys, first, in, spool_fd, out, opts, buf, result, err);
	result->passes = 1;
	bool again = (rc == 0 && first == SG_FERNET_VERIFY_ONLY) ||
		     (rc < 0 && result->check == SG_FERNET_OTHER_KEY);
	if (again) {
		/* second pass: decrypt with the key that verified, and verify it again */
		sg_error_clear(err);
		rc = 0;
		size_t k = result->key_index;
		sg_fernet_keys one = { &keys->items[k], 1 };
		sg_fd_stream spool_ctx;
		sg_source spool;
		const sg_source *src = in;
		if (spool_fd >= 0) {
			lseek(spool_fd, 0, SEEK_SET);
			sg_source_fd(&spool, &spool_ctx, spool_fd, "the spooled token");
			src = &spool;
		} else {
			rc = in->rewind(in->ctx, err);
		}
		if (rc == 0 && out->reset && first != SG_FERNET_VERIFY_ONLY)
			rc = out->reset(out->ctx, err);
		if (rc == 0) {
			rc = run_pass(&one, 0, src, -1, out, opts, buf, result, err);
			result->key_index = k;
		} else {
			result->check = SG_FERNET_IO;
		}
		result->passes = 2;
	}
	free(buf);
	if (spool_fd >= 0)
		close(spool_fd);
	return rc;
}

int sg_fernet_decrypt_mem(const sg_fernet_keys *keys, const char *token, size_t len,
			  const sg_fernet_decrypt_opts *opts, sg_buf *out, sg_fernet_result *result,
			  sg_error *err)
{
	sg_mem_stream mctx;
	sg_source src;
	sg_source_mem(&src, &mctx, token, len);
	sg_buf plain = SG_BUF_INIT;
	sg_sink sink;
	sg_sink_buf(&sink, &plain);
	int rc = sg_fernet_decrypt_stream(keys, &src, &sink, opts, result, err);
	if (rc == 0)
		sg_buf_put(out, plain.ptr ? plain.ptr : "", plain.len);
	sg_buf_free_secret(&plain);
	return rc;
}
