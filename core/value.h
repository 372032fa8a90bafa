/*
 * Attribute values during planning: jansson values plus one marker, the
 * unknown value ("known after apply"), which stands for a computed attribute
 * of a resource not yet created.
 */
#ifndef SG_CORE_VALUE_H
#define SG_CORE_VALUE_H

#include "util/buf.h"
#include "util/json.h"
#include "util/ytree.h"

#include <jansson.h>
#include <stdbool.h>

/* A new reference to the unknown marker. */
json_t *sg_unknown(void);
bool sg_is_unknown(const json_t *v);
/* Does `v` hold an unknown anywhere inside? */
bool sg_has_unknown(const json_t *v);

/* A YAML node as JSON, scalars typed by YAML 1.2's core schema (plain) or strings (quoted). */
json_t *sg_yaml_to_json(const sg_ynode *n);


#endif
