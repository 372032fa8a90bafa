/*
 * References inside manifest strings: `${KIND.NAME.ATTR}`, `${var.NAME}`,
 * and the run-time ones `${args.NAME}`, `${event.NAME}`,
 * `${steps.ID.output.NAME}`. `$${` writes a literal `${`.
 *
 * A string that is exactly one reference takes the referenced value's type
 * (a list stays a list); a reference inside a longer string is written as
 * text. Run-time references are kept as written at plan time.
 */
#ifndef SG_CORE_EXPR_H
#define SG_CORE_EXPR_H

#include "util/buf.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define SG_REF_MAX_PARTS 8

typedef enum {
	SG_REF_VAR,      /* var.NAME */
	SG_REF_RESOURCE, /* KIND.NAME.ATTR[.FIELD...] */
	SG_REF_ARGS,     /* args.NAME            (run time) */
	SG_REF_EVENT,    /* event.NAME           (run time) */
	SG_REF_STEPS,    /* steps.ID.output.NAME (run time) */
} sg_ref_kind;

typedef struct sg_ref {
	sg_ref_kind kind;
	size_t start, end;  /* offsets of "${" and just past "}" */
	int nparts;
	char parts[SG_REF_MAX_PARTS][128]; /* the dotted parts */
	char text[512];     /* what is between the braces, trimmed */
} sg_ref;

static inline bool sg_ref_is_runtime(const sg_ref *r)
{
	return r->kind == SG_REF_ARGS || r->kind == SG_REF_EVENT || r->kind == SG_REF_STEPS;
}

/*
 * Call `fn` for each reference in `s` (stop when it returns non-zero and
 * return that). A malformed reference returns -1 with the reason in `why`
 * and its offset in *err_offset.
 */
typedef int (*sg_ref_fn)(const sg_ref *ref, void *ctx);
int sg_expr_scan(const char *s, sg_ref_fn fn, void *ctx, sg_buf *why, size_t *err_offset);

/* Does `s` contain a reference (or an escape) at all? Cheap pre-check. */
bool sg_expr_has_refs(const char *s);

/*
 * Resolve one reference: *out = a new reference to its value (may be the
 * unknown marker), *sensitive set when the value is secret. Return 0, or
 * -1 with `err` set. Run-time references are never passed here.
 */
typedef int (*sg_ref_resolver)(const sg_ref *ref, void *ctx, json_t **out, bool *sensitive, sg_error *err);

/*
 * Evaluate every string inside `v`. Returns a new value (NULL with `err` set
 * on failure); *sensitive is set when any secret went into it.
 */
json_t *sg_expr_eval(const json_t *v, sg_ref_resolver resolve, void *ctx, bool *sensitive, sg_error *err);

#endif
