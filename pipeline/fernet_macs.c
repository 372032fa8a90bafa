#include "pipeline/fernet_macs.h"

#include "util/alloc.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Pieces smaller than this are hashed at once: a thread would cost more than it saves. */
#define WORKER_MIN_PIECE (16 * 1024)

struct sg_fernet_macs {
	size_t n;
	EVP_MAC *mac;
	EVP_MAC_CTX **ctx;

	bool has_worker;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const uint8_t *job; /* in flight when has_job */
	size_t job_len;
	bool has_job, quit, failed;
};

static bool update_all(sg_fernet_macs *m, const uint8_t *p, size_t len)
{
	bool ok = true;
	for (size_t i = 0; i < m->n; i++)
		ok = EVP_MAC_update(m->ctx[i], p, len) == 1 && ok;
	return ok;
}

static void *worker_main(void *arg)
{
	sg_fernet_macs *m = arg;
	pthread_mutex_lock(&m->mu);
	for (;;) {
		while (!m->has_job && !m->quit)
			pthread_cond_wait(&m->cv, &m->mu);
		if (!m->has_job)
			break;
		const uint8_t *p = m->job;
		size_t len = m->job_len;
		pthread_mutex_unlock(&m->mu);
		bool ok = update_all(m, p, len);
		pthread_mutex_lock(&m->mu);
		if (!ok)
			m->failed = true;
		m->has_job = false;
		pthread_cond_broadcast(&m->cv);
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

int sg_fernet_macs_new(sg_fernet_macs **out, const sg_fernet_keys *keys, const uint8_t *header,
		       size_t len, sg_error *err)
{
	*out = NULL;
	sg_fernet_macs *m = sg_calloc(1, sizeof(*m));
	m->n = keys->n;
	m->ctx = sg_calloc(keys->n, sizeof(*m->ctx));
	m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	bool ok = m->mac != NULL;
	for (size_t i = 0; ok && i < keys->n; i++) {
		m->ctx[i] = EVP_MAC_CTX_new(m->mac);
		ok = m->ctx[i] && EVP_MAC_init(m->ctx[i], keys->items[i].signing, 16, params) == 1 &&
		     EVP_MAC_update(m->ctx[i], header, len) == 1;
	}
	if (!ok) {
		sg_fernet_macs_free(m);
		return sg_error_set(err, "cannot start HMAC-SHA256 (OpenSSL)");
	}
	*out = m;
	return 0;
}

static void wait_idle(sg_fernet_macs *m)
{
	pthread_mutex_lock(&m->mu);
	while (m->has_job)
		pthread_cond_wait(&m->cv, &m->mu);
	pthread_mutex_unlock(&m->mu);
}

static bool start_worker(sg_fernet_macs *m)
{
	if (pthread_mutex_init(&m->mu, NULL) != 0)
		return false;
	if (pthread_cond_init(&m->cv, NULL) != 0) {
		pthread_mutex_destroy(&m->mu);
		return false;
	}
	if (pthread_create(&m->thread, NULL, worker_main, m) != 0) {
		pthread_cond_destroy(&m->cv);
		pthread_mutex_destroy(&m->mu);
		return false;
	}
	m->has_worker = true;
	return true;
}

int sg_fernet_macs_update(sg_fernet_macs *m, const uint8_t *p, size_t len, sg_error *err)
{
	if (len == 0)
		return 0;
	/* no worker (or none to be had): hash here, in order */
	if (!m->has_worker && (len < WORKER_MIN_PIECE || !start_worker(m))) {
		if (!update_all(m, p, len))
			return sg_error_set(err, "HMAC-SHA256 failed (OpenSSL)");
		return 0;
	}
	pthread_mutex_lock(&m->mu);
	while (m->has_job)
		pthread_cond_wait(&m->cv, &m->mu);
	m->job = p;
	m->job_len = len;
	m->has_job = true;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
	return 0;
}

int sg_fernet_macs_sync(sg_fernet_macs *m, sg_error *err)
{
	if (!m->has_worker)
		return 0;
	wait_idle(m);
	if (m->failed)
		return sg_error_set(err, "HMAC-SHA256 failed (OpenSSL)");
	return 0;
}

int sg_fernet_macs_verify(sg_fernet_macs *m, const uint8_t *tag, size_t *index, sg_error *err)
{
	if (sg_fernet_macs_sync(m, err) < 0)
		return -1;
	size_t found = m->n;
	for (size_t i = 0; i < m->n; i++) {
		uint8_t mac[EVP_MAX_MD_SIZE];
		size_t maclen = 0;
		if (EVP_MAC_final(m->ctx[i], mac, &maclen, sizeof(mac)) != 1 || maclen != SG_FERNET_HMAC_LEN)
			return sg_error_set(err, "HMAC-SHA256 failed (OpenSSL)");
		if (found == m->n && CRYPTO_memcmp(mac, tag, SG_FERNET_HMAC_LEN) == 0)
			found = i;
		sg_wipe(mac, sizeof(mac));
	}
	*index = found;
	return 0;
}

void sg_fernet_macs_free(sg_fernet_macs *m)
{
	if (!m)
		return;
	if (m->has_worker) {
		pthread_mutex_lock(&m->mu);
		m->quit = true;
		pthread_cond_broadcast(&m->cv);
		pthread_mutex_unlock(&m->mu);
		pthread_join(m->thread, NULL);
		pthread_cond_destroy(&m->cv);
		pthread_mutex_destroy(&m->mu);
	}
	for (size_t i = 0; m->ctx && i < m->n; i++)
		EVP_MAC_CTX_free(m->ctx[i]);
	free(m->ctx);
	EVP_MAC_free(m->mac);
	sg_wipe(m, sizeof(*m));
	free(m);
}
