#!/usr/bin/env bash
# Benchmarks of the registry, each beside its baseline run in the same script, same files:
#   1. importing ~1 million pupils (CSV, full validation) into SQLite, beside the sqlite3 shell's
#      .import of the same file into a bare table;
#   2. the same import into PostgreSQL, beside a bare COPY of the same file;
#   (each also beside the same rows copied into Sanad's schema by the database's own shell: what
#   the database itself takes to write them into our tables);
#   3. (BENCH_NATIONAL=1) demo generation at national scale: time and peak memory.
# Usage: scripts/with-postgres.sh bench/run.sh BUILD_DIR   (make bench does this)
set -euo pipefail
build=${1:-build}
sanad=$(realpath "$build/sanad")
out=bench/out
rm -rf "$out" && mkdir -p "$out"
t() { /usr/bin/time -f "%e %M" -o "$out/time" "$@" >"$out/last.log" 2>&1 || { cat "$out/last.log" >&2; exit 1; }; cat "$out/time"; }

echo "preparing the file: region-scale demo (Fès-Meknès) without absences, exported as CSV" >&2
"$sanad" --db "$out/src.db" init >/dev/null
"$sanad" --db "$out/src.db" demo --scale region --seed 1 --no-absences >/dev/null 2>&1
"$sanad" --db "$out/src.db" export schools -o "$out/schools.csv" >/dev/null
"$sanad" --db "$out/src.db" export pupils -o "$out/pupils.csv" >/dev/null
rows=$(($(wc -l <"$out/pupils.csv") - 1))
echo "pupils.csv: $rows rows, $(du -h "$out/pupils.csv" | cut -f1)" >&2

echo "1. SQLite" >&2
"$sanad" --db "$out/s.db" init >/dev/null && "$sanad" --db "$out/s.db" import schools "$out/schools.csv" >/dev/null
read -r s_ours s_mem < <(t "$sanad" --db "$out/s.db" import pupils "$out/pupils.csv")
read -r s_base _ < <(t sqlite3 "$out/bare.db" ".import --csv $out/pupils.csv bare")
# SQLite's own work on Sanad's schema: the same rows copied by the sqlite3 shell from the database
# just imported into a fresh one (same pragmas, same order, the school index built afterwards as
# the import does) — no reading, checking or linking, only what SQLite does with our tables.
"$sanad" --db "$out/floor.db" init >/dev/null && "$sanad" --db "$out/floor.db" import schools "$out/schools.csv" >/dev/null
cat >"$out/floor.sql" <<SQL
PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-262144;
ATTACH '$out/s.db' AS src;
BEGIN;
INSERT OR IGNORE INTO school_years SELECT * FROM src.school_years;
DROP INDEX enrolments_school;
INSERT INTO pupils SELECT * FROM src.pupils ORDER BY id;
INSERT INTO enrolments SELECT * FROM src.enrolments ORDER BY id;
CREATE INDEX enrolments_school ON enrolments(school_id, school_year, level, class_name);
COMMIT;
SQL
read -r s_floor _ < <(t sqlite3 -bail "$out/floor.db" ".read $out/floor.sql")
[ "$(sqlite3 "$out/floor.db" 'SELECT count(*) FROM enrolments')" = "$(sqlite3 "$out/s.db" 'SELECT count(*) FROM enrolments')" ] \
  || { echo "the copy into Sanad's schema lost rows" >&2; exit 1; }

echo "2. PostgreSQL" >&2
pg=${SANAD_TEST_PG:?run through scripts/with-postgres.sh}
psql "$pg" -qAtc "DROP DATABASE IF EXISTS bench_ours" -c "CREATE DATABASE bench_ours" -c "DROP DATABASE IF EXISTS bench_bare" -c "CREATE DATABASE bench_bare" >/dev/null
ours="${pg%/*}/bench_ours" bare="${pg%/*}/bench_bare"
"$sanad" --db "$ours" init >/dev/null && "$sanad" --db "$ours" import schools "$out/schools.csv" >/dev/null
read -r p_ours p_mem < <(t "$sanad" --db "$ours" import pupils "$out/pupils.csv")
cols=$(head -1 "$out/pupils.csv" | sed 's/^\xEF\xBB\xBF//' | awk -F, '{for(i=1;i<=NF;i++) printf "%sc%d text", (i>1?",":""), i}')
psql "$bare" -qAtc "CREATE TABLE bare ($cols)" >/dev/null
read -r p_base _ < <(t psql "$bare" -qAtc "\\copy bare FROM '$out/pupils.csv' WITH (FORMAT csv, HEADER true)")
# PostgreSQL's own work on Sanad's schema: the same rows (from the database just imported) copied
# into a fresh one by psql, as the import writes a large first load — pupils by COPY; the
# enrolments' foreign keys and school index taken off, COPY, then put back (one query each) —
# in one transaction: no reading, checking or linking, only what PostgreSQL does with our tables.
psql "$pg" -qAtc "DROP DATABASE IF EXISTS bench_floor" -c "CREATE DATABASE bench_floor" >/dev/null
floor="${pg%/*}/bench_floor"
"$sanad" --db "$floor" init >/dev/null && "$sanad" --db "$floor" import schools "$out/schools.csv" >/dev/null
for table in school_years pupils enrolments; do
  psql "$ours" -qAtc "\\copy (SELECT * FROM $table ORDER BY 1) TO '$out/pg_$table.csv' WITH (FORMAT csv)"
done
psql "$floor" -qAt -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE TEMP TABLE y (LIKE school_years);
\copy y FROM '$out/pg_school_years.csv' WITH (FORMAT csv)
INSERT INTO school_years SELECT * FROM y ON CONFLICT DO NOTHING;
SQL
cat >"$out/pg_floor.sql" <<SQL
BEGIN;
CREATE TEMP TABLE kept AS
  SELECT 'index' AS kind, indexname::text AS name, indexdef AS def FROM pg_indexes
   WHERE schemaname = current_schema() AND tablename = 'enrolments'
     AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'enrolments'::regclass)
  UNION ALL
  SELECT 'fk', conname::text, pg_get_constraintdef(oid) FROM pg_constraint
   WHERE conrelid = 'enrolments'::regclass AND contype = 'f';
DO \$\$ DECLARE r record; BEGIN FOR r IN SELECT * FROM kept LOOP
  IF r.kind = 'index' THEN EXECUTE format('DROP INDEX %I', r.name);
  ELSE EXECUTE format('ALTER TABLE enrolments DROP CONSTRAINT %I', r.name); END IF;
END LOOP; END \$\$;
\copy pupils FROM '$out/pg_pupils.csv' WITH (FORMAT csv)
\copy enrolments FROM '$out/pg_enrolments.csv' WITH (FORMAT csv)
DO \$\$ DECLARE r record; BEGIN FOR r IN SELECT * FROM kept ORDER BY kind DESC LOOP
  IF r.kind = 'index' THEN EXECUTE r.def;
  ELSE EXECUTE format('ALTER TABLE enrolments ADD CONSTRAINT %I %s', r.name, r.def); END IF;
END LOOP; END \$\$;
COMMIT;
SQL
read -r p_floor _ < <(t psql "$floor" -qAt -v ON_ERROR_STOP=1 -f "$out/pg_floor.sql")
[ "$(psql "$floor" -qAtc 'SELECT count(*) FROM enrolments')" = "$(psql "$ours" -qAtc 'SELECT count(*) FROM enrolments')" ] \
  || { echo "the copy into Sanad's schema on PostgreSQL lost rows" >&2; exit 1; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
{
  echo "| measure | rows | Sanad | baseline | ratio (goal) |"
  echo "|---|---|---|---|---|"
  echo "| import pupils CSV, SQLite, full validation | $rows | ${s_ours} s, ${s_mem} KiB peak | sqlite3 \`.import\`: ${s_base} s | $(ratio "$s_ours" "$s_base")× (< 2×) |"
  echo "| (SQLite's own work: the same rows copied into Sanad's schema by the shell) | $rows | — | ${s_floor} s | $(ratio "$s_floor" "$s_base")× of \`.import\`; the import $(ratio "$s_ours" "$s_floor")× of it |"
  echo "| import pupils CSV, PostgreSQL, full validation | $rows | ${p_ours} s, ${p_mem} KiB peak | \`\\copy\` into a bare table: ${p_base} s | $(ratio "$p_ours" "$p_base")× (< 2×) |"
  echo "| (PostgreSQL's own work: the same rows copied into Sanad's schema by psql) | $rows | — | ${p_floor} s | $(ratio "$p_floor" "$p_base")× of \`\\copy\`; the import $(ratio "$p_ours" "$p_floor")× of it |"
} | tee "$out/results.md"

if [ "${BENCH_NATIONAL:-0}" = 1 ]; then
  echo "3. national demo" >&2
  "$sanad" --db "$out/national.db" init >/dev/null
  read -r n_time n_mem < <(t "$sanad" --db "$out/national.db" demo --scale national --seed 1)
  echo "| demo --scale national, SQLite | $(sqlite3 "$out/national.db" 'select count(*) from pupils') pupils | ${n_time} s, ${n_mem} KiB peak | — | — |" | tee -a "$out/results.md"
fi
