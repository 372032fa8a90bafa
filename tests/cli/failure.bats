#!/usr/bin/env bats
# A failure half-way: the state records exactly what was done, the error
# names the resource, and the next apply converges. Also a SIGKILL in the
# middle of a large apply.

load helpers

@test "a bucket that cannot be created fails the apply; the rest is recorded; a rerun converges" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {}
bucket:
  good: {name: good-bucket}
  blocked: {name: blocked-bucket, depends_on: [dataset.raw]}
table:
  after: {dataset: raw, schema: [{name: id, type: INT64}], depends_on: [bucket.blocked]}
YAML
	# something that is not a directory sits where the bucket must go
	mkdir -p "$P/.sigma/local/buckets"
	echo "in the way" >"$P/.sigma/local/buckets/blocked-bucket"
	run sg apply -auto-approve
	assert_failure 1
	assert_output --partial 'Error: bucket.blocked: creating: cannot create bucket directory'
	assert_output --partial 'a file of that name is in the way'
	# the state lists exactly what exists
	run jq -r '.resources | keys | join(",")' "$P/.sigma/state.json"
	assert_output 'bucket.good,dataset.raw'
	# what depended on the failed bucket was not started
	run wh "SELECT count(*) FROM information_schema.tables WHERE table_name = 'after'"
	assert_output 0
	run sg plan
	assert_output --partial 'Plan: 2 to add, 0 to change, 0 to destroy.'
	rm "$P/.sigma/local/buckets/blocked-bucket"
	run sg apply -auto-approve
	assert_success
	assert_output --partial 'Apply complete! Resources: 2 added, 0 changed, 0 destroyed.'
	run sg plan -detailed-exitcode
	assert_success
}

@test "a view whose SQL fails: the error names it, the table before it stays" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {}
table:
  t: {dataset: raw, schema: [{name: id, type: INT64}]}
view:
  v: {dataset: raw, query: "SELECT no_such_column FROM raw.t", depends_on: [table.t]}
YAML
	run sg apply -auto-approve
	assert_failure 1
	assert_output --partial 'Error: view.v: creating:'
	assert_output --partial 'no_such_column'
	run jq -r '.resources | keys | join(",")' "$P/.sigma/state.json"
	assert_output 'dataset.raw,table.t'
	run wh "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'"
	assert_output 1
	sed -i 's/no_such_column/id/' "$P/sigma.yaml"
	run sg apply -auto-approve
	assert_success
	assert_output --partial '1 added'
}

big_project() {
	{
		echo "dataset:"
		for d in 1 2 3; do echo "  d$d: {}"; done
		echo "bucket:"
		for i in $(seq 1 150); do echo "  b$i: {name: kill-bucket-$i}"; done
		echo "table:"
		for i in $(seq 1 150); do echo "  t$i: {dataset: d$((i % 3 + 1)), schema: [{name: id, type: INT64}], description: \"\${bucket.b$i.url}\"}"; done
	} >"$P/sigma.yaml"
}

# The world as it is: bucket directories and warehouse tables, sorted.
world() {
	{
		ls "$P/.sigma/local/buckets" 2>/dev/null | sed 's/^kill-bucket-/bucket.b/'
		wh "SELECT 'table.' || table_name FROM information_schema.tables WHERE table_schema LIKE 'd%'" 2>/dev/null
	} | sort
}

@test "SIGKILL in the middle of a large apply: the state is valid and matches the world; the next apply converges" {
	big_project
	for delay in 0.3 0.8 1.5; do
		rm -rf "$P/.sigma"
		"$SIGMA" -C "$P" apply -auto-approve -parallelism 4 >"$P/apply.out" 2>&1 &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		# the lock is left behind by the killed process: stale, removed by ID
		if [ -e "$P/.sigma/state.lock" ]; then
			id=$(jq -r .id "$P/.sigma/state.lock")
			run sg plan
			assert_failure 1
			assert_output --partial "sigma force-unlock $id"
			sg force-unlock "$id"
		fi
		# the state (document + journal) loads, and every resource it lists exists
		run sg plan
		assert_success
		listed=$("$SIGMA" -C "$P" output -json >/dev/null 2>&1; python3 - "$P" <<'PY'
import json, os, sys
p = sys.argv[1]
doc = {"resources": {}}
if os.path.exists(p + "/.sigma/state.json"):
    doc = json.load(open(p + "/.sigma/state.json"))
res = dict(doc["resources"])
j = p + "/.sigma/state.json.journal"
if os.path.exists(j):
    lines = open(j).read().split("\n")
    for line in lines[1:-1]:
        rec = json.loads(line)
        if rec["op"] == "put":
            res[rec["address"]] = rec["entry"]
        elif rec["op"] == "remove":
            res.pop(rec["address"], None)
for a in sorted(res):
    if a.startswith(("bucket.", "table.")):
        print(a)
PY
)
		actual=$(world)
		# everything the state lists exists in the world
		missing=$(comm -23 <(echo "$listed" | sed '/^$/d') <(echo "$actual" | sed '/^$/d'))
		[ -z "$missing" ] || { echo "in the state but not in the world: $missing"; false; }
		run sg apply -auto-approve
		assert_success
		run sg plan -detailed-exitcode
		assert_success
		# no duplicates, nothing orphaned: exactly the declared objects exist
		[ "$(ls "$P/.sigma/local/buckets" | wc -l)" -eq 150 ]
		[ "$(wh "SELECT count(*) FROM information_schema.tables WHERE table_schema LIKE 'd%'")" -eq 150 ]
		[ "$(jq '.resources | length' "$P/.sigma/state.json")" -eq 303 ]
		[ ! -e "$P/.sigma/state.json.journal" ]
	done
}

@test "a corrupt state file is refused and left untouched" {
	manifest sigma.yaml <<'YAML'
bucket:
  one: {name: corrupt-one}
YAML
	sg apply -auto-approve >/dev/null
	head -c 40 "$P/.sigma/state.json" >"$P/broken" && cp "$P/broken" "$P/.sigma/state.json"
	before=$(sha256sum "$P/.sigma/state.json")
	run sg plan
	assert_failure 1
	assert_output --partial "state.json is corrupt"
	assert_output --partial "state.json.backup"
	run sg apply -auto-approve
	assert_failure 1
	[ "$(sha256sum "$P/.sigma/state.json")" = "$before" ]
}

@test "a state from a newer format version is refused" {
	manifest sigma.yaml <<'YAML'
bucket:
  one: {name: newer-one}
YAML
	mkdir -p "$P/.sigma"
	echo '{"format_version": 99, "serial": 1, "lineage": "x", "resources": {}}' >"$P/.sigma/state.json"
	run sg plan
	assert_failure 1
	assert_output --partial 'has format version 99, newer than this sigma understands (1)'
}

@test "every apply keeps the previous state as the backup" {
	manifest sigma.yaml <<'YAML'
bucket:
  one: {name: backup-one}
YAML
	sg apply -auto-approve >/dev/null
	manifest sigma.yaml <<'YAML'
bucket:
  one: {name: backup-one}
  two: {name: backup-two}
YAML
	sg apply -auto-approve >/dev/null
	run jq -r '.serial, (.resources | length)' "$P/.sigma/state.json.backup"
	assert_output $'1\n1'
	run jq -r '.serial, (.resources | length)' "$P/.sigma/state.json"
	assert_output $'2\n2'
}

@test "an ingestion-time partitioned table left by a killed apply is adopted" {
	manifest sigma.yaml <<'YAML'
dataset:
  raw: {}
table:
  land: {dataset: raw, schema: [{name: id, type: INT64}], partitioning: {type: DAY}}
YAML
	sg apply -auto-approve >/dev/null
	# forget it as a killed apply would have: the table exists, the state does not know it
	sg state rm table.land >/dev/null
	run sg apply -auto-approve
	assert_success
	assert_output --partial 'table.land: Creation complete'
	run sg plan -detailed-exitcode
	assert_success
}
