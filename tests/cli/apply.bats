#!/usr/bin/env bats
# plan / apply / destroy / output on the local provider: what a user sees and
# what is left in the world and the state.

load helpers

base_project() {
	manifest sigma.yaml <<'YAML'
variables:
  env: {type: string, default: dev}
bucket:
  trigger:
    name: trig-${var.env}
    labels: {env: "${var.env}"}
    notification: {workflow: ingest, prefix: data/}
  out: {name: "out-${var.env}"}
dataset:
  raw: {location: US}
table:
  lkp:
    dataset: raw
    schema:
      - {name: fecha, type: DATE, mode: REQUIRED}
      - {name: anio, type: INT64}
view:
  lkp_v: {dataset: raw, query: "SELECT anio FROM raw.lkp", depends_on: [table.lkp]}
workflow_template:
  ingest:
    steps:
      - {id: load, kind: load, source: "gs://${event.bucket}/${event.name}", table: raw.lkp}
scheduler:
  daily: {schedule: "0 3 * * *", workflow: ingest}
artifact_repo:
  pkgs: {format: PYTHON}
outputs:
  trigger_url: ${bucket.trigger.url}
  out_name: ${bucket.out.name}
YAML
}

@test "first plan creates everything; -detailed-exitcode is 2; nothing is written" {
	base_project
	run sg plan -detailed-exitcode
	assert_failure 2
	assert_output --partial '  # bucket.trigger will be created'
	assert_output --partial '  + resource "bucket" "trigger" {'
	assert_output --partial '      + url           = (known after apply)'
	assert_output --partial 'Plan: 8 to add, 0 to change, 0 to destroy.'
	assert_output --partial '  + trigger_url = (known after apply)'
	[ ! -e "$P/.sigma/state.json" ]
	[ ! -e "$P/.sigma/local" ]
}

@test "apply creates the world; a second plan is empty (exit 0 with -detailed-exitcode)" {
	base_project
	run sg apply -auto-approve
	assert_success
	assert_output --partial 'Apply complete! Resources: 8 added, 0 changed, 0 destroyed.'
	assert_output --partial 'trigger_url = "gs://trig-dev"'
	[ -d "$P/.sigma/local/buckets/trig-dev" ]
	[ -d "$P/.sigma/local/buckets/out-dev" ]
	run wh "SELECT table_schema || '.' || table_name || ':' || table_type FROM information_schema.tables WHERE table_schema = 'raw' ORDER BY 1"
	assert_output $'raw.lkp:BASE TABLE\nraw.lkp_v:VIEW'
	run wh "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns WHERE table_name = 'lkp' ORDER BY ordinal_position"
	assert_output $'fecha DATE NO\nanio BIGINT YES'
	run sqlite3 "$P/.sigma/local/control.db" "SELECT kind || ':' || name FROM resources ORDER BY 1"
	assert_output $'artifact_repo:pkgs\nbucket:out-dev\nbucket:trig-dev\nscheduler:daily\nworkflow_template:ingest'
	run sg plan -detailed-exitcode
	assert_success
	assert_output 'No changes. Your infrastructure matches the configuration.'
	run jq -r '.serial, (.resources | keys | length), .lineage' "$P/.sigma/state.json"
	assert_line --index 0 1
	assert_line --index 1 8
}

@test "apply orders operations by dependency" {
	base_project
	run sg apply -auto-approve -parallelism 1
	assert_success
	# each resource completes before anything that depends on it starts
	before() { local a b; a=$(grep -n "^$1: Creation complete" <<<"$output" | cut -d: -f1); b=$(grep -n "^$2: Creating" <<<"$output" | cut -d: -f1); [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; }
	before dataset.raw table.lkp
	before table.lkp view.lkp_v
	before workflow_template.ingest scheduler.daily
	before workflow_template.ingest bucket.trigger
}

@test "an update in place and a replacement, with the attribute that forces it" {
	base_project
	sg apply -auto-approve >/dev/null
	sed -i 's/labels: {env: "${var.env}"}/labels: {env: "${var.env}", team: data}/; s/  raw: {location: US}/  raw: {location: EU}/' "$P/sigma.yaml"
	run sg plan
	assert_success
	assert_output --partial '  # bucket.trigger will be updated in-place'
	assert_output --partial '          + team = "data"'
	assert_output --partial '  # dataset.raw must be replaced'
	assert_output --partial '      ~ location                   = "US" -> "EU" # forces replacement'
	assert_output --partial '  # table.lkp must be replaced'
	assert_output --partial '        # (dataset.raw is replaced)'
	run sg apply -auto-approve
	assert_success
	run sg plan -detailed-exitcode
	assert_success
}

@test "adding a NULLABLE column is in place; changing a type replaces the table" {
	base_project
	sg apply -auto-approve >/dev/null
	sg query -dialect duckdb "INSERT INTO raw.lkp VALUES ('2026-01-01', 2026)" >/dev/null
	sed -i 's/      - {name: anio, type: INT64}/      - {name: anio, type: INT64}\n      - {name: mes, type: STRING}/' "$P/sigma.yaml"
	run sg plan
	assert_output --partial '  # table.lkp will be updated in-place'
	run sg apply -auto-approve
	assert_success
	run wh "SELECT count(*) || ' ' || count(mes) FROM raw.lkp"
	assert_output '1 0'
	# a lossless type change is in place, and keeps the rows
	sed -i 's/{name: anio, type: INT64}/{name: anio, type: STRING}/' "$P/sigma.yaml"
	run sg plan
	assert_output --partial '  # table.lkp will be updated in-place'
	run sg apply -auto-approve
	assert_success
	run wh "SELECT typeof(anio) || ' ' || anio FROM raw.lkp"
	assert_output 'VARCHAR 2026'
	# a lossy one replaces the table: with rows in it, refused without -allow-data-loss
	sed -i 's/{name: anio, type: STRING}/{name: anio, type: INT64}/' "$P/sigma.yaml"
	run sg plan
	assert_failure 1
	assert_output --partial '  # table.lkp must be replaced'
	assert_output --partial '  # table.lkp holds 1 row that this plan would delete'
	assert_output --partial '# (column anio changes type from STRING to INT64)'
	assert_output --partial 'this plan would delete data (1 row of table.lkp); nothing was changed. Run it again with -allow-data-loss'
}

@test "data loss: destroying or replacing a table with rows is refused unless -allow-data-loss" {
	base_project
	sg apply -auto-approve >/dev/null
	sg query -dialect duckdb "INSERT INTO raw.lkp SELECT DATE '2026-01-01' + i::INT, 2026 FROM range(12345) t(i)" >/dev/null
	python3 - "$P/sigma.yaml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("view:\n  lkp_v: {dataset: raw, query: \"SELECT anio FROM raw.lkp\", depends_on: [table.lkp]}\n", "")
s = s.replace("table:\n  lkp:\n    dataset: raw\n    schema:\n      - {name: fecha, type: DATE, mode: REQUIRED}\n      - {name: anio, type: INT64}\n", "")
open(p, "w").write(s)
PY
	run sg plan
	assert_failure 1
	assert_output --partial '  # table.lkp holds 12,345 rows that this plan would delete'
	assert_output --partial 'Run it again with -allow-data-loss'
	run sg apply -auto-approve
	assert_failure 1
	assert_output --partial 'this plan would delete data (12,345 rows of table.lkp); nothing was changed'
	run wh "SELECT count(*) FROM raw.lkp"
	assert_output 12345
	run sg plan -json -allow-data-loss
	assert_success
	echo "$output" | jq -e '.data_loss == true and (.resource_changes[] | select(.address == "table.lkp") | .data_loss.rows == 12345 and .data_loss.lost == true)'
	run sg apply -auto-approve -allow-data-loss
	assert_success
	run wh "SELECT count(*) FROM information_schema.tables WHERE table_name = 'lkp'"
	assert_output 0
}

@test "data loss: a bucket's objects are counted; force_destroy makes it a loss" {
	manifest sigma.yaml <<'YAML'
bucket:
  keep: {name: loss-bucket}
YAML
	sg apply -auto-approve >/dev/null
	for i in 1 2 3; do echo "$i" >"$P/.sigma/local/buckets/loss-bucket/f$i"; done
	run sg plan -destroy
	assert_success
	assert_output --partial '  # bucket.keep holds 3 objects: destroying it needs force_destroy: true'
	sed -i 's/keep: {name: loss-bucket}/keep: {name: loss-bucket, force_destroy: true}/' "$P/sigma.yaml"
	sg apply -auto-approve >/dev/null
	run sg destroy -auto-approve
	assert_failure 1
	assert_output --partial '  # bucket.keep holds 3 objects that this plan would delete'
	[ -f "$P/.sigma/local/buckets/loss-bucket/f1" ]
	run sg destroy -auto-approve -allow-data-loss
	assert_success
	[ ! -e "$P/.sigma/local/buckets/loss-bucket" ]
}

@test "a saved plan made with -allow-data-loss applies; one made without is refused at plan time" {
	base_project
	sg apply -auto-approve >/dev/null
	sg query -dialect duckdb "INSERT INTO raw.lkp VALUES ('2026-01-01', 1)" >/dev/null
	run sg plan -destroy -out d.plan
	assert_failure 1
	run sg plan -destroy -allow-data-loss -out d.plan
	assert_success
	run sg apply d.plan
	assert_success
	assert_output --partial 'Destroy complete!'
}

@test "a resource removed from the manifests is destroyed" {
	base_project
	sg apply -auto-approve >/dev/null
	python3 - "$P/sigma.yaml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("artifact_repo:\n  pkgs: {format: PYTHON}\n", "")
open(p, "w").write(s)
PY
	run sg plan
	assert_output --partial '  # artifact_repo.pkgs will be destroyed'
	assert_output --partial '  # (because artifact_repo.pkgs is not in the configuration)'
	assert_output --partial 'Plan: 0 to add, 0 to change, 1 to destroy.'
	run sg apply -auto-approve
	assert_success
	run sqlite3 "$P/.sigma/local/control.db" "SELECT count(*) FROM resources WHERE kind = 'artifact_repo'"
	assert_output 0
}

@test "destroy runs in reverse dependency order and empties the world" {
	base_project
	sg apply -auto-approve >/dev/null
	run sg destroy -auto-approve -parallelism 1
	assert_success
	assert_output --partial 'Destroy complete! Resources: 8 destroyed.'
	after() { local a b; a=$(grep -n "^$1: Destruction complete" <<<"$output" | cut -d: -f1); b=$(grep -n "^$2: Destroying" <<<"$output" | cut -d: -f1); [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; }
	after view.lkp_v table.lkp
	after table.lkp dataset.raw
	after scheduler.daily workflow_template.ingest
	after bucket.trigger workflow_template.ingest
	[ ! -e "$P/.sigma/local/buckets/trig-dev" ]
	run wh "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'raw'"
	assert_output 0
	run jq '.resources | length' "$P/.sigma/state.json"
	assert_output 0
}

@test "a bucket holding objects is destroyed only with force_destroy" {
	manifest sigma.yaml <<'YAML'
bucket:
  keep: {name: keep-me}
YAML
	sg apply -auto-approve >/dev/null
	echo hi >"$P/.sigma/local/buckets/keep-me/a.txt"
	mkdir -p "$P/.sigma/local/buckets/keep-me/d" && echo x >"$P/.sigma/local/buckets/keep-me/d/b.txt"
	run sg destroy -auto-approve
	assert_failure 1
	assert_output --partial 'bucket.keep: destroying: bucket keep-me holds 2 objects; set force_destroy: true to destroy it with them'
	[ -f "$P/.sigma/local/buckets/keep-me/a.txt" ]
	sed -i 's/keep: {name: keep-me}/keep: {name: keep-me, force_destroy: true}/' "$P/sigma.yaml"
	sg apply -auto-approve >/dev/null
	run sg destroy -auto-approve -allow-data-loss
	assert_success
	[ ! -e "$P/.sigma/local/buckets/keep-me" ]
}

@test "prevent_destroy refuses a plan that would destroy or replace" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {location: US, prevent_destroy: true}
YAML
	sg apply -auto-approve >/dev/null
	sed -i 's/location: US/location: EU/' "$P/sigma.yaml"
	run sg plan
	assert_failure 1
	assert_output --partial 'this plan would replace dataset.raw, which has prevent_destroy: true (forced by location)'
	sed -i 's/location: EU/location: US/' "$P/sigma.yaml"
	run sg destroy -auto-approve
	assert_failure 1
	assert_output --partial 'this plan would destroy dataset.raw, which has prevent_destroy: true'
	run wh "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'raw'"
	assert_output 1
}

@test "apply without -auto-approve refuses when stdin is not a terminal, and changes nothing" {
	base_project
	run sg apply </dev/null
	assert_failure 1
	assert_output --partial 'apply needs -auto-approve when it cannot ask for confirmation'
	[ ! -e "$P/.sigma/local/buckets" ]
}

@test "apply asks for yes on a terminal; anything else cancels" {
	base_project
	run script -qec "$SIGMA -C $P apply" /dev/null <<<"no"
	assert_failure 1
	assert_output --partial 'Do you want to perform these actions?'
	assert_output --partial 'Apply cancelled.'
	[ ! -e "$P/.sigma/local/buckets" ]
	run script -qec "$SIGMA -C $P apply" /dev/null <<<"yes"
	assert_success
	assert_output --partial 'Apply complete! Resources: 8 added'
}

@test "outputs: sigma output, by name, -raw and -json" {
	base_project
	sg apply -auto-approve >/dev/null
	run sg output
	assert_success
	assert_line 'trigger_url = "gs://trig-dev"'
	run sg output -raw trigger_url
	assert_output 'gs://trig-dev'
	run sg output -json
	echo "$output" | jq -e '.out_name.value == "out-dev" and .out_name.sensitive == false'
	run sg output nope
	assert_failure 1
	assert_output --partial 'no output "nope" in the state'
}

@test "variables from -var, -var-file and SIGMA_VAR_ change the plan" {
	base_project
	sg apply -auto-approve >/dev/null
	run sg plan -var env=prod
	assert_output --partial '      ~ name          = "trig-dev" -> "trig-prod" # forces replacement'
	printf 'env: qa\n' >"$P/qa.yaml"
	run sg plan -var-file "$P/qa.yaml"
	assert_output --partial '"trig-dev" -> "trig-qa"'
	run env SIGMA_VAR_env=stage "$SIGMA" -C "$P" plan
	assert_output --partial '"trig-dev" -> "trig-stage"'
	run env SIGMA_VAR_env=stage "$SIGMA" -C "$P" plan -var env=dev -detailed-exitcode
	assert_success
}

@test "the seed 003 example: external tables wait for their data, then the apply converges" {
	cp -r "$SIGMA_SOURCE_DIR/examples/funnel/." "$P/"
	run sg apply -auto-approve
	assert_failure 1
	assert_output --partial 'external_table.funnel_landing_dia: creating: source_uris gs://funnel-landing/dia/*.csv match no object yet'
	assert_output --partial 'it belongs to stage initial-data'
	# what was applied before the failure stays applied and recorded
	run jq -r '.resources | has("bucket.landing") and has("dataset.raw") and (has("external_table.funnel_landing_dia") | not)' "$P/.sigma/state.json"
	assert_output true
	[ -d "$P/.sigma/local/buckets/funnel-landing" ]
	mkdir -p "$P/.sigma/local/buckets/funnel-landing/dia" "$P/.sigma/local/buckets/funnel-landing/eventos/dt=2026-01-01"
	printf 'fecha;etapa;clientes;monto\n2026-01-02;visita;10;0\n2026-01-02;compra;3;150.5\n' >"$P/.sigma/local/buckets/funnel-landing/dia/d1.csv"
	sg query -dialect duckdb "COPY (SELECT 'click' AS evento, 3 AS n) TO '$P/.sigma/local/buckets/funnel-landing/eventos/dt=2026-01-01/p.parquet' (FORMAT PARQUET)" >/dev/null
	run sg apply -auto-approve
	assert_success
	run wh "SELECT etapa || ':' || clientes || ':' || monto FROM raw.funnel_landing_dia ORDER BY etapa"
	assert_output $'compra:3:150.500000000\nvisita:10:0.000000000'
	run wh "SELECT evento || ':' || n || ':' || dt FROM raw.funnel_landing_eventos"
	assert_output 'click:3:2026-01-01'
	# a file landing later shows up without an apply (the table is a view over the files)
	printf 'fecha;etapa;clientes;monto\n2026-01-03;visita;7;0\n' >"$P/.sigma/local/buckets/funnel-landing/dia/sub/d2.csv" 2>/dev/null || { mkdir -p "$P/.sigma/local/buckets/funnel-landing/dia/sub"; printf 'fecha;etapa;clientes;monto\n2026-01-03;visita;7;0\n' >"$P/.sigma/local/buckets/funnel-landing/dia/sub/d2.csv"; }
	run wh "SELECT count(*) FROM raw.funnel_landing_dia"
	assert_output 3
	run sg plan -detailed-exitcode
	assert_success
}

@test "the seed 000 example applies and plans empty" {
	cp -r "$SIGMA_SOURCE_DIR/examples/sigma/." "$P/"
	run sg apply -auto-approve
	assert_success
	assert_output --partial 'Apply complete! Resources: 9 added, 0 changed, 0 destroyed.'
	run sg plan -detailed-exitcode
	assert_success
}

@test "-replace forces a replacement, still under the data-loss guard" {
	base_project
	sg apply -auto-approve >/dev/null
	run sg plan -replace bucket.out
	assert_success
	assert_output --partial '  # bucket.out must be replaced'
	assert_output --partial 'Plan: 1 to add, 0 to change, 1 to destroy.'
	sg query -dialect duckdb "INSERT INTO raw.lkp VALUES ('2026-01-01', 1)" >/dev/null
	run sg apply -auto-approve -replace table.lkp
	assert_failure 1
	assert_output --partial 'holds 1 row that this plan would delete'
	run sg apply -auto-approve -replace table.lkp -allow-data-loss
	assert_success
	assert_output --partial 'Resources: 1 added, 0 changed, 1 destroyed.'
	run wh "SELECT count(*) FROM raw.lkp"
	assert_output 0
	run sg plan -replace table.nope
	assert_failure 1
	assert_output --partial '-replace table.nope: no such resource in the manifests'
}

@test "a view's query is BigQuery SQL, translated; what cannot be translated fails with line and column" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {}
table:
  t: {dataset: raw, schema: [{name: id, type: STRING}, {name: amount, type: STRING}]}
view:
  v:
    dataset: raw
    depends_on: [table.t]
    query: |
      SELECT SAFE_CAST(id AS INT64) AS id, IFNULL(SAFE_CAST(amount AS NUMERIC), 0) AS amount
      FROM `my-project.raw.t`
YAML
	run sg apply -auto-approve
	assert_success
	sg query -dialect duckdb "INSERT INTO raw.t VALUES ('1', '2.5'), ('x', NULL)" >/dev/null
	run wh "SELECT coalesce(id::VARCHAR, 'null') || ':' || amount FROM raw.v ORDER BY 1"
	assert_output $'1:2.500000000\nnull:0.000000000'
	cat >>"$P/sigma.yaml" <<'YAML'
  p:
    dataset: raw
    depends_on: [table.t]
    query: |
      SELECT *
      FROM ML.PREDICT(MODEL `raw.m`, TABLE `raw.t`)
YAML
	# refused while the manifests load, located in the file, before anything is created
	run sg apply -auto-approve
	assert_failure 1
	assert_output --partial 'sigma.yaml:17:12: error: view.p: query: line 2, col 6 of the query:'
	assert_output --partial 'ML.PREDICT'
	refute_output --partial 'Creating'
}

@test "data loss: destroying a dataset counts the rows of its tables" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {delete_contents_on_destroy: true}
YAML
	sg apply -auto-approve >/dev/null
	sg query -dialect duckdb "CREATE TABLE raw.hand_made AS SELECT * FROM range(7)" >/dev/null
	run sg destroy -auto-approve
	assert_failure 1
	assert_output --partial '  # dataset.raw holds 7 rows that this plan would delete'
	run wh "SELECT count(*) FROM raw.hand_made"
	assert_output 7
	run sg destroy -auto-approve -allow-data-loss
	assert_success
	run wh "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'raw'"
	assert_output 0
}
