/*
 * Byte streams for the pipeline's transforms (Fernet, gzip): a source to
 * pull bytes from and a sink to push them into, each a pair of function
 * pointers and a context, so a transform neither knows nor cares whether
 * it reads a file, a pipe or memory, or writes a temporary file, a buffer
 * or the next transform.
 *
 * Ready-made ones: a file descriptor (source and sink), memory (source)
 * and an sg_buf (sink).
 */
#ifndef SG_PIPELINE_STREAM_H
#define SG_PIPELINE_STREAM_H

#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct sg_source {
	/* Read up to `cap` bytes into `buf`; *out_n = 0 means the end. -1 with err set on failure. */
	int (*read)(void *ctx, void *buf, size_t cap, size_t *out_n, sg_error *err);
	/* Go back to where the source started, for a second pass. NULL when it cannot. */
	int (*rewind)(void *ctx, sg_error *err);
	void *ctx;
} sg_source;

typedef struct sg_sink {
	/* Take all `len` bytes. -1 with err set on failure. */
	int (*write)(void *ctx, const void *data, size_t len, sg_error *err);
	/* Forget everything written so far (a second pass will write it again). NULL when it cannot. */
	int (*reset)(void *ctx, sg_error *err);
	void *ctx;
} sg_sink;

/* The context of a file-descriptor source or sink. `name` is borrowed, for messages. */
typedef struct sg_fd_stream {
	int fd;
	const char *name;
	off_t start;  /* offset at set-up; rewind and reset go back here */
	bool seekable;
	/*
	 * Sinks only: when not 0, start the kernel writing back every this many
	 * bytes as they come (sync_file_range), so a final fsync of a large file
	 * finds little left to do. Set it after sg_sink_fd.
	 */
	size_t writeback_every;
	off_t written;   /* bytes written since set-up or reset */
	off_t flushed;   /* of which writeback was started for */
} sg_fd_stream;

/*
 * A source reading `fd` from its current offset. It can rewind when `fd`
 * is a regular file (lseek works), not when it is a pipe or a terminal.
 */
void sg_source_fd(sg_source *src, sg_fd_stream *ctx, int fd, const char *name);
/* A sink writing to `fd`; reset truncates a regular file back to where it started. */
void sg_sink_fd(sg_sink *sink, sg_fd_stream *ctx, int fd, const char *name);

typedef struct sg_mem_stream {
	const uint8_t *data;
	size_t len, pos;
	size_t max_read; /* hand out at most this many bytes a read (0 = no limit), to test chunking */
} sg_mem_stream;

/* A rewindable source over `len` bytes of borrowed memory. */
void sg_source_mem(sg_source *src, sg_mem_stream *ctx, const void *data, size_t len);
/* A sink appending to `buf`; reset empties it (wiping what it held). */
void sg_sink_buf(sg_sink *sink, sg_buf *buf);

/* Read until `cap` bytes or the end; *out_n < cap only at the end. */
int sg_source_read_full(const sg_source *src, void *buf, size_t cap, size_t *out_n, sg_error *err);

/*
 * An anonymous temporary file (no name: it disappears with its last
 * descriptor), mode 0600, in `dir` or, when NULL, $TMPDIR or /tmp. For
 * spooling data that must not be seen before it is checked.
 */
int sg_tmpfile_anon(const char *dir, int *out_fd, sg_error *err);

/* Copy all of `src` into `sink` through a buffer of its own. */
int sg_stream_copy(const sg_source *src, const sg_sink *sink, sg_error *err);

#endif
