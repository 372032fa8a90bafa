#!/usr/bin/env bash
# make demo: validate, plan and apply examples/sigma (seed 000) in a fresh
# temporary directory on the local provider, show what now exists in the
# local world, and show that a second plan is empty.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sigma=$(cd "$(dirname "${1:-$here/build/sigma}")" && pwd)/$(basename "${1:-$here/build/sigma}")

work=$(mktemp -d "${TMPDIR:-/tmp}/sigma-demo.XXXXXX")
cp -r "$here/examples/sigma/." "$work/"
cd "$work"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' off=$'\033[0m'; else bold='' off=''; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$off"; }

step "sigma validate   (in $work)"
"$sigma" validate

step "sigma plan"
"$sigma" plan

step "sigma apply -auto-approve"
"$sigma" apply -auto-approve

step "the local world: buckets (directories under .sigma/local/buckets)"
ls -1 .sigma/local/buckets

step "the local world: the warehouse (DuckDB, .sigma/local/warehouse.duckdb)"
"$sigma" query "SELECT schema_name AS dataset FROM information_schema.schemata
                WHERE catalog_name = current_database() AND schema_name NOT IN ('_sigma', 'main', 'information_schema', 'pg_catalog')
                ORDER BY 1"
"$sigma" query "SELECT table_schema AS dataset, table_name AS name, table_type AS type
                FROM information_schema.tables WHERE table_schema <> '_sigma' ORDER BY 1, 2"
"$sigma" query "SELECT column_name, data_type, is_nullable FROM information_schema.columns
                WHERE table_schema = 'raw' AND table_name = 'lkp_fechas' ORDER BY ordinal_position"

step "the local world: the control store (SQLite, .sigma/local/control.db)"
sqlite3 -header -column .sigma/local/control.db "SELECT kind, name, created_at FROM resources ORDER BY kind, name"

step "a day of lkp_fechas lands in raw (what the load step will do)"
"$sigma" query "INSERT INTO raw.lkp_fechas (fecha, anio, mes, dia, nombre_dia, es_feriado)
                SELECT d, EXTRACT(YEAR FROM d), EXTRACT(MONTH FROM d), EXTRACT(DAY FROM d),
                       FORMAT_DATE('%A', d), d = DATE '2026-01-01'
                FROM UNNEST(GENERATE_DATE_ARRAY(DATE '2026-01-01', DATE '2026-01-31')) AS d"

step "the transforms downstream of lkp_fechas (seed 000: X from lkp_fechas, Y from X)"
"$sigma" transform run --actions lkp_fechas --include-dependents
"$sigma" query "SELECT * FROM warehouse.resumen_mensual"

step "sigma output"
"$sigma" output

step "a second plan changes nothing (-detailed-exitcode: 0 = no changes)"
rc=0
"$sigma" plan -detailed-exitcode || rc=$?
echo "exit code: $rc"
[ "$rc" -eq 0 ]

printf '\nThe project is in %s; `sigma -C %s destroy` removes it all.\n' "$work" "$work"
