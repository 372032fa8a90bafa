/*
 * Values of a DuckDB result that sigma shows as text, formatted here as
 * DuckDB's own CAST(x AS VARCHAR) writes them: DATE, TIME, TIMESTAMP (all
 * units), TIMESTAMPTZ (the warehouse session is in UTC), DECIMAL and
 * HUGEINT. Doing it here lets `sigma query` run a statement once; the
 * nested types (LIST, STRUCT, MAP, ...) still go through DuckDB's cast.
 */
#ifndef SG_PROVIDERS_LOCAL_WH_TEXT_H
#define SG_PROVIDERS_LOCAL_WH_TEXT_H

#include "providers/local/duckdb_api.h"
#include "util/buf.h"

#include <stdbool.h>

/* How to format one column: its type, and for DECIMAL the scale and storage. */
typedef struct sg_wh_text_col {
	duckdb_type type;
	duckdb_type decimal_storage; /* SMALLINT, INTEGER, BIGINT or HUGEINT */
	uint8_t decimal_scale;
} sg_wh_text_col;

/* Can sg_wh_text_cell format columns of this type? (DECIMAL: needs the logical type.) */
bool sg_wh_text_supported(duckdb_type type);
/* Fill `col` for column `c` of `res`; false when it cannot be formatted here. */
bool sg_wh_text_column(duckdb_result *res, idx_t c, sg_wh_text_col *col);
/* Append row `row` of a vector's data (not NULL: the caller checks validity). */
void sg_wh_text_cell(const sg_wh_text_col *col, const void *data, idx_t row, sg_buf *out);

#endif
