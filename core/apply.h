/*
 * Applying a plan: the operations run in dependency order, independent ones
 * in parallel (-parallelism), each recorded in the state as soon as it is
 * done. A failure stops new work from starting, lets running operations
 * finish, and leaves the state recording exactly what was done.
 */
#ifndef SG_CORE_APPLY_H
#define SG_CORE_APPLY_H

#include "core/plan.h"
#include "providers/provider.h"
#include "state/state.h"

#include <signal.h>

typedef enum { SG_OP_CREATE, SG_OP_UPDATE, SG_OP_DELETE } sg_op_kind;

typedef struct sg_apply_event {
	const sg_change *change;
	sg_op_kind op;
	bool done;         /* false: starting; true: finished */
	bool ok;
	double seconds;
	const char *error; /* when !ok */
	const char *id;    /* the object's name, when known */
} sg_apply_event;

typedef void (*sg_apply_observer)(const sg_apply_event *ev, void *ctx);

typedef struct sg_apply_opts {
	int parallelism;                 /* default 10 */
	sg_apply_observer observe;       /* called under a lock: keep it short */
	void *observe_ctx;
	volatile sig_atomic_t *cancel;   /* set (by a signal handler) to stop starting work */
} sg_apply_opts;

typedef struct sg_apply_result {
	size_t added, changed, destroyed, failed;
	bool cancelled;
} sg_apply_result;

/*
 * Apply `plan`. Returns 0 when every operation succeeded; -1 otherwise,
 * with one diagnostic per failed operation (naming its address). The state
 * is persisted either way.
 */
int sg_apply_plan(sg_plan *plan, const sg_manifest *m, sg_provider *prov, sg_state *st, const sg_apply_opts *opts,
		  sg_apply_result *res, sg_diags *d);

#endif
