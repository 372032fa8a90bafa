/*
 * Steps every state-touching command shares: the -var/-var-file/-lock flags,
 * loading and checking the manifests (printing every diagnostic), and
 * taking the state lock.
 */
#ifndef SG_CLI_COMMON_H
#define SG_CLI_COMMON_H

#include "cli/cli.h"
#include "core/manifest.h"
#include "core/plan.h"
#include "state/lock.h"
#include "state/state.h"
#include "providers/local/warehouse.h"
#include "util/vec.h"

typedef struct sg_cli_opts {
	sg_vec var_args;  /* const char * */
	sg_vec var_files; /* const char * */
	bool lock;        /* -lock (default true) */
	int64_t lock_timeout_ms;
	const char *stage; /* -stage (plan, apply) */
	sg_vec targets;    /* -target ADDR, repeatable (plan, apply, destroy) */
	bool allow_data_loss; /* -allow-data-loss */
	sg_vec replace;    /* -replace ADDR, repeatable */
	bool refresh;      /* -refresh (default true) */
	bool refresh_only; /* -refresh-only */
	bool bad;         /* a flag had a bad value (already reported) */
} sg_cli_opts;

/* Consume -stage / -target / -allow-data-loss at argv[*i]; true when it was one. */
bool sg_cli_scope_flag(const sg_cli *cli, int argc, char **argv, int *i, sg_cli_opts *o);
/* The plan options of -stage / -target / -allow-data-loss (borrowing from `o`). */
void sg_cli_plan_opts(const sg_cli_opts *o, bool destroy, sg_plan_opts *po);

void sg_cli_opts_init(sg_cli_opts *o);
void sg_cli_opts_free(sg_cli_opts *o);
/* Consume a shared flag at argv[*i]; true when it was one. */
bool sg_cli_common_flag(const sg_cli *cli, int argc, char **argv, int *i, sg_cli_opts *o);

/* Load the manifests of cli->dir; print diagnostics. 0 or -1. */
int sg_cli_load(const sg_cli *cli, const sg_cli_opts *o, bool require_values, sg_manifest **out);
/* Lock (unless -lock=false) and load the state. 0 or -1 (reported). */
int sg_cli_open_state(const sg_cli *cli, const sg_cli_opts *o, const char *state_dir, sg_lock **lock,
		      sg_state **st);
/* PROJECT/.sigma for cli->dir. */
void sg_cli_state_dir(const sg_cli *cli, sg_buf *out);

/*
 * What a command holds until the process ends (manifest, state, plan). Like
 * git's UNLEAK: a release build leaves it to the OS, because freeing the
 * JSON of 10,000 resources costs a quarter of a plan; builds with
 * SIGMA_FREE_AT_EXIT (the sanitizer builds) free it, so leak checking still
 * covers every path.
 */
#ifdef SIGMA_FREE_AT_EXIT
#define SG_FREE_AT_EXIT(stmt) \
	do {                  \
		stmt;         \
	} while (0)
#else
#define SG_FREE_AT_EXIT(stmt) \
	do {                  \
	} while (0)
#endif

/* After the plan is shown: refuse it (1) when it would delete data without -allow-data-loss. */
int sg_cli_refuse_data_loss(const sg_cli *cli, const sg_plan *plan);

/* Refresh the state through `prov` unless -refresh=false; print diagnostics. 0 or -1. */
int sg_cli_refresh(const sg_cli *cli, const sg_cli_opts *o, const sg_manifest *m, sg_state *st, sg_provider *prov,
		   sg_vec *drifts);

/* Ask for "yes" on the terminal. */
bool sg_cli_confirm(const sg_cli *cli, const char *question, const char *detail);

/*
 * Open the local warehouse of the project (LOCAL_ROOT/warehouse.duckdb,
 * creating the root), waiting SIGMA_WAREHOUSE_TIMEOUT_MS (default 60 s)
 * for another process that holds it.
 */
int sg_cli_open_warehouse(const sg_cli *cli, sg_warehouse **out, sg_error *err);
/* A result cell as text: NULL, strings as they are, the rest as JSON. */
void sg_cli_cell_text(sg_buf *out, const json_t *v);

#endif
