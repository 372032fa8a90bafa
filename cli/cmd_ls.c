/*
 * sigma ls [-l] [-r] [gs://BUCKET[/NAME]...]
 *
 * Lists as `gsutil ls` does: without a URL, the buckets; a bucket or a
 * prefix, what is directly under it (objects, and sub-prefixes ending in
 * '/'); an object, itself. -r lists every object under the URL instead.
 * -l adds size, update time, md5 and crc32c (base64, as GCS shows them)
 * and a TOTAL line; objects put into a bucket directory by hand have
 * their hashes computed then.
 */
#include "cli/objects_cli.h"

#include "util/text.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "sigma ls [-l] [-r] [gs://BUCKET[/PREFIX]...]";

/* Where the URL column starts in -l lines: size, time, md5, crc32c, two spaces after each. */
#define LONG_URL_COLUMN (10 + 2 + 20 + 2 + 24 + 2 + 8 + 2)

typedef struct ls_run {
	const char *bucket;
	bool is_long;
	uint64_t objects, bytes;
	sg_buf line, time;
} ls_run;

static int print_entry(void *ctx, const sg_object_info *info, sg_error *err)
{
	(void)err;
	ls_run *r = ctx;
	sg_buf *l = &r->line;
	sg_buf_clear(l);
	if (r->is_long) {
		if (info->is_prefix) {
			sg_buf_pad(l, ' ', LONG_URL_COLUMN);
		} else {
			sg_buf_clear(&r->time);
			sg_objects_format_time(&r->time, info->mtime_ns, false);
			sg_buf_printf(l, "%10lld  %-20s  %-24s  %-8s  ", (long long)info->size, r->time.ptr,
				      info->has_hashes ? info->md5 : "-", info->has_hashes ? info->crc32c : "-");
		}
	}
	sg_buf_printf(l, "gs://%s/%s", r->bucket, info->name);
	puts(l->ptr);
	if (!info->is_prefix) {
		r->objects++;
		r->bytes += (uint64_t)info->size;
	}
	return 0;
}

static int print_bucket(void *ctx, const sg_object_info *info, sg_error *err)
{
	(void)ctx;
	(void)err;
	printf("gs://%s/\n", info->name);
	return 0;
}

/* List one URL; 0, or 1 after printing why not. */
static int list_url(const sg_cli *cli, sg_objects *o, ls_run *r, const char *url, unsigned flags)
{
	sg_buf bucket = SG_BUF_INIT, name = SG_BUF_INIT, prefix = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	int rc = sg_cli_gs_split(cli, url, &bucket, &name);
	if (rc)
		goto out;
	r->bucket = bucket.ptr;
	if (sg_objects_bucket_check(o, bucket.ptr, &err) < 0)
		goto fail;
	const char *n = sg_buf_cstr(&name);
	size_t len = strlen(n);
	if (len && n[len - 1] != '/') {
		sg_object_info info;
		int src = sg_objects_stat(o, bucket.ptr, n, flags & SG_OBJECTS_HASHES, &info, &err);
		if (src == 0) {
			info.name = n;
			print_entry(r, &info, &err);
			goto out;
		}
		if (src != SG_OBJECTS_NOT_FOUND || !info.is_prefix)
			goto fail;
		sg_error_clear(&err);
		sg_buf_printf(&prefix, "%s/", n);
	} else {
		sg_buf_puts(&prefix, n);
		if (len) {
			/* "gs://b/p/" names a prefix: it exists while it holds objects */
			sg_object_info info;
			sg_buf bare = SG_BUF_INIT;
			sg_buf_put(&bare, n, len - 1);
			int src = sg_objects_stat(o, bucket.ptr, bare.ptr, 0, &info, &err);
			sg_buf_free(&bare);
			sg_error_clear(&err);
			if (src != SG_OBJECTS_NOT_FOUND || !info.is_prefix) {
				sg_error_set(&err, "%s: no such prefix", url);
				goto fail;
			}
		}
	}
	if (sg_objects_list(o, bucket.ptr, prefix.ptr, flags, print_entry, r, &err) < 0)
		goto fail;
	goto out;
fail:
	sg_cli_error(cli, "%s", sg_error_msg(&err));
	rc = 1;
out:
	sg_error_clear(&err);
	sg_buf_free(&bucket);
	sg_buf_free(&name);
	sg_buf_free(&prefix);
	return rc;
}

int cmd_ls(int argc, char **argv, sg_cli *cli)
{
	bool f[3] = { false, false, false }; /* l, r, R */
	int first_url = argc;
	for (int i = 1; i < argc; i++) {
		if (!sg_arg_is_flag(argv[i])) {
			if (first_url == argc)
				first_url = i;
			continue;
		}
		if (first_url != argc)
			return sg_cli_usage(cli, usage, "flags go before the URLs: %s", argv[i]);
		if (!sg_cli_short_flags(argv[i], "lrR", f))
			return sg_cli_usage(cli, usage, "unknown flag %s", argv[i]);
	}
	for (int i = first_url; i < argc; i++) {
		if (!sg_cli_is_gs(argv[i]))
			return sg_cli_usage(cli, usage, "expected a gs:// URL, found \"%s\"", argv[i]);
	}
	sg_objects *o = NULL;
	if (sg_cli_objects_open(cli, &o))
		return 1;
	int rc = 0;
	if (first_url == argc) {
		sg_error err = SG_ERROR_INIT;
		if (sg_objects_list_buckets(o, print_bucket, NULL, &err) < 0) {
			sg_cli_error(cli, "%s", sg_error_msg(&err));
			rc = 1;
		}
		sg_error_clear(&err);
		sg_objects_close(o);
		return rc;
	}
	ls_run r = { NULL, f[0], 0, 0, SG_BUF_INIT, SG_BUF_INIT };
	unsigned flags = (f[0] ? SG_OBJECTS_HASHES : 0) | (f[1] || f[2] ? SG_OBJECTS_RECURSIVE : 0);
	for (int i = first_url; i < argc; i++) {
		if (list_url(cli, o, &r, argv[i], flags))
			rc = 1;
	}
	if (r.is_long && rc == 0) {
		sg_buf size = SG_BUF_INIT;
		sg_cli_human_size(&size, r.bytes);
		printf("TOTAL: %llu object%s, %llu bytes (%s)\n", (unsigned long long)r.objects,
		       r.objects == 1 ? "" : "s", (unsigned long long)r.bytes, size.ptr);
		sg_buf_free(&size);
	}
	sg_buf_free(&r.line);
	sg_buf_free(&r.time);
	sg_objects_close(o);
	return rc;
}
