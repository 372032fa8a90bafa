#!/usr/bin/env bats
# Refresh and drift: what changed outside sigma is listed and planned back;
# -refresh=false skips it; -refresh-only only updates the state.

load helpers

project() {
	manifest sigma.yaml <<'YAML'
bucket:
  a: {name: drift-a, labels: {team: data}}
  b: {name: drift-b}
dataset:
  raw: {}
table:
  t: {dataset: raw, schema: [{name: id, type: INT64}, {name: v, type: STRING}]}
  u: {dataset: raw, schema: [{name: id, type: INT64}]}
view:
  w: {dataset: raw, query: "SELECT id FROM raw.t", depends_on: [table.t]}
workflow_template:
  job: {steps: [{id: q, kind: query, sql: "SELECT 1"}]}
scheduler:
  s: {schedule: "0 3 * * *", workflow: job}
artifact_repo:
  r: {format: DOCKER}
YAML
	sg apply -auto-approve >/dev/null
}

@test "no drift: the plan is empty and says nothing about outside changes" {
	project
	run sg plan -detailed-exitcode
	assert_success
	refute_output --partial 'changed outside of sigma'
}

@test "a bucket directory removed and a label edited in the control store" {
	project
	rm -rf "$P/.sigma/local/buckets/drift-b"
	sqlite3 "$P/.sigma/local/control.db" "UPDATE resources SET attrs = json_set(attrs, '$.labels.team', 'ops') WHERE kind = 'bucket' AND name = 'drift-a'"
	run sg plan
	assert_success
	assert_output --partial 'Objects have changed outside of sigma:'
	assert_output --partial '  # bucket.a has changed'
	assert_output --partial '          ~ team = "data" -> "ops"'
	assert_output --partial '  # bucket.b has been deleted'
	assert_output --partial '  # bucket.a will be updated in-place'
	assert_output --partial '          ~ team = "ops" -> "data"'
	assert_output --partial '  # bucket.b will be created'
	run sg apply -auto-approve
	assert_success
	[ -d "$P/.sigma/local/buckets/drift-b" ]
	run sqlite3 "$P/.sigma/local/control.db" "SELECT json_extract(attrs, '$.labels.team') FROM resources WHERE name = 'drift-a'"
	assert_output data
	run sg plan -detailed-exitcode
	assert_success
}

@test "rows of the control store deleted: scheduler, template, repository" {
	project
	sqlite3 "$P/.sigma/local/control.db" "DELETE FROM resources WHERE kind IN ('scheduler', 'artifact_repo')"
	sqlite3 "$P/.sigma/local/control.db" "UPDATE resources SET attrs = json_set(attrs, '$.description', 'edited') WHERE kind = 'workflow_template'"
	run sg plan
	assert_output --partial '  # scheduler.s has been deleted'
	assert_output --partial '  # artifact_repo.r has been deleted'
	assert_output --partial '  # workflow_template.job has changed'
	assert_output --partial 'Plan: 2 to add, 1 to change, 0 to destroy.'
	run sg apply -auto-approve
	assert_success
	run sg plan -detailed-exitcode
	assert_success
}

@test "a table dropped, a column added by hand, a view dropped in the warehouse" {
	project
	sg query -dialect duckdb "DROP TABLE raw.u" >/dev/null
	sg query -dialect duckdb "ALTER TABLE raw.t ADD COLUMN extra DOUBLE" >/dev/null
	sg query -dialect duckdb "DROP VIEW raw.w" >/dev/null
	run sg plan
	assert_success
	assert_output --partial '  # table.u has been deleted'
	assert_output --partial '  # view.w has been deleted'
	assert_output --partial '  # table.t has changed'
	assert_output --partial '                name = "extra"'
	assert_output --partial '  # table.u will be created'
	assert_output --partial '  # table.t must be replaced'
	assert_output --partial '# (column extra is dropped)'
	run sg apply -auto-approve
	assert_success
	run wh "SELECT count(*) FROM information_schema.columns WHERE table_name = 't'"
	assert_output 2
	run sg plan -detailed-exitcode
	assert_success
}

@test "a dataset dropped in the warehouse" {
	project
	sg query -dialect duckdb "DROP SCHEMA raw CASCADE" >/dev/null
	run sg plan
	assert_output --partial '  # dataset.raw has been deleted'
	assert_output --partial '  # table.t has been deleted'
	assert_output --partial '  # dataset.raw will be created'
	run sg apply -auto-approve
	assert_success
	run sg plan -detailed-exitcode
	assert_success
}

@test "-refresh=false trusts the state; -refresh-only records the drift without touching the world" {
	project
	rm -rf "$P/.sigma/local/buckets/drift-b"
	run sg plan -refresh=false -detailed-exitcode
	assert_success
	refute_output --partial 'changed outside'
	run sg plan -refresh-only -detailed-exitcode
	assert_failure 2
	assert_output --partial '  # bucket.b has been deleted'
	assert_output --partial 'This is a refresh-only plan'
	run sg apply -refresh-only </dev/null
	assert_failure 1
	assert_output --partial 'needs -auto-approve'
	run sg apply -refresh-only -auto-approve
	assert_success
	assert_output --partial 'The state now records 1 change made outside of sigma; no object was changed.'
	[ ! -d "$P/.sigma/local/buckets/drift-b" ]
	run sg state list
	refute_line 'bucket.b'
	run sg plan
	assert_output --partial '  # bucket.b will be created'
	refute_output --partial 'changed outside'
}

@test "plan -json lists the drift in resource_drift" {
	project
	rm -rf "$P/.sigma/local/buckets/drift-b"
	run sg plan -json
	echo "$output" | jq -e '.resource_drift | length == 1 and .[0].address == "bucket.b" and .[0].change.actions == ["delete"]'
}

@test "the warehouse snapshot is used only while the warehouse file is unchanged" {
	project
	run sg plan -detailed-exitcode
	assert_success
	[ -f "$P/.sigma/local/warehouse.snapshot.json" ]
	# a change through any tool rewrites the file: the next plan reads the warehouse again
	sg query -dialect duckdb "ALTER TABLE raw.u ADD COLUMN late VARCHAR" >/dev/null
	run sg plan
	assert_output --partial '  # table.u has changed'
	# a snapshot of another format is ignored, never trusted
	echo '{"format": 1, "signature": "x"}' >"$P/.sigma/local/warehouse.snapshot.json"
	run sg plan
	assert_output --partial '  # table.u has changed'
}

@test "an external table dropped in the warehouse" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {}
bucket:
  land: {name: drift-land}
external_table:
  ext: {dataset: raw, format: CSV, source_uris: ["gs://drift-land/*.csv"], csv: {skip_leading_rows: 1}}
YAML
	sg apply -auto-approve -stage iac >/dev/null
	printf 'a,b\n1,2\n' >"$P/.sigma/local/buckets/drift-land/x.csv"
	sg apply -auto-approve -stage initial-data >/dev/null
	sg query -dialect duckdb "DROP VIEW raw.ext" >/dev/null
	run sg plan
	assert_output --partial '  # external_table.ext has been deleted'
	assert_output --partial '  # external_table.ext will be created'
	run sg apply -auto-approve
	assert_success
	run wh "SELECT a + b FROM raw.ext"
	assert_output 3
}
