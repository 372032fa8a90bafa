#!/usr/bin/env bats
# sigma transform compile against the Dataform CLI: every project under
# tests/fixtures/sqlx/ holds expected.dataform.json, what `dataform compile
# --json` (3.0.69, core 3.0.62) printed for it (regen.sh remakes them).
# sigma's graph — targets, types, dependencies, tags, disabled — must be the
# same, and so must the SQL once runs of white space are collapsed.

load helpers

FIX="$SIGMA_SOURCE_DIR/tests/fixtures/sqlx"

same_as_dataform() {
	local proj=$FIX/$1 mode=${2:-}
	run "$SIGMA" transform compile --json "$proj"
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/sigma.json"
	diff -u <(python3 "$FIX/graph.py" $mode "$proj/expected.dataform.json") \
		<(python3 "$FIX/graph.py" $mode "$BATS_TEST_TMPDIR/sigma.json")
}

@test "every fixture compiles to Dataform's graph" {
	n=0
	for d in "$FIX"/*/; do
		same_as_dataform "$(basename "$d")"
		n=$((n + 1))
	done
	[ "$n" -ge 7 ]
}

@test "every fixture compiles to Dataform's SQL (white space collapsed)" {
	for d in "$FIX"/*/; do
		same_as_dataform "$(basename "$d")" --sql
	done
}

@test "compile prints each action for people, with a summary line" {
	run "$SIGMA" transform compile "$FIX/seed000"
	assert_success
	assert_line "table company-sigma.warehouse.dim_fechas"
	assert_line "  depends on: company-sigma.raw.lkp_fechas"
	assert_output --partial "Compiled 9 actions: 3 tables, 0 views, 0 incremental, 0 operations, 4 assertions, 2 declarations."
}

@test "DIR defaults to sigma.yaml's transform dir" {
	cp -r "$FIX/seed000" "$P/tx"
	manifest sigma.yaml <<'YAML'
sigma:
  transform:
    dir: ./tx
YAML
	run sg transform compile --json
	assert_success
	echo "$output" | jq -e '.tables | length == 3'
}

@test "--vars overrides workflow_settings.yaml vars" {
	mkdir -p "$P/definitions"
	cat >"$P/workflow_settings.yaml" <<'YAML'
defaultProject: p
defaultDataset: d
vars:
  env: dev
YAML
	cat >"$P/definitions/t.sqlx" <<'SQLX'
config { type: "table" }
SELECT '${dataform.projectConfig.vars.env}' AS env
SQLX
	run sg transform compile --json
	assert_success
	echo "$output" | jq -e '.tables[0].query | contains("'"'"'dev'"'"'")'
	run sg transform compile --json --vars env=prod
	assert_success
	echo "$output" | jq -e '.tables[0].query | contains("'"'"'prod'"'"'")'
}

@test "graph --lineage draws sources to tables to assertions" {
	run "$SIGMA" graph --lineage "$FIX/seed000"
	assert_success
	assert_line --partial '"company-sigma.raw.lkp_fechas" -> "company-sigma.warehouse.dim_fechas";'
	assert_line --partial '"company-sigma.warehouse.dim_fechas" -> "company-sigma.warehouse_assertions.warehouse_dim_fechas_assertions_uniqueKey_0";'
	assert_line --partial '"company-sigma.raw.lkp_fechas" [shape = cylinder'
}

# ------------------------------------------------------------------ errors

project() {
	mkdir -p "$P/definitions"
	cat >"$P/workflow_settings.yaml" <<'YAML'
defaultProject: p
defaultDataset: wh
YAML
}

@test "a config syntax error names file, line and column" {
	project
	printf 'config {\n  type: "table",\n  tags: ["a" "b"]\n}\nSELECT 1\n' >"$P/definitions/t.sqlx"
	run sg transform compile
	assert_failure
	assert_output --partial 'definitions/t.sqlx:3:14: error: expected "," or "]", found """'
}

@test "an unknown config key is refused with the closest key" {
	project
	printf 'config { type: "table", descripton: "x" }\nSELECT 1\n' >"$P/definitions/t.sqlx"
	run sg transform compile
	assert_failure
	assert_output --partial 'definitions/t.sqlx:1:25: error: unknown config key "descripton" (did you mean "description"?)'
}

@test "a ref to a missing action suggests the closest name" {
	project
	printf 'config { type: "table" }\nSELECT 1\n' >"$P/definitions/orders.sqlx"
	printf 'config { type: "table" }\nSELECT * FROM ${ref("order")}\n' >"$P/definitions/t.sqlx"
	run sg transform compile
	assert_failure
	assert_output --partial 'definitions/t.sqlx:2:17: error: ref("order"): no action is named order (did you mean "orders"?)'
}

@test "two actions with one target are refused, naming both" {
	project
	printf 'config { type: "table" }\nSELECT 1\n' >"$P/definitions/a.sqlx"
	printf 'config { type: "view", name: "a" }\nSELECT 2\n' >"$P/definitions/b.sqlx"
	run sg transform compile
	assert_failure
	assert_output --partial 'definitions/b.sqlx:1:1: error: two actions write p.wh.a: this one and the one in definitions/a.sqlx:1'
}

@test "a dependency cycle is printed" {
	project
	printf 'config { type: "table" }\nSELECT * FROM ${ref("b")}\n' >"$P/definitions/a.sqlx"
	printf 'config { type: "table" }\nSELECT * FROM ${ref("c")}\n' >"$P/definitions/b.sqlx"
	printf 'config { type: "table", dependencies: ["a"] }\nSELECT 1\n' >"$P/definitions/c.sqlx"
	run sg transform compile
	assert_failure
	assert_output --partial 'error: dependency cycle: p.wh.a -> p.wh.b -> p.wh.c -> p.wh.a'
}

@test "JavaScript is refused, never skipped: js blocks, includes/, .js files, other functions" {
	project
	printf 'config { type: "table" }\njs { const x = 1; }\nSELECT 1\n' >"$P/definitions/a.sqlx"
	printf 'publish("x").query("SELECT 1")\n' >"$P/definitions/b.js"
	mkdir -p "$P/includes"
	printf 'module.exports = {}\n' >"$P/includes/c.js"
	printf 'config { type: "table" }\nSELECT ${helpers.x()}\n' >"$P/definitions/d.sqlx"
	run sg transform compile
	assert_failure
	assert_output --partial 'definitions/a.sqlx:2:1: error: js { } blocks are not supported'
	assert_output --partial 'definitions/b.js:1:1: error: JavaScript definition files are not supported'
	assert_output --partial 'includes/c.js:1:1: error: includes/ is JavaScript'
	assert_output --partial 'definitions/d.sqlx:2:10: error: JavaScript name "helpers" is not supported'
}

@test "a missing workflow_settings.yaml and an undefined variable are clear" {
	mkdir -p "$P/definitions"
	run sg transform compile
	assert_failure
	assert_output --partial 'workflow_settings.yaml: error: missing'
	project
	printf 'config { type: "table" }\nSELECT "${dataform.projectConfig.vars.region}"\n' >"$P/definitions/a.sqlx"
	run sg transform compile
	assert_failure
	assert_output --partial 'definitions/a.sqlx:2:11: error: variable "region" is not defined'
}

@test "validate (and so plan) reports errors in the transform project sigma.yaml names" {
	cp -r "$FIX/seed000" "$P/tx"
	manifest sigma.yaml <<'YAML'
sigma:
  transform:
    dir: ./tx
YAML
	run sg validate
	assert_success
	printf 'config { type: "table", tagz: [] }\nSELECT 1\n' >"$P/tx/definitions/bad.sqlx"
	run sg validate
	assert_failure
	assert_output --partial 'tx/definitions/bad.sqlx:1:25: error: unknown config key "tagz" (did you mean "tags"?)'
	run sg plan
	assert_failure
}

@test "a file without config (or without a type) is an operations action, as in Dataform" {
	project
	printf 'SELECT 1\n' >"$P/definitions/a.sqlx"
	printf 'config { tags: ["x"] }\nSELECT 2\n' >"$P/definitions/b.sqlx"
	run sg transform compile --json
	assert_success
	echo "$output" | jq -e '[.operations[].target.name] == ["a", "b"]'
	echo "$output" | jq -e '.operations[1].tags == ["x"]'
}

@test "config dependencies take a name, schema.name, database.schema.name or {schema, name}" {
	project
	for t in a b c d; do
		printf 'config { type: "declaration", schema: "raw", name: "%s" }\n' "$t" >"$P/definitions/$t.sqlx"
	done
	printf 'config { type: "table", dependencies: ["a", "raw.b", "p.raw.c", {schema: "raw", name: "d"}] }\nSELECT 1\n' \
		>"$P/definitions/t.sqlx"
	run sg transform compile --json
	assert_success
	echo "$output" | jq -e '[.tables[0].dependencyTargets[].name] == ["a", "b", "c", "d"]'
	printf 'config { type: "table", dependencies: [{schema: "raw", nom: "d"}] }\nSELECT 1\n' >"$P/definitions/t.sqlx"
	run sg transform compile
	assert_failure
	assert_output --partial 'definitions/t.sqlx:1:56: error: config dependencies: unknown key "nom" (expected name, schema, database)'
	printf 'config { type: "table", dependencies: ["raw.nope"] }\nSELECT 1\n' >"$P/definitions/t.sqlx"
	run sg transform compile
	assert_failure
	assert_output --partial 'error: dependencies("raw.nope"): no action is named raw.nope'
}
