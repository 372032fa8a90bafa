/*
 * gzip (RFC 1952, through zlib) as streaming transforms between sinks:
 * push bytes in, they come out compressed or decompressed into the next
 * sink, in fixed-size pieces, whatever the size of the whole.
 *
 * The inflater is strict about the end: finish fails unless the data
 * ended exactly at the end of a gzip member, so a truncated stream is an
 * error, never a short file. Concatenated members (what `cat a.gz b.gz`
 * makes, and what gzip -d and Python accept) decompress one after another.
 */
#ifndef SG_PIPELINE_GZIP_STREAM_H
#define SG_PIPELINE_GZIP_STREAM_H

#include "pipeline/stream.h"

#include <stdbool.h>
#include <stdint.h>
#include <zlib.h>

typedef struct sg_gzip_writer {
	z_stream z;
	sg_sink next;
	uint8_t *out; /* one output chunk */
	bool ready;
} sg_gzip_writer;

/* Compress into `next` at `level` (1..9, or -1 for zlib's default). */
int sg_gzip_writer_init(sg_gzip_writer *w, int level, const sg_sink *next, sg_error *err);
int sg_gzip_writer_write(sg_gzip_writer *w, const void *data, size_t len, sg_error *err);
/* Flush and write the gzip trailer. */
int sg_gzip_writer_finish(sg_gzip_writer *w, sg_error *err);
void sg_gzip_writer_free(sg_gzip_writer *w);
/* A sink whose write is sg_gzip_writer_write (no reset). */
void sg_gzip_writer_sink(sg_gzip_writer *w, sg_sink *out);

typedef struct sg_gunzip {
	z_stream z;
	sg_sink next;
	uint8_t *out;
	bool ready;
	bool member_done;  /* the last member ended and no byte of another has come */
	bool has_input;    /* any byte came at all */
	bool is_corrupt;   /* the failure was in the gzip data, not in the next sink */
	uint64_t in_bytes; /* compressed bytes taken, for messages */
	uint64_t out_bytes;
} sg_gunzip;

int sg_gunzip_init(sg_gunzip *g, const sg_sink *next, sg_error *err);
/*
 * Decompress `len` more bytes into the next sink. On failure, is_corrupt
 * tells a corrupt gzip stream from a failing next sink.
 */
int sg_gunzip_write(sg_gunzip *g, const void *data, size_t len, sg_error *err);
/* The compressed data has ended: fails (is_corrupt) when it stopped inside a member. */
int sg_gunzip_finish(sg_gunzip *g, sg_error *err);
/* Drop all state and start again as if new (for a second pass). */
int sg_gunzip_restart(sg_gunzip *g, sg_error *err);
void sg_gunzip_free(sg_gunzip *g);

#endif
