#include "util/vec.h"

#include "util/alloc.h"

#include <stdlib.h>

void sg_vec_push(sg_vec *v, void *item)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->items = sg_realloc(v->items, v->cap * sizeof(*v->items));
	}
	v->items[v->n++] = item;
}

void sg_vec_free(sg_vec *v)
{
	free(v->items);
	v->items = NULL;
	v->n = v->cap = 0;
}

void sg_vec_free_all(sg_vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->items[i]);
	sg_vec_free(v);
}
