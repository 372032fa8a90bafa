#!/usr/bin/env bats
# Stages (iac -> initial-data -> workflow), -target, and the state and graph commands.

load helpers

funnel() {
	cp -r "$SIGMA_SOURCE_DIR/examples/funnel/." "$P/"
}

land_data() {
	mkdir -p "$P/.sigma/local/buckets/funnel-landing/dia" "$P/.sigma/local/buckets/funnel-landing/eventos/dt=2026-01-01"
	printf 'fecha;etapa;clientes;monto\n2026-01-02;visita;10;0\n' >"$P/.sigma/local/buckets/funnel-landing/dia/d1.csv"
	sg query -dialect duckdb "COPY (SELECT 'click' AS evento, 3 AS n) TO '$P/.sigma/local/buckets/funnel-landing/eventos/dt=2026-01-01/p.parquet' (FORMAT PARQUET)" >/dev/null
}

@test "seed 003's bootstrap, stage by stage; a stage before its predecessor is refused" {
	funnel
	run sg plan -stage initial-data
	assert_failure 1
	assert_output --partial 'stage initial-data cannot be applied before stage iac, which has never been applied: run sigma apply -stage iac first'
	run sg apply -auto-approve -stage workflow
	assert_failure 1
	assert_output --partial 'before stage iac'
	[ ! -e "$P/.sigma/local/buckets" ]

	run sg apply -auto-approve -stage iac
	assert_success
	assert_output --partial 'Stage iac only (-stage iac).'
	assert_output --partial 'Note: 6 more changes are left out: they belong to other stages (-stage).'
	refute_output --partial 'external_table.'
	refute_output --partial 'scheduler.'
	run jq -r '.resources | keys[]' "$P/.sigma/state.json"
	refute_output --partial external_table
	refute_output --partial scheduler
	run sg state stages
	assert_line --regexp '^iac +12 +[0-9T:Z-]+ \(serial 1\)$'
	assert_line --regexp '^initial-data +2 +never$'

	run sg apply -auto-approve -stage initial-data
	assert_failure 1
	assert_output --partial 'match no object yet'
	run sg state stages
	assert_line --regexp '^initial-data +2 +never$'
	land_data
	run sg apply -auto-approve -stage initial-data
	assert_success
	assert_output --partial 'Resources: 2 added'
	run sg apply -auto-approve -stage workflow
	assert_success
	assert_output --partial 'Resources: 4 added'
	run sg state stages
	assert_line --regexp '^workflow +4 +[0-9T:Z-]+ \(serial [0-9]+\)$'
	run sg plan -detailed-exitcode
	assert_success
}

@test "without -stage the stages go in order: nothing of a stage starts before the previous one is done" {
	funnel
	land_data
	run sg apply -auto-approve -parallelism 8
	assert_success
	last_iac=$(grep -n -E '^(bucket|dataset|table|view|workflow_template)\.[^:]+: Creation complete' <<<"$output" | tail -1 | cut -d: -f1)
	first_ext=$(grep -n -E '^external_table\.[^:]+: Creating' <<<"$output" | head -1 | cut -d: -f1)
	last_ext=$(grep -n -E '^external_table\.[^:]+: Creation complete' <<<"$output" | tail -1 | cut -d: -f1)
	first_sched=$(grep -n -E '^scheduler\.[^:]+: Creating' <<<"$output" | head -1 | cut -d: -f1)
	[ "$last_iac" -lt "$first_ext" ]
	[ "$last_ext" -lt "$first_sched" ]
	run sg state stages
	assert_line --regexp '^workflow +4 +[0-9T:Z-]+'
}

@test "a resource cannot depend on one of a later stage" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {}
bucket:
  land: {name: later-stage-land}
external_table:
  ext: {dataset: raw, format: CSV, source_uris: ["gs://later-stage-land/*.csv"]}
view:
  v: {dataset: raw, query: "SELECT * FROM raw.ext", depends_on: [external_table.ext]}
YAML
	run sg validate
	assert_failure 1
	assert_output --partial 'view.v: it is in stage iac but depends on external_table.ext, of the later stage initial-data (stages apply in order); give it stage: initial-data'
}

@test "-target plans and applies the named resource and what it needs, with a warning" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {}
  other: {}
table:
  t: {dataset: raw, schema: [{name: id, type: INT64}]}
bucket:
  lone: {name: target-lone}
YAML
	run sg plan -target table.t
	assert_success
	assert_output --partial '-target: this plan is partial'
	assert_output --partial '# table.t will be created'
	assert_output --partial '# dataset.raw will be created'
	refute_output --partial 'dataset.other'
	assert_output --partial 'Plan: 2 to add, 0 to change, 0 to destroy.'
	assert_output --partial 'Note: 2 more changes are left out: they are not targeted (-target).'
	run sg apply -auto-approve -target table.t
	assert_success
	run sg state list
	assert_output $'dataset.raw\ntable.t'
	run sg plan -target bucket.nope
	assert_failure 1
	assert_output --partial '-target bucket.nope: no such resource in the manifests or the state'
	run sg destroy -auto-approve -target dataset.raw
	assert_success
	assert_output --partial 'Resources: 2 destroyed.'
	run sg state list
	assert_output ''
}

@test "state list, show, pull" {
	manifest sigma.yaml <<'YAML'
variables:
  tok: {type: string, sensitive: true, default: "hush-hush-value"}
bucket:
  a: {name: state-a, labels: {k: v}}
  b: {name: state-b, labels: {t: "${var.tok}"}}
dataset:
  raw: {}
YAML
	sg apply -auto-approve >/dev/null
	run sg state list
	assert_output $'bucket.a\nbucket.b\ndataset.raw'
	run sg state list bucket.
	assert_output $'bucket.a\nbucket.b'
	run sg state show bucket.a
	assert_success
	assert_line '# bucket.a:'
	assert_line 'resource "bucket" "a" {'
	assert_line --regexp '^    name +=  *"state-a"$'
	run sg state show bucket.b
	assert_line --regexp '^    labels +=  *\(sensitive value\)$'
	refute_output --partial 'hush-hush'
	run sg state show bucket.zz
	assert_failure 1
	assert_output --partial 'no resource bucket.zz in the state'
	run sg state pull
	echo "$output" | jq -e '.format_version == 1 and (.resources | length) == 3'
	refute_output --partial 'hush-hush'
}

@test "state rm forgets a resource; the object stays; the next plan would create it again" {
	manifest sigma.yaml <<'YAML'
bucket:
  a: {name: rm-a}
YAML
	sg apply -auto-approve >/dev/null
	run sg state rm bucket.a
	assert_success
	assert_output --partial 'Removed bucket.a'
	[ -d "$P/.sigma/local/buckets/rm-a" ]
	run sg state list
	assert_output ''
	run sg plan
	assert_output --partial '# bucket.a will be created'
	# the existing directory is adopted: the apply converges
	run sg apply -auto-approve
	assert_success
	run sg state rm bucket.nope
	assert_failure 1
}

@test "state mv after a rename in the manifests: no recreation" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {}
table:
  old_name: {name: events, dataset: raw, schema: [{name: id, type: INT64}]}
view:
  v: {dataset: raw, query: "SELECT id FROM raw.events", depends_on: [table.old_name]}
YAML
	sg apply -auto-approve >/dev/null
	sg query -dialect duckdb "INSERT INTO raw.events VALUES (1), (2)" >/dev/null
	sed -i 's/old_name:/new_name:/; s/table.old_name/table.new_name/' "$P/sigma.yaml"
	run sg plan
	assert_output --partial '# table.old_name will be destroyed'
	assert_output --partial '# table.new_name will be created'
	run sg state mv table.old_name table.new_name
	assert_success
	assert_output --partial 'Move "table.old_name" to "table.new_name"'
	run sg plan -detailed-exitcode
	assert_success
	assert_output --partial 'No changes.'
	run wh "SELECT count(*) FROM raw.events"
	assert_output 2
	run jq -r '.resources["view.v"].dependencies | sort | .[]' "$P/.sigma/state.json"
	assert_output $'dataset.raw\ntable.new_name'
	run sg state mv table.new_name bucket.x
	assert_failure 1
	assert_output --partial 'state mv moves within one kind'
}

@test "graph prints DOT with the stages as clusters" {
	funnel
	run sg graph
	assert_success
	assert_line 'digraph sigma {'
	assert_line '  subgraph "cluster_initial-data" {'
	assert_output --partial '"external_table.funnel_landing_dia";'
	assert_output --partial '  "scheduler.dia" -> "workflow_template.carga_dia";'
	assert_output --partial '  "table.funnel_dia" -> "dataset.trusted";'
}
