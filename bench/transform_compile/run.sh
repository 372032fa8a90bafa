#!/usr/bin/env bash
# bench/transform_compile: `sigma transform compile --json` beside the Dataform
# CLI's `dataform compile --json` on the same generated Dataform projects.
#
#   bench/transform_compile/run.sh [RUNS]          (default 5 runs of sigma)
#
# For each size N (default 100, 1000, 5000 actions), gen.py writes a project
# into $OUT/N. Then, alternating, RUNS runs of
#     sigma transform compile --json $OUT/N > /dev/null
# and RUNS_DATAFORM runs of, inside $OUT/N,
#     dataform compile --json --timeout 30m > /dev/null
# each a process of its own under measure.py: wall time, and the peak RSS of
# the whole process tree (Dataform compiles in a worker process that GNU
# time's %M does not see; see measure.py). Printed: the medians side by side
# and the speed-up (Dataform's median / sigma's). The first run of each also
# keeps its JSON, and graph.py (tests/fixtures/sqlx) compares the two graphs:
# the "same graph" column says whether sigma compiled what Dataform did.
#
# Dataform's time includes what `dataform compile` always does for a project
# with workflow_settings.yaml: copy the project to a temporary directory and
# `npm i` @dataform/core 3.0.62 there (from npm's cache, with one registry
# request), then compile in a worker process.
#
# Environment:
#   SIGMA          the binary (default: build/sigma of this checkout)
#   DATAFORM       the Dataform CLI (default: bench/out/dataform/node_modules/
#                  .bin/dataform, installed there with
#                  `npm install @dataform/cli@3.0.69` when missing)
#   SIZES          default "100 1000 5000"
#   RUNS_DATAFORM  default 3 (Dataform takes minutes at 5,000 actions)
#   SKIP_SIGMA=1   measure Dataform alone (until sigma has transform compile)
#   OUT            default bench/out/transform_compile (ignored by git)
#
# The bench fails (exit 1) when a command fails, or when build/sigma has no
# working `transform compile`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
RUNS=${1:-5}
RUNS_DATAFORM=${RUNS_DATAFORM:-3}
SIZES=${SIZES:-100 1000 5000}
SIGMA=${SIGMA:-$root/build/sigma}
OUT=${OUT:-$root/bench/out/transform_compile}
SKIP_SIGMA=${SKIP_SIGMA:-0}
DF_VERSION=3.0.69
DF_HOME=$root/bench/out/dataform
DATAFORM=${DATAFORM:-$DF_HOME/node_modules/.bin/dataform}
GRAPH=$root/tests/fixtures/sqlx/graph.py
MEASURE=$here/measure.py

die() { printf 'transform_compile: %s\n' "$*" >&2; exit 1; }
log() { printf 'transform_compile: %s\n' "$*" >&2; }

for v in "$RUNS" "$RUNS_DATAFORM"; do
	[[ $v =~ ^[0-9]+$ ]] || die "run counts must be numbers, got \"$v\""
done
read -r -a sizes <<<"$SIZES"
[[ ${#sizes[@]} -gt 0 ]] || die "SIZES is empty"
for n in "${sizes[@]}"; do
	[[ $n =~ ^[0-9]+$ && $n -ge 10 ]] || die "a size must be a number >= 10, got \"$n\""
done
command -v python3 >/dev/null || die "need python3"
[[ -x /usr/bin/time ]] || die "need GNU time at /usr/bin/time (apt-get install time)"
[[ $SKIP_SIGMA == 1 ]] && RUNS=0
[[ $RUNS -gt 0 || $RUNS_DATAFORM -gt 0 ]] || die "nothing to run"

mkdir -p "$OUT/logs"

# ------------------------------------------------------------ the Dataform CLI
if [[ ! -x $DATAFORM ]]; then
	[[ $DATAFORM == "$DF_HOME/node_modules/.bin/dataform" ]] || die "DATAFORM=$DATAFORM is not executable"
	command -v npm >/dev/null || die "need npm (Node.js) to install @dataform/cli@$DF_VERSION"
	log "installing @dataform/cli@$DF_VERSION into $DF_HOME"
	mkdir -p "$DF_HOME"
	(cd "$DF_HOME" && npm install --no-audit --no-fund "@dataform/cli@$DF_VERSION" >"$OUT/logs/npm-install.log" 2>&1) ||
		{ tail -20 "$OUT/logs/npm-install.log" >&2; die "npm install @dataform/cli@$DF_VERSION failed"; }
fi
df_version=$("$DATAFORM" --version 2>/dev/null) || die "$DATAFORM --version failed"
[[ $df_version == "$DF_VERSION" ]] || log "warning: Dataform CLI $df_version, not $DF_VERSION"

# ------------------------------------------------------------ projects
for n in "${sizes[@]}"; do
	python3 "$here/gen.py" "$n" "$OUT/$n"
	mkdir -p "$OUT/logs/$n"
done

# ------------------------------------------------------------ sigma can compile?
if [[ $RUNS -gt 0 ]]; then
	[[ -x $SIGMA ]] || die "no sigma binary at $SIGMA (run make build, or SKIP_SIGMA=1 for Dataform alone)"
	probe=$OUT/logs/sigma-probe
	if ! "$SIGMA" transform compile --json "$OUT/${sizes[0]}" >"$probe.out" 2>"$probe.err"; then
		die "$SIGMA has no working 'transform compile' yet: 'sigma transform compile --json $OUT/${sizes[0]}' failed:
$(head -5 "$probe.err")
(SKIP_SIGMA=1 measures Dataform alone)"
	fi
	python3 "$GRAPH" "$probe.out" >/dev/null ||
		die "'sigma transform compile --json' does not print a compiled graph (see $probe.out)"
fi

# ------------------------------------------------------------ runs
# one_run TOOL N I: append "WALL_S PEAK_KB" to $OUT/logs/N/TOOL.times
one_run() {
	local tool=$1 n=$2 i=$3 dir=$OUT/$2 logs=$OUT/logs/$2 m json=/dev/null
	[[ $i -eq 1 ]] && json=$logs/$tool.json
	if [[ $tool == sigma ]]; then
		m=$("$MEASURE" -o "$json" -- "$SIGMA" transform compile --json "$dir" 2>"$logs/$tool.err") ||
			{ tail -20 "$logs/$tool.err" >&2; die "sigma transform compile failed at N=$n (log: $logs/$tool.err)"; }
	else
		m=$("$MEASURE" -C "$dir" -o "$json" -- "$DATAFORM" compile --json --timeout 30m 2>"$logs/$tool.err") ||
			{ tail -20 "$logs/$tool.err" >&2; die "dataform compile failed at N=$n (log: $logs/$tool.err)"; }
	fi
	read -r wall peak _ <<<"$m"
	echo "$wall $peak" >>"$logs/$tool.times"
	log "$(printf '%5d actions  %-8s run %d: %8.3f s  %7.1f MiB' "$n" "$tool" "$i" "$wall" "$(awk -v k="$peak" 'BEGIN {print k / 1024}')")"
}

# summary FILE: "MEDIAN_S MEDIAN_PEAK_MIB MIN_S MAX_S"
summary() {
	python3 - "$1" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
wall = [float(r[0]) for r in rows]
rss = [int(r[1]) / 1024 for r in rows]
print("%.3f %.1f %.3f %.3f" % (statistics.median(wall), statistics.median(rss), min(wall), max(wall)))
EOF
}

rows=()
for n in "${sizes[@]}"; do
	logs=$OUT/logs/$n
	rm -f "$logs"/*.times "$logs"/*.json
	most=$((RUNS > RUNS_DATAFORM ? RUNS : RUNS_DATAFORM))
	for ((i = 1; i <= most; i++)); do
		[[ $i -le $RUNS ]] && one_run sigma "$n" "$i"
		[[ $i -le $RUNS_DATAFORM ]] && one_run dataform "$n" "$i"
	done

	s_med=- s_rss=- s_rng=- d_med=- d_rss=- d_rng=- ratio=- same=- actions=-
	if [[ $RUNS -gt 0 ]]; then
		read -r s_med s_rss lo hi < <(summary "$logs/sigma.times")
		s_rng="$lo–$hi"
	fi
	if [[ $RUNS_DATAFORM -gt 0 ]]; then
		read -r d_med d_rss lo hi < <(summary "$logs/dataform.times")
		d_rng="$lo–$hi"
		actions=$(python3 "$GRAPH" "$logs/dataform.json" | wc -l)
	fi
	if [[ $RUNS -gt 0 && $RUNS_DATAFORM -gt 0 ]]; then
		ratio=$(awk -v a="$d_med" -v b="$s_med" 'BEGIN {printf (b > 0 ? "%.0f×" : "-"), a / b}')
		if diff <(python3 "$GRAPH" "$logs/dataform.json") <(python3 "$GRAPH" "$logs/sigma.json") >"$logs/graph.diff"; then
			same=yes
		else
			same="no ($(grep -c '^[<>]' "$logs/graph.diff") lines differ, $logs/graph.diff)"
		fi
	fi
	rows+=("$n|$actions|$s_med|$s_rng|$s_rss|$d_med|$d_rng|$d_rss|$ratio|$same")
done

# ------------------------------------------------------------ report
cat <<REPORT

## transform_compile

\`bench/transform_compile/run.sh $RUNS\` (RUNS_DATAFORM=$RUNS_DATAFORM$([[ $SKIP_SIGMA == 1 ]] && echo ", SKIP_SIGMA=1")) on $(nproc) cores, $(date -u +%Y-%m-%d); Dataform CLI $df_version (@dataform/core 3.0.62), node $(node --version 2>/dev/null || echo '?').
Wall time and peak RSS of the whole process tree, medians; speed-up = Dataform's median / sigma's.

| files | actions in graph | sigma (s) | sigma min–max | sigma RSS (MiB) | Dataform (s) | Dataform min–max | Dataform RSS (MiB) | speed-up | same graph |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
REPORT
for r in "${rows[@]}"; do
	IFS='|' read -r n actions s_med s_rng s_rss d_med d_rng d_rss ratio same <<<"$r"
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$actions" "$s_med" "$s_rng" "$s_rss" "$d_med" "$d_rng" "$d_rss" "$ratio" "$same"
done
