#include "core/manifest.h"

#include "core/checks.h"
#include "core/graph.h"
#include "core/schema_check.h"
#include "core/value.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/text.h"

#include <ctype.h>
#include <dirent.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static const char *const meta_args[] = { "depends_on", "stage", "prevent_destroy", NULL };
const char *const sg_stages[] = { "iac", "initial-data", "workflow", NULL };

int sg_stage_rank(const char *stage)
{
	for (int i = 0; stage && sg_stages[i]; i++) {
		if (!strcmp(sg_stages[i], stage))
			return i;
	}
	return -1;
}

bool sg_stage_valid(const char *stage)
{
	return sg_stage_rank(stage) >= 0;
}

sg_resource *sg_manifest_resource(const sg_manifest *m, const char *address)
{
	return sg_strmap_get(&m->by_address, address);
}

sg_variable *sg_manifest_variable(const sg_manifest *m, const char *name)
{
	return sg_strmap_get(&m->var_by_name, name);
}

static bool is_identifier(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++) {
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-'))
			return false;
	}
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* sigma.yaml first, then *.sigma.yaml in name order */
static int list_files(sg_manifest *m, sg_diags *d)
{
	sg_buf path = SG_BUF_INIT;
	sg_fs_join(&path, m->dir, "sigma.yaml");
	sg_pos pos = { m->dir, 0, 0 };
	if (!sg_fs_exists(path.ptr)) {
		sg_diags_error(d, &pos, "no sigma.yaml in %s: a project is a directory with sigma.yaml "
					"(and any *.sigma.yaml beside it)", m->dir);
		sg_buf_free(&path);
		return -1;
	}
	sg_vec_push(&m->files, sg_arena_strdup(&m->arena, path.ptr));
	DIR *dir = opendir(m->dir);
	if (!dir) {
		sg_diags_error(d, &pos, "cannot list %s", m->dir);
		sg_buf_free(&path);
		return -1;
	}
	sg_vec extra = SG_VEC_INIT;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (sg_str_ends_with(e->d_name, ".sigma.yaml") && e->d_name[0] != '.') {
			sg_fs_join(&path, m->dir, e->d_name);
			sg_vec_push(&extra, sg_arena_strdup(&m->arena, path.ptr));
		}
	}
	closedir(dir);
	if (extra.n)
		qsort(extra.items, extra.n, sizeof(void *), cmp_str);
	for (size_t i = 0; i < extra.n; i++)
		sg_vec_push(&m->files, extra.items[i]);
	sg_vec_free(&extra);
	sg_buf_free(&path);
	return 0;
}

static void load_settings(sg_manifest *m, const sg_ynode *node, sg_diags *d, bool *seen)
{
	if (node->kind != SG_Y_MAP) {
		sg_diags_error(d, &node->pos, "sigma: expected a mapping of settings");
		return;
	}
	if (*seen) {
		sg_diags_error(d, &node->pos, "sigma: settings are declared in more than one file");
		return;
	}
	*seen = true;
	for (size_t i = 0; i < node->n; i++) {
		const sg_ynode *k = node->pairs[i].key, *v = node->pairs[i].value;
		if (!strcmp(k->str, "local_root")) {
			if (v->kind != SG_Y_SCALAR || v->len == 0) {
				sg_diags_error(d, &v->pos, "sigma.local_root: expected a directory path");
				continue;
			}
			sg_buf joined = SG_BUF_INIT, abs = SG_BUF_INIT;
			if (v->str[0] == '/')
				sg_buf_puts(&joined, v->str);
			else
				sg_fs_join(&joined, m->dir, v->str);
			sg_fs_abspath(joined.ptr, &abs, NULL);
			m->local_root = sg_arena_strdup(&m->arena, abs.ptr);
			sg_buf_free(&joined);
			sg_buf_free(&abs);
		} else if (!strcmp(k->str, "provider")) {
			if (v->kind != SG_Y_SCALAR || strcmp(v->str, "local") != 0)
				sg_diags_error(d, &v->pos, "sigma.provider: expected \"local\" (the only provider so far)");
		} else if (!strcmp(k->str, "transform")) {
			const sg_ynode *dir = sg_ymap_get(v, "dir");
			if (v->kind != SG_Y_MAP || !dir || dir->kind != SG_Y_SCALAR) {
				sg_diags_error(d, &v->pos, "sigma.transform: expected {dir: PATH}");
				continue;
			}
			sg_buf joined = SG_BUF_INIT;
			if (dir->str[0] == '/')
				sg_buf_puts(&joined, dir->str);
			else
				sg_fs_join(&joined, m->dir, dir->str);
			m->transform_dir = sg_arena_strdup(&m->arena, joined.ptr);
			const char *shown = dir->str;
			while (shown[0] == '.' && shown[1] == '/')
				shown += 2;
			m->transform_dir_shown = sg_arena_strdup(&m->arena, shown[0] ? shown : ".");
			sg_buf_free(&joined);
		} else {
			sg_diags_error(d, &k->pos,
				       "sigma: unknown setting \"%s\" (expected local_root, provider or transform)", k->str);
		}
	}
}

static const char *const var_types[] = { "string", "number", "bool", "list", "map", "any", NULL };

static void load_variables(sg_manifest *m, const sg_ynode *node, sg_diags *d)
{
	if (node->kind != SG_Y_MAP) {
		sg_diags_error(d, &node->pos, "variables: expected a mapping of variable names");
		return;
	}
	for (size_t i = 0; i < node->n; i++) {
		const sg_ynode *k = node->pairs[i].key, *v = node->pairs[i].value;
		if (!is_identifier(k->str)) {
			sg_diags_error(d, &k->pos, "variable name \"%s\" is not an identifier (letters, digits, '_', '-')",
				       k->str);
			continue;
		}
		sg_variable *prev = sg_strmap_get(&m->var_by_name, k->str);
		if (prev) {
			sg_diags_error(d, &k->pos, "duplicate variable \"%s\" (first declared at %s:%d:%d)", k->str,
				       prev->pos.file, prev->pos.line, prev->pos.col);
			continue;
		}
		sg_variable *var = sg_arena_alloc(&m->arena, sizeof(*var));
		var->name = sg_arena_strdup(&m->arena, k->str);
		var->pos = k->pos;
		var->type = "any";
		if (v->kind != SG_Y_MAP) {
			/* shorthand: NAME: DEFAULT */
			if (!sg_yscalar_is_null(v))
				var->default_value = sg_yaml_to_json(v);
		} else {
			for (size_t j = 0; j < v->n; j++) {
				const sg_ynode *fk = v->pairs[j].key, *fv = v->pairs[j].value;
				if (!strcmp(fk->str, "type")) {
					bool ok = false;
					for (size_t t = 0; var_types[t]; t++)
						ok = ok || (fv->kind == SG_Y_SCALAR && !strcmp(fv->str, var_types[t]));
					if (!ok)
						sg_diags_error(d, &fv->pos, "variable %s: type: expected string, number, bool, list, "
									    "map or any, found \"%s\"", var->name,
							       fv->kind == SG_Y_SCALAR ? fv->str : sg_ynode_describe(fv));
					else
						var->type = sg_arena_strdup(&m->arena, fv->str);
				} else if (!strcmp(fk->str, "default")) {
					var->default_value = sg_yaml_to_json(fv);
				} else if (!strcmp(fk->str, "description")) {
					var->description = fv->kind == SG_Y_SCALAR ? sg_arena_strdup(&m->arena, fv->str) : NULL;
				} else if (!strcmp(fk->str, "sensitive")) {
					int b = sg_yscalar_bool(fv);
					if (b < 0)
						sg_diags_error(d, &fv->pos, "variable %s: sensitive: expected true or false", var->name);
					var->sensitive = b == 1;
				} else {
					sg_diags_error(d, &fk->pos, "variable %s: unknown attribute \"%s\" (expected type, "
								    "default, description or sensitive)", var->name, fk->str);
				}
			}
		}
		sg_vec_push(&m->variables, var);
		sg_strmap_put(&m->var_by_name, var->name, var);
	}
}

static void load_outputs(sg_manifest *m, const sg_ynode *node, sg_diags *d)
{
	if (node->kind != SG_Y_MAP) {
		sg_diags_error(d, &node->pos, "outputs: expected a mapping of output names");
		return;
	}
	for (size_t i = 0; i < node->n; i++) {
		const sg_ynode *k = node->pairs[i].key, *v = node->pairs[i].value;
		if (!is_identifier(k->str)) {
			sg_diags_error(d, &k->pos, "output name \"%s\" is not an identifier", k->str);
			continue;
		}
		for (size_t j = 0; j < m->outputs.n; j++) {
			sg_output *o = m->outputs.items[j];
			if (!strcmp(o->name, k->str))
				sg_diags_error(d, &k->pos, "duplicate output \"%s\" (first declared at %s:%d:%d)", k->str,
					       o->pos.file, o->pos.line, o->pos.col);
		}
		sg_output *out = sg_arena_alloc(&m->arena, sizeof(*out));
		out->name = sg_arena_strdup(&m->arena, k->str);
		out->pos = k->pos;
		if (v->kind == SG_Y_MAP && sg_ymap_get(v, "value")) {
			for (size_t j = 0; j < v->n; j++) {
				const sg_ynode *fk = v->pairs[j].key, *fv = v->pairs[j].value;
				if (!strcmp(fk->str, "value"))
					out->expr = sg_yaml_to_json(fv);
				else if (!strcmp(fk->str, "description"))
					out->description = sg_arena_strdup(&m->arena, fv->kind == SG_Y_SCALAR ? fv->str : "");
				else if (!strcmp(fk->str, "sensitive"))
					out->sensitive = sg_yscalar_bool(fv) == 1;
				else
					sg_diags_error(d, &fk->pos, "output %s: unknown attribute \"%s\" (expected value, "
								    "description or sensitive)", out->name, fk->str);
			}
		} else {
			out->expr = sg_yaml_to_json(v);
		}
		sg_vec_push(&m->outputs, out);
	}
}

static void load_resource(sg_manifest *m, const sg_kind *kind, const sg_ynode *k, const sg_ynode *v, sg_diags *d)
{
	if (!is_identifier(k->str)) {
		sg_diags_error(d, &k->pos, "%s name \"%s\" is not an identifier (a letter or '_', then letters, "
					   "digits, '_' or '-')", kind->name, k->str);
		return;
	}
	const char *address = sg_arena_printf(&m->arena, "%s.%s", kind->name, k->str);
	sg_resource *prev = sg_strmap_get(&m->by_address, address);
	if (prev) {
		sg_diags_add(d, SG_SEV_ERROR, &k->pos, NULL, "duplicate resource %s (first declared at %s:%d:%d)",
			     address, prev->pos.file, prev->pos.line, prev->pos.col);
		return;
	}
	if (!sg_yscalar_is_null(v) && v->kind != SG_Y_MAP) {
		sg_diags_add(d, SG_SEV_ERROR, &v->pos, address, "expected a mapping of attributes, found a %s",
			     sg_ynode_describe(v));
		return;
	}
	sg_resource *r = sg_arena_alloc(&m->arena, sizeof(*r));
	r->kind = kind;
	r->kind_name = kind->name;
	r->key = sg_arena_strdup(&m->arena, k->str);
	r->address = address;
	r->pos = k->pos;
	r->node = v->kind == SG_Y_MAP ? v : NULL;
	r->stage = kind->default_stage;
	if (r->node) {
		r->config = sg_schema_convert_object(kind->attrs, v, address, meta_args, d);
	} else {
		/* an empty body: still check required attributes */
		sg_ynode empty = { 0 };
		empty.kind = SG_Y_MAP;
		empty.pos = k->pos;
		r->config = sg_schema_convert_object(kind->attrs, &empty, address, meta_args, d);
	}
	if (!json_object_get(r->config, "name"))
		json_object_set_new(r->config, "name", json_string(r->key));
	const sg_ynode *stage = sg_ymap_get(r->node, "stage");
	if (stage) {
		if (stage->kind != SG_Y_SCALAR || !sg_stage_valid(stage->str))
			sg_diags_add(d, SG_SEV_ERROR, &stage->pos, address,
				     "stage: expected iac, initial-data or workflow, found \"%s\"",
				     stage->kind == SG_Y_SCALAR ? stage->str : sg_ynode_describe(stage));
		else
			r->stage = sg_arena_strdup(&m->arena, stage->str);
	}
	const sg_ynode *pd = sg_ymap_get(r->node, "prevent_destroy");
	if (pd) {
		int b = sg_yscalar_bool(pd);
		if (b < 0)
			sg_diags_add(d, SG_SEV_ERROR, &pd->pos, address, "prevent_destroy: expected true or false");
		r->prevent_destroy = b == 1;
	}
	r->index = m->resources.n;
	sg_vec_push(&m->resources, r);
	sg_strmap_put(&m->by_address, r->address, r);
}

static void load_document(sg_manifest *m, const sg_provider *prov, const sg_ynode *doc, sg_diags *d,
			  bool *seen_settings)
{
	if (!doc)
		return;
	if (doc->kind != SG_Y_MAP) {
		sg_diags_error(d, &doc->pos, "expected a mapping at the top level (sigma, variables, outputs, "
					     "or resource kinds such as bucket), found a %s", sg_ynode_describe(doc));
		return;
	}
	for (size_t i = 0; i < doc->n; i++) {
		const sg_ynode *k = doc->pairs[i].key, *v = doc->pairs[i].value;
		if (!strcmp(k->str, "sigma")) {
			/* commands that need only the settings (query, fernet) read sigma.yaml alone */
			if (!sg_str_ends_with(k->pos.file, "/sigma.yaml"))
				sg_diags_error(d, &k->pos, "settings (sigma:) belong in sigma.yaml, not in %s",
					       strrchr(k->pos.file, '/') ? strrchr(k->pos.file, '/') + 1 : k->pos.file);
			else
				load_settings(m, v, d, seen_settings);
			continue;
		}
		if (!strcmp(k->str, "variables")) {
			load_variables(m, v, d);
			continue;
		}
		if (!strcmp(k->str, "outputs")) {
			load_outputs(m, v, d);
			continue;
		}
		const sg_kind *kind = sg_provider_kind(prov, k->str);
		if (!kind) {
			sg_buf hint = SG_BUF_INIT;
			sg_closest c;
			sg_closest_init(&c, k->str, 3);
			for (const sg_kind *const *kk = prov->kinds; *kk; kk++)
				sg_closest_consider(&c, (*kk)->name);
			if (c.best) {
				sg_buf_printf(&hint, " (did you mean %s?)", c.best);
			} else {
				sg_buf_puts(&hint, "; expected sigma, variables, outputs");
				for (const sg_kind *const *kk = prov->kinds; *kk; kk++)
					sg_buf_printf(&hint, ", %s", (*kk)->name);
			}
			sg_diags_error(d, &k->pos, "unknown kind \"%s\"%s", k->str, sg_buf_cstr(&hint));
			sg_buf_free(&hint);
			continue;
		}
		if (sg_yscalar_is_null(v))
			continue;
		if (v->kind != SG_Y_MAP) {
			sg_diags_error(d, &v->pos, "%s: expected a mapping of names to attributes, found a %s", k->str,
				       sg_ynode_describe(v));
			continue;
		}
		for (size_t j = 0; j < v->n; j++)
			load_resource(m, kind, v->pairs[j].key, v->pairs[j].value, d);
	}
}

/* Parse a -var / SIGMA_VAR_ string according to the variable's type. */
static json_t *parse_var_string(const sg_variable *var, const char *text, sg_buf *why)
{
	if (!strcmp(var->type, "string"))
		return json_string(text);
	sg_arena a = SG_ARENA_INIT;
	sg_diags d = SG_DIAGS_INIT;
	sg_ynode *n = NULL;
	json_t *v = NULL;
	if (sg_yaml_parse(&a, "value", text, strlen(text), &n, &d) < 0) {
		sg_buf_printf(why, "cannot parse \"%s\"", text);
	} else if (!strcmp(var->type, "number")) {
		double dv;
		int64_t iv;
		if (n && sg_yscalar_int(n, &iv) == 0)
			v = json_integer(iv);
		else if (n && sg_yscalar_number(n, &dv) == 0)
			v = json_real(dv);
		else
			sg_buf_printf(why, "expected a number, found \"%s\"", text);
	} else if (!strcmp(var->type, "bool")) {
		int b = n ? sg_yscalar_bool(n) : -1;
		if (b < 0)
			sg_buf_printf(why, "expected true or false, found \"%s\"", text);
		else
			v = json_boolean(b);
	} else if (!strcmp(var->type, "list")) {
		if (!n || n->kind != SG_Y_SEQ)
			sg_buf_printf(why, "expected a list such as [a, b], found \"%s\"", text);
		else
			v = sg_yaml_to_json(n);
	} else if (!strcmp(var->type, "map")) {
		if (!n || n->kind != SG_Y_MAP)
			sg_buf_printf(why, "expected a map such as {k: v}, found \"%s\"", text);
		else
			v = sg_yaml_to_json(n);
	} else {
		v = (n && n->kind != SG_Y_SCALAR) ? sg_yaml_to_json(n) : json_string(text);
	}
	sg_arena_free(&a);
	sg_diags_free(&d);
	return v;
}

static bool json_matches_type(const json_t *v, const char *type)
{
	if (!strcmp(type, "string"))
		return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
	if (!strcmp(type, "number"))
		return json_is_number(v);
	if (!strcmp(type, "bool"))
		return json_is_boolean(v);
	if (!strcmp(type, "list"))
		return json_is_array(v);
	if (!strcmp(type, "map"))
		return json_is_object(v);
	return true;
}

static void set_var(sg_manifest *m, sg_variable *var, json_t *value, const char *source)
{
	json_decref(var->value);
	if (!strcmp(var->type, "string") && !json_is_string(value)) {
		sg_buf b = SG_BUF_INIT;
		sg_json_canonical(&b, value);
		json_decref(value);
		value = json_string(b.ptr);
		sg_buf_free(&b);
	}
	var->value = value;
	var->source = sg_arena_strdup(&m->arena, source);
}

static void resolve_variables(sg_manifest *m, sg_arena *tree, const sg_load_opts *opts, sg_diags *d)
{
	for (size_t i = 0; i < m->variables.n; i++) {
		sg_variable *var = m->variables.items[i];
		if (var->default_value) {
			if (!json_matches_type(var->default_value, var->type))
				sg_diags_error(d, &var->pos, "variable %s: the default does not match type %s", var->name,
					       var->type);
			else
				set_var(m, var, json_deep_copy(var->default_value), "default");
		}
		sg_buf env = SG_BUF_INIT;
		sg_buf_printf(&env, "SIGMA_VAR_%s", var->name);
		const char *ev = getenv(env.ptr);
		if (ev) {
			sg_buf why = SG_BUF_INIT;
			json_t *v = parse_var_string(var, ev, &why);
			sg_pos pos = { NULL, 0, 0 };
			if (!v)
				sg_diags_error(d, &pos, "%s: %s", env.ptr, why.ptr);
			else
				set_var(m, var, v, env.ptr);
			sg_buf_free(&why);
		}
		sg_buf_free(&env);
	}
	for (size_t f = 0; opts && f < opts->nvar_files; f++) {
		const char *file = opts->var_files[f];
		sg_buf text = SG_BUF_INIT;
		sg_error err = SG_ERROR_INIT;
		sg_pos fpos = { file, 0, 0 };
		if (sg_fs_read_file(file, &text, &err) < 0) {
			sg_diags_error(d, &fpos, "%s", sg_error_msg(&err));
			sg_error_clear(&err);
			sg_buf_free(&text);
			continue;
		}
		sg_ynode *doc = NULL;
		file = sg_arena_strdup(&m->arena, file);
		if (sg_yaml_parse(tree, file, sg_buf_cstr(&text), text.len, &doc, d) == 0 && doc) {
			if (doc->kind != SG_Y_MAP) {
				sg_diags_error(d, &doc->pos, "expected a mapping of variable names to values");
			} else {
				for (size_t i = 0; i < doc->n; i++) {
					const sg_ynode *k = doc->pairs[i].key;
					sg_variable *var = sg_strmap_get(&m->var_by_name, k->str);
					if (!var) {
						sg_diags_error(d, &k->pos, "variable \"%s\" is not declared in the manifests", k->str);
						continue;
					}
					json_t *v = sg_yaml_to_json(doc->pairs[i].value);
					if (!json_matches_type(v, var->type)) {
						sg_diags_error(d, &doc->pairs[i].value->pos, "variable %s: expected a %s value",
							       var->name, var->type);
						json_decref(v);
						continue;
					}
					sg_buf src = SG_BUF_INIT;
					sg_buf_printf(&src, "-var-file %s", file);
					set_var(m, var, v, src.ptr);
					sg_buf_free(&src);
				}
			}
		}
		sg_buf_free(&text);
	}
	for (size_t i = 0; opts && i < opts->nvar_args; i++) {
		const char *arg = opts->var_args[i];
		const char *eq = strchr(arg, '=');
		sg_pos pos = { NULL, 0, 0 };
		if (!eq || eq == arg) {
			sg_diags_error(d, &pos, "-var \"%s\": expected NAME=VALUE", arg);
			continue;
		}
		char *name = sg_strndup(arg, (size_t)(eq - arg));
		sg_variable *var = sg_strmap_get(&m->var_by_name, name);
		if (!var) {
			sg_diags_error(d, &pos, "-var %s: variable \"%s\" is not declared in the manifests", name, name);
		} else {
			sg_buf why = SG_BUF_INIT;
			json_t *v = parse_var_string(var, eq + 1, &why);
			if (!v)
				sg_diags_error(d, &pos, "-var %s: %s", name, why.ptr);
			else
				set_var(m, var, v, "-var");
			sg_buf_free(&why);
		}
		free(name);
	}
	const char *fk;
	json_t *fv;
	json_object_foreach(opts ? (json_t *)opts->fixed_values : NULL, fk, fv) {
		sg_variable *var = sg_strmap_get(&m->var_by_name, fk);
		sg_pos pos = { NULL, 0, 0 };
		if (!var)
			sg_diags_error(d, &pos, "the saved plan sets variable \"%s\", which the manifests no longer declare", fk);
		else
			set_var(m, var, json_deep_copy(fv), "the saved plan");
	}
}

static void compute_digest(sg_manifest *m, const sg_vec *texts)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (size_t i = 0; i < texts->n; i++) {
		const sg_buf *t = texts->items[i];
		const char *base = strrchr(m->files.items[i], '/');
		base = base ? base + 1 : m->files.items[i];
		EVP_DigestUpdate(ctx, base, strlen(base) + 1);
		EVP_DigestUpdate(ctx, sg_buf_cstr(t), t->len);
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	for (unsigned int i = 0; i < len && i < 32; i++)
		snprintf(m->digest + 2 * i, 3, "%02x", md[i]);
}

int sg_manifest_load(const char *dir, const sg_provider *prov, const sg_load_opts *opts, sg_manifest **out,
		     sg_diags *d)
{
	sg_manifest *m = sg_calloc(1, sizeof(*m));
	*out = m;
	m->provider = prov;
	size_t errors_before = d->nerrors;
	sg_buf abs = SG_BUF_INIT;
	sg_fs_abspath(dir, &abs, NULL);
	m->dir = sg_arena_strdup(&m->arena, abs.ptr);
	sg_fs_join(&abs, m->dir, ".sigma");
	m->state_dir = sg_arena_strdup(&m->arena, abs.ptr);
	sg_fs_join(&abs, m->dir, ".sigma/local");
	m->local_root = sg_arena_strdup(&m->arena, abs.ptr);
	sg_buf_free(&abs);
	if (!sg_fs_is_dir(m->dir)) {
		sg_pos pos = { m->dir, 0, 0 };
		sg_diags_error(d, &pos, "project directory %s does not exist", m->dir);
		return -1;
	}
	if (list_files(m, d) < 0)
		return -1;

	/* the YAML trees: needed while checking, freed before the manifest is handed out */
	sg_arena tree = SG_ARENA_INIT;
	sg_vec texts = SG_VEC_INIT;
	bool seen_settings = false;
	for (size_t i = 0; i < m->files.n; i++) {
		const char *file = m->files.items[i];
		sg_buf *text = sg_calloc(1, sizeof(*text));
		sg_vec_push(&texts, text);
		sg_error err = SG_ERROR_INIT;
		if (sg_fs_read_file(file, text, &err) < 0) {
			sg_pos pos = { file, 0, 0 };
			sg_diags_error(d, &pos, "%s", sg_error_msg(&err));
			sg_error_clear(&err);
			continue;
		}
		sg_ynode *doc = NULL;
		if (sg_yaml_parse(&tree, file, sg_buf_cstr(text), text->len, &doc, d) < 0)
			continue;
		load_document(m, prov, doc, d, &seen_settings);
	}
	compute_digest(m, &texts);
	for (size_t i = 0; i < texts.n; i++) {
		sg_buf_free(texts.items[i]);
		free(texts.items[i]);
	}
	sg_vec_free(&texts);

	resolve_variables(m, &tree, opts, d);
	sg_check_resources(m, prov, d);
	sg_check_references(m, opts && opts->require_values, d);
	sg_check_stages(m, d);
	sg_check_transform(m, d);

	sg_vec order = SG_VEC_INIT, cycle = SG_VEC_INIT;
	if (sg_graph_order(&m->resources, &order, &cycle) < 0) {
		sg_buf path = SG_BUF_INIT;
		for (size_t i = 0; i < cycle.n; i++) {
			const sg_resource *r = cycle.items[i];
			sg_buf_printf(&path, "%s -> ", r->address);
		}
		sg_buf_puts(&path, ((const sg_resource *)cycle.items[0])->address);
		const sg_resource *first = cycle.items[0];
		sg_diags_error(d, &first->pos, "dependency cycle: %s", path.ptr);
		sg_buf_free(&path);
	}
	sg_vec_free(&order);
	sg_vec_free(&cycle);
	for (size_t i = 0; i < m->resources.n; i++)
		((sg_resource *)m->resources.items[i])->node = NULL;
	sg_arena_free(&tree);
	return d->nerrors > errors_before ? -1 : 0;
}

void sg_manifest_free(sg_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->resources.n; i++) {
		sg_resource *r = m->resources.items[i];
		json_decref(r->config);
	}
	for (size_t i = 0; i < m->variables.n; i++) {
		sg_variable *v = m->variables.items[i];
		json_decref(v->default_value);
		json_decref(v->value);
	}
	for (size_t i = 0; i < m->outputs.n; i++)
		json_decref(((sg_output *)m->outputs.items[i])->expr);
	sg_vec_free(&m->resources);
	sg_vec_free(&m->variables);
	sg_vec_free(&m->outputs);
	sg_vec_free(&m->files);
	sg_strmap_free(&m->by_address);
	sg_strmap_free(&m->var_by_name);
	sg_arena_free(&m->arena);
	free(m);
}
