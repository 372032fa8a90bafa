/*
 * The compiled graph written out: JSON in the shape of `dataform compile
 * --json`, text for people, and table lineage as DOT.
 */
#include "pipeline/sqlx.h"

#include "util/text.h"

#include <stdio.h>
#include <string.h>

static json_t *target_json(const sg_sx_target *t)
{
	return json_pack("{s:s, s:s, s:s}", "database", t->database, "schema", t->schema, "name", t->name);
}

static json_t *strs_json(const sg_sx_strs *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, json_string(s->items[i]));
	return a;
}

static void set_strs(json_t *o, const char *key, const sg_sx_strs *s)
{
	if (s->n)
		json_object_set_new(o, key, strs_json(s));
}

static json_t *descriptor_json(const sg_sx_action *a)
{
	if (!a->description && !a->ncolumns)
		return NULL;
	json_t *d = json_object();
	if (a->description)
		json_object_set_new(d, "description", json_string(a->description));
	if (a->ncolumns) {
		json_t *cols = json_array();
		for (size_t i = 0; i < a->ncolumns; i++)
			json_array_append_new(cols, json_pack("{s:s, s:[s]}", "description", a->columns[i].description,
							      "path", a->columns[i].name));
		json_object_set_new(d, "columns", cols);
	}
	return d;
}

static json_t *action_json(const sg_sx_action *a)
{
	json_t *o = json_object();
	if (a->type <= SG_SX_INCREMENTAL) {
		static const char *const enums[] = { "TABLE", "VIEW", "INCREMENTAL" };
		json_object_set_new(o, "type", json_string(sg_sx_type_name(a->type)));
		json_object_set_new(o, "enumType", json_string(enums[a->type]));
	}
	json_object_set_new(o, "target", target_json(&a->target));
	json_object_set_new(o, "canonicalTarget", target_json(&a->canonical));
	json_object_set_new(o, "fileName", json_string(a->file));
	if (a->type == SG_SX_DECLARATION) {
		json_t *d = descriptor_json(a);
		if (d)
			json_object_set_new(o, "actionDescriptor", d);
		return o;
	}
	if (a->query)
		json_object_set_new(o, "query", json_string(a->query));
	if (a->incremental_query)
		json_object_set_new(o, "incrementalQuery", json_string(a->incremental_query));
	if (a->type == SG_SX_OPERATIONS) {
		json_object_set_new(o, "queries", strs_json(&a->queries));
		if (a->has_output)
			json_object_set_new(o, "hasOutput", json_true());
	}
	set_strs(o, "preOps", &a->pre_ops);
	set_strs(o, "postOps", &a->post_ops);
	set_strs(o, "incrementalPreOps", &a->inc_pre_ops);
	set_strs(o, "incrementalPostOps", &a->inc_post_ops);
	json_object_set_new(o, "disabled", json_boolean(a->disabled));
	if (a->is_protected)
		json_object_set_new(o, "protected", json_true());
	set_strs(o, "uniqueKey", &a->unique_key);
	if (a->partition_by || a->cluster_by.n) {
		json_t *bq = json_object();
		if (a->partition_by)
			json_object_set_new(bq, "partitionBy", json_string(a->partition_by));
		set_strs(bq, "clusterBy", &a->cluster_by);
		json_object_set_new(o, "bigquery", bq);
	}
	set_strs(o, "tags", &a->tags);
	json_t *d = descriptor_json(a);
	if (d)
		json_object_set_new(o, "actionDescriptor", d);
	if (a->ndeps) {
		json_t *deps = json_array();
		for (size_t i = 0; i < a->ndeps; i++)
			json_array_append_new(deps, target_json(&a->deps[i]->target));
		json_object_set_new(o, "dependencyTargets", deps);
	}
	if (a->parent)
		json_object_set_new(o, "parentAction", target_json(&a->parent->target));
	return o;
}

static json_t *project_config_json(const sg_sx_project *p)
{
	json_t *conf = json_pack("{s:s, s:s, s:s, s:s, s:O}", "warehouse", "bigquery", "defaultSchema", p->schema,
				 "assertionSchema", p->assertion_schema, "defaultDatabase", p->database, "vars", p->vars);
	if (p->location)
		json_object_set_new(conf, "defaultLocation", json_string(p->location));
	if (p->name_prefix)
		json_object_set_new(conf, "tablePrefix", json_string(p->name_prefix));
	if (p->schema_suffix)
		json_object_set_new(conf, "schemaSuffix", json_string(p->schema_suffix));
	return conf;
}

static int category(const sg_sx_action *a)
{
	return a->type <= SG_SX_INCREMENTAL ? 0 : a->type == SG_SX_OPERATIONS ? 1 : a->type == SG_SX_ASSERTION ? 2 : 3;
}

/* One value at a time, so a large project never has its whole JSON in memory. */
static int dump(FILE *f, json_t *v, const char *before)
{
	fputs(before, f);
	int rc = json_dumpf(v, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	return rc;
}

int sg_sx_project_write_json(const sg_sx_project *p, FILE *f)
{
	static const char *const names[] = { "tables", "operations", "assertions", "declarations" };
	int rc = 0;
	for (int c = 0; c < 4; c++) {
		fprintf(f, "%s\"%s\": [", c ? "],\n" : "{\n", names[c]);
		bool first = true;
		for (size_t i = 0; i < p->n; i++) {
			if (category(p->actions[i]) != c)
				continue;
			rc |= dump(f, action_json(p->actions[i]), first ? "\n" : ",\n");
			first = false;
		}
	}
	rc |= dump(f, project_config_json(p), "],\n\"projectConfig\": ");
	fputs(",\n\"targets\": [", f);
	for (size_t i = 0; i < p->n; i++)
		rc |= dump(f, target_json(&p->actions[i]->target), i ? ",\n" : "\n");
	fputs("],\n\"graphErrors\": {}\n}\n", f);
	return rc || ferror(f) ? -1 : 0;
}

json_t *sg_sx_project_json(const sg_sx_project *p)
{
	json_t *tables = json_array(), *ops = json_array(), *asserts = json_array(), *decls = json_array();
	json_t *targets = json_array();
	for (size_t i = 0; i < p->n; i++) {
		const sg_sx_action *a = p->actions[i];
		json_t *list = a->type <= SG_SX_INCREMENTAL ? tables
			       : a->type == SG_SX_OPERATIONS ? ops
			       : a->type == SG_SX_ASSERTION  ? asserts
							     : decls;
		json_array_append_new(list, action_json(a));
		json_array_append_new(targets, target_json(&a->target));
	}
	json_t *conf = project_config_json(p);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:{}}", "tables", tables, "operations", ops, "assertions",
			 asserts, "declarations", decls, "projectConfig", conf, "targets", targets, "graphErrors");
}

static void indent(sg_buf *out, const char *sql)
{
	/* the SQL without its leading and trailing blank lines, indented */
	while (*sql == '\n' || *sql == '\r')
		sql++;
	size_t len = strlen(sql);
	while (len && (sql[len - 1] == '\n' || sql[len - 1] == ' ' || sql[len - 1] == '\r'))
		len--;
	sg_buf_puts(out, "    ");
	for (size_t i = 0; i < len; i++) {
		sg_buf_putc(out, sql[i]);
		if (sql[i] == '\n' && i + 1 < len)
			sg_buf_puts(out, "    ");
	}
	sg_buf_putc(out, '\n');
}

static void text_list(sg_buf *out, const char *label, const sg_sx_strs *s)
{
	for (size_t i = 0; i < s->n; i++) {
		sg_buf_printf(out, "  %s:\n", label);
		indent(out, s->items[i]);
	}
}

void sg_sx_project_text(const sg_sx_project *p, sg_buf *out)
{
	size_t counts[6] = { 0 };
	for (size_t i = 0; i < p->n; i++)
		counts[p->actions[i]->type]++;
	for (size_t i = 0; i < p->n; i++) {
		const sg_sx_action *a = p->actions[i];
		sg_buf_printf(out, "%s %s%s\n", sg_sx_type_name(a->type), a->id, a->disabled ? "  (disabled)" : "");
		sg_buf_printf(out, "  file: %s\n", a->file);
		if (a->ndeps) {
			sg_buf_puts(out, "  depends on:");
			for (size_t j = 0; j < a->ndeps; j++)
				sg_buf_printf(out, "%s %s", j ? "," : "", a->deps[j]->id);
			sg_buf_putc(out, '\n');
		}
		if (a->tags.n) {
			sg_buf_puts(out, "  tags:");
			for (size_t j = 0; j < a->tags.n; j++)
				sg_buf_printf(out, "%s %s", j ? "," : "", a->tags.items[j]);
			sg_buf_putc(out, '\n');
		}
		if (a->unique_key.n) {
			sg_buf_puts(out, "  unique key:");
			for (size_t j = 0; j < a->unique_key.n; j++)
				sg_buf_printf(out, "%s %s", j ? "," : "", a->unique_key.items[j]);
			sg_buf_putc(out, '\n');
		}
		if (a->is_protected)
			sg_buf_puts(out, "  protected: yes\n");
		text_list(out, "pre-operation", &a->pre_ops);
		if (a->query) {
			sg_buf_puts(out, a->incremental_query ? "  query (first run, --full-refresh):\n" : "  query:\n");
			indent(out, a->query);
		}
		if (a->incremental_query) {
			sg_buf_puts(out, "  query (incremental runs):\n");
			indent(out, a->incremental_query);
		}
		text_list(out, "statement", &a->queries);
		text_list(out, "post-operation", &a->post_ops);
		sg_buf_putc(out, '\n');
	}
	static const char *const plural[] = { "tables", "views", "incremental", "operations", "assertions",
					      "declarations" };
	static const char *const singular[] = { "table", "view", "incremental", "operations", "assertion",
						"declaration" };
	sg_buf_printf(out, "Compiled %zu action%s:", p->n, p->n == 1 ? "" : "s");
	for (int t = 0; t < 6; t++)
		sg_buf_printf(out, "%s %zu %s", t ? "," : "", counts[t], counts[t] == 1 ? singular[t] : plural[t]);
	sg_buf_puts(out, ".\n");
}

void sg_sx_project_dot(const sg_sx_project *p, sg_buf *out)
{
	static const char *const shapes[] = { "box", "box", "box", "cds", "diamond", "cylinder" };
	static const char *const styles[] = { "solid", "dashed", "bold", "solid", "solid", "solid" };
	sg_buf_puts(out, "digraph lineage {\n  rankdir = \"LR\";\n  node [fontname = \"sans-serif\"];\n");
	for (size_t i = 0; i < p->n; i++) {
		const sg_sx_action *a = p->actions[i];
		sg_buf_puts(out, "  ");
		sg_dot_id(out, a->id);
		sg_buf_printf(out, " [shape = %s, style = \"%s%s\", tooltip = \"%s\"];\n", shapes[a->type],
			      styles[a->type], a->disabled ? ",dotted" : "", sg_sx_type_name(a->type));
	}
	/* data flows from a dependency to what reads it */
	for (size_t i = 0; i < p->n; i++) {
		const sg_sx_action *a = p->actions[i];
		for (size_t j = 0; j < a->ndeps; j++) {
			sg_buf_puts(out, "  ");
			sg_dot_id(out, a->deps[j]->id);
			sg_buf_puts(out, " -> ");
			sg_dot_id(out, a->id);
			sg_buf_puts(out, ";\n");
		}
	}
	sg_buf_puts(out, "}\n");
}
