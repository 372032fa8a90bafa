/*
 * The small part of JavaScript that Dataform's SQLX files use, read with
 * positions: the object literal of a `config { }` block, and the
 * expressions inside `${ }` of the SQL (ref(...), when(...), template
 * strings, dataform.projectConfig.vars.X, ?:, !, ===, &&, ||).
 *
 * sigma does not run JavaScript. Everything outside this subset is refused
 * with its file, line and column and a message saying it is not
 * supported, never skipped. Columns count characters (UTF-8 aware),
 * 1-based, like the rest of sigma's diagnostics.
 */
#ifndef SG_PIPELINE_SQLX_JS_H
#define SG_PIPELINE_SQLX_JS_H

#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

/* A reading position in a file's text. */
typedef struct sg_jscur {
	const char *file;
	const char *s;
	size_t len, i;
	int line, col;
	/* after a failure: what and where */
	char errmsg[256];
	sg_pos errpos;
} sg_jscur;

void sg_jscur_init(sg_jscur *c, const char *file, const char *s, size_t len);
/* The byte at the cursor (0 at the end) and the one after it. */
int sg_jscur_peek(const sg_jscur *c);
int sg_jscur_peek2(const sg_jscur *c);
/* Move one byte on, keeping line and column. */
void sg_jscur_next(sg_jscur *c);
sg_pos sg_jscur_pos(const sg_jscur *c);
/* Skip white space and // and block comments; -1 on an unterminated comment. */
int sg_jscur_skip_space(sg_jscur *c);
/* Record a failure at `pos` (or the cursor when NULL); returns -1. */
int sg_jscur_fail(sg_jscur *c, const sg_pos *pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------ literals */

typedef enum { SG_JS_NULL, SG_JS_BOOL, SG_JS_NUM, SG_JS_STR, SG_JS_ARR, SG_JS_OBJ } sg_js_kind;

typedef struct sg_jsv sg_jsv;

typedef struct sg_jsprop {
	const char *key;
	sg_pos pos; /* of the key */
	sg_jsv *value;
} sg_jsprop;

struct sg_jsv {
	sg_js_kind kind;
	sg_pos pos;
	const char *str; /* SG_JS_STR: the decoded text; SG_JS_NUM: as written */
	size_t len;
	double num;
	bool b;
	size_t n; /* items of an array / properties of an object */
	sg_jsv **items;
	sg_jsprop *props;
};

/*
 * Read one literal value at the cursor (after white space and comments):
 * an object, array, string ('', "", or `` without ${}), number, true,
 * false or null. Keys may be bare identifiers or strings; trailing commas
 * are allowed. A key given twice is refused. Allocates from `a`.
 */
int sg_js_parse_literal(sg_arena *a, sg_jscur *c, sg_jsv **out);
/* The property `key` of an object, or NULL. */
const sg_jsv *sg_jsv_get(const sg_jsv *obj, const char *key);
const char *sg_js_kind_name(sg_js_kind k);

/* --------------------------------------------------------- expressions */

typedef enum {
	SG_JE_STR,      /* a string literal */
	SG_JE_TEMPLATE, /* `a${x}b`: args alternate text (SG_JE_STR) and expressions */
	SG_JE_BOOL,
	SG_JE_NUM,
	SG_JE_NULL,
	SG_JE_OBJ,  /* {k: v}: keys + args */
	SG_JE_CALL, /* name(args) */
	SG_JE_VAR,  /* dataform.projectConfig.vars.NAME: str = NAME */
	SG_JE_CONF, /* dataform.projectConfig.FIELD: str = FIELD */
	SG_JE_NOT,
	SG_JE_AND,
	SG_JE_OR,
	SG_JE_EQ,
	SG_JE_NE,
	SG_JE_COND /* a ? b : c */
} sg_je_kind;

typedef struct sg_jexpr sg_jexpr;
struct sg_jexpr {
	sg_je_kind kind;
	sg_pos pos;
	const char *str;
	size_t len;
	bool b;
	double num;
	size_t n;
	sg_jexpr **args;
	const char **keys;
};

/*
 * Read the expression of a `${ ... }` whose `${` the cursor has just
 * passed, up to and including the closing `}`.
 */
int sg_js_parse_subst(sg_arena *a, sg_jscur *c, sg_jexpr **out);

/* The functions a SQLX expression may call, for messages. */
#define SG_JS_FUNCTIONS "ref, resolve, self, name, incremental, when, database, schema"

#endif
