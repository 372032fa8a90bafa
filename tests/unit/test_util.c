#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/strmap.h"
#include "util/text.h"
#include "util/ytree.h"
#include "providers/local/objects.h"

#include <stdio.h>
#include <string.h>

static void test_duration(void **state)
{
	(void)state;
	int64_t v;
	assert_int_equal(sg_parse_duration("90s", &v), 0);
	assert_int_equal(v, 90);
	assert_int_equal(sg_parse_duration("2m", &v), 0);
	assert_int_equal(v, 120);
	assert_int_equal(sg_parse_duration("1h30m", &v), 0);
	assert_int_equal(v, 5400);
	assert_int_equal(sg_parse_duration("45", &v), 0);
	assert_int_equal(v, 45);
	assert_int_equal(sg_parse_duration("30m1h", &v), -1);
	assert_int_equal(sg_parse_duration("5x", &v), -1);
	assert_int_equal(sg_parse_duration("", &v), -1);
	assert_int_equal(sg_parse_duration("-3", &v), -1);
	sg_buf b = SG_BUF_INIT;
	sg_format_duration(&b, 5430);
	assert_string_equal(b.ptr, "1h30m30s");
	sg_buf_free(&b);
}

static void test_count(void **state)
{
	(void)state;
	sg_buf b = SG_BUF_INIT;
	sg_format_count(&b, 12345);
	assert_string_equal(b.ptr, "12,345");
	sg_buf_clear(&b);
	sg_format_count(&b, 999);
	assert_string_equal(b.ptr, "999");
	sg_buf_clear(&b);
	sg_format_count(&b, 1000000);
	assert_string_equal(b.ptr, "1,000,000");
	sg_buf_free(&b);
}

static void test_strmap(void **state)
{
	(void)state;
	sg_strmap m = SG_STRMAP_INIT;
	char keys[1000][16];
	for (int i = 0; i < 1000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		sg_strmap_put(&m, keys[i], (void *)(intptr_t)(i + 1));
	}
	assert_int_equal(m.count, 1000);
	for (int i = 0; i < 1000; i++)
		assert_int_equal((intptr_t)sg_strmap_get(&m, keys[i]), i + 1);
	assert_null(sg_strmap_get(&m, "missing"));
	sg_strmap_free(&m);
}

static void test_yaml_positions(void **state)
{
	(void)state;
	const char *text = "bucket:\n  trigger:\n    location: US\n    labels: {a: b}\n";
	sg_arena a = SG_ARENA_INIT;
	sg_diags d = SG_DIAGS_INIT;
	sg_ynode *doc = NULL;
	assert_int_equal(sg_yaml_parse(&a, "x.yaml", text, strlen(text), &doc, &d), 0);
	sg_ynode *loc = sg_ymap_get(sg_ymap_get(sg_ymap_get(doc, "bucket"), "trigger"), "location");
	assert_non_null(loc);
	assert_string_equal(loc->str, "US");
	assert_int_equal(loc->pos.line, 3);
	assert_int_equal(loc->pos.col, 15);
	sg_arena_free(&a);
	sg_diags_free(&d);
}

static void test_yaml_errors(void **state)
{
	(void)state;
	const char *dup = "a: 1\nb: 2\na: 3\n";
	sg_arena a = SG_ARENA_INIT;
	sg_diags d = SG_DIAGS_INIT;
	sg_ynode *doc = NULL;
	assert_int_equal(sg_yaml_parse(&a, "x.yaml", dup, strlen(dup), &doc, &d), -1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.items[0].line, 3);
	assert_non_null(strstr(d.items[0].msg, "duplicate key \"a\""));
	sg_diags_free(&d);

	const char *bad = "a: [1, 2\nb: 3\n";
	assert_int_equal(sg_yaml_parse(&a, "y.yaml", bad, strlen(bad), &doc, &d), -1);
	assert_true(d.n >= 1);
	assert_non_null(strstr(d.items[0].msg, "YAML syntax error"));
	assert_true(d.items[0].line >= 1);
	sg_arena_free(&a);
	sg_diags_free(&d);
}

static void test_object_names(void **state)
{
	(void)state;
	sg_buf why = SG_BUF_INIT, b = SG_BUF_INIT, n = SG_BUF_INIT;
	assert_true(sg_object_name_valid("data/2024/x.csv", &why));
	assert_false(sg_object_name_valid("../etc/passwd", &why));
	assert_false(sg_object_name_valid("a/../b", &why));
	assert_false(sg_object_name_valid("/abs", &why));
	assert_false(sg_object_name_valid("a//b", &why));
	assert_true(sg_bucket_name_valid("company_trigger_bucket", &why));
	assert_false(sg_bucket_name_valid("Upper", &why));
	assert_false(sg_bucket_name_valid("ab", &why));
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_gs_uri_split("gs://bkt/dir/f.gz", &b, &n, &err), 0);
	assert_string_equal(b.ptr, "bkt");
	assert_string_equal(n.ptr, "dir/f.gz");
	assert_int_equal(sg_gs_uri_split("s3://bkt/x", &b, &n, &err), -1);
	assert_int_equal(sg_gs_uri_split("gs://bkt/a/../../x", &b, &n, &err), -1);
	sg_error_clear(&err);
	sg_buf_free(&why);
	sg_buf_free(&b);
	sg_buf_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),     cmocka_unit_test(test_count),
		cmocka_unit_test(test_strmap),       cmocka_unit_test(test_yaml_positions),
		cmocka_unit_test(test_yaml_errors),  cmocka_unit_test(test_object_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
