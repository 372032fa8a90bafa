/*
 * The state: what sigma has made, as one JSON document at .sigma/state.json.
 *
 *   { "format_version": 1, "serial": N, "lineage": "uuid", "sigma_version": "...",
 *     "resources": { "KIND.NAME": { "kind", "name", "attributes",
 *                     "sensitive_attributes", "dependencies", "stage", "prevent_destroy" } },
 *     "outputs": { "NAME": { "value" | "hash", "sensitive" } },
 *     "stages": { ... } }
 *
 * Durability. Every resource operation is recorded before the next one
 * starts: it is appended to .sigma/state.json.journal (one JSON line, written
 * with write(2), so a killed process loses nothing, and fdatasync'ed in small
 * groups). When an apply ends, the document is written atomically (temp +
 * fsync + rename + directory fsync), the previous one kept as
 * state.json.backup, and the journal removed. Loading replays a journal left
 * by an apply that was killed, so the state always matches what was done.
 * Rewriting the whole document after each of 10,000 operations would cost
 * O(n^2) bytes; the journal makes each record O(1).
 *
 * Secrets never enter the document in clear: a sensitive attribute is kept
 * as "hmac-sha256:SALT:DIGEST", enough to tell that it changed.
 */
#ifndef SG_STATE_STATE_H
#define SG_STATE_STATE_H

#include "util/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define SG_STATE_FORMAT_VERSION 1

typedef struct sg_state sg_state;

/*
 * Load the state of the project whose state directory is `state_dir`
 * (PROJECT/.sigma). A missing file gives an empty state with a new lineage.
 * A corrupt file, a newer format or a journal that does not belong to it is
 * refused (and left untouched).
 */
int sg_state_load(const char *state_dir, sg_state **out, sg_error *err);
void sg_state_free(sg_state *s);

/* The whole document (borrowed). */
const json_t *sg_state_doc(const sg_state *s);
/* The "resources" object (borrowed). */
json_t *sg_state_resources(sg_state *s);
/* One resource entry, or NULL (borrowed). */
json_t *sg_state_get(sg_state *s, const char *address);
int64_t sg_state_serial(const sg_state *s);
const char *sg_state_lineage(const sg_state *s);
/* Does the state record anything at all (a file exists)? */
bool sg_state_exists(const sg_state *s);

/* Record a resource (the entry is stolen) / its removal; journaled at once. */
int sg_state_put(sg_state *s, const char *address, json_t *entry, sg_error *err);
int sg_state_remove(sg_state *s, const char *address, sg_error *err);
/*
 * Change an entry (stolen) or drop it in memory only: what a refresh found
 * for this command. It reaches the file only if the command persists the
 * state for other reasons (an apply does).
 */
void sg_state_put_unrecorded(sg_state *s, const char *address, json_t *entry);
void sg_state_remove_unrecorded(sg_state *s, const char *address);

/* Record that `stage` was applied (time and serial); journaled. */
int sg_state_mark_stage(sg_state *s, const char *stage, sg_error *err);

/* Replace the outputs (stolen); journaled. */
int sg_state_set_outputs(sg_state *s, json_t *outputs, sg_error *err);

/*
 * Write the document atomically (serial + 1), keep the previous as the
 * backup, drop the journal. A no-op when nothing changed since loading.
 */
int sg_state_persist(sg_state *s, sg_error *err);

/* "hmac-sha256:SALT:DIGEST" of a value, with a new salt or the one of `like`. */
char *sg_state_protect(const json_t *value, const char *like);
/* Does `protected` (from sg_state_protect) stand for `value`? */
bool sg_state_protected_matches(const char *protected_value, const json_t *value);

#endif
