#include "pipeline/transform_run.h"

#include "util/alloc.h"
#include "util/text.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *sg_sx_status_name(sg_sx_status s)
{
	switch (s) {
	case SG_SX_WAITING: return "waiting";
	case SG_SX_SUCCEEDED: return "succeeded";
	case SG_SX_FAILED: return "failed";
	case SG_SX_SKIPPED: return "skipped";
	case SG_SX_DISABLED: return "disabled";
	}
	return "?";
}

/* ----------------------------------------------------------- selection */

static void mark_deps(const sg_sx_action *a, bool *sel)
{
	for (size_t i = 0; i < a->ndeps; i++) {
		if (!sel[a->deps[i]->index]) {
			sel[a->deps[i]->index] = true;
			mark_deps(a->deps[i], sel);
		}
	}
}

static bool has_tag(const sg_sx_action *a, const char *tag)
{
	for (size_t i = 0; i < a->tags.n; i++) {
		if (!strcmp(a->tags.items[i], tag))
			return true;
	}
	return false;
}

int sg_sx_select(const sg_sx_project *p, const sg_sx_selection *sel, bool *selected, sg_diags *d)
{
	size_t errors = d->nerrors;
	bool all = !sel->nactions && !sel->ntags;
	for (size_t i = 0; i < p->n; i++)
		selected[i] = all;
	for (size_t i = 0; i < sel->nactions; i++) {
		sg_sx_action *a = sg_sx_find(p, sel->actions[i]);
		if (!a) {
			sg_closest c;
			sg_closest_init(&c, sel->actions[i], 3);
			for (size_t j = 0; j < p->n; j++)
				sg_closest_consider(&c, p->actions[j]->canonical.name);
			sg_pos pos = { NULL, 0, 0 };
			if (c.best)
				sg_diags_error(d, &pos, "--actions: no action is named \"%s\" (did you mean \"%s\"?)",
					       sel->actions[i], c.best);
			else
				sg_diags_error(d, &pos, "--actions: no action is named \"%s\" (or the name is ambiguous: "
							"give schema.name)",
					       sel->actions[i]);
			continue;
		}
		selected[a->index] = true;
	}
	for (size_t t = 0; t < sel->ntags; t++) {
		bool any = false;
		for (size_t i = 0; i < p->n; i++) {
			if (has_tag(p->actions[i], sel->tags[t])) {
				selected[i] = true;
				any = true;
			}
		}
		if (!any) {
			sg_pos pos = { NULL, 0, 0 };
			sg_diags_error(d, &pos, "--tags: no action has the tag \"%s\"", sel->tags[t]);
		}
	}
	if (d->nerrors != errors)
		return -1;
	if (sel->include_deps) {
		for (size_t i = 0; i < p->n; i++) {
			if (selected[i])
				mark_deps(p->actions[i], selected);
		}
	}
	if (sel->include_dependents) {
		/* actions are not in dependency order: repeat until nothing changes */
		bool changed = true;
		while (changed) {
			changed = false;
			for (size_t i = 0; i < p->n; i++) {
				const sg_sx_action *a = p->actions[i];
				for (size_t j = 0; !selected[i] && j < a->ndeps; j++) {
					if (selected[a->deps[j]->index])
						selected[i] = changed = true;
				}
			}
		}
	}
	/* a selected table brings its own built-in assertions */
	for (size_t i = 0; i < p->n; i++) {
		const sg_sx_action *a = p->actions[i];
		if (a->parent && selected[a->parent->index])
			selected[i] = true;
	}
	for (size_t i = 0; i < p->n; i++) {
		if (p->actions[i]->type == SG_SX_DECLARATION)
			selected[i] = false;
	}
	return 0;
}

/* ----------------------------------------------------------------- run */

typedef struct run {
	const sg_sx_project *p;
	const sg_sx_backend *b;
	const sg_sx_run_opts *o;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	sg_sx_outcome *out; /* by action index */
	const bool *selected;
	size_t *waiting_on; /* selected dependencies not yet ended */
	size_t *queue;	    /* ready actions */
	size_t qhead, qtail;
	size_t remaining; /* selected actions not yet ended */
	/* dependents lists, by index */
	size_t **dependents;
	size_t *ndependents;
	sg_error start_err;
	bool start_failed;
} run;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* With the lock held: action i has ended; release what waited on it. */
static void ended(run *r, size_t i)
{
	r->remaining--;
	if (r->b->report)
		r->b->report(r->b->report_ctx, &r->out[i]);
	bool bad = r->out[i].status == SG_SX_FAILED || r->out[i].status == SG_SX_SKIPPED;
	for (size_t k = 0; k < r->ndependents[i]; k++) {
		size_t j = r->dependents[i][k];
		if (bad && !r->out[j].blocked_by)
			r->out[j].blocked_by = r->out[i].status == SG_SX_FAILED ? r->out[i].action : r->out[i].blocked_by;
		if (--r->waiting_on[j] == 0)
			r->queue[r->qtail++] = j;
	}
	pthread_cond_broadcast(&r->cv);
}

static void *worker(void *arg)
{
	run *r = arg;
	void *session = NULL;
	sg_error err = SG_ERROR_INIT;
	if (r->b->session_open && r->b->session_open(r->b->ctx, &session, &err) < 0) {
		pthread_mutex_lock(&r->mu);
		if (!r->start_failed) {
			r->start_failed = true;
			r->start_err.msg = err.msg;
			err.msg = NULL;
		}
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		sg_error_clear(&err);
		return NULL;
	}
	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (r->qhead == r->qtail && r->remaining && !r->start_failed)
			pthread_cond_wait(&r->cv, &r->mu);
		if (!r->remaining || r->start_failed)
			break;
		size_t i = r->queue[r->qhead++];
		sg_sx_outcome *o = &r->out[i];
		if (o->blocked_by) {
			o->status = SG_SX_SKIPPED;
			ended(r, i);
			continue;
		}
		if (o->action->disabled) {
			o->status = SG_SX_DISABLED;
			ended(r, i);
			continue;
		}
		pthread_mutex_unlock(&r->mu);
		double t0 = now_s();
		sg_sx_outcome res;
		memset(&res, 0, sizeof(res));
		res.action = o->action;
		int rc = r->b->run(session, o->action, r->o, &res);
		res.seconds = now_s() - t0;
		res.status = rc == 0 ? SG_SX_SUCCEEDED : SG_SX_FAILED;
		if (rc < 0 && !res.error)
			res.error = sg_strdup("failed");
		pthread_mutex_lock(&r->mu);
		res.blocked_by = o->blocked_by;
		*o = res;
		ended(r, i);
	}
	pthread_mutex_unlock(&r->mu);
	if (session && r->b->session_close)
		r->b->session_close(session);
	return NULL;
}

/* Dependency order of the selected actions (Kahn's algorithm on indexes). */
static void topo_order(const run *r, size_t *order, size_t *n)
{
	size_t np = r->p->n;
	size_t *indeg = sg_calloc(np + 1, sizeof(size_t));
	size_t *q = sg_calloc(np + 1, sizeof(size_t));
	size_t h = 0, t = 0;
	for (size_t i = 0; i < np; i++) {
		if (!r->selected[i])
			continue;
		indeg[i] = r->waiting_on[i];
		if (!indeg[i])
			q[t++] = i;
	}
	*n = 0;
	while (h < t) {
		size_t i = q[h++];
		order[(*n)++] = i;
		for (size_t k = 0; k < r->ndependents[i]; k++) {
			if (--indeg[r->dependents[i][k]] == 0)
				q[t++] = r->dependents[i][k];
		}
	}
	free(indeg);
	free(q);
}

int sg_sx_run(const sg_sx_project *p, const bool *selected, const sg_sx_backend *b, const sg_sx_run_opts *o,
	      sg_sx_outcome **out, size_t *n, sg_error *err)
{
	run r;
	memset(&r, 0, sizeof(r));
	r.p = p;
	r.b = b;
	r.o = o;
	r.selected = selected;
	size_t np = p->n;
	r.out = sg_calloc(np + 1, sizeof(*r.out));
	r.waiting_on = sg_calloc(np + 1, sizeof(size_t));
	r.queue = sg_calloc(np + 1, sizeof(size_t));
	r.dependents = sg_calloc(np + 1, sizeof(size_t *));
	r.ndependents = sg_calloc(np + 1, sizeof(size_t));
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	size_t *cap = sg_calloc(np + 1, sizeof(size_t));
	for (size_t i = 0; i < np; i++) {
		r.out[i].action = p->actions[i];
		if (!selected[i])
			continue;
		r.remaining++;
		const sg_sx_action *a = p->actions[i];
		for (size_t k = 0; k < a->ndeps; k++) {
			size_t d = a->deps[k]->index;
			if (!selected[d])
				continue; /* not in this run: already there */
			r.waiting_on[i]++;
			if (r.ndependents[d] == cap[d]) {
				cap[d] = cap[d] ? cap[d] * 2 : 4;
				r.dependents[d] = sg_realloc(r.dependents[d], cap[d] * sizeof(size_t));
			}
			r.dependents[d][r.ndependents[d]++] = i;
		}
	}
	free(cap);
	size_t *order = sg_calloc(np + 1, sizeof(size_t));
	size_t norder = 0;
	topo_order(&r, order, &norder);
	for (size_t k = 0; k < norder; k++) {
		if (!r.waiting_on[order[k]])
			r.queue[r.qtail++] = order[k];
	}
	int jobs = o->jobs < 1 ? 1 : o->jobs;
	if ((size_t)jobs > r.remaining)
		jobs = r.remaining ? (int)r.remaining : 1;
	pthread_t *threads = sg_calloc((size_t)jobs, sizeof(pthread_t));
	int started = 0;
	if (r.remaining) {
		for (; started < jobs; started++) {
			if (pthread_create(&threads[started], NULL, worker, &r) != 0)
				break;
		}
	}
	for (int k = 0; k < started; k++)
		pthread_join(threads[k], NULL);
	free(threads);
	int rc = 0;
	if (r.remaining && !r.start_failed)
		sg_error_set(&r.start_err, "cannot start the run's workers");
	if (r.remaining) {
		err->msg = r.start_err.msg;
		r.start_err.msg = NULL;
		rc = -1;
	}
	/* outcomes in dependency order */
	sg_sx_outcome *res = sg_calloc(norder + 1, sizeof(*res));
	for (size_t k = 0; k < norder; k++) {
		res[k] = r.out[order[k]];
		memset(&r.out[order[k]], 0, sizeof(r.out[order[k]]));
		if (rc == 0 && res[k].status != SG_SX_SUCCEEDED && res[k].status != SG_SX_DISABLED)
			rc = 1;
	}
	*out = res;
	*n = norder;
	for (size_t i = 0; i < np; i++) {
		free(r.dependents[i]);
		free(r.out[i].what);
		free(r.out[i].error);
		json_decref(r.out[i].columns);
		json_decref(r.out[i].rows);
	}
	free(order);
	free(r.out);
	free(r.waiting_on);
	free(r.queue);
	free(r.dependents);
	free(r.ndependents);
	sg_error_clear(&r.start_err);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.cv);
	return rc;
}

void sg_sx_outcomes_free(sg_sx_outcome *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(o[i].what);
		free(o[i].error);
		json_decref(o[i].columns);
		json_decref(o[i].rows);
	}
	free(o);
}
