#include "cli/common.h"

#include "core/plan.h"
#include "core/refresh.h"
#include "providers/local/local.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sg_cli_opts_init(sg_cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->lock = true;
	o->refresh = true;
}

void sg_cli_opts_free(sg_cli_opts *o)
{
	sg_vec_free(&o->var_args);
	sg_vec_free(&o->var_files);
	sg_vec_free(&o->targets);
	sg_vec_free(&o->replace);
}

bool sg_cli_scope_flag(const sg_cli *cli, int argc, char **argv, int *i, sg_cli_opts *o)
{
	const char *v;
	if (sg_arg_value(argc, argv, i, "stage", &v)) {
		if (!v || !sg_stage_valid(v)) {
			sg_cli_error(cli, "-stage: expected iac, initial-data or workflow%s%s%s", v ? ", found \"" : "",
				     v ? v : "", v ? "\"" : "");
			o->bad = true;
		} else {
			o->stage = v;
		}
		return true;
	}
	if (sg_arg_bool(argc, argv, i, "allow-data-loss", &o->allow_data_loss))
		return true;
	if (sg_arg_bool(argc, argv, i, "refresh-only", &o->refresh_only))
		return true;
	if (sg_arg_bool(argc, argv, i, "refresh", &o->refresh))
		return true;
	if (sg_arg_value(argc, argv, i, "replace", &v)) {
		if (!v || !strchr(v, '.')) {
			sg_cli_error(cli, "-replace needs a resource address KIND.NAME");
			o->bad = true;
		} else {
			sg_vec_push(&o->replace, (void *)v);
		}
		return true;
	}
	if (sg_arg_value(argc, argv, i, "target", &v)) {
		if (!v || !strchr(v, '.')) {
			sg_cli_error(cli, "-target needs a resource address KIND.NAME");
			o->bad = true;
		} else {
			sg_vec_push(&o->targets, (void *)v);
		}
		return true;
	}
	return false;
}

void sg_cli_plan_opts(const sg_cli_opts *o, bool destroy, sg_plan_opts *po)
{
	memset(po, 0, sizeof(*po));
	po->destroy = destroy;
	po->stage = o->stage;
	po->targets = (const char *const *)o->targets.items;
	po->ntargets = o->targets.n;
	po->allow_data_loss = o->allow_data_loss;
	po->replace = (const char *const *)o->replace.items;
	po->nreplace = o->replace.n;
}

int sg_cli_refuse_data_loss(const sg_cli *cli, const sg_plan *plan)
{
	if (!plan->data_loss_refused)
		return 0;
	sg_buf what = SG_BUF_INIT;
	for (size_t i = 0; i < plan->changes.n; i++) {
		const sg_change *c = plan->changes.items[i];
		if (!c->data_lost)
			continue;
		sg_buf n = SG_BUF_INIT;
		sg_format_count(&n, c->data_count);
		sg_buf_printf(&what, "%s%s %s%s of %s", what.len ? ", " : "", n.ptr, c->data_unit, c->data_count == 1 ? "" : "s",
			      c->address);
		sg_buf_free(&n);
	}
	sg_cli_error(cli, "this plan would delete data (%s); nothing was changed. Run it again with -allow-data-loss "
			  "to allow it", sg_buf_cstr(&what));
	sg_buf_free(&what);
	return 1;
}

bool sg_cli_common_flag(const sg_cli *cli, int argc, char **argv, int *i, sg_cli_opts *o)
{
	const char *v;
	if (sg_arg_value(argc, argv, i, "var", &v)) {
		if (!v) {
			sg_cli_error(cli, "-var needs NAME=VALUE");
			o->bad = true;
		} else {
			sg_vec_push(&o->var_args, (void *)v);
		}
		return true;
	}
	if (sg_arg_value(argc, argv, i, "var-file", &v)) {
		if (!v) {
			sg_cli_error(cli, "-var-file needs a file");
			o->bad = true;
		} else {
			sg_vec_push(&o->var_files, (void *)v);
		}
		return true;
	}
	if (sg_arg_value(argc, argv, i, "lock-timeout", &v)) {
		int64_t secs;
		if (!v || sg_parse_duration(v, &secs) < 0) {
			sg_cli_error(cli, "-lock-timeout needs a duration such as 30s or 2m");
			o->bad = true;
		} else {
			o->lock_timeout_ms = secs * 1000;
		}
		return true;
	}
	if (sg_arg_bool(argc, argv, i, "lock", &o->lock))
		return true;
	bool ignored;
	if (sg_arg_bool(argc, argv, i, "no-color", &ignored))
		return true;
	return false;
}

int sg_cli_load(const sg_cli *cli, const sg_cli_opts *o, bool require_values, sg_manifest **out)
{
	sg_load_opts lo = { 0 };
	lo.var_args = (const char *const *)o->var_args.items;
	lo.nvar_args = o->var_args.n;
	lo.var_files = (const char *const *)o->var_files.items;
	lo.nvar_files = o->var_files.n;
	lo.require_values = require_values;
	sg_diags d = SG_DIAGS_INIT;
	int rc = sg_manifest_load(cli->dir, sg_local_provider_schema(), &lo, out, &d);
	sg_diags_sort(&d);
	sg_cli_print_diags(cli, &d);
	if (rc < 0) {
		fprintf(stderr, "sigma: %zu error%s in the manifests\n", d.nerrors, d.nerrors == 1 ? "" : "s");
		sg_manifest_free(*out);
		*out = NULL;
	}
	sg_diags_free(&d);
	return rc;
}

void sg_cli_state_dir(const sg_cli *cli, sg_buf *out)
{
	sg_buf abs = SG_BUF_INIT;
	sg_fs_abspath(cli->dir, &abs, NULL);
	sg_fs_join(out, abs.ptr, ".sigma");
	sg_buf_free(&abs);
}

int sg_cli_open_state(const sg_cli *cli, const sg_cli_opts *o, const char *state_dir, sg_lock **lock, sg_state **st)
{
	sg_error err = SG_ERROR_INIT;
	*lock = NULL;
	*st = NULL;
	if (o->lock && sg_lock_acquire(state_dir, cli->command_line, o->lock_timeout_ms, lock, &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		sg_error_clear(&err);
		return -1;
	}
	if (sg_state_load(state_dir, st, &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		sg_error_clear(&err);
		sg_lock_release(*lock);
		*lock = NULL;
		return -1;
	}
	return 0;
}

int sg_cli_refresh(const sg_cli *cli, const sg_cli_opts *o, const sg_manifest *m, sg_state *st, sg_provider *prov,
		   sg_vec *drifts)
{
	if (!o->refresh)
		return 0;
	sg_diags d = SG_DIAGS_INIT;
	int rc = sg_refresh(m, st, prov, false, drifts, &d);
	sg_cli_print_diags(cli, &d);
	sg_diags_free(&d);
	return rc;
}

bool sg_cli_confirm(const sg_cli *cli, const char *question, const char *detail)
{
	printf("\n%s%s%s\n  %s\n  Only 'yes' will be accepted to approve.\n\n  %sEnter a value:%s ", sg_c_bold(cli->color),
	       question, sg_c_reset(cli->color), detail, sg_c_bold(cli->color), sg_c_reset(cli->color));
	fflush(stdout);
	char line[64];
	if (!fgets(line, sizeof(line), stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	printf("\n");
	return !strcmp(line, "yes");
}

static int64_t warehouse_timeout_ms(void)
{
	int64_t ms = 60000;
	const char *t = getenv("SIGMA_WAREHOUSE_TIMEOUT_MS");
	if (t && *t && (sg_parse_int64(t, &ms) < 0 || ms < 0))
		ms = 60000;
	return ms;
}

int sg_cli_open_warehouse(const sg_cli *cli, sg_warehouse **out, sg_error *err)
{
	sg_buf root = SG_BUF_INIT, path = SG_BUF_INIT;
	int rc = -1;
	*out = NULL;
	if (sg_cli_local_root(cli, &root, err) == 0 && sg_fs_mkdir_p(root.ptr, err) == 0) {
		sg_fs_join(&path, root.ptr, "warehouse.duckdb");
		rc = sg_warehouse_open(path.ptr, cli->command_line, warehouse_timeout_ms(), out, err);
	}
	sg_buf_free(&root);
	sg_buf_free(&path);
	return rc;
}

void sg_cli_cell_text(sg_buf *out, const json_t *v)
{
	if (json_is_null(v))
		sg_buf_puts(out, "NULL");
	else if (json_is_string(v))
		sg_buf_put(out, json_string_value(v), json_string_length(v));
	else
		sg_json_canonical(out, v);
}
