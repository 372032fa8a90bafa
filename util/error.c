#include "util/error.h"

#include "util/alloc.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

int sg_error_set(sg_error *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	sg_buf b = SG_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(err->msg);
	err->msg = sg_buf_detach(&b);
	return -1;
}

int sg_error_prefix(sg_error *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	sg_buf b = SG_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	sg_buf_puts(&b, err->msg ? err->msg : "unknown error");
	free(err->msg);
	err->msg = sg_buf_detach(&b);
	return -1;
}

const char *sg_error_msg(const sg_error *err)
{
	return err && err->msg ? err->msg : "unknown error";
}

void sg_error_clear(sg_error *err)
{
	if (!err)
		return;
	free(err->msg);
	err->msg = NULL;
}

void sg_diags_vadd(sg_diags *d, sg_severity sev, const sg_pos *pos, const char *address,
		   const char *fmt, va_list ap)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->items = sg_realloc(d->items, d->cap * sizeof(*d->items));
	}
	sg_diag *g = &d->items[d->n++];
	memset(g, 0, sizeof(*g));
	g->severity = sev;
	if (pos && pos->file) {
		g->file = sg_strdup(pos->file);
		g->line = pos->line;
		g->col = pos->col;
	}
	if (address)
		g->address = sg_strdup(address);
	sg_buf b = SG_BUF_INIT;
	sg_buf_vprintf(&b, fmt, ap);
	g->msg = sg_buf_detach(&b);
	if (sev == SG_SEV_ERROR)
		d->nerrors++;
}

void sg_diags_add(sg_diags *d, sg_severity sev, const sg_pos *pos, const char *address,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sg_diags_vadd(d, sev, pos, address, fmt, ap);
	va_end(ap);
}

void sg_diags_error(sg_diags *d, const sg_pos *pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sg_diags_vadd(d, SG_SEV_ERROR, pos, NULL, fmt, ap);
	va_end(ap);
}

static int diag_cmp(const sg_diag *a, const sg_diag *b)
{
	if (!a->file || !b->file) {
		if (a->file != b->file)
			return a->file ? -1 : 1;
		return 0;
	}
	int c = strcmp(a->file, b->file);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return 0;
}

void sg_diags_sort(sg_diags *d)
{
	/* insertion sort: stable, and diagnostics are few */
	for (size_t i = 1; i < d->n; i++) {
		sg_diag tmp = d->items[i];
		size_t j = i;
		while (j > 0 && diag_cmp(&d->items[j - 1], &tmp) > 0) {
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = tmp;
	}
}

bool sg_diags_has_errors(const sg_diags *d)
{
	return d->nerrors > 0;
}

void sg_diags_free(sg_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].address);
		free(d->items[i].msg);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}
