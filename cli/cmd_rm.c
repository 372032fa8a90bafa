/*
 * sigma rm [-r] [-f] gs://BUCKET/NAME...
 *
 * Removes objects, as `gsutil rm` does, saying "Removing URL" for each.
 * -r removes everything under a prefix, or every object of a bucket; the
 * bucket itself stays, since it belongs to the manifests (sigma destroy
 * removes it). -f: URLs that match nothing are not an error.
 */
#include "cli/objects_cli.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "sigma rm [-r] [-f] gs://BUCKET/NAME...";

typedef struct rm_run {
	const char *bucket;
	size_t removed;
} rm_run;

static int say_removing(void *ctx, const sg_object_info *info, sg_error *err)
{
	(void)err;
	rm_run *r = ctx;
	fprintf(stderr, "Removing gs://%s/%s\n", r->bucket, info->name);
	r->removed++;
	return 0;
}

static int rm_url(const sg_cli *cli, sg_objects *o, const char *url, bool recursive, bool force)
{
	sg_buf bucket = SG_BUF_INIT, name = SG_BUF_INIT, prefix = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	int rc = sg_cli_gs_split(cli, url, &bucket, &name);
	if (rc)
		goto out;
	if (sg_objects_bucket_check(o, bucket.ptr, &err) < 0)
		goto fail;
	const char *n = sg_buf_cstr(&name);
	size_t len = strlen(n);
	rm_run r = { bucket.ptr, 0 };
	if (len && n[len - 1] != '/') {
		sg_object_info info;
		int src = sg_objects_stat(o, bucket.ptr, n, 0, &info, &err);
		if (src == 0) {
			info.name = n;
			say_removing(&r, &info, &err);
			src = sg_objects_delete(o, bucket.ptr, n, &err);
		}
		if (src == 0)
			goto out;
		if (src == SG_OBJECTS_NOT_FOUND && !info.is_prefix && force) {
			goto out;
		}
		if (src != SG_OBJECTS_NOT_FOUND || !info.is_prefix)
			goto fail;
		if (!recursive) {
			sg_error_set(&err, "%s is a prefix (use -r to remove what is under it)", url);
			goto fail;
		}
		sg_error_clear(&err);
		sg_buf_printf(&prefix, "%s/", n);
	} else if (!recursive) {
		if (len)
			sg_error_set(&err, "%s is a prefix (use -r to remove what is under it)", url);
		else
			sg_error_set(&err, "%s is a bucket (use -r to remove all of its objects; the bucket itself belongs to the manifests)",
				     url);
		goto fail;
	} else {
		sg_buf_puts(&prefix, n);
	}
	if (sg_objects_delete_prefix(o, bucket.ptr, prefix.ptr, say_removing, &r, &err) < 0)
		goto fail;
	if (r.removed == 0 && !force) {
		sg_error_set(&err, "%s: no objects matched", url);
		goto fail;
	}
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

int cmd_rm(int argc, char **argv, sg_cli *cli)
{
	bool f[3] = { false, false, false }; /* r, R, f */
	int nurls = 0;
	for (int i = 1; i < argc; i++) {
		if (!sg_arg_is_flag(argv[i])) {
			if (!sg_cli_is_gs(argv[i]))
				return sg_cli_usage(cli, usage, "expected a gs:// URL, found \"%s\"", argv[i]);
			nurls++;
		} else if (!sg_cli_short_flags(argv[i], "rRf", f)) {
			return sg_cli_usage(cli, usage, "unknown flag %s", argv[i]);
		}
	}
	if (!nurls)
		return sg_cli_usage(cli, usage, "expected one or more gs:// URLs");
	sg_objects *o = NULL;
	if (sg_cli_objects_open(cli, &o))
		return 1;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		if (!sg_arg_is_flag(argv[i]) && rm_url(cli, o, argv[i], f[0] || f[1], f[2]))
			rc = 1;
	}
	sg_objects_close(o);
	return rc;
}
