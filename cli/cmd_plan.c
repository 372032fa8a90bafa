/*
 * sigma plan [-destroy] [-detailed-exitcode] [-var NAME=VALUE] [-var-file FILE]
 *            [-lock=false] [-lock-timeout DURATION]
 *
 * Shows what apply would do. Exit codes: 0 success, 1 error; with
 * -detailed-exitcode, 0 no changes, 1 error, 2 changes.
 */
#include "cli/common.h"
#include "cli/render.h"

#include "core/plan.h"

#include <stdio.h>

static const char usage[] =
	"sigma plan [-destroy] [-detailed-exitcode] [-var NAME=VALUE] [-var-file FILE] [-lock=false] "
	"[-lock-timeout DURATION]";

int cmd_plan(int argc, char **argv, sg_cli *cli)
{
	sg_cli_opts o;
	sg_cli_opts_init(&o);
	bool detailed = false, destroy = false;
	int i = 1;
	while (i < argc) {
		if (sg_arg_bool(argc, argv, &i, "detailed-exitcode", &detailed) ||
		    sg_arg_bool(argc, argv, &i, "destroy", &destroy) || sg_cli_common_flag(cli, argc, argv, &i, &o))
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
	if (o.bad || sg_cli_load(cli, &o, true, &m) < 0)
		goto out;
	if (sg_cli_open_state(cli, &o, m->state_dir, &lock, &st) < 0)
		goto out;
	sg_diags d = SG_DIAGS_INIT;
	sg_plan_opts po = { destroy };
	int prc = sg_plan_build(m, st, &po, &plan, &d);
	sg_diags_sort(&d);
	sg_cli_print_diags(cli, &d);
	sg_diags_free(&d);
	if (prc < 0) {
		fprintf(stderr, "sigma: the plan failed\n");
		goto out;
	}
	sg_render_plan(stdout, cli, plan, json_object_get(sg_state_doc(st), "outputs"));
	rc = detailed && sg_plan_has_changes(plan) ? 2 : 0;
out:
	sg_plan_free(plan);
	sg_state_free(st);
	sg_lock_release(lock);
	sg_manifest_free(m);
	sg_cli_opts_free(&o);
	return rc;
}
