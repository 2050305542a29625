#!/usr/bin/env bash
# The server under load, on loopback: wrk against /healthz (the ceiling), the pupil search of a
# school by name and the pupil page, on a demo registry, with 5,000 idle keep-alive connections
# held open by bench/load/idle.mjs the whole time.
# Usage: bench/load.sh BUILD_DIR [province|region|national]
#        (REGISTRY_DB=FILE uses an existing SQLite demo database, which gets a bench-load account;
#         SECONDS_EACH=20, CONNECTIONS=64, IDLE=5000; WORKERS=N overrides serve's default)
set -euo pipefail
build=${1:-build}
scale=${2:-province}
sanad=$(realpath "$build/sanad")
out=bench/out/load
rm -rf "$out" && mkdir -p "$out"
each=${SECONDS_EACH:-20}
conns=${CONNECTIONS:-64}
idle=${IDLE:-5000}
workers=${WORKERS:-}
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
db="$out/registry.db"
if [ -n "${REGISTRY_DB:-}" ]; then
  db=$(realpath "$REGISTRY_DB")
else
  "$sanad" --db "$db" init >/dev/null
  "$sanad" --db "$db" demo --scale "$scale" --seed 1 --no-absences >/dev/null 2>&1
fi
ulimit -n 20000 2>/dev/null || true
year=$(sqlite3 "$db" "SELECT max(code) FROM school_years")
pupils=$(sqlite3 "$db" "SELECT count(*) FROM pupils")
# 2,000 pupils drawn evenly: their school and name (search) and their code (pupil page).
sqlite3 -separator $'\t' "$db" "SELECT s.code, p.first_ar || ' ' || p.last_ar, p.massar FROM pupils p
  JOIN enrolments e ON e.pupil_id = p.id AND e.school_year = '$year' JOIN schools s ON s.id = e.school_id
  WHERE p.id % (SELECT max(1, count(*) / 2000) FROM pupils) = 0 LIMIT 2000" >"$out/sample.tsv"
node -e '
  const fs = require("fs");
  const rows = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split("\t"));
  fs.writeFileSync(process.argv[2], rows.map(([s, n]) => `/api/v1/schools/${s}/pupils?q=${encodeURIComponent(n)}`).join("\n") + "\n");
  fs.writeFileSync(process.argv[3], rows.map(([, , m]) => `/api/v1/pupils/${m}`).join("\n") + "\n");
' "$out/sample.tsv" "$out/search.txt" "$out/pupil.txt"
echo "/healthz" >"$out/health.txt"

port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
echo "bench-password-2026" | "$sanad" --db "$db" user add bench-load --name Bench --role national_admin --scope MA --password-stdin >/dev/null 2>&1 || true
"$sanad" --db "$db" serve --listen "127.0.0.1:$port" ${workers:+--workers "$workers"} 2>"$out/server.log" &
server=$!
holder=""
trap 'kill $server 2>/dev/null || true; [ -n "$holder" ] && kill $holder 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
cookie=$(curl -fs -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"login":"bench-load","password":"bench-password-2026"}' "http://127.0.0.1:$port/api/v1/login" |
  sed -n 's/^[Ss]et-[Cc]ookie: \(sanad_session=[0-9a-f]*\).*/\1/p')
[ -n "$cookie" ] || { echo "could not sign in" >&2; exit 1; }
# The server computes the year's statistics snapshot when it starts: wait for it (the dashboard
# answers once it is there), so that it does not share the cores with the runs.
curl -fs -o /dev/null -b "$cookie" "http://127.0.0.1:$port/api/v1/stats/nodes/MA"
# Each kind once, to check it answers 200 (and to warm the caches).
for f in search pupil; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -b "$cookie" "http://127.0.0.1:$port$(head -1 "$out/$f.txt")")
  [ "$code" = 200 ] || { echo "$f answered $code" >&2; exit 1; }
done

node bench/load/idle.mjs 127.0.0.1 "$port" "$idle" $((each * 5 + 30)) >"$out/idle.json" &
holder=$!
sleep 5
run() {  # NAME: wrk over the paths of NAME.txt; prints requests/s, p50, p99, errors
  PATHS="$out/$1.txt" COOKIE="$cookie" wrk -t2 -c"$conns" -d"${each}s" --latency -s bench/load/paths.lua \
    "http://127.0.0.1:$port" >"$out/$1.wrk"
  node -e '
    const t = require("fs").readFileSync(process.argv[1], "utf8");
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(t)[1];
    const ms = (k) => { const m = new RegExp("\\s" + k + "%\\s+([\\d.]+)(us|ms|s)").exec(t); return m ? (Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1)).toFixed(2) : "?"; };
    const err = /Non-2xx or 3xx responses: (\d+)/.exec(t);
    const sock = /Socket errors: (.*)/.exec(t);
    console.log([Number(rps).toFixed(0), ms("50"), ms("99"), err ? err[1] : "0", sock ? sock[1] : "none"].join("\t"));
  ' "$out/$1.wrk"
}
IFS=$'\t' read -r h_rps h_50 h_99 h_err h_sock < <(run health)
IFS=$'\t' read -r c_rps c_50 c_99 c_err c_sock < <(run search)
IFS=$'\t' read -r s_rps s_50 s_99 s_err s_sock < <(run search)
IFS=$'\t' read -r p_rps p_50 p_99 p_err p_sock < <(run pupil)
kill -TERM $holder; wait $holder 2>/dev/null || true
holder=""
{
  echo "$pupils pupils, $(sqlite3 "$db" "SELECT count(*) FROM schools") schools; wrk -t2 -c$conns, ${each} s each, $(sed -n 's/.*(\([0-9]*\) workers).*/\1/p' "$out/server.log" | head -1) workers; $(node -e 'const v=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(`${v.asked} idle keep-alive connections: ${v.open} still open at the end, ${v.answered} answered, ${v.failed} failed`)' "$out/idle.json")"
  echo
  echo "| request | requests/s | p50 | p99 | errors | share of the ceiling |"
  echo "|---|---|---|---|---|---|"
  echo "| /healthz (ceiling) | $h_rps | $h_50 ms | $h_99 ms | $h_err non-2xx, sockets: $h_sock | 1 |"
  echo "| pupil search, first pass (each school's index built when first searched) | $c_rps | $c_50 ms | $c_99 ms | $c_err non-2xx, sockets: $c_sock | $(node -e "console.log(($c_rps/$h_rps).toFixed(2))") |"
  echo "| pupil search by name in a school | $s_rps | $s_50 ms | $s_99 ms | $s_err non-2xx, sockets: $s_sock | $(node -e "console.log(($s_rps/$h_rps).toFixed(2))") |"
  echo "| pupil page | $p_rps | $p_50 ms | $p_99 ms | $p_err non-2xx, sockets: $p_sock | $(node -e "console.log(($p_rps/$h_rps).toFixed(2))") |"
} | tee "$out/results.md"
