#include "core/schema_check.h"

#include "core/expr.h"
#include "core/value.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/text.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

const char *sg_type_describe(sg_type t)
{
	switch (t) {
	case SG_T_STRING:
		return "a string";
	case SG_T_INT:
		return "an integer";
	case SG_T_BOOL:
		return "a boolean (true or false)";
	case SG_T_DURATION:
		return "a duration (\"90s\", \"2m\", \"1h30m\" or seconds)";
	case SG_T_LIST:
		return "a list";
	case SG_T_MAP:
		return "a mapping";
	case SG_T_OBJECT:
		return "a mapping";
	case SG_T_ANY:
		return "a value";
	}
	return "a value";
}

static json_t *convert_fields(const sg_attr *fields, const sg_ynode *map, const char *what, const char *path,
			      const char *const *skip, sg_diags *d);

static void describe_found(sg_buf *b, const sg_ynode *n)
{
	const char *what = sg_ynode_describe(n);
	if (n && n->kind == SG_Y_SCALAR && !sg_yscalar_is_null(n))
		sg_buf_printf(b, "the %s \"%.*s\"", what, (int)(n->len > 40 ? 40 : n->len), n->str);
	else
		sg_buf_printf(b, "a %s", what);
}

static void type_error(sg_diags *d, const sg_ynode *n, const char *what, const char *path, const sg_attr *a)
{
	sg_buf found = SG_BUF_INIT;
	describe_found(&found, n);
	sg_diags_add(d, SG_SEV_ERROR, &n->pos, what, "%s: expected %s, found %s", path, sg_type_describe(a->type),
		     found.ptr);
	sg_buf_free(&found);
}

static bool has_ref(const sg_ynode *n)
{
	return n->kind == SG_Y_SCALAR && sg_expr_has_refs(n->str);
}

static void enum_list(sg_buf *b, const char *const *vals)
{
	for (size_t i = 0; vals[i]; i++) {
		if (i)
			sg_buf_puts(b, vals[i + 1] ? ", " : " or ");
		sg_buf_puts(b, vals[i]);
	}
}

static json_t *convert_enum(const sg_attr *a, const sg_ynode *n, const char *what, const char *path, sg_diags *d)
{
	if (has_ref(n))
		return json_stringn(n->str, n->len);
	for (size_t i = 0; a->enum_values[i]; i++) {
		bool same = (a->flags & SG_A_UPPER) ? !strcasecmp(n->str, a->enum_values[i])
						    : !strcmp(n->str, a->enum_values[i]);
		if (same)
			return json_string(a->enum_values[i]);
	}
	sg_buf vals = SG_BUF_INIT;
	enum_list(&vals, a->enum_values);
	sg_diags_add(d, SG_SEV_ERROR, &n->pos, what, "%s: expected one of %s, found \"%s\"", path, vals.ptr, n->str);
	sg_buf_free(&vals);
	return NULL;
}

json_t *sg_schema_convert_value(const sg_attr *a, const sg_ynode *n, const char *what, const char *path,
				sg_diags *d)
{
	switch (a->type) {
	case SG_T_STRING:
		if (n->kind != SG_Y_SCALAR || sg_yscalar_is_null(n)) {
			type_error(d, n, what, path, a);
			return NULL;
		}
		if (a->enum_values)
			return convert_enum(a, n, what, path, d);
		if ((a->flags & SG_A_UPPER) && !has_ref(n)) {
			char *up = sg_strndup(n->str, n->len);
			for (char *p = up; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			json_t *v = json_string(up);
			free(up);
			return v;
		}
		return json_stringn(n->str, n->len);
	case SG_T_INT: {
		int64_t v;
		if (n->kind == SG_Y_SCALAR && has_ref(n))
			return json_stringn(n->str, n->len);
		if (sg_yscalar_int(n, &v) < 0) {
			type_error(d, n, what, path, a);
			return NULL;
		}
		return json_integer(v);
	}
	case SG_T_BOOL: {
		if (n->kind == SG_Y_SCALAR && has_ref(n))
			return json_stringn(n->str, n->len);
		int b = sg_yscalar_bool(n);
		if (b < 0) {
			type_error(d, n, what, path, a);
			return NULL;
		}
		return json_boolean(b);
	}
	case SG_T_DURATION: {
		int64_t v;
		if (n->kind == SG_Y_SCALAR && has_ref(n))
			return json_stringn(n->str, n->len);
		if (n->kind != SG_Y_SCALAR || sg_parse_duration(n->str, &v) < 0) {
			type_error(d, n, what, path, a);
			return NULL;
		}
		return json_integer(v);
	}
	case SG_T_LIST: {
		if (n->kind == SG_Y_SCALAR && has_ref(n))
			return json_stringn(n->str, n->len);
		if (n->kind != SG_Y_SEQ) {
			type_error(d, n, what, path, a);
			return NULL;
		}
		json_t *arr = json_array();
		bool ok = true;
		sg_buf sub = SG_BUF_INIT;
		for (size_t i = 0; i < n->n; i++) {
			sg_buf_clear(&sub);
			sg_buf_printf(&sub, "%s[%zu]", path, i);
			json_t *e = sg_schema_convert_value(a->elem, n->items[i], what, sub.ptr, d);
			if (!e)
				ok = false;
			else
				json_array_append_new(arr, e);
		}
		sg_buf_free(&sub);
		if (!ok) {
			json_decref(arr);
			return NULL;
		}
		return arr;
	}
	case SG_T_MAP: {
		if (n->kind == SG_Y_SCALAR && has_ref(n))
			return json_stringn(n->str, n->len);
		if (n->kind != SG_Y_MAP) {
			type_error(d, n, what, path, a);
			return NULL;
		}
		json_t *obj = json_object();
		bool ok = true;
		sg_buf sub = SG_BUF_INIT;
		for (size_t i = 0; i < n->n; i++) {
			sg_buf_clear(&sub);
			sg_buf_printf(&sub, "%s.%s", path, n->pairs[i].key->str);
			json_t *e = sg_schema_convert_value(a->elem, n->pairs[i].value, what, sub.ptr, d);
			if (!e)
				ok = false;
			else
				json_object_set_new(obj, n->pairs[i].key->str, e);
		}
		sg_buf_free(&sub);
		if (!ok) {
			json_decref(obj);
			return NULL;
		}
		return obj;
	}
	case SG_T_OBJECT:
		if (n->kind != SG_Y_MAP) {
			type_error(d, n, what, path, a);
			return NULL;
		}
		return convert_fields(a->fields, n, what, path, NULL, d);
	case SG_T_ANY:
		return sg_yaml_to_json(n);
	}
	return NULL;
}

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++) {
		if (!strcmp(list[i], s))
			return true;
	}
	return false;
}

/*
 * The fields of a mapping, against `fields`. `path` is NULL for a resource's
 * own attributes, or the attribute holding the mapping ("csv"), which then
 * prefixes names in messages. Keys in `skip` are the caller's. Returns NULL
 * when a nested mapping had errors.
 */
static json_t *convert_fields(const sg_attr *fields, const sg_ynode *map, const char *what, const char *path,
			      const char *const *skip, sg_diags *d)
{
	size_t before = d->nerrors;
	json_t *obj = json_object();
	sg_buf sub = SG_BUF_INIT;
	for (size_t i = 0; i < map->n; i++) {
		const sg_ynode *k = map->pairs[i].key;
		const sg_ynode *v = map->pairs[i].value;
		if (in_list(skip, k->str))
			continue;
		sg_buf_clear(&sub);
		if (path)
			sg_buf_printf(&sub, "%s.", path);
		sg_buf_puts(&sub, k->str);
		const sg_attr *f = sg_attr_find(fields, k->str);
		if (!f) {
			sg_closest c;
			sg_closest_init(&c, k->str, 2);
			for (const sg_attr *x = fields; x->name; x++) {
				if (!(x->flags & SG_A_COMPUTED))
					sg_closest_consider(&c, x->name);
			}
			for (size_t j = 0; skip && skip[j]; j++)
				sg_closest_consider(&c, skip[j]);
			sg_buf hint = SG_BUF_INIT;
			if (c.best) {
				sg_buf_printf(&hint, " (did you mean %s?)", c.best);
			} else if (path) {
				sg_buf_puts(&hint, "; expected ");
				for (const sg_attr *x = fields; x->name; x++)
					sg_buf_printf(&hint, "%s%s", x == fields ? "" : ", ", x->name);
			}
			sg_diags_add(d, SG_SEV_ERROR, &k->pos, what, "unknown attribute \"%s\"%s", sub.ptr, sg_buf_cstr(&hint));
			sg_buf_free(&hint);
			continue;
		}
		if (f->flags & SG_A_COMPUTED) {
			sg_diags_add(d, SG_SEV_ERROR, &k->pos, what,
				     "attribute \"%s\" is computed by the provider and cannot be set", sub.ptr);
			continue;
		}
		if (sg_yscalar_is_null(v))
			continue;
		json_t *e = sg_schema_convert_value(f, v, what, sub.ptr, d);
		if (e)
			json_object_set_new(obj, f->name, e);
	}
	for (const sg_attr *f = fields; f->name; f++) {
		if (json_object_get(obj, f->name) || sg_ymap_get(map, f->name))
			continue;
		if (f->flags & SG_A_REQUIRED) {
			if (path)
				sg_diags_add(d, SG_SEV_ERROR, &map->pos, what, "%s: missing required attribute \"%s\"", path,
					     f->name);
			else
				sg_diags_add(d, SG_SEV_ERROR, &map->pos, what, "missing required attribute \"%s\"", f->name);
		} else if (f->default_json) {
			json_object_set_new(obj, f->name, json_loads(f->default_json, JSON_DECODE_ANY, NULL));
		}
	}
	sg_buf_free(&sub);
	if (path && d->nerrors > before) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

json_t *sg_schema_convert_object(const sg_attr *fields, const sg_ynode *map, const char *what,
				 const char *const *skip, sg_diags *d)
{
	if (!map || map->kind != SG_Y_MAP)
		return NULL;
	return convert_fields(fields, map, what, NULL, skip, d);
}

int sg_schema_coerce(const sg_attr *a, json_t **v, const char *path, sg_error *err)
{
	json_t *cur = *v;
	if (sg_is_unknown(cur) || json_is_null(cur))
		return 0;
	switch (a->type) {
	case SG_T_STRING:
		if (json_is_string(cur)) {
			if (a->enum_values && !sg_expr_has_refs(json_string_value(cur))) {
				for (size_t i = 0; a->enum_values[i]; i++) {
					const char *s = json_string_value(cur);
					bool same = (a->flags & SG_A_UPPER) ? !strcasecmp(s, a->enum_values[i])
									    : !strcmp(s, a->enum_values[i]);
					if (same) {
						json_decref(cur);
						*v = json_string(a->enum_values[i]);
						return 0;
					}
				}
				sg_buf vals = SG_BUF_INIT;
				enum_list(&vals, a->enum_values);
				sg_error_set(err, "%s: expected one of %s, found \"%s\"", path, vals.ptr,
					     json_string_value(cur));
				sg_buf_free(&vals);
				return -1;
			}
			return 0;
		}
		if (json_is_integer(cur) || json_is_real(cur) || json_is_boolean(cur)) {
			sg_buf b = SG_BUF_INIT;
			sg_json_canonical(&b, cur);
			json_decref(cur);
			*v = json_string(b.ptr);
			sg_buf_free(&b);
			return 0;
		}
		break;
	case SG_T_INT:
	case SG_T_DURATION:
		if (json_is_integer(cur))
			return 0;
		if (json_is_string(cur)) {
			int64_t n;
			int rc = a->type == SG_T_INT ? sg_parse_int64(json_string_value(cur), &n)
						     : sg_parse_duration(json_string_value(cur), &n);
			if (rc == 0) {
				json_decref(cur);
				*v = json_integer(n);
				return 0;
			}
		}
		break;
	case SG_T_BOOL:
		if (json_is_boolean(cur))
			return 0;
		if (json_is_string(cur) && (!strcmp(json_string_value(cur), "true") || !strcmp(json_string_value(cur), "false"))) {
			bool b = !strcmp(json_string_value(cur), "true");
			json_decref(cur);
			*v = json_boolean(b);
			return 0;
		}
		break;
	case SG_T_LIST:
		if (json_is_array(cur)) {
			for (size_t i = 0; i < json_array_size(cur); i++) {
				json_t *e = json_incref(json_array_get(cur, i));
				if (sg_schema_coerce(a->elem, &e, path, err) < 0) {
					json_decref(e);
					return -1;
				}
				json_array_set_new(cur, i, e);
			}
			return 0;
		}
		break;
	case SG_T_MAP:
		if (json_is_object(cur)) {
			const char *k;
			json_t *e;
			json_object_foreach(cur, k, e) {
				json_t *c = json_incref(e);
				if (sg_schema_coerce(a->elem, &c, path, err) < 0) {
					json_decref(c);
					return -1;
				}
				json_object_set_new(cur, k, c);
			}
			return 0;
		}
		break;
	case SG_T_OBJECT:
		if (json_is_object(cur))
			return sg_schema_coerce_object(a->fields, cur, err);
		break;
	case SG_T_ANY:
		return 0;
	}
	return sg_error_set(err, "%s: expected %s", path, sg_type_describe(a->type));
}

int sg_schema_coerce_object(const sg_attr *fields, json_t *obj, sg_error *err)
{
	for (const sg_attr *f = fields; f->name; f++) {
		json_t *v = json_object_get(obj, f->name);
		if (!v)
			continue;
		json_incref(v);
		if (sg_schema_coerce(f, &v, f->name, err) < 0) {
			json_decref(v);
			return -1;
		}
		json_object_set_new(obj, f->name, v);
	}
	return 0;
}
