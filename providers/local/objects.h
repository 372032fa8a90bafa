/*
 * Objects of the local provider's buckets.
 *
 * A bucket NAME is the directory LOCAL_ROOT/buckets/NAME; the object
 * gs://NAME/a/b.csv is the file LOCAL_ROOT/buckets/NAME/a/b.csv. Object
 * names are checked before any path is built: no "..", "." or empty
 * segment, no leading "/", no NUL or other control character. Temporary
 * files for atomic writes live in LOCAL_ROOT/tmp (same filesystem), never
 * inside a bucket, so a listing never shows half an object.
 */
#ifndef SG_PROVIDERS_LOCAL_OBJECTS_H
#define SG_PROVIDERS_LOCAL_OBJECTS_H

#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>

/* Is `name` a valid Cloud Storage bucket name? When not, why (into `why`). */
bool sg_bucket_name_valid(const char *name, sg_buf *why);
/* Is `name` an object name sigma accepts? When not, why. */
bool sg_object_name_valid(const char *name, sg_buf *why);

/*
 * Split "gs://BUCKET/NAME" into bucket and object name (NAME may be empty
 * for "gs://BUCKET" or "gs://BUCKET/"). Checks both.
 */
int sg_gs_uri_split(const char *uri, sg_buf *bucket, sg_buf *name, sg_error *err);

/* LOCAL_ROOT/buckets/BUCKET */
void sg_local_bucket_dir(const char *local_root, const char *bucket, sg_buf *out);
/* LOCAL_ROOT/tmp, created when missing */
int sg_local_tmp_dir(const char *local_root, sg_buf *out, sg_error *err);

/*
 * The file behind gs://BUCKET/NAME. The bucket must exist (its directory);
 * the object need not. An empty object name is an error.
 */
int sg_local_object_path(const char *local_root, const char *uri, sg_buf *out_path, sg_error *err);

#endif
