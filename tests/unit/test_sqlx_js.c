/*
 * The JavaScript subset of SQLX files (pipeline/sqlx_js.h): config object
 * literals read by sg_js_parse_literal and ${...} expressions read by
 * sg_js_parse_subst. Table-driven: each accepted input is dumped to a
 * compact canonical form and compared; each refused input must fail at
 * an exact line:col with an exact message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pipeline/sqlx_js.h"
#include "util/arena.h"
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ dumping */

/* A decoded string, quoted: \n \t \\ \" and other control bytes as \xNN;
 * everything else (UTF-8 included) as is. */
static void dump_str(sg_buf *b, const char *s, size_t len)
{
	sg_buf_putc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\n')
			sg_buf_puts(b, "\\n");
		else if (ch == '\t')
			sg_buf_puts(b, "\\t");
		else if (ch == '"' || ch == '\\')
			sg_buf_printf(b, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			sg_buf_printf(b, "\\x%02x", ch);
		else
			sg_buf_putc(b, (char)ch);
	}
	sg_buf_putc(b, '"');
}

static void dump_jsv(sg_buf *b, const sg_jsv *v)
{
	switch (v->kind) {
	case SG_JS_NULL: sg_buf_puts(b, "null"); break;
	case SG_JS_BOOL: sg_buf_puts(b, v->b ? "true" : "false"); break;
	case SG_JS_NUM: sg_buf_printf(b, "%s=%g", v->str, v->num); break;
	case SG_JS_STR: dump_str(b, v->str, v->len); break;
	case SG_JS_ARR:
		sg_buf_putc(b, '[');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				sg_buf_putc(b, ',');
			dump_jsv(b, v->items[i]);
		}
		sg_buf_putc(b, ']');
		break;
	case SG_JS_OBJ:
		sg_buf_putc(b, '{');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				sg_buf_putc(b, ',');
			sg_buf_printf(b, "%s:", v->props[i].key);
			dump_jsv(b, v->props[i].value);
		}
		sg_buf_putc(b, '}');
		break;
	}
}

static void dump_expr(sg_buf *b, const sg_jexpr *e)
{
	static const char *const ops[] = {
		[SG_JE_NOT] = "not", [SG_JE_AND] = "and", [SG_JE_OR] = "or",
		[SG_JE_EQ] = "eq",   [SG_JE_NE] = "ne",	  [SG_JE_COND] = "cond",
	};
	switch (e->kind) {
	case SG_JE_STR: dump_str(b, e->str, e->len); return;
	case SG_JE_BOOL: sg_buf_puts(b, e->b ? "true" : "false"); return;
	case SG_JE_NUM: sg_buf_printf(b, "%g", e->num); return;
	case SG_JE_NULL: sg_buf_puts(b, "null"); return;
	case SG_JE_VAR: sg_buf_printf(b, "(var %s)", e->str); return;
	case SG_JE_CONF: sg_buf_printf(b, "(conf %s)", e->str); return;
	case SG_JE_OBJ:
		sg_buf_puts(b, "(obj");
		for (size_t i = 0; i < e->n; i++) {
			sg_buf_printf(b, " %s:", e->keys[i]);
			dump_expr(b, e->args[i]);
		}
		sg_buf_putc(b, ')');
		return;
	case SG_JE_TEMPLATE: sg_buf_puts(b, "(tmpl"); break;
	case SG_JE_CALL: sg_buf_printf(b, "(%s", e->str); break;
	default: sg_buf_printf(b, "(%s", ops[e->kind]); break;
	}
	for (size_t i = 0; i < e->n; i++) {
		sg_buf_putc(b, ' ');
		dump_expr(b, e->args[i]);
	}
	sg_buf_putc(b, ')');
}

/* ------------------------------------------------------------ literals */

typedef struct lit_ok {
	const char *src;
	const char *dump;
} lit_ok;

static const lit_ok literal_ok[] = {
	/* keys */
	{ "{}", "{}" },
	{ "{ type: \"table\" }", "{type:\"table\"}" },
	{ "{_a$1: 1, $b: 2}", "{_a$1:1=1,$b:2=2}" },
	{ "{\"quoted key\": 1, 'single': 2}", "{quoted key:1=1,single:2=2}" },
	/* strings */
	{ "'single'", "\"single\"" },
	{ "\"double\"", "\"double\"" },
	{ "\"it's\"", "\"it's\"" },
	{ "'say \"hi\"'", "\"say \\\"hi\\\"\"" },
	{ "`template`", "\"template\"" },
	{ "`two\nlines`", "\"two\\nlines\"" },
	{ "`$ {not} a $ubst`", "\"$ {not} a $ubst\"" },
	{ "''", "\"\"" },
	/* escapes */
	{ "'a\\nb'", "\"a\\nb\"" },
	{ "'tab\\there'", "\"tab\\there\"" },
	{ "'it\\'s'", "\"it's\"" },
	{ "\"q\\\"q\"", "\"q\\\"q\"" },
	{ "'back\\\\slash'", "\"back\\\\slash\"" },
	{ "'caf\\u00e9'", "\"caf\xc3\xa9\"" },
	{ "'\\u20AC'", "\"\xe2\x82\xac\"" },
	{ "'\\u0041\\q'", "\"Aq\"" }, /* an unknown escape is the character itself, as in JavaScript */
	{ "'\\x41\\xe9\\x7E'", "\"A\xc3\xa9~\"" },
	{ "'line\\\ncontinued'", "\"linecontinued\"" },
	{ "`tick\\`s`", "\"tick`s\"" },
	{ "'r\\rb\\bf\\fv\\v'", "\"r\\x0db\\x08f\\x0cv\\x0b\"" },
	{ "'caf\xc3\xa9 raw'", "\"caf\xc3\xa9 raw\"" },
	/* trailing commas */
	{ "{a: 1,}", "{a:1=1}" },
	{ "[1, 2, ]", "[1=1,2=2]" },
	{ "{a: [\"x\",],\n}", "{a:[\"x\"]}" },
	/* comments */
	{ "// lead\n{a: 1}", "{a:1=1}" },
	{ "{ // type\n  type: 'view', // trailing\n}", "{type:\"view\"}" },
	{ "{ /* one */ a /* two */ : /* three */ 1 /* four */ }", "{a:1=1}" },
	{ "{a: 1 /* multi\nline\n*/, b: 2}", "{a:1=1,b:2=2}" },
	{ "[/**/1/***/]", "[1=1]" },
	{ "{a: 'not // a comment', b: \"nor /* this */\"}", "{a:\"not // a comment\",b:\"nor /* this */\"}" },
	/* nesting */
	{ "{a: {b: {c: [1, [2, {d: null}]]}}}", "{a:{b:{c:[1=1,[2=2,{d:null}]]}}}" },
	{ "[[], {}, [[]]]", "[[],{},[[]]]" },
	{ "{columns: {id: \"the key\", name: {description: \"who\"}}}",
	  "{columns:{id:\"the key\",name:{description:\"who\"}}}" },
	/* numbers */
	{ "0", "0=0" },
	{ "42", "42=42" },
	{ "-7", "-7=-7" },
	{ "+3", "+3=3" },
	{ "3.25", "3.25=3.25" },
	{ ".5", ".5=0.5" },
	{ "1e3", "1e3=1000" },
	{ "0x1F", "0x1F=31" },
	/* keywords */
	{ "true", "true" },
	{ "false", "false" },
	{ "null", "null" },
	{ "undefined", "null" },
	{ "{a: true, b: false, c: null}", "{a:true,b:false,c:null}" },
	/* white space of every kind */
	{ " \t\r\n\f\v{\r\n a\t:\r\n 1 }", "{a:1=1}" },
	/* a realistic config */
	{ "{\n  type: \"incremental\",\n  uniqueKey: [\"id\"],\n  bigquery: { partitionBy: \"DATE(ts)\", clusterBy: "
	  "[\"id\", ], },\n  assertions: { nonNull: 'id', rowConditions: [`id > 0`] },\n}",
	  "{type:\"incremental\",uniqueKey:[\"id\"],bigquery:{partitionBy:\"DATE(ts)\",clusterBy:[\"id\"]},"
	  "assertions:{nonNull:\"id\",rowConditions:[\"id > 0\"]}}" },
};

typedef struct lit_bad {
	const char *src;
	int line, col;
	const char *msg;
} lit_bad;

static const lit_bad literal_bad[] = {
	/* unterminated strings: at the opening quote */
	{ "{a: \"abc", 1, 5, "unterminated string" },
	{ "{a: 'abc\n'}", 1, 5, "unterminated string" },
	{ "{\n  a: 'x',\n  b: \"y}", 3, 6, "unterminated string" },
	{ "{a: `abc", 1, 5, "unterminated template string" },
	{ "{a: 'ab\\", 1, 9, "unterminated string" },
	{ "{\"key", 1, 2, "unterminated string" },
	/* missing commas */
	{ "{a: 1 b: 2}", 1, 7, "expected \",\" or \"}\", found \"b\"" },
	{ "{\n  a: 1\n  b: 2\n}", 3, 3, "expected \",\" or \"}\", found \"b\"" },
	{ "[1 2]", 1, 4, "expected \",\" or \"]\", found \"2\"" },
	{ "{a: [1, 2}", 1, 10, "expected \",\" or \"]\", found \"}\"" },
	{ "{a: 1", 1, 6, "expected \",\" or \"}\", found the end of the file" },
	{ "{a 1}", 1, 4, "expected \":\", found \"1\"" },
	{ "{a}", 1, 2, "shorthand property \"a\" is not supported: write a: VALUE" },
	{ "{, a: 1}", 1, 2, "expected a property name or \"}\", found \",\"" },
	{ "[1,,2]", 1, 4, "expected a value, found \",\"" },
	{ "", 1, 1, "expected a value, found the end of the file" },
	{ "{a: }", 1, 5, "expected a value, found \"}\"" },
	{ "{a: @}", 1, 5, "expected a value, found \"@\"" },
	{ "{a:\n\x01}", 2, 1, "expected a value, found byte 0x01" },
	/* duplicate keys: at the second one */
	{ "{a: 1, a: 2}", 1, 8, "\"a\" is given twice (first at line 1)" },
	{ "{\n  type: 'table',\n  'type': 'view'\n}", 3, 3, "\"type\" is given twice (first at line 2)" },
	{ "{a: {b: 1, c: 2, b: 3}}", 1, 18, "\"b\" is given twice (first at line 1)" },
	/* ${} in a template string */
	{ "{a: `x${y}`}", 1, 7, "${...} inside a config value is not supported: config holds literals only" },
	{ "{\n a: `first\n line ${ref('x')}`}", 3, 7,
	  "${...} inside a config value is not supported: config holds literals only" },
	/* JavaScript in config */
	{ "{a: foo()}", 1, 5,
	  "\"foo\" is JavaScript that sigma does not run: config holds literals only (strings, numbers, booleans, "
	  "arrays, objects)" },
	{ "{name: someVariable}", 1, 8,
	  "\"someVariable\" is JavaScript that sigma does not run: config holds literals only (strings, numbers, "
	  "booleans, arrays, objects)" },
	{ "{a: dataform.projectConfig.vars.x}", 1, 5,
	  "\"dataform\" is JavaScript that sigma does not run: config holds literals only (strings, numbers, "
	  "booleans, arrays, objects)" },
	{ "{a: 1 + 2}", 1, 7, "expected \",\" or \"}\", found \"+\"" },
	/* comments */
	{ "{a: 1 /* never closed", 1, 7, "unterminated /* comment" },
	{ "{\n  a: 1,\n  /* x\n  *\n", 3, 3, "unterminated /* comment" },
	{ "/*/", 1, 1, "unterminated /* comment" },
	/* escapes */
	{ "'\\u00G0'", 1, 6, "expected four hex digits after \\u" },
	{ "'\\u12'", 1, 6, "expected four hex digits after \\u" },
	{ "'\\u0000'", 1, 8, "\\u0000 is not supported in a string" },
	{ "'\\x4'", 1, 5, "expected two hex digits after \\x" },
	{ "`\\xg0`", 1, 4, "expected two hex digits after \\x" },
	{ "'\\x00'", 1, 6, "\\x00 is not supported in a string" },
	{ "'\\uD800'", 1, 8, "\\uD800 is not supported in a string" },
	{ "'a\\0b'", 1, 1, "a string may not hold a NUL character" },
	/* numbers */
	{ "12abc", 1, 6, "\"12abc\" is not a number" },
	{ "{a: 1.2.3}", 1, 10, "\"1.2.3\" is not a number" },
	{ "-", 1, 2, "\"-\" is not a number" },
};

static void lit_parse(const char *src, sg_arena *a, sg_jscur *c, sg_jsv **v, int *rc)
{
	sg_jscur_init(c, "definitions/t.sqlx", src, strlen(src));
	*rc = sg_js_parse_literal(a, c, v);
}

static void test_literal_accepts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(literal_ok) / sizeof(literal_ok[0]); i++) {
		const lit_ok *t = &literal_ok[i];
		sg_arena a = SG_ARENA_INIT;
		sg_jscur c;
		sg_jsv *v = NULL;
		int rc;
		lit_parse(t->src, &a, &c, &v, &rc);
		if (rc != 0)
			fail_msg("case %zu <%s>: refused at %d:%d: %s", i, t->src, c.errpos.line, c.errpos.col, c.errmsg);
		sg_buf b = SG_BUF_INIT;
		dump_jsv(&b, v);
		if (strcmp(sg_buf_cstr(&b), t->dump))
			fail_msg("case %zu <%s>:\n  got  %s\n  want %s", i, t->src, sg_buf_cstr(&b), t->dump);
		/* the whole value was read (only trailing blanks may remain) */
		assert_int_equal(sg_jscur_skip_space(&c), 0);
		assert_int_equal(c.i, strlen(t->src));
		sg_buf_free(&b);
		sg_arena_free(&a);
	}
}

static void test_literal_refuses(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(literal_bad) / sizeof(literal_bad[0]); i++) {
		const lit_bad *t = &literal_bad[i];
		sg_arena a = SG_ARENA_INIT;
		sg_jscur c;
		sg_jsv *v = NULL;
		int rc;
		lit_parse(t->src, &a, &c, &v, &rc);
		if (rc != -1)
			fail_msg("case %zu <%s>: accepted", i, t->src);
		if (c.errpos.line != t->line || c.errpos.col != t->col || strcmp(c.errmsg, t->msg))
			fail_msg("case %zu <%s>:\n  got  %d:%d: %s\n  want %d:%d: %s", i, t->src, c.errpos.line,
				 c.errpos.col, c.errmsg, t->line, t->col, t->msg);
		assert_string_equal(c.errpos.file, "definitions/t.sqlx");
		sg_arena_free(&a);
	}
}

/* Positions of values and keys, counted in characters (UTF-8 aware). */
static void test_literal_positions(void **state)
{
	(void)state;
	const char *src = "{\n  \"caf\xc3\xa9\": 'cr\xc3\xa8me',\n  b: [1,\n    true],\n}";
	sg_arena a = SG_ARENA_INIT;
	sg_jscur c;
	sg_jsv *v = NULL;
	int rc;
	lit_parse(src, &a, &c, &v, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(v->pos.line, 1);
	assert_int_equal(v->pos.col, 1);
	assert_int_equal(v->n, 2);
	assert_int_equal(v->props[0].pos.line, 2);
	assert_int_equal(v->props[0].pos.col, 3);
	const sg_jsv *s = sg_jsv_get(v, "caf\xc3\xa9");
	assert_non_null(s);
	assert_int_equal(s->pos.line, 2);
	assert_int_equal(s->pos.col, 11); /* "café" is 6 characters, 7 bytes */
	const sg_jsv *b = sg_jsv_get(v, "b");
	assert_int_equal(b->kind, SG_JS_ARR);
	assert_int_equal(b->items[1]->pos.line, 4);
	assert_int_equal(b->items[1]->pos.col, 5);
	assert_null(sg_jsv_get(v, "missing"));
	assert_null(sg_jsv_get(b, "b")); /* not an object */
	assert_string_equal(sg_js_kind_name(SG_JS_ARR), "an array");
	sg_arena_free(&a);

	/* an error after a multi-byte character counts it as one column */
	const char *bad = "{\"\xc3\xa9\xc3\xa9\": 1 2}";
	sg_arena a2 = SG_ARENA_INIT;
	lit_parse(bad, &a2, &c, &v, &rc);
	assert_int_equal(rc, -1);
	assert_int_equal(c.errpos.line, 1);
	assert_int_equal(c.errpos.col, 10);
	sg_arena_free(&a2);
}

/* Nesting: 64 levels are read, one more is refused (no runaway recursion). */
static void test_literal_depth(void **state)
{
	(void)state;
	for (int levels = 63; levels <= 66; levels++) {
		sg_buf src = SG_BUF_INIT;
		for (int i = 0; i < levels; i++)
			sg_buf_putc(&src, '[');
		sg_buf_putc(&src, '1');
		for (int i = 0; i < levels; i++)
			sg_buf_putc(&src, ']');
		sg_arena a = SG_ARENA_INIT;
		sg_jscur c;
		sg_jsv *v = NULL;
		int rc;
		lit_parse(src.ptr, &a, &c, &v, &rc);
		if (levels <= 64) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(c.errmsg, "values nested more than 64 deep");
			assert_int_equal(c.errpos.line, 1);
			assert_int_equal(c.errpos.col, 66); /* the value at depth 65 */
		}
		sg_buf_free(&src);
		sg_arena_free(&a);
	}
	/* objects count too, and a huge nesting fails fast instead of overflowing the stack */
	sg_buf src = SG_BUF_INIT;
	for (int i = 0; i < 100000; i++)
		sg_buf_puts(&src, "{a:");
	sg_arena a = SG_ARENA_INIT;
	sg_jscur c;
	sg_jsv *v = NULL;
	int rc;
	lit_parse(src.ptr, &a, &c, &v, &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(c.errmsg, "values nested more than 64 deep");
	assert_int_equal(c.errpos.col, 65 * 3 + 1);
	sg_buf_free(&src);
	sg_arena_free(&a);
}

/* The literal ends where it ends: what follows is left for the caller. */
static void test_literal_stops_after_value(void **state)
{
	(void)state;
	const char *src = "{a: 1}\nSELECT 1";
	sg_arena a = SG_ARENA_INIT;
	sg_jscur c;
	sg_jsv *v = NULL;
	int rc;
	lit_parse(src, &a, &c, &v, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(c.i, 6);
	assert_int_equal(c.line, 1);
	assert_int_equal(c.col, 7);
	sg_arena_free(&a);
}

/* ---------------------------------------------------------- expressions */

typedef struct ex_ok {
	const char *src; /* what follows the ${ */
	const char *dump;
	const char *rest; /* what is left after the closing } */
} ex_ok;

static const ex_ok expr_ok[] = {
	/* ref with 1-3 arguments and with an object */
	{ "ref(\"orders\")}", "(ref \"orders\")", "" },
	{ "ref('sales', 'orders')} AS o", "(ref \"sales\" \"orders\")", " AS o" },
	{ "ref(\"proj\", \"sales\", \"orders\")}", "(ref \"proj\" \"sales\" \"orders\")", "" },
	{ "ref({schema: \"sales\", name: 'orders'})}", "(ref (obj schema:\"sales\" name:\"orders\"))", "" },
	{ "ref({ 'database': `p`, schema: \"s\", name: \"n\", })}",
	  "(ref (obj database:(tmpl \"p\") schema:\"s\" name:\"n\"))", "" },
	{ " ref ( \"a\" , ) }", "(ref \"a\")", "" },
	{ "resolve(\"a\")}", "(resolve \"a\")", "" },
	{ "ref(`orders`)}", "(ref (tmpl \"orders\"))", "" },
	/* the functions without arguments */
	{ "self()}", "(self)", "" },
	{ "name()}", "(name)", "" },
	{ "database()}.${schema()}", "(database)", ".${schema()}" },
	{ "incremental()}", "(incremental)", "" },
	/* when() */
	{ "when(incremental(), \"WHERE ts > 0\")}", "(when (incremental) \"WHERE ts > 0\")", "" },
	{ "when(incremental(), `WHERE ts > (SELECT MAX(ts) FROM ${self()})`, '')}",
	  "(when (incremental) (tmpl \"WHERE ts > (SELECT MAX(ts) FROM \" (self) \")\") \"\")", "" },
	/* ternary */
	{ "incremental() ? \"a\" : \"b\"}", "(cond (incremental) \"a\" \"b\")", "" },
	{ "true ? false ? 1 : 2 : 3}", "(cond true (cond false 1 2) 3)", "" },
	{ "(incremental()) ? (\"x\") : null}", "(cond (incremental) \"x\" null)", "" },
	/* === and !== (and == / != read the same) */
	{ "dataform.projectConfig.vars.env === \"prod\"}", "(eq (var env) \"prod\")", "" },
	{ "dataform.projectConfig.vars.env !== 'dev'}", "(ne (var env) \"dev\")", "" },
	{ "1 == 1}", "(eq 1 1)", "" },
	{ "1 != 2}", "(ne 1 2)", "" },
	/* && || ! and their precedence */
	{ "true && false}", "(and true false)", "" },
	{ "true || false && false}", "(or true (and false false))", "" },
	{ "!incremental()}", "(not (incremental))", "" },
	{ "!!true}", "(not (not true))", "" },
	{ "!true === false}", "(eq (not true) false)", "" },
	{ "incremental() && dataform.projectConfig.vars.x === 'y' ? `a` : `b`}",
	  "(cond (and (incremental) (eq (var x) \"y\")) (tmpl \"a\") (tmpl \"b\"))", "" },
	/* nested template strings with ${} inside */
	{ "`${`${\"deep\"}`}`}", "(tmpl \"\" (tmpl \"\" \"deep\" \"\") \"\")", "" },
	{ "`a${ref(`b${name()}c`)}d`}", "(tmpl \"a\" (ref (tmpl \"b\" (name) \"c\")) \"d\")", "" },
	{ "`line1\nline2 ${'x'} }`}", "(tmpl \"line1\\nline2 \" \"x\" \" }\")", "" },
	{ "`esc \\` \\${x}`}", "(tmpl \"esc ` ${x}\")", "" },
	/* dataform.projectConfig */
	{ "dataform.projectConfig.vars.start_date}", "(var start_date)", "" },
	{ "dataform.projectConfig.vars[\"start-date\"]}", "(var start-date)", "" },
	{ "dataform.projectConfig.defaultSchema}", "(conf defaultSchema)", "" },
	/* literals */
	{ "'plain'}", "\"plain\"", "" },
	{ "42}", "42", "" },
	{ "null}", "null", "" },
	{ "undefined}", "null", "" },
	{ "/* c */ true // line\n}", "true", "" },
};

typedef struct ex_bad {
	const char *src;
	int line, col;
	const char *msg;
} ex_bad;

static const ex_bad expr_bad[] = {
	/* unknown functions: the message names the supported ones */
	{ "foo()}", 1, 1,
	  "JavaScript function foo() is not supported (sigma supports ref, resolve, self, name, incremental, when, "
	  "database, schema)" },
	{ "ref(\"a\") + foo(1)}", 1, 10, "expected \"}\" closing ${, found \"+\"" },
	{ "when(bar(), 'x')}", 1, 6,
	  "JavaScript function bar() is not supported (sigma supports ref, resolve, self, name, incremental, when, "
	  "database, schema)" },
	{ "a_var() ? 1 : 2}", 1, 1,
	  "JavaScript function a_var() is not supported (sigma supports ref, resolve, self, name, incremental, when, "
	  "database, schema)" },
	/* wrong arity: at the function name */
	{ "self(1)}", 1, 1, "self() takes 0 arguments, not 1" },
	{ "  name('x', 'y')}", 1, 3, "name() takes 0 arguments, not 2" },
	{ "ref()}", 1, 1, "ref() takes 1 to 3 arguments, not 0" },
	{ "ref('a', 'b', 'c', 'd')}", 1, 1, "ref() takes 1 to 3 arguments, not 4" },
	{ "when(true)}", 1, 1, "when() takes 2 to 3 arguments, not 1" },
	{ "incremental(true)}", 1, 1, "incremental() takes 0 arguments, not 1" },
	/* bare identifiers and other JavaScript */
	{ "tableName}", 1, 1,
	  "JavaScript name \"tableName\" is not supported (sigma supports the functions ref, resolve, self, name, "
	  "incremental, when, database, schema and dataform.projectConfig.vars.NAME)" },
	{ "\n  x === 1}", 2, 3,
	  "JavaScript name \"x\" is not supported (sigma supports the functions ref, resolve, self, name, "
	  "incremental, when, database, schema and dataform.projectConfig.vars.NAME)" },
	{ "!a_b === 1}", 1, 2,
	  "JavaScript name \"a_b\" is not supported (sigma supports the functions ref, resolve, self, name, "
	  "incremental, when, database, schema and dataform.projectConfig.vars.NAME)" },
	{ "dataform . projectConfig}", 1, 1,
	  "only dataform.projectConfig.vars.NAME and dataform.projectConfig.FIELD are supported here" },
	{ "dataform.projectConfig.vars}", 1, 1,
	  "only dataform.projectConfig.vars.NAME and dataform.projectConfig.FIELD are supported here" },
	{ "dataform.projectConfig.vars.x.length}", 1, 1,
	  "only dataform.projectConfig.vars.NAME and dataform.projectConfig.FIELD are supported here" },
	{ "dataform.projectConfig.vars.x()}", 1, 1,
	  "only dataform.projectConfig.vars.NAME and dataform.projectConfig.FIELD are supported here" },
	{ "dataform.projectConfig.vars[x]}", 1, 1, "expected [\"NAME\"] after vars" },
	{ "dataform.}", 1, 10, "expected a property name, found \"}\"" },
	{ "-1}", 1, 1, "expected an expression, found \"-\"" },
	{ "}", 1, 1, "expected an expression, found \"}\"" },
	/* unclosed ${ */
	{ "ref('a')", 1, 9, "expected \"}\" closing ${, found the end of the file" },
	{ "ref('a')\nFROM x", 2, 1, "expected \"}\" closing ${, found \"F\"" },
	{ "", 1, 1, "expected an expression, found the end of the file" },
	{ "ref('a'", 1, 8, "expected \",\" or \")\", found the end of the file" },
	{ "`abc${x", 1, 7, "JavaScript name \"x\" is not supported (sigma supports the functions ref, resolve, self, "
			   "name, incremental, when, database, schema and dataform.projectConfig.vars.NAME)" },
	{ "`abc${'x'", 1, 10, "expected \"}\" closing ${, found the end of the file" },
	{ "`abc", 1, 1, "unterminated template string" },
	{ "'abc}", 1, 1, "unterminated string" },
	/* ternary and objects */
	{ "true ? 1}", 1, 9, "expected \":\" of a ?: expression, found \"}\"" },
	{ "ref({schema 's'})}", 1, 13, "expected \":\", found \"'\"" },
	{ "ref({1: 's'})}", 1, 6, "expected a property name or \"}\", found \"1\"" },
	{ "(true}", 1, 6, "expected \")\", found \"}\"" },
	{ "true /* open}", 1, 6, "unterminated /* comment" },
};

static void sub_parse(const char *src, sg_arena *a, sg_jscur *c, sg_jexpr **e, int *rc)
{
	sg_jscur_init(c, "definitions/t.sqlx", src, strlen(src));
	*rc = sg_js_parse_subst(a, c, e);
}

static void test_expr_accepts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(expr_ok) / sizeof(expr_ok[0]); i++) {
		const ex_ok *t = &expr_ok[i];
		sg_arena a = SG_ARENA_INIT;
		sg_jscur c;
		sg_jexpr *e = NULL;
		int rc;
		sub_parse(t->src, &a, &c, &e, &rc);
		if (rc != 0)
			fail_msg("case %zu <%s>: refused at %d:%d: %s", i, t->src, c.errpos.line, c.errpos.col, c.errmsg);
		sg_buf b = SG_BUF_INIT;
		dump_expr(&b, e);
		if (strcmp(sg_buf_cstr(&b), t->dump))
			fail_msg("case %zu <%s>:\n  got  %s\n  want %s", i, t->src, sg_buf_cstr(&b), t->dump);
		if (strcmp(t->src + c.i, t->rest))
			fail_msg("case %zu <%s>: left <%s>, want <%s>", i, t->src, t->src + c.i, t->rest);
		sg_buf_free(&b);
		sg_arena_free(&a);
	}
}

static void test_expr_refuses(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(expr_bad) / sizeof(expr_bad[0]); i++) {
		const ex_bad *t = &expr_bad[i];
		sg_arena a = SG_ARENA_INIT;
		sg_jscur c;
		sg_jexpr *e = NULL;
		int rc;
		sub_parse(t->src, &a, &c, &e, &rc);
		if (rc != -1)
			fail_msg("case %zu <%s>: accepted", i, t->src);
		if (c.errpos.line != t->line || c.errpos.col != t->col || strcmp(c.errmsg, t->msg))
			fail_msg("case %zu <%s>:\n  got  %d:%d: %s\n  want %d:%d: %s", i, t->src, c.errpos.line,
				 c.errpos.col, c.errmsg, t->line, t->col, t->msg);
		sg_arena_free(&a);
	}
}

/* Positions inside an expression: a call, its arguments, a template's parts. */
static void test_expr_positions(void **state)
{
	(void)state;
	const char *src = "when(\n  incremental(),\n  `x ${self()}`)}";
	sg_arena a = SG_ARENA_INIT;
	sg_jscur c;
	sg_jexpr *e = NULL;
	int rc;
	sub_parse(src, &a, &c, &e, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(e->kind, SG_JE_CALL);
	assert_int_equal(e->pos.line, 1);
	assert_int_equal(e->pos.col, 1);
	assert_int_equal(e->n, 2);
	assert_int_equal(e->args[0]->pos.line, 2);
	assert_int_equal(e->args[0]->pos.col, 3);
	const sg_jexpr *t = e->args[1];
	assert_int_equal(t->kind, SG_JE_TEMPLATE);
	assert_int_equal(t->pos.line, 3);
	assert_int_equal(t->pos.col, 3);
	assert_int_equal(t->n, 3);
	assert_int_equal(t->args[1]->kind, SG_JE_CALL);
	assert_int_equal(t->args[1]->pos.col, 8);
	assert_int_equal(c.line, 3);
	assert_int_equal(c.col, 18);
	sg_arena_free(&a);
}

/* Deep expressions are refused, not a stack overflow: (((, !!!, nested templates, calls. */
static void test_expr_depth(void **state)
{
	(void)state;
	static const char *const opens[] = { "(", "!", "`${", "ref(", "ref({a:", "1&&", "1||", "1===", "1!==", "1?1:" };
	for (size_t k = 0; k < sizeof(opens) / sizeof(opens[0]); k++) {
		sg_buf src = SG_BUF_INIT;
		for (int i = 0; i < 50000; i++)
			sg_buf_puts(&src, opens[k]);
		sg_arena a = SG_ARENA_INIT;
		sg_jscur c;
		sg_jexpr *e = NULL;
		int rc;
		sub_parse(src.ptr, &a, &c, &e, &rc);
		assert_int_equal(rc, -1);
		if (!strstr(c.errmsg, "expression nested more than 64 deep"))
			fail_msg("<%s...>: %s", opens[k], c.errmsg);
		sg_buf_free(&src);
		sg_arena_free(&a);
	}
	/* an operator chain nests too: 63 operators are read; with 64 the last operand is 65 deep */
	for (int ops = 63; ops <= 64; ops++) {
		sg_buf chain = SG_BUF_INIT;
		for (int i = 0; i < ops; i++)
			sg_buf_puts(&chain, "1&&");
		sg_buf_puts(&chain, "1}");
		sg_arena a = SG_ARENA_INIT;
		sg_jscur c;
		sg_jexpr *e = NULL;
		int rc;
		sub_parse(chain.ptr, &a, &c, &e, &rc);
		if (ops == 63) {
			assert_int_equal(rc, 0);
			assert_int_equal(e->kind, SG_JE_AND);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(c.errmsg, "expression nested more than 64 deep");
			assert_int_equal(c.errpos.col, 3 * 64 + 1);
		}
		sg_buf_free(&chain);
		sg_arena_free(&a);
	}
	/* a moderate nesting is fine */
	sg_buf src = SG_BUF_INIT;
	for (int i = 0; i < 20; i++)
		sg_buf_puts(&src, "(");
	sg_buf_puts(&src, "true");
	for (int i = 0; i < 20; i++)
		sg_buf_puts(&src, ")");
	sg_buf_puts(&src, "}");
	sg_arena a = SG_ARENA_INIT;
	sg_jscur c;
	sg_jexpr *e = NULL;
	int rc;
	sub_parse(src.ptr, &a, &c, &e, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(e->kind, SG_JE_BOOL);
	sg_buf_free(&src);
	sg_arena_free(&a);
}

/* The cursor: lines, UTF-8 columns, peeking past the end. */
static void test_cursor(void **state)
{
	(void)state;
	sg_jscur c;
	const char *s = "a\xc3\xa9\nb";
	sg_jscur_init(&c, "f", s, strlen(s));
	assert_int_equal(sg_jscur_peek(&c), 'a');
	assert_int_equal(sg_jscur_peek2(&c), 0xc3);
	sg_jscur_next(&c);
	sg_jscur_next(&c);
	sg_jscur_next(&c);
	assert_int_equal(c.col, 3);
	sg_jscur_next(&c);
	assert_int_equal(c.line, 2);
	assert_int_equal(c.col, 1);
	sg_jscur_next(&c);
	assert_int_equal(sg_jscur_peek(&c), 0);
	assert_int_equal(sg_jscur_peek2(&c), 0);
	sg_jscur_next(&c); /* past the end: stays */
	assert_int_equal(c.i, strlen(s));
	sg_pos p = sg_jscur_pos(&c);
	assert_int_equal(p.line, 2);
	assert_int_equal(p.col, 2);
	assert_int_equal(sg_jscur_fail(&c, NULL, "x %d", 1), -1);
	assert_string_equal(c.errmsg, "x 1");
	assert_int_equal(c.errpos.col, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_accepts),	 cmocka_unit_test(test_literal_refuses),
		cmocka_unit_test(test_literal_positions), cmocka_unit_test(test_literal_depth),
		cmocka_unit_test(test_literal_stops_after_value), cmocka_unit_test(test_expr_accepts),
		cmocka_unit_test(test_expr_refuses),	 cmocka_unit_test(test_expr_positions),
		cmocka_unit_test(test_expr_depth),	 cmocka_unit_test(test_cursor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
