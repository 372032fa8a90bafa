#include "core/graph.h"

#include "core/manifest.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

int sg_graph_order(const sg_vec *resources, sg_vec *order, sg_vec *cycle)
{
	size_t n = resources->n;
	size_t *missing = sg_calloc(n, sizeof(*missing)); /* unfinished dependencies */
	size_t *ndependents = sg_calloc(n, sizeof(*ndependents));
	for (size_t i = 0; i < n; i++) {
		const sg_resource *r = resources->items[i];
		missing[i] = r->deps.n;
		for (size_t j = 0; j < r->deps.n; j++)
			ndependents[((const sg_resource *)r->deps.items[j])->index]++;
	}
	/* dependents as a CSR array */
	size_t *start = sg_calloc(n + 1, sizeof(*start));
	for (size_t i = 0; i < n; i++)
		start[i + 1] = start[i] + ndependents[i];
	size_t *fill = sg_calloc(n, sizeof(*fill));
	size_t *dependents = sg_calloc(start[n] ? start[n] : 1, sizeof(*dependents));
	for (size_t i = 0; i < n; i++) {
		const sg_resource *r = resources->items[i];
		for (size_t j = 0; j < r->deps.n; j++) {
			size_t d = ((const sg_resource *)r->deps.items[j])->index;
			dependents[start[d] + fill[d]++] = i;
		}
	}
	/* Kahn's algorithm; a FIFO of ready resources keeps declaration order among peers */
	size_t *queue = sg_calloc(n ? n : 1, sizeof(*queue));
	size_t head = 0, tail = 0;
	for (size_t i = 0; i < n; i++) {
		if (missing[i] == 0)
			queue[tail++] = i;
	}
	while (head < tail) {
		size_t i = queue[head++];
		sg_vec_push(order, resources->items[i]);
		for (size_t k = start[i]; k < start[i + 1]; k++) {
			size_t j = dependents[k];
			if (--missing[j] == 0)
				queue[tail++] = j;
		}
	}
	int rc = 0;
	if (order->n < n) {
		rc = -1;
		/* walk unfinished dependencies from an unfinished resource until one repeats */
		size_t *seen_at = sg_calloc(n, sizeof(*seen_at)); /* 1 + position in walk, 0 = unseen */
		size_t cur = 0;
		while (missing[cur] == 0)
			cur++;
		sg_vec walk = SG_VEC_INIT;
		while (!seen_at[cur]) {
			seen_at[cur] = walk.n + 1;
			const sg_resource *r = resources->items[cur];
			sg_vec_push(&walk, (void *)r);
			for (size_t j = 0; j < r->deps.n; j++) {
				size_t d = ((const sg_resource *)r->deps.items[j])->index;
				if (missing[d] != 0) {
					cur = d;
					break;
				}
			}
		}
		for (size_t i = seen_at[cur] - 1; i < walk.n; i++)
			sg_vec_push(cycle, walk.items[i]);
		sg_vec_free(&walk);
		free(seen_at);
	}
	free(missing);
	free(ndependents);
	free(start);
	free(fill);
	free(dependents);
	free(queue);
	return rc;
}
