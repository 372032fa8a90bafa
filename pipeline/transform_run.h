/*
 * Running a compiled SQLX project: which actions (selection by name and
 * tag, with their dependencies or dependents), in dependency order,
 * independent ones in parallel on a pool of workers; a failure skips what
 * depends on it while other branches go on.
 *
 * What running one action means is the backend's job (the local warehouse:
 * providers/local/transform_exec.h); this file knows only the graph.
 */
#ifndef SG_PIPELINE_TRANSFORM_RUN_H
#define SG_PIPELINE_TRANSFORM_RUN_H

#include "pipeline/sqlx.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
	SG_SX_WAITING,
	SG_SX_SUCCEEDED,
	SG_SX_FAILED,
	SG_SX_SKIPPED,	/* a dependency failed or was skipped */
	SG_SX_DISABLED, /* disabled: true in its config */
} sg_sx_status;

const char *sg_sx_status_name(sg_sx_status s);

typedef struct sg_sx_outcome {
	const sg_sx_action *action;
	sg_sx_status status;
	double seconds;
	char *what;  /* what was done: "created table, 12 rows", "merged on id, 3 rows" */
	char *error; /* SG_SX_FAILED: why */
	/* a failed assertion: how many rows broke it and the first (up to 10) */
	int64_t failing_rows;
	json_t *columns, *rows;
	const sg_sx_action *blocked_by; /* SG_SX_SKIPPED: the failed action upstream */
} sg_sx_outcome;

typedef struct sg_sx_run_opts {
	bool full_refresh;
	bool dry_run;
	int jobs; /* workers; < 1: 1 */
} sg_sx_run_opts;

/* How actions are run. Each worker opens its own session. */
typedef struct sg_sx_backend {
	void *ctx;
	int (*session_open)(void *ctx, void **session, sg_error *err);
	void (*session_close)(void *session);
	/* Run one action; fill out->what, or return -1 with out->error set (and rows for assertions). */
	int (*run)(void *session, const sg_sx_action *a, const sg_sx_run_opts *o, sg_sx_outcome *out);
	/* Called, serialised, as each action ends (for live output); may be NULL. */
	void (*report)(void *report_ctx, const sg_sx_outcome *o);
	void *report_ctx;
} sg_sx_backend;

typedef struct sg_sx_selection {
	const char **actions; /* names as ref() takes them, or database.schema.name */
	size_t nactions;
	const char **tags;
	size_t ntags;
	bool include_deps, include_dependents;
} sg_sx_selection;

/*
 * Mark in `selected` (p->n entries) the actions to run: everything when
 * neither actions nor tags are given; declarations never (they are not
 * run). The built-in assertions of a selected action come with it. An
 * unknown name or a tag no action has is reported in `d` (-1).
 */
int sg_sx_select(const sg_sx_project *p, const sg_sx_selection *sel, bool *selected, sg_diags *d);

/*
 * Run the selected actions. *out gets one outcome per selected action in
 * dependency order (free with sg_sx_outcomes_free). Returns 0 when every
 * one succeeded (or was disabled), 1 when any failed or was skipped, -1
 * when the run could not start (err).
 */
int sg_sx_run(const sg_sx_project *p, const bool *selected, const sg_sx_backend *b, const sg_sx_run_opts *o,
	      sg_sx_outcome **out, size_t *n, sg_error *err);
void sg_sx_outcomes_free(sg_sx_outcome *o, size_t n);

#endif
