/*
 * SQLX transform projects, compiled the way Dataform compiles them.
 *
 * A project is a folder with workflow_settings.yaml and definitions/ (any depth, *.sqlx files).
 * sg_sx_compile() reads it into a graph of actions — tables, views,
 * incremental tables, operations, assertions (written and built-in) and
 * declarations — with each action's target, dependencies and final SQL in
 * BigQuery's dialect, exactly as `dataform compile` would produce them
 * (docs/sqlx.md lists the differences). Nothing here runs SQL; the runner
 * (pipeline/transform_run.h) does.
 *
 * Every problem is reported as a diagnostic with file, line and column:
 * syntax errors in a config block or a ${...}, unknown or ill-typed config
 * keys, JavaScript sigma does not run (js blocks, includes/, .js files), a
 * ref to a missing action (with the closest name), two actions with one
 * target, dependency cycles (printed).
 */
#ifndef SG_PIPELINE_SQLX_H
#define SG_PIPELINE_SQLX_H

#include "pipeline/sqlx_js.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strmap.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ------------------------------------------------------- one SQLX file */

/* SQL with ${...} in it: text pieces and expressions, in order. */
typedef struct sg_sx_piece {
	const char *text; /* when expr is NULL: raw SQL text (not NUL-terminated) */
	size_t len;
	sg_jexpr *expr;
} sg_sx_piece;

typedef struct sg_sx_tmpl {
	sg_sx_piece *items;
	size_t n, cap;
	sg_pos pos; /* where the SQL starts */
} sg_sx_tmpl;

typedef struct sg_sx_file {
	const char *path; /* relative to the project: definitions/a/b.sqlx */
	sg_jsv *config;   /* NULL when the file has no config block */
	sg_pos config_pos;
	/* the SQL outside the blocks, cut at lines holding only --- */
	sg_sx_tmpl *body;
	size_t nbody;
	sg_sx_tmpl *pre, *post; /* pre_operations / post_operations, cut at --- */
	size_t npre, npost;
	sg_pos pre_pos, post_pos;
} sg_sx_file;

/*
 * Parse the text of one .sqlx file. `path` is what diagnostics name. On a
 * syntax error adds one diagnostic to `d` and returns -1.
 */
int sg_sx_parse_file(sg_arena *a, const char *path, const char *text, size_t len, sg_sx_file **out, sg_diags *d);

/* ------------------------------------------------------------ actions */

typedef enum {
	SG_SX_TABLE,
	SG_SX_VIEW,
	SG_SX_INCREMENTAL,
	SG_SX_OPERATIONS,
	SG_SX_ASSERTION,
	SG_SX_DECLARATION
} sg_sx_type;

const char *sg_sx_type_name(sg_sx_type t);

typedef struct sg_sx_target {
	const char *database, *schema, *name;
} sg_sx_target;

typedef struct sg_sx_column {
	const char *name, *description;
} sg_sx_column;

typedef struct sg_sx_strs {
	const char **items;
	size_t n;
} sg_sx_strs;

typedef struct sg_sx_action sg_sx_action;
struct sg_sx_action {
	sg_sx_type type;
	sg_sx_target target;	/* with namePrefix / datasetSuffix applied */
	sg_sx_target canonical; /* without */
	const char *id;		/* database.schema.name of target */
	const char *file;	/* relative path */
	sg_pos pos;		/* of the config block (or the file) */
	const char *description;
	sg_sx_column *columns;
	size_t ncolumns;
	sg_sx_strs tags;
	bool disabled, is_protected, has_output;
	sg_sx_strs unique_key;
	const char *partition_by;
	sg_sx_strs cluster_by;
	/* SQL, BigQuery dialect */
	const char *query;	       /* tables, views, incremental (full form), assertions */
	const char *incremental_query; /* incremental tables: the form for later runs */
	sg_sx_strs queries;	       /* operations */
	sg_sx_strs pre_ops, post_ops, inc_pre_ops, inc_post_ops;
	/* dependencies, in the order first named */
	sg_sx_action **deps;
	size_t ndeps, depcap;
	/* built-in assertions: the table they check, and which check */
	sg_sx_action *parent;
	/* compile-time only */
	const sg_sx_file *src;
	int mark;
	size_t index;
};

typedef struct sg_sx_project {
	sg_arena arena;
	const char *dir;   /* absolute */
	const char *shown; /* as diagnostics spell it */
	const char *database, *schema, *location, *assertion_schema, *name_prefix, *schema_suffix;
	json_t *vars; /* object of strings */
	sg_sx_action **actions;
	size_t n, cap;
	sg_strmap by_id;
	/* for ref(): canonical name, schema.name and database.schema.name */
	sg_strmap by_name, by_schema_name, by_canonical;
} sg_sx_project;

/* `--vars k=v,k2=v2`: overrides of workflow_settings.yaml's vars. */
typedef struct sg_sx_opts {
	json_t *vars;		 /* object of strings, or NULL */
	const char *display_dir; /* how diagnostics spell the project folder; NULL: as given */
} sg_sx_opts;

/*
 * Compile the project in `dir`. Returns 0 and the graph in *out, or -1
 * with every problem found in `d` (*out NULL).
 */
int sg_sx_compile(const char *dir, const sg_sx_opts *opts, sg_sx_project **out, sg_diags *d);
void sg_sx_project_free(sg_sx_project *p);

/* The action whose target or canonical target is `db.schema.name`, or, for
 * a bare or schema.name form, the one action it names; NULL when none. */
sg_sx_action *sg_sx_find(const sg_sx_project *p, const char *name);

/* The graph in the shape of `dataform compile --json` (docs/sqlx.md). */
json_t *sg_sx_project_json(const sg_sx_project *p);
/* The same document written to `f` an action at a time (constant memory beyond the graph). */
int sg_sx_project_write_json(const sg_sx_project *p, FILE *f);
/* The graph for people: one paragraph per action. */
void sg_sx_project_text(const sg_sx_project *p, sg_buf *out);
/* Table lineage as DOT. */
void sg_sx_project_dot(const sg_sx_project *p, sg_buf *out);

#endif
