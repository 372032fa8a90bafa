/*
 * The peer of `sigma query` in bench/query/run.sh: DuckDB through its own C
 * API, in a process of its own like sigma's: open the database file, run
 * one query, read every row of the result (duckdb_fetch_chunk), close.
 *
 *   duckdb_peer DBFILE SQL
 *
 * Prints the number of rows read. Built by run.sh with gcc against
 * third_party/duckdb/libduckdb.so and sigma's declarations of the API.
 */
#include "providers/local/duckdb_api.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: duckdb_peer DBFILE SQL\n");
		return 2;
	}
	duckdb_database db;
	duckdb_connection conn;
	duckdb_config config;
	char *err = NULL;
	duckdb_create_config(&config);
	duckdb_set_config(config, "autoinstall_known_extensions", "false");
	duckdb_set_config(config, "autoload_known_extensions", "false");
	if (duckdb_open_ext(argv[1], &db, config, &err) != DuckDBSuccess) {
		fprintf(stderr, "cannot open %s: %s\n", argv[1], err ? err : "?");
		return 1;
	}
	duckdb_destroy_config(&config);
	duckdb_connect(db, &conn);
	duckdb_result res;
	if (duckdb_query(conn, argv[2], &res) != DuckDBSuccess) {
		fprintf(stderr, "%s\n", duckdb_result_error(&res));
		return 1;
	}
	idx_t rows = 0;
	for (;;) {
		duckdb_data_chunk chunk = duckdb_fetch_chunk(res);
		if (!chunk)
			break;
		rows += duckdb_data_chunk_get_size(chunk);
		duckdb_destroy_data_chunk(&chunk);
	}
	duckdb_destroy_result(&res);
	duckdb_disconnect(&conn);
	duckdb_close(&db);
	printf("%llu\n", (unsigned long long)rows);
	return 0;
}
