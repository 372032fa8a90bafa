#!/usr/bin/env bats
# sigma transform compile|run: a Dataform SQLX project compiled, then run on
# the local warehouse: dependency order, selection (seed 000's lkp_fechas
# case), incremental tables (INSERT, MERGE, --full-refresh, protected),
# assertions that fail and skip what depends on them, a failing branch that
# leaves the other branches and the previous table intact, pre/post
# operations, --dry-run, --json, disabled actions, and compile errors.

load helpers

# workflow_settings.yaml of a project in $P, with optional extra lines
settings() {
	{
		printf 'defaultProject: my-project\ndefaultDataset: dw\ndefaultAssertionDataset: dw_assertions\n'
		cat
	} >"$P/workflow_settings.yaml"
}

# write definitions/NAME.sqlx from stdin
sqlx() {
	mkdir -p "$P/definitions"
	cat >"$P/definitions/$1.sqlx"
}

# declare the source table raw.NAME
declare_raw() {
	echo "config { type: \"declaration\", schema: \"raw\", name: \"$1\" }" | sqlx "raw_$1"
}

# run BigQuery SQL on the local warehouse, quietly
seed() {
	sg query "$1" >/dev/null
}

# the index of the first line of $output matching the regex, or -1
line_of() {
	local i
	for i in "${!lines[@]}"; do
		if [[ ${lines[$i]} =~ $1 ]]; then
			echo "$i"
			return
		fi
	done
	echo -1
}

# does the warehouse have the table or view SCHEMA.NAME? (1 or 0)
exists() {
	wh "SELECT count(*) FROM information_schema.tables WHERE table_schema = '$1' AND table_name = '$2'"
}

# ------------------------------------------------------------------ compile

@test "compile: the text lists every action with its dependencies; --json has dataform compile's shape; --vars overrides vars" {
	settings <<'YAML'
vars:
  min_year: "2000"
YAML
	declare_raw lkp_fechas
	sqlx x <<'SQLX'
config { type: "table", tags: ["daily"], assertions: { nonNull: ["fecha"] } }
SELECT fecha, anio FROM ${ref("lkp_fechas")} WHERE anio >= ${dataform.projectConfig.vars.min_year}
SQLX
	sqlx y <<'SQLX'
config { type: "view" }
SELECT count(*) AS n FROM ${ref("x")}
SQLX
	run sg transform compile
	assert_success
	assert_line 'declaration my-project.raw.lkp_fechas'
	assert_line 'table my-project.dw.x'
	assert_line 'view my-project.dw.y'
	assert_line 'assertion my-project.dw_assertions.dw_x_assertions_rowConditions'
	assert_line '  depends on: my-project.raw.lkp_fechas'
	assert_line '  depends on: my-project.dw.x'
	assert_line '    SELECT fecha, anio FROM `my-project.raw.lkp_fechas` WHERE anio >= 2000'
	assert_line --regexp '^Compiled 4 actions: '

	sg transform compile --json >"$P/c.json"
	run jq -c '[.tables[] | [.type, .target.name, (.dependencyTargets | map(.schema + "." + .name))]]' "$P/c.json"
	assert_output '[["table","x",["raw.lkp_fechas"]],["view","y",["dw.x"]]]'
	run jq -c '[.assertions[] | [.target.schema, .target.name, .parentAction.name, (.dependencyTargets | map(.name))]]' "$P/c.json"
	assert_output '[["dw_assertions","dw_x_assertions_rowConditions","x",["x"]]]'
	run jq -c '[.declarations[].target.name], .projectConfig.vars' "$P/c.json"
	assert_output $'["lkp_fechas"]\n{"min_year":"2000"}'

	run sg transform compile --json --vars min_year=2024
	assert_success
	run jq -r '.tables[] | select(.target.name == "x") | .query' <<<"$output"
	assert_output --partial 'WHERE anio >= 2024'
	run sg transform compile --vars min_year=1999,other=1
	assert_line '    SELECT fecha, anio FROM `my-project.raw.lkp_fechas` WHERE anio >= 1999'
	run sg transform compile --vars nonsense
	assert_failure
	assert_output --partial 'expected NAME=VALUE'
}

# --------------------------------------------------------------------- run

@test "run: tables and views are built in dependency order; a second run replaces the view and rebuilds the table" {
	settings </dev/null
	declare_raw src
	sqlx base <<'SQLX'
config { type: "table" }
SELECT id, amount FROM ${ref("src")}
SQLX
	sqlx big <<'SQLX'
config { type: "view" }
SELECT id, amount FROM ${ref("base")} WHERE amount >= 10
SQLX
	sqlx total <<'SQLX'
config { type: "table" }
SELECT count(*) AS n, sum(amount) AS s FROM ${ref("big")}
SQLX
	seed "CREATE SCHEMA raw; CREATE TABLE raw.src AS SELECT 1 AS id, 5 AS amount UNION ALL SELECT 2, 10 UNION ALL SELECT 3, 20"
	run sg transform run
	assert_success
	assert_line --index 0 'Running 3 actions of . on the local warehouse:'
	assert_line --regexp '^  succeeded table +my-project\.dw\.base  [0-9.]+s  created table, 3 rows$'
	assert_line --regexp '^  succeeded view +my-project\.dw\.big  [0-9.]+s  created view$'
	assert_line --regexp '^  succeeded table +my-project\.dw\.total  [0-9.]+s  created table, 1 row$'
	assert_line --regexp '^Run complete: 3 succeeded, 0 failed, 0 skipped, 0 disabled in [0-9.]+s\.$'
	local b v t
	b=$(line_of 'dw\.base ') v=$(line_of 'dw\.big ') t=$(line_of 'dw\.total ')
	((b < v && v < t))
	run wh "SELECT n, s FROM dw.total"
	assert_output '2,30'
	run wh "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'dw' ORDER BY 1"
	assert_output $'base,BASE TABLE\nbig,VIEW\ntotal,BASE TABLE'

	# new source rows and a changed view
	seed "INSERT INTO raw.src VALUES (4, 40), (5, 1)"
	sqlx big <<'SQLX'
config { type: "view" }
SELECT id, amount FROM ${ref("base")} WHERE amount >= 20
SQLX
	run sg transform run
	assert_success
	assert_line --regexp '^  succeeded table +my-project\.dw\.base  [0-9.]+s  rebuilt table, 5 rows$'
	assert_line --regexp '^  succeeded view +my-project\.dw\.big  [0-9.]+s  replaced view$'
	assert_line --regexp '^  succeeded table +my-project\.dw\.total  [0-9.]+s  rebuilt table, 1 row$'
	run wh "SELECT id FROM dw.base ORDER BY id"
	assert_output $'1\n2\n3\n4\n5'
	run wh "SELECT n, s FROM dw.total"
	assert_output '2,60'
	# no build table is left behind
	run wh "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '%sigma_build%'"
	assert_output 0
}

# --------------------------------------------------------------- selection

# seed 000's case: x reads raw.lkp_fechas, y reads x, z reads another source
seed000() {
	settings </dev/null
	declare_raw lkp_fechas
	declare_raw other
	sqlx x <<'SQLX'
config { type: "table", tags: ["fechas"], assertions: { nonNull: ["fecha"] } }
SELECT fecha, anio FROM ${ref("lkp_fechas")}
SQLX
	sqlx y <<'SQLX'
config { type: "table" }
SELECT anio, count(*) AS n FROM ${ref("x")} GROUP BY anio
SQLX
	sqlx z <<'SQLX'
config { type: "table", tags: ["other"] }
SELECT * FROM ${ref("other")}
SQLX
	seed "CREATE SCHEMA raw;
	  CREATE TABLE raw.lkp_fechas AS SELECT DATE '2024-01-01' AS fecha, 2024 AS anio UNION ALL SELECT DATE '2024-02-01', 2024;
	  CREATE TABLE raw.other AS SELECT 1 AS a"
}

@test "selection: --actions lkp_fechas --include-dependents runs x, its assertion and y, and not z" {
	seed000
	run sg transform run --actions lkp_fechas --include-dependents
	assert_success
	assert_line --index 0 'Running 3 actions of . on the local warehouse:'
	assert_line --regexp '^  succeeded table +my-project\.dw\.x  .*created table, 2 rows$'
	assert_line --regexp '^  succeeded assertion +my-project\.dw_assertions\.dw_x_assertions_rowConditions  .*assertion passed$'
	assert_line --regexp '^  succeeded table +my-project\.dw\.y  .*created table, 1 row$'
	refute_output --partial 'dw.z'
	assert_line --regexp '^Run complete: 3 succeeded, 0 failed, 0 skipped, 0 disabled'
	run exists dw z
	assert_output 0
	run wh "SELECT anio, n FROM dw.y"
	assert_output '2024,2'

	# a declaration alone selects nothing to run
	run sg transform run --actions lkp_fechas
	assert_success
	assert_line --index 0 'Running 0 actions of . on the local warehouse:'
}

@test "selection: --actions y --include-deps runs x and y; --tags selects by tag; an unknown name suggests one" {
	seed000
	run sg transform run --actions y --include-deps
	assert_success
	assert_line --regexp '^  succeeded table +my-project\.dw\.x '
	assert_line --regexp '^  succeeded table +my-project\.dw\.y '
	refute_output --partial 'dw.z'
	(($(line_of 'dw\.x ') < $(line_of 'dw\.y ')))
	run exists dw z
	assert_output 0

	# y alone, now that x exists
	run sg transform run --actions y
	assert_success
	assert_line --index 0 'Running 1 action of . on the local warehouse:'
	assert_line --regexp '^  succeeded table +my-project\.dw\.y  .*rebuilt table, 1 row$'

	run sg transform run --tags other
	assert_success
	assert_line --index 0 'Running 1 action of . on the local warehouse:'
	assert_line --regexp '^  succeeded table +my-project\.dw\.z  .*created table, 1 row$'
	run exists dw z
	assert_output 1

	run sg transform run --tags fechas,other
	assert_success
	assert_line --index 0 'Running 3 actions of . on the local warehouse:'
	refute_output --partial 'dw.y '

	run sg transform run --actions yy
	assert_failure 1
	assert_output --partial '--actions: no action is named "yy" (did you mean "y"?)'
	refute_output --partial 'Running'
	run sg transform run --actions lkp_fecha --include-dependents
	assert_failure 1
	assert_output --partial '(did you mean "lkp_fechas"?)'
	run sg transform run --tags nope
	assert_failure 1
	assert_output --partial '--tags: no action has the tag "nope"'
}

# ------------------------------------------------------------- incremental

@test "incremental: the first run creates, later runs insert what the incremental() filter lets through" {
	settings </dev/null
	declare_raw events
	sqlx ev <<'SQLX'
config { type: "incremental" }
SELECT id, kind FROM ${ref("events")}
${when(incremental(), `WHERE id > (SELECT max(id) FROM ${self()})`)}
SQLX
	seed "CREATE SCHEMA raw; CREATE TABLE raw.events AS SELECT 1 AS id, 'a' AS kind UNION ALL SELECT 2, 'b'"
	run sg transform run
	assert_success
	assert_line --regexp '^  succeeded incremental my-project\.dw\.ev  [0-9.]+s  created \(first run\), 2 rows$'

	# id 2 changes (already loaded: stays), ids 3 and 4 are new
	seed "UPDATE raw.events SET kind = 'B' WHERE id = 2; INSERT INTO raw.events VALUES (3, 'c'), (4, 'd')"
	run sg transform run
	assert_success
	assert_line --regexp '^  succeeded incremental my-project\.dw\.ev  [0-9.]+s  inserted, table has 4 rows$'
	run wh "SELECT id, kind FROM dw.ev ORDER BY id"
	assert_output $'1,a\n2,b\n3,c\n4,d'

	# nothing new: nothing inserted
	run sg transform run
	assert_success
	assert_line --regexp 'inserted, table has 4 rows$'

	run sg transform run --full-refresh
	assert_success
	assert_line --regexp '^  succeeded incremental my-project\.dw\.ev  [0-9.]+s  rebuilt \(full refresh\), 4 rows$'
	run wh "SELECT id, kind FROM dw.ev ORDER BY id"
	assert_output $'1,a\n2,B\n3,c\n4,d'
}

@test "incremental: with uniqueKey a later run merges (updated rows change, new rows are added)" {
	settings </dev/null
	declare_raw customers
	sqlx cust <<'SQLX'
config { type: "incremental", uniqueKey: ["id"] }
SELECT id, name, updated FROM ${ref("customers")}
${when(incremental(), `WHERE updated > (SELECT max(updated) FROM ${self()})`)}
SQLX
	seed "CREATE SCHEMA raw; CREATE TABLE raw.customers AS
	  SELECT 1 AS id, 'ana' AS name, 1 AS updated UNION ALL SELECT 2, 'bo', 1 UNION ALL SELECT 3, 'cy', 1"
	run sg transform run
	assert_success
	assert_line --regexp 'created \(first run\), 3 rows$'

	seed "UPDATE raw.customers SET name = 'BO', updated = 2 WHERE id = 2; INSERT INTO raw.customers VALUES (4, 'di', 2)"
	run sg transform run
	assert_success
	assert_line --regexp '^  succeeded incremental my-project\.dw\.cust  [0-9.]+s  merged on id, table has 4 rows$'
	run wh "SELECT id, name, updated FROM dw.cust ORDER BY id"
	assert_output $'1,ana,1\n2,BO,2\n3,cy,1\n4,di,2'

	# --dry-run says what it would do, and does not do it
	seed "UPDATE raw.customers SET name = 'CY', updated = 3 WHERE id = 3"
	run sg transform run --dry-run
	assert_success
	assert_line --regexp 'would have merged on the unique key$'
	run wh "SELECT name FROM dw.cust WHERE id = 3"
	assert_output cy
}

@test "incremental: --full-refresh of a protected table is refused and its rows are kept" {
	settings </dev/null
	declare_raw events
	sqlx history <<'SQLX'
config { type: "incremental", protected: true }
SELECT id FROM ${ref("events")}
${when(incremental(), `WHERE id > (SELECT max(id) FROM ${self()})`)}
SQLX
	sqlx other <<'SQLX'
config { type: "table" }
SELECT count(*) AS n FROM ${ref("events")}
SQLX
	seed "CREATE SCHEMA raw; CREATE TABLE raw.events AS SELECT 1 AS id UNION ALL SELECT 2"
	run sg transform run
	assert_success
	# the source forgets id 1; the history keeps it
	seed "DELETE FROM raw.events WHERE id = 1; INSERT INTO raw.events VALUES (3), (4)"
	run sg transform run --full-refresh
	assert_failure 1
	assert_output --partial 'my-project.dw.history (definitions/history.sqlx) is protected: --full-refresh would rebuild it'
	refute_output --partial 'Running'
	run wh "SELECT id FROM dw.history ORDER BY id"
	assert_output $'1\n2'
	# nothing else ran either
	run wh "SELECT n FROM dw.other"
	assert_output 2

	# without the protected table in the selection, --full-refresh goes on
	run sg transform run --full-refresh --actions other
	assert_success
	run wh "SELECT n FROM dw.other"
	assert_output 3
	# an ordinary run still appends to it
	run sg transform run --actions history
	assert_success
	assert_line --regexp 'inserted, table has 4 rows$'
	run wh "SELECT id FROM dw.history ORDER BY id"
	assert_output $'1\n2\n3\n4'
}

# -------------------------------------------------------------- assertions

@test "assertions: a failing built-in uniqueKey assertion fails the run, shows the rows, and skips what depends on it" {
	settings </dev/null
	declare_raw persons
	sqlx people <<'SQLX'
config { type: "table", assertions: { uniqueKey: ["id"] } }
SELECT id, name FROM ${ref("persons")}
SQLX
	sqlx report <<'SQLX'
config { type: "table", dependencies: ["dw_people_assertions_uniqueKey_0"] }
SELECT count(*) AS n FROM ${ref("people")}
SQLX
	sqlx report_view <<'SQLX'
config { type: "view" }
SELECT * FROM ${ref("report")}
SQLX
	seed "CREATE SCHEMA raw; CREATE TABLE raw.persons AS
	  SELECT 1 AS id, 'ana' AS name UNION ALL SELECT 1, 'bo' UNION ALL SELECT 2, 'cy'"
	run sg transform run
	assert_failure 1
	assert_line --regexp '^  succeeded table +my-project\.dw\.people  .*created table, 3 rows$'
	assert_line --regexp '^  failed    assertion   my-project\.dw_assertions\.dw_people_assertions_uniqueKey_0  [0-9.]+s  assertion failed: 1 row$'
	assert_line '              id | index_row_count'
	assert_line '              1 | 2'
	assert_line '  skipped   table       my-project.dw.report  (my-project.dw_assertions.dw_people_assertions_uniqueKey_0 failed upstream)'
	assert_line '  skipped   view        my-project.dw.report_view  (my-project.dw_assertions.dw_people_assertions_uniqueKey_0 failed upstream)'
	assert_line --regexp '^Run failed: 1 succeeded, 1 failed, 2 skipped, 0 disabled in [0-9.]+s\.$'
	run exists dw report
	assert_output 0
	run exists dw report_view
	assert_output 0

	# fixed data: everything runs
	seed "DELETE FROM raw.persons WHERE name = 'bo'"
	run sg transform run
	assert_success
	assert_line --regexp 'dw_people_assertions_uniqueKey_0  [0-9.]+s  assertion passed$'
	run wh "SELECT n FROM dw.report_view"
	assert_output 2
}

@test "assertions: a standalone assertion that returns rows skips the table depending on it; more than 10 rows are counted" {
	settings </dev/null
	declare_raw orders
	sqlx no_negative <<'SQLX'
config { type: "assertion" }
SELECT id, amount FROM ${ref("orders")} WHERE amount < 0
SQLX
	sqlx clean_orders <<'SQLX'
config { type: "table", dependencies: ["no_negative"] }
SELECT id, amount FROM ${ref("orders")}
SQLX
	sqlx order_count <<'SQLX'
config { type: "table" }
SELECT count(*) AS n FROM ${ref("orders")}
SQLX
	seed "CREATE SCHEMA raw; CREATE TABLE raw.orders AS SELECT id, IF(id <= 13, -id, id) AS amount FROM UNNEST(GENERATE_ARRAY(1, 20)) AS id"
	run sg transform run
	assert_failure 1
	assert_line --regexp '^  failed    assertion   my-project\.dw_assertions\.no_negative  [0-9.]+s  assertion failed: 13 rows$'
	assert_line '              id | amount'
	assert_line '              ... and 3 more'
	assert_line '  skipped   table       my-project.dw.clean_orders  (my-project.dw_assertions.no_negative failed upstream)'
	assert_line --regexp '^  succeeded table +my-project\.dw\.order_count  .*created table, 1 row$'
	assert_line --regexp '^Run failed: 1 succeeded, 1 failed, 1 skipped, 0 disabled'
	run exists dw clean_orders
	assert_output 0
	# the assertion is a view in the assertion dataset: its rows can be read
	run wh "SELECT count(*) FROM dw_assertions.no_negative"
	assert_output 13

	sg transform run --json >"$P/out.json" || true
	run jq -c '.summary, [.actions[] | select(.status != "succeeded") | [.target, .status, .failing_rows, .blocked_by, (.rows | length?)]]' "$P/out.json"
	assert_output $'{"succeeded":1,"failed":1,"skipped":1,"disabled":0}\n[["my-project.dw_assertions.no_negative","failed",13,null,10],["my-project.dw.clean_orders","skipped",null,"my-project.dw_assertions.no_negative",0]]'
}

# ----------------------------------------------------------------- failures

@test "failures: a SQL error fails its action and skips its dependents; the other branch completes; the old table stays" {
	settings </dev/null
	declare_raw src
	sqlx a <<'SQLX'
config { type: "table" }
SELECT id FROM ${ref("src")}
SQLX
	sqlx a_child <<'SQLX'
config { type: "table" }
SELECT id * 10 AS id FROM ${ref("a")}
SQLX
	sqlx b <<'SQLX'
config { type: "table" }
SELECT id + 100 AS id FROM ${ref("src")}
SQLX
	seed "CREATE SCHEMA raw; CREATE TABLE raw.src AS SELECT 1 AS id UNION ALL SELECT 2"
	run sg transform run
	assert_success

	seed "INSERT INTO raw.src VALUES (3)"
	sqlx a <<'SQLX'
config { type: "table" }
SELECT id, missing_col FROM ${ref("src")}
SQLX
	run sg transform run
	assert_failure 1
	assert_line --regexp '^  failed    table       my-project\.dw\.a  [0-9.]+s  definitions/a\.sqlx: .*missing_col'
	assert_line '  skipped   table       my-project.dw.a_child  (my-project.dw.a failed upstream)'
	assert_line --regexp '^  succeeded table +my-project\.dw\.b  .*rebuilt table, 3 rows$'
	assert_line --regexp '^Run failed: 1 succeeded, 1 failed, 1 skipped, 0 disabled'
	# b has the new row; a and a_child are the previous run's
	run wh "SELECT id FROM dw.b ORDER BY id"
	assert_output $'101\n102\n103'
	run wh "SELECT id FROM dw.a ORDER BY id"
	assert_output $'1\n2'
	run wh "SELECT id FROM dw.a_child ORDER BY id"
	assert_output $'10\n20'
	run wh "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE '%sigma_build%'"
	assert_output 0
}

@test "failures: a failing post_operation rolls back the rebuilt table and what the action did before it" {
	settings </dev/null
	declare_raw src
	sqlx t <<'SQLX'
config { type: "table" }
SELECT id FROM ${ref("src")}
post_operations {
  INSERT INTO ops.log VALUES ('post', (SELECT count(*) FROM ${self()}))
}
SQLX
	seed "CREATE SCHEMA raw; CREATE TABLE raw.src AS SELECT 1 AS id;
	  CREATE SCHEMA ops; CREATE TABLE ops.log (step STRING, n INT64)"
	run sg transform run
	assert_success
	sqlx t <<'SQLX'
config { type: "table" }
SELECT id FROM ${ref("src")}
post_operations {
  INSERT INTO ops.log VALUES ('post', (SELECT count(*) FROM ${self()}))
  ---
  INSERT INTO ops.no_such_table VALUES (1)
}
SQLX
	seed "INSERT INTO raw.src VALUES (2)"
	run sg transform run
	assert_failure 1
	assert_line --regexp '^  failed    table       my-project\.dw\.t  [0-9.]+s  definitions/t\.sqlx: .*no_such_table'
	run wh "SELECT count(*) FROM dw.t"
	assert_output 1
	run wh "SELECT step, n FROM ops.log"
	assert_output 'post,1'
}

# -------------------------------------------------------------- operations

@test "operations: pre_operations, post_operations and --- separated statements run in order" {
	settings </dev/null
	declare_raw src
	sqlx log <<'SQLX'
config { type: "operations", hasOutput: true, schema: "ops", name: "log" }
CREATE TABLE IF NOT EXISTS ops.log (step STRING, n INT64)
---
INSERT INTO ops.log VALUES ('setup', (SELECT count(*) FROM ops.log))
---
INSERT INTO ops.log VALUES ('setup2', (SELECT count(*) FROM ops.log))
SQLX
	sqlx t <<'SQLX'
config { type: "table", dependencies: ["log"] }
pre_operations {
  INSERT INTO ops.log VALUES ('pre', (SELECT count(*) FROM ${ref("src")}))
  ---
  INSERT INTO ops.log VALUES ('pre2', (SELECT count(*) FROM ops.log))
}
SELECT id FROM ${ref("src")}
post_operations {
  INSERT INTO ops.log VALUES ('post', (SELECT count(*) FROM ${self()}))
  ---
  INSERT INTO ops.log VALUES ('post2', (SELECT sum(id) FROM ${self()}))
}
SQLX
	seed "CREATE SCHEMA raw; CREATE TABLE raw.src AS SELECT 1 AS id UNION ALL SELECT 2 UNION ALL SELECT 4"
	run sg transform run
	assert_success
	assert_line --regexp '^  succeeded operations  my-project\.ops\.log  [0-9.]+s  ran operations$'
	assert_line --regexp '^  succeeded table +my-project\.dw\.t  .*created table, 3 rows$'
	(($(line_of 'ops\.log ') < $(line_of 'dw\.t ')))
	# rowid keeps insertion order
	run wh "SELECT step, n FROM ops.log ORDER BY rowid"
	assert_output $'setup,0\nsetup2,1\npre,3\npre2,3\npost,3\npost2,7'
}

@test "a query or statement whose last line ends in a -- comment runs (the ; after it is not swallowed)" {
	settings </dev/null
	sqlx t <<'SQLX'
config { type: "table" }
SELECT 1 AS x -- the first
-- nothing after this
SQLX
	sqlx v <<'SQLX'
config { type: "view" }
SELECT x FROM ${ref("t")} -- all of it
SQLX
	sqlx inc <<'SQLX'
config { type: "incremental", uniqueKey: ["x"] }
SELECT x FROM ${ref("t")} -- merged
SQLX
	sqlx ins <<'SQLX'
config { type: "incremental" }
SELECT x FROM ${ref("t")} -- appended
SQLX
	sqlx check <<'SQLX'
config { type: "assertion" }
SELECT x FROM ${ref("v")} WHERE x < 0 -- none
SQLX
	sqlx p <<'SQLX'
config { type: "table" }
SELECT 1 AS x
post_operations {
  INSERT INTO ${self()} VALUES (2) -- two
  ---
  INSERT INTO ${self()} VALUES (3); -- three
  ---
  INSERT INTO ${self()} VALUES (4)
}
SQLX
	run sg transform run
	assert_success
	assert_line --regexp '^Run complete: 6 succeeded, 0 failed'
	run sg transform run
	assert_success
	assert_line --regexp 'my-project\.dw\.inc  .*merged on x, table has 1 row$'
	assert_line --regexp 'my-project\.dw\.ins  .*inserted, table has 2 rows$'
	run wh "SELECT x FROM dw.p ORDER BY x"
	assert_output $'1\n2\n3\n4'
}

# ---------------------------------------------------------- dry run, json

@test "--dry-run changes nothing and exits 0; --json parses and has the summary" {
	settings </dev/null
	sqlx log <<'SQLX'
config { type: "operations", schema: "ops" }
CREATE TABLE ops.log (step STRING)
SQLX
	sqlx t <<'SQLX'
config { type: "table", assertions: { nonNull: ["x"] } }
SELECT 1 AS x
SQLX
	sqlx v <<'SQLX'
config { type: "view" }
SELECT x FROM ${ref("t")}
SQLX
	run sg transform run --dry-run
	assert_success
	assert_line --index 0 'Dry run of 4 actions of . on the local warehouse:'
	assert_line --regexp '^  succeeded operations  my-project\.ops\.log  [0-9.]+s  would have run operations$'
	assert_line --regexp '^  succeeded table +my-project\.dw\.t  .*would have created table$'
	assert_line --regexp '^  succeeded view +my-project\.dw\.v  .*would have created view$'
	assert_line --regexp 'dw_t_assertions_rowConditions  .*would check the assertion$'
	assert_line --regexp '^Dry run complete: 4 succeeded, 0 failed, 0 skipped, 0 disabled'
	run wh "SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('dw', 'ops', 'dw_assertions')"
	assert_output 0
	run wh "SELECT count(*) FROM information_schema.schemata WHERE schema_name IN ('dw', 'ops', 'dw_assertions')"
	assert_output 0

	sg transform run --dry-run --json >"$P/dry.json"
	run jq -c '.dry_run, .summary, [.actions[] | [.target, .status]]' "$P/dry.json"
	assert_output $'true\n{"succeeded":4,"failed":0,"skipped":0,"disabled":0}\n[["my-project.ops.log","succeeded"],["my-project.dw.t","succeeded"],["my-project.dw.v","succeeded"],["my-project.dw_assertions.dw_t_assertions_rowConditions","succeeded"]]'
	run exists dw t
	assert_output 0

	sg transform run --json >"$P/run.json"
	run jq -c '.dry_run, .summary, [.actions[] | .result]' "$P/run.json"
	assert_output $'false\n{"succeeded":4,"failed":0,"skipped":0,"disabled":0}\n["ran operations","created table, 1 row","created view","assertion passed"]'
	# nothing but the JSON on stdout
	run jq -e '.actions | length == 4' "$P/run.json"
	assert_success
	run exists dw t
	assert_output 1
}

# ---------------------------------------------------------------- disabled

@test "disabled: a disabled action (and its built-in assertions) is reported disabled, not built, and the run exits 0" {
	settings </dev/null
	sqlx off <<'SQLX'
config { type: "table", disabled: true, assertions: { uniqueKey: ["x"] } }
SELECT 1 AS x
SQLX
	sqlx on <<'SQLX'
config { type: "table" }
SELECT 2 AS x
SQLX
	run sg transform run
	assert_success
	assert_line '  disabled  table       my-project.dw.off  (disabled in definitions/off.sqlx)'
	assert_line '  disabled  assertion   my-project.dw_assertions.dw_off_assertions_uniqueKey_0  (disabled in definitions/off.sqlx)'
	assert_line --regexp '^  succeeded table +my-project\.dw\.on  .*created table, 1 row$'
	assert_line --regexp '^Run complete: 1 succeeded, 0 failed, 0 skipped, 2 disabled'
	run exists dw off
	assert_output 0
	run exists dw on
	assert_output 1
}

# ------------------------------------------------------------ compile errors

@test "compile errors stop run: a ref to a missing action exits 1 with file:line:col and a suggestion" {
	settings </dev/null
	declare_raw src
	sqlx t <<'SQLX'
config { type: "table" }
SELECT id
FROM ${ref("srcc")}
SQLX
	run sg transform run
	assert_failure 1
	assert_line 'definitions/t.sqlx:3:8: error: ref("srcc"): no action is named srcc (did you mean "src"?)'
	assert_line 'sigma: 1 error in the transform project .'
	refute_output --partial 'Running'
	# nothing was opened, let alone built
	[ ! -e "$P/.sigma" ]
	run sg transform compile
	assert_failure 1
	assert_line 'definitions/t.sqlx:3:8: error: ref("srcc"): no action is named srcc (did you mean "src"?)'
}
