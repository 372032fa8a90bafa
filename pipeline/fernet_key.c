/* Fernet keys: parsing, formatting, generating (the rest of pipeline/fernet.h is in fernet.c). */
#include "pipeline/fernet.h"

#include "util/alloc.h"
#include "util/base64url.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

int sg_fernet_key_parse(sg_fernet_key *out, const char *text, size_t len, sg_error *err)
{
	if (len != SG_FERNET_KEY_TEXT_LEN)
		return sg_error_set(err,
				    "not a Fernet key: expected 44 characters of base64url (32 bytes), found "
				    "%zu characters",
				    len);
	uint8_t raw[SG_B64URL_DECODED_MAX(SG_FERNET_KEY_TEXT_LEN)];
	size_t n = 0;
	sg_b64url_decoder d;
	sg_b64url_decoder_init(&d);
	int rc = sg_b64url_decode_update(&d, text, len, raw, &n, NULL);
	if (rc == 0)
		rc = sg_b64url_decode_final(&d, NULL);
	if (rc == 0 && n != sizeof(*out)) {
		rc = -1;
	}
	if (rc < 0) {
		sg_wipe(raw, sizeof(raw));
		sg_wipe(&d, sizeof(d));
		/* the decoder's own message would quote a byte of the key: say less */
		return sg_error_set(err, "not a Fernet key: not 32 bytes of base64url");
	}
	memcpy(out->signing, raw, 16);
	memcpy(out->encryption, raw + 16, 16);
	sg_wipe(raw, sizeof(raw));
	sg_wipe(&d, sizeof(d));
	return 0;
}

void sg_fernet_keys_add(sg_fernet_keys *keys, const sg_fernet_key *key)
{
	/* grow by copying, so no stale copy of a key is left in freed memory */
	sg_fernet_key *items = sg_malloc((keys->n + 1) * sizeof(*items));
	if (keys->n)
		memcpy(items, keys->items, keys->n * sizeof(*items));
	items[keys->n] = *key;
	if (keys->items) {
		sg_wipe(keys->items, keys->n * sizeof(*items));
		free(keys->items);
	}
	keys->items = items;
	keys->n++;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int sg_fernet_keys_parse(sg_fernet_keys *out, const char *text, size_t len, const char *origin,
			 sg_error *err)
{
	size_t before = out->n;
	size_t line = 1;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *stop = eol ? eol : end;
		while (p < stop && is_blank(*p))
			p++;
		if (p < stop && *p != '#') {
			/* comma-separated keys on one line (an environment variable has no newlines) */
			while (p < stop) {
				const char *comma = memchr(p, ',', (size_t)(stop - p));
				const char *k_end = comma ? comma : stop;
				const char *k = p;
				while (k < k_end && is_blank(*k))
					k++;
				const char *e = k_end;
				while (e > k && is_blank(e[-1]))
					e--;
				if (e > k) {
					sg_fernet_key key;
					if (sg_fernet_key_parse(&key, k, (size_t)(e - k), err) < 0)
						return sg_error_prefix(err, "%s, line %zu: ", origin, line);
					sg_fernet_keys_add(out, &key);
					sg_wipe(&key, sizeof(key));
				}
				p = comma ? comma + 1 : stop;
			}
		}
		p = eol ? eol + 1 : end;
		line++;
	}
	if (out->n == before)
		return sg_error_set(err, "%s holds no key", origin);
	return 0;
}

void sg_fernet_keys_free(sg_fernet_keys *keys)
{
	if (keys->items) {
		sg_wipe(keys->items, keys->n * sizeof(*keys->items));
		free(keys->items);
	}
	keys->items = NULL;
	keys->n = 0;
}

void sg_fernet_key_generate(sg_fernet_key *out)
{
	uint8_t raw[32];
	/* the OS's generator failing is not something to continue past */
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		abort();
	memcpy(out->signing, raw, 16);
	memcpy(out->encryption, raw + 16, 16);
	sg_wipe(raw, sizeof(raw));
}

void sg_fernet_key_format(const sg_fernet_key *key, char out[SG_FERNET_KEY_TEXT_LEN + 1])
{
	uint8_t raw[32];
	char text[SG_B64URL_ENCODED_MAX(32)];
	memcpy(raw, key->signing, 16);
	memcpy(raw + 16, key->encryption, 16);
	sg_b64url_encoder e;
	sg_b64url_encoder_init(&e);
	size_t n = sg_b64url_encode_update(&e, raw, sizeof(raw), text);
	n += sg_b64url_encode_final(&e, text + n);
	memcpy(out, text, SG_FERNET_KEY_TEXT_LEN);
	out[SG_FERNET_KEY_TEXT_LEN] = '\0';
	sg_wipe(raw, sizeof(raw));
	sg_wipe(text, sizeof(text));
	sg_wipe(&e, sizeof(e));
	(void)n;
}
