#!/usr/bin/env bash
# sigma query: (a) what the BigQuery → DuckDB translation costs on a
# 2,000-line script, (b) sigma query of an aggregate over a 10-million-row
# table beside DuckDB doing the same through its own C API.
#
#   bench/query/run.sh [RUNS]          (default 9 runs each, median shown)
#
# (a) bench/query/translate_speed.c runs sg_bq_translate in-process on the
#     script made by gen_script.py (201 runs, median); and, from outside,
#     `sigma query -translate-only -f script.sql` minus
#     `sigma query -translate-only "SELECT 1"` (process start-up), medians.
# (b) a project in bench/out/query/proj with bench.sales (10,000,000 rows,
#     made once); `sigma query -format csv "<aggregate>"` against
#     bench/query/duckdb_peer.c (open the same file, run the translated SQL,
#     fetch every row, close), alternated, each a process of its own.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-9}
out=$here/bench/out/query
sigma=$here/build/sigma
duck=$here/third_party/duckdb
mkdir -p "$out"
log() { printf '%s\n' "$*" >&2; }

[ -x "$sigma" ] || (cd "$here" && make build >/dev/null)

# ------------------------------------------------------------------ build
gcc -O2 -std=c11 -D_GNU_SOURCE -I"$here" -o "$out/translate_speed" "$here/bench/query/translate_speed.c" \
	"$here"/providers/local/bqsql*.c "$here/util/buf.c" "$here/util/error.c" "$here/util/alloc.c" -lcrypto
gcc -O2 -std=c11 -D_GNU_SOURCE -I"$here" -o "$out/duckdb_peer" "$here/bench/query/duckdb_peer.c" \
	-L"$duck" -lduckdb -Wl,-rpath,"$duck"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# wall time of one command in ms
ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000)) | awk '{printf "%.1f\n", $1 / 1000}'
}

# ------------------------------------------------------------- (a) translation
python3 "$here/bench/query/gen_script.py" 2000 >"$out/script.sql"
lines=$(wc -l <"$out/script.sql")
read -r inproc best bytes outbytes < <("$out/translate_speed" "$out/script.sql" 201)
empty=$(for _ in $(seq 1 21); do ms "$sigma" -C "$out" query -translate-only "SELECT 1"; done | median)
full=$(for _ in $(seq 1 21); do ms "$sigma" -C "$out" query -translate-only -f "$out/script.sql"; done | median)
cli=$(awk -v a="$full" -v b="$empty" 'BEGIN {printf "%.1f", a - b}')

# ------------------------------------------------------------- (b) aggregate
proj=$out/proj
mkdir -p "$proj"
[ -e "$proj/sigma.yaml" ] || : >"$proj/sigma.yaml"
if [ "$("$sigma" -C "$proj" query -format csv "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'bench' AND table_name = 'sales'" | tail -1)" != 1 ]; then
	log "making bench.sales: 10,000,000 rows (once)"
	"$sigma" -C "$proj" query -dialect duckdb "CREATE SCHEMA IF NOT EXISTS bench;
		CREATE TABLE bench.sales AS
		SELECT i AS id, i % 100 AS store, 1 + i % 7 AS qty, ((i * 7919) % 100000) / 100.0 AS amount,
		       DATE '2024-01-01' + CAST(i % 366 AS INTEGER) AS day
		FROM range(10000000) t(i)" >/dev/null
fi
agg="SELECT store, COUNT(*) AS n, SUM(qty) AS units, ROUND(AVG(amount), 2) AS mean, MAX(day) AS last_day
FROM \`bench.sales\` WHERE day >= DATE '2024-03-01' GROUP BY store ORDER BY store"
duck_sql=$("$sigma" -C "$proj" query -translate-only "$agg")
db=$proj/.sigma/local/warehouse.duckdb
[ "$("$out/duckdb_peer" "$db" "$duck_sql")" = 100 ]
[ "$("$sigma" -C "$proj" query -format csv "$agg" | wc -l)" = 101 ]
s_times=() d_times=()
for _ in $(seq 1 "$runs"); do
	s_times+=("$(ms "$sigma" -C "$proj" query -format csv "$agg")")
	d_times+=("$(ms "$out/duckdb_peer" "$db" "$duck_sql")")
done
s_med=$(printf '%s\n' "${s_times[@]}" | median)
d_med=$(printf '%s\n' "${d_times[@]}" | median)
ratio=$(awk -v a="$s_med" -v b="$d_med" 'BEGIN {printf "%+.1f%%", (a / b - 1) * 100}')

# ------------------------------------------------------------- report
cat <<REPORT
## query

\`bench/query/run.sh $runs\` on $(nproc) cores, $(date -u +%Y-%m-%d), DuckDB $("$sigma" version | sed -n 's/^duckdb //p').

### (a) BigQuery → DuckDB translation of a $lines-line script ($bytes bytes; seed 002's statements, MERGE, DDL, dates, JSON, UNNEST...)

| how | median | target |
|---|---:|---:|
| in-process, \`sg_bq_translate\` (bench/query/translate_speed.c, 201 runs; best ${best} ms) | ${inproc} ms | < 5 ms |
| \`sigma query -translate-only -f script.sql\` minus \`-translate-only "SELECT 1"\` (21 runs each: ${full} − ${empty} ms) | ${cli} ms | |

### (b) an aggregate over 10,000,000 rows, sigma beside DuckDB's C API

\`\`\`sql
$agg
\`\`\`

| what | median of $runs (ms) | runs (ms) |
|---|---:|---|
| \`sigma query -format csv\` (start-up, lock, open, translate, run, print 100 rows) | $s_med | ${s_times[*]} |
| duckdb_peer.c: open, \`duckdb_query\` of the translated SQL, fetch every row, close | $d_med | ${d_times[*]} |
| **sigma vs DuckDB** | **$ratio** | target: within 10% |
REPORT
