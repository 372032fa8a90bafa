/*
 * base64url (RFC 4648 §5, alphabet A-Z a-z 0-9 - _) with '=' padding, as
 * Fernet writes it, streaming in both directions.
 *
 * Written here rather than taken from OpenSSL because OpenSSL's EVP_Decode*
 * speaks only the standard alphabet, skips whitespace anywhere and cannot
 * say at which offset the text went wrong; this codec is on the hot path of
 * every file sigma decrypts, so it also has a fast path of 8 characters at
 * a time.
 *
 * The decoder is strict: every character must be in the alphabet; '='
 * only as the last one or two characters of the final 4-character group;
 * nothing but whitespace after the padding; and whitespace (space, tab,
 * CR, LF) only at the very end of the text (a token file ending in a
 * newline is fine, a line-wrapped one is not). Like Python's decoder, it
 * ignores the unused low bits of the last group.
 */
#ifndef SG_UTIL_BASE64URL_H
#define SG_UTIL_BASE64URL_H

#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room that decoding `n` characters needs at most (including carried ones). */
#define SG_B64URL_DECODED_MAX(n) (((n) / 4 + 2) * 3)
/* Room that encoding `n` bytes needs at most (including carried ones and padding). */
#define SG_B64URL_ENCODED_MAX(n) (((n) / 3 + 2) * 4)

/* Why decoding failed, for callers that report the check by name. */
typedef enum sg_b64url_fault {
	SG_B64URL_OK = 0,
	SG_B64URL_BAD_CHAR,  /* a byte outside the alphabet, or misplaced '=' or whitespace */
	SG_B64URL_TRAILING,  /* something other than whitespace after the padding */
	SG_B64URL_TRUNCATED, /* the text ends inside a 4-character group */
} sg_b64url_fault;

typedef struct sg_b64url_decoder {
	uint32_t acc;          /* bits of the characters of the current group */
	unsigned ngroup;       /* characters in the current group (0..3) */
	unsigned npad;         /* '=' seen in the final group */
	bool ended;            /* padding or whitespace seen: only whitespace may follow */
	uint64_t offset;       /* characters consumed so far */
	sg_b64url_fault fault; /* set when an update or final failed */
} sg_b64url_decoder;

typedef struct sg_b64url_encoder {
	uint8_t carry[2];
	unsigned ncarry;
} sg_b64url_encoder;

void sg_b64url_decoder_init(sg_b64url_decoder *d);
/*
 * Decode `len` characters into `out` (room for SG_B64URL_DECODED_MAX(len)),
 * adding the number of bytes written to *out_len (set to 0 first). On
 * failure returns -1, sets d->fault and an error naming the offset of the
 * offending character (never the text itself).
 */
int sg_b64url_decode_update(sg_b64url_decoder *d, const char *in, size_t len, uint8_t *out,
			    size_t *out_len, sg_error *err);
/* The text has ended: fails when it stopped inside a group. Writes nothing. */
int sg_b64url_decode_final(sg_b64url_decoder *d, sg_error *err);

void sg_b64url_encoder_init(sg_b64url_encoder *e);
/* Encode `len` bytes into `out` (room for SG_B64URL_ENCODED_MAX(len)); returns the characters written. */
size_t sg_b64url_encode_update(sg_b64url_encoder *e, const uint8_t *in, size_t len, char *out);
/* Flush the carried bytes with '=' padding (room for 4); returns the characters written. */
size_t sg_b64url_encode_final(sg_b64url_encoder *e, char *out);

/*
 * Whether the decoder may use the CPU's vector instructions (AVX2) where it
 * has them: on by default. For tests and benchmarks of the portable path;
 * not to be flipped while another thread decodes.
 */
void sg_b64url_use_simd(bool on);

/* One-shot helpers: append the encoding of `len` bytes to `out`. */
void sg_b64url_encode(const void *data, size_t len, sg_buf *out);
/* Append the decoding of `len` characters to `out`. Trailing whitespace is allowed. */
int sg_b64url_decode(const char *text, size_t len, sg_buf *out, sg_error *err);

#endif
