/*
 * The part of DuckDB's C API that sigma uses, declared from DuckDB's
 * documented C API (duckdb.h of v1.5). libduckdb.so ships without a header
 * (it comes from the npm package @duckdb/node-bindings-linux-x64), so we
 * declare exactly what we call and nothing else. Results are read with
 * duckdb_fetch_chunk and the vector API; the deprecated duckdb_value_*
 * functions are not used.
 */
#ifndef SG_PROVIDERS_LOCAL_DUCKDB_API_H
#define SG_PROVIDERS_LOCAL_DUCKDB_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t idx_t;

typedef enum { DuckDBSuccess = 0, DuckDBError = 1 } duckdb_state;

typedef enum DUCKDB_TYPE {
	DUCKDB_TYPE_INVALID = 0,
	DUCKDB_TYPE_BOOLEAN = 1,
	DUCKDB_TYPE_TINYINT = 2,
	DUCKDB_TYPE_SMALLINT = 3,
	DUCKDB_TYPE_INTEGER = 4,
	DUCKDB_TYPE_BIGINT = 5,
	DUCKDB_TYPE_UTINYINT = 6,
	DUCKDB_TYPE_USMALLINT = 7,
	DUCKDB_TYPE_UINTEGER = 8,
	DUCKDB_TYPE_UBIGINT = 9,
	DUCKDB_TYPE_FLOAT = 10,
	DUCKDB_TYPE_DOUBLE = 11,
	DUCKDB_TYPE_TIMESTAMP = 12,
	DUCKDB_TYPE_DATE = 13,
	DUCKDB_TYPE_TIME = 14,
	DUCKDB_TYPE_INTERVAL = 15,
	DUCKDB_TYPE_HUGEINT = 16,
	DUCKDB_TYPE_VARCHAR = 17,
	DUCKDB_TYPE_BLOB = 18,
	DUCKDB_TYPE_DECIMAL = 19,
	DUCKDB_TYPE_TIMESTAMP_S = 20,
	DUCKDB_TYPE_TIMESTAMP_MS = 21,
	DUCKDB_TYPE_TIMESTAMP_NS = 22,
	DUCKDB_TYPE_ENUM = 23,
	DUCKDB_TYPE_LIST = 24,
	DUCKDB_TYPE_STRUCT = 25,
	DUCKDB_TYPE_MAP = 26,
	DUCKDB_TYPE_UUID = 27,
	DUCKDB_TYPE_UNION = 28,
	DUCKDB_TYPE_BIT = 29,
	DUCKDB_TYPE_TIME_TZ = 30,
	DUCKDB_TYPE_TIMESTAMP_TZ = 31,
	DUCKDB_TYPE_UHUGEINT = 32,
	DUCKDB_TYPE_ARRAY = 33,
} duckdb_type;

typedef enum {
	DUCKDB_RESULT_TYPE_INVALID = 0,
	DUCKDB_RESULT_TYPE_CHANGED_ROWS = 1,
	DUCKDB_RESULT_TYPE_NOTHING = 2,
	DUCKDB_RESULT_TYPE_QUERY_RESULT = 3,
} duckdb_result_type;

typedef struct _duckdb_database {
	void *internal_ptr;
} * duckdb_database;
typedef struct _duckdb_connection {
	void *internal_ptr;
} * duckdb_connection;
typedef struct _duckdb_config {
	void *internal_ptr;
} * duckdb_config;
typedef struct _duckdb_prepared_statement {
	void *internal_ptr;
} * duckdb_prepared_statement;
typedef struct _duckdb_data_chunk {
	void *internal_ptr;
} * duckdb_data_chunk;
typedef struct _duckdb_vector {
	void *internal_ptr;
} * duckdb_vector;

typedef struct {
	void *deprecated_data;
	bool *deprecated_nullmask;
	duckdb_type deprecated_type;
	char *deprecated_name;
	void *internal_data;
} duckdb_column;

/* 48 bytes: the deprecated fields are kept for layout only */
typedef struct {
	idx_t deprecated_column_count;
	idx_t deprecated_row_count;
	idx_t deprecated_rows_changed;
	duckdb_column *deprecated_columns;
	char *deprecated_error_message;
	void *internal_data;
} duckdb_result;

typedef struct _duckdb_logical_type {
	void *internal_ptr;
} * duckdb_logical_type;

/* HUGEINT / UHUGEINT as stored in a vector */
typedef struct {
	uint64_t lower;
	int64_t upper;
} duckdb_hugeint;
typedef struct {
	uint64_t lower;
	uint64_t upper;
} duckdb_uhugeint;

/* a VARCHAR/BLOB value in a vector: inlined when length <= 12 */
typedef struct {
	union {
		struct {
			uint32_t length;
			char prefix[4];
			char *ptr;
		} pointer;
		struct {
			uint32_t length;
			char inlined[12];
		} inlined;
	} value;
} duckdb_string_t;

const char *duckdb_library_version(void);

duckdb_state duckdb_create_config(duckdb_config *out_config);
duckdb_state duckdb_set_config(duckdb_config config, const char *name, const char *option);
void duckdb_destroy_config(duckdb_config *config);

duckdb_state duckdb_open_ext(const char *path, duckdb_database *out_database, duckdb_config config,
			     char **out_error);
void duckdb_close(duckdb_database *database);
duckdb_state duckdb_connect(duckdb_database database, duckdb_connection *out_connection);
void duckdb_disconnect(duckdb_connection *connection);
void duckdb_interrupt(duckdb_connection connection);
void duckdb_free(void *ptr);

duckdb_state duckdb_query(duckdb_connection connection, const char *query, duckdb_result *out_result);
void duckdb_destroy_result(duckdb_result *result);
const char *duckdb_result_error(duckdb_result *result);
idx_t duckdb_column_count(duckdb_result *result);
const char *duckdb_column_name(duckdb_result *result, idx_t col);
duckdb_type duckdb_column_type(duckdb_result *result, idx_t col);
idx_t duckdb_rows_changed(duckdb_result *result);
duckdb_result_type duckdb_result_return_type(duckdb_result result);
duckdb_logical_type duckdb_column_logical_type(duckdb_result *result, idx_t col);
uint8_t duckdb_decimal_width(duckdb_logical_type type);
uint8_t duckdb_decimal_scale(duckdb_logical_type type);
duckdb_type duckdb_decimal_internal_type(duckdb_logical_type type);
void duckdb_destroy_logical_type(duckdb_logical_type *type);

duckdb_state duckdb_prepare(duckdb_connection connection, const char *query,
			    duckdb_prepared_statement *out_prepared_statement);
const char *duckdb_prepare_error(duckdb_prepared_statement prepared_statement);
duckdb_state duckdb_bind_varchar(duckdb_prepared_statement prepared_statement, idx_t param_idx, const char *val);
duckdb_state duckdb_bind_int64(duckdb_prepared_statement prepared_statement, idx_t param_idx, int64_t val);
duckdb_state duckdb_execute_prepared(duckdb_prepared_statement prepared_statement, duckdb_result *out_result);
void duckdb_destroy_prepare(duckdb_prepared_statement *prepared_statement);

duckdb_data_chunk duckdb_fetch_chunk(duckdb_result result);
void duckdb_destroy_data_chunk(duckdb_data_chunk *chunk);
idx_t duckdb_data_chunk_get_size(duckdb_data_chunk chunk);
duckdb_vector duckdb_data_chunk_get_vector(duckdb_data_chunk chunk, idx_t col_idx);
void *duckdb_vector_get_data(duckdb_vector vector);
uint64_t *duckdb_vector_get_validity(duckdb_vector vector);
bool duckdb_validity_row_is_valid(uint64_t *validity, idx_t row);

#endif
