/*
 * A project's manifests, loaded and checked.
 *
 * A project is a directory holding sigma.yaml and any *.sigma.yaml beside
 * it. Top-level keys: `sigma` (settings), `variables`, `outputs`, and one
 * key per resource kind mapping names to attributes. Loading reports every
 * problem it finds (with file:line:col) into the diagnostics, not only the
 * first.
 */
#ifndef SG_CORE_MANIFEST_H
#define SG_CORE_MANIFEST_H

#include "providers/provider.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/strmap.h"
#include "util/vec.h"
#include "util/ytree.h"

#include <jansson.h>
#include <stdbool.h>

typedef struct sg_variable {
	const char *name;
	sg_pos pos;
	const char *type; /* string, number, bool, list, map, any */
	json_t *default_value;
	const char *description;
	bool sensitive;
	json_t *value;      /* the value in force (set or default); NULL when unset */
	const char *source; /* "-var", "-var-file F", "SIGMA_VAR_x", "default" */
	bool referenced;
} sg_variable;

typedef struct sg_output {
	const char *name;
	sg_pos pos;
	json_t *expr; /* the value as written */
	const char *description;
	bool sensitive;
} sg_output;

typedef struct sg_resource {
	const sg_kind *kind;
	const char *kind_name;
	const char *key;     /* NAME in KIND.NAME */
	const char *address; /* KIND.NAME */
	sg_pos pos;          /* of the key */
	const sg_ynode *node; /* the YAML, while loading only (NULL afterwards) */
	json_t *config;      /* the attributes, references unresolved, defaults filled */
	const char *stage;   /* iac, initial-data, workflow */
	bool prevent_destroy;
	sg_vec deps;         /* sg_resource *: what this one depends on, no duplicates (arena storage) */
	size_t index;        /* position in sg_manifest.resources */
} sg_resource;

typedef struct sg_manifest {
	sg_arena arena;
	const char *dir;        /* absolute */
	const char *local_root; /* absolute */
	const char *state_dir;  /* DIR/.sigma */
	const char *transform_dir;
	const char *transform_dir_shown; /* as sigma.yaml spells it, for messages */
	sg_vec files;           /* const char *, absolute paths, in load order */
	sg_vec resources;       /* sg_resource * */
	sg_strmap by_address;
	sg_vec variables;       /* sg_variable * */
	sg_strmap var_by_name;
	sg_vec outputs;         /* sg_output * */
	char digest[65];        /* SHA-256 of the manifests' bytes, in file order */
	const sg_provider *provider; /* the kinds the manifests were checked against */
} sg_manifest;

typedef struct sg_load_opts {
	const char *const *var_args; /* "NAME=VALUE" from -var, in order */
	size_t nvar_args;
	const char *const *var_files;
	size_t nvar_files;
	bool require_values; /* an unset variable that is used is an error */
	const json_t *fixed_values; /* {NAME: value}: set last, over everything (a saved plan's) */
} sg_load_opts;

/*
 * Load the project in `dir`. On success *out is the manifest (free with
 * sg_manifest_free). Errors go to `d`; returns -1 when there are any (a
 * manifest is still returned when it could be read, so callers can show
 * more context, but must not act on it).
 */
int sg_manifest_load(const char *dir, const sg_provider *prov, const sg_load_opts *opts, sg_manifest **out,
		     sg_diags *d);
void sg_manifest_free(sg_manifest *m);

sg_resource *sg_manifest_resource(const sg_manifest *m, const char *address);
sg_variable *sg_manifest_variable(const sg_manifest *m, const char *name);

/* The stages, in the order they apply. */
extern const char *const sg_stages[];
/* 0, 1, 2 for iac, initial-data, workflow; -1 otherwise. */
int sg_stage_rank(const char *stage);
/* Is `stage` one of iac, initial-data, workflow? */
bool sg_stage_valid(const char *stage);

#endif
