/*
 * The local control store: LOCAL_ROOT/control.db, SQLite in WAL mode.
 *
 * It holds what is neither an object nor a table: workflow templates,
 * schedulers, artifact repositories and bucket metadata (one row per
 * resource, its attributes as JSON), and later the event queue and run
 * ledger. Many processes may use it at once: every write is a
 * BEGIN IMMEDIATE transaction and waits (busy_timeout) for the others.
 */
#ifndef SG_PROVIDERS_LOCAL_CONTROL_H
#define SG_PROVIDERS_LOCAL_CONTROL_H

#include "util/error.h"

#include <jansson.h>
#include <sqlite3.h>

typedef struct sg_control sg_control;

int sg_control_open(const char *path, sg_control **out, sg_error *err);
void sg_control_close(sg_control *c);

/* Insert or replace the row of (kind, name). */
int sg_control_put(sg_control *c, const char *kind, const char *name, const json_t *attrs, sg_error *err);
/* *out = the attributes of (kind, name), or NULL when there is no such row. */
int sg_control_get(sg_control *c, const char *kind, const char *name, json_t **out, sg_error *err);
/* Delete the row of (kind, name); a missing row is fine. */
int sg_control_delete(sg_control *c, const char *kind, const char *name, sg_error *err);

/* The raw connection, for modules that keep their own tables here (events, runs). */
sqlite3 *sg_control_db(sg_control *c);

/*
 * A write transaction of several statements on sg_control_db(): BEGIN
 * IMMEDIATE, waiting for other processes (busy_timeout). The calling thread
 * holds the store until sg_control_commit or sg_control_rollback; other
 * threads wait. sg_control_get, _put and _delete called inside it join it.
 */
int sg_control_begin(sg_control *c, sg_error *err);
/* COMMIT; on failure the transaction is rolled back. Either way it is over. */
int sg_control_commit(sg_control *c, sg_error *err);
void sg_control_rollback(sg_control *c);

#endif
