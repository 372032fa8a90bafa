/*
 * Datasets of the local provider: DuckDB schemas of the warehouse, with
 * their attributes in _sigma.objects, written in the same transaction.
 */
#include "providers/local/local_internal.h"

#include "util/text.h"

#include <string.h>

static const char *ds_name(const json_t *attrs)
{
	return json_string_value(json_object_get(attrs, "name"));
}

static json_t *with_computed(sg_local *l, const json_t *planned)
{
	json_t *out = json_deep_copy(planned);
	sg_buf b = SG_BUF_INIT;
	sg_buf_printf(&b, "%s/warehouse.duckdb#%s", l->root, ds_name(planned));
	json_object_set_new(out, "self_link", json_string(b.ptr));
	sg_buf_free(&b);
	return out;
}

/* DELETE + INSERT of the metadata row, for a transaction */
static void meta_sql(sg_buf *sql, const char *name, const json_t *rec)
{
	char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	sg_buf_puts(sql, "DELETE FROM _sigma.objects WHERE kind = 'dataset' AND dataset = ");
	sg_sql_string(sql, name);
	sg_buf_puts(sql, ";\nINSERT INTO _sigma.objects(kind, dataset, name, attrs) VALUES ('dataset', ");
	sg_sql_string(sql, name);
	sg_buf_puts(sql, ", '', ");
	sg_sql_string(sql, text);
	sg_buf_puts(sql, ");\n");
	free(text);
}

static int put_dataset(sg_provider *p, const json_t *planned, json_t **out, sg_error *err)
{
	sg_local *l = sg_local_from(p);
	const char *name = ds_name(planned);
	if (!strcmp(name, "_sigma") || !strcmp(name, "main") || !strcmp(name, "information_schema") ||
	    !strcmp(name, "pg_catalog"))
		return sg_error_set(err, "dataset name \"%s\" is reserved by the local warehouse", name);
	sg_warehouse *w;
	if (sg_local_warehouse(l, &w, err) < 0)
		return -1;
	l->wh_wrote = true;
	json_t *rec = with_computed(l, planned);
	sg_buf sql = SG_BUF_INIT;
	sg_buf_puts(&sql, "CREATE SCHEMA IF NOT EXISTS ");
	sg_sql_ident(&sql, name);
	sg_buf_puts(&sql, ";\n");
	meta_sql(&sql, name, rec);
	int rc = sg_warehouse_tx(w, sql.ptr, err);
	sg_buf_free(&sql);
	if (rc < 0) {
		json_decref(rec);
		return -1;
	}
	*out = rec;
	return 0;
}

int sg_local_dataset_create(sg_provider *p, const sg_kind *kind, const json_t *planned, json_t **out, sg_error *err)
{
	(void)kind;
	return put_dataset(p, planned, out, err);
}

int sg_local_dataset_update(sg_provider *p, const sg_kind *kind, const json_t *prior, const json_t *planned,
			    json_t **out, sg_error *err)
{
	(void)kind;
	(void)prior;
	return put_dataset(p, planned, out, err);
}

int sg_local_dataset_destroy(sg_provider *p, const sg_kind *kind, const json_t *prior, sg_error *err)
{
	(void)kind;
	sg_local *l = sg_local_from(p);
	const char *name = ds_name(prior);
	sg_warehouse *w;
	if (sg_local_warehouse(l, &w, err) < 0)
		return -1;
	l->wh_wrote = true;
	sg_buf sql = SG_BUF_INIT;
	sg_buf_puts(&sql, "SELECT table_name FROM information_schema.tables WHERE table_schema = ");
	sg_sql_string(&sql, name);
	sg_buf_puts(&sql, " ORDER BY table_name");
	json_t *rows = NULL;
	int rc = sg_warehouse_rows(w, sql.ptr, -1, &rows, err);
	if (rc == 0 && json_array_size(rows) > 0 && !json_is_true(json_object_get(prior, "delete_contents_on_destroy"))) {
		sg_buf list = SG_BUF_INIT;
		for (size_t i = 0; i < json_array_size(rows) && i < 5; i++)
			sg_buf_printf(&list, "%s%s", i ? ", " : "", json_string_value(json_array_get(json_array_get(rows, i), 0)));
		rc = sg_error_set(err,
				  "dataset %s still holds %zu table%s (%s%s); destroy them first or set "
				  "delete_contents_on_destroy: true",
				  name, json_array_size(rows), json_array_size(rows) == 1 ? "" : "s", list.ptr,
				  json_array_size(rows) > 5 ? ", ..." : "");
		sg_buf_free(&list);
	}
	json_decref(rows);
	if (rc == 0) {
		sg_buf_clear(&sql);
		sg_buf_puts(&sql, "DROP SCHEMA IF EXISTS ");
		sg_sql_ident(&sql, name);
		sg_buf_puts(&sql, " CASCADE;\nDELETE FROM _sigma.objects WHERE dataset = ");
		sg_sql_string(&sql, name);
		sg_buf_puts(&sql, ";\n");
		rc = sg_warehouse_tx(w, sql.ptr, err);
	}
	sg_buf_free(&sql);
	return rc;
}

int sg_local_dataset_read(sg_provider *p, const sg_kind *kind, const json_t *prior, json_t **out, sg_error *err)
{
	(void)kind;
	sg_local *l = sg_local_from(p);
	*out = NULL;
	sg_warehouse *w;
	if (sg_local_warehouse(l, &w, err) < 0)
		return -1;
	sg_buf sql = SG_BUF_INIT;
	sg_buf_puts(&sql, "SELECT o.attrs::VARCHAR FROM information_schema.schemata s "
			  "LEFT JOIN _sigma.objects o ON o.kind = 'dataset' AND o.dataset = s.schema_name "
			  "WHERE s.schema_name = ");
	sg_sql_string(&sql, ds_name(prior));
	int rc = sg_warehouse_json_cell(w, sql.ptr, out, err);
	sg_buf_free(&sql);
	return rc;
}

int sg_local_dataset_held(sg_provider *p, const sg_kind *kind, const json_t *prior, int64_t *count, const char **unit,
			  sg_error *err)
{
	(void)kind;
	sg_local *l = sg_local_from(p);
	*count = 0;
	*unit = "row";
	sg_warehouse *w;
	if (sg_local_warehouse(l, &w, err) < 0)
		return -1;
	sg_buf sql = SG_BUF_INIT;
	sg_buf_puts(&sql, "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema = ");
	sg_sql_string(&sql, ds_name(prior));
	json_t *rows = NULL;
	int rc = sg_warehouse_rows(w, sql.ptr, -1, &rows, err);
	for (size_t i = 0; rc == 0 && i < json_array_size(rows); i++) {
		sg_buf_clear(&sql);
		sg_buf_puts(&sql, "SELECT count(*) FROM ");
		sg_sql_ident(&sql, ds_name(prior));
		sg_buf_putc(&sql, '.');
		sg_sql_ident(&sql, json_string_value(json_array_get(json_array_get(rows, i), 0)));
		int64_t n = 0;
		rc = sg_warehouse_int(w, sql.ptr, &n, err);
		*count += n;
	}
	json_decref(rows);
	sg_buf_free(&sql);
	return rc;
}
