#include "util/buf.h"

#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sg_buf_grow(sg_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap + cap / 2 + 16;
	b->ptr = sg_realloc(b->ptr, cap);
	b->cap = cap;
}

void sg_buf_put(sg_buf *b, const void *data, size_t len)
{
	sg_buf_grow(b, len);
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void sg_buf_puts(sg_buf *b, const char *s)
{
	sg_buf_put(b, s, strlen(s));
}

void sg_buf_putc(sg_buf *b, char c)
{
	sg_buf_grow(b, 1);
	b->ptr[b->len++] = c;
	b->ptr[b->len] = '\0';
}

void sg_buf_vprintf(sg_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	sg_buf_grow(b, 64);
	int n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		sg_buf_grow(b, (size_t)n);
		vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void sg_buf_printf(sg_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sg_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void sg_buf_pad(sg_buf *b, char c, size_t n)
{
	sg_buf_grow(b, n);
	memset(b->ptr + b->len, c, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void sg_buf_truncate(sg_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

void sg_buf_clear(sg_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

const char *sg_buf_cstr(const sg_buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *sg_buf_detach(sg_buf *b)
{
	char *p = b->ptr ? b->ptr : sg_strdup("");
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void sg_buf_free(sg_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

void sg_buf_free_secret(sg_buf *b)
{
	sg_wipe(b->ptr, b->cap);
	sg_buf_free(b);
}
