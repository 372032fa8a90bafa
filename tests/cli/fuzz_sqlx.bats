#!/usr/bin/env bats
# A short libFuzzer run of the SQLX readers (fuzz/fuzz_sqlx.c): whole .sqlx
# files, config object literals and ${...} expressions, seeded with
# tests/fixtures/sqlx_fuzz_seeds, each under the three mode bytes (0 a .sqlx
# file, 1 a config literal, 2 a ${} expression). It
# builds the target with clang in build-fuzz/ (incremental after the first
# time) and skips when clang's libFuzzer is not installed.
#
#   FUZZ_SECONDS      how long to fuzz (default 20)
#   SIGMA_FUZZ_BUILD  the build directory (default SOURCE/build-fuzz)

bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load.bash'
load '/usr/lib/bats/bats-assert/load.bash'

have_libfuzzer() {
	command -v clang >/dev/null || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
		>"$BATS_TEST_TMPDIR/probe.c"
	clang -fsanitize=fuzzer,address "$BATS_TEST_TMPDIR/probe.c" -o "$BATS_TEST_TMPDIR/probe" 2>/dev/null
}

build_target() {
	build=${SIGMA_FUZZ_BUILD:-$SIGMA_SOURCE_DIR/build-fuzz}
	cmake -S "$SIGMA_SOURCE_DIR" -B "$build" -DCMAKE_C_COMPILER=clang -DSIGMA_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BATS_TEST_TMPDIR/cmake.log" 2>&1 ||
		fail "configure failed: $(tail -20 "$BATS_TEST_TMPDIR/cmake.log")"
	cmake --build "$build" --target fuzz_sqlx -j 2 >>"$BATS_TEST_TMPDIR/cmake.log" 2>&1 ||
		fail "build failed: $(tail -20 "$BATS_TEST_TMPDIR/cmake.log")"
}

# The mode byte a seed is meant for, from its extension.
mode_of() {
	case "$1" in
	*.sqlx) echo 0 ;;
	*.literal) echo 1 ;;
	*.subst) echo 2 ;;
	*) echo 0 ;;
	esac
}

@test "fuzz the SQLX readers for a short while" {
	have_libfuzzer || skip "clang with libFuzzer is not installed"
	build_target
	mkdir -p "$BATS_TEST_TMPDIR/corpus" "$BATS_TEST_TMPDIR/seeds"
	for f in "$SIGMA_SOURCE_DIR"/tests/fixtures/sqlx_fuzz_seeds/*; do
		for o in 0 1 2; do
			{ printf "\\x0$o"; cat "$f"; } >"$BATS_TEST_TMPDIR/seeds/$(basename "$f")-$o"
		done
	done
	run "$build/fuzz/fuzz_sqlx" -max_total_time="${FUZZ_SECONDS:-20}" -timeout=10 -max_len=4096 \
		-rss_limit_mb=2048 -artifact_prefix="$build/" "$BATS_TEST_TMPDIR/corpus" "$BATS_TEST_TMPDIR/seeds"
	[ "$status" -eq 0 ] || fail "the fuzzer found a failure (input saved in $build/): $(echo "$output" | tail -40)"
	assert_output --partial "Done"
}

@test "the fuzz target runs every seed under its own mode" {
	have_libfuzzer || skip "clang with libFuzzer is not installed"
	build_target
	# -runs=0 executes each given input once: a seed that crashes fails here
	for f in "$SIGMA_SOURCE_DIR"/tests/fixtures/sqlx_fuzz_seeds/*; do
		{ printf "\\x0$(mode_of "$f")"; cat "$f"; } >"$BATS_TEST_TMPDIR/$(basename "$f").in"
	done
	run "$build/fuzz/fuzz_sqlx" -runs=0 "$BATS_TEST_TMPDIR"/*.in
	[ "$status" -eq 0 ] || fail "$(echo "$output" | tail -40)"
}
