#!/usr/bin/env python3
"""A second computation of Tayssir cycles, written from the rules (../shared/DOMAIN.md §3, the
policy's JSON and README's "Tayssir from the command line") rather than from Sanad's engine, read
straight from a SQLite database: the registry's own tables (absences day by day, not the tallies),
then compared line by line, household by household and school by school with the cycles Sanad
stored. Usage:
  independent.py DB perturb SEED          move, transfer and take out some pupils (edge cases)
  independent.py DB check POLICY PERIOD   compare; exit 1 naming the first differences
"""
import json
import random
import sqlite3
import sys
from collections import defaultdict

PRIMARY = {"1AP", "2AP", "3AP", "4AP", "5AP", "6AP"}
COLLEGE = {"1AC", "2AC", "3AC"}
LYCEE = {"TC", "1BAC", "2BAC"}


def cycle_of(level):
    if level in PRIMARY:
        return "primaire"
    if level in COLLEGE:
        return "college"
    if level in LYCEE:
        return "lycee"
    return "prescolaire"


def month_of(date):
    return date[:7] if date and len(date) >= 7 else None


def perturb(db, seed):
    """Edge cases on a demo registry: dated transfers inside the directorate both ways (rural ↔
    urban), a move from 6AP to 1AC, pupils leaving during the year, a transfer without a date."""
    rng = random.Random(seed)
    con = sqlite3.connect(db)
    year = con.execute("SELECT max(school_year) FROM enrolments").fetchone()[0]
    y0 = int(year[:4])
    schools = con.execute(
        "SELECT s.id, s.cycles, c.milieu FROM schools s JOIN communes c ON c.code = s.commune_code"
    ).fetchall()
    by = defaultdict(list)
    for sid, cycles, milieu in schools:
        for c in cycles.split(","):
            by[(c.strip(), milieu)].append(sid)
    rows = con.execute(
        "SELECT e.id, e.pupil_id, e.school_id, e.level, c.milieu FROM enrolments e JOIN schools s "
        "ON s.id = e.school_id JOIN communes c ON c.code = s.commune_code WHERE e.school_year = ? "
        "AND e.status = 'enrolled' ORDER BY e.id",
        (year,),
    ).fetchall()
    rng.shuffle(rows)
    used = set()

    def take(pred, n):
        out = []
        for r in rows:
            if len(out) == n:
                break
            if r[1] not in used and pred(r):
                used.add(r[1])
                out.append(r)
        return out

    def move(r, to_school, to_level, date):
        if con.execute("SELECT 1 FROM enrolments WHERE pupil_id = ? AND school_year = ? AND "
                       "school_id = ?", (r[1], year, to_school)).fetchone():
            return False  # already enrolled there that year
        con.execute("UPDATE enrolments SET status = 'transferred', left_date = ? WHERE id = ?", (date, r[0]))
        con.execute(
            "INSERT INTO enrolments (pupil_id, school_year, school_id, level, class_name, status) "
            "VALUES (?, ?, ?, ?, '1', 'enrolled')",
            (r[1], year, to_school, to_level),
        )
        return True

    counts = defaultdict(int)
    for r in take(lambda r: r[3] in PRIMARY and r[4] == "rural", 25):
        targets = [s for s in by[("primaire", "urban")] if s != r[2]]
        if targets:
            counts["rural to urban"] += move(r, rng.choice(targets), r[3], f"{y0}-11-{rng.randint(1, 28):02d}")
    for r in take(lambda r: r[3] in PRIMARY and r[4] == "urban", 25):
        targets = [s for s in by[("primaire", "rural")] if s != r[2]]
        if targets:
            counts["urban to rural"] += move(r, rng.choice(targets), r[3], f"{y0 + 1}-02-{rng.randint(1, 28):02d}")
    for r in take(lambda r: r[3] == "6AP", 10):
        targets = by[("college", "urban")] + by[("college", "rural")]
        if targets:
            counts["6AP to 1AC"] += move(r, rng.choice(targets), "1AC", f"{y0 + 1}-01-{rng.randint(1, 28):02d}")
    for r in take(lambda r: True, 30):
        m = rng.choice([f"{y0}-10", f"{y0}-12", f"{y0 + 1}-01", f"{y0 + 1}-03", f"{y0 + 1}-05"])
        con.execute("UPDATE enrolments SET status = 'left', left_date = ? WHERE id = ?",
                    (f"{m}-{rng.randint(1, 28):02d}", r[0]))
        counts["left"] += 1
    for r in take(lambda r: r[3] in PRIMARY, 5):
        con.execute("UPDATE enrolments SET status = 'transferred', left_date = NULL WHERE id = ?", (r[0],))
        counts["transferred without a date"] += 1
    # Sessions missed: two on about one absence day in five, three on a few.
    n = con.execute("UPDATE absences SET sessions = 2 WHERE (pupil_id * 31 + length(day) * 7 + "
                    "CAST(substr(day, 9, 2) AS INTEGER) * 13 + ?) % 5 = 0", (seed % 97,)).rowcount
    n += con.execute("UPDATE absences SET sessions = 3 WHERE (pupil_id + CAST(substr(day, 9, 2) AS "
                     "INTEGER) + ?) % 23 = 0", (seed % 89,)).rowcount
    counts["absence days of several sessions"] = n
    # Indicators of the communes with schools, some unknown: the targets' bounds.
    for (c,) in con.execute("SELECT DISTINCT commune_code FROM schools").fetchall():
        for name, top in (("poverty_rate", 50), ("dropout_primary", 15)):
            if rng.random() < 0.9:
                con.execute(
                    "INSERT OR REPLACE INTO commune_indicators (commune_code, indicator, value, "
                    "source) VALUES (?, ?, ?, 'test')", (c, name, round(rng.uniform(0, top), 1)))
                counts["indicator values"] += 1
    con.commit()
    print("; ".join(f"{k}: {v}" for k, v in counts.items()))


def check(db, code, period_code):
    con = sqlite3.connect(db)
    pid, year, body = con.execute(
        "SELECT id, school_year, body FROM tayssir_policies WHERE code = ?", (code,)).fetchone()
    pol = json.loads(body)
    period = next(p for p in pol["periods"] if p["code"] == period_code)
    months = period["months"]
    amounts = pol["monthly_amount_centimes"]
    thresholds = pol["absence_threshold_days"]

    communes = {c: m for c, m in con.execute("SELECT code, milieu FROM communes")}
    indicators = defaultdict(dict)
    for c, ind, v in con.execute("SELECT commune_code, indicator, value FROM commune_indicators"):
        indicators[ind][c] = v
    school_commune, school_code, school_dir = {}, {}, {}
    for sid, code_, commune, d in con.execute(
            "SELECT s.id, s.code, s.commune_code, c.directorate_code FROM schools s JOIN communes c "
            "ON c.code = s.commune_code"):
        school_commune[sid], school_code[sid], school_dir[sid] = commune, code_, d

    def matches(rule, commune):
        if rule.get("communes") and commune not in rule["communes"]:
            return False
        if rule.get("milieu") and communes[commune] != rule["milieu"]:
            return False
        bounds = []
        if rule.get("indicator"):
            bounds.append((rule["indicator"], rule.get("min_value", 0)))
        bounds += [(b["indicator"], b["min_value"]) for b in rule.get("and_indicators", [])]
        for name, low in bounds:
            v = indicators.get(name, {}).get(commune)
            if v is None or not v >= low:
                return False
        return True

    def targeted(level, commune):
        return any(r["cycle"] == cycle_of(level) and matches(r, commune) for r in pol["targets"])

    exempt = set(pol.get("ramed_exempt_communes", []))

    # The registry.
    pupils = {}
    for i, massar, ar, fr, birth in con.execute(
            "SELECT id, massar, name_ar_norm, name_fr_norm, birth_date FROM pupils"):
        pupils[i] = (massar, ar or "", fr or "", birth or "")
    household_of = dict(con.execute("SELECT pupil_id, household_id FROM household_members"))
    households = {h: (cin, bool(ramed)) for h, cin, ramed in
                  con.execute("SELECT id, payee_cin, ramed FROM households")}
    enrols = defaultdict(list)
    for eid, p, s, level, status, left in con.execute(
            "SELECT id, pupil_id, school_id, level, status, left_date FROM enrolments WHERE "
            "school_year = ?", (year,)):
        enrols[p].append((eid, s, level, status, month_of(left)))
    # (pupil, month) → unjustified, justified: days, or the sessions missed when the policy
    # counts them
    absent = defaultdict(lambda: [0, 0])
    by_sessions = pol.get("absence_unit", "day") == "session"
    lo, hi = months[0] + "-01", months[-1] + "-31"
    for p, day, just, sessions in con.execute(
            "SELECT pupil_id, day, justified, sessions FROM absences WHERE day BETWEEN ? AND ?",
            (lo, hi)):
        absent[(p, day[:7])][1 if just else 0] += sessions if by_sessions else 1
    reviews = {(k, a, b): d for k, a, b, d in con.execute("SELECT kind, a, b, decision FROM tayssir_reviews")}

    # Where each pupil was each month: ('at', school, level, repeating), 'left', 'gone' (a
    # transfer with no date: not paid) or ('elsewhere',) for a school not in the registry's year.
    def placement(p):
        rows = enrols[p]
        active = [r for r in rows if r[3] in ("enrolled", "repeating")]
        ended = sorted([r for r in rows if r[3] in ("left", "transferred") and (r[4] or r[3] == "left")],
                       key=lambda r: (r[4] or "0000-00", r[0]))
        undated = [r for r in rows if r[3] == "transferred" and not r[4]]
        out = []
        for m in months:
            where = None
            for r in ended:
                end = r[4] or "0000-00"
                if m <= end:
                    where = ("at", r[1], r[2], False)
                    break
            if where is None:
                if active:
                    a = max(active, key=lambda r: r[0])
                    where = ("at", a[1], a[2], a[3] == "repeating")
                elif ended and ended[-1][3] == "left":
                    where = ("left",)
                elif ended:
                    where = ("elsewhere",)
                elif undated:
                    where = ("gone", undated[-1][1], undated[-1][2])
                else:
                    where = ("left",)
            out.append(where)
        return out

    # Children enrolled twice: same normalized name (Arabic or French) and birth date in one
    # household, the later code Massar held back unless reviewed distinct; reviewed same, held.
    held = {}
    for field in (1, 2):
        groups = defaultdict(list)
        for p in enrols:
            massar, ar, fr, birth = pupils[p]
            key = (ar, fr)[field - 1]
            if key and birth:
                groups[(key, birth)].append(p)
        for members in groups.values():
            members.sort(key=lambda p: pupils[p][0])
            for k, p in enumerate(members):
                earlier = [q for q in members[:k] if pupils[q][0] != pupils[p][0]]
                if not earlier:
                    continue
                same_home = [q for q in earlier if household_of.get(q) is not None
                             and household_of.get(q) == household_of.get(p)]
                first = same_home[0] if same_home else earlier[0]
                d = reviews.get(("pupil", pupils[first][0], pupils[p][0]), "")
                if d == "same":
                    held[p] = "duplicate_confirmed"
                elif d == "" and same_home and pol.get("hold_probable_duplicates", True):
                    held.setdefault(p, "probable_duplicate")

    def reason_at(p, school, level, repeating):
        commune = school_commune[school]
        if level not in amounts:
            return "level_not_covered"
        if not targeted(level, commune):
            return "commune_not_targeted"
        if repeating and not pol["repeaters_eligible"]:
            return "repeating"
        h = household_of.get(p)
        if h is None:
            return "no_household"
        cin, ramed = households[h]
        if not cin:
            return "no_payee_cin"
        if pol["require_ramed"] and not ramed and commune not in exempt:
            return "ramed_missing"
        return held.get(p, "eligible")

    # Per child: the months due in the period, the largest amount of them; the cap among them.
    place, due_amount = {}, {}
    for p in enrols:
        place[p] = placement(p)
        best = None
        for w in place[p]:
            if w[0] == "at" and reason_at(p, w[1], w[2], w[3]) == "eligible":
                best = max(best or 0, amounts[w[2]])
        if best is not None:
            due_amount[p] = best
    capped = set()
    cap = pol["household_cap"]
    if cap > 0:
        by_home = defaultdict(list)
        for p in due_amount:
            by_home[household_of[p]].append(p)
        for kids in by_home.values():
            rule = pol["cap_rule"]

            def order(p):
                birth = pupils[p][3]
                if rule == "largest_amount":
                    return (-due_amount[p], pupils[p][0])
                known = 0 if birth else 1
                if rule == "youngest":
                    return (known, "".join(chr(255 - ord(c)) for c in birth), pupils[p][0])
                return (known, birth, pupils[p][0])

            kids.sort(key=order)
            capped.update(kids[cap:])

    # The lines: one per pupil and school of the directorate he was at in a month of the period.
    lines = {}
    for p, where in place.items():
        at_schools = []
        for w in where:
            if w[0] == "at" and w[1] not in [s for s, _ in at_schools]:
                at_schools.append((w[1], None))
        for school, _ in at_schools:
            last = [w for w in where if w[0] == "at" and w[1] == school][-1]
            level, repeating = last[2], last[3]
            r = reason_at(p, school, level, repeating)
            if r == "eligible" and p in capped:
                r = "household_cap"
            monthly = amounts[level] if r == "eligible" else 0
            letters, due = "", 0
            for m, w in zip(months, where):
                if w[0] == "left":
                    letters += "L"
                elif w[0] != "at" or w[1] != school:
                    letters += "T"
                elif r != "eligible":
                    letters += "-"
                else:
                    u, j = absent[(p, m)]
                    counted = u + (j if pol["justified_absences_count"] else 0)
                    if counted > thresholds.get(cycle_of(level), 0):
                        letters += "F"
                    else:
                        letters += "P"
                        due += monthly
            lines[(p, school)] = (r, letters, due)
        if not at_schools:
            gone = [w for w in where if w[0] == "gone"]
            if gone:
                lines[(p, gone[0][1])] = ("transferred_out", "-" * len(months), 0)
                continue
            # At no school in the period: listed at the last school he was at, transferred or left.
            # (a school left by a transfer with no date comes before the others)
            schools_before = sorted(enrols[p], key=lambda r: (
                0 if r[3] == "transferred" and not r[4] else 1, r[4] or "9999", r[0]))
            if schools_before:
                last = schools_before[-1]
                held_any = any(w[0] != "left" for w in where)
                lines[(p, last[1])] = ("transferred_out" if held_any else "left_school", None, 0)

    # Sanad's lines for the policy's period.
    stored = {}
    for p, school, reason, months_text, due, household in con.execute(
            "SELECT l.pupil_id, l.school_id, l.reason, l.months, l.due, l.household_id FROM "
            "tayssir_lines l JOIN tayssir_cycles c ON c.id = l.cycle_id WHERE c.policy_id = ? AND "
            "c.period = ?", (pid, period_code)):
        stored[(p, school)] = (reason, months_text, due)
    dirs = {d for (d,) in con.execute(
        "SELECT directorate_code FROM tayssir_cycles WHERE policy_id = ? AND period = ?",
        (pid, period_code))}
    mine = {k: v for k, v in lines.items() if school_dir[k[1]] in dirs}

    bad = []
    for k in sorted(set(mine) | set(stored)):
        a, b = mine.get(k), stored.get(k)
        if a is None or b is None or a[0] != b[0] or a[2] != b[2] or (a[1] is not None and a[1] != b[1]):
            bad.append(f"  pupil {pupils[k[0]][0]} at {school_code[k[1]]}: expected {a}, Sanad {b}")
    homes_a, homes_b, sch_a, sch_b = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    for (p, s), v in mine.items():
        homes_a[household_of.get(p)] += v[2]
        sch_a[s] += v[2]
    for (p, s), v in stored.items():
        homes_b[household_of.get(p)] += v[2]
        sch_b[s] += v[2]
    homes_bad = sum(1 for h in set(homes_a) | set(homes_b) if homes_a[h] != homes_b[h])
    schools_bad = sum(1 for s in set(sch_a) | set(sch_b) if sch_a[s] != sch_b[s])
    moved = sum(1 for p in place if len({w[1] for w in place[p] if w[0] == "at"}) > 1)
    print(f"{code} {period_code}: {len(mine)} lines expected, {len(stored)} stored, "
          f"{len(bad)} differ; households differing {homes_bad}, schools {schools_bad}; "
          f"{sum(v[2] for v in mine.values()) / 100:.2f} MAD; {len(capped)} capped, "
          f"{moved} at two schools in the period")
    if bad or homes_bad or schools_bad:
        print("\n".join(bad[:20]))
        return 1
    return 0


if __name__ == "__main__":
    db, what = sys.argv[1], sys.argv[2]
    if what == "perturb":
        perturb(db, int(sys.argv[3]))
    elif what == "check":
        sys.exit(check(db, sys.argv[3], sys.argv[4]))
    else:
        sys.exit(__doc__)
