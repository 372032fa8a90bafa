/*
 * sigma show [-json] PLANFILE
 *
 * Prints a plan saved by `sigma plan -out`: -json prints its JSON plan
 * (docs/plan-json.md); without it, one line per change and the summary.
 */
#include "cli/common.h"

#include "core/plan_json.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "sigma show [-json] PLANFILE";

int cmd_show(int argc, char **argv, sg_cli *cli)
{
	bool as_json = false;
	const char *path = NULL;
	int i = 1;
	while (i < argc) {
		if (sg_arg_bool(argc, argv, &i, "json", &as_json))
			continue;
		if (!sg_arg_is_flag(argv[i]) && !path) {
			path = argv[i++];
			continue;
		}
		return sg_cli_usage(cli, usage, "unexpected argument \"%s\"", argv[i]);
	}
	if (!path)
		return sg_cli_usage(cli, usage, "expected a plan file (made by sigma plan -out FILE)");
	json_error_t jerr;
	json_t *file = json_load_file(path, 0, &jerr);
	if (!file) {
		sg_cli_error(cli, "cannot read the plan file %s: %s", path, jerr.text);
		return 1;
	}
	if (json_integer_value(json_object_get(file, "sigma_plan_file")) != SG_PLAN_FILE_VERSION) {
		sg_cli_error(cli, "%s is not a sigma plan file (made by sigma plan -out)", path);
		json_decref(file);
		return 1;
	}
	const json_t *plan = json_object_get(file, "plan");
	if (as_json) {
		char *text = json_dumps(plan, JSON_INDENT(2));
		puts(text);
		free(text);
		json_decref(file);
		return 0;
	}
	static const char *const what[][2] = {
		{ "create", "will be created" }, { "update", "will be updated in-place" }, { "delete", "will be destroyed" },
	};
	const json_t *changes = json_object_get(plan, "resource_changes");
	for (size_t k = 0; k < json_array_size(changes); k++) {
		const json_t *c = json_array_get(changes, k);
		const json_t *actions = json_object_get(json_object_get(c, "change"), "actions");
		const char *first = json_string_value(json_array_get(actions, 0));
		const char *text = NULL;
		if (json_array_size(actions) == 2)
			text = "must be replaced";
		for (size_t w = 0; !text && first && w < 3; w++) {
			if (!strcmp(first, what[w][0]))
				text = what[w][1];
		}
		if (text)
			printf("  # %s %s\n", json_string_value(json_object_get(c, "address")), text);
	}
	const json_t *sum = json_object_get(plan, "summary");
	long long add = json_integer_value(json_object_get(sum, "add"));
	long long chg = json_integer_value(json_object_get(sum, "change"));
	long long del = json_integer_value(json_object_get(sum, "destroy"));
	if (add || chg || del)
		printf("\nPlan: %lld to add, %lld to change, %lld to destroy.\n", add, chg, del);
	else
		printf("No changes. Your infrastructure matches the configuration.\n");
	printf("(made against state %s serial %lld)\n",
	       json_string_value(json_object_get(json_object_get(file, "state"), "lineage")),
	       (long long)json_integer_value(json_object_get(json_object_get(file, "state"), "serial")));
	json_decref(file);
	return 0;
}
