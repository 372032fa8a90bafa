/*
 * An arena: many small allocations freed together. The manifest tree of one
 * command lives in one, so loading 10,000 resources costs a handful of
 * mallocs and freeing it costs one walk of the chunk list.
 */
#ifndef SG_UTIL_ARENA_H
#define SG_UTIL_ARENA_H

#include <stddef.h>

typedef struct sg_arena_chunk sg_arena_chunk;

typedef struct sg_arena {
	sg_arena_chunk *head;
	size_t next_size; /* chunks grow geometrically, so a big load makes few of them */
} sg_arena;

#define SG_ARENA_INIT { NULL, 0 }

/* `size` bytes aligned for any type, zeroed. */
void *sg_arena_alloc(sg_arena *a, size_t size);
char *sg_arena_strdup(sg_arena *a, const char *s);
char *sg_arena_strndup(sg_arena *a, const char *s, size_t n);
char *sg_arena_printf(sg_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sg_arena_free(sg_arena *a);

/*
 * Append to an array whose storage lives in the arena (never freed on its
 * own): *items grows by doubling, the old space is left to the arena.
 */
void sg_arena_push(sg_arena *a, void ***items, size_t *n, size_t *cap, void *item);

#endif
