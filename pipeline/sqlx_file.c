/*
 * Reading one .sqlx file: the config { } block, pre_operations { } and
 * post_operations { } blocks, and the SQL around them with its ${...}
 * expressions. The blocks may come anywhere at the top level, as in
 * Dataform; what is left, with the blocks cut out, is the SQL. A line
 * holding only --- separates statements (operations, pre/post blocks).
 *
 * SQL strings and comments are followed only to know where a block starts
 * and ends; ${...} is an expression wherever it is, as in Dataform, where
 * the SQL is a JavaScript template string — except in -- and block
 * comments, which Dataform's compiler escapes ("${" stays text there).
 * Dataform does not know # comments, so ${...} in one is evaluated.
 */
#include "pipeline/sqlx.h"

#include <ctype.h>
#include <string.h>

typedef struct scan {
	sg_arena *a;
	sg_jscur c;
	sg_sx_file *f;
	/* the statement being built, and where its pending text started */
	sg_sx_tmpl *cur;
	size_t text_start;
	size_t line_start; /* index of the first byte of the current line */
} scan;

static void tmpl_push(sg_arena *a, sg_sx_tmpl *t, const char *text, size_t len, sg_jexpr *expr)
{
	if (!expr && !len)
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		sg_sx_piece *np = sg_arena_alloc(a, t->cap * sizeof(*np));
		if (t->n)
			memcpy(np, t->items, t->n * sizeof(*np));
		t->items = np;
	}
	t->items[t->n].text = text;
	t->items[t->n].len = len;
	t->items[t->n].expr = expr;
	t->n++;
}

static void flush_text(scan *s, size_t end)
{
	if (end > s->text_start)
		tmpl_push(s->a, s->cur, s->c.s + s->text_start, end - s->text_start, NULL);
	s->text_start = end;
}

static sg_sx_tmpl *new_stmt(scan *s, sg_sx_tmpl **list, size_t *n)
{
	/* room doubles when the count reaches a power of two: many --- cost
	 * linear memory, not a copy of the whole list per statement */
	if (*n == 0 || (*n & (*n - 1)) == 0) {
		size_t cap = *n ? *n * 2 : 1;
		sg_sx_tmpl *nl = sg_arena_alloc(s->a, cap * sizeof(*nl));
		if (*n)
			memcpy(nl, *list, *n * sizeof(*nl));
		*list = nl;
	}
	sg_sx_tmpl *t = &(*list)[(*n)++];
	memset(t, 0, sizeof(*t));
	t->pos = sg_jscur_pos(&s->c);
	return t;
}

/* At the start of a line (only blanks before), a line holding only ---. */
static bool at_separator(const scan *s)
{
	for (size_t k = s->line_start; k < s->c.i; k++) {
		if (s->c.s[k] != ' ' && s->c.s[k] != '\t')
			return false;
	}
	size_t k = s->c.i + 3;
	if (k > s->c.len || memcmp(s->c.s + s->c.i, "---", 3))
		return false;
	while (k < s->c.len && (s->c.s[k] == ' ' || s->c.s[k] == '\t' || s->c.s[k] == '\r'))
		k++;
	return k == s->c.len || s->c.s[k] == '\n';
}

static int fail(scan *s, sg_diags *d)
{
	sg_diags_error(d, &s->c.errpos, "%s", s->c.errmsg);
	return -1;
}

static void advance(scan *s)
{
	if (sg_jscur_peek(&s->c) == '\n') {
		sg_jscur_next(&s->c);
		s->line_start = s->c.i;
	} else {
		sg_jscur_next(&s->c);
	}
}

/* The ${ is at the cursor: read the expression into the statement. */
static int subst_here(scan *s, sg_diags *d)
{
	flush_text(s, s->c.i);
	sg_jscur_next(&s->c);
	sg_jscur_next(&s->c);
	sg_jexpr *e;
	if (sg_js_parse_subst(s->a, &s->c, &e) < 0)
		return fail(s, d);
	tmpl_push(s->a, s->cur, NULL, 0, e);
	s->text_start = s->c.i;
	return 0;
}

/* Skip a SQL string whose quote is at the cursor; ${...} inside still count. */
static int sql_string(scan *s, sg_diags *d)
{
	int q = sg_jscur_peek(&s->c);
	sg_pos start = sg_jscur_pos(&s->c);
	bool triple = q != '`' && s->c.i + 2 < s->c.len && s->c.s[s->c.i + 1] == q && s->c.s[s->c.i + 2] == q;
	size_t skip = triple ? 3 : 1;
	for (size_t k = 0; k < skip; k++)
		advance(s);
	for (;;) {
		int ch = sg_jscur_peek(&s->c);
		if (!ch) {
			sg_jscur_fail(&s->c, &start, "unterminated SQL string");
			return fail(s, d);
		}
		if (ch == '\\' && q != '`') {
			advance(s);
			advance(s);
			continue;
		}
		if (ch == '$' && sg_jscur_peek2(&s->c) == '{') {
			if (subst_here(s, d) < 0)
				return -1;
			continue;
		}
		if (ch == q) {
			if (!triple) {
				advance(s);
				return 0;
			}
			if (s->c.i + 2 < s->c.len && s->c.s[s->c.i + 1] == q && s->c.s[s->c.i + 2] == q) {
				advance(s);
				advance(s);
				advance(s);
				return 0;
			}
		}
		if (ch == '\n' && !triple && q != '`') {
			sg_jscur_fail(&s->c, &start, "unterminated SQL string");
			return fail(s, d);
		}
		advance(s);
	}
}

static const char *const block_words[] = { "config", "js", "pre_operations", "post_operations", NULL };

/* If a block keyword followed by { starts at the cursor, which one. */
static int block_at(const scan *s)
{
	if (s->c.i > 0 && (isalnum((unsigned char)s->c.s[s->c.i - 1]) || s->c.s[s->c.i - 1] == '_' ||
			   s->c.s[s->c.i - 1] == '.'))
		return -1;
	for (int w = 0; block_words[w]; w++) {
		size_t n = strlen(block_words[w]);
		if (s->c.i + n > s->c.len || memcmp(s->c.s + s->c.i, block_words[w], n))
			continue;
		size_t k = s->c.i + n;
		if (k < s->c.len && (isalnum((unsigned char)s->c.s[k]) || s->c.s[k] == '_'))
			continue;
		while (k < s->c.len && isspace((unsigned char)s->c.s[k]))
			k++;
		if (k < s->c.len && s->c.s[k] == '{')
			return w;
	}
	return -1;
}

static int scan_sql(scan *s, bool in_block, sg_sx_tmpl **list, size_t *n, sg_diags *d);

static int read_block(scan *s, int which, sg_diags *d)
{
	sg_pos pos = sg_jscur_pos(&s->c);
	flush_text(s, s->c.i);
	while (sg_jscur_peek(&s->c) != '{')
		advance(s);
	if (which == 1) {
		sg_jscur_fail(&s->c, &pos,
			      "js { } blocks are not supported: sigma does not run JavaScript (write the SQL out, or "
			      "use dataform.projectConfig.vars for values)");
		return fail(s, d);
	}
	if (which == 0) {
		if (s->f->config) {
			sg_jscur_fail(&s->c, &pos, "a second config block (the first is at line %d)", s->f->config_pos.line);
			return fail(s, d);
		}
		s->f->config_pos = pos;
		if (sg_js_parse_literal(s->a, &s->c, &s->f->config) < 0)
			return fail(s, d);
		s->line_start = s->c.i;
		while (s->line_start > 0 && s->c.s[s->line_start - 1] != '\n')
			s->line_start--;
	} else {
		sg_sx_tmpl **list = which == 2 ? &s->f->pre : &s->f->post;
		size_t *n = which == 2 ? &s->f->npre : &s->f->npost;
		if (*n) {
			sg_jscur_fail(&s->c, &pos, "a second %s block", block_words[which]);
			return fail(s, d);
		}
		if (which == 2)
			s->f->pre_pos = pos;
		else
			s->f->post_pos = pos;
		advance(s); /* { */
		sg_sx_tmpl *saved = s->cur;
		if (scan_sql(s, true, list, n, d) < 0)
			return -1;
		s->cur = saved;
	}
	s->text_start = s->c.i;
	return 0;
}

/*
 * Read SQL up to the end of the file, or, in a block, up to its closing }.
 * Statements go to *list (cut at --- lines).
 */
static int scan_sql(scan *s, bool in_block, sg_sx_tmpl **list, size_t *n, sg_diags *d)
{
	sg_pos open = sg_jscur_pos(&s->c);
	int depth = 0;
	s->cur = new_stmt(s, list, n);
	s->text_start = s->c.i;
	for (;;) {
		int ch = sg_jscur_peek(&s->c);
		if (!ch) {
			if (in_block) {
				sg_jscur_fail(&s->c, &open, "unterminated block: no } closes it");
				return fail(s, d);
			}
			flush_text(s, s->c.i);
			return 0;
		}
		if (ch == '$' && sg_jscur_peek2(&s->c) == '{') {
			if (subst_here(s, d) < 0)
				return -1;
			continue;
		}
		if (ch == '-' && at_separator(s)) {
			/* the blanks around --- belong to it, as in Dataform's lexer; the line break does not */
			flush_text(s, s->line_start > s->text_start ? s->line_start : s->text_start);
			advance(s);
			advance(s);
			advance(s);
			while (sg_jscur_peek(&s->c) == ' ' || sg_jscur_peek(&s->c) == '\t')
				advance(s);
			s->cur = new_stmt(s, list, n);
			s->text_start = s->c.i;
			continue;
		}
		if (ch == '\'' || ch == '"' || ch == '`') {
			if (sql_string(s, d) < 0)
				return -1;
			continue;
		}
		if ((ch == '-' && sg_jscur_peek2(&s->c) == '-') || ch == '#') {
			while (sg_jscur_peek(&s->c) && sg_jscur_peek(&s->c) != '\n') {
				if (ch == '#' && sg_jscur_peek(&s->c) == '$' && sg_jscur_peek2(&s->c) == '{') {
					if (subst_here(s, d) < 0)
						return -1;
					continue;
				}
				advance(s);
			}
			continue;
		}
		if (ch == '/' && sg_jscur_peek2(&s->c) == '*') {
			sg_pos start = sg_jscur_pos(&s->c);
			advance(s);
			advance(s);
			while (!(sg_jscur_peek(&s->c) == '*' && sg_jscur_peek2(&s->c) == '/')) {
				if (!sg_jscur_peek(&s->c)) {
					sg_jscur_fail(&s->c, &start, "unterminated /* comment");
					return fail(s, d);
				}
				advance(s);
			}
			advance(s);
			advance(s);
			continue;
		}
		if (in_block) {
			if (ch == '{') {
				depth++;
			} else if (ch == '}') {
				if (depth == 0) {
					flush_text(s, s->c.i);
					advance(s);
					return 0;
				}
				depth--;
			}
		} else if (isalpha(ch) || ch == '_') {
			int w = block_at(s);
			if (w >= 0) {
				if (read_block(s, w, d) < 0)
					return -1;
				continue;
			}
			while (isalnum(sg_jscur_peek(&s->c)) || sg_jscur_peek(&s->c) == '_')
				advance(s);
			continue;
		}
		advance(s);
	}
}

int sg_sx_parse_file(sg_arena *a, const char *path, const char *text, size_t len, sg_sx_file **out, sg_diags *d)
{
	scan s;
	memset(&s, 0, sizeof(s));
	s.a = a;
	sg_jscur_init(&s.c, path, text, len);
	s.f = sg_arena_alloc(a, sizeof(*s.f));
	memset(s.f, 0, sizeof(*s.f));
	s.f->path = path;
	if (memchr(text, '\0', len)) {
		sg_pos p = { path, 1, 1 };
		sg_diags_error(d, &p, "the file holds a NUL byte: is it really a .sqlx file?");
		return -1;
	}
	if (scan_sql(&s, false, &s.f->body, &s.f->nbody, d) < 0)
		return -1;
	*out = s.f;
	return 0;
}
