/*
 * Allocation that never returns NULL.
 *
 * Like git's xmalloc(): running out of memory is not a condition sigma
 * recovers from, so these print one line and abort instead of making every
 * caller check. Use them everywhere instead of malloc() and friends.
 */
#ifndef SG_UTIL_ALLOC_H
#define SG_UTIL_ALLOC_H

#include <stddef.h>

void *sg_malloc(size_t size);
void *sg_calloc(size_t count, size_t size);
void *sg_realloc(void *ptr, size_t size);
char *sg_strdup(const char *s);
char *sg_strndup(const char *s, size_t n);

/* Wipe `len` bytes at `ptr` in a way the compiler cannot elide (keys, secrets). */
void sg_wipe(void *ptr, size_t len);

#define SG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
