#include "core/plan.h"

#include "core/expr.h"
#include "core/graph.h"
#include "core/schema_check.h"
#include "core/value.h"
#include "util/alloc.h"
#include "util/json.h"

#include <string.h>

static void count_change(sg_plan *p, const sg_change *c)
{
	switch (c->action) {
	case SG_ACT_CREATE:
		p->nadd++;
		break;
	case SG_ACT_UPDATE:
		p->nchange++;
		break;
	case SG_ACT_REPLACE:
		p->nadd++;
		p->ndestroy++;
		break;
	case SG_ACT_DELETE:
		p->ndestroy++;
		break;
	default:
		break;
	}
}

/* Narrow the change to -stage / -target: outside them it is a NOOP, remembered as skipped. */
static void scope_change(sg_plan *p, sg_change *c, const sg_plan_opts *opts, const sg_strmap *targeted)
{
	c->wanted = c->action;
	c->in_scope = true;
	if (opts && opts->stage && (!c->stage || strcmp(opts->stage, c->stage)))
		c->in_scope = false;
	if (targeted && !sg_strmap_has(targeted, c->address))
		c->in_scope = false;
	if (!c->in_scope && c->action != SG_ACT_NOOP) {
		p->nskipped++;
		c->action = SG_ACT_NOOP;
	}
}

static sg_change *new_change(const char *address, const sg_kind *kind, const char *kind_name)
{
	sg_change *c = sg_calloc(1, sizeof(*c));
	c->address = sg_strdup(address);
	c->kind = kind;
	c->kind_name = kind_name;
	return c;
}

static void free_change(sg_change *c)
{
	free(c->address);
	json_decref(c->prior);
	json_decref(c->prior_entry);
	json_decref(c->after);
	json_decref(c->after_sensitive);
	json_decref(c->applied);
	sg_vec_free_all(&c->changed);
	sg_vec_free_all(&c->replace_reasons);
	sg_vec_free(&c->deps);
	sg_vec_free(&c->dependents);
	free(c);
}

void sg_plan_free(sg_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->changes.n; i++)
		free_change(p->changes.items[i]);
	sg_vec_free(&p->changes);
	json_decref(p->outputs);
	free(p);
}

bool sg_plan_has_changes(const sg_plan *p)
{
	return p->nadd || p->nchange || p->ndestroy || p->outputs_changed;
}

/* Walk `parts[from..]` into `v`. */
static json_t *walk(json_t *v, const sg_ref *ref, int from)
{
	for (int i = from; v && i < ref->nparts; i++) {
		if (sg_is_unknown(v))
			return v;
		if (json_is_object(v)) {
			v = json_object_get(v, ref->parts[i]);
		} else if (json_is_array(v)) {
			char *end = NULL;
			long idx = strtol(ref->parts[i], &end, 10);
			v = (end && !*end && idx >= 0) ? json_array_get(v, (size_t)idx) : NULL;
		} else {
			return NULL;
		}
	}
	return v;
}

int sg_eval_resolve(const sg_ref *ref, void *vctx, json_t **out, bool *sensitive, sg_error *err)
{
	sg_eval_ctx *ctx = vctx;
	if (ref->kind == SG_REF_VAR) {
		sg_variable *var = sg_manifest_variable(ctx->m, ref->parts[1]);
		if (!var)
			return sg_error_set(err, "${%s}: variable \"%s\" is not declared", ref->text, ref->parts[1]);
		if (!var->value)
			return sg_error_set(err, "${%s}: variable \"%s\" is not set (use -var %s=VALUE, -var-file FILE or "
						 "SIGMA_VAR_%s)", ref->text, var->name, var->name, var->name);
		*sensitive = *sensitive || var->sensitive;
		*out = json_deep_copy(var->value);
		return 0;
	}
	char address[300];
	snprintf(address, sizeof(address), "%s.%s", ref->parts[0], ref->parts[1]);
	sg_change *c = sg_strmap_get(ctx->by_address, address);
	if (!c || !c->after)
		return sg_error_set(err, "${%s}: %s is not declared", ref->text, address);
	json_t *attrs = c->applied ? c->applied : c->after;
	if (json_object_get(c->after_sensitive, ref->parts[2]))
		*sensitive = true;
	json_t *v = walk(attrs, ref, 2);
	*out = v ? json_deep_copy(v) : json_null();
	return 0;
}

static void push_str(sg_vec *v, const char *s)
{
	sg_vec_push(v, sg_strdup(s));
}

json_t *sg_plan_state_entry(const sg_resource *r, const json_t *attrs, const json_t *sensitive, const json_t *prior_entry)
{
	json_t *clear = json_object();
	json_t *protected_attrs = json_object();
	const json_t *prior_prot = json_object_get(prior_entry, "sensitive_attributes");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)attrs, k, v) {
		const sg_attr *a = sg_attr_find(r->kind->attrs, k);
		bool secret = json_is_true(json_object_get(sensitive, k)) || (a && (a->flags & SG_A_SENSITIVE));
		if (secret) {
			char *p = sg_state_protect(v, json_string_value(json_object_get(prior_prot, k)));
			json_object_set_new(protected_attrs, k, json_string(p));
			free(p);
		} else {
			json_object_set(clear, k, v);
		}
	}
	json_t *deps = json_array();
	for (size_t i = 0; i < r->deps.n; i++)
		json_array_append_new(deps, json_string(((const sg_resource *)r->deps.items[i])->address));
	json_t *entry = json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:b}", "kind", r->kind_name, "name", r->key,
				  "attributes", clear, "sensitive_attributes", protected_attrs, "dependencies", deps,
				  "stage", r->stage, "prevent_destroy", r->prevent_destroy);
	return entry;
}

/* Does the planned value of `a` differ from the state? */
static bool attr_differs(const char *name, const json_t *after, const json_t *prior, const json_t *prior_prot)
{
	const json_t *nv = json_object_get(after, name);
	const char *prot = json_string_value(json_object_get(prior_prot, name));
	if (prot)
		return !nv || !sg_state_protected_matches(prot, nv);
	const json_t *ov = json_object_get(prior, name);
	if (!nv && !ov)
		return false;
	if (!nv || !ov)
		return !(nv && json_is_null(nv)) && !(ov && json_is_null(ov));
	if (sg_has_unknown(nv))
		return true;
	return !sg_json_equal(nv, ov);
}

static bool meta_differs(const sg_resource *r, const json_t *entry)
{
	if (!entry)
		return false;
	const char *stage = json_string_value(json_object_get(entry, "stage"));
	if (!stage || strcmp(stage, r->stage))
		return true;
	if (json_is_true(json_object_get(entry, "prevent_destroy")) != r->prevent_destroy)
		return true;
	json_t *deps = json_object_get(entry, "dependencies");
	if (json_array_size(deps) != r->deps.n)
		return true;
	for (size_t i = 0; i < r->deps.n; i++) {
		const char *a = json_string_value(json_array_get(deps, i));
		if (!a || strcmp(a, ((const sg_resource *)r->deps.items[i])->address))
			return true;
	}
	return false;
}

static void plan_declared(sg_plan *p, const sg_manifest *m, sg_state *st, sg_change *c, sg_eval_ctx *ctx, sg_diags *d)
{
	sg_resource *r = c->res;
	sg_error err = SG_ERROR_INIT;
	bool sensitive_any = false;
	c->after_sensitive = json_object();
	json_t *after = json_object();
	const char *k;
	json_t *v;
	/* evaluate attribute by attribute, so that secrets are tracked per attribute */
	json_object_foreach(r->config, k, v) {
		bool sens = false;
		json_t *ev = sg_expr_eval(v, sg_eval_resolve, ctx, &sens, &err);
		if (!ev) {
			sg_diags_add(d, SG_SEV_ERROR, &r->pos, r->address, "%s: %s", k, sg_error_msg(&err));
			sg_error_clear(&err);
			continue;
		}
		if (sens) {
			json_object_set_new(c->after_sensitive, k, json_true());
			sensitive_any = true;
		}
		json_object_set_new(after, k, ev);
	}
	(void)sensitive_any;
	if (sg_schema_coerce_object(r->kind->attrs, after, &err) < 0) {
		sg_diags_add(d, SG_SEV_ERROR, &r->pos, r->address, "%s", sg_error_msg(&err));
		sg_error_clear(&err);
	}
	for (const sg_attr *a = r->kind->attrs; a->name; a++) {
		if (a->flags & SG_A_SENSITIVE)
			json_object_set_new(c->after_sensitive, a->name, json_true());
	}
	json_t *entry = sg_state_get(st, r->address);
	if (entry) {
		c->prior_entry = json_incref(entry);
		c->prior = json_incref(json_object_get(entry, "attributes"));
		const char *kind = json_string_value(json_object_get(entry, "kind"));
		if (kind && strcmp(kind, r->kind_name)) {
			sg_diags_add(d, SG_SEV_ERROR, &r->pos, r->address, "the state records %s as a %s", r->address, kind);
		}
	}
	if (!entry) {
		c->action = SG_ACT_CREATE;
	} else {
		const json_t *prior_prot = json_object_get(entry, "sensitive_attributes");
		c->action = SG_ACT_NOOP;
		for (const sg_attr *a = r->kind->attrs; a->name; a++) {
			if (a->flags & SG_A_COMPUTED)
				continue;
			if (!attr_differs(a->name, after, c->prior, prior_prot))
				continue;
			push_str(&c->changed, a->name);
			if (!(a->flags & SG_A_FORCE_NEW)) {
				if (c->action == SG_ACT_NOOP)
					c->action = SG_ACT_UPDATE;
				continue;
			}
			sg_buf why = SG_BUF_INIT;
			if (r->kind->update_in_place && !sg_has_unknown(json_object_get(after, a->name)) &&
			    r->kind->update_in_place(a->name, c->prior, after, &why)) {
				if (c->action == SG_ACT_NOOP)
					c->action = SG_ACT_UPDATE;
			} else {
				sg_buf reason = SG_BUF_INIT;
				sg_buf_puts(&reason, a->name);
				if (why.len)
					sg_buf_printf(&reason, ": %s", why.ptr);
				sg_vec_push(&c->replace_reasons, sg_buf_detach(&reason));
				c->action = SG_ACT_REPLACE;
			}
			sg_buf_free(&why);
		}
		/*
		 * A value that became secret (or stopped being one) must be recorded
		 * again, protected (or in clear): an in-place update, never a
		 * replacement, even when the value itself is unchanged.
		 */
		for (const sg_attr *a = r->kind->attrs; a->name; a++) {
			if (a->flags & SG_A_COMPUTED || !json_object_get(after, a->name))
				continue;
			bool now = json_is_true(json_object_get(c->after_sensitive, a->name));
			bool was = json_object_get(prior_prot, a->name) != NULL;
			bool listed = false;
			for (size_t i = 0; i < c->changed.n && !listed; i++)
				listed = !strcmp(c->changed.items[i], a->name);
			if (now != was && !listed) {
				push_str(&c->changed, a->name);
				if (c->action == SG_ACT_NOOP)
					c->action = SG_ACT_UPDATE;
			}
		}
		/* a table inside a dataset that is replaced goes with it */
		for (size_t i = 0; i < r->deps.n && c->action != SG_ACT_REPLACE; i++) {
			const sg_resource *dep = r->deps.items[i];
			sg_change *dc = sg_strmap_get(ctx->by_address, dep->address);
			if (dc && dc->action == SG_ACT_REPLACE && !strcmp(dep->kind_name, "dataset") &&
			    json_object_get(r->config, "dataset")) {
				sg_buf reason = SG_BUF_INIT;
				sg_buf_printf(&reason, "dataset: %s is replaced", dep->address);
				sg_vec_push(&c->replace_reasons, sg_buf_detach(&reason));
				c->action = SG_ACT_REPLACE;
			}
		}
		c->meta_changed = meta_differs(r, entry);
	}
	/* computed attributes: unknown until created, else as recorded */
	for (const sg_attr *a = r->kind->attrs; a->name; a++) {
		if (!(a->flags & SG_A_COMPUTED))
			continue;
		json_t *pv = c->prior ? json_object_get(c->prior, a->name) : NULL;
		if (c->action == SG_ACT_CREATE || c->action == SG_ACT_REPLACE || !pv)
			json_object_set_new(after, a->name, sg_unknown());
		else
			json_object_set(after, a->name, pv);
	}
	c->after = after;
	(void)m;
	(void)p;
	(void)d;
}

static void plan_outputs(sg_plan *p, const sg_manifest *m, sg_state *st, sg_eval_ctx *ctx, sg_diags *d)
{
	p->outputs = json_object();
	for (size_t i = 0; i < m->outputs.n; i++) {
		const sg_output *o = m->outputs.items[i];
		sg_error err = SG_ERROR_INIT;
		bool sens = false;
		json_t *v = sg_expr_eval(o->expr, sg_eval_resolve, ctx, &sens, &err);
		if (!v) {
			sg_diags_add(d, SG_SEV_ERROR, &o->pos, NULL, "output %s: %s", o->name, sg_error_msg(&err));
			sg_error_clear(&err);
			continue;
		}
		json_object_set_new(p->outputs, o->name, json_pack("{s:o, s:b}", "value", v, "sensitive", sens || o->sensitive));
	}
	/* changed when the set of names or a value differs from the state */
	json_t *old = json_object_get(sg_state_doc(st), "outputs");
	if (json_object_size(old) != json_object_size(p->outputs))
		p->outputs_changed = true;
	const char *k;
	json_t *v;
	json_object_foreach(p->outputs, k, v) {
		json_t *ov = json_object_get(old, k);
		json_t *nv = json_object_get(v, "value");
		if (!ov || sg_has_unknown(nv)) {
			p->outputs_changed = true;
		} else if (json_object_get(ov, "hash")) {
			if (!sg_state_protected_matches(json_string_value(json_object_get(ov, "hash")), nv))
				p->outputs_changed = true;
		} else if (!sg_json_equal(json_object_get(ov, "value"), nv)) {
			p->outputs_changed = true;
		}
	}
}

/*
 * What destroys and replacements would delete: rows of tables and datasets,
 * objects of buckets. Sigma goes past Terraform here: such a plan says so,
 * and is refused unless -allow-data-loss.
 */
static void count_data_loss(sg_plan *p, const sg_plan_opts *opts, sg_diags *d)
{
	for (size_t i = 0; i < p->changes.n; i++) {
		sg_change *c = p->changes.items[i];
		if ((c->action != SG_ACT_DELETE && c->action != SG_ACT_REPLACE) || !c->kind || !c->kind->held || !c->prior)
			continue;
		sg_error err = SG_ERROR_INIT;
		if (c->kind->held(opts->live, c->kind, c->prior, &c->data_count, &c->data_unit, &err) < 0) {
			sg_diags_add(d, SG_SEV_ERROR, NULL, c->address, "counting what it holds: %s", sg_error_msg(&err));
			sg_error_clear(&err);
			continue;
		}
		bool bucket = !strcmp(c->kind->name, "bucket");
		c->data_lost = c->data_count > 0 && (!bucket || json_is_true(json_object_get(c->prior, "force_destroy")));
		if (c->data_lost)
			p->data_loss = true;
	}
	p->data_loss_refused = p->data_loss && !opts->allow_data_loss;
}

/*
 * -target: the named resources and what they depend on (for a destroy, what
 * depends on them, which must go first). NULL when there are no targets.
 */
static sg_strmap *targeted_set(const sg_manifest *m, sg_state *st, const sg_plan_opts *opts, sg_diags *d)
{
	if (!opts || !opts->ntargets)
		return NULL;
	sg_strmap *set = sg_calloc(1, sizeof(*set));
	sg_vec queue = SG_VEC_INIT;
	for (size_t i = 0; i < opts->ntargets; i++) {
		const char *t = opts->targets[i];
		sg_resource *r = sg_manifest_resource(m, t);
		json_t *entry = sg_state_get(st, t);
		if (!r && !entry) {
			sg_pos pos = { NULL, 0, 0 };
			sg_diags_error(d, &pos, "-target %s: no such resource in the manifests or the state", t);
			continue;
		}
		sg_vec_push(&queue, (void *)t);
	}
	json_t *resources = sg_state_resources(st);
	for (size_t qi = 0; qi < queue.n; qi++) {
		const char *addr = queue.items[qi];
		if (sg_strmap_has(set, addr))
			continue;
		sg_strmap_put(set, addr, (void *)addr);
		if (opts->destroy) {
			const char *k;
			json_t *e;
			json_object_foreach(resources, k, e) {
				json_t *deps = json_object_get(e, "dependencies");
				for (size_t j = 0; j < json_array_size(deps); j++) {
					if (!strcmp(json_string_value(json_array_get(deps, j)), addr))
						sg_vec_push(&queue, (void *)k);
				}
			}
		} else {
			sg_resource *r = sg_manifest_resource(m, addr);
			for (size_t j = 0; r && j < r->deps.n; j++)
				sg_vec_push(&queue, (void *)((sg_resource *)r->deps.items[j])->address);
		}
	}
	sg_vec_free(&queue);
	return set;
}

/* -stage S needs every earlier stage that has resources to have been applied once. */
static void check_stage_order(const sg_manifest *m, sg_state *st, const char *stage, sg_diags *d)
{
	int rank = sg_stage_rank(stage);
	const json_t *done = json_object_get(sg_state_doc(st), "stages");
	for (int k = 0; k < rank; k++) {
		bool used = false;
		for (size_t i = 0; i < m->resources.n && !used; i++)
			used = !strcmp(((sg_resource *)m->resources.items[i])->stage, sg_stages[k]);
		if (used && !json_object_get(done, sg_stages[k])) {
			sg_pos pos = { NULL, 0, 0 };
			sg_diags_error(d, &pos,
				       "stage %s cannot be applied before stage %s, which has never been applied: run "
				       "sigma apply -stage %s first",
				       stage, sg_stages[k], sg_stages[k]);
			return;
		}
	}
}

int sg_plan_build(const sg_manifest *m, sg_state *st, const sg_plan_opts *opts, sg_plan **out, sg_diags *d)
{
	sg_plan *p = sg_calloc(1, sizeof(*p));
	*out = p;
	size_t errors_before = d->nerrors;
	p->is_destroy = opts && opts->destroy;
	p->stage = opts ? opts->stage : NULL;
	sg_strmap by_address = SG_STRMAP_INIT;
	sg_eval_ctx ctx = { m, &by_address };
	if (p->stage && !p->is_destroy)
		check_stage_order(m, st, p->stage, d);
	sg_strmap *targeted = targeted_set(m, st, opts, d);
	for (size_t k = 0; opts && k < opts->nreplace; k++) {
		if (!sg_manifest_resource(m, opts->replace[k])) {
			sg_pos pos = { NULL, 0, 0 };
			sg_diags_error(d, &pos, "-replace %s: no such resource in the manifests", opts->replace[k]);
		}
	}
	p->partial = targeted != NULL;

	if (!p->is_destroy) {
		sg_vec order = SG_VEC_INIT, cycle = SG_VEC_INIT;
		if (sg_graph_order(&m->resources, &order, &cycle) < 0) {
			sg_pos pos = ((sg_resource *)cycle.items[0])->pos;
			sg_diags_error(d, &pos, "dependency cycle");
		} else {
			for (size_t i = 0; i < order.n; i++) {
				sg_resource *r = order.items[i];
				sg_change *c = new_change(r->address, r->kind, r->kind_name);
				c->res = r;
				c->stage = r->stage;
				sg_strmap_put(&by_address, c->address, c);
				for (size_t j = 0; j < r->deps.n; j++) {
					sg_change *dc = sg_strmap_get(&by_address, ((sg_resource *)r->deps.items[j])->address);
					sg_vec_push(&c->deps, dc);
					sg_vec_push(&dc->dependents, c);
				}
				plan_declared(p, m, st, c, &ctx, d);
				for (size_t k = 0; opts && k < opts->nreplace; k++) {
					if (!strcmp(opts->replace[k], c->address) && c->action != SG_ACT_CREATE) {
						c->action = SG_ACT_REPLACE;
						sg_vec_push(&c->replace_reasons, sg_strdup("-replace: asked for on the command line"));
						for (const sg_attr *a = r->kind->attrs; a->name; a++) {
							if (a->flags & SG_A_COMPUTED)
								json_object_set_new(c->after, a->name, sg_unknown());
						}
					}
				}
				scope_change(p, c, opts, targeted);
				if (c->action == SG_ACT_REPLACE && r->prevent_destroy)
					sg_diags_add(d, SG_SEV_ERROR, &r->pos, r->address,
						     "this plan would replace %s, which has prevent_destroy: true (forced by %s)",
						     r->address, (const char *)c->replace_reasons.items[0]);
				/* what this one needs must exist, or be made by this plan */
				for (size_t j = 0; c->action != SG_ACT_NOOP && j < c->deps.n; j++) {
					sg_change *dc = c->deps.items[j];
					if (!dc->in_scope && (dc->wanted == SG_ACT_CREATE || dc->wanted == SG_ACT_REPLACE))
						sg_diags_add(d, SG_SEV_ERROR, &r->pos, r->address,
							     "it depends on %s (stage %s), which this plan leaves out and which does not "
							     "exist yet: %s",
							     dc->address, dc->stage,
							     targeted ? "add it with -target" : "apply its stage first");
				}
				count_change(p, c);
				sg_vec_push(&p->changes, c);
			}
		}
		sg_vec_free(&order);
		sg_vec_free(&cycle);
	}

	/* destroys: what the state has and the manifests do not declare (or everything) */
	json_t *resources = sg_state_resources(st);
	const char *addr;
	json_t *entry;
	sg_vec gone = SG_VEC_INIT;
	json_object_foreach(resources, addr, entry) {
		if (!p->is_destroy && sg_manifest_resource(m, addr))
			continue;
		const char *kind_name = json_string_value(json_object_get(entry, "kind"));
		const sg_kind *kind = kind_name ? sg_provider_kind(m->provider, kind_name) : NULL;
		sg_change *c = new_change(addr, kind, kind_name);
		if (!kind) {
			sg_pos pos = { NULL, 0, 0 };
			sg_diags_add(d, SG_SEV_ERROR, &pos, addr, "the state records a resource of kind \"%s\", which this "
							       "provider does not know; if it was left by another tool, forget it with "
							       "sigma state rm %s", kind_name ? kind_name : "?", addr);
		}
		c->action = SG_ACT_DELETE;
		c->prior_entry = json_incref(entry);
		c->prior = json_incref(json_object_get(entry, "attributes"));
		c->stage = json_string_value(json_object_get(entry, "stage"));
		sg_strmap_put(&by_address, c->address, c);
		sg_vec_push(&gone, c);
		scope_change(p, c, opts, targeted);
		count_change(p, c);
		if (c->action == SG_ACT_DELETE && json_is_true(json_object_get(entry, "prevent_destroy"))) {
			sg_pos pos = { NULL, 0, 0 };
			sg_resource *r = sg_manifest_resource(m, addr);
			sg_diags_add(d, SG_SEV_ERROR, r ? &r->pos : &pos, addr,
				     "this plan would destroy %s, which has prevent_destroy: true", addr);
		}
	}
	/* destroy order: a resource goes after everything that depends on it (state dependencies) */
	for (size_t i = 0; i < gone.n; i++) {
		sg_change *c = gone.items[i];
		json_t *deps = json_object_get(c->prior_entry, "dependencies");
		for (size_t j = 0; j < json_array_size(deps); j++) {
			sg_change *dc = sg_strmap_get(&by_address, json_string_value(json_array_get(deps, j)));
			if (dc && dc->wanted == SG_ACT_DELETE) {
				sg_vec_push(&c->deps, dc);
				sg_vec_push(&dc->dependents, c);
			}
		}
	}
	for (size_t i = 0; i < gone.n; i++)
		sg_vec_push(&p->changes, gone.items[i]);
	sg_vec_free(&gone);

	if (opts && opts->live)
		count_data_loss(p, opts, d);
	if (!p->is_destroy)
		plan_outputs(p, m, st, &ctx, d);
	else
		p->outputs = json_object();
	if (p->is_destroy && !p->partial && json_object_size(json_object_get(sg_state_doc(st), "outputs")))
		p->outputs_changed = true;
	sg_strmap_free(&by_address);
	if (targeted) {
		sg_strmap_free(targeted);
		free(targeted);
	}
	return d->nerrors > errors_before ? -1 : 0;
}
