#include "cli/render.h"

#include "core/refresh.h"
#include "core/value.h"
#include "util/json.h"
#include "util/text.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void indent_to(sg_buf *out, int n)
{
	sg_buf_pad(out, ' ', (size_t)n);
}

static bool bare_key(const char *k)
{
	if (!*k || isdigit((unsigned char)*k))
		return false;
	for (; *k; k++) {
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-')
			return false;
	}
	return true;
}

static void put_key(sg_buf *out, const char *k)
{
	if (bare_key(k)) {
		sg_buf_puts(out, k);
	} else {
		json_t *s = json_string(k);
		sg_json_canonical(out, s);
		json_decref(s);
	}
}

void sg_render_value(sg_buf *out, const json_t *v, int indent)
{
	if (!v || json_is_null(v)) {
		sg_buf_puts(out, "null");
	} else if (sg_is_unknown(v)) {
		sg_buf_puts(out, "(known after apply)");
	} else if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d == floor(d) && fabs(d) < 1e15)
			sg_buf_printf(out, "%.0f", d);
		else
			sg_buf_printf(out, "%g", d);
	} else if (json_is_array(v)) {
		if (json_array_size(v) == 0) {
			sg_buf_puts(out, "[]");
			return;
		}
		sg_buf_puts(out, "[\n");
		for (size_t i = 0; i < json_array_size(v); i++) {
			indent_to(out, indent + 4);
			sg_render_value(out, json_array_get(v, i), indent + 4);
			sg_buf_puts(out, ",\n");
		}
		indent_to(out, indent);
		sg_buf_putc(out, ']');
	} else if (json_is_object(v)) {
		if (json_object_size(v) == 0) {
			sg_buf_puts(out, "{}");
			return;
		}
		size_t width = 0;
		const char *k;
		json_t *e;
		json_object_foreach((json_t *)v, k, e) {
			if (strlen(k) > width)
				width = strlen(k);
		}
		sg_buf_puts(out, "{\n");
		const char **keys = calloc(json_object_size(v), sizeof(*keys));
		size_t n = 0;
		json_object_foreach((json_t *)v, k, e) keys[n++] = k;
		for (size_t i = 1; i < n; i++) {
			for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
				const char *t = keys[j];
				keys[j] = keys[j - 1];
				keys[j - 1] = t;
			}
		}
		for (size_t i = 0; i < n; i++) {
			indent_to(out, indent + 4);
			size_t start = out->len;
			put_key(out, keys[i]);
			sg_buf_pad(out, ' ', width > out->len - start ? width - (out->len - start) : 0);
			sg_buf_puts(out, " = ");
			sg_render_value(out, json_object_get(v, keys[i]), indent + 4);
			sg_buf_putc(out, '\n');
		}
		free(keys);
		indent_to(out, indent);
		sg_buf_putc(out, '}');
	} else {
		sg_json_canonical(out, v);
	}
}

typedef struct line_ctx {
	sg_buf *out;
	const sg_cli *cli;
	bool is_destroy;
} line_ctx;

static const char *sym_color(const sg_cli *cli, char sym)
{
	switch (sym) {
	case '+':
		return sg_c_green(cli->color);
	case '-':
		return sg_c_red(cli->color);
	case '~':
		return sg_c_yellow(cli->color);
	default:
		return "";
	}
}

/* "      + name = value" */
static void attr_line(line_ctx *lc, int indent, char sym, const char *key, size_t width, const char *value_text,
		      const char *suffix)
{
	indent_to(lc->out, indent);
	sg_buf_printf(lc->out, "%s%c%s ", sym_color(lc->cli, sym), sym, sg_c_reset(lc->cli->color));
	size_t start = lc->out->len;
	put_key(lc->out, key);
	size_t used = lc->out->len - start;
	sg_buf_pad(lc->out, ' ', width > used ? width - used : 0);
	sg_buf_printf(lc->out, " = %s%s\n", value_text, suffix ? suffix : "");
}

static void value_text(sg_buf *out, const json_t *v, bool sensitive, int indent)
{
	if (sensitive)
		sg_buf_puts(out, "(sensitive value)");
	else
		sg_render_value(out, v, indent);
}

static bool in_vec(const sg_vec *v, const char *s, const char **match)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < v->n; i++) {
		const char *e = v->items[i];
		if (!strncmp(e, s, n) && (e[n] == '\0' || e[n] == ':')) {
			if (match)
				*match = e;
			return true;
		}
	}
	return false;
}

/* A nested diff of two maps: + - ~ per key. */
static void map_diff(line_ctx *lc, int indent, const json_t *old, const json_t *new)
{
	size_t width = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)old, k, v) width = strlen(k) > width ? strlen(k) : width;
	json_object_foreach((json_t *)new, k, v) width = strlen(k) > width ? strlen(k) : width;
	sg_buf tmp = SG_BUF_INIT;
	json_object_foreach((json_t *)old, k, v) {
		json_t *nv = json_object_get(new, k);
		sg_buf_clear(&tmp);
		if (!nv) {
			sg_render_value(&tmp, v, indent + 2);
			sg_buf_puts(&tmp, " -> null");
			attr_line(lc, indent, '-', k, width, tmp.ptr, NULL);
		} else if (!sg_json_equal(v, nv)) {
			sg_render_value(&tmp, v, indent + 2);
			sg_buf_puts(&tmp, " -> ");
			sg_render_value(&tmp, nv, indent + 2);
			attr_line(lc, indent, '~', k, width, tmp.ptr, NULL);
		} else {
			sg_render_value(&tmp, v, indent + 2);
			attr_line(lc, indent, ' ', k, width, tmp.ptr, NULL);
		}
	}
	json_object_foreach((json_t *)new, k, v) {
		if (json_object_get(old, k))
			continue;
		sg_buf_clear(&tmp);
		sg_render_value(&tmp, v, indent + 2);
		attr_line(lc, indent, '+', k, width, tmp.ptr, NULL);
	}
	sg_buf_free(&tmp);
}

static bool array_has(const json_t *arr, const json_t *v)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		if (sg_json_equal(json_array_get(arr, i), v))
			return true;
	}
	return false;
}

static void elem_line(line_ctx *lc, int indent, char sym, const json_t *v)
{
	sg_buf tmp = SG_BUF_INIT;
	sg_render_value(&tmp, v, indent + 2);
	indent_to(lc->out, indent);
	sg_buf_printf(lc->out, "%s%c%s %s,\n", sym_color(lc->cli, sym), sym, sg_c_reset(lc->cli->color), tmp.ptr);
	sg_buf_free(&tmp);
}

static void list_diff(line_ctx *lc, int indent, const json_t *old, const json_t *new)
{
	size_t i = 0, j = 0;
	while (i < json_array_size(old) || j < json_array_size(new)) {
		const json_t *o = json_array_get(old, i), *n = json_array_get(new, j);
		if (o && n && sg_json_equal(o, n)) {
			elem_line(lc, indent, ' ', o);
			i++;
			j++;
		} else if (o && !array_has(new, o)) {
			elem_line(lc, indent, '-', o);
			i++;
		} else if (n) {
			elem_line(lc, indent, '+', n);
			j++;
		} else {
			elem_line(lc, indent, '-', o);
			i++;
		}
	}
}

static void render_change(line_ctx *lc, const sg_change *c)
{
	sg_buf *out = lc->out;
	const sg_cli *cli = lc->cli;
	const char *head, *sym;
	switch (c->action) {
	case SG_ACT_CREATE:
		head = "will be created";
		sym = "  +";
		break;
	case SG_ACT_UPDATE:
		head = "will be updated in-place";
		sym = "  ~";
		break;
	case SG_ACT_REPLACE:
		head = "must be replaced";
		sym = "-/+";
		break;
	case SG_ACT_DELETE:
		head = "will be destroyed";
		sym = "  -";
		break;
	default:
		return;
	}
	sg_buf_printf(out, "  %s# %s%s %s\n", sg_c_bold(cli->color), c->address, sg_c_reset(cli->color), head);
	if (c->action == SG_ACT_DELETE && !c->res && !lc->is_destroy)
		sg_buf_printf(out, "  # (because %s is not in the configuration)\n", c->address);
	if (c->data_count > 0) {
		sg_buf n = SG_BUF_INIT;
		sg_format_count(&n, c->data_count);
		if (c->data_lost)
			sg_buf_printf(out, "  %s# %s holds %s %s%s that this plan would delete%s\n", sg_c_red(cli->color),
				      c->address, n.ptr, c->data_unit, c->data_count == 1 ? "" : "s", sg_c_reset(cli->color));
		else
			sg_buf_printf(out, "  # %s holds %s %s%s: destroying it needs force_destroy: true\n", c->address,
				      n.ptr, c->data_unit, c->data_count == 1 ? "" : "s");
		sg_buf_free(&n);
	}
	const char *color = c->action == SG_ACT_CREATE ? sg_c_green(cli->color)
			    : c->action == SG_ACT_DELETE ? sg_c_red(cli->color)
							 : sg_c_yellow(cli->color);
	const char *dot = strchr(c->address, '.');
	sg_buf_printf(out, "%s%s%s resource \"%s\" \"%s\" {\n", color, sym, sg_c_reset(cli->color),
		      c->kind_name ? c->kind_name : "?", dot ? dot + 1 : c->address);

	const json_t *before = c->prior, *after = c->after;
	const json_t *prior_prot = json_object_get(c->prior_entry, "sensitive_attributes");
	/* the attributes to show, in schema order */
	size_t width = 0;
	const sg_attr *attrs = c->kind ? c->kind->attrs : NULL;
	sg_vec names = SG_VEC_INIT;
	if (attrs) {
		for (const sg_attr *a = attrs; a->name; a++) {
			bool has = (after && json_object_get(after, a->name)) || (before && json_object_get(before, a->name)) ||
				   json_object_get(prior_prot, a->name);
			if (has)
				sg_vec_push(&names, (void *)a->name);
		}
	} else {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)before, k, v) sg_vec_push(&names, (void *)k);
	}
	for (size_t i = 0; i < names.n; i++) {
		size_t len = strlen(names.items[i]);
		if (len > width)
			width = len;
	}
	size_t hidden = 0;
	sg_buf val = SG_BUF_INIT;
	for (size_t i = 0; i < names.n; i++) {
		const char *name = names.items[i];
		const json_t *ov = before ? json_object_get(before, name) : NULL;
		const json_t *nv = after ? json_object_get(after, name) : NULL;
		bool old_secret = json_object_get(prior_prot, name) != NULL;
		bool new_secret = json_is_true(json_object_get(c->after_sensitive, name));
		sg_buf_clear(&val);
		if (c->action == SG_ACT_CREATE) {
			if (!nv || json_is_null(nv))
				continue;
			value_text(&val, nv, new_secret, 8);
			attr_line(lc, 6, '+', name, width, val.ptr, NULL);
			continue;
		}
		if (c->action == SG_ACT_DELETE) {
			if ((!ov || json_is_null(ov)) && !old_secret)
				continue;
			value_text(&val, ov, old_secret, 8);
			sg_buf_puts(&val, " -> null");
			attr_line(lc, 6, '-', name, width, val.ptr, NULL);
			continue;
		}
		const char *reason = NULL;
		bool forces = in_vec(&c->replace_reasons, name, &reason);
		const char *suffix = forces ? " # forces replacement" : NULL;
		if (!in_vec(&c->changed, name, NULL)) {
			const sg_attr *a = attrs ? sg_attr_find(attrs, name) : NULL;
			bool computed = a && (a->flags & SG_A_COMPUTED);
			if (computed && sg_is_unknown(nv)) {
				value_text(&val, ov, false, 8);
				sg_buf_puts(&val, " -> (known after apply)");
				attr_line(lc, 6, '~', name, width, val.ptr, NULL);
			} else if (!strcmp(name, "name") || !strcmp(name, "dataset") || forces) {
				value_text(&val, nv, new_secret, 8);
				attr_line(lc, 6, ' ', name, width, val.ptr, suffix);
				if (reason && strchr(reason, ':')) {
					indent_to(out, 8);
					sg_buf_printf(out, "# (%s)\n", strchr(reason, ':') + 2);
				}
			} else {
				hidden++;
			}
			continue;
		}
		if (old_secret || new_secret) {
			attr_line(lc, 6, '~', name, width, "(sensitive value)", suffix);
		} else if (!ov || json_is_null(ov)) {
			value_text(&val, nv, false, 8);
			attr_line(lc, 6, '+', name, width, val.ptr, suffix);
		} else if (!nv || json_is_null(nv)) {
			value_text(&val, ov, false, 8);
			sg_buf_puts(&val, " -> null");
			attr_line(lc, 6, '-', name, width, val.ptr, suffix);
		} else if (json_is_object(ov) && json_is_object(nv) && !sg_is_unknown(nv)) {
			attr_line(lc, 6, '~', name, width, "{", NULL);
			map_diff(lc, 10, ov, nv);
			indent_to(out, 8);
			sg_buf_printf(out, "}%s\n", suffix ? suffix : "");
		} else if (json_is_array(ov) && json_is_array(nv)) {
			attr_line(lc, 6, '~', name, width, "[", NULL);
			list_diff(lc, 10, ov, nv);
			indent_to(out, 8);
			sg_buf_printf(out, "]%s\n", suffix ? suffix : "");
		} else {
			value_text(&val, ov, false, 8);
			sg_buf_puts(&val, " -> ");
			value_text(&val, nv, false, 8);
			attr_line(lc, 6, '~', name, width, val.ptr, suffix);
		}
		if (reason && strchr(reason, ':')) {
			indent_to(out, 8);
			sg_buf_printf(out, "# (%s)\n", strchr(reason, ':') + 2);
		}
	}
	if (hidden) {
		indent_to(out, 8);
		sg_buf_printf(out, "# (%zu unchanged attribute%s hidden)\n", hidden, hidden == 1 ? "" : "s");
	}
	sg_buf_free(&val);
	sg_vec_free(&names);
	sg_buf_puts(out, "    }\n\n");
}

static void render_outputs_diff(line_ctx *lc, const sg_plan *plan, const json_t *old)
{
	const char *k;
	json_t *v;
	bool any = false;
	sg_buf val = SG_BUF_INIT;
	json_object_foreach(plan->outputs, k, v) {
		json_t *ov = json_object_get(old, k);
		json_t *nv = json_object_get(v, "value");
		bool secret = json_is_true(json_object_get(v, "sensitive"));
		sg_buf_clear(&val);
		char sym;
		if (!ov) {
			sym = '+';
			value_text(&val, nv, secret, 4);
		} else {
			bool same = json_object_get(ov, "hash")
					    ? sg_state_protected_matches(json_string_value(json_object_get(ov, "hash")), nv)
					    : sg_json_equal(json_object_get(ov, "value"), nv) && !sg_has_unknown(nv);
			if (same)
				continue;
			sym = '~';
			if (secret || json_object_get(ov, "hash")) {
				sg_buf_puts(&val, "(sensitive value)");
			} else {
				sg_render_value(&val, json_object_get(ov, "value"), 4);
				sg_buf_puts(&val, " -> ");
				sg_render_value(&val, nv, 4);
			}
		}
		if (!any)
			sg_buf_puts(lc->out, "Changes to Outputs:\n");
		any = true;
		attr_line(lc, 2, sym, k, 0, val.ptr, NULL);
	}
	json_object_foreach((json_t *)old, k, v) {
		if (json_object_get(plan->outputs, k))
			continue;
		if (!any)
			sg_buf_puts(lc->out, "Changes to Outputs:\n");
		any = true;
		sg_buf_clear(&val);
		if (json_object_get(v, "hash"))
			sg_buf_puts(&val, "(sensitive value)");
		else
			sg_render_value(&val, json_object_get(v, "value"), 4);
		sg_buf_puts(&val, " -> null");
		attr_line(lc, 2, '-', k, 0, val.ptr, NULL);
	}
	if (any)
		sg_buf_putc(lc->out, '\n');
	sg_buf_free(&val);
}

static int cmp_address(const void *a, const void *b)
{
	const sg_change *x = *(const sg_change *const *)a, *y = *(const sg_change *const *)b;
	return strcmp(x->address, y->address);
}

void sg_render_plan(FILE *fp, const sg_cli *cli, const sg_plan *plan, const json_t *old_outputs)
{
	sg_buf out = SG_BUF_INIT;
	line_ctx lc = { &out, cli, plan->is_destroy };
	bool any = plan->nadd || plan->nchange || plan->ndestroy;
	if (any) {
		if (plan->stage)
			sg_buf_printf(&out, "Stage %s only (-stage %s).\n\n", plan->stage, plan->stage);
		sg_buf_puts(&out, "sigma will perform the following actions:\n\n");
		/* in address order, as Terraform prints them; apply order is the plan's own */
		size_t n = plan->changes.n;
		const sg_change **sorted = calloc(n ? n : 1, sizeof(*sorted));
		for (size_t i = 0; i < n; i++)
			sorted[i] = plan->changes.items[i];
		qsort(sorted, n, sizeof(*sorted), cmp_address);
		for (size_t i = 0; i < n; i++)
			render_change(&lc, sorted[i]);
		free(sorted);
		sg_buf_printf(&out, "%sPlan:%s %zu to add, %zu to change, %zu to destroy.\n", sg_c_bold(cli->color),
			      sg_c_reset(cli->color), plan->nadd, plan->nchange, plan->ndestroy);
	}
	if (plan->outputs_changed && !plan->is_destroy) {
		if (any)
			sg_buf_putc(&out, '\n');
		render_outputs_diff(&lc, plan, old_outputs);
	}
	if (plan->nskipped)
		sg_buf_printf(&out, "\nNote: %zu more change%s %s left out: %s.\n", plan->nskipped,
			      plan->nskipped == 1 ? "" : "s", plan->nskipped == 1 ? "is" : "are",
			      plan->stage && plan->partial ? "other stages, or not targeted"
			      : plan->stage                ? "they belong to other stages (-stage)"
							   : "they are not targeted (-target)");
	if (!any) {
		if (plan->outputs_changed && !plan->is_destroy)
			sg_buf_puts(&out, "You can apply this plan to save these new output values, without changing "
					  "any real infrastructure.\n");
		else
			sg_buf_printf(&out, "%sNo changes.%s Your infrastructure matches the configuration.\n",
				      sg_c_bold(cli->color), sg_c_reset(cli->color));
	}
	fputs(sg_buf_cstr(&out), fp);
	sg_buf_free(&out);
}

void sg_render_apply_event(const sg_apply_event *ev, void *ctx)
{
	const sg_cli *cli = ctx;
	static const char *const start[] = { "Creating...", "Modifying...", "Destroying..." };
	static const char *const done[] = { "Creation complete", "Modifications complete", "Destruction complete" };
	const char *addr = ev->change->address;
	if (!ev->done) {
		if (ev->op == SG_OP_CREATE || !ev->id)
			printf("%s%s:%s %s\n", sg_c_bold(cli->color), addr, sg_c_reset(cli->color), start[ev->op]);
		else
			printf("%s%s:%s %s [id=%s]\n", sg_c_bold(cli->color), addr, sg_c_reset(cli->color), start[ev->op],
			       ev->id);
	} else if (ev->ok) {
		printf("%s%s:%s %s after %.0fs%s%s%s\n", sg_c_bold(cli->color), addr, sg_c_reset(cli->color),
		       done[ev->op], ev->seconds, ev->id ? " [id=" : "", ev->id ? ev->id : "", ev->id ? "]" : "");
	} else {
		printf("%s%s:%s %s failed after %.0fs\n", sg_c_bold(cli->color), addr, sg_c_reset(cli->color),
		       ev->op == SG_OP_DELETE ? "Destruction" : ev->op == SG_OP_UPDATE ? "Modification" : "Creation",
		       ev->seconds);
	}
	fflush(stdout);
}

void sg_render_outputs(FILE *fp, const sg_cli *cli, const json_t *outputs)
{
	if (!json_object_size(outputs))
		return;
	sg_buf out = SG_BUF_INIT;
	sg_buf_printf(&out, "\n%sOutputs:%s\n\n", sg_c_green(cli->color), sg_c_reset(cli->color));
	const char *k;
	json_t *v;
	size_t width = 0;
	json_object_foreach((json_t *)outputs, k, v) width = strlen(k) > width ? strlen(k) : width;
	json_object_foreach((json_t *)outputs, k, v) {
		sg_buf_puts(&out, k);
		sg_buf_pad(&out, ' ', width - strlen(k));
		sg_buf_puts(&out, " = ");
		if (json_is_true(json_object_get(v, "sensitive")))
			sg_buf_puts(&out, "<sensitive>");
		else
			sg_render_value(&out, json_object_get(v, "value"), 0);
		sg_buf_putc(&out, '\n');
	}
	fputs(out.ptr, fp);
	sg_buf_free(&out);
}

void sg_render_drift(FILE *fp, const sg_cli *cli, const sg_vec *drifts)
{
	if (!drifts || !drifts->n)
		return;
	sg_buf out = SG_BUF_INIT;
	line_ctx lc = { &out, cli, false };
	sg_buf_printf(&out, "%sObjects have changed outside of sigma:%s\n\n", sg_c_bold(cli->color), sg_c_reset(cli->color));
	sg_buf val = SG_BUF_INIT;
	for (size_t i = 0; i < drifts->n; i++) {
		const sg_drift *dr = drifts->items[i];
		const char *dot = strchr(dr->address, '.');
		const json_t *prot = json_object_get(dr->before_entry, "sensitive_attributes");
		if (!dr->after) {
			sg_buf_printf(&out, "  # %s has been deleted\n  %s-%s resource \"%s\" \"%s\" {\n", dr->address,
				      sg_c_red(cli->color), sg_c_reset(cli->color), dr->kind_name, dot ? dot + 1 : dr->address);
			sg_buf_clear(&val);
			sg_render_value(&val, json_object_get(dr->before, "name"), 8);
			attr_line(&lc, 6, '-', "name", 4, val.ptr, " -> null");
			sg_buf_puts(&out, "    }\n\n");
			continue;
		}
		sg_buf_printf(&out, "  # %s has changed\n  %s~%s resource \"%s\" \"%s\" {\n", dr->address,
			      sg_c_yellow(cli->color), sg_c_reset(cli->color), dr->kind_name, dot ? dot + 1 : dr->address);
		size_t width = 0;
		for (size_t j = 0; j < dr->changed.n; j++)
			width = strlen(dr->changed.items[j]) > width ? strlen(dr->changed.items[j]) : width;
		for (size_t j = 0; j < dr->changed.n; j++) {
			const char *name = dr->changed.items[j];
			const json_t *ov = json_object_get(dr->before, name), *nv = json_object_get(dr->after, name);
			if (json_object_get(prot, name)) {
				attr_line(&lc, 6, '~', name, width, "(sensitive value)", NULL);
			} else if (json_is_object(ov) && json_is_object(nv)) {
				attr_line(&lc, 6, '~', name, width, "{", NULL);
				map_diff(&lc, 10, ov, nv);
				indent_to(&out, 8);
				sg_buf_puts(&out, "}\n");
			} else if (json_is_array(ov) && json_is_array(nv)) {
				attr_line(&lc, 6, '~', name, width, "[", NULL);
				list_diff(&lc, 10, ov, nv);
				indent_to(&out, 8);
				sg_buf_puts(&out, "]\n");
			} else {
				sg_buf_clear(&val);
				sg_render_value(&val, ov, 8);
				sg_buf_puts(&val, " -> ");
				sg_render_value(&val, nv, 8);
				attr_line(&lc, 6, '~', name, width, val.ptr, NULL);
			}
		}
		sg_buf_puts(&out, "    }\n\n");
	}
	sg_buf_puts(&out, "Unless the manifests say the same, the plan below puts these objects back as they declare.\n\n");
	fputs(out.ptr, fp);
	sg_buf_free(&out);
	sg_buf_free(&val);
}
