/*
 * sigma validate [-json] [-var NAME=VALUE] [-var-file FILE]
 *
 * Checks the manifests (syntax, kinds, attributes, types, names, references,
 * variables, cycles, cron expressions, workflow steps) without reading the
 * state or touching the world. Reports every error, not only the first.
 */
#include "cli/common.h"

#include "providers/local/local.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char usage[] = "sigma validate [-json] [-var NAME=VALUE] [-var-file FILE]";

static void print_json(const sg_diags *d, const sg_manifest *m)
{
	json_t *diags = json_array();
	size_t warnings = 0;
	for (size_t i = 0; i < d->n; i++) {
		const sg_diag *g = &d->items[i];
		if (g->severity == SG_SEV_WARNING)
			warnings++;
		json_t *o = json_pack("{s:s, s:s}", "severity", g->severity == SG_SEV_ERROR ? "error" : "warning",
				      "summary", g->msg);
		if (g->address)
			json_object_set_new(o, "address", json_string(g->address));
		if (g->file) {
			json_t *range = json_pack("{s:s}", "filename", g->file);
			if (g->line)
				json_object_set_new(range, "start", json_pack("{s:i, s:i}", "line", g->line, "column", g->col));
			json_object_set_new(o, "range", range);
		}
		json_array_append_new(diags, o);
	}
	json_t *out = json_pack("{s:s, s:b, s:I, s:I, s:o}", "format_version", "1.0", "valid", d->nerrors == 0,
				"error_count", (json_int_t)d->nerrors, "warning_count", (json_int_t)warnings, "diagnostics",
				diags);
	if (m && d->nerrors == 0) {
		json_object_set_new(out, "resource_count", json_integer((json_int_t)m->resources.n));
		json_object_set_new(out, "file_count", json_integer((json_int_t)m->files.n));
	}
	char *text = json_dumps(out, JSON_INDENT(2));
	puts(text);
	free(text);
	json_decref(out);
}

int cmd_validate(int argc, char **argv, sg_cli *cli)
{
	sg_cli_opts o;
	sg_cli_opts_init(&o);
	bool as_json = false;
	int i = 1;
	while (i < argc) {
		if (sg_arg_bool(argc, argv, &i, "json", &as_json) || sg_cli_common_flag(cli, argc, argv, &i, &o))
			continue;
		int rc = sg_cli_usage(cli, usage, "unexpected argument \"%s\"", argv[i]);
		sg_cli_opts_free(&o);
		return rc;
	}
	if (o.bad) {
		sg_cli_opts_free(&o);
		return 1;
	}
	sg_load_opts lo = { 0 };
	lo.var_args = (const char *const *)o.var_args.items;
	lo.nvar_args = o.var_args.n;
	lo.var_files = (const char *const *)o.var_files.items;
	lo.nvar_files = o.var_files.n;
	lo.require_values = true;
	sg_diags d = SG_DIAGS_INIT;
	sg_manifest *m = NULL;
	int rc = sg_manifest_load(cli->dir, sg_local_provider_schema(), &lo, &m, &d);
	sg_diags_sort(&d);
	if (as_json) {
		print_json(&d, m);
	} else {
		sg_cli_print_diags(cli, &d);
		if (rc == 0)
			printf("%sSuccess!%s The configuration is valid: %zu resource%s in %zu file%s.\n",
			       sg_c_green(cli->color), sg_c_reset(cli->color), m->resources.n, m->resources.n == 1 ? "" : "s",
			       m->files.n, m->files.n == 1 ? "" : "s");
		else
			fprintf(stderr, "sigma: %zu error%s in the manifests\n", d.nerrors, d.nerrors == 1 ? "" : "s");
	}
	sg_diags_free(&d);
	SG_FREE_AT_EXIT(sg_manifest_free(m));
	sg_cli_opts_free(&o);
	return rc == 0 ? 0 : 1;
}
