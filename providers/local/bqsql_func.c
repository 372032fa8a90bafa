/*
 * BigQuery → DuckDB translation of function calls.
 *
 * A call is looked up in `funcs` (sorted by upper-case name): renamed,
 * rebuilt by a handler, or refused. A name that is in no list passes
 * through unchanged, its arguments translated (bqsql.h says why). The
 * date and time handlers are in bqsql_time.c, types in bqsql_type.c.
 */
#include "providers/local/bqsql_internal.h"

#include "util/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fn_spec {
	const char *name;
	bq_fc_fn fn;
	const char *arg; /* the handler's parameter: a new name, a variant */
} fn_spec;

/* ---- helpers shared with bqsql_time.c ---- */

/* A keyword or function name in the case of the call's name. */
void bq_fc_kw(bq_fcall *k, sg_buf *out, const char *word)
{
	bq_put_name(out, k->c, k->fn, word);
}

int bq_fc_arg(bq_fcall *k, size_t n, sg_buf *out)
{
	return bq_xl(k->c, k->arg[n][0], k->arg[n][1], false, out);
}

/* An argument, in parentheses unless it is one token, a call or already parenthesised. */
int bq_fc_arg_paren(bq_fcall *k, size_t n, sg_buf *out)
{
	const bq_ctx *c = k->c;
	size_t a = k->arg[n][0], b = k->arg[n][1];
	bool simple = b == a + 1 || ((bq_is_op(c, a, "(") || bq_is_op(c, a, "[")) && c->t[a].match == b - 1) ||
		      (b > a + 2 && c->t[a].kind == BQ_IDENT && bq_is_op(c, a + 1, "(") && c->t[a + 1].match == b - 1);
	if (!simple)
		sg_buf_putc(out, '(');
	if (bq_fc_arg(k, n, out) < 0)
		return -1;
	if (!simple)
		sg_buf_putc(out, ')');
	return 0;
}

int bq_fc_nargs(bq_fcall *k, size_t min, size_t max)
{
	if (k->nargs >= min && k->nargs <= max)
		return 0;
	if (min == max)
		return bq_fail(k->c, k->fn, "%s expects %zu argument%s, found %zu", k->name, min, min == 1 ? "" : "s",
			       k->nargs);
	return bq_fail(k->c, k->fn, "%s expects %zu to %zu arguments, found %zu", k->name, min, max, k->nargs);
}

bool bq_fc_arg_is_string(const bq_fcall *k, size_t n)
{
	return n < k->nargs && k->arg[n][1] == k->arg[n][0] + 1 && k->c->t[k->arg[n][0]].kind == BQ_STRING;
}

/* The upper-case word of a one-identifier argument (MONTH), or "". */
void bq_fc_arg_word(const bq_fcall *k, size_t n, char *buf, size_t size, char *sub, size_t subsize)
{
	const bq_ctx *c = k->c;
	buf[0] = sub[0] = '\0';
	if (n >= k->nargs)
		return;
	size_t a = k->arg[n][0], b = k->arg[n][1];
	if (c->t[a].kind != BQ_IDENT || c->t[a].len >= size)
		return;
	if (b == a + 4 && bq_is_op(c, a + 1, "(") && c->t[a + 2].kind == BQ_IDENT && c->t[a + 2].len < subsize) {
		for (uint32_t j = 0; j < c->t[a + 2].len; j++)
			sub[j] = (char)toupper((unsigned char)c->src[c->t[a + 2].start + j]);
		sub[c->t[a + 2].len] = '\0';
	} else if (b != a + 1) {
		return;
	}
	for (uint32_t j = 0; j < c->t[a].len; j++)
		buf[j] = (char)toupper((unsigned char)c->src[c->t[a].start + j]);
	buf[c->t[a].len] = '\0';
}

bool bq_word_in(const char *w, const char *const *list)
{
	for (; *list; list++) {
		if (!strcmp(w, *list))
			return true;
	}
	return false;
}

/* ---- handlers ---- */

static int h_rename(bq_fcall *k, sg_buf *out)
{
	bq_fc_kw(k, out, k->arg_text);
	return bq_xl(k->c, k->lp, k->rp + 1, true, out);
}

static int h_refuse(bq_fcall *k, sg_buf *out)
{
	(void)out;
	return bq_fail(k->c, k->fn, "BigQuery function %s has no local equivalent%s%s", k->name,
		       k->arg_text ? ": " : "", k->arg_text ? k->arg_text : "");
}

static int h_cast(bq_fcall *k, sg_buf *out)
{
	bq_ctx *c = k->c;
	size_t as = SIZE_MAX;
	for (size_t j = k->lp + 1; j < k->rp; j++) {
		if (bq_is_op(c, j, "(") || bq_is_op(c, j, "["))
			j = c->t[j].match;
		else if (bq_is_kw(c, j, "AS")) {
			as = j;
			break;
		}
	}
	if (as == SIZE_MAX || as + 1 >= k->rp)
		return bq_fail(c, k->fn, "%s without AS type", k->name);
	if (k->arg_text)
		bq_fc_kw(k, out, k->arg_text);
	else
		bq_put_tok(out, c, k->fn);
	bq_put_gap(out, c, k->lp);
	bq_put_tok(out, c, k->lp);
	if (bq_xl(c, k->lp + 1, as, true, out) < 0)
		return -1;
	bq_put_gap(out, c, as);
	bq_put_tok(out, c, as);
	bq_put_gap(out, c, as + 1);
	size_t after;
	if (bq_type(c, as + 1, k->rp, out, &after) < 0)
		return -1;
	if (after < k->rp) {
		if (bq_is_kw(c, after, "FORMAT"))
			return bq_fail(c, after, "%s(... FORMAT ...) has no local equivalent: use FORMAT_DATE or FORMAT_TIMESTAMP",
				       k->name);
		return bq_fail(c, after, "unexpected %.*s after the type", (int)c->t[after].len, c->src + c->t[after].start);
	}
	bq_put_gap(out, c, k->rp);
	bq_put_tok(out, c, k->rp);
	return 0;
}

static int h_concat(bq_fcall *k, sg_buf *out)
{
	/* CONCAT is NULL when an argument is; DuckDB's concat skips NULLs, || does not */
	if (bq_fc_nargs(k, 1, SIZE_MAX) < 0)
		return -1;
	sg_buf_putc(out, '(');
	for (size_t n = 0; n < k->nargs; n++) {
		if (n)
			sg_buf_puts(out, " || ");
		if (bq_fc_arg_paren(k, n, out) < 0)
			return -1;
	}
	sg_buf_putc(out, ')');
	return 0;
}

static int h_safe_divide(bq_fcall *k, sg_buf *out)
{
	if (bq_fc_nargs(k, 2, 2) < 0)
		return -1;
	sg_buf_putc(out, '(');
	if (bq_fc_arg_paren(k, 0, out) < 0)
		return -1;
	sg_buf_puts(out, " / ");
	bq_fc_kw(k, out, "nullif(");
	if (bq_fc_arg(k, 1, out) < 0)
		return -1;
	sg_buf_puts(out, ", 0))");
	return 0;
}

static int h_safe_arith(bq_fcall *k, sg_buf *out)
{
	const char *op = k->arg_text;
	bool neg = !strcmp(op, "neg");
	if (bq_fc_nargs(k, neg ? 1 : 2, neg ? 1 : 2) < 0)
		return -1;
	bq_fc_kw(k, out, "try(");
	if (neg)
		sg_buf_putc(out, '-');
	if (bq_fc_arg_paren(k, 0, out) < 0)
		return -1;
	if (!neg) {
		sg_buf_printf(out, " %s ", op);
		if (bq_fc_arg_paren(k, 1, out) < 0)
			return -1;
	}
	sg_buf_putc(out, ')');
	return 0;
}

static int h_div(bq_fcall *k, sg_buf *out)
{
	if (bq_fc_nargs(k, 2, 2) < 0)
		return -1;
	sg_buf_putc(out, '(');
	if (bq_fc_arg_paren(k, 0, out) < 0)
		return -1;
	sg_buf_puts(out, " // ");
	if (bq_fc_arg_paren(k, 1, out) < 0)
		return -1;
	sg_buf_putc(out, ')');
	return 0;
}

static int h_log(bq_fcall *k, sg_buf *out)
{
	/* BigQuery's LOG is natural (or to a base); DuckDB's log is base 10 */
	if (bq_fc_nargs(k, 1, 2) < 0)
		return -1;
	if (k->nargs == 1) {
		bq_fc_kw(k, out, "ln(");
		if (bq_fc_arg(k, 0, out) < 0)
			return -1;
		sg_buf_putc(out, ')');
		return 0;
	}
	bq_fc_kw(k, out, "(ln(");
	if (bq_fc_arg(k, 0, out) < 0)
		return -1;
	bq_fc_kw(k, out, ") / ln(");
	if (bq_fc_arg(k, 1, out) < 0)
		return -1;
	sg_buf_puts(out, "))");
	return 0;
}

/* fn(arg0 [, arg1 = default]) wrapped: "pre" fn "(" a0 ", " a1 ")" "post" */
static int wrap2(bq_fcall *k, sg_buf *out, const char *pre, const char *fn, const char *dflt, const char *post)
{
	if (pre)
		bq_fc_kw(k, out, pre);
	bq_fc_kw(k, out, fn);
	sg_buf_putc(out, '(');
	if (bq_fc_arg(k, 0, out) < 0)
		return -1;
	if (k->nargs > 1) {
		sg_buf_puts(out, ", ");
		if (bq_fc_arg(k, 1, out) < 0)
			return -1;
	} else if (dflt) {
		sg_buf_printf(out, ", %s", dflt);
	}
	sg_buf_putc(out, ')');
	if (post)
		bq_fc_kw(k, out, post);
	return 0;
}

static int h_json(bq_fcall *k, sg_buf *out)
{
	const char *v = k->arg_text;
	if (!strcmp(v, "to_json_string")) {
		if (bq_fc_nargs(k, 1, 1) < 0)
			return -1;
		return wrap2(k, out, "CAST(", "to_json", NULL, " AS VARCHAR)");
	}
	if (!strcmp(v, "parse_json")) {
		if (bq_fc_nargs(k, 1, 1) < 0)
			return -1;
		bq_fc_kw(k, out, "CAST(");
		if (bq_fc_arg(k, 0, out) < 0)
			return -1;
		bq_fc_kw(k, out, " AS JSON)");
		return 0;
	}
	if (bq_fc_nargs(k, 1, 2) < 0)
		return -1;
	if (!strcmp(v, "scalar"))
		return wrap2(k, out, NULL, "json_extract_string", "'$'", NULL);
	if (!strcmp(v, "query"))
		return wrap2(k, out, NULL, "json_extract", "'$'", NULL);
	if (!strcmp(v, "array"))
		return wrap2(k, out, "CAST(", "json_extract", "'$'", " AS JSON[])");
	return wrap2(k, out, "CAST(", "json_extract", "'$'", " AS VARCHAR[])");
}

/* Does the regular expression literal have a capturing group? */
static bool has_group(const char *re)
{
	for (const char *p = re; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '(' && p[1] != '?')
			return true;
	}
	return false;
}

static int h_regexp(bq_fcall *k, sg_buf *out)
{
	const char *v = k->arg_text;
	bool replace = !strcmp(v, "replace");
	if (bq_fc_nargs(k, replace ? 3 : 2, replace ? 3 : 2) < 0)
		return -1;
	if (replace) {
		/* DuckDB replaces the first match unless told 'g' */
		bq_fc_kw(k, out, "regexp_replace(");
		for (size_t n = 0; n < 3; n++) {
			if (bq_fc_arg(k, n, out) < 0)
				return -1;
			sg_buf_puts(out, ", ");
		}
		sg_buf_puts(out, "'g')");
		return 0;
	}
	if (!bq_fc_arg_is_string(k, 1))
		return bq_fail(k->c, k->arg[1][0], "%s: the pattern must be a string literal to be translated", k->name);
	sg_buf re = SG_BUF_INIT, s = SG_BUF_INIT, r = SG_BUF_INIT;
	int rc = bq_string_value(k->c->src, &k->c->t[k->arg[1][0]], &re, k->c->err);
	if (rc == 0)
		rc = bq_fc_arg(k, 0, &s);
	if (rc == 0)
		rc = bq_fc_arg(k, 1, &r);
	int group = has_group(sg_buf_cstr(&re)) ? 1 : 0;
	if (rc == 0 && !strcmp(v, "all")) {
		bq_fc_kw(k, out, "regexp_extract_all(");
		sg_buf_printf(out, "%s, %s, %d)", s.ptr, r.ptr, group);
	} else if (rc == 0) {
		/* BigQuery gives NULL when nothing matches, DuckDB '' */
		bq_fc_kw(k, out, "CASE WHEN regexp_matches(");
		sg_buf_printf(out, "%s, %s) ", s.ptr, r.ptr);
		bq_fc_kw(k, out, "THEN regexp_extract(");
		sg_buf_printf(out, "%s, %s, %d) ", s.ptr, r.ptr, group);
		bq_fc_kw(k, out, "END");
	}
	sg_buf_free(&re);
	sg_buf_free(&s);
	sg_buf_free(&r);
	return rc;
}

static int h_split(bq_fcall *k, sg_buf *out)
{
	if (bq_fc_nargs(k, 1, 2) < 0)
		return -1;
	return wrap2(k, out, NULL, "string_split", "','", NULL);
}

static int h_pad(bq_fcall *k, sg_buf *out)
{
	if (bq_fc_nargs(k, 2, 3) < 0)
		return -1;
	bq_fc_kw(k, out, k->arg_text);
	sg_buf_putc(out, '(');
	for (size_t n = 0; n < k->nargs; n++) {
		if (n)
			sg_buf_puts(out, ", ");
		if (bq_fc_arg(k, n, out) < 0)
			return -1;
	}
	sg_buf_puts(out, k->nargs == 2 ? ", ' ')" : ")");
	return 0;
}

static int h_format(bq_fcall *k, sg_buf *out)
{
	if (bq_fc_nargs(k, 1, SIZE_MAX) < 0)
		return -1;
	if (bq_fc_arg_is_string(k, 0)) {
		sg_buf f = SG_BUF_INIT;
		int rc = bq_string_value(k->c->src, &k->c->t[k->arg[0][0]], &f, k->c->err);
		for (const char *p = sg_buf_cstr(&f); rc == 0 && *p; p++) {
			if (*p != '%')
				continue;
			p++;
			while (*p && strchr("-+ #0123456789.*'", *p)) {
				if (*p == '\'')
					rc = bq_fail(k->c, k->arg[0][0], "FORMAT: the ' flag has no local equivalent");
				p++;
			}
			if (rc == 0 && (*p == 't' || *p == 'T'))
				rc = bq_fail(k->c, k->arg[0][0], "FORMAT: %%%c has no local equivalent", *p);
			if (!*p)
				break;
		}
		sg_buf_free(&f);
		if (rc < 0)
			return -1;
	}
	bq_fc_kw(k, out, "printf");
	return bq_xl(k->c, k->lp, k->rp + 1, true, out);
}

static int h_fixed(bq_fcall *k, sg_buf *out)
{
	/* "pre|post": pre A0 post */
	const char *v = k->arg_text, *bar = strchr(v, '|');
	if (bq_fc_nargs(k, 1, 1) < 0)
		return -1;
	sg_buf pre = SG_BUF_INIT;
	sg_buf_put(&pre, v, (size_t)(bar - v));
	bq_fc_kw(k, out, pre.ptr);
	sg_buf_free(&pre);
	if (bq_fc_arg(k, 0, out) < 0)
		return -1;
	bq_fc_kw(k, out, bar + 1);
	return 0;
}

static int h_uuid(bq_fcall *k, sg_buf *out)
{
	if (bq_fc_nargs(k, 0, 0) < 0)
		return -1;
	bq_fc_kw(k, out, "CAST(uuid() AS VARCHAR)");
	return 0;
}

static int h_agg(bq_fcall *k, sg_buf *out)
{
	bq_ctx *c = k->c;
	bool array = !strcmp(k->arg_text, "array_agg");
	size_t ignore = SIZE_MAX, limit = SIZE_MAX, expr_end = k->rp, expr_start = k->lp + 1;
	if (bq_is_kw(c, expr_start, "DISTINCT"))
		expr_start++;
	for (size_t j = k->lp + 1; j < k->rp; j++) {
		if (bq_is_op(c, j, "(") || bq_is_op(c, j, "[")) {
			j = c->t[j].match;
			continue;
		}
		bool stop = false;
		if ((bq_is_kw(c, j, "IGNORE") || bq_is_kw(c, j, "RESPECT")) && bq_is_kw(c, j + 1, "NULLS")) {
			if (bq_is_kw(c, j, "IGNORE"))
				ignore = j;
			stop = true;
		} else if (bq_is_kw(c, j, "LIMIT")) {
			limit = j;
			stop = true;
		} else if (bq_is_kw(c, j, "HAVING")) {
			return bq_fail(c, j, "%s(... HAVING MAX/MIN ...) has no local equivalent", k->name);
		} else if (bq_is_kw(c, j, "ORDER") || bq_is_op(c, j, ",")) {
			stop = true;
		}
		if (stop && expr_end == k->rp)
			expr_end = j;
	}
	if (limit != SIZE_MAX && (!array || bq_is_kw(c, k->rp + 1, "OVER")))
		return bq_fail(c, limit, "%s(... LIMIT n)%s has no local equivalent", k->name,
			       array ? " with OVER" : "");
	if (limit != SIZE_MAX)
		bq_fc_kw(k, out, "list_slice(");
	bq_fc_kw(k, out, k->arg_text);
	bq_put_gap(out, c, k->lp);
	bq_put_tok(out, c, k->lp);
	/* the arguments without IGNORE/RESPECT NULLS and LIMIT */
	size_t j = k->lp + 1, end = limit != SIZE_MAX ? limit : k->rp;
	while (j < end) {
		size_t stop = end;
		if (ignore != SIZE_MAX && ignore >= j && ignore < stop)
			stop = ignore;
		for (size_t r = j; r < stop; r++) {
			if (bq_is_kw(c, r, "RESPECT") && bq_is_kw(c, r + 1, "NULLS")) {
				stop = r;
				break;
			}
			if (bq_is_op(c, r, "(") || bq_is_op(c, r, "["))
				r = c->t[r].match;
		}
		if (bq_xl(c, j, stop, true, out) < 0)
			return -1;
		j = stop < end ? stop + 2 : end;
	}
	bq_put_gap(out, c, k->rp);
	bq_put_tok(out, c, k->rp);
	if (ignore != SIZE_MAX) {
		bq_fc_kw(k, out, " FILTER (WHERE (");
		if (bq_xl(c, expr_start, expr_end, false, out) < 0)
			return -1;
		bq_fc_kw(k, out, ") IS NOT NULL)");
	}
	if (limit != SIZE_MAX) {
		sg_buf_puts(out, ", 1, ");
		if (bq_xl(c, limit + 1, k->rp, false, out) < 0)
			return -1;
		sg_buf_putc(out, ')');
	}
	return 0;
}

/* Is argument n a column path (a, t.a, `a`)? struct_pack names such a field after it. */
static bool arg_is_path(const bq_fcall *k, size_t n)
{
	const bq_ctx *c = k->c;
	size_t a = k->arg[n][0], b = k->arg[n][1];
	if ((b - a) % 2 == 0)
		return false;
	for (size_t j = a; j < b; j++) {
		bool ok = (j - a) % 2 == 0 ? (c->t[j].kind == BQ_IDENT || c->t[j].kind == BQ_QIDENT) && !bq_is_reserved(c, j)
					   : bq_is_op(c, j, ".");
		if (!ok)
			return false;
	}
	return true;
}

static int h_struct(bq_fcall *k, sg_buf *out)
{
	bq_ctx *c = k->c;
	if (k->nargs == 0)
		return bq_fail(c, k->fn, "STRUCT() without fields has no local equivalent");
	bool any_named = false, all_paths = true;
	size_t *as = sg_calloc(k->nargs, sizeof(*as));
	for (size_t n = 0; n < k->nargs; n++) {
		size_t a = k->arg[n][0], b = k->arg[n][1];
		as[n] = SIZE_MAX;
		if (b >= a + 3 && bq_is_kw(c, b - 2, "AS")) {
			as[n] = b - 2;
			any_named = true;
		} else if (!arg_is_path(k, n)) {
			all_paths = false;
		}
	}
	int rc = 0;
	if (!any_named && !all_paths) {
		/* STRUCT(1, 2): fields without names */
		bq_fc_kw(k, out, "row");
		rc = bq_xl(c, k->lp, k->rp + 1, true, out);
		free(as);
		return rc;
	}
	bq_fc_kw(k, out, "struct_pack(");
	for (size_t n = 0; n < k->nargs && rc == 0; n++) {
		size_t a = k->arg[n][0], b = k->arg[n][1];
		if (n)
			sg_buf_puts(out, ", ");
		if (as[n] != SIZE_MAX) {
			sg_buf name = SG_BUF_INIT;
			if (c->t[b - 1].kind == BQ_QIDENT)
				bq_string_value(c->src, &c->t[b - 1], &name, c->err);
			else
				bq_put_tok(&name, c, b - 1);
			bq_put_ident(out, sg_buf_cstr(&name));
			sg_buf_free(&name);
			sg_buf_puts(out, " := ");
			rc = bq_xl(c, a, as[n], false, out);
		} else if (arg_is_path(k, n)) {
			/* a column path: BigQuery names the field after its last part */
			sg_buf name = SG_BUF_INIT;
			if (c->t[b - 1].kind == BQ_QIDENT)
				bq_string_value(c->src, &c->t[b - 1], &name, c->err);
			else
				bq_put_tok(&name, c, b - 1);
			bq_put_ident(out, sg_buf_cstr(&name));
			sg_buf_free(&name);
			sg_buf_puts(out, " := ");
			rc = bq_xl(c, a, b, false, out);
		} else {
			/* BigQuery leaves it without a name; DuckDB needs one */
			sg_buf_printf(out, "\"_field_%zu\" := ", n + 1);
			rc = bq_xl(c, a, b, false, out);
		}
	}
	sg_buf_putc(out, ')');
	free(as);
	return rc;
}

static int h_unnest(bq_fcall *k, sg_buf *out)
{
	bq_ctx *c = k->c;
	if (bq_fc_nargs(k, 1, 1) < 0)
		return -1;
	if (k->fn > 0 && bq_is_kw(c, k->fn - 1, "IN")) {
		/* x IN UNNEST(arr) */
		bq_fc_kw(k, out, "(SELECT unnest(");
		if (bq_fc_arg(k, 0, out) < 0)
			return -1;
		sg_buf_puts(out, "))");
		return 0;
	}
	size_t j = k->rp + 1, alias = SIZE_MAX, off_alias = SIZE_MAX;
	bool offset = false;
	if (k->in_from) {
		if (bq_is_kw(c, j, "AS"))
			j++;
		if (j < c->n && (c->t[j].kind == BQ_QIDENT || (c->t[j].kind == BQ_IDENT && !bq_is_reserved(c, j))))
			alias = j++;
		if (bq_is_kw(c, j, "WITH") && bq_is_kw(c, j + 1, "OFFSET")) {
			offset = true;
			j += 2;
			if (bq_is_kw(c, j, "AS"))
				j++;
			if (j < c->n && (c->t[j].kind == BQ_QIDENT || (c->t[j].kind == BQ_IDENT && !bq_is_reserved(c, j))))
				off_alias = j++;
		}
	}
	if (!offset && alias == SIZE_MAX)
		return h_rename(k, out);
	sg_buf arr = SG_BUF_INIT, name = SG_BUF_INIT;
	int rc = bq_fc_arg(k, 0, &arr);
	if (alias != SIZE_MAX) {
		if (c->t[alias].kind == BQ_QIDENT)
			bq_string_value(c->src, &c->t[alias], &name, c->err);
		else
			bq_put_tok(&name, c, alias);
	} else {
		sg_buf_puts(&name, "f0_");
	}
	if (rc == 0 && !offset) {
		/* DuckDB's table alias needs the column named too: AS x(x) */
		bq_put_tok(out, c, k->fn);
		sg_buf_printf(out, "(%s) ", arr.ptr);
		bq_fc_kw(k, out, "AS ");
		bq_put_ident(out, name.ptr);
		sg_buf_putc(out, '(');
		bq_put_ident(out, name.ptr);
		sg_buf_putc(out, ')');
	} else if (rc == 0) {
		bq_fc_kw(k, out, "(SELECT unnest(");
		sg_buf_printf(out, "%s) ", arr.ptr);
		bq_fc_kw(k, out, "AS ");
		bq_put_ident(out, name.ptr);
		bq_fc_kw(k, out, ", generate_subscripts(");
		sg_buf_printf(out, "%s, 1) - 1 ", arr.ptr);
		bq_fc_kw(k, out, "AS ");
		sg_buf_clear(&name);
		if (off_alias == SIZE_MAX)
			sg_buf_puts(&name, "offset");
		else if (c->t[off_alias].kind == BQ_QIDENT)
			bq_string_value(c->src, &c->t[off_alias], &name, c->err);
		else
			bq_put_tok(&name, c, off_alias);
		bq_put_ident(out, name.ptr);
		sg_buf_putc(out, ')');
	}
	k->next = j;
	sg_buf_free(&arr);
	sg_buf_free(&name);
	return rc;
}

/* Sorted by name (checked by bq_func_tables_sorted in the unit tests). */
static const fn_spec funcs[] = {
	{ "AEAD", h_refuse, NULL },
	{ "APPENDS", h_refuse, NULL },
	{ "APPROX_QUANTILES", h_refuse, NULL },
	{ "APPROX_TOP_COUNT", h_refuse, NULL },
	{ "APPROX_TOP_SUM", h_refuse, NULL },
	{ "ARRAY_AGG", h_agg, "array_agg" },
	{ "ARRAY_LENGTH", h_rename, "len" },
	{ "ARRAY_REVERSE", h_rename, "list_reverse" },
	{ "BYTE_LENGTH", h_rename, "octet_length" },
	{ "CAST", h_cast, NULL },
	{ "CHANGES", h_refuse, NULL },
	{ "CHARACTER_LENGTH", h_rename, "length" },
	{ "CHAR_LENGTH", h_rename, "length" },
	{ "CONCAT", h_concat, NULL },
	{ "CONTAINS_SUBSTR", h_refuse, NULL },
	{ "COUNTIF", h_rename, "count_if" },
	{ "CURRENT_DATE", bq_h_current, "DATE" },
	{ "CURRENT_DATETIME", bq_h_current, "DATETIME" },
	{ "CURRENT_TIME", bq_h_current, "TIME" },
	{ "CURRENT_TIMESTAMP", bq_h_current, "TIMESTAMP" },
	{ "DATE", bq_h_ctor, "DATE" },
	{ "DATETIME", bq_h_ctor, "DATETIME" },
	{ "DATETIME_ADD", bq_h_add, "T+" },
	{ "DATETIME_DIFF", bq_h_diff, "B" },
	{ "DATETIME_SUB", bq_h_add, "T-" },
	{ "DATETIME_TRUNC", bq_h_trunc, "DATETIME" },
	{ "DATE_ADD", bq_h_add, "D+" },
	{ "DATE_DIFF", bq_h_diff, "B" },
	{ "DATE_FROM_UNIX_DATE", h_fixed, "(DATE '1970-01-01' + CAST(| AS INTEGER))" },
	{ "DATE_SUB", bq_h_add, "D-" },
	{ "DATE_TRUNC", bq_h_trunc, "DATE" },
	{ "DIV", h_div, NULL },
	{ "EXTERNAL_OBJECT_TRANSFORM", h_refuse, NULL },
	{ "EXTERNAL_QUERY", h_refuse, "federated queries need the remote database" },
	{ "EXTRACT", bq_h_extract, NULL },
	{ "FARM_FINGERPRINT", h_refuse, NULL },
	{ "FORMAT", h_format, NULL },
	{ "FORMAT_DATE", bq_h_format_time, "DATE" },
	{ "FORMAT_DATETIME", bq_h_format_time, "DATETIME" },
	{ "FORMAT_TIME", bq_h_format_time, "TIME" },
	{ "FORMAT_TIMESTAMP", bq_h_format_time, "TIMESTAMP" },
	{ "FROM_HEX", h_rename, "unhex" },
	{ "GAP_FILL", h_refuse, NULL },
	{ "GENERATE_ARRAY", h_rename, "generate_series" },
	{ "GENERATE_DATE_ARRAY", bq_h_date_array, "DATE" },
	{ "GENERATE_TIMESTAMP_ARRAY", bq_h_date_array, "TIMESTAMP" },
	{ "GENERATE_UUID", h_uuid, NULL },
	{ "IFNULL", h_rename, "coalesce" },
	{ "JSON_EXTRACT", h_json, "query" },
	{ "JSON_EXTRACT_ARRAY", h_json, "array" },
	{ "JSON_EXTRACT_SCALAR", h_json, "scalar" },
	{ "JSON_EXTRACT_STRING_ARRAY", h_json, "string_array" },
	{ "JSON_QUERY", h_json, "query" },
	{ "JSON_QUERY_ARRAY", h_json, "array" },
	{ "JSON_VALUE", h_json, "scalar" },
	{ "JSON_VALUE_ARRAY", h_json, "string_array" },
	{ "LOG", h_log, NULL },
	{ "LOGICAL_AND", h_rename, "bool_and" },
	{ "LOGICAL_OR", h_rename, "bool_or" },
	{ "LPAD", h_pad, "lpad" },
	{ "MD5", h_fixed, "unhex(md5(|))" },
	{ "PARSE_DATE", bq_h_parse_time, "DATE" },
	{ "PARSE_DATETIME", bq_h_parse_time, "DATETIME" },
	{ "PARSE_JSON", h_json, "parse_json" },
	{ "PARSE_TIME", bq_h_parse_time, "TIME" },
	{ "PARSE_TIMESTAMP", bq_h_parse_time, "TIMESTAMP" },
	{ "PERCENTILE_CONT", h_rename, "quantile_cont" },
	{ "PERCENTILE_DISC", h_rename, "quantile_disc" },
	{ "RAND", h_rename, "random" },
	{ "RANGE", h_refuse, NULL },
	{ "RANGE_BUCKET", h_refuse, NULL },
	{ "REGEXP_CONTAINS", h_rename, "regexp_matches" },
	{ "REGEXP_EXTRACT", h_regexp, "one" },
	{ "REGEXP_EXTRACT_ALL", h_regexp, "all" },
	{ "REGEXP_REPLACE", h_regexp, "replace" },
	{ "REGEXP_SUBSTR", h_regexp, "one" },
	{ "RPAD", h_pad, "rpad" },
	{ "SAFE_ADD", h_safe_arith, "+" },
	{ "SAFE_CAST", h_cast, "TRY_CAST" },
	{ "SAFE_DIVIDE", h_safe_divide, NULL },
	{ "SAFE_MULTIPLY", h_safe_arith, "*" },
	{ "SAFE_NEGATE", h_safe_arith, "neg" },
	{ "SAFE_SUBTRACT", h_safe_arith, "-" },
	{ "SEARCH", h_refuse, NULL },
	{ "SESSION_USER", h_refuse, NULL },
	{ "SHA1", h_fixed, "unhex(sha1(|))" },
	{ "SHA256", h_fixed, "unhex(sha256(|))" },
	{ "SHA512", h_refuse, NULL },
	{ "SPLIT", h_split, NULL },
	{ "STRING", bq_h_ctor, "STRING" },
	{ "STRING_AGG", h_agg, "string_agg" },
	{ "STRUCT", h_struct, NULL },
	{ "TIME", bq_h_ctor, "TIME" },
	{ "TIMESTAMP", bq_h_ctor, "TIMESTAMP" },
	{ "TIMESTAMP_ADD", bq_h_add, "T+" },
	{ "TIMESTAMP_DIFF", bq_h_diff, "W" },
	{ "TIMESTAMP_MICROS", h_fixed, "CAST(make_timestamp(|) AS TIMESTAMPTZ)" },
	{ "TIMESTAMP_MILLIS", h_fixed, "CAST(make_timestamp(CAST(| AS BIGINT) * 1000) AS TIMESTAMPTZ)" },
	{ "TIMESTAMP_SECONDS", h_rename, "to_timestamp" },
	{ "TIMESTAMP_SUB", bq_h_add, "T-" },
	{ "TIMESTAMP_TRUNC", bq_h_trunc, "TIMESTAMP" },
	{ "TIME_ADD", bq_h_add, "T+" },
	{ "TIME_DIFF", bq_h_diff, "W" },
	{ "TIME_SUB", bq_h_add, "T-" },
	{ "TIME_TRUNC", bq_h_trunc, "TIME" },
	{ "TO_HEX", h_fixed, "lower(hex(|))" },
	{ "TO_JSON_STRING", h_json, "to_json_string" },
	{ "UNIX_DATE", h_fixed, "(CAST(| AS DATE) - DATE '1970-01-01')" },
	{ "UNIX_MICROS", h_rename, "epoch_us" },
	{ "UNIX_MILLIS", h_rename, "epoch_ms" },
	{ "UNIX_SECONDS", h_fixed, "CAST(floor(epoch(|)) AS BIGINT)" },
	{ "UNNEST", h_unnest, "unnest" },
	{ "VECTOR_SEARCH", h_refuse, NULL },
};

/* Families refused by prefix: ST_ (geography), S2_, DLP_, DETERMINISTIC_ (encryption). */
static const char *const refused_prefixes[] = { "ST_", "S2_", "DLP_", "DETERMINISTIC_", "RANGE_", NULL };
/* Namespaces of BigQuery functions (NS.NAME) with no local equivalent. */
static const char *const refused_namespaces[] = { "ML", "NET", "AEAD", "KEYS", "HLL_COUNT", "KLL_QUANTILES",
						  "AI", "OBJ", "VECTOR_INDEX", NULL };

/* Names are compared in upper case (the key is upper case already). */
static int cmp_spec(const void *key, const void *elem)
{
	return strcmp(key, ((const fn_spec *)elem)->name);
}

int bq_func_tables_sorted(void)
{
	for (size_t i = 1; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		if (strcmp(funcs[i - 1].name, funcs[i].name) >= 0)
			return -1;
	}
	return 0;
}

/* The text of the name tokens [name, lp), as written and in upper case. */
static void call_name(const bq_ctx *c, size_t name, size_t lp, char *buf, char *upper, size_t size, size_t *nparts)
{
	sg_buf b = SG_BUF_INIT;
	*nparts = 0;
	for (size_t k = name; k < lp; k += 2) {
		if (k > name)
			sg_buf_putc(&b, '.');
		if (c->t[k].kind == BQ_QIDENT)
			bq_string_value(c->src, &c->t[k], &b, c->err);
		else
			bq_put_tok(&b, c, k);
		(*nparts)++;
	}
	snprintf(buf, size, "%s", sg_buf_cstr(&b));
	for (char *p = b.ptr; p && *p; p++) {
		*p = (char)toupper((unsigned char)*p);
		if (*p == '.' && c->t[name].kind == BQ_QIDENT)
			(*nparts)++;
	}
	snprintf(upper, size, "%s", sg_buf_cstr(&b));
	sg_buf_free(&b);
}

static int split_args(bq_fcall *k)
{
	const bq_ctx *c = k->c;
	size_t cap = 8;
	k->arg = sg_calloc(cap, sizeof(*k->arg));
	k->nargs = 0;
	if (k->lp + 1 == k->rp)
		return 0;
	size_t start = k->lp + 1;
	for (size_t j = k->lp + 1; j <= k->rp; j++) {
		if (j < k->rp && (bq_is_op(c, j, "(") || bq_is_op(c, j, "["))) {
			j = c->t[j].match;
			continue;
		}
		if (j == k->rp || bq_is_op(c, j, ",")) {
			if (j == start)
				return bq_fail(k->c, j, "%s: empty argument", k->name);
			if (k->nargs == cap) {
				cap *= 2;
				k->arg = sg_realloc(k->arg, cap * sizeof(*k->arg));
			}
			k->arg[k->nargs][0] = start;
			k->arg[k->nargs][1] = j;
			k->nargs++;
			start = j + 1;
		}
	}
	return 0;
}

int bq_call(bq_ctx *c, size_t name, size_t lp, bool in_from, sg_buf *out, size_t *next)
{
	bq_fcall k = { 0 };
	k.c = c;
	k.fn = lp - 1;
	k.lp = lp;
	k.rp = c->t[lp].match;
	k.in_from = in_from;
	k.next = k.rp + 1;
	size_t nparts;
	call_name(c, name, lp, k.name, k.upper, sizeof(k.name), &nparts);
	*next = k.next;
	if (nparts > 1) {
		if (nparts == 2 && !strncmp(k.upper, "SAFE.", 5) && c->t[k.fn].kind == BQ_IDENT) {
			/* SAFE.F(...): F's translation, NULL where it would fail */
			sg_buf inner = SG_BUF_INIT;
			int rc = bq_call(c, k.fn, lp, in_from, &inner, next);
			if (rc == 0) {
				bq_put_name(out, c, name, "try(");
				sg_buf_put(out, inner.ptr, inner.len);
				sg_buf_putc(out, ')');
			}
			sg_buf_free(&inner);
			return rc;
		}
		for (const char *const *ns = refused_namespaces; *ns; ns++) {
			size_t n = strlen(*ns);
			if (!strncmp(k.upper, *ns, n) && k.upper[n] == '.')
				return bq_fail(c, name, "BigQuery function %s has no local equivalent", k.name);
		}
		return bq_fail(c, name, "user-defined function %s has no local equivalent", k.name);
	}
	const fn_spec *spec = bsearch(k.upper, funcs, sizeof(funcs) / sizeof(funcs[0]), sizeof(funcs[0]), cmp_spec);
	if (!spec) {
		for (const char *const *p = refused_prefixes; *p; p++) {
			if (!strncmp(k.upper, *p, strlen(*p)))
				return bq_fail(c, name, "BigQuery function %s has no local equivalent", k.name);
		}
		/* same name in both dialects, or unknown to both: DuckDB decides */
		bq_put_tok(out, c, name);
		return bq_xl(c, lp, k.rp + 1, true, out);
	}
	k.arg_text = spec->arg;
	int rc = split_args(&k);
	if (rc == 0)
		rc = spec->fn(&k, out);
	*next = k.next;
	free(k.arg);
	return rc;
}

