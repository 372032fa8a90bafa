/*
 * The SQL of each action: ${...} evaluated the way Dataform's JavaScript
 * would (arguments evaluated before the call, && || ?: short-circuit),
 * ref() resolved to targets and recorded as dependencies, and the
 * built-in assertions written as Dataform writes them.
 */
#include "pipeline/sqlx_internal.h"

#include "util/text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* --------------------------------------------------------------- index */

typedef struct slot {
	sg_sx_action *action;
	size_t count;
} slot;

static void index_put(sg_sx_project *p, sg_strmap *m, const char *key, sg_sx_action *a)
{
	slot *s = sg_strmap_get(m, key);
	if (!s) {
		s = sg_arena_alloc(&p->arena, sizeof(*s));
		s->action = a;
		s->count = 0;
		sg_strmap_put(m, key, s);
	}
	s->count++;
}

void sx_index(sg_sx_project *p)
{
	for (size_t i = 0; i < p->n; i++) {
		sg_sx_action *a = p->actions[i];
		index_put(p, &p->by_name, a->canonical.name, a);
		index_put(p, &p->by_schema_name, sg_arena_printf(&p->arena, "%s.%s", a->canonical.schema, a->canonical.name),
			  a);
		index_put(p, &p->by_canonical,
			  sg_arena_printf(&p->arena, "%s.%s.%s", a->canonical.database, a->canonical.schema,
					  a->canonical.name),
			  a);
	}
}

void sx_index_free(sg_sx_project *p)
{
	sg_strmap_free(&p->by_name);
	sg_strmap_free(&p->by_schema_name);
	sg_strmap_free(&p->by_canonical);
}

sg_sx_action *sg_sx_find(const sg_sx_project *p, const char *name)
{
	sg_sx_action *a = sg_strmap_get(&p->by_id, name);
	if (a)
		return a;
	const slot *s = sg_strmap_get(&p->by_canonical, name);
	if (!s)
		s = sg_strmap_get(&p->by_schema_name, name);
	if (!s)
		s = sg_strmap_get(&p->by_name, name);
	return s && s->count == 1 ? s->action : NULL;
}

void sx_add_dep(sg_sx_project *p, sg_sx_action *a, sg_sx_action *dep)
{
	for (size_t i = 0; i < a->ndeps; i++) {
		if (a->deps[i] == dep)
			return;
	}
	sg_arena_push(&p->arena, (void ***)&a->deps, &a->ndeps, &a->depcap, dep);
}

/* --------------------------------------------------------------- values */

typedef enum { V_UNDEF, V_NULL, V_BOOL, V_NUM, V_STR, V_OBJ } vkind;

typedef struct val {
	vkind k;
	bool b;
	double num;
	const char *s;
	size_t len;
	const sg_jexpr *obj; /* V_OBJ: the object expression, its values evaluated on use */
} val;

typedef struct ctx {
	sg_sx_project *p;
	sg_sx_action *self;
	bool incremental;
	sg_diags *d;
	sg_buf scratch;
} ctx;

static bool truthy(const val *v)
{
	switch (v->k) {
	case V_UNDEF:
	case V_NULL: return false;
	case V_BOOL: return v->b;
	case V_NUM: return v->num != 0 && !isnan(v->num);
	case V_STR: return v->len > 0;
	case V_OBJ: return true;
	}
	return false;
}

static void to_text(const val *v, sg_buf *out)
{
	switch (v->k) {
	case V_UNDEF: sg_buf_puts(out, "undefined"); break;
	case V_NULL: sg_buf_puts(out, "null"); break;
	case V_BOOL: sg_buf_puts(out, v->b ? "true" : "false"); break;
	case V_NUM:
		if (v->num == floor(v->num) && fabs(v->num) < 1e15)
			sg_buf_printf(out, "%.0f", v->num);
		else
			sg_buf_printf(out, "%.17g", v->num);
		break;
	case V_STR: sg_buf_put(out, v->s, v->len); break;
	case V_OBJ: sg_buf_puts(out, "[object Object]"); break;
	}
}

static val str_val(ctx *c, const char *s, size_t len)
{
	val v = { V_STR, false, 0, sg_arena_strndup(&c->p->arena, s, len), len, NULL };
	return v;
}

static bool equal(const val *a, const val *b)
{
	if (a->k != b->k)
		return false;
	switch (a->k) {
	case V_UNDEF:
	case V_NULL: return true;
	case V_BOOL: return a->b == b->b;
	case V_NUM: return a->num == b->num;
	case V_STR: return a->len == b->len && !memcmp(a->s, b->s, a->len);
	case V_OBJ: return a->obj == b->obj;
	}
	return false;
}

static int eval(ctx *c, const sg_jexpr *e, val *out);

/* The slot (0 database, 1 schema, 2 name) a ref({...}) key fills, or -1. */
static int target_part(const char *key)
{
	if (!strcmp(key, "database") || !strcmp(key, "project"))
		return 0;
	if (!strcmp(key, "schema") || !strcmp(key, "dataset"))
		return 1;
	return !strcmp(key, "name") ? 2 : -1;
}

/*
 * The action `parts` (database, schema, name; the first two may be NULL)
 * names, looked up by canonical target as Dataform does. `what` is how
 * messages spell the caller: ref, resolve, dependencies.
 */
static int lookup(ctx *c, const sg_pos *pos, const char *what, const char *const parts[3], sg_sx_action **out)
{
	sg_buf key = SG_BUF_INIT;
	if (parts[0])
		sg_buf_printf(&key, "%s.%s.%s", parts[0], parts[1] ? parts[1] : c->p->schema, parts[2]);
	else if (parts[1])
		sg_buf_printf(&key, "%s.%s", parts[1], parts[2]);
	else
		sg_buf_puts(&key, parts[2]);
	const slot *s = sg_strmap_get(parts[0]   ? &c->p->by_canonical
				      : parts[1] ? &c->p->by_schema_name
						 : &c->p->by_name,
				      key.ptr);
	int rc = -1;
	if (!s) {
		sg_closest cl;
		sg_closest_init(&cl, parts[2], 3);
		for (size_t i = 0; i < c->p->n; i++)
			sg_closest_consider(&cl, c->p->actions[i]->canonical.name);
		if (cl.best)
			sg_diags_error(c->d, pos, "%s(\"%s\"): no action is named %s (did you mean \"%s\"?)", what,
				       key.ptr, key.ptr, cl.best);
		else
			sg_diags_error(c->d, pos,
				       "%s(\"%s\"): no action is named %s (declare an existing table with "
				       "config { type: \"declaration\" })",
				       what, key.ptr, key.ptr);
	} else if (s->count > 1) {
		sg_buf others = SG_BUF_INIT;
		for (size_t i = 0; i < c->p->n; i++) {
			const sg_sx_action *a = c->p->actions[i];
			if (!strcmp(a->canonical.name, parts[2]))
				sg_buf_printf(&others, "%s%s", others.len ? ", " : "", a->id);
		}
		sg_diags_error(c->d, pos, "%s(\"%s\") is ambiguous: it could be %s (give the schema too)", what, key.ptr,
			       others.ptr);
		sg_buf_free(&others);
	} else {
		*out = s->action;
		rc = 0;
	}
	sg_buf_free(&key);
	return rc;
}

/* ref()/resolve() arguments → the action they name. */
static int resolve_args(ctx *c, const sg_jexpr *e, sg_sx_action **out)
{
	const char *parts[3] = { NULL, NULL, NULL };
	val args[3];
	for (size_t i = 0; i < e->n; i++) {
		if (eval(c, e->args[i], &args[i]) < 0)
			return -1;
	}
	if (e->n == 1 && args[0].k == V_OBJ) {
		const sg_jexpr *o = args[0].obj;
		for (size_t i = 0; i < o->n; i++) {
			int part = target_part(o->keys[i]);
			if (part < 0) {
				sg_diags_error(c->d, &o->args[i]->pos,
					       "%s({...}): unknown key \"%s\" (expected name, schema, database)", e->str,
					       o->keys[i]);
				return -1;
			}
			val v;
			if (eval(c, o->args[i], &v) < 0)
				return -1;
			if (v.k != V_STR) {
				sg_diags_error(c->d, &o->args[i]->pos, "%s({...}): %s must be a string", e->str, o->keys[i]);
				return -1;
			}
			parts[part] = v.s;
		}
		if (!parts[2]) {
			sg_diags_error(c->d, &e->pos, "%s({...}) needs a name", e->str);
			return -1;
		}
		return lookup(c, &e->pos, e->str, parts, out);
	}
	for (size_t i = 0; i < e->n; i++) {
		if (args[i].k != V_STR) {
			sg_diags_error(c->d, &e->args[i]->pos,
				       "%s(): expected string arguments (name), (schema, name) or "
				       "(database, schema, name), or {schema, name}",
				       e->str);
			return -1;
		}
		parts[3 - e->n + i] = args[i].s;
	}
	return lookup(c, &e->pos, e->str, parts, out);
}

static val quoted_target(ctx *c, const sg_sx_action *a)
{
	sg_buf_clear(&c->scratch);
	sg_buf_printf(&c->scratch, "`%s`", a->id);
	return str_val(c, c->scratch.ptr, c->scratch.len);
}

static int eval_call(ctx *c, const sg_jexpr *e, val *out)
{
	const char *f = e->str;
	if (!strcmp(f, "ref") || !strcmp(f, "resolve")) {
		sg_sx_action *a;
		if (resolve_args(c, e, &a) < 0)
			return -1;
		if (f[0] == 'r' && f[2] == 'f' && a != c->self)
			sx_add_dep(c->p, c->self, a);
		*out = quoted_target(c, a);
		return 0;
	}
	if (!strcmp(f, "self")) {
		*out = quoted_target(c, c->self);
		return 0;
	}
	if (!strcmp(f, "name") || !strcmp(f, "schema") || !strcmp(f, "database")) {
		const char *s = f[0] == 'n' ? c->self->target.name : f[0] == 's' ? c->self->target.schema
										 : c->self->target.database;
		*out = str_val(c, s, strlen(s));
		return 0;
	}
	if (!strcmp(f, "incremental")) {
		out->k = V_BOOL;
		out->b = c->incremental;
		return 0;
	}
	/* when(cond, yes, no = ""): JavaScript evaluates every argument first */
	val args[3];
	for (size_t i = 0; i < e->n; i++) {
		if (eval(c, e->args[i], &args[i]) < 0)
			return -1;
	}
	if (truthy(&args[0]))
		*out = args[1];
	else if (e->n == 3)
		*out = args[2];
	else
		*out = str_val(c, "", 0);
	return 0;
}

static int eval_conf(ctx *c, const sg_jexpr *e, val *out)
{
	static const char *const fields[] = { "defaultDatabase", "defaultSchema", "assertionSchema", "defaultLocation",
					      "tablePrefix",	 "schemaSuffix",  "warehouse",	     NULL };
	const char *v = NULL;
	int i = 0;
	for (; fields[i]; i++) {
		if (!strcmp(fields[i], e->str))
			break;
	}
	switch (i) {
	case 0: v = c->p->database; break;
	case 1: v = c->p->schema; break;
	case 2: v = c->p->assertion_schema; break;
	case 3: v = c->p->location; break;
	case 4: v = c->p->name_prefix; break;
	case 5: v = c->p->schema_suffix; break;
	case 6: v = "bigquery"; break;
	default:
		sg_diags_error(c->d, &e->pos,
			       "dataform.projectConfig.%s is not supported (expected vars.NAME, defaultDatabase, "
			       "defaultSchema, assertionSchema, defaultLocation, tablePrefix, schemaSuffix or warehouse)",
			       e->str);
		return -1;
	}
	if (!v) {
		out->k = V_UNDEF;
		return 0;
	}
	*out = str_val(c, v, strlen(v));
	return 0;
}

static int eval(ctx *c, const sg_jexpr *e, val *out)
{
	memset(out, 0, sizeof(*out));
	switch (e->kind) {
	case SG_JE_STR: out->k = V_STR; out->s = e->str; out->len = e->len; return 0;
	case SG_JE_BOOL: out->k = V_BOOL; out->b = e->b; return 0;
	case SG_JE_NUM: out->k = V_NUM; out->num = e->num; return 0;
	case SG_JE_NULL: out->k = V_NULL; return 0;
	case SG_JE_OBJ: out->k = V_OBJ; out->obj = e; return 0;
	case SG_JE_TEMPLATE: {
		sg_buf b = SG_BUF_INIT;
		for (size_t i = 0; i < e->n; i++) {
			val v;
			if (eval(c, e->args[i], &v) < 0) {
				sg_buf_free(&b);
				return -1;
			}
			to_text(&v, &b);
		}
		*out = str_val(c, b.ptr ? b.ptr : "", b.len);
		sg_buf_free(&b);
		return 0;
	}
	case SG_JE_CALL: return eval_call(c, e, out);
	case SG_JE_VAR: {
		json_t *v = json_object_get(c->p->vars, e->str);
		if (!v) {
			sg_diags_error(c->d, &e->pos,
				       "variable \"%s\" is not defined (set it under vars: in workflow_settings.yaml or "
				       "with --vars %s=VALUE)",
				       e->str, e->str);
			return -1;
		}
		*out = str_val(c, json_string_value(v), json_string_length(v));
		return 0;
	}
	case SG_JE_CONF: return eval_conf(c, e, out);
	case SG_JE_NOT: {
		val v;
		if (eval(c, e->args[0], &v) < 0)
			return -1;
		out->k = V_BOOL;
		out->b = !truthy(&v);
		return 0;
	}
	case SG_JE_AND:
	case SG_JE_OR:
		if (eval(c, e->args[0], out) < 0)
			return -1;
		if (truthy(out) == (e->kind == SG_JE_OR))
			return 0;
		return eval(c, e->args[1], out);
	case SG_JE_EQ:
	case SG_JE_NE: {
		val l, r;
		if (eval(c, e->args[0], &l) < 0 || eval(c, e->args[1], &r) < 0)
			return -1;
		out->k = V_BOOL;
		out->b = equal(&l, &r) == (e->kind == SG_JE_EQ);
		return 0;
	}
	case SG_JE_COND: {
		val cond;
		if (eval(c, e->args[0], &cond) < 0)
			return -1;
		return eval(c, e->args[truthy(&cond) ? 1 : 2], out);
	}
	}
	return -1;
}

static int render(ctx *c, const sg_sx_tmpl *t, const char **out)
{
	sg_buf b = SG_BUF_INIT;
	for (size_t i = 0; i < t->n; i++) {
		const sg_sx_piece *pc = &t->items[i];
		if (!pc->expr) {
			sg_buf_put(&b, pc->text, pc->len);
			continue;
		}
		val v;
		if (eval(c, pc->expr, &v) < 0) {
			sg_buf_free(&b);
			return -1;
		}
		to_text(&v, &b);
	}
	*out = sg_arena_strndup(&c->p->arena, b.ptr ? b.ptr : "", b.len);
	sg_buf_free(&b);
	return 0;
}

static int render_list(ctx *c, const sg_sx_tmpl *t, size_t n, sg_sx_strs *out)
{
	out->items = sg_arena_alloc(&c->p->arena, (n + 1) * sizeof(char *));
	out->n = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s;
		if (render(c, &t[i], &s) < 0)
			return -1;
		out->items[out->n++] = s;
	}
	return 0;
}

/* Dataform drops pre/post operations that are only white space (an empty
 * block, a trailing ---) from preOps and postOps, not from the
 * incremental forms. */
static void drop_blank(sg_sx_strs *s)
{
	size_t kept = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->items[i][strspn(s->items[i], " \t\r\n\f\v")])
			s->items[kept++] = s->items[i];
	}
	s->n = kept;
}

/*
 * config dependencies: names, "schema.name", "database.schema.name" or
 * {schema, name, database} objects.
 */
static int config_dependencies(ctx *c, const sg_jsv *deps)
{
	if (deps->kind != SG_JS_STR && deps->kind != SG_JS_ARR) {
		sg_diags_error(c->d, &deps->pos, "config dependencies: expected an array of action names, found %s",
			       sg_js_kind_name(deps->kind));
		return -1;
	}
	size_t n = deps->kind == SG_JS_ARR ? deps->n : 1;
	for (size_t i = 0; i < n; i++) {
		const sg_jsv *d = deps->kind == SG_JS_ARR ? deps->items[i] : deps;
		const char *parts[3] = { NULL, NULL, NULL };
		if (d->kind == SG_JS_STR) {
			/* the dotted parts, right to left: name, schema, database */
			char *copy = sg_arena_strdup(&c->p->arena, d->str);
			for (int part = 2; part > 0; part--) {
				char *dot = strrchr(copy, '.');
				if (!dot)
					break;
				*dot = '\0';
				parts[part] = dot + 1;
			}
			parts[parts[2] ? (parts[1] ? 0 : 1) : 2] = copy;
		} else if (d->kind == SG_JS_OBJ) {
			for (size_t j = 0; j < d->n; j++) {
				const sg_jsv *pv = d->props[j].value;
				int part = target_part(d->props[j].key);
				if (part < 0) {
					sg_diags_error(c->d, &d->props[j].pos,
						       "config dependencies: unknown key \"%s\" (expected name, schema, "
						       "database)",
						       d->props[j].key);
					return -1;
				}
				if (pv->kind != SG_JS_STR) {
					sg_diags_error(c->d, &pv->pos, "config dependencies: %s must be a string, found %s",
						       d->props[j].key, sg_js_kind_name(pv->kind));
					return -1;
				}
				parts[part] = pv->str;
			}
			if (!parts[2]) {
				sg_diags_error(c->d, &d->pos, "config dependencies: {...} needs a name");
				return -1;
			}
		} else {
			sg_diags_error(c->d, &d->pos,
				       "config dependencies: expected an action name or {schema, name}, found %s",
				       sg_js_kind_name(d->kind));
			return -1;
		}
		sg_sx_action *a;
		if (lookup(c, &d->pos, "dependencies", parts, &a) < 0)
			return -1;
		if (a != c->self)
			sx_add_dep(c->p, c->self, a);
	}
	return 0;
}

int sx_render_action(sg_sx_project *p, const sx_checks *chk, sg_diags *d)
{
	sg_sx_action *a = chk->action;
	const sg_sx_file *f = a->src;
	ctx c = { p, a, false, d, SG_BUF_INIT };
	int rc = -1;
	if (chk->dependencies && config_dependencies(&c, chk->dependencies) < 0)
		goto out;
	switch (a->type) {
	case SG_SX_DECLARATION: rc = 0; goto out;
	case SG_SX_OPERATIONS:
		if (render_list(&c, f->body, f->nbody, &a->queries) < 0)
			goto out;
		break;
	default:
		if (render(&c, &f->body[0], &a->query) < 0)
			goto out;
		break;
	}
	if (render_list(&c, f->pre, f->npre, &a->pre_ops) < 0 || render_list(&c, f->post, f->npost, &a->post_ops) < 0)
		goto out;
	drop_blank(&a->pre_ops);
	drop_blank(&a->post_ops);
	if (a->type == SG_SX_INCREMENTAL) {
		c.incremental = true;
		if (render(&c, &f->body[0], &a->incremental_query) < 0 ||
		    render_list(&c, f->pre, f->npre, &a->inc_pre_ops) < 0 ||
		    render_list(&c, f->post, f->npost, &a->inc_post_ops) < 0)
			goto out;
	}
	rc = 0;
out:
	sg_buf_free(&c.scratch);
	return rc;
}

/* ------------------------------------------------ built-in assertions */

static sg_sx_action *new_assertion(sg_sx_project *p, sg_sx_action *parent, const char *suffix)
{
	sg_sx_action *a = sg_arena_alloc(&p->arena, sizeof(*a));
	memset(a, 0, sizeof(*a));
	a->type = SG_SX_ASSERTION;
	a->file = parent->file;
	a->pos = parent->pos;
	a->parent = parent;
	a->tags = parent->tags;
	a->disabled = parent->disabled;
	a->has_output = true;
	a->canonical.database = p->database;
	a->canonical.schema = p->assertion_schema;
	a->canonical.name = sg_arena_printf(&p->arena, "%s_%s_assertions_%s", parent->canonical.schema,
					    parent->canonical.name, suffix);
	sx_set_target(p, a);
	sx_add_dep(p, a, parent);
	sx_add_action(p, a);
	return a;
}

/* A condition as a BigQuery string literal. */
static void bq_string(sg_buf *b, const char *s)
{
	sg_buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			sg_buf_putc(b, '\\');
		if (*s == '\n')
			sg_buf_puts(b, "\\n");
		else
			sg_buf_putc(b, *s);
	}
	sg_buf_putc(b, '\'');
}

void sx_builtin_assertions(sg_sx_project *p, const sx_checks *chk)
{
	sg_sx_action *parent = chk->action;
	sg_buf b = SG_BUF_INIT;
	for (size_t i = 0; i < chk->nunique; i++) {
		sg_sx_action *a = new_assertion(p, parent, sg_arena_printf(&p->arena, "uniqueKey_%zu", i));
		sg_buf cols = SG_BUF_INIT;
		for (size_t j = 0; j < chk->unique[i].n; j++)
			sg_buf_printf(&cols, "%s%s", j ? ", " : "", chk->unique[i].items[j]);
		sg_buf_clear(&b);
		sg_buf_printf(&b,
			      "\nSELECT\n  *\nFROM (\n  SELECT\n    %s,\n    COUNT(1) AS index_row_count\n  FROM `%s`\n"
			      "  GROUP BY %s\n  ) AS data\nWHERE index_row_count > 1\n",
			      sg_buf_cstr(&cols), parent->id, sg_buf_cstr(&cols));
		a->query = sg_arena_strdup(&p->arena, b.ptr);
		sg_buf_free(&cols);
	}
	size_t nconds = chk->row_conditions.n + chk->non_null.n;
	if (nconds) {
		sg_sx_action *a = new_assertion(p, parent, "rowConditions");
		sg_buf_clear(&b);
		sg_buf_putc(&b, '\n');
		for (size_t i = 0; i < nconds; i++) {
			const char *cond = i < chk->row_conditions.n
						   ? chk->row_conditions.items[i]
						   : sg_arena_printf(&p->arena, "%s IS NOT NULL",
								     chk->non_null.items[i - chk->row_conditions.n]);
			if (i)
				sg_buf_puts(&b, "UNION ALL\n");
			sg_buf_puts(&b, "SELECT\n  ");
			bq_string(&b, cond);
			sg_buf_printf(&b, " AS failing_row_condition,\n  *\nFROM `%s`\nWHERE NOT (%s)\n", parent->id, cond);
		}
		a->query = sg_arena_strdup(&p->arena, b.ptr);
	}
	sg_buf_free(&b);
}
