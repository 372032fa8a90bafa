/*
 * Workflow template steps: each `{id, kind, needs, retry, timeout, ...}`
 * with the attributes of its kind. Steps are checked here (the kinds are
 * run by the pipeline): a known kind, unique ids across steps and
 * on_failure, `needs` naming existing steps, no cycle.
 */
#include "core/checks.h"

#include "core/schema_check.h"
#include "core/value.h"
#include "providers/schema.h"
#include "util/alloc.h"
#include "util/text.h"

#include <string.h>

#define END { NULL, 0, 0, NULL, NULL, NULL, NULL, NULL }
#define COMMON                                                                                          \
	{ "id", SG_T_STRING, SG_A_REQUIRED, NULL, NULL, NULL, NULL, "step id" },                        \
	{ "kind", SG_T_STRING, SG_A_REQUIRED, NULL, NULL, NULL, NULL, "step kind" },                    \
	{ "needs", SG_T_LIST, 0, &str_elem, NULL, NULL, NULL, "steps that must succeed first" },        \
	{ "retry", SG_T_OBJECT, 0, NULL, sg_schema_retry_fields, NULL, NULL, "retries" },                         \
	{ "timeout", SG_T_DURATION, 0, NULL, NULL, NULL, NULL, "time limit" }

static const sg_attr str_elem = { "", SG_T_STRING, 0, NULL, NULL, NULL, NULL, NULL };
static const sg_attr int_elem = { "", SG_T_INT, 0, NULL, NULL, NULL, NULL, NULL };
static const sg_attr any_elem = { "", SG_T_ANY, 0, NULL, NULL, NULL, NULL, NULL };

static const sg_attr decrypt_attrs[] = {
	COMMON,
	{ "source", SG_T_STRING, SG_A_REQUIRED, NULL, NULL, NULL, NULL, "gs:// object to decrypt" },
	{ "destination", SG_T_STRING, SG_A_REQUIRED, NULL, NULL, NULL, NULL, "gs:// object to write" },
	{ "key_env", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "environment variable holding the key" },
	{ "key_file", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "file holding the key(s)" },
	{ "ttl", SG_T_DURATION, 0, NULL, NULL, NULL, NULL, "reject tokens older than this" },
	END,
};

static const char *const load_formats[] = { "CSV", "NEWLINE_DELIMITED_JSON", "PARQUET", NULL };
static const char *const load_modes[] = { "APPEND", "TRUNCATE", "EMPTY", NULL };
static const sg_attr load_attrs[] = {
	COMMON,
	{ "source", SG_T_STRING, SG_A_REQUIRED, NULL, NULL, NULL, NULL, "gs:// object(s) to load" },
	{ "table", SG_T_STRING, SG_A_REQUIRED, NULL, NULL, NULL, NULL, "DATASET.TABLE to load into" },
	{ "format", SG_T_STRING, SG_A_UPPER, NULL, NULL, load_formats, "\"CSV\"", "source format" },
	{ "mode", SG_T_STRING, SG_A_UPPER, NULL, NULL, load_modes, "\"APPEND\"", "APPEND, TRUNCATE or EMPTY" },
	{ "csv", SG_T_OBJECT, 0, NULL, sg_schema_csv_fields, NULL, NULL, "CSV options" },
	{ "max_bad_records", SG_T_INT, 0, NULL, NULL, NULL, "0", "rows that may be rejected" },
	END,
};

static const sg_attr transform_attrs[] = {
	COMMON,
	{ "project", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "the transform project directory" },
	{ "actions", SG_T_LIST, 0, &str_elem, NULL, NULL, NULL, "actions to run" },
	{ "tags", SG_T_LIST, 0, &str_elem, NULL, NULL, NULL, "run actions with these tags" },
	{ "include_dependents", SG_T_BOOL, 0, NULL, NULL, NULL, "false", "also run what depends on them" },
	{ "include_deps", SG_T_BOOL, 0, NULL, NULL, NULL, "false", "also run what they depend on" },
	{ "full_refresh", SG_T_BOOL, 0, NULL, NULL, NULL, "false", "rebuild incremental tables" },
	END,
};

static const sg_attr query_attrs[] = {
	COMMON,
	{ "sql", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "BigQuery SQL to run" },
	{ "file", SG_T_STRING, 0, NULL, NULL, NULL, NULL, "file holding the SQL" },
	END,
};

static const char *const http_methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL };
static const sg_attr http_attrs[] = {
	COMMON,
	{ "method", SG_T_STRING, SG_A_UPPER, NULL, NULL, http_methods, "\"POST\"", "HTTP method" },
	{ "url", SG_T_STRING, SG_A_REQUIRED, NULL, NULL, NULL, NULL, "the URL" },
	{ "headers", SG_T_MAP, 0, &str_elem, NULL, NULL, NULL, "request headers" },
	{ "body", SG_T_ANY, 0, &any_elem, NULL, NULL, NULL, "request body (a mapping is sent as JSON)" },
	{ "expect_status", SG_T_LIST, 0, &int_elem, NULL, NULL, NULL, "statuses that mean success (default 2xx)" },
	END,
};

static const sg_attr command_attrs[] = {
	COMMON,
	{ "argv", SG_T_LIST, SG_A_REQUIRED, &str_elem, NULL, NULL, NULL, "program and arguments" },
	{ "env", SG_T_MAP, 0, &str_elem, NULL, NULL, NULL, "extra environment" },
	END,
};

typedef struct step_kind {
	const char *name;
	const sg_attr *attrs;
} step_kind;

static const step_kind step_kinds[] = {
	{ "decrypt", decrypt_attrs }, { "load", load_attrs }, { "transform", transform_attrs },
	{ "query", query_attrs },     { "http", http_attrs }, { "command", command_attrs },
};

static const step_kind *find_step_kind(const char *name)
{
	for (size_t i = 0; i < SG_ARRAY_SIZE(step_kinds); i++) {
		if (!strcmp(step_kinds[i].name, name))
			return &step_kinds[i];
	}
	return NULL;
}

typedef struct step_info {
	const char *id;
	const sg_ynode *node;
	json_t *json;
} step_info;

static json_t *check_step_list(sg_resource *r, const char *attr, sg_vec *all, sg_diags *d)
{
	const sg_ynode *list = sg_ymap_get(r->node, attr);
	if (!list)
		return NULL;
	if (list->kind != SG_Y_SEQ)
		return NULL; /* reported by the schema check */
	json_t *out = json_array();
	for (size_t i = 0; i < list->n; i++) {
		const sg_ynode *s = list->items[i];
		if (s->kind != SG_Y_MAP) {
			sg_diags_add(d, SG_SEV_ERROR, &s->pos, r->address, "%s[%zu]: expected a step mapping {id, kind, ...}",
				     attr, i);
			continue;
		}
		const sg_ynode *kind = sg_ymap_get(s, "kind");
		const sg_ynode *id = sg_ymap_get(s, "id");
		if (!kind || kind->kind != SG_Y_SCALAR) {
			sg_diags_add(d, SG_SEV_ERROR, &s->pos, r->address,
				     "%s[%zu]: missing \"kind\" (decrypt, load, transform, query, http or command)", attr, i);
			continue;
		}
		const step_kind *sk = find_step_kind(kind->str);
		if (!sk) {
			sg_diags_add(d, SG_SEV_ERROR, &kind->pos, r->address,
				     "%s[%zu]: unknown step kind \"%s\" (expected decrypt, load, transform, query, http or "
				     "command)", attr, i, kind->str);
			continue;
		}
		sg_buf what = SG_BUF_INIT;
		sg_buf_printf(&what, "%s step %s", r->address, id && id->kind == SG_Y_SCALAR ? id->str : "?");
		json_t *step = sg_schema_convert_object(sk->attrs, s, what.ptr, NULL, d);
		if (id && id->kind == SG_Y_SCALAR) {
			const char *sid = id->str;
			bool ident = (sid[0] >= 'a' && sid[0] <= 'z') || (sid[0] >= 'A' && sid[0] <= 'Z') || sid[0] == '_';
			for (const char *p = sid; *p && ident; p++)
				ident = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
					*p == '_' || *p == '-';
			if (!ident)
				sg_diags_add(d, SG_SEV_ERROR, &id->pos, r->address, "step id \"%s\" is not an identifier", sid);
			for (size_t j = 0; j < all->n; j++) {
				step_info *o = all->items[j];
				if (!strcmp(o->id, sid))
					sg_diags_add(d, SG_SEV_ERROR, &id->pos, r->address,
						     "duplicate step id \"%s\" (first at line %d)", sid, o->node->pos.line);
			}
			step_info *info = sg_calloc(1, sizeof(*info));
			info->id = sid;
			info->node = s;
			info->json = step;
			sg_vec_push(all, info);
		}
		if (!strcmp(sk->name, "decrypt")) {
			bool env = sg_ymap_get(s, "key_env") != NULL, file = sg_ymap_get(s, "key_file") != NULL;
			if (env == file)
				sg_diags_add(d, SG_SEV_ERROR, &s->pos, r->address,
					     "step %s: give exactly one of key_env or key_file", id ? id->str : "?");
		} else if (!strcmp(sk->name, "query")) {
			bool sql = sg_ymap_get(s, "sql") != NULL, file = sg_ymap_get(s, "file") != NULL;
			if (sql == file)
				sg_diags_add(d, SG_SEV_ERROR, &s->pos, r->address, "step %s: give exactly one of sql or file",
					     id ? id->str : "?");
		} else if (!strcmp(sk->name, "command")) {
			const sg_ynode *argv = sg_ymap_get(s, "argv");
			if (argv && argv->kind == SG_Y_SEQ && argv->n == 0)
				sg_diags_add(d, SG_SEV_ERROR, &argv->pos, r->address, "step %s: argv is empty",
					     id ? id->str : "?");
		}
		sg_buf_free(&what);
		if (step)
			json_array_append_new(out, step);
	}
	return out;
}

static step_info *find_step(const sg_vec *all, const char *id)
{
	for (size_t i = 0; i < all->n; i++) {
		step_info *s = all->items[i];
		if (!strcmp(s->id, id))
			return s;
	}
	return NULL;
}

/* Depth-first search for a cycle through `needs`; colours: 0 new, 1 on the path, 2 done. */
static bool find_cycle(const sg_vec *all, size_t i, int *colour, size_t *path, size_t depth, sg_buf *out)
{
	colour[i] = 1;
	path[depth] = i;
	step_info *s = all->items[i];
	json_t *needs = json_object_get(s->json, "needs");
	for (size_t k = 0; k < json_array_size(needs); k++) {
		const char *nid = json_string_value(json_array_get(needs, k));
		step_info *n = nid ? find_step(all, nid) : NULL;
		if (!n)
			continue;
		size_t j = 0;
		while (all->items[j] != n)
			j++;
		if (colour[j] == 1) {
			size_t from = 0;
			while (path[from] != j)
				from++;
			for (size_t p = from; p <= depth; p++)
				sg_buf_printf(out, "%s -> ", ((step_info *)all->items[path[p]])->id);
			sg_buf_puts(out, n->id);
			return true;
		}
		if (colour[j] == 0 && find_cycle(all, j, colour, path, depth + 1, out))
			return true;
	}
	colour[i] = 2;
	return false;
}

void sg_check_workflow_steps(sg_resource *r, sg_diags *d)
{
	sg_vec all = SG_VEC_INIT;
	size_t before = d->nerrors;
	json_t *steps = check_step_list(r, "steps", &all, d);
	size_t nmain = all.n;
	json_t *on_failure = check_step_list(r, "on_failure", &all, d);
	const sg_ynode *steps_node = sg_ymap_get(r->node, "steps");
	if (steps_node && steps_node->kind == SG_Y_SEQ && steps_node->n == 0)
		sg_diags_add(d, SG_SEV_ERROR, &steps_node->pos, r->address, "steps: a workflow template needs at least one step");

	for (size_t i = 0; i < all.n; i++) {
		step_info *s = all.items[i];
		json_t *needs = json_object_get(s->json, "needs");
		const sg_ynode *nn = sg_ymap_get(s->node, "needs");
		for (size_t k = 0; k < json_array_size(needs); k++) {
			const char *nid = json_string_value(json_array_get(needs, k));
			step_info *target = nid ? find_step(&all, nid) : NULL;
			sg_pos pos = nn ? nn->pos : s->node->pos;
			if (!target) {
				sg_diags_add(d, SG_SEV_ERROR, &pos, r->address, "step %s: needs \"%s\", which is not a step",
					     s->id, nid ? nid : "?");
			} else if (target == s) {
				sg_diags_add(d, SG_SEV_ERROR, &pos, r->address, "step %s: needs itself", s->id);
			} else {
				size_t ti = 0;
				while (all.items[ti] != target)
					ti++;
				if ((i < nmain) != (ti < nmain))
					sg_diags_add(d, SG_SEV_ERROR, &pos, r->address,
						     "step %s: needs \"%s\", which is in %s (steps and on_failure are "
						     "separate graphs)", s->id, nid, ti < nmain ? "steps" : "on_failure");
			}
		}
	}
	if (d->nerrors == before && all.n) {
		int *colour = sg_calloc(all.n, sizeof(*colour));
		size_t *path = sg_calloc(all.n, sizeof(*path));
		sg_buf cycle = SG_BUF_INIT;
		for (size_t i = 0; i < all.n; i++) {
			if (colour[i] == 0 && find_cycle(&all, i, colour, path, 0, &cycle)) {
				step_info *s = all.items[i];
				sg_diags_add(d, SG_SEV_ERROR, &s->node->pos, r->address, "steps form a cycle: %s", cycle.ptr);
				break;
			}
		}
		sg_buf_free(&cycle);
		free(colour);
		free(path);
	}
	for (size_t i = 0; i < all.n; i++)
		free(all.items[i]);
	sg_vec_free(&all);
	if (steps)
		json_object_set_new(r->config, "steps", steps);
	if (on_failure)
		json_object_set_new(r->config, "on_failure", on_failure);
}
