#include "core/apply.h"

#include "core/expr.h"
#include "core/schema_check.h"
#include "core/value.h"
#include "util/alloc.h"
#include "util/strmap.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

typedef struct op_node {
	sg_change *change;
	sg_op_kind op;
	size_t pending;     /* unfinished prerequisites */
	sg_vec dependents;  /* op_node * that wait for this one */
	bool done, ok;
} op_node;

typedef struct runner {
	sg_plan *plan;
	const sg_manifest *m;
	sg_provider *prov;
	sg_state *st;
	const sg_apply_opts *opts;
	sg_apply_result *res;
	sg_diags *d;
	sg_strmap by_address;
	sg_eval_ctx ctx;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	op_node **ready;
	size_t ready_head, ready_tail;
	size_t running;
	bool failed;
} runner;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void add_edge(op_node *before, op_node *after)
{
	sg_vec_push(&before->dependents, after);
	after->pending++;
}

static const char *obj_name(const json_t *attrs)
{
	return json_string_value(json_object_get(attrs, "name"));
}

static void emit(runner *r, op_node *n, bool done, bool ok, double secs, const char *error, const char *id)
{
	if (!r->opts || !r->opts->observe)
		return;
	sg_apply_event ev = { n->change, n->op, done, ok, secs, error, id };
	r->opts->observe(&ev, r->opts->observe_ctx);
}

/* Evaluate a declared resource's attributes now that what it references exists. Under the lock. */
static json_t *evaluate(runner *r, sg_change *c, json_t **sensitive, sg_error *err)
{
	json_t *after = json_object();
	*sensitive = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(c->res->config, k, v) {
		bool sens = false;
		json_t *ev = sg_expr_eval(v, sg_eval_resolve, &r->ctx, &sens, err);
		if (!ev) {
			sg_error_prefix(err, "%s: ", k);
			json_decref(after);
			json_decref(*sensitive);
			*sensitive = NULL;
			return NULL;
		}
		if (sg_has_unknown(ev)) {
			sg_error_set(err, "%s: a value it references is still unknown", k);
			json_decref(ev);
			json_decref(after);
			json_decref(*sensitive);
			*sensitive = NULL;
			return NULL;
		}
		if (sens)
			json_object_set_new(*sensitive, k, json_true());
		json_object_set_new(after, k, ev);
	}
	if (sg_schema_coerce_object(c->res->kind->attrs, after, err) < 0) {
		json_decref(after);
		json_decref(*sensitive);
		*sensitive = NULL;
		return NULL;
	}
	return after;
}

static void finish(runner *r, op_node *n, bool ok)
{
	n->done = true;
	n->ok = ok;
	r->running--;
	if (!ok) {
		r->failed = true;
		r->res->failed++;
	} else {
		for (size_t i = 0; i < n->dependents.n; i++) {
			op_node *dn = n->dependents.items[i];
			if (--dn->pending == 0)
				r->ready[r->ready_tail++] = dn;
		}
	}
	pthread_cond_broadcast(&r->cv);
}

static void run_node(runner *r, op_node *n)
{
	if (!n->change) {
		/* a barrier: only orders the others */
		finish(r, n, true);
		return;
	}
	sg_change *c = n->change;
	const sg_kind *kind = c->kind;
	sg_error err = SG_ERROR_INIT;
	json_t *planned = NULL, *sensitive = NULL, *out = NULL;
	const char *id = obj_name(c->prior);
	int rc = 0;

	/* under the lock: evaluate against what is done so far */
	if (n->op != SG_OP_DELETE) {
		planned = evaluate(r, c, &sensitive, &err);
		if (!planned)
			rc = -1;
		else
			id = obj_name(planned);
	}
	emit(r, n, false, true, 0, NULL, id);
	double t0 = now_s();
	pthread_mutex_unlock(&r->mu);

	if (rc == 0) {
		switch (n->op) {
		case SG_OP_CREATE:
			rc = kind->create(r->prov, kind, planned, &out, &err);
			break;
		case SG_OP_UPDATE:
			rc = kind->update(r->prov, kind, c->prior, planned, &out, &err);
			break;
		case SG_OP_DELETE:
			rc = kind->destroy(r->prov, kind, c->prior, &err);
			break;
		}
	}

	pthread_mutex_lock(&r->mu);
	double secs = now_s() - t0;
	if (rc == 0) {
		if (n->op == SG_OP_DELETE) {
			rc = sg_state_remove(r->st, c->address, &err);
			if (rc == 0)
				r->res->destroyed++;
		} else {
			json_t *entry = sg_plan_state_entry(c->res, out, sensitive, c->prior_entry);
			rc = sg_state_put(r->st, c->address, entry, &err);
			if (rc == 0) {
				json_decref(c->applied);
				c->applied = json_incref(out);
				if (n->op == SG_OP_CREATE)
					r->res->added++;
				else
					r->res->changed++;
			}
		}
		if (rc < 0)
			sg_error_prefix(&err, "recording the result in the state: ");
	}
	if (rc < 0) {
		sg_pos pos = c->res ? c->res->pos : (sg_pos){ NULL, 0, 0 };
		const char *verb = n->op == SG_OP_CREATE ? "creating" : n->op == SG_OP_UPDATE ? "updating" : "destroying";
		sg_diags_add(r->d, SG_SEV_ERROR, c->res ? &pos : NULL, c->address, "%s: %s", verb, sg_error_msg(&err));
	}
	emit(r, n, true, rc == 0, secs, rc < 0 ? sg_error_msg(&err) : NULL, id);
	finish(r, n, rc == 0);
	json_decref(planned);
	json_decref(sensitive);
	json_decref(out);
	sg_error_clear(&err);
}

static void *worker(void *arg)
{
	runner *r = arg;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		bool cancel = r->opts && r->opts->cancel && *r->opts->cancel;
		if (cancel && !r->failed) {
			r->failed = true;
			r->res->cancelled = true;
		}
		while (!r->failed && r->ready_head == r->ready_tail && r->running > 0)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->failed || r->ready_head == r->ready_tail)
			break;
		op_node *n = r->ready[r->ready_head++];
		r->running++;
		run_node(r, n); /* releases and retakes the lock around the provider call */
	}
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

int sg_apply_plan(sg_plan *plan, const sg_manifest *m, sg_provider *prov, sg_state *st, const sg_apply_opts *opts,
		  sg_apply_result *res, sg_diags *d)
{
	memset(res, 0, sizeof(*res));
	size_t nchanges = plan->changes.n;
	op_node **up = sg_calloc(nchanges ? nchanges : 1, sizeof(*up));
	op_node **down = sg_calloc(nchanges ? nchanges : 1, sizeof(*down));
	sg_vec nodes = SG_VEC_INIT;
	runner r = { 0 };
	r.plan = plan;
	r.m = m;
	r.prov = prov;
	r.st = st;
	r.opts = opts;
	r.res = res;
	r.d = d;
	r.ctx.m = m;
	r.ctx.by_address = &r.by_address;
	int rc = 0;
	sg_error err = SG_ERROR_INIT;

	/* destroys of undeclared resources go first: a new resource may take an old one's name */
	op_node *barrier = sg_calloc(1, sizeof(*barrier));
	sg_vec_push(&nodes, barrier);
	for (size_t i = 0; i < nchanges; i++) {
		sg_change *c = plan->changes.items[i];
		c->plan_index = i;
		sg_strmap_put(&r.by_address, c->address, c);
		if (c->action == SG_ACT_DELETE || c->action == SG_ACT_REPLACE) {
			op_node *n = sg_calloc(1, sizeof(*n));
			n->change = c;
			n->op = SG_OP_DELETE;
			down[i] = n;
			sg_vec_push(&nodes, n);
		}
		if (c->action == SG_ACT_CREATE || c->action == SG_ACT_UPDATE || c->action == SG_ACT_REPLACE) {
			op_node *n = sg_calloc(1, sizeof(*n));
			n->change = c;
			n->op = c->action == SG_ACT_UPDATE ? SG_OP_UPDATE : SG_OP_CREATE;
			up[i] = n;
			sg_vec_push(&nodes, n);
		}
		if (c->action == SG_ACT_NOOP && c->meta_changed && c->res) {
			/* nothing to do in the world; keep the state's bookkeeping current */
			json_t *entry = sg_plan_state_entry(c->res, c->prior, NULL, c->prior_entry);
			json_object_set(entry, "sensitive_attributes", json_object_get(c->prior_entry, "sensitive_attributes"));
			if (sg_state_put(st, c->address, entry, &err) < 0) {
				sg_diags_add(d, SG_SEV_ERROR, NULL, c->address, "%s", sg_error_msg(&err));
				rc = -1;
			}
		}
	}
	for (size_t i = 0; i < nchanges; i++) {
		sg_change *c = plan->changes.items[i];
		if (up[i]) {
			for (size_t j = 0; j < c->deps.n; j++) {
				op_node *dep = up[((sg_change *)c->deps.items[j])->plan_index];
				if (dep)
					add_edge(dep, up[i]);
			}
			if (down[i])
				add_edge(down[i], up[i]);
			add_edge(barrier, up[i]);
		}
		if (c->action == SG_ACT_DELETE)
			add_edge(down[i], barrier);
		if (down[i]) {
			/* a resource is destroyed after what depends on it (as the state records it) */
			json_t *deps = json_object_get(c->prior_entry, "dependencies");
			for (size_t j = 0; j < json_array_size(deps); j++) {
				sg_change *target = sg_strmap_get(&r.by_address, json_string_value(json_array_get(deps, j)));
				if (target && down[target->plan_index])
					add_edge(down[i], down[target->plan_index]);
			}
		}
	}

	/* without -stage, the stages go in order: all of iac, then initial-data, then workflow */
	if (!plan->stage && !plan->is_destroy) {
		op_node *after_stage[2];
		for (int k = 0; k < 2; k++) {
			after_stage[k] = sg_calloc(1, sizeof(*after_stage[k]));
			sg_vec_push(&nodes, after_stage[k]);
		}
		add_edge(after_stage[0], after_stage[1]);
		for (size_t i = 0; i < nchanges; i++) {
			if (!up[i])
				continue;
			int rank = sg_stage_rank(((sg_change *)plan->changes.items[i])->stage);
			if (rank >= 1)
				add_edge(after_stage[rank - 1], up[i]);
			if (rank >= 0 && rank <= 1)
				add_edge(up[i], after_stage[rank]);
		}
	}

	r.ready = sg_calloc(nodes.n ? nodes.n : 1, sizeof(*r.ready));
	for (size_t i = 0; i < nodes.n; i++) {
		op_node *n = nodes.items[i];
		if (n->pending == 0)
			r.ready[r.ready_tail++] = n;
	}
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	int par = opts && opts->parallelism > 0 ? opts->parallelism : 10;
	if ((size_t)par > nodes.n)
		par = nodes.n ? (int)nodes.n : 1;
	pthread_t *threads = sg_calloc((size_t)par, sizeof(*threads));
	for (int i = 0; i < par; i++)
		pthread_create(&threads[i], NULL, worker, &r);
	for (int i = 0; i < par; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.cv);
	if (res->failed || res->cancelled)
		rc = -1;
	for (size_t i = 0; i < nodes.n && !res->failed && !res->cancelled; i++) {
		op_node *n = nodes.items[i];
		if (!n->done && n->change) {
			sg_diags_add(d, SG_SEV_ERROR, NULL, n->change->address, "internal error: the operation never ran");
			rc = -1;
		}
	}
	if (res->cancelled)
		sg_diags_add(d, SG_SEV_ERROR, NULL, NULL, "interrupted: operations already running finished; nothing new was started");

	/*
	 * A stage is applied when every operation of it (and, without -stage,
	 * of the stages before it) went through. A -target apply is partial and
	 * completes no stage.
	 */
	if (!plan->is_destroy && !plan->partial) {
		bool before_ok = true;
		for (int k = 0; sg_stages[k]; k++) {
			if (plan->stage && strcmp(plan->stage, sg_stages[k]))
				continue;
			bool ok = before_ok;
			for (size_t i = 0; i < nodes.n && ok; i++) {
				op_node *n = nodes.items[i];
				if (n->change && n->change->stage && !strcmp(n->change->stage, sg_stages[k]) && !(n->done && n->ok))
					ok = false;
			}
			if (ok && sg_state_mark_stage(st, sg_stages[k], &err) < 0) {
				sg_diags_add(d, SG_SEV_ERROR, NULL, NULL, "%s", sg_error_msg(&err));
				rc = -1;
			}
			before_ok = ok;
		}
	}

	/* outputs, when everything went through */
	if (rc == 0 && !plan->is_destroy) {
		json_t *outputs = json_object();
		for (size_t i = 0; i < m->outputs.n; i++) {
			const sg_output *o = m->outputs.items[i];
			bool sens = false;
			json_t *v = sg_expr_eval(o->expr, sg_eval_resolve, &r.ctx, &sens, &err);
			if (!v) {
				sg_diags_add(d, SG_SEV_ERROR, &o->pos, NULL, "output %s: %s", o->name, sg_error_msg(&err));
				rc = -1;
				continue;
			}
			if (sg_has_unknown(v)) {
				/* it reads something left out of this plan (-stage, -target): keep what was recorded */
				json_t *old = json_object_get(json_object_get(sg_state_doc(st), "outputs"), o->name);
				if (old)
					json_object_set(outputs, o->name, old);
			} else if (sens || o->sensitive) {
				char *h = sg_state_protect(v, NULL);
				json_object_set_new(outputs, o->name, json_pack("{s:s, s:b}", "hash", h, "sensitive", 1));
				free(h);
			} else {
				json_object_set_new(outputs, o->name, json_pack("{s:O, s:b}", "value", v, "sensitive", 0));
			}
			json_decref(v);
		}
		/* a protected output keeps its salt when unchanged, so the state does not churn */
		json_t *old = json_object_get(sg_state_doc(st), "outputs");
		const char *k;
		json_t *v;
		json_object_foreach(outputs, k, v) {
			json_t *ov = json_object_get(old, k);
			json_t *pv = json_object_get(plan->outputs, k);
			if (json_object_get(v, "hash") && json_object_get(ov, "hash") &&
			    sg_state_protected_matches(json_string_value(json_object_get(ov, "hash")),
						       json_object_get(pv, "value")))
				json_object_set(v, "hash", json_object_get(ov, "hash"));
		}
		if (rc == 0 && sg_state_set_outputs(st, outputs, &err) < 0) {
			sg_diags_add(d, SG_SEV_ERROR, NULL, NULL, "%s", sg_error_msg(&err));
			rc = -1;
		}
	} else if (rc == 0 && plan->is_destroy) {
		if (sg_state_set_outputs(st, json_object(), &err) < 0)
			rc = -1;
	}
	sg_error_clear(&err);
	if (sg_state_persist(st, &err) < 0) {
		sg_diags_add(d, SG_SEV_ERROR, NULL, NULL, "%s", sg_error_msg(&err));
		rc = -1;
	}
	sg_error_clear(&err);
	for (size_t i = 0; i < nodes.n; i++) {
		op_node *n = nodes.items[i];
		sg_vec_free(&n->dependents);
		free(n);
	}
	sg_vec_free(&nodes);
	free(r.ready);
	free(up);
	free(down);
	sg_strmap_free(&r.by_address);
	return rc;
}
