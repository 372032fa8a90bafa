/* JSON helpers shared by every layer (jansson underneath). */
#ifndef SG_UTIL_JSON_H
#define SG_UTIL_JSON_H

#include "util/buf.h"

#include <jansson.h>
#include <stdbool.h>

/* Compact JSON with sorted keys: equal values give equal text. Appended to `out`. */
void sg_json_canonical(sg_buf *out, const json_t *v);
/* Deep equality that treats integers and reals holding the same number alike. */
bool sg_json_equal(const json_t *a, const json_t *b);

#endif
