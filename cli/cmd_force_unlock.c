/*
 * sigma force-unlock ID
 *
 * Remove the state lock whose ID is ID: for a lock left by a process that is
 * gone. The ID is printed by the command that found the lock.
 */
#include "cli/common.h"

#include <stdio.h>

static const char usage[] = "sigma force-unlock ID";

int cmd_force_unlock(int argc, char **argv, sg_cli *cli)
{
	if (argc != 2 || sg_arg_is_flag(argv[1]))
		return sg_cli_usage(cli, usage, "expected the lock ID");
	sg_buf dir = SG_BUF_INIT;
	sg_cli_state_dir(cli, &dir);
	sg_error err = SG_ERROR_INIT;
	int rc = 0;
	if (sg_lock_force_unlock(dir.ptr, argv[1], &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		rc = 1;
	} else {
		printf("sigma state has been successfully unlocked.\n");
	}
	sg_error_clear(&err);
	sg_buf_free(&dir);
	return rc;
}
