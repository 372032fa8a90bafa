/*
 * sigma state list [PREFIX]   the addresses in the state
 * sigma state show ADDR       one resource's recorded attributes (secrets masked)
 * sigma state rm ADDR...      forget resources (the world is not touched)
 * sigma state mv FROM TO      rename a resource in the state (after renaming it in the manifests)
 * sigma state pull            the state document, as JSON
 * sigma state stages          each stage, its resources and when it was last applied
 */
#include "cli/common.h"
#include "cli/render.h"

#include "core/plan.h"
#include "providers/local/local.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "sigma state list [PREFIX] | show ADDR | rm ADDR... | mv FROM TO | pull | stages";

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Load the state; with `write`, under the lock. */
static int open_state(sg_cli *cli, bool write, sg_lock **lock, sg_state **st)
{
	sg_buf dir = SG_BUF_INIT;
	sg_cli_state_dir(cli, &dir);
	sg_cli_opts o;
	sg_cli_opts_init(&o);
	o.lock = write;
	int rc = sg_cli_open_state(cli, &o, dir.ptr, lock, st);
	sg_cli_opts_free(&o);
	sg_buf_free(&dir);
	return rc;
}

static int state_list(sg_cli *cli, int argc, char **argv)
{
	if (argc > 1)
		return sg_cli_usage(cli, usage, "state list takes at most one address prefix");
	sg_lock *lock;
	sg_state *st;
	if (open_state(cli, false, &lock, &st) < 0)
		return 1;
	json_t *res = sg_state_resources(st);
	const char **keys = calloc(json_object_size(res) + 1, sizeof(*keys));
	size_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach(res, k, v) {
		if (argc == 0 || !strncmp(k, argv[0], strlen(argv[0])))
			keys[n++] = k;
	}
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (size_t i = 0; i < n; i++)
		puts(keys[i]);
	free(keys);
	sg_state_free(st);
	return 0;
}

static int state_show(sg_cli *cli, int argc, char **argv)
{
	if (argc != 1)
		return sg_cli_usage(cli, usage, "state show needs one address");
	sg_lock *lock;
	sg_state *st;
	if (open_state(cli, false, &lock, &st) < 0)
		return 1;
	json_t *e = sg_state_get(st, argv[0]);
	if (!e) {
		sg_cli_error(cli, "no resource %s in the state", argv[0]);
		sg_state_free(st);
		return 1;
	}
	const char *dot = strchr(argv[0], '.');
	sg_buf out = SG_BUF_INIT;
	sg_buf_printf(&out, "# %s:\nresource \"%s\" \"%s\" {\n", argv[0], json_string_value(json_object_get(e, "kind")),
		      dot ? dot + 1 : argv[0]);
	json_t *attrs = json_deep_copy(json_object_get(e, "attributes"));
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(e, "sensitive_attributes"), k, v) json_object_set_new(attrs, k, json_string("(sensitive value)"));
	size_t width = 0;
	json_object_foreach(attrs, k, v) width = strlen(k) > width ? strlen(k) : width;
	const char **keys = calloc(json_object_size(attrs) + 1, sizeof(*keys));
	size_t n = 0;
	json_object_foreach(attrs, k, v) keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (size_t i = 0; i < n; i++) {
		v = json_object_get(attrs, keys[i]);
		sg_buf_printf(&out, "    %s", keys[i]);
		sg_buf_pad(&out, ' ', width - strlen(keys[i]));
		sg_buf_puts(&out, " = ");
		if (json_object_get(json_object_get(e, "sensitive_attributes"), keys[i]))
			sg_buf_puts(&out, "(sensitive value)");
		else
			sg_render_value(&out, v, 4);
		sg_buf_putc(&out, '\n');
	}
	sg_buf_printf(&out, "}\n# stage: %s%s\n", json_string_value(json_object_get(e, "stage")),
		      json_is_true(json_object_get(e, "prevent_destroy")) ? ", prevent_destroy" : "");
	fputs(out.ptr, stdout);
	free(keys);
	json_decref(attrs);
	sg_buf_free(&out);
	sg_state_free(st);
	return 0;
}

static int state_rm(sg_cli *cli, int argc, char **argv)
{
	if (argc < 1)
		return sg_cli_usage(cli, usage, "state rm needs at least one address");
	sg_lock *lock;
	sg_state *st;
	if (open_state(cli, true, &lock, &st) < 0)
		return 1;
	sg_error err = SG_ERROR_INIT;
	int rc = 0;
	for (int i = 0; i < argc && rc == 0; i++) {
		if (!sg_state_get(st, argv[i])) {
			sg_cli_error(cli, "no resource %s in the state; nothing was removed", argv[i]);
			rc = 1;
		}
	}
	for (int i = 0; i < argc && rc == 0; i++) {
		if (sg_state_remove(st, argv[i], &err) < 0) {
			sg_cli_error(cli, "%s", sg_error_msg(&err));
			rc = 1;
		} else {
			printf("Removed %s\n", argv[i]);
		}
	}
	if (rc == 0 && sg_state_persist(st, &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		rc = 1;
	}
	if (rc == 0)
		printf("Successfully removed %d resource%s from the state; the objects themselves are untouched.\n", argc,
		       argc == 1 ? "" : "s");
	sg_error_clear(&err);
	sg_state_free(st);
	sg_lock_release(lock);
	return rc;
}

static int state_mv(sg_cli *cli, int argc, char **argv)
{
	if (argc != 2)
		return sg_cli_usage(cli, usage, "state mv needs FROM and TO addresses");
	const char *from = argv[0], *to = argv[1];
	const char *fdot = strchr(from, '.'), *tdot = strchr(to, '.');
	if (!fdot || !tdot || fdot - from != tdot - to || strncmp(from, to, (size_t)(fdot - from)))
		return sg_cli_usage(cli, usage, "state mv moves within one kind: %s and %s differ", from, to);
	sg_lock *lock;
	sg_state *st;
	if (open_state(cli, true, &lock, &st) < 0)
		return 1;
	sg_error err = SG_ERROR_INIT;
	int rc = 1;
	json_t *e = sg_state_get(st, from);
	if (!e) {
		sg_cli_error(cli, "no resource %s in the state", from);
		goto out;
	}
	if (sg_state_get(st, to)) {
		sg_cli_error(cli, "%s is already in the state; remove it first (sigma state rm %s)", to, to);
		goto out;
	}
	json_t *moved = json_deep_copy(e);
	json_object_set_new(moved, "name", json_string(tdot + 1));
	if (sg_state_put(st, to, moved, &err) < 0 || sg_state_remove(st, from, &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		goto out;
	}
	/* what depended on the old address now depends on the new one */
	const char *k;
	json_t *v;
	sg_vec touched = SG_VEC_INIT;
	json_object_foreach(sg_state_resources(st), k, v) {
		json_t *deps = json_object_get(v, "dependencies");
		for (size_t i = 0; i < json_array_size(deps); i++) {
			if (!strcmp(json_string_value(json_array_get(deps, i)), from))
				sg_vec_push(&touched, (void *)k);
		}
	}
	for (size_t t = 0; t < touched.n; t++) {
		json_t *entry = json_deep_copy(sg_state_get(st, touched.items[t]));
		json_t *deps = json_object_get(entry, "dependencies");
		for (size_t i = 0; i < json_array_size(deps); i++) {
			if (!strcmp(json_string_value(json_array_get(deps, i)), from))
				json_array_set_new(deps, i, json_string(to));
		}
		if (sg_state_put(st, touched.items[t], entry, &err) < 0) {
			sg_cli_error(cli, "%s", sg_error_msg(&err));
			sg_vec_free(&touched);
			goto out;
		}
	}
	sg_vec_free(&touched);
	if (sg_state_persist(st, &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		goto out;
	}
	printf("Move \"%s\" to \"%s\"\nSuccessfully moved 1 object.\n", from, to);
	rc = 0;
out:
	sg_error_clear(&err);
	sg_state_free(st);
	sg_lock_release(lock);
	return rc;
}

static int state_pull(sg_cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc != 0)
		return sg_cli_usage(cli, usage, "state pull takes no arguments");
	sg_lock *lock;
	sg_state *st;
	if (open_state(cli, false, &lock, &st) < 0)
		return 1;
	char *text = json_dumps(sg_state_doc(st), JSON_INDENT(2) | JSON_SORT_KEYS);
	puts(text);
	free(text);
	sg_state_free(st);
	return 0;
}

static int state_stages(sg_cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc != 0)
		return sg_cli_usage(cli, usage, "state stages takes no arguments");
	sg_lock *lock;
	sg_state *st;
	if (open_state(cli, false, &lock, &st) < 0)
		return 1;
	/* the resources of each stage: declared in the manifests when they load, else as recorded */
	sg_cli_opts o;
	sg_cli_opts_init(&o);
	sg_manifest *m = NULL;
	sg_load_opts lo = { 0 };
	sg_diags d = SG_DIAGS_INIT;
	bool have_manifests = sg_manifest_load(cli->dir, sg_local_provider_schema(), &lo, &m, &d) == 0;
	sg_diags_free(&d);
	printf("%-14s %-10s %s\n", "STAGE", "RESOURCES", "APPLIED");
	const json_t *done = json_object_get(sg_state_doc(st), "stages");
	for (int k = 0; sg_stages[k]; k++) {
		size_t count = 0;
		if (have_manifests) {
			for (size_t i = 0; i < m->resources.n; i++)
				count += !strcmp(((sg_resource *)m->resources.items[i])->stage, sg_stages[k]);
		} else {
			const char *a;
			json_t *e;
			json_object_foreach(sg_state_resources(st), a, e) count += !strcmp(json_string_value(json_object_get(e, "stage")), sg_stages[k]);
		}
		const json_t *rec = json_object_get(done, sg_stages[k]);
		if (rec)
			printf("%-14s %-10zu %s (serial %lld)\n", sg_stages[k], count,
			       json_string_value(json_object_get(rec, "applied_at")),
			       (long long)json_integer_value(json_object_get(rec, "serial")));
		else
			printf("%-14s %-10zu never\n", sg_stages[k], count);
	}
	sg_manifest_free(m);
	sg_cli_opts_free(&o);
	sg_state_free(st);
	return 0;
}

int cmd_state(int argc, char **argv, sg_cli *cli)
{
	if (argc < 2)
		return sg_cli_usage(cli, usage, "expected a subcommand");
	const char *sub = argv[1];
	int n = argc - 2;
	char **rest = argv + 2;
	if (!strcmp(sub, "list"))
		return state_list(cli, n, rest);
	if (!strcmp(sub, "show"))
		return state_show(cli, n, rest);
	if (!strcmp(sub, "rm"))
		return state_rm(cli, n, rest);
	if (!strcmp(sub, "mv"))
		return state_mv(cli, n, rest);
	if (!strcmp(sub, "pull"))
		return state_pull(cli, n, rest);
	if (!strcmp(sub, "stages"))
		return state_stages(cli, n, rest);
	return sg_cli_usage(cli, usage, "unknown state subcommand \"%s\"", sub);
}
