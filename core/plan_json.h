/*
 * Plans as JSON (documented in docs/plan-json.md), in the spirit of
 * Terraform's JSON plan format, and saved plan files.
 *
 * Secrets never appear: a sensitive value is null in `before`/`after` and
 * marked true in `before_sensitive`/`after_sensitive`. Unknown values are
 * null and marked true in `after_unknown`.
 */
#ifndef SG_CORE_PLAN_JSON_H
#define SG_CORE_PLAN_JSON_H

#include "core/plan.h"

#define SG_PLAN_JSON_FORMAT "1.0"
#define SG_PLAN_FILE_VERSION 1

/* The JSON plan: format_version, resource_changes, output_changes, resource_drift. */
json_t *sg_plan_to_json(const sg_plan *p, sg_state *st);

/* The digest of the state's resources and outputs (what a saved plan was made against). */
void sg_state_digest(sg_state *st, char out[65]);

/*
 * A saved plan: the JSON plan plus what it was made from: the manifests'
 * digest, the state's lineage, serial and digest, and the variables
 * (sensitive ones as salted HMACs, never in clear).
 */
json_t *sg_plan_file(const sg_plan *p, const sg_manifest *m, sg_state *st);

/*
 * Is the saved plan `file` still what `m` + `st` (the current manifests and
 * state) would do? 0 when it is; -1 with the reason ("Saved plan is stale:
 * ...") when it is not. `fresh` is the plan built now.
 */
int sg_plan_file_check(const json_t *file, const sg_manifest *m, sg_state *st, const sg_plan *fresh, sg_error *err);

#endif
