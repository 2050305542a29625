#!/usr/bin/env bash
# The server against hostile uploads (issue 24's probe, measured again): a school head checks a
# 2 MB CSV of 999,999 invalid rows; three such checks at once while another user calls
# GET /api/v1/session; 24 uploads of 64 MB without a cookie; three region-wide exports at once
# beside that other user. Memory is the server's resident size (VmRSS, sampled every 20 ms)
# above its size at rest; waits are the other user's worst answer time.
# Usage: bench/hostile.sh BUILD_DIR   (WORKERS=N overrides serve's default)
set -euo pipefail
build=${1:-build}
sanad=$(realpath "$build/sanad")
out=bench/out/hostile
rm -rf "$out" && mkdir -p "$out"
db="$out/registry.db"
"$sanad" --db "$db" init >/dev/null
"$sanad" --db "$db" demo --scale province --seed 1 --no-absences >/dev/null 2>&1
school=$(sqlite3 "$db" "SELECT code FROM schools ORDER BY code LIMIT 1")
echo "hostile-bench-2026" | "$sanad" --db "$db" user add head --name Head --role school_head --scope "$school" --password-stdin >/dev/null
echo "hostile-bench-2026" | "$sanad" --db "$db" user add other --name Other --role directorate_manager --scope 03.531 --password-stdin >/dev/null
# The file: the roster's headings, then 999,999 rows of one character.
{
  echo "Code Massar,Nom (arabe),Prénom (arabe),Sexe,Date de naissance,Code GRESA,Année scolaire,Niveau,Classe"
  awk 'BEGIN { for (i = 0; i < 999999; i++) print "x" }'
} >"$out/bad.csv"
head -c $((64 << 20)) /dev/zero | tr '\0' 'a' >"$out/big.bin"
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
"$sanad" --db "$db" serve --listen "127.0.0.1:$port" --web "$out/no-web" ${WORKERS:+--workers $WORKERS} 2>"$out/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
node bench/hostile/probe.mjs "$port" "$server" "$out/bad.csv" "$out/big.bin" | tee "$out/results.txt"
