#include "util/text.h"

#include "util/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

int sg_parse_int64(const char *s, int64_t *out)
{
	if (!s || !*s)
		return -1;
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (errno || !end || *end)
		return -1;
	*out = v;
	return 0;
}

int sg_parse_duration(const char *s, int64_t *out)
{
	if (!s || !*s)
		return -1;
	int64_t plain;
	if (sg_parse_int64(s, &plain) == 0) {
		if (plain < 0)
			return -1;
		*out = plain;
		return 0;
	}
	int64_t total = 0;
	const char *p = s;
	int last_unit = 4; /* units must come in order h, m, s */
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		int64_t n = 0;
		while (isdigit((unsigned char)*p)) {
			if (n > (INT64_MAX - 9) / 10)
				return -1;
			n = n * 10 + (*p - '0');
			p++;
		}
		int unit;
		int64_t mult;
		if (*p == 'h') {
			unit = 3;
			mult = 3600;
		} else if (*p == 'm') {
			unit = 2;
			mult = 60;
		} else if (*p == 's') {
			unit = 1;
			mult = 1;
		} else {
			return -1;
		}
		if (unit >= last_unit)
			return -1;
		last_unit = unit;
		p++;
		if (n > INT64_MAX / mult || total > INT64_MAX - n * mult)
			return -1;
		total += n * mult;
	}
	*out = total;
	return 0;
}

void sg_format_duration(sg_buf *out, int64_t seconds)
{
	if (seconds == 0) {
		sg_buf_puts(out, "0s");
		return;
	}
	int64_t h = seconds / 3600, m = (seconds % 3600) / 60, s = seconds % 60;
	if (h)
		sg_buf_printf(out, "%lldh", (long long)h);
	if (m)
		sg_buf_printf(out, "%lldm", (long long)m);
	if (s)
		sg_buf_printf(out, "%llds", (long long)s);
}

void sg_format_count(sg_buf *out, int64_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%lld", (long long)(n < 0 ? -n : n));
	if (n < 0)
		sg_buf_putc(out, '-');
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			sg_buf_putc(out, ',');
		sg_buf_putc(out, digits[i]);
	}
}

bool sg_str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool sg_str_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

static void put_hex(sg_buf *out, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	sg_buf_grow(out, n * 2);
	for (size_t i = 0; i < n; i++) {
		out->ptr[out->len++] = hex[p[i] >> 4];
		out->ptr[out->len++] = hex[p[i] & 15];
	}
	out->ptr[out->len] = '\0';
}

void sg_random_hex(sg_buf *out, size_t n)
{
	unsigned char *bytes = sg_malloc(n);
	if (RAND_bytes(bytes, (int)n) != 1) {
		/* the OS RNG failing is not something to continue past */
		abort();
	}
	put_hex(out, bytes, n);
	free(bytes);
}

void sg_uuid4(sg_buf *out)
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof(b)) != 1)
		abort();
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	put_hex(out, b, 4);
	sg_buf_putc(out, '-');
	put_hex(out, b + 4, 2);
	sg_buf_putc(out, '-');
	put_hex(out, b + 6, 2);
	sg_buf_putc(out, '-');
	put_hex(out, b + 8, 2);
	sg_buf_putc(out, '-');
	put_hex(out, b + 10, 6);
}

void sg_sha256_hex(sg_buf *out, const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	put_hex(out, md, mdlen);
}

void sg_hmac_sha256_hex(sg_buf *out, const void *key, size_t keylen, const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	HMAC(EVP_sha256(), key, (int)keylen, data, len, md, &mdlen);
	put_hex(out, md, mdlen);
}

size_t sg_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = sg_malloc((lb + 1) * sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

void sg_closest_init(sg_closest *c, const char *word, size_t max_dist)
{
	c->word = word;
	c->best = NULL;
	c->dist = max_dist + 1;
}

void sg_closest_consider(sg_closest *c, const char *candidate)
{
	size_t d = sg_edit_distance(c->word, candidate);
	if (d < c->dist) {
		c->dist = d;
		c->best = candidate;
	}
}

void sg_dot_id(sg_buf *out, const char *s)
{
	sg_buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sg_buf_putc(out, '\\');
		sg_buf_putc(out, *s);
	}
	sg_buf_putc(out, '"');
}
