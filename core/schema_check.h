/*
 * Checking a manifest's YAML against a kind's attribute schema, and turning
 * it into the JSON attributes the planner works on. Every problem becomes a
 * diagnostic with its position; checking goes on after an error so that
 * one run reports them all.
 */
#ifndef SG_CORE_SCHEMA_CHECK_H
#define SG_CORE_SCHEMA_CHECK_H

#include "providers/provider.h"
#include "util/error.h"
#include "util/ytree.h"

#include <jansson.h>

/*
 * Convert the mapping `map` against `fields` into a new JSON object:
 * defaults filled in, enums upper-cased where the schema says so,
 * durations in seconds. Keys listed in `skip` (NULL-terminated, may be
 * NULL) are left to the caller. `what` names the thing for messages
 * ("bucket.trigger", "step decrypt"). Strings holding ${...} are kept as
 * written for any scalar type. Returns NULL only when `map` is not a mapping.
 */
json_t *sg_schema_convert_object(const sg_attr *fields, const sg_ynode *map, const char *what,
				 const char *const *skip, sg_diags *d);

/* Convert one value against `a` (at `path`, e.g. "lifecycle[0].age"). NULL after an error. */
json_t *sg_schema_convert_value(const sg_attr *a, const sg_ynode *n, const char *what, const char *path,
				sg_diags *d);

/*
 * After references are resolved, a value may arrive as a string where the
 * schema wants an integer, a boolean or a duration ("${var.days}"). Convert
 * it in place of `*v` when it can; -1 with `err` when it cannot.
 */
int sg_schema_coerce(const sg_attr *a, json_t **v, const char *path, sg_error *err);
/* The same over every attribute of an object. */
int sg_schema_coerce_object(const sg_attr *fields, json_t *obj, sg_error *err);

/* "a string", "an integer", ... for messages. */
const char *sg_type_describe(sg_type t);

#endif
