/* Shared by `sigma transform` and `sigma graph --lineage`. */
#ifndef SG_CLI_TRANSFORM_CLI_H
#define SG_CLI_TRANSFORM_CLI_H

#include "cli/cli.h"
#include "pipeline/sqlx.h"
#include "util/vec.h"

#include <jansson.h>

/* The non-empty items of "a,b,c", as strings to free (sg_vec_free_all). */
void sg_cli_split_list(const char *s, sg_vec *out);
/* Add "k=v,k2=v2" to `vars`; -1 (reported) on a malformed list. */
int sg_cli_parse_vars(const sg_cli *cli, const char *spec, json_t *vars);
/*
 * Compile the transform project in `dir_arg` (relative to the project
 * directory), or the one sigma.yaml names, or the project directory;
 * diagnostics are printed. `vars` may be NULL.
 */
int sg_cli_transform_project(const sg_cli *cli, const char *dir_arg, json_t *vars, sg_sx_project **out);
/* sigma transform lineage ... (argv[0] is "lineage") */
int sg_cli_transform_lineage(int argc, char **argv, sg_cli *cli);
/* sigma transform run ... (argv[0] is "run") */
int sg_cli_transform_run(int argc, char **argv, sg_cli *cli);

#endif
