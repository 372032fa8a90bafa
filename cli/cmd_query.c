/*
 * sigma query [-format table|csv|json|ndjson] [-max-rows N] [-dialect bigquery|duckdb]
 *             [-translate-only] [-f FILE] [SQL]
 *
 * Runs SQL on the local warehouse and prints the result; statements that
 * change rows print how many. SQL comes from the argument, -f FILE, or
 * stdin. It is BigQuery SQL, translated to DuckDB's before the warehouse is
 * opened (providers/local/bqsql.h): SQL that cannot be translated is
 * refused with its line and column and nothing runs. -dialect duckdb skips
 * the translation; -translate-only prints it and stops.
 */
#include "cli/common.h"

#include "providers/local/bqsql.h"
#include "providers/local/warehouse.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] = "sigma query [-format table|csv|json|ndjson] [-max-rows N] [-dialect bigquery|duckdb] "
			    "[-translate-only] [-f FILE] [SQL]";

static void print_csv(const sg_wh_result *r)
{
	sg_buf line = SG_BUF_INIT, cell = SG_BUF_INIT;
	for (size_t c = 0; c < json_array_size(r->columns); c++) {
		if (c)
			sg_buf_putc(&line, ',');
		sg_buf_puts(&line, json_string_value(json_array_get(r->columns, c)));
	}
	puts(sg_buf_cstr(&line));
	for (size_t i = 0; i < json_array_size(r->rows); i++) {
		json_t *row = json_array_get(r->rows, i);
		sg_buf_clear(&line);
		for (size_t c = 0; c < json_array_size(row); c++) {
			json_t *v = json_array_get(row, c);
			if (c)
				sg_buf_putc(&line, ',');
			if (json_is_null(v))
				continue;
			sg_buf_clear(&cell);
			sg_cli_cell_text(&cell, v);
			if (strpbrk(sg_buf_cstr(&cell), ",\"\n\r")) {
				sg_buf_putc(&line, '"');
				for (const char *p = cell.ptr; *p; p++) {
					if (*p == '"')
						sg_buf_putc(&line, '"');
					sg_buf_putc(&line, *p);
				}
				sg_buf_putc(&line, '"');
			} else {
				sg_buf_puts(&line, sg_buf_cstr(&cell));
			}
		}
		puts(sg_buf_cstr(&line));
	}
	sg_buf_free(&line);
	sg_buf_free(&cell);
}

static void print_json(const sg_wh_result *r, bool nd)
{
	json_t *all = json_array();
	for (size_t i = 0; i < json_array_size(r->rows); i++) {
		json_t *row = json_array_get(r->rows, i);
		json_t *o = json_object();
		for (size_t c = 0; c < json_array_size(r->columns); c++)
			json_object_set(o, json_string_value(json_array_get(r->columns, c)), json_array_get(row, c));
		if (nd) {
			char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
			puts(t);
			free(t);
			json_decref(o);
		} else {
			json_array_append_new(all, o);
		}
	}
	if (!nd) {
		char *t = json_dumps(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(t);
		free(t);
	}
	json_decref(all);
}

static void print_table(const sg_wh_result *r, bool tty)
{
	size_t ncols = json_array_size(r->columns);
	size_t *width = calloc(ncols ? ncols : 1, sizeof(*width));
	size_t limit = tty ? 40 : SIZE_MAX; /* on a terminal, long cells are cut */
	sg_buf cell = SG_BUF_INIT, line = SG_BUF_INIT;
	for (size_t c = 0; c < ncols; c++)
		width[c] = strlen(json_string_value(json_array_get(r->columns, c)));
	for (size_t i = 0; i < json_array_size(r->rows); i++) {
		for (size_t c = 0; c < ncols; c++) {
			sg_buf_clear(&cell);
			sg_cli_cell_text(&cell, json_array_get(json_array_get(r->rows, i), c));
			size_t w = cell.len > limit ? limit : cell.len;
			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t c = 0; c < ncols; c++) {
		const char *name = json_string_value(json_array_get(r->columns, c));
		sg_buf_printf(&line, "%s%s", c ? " | " : "", name);
		if (c + 1 < ncols)
			sg_buf_pad(&line, ' ', width[c] - strlen(name));
	}
	puts(sg_buf_cstr(&line));
	sg_buf_clear(&line);
	for (size_t c = 0; c < ncols; c++) {
		sg_buf_puts(&line, c ? "-+-" : "");
		sg_buf_pad(&line, '-', width[c]);
	}
	puts(sg_buf_cstr(&line));
	for (size_t i = 0; i < json_array_size(r->rows); i++) {
		sg_buf_clear(&line);
		for (size_t c = 0; c < ncols; c++) {
			json_t *v = json_array_get(json_array_get(r->rows, i), c);
			sg_buf_clear(&cell);
			sg_cli_cell_text(&cell, v);
			if (cell.len > limit) {
				sg_buf_truncate(&cell, limit - 3);
				sg_buf_puts(&cell, "...");
			}
			for (char *p = cell.ptr; p && *p; p++) {
				if (*p == '\n' || *p == '\t')
					*p = ' ';
			}
			sg_buf_puts(&line, c ? " | " : "");
			bool right = json_is_number(v);
			if (right)
				sg_buf_pad(&line, ' ', width[c] - cell.len);
			sg_buf_puts(&line, sg_buf_cstr(&cell));
			if (!right && c + 1 < ncols)
				sg_buf_pad(&line, ' ', width[c] - cell.len);
		}
		puts(sg_buf_cstr(&line));
	}
	size_t n = json_array_size(r->rows);
	printf("(%zu row%s%s)\n", n, n == 1 ? "" : "s", r->truncated ? ", more not shown: -max-rows" : "");
	free(width);
	sg_buf_free(&cell);
	sg_buf_free(&line);
}

int cmd_query(int argc, char **argv, sg_cli *cli)
{
	const char *format = "table", *file = NULL, *sql_arg = NULL, *dialect = "bigquery";
	bool translate_only = false;
	int64_t max_rows = -1;
	int i = 1;
	while (i < argc) {
		const char *v;
		/* SQL may start with "--" (a comment): no flag holds whitespace, and "--" ends the flags */
		if (!strcmp(argv[i], "--") && i + 1 < argc && !sql_arg) {
			sql_arg = argv[i + 1];
			i += 2;
			continue;
		}
		if (!sql_arg && strpbrk(argv[i], " \t\n")) {
			sql_arg = argv[i++];
			continue;
		}
		if (sg_arg_value(argc, argv, &i, "format", &v)) {
			if (!v || (strcmp(v, "table") && strcmp(v, "csv") && strcmp(v, "json") && strcmp(v, "ndjson")))
				return sg_cli_usage(cli, usage, "-format: expected table, csv, json or ndjson");
			format = v;
		} else if (sg_arg_value(argc, argv, &i, "max-rows", &v)) {
			if (!v || sg_parse_int64(v, &max_rows) < 0 || max_rows < 0)
				return sg_cli_usage(cli, usage, "-max-rows needs a number");
		} else if (sg_arg_value(argc, argv, &i, "dialect", &v)) {
			if (!v || (strcmp(v, "bigquery") && strcmp(v, "duckdb")))
				return sg_cli_usage(cli, usage, "-dialect: expected bigquery or duckdb");
			dialect = v;
		} else if (sg_arg_bool(argc, argv, &i, "translate-only", &translate_only)) {
			continue;
		} else if (sg_arg_value(argc, argv, &i, "f", &v)) {
			if (!v)
				return sg_cli_usage(cli, usage, "-f needs a file");
			file = v;
		} else if (!sg_arg_is_flag(argv[i]) && !sql_arg) {
			sql_arg = argv[i++];
		} else {
			return sg_cli_usage(cli, usage, "unexpected argument \"%s\"", argv[i]);
		}
	}
	if (file && sql_arg)
		return sg_cli_usage(cli, usage, "give the SQL as an argument or with -f, not both");
	sg_buf sql = SG_BUF_INIT, duck = SG_BUF_INIT, head = SG_BUF_INIT;
	bool bigquery = !strcmp(dialect, "bigquery");
	sg_error err = SG_ERROR_INIT;
	sg_warehouse *w = NULL;
	sg_wh_result res = { 0 };
	int rc = 1;
	if (sql_arg) {
		sg_buf_puts(&sql, sql_arg);
	} else if (sg_fs_read_file(file ? file : "/dev/stdin", &sql, &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		goto out;
	}
	/* translate everything before anything runs */
	sg_bq_script script = { 1, 0 };
	if (!bigquery) {
		sg_buf_put(&duck, sg_buf_cstr(&sql), sql.len);
	} else if (sg_bq_translate_script(sg_buf_cstr(&sql), sql.len, NULL, &duck, &script, &err) < 0) {
		if (file)
			sg_cli_error(cli, "%s: %s", file, sg_error_msg(&err));
		else
			sg_cli_error(cli, "%s", sg_error_msg(&err));
		goto out;
	}
	if (!script.statements) {
		sg_cli_error(cli, "no SQL to run%s%s", file ? " in " : "", file ? file : "");
		goto out;
	}
	if (translate_only) {
		fputs(sg_buf_cstr(&duck), stdout);
		if (duck.len && duck.ptr[duck.len - 1] != '\n')
			putchar('\n');
		rc = 0;
		goto out;
	}
	/*
	 * A script runs all but its last statement first, then the last one
	 * for the result: what shows the result may have to run it again
	 * (sg_warehouse_query), and must never run the others twice.
	 */
	const char *last = sg_buf_cstr(&duck) + script.last_start;
	if (script.statements > 1)
		sg_buf_put(&head, duck.ptr, script.last_start);
	if (sg_cli_open_warehouse(cli, &w, &err) < 0 ||
	    (bigquery && sg_warehouse_exec(w, SG_BQ_SESSION_SQL, &err) < 0) ||
	    (script.statements > 1 && sg_warehouse_exec(w, head.ptr, &err) < 0) ||
	    sg_warehouse_query(w, last, max_rows, &res, &err) < 0) {
		sg_cli_error(cli, "%s", sg_error_msg(&err));
		goto out;
	}
	if (!res.is_query)
		printf("%lld row%s affected\n", (long long)res.changed, res.changed == 1 ? "" : "s");
	else if (!strcmp(format, "csv"))
		print_csv(&res);
	else if (!strcmp(format, "json") || !strcmp(format, "ndjson"))
		print_json(&res, format[0] == 'n');
	else
		print_table(&res, isatty(STDOUT_FILENO));
	rc = 0;
out:
	sg_wh_result_free(&res);
	sg_warehouse_close(w);
	sg_error_clear(&err);
	sg_buf_free(&sql);
	sg_buf_free(&duck);
	sg_buf_free(&head);
	return rc;
}
