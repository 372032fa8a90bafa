/*
 * The local warehouse: one DuckDB database file, LOCAL_ROOT/warehouse.duckdb.
 *
 * DuckDB lets one process write a database file at a time, and opening the
 * same file twice in one process risks corruption. So: one handle per file
 * per process (this object), statements serialised by a mutex, and across
 * processes a lock file (warehouse.duckdb.lock) that a second sigma command
 * waits on, up to a timeout, with an error naming the holder when it gives
 * up. Nothing tries the network: extension autoload/autoinstall are off.
 *
 * Metadata that must agree with the tables lives beside them in the
 * `_sigma` schema, written in the same transaction as the DDL.
 */
#ifndef SG_PROVIDERS_LOCAL_WAREHOUSE_H
#define SG_PROVIDERS_LOCAL_WAREHOUSE_H

#include "util/buf.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct sg_warehouse sg_warehouse;

/* The DuckDB catalog the warehouse file is attached as (and USEd). */
#define SG_WAREHOUSE_CATALOG "__sigma_warehouse"

/*
 * Open (creating when missing) the warehouse at `path`, waiting up to
 * `timeout_ms` for another process that holds it. `holder` describes this
 * process for others who wait ("sigma apply", pid is added).
 */
int sg_warehouse_open(const char *path, const char *holder, int64_t timeout_ms, sg_warehouse **out, sg_error *err);
/*
 * Close a warehouse handle or a session. Sessions must be closed before the
 * handle they came from.
 */
void sg_warehouse_close(sg_warehouse *w);
/*
 * A second connection to the same open database, for another thread:
 * statements on different sessions run concurrently, each session's in
 * order (DuckDB's MVCC; two transactions writing one table conflict and
 * one fails). Close it with sg_warehouse_close() before `w`.
 */
int sg_warehouse_session(sg_warehouse *w, sg_warehouse **out, sg_error *err);

/* Run one or more statements; rows are discarded. */
int sg_warehouse_exec(sg_warehouse *w, const char *sql, sg_error *err);
/*
 * Run a query and return its rows as a JSON array of arrays (values cast
 * to text in SQL by the caller where needed; NULL → null, integers and
 * booleans typed). `max_rows` < 0: all.
 */
int sg_warehouse_rows(sg_warehouse *w, const char *sql, int64_t max_rows, json_t **out, sg_error *err);
/* The result of a statement run for a user (sigma query). */
typedef struct sg_wh_result {
	json_t *columns; /* array of names */
	json_t *rows;    /* array of arrays; values sigma cannot type come as text */
	int64_t changed; /* rows affected, for INSERT/UPDATE/DELETE */
	bool is_query;   /* the statement returned rows */
	bool truncated;  /* more rows than max_rows */
} sg_wh_result;

/*
 * Run `sql` (one or more statements; the last one's result is returned).
 * Columns of types sigma does not read natively (dates, decimals, lists...)
 * are returned as DuckDB's text form. `max_rows` < 0: all.
 */
int sg_warehouse_query(sg_warehouse *w, const char *sql, int64_t max_rows, sg_wh_result *out, sg_error *err);
void sg_wh_result_free(sg_wh_result *r);

/*
 * The first cell of a query's first row, parsed as JSON: *out = the value
 * ({} when the cell is NULL or not JSON), or NULL when there is no row.
 */
int sg_warehouse_json_cell(sg_warehouse *w, const char *sql, json_t **out, sg_error *err);

/* The single BIGINT of a one-row, one-column query (NULL → 0). */
int sg_warehouse_int(sg_warehouse *w, const char *sql, int64_t *out, sg_error *err);

/* Run `sql` (several statements) in one transaction; ROLLBACK on failure. */
int sg_warehouse_tx(sg_warehouse *w, const char *sql, sg_error *err);

/* Append `s` as a quoted SQL identifier ("a""b") / string literal ('it''s'). */
void sg_sql_ident(sg_buf *out, const char *s);
void sg_sql_string(sg_buf *out, const char *s);

#endif
