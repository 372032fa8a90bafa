#include "util/json.h"

#include <stdlib.h>

void sg_json_canonical(sg_buf *out, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (s) {
		sg_buf_puts(out, s);
		free(s);
	}
}

bool sg_json_equal(const json_t *a, const json_t *b)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++) {
			if (!sg_json_equal(json_array_get(a, i), json_array_get(b, i)))
				return false;
		}
		return true;
	}
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return false;
		const char *k;
		json_t *e;
		json_object_foreach((json_t *)a, k, e) {
			if (!sg_json_equal(e, json_object_get(b, k)))
				return false;
		}
		return true;
	}
	return json_equal((json_t *)a, (json_t *)b);
}
