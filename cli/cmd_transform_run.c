/*
 * sigma transform run [DIR] [--actions A,B] [--tags T] [--include-deps]
 *                     [--include-dependents] [--full-refresh] [--dry-run]
 *                     [--jobs N] [--json] [--vars k=v,...]
 *
 * Runs the selected actions of a SQLX project on the local warehouse, in
 * dependency order, and prints each with its status and duration, then a
 * summary. Exit 0 only when everything selected succeeded.
 */
#include "cli/common.h"

#include "cli/transform_cli.h"
#include "pipeline/transform_run.h"
#include "providers/local/transform_exec.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] = "sigma transform run [DIR] [--actions A,B] [--tags T,U] [--include-deps] "
			    "[--include-dependents] [--full-refresh] [--dry-run] [--jobs N] [--json] "
			    "[--vars NAME=VALUE,...]";

typedef struct printer {
	const sg_cli *cli;
	bool quiet;
} printer;

static void print_outcome(const printer *pr, const sg_sx_outcome *o)
{
	const sg_sx_action *a = o->action;
	const char *status = sg_sx_status_name(o->status);
	if (o->status == SG_SX_SKIPPED) {
		printf("  %-9s %-11s %s  (%s failed upstream)\n", status, sg_sx_type_name(a->type), a->id,
		       o->blocked_by ? o->blocked_by->id : "a dependency");
	} else if (o->status == SG_SX_DISABLED) {
		printf("  %-9s %-11s %s  (disabled in %s)\n", status, sg_sx_type_name(a->type), a->id, a->file);
	} else {
		printf("  %-9s %-11s %s  %.2fs  %s\n", status, sg_sx_type_name(a->type), a->id, o->seconds,
		       o->status == SG_SX_FAILED ? o->error : o->what ? o->what : "");
	}
	if (o->rows && json_array_size(o->rows)) {
		sg_buf line = SG_BUF_INIT;
		sg_buf_puts(&line, "              ");
		for (size_t c = 0; c < json_array_size(o->columns); c++)
			sg_buf_printf(&line, "%s%s", c ? " | " : "", json_string_value(json_array_get(o->columns, c)));
		puts(line.ptr);
		for (size_t r = 0; r < json_array_size(o->rows); r++) {
			json_t *row = json_array_get(o->rows, r);
			sg_buf_clear(&line);
			sg_buf_puts(&line, "              ");
			for (size_t c = 0; c < json_array_size(row); c++) {
				if (c)
					sg_buf_puts(&line, " | ");
				sg_cli_cell_text(&line, json_array_get(row, c));
			}
			puts(line.ptr);
		}
		if (o->failing_rows > (int64_t)json_array_size(o->rows))
			printf("              ... and %lld more\n",
			       (long long)(o->failing_rows - (int64_t)json_array_size(o->rows)));
		sg_buf_free(&line);
	}
	fflush(stdout);
}

static void report(void *ctx, const sg_sx_outcome *o)
{
	const printer *pr = ctx;
	if (!pr->quiet)
		print_outcome(pr, o);
}

static json_t *outcome_json(const sg_sx_outcome *o)
{
	const sg_sx_action *a = o->action;
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:f}", "target", a->id, "type", sg_sx_type_name(a->type), "file",
			      a->file, "status", sg_sx_status_name(o->status), "seconds", o->seconds);
	if (o->what)
		json_object_set_new(j, "result", json_string(o->what));
	if (o->error)
		json_object_set_new(j, "error", json_string(o->error));
	if (o->blocked_by)
		json_object_set_new(j, "blocked_by", json_string(o->blocked_by->id));
	if (o->failing_rows) {
		json_object_set_new(j, "failing_rows", json_integer(o->failing_rows));
		if (o->columns)
			json_object_set(j, "columns", o->columns);
		if (o->rows)
			json_object_set(j, "rows", o->rows);
	}
	return j;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --full-refresh of a protected incremental table is refused before anything runs. */
static int refuse_protected(const sg_cli *cli, const sg_sx_project *p, const bool *sel)
{
	int bad = 0;
	for (size_t i = 0; i < p->n; i++) {
		const sg_sx_action *a = p->actions[i];
		if (sel[i] && a->is_protected && !a->disabled) {
			sg_cli_error(cli,
				     "%s (%s) is protected: --full-refresh would rebuild it from scratch and lose its "
				     "history; leave it out of the selection or remove protected: true",
				     a->id, a->file);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

int sg_cli_transform_run(int argc, char **argv, sg_cli *cli)
{
	bool as_json = false, full_refresh = false, dry_run = false, deps = false, dependents = false;
	const char *dir = NULL, *v;
	sg_vec actions = SG_VEC_INIT, tags = SG_VEC_INIT;
	json_t *vars = json_object();
	sg_sx_project *p = NULL;
	bool *selected = NULL;
	sg_warehouse *w = NULL;
	sg_error err = SG_ERROR_INIT;
	sg_diags d = SG_DIAGS_INIT;
	int64_t jobs = 4;
	int rc = 1;
	for (int i = 1; i < argc;) {
		if (sg_arg_bool(argc, argv, &i, "json", &as_json) || sg_arg_bool(argc, argv, &i, "full-refresh", &full_refresh) ||
		    sg_arg_bool(argc, argv, &i, "dry-run", &dry_run) || sg_arg_bool(argc, argv, &i, "include-deps", &deps) ||
		    sg_arg_bool(argc, argv, &i, "include-dependents", &dependents))
			continue;
		const char *flag = argv[i];
		if (sg_arg_value(argc, argv, &i, "actions", &v) || sg_arg_value(argc, argv, &i, "tags", &v) ||
		    sg_arg_value(argc, argv, &i, "vars", &v) || sg_arg_value(argc, argv, &i, "jobs", &v)) {
			if (!v) {
				rc = sg_cli_usage(cli, usage, "%s needs a value", flag);
				goto out;
			}
			const char *name = flag + strspn(flag, "-");
			if (!strncmp(name, "actions", 7))
				sg_cli_split_list(v, &actions);
			else if (!strncmp(name, "tags", 4))
				sg_cli_split_list(v, &tags);
			else if (!strncmp(name, "jobs", 4)) {
				if (sg_parse_int64(v, &jobs) < 0 || jobs < 1 || jobs > 64) {
					rc = sg_cli_usage(cli, usage, "--jobs: expected a number from 1 to 64, found \"%s\"", v);
					goto out;
				}
			} else if (sg_cli_parse_vars(cli, v, vars) < 0)
				goto out;
			continue;
		}
		if (sg_arg_is_flag(argv[i]) || dir) {
			rc = sg_cli_usage(cli, usage, "unexpected argument \"%s\"", argv[i]);
			goto out;
		}
		dir = argv[i++];
	}
	if (sg_cli_transform_project(cli, dir, vars, &p) < 0)
		goto out;
	selected = sg_calloc(p->n + 1, sizeof(bool));
	sg_sx_selection sel = { (const char **)actions.items, actions.n, (const char **)tags.items, tags.n, deps,
				dependents };
	if (sg_sx_select(p, &sel, selected, &d) < 0) {
		for (size_t k = 0; k < d.n; k++)
			sg_cli_error(cli, "%s", d.items[k].msg);
		goto out;
	}
	if (full_refresh && refuse_protected(cli, p, selected) < 0)
		goto out;
	size_t count = 0;
	for (size_t k = 0; k < p->n; k++)
		count += selected[k];
	if (sg_cli_open_warehouse(cli, &w, &err) < 0 ||
	    (!dry_run && sg_local_transform_prepare(w, p, selected, &err) < 0)) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		goto out;
	}
	printer pr = { cli, as_json };
	if (!as_json)
		printf("%s %zu action%s of %s on the local warehouse:\n", dry_run ? "Dry run of" : "Running", count,
		       count == 1 ? "" : "s", p->shown);
	sg_sx_backend b;
	sg_local_transform_backend(w, &b);
	b.report = report;
	b.report_ctx = &pr;
	sg_sx_run_opts ro = { full_refresh, dry_run, (int)jobs };
	sg_sx_outcome *outs = NULL;
	size_t nouts = 0;
	double t0 = now_s();
	int run_rc = sg_sx_run(p, selected, &b, &ro, &outs, &nouts, &err);
	double secs = now_s() - t0;
	if (run_rc < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		sg_sx_outcomes_free(outs, nouts);
		goto out;
	}
	size_t by[5] = { 0 };
	for (size_t k = 0; k < nouts; k++)
		by[outs[k].status]++;
	if (as_json) {
		json_t *list = json_array();
		for (size_t k = 0; k < nouts; k++)
			json_array_append_new(list, outcome_json(&outs[k]));
		json_t *j = json_pack("{s:o, s:{s:I, s:I, s:I, s:I}, s:f, s:b}", "actions", list, "summary", "succeeded",
				      (json_int_t)by[SG_SX_SUCCEEDED], "failed", (json_int_t)by[SG_SX_FAILED], "skipped",
				      (json_int_t)by[SG_SX_SKIPPED], "disabled", (json_int_t)by[SG_SX_DISABLED], "seconds",
				      secs, "dry_run", dry_run);
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(s);
		free(s);
		json_decref(j);
	} else {
		printf("%s: %zu succeeded, %zu failed, %zu skipped, %zu disabled in %.2fs.\n",
		       run_rc == 0 ? (dry_run ? "Dry run complete" : "Run complete") : "Run failed", by[SG_SX_SUCCEEDED],
		       by[SG_SX_FAILED], by[SG_SX_SKIPPED], by[SG_SX_DISABLED], secs);
	}
	sg_sx_outcomes_free(outs, nouts);
	rc = run_rc == 0 ? 0 : 1;
out:
	sg_warehouse_close(w);
	free(selected);
	sg_sx_project_free(p);
	sg_vec_free_all(&actions);
	sg_vec_free_all(&tags);
	json_decref(vars);
	sg_error_clear(&err);
	sg_diags_free(&d);
	return rc;
}
