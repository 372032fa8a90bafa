/*
 * Errors and diagnostics.
 *
 * sg_error is what a library function fills in when it returns < 0: one
 * message saying what is wrong first, lower case, no full stop ("bucket
 * company_trigger_bucket holds 3 objects"). The CLI decides how to show it.
 *
 * sg_diags collects every problem found in one pass (validation reports all
 * errors, not the first): each with a position (file, line, column) or a
 * resource address, and a severity.
 */
#ifndef SG_UTIL_ERROR_H
#define SG_UTIL_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct sg_error {
	char *msg;
} sg_error;

#define SG_ERROR_INIT { NULL }

/* Set (replacing any previous message). Always returns -1 for `return sg_error_set(...)`. */
int sg_error_set(sg_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Put `fmt` before the current message: "creating bucket x: " + old. Returns -1. */
int sg_error_prefix(sg_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *sg_error_msg(const sg_error *err);
void sg_error_clear(sg_error *err);

/* A position in a manifest or other source file. `file` is borrowed. */
typedef struct sg_pos {
	const char *file;
	int line; /* 1-based; 0 = unknown */
	int col;  /* 1-based; 0 = unknown */
} sg_pos;

typedef enum { SG_SEV_ERROR, SG_SEV_WARNING } sg_severity;

typedef struct sg_diag {
	sg_severity severity;
	char *file;    /* may be NULL */
	int line, col;
	char *address; /* resource address, may be NULL */
	char *msg;
} sg_diag;

typedef struct sg_diags {
	sg_diag *items;
	size_t n, cap;
	size_t nerrors;
} sg_diags;

#define SG_DIAGS_INIT { NULL, 0, 0, 0 }

void sg_diags_add(sg_diags *d, sg_severity sev, const sg_pos *pos, const char *address,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void sg_diags_vadd(sg_diags *d, sg_severity sev, const sg_pos *pos, const char *address,
		   const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/* Shorthand for an error at `pos`. */
void sg_diags_error(sg_diags *d, const sg_pos *pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sort by file, line, column (stable), so output reads top-down. */
void sg_diags_sort(sg_diags *d);
bool sg_diags_has_errors(const sg_diags *d);
void sg_diags_free(sg_diags *d);

#endif
