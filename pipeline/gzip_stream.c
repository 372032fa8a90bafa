#include "pipeline/gzip_stream.h"

#include "util/alloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define GZ_CHUNK (128 * 1024)
/* windowBits + 16: a gzip wrapper rather than zlib's own (zlib.h, deflateInit2) */
#define GZ_WBITS (MAX_WBITS + 16)

/* zlib counts in uInt: feed it at most this much at a time */
#define GZ_MAX_IN ((size_t)UINT_MAX / 2)

static const char *zmsg(const z_stream *z, int rc)
{
	if (z->msg)
		return z->msg;
	return rc == Z_MEM_ERROR ? "out of memory" : "zlib error";
}

int sg_gzip_writer_init(sg_gzip_writer *w, int level, const sg_sink *next, sg_error *err)
{
	memset(w, 0, sizeof(*w));
	int rc = deflateInit2(&w->z, level, Z_DEFLATED, GZ_WBITS, 8, Z_DEFAULT_STRATEGY);
	if (rc != Z_OK)
		return sg_error_set(err, "cannot start gzip compression: %s", zmsg(&w->z, rc));
	w->next = *next;
	w->out = sg_malloc(GZ_CHUNK);
	w->ready = true;
	return 0;
}

/* Run deflate with `flush` until it needs more input (or, for Z_FINISH, ends). */
static int deflate_pump(sg_gzip_writer *w, int flush, sg_error *err)
{
	for (;;) {
		w->z.next_out = w->out;
		w->z.avail_out = GZ_CHUNK;
		int rc = deflate(&w->z, flush);
		if (rc == Z_STREAM_ERROR)
			return sg_error_set(err, "gzip compression failed: %s", zmsg(&w->z, rc));
		size_t have = GZ_CHUNK - w->z.avail_out;
		if (have && w->next.write(w->next.ctx, w->out, have, err) < 0)
			return -1;
		if (flush == Z_FINISH ? rc == Z_STREAM_END : w->z.avail_out != 0)
			return 0;
	}
}

int sg_gzip_writer_write(sg_gzip_writer *w, const void *data, size_t len, sg_error *err)
{
	const uint8_t *p = data;
	while (len > 0) {
		size_t n = len < GZ_MAX_IN ? len : GZ_MAX_IN;
		w->z.next_in = (Bytef *)p;
		w->z.avail_in = (uInt)n;
		if (deflate_pump(w, Z_NO_FLUSH, err) < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int sg_gzip_writer_finish(sg_gzip_writer *w, sg_error *err)
{
	w->z.next_in = NULL;
	w->z.avail_in = 0;
	return deflate_pump(w, Z_FINISH, err);
}

void sg_gzip_writer_free(sg_gzip_writer *w)
{
	if (w->ready)
		deflateEnd(&w->z);
	if (w->out) {
		sg_wipe(w->out, GZ_CHUNK);
		free(w->out);
	}
	memset(w, 0, sizeof(*w));
}

static int gzip_writer_sink_write(void *ctx, const void *data, size_t len, sg_error *err)
{
	return sg_gzip_writer_write(ctx, data, len, err);
}

void sg_gzip_writer_sink(sg_gzip_writer *w, sg_sink *out)
{
	out->write = gzip_writer_sink_write;
	out->reset = NULL;
	out->ctx = w;
}

int sg_gunzip_init(sg_gunzip *g, const sg_sink *next, sg_error *err)
{
	memset(g, 0, sizeof(*g));
	int rc = inflateInit2(&g->z, GZ_WBITS);
	if (rc != Z_OK)
		return sg_error_set(err, "cannot start gzip decompression: %s", zmsg(&g->z, rc));
	g->next = *next;
	g->out = sg_malloc(GZ_CHUNK);
	g->ready = true;
	return 0;
}

static int corrupt(sg_gunzip *g, int rc, sg_error *err)
{
	g->is_corrupt = true;
	return sg_error_set(err, "corrupt gzip stream: %s (after %llu compressed bytes)", zmsg(&g->z, rc),
			    (unsigned long long)(g->in_bytes - g->z.avail_in));
}

int sg_gunzip_write(sg_gunzip *g, const void *data, size_t len, sg_error *err)
{
	const uint8_t *p = data;
	if (len)
		g->has_input = true;
	while (len > 0) {
		size_t n = len < GZ_MAX_IN ? len : GZ_MAX_IN;
		g->z.next_in = (Bytef *)p;
		g->z.avail_in = (uInt)n;
		g->in_bytes += n;
		for (;;) {
			if (g->member_done) {
				if (g->z.avail_in == 0)
					break;
				/* another member follows the one that ended */
				if (inflateReset(&g->z) != Z_OK)
					return corrupt(g, Z_STREAM_ERROR, err);
				g->member_done = false;
			}
			g->z.next_out = g->out;
			g->z.avail_out = GZ_CHUNK;
			int rc = inflate(&g->z, Z_NO_FLUSH);
			if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_STREAM_ERROR ||
			    rc == Z_MEM_ERROR)
				return corrupt(g, rc, err);
			size_t have = GZ_CHUNK - g->z.avail_out;
			g->out_bytes += have;
			if (have && g->next.write(g->next.ctx, g->out, have, err) < 0)
				return -1;
			if (rc == Z_STREAM_END)
				g->member_done = true;
			else if (g->z.avail_out != 0)
				break; /* all input taken: output was not the limit */
		}
		p += n;
		len -= n;
	}
	return 0;
}

int sg_gunzip_finish(sg_gunzip *g, sg_error *err)
{
	/* inflate may hold output it had no room for: drain it */
	while (!g->member_done && g->has_input) {
		g->z.next_in = NULL;
		g->z.avail_in = 0;
		g->z.next_out = g->out;
		g->z.avail_out = GZ_CHUNK;
		int rc = inflate(&g->z, Z_NO_FLUSH);
		if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_STREAM_ERROR || rc == Z_MEM_ERROR)
			return corrupt(g, rc, err);
		size_t have = GZ_CHUNK - g->z.avail_out;
		g->out_bytes += have;
		if (have && g->next.write(g->next.ctx, g->out, have, err) < 0)
			return -1;
		if (rc == Z_STREAM_END)
			g->member_done = true;
		else if (have == 0)
			break;
	}
	if (!g->has_input) {
		g->is_corrupt = true;
		return sg_error_set(err, "not a gzip stream: the data is empty");
	}
	if (!g->member_done) {
		g->is_corrupt = true;
		return sg_error_set(err,
				    "truncated gzip stream: the data ends inside the stream, after %llu "
				    "compressed bytes",
				    (unsigned long long)g->in_bytes);
	}
	return 0;
}

int sg_gunzip_restart(sg_gunzip *g, sg_error *err)
{
	if (inflateReset(&g->z) != Z_OK)
		return sg_error_set(err, "cannot restart gzip decompression");
	g->member_done = g->has_input = g->is_corrupt = false;
	g->in_bytes = g->out_bytes = 0;
	return 0;
}

void sg_gunzip_free(sg_gunzip *g)
{
	if (g->ready)
		inflateEnd(&g->z);
	if (g->out) {
		sg_wipe(g->out, GZ_CHUNK);
		free(g->out);
	}
	memset(g, 0, sizeof(*g));
}
