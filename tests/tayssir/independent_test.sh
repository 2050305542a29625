#!/usr/bin/env bash
# Tayssir computed a second way, on a registry no one has seen: a province demo of a new seed
# each run (SEED=N to reproduce one), edge cases added (transfers inside the directorate both
# ways, 6AP to 1AC, leavers, a transfer without a date), the published policy and three variants
# (cap rule and size, justified absences, repeaters, RAMED exemptions, absences counted in
# sessions, an "and" target), three
# periods each; tests/tayssir/independent.py compares every line, household and school total.
# Usage: independent_test.sh SANAD
set -euo pipefail
sanad=$1
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seed=${SEED:-$((RANDOM * 32768 + RANDOM))}
echo "seed $seed (SEED=$seed $0 $sanad reproduces this run)"
db="$work/t.db"
"$sanad" --db "$db" init >/dev/null
"$sanad" --db "$db" demo --scale province --communes 10 --seed "$seed" >/dev/null 2>&1
python3 "$here/independent.py" "$db" perturb "$seed"
year=$(sqlite3 "$db" "SELECT max(school_year) FROM enrolments")
"$sanad" --db "$db" tayssir policy init --year "$year" >/dev/null 2>&1
base="tayssir-$year"
variant() {  # variant CODE PYTHON-EDIT: a copy of the base policy, edited
  "$sanad" --db "$db" tayssir policy copy "$base" "$1" >/dev/null 2>&1
  "$sanad" --db "$db" tayssir policy show "$1" | python3 -c "import json,sys; p=json.load(sys.stdin); $2; print(json.dumps(p))" >"$work/$1.json"
  "$sanad" --db "$db" tayssir policy set "$1" "$work/$1.json" >/dev/null 2>&1
}
exempt=$(sqlite3 "$db" "SELECT group_concat('\"' || code || '\"') FROM (SELECT code FROM communes WHERE directorate_code = '03.531' ORDER BY code LIMIT 4)")
variant v-young "p['household_cap']=2; p['cap_rule']='youngest'; p['justified_absences_count']=False"
variant v-strict "p['repeaters_eligible']=False; p['cap_rule']='oldest'; p['ramed_exempt_communes']=[$exempt]"
variant v-sessions "p['absence_unit']='session'; p['absence_threshold_days']={'primaire': 6, 'college': 9}"
variant v-and "p['targets']=[{'cycle':'primaire','communes':[],'milieu':'','indicator':'poverty_rate','min_value':20,'and_indicators':[{'indicator':'dropout_primary','min_value':6}]},{'cycle':'college','communes':[],'milieu':'rural','indicator':'','min_value':0}]"
fails=0
for policy in "$base" v-young v-strict v-sessions v-and; do
  for period in T1 T2 T3; do
    "$sanad" --db "$db" tayssir compute --policy "$policy" --period "$period" --scope 03.531 >/dev/null 2>"$work/err" ||
      { cat "$work/err" >&2; exit 1; }
    python3 "$here/independent.py" "$db" check "$policy" "$period" || fails=$((fails + 1))
  done
done
[ "$fails" -eq 0 ] && echo "independent computation: every line agrees" || { echo "FAIL: $fails cycle(s) differ (seed $seed)" >&2; exit 1; }
