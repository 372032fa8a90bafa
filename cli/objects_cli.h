/*
 * What the object commands (cp, ls, cat, rm, events) share: the project's
 * object store, gs:// arguments, human sizes, and the progress line of
 * long copies.
 */
#ifndef SG_CLI_OBJECTS_CLI_H
#define SG_CLI_OBJECTS_CLI_H

#include "cli/cli.h"
#include "providers/local/object_store.h"
#include "util/buf.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* The object store of the project in cli->dir; prints the error. 0 or 1 (an exit code). */
int sg_cli_objects_open(const sg_cli *cli, sg_objects **out);

/*
 * Split a gs:// argument into bucket and name (checked: a bad bucket name,
 * "..", a leading '/' or a control character is refused); prints the error.
 * 0 or 1.
 */
int sg_cli_gs_split(const sg_cli *cli, const char *uri, sg_buf *bucket, sg_buf *name);

/* Is the argument a gs:// URL? */
bool sg_cli_is_gs(const char *arg);

/*
 * Short single-letter flags, combinable as gsutil takes them (-lr, -r -l):
 * when argv[i] is "-" followed only by letters of `letters`, set
 * out[k] for each letter letters[k] and return true.
 */
bool sg_cli_short_flags(const char *arg, const char *letters, bool *out);

/* 1536 -> "1.50 KiB", 3 -> "3 B". */
void sg_cli_human_size(sg_buf *out, uint64_t bytes);

/* Sizes from which a copy shows its progress (on a terminal only). */
#define SG_PROGRESS_MIN_BYTES (4u << 20)

typedef struct sg_progress {
	bool on;         /* stderr is a terminal */
	bool shown;      /* a line has been drawn */
	const char *label;
	uint64_t total;  /* 0 when unknown (a pipe) */
	uint64_t done;
	size_t last_len;
	struct timespec start, last;
} sg_progress;

/* Start measuring a copy of `total` bytes (0 = unknown) named `label` (borrowed). */
void sg_progress_start(sg_progress *p, const sg_cli *cli, const char *label, uint64_t total);
/* `done` bytes so far; redraws at most ten times a second, once the copy is past the threshold. */
void sg_progress_update(sg_progress *p, uint64_t done);
/* Draw the final state and end the line (when anything was shown). */
void sg_progress_end(sg_progress *p);

#endif
