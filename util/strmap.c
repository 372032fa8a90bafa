#include "util/strmap.h"

#include "util/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static sg_strmap_slot *find_slot(sg_strmap_slot *slots, size_t cap, const char *key)
{
	size_t i = (size_t)hash_str(key) & (cap - 1);
	for (;;) {
		if (!slots[i].key || !strcmp(slots[i].key, key))
			return &slots[i];
		i = (i + 1) & (cap - 1);
	}
}

static void grow(sg_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	sg_strmap_slot *slots = sg_calloc(cap, sizeof(*slots));
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[i].key)
			*find_slot(slots, cap, m->slots[i].key) = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

void *sg_strmap_put(sg_strmap *m, const char *key, void *value)
{
	if ((m->count + 1) * 4 > m->cap * 3)
		grow(m);
	sg_strmap_slot *s = find_slot(m->slots, m->cap, key);
	void *old = NULL;
	if (s->key) {
		old = s->value;
	} else {
		s->key = key;
		m->count++;
	}
	s->value = value;
	return old;
}

void *sg_strmap_get(const sg_strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	sg_strmap_slot *s = find_slot(m->slots, m->cap, key);
	return s->key ? s->value : NULL;
}

bool sg_strmap_has(const sg_strmap *m, const char *key)
{
	if (!m->cap)
		return false;
	return find_slot(m->slots, m->cap, key)->key != NULL;
}

bool sg_strmap_next(const sg_strmap *m, size_t *iter, const char **key, void **value)
{
	while (*iter < m->cap) {
		sg_strmap_slot *s = &m->slots[(*iter)++];
		if (s->key) {
			if (key)
				*key = s->key;
			if (value)
				*value = s->value;
			return true;
		}
	}
	return false;
}

void sg_strmap_free(sg_strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->count = 0;
}
