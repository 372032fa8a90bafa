/*
 * References in manifest strings: scanning (sg_expr_scan) and evaluation
 * (sg_expr_eval) with a resolver written here, standing in for the plan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/expr.h"
#include "core/value.h"

#include <stdio.h>
#include <string.h>

/* ---- scanning ---- */

typedef struct scan_log {
	size_t n;
	sg_ref refs[8];
	int stop_at; /* return 7 from the callback at this index, or -1 */
} scan_log;

static int record_ref(const sg_ref *ref, void *ctx)
{
	scan_log *log = ctx;
	if (log->n < 8)
		log->refs[log->n] = *ref;
	log->n++;
	if (log->stop_at >= 0 && (size_t)log->stop_at == log->n - 1)
		return 7;
	return 0;
}

static int scan(const char *s, scan_log *log, sg_buf *why, size_t *off)
{
	memset(log, 0, sizeof(*log));
	log->stop_at = -1;
	sg_buf_clear(why);
	*off = (size_t)-1;
	return sg_expr_scan(s, record_ref, log, why, off);
}

static void test_scan_finds_refs(void **state)
{
	(void)state;
	scan_log log;
	sg_buf why = SG_BUF_INIT;
	size_t off;
	const char *s = "gs://${bucket.trigger.name}/${var.env}/${args.table}-${event.name}:${steps.dec.output.uri}";
	assert_int_equal(scan(s, &log, &why, &off), 0);
	assert_int_equal(log.n, 5);

	assert_int_equal(log.refs[0].kind, SG_REF_RESOURCE);
	assert_int_equal(log.refs[0].nparts, 3);
	assert_string_equal(log.refs[0].parts[0], "bucket");
	assert_string_equal(log.refs[0].parts[1], "trigger");
	assert_string_equal(log.refs[0].parts[2], "name");
	assert_string_equal(log.refs[0].text, "bucket.trigger.name");
	assert_int_equal(log.refs[0].start, 5);
	assert_int_equal(log.refs[0].end, 5 + strlen("${bucket.trigger.name}"));
	assert_false(sg_ref_is_runtime(&log.refs[0]));

	assert_int_equal(log.refs[1].kind, SG_REF_VAR);
	assert_int_equal(log.refs[1].nparts, 2);
	assert_string_equal(log.refs[1].parts[1], "env");
	assert_int_equal(log.refs[1].start, (size_t)(strstr(s, "${var") - s));
	assert_false(sg_ref_is_runtime(&log.refs[1]));

	assert_int_equal(log.refs[2].kind, SG_REF_ARGS);
	assert_string_equal(log.refs[2].parts[1], "table");
	assert_true(sg_ref_is_runtime(&log.refs[2]));
	assert_int_equal(log.refs[3].kind, SG_REF_EVENT);
	assert_true(sg_ref_is_runtime(&log.refs[3]));
	assert_int_equal(log.refs[4].kind, SG_REF_STEPS);
	assert_int_equal(log.refs[4].nparts, 4);
	assert_string_equal(log.refs[4].parts[1], "dec");
	assert_string_equal(log.refs[4].parts[3], "uri");
	assert_true(sg_ref_is_runtime(&log.refs[4]));

	/* deeper resource paths; spaces inside the braces are trimmed */
	assert_int_equal(scan("${ table.t.schema.0.name }", &log, &why, &off), 0);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.refs[0].nparts, 5);
	assert_string_equal(log.refs[0].text, "table.t.schema.0.name");

	/* plain text, a lone '$' and '{' are not references */
	assert_int_equal(scan("cost: $5 {a} $ {x}", &log, &why, &off), 0);
	assert_int_equal(log.n, 0);
	assert_false(sg_expr_has_refs("cost: $5 {a}"));
	assert_true(sg_expr_has_refs("x${var.a}"));
	sg_buf_free(&why);
}

static void test_scan_escape(void **state)
{
	(void)state;
	scan_log log;
	sg_buf why = SG_BUF_INIT;
	size_t off;
	/* $${ is a literal: the braces after it are not a reference, even malformed ones */
	assert_int_equal(scan("echo $${HOME} and $${ not closed", &log, &why, &off), 0);
	assert_int_equal(log.n, 0);
	/* an escape beside a real reference */
	assert_int_equal(scan("$${x}-${var.y}", &log, &why, &off), 0);
	assert_int_equal(log.n, 1);
	assert_string_equal(log.refs[0].parts[1], "y");
	assert_int_equal(log.refs[0].start, 6);
	sg_buf_free(&why);
}

static void test_scan_stops_on_callback(void **state)
{
	(void)state;
	scan_log log;
	memset(&log, 0, sizeof(log));
	log.stop_at = 1;
	sg_buf why = SG_BUF_INIT;
	assert_int_equal(sg_expr_scan("${var.a}${var.b}${var.c}", record_ref, &log, &why, NULL), 7);
	assert_int_equal(log.n, 2);
	sg_buf_free(&why);
}

typedef struct bad_ref {
	const char *text;
	size_t offset;
	const char *why;
} bad_ref;

static void test_scan_malformed(void **state)
{
	(void)state;
	static const bad_ref cases[] = {
		{ "abc ${var.x", 4, "unclosed reference" },
		{ "ok ${var.a} then ${", 17, "unclosed reference" },
		{ "x${}", 1, "empty reference ${}" },
		{ "x${   }", 1, "empty reference" },
		{ "pre ${a b}", 4, "unexpected ' '" },
		{ "${var.a + 1}", 0, "expressions other than references are not supported" },
		{ "${var}", 0, "expected ${var.NAME}" },
		{ "${var.a.b}", 0, "expected ${var.NAME}" },
		{ "${args.a.b}", 0, "expected ${args.NAME}" },
		{ "${steps.a.b}", 0, "expected ${steps.ID.output.NAME}" },
		{ "${steps.a.result.b}", 0, "expected ${steps.ID.output.NAME}" },
		{ "${bucket.x}", 0, "expected ${KIND.NAME.ATTRIBUTE}" },
		{ "${bucket..name}", 0, "expected names separated by '.'" },
		{ "--${.a.b}", 2, "expected names separated by '.'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scan_log log;
		sg_buf why = SG_BUF_INIT;
		size_t off;
		int rc = scan(cases[i].text, &log, &why, &off);
		if (rc != -1 || off != cases[i].offset || !strstr(sg_buf_cstr(&why), cases[i].why))
			fail_msg("\"%s\": rc %d, offset %zu (expected %zu), why \"%s\" (expected \"%s\")", cases[i].text,
				 rc, off, cases[i].offset, sg_buf_cstr(&why), cases[i].why);
		sg_buf_free(&why);
	}
}

/* ---- evaluation ---- */

/*
 * The resolver: var.list = [a, b], var.port = 8080, var.name = "trigger",
 * var.secret = "hunter2" (sensitive), var.flag = true, var.nothing = null,
 * var.map = {k: v}, bucket.a.url = unknown, bucket.a.name = "bkt-a";
 * anything else fails. Counts its calls.
 */
typedef struct resolver_ctx {
	int calls;
	bool saw_runtime;
} resolver_ctx;

static int resolve(const sg_ref *ref, void *vctx, json_t **out, bool *sensitive, sg_error *err)
{
	resolver_ctx *ctx = vctx;
	ctx->calls++;
	if (sg_ref_is_runtime(ref))
		ctx->saw_runtime = true;
	const char *t = ref->text;
	if (!strcmp(t, "var.list"))
		*out = json_pack("[ss]", "a", "b");
	else if (!strcmp(t, "var.port"))
		*out = json_integer(8080);
	else if (!strcmp(t, "var.name"))
		*out = json_string("trigger");
	else if (!strcmp(t, "var.secret")) {
		*out = json_string("hunter2");
		*sensitive = true;
	} else if (!strcmp(t, "var.flag"))
		*out = json_true();
	else if (!strcmp(t, "var.nothing"))
		*out = json_null();
	else if (!strcmp(t, "var.map"))
		*out = json_pack("{ss}", "k", "v");
	else if (!strcmp(t, "var.ratio"))
		*out = json_real(0.5);
	else if (!strcmp(t, "bucket.a.url"))
		*out = sg_unknown();
	else if (!strcmp(t, "bucket.a.name"))
		*out = json_string("bkt-a");
	else
		return sg_error_set(err, "no such thing: %s", t);
	return 0;
}

/* Evaluate the JSON text `in`; returns the result (caller decrefs) or NULL with `err`. */
static json_t *eval_text(const char *in, resolver_ctx *ctx, bool *sensitive, sg_error *err)
{
	json_error_t jerr;
	json_t *v = json_loads(in, JSON_DECODE_ANY, &jerr);
	if (!v)
		fail_msg("bad test JSON %s: %s", in, jerr.text);
	memset(ctx, 0, sizeof(*ctx));
	*sensitive = false;
	json_t *r = sg_expr_eval(v, resolve, ctx, sensitive, err);
	json_decref(v);
	return r;
}

/* Evaluate a string and compare the result's JSON text with `want`. */
static void expect_eval(const char *in, const char *want, bool want_sensitive)
{
	resolver_ctx ctx;
	bool sens;
	sg_error err = SG_ERROR_INIT;
	json_t *r = eval_text(in, &ctx, &sens, &err);
	if (!r)
		fail_msg("%s: failed: %s", in, sg_error_msg(&err));
	char *got = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (strcmp(got, want) || sens != want_sensitive)
		fail_msg("%s: got %s (sensitive %d), expected %s (sensitive %d)", in, got, sens, want, want_sensitive);
	free(got);
	json_decref(r);
	sg_error_clear(&err);
}

static void test_eval_single_ref_keeps_type(void **state)
{
	(void)state;
	expect_eval("\"${var.list}\"", "[\"a\",\"b\"]", false);
	expect_eval("\"${var.port}\"", "8080", false);
	expect_eval("\"${var.flag}\"", "true", false);
	expect_eval("\"${var.map}\"", "{\"k\":\"v\"}", false);
	expect_eval("\"${ var.port }\"", "8080", false);
	/* not alone in the string: text */
	expect_eval("\" ${var.port}\"", "\" 8080\"", false);
}

static void test_eval_interpolation(void **state)
{
	(void)state;
	expect_eval("\"gs://${var.name}/x\"", "\"gs://trigger/x\"", false);
	expect_eval("\"${var.name}:${var.port}:${var.flag}:${var.ratio}\"", "\"trigger:8080:true:0.5\"", false);
	expect_eval("\"[${var.nothing}]\"", "\"[]\"", false);
	expect_eval("\"no refs at all\"", "\"no refs at all\"", false);
	/* inside arrays and objects, other scalars untouched */
	expect_eval("{\"a\": [\"${var.name}-1\", 3, null, false], \"b\": {\"c\": \"${var.port}\"}}",
		    "{\"a\":[\"trigger-1\",3,null,false],\"b\":{\"c\":8080}}", false);
}

static void test_eval_unknown(void **state)
{
	(void)state;
	resolver_ctx ctx;
	bool sens;
	sg_error err = SG_ERROR_INIT;
	json_t *r = eval_text("\"${bucket.a.url}\"", &ctx, &sens, &err);
	assert_non_null(r);
	assert_true(sg_is_unknown(r));
	json_decref(r);
	/* an unknown anywhere in a longer string makes the whole string unknown */
	r = eval_text("\"prefix-${bucket.a.name}-${bucket.a.url}/suffix\"", &ctx, &sens, &err);
	assert_non_null(r);
	assert_true(sg_is_unknown(r));
	json_decref(r);
	r = eval_text("{\"labels\": {\"x\": \"u=${bucket.a.url}\"}, \"n\": \"${bucket.a.name}\"}", &ctx, &sens, &err);
	assert_non_null(r);
	assert_true(sg_has_unknown(r));
	assert_true(sg_is_unknown(json_object_get(json_object_get(r, "labels"), "x")));
	assert_string_equal(json_string_value(json_object_get(r, "n")), "bkt-a");
	json_decref(r);
	sg_error_clear(&err);
}

static void test_eval_sensitive(void **state)
{
	(void)state;
	expect_eval("\"${var.secret}\"", "\"hunter2\"", true);
	expect_eval("\"user:${var.secret}@host\"", "\"user:hunter2@host\"", true);
	expect_eval("[\"${var.name}\", {\"k\": \"${var.secret}\"}]", "[\"trigger\",{\"k\":\"hunter2\"}]", true);
	expect_eval("\"${var.name}\"", "\"trigger\"", false);
}

static void test_eval_runtime_refs_verbatim(void **state)
{
	(void)state;
	resolver_ctx ctx;
	bool sens;
	sg_error err = SG_ERROR_INIT;
	json_t *r = eval_text("\"raw.${args.table}\"", &ctx, &sens, &err);
	assert_non_null(r);
	assert_string_equal(json_string_value(r), "raw.${args.table}");
	assert_int_equal(ctx.calls, 0); /* never passed to the resolver */
	json_decref(r);
	r = eval_text("\"${args.table}\"", &ctx, &sens, &err);
	assert_string_equal(json_string_value(r), "${args.table}");
	json_decref(r);
	r = eval_text("\"gs://${event.bucket}/${event.name} -> ${steps.dec.output.uri} in ${var.name}\"", &ctx, &sens,
		      &err);
	assert_non_null(r);
	assert_string_equal(json_string_value(r), "gs://${event.bucket}/${event.name} -> ${steps.dec.output.uri} in trigger");
	assert_int_equal(ctx.calls, 1);
	assert_false(ctx.saw_runtime);
	json_decref(r);
	sg_error_clear(&err);
}

static void test_eval_escape(void **state)
{
	(void)state;
	expect_eval("\"$${x}\"", "\"${x}\"", false);
	expect_eval("\"echo $${HOME}/${var.name}\"", "\"echo ${HOME}/trigger\"", false);
	expect_eval("\"${var.name}$${y}\"", "\"trigger${y}\"", false);
	expect_eval("\"a $ b $$ c\"", "\"a $ b $$ c\"", false);
}

static void test_eval_errors(void **state)
{
	(void)state;
	resolver_ctx ctx;
	bool sens;
	sg_error err = SG_ERROR_INIT;
	/* a list or a map cannot go into a longer string */
	json_t *r = eval_text("\"items: ${var.list}\"", &ctx, &sens, &err);
	assert_null(r);
	assert_non_null(strstr(sg_error_msg(&err), "${var.list} is a list and cannot be placed inside a string"));
	r = eval_text("{\"x\": [\"ok\", \"m=${var.map}\"]}", &ctx, &sens, &err);
	assert_null(r);
	assert_non_null(strstr(sg_error_msg(&err), "is a map"));
	/* the resolver's error comes through */
	r = eval_text("\"${var.missing}\"", &ctx, &sens, &err);
	assert_null(r);
	assert_string_equal(sg_error_msg(&err), "no such thing: var.missing");
	r = eval_text("\"a ${var.missing} b\"", &ctx, &sens, &err);
	assert_null(r);
	assert_string_equal(sg_error_msg(&err), "no such thing: var.missing");
	/* a malformed reference is an error with the scanner's reason */
	r = eval_text("\"${a b}\"", &ctx, &sens, &err);
	assert_null(r);
	assert_non_null(strstr(sg_error_msg(&err), "unexpected ' '"));
	r = eval_text("\"x ${var.name\"", &ctx, &sens, &err);
	assert_null(r);
	assert_non_null(strstr(sg_error_msg(&err), "unclosed"));
	sg_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_finds_refs),
		cmocka_unit_test(test_scan_escape),
		cmocka_unit_test(test_scan_stops_on_callback),
		cmocka_unit_test(test_scan_malformed),
		cmocka_unit_test(test_eval_single_ref_keeps_type),
		cmocka_unit_test(test_eval_interpolation),
		cmocka_unit_test(test_eval_unknown),
		cmocka_unit_test(test_eval_sensitive),
		cmocka_unit_test(test_eval_runtime_refs_verbatim),
		cmocka_unit_test(test_eval_escape),
		cmocka_unit_test(test_eval_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
