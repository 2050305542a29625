#!/usr/bin/env bash
# The browser tests: a fresh SQLite database (one demo school, plus another school from the
# examples), three accounts, `sanad serve` on a free loopback port with the built web app, then
# web/tests/browser.mjs in headless Chromium. Screenshots go to SCREENSHOT_DIR.
# Usage: browser_test.sh SANAD_BINARY SOURCE_DIR SCREENSHOT_DIR
set -euo pipefail
sanad=$1
src=$2
shots=$3
[ -f "$src/web/dist/index.html" ] || { echo "the web app is not built (make web)"; exit 1; }
[ -d "$src/web/node_modules/playwright-core" ] || { echo "npm packages missing (make web)"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "chromium is not installed (scripts/install-deps.sh)"; exit 1; }
tmp=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
db="$tmp/sanad.db"
export TEST_PASSWORD="browser-test-2026"
"$sanad" --db "$db" init >/dev/null
"$sanad" --db "$db" demo --scale school --seed 1 >/dev/null 2>&1
"$sanad" --db "$db" import schools "$src/tests/data/examples/schools.csv" >/dev/null 2>&1
"$sanad" --db "$db" import pupils "$src/tests/data/examples/roster_1AP-1.csv" >/dev/null 2>&1
add() { echo "$TEST_PASSWORD" | "$sanad" --db "$db" user add "$1" --name "$2" --role "$3" --scope "$4" --password-stdin >/dev/null; }
add admin "مدير النظام" national_admin MA
add head "مدير مدرسة ابن بطوطة" school_head 03531000B
add other "مدير مدرسة الوحدة" school_head 35310051B
add manager "مسؤول الدعم الاجتماعي بتاونات" directorate_manager 03.531
# A Tayssir cycle for the demo school (a town school: the policy is widened to urban primary).
"$sanad" --db "$db" tayssir policy init --year 2025-2026 >/dev/null
"$sanad" --db "$db" tayssir policy show tayssir-2025-2026 | sed 's/"milieu": "rural"/"milieu": ""/' >"$tmp/policy.json"
"$sanad" --db "$db" tayssir policy set tayssir-2025-2026 "$tmp/policy.json" >/dev/null
"$sanad" --db "$db" tayssir compute --policy tayssir-2025-2026 --period T1 --scope 03.531 >/dev/null 2>&1
# A child entered twice (the first pupil of the school again under another code Massar), for the
# review of suspected duplicates.
"$sanad" --db "$db" export pupils --format csv --lang fr --scope 03531000B -o "$tmp/pupils.csv" >/dev/null
{ head -1 "$tmp/pupils.csv"; sed -n 2p "$tmp/pupils.csv" | sed 's/^[A-Z][0-9]*;/T000000001;/'; } >"$tmp/twin.csv"
"$sanad" --db "$db" import pupils "$tmp/twin.csv" >/dev/null 2>&1
node "$src/web/tests/fixture.mjs" "$db" "$src/tests/data/examples/roster_1AP-1.csv" "$tmp"

port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
"$sanad" --db "$db" serve --listen "127.0.0.1:$port" --web "$src/web/dist" \
  --exchange-outbox "$tmp/outbox" --exchange-every 1d 2>"$tmp/server.log" &
server=$!
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done
rm -rf "$shots" && mkdir -p "$shots"
status=0
SANAD_URL="http://127.0.0.1:$port" SCREENSHOT_DIR="$shots" FIXTURE="$tmp/fixture.json" \
  node "$src/web/tests/browser.mjs" || status=$?
if [ $status -ne 0 ]; then echo "--- server log"; cat "$tmp/server.log"; fi
exit $status
