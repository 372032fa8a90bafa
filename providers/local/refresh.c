/*
 * Refresh: what the local world holds now, for every resource a state
 * records, in a handful of reads rather than one per resource:
 * one select of the control store, one stat per bucket directory, and (when
 * the state has warehouse resources) four queries of the warehouse.
 *
 * A table's schema is read back from the warehouse itself, so a column
 * added, dropped or retyped outside sigma shows as drift; descriptions live
 * only in sigma's metadata and are kept from there.
 */
#include "providers/local/local_internal.h"

#include "providers/local/objects.h"
#include "util/fs.h"
#include "util/alloc.h"
#include "util/json.h"

#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bump when the snapshot's layout changes: an older one is then ignored. */
#define SNAPSHOT_FORMAT 2

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool is_warehouse_kind(const char *kind)
{
	return !strcmp(kind, "dataset") || !strcmp(kind, "table") || !strcmp(kind, "view") ||
	       !strcmp(kind, "external_table");
}

/* key of a (kind-group, dataset, name) in the maps below */
static void key3(sg_buf *b, const char *a, const char *c, const char *d)
{
	sg_buf_clear(b);
	sg_buf_printf(b, "%s\x1f%s\x1f%s", a, c ? c : "", d ? d : "");
}

/* "name\ttype\tYES|NO\n" per column, as information_schema reports them: how columns are compared */
static void expected_columns(sg_buf *out, const json_t *attrs)
{
	const json_t *schema = json_object_get(attrs, "schema");
	for (size_t i = 0; i < json_array_size(schema); i++) {
		const json_t *c = json_array_get(schema, i);
		sg_buf_printf(out, "%s\t", str(c, "name"));
		sg_local_duck_type(out, c);
		sg_buf_printf(out, "\t%s\n", !strcmp(str(c, "mode"), "REQUIRED") ? "NO" : "YES");
	}
	if (sg_local_has_partition_time(attrs))
		sg_buf_puts(out, "_PARTITIONTIME\tTIMESTAMP WITH TIME ZONE\tYES\n");
}

/* Columns as the warehouse has them, in the shape of a `schema:` list, keeping what it cannot know. */
static json_t *schema_from_columns(const char *cols, const json_t *recorded)
{
	json_t *schema = json_array();
	sg_buf want = SG_BUF_INIT;
	const char *line = cols;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		if (!end)
			break;
		const char *tab1 = memchr(line, '\t', (size_t)(end - line));
		const char *tab2 = tab1 ? memchr(tab1 + 1, '\t', (size_t)(end - tab1 - 1)) : NULL;
		if (!tab1 || !tab2)
			break;
		char *name = sg_strndup(line, (size_t)(tab1 - line));
		char *type = sg_strndup(tab1 + 1, (size_t)(tab2 - tab1 - 1));
		bool required = tab2[1] == 'N';
		line = end + 1;
		if (!strcmp(name, "_PARTITIONTIME")) {
			/* sigma's stand-in for the pseudo-column, not part of the declared schema */
			free(name);
			free(type);
			continue;
		}
		const json_t *rec = NULL;
		for (size_t j = 0; j < json_array_size(recorded); j++) {
			const json_t *r = json_array_get(recorded, j);
			if (!strcasecmp(str(r, "name"), name))
				rec = r;
		}
		sg_buf_clear(&want);
		if (rec)
			sg_local_duck_type(&want, rec);
		bool same_mode = rec && (required == !strcmp(str(rec, "mode"), "REQUIRED"));
		if (rec && !strcasecmp(want.ptr, type) && same_mode && !strcmp(str(rec, "name"), name)) {
			json_array_append(schema, (json_t *)rec); /* as recorded: nothing changed */
		} else {
			/* changed outside sigma: report the warehouse's own spelling */
			size_t tl = strlen(type);
			bool repeated = tl > 2 && !strcmp(type + tl - 2, "[]");
			json_t *col = json_pack("{s:s, s:s#, s:s}", "name", name, "type", type, repeated ? tl - 2 : tl, "mode",
						repeated ? "REPEATED" : required ? "REQUIRED" : "NULLABLE");
			if (rec && json_object_get(rec, "description"))
				json_object_set(col, "description", json_object_get(rec, "description"));
			json_array_append_new(schema, col);
		}
		free(name);
		free(type);
	}
	sg_buf_free(&want);
	return schema;
}

/*
 * What a refresh needs of the warehouse, compact: {"schemata": {NAME: true},
 * "tables": {"t DS NAME": TYPE}, "columns": {"t DS NAME": "name\ttype\tYES\n..."}}
 * (keys joined with \x1f).
 */
static json_t *read_snapshot(sg_warehouse *w, sg_error *err)
{
	json_t *schemata = NULL, *tables = NULL, *columns = NULL;
	int rc = sg_warehouse_rows(w, "SELECT schema_name FROM information_schema.schemata", -1, &schemata, err);
	if (rc == 0)
		rc = sg_warehouse_rows(w, "SELECT table_schema, table_name, table_type FROM information_schema.tables "
					  "WHERE table_schema <> '_sigma'", -1, &tables, err);
	if (rc == 0)
		rc = sg_warehouse_rows(w, "SELECT table_schema, table_name, column_name, data_type, is_nullable "
					  "FROM information_schema.columns WHERE table_schema <> '_sigma' "
					  "ORDER BY table_schema, table_name, ordinal_position", -1, &columns, err);
	json_t *snap = NULL;
	if (rc == 0) {
		json_t *s_map = json_object(), *t_map = json_object(), *c_map = json_object();
		sg_buf key = SG_BUF_INIT, cols = SG_BUF_INIT, prev = SG_BUF_INIT;
		for (size_t i = 0; i < json_array_size(schemata); i++)
			json_object_set_new(s_map, json_string_value(json_array_get(json_array_get(schemata, i), 0)), json_true());
		for (size_t i = 0; i < json_array_size(tables); i++) {
			const json_t *t = json_array_get(tables, i);
			key3(&key, "t", json_string_value(json_array_get(t, 0)), json_string_value(json_array_get(t, 1)));
			json_object_set(t_map, key.ptr, json_array_get(t, 2));
		}
		for (size_t i = 0; i <= json_array_size(columns); i++) {
			const json_t *c = json_array_get(columns, i);
			if (c)
				key3(&key, "t", json_string_value(json_array_get(c, 0)), json_string_value(json_array_get(c, 1)));
			if (prev.len && (!c || strcmp(prev.ptr, key.ptr))) {
				json_object_set_new(c_map, prev.ptr, json_string(sg_buf_cstr(&cols)));
				sg_buf_clear(&cols);
			}
			if (!c)
				break;
			sg_buf_clear(&prev);
			sg_buf_puts(&prev, key.ptr);
			sg_buf_printf(&cols, "%s\t%s\t%s\n", json_string_value(json_array_get(c, 2)),
				      json_string_value(json_array_get(c, 3)), json_string_value(json_array_get(c, 4)));
		}
		snap = json_pack("{s:o, s:o, s:o}", "schemata", s_map, "tables", t_map, "columns", c_map);
		sg_buf_free(&key);
		sg_buf_free(&cols);
		sg_buf_free(&prev);
	}
	json_decref(schemata);
	json_decref(tables);
	json_decref(columns);
	return snap;
}

/*
 * The warehouse file's signature: any write, by sigma or by another tool,
 * changes it (inode, size, mtime and ctime to the nanosecond; the WAL's too).
 */
static void file_signature(const sg_local *l, sg_buf *sig)
{
	static const char *const files[] = { "warehouse.duckdb", "warehouse.duckdb.wal" };
	sg_buf path = SG_BUF_INIT;
	for (size_t i = 0; i < 2; i++) {
		sg_fs_join(&path, l->root, files[i]);
		struct stat st;
		if (stat(path.ptr, &st) < 0) {
			sg_buf_printf(sig, "%s:-;", files[i]);
			continue;
		}
		sg_buf_printf(sig, "%s:%llu:%lld:%lld.%09ld:%lld.%09ld;", files[i], (unsigned long long)st.st_ino,
			      (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			      (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	}
	sg_buf_free(&path);
}

static void snapshot_path(const sg_local *l, sg_buf *out)
{
	sg_fs_join(out, l->root, "warehouse.snapshot.json");
}

/* The snapshot of the last read, when the warehouse has not been written since. */
static json_t *cached_snapshot(const sg_local *l)
{
	sg_buf path = SG_BUF_INIT, sig = SG_BUF_INIT;
	snapshot_path(l, &path);
	json_t *snap = json_load_file(path.ptr, 0, NULL);
	file_signature(l, &sig);
	const char *was = json_string_value(json_object_get(snap, "signature"));
	if (!was || strcmp(was, sig.ptr) || json_integer_value(json_object_get(snap, "format")) != SNAPSHOT_FORMAT) {
		json_decref(snap);
		snap = NULL;
	}
	sg_buf_free(&path);
	sg_buf_free(&sig);
	return snap;
}

void sg_local_snapshot_before_close(sg_local *l)
{
	if (l->wh_snapshot && !l->wh_wrote)
		return;
	sg_error err = SG_ERROR_INIT;
	json_decref(l->wh_snapshot);
	l->wh_snapshot = read_snapshot(l->warehouse, &err);
	sg_error_clear(&err);
}

void sg_local_snapshot_after_close(sg_local *l)
{
	sg_buf path = SG_BUF_INIT, sig = SG_BUF_INIT;
	snapshot_path(l, &path);
	if (l->wh_snapshot) {
		file_signature(l, &sig);
		json_object_set_new(l->wh_snapshot, "signature", json_string(sig.ptr));
		json_object_set_new(l->wh_snapshot, "format", json_integer(SNAPSHOT_FORMAT));
		char *text = json_dumps(l->wh_snapshot, JSON_COMPACT);
		sg_error err = SG_ERROR_INIT;
		if (sg_fs_write_atomic(path.ptr, text, strlen(text), &err) < 0)
			unlink(path.ptr); /* a stale snapshot must not survive; without one, refresh reads the warehouse */
		sg_error_clear(&err);
		free(text);
	} else {
		unlink(path.ptr);
	}
	sg_buf_free(&path);
	sg_buf_free(&sig);
}

static int refresh_warehouse(sg_local *l, const json_t *entries, json_t *out, sg_error *err)
{
	json_t *snap = l->warehouse ? NULL : cached_snapshot(l);
	if (!snap) {
		sg_warehouse *w;
		if (sg_local_warehouse(l, &w, err) < 0)
			return -1;
		snap = read_snapshot(w, err);
		if (!snap)
			return -1;
		json_decref(l->wh_snapshot);
		l->wh_snapshot = json_incref(snap);
	}
	const json_t *schemata = json_object_get(snap, "schemata"), *tables = json_object_get(snap, "tables");
	const json_t *columns = json_object_get(snap, "columns");
	sg_buf key = SG_BUF_INIT, want = SG_BUF_INIT;
	const char *addr;
	json_t *entry;
	json_object_foreach((json_t *)entries, addr, entry) {
		const char *kind = str(entry, "kind");
		if (!kind || !is_warehouse_kind(kind))
			continue;
		json_t *prior = json_object_get(entry, "attributes");
		json_t *now = json_null();
		if (!strcmp(kind, "dataset")) {
			if (json_object_get(schemata, str(prior, "name")))
				now = json_incref(prior); /* its attributes live in sigma's metadata only */
		} else {
			key3(&key, "t", str(prior, "dataset"), str(prior, "name"));
			const char *type = json_string_value(json_object_get(tables, key.ptr));
			bool want_table = !strcmp(kind, "table");
			if (type && want_table == !strcmp(type, "BASE TABLE")) {
				const char *have = json_string_value(json_object_get(columns, key.ptr));
				sg_buf_clear(&want);
				if (want_table)
					expected_columns(&want, prior);
				if (!want_table || (have && !strcmp(have, sg_buf_cstr(&want)))) {
					now = json_incref(prior);
				} else {
					now = json_deep_copy(prior);
					json_object_set_new(now, "schema",
							    schema_from_columns(have ? have : "", json_object_get(prior, "schema")));
				}
			}
		}
		json_object_set_new(out, addr, now);
	}
	sg_buf_free(&key);
	sg_buf_free(&want);
	json_decref(snap);
	return 0;
}

int sg_local_refresh(sg_provider *p, const json_t *entries, json_t **out, sg_error *err)
{
	sg_local *l = sg_local_from(p);
	*out = json_object();
	bool warehouse = false, control = false;
	const char *addr;
	json_t *entry;
	json_object_foreach((json_t *)entries, addr, entry) {
		const char *kind = str(entry, "kind");
		if (kind && is_warehouse_kind(kind))
			warehouse = true;
		else
			control = true;
	}
	if (control) {
		sg_control *c;
		if (sg_local_control(l, &c, err) < 0)
			goto fail;
		sqlite3_stmt *st = NULL;
		json_t *rows = json_object();
		if (sqlite3_prepare_v2(sg_control_db(c), "SELECT kind, name, attrs FROM resources", -1, &st, NULL) != SQLITE_OK) {
			sg_error_set(err, "control store: %s", sqlite3_errmsg(sg_control_db(c)));
			json_decref(rows);
			goto fail;
		}
		sg_buf key = SG_BUF_INIT, dir = SG_BUF_INIT;
		while (sqlite3_step(st) == SQLITE_ROW) {
			key3(&key, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1), "");
			json_t *attrs = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
			if (attrs)
				json_object_set_new(rows, key.ptr, attrs);
		}
		sqlite3_finalize(st);
		json_object_foreach((json_t *)entries, addr, entry) {
			const char *kind = str(entry, "kind");
			if (!kind || is_warehouse_kind(kind))
				continue;
			const char *name = str(json_object_get(entry, "attributes"), "name");
			key3(&key, kind, name, "");
			const json_t *row = json_object_get(rows, key.ptr);
			json_t *now = row ? json_deep_copy(row) : json_null();
			if (!strcmp(kind, "bucket")) {
				sg_local_bucket_dir(l->root, name ? name : "", &dir);
				if (!sg_fs_is_dir(dir.ptr)) {
					json_decref(now);
					now = json_null(); /* the directory is the bucket */
				}
			}
			json_object_set_new(*out, addr, now);
		}
		sg_buf_free(&key);
		sg_buf_free(&dir);
		json_decref(rows);
	}
	if (warehouse && refresh_warehouse(l, entries, *out, err) < 0)
		goto fail;
	return 0;
fail:
	json_decref(*out);
	*out = NULL;
	return -1;
}
