#include "core/checks.h"

#include "core/expr.h"
#include "core/plan.h"
#include "core/value.h"
#include "pipeline/cron.h"
#include "pipeline/sqlx.h"
#include "providers/schema.h"
#include "providers/local/objects.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sg_resource_add_dep(sg_manifest *m, sg_resource *r, sg_resource *dep)
{
	for (size_t i = 0; i < r->deps.n; i++) {
		if (r->deps.items[i] == dep)
			return;
	}
	sg_arena_push(&m->arena, &r->deps.items, &r->deps.n, &r->deps.cap, dep);
}

/* The position of attribute `name` in a resource (its value), or the resource's. */
static sg_pos attr_pos(const sg_resource *r, const char *name)
{
	const sg_ynode *n = sg_ymap_get(r->node, name);
	return n ? n->pos : r->pos;
}

static void suggest_resource(const sg_manifest *m, const char *kind, const char *key, sg_buf *hint)
{
	sg_closest c;
	sg_closest_init(&c, key, 3);
	sg_buf list = SG_BUF_INIT;
	size_t count = 0;
	for (size_t i = 0; i < m->resources.n; i++) {
		const sg_resource *r = m->resources.items[i];
		if (strcmp(r->kind_name, kind))
			continue;
		if (count++ < 8)
			sg_buf_printf(&list, "%s%s", list.len ? ", " : "", r->key);
		sg_closest_consider(&c, r->key);
	}
	if (c.best)
		sg_buf_printf(hint, " (did you mean %s?)", c.best);
	else if (count)
		sg_buf_printf(hint, " (declared: %s%s)", list.ptr, count > 8 ? ", ..." : "");
	else
		sg_buf_printf(hint, " (no %s is declared)", kind);
	sg_buf_free(&list);
}

/*
 * `attr: KEY` naming a resource of `kind` by its key: depend on it and
 * rewrite the value to that resource's name, as a reference would.
 */
static void implicit_ref(sg_manifest *m, sg_resource *r, json_t *holder, const char *attr, const char *kind,
			 const sg_pos *pos, const char *label, sg_diags *d)
{
	json_t *v = json_object_get(holder, attr);
	if (!v || !json_is_string(v) || sg_expr_has_refs(json_string_value(v)))
		return;
	const char *key = json_string_value(v);
	sg_buf addr = SG_BUF_INIT;
	sg_buf_printf(&addr, "%s.%s", kind, key);
	sg_resource *target = sg_manifest_resource(m, addr.ptr);
	if (!target) {
		sg_buf hint = SG_BUF_INIT;
		suggest_resource(m, kind, key, &hint);
		sg_diags_add(d, SG_SEV_ERROR, pos, r->address, "%s: %s \"%s\" is not declared%s", label, kind, key,
			     sg_buf_cstr(&hint));
		sg_buf_free(&hint);
	} else {
		sg_resource_add_dep(m, r, target);
		sg_buf ref = SG_BUF_INIT;
		sg_buf_printf(&ref, "${%s.name}", addr.ptr);
		json_object_set_new(holder, attr, json_string(ref.ptr));
		sg_buf_free(&ref);
	}
	sg_buf_free(&addr);
}

static void check_name(sg_resource *r, sg_diags *d)
{
	const char *name = json_string_value(json_object_get(r->config, "name"));
	if (!name || sg_expr_has_refs(name) || !r->kind->name_valid)
		return;
	sg_buf why = SG_BUF_INIT;
	if (!r->kind->name_valid(name, &why)) {
		sg_pos pos = attr_pos(r, "name");
		sg_diags_add(d, SG_SEV_ERROR, &pos, r->address, "invalid name: %s", why.ptr);
	}
	sg_buf_free(&why);
}

static void check_scheduler(sg_manifest *m, sg_resource *r, sg_diags *d)
{
	const char *sched = json_string_value(json_object_get(r->config, "schedule"));
	if (sched && !sg_expr_has_refs(sched)) {
		sg_cron cron;
		sg_buf why = SG_BUF_INIT;
		if (sg_cron_parse(sched, &cron, &why) < 0) {
			sg_pos pos = attr_pos(r, "schedule");
			sg_diags_add(d, SG_SEV_ERROR, &pos, r->address, "invalid cron expression \"%s\": %s", sched, why.ptr);
		}
		sg_buf_free(&why);
	}
	const char *tz = json_string_value(json_object_get(r->config, "time_zone"));
	if (tz && !sg_expr_has_refs(tz) && sg_fs_is_dir("/usr/share/zoneinfo")) {
		sg_buf path = SG_BUF_INIT;
		sg_buf_printf(&path, "/usr/share/zoneinfo/%s", tz);
		if (strstr(tz, "..") || tz[0] == '/' || !sg_fs_exists(path.ptr) || sg_fs_is_dir(path.ptr)) {
			sg_pos pos = attr_pos(r, "time_zone");
			sg_diags_add(d, SG_SEV_ERROR, &pos, r->address,
				     "time_zone: \"%s\" is not an IANA time zone (such as Etc/UTC or America/Santiago)", tz);
		}
		sg_buf_free(&path);
	}
	sg_pos pos = attr_pos(r, "workflow");
	implicit_ref(m, r, r->config, "workflow", "workflow_template", &pos, "workflow", d);
}

static void check_columns(sg_resource *r, const char *attr, sg_diags *d)
{
	json_t *schema = json_object_get(r->config, attr);
	if (!json_is_array(schema))
		return;
	sg_pos pos = attr_pos(r, attr);
	if (json_array_size(schema) == 0 && !strcmp(r->kind_name, "table"))
		sg_diags_add(d, SG_SEV_ERROR, &pos, r->address, "%s: a table needs at least one column", attr);
	for (size_t i = 0; i < json_array_size(schema); i++) {
		const char *name = json_string_value(json_object_get(json_array_get(schema, i), "name"));
		if (!name)
			continue;
		sg_buf why = SG_BUF_INIT;
		if (!sg_expr_has_refs(name) && !sg_name_valid_column(name, &why))
			sg_diags_add(d, SG_SEV_ERROR, &pos, r->address, "%s[%zu]: invalid column name: %s", attr, i, why.ptr);
		sg_buf_free(&why);
		for (size_t j = 0; j < i; j++) {
			const char *other = json_string_value(json_object_get(json_array_get(schema, j), "name"));
			if (other && !strcasecmp(other, name))
				sg_diags_add(d, SG_SEV_ERROR, &pos, r->address, "%s: column \"%s\" is declared twice", attr, name);
		}
	}
}

static const json_t *find_column(const json_t *schema, const char *name)
{
	for (size_t i = 0; i < json_array_size(schema); i++) {
		const json_t *c = json_array_get(schema, i);
		const char *cn = json_string_value(json_object_get(c, "name"));
		if (cn && !strcasecmp(cn, name))
			return c;
	}
	return NULL;
}

static void check_table(sg_manifest *m, sg_resource *r, sg_diags *d)
{
	sg_pos pos = attr_pos(r, "dataset");
	implicit_ref(m, r, r->config, "dataset", "dataset", &pos, "dataset", d);
	check_columns(r, "schema", d);
	if (strcmp(r->kind_name, "table"))
		return;
	json_t *schema = json_object_get(r->config, "schema");
	json_t *part = json_object_get(r->config, "partitioning");
	const char *field = json_string_value(json_object_get(part, "field"));
	if (field && json_is_array(schema)) {
		const json_t *c = find_column(schema, field);
		sg_pos ppos = attr_pos(r, "partitioning");
		const char *type = c ? sg_column_type_canonical(json_string_value(json_object_get(c, "type"))) : NULL;
		if (!c)
			sg_diags_add(d, SG_SEV_ERROR, &ppos, r->address, "partitioning.field: no column \"%s\" in the schema",
				     field);
		else if (strcmp(type, "DATE") && strcmp(type, "TIMESTAMP") && strcmp(type, "DATETIME") &&
			 strcmp(type, "INT64"))
			sg_diags_add(d, SG_SEV_ERROR, &ppos, r->address,
				     "partitioning.field: column \"%s\" is %s; expected DATE, TIMESTAMP, DATETIME or INT64",
				     field, type);
	}
	json_t *clustering = json_object_get(r->config, "clustering");
	if (json_is_array(clustering)) {
		sg_pos cpos = attr_pos(r, "clustering");
		if (json_array_size(clustering) > 4)
			sg_diags_add(d, SG_SEV_ERROR, &cpos, r->address, "clustering: at most 4 columns, found %zu",
				     json_array_size(clustering));
		for (size_t i = 0; i < json_array_size(clustering); i++) {
			const char *col = json_string_value(json_array_get(clustering, i));
			if (col && json_is_array(schema) && !find_column(schema, col))
				sg_diags_add(d, SG_SEV_ERROR, &cpos, r->address, "clustering: no column \"%s\" in the schema", col);
		}
	}
}

/* Resolve only ${var.*}: variables are known while checking, resources are not. */
static int var_only_resolver(const sg_ref *ref, void *ctx, json_t **out, bool *sensitive, sg_error *err)
{
	const sg_manifest *m = ctx;
	(void)sensitive;
	sg_variable *var = ref->kind == SG_REF_VAR ? sg_manifest_variable(m, ref->parts[1]) : NULL;
	if (!var || !var->value)
		return sg_error_set(err, "not a known variable");
	*out = json_deep_copy(var->value);
	return 0;
}

/* `s` with its variables filled in (a new string), or NULL when it needs more than variables. */
static char *with_variables(const sg_manifest *m, const char *s)
{
	if (!s)
		return NULL;
	json_t *in = json_string(s);
	sg_error err = SG_ERROR_INIT;
	bool sens = false;
	json_t *out = sg_expr_eval(in, var_only_resolver, (void *)m, &sens, &err);
	json_decref(in);
	sg_error_clear(&err);
	char *res = json_is_string(out) ? sg_strdup(json_string_value(out)) : NULL;
	json_decref(out);
	return res;
}

static void check_external_table(sg_manifest *m, sg_resource *r, sg_diags *d)
{
	check_table(m, r, d);
	json_t *uris = json_object_get(r->config, "source_uris");
	sg_pos pos = attr_pos(r, "source_uris");
	if (json_is_array(uris) && json_array_size(uris) == 0)
		sg_diags_add(d, SG_SEV_ERROR, &pos, r->address, "source_uris: expected at least one gs:// URI");
	sg_buf bucket = SG_BUF_INIT, name = SG_BUF_INIT;
	for (size_t i = 0; i < json_array_size(uris); i++) {
		char *uri = with_variables(m, json_string_value(json_array_get(uris, i)));
		if (!uri)
			continue;
		sg_error err = SG_ERROR_INIT;
		if (sg_gs_uri_split(uri, &bucket, &name, &err) < 0) {
			sg_diags_add(d, SG_SEV_ERROR, &pos, r->address, "source_uris[%zu]: %s", i, sg_error_msg(&err));
			sg_error_clear(&err);
			free(uri);
			continue;
		}
		free(uri);
		/* a declared bucket of that name is a dependency */
		for (size_t j = 0; j < m->resources.n; j++) {
			sg_resource *b = m->resources.items[j];
			if (strcmp(b->kind_name, "bucket"))
				continue;
			char *bn = with_variables(m, json_string_value(json_object_get(b->config, "name")));
			if (bn && !strcmp(bn, bucket.ptr))
				sg_resource_add_dep(m, r, b);
			free(bn);
		}
	}
	sg_buf_free(&bucket);
	sg_buf_free(&name);
	json_t *hive = json_object_get(r->config, "hive_partitioning");
	const char *prefix = json_string_value(json_object_get(hive, "source_uri_prefix"));
	if (prefix && !sg_expr_has_refs(prefix) && !sg_str_starts_with(prefix, "gs://")) {
		sg_pos hpos = attr_pos(r, "hive_partitioning");
		sg_diags_add(d, SG_SEV_ERROR, &hpos, r->address,
			     "hive_partitioning.source_uri_prefix: expected a gs:// URI, found \"%s\"", prefix);
	}
	json_t *csv = json_object_get(r->config, "csv");
	const char *delim = json_string_value(json_object_get(csv, "field_delimiter"));
	const char *quote = json_string_value(json_object_get(csv, "quote"));
	sg_pos cpos = attr_pos(r, "csv");
	if (delim && strlen(delim) != 1 && strcmp(delim, "\\t"))
		sg_diags_add(d, SG_SEV_ERROR, &cpos, r->address, "csv.field_delimiter: expected one character, found \"%s\"",
			     delim);
	if (quote && strlen(quote) > 1)
		sg_diags_add(d, SG_SEV_ERROR, &cpos, r->address, "csv.quote: expected one character or \"\", found \"%s\"",
			     quote);
	const char *format = json_string_value(json_object_get(r->config, "format"));
	if (csv && format && strcmp(format, "CSV"))
		sg_diags_add(d, SG_SEV_ERROR, &cpos, r->address, "csv: options given for format %s", format);
}

static void check_depends_on(sg_manifest *m, sg_resource *r, sg_diags *d)
{
	const sg_ynode *n = sg_ymap_get(r->node, "depends_on");
	if (!n)
		return;
	if (n->kind != SG_Y_SEQ) {
		sg_diags_add(d, SG_SEV_ERROR, &n->pos, r->address, "depends_on: expected a list of KIND.NAME addresses");
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		const sg_ynode *e = n->items[i];
		if (e->kind != SG_Y_SCALAR) {
			sg_diags_add(d, SG_SEV_ERROR, &e->pos, r->address, "depends_on[%zu]: expected a KIND.NAME address", i);
			continue;
		}
		sg_resource *dep = sg_manifest_resource(m, e->str);
		if (!dep) {
			const char *dot = strchr(e->str, '.');
			sg_buf hint = SG_BUF_INIT;
			if (dot) {
				char kind[64];
				snprintf(kind, sizeof(kind), "%.*s", (int)(dot - e->str), e->str);
				suggest_resource(m, kind, dot + 1, &hint);
			}
			sg_diags_add(d, SG_SEV_ERROR, &e->pos, r->address, "depends_on: %s is not declared%s", e->str,
				     sg_buf_cstr(&hint));
			sg_buf_free(&hint);
		} else if (dep == r) {
			sg_diags_add(d, SG_SEV_ERROR, &e->pos, r->address, "depends_on: a resource cannot depend on itself");
		} else {
			sg_resource_add_dep(m, r, dep);
		}
	}
}

/* The provider's own check of a declaration, located in the manifest (inside a | block exactly). */
static void check_with_provider(sg_resource *r, sg_diags *d)
{
	if (!r->kind->check)
		return;
	const char *attr = NULL;
	int line = 0, col = 0;
	sg_buf why = SG_BUF_INIT;
	if (r->kind->check(r->kind, r->config, &attr, &line, &col, &why) < 0) {
		const sg_ynode *n = attr ? sg_ymap_get(r->node, attr) : NULL;
		sg_pos pos = n ? n->pos : r->pos;
		if (n && n->kind == SG_Y_SCALAR && line > 0) {
			if (n->block_line && n->literal) {
				pos.line = n->block_line + line - 1;
				pos.col = n->block_col + col - 1;
			} else if (line == 1 && !n->block_line) {
				pos.col += col - 1 + (n->plain ? 0 : 1);
			}
		}
		if (line > 0)
			sg_diags_add(d, SG_SEV_ERROR, &pos, r->address, "%s: line %d, col %d of the query: %s", attr, line, col,
				     sg_buf_cstr(&why));
		else
			sg_diags_add(d, SG_SEV_ERROR, &pos, r->address, "%s: %s", attr ? attr : "", sg_buf_cstr(&why));
	}
	sg_buf_free(&why);
}

void sg_check_resources(sg_manifest *m, const sg_provider *prov, sg_diags *d)
{
	(void)prov;
	for (size_t i = 0; i < m->resources.n; i++) {
		sg_resource *r = m->resources.items[i];
		if (!r->config)
			continue;
		check_name(r, d);
		check_with_provider(r, d);
		check_depends_on(m, r, d);
		if (!strcmp(r->kind_name, "table") || !strcmp(r->kind_name, "view")) {
			check_table(m, r, d);
		} else if (!strcmp(r->kind_name, "external_table")) {
			check_external_table(m, r, d);
		} else if (!strcmp(r->kind_name, "scheduler")) {
			check_scheduler(m, r, d);
		} else if (!strcmp(r->kind_name, "workflow_template")) {
			sg_check_workflow_steps(r, d);
		} else if (!strcmp(r->kind_name, "bucket")) {
			json_t *notif = json_object_get(r->config, "notification");
			if (notif) {
				sg_pos pos = attr_pos(r, "notification");
				implicit_ref(m, r, notif, "workflow", "workflow_template", &pos, "notification.workflow", d);
			}
		}
	}
}

/* ---- references ---- */

typedef struct ref_ctx {
	sg_manifest *m;
	sg_resource *r;       /* NULL for outputs */
	const char *what;     /* address or "output NAME" */
	const sg_ynode *node; /* the string's node, for positions (may be NULL) */
	sg_pos fallback;
	bool runtime_ok;      /* inside workflow steps */
	bool require_values;
	sg_diags *d;
} ref_ctx;

static sg_pos ref_pos(const ref_ctx *c, const sg_ref *ref)
{
	if (!c->node)
		return c->fallback;
	const sg_ynode *n = c->node;
	sg_pos pos = n->pos;
	if (n->block_line) {
		/* a block scalar: count lines inside its text (exact for |, the first line for >) */
		pos.line = n->block_line;
		pos.col = n->block_col;
		if (!n->literal)
			return pos;
		size_t line_start = 0;
		for (size_t i = 0; i < ref->start; i++) {
			if (n->str[i] == '\n') {
				pos.line++;
				line_start = i + 1;
			}
		}
		pos.col += (int)(ref->start - line_start);
		return pos;
	}
	if (!memchr(n->str, '\n', ref->start))
		pos.col += (int)ref->start + (n->plain ? 0 : 1);
	return pos;
}

static bool attr_path_valid(const sg_attr *attrs, const sg_ref *ref, int from, sg_buf *why)
{
	const sg_attr *a = sg_attr_find(attrs, ref->parts[from]);
	if (!a) {
		sg_buf_printf(why, "has no attribute \"%s\"", ref->parts[from]);
		return false;
	}
	for (int i = from + 1; i < ref->nparts; i++) {
		if (a->type == SG_T_OBJECT) {
			const sg_attr *f = sg_attr_find(a->fields, ref->parts[i]);
			if (!f) {
				sg_buf_printf(why, "has no attribute \"%s\" in %s", ref->parts[i], a->name);
				return false;
			}
			a = f;
		} else if (a->type == SG_T_MAP || a->type == SG_T_ANY || a->type == SG_T_LIST) {
			return true; /* keys (and indexes) are checked when evaluated */
		} else {
			sg_buf_printf(why, "attribute \"%s\" has no field \"%s\"", a->name, ref->parts[i]);
			return false;
		}
	}
	return true;
}

static void collect_step_ids(const json_t *steps, const char *id, bool *found)
{
	for (size_t i = 0; i < json_array_size(steps); i++) {
		const char *sid = json_string_value(json_object_get(json_array_get(steps, i), "id"));
		if (sid && !strcmp(sid, id))
			*found = true;
	}
}

static const char *const event_fields[] = { "bucket", "name", "size", "md5", "crc32c", "time", "generation", NULL };

static int check_one_ref(const sg_ref *ref, void *vctx)
{
	ref_ctx *c = vctx;
	sg_pos pos = ref_pos(c, ref);
	switch (ref->kind) {
	case SG_REF_VAR: {
		sg_variable *var = sg_manifest_variable(c->m, ref->parts[1]);
		if (!var) {
			sg_diags_add(c->d, SG_SEV_ERROR, &pos, c->what, "${%s}: variable \"%s\" is not declared", ref->text,
				     ref->parts[1]);
		} else {
			var->referenced = true;
			if (!var->value && c->require_values)
				sg_diags_add(c->d, SG_SEV_ERROR, &pos, c->what,
					     "${%s}: variable \"%s\" is not set (use -var %s=VALUE, -var-file FILE or "
					     "SIGMA_VAR_%s)", ref->text, var->name, var->name, var->name);
		}
		return 0;
	}
	case SG_REF_ARGS:
	case SG_REF_EVENT:
	case SG_REF_STEPS:
		if (!c->runtime_ok) {
			sg_diags_add(c->d, SG_SEV_ERROR, &pos, c->what,
				     "${%s} is a run-time reference: it is only allowed inside a workflow_template's steps",
				     ref->text);
			return 0;
		}
		if (ref->kind == SG_REF_ARGS) {
			json_t *params = json_object_get(c->r->config, "params");
			if (!json_object_get(params, ref->parts[1]))
				sg_diags_add(c->d, SG_SEV_ERROR, &pos, c->what, "${%s}: \"%s\" is not a declared param of %s",
					     ref->text, ref->parts[1], c->r->address);
		} else if (ref->kind == SG_REF_EVENT) {
			bool ok = false;
			for (size_t i = 0; event_fields[i]; i++)
				ok = ok || !strcmp(event_fields[i], ref->parts[1]);
			if (!ok)
				sg_diags_add(c->d, SG_SEV_ERROR, &pos, c->what,
					     "${%s}: an event has bucket, name, size, md5, crc32c, time and generation",
					     ref->text);
		} else {
			bool found = false;
			collect_step_ids(json_object_get(c->r->config, "steps"), ref->parts[1], &found);
			collect_step_ids(json_object_get(c->r->config, "on_failure"), ref->parts[1], &found);
			if (!found)
				sg_diags_add(c->d, SG_SEV_ERROR, &pos, c->what, "${%s}: no step \"%s\" in %s", ref->text,
					     ref->parts[1], c->r->address);
		}
		return 0;
	case SG_REF_RESOURCE:
		break;
	}
	sg_buf addr = SG_BUF_INIT;
	sg_buf_printf(&addr, "%s.%s", ref->parts[0], ref->parts[1]);
	sg_resource *target = sg_manifest_resource(c->m, addr.ptr);
	if (!target) {
		sg_buf hint = SG_BUF_INIT;
		bool kind_known = false;
		for (size_t i = 0; i < c->m->resources.n && !kind_known; i++)
			kind_known = !strcmp(((sg_resource *)c->m->resources.items[i])->kind_name, ref->parts[0]);
		if (kind_known)
			suggest_resource(c->m, ref->parts[0], ref->parts[1], &hint);
		sg_diags_add(c->d, SG_SEV_ERROR, &pos, c->what, "${%s}: reference to undeclared resource %s%s", ref->text,
			     addr.ptr, sg_buf_cstr(&hint));
		sg_buf_free(&hint);
	} else if (target == c->r) {
		sg_diags_add(c->d, SG_SEV_ERROR, &pos, c->what, "${%s}: a resource cannot reference itself", ref->text);
	} else {
		sg_buf why = SG_BUF_INIT;
		if (!attr_path_valid(target->kind->attrs, ref, 2, &why))
			sg_diags_add(c->d, SG_SEV_ERROR, &pos, c->what, "${%s}: %s %s", ref->text, target->kind_name, why.ptr);
		else if (c->r)
			sg_resource_add_dep(c->m, c->r, target);
		sg_buf_free(&why);
	}
	sg_buf_free(&addr);
	return 0;
}

static void scan_string(ref_ctx *c, const char *s)
{
	if (!sg_expr_has_refs(s))
		return;
	sg_buf why = SG_BUF_INIT;
	size_t off = 0;
	if (sg_expr_scan(s, check_one_ref, c, &why, &off) < 0) {
		sg_ref fake;
		fake.start = off;
		sg_pos pos = ref_pos(c, &fake);
		sg_diags_add(c->d, SG_SEV_ERROR, &pos, c->what, "%s", why.ptr);
	}
	sg_buf_free(&why);
}

static void scan_node(ref_ctx *c, const sg_ynode *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case SG_Y_SCALAR:
		c->node = n;
		scan_string(c, n->str);
		break;
	case SG_Y_SEQ:
		for (size_t i = 0; i < n->n; i++)
			scan_node(c, n->items[i]);
		break;
	case SG_Y_MAP:
		for (size_t i = 0; i < n->n; i++)
			scan_node(c, n->pairs[i].value);
		break;
	}
}

static void scan_json(ref_ctx *c, const json_t *v)
{
	if (json_is_string(v)) {
		scan_string(c, json_string_value(v));
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			scan_json(c, json_array_get(v, i));
	} else if (json_is_object(v)) {
		const char *k;
		json_t *e;
		json_object_foreach((json_t *)v, k, e) scan_json(c, e);
	}
}

void sg_check_references(sg_manifest *m, bool require_values, sg_diags *d)
{
	ref_ctx c = { 0 };
	c.m = m;
	c.require_values = require_values;
	c.d = d;
	for (size_t i = 0; i < m->resources.n; i++) {
		sg_resource *r = m->resources.items[i];
		if (!r->node)
			continue;
		c.r = r;
		c.what = r->address;
		c.fallback = r->pos;
		for (size_t j = 0; j < r->node->n; j++) {
			const char *key = r->node->pairs[j].key->str;
			if (!strcmp(key, "depends_on"))
				continue;
			c.runtime_ok = !strcmp(r->kind_name, "workflow_template") &&
				       (!strcmp(key, "steps") || !strcmp(key, "on_failure"));
			scan_node(&c, r->node->pairs[j].value);
		}
	}
	sg_buf what = SG_BUF_INIT;
	for (size_t i = 0; i < m->outputs.n; i++) {
		sg_output *o = m->outputs.items[i];
		sg_buf_clear(&what);
		sg_buf_printf(&what, "output.%s", o->name);
		c.r = NULL;
		c.what = what.ptr;
		c.node = NULL;
		c.fallback = o->pos;
		c.runtime_ok = false;
		scan_json(&c, o->expr);
	}
	sg_buf_free(&what);
}

void sg_check_stages(sg_manifest *m, sg_diags *d)
{
	for (size_t i = 0; i < m->resources.n; i++) {
		sg_resource *r = m->resources.items[i];
		for (size_t j = 0; j < r->deps.n; j++) {
			const sg_resource *dep = r->deps.items[j];
			if (sg_stage_rank(dep->stage) > sg_stage_rank(r->stage))
				sg_diags_add(d, SG_SEV_ERROR, &r->pos, r->address,
					     "it is in stage %s but depends on %s, of the later stage %s (stages apply in "
					     "order); give it stage: %s",
					     r->stage, dep->address, dep->stage, dep->stage);
		}
	}
}

void sg_check_transform(const sg_manifest *m, sg_diags *d)
{
	if (!m->transform_dir)
		return;
	sg_sx_project *p = NULL;
	sg_sx_opts opts = { NULL, m->transform_dir_shown };
	if (sg_sx_compile(m->transform_dir, &opts, &p, d) == 0)
		sg_sx_project_free(p);
}
