#!/usr/bin/env bash
# The `sanad` command as a user runs it: init, import the example files, import again, a bad
# file, exports and their round trip, exit codes, --help. Usage: cli_test.sh SANAD sqlite|postgres EXAMPLES
set -uo pipefail
sanad=$1 backend=$2 examples=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
expect_rc() {  # expect_rc WANT DESCRIPTION -- command...
  local want=$1 what=$2; shift 3
  "$@" >"$work/out" 2>"$work/err"; local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "$what: exit $rc, expected $want"; cat "$work/out" "$work/err" >&2; fi
}
free_port() {  # a port where nothing listens, below the kernel's range for outgoing connections
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
newdb() {  # prints a URL of a new empty database
  if [ "$backend" = sqlite ]; then
    echo "$work/$1.db"
  else
    [ -n "${SANAD_TEST_PG:-}" ] || { echo "SANAD_TEST_PG is not set" >&2; exit 1; }
    local name="cli_$$_$1"
    PGOPTIONS=-cclient_min_messages=warning psql "$SANAD_TEST_PG" -qAtc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
    echo "${SANAD_TEST_PG%/*}/$name"
  fi
}

A=$(newdb a)
expect_rc 0 "init" -- "$sanad" --db "$A" init
expect_rc 0 "init again" -- "$sanad" --db "$A" init
grep -q "0 migration(s) applied" "$work/out" || bad "second init applied migrations again"
expect_rc 0 "import schools" -- "$sanad" --db "$A" import schools "$examples/schools.csv"
expect_rc 0 "import roster" -- "$sanad" --db "$A" import pupils "$examples/roster_1AP-1.xlsx"
grep -q "pupils: 24 inserted, 0 updated, 0 unchanged" "$work/out" || bad "roster: 24 pupils expected: $(cat "$work/out")"
expect_rc 0 "import roster again" -- "$sanad" --db "$A" import pupils "$examples/roster_1AP-1.xlsx"
grep -q "pupils: 0 inserted, 0 updated, 24 unchanged" "$work/out" || bad "second import changed something: $(cat "$work/out")"
expect_rc 0 "import households" -- "$sanad" --db "$A" import households "$examples/households.csv"
expect_rc 0 "import absences" -- "$sanad" --db "$A" import absences "$examples/absences.csv"

# A roster with one bad row: exit 65, the row named, nothing written.
sed 's#D678417751;بنعلي;أيوب;Benali;Ayoub;ذكر;22/12/2018#D678417751;بنعلي;أيوب;Benali;Ayoub;ذكر;22/13/2018#' \
  "$examples/roster_1AP-1.csv" >"$work/bad.csv"
B=$(newdb b)
"$sanad" --db "$B" init >/dev/null && "$sanad" --db "$B" import schools "$examples/schools.csv" >/dev/null
expect_rc 65 "bad roster" -- "$sanad" --db "$B" import pupils "$work/bad.csv" --report "$work/report.csv"
grep -q "row 16, column «تاريخ الازدياد», value «22/13/2018»" "$work/err" || bad "bad row not named: $(cat "$work/err")"
grep -q "nothing written" "$work/out" || bad "no 'nothing written' line"
grep -q "22/13/2018" "$work/report.csv" || bad "report file lacks the bad row"
expect_rc 0 "export after refused import" -- "$sanad" --db "$B" export pupils -o "$work/none.csv"
grep -q ": 0 rows" "$work/out" || bad "a refused import wrote rows: $(cat "$work/out")"
expect_rc 0 "skip invalid" -- "$sanad" --db "$B" import pupils "$work/bad.csv" --skip-invalid
grep -q "23 valid, 1 rejected" "$work/out" || bad "skip-invalid counts: $(cat "$work/out")"

# Export → import into an empty database → export: identical files.
C=$(newdb c)
"$sanad" --db "$C" init >/dev/null
for kind in schools pupils households absences; do
  for fmt in csv xlsx; do
    expect_rc 0 "export $kind $fmt" -- "$sanad" --db "$A" export "$kind" --format "$fmt" -o "$work/a_$kind.$fmt"
  done
  expect_rc 0 "reimport $kind" -- "$sanad" --db "$C" import "$kind" "$work/a_$kind.xlsx"
  for fmt in csv xlsx; do
    "$sanad" --db "$C" export "$kind" --format "$fmt" -o "$work/c_$kind.$fmt" >/dev/null
    cmp -s "$work/a_$kind.$fmt" "$work/c_$kind.$fmt" && ok || bad "round trip of $kind ($fmt) differs"
  done
done
# A month's absences file replacing the month: a check says what would go, the import deletes it.
grep -v '^R610846881,' "$examples/absences.csv" >"$work/november.csv"
expect_rc 0 "replace a month, checked" -- "$sanad" --db "$C" import absences "$work/november.csv" \
  --replace-from 2024-11-01 --replace-to 2024-11-30 --dry-run
grep -q "replaces the absences from 2024-11-01 to 2024-11-30 of 1 school(s) (35310051B): 2 no longer listed would be deleted" "$work/out" ||
  bad "replace check: $(cat "$work/out")"
expect_rc 0 "replace a month" -- "$sanad" --db "$C" import absences "$work/november.csv" \
  --replace-from 2024-11-01 --replace-to 2024-11-30
grep -q "absences: 0 inserted, 0 updated, 64 unchanged, 2 deleted" "$work/out" || bad "replace: $(cat "$work/out")"
expect_rc 2 "replace without its end" -- "$sanad" --db "$C" import absences "$work/november.csv" --replace-from 2024-11-01
expect_rc 2 "replace across two years" -- "$sanad" --db "$C" import absences "$work/november.csv" \
  --replace-from 2024-11-01 --replace-to 2025-11-30
grep -q "within one school year" "$work/err" || bad "replace across years: $(cat "$work/err")"

expect_rc 0 "export in French" -- "$sanad" --db "$A" export pupils --lang fr --format csv -o "$work/fr.csv"
head -c 200 "$work/fr.csv" | grep -q "Code Massar;Nom (arabe)" && ok || bad "French headings missing"
expect_rc 0 "scoped export" -- "$sanad" --db "$A" export schools --scope 03.531.05.07 -o "$work/s.csv"
grep -q ": 1 rows" "$work/out" || bad "scope 03.531.05.07 should hold one school: $(cat "$work/out")"

# Usage and errors.
expect_rc 2 "no command" -- "$sanad"
expect_rc 2 "unknown command" -- "$sanad" frobnicate
expect_rc 2 "import without file" -- "$sanad" --db "$A" import pupils
expect_rc 2 "import unknown kind" -- "$sanad" --db "$A" import teachers "$examples/schools.csv"
expect_rc 2 "export bad format" -- "$sanad" --db "$A" export pupils --format docx -o "$work/x"
before=$("$sanad" --db "$A" audit head)
expect_rc 0 "export pupils as PDF" -- "$sanad" --db "$A" export pupils --format pdf -o "$work/pupils.pdf"
[ "$(head -c 5 "$work/pupils.pdf")" = "%PDF-" ] && ok || bad "export --format pdf"
# A list of pupils written from the command line is in the audit log, as from the API.
[ "$("$sanad" --db "$A" audit head)" != "$before" ] && ok || bad "the CLI's export left no audit entry"
if [ "$backend" = sqlite ]; then
  [ "$(sqlite3 "$A" "SELECT action || ' ' || subject || ' ' || (actor LIKE 'cli:%') FROM audit_log ORDER BY id DESC LIMIT 1")" = "export pupils 1" ] &&
    ok || bad "the CLI's export: $(sqlite3 "$A" "SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")"
fi
# What the store derives from the records (the absence tallies) is checked pupil by pupil and
# month by month: a day moved to another month behind sanad's back is found, sanad init counts it
# again.
expect_rc 0 "check" -- "$sanad" --db "$A" check
grep -q "matches them" "$work/out" && ok || bad "sanad check: $(cat "$work/out")"
if [ "$backend" = sqlite ]; then
  sqlite3 "$A" "UPDATE absences SET day = '2025-08-30' WHERE (pupil_id, day) = (SELECT pupil_id, day FROM absences WHERE day BETWEEN '2024-09-01' AND '2025-07-31' ORDER BY pupil_id, day LIMIT 1)"
  expect_rc 65 "check finds a day moved around sanad" -- "$sanad" --db "$A" check
  grep -q "DRIFTED: 1 pupils" "$work/out" && ok || bad "sanad check: $(cat "$work/out")"
  expect_rc 0 "init counts it again" -- "$sanad" --db "$A" init
  grep -q "absence tallies recounted: 1 pupils" "$work/out" && ok || bad "sanad init: $(cat "$work/out")"
  expect_rc 0 "check after init" -- "$sanad" --db "$A" check
fi
expect_rc 2 "export bad scope" -- "$sanad" --db "$A" export pupils --scope "x y" -o "$work/x"
expect_rc 65 "export unknown scope" -- "$sanad" --db "$A" export pupils --scope 99 -o "$work/x"
expect_rc 65 "missing file" -- "$sanad" --db "$A" import pupils "$work/does-not-exist.csv"
head -c 3000 /dev/urandom >"$work/random.xlsx"
expect_rc 65 "random bytes" -- "$sanad" --db "$A" import pupils "$work/random.xlsx"
grep -q "Aborted\|terminate\|Segmentation" "$work/err" && bad "crash on random bytes"
expect_rc 1 "demo on a non-empty database" -- "$sanad" --db "$A" demo --scale school
expect_rc 2 "demo bad scale" -- "$sanad" --db "$A" demo --scale planet
# Accounts and the audit log.
echo "weak" | expect_rc 65 "weak password refused" -- "$sanad" --db "$A" user add head1 --name "Head One" --role school_head --scope 35310051B --password-stdin
grep -q "at least 10" "$work/err" || bad "weak password: reason not given: $(cat "$work/err")"
echo "long enough 12" | expect_rc 0 "user add" -- "$sanad" --db "$A" user add head1 --name "مدير المدرسة" --role school_head --scope 35310051B --password-stdin
echo "long enough 12" | expect_rc 65 "school head with a directorate scope refused" -- "$sanad" --db "$A" user add head2 --name X --role school_head --scope 03.531 --password-stdin
expect_rc 0 "user disable" -- "$sanad" --db "$A" user disable head1
expect_rc 0 "user list" -- "$sanad" --db "$A" user list
grep -q "^head1	school_head	35310051B	مدير المدرسة	disabled" "$work/out" || bad "user list: $(cat "$work/out")"
expect_rc 65 "unknown user" -- "$sanad" --db "$A" user disable nobody
expect_rc 0 "audit verify" -- "$sanad" --db "$A" audit verify
grep -q "audit log intact" "$work/out" || bad "audit verify: $(cat "$work/out")"
expect_rc 0 "audit head" -- "$sanad" --db "$A" audit head
anchor=$(cat "$work/out")
[[ "$anchor" =~ ^[0-9]+:[0-9a-f]{64}$ ]] || bad "audit head: «$anchor» is not ID:HASH"
expect_rc 0 "audit verify with an anchor" -- "$sanad" --db "$A" audit verify --anchor "$anchor"
grep -q "the anchor's entry is there" "$work/out" || bad "audit verify --anchor: $(cat "$work/out")"
expect_rc 2 "audit verify with a malformed anchor" -- "$sanad" --db "$A" audit verify --anchor "yesterday"
expect_rc 2 "audit verify with an anchor of no entry" -- "$sanad" --db "$A" audit verify --anchor "0:abc"
grep -q "ID:HASH" "$work/err" || bad "malformed anchor: $(cat "$work/err")"
if [ "$backend" = sqlite ]; then
  sqlite3 "$A" "DELETE FROM audit_log WHERE id = ${anchor%%:*}"
  expect_rc 0 "audit verify without the anchor misses a deleted last entry" -- "$sanad" --db "$A" audit verify
  expect_rc 1 "audit verify with the anchor detects the deleted last entry" -- "$sanad" --db "$A" audit verify --anchor "$anchor"
  grep -q "BROKEN at entry ${anchor%%:*}.*deleted from the end" "$work/out" || bad "audit verify --anchor: $(cat "$work/out")"
  sqlite3 "$A" "UPDATE audit_log SET actor = 'intruder' WHERE id = 2"
  expect_rc 1 "audit verify detects an altered entry" -- "$sanad" --db "$A" audit verify
  grep -q "BROKEN at entry 2" "$work/out" || bad "audit verify: $(cat "$work/out")"
fi

for cmd in init import export demo serve user audit; do
  expect_rc 0 "$cmd --help" -- "$sanad" "$cmd" --help
done
expect_rc 0 "--help" -- "$sanad" --help
SANAD_DB="$A" expect_rc 0 "SANAD_DB" -- "$sanad" export regions -o "$work/r.csv"
grep -q ": 12 rows" "$work/out" || bad "SANAD_DB not used"

# Tayssir from the command line: the published policy, a cycle of a small demo, the schools'
# checks, approval, the payment file (asked for, written once), lists, an explanation.
T=$(newdb t)
"$sanad" --db "$T" init >/dev/null && "$sanad" --db "$T" demo --communes 6 >/dev/null 2>&1
expect_rc 0 "tayssir policy init" -- "$sanad" --db "$T" tayssir policy init --year 2025-2026
grep -q "RAMED will be required in every commune" "$work/err" || bad "policy init did not say RAMED is required everywhere: $(cat "$work/err")"
expect_rc 65 "tayssir policy init twice" -- "$sanad" --db "$T" tayssir policy init --year 2025-2026
grep -q "already exists" "$work/err" || bad "second policy init: $(cat "$work/err")"
expect_rc 0 "tayssir policy show" -- "$sanad" --db "$T" tayssir policy show tayssir-2025-2026
sed 's/"1AP": 6000/"1AP": -5/' "$work/out" >"$work/policy.json"
expect_rc 65 "tayssir policy set, invalid" -- "$sanad" --db "$T" tayssir policy set tayssir-2025-2026 "$work/policy.json"
grep -q "the amount for 1AP is negative" "$work/err" || bad "invalid policy not explained: $(cat "$work/err")"
expect_rc 0 "tayssir policy copy" -- "$sanad" --db "$T" tayssir policy copy tayssir-2025-2026 tayssir-2026-2027 --year 2026-2027
expect_rc 0 "tayssir policy show copy" -- "$sanad" --db "$T" tayssir policy show tayssir-2026-2027
grep -q '"2026-09"' "$work/out" && grep -q '"school_year": "2026-2027"' "$work/out" && ! grep -q '"2025-' "$work/out" && ok || bad "the copied policy's months did not move: $(head -c 300 "$work/out")"
# The communes exempt from RAMED from a file: the exported communes' own file is read back (its
# Arabic heading found); a wrong code is refused naming its row and column, nothing saved.
"$sanad" --db "$T" export communes --format csv -o "$work/communes.csv" >/dev/null
(head -1 "$work/communes.csv"; grep '^03\.531\.' "$work/communes.csv" | head -3) >"$work/exempt.csv"
printf '03.531.01.01\n99.999.99.99\n' >"$work/exempt-bad.csv"
expect_rc 65 "tayssir policy ramed-exempt, a wrong code" -- "$sanad" --db "$T" tayssir policy ramed-exempt tayssir-2026-2027 "$work/exempt-bad.csv"
grep -q 'exempt-bad.csv, row 2, column 1: "99.999.99.99" is not the code of a commune' "$work/err" || bad "wrong exempt commune: $(cat "$work/err")"
expect_rc 0 "tayssir policy ramed-exempt" -- "$sanad" --db "$T" tayssir policy ramed-exempt tayssir-2026-2027 "$work/exempt.csv"
grep -q "3 commune(s) exempt from RAMED" "$work/out" && ! grep -q "RAMED will be required" "$work/err" && ok || bad "ramed-exempt: $(cat "$work/out" "$work/err")"
"$sanad" --db "$T" tayssir policy show tayssir-2026-2027 | tr -d ' \n' | grep -q '"ramed_exempt_communes":\["03.531.01.01","03.531.01.03","03.531.01.05"\]' && ok || bad "the exempt communes were not saved"
expect_rc 0 "tayssir compute" -- "$sanad" --db "$T" tayssir compute --policy tayssir-2025-2026 --period T1 --scope 03.531
grep -q "^cycle 1 tayssir-2025-2026 T1 directorate 03.531: draft" "$work/out" || bad "compute output: $(cat "$work/out")"
expect_rc 65 "tayssir compute, unknown period" -- "$sanad" --db "$T" tayssir compute --policy tayssir-2025-2026 --period T9 --scope 03.531
grep -q "no transfer period T9 (periods: T1, T2, T3)" "$work/err" || bad "unknown period: $(cat "$work/err")"
expect_rc 65 "tayssir approve a draft" -- "$sanad" --db "$T" tayssir advance 1 approved
for school in $("$sanad" --db "$T" export schools --format csv -o "$work/ts.csv" >/dev/null && tail -n +2 "$work/ts.csv" | cut -d, -f1); do
  "$sanad" --db "$T" tayssir check 1 "$school" >/dev/null 2>&1
done
# Each school's confirmation, though no account's role confirms for a school from above: the
# command line is the local operator, who may every action (`sanad roles` says so).
expect_rc 0 "tayssir checked" -- "$sanad" --db "$T" tayssir advance 1 checked
expect_rc 0 "roles" -- "$sanad" roles
grep -q "^tayssir_check	-	" "$work/out" && grep -q "acts as the local operator: every action" "$work/out" &&
  ok || bad "sanad roles: $(tail -3 "$work/out")"
expect_rc 0 "tayssir approved" -- "$sanad" --db "$T" tayssir advance 1 approved
expect_rc 1 "tayssir pay without confirmation" -- "$sanad" --db "$T" tayssir pay 1 -o "$work/pay.xlsx" </dev/null
[ ! -e "$work/pay.xlsx" ] && ok || bad "a payment file was written without confirmation"
announced=$(sed -n 's/.*for payment (\([0-9.]*\) MAD to \([0-9]*\) households.*/\2 households, \1 MAD/p' "$work/err")
[ -n "$announced" ] && ok || bad "the question names no amount: $(cat "$work/err")"
expect_rc 0 "tayssir pay" -- "$sanad" --db "$T" tayssir pay 1 -o "$work/pay.xlsx" --yes
grep -q "households, .* MAD, sha256 [0-9a-f]\{64\}" "$work/out" || bad "pay output: $(cat "$work/out")"
grep -qF ": $announced, sha256" "$work/out" && ok || bad "paid other than announced ($announced): $(cat "$work/out")"
expect_rc 65 "tayssir pay twice" -- "$sanad" --db "$T" tayssir pay 1 -o "$work/pay2.xlsx" --yes
grep -q "already exported" "$work/err" && [ ! -e "$work/pay2.xlsx" ] && ok || bad "second payment: $(cat "$work/err")"
expect_rc 0 "tayssir beneficiaries" -- "$sanad" --db "$T" tayssir list 1 beneficiaries -o "$work/ben.xlsx"
first_school=$(tail -n +2 "$work/ts.csv" | cut -d, -f1 | head -1)
expect_rc 0 "tayssir beneficiaries PDF" -- "$sanad" --db "$T" tayssir list 1 beneficiaries --format pdf --school "$first_school" -o "$work/ben.pdf"
[ "$(head -c 5 "$work/ben.pdf")" = "%PDF-" ] && ok || bad "the signature list is not a PDF"
before=$("$sanad" --db "$T" audit head)
expect_rc 0 "tayssir exclusions" -- "$sanad" --db "$T" tayssir list 1 exclusions --format csv --lang fr -o "$work/exc.csv"
[ "$("$sanad" --db "$T" audit head)" != "$before" ] && ok || bad "the CLI's cycle list left no audit entry"
grep -q "carte RAMED manquante;ramed_missing" "$work/exc.csv" || bad "exclusions lack the RAMED reason"
massar=$(grep ';ramed_missing' "$work/exc.csv" | head -1 | cut -d';' -f2)
expect_rc 0 "tayssir explain" -- "$sanad" --db "$T" tayssir explain 1 "$massar"
grep -q "ramed_missing" "$work/out" && grep -q "2025-09: " "$work/out" && ok || bad "explain: $(cat "$work/out")"
sed 's/"milieu": "rural"/"milieu": ""/' "$work/policy.json" | sed 's/"1AP": -5/"1AP": 6000/; s/"code": "tayssir-2025-2026"/"code": "everywhere"/' >"$work/variant.json"
expect_rc 0 "tayssir whatif" -- "$sanad" --db "$T" tayssir whatif --base tayssir-2025-2026 --variant-file "$work/variant.json" --scope 03.531 -o "$work/changes.csv" --format csv --lang fr
grep -q "^total .*beneficiaries" "$work/out" && grep -q "^[1-9][0-9]* pupils enter, 0 leave" "$work/out" || bad "whatif: $(cat "$work/out")"
grep -q "commune non ciblée;éligible" "$work/changes.csv" || bad "whatif changes file"
expect_rc 0 "tayssir appeal file" -- "$sanad" --db "$T" tayssir appeal file 1 "$massar" --grounds "receipt filed in September"
grep -q "appeal #1 filed" "$work/out" || bad "appeal file: $(cat "$work/out")"
expect_rc 65 "tayssir appeal on a month paid" -- "$sanad" --db "$T" tayssir appeal decide 1 upheld --note "seen" --months 2025-13
expect_rc 0 "tayssir appeal decide" -- "$sanad" --db "$T" tayssir appeal decide 1 upheld --note "receipt seen"
grep -q "appeal #1 upheld: .* MAD for 2025-" "$work/out" || bad "appeal decide: $(cat "$work/out")"
expect_rc 0 "tayssir suspects" -- "$sanad" --db "$T" tayssir suspects --policy tayssir-2025-2026 --scope 03.531
pair=$(grep -m1 $'\tpending\t' "$work/out" || true)
if [ -n "$pair" ]; then
  read -r kind a b _ <<<"$pair"
  expect_rc 0 "tayssir review" -- "$sanad" --db "$T" tayssir review "$kind" "$a" "$b" distinct --note "two people"
  expect_rc 0 "tayssir suspects after review" -- "$sanad" --db "$T" tayssir suspects --policy tayssir-2025-2026 --scope 03.531
  grep -q "$a"$'\t'"$b"$'\tdistinct' "$work/out" && ok || bad "the reviewed pair is not shown as decided"
else
  bad "the demo has no suspected duplicate to review"
fi
expect_rc 0 "tayssir close" -- "$sanad" --db "$T" tayssir advance 1 closed --yes
grep -q ": closed" "$work/out" || bad "close: $(cat "$work/out")"

# Statistics and the SDMX exchange: the indicators of the small Tayssir demo (which now has a
# closed cycle), the structure and data valid against the official SDMX 2.1 schemas, small
# counts withheld, the export read into an empty database giving back the same figures, and the
# census CSV of indicators by commune (a bad value named by line and column, nothing written).
schemas="$(cd "$(dirname "$0")/../../data/sdmx-2.1/schemas" && pwd)"
expect_rc 0 "stats show" -- "$sanad" --db "$T" stats show --scope 03.531
pupils=$(awk -F'\t' '$1=="PUPILS" && $2=="total" {print $3}' "$work/out")
[ -n "$pupils" ] && [ "$pupils" -gt 100 ] && ok || bad "stats show: no pupil count: $(head -3 "$work/out")"
grep -q "^TAYSSIR_COVERAGE	total	[0-9.]* %" "$work/out" && ok || bad "stats show: no Tayssir coverage after a cycle: $(grep TAYSSIR "$work/out")"
expect_rc 0 "stats rank" -- "$sanad" --db "$T" stats rank ABSENCE_RATE --scope 03.531
[ "$(wc -l <"$work/out")" -ge 2 ] && ok || bad "stats rank: fewer than two communes"
expect_rc 2 "stats rank, unknown indicator" -- "$sanad" --db "$T" stats rank NOPE --scope 03.531
expect_rc 0 "exchange export" -- "$sanad" --db "$T" exchange export --year 2025-2026 -o "$work/sdmx"
grep -q "withheld under 5 pupils" "$work/out" && ok || bad "exchange export: $(cat "$work/out")"
xmllint --noout --schema "$schemas/SDMXMessage.xsd" "$work/sdmx/SANAD_DSD.xml" 2>"$work/xerr" && ok || { bad "structure not valid SDMX 2.1"; head -5 "$work/xerr" >&2; }
ns=$(grep -o 'targetNamespace="[^"]*"' "$work/sdmx/SANAD_DSD.xsd" | cut -d'"' -f2)
cat >"$work/both.xsd" <<XSD
<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" schemaLocation="$schemas/SDMXMessage.xsd"/>
  <xs:import namespace="$ns" schemaLocation="$work/sdmx/SANAD_DSD.xsd"/>
</xs:schema>
XSD
xmllint --noout --schema "$work/both.xsd" "$work/sdmx/SANAD_2025-2026.xml" 2>"$work/xerr" && ok || { bad "data not valid SDMX 2.1"; head -5 "$work/xerr" >&2; }
grep -q ',PUPILS,MA,_T,_T,_T,2025,[0-9]*,A,F$' "$work/sdmx/SANAD_2025-2026.csv" && ok || bad "SDMX-CSV: no national pupil count"
grep -q ',M,C$' "$work/sdmx/SANAD_2025-2026.csv" && ok || bad "SDMX-CSV: no count withheld (CONF_STATUS C)"
if grep -E ',[1-4],A,F$' "$work/sdmx/SANAD_2025-2026.csv" | grep -E ',(PUPILS|GIRLS|TAYSSIR_BENEFICIARIES|PUPILS_6_11),' | head -1 | grep -q .; then
  bad "a count under 5 pupils was published"
else ok; fi
E=$(newdb e)
"$sanad" --db "$E" init >/dev/null
expect_rc 0 "exchange import SDMX-CSV" -- "$sanad" --db "$E" exchange import "$work/sdmx/SANAD_2025-2026.csv"
expect_rc 0 "exchange received" -- "$sanad" --db "$E" exchange received
cmp -s "$work/out" "$work/sdmx/SANAD_2025-2026.csv" && ok || bad "the imported export does not give back the same figures"
expect_rc 0 "exchange import SDMX-ML" -- "$sanad" --db "$E" exchange import "$work/sdmx/SANAD_2025-2026.xml"
grep -q "0 inserted, 0 updated" "$work/out" && ok || bad "SDMX-ML import of the same data changed something: $(cat "$work/out")"
printf 'code,code_digits,level,name_fr,area,sex,population_legal,schooling_rate_6_to_11\n03.531.01.05,035310105,commune,Taounate,total,all,39114,96.5\n03.531.01.05,035310105,commune,Taounate,urban,all,39114,99\n03.531.05.03,035310503,commune,Bouchabel,total,all,13767,88.1\n' >"$work/census.csv"
expect_rc 0 "exchange import census" -- "$sanad" --db "$T" exchange import "$work/census.csv"
grep -q "census-csv: 4 inserted" "$work/out" && ok || bad "census import: $(cat "$work/out")"
expect_rc 0 "stats show after census" -- "$sanad" --db "$T" stats show --scope 03.531.05.03
grep -q "^CENSUS_SCHOOLING_RATE_6_11	total	88.1 %" "$work/out" && ok || bad "census rate of the commune: $(grep CENSUS "$work/out")"
sed 's/,88.1$/,eighty/' "$work/census.csv" >"$work/census_bad.csv"
expect_rc 65 "exchange import bad census" -- "$sanad" --db "$T" exchange import "$work/census_bad.csv"
grep -q "line 4: column schooling_rate_6_to_11: \"eighty\" is not a number" "$work/err" && ok || bad "bad census value not named: $(cat "$work/err")"

# The server (without a web app: the status page), health, the API's login, a body over the
# limit, then a graceful stop on SIGTERM with an idle keep-alive connection open.
echo "api password 9" | expect_rc 0 "user add for the API" -- "$sanad" --db "$A" user add api1 --name "API" --role directorate_manager --scope 03.531 --password-stdin
# The regular exchange inside the server: POSTed to an HTTP endpoint (a small receiver that
# refuses the first file, then takes them), retried after the failure, every attempt in the
# delivery log; and into an outbox folder.
if [ "$backend" = sqlite ] && command -v node >/dev/null; then
  rport=$(free_port)
  node -e '
    const http = require("http"), fs = require("fs"), crypto = require("crypto");
    let n = 0;
    http.createServer((q, r) => {
      const parts = [];
      q.on("data", (c) => parts.push(c));
      q.on("end", () => {
        const body = Buffer.concat(parts);
        if (n++ === 0) { r.writeHead(503); return r.end("busy"); }
        const sum = crypto.createHash("sha256").update(body).digest("hex");
        fs.appendFileSync(process.argv[2], `${q.headers["x-sanad-file"]} ${sum === q.headers["x-sanad-sha256"]} ${q.headers["content-type"]}\n`);
        r.writeHead(201); r.end();
      });
    }).listen(Number(process.argv[1]), "127.0.0.1");' "$rport" "$work/received.txt" &
  receiver=$!
  # The receiver listens before the server starts: its first delivery is due at once.
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$rport") 2>/dev/null && break; sleep 0.1; done
  xport=$(free_port)
  "$sanad" --db "$T" serve --listen "127.0.0.1:$xport" --web "$work/no-web-app" \
    --exchange-url "http://127.0.0.1:$rport/hcp/inbox" --exchange-every 1h --exchange-retry-after 1s \
    2>"$work/xserve.log" &
  xpid=$!
  for _ in $(seq 1 100); do grep -q "attempt 2" "$work/xserve.log" 2>/dev/null && break; sleep 0.2; done
  kill -TERM $xpid; wait $xpid || true
  kill $receiver 2>/dev/null; wait $receiver 2>/dev/null || true
  grep -q "exchange delivery .* (attempt 1): failed: .*HTTP 503" "$work/xserve.log" && ok || bad "the refused delivery is logged as failed: $(cat "$work/xserve.log")"
  grep -q "(attempt 2): ok" "$work/xserve.log" && ok || bad "the delivery is retried: $(cat "$work/xserve.log")"
  [ "$(grep -c " true " "$work/received.txt" 2>/dev/null)" = 4 ] && grep -q "^SANAD_2025-2026.xml true application/vnd.sdmx.structurespecificdata+xml" "$work/received.txt" && ok || bad "the endpoint got the four files with their checksums: $(cat "$work/received.txt" 2>/dev/null)"
  "$sanad" --db "$T" serve --listen "127.0.0.1:$xport" --web "$work/no-web-app" \
    --exchange-outbox "$work/outbox" --exchange-url "http://x" 2>"$work/xserve.log" && bad "outbox and URL together" || ok
  "$sanad" --db "$T" serve --listen "127.0.0.1:$xport" --exchange-url "https://hcp.example/in" 2>"$work/xserve.log" && bad "https accepted" || grep -q "https is not supported" "$work/xserve.log" && ok || bad "https: $(cat "$work/xserve.log")"
  "$sanad" --db "$T" serve --listen "127.0.0.1:$xport" --exchange-outbox "$work/outbox" --exchange-every 2w 2>"$work/xserve.log" && bad "bad duration accepted" || grep -q "durations" "$work/xserve.log" && ok || bad "duration: $(cat "$work/xserve.log")"
fi

port=$(free_port)
"$sanad" --db "$A" serve --listen "127.0.0.1:$port" --web "$work/no-web-app" --max-upload-mb 1 2>"$work/serve.log" &
pid=$!
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3 && \
  timeout 5 cat <&3 | grep -q "^ok" && ok || bad "healthz"
exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3 && \
  timeout 5 cat <&3 >"$work/page" && grep -q 'dir="rtl"' "$work/page" && grep -q "التلاميذ" "$work/page" && ok || bad "status page"
body='{"login":"api1","password":"api password 9"}'
exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "${#body}" "$body" >&3 && \
  timeout 5 cat <&3 >"$work/login" && grep -q "^HTTP/1.1 200" "$work/login" && grep -qi "^Set-Cookie: sanad_session=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict" "$work/login" && ok || { bad "API login over HTTP"; cat "$work/login" >&2; }
# A sign-in from a page of another site, or sent as a form, is refused (login CSRF).
exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nOrigin: http://evil.example\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "$port" "${#body}" "$body" >&3 && \
  timeout 5 cat <&3 >"$work/login" && grep -q "^HTTP/1.1 403" "$work/login" && ! grep -qi "^Set-Cookie" "$work/login" && ok || bad "a sign-in from another origin"
exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'POST /api/v1/login HTTP/1.1\r\nHost: x\r\nSec-Fetch-Site: cross-site\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "${#body}" "$body" >&3 && \
  timeout 5 cat <&3 >"$work/login" && grep -q "^HTTP/1.1 403" "$work/login" && ok || bad "a cross-site sign-in"
exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nOrigin: http://127.0.0.1:%s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "$port" "$port" "${#body}" "$body" >&3 && \
  timeout 5 cat <&3 >"$work/login" && grep -q "^HTTP/1.1 415" "$work/login" && ok || bad "a sign-in sent as text"
exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nOrigin: http://127.0.0.1:%s\r\nSec-Fetch-Site: same-origin\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "$port" "$port" "${#body}" "$body" >&3 && \
  timeout 5 cat <&3 >"$work/login" && grep -q "^HTTP/1.1 200" "$work/login" && ok || bad "a sign-in from Sanad's own page"
exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'POST /api/v1/imports/pupils HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n' >&3 && \
  timeout 5 cat <&3 >"$work/big" && grep -q "^HTTP/1.1 413" "$work/big" && grep -q "limited to 1 MB" "$work/big" && ok || bad "an upload over the limit gets 413"
# An upload is answered on its headers when they do not allow it: without a session, 401 before
# a byte of its body is sent (the body would otherwise fill the memory first).
exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'POST /api/v1/imports/pupils HTTP/1.1\r\nHost: x\r\nContent-Length: 900000\r\n\r\n' >&3 && \
  timeout 5 cat <&3 >"$work/anon" && grep -q "^HTTP/1.1 401" "$work/anon" && ok || bad "an upload without a session is refused before its body: $(head -1 "$work/anon")"
cookie=$(grep -i "^Set-Cookie: " "$work/login" | sed 's/^[^:]*: \([^;]*\).*/\1/' | tr -d '\r')
exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'POST /api/v1/imports/pupils HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nContent-Length: 900000\r\n\r\n' "$cookie" >&3 && \
  timeout 5 cat <&3 >"$work/anon" && grep -q "^HTTP/1.1 403" "$work/anon" && ok || bad "an upload without the CSRF token is refused before its body: $(head -1 "$work/anon")"
exec 4<>"/dev/tcp/127.0.0.1/$port"  # idle keep-alive connection
sleep 0.2
kill -TERM $pid; wait $pid && ok || bad "serve did not stop cleanly on SIGTERM"
timeout 2 cat <&4 >/dev/null && ok || bad "the idle connection was not closed on SIGTERM"
exec 4>&-
grep -q "stopped" "$work/serve.log" && ok || bad "no 'stopped' in the server log"

# Two servers on one database, side by side: a session opened on one is good on the other, and a
# logout on the second ends it on the first at once (sessions live in the database; what a server
# keeps of them follows the audit log's head).
p1=$(free_port) p2=$(free_port)
[ "$p1" != "$p2" ] || p2=$((p1 + 1))
"$sanad" --db "$A" serve --listen "127.0.0.1:$p1" --web "$work/no-web-app" 2>"$work/serve1.log" &
s1=$!
"$sanad" --db "$A" serve --listen "127.0.0.1:$p2" --web "$work/no-web-app" --behind-proxy 2>"$work/serve2.log" &
s2=$!
for p in $p1 $p2; do
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done
node -e '
  const [a, b] = process.argv.slice(1).map((p) => `http://127.0.0.1:${p}/api/v1`);
  (async () => {
    const login = await fetch(`${a}/login`, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ login: "api1", password: "api password 9" }) });
    if (login.status !== 200) throw new Error(`login on the first server: ${login.status}`);
    const cookie = login.headers.get("set-cookie").split(";")[0];
    const { csrf } = await login.json();
    const on = async (url) => (await fetch(`${url}/session`, { headers: { cookie } })).status;
    if ((await on(b)) !== 200) throw new Error("the session is not good on the second server");
    if ((await on(a)) !== 200) throw new Error("the session is not good on the first server");
    const out = await fetch(`${b}/logout`, { method: "POST", headers: { cookie, "X-CSRF-Token": csrf } });
    if (out.status !== 200) throw new Error(`logout on the second server: ${out.status}`);
    if ((await on(a)) !== 401) throw new Error("the first server still takes the session ended on the second");
    // Behind a TLS proxy (the second server only): the cookie is Secure, the client named.
    const proxied = { "Content-Type": "application/json", "X-Forwarded-For": "10.1.1.1, 203.0.113.9",
      "X-Forwarded-Proto": "https" };
    const body = JSON.stringify({ login: "api1", password: "api password 9" });
    const direct = await fetch(`${a}/login`, { method: "POST", headers: proxied, body });
    if (/Secure/.test(direct.headers.get("set-cookie"))) throw new Error("a server not behind a proxy believed the headers");
    const viaProxy = await fetch(`${b}/login`, { method: "POST", headers: proxied, body });
    if (!/; Secure/.test(viaProxy.headers.get("set-cookie"))) throw new Error(`no Secure cookie behind the proxy: ${viaProxy.headers.get("set-cookie")}`);
  })().catch((e) => { console.error(e.message); process.exit(1); });
' "$p1" "$p2" 2>"$work/two.err" && ok || bad "two servers side by side: $(cat "$work/two.err")"
kill -TERM $s1 $s2; wait $s1 $s2 || true
if [ "$backend" = sqlite ]; then
  [ "$(sqlite3 "$A" "SELECT origin FROM audit_log WHERE action = 'login' ORDER BY id DESC LIMIT 1")" = 203.0.113.9 ] &&
    ok || bad "behind the proxy, the login's origin is not the client's address"
fi

# Long work never holds up the other calls: an import waiting for the database (another writer
# holds its write lock for 8 s) runs on a worker of its own; a call made meanwhile is answered
# first, even with a single ordinary worker.
if [ "$backend" = sqlite ]; then
  p3=$(free_port)
  "$sanad" --db "$A" serve --listen "127.0.0.1:$p3" --web "$work/no-web-app" --workers 1 2>"$work/serve3.log" &
  s3=$!
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$p3") 2>/dev/null && break; sleep 0.1; done
  node -e '
    const base = `http://127.0.0.1:${process.argv[1]}/api/v1`;
    const { spawn } = require("child_process");
    (async () => {
      const login = await fetch(`${base}/login`, { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ login: "api1", password: "api password 9" }) });
      const cookie = login.headers.get("set-cookie").split(";")[0];
      const { csrf } = await login.json();
      const writer = spawn("sqlite3", [process.argv[2]], { stdio: ["pipe", "ignore", "inherit"] });
      writer.stdin.write("BEGIN IMMEDIATE;\nSELECT 1;\n");
      await new Promise((r) => setTimeout(r, 500));
      const order = [];
      const roster = require("fs").readFileSync(process.argv[3]);
      const imp = fetch(`${base}/imports/pupils?file=r.csv&commit=1`, { method: "POST",
        headers: { cookie, "X-CSRF-Token": csrf }, body: roster }).then((r) => order.push(`import ${r.status}`));
      await new Promise((r) => setTimeout(r, 300));
      const ses = fetch(`${base}/session`, { headers: { cookie } }).then((r) => order.push(`session ${r.status}`));
      await ses;
      setTimeout(() => writer.stdin.end("ROLLBACK;\n"), 8000);
      await imp;
      if (order[0] !== "session 200") throw new Error(`answered in this order: ${order.join(", ")}`);
    })().catch((e) => { console.error(e.message); process.exit(1); });
  ' "$p3" "$A" "$examples/roster_1AP-1.csv" 2>"$work/order.err" && ok || bad "a call waited behind an import: $(cat "$work/order.err")"
  kill -TERM $s3; wait $s3 || true
fi

echo "cli ($backend): $passes passed, $fails failed"
[ "$fails" -eq 0 ]
