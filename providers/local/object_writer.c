/*
 * Writing an object: a temporary file in LOCAL_ROOT/tmp hashed as it is
 * written, its metadata and event recorded in one control-store
 * transaction, then the rename into the bucket (see object_store.h for why
 * in that order and what a crash leaves).
 */
#include "providers/local/object_internal.h"

#include "providers/local/objects.h"
#include "util/alloc.h"
#include "util/crc32c.h"
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Start the kernel writing back every this many bytes, so the fsync before the rename is short. */
#define WRITEBACK_EVERY (8u << 20)

struct sg_object_writer {
	sg_objects *o;
	char *bucket;
	char *name;
	sg_atomic_file f;
	EVP_MD_CTX *md5;
	uint32_t crc;
	uint64_t size;
	uint64_t flushed;
};

/*
 * The pid in a temporary file's name (".NAME.tmp-PID-XXXXXX", as
 * sg_atomic_file_open makes them), or 0 when it is not one of those.
 */
static pid_t temp_owner(const char *file)
{
	if (file[0] != '.')
		return 0;
	const char *tag = NULL;
	for (const char *p = strstr(file, ".tmp-"); p; p = strstr(p + 1, ".tmp-"))
		tag = p;
	if (!tag)
		return 0;
	long pid = 0;
	const char *p = tag + 5;
	for (; *p >= '0' && *p <= '9' && pid < 1000000000L; p++)
		pid = pid * 10 + (*p - '0');
	return *p == '-' && pid > 0 ? (pid_t)pid : 0;
}

/*
 * Remove the temporary files of writers that died (killed, or the machine
 * stopped) before publishing them. Only files whose process is gone from
 * this host: LOCAL_ROOT is local, and a live process's file is never
 * touched. Best effort.
 */
static void sweep_dead_temps(const char *tmp_dir)
{
	DIR *d = opendir(tmp_dir);
	if (!d)
		return;
	sg_buf path = SG_BUF_INIT;
	struct dirent *de;
	pid_t self = getpid();
	while ((de = readdir(d)) != NULL) {
		pid_t pid = temp_owner(de->d_name);
		if (pid <= 0 || pid == self)
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		sg_fs_join(&path, tmp_dir, de->d_name);
		struct stat st;
		if (lstat(path.ptr, &st) == 0 && S_ISREG(st.st_mode))
			unlink(path.ptr);
	}
	closedir(d);
	sg_buf_free(&path);
}

/* Remove `dir` when it holds nothing but empty directories; true when it is gone. */
static bool remove_empty_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	sg_buf child = SG_BUF_INIT;
	struct dirent *de;
	bool empty = true;
	while (empty && (de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sg_fs_join(&child, dir, de->d_name);
		struct stat st;
		empty = lstat(child.ptr, &st) == 0 && S_ISDIR(st.st_mode) && remove_empty_tree(child.ptr);
	}
	closedir(d);
	sg_buf_free(&child);
	return empty && rmdir(dir) == 0;
}

/*
 * A directory is a bucket's only way to hold "a/b", so the object "a" and
 * the prefix "a/" cannot both exist: refuse a write that needs that, saying
 * which one is in the way. Empty directories (left by hand) are removed.
 */
static int check_clash(sg_objects *o, const char *bucket, const char *name, sg_error *err)
{
	sg_buf path = SG_BUF_INIT;
	int rc = 0;
	/* an object on the way down: "a" when writing "a/b" */
	for (const char *slash = strchr(name, '/'); slash && rc == 0; slash = strchr(slash + 1, '/')) {
		sg_buf_clear(&path);
		sg_objects_path(o, bucket, NULL, &path);
		sg_buf_putc(&path, '/');
		sg_buf_put(&path, name, (size_t)(slash - name));
		struct stat st;
		if (stat(path.ptr, &st) == 0 && !S_ISDIR(st.st_mode))
			rc = sg_error_set(err,
					  "gs://%s/%s: the object gs://%s/%.*s is in the way (the local provider "
					  "cannot keep an object and a prefix of the same name)",
					  bucket, name, bucket, (int)(slash - name), name);
	}
	if (rc == 0) {
		sg_objects_path(o, bucket, name, &path);
		if (sg_fs_is_dir(path.ptr) && !remove_empty_tree(path.ptr))
			rc = sg_error_set(err,
					  "gs://%s/%s: the prefix gs://%s/%s/ holds objects (the local provider "
					  "cannot keep an object and a prefix of the same name)",
					  bucket, name, bucket, name);
	}
	sg_buf_free(&path);
	return rc;
}

int sg_object_writer_open(sg_objects *o, const char *bucket, const char *name, sg_object_writer **out,
			  sg_error *err)
{
	*out = NULL;
	int rc = sg_objects_bucket_check(o, bucket, err);
	if (rc < 0)
		return rc;
	sg_buf why = SG_BUF_INIT;
	size_t n = strlen(name);
	if (!sg_object_name_valid(name, &why) || name[n - 1] == '/') {
		if (!why.len)
			sg_buf_puts(&why, "an object name cannot end with '/'");
		sg_error_set(err, "gs://%s/%s: invalid object name: %s", bucket, name, why.ptr);
		sg_buf_free(&why);
		return -1;
	}
	sg_buf_free(&why);
	if (check_clash(o, bucket, name, err) < 0)
		return -1;

	sg_buf tmp = SG_BUF_INIT, path = SG_BUF_INIT;
	rc = sg_local_tmp_dir(o->root, &tmp, err);
	if (rc == 0)
		sweep_dead_temps(tmp.ptr);
	sg_object_writer *w = sg_calloc(1, sizeof(*w));
	w->o = o;
	w->f.fd = -1;
	w->bucket = sg_strdup(bucket);
	w->name = sg_strdup(name);
	sg_objects_path(o, bucket, name, &path);
	if (rc == 0)
		rc = sg_atomic_file_open(&w->f, path.ptr, tmp.ptr, err);
	if (rc == 0) {
		w->f.make_parents = true;
		w->md5 = EVP_MD_CTX_new();
		if (!w->md5 || EVP_DigestInit_ex(w->md5, EVP_md5(), NULL) != 1)
			rc = sg_error_set(err, "cannot compute md5: OpenSSL has no MD5");
	}
	sg_buf_free(&tmp);
	sg_buf_free(&path);
	if (rc < 0) {
		sg_object_writer_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

int sg_object_writer_write(sg_object_writer *w, const void *data, size_t len, sg_error *err)
{
	if (len == 0)
		return 0;
	if (sg_atomic_file_write(&w->f, data, len, err) < 0) {
		sg_error_prefix(err, "gs://%s/%s: ", w->bucket, w->name);
		return -1;
	}
	EVP_DigestUpdate(w->md5, data, len);
	w->crc = sg_crc32c(w->crc, data, len);
	w->size += len;
	if (w->size - w->flushed >= WRITEBACK_EVERY) {
		/* only a hint to the kernel: a failure here changes nothing */
		(void)sync_file_range(w->f.fd, (off_t)w->flushed, (off_t)(w->size - w->flushed), SYNC_FILE_RANGE_WRITE);
		w->flushed = w->size;
	}
	return 0;
}

uint64_t sg_object_writer_size(const sg_object_writer *w)
{
	return w->size;
}

/* Take back what a commit recorded when its rename failed. Best effort: a row left describes no file. */
static void unrecord(sg_control *c, const char *bucket, const char *name, const struct stat *st, int64_t event_id)
{
	sg_error ignored = SG_ERROR_INIT;
	if (sg_control_begin(c, &ignored) < 0) {
		sg_error_clear(&ignored);
		return;
	}
	sqlite3 *db = sg_control_db(c);
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(db, "DELETE FROM objects WHERE bucket = ?1 AND name = ?2 AND ino = ?3", -1, &q, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(q, 1, bucket, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, (int64_t)st->st_ino);
		sqlite3_step(q);
	}
	sqlite3_finalize(q);
	q = NULL;
	if (event_id && sqlite3_prepare_v2(db, "DELETE FROM events WHERE id = ?1", -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, event_id);
		sqlite3_step(q);
	}
	sqlite3_finalize(q);
	sg_control_commit(c, &ignored);
	sg_error_clear(&ignored);
}

int sg_object_writer_commit(sg_object_writer *w, sg_object_put_result *out, sg_error *err)
{
	sg_object_put_result res;
	memset(&res, 0, sizeof(res));
	struct stat st;
	if (sg_atomic_file_sync(&w->f, err) < 0)
		goto fail;
	if (fstat(w->f.fd, &st) < 0) {
		sg_error_set(err, "cannot stat %s: %s", w->f.tmp_path, strerror(errno));
		goto fail;
	}
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_DigestFinal_ex(w->md5, digest, &dlen);
	sg_objects_info_from_stat(&st, &res.info);
	sg_objects_set_hashes(&res.info, digest, w->crc);

	sg_control *c;
	if (sg_objects_control(w->o, &c, err) < 0 || sg_control_begin(c, err) < 0)
		goto fail;
	if (sg_objects_meta_put(c, w->bucket, w->name, &st, &res.info, err) < 0 ||
	    sg_objects_queue_event(c, w->bucket, w->name, &res.info, &res.event_id, res.workflow,
				   sizeof(res.workflow), err) < 0) {
		sg_control_rollback(c);
		goto fail;
	}
	if (sg_control_commit(c, err) < 0)
		goto fail;
	/* from here the event is queued: a crash before the rename leaves it for an object that did not land */
	if (sg_atomic_file_commit(&w->f, err) < 0) {
		unrecord(c, w->bucket, w->name, &st, res.event_id);
		goto fail;
	}
	if (out)
		*out = res;
	return 0;
fail:
	sg_error_prefix(err, "cannot write gs://%s/%s: ", w->bucket, w->name);
	sg_atomic_file_abort(&w->f);
	return -1;
}

void sg_object_writer_free(sg_object_writer *w)
{
	if (!w)
		return;
	sg_atomic_file_abort(&w->f);
	EVP_MD_CTX_free(w->md5);
	free(w->bucket);
	free(w->name);
	free(w);
}
