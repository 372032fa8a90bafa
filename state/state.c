#include "state/state.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/text.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct sg_state {
	char *dir;
	char *path;
	char *backup_path;
	char *journal_path;
	json_t *doc;
	bool exists;
	bool dirty;
	int journal_fd;
	off_t journal_valid; /* bytes of complete records in the journal found at load */
	bool journal_seen;
	unsigned unsynced;
	struct timespec last_sync;
};

/* A state that was never written has no lineage yet: it gets one at its first write. */
static json_t *new_doc(void)
{
	return json_pack("{s:i, s:i, s:s, s:s, s:{}, s:{}, s:{}}", "format_version", SG_STATE_FORMAT_VERSION, "serial", 0,
			 "lineage", "", "sigma_version", SIGMA_VERSION, "resources", "outputs", "stages");
}

static void ensure_lineage(sg_state *s)
{
	const char *lineage = sg_state_lineage(s);
	if (lineage && *lineage)
		return;
	sg_buf b = SG_BUF_INIT;
	sg_uuid4(&b);
	json_object_set_new(s->doc, "lineage", json_string(b.ptr));
	sg_buf_free(&b);
}

static int check_doc(const json_t *doc, const char *path, sg_error *err)
{
	json_t *fv = json_object_get(doc, "format_version");
	if (!json_is_integer(fv))
		return sg_error_set(err, "%s is not a sigma state file (no format_version)", path);
	if (json_integer_value(fv) > SG_STATE_FORMAT_VERSION)
		return sg_error_set(err,
				    "%s has format version %lld, newer than this sigma understands (%d): upgrade sigma; "
				    "the file was left untouched",
				    path, (long long)json_integer_value(fv), SG_STATE_FORMAT_VERSION);
	if (!json_is_string(json_object_get(doc, "lineage")) || !json_is_integer(json_object_get(doc, "serial")) ||
	    !json_is_object(json_object_get(doc, "resources")))
		return sg_error_set(err, "%s is not a valid sigma state file (lineage, serial or resources missing)", path);
	if (!json_is_object(json_object_get(doc, "outputs")))
		json_object_set_new((json_t *)doc, "outputs", json_object());
	if (!json_is_object(json_object_get(doc, "stages")))
		json_object_set_new((json_t *)doc, "stages", json_object());
	return 0;
}

static void apply_record(sg_state *s, json_t *rec)
{
	const char *op = json_string_value(json_object_get(rec, "op"));
	json_t *resources = json_object_get(s->doc, "resources");
	if (!op)
		return;
	if (!strcmp(op, "put")) {
		json_object_set(resources, json_string_value(json_object_get(rec, "address")),
				json_object_get(rec, "entry"));
	} else if (!strcmp(op, "remove")) {
		json_object_del(resources, json_string_value(json_object_get(rec, "address")));
	} else if (!strcmp(op, "outputs")) {
		json_object_set(s->doc, "outputs", json_object_get(rec, "outputs"));
	} else if (!strcmp(op, "stage")) {
		json_object_set(json_object_get(s->doc, "stages"), json_string_value(json_object_get(rec, "stage")),
				json_object_get(rec, "record"));
	}
}

/* Replay a journal left by a killed apply. A torn last line (killed mid-write) is dropped. */
static int replay_journal(sg_state *s, sg_error *err)
{
	sg_buf text = SG_BUF_INIT;
	if (sg_fs_read_file(s->journal_path, &text, err) < 0) {
		sg_buf_free(&text);
		return -1;
	}
	int rc = 0;
	size_t line_no = 0;
	char *p = text.ptr;
	while (p && *p) {
		char *nl = strchr(p, '\n');
		if (!nl)
			break; /* torn final record: never completed, so never acted upon */
		s->journal_valid = (off_t)(nl + 1 - text.ptr);
		*nl = '\0';
		json_error_t jerr;
		json_t *rec = json_loads(p, 0, &jerr);
		line_no++;
		if (!rec) {
			rc = sg_error_set(err, "%s:%zu: corrupt journal record: %s", s->journal_path, line_no, jerr.text);
			break;
		}
		if (line_no == 1) {
			const char *lineage = json_string_value(json_object_get(rec, "lineage"));
			json_int_t serial = json_integer_value(json_object_get(rec, "serial"));
			if (!s->exists && lineage) {
				/* the first apply of this state was killed before it wrote the document */
				json_object_set_new(s->doc, "lineage", json_string(lineage));
				json_object_set_new(s->doc, "serial", json_integer(serial));
			}
			if (lineage && !strcmp(lineage, sg_state_lineage(s)) && serial < sg_state_serial(s)) {
				/*
				 * Killed after the document was written but before the journal
				 * was removed: its records are in the document already. It is
				 * cut to nothing at this process's first append.
				 */
				s->journal_valid = 0;
				json_decref(rec);
				break;
			}
			if (!lineage || strcmp(lineage, sg_state_lineage(s)) || serial != sg_state_serial(s)) {
				rc = sg_error_set(err,
						  "%s does not belong to %s (lineage %s serial %lld, state has %s serial %lld); "
						  "move it away to continue",
						  s->journal_path, s->path, lineage ? lineage : "?", (long long)serial,
						  sg_state_lineage(s), (long long)sg_state_serial(s));
				json_decref(rec);
				break;
			}
		} else {
			apply_record(s, rec);
			s->dirty = true;
		}
		json_decref(rec);
		p = nl + 1;
	}
	sg_buf_free(&text);
	return rc;
}

int sg_state_load(const char *state_dir, sg_state **out, sg_error *err)
{
	*out = NULL;
	sg_state *s = sg_calloc(1, sizeof(*s));
	s->journal_fd = -1;
	s->dir = sg_strdup(state_dir);
	sg_buf b = SG_BUF_INIT;
	sg_fs_join(&b, state_dir, "state.json");
	s->path = sg_strdup(b.ptr);
	sg_buf_puts(&b, ".backup");
	s->backup_path = sg_strdup(b.ptr);
	sg_fs_join(&b, state_dir, "state.json.journal");
	s->journal_path = sg_strdup(b.ptr);
	sg_buf_free(&b);

	if (sg_fs_exists(s->path)) {
		json_error_t jerr;
		s->doc = json_load_file(s->path, 0, &jerr);
		if (!s->doc) {
			sg_error_set(err,
				     "%s is corrupt (%s at line %d, column %d) and was left untouched; the previous version "
				     "is in %s: copy it over state.json to restore it",
				     s->path, jerr.text, jerr.line, jerr.column, s->backup_path);
			sg_state_free(s);
			return -1;
		}
		if (check_doc(s->doc, s->path, err) < 0) {
			sg_state_free(s);
			return -1;
		}
		s->exists = true;
	} else {
		s->doc = new_doc();
	}
	if (sg_fs_exists(s->journal_path)) {
		s->journal_seen = true;
		if (replay_journal(s, err) < 0) {
			sg_state_free(s);
			return -1;
		}
		s->exists = true;
	}
	*out = s;
	return 0;
}

void sg_state_free(sg_state *s)
{
	if (!s)
		return;
	if (s->journal_fd >= 0) {
		fdatasync(s->journal_fd);
		close(s->journal_fd);
	}
	json_decref(s->doc);
	free(s->dir);
	free(s->path);
	free(s->backup_path);
	free(s->journal_path);
	free(s);
}

const json_t *sg_state_doc(const sg_state *s)
{
	return s->doc;
}

json_t *sg_state_resources(sg_state *s)
{
	return json_object_get(s->doc, "resources");
}

json_t *sg_state_get(sg_state *s, const char *address)
{
	return json_object_get(sg_state_resources(s), address);
}

int64_t sg_state_serial(const sg_state *s)
{
	return json_integer_value(json_object_get(s->doc, "serial"));
}

const char *sg_state_lineage(const sg_state *s)
{
	return json_string_value(json_object_get(s->doc, "lineage"));
}

bool sg_state_exists(const sg_state *s)
{
	return s->exists;
}

static int64_t ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

static int journal_append(sg_state *s, json_t *rec, sg_error *err)
{
	if (s->journal_fd < 0) {
		if (sg_fs_mkdir_p(s->dir, err) < 0)
			return -1;
		ensure_lineage(s);
		bool fresh = !sg_fs_exists(s->journal_path);
		s->journal_fd = open(s->journal_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (s->journal_fd < 0)
			return sg_error_set(err, "cannot write the state journal %s: %s", s->journal_path, strerror(errno));
		/*
		 * A record torn by a crash was dropped when the journal was replayed;
		 * cut it off, or our first record would be glued to it. Only the lock
		 * holder writes here, so nothing can have been appended since.
		 */
		if (s->journal_seen && !fresh) {
			if (ftruncate(s->journal_fd, s->journal_valid) < 0)
				return sg_error_set(err, "cannot repair the state journal %s: %s", s->journal_path,
						    strerror(errno));
			fresh = s->journal_valid == 0; /* even the header was torn */
		}
		if (fresh) {
			json_t *hdr = json_pack("{s:i, s:s, s:I}", "journal", 1, "lineage", sg_state_lineage(s), "serial",
						(json_int_t)sg_state_serial(s));
			char *line = json_dumps(hdr, JSON_COMPACT);
			json_decref(hdr);
			sg_buf b = SG_BUF_INIT;
			sg_buf_printf(&b, "%s\n", line);
			free(line);
			int rc = sg_fs_write_all(s->journal_fd, b.ptr, b.len);
			sg_buf_free(&b);
			if (rc < 0 || fsync(s->journal_fd) < 0)
				return sg_error_set(err, "cannot write the state journal %s: %s", s->journal_path, strerror(errno));
			sg_fs_fsync_dir(s->dir);
		}
		clock_gettime(CLOCK_MONOTONIC, &s->last_sync);
	}
	char *line = json_dumps(rec, JSON_COMPACT);
	size_t len = strlen(line);
	line = sg_realloc(line, len + 2);
	line[len] = '\n';
	line[len + 1] = '\0';
	int rc = sg_fs_write_all(s->journal_fd, line, len + 1);
	free(line);
	if (rc < 0)
		return sg_error_set(err, "cannot write the state journal %s: %s", s->journal_path, strerror(errno));
	/* the record is in the kernel: it survives the process; group the syncs to the disk */
	if (++s->unsynced >= 64 || ms_since(&s->last_sync) >= 200) {
		fdatasync(s->journal_fd);
		s->unsynced = 0;
		clock_gettime(CLOCK_MONOTONIC, &s->last_sync);
	}
	s->dirty = true;
	s->exists = true;
	return 0;
}

int sg_state_put(sg_state *s, const char *address, json_t *entry, sg_error *err)
{
	json_t *rec = json_pack("{s:s, s:s, s:O}", "op", "put", "address", address, "entry", entry);
	int rc = journal_append(s, rec, err);
	json_decref(rec);
	if (rc == 0)
		json_object_set(sg_state_resources(s), address, entry);
	json_decref(entry);
	return rc;
}

int sg_state_remove(sg_state *s, const char *address, sg_error *err)
{
	json_t *rec = json_pack("{s:s, s:s}", "op", "remove", "address", address);
	int rc = journal_append(s, rec, err);
	json_decref(rec);
	if (rc == 0)
		json_object_del(sg_state_resources(s), address);
	return rc;
}

void sg_state_put_unrecorded(sg_state *s, const char *address, json_t *entry)
{
	json_object_set_new(sg_state_resources(s), address, entry);
}

void sg_state_remove_unrecorded(sg_state *s, const char *address)
{
	json_object_del(sg_state_resources(s), address);
}

int sg_state_mark_stage(sg_state *s, const char *stage, sg_error *err)
{
	time_t t = time(NULL);
	char when[64];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_t *record = json_pack("{s:s, s:I}", "applied_at", when, "serial", (json_int_t)sg_state_serial(s) + 1);
	json_t *rec = json_pack("{s:s, s:s, s:O}", "op", "stage", "stage", stage, "record", record);
	int rc = journal_append(s, rec, err);
	json_decref(rec);
	if (rc == 0)
		json_object_set(json_object_get(s->doc, "stages"), stage, record);
	json_decref(record);
	return rc;
}

int sg_state_set_outputs(sg_state *s, json_t *outputs, sg_error *err)
{
	if (sg_json_equal(outputs, json_object_get(s->doc, "outputs"))) {
		json_decref(outputs);
		return 0;
	}
	json_t *rec = json_pack("{s:s, s:O}", "op", "outputs", "outputs", outputs);
	int rc = journal_append(s, rec, err);
	json_decref(rec);
	if (rc == 0)
		json_object_set(s->doc, "outputs", outputs);
	json_decref(outputs);
	return rc;
}

int sg_state_persist(sg_state *s, sg_error *err)
{
	if (!s->dirty)
		return 0;
	if (sg_fs_mkdir_p(s->dir, err) < 0)
		return -1;
	ensure_lineage(s);
	json_object_set_new(s->doc, "serial", json_integer(sg_state_serial(s) + 1));
	json_object_set_new(s->doc, "sigma_version", json_string(SIGMA_VERSION));
	char *text = json_dumps(s->doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	size_t len = strlen(text);
	text = sg_realloc(text, len + 2);
	text[len] = '\n';
	text[len + 1] = '\0';
	int rc = 0;
	if (sg_fs_exists(s->path)) {
		/* keep the previous version: a hard link made atomic by a rename */
		sg_buf tmp = SG_BUF_INIT;
		sg_buf_printf(&tmp, "%s.tmp-%ld", s->backup_path, (long)getpid());
		unlink(tmp.ptr);
		if (link(s->path, tmp.ptr) < 0 || rename(tmp.ptr, s->backup_path) < 0) {
			rc = sg_error_set(err, "cannot keep the previous state as %s: %s", s->backup_path, strerror(errno));
			unlink(tmp.ptr);
		}
		sg_buf_free(&tmp);
	}
	if (rc == 0)
		rc = sg_fs_write_atomic_mode(s->path, text, len + 1, 0600, err);
	free(text);
	if (rc < 0) {
		json_object_set_new(s->doc, "serial", json_integer(sg_state_serial(s) - 1));
		return -1;
	}
	/* the document now holds everything the journal did */
	if (s->journal_fd >= 0) {
		close(s->journal_fd);
		s->journal_fd = -1;
	}
	unlink(s->journal_path);
	sg_fs_fsync_dir(s->dir);
	s->dirty = false;
	s->exists = true;
	return 0;
}

char *sg_state_protect(const json_t *value, const char *like)
{
	sg_buf salt = SG_BUF_INIT, text = SG_BUF_INIT, out = SG_BUF_INIT;
	if (like && sg_str_starts_with(like, "hmac-sha256:")) {
		const char *start = like + strlen("hmac-sha256:");
		const char *colon = strchr(start, ':');
		if (colon)
			sg_buf_put(&salt, start, (size_t)(colon - start));
	}
	if (!salt.len)
		sg_random_hex(&salt, 16);
	sg_json_canonical(&text, value);
	sg_buf_printf(&out, "hmac-sha256:%s:", salt.ptr);
	sg_hmac_sha256_hex(&out, salt.ptr, salt.len, sg_buf_cstr(&text), text.len);
	sg_buf_free_secret(&text);
	sg_buf_free(&salt);
	return sg_buf_detach(&out);
}

bool sg_state_protected_matches(const char *protected_value, const json_t *value)
{
	if (!protected_value || !sg_str_starts_with(protected_value, "hmac-sha256:"))
		return false;
	char *again = sg_state_protect(value, protected_value);
	bool same = strlen(again) == strlen(protected_value) &&
		    CRYPTO_memcmp(again, protected_value, strlen(again)) == 0;
	free(again);
	return same;
}
