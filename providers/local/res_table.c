/*
 * Tables, views and external tables of the local provider.
 *
 * A table is a DuckDB table with the declared BigQuery types mapped to
 * DuckDB's; a view is a DuckDB view; an external table is a view over
 * read_csv / read_json / read_parquet of the bucket files its source_uris
 * name (hive partitioning included), so new files show up without an
 * apply. Every DDL runs in one transaction with its _sigma.objects row.
 */
#include "providers/local/local_internal.h"

#include "providers/local/bqsql.h"
#include "providers/local/objects.h"
#include "providers/schema.h"
#include "util/fs.h"
#include "util/text.h"

#include <dirent.h>
#include <stdio.h>
#include <fnmatch.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *attr_str(const json_t *attrs, const char *name)
{
	return json_string_value(json_object_get(attrs, name));
}

/* "ds"."name" */
static void qualified(sg_buf *sql, const json_t *attrs)
{
	sg_sql_ident(sql, attr_str(attrs, "dataset"));
	sg_buf_putc(sql, '.');
	sg_sql_ident(sql, attr_str(attrs, "name"));
}

/* The DuckDB type of a BigQuery column type. */
static const char *duck_type(const char *bq)
{
	static const char *const map[][2] = {
		{ "STRING", "VARCHAR" },	 { "INT64", "BIGINT" },	    { "FLOAT64", "DOUBLE" },
		{ "NUMERIC", "DECIMAL(38,9)" },	 { "BIGNUMERIC", "DECIMAL(38,9)" },
		{ "BOOL", "BOOLEAN" },		 { "DATE", "DATE" },	    { "DATETIME", "TIMESTAMP" },
		{ "TIME", "TIME" },		 { "TIMESTAMP", "TIMESTAMPTZ" },
		{ "JSON", "JSON" },		 { "BYTES", "BLOB" },
	};
	const char *canon = sg_column_type_canonical(bq);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!strcasecmp(map[i][0], canon))
			return map[i][1];
	}
	return "VARCHAR";
}

static void column_type(sg_buf *sql, const json_t *col)
{
	sg_buf_puts(sql, duck_type(attr_str(col, "type")));
	const char *mode = attr_str(col, "mode");
	if (mode && !strcmp(mode, "REPEATED"))
		sg_buf_puts(sql, "[]");
}

void sg_local_duck_type(sg_buf *out, const json_t *column)
{
	/* information_schema spells TIMESTAMPTZ out */
	const char *t = duck_type(attr_str(column, "type"));
	sg_buf_puts(out, !strcmp(t, "TIMESTAMPTZ") ? "TIMESTAMP WITH TIME ZONE" : t);
	const char *mode = attr_str(column, "mode");
	if (mode && !strcmp(mode, "REPEATED"))
		sg_buf_puts(out, "[]");
}

static void column_def(sg_buf *sql, const json_t *col)
{
	sg_sql_ident(sql, attr_str(col, "name"));
	sg_buf_putc(sql, ' ');
	column_type(sql, col);
	const char *mode = attr_str(col, "mode");
	if (mode && !strcmp(mode, "REQUIRED"))
		sg_buf_puts(sql, " NOT NULL");
}

static void meta_sql(sg_buf *sql, const char *kind, const json_t *rec)
{
	char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	sg_buf_puts(sql, "DELETE FROM _sigma.objects WHERE kind <> 'dataset' AND dataset = ");
	sg_sql_string(sql, attr_str(rec, "dataset"));
	sg_buf_puts(sql, " AND name = ");
	sg_sql_string(sql, attr_str(rec, "name"));
	sg_buf_puts(sql, ";\nINSERT INTO _sigma.objects(kind, dataset, name, attrs) VALUES (");
	sg_sql_string(sql, kind);
	sg_buf_puts(sql, ", ");
	sg_sql_string(sql, attr_str(rec, "dataset"));
	sg_buf_puts(sql, ", ");
	sg_sql_string(sql, attr_str(rec, "name"));
	sg_buf_puts(sql, ", ");
	sg_sql_string(sql, text);
	sg_buf_puts(sql, ");\n");
	free(text);
}

/* ---- external tables ---- */

/* Does any regular file under `dir` (relative path `rel`) match `pattern`? '*' crosses '/' as in BigQuery. */
static bool any_match(const char *dir, const char *rel, const char *pattern)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	struct dirent *e;
	sg_buf child = SG_BUF_INIT, crel = SG_BUF_INIT;
	while (!found && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sg_fs_join(&child, dir, e->d_name);
		sg_buf_clear(&crel);
		if (*rel)
			sg_buf_printf(&crel, "%s/", rel);
		sg_buf_puts(&crel, e->d_name);
		struct stat st;
		if (stat(child.ptr, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			found = any_match(child.ptr, crel.ptr, pattern);
		else if (S_ISREG(st.st_mode))
			found = fnmatch(pattern, crel.ptr, 0) == 0;
	}
	closedir(d);
	sg_buf_free(&child);
	sg_buf_free(&crel);
	return found;
}

/*
 * The local path pattern DuckDB reads for a gs:// URI. BigQuery's '*'
 * matches across '/', DuckDB's does not: a '*' in the last segment becomes
 * "**" + "/" + that segment, which matches it at any depth.
 */
static void duck_glob(sg_buf *out, const char *root, const char *bucket, const char *name)
{
	sg_buf_printf(out, "%s/buckets/%s/", root, bucket);
	const char *star = strchr(name, '*');
	if (!star) {
		sg_buf_puts(out, name);
		return;
	}
	const char *slash = strrchr(name, '/');
	if (slash && slash > star) {
		sg_buf_puts(out, name); /* a '*' in a directory: DuckDB's own meaning */
		return;
	}
	size_t dirlen = slash ? (size_t)(slash - name + 1) : 0;
	sg_buf_put(out, name, dirlen);
	sg_buf_puts(out, "**/");
	sg_buf_puts(out, name + dirlen);
}

static int external_source(sg_local *l, const json_t *planned, sg_buf *files, sg_error *err)
{
	json_t *uris = json_object_get(planned, "source_uris");
	sg_buf bucket = SG_BUF_INIT, name = SG_BUF_INIT, dir = SG_BUF_INIT, glob = SG_BUF_INIT;
	sg_buf missing = SG_BUF_INIT;
	int rc = 0;
	sg_buf_putc(files, '[');
	for (size_t i = 0; i < json_array_size(uris) && rc == 0; i++) {
		const char *uri = json_string_value(json_array_get(uris, i));
		if (sg_gs_uri_split(uri, &bucket, &name, err) < 0) {
			rc = -1;
			break;
		}
		sg_local_bucket_dir(l->root, bucket.ptr, &dir);
		if (!sg_fs_is_dir(dir.ptr)) {
			rc = sg_error_set(err, "source_uris: bucket %s of %s does not exist", bucket.ptr, uri);
			break;
		}
		if (!name.len || !any_match(dir.ptr, "", name.ptr))
			sg_buf_printf(&missing, "%s%s", missing.len ? ", " : "", uri);
		sg_buf_clear(&glob);
		duck_glob(&glob, l->root, bucket.ptr, name.ptr);
		if (i)
			sg_buf_puts(files, ", ");
		sg_sql_string(files, glob.ptr);
	}
	sg_buf_putc(files, ']');
	if (rc == 0 && missing.len)
		rc = sg_error_set(err,
				  "source_uris %s match no object yet: an external table reads data that must exist "
				  "first; it belongs to stage initial-data, after the data has landed",
				  missing.ptr);
	sg_buf_free(&bucket);
	sg_buf_free(&name);
	sg_buf_free(&dir);
	sg_buf_free(&glob);
	sg_buf_free(&missing);
	return rc;
}

/* hive_types from a CUSTOM prefix "gs://b/p/{dt:DATE}/{region:STRING}" */
static void hive_custom_types(sg_buf *sql, const char *prefix)
{
	sg_buf_puts(sql, ", hive_types = {");
	bool first = true;
	for (const char *p = strchr(prefix, '{'); p; p = strchr(p + 1, '{')) {
		const char *colon = strchr(p, ':'), *close = strchr(p, '}');
		if (!colon || !close || colon > close)
			break;
		char key[128], type[64];
		snprintf(key, sizeof(key), "%.*s", (int)(colon - p - 1), p + 1);
		snprintf(type, sizeof(type), "%.*s", (int)(close - colon - 1), colon + 1);
		if (!first)
			sg_buf_puts(sql, ", ");
		first = false;
		sg_sql_string(sql, key);
		sg_buf_puts(sql, ": ");
		sg_sql_string(sql, duck_type(type));
	}
	sg_buf_putc(sql, '}');
}

static int external_view_sql(sg_local *l, const json_t *planned, sg_buf *sql, sg_error *err)
{
	sg_buf files = SG_BUF_INIT;
	if (external_source(l, planned, &files, err) < 0) {
		sg_buf_free(&files);
		return -1;
	}
	const char *format = attr_str(planned, "format");
	json_t *schema = json_object_get(planned, "schema");
	json_t *hive = json_object_get(planned, "hive_partitioning");
	json_t *csv = json_object_get(planned, "csv");
	bool parquet = !strcmp(format, "PARQUET");
	sg_buf_puts(sql, "CREATE OR REPLACE VIEW ");
	qualified(sql, planned);
	sg_buf_puts(sql, " AS SELECT ");
	if (parquet && json_array_size(schema)) {
		for (size_t i = 0; i < json_array_size(schema); i++) {
			const json_t *col = json_array_get(schema, i);
			sg_buf_puts(sql, i ? ", CAST(" : "CAST(");
			sg_sql_ident(sql, attr_str(col, "name"));
			sg_buf_puts(sql, " AS ");
			column_type(sql, col);
			sg_buf_puts(sql, ") AS ");
			sg_sql_ident(sql, attr_str(col, "name"));
		}
		if (hive) {
			/* the hive partition keys come after the declared columns */
			sg_buf_puts(sql, ", * EXCLUDE (");
			for (size_t i = 0; i < json_array_size(schema); i++) {
				if (i)
					sg_buf_puts(sql, ", ");
				sg_sql_ident(sql, attr_str(json_array_get(schema, i), "name"));
			}
			sg_buf_putc(sql, ')');
		}
	} else {
		sg_buf_puts(sql, "*");
	}
	sg_buf_puts(sql, " FROM ");
	sg_buf_puts(sql, parquet ? "read_parquet(" : !strcmp(format, "CSV") ? "read_csv(" : "read_json(");
	sg_buf_puts(sql, files.ptr);
	if (hive) {
		const char *mode = attr_str(hive, "mode");
		sg_buf_puts(sql, ", hive_partitioning = true");
		if (mode && !strcmp(mode, "STRINGS"))
			sg_buf_puts(sql, ", hive_types_autocast = false");
		const char *prefix = attr_str(hive, "source_uri_prefix");
		if (mode && !strcmp(mode, "CUSTOM") && prefix)
			hive_custom_types(sql, prefix);
	} else {
		sg_buf_puts(sql, ", hive_partitioning = false");
	}
	if (!strcmp(format, "CSV")) {
		int64_t skip = json_integer_value(json_object_get(csv, "skip_leading_rows"));
		const char *delim = csv ? attr_str(csv, "field_delimiter") : ",";
		const char *quote = csv ? attr_str(csv, "quote") : "\"";
		if (json_array_size(schema)) {
			sg_buf_printf(sql, ", header = false, skip = %lld", (long long)skip);
		} else {
			sg_buf_printf(sql, ", header = %s, skip = %lld", skip >= 1 ? "true" : "false",
				      (long long)(skip >= 1 ? skip - 1 : 0));
		}
		sg_buf_puts(sql, ", delim = ");
		sg_sql_string(sql, delim && !strcmp(delim, "\\t") ? "\t" : delim ? delim : ",");
		sg_buf_puts(sql, ", quote = ");
		sg_sql_string(sql, quote ? quote : "\"");
	} else if (!parquet) {
		sg_buf_puts(sql, ", format = 'newline_delimited'");
	}
	if (!parquet && json_array_size(schema)) {
		sg_buf_puts(sql, ", columns = {");
		for (size_t i = 0; i < json_array_size(schema); i++) {
			const json_t *col = json_array_get(schema, i);
			if (i)
				sg_buf_puts(sql, ", ");
			sg_sql_string(sql, attr_str(col, "name"));
			sg_buf_puts(sql, ": ");
			sg_buf tmp = SG_BUF_INIT;
			column_type(&tmp, col);
			sg_sql_string(sql, tmp.ptr);
			sg_buf_free(&tmp);
		}
		sg_buf_putc(sql, '}');
	}
	sg_buf_puts(sql, ");\n");
	sg_buf_free(&files);
	return 0;
}

/* ---- tables ---- */

/* The columns of an existing table, as [[name, type], ...], or NULL when it does not exist. */
static int existing_columns(sg_warehouse *w, const json_t *attrs, json_t **out, sg_error *err)
{
	sg_buf sql = SG_BUF_INIT;
	sg_buf_puts(&sql, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ");
	sg_sql_string(&sql, attr_str(attrs, "dataset"));
	sg_buf_puts(&sql, " AND table_name = ");
	sg_sql_string(&sql, attr_str(attrs, "name"));
	sg_buf_puts(&sql, " ORDER BY ordinal_position");
	int rc = sg_warehouse_rows(w, sql.ptr, -1, out, err);
	sg_buf_free(&sql);
	if (rc == 0 && json_array_size(*out) == 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/*
 * An ingestion-time partitioned table (partitioning without a field) has
 * BigQuery's pseudo-column _PARTITIONTIME. Locally it is a real column that
 * loads fill; the SQL translation (bqsql.h) maps _PARTITIONTIME and
 * _PARTITIONDATE to it.
 */
bool sg_local_has_partition_time(const json_t *planned)
{
	const json_t *part = json_object_get(planned, "partitioning");
	return json_is_object(part) && !json_string_value(json_object_get(part, "field"));
}

static void create_table_sql(sg_buf *sql, const json_t *planned)
{
	json_t *schema = json_object_get(planned, "schema");
	sg_buf_puts(sql, "CREATE TABLE ");
	qualified(sql, planned);
	sg_buf_puts(sql, " (");
	for (size_t i = 0; i < json_array_size(schema); i++) {
		if (i)
			sg_buf_puts(sql, ", ");
		column_def(sql, json_array_get(schema, i));
	}
	if (sg_local_has_partition_time(planned))
		sg_buf_puts(sql, json_array_size(schema) ? ", \"_PARTITIONTIME\" TIMESTAMPTZ" : "\"_PARTITIONTIME\" TIMESTAMPTZ");
	sg_buf_puts(sql, ");\n");
}

static json_t *with_computed(sg_local *l, const json_t *planned)
{
	json_t *out = json_deep_copy(planned);
	sg_buf b = SG_BUF_INIT;
	sg_buf_printf(&b, "%s/warehouse.duckdb#%s.%s", l->root, attr_str(planned, "dataset"), attr_str(planned, "name"));
	json_object_set_new(out, "self_link", json_string(b.ptr));
	sg_buf_free(&b);
	return out;
}

/* A view's query is BigQuery SQL, translated as `sigma query` does; refused constructs fail the view. */
static int view_sql(sg_buf *sql, const json_t *planned, sg_error *err)
{
	sg_buf duck = SG_BUF_INIT;
	if (sg_bq_translate(attr_str(planned, "query"), NULL, &duck, err) < 0) {
		sg_buf_free(&duck);
		return sg_error_prefix(err, "query: ");
	}
	/* one statement: a trailing ';' would end the CREATE VIEW early */
	while (duck.len && (duck.ptr[duck.len - 1] == ';' || duck.ptr[duck.len - 1] == '\n' || duck.ptr[duck.len - 1] == ' '))
		sg_buf_truncate(&duck, duck.len - 1);
	sg_buf_puts(sql, "CREATE OR REPLACE VIEW ");
	qualified(sql, planned);
	sg_buf_puts(sql, " AS\n");
	sg_buf_puts(sql, sg_buf_cstr(&duck));
	sg_buf_puts(sql, ";\n");
	sg_buf_free(&duck);
	return 0;
}

/* Run `sql` and the object's _sigma.objects record in one transaction; *out = the record. */
static int commit_with_record(sg_local *l, sg_warehouse *w, const sg_kind *kind, const json_t *planned, sg_buf *sql,
			      json_t **out, sg_error *err)
{
	json_t *rec = with_computed(l, planned);
	meta_sql(sql, kind->name, rec);
	if (sg_warehouse_tx(w, sg_buf_cstr(sql), err) < 0) {
		json_decref(rec);
		return -1;
	}
	*out = rec;
	return 0;
}

/* Views and external tables are made the same way by a create and an update: CREATE OR REPLACE VIEW. */
static int put_view(sg_local *l, sg_warehouse *w, const sg_kind *kind, const json_t *planned, json_t **out,
		    sg_error *err)
{
	sg_buf sql = SG_BUF_INIT;
	int rc = !strcmp(kind->name, "view") ? view_sql(&sql, planned, err) : external_view_sql(l, planned, &sql, err);
	if (rc == 0)
		rc = commit_with_record(l, w, kind, planned, &sql, out, err);
	sg_buf_free(&sql);
	return rc;
}

int sg_local_table_create(sg_provider *p, const sg_kind *kind, const json_t *planned, json_t **out, sg_error *err)
{
	sg_local *l = sg_local_from(p);
	sg_warehouse *w;
	if (sg_local_warehouse(l, &w, err) < 0)
		return -1;
	l->wh_wrote = true;
	if (strcmp(kind->name, "table"))
		return put_view(l, w, kind, planned, out, err);
	sg_buf sql = SG_BUF_INIT;
	int rc = 0;
	/*
	 * Create first, look only when that fails: checking the catalog before
	 * every create costs O(tables) each, O(n^2) for a large first apply.
	 */
	create_table_sql(&sql, planned);
	rc = commit_with_record(l, w, kind, planned, &sql, out, err);
	if (rc < 0 && strstr(sg_error_msg(err), "already exists")) {
		/* left by an apply killed after creating it: adopt it when it is what we planned */
		sg_error_clear(err);
		json_t *cols = NULL;
		rc = existing_columns(w, planned, &cols, err);
		json_t *schema = json_object_get(planned, "schema");
		size_t extra = sg_local_has_partition_time(planned) ? 1 : 0;
		bool same = rc == 0 && cols && json_array_size(cols) == json_array_size(schema) + extra;
		for (size_t i = 0; same && i < json_array_size(schema); i++) { /* _PARTITIONTIME comes last */
			const char *have = json_string_value(json_array_get(json_array_get(cols, i), 0));
			same = !strcasecmp(have, attr_str(json_array_get(schema, i), "name"));
		}
		json_decref(cols);
		if (rc == 0 && !same)
			rc = sg_error_set(err, "table %s.%s already exists with other columns; drop it or rename this table",
					  attr_str(planned, "dataset"), attr_str(planned, "name"));
		if (rc == 0) {
			sg_buf_clear(&sql);
			rc = commit_with_record(l, w, kind, planned, &sql, out, err);
		}
	}
	sg_buf_free(&sql);
	return rc;
}

static const json_t *find_col(const json_t *schema, const char *name)
{
	for (size_t i = 0; i < json_array_size(schema); i++) {
		const json_t *c = json_array_get(schema, i);
		if (!strcasecmp(attr_str(c, "name"), name))
			return c;
	}
	return NULL;
}

/*
 * Type changes DuckDB makes in place without losing a value: widening
 * integers to NUMERIC or FLOAT64, dates to timestamps, anything to STRING.
 */
static bool lossless_type_change(const char *from, const char *to)
{
	static const char *const ok[][2] = {
		{ "INT64", "NUMERIC" }, { "INT64", "BIGNUMERIC" }, { "INT64", "FLOAT64" }, { "NUMERIC", "BIGNUMERIC" },
		{ "DATE", "TIMESTAMP" }, { "DATE", "DATETIME" }, { "DATETIME", "TIMESTAMP" },
	};
	if (!strcasecmp(to, "STRING") && strcasecmp(from, "BYTES") && strcasecmp(from, "JSON"))
		return true;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (!strcasecmp(ok[i][0], from) && !strcasecmp(ok[i][1], to))
			return true;
	}
	return false;
}

bool sg_local_table_update_in_place(const char *attr, const json_t *prior, const json_t *planned, sg_buf *why)
{
	if (strcmp(attr, "schema"))
		return false;
	const json_t *old = json_object_get(prior, "schema"), *new = json_object_get(planned, "schema");
	for (size_t i = 0; i < json_array_size(old); i++) {
		const json_t *oc = json_array_get(old, i);
		const json_t *nc = find_col(new, attr_str(oc, "name"));
		if (!nc) {
			sg_buf_printf(why, "column %s is dropped", attr_str(oc, "name"));
			return false;
		}
		const char *ot = sg_column_type_canonical(attr_str(oc, "type"));
		const char *nt = sg_column_type_canonical(attr_str(nc, "type"));
		if (strcasecmp(ot, nt) && !lossless_type_change(ot, nt)) {
			sg_buf_printf(why, "column %s changes type from %s to %s", attr_str(oc, "name"), ot, nt);
			return false;
		}
		bool relaxed = !strcmp(attr_str(oc, "mode"), "REQUIRED") && !strcmp(attr_str(nc, "mode"), "NULLABLE");
		if (strcmp(attr_str(oc, "mode"), attr_str(nc, "mode")) && !relaxed) {
			sg_buf_printf(why, "column %s changes mode from %s to %s", attr_str(oc, "name"),
				      attr_str(oc, "mode"), attr_str(nc, "mode"));
			return false;
		}
	}
	for (size_t i = 0; i < json_array_size(new); i++) {
		const json_t *nc = json_array_get(new, i);
		if (!find_col(old, attr_str(nc, "name")) && !strcmp(attr_str(nc, "mode"), "REQUIRED")) {
			sg_buf_printf(why, "new column %s is REQUIRED (only NULLABLE or REPEATED columns can be added)",
				      attr_str(nc, "name"));
			return false;
		}
	}
	return true;
}

int sg_local_table_update(sg_provider *p, const sg_kind *kind, const json_t *prior, const json_t *planned,
			  json_t **out, sg_error *err)
{
	sg_local *l = sg_local_from(p);
	sg_warehouse *w;
	if (sg_local_warehouse(l, &w, err) < 0)
		return -1;
	l->wh_wrote = true;
	if (strcmp(kind->name, "table"))
		return put_view(l, w, kind, planned, out, err);
	sg_buf sql = SG_BUF_INIT;
	int rc = 0;
	const json_t *old = json_object_get(prior, "schema"), *new = json_object_get(planned, "schema");
	for (size_t i = 0; i < json_array_size(new); i++) {
		const json_t *nc = json_array_get(new, i);
		const json_t *oc = find_col(old, attr_str(nc, "name"));
		if (oc) {
			/* the changes update_in_place allowed: a lossless type, REQUIRED relaxed */
			const char *ot = sg_column_type_canonical(attr_str(oc, "type"));
			const char *nt = sg_column_type_canonical(attr_str(nc, "type"));
			if (strcasecmp(ot, nt)) {
				sg_buf_puts(&sql, "ALTER TABLE ");
				qualified(&sql, planned);
				sg_buf_puts(&sql, " ALTER COLUMN ");
				sg_sql_ident(&sql, attr_str(nc, "name"));
				sg_buf_puts(&sql, " TYPE ");
				column_type(&sql, nc);
				sg_buf_puts(&sql, ";\n");
			}
			if (!strcmp(attr_str(oc, "mode"), "REQUIRED") && !strcmp(attr_str(nc, "mode"), "NULLABLE")) {
				sg_buf_puts(&sql, "ALTER TABLE ");
				qualified(&sql, planned);
				sg_buf_puts(&sql, " ALTER COLUMN ");
				sg_sql_ident(&sql, attr_str(nc, "name"));
				sg_buf_puts(&sql, " DROP NOT NULL;\n");
			}
			continue;
		}
		sg_buf_puts(&sql, "ALTER TABLE ");
		qualified(&sql, planned);
		sg_buf_puts(&sql, " ADD COLUMN ");
		column_def(&sql, nc);
		sg_buf_puts(&sql, ";\n");
	}
	if (rc == 0)
		rc = commit_with_record(l, w, kind, planned, &sql, out, err);
	sg_buf_free(&sql);
	return rc;
}

int sg_local_table_destroy(sg_provider *p, const sg_kind *kind, const json_t *prior, sg_error *err)
{
	sg_local *l = sg_local_from(p);
	sg_warehouse *w;
	if (sg_local_warehouse(l, &w, err) < 0)
		return -1;
	l->wh_wrote = true;
	sg_buf sql = SG_BUF_INIT;
	sg_buf_puts(&sql, !strcmp(kind->name, "table") ? "DROP TABLE IF EXISTS " : "DROP VIEW IF EXISTS ");
	qualified(&sql, prior);
	sg_buf_puts(&sql, ";\nDELETE FROM _sigma.objects WHERE kind <> 'dataset' AND dataset = ");
	sg_sql_string(&sql, attr_str(prior, "dataset"));
	sg_buf_puts(&sql, " AND name = ");
	sg_sql_string(&sql, attr_str(prior, "name"));
	sg_buf_puts(&sql, ";\n");
	int rc = sg_warehouse_tx(w, sql.ptr, err);
	sg_buf_free(&sql);
	return rc;
}

int sg_local_table_read(sg_provider *p, const sg_kind *kind, const json_t *prior, json_t **out, sg_error *err)
{
	(void)kind;
	sg_local *l = sg_local_from(p);
	*out = NULL;
	sg_warehouse *w;
	if (sg_local_warehouse(l, &w, err) < 0)
		return -1;
	sg_buf sql = SG_BUF_INIT;
	sg_buf_puts(&sql, "SELECT o.attrs::VARCHAR FROM information_schema.tables t LEFT JOIN _sigma.objects o "
			  "ON o.kind <> 'dataset' AND o.dataset = t.table_schema AND o.name = t.table_name "
			  "WHERE t.table_schema = ");
	sg_sql_string(&sql, attr_str(prior, "dataset"));
	sg_buf_puts(&sql, " AND t.table_name = ");
	sg_sql_string(&sql, attr_str(prior, "name"));
	int rc = sg_warehouse_json_cell(w, sql.ptr, out, err);
	sg_buf_free(&sql);
	return rc;
}

int sg_local_table_held(sg_provider *p, const sg_kind *kind, const json_t *prior, int64_t *count, const char **unit,
			sg_error *err)
{
	(void)kind;
	sg_local *l = sg_local_from(p);
	*count = 0;
	*unit = "row";
	sg_warehouse *w;
	if (sg_local_warehouse(l, &w, err) < 0)
		return -1;
	json_t *cols = NULL;
	if (existing_columns(w, prior, &cols, err) < 0)
		return -1;
	if (!cols)
		return 0; /* gone already: nothing to lose */
	json_decref(cols);
	sg_buf sql = SG_BUF_INIT;
	sg_buf_puts(&sql, "SELECT count(*) FROM ");
	qualified(&sql, prior);
	int rc = sg_warehouse_int(w, sql.ptr, count, err);
	sg_buf_free(&sql);
	return rc;
}

int sg_local_view_check(const sg_kind *kind, const json_t *config, const char **attr, int *line, int *col, sg_buf *why)
{
	(void)kind;
	const char *query = attr_str(config, "query");
	*attr = "query";
	*line = *col = 0;
	if (!query || strstr(query, "${"))
		return 0; /* references are resolved at plan time; checked again at apply */
	sg_buf duck = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	int rc = sg_bq_translate(query, NULL, &duck, &err);
	if (rc < 0) {
		const char *msg = sg_error_msg(&err);
		/* "line L, col C: what" */
		if (sscanf(msg, "line %d, col %d:", line, col) == 2 && strchr(msg, ':'))
			msg = strchr(msg, ':') + 2;
		sg_buf_puts(why, msg);
	}
	sg_error_clear(&err);
	sg_buf_free(&duck);
	return rc;
}
