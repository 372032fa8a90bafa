#!/usr/bin/env bats
# Secrets never appear in clear in the state, the plan, the output or logs;
# a change to one is still detected.

load helpers

SECRET='tok-9f8e7d6c5b4a-very-secret'

project() {
	manifest sigma.yaml <<'YAML'
variables:
  webhook_token: {type: string, sensitive: true}
workflow_template:
  alerting:
    steps:
      - id: notify
        kind: http
        url: https://hooks.example.invalid/x
        headers: {Authorization: "Bearer ${var.webhook_token}"}
outputs:
  auth_header:
    value: "Bearer ${var.webhook_token}"
  template: ${workflow_template.alerting.name}
YAML
}

@test "a sensitive variable stays out of the plan, the apply output, the state and sigma output" {
	project
	run sg plan -var "webhook_token=$SECRET"
	assert_success
	refute_output --partial "$SECRET"
	assert_output --partial '+ steps = (sensitive value)'
	assert_output --partial '+ auth_header = (sensitive value)'
	run sg apply -auto-approve -var "webhook_token=$SECRET"
	assert_success
	refute_output --partial "$SECRET"
	assert_output --partial 'auth_header = <sensitive>'
	! grep -rq "$SECRET" "$P/.sigma/state.json"
	run jq -r '.resources["workflow_template.alerting"].sensitive_attributes.steps' "$P/.sigma/state.json"
	assert_output --regexp '^hmac-sha256:[0-9a-f]{32}:[0-9a-f]{64}$'
	run sg output
	refute_output --partial "$SECRET"
	assert_line 'auth_header = <sensitive>'
	run sg output auth_header
	assert_failure 1
	assert_output --partial 'is sensitive'
	run sg output -json
	refute_output --partial "$SECRET"
}

@test "the same secret plans no change; a new one is detected" {
	project
	sg apply -auto-approve -var "webhook_token=$SECRET" >/dev/null
	run env "SIGMA_VAR_webhook_token=$SECRET" "$SIGMA" -C "$P" plan -detailed-exitcode
	assert_success
	assert_output --partial 'No changes.'
	run sg plan -detailed-exitcode -var "webhook_token=rotated-$SECRET"
	assert_failure 2
	refute_output --partial "$SECRET"
	assert_output --partial '~ steps = (sensitive value)'
	assert_output --partial '~ auth_header = (sensitive value)'
}

@test "errors do not echo a sensitive value" {
	project
	run sg plan -var "webhook_token=$SECRET" -var "nope=$SECRET"
	assert_failure 1
	assert_output --partial 'variable "nope" is not declared'
	refute_output --partial "$SECRET"
}
