#include "core/expr.h"

#include "core/value.h"

#include <ctype.h>
#include <string.h>

bool sg_expr_has_refs(const char *s)
{
	return strstr(s, "${") != NULL;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

static int parse_ref(const char *body, size_t len, sg_ref *r, sg_buf *why)
{
	while (len && isspace((unsigned char)*body)) {
		body++;
		len--;
	}
	while (len && isspace((unsigned char)body[len - 1]))
		len--;
	if (len == 0) {
		sg_buf_puts(why, "empty reference ${}");
		return -1;
	}
	if (len >= sizeof(r->text)) {
		sg_buf_puts(why, "reference is too long");
		return -1;
	}
	memcpy(r->text, body, len);
	r->text[len] = '\0';
	r->nparts = 0;
	const char *p = r->text;
	for (;;) {
		const char *start = p;
		while (ident_char(*p))
			p++;
		size_t n = (size_t)(p - start);
		if (n == 0 || n >= sizeof(r->parts[0])) {
			sg_buf_printf(why, "invalid reference ${%s}: expected names separated by '.'", r->text);
			return -1;
		}
		if (r->nparts == SG_REF_MAX_PARTS) {
			sg_buf_printf(why, "invalid reference ${%s}: too many parts", r->text);
			return -1;
		}
		memcpy(r->parts[r->nparts], start, n);
		r->parts[r->nparts][n] = '\0';
		r->nparts++;
		if (*p == '\0')
			break;
		if (*p != '.') {
			sg_buf_printf(why, "invalid reference ${%s}: unexpected '%c' (expressions other than "
					   "references are not supported)", r->text, *p);
			return -1;
		}
		p++;
	}
	const char *head = r->parts[0];
	if (!strcmp(head, "var")) {
		r->kind = SG_REF_VAR;
		if (r->nparts != 2) {
			sg_buf_printf(why, "invalid reference ${%s}: expected ${var.NAME}", r->text);
			return -1;
		}
	} else if (!strcmp(head, "args") || !strcmp(head, "event")) {
		r->kind = head[0] == 'a' ? SG_REF_ARGS : SG_REF_EVENT;
		if (r->nparts != 2) {
			sg_buf_printf(why, "invalid reference ${%s}: expected ${%s.NAME}", r->text, head);
			return -1;
		}
	} else if (!strcmp(head, "steps")) {
		r->kind = SG_REF_STEPS;
		if (r->nparts != 4 || strcmp(r->parts[2], "output")) {
			sg_buf_printf(why, "invalid reference ${%s}: expected ${steps.ID.output.NAME}", r->text);
			return -1;
		}
	} else {
		r->kind = SG_REF_RESOURCE;
		if (r->nparts < 3) {
			sg_buf_printf(why,
				      "invalid reference ${%s}: expected ${KIND.NAME.ATTRIBUTE}, ${var.NAME}, "
				      "${args.NAME}, ${event.NAME} or ${steps.ID.output.NAME}",
				      r->text);
			return -1;
		}
	}
	return 0;
}

int sg_expr_scan(const char *s, sg_ref_fn fn, void *ctx, sg_buf *why, size_t *err_offset)
{
	const char *p = s;
	while ((p = strchr(p, '$')) != NULL) {
		if (p[1] == '$' && p[2] == '{') {
			p += 3; /* escaped: a literal "${" */
			continue;
		}
		if (p[1] != '{') {
			p++;
			continue;
		}
		const char *close = strchr(p + 2, '}');
		if (!close) {
			if (err_offset)
				*err_offset = (size_t)(p - s);
			sg_buf_puts(why, "unclosed reference: \"${\" without \"}\"");
			return -1;
		}
		sg_ref r;
		r.start = (size_t)(p - s);
		r.end = (size_t)(close + 1 - s);
		if (parse_ref(p + 2, (size_t)(close - p - 2), &r, why) < 0) {
			if (err_offset)
				*err_offset = r.start;
			return -1;
		}
		int rc = fn(&r, ctx);
		if (rc)
			return rc;
		p = close + 1;
	}
	return 0;
}

typedef struct eval_ctx {
	sg_ref_resolver resolve;
	void *ctx;
	bool *sensitive;
	sg_error *err;
	const char *s;
	/* interpolation */
	sg_buf out;
	size_t copied; /* offset in s up to which text is in `out` */
	bool unknown;
	bool failed;
	json_t *single; /* when the string is exactly one reference */
} eval_ctx;

/* copy s[from, to) into out, turning "$${" into "${" */
static void copy_literal(sg_buf *out, const char *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		if (s[i] == '$' && i + 2 < to && s[i + 1] == '$' && s[i + 2] == '{') {
			sg_buf_putc(out, '$');
			i++; /* skip one '$' */
			continue;
		}
		sg_buf_putc(out, s[i]);
	}
}

static int eval_one(const sg_ref *ref, void *vctx)
{
	eval_ctx *e = vctx;
	copy_literal(&e->out, e->s, e->copied, ref->start);
	e->copied = ref->end;
	if (sg_ref_is_runtime(ref)) {
		sg_buf_put(&e->out, e->s + ref->start, ref->end - ref->start);
		return 0;
	}
	json_t *v = NULL;
	bool sens = false;
	if (e->resolve(ref, e->ctx, &v, &sens, e->err) < 0) {
		e->failed = true;
		return -1;
	}
	if (sens)
		*e->sensitive = true;
	if (ref->start == 0 && e->s[ref->end] == '\0') {
		e->single = v;
		return 0;
	}
	if (sg_is_unknown(v)) {
		e->unknown = true;
	} else if (json_is_string(v)) {
		sg_buf_put(&e->out, json_string_value(v), json_string_length(v));
	} else if (json_is_integer(v)) {
		sg_buf_printf(&e->out, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		sg_buf_printf(&e->out, "%g", json_real_value(v));
	} else if (json_is_boolean(v)) {
		sg_buf_puts(&e->out, json_is_true(v) ? "true" : "false");
	} else if (json_is_null(v)) {
		/* null interpolates as nothing */
	} else {
		sg_error_set(e->err, "${%s} is a %s and cannot be placed inside a string", ref->text,
			     json_is_array(v) ? "list" : "map");
		json_decref(v);
		e->failed = true;
		return -1;
	}
	json_decref(v);
	return 0;
}

static json_t *eval_string(const char *s, sg_ref_resolver resolve, void *ctx, bool *sensitive, sg_error *err)
{
	if (!strchr(s, '$'))
		return json_string(s);
	eval_ctx e = { 0 };
	e.resolve = resolve;
	e.ctx = ctx;
	e.sensitive = sensitive;
	e.err = err;
	e.s = s;
	sg_buf why = SG_BUF_INIT;
	int rc = sg_expr_scan(s, eval_one, &e, &why, NULL);
	if (rc < 0 && !e.failed)
		sg_error_set(err, "%s", sg_buf_cstr(&why));
	sg_buf_free(&why);
	if (rc < 0) {
		sg_buf_free(&e.out);
		json_decref(e.single);
		return NULL;
	}
	if (e.single) {
		sg_buf_free(&e.out);
		return e.single;
	}
	copy_literal(&e.out, s, e.copied, strlen(s));
	json_t *res = e.unknown ? sg_unknown() : json_stringn(sg_buf_cstr(&e.out), e.out.len);
	sg_buf_free(&e.out);
	return res;
}

json_t *sg_expr_eval(const json_t *v, sg_ref_resolver resolve, void *ctx, bool *sensitive, sg_error *err)
{
	if (json_is_string(v))
		return eval_string(json_string_value(v), resolve, ctx, sensitive, err);
	if (json_is_array(v)) {
		json_t *a = json_array();
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			json_t *r = sg_expr_eval(e, resolve, ctx, sensitive, err);
			if (!r) {
				json_decref(a);
				return NULL;
			}
			json_array_append_new(a, r);
		}
		return a;
	}
	if (json_is_object(v)) {
		json_t *o = json_object();
		const char *k;
		json_t *e;
		json_object_foreach((json_t *)v, k, e) {
			json_t *r = sg_expr_eval(e, resolve, ctx, sensitive, err);
			if (!r) {
				json_decref(o);
				return NULL;
			}
			json_object_set_new(o, k, r);
		}
		return o;
	}
	return json_deep_copy(v);
}
