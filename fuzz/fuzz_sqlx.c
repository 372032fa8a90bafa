/*
 * libFuzzer target for the SQLX readers: sg_sx_parse_file
 * (pipeline/sqlx_file.c, which calls both JavaScript-subset parsers) and
 * the parsers of pipeline/sqlx_js.h on their own.
 *
 * Input: one byte choosing the reader (its value modulo 3: 0 a whole
 * .sqlx file, 1 a config object literal, 2 the expression after a ${),
 * then the text. The text is copied into a buffer of exactly its length,
 * not NUL-terminated, so reading past the end is caught. Checked on every
 * input:
 *   - no crash, leak, undefined behaviour or runaway recursion (ASan, UBSan);
 *   - a refusal is one diagnostic with a message and a position inside
 *     the text (line 1.., column 1..);
 *   - what is accepted points inside the text: every SQL piece, every
 *     position; the cursor never passes the end;
 *   - what is accepted is a tree of bounded depth (the evaluation of
 *     an expression recurses down it);
 *   - the same input gives the same answer twice.
 *
 * Seeds: tests/fixtures/sqlx_fuzz_seeds (tests/cli/fuzz_sqlx.bats
 * prefixes NAME.sqlx with 0, NAME.literal with 1 and NAME.subst with 2).
 */
#include "pipeline/sqlx.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Lines in the text, for the bound on positions. */
static int count_lines(const char *s, size_t n)
{
	int lines = 1;
	for (size_t i = 0; i < n; i++)
		lines += s[i] == '\n';
	return lines;
}

static void check_pos(const sg_pos *p, int lines)
{
	if (p->line < 1 || p->line > lines || p->col < 1)
		abort();
}

/* The parsers refuse nesting beyond 64; a tree may be a few times deeper
 * than that (a template and its ${} are two nodes), never much more. */
#define MAX_TREE_DEPTH 256

/* Walk an expression: positions valid, children present, depth bounded; a summary into `out`. */
static void walk_expr(const sg_jexpr *e, int lines, int depth, sg_buf *out)
{
	if (!e || depth > MAX_TREE_DEPTH)
		abort();
	check_pos(&e->pos, lines);
	sg_buf_printf(out, "(%d", (int)e->kind);
	if (e->str)
		sg_buf_printf(out, " %zu:%s", e->len, e->str);
	for (size_t i = 0; i < e->n; i++) {
		if (e->kind == SG_JE_OBJ && !e->keys[i])
			abort();
		walk_expr(e->args[i], lines, depth + 1, out);
	}
	sg_buf_putc(out, ')');
}

static void walk_value(const sg_jsv *v, int lines, int depth, sg_buf *out)
{
	if (!v || depth > MAX_TREE_DEPTH)
		abort();
	check_pos(&v->pos, lines);
	sg_buf_printf(out, "<%d", (int)v->kind);
	if (v->kind == SG_JS_STR || v->kind == SG_JS_NUM)
		sg_buf_printf(out, " %zu:%s", v->len, v->str);
	for (size_t i = 0; i < v->n; i++) {
		if (v->kind == SG_JS_OBJ) {
			check_pos(&v->props[i].pos, lines);
			sg_buf_printf(out, " %s=", v->props[i].key);
			walk_value(v->props[i].value, lines, depth + 1, out);
		} else {
			walk_value(v->items[i], lines, depth + 1, out);
		}
	}
	sg_buf_putc(out, '>');
}

static void walk_tmpls(const sg_sx_tmpl *t, size_t n, const char *text, size_t len, int lines, sg_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		check_pos(&t[i].pos, lines);
		sg_buf_putc(out, '[');
		for (size_t j = 0; j < t[i].n; j++) {
			const sg_sx_piece *pc = &t[i].items[j];
			if (pc->expr) {
				walk_expr(pc->expr, lines, 0, out);
				continue;
			}
			if (pc->text < text || pc->text + pc->len > text + len || !pc->len)
				abort();
			sg_buf_printf(out, "{%zu+%zu}", (size_t)(pc->text - text), pc->len);
		}
		sg_buf_putc(out, ']');
	}
}

/* One run of the chosen reader; its result summarised into `out`. */
static void run(int mode, const char *text, size_t len, sg_buf *out)
{
	int lines = count_lines(text, len);
	sg_arena a = SG_ARENA_INIT;
	if (mode == 0) {
		sg_diags d = SG_DIAGS_INIT;
		sg_sx_file *f = NULL;
		int rc = sg_sx_parse_file(&a, "definitions/f.sqlx", text, len, &f, &d);
		if (rc < 0) {
			if (d.n != 1 || d.nerrors != 1 || !d.items[0].msg[0] || !d.items[0].file)
				abort();
			sg_pos p = { NULL, d.items[0].line, d.items[0].col };
			check_pos(&p, lines);
			sg_buf_printf(out, "error %d:%d %s", p.line, p.col, d.items[0].msg);
		} else {
			if (d.n || !f || !f->nbody)
				abort();
			if (f->config) {
				check_pos(&f->config_pos, lines);
				walk_value(f->config, lines, 0, out);
			}
			walk_tmpls(f->body, f->nbody, text, len, lines, out);
			walk_tmpls(f->pre, f->npre, text, len, lines, out);
			walk_tmpls(f->post, f->npost, text, len, lines, out);
		}
		sg_diags_free(&d);
	} else {
		sg_jscur c;
		sg_jscur_init(&c, "definitions/f.sqlx", text, len);
		int rc;
		if (mode == 1) {
			sg_jsv *v = NULL;
			rc = sg_js_parse_literal(&a, &c, &v);
			if (rc == 0)
				walk_value(v, lines, 0, out);
		} else {
			sg_jexpr *e = NULL;
			rc = sg_js_parse_subst(&a, &c, &e);
			if (rc == 0)
				walk_expr(e, lines, 0, out);
		}
		if (c.i > len)
			abort();
		if (rc < 0) {
			if (!c.errmsg[0] || c.errpos.file != c.file)
				abort();
			check_pos(&c.errpos, lines);
			sg_buf_printf(out, "error %d:%d %s", c.errpos.line, c.errpos.col, c.errmsg);
		} else {
			sg_buf_printf(out, " at %zu", c.i);
		}
	}
	sg_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	int mode = data[0] % 3;
	size_t len = size - 1;
	/* exactly len bytes, so that a read past the end is an ASan error */
	char *text = malloc(len ? len : 1);
	if (!text)
		return 0;
	memcpy(text, data + 1, len);
	sg_buf first = SG_BUF_INIT, second = SG_BUF_INIT;
	run(mode, text, len, &first);
	run(mode, text, len, &second);
	if (first.len != second.len || (first.len && memcmp(first.ptr, second.ptr, first.len)))
		abort();
	sg_buf_free(&first);
	sg_buf_free(&second);
	free(text);
	return 0;
}
