/*
 * The object store's handle, its metadata rows, and reading and removing
 * objects. Writing is in object_writer.c, listings in object_list.c, the
 * event queue in object_events.c.
 */
#include "providers/local/object_internal.h"

#include "providers/local/objects.h"
#include "util/alloc.h"
#include "util/crc32c.h"
#include "util/fs.h"
#include "util/vec.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS objects ("
	"  bucket TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  md5 TEXT NOT NULL,"
	"  crc32c TEXT NOT NULL,"
	"  generation INTEGER NOT NULL,"
	/* the file the row describes: believed only while these still match */
	"  ino INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  PRIMARY KEY (bucket, name)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS events ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  bucket TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  md5 TEXT NOT NULL,"
	"  crc32c TEXT NOT NULL,"
	"  generation INTEGER NOT NULL,"
	"  time TEXT NOT NULL,"
	"  workflow TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'pending',"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT,"
	"  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
	"  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));"
	"CREATE INDEX IF NOT EXISTS events_by_status ON events(status, id);";

static int db_error(sg_error *err, sqlite3 *db)
{
	return sg_error_set(err, "control store: %s", sqlite3_errmsg(db));
}

static int ensure_schema(sg_control *c, sg_error *err)
{
	sqlite3 *db = sg_control_db(c);
	sqlite3_stmt *st = NULL;
	int have = 0;
	/* look first, so that commands which only read never wait for the write lock */
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('objects', 'events')",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(err, db);
	if (sqlite3_step(st) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (have == 2)
		return 0;
	if (sg_control_begin(c, err) < 0)
		return -1;
	char *msg = NULL;
	if (sqlite3_exec(db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
		sg_error_set(err, "control store: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		sg_control_rollback(c);
		return -1;
	}
	return sg_control_commit(c, err);
}

int sg_objects_open(const char *local_root, sg_control *control, sg_objects **out, sg_error *err)
{
	(void)err;
	sg_objects *o = sg_calloc(1, sizeof(*o));
	o->root = sg_strdup(local_root);
	o->control = control;
	*out = o;
	return 0;
}

void sg_objects_close(sg_objects *o)
{
	if (!o)
		return;
	sqlite3_finalize(o->get_meta);
	if (o->owns_control)
		sg_control_close(o->control);
	free(o->root);
	free(o);
}

int sg_objects_control(sg_objects *o, sg_control **out, sg_error *err)
{
	if (!o->control) {
		sg_buf path = SG_BUF_INIT;
		sg_fs_join(&path, o->root, "control.db");
		int rc = sg_control_open(path.ptr, &o->control, err);
		sg_buf_free(&path);
		if (rc < 0)
			return -1;
		o->owns_control = true;
	}
	if (!o->schema_ready) {
		if (ensure_schema(o->control, err) < 0)
			return -1;
		o->schema_ready = true;
	}
	*out = o->control;
	return 0;
}

void sg_objects_path(const sg_objects *o, const char *bucket, const char *name, sg_buf *out)
{
	sg_local_bucket_dir(o->root, bucket, out);
	if (name && *name) {
		sg_buf_putc(out, '/');
		sg_buf_puts(out, name);
	}
}

void sg_objects_info_from_stat(const struct stat *st, sg_object_info *info)
{
	info->size = (int64_t)st->st_size;
	info->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	info->generation = info->mtime_ns / 1000;
	info->has_hashes = false;
	info->md5[0] = info->crc32c[0] = '\0';
}

void sg_objects_set_hashes(sg_object_info *info, const unsigned char md5[16], uint32_t crc32c)
{
	unsigned char be[4] = { (unsigned char)(crc32c >> 24), (unsigned char)(crc32c >> 16),
				(unsigned char)(crc32c >> 8), (unsigned char)crc32c };
	EVP_EncodeBlock((unsigned char *)info->md5, md5, 16);
	EVP_EncodeBlock((unsigned char *)info->crc32c, be, 4);
	info->has_hashes = true;
}

int sg_objects_hash_fd(int fd, const char *what, sg_object_info *info, sg_error *err)
{
	size_t cap = 256 * 1024;
	unsigned char *buf = sg_malloc(cap);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint32_t crc = 0;
	off_t off = 0;
	int rc = 0;
	if (!md || EVP_DigestInit_ex(md, EVP_md5(), NULL) != 1) {
		rc = sg_error_set(err, "cannot compute md5: OpenSSL has no MD5");
		goto out;
	}
	for (;;) {
		ssize_t n = pread(fd, buf, cap, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = sg_error_set(err, "cannot read %s: %s", what, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(md, buf, (size_t)n);
		crc = sg_crc32c(crc, buf, (size_t)n);
		off += n;
	}
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_DigestFinal_ex(md, digest, &dlen);
	sg_objects_set_hashes(info, digest, crc);
out:
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}

int sg_objects_meta_lookup(sg_objects *o, const char *bucket, const char *name, const struct stat *st,
			   sg_object_info *info, bool *found, sg_error *err)
{
	sg_control *c;
	*found = false;
	if (sg_objects_control(o, &c, err) < 0)
		return -1;
	sqlite3 *db = sg_control_db(c);
	if (!o->get_meta &&
	    sqlite3_prepare_v2(db,
			       "SELECT size, md5, crc32c, ino, mtime_ns FROM objects WHERE bucket = ?1 AND name = ?2",
			       -1, &o->get_meta, NULL) != SQLITE_OK)
		return db_error(err, db);
	sqlite3_stmt *q = o->get_meta;
	sqlite3_bind_text(q, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	int rc = 0;
	if (step == SQLITE_ROW) {
		int64_t mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
		const char *md5 = (const char *)sqlite3_column_text(q, 1);
		const char *crc = (const char *)sqlite3_column_text(q, 2);
		size_t md5_len = md5 ? strlen(md5) : 0, crc_len = crc ? strlen(crc) : 0;
		if (sqlite3_column_int64(q, 0) == (int64_t)st->st_size &&
		    sqlite3_column_int64(q, 3) == (int64_t)st->st_ino && sqlite3_column_int64(q, 4) == mtime_ns &&
		    md5_len && md5_len < SG_MD5_B64_SIZE && crc_len && crc_len < SG_CRC32C_B64_SIZE) {
			memcpy(info->md5, md5, md5_len + 1);
			memcpy(info->crc32c, crc, crc_len + 1);
			info->has_hashes = true;
			*found = true;
		}
	} else if (step != SQLITE_DONE) {
		rc = db_error(err, db);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc;
}

int sg_objects_meta_put(sg_control *c, const char *bucket, const char *name, const struct stat *st,
			const sg_object_info *info, sg_error *err)
{
	sqlite3 *db = sg_control_db(c);
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO objects(bucket, name, size, md5, crc32c, generation, ino, mtime_ns) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(bucket, name) DO UPDATE SET "
			       "size = excluded.size, md5 = excluded.md5, crc32c = excluded.crc32c, "
			       "generation = excluded.generation, ino = excluded.ino, mtime_ns = excluded.mtime_ns",
			       -1, &q, NULL) != SQLITE_OK)
		return db_error(err, db);
	sqlite3_bind_text(q, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, info->size);
	sqlite3_bind_text(q, 4, info->md5, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, info->crc32c, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, info->generation);
	sqlite3_bind_int64(q, 7, (int64_t)st->st_ino);
	sqlite3_bind_int64(q, 8, info->mtime_ns);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_error(err, db);
	sqlite3_finalize(q);
	return rc;
}

void sg_objects_format_time(sg_buf *out, int64_t ns, bool with_ms)
{
	time_t secs = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char text[40];
	strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
	sg_buf_puts(out, text);
	if (with_ms)
		sg_buf_printf(out, ".%03d", (int)(ns / 1000000 % 1000));
	sg_buf_putc(out, 'Z');
}

int sg_objects_bucket_check(sg_objects *o, const char *bucket, sg_error *err)
{
	sg_buf why = SG_BUF_INIT, dir = SG_BUF_INIT;
	int rc = 0;
	if (!sg_bucket_name_valid(bucket, &why)) {
		rc = sg_error_set(err, "invalid bucket name: %s", why.ptr);
	} else {
		sg_objects_path(o, bucket, NULL, &dir);
		if (!sg_fs_is_dir(dir.ptr)) {
			sg_error_set(err, "bucket %s does not exist", bucket);
			rc = SG_OBJECTS_NOT_FOUND;
		}
	}
	sg_buf_free(&why);
	sg_buf_free(&dir);
	return rc;
}

/* Bucket and object name checks shared by stat, open_read and delete. */
static int check_names(sg_objects *o, const char *bucket, const char *name, sg_error *err)
{
	int rc = sg_objects_bucket_check(o, bucket, err);
	if (rc < 0)
		return rc;
	sg_buf why = SG_BUF_INIT;
	if (!sg_object_name_valid(name, &why))
		rc = sg_error_set(err, "gs://%s/%s: invalid object name: %s", bucket, name, why.ptr);
	sg_buf_free(&why);
	return rc;
}

/* The object's file and its stat; NOT_FOUND with the message when it is not an object. */
static int find_object(sg_objects *o, const char *bucket, const char *name, sg_buf *path, struct stat *st,
		       sg_object_info *info, sg_error *err)
{
	memset(info, 0, sizeof(*info));
	int rc = check_names(o, bucket, name, err);
	if (rc < 0)
		return rc;
	sg_objects_path(o, bucket, name, path);
	size_t n = strlen(name);
	if (name[n - 1] != '/' && stat(path->ptr, st) == 0 && S_ISREG(st->st_mode)) {
		sg_objects_info_from_stat(st, info);
		return 0;
	}
	if (sg_fs_is_dir(path->ptr) && sg_objects_dir_has_objects(path->ptr)) {
		info->is_prefix = true;
		sg_error_set(err, "gs://%s/%s is a prefix, not an object", bucket, name);
	} else {
		sg_error_set(err, "gs://%s/%s: no such object", bucket, name);
	}
	return SG_OBJECTS_NOT_FOUND;
}

int sg_objects_stat(sg_objects *o, const char *bucket, const char *name, unsigned flags,
		    sg_object_info *out, sg_error *err)
{
	sg_buf path = SG_BUF_INIT;
	struct stat st;
	int rc = find_object(o, bucket, name, &path, &st, out, err);
	if (rc == 0 && (flags & SG_OBJECTS_HASHES)) {
		bool found = false;
		rc = sg_objects_meta_lookup(o, bucket, name, &st, out, &found, err);
		if (rc == 0 && !found) {
			int fd = open(path.ptr, O_RDONLY | O_CLOEXEC);
			struct stat now;
			if (fd < 0) {
				rc = sg_error_set(err, "cannot read gs://%s/%s: %s", bucket, name, strerror(errno));
			} else {
				rc = sg_objects_hash_fd(fd, path.ptr, out, err);
				/* record it only when the file did not change while it was read */
				if (rc == 0 && fstat(fd, &now) == 0 && now.st_ino == st.st_ino &&
				    now.st_size == st.st_size && now.st_mtim.tv_sec == st.st_mtim.tv_sec &&
				    now.st_mtim.tv_nsec == st.st_mtim.tv_nsec) {
					sg_control *c;
					sg_error ignored = SG_ERROR_INIT;
					/* a cache: failing to record it changes nothing for the caller */
					if (sg_objects_control(o, &c, &ignored) == 0 && sg_control_begin(c, &ignored) == 0) {
						if (sg_objects_meta_put(c, bucket, name, &st, out, &ignored) == 0)
							sg_control_commit(c, &ignored);
						else
							sg_control_rollback(c);
					}
					sg_error_clear(&ignored);
				}
				close(fd);
			}
		}
	}
	sg_buf_free(&path);
	return rc;
}

int sg_objects_open_read(sg_objects *o, const char *bucket, const char *name, int *out_fd,
			 sg_object_info *out, sg_error *err)
{
	sg_buf path = SG_BUF_INIT;
	struct stat st;
	*out_fd = -1;
	int rc = find_object(o, bucket, name, &path, &st, out, err);
	if (rc == 0) {
		int fd = open(path.ptr, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT) {
				sg_error_set(err, "gs://%s/%s: no such object", bucket, name);
				rc = SG_OBJECTS_NOT_FOUND;
			} else {
				rc = sg_error_set(err, "cannot read gs://%s/%s: %s", bucket, name, strerror(errno));
			}
		} else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			/* replaced between the stat and the open */
			rc = sg_error_set(err, "cannot read gs://%s/%s: not a regular file", bucket, name);
			close(fd);
		} else {
			/* what the descriptor reads, not what the path held a moment before */
			sg_objects_info_from_stat(&st, out);
			bool found = false;
			sg_error ignored = SG_ERROR_INIT;
			/* without a control store the bytes are still readable: hashes are a bonus here */
			if (sg_objects_meta_lookup(o, bucket, name, &st, out, &found, &ignored) < 0)
				out->has_hashes = false;
			sg_error_clear(&ignored);
			*out_fd = fd;
		}
	}
	sg_buf_free(&path);
	return rc;
}

/* Remove the directories between `path`'s and the bucket's that are now empty. */
static void prune_empty_dirs(const char *bucket_dir, const char *path)
{
	sg_buf dir = SG_BUF_INIT, up = SG_BUF_INIT;
	sg_fs_dirname(path, &dir);
	size_t top = strlen(bucket_dir);
	while (dir.len > top && !strncmp(dir.ptr, bucket_dir, top) && dir.ptr[top] == '/') {
		if (rmdir(dir.ptr) < 0)
			break;
		sg_fs_dirname(dir.ptr, &up);
		sg_buf_clear(&dir);
		sg_buf_puts(&dir, up.ptr);
	}
	sg_buf_free(&dir);
	sg_buf_free(&up);
}

/* Delete the metadata rows of `names` (of one bucket) in one transaction. */
static int forget_rows(sg_objects *o, const char *bucket, char *const *names, size_t n, sg_error *err)
{
	if (n == 0)
		return 0;
	sg_control *c;
	if (sg_objects_control(o, &c, err) < 0 || sg_control_begin(c, err) < 0)
		return -1;
	sqlite3 *db = sg_control_db(c);
	sqlite3_stmt *q = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(db, "DELETE FROM objects WHERE bucket = ?1 AND name = ?2", -1, &q, NULL) != SQLITE_OK) {
		rc = db_error(err, db);
	} else {
		for (size_t i = 0; i < n && rc == 0; i++) {
			sqlite3_bind_text(q, 1, bucket, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 2, names[i], -1, SQLITE_STATIC);
			if (sqlite3_step(q) != SQLITE_DONE)
				rc = db_error(err, db);
			sqlite3_reset(q);
		}
	}
	sqlite3_finalize(q);
	if (rc < 0) {
		sg_control_rollback(c);
		return -1;
	}
	return sg_control_commit(c, err);
}

static int unlink_object(sg_objects *o, const char *bucket, const char *name, sg_error *err)
{
	sg_buf path = SG_BUF_INIT, bdir = SG_BUF_INIT;
	struct stat st;
	sg_object_info info;
	int rc = find_object(o, bucket, name, &path, &st, &info, err);
	if (rc == 0 && unlink(path.ptr) < 0) {
		if (errno == ENOENT) {
			sg_error_set(err, "gs://%s/%s: no such object", bucket, name);
			rc = SG_OBJECTS_NOT_FOUND;
		} else {
			rc = sg_error_set(err, "cannot remove gs://%s/%s: %s", bucket, name, strerror(errno));
		}
	}
	if (rc == 0) {
		sg_objects_path(o, bucket, NULL, &bdir);
		prune_empty_dirs(bdir.ptr, path.ptr);
	}
	sg_buf_free(&path);
	sg_buf_free(&bdir);
	return rc;
}

int sg_objects_delete(sg_objects *o, const char *bucket, const char *name, sg_error *err)
{
	int rc = unlink_object(o, bucket, name, err);
	if (rc < 0)
		return rc;
	/* the bytes are gone; a row left behind by a failure here describes no file and is never believed */
	char *names[] = { (char *)name };
	return forget_rows(o, bucket, names, 1, err);
}

typedef struct delete_walk {
	sg_objects *o;
	const char *bucket;
	sg_object_visit visit;
	void *ctx;
	sg_vec names; /* char *, the objects found */
} delete_walk;

static int collect_name(void *ctx, const sg_object_info *info, sg_error *err)
{
	(void)err;
	delete_walk *d = ctx;
	sg_vec_push(&d->names, sg_strdup(info->name));
	return 0;
}

int sg_objects_delete_prefix(sg_objects *o, const char *bucket, const char *prefix, sg_object_visit visit,
			     void *ctx, sg_error *err)
{
	delete_walk d = { o, bucket, visit, ctx, SG_VEC_INIT };
	/* list first, then remove: removing under a directory being read skips entries */
	int rc = sg_objects_list(o, bucket, prefix, SG_OBJECTS_RECURSIVE, collect_name, &d, err);
	size_t removed = 0;
	for (size_t i = 0; rc == 0 && i < d.names.n; i++) {
		const char *name = d.names.items[i];
		sg_object_info info;
		memset(&info, 0, sizeof(info));
		info.name = name;
		if (visit)
			rc = visit(ctx, &info, err);
		if (rc == 0)
			rc = unlink_object(o, bucket, name, err);
		/* an object removed by someone else meanwhile is removed all the same */
		if (rc == SG_OBJECTS_NOT_FOUND) {
			sg_error_clear(err);
			rc = 0;
		}
		if (rc == 0)
			removed = i + 1;
	}
	sg_error ferr = SG_ERROR_INIT;
	int frc = forget_rows(o, bucket, (char *const *)d.names.items, removed, rc < 0 ? &ferr : err);
	sg_error_clear(&ferr);
	if (rc == 0)
		rc = frc;
	sg_vec_free_all(&d.names);
	return rc;
}

int sg_objects_forget_bucket(sg_control *control, const char *bucket, sg_error *err)
{
	if (ensure_schema(control, err) < 0 || sg_control_begin(control, err) < 0)
		return -1;
	sqlite3 *db = sg_control_db(control);
	sqlite3_stmt *q = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(db, "DELETE FROM objects WHERE bucket = ?1", -1, &q, NULL) != SQLITE_OK) {
		rc = db_error(err, db);
	} else {
		sqlite3_bind_text(q, 1, bucket, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = db_error(err, db);
	}
	sqlite3_finalize(q);
	if (rc < 0) {
		sg_control_rollback(control);
		return -1;
	}
	return sg_control_commit(control, err);
}
