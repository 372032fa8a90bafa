/*
 * BigQuery types in DuckDB's spelling: INT64 → BIGINT, ARRAY<T> → T[],
 * STRUCT<a T> → STRUCT(a T), NUMERIC(p, s) → DECIMAL(p, s), ...
 */
#include "providers/local/bqsql_internal.h"

#include <stdlib.h>
#include <string.h>

static int type_rec(bq_ctx *c, size_t i, size_t end, sg_buf *out, size_t *next, int depth)
{
	static const char *const map[][2] = {
		{ "INT64", "BIGINT" },	     { "INT", "BIGINT" },	    { "INTEGER", "BIGINT" },
		{ "SMALLINT", "BIGINT" },    { "BIGINT", "BIGINT" },	    { "TINYINT", "BIGINT" },
		{ "BYTEINT", "BIGINT" },     { "FLOAT64", "DOUBLE" },	    { "FLOAT", "DOUBLE" },
		{ "BOOL", "BOOLEAN" },	     { "BOOLEAN", "BOOLEAN" },	    { "STRING", "VARCHAR" },
		{ "BYTES", "BLOB" },	     { "DATE", "DATE" },	    { "TIME", "TIME" },
		{ "DATETIME", "TIMESTAMP" }, { "TIMESTAMP", "TIMESTAMPTZ" }, { "JSON", "JSON" },
		{ "INTERVAL", "INTERVAL" },  { "NUMERIC", "DECIMAL" },	    { "DECIMAL", "DECIMAL" },
		{ "BIGNUMERIC", "DECIMAL" }, { "BIGDECIMAL", "DECIMAL" },
	};
	if (depth > 64)
		return bq_fail(c, i, "type nested more than 64 levels deep");
	if (i >= end || c->t[i].kind != BQ_IDENT)
		return bq_fail(c, i, "expected a type");
	if (bq_is_kw(c, i, "ARRAY")) {
		if (!bq_is_op(c, i + 1, "<"))
			return bq_fail(c, i, "expected ARRAY<type>");
		size_t j;
		if (type_rec(c, i + 2, end, out, &j, depth + 1) < 0)
			return -1;
		if (!bq_is_op(c, j, ">"))
			return bq_fail(c, j, "expected > to close ARRAY<");
		sg_buf_puts(out, "[]");
		*next = j + 1;
		return 0;
	}
	if (bq_is_kw(c, i, "STRUCT")) {
		if (!bq_is_op(c, i + 1, "<"))
			return bq_fail(c, i, "expected STRUCT<name type, ...>");
		bq_put_name(out, c, i, "STRUCT(");
		size_t j = i + 2;
		for (int n = 0;; n++) {
			if (bq_is_op(c, j, ">") && n == 0)
				return bq_fail(c, j, "STRUCT<> without fields has no local equivalent");
			bool named = j + 1 < end && (c->t[j].kind == BQ_IDENT || c->t[j].kind == BQ_QIDENT) &&
				     (c->t[j + 1].kind == BQ_IDENT);
			if (!named)
				return bq_fail(c, j, "STRUCT field without a name has no local equivalent");
			if (n)
				sg_buf_puts(out, ", ");
			if (c->t[j].kind == BQ_QIDENT) {
				sg_buf nm = SG_BUF_INIT;
				bq_string_value(c->src, &c->t[j], &nm, c->err);
				bq_put_ident(out, sg_buf_cstr(&nm));
				sg_buf_free(&nm);
			} else {
				bq_put_tok(out, c, j);
			}
			sg_buf_putc(out, ' ');
			if (type_rec(c, j + 1, end, out, &j, depth + 1) < 0)
				return -1;
			if (bq_is_op(c, j, ">"))
				break;
			if (!bq_is_op(c, j, ","))
				return bq_fail(c, j, "expected , or > in STRUCT<...>");
			j++;
		}
		sg_buf_putc(out, ')');
		*next = j + 1;
		return 0;
	}
	const char *duck = NULL;
	for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++) {
		if (bq_is_kw(c, i, map[m][0]))
			duck = map[m][1];
	}
	if (!duck)
		return bq_fail(c, i, "type %.*s has no local equivalent", (int)c->t[i].len, c->src + c->t[i].start);
	*next = i + 1;
	if (!strcmp(duck, "DECIMAL")) {
		if (bq_is_op(c, i + 1, "(")) {
			size_t rp = c->t[i + 1].match;
			long p = -1, s = 0;
			if (rp == i + 3 && c->t[i + 2].kind == BQ_NUMBER) {
				p = strtol(c->src + c->t[i + 2].start, NULL, 10);
			} else if (rp == i + 5 && c->t[i + 2].kind == BQ_NUMBER && bq_is_op(c, i + 3, ",") &&
				   c->t[i + 4].kind == BQ_NUMBER) {
				p = strtol(c->src + c->t[i + 2].start, NULL, 10);
				s = strtol(c->src + c->t[i + 4].start, NULL, 10);
			}
			if (p < 1 || p > 38 || s < 0 || s > p)
				return bq_fail(c, i, "%.*s(...) beyond DECIMAL(38, s) has no local equivalent", (int)c->t[i].len,
					       c->src + c->t[i].start);
			bq_put_name(out, c, i, "DECIMAL");
			sg_buf_printf(out, "(%ld,%ld)", p, s);
			*next = rp + 1;
			return 0;
		}
		bq_put_name(out, c, i, "DECIMAL(38,9)");
		return 0;
	}
	if (bq_is_op(c, i + 1, "(")) {
		if (strcmp(duck, "VARCHAR") && strcmp(duck, "BLOB"))
			return bq_fail(c, i, "type parameters of %.*s have no local equivalent", (int)c->t[i].len,
				       c->src + c->t[i].start);
		*next = c->t[i + 1].match + 1; /* STRING(10): DuckDB keeps no length */
	}
	bq_put_name(out, c, i, duck);
	return 0;
}

int bq_type(bq_ctx *c, size_t i, size_t end, sg_buf *out, size_t *next)
{
	return type_rec(c, i, end, out, next, 0);
}

