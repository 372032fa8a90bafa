#include "providers/local/local.h"

#include "providers/local/local_internal.h"
#include "providers/schema.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>

#define WAREHOUSE_TABLE_OPS                                                                                  \
	.create = sg_local_table_create, .update = sg_local_table_update, .destroy = sg_local_table_destroy, \
	.read = sg_local_table_read
#define CONTROL_ROW_OPS                                                                                      \
	.create = sg_local_row_create, .update = sg_local_row_update, .destroy = sg_local_row_destroy,       \
	.read = sg_local_row_read

static const sg_kind kind_bucket = {
	.name = "bucket", .attrs = sg_schema_bucket, .default_stage = "iac", .name_valid = sg_name_valid_bucket,
	.create = sg_local_bucket_create, .update = sg_local_bucket_update, .destroy = sg_local_bucket_destroy,
	.read = sg_local_bucket_read, .held = sg_local_bucket_held,
};
static const sg_kind kind_dataset = {
	.name = "dataset", .attrs = sg_schema_dataset, .default_stage = "iac", .name_valid = sg_name_valid_bigquery,
	.create = sg_local_dataset_create, .update = sg_local_dataset_update, .destroy = sg_local_dataset_destroy,
	.read = sg_local_dataset_read, .held = sg_local_dataset_held,
};
static const sg_kind kind_table = {
	.name = "table", .attrs = sg_schema_table, .default_stage = "iac", .name_valid = sg_name_valid_bigquery,
	WAREHOUSE_TABLE_OPS, .update_in_place = sg_local_table_update_in_place, .held = sg_local_table_held,
};
static const sg_kind kind_view = {
	.name = "view", .attrs = sg_schema_view, .default_stage = "iac", .name_valid = sg_name_valid_bigquery,
	WAREHOUSE_TABLE_OPS, .check = sg_local_view_check,
};
static const sg_kind kind_external_table = {
	.name = "external_table", .attrs = sg_schema_external_table, .default_stage = "initial-data",
	.name_valid = sg_name_valid_bigquery, WAREHOUSE_TABLE_OPS,
};
static const sg_kind kind_workflow_template = {
	.name = "workflow_template", .attrs = sg_schema_workflow_template, .default_stage = "iac",
	.name_valid = sg_name_valid_workflow_template, CONTROL_ROW_OPS,
};
static const sg_kind kind_scheduler = {
	.name = "scheduler", .attrs = sg_schema_scheduler, .default_stage = "workflow",
	.name_valid = sg_name_valid_scheduler, CONTROL_ROW_OPS,
};
static const sg_kind kind_artifact_repo = {
	.name = "artifact_repo", .attrs = sg_schema_artifact_repo, .default_stage = "iac",
	.name_valid = sg_name_valid_artifact_repo, CONTROL_ROW_OPS,
};

static const sg_kind *const local_kinds[] = {
	&kind_bucket,	 &kind_dataset,		  &kind_table,	   &kind_view,	       &kind_external_table,
	&kind_workflow_template, &kind_scheduler, &kind_artifact_repo, NULL,
};

static void local_free(sg_provider *p)
{
	sg_local *l = sg_local_from(p);
	sg_control_close(l->control);
	if (l->warehouse) {
		sg_local_snapshot_before_close(l);
		sg_warehouse_close(l->warehouse);
		l->warehouse = NULL;
		sg_local_snapshot_after_close(l);
	}
	json_decref(l->wh_snapshot);
	pthread_mutex_destroy(&l->open_mu);
	free(l->root);
	free(l->holder);
	free(l);
}

static const sg_provider schema_only = { .version = SG_PROVIDER_VERSION, .name = "local", .kinds = local_kinds };

const sg_provider *sg_local_provider_schema(void)
{
	return &schema_only;
}

int sg_local_provider_new(const char *local_root, const char *holder, sg_provider **out, sg_error *err)
{
	(void)err;
	sg_local *l = sg_calloc(1, sizeof(*l));
	l->base.version = SG_PROVIDER_VERSION;
	l->base.name = "local";
	l->base.kinds = local_kinds;
	l->base.free = local_free;
	l->base.refresh = sg_local_refresh;
	l->root = sg_strdup(local_root);
	l->holder = sg_strdup(holder ? holder : "sigma");
	l->warehouse_timeout_ms = 60000;
	const char *t = getenv("SIGMA_WAREHOUSE_TIMEOUT_MS");
	if (t && *t)
		l->warehouse_timeout_ms = strtoll(t, NULL, 10);
	pthread_mutex_init(&l->open_mu, NULL);
	*out = &l->base;
	return 0;
}

int sg_local_control(sg_local *l, sg_control **out, sg_error *err)
{
	pthread_mutex_lock(&l->open_mu);
	int rc = 0;
	if (!l->control) {
		sg_buf path = SG_BUF_INIT;
		rc = sg_fs_mkdir_p(l->root, err);
		if (rc == 0) {
			sg_fs_join(&path, l->root, "control.db");
			rc = sg_control_open(path.ptr, &l->control, err);
		}
		sg_buf_free(&path);
	}
	*out = l->control;
	pthread_mutex_unlock(&l->open_mu);
	return rc;
}

int sg_local_warehouse(sg_local *l, sg_warehouse **out, sg_error *err)
{
	pthread_mutex_lock(&l->open_mu);
	int rc = 0;
	if (!l->warehouse) {
		sg_buf path = SG_BUF_INIT;
		rc = sg_fs_mkdir_p(l->root, err);
		if (rc == 0) {
			sg_fs_join(&path, l->root, "warehouse.duckdb");
			rc = sg_warehouse_open(path.ptr, l->holder, l->warehouse_timeout_ms, &l->warehouse, err);
		}
		sg_buf_free(&path);
	}
	*out = l->warehouse;
	pthread_mutex_unlock(&l->open_mu);
	return rc;
}
