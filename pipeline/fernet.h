/*
 * Fernet (github.com/fernet/spec, Spec.md), streaming, in constant memory.
 *
 * A token is base64url (with '=' padding) of
 *
 *     0x80 | timestamp (u64 BE) | IV (16) | AES-128-CBC(PKCS#7) ciphertext | HMAC-SHA256 (32)
 *
 * where the HMAC covers everything before it. A key is 32 bytes written
 * as 44 characters of base64url: the HMAC signing key, then the AES
 * encryption key.
 *
 * Decryption reads the token once, in fixed-size pieces: it decodes the
 * base64, checks the version byte and (when a TTL is given) the
 * timestamp as soon as the header has arrived, feeds the HMAC of every
 * candidate key and decrypts with one of them, and emits plaintext as it
 * goes. The last 32 bytes are the HMAC, so it is only when the input ends
 * that the token can be authenticated: a decryptor's output is
 * UNAUTHENTICATED until finish (or sg_fernet_decrypt_stream) returns 0.
 * A sink must therefore keep what it receives where nobody can use it (a
 * temporary file, a buffer) and publish it only on success, and discard
 * it on failure. The checks, in the spec's order: base64, version, TTL,
 * HMAC (compared in constant time), then ciphertext length, padding and,
 * with gunzip, the end of the gzip stream. What the text reveals early
 * (a character outside base64url, the version byte, the timestamp) fails
 * at once, without reading the rest, and the fault earliest in the text
 * wins, however the text was cut into pieces. The checks after the HMAC
 * are reported only once it verified, so an altered token is always
 * "HMAC mismatch", never "bad padding" or "corrupt gzip".
 *
 * Time checks follow Python's cryptography (what wrote most tokens sigma
 * reads): only when a TTL is given, the token is refused when
 * timestamp + ttl < now (expired) or timestamp > now + 60 (clock skew).
 * Without a TTL no time check applies.
 *
 * Several keys (key rotation, cryptography's MultiFernet): the token is
 * accepted when any key's HMAC verifies, trying them in order. One pass
 * computes the HMAC of every key at once and decrypts with the first; if
 * another key verified, the output is reset and a second pass decrypts
 * with that key (and verifies it again). A second pass needs a source that
 * can rewind; sg_fernet_decrypt_stream spools a source that cannot (a
 * pipe) to an anonymous temporary file during the first pass.
 *
 * Keys are wiped when freed; no message ever holds key material.
 */
#ifndef SG_PIPELINE_FERNET_H
#define SG_PIPELINE_FERNET_H

#include "pipeline/stream.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SG_FERNET_VERSION 0x80
#define SG_FERNET_KEY_TEXT_LEN 44   /* characters of a key in base64url */
#define SG_FERNET_MAX_CLOCK_SKEW 60 /* seconds a timestamp may be ahead of now */
#define SG_FERNET_HEADER_LEN 25     /* version, timestamp, IV */
#define SG_FERNET_HMAC_LEN 32
/* The shortest token: header, one block of ciphertext, HMAC. */
#define SG_FERNET_MIN_LEN (SG_FERNET_HEADER_LEN + 16 + SG_FERNET_HMAC_LEN)

/* ---------------------------------------------------------------- keys */

typedef struct sg_fernet_key {
	uint8_t signing[16];
	uint8_t encryption[16];
} sg_fernet_key;

/* An ordered set of keys: encryption uses the first, decryption tries each. */
typedef struct sg_fernet_keys {
	sg_fernet_key *items;
	size_t n;
} sg_fernet_keys;

#define SG_FERNET_KEYS_INIT { NULL, 0 }

/* Parse one key (44 characters of base64url for 32 bytes). Messages never quote the text. */
int sg_fernet_key_parse(sg_fernet_key *out, const char *text, size_t len, sg_error *err);
/*
 * Append the keys of `text` to `out`: one key a line (or separated by
 * commas), surrounding whitespace ignored, empty lines and lines starting
 * with '#' skipped. `origin` names the text in messages ("key file k.txt",
 * "$FERNET_KEY"). At least one key is required.
 */
int sg_fernet_keys_parse(sg_fernet_keys *out, const char *text, size_t len, const char *origin,
			 sg_error *err);
/* Add one key (copied). */
void sg_fernet_keys_add(sg_fernet_keys *keys, const sg_fernet_key *key);
/* Wipe and free. */
void sg_fernet_keys_free(sg_fernet_keys *keys);
/* A new random key from the OS's generator (OpenSSL RAND_bytes). */
void sg_fernet_key_generate(sg_fernet_key *out);
/* The key as 44 characters of base64url and a NUL. Wipe `out` after use. */
void sg_fernet_key_format(const sg_fernet_key *key, char out[SG_FERNET_KEY_TEXT_LEN + 1]);

/* -------------------------------------------------------------- checks */

/* Which check refused a token: what sg_fernet_result.check holds after a failure. */
typedef enum sg_fernet_check {
	SG_FERNET_OK = 0,
	SG_FERNET_BAD_BASE64,       /* a character outside base64url, or misplaced padding */
	SG_FERNET_TRAILING_GARBAGE, /* something other than whitespace after the padding */
	SG_FERNET_TRUNCATED,        /* the token ends too early (or its length cannot be a token's) */
	SG_FERNET_BAD_VERSION,      /* first byte not 0x80 */
	SG_FERNET_EXPIRED,          /* timestamp + ttl < now */
	SG_FERNET_FUTURE,           /* timestamp > now + 60 s */
	SG_FERNET_BAD_HMAC,         /* no key's HMAC matches: wrong key, or the token was altered */
	SG_FERNET_BAD_LENGTH,       /* authentic, but the ciphertext is empty or not whole blocks */
	SG_FERNET_BAD_PADDING,      /* authentic, but the PKCS#7 padding is invalid */
	SG_FERNET_BAD_GZIP,         /* authentic, but the plaintext is not a whole gzip stream */
	SG_FERNET_OTHER_KEY,        /* decryptor only: another key of the set verified (key_index) */
	SG_FERNET_IO,               /* reading the source or writing the sink failed */
} sg_fernet_check;

/* A short name for a check ("hmac mismatch"), for logs and tests. */
const char *sg_fernet_check_name(sg_fernet_check check);

/* ---------------------------------------------------------- decryption */

typedef struct sg_fernet_decrypt_opts {
	int64_t ttl_sec;       /* < 0: no time checks (the default); else the time to live */
	bool has_now;          /* use `now` as the current time instead of the clock */
	int64_t now;           /* seconds since the epoch */
	bool gunzip;           /* the plaintext is gzip: emit it decompressed */
	const char *spool_dir; /* where to spool an unrewindable source (NULL: $TMPDIR or /tmp) */
} sg_fernet_decrypt_opts;

#define SG_FERNET_DECRYPT_OPTS_INIT { -1, false, 0, false, NULL }

typedef struct sg_fernet_result {
	sg_fernet_check check;    /* SG_FERNET_OK, or the check that failed */
	size_t key_index;         /* the key whose HMAC verified */
	bool has_timestamp;       /* the header was read: `timestamp` is the token's */
	uint64_t timestamp;
	uint64_t token_bytes;     /* decoded bytes of the token */
	uint64_t plaintext_bytes; /* bytes given to the sink (decompressed ones with gunzip) */
	unsigned passes;          /* 1, or 2 when a key other than the first signed the token */
} sg_fernet_result;

/* Decrypt with no key: only verify (check the HMAC of every key, emit nothing). */
#define SG_FERNET_VERIFY_ONLY ((size_t)-1)

typedef struct sg_fernet_decryptor sg_fernet_decryptor;

/*
 * A one-pass decryptor fed with token text by the caller (push style).
 * It checks the HMAC of every key of `keys` and decrypts with
 * keys->items[decrypt_with] (or nothing, SG_FERNET_VERIFY_ONLY) into
 * `sink`. `keys`, `opts` and `sink` are borrowed until free.
 */
int sg_fernet_decryptor_new(sg_fernet_decryptor **out, const sg_fernet_keys *keys, size_t decrypt_with,
			    const sg_fernet_decrypt_opts *opts, const sg_sink *sink, sg_error *err);
/* Feed `len` more characters of the token. Fails early on bad base64, version or time. */
int sg_fernet_decryptor_update(sg_fernet_decryptor *d, const char *text, size_t len, sg_error *err);
/*
 * The token has ended: verify it and flush the last plaintext. 0 when the
 * token is authentic, decrypted with `decrypt_with`, and whole. -1 with
 * result->check saying why otherwise; SG_FERNET_OTHER_KEY means key
 * result->key_index verified, not `decrypt_with`: what the sink got is
 * garbage and a new pass with that key is needed.
 */
int sg_fernet_decryptor_finish(sg_fernet_decryptor *d, sg_fernet_result *result, sg_error *err);
/* The result so far (the failed check after an update failed). */
const sg_fernet_result *sg_fernet_decryptor_result(const sg_fernet_decryptor *d);
void sg_fernet_decryptor_free(sg_fernet_decryptor *d);

/*
 * Decrypt all of `in` into `out`, with every key of `keys` (second pass and
 * spooling as described at the top). 0 when every check passed; then, and
 * only then, may the caller publish what `out` received. With several keys
 * `out` needs a reset, or the first pass only verifies and the second
 * decrypts. `result` may be NULL.
 */
int sg_fernet_decrypt_stream(const sg_fernet_keys *keys, const sg_source *in, const sg_sink *out,
			     const sg_fernet_decrypt_opts *opts, sg_fernet_result *result, sg_error *err);
/* The same over a token in memory, appending the plaintext to `out` (left as it was on failure). */
int sg_fernet_decrypt_mem(const sg_fernet_keys *keys, const char *token, size_t len,
			  const sg_fernet_decrypt_opts *opts, sg_buf *out, sg_fernet_result *result,
			  sg_error *err);

/* ---------------------------------------------------------- encryption */

typedef struct sg_fernet_encrypt_opts {
	bool gzip;          /* gzip the plaintext before encrypting it */
	int gzip_level;     /* 1..9; 0: zlib's default (6) */
	bool has_now;       /* the timestamp to write instead of the clock's */
	int64_t now;
	const uint8_t *iv;  /* 16 bytes to use as IV; NULL: random (tests only set it) */
} sg_fernet_encrypt_opts;

#define SG_FERNET_ENCRYPT_OPTS_INIT { false, 0, false, 0, NULL }

typedef struct sg_fernet_encryptor sg_fernet_encryptor;

/* A token writer into `sink` (push style); it writes the header at once. */
int sg_fernet_encryptor_new(sg_fernet_encryptor **out, const sg_fernet_key *key,
			    const sg_fernet_encrypt_opts *opts, const sg_sink *sink, sg_error *err);
int sg_fernet_encryptor_update(sg_fernet_encryptor *e, const void *data, size_t len, sg_error *err);
/* Pad, sign, and write the end of the token. */
int sg_fernet_encryptor_finish(sg_fernet_encryptor *e, sg_error *err);
void sg_fernet_encryptor_free(sg_fernet_encryptor *e);

/* Encrypt all of `in` as one token into `out` (no newline after it). */
int sg_fernet_encrypt_stream(const sg_fernet_key *key, const sg_source *in, const sg_sink *out,
			     const sg_fernet_encrypt_opts *opts, sg_error *err);
/* The same from memory, appending the token to `out`. */
int sg_fernet_encrypt_mem(const sg_fernet_key *key, const void *data, size_t len,
			  const sg_fernet_encrypt_opts *opts, sg_buf *out, sg_error *err);

#endif
