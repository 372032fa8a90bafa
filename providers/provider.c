#include "providers/provider.h"

#include <string.h>

const sg_kind *sg_provider_kind(const sg_provider *p, const char *name)
{
	for (const sg_kind *const *k = p->kinds; *k; k++) {
		if (!strcmp((*k)->name, name))
			return *k;
	}
	return NULL;
}

const sg_attr *sg_attr_find(const sg_attr *attrs, const char *name)
{
	if (!attrs)
		return NULL;
	for (const sg_attr *a = attrs; a->name; a++) {
		if (!strcmp(a->name, name))
			return a;
	}
	return NULL;
}
