/*
 * Objects of the local provider, with what Cloud Storage keeps about them:
 * size, md5 and crc32c (base64, as GCS shows them), generation and update
 * time; and the event queue that bucket notifications feed.
 *
 *   LOCAL_ROOT/buckets/BUCKET/NAME   the object's bytes
 *   LOCAL_ROOT/tmp/                  objects being written (never inside a bucket)
 *   LOCAL_ROOT/control.db            tables `objects` (metadata) and `events`
 *
 * Metadata lives in the control store, one row per object, because the
 * event a write queues must be recorded in the same transaction as the
 * write's metadata. A row also holds the inode, size and modification time
 * of the file it describes, and is believed only while the file still has
 * them: an object dropped into a bucket directory by hand, or changed in
 * place, has no believable row, and its hashes are computed when asked for
 * (and recorded).
 *
 * A write (sg_object_writer) goes:
 *   1. bytes into a temporary file in LOCAL_ROOT/tmp, md5 and crc32c
 *      computed in the same pass;
 *   2. fsync;
 *   3. one BEGIN IMMEDIATE transaction records the metadata and, when the
 *      bucket has a notification whose prefix matches the name, queues the
 *      event {bucket, name, size, md5, crc32c, time, generation};
 *   4. rename into the bucket, fsync of the directory.
 * A reader sees the old object or the new one, never half of one. A crash
 * before 3 leaves nothing in the bucket (the temporary file is swept by a
 * later write); a crash between 3 and 4 leaves an event whose object did
 * not land, so events are delivered at least once and never lost: whoever
 * runs an event checks that the object still has the event's md5 and
 * generation (sg_objects_event_is_current). A crash after 4 is a whole
 * write.
 *
 * Buckets are directories, so an object and a prefix of the same name
 * ("a" and "a/b") cannot both exist; such a write is refused.
 *
 * Not thread-safe: one sg_objects per thread (the control store it
 * borrows may be shared).
 */
#ifndef SG_PROVIDERS_LOCAL_OBJECT_STORE_H
#define SG_PROVIDERS_LOCAL_OBJECT_STORE_H

#include "providers/local/control.h"
#include "util/buf.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returned (with the error set) when an object, prefix or bucket is not there. */
#define SG_OBJECTS_NOT_FOUND (-2)

/* Base64 of an md5 digest and of a crc32c, with the terminating NUL. */
#define SG_MD5_B64_SIZE 25
#define SG_CRC32C_B64_SIZE 9

typedef struct sg_objects sg_objects;

typedef struct sg_object_info {
	const char *name;     /* listings: the object's name, or a prefix ending in '/'; borrowed */
	bool is_prefix;
	int64_t size;
	int64_t mtime_ns;     /* last update, nanoseconds since the epoch */
	int64_t generation;   /* the update time in microseconds, as GCS numbers generations */
	bool has_hashes;      /* md5 and crc32c are known */
	char md5[SG_MD5_B64_SIZE];
	char crc32c[SG_CRC32C_B64_SIZE];
} sg_object_info;

/*
 * The objects under `local_root`. `control` is borrowed (the provider's
 * store), or NULL: then LOCAL_ROOT/control.db is opened when first needed
 * (listing names never needs it).
 */
int sg_objects_open(const char *local_root, sg_control *control, sg_objects **out, sg_error *err);
void sg_objects_close(sg_objects *o);

/*
 * Does the bucket exist (its directory)? 0 when it does; otherwise
 * SG_OBJECTS_NOT_FOUND and "bucket NAME does not exist", or -1 when the
 * name is not a valid bucket name.
 */
int sg_objects_bucket_check(sg_objects *o, const char *bucket, sg_error *err);

/* What a lookup wants besides size and time. */
enum {
	SG_OBJECTS_HASHES = 1u << 0,    /* md5 and crc32c, computed (and recorded) when unknown */
	SG_OBJECTS_RECURSIVE = 1u << 1, /* listings: every object under the prefix, no sub-prefixes */
};

/*
 * The object gs://BUCKET/NAME. SG_OBJECTS_NOT_FOUND when it does not exist
 * ("gs://b/x: no such object"), or when NAME is a prefix ("gs://b/x is a
 * prefix, not an object"), with out->is_prefix set.
 */
int sg_objects_stat(sg_objects *o, const char *bucket, const char *name, unsigned flags,
		    sg_object_info *out, sg_error *err);

/*
 * Open the object for reading: *out_fd (the caller closes it) and its
 * info, with hashes only when recorded ones are believable (nothing is
 * computed). Errors as sg_objects_stat.
 */
int sg_objects_open_read(sg_objects *o, const char *bucket, const char *name, int *out_fd,
			 sg_object_info *out, sg_error *err);

/* What listings call for each entry. A result < 0 stops the walk with that result. */
typedef int (*sg_object_visit)(void *ctx, const sg_object_info *info, sg_error *err);

/*
 * Remove the object and its metadata; directories it leaves empty go too.
 * SG_OBJECTS_NOT_FOUND when there is no such object.
 */
int sg_objects_delete(sg_objects *o, const char *bucket, const char *name, sg_error *err);

/*
 * Remove every object under `prefix` ("" or ending with '/'; "" removes all
 * of the bucket's objects, the bucket stays), calling `visit` (may be NULL)
 * with each name just before it goes. Objects that vanish meanwhile are
 * skipped. Stops at the first failure.
 */
int sg_objects_delete_prefix(sg_objects *o, const char *bucket, const char *prefix, sg_object_visit visit,
			     void *ctx, sg_error *err);

/*
 * Visit what is under `prefix` in the bucket, in name order. `prefix` is
 * "" (the whole bucket) or ends with '/'. Without SG_OBJECTS_RECURSIVE:
 * the objects directly under it and its sub-prefixes (names ending in
 * '/', only those that hold objects); with it: every object under it.
 * With SG_OBJECTS_HASHES, objects without believable metadata are hashed
 * (and recorded once the listing is done). A visitor returning < 0 stops
 * the listing with that result.
 */
int sg_objects_list(sg_objects *o, const char *bucket, const char *prefix, unsigned flags,
		    sg_object_visit visit, void *ctx, sg_error *err);

/* Visit the names of the buckets (directories of LOCAL_ROOT/buckets), in order; info->name is the bucket. */
int sg_objects_list_buckets(sg_objects *o, sg_object_visit visit, void *ctx, sg_error *err);

/*
 * Forget the metadata of every object of `bucket` (when it is destroyed).
 * Queued events stay: they are history.
 */
int sg_objects_forget_bucket(sg_control *control, const char *bucket, sg_error *err);

/* An update time as ISO 8601 UTC, appended: "2024-06-15T11:30:00Z", or with milliseconds. */
void sg_objects_format_time(sg_buf *out, int64_t ns, bool with_ms);

/* --- writing ------------------------------------------------------------ */

typedef struct sg_object_writer sg_object_writer;

/*
 * Start writing gs://BUCKET/NAME. Checks, before any byte is taken, that
 * the bucket exists, the name is valid and that no prefix or object of a
 * clashing name is in the way. Also removes temporary files that writers
 * which died left in LOCAL_ROOT/tmp.
 */
int sg_object_writer_open(sg_objects *o, const char *bucket, const char *name, sg_object_writer **out,
			  sg_error *err);
int sg_object_writer_write(sg_object_writer *w, const void *data, size_t len, sg_error *err);
/* Bytes written so far. */
uint64_t sg_object_writer_size(const sg_object_writer *w);

typedef struct sg_object_put_result {
	sg_object_info info;   /* of the new object (info.name is NULL) */
	int64_t event_id;      /* the queued event, or 0 when the bucket has no matching notification */
	char workflow[256];    /* the event's workflow ("" when none) */
} sg_object_put_result;

/*
 * Publish the object (steps 2-4 above). `out` may be NULL. After a failure
 * nothing is published and the temporary file is gone.
 */
int sg_object_writer_commit(sg_object_writer *w, sg_object_put_result *out, sg_error *err);
/* Free the writer; when not committed, the temporary file is removed. */
void sg_object_writer_free(sg_object_writer *w);

/* --- events ------------------------------------------------------------- */

typedef struct sg_object_event {
	int64_t id;
	const char *bucket, *name, *md5, *crc32c;
	int64_t size, generation;
	const char *time;       /* the object's update time, 2024-06-15T11:30:00.123Z */
	const char *workflow;
	const char *status;     /* pending, then what the runner records (running, done, failed) */
	int64_t attempts;
	const char *error;      /* NULL when none */
	const char *created_at; /* when it was queued */
} sg_object_event;

/* Called for each event; its strings are borrowed for the call only. */
typedef int (*sg_object_event_visit)(void *ctx, const sg_object_event *ev, sg_error *err);

/* Visit the queued events in order, all of them or those with `status` (NULL = all). */
int sg_objects_events_list(sg_objects *o, const char *status, sg_object_event_visit visit, void *ctx,
			   sg_error *err);

/* The event as a workflow run reads it: {"bucket", "name", "size", "md5", "crc32c", "time", "generation"}. */
json_t *sg_object_event_payload(const sg_object_event *ev);

/*
 * Is the object the event speaks of still the one it was queued for (same
 * size, md5 and generation)? False when it was overwritten or removed
 * since, or when the write that queued it died before the rename.
 */
int sg_objects_event_is_current(sg_objects *o, const sg_object_event *ev, bool *out, sg_error *err);

#endif
