#include "pipeline/stream.h"

#include "util/alloc.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fd_read(void *ctx, void *buf, size_t cap, size_t *out_n, sg_error *err)
{
	sg_fd_stream *s = ctx;
	for (;;) {
		ssize_t n = read(s->fd, buf, cap);
		if (n >= 0) {
			*out_n = (size_t)n;
			return 0;
		}
		if (errno != EINTR)
			return sg_error_set(err, "cannot read %s: %s", s->name, strerror(errno));
	}
}

static int fd_rewind(void *ctx, sg_error *err)
{
	sg_fd_stream *s = ctx;
	if (lseek(s->fd, s->start, SEEK_SET) < 0)
		return sg_error_set(err, "cannot go back to the start of %s: %s", s->name, strerror(errno));
	return 0;
}

static int fd_write(void *ctx, const void *data, size_t len, sg_error *err)
{
	sg_fd_stream *s = ctx;
	if (sg_fs_write_all(s->fd, data, len) < 0)
		return sg_error_set(err, "cannot write %s: %s", s->name, strerror(errno));
	s->written += (off_t)len;
	if (s->writeback_every && s->written - s->flushed >= (off_t)s->writeback_every) {
		/* only a hint to the kernel: a failure here changes nothing */
		(void)sync_file_range(s->fd, s->start + s->flushed, s->written - s->flushed,
				      SYNC_FILE_RANGE_WRITE);
		s->flushed = s->written;
	}
	return 0;
}

static int fd_reset(void *ctx, sg_error *err)
{
	sg_fd_stream *s = ctx;
	if (ftruncate(s->fd, s->start) < 0 || lseek(s->fd, s->start, SEEK_SET) < 0)
		return sg_error_set(err, "cannot truncate %s: %s", s->name, strerror(errno));
	s->written = s->flushed = 0;
	return 0;
}

static void fd_stream_init(sg_fd_stream *ctx, int fd, const char *name)
{
	struct stat st;
	memset(ctx, 0, sizeof(*ctx));
	ctx->fd = fd;
	ctx->name = name;
	ctx->start = lseek(fd, 0, SEEK_CUR);
	ctx->seekable = ctx->start >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (ctx->start < 0)
		ctx->start = 0;
}

void sg_source_fd(sg_source *src, sg_fd_stream *ctx, int fd, const char *name)
{
	fd_stream_init(ctx, fd, name);
	src->read = fd_read;
	src->rewind = ctx->seekable ? fd_rewind : NULL;
	src->ctx = ctx;
}

void sg_sink_fd(sg_sink *sink, sg_fd_stream *ctx, int fd, const char *name)
{
	fd_stream_init(ctx, fd, name);
	sink->write = fd_write;
	sink->reset = ctx->seekable ? fd_reset : NULL;
	sink->ctx = ctx;
}

static int mem_read(void *ctx, void *buf, size_t cap, size_t *out_n, sg_error *err)
{
	(void)err;
	sg_mem_stream *m = ctx;
	size_t n = m->len - m->pos;
	if (n > cap)
		n = cap;
	if (m->max_read && n > m->max_read)
		n = m->max_read;
	if (n)
		memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	*out_n = n;
	return 0;
}

static int mem_rewind(void *ctx, sg_error *err)
{
	(void)err;
	((sg_mem_stream *)ctx)->pos = 0;
	return 0;
}

void sg_source_mem(sg_source *src, sg_mem_stream *ctx, const void *data, size_t len)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->data = data;
	ctx->len = len;
	src->read = mem_read;
	src->rewind = mem_rewind;
	src->ctx = ctx;
}

static int buf_write(void *ctx, const void *data, size_t len, sg_error *err)
{
	(void)err;
	sg_buf_put(ctx, data, len);
	return 0;
}

static int buf_reset(void *ctx, sg_error *err)
{
	(void)err;
	sg_buf *b = ctx;
	sg_wipe(b->ptr, b->len);
	sg_buf_clear(b);
	return 0;
}

void sg_sink_buf(sg_sink *sink, sg_buf *buf)
{
	sink->write = buf_write;
	sink->reset = buf_reset;
	sink->ctx = buf;
}

int sg_source_read_full(const sg_source *src, void *buf, size_t cap, size_t *out_n, sg_error *err)
{
	size_t got = 0;
	while (got < cap) {
		size_t n = 0;
		if (src->read(src->ctx, (char *)buf + got, cap - got, &n, err) < 0)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	*out_n = got;
	return 0;
}

int sg_tmpfile_anon(const char *dir, int *out_fd, sg_error *err)
{
	if (!dir) {
		dir = getenv("TMPDIR");
		if (!dir || !*dir)
			dir = "/tmp";
	}
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		/* filesystems without O_TMPFILE: a named file, unlinked at once */
		sg_buf path = SG_BUF_INIT;
		sg_buf_printf(&path, "%s/.sigma-spool-XXXXXX", dir);
		fd = mkostemp(path.ptr, O_CLOEXEC);
		if (fd >= 0)
			unlink(path.ptr);
		sg_buf_free(&path);
	}
	if (fd < 0)
		return sg_error_set(err, "cannot create a temporary file in %s: %s", dir, strerror(errno));
	*out_fd = fd;
	return 0;
}

int sg_stream_copy(const sg_source *src, const sg_sink *sink, sg_error *err)
{
	size_t cap = 256 * 1024;
	char *buf = sg_malloc(cap);
	int rc = 0;
	for (;;) {
		size_t n = 0;
		rc = src->read(src->ctx, buf, cap, &n, err);
		if (rc < 0 || n == 0)
			break;
		rc = sink->write(sink->ctx, buf, n, err);
		if (rc < 0)
			break;
	}
	sg_wipe(buf, cap);
	free(buf);
	return rc;
}
