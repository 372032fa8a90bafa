/*
 * BigQuery → DuckDB translation (sg_bq_translate), table-driven from
 * tests/fixtures/sql/: NAME.bq.sql is the input; NAME.duckdb.sql the
 * expected DuckDB SQL, or NAME.error.txt the expected refusal. A first line
 * "-- test-opts: project=P" sets sg_bq_opts.project.
 *
 * SIGMA_BLESS=1 writes NAME.duckdb.sql from the current output for fixtures
 * that have neither file (review them before committing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "providers/local/bqsql.h"
#include "providers/local/bqsql_internal.h"
#include "util/fs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *fixture_dir(void)
{
	const char *src = getenv("SIGMA_SOURCE_DIR");
	assert_non_null(src);
	sg_buf b = SG_BUF_INIT;
	sg_buf_printf(&b, "%s/tests/fixtures/sql", src);
	return sg_buf_detach(&b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names (without .bq.sql) of every fixture, sorted. */
static char **fixture_names(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	char **names = NULL;
	size_t cap = 0;
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len <= 7 || strcmp(e->d_name + len - 7, ".bq.sql"))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			assert_non_null(names);
		}
		names[(*n)++] = strndup(e->d_name, len - 7);
	}
	closedir(d);
	qsort(names, *n, sizeof(*names), cmp_str);
	return names;
}

static bool read_if_exists(const char *path, sg_buf *out)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return false;
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_fs_read_file(path, out, &err), 0);
	return true;
}

static void trim_newline(sg_buf *b)
{
	while (b->len && (b->ptr[b->len - 1] == '\n' || b->ptr[b->len - 1] == '\r'))
		sg_buf_truncate(b, b->len - 1);
}

/* Options from a first line "-- test-opts: project=P". */
static void fixture_opts(const char *sql, sg_bq_opts *opts, char *project, size_t size)
{
	memset(opts, 0, sizeof(*opts));
	const char *tag = "-- test-opts: project=";
	if (strncmp(sql, tag, strlen(tag)))
		return;
	const char *p = sql + strlen(tag);
	size_t n = strcspn(p, "\n");
	snprintf(project, size, "%.*s", (int)n, p);
	opts->project = project;
}

static void test_fixtures(void **state)
{
	(void)state;
	char *dir = fixture_dir();
	size_t n;
	char **names = fixture_names(dir, &n);
	size_t outputs = 0, refusals = 0;
	bool bless = getenv("SIGMA_BLESS") && !strcmp(getenv("SIGMA_BLESS"), "1");
	for (size_t i = 0; i < n; i++) {
		sg_buf path = SG_BUF_INIT, in = SG_BUF_INIT, want = SG_BUF_INIT, got = SG_BUF_INIT;
		sg_error err = SG_ERROR_INIT;
		sg_buf_printf(&path, "%s/%s.bq.sql", dir, names[i]);
		assert_true(read_if_exists(path.ptr, &in));
		sg_bq_opts opts;
		char project[128];
		fixture_opts(sg_buf_cstr(&in), &opts, project, sizeof(project));
		int rc = sg_bq_translate(sg_buf_cstr(&in), &opts, &got, &err);
		sg_buf_clear(&path);
		sg_buf_printf(&path, "%s/%s.duckdb.sql", dir, names[i]);
		if (read_if_exists(path.ptr, &want)) {
			if (rc != 0)
				fail_msg("%s: refused: %s", names[i], sg_error_msg(&err));
			if (strcmp(sg_buf_cstr(&want), sg_buf_cstr(&got)))
				fail_msg("%s: expected\n%s\n--- got\n%s", names[i], sg_buf_cstr(&want), sg_buf_cstr(&got));
			outputs++;
		} else {
			sg_buf_clear(&path);
			sg_buf_printf(&path, "%s/%s.error.txt", dir, names[i]);
			if (read_if_exists(path.ptr, &want)) {
				trim_newline(&want);
				if (rc == 0)
					fail_msg("%s: expected the refusal \"%s\", got\n%s", names[i], want.ptr, sg_buf_cstr(&got));
				assert_string_equal(sg_error_msg(&err), sg_buf_cstr(&want));
				refusals++;
			} else if (bless && rc == 0) {
				sg_buf_clear(&path);
				sg_buf_printf(&path, "%s/%s.duckdb.sql", dir, names[i]);
				FILE *f = fopen(path.ptr, "w");
				assert_non_null(f);
				fputs(sg_buf_cstr(&got), f);
				fclose(f);
			} else {
				fail_msg("%s: no %s.duckdb.sql or %s.error.txt (rc %d: %s)", names[i], names[i], names[i], rc,
					 rc ? sg_error_msg(&err) : sg_buf_cstr(&got));
			}
		}
		sg_error_clear(&err);
		sg_buf_free(&path);
		sg_buf_free(&in);
		sg_buf_free(&want);
		sg_buf_free(&got);
		free(names[i]);
	}
	free(names);
	free(dir);
	/* the brief: at least 40 cases */
	assert_true(outputs + refusals >= 40);
	assert_true(refusals >= 10);
}

/* Every prefix of every fixture translates or is refused with a position: never a crash. */
static void test_prefixes_never_crash(void **state)
{
	(void)state;
	char *dir = fixture_dir();
	size_t n;
	char **names = fixture_names(dir, &n);
	for (size_t i = 0; i < n; i++) {
		sg_buf path = SG_BUF_INIT, in = SG_BUF_INIT;
		sg_buf_printf(&path, "%s/%s.bq.sql", dir, names[i]);
		assert_true(read_if_exists(path.ptr, &in));
		for (size_t len = 0; len <= in.len; len++) {
			sg_buf got = SG_BUF_INIT;
			sg_error err = SG_ERROR_INIT;
			char *copy = malloc(len + 1);
			memcpy(copy, in.ptr, len);
			copy[len] = '\0';
			if (sg_bq_translate_n(copy, len, NULL, &got, &err) < 0) {
				assert_non_null(sg_error_msg(&err));
				assert_true(strlen(sg_error_msg(&err)) > 0);
				assert_int_equal(got.len, 0);
			}
			free(copy);
			sg_buf_free(&got);
			sg_error_clear(&err);
		}
		sg_buf_free(&path);
		sg_buf_free(&in);
		free(names[i]);
	}
	free(names);
	free(dir);
}

static void test_tables_sorted(void **state)
{
	(void)state;
	assert_int_equal(bq_func_tables_sorted(), 0);
	assert_int_equal(bq_reserved_sorted(), 0);
}

static char *translate_ok(const char *sql, const sg_bq_opts *opts)
{
	sg_buf out = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	if (sg_bq_translate(sql, opts, &out, &err) < 0)
		fail_msg("\"%s\" refused: %s", sql, sg_error_msg(&err));
	return sg_buf_detach(&out);
}

static char *translate_err(const char *sql, const sg_bq_opts *opts)
{
	sg_buf out = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	if (sg_bq_translate(sql, opts, &out, &err) == 0)
		fail_msg("\"%s\" translated: %s", sql, sg_buf_cstr(&out));
	sg_buf_free(&out);
	char *msg = strdup(sg_error_msg(&err));
	sg_error_clear(&err);
	return msg;
}

static int resolve(void *ctx, const char *project, const char *dataset, const char *table, sg_buf *out, sg_error *err)
{
	int *calls = ctx;
	(*calls)++;
	if (!strcmp(table, "missing"))
		return sg_error_set(err, "no table %s.%s", dataset ? dataset : "?", table);
	sg_buf_printf(out, "\"wh\".\"%s%s%s__%s\"", project ? project : "", project ? "__" : "", dataset ? dataset : "",
		      table);
	return 0;
}

static void test_resolver(void **state)
{
	(void)state;
	int calls = 0;
	sg_bq_opts opts = { .resolve_table = resolve, .resolve_ctx = &calls };
	char *s = translate_ok("SELECT * FROM `p.ds.t` JOIN ds.u USING (id), cte", &opts);
	assert_string_equal(s, "SELECT * FROM \"wh\".\"p__ds__t\" JOIN \"wh\".\"ds__u\" USING (id), cte");
	assert_int_equal(calls, 2);
	free(s);
	s = translate_err("SELECT 1\nFROM ds.missing", &opts);
	assert_string_equal(s, "line 2, col 6: no table ds.missing");
	free(s);
}

static void test_project_option(void **state)
{
	(void)state;
	sg_bq_opts opts = { .project = "my-proj" };
	char *s = translate_ok("SELECT @@project_id, x FROM `my-proj.ds.t`", &opts);
	assert_string_equal(s, "SELECT 'my-proj', x FROM \"ds\".\"t\"");
	free(s);
	s = translate_err("SELECT x FROM `other.ds.t`", &opts);
	assert_string_equal(s, "line 1, col 15: table other.ds.t is in project other; the local warehouse holds project my-proj only");
	free(s);
	/* without a project, any project is dropped */
	s = translate_ok("SELECT x FROM `other.ds.t`", NULL);
	assert_string_equal(s, "SELECT x FROM \"ds\".\"t\"");
	free(s);
}

static void test_partition_column_option(void **state)
{
	(void)state;
	sg_bq_opts opts = { .partition_column = "_ingested_at" };
	char *s = translate_ok("SELECT _PARTITIONTIME, _PARTITIONDATE FROM t", &opts);
	assert_string_equal(s, "SELECT \"_ingested_at\", CAST(\"_ingested_at\" AS DATE) FROM t");
	free(s);
}

static void test_error_leaves_output_alone(void **state)
{
	(void)state;
	sg_buf out = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	sg_buf_puts(&out, "kept");
	assert_int_equal(sg_bq_translate("SELECT IFNULL(a, 1), ML.PREDICT(x)", NULL, &out, &err), -1);
	assert_string_equal(sg_buf_cstr(&out), "kept");
	assert_string_equal(sg_error_msg(&err), "line 1, col 22: BigQuery function ML.PREDICT has no local equivalent");
	sg_error_clear(&err);
	assert_int_equal(sg_bq_translate("SELECT 1", NULL, &out, &err), 0);
	assert_string_equal(sg_buf_cstr(&out), "keptSELECT 1");
	sg_buf_free(&out);
}

static void test_nul_refused(void **state)
{
	(void)state;
	sg_buf out = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_bq_translate_n("SELECT 1\n;\0x", 12, NULL, &out, &err), -1);
	assert_string_equal(sg_error_msg(&err), "line 2, col 2: NUL byte in the SQL");
	sg_error_clear(&err);
	/* a \0 escape would make a DuckDB string end early */
	assert_int_equal(sg_bq_translate("SELECT 'a\\x00b'", NULL, &out, &err), -1);
	assert_string_equal(sg_error_msg(&err), "line 1, col 8: string literal holds a NUL character, which DuckDB strings cannot");
	sg_error_clear(&err);
	sg_buf_free(&out);
}

/* Every construct the translator rewrites, inside each kind of string and comment: untouched. */
static void test_strings_and_comments_untouched(void **state)
{
	(void)state;
	static const char *const snippets[] = {
		"IFNULL(a, b)", "`p.d.t`", "SAFE_CAST(x AS INT64)", "_PARTITIONTIME", "DATE_TRUNC(d, MONTH)",
		"ML.PREDICT(x)", "@param", "@@var", "* EXCEPT (a)", "DECLARE x", "0x1F", "INTERVAL n DAY", "^",
	};
	static const char *const wrappers[][2] = {
		{ "SELECT '", "' AS s" }, { "SELECT 1 -- ", "\n" }, { "SELECT 1 /* ", " */" }, { "SELECT 1 # ", "" },
	};
	for (size_t i = 0; i < sizeof(snippets) / sizeof(snippets[0]); i++) {
		for (size_t w = 0; w < sizeof(wrappers) / sizeof(wrappers[0]); w++) {
			sg_buf in = SG_BUF_INIT;
			sg_buf_printf(&in, "%s%s%s", wrappers[w][0], snippets[i], wrappers[w][1]);
			char *s = translate_ok(in.ptr, NULL);
			if (!strstr(s, snippets[i]))
				fail_msg("%s → %s", in.ptr, s);
			free(s);
			sg_buf_free(&in);
		}
	}
}

static void test_positions_count_characters(void **state)
{
	(void)state;
	char *s = translate_err("SELECT 'ação', \"é\", ML.PREDICT(x)", NULL);
	assert_string_equal(s, "line 1, col 21: BigQuery function ML.PREDICT has no local equivalent");
	free(s);
	s = translate_err("/* two\nlines */ SELECT\n\t@x", NULL);
	assert_string_equal(s, "line 3, col 2: query parameter @x: query parameters are not supported locally");
	free(s);
}

static void test_deep_nesting_refused(void **state)
{
	(void)state;
	sg_buf in = SG_BUF_INIT;
	sg_buf_puts(&in, "SELECT ");
	for (int i = 0; i < 5000; i++)
		sg_buf_puts(&in, "IFNULL(");
	sg_buf_puts(&in, "1");
	for (int i = 0; i < 5000; i++)
		sg_buf_puts(&in, ", 0)");
	char *s = translate_err(in.ptr, NULL);
	assert_non_null(strstr(s, "nested more than"));
	free(s);
	sg_buf_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_prefixes_never_crash),
		cmocka_unit_test(test_tables_sorted),
		cmocka_unit_test(test_resolver),
		cmocka_unit_test(test_project_option),
		cmocka_unit_test(test_partition_column_option),
		cmocka_unit_test(test_error_leaves_output_alone),
		cmocka_unit_test(test_nul_refused),
		cmocka_unit_test(test_strings_and_comments_untouched),
		cmocka_unit_test(test_positions_count_characters),
		cmocka_unit_test(test_deep_nesting_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
