#include "util/arena.h"

#include "util/alloc.h"
#include "util/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_CHUNK (64 * 1024)
#define MAX_CHUNK (1024 * 1024)

struct sg_arena_chunk {
	sg_arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

/*
 * Chunks come from calloc: zeroed once, and from 1 MiB on mmapped by the C
 * library, so freeing them never makes malloc consolidate its free lists.
 * Memory handed out is therefore zero without a memset per allocation.
 */
void *sg_arena_alloc(sg_arena *a, size_t size)
{
	size_t align = sizeof(max_align_t);
	size = (size + align - 1) / align * align;
	if (size == 0)
		size = align;
	if (!a->head || a->head->cap - a->head->used < size) {
		if (!a->next_size)
			a->next_size = FIRST_CHUNK;
		size_t cap = a->next_size;
		if (a->next_size < MAX_CHUNK)
			a->next_size *= 2;
		if (size > cap / 4) {
			/* a big block gets a chunk of its own, behind the current one */
			sg_arena_chunk *c = sg_calloc(1, sizeof(*c) + size);
			c->used = c->cap = size;
			if (a->head) {
				c->next = a->head->next;
				a->head->next = c;
			} else {
				c->next = NULL;
				a->head = c;
			}
			return c->data;
		}
		sg_arena_chunk *c = sg_calloc(1, sizeof(*c) + cap);
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	char *p = (char *)a->head->data + a->head->used;
	a->head->used += size;
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
	a->next_size = 0;
}

void sg_arena_push(sg_arena *a, void ***items, size_t *n, size_t *cap, void *item)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		void **grown = sg_arena_alloc(a, ncap * sizeof(*grown));
		if (*n)
			memcpy(grown, *items, *n * sizeof(*grown));
		*items = grown;
		*cap = ncap;
	}
	(*items)[(*n)++] = item;
}
