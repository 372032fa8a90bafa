/*
 * Buckets of the local provider: the directory LOCAL_ROOT/buckets/NAME,
 * with the bucket's attributes in the control store.
 */
#include "providers/local/local_internal.h"

#include "providers/local/object_store.h"
#include "providers/local/objects.h"
#include "util/fs.h"
#include "util/text.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static const char *bucket_name(const json_t *attrs)
{
	return json_string_value(json_object_get(attrs, "name"));
}

static json_t *with_computed(sg_local *l, const json_t *planned)
{
	json_t *out = json_deep_copy(planned);
	const char *name = bucket_name(planned);
	sg_buf b = SG_BUF_INIT;
	sg_buf_printf(&b, "gs://%s", name);
	json_object_set_new(out, "url", json_string(b.ptr));
	sg_local_bucket_dir(l->root, name, &b);
	json_object_set_new(out, "self_link", json_string(b.ptr));
	sg_buf_free(&b);
	return out;
}

int sg_local_bucket_create(sg_provider *p, const sg_kind *kind, const json_t *planned, json_t **out, sg_error *err)
{
	sg_local *l = sg_local_from(p);
	const char *name = bucket_name(planned);
	sg_buf why = SG_BUF_INIT, dir = SG_BUF_INIT;
	int rc = -1;
	if (!name || !sg_bucket_name_valid(name, &why)) {
		sg_error_set(err, "invalid bucket name: %s", sg_buf_cstr(&why));
		goto out;
	}
	sg_buf_printf(&dir, "%s/buckets", l->root);
	if (sg_fs_mkdir_p(dir.ptr, err) < 0)
		goto out;
	sg_local_bucket_dir(l->root, name, &dir);
	if (mkdir(dir.ptr, 0755) < 0) {
		/* a directory left by an apply that was killed after creating it is adopted */
		if (errno != EEXIST || !sg_fs_is_dir(dir.ptr)) {
			sg_error_set(err, "cannot create bucket directory %s: %s", dir.ptr,
				     errno == EEXIST ? "a file of that name is in the way" : strerror(errno));
			goto out;
		}
	}
	sg_control *c;
	if (sg_local_control(l, &c, err) < 0)
		goto out;
	json_t *rec = with_computed(l, planned);
	rc = sg_control_put(c, "bucket", name, rec, err);
	if (rc == 0)
		*out = rec;
	else
		json_decref(rec);
out:
	sg_buf_free(&why);
	sg_buf_free(&dir);
	return rc;
}

int sg_local_bucket_update(sg_provider *p, const sg_kind *kind, const json_t *prior, const json_t *planned, json_t **out, sg_error *err)
{
	(void)prior;
	sg_local *l = sg_local_from(p);
	sg_buf dir = SG_BUF_INIT;
	sg_local_bucket_dir(l->root, bucket_name(planned), &dir);
	bool exists = sg_fs_is_dir(dir.ptr);
	sg_buf_free(&dir);
	if (!exists)
		return sg_error_set(err, "bucket %s no longer exists", bucket_name(planned));
	sg_control *c;
	if (sg_local_control(l, &c, err) < 0)
		return -1;
	json_t *rec = with_computed(l, planned);
	if (sg_control_put(c, "bucket", bucket_name(planned), rec, err) < 0) {
		json_decref(rec);
		return -1;
	}
	*out = rec;
	return 0;
}

int sg_local_bucket_destroy(sg_provider *p, const sg_kind *kind, const json_t *prior, sg_error *err)
{
	sg_local *l = sg_local_from(p);
	const char *name = bucket_name(prior);
	sg_buf dir = SG_BUF_INIT;
	sg_local_bucket_dir(l->root, name, &dir);
	int rc = 0;
	int64_t n = sg_fs_count_files(dir.ptr);
	if (n < 0) {
		rc = sg_error_set(err, "cannot list bucket %s: %s", name, strerror(errno));
	} else if (n > 0 && !json_is_true(json_object_get(prior, "force_destroy"))) {
		sg_buf count = SG_BUF_INIT;
		sg_format_count(&count, n);
		rc = sg_error_set(err, "bucket %s holds %s object%s; set force_destroy: true to destroy it with them",
				  name, count.ptr, n == 1 ? "" : "s");
		sg_buf_free(&count);
	} else {
		sg_control *c;
		rc = sg_fs_rm_rf(dir.ptr, err);
		if (rc == 0)
			rc = sg_local_control(l, &c, err);
		if (rc == 0)
			rc = sg_control_delete(c, "bucket", name, err);
		/* a bucket made again under this name starts without its objects' metadata */
		if (rc == 0)
			rc = sg_objects_forget_bucket(c, name, err);
	}
	sg_buf_free(&dir);
	return rc;
}

int sg_local_bucket_read(sg_provider *p, const sg_kind *kind, const json_t *prior, json_t **out, sg_error *err)
{
	sg_local *l = sg_local_from(p);
	*out = NULL;
	const char *name = bucket_name(prior);
	sg_buf dir = SG_BUF_INIT;
	sg_local_bucket_dir(l->root, name, &dir);
	bool exists = sg_fs_is_dir(dir.ptr);
	sg_buf_free(&dir);
	if (!exists)
		return 0;
	sg_control *c;
	if (sg_local_control(l, &c, err) < 0)
		return -1;
	return sg_control_get(c, "bucket", name, out, err);
}

int sg_local_bucket_held(sg_provider *p, const sg_kind *kind, const json_t *prior, int64_t *count, const char **unit,
			 sg_error *err)
{
	(void)kind;
	sg_local *l = sg_local_from(p);
	sg_buf dir = SG_BUF_INIT;
	sg_local_bucket_dir(l->root, bucket_name(prior), &dir);
	*count = sg_fs_count_files(dir.ptr);
	*unit = "object";
	int rc = 0;
	if (*count < 0)
		rc = sg_error_set(err, "cannot list bucket %s: %s", bucket_name(prior), strerror(errno));
	sg_buf_free(&dir);
	return rc;
}
