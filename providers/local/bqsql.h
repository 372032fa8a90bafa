/*
 * BigQuery (GoogleSQL) → DuckDB translation for the local warehouse.
 *
 * sg_bq_translate() reads BigQuery SQL and writes SQL that DuckDB v1.5 runs
 * with the same meaning, or refuses it. It is shared by `sigma query`,
 * views and (later) the SQLX transforms.
 *
 * How it works. The input is cut into tokens (identifiers, `backtick`
 * identifiers, strings in all of BigQuery's spellings, numbers, operators,
 * @parameters), with comments and whitespace kept between them. The
 * translator walks the tokens and rewrites only the constructs that differ;
 * every other byte — spacing, comments, the case of keywords — is copied
 * as it was, so the output reads like the input. Nothing inside a string
 * literal or a comment is ever rewritten (string literals are re-spelt in
 * DuckDB's quoting when BigQuery's differs: "x", r'x', '''x''', '\n').
 *
 * What is translated (the README's "sigma query" section has the table):
 *   - `project.dataset.table` and `dataset.table` → "dataset"."table"; a
 *     `col` → "col". The project is dropped (opts->project: only that one);
 *   - types in CAST/SAFE_CAST, DDL column lists, ARRAY<T>, STRUCT<...>:
 *     INT64 → BIGINT, FLOAT64 → DOUBLE, NUMERIC/BIGNUMERIC → DECIMAL(38,9),
 *     BOOL → BOOLEAN, STRING → VARCHAR, BYTES → BLOB, DATETIME → TIMESTAMP,
 *     TIMESTAMP → TIMESTAMPTZ, ARRAY<T> → T[], STRUCT<a T> → STRUCT(a T);
 *   - functions whose name, argument order or meaning differ (DATE_TRUNC,
 *     DATE_ADD, FORMAT_DATE, PARSE_TIMESTAMP, IFNULL, COUNTIF, SAFE_DIVIDE,
 *     ...), with BigQuery's format elements turned into DuckDB's;
 *   - syntax: SELECT * EXCEPT → EXCLUDE, UNNEST aliases and WITH OFFSET,
 *     arr[OFFSET(i)], MERGE/INSERT/DELETE without INTO/FROM, INSERT ROW,
 *     qualified targets in UPDATE SET, # comments, typed literals,
 *     PARTITION BY / CLUSTER BY / OPTIONS(...) of DDL (dropped: DuckDB does
 *     not partition tables and keeps no options).
 *
 * Pseudo-columns. BigQuery gives an ingestion-time partitioned table
 * (`partitioning` without `field`) the pseudo-columns _PARTITIONTIME and
 * _PARTITIONDATE. Locally such a table has a real column named
 * opts->partition_column (default "_PARTITIONTIME", TIMESTAMPTZ) that loads
 * fill. _PARTITIONTIME becomes that column, and _PARTITIONDATE becomes
 * CAST("_PARTITIONTIME" AS DATE).
 *
 * What is refused. Anything with no faithful local equivalent is refused
 * before anything runs, with its line and column (1-based, columns in
 * characters): `line 3, col 10: BigQuery function ML.PREDICT has no local
 * equivalent`. That covers scripting (DECLARE, SET, IF, LOOP, EXECUTE
 * IMMEDIATE, CALL, BEGIN...END, ...), FOR SYSTEM_TIME AS OF, wildcard tables
 * and _TABLE_SUFFIX, @parameters and @@system variables (but @@project_id
 * when opts->project is set), SELECT AS STRUCT/VALUE, user-defined
 * functions, CREATE FUNCTION/PROCEDURE/MODEL/EXTERNAL TABLE/MATERIALIZED
 * VIEW, ALTER ... SET OPTIONS, the ^ operator, format elements DuckDB cannot
 * express, and a list of functions: the ML., NET., AEAD., KEYS., HLL_COUNT.,
 * KLL_QUANTILES., AI. and OBJ. families, ST_* geography functions,
 * EXTERNAL_QUERY, APPROX_TOP_COUNT, APPROX_TOP_SUM, APPROX_QUANTILES,
 * FARM_FINGERPRINT, RANGE_BUCKET, SEARCH, VECTOR_SEARCH, GAP_FILL, ...
 *
 * Unknown functions. A function that is neither translated nor refused is
 * passed through unchanged: most of BigQuery's functions (ABS, ROUND,
 * UPPER, COALESCE, ROW_NUMBER, ...) are spelt the same in DuckDB, and for
 * one that is not, DuckDB itself stops with "Scalar Function with name ...
 * does not exist" before running anything. A list of every same-named
 * function would have to be kept in step with two products, and would
 * refuse functions that work; the refused list names only what would
 * otherwise run with another meaning or fail obscurely.
 *
 * Session. BigQuery sorts NULLs first in ascending order and last in
 * descending order; DuckDB's default is last in both. SG_BQ_SESSION_SQL
 * sets DuckDB to BigQuery's order; run it on the connection first.
 */
#ifndef SG_PROVIDERS_LOCAL_BQSQL_H
#define SG_PROVIDERS_LOCAL_BQSQL_H

#include "util/buf.h"
#include "util/error.h"

#include <stddef.h>

#define SG_BQ_SESSION_SQL "SET default_null_order = 'nulls_first_on_asc_last_on_desc';"

/*
 * Map a table reference to DuckDB SQL. `project` is NULL when the
 * reference had none; `dataset` is NULL for a one-part name. Append the
 * DuckDB reference to `out` and return 0, or set `err` (the translator
 * puts the line and column before it) and return -1.
 */
typedef int (*sg_bq_table_fn)(void *ctx, const char *project, const char *dataset, const char *table,
			      sg_buf *out, sg_error *err);

typedef struct sg_bq_opts {
	/*
	 * The local project. NULL: any project in a three-part name is
	 * dropped. Set: a name in another project is refused, and
	 * @@project_id is this string.
	 */
	const char *project;
	/* The real column behind _PARTITIONTIME; NULL: "_PARTITIONTIME". */
	const char *partition_column;
	/*
	 * Called for every table reference with a dataset or project (and for
	 * backtick-quoted one-part names); NULL: "dataset"."table".
	 */
	sg_bq_table_fn resolve_table;
	void *resolve_ctx;
} sg_bq_opts;

/*
 * Translate `bq_sql` (one or more statements) and append the DuckDB SQL to
 * `out`. `opts` may be NULL. On a construct that cannot be translated,
 * returns -1 with `err` saying "line L, col C: what" and leaves `out` as it
 * was: nothing half-translated is handed back.
 */
int sg_bq_translate(const char *bq_sql, const sg_bq_opts *opts, sg_buf *out, sg_error *err);
/* The same for `len` bytes that need not end in NUL (a NUL inside is refused). */
int sg_bq_translate_n(const char *bq_sql, size_t len, const sg_bq_opts *opts, sg_buf *out, sg_error *err);

/* What sg_bq_translate_script found in a script. */
typedef struct sg_bq_script {
	size_t statements; /* how many statements (empty ones between ;; not counted) */
	size_t last_start; /* where the last one starts in the text appended to out */
} sg_bq_script;

/*
 * sg_bq_translate_n, and where the statements are: a caller can run all
 * but the last one, then the last one for its result.
 */
int sg_bq_translate_script(const char *bq_sql, size_t len, const sg_bq_opts *opts, sg_buf *out, sg_bq_script *script,
			   sg_error *err);

#endif
