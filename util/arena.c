#include "util/arena.h"

#include "util/alloc.h"
#include "util/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)

struct sg_arena_chunk {
	sg_arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

void *sg_arena_alloc(sg_arena *a, size_t size)
{
	size_t align = sizeof(max_align_t);
	size = (size + align - 1) / align * align;
	if (!a->head || a->head->cap - a->head->used < size) {
		size_t cap = size > CHUNK_SIZE / 4 ? size : CHUNK_SIZE;
		sg_arena_chunk *c = sg_malloc(sizeof(*c) + cap);
		c->used = 0;
		c->cap = cap;
		if (size > CHUNK_SIZE / 4 && a->head) {
			/* a big block gets its own chunk behind the current one */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
		c->used = size;
		memset(c->data, 0, size);
		return c->data;
	}
	char *p = (char *)a->head->data + a->head->used;
	a->head->used += size;
	memset(p, 0, size);
	return p;
}

char *sg_arena_strndup(sg_arena *a, const char *s, size_t n)
{
	char *p = sg_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sg_arena_strdup(sg_arena *a, const char *s)
{
	return sg_arena_strndup(a, s, strlen(s));
}

char *sg_arena_printf(sg_arena *a, const char *fmt, ...)
{
	sg_buf b = SG_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *p = sg_arena_strndup(a, sg_buf_cstr(&b), b.len);
	sg_buf_free(&b);
	return p;
}

void sg_arena_free(sg_arena *a)
{
	sg_arena_chunk *c = a->head;
	while (c) {
		sg_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}
