#include "cli/transform_cli.h"
int sg_cli_transform_run(int argc, char **argv, sg_cli *cli)
{
	(void)argc; (void)argv;
	sg_cli_error(cli, "transform run: work in progress");
	return 1;
}
