/*
 * libFuzzer target for the BigQuery → DuckDB translator
 * (providers/local/bqsql.h): tokenizer, clauses, statements, calls.
 *
 * Input: one byte of options, then SQL. The options set a project, a
 * partition column and a table resolver. Checked on every input:
 *   - no crash, leak, undefined behaviour or runaway recursion (ASan, UBSan);
 *   - a refusal says where: "line L, col C: ..." and leaves the output
 *     buffer as it was;
 *   - the same input translates to the same output twice.
 *
 * Seeds: the NAME.bq.sql files of tests/fixtures/sql (tests/cli/fuzz_bqsql.bats prefixes
 * them with an options byte).
 */
#include "providers/local/bqsql.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int resolve(void *ctx, const char *project, const char *dataset, const char *table, sg_buf *out, sg_error *err)
{
	(void)ctx;
	(void)project;
	if (!strcmp(table, "missing"))
		return sg_error_set(err, "no table %s", table);
	sg_buf_printf(out, "\"%s\".\"%s\"", dataset ? dataset : "main", table);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	uint8_t o = data[0];
	sg_bq_opts opts = { 0 };
	if (o & 1)
		opts.project = "my-proj";
	if (o & 2)
		opts.partition_column = "_ingested";
	if (o & 4)
		opts.resolve_table = resolve;
	const char *sql = (const char *)data + 1;
	size_t n = size - 1;
	sg_buf out = SG_BUF_INIT, again = SG_BUF_INIT;
	sg_error err = SG_ERROR_INIT;
	sg_buf_puts(&out, "x");
	int rc = sg_bq_translate_n(sql, n, &opts, &out, &err);
	if (rc < 0) {
		const char *m = sg_error_msg(&err);
		if (!m || strncmp(m, "line ", 5) || out.len != 1)
			abort();
	} else {
		sg_error e2 = SG_ERROR_INIT;
		if (sg_bq_translate_n(sql, n, &opts, &again, &e2) < 0 || again.len + 1 != out.len ||
		    memcmp(again.ptr ? again.ptr : "", out.ptr + 1, again.len))
			abort();
		sg_error_clear(&e2);
	}
	sg_error_clear(&err);
	sg_buf_free(&out);
	sg_buf_free(&again);
	return 0;
}
