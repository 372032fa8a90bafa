/*
 * What every command shares: the parsed global options, flag parsing in
 * Terraform's spelling (-flag, -flag=value, -flag value; --flag accepted
 * too), and rendering of errors and diagnostics.
 *
 * Each command lives in cli/cmd_NAME.c with one entry point
 * `int cmd_NAME(int argc, char **argv, sg_cli *cli)` that returns the
 * process exit code. argv[0] is the command's name.
 */
#ifndef SG_CLI_CLI_H
#define SG_CLI_CLI_H

#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct sg_cli {
	const char *dir;   /* project directory (-C), "." by default */
	bool color;        /* colour on stdout: a terminal and no NO_COLOR */
	bool color_err;    /* the same for stderr */
	const char *argv0;
	char *command_line; /* the whole command line, for lock holders */
} sg_cli;

/* The commands. */
int cmd_validate(int argc, char **argv, sg_cli *cli);
int cmd_plan(int argc, char **argv, sg_cli *cli);
int cmd_apply(int argc, char **argv, sg_cli *cli);
int cmd_destroy(int argc, char **argv, sg_cli *cli);
int cmd_output(int argc, char **argv, sg_cli *cli);
int cmd_force_unlock(int argc, char **argv, sg_cli *cli);
int cmd_state(int argc, char **argv, sg_cli *cli);
int cmd_graph(int argc, char **argv, sg_cli *cli);
int cmd_show(int argc, char **argv, sg_cli *cli);
int cmd_query(int argc, char **argv, sg_cli *cli);
int cmd_fernet(int argc, char **argv, sg_cli *cli);
int cmd_cp(int argc, char **argv, sg_cli *cli);
int cmd_ls(int argc, char **argv, sg_cli *cli);
int cmd_cat(int argc, char **argv, sg_cli *cli);
int cmd_rm(int argc, char **argv, sg_cli *cli);
int cmd_events(int argc, char **argv, sg_cli *cli);
int cmd_transform(int argc, char **argv, sg_cli *cli);

/*
 * Flag parsing. `*i` indexes argv; on a match the flag (and its value) are
 * consumed and *i advanced past them.
 */
/* Does argv[*i] spell the boolean flag `name` (-name, --name, -name=true|false)? */
bool sg_arg_bool(int argc, char **argv, int *i, const char *name, bool *out);
/* Does argv[*i] spell `-name VALUE` or `-name=VALUE`? A missing value is an error (returns true, *out NULL). */
bool sg_arg_value(int argc, char **argv, int *i, const char *name, const char **out);
/* Is argv[i] a flag at all (starts with '-' and is not "-")? */
bool sg_arg_is_flag(const char *arg);

/* "sigma: <msg>" on stderr, in red on a terminal. */
void sg_cli_error(const sg_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sg_cli_warn(const sg_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: the message, then "usage: ..." on stderr. Returns 1. */
int sg_cli_usage(const sg_cli *cli, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print every diagnostic as "file:line:col: error: msg" (or with the address). */
void sg_cli_print_diags(const sg_cli *cli, const sg_diags *d);

/* The local provider's root for the project in cli->dir (sigma.local_root). */
int sg_cli_local_root(const sg_cli *cli, sg_buf *out, sg_error *err);
/*
 * The transform project named by sigma.yaml (sigma: {transform: {dir: D}}),
 * absolute, into `out`: 0; 1 when sigma.yaml names none; -1 on error.
 */
int sg_cli_transform_dir(const sg_cli *cli, sg_buf *out, sg_error *err);

/* ANSI colour helpers: return "" when colour is off. */
const char *sg_c_red(bool on);
const char *sg_c_green(bool on);
const char *sg_c_yellow(bool on);
const char *sg_c_bold(bool on);
const char *sg_c_reset(bool on);

#endif
