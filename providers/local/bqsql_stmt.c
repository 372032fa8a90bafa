/*
 * BigQuery → DuckDB translation: statements. DDL loses what DuckDB keeps
 * no trace of (PARTITION BY, CLUSTER BY, OPTIONS), ALTER TABLE is split into
 * one statement per action, scripting is refused; everything else goes
 * through the clause translator in bqsql.c.
 */
#include "providers/local/bqsql_internal.h"

#include <string.h>

/* Statements of BigQuery's procedural language: refused. */
static const char *const scripting[] = {
	"DECLARE", "SET", "EXECUTE", "CALL", "IF", "LOOP", "WHILE", "REPEAT", "FOR", "BREAK", "LEAVE", "CONTINUE",
	"ITERATE", "RETURN", "RAISE", "ASSERT", "CASE", "EXPORT", "LOAD", "GRANT", "REVOKE",
};

/* ---- statements ---- */

/* Skip OPTIONS(...), PARTITION BY ..., CLUSTER BY ... of DDL: DuckDB keeps none of them. */
static size_t skip_ddl_clause(const bq_ctx *c, size_t i, size_t e)
{
	if (bq_is_kw(c, i, "OPTIONS") && bq_is_op(c, i + 1, "("))
		return c->t[i + 1].match + 1;
	if ((bq_is_kw(c, i, "PARTITION") || bq_is_kw(c, i, "CLUSTER")) && bq_is_kw(c, i + 1, "BY")) {
		size_t k = i + 2;
		while (k < e && !bq_is_kw(c, k, "OPTIONS") && !bq_is_kw(c, k, "AS") && !bq_is_kw(c, k, "CLUSTER") &&
		       !(bq_is_kw(c, k, "PARTITION") && bq_is_kw(c, k + 1, "BY"))) {
			if (bq_is_op(c, k, "(") || bq_is_op(c, k, "["))
				k = c->t[k].match;
			k++;
		}
		return k;
	}
	return i;
}

static bool is_name_tok(const bq_ctx *c, size_t i)
{
	return i < c->n && (c->t[i].kind == BQ_IDENT || c->t[i].kind == BQ_QIDENT);
}

/* The first top-level comma or the end, from k. */
static size_t next_comma(const bq_ctx *c, size_t k, size_t end)
{
	while (k < end && !bq_is_op(c, k, ",")) {
		if (bq_is_op(c, k, "(") || bq_is_op(c, k, "["))
			k = c->t[k].match;
		k++;
	}
	return k;
}

/* ( name TYPE [NOT NULL] [OPTIONS(...)], ... ) */
static int put_column_defs(bq_ctx *c, size_t lp, sg_buf *out)
{
	size_t rp = c->t[lp].match;
	bq_put_gap(out, c, lp);
	bq_put_tok(out, c, lp);
	size_t k = lp + 1;
	while (k < rp) {
		size_t e;
		if (bq_is_kw(c, k, "PRIMARY") || bq_is_kw(c, k, "FOREIGN") || bq_is_kw(c, k, "CONSTRAINT")) {
			e = next_comma(c, k, rp);
			if (bq_xl(c, k, e, true, out) < 0)
				return -1;
		} else if (!bq_is_op(c, k, ",")) {
			if (!is_name_tok(c, k))
				return bq_fail(c, k, "expected a column name");
			if (bq_xl(c, k, k + 1, true, out) < 0)
				return -1;
			size_t after;
			if (k + 1 >= rp || bq_is_op(c, k + 1, ","))
				return bq_fail(c, k, "column without a type");
			bq_put_gap(out, c, k + 1);
			if (bq_type(c, k + 1, rp, out, &after) < 0)
				return -1;
			e = next_comma(c, after, rp);
			for (size_t j = after; j < e;) {
				size_t s = skip_ddl_clause(c, j, e);
				if (s != j) {
					j = s;
					continue;
				}
				size_t nx = (bq_is_op(c, j, "(") || bq_is_op(c, j, "[")) ? c->t[j].match + 1 : j + 1;
				if (bq_xl(c, j, nx, true, out) < 0)
					return -1;
				j = nx;
			}
		} else {
			e = k;
		}
		if (e < rp) {
			bq_put_gap(out, c, e);
			bq_put_tok(out, c, e);
		}
		k = e + 1;
	}
	bq_put_gap(out, c, rp);
	bq_put_tok(out, c, rp);
	return 0;
}

/* Tokens [from, to) of DDL with its BigQuery-only clauses dropped. */
static int put_ddl_tail(bq_ctx *c, size_t from, size_t to, sg_buf *out)
{
	size_t i = from;
	while (i < to) {
		if (bq_is_kw(c, i, "AS"))
			return bq_xl(c, i, to, true, out);
		if (bq_is_kw(c, i, "DEFAULT") && bq_is_kw(c, i + 1, "COLLATE"))
			return bq_fail(c, i, "DEFAULT COLLATE has no local equivalent");
		if (bq_is_kw(c, i, "LIKE") || bq_is_kw(c, i, "COPY") || bq_is_kw(c, i, "CLONE"))
			return bq_fail(c, i, "CREATE TABLE ... %.*s has no local equivalent", (int)c->t[i].len,
				       c->src + c->t[i].start);
		size_t s = skip_ddl_clause(c, i, to);
		if (s != i) {
			i = s;
			continue;
		}
		size_t nx = (bq_is_op(c, i, "(") || bq_is_op(c, i, "[")) ? c->t[i].match + 1 : i + 1;
		if (bq_xl(c, i, nx, true, out) < 0)
			return -1;
		i = nx;
	}
	return 0;
}

static int xl_create(bq_ctx *c, size_t s, size_t e, sg_buf *out)
{
	static const char *const refused[] = { "FUNCTION", "AGGREGATE", "PROCEDURE", "MODEL", "SNAPSHOT", "ROW",
					       "SEARCH", "VECTOR", "CAPACITY", "RESERVATION", "ASSIGNMENT",
					       "CONNECTION", "MATERIALIZED" };
	size_t k = s + 1;
	if (bq_is_kw(c, k, "OR") && bq_is_kw(c, k + 1, "REPLACE"))
		k += 2;
	if (bq_is_kw(c, k, "TEMP") || bq_is_kw(c, k, "TEMPORARY"))
		k++;
	if (bq_is_kw(c, k, "EXTERNAL"))
		return bq_fail(c, k, "CREATE EXTERNAL TABLE has no local equivalent: declare an external_table resource");
	if (bq_in_list(c, k, refused, sizeof(refused) / sizeof(refused[0]), false) ||
	    (bq_is_kw(c, k, "TABLE") && bq_is_kw(c, k + 1, "FUNCTION")))
		return bq_fail(c, k, "CREATE %.*s%s has no local equivalent", (int)c->t[k].len, c->src + c->t[k].start,
			       bq_is_kw(c, k + 1, "FUNCTION") || bq_is_kw(c, k + 1, "VIEW") ? " ..." : "");
	bool table = bq_is_kw(c, k, "TABLE"), view = bq_is_kw(c, k, "VIEW"), schema = bq_is_kw(c, k, "SCHEMA");
	if (!table && !view && !schema)
		return bq_xl(c, s, e, true, out);
	k++;
	if (bq_is_kw(c, k, "IF") && bq_is_kw(c, k + 1, "NOT") && bq_is_kw(c, k + 2, "EXISTS"))
		k += 3;
	if (!is_name_tok(c, k))
		return bq_fail(c, k, "expected a name after CREATE %s", table ? "TABLE" : view ? "VIEW" : "SCHEMA");
	size_t pe = bq_path_end(c, k, e);
	if (schema) {
		if (bq_xl(c, s, k, true, out) < 0)
			return -1;
		bq_put_gap(out, c, k);
		if (bq_put_schema(c, k, pe, out) < 0)
			return -1;
		return put_ddl_tail(c, pe, e, out);
	}
	if (bq_xl(c, s, pe, true, out) < 0)
		return -1;
	size_t i = pe;
	if (bq_is_op(c, i, "(")) {
		if (table ? put_column_defs(c, i, out) < 0 : bq_xl(c, i, c->t[i].match + 1, true, out) < 0)
			return -1;
		i = c->t[i].match + 1;
	}
	return put_ddl_tail(c, i, e, out);
}

/*
 * ALTER TABLE t A, B: DuckDB takes one action per statement, so this
 * becomes ALTER TABLE t A; ALTER TABLE t B.
 */
static int xl_alter_table(bq_ctx *c, size_t s, size_t e, sg_buf *out)
{
	size_t k = s + 2;
	if (bq_is_kw(c, k, "IF") && bq_is_kw(c, k + 1, "EXISTS"))
		k += 2;
	if (!is_name_tok(c, k))
		return bq_fail(c, k, "expected a table name after ALTER TABLE");
	size_t pe = bq_path_end(c, k, e);
	sg_buf prefix = SG_BUF_INIT;
	int rc = bq_xl(c, s, pe, false, &prefix);
	size_t a = pe, angle = 0;
	bool first = true;
	for (size_t j = pe; rc == 0 && j <= e; j++) {
		if (j < e && (bq_is_op(c, j, "(") || bq_is_op(c, j, "["))) {
			j = c->t[j].match;
			continue;
		}
		if (j < e && bq_is_op(c, j, "<") && j > 0 && (bq_is_kw(c, j - 1, "ARRAY") || bq_is_kw(c, j - 1, "STRUCT")))
			angle++;
		else if (j < e && bq_is_op(c, j, ">") && angle)
			angle--;
		if (j < e && (angle || !bq_is_op(c, j, ",")))
			continue;
		if (j == a) {
			rc = bq_fail(c, j, "ALTER TABLE: empty action");
			break;
		}
		if (first)
			bq_put_gap(out, c, s);
		else
			sg_buf_puts(out, ";\n");
		sg_buf_put(out, prefix.ptr, prefix.len);
		if (!first)
			sg_buf_putc(out, ' ');
		rc = bq_xl(c, a, j, first, out);
		first = false;
		a = j + 1;
	}
	sg_buf_free(&prefix);
	return rc;
}

/* UPDATE t [AS] x / MERGE [INTO] t [AS] x: remember t and x for SET t.a = ... */
static void find_target(bq_ctx *c, size_t s, size_t e)
{
	c->target_name = c->target_alias = SIZE_MAX;
	size_t k = s + 1;
	if (!bq_is_kw(c, s, "UPDATE") && !bq_is_kw(c, s, "MERGE"))
		return;
	if (bq_is_kw(c, k, "INTO"))
		k++;
	if (!is_name_tok(c, k))
		return;
	size_t pe = bq_path_end(c, k, e);
	c->target_name = pe - 1;
	k = pe;
	if (bq_is_kw(c, k, "AS"))
		k++;
	if (is_name_tok(c, k) && !bq_is_reserved(c, k) && !bq_is_kw(c, k, "SET"))
		c->target_alias = k;
}

static int xl_statement(bq_ctx *c, size_t s, size_t e, sg_buf *out)
{
	c->stmt_start = s;
	c->stmt_alter = bq_is_kw(c, s, "ALTER");
	find_target(c, s, e);
	if (bq_is_kw(c, s, "BEGIN")) {
		if (s + 1 == e || bq_is_kw(c, s + 1, "TRANSACTION"))
			return bq_xl(c, s, e, true, out);
		return bq_fail(c, s, "BigQuery scripting block BEGIN ... END has no local equivalent");
	}
	if (bq_is_kw(c, s, "SET") && e > s + 1 && c->t[s + 1].kind == BQ_SYSVAR)
		return bq_fail(c, s, "BigQuery scripting statement SET %.*s has no local equivalent", (int)c->t[s + 1].len,
			       c->src + c->t[s + 1].start);
	if (bq_in_list(c, s, scripting, sizeof(scripting) / sizeof(scripting[0]), false))
		return bq_fail(c, s, "BigQuery scripting statement %.*s has no local equivalent", (int)c->t[s].len,
			       c->src + c->t[s].start);
	if (bq_is_kw(c, s, "CREATE"))
		return xl_create(c, s, e, out);
	if (c->stmt_alter && (bq_is_kw(c, s + 1, "SCHEMA") || bq_is_kw(c, s + 1, "MATERIALIZED") ||
			      bq_is_kw(c, s + 1, "ORGANIZATION") || bq_is_kw(c, s + 1, "PROJECT")))
		return bq_fail(c, s, "ALTER %.*s has no local equivalent", (int)c->t[s + 1].len, c->src + c->t[s + 1].start);
	if (c->stmt_alter && bq_is_kw(c, s + 1, "TABLE"))
		return xl_alter_table(c, s, e, out);
	if (bq_is_kw(c, s, "DROP") && bq_is_kw(c, s + 1, "SCHEMA")) {
		size_t k = s + 2;
		if (bq_is_kw(c, k, "IF") && bq_is_kw(c, k + 1, "EXISTS"))
			k += 2;
		if (!is_name_tok(c, k))
			return bq_fail(c, k, "expected a dataset name after DROP SCHEMA");
		size_t pe = bq_path_end(c, k, e);
		if (bq_xl(c, s, k, true, out) < 0)
			return -1;
		bq_put_gap(out, c, k);
		if (bq_put_schema(c, k, pe, out) < 0)
			return -1;
		return bq_xl(c, pe, e, true, out);
	}
	if (bq_is_kw(c, s, "DROP") &&
	    (bq_is_kw(c, s + 1, "FUNCTION") || bq_is_kw(c, s + 1, "PROCEDURE") || bq_is_kw(c, s + 1, "MODEL") ||
	     bq_is_kw(c, s + 1, "EXTERNAL") || bq_is_kw(c, s + 1, "MATERIALIZED") || bq_is_kw(c, s + 1, "SNAPSHOT")))
		return bq_fail(c, s + 1, "DROP %.*s has no local equivalent", (int)c->t[s + 1].len, c->src + c->t[s + 1].start);
	return bq_xl(c, s, e, true, out);
}

int sg_bq_translate_script(const char *bq_sql, size_t len, const sg_bq_opts *opts, sg_buf *out, sg_bq_script *script,
			   sg_error *err)
{
	static const sg_bq_opts no_opts = { 0 };
	sg_bq_script info = { 0, 0 };
	bq_toks toks;
	if (bq_lex(bq_sql, len, &toks, err) < 0)
		return -1;
	bq_ctx c = { bq_sql, toks.v, toks.n, opts ? opts : &no_opts, err, 0, 0, false, SIZE_MAX, SIZE_MAX };
	sg_buf res = SG_BUF_INIT;
	int rc = 0;
	size_t s = 0;
	while (s < toks.n && rc == 0) {
		size_t e = s;
		while (e < toks.n && !bq_is_op(&c, e, ";")) {
			if (bq_is_op(&c, e, "(") || bq_is_op(&c, e, "["))
				e = toks.v[e].match;
			e++;
		}
		if (e > s) {
			info.statements++;
			info.last_start = res.len;
			rc = xl_statement(&c, s, e, &res);
		}
		if (rc == 0 && e < toks.n) {
			bq_put_gap(&res, &c, e);
			bq_put_tok(&res, &c, e);
		}
		s = e + 1;
	}
	if (rc == 0) {
		bq_emit_gap(&res, bq_sql, toks.end_gap, len);
		sg_buf_put(out, sg_buf_cstr(&res), res.len);
		if (script)
			*script = info;
	}
	sg_buf_free(&res);
	bq_toks_free(&toks);
	return rc;
}

int sg_bq_translate_n(const char *bq_sql, size_t len, const sg_bq_opts *opts, sg_buf *out, sg_error *err)
{
	return sg_bq_translate_script(bq_sql, len, opts, out, NULL, err);
}

int sg_bq_translate(const char *bq_sql, const sg_bq_opts *opts, sg_buf *out, sg_error *err)
{
	return sg_bq_translate_n(bq_sql, strlen(bq_sql), opts, out, err);
}
