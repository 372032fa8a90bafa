#include "util/fs.h"

#include "util/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sg_fs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void sg_fs_dirname(const char *path, sg_buf *out)
{
	sg_buf_clear(out);
	const char *slash = strrchr(path, '/');
	if (!slash)
		sg_buf_puts(out, ".");
	else if (slash == path)
		sg_buf_puts(out, "/");
	else
		sg_buf_put(out, path, (size_t)(slash - path));
}

int sg_fs_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int sg_atomic_file_open(sg_atomic_file *f, const char *path, const char *tmp_dir, sg_error *err)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	sg_buf tmp = SG_BUF_INIT;
	if (tmp_dir) {
		sg_buf_puts(&tmp, tmp_dir);
	} else {
		sg_fs_dirname(path, &tmp);
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	/* a leading dot keeps listings of the directory from showing the temp file */
	sg_buf_printf(&tmp, "/.%s.tmp-%ld-XXXXXX", strlen(base) > 64 ? "sigma" : base, (long)getpid());
	f->fd = mkostemp(tmp.ptr, O_CLOEXEC);
	if (f->fd < 0) {
		int e = errno;
		sg_error_set(err, "cannot create a temporary file for %s: %s", path, strerror(e));
		sg_buf_free(&tmp);
		return -1;
	}
	fchmod(f->fd, 0644);
	f->tmp_path = sg_buf_detach(&tmp);
	f->final_path = sg_strdup(path);
	return 0;
}

int sg_atomic_file_write(sg_atomic_file *f, const void *data, size_t len, sg_error *err)
{
	if (sg_fs_write_all(f->fd, data, len) < 0)
		return sg_error_set(err, "cannot write %s: %s", f->final_path, strerror(errno));
	return 0;
}

int sg_atomic_file_sync(sg_atomic_file *f, sg_error *err)
{
	if (f->fd < 0)
		return sg_error_set(err, "internal error: sync of a closed file");
	if (fsync(f->fd) < 0)
		return sg_error_set(err, "cannot fsync %s: %s", f->final_path, strerror(errno));
	return 0;
}

/*
 * Create `dir` and its missing parents, and fsync the directory above each
 * one created, so that a file renamed into `dir` survives a power loss.
 */
static int mkdir_p_durable(const char *dir, sg_error *err)
{
	if (sg_fs_is_dir(dir))
		return 0;
	sg_buf top = SG_BUF_INIT, up = SG_BUF_INIT;
	/* the highest ancestor that is missing */
	sg_buf_puts(&top, dir);
	for (;;) {
		sg_fs_dirname(top.ptr, &up);
		if (!strcmp(up.ptr, top.ptr) || sg_fs_exists(up.ptr))
			break;
		sg_buf_clear(&top);
		sg_buf_puts(&top, up.ptr);
	}
	int rc = sg_fs_mkdir_p(dir, err);
	if (rc == 0) {
		/* fsync from `dir`'s parent up to the existing ancestor that now holds `top` */
		sg_buf cur = SG_BUF_INIT;
		sg_buf_puts(&cur, dir);
		for (;;) {
			bool last = !strcmp(cur.ptr, top.ptr);
			sg_fs_dirname(cur.ptr, &up);
			sg_fs_fsync_dir(up.ptr);
			if (last)
				break;
			sg_buf_clear(&cur);
			sg_buf_puts(&cur, up.ptr);
		}
		sg_buf_free(&cur);
	}
	sg_buf_free(&top);
	sg_buf_free(&up);
	return rc;
}

/* rename(2), creating the destination's directory first when asked to. */
static int publish_rename(const sg_atomic_file *f, sg_error *err)
{
	sg_buf dir = SG_BUF_INIT;
	int rc = 0;
	sg_fs_dirname(f->final_path, &dir);
	for (int attempt = 0;; attempt++) {
		if (f->make_parents && mkdir_p_durable(dir.ptr, err) < 0) {
			rc = -1;
			break;
		}
		if (rename(f->tmp_path, f->final_path) == 0)
			break;
		if (errno == ENOENT && f->make_parents && attempt < 3)
			continue;
		if (errno == EISDIR)
			rc = sg_error_set(err, "cannot rename into %s: a directory of that name is in the way",
					  f->final_path);
		else
			rc = sg_error_set(err, "cannot rename into %s: %s", f->final_path, strerror(errno));
		break;
	}
	sg_buf_free(&dir);
	return rc;
}

int sg_atomic_file_commit(sg_atomic_file *f, sg_error *err)
{
	if (f->fd < 0)
		return sg_error_set(err, "internal error: commit of a closed file");
	if (fsync(f->fd) < 0) {
		sg_error_set(err, "cannot fsync %s: %s", f->final_path, strerror(errno));
		sg_atomic_file_abort(f);
		return -1;
	}
	if (close(f->fd) < 0) {
		f->fd = -1;
		sg_error_set(err, "cannot close %s: %s", f->final_path, strerror(errno));
		sg_atomic_file_abort(f);
		return -1;
	}
	f->fd = -1;
	if (publish_rename(f, err) < 0) {
		sg_atomic_file_abort(f);
		return -1;
	}
	sg_buf dir = SG_BUF_INIT;
	sg_fs_dirname(f->final_path, &dir);
	sg_fs_fsync_dir(dir.ptr);
	sg_buf_free(&dir);
	f->committed = true;
	free(f->tmp_path);
	free(f->final_path);
	f->tmp_path = f->final_path = NULL;
	return 0;
}

void sg_atomic_file_abort(sg_atomic_file *f)
{
	if (f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
	}
	if (f->tmp_path && !f->committed)
		unlink(f->tmp_path);
	free(f->tmp_path);
	free(f->final_path);
	f->tmp_path = f->final_path = NULL;
}

int sg_fs_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode,
			    sg_error *err)
{
	sg_atomic_file f;
	if (sg_atomic_file_open(&f, path, NULL, err) < 0)
		return -1;
	fchmod(f.fd, mode);
	if (sg_atomic_file_write(&f, data, len, err) < 0) {
		sg_atomic_file_abort(&f);
		return -1;
	}
	return sg_atomic_file_commit(&f, err);
}

int sg_fs_write_atomic(const char *path, const void *data, size_t len, sg_error *err)
{
	return sg_fs_write_atomic_mode(path, data, len, 0644, err);
}

int sg_fs_mkdir_p(const char *path, sg_error *err)
{
	sg_buf b = SG_BUF_INIT;
	sg_buf_puts(&b, path);
	for (size_t i = 1; i <= b.len; i++) {
		if (i < b.len && b.ptr[i] != '/')
			continue;
		char saved = b.ptr[i];
		b.ptr[i] = '\0';
		if (mkdir(b.ptr, 0755) < 0 && errno != EEXIST) {
			int e = errno;
			sg_error_set(err, "cannot create directory %s: %s", b.ptr, strerror(e));
			sg_buf_free(&b);
			return -1;
		}
		b.ptr[i] = saved;
	}
	int ok = sg_fs_is_dir(path);
	if (!ok)
		sg_error_set(err, "cannot create directory %s: a file of that name exists", path);
	sg_buf_free(&b);
	return ok ? 0 : -1;
}

int sg_fs_read_file(const char *path, sg_buf *out, sg_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sg_error_set(err, "cannot read %s: %s", path, strerror(errno));
	for (;;) {
		sg_buf_grow(out, 65536);
		ssize_t n = read(fd, out->ptr + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return sg_error_set(err, "cannot read %s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
	}
	close(fd);
	return 0;
}

static int rm_tree(const char *path, sg_error *err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : sg_error_set(err, "cannot remove %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return sg_error_set(err, "cannot remove %s: %s", path, strerror(errno));
		return 0;
	}
	DIR *d = opendir(path);
	if (!d)
		return sg_error_set(err, "cannot remove %s: %s", path, strerror(errno));
	struct dirent *e;
	sg_buf child = SG_BUF_INIT;
	int rc = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sg_fs_join(&child, path, e->d_name);
		rc = rm_tree(child.ptr, err);
	}
	closedir(d);
	sg_buf_free(&child);
	if (rc == 0 && rmdir(path) < 0 && errno != ENOENT)
		return sg_error_set(err, "cannot remove %s: %s", path, strerror(errno));
	return rc;
}

int sg_fs_rm_rf(const char *path, sg_error *err)
{
	return rm_tree(path, err);
}

bool sg_fs_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

bool sg_fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int64_t sg_fs_count_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	int64_t count = 0;
	struct dirent *e;
	sg_buf child = SG_BUF_INIT;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sg_fs_join(&child, dir, e->d_name);
		struct stat st;
		if (lstat(child.ptr, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int64_t sub = sg_fs_count_files(child.ptr);
			if (sub < 0) {
				count = -1;
				break;
			}
			count += sub;
		} else if (S_ISREG(st.st_mode)) {
			count++;
		}
	}
	closedir(d);
	sg_buf_free(&child);
	return count;
}

void sg_fs_join(sg_buf *out, const char *base, const char *rel)
{
	sg_buf_clear(out);
	sg_buf_puts(out, base);
	if (out->len && out->ptr[out->len - 1] != '/')
		sg_buf_putc(out, '/');
	sg_buf_puts(out, rel);
}

int sg_fs_abspath(const char *path, sg_buf *out, sg_error *err)
{
	sg_buf raw = SG_BUF_INIT;
	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return sg_error_set(err, "cannot get the current directory: %s", strerror(errno));
		sg_fs_join(&raw, cwd, path);
	} else {
		sg_buf_puts(&raw, path);
	}
	/* normalise: drop "." and empty components, resolve ".." lexically */
	sg_buf_clear(out);
	const char *p = raw.ptr;
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == 0)
			break;
		if (n == 1 && p[0] == '.') {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = out->len ? strrchr(out->ptr, '/') : NULL;
			sg_buf_truncate(out, slash ? (size_t)(slash - out->ptr) : 0);
		} else {
			sg_buf_putc(out, '/');
			sg_buf_put(out, p, n);
		}
		p += n;
	}
	if (out->len == 0)
		sg_buf_puts(out, "/");
	sg_buf_free(&raw);
	return 0;
}
