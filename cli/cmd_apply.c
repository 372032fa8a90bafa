/*
 * sigma apply   [-auto-approve] [-parallelism N] [-var ...] [-var-file F] [-lock=false] [-lock-timeout D] [PLANFILE]
 * sigma destroy [-auto-approve] [-parallelism N] [-var ...] [-var-file F] [-lock=false] [-lock-timeout D]
 *
 * Plans, shows the plan, asks for "yes" (unless -auto-approve), and makes
 * the changes in dependency order (destroy: in reverse), recording each one
 * in the state as it is done. Ctrl-C stops starting new operations; the ones
 * running finish and are recorded.
 *
 * With PLANFILE (from `sigma plan -out`), apply does exactly that plan,
 * without asking, and refuses it when the manifests or the state changed
 * since it was made. Its variables come from the file; sensitive ones, which
 * a plan file holds only as a digest, must be given again (-var or
 * SIGMA_VAR_) with the same value.
 */
#include "cli/common.h"
#include "cli/render.h"

#include "core/apply.h"
#include "core/plan_json.h"
#include "core/refresh.h"
#include "providers/local/local.h"
#include "util/text.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	/* a second signal ends the process the usual way */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

/*
 * Read a saved plan and load the manifests with its variables. Sensitive
 * variables must come again from -var/-var-file/SIGMA_VAR_ and match the
 * digest in the file; a -var for a variable the file fixes is refused.
 */
static int load_plan_file(const sg_cli *cli, const char *path, sg_cli_opts *o, json_t **file, sg_manifest **m)
{
	json_error_t jerr;
	*file = json_load_file(path, 0, &jerr);
	if (!*file) {
		sg_cli_error(cli, "cannot read the plan file %s: %s", path, jerr.text);
		return -1;
	}
	if (json_integer_value(json_object_get(*file, "sigma_plan_file")) != SG_PLAN_FILE_VERSION) {
		sg_cli_error(cli, "%s is not a sigma plan file (made by sigma plan -out)", path);
		return -1;
	}
	json_t *vars = json_object_get(*file, "variables");
	json_t *fixed = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(vars, k, v) {
		if (!json_is_true(json_object_get(v, "sensitive")))
			json_object_set(fixed, k, json_object_get(v, "value"));
	}
	for (size_t i = 0; i < o->var_args.n; i++) {
		const char *arg = o->var_args.items[i];
		size_t n = strcspn(arg, "=");
		json_object_foreach(fixed, k, v) {
			if (strlen(k) == n && !strncmp(k, arg, n)) {
				sg_cli_error(cli, "the plan file fixes variable %s; -var is only for sensitive variables, whose "
						  "values a plan file never holds", k);
				json_decref(fixed);
				return -1;
			}
		}
	}
	sg_load_opts lo = { 0 };
	lo.var_args = (const char *const *)o->var_args.items;
	lo.nvar_args = o->var_args.n;
	lo.var_files = (const char *const *)o->var_files.items;
	lo.nvar_files = o->var_files.n;
	lo.fixed_values = fixed;
	sg_diags d = SG_DIAGS_INIT;
	int rc = sg_manifest_load(cli->dir, sg_local_provider_schema(), &lo, m, &d);
	json_decref(fixed);
	sg_diags_sort(&d);
	sg_cli_print_diags(cli, &d);
	sg_diags_free(&d);
	if (rc < 0) {
		fprintf(stderr, "sigma: the manifests have errors; the saved plan cannot be applied\n");
		return -1;
	}
	json_object_foreach(vars, k, v) {
		if (!json_is_true(json_object_get(v, "sensitive")))
			continue;
		sg_variable *var = sg_manifest_variable(*m, k);
		const char *hash = json_string_value(json_object_get(v, "hash"));
		if (!var || !var->value) {
			sg_cli_error(cli, "variable %s is sensitive, so the plan file does not hold it: give it again with "
					  "-var %s=... or SIGMA_VAR_%s", k, k, k);
			return -1;
		}
		if (!sg_state_protected_matches(hash, var->value)) {
			sg_cli_error(cli, "Saved plan is stale: sensitive variable %s has another value than when the plan "
					  "was made", k);
			return -1;
		}
	}
	return 0;
}

/* apply -refresh-only: record in the state what changed outside sigma; the world is not touched. */
static int apply_refresh_only(const sg_cli *cli, sg_state *st, const sg_vec *drifts, bool auto_approve)
{
	if (!drifts->n) {
		printf("No changes. The state matches the world: nothing changed outside of sigma.\n");
		return 0;
	}
	sg_render_drift(stdout, cli, drifts);
	if (!auto_approve) {
		if (!isatty(STDIN_FILENO)) {
			sg_cli_error(cli, "apply -refresh-only needs -auto-approve when it cannot ask for confirmation; nothing "
					  "was changed");
			return 1;
		}
		if (!sg_cli_confirm(cli, "Would you like to update the state to reflect these detected changes?",
				    "sigma will write these changes to the state without changing any real object.")) {
			fprintf(stderr, "Apply cancelled.\n");
			return 1;
		}
	}
	sg_diags d = SG_DIAGS_INIT;
	sg_error err = SG_ERROR_INIT;
	int rc = sg_refresh_record(st, drifts, &d);
	if (rc == 0 && sg_state_persist(st, &err) < 0) {
		sg_diags_add(&d, SG_SEV_ERROR, NULL, NULL, "%s", sg_error_msg(&err));
		rc = -1;
	}
	sg_cli_print_diags(cli, &d);
	sg_diags_free(&d);
	sg_error_clear(&err);
	if (rc < 0)
		return 1;
	printf("\n%sApply complete!%s The state now records %zu change%s made outside of sigma; no object was changed.\n",
	       sg_c_green(cli->color), sg_c_reset(cli->color), drifts->n, drifts->n == 1 ? "" : "s");
	return 0;
}

static int run(int argc, char **argv, sg_cli *cli, bool destroy)
{
	const char *usage = destroy ? "sigma destroy [-auto-approve] [-parallelism N] [-var NAME=VALUE] [-var-file FILE] "
				      "[-lock=false] [-lock-timeout DURATION]"
				    : "sigma apply [-auto-approve] [-parallelism N] [-var NAME=VALUE] [-var-file FILE] "
				      "[-lock=false] [-lock-timeout DURATION] [PLANFILE]";
	sg_cli_opts o;
	sg_cli_opts_init(&o);
	bool auto_approve = false;
	int64_t parallelism = 10;
	const char *plan_path = NULL;
	int i = 1;
	while (i < argc) {
		const char *v;
		if (sg_arg_bool(argc, argv, &i, "auto-approve", &auto_approve) || sg_cli_common_flag(cli, argc, argv, &i, &o) ||
		    sg_cli_scope_flag(cli, argc, argv, &i, &o))
			continue;
		if (sg_arg_value(argc, argv, &i, "parallelism", &v)) {
			if (!v || sg_parse_int64(v, &parallelism) < 0 || parallelism < 1 || parallelism > 256) {
				sg_cli_error(cli, "-parallelism needs a number from 1 to 256");
				o.bad = true;
			}
			continue;
		}
		if (!destroy && !sg_arg_is_flag(argv[i]) && !plan_path) {
			plan_path = argv[i++];
			continue;
		}
		int rc = sg_cli_usage(cli, usage, "unexpected argument \"%s\"", argv[i]);
		sg_cli_opts_free(&o);
		return rc;
	}
	int rc = 1;
	json_t *plan_file = NULL;
	sg_vec drifts = SG_VEC_INIT;
	sg_manifest *m = NULL;
	sg_lock *lock = NULL;
	sg_state *st = NULL;
	sg_plan *plan = NULL;
	sg_provider *prov = NULL;
	sg_diags d = SG_DIAGS_INIT;
	sg_error err = SG_ERROR_INIT;
	if (o.bad)
		goto out;
	if (plan_path && load_plan_file(cli, plan_path, &o, &plan_file, &m) < 0)
		goto out;
	if (!plan_path && sg_cli_load(cli, &o, !destroy, &m) < 0)
		goto out;
	if (sg_cli_open_state(cli, &o, m->state_dir, &lock, &st) < 0)
		goto out;
	if (plan_file)
		destroy = json_is_true(json_object_get(plan_file, "destroy"));
	sg_plan_opts po;
	sg_cli_plan_opts(&o, destroy, &po);
	if (plan_file)
		po.allow_data_loss = po.allow_data_loss || json_is_true(json_object_get(plan_file, "allow_data_loss"));
	if (sg_local_provider_new(m->local_root, cli->command_line, &prov, &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		goto out;
	}
	po.live = prov;
	if (po.ntargets)
		sg_cli_warn(cli, "-target: this plan is partial; it leaves out every resource not named and not needed by one "
			    "that is, so it may not show everything the manifests would change");
	if (sg_cli_refresh(cli, &o, m, st, prov, &drifts) < 0)
		goto out;
	if (o.refresh_only) {
		rc = apply_refresh_only(cli, st, &drifts, auto_approve);
		goto out;
	}
	if (sg_plan_build(m, st, &po, &plan, &d) < 0) {
		sg_diags_sort(&d);
		sg_cli_print_diags(cli, &d);
		fprintf(stderr, "sigma: the plan failed; nothing was changed\n");
		goto out;
	}
	if (plan_file && sg_plan_file_check(plan_file, m, st, plan, &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		goto out;
	}
	sg_render_drift(stdout, cli, &drifts);
	sg_render_plan(stdout, cli, plan, json_object_get(sg_state_doc(st), "outputs"));
	if (sg_cli_refuse_data_loss(cli, plan))
		goto out;
	bool changes = sg_plan_has_changes(plan);
	if (changes && !auto_approve && !plan_file) {
		if (!isatty(STDIN_FILENO)) {
			sg_cli_error(cli, "%s needs -auto-approve when it cannot ask for confirmation (stdin is not a "
					  "terminal); nothing was changed", destroy ? "destroy" : "apply");
			goto out;
		}
		bool yes = destroy ? sg_cli_confirm(cli, "Do you really want to destroy all resources?",
						     "sigma will destroy all the resources recorded in the state.")
				   : sg_cli_confirm(cli, "Do you want to perform these actions?",
						     "sigma will perform the actions described above.");
		if (!yes) {
			fprintf(stderr, "%s cancelled.\n", destroy ? "Destroy" : "Apply");
			goto out;
		}
	} else if (changes) {
		printf("\n");
	}
	interrupted = 0;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	sg_apply_opts ao = { (int)parallelism, sg_render_apply_event, cli, &interrupted };
	sg_apply_result res;
	int arc = sg_apply_plan(plan, m, prov, st, &ao, &res, &d);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (arc < 0) {
		printf("\n");
		for (size_t k = 0; k < d.n; k++) {
			const sg_diag *g = &d.items[k];
			fprintf(stderr, "%sError:%s %s%s%s\n", sg_c_red(cli->color_err), sg_c_reset(cli->color_err),
				g->address ? g->address : "", g->address ? ": " : "", g->msg);
		}
		fprintf(stderr, "\n%s failed: %zu added, %zu changed, %zu destroyed before it stopped; the state records "
				"exactly that. Fix the error and run it again.\n",
			destroy ? "Destroy" : "Apply", res.added, res.changed, res.destroyed);
		goto out;
	}
	if (destroy)
		printf("\n%sDestroy complete!%s Resources: %zu destroyed.\n", sg_c_green(cli->color), sg_c_reset(cli->color),
		       res.destroyed);
	else
		printf("\n%sApply complete!%s Resources: %zu added, %zu changed, %zu destroyed.\n", sg_c_green(cli->color),
		       sg_c_reset(cli->color), res.added, res.changed, res.destroyed);
	if (!destroy)
		sg_render_outputs(stdout, cli, json_object_get(sg_state_doc(st), "outputs"));
	rc = 0;
out:
	sg_drifts_free(&drifts);
	json_decref(plan_file);
	if (prov)
		prov->free(prov);
	sg_diags_free(&d);
	sg_error_clear(&err);
	SG_FREE_AT_EXIT(sg_plan_free(plan));
	sg_state_free(st); /* closes the journal */
	sg_lock_release(lock);
	SG_FREE_AT_EXIT(sg_manifest_free(m));
	sg_cli_opts_free(&o);
	return rc;
}

int cmd_apply(int argc, char **argv, sg_cli *cli)
{
	return run(argc, argv, cli, false);
}

int cmd_destroy(int argc, char **argv, sg_cli *cli)
{
	return run(argc, argv, cli, true);
}
