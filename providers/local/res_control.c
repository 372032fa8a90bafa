/*
 * Workflow templates, schedulers and artifact repositories of the local
 * provider: one row each in the control store. An artifact repository also
 * gets a directory, LOCAL_ROOT/artifacts/NAME, to hold what is pushed.
 */
#include "providers/local/local_internal.h"

#include "util/fs.h"

#include <string.h>

static const char *row_name(const json_t *attrs)
{
	return json_string_value(json_object_get(attrs, "name"));
}

static int put_row(sg_local *l, const char *kind, const json_t *planned, json_t **out, sg_error *err)
{
	json_t *rec = json_deep_copy(planned);
	if (!strcmp(kind, "artifact_repo")) {
		sg_buf dir = SG_BUF_INIT;
		sg_buf_printf(&dir, "%s/artifacts/%s", l->root, row_name(planned));
		if (sg_fs_mkdir_p(dir.ptr, err) < 0) {
			sg_buf_free(&dir);
			json_decref(rec);
			return -1;
		}
		json_object_set_new(rec, "url", json_string(dir.ptr));
		sg_buf_free(&dir);
	}
	sg_control *c;
	if (sg_local_control(l, &c, err) < 0 || sg_control_put(c, kind, row_name(planned), rec, err) < 0) {
		json_decref(rec);
		return -1;
	}
	*out = rec;
	return 0;
}

int sg_local_row_create(sg_provider *p, const sg_kind *kind, const json_t *planned, json_t **out, sg_error *err)
{
	return put_row(sg_local_from(p), kind->name, planned, out, err);
}

int sg_local_row_update(sg_provider *p, const sg_kind *kind, const json_t *prior, const json_t *planned, json_t **out, sg_error *err)
{
	(void)prior;
	return put_row(sg_local_from(p), kind->name, planned, out, err);
}

int sg_local_row_destroy(sg_provider *p, const sg_kind *kind, const json_t *prior, sg_error *err)
{
	sg_local *l = sg_local_from(p);
	sg_control *c;
	if (sg_local_control(l, &c, err) < 0 || sg_control_delete(c, kind->name, row_name(prior), err) < 0)
		return -1;
	if (!strcmp(kind->name, "artifact_repo")) {
		sg_buf dir = SG_BUF_INIT;
		sg_buf_printf(&dir, "%s/artifacts/%s", l->root, row_name(prior));
		int rc = sg_fs_rm_rf(dir.ptr, err);
		sg_buf_free(&dir);
		return rc;
	}
	return 0;
}

int sg_local_row_read(sg_provider *p, const sg_kind *kind, const json_t *prior, json_t **out, sg_error *err)
{
	sg_local *l = sg_local_from(p);
	*out = NULL;
	sg_control *c;
	if (sg_local_control(l, &c, err) < 0)
		return -1;
	return sg_control_get(c, kind->name, row_name(prior), out, err);
}
