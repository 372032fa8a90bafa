/*
 * Plans: what apply would change, resource by resource.
 *
 * Building a plan evaluates each resource's attributes in dependency order
 * (references resolve to the planned values of what they point at, or to
 * "known after apply"), compares them with the state, and decides: create,
 * update in place, replace (naming the attribute that forces it) or
 * destroy (resources the state has and the manifests no longer declare).
 */
#ifndef SG_CORE_PLAN_H
#define SG_CORE_PLAN_H

#include "core/expr.h"
#include "core/manifest.h"
#include "state/state.h"
#include "util/vec.h"

#include <jansson.h>

typedef enum { SG_ACT_NOOP, SG_ACT_CREATE, SG_ACT_UPDATE, SG_ACT_REPLACE, SG_ACT_DELETE } sg_action;

typedef struct sg_change {
	char *address;
	const char *kind_name;
	const sg_kind *kind;
	sg_action action;
	sg_resource *res;         /* the declaration; NULL for a destroy */
	json_t *prior;            /* attributes in the state (sensitive ones protected), or NULL */
	json_t *prior_entry;      /* the whole state entry, or NULL */
	json_t *after;            /* planned attributes (may hold unknowns); NULL for a destroy */
	json_t *after_sensitive;  /* {attr: true} for secret attributes */
	sg_vec changed;           /* char *: attributes whose value changes */
	sg_vec replace_reasons;   /* char *: "attr" or "attr: why", for replacements */
	sg_vec deps;              /* sg_change *: changes of resources this one depends on */
	sg_vec dependents;        /* sg_change *: the reverse, for destroy order */
	bool meta_changed;        /* stage/prevent_destroy/dependencies differ from the state */
	json_t *applied;          /* apply: the attributes the provider returned */
	size_t plan_index;        /* position in sg_plan.changes */
	const char *stage;        /* the resource's stage (declared, or as recorded) */
	bool in_scope;            /* inside -stage / -target; outside, the action is NOOP */
	sg_action wanted;         /* the action before scoping */
	int64_t data_count;       /* rows or objects a destroy/replace would lose (0: none, or not counted) */
	const char *data_unit;    /* "row", "object" */
	bool data_lost;           /* the count is really lost (a bucket without force_destroy refuses instead) */
} sg_change;

typedef struct sg_plan {
	sg_vec changes;     /* sg_change *: declared ones in dependency order, then destroys */
	size_t nadd, nchange, ndestroy;
	size_t nskipped;    /* changes outside -stage / -target, not part of this plan */
	const char *stage;  /* -stage, or NULL for every stage in order */
	bool partial;       /* -target limited it */
	const sg_vec *drift; /* sg_drift *: what the refresh before it found (borrowed; may be NULL) */
	bool data_loss;     /* some change would delete rows or objects */
	bool data_loss_refused; /* ...and -allow-data-loss was not given */
	json_t *outputs;    /* {NAME: {"value": v (may be unknown), "sensitive": b}} */
	bool outputs_changed;
	bool is_destroy;
} sg_plan;

typedef struct sg_plan_opts {
	bool destroy;                  /* plan to destroy everything in the state */
	const char *stage;             /* only this stage (iac, initial-data, workflow); NULL: all, in order */
	const char *const *targets;    /* -target: these and what they depend on (destroy: what depends on them) */
	size_t ntargets;
	const char *const *replace;    /* -replace: force these to be replaced */
	size_t nreplace;
	sg_provider *live;             /* counts the data a plan would delete; NULL: not counted */
	bool allow_data_loss;          /* -allow-data-loss */
} sg_plan_opts;


int sg_plan_build(const sg_manifest *m, sg_state *st, const sg_plan_opts *opts, sg_plan **out, sg_diags *d);
void sg_plan_free(sg_plan *p);
/* Does the plan change anything (resources or outputs)? */
bool sg_plan_has_changes(const sg_plan *p);

/*
 * A resolver context: references resolve to the attributes a change's
 * provider returned during this apply, or else to its planned values.
 */
typedef struct sg_eval_ctx {
	const sg_manifest *m;
	sg_strmap *by_address;  /* address -> sg_change * */
} sg_eval_ctx;

int sg_eval_resolve(const sg_ref *ref, void *ctx, json_t **out, bool *sensitive, sg_error *err);

/* The state entry to record for a resource after an operation. */
json_t *sg_plan_state_entry(const sg_resource *r, const json_t *attrs, const json_t *sensitive, const json_t *prior_entry);

#endif
