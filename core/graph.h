/*
 * The resource graph: resources ordered so that each comes after what it
 * depends on (sg_resource.deps).
 */
#ifndef SG_CORE_GRAPH_H
#define SG_CORE_GRAPH_H

#include "util/vec.h"

/*
 * Fill `order` with the resources of `resources` (sg_resource *), each after
 * its dependencies, ties broken by declaration order. On a cycle returns -1
 * and fills `cycle` with one cycle's resources, each depending on the next
 * (the last depends on the first).
 */
int sg_graph_order(const sg_vec *resources, sg_vec *order, sg_vec *cycle);

#endif
