#!/usr/bin/env bats
# sigma query: BigQuery SQL translated and run on the local warehouse (seed
# 002's LAND → RAW → TRUSTED pipeline end to end), refusals, -translate-only,
# -dialect duckdb, the output formats, and the warehouse lock between
# several processes.

load helpers

# Seed 002's layers: LAND is partitioned by ingestion time (so it has the
# _PARTITIONTIME column that loads fill), RAW keeps strings and a
# PARTITIONTIME column, TRUSTED is typed.
layers() {
	manifest sigma.yaml <<'YAML'
dataset:
  LAND: {}
  RAW: {}
  TRUSTED: {}
table:
  land_vendas:
    name: marketplace_vendas
    dataset: LAND
    partitioning: {type: DAY}
    schema:
      - {name: produto_id, type: STRING}
      - {name: data_venda, type: STRING}
      - {name: quantidade, type: STRING}
      - {name: valor_total, type: STRING}
  raw_vendas:
    name: marketplace_vendas
    dataset: RAW
    schema:
      - {name: produto_id, type: STRING}
      - {name: data_venda, type: STRING}
      - {name: quantidade, type: STRING}
      - {name: valor_total, type: STRING}
      - {name: PARTITIONTIME, type: TIMESTAMP}
  trusted_vendas:
    name: marketplace_vendas
    dataset: TRUSTED
    schema:
      - {name: produto_id, type: STRING, mode: REQUIRED}
      - {name: data_venda, type: TIMESTAMP}
      - {name: quantidade, type: INT64}
      - {name: valor_total, type: FLOAT64}
YAML
	sg apply -auto-approve >/dev/null
	# two loads of LAND: yesterday's partition and today's (with a duplicate row)
	sg query "INSERT INTO LAND.marketplace_vendas (produto_id, data_venda, quantidade, valor_total, _PARTITIONTIME) VALUES
	  ('p1', '2024-06-01 10:00:00', '1', '10.5', TIMESTAMP '2024-06-01 00:00:00'),
	  ('p2', '2024-06-01 11:00:00', '2', '20', TIMESTAMP '2024-06-01 00:00:00'),
	  ('p2', '2024-06-02 09:30:00', '3', '30.25', TIMESTAMP '2024-06-02 00:00:00'),
	  ('p3', '2024-06-02 12:00:00', '4', '40', TIMESTAMP '2024-06-02 00:00:00'),
	  ('p3', '2024-06-02 12:00:00', '4', '40', TIMESTAMP '2024-06-02 00:00:00')" >/dev/null
}

# seed 002, "Camada Land para Raw", as written there (Dataform's config block
# left out); the same SQL is a translation fixture
land_to_raw() {
	cp "$SIGMA_SOURCE_DIR/tests/fixtures/sql/insert_with.bq.sql" "$P/land_to_raw.sql"
}

# seed 002, "Camada RAW para TRUSTED"
raw_to_trusted() {
	cp "$SIGMA_SOURCE_DIR/tests/fixtures/sql/seed002_trusted.bq.sql" "$P/raw_to_trusted.sql"
}

@test "an ingestion-time partitioned table has the _PARTITIONTIME column loads fill" {
	layers
	run wh "SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_schema = 'LAND' ORDER BY ordinal_position"
	assert_output $'produto_id VARCHAR\ndata_venda VARCHAR\nquantidade VARCHAR\nvalor_total VARCHAR\n_PARTITIONTIME TIMESTAMP WITH TIME ZONE'
	run sg query -format csv "SELECT _PARTITIONDATE AS d, count(*) AS n FROM \`my-project.LAND.marketplace_vendas\` GROUP BY 1 ORDER BY 1"
	assert_success
	assert_output $'d,n\n2024-06-01,2\n2024-06-02,3'
	# the extra column is not a change to plan
	run sg plan -detailed-exitcode
	assert_success
}

@test "seed 002 LAND → RAW: INSERT ... WITH copies only the latest partition" {
	layers
	land_to_raw
	run sg query -f land_to_raw.sql
	assert_success
	assert_output '3 rows affected'
	run wh "SELECT produto_id || '|' || data_venda || '|' || quantidade || '|' || valor_total || '|' || PARTITIONTIME FROM RAW.marketplace_vendas ORDER BY ALL"
	assert_output $'p2|2024-06-02 09:30:00|3|30.25|2024-06-02 00:00:00+00\np3|2024-06-02 12:00:00|4|40|2024-06-02 00:00:00+00\np3|2024-06-02 12:00:00|4|40|2024-06-02 00:00:00+00'
}

@test "seed 002 RAW → TRUSTED: SELECT DISTINCT with CASTs gives typed, distinct rows" {
	layers
	land_to_raw
	raw_to_trusted
	sg query -f land_to_raw.sql >/dev/null
	run sg query -format csv -f raw_to_trusted.sql
	assert_success
	assert_output $'produto_id,data_venda,quantidade,valor_total\np2,2024-06-02 09:30:00+00,3,30.25\np3,2024-06-02 12:00:00+00,4,40.0'
	# the same SELECT fills a typed table
	run sg query "CREATE TABLE TRUSTED.vendas_copy AS $(cat "$P/raw_to_trusted.sql")"
	assert_success
	run wh "SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_name = 'vendas_copy' ORDER BY ordinal_position"
	assert_output $'produto_id VARCHAR\ndata_venda TIMESTAMP WITH TIME ZONE\nquantidade BIGINT\nvalor_total DOUBLE'
}

@test "MERGE on id updates what matched, inserts the rest, leaves the others" {
	layers
	land_to_raw
	sg query -f land_to_raw.sql >/dev/null
	sg query "INSERT INTO TRUSTED.marketplace_vendas VALUES
	  ('p1', TIMESTAMP '2024-06-01 10:00:00', 1, 10.5), ('p2', TIMESTAMP '2024-06-01 11:00:00', 2, 20)" >/dev/null
	manifest merge.sql <<'SQL'
MERGE `TRUSTED.marketplace_vendas` T
USING (
  SELECT DISTINCT
    CAST(produto_id AS STRING) AS produto_id,
    CAST(data_venda AS TIMESTAMP) AS data_venda,
    SAFE_CAST(quantidade AS INT64) AS quantidade,
    CAST(valor_total AS FLOAT64) AS valor_total
  FROM `RAW.marketplace_vendas`
  WHERE PARTITIONTIME = (SELECT MAX(PARTITIONTIME) FROM `RAW.marketplace_vendas`)
) S
ON T.produto_id = S.produto_id
WHEN MATCHED THEN
  UPDATE SET T.data_venda = S.data_venda, T.quantidade = S.quantidade, valor_total = S.valor_total
WHEN NOT MATCHED THEN
  INSERT (produto_id, data_venda, quantidade, valor_total)
  VALUES (S.produto_id, S.data_venda, S.quantidade, S.valor_total)
SQL
	run sg query -f merge.sql
	assert_success
	assert_output '2 rows affected'
	run wh "SELECT produto_id || '|' || data_venda || '|' || quantidade || '|' || valor_total FROM TRUSTED.marketplace_vendas ORDER BY produto_id"
	assert_output $'p1|2024-06-01 10:00:00+00|1|10.5\np2|2024-06-02 09:30:00+00|3|30.25\np3|2024-06-02 12:00:00+00|4|40.0'
	# merging again changes the same rows to the same values: nothing new
	run sg query -f merge.sql
	assert_output '2 rows affected'
	[ "$(wh "SELECT count(*) FROM TRUSTED.marketplace_vendas")" = 3 ]
}

@test "-translate-only prints the DuckDB SQL and opens no warehouse" {
	land_to_raw
	run sg query -translate-only -f land_to_raw.sql
	assert_success
	assert_line '  "RAW"."marketplace_vendas" ('
	assert_line '    "_PARTITIONTIME" AS PARTITIONTIME'
	assert_line '    "LAND"."marketplace_vendas" ),'
	run sg query -translate-only "SELECT IFNULL(x, 0), DATE_TRUNC(d, MONTH), SAFE_CAST(s AS INT64) FROM \`p.ds.t\` # note"
	assert_success
	assert_output "SELECT COALESCE(x, 0), CAST(DATE_TRUNC('month', d) AS DATE), TRY_CAST(s AS BIGINT) FROM \"ds\".\"t\" -- note"
	echo "SELECT * EXCEPT (a) FROM t" | sg query -translate-only
	[ ! -e "$P/.sigma/local/warehouse.duckdb" ]
}

@test "a construct that cannot be translated is refused with its line and column; nothing runs" {
	sg query "CREATE SCHEMA ds; CREATE TABLE ds.t (n INT64)" >/dev/null
	run sg query "INSERT INTO ds.t VALUES (1);
SELECT n,
       ML.PREDICT(MODEL ds.m, TABLE ds.t)
FROM ds.t"
	assert_failure 1
	assert_output 'sigma: error: line 3, col 8: BigQuery function ML.PREDICT has no local equivalent'
	# the INSERT before it did not run either
	[ "$(wh "SELECT count(*) FROM ds.t")" = 0 ]
	manifest script.sql <<'SQL'
-- a BigQuery script
DECLARE since DATE DEFAULT CURRENT_DATE();
SQL
	run sg query -f script.sql
	assert_failure 1
	assert_output 'sigma: error: script.sql: line 2, col 1: BigQuery scripting statement DECLARE has no local equivalent'
	run sg query -translate-only "SELECT * FROM t FOR SYSTEM_TIME AS OF CURRENT_TIMESTAMP()"
	assert_failure 1
	assert_output 'sigma: error: line 1, col 17: FOR SYSTEM_TIME AS OF (time travel) has no local equivalent'
}

@test "-dialect duckdb runs DuckDB SQL untranslated" {
	# in BigQuery "n" is a string; in DuckDB an identifier
	run sg query -format csv 'SELECT "n" AS v FROM (SELECT 7 AS n)'
	assert_output $'v\nn'
	run sg query -dialect duckdb -format csv 'SELECT "n" AS v FROM (SELECT 7 AS n)'
	assert_output $'v\n7'
	run sg query -dialect postgres "SELECT 1"
	assert_failure 1
	assert_output --partial '-dialect: expected bigquery or duckdb'
}

@test "every format; DDL and DML print the rows affected" {
	run sg query "CREATE SCHEMA IF NOT EXISTS ds; CREATE TABLE ds.p (id INT64, nome STRING, valor FLOAT64)"
	assert_output '0 rows affected'
	run sg query "INSERT ds.p (id, nome, valor) VALUES (1, 'Ana', 2.5), (22, 'Bia, \"B\"', NULL)"
	assert_output '2 rows affected'
	run sg query "SELECT * FROM ds.p ORDER BY id"
	assert_output 'id | nome     | valor
---+----------+------
 1 | Ana      |   2.5
22 | Bia, "B" | NULL
(2 rows)'
	run sg query -format csv "SELECT * FROM ds.p ORDER BY id"
	assert_output 'id,nome,valor
1,Ana,2.5
22,"Bia, ""B""",'
	run sg query -format json "SELECT * FROM ds.p ORDER BY id"
	assert_output '[
  {
    "id": 1,
    "nome": "Ana",
    "valor": 2.5
  },
  {
    "id": 22,
    "nome": "Bia, \"B\"",
    "valor": null
  }
]'
	run sg query -format ndjson "SELECT * FROM ds.p ORDER BY id"
	assert_output '{"id":1,"nome":"Ana","valor":2.5}
{"id":22,"nome":"Bia, \"B\"","valor":null}'
	run sg query -max-rows 1 "SELECT * FROM ds.p ORDER BY id"
	assert_line '(1 row, more not shown: -max-rows)'
	run sg query "UPDATE ds.p SET valor = 0 WHERE TRUE"
	assert_output '2 rows affected'
	run sg query "DELETE ds.p WHERE id = 22"
	assert_output '1 row affected'
}

@test "dates, timestamps, decimals and HUGEINT read as DuckDB's own text, and the statement runs once" {
	values="SELECT TIMESTAMP '2024-01-01 10:00:00.100' a, TIMESTAMPTZ '2024-01-01 10:00:00.5+00' b, TIME '01:02:03.04' c,
	  DATE '0001-01-01' - 1 d, 'infinity'::DATE e, 2.50::DECIMAL(3,2) f, (-0.05)::DECIMAL(4,2) g,
	  12345678901234567890.123::DECIMAL(38,9) h, (-170141183460469231731687303715884105728)::HUGEINT i,
	  TIMESTAMP_NS '2024-01-01 10:00:00.123456789' j, TIMESTAMP_MS '2024-01-01 10:00:00.123' k,
	  TIMESTAMP '-0100-02-03 04:05:06' l, SUM(5::BIGINT) OVER () m, NULL::DATE n, 0.001::DECIMAL(38,10) o"
	run sg query -dialect duckdb -format csv "$values"
	assert_success
	want=$(sg query -dialect duckdb -format csv "SELECT COLUMNS(*)::VARCHAR FROM ($values)")
	assert_output "$want"
	# a query with such columns and a side effect shows it once
	sg query "CREATE SCHEMA ds; CREATE SEQUENCE ds.s" >/dev/null
	run sg query -dialect duckdb -format csv "SELECT nextval('ds.s') AS n, DATE '2024-01-01' AS d, 1.5 AS x"
	assert_output $'n,d,x\n1,2024-01-01,1.5'
}

@test "a script runs each statement once, and shows the last one's result, lists and structs too" {
	run sg query -format csv "CREATE SCHEMA ds; CREATE TABLE ds.x (a INT64);
INSERT INTO ds.x VALUES (1), (2);
SELECT ARRAY_AGG(a ORDER BY a) AS l, STRUCT(COUNT(*) AS n) AS s FROM ds.x"
	assert_success
	assert_output $'l,s\n"[1, 2]",{\'n\': 2}'
	[ "$(wh "SELECT count(*) FROM ds.x")" = 2 ]
	echo "-- only a comment" >"$P/empty.sql"
	run sg query -f empty.sql
	assert_failure 1
	assert_output 'sigma: error: no SQL to run in empty.sql'
	run sg query </dev/null
	assert_failure 1
	assert_output 'sigma: error: no SQL to run'
}

@test "on a terminal, table cells are cut and the columns stay aligned" {
	run script -qec "$SIGMA -C $P query \"SELECT REPEAT('x', 100) AS long, 'short' AS s\"" /dev/null
	assert_success
	assert_line --partial "$(printf 'x%.0s' $(seq 1 37))... | short"
	refute_line --partial "$(printf 'x%.0s' $(seq 1 41))"
}

@test "BigQuery orders NULLs first ascending, last descending" {
	run sg query -format csv "SELECT IFNULL(CAST(x AS STRING), 'null') AS v FROM UNNEST([2, NULL, 1]) AS x ORDER BY x"
	assert_output $'v\nnull\n1\n2'
	run sg query -format csv "SELECT IFNULL(CAST(x AS STRING), 'null') AS v FROM UNNEST([2, NULL, 1]) AS x ORDER BY x DESC"
	assert_output $'v\n2\n1\nnull'
}

# ---- the warehouse lock ----

lockfile() {
	mkdir -p "$P/.sigma/local"
	echo "$P/.sigma/local/warehouse.duckdb.lock"
}

# Hold the warehouse lock for $1 seconds the way sigma does, with a holder line.
hold_lock() {
	local f
	f=$(lockfile)
	echo "pid 4242 on $(hostname) (sigma -C $P apply -auto-approve) since 2026-01-01T00:00:00Z" >"$f"
	flock -x "$f" sleep "$1" &
	HOLDER=$!
	for _ in $(seq 1 50); do
		flock -n "$f" true || return 0
		sleep 0.05
	done
	echo "the lock was never taken" >&2
	return 1
}

@test "two sigma query processes at once both succeed: one waits for the other" {
	sg query "CREATE SCHEMA ds; CREATE TABLE ds.hits (n INT64)" >/dev/null
	for i in 1 2 3 4; do
		( sg query "INSERT INTO ds.hits VALUES ($i)" >"$P/q$i.out" 2>&1; echo $? >"$P/q$i.rc" ) &
	done
	wait
	for i in 1 2 3 4; do
		[ "$(cat "$P/q$i.rc")" = 0 ] || { cat "$P/q$i.out"; false; }
		[ "$(cat "$P/q$i.out")" = '1 row affected' ]
	done
	[ "$(wh "SELECT sum(n) FROM ds.hits")" = 10 ]
	# one that has to wait: the lock is held for a second, the query still succeeds after it
	hold_lock 1
	start=$(date +%s%N)
	run sg query -format csv "SELECT count(*) AS n FROM ds.hits"
	waited=$(( ($(date +%s%N) - start) / 1000000 ))
	assert_success
	assert_output $'n\n4'
	[ "$waited" -ge 500 ]
	wait "$HOLDER"
}

@test "a query that gives up waiting names the holder" {
	hold_lock 5
	SIGMA_WAREHOUSE_TIMEOUT_MS=300 run sg query "SELECT 1"
	assert_failure 1
	assert_output "sigma: error: the warehouse $P/.sigma/local/warehouse.duckdb is busy: held by pid 4242 on $(hostname) (sigma -C $P apply -auto-approve) since 2026-01-01T00:00:00Z; gave up after 300 ms"
	kill "$HOLDER" 2>/dev/null || true
	wait "$HOLDER" 2>/dev/null || true
}

@test "SQL that starts with a -- comment is SQL, not a flag" {
	run sg query -format csv $'-- how many\nSELECT 40 + 2 AS n'
	assert_success
	assert_output $'n\n42'
	run sg query -format csv -- "-1 AS n"
	assert_failure
	run sg query -format csv -- "SELECT -1 AS n"
	assert_success
	assert_output $'n\n-1'
}
