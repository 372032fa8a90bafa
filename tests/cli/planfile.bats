#!/usr/bin/env bats
# Saved plans (plan -out, apply FILE, show) and the JSON plan (plan -json).

load helpers

project() {
	manifest sigma.yaml <<'YAML'
variables:
  env: {type: string, default: dev}
  token: {type: string, sensitive: true}
bucket:
  data: {name: "pf-${var.env}", labels: {token_hash: none}}
workflow_template:
  hook:
    steps:
      - {id: h, kind: http, url: "https://x.invalid", headers: {Authorization: "${var.token}"}}
outputs:
  url: ${bucket.data.url}
YAML
}

@test "plan -out then apply FILE applies exactly that plan, without asking" {
	project
	run sg plan -out my.plan -var token=t0p -var env=qa
	assert_success
	assert_output --partial 'Saved the plan to: my.plan'
	[ -f "$P/my.plan" ]
	[ "$(stat -c %a "$P/my.plan")" = 600 ]
	! grep -q 't0p' "$P/my.plan"
	# stdin is not a terminal, and no -auto-approve: a saved plan needs neither
	run env SIGMA_VAR_token=t0p "$SIGMA" -C "$P" apply my.plan </dev/null
	assert_success
	assert_output --partial 'Apply complete! Resources: 2 added'
	[ -d "$P/.sigma/local/buckets/pf-qa" ]
}

@test "a saved plan is stale after a concurrent apply" {
	project
	sg plan -out my.plan -var token=t0p >/dev/null
	sg apply -auto-approve -var token=t0p >/dev/null
	run sg apply -var token=t0p my.plan
	assert_failure 1
	assert_output --partial 'Saved plan is stale'
	sg plan -out second.plan -var token=t0p >/dev/null
	sed -i 's/token_hash: none/token_hash: other/' "$P/sigma.yaml"
	sg apply -auto-approve -var token=t0p >/dev/null
	run sg apply -var token=t0p second.plan
	assert_failure 1
	assert_output --partial 'Saved plan is stale: the manifests changed since it was made'
}

@test "a saved plan is stale after a manifest edit, and nothing is changed" {
	project
	sg plan -out my.plan -var token=t0p >/dev/null
	echo "# an edit" >>"$P/sigma.yaml"
	run sg apply -var token=t0p my.plan
	assert_failure 1
	assert_output --partial 'Saved plan is stale: the manifests changed since it was made'
	[ ! -e "$P/.sigma/local/buckets" ]
}

@test "a saved plan takes its variables from the file; sensitive ones must match" {
	project
	sg plan -out my.plan -var env=prod -var token=t0p >/dev/null
	run sg apply -var env=dev my.plan
	assert_failure 1
	assert_output --partial 'the plan file fixes variable env'
	run sg apply my.plan
	assert_failure 1
	assert_output --partial 'variable token is sensitive, so the plan file does not hold it'
	run sg apply -var token=other my.plan
	assert_failure 1
	assert_output --partial 'Saved plan is stale: sensitive variable token has another value'
	run sg apply -var token=t0p my.plan
	assert_success
	[ -d "$P/.sigma/local/buckets/pf-prod" ]
}

@test "show prints a saved plan, -json its JSON plan" {
	project
	sg plan -out my.plan -var token=t0p >/dev/null
	run sg show my.plan
	assert_success
	assert_line '  # bucket.data will be created'
	assert_output --partial 'Plan: 2 to add, 0 to change, 0 to destroy.'
	run sg show -json my.plan
	echo "$output" | jq -e '.format_version == "1.0" and (.resource_changes | length) == 2'
	run sg show nope.plan
	assert_failure 1
}

@test "plan -json: actions, unknowns, sensitivity, replace paths; no secret in it" {
	project
	run sg plan -json -var token=t0p
	assert_success
	refute_output --partial 't0p'
	echo "$output" | jq -e '
	  .format_version == "1.0" and
	  (.resource_changes[] | select(.address == "bucket.data") |
	     .change.actions == ["create"] and .change.before == null and
	     .change.after.name == "pf-dev" and .change.after.url == null and .change.after_unknown.url == true) and
	  (.resource_changes[] | select(.address == "workflow_template.hook") |
	     .change.after.steps == null and .change.after_sensitive.steps == true) and
	  .output_changes.url.actions == ["create"] and .output_changes.url.after_unknown == true and
	  .resource_drift == []'
	sg apply -auto-approve -var token=t0p >/dev/null
	run sg plan -json -var token=t0p -var env=prod
	echo "$output" | jq -e '
	  (.resource_changes[] | select(.address == "bucket.data") |
	     .change.actions == ["delete", "create"] and .change.replace_paths == [["name"]] and
	     .change.before.name == "pf-dev" and .change.after.name == "pf-prod") and
	  (.resource_changes[] | select(.address == "workflow_template.hook") |
	     .change.actions == ["no-op"] and .change.before.steps == null and .change.before_sensitive.steps == true)'
}
