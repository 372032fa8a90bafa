/*
 * The `local` provider: the embedded default. Buckets are directories under
 * LOCAL_ROOT/buckets, datasets and tables live in the DuckDB warehouse
 * LOCAL_ROOT/warehouse.duckdb, and workflow templates, schedulers and
 * artifact repositories in the SQLite control store LOCAL_ROOT/control.db.
 */
#ifndef SG_PROVIDERS_LOCAL_LOCAL_H
#define SG_PROVIDERS_LOCAL_LOCAL_H

#include "providers/provider.h"

/*
 * A local provider rooted at `local_root` (created on first write).
 * `holder` names the command for lock messages ("sigma apply").
 */
int sg_local_provider_new(const char *local_root, const char *holder, sg_provider **out, sg_error *err);

/* The provider's kinds, without a root: enough to load and check manifests. */
const sg_provider *sg_local_provider_schema(void);

#endif
