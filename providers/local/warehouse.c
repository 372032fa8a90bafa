#include "providers/local/warehouse.h"

#include "providers/local/duckdb_api.h"
#include "providers/local/wh_text.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

struct sg_warehouse {
	duckdb_database db;
	duckdb_connection conn;
	pthread_mutex_t mu;
	int lock_fd;
	bool is_session; /* a second connection: the database belongs to another handle */
};

void sg_sql_ident(sg_buf *out, const char *s)
{
	sg_buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			sg_buf_putc(out, '"');
		sg_buf_putc(out, *s);
	}
	sg_buf_putc(out, '"');
}

void sg_sql_string(sg_buf *out, const char *s)
{
	sg_buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sg_buf_putc(out, '\'');
		sg_buf_putc(out, *s);
	}
	sg_buf_putc(out, '\'');
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Take the cross-process lock, waiting up to timeout_ms. */
static int take_lock(const char *db_path, const char *holder, int64_t timeout_ms, int *out_fd, sg_error *err)
{
	sg_buf path = SG_BUF_INIT;
	sg_buf_printf(&path, "%s.lock", db_path);
	int fd = open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		sg_error_set(err, "cannot open the warehouse lock %s: %s", path.ptr, strerror(errno));
		sg_buf_free(&path);
		return -1;
	}
	int64_t deadline = now_ms() + timeout_ms;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			sg_error_set(err, "cannot lock the warehouse: %s", strerror(errno));
			close(fd);
			sg_buf_free(&path);
			return -1;
		}
		if (now_ms() >= deadline) {
			char who[512] = "";
			ssize_t n = pread(fd, who, sizeof(who) - 1, 0);
			who[n > 0 ? n : 0] = '\0';
			who[strcspn(who, "\n")] = '\0';
			sg_error_set(err, "the warehouse %s is busy: held by %s; gave up after %lld ms", db_path,
				     who[0] ? who : "another process", (long long)timeout_ms);
			close(fd);
			sg_buf_free(&path);
			return -1;
		}
		usleep(20 * 1000);
	}
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	sg_buf info = SG_BUF_INIT;
	time_t t = time(NULL);
	char when[64];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	sg_buf_printf(&info, "pid %ld on %s (%s) since %s\n", (long)getpid(), host, holder ? holder : "sigma", when);
	if (ftruncate(fd, 0) == 0)
		(void)pwrite(fd, info.ptr, info.len, 0);
	sg_buf_free(&info);
	sg_buf_free(&path);
	*out_fd = fd;
	return 0;
}

int sg_warehouse_open(const char *path, const char *holder, int64_t timeout_ms, sg_warehouse **out, sg_error *err)
{
	*out = NULL;
	int lock_fd = -1;
	if (take_lock(path, holder, timeout_ms, &lock_fd, err) < 0)
		return -1;
	duckdb_config config = NULL;
	if (duckdb_create_config(&config) != DuckDBSuccess) {
		close(lock_fd);
		return sg_error_set(err, "cannot create a DuckDB configuration");
	}
	duckdb_set_config(config, "autoinstall_known_extensions", "false");
	duckdb_set_config(config, "autoload_known_extensions", "false");
	sg_warehouse *w = sg_calloc(1, sizeof(*w));
	w->lock_fd = lock_fd;
	char *open_err = NULL;
	/*
	 * The file is attached under a fixed catalog name instead of being
	 * opened directly: DuckDB names a database after its file, and a dataset
	 * called "warehouse" (seed 000 has one) would make every
	 * warehouse.table ambiguous between the catalog and the schema.
	 */
	if (duckdb_open_ext(NULL, &w->db, config, &open_err) != DuckDBSuccess) {
		sg_error_set(err, "cannot open the warehouse %s: %s", path, open_err ? open_err : "unknown error");
		duckdb_free(open_err);
		duckdb_destroy_config(&config);
		close(lock_fd);
		free(w);
		return -1;
	}
	duckdb_destroy_config(&config);
	if (duckdb_connect(w->db, &w->conn) != DuckDBSuccess) {
		duckdb_close(&w->db);
		close(lock_fd);
		free(w);
		return sg_error_set(err, "cannot connect to the warehouse %s", path);
	}
	pthread_mutex_init(&w->mu, NULL);
	/*
	 * checkpoint_threshold: DuckDB rewrites the whole catalog at each
	 * checkpoint; with the default 16 MB a first apply of thousands of tables
	 * checkpoints again and again. It still checkpoints when closed.
	 */
	sg_buf attach = SG_BUF_INIT;
	sg_buf_puts(&attach, "ATTACH ");
	sg_sql_string(&attach, path);
	sg_buf_puts(&attach, " AS " SG_WAREHOUSE_CATALOG "; USE " SG_WAREHOUSE_CATALOG ";");
	int attached = sg_warehouse_exec(w, attach.ptr, err);
	sg_buf_free(&attach);
	if (attached < 0) {
		sg_error_prefix(err, "cannot open the warehouse %s: ", path);
		sg_warehouse_close(w);
		return -1;
	}
	if (sg_warehouse_exec(w, "SET TimeZone = 'UTC'; SET checkpoint_threshold = '1GB';"
				 "CREATE SCHEMA IF NOT EXISTS _sigma;"
				 "CREATE TABLE IF NOT EXISTS _sigma.objects("
				 "  kind VARCHAR NOT NULL, dataset VARCHAR NOT NULL, name VARCHAR NOT NULL,"
				 "  attrs JSON NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now());",
			      err) < 0) {
		sg_error_prefix(err, "cannot prepare the warehouse %s: ", path);
		sg_warehouse_close(w);
		return -1;
	}
	*out = w;
	return 0;
}

int sg_warehouse_session(sg_warehouse *w, sg_warehouse **out, sg_error *err)
{
	sg_warehouse *s = sg_calloc(1, sizeof(*s));
	s->db = w->db;
	s->lock_fd = -1;
	s->is_session = true;
	if (duckdb_connect(w->db, &s->conn) != DuckDBSuccess) {
		free(s);
		return sg_error_set(err, "cannot open another connection to the warehouse");
	}
	pthread_mutex_init(&s->mu, NULL);
	if (sg_warehouse_exec(s, "SET TimeZone = 'UTC'; USE " SG_WAREHOUSE_CATALOG ";", err) < 0) {
		sg_warehouse_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void sg_warehouse_close(sg_warehouse *w)
{
	if (!w)
		return;
	duckdb_disconnect(&w->conn);
	if (!w->is_session)
		duckdb_close(&w->db);
	pthread_mutex_destroy(&w->mu);
	if (w->lock_fd >= 0)
		close(w->lock_fd); /* releases the flock */
	free(w);
}

static int run(sg_warehouse *w, const char *sql, duckdb_result *res, sg_error *err)
{
	if (duckdb_query(w->conn, sql, res) != DuckDBSuccess) {
		const char *msg = duckdb_result_error(res);
		sg_error_set(err, "%s", msg ? msg : "query failed");
		duckdb_destroy_result(res);
		return -1;
	}
	return 0;
}

int sg_warehouse_exec(sg_warehouse *w, const char *sql, sg_error *err)
{
	duckdb_result res;
	pthread_mutex_lock(&w->mu);
	int rc = run(w, sql, &res, err);
	if (rc == 0)
		duckdb_destroy_result(&res);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

int sg_warehouse_tx(sg_warehouse *w, const char *sql, sg_error *err)
{
	duckdb_result res;
	pthread_mutex_lock(&w->mu);
	int rc = run(w, "BEGIN TRANSACTION", &res, err);
	if (rc == 0) {
		duckdb_destroy_result(&res);
		rc = run(w, sql, &res, err);
		if (rc == 0) {
			duckdb_destroy_result(&res);
			rc = run(w, "COMMIT", &res, err);
			if (rc == 0)
				duckdb_destroy_result(&res);
		}
		if (rc < 0) {
			sg_error rb = SG_ERROR_INIT;
			if (run(w, "ROLLBACK", &res, &rb) == 0)
				duckdb_destroy_result(&res);
			sg_error_clear(&rb);
		}
	}
	pthread_mutex_unlock(&w->mu);
	return rc;
}

static json_t *cell(duckdb_type type, void *data, uint64_t *validity, idx_t row)
{
	if (validity && !duckdb_validity_row_is_valid(validity, row))
		return json_null();
	switch (type) {
	case DUCKDB_TYPE_BOOLEAN:
		return json_boolean(((bool *)data)[row]);
	case DUCKDB_TYPE_TINYINT:
		return json_integer(((int8_t *)data)[row]);
	case DUCKDB_TYPE_SMALLINT:
		return json_integer(((int16_t *)data)[row]);
	case DUCKDB_TYPE_INTEGER:
		return json_integer(((int32_t *)data)[row]);
	case DUCKDB_TYPE_BIGINT:
		return json_integer(((int64_t *)data)[row]);
	case DUCKDB_TYPE_UTINYINT:
		return json_integer(((uint8_t *)data)[row]);
	case DUCKDB_TYPE_USMALLINT:
		return json_integer(((uint16_t *)data)[row]);
	case DUCKDB_TYPE_UINTEGER:
		return json_integer(((uint32_t *)data)[row]);
	case DUCKDB_TYPE_UBIGINT:
		return json_integer((json_int_t)((uint64_t *)data)[row]);
	case DUCKDB_TYPE_FLOAT:
		return json_real(((float *)data)[row]);
	case DUCKDB_TYPE_DOUBLE:
		return json_real(((double *)data)[row]);
	case DUCKDB_TYPE_VARCHAR:
	case DUCKDB_TYPE_BLOB: {
		duckdb_string_t *s = &((duckdb_string_t *)data)[row];
		uint32_t len = s->value.inlined.length;
		const char *p = len <= 12 ? s->value.inlined.inlined : s->value.pointer.ptr;
		return json_stringn_nocheck(p, len);
	}
	default:
		return NULL;
	}
}

int sg_warehouse_rows(sg_warehouse *w, const char *sql, int64_t max_rows, json_t **out, sg_error *err)
{
	*out = NULL;
	duckdb_result res;
	pthread_mutex_lock(&w->mu);
	if (run(w, sql, &res, err) < 0) {
		pthread_mutex_unlock(&w->mu);
		return -1;
	}
	idx_t ncols = duckdb_column_count(&res);
	duckdb_type *types = sg_calloc(ncols ? ncols : 1, sizeof(*types));
	for (idx_t c = 0; c < ncols; c++)
		types[c] = duckdb_column_type(&res, c);
	json_t *rows = json_array();
	int rc = 0;
	for (;;) {
		duckdb_data_chunk chunk = duckdb_fetch_chunk(res);
		if (!chunk)
			break;
		idx_t n = duckdb_data_chunk_get_size(chunk);
		for (idx_t r = 0; r < n && (max_rows < 0 || (int64_t)json_array_size(rows) < max_rows); r++) {
			json_t *row = json_array();
			for (idx_t c = 0; c < ncols; c++) {
				duckdb_vector v = duckdb_data_chunk_get_vector(chunk, c);
				json_t *val = cell(types[c], duckdb_vector_get_data(v), duckdb_vector_get_validity(v), r);
				if (!val) {
					rc = sg_error_set(err, "column %s has a type sigma cannot read here (cast it to VARCHAR)",
							  duckdb_column_name(&res, c));
					val = json_null();
				}
				json_array_append_new(row, val);
			}
			json_array_append_new(rows, row);
		}
		duckdb_destroy_data_chunk(&chunk);
		if (rc < 0 || (max_rows >= 0 && (int64_t)json_array_size(rows) >= max_rows))
			break;
	}
	duckdb_destroy_result(&res);
	pthread_mutex_unlock(&w->mu);
	free(types);
	if (rc < 0) {
		json_decref(rows);
		return -1;
	}
	*out = rows;
	return 0;
}

int sg_warehouse_int(sg_warehouse *w, const char *sql, int64_t *out, sg_error *err)
{
	json_t *rows = NULL;
	if (sg_warehouse_rows(w, sql, 1, &rows, err) < 0)
		return -1;
	json_t *v = json_array_get(json_array_get(rows, 0), 0);
	*out = json_is_integer(v) ? json_integer_value(v) : 0;
	json_decref(rows);
	return 0;
}

void sg_wh_result_free(sg_wh_result *r)
{
	json_decref(r->columns);
	json_decref(r->rows);
	memset(r, 0, sizeof(*r));
}

/*
 * Read the rows of `res` into `out`; false when a column has a type that
 * neither cell() nor wh_text.c can read (lists, structs, ...). Dates,
 * timestamps, decimals and HUGEINT (what SUM gives) are read as text here,
 * so the statement runs once.
 */
static bool read_rows(duckdb_result *res, int64_t max_rows, sg_wh_result *out)
{
	idx_t ncols = duckdb_column_count(res);
	out->columns = json_array();
	for (idx_t c = 0; c < ncols; c++)
		json_array_append_new(out->columns, json_string(duckdb_column_name(res, c)));
	duckdb_type *types = sg_calloc(ncols ? ncols : 1, sizeof(*types));
	sg_wh_text_col *text = sg_calloc(ncols ? ncols : 1, sizeof(*text));
	for (idx_t c = 0; c < ncols; c++) {
		types[c] = duckdb_column_type(res, c);
		switch (types[c]) {
		case DUCKDB_TYPE_BOOLEAN: case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT: case DUCKDB_TYPE_INTEGER:
		case DUCKDB_TYPE_BIGINT: case DUCKDB_TYPE_UTINYINT: case DUCKDB_TYPE_USMALLINT: case DUCKDB_TYPE_UINTEGER:
		case DUCKDB_TYPE_UBIGINT: case DUCKDB_TYPE_FLOAT: case DUCKDB_TYPE_DOUBLE: case DUCKDB_TYPE_VARCHAR:
			break;
		default:
			if (!sg_wh_text_column(res, c, &text[c])) {
				free(types);
				free(text);
				return false;
			}
		}
	}
	out->rows = json_array();
	sg_buf t = SG_BUF_INIT;
	for (;;) {
		duckdb_data_chunk chunk = duckdb_fetch_chunk(*res);
		if (!chunk)
			break;
		idx_t n = duckdb_data_chunk_get_size(chunk);
		for (idx_t r = 0; r < n; r++) {
			if (max_rows >= 0 && (int64_t)json_array_size(out->rows) >= max_rows) {
				out->truncated = true;
				break;
			}
			json_t *row = json_array();
			for (idx_t c = 0; c < ncols; c++) {
				duckdb_vector v = duckdb_data_chunk_get_vector(chunk, c);
				void *data = duckdb_vector_get_data(v);
				uint64_t *validity = duckdb_vector_get_validity(v);
				json_t *val = NULL;
				if (!text[c].type || (validity && !duckdb_validity_row_is_valid(validity, r))) {
					val = cell(types[c], data, validity, r);
				} else {
					sg_buf_clear(&t);
					sg_wh_text_cell(&text[c], data, r, &t);
					val = json_stringn(sg_buf_cstr(&t), t.len);
				}
				json_array_append_new(row, val);
			}
			json_array_append_new(out->rows, row);
		}
		duckdb_destroy_data_chunk(&chunk);
		if (out->truncated)
			break;
	}
	sg_buf_free(&t);
	free(types);
	free(text);
	return true;
}

int sg_warehouse_query(sg_warehouse *w, const char *sql, int64_t max_rows, sg_wh_result *out, sg_error *err)
{
	memset(out, 0, sizeof(*out));
	duckdb_result res;
	pthread_mutex_lock(&w->mu);
	if (run(w, sql, &res, err) < 0) {
		pthread_mutex_unlock(&w->mu);
		return -1;
	}
	duckdb_result_type kind = duckdb_result_return_type(res);
	int rc = 0;
	if (kind == DUCKDB_RESULT_TYPE_CHANGED_ROWS) {
		out->changed = (int64_t)duckdb_rows_changed(&res);
	} else if (kind == DUCKDB_RESULT_TYPE_QUERY_RESULT) {
		out->is_query = true;
		if (!read_rows(&res, max_rows, out)) {
			/* text for what we do not read natively: DuckDB's own casts, same rows */
			json_decref(out->columns);
			out->columns = NULL;
			duckdb_destroy_result(&res);
			sg_buf wrapped = SG_BUF_INIT;
			size_t len = strlen(sql);
			while (len && (sql[len - 1] == ';' || sql[len - 1] == ' ' || sql[len - 1] == '\n'))
				len--;
			sg_buf_puts(&wrapped, "SELECT COLUMNS(*)::VARCHAR FROM (");
			sg_buf_put(&wrapped, sql, len);
			sg_buf_puts(&wrapped, "\n) AS sigma_result");
			rc = run(w, wrapped.ptr, &res, err);
			sg_buf_free(&wrapped);
			if (rc < 0)
				sg_error_prefix(err, "cannot show the result as text (cast the columns to VARCHAR): ");
			else if (!read_rows(&res, max_rows, out))
				rc = sg_error_set(err, "cannot read the result");
		}
	}
	if (rc == 0)
		duckdb_destroy_result(&res);
	pthread_mutex_unlock(&w->mu);
	if (rc < 0)
		sg_wh_result_free(out);
	return rc;
}

int sg_warehouse_json_cell(sg_warehouse *w, const char *sql, json_t **out, sg_error *err)
{
	*out = NULL;
	json_t *rows = NULL;
	if (sg_warehouse_rows(w, sql, 1, &rows, err) < 0)
		return -1;
	if (json_array_size(rows) == 1) {
		const char *text = json_string_value(json_array_get(json_array_get(rows, 0), 0));
		*out = text ? json_loads(text, 0, NULL) : NULL;
		if (!*out)
			*out = json_object();
	}
	json_decref(rows);
	return 0;
}
