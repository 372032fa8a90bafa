#include "core/value.h"

#include "util/alloc.h"

#include <string.h>

#define UNKNOWN_KEY "$sigma_unknown"

json_t *sg_unknown(void)
{
	return json_pack("{s:b}", UNKNOWN_KEY, 1);
}

bool sg_is_unknown(const json_t *v)
{
	return v && json_is_object(v) && json_object_size(v) == 1 && json_object_get(v, UNKNOWN_KEY);
}

bool sg_has_unknown(const json_t *v)
{
	if (!v)
		return false;
	if (sg_is_unknown(v))
		return true;
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			if (sg_has_unknown(e))
				return true;
		}
	} else if (json_is_object(v)) {
		const char *k;
		json_t *e;
		json_object_foreach((json_t *)v, k, e) {
			if (sg_has_unknown(e))
				return true;
		}
	}
	return false;
}

json_t *sg_yaml_to_json(const sg_ynode *n)
{
	if (!n)
		return json_null();
	switch (n->kind) {
	case SG_Y_MAP: {
		json_t *o = json_object();
		for (size_t i = 0; i < n->n; i++)
			json_object_set_new(o, n->pairs[i].key->str, sg_yaml_to_json(n->pairs[i].value));
		return o;
	}
	case SG_Y_SEQ: {
		json_t *a = json_array();
		for (size_t i = 0; i < n->n; i++)
			json_array_append_new(a, sg_yaml_to_json(n->items[i]));
		return a;
	}
	case SG_Y_SCALAR:
		break;
	}
	if (sg_yscalar_is_null(n))
		return json_null();
	int b = sg_yscalar_bool(n);
	if (b >= 0)
		return json_boolean(b);
	int64_t iv;
	if (sg_yscalar_int(n, &iv) == 0)
		return json_integer(iv);
	double dv;
	if (sg_yscalar_number(n, &dv) == 0)
		return json_real(dv);
	return json_stringn(n->str, n->len);
}

