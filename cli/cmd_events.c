/*
 * sigma events [-json] [-status STATUS]
 *
 * Lists the event queue: one event per object written into a bucket whose
 * `notification` prefix matches its name, with the workflow it is for and
 * its status (pending until a run takes it). -json prints them as a JSON
 * array, each with the payload a run sees ({bucket, name, size, md5,
 * crc32c, time, generation}) and the queue's own fields.
 */
#include "cli/objects_cli.h"

#include "util/fs.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char usage[] = "sigma events [-json] [-status STATUS]";

static int collect(void *ctx, const sg_object_event *ev, sg_error *err)
{
	(void)err;
	json_t *e = sg_object_event_payload(ev);
	json_object_set_new(e, "id", json_integer(ev->id));
	json_object_set_new(e, "workflow", json_string(ev->workflow));
	json_object_set_new(e, "status", json_string(ev->status));
	json_object_set_new(e, "attempts", json_integer(ev->attempts));
	json_object_set_new(e, "error", ev->error ? json_string(ev->error) : json_null());
	json_object_set_new(e, "queued_at", json_string(ev->created_at));
	json_array_append_new(ctx, e);
	return 0;
}

static size_t width(json_t *rows, const char *key, const char *head)
{
	size_t w = strlen(head);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		json_t *v = json_object_get(row, key);
		char num[32];
		size_t n = json_is_integer(v) ? (size_t)snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v))
					      : strlen(json_string_value(v) ? json_string_value(v) : "");
		if (n > w)
			w = n;
	}
	return w;
}

static void print_table(json_t *rows)
{
	if (json_array_size(rows) == 0) {
		puts("No events.");
		return;
	}
	int wid = (int)width(rows, "id", "ID"), wq = (int)width(rows, "queued_at", "QUEUED"),
	    ww = (int)width(rows, "workflow", "WORKFLOW"), ws = (int)width(rows, "status", "STATUS"),
	    wz = (int)width(rows, "size", "SIZE");
	printf("%-*s  %-*s  %-*s  %-*s  %*s  %s\n", wid, "ID", wq, "QUEUED", ww, "WORKFLOW", ws, "STATUS", wz, "SIZE",
	       "OBJECT");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		printf("%-*lld  %-*s  %-*s  %-*s  %*lld  gs://%s/%s\n", wid,
		       (long long)json_integer_value(json_object_get(row, "id")), wq,
		       json_string_value(json_object_get(row, "queued_at")), ww,
		       json_string_value(json_object_get(row, "workflow")), ws,
		       json_string_value(json_object_get(row, "status")), wz,
		       (long long)json_integer_value(json_object_get(row, "size")),
		       json_string_value(json_object_get(row, "bucket")), json_string_value(json_object_get(row, "name")));
	}
}

int cmd_events(int argc, char **argv, sg_cli *cli)
{
	bool as_json = false;
	const char *status = NULL;
	for (int i = 1; i < argc;) {
		const char *v = NULL;
		if (sg_arg_bool(argc, argv, &i, "json", &as_json)) {
			/* taken */
		} else if (sg_arg_value(argc, argv, &i, "status", &v)) {
			if (!v)
				return sg_cli_usage(cli, usage, "-status needs a status (pending, running, done, failed)");
			status = v;
		} else {
			return sg_cli_usage(cli, usage, "unexpected argument %s", argv[i]);
		}
	}
	sg_buf root = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	json_t *rows = json_array();
	sg_objects *o = NULL;
	int rc = 0;
	if (sg_cli_local_root(cli, &root, &err) < 0) {
		rc = 1;
	} else if (sg_fs_is_dir(root.ptr)) {
		/* a project that never applied has no queue; do not make one to say so */
		if (sg_objects_open(root.ptr, NULL, &o, &err) < 0 ||
		    sg_objects_events_list(o, status, collect, rows, &err) < 0)
			rc = 1;
	}
	if (rc) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
	} else if (as_json) {
		char *text = json_dumps(rows, JSON_INDENT(2));
		puts(text);
		free(text);
	} else {
		print_table(rows);
	}
	json_decref(rows);
	sg_objects_close(o);
	sg_error_clear(&err);
	sg_buf_free(&root);
	return rc;
}
