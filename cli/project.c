#include "cli/cli.h"

#include "util/arena.h"
#include "util/fs.h"
#include "util/ytree.h"

#include <string.h>

/*
 * The project's directory (absolute) and, when sigma.yaml sets it, the
 * scalar sigma.KEY (or sigma.KEY.SUB), read without loading the manifests:
 * commands that only need a setting still work when another manifest has
 * an error. *value is NULL when unset; it lives in `arena`.
 */
static int sigma_setting(const sg_cli *cli, const char *key, const char *sub, sg_arena *arena, sg_buf *dir,
			 const char **value, sg_error *err)
{
	sg_buf path = SG_BUF_INIT, text = SG_BUF_INIT;
	sg_diags diags = SG_DIAGS_INIT;
	int rc = -1;
	*value = NULL;
	if (sg_fs_abspath(cli->dir, dir, err) < 0)
		goto out;
	sg_fs_join(&path, dir->ptr, "sigma.yaml");
	if (sg_fs_exists(path.ptr)) {
		if (sg_fs_read_file(path.ptr, &text, err) < 0)
			goto out;
		sg_ynode *doc = NULL;
		if (sg_yaml_parse(arena, path.ptr, sg_buf_cstr(&text), text.len, &doc, &diags) < 0) {
			const sg_diag *g = &diags.items[0];
			sg_error_set(err, "%s:%d:%d: %s", g->file, g->line, g->col, g->msg);
			goto out;
		}
		sg_ynode *v = sg_ymap_get(sg_ymap_get(doc, "sigma"), key);
		if (sub)
			v = v && v->kind == SG_Y_MAP ? sg_ymap_get(v, sub) : NULL;
		if (v && v->kind == SG_Y_SCALAR && v->len)
			*value = v->str;
	}
	rc = 0;
out:
	sg_buf_free(&path);
	sg_buf_free(&text);
	sg_diags_free(&diags);
	return rc;
}

/* `rel` against the project directory, absolute, into `out`. */
static int resolve_path(const char *dir, const char *rel, sg_buf *out, sg_error *err)
{
	sg_buf_clear(out);
	if (rel[0] == '/') {
		sg_buf_puts(out, rel);
		return 0;
	}
	sg_buf joined = SG_BUF_INIT;
	sg_fs_join(&joined, dir, rel);
	int rc = sg_fs_abspath(joined.ptr, out, err);
	sg_buf_free(&joined);
	return rc;
}

int sg_cli_local_root(const sg_cli *cli, sg_buf *out, sg_error *err)
{
	sg_arena arena = SG_ARENA_INIT;
	sg_buf dir = SG_BUF_INIT;
	const char *rel = NULL;
	int rc = sigma_setting(cli, "local_root", NULL, &arena, &dir, &rel, err);
	if (rc == 0)
		rc = resolve_path(dir.ptr, rel ? rel : ".sigma/local", out, err);
	sg_buf_free(&dir);
	sg_arena_free(&arena);
	return rc;
}

int sg_cli_transform_dir(const sg_cli *cli, sg_buf *out, sg_error *err)
{
	sg_arena arena = SG_ARENA_INIT;
	sg_buf dir = SG_BUF_INIT;
	const char *rel = NULL;
	int rc = sigma_setting(cli, "transform", "dir", &arena, &dir, &rel, err);
	if (rc == 0 && rel)
		rc = resolve_path(dir.ptr, rel, out, err);
	else if (rc == 0)
		rc = 1;
	sg_buf_free(&dir);
	sg_arena_free(&arena);
	return rc;
}
