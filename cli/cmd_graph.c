/*
 * sigma graph [-var ...] [-var-file F]
 *
 * The resource graph as DOT: one node per resource, an edge from each
 * resource to what it depends on, the stages as clusters. Render it with
 * `sigma graph | dot -Tsvg > graph.svg`.
 */
#include "cli/common.h"

#include "core/plan.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "sigma graph [-var NAME=VALUE] [-var-file FILE]";

static void quoted(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

int cmd_graph(int argc, char **argv, sg_cli *cli)
{
	sg_cli_opts o;
	sg_cli_opts_init(&o);
	int i = 1;
	while (i < argc) {
		if (sg_cli_common_flag(cli, argc, argv, &i, &o))
			continue;
		int rc = sg_cli_usage(cli, usage, "unexpected argument \"%s\"", argv[i]);
		sg_cli_opts_free(&o);
		return rc;
	}
	sg_manifest *m = NULL;
	if (o.bad || sg_cli_load(cli, &o, false, &m) < 0) {
		sg_cli_opts_free(&o);
		return 1;
	}
	printf("digraph sigma {\n  rankdir = \"RL\";\n  node [shape = box, fontname = \"sans-serif\"];\n");
	for (int k = 0; sg_stages[k]; k++) {
		printf("  subgraph \"cluster_%s\" {\n    label = \"stage %s\";\n    style = dashed;\n", sg_stages[k],
		       sg_stages[k]);
		for (size_t r = 0; r < m->resources.n; r++) {
			const sg_resource *res = m->resources.items[r];
			if (strcmp(res->stage, sg_stages[k]))
				continue;
			printf("    ");
			quoted(res->address);
			printf(";\n");
		}
		printf("  }\n");
	}
	for (size_t r = 0; r < m->resources.n; r++) {
		const sg_resource *res = m->resources.items[r];
		for (size_t j = 0; j < res->deps.n; j++) {
			printf("  ");
			quoted(res->address);
			printf(" -> ");
			quoted(((const sg_resource *)res->deps.items[j])->address);
			printf(";\n");
		}
	}
	printf("}\n");
	SG_FREE_AT_EXIT(sg_manifest_free(m));
	sg_cli_opts_free(&o);
	return 0;
}
