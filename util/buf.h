/*
 * A growable byte buffer, always NUL-terminated once anything is in it
 * (git's strbuf, Redis's sds). The struct is public so callers can read
 * `ptr` and `len` directly; change it only through these functions.
 */
#ifndef SG_UTIL_BUF_H
#define SG_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct sg_buf {
	char *ptr;
	size_t len;
	size_t cap;
} sg_buf;

#define SG_BUF_INIT { NULL, 0, 0 }

/* Make room for `extra` more bytes (plus the terminating NUL). */
void sg_buf_grow(sg_buf *b, size_t extra);
void sg_buf_put(sg_buf *b, const void *data, size_t len);
void sg_buf_puts(sg_buf *b, const char *s);
void sg_buf_putc(sg_buf *b, char c);
void sg_buf_printf(sg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sg_buf_vprintf(sg_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Append `n` copies of `c`. */
void sg_buf_pad(sg_buf *b, char c, size_t n);
/* Shorten to `len` bytes (no-op when already shorter). */
void sg_buf_truncate(sg_buf *b, size_t len);
void sg_buf_clear(sg_buf *b);
/* The contents as a C string; "" for an empty buffer. Borrowed. */
const char *sg_buf_cstr(const sg_buf *b);
/* Hand the contents to the caller (who frees them) and reset the buffer. */
char *sg_buf_detach(sg_buf *b);
void sg_buf_free(sg_buf *b);
/* Wipe the contents before freeing them (for buffers that held secrets). */
void sg_buf_free_secret(sg_buf *b);

#endif
