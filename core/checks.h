/*
 * The checks of a loaded manifest that look past one attribute: names valid
 * for their kind, references that point at something, implicit
 * dependencies (`dataset: raw`, `workflow: ingest`, gs:// URIs of declared
 * buckets), cron expressions, workflow steps.
 */
#ifndef SG_CORE_CHECKS_H
#define SG_CORE_CHECKS_H

#include "core/manifest.h"

/* Kind rules and implicit dependencies; depends_on. */
void sg_check_resources(sg_manifest *m, const sg_provider *prov, sg_diags *d);
/* Every ${...} in resources and outputs; adds the dependencies they make. */
void sg_check_references(sg_manifest *m, bool require_values, sg_diags *d);
/* A resource may not depend on one of a later stage (stages apply in order). */
void sg_check_stages(sg_manifest *m, sg_diags *d);
/* The transform project sigma.transform.dir names compiles (pipeline/sqlx.h). */
void sg_check_transform(const sg_manifest *m, sg_diags *d);
/* Add `dep` to r->deps unless present (the array lives in the manifest's arena). */
void sg_resource_add_dep(sg_manifest *m, sg_resource *r, sg_resource *dep);

/*
 * Workflow steps (core/steps.c): check `steps` and `on_failure` of a
 * workflow_template and replace them in r->config by their checked form
 * (defaults filled, durations in seconds).
 */
void sg_check_workflow_steps(sg_resource *r, sg_diags *d);

#endif
