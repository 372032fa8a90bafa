/*
 * BigQuery → DuckDB translation of date and time functions: DATE_TRUNC,
 * DATE_ADD, DATE_DIFF, EXTRACT, FORMAT_* and PARSE_* with their format
 * elements, the DATE/DATETIME/TIMESTAMP/TIME constructors, CURRENT_*,
 * GENERATE_DATE_ARRAY.
 */
#include "providers/local/bqsql_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static void lower_into(sg_buf *out, const char *s)
{
	for (; *s; s++)
		sg_buf_putc(out, (char)tolower((unsigned char)*s));
}

/* The date part argument n as DuckDB's 'part'; WEEK(SUNDAY) is reported through *sunday_week. */
static int date_part(bq_fcall *k, size_t n, bool allow_time, char *part, size_t size, bool *sunday_week)
{
	static const char *const date_parts[] = { "DAY", "MONTH", "QUARTER", "YEAR", NULL };
	static const char *const time_parts[] = { "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND", NULL };
	char w[32], sub[32];
	bq_fc_arg_word(k, n, w, sizeof(w), sub, sizeof(sub));
	*sunday_week = false;
	if (!strcmp(w, "WEEK") && (!sub[0] || !strcmp(sub, "SUNDAY"))) {
		*sunday_week = true;
		snprintf(part, size, "week");
	} else if ((!strcmp(w, "WEEK") && !strcmp(sub, "MONDAY")) || (!strcmp(w, "ISOWEEK") && !sub[0])) {
		snprintf(part, size, "week");
	} else if (!strcmp(w, "ISOYEAR") && !sub[0]) {
		snprintf(part, size, "isoyear");
	} else if (!sub[0] && (bq_word_in(w, date_parts) || (allow_time && bq_word_in(w, time_parts)))) {
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
static bool interval_arg(const bq_fcall *k, size_t n, size_t *a, size_t *b, size_t *unit)
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
static int put_interval_arg(bq_fcall *k, size_t n, sg_buf *out)
{
	size_t a, b, u;
	if (!interval_arg(k, n, &a, &b, &u))
		return bq_fc_arg_paren(k, n, out);
	bq_fc_kw(k, out, "INTERVAL");
	sg_buf_puts(out, " (");
	if (bq_xl(k->c, a, b, false, out) < 0)
		return -1;
	sg_buf_puts(out, ") ");
	bq_put_tok(out, k->c, u);
	return 0;
}

/* The format string of argument n converted, as a DuckDB literal. */
static int format_arg(bq_fcall *k, size_t n, bool for_parse, bool has_tz, sg_buf *out)
{
	if (!bq_fc_arg_is_string(k, n))
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

int bq_h_extract(bq_fcall *k, sg_buf *out)
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
	bq_fcall pk = *k;
	pk.arg = part_range;
	pk.nargs = 1;
	char w[32], sub[32];
	bq_fc_arg_word(&pk, 0, w, sizeof(w), sub, sizeof(sub));
	sg_buf src = SG_BUF_INIT;
	int rc;
	if (at != SIZE_MAX) {
		bq_fc_kw(k, &src, "timezone(");
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
	} else if (!sub[0] && bq_word_in(w, same)) {
		bq_fc_kw(k, out, "EXTRACT(");
		sg_buf_puts(out, w);
		bq_fc_kw(k, out, " FROM ");
		sg_buf_printf(out, "%s)", s);
	} else if (!strcmp(w, "DAYOFWEEK")) {
		bq_fc_kw(k, out, "(EXTRACT(DOW FROM ");
		sg_buf_printf(out, "%s) + 1)", s);
	} else if (!strcmp(w, "DAYOFYEAR")) {
		bq_fc_kw(k, out, "EXTRACT(DOY FROM ");
		sg_buf_printf(out, "%s)", s);
	} else if (!strcmp(w, "ISOWEEK") || !strcmp(w, "ISOYEAR")) {
		bq_fc_kw(k, out, !strcmp(w, "ISOWEEK") ? "EXTRACT(WEEK FROM " : "EXTRACT(ISOYEAR FROM ");
		sg_buf_printf(out, "%s)", s);
	} else if (!strcmp(w, "WEEK") && (!sub[0] || !strcmp(sub, "SUNDAY") || !strcmp(sub, "MONDAY"))) {
		bq_fc_kw(k, out, "CAST(strftime(");
		sg_buf_printf(out, "%s, '%s')", s, !strcmp(sub, "MONDAY") ? "%W" : "%U");
		bq_fc_kw(k, out, " AS BIGINT)");
	} else if (!strcmp(w, "MILLISECOND") || !strcmp(w, "MICROSECOND")) {
		bq_fc_kw(k, out, "(EXTRACT(");
		sg_buf_puts(out, w);
		bq_fc_kw(k, out, " FROM ");
		sg_buf_printf(out, "%s) %% %s)", s, !strcmp(w, "MILLISECOND") ? "1000" : "1000000");
	} else if (!strcmp(w, "DATE") || !strcmp(w, "TIME") || !strcmp(w, "DATETIME")) {
		bq_fc_kw(k, out, "CAST(");
		sg_buf_puts(out, s);
		bq_fc_kw(k, out, !strcmp(w, "DATE") ? " AS DATE)" : !strcmp(w, "TIME") ? " AS TIME)" : " AS TIMESTAMP)");
	} else {
		rc = bq_fail(c, k->lp + 1, "EXTRACT(%s%s%s%s FROM ...) has no local equivalent", w[0] ? w : "?",
			     sub[0] ? "(" : "", sub, sub[0] ? ")" : "");
	}
	sg_buf_free(&src);
	return rc;
}

int bq_h_current(bq_fcall *k, sg_buf *out)
{
	const char *what = k->arg_text;
	if (bq_fc_nargs(k, 0, 1) < 0)
		return -1;
	if (!strcmp(what, "TIMESTAMP")) {
		if (bq_fc_nargs(k, 0, 0) < 0)
			return -1;
		bq_fc_kw(k, out, "current_timestamp");
		return 0;
	}
	if (!strcmp(what, "DATE") && k->nargs == 0) {
		bq_fc_kw(k, out, "current_date");
		return 0;
	}
	if (strcmp(what, "DATETIME"))
		bq_fc_kw(k, out, "CAST(");
	bq_fc_kw(k, out, "timezone(");
	if (k->nargs == 0)
		sg_buf_puts(out, "'UTC'");
	else if (bq_fc_arg(k, 0, out) < 0)
		return -1;
	bq_fc_kw(k, out, ", current_timestamp)");
	if (!strcmp(what, "DATE"))
		bq_fc_kw(k, out, " AS DATE)");
	else if (!strcmp(what, "TIME"))
		bq_fc_kw(k, out, " AS TIME)");
	return 0;
}

int bq_h_trunc(bq_fcall *k, sg_buf *out)
{
	const char *kind = k->arg_text; /* DATE, TIMESTAMP, DATETIME, TIME */
	if (bq_fc_nargs(k, 2, !strcmp(kind, "TIMESTAMP") ? 3 : 2) < 0)
		return -1;
	if (k->nargs == 3)
		return bq_fail(k->c, k->arg[2][0], "TIMESTAMP_TRUNC with a time zone has no local equivalent");
	char part[32];
	bool sunday;
	if (date_part(k, 1, strcmp(kind, "DATE") != 0, part, sizeof(part), &sunday) < 0)
		return -1;
	bool as_date = !strcmp(kind, "DATE"), as_time = !strcmp(kind, "TIME");
	if (as_date || as_time)
		bq_fc_kw(k, out, "CAST(");
	if (sunday)
		sg_buf_putc(out, '(');
	bq_fc_kw(k, out, "date_trunc");
	sg_buf_printf(out, "('%s', ", part);
	if (as_time) {
		bq_fc_kw(k, out, "DATE");
		sg_buf_puts(out, " '1970-01-01' + ");
	}
	if (bq_fc_arg_paren(k, 0, out) < 0)
		return -1;
	if (sunday) {
		/* BigQuery's WEEK starts on Sunday, DuckDB's on Monday */
		sg_buf_puts(out, " + ");
		bq_fc_kw(k, out, "INTERVAL 1 DAY) - INTERVAL 1 DAY");
	}
	sg_buf_putc(out, ')');
	if (as_date)
		bq_fc_kw(k, out, " AS DATE)");
	else if (as_time)
		bq_fc_kw(k, out, " AS TIME)");
	return 0;
}

int bq_h_add(bq_fcall *k, sg_buf *out)
{
	const char *v = k->arg_text; /* "D+" "D-" "T+" "T-" */
	if (bq_fc_nargs(k, 2, 2) < 0)
		return -1;
	if (v[0] == 'D') {
		bq_fc_kw(k, out, "CAST(");
	} else {
		sg_buf_putc(out, '(');
	}
	if (bq_fc_arg_paren(k, 0, out) < 0)
		return -1;
	sg_buf_printf(out, " %c ", v[1]);
	if (put_interval_arg(k, 1, out) < 0)
		return -1;
	if (v[0] == 'D')
		bq_fc_kw(k, out, " AS DATE)");
	else
		sg_buf_putc(out, ')');
	return 0;
}

int bq_h_diff(bq_fcall *k, sg_buf *out)
{
	bool whole = k->arg_text[0] == 'W'; /* TIMESTAMP_DIFF, TIME_DIFF: whole intervals */
	if (bq_fc_nargs(k, 3, 3) < 0)
		return -1;
	char part[32];
	bool sunday;
	if (date_part(k, 2, true, part, sizeof(part), &sunday) < 0)
		return -1;
	if (!whole && !strcmp(part, "week")) {
		/* DuckDB counts weeks as days / 7; BigQuery counts week boundaries crossed */
		bq_fc_kw(k, out, "(date_diff");
		sg_buf_puts(out, "('day', ");
		for (int n = 1; n >= 0; n--) {
			bq_fc_kw(k, out, "date_trunc");
			sg_buf_puts(out, "('week', ");
			if (bq_fc_arg_paren(k, (size_t)n, out) < 0)
				return -1;
			if (sunday) {
				sg_buf_puts(out, " + ");
				bq_fc_kw(k, out, "INTERVAL 1 DAY");
			}
			sg_buf_puts(out, n ? "), " : ")) // 7)");
		}
		return 0;
	}
	bq_fc_kw(k, out, whole ? "date_sub" : "date_diff");
	sg_buf_printf(out, "('%s', ", part);
	for (int n = 1; n >= 0; n--) {
		if (bq_fc_arg_paren(k, (size_t)n, out) < 0)
			return -1;
		sg_buf_puts(out, n ? ", " : ")");
	}
	return 0;
}

int bq_h_format_time(bq_fcall *k, sg_buf *out)
{
	const char *kind = k->arg_text;
	bool ts = !strcmp(kind, "TIMESTAMP");
	if (bq_fc_nargs(k, 2, ts ? 3 : 2) < 0)
		return -1;
	bq_fc_kw(k, out, "strftime(");
	if (k->nargs == 3) {
		bq_fc_kw(k, out, "timezone(");
		if (bq_fc_arg(k, 2, out) < 0)
			return -1;
		sg_buf_puts(out, ", ");
	} else if (!strcmp(kind, "TIME")) {
		bq_fc_kw(k, out, "DATE");
		sg_buf_puts(out, " '1970-01-01' + ");
	}
	if ((k->nargs == 3 || !strcmp(kind, "TIME") ? bq_fc_arg_paren(k, 1, out) : bq_fc_arg(k, 1, out)) < 0)
		return -1;
	sg_buf_puts(out, k->nargs == 3 ? "), " : ", ");
	if (format_arg(k, 0, false, k->nargs == 3, out) < 0)
		return -1;
	sg_buf_putc(out, ')');
	return 0;
}

int bq_h_parse_time(bq_fcall *k, sg_buf *out)
{
	const char *kind = k->arg_text;
	bool ts = !strcmp(kind, "TIMESTAMP");
	if (bq_fc_nargs(k, 2, ts ? 3 : 2) < 0)
		return -1;
	if (k->nargs == 3) {
		bq_fc_kw(k, out, "timezone(");
		if (bq_fc_arg(k, 2, out) < 0)
			return -1;
		sg_buf_puts(out, ", ");
	}
	bq_fc_kw(k, out, "CAST(strptime(");
	if (bq_fc_arg(k, 1, out) < 0)
		return -1;
	sg_buf_puts(out, ", ");
	if (format_arg(k, 0, true, false, out) < 0)
		return -1;
	if (k->nargs == 3) {
		bq_fc_kw(k, out, ") AS TIMESTAMP))");
		return 0;
	}
	bq_fc_kw(k, out, ") AS ");
	bq_fc_kw(k, out, !strcmp(kind, "DATE") ? "DATE)" : !strcmp(kind, "TIME") ? "TIME)" : ts ? "TIMESTAMPTZ)" : "TIMESTAMP)");
	return 0;
}

int bq_h_ctor(bq_fcall *k, sg_buf *out)
{
	const char *kind = k->arg_text; /* DATE DATETIME TIMESTAMP TIME STRING */
	static const char *const duck[][2] = {
		{ "DATE", "DATE" }, { "DATETIME", "TIMESTAMP" }, { "TIMESTAMP", "TIMESTAMPTZ" }, { "TIME", "TIME" }, { "STRING", "VARCHAR" },
	};
	const char *target = "VARCHAR";
	for (size_t j = 0; j < sizeof(duck) / sizeof(duck[0]); j++) {
		if (!strcmp(duck[j][0], kind))
			target = duck[j][1];
	}
	if (bq_fc_nargs(k, 1, strcmp(kind, "DATETIME") ? 3 : 6) < 0)
		return -1;
	if (k->nargs == 1) {
		bq_fc_kw(k, out, "CAST(");
		if (bq_fc_arg(k, 0, out) < 0)
			return -1;
		bq_fc_kw(k, out, " AS ");
		bq_fc_kw(k, out, target);
		sg_buf_putc(out, ')');
		return 0;
	}
	if (k->nargs == 2 && !strcmp(kind, "DATETIME") && !bq_fc_arg_is_string(k, 1)) {
		/* DATETIME(date, time) */
		bq_fc_kw(k, out, "(CAST(");
		if (bq_fc_arg(k, 0, out) < 0)
			return -1;
		bq_fc_kw(k, out, " AS DATE) + ");
		if (bq_fc_arg_paren(k, 1, out) < 0)
			return -1;
		sg_buf_putc(out, ')');
		return 0;
	}
	if (k->nargs == 2) {
		/* (value, time zone) */
		bool cast = strcmp(kind, "DATETIME") && strcmp(kind, "TIMESTAMP");
		if (cast)
			bq_fc_kw(k, out, "CAST(");
		bq_fc_kw(k, out, "timezone(");
		if (bq_fc_arg(k, 1, out) < 0)
			return -1;
		sg_buf_puts(out, ", ");
		if (!strcmp(kind, "TIMESTAMP")) {
			bq_fc_kw(k, out, "CAST(");
			if (bq_fc_arg(k, 0, out) < 0)
				return -1;
			bq_fc_kw(k, out, " AS TIMESTAMP))");
			return 0;
		}
		if (bq_fc_arg(k, 0, out) < 0)
			return -1;
		sg_buf_putc(out, ')');
		if (cast) {
			bq_fc_kw(k, out, " AS ");
			bq_fc_kw(k, out, target);
			sg_buf_putc(out, ')');
		}
		return 0;
	}
	const char *make = !strcmp(kind, "DATE") ? "make_date" : !strcmp(kind, "TIME") ? "make_time" : "make_timestamp";
	if ((!strcmp(kind, "DATETIME") && k->nargs != 6) || (strcmp(kind, "DATETIME") && k->nargs != 3) ||
	    !strcmp(kind, "TIMESTAMP") || !strcmp(kind, "STRING"))
		return bq_fail(k->c, k->fn, "%s with %zu arguments has no local equivalent", k->name, k->nargs);
	bq_fc_kw(k, out, make);
	return bq_xl(k->c, k->lp, k->rp + 1, true, out);
}

int bq_h_date_array(bq_fcall *k, sg_buf *out)
{
	bool dates = !strcmp(k->arg_text, "DATE");
	if (bq_fc_nargs(k, dates ? 2 : 3, 3) < 0)
		return -1;
	if (dates)
		bq_fc_kw(k, out, "CAST(");
	bq_fc_kw(k, out, "generate_series(");
	for (size_t n = 0; n < 2; n++) {
		if (dates)
			bq_fc_kw(k, out, "CAST(");
		if (bq_fc_arg(k, n, out) < 0)
			return -1;
		if (dates)
			bq_fc_kw(k, out, " AS DATE)");
		sg_buf_puts(out, ", ");
	}
	if (k->nargs == 2)
		bq_fc_kw(k, out, "INTERVAL 1 DAY");
	else if (put_interval_arg(k, 2, out) < 0)
		return -1;
	sg_buf_putc(out, ')');
	if (dates)
		bq_fc_kw(k, out, " AS DATE[])");
	return 0;
}

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
