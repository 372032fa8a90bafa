/*
 * Running SQLX actions on the local warehouse: the backend of
 * pipeline/transform_run.h. Each action's BigQuery SQL goes through the
 * BigQuery → DuckDB translation (bqsql.h); its project is dropped and its
 * dataset is the DuckDB schema (sg_local_transform_prepare creates them).
 *
 * Every action runs in one transaction, pre_operations and post_operations
 * included, so a failure leaves the warehouse as it was:
 *   - table: built into SCHEMA."NAME__sigma_build", then the old table or
 *     view is dropped and the new one renamed into place;
 *   - view: CREATE OR REPLACE VIEW;
 *   - incremental: built like a table on the first run or with
 *     --full-refresh; later runs INSERT BY NAME, or MERGE on uniqueKey
 *     (matched rows updated, new rows inserted);
 *   - operations: the statements in order;
 *   - assertion: a view in the assertion dataset; the action fails when
 *     it returns rows (the first 10 are kept for the report).
 */
#ifndef SG_PROVIDERS_LOCAL_TRANSFORM_EXEC_H
#define SG_PROVIDERS_LOCAL_TRANSFORM_EXEC_H

#include "pipeline/transform_run.h"
#include "providers/local/warehouse.h"

/*
 * Create every dataset the selected actions write, before a (non-dry) run:
 * the actions run in parallel transactions, and two of them creating one
 * schema would conflict.
 */
int sg_local_transform_prepare(sg_warehouse *w, const sg_sx_project *p, const bool *selected, sg_error *err);

/* Fill `b` to run on `w` (sessions are opened per worker). */
void sg_local_transform_backend(sg_warehouse *w, sg_sx_backend *b);

/* Does the target exist as a table (1), a view (2), or not (0)? */
int sg_local_object_kind(sg_warehouse *w, const char *schema, const char *name, int *kind, sg_error *err);

#endif
