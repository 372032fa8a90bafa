#include "providers/local/transform_exec.h"

#include "providers/local/bqsql.h"
#include "util/alloc.h"
#include "util/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSERTION_SAMPLE 10

/* The outcome's error, "FILE: what went wrong"; returns -1. */
static int __attribute__((format(printf, 3, 4))) set_error(sg_sx_outcome *o, const sg_sx_action *a, const char *fmt, ...)
{
	sg_buf m = SG_BUF_INIT;
	va_list ap;
	sg_buf_printf(&m, "%s: ", a->file);
	va_start(ap, fmt);
	sg_buf_vprintf(&m, fmt, ap);
	va_end(ap);
	free(o->error);
	o->error = sg_buf_detach(&m);
	return -1;
}

int sg_local_object_kind(sg_warehouse *w, const char *schema, const char *name, int *kind, sg_error *err)
{
	sg_buf q = SG_BUF_INIT;
	sg_buf_puts(&q, "SELECT CASE WHEN EXISTS (SELECT 1 FROM duckdb_views() WHERE NOT internal AND schema_name = ");
	sg_sql_string(&q, schema);
	sg_buf_puts(&q, " AND view_name = ");
	sg_sql_string(&q, name);
	sg_buf_puts(&q, ") THEN 2 WHEN EXISTS (SELECT 1 FROM duckdb_tables() WHERE schema_name = ");
	sg_sql_string(&q, schema);
	sg_buf_puts(&q, " AND table_name = ");
	sg_sql_string(&q, name);
	sg_buf_puts(&q, ") THEN 1 ELSE 0 END");
	int64_t k = 0;
	int rc = sg_warehouse_int(w, q.ptr, &k, err);
	sg_buf_free(&q);
	*kind = (int)k;
	return rc;
}

static void target_ref(sg_buf *out, const sg_sx_target *t, const char *suffix)
{
	sg_sql_ident(out, t->schema);
	sg_buf_putc(out, '.');
	if (suffix) {
		sg_buf tmp = SG_BUF_INIT;
		sg_buf_printf(&tmp, "%s%s", t->name, suffix);
		sg_sql_ident(out, tmp.ptr);
		sg_buf_free(&tmp);
	} else {
		sg_sql_ident(out, t->name);
	}
}

/*
 * Append the DuckDB form of `bq` (a query, or with `script` several
 * statements each ended by ;). A refusal names the action's file.
 */
static int translate(const sg_sx_action *a, const char *what, const char *bq, bool script, sg_buf *out,
		     sg_sx_outcome *o)
{
	sg_buf t = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	if (sg_bq_translate(bq, NULL, &t, &err) < 0) {
		set_error(o, a, "the %s cannot run on the local warehouse: %s", what, sg_error_msg(&err));
		sg_error_clear(&err);
		sg_buf_free(&t);
		return -1;
	}
	/* a query is wrapped in AS (...): no trailing ; or blanks; what follows
	 * it starts on a new line, since its last line may end in a -- comment */
	size_t len = t.len;
	while (len && (t.ptr[len - 1] == ';' || t.ptr[len - 1] == ' ' || t.ptr[len - 1] == '\n' ||
		       t.ptr[len - 1] == '\t' || t.ptr[len - 1] == '\r'))
		len--;
	size_t start = 0;
	while (start < len && (t.ptr[start] == ' ' || t.ptr[start] == '\n' || t.ptr[start] == '\t' || t.ptr[start] == '\r'))
		start++;
	if (script && len > start) {
		sg_buf_put(out, t.ptr + start, len - start);
		sg_buf_puts(out, "\n;\n");
	} else if (!script) {
		if (len == start) {
			set_error(o, a, "the %s is empty", what);
			sg_buf_free(&t);
			return -1;
		}
		sg_buf_put(out, t.ptr + start, len - start);
		sg_buf_putc(out, '\n');
	}
	sg_buf_free(&t);
	return 0;
}

static int translate_all(const sg_sx_action *a, const char *what, const sg_sx_strs *s, sg_buf *out, sg_sx_outcome *o)
{
	for (size_t i = 0; i < s->n; i++) {
		if (translate(a, what, s->items[i], true, out, o) < 0)
			return -1;
	}
	return 0;
}

static int fail_with(sg_sx_outcome *o, const sg_sx_action *a, sg_error *err)
{
	set_error(o, a, "%s", sg_error_msg(err));
	sg_error_clear(err);
	return -1;
}

/* The columns of an existing table, in order. */
static int table_columns(sg_warehouse *w, const sg_sx_target *t, json_t **out, sg_error *err)
{
	sg_buf q = SG_BUF_INIT;
	sg_buf_puts(&q, "SELECT column_name FROM duckdb_columns() WHERE schema_name = ");
	sg_sql_string(&q, t->schema);
	sg_buf_puts(&q, " AND table_name = ");
	sg_sql_string(&q, t->name);
	sg_buf_puts(&q, " ORDER BY column_index");
	int rc = sg_warehouse_rows(w, q.ptr, -1, out, err);
	sg_buf_free(&q);
	return rc;
}

static void merge_sql(sg_buf *sql, const sg_sx_action *a, json_t *cols, const char *src)
{
	sg_buf_puts(sql, "MERGE INTO ");
	target_ref(sql, &a->target, NULL);
	sg_buf_puts(sql, " AS _sigma_t USING (SELECT ");
	for (size_t i = 0; i < json_array_size(cols); i++) {
		if (i)
			sg_buf_puts(sql, ", ");
		sg_sql_ident(sql, json_string_value(json_array_get(json_array_get(cols, i), 0)));
	}
	sg_buf_printf(sql, " FROM (%s) AS _sigma_q) AS _sigma_s ON (", src);
	for (size_t i = 0; i < a->unique_key.n; i++) {
		if (i)
			sg_buf_puts(sql, " AND ");
		sg_buf_puts(sql, "_sigma_t.");
		sg_sql_ident(sql, a->unique_key.items[i]);
		sg_buf_puts(sql, " = _sigma_s.");
		sg_sql_ident(sql, a->unique_key.items[i]);
	}
	sg_buf_puts(sql, ") WHEN MATCHED THEN UPDATE SET ");
	for (size_t i = 0; i < json_array_size(cols); i++) {
		const char *c = json_string_value(json_array_get(json_array_get(cols, i), 0));
		if (i)
			sg_buf_puts(sql, ", ");
		sg_sql_ident(sql, c);
		sg_buf_puts(sql, " = _sigma_s.");
		sg_sql_ident(sql, c);
	}
	sg_buf_puts(sql, " WHEN NOT MATCHED THEN INSERT (");
	for (size_t i = 0; i < json_array_size(cols); i++) {
		if (i)
			sg_buf_puts(sql, ", ");
		sg_sql_ident(sql, json_string_value(json_array_get(json_array_get(cols, i), 0)));
	}
	sg_buf_puts(sql, ") VALUES (");
	for (size_t i = 0; i < json_array_size(cols); i++) {
		if (i)
			sg_buf_puts(sql, ", ");
		sg_buf_puts(sql, "_sigma_s.");
		sg_sql_ident(sql, json_string_value(json_array_get(json_array_get(cols, i), 0)));
	}
	sg_buf_puts(sql, ");\n");
}

static int count_rows(sg_warehouse *w, const sg_sx_target *t, int64_t *n, sg_error *err)
{
	sg_buf q = SG_BUF_INIT;
	sg_buf_puts(&q, "SELECT count(*) FROM ");
	target_ref(&q, t, NULL);
	int rc = sg_warehouse_int(w, q.ptr, n, err);
	sg_buf_free(&q);
	return rc;
}

/* "WHAT, N rows", or with `has` "WHAT, table has N rows" */
static char *rows_note(const char *what, bool has, int64_t n)
{
	sg_buf m = SG_BUF_INIT, c = SG_BUF_INIT;
	sg_format_count(&c, n);
	sg_buf_printf(&m, "%s, %s%s row%s", what, has ? "table has " : "", c.ptr, n == 1 ? "" : "s");
	sg_buf_free(&c);
	return sg_buf_detach(&m);
}

static int run_assertion(sg_warehouse *w, const sg_sx_action *a, const sg_sx_run_opts *ro, sg_sx_outcome *o)
{
	sg_buf sql = SG_BUF_INIT, q = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	int rc = -1;
	if (translate(a, "assertion query", a->query, false, &q, o) < 0)
		goto out;
	if (ro->dry_run) {
		o->what = sg_strdup("would check the assertion");
		rc = 0;
		goto out;
	}
	sg_buf_puts(&sql, "CREATE OR REPLACE VIEW ");
	target_ref(&sql, &a->target, NULL);
	sg_buf_printf(&sql, " AS %s;\n", q.ptr);
	if (sg_warehouse_tx(w, sql.ptr, &err) < 0) {
		fail_with(o, a, &err);
		goto out;
	}
	int64_t n = 0;
	if (count_rows(w, &a->target, &n, &err) < 0) {
		fail_with(o, a, &err);
		goto out;
	}
	if (n == 0) {
		o->what = sg_strdup("assertion passed");
		rc = 0;
		goto out;
	}
	o->failing_rows = n;
	sg_buf_clear(&sql);
	sg_buf_puts(&sql, "SELECT * FROM ");
	target_ref(&sql, &a->target, NULL);
	sg_buf_printf(&sql, " LIMIT %d", ASSERTION_SAMPLE);
	sg_wh_result res;
	memset(&res, 0, sizeof(res));
	if (sg_warehouse_query(w, sql.ptr, ASSERTION_SAMPLE, &res, &err) == 0) {
		o->columns = res.columns;
		o->rows = res.rows;
	} else {
		sg_error_clear(&err);
	}
	sg_buf m = SG_BUF_INIT, c = SG_BUF_INIT;
	sg_format_count(&c, n);
	sg_buf_printf(&m, "assertion failed: %s row%s", c.ptr, n == 1 ? "" : "s");
	o->error = sg_buf_detach(&m);
	sg_buf_free(&c);
out:
	sg_buf_free(&sql);
	sg_buf_free(&q);
	return rc;
}

static int run_action(void *session, const sg_sx_action *a, const sg_sx_run_opts *ro, sg_sx_outcome *o)
{
	sg_warehouse *w = session;
	sg_buf sql = SG_BUF_INIT, q = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	json_t *cols = NULL;
	const char *what = NULL;
	int rc = -1, kind = 0;

	if (a->type == SG_SX_ASSERTION)
		return run_assertion(w, a, ro, o);
	if (sg_local_object_kind(w, a->target.schema, a->target.name, &kind, &err) < 0) {
		fail_with(o, a, &err);
		goto out;
	}
	bool incremental = a->type == SG_SX_INCREMENTAL && kind == 1 && !ro->full_refresh;
	if (translate_all(a, "pre_operations", incremental ? &a->inc_pre_ops : &a->pre_ops, &sql, o) < 0)
		goto out;
	if (a->type == SG_SX_OPERATIONS) {
		if (translate_all(a, "operations", &a->queries, &sql, o) < 0)
			goto out;
		what = "ran operations";
	} else if (a->type == SG_SX_VIEW) {
		if (translate(a, "query", a->query, false, &q, o) < 0)
			goto out;
		if (kind == 1) {
			sg_buf_puts(&sql, "DROP TABLE ");
			target_ref(&sql, &a->target, NULL);
			sg_buf_puts(&sql, ";\n");
		}
		sg_buf_puts(&sql, "CREATE OR REPLACE VIEW ");
		target_ref(&sql, &a->target, NULL);
		sg_buf_printf(&sql, " AS %s;\n", q.ptr);
		what = kind == 2 ? "replaced view" : "created view";
	} else if (incremental) {
		if (translate(a, "incremental query", a->incremental_query, false, &q, o) < 0)
			goto out;
		if (a->unique_key.n) {
			if (table_columns(w, &a->target, &cols, &err) < 0) {
				fail_with(o, a, &err);
				goto out;
			}
			merge_sql(&sql, a, cols, q.ptr);
			what = "merged";
		} else {
			sg_buf_puts(&sql, "INSERT INTO ");
			target_ref(&sql, &a->target, NULL);
			sg_buf_printf(&sql, " BY NAME SELECT * FROM (%s) AS _sigma_q;\n", q.ptr);
			what = "inserted";
		}
	} else {
		/* a table, or an incremental table's first (or full-refresh) run */
		if (translate(a, "query", a->query, false, &q, o) < 0)
			goto out;
		sg_buf_puts(&sql, "CREATE OR REPLACE TABLE ");
		target_ref(&sql, &a->target, "__sigma_build");
		sg_buf_printf(&sql, " AS %s;\n", q.ptr);
		if (kind) {
			sg_buf_puts(&sql, kind == 1 ? "DROP TABLE " : "DROP VIEW ");
			target_ref(&sql, &a->target, NULL);
			sg_buf_puts(&sql, ";\n");
		}
		sg_buf_puts(&sql, "ALTER TABLE ");
		target_ref(&sql, &a->target, "__sigma_build");
		sg_buf_puts(&sql, " RENAME TO ");
		sg_sql_ident(&sql, a->target.name);
		sg_buf_puts(&sql, ";\n");
		what = a->type == SG_SX_INCREMENTAL ? (kind == 1 ? "rebuilt (full refresh)" : "created (first run)")
		       : kind			     ? "rebuilt table"
						     : "created table";
	}
	if (translate_all(a, "post_operations", incremental ? &a->inc_post_ops : &a->post_ops, &sql, o) < 0)
		goto out;
	if (ro->dry_run) {
		sg_buf m = SG_BUF_INIT;
		/* what is a past tense; "ran" alone has another participle */
		sg_buf_printf(&m, "would have %s", a->type == SG_SX_OPERATIONS ? "run operations" : what);
		if (incremental && a->unique_key.n)
			sg_buf_puts(&m, " on the unique key");
		o->what = sg_buf_detach(&m);
		rc = 0;
		goto out;
	}
	if (sg_warehouse_tx(w, sql.ptr, &err) < 0) {
		fail_with(o, a, &err);
		goto out;
	}
	if (a->type == SG_SX_OPERATIONS || a->type == SG_SX_VIEW) {
		o->what = sg_strdup(what);
	} else {
		int64_t n = 0;
		if (count_rows(w, &a->target, &n, &err) < 0) {
			fail_with(o, a, &err);
			goto out;
		}
		if (incremental && a->unique_key.n) {
			sg_buf label = SG_BUF_INIT;
			sg_buf_puts(&label, "merged on ");
			for (size_t i = 0; i < a->unique_key.n; i++)
				sg_buf_printf(&label, "%s%s", i ? "+" : "", a->unique_key.items[i]);
			o->what = rows_note(label.ptr, true, n);
			sg_buf_free(&label);
		} else {
			o->what = rows_note(what, incremental, n);
		}
	}
	rc = 0;
out:
	json_decref(cols);
	sg_buf_free(&sql);
	sg_buf_free(&q);
	return rc;
}

static int session_open(void *ctx, void **session, sg_error *err)
{
	sg_warehouse *s = NULL;
	if (sg_warehouse_session(ctx, &s, err) < 0)
		return -1;
	if (sg_warehouse_exec(s, SG_BQ_SESSION_SQL, err) < 0) {
		sg_warehouse_close(s);
		return -1;
	}
	*session = s;
	return 0;
}

static void session_close(void *session)
{
	sg_warehouse_close(session);
}

void sg_local_transform_backend(sg_warehouse *w, sg_sx_backend *b)
{
	memset(b, 0, sizeof(*b));
	b->ctx = w;
	b->session_open = session_open;
	b->session_close = session_close;
	b->run = run_action;
}

int sg_local_transform_prepare(sg_warehouse *w, const sg_sx_project *p, const bool *selected, sg_error *err)
{
	sg_buf sql = SG_BUF_INIT;
	sg_strmap seen = SG_STRMAP_INIT;
	for (size_t i = 0; i < p->n; i++) {
		const sg_sx_action *a = p->actions[i];
		if (!selected[i] || sg_strmap_has(&seen, a->target.schema))
			continue;
		sg_strmap_put(&seen, a->target.schema, (void *)a);
		sg_buf_puts(&sql, "CREATE SCHEMA IF NOT EXISTS ");
		sg_sql_ident(&sql, a->target.schema);
		sg_buf_puts(&sql, ";\n");
	}
	int rc = sql.len ? sg_warehouse_exec(w, sql.ptr, err) : 0;
	sg_strmap_free(&seen);
	sg_buf_free(&sql);
	return rc;
}
