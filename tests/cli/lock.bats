#!/usr/bin/env bats
# The state lock: a second plan/apply fails at once naming the holder, or
# waits with -lock-timeout; a lock whose process is gone is stale and only
# force-unlock removes it.

load helpers

project() {
	manifest sigma.yaml <<'YAML'
bucket:
  one: {name: lock-one}
  two: {name: lock-two}
YAML
}

# Start an apply that holds the lock while it waits at its prompt.
# Its terminal input comes from the fifo $P/in; answer with `answer yes|no`.
start_waiting_apply() {
	mkfifo "$P/in"
	# (bats runs with errexit: keep the exit code instead of dying on it)
	( rc=0; script -qec "$SIGMA -C $P apply" /dev/null <"$P/in" >"$P/first.out" 2>&1 || rc=$?; echo "$rc" >"$P/first.rc" ) &
	exec 7>"$P/in"
	for _ in $(seq 1 100); do
		grep -q "Enter a value" "$P/first.out" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "the first apply never reached its prompt" >&2
	cat "$P/first.out" >&2
	return 1
}

answer() {
	echo "$1" >&7
	exec 7>&-
	for _ in $(seq 1 100); do
		[ -s "$P/first.rc" ] && return 0
		sleep 0.1
	done
	echo "the first apply did not finish after the answer:" >&2
	cat "$P/first.out" >&2
	return 1
}

@test "a second apply fails at once, naming the holder" {
	project
	start_waiting_apply
	run sg apply -auto-approve
	assert_failure 1
	assert_output --regexp "the state is locked: held by pid [0-9]+ on $(hostname), running \"sigma -C $P apply\" since [0-9T:Z-]+ \(lock ID [0-9a-f-]{36}\)"
	run sg plan
	assert_failure 1
	assert_output --partial "the state is locked: held by pid"
	answer no
	[ "$(cat "$P/first.rc")" = 1 ]
	# the lock is gone with its holder; nothing was created
	[ ! -e "$P/.sigma/state.lock" ]
	run sg apply -auto-approve
	assert_success
}

@test "-lock-timeout waits for the holder to finish" {
	project
	start_waiting_apply
	( sleep 1; echo yes >&7; exec 7>&- ) &
	run sg apply -auto-approve -lock-timeout 20s
	assert_success
	wait
	[ "$(cat "$P/first.rc")" = 0 ]
	assert_output --partial 'No changes.'
}

@test "a stale lock is reported with its ID and removed only by force-unlock" {
	project
	mkdir -p "$P/.sigma"
	cat >"$P/.sigma/state.lock" <<JSON
{"id": "11111111-2222-4333-8444-555555555555", "pid": 999999, "host": "$(hostname)", "time": "2026-01-01T00:00:00Z", "command": "sigma apply"}
JSON
	run sg apply -auto-approve
	assert_failure 1
	assert_output --partial 'the state is locked by a process that is gone: pid 999999'
	assert_output --partial 'sigma force-unlock 11111111-2222-4333-8444-555555555555'
	[ -e "$P/.sigma/state.lock" ]
	run sg force-unlock 99999999-0000-4000-8000-000000000000
	assert_failure 1
	assert_output --partial 'the lock ID is 11111111-2222-4333-8444-555555555555, not 99999999'
	[ -e "$P/.sigma/state.lock" ]
	run sg force-unlock 11111111-2222-4333-8444-555555555555
	assert_success
	[ ! -e "$P/.sigma/state.lock" ]
	run sg apply -auto-approve
	assert_success
}

@test "a lock held by a live process on another host is not called stale" {
	project
	mkdir -p "$P/.sigma"
	echo '{"id": "x-1", "pid": 1, "host": "build-agent-7", "time": "2026-01-01T00:00:00Z", "command": "sigma apply"}' >"$P/.sigma/state.lock"
	run sg plan
	assert_failure 1
	assert_output --partial 'the state is locked: held by pid 1 on build-agent-7'
}
