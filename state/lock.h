/*
 * The state lock: .sigma/state.lock, created exclusively, holding who took
 * it ({"id", "pid", "host", "time", "command"}). A second plan or apply
 * fails at once naming the holder, or waits up to a timeout. A lock whose
 * process is gone (same host) is reported as stale and is only removed by
 * `sigma force-unlock ID`, never taken over silently.
 */
#ifndef SG_STATE_LOCK_H
#define SG_STATE_LOCK_H

#include "util/error.h"

#include <stdint.h>

typedef struct sg_lock sg_lock;

int sg_lock_acquire(const char *state_dir, const char *command, int64_t timeout_ms, sg_lock **out, sg_error *err);
/* Release (remove the file if it is still ours) and free. */
void sg_lock_release(sg_lock *l);
const char *sg_lock_id(const sg_lock *l);

/* Remove the lock whose ID is `id`. */
int sg_lock_force_unlock(const char *state_dir, const char *id, sg_error *err);

#endif
