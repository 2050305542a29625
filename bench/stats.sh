#!/usr/bin/env bash
# The statistics benchmark: the whole catalogue for every node of the territory and one year,
#   - Sanad's cube alone (`sanad stats bench`: the snapshot loaded once, best of three),
#   - beside DuckDB (its npm package, bench/duckdb/stats.mjs) running the same aggregates with
#     GROUP BY ROLLUP over the same facts (written by Sanad from its snapshot), totals compared;
#   - and the dashboard as a user meets it: `sanad serve` on the database, the nation's dashboard
#     and the ranking of its regions requested with curl, first (cold) and then 20 times (warm).
# Usage: bench/stats.sh BUILD_DIR [province|region|national]
#        (REGISTRY_DB=FILE uses an existing SQLite demo database of that scale)
set -euo pipefail
build=${1:-build}
scale=${2:-region}
sanad=$(realpath "$build/sanad")
out=bench/out/stats
rm -rf "$out" && mkdir -p "$out"
db="$out/registry.db"
if [ -n "${REGISTRY_DB:-}" ]; then
  db=$(realpath "$REGISTRY_DB")
else
  echo "demo --scale $scale" >&2
  "$sanad" --db "$db" init >/dev/null
  "$sanad" --db "$db" demo --scale "$scale" --seed 1 >/dev/null 2>&1
fi
year=$(sqlite3 "$db" "SELECT max(code) FROM school_years")

echo "1. Sanad's cube" >&2
/usr/bin/time -f "%e %M" -o "$out/time" "$sanad" --db "$db" stats bench --year "$year" --repeat 3 --facts "$out/facts" >"$out/sanad.json"
cat "$out/sanad.json" >&2
j() { node -e "const v=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8'));console.log($2)" "$1"; }

echo "2. DuckDB" >&2
(cd bench/duckdb && { [ -d node_modules/@duckdb/node-api ] || npm ci --no-audit --no-fund >/dev/null 2>&1 || npm install --no-save >/dev/null; })
/usr/bin/time -f "%M" -o "$out/duck_mem" node bench/duckdb/stats.mjs "$(realpath "$out/facts")" >"$out/duck.json"
cat "$out/duck.json" >&2
if [ "$(j "$out/sanad.json" 'v.totals.join(",")')" != "$(j "$out/duck.json" 'v.totals.join(",")')" ]; then
  echo "the national totals differ between Sanad and DuckDB" >&2
  exit 1
fi

echo "3. the dashboard over HTTP" >&2
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
echo "bench-password-2026" | "$sanad" --db "$db" user add bench-stats --name Bench --role national_admin --scope MA --password-stdin >/dev/null 2>&1 || true
"$sanad" --db "$db" serve --listen "127.0.0.1:$port" 2>"$out/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
jar="$out/cookies"
curl -fs -c "$jar" -H 'Content-Type: application/json' -d '{"login":"bench-stats","password":"bench-password-2026"}' \
  "http://127.0.0.1:$port/api/v1/login" >/dev/null
req() { curl -fs -b "$jar" -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/api/v1/$1"; }
cold=$(req "stats/nodes/MA?year=$year")
: >"$out/dash"
: >"$out/rank"
for _ in $(seq 1 20); do
  req "stats/nodes/MA?year=$year" >>"$out/dash"
  req "stats/nodes/MA/rank?year=$year&indicator=ABSENCE_RATE" >>"$out/rank"
done
stat() { sort -n "$1" | awk '{a[NR]=$1} END {printf "median %.1f ms, max %.1f ms", a[int((NR+1)/2)]*1000, a[NR]*1000}'; }
bytes=$(curl -fs -b "$jar" "http://127.0.0.1:$port/api/v1/stats/nodes/MA?year=$year" | wc -c)

read -r total_s total_kib <"$out/time"
{
  echo "| measure | Sanad | DuckDB | ratio |"
  echo "|---|---|---|---|"
  echo "| whole catalogue, every node ($(j "$out/sanad.json" 'v.nodes') nodes, $(j "$out/sanad.json" 'v.measures') measures × 56 cells), $(j "$out/sanad.json" 'v.facts') fact rows | $(j "$out/sanad.json" 'v.cube_s.toFixed(3)') s | $(j "$out/duck.json" 'v.query_s.toFixed(3)') s ($(cat "$out/duck_mem") KiB peak, facts in memory; loading them $(j "$out/duck.json" 'v.load_s.toFixed(1)') s apart) | **$(node -e "console.log(($(j "$out/sanad.json" 'v.cube_s')/$(j "$out/duck.json" 'v.query_s')).toFixed(2))")×** |"
  echo "| snapshot from SQLite and a first computation | $(j "$out/sanad.json" 'v.snapshot_s.toFixed(2)') s, process peak ${total_kib} KiB (after loading $(j "$out/sanad.json" 'v.rss_loaded_kib') KiB) | — | — |"
  echo "| nation's dashboard over HTTP ($bytes bytes of JSON) | first request $(awk -v s="$cold" 'BEGIN{printf "%.2f s", s}') (snapshot computed), then $(stat "$out/dash") over 20 | — | — |"
  echo "| ranking of the regions | $(stat "$out/rank") over 20 | — | — |"
} | tee "$out/results.md"
