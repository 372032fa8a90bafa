/*
 * The BigQuery → DuckDB translation alone, in-process: sg_bq_translate on
 * one SQL file, many times; prints the median and the best in ms.
 *
 *   translate_speed FILE [RUNS]
 *
 * Built by bench/query/run.sh with gcc -O2 from the translator's sources.
 */
#include "providers/local/bqsql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: translate_speed FILE [RUNS]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 201;
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	sg_buf in = SG_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sg_buf_put(&in, chunk, n);
	fclose(f);
	double *t = calloc((size_t)runs, sizeof(*t));
	size_t out_len = 0;
	for (int r = 0; r < runs; r++) {
		sg_buf out = SG_BUF_INIT;
		sg_error err = SG_ERROR_INIT;
		double t0 = now_ms();
		if (sg_bq_translate_n(sg_buf_cstr(&in), in.len, NULL, &out, &err) < 0) {
			fprintf(stderr, "refused: %s\n", sg_error_msg(&err));
			return 1;
		}
		t[r] = now_ms() - t0;
		out_len = out.len;
		sg_buf_free(&out);
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	printf("%.3f %.3f %zu %zu\n", t[runs / 2], t[0], in.len, out_len);
	free(t);
	sg_buf_free(&in);
	return 0;
}
