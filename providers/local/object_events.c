/*
 * The event queue of bucket notifications: a write into a bucket with
 * `notification: {workflow, prefix}` queues {bucket, name, size, md5,
 * crc32c, time, generation} for the workflow, in the transaction that
 * records the object's metadata. Rows are never deleted by sigma: a run
 * that fails leaves its event there, with its status, to be run again.
 */
#include "providers/local/object_internal.h"

#include "util/text.h"

#include <stdio.h>
#include <string.h>

int sg_objects_queue_event(sg_control *c, const char *bucket, const char *name, const sg_object_info *info,
			   int64_t *out_id, char *workflow, size_t workflow_size, sg_error *err)
{
	*out_id = 0;
	if (workflow_size)
		workflow[0] = '\0';
	json_t *attrs = NULL;
	if (sg_control_get(c, "bucket", bucket, &attrs, err) < 0)
		return -1;
	json_t *notif = json_object_get(attrs, "notification");
	const char *wf = json_string_value(json_object_get(notif, "workflow"));
	const char *prefix = json_string_value(json_object_get(notif, "prefix"));
	int rc = 0;
	if (wf && *wf && (!prefix || sg_str_starts_with(name, prefix))) {
		sqlite3 *db = sg_control_db(c);
		sqlite3_stmt *q = NULL;
		sg_buf time = SG_BUF_INIT;
		sg_objects_format_time(&time, info->mtime_ns, true);
		if (sqlite3_prepare_v2(db,
				       "INSERT INTO events(bucket, name, size, md5, crc32c, generation, time, workflow) "
				       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				       -1, &q, NULL) != SQLITE_OK) {
			rc = sg_error_set(err, "control store: %s", sqlite3_errmsg(db));
		} else {
			sqlite3_bind_text(q, 1, bucket, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
			sqlite3_bind_int64(q, 3, info->size);
			sqlite3_bind_text(q, 4, info->md5, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 5, info->crc32c, -1, SQLITE_STATIC);
			sqlite3_bind_int64(q, 6, info->generation);
			sqlite3_bind_text(q, 7, time.ptr, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 8, wf, -1, SQLITE_STATIC);
			if (sqlite3_step(q) != SQLITE_DONE) {
				rc = sg_error_set(err, "control store: %s", sqlite3_errmsg(db));
			} else {
				*out_id = sqlite3_last_insert_rowid(db);
				if (workflow_size)
					snprintf(workflow, workflow_size, "%s", wf);
			}
		}
		sqlite3_finalize(q);
		sg_buf_free(&time);
	}
	json_decref(attrs);
	return rc;
}

static const char *text_col(sqlite3_stmt *q, int i)
{
	const char *s = (const char *)sqlite3_column_text(q, i);
	return s ? s : "";
}

int sg_objects_events_list(sg_objects *o, const char *status, sg_object_event_visit visit, void *ctx,
			   sg_error *err)
{
	sg_control *c;
	if (sg_objects_control(o, &c, err) < 0)
		return -1;
	sqlite3 *db = sg_control_db(c);
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT id, bucket, name, size, md5, crc32c, generation, time, workflow, status, "
			       "attempts, error, created_at FROM events WHERE ?1 IS NULL OR status = ?1 ORDER BY id",
			       -1, &q, NULL) != SQLITE_OK)
		return sg_error_set(err, "control store: %s", sqlite3_errmsg(db));
	if (status)
		sqlite3_bind_text(q, 1, status, -1, SQLITE_STATIC);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		sg_object_event ev;
		ev.id = sqlite3_column_int64(q, 0);
		ev.bucket = text_col(q, 1);
		ev.name = text_col(q, 2);
		ev.size = sqlite3_column_int64(q, 3);
		ev.md5 = text_col(q, 4);
		ev.crc32c = text_col(q, 5);
		ev.generation = sqlite3_column_int64(q, 6);
		ev.time = text_col(q, 7);
		ev.workflow = text_col(q, 8);
		ev.status = text_col(q, 9);
		ev.attempts = sqlite3_column_int64(q, 10);
		ev.error = (const char *)sqlite3_column_text(q, 11);
		ev.created_at = text_col(q, 12);
		rc = visit(ctx, &ev, err);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sg_error_set(err, "control store: %s", sqlite3_errmsg(db));
	sqlite3_finalize(q);
	return rc;
}

json_t *sg_object_event_payload(const sg_object_event *ev)
{
	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:I}", "bucket", ev->bucket, "name", ev->name, "size",
			 (json_int_t)ev->size, "md5", ev->md5, "crc32c", ev->crc32c, "time", ev->time, "generation",
			 (json_int_t)ev->generation);
}

int sg_objects_event_is_current(sg_objects *o, const sg_object_event *ev, bool *out, sg_error *err)
{
	sg_object_info info;
	*out = false;
	int rc = sg_objects_stat(o, ev->bucket, ev->name, SG_OBJECTS_HASHES, &info, err);
	if (rc == SG_OBJECTS_NOT_FOUND) {
		sg_error_clear(err);
		return 0;
	}
	if (rc < 0)
		return -1;
	*out = info.size == ev->size && info.generation == ev->generation && !strcmp(info.md5, ev->md5);
	return 0;
}
