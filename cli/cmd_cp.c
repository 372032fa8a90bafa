/*
 * sigma cp [-r] [-n] SRC... DST
 *
 * Copies between local files (or - for standard input and output) and
 * objects of the local provider's buckets, and between buckets, as
 * `gsutil cp` does. Every object is written atomically with its size, md5
 * and crc32c (object_store.h); a copy into a bucket with a notification
 * queues its event. Objects read from a bucket are checked against their
 * recorded crc32c as they are copied out.
 *
 * Where things land: when DST is a container (a bucket, a name ending in
 * '/', an existing prefix or directory), each SRC goes into it under its
 * last name segment; otherwise DST is the new name. With -r a directory or
 * prefix is copied with everything under it, by the same rule.
 */
#include "cli/objects_cli.h"

#include "providers/local/object_store.h"
#include "providers/local/objects.h"
#include "util/alloc.h"
#include "util/crc32c.h"
#include "util/fs.h"
#include "util/text.h"
#include "util/vec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] = "sigma cp [-r] [-n] SRC... DST  (SRC, DST: a path, - or gs://BUCKET/NAME)";

#define COPY_CHUNK (256u * 1024)

/* An argument, resolved. */
typedef struct loc {
	const char *spec;
	bool is_std;
	bool is_gs;
	sg_buf bucket, name; /* gs:// only */
} loc;

typedef enum { SRC_STDIN, SRC_FILE, SRC_DIR, SRC_OBJECT, SRC_PREFIX } src_kind;

typedef struct cp_run {
	sg_cli *cli;
	sg_objects *o;
	bool recursive;
	bool no_clobber;
	bool several;      /* more than one object may be copied: say each one */
	uint64_t objects, bytes, events, skipped;
	char *buf;
} cp_run;

/* An open source of bytes. */
typedef struct source {
	int fd;
	bool owns_fd;
	uint64_t total;                  /* 0 when unknown */
	bool verify;                     /* compare the bytes' crc32c with `crc32c` at the end */
	char crc32c[SG_CRC32C_B64_SIZE];
} source;

typedef enum { DST_OBJECT, DST_FILE, DST_STDOUT } dst_kind;

/* Where one copy goes. */
typedef struct target {
	dst_kind kind;
	const char *bucket, *name; /* DST_OBJECT */
	const char *path;          /* DST_FILE */
	sg_object_writer *w;
	sg_atomic_file f;
} target;

static void loc_free(loc *l)
{
	sg_buf_free(&l->bucket);
	sg_buf_free(&l->name);
}

static int fail(cp_run *r, sg_error *err)
{
	sg_cli_error(r->cli, "%s", sg_error_msg(err));
	sg_error_clear(err);
	return 1;
}

static bool ends_with_slash(const char *s)
{
	size_t n = strlen(s);
	return n && s[n - 1] == '/';
}

/* The last segment of a name or path ("a/b/" -> "b"), or NULL for ".", ".." and "/". */
static char *last_segment(const char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == '/')
		n--;
	size_t start = n;
	while (start && s[start - 1] != '/')
		start--;
	char *seg = sg_strndup(s + start, n - start);
	if (!*seg || !strcmp(seg, ".") || !strcmp(seg, "..")) {
		free(seg);
		return NULL;
	}
	return seg;
}

/* DIR + "/" + rel for object names: "" + x = x, "a/" + x = "a/x", "a" + x = "a/x". */
static void join_name(sg_buf *out, const char *base, const char *rel)
{
	sg_buf_clear(out);
	sg_buf_puts(out, base);
	if (out->len && out->ptr[out->len - 1] != '/' && *rel)
		sg_buf_putc(out, '/');
	sg_buf_puts(out, rel);
}

static void display_gs(sg_buf *out, const char *bucket, const char *name)
{
	sg_buf_clear(out);
	sg_buf_printf(out, "gs://%s/%s", bucket, name);
}

/* --- sources -------------------------------------------------------------- */

static int classify(cp_run *r, const loc *l, src_kind *kind, sg_error *err)
{
	if (l->is_std) {
		*kind = SRC_STDIN;
		return 0;
	}
	if (l->is_gs) {
		const char *b = l->bucket.ptr, *n = sg_buf_cstr(&l->name);
		int rc = sg_objects_bucket_check(r->o, b, err);
		if (rc < 0)
			return -1;
		if (!*n) {
			*kind = SRC_PREFIX;
			return 0;
		}
		sg_object_info info;
		if (ends_with_slash(n)) {
			/* a prefix by spelling: it exists when it holds objects */
			sg_buf bare = SG_BUF_INIT;
			sg_buf_put(&bare, n, strlen(n) - 1);
			rc = sg_objects_stat(r->o, b, bare.ptr, 0, &info, err);
			sg_buf_free(&bare);
			if (rc == SG_OBJECTS_NOT_FOUND && info.is_prefix) {
				sg_error_clear(err);
				*kind = SRC_PREFIX;
				return 0;
			}
			return sg_error_set(err, "%s: no such prefix", l->spec);
		}
		rc = sg_objects_stat(r->o, b, n, 0, &info, err);
		if (rc == 0) {
			*kind = SRC_OBJECT;
			return 0;
		}
		if (rc == SG_OBJECTS_NOT_FOUND && info.is_prefix) {
			sg_error_clear(err);
			*kind = SRC_PREFIX;
			return 0;
		}
		return -1;
	}
	struct stat st;
	if (stat(l->spec, &st) < 0)
		return sg_error_set(err, "%s: %s", l->spec, strerror(errno));
	if (S_ISDIR(st.st_mode))
		*kind = SRC_DIR;
	else if (S_ISREG(st.st_mode))
		*kind = SRC_FILE;
	else
		return sg_error_set(err, "%s: not a regular file or a directory", l->spec);
	return 0;
}

static int open_local_source(const char *path, source *s, sg_error *err)
{
	memset(s, 0, sizeof(*s));
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return sg_error_set(err, "cannot read %s: %s", path, strerror(errno));
	s->owns_fd = true;
	struct stat st;
	if (fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(s->fd);
		return sg_error_set(err, "%s is a directory (use -r to copy what is under it)", path);
	}
	if (fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode))
		s->total = (uint64_t)st.st_size;
	return 0;
}

static int open_object_source(cp_run *r, const char *bucket, const char *name, source *s, sg_error *err)
{
	memset(s, 0, sizeof(*s));
	sg_object_info info;
	int rc = sg_objects_open_read(r->o, bucket, name, &s->fd, &info, err);
	if (rc < 0)
		return rc;
	s->owns_fd = true;
	s->total = (uint64_t)info.size;
	s->verify = info.has_hashes;
	memcpy(s->crc32c, info.crc32c, sizeof(s->crc32c));
	return 0;
}

static void close_source(source *s)
{
	if (s->owns_fd && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* --- targets -------------------------------------------------------------- */

static int open_target(cp_run *r, target *t, sg_error *err)
{
	switch (t->kind) {
	case DST_OBJECT:
		return sg_object_writer_open(r->o, t->bucket, t->name, &t->w, err);
	case DST_FILE: {
		if (sg_fs_is_dir(t->path))
			return sg_error_set(err, "%s is a directory", t->path);
		/* as gsutil does, the directories of the destination are made as needed */
		sg_buf dir = SG_BUF_INIT;
		sg_fs_dirname(t->path, &dir);
		int rc = sg_fs_mkdir_p(dir.ptr, err);
		sg_buf_free(&dir);
		if (rc < 0 || sg_atomic_file_open(&t->f, t->path, NULL, err) < 0)
			return -1;
		t->f.make_parents = true;
		return 0;
	}
	case DST_STDOUT:
		return 0;
	}
	return 0;
}

static int target_write(target *t, const void *data, size_t len, sg_error *err)
{
	switch (t->kind) {
	case DST_OBJECT:
		return sg_object_writer_write(t->w, data, len, err);
	case DST_FILE:
		return sg_atomic_file_write(&t->f, data, len, err);
	case DST_STDOUT:
		if (sg_fs_write_all(STDOUT_FILENO, data, len) < 0)
			return sg_error_set(err, "cannot write to standard output: %s", strerror(errno));
		return 0;
	}
	return 0;
}

static void target_abort(target *t)
{
	if (t->kind == DST_OBJECT) {
		sg_object_writer_free(t->w);
		t->w = NULL;
	} else if (t->kind == DST_FILE) {
		sg_atomic_file_abort(&t->f);
	}
}

static int target_commit(cp_run *r, target *t, const char *label, sg_error *err)
{
	int rc = 0;
	if (t->kind == DST_OBJECT) {
		sg_object_put_result res;
		rc = sg_object_writer_commit(t->w, &res, err);
		sg_object_writer_free(t->w);
		t->w = NULL;
		if (rc == 0 && res.event_id) {
			r->events++;
			if (!r->several)
				fprintf(stderr, "%s: queued for workflow %s (event %lld)\n", label, res.workflow,
					(long long)res.event_id);
		}
	} else if (t->kind == DST_FILE) {
		rc = sg_atomic_file_commit(&t->f, err);
	}
	return rc;
}

/* --- copying -------------------------------------------------------------- */

/* Copy all of `s` into `t`, checking the source's crc32c when it is known. */
static int copy_stream(cp_run *r, source *s, target *t, const char *src_label, const char *dst_label,
		       sg_error *err)
{
	if (open_target(r, t, err) < 0)
		return -1;
	sg_progress prog;
	sg_progress_start(&prog, r->cli, dst_label, s->total);
	uint64_t done = 0;
	uint32_t crc = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = read(s->fd, r->buf, COPY_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = sg_error_set(err, "cannot read %s: %s", src_label, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (s->verify)
			crc = sg_crc32c(crc, r->buf, (size_t)n);
		rc = target_write(t, r->buf, (size_t)n, err);
		if (rc < 0)
			break;
		done += (uint64_t)n;
		sg_progress_update(&prog, done);
	}
	sg_progress_end(&prog);
	if (rc == 0 && s->verify) {
		unsigned char be[4] = { (unsigned char)(crc >> 24), (unsigned char)(crc >> 16), (unsigned char)(crc >> 8),
					(unsigned char)crc };
		char got[SG_CRC32C_B64_SIZE];
		EVP_EncodeBlock((unsigned char *)got, be, 4);
		if (strcmp(got, s->crc32c) != 0)
			rc = sg_error_set(err, "%s: the bytes read have crc32c %s, not the recorded %s (the object is damaged); nothing was written to %s",
					  src_label, got, s->crc32c, dst_label);
	}
	if (rc == 0)
		rc = target_commit(r, t, dst_label, err);
	if (rc < 0) {
		target_abort(t);
		return -1;
	}
	r->objects++;
	r->bytes += done;
	return 0;
}

/* Does the target exist already (for -n)? */
static bool target_exists(cp_run *r, const target *t)
{
	if (t->kind == DST_FILE)
		return sg_fs_exists(t->path);
	if (t->kind == DST_OBJECT) {
		sg_object_info info;
		sg_error ignored = SG_ERROR_INIT;
		bool yes = sg_objects_stat(r->o, t->bucket, t->name, 0, &info, &ignored) == 0;
		sg_error_clear(&ignored);
		return yes;
	}
	return false;
}

/*
 * One copy: the source (a local file or stdin, or an object), the target
 * (an object, a local file, stdout).
 */
static int copy_one(cp_run *r, const char *src_path, const char *src_bucket, const char *src_name, bool from_stdin,
		    target *t, sg_error *err)
{
	sg_buf src_label = SG_BUF_INIT, dst_label = SG_BUF_INIT;
	source s;
	int rc = 0;
	if (src_bucket)
		display_gs(&src_label, src_bucket, src_name);
	else
		sg_buf_puts(&src_label, from_stdin ? "standard input" : src_path);
	if (t->kind == DST_OBJECT)
		display_gs(&dst_label, t->bucket, t->name);
	else
		sg_buf_puts(&dst_label, t->kind == DST_FILE ? t->path : "standard output");

	if (src_bucket && t->kind == DST_OBJECT && !strcmp(src_bucket, t->bucket) && !strcmp(src_name, t->name)) {
		rc = sg_error_set(err, "%s: source and destination are the same object", src_label.ptr);
		goto out;
	}
	if (r->no_clobber && target_exists(r, t)) {
		fprintf(stderr, "Skipping existing %s\n", dst_label.ptr);
		r->skipped++;
		goto out;
	}
	if (from_stdin) {
		memset(&s, 0, sizeof(s));
		s.fd = STDIN_FILENO;
	} else if (src_bucket) {
		rc = open_object_source(r, src_bucket, src_name, &s, err);
	} else {
		rc = open_local_source(src_path, &s, err);
	}
	if (rc < 0)
		goto out;
	if (r->several)
		fprintf(stderr, "Copying %s to %s\n", src_label.ptr, dst_label.ptr);
	rc = copy_stream(r, &s, t, src_label.ptr, dst_label.ptr, err);
	close_source(&s);
out:
	sg_buf_free(&src_label);
	sg_buf_free(&dst_label);
	return rc < 0 ? -1 : 0;
}

/* --- trees ---------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The regular files under `dir`, as paths relative to it, sorted (directory links are not followed). */
static int walk_local(const char *dir, const char *rel, sg_vec *out, sg_error *err)
{
	sg_buf path = SG_BUF_INIT, child = SG_BUF_INIT;
	if (*rel)
		sg_fs_join(&path, dir, rel);
	else
		sg_buf_puts(&path, dir);
	DIR *d = opendir(path.ptr);
	if (!d) {
		int rc = sg_error_set(err, "cannot list %s: %s", path.ptr, strerror(errno));
		sg_buf_free(&path);
		return rc;
	}
	sg_vec names = SG_VEC_INIT;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			sg_vec_push(&names, sg_strdup(de->d_name));
	}
	closedir(d);
	if (names.n > 1)
		qsort(names.items, names.n, sizeof(void *), cmp_str);
	int rc = 0;
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		sg_buf r = SG_BUF_INIT;
		if (*rel)
			sg_fs_join(&r, rel, names.items[i]);
		else
			sg_buf_puts(&r, names.items[i]);
		sg_fs_join(&child, dir, r.ptr);
		struct stat st;
		if (lstat(child.ptr, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				rc = walk_local(dir, r.ptr, out, err);
			else if (stat(child.ptr, &st) == 0 && S_ISREG(st.st_mode))
				sg_vec_push(out, sg_buf_detach(&r));
		}
		sg_buf_free(&r);
	}
	sg_vec_free_all(&names);
	sg_buf_free(&path);
	sg_buf_free(&child);
	return rc;
}

typedef struct name_list {
	sg_vec names;
} name_list;

static int collect(void *ctx, const sg_object_info *info, sg_error *err)
{
	(void)err;
	sg_vec_push(&((name_list *)ctx)->names, sg_strdup(info->name));
	return 0;
}

/*
 * Copy the tree `src` (a local directory or a prefix) to `base`: a local
 * directory, or a name prefix in dst_bucket ("" = the bucket's top).
 */
static int copy_tree(cp_run *r, const loc *src, src_kind kind, const char *dst_bucket, const char *base,
		     sg_error *err)
{
	name_list l = { SG_VEC_INIT };
	sg_buf prefix = SG_BUF_INIT, from = SG_BUF_INIT, to = SG_BUF_INIT, why = SG_BUF_INIT;
	int rc;
	if (kind == SRC_DIR) {
		rc = walk_local(src->spec, "", &l.names, err);
	} else {
		sg_buf_puts(&prefix, sg_buf_cstr(&src->name));
		if (prefix.len && !ends_with_slash(prefix.ptr))
			sg_buf_putc(&prefix, '/');
		rc = sg_objects_list(r->o, src->bucket.ptr, sg_buf_cstr(&prefix), SG_OBJECTS_RECURSIVE, collect, &l,
				     err);
	}
	for (size_t i = 0; i < l.names.n && rc == 0; i++) {
		const char *name = l.names.items[i];
		const char *rel = name + (kind == SRC_DIR ? 0 : prefix.len);
		target t;
		memset(&t, 0, sizeof(t));
		if (dst_bucket) {
			join_name(&to, base, rel);
			sg_buf_clear(&why);
			if (!sg_object_name_valid(to.ptr, &why)) {
				rc = sg_error_set(err, "%s/%s: cannot be an object name: %s", src->spec, rel, why.ptr);
				break;
			}
			t.kind = DST_OBJECT;
			t.bucket = dst_bucket;
			t.name = to.ptr;
		} else {
			sg_fs_join(&to, base, rel);
			t.kind = DST_FILE;
			t.path = to.ptr;
		}
		if (kind == SRC_DIR) {
			sg_fs_join(&from, src->spec, rel);
			rc = copy_one(r, from.ptr, NULL, NULL, false, &t, err);
		} else {
			rc = copy_one(r, NULL, src->bucket.ptr, name, false, &t, err);
		}
	}
	sg_vec_free_all(&l.names);
	sg_buf_free(&prefix);
	sg_buf_free(&from);
	sg_buf_free(&to);
	sg_buf_free(&why);
	return rc;
}

/* --- the command ---------------------------------------------------------- */

/* Is DST a place to copy into rather than the name of the copy? */
static bool is_container(cp_run *r, const loc *dst)
{
	if (dst->is_std)
		return false;
	if (!dst->is_gs)
		return ends_with_slash(dst->spec) || sg_fs_is_dir(dst->spec);
	const char *n = sg_buf_cstr(&dst->name);
	if (!*n || ends_with_slash(n))
		return true;
	sg_object_info info;
	sg_error ignored = SG_ERROR_INIT;
	bool prefix = sg_objects_stat(r->o, dst->bucket.ptr, n, 0, &info, &ignored) == SG_OBJECTS_NOT_FOUND &&
		      info.is_prefix;
	sg_error_clear(&ignored);
	return prefix;
}

static int copy_source(cp_run *r, const loc *src, const loc *dst, bool into, sg_error *err)
{
	src_kind kind = SRC_FILE;
	if (classify(r, src, &kind, err) < 0)
		return -1;
	bool is_tree = kind == SRC_DIR || kind == SRC_PREFIX;
	if (is_tree && !r->recursive)
		return sg_error_set(err, "%s is a %s (use -r to copy what is under it)", src->spec,
				    kind == SRC_DIR ? "directory" : "prefix");
	if (is_tree && dst->is_std)
		return sg_error_set(err, "cannot copy the tree %s to standard output", src->spec);
	if (!src->is_gs && !dst->is_gs)
		return sg_error_set(err, "%s and %s are both local: sigma cp copies to or from gs:// URLs",
				    src->spec, dst->spec);

	/* the source's own name, for when it goes into a container */
	char *seg = NULL;
	if (into) {
		if (src->is_std)
			return sg_error_set(err, "copying standard input needs a full destination name, not %s", dst->spec);
		seg = last_segment(src->is_gs ? sg_buf_cstr(&src->name) : src->spec);
		if (!seg && src->is_gs)
			seg = sg_strdup(src->bucket.ptr); /* a whole bucket goes in under its name */
		if (!seg && !is_tree)
			return sg_error_set(err, "%s: cannot tell what to name the copy", src->spec);
	}
	sg_buf where = SG_BUF_INIT;
	int rc = 0;
	if (dst->is_gs) {
		join_name(&where, sg_buf_cstr(&dst->name), seg ? seg : "");
	} else if (!dst->is_std) {
		if (seg)
			sg_fs_join(&where, dst->spec, seg);
		else
			sg_buf_puts(&where, dst->spec);
	}
	free(seg);

	if (is_tree) {
		rc = copy_tree(r, src, kind, dst->is_gs ? dst->bucket.ptr : NULL, sg_buf_cstr(&where), err);
	} else {
		target t;
		memset(&t, 0, sizeof(t));
		if (dst->is_std) {
			t.kind = DST_STDOUT;
		} else if (dst->is_gs) {
			t.kind = DST_OBJECT;
			t.bucket = dst->bucket.ptr;
			t.name = where.ptr;
		} else {
			t.kind = DST_FILE;
			t.path = where.ptr;
		}
		rc = copy_one(r, src->spec, src->is_gs ? src->bucket.ptr : NULL, src->is_gs ? src->name.ptr : NULL,
			      src->is_std, &t, err);
	}
	sg_buf_free(&where);
	return rc;
}

static int parse_loc(cp_run *r, const char *arg, loc *l)
{
	memset(l, 0, sizeof(*l));
	l->spec = arg;
	if (!strcmp(arg, "-")) {
		l->is_std = true;
		return 0;
	}
	if (!sg_cli_is_gs(arg))
		return 0;
	l->is_gs = true;
	return sg_cli_gs_split(r->cli, arg, &l->bucket, &l->name);
}

int cmd_cp(int argc, char **argv, sg_cli *cli)
{
	cp_run r;
	memset(&r, 0, sizeof(r));
	r.cli = cli;
	sg_vec args = SG_VEC_INIT;
	bool only_pos = false;
	for (int i = 1; i < argc; i++) {
		bool f[3] = { false, false, false };
		if (only_pos || !sg_arg_is_flag(argv[i])) {
			sg_vec_push(&args, argv[i]);
		} else if (!strcmp(argv[i], "--")) {
			only_pos = true;
		} else if (sg_cli_short_flags(argv[i], "rRn", f)) {
			r.recursive = r.recursive || f[0] || f[1];
			r.no_clobber = r.no_clobber || f[2];
		} else {
			sg_vec_free(&args);
			return sg_cli_usage(cli, usage, "unknown flag %s", argv[i]);
		}
	}
	if (args.n < 2) {
		sg_vec_free(&args);
		return sg_cli_usage(cli, usage, "expected SRC and DST, found %zu argument%s", args.n,
				    args.n == 1 ? "" : "s");
	}
	size_t nlocs = args.n;
	loc *locs = sg_calloc(nlocs, sizeof(*locs));
	int rc = 0;
	bool any_gs = false;
	for (size_t i = 0; i < nlocs && rc == 0; i++) {
		rc = parse_loc(&r, args.items[i], &locs[i]);
		any_gs = any_gs || locs[i].is_gs;
	}
	const loc *dst = &locs[nlocs - 1];
	size_t nsrc = nlocs - 1;
	for (size_t i = 0; i < nsrc && rc == 0; i++) {
		if (locs[i].is_std && nsrc > 1)
			rc = sg_cli_usage(cli, usage, "- (standard input) can only be the one source");
	}
	if (rc == 0 && dst->is_std && (nsrc > 1 || r.recursive))
		rc = sg_cli_usage(cli, usage, "- (standard output) takes one object, without -r");
	if (rc == 0 && !any_gs)
		rc = sg_cli_usage(cli, usage, "sigma cp copies to or from gs:// URLs; for local files use cp");
	if (rc == 0)
		rc = sg_cli_objects_open(cli, &r.o);

	sg_error err = SG_ERROR_INIT;
	if (rc == 0 && dst->is_gs && sg_objects_bucket_check(r.o, dst->bucket.ptr, &err) < 0)
		rc = fail(&r, &err);
	bool into = false;
	if (rc == 0) {
		into = is_container(&r, dst);
		if (nsrc > 1 && !into)
			rc = sg_cli_usage(cli, usage,
					  "copying several sources needs DST to be a bucket, a prefix ending in / or a directory");
	}
	if (rc == 0) {
		r.several = nsrc > 1 || r.recursive;
		r.buf = sg_malloc(COPY_CHUNK);
		for (size_t i = 0; i < nsrc && rc == 0; i++) {
			if (copy_source(&r, &locs[i], dst, into, &err) < 0)
				rc = fail(&r, &err);
		}
	}
	if (r.several && (r.objects || r.skipped)) {
		sg_buf size = SG_BUF_INIT;
		sg_cli_human_size(&size, r.bytes);
		fprintf(stderr, "Copied %llu object%s, %s", (unsigned long long)r.objects, r.objects == 1 ? "" : "s",
			size.ptr);
		if (r.skipped)
			fprintf(stderr, "; skipped %llu that existed", (unsigned long long)r.skipped);
		if (r.events)
			fprintf(stderr, "; queued %llu event%s", (unsigned long long)r.events, r.events == 1 ? "" : "s");
		fputs(".\n", stderr);
		sg_buf_free(&size);
	}
	free(r.buf);
	for (size_t i = 0; i < nlocs; i++)
		loc_free(&locs[i]);
	free(locs);
	sg_vec_free(&args);
	sg_objects_close(r.o);
	return rc;
}
