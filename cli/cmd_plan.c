/*
 * sigma plan [-destroy] [-out FILE] [-json] [-detailed-exitcode] [-var NAME=VALUE]
 *            [-var-file FILE] [-lock=false] [-lock-timeout DURATION]
 *
 * Shows what apply would do (-json: as the JSON plan of docs/plan-json.md).
 * -out FILE saves the plan for `sigma apply FILE`. Every plan first refreshes
 * the state from the world (-refresh=false skips it) and lists what changed
 * outside sigma; -refresh-only shows only that. Exit codes: 0 success,
 * 1 error; with -detailed-exitcode, 0 no changes, 1 error, 2 changes.
 */
#include "cli/common.h"
#include "cli/render.h"

#include "core/plan.h"
#include "core/plan_json.h"
#include "core/refresh.h"
#include "providers/local/local.h"
#include "util/fs.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
	"sigma plan [-destroy] [-out FILE] [-json] [-detailed-exitcode] [-refresh=false] [-refresh-only] [-stage S] "
	"[-target ADDR] [-replace ADDR] [-allow-data-loss] [-var NAME=VALUE] [-var-file FILE] "
	"[-lock=false] [-lock-timeout DURATION]";

/* -refresh-only: the drift, and what applying it would do (update the state only). */
static int refresh_only(const sg_cli *cli, const sg_vec *drifts, bool as_json, bool detailed)
{
	if (as_json) {
		json_t *j = json_pack("{s:s, s:b, s:[], s:o}", "format_version", SG_PLAN_JSON_FORMAT, "refresh_only", 1,
				      "resource_changes", "resource_drift", sg_drifts_to_json(drifts));
		char *text = json_dumps(j, JSON_INDENT(2));
		puts(text);
		free(text);
		json_decref(j);
	} else if (drifts->n) {
		sg_render_drift(stdout, cli, drifts);
		printf("This is a refresh-only plan: sigma apply -refresh-only would record these %zu change%s in the "
		       "state; nothing in the world would change.\n", drifts->n, drifts->n == 1 ? "" : "s");
	} else {
		printf("No changes. The state matches the world: nothing changed outside of sigma.\n");
	}
	return detailed && drifts->n ? 2 : 0;
}

int cmd_plan(int argc, char **argv, sg_cli *cli)
{
	sg_cli_opts o;
	sg_cli_opts_init(&o);
	bool detailed = false, destroy = false, as_json = false;
	const char *out_file = NULL;
	int i = 1;
	while (i < argc) {
		if (sg_arg_value(argc, argv, &i, "out", &out_file)) {
			if (!out_file) {
				sg_cli_opts_free(&o);
				return sg_cli_usage(cli, usage, "-out needs a file");
			}
			continue;
		}
		if (sg_arg_bool(argc, argv, &i, "detailed-exitcode", &detailed) || sg_arg_bool(argc, argv, &i, "json", &as_json) ||
		    sg_arg_bool(argc, argv, &i, "destroy", &destroy) || sg_cli_common_flag(cli, argc, argv, &i, &o) ||
		    sg_cli_scope_flag(cli, argc, argv, &i, &o))
			continue;
		int rc = sg_cli_usage(cli, usage, "unexpected argument \"%s\"", argv[i]);
		sg_cli_opts_free(&o);
		return rc;
	}
	int rc = 1;
	sg_manifest *m = NULL;
	sg_lock *lock = NULL;
	sg_state *st = NULL;
	sg_plan *plan = NULL;
	sg_provider *prov = NULL;
	sg_vec drifts = SG_VEC_INIT;
	if (o.bad || sg_cli_load(cli, &o, true, &m) < 0)
		goto out;
	if (sg_cli_open_state(cli, &o, m->state_dir, &lock, &st) < 0)
		goto out;
	sg_diags d = SG_DIAGS_INIT;
	sg_plan_opts po;
	sg_cli_plan_opts(&o, destroy, &po);
	sg_error perr = SG_ERROR_INIT;
	if (sg_local_provider_new(m->local_root, cli->command_line, &prov, &perr) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&perr));
		sg_error_clear(&perr);
		goto out;
	}
	po.live = prov;
	if (po.ntargets)
		sg_cli_warn(cli, "-target: this plan is partial; it leaves out every resource not named and not needed by one "
			    "that is, so it may not show everything the manifests would change");
	if (sg_cli_refresh(cli, &o, m, st, prov, &drifts) < 0)
		goto out;
	if (o.refresh_only) {
		rc = refresh_only(cli, &drifts, as_json, detailed);
		goto out;
	}
	int prc = sg_plan_build(m, st, &po, &plan, &d);
	sg_diags_sort(&d);
	sg_cli_print_diags(cli, &d);
	sg_diags_free(&d);
	if (prc < 0) {
		fprintf(stderr, "sigma: the plan failed\n");
		goto out;
	}
	plan->drift = &drifts;
	if (as_json) {
		json_t *j = sg_plan_to_json(plan, st);
		char *text = json_dumps(j, JSON_INDENT(2));
		puts(text);
		free(text);
		json_decref(j);
	} else {
		sg_render_drift(stdout, cli, &drifts);
		sg_render_plan(stdout, cli, plan, json_object_get(sg_state_doc(st), "outputs"));
	}
	if (out_file) {
		json_t *f = sg_plan_file(plan, m, st);
		char *text = json_dumps(f, JSON_INDENT(1));
		json_decref(f);
		sg_error err = SG_ERROR_INIT;
		int wrc = sg_fs_write_atomic_mode(out_file, text, strlen(text), 0600, &err);
		free(text);
		if (wrc < 0) {
			sg_cli_error(cli, "%s", sg_error_msg(&err));
			sg_error_clear(&err);
			goto out;
		}
		if (!as_json)
			printf("\nSaved the plan to: %s\n\nTo perform exactly these actions, run:\n    sigma apply %s\n", out_file,
			       out_file);
	}
	if (sg_cli_refuse_data_loss(cli, plan))
		goto out;
	rc = detailed && sg_plan_has_changes(plan) ? 2 : 0;
out:
	sg_drifts_free(&drifts);
	if (prov)
		prov->free(prov);
	SG_FREE_AT_EXIT(sg_plan_free(plan));
	SG_FREE_AT_EXIT(sg_state_free(st));
	sg_lock_release(lock);
	SG_FREE_AT_EXIT(sg_manifest_free(m));
	sg_cli_opts_free(&o);
	return rc;
}
