#include "core/plan_json.h"

#include "core/refresh.h"
#include "core/value.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/text.h"

#include <string.h>

/* Split a planned value into (known value with nulls, unknown marks). */
static json_t *known_part(const json_t *v, json_t **unknown)
{
	if (sg_is_unknown(v)) {
		*unknown = json_true();
		return json_null();
	}
	if (json_is_object(v)) {
		json_t *out = json_object(), *marks = json_object();
		const char *k;
		json_t *e;
		json_object_foreach((json_t *)v, k, e) {
			json_t *m = NULL;
			json_object_set_new(out, k, known_part(e, &m));
			if (m)
				json_object_set_new(marks, k, m);
		}
		*unknown = json_object_size(marks) ? marks : NULL;
		if (!*unknown)
			json_decref(marks);
		return out;
	}
	if (json_is_array(v)) {
		json_t *out = json_array(), *marks = json_array();
		bool any = false;
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *m = NULL;
			json_array_append_new(out, known_part(json_array_get(v, i), &m));
			any = any || m;
			json_array_append_new(marks, m ? m : json_false());
		}
		*unknown = any ? marks : NULL;
		if (!any)
			json_decref(marks);
		return out;
	}
	*unknown = NULL;
	return json_deep_copy(v);
}

static const char *const action_names[][2] = {
	{ "no-op", NULL }, { "create", NULL }, { "update", NULL }, { "delete", "create" }, { "delete", NULL },
};

static json_t *actions_of(sg_action a)
{
	json_t *arr = json_array();
	json_array_append_new(arr, json_string(action_names[a][0]));
	if (action_names[a][1])
		json_array_append_new(arr, json_string(action_names[a][1]));
	return arr;
}

static json_t *change_json(const sg_change *c)
{
	const char *dot = strchr(c->address, '.');
	json_t *before = NULL, *before_sens = json_object();
	if (c->prior) {
		before = json_deep_copy(c->prior);
		const json_t *prot = json_object_get(c->prior_entry, "sensitive_attributes");
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)prot, k, v) {
			json_object_set_new(before, k, json_null());
			json_object_set_new(before_sens, k, json_true());
		}
	}
	json_t *after = NULL, *after_unknown = json_object(), *after_sens = json_object();
	if (c->after) {
		json_t *marks = NULL;
		after = known_part(c->after, &marks);
		if (marks) {
			json_decref(after_unknown);
			after_unknown = marks;
		}
		const char *k;
		json_t *v;
		json_object_foreach(c->after_sensitive, k, v) {
			if (json_is_true(v)) {
				json_object_set_new(after, k, json_null());
				json_object_set_new(after_sens, k, json_true());
			}
		}
	}
	json_t *replace = json_array();
	for (size_t i = 0; i < c->replace_reasons.n; i++) {
		const char *r = c->replace_reasons.items[i];
		const char *colon = strchr(r, ':');
		json_t *path = json_array();
		json_array_append_new(path, colon ? json_stringn(r, (size_t)(colon - r)) : json_string(r));
		json_array_append_new(replace, path);
	}
	json_t *change = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "actions", actions_of(c->action), "before",
				   before ? before : json_null(), "after", after ? after : json_null(), "after_unknown",
				   after_unknown, "before_sensitive", before_sens, "after_sensitive", after_sens);
	if (json_array_size(replace))
		json_object_set_new(change, "replace_paths", replace);
	else
		json_decref(replace);
	json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "address", c->address, "type", c->kind_name ? c->kind_name : "",
			      "name", dot ? dot + 1 : c->address, "change", change);
	if (c->data_count > 0)
		json_object_set_new(o, "data_loss",
				    json_pack("{s:I, s:b}", !strcmp(c->data_unit, "row") ? "rows" : "objects",
					      (json_int_t)c->data_count, "lost", c->data_lost));
	if (c->replace_reasons.n) {
		json_t *why = json_array();
		for (size_t i = 0; i < c->replace_reasons.n; i++)
			json_array_append_new(why, json_string(c->replace_reasons.items[i]));
		json_object_set_new(o, "action_reason", json_string("replace_because_cannot_update"));
		json_object_set_new(o, "replace_reasons", why);
	} else if (c->action == SG_ACT_DELETE && !c->res) {
		json_object_set_new(o, "action_reason", json_string("delete_because_no_resource_config"));
	}
	return o;
}

json_t *sg_plan_to_json(const sg_plan *p, sg_state *st)
{
	json_t *changes = json_array();
	for (size_t i = 0; i < p->changes.n; i++)
		json_array_append_new(changes, change_json(p->changes.items[i]));
	json_t *outputs = json_object();
	const json_t *old = json_object_get(sg_state_doc(st), "outputs");
	const char *k;
	json_t *v;
	json_object_foreach(p->outputs, k, v) {
		json_t *ov = json_object_get(old, k);
		json_t *nv = json_object_get(v, "value");
		bool secret = json_is_true(json_object_get(v, "sensitive"));
		bool old_secret = ov && json_object_get(ov, "hash");
		sg_action a = SG_ACT_CREATE;
		if (ov) {
			bool same = old_secret ? sg_state_protected_matches(json_string_value(json_object_get(ov, "hash")), nv)
					       : sg_json_equal(json_object_get(ov, "value"), nv) && !sg_has_unknown(nv);
			a = same ? SG_ACT_NOOP : SG_ACT_UPDATE;
		}
		json_t *unknown = NULL;
		json_t *after = known_part(nv, &unknown);
		if (secret) {
			json_decref(after);
			after = json_null();
		}
		json_t *before = ov && !old_secret ? json_deep_copy(json_object_get(ov, "value")) : json_null();
		json_object_set_new(outputs, k,
				    json_pack("{s:o, s:o, s:o, s:o, s:b, s:b}", "actions", actions_of(a), "before", before,
					      "after", after, "after_unknown", unknown ? unknown : json_false(),
					      "before_sensitive", old_secret, "after_sensitive", secret));
	}
	json_object_foreach((json_t *)old, k, v) {
		if (json_object_get(p->outputs, k))
			continue;
		bool old_secret = json_object_get(v, "hash") != NULL;
		json_object_set_new(outputs, k,
				    json_pack("{s:o, s:o, s:n, s:b, s:b, s:b}", "actions", actions_of(SG_ACT_DELETE), "before",
					      old_secret ? json_null() : json_deep_copy(json_object_get(v, "value")), "after",
					      "after_unknown", 0, "before_sensitive", old_secret, "after_sensitive", 0));
	}
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:b, s:b, s:{s:I, s:I, s:I}}", "format_version", SG_PLAN_JSON_FORMAT,
			 "sigma_version", SIGMA_VERSION, "resource_changes", changes, "output_changes", outputs,
			 "resource_drift", p->drift ? sg_drifts_to_json(p->drift) : json_array(), "destroy", p->is_destroy, "data_loss", p->data_loss, "summary", "add",
			 (json_int_t)p->nadd, "change",
			 (json_int_t)p->nchange, "destroy", (json_int_t)p->ndestroy);
}

void sg_state_digest(sg_state *st, char out[65])
{
	sg_buf text = SG_BUF_INIT, hex = SG_BUF_INIT;
	json_t *what = json_pack("{s:O, s:O}", "resources", sg_state_resources(st), "outputs",
				 json_object_get(sg_state_doc(st), "outputs"));
	sg_json_canonical(&text, what);
	json_decref(what);
	sg_sha256_hex(&hex, sg_buf_cstr(&text), text.len);
	snprintf(out, 65, "%s", hex.ptr);
	sg_buf_free(&text);
	sg_buf_free(&hex);
}

json_t *sg_plan_file(const sg_plan *p, const sg_manifest *m, sg_state *st)
{
	char digest[65];
	sg_state_digest(st, digest);
	json_t *vars = json_object();
	for (size_t i = 0; i < m->variables.n; i++) {
		const sg_variable *v = m->variables.items[i];
		if (!v->value)
			continue;
		if (v->sensitive) {
			char *h = sg_state_protect(v->value, NULL);
			json_object_set_new(vars, v->name, json_pack("{s:b, s:s}", "sensitive", 1, "hash", h));
			free(h);
		} else {
			json_object_set_new(vars, v->name, json_pack("{s:b, s:O}", "sensitive", 0, "value", v->value));
		}
	}
	return json_pack("{s:i, s:s, s:s, s:{s:s, s:I, s:s}, s:o, s:b, s:b, s:o}", "sigma_plan_file", SG_PLAN_FILE_VERSION,
			 "sigma_version", SIGMA_VERSION, "manifests_digest", m->digest, "state", "lineage",
			 sg_state_lineage(st), "serial", (json_int_t)sg_state_serial(st), "digest", digest, "variables",
			 vars, "destroy", p->is_destroy, "allow_data_loss", p->data_loss && !p->data_loss_refused, "plan",
			 sg_plan_to_json(p, st));
}

int sg_plan_file_check(const json_t *file, const sg_manifest *m, sg_state *st, const sg_plan *fresh, sg_error *err)
{
	const char *digest = json_string_value(json_object_get(file, "manifests_digest"));
	if (!digest || strcmp(digest, m->digest))
		return sg_error_set(err, "Saved plan is stale: the manifests changed since it was made; run sigma plan again");
	const json_t *sst = json_object_get(file, "state");
	const char *lineage = json_string_value(json_object_get(sst, "lineage"));
	json_int_t serial = json_integer_value(json_object_get(sst, "serial"));
	if (lineage && !*lineage && *sg_state_lineage(st))
		return sg_error_set(err, "Saved plan is stale: it was made when there was no state yet, and an apply has "
					 "written one since; run sigma plan again");
	if (!lineage || strcmp(lineage, sg_state_lineage(st)))
		return sg_error_set(err, "Saved plan is stale: it was made for another state (lineage %s, this state has %s)",
				    lineage ? lineage : "?", sg_state_lineage(st));
	char now[65];
	sg_state_digest(st, now);
	const char *then = json_string_value(json_object_get(sst, "digest"));
	if (serial != sg_state_serial(st) || !then || strcmp(then, now))
		return sg_error_set(err,
				    "Saved plan is stale: the state changed since it was made (serial %lld then, %lld now); "
				    "run sigma plan again",
				    (long long)serial, (long long)sg_state_serial(st));
	json_t *again = sg_plan_to_json(fresh, st);
	const json_t *saved = json_object_get(file, "plan");
	bool same = sg_json_equal(json_object_get(again, "resource_changes"), json_object_get(saved, "resource_changes")) &&
		    sg_json_equal(json_object_get(again, "output_changes"), json_object_get(saved, "output_changes"));
	json_decref(again);
	if (!same)
		return sg_error_set(err, "Saved plan is stale: planning again now gives different changes (a variable or "
					 "a file the manifests read changed); run sigma plan again");
	return 0;
}
