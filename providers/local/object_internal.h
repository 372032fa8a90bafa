/* Shared between the object store's files (object_*.c); not for use outside them. */
#ifndef SG_PROVIDERS_LOCAL_OBJECT_INTERNAL_H
#define SG_PROVIDERS_LOCAL_OBJECT_INTERNAL_H

#include "providers/local/object_store.h"
#include "util/buf.h"

#include <sqlite3.h>
#include <sys/stat.h>

struct sg_objects {
	char *root;
	sg_control *control;   /* borrowed or owned */
	bool owns_control;
	bool schema_ready;
	sqlite3_stmt *get_meta; /* SELECT of one metadata row, kept for listings */
};

/* The control store, opened on first use, with the object tables created. */
int sg_objects_control(sg_objects *o, sg_control **out, sg_error *err);

/* LOCAL_ROOT/buckets/BUCKET[/NAME] into `out` (NAME may be NULL or ""). */
void sg_objects_path(const sg_objects *o, const char *bucket, const char *name, sg_buf *out);

/* Does the directory hold a regular file anywhere below it (an object)? */
bool sg_objects_dir_has_objects(const char *dir);

/* size, mtime and generation from a stat; no hashes. */
void sg_objects_info_from_stat(const struct stat *st, sg_object_info *info);

/* Base64 of the md5 digest and of the crc32c (big-endian, as GCS) into `info`. */
void sg_objects_set_hashes(sg_object_info *info, const unsigned char md5[16], uint32_t crc32c);

/* Read `fd` from its start to the end, computing both hashes into `info`. */
int sg_objects_hash_fd(int fd, const char *what, sg_object_info *info, sg_error *err);

/*
 * Fill info's hashes from the metadata row of (bucket, name) when the row
 * describes the file `st` (same inode, size, mtime); *found says whether
 * it did. Opens the control store when needed.
 */
int sg_objects_meta_lookup(sg_objects *o, const char *bucket, const char *name, const struct stat *st,
			   sg_object_info *info, bool *found, sg_error *err);

/*
 * Record (insert or replace) the metadata row of (bucket, name) for the
 * file `st`, inside the transaction the caller holds on `c`.
 */
int sg_objects_meta_put(sg_control *c, const char *bucket, const char *name, const struct stat *st,
			const sg_object_info *info, sg_error *err);

/*
 * Inside the caller's transaction on `c`: when the bucket has a
 * notification whose prefix matches `name`, queue its event. *out_id is
 * the event's id (0 when none was queued) and `workflow` its workflow.
 */
int sg_objects_queue_event(sg_control *c, const char *bucket, const char *name, const sg_object_info *info,
			   int64_t *out_id, char *workflow, size_t workflow_size, sg_error *err);

#endif
