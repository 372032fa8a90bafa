# Shared set-up for sigma's CLI tests: each test gets a fresh project
# directory $P; `sg ARGS` runs the real binary on it.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

: "${SIGMA:?SIGMA must point at the sigma binary}"
export NO_COLOR=1

setup() {
	P=$(mktemp -d "${BATS_TMPDIR:-/tmp}/sigma-test.XXXXXX")
	export P
}

teardown() {
	[ -n "${P:-}" ] && rm -rf "$P"
}

sg() {
	"$SIGMA" -C "$P" "$@"
}

# write FILE (relative to $P) from stdin
manifest() {
	cat >"$P/$1"
}

# the state as compact JSON
state_json() {
	cat "$P/.sigma/state.json"
}

# a query on the local warehouse, as CSV without the header
wh() {
	"$SIGMA" -C "$P" query -dialect duckdb -format csv "$1" | tail -n +2
}
