#!/usr/bin/env bash
# The Tayssir cycle benchmark: one transfer period (T1, four months) with eligibility, on the demo
# registry with its absences, measured
#   - engine alone (`sanad tayssir bench`: snapshot loaded once, best of three runs),
#   - end to end from SQLite and from PostgreSQL (`sanad tayssir compute`: load, compute, write;
#     on PostgreSQL twice: right after the registry's copy, then in its steady state),
# beside the same rules written as one SQL query (bench/tayssir_cycle.sql) run in DuckDB (its npm
# package, bench/duckdb) and in PostgreSQL on the same data. The totals must agree.
# Usage: scripts/with-postgres.sh bench/tayssir.sh BUILD_DIR [province|region|national]
#        (REGISTRY_DB=FILE reuses a SQLite demo database of that scale with its absences;
#         SKIP_PG=1 leaves PostgreSQL out)
set -euo pipefail
build=${1:-build}
scale=${2:-region}
sanad=$(realpath "$build/sanad")
out=bench/out/tayssir
rm -rf "$out" && mkdir -p "$out/csv"
t() { /usr/bin/time -f "%e %M" -o "$out/time" "$@" >"$out/last.log" 2>&1 || { cat "$out/last.log" >&2; exit 1; }; cat "$out/time"; }
case "$scale" in
  province) scope=03.531 ;; region) scope=03 ;; national) scope=MA ;;
  *) echo "scale: province, region or national" >&2; exit 2 ;;
esac

db="$out/registry.db"
if [ -n "${REGISTRY_DB:-}" ]; then
  cp "$REGISTRY_DB" "$db"
  "$sanad" --db "$db" init >/dev/null  # brings an older database's schema up to date
else
  echo "demo --scale $scale with absences" >&2
  "$sanad" --db "$db" init >/dev/null
  read -r demo_s demo_mem < <(t "$sanad" --db "$db" demo --scale "$scale" --seed 1)
  echo "demo: $demo_s s, $demo_mem KiB" >&2
fi
"$sanad" --db "$db" tayssir policy init --year 2025-2026 >/dev/null 2>&1 || true
pupils=$(sqlite3 "$db" "SELECT count(*) FROM pupils")
absences=$(sqlite3 "$db" "SELECT count(*) FROM absences WHERE day >= '2025-09-01' AND day < '2026-01-01'")
echo "$pupils pupils, $absences absence days in the period" >&2

echo "1. engine alone" >&2
"$sanad" --db "$db" tayssir bench --policy tayssir-2025-2026 --period T1 --scope "$scope" --repeat 3 >"$out/engine.txt"
cat "$out/engine.txt" >&2
engine_s=$(sed -E 's/.* engine ([0-9.]+) s .*/\1/' "$out/engine.txt")
load_s=$(sed -E 's/.* load ([0-9.]+) s .*/\1/' "$out/engine.txt")
engine_rss=$(sed -E 's/.*peak RSS ([0-9]+) KiB.*/\1/' "$out/engine.txt")

echo "2. end to end, SQLite" >&2
read -r sq_s sq_mem < <(t "$sanad" --db "$db" tayssir compute --policy tayssir-2025-2026 --period T1 --scope "$scope")
sq_due=$(sqlite3 "$db" "SELECT sum(due) FROM tayssir_cycles")
sq_ben=$(sqlite3 "$db" "SELECT sum(beneficiaries) FROM tayssir_cycles")

echo "3. CSV files for the baselines" >&2
q() { sqlite3 -csv -header "$db" "$2" >"$out/csv/$1.csv"; }
q communes "SELECT code, milieu, directorate_code FROM communes"
q schools "SELECT id, code, commune_code FROM schools"
q pupils "SELECT id, massar, name_ar_norm, coalesce(name_fr_norm, '') AS name_fr_norm, birth_date FROM pupils"
q enrolments "SELECT pupil_id, school_year, school_id, level, status, left_date FROM enrolments"
q households "SELECT id, ramed FROM households"
q household_members "SELECT pupil_id, household_id FROM household_members"
q absences "SELECT pupil_id, day, justified FROM absences"

echo "4. DuckDB" >&2
(cd bench/duckdb && { [ -d node_modules/@duckdb/node-api ] || npm ci --no-audit --no-fund >/dev/null 2>&1 || npm install --no-save >/dev/null; })
duck=$(/usr/bin/time -f "%M" -o "$out/duck_mem" node bench/duckdb/cycle.mjs "$(realpath "$out/csv")" bench/tayssir_cycle.sql)
duck_mem=$(cat "$out/duck_mem")
echo "$duck" >&2
duck_s=$(node -e "console.log(JSON.parse(process.argv[1]).query_s.toFixed(3))" "$duck")
duck_due=$(node -e "console.log(JSON.parse(process.argv[1]).due)" "$duck")
duck_ben=$(node -e "console.log(JSON.parse(process.argv[1]).beneficiaries)" "$duck")

pgf_s=— pgf_mem=— pgs_s=— pgs_mem=— pgq_s=— vac_s=— pgf_due=$sq_due pgs_due=$sq_due pgq_due=$sq_due
if [ "${SKIP_PG:-0}" != 1 ]; then
echo "5. PostgreSQL" >&2
pg=${SANAD_TEST_PG:?run through scripts/with-postgres.sh}
psql "$pg" -qAtc "DROP DATABASE IF EXISTS bench_tayssir" -c "CREATE DATABASE bench_tayssir" >/dev/null
pgdb="${pg%/*}/bench_tayssir"
"$sanad" --db "$pgdb" init >/dev/null
for table in school_years schools pupils enrolments households household_members absences absence_tallies; do
  sqlite3 -csv -header "$db" "SELECT * FROM $table" >"$out/full.csv"
  cols=$(head -1 "$out/full.csv")
  psql "$pgdb" -qAtc "\\copy $table ($cols) FROM '$out/full.csv' WITH (FORMAT csv, HEADER true)"
done
rm -f "$out/full.csv"
for table in schools pupils enrolments households; do
  psql "$pgdb" -qAtc "SELECT setval(pg_get_serial_sequence('$table', 'id'), (SELECT max(id) FROM $table))" >/dev/null
done
psql "$pgdb" -qAtc "ANALYZE" >/dev/null
"$sanad" --db "$pgdb" tayssir policy init --year 2025-2026 >/dev/null
# First, right after the copy: every page of the registry is read for the first time (and
# PostgreSQL writes its hint bits back as it reads; nationally this measured the same as the
# steady state within the noise, see bench/RESULTS.md).
read -r pgf_s pgf_mem < <(t "$sanad" --db "$pgdb" tayssir compute --policy tayssir-2025-2026 --period T1 --scope "$scope")
pgf_due=$(psql "$pgdb" -qAtc "SELECT sum(due) FROM tayssir_cycles")
# Then the registry in its steady state, as autovacuum leaves a live one: the cycles computed
# above are dropped (lines' partitions, adjustments, cycles), the tables vacuumed, and the same
# computation run again on a database with no cycle. The goal is read on this one.
psql "$pgdb" -qAt -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'tayssir_lines'::regclass LOOP
    EXECUTE format('DROP TABLE %I', r.relname);
  END LOOP;
END $$;
DELETE FROM tayssir_adjustments;
DELETE FROM tayssir_cycles;
SQL
read -r vac_s _ < <(t psql "$pgdb" -qAtc "VACUUM (ANALYZE)")
echo "VACUUM (ANALYZE): $vac_s s" >&2
read -r pgs_s pgs_mem < <(t "$sanad" --db "$pgdb" tayssir compute --policy tayssir-2025-2026 --period T1 --scope "$scope")
pgs_due=$(psql "$pgdb" -qAtc "SELECT sum(due) FROM tayssir_cycles")
best=""
for _ in 1 2 3; do
  ms=$( { echo '\timing on'; cat bench/tayssir_cycle.sql; echo ';'; } | psql "$pgdb" -qAt 2>&1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1)
  best=$(awk -v a="$ms" -v b="${best:-$ms}" 'BEGIN { print (a < b ? a : b) }')
done
pgq_s=$(awk -v ms="$best" 'BEGIN { printf "%.3f", ms / 1000 }')
pgq_due=$(psql "$pgdb" -qAt -c "SELECT sum(due) FROM ($(cat bench/tayssir_cycle.sql)) x")
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 == 0) print "—"; else printf "%.2f", a / b }'; }
agree=$([ "$sq_due" = "$duck_due" ] && [ "$sq_due" = "$pgf_due" ] && [ "$sq_due" = "$pgs_due" ] && [ "$sq_due" = "$pgq_due" ] && [ "$sq_ben" = "$duck_ben" ] && echo yes || echo "NO ($sq_due / $pgf_due / $pgs_due / $duck_due / $pgq_due)")
{
  echo "Scale $scale (scope $scope): $pupils pupils, $absences absence days in September–December; totals agree: $agree (due $sq_due centimes, $sq_ben beneficiaries)."
  echo
  echo "| measure | Sanad | baseline | ratio (goal) |"
  echo "|---|---|---|---|"
  echo "| engine alone (eligibility + T1), snapshot in memory | ${engine_s} s, ${engine_rss} KiB peak (snapshot load ${load_s} s) | DuckDB query: ${duck_s} s (${duck_mem} KiB peak, tables in memory) | $(ratio "$engine_s" "$duck_s")× (< 1×) |"
  echo "| end to end from SQLite (load, compute, write lines) | ${sq_s} s, ${sq_mem} KiB peak | DuckDB query: ${duck_s} s | $(ratio "$sq_s" "$duck_s")× |"
  echo "| end to end from PostgreSQL, right after the copy (first read) | ${pgf_s} s, ${pgf_mem} KiB peak | DuckDB query: ${duck_s} s | $(ratio "$pgf_s" "$duck_s")× |"
  echo "| end to end from PostgreSQL, steady state (after \`VACUUM (ANALYZE)\`, ${vac_s} s) | ${pgs_s} s, ${pgs_mem} KiB peak | DuckDB query: ${duck_s} s | $(ratio "$pgs_s" "$duck_s")× (< 3×) |"
  echo "| the same query in PostgreSQL | — | ${pgq_s} s | — |"
} | tee "$out/results.md"
