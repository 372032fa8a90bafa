#include "util/alloc.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t size)
{
	fprintf(stderr, "sigma: out of memory allocating %zu bytes\n", size);
	abort();
}

void *sg_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

void *sg_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		out_of_memory(count * size);
	return p;
}

void *sg_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

char *sg_strdup(const char *s)
{
	return sg_strndup(s, strlen(s));
}

char *sg_strndup(const char *s, size_t n)
{
	char *p = sg_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void sg_wipe(void *ptr, size_t len)
{
	if (ptr && len)
		OPENSSL_cleanse(ptr, len);
}
