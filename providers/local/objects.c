#include "providers/local/objects.h"

#include "util/fs.h"
#include "util/text.h"

#include <ctype.h>
#include <string.h>

bool sg_bucket_name_valid(const char *name, sg_buf *why)
{
	size_t n = strlen(name);
	if (n < 3 || n > 63) {
		sg_buf_printf(why, "a bucket name has 3 to 63 characters, \"%s\" has %zu", name, n);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-' || c == '_' || c == '.')) {
			sg_buf_printf(why,
				      "a bucket name has only lower-case letters, digits, '-', '_' and '.', \"%s\" has '%c'",
				      name, c);
			return false;
		}
	}
	if (!isalnum((unsigned char)name[0]) || !isalnum((unsigned char)name[n - 1])) {
		sg_buf_printf(why, "a bucket name starts and ends with a letter or digit: \"%s\"", name);
		return false;
	}
	if (sg_str_starts_with(name, "goog")) {
		sg_buf_printf(why, "a bucket name cannot start with \"goog\": \"%s\"", name);
		return false;
	}
	return true;
}

bool sg_object_name_valid(const char *name, sg_buf *why)
{
	if (!*name) {
		sg_buf_puts(why, "the object name is empty");
		return false;
	}
	if (name[0] == '/') {
		sg_buf_printf(why, "an object name cannot start with '/': \"%s\"", name);
		return false;
	}
	if (strlen(name) > 1024) {
		sg_buf_puts(why, "an object name has at most 1024 bytes");
		return false;
	}
	for (const char *p = name; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			sg_buf_printf(why, "an object name cannot hold control characters (byte 0x%02x)",
				      (unsigned char)*p);
			return false;
		}
	}
	const char *seg = name;
	for (;;) {
		const char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);
		if ((len == 2 && seg[0] == '.' && seg[1] == '.') || (len == 1 && seg[0] == '.')) {
			sg_buf_printf(why, "an object name cannot hold a \".\" or \"..\" segment: \"%s\"", name);
			return false;
		}
		if (len == 0 && end) {
			sg_buf_printf(why, "an object name cannot hold an empty segment (\"//\"): \"%s\"", name);
			return false;
		}
		if (!end)
			break;
		seg = end + 1;
	}
	return true;
}

int sg_gs_uri_split(const char *uri, sg_buf *bucket, sg_buf *name, sg_error *err)
{
	if (!sg_str_starts_with(uri, "gs://"))
		return sg_error_set(err, "expected a gs://BUCKET/OBJECT URI, found \"%s\"", uri);
	const char *b = uri + 5;
	const char *slash = strchr(b, '/');
	sg_buf_clear(bucket);
	sg_buf_clear(name);
	if (slash) {
		sg_buf_put(bucket, b, (size_t)(slash - b));
		sg_buf_puts(name, slash + 1);
	} else {
		sg_buf_puts(bucket, b);
	}
	sg_buf why = SG_BUF_INIT;
	if (!sg_bucket_name_valid(sg_buf_cstr(bucket), &why)) {
		sg_error_set(err, "%s: %s", uri, why.ptr);
		sg_buf_free(&why);
		return -1;
	}
	if (name->len && !sg_object_name_valid(name->ptr, &why)) {
		sg_error_set(err, "%s: %s", uri, why.ptr);
		sg_buf_free(&why);
		return -1;
	}
	sg_buf_free(&why);
	return 0;
}

void sg_local_bucket_dir(const char *local_root, const char *bucket, sg_buf *out)
{
	sg_buf_clear(out);
	sg_buf_printf(out, "%s/buckets/%s", local_root, bucket);
}

int sg_local_tmp_dir(const char *local_root, sg_buf *out, sg_error *err)
{
	sg_buf_clear(out);
	sg_buf_printf(out, "%s/tmp", local_root);
	return sg_fs_mkdir_p(out->ptr, err);
}

int sg_local_object_path(const char *local_root, const char *uri, sg_buf *out_path, sg_error *err)
{
	sg_buf bucket = SG_BUF_INIT, name = SG_BUF_INIT;
	int rc = -1;
	if (sg_gs_uri_split(uri, &bucket, &name, err) < 0)
		goto out;
	if (name.len == 0) {
		sg_error_set(err, "%s names a bucket, not an object", uri);
		goto out;
	}
	sg_local_bucket_dir(local_root, bucket.ptr, out_path);
	if (!sg_fs_is_dir(out_path->ptr)) {
		sg_error_set(err, "bucket %s does not exist (no directory %s)", bucket.ptr, out_path->ptr);
		goto out;
	}
	sg_buf_putc(out_path, '/');
	sg_buf_puts(out_path, name.ptr);
	rc = 0;
out:
	sg_buf_free(&bucket);
	sg_buf_free(&name);
	return rc;
}
