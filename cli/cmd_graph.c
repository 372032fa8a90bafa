/*
 * sigma graph [-var ...] [-var-file F]
 * sigma graph --lineage [DIR] [--vars k=v,...]
 *
 * The resource graph as DOT: one node per resource, an edge from each
 * resource to what it depends on, the stages as clusters. Render it with
 * `sigma graph | dot -Tsvg > graph.svg`. With --lineage, the table lineage
 * of the SQLX transform project instead: declarations (sources) → tables,
 * views, operations → assertions.
 */
#include "cli/common.h"

#include "cli/transform_cli.h"
#include "core/plan.h"
#include "util/alloc.h"
#include "util/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "sigma graph [-var NAME=VALUE] [-var-file FILE]\n"
			    "       sigma graph --lineage [DIR] [--vars NAME=VALUE,...]";

static void quoted(const char *s)
{
	sg_buf b = SG_BUF_INIT;
	sg_dot_id(&b, s);
	fputs(b.ptr, stdout);
	sg_buf_free(&b);
}

int cmd_graph(int argc, char **argv, sg_cli *cli)
{
	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "-lineage") || !strcmp(argv[k], "--lineage")) {
			/* the rest are transform arguments: `transform lineage ARGS` */
			char **rest = sg_calloc((size_t)argc + 1, sizeof(char *));
			int n = 0;
			rest[n++] = "lineage";
			for (int j = 1; j < argc; j++) {
				if (j != k)
					rest[n++] = argv[j];
			}
			int rc = sg_cli_transform_lineage(n, rest, cli);
			free(rest);
			return rc;
		}
	}
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
