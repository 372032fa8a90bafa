/*
 * Helpers shared by the unit tests: temporary project directories, files
 * written into them, and looking diagnostics up. Everything is `static
 * inline` so that a test that does not use a helper gets no warning.
 *
 * Include after <cmocka.h>.
 */
#ifndef SG_TESTS_UNIT_HELPERS_H
#define SG_TESTS_UNIT_HELPERS_H

#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A new empty directory under /tmp (free the result with ut_rmdir). */
static inline char *ut_mkdtemp(void)
{
	char tmpl[] = "/tmp/sigma-unit-XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	char *copy = strdup(dir);
	assert_non_null(copy);
	return copy;
}

/* Remove the directory tree and free the path. */
static inline void ut_rmdir(char *dir)
{
	if (!dir)
		return;
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_fs_rm_rf(dir, &err), 0);
	sg_error_clear(&err);
	free(dir);
}

/* DIR/REL into `out` (replacing its contents). */
static inline const char *ut_path(sg_buf *out, const char *dir, const char *rel)
{
	sg_fs_join(out, dir, rel);
	return out->ptr;
}

/* Write `text` to DIR/REL (plain write, truncating). */
static inline void ut_write(const char *dir, const char *rel, const char *text)
{
	sg_buf p = SG_BUF_INIT;
	FILE *f = fopen(ut_path(&p, dir, rel), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	sg_buf_free(&p);
}

/* Append `text` to DIR/REL. */
static inline void ut_append(const char *dir, const char *rel, const char *text)
{
	sg_buf p = SG_BUF_INIT;
	FILE *f = fopen(ut_path(&p, dir, rel), "ab");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	sg_buf_free(&p);
}

/* The whole of DIR/REL into `out` (replacing its contents); asserts it exists. */
static inline const char *ut_read(sg_buf *out, const char *dir, const char *rel)
{
	sg_buf p = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	sg_buf_clear(out);
	int rc = sg_fs_read_file(ut_path(&p, dir, rel), out, &err);
	if (rc < 0)
		fail_msg("cannot read %s: %s", p.ptr, sg_error_msg(&err));
	sg_error_clear(&err);
	sg_buf_free(&p);
	return sg_buf_cstr(out);
}

static inline bool ut_exists(const char *dir, const char *rel)
{
	sg_buf p = SG_BUF_INIT;
	bool yes = sg_fs_exists(ut_path(&p, dir, rel));
	sg_buf_free(&p);
	return yes;
}

/* Print every diagnostic (shown when an assertion about them fails). */
static inline void ut_print_diags(const sg_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const sg_diag *g = &d->items[i];
		print_message("  diag %zu: %s:%d:%d: [%s] %s\n", i, g->file ? g->file : "-", g->line, g->col,
			      g->address ? g->address : "-", g->msg);
	}
}

/* The first diagnostic whose message contains `needle`, or NULL. */
static inline const sg_diag *ut_find_diag(const sg_diags *d, const char *needle)
{
	for (size_t i = 0; i < d->n; i++) {
		if (strstr(d->items[i].msg, needle))
			return &d->items[i];
	}
	return NULL;
}

/* Assert that a diagnostic containing `needle` exists; return it. */
static inline const sg_diag *ut_expect_diag(const sg_diags *d, const char *needle)
{
	const sg_diag *g = ut_find_diag(d, needle);
	if (!g) {
		ut_print_diags(d);
		fail_msg("no diagnostic contains \"%s\"", needle);
	}
	return g;
}

/* Does the file name of `g` end with "/base"? */
static inline bool ut_diag_in(const sg_diag *g, const char *base)
{
	if (!g->file)
		return false;
	const char *slash = strrchr(g->file, '/');
	return !strcmp(slash ? slash + 1 : g->file, base);
}

#endif
