/*
 * BigQuery → DuckDB translation: statements, names, clauses and literals.
 * Functions and types are in bqsql_func.c, tokens in bqsql_lex.c; the
 * rules are described in bqsql.h.
 */
#include "providers/local/bqsql_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_NEST 200

/* BigQuery's reserved keywords (GoogleSQL lexical structure), sorted. */
static const char *const reserved[] = {
	"ALL", "AND", "ANY", "ARRAY", "AS", "ASC", "ASSERT_ROWS_MODIFIED", "AT", "BETWEEN", "BY", "CASE", "CAST",
	"COLLATE", "CONTAINS", "CREATE", "CROSS", "CUBE", "CURRENT", "DEFAULT", "DEFINE", "DESC", "DISTINCT", "ELSE",
	"END", "ENUM", "ESCAPE", "EXCEPT", "EXCLUDE", "EXISTS", "EXTRACT", "FALSE", "FETCH", "FOLLOWING", "FOR", "FROM",
	"FULL", "GROUP", "GROUPING", "GROUPS", "HASH", "HAVING", "IF", "IGNORE", "IN", "INNER", "INTERSECT", "INTERVAL",
	"INTO", "IS", "JOIN", "LATERAL", "LEFT", "LIKE", "LIMIT", "LOOKUP", "MERGE", "NATURAL", "NEW", "NO", "NOT",
	"NULL", "NULLS", "OF", "ON", "OR", "ORDER", "OUTER", "OVER", "PARTITION", "PRECEDING", "PROTO", "QUALIFY",
	"RANGE", "RECURSIVE", "RESPECT", "RIGHT", "ROLLUP", "ROWS", "SELECT", "SET", "SOME", "STRUCT", "TABLESAMPLE",
	"THEN", "TO", "TREAT", "TRUE", "UNBOUNDED", "UNION", "UNNEST", "USING", "WHEN", "WHERE", "WINDOW", "WITH",
	"WITHIN",
};

/* Per parenthesis level: are we in a FROM list, in an UPDATE's SET list? */
typedef struct frame {
	bool in_from;
	bool in_set;
} frame;

typedef struct xl_state {
	frame f[MAX_NEST + 1];
	int d;
	size_t from; /* the first token of the range: its neighbours are not ours */
} xl_state;

/* ---- token helpers ---- */

bool bq_is_kw(const bq_ctx *c, size_t i, const char *kw)
{
	if (i >= c->n || c->t[i].kind != BQ_IDENT)
		return false;
	/* called many times a token: the first letter rejects almost every candidate */
	const char *w = c->src + c->t[i].start;
	if ((w[0] & ~0x20) != (kw[0] & ~0x20))
		return false;
	size_t n = strlen(kw);
	return c->t[i].len == n && !strncasecmp(w, kw, n);
}

bool bq_is_op(const bq_ctx *c, size_t i, const char *op)
{
	if (i >= c->n || c->t[i].kind != BQ_OP || c->src[c->t[i].start] != op[0])
		return false;
	size_t n = op[1] ? strlen(op) : 1;
	return c->t[i].len == n && (n == 1 || !memcmp(c->src + c->t[i].start, op, n));
}

static int cmp_word(const void *key, const void *elem)
{
	const bq_tok *t = ((const void *const *)key)[0];
	const char *src = ((const void *const *)key)[1];
	const char *w = *(const char *const *)elem;
	size_t n = strlen(w);
	int r = strncasecmp(src + t->start, w, t->len < n ? t->len : n);
	if (r)
		return r;
	return t->len < n ? -1 : t->len > n ? 1 : 0;
}

bool bq_in_list(const bq_ctx *c, size_t i, const char *const *list, size_t n, bool sorted)
{
	if (i >= c->n || c->t[i].kind != BQ_IDENT)
		return false;
	const void *key[2] = { &c->t[i], c->src };
	if (sorted)
		return bsearch(key, list, n, sizeof(*list), cmp_word) != NULL;
	const char *w = c->src + c->t[i].start;
	for (size_t k = 0; k < n; k++) {
		if (list[k][0] == (w[0] & ~0x20) && strlen(list[k]) == c->t[i].len && !strncasecmp(w, list[k], c->t[i].len))
			return true;
	}
	return false;
}

int bq_reserved_sorted(void)
{
	for (size_t i = 1; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		if (strcasecmp(reserved[i - 1], reserved[i]) >= 0)
			return -1;
	}
	return 0;
}

bool bq_is_reserved(const bq_ctx *c, size_t i)
{
	return bq_in_list(c, i, reserved, sizeof(reserved) / sizeof(reserved[0]), true);
}

void bq_put_name(sg_buf *out, const bq_ctx *c, size_t like, const char *name)
{
	bool lower = false;
	if (like < c->n) {
		const char *s = c->src + c->t[like].start;
		for (uint32_t k = 0; k < c->t[like].len; k++) {
			if (islower((unsigned char)s[k])) {
				lower = true;
				break;
			}
		}
	}
	for (; *name; name++)
		sg_buf_putc(out, (char)(lower ? tolower((unsigned char)*name) : toupper((unsigned char)*name)));
}

int bq_fail(bq_ctx *c, size_t i, const char *fmt, ...)
{
	if (i >= c->n)
		i = c->n ? c->n - 1 : 0;
	sg_buf msg = SG_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sg_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (c->n)
		sg_error_set(c->err, "line %u, col %u: %s", c->t[i].line, c->t[i].col, msg.ptr);
	else
		sg_error_set(c->err, "%s", msg.ptr);
	sg_buf_free(&msg);
	return -1;
}

void bq_put_tok(sg_buf *out, const bq_ctx *c, size_t i)
{
	sg_buf_put(out, c->src + c->t[i].start, c->t[i].len);
}

void bq_put_gap(sg_buf *out, const bq_ctx *c, size_t i)
{
	bq_emit_gap(out, c->src, c->t[i].gap, c->t[i].start);
}

/* Tokens [i, pe) as written (a name that needs no change). */
static void put_verbatim(const bq_ctx *c, size_t i, size_t pe, sg_buf *out)
{
	for (size_t k = i; k < pe; k++) {
		if (k > i)
			bq_put_gap(out, c, k);
		bq_put_tok(out, c, k);
	}
}

/* The end of a dotted name starting at i: name (. name)*. */
size_t bq_path_end(const bq_ctx *c, size_t i, size_t to)
{
	size_t k = i + 1;
	while (k + 1 < to && bq_is_op(c, k, ".") && (c->t[k + 1].kind == BQ_IDENT || c->t[k + 1].kind == BQ_QIDENT))
		k += 2;
	return k;
}

/* The parts of the name [i, pe): backtick contents split on dots. */
typedef struct name_parts {
	sg_buf text; /* parts, each NUL-terminated */
	size_t n;
	const char *part[8];
	bool quoted; /* any part came from backticks */
} name_parts;

static int split_name(bq_ctx *c, size_t i, size_t pe, name_parts *np)
{
	memset(np, 0, sizeof(*np));
	sg_buf one = SG_BUF_INIT;
	size_t offs[8];
	for (size_t k = i; k < pe; k += 2) {
		sg_buf_clear(&one);
		if (c->t[k].kind == BQ_QIDENT) {
			np->quoted = true;
			bq_string_value(c->src, &c->t[k], &one, c->err);
		} else {
			bq_put_tok(&one, c, k);
		}
		/* a backtick name may hold dots: `project.dataset.table` */
		const char *p = sg_buf_cstr(&one);
		for (;;) {
			const char *dot = c->t[k].kind == BQ_QIDENT ? strchr(p, '.') : NULL;
			size_t len = dot ? (size_t)(dot - p) : strlen(p);
			if (np->n == 8) {
				sg_buf_free(&one);
				sg_buf_free(&np->text);
				return bq_fail(c, i, "name with more than 8 parts");
			}
			offs[np->n++] = np->text.len;
			sg_buf_put(&np->text, p, len);
			sg_buf_putc(&np->text, '\0');
			if (!dot)
				break;
			p = dot + 1;
		}
	}
	sg_buf_free(&one);
	for (size_t k = 0; k < np->n; k++)
		np->part[k] = np->text.ptr + offs[k];
	return 0;
}

/* ---- literals ---- */

static int put_string(bq_ctx *c, size_t i, sg_buf *out)
{
	if (c->t[i].is_plain) {
		bq_put_tok(out, c, i);
		return 0;
	}
	sg_buf v = SG_BUF_INIT;
	int rc = bq_string_value(c->src, &c->t[i], &v, c->err);
	if (rc == 0 && bq_put_sql_string(out, v.ptr ? v.ptr : "", v.len) < 0)
		rc = bq_fail(c, i, "string literal holds a NUL character, which DuckDB strings cannot");
	sg_buf_free(&v);
	return rc;
}

static int put_bytes(bq_ctx *c, size_t i, sg_buf *out)
{
	sg_buf v = SG_BUF_INIT;
	if (bq_string_value(c->src, &c->t[i], &v, c->err) < 0) {
		sg_buf_free(&v);
		return -1;
	}
	sg_buf_putc(out, '\'');
	for (size_t k = 0; k < v.len; k++) {
		unsigned char ch = (unsigned char)v.ptr[k];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'')
			sg_buf_putc(out, (char)ch);
		else
			sg_buf_printf(out, "\\x%02X", ch);
	}
	sg_buf_puts(out, "'::BLOB");
	sg_buf_free(&v);
	return 0;
}

static int put_number(bq_ctx *c, size_t i, sg_buf *out)
{
	const char *s = c->src + c->t[i].start;
	if (c->t[i].len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		/* DuckDB has no hexadecimal literals */
		char buf[32];
		if (c->t[i].len - 2 > 16)
			return bq_fail(c, i, "hexadecimal literal out of range for INT64");
		memcpy(buf, s + 2, c->t[i].len - 2);
		buf[c->t[i].len - 2] = '\0';
		uint64_t v = strtoull(buf, NULL, 16);
		if (v > INT64_MAX)
			return bq_fail(c, i, "hexadecimal literal out of range for INT64");
		sg_buf_printf(out, "%" PRIu64, v);
		return 0;
	}
	bq_put_tok(out, c, i);
	return 0;
}

/* DATE '...', DATETIME '...', TIMESTAMP '...', JSON '...', NUMERIC '...' */
static int put_typed_literal(bq_ctx *c, size_t i, sg_buf *out, size_t *next)
{
	size_t s = i + 1;
	*next = i + 2;
	if (bq_is_kw(c, i, "RANGE"))
		return bq_fail(c, i, "RANGE literals have no local equivalent");
	if (bq_is_kw(c, i, "NUMERIC") || bq_is_kw(c, i, "BIGNUMERIC") || bq_is_kw(c, i, "DECIMAL") ||
	    bq_is_kw(c, i, "BIGDECIMAL")) {
		bq_put_name(out, c, i, "CAST(");
		if (put_string(c, s, out) < 0)
			return -1;
		bq_put_name(out, c, i, " AS DECIMAL(38,9))");
		return 0;
	}
	if (bq_is_kw(c, i, "DATETIME"))
		bq_put_name(out, c, i, "TIMESTAMP");
	else if (bq_is_kw(c, i, "TIMESTAMP"))
		bq_put_name(out, c, i, "TIMESTAMPTZ");
	else
		bq_put_tok(out, c, i);
	bq_put_gap(out, c, s);
	return put_string(c, s, out);
}

static bool is_typed_literal_kw(const bq_ctx *c, size_t i)
{
	static const char *const kws[] = { "DATE",    "TIME",	    "DATETIME", "TIMESTAMP",  "JSON",
					   "NUMERIC", "BIGNUMERIC", "DECIMAL",	"BIGDECIMAL", "RANGE" };
	return i + 1 < c->n && c->t[i + 1].kind == BQ_STRING && bq_in_list(c, i, kws, sizeof(kws) / sizeof(kws[0]), false);
}

static bool is_unit(const bq_ctx *c, size_t i)
{
	static const char *const units[] = { "YEAR", "QUARTER", "MONTH",  "WEEK",	 "DAY",
					     "HOUR", "MINUTE",	"SECOND", "MILLISECOND", "MICROSECOND" };
	return bq_in_list(c, i, units, sizeof(units) / sizeof(units[0]), false);
}

/* INTERVAL expr UNIT: DuckDB needs parentheses around anything but a number or a string. */
static int put_interval(bq_ctx *c, size_t i, size_t to, sg_buf *out, size_t *next)
{
	size_t v = i + 1;
	if (v < to && (c->t[v].kind == BQ_STRING || c->t[v].kind == BQ_NUMBER) && is_unit(c, v + 1)) {
		if (bq_is_kw(c, v + 2, "TO"))
			return bq_fail(c, i, "INTERVAL ... TO ... has no local equivalent: write INTERVAL n UNIT");
		bq_put_tok(out, c, i);
		bq_put_gap(out, c, v);
		if (c->t[v].kind == BQ_STRING ? put_string(c, v, out) < 0 : put_number(c, v, out) < 0)
			return -1;
		bq_put_gap(out, c, v + 1);
		bq_put_tok(out, c, v + 1);
		*next = v + 2;
		return 0;
	}
	size_t u = v;
	while (u < to && !is_unit(c, u)) {
		if (bq_is_op(c, u, "(") || bq_is_op(c, u, "["))
			u = c->t[u].match;
		else if (bq_is_op(c, u, ",") || bq_is_op(c, u, ")") || bq_is_op(c, u, ";"))
			break;
		u++;
	}
	if (u >= to || u == v || !is_unit(c, u))
		return bq_fail(c, i, "INTERVAL without a unit (expected INTERVAL n DAY, MONTH, ...)");
	if (bq_is_kw(c, u + 1, "TO"))
		return bq_fail(c, i, "INTERVAL ... TO ... has no local equivalent: write INTERVAL n UNIT");
	bq_put_tok(out, c, i);
	sg_buf_puts(out, " (");
	if (bq_xl(c, v, u, false, out) < 0)
		return -1;
	sg_buf_puts(out, ") ");
	bq_put_tok(out, c, u);
	*next = u + 1;
	return 0;
}

/* ---- names ---- */

static bool table_context(const bq_ctx *c, const xl_state *st, size_t i)
{
	if (i == 0 || i == st->from)
		return false;
	size_t p = i - 1;
	static const char *const kws[] = { "JOIN", "INTO", "UPDATE", "MERGE", "USING", "TABLE", "VIEW", "INSERT", "DELETE" };
	if (bq_is_kw(c, p, "FROM"))
		return !(p > 0 && bq_is_kw(c, p - 1, "DISTINCT"));
	if (bq_in_list(c, p, kws, sizeof(kws) / sizeof(kws[0]), false))
		return true;
	if (bq_is_kw(c, p, "EXISTS") && p > 0 && (bq_is_kw(c, p - 1, "IF") || bq_is_kw(c, p - 1, "NOT")))
		return true;
	return bq_is_op(c, p, ",") && st->f[st->d].in_from;
}

static int put_table(bq_ctx *c, size_t i, size_t pe, sg_buf *out)
{
	name_parts np;
	if (split_name(c, i, pe, &np) < 0)
		return -1;
	int rc = 0;
	const char *proj = NULL, *ds = NULL, *tbl = NULL;
	for (size_t k = 0; k < np.n; k++) {
		if (strchr(np.part[k], '*')) {
			rc = bq_fail(c, i, "wildcard table %s has no local equivalent", np.part[np.n - 1]);
			goto out;
		}
		if (k > 0 && !strcasecmp(np.part[k], "INFORMATION_SCHEMA")) {
			rc = bq_fail(c, i, "%s.INFORMATION_SCHEMA has no local equivalent: query information_schema.tables "
					   "or information_schema.columns",
				     np.part[k - 1]);
			goto out;
		}
	}
	if (np.n > 3) {
		rc = bq_fail(c, i, "table name with %zu parts: expected project.dataset.table", np.n);
		goto out;
	}
	if (np.n == 2 && !strcasecmp(np.part[0], "INFORMATION_SCHEMA")) {
		put_verbatim(c, i, pe, out);
		goto out;
	}
	tbl = np.part[np.n - 1];
	ds = np.n >= 2 ? np.part[np.n - 2] : NULL;
	proj = np.n == 3 ? np.part[0] : NULL;
	if (proj && c->opts->project && strcmp(proj, c->opts->project)) {
		rc = bq_fail(c, i, "table %s.%s.%s is in project %s; the local warehouse holds project %s only", proj, ds,
			     tbl, proj, c->opts->project);
		goto out;
	}
	if (c->opts->resolve_table && (ds || np.quoted)) {
		sg_error e = SG_ERROR_INIT;
		if (c->opts->resolve_table(c->opts->resolve_ctx, proj, ds, tbl, out, &e) < 0) {
			rc = bq_fail(c, i, "%s", sg_error_msg(&e));
			sg_error_clear(&e);
		}
		goto out;
	}
	if (!np.quoted && !proj) {
		/* dataset.table or a CTE name: DuckDB reads it as written */
		put_verbatim(c, i, pe, out);
		goto out;
	}
	if (ds) {
		bq_put_ident(out, ds);
		sg_buf_putc(out, '.');
	}
	bq_put_ident(out, tbl);
out:
	sg_buf_free(&np.text);
	return rc;
}

/* A schema (dataset) name: project.dataset → "dataset". */
int bq_put_schema(bq_ctx *c, size_t i, size_t pe, sg_buf *out)
{
	name_parts np;
	if (split_name(c, i, pe, &np) < 0)
		return -1;
	int rc = 0;
	if (np.n > 2) {
		rc = bq_fail(c, i, "dataset name with %zu parts: expected project.dataset", np.n);
	} else if (np.n == 2 && c->opts->project && strcmp(np.part[0], c->opts->project)) {
		rc = bq_fail(c, i, "dataset %s.%s is in project %s; the local warehouse holds project %s only", np.part[0],
			     np.part[1], np.part[0], c->opts->project);
	} else if (np.n == 1 && !np.quoted) {
		bq_put_tok(out, c, i);
	} else {
		bq_put_ident(out, np.part[np.n - 1]);
	}
	sg_buf_free(&np.text);
	return rc;
}

static const char *partition_column(const bq_ctx *c)
{
	return c->opts->partition_column ? c->opts->partition_column : "_PARTITIONTIME";
}

/* A column path a.b.c; pseudo-columns mapped. */
static int put_column_path(bq_ctx *c, size_t i, size_t pe, sg_buf *out)
{
	size_t last = pe - 1;
	sg_buf lastname = SG_BUF_INIT;
	if (c->t[last].kind == BQ_QIDENT)
		bq_string_value(c->src, &c->t[last], &lastname, c->err);
	else
		bq_put_tok(&lastname, c, last);
	const char *ln = sg_buf_cstr(&lastname);
	bool is_alias = i > 0 && bq_is_kw(c, i - 1, "AS");
	bool ptime = !strcasecmp(ln, "_PARTITIONTIME"), pdate = !strcasecmp(ln, "_PARTITIONDATE");
	if (!strcasecmp(ln, "_TABLE_SUFFIX") || !strcasecmp(ln, "_FILE_NAME")) {
		int rc = bq_fail(c, last, "pseudo-column %s has no local equivalent", ln);
		sg_buf_free(&lastname);
		return rc;
	}
	sg_buf_free(&lastname);
	if (pdate && !is_alias)
		bq_put_name(out, c, last, "CAST(");
	for (size_t k = i; k < pe; k++) {
		if (k > i)
			bq_put_gap(out, c, k);
		if (k == last && (ptime || pdate) && !is_alias) {
			bq_put_ident(out, partition_column(c));
		} else if (c->t[k].kind == BQ_QIDENT) {
			name_parts np;
			if (split_name(c, k, k + 1, &np) < 0)
				return -1;
			for (size_t p = 0; p < np.n; p++) {
				if (p)
					sg_buf_putc(out, '.');
				bq_put_ident(out, np.part[p]);
			}
			sg_buf_free(&np.text);
		} else {
			bq_put_tok(out, c, k);
		}
	}
	if (pdate && !is_alias)
		bq_put_name(out, c, last, " AS DATE)");
	return 0;
}

/* arr[OFFSET(i)] → arr[(i) + 1]; arr[ORDINAL(i)] → arr[i]; arr[i] → arr[(i) + 1]. */
static int put_subscript(bq_ctx *c, size_t i, sg_buf *out, size_t *next)
{
	size_t close = c->t[i].match, a = i + 1;
	*next = close + 1;
	bq_put_tok(out, c, i);
	if (a == close)
		return bq_fail(c, i, "empty subscript []");
	if (close == a + 1 && c->t[a].kind == BQ_STRING) {
		/* a map or JSON key */
		bq_put_gap(out, c, a);
		if (put_string(c, a, out) < 0)
			return -1;
	} else if (c->t[a].kind == BQ_IDENT && bq_is_op(c, a + 1, "(") && c->t[a + 1].match == close - 1 &&
		   (bq_is_kw(c, a, "OFFSET") || bq_is_kw(c, a, "SAFE_OFFSET") || bq_is_kw(c, a, "ORDINAL") ||
		    bq_is_kw(c, a, "SAFE_ORDINAL"))) {
		bool offset = bq_is_kw(c, a, "OFFSET") || bq_is_kw(c, a, "SAFE_OFFSET");
		sg_buf_puts(out, offset ? "(" : "");
		if (bq_xl(c, a + 2, close - 1, false, out) < 0)
			return -1;
		sg_buf_puts(out, offset ? ") + 1" : "");
	} else {
		sg_buf_putc(out, '(');
		if (bq_xl(c, a, close, false, out) < 0)
			return -1;
		sg_buf_puts(out, ") + 1");
	}
	bq_put_gap(out, c, close);
	bq_put_tok(out, c, close);
	return 0;
}

static bool is_subscript(const bq_ctx *c, size_t i)
{
	if (i == 0)
		return false;
	const bq_tok *p = &c->t[i - 1];
	if (p->kind == BQ_QIDENT || bq_is_op(c, i - 1, ")") || bq_is_op(c, i - 1, "]"))
		return true;
	return p->kind == BQ_IDENT && !bq_is_reserved(c, i - 1);
}

/* ARRAY<T>[...] and STRUCT<...>(...) */
static int put_typed_constructor(bq_ctx *c, size_t i, size_t to, sg_buf *out, size_t *next)
{
	sg_buf type = SG_BUF_INIT;
	size_t k;
	int rc = bq_type(c, i, to, &type, &k);
	if (rc == 0 && bq_is_op(c, k, "[")) {
		bq_put_name(out, c, i, "CAST(");
		rc = bq_xl(c, k, c->t[k].match + 1, false, out);
		*next = c->t[k].match + 1;
	} else if (rc == 0 && bq_is_op(c, k, "(")) {
		bq_put_name(out, c, i, "CAST(row");
		rc = bq_xl(c, k, c->t[k].match + 1, false, out);
		*next = c->t[k].match + 1;
	} else if (rc == 0) {
		rc = bq_fail(c, i, "expected [ or ( after the type");
	}
	if (rc == 0) {
		bq_put_name(out, c, i, " AS ");
		sg_buf_put(out, type.ptr, type.len);
		sg_buf_putc(out, ')');
	}
	sg_buf_free(&type);
	return rc;
}

/* ---- clauses ---- */

static void clause_keyword(const bq_ctx *c, xl_state *st, size_t i)
{
	static const char *const ends_from[] = { "WHERE",  "GROUP", "HAVING", "QUALIFY",   "WINDOW",
						 "ORDER",  "LIMIT", "UNION",  "INTERSECT", "SELECT", "EXCEPT" };
	frame *f = &st->f[st->d];
	if (bq_is_kw(c, i, "FROM") && !(i > 0 && bq_is_kw(c, i - 1, "DISTINCT")))
		f->in_from = true;
	else if (bq_in_list(c, i, ends_from, sizeof(ends_from) / sizeof(ends_from[0]), false))
		f->in_from = false;
	if (bq_is_kw(c, i, "SET"))
		f->in_set = true;
	else if (bq_is_kw(c, i, "WHERE") || bq_is_kw(c, i, "WHEN") || bq_is_kw(c, i, "FROM"))
		f->in_set = false;
}

/* ALTER TABLE ... ADD COLUMN [IF NOT EXISTS] name TYPE / ALTER COLUMN x SET DATA TYPE T */
static int put_alter_type(bq_ctx *c, size_t i, size_t to, bool add_column, sg_buf *out, size_t *next)
{
	bq_put_tok(out, c, i);
	size_t k = i + 1;
	if (add_column) {
		if (bq_is_kw(c, k, "IF") && bq_is_kw(c, k + 1, "NOT") && bq_is_kw(c, k + 2, "EXISTS")) {
			if (bq_xl(c, k, k + 3, true, out) < 0)
				return -1;
			k += 3;
		}
		if (k >= to || (c->t[k].kind != BQ_IDENT && c->t[k].kind != BQ_QIDENT))
			return bq_fail(c, k, "expected a column name");
		if (bq_xl(c, k, k + 1, true, out) < 0)
			return -1;
		k++;
	}
	if (k >= to)
		return bq_fail(c, k, "expected a type");
	bq_put_gap(out, c, k);
	return bq_type(c, k, to, out, next);
}

/* Do tokens i and j spell the same name (case-insensitive, backticks aside)? */
static bool same_name(const bq_ctx *c, size_t i, size_t j)
{
	if (j >= c->n)
		return false;
	sg_buf a = SG_BUF_INIT, b = SG_BUF_INIT;
	for (int k = 0; k < 2; k++) {
		size_t t = k ? j : i;
		sg_buf *o = k ? &b : &a;
		if (c->t[t].kind == BQ_QIDENT) {
			sg_error e = SG_ERROR_INIT;
			bq_string_value(c->src, &c->t[t], o, &e);
			sg_error_clear(&e);
			/* `ds.t`: the table's own name is the last part */
			const char *dot = strrchr(sg_buf_cstr(o), '.');
			if (dot) {
				sg_buf last = SG_BUF_INIT;
				sg_buf_puts(&last, dot + 1);
				sg_buf_free(o);
				*o = last;
			}
		} else {
			bq_put_tok(o, c, t);
		}
	}
	bool same = !strcasecmp(sg_buf_cstr(&a), sg_buf_cstr(&b));
	sg_buf_free(&a);
	sg_buf_free(&b);
	return same;
}

/* One token (or construct) at i. */
static int xl_one(bq_ctx *c, xl_state *st, size_t i, size_t to, sg_buf *out, size_t *next)
{
	const bq_tok *t = &c->t[i];
	*next = i + 1;
	switch (t->kind) {
	case BQ_STRING:
		return put_string(c, i, out);
	case BQ_BYTES:
		return put_bytes(c, i, out);
	case BQ_NUMBER:
		return put_number(c, i, out);
	case BQ_PARAM:
		return bq_fail(c, i, "query parameter %.*s: query parameters are not supported locally", (int)t->len,
			       c->src + t->start);
	case BQ_SYSVAR:
		if (c->opts->project && t->len == 12 && !strncasecmp(c->src + t->start, "@@project_id", 12)) {
			bq_put_cstring(out, c->opts->project);
			return 0;
		}
		return bq_fail(c, i, "system variable %.*s has no local equivalent", (int)t->len, c->src + t->start);
	case BQ_OP:
		if (bq_is_op(c, i, "(") || bq_is_op(c, i, "[")) {
			if (bq_is_op(c, i, "[") && is_subscript(c, i))
				return put_subscript(c, i, out, next);
			if (st->d >= MAX_NEST)
				return bq_fail(c, i, "expression nested more than %d levels deep", MAX_NEST);
			st->d++;
			memset(&st->f[st->d], 0, sizeof(st->f[st->d]));
		} else if ((bq_is_op(c, i, ")") || bq_is_op(c, i, "]")) && st->d > 0) {
			st->d--;
		} else if (bq_is_op(c, i, "^")) {
			return bq_fail(c, i, "operator ^ (bitwise XOR in BigQuery, a power in DuckDB) is refused: use BIT_XOR or POW");
		}
		bq_put_tok(out, c, i);
		return 0;
	case BQ_IDENT:
	case BQ_QIDENT:
		break;
	}
	bool dotted = bq_is_op(c, i + 1, ".");
	if (t->kind == BQ_IDENT && !dotted) {
		if (is_typed_literal_kw(c, i))
			return put_typed_literal(c, i, out, next);
		if (bq_is_kw(c, i, "INTERVAL"))
			return put_interval(c, i, to, out, next);
		if ((bq_is_kw(c, i, "ARRAY") || bq_is_kw(c, i, "STRUCT")) && bq_is_op(c, i + 1, "<"))
			return put_typed_constructor(c, i, to, out, next);
		if (bq_is_kw(c, i, "EXCEPT") && i > 0 && bq_is_op(c, i - 1, "*") && bq_is_op(c, i + 1, "(")) {
			bq_put_name(out, c, i, "EXCLUDE");
			return 0;
		}
		if (bq_is_kw(c, i, "SELECT") && bq_is_kw(c, i + 1, "AS") &&
		    (bq_is_kw(c, i + 2, "STRUCT") || bq_is_kw(c, i + 2, "VALUE")))
			return bq_fail(c, i, "SELECT AS %s has no local equivalent", bq_is_kw(c, i + 2, "STRUCT") ? "STRUCT" : "VALUE");
		if (bq_is_kw(c, i, "FOR") &&
		    (bq_is_kw(c, i + 1, "SYSTEM_TIME") || (bq_is_kw(c, i + 1, "SYSTEM") && bq_is_kw(c, i + 2, "TIME"))))
			return bq_fail(c, i, "FOR SYSTEM_TIME AS OF (time travel) has no local equivalent");
		if (bq_is_kw(c, i, "SET") && bq_is_kw(c, i + 1, "OPTIONS"))
			return bq_fail(c, i, "SET OPTIONS has no local equivalent");
		if (bq_is_kw(c, i, "COLLATE"))
			return bq_fail(c, i, "COLLATE has no local equivalent");
		if (bq_is_kw(c, i, "INSERT") && bq_is_kw(c, i + 1, "ROW")) {
			/* MERGE ... THEN INSERT ROW: DuckDB's bare INSERT takes the source row by position */
			bq_put_tok(out, c, i);
			*next = i + 2;
			return 0;
		}
		if (i == c->stmt_start && bq_is_kw(c, i, "INSERT") && !bq_is_kw(c, i + 1, "INTO")) {
			bq_put_tok(out, c, i);
			bq_put_name(out, c, i, " INTO");
			return 0;
		}
		if (i == c->stmt_start && bq_is_kw(c, i, "DELETE") && !bq_is_kw(c, i + 1, "FROM")) {
			bq_put_tok(out, c, i);
			bq_put_name(out, c, i, " FROM");
			return 0;
		}
		if (i == c->stmt_start && bq_is_kw(c, i, "MERGE") && !bq_is_kw(c, i + 1, "INTO")) {
			bq_put_tok(out, c, i);
			bq_put_name(out, c, i, " INTO");
			return 0;
		}
		if (c->stmt_alter && bq_is_kw(c, i, "COLUMN") && i > 0 && bq_is_kw(c, i - 1, "ADD"))
			return put_alter_type(c, i, to, true, out, next);
		if (c->stmt_alter && bq_is_kw(c, i, "TYPE") && i > 0 && bq_is_kw(c, i - 1, "DATA"))
			return put_alter_type(c, i, to, false, out, next);
		if (bq_is_reserved(c, i) && !bq_is_op(c, i + 1, "(")) {
			clause_keyword(c, st, i);
			bq_put_tok(out, c, i);
			return 0;
		}
	}
	size_t pe = bq_path_end(c, i, to);
	bool in_table = table_context(c, st, i);
	if (pe < to && bq_is_op(c, pe, "(") && !(in_table && i > 0 && !bq_is_kw(c, i - 1, "FROM") &&
						  !bq_is_kw(c, i - 1, "JOIN") && !bq_is_op(c, i - 1, ","))) {
		if (bq_is_reserved(c, i) && pe == i + 1 && !bq_is_kw(c, i, "IF") && !bq_is_kw(c, i, "CAST") &&
		    !bq_is_kw(c, i, "EXTRACT") && !bq_is_kw(c, i, "ARRAY") && !bq_is_kw(c, i, "STRUCT") &&
		    !bq_is_kw(c, i, "UNNEST") && !bq_is_kw(c, i, "LEFT") && !bq_is_kw(c, i, "RIGHT") &&
		    !bq_is_kw(c, i, "RANGE") && !bq_is_kw(c, i, "COLLATE")) {
			/* a keyword before a parenthesis: AS (, IN (, OVER ( ... */
			clause_keyword(c, st, i);
			bq_put_tok(out, c, i);
			return 0;
		}
		return bq_call(c, i, pe, in_table, out, next);
	}
	*next = pe;
	if (in_table)
		return put_table(c, i, pe, out);
	/* UPDATE t SET t.a = ...: DuckDB wants the bare column (but s.field of a struct stays) */
	if (st->f[st->d].in_set && pe == i + 3 && bq_is_op(c, pe, "=") && i > 0 &&
	    (bq_is_kw(c, i - 1, "SET") || bq_is_op(c, i - 1, ",")) &&
	    (same_name(c, i, c->target_name) || same_name(c, i, c->target_alias)))
		return put_column_path(c, i + 2, pe, out);
	return put_column_path(c, i, pe, out);
}

int bq_xl(bq_ctx *c, size_t from, size_t to, bool lead, sg_buf *out)
{
	if (++c->depth > MAX_NEST) {
		c->depth--;
		return bq_fail(c, from, "expression nested more than %d levels deep", MAX_NEST);
	}
	xl_state *st = calloc(1, sizeof(*st));
	if (!st)
		abort();
	st->from = from;
	int rc = 0;
	for (size_t i = from; i < to;) {
		if (i > from || lead)
			bq_put_gap(out, c, i);
		size_t next;
		rc = xl_one(c, st, i, to, out, &next);
		if (rc < 0)
			break;
		i = next > i ? next : i + 1;
	}
	free(st);
	c->depth--;
	return rc;
}

