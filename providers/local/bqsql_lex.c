/*
 * The tokenizer of the BigQuery translator: BigQuery's lexical rules
 * (GoogleSQL "Lexical structure and syntax"), positions in lines and
 * characters, and the values of string literals.
 */
#include "providers/local/bqsql_internal.h"

#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lexer {
	const char *s;
	size_t len, pos;
	uint32_t line, col; /* of `pos` */
	size_t at;	    /* the byte line/col describe, <= pos */
	sg_error *err;
} lexer;

static bool is_ident_start(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch >= 0x80;
}

static bool is_ident_char(unsigned char ch)
{
	return is_ident_start(ch) || (ch >= '0' && ch <= '9');
}

static bool is_digit(unsigned char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_hex(unsigned char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* Bring line/col up to byte `to`. */
static void advance_pos(lexer *lx, size_t to)
{
	for (; lx->at < to; lx->at++) {
		unsigned char ch = (unsigned char)lx->s[lx->at];
		if (ch == '\n') {
			lx->line++;
			lx->col = 1;
		} else if ((ch & 0xC0) != 0x80) {
			lx->col++;
		}
	}
}

static int lex_fail(lexer *lx, size_t at, const char *what)
{
	advance_pos(lx, at);
	return sg_error_set(lx->err, "line %u, col %u: %s", lx->line, lx->col, what);
}

static void push(bq_toks *t, const bq_tok *tok)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->v = sg_realloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n++] = *tok;
}

/* Skip whitespace and comments from lx->pos. */
static int skip_gap(lexer *lx)
{
	const char *s = lx->s;
	while (lx->pos < lx->len) {
		char ch = s[lx->pos];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v') {
			lx->pos++;
		} else if (ch == '#' || (ch == '-' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '-')) {
			while (lx->pos < lx->len && s[lx->pos] != '\n')
				lx->pos++;
		} else if (ch == '/' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '*') {
			const char *end = NULL;
			if (lx->pos + 2 <= lx->len)
				end = memmem(s + lx->pos + 2, lx->len - lx->pos - 2, "*/", 2);
			if (!end)
				return lex_fail(lx, lx->pos, "unterminated comment: /* is never closed");
			lx->pos = (size_t)(end - s) + 2;
		} else {
			break;
		}
	}
	return 0;
}

/* A quoted string or identifier starting at lx->pos (the quote); backslash escapes the next byte. */
static int scan_quoted(lexer *lx, size_t tok_start, char q, bool allow_triple, const char *what)
{
	const char *s = lx->s;
	bool triple = allow_triple && lx->pos + 2 < lx->len && s[lx->pos + 1] == q && s[lx->pos + 2] == q;
	size_t p = lx->pos + (triple ? 3 : 1);
	while (p < lx->len) {
		char ch = s[p];
		if (ch == '\\') {
			p += 2;
			continue;
		}
		if (ch == q) {
			if (!triple) {
				lx->pos = p + 1;
				return 0;
			}
			if (p + 2 < lx->len && s[p + 1] == q && s[p + 2] == q) {
				lx->pos = p + 3;
				return 0;
			}
		}
		if (ch == '\n' && !triple)
			break;
		p++;
	}
	char msg[96];
	snprintf(msg, sizeof(msg), "unterminated %s", what);
	return lex_fail(lx, tok_start, msg);
}

static void scan_number(lexer *lx)
{
	const char *s = lx->s;
	size_t p = lx->pos;
	if (s[p] == '0' && p + 2 < lx->len && (s[p + 1] == 'x' || s[p + 1] == 'X') && is_hex((unsigned char)s[p + 2])) {
		p += 2;
		while (p < lx->len && is_hex((unsigned char)s[p]))
			p++;
		lx->pos = p;
		return;
	}
	while (p < lx->len && is_digit((unsigned char)s[p]))
		p++;
	if (p < lx->len && s[p] == '.') {
		p++;
		while (p < lx->len && is_digit((unsigned char)s[p]))
			p++;
	}
	if (p < lx->len && (s[p] == 'e' || s[p] == 'E')) {
		size_t q = p + 1;
		if (q < lx->len && (s[q] == '+' || s[q] == '-'))
			q++;
		if (q < lx->len && is_digit((unsigned char)s[q])) {
			p = q;
			while (p < lx->len && is_digit((unsigned char)s[p]))
				p++;
		}
	}
	lx->pos = p;
}

/* Length of a string prefix (r, b, rb, br in any case) before a quote at s+p, or 0. */
static size_t string_prefix(const char *s, size_t len, size_t p, bool *raw, bool *bytes)
{
	size_t k = p;
	*raw = *bytes = false;
	while (k < len && k - p < 2) {
		char ch = s[k];
		if ((ch == 'r' || ch == 'R') && !*raw)
			*raw = true;
		else if ((ch == 'b' || ch == 'B') && !*bytes)
			*bytes = true;
		else
			break;
		k++;
	}
	if (k > p && k < len && (s[k] == '\'' || s[k] == '"'))
		return k - p;
	*raw = *bytes = false;
	return 0;
}

static int lex_token(lexer *lx, bq_toks *out, bq_tok *tok)
{
	const char *s = lx->s;
	size_t p = lx->pos;
	unsigned char ch = (unsigned char)s[p];
	bool raw, bytes;
	size_t plen = string_prefix(s, lx->len, p, &raw, &bytes);
	if (ch == '\'' || ch == '"' || plen) {
		lx->pos = p + plen;
		tok->kind = bytes ? BQ_BYTES : BQ_STRING;
		tok->is_raw = raw;
		if (scan_quoted(lx, p, s[p + plen], true, bytes ? "bytes literal" : "string literal") < 0)
			return -1;
		bool triple = lx->pos - p >= 6 && s[p + 1] == '\'' && s[p + 2] == '\'';
		tok->is_plain = !plen && ch == '\'' && !triple && !memchr(s + p, '\\', lx->pos - p);
		return 0;
	}
	if (ch == '`') {
		tok->kind = BQ_QIDENT;
		if (scan_quoted(lx, p, '`', false, "quoted identifier: ` is never closed") < 0)
			return -1;
		if (lx->pos - p == 2)
			return lex_fail(lx, p, "empty quoted identifier ``");
		return 0;
	}
	if (is_digit(ch) || (ch == '.' && p + 1 < lx->len && is_digit((unsigned char)s[p + 1]) &&
			     !(out->n && (out->v[out->n - 1].kind == BQ_IDENT || out->v[out->n - 1].kind == BQ_QIDENT)))) {
		tok->kind = BQ_NUMBER;
		scan_number(lx);
		return 0;
	}
	if (is_ident_start(ch)) {
		tok->kind = BQ_IDENT;
		while (lx->pos < lx->len && is_ident_char((unsigned char)s[lx->pos]))
			lx->pos++;
		return 0;
	}
	if (ch == '@') {
		bool sys = p + 1 < lx->len && s[p + 1] == '@';
		size_t q = p + (sys ? 2 : 1);
		if (q < lx->len && s[q] == '`') {
			lx->pos = q;
			if (scan_quoted(lx, q, '`', false, "quoted identifier: ` is never closed") < 0)
				return -1;
		} else {
			while (q < lx->len && (is_ident_char((unsigned char)s[q]) || (sys && s[q] == '.')))
				q++;
			lx->pos = q;
		}
		tok->kind = sys ? BQ_SYSVAR : BQ_PARAM;
		return 0;
	}
	if (ch == '?') {
		tok->kind = BQ_PARAM;
		lx->pos = p + 1;
		return 0;
	}
	static const char *const two[] = { "<=", ">=", "<>", "!=", "||", "=>", "->", "::" };
	tok->kind = BQ_OP;
	lx->pos = p + 1;
	for (size_t k = 0; k < sizeof(two) / sizeof(two[0]); k++) {
		if (p + 1 < lx->len && s[p] == two[k][0] && s[p + 1] == two[k][1]) {
			lx->pos = p + 2;
			break;
		}
	}
	return 0;
}

int bq_lex(const char *src, size_t len, bq_toks *out, sg_error *err)
{
	lexer lx = { src, len, 0, 1, 1, 0, err };
	size_t *stack = NULL, nstack = 0, capstack = 0;
	memset(out, 0, sizeof(*out));
	const char *nul = memchr(src, '\0', len);
	if (nul)
		return lex_fail(&lx, (size_t)(nul - src), "NUL byte in the SQL");
	for (;;) {
		size_t gap = lx.pos;
		if (skip_gap(&lx) < 0)
			goto fail;
		if (lx.pos >= len) {
			out->end_gap = (uint32_t)gap;
			break;
		}
		if (len > UINT32_MAX - 16) {
			sg_error_set(err, "the SQL is too long (%zu bytes)", len);
			goto fail;
		}
		bq_tok tok = { 0 };
		tok.gap = (uint32_t)gap;
		tok.start = (uint32_t)lx.pos;
		advance_pos(&lx, lx.pos);
		tok.line = lx.line;
		tok.col = lx.col;
		if (lex_token(&lx, out, &tok) < 0)
			goto fail;
		tok.len = (uint32_t)(lx.pos - tok.start);
		tok.match = UINT32_MAX;
		if (tok.kind == BQ_OP && tok.len == 1 && (src[tok.start] == '(' || src[tok.start] == '[')) {
			if (nstack == capstack) {
				capstack = capstack ? capstack * 2 : 64;
				stack = sg_realloc(stack, capstack * sizeof(*stack));
			}
			stack[nstack++] = out->n;
		} else if (tok.kind == BQ_OP && tok.len == 1 && (src[tok.start] == ')' || src[tok.start] == ']')) {
			char open = src[tok.start] == ')' ? '(' : '[';
			if (!nstack || src[out->v[stack[nstack - 1]].start] != open) {
				sg_error_set(err, "line %u, col %u: unbalanced '%c'", tok.line, tok.col, src[tok.start]);
				goto fail;
			}
			size_t o = stack[--nstack];
			out->v[o].match = (uint32_t)out->n;
			tok.match = (uint32_t)o;
		}
		push(out, &tok);
	}
	if (nstack) {
		const bq_tok *o = &out->v[stack[nstack - 1]];
		sg_error_set(err, "line %u, col %u: '%c' is never closed", o->line, o->col, src[o->start]);
		goto fail;
	}
	free(stack);
	return 0;
fail:
	free(stack);
	bq_toks_free(out);
	return -1;
}

void bq_toks_free(bq_toks *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

void bq_emit_gap(sg_buf *out, const char *src, size_t from, size_t to)
{
	size_t p = from;
	while (p < to) {
		if (src[p] == '#') {
			/* DuckDB has no # comments */
			sg_buf_puts(out, "--");
			p++;
			size_t e = p;
			while (e < to && src[e] != '\n')
				e++;
			sg_buf_put(out, src + p, e - p);
			p = e;
		} else if (src[p] == '-' && p + 1 < to && src[p + 1] == '-') {
			size_t e = p;
			while (e < to && src[e] != '\n')
				e++;
			sg_buf_put(out, src + p, e - p);
			p = e;
		} else if (src[p] == '/' && p + 1 < to && src[p + 1] == '*') {
			const char *end = memmem(src + p + 2, to - p - 2, "*/", 2);
			size_t e = end ? (size_t)(end - src) + 2 : to;
			sg_buf_put(out, src + p, e - p);
			p = e;
		} else {
			sg_buf_putc(out, src[p]);
			p++;
		}
	}
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return ch - 'A' + 10;
}

static void put_utf8(sg_buf *out, uint32_t cp)
{
	if (cp < 0x80) {
		sg_buf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		sg_buf_putc(out, (char)(0xC0 | (cp >> 6)));
		sg_buf_putc(out, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		sg_buf_putc(out, (char)(0xE0 | (cp >> 12)));
		sg_buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
		sg_buf_putc(out, (char)(0x80 | (cp & 0x3F)));
	} else {
		sg_buf_putc(out, (char)(0xF0 | (cp >> 18)));
		sg_buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3F)));
		sg_buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
		sg_buf_putc(out, (char)(0x80 | (cp & 0x3F)));
	}
}

int bq_string_value(const char *src, const bq_tok *t, sg_buf *out, sg_error *err)
{
	const char *s = src + t->start;
	size_t n = t->len, p = 0;
	while (s[p] != '\'' && s[p] != '"' && s[p] != '`')
		p++; /* the r/b prefix */
	char q = s[p];
	size_t ql = (n - p >= 6 && s[p + 1] == q && s[p + 2] == q) ? 3 : 1;
	size_t b = p + ql, e = n - ql;
	if (t->is_raw || q == '`') {
		if (q == '`') {
			/* backtick identifiers: \` and \\ only */
			for (size_t k = b; k < e; k++) {
				if (s[k] == '\\' && k + 1 < e)
					k++;
				sg_buf_putc(out, s[k]);
			}
		} else {
			sg_buf_put(out, s + b, e - b);
		}
		return 0;
	}
	for (size_t k = b; k < e; k++) {
		if (s[k] != '\\') {
			sg_buf_putc(out, s[k]);
			continue;
		}
		char x = s[++k];
		const char *simple = strchr("abfnrtv\\?\"'`", x);
		if (x && simple) {
			static const char val[] = "\a\b\f\n\r\t\v\\?\"'`";
			sg_buf_putc(out, val[simple - "abfnrtv\\?\"'`"]);
		} else if (x >= '0' && x <= '7') {
			if (k + 2 >= e || s[k + 1] < '0' || s[k + 1] > '7' || s[k + 2] < '0' || s[k + 2] > '7' || x > '3')
				return sg_error_set(err, "line %u, col %u: invalid octal escape in string literal", t->line, t->col);
			sg_buf_putc(out, (char)((x - '0') * 64 + (s[k + 1] - '0') * 8 + (s[k + 2] - '0')));
			k += 2;
		} else if (x == 'x' || x == 'X') {
			if (k + 2 >= e || !is_hex((unsigned char)s[k + 1]) || !is_hex((unsigned char)s[k + 2]))
				return sg_error_set(err, "line %u, col %u: invalid \\x escape in string literal", t->line, t->col);
			sg_buf_putc(out, (char)(hexval(s[k + 1]) * 16 + hexval(s[k + 2])));
			k += 2;
		} else if (x == 'u' || x == 'U') {
			size_t digits = x == 'u' ? 4 : 8;
			uint32_t cp = 0;
			if (k + digits >= e)
				return sg_error_set(err, "line %u, col %u: invalid \\%c escape in string literal", t->line, t->col, x);
			for (size_t d = 1; d <= digits; d++) {
				if (!is_hex((unsigned char)s[k + d]))
					return sg_error_set(err, "line %u, col %u: invalid \\%c escape in string literal", t->line,
							    t->col, x);
				cp = cp * 16 + (uint32_t)hexval(s[k + d]);
			}
			if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
				return sg_error_set(err, "line %u, col %u: \\%c escape is not a Unicode character", t->line, t->col, x);
			put_utf8(out, cp);
			k += digits;
		} else {
			return sg_error_set(err, "line %u, col %u: invalid escape \\%c in string literal", t->line, t->col,
					    x ? x : ' ');
		}
	}
	return 0;
}

int bq_put_sql_string(sg_buf *out, const char *s, size_t n)
{
	if (memchr(s, '\0', n))
		return -1;
	sg_buf_putc(out, '\'');
	for (size_t k = 0; k < n; k++) {
		if (s[k] == '\'')
			sg_buf_putc(out, '\'');
		sg_buf_putc(out, s[k]);
	}
	sg_buf_putc(out, '\'');
	return 0;
}

void bq_put_ident(sg_buf *out, const char *s)
{
	sg_buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			sg_buf_putc(out, '"');
		sg_buf_putc(out, *s);
	}
	sg_buf_putc(out, '"');
}

void bq_put_cstring(sg_buf *out, const char *s)
{
	bq_put_sql_string(out, s, strlen(s));
}
