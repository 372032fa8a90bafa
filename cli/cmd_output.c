/*
 * sigma output [-json] [-raw] [NAME]
 *
 * The outputs recorded by the last apply. Sensitive outputs are kept in the
 * state only as a digest, so they print as <sensitive>.
 */
#include "cli/common.h"
#include "cli/render.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "sigma output [-json] [-raw] [NAME]";

int cmd_output(int argc, char **argv, sg_cli *cli)
{
	bool as_json = false, raw = false;
	const char *name = NULL;
	int i = 1;
	while (i < argc) {
		if (sg_arg_bool(argc, argv, &i, "json", &as_json) || sg_arg_bool(argc, argv, &i, "raw", &raw))
			continue;
		if (!sg_arg_is_flag(argv[i]) && !name) {
			name = argv[i++];
			continue;
		}
		return sg_cli_usage(cli, usage, "unexpected argument \"%s\"", argv[i]);
	}
	sg_buf dir = SG_BUF_INIT;
	sg_cli_state_dir(cli, &dir);
	sg_state *st = NULL;
	sg_error err = SG_ERROR_INIT;
	int rc = 1;
	if (sg_state_load(dir.ptr, &st, &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		goto out;
	}
	const json_t *outputs = json_object_get(sg_state_doc(st), "outputs");
	if (name) {
		const json_t *o = json_object_get(outputs, name);
		if (!o) {
			sg_cli_error(cli, "no output \"%s\" in the state (run sigma apply first, or check the name)", name);
			goto out;
		}
		bool secret = json_is_true(json_object_get(o, "sensitive"));
		const json_t *v = json_object_get(o, "value");
		if (secret) {
			sg_cli_error(cli, "output \"%s\" is sensitive: sigma keeps only a digest of it in the state", name);
			goto out;
		}
		if (as_json) {
			char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_INDENT(2));
			puts(t);
			free(t);
		} else if (raw && json_is_string(v)) {
			fputs(json_string_value(v), stdout);
		} else if (raw && (json_is_object(v) || json_is_array(v))) {
			sg_cli_error(cli, "-raw prints strings, numbers and booleans; output \"%s\" is a %s", name,
				     json_is_object(v) ? "map" : "list");
			goto out;
		} else {
			sg_buf b = SG_BUF_INIT;
			if (raw)
				sg_json_canonical(&b, v);
			else
				sg_render_value(&b, v, 0);
			puts(b.ptr);
			sg_buf_free(&b);
		}
		rc = 0;
		goto out;
	}
	if (as_json) {
		json_t *all = json_object();
		const char *k;
		json_t *o;
		json_object_foreach((json_t *)outputs, k, o) {
			bool secret = json_is_true(json_object_get(o, "sensitive"));
			json_t *e = json_pack("{s:b}", "sensitive", secret);
			if (!secret)
				json_object_set(e, "value", json_object_get(o, "value"));
			json_object_set_new(all, k, e);
		}
		char *t = json_dumps(all, JSON_INDENT(2) | JSON_SORT_KEYS);
		puts(t);
		free(t);
		json_decref(all);
	} else if (json_object_size(outputs) == 0) {
		fprintf(stderr, "sigma: no outputs in the state\n");
	} else {
		sg_buf b = SG_BUF_INIT;
		const char *k;
		json_t *o;
		json_object_foreach((json_t *)outputs, k, o) {
			sg_buf_printf(&b, "%s = ", k);
			if (json_is_true(json_object_get(o, "sensitive")))
				sg_buf_puts(&b, "<sensitive>");
			else
				sg_render_value(&b, json_object_get(o, "value"), 0);
			sg_buf_putc(&b, '\n');
		}
		fputs(b.ptr, stdout);
		sg_buf_free(&b);
	}
	rc = 0;
out:
	sg_error_clear(&err);
	sg_state_free(st);
	sg_buf_free(&dir);
	return rc;
}
