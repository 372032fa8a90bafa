#include "state/lock.h"

#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/text.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sg_lock {
	char *path;
	char *id;
};

static void lock_path(sg_buf *out, const char *state_dir)
{
	sg_fs_join(out, state_dir, "state.lock");
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Describe the holder of an existing lock; sets *stale when its process is gone. */
static void describe_holder(const char *path, sg_buf *out, bool *stale, sg_buf *id)
{
	*stale = false;
	json_t *info = json_load_file(path, 0, NULL);
	if (!info) {
		sg_buf_puts(out, "an unreadable lock file");
		return;
	}
	const char *host = json_string_value(json_object_get(info, "host"));
	json_int_t pid = json_integer_value(json_object_get(info, "pid"));
	const char *cmd = json_string_value(json_object_get(info, "command"));
	const char *when = json_string_value(json_object_get(info, "time"));
	const char *lid = json_string_value(json_object_get(info, "id"));
	sg_buf_printf(out, "pid %lld on %s, running \"%s\" since %s (lock ID %s)", (long long)pid, host ? host : "?",
		      cmd ? cmd : "?", when ? when : "?", lid ? lid : "?");
	if (lid)
		sg_buf_puts(id, lid);
	char me[256] = "";
	gethostname(me, sizeof(me) - 1);
	if (host && !strcmp(host, me) && pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		*stale = true;
	json_decref(info);
}

int sg_lock_acquire(const char *state_dir, const char *command, int64_t timeout_ms, sg_lock **out, sg_error *err)
{
	*out = NULL;
	if (sg_fs_mkdir_p(state_dir, err) < 0)
		return -1;
	sg_buf path = SG_BUF_INIT, tmp = SG_BUF_INIT, id = SG_BUF_INIT;
	lock_path(&path, state_dir);
	sg_uuid4(&id);
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	time_t t = time(NULL);
	char when[64];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_t *info = json_pack("{s:s, s:I, s:s, s:s, s:s}", "id", id.ptr, "pid", (json_int_t)getpid(), "host", host,
				 "time", when, "command", command ? command : "sigma");
	char *text = json_dumps(info, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(info);
	/* write the whole file first, then link it into place: readers never see half of it */
	sg_buf_printf(&tmp, "%s.%s", path.ptr, id.ptr);
	int rc = sg_fs_write_atomic(tmp.ptr, text, strlen(text), err);
	free(text);
	int64_t deadline = now_ms() + timeout_ms;
	while (rc == 0) {
		if (link(tmp.ptr, path.ptr) == 0) {
			sg_fs_fsync_dir(state_dir);
			break;
		}
		if (errno != EEXIST) {
			rc = sg_error_set(err, "cannot take the state lock %s: %s", path.ptr, strerror(errno));
			break;
		}
		sg_buf who = SG_BUF_INIT, their_id = SG_BUF_INIT;
		bool stale = false;
		describe_holder(path.ptr, &who, &stale, &their_id);
		if (stale) {
			rc = sg_error_set(err,
					  "the state is locked by a process that is gone: %s; if no sigma command is running, "
					  "remove the stale lock with: sigma force-unlock %s",
					  who.ptr, their_id.len ? their_id.ptr : "ID");
		} else if (now_ms() >= deadline) {
			rc = sg_error_set(err, "the state is locked: held by %s%s", who.ptr,
					  timeout_ms > 0 ? "; gave up waiting (-lock-timeout)" : "; wait for it or use -lock-timeout");
		}
		sg_buf_free(&who);
		sg_buf_free(&their_id);
		if (rc == 0)
			usleep(100 * 1000);
	}
	unlink(tmp.ptr);
	if (rc == 0) {
		sg_lock *l = sg_calloc(1, sizeof(*l));
		l->path = sg_buf_detach(&path);
		l->id = sg_buf_detach(&id);
		*out = l;
	}
	sg_buf_free(&path);
	sg_buf_free(&tmp);
	sg_buf_free(&id);
	return rc;
}

const char *sg_lock_id(const sg_lock *l)
{
	return l->id;
}

void sg_lock_release(sg_lock *l)
{
	if (!l)
		return;
	json_t *info = json_load_file(l->path, 0, NULL);
	const char *id = json_string_value(json_object_get(info, "id"));
	if (id && !strcmp(id, l->id))
		unlink(l->path);
	json_decref(info);
	free(l->path);
	free(l->id);
	free(l);
}

int sg_lock_force_unlock(const char *state_dir, const char *id, sg_error *err)
{
	sg_buf path = SG_BUF_INIT;
	lock_path(&path, state_dir);
	int rc = 0;
	json_error_t jerr;
	json_t *info = json_load_file(path.ptr, 0, &jerr);
	if (!info) {
		if (!sg_fs_exists(path.ptr))
			rc = sg_error_set(err, "the state is not locked (no %s)", path.ptr);
		else
			rc = sg_error_set(err, "%s is unreadable: %s", path.ptr, jerr.text);
	} else {
		const char *have = json_string_value(json_object_get(info, "id"));
		if (!have || strcmp(have, id)) {
			rc = sg_error_set(err, "the lock ID is %s, not %s: nothing was removed", have ? have : "?", id);
		} else if (unlink(path.ptr) < 0) {
			rc = sg_error_set(err, "cannot remove %s: %s", path.ptr, strerror(errno));
		}
	}
	json_decref(info);
	sg_buf_free(&path);
	return rc;
}
