/*
 * Compiling SQLX projects (pipeline/sqlx.h): each test writes a small
 * project (workflow_settings.yaml and definitions/NAME.sqlx) into a temporary
 * folder, compiles it with sg_sx_compile and checks what `dataform
 * compile` would give — targets, queries, dependencies, built-in
 * assertions — or the diagnostics a user sees, with file, line and
 * column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pipeline/sqlx.h"
#include "unit_helpers.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* ------------------------------------------------------------ helpers */

typedef struct fixture {
	char *dir;
	sg_sx_project *p;
	sg_diags d;
	int rc;
} fixture;

static void mkdir_p(const char *dir, const char *rel)
{
	sg_buf path = SG_BUF_INIT;
	sg_fs_join(&path, dir, rel);
	for (char *s = path.ptr + strlen(dir) + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(path.ptr, 0755);
			*s = '/';
		}
	}
	mkdir(path.ptr, 0755);
	sg_buf_free(&path);
}

/* Write REL/TEXT pairs (NULL-terminated) into a new project folder. A
 * NULL settings text means no workflow_settings.yaml. */
static void write_files(const char *dir, va_list ap)
{
	for (;;) {
		const char *rel = va_arg(ap, const char *);
		if (!rel)
			break;
		const char *text = va_arg(ap, const char *);
		const char *slash = strrchr(rel, '/');
		if (slash) {
			char *parent = strndup(rel, (size_t)(slash - rel));
			mkdir_p(dir, parent);
			free(parent);
		}
		ut_write(dir, rel, text);
	}
}

/* Compile a project made of `settings` and the REL, TEXT pairs that follow
 * (then NULL), with `vars` as --vars (may be NULL). */
static void compile_with(fixture *f, json_t *vars, const char *settings, ...)
{
	memset(f, 0, sizeof(*f));
	f->dir = ut_mkdtemp();
	mkdir_p(f->dir, "definitions");
	if (settings)
		ut_write(f->dir, "workflow_settings.yaml", settings);
	va_list ap;
	va_start(ap, settings);
	write_files(f->dir, ap);
	va_end(ap);
	sg_sx_opts opts = { vars, "proj" };
	f->rc = sg_sx_compile(f->dir, &opts, &f->p, &f->d);
}

static void fixture_free(fixture *f)
{
	sg_sx_project_free(f->p);
	sg_diags_free(&f->d);
	ut_rmdir(f->dir);
}

static void expect_ok(const fixture *f)
{
	if (f->rc != 0) {
		ut_print_diags(&f->d);
		fail_msg("compile failed");
	}
	assert_non_null(f->p);
	assert_int_equal(f->d.nerrors, 0);
}

/* Compilation failed with a diagnostic containing `needle` at file:line:col. */
static void expect_diag(const fixture *f, const char *needle, const char *file, int line, int col)
{
	assert_int_equal(f->rc, -1);
	assert_null(f->p);
	const sg_diag *g = ut_expect_diag(&f->d, needle);
	if (!g->file || strcmp(g->file, file) || g->line != line || g->col != col) {
		ut_print_diags(&f->d);
		fail_msg("\"%s\" at %s:%d:%d, want %s:%d:%d", g->msg, g->file ? g->file : "-", g->line, g->col, file, line,
			 col);
	}
}

static sg_sx_action *find(const fixture *f, const char *name)
{
	sg_sx_action *a = sg_sx_find(f->p, name);
	if (!a)
		fail_msg("no action %s", name);
	return a;
}

static void expect_target(const sg_sx_target *t, const char *db, const char *schema, const char *name)
{
	assert_string_equal(t->database, db);
	assert_string_equal(t->schema, schema);
	assert_string_equal(t->name, name);
}

/* `s` contains `needle`. */
static void expect_has(const char *s, const char *needle)
{
	assert_non_null(s);
	if (!strstr(s, needle))
		fail_msg("<%s>\ndoes not contain <%s>", s, needle);
}


#define SETTINGS "defaultProject: proj\ndefaultDataset: ds\n"

static void expect_lacks(const char *s, const char *needle)
{
	assert_non_null(s);
	if (strstr(s, needle))
		fail_msg("<%s>\ncontains <%s>", s, needle);
}

/* ------------------------------------------------------------ targets */

static void test_targets_prefix_suffix(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL,
		     SETTINGS "defaultAssertionDataset: checks\nnamePrefix: dev\ndatasetSuffix: test\n",
		     "definitions/orders.sqlx", "config { type: \"table\" }\nSELECT 1 AS id\n",
		     "definitions/sub/deep/custom.sqlx",
		     "config { type: \"view\", schema: \"sales\", database: \"other\", name: \"v\" }\n"
		     "SELECT * FROM ${ref(\"orders\")}\n",
		     "definitions/src.sqlx", "config { type: \"declaration\", schema: \"raw\", name: \"events\" }\n",
		     "definitions/check.sqlx", "config { type: \"assertion\" }\nSELECT 1 FROM ${ref('v')} WHERE false\n",
		     NULL);
	expect_ok(&f);
	assert_int_equal(f.p->n, 4);

	sg_sx_action *o = find(&f, "orders");
	assert_int_equal(o->type, SG_SX_TABLE);
	expect_target(&o->canonical, "proj", "ds", "orders");
	expect_target(&o->target, "proj", "ds_test", "dev_orders");
	assert_string_equal(o->id, "proj.ds_test.dev_orders");
	assert_string_equal(o->file, "definitions/orders.sqlx");

	/* the file name is not the action name when config says so; nesting is irrelevant */
	sg_sx_action *v = find(&f, "v");
	expect_target(&v->canonical, "other", "sales", "v");
	expect_target(&v->target, "other", "sales_test", "dev_v");
	assert_string_equal(v->file, "definitions/sub/deep/custom.sqlx");
	/* ref() gives the target, not the canonical target */
	expect_has(v->query, "SELECT * FROM `proj.ds_test.dev_orders`");

	/* declarations name existing tables: no prefix, no suffix */
	sg_sx_action *e = find(&f, "events");
	expect_target(&e->canonical, "proj", "raw", "events");
	expect_target(&e->target, "proj", "raw", "events");

	/* assertions default to the assertion dataset */
	sg_sx_action *c = find(&f, "check");
	expect_target(&c->canonical, "proj", "checks", "check");
	expect_target(&c->target, "proj", "checks_test", "dev_check");
	expect_has(c->query, "FROM `other.sales_test.dev_v`");

	/* lookups: by final id, canonical id, schema.name, name */
	assert_ptr_equal(sg_sx_find(f.p, "proj.ds_test.dev_orders"), o);
	assert_ptr_equal(sg_sx_find(f.p, "proj.ds.orders"), o);
	assert_ptr_equal(sg_sx_find(f.p, "ds.orders"), o);
	assert_null(sg_sx_find(f.p, "dev_orders"));
	assert_null(sg_sx_find(f.p, "nothing"));

	/* the JSON has dataform's shape */
	json_t *j = sg_sx_project_json(f.p);
	json_t *t0 = json_array_get(json_object_get(j, "tables"), 0);
	assert_non_null(t0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(t0, "target"), "name")), "dev_orders");
	assert_string_equal(json_string_value(json_object_get(json_object_get(t0, "canonicalTarget"), "schema")), "ds");
	assert_string_equal(json_string_value(json_object_get(t0, "enumType")), "TABLE");
	json_t *conf = json_object_get(j, "projectConfig");
	assert_string_equal(json_string_value(json_object_get(conf, "tablePrefix")), "dev");
	assert_string_equal(json_string_value(json_object_get(conf, "schemaSuffix")), "test");
	assert_string_equal(json_string_value(json_object_get(conf, "assertionSchema")), "checks");
	assert_int_equal(json_array_size(json_object_get(j, "targets")), 4);
	assert_int_equal(json_array_size(json_object_get(j, "declarations")), 1);
	json_decref(j);
	fixture_free(&f);
}

/* Without settings for them: dataset "dataform", assertions in "dataform_assertions". */
static void test_default_datasets(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, "defaultProject: proj\n", "definitions/t.sqlx", "config { type: 'table' }\nSELECT 1\n",
		     "definitions/a.sqlx", "config { type: 'assertion' }\nSELECT 1 FROM ${ref('t')}\n", NULL);
	expect_ok(&f);
	expect_target(&find(&f, "t")->target, "proj", "dataform", "t");
	expect_target(&find(&f, "a")->target, "proj", "dataform_assertions", "a");
	fixture_free(&f);
}

/* -------------------------------------------------------- incremental */

static void test_incremental_when(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/src.sqlx", "config { type: 'declaration', name: 'events' }\n",
		     "definitions/inc.sqlx",
		     "config { type: \"incremental\", uniqueKey: [\"id\"], protected: true }\n"
		     "SELECT * FROM ${ref(\"events\")}\n"
		     "${when(incremental(), `WHERE ts > (SELECT MAX(ts) FROM ${self()})`)}\n",
		     NULL);
	expect_ok(&f);
	sg_sx_action *a = find(&f, "inc");
	assert_int_equal(a->type, SG_SX_INCREMENTAL);
	assert_true(a->is_protected);
	assert_int_equal(a->unique_key.n, 1);
	assert_string_equal(a->unique_key.items[0], "id");
	assert_string_equal(a->query, "\nSELECT * FROM `proj.ds.events`\n\n");
	assert_string_equal(a->incremental_query,
			    "\nSELECT * FROM `proj.ds.events`\nWHERE ts > (SELECT MAX(ts) FROM `proj.ds.inc`)\n");
	fixture_free(&f);
}

static void test_incremental_ternary(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/inc.sqlx",
		     "config { type: \"incremental\" }\n"
		     "pre_operations {\n"
		     "  ${incremental() ? `DELETE FROM ${self()} WHERE true` : 'SELECT 0'}\n"
		     "}\n"
		     "SELECT ${incremental() ? \"'later'\" : \"'first'\"} AS run,"
		     " ${!incremental() && 'full' || 'inc'} AS k,"
		     " '${when(!incremental(), \"a\", \"b\")}' AS w\n",
		     "definitions/tab.sqlx", "config { type: 'table' }\nSELECT ${incremental() ? 1 : 2}\n", NULL);
	expect_ok(&f);
	sg_sx_action *a = find(&f, "inc");
	assert_string_equal(a->query, "\n\nSELECT 'first' AS run, full AS k, 'a' AS w\n");
	assert_string_equal(a->incremental_query, "\n\nSELECT 'later' AS run, inc AS k, 'b' AS w\n");
	assert_int_equal(a->pre_ops.n, 1);
	assert_string_equal(a->pre_ops.items[0], "\n  SELECT 0\n");
	assert_int_equal(a->inc_pre_ops.n, 1);
	assert_string_equal(a->inc_pre_ops.items[0], "\n  DELETE FROM `proj.ds.inc` WHERE true\n");
	/* only incremental tables have the second form; incremental() is false elsewhere */
	sg_sx_action *t = find(&f, "tab");
	assert_string_equal(t->query, "\nSELECT 2\n");
	assert_null(t->incremental_query);
	fixture_free(&f);
}

/* ---------------------------------------------- self(), name(), vars */

static void test_self_name(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS "namePrefix: pre\ndatasetSuffix: suf\n", "definitions/t.sqlx",
		     "config { type: \"table\", schema: \"s\" }\n"
		     "SELECT '${self()}' AS a, '${name()}' AS b, '${schema()}' AS c, '${database()}' AS d\n",
		     "definitions/op.sqlx", "config { type: 'operations', hasOutput: true }\nCREATE TABLE ${self()} (x INT64)\n",
		     NULL);
	expect_ok(&f);
	assert_string_equal(find(&f, "t")->query,
			    "\nSELECT '`proj.s_suf.pre_t`' AS a, 'pre_t' AS b, 's_suf' AS c, 'proj' AS d\n");
	sg_sx_action *op = find(&f, "op");
	assert_true(op->has_output);
	assert_int_equal(op->queries.n, 1);
	assert_string_equal(op->queries.items[0], "\nCREATE TABLE `proj.ds_suf.pre_op` (x INT64)\n");
	fixture_free(&f);
}

static void test_vars_and_override(void **state)
{
	(void)state;
	const char *settings = SETTINGS "vars:\n  env: prod\n  start: \"2020-01-01\"\n";
	const char *sqlx = "config { type: 'view' }\n"
			   "SELECT '${dataform.projectConfig.vars.env}' AS env,"
			   " '${dataform.projectConfig.vars[\"start\"]}' AS s,"
			   " ${dataform.projectConfig.vars.env === 'prod' ? 'TRUE' : 'FALSE'} AS p,"
			   " '${dataform.projectConfig.defaultSchema}.${dataform.projectConfig.defaultDatabase}' AS c\n";
	fixture f;
	compile_with(&f, NULL, settings, "definitions/v.sqlx", sqlx, NULL);
	expect_ok(&f);
	assert_string_equal(find(&f, "v")->query, "\nSELECT 'prod' AS env, '2020-01-01' AS s, TRUE AS p, 'ds.proj' AS c\n");
	fixture_free(&f);

	/* --vars overrides a setting's var and may add new ones */
	json_t *vars = json_pack("{s:s, s:s}", "env", "dev", "extra", "x");
	compile_with(&f, vars, settings, "definitions/v.sqlx", sqlx, "definitions/w.sqlx",
		     "config { type: 'view' }\nSELECT '${dataform.projectConfig.vars.extra}'\n", NULL);
	expect_ok(&f);
	assert_string_equal(find(&f, "v")->query, "\nSELECT 'dev' AS env, '2020-01-01' AS s, FALSE AS p, 'ds.proj' AS c\n");
	assert_string_equal(find(&f, "w")->query, "\nSELECT 'x'\n");
	json_t *j = sg_sx_project_json(f.p);
	json_t *jv = json_object_get(json_object_get(j, "projectConfig"), "vars");
	assert_string_equal(json_string_value(json_object_get(jv, "env")), "dev");
	assert_string_equal(json_string_value(json_object_get(jv, "start")), "2020-01-01");
	json_decref(j);
	fixture_free(&f);
	/* the caller's object is not changed */
	assert_int_equal(json_object_size(vars), 2);
	json_decref(vars);
}

/* ---------------------------------------------------- statements, --- */

static void test_pre_post_operations(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/t.sqlx",
		     "config { type: \"table\" }\n"
		     "pre_operations {\n"
		     "  DECLARE x INT64 DEFAULT 1;\n"
		     "---\n"
		     "  SET x = (SELECT COUNT(*) FROM ${ref('u')})\n"
		     "}\n"
		     "SELECT x\n"
		     "post_operations {\n"
		     "  GRANT SELECT ON TABLE ${self()} TO 'a'\n"
		     "---\n"
		     "  SELECT '}' -- a } in a string and a comment\n"
		     "}\n",
		     "definitions/u.sqlx", "config { type: 'table' }\nSELECT 1\n", NULL);
	expect_ok(&f);
	sg_sx_action *t = find(&f, "t");
	assert_string_equal(t->query, "\n\nSELECT x\n\n");
	assert_int_equal(t->pre_ops.n, 2);
	assert_string_equal(t->pre_ops.items[0], "\n  DECLARE x INT64 DEFAULT 1;\n");
	assert_string_equal(t->pre_ops.items[1], "\n  SET x = (SELECT COUNT(*) FROM `proj.ds.u`)\n");
	assert_int_equal(t->post_ops.n, 2);
	assert_string_equal(t->post_ops.items[0], "\n  GRANT SELECT ON TABLE `proj.ds.t` TO 'a'\n");
	assert_string_equal(t->post_ops.items[1], "\n  SELECT '}' -- a } in a string and a comment\n");
	/* a ref in a pre-operation is a dependency too */
	assert_int_equal(t->ndeps, 1);
	assert_string_equal(t->deps[0]->id, "proj.ds.u");
	/* only incremental tables have incremental pre/post operations */
	assert_int_equal(t->inc_pre_ops.n, 0);
	fixture_free(&f);
}

static void test_operations_split(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/ops.sqlx",
		     "config { type: \"operations\" }\n"
		     "CREATE TEMP TABLE a AS SELECT '---' AS s;\n"
		     "---\n"
		     "INSERT INTO a VALUES ('x')\n"
		     "---\n"
		     "-- --- is not a separator inside a comment line\n"
		     "DELETE FROM a WHERE s = '---'\n",
		     NULL);
	expect_ok(&f);
	sg_sx_action *o = find(&f, "ops");
	assert_int_equal(o->type, SG_SX_OPERATIONS);
	assert_false(o->has_output);
	assert_null(o->query);
	assert_int_equal(o->queries.n, 3);
	assert_string_equal(o->queries.items[0], "\nCREATE TEMP TABLE a AS SELECT '---' AS s;\n");
	assert_string_equal(o->queries.items[1], "\nINSERT INTO a VALUES ('x')\n");
	assert_string_equal(o->queries.items[2],
			    "\n-- --- is not a separator inside a comment line\nDELETE FROM a WHERE s = '---'\n");
	json_t *j = sg_sx_project_json(f.p);
	json_t *ops = json_array_get(json_object_get(j, "operations"), 0);
	assert_int_equal(json_array_size(json_object_get(ops, "queries")), 3);
	assert_null(json_object_get(ops, "hasOutput"));
	json_decref(j);
	fixture_free(&f);
}

/* ------------------------------------------------------- dependencies */

static void test_dependencies_dedup_order(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx", "config { type: 'table' }\nSELECT 1\n",
		     "definitions/b.sqlx", "config { type: 'table', schema: 'other' }\nSELECT 1\n", "definitions/c.sqlx",
		     "config { type: 'declaration', database: 'ext', schema: 'raw', name: 'c' }\n", "definitions/d.sqlx",
		     "config { type: 'view' }\nSELECT 1\n", "definitions/x.sqlx",
		     "config { type: 'view', dependencies: ['d', {schema: 'other', name: 'b'}] }\n"
		     "SELECT * FROM ${ref('a')} JOIN ${ref('other', 'b')} JOIN ${ref('ext', 'raw', 'c')}\n"
		     "JOIN ${ref({name: 'a'})} JOIN ${ref('d')} JOIN ${resolve('a')} JOIN ${self()}\n",
		     "definitions/y.sqlx",
		     "config { type: 'view' }\nSELECT * FROM ${resolve('a')} -- resolve() is not a dependency\n", NULL);
	expect_ok(&f);
	sg_sx_action *x = find(&f, "x");
	/* config dependencies first, then refs in the order they appear, each once; self() is none */
	assert_int_equal(x->ndeps, 4);
	assert_string_equal(x->deps[0]->id, "proj.ds.d");
	assert_string_equal(x->deps[1]->id, "proj.other.b");
	assert_string_equal(x->deps[2]->id, "proj.ds.a");
	assert_string_equal(x->deps[3]->id, "ext.raw.c");
	expect_has(x->query, "`proj.ds.a` JOIN `proj.other.b` JOIN `ext.raw.c`\nJOIN `proj.ds.a` JOIN `proj.ds.d` "
			     "JOIN `proj.ds.a` JOIN `proj.ds.x`");
	assert_int_equal(find(&f, "y")->ndeps, 0);

	json_t *j = sg_sx_project_json(f.p);
	json_t *tables = json_object_get(j, "tables");
	json_t *jx = NULL;
	for (size_t i = 0; i < json_array_size(tables); i++) {
		json_t *t = json_array_get(tables, i);
		if (!strcmp(json_string_value(json_object_get(json_object_get(t, "target"), "name")), "x"))
			jx = t;
	}
	assert_non_null(jx);
	json_t *deps = json_object_get(jx, "dependencyTargets");
	assert_int_equal(json_array_size(deps), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(deps, 3), "database")), "ext");
	json_decref(j);
	fixture_free(&f);
}

/* A bare name that two schemas share is ambiguous; schema.name is not. */
static void test_ambiguous_ref(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/one.sqlx", "config { type: 'table', schema: 's1', name: 't' }\nSELECT 1\n",
		     "definitions/two.sqlx", "config { type: 'table', schema: 's2', name: 't' }\nSELECT 1\n",
		     "definitions/v.sqlx", "config { type: 'view' }\nSELECT * FROM ${ref('s2', 't')}\nJOIN ${ref('t')}\n",
		     NULL);
	expect_diag(&f, "ref(\"t\") is ambiguous: it could be proj.s1.t, proj.s2.t (give the schema too)",
		    "proj/definitions/v.sqlx", 3, 8);
	fixture_free(&f);
}

/* -------------------------------------------------- built-in assertions */

static void test_builtin_assertions(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS "namePrefix: dev\n", "definitions/orders.sqlx",
		     "config {\n"
		     "  type: \"table\",\n"
		     "  tags: [\"daily\"],\n"
		     "  disabled: true,\n"
		     "  assertions: {\n"
		     "    uniqueKeys: [[\"id\"], [\"a\", \"b\"]],\n"
		     "    nonNull: \"id\",\n"
		     "    rowConditions: [\"amount >= 0\", \"note != 'x'\"],\n"
		     "  },\n"
		     "}\n"
		     "SELECT 1 AS id\n",
		     "definitions/v.sqlx",
		     "config { type: 'view', schema: 'reporting', assertions: { uniqueKey: ['k'], nonNull: ['k', 'j'] } }\n"
		     "SELECT 1 AS k\n",
		     NULL);
	expect_ok(&f);
	/* 2 tables, 2 + 1 assertions for orders, 1 + 1 for v */
	assert_int_equal(f.p->n, 7);

	sg_sx_action *u0 = find(&f, "ds_orders_assertions_uniqueKey_0");
	sg_sx_action *u1 = find(&f, "ds_orders_assertions_uniqueKey_1");
	sg_sx_action *rc = find(&f, "ds_orders_assertions_rowConditions");
	sg_sx_action *orders = find(&f, "orders");
	assert_int_equal(u0->type, SG_SX_ASSERTION);
	expect_target(&u0->canonical, "proj", "dataform_assertions", "ds_orders_assertions_uniqueKey_0");
	expect_target(&u0->target, "proj", "dataform_assertions", "dev_ds_orders_assertions_uniqueKey_0");
	assert_ptr_equal(u0->parent, orders);
	assert_int_equal(u0->ndeps, 1);
	assert_ptr_equal(u0->deps[0], orders);
	assert_string_equal(u0->file, "definitions/orders.sqlx");
	/* the parent's tags and disabled flag carry over */
	assert_true(u0->disabled);
	assert_int_equal(u0->tags.n, 1);
	assert_string_equal(u0->tags.items[0], "daily");
	expect_has(u0->query, "SELECT\n    id,\n    COUNT(1) AS index_row_count\n  FROM `proj.ds.dev_orders`\n"
			      "  GROUP BY id\n");
	expect_has(u1->query, "SELECT\n    a, b,\n    COUNT(1) AS index_row_count\n");
	expect_has(u1->query, "GROUP BY a, b\n  ) AS data\nWHERE index_row_count > 1\n");

	/* nonNull is folded into rowConditions, after the written conditions */
	assert_string_equal(rc->query, "\nSELECT\n  'amount >= 0' AS failing_row_condition,\n  *\nFROM `proj.ds.dev_orders`\n"
				       "WHERE NOT (amount >= 0)\n"
				       "UNION ALL\nSELECT\n  'note != \\'x\\'' AS failing_row_condition,\n  *\n"
				       "FROM `proj.ds.dev_orders`\nWHERE NOT (note != 'x')\n"
				       "UNION ALL\nSELECT\n  'id IS NOT NULL' AS failing_row_condition,\n  *\n"
				       "FROM `proj.ds.dev_orders`\nWHERE NOT (id IS NOT NULL)\n");
	assert_null(sg_sx_find(f.p, "ds_orders_assertions_nonNull"));

	/* the parent's own schema is in the name; the assertion lives in the assertion dataset */
	sg_sx_action *vu = find(&f, "reporting_v_assertions_uniqueKey_0");
	sg_sx_action *vr = find(&f, "reporting_v_assertions_rowConditions");
	assert_string_equal(vu->id, "proj.dataform_assertions.dev_reporting_v_assertions_uniqueKey_0");
	expect_has(vr->query, "'k IS NOT NULL' AS failing_row_condition");
	expect_has(vr->query, "UNION ALL\nSELECT\n  'j IS NOT NULL'");
	assert_false(vr->disabled);

	json_t *j = sg_sx_project_json(f.p);
	json_t *as = json_object_get(j, "assertions");
	assert_int_equal(json_array_size(as), 5);
	json_t *first = json_array_get(as, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(first, "parentAction"), "name")),
			    "dev_orders");
	json_decref(j);
	fixture_free(&f);
}

/* A ref() may name a built-in assertion. */
static void test_ref_builtin_assertion(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/t.sqlx",
		     "config { type: 'table', assertions: { nonNull: 'id' } }\nSELECT 1 AS id\n", "definitions/after.sqlx",
		     "config { type: 'operations', dependencies: ['ds_t_assertions_rowConditions'] }\nSELECT 1\n", NULL);
	expect_ok(&f);
	sg_sx_action *a = find(&f, "after");
	assert_int_equal(a->ndeps, 1);
	assert_string_equal(a->deps[0]->id, "proj.dataform_assertions.ds_t_assertions_rowConditions");
	fixture_free(&f);
}

/* ------------------------------------------------------------ errors */

static void test_error_config_syntax(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/bad.sqlx",
		     "config {\n  type: \"table\"\n  tags: [\"x\"],\n}\nSELECT 1\n", NULL);
	expect_diag(&f, "expected \",\" or \"}\", found \"t\"", "proj/definitions/bad.sqlx", 3, 3);
	assert_int_equal(f.d.nerrors, 1);
	fixture_free(&f);

	compile_with(&f, NULL, SETTINGS, "definitions/bad.sqlx", "config { type: 'table', name: `a${b}` }\nSELECT 1\n",
		     NULL);
	expect_diag(&f, "${...} inside a config value is not supported: config holds literals only",
		    "proj/definitions/bad.sqlx", 1, 33);
	fixture_free(&f);

	compile_with(&f, NULL, SETTINGS, "definitions/bad.sqlx",
		     "config { type: 'table' }\nSELECT ${foo('x')}\n", NULL);
	expect_diag(&f, "JavaScript function foo() is not supported (sigma supports ref, resolve, self",
		    "proj/definitions/bad.sqlx", 2, 10);
	fixture_free(&f);

	compile_with(&f, NULL, SETTINGS, "definitions/bad.sqlx", "config { type: 'table' }\nSELECT ${ref('x')\n", NULL);
	expect_diag(&f, "expected \"}\" closing ${, found the end of the file", "proj/definitions/bad.sqlx", 3, 1);
	fixture_free(&f);
}

static void test_error_unknown_config_key(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx",
		     "config {\n  type: \"table\",\n  descripton: \"x\",\n}\nSELECT 1\n", NULL);
	expect_diag(&f, "unknown config key \"descripton\" (did you mean \"description\"?)", "proj/definitions/a.sqlx", 3,
		    3);
	fixture_free(&f);

	/* a key that exists for another type: the list of what this type takes */
	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx",
		     "config { type: \"view\", protected: true }\nSELECT 1\n", NULL);
	expect_diag(&f, "config key \"protected\" is not supported for type view (expected type, name, schema",
		    "proj/definitions/a.sqlx", 1, 24);
	fixture_free(&f);

	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx",
		     "config { type: 'table', bigquery: { partitonBy: 'x' } }\nSELECT 1\n", NULL);
	expect_diag(&f, "unknown bigquery key \"partitonBy\" (did you mean \"partitionBy\"?)", "proj/definitions/a.sqlx",
		    1, 37);
	fixture_free(&f);

	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx", "config { type: 'tabel' }\nSELECT 1\n", NULL);
	expect_diag(&f, "config type \"tabel\" is not supported (expected table, view, incremental, operations",
		    "proj/definitions/a.sqlx", 1, 16);
	fixture_free(&f);

	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx", "config { type: 'table', tags: 'x' }\nSELECT 1\n", NULL);
	expect_diag(&f, "config tags: expected an array of strings, found a string", "proj/definitions/a.sqlx", 1, 31);
	fixture_free(&f);
}

static void test_error_missing_ref(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/orders.sqlx", "config { type: 'table' }\nSELECT 1\n",
		     "definitions/v.sqlx", "config { type: 'view' }\n\nSELECT *\n  FROM ${ref(\"ordrs\")}\n", NULL);
	expect_diag(&f, "ref(\"ordrs\"): no action is named ordrs (did you mean \"orders\"?)", "proj/definitions/v.sqlx", 4,
		    10);
	fixture_free(&f);

	/* nothing close: say how to declare it */
	compile_with(&f, NULL, SETTINGS, "definitions/v.sqlx", "config { type: 'view' }\nSELECT * FROM ${ref('raw', 'zzzzzz')}\n",
		     NULL);
	expect_diag(&f, "ref(\"raw.zzzzzz\"): no action is named raw.zzzzzz (declare an existing table with config "
			"{ type: \"declaration\" })",
		    "proj/definitions/v.sqlx", 2, 17);
	fixture_free(&f);

	/* in config dependencies */
	compile_with(&f, NULL, SETTINGS, "definitions/orders.sqlx", "config { type: 'table' }\nSELECT 1\n",
		     "definitions/v.sqlx", "config {\n  type: 'view',\n  dependencies: [\"orders\", \"order\"],\n}\nSELECT 1\n",
		     NULL);
	expect_diag(&f, "dependencies(\"order\"): no action is named order (did you mean \"orders\"?)",
		    "proj/definitions/v.sqlx", 3, 28);
	fixture_free(&f);
}

static void test_error_duplicate_target(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/a/t.sqlx", "config { type: 'table' }\nSELECT 1\n",
		     "definitions/b/t.sqlx", "\n\nconfig { type: 'view' }\nSELECT 2\n", NULL);
	expect_diag(&f, "two actions write proj.ds.t: this one and the one in proj/definitions/a/t.sqlx:1",
		    "proj/definitions/b/t.sqlx", 3, 1);
	assert_int_equal(f.d.nerrors, 1);
	fixture_free(&f);

	/* a built-in assertion's name taken by a file */
	compile_with(&f, NULL, SETTINGS, "definitions/t.sqlx",
		     "config { type: 'table', assertions: { nonNull: 'id' } }\nSELECT 1 AS id\n",
		     "definitions/ds_t_assertions_rowConditions.sqlx", "config { type: 'assertion' }\nSELECT 1\n", NULL);
	expect_diag(&f, "two actions write proj.dataform_assertions.ds_t_assertions_rowConditions",
		    "proj/definitions/t.sqlx", 1, 1);
	fixture_free(&f);
}

static void test_error_cycle(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx", "config { type: 'view' }\nSELECT * FROM ${ref('b')}\n",
		     "definitions/b.sqlx", "config { type: 'view' }\nSELECT * FROM ${ref('c')}\n", "definitions/c.sqlx",
		     "config { type: 'view', dependencies: ['a'] }\nSELECT 1\n", "definitions/d.sqlx",
		     "config { type: 'view' }\nSELECT * FROM ${ref('a')}\n", NULL);
	expect_diag(&f, "dependency cycle: proj.ds.a -> proj.ds.b -> proj.ds.c -> proj.ds.a", "proj/definitions/a.sqlx", 1,
		    1);
	assert_int_equal(f.d.nerrors, 1);
	fixture_free(&f);

	/* a cycle that does not start at the first action */
	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx", "config { type: 'view' }\nSELECT * FROM ${ref('b')}\n",
		     "definitions/b.sqlx", "config { type: 'view' }\nSELECT * FROM ${ref('c')}\n", "definitions/c.sqlx",
		     "config { type: 'view' }\nSELECT * FROM ${ref('b')}\n", NULL);
	expect_diag(&f, "dependency cycle: proj.ds.b -> proj.ds.c -> proj.ds.b", "proj/definitions/b.sqlx", 1, 1);
	fixture_free(&f);
}

static void test_error_javascript(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx",
		     "config { type: 'view' }\n\n  js {\n  const x = 1;\n}\nSELECT 1\n", NULL);
	expect_diag(&f, "js { } blocks are not supported: sigma does not run JavaScript", "proj/definitions/a.sqlx", 3, 3);
	fixture_free(&f);

	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx", "config { type: 'view' }\nSELECT 1\n", "includes/util.js",
		     "module.exports = { x: 1 };\n", NULL);
	expect_diag(&f, "includes/ is JavaScript, which sigma does not run: inline the SQL, or use "
			"dataform.projectConfig.vars",
		    "proj/includes/util.js", 1, 1);
	fixture_free(&f);

	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx", "config { type: 'view' }\nSELECT 1\n",
		     "definitions/more/gen.js", "publish('x').query('SELECT 1');\n", NULL);
	expect_diag(&f, "JavaScript definition files are not supported: sigma does not run JavaScript",
		    "proj/definitions/more/gen.js", 1, 1);
	fixture_free(&f);

	/* every such problem is reported at once */
	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx", "config { type: 'view' }\njs { }\nSELECT 1\n",
		     "includes/u.js", "x\n", "definitions/b.js", "y\n", "definitions/c.yaml", "z\n", NULL);
	assert_int_equal(f.rc, -1);
	assert_int_equal(f.d.nerrors, 4);
	ut_expect_diag(&f.d, "only .sqlx definitions are supported");
	fixture_free(&f);
}

static void test_error_undefined_variable(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS "vars:\n  env: prod\n", "definitions/a.sqlx",
		     "config { type: 'view' }\nSELECT 1\nWHERE x = '${dataform.projectConfig.vars.envv}'\n", NULL);
	expect_diag(&f,
		    "variable \"envv\" is not defined (set it under vars: in workflow_settings.yaml or with --vars "
		    "envv=VALUE)",
		    "proj/definitions/a.sqlx", 3, 14);
	fixture_free(&f);

	/* a variable used only in the incremental form is still checked */
	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx",
		     "config { type: 'incremental' }\nSELECT 1 ${when(incremental(), dataform.projectConfig.vars.x)}\n",
		     NULL);
	expect_diag(&f, "variable \"x\" is not defined", "proj/definitions/a.sqlx", 2, 32);
	fixture_free(&f);
}

static void test_error_settings(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, NULL, "definitions/a.sqlx", "config { type: 'view' }\nSELECT 1\n", NULL);
	expect_diag(&f, "missing: a transform project needs workflow_settings.yaml and definitions/",
		    "proj/workflow_settings.yaml", 0, 0);
	fixture_free(&f);

	compile_with(&f, NULL, NULL, "dataform.json", "{}", NULL);
	expect_diag(&f, "missing; dataform.json (Dataform 2) is not read by sigma", "proj/workflow_settings.yaml", 0, 0);
	fixture_free(&f);

	compile_with(&f, NULL, "defaultDataset: ds\ndefaultLocation: EU\n", "definitions/a.sqlx",
		     "config { type: 'view' }\nSELECT 1\n", NULL);
	expect_diag(&f, "defaultProject is missing: every target needs a project (database)",
		    "proj/workflow_settings.yaml", 1, 1);
	assert_int_equal(f.d.nerrors, 1);
	fixture_free(&f);

	compile_with(&f, NULL, SETTINGS "defaultDatset: x\n", NULL);
	expect_diag(&f, "unknown setting \"defaultDatset\" (did you mean \"defaultDataset\"?)",
		    "proj/workflow_settings.yaml", 3, 1);
	fixture_free(&f);

	compile_with(&f, NULL, SETTINGS "vars:\n  a: [1]\n", NULL);
	expect_diag(&f, "vars.a: expected a string", "proj/workflow_settings.yaml", 4, 6);
	fixture_free(&f);
}

/* Problems in separate files are all reported, each at its place. */
static void test_errors_collected(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx", "config { type: 'view', nme: 'x' }\nSELECT 1\n",
		     "definitions/b.sqlx", "config { type: 'view' \nSELECT 1\n", "definitions/c.sqlx",
		     "SELECT 1 -- no config: operations, as in Dataform, and no error\n", "definitions/d.sqlx",
		     "config { type: 'table' }\nSELECT 1\n---\nSELECT 2\n", NULL);
	assert_int_equal(f.rc, -1);
	assert_int_equal(f.d.nerrors, 3);
	const sg_diag *g = ut_expect_diag(&f.d, "unknown config key \"nme\" (did you mean \"name\"?)");
	assert_true(ut_diag_in(g, "a.sqlx"));
	g = ut_expect_diag(&f.d, "expected \",\" or \"}\", found \"S\"");
	assert_true(ut_diag_in(g, "b.sqlx"));
	assert_int_equal(g->line, 2);
	g = ut_expect_diag(&f.d, "--- separates statements only in operations; a table has one query");
	assert_true(ut_diag_in(g, "d.sqlx"));
	assert_int_equal(g->line, 3);
	fixture_free(&f);
}

/* ------------------------------------------------ fixed divergences */

/*
 * Dataform drops pre- and post-operations that are only blank (a trailing
 * ---, an empty block) from preOps/postOps; the incremental forms keep
 * them. sigma used to keep them, so a run would send BigQuery an empty
 * statement.
 */
static void test_blank_operations_dropped(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/t.sqlx",
		     "config { type: 'table' }\n"
		     "pre_operations {\n  SELECT 1\n  ---\n}\n"
		     "post_operations {}\n"
		     "SELECT 1\n",
		     "definitions/i.sqlx",
		     "config { type: 'incremental' }\n"
		     "pre_operations {\n  ---\n  SELECT 2\n}\n"
		     "post_operations {\n  \n}\n"
		     "SELECT 1\n",
		     NULL);
	expect_ok(&f);
	sg_sx_action *t = find(&f, "t");
	assert_int_equal(t->pre_ops.n, 1);
	assert_string_equal(t->pre_ops.items[0], "\n  SELECT 1\n");
	assert_int_equal(t->post_ops.n, 0);
	sg_sx_action *i = find(&f, "i");
	assert_int_equal(i->pre_ops.n, 1);
	assert_string_equal(i->pre_ops.items[0], "\n  SELECT 2\n");
	assert_int_equal(i->post_ops.n, 0);
	assert_int_equal(i->inc_pre_ops.n, 2);
	assert_string_equal(i->inc_pre_ops.items[0], "\n");
	assert_int_equal(i->inc_post_ops.n, 1);
	json_t *j = sg_sx_project_json(f.p);
	json_t *jt = json_array_get(json_object_get(j, "tables"), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(jt, "target"), "name")), "t");
	assert_null(json_object_get(jt, "postOps"));
	assert_int_equal(json_array_size(json_object_get(jt, "preOps")), 1);
	json_decref(j);
	fixture_free(&f);
}

/*
 * In Dataform a -- comment is SQL text: its ${...} is escaped, not
 * evaluated (sqlx/lexer.ts reads the comment as one token and
 * core/compilers.ts escapes "${" in it). sigma used to evaluate it, so a
 * commented-out ref to a table that no longer exists failed the compile,
 * and one that still exists added a dependency.
 */
static void test_subst_in_sql_comment_is_text(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/a.sqlx", "config { type: 'table' }\nSELECT 1\n",
		     "definitions/v.sqlx",
		     "config { type: 'view' }\n"
		     "SELECT * -- FROM ${ref(\"gone\")}\n"
		     "-- JOIN ${ref('a')} ${foo(}\n"
		     "/* ${ref('gone')} */\n"
		     "FROM ${ref('a')} # ${name()}\n",
		     "definitions/op.sqlx",
		     "config { type: 'operations' }\n"
		     "pre_operations {}\n"
		     "SELECT 1 -- ${ref('a')} }\n",
		     NULL);
	expect_ok(&f);
	sg_sx_action *v = find(&f, "v");
	assert_string_equal(v->query, "\nSELECT * -- FROM ${ref(\"gone\")}\n-- JOIN ${ref('a')} ${foo(}\n"
				      "/* ${ref('gone')} */\nFROM `proj.ds.a` # v\n");
	assert_int_equal(v->ndeps, 1);
	sg_sx_action *op = find(&f, "op");
	assert_int_equal(op->ndeps, 0);
	expect_lacks(op->queries.items[0], "proj.ds.a");
	fixture_free(&f);
}

/*
 * The blanks before and after --- on its line belong to the separator, as
 * in Dataform's lexer ([^\S\r\n]*---[^\S\r\n]*$), so an indented ---
 * does not leave them at the end of one statement and the start of the
 * next; the line break stays with the next statement.
 */
static void test_separator_blanks(void **state)
{
	(void)state;
	fixture f;
	compile_with(&f, NULL, SETTINGS, "definitions/ops.sqlx",
		     "config { type: \"operations\" }\n"
		     "SELECT 1\n"
		     "  ---  \n"
		     "SELECT 2\n"
		     "\t---\r\n"
		     "SELECT 3\n",
		     "definitions/t.sqlx",
		     "config { type: 'table' }\n"
		     "pre_operations {\n"
		     "  DECLARE x INT64;\n"
		     "  ---\n"
		     "  SET x = 1\n"
		     "}\n"
		     "SELECT x\n",
		     NULL);
	expect_ok(&f);
	sg_sx_action *o = find(&f, "ops");
	assert_int_equal(o->queries.n, 3);
	assert_string_equal(o->queries.items[0], "\nSELECT 1\n");
	assert_string_equal(o->queries.items[1], "\nSELECT 2\n");
	assert_string_equal(o->queries.items[2], "\r\nSELECT 3\n");
	sg_sx_action *t = find(&f, "t");
	assert_int_equal(t->pre_ops.n, 2);
	assert_string_equal(t->pre_ops.items[0], "\n  DECLARE x INT64;\n");
	assert_string_equal(t->pre_ops.items[1], "\n  SET x = 1\n");
	fixture_free(&f);
}

/*
 * A file of many statements costs memory in proportion to its size: the
 * list of statements used to be copied whole for each new one, so 64 KB
 * of --- lines took more than 2 GB.
 */
static void test_many_statements_linear_memory(void **state)
{
	(void)state;
	size_t nsep = 16383;
	sg_buf text = SG_BUF_INIT;
	for (size_t i = 0; i < nsep; i++)
		sg_buf_puts(&text, "---\n");
	struct rusage before, after;
	assert_int_equal(getrusage(RUSAGE_SELF, &before), 0);
	sg_arena a = SG_ARENA_INIT;
	sg_diags d = SG_DIAGS_INIT;
	sg_sx_file *f = NULL;
	assert_int_equal(sg_sx_parse_file(&a, "definitions/ops.sqlx", text.ptr, text.len, &f, &d), 0);
	assert_int_equal(f->nbody, nsep + 1);
	assert_int_equal(f->body[nsep].pos.line, (int)nsep);
	assert_int_equal(f->body[nsep].pos.col, 4);
	assert_int_equal(getrusage(RUSAGE_SELF, &after), 0);
	/* ru_maxrss is in KiB: the peak may not grow by 256 MiB */
	if (after.ru_maxrss - before.ru_maxrss > 256 * 1024)
		fail_msg("parsing %zu bytes raised the peak memory by %ld KiB", text.len,
			 after.ru_maxrss - before.ru_maxrss);
	sg_arena_free(&a);
	sg_diags_free(&d);
	sg_buf_free(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_targets_prefix_suffix),
		cmocka_unit_test(test_default_datasets),
		cmocka_unit_test(test_incremental_when),
		cmocka_unit_test(test_incremental_ternary),
		cmocka_unit_test(test_self_name),
		cmocka_unit_test(test_vars_and_override),
		cmocka_unit_test(test_pre_post_operations),
		cmocka_unit_test(test_operations_split),
		cmocka_unit_test(test_dependencies_dedup_order),
		cmocka_unit_test(test_ambiguous_ref),
		cmocka_unit_test(test_builtin_assertions),
		cmocka_unit_test(test_ref_builtin_assertion),
		cmocka_unit_test(test_error_config_syntax),
		cmocka_unit_test(test_error_unknown_config_key),
		cmocka_unit_test(test_error_missing_ref),
		cmocka_unit_test(test_error_duplicate_target),
		cmocka_unit_test(test_error_cycle),
		cmocka_unit_test(test_error_javascript),
		cmocka_unit_test(test_error_undefined_variable),
		cmocka_unit_test(test_error_settings),
		cmocka_unit_test(test_errors_collected),
		cmocka_unit_test(test_blank_operations_dropped),
		cmocka_unit_test(test_subst_in_sql_comment_is_text),
		cmocka_unit_test(test_separator_blanks),
		cmocka_unit_test(test_many_statements_linear_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
