#include "providers/local/control.h"

#include "util/alloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct sg_control {
	sqlite3 *db;
	/* recursive: the thread inside sg_control_begin may call get/put/delete */
	pthread_mutex_t mu;
	int in_txn; /* sg_control_begin ... commit/rollback is open (by the thread holding mu) */
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS resources ("
	"  kind TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  attrs TEXT NOT NULL,"
	"  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
	"  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
	"  PRIMARY KEY (kind, name));";

static int exec(sqlite3 *db, const char *sql, sg_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sg_error_set(err, "control store: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int sg_control_open(const char *path, sg_control **out, sg_error *err)
{
	*out = NULL;
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		sg_error_set(err, "cannot open the control store %s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 30000);
	if (exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", err) < 0 ||
	    exec(db, "BEGIN IMMEDIATE", err) < 0) {
		sqlite3_close(db);
		return -1;
	}
	if (exec(db, schema_sql, err) < 0 || exec(db, "COMMIT", err) < 0) {
		sqlite3_close(db);
		return -1;
	}
	sg_control *c = sg_calloc(1, sizeof(*c));
	c->db = db;
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&c->mu, &attr);
	pthread_mutexattr_destroy(&attr);
	*out = c;
	return 0;
}

void sg_control_close(sg_control *c)
{
	if (!c)
		return;
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

sqlite3 *sg_control_db(sg_control *c)
{
	return c->db;
}

int sg_control_begin(sg_control *c, sg_error *err)
{
	pthread_mutex_lock(&c->mu);
	if (c->in_txn) {
		pthread_mutex_unlock(&c->mu);
		return sg_error_set(err, "internal error: control store transaction already open");
	}
	if (exec(c->db, "BEGIN IMMEDIATE", err) < 0) {
		pthread_mutex_unlock(&c->mu);
		return -1;
	}
	c->in_txn = 1;
	return 0;
}

int sg_control_commit(sg_control *c, sg_error *err)
{
	int rc = exec(c->db, "COMMIT", err);
	if (rc < 0)
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	c->in_txn = 0;
	pthread_mutex_unlock(&c->mu);
	return rc;
}

void sg_control_rollback(sg_control *c)
{
	sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	c->in_txn = 0;
	pthread_mutex_unlock(&c->mu);
}

/* Run one statement with text parameters inside BEGIN IMMEDIATE ... COMMIT (or the open transaction). */
static int write_stmt(sg_control *c, const char *sql, const char *const *params, int nparams, sg_error *err)
{
	pthread_mutex_lock(&c->mu);
	bool own = !c->in_txn;
	int rc = own ? exec(c->db, "BEGIN IMMEDIATE", err) : 0;
	if (rc == 0) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
			rc = sg_error_set(err, "control store: %s", sqlite3_errmsg(c->db));
		} else {
			for (int i = 0; i < nparams; i++)
				sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = sg_error_set(err, "control store: %s", sqlite3_errmsg(c->db));
		}
		sqlite3_finalize(st);
		if (own && rc == 0)
			rc = exec(c->db, "COMMIT", err);
		if (own && rc < 0)
			sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

int sg_control_put(sg_control *c, const char *kind, const char *name, const json_t *attrs, sg_error *err)
{
	char *text = json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS);
	const char *params[] = { kind, name, text };
	int rc = write_stmt(c,
			    "INSERT INTO resources(kind, name, attrs) VALUES (?1, ?2, ?3) "
			    "ON CONFLICT(kind, name) DO UPDATE SET attrs = excluded.attrs, "
			    "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')",
			    params, 3, err);
	free(text);
	return rc;
}

int sg_control_delete(sg_control *c, const char *kind, const char *name, sg_error *err)
{
	const char *params[] = { kind, name };
	return write_stmt(c, "DELETE FROM resources WHERE kind = ?1 AND name = ?2", params, 2, err);
}

int sg_control_get(sg_control *c, const char *kind, const char *name, json_t **out, sg_error *err)
{
	*out = NULL;
	pthread_mutex_lock(&c->mu);
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(c->db, "SELECT attrs FROM resources WHERE kind = ?1 AND name = ?2", -1, &st, NULL) !=
	    SQLITE_OK) {
		rc = sg_error_set(err, "control store: %s", sqlite3_errmsg(c->db));
	} else {
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			json_error_t jerr;
			*out = json_loads((const char *)sqlite3_column_text(st, 0), 0, &jerr);
			if (!*out)
				rc = sg_error_set(err, "control store: corrupt attributes of %s %s: %s", kind, name, jerr.text);
		} else if (step != SQLITE_DONE) {
			rc = sg_error_set(err, "control store: %s", sqlite3_errmsg(c->db));
		}
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&c->mu);
	return rc;
}
