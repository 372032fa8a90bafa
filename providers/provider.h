/*
 * The provider interface.
 *
 * A provider is a versioned struct of function pointers, the way libgit2
 * declares its odb backends: for each resource kind it gives the attribute
 * schema and read/create/update/delete. The planner knows providers only
 * through this header.
 *
 * Attribute values are jansson values (strings, integers, booleans, arrays,
 * objects). The provider receives the planned attributes of a resource (every
 * reference resolved, defaults filled in, nothing unknown) and returns the
 * attributes to record in the state, computed ones included.
 */
#ifndef SG_PROVIDERS_PROVIDER_H
#define SG_PROVIDERS_PROVIDER_H

#include "util/buf.h"
#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define SG_PROVIDER_VERSION 1

typedef enum {
	SG_T_STRING,
	SG_T_INT,
	SG_T_BOOL,
	SG_T_DURATION, /* written "90s", "1h30m" or seconds; stored as an integer of seconds */
	SG_T_LIST,     /* of `elem` */
	SG_T_MAP,      /* string keys to `elem` */
	SG_T_OBJECT,   /* the named `fields` */
	SG_T_ANY,      /* any YAML value, checked by the kind's own validator */
} sg_type;

enum {
	SG_A_REQUIRED = 1 << 0,
	SG_A_COMPUTED = 1 << 1,    /* set by the provider, not the manifest */
	SG_A_SENSITIVE = 1 << 2,   /* never shown, never stored in clear */
	SG_A_FORCE_NEW = 1 << 3,   /* a change replaces the resource */
	SG_A_UPPER = 1 << 4,       /* enum compared and stored upper-case */
};

typedef struct sg_attr {
	const char *name;
	sg_type type;
	unsigned flags;
	const struct sg_attr *elem;     /* LIST and MAP: the element (its name is unused) */
	const struct sg_attr *fields;   /* OBJECT: fields, ending with { NULL } */
	const char *const *enum_values; /* STRING: allowed values, NULL-terminated */
	const char *default_json;       /* default as JSON text ("\"STANDARD\"", "false"), or NULL */
	const char *description;
} sg_attr;

typedef struct sg_provider sg_provider;

/* A resource kind: bucket, dataset, table, ... */
typedef struct sg_kind {
	const char *name;
	const sg_attr *attrs;        /* ending with { NULL } */
	const char *default_stage;   /* "iac", "initial-data" or "workflow" */
	/* Is `name` a valid name for this kind in the real service? When not, why. */
	bool (*name_valid)(const char *name, sg_buf *why);

	/*
	 * Create the resource from its planned attributes; on success *out holds
	 * the attributes to record (a new reference). A create must converge: if
	 * the object already exists as planned (a previous apply was killed after
	 * creating it), adopt it rather than fail.
	 */
	int (*create)(sg_provider *p, const struct sg_kind *kind, const json_t *planned, json_t **out, sg_error *err);
	/* Change in place from `prior` (state) to `planned`. */
	int (*update)(sg_provider *p, const struct sg_kind *kind, const json_t *prior, const json_t *planned, json_t **out,
		      sg_error *err);
	/* Delete. Deleting what is already gone succeeds. */
	int (*destroy)(sg_provider *p, const struct sg_kind *kind, const json_t *prior, sg_error *err);
	/*
	 * Read the object as it is now: *out = current attributes, or NULL when it
	 * no longer exists. Optional (NULL: the state is taken as the truth).
	 */
	int (*read)(sg_provider *p, const struct sg_kind *kind, const json_t *prior, json_t **out, sg_error *err);
	/*
	 * Optional: may an update from `prior` to `planned` of attribute `attr`
	 * be done in place even though the attribute forces replacement? Sets
	 * `why` to the reason when it may not. (Tables: adding NULLABLE
	 * columns is in place; changing or dropping one is not.)
	 */
	bool (*update_in_place)(const char *attr, const json_t *prior, const json_t *planned, sg_buf *why);
	/*
	 * Optional: how much data the object holds, which destroying it would
	 * lose (*count rows or objects; *unit "row" or "object").
	 */
	int (*held)(sg_provider *p, const struct sg_kind *kind, const json_t *prior, int64_t *count, const char **unit,
		    sg_error *err);
	/*
	 * Optional: check a declaration beyond its schema (validate runs it; no
	 * world needed). On a problem: -1, *attr the attribute at fault, `why`
	 * the reason; when the reason is inside a text attribute, *line and *col
	 * (1-based) locate it in that text, else they are 0.
	 */
	int (*check)(const struct sg_kind *kind, const json_t *config, const char **attr, int *line, int *col,
		     sg_buf *why);
} sg_kind;

struct sg_provider {
	unsigned version; /* SG_PROVIDER_VERSION */
	const char *name;
	const sg_kind *const *kinds; /* NULL-terminated */
	/* Release everything the provider holds. */
	void (*free)(sg_provider *p);
	/*
	 * Optional: read many resources at once (a plan's refresh). `entries` is
	 * {ADDRESS: {"kind": K, "attributes": {...}}}; *out gets
	 * {ADDRESS: current attributes, or null when the object is gone}. Without
	 * it, each kind's read is called in turn.
	 */
	int (*refresh)(sg_provider *p, const json_t *entries, json_t **out, sg_error *err);
};

/* The kind called `name`, or NULL. */
const sg_kind *sg_provider_kind(const sg_provider *p, const char *name);
/* The attribute called `name` among `attrs`, or NULL. */
const sg_attr *sg_attr_find(const sg_attr *attrs, const char *name);

#endif
