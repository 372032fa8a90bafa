/* Shared between the local provider's files; not for use outside providers/local. */
#ifndef SG_PROVIDERS_LOCAL_INTERNAL_H
#define SG_PROVIDERS_LOCAL_INTERNAL_H

#include "providers/local/control.h"
#include "providers/local/warehouse.h"
#include "providers/provider.h"

#include <pthread.h>

typedef struct sg_local {
	sg_provider base;
	char *root;
	char *holder;
	pthread_mutex_t open_mu;
	sg_control *control;
	sg_warehouse *warehouse;
	int64_t warehouse_timeout_ms;
	json_t *wh_snapshot;  /* what refresh read from the warehouse (refresh.c) */
	bool wh_wrote;        /* this process changed the warehouse */
} sg_local;

static inline sg_local *sg_local_from(sg_provider *p)
{
	return (sg_local *)p;
}

/* Open on first use (thread-safe). */
int sg_local_control(sg_local *l, sg_control **out, sg_error *err);
int sg_local_warehouse(sg_local *l, sg_warehouse **out, sg_error *err);

/* res_bucket.c */
int sg_local_bucket_create(sg_provider *p, const sg_kind *kind, const json_t *planned, json_t **out, sg_error *err);
int sg_local_bucket_update(sg_provider *p, const sg_kind *kind, const json_t *prior, const json_t *planned, json_t **out, sg_error *err);
int sg_local_bucket_destroy(sg_provider *p, const sg_kind *kind, const json_t *prior, sg_error *err);
int sg_local_bucket_read(sg_provider *p, const sg_kind *kind, const json_t *prior, json_t **out, sg_error *err);

/* refresh.c: read everything a state records, in a few queries */
int sg_local_refresh(sg_provider *p, const json_t *entries, json_t **out, sg_error *err);
/* refresh.c: before the warehouse closes, keep a snapshot of it for the next refresh */
void sg_local_snapshot_before_close(sg_local *l);
/* refresh.c: after it closed, write the snapshot with the file's signature */
void sg_local_snapshot_after_close(sg_local *l);

/* res_table.c: the DuckDB type of a BigQuery column (as information_schema spells it) */
void sg_local_duck_type(sg_buf *out, const json_t *column);

/* res_table.c: a view's query must translate (validate reports where it does not) */
int sg_local_view_check(const sg_kind *kind, const json_t *config, const char **attr, int *line, int *col, sg_buf *why);

/* res_table.c: does the table have the real _PARTITIONTIME column (ingestion-time partitioning)? */
bool sg_local_has_partition_time(const json_t *planned);

/* data a destroy would lose */
int sg_local_bucket_held(sg_provider *p, const sg_kind *kind, const json_t *prior, int64_t *count, const char **unit,
			 sg_error *err);
int sg_local_dataset_held(sg_provider *p, const sg_kind *kind, const json_t *prior, int64_t *count, const char **unit,
			  sg_error *err);
int sg_local_table_held(sg_provider *p, const sg_kind *kind, const json_t *prior, int64_t *count, const char **unit,
			sg_error *err);

/* res_control.c: workflow_template, scheduler, artifact_repo */
int sg_local_row_create(sg_provider *p, const sg_kind *kind, const json_t *planned, json_t **out, sg_error *err);
int sg_local_row_update(sg_provider *p, const sg_kind *kind, const json_t *prior, const json_t *planned, json_t **out, sg_error *err);
int sg_local_row_destroy(sg_provider *p, const sg_kind *kind, const json_t *prior, sg_error *err);
int sg_local_row_read(sg_provider *p, const sg_kind *kind, const json_t *prior, json_t **out, sg_error *err);

/* res_dataset.c */
int sg_local_dataset_create(sg_provider *p, const sg_kind *kind, const json_t *planned, json_t **out, sg_error *err);
int sg_local_dataset_update(sg_provider *p, const sg_kind *kind, const json_t *prior, const json_t *planned, json_t **out, sg_error *err);
int sg_local_dataset_destroy(sg_provider *p, const sg_kind *kind, const json_t *prior, sg_error *err);
int sg_local_dataset_read(sg_provider *p, const sg_kind *kind, const json_t *prior, json_t **out, sg_error *err);

/* res_table.c: table, view, external_table */
int sg_local_table_create(sg_provider *p, const sg_kind *kind, const json_t *planned, json_t **out, sg_error *err);
int sg_local_table_update(sg_provider *p, const sg_kind *kind, const json_t *prior, const json_t *planned, json_t **out, sg_error *err);
int sg_local_table_destroy(sg_provider *p, const sg_kind *kind, const json_t *prior, sg_error *err);
int sg_local_table_read(sg_provider *p, const sg_kind *kind, const json_t *prior, json_t **out, sg_error *err);
bool sg_local_table_update_in_place(const char *attr, const json_t *prior, const json_t *planned, sg_buf *why);


#endif
