#include "cli/cli.h"

#include "util/arena.h"
#include "util/fs.h"
#include "util/ytree.h"

#include <string.h>

int sg_cli_local_root(const sg_cli *cli, sg_buf *out, sg_error *err)
{
	sg_buf path = SG_BUF_INIT, text = SG_BUF_INIT, dir = SG_BUF_INIT;
	sg_arena arena = SG_ARENA_INIT;
	sg_diags diags = SG_DIAGS_INIT;
	const char *rel = ".sigma/local";
	int rc = -1;

	if (sg_fs_abspath(cli->dir, &dir, err) < 0)
		goto out;
	sg_fs_join(&path, dir.ptr, "sigma.yaml");
	if (sg_fs_exists(path.ptr)) {
		if (sg_fs_read_file(path.ptr, &text, err) < 0)
			goto out;
		sg_ynode *doc = NULL;
		if (sg_yaml_parse(&arena, path.ptr, sg_buf_cstr(&text), text.len, &doc, &diags) < 0) {
			const sg_diag *g = &diags.items[0];
			sg_error_set(err, "%s:%d:%d: %s", g->file, g->line, g->col, g->msg);
			goto out;
		}
		sg_ynode *root = sg_ymap_get(sg_ymap_get(doc, "sigma"), "local_root");
		if (root && root->kind == SG_Y_SCALAR && root->len)
			rel = root->str;
	}
	sg_buf_clear(out);
	if (rel[0] == '/') {
		sg_buf_puts(out, rel);
	} else {
		sg_buf joined = SG_BUF_INIT;
		sg_fs_join(&joined, dir.ptr, rel);
		rc = sg_fs_abspath(joined.ptr, out, err);
		sg_buf_free(&joined);
		goto out;
	}
	rc = 0;
out:
	sg_buf_free(&path);
	sg_buf_free(&text);
	sg_buf_free(&dir);
	sg_arena_free(&arena);
	sg_diags_free(&diags);
	return rc;
}
