/*
 * Small parsers and checks on text: durations, integers, identifiers,
 * random identifiers and digests. Use these instead of atoi() and friends.
 */
#ifndef SG_UTIL_TEXT_H
#define SG_UTIL_TEXT_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A duration: an integer number of seconds ("90") or a sequence of
 * number+unit with units h, m, s ("90s", "2m", "1h30m"). Seconds into
 * `out`; 0 on success, -1 when `s` is not a duration.
 */
int sg_parse_duration(const char *s, int64_t *out);
/* A decimal integer with optional sign, the whole string, no overflow. */
int sg_parse_int64(const char *s, int64_t *out);
/* A duration printed back as the shortest "1h30m" form. */
void sg_format_duration(sg_buf *out, int64_t seconds);
/* `n` with thousands separators: 12,345. */
void sg_format_count(sg_buf *out, int64_t n);

bool sg_str_starts_with(const char *s, const char *prefix);
bool sg_str_ends_with(const char *s, const char *suffix);

/* `n` random bytes from the OS (OpenSSL's RAND_bytes), as lower-case hex. */
void sg_random_hex(sg_buf *out, size_t n);
/* A random RFC 4122 version 4 UUID. */
void sg_uuid4(sg_buf *out);
/* SHA-256 of `len` bytes as lower-case hex. */
void sg_sha256_hex(sg_buf *out, const void *data, size_t len);
/* HMAC-SHA256(key, data) as lower-case hex. */
void sg_hmac_sha256_hex(sg_buf *out, const void *key, size_t keylen, const void *data, size_t len);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t sg_edit_distance(const char *a, const char *b);
/* Append `s` as a quoted Graphviz DOT identifier ("a\"b"). */
void sg_dot_id(sg_buf *out, const char *s);

/*
 * The candidate closest to a misspelt word, for "did you mean": init, then
 * consider each candidate; `best` is NULL when none is within max_dist.
 */
typedef struct sg_closest {
	const char *word;
	const char *best;
	size_t dist;
} sg_closest;

void sg_closest_init(sg_closest *c, const char *word, size_t max_dist);
void sg_closest_consider(sg_closest *c, const char *candidate);

#endif
