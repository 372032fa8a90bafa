/*
 * YAML documents as a tree of positioned nodes.
 *
 * libyaml parses; this keeps, for every node, the file, line and column it
 * came from, so that every later error can point at the text. Nodes live in
 * the caller's arena. Anchors and aliases are resolved (an alias shares the
 * anchored node); duplicate keys in one mapping are an error, as YAML says.
 */
#ifndef SG_UTIL_YTREE_H
#define SG_UTIL_YTREE_H

#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { SG_Y_SCALAR, SG_Y_SEQ, SG_Y_MAP } sg_ynode_kind;

typedef struct sg_ynode sg_ynode;

typedef struct sg_ypair {
	sg_ynode *key;
	sg_ynode *value;
} sg_ypair;

struct sg_ynode {
	sg_ynode_kind kind;
	sg_pos pos;
	/* scalars */
	const char *str;
	size_t len;
	bool plain; /* unquoted: may be null, a boolean or a number */
	/* block scalars (| and >): where the text itself starts, 0 otherwise */
	int block_line, block_col;
	bool literal; /* |: the text keeps its line breaks, so positions inside it can be found */
	/* sequences (items) and mappings (pairs) */
	size_t n;
	sg_ynode **items;
	sg_ypair *pairs;
};

/*
 * Parse one YAML document. `file` is borrowed for positions: it must
 * outlive the tree and anything that keeps a position. An empty document gives *out == NULL. Errors (with position)
 * go to `d`; returns -1 when the text is not valid YAML.
 */
int sg_yaml_parse(sg_arena *a, const char *file, const char *data, size_t len, sg_ynode **out,
		  sg_diags *d);

/* The value for `key` in a mapping, or NULL (also when `map` is not a mapping). */
sg_ynode *sg_ymap_get(const sg_ynode *map, const char *key);
/* The pair for `key`, or NULL. */
const sg_ypair *sg_ymap_pair(const sg_ynode *map, const char *key);

/* Plain scalars that YAML 1.2's core schema reads as null, booleans, numbers. */
bool sg_yscalar_is_null(const sg_ynode *n);
/* 1 true, 0 false, -1 not a boolean */
int sg_yscalar_bool(const sg_ynode *n);
/* 0 and the value, or -1 when not an integer */
int sg_yscalar_int(const sg_ynode *n, int64_t *out);
/* 0 and the value, or -1 when not a number */
int sg_yscalar_number(const sg_ynode *n, double *out);

/* "mapping", "sequence", "string", "number", "boolean", "null": for error messages */
const char *sg_ynode_describe(const sg_ynode *n);

#endif
