#include "core/refresh.h"

#include "util/alloc.h"
#include "util/json.h"

#include <string.h>

static void drift_free(sg_drift *dr)
{
	free(dr->address);
	free(dr->kind_name);
	json_decref(dr->before);
	json_decref(dr->before_entry);
	json_decref(dr->after);
	sg_vec_free_all(&dr->changed);
	free(dr);
}

void sg_drifts_free(sg_vec *drifts)
{
	for (size_t i = 0; i < drifts->n; i++)
		drift_free(drifts->items[i]);
	sg_vec_free(drifts);
}

/* Read everything at once when the provider can, else resource by resource. */
static json_t *read_world(sg_provider *live, sg_state *st, const sg_manifest *m, sg_diags *d)
{
	json_t *resources = sg_state_resources(st);
	sg_error err = SG_ERROR_INIT;
	json_t *now = NULL;
	if (live->refresh) {
		if (live->refresh(live, resources, &now, &err) < 0) {
			sg_diags_add(d, SG_SEV_ERROR, NULL, NULL, "refreshing the state: %s", sg_error_msg(&err));
			sg_error_clear(&err);
			return NULL;
		}
		return now;
	}
	now = json_object();
	const char *addr;
	json_t *entry;
	json_object_foreach(resources, addr, entry) {
		const sg_kind *kind = sg_provider_kind(m->provider, json_string_value(json_object_get(entry, "kind")));
		if (!kind || !kind->read)
			continue;
		json_t *cur = NULL;
		if (kind->read(live, kind, json_object_get(entry, "attributes"), &cur, &err) < 0) {
			sg_diags_add(d, SG_SEV_ERROR, NULL, addr, "refreshing: %s", sg_error_msg(&err));
			sg_error_clear(&err);
			continue;
		}
		json_object_set_new(now, addr, cur ? cur : json_null());
	}
	return now;
}

static bool differs(const json_t *entry, const char *attr, const json_t *now_value)
{
	const json_t *prot = json_object_get(json_object_get(entry, "sensitive_attributes"), attr);
	if (prot)
		return !now_value || !sg_state_protected_matches(json_string_value(prot), now_value);
	const json_t *was = json_object_get(json_object_get(entry, "attributes"), attr);
	bool was_set = was && !json_is_null(was), now_set = now_value && !json_is_null(now_value);
	if (was_set != now_set)
		return true;
	return was_set && !sg_json_equal(was, now_value);
}

int sg_refresh(const sg_manifest *m, sg_state *st, sg_provider *live, bool record, sg_vec *drifts, sg_diags *d)
{
	size_t before = d->nerrors;
	json_t *now = read_world(live, st, m, d);
	if (!now)
		return -1;
	sg_error err = SG_ERROR_INIT;
	const char *addr;
	json_t *cur;
	json_object_foreach(now, addr, cur) {
		json_t *entry = sg_state_get(st, addr);
		if (!entry)
			continue;
		const char *kind_name = json_string_value(json_object_get(entry, "kind"));
		const sg_kind *kind = kind_name ? sg_provider_kind(m->provider, kind_name) : NULL;
		if (!kind)
			continue;
		sg_drift *dr = sg_calloc(1, sizeof(*dr));
		if (!json_is_null(cur)) {
			for (const sg_attr *a = kind->attrs; a->name; a++) {
				if (!(a->flags & SG_A_COMPUTED) && differs(entry, a->name, json_object_get(cur, a->name)))
					sg_vec_push(&dr->changed, sg_strdup(a->name));
			}
			if (!dr->changed.n) {
				drift_free(dr);
				continue;
			}
		}
		dr->address = sg_strdup(addr);
		dr->kind_name = sg_strdup(kind_name);
		dr->kind = kind;
		dr->before_entry = json_incref(entry);
		dr->before = json_incref(json_object_get(entry, "attributes"));
		dr->after = json_is_null(cur) ? NULL : json_incref(cur);
		sg_vec_push(drifts, dr);
		if (!dr->after) {
			if (record) {
				if (sg_state_remove(st, addr, &err) < 0)
					break;
			} else {
				sg_state_remove_unrecorded(st, addr);
			}
			continue;
		}
		/* the entry as the world has it; secrets stay protected */
		json_t *updated = json_deep_copy(entry);
		json_t *attrs = json_deep_copy(cur);
		json_t *prot = json_object_get(updated, "sensitive_attributes");
		const char *k;
		json_t *v;
		json_object_foreach(prot, k, v) {
			json_t *nv = json_object_get(attrs, k);
			if (nv && !sg_state_protected_matches(json_string_value(v), nv)) {
				char *p = sg_state_protect(nv, NULL);
				json_object_set_new(prot, k, json_string(p));
				free(p);
			}
			json_object_del(attrs, k);
		}
		json_object_set_new(updated, "attributes", attrs);
		if (record) {
			if (sg_state_put(st, addr, updated, &err) < 0)
				break;
		} else {
			sg_state_put_unrecorded(st, addr, updated);
		}
	}
	if (err.msg)
		sg_diags_add(d, SG_SEV_ERROR, NULL, NULL, "%s", sg_error_msg(&err));
	sg_error_clear(&err);
	json_decref(now);
	return d->nerrors > before ? -1 : 0;
}

int sg_refresh_record(sg_state *st, const sg_vec *drifts, sg_diags *d)
{
	sg_error err = SG_ERROR_INIT;
	int rc = 0;
	for (size_t i = 0; i < drifts->n && rc == 0; i++) {
		const sg_drift *dr = drifts->items[i];
		json_t *entry = sg_state_get(st, dr->address);
		if (entry) {
			json_incref(entry);
			json_t *copy = json_deep_copy(entry);
			json_decref(entry);
			rc = sg_state_put(st, dr->address, copy, &err);
		} else {
			/* removed in memory: journal the removal (the key is gone, so put it back first) */
			json_object_set(sg_state_resources(st), dr->address, dr->before_entry);
			rc = sg_state_remove(st, dr->address, &err);
		}
	}
	if (rc < 0)
		sg_diags_add(d, SG_SEV_ERROR, NULL, NULL, "%s", sg_error_msg(&err));
	sg_error_clear(&err);
	return rc;
}

json_t *sg_drifts_to_json(const sg_vec *drifts)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < drifts->n; i++) {
		const sg_drift *dr = drifts->items[i];
		const char *dot = strchr(dr->address, '.');
		json_t *before = json_deep_copy(dr->before);
		json_t *after = dr->after ? json_deep_copy(dr->after) : json_null();
		/* secrets: never in clear */
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(dr->before_entry, "sensitive_attributes"), k, v) {
			json_object_set_new(before, k, json_null());
			if (json_is_object(after))
				json_object_set_new(after, k, json_null());
		}
		json_t *changed = json_array();
		for (size_t j = 0; j < dr->changed.n; j++)
			json_array_append_new(changed, json_string(dr->changed.items[j]));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:{s:[s], s:o, s:o, s:o}}", "address", dr->address,
						     "type", dr->kind_name, "name", dot ? dot + 1 : dr->address, "change",
						     "actions", dr->after ? "update" : "delete", "before", before, "after",
						     after, "changed_attributes", changed));
	}
	return arr;
}
