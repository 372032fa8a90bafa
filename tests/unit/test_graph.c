/*
 * The resource graph: sg_graph_order on hand-built resources (only
 * `deps`, `index` and `address` matter to it). Apply runs resources in this
 * order, and validate prints the cycle it reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/graph.h"
#include "core/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct graph {
	size_t n;
	sg_resource *res;
	char (*names)[32];
	sg_vec all; /* sg_resource *, in declaration order */
} graph;

static void graph_init(graph *g, size_t n)
{
	g->n = n;
	g->res = calloc(n, sizeof(*g->res));
	g->names = calloc(n, sizeof(*g->names));
	assert_non_null(g->res);
	assert_non_null(g->names);
	sg_vec v = SG_VEC_INIT;
	g->all = v;
	for (size_t i = 0; i < n; i++) {
		snprintf(g->names[i], sizeof(g->names[i]), "r.%zu", i);
		g->res[i].address = g->names[i];
		g->res[i].index = i;
		sg_vec_push(&g->all, &g->res[i]);
	}
}

/* `from` depends on `to` */
static void edge(graph *g, size_t from, size_t to)
{
	sg_vec_push(&g->res[from].deps, &g->res[to]);
}

static void graph_free(graph *g)
{
	for (size_t i = 0; i < g->n; i++)
		sg_vec_free(&g->res[i].deps);
	sg_vec_free(&g->all);
	free(g->res);
	free(g->names);
}

static size_t pos_of(const sg_vec *order, const sg_resource *r)
{
	for (size_t i = 0; i < order->n; i++) {
		if (order->items[i] == r)
			return i;
	}
	fail_msg("%s is not in the order", r->address);
	return (size_t)-1;
}

/* Every resource exactly once, each after all of its dependencies. */
static void assert_valid_order(const graph *g, const sg_vec *order)
{
	assert_int_equal(order->n, g->n);
	for (size_t i = 0; i < g->n; i++) {
		size_t pi = pos_of(order, &g->res[i]);
		for (size_t j = 0; j < g->res[i].deps.n; j++)
			assert_true(pos_of(order, g->res[i].deps.items[j]) < pi);
	}
}

static void test_empty(void **state)
{
	(void)state;
	sg_vec none = SG_VEC_INIT, order = SG_VEC_INIT, cycle = SG_VEC_INIT;
	assert_int_equal(sg_graph_order(&none, &order, &cycle), 0);
	assert_int_equal(order.n, 0);
	assert_int_equal(cycle.n, 0);
	sg_vec_free(&order);
	sg_vec_free(&cycle);
}

static void test_order_respects_deps(void **state)
{
	(void)state;
	graph g;
	graph_init(&g, 6);
	/* 0 -> 3, 1 -> 0, 2 -> 5, 5 -> 4, 3 -> 4 */
	edge(&g, 0, 3);
	edge(&g, 1, 0);
	edge(&g, 2, 5);
	edge(&g, 5, 4);
	edge(&g, 3, 4);
	sg_vec order = SG_VEC_INIT, cycle = SG_VEC_INIT;
	assert_int_equal(sg_graph_order(&g.all, &order, &cycle), 0);
	assert_int_equal(cycle.n, 0);
	assert_valid_order(&g, &order);
	assert_ptr_equal(order.items[0], &g.res[4]); /* the only resource without dependencies */
	sg_vec_free(&order);
	sg_vec_free(&cycle);
	graph_free(&g);
}

static void test_declaration_order_among_peers(void **state)
{
	(void)state;
	graph g;
	graph_init(&g, 5);
	/* no dependencies at all: declaration order */
	sg_vec order = SG_VEC_INIT, cycle = SG_VEC_INIT;
	assert_int_equal(sg_graph_order(&g.all, &order, &cycle), 0);
	for (size_t i = 0; i < 5; i++)
		assert_ptr_equal(order.items[i], &g.res[i]);
	sg_vec_free(&order);

	/* 0 depends on 4: 1, 2, 3, 4 keep their order, 0 comes once 4 is done */
	edge(&g, 0, 4);
	assert_int_equal(sg_graph_order(&g.all, &order, &cycle), 0);
	size_t want[] = { 1, 2, 3, 4, 0 };
	for (size_t i = 0; i < 5; i++)
		assert_ptr_equal(order.items[i], &g.res[want[i]]);
	sg_vec_free(&order);
	sg_vec_free(&cycle);
	graph_free(&g);
}

static bool in_vec(const sg_vec *v, const void *p)
{
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i] == p)
			return true;
	}
	return false;
}

/* The cycle holds exactly `members`, each depending on the next, the last on the first. */
static void assert_cycle(const sg_vec *cycle, const graph *g, const size_t *members, size_t n)
{
	assert_int_equal(cycle->n, n);
	for (size_t i = 0; i < n; i++)
		assert_true(in_vec(cycle, &g->res[members[i]]));
	for (size_t i = 0; i < n; i++) {
		const sg_resource *r = cycle->items[i];
		const sg_resource *next = cycle->items[(i + 1) % n];
		assert_true(in_vec(&r->deps, next));
	}
}

static void test_cycle_reported(void **state)
{
	(void)state;
	graph g;
	graph_init(&g, 7);
	/* 0 -> 1 (outside the cycle), 1 -> 2 -> 3 -> 1 (the cycle), 4 -> 3, 5 and 6 independent */
	edge(&g, 0, 1);
	edge(&g, 1, 2);
	edge(&g, 2, 3);
	edge(&g, 3, 1);
	edge(&g, 4, 3);
	edge(&g, 6, 5);
	sg_vec order = SG_VEC_INIT, cycle = SG_VEC_INIT;
	assert_int_equal(sg_graph_order(&g.all, &order, &cycle), -1);
	size_t members[] = { 1, 2, 3 };
	assert_cycle(&cycle, &g, members, 3);
	sg_vec_free(&order);
	sg_vec_free(&cycle);
	graph_free(&g);
}

static void test_cycle_with_satisfied_deps(void **state)
{
	(void)state;
	graph g;
	graph_init(&g, 5);
	/* 2 depends on 0 (fine) and on 3; 3 -> 4 -> 2 is the cycle; 1 is independent */
	edge(&g, 2, 0);
	edge(&g, 2, 3);
	edge(&g, 3, 4);
	edge(&g, 4, 2);
	sg_vec order = SG_VEC_INIT, cycle = SG_VEC_INIT;
	assert_int_equal(sg_graph_order(&g.all, &order, &cycle), -1);
	size_t members[] = { 2, 3, 4 };
	assert_cycle(&cycle, &g, members, 3);
	sg_vec_free(&order);
	sg_vec_free(&cycle);

	/* a two-resource cycle */
	graph h;
	graph_init(&h, 2);
	edge(&h, 0, 1);
	edge(&h, 1, 0);
	assert_int_equal(sg_graph_order(&h.all, &order, &cycle), -1);
	size_t two[] = { 0, 1 };
	assert_cycle(&cycle, &h, two, 2);
	sg_vec_free(&order);
	sg_vec_free(&cycle);
	graph_free(&h);
	graph_free(&g);
}

static void test_long_chain(void **state)
{
	(void)state;
	enum { N = 10000 };
	graph g;
	graph_init(&g, N);
	/* declared backwards: i depends on i+1, so the order is the reverse of the declarations */
	for (size_t i = 0; i + 1 < N; i++)
		edge(&g, i, i + 1);
	sg_vec order = SG_VEC_INIT, cycle = SG_VEC_INIT;
	assert_int_equal(sg_graph_order(&g.all, &order, &cycle), 0);
	assert_int_equal(order.n, N);
	for (size_t i = 0; i < N; i++)
		assert_ptr_equal(order.items[i], &g.res[N - 1 - i]);
	sg_vec_free(&order);

	/* closing the chain into one 10,000-long cycle: reported whole */
	edge(&g, N - 1, 0);
	assert_int_equal(sg_graph_order(&g.all, &order, &cycle), -1);
	assert_int_equal(cycle.n, N);
	for (size_t i = 0; i < N; i++) {
		const sg_resource *r = cycle.items[i];
		assert_true(in_vec(&r->deps, cycle.items[(i + 1) % N]));
	}
	sg_vec_free(&order);
	sg_vec_free(&cycle);
	graph_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order_respects_deps),
		cmocka_unit_test(test_declaration_order_among_peers),
		cmocka_unit_test(test_cycle_reported),
		cmocka_unit_test(test_cycle_with_satisfied_deps),
		cmocka_unit_test(test_long_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
