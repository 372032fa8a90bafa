#!/usr/bin/env bash
# bench/plan_scale: how validate, a first apply and a no-change plan scale with
# the number of resources in a project.
#
#   bench/plan_scale/run.sh [SIZES...]        (default: 1000 10000)
#
# For each size N, gen.py writes one project of N resources of mixed kinds with
# references between them. Then:
#   validate        run VALIDATE_RUNS times on the generated project
#   apply (first)   run APPLY_RUNS times, each on a fresh copy without .sigma/
#   plan            a no-change plan on the last applied copy, PLAN_RUNS times
#   plan (1 core)   the same, pinned with `taskset -c 0`
# Each figure is the median wall time and the largest peak RSS over the runs,
# both from /usr/bin/time -f '%e %M'. The target of the issue is printed
# beside the plan figures at 10,000 resources: < 1 s and < 200 MiB on one core.
#
# Environment:
#   SIGMA          the binary (default: build/sigma of this checkout)
#   OUT            where projects and logs go (default: bench/out/plan_scale,
#                  ignored by git); it is emptied first
#   VALIDATE_RUNS  default 5
#   PLAN_RUNS      default 5
#   APPLY_RUNS     default 3 below 10,000 resources, 1 from 10,000 up (a first
#                  apply of 10,000 resources takes minutes)
#
# The bench fails (exit 1) when any command fails, when a first apply does not
# add N resources, or when the plan after it does not print "No changes.".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SIGMA=${SIGMA:-$root/build/sigma}
OUT=${OUT:-$root/bench/out/plan_scale}
VALIDATE_RUNS=${VALIDATE_RUNS:-5}
PLAN_RUNS=${PLAN_RUNS:-5}
TIME=/usr/bin/time

TARGET_N=10000
TARGET_S=1
TARGET_MIB=200

die() { printf 'plan_scale: %s\n' "$*" >&2; exit 1; }

[[ -x $SIGMA ]] || die "no sigma binary at $SIGMA (run make build)"
[[ -x $TIME ]] || die "need GNU time at $TIME (apt-get install time)"
command -v taskset >/dev/null || die "need taskset (util-linux) for the one-core plan"
command -v python3 >/dev/null || die "need python3 for gen.py"

sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000 10000)
for n in "${sizes[@]}"; do
	[[ $n =~ ^[0-9]+$ ]] || die "size must be a number, got \"$n\""
done

rm -rf "$OUT"
mkdir -p "$OUT"

# time_once LOG CMD... : run CMD with stdout+stderr to LOG; append "WALL RSS_KB"
# to $OUT/times; fail loudly (with the log's tail) when CMD fails.
time_once() {
	local log=$1
	shift
	if ! "$TIME" -f '%e %M' -o "$OUT/time.tmp" "$@" >"$log" 2>&1; then
		tail -20 "$log" >&2
		die "failed: $* (log: $log)"
	fi
	cat "$OUT/time.tmp" >>"$OUT/times"
}

# summarize: "MEDIAN_S MAX_RSS_MIB MIN_S MAX_S" of the runs in $OUT/times
summarize() {
	python3 - "$OUT/times" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
wall = [float(r[0]) for r in rows]
rss = [int(r[1]) for r in rows]
print("%.2f %.1f %.2f %.2f" % (statistics.median(wall), max(rss) / 1024, min(wall), max(wall)))
EOF
}

results=()   # "N|what|runs|median|rss|min|max"

# record N WHAT RUNS: summarize $OUT/times as one row of the table
record() {
	local n=$1 what=$2 runs=$3
	read -r med rss lo hi < <(summarize)
	results+=("$n|$what|$runs|$med|$rss|$lo|$hi")
	printf 'plan_scale: %6d %-14s median %6ss  peak RSS %7s MiB  (%s runs, %s-%ss)\n' \
		"$n" "$what" "$med" "$rss" "$runs" "$lo" "$hi" >&2
}

check_no_changes() {
	grep -q '^No changes\.' "$1" || { tail -20 "$1" >&2; die "the plan after apply is not a no-change plan (log: $1)"; }
}

for n in "${sizes[@]}"; do
	apply_runs=${APPLY_RUNS:-$([[ $n -ge 10000 ]] && echo 1 || echo 3)}
	src=$OUT/$n/project
	mkdir -p "$OUT/$n/logs"
	python3 "$here/gen.py" "$n" "$src" >&2

	# validate: also the check that the generated project is valid at all
	: >"$OUT/times"
	for ((i = 1; i <= VALIDATE_RUNS; i++)); do
		time_once "$OUT/$n/logs/validate.$i" "$SIGMA" -C "$src" validate
	done
	grep -q "configuration is valid: $n resources" "$OUT/$n/logs/validate.1" ||
		die "validate does not count $n resources (log: $OUT/$n/logs/validate.1)"
	record "$n" validate "$VALIDATE_RUNS"

	# first apply: a fresh copy each run, so every run creates everything
	: >"$OUT/times"
	for ((i = 1; i <= apply_runs; i++)); do
		dir=$OUT/$n/apply.$i
		rm -rf "$dir" "$OUT/$n/apply.$((i - 1))"
		cp -r "$src" "$dir"
		rm -rf "$dir/.sigma"
		time_once "$OUT/$n/logs/apply.$i" "$SIGMA" -C "$dir" apply -auto-approve
		grep -q "Apply complete! Resources: $n added, 0 changed, 0 destroyed" "$OUT/$n/logs/apply.$i" ||
			die "apply did not add $n resources (log: $OUT/$n/logs/apply.$i)"
	done
	record "$n" "apply (first)" "$apply_runs"
	applied=$dir

	# no-change plan on the last applied copy
	: >"$OUT/times"
	for ((i = 1; i <= PLAN_RUNS; i++)); do
		time_once "$OUT/$n/logs/plan.$i" "$SIGMA" -C "$applied" plan
		check_no_changes "$OUT/$n/logs/plan.$i"
	done
	record "$n" plan "$PLAN_RUNS"

	: >"$OUT/times"
	for ((i = 1; i <= PLAN_RUNS; i++)); do
		time_once "$OUT/$n/logs/plan1.$i" taskset -c 0 "$SIGMA" -C "$applied" plan
		check_no_changes "$OUT/$n/logs/plan1.$i"
	done
	record "$n" "plan (1 core)" "$PLAN_RUNS"
done
rm -f "$OUT/times" "$OUT/time.tmp"

# The table (Markdown, so it can go to docs/BENCHMARKS.md as it is)
verdict() {
	local n=$1 what=$2 med=$3 rss=$4
	if [[ $n -ne $TARGET_N || ($what != plan && $what != "plan (1 core)") ]]; then
		printf ' | '
		return
	fi
	local ok_t ok_m
	ok_t=$(python3 -c "print('met' if $med < $TARGET_S else 'MISSED')")
	ok_m=$(python3 -c "print('met' if $rss < $TARGET_MIB else 'MISSED')")
	printf '< %s s: %s | < %s MiB: %s' "$TARGET_S" "$ok_t" "$TARGET_MIB" "$ok_m"
}

printf '\n| resources | command | runs | median wall (s) | min–max (s) | peak RSS (MiB) | target: time | target: memory |\n'
printf '| ---: | --- | ---: | ---: | ---: | ---: | --- | --- |\n'
for r in "${results[@]}"; do
	IFS='|' read -r n what runs med rss lo hi <<<"$r"
	v=$(verdict "$n" "$what" "$med" "$rss")
	printf '| %s | %s | %s | %s | %s–%s | %s | %s |\n' "$n" "$what" "$runs" "$med" "$lo" "$hi" "$rss" "$v"
done
