/* A growable array of pointers (Redis's adlist, as an array). */
#ifndef SG_UTIL_VEC_H
#define SG_UTIL_VEC_H

#include <stddef.h>

typedef struct sg_vec {
	void **items;
	size_t n, cap;
} sg_vec;

#define SG_VEC_INIT { NULL, 0, 0 }

void sg_vec_push(sg_vec *v, void *item);
/* Free the array (not the items). */
void sg_vec_free(sg_vec *v);
/* Free every item with free(), then the array. */
void sg_vec_free_all(sg_vec *v);

#endif
