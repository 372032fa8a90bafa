/* Shared between the parts of the SQLX compiler; not a public interface. */
#ifndef SG_PIPELINE_SQLX_INTERNAL_H
#define SG_PIPELINE_SQLX_INTERNAL_H

#include "pipeline/sqlx.h"

/* What a file's config asks for beyond its own action. */
typedef struct sx_checks {
	sg_sx_action *action;
	const sg_jsv *dependencies; /* config dependencies, resolved with the refs */
	sg_sx_strs *unique;	    /* assertions.uniqueKey / uniqueKeys */
	size_t nunique;
	sg_sx_strs non_null, row_conditions;
} sx_checks;

void sx_set_target(sg_sx_project *p, sg_sx_action *act);
void sx_add_action(sg_sx_project *p, sg_sx_action *act);
/* Add the built-in assertion actions of a file's action (its SQL too). */
void sx_builtin_assertions(sg_sx_project *p, const sx_checks *chk);
/* Build the maps ref() looks names up in. */
void sx_index(sg_sx_project *p);
void sx_index_free(sg_sx_project *p);
/* Evaluate a file action's SQL and resolve its dependencies. */
int sx_render_action(sg_sx_project *p, const sx_checks *chk, sg_diags *d);
void sx_add_dep(sg_sx_project *p, sg_sx_action *a, sg_sx_action *dep);

#endif
