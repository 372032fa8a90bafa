/*
 * The local object store (providers/local/object_store.h) as the pipeline
 * steps will use it: writes with their hashes, an abandoned write leaving
 * nothing, listings, metadata that is not believed once the file changed,
 * and events (queued only on a matching prefix, and current only while
 * their object is the one they were queued for).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "providers/local/control.h"
#include "providers/local/object_store.h"
#include "unit_helpers.h"
#include "util/alloc.h"
#include "util/fs.h"

#include <string.h>

typedef struct fixture {
	char *root;
	sg_control *control;
	sg_objects *o;
	sg_error err;
} fixture;

static int setup(void **state)
{
	fixture *f = sg_calloc(1, sizeof(*f));
	f->root = ut_mkdtemp();
	sg_buf p = SG_BUF_INIT;
	assert_int_equal(sg_fs_mkdir_p(ut_path(&p, f->root, "buckets/land-bkt"), &f->err), 0);
	assert_int_equal(sg_fs_mkdir_p(ut_path(&p, f->root, "buckets/plain-bkt"), &f->err), 0);
	assert_int_equal(sg_control_open(ut_path(&p, f->root, "control.db"), &f->control, &f->err), 0);
	json_t *attrs = json_pack("{s:s, s:{s:s, s:s}}", "name", "land-bkt", "notification", "workflow", "ingest",
				  "prefix", "data/");
	assert_int_equal(sg_control_put(f->control, "bucket", "land-bkt", attrs, &f->err), 0);
	json_decref(attrs);
	assert_int_equal(sg_objects_open(f->root, f->control, &f->o, &f->err), 0);
	sg_buf_free(&p);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	sg_objects_close(f->o);
	sg_control_close(f->control);
	sg_error_clear(&f->err);
	ut_rmdir(f->root);
	free(f);
	return 0;
}

static int put(fixture *f, const char *bucket, const char *name, const char *text, sg_object_put_result *res)
{
	sg_object_writer *w = NULL;
	int rc = sg_object_writer_open(f->o, bucket, name, &w, &f->err);
	if (rc < 0)
		return rc;
	/* in two pieces: the hashes run across writes */
	size_t n = strlen(text), half = n / 2;
	if (sg_object_writer_write(w, text, half, &f->err) < 0 ||
	    sg_object_writer_write(w, text + half, n - half, &f->err) < 0 ||
	    sg_object_writer_commit(w, res, &f->err) < 0)
		rc = -1;
	sg_object_writer_free(w);
	return rc;
}

static size_t count_files(const char *dir)
{
	int64_t n = sg_fs_count_files(dir);
	assert_true(n >= 0);
	return (size_t)n;
}

static void test_put_records_gcs_hashes(void **state)
{
	fixture *f = *state;
	sg_object_put_result res;
	assert_int_equal(put(f, "plain-bkt", "a/hello.txt", "hello\n", &res), 0);
	/* md5 and crc32c of "hello\n" as gsutil ls -L shows them */
	assert_string_equal(res.info.md5, "sZRqySSS0jR8YjW00mERhA==");
	assert_string_equal(res.info.crc32c, "NT3Yvg==");
	assert_int_equal(res.info.size, 6);
	assert_int_equal(res.event_id, 0);
	sg_buf p = SG_BUF_INIT;
	assert_string_equal(ut_read(&p, f->root, "buckets/plain-bkt/a/hello.txt"), "hello\n");
	sg_object_info info;
	assert_int_equal(sg_objects_stat(f->o, "plain-bkt", "a/hello.txt", SG_OBJECTS_HASHES, &info, &f->err), 0);
	assert_string_equal(info.md5, res.info.md5);
	assert_int_equal(info.generation, res.info.generation);
	assert_int_equal(count_files(ut_path(&p, f->root, "tmp")), 0);
	sg_buf_free(&p);
}

static void test_abandoned_write_leaves_nothing(void **state)
{
	fixture *f = *state;
	sg_object_writer *w = NULL;
	assert_int_equal(sg_object_writer_open(f->o, "land-bkt", "data/x.csv", &w, &f->err), 0);
	assert_int_equal(sg_object_writer_write(w, "partial", 7, &f->err), 0);
	sg_object_writer_free(w);
	sg_buf p = SG_BUF_INIT;
	assert_int_equal(count_files(ut_path(&p, f->root, "buckets")), 0);
	assert_int_equal(count_files(ut_path(&p, f->root, "tmp")), 0);
	sg_buf_free(&p);
	sg_object_info info;
	assert_int_equal(sg_objects_stat(f->o, "land-bkt", "data/x.csv", 0, &info, &f->err), SG_OBJECTS_NOT_FOUND);
	assert_string_equal(sg_error_msg(&f->err), "gs://land-bkt/data/x.csv: no such object");
}

static void test_refusals(void **state)
{
	fixture *f = *state;
	sg_object_writer *w = NULL;
	assert_int_equal(sg_object_writer_open(f->o, "no-bkt", "x", &w, &f->err), SG_OBJECTS_NOT_FOUND);
	assert_string_equal(sg_error_msg(&f->err), "bucket no-bkt does not exist");
	assert_true(sg_object_writer_open(f->o, "plain-bkt", "a/../b", &w, &f->err) < 0);
	assert_true(sg_object_writer_open(f->o, "plain-bkt", "/abs", &w, &f->err) < 0);
	assert_true(sg_object_writer_open(f->o, "plain-bkt", "dir/", &w, &f->err) < 0);
	assert_null(w);
}

typedef struct names {
	sg_buf all;
} names;

static int collect(void *ctx, const sg_object_info *info, sg_error *err)
{
	(void)err;
	names *n = ctx;
	sg_buf_printf(&n->all, "%s%s,", info->name, info->is_prefix ? "(p)" : "");
	return 0;
}

static void test_listing_order_and_hand_made_objects(void **state)
{
	fixture *f = *state;
	assert_int_equal(put(f, "plain-bkt", "a/x", "1", NULL), 0);
	assert_int_equal(put(f, "plain-bkt", "a-b", "2", NULL), 0);
	assert_int_equal(put(f, "plain-bkt", "a/y/z", "3", NULL), 0);
	ut_write(f->root, "buckets/plain-bkt/b", "hello\n"); /* by hand */
	names n = { SG_BUF_INIT };
	assert_int_equal(sg_objects_list(f->o, "plain-bkt", "", 0, collect, &n, &f->err), 0);
	assert_string_equal(n.all.ptr, "a-b,a/(p),b,");
	sg_buf_clear(&n.all);
	assert_int_equal(sg_objects_list(f->o, "plain-bkt", "", SG_OBJECTS_RECURSIVE, collect, &n, &f->err), 0);
	assert_string_equal(n.all.ptr, "a-b,a/x,a/y/z,b,");
	sg_buf_clear(&n.all);
	assert_int_equal(sg_objects_list(f->o, "plain-bkt", "a/", 0, collect, &n, &f->err), 0);
	assert_string_equal(n.all.ptr, "a/x,a/y/(p),");
	sg_buf_free(&n.all);
	/* the object made by hand gets its hashes computed */
	sg_object_info info;
	assert_int_equal(sg_objects_stat(f->o, "plain-bkt", "b", SG_OBJECTS_HASHES, &info, &f->err), 0);
	assert_true(info.has_hashes);
	assert_string_equal(info.md5, "sZRqySSS0jR8YjW00mERhA==");
	/* removing a prefix removes what is under it, and the directories it emptied */
	assert_int_equal(sg_objects_delete_prefix(f->o, "plain-bkt", "a/", NULL, NULL, &f->err), 0);
	assert_false(ut_exists(f->root, "buckets/plain-bkt/a"));
	assert_int_equal(sg_objects_delete(f->o, "plain-bkt", "a/x", &f->err), SG_OBJECTS_NOT_FOUND);
}

static void test_changed_file_is_rehashed(void **state)
{
	fixture *f = *state;
	assert_int_equal(put(f, "plain-bkt", "c", "hello\n", NULL), 0);
	/* replaced by hand (a new inode): the recorded hashes describe another file */
	ut_write(f->root, "buckets/plain-bkt/c.new", "HELLO\n");
	sg_buf from = SG_BUF_INIT, to = SG_BUF_INIT;
	assert_int_equal(rename(ut_path(&from, f->root, "buckets/plain-bkt/c.new"), ut_path(&to, f->root, "buckets/plain-bkt/c")), 0);
	sg_object_info info;
	assert_int_equal(sg_objects_stat(f->o, "plain-bkt", "c", SG_OBJECTS_HASHES, &info, &f->err), 0);
	assert_string_not_equal(info.md5, "sZRqySSS0jR8YjW00mERhA==");
	sg_buf_free(&from);
	sg_buf_free(&to);
}

/* The last event visited, with copies of its strings (the visitor's are borrowed). */
typedef struct events {
	int n;
	sg_object_event last;
	char bucket[64], name[64], md5[SG_MD5_B64_SIZE], crc32c[SG_CRC32C_B64_SIZE], time[40];
} events;

static int count_event(void *ctx, const sg_object_event *ev, sg_error *err)
{
	(void)err;
	events *e = ctx;
	e->n++;
	e->last = *ev;
	snprintf(e->bucket, sizeof(e->bucket), "%s", ev->bucket);
	snprintf(e->name, sizeof(e->name), "%s", ev->name);
	snprintf(e->md5, sizeof(e->md5), "%s", ev->md5);
	snprintf(e->crc32c, sizeof(e->crc32c), "%s", ev->crc32c);
	snprintf(e->time, sizeof(e->time), "%s", ev->time);
	e->last.bucket = e->bucket;
	e->last.name = e->name;
	e->last.md5 = e->md5;
	e->last.crc32c = e->crc32c;
	e->last.time = e->time;
	e->last.workflow = e->last.status = e->last.created_at = NULL;
	e->last.error = NULL;
	return 0;
}

static void test_events_on_matching_prefix_and_currency(void **state)
{
	fixture *f = *state;
	sg_object_put_result res;
	assert_int_equal(put(f, "land-bkt", "other/x.csv", "no event", &res), 0);
	assert_int_equal(res.event_id, 0);
	assert_int_equal(put(f, "plain-bkt", "data/x.csv", "no notification", &res), 0);
	assert_int_equal(res.event_id, 0);
	assert_int_equal(put(f, "land-bkt", "data/x.csv", "first", &res), 0);
	assert_true(res.event_id > 0);
	assert_string_equal(res.workflow, "ingest");

	events e = { 0 };
	assert_int_equal(sg_objects_events_list(f->o, "pending", count_event, &e, &f->err), 0);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.last.name, "data/x.csv");
	assert_int_equal(e.last.size, 5);
	json_t *payload = sg_object_event_payload(&e.last);
	assert_string_equal(json_string_value(json_object_get(payload, "bucket")), "land-bkt");
	assert_string_equal(json_string_value(json_object_get(payload, "md5")), res.info.md5);
	json_decref(payload);

	bool current = false;
	assert_int_equal(sg_objects_event_is_current(f->o, &e.last, &current, &f->err), 0);
	assert_true(current);
	/* overwritten: the first event is no longer current, the second is */
	assert_int_equal(put(f, "land-bkt", "data/x.csv", "second", &res), 0);
	assert_int_equal(sg_objects_event_is_current(f->o, &e.last, &current, &f->err), 0);
	assert_false(current);
	events e2 = { 0 };
	assert_int_equal(sg_objects_events_list(f->o, NULL, count_event, &e2, &f->err), 0);
	assert_int_equal(e2.n, 2);
	assert_int_equal(sg_objects_event_is_current(f->o, &e2.last, &current, &f->err), 0);
	assert_true(current);
	/* removed: not current, and not an error */
	assert_int_equal(sg_objects_delete(f->o, "land-bkt", "data/x.csv", &f->err), 0);
	assert_int_equal(sg_objects_event_is_current(f->o, &e2.last, &current, &f->err), 0);
	assert_false(current);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_records_gcs_hashes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abandoned_write_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listing_order_and_hand_made_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_file_is_rehashed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_on_matching_prefix_and_currency, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
