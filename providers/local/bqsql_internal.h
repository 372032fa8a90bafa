/*
 * Internals of the BigQuery → DuckDB translator (bqsql.h), shared by its
 * files: bqsql_lex.c (tokens, string literals), bqsql.c (names, literals,
 * clauses), bqsql_stmt.c (statements, DDL), bqsql_func.c (function calls),
 * bqsql_time.c (date and time functions, format elements), bqsql_type.c
 * (types).
 * Nothing outside providers/local/bqsql*.c includes this.
 */
#ifndef SG_PROVIDERS_LOCAL_BQSQL_INTERNAL_H
#define SG_PROVIDERS_LOCAL_BQSQL_INTERNAL_H

#include "providers/local/bqsql.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum bq_tok_kind {
	BQ_IDENT,  /* name or keyword */
	BQ_QIDENT, /* `backtick` identifier */
	BQ_STRING, /* any string literal spelling */
	BQ_BYTES,  /* b'...' */
	BQ_NUMBER,
	BQ_PARAM,  /* @name or ? */
	BQ_SYSVAR, /* @@name */
	BQ_OP,     /* punctuation and operators */
} bq_tok_kind;

typedef struct bq_tok {
	bq_tok_kind kind;
	uint32_t start, len; /* the token's bytes in the source */
	uint32_t gap;	     /* where the whitespace and comments before it start */
	uint32_t line, col;  /* 1-based; col counts characters */
	uint32_t match;	     /* for ( [ ) ]: the index of its partner */
	uint8_t is_raw;	     /* r'...' */
	uint8_t is_plain;    /* a '...' string with no backslash: DuckDB reads it as is */
} bq_tok;

typedef struct bq_toks {
	bq_tok *v;
	size_t n, cap;
	uint32_t end_gap; /* start of whitespace/comments after the last token */
} bq_toks;

/* Cut `len` bytes of `src` into tokens. On error, "line L, col C: ..." in err. */
int bq_lex(const char *src, size_t len, bq_toks *out, sg_error *err);
void bq_toks_free(bq_toks *t);

/* Append the gap text [from, to) of the source: comments kept, # comments as --. */
void bq_emit_gap(sg_buf *out, const char *src, size_t from, size_t to);

/* The value of a string or bytes literal (escapes decoded). */
int bq_string_value(const char *src, const bq_tok *t, sg_buf *out, sg_error *err);
/* Append `s` (n bytes) as a DuckDB string literal; a NUL byte is refused (-1). */
int bq_put_sql_string(sg_buf *out, const char *s, size_t n);
/* Append a quoted identifier ("a""b") / a string literal of a C string. */
void bq_put_ident(sg_buf *out, const char *s);
void bq_put_cstring(sg_buf *out, const char *s);

/* The translation in progress. */
typedef struct bq_ctx {
	const char *src;
	const bq_tok *t;
	size_t n;
	const sg_bq_opts *opts;
	sg_error *err;
	int depth;	   /* recursion guard */
	size_t stmt_start; /* first token of the statement being translated */
	bool stmt_alter;   /* it is an ALTER statement */
	/* UPDATE/MERGE: the target's last name part and alias (tokens; SIZE_MAX: none) */
	size_t target_name, target_alias;
} bq_ctx;

/* Token helpers (bqsql.c). */
void bq_put_tok(sg_buf *out, const bq_ctx *c, size_t i);
/* The whitespace and comments before token i. */
void bq_put_gap(sg_buf *out, const bq_ctx *c, size_t i);
/* The end of the dotted name starting at token i: name (. name)*. */
size_t bq_path_end(const bq_ctx *c, size_t i, size_t to);
/* Is token i one of the n words of `list` (sorted: binary search)? */
bool bq_in_list(const bq_ctx *c, size_t i, const char *const *list, size_t n, bool sorted);
/* A dataset name [i, pe): project.dataset → "dataset". */
int bq_put_schema(bq_ctx *c, size_t i, size_t pe, sg_buf *out);
bool bq_is_kw(const bq_ctx *c, size_t i, const char *kw);
bool bq_is_op(const bq_ctx *c, size_t i, const char *op);
bool bq_is_reserved(const bq_ctx *c, size_t i);
/* Append a keyword or function name in the case the user wrote `like`. */
void bq_put_name(sg_buf *out, const bq_ctx *c, size_t like, const char *name);
int bq_fail(bq_ctx *c, size_t i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Translate tokens [from, to). The gap before `from` is copied when
 * `lead` is true; callers that rebuild a construct pass false.
 */
int bq_xl(bq_ctx *c, size_t from, size_t to, bool lead, sg_buf *out);

/*
 * Parse a BigQuery type at token i (before `end`) and append its DuckDB
 * spelling; *next is the first token after it.
 */
int bq_type(bq_ctx *c, size_t i, size_t end, sg_buf *out, size_t *next);

/*
 * A function call: name tokens [name, lp) (dotted), arguments between
 * lp and t[lp].match. Appends the translation, *next is the token after
 * the call. `in_from`: the call is a table reference (UNNEST).
 */
int bq_call(bq_ctx *c, size_t name, size_t lp, bool in_from, sg_buf *out, size_t *next);

/* A call being translated, as its handler sees it (bqsql_func.c). */
typedef struct bq_fcall {
	bq_ctx *c;
	size_t fn;	  /* the token of the name */
	size_t lp, rp;	  /* the parentheses */
	size_t (*arg)[2]; /* each argument's tokens [from, to) */
	size_t nargs;
	bool in_from;
	size_t next;	      /* first token after what the handler consumed */
	const char *arg_text; /* the handler's parameter from the table: a new name, a variant */
	char name[64];	      /* as written, for messages */
	char upper[64];	      /* upper case, for the lookup */
} bq_fcall;

typedef int (*bq_fc_fn)(bq_fcall *k, sg_buf *out);

/* A keyword or function name, in the case the call's name was written in. */
void bq_fc_kw(bq_fcall *k, sg_buf *out, const char *word);
/* Argument n translated; _paren puts it in parentheses unless it is one token or call. */
int bq_fc_arg(bq_fcall *k, size_t n, sg_buf *out);
int bq_fc_arg_paren(bq_fcall *k, size_t n, sg_buf *out);
/* Refuse a call without min..max arguments. */
int bq_fc_nargs(bq_fcall *k, size_t min, size_t max);
bool bq_fc_arg_is_string(const bq_fcall *k, size_t n);
/* The upper-case word of a one-identifier argument (MONTH; WEEK(MONDAY) gives "MONDAY" in sub), or "". */
void bq_fc_arg_word(const bq_fcall *k, size_t n, char *buf, size_t size, char *sub, size_t subsize);
/* Is `w` in the NULL-terminated list? */
bool bq_word_in(const char *w, const char *const *list);

/* Date and time handlers (bqsql_time.c); the table in bqsql_func.c names them. */
int bq_h_extract(bq_fcall *k, sg_buf *out);
int bq_h_current(bq_fcall *k, sg_buf *out);
int bq_h_trunc(bq_fcall *k, sg_buf *out);
int bq_h_add(bq_fcall *k, sg_buf *out);
int bq_h_diff(bq_fcall *k, sg_buf *out);
int bq_h_format_time(bq_fcall *k, sg_buf *out);
int bq_h_parse_time(bq_fcall *k, sg_buf *out);
int bq_h_ctor(bq_fcall *k, sg_buf *out);
int bq_h_date_array(bq_fcall *k, sg_buf *out);

/*
 * Convert the format string of FORMAT_* (`for_parse` false) or PARSE_*
 * (true) to DuckDB's strftime/strptime elements; refuses what has no
 * equivalent, naming the element. `tok` is the literal, for the position.
 */
int bq_format_elements(bq_ctx *c, size_t tok, const char *fmt, size_t n, bool for_parse, bool has_tz,
		       sg_buf *out);

/* 0 when the lookup tables are sorted as bsearch needs (for the unit tests). */
int bq_func_tables_sorted(void);
int bq_reserved_sorted(void);

#endif
