/*
 * Refresh: before planning, read what the state records from the world and
 * bring the state in line with it. Each difference is a drift: a resource
 * changed or deleted outside sigma. The plan that follows then puts the
 * world back as the manifests say.
 */
#ifndef SG_CORE_REFRESH_H
#define SG_CORE_REFRESH_H

#include "core/manifest.h"
#include "state/state.h"
#include "util/vec.h"

#include <jansson.h>

typedef struct sg_drift {
	char *address;
	char *kind_name;
	const sg_kind *kind;
	json_t *before;          /* the attributes the state had (secrets protected) */
	json_t *before_entry;
	json_t *after;           /* what the world has now; NULL when the object is gone */
	sg_vec changed;          /* char *: attributes that differ */
} sg_drift;

/*
 * Read every resource of the state through `live` (its bulk refresh, or each
 * kind's read) and update the state: in memory, or, with `record`, journaled
 * (apply -refresh-only). Drifts are appended to `drifts` (sg_drift *).
 */
int sg_refresh(const sg_manifest *m, sg_state *st, sg_provider *live, bool record, sg_vec *drifts, sg_diags *d);
void sg_drifts_free(sg_vec *drifts);
/* Journal what a refresh changed in memory (apply -refresh-only). */
int sg_refresh_record(sg_state *st, const sg_vec *drifts, sg_diags *d);

/* The drifts as Terraform's resource_drift entries. */
json_t *sg_drifts_to_json(const sg_vec *drifts);

#endif
