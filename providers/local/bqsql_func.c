/*
 * BigQuery → DuckDB translation of function calls and types.
 *
 * A call is looked up in `funcs` (sorted, case-insensitive): renamed,
 * rebuilt by a handler, or refused. A name that is in no list passes
 * through unchanged, its arguments translated (bqsql.h says why).
 */
#include "providers/local/bqsql_internal.h"

#include "providers/local/warehouse.h"
#include "util/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct call call;
typedef int (*call_fn)(call *k, sg_buf *out);

typedef struct fn_spec {
	const char *name;
	call_fn fn;
	const char *arg; /* the handler's parameter: a new name, a variant */
} fn_spec;

struct call {
	bq_ctx *c;
	size_t fn;     /* the token of the name */
	size_t lp, rp; /* the parentheses */
	size_t (*arg)[2];
	size_t nargs;
	bool in_from;
	size_t next; /* first token after what the handler consumed */
	const fn_spec *spec;
	char name[64];	/* as written, for messages */
	char upper[64]; /* upper case, for the lookup */
};

/* ---- helpers ---- */

static void put_tok(sg_buf *out, const bq_ctx *c, size_t i)
{
	sg_buf_put(out, c->src + c->t[i].start, c->t[i].len);
}

static void put_gap(sg_buf *out, const bq_ctx *c, size_t i)
{
	bq_emit_gap(out, c->src, c->t[i].gap, c->t[i].start);
}

/* A keyword or function name in the case of the call's name. */
static void K(call *k, sg_buf *out, const char *word)
{
	bq_put_name(out, k->c, k->fn, word);
}

static int A(call *k, size_t n, sg_buf *out)
{
	return bq_xl(k->c, k->arg[n][0], k->arg[n][1], false, out);
}

/* An argument, in parentheses unless it is one token, a call or already parenthesised. */
static int AP(call *k, size_t n, sg_buf *out)
{
	const bq_ctx *c = k->c;
	size_t a = k->arg[n][0], b = k->arg[n][1];
	bool simple = b == a + 1 || ((bq_is_op(c, a, "(") || bq_is_op(c, a, "[")) && c->t[a].match == b - 1) ||
		      (b > a + 2 && c->t[a].kind == BQ_IDENT && bq_is_op(c, a + 1, "(") && c->t[a + 1].match == b - 1);
	if (!simple)
		sg_buf_putc(out, '(');
	if (A(k, n, out) < 0)
		return -1;
	if (!simple)
		sg_buf_putc(out, ')');
	return 0;
}

static int nargs(call *k, size_t min, size_t max)
{
	if (k->nargs >= min && k->nargs <= max)
		return 0;
	if (min == max)
		return bq_fail(k->c, k->fn, "%s expects %zu argument%s, found %zu", k->name, min, min == 1 ? "" : "s",
			       k->nargs);
	return bq_fail(k->c, k->fn, "%s expects %zu to %zu arguments, found %zu", k->name, min, max, k->nargs);
}

static bool arg_is_string(const call *k, size_t n)
{
	return n < k->nargs && k->arg[n][1] == k->arg[n][0] + 1 && k->c->t[k->arg[n][0]].kind == BQ_STRING;
}

/* The upper-case word of a one-identifier argument (MONTH), or "". */
static void arg_word(const call *k, size_t n, char *buf, size_t size, char *sub, size_t subsize)
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

static bool word_in(const char *w, const char *const *list)
{
	for (; *list; list++) {
		if (!strcmp(w, *list))
			return true;
	}
	return false;
}

static void lower_into(sg_buf *out, const char *s)
{
	for (; *s; s++)
		sg_buf_putc(out, (char)tolower((unsigned char)*s));
}

/* The date part argument n as DuckDB's 'part'; WEEK(SUNDAY) is reported through *sunday_week. */
static int date_part(call *k, size_t n, bool allow_time, char *part, size_t size, bool *sunday_week)
{
	static const char *const date_parts[] = { "DAY", "MONTH", "QUARTER", "YEAR", NULL };
	static const char *const time_parts[] = { "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND", NULL };
	char w[32], sub[32];
	arg_word(k, n, w, sizeof(w), sub, sizeof(sub));
	*sunday_week = false;
	if (!strcmp(w, "WEEK") && (!sub[0] || !strcmp(sub, "SUNDAY"))) {
		*sunday_week = true;
		snprintf(part, size, "week");
	} else if ((!strcmp(w, "WEEK") && !strcmp(sub, "MONDAY")) || (!strcmp(w, "ISOWEEK") && !sub[0])) {
		snprintf(part, size, "week");
	} else if (!strcmp(w, "ISOYEAR") && !sub[0]) {
		snprintf(part, size, "isoyear");
	} else if (!sub[0] && (word_in(w, date_parts) || (allow_time && word_in(w, time_parts)))) {
		sg_buf p = SG_BUF_INIT;
		lower_into(&p, w);
		snprintf(part, size, "%s", p.ptr);
		sg_buf_free(&p);
	} else if (!strcmp(w, "WEEK")) {
		return bq_fail(k->c, k->arg[n][0], "%s: WEEK(%s) has no local equivalent (WEEK, WEEK(SUNDAY), WEEK(MONDAY) and ISOWEEK do)",
			       k->name, sub);
	} else {
		return bq_fail(k->c, k->arg[n][0], "%s: expected a date part (DAY, WEEK, MONTH, ...) as argument %zu",
			       k->name, n + 1);
	}
	return 0;
}

/* Argument n as INTERVAL expr UNIT: expression tokens [*a, *b) and the unit token. */
static bool interval_arg(const call *k, size_t n, size_t *a, size_t *b, size_t *unit)
{
	const bq_ctx *c = k->c;
	size_t s = k->arg[n][0], e = k->arg[n][1];
	static const char *const units[] = { "YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR",
					     "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND", NULL };
	if (e < s + 3 || !bq_is_kw(c, s, "INTERVAL") || c->t[e - 1].kind != BQ_IDENT)
		return false;
	for (const char *const *u = units; *u; u++) {
		if (bq_is_kw(c, e - 1, *u)) {
			*a = s + 1;
			*b = e - 1;
			*unit = e - 1;
			return true;
		}
	}
	return false;
}

/* INTERVAL (expr) UNIT from argument n, or the argument itself in parentheses. */
static int put_interval_arg(call *k, size_t n, sg_buf *out)
{
	size_t a, b, u;
	if (!interval_arg(k, n, &a, &b, &u))
		return AP(k, n, out);
	K(k, out, "INTERVAL");
	sg_buf_puts(out, " (");
	if (bq_xl(k->c, a, b, false, out) < 0)
		return -1;
	sg_buf_puts(out, ") ");
	put_tok(out, k->c, u);
	return 0;
}

/* The format string of argument n converted, as a DuckDB literal. */
static int format_arg(call *k, size_t n, bool for_parse, bool has_tz, sg_buf *out)
{
	if (!arg_is_string(k, n))
		return bq_fail(k->c, k->arg[n][0], "%s: the format must be a string literal to be translated", k->name);
	size_t tok = k->arg[n][0];
	sg_buf v = SG_BUF_INIT, conv = SG_BUF_INIT;
	int rc = bq_string_value(k->c->src, &k->c->t[tok], &v, k->c->err);
	if (rc == 0)
		rc = bq_format_elements(k->c, tok, sg_buf_cstr(&v), v.len, for_parse, has_tz, &conv);
	if (rc == 0 && bq_put_sql_string(out, sg_buf_cstr(&conv), conv.len) < 0)
		rc = bq_fail(k->c, tok, "format holds a NUL character");
	sg_buf_free(&v);
	sg_buf_free(&conv);
	return rc;
}

/* ---- handlers ---- */

static int h_rename(call *k, sg_buf *out)
{
	K(k, out, k->spec->arg);
	return bq_xl(k->c, k->lp, k->rp + 1, true, out);
}

static int h_refuse(call *k, sg_buf *out)
{
	(void)out;
	return bq_fail(k->c, k->fn, "BigQuery function %s has no local equivalent%s%s", k->name,
		       k->spec->arg ? ": " : "", k->spec->arg ? k->spec->arg : "");
}

static int h_cast(call *k, sg_buf *out)
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
	if (k->spec->arg)
		K(k, out, k->spec->arg);
	else
		put_tok(out, c, k->fn);
	put_gap(out, c, k->lp);
	put_tok(out, c, k->lp);
	if (bq_xl(c, k->lp + 1, as, true, out) < 0)
		return -1;
	put_gap(out, c, as);
	put_tok(out, c, as);
	put_gap(out, c, as + 1);
	size_t after;
	if (bq_type(c, as + 1, k->rp, out, &after) < 0)
		return -1;
	if (after < k->rp) {
		if (bq_is_kw(c, after, "FORMAT"))
			return bq_fail(c, after, "%s(... FORMAT ...) has no local equivalent: use FORMAT_DATE or FORMAT_TIMESTAMP",
				       k->name);
		return bq_fail(c, after, "unexpected %.*s after the type", (int)c->t[after].len, c->src + c->t[after].start);
	}
	put_gap(out, c, k->rp);
	put_tok(out, c, k->rp);
	return 0;
}

static int h_extract(call *k, sg_buf *out)
{
	bq_ctx *c = k->c;
	size_t from = SIZE_MAX, at = SIZE_MAX;
	for (size_t j = k->lp + 1; j < k->rp; j++) {
		if (bq_is_op(c, j, "(") || bq_is_op(c, j, "["))
			j = c->t[j].match;
		else if (from == SIZE_MAX && bq_is_kw(c, j, "FROM"))
			from = j;
		else if (from != SIZE_MAX && bq_is_kw(c, j, "AT") && bq_is_kw(c, j + 1, "TIME") && bq_is_kw(c, j + 2, "ZONE"))
			at = j;
	}
	if (from == SIZE_MAX || from == k->lp + 1 || from + 1 >= (at == SIZE_MAX ? k->rp : at))
		return bq_fail(c, k->fn, "EXTRACT expects EXTRACT(part FROM value)");
	/* the date part, as an argument of its own */
	size_t part_range[1][2] = { { k->lp + 1, from } };
	call pk = *k;
	pk.arg = part_range;
	pk.nargs = 1;
	char w[32], sub[32];
	arg_word(&pk, 0, w, sizeof(w), sub, sizeof(sub));
	sg_buf src = SG_BUF_INIT;
	int rc;
	if (at != SIZE_MAX) {
		K(k, &src, "timezone(");
		rc = bq_xl(c, at + 3, k->rp, false, &src);
		sg_buf_puts(&src, ", ");
		if (rc == 0)
			rc = bq_xl(c, from + 1, at, false, &src);
		sg_buf_putc(&src, ')');
	} else {
		rc = bq_xl(c, from + 1, k->rp, false, &src);
	}
	static const char *const same[] = { "YEAR", "QUARTER", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", NULL };
	const char *s = sg_buf_cstr(&src);
	if (rc < 0) {
	} else if (!sub[0] && word_in(w, same)) {
		K(k, out, "EXTRACT(");
		sg_buf_puts(out, w);
		K(k, out, " FROM ");
		sg_buf_printf(out, "%s)", s);
	} else if (!strcmp(w, "DAYOFWEEK")) {
		K(k, out, "(EXTRACT(DOW FROM ");
		sg_buf_printf(out, "%s) + 1)", s);
	} else if (!strcmp(w, "DAYOFYEAR")) {
		K(k, out, "EXTRACT(DOY FROM ");
		sg_buf_printf(out, "%s)", s);
	} else if (!strcmp(w, "ISOWEEK") || !strcmp(w, "ISOYEAR")) {
		K(k, out, !strcmp(w, "ISOWEEK") ? "EXTRACT(WEEK FROM " : "EXTRACT(ISOYEAR FROM ");
		sg_buf_printf(out, "%s)", s);
	} else if (!strcmp(w, "WEEK") && (!sub[0] || !strcmp(sub, "SUNDAY") || !strcmp(sub, "MONDAY"))) {
		K(k, out, "CAST(strftime(");
		sg_buf_printf(out, "%s, '%s')", s, !strcmp(sub, "MONDAY") ? "%W" : "%U");
		K(k, out, " AS BIGINT)");
	} else if (!strcmp(w, "MILLISECOND") || !strcmp(w, "MICROSECOND")) {
		K(k, out, "(EXTRACT(");
		sg_buf_puts(out, w);
		K(k, out, " FROM ");
		sg_buf_printf(out, "%s) %% %s)", s, !strcmp(w, "MILLISECOND") ? "1000" : "1000000");
	} else if (!strcmp(w, "DATE") || !strcmp(w, "TIME") || !strcmp(w, "DATETIME")) {
		K(k, out, "CAST(");
		sg_buf_puts(out, s);
		K(k, out, !strcmp(w, "DATE") ? " AS DATE)" : !strcmp(w, "TIME") ? " AS TIME)" : " AS TIMESTAMP)");
	} else {
		rc = bq_fail(c, k->lp + 1, "EXTRACT(%s%s%s%s FROM ...) has no local equivalent", w[0] ? w : "?",
			     sub[0] ? "(" : "", sub, sub[0] ? ")" : "");
	}
	sg_buf_free(&src);
	return rc;
}

static int h_current(call *k, sg_buf *out)
{
	const char *what = k->spec->arg;
	if (nargs(k, 0, 1) < 0)
		return -1;
	if (!strcmp(what, "TIMESTAMP")) {
		if (nargs(k, 0, 0) < 0)
			return -1;
		K(k, out, "current_timestamp");
		return 0;
	}
	if (!strcmp(what, "DATE") && k->nargs == 0) {
		K(k, out, "current_date");
		return 0;
	}
	if (strcmp(what, "DATETIME"))
		K(k, out, "CAST(");
	K(k, out, "timezone(");
	if (k->nargs == 0)
		sg_buf_puts(out, "'UTC'");
	else if (A(k, 0, out) < 0)
		return -1;
	K(k, out, ", current_timestamp)");
	if (!strcmp(what, "DATE"))
		K(k, out, " AS DATE)");
	else if (!strcmp(what, "TIME"))
		K(k, out, " AS TIME)");
	return 0;
}

static int h_trunc(call *k, sg_buf *out)
{
	const char *kind = k->spec->arg; /* DATE, TIMESTAMP, DATETIME, TIME */
	if (nargs(k, 2, !strcmp(kind, "TIMESTAMP") ? 3 : 2) < 0)
		return -1;
	if (k->nargs == 3)
		return bq_fail(k->c, k->arg[2][0], "TIMESTAMP_TRUNC with a time zone has no local equivalent");
	char part[32];
	bool sunday;
	if (date_part(k, 1, strcmp(kind, "DATE") != 0, part, sizeof(part), &sunday) < 0)
		return -1;
	bool as_date = !strcmp(kind, "DATE"), as_time = !strcmp(kind, "TIME");
	if (as_date || as_time)
		K(k, out, "CAST(");
	if (sunday)
		sg_buf_putc(out, '(');
	K(k, out, "date_trunc");
	sg_buf_printf(out, "('%s', ", part);
	if (as_time) {
		K(k, out, "DATE");
		sg_buf_puts(out, " '1970-01-01' + ");
	}
	if (AP(k, 0, out) < 0)
		return -1;
	if (sunday) {
		/* BigQuery's WEEK starts on Sunday, DuckDB's on Monday */
		sg_buf_puts(out, " + ");
		K(k, out, "INTERVAL 1 DAY) - INTERVAL 1 DAY");
	}
	sg_buf_putc(out, ')');
	if (as_date)
		K(k, out, " AS DATE)");
	else if (as_time)
		K(k, out, " AS TIME)");
	return 0;
}

static int h_add(call *k, sg_buf *out)
{
	const char *v = k->spec->arg; /* "D+" "D-" "T+" "T-" */
	if (nargs(k, 2, 2) < 0)
		return -1;
	if (v[0] == 'D') {
		K(k, out, "CAST(");
	} else {
		sg_buf_putc(out, '(');
	}
	if (AP(k, 0, out) < 0)
		return -1;
	sg_buf_printf(out, " %c ", v[1]);
	if (put_interval_arg(k, 1, out) < 0)
		return -1;
	if (v[0] == 'D')
		K(k, out, " AS DATE)");
	else
		sg_buf_putc(out, ')');
	return 0;
}

static int h_diff(call *k, sg_buf *out)
{
	bool whole = k->spec->arg[0] == 'W'; /* TIMESTAMP_DIFF, TIME_DIFF: whole intervals */
	if (nargs(k, 3, 3) < 0)
		return -1;
	char part[32];
	bool sunday;
	if (date_part(k, 2, true, part, sizeof(part), &sunday) < 0)
		return -1;
	if (!whole && !strcmp(part, "week")) {
		/* DuckDB counts weeks as days / 7; BigQuery counts week boundaries crossed */
		K(k, out, "(date_diff");
		sg_buf_puts(out, "('day', ");
		for (int n = 1; n >= 0; n--) {
			K(k, out, "date_trunc");
			sg_buf_puts(out, "('week', ");
			if (AP(k, (size_t)n, out) < 0)
				return -1;
			if (sunday) {
				sg_buf_puts(out, " + ");
				K(k, out, "INTERVAL 1 DAY");
			}
			sg_buf_puts(out, n ? "), " : ")) // 7)");
		}
		return 0;
	}
	K(k, out, whole ? "date_sub" : "date_diff");
	sg_buf_printf(out, "('%s', ", part);
	for (int n = 1; n >= 0; n--) {
		if (AP(k, (size_t)n, out) < 0)
			return -1;
		sg_buf_puts(out, n ? ", " : ")");
	}
	return 0;
}

static int h_format_time(call *k, sg_buf *out)
{
	const char *kind = k->spec->arg;
	bool ts = !strcmp(kind, "TIMESTAMP");
	if (nargs(k, 2, ts ? 3 : 2) < 0)
		return -1;
	K(k, out, "strftime(");
	if (k->nargs == 3) {
		K(k, out, "timezone(");
		if (A(k, 2, out) < 0)
			return -1;
		sg_buf_puts(out, ", ");
	} else if (!strcmp(kind, "TIME")) {
		K(k, out, "DATE");
		sg_buf_puts(out, " '1970-01-01' + ");
	}
	if ((k->nargs == 3 || !strcmp(kind, "TIME") ? AP(k, 1, out) : A(k, 1, out)) < 0)
		return -1;
	sg_buf_puts(out, k->nargs == 3 ? "), " : ", ");
	if (format_arg(k, 0, false, k->nargs == 3, out) < 0)
		return -1;
	sg_buf_putc(out, ')');
	return 0;
}

static int h_parse_time(call *k, sg_buf *out)
{
	const char *kind = k->spec->arg;
	bool ts = !strcmp(kind, "TIMESTAMP");
	if (nargs(k, 2, ts ? 3 : 2) < 0)
		return -1;
	if (k->nargs == 3) {
		K(k, out, "timezone(");
		if (A(k, 2, out) < 0)
			return -1;
		sg_buf_puts(out, ", ");
	}
	K(k, out, "CAST(strptime(");
	if (A(k, 1, out) < 0)
		return -1;
	sg_buf_puts(out, ", ");
	if (format_arg(k, 0, true, false, out) < 0)
		return -1;
	if (k->nargs == 3) {
		K(k, out, ") AS TIMESTAMP))");
		return 0;
	}
	K(k, out, ") AS ");
	K(k, out, !strcmp(kind, "DATE") ? "DATE)" : !strcmp(kind, "TIME") ? "TIME)" : ts ? "TIMESTAMPTZ)" : "TIMESTAMP)");
	return 0;
}

static int h_concat(call *k, sg_buf *out)
{
	/* CONCAT is NULL when an argument is; DuckDB's concat skips NULLs, || does not */
	if (nargs(k, 1, SIZE_MAX) < 0)
		return -1;
	sg_buf_putc(out, '(');
	for (size_t n = 0; n < k->nargs; n++) {
		if (n)
			sg_buf_puts(out, " || ");
		if (AP(k, n, out) < 0)
			return -1;
	}
	sg_buf_putc(out, ')');
	return 0;
}

static int h_safe_divide(call *k, sg_buf *out)
{
	if (nargs(k, 2, 2) < 0)
		return -1;
	sg_buf_putc(out, '(');
	if (AP(k, 0, out) < 0)
		return -1;
	sg_buf_puts(out, " / ");
	K(k, out, "nullif(");
	if (A(k, 1, out) < 0)
		return -1;
	sg_buf_puts(out, ", 0))");
	return 0;
}

static int h_safe_arith(call *k, sg_buf *out)
{
	const char *op = k->spec->arg;
	bool neg = !strcmp(op, "neg");
	if (nargs(k, neg ? 1 : 2, neg ? 1 : 2) < 0)
		return -1;
	K(k, out, "try(");
	if (neg)
		sg_buf_putc(out, '-');
	if (AP(k, 0, out) < 0)
		return -1;
	if (!neg) {
		sg_buf_printf(out, " %s ", op);
		if (AP(k, 1, out) < 0)
			return -1;
	}
	sg_buf_putc(out, ')');
	return 0;
}

static int h_div(call *k, sg_buf *out)
{
	if (nargs(k, 2, 2) < 0)
		return -1;
	sg_buf_putc(out, '(');
	if (AP(k, 0, out) < 0)
		return -1;
	sg_buf_puts(out, " // ");
	if (AP(k, 1, out) < 0)
		return -1;
	sg_buf_putc(out, ')');
	return 0;
}

static int h_log(call *k, sg_buf *out)
{
	/* BigQuery's LOG is natural (or to a base); DuckDB's log is base 10 */
	if (nargs(k, 1, 2) < 0)
		return -1;
	if (k->nargs == 1) {
		K(k, out, "ln(");
		if (A(k, 0, out) < 0)
			return -1;
		sg_buf_putc(out, ')');
		return 0;
	}
	K(k, out, "(ln(");
	if (A(k, 0, out) < 0)
		return -1;
	K(k, out, ") / ln(");
	if (A(k, 1, out) < 0)
		return -1;
	sg_buf_puts(out, "))");
	return 0;
}

/* fn(arg0 [, arg1 = default]) wrapped: "pre" fn "(" a0 ", " a1 ")" "post" */
static int wrap2(call *k, sg_buf *out, const char *pre, const char *fn, const char *dflt, const char *post)
{
	if (pre)
		K(k, out, pre);
	K(k, out, fn);
	sg_buf_putc(out, '(');
	if (A(k, 0, out) < 0)
		return -1;
	if (k->nargs > 1) {
		sg_buf_puts(out, ", ");
		if (A(k, 1, out) < 0)
			return -1;
	} else if (dflt) {
		sg_buf_printf(out, ", %s", dflt);
	}
	sg_buf_putc(out, ')');
	if (post)
		K(k, out, post);
	return 0;
}

static int h_json(call *k, sg_buf *out)
{
	const char *v = k->spec->arg;
	if (!strcmp(v, "to_json_string")) {
		if (nargs(k, 1, 1) < 0)
			return -1;
		return wrap2(k, out, "CAST(", "to_json", NULL, " AS VARCHAR)");
	}
	if (!strcmp(v, "parse_json")) {
		if (nargs(k, 1, 1) < 0)
			return -1;
		K(k, out, "CAST(");
		if (A(k, 0, out) < 0)
			return -1;
		K(k, out, " AS JSON)");
		return 0;
	}
	if (nargs(k, 1, 2) < 0)
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

static int h_regexp(call *k, sg_buf *out)
{
	const char *v = k->spec->arg;
	bool replace = !strcmp(v, "replace");
	if (nargs(k, replace ? 3 : 2, replace ? 3 : 2) < 0)
		return -1;
	if (replace) {
		/* DuckDB replaces the first match unless told 'g' */
		K(k, out, "regexp_replace(");
		for (size_t n = 0; n < 3; n++) {
			if (A(k, n, out) < 0)
				return -1;
			sg_buf_puts(out, ", ");
		}
		sg_buf_puts(out, "'g')");
		return 0;
	}
	if (!arg_is_string(k, 1))
		return bq_fail(k->c, k->arg[1][0], "%s: the pattern must be a string literal to be translated", k->name);
	sg_buf re = SG_BUF_INIT, s = SG_BUF_INIT, r = SG_BUF_INIT;
	int rc = bq_string_value(k->c->src, &k->c->t[k->arg[1][0]], &re, k->c->err);
	if (rc == 0)
		rc = A(k, 0, &s);
	if (rc == 0)
		rc = A(k, 1, &r);
	int group = has_group(sg_buf_cstr(&re)) ? 1 : 0;
	if (rc == 0 && !strcmp(v, "all")) {
		K(k, out, "regexp_extract_all(");
		sg_buf_printf(out, "%s, %s, %d)", s.ptr, r.ptr, group);
	} else if (rc == 0) {
		/* BigQuery gives NULL when nothing matches, DuckDB '' */
		K(k, out, "CASE WHEN regexp_matches(");
		sg_buf_printf(out, "%s, %s) ", s.ptr, r.ptr);
		K(k, out, "THEN regexp_extract(");
		sg_buf_printf(out, "%s, %s, %d) ", s.ptr, r.ptr, group);
		K(k, out, "END");
	}
	sg_buf_free(&re);
	sg_buf_free(&s);
	sg_buf_free(&r);
	return rc;
}

static int h_split(call *k, sg_buf *out)
{
	if (nargs(k, 1, 2) < 0)
		return -1;
	return wrap2(k, out, NULL, "string_split", "','", NULL);
}

static int h_pad(call *k, sg_buf *out)
{
	if (nargs(k, 2, 3) < 0)
		return -1;
	K(k, out, k->spec->arg);
	sg_buf_putc(out, '(');
	for (size_t n = 0; n < k->nargs; n++) {
		if (n)
			sg_buf_puts(out, ", ");
		if (A(k, n, out) < 0)
			return -1;
	}
	sg_buf_puts(out, k->nargs == 2 ? ", ' ')" : ")");
	return 0;
}

static int h_format(call *k, sg_buf *out)
{
	if (nargs(k, 1, SIZE_MAX) < 0)
		return -1;
	if (arg_is_string(k, 0)) {
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
	K(k, out, "printf");
	return bq_xl(k->c, k->lp, k->rp + 1, true, out);
}

static int h_fixed(call *k, sg_buf *out)
{
	/* "pre|post": pre A0 post */
	const char *v = k->spec->arg, *bar = strchr(v, '|');
	if (nargs(k, 1, 1) < 0)
		return -1;
	sg_buf pre = SG_BUF_INIT;
	sg_buf_put(&pre, v, (size_t)(bar - v));
	K(k, out, pre.ptr);
	sg_buf_free(&pre);
	if (A(k, 0, out) < 0)
		return -1;
	K(k, out, bar + 1);
	return 0;
}

static int h_uuid(call *k, sg_buf *out)
{
	if (nargs(k, 0, 0) < 0)
		return -1;
	K(k, out, "CAST(uuid() AS VARCHAR)");
	return 0;
}

static int h_ctor(call *k, sg_buf *out)
{
	const char *kind = k->spec->arg; /* DATE DATETIME TIMESTAMP TIME STRING */
	static const char *const duck[][2] = {
		{ "DATE", "DATE" }, { "DATETIME", "TIMESTAMP" }, { "TIMESTAMP", "TIMESTAMPTZ" }, { "TIME", "TIME" }, { "STRING", "VARCHAR" },
	};
	const char *target = "VARCHAR";
	for (size_t j = 0; j < sizeof(duck) / sizeof(duck[0]); j++) {
		if (!strcmp(duck[j][0], kind))
			target = duck[j][1];
	}
	if (nargs(k, 1, strcmp(kind, "DATETIME") ? 3 : 6) < 0)
		return -1;
	if (k->nargs == 1) {
		K(k, out, "CAST(");
		if (A(k, 0, out) < 0)
			return -1;
		K(k, out, " AS ");
		K(k, out, target);
		sg_buf_putc(out, ')');
		return 0;
	}
	if (k->nargs == 2 && !strcmp(kind, "DATETIME") && !arg_is_string(k, 1)) {
		/* DATETIME(date, time) */
		K(k, out, "(CAST(");
		if (A(k, 0, out) < 0)
			return -1;
		K(k, out, " AS DATE) + ");
		if (AP(k, 1, out) < 0)
			return -1;
		sg_buf_putc(out, ')');
		return 0;
	}
	if (k->nargs == 2) {
		/* (value, time zone) */
		bool cast = strcmp(kind, "DATETIME") && strcmp(kind, "TIMESTAMP");
		if (cast)
			K(k, out, "CAST(");
		K(k, out, "timezone(");
		if (A(k, 1, out) < 0)
			return -1;
		sg_buf_puts(out, ", ");
		if (!strcmp(kind, "TIMESTAMP")) {
			K(k, out, "CAST(");
			if (A(k, 0, out) < 0)
				return -1;
			K(k, out, " AS TIMESTAMP))");
			return 0;
		}
		if (A(k, 0, out) < 0)
			return -1;
		sg_buf_putc(out, ')');
		if (cast) {
			K(k, out, " AS ");
			K(k, out, target);
			sg_buf_putc(out, ')');
		}
		return 0;
	}
	const char *make = !strcmp(kind, "DATE") ? "make_date" : !strcmp(kind, "TIME") ? "make_time" : "make_timestamp";
	if ((!strcmp(kind, "DATETIME") && k->nargs != 6) || (strcmp(kind, "DATETIME") && k->nargs != 3) ||
	    !strcmp(kind, "TIMESTAMP") || !strcmp(kind, "STRING"))
		return bq_fail(k->c, k->fn, "%s with %zu arguments has no local equivalent", k->name, k->nargs);
	K(k, out, make);
	return bq_xl(k->c, k->lp, k->rp + 1, true, out);
}

static int h_date_array(call *k, sg_buf *out)
{
	bool dates = !strcmp(k->spec->arg, "DATE");
	if (nargs(k, dates ? 2 : 3, 3) < 0)
		return -1;
	if (dates)
		K(k, out, "CAST(");
	K(k, out, "generate_series(");
	for (size_t n = 0; n < 2; n++) {
		if (dates)
			K(k, out, "CAST(");
		if (A(k, n, out) < 0)
			return -1;
		if (dates)
			K(k, out, " AS DATE)");
		sg_buf_puts(out, ", ");
	}
	if (k->nargs == 2)
		K(k, out, "INTERVAL 1 DAY");
	else if (put_interval_arg(k, 2, out) < 0)
		return -1;
	sg_buf_putc(out, ')');
	if (dates)
		K(k, out, " AS DATE[])");
	return 0;
}

static int h_agg(call *k, sg_buf *out)
{
	bq_ctx *c = k->c;
	bool array = !strcmp(k->spec->arg, "array_agg");
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
		K(k, out, "list_slice(");
	K(k, out, k->spec->arg);
	put_gap(out, c, k->lp);
	put_tok(out, c, k->lp);
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
	put_gap(out, c, k->rp);
	put_tok(out, c, k->rp);
	if (ignore != SIZE_MAX) {
		K(k, out, " FILTER (WHERE (");
		if (bq_xl(c, expr_start, expr_end, false, out) < 0)
			return -1;
		K(k, out, ") IS NOT NULL)");
	}
	if (limit != SIZE_MAX) {
		sg_buf_puts(out, ", 1, ");
		if (bq_xl(c, limit + 1, k->rp, false, out) < 0)
			return -1;
		sg_buf_putc(out, ')');
	}
	return 0;
}

static int h_struct(call *k, sg_buf *out)
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
		} else {
			for (size_t j = a; j < b; j++) {
				bool part = (j - a) % 2 == 0 ? (c->t[j].kind == BQ_IDENT || c->t[j].kind == BQ_QIDENT)
							     : bq_is_op(c, j, ".");
				if (!part || (j == b - 1 && (j - a) % 2))
					all_paths = false;
			}
		}
	}
	int rc = 0;
	if (!any_named && !all_paths) {
		K(k, out, "row");
		rc = bq_xl(c, k->lp, k->rp + 1, true, out);
		free(as);
		return rc;
	}
	K(k, out, "struct_pack(");
	for (size_t n = 0; n < k->nargs && rc == 0; n++) {
		size_t a = k->arg[n][0], b = k->arg[n][1];
		if (n)
			sg_buf_puts(out, ", ");
		if (as[n] != SIZE_MAX) {
			sg_buf name = SG_BUF_INIT;
			if (c->t[b - 1].kind == BQ_QIDENT)
				bq_string_value(c->src, &c->t[b - 1], &name, c->err);
			else
				put_tok(&name, c, b - 1);
			sg_sql_ident(out, sg_buf_cstr(&name));
			sg_buf_free(&name);
			sg_buf_puts(out, " := ");
			rc = bq_xl(c, a, as[n], false, out);
		} else if (all_paths || b - a == 1 || (b - a) % 2 == 1) {
			/* a column: struct_pack names the field after it */
			rc = bq_xl(c, a, b, false, out);
		} else {
			sg_buf_printf(out, "\"_field_%zu\" := ", n + 1);
			rc = bq_xl(c, a, b, false, out);
		}
	}
	sg_buf_putc(out, ')');
	free(as);
	return rc;
}

static int h_unnest(call *k, sg_buf *out)
{
	bq_ctx *c = k->c;
	if (nargs(k, 1, 1) < 0)
		return -1;
	if (k->fn > 0 && bq_is_kw(c, k->fn - 1, "IN")) {
		/* x IN UNNEST(arr) */
		K(k, out, "(SELECT unnest(");
		if (A(k, 0, out) < 0)
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
	int rc = A(k, 0, &arr);
	if (alias != SIZE_MAX) {
		if (c->t[alias].kind == BQ_QIDENT)
			bq_string_value(c->src, &c->t[alias], &name, c->err);
		else
			put_tok(&name, c, alias);
	} else {
		sg_buf_puts(&name, "f0_");
	}
	if (rc == 0 && !offset) {
		/* DuckDB's table alias needs the column named too: AS x(x) */
		put_tok(out, c, k->fn);
		sg_buf_printf(out, "(%s) ", arr.ptr);
		K(k, out, "AS ");
		sg_sql_ident(out, name.ptr);
		sg_buf_putc(out, '(');
		sg_sql_ident(out, name.ptr);
		sg_buf_putc(out, ')');
	} else if (rc == 0) {
		K(k, out, "(SELECT unnest(");
		sg_buf_printf(out, "%s) ", arr.ptr);
		K(k, out, "AS ");
		sg_sql_ident(out, name.ptr);
		K(k, out, ", generate_subscripts(");
		sg_buf_printf(out, "%s, 1) - 1 ", arr.ptr);
		K(k, out, "AS ");
		sg_buf_clear(&name);
		if (off_alias == SIZE_MAX)
			sg_buf_puts(&name, "offset");
		else if (c->t[off_alias].kind == BQ_QIDENT)
			bq_string_value(c->src, &c->t[off_alias], &name, c->err);
		else
			put_tok(&name, c, off_alias);
		sg_sql_ident(out, name.ptr);
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
	{ "CURRENT_DATE", h_current, "DATE" },
	{ "CURRENT_DATETIME", h_current, "DATETIME" },
	{ "CURRENT_TIME", h_current, "TIME" },
	{ "CURRENT_TIMESTAMP", h_current, "TIMESTAMP" },
	{ "DATE", h_ctor, "DATE" },
	{ "DATETIME", h_ctor, "DATETIME" },
	{ "DATETIME_ADD", h_add, "T+" },
	{ "DATETIME_DIFF", h_diff, "B" },
	{ "DATETIME_SUB", h_add, "T-" },
	{ "DATETIME_TRUNC", h_trunc, "DATETIME" },
	{ "DATE_ADD", h_add, "D+" },
	{ "DATE_DIFF", h_diff, "B" },
	{ "DATE_FROM_UNIX_DATE", h_fixed, "(DATE '1970-01-01' + CAST(| AS INTEGER))" },
	{ "DATE_SUB", h_add, "D-" },
	{ "DATE_TRUNC", h_trunc, "DATE" },
	{ "DIV", h_div, NULL },
	{ "EXTERNAL_OBJECT_TRANSFORM", h_refuse, NULL },
	{ "EXTERNAL_QUERY", h_refuse, "federated queries need the remote database" },
	{ "EXTRACT", h_extract, NULL },
	{ "FARM_FINGERPRINT", h_refuse, NULL },
	{ "FORMAT", h_format, NULL },
	{ "FORMAT_DATE", h_format_time, "DATE" },
	{ "FORMAT_DATETIME", h_format_time, "DATETIME" },
	{ "FORMAT_TIME", h_format_time, "TIME" },
	{ "FORMAT_TIMESTAMP", h_format_time, "TIMESTAMP" },
	{ "FROM_HEX", h_rename, "unhex" },
	{ "GAP_FILL", h_refuse, NULL },
	{ "GENERATE_ARRAY", h_rename, "generate_series" },
	{ "GENERATE_DATE_ARRAY", h_date_array, "DATE" },
	{ "GENERATE_TIMESTAMP_ARRAY", h_date_array, "TIMESTAMP" },
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
	{ "PARSE_DATE", h_parse_time, "DATE" },
	{ "PARSE_DATETIME", h_parse_time, "DATETIME" },
	{ "PARSE_JSON", h_json, "parse_json" },
	{ "PARSE_TIME", h_parse_time, "TIME" },
	{ "PARSE_TIMESTAMP", h_parse_time, "TIMESTAMP" },
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
	{ "STRING", h_ctor, "STRING" },
	{ "STRING_AGG", h_agg, "string_agg" },
	{ "STRUCT", h_struct, NULL },
	{ "TIME", h_ctor, "TIME" },
	{ "TIMESTAMP", h_ctor, "TIMESTAMP" },
	{ "TIMESTAMP_ADD", h_add, "T+" },
	{ "TIMESTAMP_DIFF", h_diff, "W" },
	{ "TIMESTAMP_MICROS", h_fixed, "CAST(make_timestamp(|) AS TIMESTAMPTZ)" },
	{ "TIMESTAMP_MILLIS", h_fixed, "CAST(make_timestamp(CAST(| AS BIGINT) * 1000) AS TIMESTAMPTZ)" },
	{ "TIMESTAMP_SECONDS", h_rename, "to_timestamp" },
	{ "TIMESTAMP_SUB", h_add, "T-" },
	{ "TIMESTAMP_TRUNC", h_trunc, "TIMESTAMP" },
	{ "TIME_ADD", h_add, "T+" },
	{ "TIME_DIFF", h_diff, "W" },
	{ "TIME_SUB", h_add, "T-" },
	{ "TIME_TRUNC", h_trunc, "TIME" },
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
			put_tok(&b, c, k);
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

static int split_args(call *k)
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
	call k = { 0 };
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
	k.spec = bsearch(k.upper, funcs, sizeof(funcs) / sizeof(funcs[0]), sizeof(funcs[0]), cmp_spec);
	if (!k.spec) {
		for (const char *const *p = refused_prefixes; *p; p++) {
			if (!strncmp(k.upper, *p, strlen(*p)))
				return bq_fail(c, name, "BigQuery function %s has no local equivalent", k.name);
		}
		/* same name in both dialects, or unknown to both: DuckDB decides */
		put_tok(out, c, name);
		return bq_xl(c, lp, k.rp + 1, true, out);
	}
	int rc = split_args(&k);
	if (rc == 0)
		rc = k.spec->fn(&k, out);
	*next = k.next;
	free(k.arg);
	return rc;
}

/* ---- types ---- */

static int type_rec(bq_ctx *c, size_t i, size_t end, sg_buf *out, size_t *next, int depth)
{
	static const char *const map[][2] = {
		{ "INT64", "BIGINT" },	     { "INT", "BIGINT" },	    { "INTEGER", "BIGINT" },
		{ "SMALLINT", "BIGINT" },    { "BIGINT", "BIGINT" },	    { "TINYINT", "BIGINT" },
		{ "BYTEINT", "BIGINT" },     { "FLOAT64", "DOUBLE" },	    { "FLOAT", "DOUBLE" },
		{ "BOOL", "BOOLEAN" },	     { "BOOLEAN", "BOOLEAN" },	    { "STRING", "VARCHAR" },
		{ "BYTES", "BLOB" },	     { "DATE", "DATE" },	    { "TIME", "TIME" },
		{ "DATETIME", "TIMESTAMP" }, { "TIMESTAMP", "TIMESTAMPTZ" }, { "JSON", "JSON" },
		{ "INTERVAL", "INTERVAL" },  { "NUMERIC", "DECIMAL" },	    { "DECIMAL", "DECIMAL" },
		{ "BIGNUMERIC", "DECIMAL" }, { "BIGDECIMAL", "DECIMAL" },
	};
	if (depth > 64)
		return bq_fail(c, i, "type nested more than 64 levels deep");
	if (i >= end || c->t[i].kind != BQ_IDENT)
		return bq_fail(c, i, "expected a type");
	if (bq_is_kw(c, i, "ARRAY")) {
		if (!bq_is_op(c, i + 1, "<"))
			return bq_fail(c, i, "expected ARRAY<type>");
		size_t j;
		if (type_rec(c, i + 2, end, out, &j, depth + 1) < 0)
			return -1;
		if (!bq_is_op(c, j, ">"))
			return bq_fail(c, j, "expected > to close ARRAY<");
		sg_buf_puts(out, "[]");
		*next = j + 1;
		return 0;
	}
	if (bq_is_kw(c, i, "STRUCT")) {
		if (!bq_is_op(c, i + 1, "<"))
			return bq_fail(c, i, "expected STRUCT<name type, ...>");
		bq_put_name(out, c, i, "STRUCT(");
		size_t j = i + 2;
		for (int n = 0;; n++) {
			if (bq_is_op(c, j, ">") && n == 0)
				return bq_fail(c, j, "STRUCT<> without fields has no local equivalent");
			bool named = j + 1 < end && (c->t[j].kind == BQ_IDENT || c->t[j].kind == BQ_QIDENT) &&
				     (c->t[j + 1].kind == BQ_IDENT);
			if (!named)
				return bq_fail(c, j, "STRUCT field without a name has no local equivalent");
			if (n)
				sg_buf_puts(out, ", ");
			if (c->t[j].kind == BQ_QIDENT) {
				sg_buf nm = SG_BUF_INIT;
				bq_string_value(c->src, &c->t[j], &nm, c->err);
				sg_sql_ident(out, sg_buf_cstr(&nm));
				sg_buf_free(&nm);
			} else {
				put_tok(out, c, j);
			}
			sg_buf_putc(out, ' ');
			if (type_rec(c, j + 1, end, out, &j, depth + 1) < 0)
				return -1;
			if (bq_is_op(c, j, ">"))
				break;
			if (!bq_is_op(c, j, ","))
				return bq_fail(c, j, "expected , or > in STRUCT<...>");
			j++;
		}
		sg_buf_putc(out, ')');
		*next = j + 1;
		return 0;
	}
	const char *duck = NULL;
	for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++) {
		if (bq_is_kw(c, i, map[m][0]))
			duck = map[m][1];
	}
	if (!duck)
		return bq_fail(c, i, "type %.*s has no local equivalent", (int)c->t[i].len, c->src + c->t[i].start);
	*next = i + 1;
	if (!strcmp(duck, "DECIMAL")) {
		if (bq_is_op(c, i + 1, "(")) {
			size_t rp = c->t[i + 1].match;
			long p = -1, s = 0;
			if (rp == i + 3 && c->t[i + 2].kind == BQ_NUMBER) {
				p = strtol(c->src + c->t[i + 2].start, NULL, 10);
			} else if (rp == i + 5 && c->t[i + 2].kind == BQ_NUMBER && bq_is_op(c, i + 3, ",") &&
				   c->t[i + 4].kind == BQ_NUMBER) {
				p = strtol(c->src + c->t[i + 2].start, NULL, 10);
				s = strtol(c->src + c->t[i + 4].start, NULL, 10);
			}
			if (p < 1 || p > 38 || s < 0 || s > p)
				return bq_fail(c, i, "%.*s(...) beyond DECIMAL(38, s) has no local equivalent", (int)c->t[i].len,
					       c->src + c->t[i].start);
			bq_put_name(out, c, i, "DECIMAL");
			sg_buf_printf(out, "(%ld,%ld)", p, s);
			*next = rp + 1;
			return 0;
		}
		bq_put_name(out, c, i, "DECIMAL(38,9)");
		return 0;
	}
	if (bq_is_op(c, i + 1, "(")) {
		if (strcmp(duck, "VARCHAR") && strcmp(duck, "BLOB"))
			return bq_fail(c, i, "type parameters of %.*s have no local equivalent", (int)c->t[i].len,
				       c->src + c->t[i].start);
		*next = c->t[i + 1].match + 1; /* STRING(10): DuckDB keeps no length */
	}
	bq_put_name(out, c, i, duck);
	return 0;
}

int bq_type(bq_ctx *c, size_t i, size_t end, sg_buf *out, size_t *next)
{
	return type_rec(c, i, end, out, next, 0);
}

/* ---- format elements ---- */

int bq_format_elements(bq_ctx *c, size_t tok, const char *fmt, size_t n, bool for_parse, bool has_tz, sg_buf *out)
{
	static const char same[] = "YmdHMSybBhaApIjwuUWVGZ";
	for (size_t i = 0; i < n; i++) {
		if (fmt[i] != '%') {
			sg_buf_putc(out, fmt[i]);
			continue;
		}
		if (i + 1 >= n)
			return bq_fail(c, tok, "format ends with a lone %%");
		char e = fmt[++i];
		if (e == '%') {
			sg_buf_puts(out, "%%");
		} else if (strchr(same, e)) {
			sg_buf_printf(out, "%%%c", e);
		} else if (e == 'F') {
			sg_buf_puts(out, "%Y-%m-%d");
		} else if (e == 'T' || e == 'X') {
			sg_buf_puts(out, "%H:%M:%S");
		} else if (e == 'D' || e == 'x') {
			sg_buf_puts(out, "%m/%d/%y");
		} else if (e == 'R') {
			sg_buf_puts(out, "%H:%M");
		} else if (e == 'n') {
			sg_buf_putc(out, '\n');
		} else if (e == 't') {
			sg_buf_putc(out, '\t');
		} else if ((e == 'e' || e == 'k' || e == 'l') && for_parse) {
			sg_buf_puts(out, e == 'e' ? "%-d" : e == 'k' ? "%-H" : "%-I");
		} else if (e == 'z' && for_parse) {
			sg_buf_puts(out, "%z");
		} else if (e == 'z' && !has_tz) {
			sg_buf_puts(out, "+0000"); /* timestamps are shown in UTC */
		} else if (e == 'E' && i + 1 < n) {
			char m = fmt[++i];
			if (m == 'z' && for_parse) {
				sg_buf_puts(out, "%z");
			} else if (m == 'z' && !has_tz) {
				sg_buf_puts(out, "+00:00");
			} else if (m == '4' && i + 1 < n && fmt[i + 1] == 'Y') {
				i++;
				sg_buf_puts(out, "%Y");
			} else if ((m == '*' || m == '3' || m == '6' || m == '9') && i + 1 < n && fmt[i + 1] == 'S') {
				i++;
				sg_buf_puts(out, m == '3' ? "%S.%g" : m == '9' ? "%S.%n" : "%S.%f");
			} else {
				size_t len = (m >= '0' && m <= '9' && i + 1 < n) ? 4 : 3;
				return bq_fail(c, tok, "format element %.*s has no DuckDB equivalent", (int)len, fmt + i - 2);
			}
		} else {
			return bq_fail(c, tok, "format element %%%c has no DuckDB equivalent%s", e,
				       (e == 'e' || e == 'k' || e == 'l' || e == 'z') ? " when formatting" : "");
		}
	}
	return 0;
}
