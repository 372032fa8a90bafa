/*
 * The state document, its journal and backup (state/state.h), and the
 * state lock (state/lock.h). What a user would lose or see: what a killed
 * apply leaves, what a corrupt file does, who holds the lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "state/lock.h"
#include "state/state.h"
#include "unit_helpers.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A project directory and its state directory PROJECT/.sigma (not created). */
typedef struct project {
	char *dir;
	sg_buf state_dir;
} project;

static void project_new(project *p)
{
	p->dir = ut_mkdtemp();
	sg_buf b = SG_BUF_INIT;
	p->state_dir = b;
	ut_path(&p->state_dir, p->dir, ".sigma");
}

static void project_free(project *p)
{
	sg_buf_free(&p->state_dir);
	ut_rmdir(p->dir);
}

static sg_state *must_load(const project *p)
{
	sg_state *s = NULL;
	sg_error err = SG_ERROR_INIT;
	int rc = sg_state_load(p->state_dir.ptr, &s, &err);
	if (rc != 0)
		fail_msg("loading the state failed: %s", sg_error_msg(&err));
	sg_error_clear(&err);
	return s;
}

/* Load, expecting a refusal; returns the message (caller frees). */
static char *must_refuse(const project *p)
{
	sg_state *s = NULL;
	sg_error err = SG_ERROR_INIT;
	int rc = sg_state_load(p->state_dir.ptr, &s, &err);
	if (rc != -1) {
		sg_state_free(s);
		fail_msg("the state was loaded, expected a refusal");
	}
	assert_null(s);
	char *msg = strdup(sg_error_msg(&err));
	sg_error_clear(&err);
	return msg;
}

static json_t *entry(const char *kind, const char *name, const char *location)
{
	return json_pack("{s:s, s:s, s:{s:s, s:s}, s:{}, s:[], s:s, s:b}", "kind", kind, "name", name, "attributes",
			 "name", name, "location", location, "sensitive_attributes", "dependencies", "stage", "iac",
			 "prevent_destroy", 0);
}

static void put(sg_state *s, const char *address, json_t *e)
{
	sg_error err = SG_ERROR_INIT;
	int rc = sg_state_put(s, address, e, &err);
	if (rc != 0)
		fail_msg("put %s: %s", address, sg_error_msg(&err));
	sg_error_clear(&err);
}

static void persist(sg_state *s)
{
	sg_error err = SG_ERROR_INIT;
	int rc = sg_state_persist(s, &err);
	if (rc != 0)
		fail_msg("persist: %s", sg_error_msg(&err));
	sg_error_clear(&err);
}

static const char *loc_of(sg_state *s, const char *address)
{
	return json_string_value(json_object_get(json_object_get(sg_state_get(s, address), "attributes"), "location"));
}

static json_t *load_json(const project *p, const char *rel)
{
	sg_buf path = SG_BUF_INIT;
	json_error_t jerr;
	ut_path(&path, p->dir, rel);
	json_t *doc = json_load_file(path.ptr, 0, &jerr);
	if (!doc)
		fail_msg("%s: %s", path.ptr, jerr.text);
	sg_buf_free(&path);
	return doc;
}

static void test_empty_dir(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_state *s = must_load(&p);
	assert_false(sg_state_exists(s));
	assert_int_equal(sg_state_serial(s), 0);
	assert_non_null(sg_state_lineage(s));
	assert_int_equal(json_object_size(sg_state_resources(s)), 0);
	assert_int_equal(json_integer_value(json_object_get(sg_state_doc(s), "format_version")), SG_STATE_FORMAT_VERSION);
	assert_null(sg_state_get(s, "bucket.a"));
	/* nothing changed: persisting writes nothing, not even the directory's files */
	persist(s);
	assert_false(ut_exists(p.dir, ".sigma/state.json"));
	assert_false(ut_exists(p.dir, ".sigma/state.json.journal"));
	sg_state_free(s);

	/* written once, the state has a lineage (a UUID) that stays */
	s = must_load(&p);
	put(s, "bucket.a", entry("bucket", "a", "US"));
	persist(s);
	char *lineage = strdup(sg_state_lineage(s));
	assert_int_equal(strlen(lineage), 36);
	sg_state_free(s);
	s = must_load(&p);
	assert_string_equal(sg_state_lineage(s), lineage);
	sg_state_free(s);

	/* another project's state has another lineage */
	project q;
	project_new(&q);
	s = must_load(&q);
	put(s, "bucket.a", entry("bucket", "a", "US"));
	persist(s);
	assert_int_equal(strlen(sg_state_lineage(s)), 36);
	assert_string_not_equal(sg_state_lineage(s), lineage);
	sg_state_free(s);
	project_free(&q);
	free(lineage);
	project_free(&p);
}

static void test_persist_serial_backup(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_state *s = must_load(&p);
	put(s, "bucket.a", entry("bucket", "a", "US"));
	put(s, "bucket.b", entry("bucket", "b", "US"));
	assert_true(sg_state_exists(s));
	assert_string_equal(loc_of(s, "bucket.a"), "US");
	assert_true(ut_exists(p.dir, ".sigma/state.json.journal"));
	persist(s);
	char *lineage = strdup(sg_state_lineage(s));
	assert_int_equal(sg_state_serial(s), 1);
	assert_false(ut_exists(p.dir, ".sigma/state.json.journal"));
	assert_false(ut_exists(p.dir, ".sigma/state.json.backup")); /* nothing to back up the first time */
	sg_state_free(s);

	json_t *doc = load_json(&p, ".sigma/state.json");
	assert_int_equal(json_integer_value(json_object_get(doc, "serial")), 1);
	assert_string_equal(json_string_value(json_object_get(doc, "lineage")), lineage);
	assert_int_equal(json_object_size(json_object_get(doc, "resources")), 2);
	json_decref(doc);

	/* second apply: remove one, change one */
	s = must_load(&p);
	assert_true(sg_state_exists(s));
	assert_int_equal(sg_state_serial(s), 1);
	assert_string_equal(sg_state_lineage(s), lineage);
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_state_remove(s, "bucket.a", &err), 0);
	put(s, "bucket.b", entry("bucket", "b", "EU"));
	assert_null(sg_state_get(s, "bucket.a"));
	persist(s);
	assert_int_equal(sg_state_serial(s), 2);
	/* nothing changed since: no new serial */
	persist(s);
	assert_int_equal(sg_state_serial(s), 2);
	sg_state_free(s);

	doc = load_json(&p, ".sigma/state.json");
	assert_int_equal(json_integer_value(json_object_get(doc, "serial")), 2);
	assert_null(json_object_get(json_object_get(doc, "resources"), "bucket.a"));
	json_decref(doc);
	json_t *backup = load_json(&p, ".sigma/state.json.backup");
	assert_int_equal(json_integer_value(json_object_get(backup, "serial")), 1);
	assert_non_null(json_object_get(json_object_get(backup, "resources"), "bucket.a"));
	json_decref(backup);

	s = must_load(&p);
	assert_string_equal(loc_of(s, "bucket.b"), "EU");
	assert_null(sg_state_get(s, "bucket.a"));
	sg_state_free(s);
	free(lineage);
	project_free(&p);
}

static void test_outputs(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_state *s = must_load(&p);
	sg_error err = SG_ERROR_INIT;
	/* equal outputs: nothing to record */
	assert_int_equal(sg_state_set_outputs(s, json_object(), &err), 0);
	persist(s);
	assert_false(ut_exists(p.dir, ".sigma/state.json"));
	put(s, "bucket.a", entry("bucket", "a", "US"));
	persist(s);
	sg_state_free(s);
	s = must_load(&p);
	assert_int_equal(sg_state_set_outputs(s, json_pack("{s:{s:s, s:b}}", "url", "value", "gs://x", "sensitive", 0), &err),
			 0);
	sg_state_free(s); /* killed before persisting */
	s = must_load(&p);
	json_t *outs = json_object_get(sg_state_doc(s), "outputs");
	assert_string_equal(json_string_value(json_object_get(json_object_get(outs, "url"), "value")), "gs://x");
	sg_state_free(s);
	project_free(&p);
}

static void test_killed_apply_replays_journal(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_state *s = must_load(&p);
	put(s, "bucket.a", entry("bucket", "a", "US"));
	persist(s);
	sg_state_free(s);

	/* an apply records two operations and is killed before it persists */
	s = must_load(&p);
	put(s, "bucket.b", entry("bucket", "b", "US"));
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_state_remove(s, "bucket.a", &err), 0);
	sg_state_free(s);
	assert_true(ut_exists(p.dir, ".sigma/state.json.journal"));

	s = must_load(&p);
	assert_non_null(sg_state_get(s, "bucket.b"));
	assert_null(sg_state_get(s, "bucket.a"));
	assert_int_equal(sg_state_serial(s), 1);
	/* the next persist folds the journal into the document */
	persist(s);
	assert_int_equal(sg_state_serial(s), 2);
	assert_false(ut_exists(p.dir, ".sigma/state.json.journal"));
	sg_state_free(s);
	s = must_load(&p);
	assert_non_null(sg_state_get(s, "bucket.b"));
	assert_null(sg_state_get(s, "bucket.a"));
	sg_state_free(s);
	project_free(&p);
}

static void test_killed_first_apply_replays_journal(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	/*
	 * Regression test for a BUG (fixed in 9804c16): the very first apply of
	 * a project (no state.json yet) is killed after recording an operation.
	 * The next load must replay the journal, not refuse it as belonging to
	 * another state: at cceb2bf each fresh state drew a new random lineage,
	 * so this journal was refused ("does not belong to ... move it away")
	 * and every later command failed.
	 */
	sg_state *s = must_load(&p);
	put(s, "bucket.a", entry("bucket", "a", "US"));
	sg_state_free(s);
	assert_false(ut_exists(p.dir, ".sigma/state.json"));
	assert_true(ut_exists(p.dir, ".sigma/state.json.journal"));

	s = NULL;
	sg_error err = SG_ERROR_INIT;
	int rc = sg_state_load(p.state_dir.ptr, &s, &err);
	if (rc != 0)
		print_message("load after a killed first apply: %s\n", sg_error_msg(&err));
	sg_error_clear(&err);
	assert_int_equal(rc, 0);
	assert_non_null(sg_state_get(s, "bucket.a"));
	assert_true(sg_state_exists(s));
	/* and the journal's records are folded into a first state.json */
	char *lineage = strdup(sg_state_lineage(s));
	persist(s);
	assert_int_equal(sg_state_serial(s), 1);
	sg_state_free(s);
	s = must_load(&p);
	assert_non_null(sg_state_get(s, "bucket.a"));
	assert_string_equal(sg_state_lineage(s), lineage);
	assert_false(ut_exists(p.dir, ".sigma/state.json.journal"));
	free(lineage);
	sg_state_free(s);
	project_free(&p);
}

static void test_torn_journal_line_ignored(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_state *s = must_load(&p);
	put(s, "bucket.a", entry("bucket", "a", "US"));
	persist(s);
	sg_state_free(s);

	s = must_load(&p);
	put(s, "bucket.b", entry("bucket", "b", "US"));
	sg_state_free(s);
	/* killed in the middle of writing the next record */
	ut_append(p.dir, ".sigma/state.json.journal", "{\"op\":\"put\",\"address\":\"bucket.c\",\"entry\":{\"ki");

	s = must_load(&p);
	assert_non_null(sg_state_get(s, "bucket.a"));
	assert_non_null(sg_state_get(s, "bucket.b"));
	assert_null(sg_state_get(s, "bucket.c"));
	sg_state_free(s);
	project_free(&p);
}

static void test_torn_journal_then_another_killed_apply(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_state *s = must_load(&p);
	put(s, "bucket.a", entry("bucket", "a", "US"));
	persist(s);
	sg_state_free(s);
	s = must_load(&p);
	put(s, "bucket.b", entry("bucket", "b", "US"));
	sg_state_free(s);
	ut_append(p.dir, ".sigma/state.json.journal", "{\"op\":\"put\",\"address\":\"bucket.c\",\"entry\":{\"ki");

	/*
	 * Regression test for a BUG found by this test (fixed in fbbdd2e): after
	 * a torn record, the next apply loaded the state (dropping the torn
	 * line, fine) but then appended its own records to the same journal
	 * right after the half line, with no newline in between. Its first
	 * record was glued to the torn one, and when that apply was killed too,
	 * the next load failed with "state.json.journal:3: corrupt journal
	 * record" instead of replaying what the second apply did.
	 */
	s = must_load(&p);
	put(s, "bucket.d", entry("bucket", "d", "US"));
	put(s, "bucket.e", entry("bucket", "e", "US"));
	sg_state_free(s); /* killed again */

	s = NULL;
	sg_error err = SG_ERROR_INIT;
	int rc = sg_state_load(p.state_dir.ptr, &s, &err);
	if (rc != 0)
		print_message("load after two killed applies: %s\n", sg_error_msg(&err));
	sg_error_clear(&err);
	assert_int_equal(rc, 0);
	assert_non_null(sg_state_get(s, "bucket.b"));
	assert_non_null(sg_state_get(s, "bucket.d"));
	assert_non_null(sg_state_get(s, "bucket.e"));
	assert_null(sg_state_get(s, "bucket.c"));
	sg_state_free(s);
	project_free(&p);
}

static void test_crash_between_persist_and_journal_removal(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_state *s = must_load(&p);
	put(s, "bucket.a", entry("bucket", "a", "US"));
	persist(s);
	sg_state_free(s);

	/* an apply records bucket.b, writes state.json (serial 2)... */
	s = must_load(&p);
	put(s, "bucket.b", entry("bucket", "b", "US"));
	sg_buf journal = SG_BUF_INIT;
	ut_read(&journal, p.dir, ".sigma/state.json.journal");
	persist(s);
	sg_state_free(s);
	/* ...and is killed before it removes the journal (the rename is durable, the unlink is not yet) */
	ut_write(p.dir, ".sigma/state.json.journal", journal.ptr);
	sg_buf_free(&journal);

	/*
	 * Regression test for a bug this test found (fixed with it): sg_state_persist renames the new state.json into place and only
	 * then unlinks the journal. A crash between the two leaves a journal
	 * whose header has the same lineage and the previous serial (1) next to
	 * a state.json at serial 2 that already holds every record of it. The
	 * next load refuses it ("state.json.journal does not belong to
	 * .../state.json (lineage L serial 1, state has L serial 2); move it
	 * away to continue"), so every command fails until the user deletes a
	 * file by hand, although nothing is inconsistent. A journal of the same
	 * lineage and serial - 1 is already folded in and can be dropped (or
	 * replayed: its records are idempotent).
	 */
	s = NULL;
	sg_error err = SG_ERROR_INIT;
	int rc = sg_state_load(p.state_dir.ptr, &s, &err);
	if (rc != 0)
		print_message("load after a crash right after the rename: %s\n", sg_error_msg(&err));
	sg_error_clear(&err);
	bool has_a = rc == 0 && sg_state_get(s, "bucket.a") != NULL;
	bool has_b = rc == 0 && sg_state_get(s, "bucket.b") != NULL;
	int64_t serial = rc == 0 ? sg_state_serial(s) : -1;
	sg_state_free(s);
	project_free(&p);
	assert_int_equal(rc, 0);
	assert_true(has_a);
	assert_true(has_b);
	assert_int_equal(serial, 2);
}

static void test_foreign_journal_refused(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_state *s = must_load(&p);
	put(s, "bucket.a", entry("bucket", "a", "US"));
	persist(s);
	sg_state_free(s);
	sg_buf before = SG_BUF_INIT, after = SG_BUF_INIT;
	ut_read(&before, p.dir, ".sigma/state.json");

	const char *journal = "{\"journal\":1,\"lineage\":\"00000000-0000-4000-8000-000000000000\",\"serial\":1}\n"
			      "{\"op\":\"remove\",\"address\":\"bucket.a\"}\n";
	ut_write(p.dir, ".sigma/state.json.journal", journal);
	char *msg = must_refuse(&p);
	assert_non_null(strstr(msg, "state.json.journal does not belong to"));
	assert_non_null(strstr(msg, "00000000-0000-4000-8000-000000000000"));
	assert_non_null(strstr(msg, "move it away"));
	free(msg);
	/* both files untouched */
	ut_read(&after, p.dir, ".sigma/state.json");
	assert_string_equal(after.ptr, before.ptr);
	ut_read(&after, p.dir, ".sigma/state.json.journal");
	assert_string_equal(after.ptr, journal);

	/* a journal of a later serial of the same lineage (state.json restored from a backup) is refused too */
	json_t *doc = load_json(&p, ".sigma/state.json");
	char *hdr = NULL;
	assert_true(asprintf(&hdr, "{\"journal\":1,\"lineage\":\"%s\",\"serial\":5}\n{\"op\":\"remove\",\"address\":\"bucket.a\"}\n",
			     json_string_value(json_object_get(doc, "lineage"))) > 0);
	json_decref(doc);
	ut_write(p.dir, ".sigma/state.json.journal", hdr);
	free(hdr);
	msg = must_refuse(&p);
	assert_non_null(strstr(msg, "does not belong"));
	free(msg);

	/* a journal line that is complete but not JSON is corruption, not a torn write */
	doc = load_json(&p, ".sigma/state.json");
	assert_true(asprintf(&hdr, "{\"journal\":1,\"lineage\":\"%s\",\"serial\":1}\nnot json\n",
			     json_string_value(json_object_get(doc, "lineage"))) > 0);
	json_decref(doc);
	ut_write(p.dir, ".sigma/state.json.journal", hdr);
	free(hdr);
	msg = must_refuse(&p);
	assert_non_null(strstr(msg, "state.json.journal:2: corrupt journal record"));
	free(msg);
	sg_buf_free(&before);
	sg_buf_free(&after);
	project_free(&p);
}

static void test_corrupt_state_refused(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_state *s = must_load(&p);
	put(s, "bucket.a", entry("bucket", "a", "US"));
	persist(s);
	put(s, "bucket.b", entry("bucket", "b", "US"));
	persist(s);
	sg_state_free(s);

	/* truncate state.json in the middle */
	sg_buf text = SG_BUF_INIT, after = SG_BUF_INIT;
	ut_read(&text, p.dir, ".sigma/state.json");
	sg_buf_truncate(&text, text.len / 2);
	ut_write(p.dir, ".sigma/state.json", text.ptr);

	char *msg = must_refuse(&p);
	assert_non_null(strstr(msg, "state.json is corrupt"));
	assert_non_null(strstr(msg, "left untouched"));
	assert_non_null(strstr(msg, "state.json.backup"));
	free(msg);
	ut_read(&after, p.dir, ".sigma/state.json");
	assert_int_equal(after.len, text.len);
	assert_memory_equal(after.ptr, text.ptr, text.len);

	/* valid JSON that is not a state */
	ut_write(p.dir, ".sigma/state.json", "{\"hello\": 1}\n");
	msg = must_refuse(&p);
	assert_non_null(strstr(msg, "not a sigma state file"));
	free(msg);
	ut_write(p.dir, ".sigma/state.json", "{\"format_version\": 1, \"serial\": 3}\n");
	msg = must_refuse(&p);
	assert_non_null(strstr(msg, "lineage, serial or resources missing"));
	free(msg);
	sg_buf_free(&text);
	sg_buf_free(&after);
	project_free(&p);
}

static void test_newer_format_refused(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_fs_mkdir_p(p.state_dir.ptr, &err), 0);
	const char *doc = "{\"format_version\": 99, \"serial\": 4, \"lineage\": \"x\", \"resources\": {}}\n";
	ut_write(p.dir, ".sigma/state.json", doc);
	char *msg = must_refuse(&p);
	assert_non_null(strstr(msg, "format version 99"));
	assert_non_null(strstr(msg, "upgrade sigma"));
	free(msg);
	sg_buf after = SG_BUF_INIT;
	ut_read(&after, p.dir, ".sigma/state.json");
	assert_string_equal(after.ptr, doc);
	sg_buf_free(&after);
	project_free(&p);
}

static void test_protect(void **state)
{
	(void)state;
	json_t *secret = json_string("hunter2");
	json_t *other = json_string("hunter3");
	char *p1 = sg_state_protect(secret, NULL);
	assert_non_null(p1);
	assert_true(strncmp(p1, "hmac-sha256:", 12) == 0);
	assert_null(strstr(p1, "hunter2"));
	assert_true(sg_state_protected_matches(p1, secret));
	assert_false(sg_state_protected_matches(p1, other));

	/* a new salt each time: two protections of one value differ, both match */
	char *p2 = sg_state_protect(secret, NULL);
	assert_string_not_equal(p1, p2);
	assert_true(sg_state_protected_matches(p2, secret));

	/* `like` reuses the salt: same value, same text; another value, same salt, other digest */
	char *p3 = sg_state_protect(secret, p1);
	assert_string_equal(p3, p1);
	char *p4 = sg_state_protect(other, p1);
	assert_string_not_equal(p4, p1);
	const char *salt_end = strchr(p1 + 12, ':');
	assert_non_null(salt_end);
	assert_memory_equal(p4, p1, (size_t)(salt_end - p1 + 1));

	/* structured values, compared canonically (key order does not matter) */
	json_t *m1 = json_pack("{s:s, s:i}", "a", "x", "b", 1);
	json_t *m2 = json_pack("{s:i, s:s}", "b", 1, "a", "x");
	char *pm = sg_state_protect(m1, NULL);
	assert_true(sg_state_protected_matches(pm, m2));
	assert_false(sg_state_protected_matches(pm, secret));

	/* not a protected value */
	assert_false(sg_state_protected_matches("hunter2", secret));
	assert_false(sg_state_protected_matches(NULL, secret));
	assert_false(sg_state_protected_matches("hmac-sha256:zz:00", secret));

	free(p1);
	free(p2);
	free(p3);
	free(p4);
	free(pm);
	json_decref(m1);
	json_decref(m2);
	json_decref(secret);
	json_decref(other);
}

/* ---- the lock ---- */

static void test_lock_held(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_lock *l = NULL, *l2 = NULL;
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_lock_acquire(p.state_dir.ptr, "sigma apply", 0, &l, &err), 0);
	assert_non_null(l);
	assert_int_equal(strlen(sg_lock_id(l)), 36);
	assert_true(ut_exists(p.dir, ".sigma/state.lock"));

	/* the file says who holds it */
	json_t *info = load_json(&p, ".sigma/state.lock");
	assert_string_equal(json_string_value(json_object_get(info, "id")), sg_lock_id(l));
	assert_int_equal(json_integer_value(json_object_get(info, "pid")), getpid());
	assert_string_equal(json_string_value(json_object_get(info, "command")), "sigma apply");
	json_decref(info);

	/* a second one fails at once, naming the holder */
	assert_int_equal(sg_lock_acquire(p.state_dir.ptr, "sigma plan", 0, &l2, &err), -1);
	assert_null(l2);
	char pid[32];
	snprintf(pid, sizeof(pid), "pid %d", (int)getpid());
	assert_non_null(strstr(sg_error_msg(&err), "the state is locked"));
	assert_non_null(strstr(sg_error_msg(&err), pid));
	assert_non_null(strstr(sg_error_msg(&err), "\"sigma apply\""));
	assert_non_null(strstr(sg_error_msg(&err), sg_lock_id(l)));
	assert_null(strstr(sg_error_msg(&err), "gone")); /* we are alive: not stale */

	/* with a timeout it waits, then gives up saying so */
	assert_int_equal(sg_lock_acquire(p.state_dir.ptr, "sigma plan", 150, &l2, &err), -1);
	assert_non_null(strstr(sg_error_msg(&err), "gave up waiting"));

	/* released: the next one gets it */
	sg_lock_release(l);
	assert_false(ut_exists(p.dir, ".sigma/state.lock"));
	assert_int_equal(sg_lock_acquire(p.state_dir.ptr, "sigma plan", 0, &l2, &err), 0);
	assert_non_null(l2);
	/* no temporary files left beside the lock */
	sg_buf lockdir = SG_BUF_INIT;
	ut_path(&lockdir, p.dir, ".sigma");
	assert_int_equal(sg_fs_count_files(lockdir.ptr), 1);
	sg_buf_free(&lockdir);
	sg_lock_release(l2);
	sg_error_clear(&err);
	project_free(&p);
}

static void test_lock_stale(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_fs_mkdir_p(p.state_dir.ptr, &err), 0);
	char host[256] = "";
	assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
	const char *id = "6f1c2a6e-1111-4222-8333-944455556666";
	json_t *info = json_pack("{s:s, s:i, s:s, s:s, s:s}", "id", id, "pid", 999999, "host", host, "time",
				 "2024-01-01T00:00:00Z", "command", "sigma apply");
	char *text = json_dumps(info, 0);
	json_decref(info);
	ut_write(p.dir, ".sigma/state.lock", text);
	free(text);

	sg_lock *l = NULL;
	assert_int_equal(sg_lock_acquire(p.state_dir.ptr, "sigma plan", 0, &l, &err), -1);
	assert_null(l);
	assert_non_null(strstr(sg_error_msg(&err), "process that is gone"));
	assert_non_null(strstr(sg_error_msg(&err), "pid 999999"));
	assert_non_null(strstr(sg_error_msg(&err), "sigma force-unlock 6f1c2a6e-1111-4222-8333-944455556666"));
	/* never taken over silently */
	assert_true(ut_exists(p.dir, ".sigma/state.lock"));

	/* the wrong ID removes nothing */
	assert_int_equal(sg_lock_force_unlock(p.state_dir.ptr, "00000000-0000-4000-8000-000000000000", &err), -1);
	assert_non_null(strstr(sg_error_msg(&err), "nothing was removed"));
	assert_non_null(strstr(sg_error_msg(&err), id));
	assert_true(ut_exists(p.dir, ".sigma/state.lock"));

	/* the right one does, and the lock can be taken again */
	assert_int_equal(sg_lock_force_unlock(p.state_dir.ptr, id, &err), 0);
	assert_false(ut_exists(p.dir, ".sigma/state.lock"));
	assert_int_equal(sg_lock_force_unlock(p.state_dir.ptr, id, &err), -1);
	assert_non_null(strstr(sg_error_msg(&err), "not locked"));
	assert_int_equal(sg_lock_acquire(p.state_dir.ptr, "sigma plan", 0, &l, &err), 0);
	sg_lock_release(l);
	sg_error_clear(&err);
	project_free(&p);
}

static void test_lock_release_keeps_someone_elses(void **state)
{
	(void)state;
	project p;
	project_new(&p);
	sg_lock *l = NULL;
	sg_error err = SG_ERROR_INIT;
	assert_int_equal(sg_lock_acquire(p.state_dir.ptr, "sigma apply", 0, &l, &err), 0);
	/* force-unlocked by a user, then taken by another process */
	assert_int_equal(sg_lock_force_unlock(p.state_dir.ptr, sg_lock_id(l), &err), 0);
	ut_write(p.dir, ".sigma/state.lock", "{\"id\": \"someone-else\", \"pid\": 1, \"host\": \"h\"}\n");
	sg_lock_release(l); /* must not remove the other holder's lock */
	assert_true(ut_exists(p.dir, ".sigma/state.lock"));
	sg_error_clear(&err);
	project_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_dir),
		cmocka_unit_test(test_persist_serial_backup),
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_killed_apply_replays_journal),
		cmocka_unit_test(test_killed_first_apply_replays_journal),
		cmocka_unit_test(test_torn_journal_line_ignored),
		cmocka_unit_test(test_torn_journal_then_another_killed_apply),
		cmocka_unit_test(test_crash_between_persist_and_journal_removal),
		cmocka_unit_test(test_foreign_journal_refused),
		cmocka_unit_test(test_corrupt_state_refused),
		cmocka_unit_test(test_newer_format_refused),
		cmocka_unit_test(test_protect),
		cmocka_unit_test(test_lock_held),
		cmocka_unit_test(test_lock_stale),
		cmocka_unit_test(test_lock_release_keeps_someone_elses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
