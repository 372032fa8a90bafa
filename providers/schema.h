/*
 * The attribute schemas of sigma's resource kinds, following the GCP APIs
 * and the Terraform Google provider. Every provider (local today, gcp
 * later) describes its kinds with these tables, so a manifest means the
 * same thing whichever provider applies it.
 */
#ifndef SG_PROVIDERS_SCHEMA_H
#define SG_PROVIDERS_SCHEMA_H

#include "providers/provider.h"

extern const sg_attr sg_schema_bucket[];
extern const sg_attr sg_schema_dataset[];
extern const sg_attr sg_schema_table[];
extern const sg_attr sg_schema_view[];
extern const sg_attr sg_schema_external_table[];
extern const sg_attr sg_schema_workflow_template[];
extern const sg_attr sg_schema_scheduler[];
extern const sg_attr sg_schema_artifact_repo[];

/* Shared nested schemas: {count, interval} retries and CSV options. */
extern const sg_attr sg_schema_retry_fields[];
extern const sg_attr sg_schema_csv_fields[];

/* BigQuery column types accepted in `schema:` (standard SQL names and legacy aliases). */
extern const char *const sg_column_types[];

bool sg_name_valid_bucket(const char *name, sg_buf *why);
bool sg_name_valid_bigquery(const char *name, sg_buf *why);
bool sg_name_valid_workflow_template(const char *name, sg_buf *why);
bool sg_name_valid_scheduler(const char *name, sg_buf *why);
bool sg_name_valid_artifact_repo(const char *name, sg_buf *why);
/* A column name: a letter or '_', then letters, digits, '_'; at most 300 characters. */
bool sg_name_valid_column(const char *name, sg_buf *why);

/* The canonical (standard SQL) name of a BigQuery type: INTEGER → INT64, BOOLEAN → BOOL… */
const char *sg_column_type_canonical(const char *type);

#endif
