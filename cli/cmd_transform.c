/*
 * sigma transform compile [DIR] [--json] [--vars k=v,...]
 * sigma transform run [DIR] [--actions A,B] [--tags T] [--include-deps]
 *                     [--include-dependents] [--full-refresh] [--dry-run]
 *                     [--json] [--vars k=v,...]
 * sigma transform lineage [DIR]      (also: sigma graph --lineage [DIR])
 *
 * A Dataform-compatible SQLX project (pipeline/sqlx.h), compiled and run on
 * the local warehouse. DIR defaults to sigma.yaml's sigma.transform.dir,
 * else the project directory itself.
 */
#include "cli/common.h"

#include "cli/transform_cli.h"
#include "pipeline/sqlx.h"
#include "util/alloc.h"
#include "util/fs.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
	"sigma transform compile [DIR] [--json] [--vars NAME=VALUE,...]\n"
	"       sigma transform run [DIR] [--actions A,B] [--tags T,U] [--include-deps] [--include-dependents]\n"
	"                           [--full-refresh] [--dry-run] [--json] [--vars NAME=VALUE,...]\n"
	"       sigma transform lineage [DIR]";

void sg_cli_split_list(const char *s, sg_vec *out)
{
	const char *p = s;
	while (*p) {
		size_t len = strcspn(p, ",");
		if (len)
			sg_vec_push(out, sg_strndup(p, len));
		p += len;
		if (*p == ',')
			p++;
	}
}

int sg_cli_parse_vars(const sg_cli *cli, const char *spec, json_t *vars)
{
	sg_vec items = SG_VEC_INIT;
	int rc = 0;
	sg_cli_split_list(spec, &items);
	for (size_t i = 0; i < items.n && rc == 0; i++) {
		char *item = items.items[i];
		char *eq = strchr(item, '=');
		if (!eq || eq == item) {
			sg_cli_error(cli, "--vars: expected NAME=VALUE[,NAME=VALUE...], found \"%s\"", item);
			rc = -1;
			continue;
		}
		*eq = '\0';
		json_object_set_new(vars, item, json_string(eq + 1));
	}
	sg_vec_free_all(&items);
	return rc;
}

int sg_cli_transform_project(const sg_cli *cli, const char *dir_arg, json_t *vars, sg_sx_project **out)
{
	sg_buf dir = SG_BUF_INIT, shown = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	int rc = -1;
	*out = NULL;
	if (dir_arg) {
		if (dir_arg[0] == '/' || !strcmp(cli->dir, "."))
			sg_buf_puts(&dir, dir_arg);
		else
			sg_fs_join(&dir, cli->dir, dir_arg);
		sg_buf_puts(&shown, dir.ptr);
	} else {
		int found = sg_cli_transform_dir(cli, &dir, &err);
		if (found < 0) {
			sg_cli_error(cli, "%s", sg_error_msg(&err));
			goto out;
		}
		if (found == 1)
			sg_buf_puts(&dir, cli->dir);
		/* shown relative to the project directory, as sigma.yaml spells it */
		sg_buf base = SG_BUF_INIT;
		size_t n = 0;
		if (found == 0 && sg_fs_abspath(cli->dir, &base, NULL) == 0) {
			n = base.len;
			if (strncmp(dir.ptr, base.ptr, n) || dir.ptr[n] != '/')
				n = 0;
		}
		sg_buf_puts(&shown, n ? dir.ptr + n + 1 : dir.ptr);
		sg_buf_free(&base);
	}
	sg_diags d = SG_DIAGS_INIT;
	sg_sx_opts opts = { vars, shown.ptr };
	rc = sg_sx_compile(dir.ptr, &opts, out, &d);
	sg_diags_sort(&d);
	sg_cli_print_diags(cli, &d);
	if (rc < 0)
		fprintf(stderr, "sigma: %zu error%s in the transform project %s\n", d.nerrors, d.nerrors == 1 ? "" : "s",
			shown.ptr);
	sg_diags_free(&d);
out:
	sg_buf_free(&dir);
	sg_buf_free(&shown);
	sg_error_clear(&err);
	return rc;
}

static int transform_compile(int argc, char **argv, sg_cli *cli)
{
	bool as_json = false, lineage = !strcmp(argv[0], "lineage");
	const char *dir = NULL, *v;
	json_t *vars = json_object();
	int rc = 1;
	for (int i = 1; i < argc;) {
		if (!lineage && sg_arg_bool(argc, argv, &i, "json", &as_json))
			continue;
		if (sg_arg_value(argc, argv, &i, "vars", &v)) {
			if (!v) {
				rc = sg_cli_usage(cli, usage, "--vars needs NAME=VALUE");
				goto out;
			}
			if (sg_cli_parse_vars(cli, v, vars) < 0)
				goto out;
			continue;
		}
		if (sg_arg_is_flag(argv[i]) || dir) {
			rc = sg_cli_usage(cli, usage, "unexpected argument \"%s\"", argv[i]);
			goto out;
		}
		dir = argv[i++];
	}
	sg_sx_project *p = NULL;
	if (sg_cli_transform_project(cli, dir, vars, &p) < 0)
		goto out;
	sg_buf text = SG_BUF_INIT;
	if (lineage) {
		sg_sx_project_dot(p, &text);
		fputs(sg_buf_cstr(&text), stdout);
	} else if (as_json) {
		if (sg_sx_project_write_json(p, stdout) < 0 || fflush(stdout) != 0) {
			sg_cli_error(cli, "cannot write the compiled graph to standard output");
			SG_FREE_AT_EXIT(sg_sx_project_free(p));
			goto out;
		}
	} else {
		sg_sx_project_text(p, &text);
		fputs(sg_buf_cstr(&text), stdout);
	}
	sg_buf_free(&text);
	SG_FREE_AT_EXIT(sg_sx_project_free(p));
	rc = 0;
out:
	json_decref(vars);
	return rc;
}

int sg_cli_transform_lineage(int argc, char **argv, sg_cli *cli)
{
	return transform_compile(argc, argv, cli);
}

int cmd_transform(int argc, char **argv, sg_cli *cli)
{
	if (argc < 2)
		return sg_cli_usage(cli, usage, "missing subcommand (compile, run or lineage)");
	if (!strcmp(argv[1], "compile") || !strcmp(argv[1], "lineage"))
		return transform_compile(argc - 1, argv + 1, cli);
	if (!strcmp(argv[1], "run"))
		return sg_cli_transform_run(argc - 1, argv + 1, cli);
	return sg_cli_usage(cli, usage, "unknown subcommand \"%s\" (expected compile, run or lineage)", argv[1]);
}
