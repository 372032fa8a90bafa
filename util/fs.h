/*
 * Files that a user could lose go through here.
 *
 * Every durable write is: a temporary file in the destination's directory,
 * fsync, rename over the destination, fsync of the directory. A reader sees
 * the old file or the new one, never half of one, and a crash at any point
 * leaves one of the two.
 */
#ifndef SG_UTIL_FS_H
#define SG_UTIL_FS_H

#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Write `len` bytes to `path` atomically (mode 0644, or `mode` when given to _mode). */
int sg_fs_write_atomic(const char *path, const void *data, size_t len, sg_error *err);
int sg_fs_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode,
			    sg_error *err);

/*
 * A file written in pieces and published atomically: open creates a
 * temporary file beside `path` (or in `tmp_dir` when not NULL, which must be
 * on the same filesystem); commit fsyncs and renames it into place; abort
 * (or a failed commit) removes it. Abort after commit is a no-op, so
 * callers can always abort on their way out.
 */
typedef struct sg_atomic_file {
	int fd;
	char *tmp_path;
	char *final_path;
	bool committed;
	/*
	 * Set after open: commit creates the destination's directory (and its
	 * parents), again if a concurrent removal of an emptied directory took
	 * it away between the two (bucket "directories" come and go with their
	 * objects).
	 */
	bool make_parents;
} sg_atomic_file;

int sg_atomic_file_open(sg_atomic_file *f, const char *path, const char *tmp_dir, sg_error *err);
int sg_atomic_file_write(sg_atomic_file *f, const void *data, size_t len, sg_error *err);
/*
 * fsync the temporary file now, without publishing it: for callers that
 * record what it holds (its inode, size, digests) before the rename.
 * Commit's own fsync then finds nothing left to write.
 */
int sg_atomic_file_sync(sg_atomic_file *f, sg_error *err);
int sg_atomic_file_commit(sg_atomic_file *f, sg_error *err);
void sg_atomic_file_abort(sg_atomic_file *f);

/* Write all of `len` bytes to `fd`, retrying short writes and EINTR. */
int sg_fs_write_all(int fd, const void *data, size_t len);

/* fsync the directory `dir` so a rename in it is durable. */
int sg_fs_fsync_dir(const char *dir);
/* The directory part of `path` ("." when there is none), into `out`. */
void sg_fs_dirname(const char *path, sg_buf *out);
/* Create `path` and its parents (mode 0755). Existing directories are fine. */
int sg_fs_mkdir_p(const char *path, sg_error *err);
/* Read a whole file into `out` (appended). */
int sg_fs_read_file(const char *path, sg_buf *out, sg_error *err);
/* Remove a file or a directory tree. A path that does not exist is fine. */
int sg_fs_rm_rf(const char *path, sg_error *err);
bool sg_fs_exists(const char *path);
bool sg_fs_is_dir(const char *path);
/* Count the regular files under `dir`, recursively; -1 on error. */
int64_t sg_fs_count_files(const char *dir);
/* `base` + "/" + `rel` into `out` (replacing its contents). */
void sg_fs_join(sg_buf *out, const char *base, const char *rel);
/* An absolute, normalised version of `path` (relative to the cwd). */
int sg_fs_abspath(const char *path, sg_buf *out, sg_error *err);

#endif
