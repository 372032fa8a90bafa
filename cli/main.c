/*
 * sigma: provisioner and local runtime for file-driven data platforms.
 *
 *   sigma [-C DIR] COMMAND [ARGS]
 */
#include "cli/cli.h"

#include "util/alloc.h"
#include "util/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv, sg_cli *cli);
	const char *summary;
} command;

static int cmd_version(int argc, char **argv, sg_cli *cli);
static int cmd_help(int argc, char **argv, sg_cli *cli);

static const command commands[] = {
	{ "validate", cmd_validate, "check the manifests without touching state or the world" },
	{ "plan", cmd_plan, "show the changes that apply would make" },
	{ "apply", cmd_apply, "make the world match the manifests" },
	{ "destroy", cmd_destroy, "destroy everything the state records" },
	{ "show", cmd_show, "print a plan saved by plan -out" },
	{ "state", cmd_state, "list, show, rm, mv, pull the state; stages" },
	{ "graph", cmd_graph, "the resource graph as DOT, stages as clusters" },
	{ "output", cmd_output, "print the outputs recorded by the last apply" },
	{ "force-unlock", cmd_force_unlock, "remove a stale state lock by its ID" },
	{ "query", cmd_query, "run SQL on the local warehouse" },
	{ "fernet", cmd_fernet, "encrypt and decrypt Fernet (+gzip) files" },
	{ "cp", cmd_cp, "copy files and objects to, from and between buckets" },
	{ "ls", cmd_ls, "list buckets and objects" },
	{ "cat", cmd_cat, "print objects to standard output" },
	{ "rm", cmd_rm, "remove objects" },
	{ "events", cmd_events, "list the event queue of bucket notifications" },
	{ "transform", cmd_transform, "compile and run a SQLX (Dataform) transform project" },
	{ "version", cmd_version, "print sigma's version and its libraries'" },
	{ "help", cmd_help, "list the commands" },
};

static void print_usage(FILE *out)
{
	fprintf(out, "usage: sigma [-C DIR] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < SG_ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nglobal options:\n  -C DIR         run as if started in DIR (the project directory), like terraform -chdir\n");
}

static int cmd_help(int argc, char **argv, sg_cli *cli)
{
	(void)argc;
	(void)argv;
	(void)cli;
	print_usage(stdout);
	return 0;
}

const char *duckdb_library_version(void);

static int cmd_version(int argc, char **argv, sg_cli *cli)
{
	(void)argc;
	(void)argv;
	(void)cli;
	printf("sigma %s\n", SIGMA_VERSION);
	printf("duckdb %s\n", duckdb_library_version());
	return 0;
}

static bool use_color(int fd)
{
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	const char *term = getenv("TERM");
	if (term && !strcmp(term, "dumb"))
		return false;
	return isatty(fd);
}

int main(int argc, char **argv)
{
	sg_cli cli = { 0 };
	cli.dir = ".";
	cli.argv0 = argv[0];
	cli.color = use_color(STDOUT_FILENO);
	cli.color_err = use_color(STDERR_FILENO);

	sg_buf line = SG_BUF_INIT;
	for (int k = 0; k < argc; k++) {
		if (k)
			sg_buf_putc(&line, ' ');
		sg_buf_puts(&line, k == 0 ? "sigma" : argv[k]);
	}
	cli.command_line = sg_buf_detach(&line);

	int i = 1;
	while (i < argc && sg_arg_is_flag(argv[i])) {
		const char *v;
		if (sg_arg_value(argc, argv, &i, "C", &v)) {
			if (!v) {
				fprintf(stderr, "sigma: error: -C needs a directory\n");
				free(cli.command_line);
				return 1;
			}
			cli.dir = v;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "-help")) {
			print_usage(stdout);
			free(cli.command_line);
			return 0;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--version") || !strcmp(argv[i], "-version")) {
			int rc = cmd_version(0, NULL, &cli);
			free(cli.command_line);
			return rc;
		} else {
			fprintf(stderr, "sigma: error: unknown global option %s\n", argv[i]);
			print_usage(stderr);
			free(cli.command_line);
			return 1;
		}
	}
	if (i >= argc) {
		print_usage(stderr);
		free(cli.command_line);
		return 1;
	}
	/* -C DIR works like Terraform's -chdir: every relative path is then relative to DIR */
	if (strcmp(cli.dir, ".") != 0) {
		if (chdir(cli.dir) < 0) {
			fprintf(stderr, "sigma: error: -C %s: %s\n", cli.dir, strerror(errno));
			free(cli.command_line);
			return 1;
		}
		cli.dir = ".";
	}
	const char *name = argv[i];
	for (size_t k = 0; k < SG_ARRAY_SIZE(commands); k++) {
		if (!strcmp(commands[k].name, name)) {
			int rc = commands[k].run(argc - i, argv + i, &cli);
			fflush(stdout);
			free(cli.command_line);
			return rc;
		}
	}
	fprintf(stderr, "sigma: error: unknown command \"%s\"\n", name);
	print_usage(stderr);
	free(cli.command_line);
	return 1;
}
