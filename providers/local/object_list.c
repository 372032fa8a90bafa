/*
 * Listing buckets and objects in name order, as Cloud Storage lists them.
 *
 * A bucket is a directory tree. Sorting each directory by "name" for files
 * and "name/" for directories, and walking depth-first, gives the objects in
 * byte order of their full names, the order GCS uses: every name under
 * "d/" shares that prefix, and no sibling can sort between two of them.
 */
#include "providers/local/object_internal.h"

#include "providers/local/objects.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/vec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct entry {
	char *key;      /* the entry's name, with '/' after a directory's */
	bool is_dir;
	struct stat st; /* of the file (symbolic links to files are followed) */
} entry;

/* A hashed object whose metadata is recorded once the listing is done. */
typedef struct pending_meta {
	char *name;
	struct stat st;
	sg_object_info info;
} pending_meta;

typedef struct walk {
	sg_objects *o;
	const char *bucket;
	unsigned flags;
	sg_object_visit visit;
	void *ctx;
	sg_vec pending; /* pending_meta * */
	sg_buf name;    /* the full name of the entry being visited */
	sg_buf why;
} walk;

static int cmp_entry(const void *a, const void *b)
{
	const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
	return strcmp(x->key, y->key);
}

static void free_entries(sg_vec *v)
{
	for (size_t i = 0; i < v->n; i++) {
		entry *e = v->items[i];
		free(e->key);
		free(e);
	}
	sg_vec_free(v);
}

/*
 * Read `dir` into `out`, sorted: regular files (or links to them) and
 * directories (not links to them: a link loop would never end).
 */
static int read_sorted(const char *dir, sg_vec *out, sg_error *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return sg_error_set(err, "cannot list %s: %s", dir, strerror(errno));
	sg_buf child = SG_BUF_INIT;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sg_fs_join(&child, dir, de->d_name);
		struct stat st;
		if (lstat(child.ptr, &st) < 0)
			continue; /* gone meanwhile */
		if (S_ISLNK(st.st_mode) && (stat(child.ptr, &st) < 0 || !S_ISREG(st.st_mode)))
			continue;
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			continue;
		entry *e = sg_calloc(1, sizeof(*e));
		e->is_dir = S_ISDIR(st.st_mode);
		e->st = st;
		size_t n = strlen(de->d_name);
		e->key = sg_malloc(n + 2);
		memcpy(e->key, de->d_name, n);
		e->key[n] = e->is_dir ? '/' : '\0';
		e->key[n + 1] = '\0';
		sg_vec_push(out, e);
	}
	closedir(d);
	sg_buf_free(&child);
	if (out->n > 1)
		qsort(out->items, out->n, sizeof(void *), cmp_entry);
	return 0;
}

bool sg_objects_dir_has_objects(const char *dir)
{
	sg_vec v = SG_VEC_INIT;
	sg_error ignored = SG_ERROR_INIT;
	bool found = false;
	if (read_sorted(dir, &v, &ignored) == 0) {
		sg_buf child = SG_BUF_INIT;
		for (size_t i = 0; i < v.n && !found; i++) {
			entry *e = v.items[i];
			if (!e->is_dir) {
				found = true;
			} else {
				sg_fs_join(&child, dir, e->key);
				found = sg_objects_dir_has_objects(child.ptr);
			}
		}
		sg_buf_free(&child);
	}
	sg_error_clear(&ignored);
	free_entries(&v);
	return found;
}

static int visit_object(walk *w, const char *path, const struct stat *st, sg_error *err)
{
	sg_object_info info;
	memset(&info, 0, sizeof(info));
	sg_objects_info_from_stat(st, &info);
	info.name = w->name.ptr;
	if (w->flags & SG_OBJECTS_HASHES) {
		bool found = false;
		sg_error ignored = SG_ERROR_INIT;
		/* without a usable control store, hashes are computed all the same */
		if (sg_objects_meta_lookup(w->o, w->bucket, w->name.ptr, st, &info, &found, &ignored) < 0 || !found) {
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			/* an object that cannot be read is still listed, without hashes */
			if (fd >= 0 && sg_objects_hash_fd(fd, path, &info, &ignored) == 0) {
				pending_meta *p = sg_calloc(1, sizeof(*p));
				p->name = sg_strdup(w->name.ptr);
				p->st = *st;
				p->info = info;
				p->info.name = NULL;
				sg_vec_push(&w->pending, p);
			}
			if (fd >= 0)
				close(fd);
		}
		sg_error_clear(&ignored);
	}
	return w->visit(w->ctx, &info, err);
}

static int walk_dir(walk *w, const char *dir, sg_error *err)
{
	sg_vec v = SG_VEC_INIT;
	int rc = read_sorted(dir, &v, err);
	size_t base = w->name.len;
	sg_buf child = SG_BUF_INIT;
	for (size_t i = 0; rc == 0 && i < v.n; i++) {
		entry *e = v.items[i];
		sg_buf_truncate(&w->name, base);
		sg_buf_puts(&w->name, e->key);
		sg_buf_clear(&w->why);
		/* a file dropped in by hand may have a name GCS would refuse (control characters) */
		if (!sg_object_name_valid(w->name.ptr, &w->why))
			continue;
		sg_fs_join(&child, dir, e->key);
		if (!e->is_dir) {
			rc = visit_object(w, child.ptr, &e->st, err);
		} else if (w->flags & SG_OBJECTS_RECURSIVE) {
			rc = walk_dir(w, child.ptr, err);
		} else if (sg_objects_dir_has_objects(child.ptr)) {
			sg_object_info info;
			memset(&info, 0, sizeof(info));
			info.name = w->name.ptr;
			info.is_prefix = true;
			rc = w->visit(w->ctx, &info, err);
		}
	}
	sg_buf_truncate(&w->name, base);
	sg_buf_free(&child);
	free_entries(&v);
	return rc;
}

/* Record the hashes computed during the listing, in one transaction; a failure only loses the cache. */
static void record_pending(walk *w)
{
	if (w->pending.n == 0)
		return;
	sg_control *c;
	sg_error ignored = SG_ERROR_INIT;
	if (sg_objects_control(w->o, &c, &ignored) == 0 && sg_control_begin(c, &ignored) == 0) {
		int rc = 0;
		for (size_t i = 0; i < w->pending.n && rc == 0; i++) {
			pending_meta *p = w->pending.items[i];
			rc = sg_objects_meta_put(c, w->bucket, p->name, &p->st, &p->info, &ignored);
		}
		if (rc == 0)
			sg_control_commit(c, &ignored);
		else
			sg_control_rollback(c);
	}
	sg_error_clear(&ignored);
}

int sg_objects_list(sg_objects *o, const char *bucket, const char *prefix, unsigned flags,
		    sg_object_visit visit, void *ctx, sg_error *err)
{
	int rc = sg_objects_bucket_check(o, bucket, err);
	if (rc < 0)
		return rc;
	size_t n = strlen(prefix);
	if (n) {
		sg_buf why = SG_BUF_INIT;
		bool ok = prefix[n - 1] == '/' && sg_object_name_valid(prefix, &why);
		if (!ok && !why.len)
			sg_buf_puts(&why, "a prefix ends with '/'");
		if (!ok)
			sg_error_set(err, "gs://%s/%s: invalid prefix: %s", bucket, prefix, why.ptr);
		sg_buf_free(&why);
		if (!ok)
			return -1;
	}
	walk w = { o, bucket, flags, visit, ctx, SG_VEC_INIT, SG_BUF_INIT, SG_BUF_INIT };
	sg_buf dir = SG_BUF_INIT;
	sg_objects_path(o, bucket, prefix, &dir);
	sg_buf_puts(&w.name, prefix);
	if (sg_fs_is_dir(dir.ptr))
		rc = walk_dir(&w, dir.ptr, err);
	if (rc == 0)
		record_pending(&w);
	for (size_t i = 0; i < w.pending.n; i++) {
		pending_meta *p = w.pending.items[i];
		free(p->name);
		free(p);
	}
	sg_vec_free(&w.pending);
	sg_buf_free(&w.name);
	sg_buf_free(&w.why);
	sg_buf_free(&dir);
	return rc;
}

int sg_objects_list_buckets(sg_objects *o, sg_object_visit visit, void *ctx, sg_error *err)
{
	sg_buf dir = SG_BUF_INIT, why = SG_BUF_INIT;
	sg_fs_join(&dir, o->root, "buckets");
	sg_vec v = SG_VEC_INIT;
	int rc = 0;
	if (sg_fs_is_dir(dir.ptr))
		rc = read_sorted(dir.ptr, &v, err);
	for (size_t i = 0; rc == 0 && i < v.n; i++) {
		entry *e = v.items[i];
		if (!e->is_dir)
			continue;
		e->key[strlen(e->key) - 1] = '\0';
		sg_buf_clear(&why);
		if (!sg_bucket_name_valid(e->key, &why))
			continue;
		sg_object_info info;
		memset(&info, 0, sizeof(info));
		info.name = e->key;
		info.is_prefix = true;
		rc = visit(ctx, &info, err);
	}
	free_entries(&v);
	sg_buf_free(&dir);
	sg_buf_free(&why);
	return rc;
}
