/*
 * The HMAC-SHA256 of a Fernet token under every candidate key at once,
 * computed on a second thread for large inputs so that it overlaps the
 * base64 decoding, the decryption and the I/O of the reader's own thread.
 * Internal to the Fernet reader (pipeline/fernet.c).
 *
 * Bytes given to update are read later, by the worker: the caller must
 * leave them unchanged until its next call to update or sync has
 * returned (one piece is in flight at a time).
 */
#ifndef SG_PIPELINE_FERNET_MACS_H
#define SG_PIPELINE_FERNET_MACS_H

#include "pipeline/fernet.h"

typedef struct sg_fernet_macs sg_fernet_macs;

/* One HMAC per key of `keys` (borrowed), each fed `header` first. */
int sg_fernet_macs_new(sg_fernet_macs **out, const sg_fernet_keys *keys, const uint8_t *header,
		       size_t len, sg_error *err);
int sg_fernet_macs_update(sg_fernet_macs *m, const uint8_t *p, size_t len, sg_error *err);
/* Wait until every byte given so far has been taken in. */
int sg_fernet_macs_sync(sg_fernet_macs *m, sg_error *err);
/*
 * Finish the HMACs (after a sync) and compare each with `tag` in constant
 * time: *index is the first key that matches, or keys->n when none does.
 */
int sg_fernet_macs_verify(sg_fernet_macs *m, const uint8_t *tag, size_t *index, sg_error *err);
void sg_fernet_macs_free(sg_fernet_macs *m);

#endif
