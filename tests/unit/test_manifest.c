/*
 * Loading projects: sg_manifest_load on temporary project directories.
 * What `sigma validate` reports (file:line:col and the message) is what a
 * user sees, so every error case checks the position and the text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/manifest.h"
#include "providers/local/local.h"
#include "unit_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Load DIR with `opts` (may be NULL); the caller frees *m and *d. */
static int load(const char *dir, const sg_load_opts *opts, sg_manifest **m, sg_diags *d)
{
	sg_load_opts none = { 0 };
	return sg_manifest_load(dir, sg_local_provider_schema(), opts ? opts : &none, m, d);
}

static const char *cfg_str(const sg_resource *r, const char *attr)
{
	return json_string_value(json_object_get(r->config, attr));
}

static sg_resource *must_resource(const sg_manifest *m, const char *address)
{
	sg_resource *r = sg_manifest_resource(m, address);
	if (!r)
		fail_msg("no resource %s in the manifest", address);
	return r;
}

static bool depends_on(const sg_resource *r, const char *address)
{
	for (size_t i = 0; i < r->deps.n; i++) {
		if (!strcmp(((const sg_resource *)r->deps.items[i])->address, address))
			return true;
	}
	return false;
}

/* ---- a valid project ---- */

static const char valid_main[] =
	"variables:\n"
	"  env: {type: string, default: dev}\n"
	"bucket:\n"
	"  trigger:\n"
	"    labels: {env: \"${var.env}\"}\n"
	"  archive-store:\n"
	"    name: company-archive-${var.env}\n"
	"    storage_class: nearline\n"
	"    location: eu\n"
	"dataset:\n"
	"  raw: {description: as loaded}\n";

static const char valid_more[] =
	"table:\n"
	"  lkp_fechas:\n"
	"    dataset: raw\n"
	"    schema:\n"
	"      - {name: fecha, type: date, mode: required}\n"
	"      - {name: anio, type: INTEGER}\n"
	"workflow_template:\n"
	"  ingest:\n"
	"    params: {table: {default: lkp_fechas}}\n"
	"    steps:\n"
	"      - {id: load, kind: load, source: \"gs://${event.bucket}/${event.name}\", table: \"raw.${args.table}\"}\n"
	"scheduler:\n"
	"  daily:\n"
	"    schedule: \"0 3 * * *\"\n"
	"    workflow: ingest\n"
	"    retry: {count: 2, interval: 1h30m}\n";

static void test_valid_project(void **state)
{
	(void)state;
	char *dir = ut_mkdtemp();
	ut_write(dir, "sigma.yaml", valid_main);
	ut_write(dir, "more.sigma.yaml", valid_more);
	ut_write(dir, "ignored.yaml", "this: [is not loaded\n"); /* not *.sigma.yaml */
	sg_manifest *m = NULL;
	sg_diags d = SG_DIAGS_INIT;
	int rc = load(dir, NULL, &m, &d);
	if (rc != 0 || d.n != 0)
		ut_print_diags(&d);
	assert_int_equal(rc, 0);
	assert_int_equal(d.n, 0);

	/* both files, sigma.yaml first */
	assert_int_equal(m->files.n, 2);
	assert_non_null(strstr(m->files.items[0], "/sigma.yaml"));
	assert_non_null(strstr(m->files.items[1], "/more.sigma.yaml"));
	assert_int_equal(m->resources.n, 6);
	assert_int_equal(strlen(m->digest), 64);

	/* declaration order, across files */
	const char *order[] = { "bucket.trigger", "bucket.archive-store", "dataset.raw", "table.lkp_fechas",
				"workflow_template.ingest", "scheduler.daily" };
	for (size_t i = 0; i < 6; i++) {
		sg_resource *r = m->resources.items[i];
		assert_string_equal(r->address, order[i]);
		assert_int_equal(r->index, i);
	}

	/* the name defaults to the key; defaults filled in */
	sg_resource *trigger = must_resource(m, "bucket.trigger");
	assert_string_equal(cfg_str(trigger, "name"), "trigger");
	assert_string_equal(cfg_str(trigger, "location"), "US");
	assert_string_equal(cfg_str(trigger, "storage_class"), "STANDARD");
	assert_true(json_is_false(json_object_get(trigger->config, "versioning")));
	assert_true(json_is_false(json_object_get(trigger->config, "force_destroy")));
	assert_string_equal(trigger->stage, "iac");
	assert_false(trigger->prevent_destroy);
	assert_int_equal(trigger->pos.line, 4);
	assert_int_equal(trigger->pos.col, 3);
	/* references are kept as written until planning */
	assert_string_equal(json_string_value(json_object_get(json_object_get(trigger->config, "labels"), "env")),
			    "${var.env}");

	/* enums fold case; upper-case attributes are upper-cased */
	sg_resource *archive = must_resource(m, "bucket.archive-store");
	assert_string_equal(cfg_str(archive, "name"), "company-archive-${var.env}");
	assert_string_equal(cfg_str(archive, "storage_class"), "NEARLINE");
	assert_string_equal(cfg_str(archive, "location"), "EU");

	sg_resource *raw = must_resource(m, "dataset.raw");
	assert_string_equal(cfg_str(raw, "name"), "raw");
	assert_string_equal(cfg_str(raw, "location"), "US");
	assert_string_equal(cfg_str(raw, "description"), "as loaded");

	/* columns: type and mode upper-cased, mode defaults to NULLABLE */
	sg_resource *table = must_resource(m, "table.lkp_fechas");
	json_t *schema = json_object_get(table->config, "schema");
	assert_int_equal(json_array_size(schema), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(schema, 0), "type")), "DATE");
	assert_string_equal(json_string_value(json_object_get(json_array_get(schema, 0), "mode")), "REQUIRED");
	assert_string_equal(json_string_value(json_object_get(json_array_get(schema, 1), "type")), "INTEGER");
	assert_string_equal(json_string_value(json_object_get(json_array_get(schema, 1), "mode")), "NULLABLE");
	assert_non_null(strstr(table->pos.file, "more.sigma.yaml"));

	/* durations in seconds; scheduler's default stage and time zone */
	sg_resource *daily = must_resource(m, "scheduler.daily");
	json_t *retry = json_object_get(daily->config, "retry");
	assert_int_equal(json_integer_value(json_object_get(retry, "interval")), 5400);
	assert_int_equal(json_integer_value(json_object_get(retry, "count")), 2);
	assert_string_equal(cfg_str(daily, "time_zone"), "Etc/UTC");
	assert_string_equal(daily->stage, "workflow");
	assert_true(depends_on(daily, "workflow_template.ingest"));
	assert_string_equal(cfg_str(daily, "workflow"), "${workflow_template.ingest.name}");

	/* run-time references inside steps are kept as written */
	sg_resource *ingest = must_resource(m, "workflow_template.ingest");
	json_t *step = json_array_get(json_object_get(ingest->config, "steps"), 0);
	assert_string_equal(json_string_value(json_object_get(step, "table")), "raw.${args.table}");
	assert_string_equal(json_string_value(json_object_get(step, "mode")), "APPEND");

	sg_variable *env = sg_manifest_variable(m, "env");
	assert_non_null(env);
	assert_string_equal(json_string_value(env->value), "dev");
	assert_string_equal(env->source, "default");
	assert_true(env->referenced);

	sg_manifest_free(m);
	sg_diags_free(&d);
	ut_rmdir(dir);
}

static void test_dataset_dependency(void **state)
{
	(void)state;
	char *dir = ut_mkdtemp();
	ut_write(dir, "sigma.yaml",
		 "table:\n"
		 "  t:\n"
		 "    dataset: raw\n"
		 "    schema: [{name: a, type: STRING}]\n"
		 "dataset:\n"
		 "  raw: {}\n"
		 "  other: {}\n");
	sg_manifest *m = NULL;
	sg_diags d = SG_DIAGS_INIT;
	assert_int_equal(load(dir, NULL, &m, &d), 0);
	sg_resource *t = must_resource(m, "table.t");
	assert_int_equal(t->deps.n, 1);
	assert_true(depends_on(t, "dataset.raw"));
	assert_false(depends_on(t, "dataset.other"));
	assert_string_equal(cfg_str(t, "dataset"), "${dataset.raw.name}");
	assert_int_equal(must_resource(m, "dataset.raw")->deps.n, 0);
	sg_manifest_free(m);
	sg_diags_free(&d);
	ut_rmdir(dir);
}

static void test_external_table_bucket_dependency(void **state)
{
	(void)state;
	char *dir = ut_mkdtemp();
	ut_write(dir, "sigma.yaml",
		 "variables:\n"
		 "  env: {type: string, default: dev}\n"
		 "bucket:\n"
		 "  landing: {name: funnel-landing}\n"
		 "  staging: {name: \"funnel-staging-${var.env}\"}\n"
		 "  other: {name: funnel-other}\n"
		 "dataset:\n"
		 "  raw: {}\n"
		 "external_table:\n"
		 "  by_literal_name:\n"
		 "    dataset: raw\n"
		 "    format: csv\n"
		 "    source_uris: [\"gs://funnel-landing/dia/*.csv\"]\n"
		 "  by_variable_name:\n"
		 "    dataset: raw\n"
		 "    format: csv\n"
		 "    source_uris: [\"gs://funnel-staging-dev/dia/*.csv\"]\n");
	sg_manifest *m = NULL;
	sg_diags d = SG_DIAGS_INIT;
	int rc = load(dir, NULL, &m, &d);
	if (rc != 0)
		ut_print_diags(&d);
	assert_int_equal(rc, 0);
	sg_resource *lit = must_resource(m, "external_table.by_literal_name");
	assert_string_equal(lit->stage, "initial-data");
	assert_string_equal(cfg_str(lit, "format"), "CSV");
	assert_true(depends_on(lit, "bucket.landing"));
	assert_true(depends_on(lit, "dataset.raw"));
	assert_false(depends_on(lit, "bucket.other"));
	/*
	 * Regression test for a bug this test found (fixed with it): the README says a gs:// URI of a declared bucket in an external
	 * table is a dependency. check_external_table() compares the URI's
	 * bucket with each bucket's `name` as written, so a bucket named with a
	 * variable ("funnel-staging-${var.env}", which is "funnel-staging-dev")
	 * is never matched, although variables are resolved before the checks
	 * run. The external table is then not ordered after that bucket (and
	 * not destroyed before it).
	 */
	sg_resource *var = must_resource(m, "external_table.by_variable_name");
	bool has_dep = depends_on(var, "bucket.staging");
	sg_manifest_free(m);
	sg_diags_free(&d);
	ut_rmdir(dir);
	assert_true(has_dep);
}

/* ---- one error per case: where and what ---- */

typedef struct error_case {
	const char *label;
	const char *main_yaml;  /* sigma.yaml */
	const char *extra_yaml; /* b.sigma.yaml, or NULL */
	bool require_values;
	const char *file; /* base name of the file the error points at */
	int line, col;
	const char *msg[3]; /* substrings of the message */
} error_case;

static const error_case error_cases[] = {
	{ "yaml syntax", "bucket:\n\ta: {}\n", NULL, false, "sigma.yaml", 2, 1, { "YAML syntax error" } },
	{ "unknown kind", "buckets:\n  a: {}\n", NULL, false, "sigma.yaml", 1, 1,
	  { "unknown kind \"buckets\"", "did you mean bucket" } },
	{ "unknown attribute", "bucket:\n  alpha:\n    locaton: US\n", NULL, false, "sigma.yaml", 3, 5,
	  { "unknown attribute \"locaton\"", "did you mean location" } },
	{ "missing required",
	  "dataset:\n  raw: {}\ntable:\n  t:\n    dataset: raw\n", NULL, false, "sigma.yaml", 5, 5,
	  { "missing required attribute \"schema\"" } },
	{ "wrong type", "bucket:\n  alpha:\n    versioning: yes-please\n", NULL, false, "sigma.yaml", 3, 17,
	  { "versioning: expected a boolean", "yes-please" } },
	{ "bad enum", "bucket:\n  alpha:\n    storage_class: hot\n", NULL, false, "sigma.yaml", 3, 20,
	  { "storage_class: expected one of", "NEARLINE", "found \"hot\"" } },
	{ "duplicate across files", "bucket:\n  alpha: {}\n", "bucket:\n  beta: {}\n  alpha: {}\n", false, "b.sigma.yaml", 3, 3,
	  { "duplicate resource bucket.alpha", "first declared at", "/sigma.yaml:2:3" } },
	{ "undeclared resource",
	  "bucket:\n  alpha:\n    labels:\n      x: pre-${bucket.nope.name}\n", NULL, false, "sigma.yaml", 4, 14,
	  { "reference to undeclared resource bucket.nope" } },
	{ "undeclared resource, quoted",
	  "bucket:\n  alpha:\n    labels: {x: \"${bucket.nope.name}\"}\n", NULL, false, "sigma.yaml", 3, 18,
	  { "undeclared resource bucket.nope" } },
	{ "undeclared attribute",
	  "bucket:\n  alpha:\n    labels:\n      x: ${bucket.beta.nope}\n  beta: {}\n", NULL, false, "sigma.yaml", 4, 10,
	  { "has no attribute \"nope\"" } },
	{ "undeclared variable", "bucket:\n  alpha:\n    labels:\n      x: ${var.nope}\n", NULL, false, "sigma.yaml", 4, 10,
	  { "variable \"nope\" is not declared" } },
	{ "unset variable",
	  "variables:\n  region: {type: string}\nbucket:\n  alpha:\n    labels:\n      x: ${var.region}\n", NULL, true,
	  "sigma.yaml", 6, 10, { "variable \"region\" is not set", "-var region=VALUE" } },
	{ "dependency cycle",
	  "bucket:\n  alpha:\n    labels:\n      x: ${bucket.beta.name}\n  beta:\n    labels:\n      x: ${bucket.alpha.name}\n",
	  NULL, false, "sigma.yaml", 2, 3, { "dependency cycle: bucket.alpha -> bucket.beta -> bucket.alpha" } },
	{ "invalid cron",
	  "workflow_template:\n  ingest:\n    steps:\n      - {id: q, kind: query, sql: SELECT 1}\n"
	  "scheduler:\n  daily:\n    schedule: \"0 25 * * *\"\n    workflow: ingest\n",
	  NULL, false, "sigma.yaml", 7, 15, { "invalid cron expression \"0 25 * * *\"", "field 2 (hour)" } },
	{ "unknown time zone",
	  "workflow_template:\n  ingest:\n    steps:\n      - {id: q, kind: query, sql: SELECT 1}\n"
	  "scheduler:\n  daily:\n    schedule: \"0 3 * * *\"\n    time_zone: Mars/Olympus\n    workflow: ingest\n",
	  NULL, false, "sigma.yaml", 8, 16, { "\"Mars/Olympus\" is not an IANA time zone" } },
	{ "invalid bucket name", "bucket:\n  alpha:\n    name: Bad_Bucket\n", NULL, false, "sigma.yaml", 3, 11,
	  { "invalid name" } },
	{ "undeclared dataset",
	  "dataset:\n  raw: {}\ntable:\n  t:\n    dataset: nope\n    schema: [{name: a, type: STRING}]\n", NULL, false,
	  "sigma.yaml", 5, 14, { "dataset \"nope\" is not declared", "declared: raw" } },
	{ "unknown step kind", "workflow_template:\n  ingest:\n    steps:\n      - {id: a, kind: teleport}\n", NULL,
	  false, "sigma.yaml", 4, 23, { "unknown step kind \"teleport\"" } },
	{ "duplicate step id",
	  "workflow_template:\n  ingest:\n    steps:\n      - {id: a, kind: query, sql: x}\n"
	  "      - {id: a, kind: query, sql: y}\n",
	  NULL, false, "sigma.yaml", 5, 14, { "duplicate step id \"a\"" } },
	{ "needs a missing step",
	  "workflow_template:\n  ingest:\n    steps:\n      - {id: a, kind: query, sql: x, needs: [zzz]}\n", NULL,
	  false, "sigma.yaml", 4, 45, { "needs \"zzz\", which is not a step" } },
	{ "needs cycle",
	  "workflow_template:\n  ingest:\n    steps:\n      - {id: a, kind: query, sql: x, needs: [b]}\n"
	  "      - {id: b, kind: query, sql: y, needs: [a]}\n",
	  NULL, false, "sigma.yaml", 4, 9, { "steps form a cycle: a -> b -> a" } },
	{ "run-time reference outside steps", "bucket:\n  alpha:\n    labels:\n      x: ${args.x}\n", NULL, false,
	  "sigma.yaml", 4, 10, { "${args.x} is a run-time reference" } },
	{ "undeclared param",
	  "workflow_template:\n  ingest:\n    params: {table: {default: t}}\n    steps:\n"
	  "      - id: a\n        kind: query\n        sql: SELECT ${args.x} FROM ${args.table}\n",
	  NULL, false, "sigma.yaml", 7, 21, { "\"x\" is not a declared param of workflow_template.ingest" } },
};

static void test_error_cases(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		const error_case *c = &error_cases[i];
		char *dir = ut_mkdtemp();
		ut_write(dir, "sigma.yaml", c->main_yaml);
		if (c->extra_yaml)
			ut_write(dir, "b.sigma.yaml", c->extra_yaml);
		sg_load_opts opts = { 0 };
		opts.require_values = c->require_values;
		sg_manifest *m = NULL;
		sg_diags d = SG_DIAGS_INIT;
		int rc = load(dir, &opts, &m, &d);
		bool ok = rc == -1 && d.nerrors == 1 && d.n == 1;
		const sg_diag *g = d.n ? &d.items[0] : NULL;
		ok = ok && g->severity == SG_SEV_ERROR && ut_diag_in(g, c->file) && g->line == c->line &&
		     g->col == c->col;
		for (size_t k = 0; ok && k < 3 && c->msg[k]; k++)
			ok = strstr(g->msg, c->msg[k]) != NULL;
		if (!ok) {
			print_message("case \"%s\": rc %d, expected one error at %s:%d:%d containing \"%s\"\n", c->label,
				      rc, c->file, c->line, c->col, c->msg[0]);
			ut_print_diags(&d);
			failures++;
		}
		sg_manifest_free(m);
		sg_diags_free(&d);
		ut_rmdir(dir);
	}
	assert_int_equal(failures, 0);
}

static void test_reference_position_in_block_scalar(void **state)
{
	(void)state;
	char *dir = ut_mkdtemp();
	ut_write(dir, "sigma.yaml",
		 "dataset:\n"
		 "  raw: {}\n"
		 "view:\n"
		 "  v:\n"
		 "    dataset: raw\n"
		 "    query: |\n"
		 "      SELECT ${var.nope}\n"
		 "      FROM x\n");
	sg_manifest *m = NULL;
	sg_diags d = SG_DIAGS_INIT;
	assert_int_equal(load(dir, NULL, &m, &d), -1);
	assert_int_equal(d.n, 1);
	const sg_diag *g = ut_expect_diag(&d, "variable \"nope\" is not declared");
	/*
	 * Regression test for a bug this test found (fixed with it): in a literal block scalar (`query: |`), the error points at the
	 * line of the `|` indicator, at its column plus the reference's offset
	 * (sigma.yaml:6:20, past the end of that line), instead of at the
	 * reference itself (sigma.yaml:7:14). ref_pos() in core/checks.c adds
	 * the offset to the node's position, which for a block scalar is the
	 * indicator, not the first character of the text.
	 */
	int line = g->line, col = g->col;
	if (line != 7 || col != 14)
		print_message("reported at %d:%d, the reference is at 7:14\n", line, col);
	sg_manifest_free(m);
	sg_diags_free(&d);
	ut_rmdir(dir);
	assert_int_equal(line, 7);
	assert_int_equal(col, 14);
}

static void test_unset_variable_allowed_without_require(void **state)
{
	(void)state;
	char *dir = ut_mkdtemp();
	ut_write(dir, "sigma.yaml",
		 "variables:\n  region: {type: string}\nbucket:\n  alpha:\n    labels:\n      x: ${var.region}\n");
	sg_load_opts opts = { 0 };
	opts.require_values = false;
	sg_manifest *m = NULL;
	sg_diags d = SG_DIAGS_INIT;
	assert_int_equal(load(dir, &opts, &m, &d), 0);
	assert_int_equal(d.n, 0);
	sg_variable *v = sg_manifest_variable(m, "region");
	assert_non_null(v);
	assert_null(v->value);
	assert_true(v->referenced);
	sg_manifest_free(m);
	sg_diags_free(&d);
	ut_rmdir(dir);
}

static void test_all_errors_reported(void **state)
{
	(void)state;
	char *dir = ut_mkdtemp();
	/* three independent errors in one file, one in another file */
	ut_write(dir, "sigma.yaml",
		 "bucket:\n"
		 "  alpha:\n"
		 "    locaton: US\n"
		 "  beta:\n"
		 "    storage_class: hot\n"
		 "  gamma:\n"
		 "    labels: {x: \"${var.nope}\"}\n");
	ut_write(dir, "z.sigma.yaml", "dataset:\n  d:\n    lables: {}\n");
	sg_manifest *m = NULL;
	sg_diags d = SG_DIAGS_INIT;
	assert_int_equal(load(dir, NULL, &m, &d), -1);
	if (d.n != 4)
		ut_print_diags(&d);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.nerrors, 4);
	const sg_diag *g = ut_expect_diag(&d, "unknown attribute \"locaton\"");
	assert_int_equal(g->line, 3);
	g = ut_expect_diag(&d, "found \"hot\"");
	assert_int_equal(g->line, 5);
	g = ut_expect_diag(&d, "variable \"nope\" is not declared");
	assert_int_equal(g->line, 7);
	g = ut_expect_diag(&d, "unknown attribute \"lables\"");
	assert_true(ut_diag_in(g, "z.sigma.yaml"));
	assert_int_equal(g->line, 3);
	sg_manifest_free(m);
	sg_diags_free(&d);
	ut_rmdir(dir);
}

static void test_syntax_error_does_not_hide_other_files(void **state)
{
	(void)state;
	char *dir = ut_mkdtemp();
	ut_write(dir, "sigma.yaml", "bucket:\n  alpha: {location: US\n");
	ut_write(dir, "b.sigma.yaml", "buckett:\n  beta: {}\n");
	sg_manifest *m = NULL;
	sg_diags d = SG_DIAGS_INIT;
	assert_int_equal(load(dir, NULL, &m, &d), -1);
	const sg_diag *g = ut_expect_diag(&d, "YAML syntax error");
	assert_true(ut_diag_in(g, "sigma.yaml"));
	g = ut_expect_diag(&d, "unknown kind \"buckett\"");
	assert_true(ut_diag_in(g, "b.sigma.yaml"));
	assert_int_equal(g->line, 1);
	sg_manifest_free(m);
	sg_diags_free(&d);
	ut_rmdir(dir);
}

static void test_no_sigma_yaml(void **state)
{
	(void)state;
	char *dir = ut_mkdtemp();
	ut_write(dir, "only.sigma.yaml", "bucket:\n  alpha: {}\n");
	sg_manifest *m = NULL;
	sg_diags d = SG_DIAGS_INIT;
	assert_int_equal(load(dir, NULL, &m, &d), -1);
	ut_expect_diag(&d, "no sigma.yaml");
	sg_manifest_free(m);
	sg_diags_free(&d);
	ut_rmdir(dir);
}

/* ---- variables: default < SIGMA_VAR_x < -var-file < -var ---- */

static const char *var_value(const char *dir, const sg_load_opts *opts, char *source, size_t source_len)
{
	static char value[64];
	sg_manifest *m = NULL;
	sg_diags d = SG_DIAGS_INIT;
	int rc = load(dir, opts, &m, &d);
	if (rc != 0)
		ut_print_diags(&d);
	assert_int_equal(rc, 0);
	sg_variable *v = sg_manifest_variable(m, "sgut_env");
	assert_non_null(v);
	assert_non_null(v->value);
	snprintf(value, sizeof(value), "%s", json_string_value(v->value));
	snprintf(source, source_len, "%s", v->source);
	sg_manifest_free(m);
	sg_diags_free(&d);
	return value;
}

static void test_variable_precedence(void **state)
{
	(void)state;
	char *dir = ut_mkdtemp();
	ut_write(dir, "sigma.yaml",
		 "variables:\n"
		 "  sgut_env: {type: string, default: dev}\n"
		 "  sgut_days: {type: number, default: 7}\n"
		 "bucket:\n"
		 "  alpha:\n"
		 "    labels: {env: \"${var.sgut_env}\"}\n");
	ut_write(dir, "prod.yaml", "sgut_env: prod\n");
	sg_buf varfile = SG_BUF_INIT;
	ut_path(&varfile, dir, "prod.yaml");
	char source[256];

	unsetenv("SIGMA_VAR_sgut_env");
	assert_string_equal(var_value(dir, NULL, source, sizeof(source)), "dev");
	assert_string_equal(source, "default");

	assert_int_equal(setenv("SIGMA_VAR_sgut_env", "stage", 1), 0);
	assert_string_equal(var_value(dir, NULL, source, sizeof(source)), "stage");
	assert_string_equal(source, "SIGMA_VAR_sgut_env");

	const char *files[] = { varfile.ptr };
	sg_load_opts opts = { 0 };
	opts.var_files = files;
	opts.nvar_files = 1;
	assert_string_equal(var_value(dir, &opts, source, sizeof(source)), "prod");
	assert_non_null(strstr(source, "-var-file"));

	const char *args[] = { "sgut_env=first", "sgut_env=test" };
	opts.var_args = args;
	opts.nvar_args = 2;
	assert_string_equal(var_value(dir, &opts, source, sizeof(source)), "test"); /* the last -var wins */
	assert_string_equal(source, "-var");

	/* -var alone also beats the environment */
	opts.var_files = NULL;
	opts.nvar_files = 0;
	assert_string_equal(var_value(dir, &opts, source, sizeof(source)), "test");
	unsetenv("SIGMA_VAR_sgut_env");

	/* typed: a number variable set from -var; a wrong one is an error naming the variable */
	const char *num_ok[] = { "sgut_days=30" };
	opts.var_args = num_ok;
	opts.nvar_args = 1;
	sg_manifest *m = NULL;
	sg_diags d = SG_DIAGS_INIT;
	assert_int_equal(load(dir, &opts, &m, &d), 0);
	assert_int_equal(json_integer_value(sg_manifest_variable(m, "sgut_days")->value), 30);
	sg_manifest_free(m);
	sg_diags_free(&d);
	const char *num_bad[] = { "sgut_days=soon", "sgut_nope=1" };
	opts.var_args = num_bad;
	opts.nvar_args = 2;
	assert_int_equal(load(dir, &opts, &m, &d), -1);
	ut_expect_diag(&d, "-var sgut_days: expected a number");
	ut_expect_diag(&d, "variable \"sgut_nope\" is not declared");
	sg_manifest_free(m);
	sg_diags_free(&d);

	sg_buf_free(&varfile);
	ut_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_project),
		cmocka_unit_test(test_dataset_dependency),
		cmocka_unit_test(test_external_table_bucket_dependency),
		cmocka_unit_test(test_error_cases),
		cmocka_unit_test(test_reference_position_in_block_scalar),
		cmocka_unit_test(test_unset_variable_allowed_without_require),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_syntax_error_does_not_hide_other_files),
		cmocka_unit_test(test_no_sigma_yaml),
		cmocka_unit_test(test_variable_precedence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
