#include "pipeline/sqlx_js.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- cursor */

void sg_jscur_init(sg_jscur *c, const char *file, const char *s, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->file = file;
	c->s = s;
	c->len = len;
	c->line = 1;
	c->col = 1;
}

int sg_jscur_peek(const sg_jscur *c)
{
	return c->i < c->len ? (unsigned char)c->s[c->i] : 0;
}

int sg_jscur_peek2(const sg_jscur *c)
{
	return c->i + 1 < c->len ? (unsigned char)c->s[c->i + 1] : 0;
}

void sg_jscur_next(sg_jscur *c)
{
	if (c->i >= c->len)
		return;
	unsigned char ch = (unsigned char)c->s[c->i++];
	if (ch == '\n') {
		c->line++;
		c->col = 1;
	} else if ((ch & 0xC0) != 0x80) {
		c->col++;
	}
}

sg_pos sg_jscur_pos(const sg_jscur *c)
{
	sg_pos p = { c->file, c->line, c->col };
	return p;
}

int sg_jscur_fail(sg_jscur *c, const sg_pos *pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
	c->errpos = pos ? *pos : sg_jscur_pos(c);
	return -1;
}

int sg_jscur_skip_space(sg_jscur *c)
{
	for (;;) {
		int ch = sg_jscur_peek(c);
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v') {
			sg_jscur_next(c);
		} else if (ch == '/' && sg_jscur_peek2(c) == '/') {
			while (sg_jscur_peek(c) && sg_jscur_peek(c) != '\n')
				sg_jscur_next(c);
		} else if (ch == '/' && sg_jscur_peek2(c) == '*') {
			sg_pos start = sg_jscur_pos(c);
			sg_jscur_next(c);
			sg_jscur_next(c);
			while (!(sg_jscur_peek(c) == '*' && sg_jscur_peek2(c) == '/')) {
				if (!sg_jscur_peek(c))
					return sg_jscur_fail(c, &start, "unterminated /* comment");
				sg_jscur_next(c);
			}
			sg_jscur_next(c);
			sg_jscur_next(c);
		} else {
			return 0;
		}
	}
}

/* ---------------------------------------------------------------- tokens */

static bool is_ident_start(int ch)
{
	return isalpha(ch) || ch == '_' || ch == '$';
}

static bool is_ident_char(int ch)
{
	return isalnum(ch) || ch == '_' || ch == '$';
}

static const char *read_ident(sg_arena *a, sg_jscur *c)
{
	size_t start = c->i;
	while (is_ident_char(sg_jscur_peek(c)))
		sg_jscur_next(c);
	return sg_arena_strndup(a, c->s + start, c->i - start);
}

static const char *describe_char(int ch, char *buf, size_t n)
{
	if (!ch)
		return "the end of the file";
	if (ch == '\n')
		return "a line break";
	if (ch >= 0x20 && ch < 0x7f)
		snprintf(buf, n, "\"%c\"", ch);
	else
		snprintf(buf, n, "byte 0x%02x", ch);
	return buf;
}

static int fail_unexpected(sg_jscur *c, const char *expected)
{
	char buf[16];
	return sg_jscur_fail(c, NULL, "expected %s, found %s", expected, describe_char(sg_jscur_peek(c), buf, sizeof buf));
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static void put_utf8(sg_buf *b, unsigned cp)
{
	if (cp < 0x80) {
		sg_buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		sg_buf_putc(b, (char)(0xC0 | (cp >> 6)));
		sg_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		sg_buf_putc(b, (char)(0xE0 | (cp >> 12)));
		sg_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		sg_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/*
 * An escape after a backslash (the cursor is on the backslash), appended
 * decoded to `b`.
 */
static int read_escape(sg_jscur *c, sg_buf *b)
{
	sg_jscur_next(c);
	int ch = sg_jscur_peek(c);
	switch (ch) {
	case 'n': sg_buf_putc(b, '\n'); break;
	case 't': sg_buf_putc(b, '\t'); break;
	case 'r': sg_buf_putc(b, '\r'); break;
	case 'b': sg_buf_putc(b, '\b'); break;
	case 'f': sg_buf_putc(b, '\f'); break;
	case 'v': sg_buf_putc(b, '\v'); break;
	case '0': sg_buf_putc(b, '\0'); break;
	case '\n': break; /* a line continuation */
	case 'x': {
		unsigned cp = 0;
		sg_jscur_next(c);
		for (int k = 0; k < 2; k++) {
			int h = hexval(sg_jscur_peek(c));
			if (h < 0)
				return sg_jscur_fail(c, NULL, "expected two hex digits after \\x");
			cp = cp * 16 + (unsigned)h;
			sg_jscur_next(c);
		}
		if (cp == 0)
			return sg_jscur_fail(c, NULL, "\\x00 is not supported in a string");
		put_utf8(b, cp);
		return 0;
	}
	case 'u': {
		unsigned cp = 0;
		sg_jscur_next(c);
		for (int k = 0; k < 4; k++) {
			int h = hexval(sg_jscur_peek(c));
			if (h < 0)
				return sg_jscur_fail(c, NULL, "expected four hex digits after \\u");
			cp = cp * 16 + (unsigned)h;
			sg_jscur_next(c);
		}
		if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
			return sg_jscur_fail(c, NULL, "\\u%04X is not supported in a string", cp);
		put_utf8(b, cp);
		return 0;
	}
	case 0:
		return sg_jscur_fail(c, NULL, "unterminated string");
	default:
		sg_buf_putc(b, (char)ch);
		break;
	}
	sg_jscur_next(c);
	return 0;
}

/* A '' or "" string at the cursor, decoded. */
static int read_quoted(sg_arena *a, sg_jscur *c, const char **out, size_t *outlen)
{
	int q = sg_jscur_peek(c);
	sg_pos start = sg_jscur_pos(c);
	sg_buf b = SG_BUF_INIT;
	sg_jscur_next(c);
	for (;;) {
		int ch = sg_jscur_peek(c);
		if (!ch || ch == '\n') {
			sg_buf_free(&b);
			return sg_jscur_fail(c, &start, "unterminated string");
		}
		if (ch == q)
			break;
		if (ch == '\\') {
			if (read_escape(c, &b) < 0) {
				sg_buf_free(&b);
				return -1;
			}
			continue;
		}
		sg_buf_putc(&b, (char)ch);
		sg_jscur_next(c);
	}
	sg_jscur_next(c);
	if (memchr(b.ptr ? b.ptr : "", '\0', b.len)) {
		sg_buf_free(&b);
		return sg_jscur_fail(c, &start, "a string may not hold a NUL character");
	}
	*outlen = b.len;
	*out = sg_arena_strndup(a, sg_buf_cstr(&b), b.len);
	sg_buf_free(&b);
	return 0;
}

static int read_number(sg_arena *a, sg_jscur *c, const char **text, double *num)
{
	size_t start = c->i;
	if (sg_jscur_peek(c) == '-' || sg_jscur_peek(c) == '+')
		sg_jscur_next(c);
	while (isalnum(sg_jscur_peek(c)) || sg_jscur_peek(c) == '.')
		sg_jscur_next(c);
	char *t = sg_arena_strndup(a, c->s + start, c->i - start);
	char *end = NULL;
	*num = strtod(t, &end);
	if (end == t || *end)
		return sg_jscur_fail(c, NULL, "\"%s\" is not a number", t);
	*text = t;
	return 0;
}

/* ---------------------------------------------------------------- literals */

const char *sg_js_kind_name(sg_js_kind k)
{
	switch (k) {
	case SG_JS_NULL: return "null";
	case SG_JS_BOOL: return "a boolean";
	case SG_JS_NUM: return "a number";
	case SG_JS_STR: return "a string";
	case SG_JS_ARR: return "an array";
	case SG_JS_OBJ: return "an object";
	}
	return "?";
}

const sg_jsv *sg_jsv_get(const sg_jsv *obj, const char *key)
{
	if (!obj || obj->kind != SG_JS_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++) {
		if (!strcmp(obj->props[i].key, key))
			return obj->props[i].value;
	}
	return NULL;
}

#define JS_MAX_DEPTH 64

static int parse_literal(sg_arena *a, sg_jscur *c, sg_jsv **out, int depth);

static int parse_object(sg_arena *a, sg_jscur *c, sg_jsv *v, int depth)
{
	size_t cap = 0;
	sg_jscur_next(c); /* { */
	for (;;) {
		if (sg_jscur_skip_space(c) < 0)
			return -1;
		int ch = sg_jscur_peek(c);
		if (ch == '}') {
			sg_jscur_next(c);
			return 0;
		}
		sg_jsprop p;
		p.pos = sg_jscur_pos(c);
		if (ch == '"' || ch == '\'') {
			size_t len;
			if (read_quoted(a, c, &p.key, &len) < 0)
				return -1;
		} else if (is_ident_start(ch)) {
			p.key = read_ident(a, c);
		} else {
			return fail_unexpected(c, "a property name or \"}\"");
		}
		for (size_t i = 0; i < v->n; i++) {
			if (!strcmp(v->props[i].key, p.key))
				return sg_jscur_fail(c, &p.pos, "\"%s\" is given twice (first at line %d)", p.key,
						     v->props[i].pos.line);
		}
		if (sg_jscur_skip_space(c) < 0)
			return -1;
		if (sg_jscur_peek(c) != ':') {
			if (sg_jscur_peek(c) == ',' || sg_jscur_peek(c) == '}')
				return sg_jscur_fail(c, &p.pos,
						     "shorthand property \"%s\" is not supported: write %s: VALUE", p.key,
						     p.key);
			return fail_unexpected(c, "\":\"");
		}
		sg_jscur_next(c);
		if (parse_literal(a, c, &p.value, depth + 1) < 0)
			return -1;
		if (v->n == cap) {
			cap = cap ? cap * 2 : 8;
			sg_jsprop *np = sg_arena_alloc(a, cap * sizeof(*np));
			if (v->n)
				memcpy(np, v->props, v->n * sizeof(*np));
			v->props = np;
		}
		v->props[v->n++] = p;
		if (sg_jscur_skip_space(c) < 0)
			return -1;
		if (sg_jscur_peek(c) == ',') {
			sg_jscur_next(c);
			continue;
		}
		if (sg_jscur_peek(c) != '}')
			return fail_unexpected(c, "\",\" or \"}\"");
	}
}

static int parse_array(sg_arena *a, sg_jscur *c, sg_jsv *v, int depth)
{
	size_t cap = 0;
	sg_jscur_next(c); /* [ */
	for (;;) {
		if (sg_jscur_skip_space(c) < 0)
			return -1;
		if (sg_jscur_peek(c) == ']') {
			sg_jscur_next(c);
			return 0;
		}
		sg_jsv *item;
		if (parse_literal(a, c, &item, depth + 1) < 0)
			return -1;
		if (v->n == cap) {
			cap = cap ? cap * 2 : 8;
			sg_jsv **ni = sg_arena_alloc(a, cap * sizeof(*ni));
			if (v->n)
				memcpy(ni, v->items, v->n * sizeof(*ni));
			v->items = ni;
		}
		v->items[v->n++] = item;
		if (sg_jscur_skip_space(c) < 0)
			return -1;
		if (sg_jscur_peek(c) == ',') {
			sg_jscur_next(c);
			continue;
		}
		if (sg_jscur_peek(c) != ']')
			return fail_unexpected(c, "\",\" or \"]\"");
	}
}

/* A template string without substitutions, as a literal. */
static int read_plain_template(sg_arena *a, sg_jscur *c, const char **out, size_t *outlen)
{
	sg_pos start = sg_jscur_pos(c);
	sg_buf b = SG_BUF_INIT;
	sg_jscur_next(c);
	for (;;) {
		int ch = sg_jscur_peek(c);
		if (!ch) {
			sg_buf_free(&b);
			return sg_jscur_fail(c, &start, "unterminated template string");
		}
		if (ch == '`')
			break;
		if (ch == '$' && sg_jscur_peek2(c) == '{') {
			sg_buf_free(&b);
			return sg_jscur_fail(c, NULL, "${...} inside a config value is not supported: config holds literals only");
		}
		if (ch == '\\') {
			if (read_escape(c, &b) < 0) {
				sg_buf_free(&b);
				return -1;
			}
			continue;
		}
		sg_buf_putc(&b, (char)ch);
		sg_jscur_next(c);
	}
	sg_jscur_next(c);
	if (memchr(b.ptr ? b.ptr : "", '\0', b.len)) {
		sg_buf_free(&b);
		return sg_jscur_fail(c, &start, "a string may not hold a NUL character");
	}
	*outlen = b.len;
	*out = sg_arena_strndup(a, sg_buf_cstr(&b), b.len);
	sg_buf_free(&b);
	return 0;
}

static int parse_literal(sg_arena *a, sg_jscur *c, sg_jsv **out, int depth)
{
	if (sg_jscur_skip_space(c) < 0)
		return -1;
	if (depth > JS_MAX_DEPTH)
		return sg_jscur_fail(c, NULL, "values nested more than %d deep", JS_MAX_DEPTH);
	sg_jsv *v = sg_arena_alloc(a, sizeof(*v));
	memset(v, 0, sizeof(*v));
	v->pos = sg_jscur_pos(c);
	*out = v;
	int ch = sg_jscur_peek(c);
	if (ch == '{') {
		v->kind = SG_JS_OBJ;
		return parse_object(a, c, v, depth);
	}
	if (ch == '[') {
		v->kind = SG_JS_ARR;
		return parse_array(a, c, v, depth);
	}
	if (ch == '"' || ch == '\'') {
		v->kind = SG_JS_STR;
		return read_quoted(a, c, &v->str, &v->len);
	}
	if (ch == '`') {
		v->kind = SG_JS_STR;
		return read_plain_template(a, c, &v->str, &v->len);
	}
	if (isdigit(ch) || ch == '-' || ch == '+' || ch == '.') {
		v->kind = SG_JS_NUM;
		return read_number(a, c, &v->str, &v->num);
	}
	if (is_ident_start(ch)) {
		const char *id = read_ident(a, c);
		if (!strcmp(id, "true") || !strcmp(id, "false")) {
			v->kind = SG_JS_BOOL;
			v->b = id[0] == 't';
			return 0;
		}
		if (!strcmp(id, "null") || !strcmp(id, "undefined")) {
			v->kind = SG_JS_NULL;
			return 0;
		}
		return sg_jscur_fail(c, &v->pos,
				     "\"%s\" is JavaScript that sigma does not run: config holds literals only "
				     "(strings, numbers, booleans, arrays, objects)",
				     id);
	}
	return fail_unexpected(c, "a value");
}

int sg_js_parse_literal(sg_arena *a, sg_jscur *c, sg_jsv **out)
{
	return parse_literal(a, c, out, 0);
}

/* ------------------------------------------------------------- expressions */

static int parse_cond(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth);
static int parse_subst(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth);

static sg_jexpr *new_expr(sg_arena *a, sg_je_kind kind, sg_pos pos)
{
	sg_jexpr *e = sg_arena_alloc(a, sizeof(*e));
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->pos = pos;
	return e;
}

static void push_arg(sg_arena *a, sg_jexpr *e, sg_jexpr *arg, const char *key, size_t *cap)
{
	if (e->n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		sg_jexpr **na = sg_arena_alloc(a, *cap * sizeof(*na));
		const char **nk = sg_arena_alloc(a, *cap * sizeof(*nk));
		if (e->n) {
			memcpy(na, e->args, e->n * sizeof(*na));
			memcpy(nk, e->keys, e->n * sizeof(*nk));
		}
		e->args = na;
		e->keys = nk;
	}
	e->keys[e->n] = key;
	e->args[e->n++] = arg;
}

static sg_jexpr *binary(sg_arena *a, sg_je_kind kind, sg_pos pos, sg_jexpr *l, sg_jexpr *r)
{
	sg_jexpr *e = new_expr(a, kind, pos);
	size_t cap = 0;
	push_arg(a, e, l, NULL, &cap);
	push_arg(a, e, r, NULL, &cap);
	return e;
}

/* `...${x}...` at the cursor. */
static int parse_template(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth)
{
	sg_jexpr *e = new_expr(a, SG_JE_TEMPLATE, sg_jscur_pos(c));
	size_t cap = 0;
	sg_buf b = SG_BUF_INIT;
	sg_pos text_pos = sg_jscur_pos(c);
	sg_jscur_next(c);
	for (;;) {
		int ch = sg_jscur_peek(c);
		if (!ch) {
			sg_buf_free(&b);
			return sg_jscur_fail(c, &e->pos, "unterminated template string");
		}
		if (ch == '`' || (ch == '$' && sg_jscur_peek2(c) == '{')) {
			sg_jexpr *t = new_expr(a, SG_JE_STR, text_pos);
			t->len = b.len;
			t->str = sg_arena_strndup(a, sg_buf_cstr(&b), b.len);
			push_arg(a, e, t, NULL, &cap);
			sg_buf_clear(&b);
			if (ch == '`')
				break;
			sg_jscur_next(c);
			sg_jscur_next(c);
			sg_jexpr *sub;
			if (parse_subst(a, c, &sub, depth + 1) < 0) {
				sg_buf_free(&b);
				return -1;
			}
			push_arg(a, e, sub, NULL, &cap);
			text_pos = sg_jscur_pos(c);
			continue;
		}
		if (ch == '\\') {
			if (read_escape(c, &b) < 0) {
				sg_buf_free(&b);
				return -1;
			}
			continue;
		}
		sg_buf_putc(&b, (char)ch);
		sg_jscur_next(c);
	}
	sg_jscur_next(c);
	sg_buf_free(&b);
	*out = e;
	return 0;
}

static const struct {
	const char *name;
	int min, max;
} functions[] = {
	{ "ref", 1, 3 },  { "resolve", 1, 3 },	   { "self", 0, 0 }, { "name", 0, 0 },
	{ "incremental", 0, 0 }, { "when", 2, 3 }, { "database", 0, 0 }, { "schema", 0, 0 },
};

static int parse_call(sg_arena *a, sg_jscur *c, sg_jexpr *e, int depth)
{
	int fn = -1;
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
		if (!strcmp(functions[i].name, e->str))
			fn = (int)i;
	}
	if (fn < 0)
		return sg_jscur_fail(c, &e->pos,
				     "JavaScript function %s() is not supported (sigma supports " SG_JS_FUNCTIONS ")",
				     e->str);
	size_t cap = 0;
	sg_jscur_next(c); /* ( */
	for (;;) {
		if (sg_jscur_skip_space(c) < 0)
			return -1;
		if (sg_jscur_peek(c) == ')') {
			sg_jscur_next(c);
			break;
		}
		sg_jexpr *arg;
		if (parse_cond(a, c, &arg, depth + 1) < 0)
			return -1;
		push_arg(a, e, arg, NULL, &cap);
		if (sg_jscur_skip_space(c) < 0)
			return -1;
		if (sg_jscur_peek(c) == ',') {
			sg_jscur_next(c);
			continue;
		}
		if (sg_jscur_peek(c) != ')')
			return fail_unexpected(c, "\",\" or \")\"");
	}
	if ((int)e->n < functions[fn].min || (int)e->n > functions[fn].max) {
		if (functions[fn].min == functions[fn].max)
			return sg_jscur_fail(c, &e->pos, "%s() takes %d argument%s, not %zu", e->str,
					     functions[fn].min, functions[fn].min == 1 ? "" : "s", e->n);
		return sg_jscur_fail(c, &e->pos, "%s() takes %d to %d arguments, not %zu", e->str, functions[fn].min,
				     functions[fn].max, e->n);
	}
	return 0;
}

static int parse_object_expr(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth)
{
	sg_jexpr *e = new_expr(a, SG_JE_OBJ, sg_jscur_pos(c));
	size_t cap = 0;
	sg_jscur_next(c);
	for (;;) {
		if (sg_jscur_skip_space(c) < 0)
			return -1;
		int ch = sg_jscur_peek(c);
		if (ch == '}') {
			sg_jscur_next(c);
			break;
		}
		const char *key;
		if (ch == '"' || ch == '\'') {
			size_t len;
			if (read_quoted(a, c, &key, &len) < 0)
				return -1;
		} else if (is_ident_start(ch)) {
			key = read_ident(a, c);
		} else {
			return fail_unexpected(c, "a property name or \"}\"");
		}
		if (sg_jscur_skip_space(c) < 0)
			return -1;
		if (sg_jscur_peek(c) != ':')
			return fail_unexpected(c, "\":\"");
		sg_jscur_next(c);
		sg_jexpr *v;
		if (parse_cond(a, c, &v, depth + 1) < 0)
			return -1;
		push_arg(a, e, v, key, &cap);
		if (sg_jscur_skip_space(c) < 0)
			return -1;
		if (sg_jscur_peek(c) == ',') {
			sg_jscur_next(c);
			continue;
		}
		if (sg_jscur_peek(c) != '}')
			return fail_unexpected(c, "\",\" or \"}\"");
	}
	*out = e;
	return 0;
}

/* dataform.projectConfig.vars.NAME and dataform.projectConfig.FIELD */
static int parse_member(sg_arena *a, sg_jscur *c, sg_jexpr *e)
{
	const char *parts[4] = { e->str, NULL, NULL, NULL };
	size_t n = 1;
	while (sg_jscur_peek(c) == '.' || sg_jscur_peek(c) == '[') {
		if (n == 4)
			break;
		if (sg_jscur_peek(c) == '[') {
			sg_jscur_next(c);
			int q = sg_jscur_peek(c);
			size_t len;
			if ((q != '"' && q != '\'') || read_quoted(a, c, &parts[n], &len) < 0 || sg_jscur_peek(c) != ']')
				return sg_jscur_fail(c, &e->pos, "expected [\"NAME\"] after %s", parts[n - 1]);
			sg_jscur_next(c);
			n++;
			continue;
		}
		sg_jscur_next(c);
		if (!is_ident_start(sg_jscur_peek(c)))
			return fail_unexpected(c, "a property name");
		parts[n++] = read_ident(a, c);
	}
	if (n >= 3 && !strcmp(parts[1], "projectConfig")) {
		if (n == 4 && !strcmp(parts[2], "vars")) {
			e->kind = SG_JE_VAR;
			e->str = parts[3];
			if (sg_jscur_peek(c) != '.' && sg_jscur_peek(c) != '[' && sg_jscur_peek(c) != '(')
				return 0;
		} else if (n == 3 && strcmp(parts[2], "vars")) {
			e->kind = SG_JE_CONF;
			e->str = parts[2];
			if (sg_jscur_peek(c) != '.' && sg_jscur_peek(c) != '[' && sg_jscur_peek(c) != '(')
				return 0;
		}
	}
	return sg_jscur_fail(c, &e->pos,
			     "only dataform.projectConfig.vars.NAME and dataform.projectConfig.FIELD are supported here");
}

static int parse_primary(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth)
{
	if (sg_jscur_skip_space(c) < 0)
		return -1;
	if (depth > JS_MAX_DEPTH)
		return sg_jscur_fail(c, NULL, "expression nested more than %d deep", JS_MAX_DEPTH);
	sg_pos pos = sg_jscur_pos(c);
	int ch = sg_jscur_peek(c);
	if (ch == '"' || ch == '\'') {
		sg_jexpr *e = new_expr(a, SG_JE_STR, pos);
		*out = e;
		return read_quoted(a, c, &e->str, &e->len);
	}
	if (ch == '`')
		return parse_template(a, c, out, depth);
	if (ch == '{')
		return parse_object_expr(a, c, out, depth);
	if (ch == '(') {
		sg_jscur_next(c);
		if (parse_cond(a, c, out, depth + 1) < 0 || sg_jscur_skip_space(c) < 0)
			return -1;
		if (sg_jscur_peek(c) != ')')
			return fail_unexpected(c, "\")\"");
		sg_jscur_next(c);
		return 0;
	}
	if (isdigit(ch) || ch == '.') {
		sg_jexpr *e = new_expr(a, SG_JE_NUM, pos);
		*out = e;
		return read_number(a, c, &e->str, &e->num);
	}
	if (!is_ident_start(ch))
		return fail_unexpected(c, "an expression");
	sg_jexpr *e = new_expr(a, SG_JE_CALL, pos);
	e->str = read_ident(a, c);
	*out = e;
	if (!strcmp(e->str, "true") || !strcmp(e->str, "false")) {
		e->kind = SG_JE_BOOL;
		e->b = e->str[0] == 't';
		return 0;
	}
	if (!strcmp(e->str, "null") || !strcmp(e->str, "undefined")) {
		e->kind = SG_JE_NULL;
		return 0;
	}
	if (!strcmp(e->str, "dataform"))
		return parse_member(a, c, e);
	if (sg_jscur_skip_space(c) < 0)
		return -1;
	if (sg_jscur_peek(c) == '(')
		return parse_call(a, c, e, depth);
	return sg_jscur_fail(c, &pos,
			     "JavaScript name \"%s\" is not supported (sigma supports the functions " SG_JS_FUNCTIONS
			     " and dataform.projectConfig.vars.NAME)",
			     e->str);
}

static int parse_unary(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth)
{
	if (sg_jscur_skip_space(c) < 0)
		return -1;
	if (sg_jscur_peek(c) == '!' && sg_jscur_peek2(c) != '=') {
		sg_jexpr *e = new_expr(a, SG_JE_NOT, sg_jscur_pos(c));
		size_t cap = 0;
		sg_jscur_next(c);
		sg_jexpr *x;
		if (depth > JS_MAX_DEPTH)
			return sg_jscur_fail(c, NULL, "expression nested more than %d deep", JS_MAX_DEPTH);
		if (parse_unary(a, c, &x, depth + 1) < 0)
			return -1;
		push_arg(a, e, x, NULL, &cap);
		*out = e;
		return 0;
	}
	return parse_primary(a, c, out, depth);
}

/*
 * a && b && c is read into a tree as deep as the chain is long, and the
 * evaluation recurses down it: each operator of a chain counts as one
 * level of nesting, so a long chain is refused instead of overflowing the
 * stack.
 */
static int chain_too_deep(sg_jscur *c, const sg_pos *pos)
{
	return sg_jscur_fail(c, pos, "expression nested more than %d deep", JS_MAX_DEPTH);
}

static int parse_eq(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth)
{
	if (parse_unary(a, c, out, depth) < 0)
		return -1;
	for (;;) {
		if (sg_jscur_skip_space(c) < 0)
			return -1;
		int ch = sg_jscur_peek(c);
		if ((ch != '=' && ch != '!') || sg_jscur_peek2(c) != '=')
			return 0;
		sg_pos pos = sg_jscur_pos(c);
		if (++depth > JS_MAX_DEPTH)
			return chain_too_deep(c, &pos);
		sg_jscur_next(c);
		sg_jscur_next(c);
		if (sg_jscur_peek(c) == '=')
			sg_jscur_next(c);
		sg_jexpr *r;
		if (parse_unary(a, c, &r, depth + 1) < 0)
			return -1;
		*out = binary(a, ch == '=' ? SG_JE_EQ : SG_JE_NE, pos, *out, r);
	}
}

typedef int (*parse_fn)(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth);

/* A chain of `operand OP operand OP ...` for the two-character OP (&& or ||). */
static int parse_chain(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth, char op, sg_je_kind kind,
		       parse_fn operand)
{
	if (operand(a, c, out, depth) < 0)
		return -1;
	for (;;) {
		if (sg_jscur_skip_space(c) < 0)
			return -1;
		if (sg_jscur_peek(c) != op || sg_jscur_peek2(c) != op)
			return 0;
		sg_pos pos = sg_jscur_pos(c);
		if (++depth > JS_MAX_DEPTH)
			return chain_too_deep(c, &pos);
		sg_jscur_next(c);
		sg_jscur_next(c);
		sg_jexpr *r;
		if (operand(a, c, &r, depth + 1) < 0)
			return -1;
		*out = binary(a, kind, pos, *out, r);
	}
}

static int parse_and(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth)
{
	return parse_chain(a, c, out, depth, '&', SG_JE_AND, parse_eq);
}

static int parse_or(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth)
{
	return parse_chain(a, c, out, depth, '|', SG_JE_OR, parse_and);
}

static int parse_cond(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth)
{
	if (depth > JS_MAX_DEPTH)
		return sg_jscur_fail(c, NULL, "expression nested more than %d deep", JS_MAX_DEPTH);
	if (parse_or(a, c, out, depth) < 0 || sg_jscur_skip_space(c) < 0)
		return -1;
	if (sg_jscur_peek(c) != '?')
		return 0;
	sg_jexpr *e = new_expr(a, SG_JE_COND, sg_jscur_pos(c));
	size_t cap = 0;
	sg_jscur_next(c);
	sg_jexpr *yes, *no;
	if (parse_cond(a, c, &yes, depth + 1) < 0 || sg_jscur_skip_space(c) < 0)
		return -1;
	if (sg_jscur_peek(c) != ':')
		return fail_unexpected(c, "\":\" of a ?: expression");
	sg_jscur_next(c);
	if (parse_cond(a, c, &no, depth + 1) < 0)
		return -1;
	push_arg(a, e, *out, NULL, &cap);
	push_arg(a, e, yes, NULL, &cap);
	push_arg(a, e, no, NULL, &cap);
	*out = e;
	return 0;
}

static int parse_subst(sg_arena *a, sg_jscur *c, sg_jexpr **out, int depth)
{
	if (parse_cond(a, c, out, depth) < 0 || sg_jscur_skip_space(c) < 0)
		return -1;
	if (sg_jscur_peek(c) != '}')
		return fail_unexpected(c, "\"}\" closing ${");
	sg_jscur_next(c);
	return 0;
}

int sg_js_parse_subst(sg_arena *a, sg_jscur *c, sg_jexpr **out)
{
	return parse_subst(a, c, out, 0);
}
