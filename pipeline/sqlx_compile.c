/*
 * Compiling a SQLX project: settings, the walk of definitions/, each
 * file's config into an action, targets, then (sqlx_eval.c) the SQL and
 * dependencies, then duplicate targets and cycles.
 */
#include "pipeline/sqlx.h"
#include "pipeline/sqlx_internal.h"

#include "util/fs.h"
#include "util/text.h"
#include "util/vec.h"
#include "util/ytree.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *sg_sx_type_name(sg_sx_type t)
{
	static const char *const names[] = { "table", "view", "incremental", "operations", "assertion", "declaration" };
	return names[t];
}

/* A path in the project as diagnostics show it. */
static void sx_shown_path(const sg_sx_project *p, const char *rel, sg_buf *out)
{
	if (!strcmp(p->shown, "."))
		sg_buf_puts(out, rel);
	else
		sg_fs_join(out, p->shown, rel);
}

/* ------------------------------------------------------------ settings */

static const char *const setting_keys[] = { "defaultProject",	       "defaultDataset", "defaultLocation",
					    "defaultAssertionDataset", "vars",		 "namePrefix",
					    "datasetSuffix",	       "dataformCoreVersion", NULL };

static int load_settings(sg_sx_project *p, const sg_sx_opts *opts, sg_diags *d)
{
	sg_buf path = SG_BUF_INIT, text = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	int rc = -1;
	sg_fs_join(&path, p->dir, "workflow_settings.yaml");
	const char *abs = sg_arena_strdup(&p->arena, path.ptr);
	sg_buf_clear(&path);
	sx_shown_path(p, "workflow_settings.yaml", &path);
	const char *file = sg_arena_strdup(&p->arena, path.ptr);
	sg_pos fpos = { file, 0, 0 };
	p->schema = "dataform";
	p->assertion_schema = "dataform_assertions";
	p->vars = json_object();
	if (!sg_fs_exists(abs)) {
		sg_buf legacy = SG_BUF_INIT;
		sg_fs_join(&legacy, p->dir, "dataform.json");
		if (sg_fs_exists(legacy.ptr))
			sg_diags_error(d, &fpos,
				       "missing; dataform.json (Dataform 2) is not read by sigma: move its settings to "
				       "workflow_settings.yaml (defaultProject, defaultDataset, ...)");
		else
			sg_diags_error(d, &fpos, "missing: a transform project needs workflow_settings.yaml and definitions/");
		sg_buf_free(&legacy);
		goto out;
	}
	if (sg_fs_read_file(abs, &text, &err) < 0) {
		sg_diags_error(d, &fpos, "%s", sg_error_msg(&err));
		goto out;
	}
	sg_ynode *doc = NULL;
	if (sg_yaml_parse(&p->arena, file, sg_buf_cstr(&text), text.len, &doc, d) < 0)
		goto out;
	if (!doc || sg_yscalar_is_null(doc)) {
		sg_diags_error(d, &fpos, "empty: expected defaultProject, defaultDataset, ...");
		goto out;
	}
	if (doc->kind != SG_Y_MAP) {
		sg_diags_error(d, &doc->pos, "expected a mapping of settings, found %s", sg_ynode_describe(doc));
		goto out;
	}
	size_t errors = d->nerrors;
	for (size_t i = 0; i < doc->n; i++) {
		const sg_ynode *k = doc->pairs[i].key, *v = doc->pairs[i].value;
		bool known = false;
		for (int j = 0; setting_keys[j]; j++)
			known = known || !strcmp(k->str, setting_keys[j]);
		if (!known) {
			sg_closest c;
			sg_closest_init(&c, k->str, 3);
			for (int j = 0; setting_keys[j]; j++)
				sg_closest_consider(&c, setting_keys[j]);
			if (c.best)
				sg_diags_error(d, &k->pos, "unknown setting \"%s\" (did you mean \"%s\"?)", k->str, c.best);
			else
				sg_diags_error(d, &k->pos,
					       "setting \"%s\" is not supported by sigma (supported: defaultProject, "
					       "defaultDataset, defaultLocation, defaultAssertionDataset, vars, namePrefix, "
					       "datasetSuffix)",
					       k->str);
			continue;
		}
		if (!strcmp(k->str, "vars")) {
			if (v->kind != SG_Y_MAP) {
				sg_diags_error(d, &v->pos, "vars: expected a mapping of names to strings, found %s",
					       sg_ynode_describe(v));
				continue;
			}
			for (size_t j = 0; j < v->n; j++) {
				const sg_ynode *vv = v->pairs[j].value;
				if (vv->kind != SG_Y_SCALAR) {
					sg_diags_error(d, &vv->pos, "vars.%s: expected a string, found %s",
						       v->pairs[j].key->str, sg_ynode_describe(vv));
					continue;
				}
				json_object_set_new(p->vars, v->pairs[j].key->str, json_stringn(vv->str, vv->len));
			}
			continue;
		}
		if (v->kind != SG_Y_SCALAR || !v->len) {
			sg_diags_error(d, &v->pos, "%s: expected a non-empty string, found %s", k->str,
				       sg_ynode_describe(v));
			continue;
		}
		const char *s = v->str;
		if (!strcmp(k->str, "defaultProject"))
			p->database = s;
		else if (!strcmp(k->str, "defaultDataset"))
			p->schema = s;
		else if (!strcmp(k->str, "defaultLocation"))
			p->location = s;
		else if (!strcmp(k->str, "defaultAssertionDataset"))
			p->assertion_schema = s;
		else if (!strcmp(k->str, "namePrefix"))
			p->name_prefix = s;
		else if (!strcmp(k->str, "datasetSuffix"))
			p->schema_suffix = s;
	}
	if (!p->database && d->nerrors == errors)
		sg_diags_error(d, &doc->pos, "defaultProject is missing: every target needs a project (database)");
	if (opts && opts->vars) {
		const char *key;
		json_t *val;
		json_object_foreach(opts->vars, key, val)
			json_object_set(p->vars, key, val);
	}
	rc = d->nerrors == errors ? 0 : -1;
out:
	sg_buf_free(&path);
	sg_buf_free(&text);
	sg_error_clear(&err);
	return rc;
}

/* --------------------------------------------------------------- walk */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every file under `rel` (relative to the project), sorted, into `out`. */
static void walk(sg_sx_project *p, const char *rel, sg_vec *out)
{
	sg_buf abs = SG_BUF_INIT;
	sg_fs_join(&abs, p->dir, rel);
	DIR *dir = opendir(abs.ptr);
	if (!dir) {
		sg_buf_free(&abs);
		return;
	}
	sg_vec names = SG_VEC_INIT;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		sg_vec_push(&names, sg_arena_printf(&p->arena, "%s/%s", rel, e->d_name));
	}
	closedir(dir);
	if (names.n)
		qsort(names.items, names.n, sizeof(void *), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		sg_buf child = SG_BUF_INIT;
		sg_fs_join(&child, p->dir, names.items[i]);
		if (sg_fs_is_dir(child.ptr))
			walk(p, names.items[i], out);
		else
			sg_vec_push(out, names.items[i]);
		sg_buf_free(&child);
	}
	sg_vec_free(&names);
	sg_buf_free(&abs);
}

/* -------------------------------------------------------------- config */

typedef struct cfg_key {
	const char *name;
	unsigned types; /* bit per sg_sx_type */
} cfg_key;

#define T(x) (1u << SG_SX_##x)
#define OUT (T(TABLE) | T(VIEW) | T(INCREMENTAL))
#define ALL (OUT | T(OPERATIONS) | T(ASSERTION) | T(DECLARATION))

static const cfg_key cfg_keys[] = {
	{ "type", ALL },
	{ "name", ALL },
	{ "schema", ALL },
	{ "database", ALL },
	{ "description", ALL },
	{ "columns", OUT | T(OPERATIONS) | T(DECLARATION) },
	{ "tags", OUT | T(OPERATIONS) | T(ASSERTION) },
	{ "disabled", OUT | T(OPERATIONS) | T(ASSERTION) },
	{ "dependencies", OUT | T(OPERATIONS) | T(ASSERTION) },
	{ "hasOutput", T(OPERATIONS) },
	{ "uniqueKey", T(INCREMENTAL) },
	{ "protected", T(INCREMENTAL) },
	{ "bigquery", OUT },
	{ "assertions", OUT },
	{ NULL, 0 },
};

static int cfg_error(sg_diags *d, const sg_jsv *v, const char *key, const char *expected)
{
	sg_diags_error(d, &v->pos, "config %s: expected %s, found %s", key, expected, sg_js_kind_name(v->kind));
	return -1;
}

static int cfg_string(sg_diags *d, const sg_jsv *v, const char *key, const char **out)
{
	if (v->kind != SG_JS_STR)
		return cfg_error(d, v, key, "a string");
	if (!v->len || strlen(v->str) != v->len) {
		sg_diags_error(d, &v->pos, "config %s: expected a non-empty string", key);
		return -1;
	}
	*out = v->str;
	return 0;
}

static int cfg_bool(sg_diags *d, const sg_jsv *v, const char *key, bool *out)
{
	if (v->kind != SG_JS_BOOL)
		return cfg_error(d, v, key, "true or false");
	*out = v->b;
	return 0;
}

/* An array of strings (or, when `one_ok`, a single string). */
static int cfg_strings(sg_arena *a, sg_diags *d, const sg_jsv *v, const char *key, bool one_ok, sg_sx_strs *out)
{
	if (one_ok && v->kind == SG_JS_STR) {
		out->items = sg_arena_alloc(a, sizeof(char *));
		out->n = 1;
		return cfg_string(d, v, key, &out->items[0]);
	}
	if (v->kind != SG_JS_ARR)
		return cfg_error(d, v, key, one_ok ? "a string or an array of strings" : "an array of strings");
	out->items = sg_arena_alloc(a, (v->n + 1) * sizeof(char *));
	out->n = v->n;
	for (size_t i = 0; i < v->n; i++) {
		if (cfg_string(d, v->items[i], key, &out->items[i]) < 0)
			return -1;
	}
	return 0;
}

static int unknown_key(sg_diags *d, const sg_jsprop *pr, const char *where, const char *const *allowed,
		       const char *type)
{
	sg_closest c;
	sg_closest_init(&c, pr->key, 3);
	sg_buf list = SG_BUF_INIT;
	for (int i = 0; allowed[i]; i++) {
		sg_closest_consider(&c, allowed[i]);
		sg_buf_printf(&list, "%s%s", i ? ", " : "", allowed[i]);
	}
	if (c.best)
		sg_diags_error(d, &pr->pos, "unknown %s key \"%s\" (did you mean \"%s\"?)", where, pr->key, c.best);
	else
		sg_diags_error(d, &pr->pos, "%s key \"%s\" is not supported%s%s (expected %s)", where, pr->key,
			       type ? " for type " : "", type ? type : "", sg_buf_cstr(&list));
	sg_buf_free(&list);
	return -1;
}

static int cfg_columns(sg_sx_project *p, sg_sx_action *act, const sg_jsv *v, sg_diags *d)
{
	if (v->kind != SG_JS_OBJ)
		return cfg_error(d, v, "columns", "an object of column names to descriptions");
	act->columns = sg_arena_alloc(&p->arena, (v->n + 1) * sizeof(*act->columns));
	act->ncolumns = v->n;
	for (size_t i = 0; i < v->n; i++) {
		const sg_jsv *c = v->props[i].value;
		act->columns[i].name = v->props[i].key;
		act->columns[i].description = "";
		if (c->kind == SG_JS_STR) {
			act->columns[i].description = c->str;
		} else if (c->kind == SG_JS_OBJ) {
			for (size_t j = 0; j < c->n; j++) {
				static const char *const allowed[] = { "description", NULL };
				if (strcmp(c->props[j].key, "description"))
					return unknown_key(d, &c->props[j], "columns", allowed, NULL);
				if (cfg_string(d, c->props[j].value, "columns description", &act->columns[i].description) < 0)
					return -1;
			}
		} else {
			return cfg_error(d, c, "columns", "a description string or {description: ...}");
		}
	}
	return 0;
}

static int cfg_bigquery(sg_sx_project *p, sg_sx_action *act, const sg_jsv *v, sg_diags *d)
{
	static const char *const allowed[] = { "partitionBy", "clusterBy", NULL };
	if (v->kind != SG_JS_OBJ)
		return cfg_error(d, v, "bigquery", "an object");
	for (size_t i = 0; i < v->n; i++) {
		const sg_jsprop *pr = &v->props[i];
		if (!strcmp(pr->key, "partitionBy")) {
			if (cfg_string(d, pr->value, "bigquery.partitionBy", &act->partition_by) < 0)
				return -1;
		} else if (!strcmp(pr->key, "clusterBy")) {
			if (cfg_strings(&p->arena, d, pr->value, "bigquery.clusterBy", false, &act->cluster_by) < 0)
				return -1;
		} else {
			return unknown_key(d, pr, "bigquery", allowed, NULL);
		}
	}
	return 0;
}

static int cfg_assertions(sg_sx_project *p, const sg_jsv *v, sx_checks *chk, sg_diags *d)
{
	static const char *const allowed[] = { "uniqueKey", "uniqueKeys", "nonNull", "rowConditions", NULL };
	if (v->kind != SG_JS_OBJ)
		return cfg_error(d, v, "assertions", "an object");
	const sg_jsprop *one = NULL, *many = NULL;
	for (size_t i = 0; i < v->n; i++) {
		const sg_jsprop *pr = &v->props[i];
		if (!strcmp(pr->key, "uniqueKey")) {
			sg_sx_strs k = { NULL, 0 };
			if (cfg_strings(&p->arena, d, pr->value, "assertions.uniqueKey", false, &k) < 0)
				return -1;
			chk->unique = sg_arena_alloc(&p->arena, sizeof(*chk->unique));
			chk->unique[0] = k;
			chk->nunique = 1;
			one = pr;
		} else if (!strcmp(pr->key, "uniqueKeys")) {
			if (pr->value->kind != SG_JS_ARR)
				return cfg_error(d, pr->value, "assertions.uniqueKeys", "an array of arrays of strings");
			chk->unique = sg_arena_alloc(&p->arena, (pr->value->n + 1) * sizeof(*chk->unique));
			chk->nunique = pr->value->n;
			for (size_t j = 0; j < pr->value->n; j++) {
				if (cfg_strings(&p->arena, d, pr->value->items[j], "assertions.uniqueKeys", false,
						&chk->unique[j]) < 0)
					return -1;
			}
			many = pr;
		} else if (!strcmp(pr->key, "nonNull")) {
			if (cfg_strings(&p->arena, d, pr->value, "assertions.nonNull", true, &chk->non_null) < 0)
				return -1;
		} else if (!strcmp(pr->key, "rowConditions")) {
			if (cfg_strings(&p->arena, d, pr->value, "assertions.rowConditions", false, &chk->row_conditions) < 0)
				return -1;
		} else {
			return unknown_key(d, pr, "assertions", allowed, NULL);
		}
	}
	if (one && many) {
		sg_diags_error(d, &many->pos, "give assertions.uniqueKey or assertions.uniqueKeys, not both");
		return -1;
	}
	return 0;
}

static int parse_type(const sg_jsv *v, sg_diags *d, sg_sx_type *out)
{
	const char *s = NULL;
	if (cfg_string(d, v, "type", &s) < 0)
		return -1;
	for (int t = SG_SX_TABLE; t <= SG_SX_DECLARATION; t++) {
		if (!strcmp(s, sg_sx_type_name((sg_sx_type)t))) {
			*out = (sg_sx_type)t;
			return 0;
		}
	}
	sg_diags_error(d, &v->pos,
		       "config type \"%s\" is not supported (expected table, view, incremental, operations, assertion "
		       "or declaration)",
		       s);
	return -1;
}

static bool body_is_empty(const sg_sx_file *f)
{
	for (size_t i = 0; i < f->nbody; i++) {
		for (size_t j = 0; j < f->body[i].n; j++) {
			const sg_sx_piece *pc = &f->body[i].items[j];
			if (pc->expr)
				return false;
			for (size_t k = 0; k < pc->len; k++) {
				if (pc->text[k] != ' ' && pc->text[k] != '\t' && pc->text[k] != '\n' && pc->text[k] != '\r')
					return false;
			}
		}
	}
	return true;
}

static sg_sx_action *file_action(sg_sx_project *p, const sg_sx_file *f, const char *shown, sx_checks *chk,
				 sg_diags *d)
{
	sg_sx_action *act = sg_arena_alloc(&p->arena, sizeof(*act));
	memset(act, 0, sizeof(*act));
	act->file = f->path;
	act->src = f;
	act->pos = f->config ? f->config_pos : (sg_pos){ shown, 1, 1 };
	act->type = SG_SX_OPERATIONS;
	size_t errors = d->nerrors;
	const sg_jsv *cfg = f->config;
	if (cfg && cfg->kind != SG_JS_OBJ) {
		sg_diags_error(d, &cfg->pos, "config: expected an object { ... }, found %s", sg_js_kind_name(cfg->kind));
		return NULL;
	}
	/* as in Dataform, a file without a type (or without config) is operations */
	const sg_jsv *type = sg_jsv_get(cfg, "type");
	if (type && parse_type(type, d, &act->type) < 0)
		return NULL;
	const char *tname = sg_sx_type_name(act->type);
	const char *allowed[sizeof(cfg_keys) / sizeof(cfg_keys[0])];
	size_t na = 0;
	for (int i = 0; cfg_keys[i].name; i++) {
		if (cfg_keys[i].types & (1u << act->type))
			allowed[na++] = cfg_keys[i].name;
	}
	allowed[na] = NULL;
	act->has_output = act->type != SG_SX_OPERATIONS;
	for (size_t i = 0; cfg && i < cfg->n; i++) {
		const sg_jsprop *pr = &cfg->props[i];
		const sg_jsv *v = pr->value;
		bool ok = false;
		for (size_t j = 0; j < na; j++)
			ok = ok || !strcmp(allowed[j], pr->key);
		if (!ok) {
			unknown_key(d, pr, "config", allowed, tname);
			continue;
		}
		if (!strcmp(pr->key, "type"))
			continue;
		if (!strcmp(pr->key, "name"))
			cfg_string(d, v, "name", &act->canonical.name);
		else if (!strcmp(pr->key, "schema"))
			cfg_string(d, v, "schema", &act->canonical.schema);
		else if (!strcmp(pr->key, "database"))
			cfg_string(d, v, "database", &act->canonical.database);
		else if (!strcmp(pr->key, "description"))
			cfg_string(d, v, "description", &act->description);
		else if (!strcmp(pr->key, "columns"))
			cfg_columns(p, act, v, d);
		else if (!strcmp(pr->key, "tags"))
			cfg_strings(&p->arena, d, v, "tags", false, &act->tags);
		else if (!strcmp(pr->key, "disabled"))
			cfg_bool(d, v, "disabled", &act->disabled);
		else if (!strcmp(pr->key, "hasOutput"))
			cfg_bool(d, v, "hasOutput", &act->has_output);
		else if (!strcmp(pr->key, "protected"))
			cfg_bool(d, v, "protected", &act->is_protected);
		else if (!strcmp(pr->key, "uniqueKey"))
			cfg_strings(&p->arena, d, v, "uniqueKey", false, &act->unique_key);
		else if (!strcmp(pr->key, "bigquery"))
			cfg_bigquery(p, act, v, d);
		else if (!strcmp(pr->key, "assertions"))
			cfg_assertions(p, v, chk, d);
		else if (!strcmp(pr->key, "dependencies"))
			chk->dependencies = v; /* resolved once every target is known */
	}
	if (act->type == SG_SX_DECLARATION) {
		if (!body_is_empty(f) || f->npre || f->npost) {
			sg_diags_error(d, &act->pos, "a declaration names an existing table and has no SQL");
			return NULL;
		}
	} else if (act->type != SG_SX_OPERATIONS && f->nbody > 1) {
		sg_diags_error(d, &f->body[1].pos,
			       "--- separates statements only in operations; a %s has one query", tname);
		return NULL;
	} else if (act->type == SG_SX_ASSERTION && (f->npre || f->npost)) {
		sg_diags_error(d, f->npre ? &f->pre_pos : &f->post_pos,
			       "an assertion has no pre_operations or post_operations");
		return NULL;
	}
	if (d->nerrors != errors)
		return NULL;

	/* targets: the defaults, then the prefix and suffix */
	if (!act->canonical.name) {
		const char *base = strrchr(f->path, '/');
		base = base ? base + 1 : f->path;
		act->canonical.name = sg_arena_strndup(&p->arena, base, strlen(base) - strlen(".sqlx"));
	}
	if (!act->canonical.schema)
		act->canonical.schema = act->type == SG_SX_ASSERTION ? p->assertion_schema : p->schema;
	if (!act->canonical.database)
		act->canonical.database = p->database;
	sx_set_target(p, act);
	return act;
}

void sx_set_target(sg_sx_project *p, sg_sx_action *act)
{
	act->target = act->canonical;
	if (act->type != SG_SX_DECLARATION) {
		if (p->schema_suffix)
			act->target.schema = sg_arena_printf(&p->arena, "%s_%s", act->canonical.schema, p->schema_suffix);
		if (p->name_prefix)
			act->target.name = sg_arena_printf(&p->arena, "%s_%s", p->name_prefix, act->canonical.name);
	}
	act->id = sg_arena_printf(&p->arena, "%s.%s.%s", act->target.database, act->target.schema, act->target.name);
}

void sx_add_action(sg_sx_project *p, sg_sx_action *act)
{
	act->index = p->n;
	sg_arena_push(&p->arena, (void ***)&p->actions, &p->n, &p->cap, act);
}

/* ------------------------------------------------------------- checks */

static void check_duplicates(sg_sx_project *p, sg_diags *d)
{
	sg_strmap canon = SG_STRMAP_INIT;
	for (size_t i = 0; i < p->n; i++) {
		sg_sx_action *a = p->actions[i];
		sg_sx_action *prev = sg_strmap_put(&p->by_id, a->id, a);
		if (prev) {
			sg_strmap_put(&p->by_id, a->id, prev);
			sg_diags_error(d, &a->pos, "two actions write %s: this one and the one in %s:%d", a->id,
				       prev->pos.file, prev->pos.line);
			continue;
		}
		const char *cid = sg_arena_printf(&p->arena, "%s.%s.%s", a->canonical.database, a->canonical.schema,
						  a->canonical.name);
		prev = sg_strmap_put(&canon, cid, a);
		if (prev)
			sg_diags_error(d, &a->pos, "two actions have the target %s (before namePrefix/datasetSuffix): "
						   "this one and the one in %s:%d",
				       cid, prev->pos.file, prev->pos.line);
	}
	sg_strmap_free(&canon);
}

/* Depth-first; on a back edge, the cycle from `stack`. */
static bool find_cycle(sg_sx_action *a, sg_vec *stack, sg_diags *d)
{
	if (a->mark == 2)
		return false;
	if (a->mark == 1) {
		size_t start = stack->n;
		while (start > 0 && stack->items[start - 1] != a)
			start--;
		sg_buf path = SG_BUF_INIT;
		for (size_t i = start - 1; i < stack->n; i++)
			sg_buf_printf(&path, "%s -> ", ((sg_sx_action *)stack->items[i])->id);
		sg_buf_puts(&path, a->id);
		sg_diags_error(d, &a->pos, "dependency cycle: %s", path.ptr);
		sg_buf_free(&path);
		return true;
	}
	a->mark = 1;
	sg_vec_push(stack, a);
	for (size_t i = 0; i < a->ndeps; i++) {
		if (find_cycle(a->deps[i], stack, d))
			return true;
	}
	stack->n--;
	a->mark = 2;
	return false;
}

/* ------------------------------------------------------------- compile */

static int check_extra_code(sg_sx_project *p, sg_diags *d)
{
	sg_vec files = SG_VEC_INIT;
	size_t errors = d->nerrors;
	walk(p, "includes", &files);
	for (size_t i = 0; i < files.n; i++) {
		sg_buf shown = SG_BUF_INIT;
		sx_shown_path(p, files.items[i], &shown);
		sg_pos pos = { sg_arena_strdup(&p->arena, shown.ptr), 1, 1 };
		sg_buf_free(&shown);
		sg_diags_error(d, &pos,
			       "includes/ is JavaScript, which sigma does not run: inline the SQL, or use "
			       "dataform.projectConfig.vars for shared values");
	}
	sg_vec_free(&files);
	return d->nerrors == errors ? 0 : -1;
}

int sg_sx_compile(const char *dir, const sg_sx_opts *opts, sg_sx_project **out, sg_diags *d)
{
	sg_sx_project *p = calloc(1, sizeof(*p));
	sg_error err = SG_ERROR_INIT;
	sg_buf abs = SG_BUF_INIT;
	*out = NULL;
	if (sg_fs_abspath(dir, &abs, &err) < 0) {
		sg_pos pos = { dir, 0, 0 };
		sg_diags_error(d, &pos, "%s", sg_error_msg(&err));
		sg_error_clear(&err);
		free(p);
		return -1;
	}
	p->dir = sg_arena_strdup(&p->arena, abs.ptr);
	p->shown = sg_arena_strdup(&p->arena, opts && opts->display_dir ? opts->display_dir : dir);
	sg_buf_free(&abs);
	size_t errors = d->nerrors;
	if (load_settings(p, opts, d) < 0)
		goto fail;
	sg_buf defs = SG_BUF_INIT;
	sg_fs_join(&defs, p->dir, "definitions");
	bool has_defs = sg_fs_is_dir(defs.ptr);
	sg_buf_free(&defs);
	if (!has_defs) {
		sg_pos pos = { p->shown, 0, 0 };
		sg_diags_error(d, &pos, "no definitions/ folder: SQLX files go in DIR/definitions/");
		goto fail;
	}
	check_extra_code(p, d);

	sg_vec files = SG_VEC_INIT;
	walk(p, "definitions", &files);
	sx_checks *checks = sg_arena_alloc(&p->arena, (files.n + 1) * sizeof(*checks));
	memset(checks, 0, (files.n + 1) * sizeof(*checks));
	size_t nfile_actions = 0;
	for (size_t i = 0; i < files.n; i++) {
		const char *rel = files.items[i];
		sg_buf shown = SG_BUF_INIT;
		sx_shown_path(p, rel, &shown);
		const char *disp = sg_arena_strdup(&p->arena, shown.ptr);
		sg_buf_free(&shown);
		sg_pos pos = { disp, 1, 1 };
		if (sg_str_ends_with(rel, ".js")) {
			sg_diags_error(d, &pos, "JavaScript definition files are not supported: sigma does not run "
						"JavaScript (write the action as a .sqlx file)");
			continue;
		}
		if (sg_str_ends_with(rel, ".yaml") || sg_str_ends_with(rel, ".yml") || sg_str_ends_with(rel, ".sql") ||
		    sg_str_ends_with(rel, ".ipynb")) {
			sg_diags_error(d, &pos, "only .sqlx definitions are supported (actions.yaml, .sql and notebook "
						"actions are not)");
			continue;
		}
		if (!sg_str_ends_with(rel, ".sqlx"))
			continue;
		sg_buf path = SG_BUF_INIT, text = SG_BUF_INIT;
		sg_fs_join(&path, p->dir, rel);
		sg_sx_file *f = NULL;
		if (sg_fs_read_file(path.ptr, &text, &err) < 0) {
			sg_diags_error(d, &pos, "%s", sg_error_msg(&err));
			sg_error_clear(&err);
		} else {
			char *copy = sg_arena_alloc(&p->arena, text.len + 1);
			memcpy(copy, sg_buf_cstr(&text), text.len + 1);
			if (sg_sx_parse_file(&p->arena, disp, copy, text.len, &f, d) == 0) {
				f->path = rel;
				sg_sx_action *act = file_action(p, f, disp, &checks[nfile_actions], d);
				if (act) {
					checks[nfile_actions].action = act;
					nfile_actions++;
					sx_add_action(p, act);
				}
			}
		}
		sg_buf_free(&path);
		sg_buf_free(&text);
	}
	sg_vec_free(&files);
	if (d->nerrors != errors)
		goto fail;
	/* the built-in assertions come after every file's own target is known */
	for (size_t i = 0; i < nfile_actions; i++)
		sx_builtin_assertions(p, &checks[i]);
	check_duplicates(p, d);
	if (d->nerrors != errors)
		goto fail;
	sx_index(p);
	for (size_t i = 0; i < nfile_actions; i++)
		sx_render_action(p, &checks[i], d);
	if (d->nerrors != errors)
		goto fail;
	sg_vec stack = SG_VEC_INIT;
	for (size_t i = 0; i < p->n; i++) {
		if (find_cycle(p->actions[i], &stack, d))
			break;
	}
	sg_vec_free(&stack);
	if (d->nerrors != errors)
		goto fail;
	*out = p;
	return 0;
fail:
	sg_sx_project_free(p);
	return -1;
}

void sg_sx_project_free(sg_sx_project *p)
{
	if (!p)
		return;
	json_decref(p->vars);
	sg_strmap_free(&p->by_id);
	sx_index_free(p);
	sg_arena_free(&p->arena);
	free(p);
}
