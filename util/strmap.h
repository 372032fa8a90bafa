/*
 * A hash map from C strings to pointers (open addressing, linear probing).
 * Keys are borrowed: the caller keeps them alive as long as the map.
 */
#ifndef SG_UTIL_STRMAP_H
#define SG_UTIL_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sg_strmap_slot {
	const char *key;
	void *value;
} sg_strmap_slot;

typedef struct sg_strmap {
	sg_strmap_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t count;
} sg_strmap;

#define SG_STRMAP_INIT { NULL, 0, 0 }

/* Insert or replace. Returns the previous value, or NULL. */
void *sg_strmap_put(sg_strmap *m, const char *key, void *value);
void *sg_strmap_get(const sg_strmap *m, const char *key);
bool sg_strmap_has(const sg_strmap *m, const char *key);
void sg_strmap_free(sg_strmap *m);

/* Iterate: for (size_t i = 0; sg_strmap_next(m, &i, &k, &v); ) */
bool sg_strmap_next(const sg_strmap *m, size_t *iter, const char **key, void **value);

#endif
