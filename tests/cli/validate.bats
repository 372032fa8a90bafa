#!/usr/bin/env bats
# sigma validate: every error is located (file:line:col), says what was
# expected, all errors of a run are reported, and the exit code is 1.

load helpers

@test "a valid project validates and touches nothing" {
	manifest sigma.yaml <<'YAML'
bucket:
  trigger: {location: US}
dataset:
  raw: {}
table:
  t: {dataset: raw, schema: [{name: id, type: INT64}]}
YAML
	run sg validate
	assert_success
	assert_output --partial "Success! The configuration is valid: 3 resources in 1 file."
	[ ! -e "$P/.sigma" ]
}

@test "YAML syntax error names file, line and column" {
	manifest sigma.yaml <<'YAML'
bucket:
  a: {location: US
  b: {}
YAML
	run sg validate
	assert_failure 1
	assert_output --regexp "sigma.yaml:[0-9]+:[0-9]+: error: YAML syntax error"
}

@test "unknown kind suggests the closest one" {
	manifest sigma.yaml <<'YAML'
buckets:
  a: {}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'sigma.yaml:1:1: error: unknown kind "buckets" (did you mean bucket?)'
}

@test "unknown attribute, wrong type, bad enum: all reported at once" {
	manifest sigma.yaml <<'YAML'
bucket:
  abc:
    loction: US
    versioning: maybe
    storage_class: CHEAP
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'sigma.yaml:3:5: error: bucket.abc: unknown attribute "loction" (did you mean location?)'
	assert_output --partial 'sigma.yaml:4:17: error: bucket.abc: versioning: expected a boolean (true or false), found the string "maybe"'
	assert_output --partial 'sigma.yaml:5:20: error: bucket.abc: storage_class: expected one of STANDARD, NEARLINE, COLDLINE, ARCHIVE, MULTI_REGIONAL or REGIONAL, found "CHEAP"'
	assert_output --partial "3 errors in the manifests"
}

@test "missing required attribute" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {}
table:
  t: {dataset: raw}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'sigma.yaml:4:6: error: table.t: missing required attribute "schema"'
}

@test "duplicate name across files names the first declaration" {
	manifest sigma.yaml <<'YAML'
bucket:
  data: {}
YAML
	manifest more.sigma.yaml <<'YAML'
bucket:
  data: {}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial "more.sigma.yaml:2:3: error: duplicate resource bucket.data (first declared at $P/sigma.yaml:2:3)"
}

@test "reference to nothing, with a suggestion" {
	manifest sigma.yaml <<'YAML'
bucket:
  trigger: {}
  out:
    labels: {from: "${bucket.triger.name}"}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'sigma.yaml:4:21: error: bucket.out: ${bucket.triger.name}: reference to undeclared resource bucket.triger (did you mean trigger?)'
}

@test "reference to an attribute the kind does not have" {
	manifest sigma.yaml <<'YAML'
bucket:
  a: {}
  b: {labels: {x: "${bucket.a.colour}"}}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'bucket has no attribute "colour"'
}

@test "dependency cycle is printed" {
	manifest sigma.yaml <<'YAML'
bucket:
  a: {labels: {x: "${bucket.b.name}"}}
  b: {labels: {x: "${bucket.c.name}"}}
  c: {depends_on: [bucket.a]}
YAML
	run sg validate
	assert_failure 1
	assert_output --regexp "error: dependency cycle: bucket\.[abc] -> bucket\.[abc] -> bucket\.[abc] -> bucket\.[abc]"
}

@test "invalid cron expression names the field" {
	manifest sigma.yaml <<'YAML'
workflow_template:
  job:
    steps: [{id: q, kind: query, sql: "SELECT 1"}]
scheduler:
  daily: {schedule: "0 25 * * *", workflow: job}
  weekly: {schedule: "0 3 * *", workflow: job}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'scheduler.daily: invalid cron expression "0 25 * * *": field 2 (hour): 25 is out of range 0-23'
	assert_output --partial 'scheduler.weekly: invalid cron expression "0 3 * *": expected 5 fields'
}

@test "unknown time zone" {
	manifest sigma.yaml <<'YAML'
workflow_template:
  job: {steps: [{id: q, kind: query, sql: "SELECT 1"}]}
scheduler:
  s: {schedule: "0 3 * * *", workflow: job, time_zone: Mars/Olympus}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'time_zone: "Mars/Olympus" is not an IANA time zone'
}

@test "unknown and unset variables" {
	manifest sigma.yaml <<'YAML'
variables:
  region: {type: string}
bucket:
  a: {labels: {r: "${var.region}", z: "${var.zone}"}}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial '${var.zone}: variable "zone" is not declared'
	assert_output --partial '${var.region}: variable "region" is not set (use -var region=VALUE, -var-file FILE or SIGMA_VAR_region)'
	run sg validate -var region=us
	assert_failure 1
	refute_output --partial 'variable "region" is not set'
	run env SIGMA_VAR_region=eu "$SIGMA" -C "$P" validate
	refute_output --partial 'variable "region" is not set'
}

@test "-var for an undeclared variable and a wrongly typed value" {
	manifest sigma.yaml <<'YAML'
variables:
  n: {type: number, default: 1}
bucket:
  a: {}
YAML
	run sg validate -var nope=1
	assert_failure 1
	assert_output --partial 'variable "nope" is not declared'
	run sg validate -var n=many
	assert_failure 1
	assert_output --partial '-var n: expected a number, found "many"'
}

@test "names that are not valid for their kind" {
	manifest sigma.yaml <<'YAML'
bucket:
  a: {name: Has_Upper}
dataset:
  d: {name: "bad-dash"}
artifact_repo:
  r: {name: Repo_1, format: DOCKER}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial "bucket.a: invalid name: a bucket name has only lower-case letters"
	assert_output --partial "dataset.d: invalid name: a BigQuery name has only letters, digits and '_'"
	assert_output --partial "artifact_repo.r: invalid name: a repository id has only lower-case letters"
}

@test "a table naming an undeclared dataset" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {}
table:
  t: {dataset: rwa, schema: [{name: id, type: INT64}]}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'table.t: dataset: dataset "rwa" is not declared (did you mean raw?)'
}

@test "workflow steps: unknown kind, duplicate id, missing need, cycle" {
	manifest sigma.yaml <<'YAML'
workflow_template:
  w1:
    steps:
      - {id: a, kind: teleport}
  w2:
    steps:
      - {id: a, kind: query, sql: "SELECT 1"}
      - {id: a, kind: query, sql: "SELECT 2"}
      - {id: b, kind: query, sql: "SELECT 3", needs: [zz]}
  w3:
    steps:
      - {id: a, kind: query, sql: "SELECT 1", needs: [b]}
      - {id: b, kind: query, sql: "SELECT 1", needs: [a]}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'unknown step kind "teleport"'
	assert_output --partial 'duplicate step id "a"'
	assert_output --partial 'step b: needs "zz", which is not a step'
	assert_output --regexp 'steps form a cycle: (a -> b -> a|b -> a -> b)'
}

@test "run-time references: only inside steps, args must be declared params" {
	manifest sigma.yaml <<'YAML'
bucket:
  a: {labels: {x: "${event.name}"}}
workflow_template:
  w:
    params: {date: {default: today}}
    steps:
      - {id: q, kind: query, sql: "SELECT '${args.date}', '${args.nope}', '${event.name}'"}
      - {id: r, kind: query, sql: "SELECT '${steps.q.output.rows}', '${steps.zz.output.x}'"}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial '${event.name} is a run-time reference: it is only allowed inside a workflow_template'
	assert_output --partial '${args.nope}: "nope" is not a declared param of workflow_template.w'
	assert_output --partial '${steps.zz.output.x}: no step "zz"'
	refute_output --partial 'args.date'
	refute_output --partial 'steps.q.output'
}

@test "validate -json lists the diagnostics" {
	manifest sigma.yaml <<'YAML'
bucket:
  abc: {versioning: maybe}
YAML
	run sg validate -json
	assert_failure 1
	echo "$output" | jq -e '.valid == false and .error_count == 1 and .diagnostics[0].range.start.line == 2 and .diagnostics[0].range.start.column == 21 and .diagnostics[0].address == "bucket.abc"'
}

@test "no sigma.yaml" {
	run sg validate
	assert_failure 1
	assert_output --partial "no sigma.yaml in $P"
}

@test "an unquoted \${...} in a flow mapping gets a hint to quote it" {
	manifest sigma.yaml <<'YAML'
variables:
  env: {default: dev}
bucket:
  out: {name: out-${var.env}}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'sigma.yaml:4:20: error: YAML syntax error'
	assert_output --partial 'must be quoted'
}

@test "settings belong in sigma.yaml" {
	manifest sigma.yaml <<'YAML'
bucket:
  abc: {}
YAML
	manifest extra.sigma.yaml <<'YAML'
sigma:
  local_root: elsewhere
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'extra.sigma.yaml:1:1: error: settings (sigma:) belong in sigma.yaml, not in extra.sigma.yaml'
}

@test "local_root moves the local world" {
	manifest sigma.yaml <<'YAML'
sigma:
  local_root: world
bucket:
  abc: {name: moved-bucket}
YAML
	run sg apply -auto-approve
	assert_success
	[ -d "$P/world/buckets/moved-bucket" ]
	[ ! -e "$P/.sigma/local" ]
	run sg query -dialect duckdb -format csv "SELECT 42 AS answer"
	assert_output $'answer\n42'
	[ -f "$P/world/warehouse.duckdb" ]
}

@test "a view's query that the BigQuery translation refuses is reported by validate, where it is" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {}
view:
  p:
    dataset: raw
    query: |
      SELECT *
      FROM ML.PREDICT(MODEL `raw.m`, TABLE `raw.t`)
  q: {dataset: raw, query: "SELECT APPROX_TOP_COUNT(x, 2) FROM raw.t"}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'sigma.yaml:8:12: error: view.p: query: line 2, col 6 of the query:'
	assert_output --partial 'ML.PREDICT'
	assert_output --partial 'sigma.yaml:9:36: error: view.q: query: line 1, col 8 of the query:'
	assert_output --partial 'APPROX_TOP_COUNT'
}
