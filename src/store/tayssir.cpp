#include "store/tayssir.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "store/scope_sql.hpp"

namespace sanad::store {

namespace {

constexpr const char* kCycleColumns =
    "c.id, c.policy_id, p.code, c.period, c.directorate_code, c.state, c.computed_at, "
    "c.computed_by, c.pupils, c.beneficiaries, c.households, c.due, c.forfeited, c.adjustments, "
    "c.payment_sha256";

CycleRow read_cycle(const ResultRow& r) {
  CycleRow c;
  c.id = r.i64(0);
  c.policy_id = r.i64(1);
  c.policy_code = r.text(2);
  c.period = r.text(3);
  c.directorate_code = r.text(4);
  c.state = r.text(5);
  c.computed_at = r.text(6);
  c.computed_by = r.text(7);
  c.pupils = r.i64(8);
  c.beneficiaries = r.i64(9);
  c.households = r.i64(10);
  c.due = r.i64(11);
  c.forfeited = r.i64(12);
  c.adjustments = r.i64(13);
  c.payment_sha256 = r.text(14);
  return c;
}

Value id_or_null(int64_t id) {
  return id ? Value{id} : Value{};
}

// Parameters of the scope filter followed by more, numbered after them.
struct Params {
  std::string where;
  std::vector<Value> values;
  explicit Params(const Scope& s) {
    auto f = scope_filter(s);
    where = f.first;
    values = f.second;
  }
  std::string add(const std::string& v) {
    values.emplace_back(std::in_place_type<std::string>, v);
    return fmt::format("${}", values.size());
  }
};

constexpr const char* kPupilColumns =
    "p.id, p.massar, p.name_ar_norm, p.name_fr_norm, p.birth_date, e.school_id, e.level, "
    "e.status, e.left_date, m.household_id, h.payee_cin, h.payee_name_norm, h.ramed, e.id";

}  // namespace

// --- policies ----------------------------------------------------------------------------------

std::optional<PolicyRow> TayssirStore::policy(const std::string& code) {
  std::optional<PolicyRow> out;
  db_.query(
      "SELECT id, code, program, school_year, body, created_at, updated_at FROM "
      "tayssir_policies WHERE code = $1",
      {code}, [&](const ResultRow& r) {
        out = PolicyRow{r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)};
      });
  return out;
}

std::vector<PolicyRow> TayssirStore::policies() {
  std::vector<PolicyRow> out;
  db_.query(
      "SELECT id, code, program, school_year, body, created_at, updated_at FROM "
      "tayssir_policies ORDER BY school_year DESC, code",
      {}, [&](const ResultRow& r) {
        out.push_back({r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)});
      });
  return out;
}

int64_t TayssirStore::insert_policy(const PolicyRow& p) {
  std::optional<int64_t> id;
  db_.query(
      "INSERT INTO tayssir_policies (code, program, school_year, body, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
      {p.code, p.program, p.school_year, p.body, p.created_at},
      [&](const ResultRow& r) { id = r.i64(0); });
  if (!id) throw DbError("the policy was not inserted");
  return *id;
}

void TayssirStore::update_policy(const PolicyRow& p) {
  db_.execute("UPDATE tayssir_policies SET body = $2, updated_at = $3 WHERE id = $1",
              {p.id, p.body, p.updated_at});
}

int64_t TayssirStore::cycles_beyond_draft(int64_t policy_id) {
  return db_
      .scalar_i64("SELECT count(*) FROM tayssir_cycles WHERE policy_id = $1 AND state <> 'draft'",
                  {policy_id})
      .value_or(0);
}

// --- indicators ------------------------------------------------------------------------------

// --- snapshot ----------------------------------------------------------------------------------

void TayssirStore::each_school(const std::function<void(const SnapshotSchoolRow&)>& fn) {
  db_.query("SELECT id, code, commune_code FROM schools ORDER BY id", {}, [&](const ResultRow& r) {
    fn({r.i64(0), r.text(1), r.text(2)});
  });
}

void TayssirStore::each_snapshot_pupil(
    const Scope& scope, const std::string& year, const std::vector<std::string>& months,
    const std::vector<std::pair<std::string, std::string>>& linked,
    const std::function<void(const SnapshotPupilRow&)>& fn) {
  Params q(scope);
  std::string y = q.add(year);
  // The tallies' columns of the months asked for.
  if (months.size() > 12) throw DbError("more than twelve months asked for");
  std::string tally_columns;
  for (const auto& m : months) {
    int mm = m.size() == 7 ? std::atoi(m.c_str() + 5) : 0;
    if (mm < 1 || mm > 12) throw DbError("not a month: " + m);
    tally_columns +=
        fmt::format(", coalesce(t.unjustified_{0:02}, 0), coalesce(t.justified_{0:02}, 0)", mm);
  }
  std::vector<int64_t> households;    // those of the scope's pupils
  std::vector<int64_t> scope_pupils;  // the pupils read in the scope
  std::unordered_map<std::string, std::vector<std::string>> partners;
  for (const auto& [a, b] : linked) {
    partners[a].push_back(b);
    partners[b].push_back(a);
  }
  std::set<std::string> read, wanted;  // codes among the linked read so far; their partners
  auto emit = [&](bool in_scope) {
    return [&, in_scope](const ResultRow& r) {
      SnapshotPupilRow row;
      row.pupil_id = r.i64(0);
      row.massar = r.view(1);
      row.name_ar_norm = r.view(2);
      row.name_fr_norm = r.view(3);
      row.birth_date = r.view(4);
      row.school_id = r.i64(5);
      row.level = r.view(6);
      row.status = r.view(7);
      row.left_date = r.view(8);
      row.household_id = r.i64(9);
      row.payee_cin = r.view(10);
      row.payee_name_norm = r.view(11);
      row.ramed = r.view(12);
      row.enrolment_id = r.i64(13);
      for (std::size_t k = 0; k < months.size(); ++k) {
        row.unjustified[k] =
            static_cast<uint8_t>(std::min<int64_t>(255, r.i64(14 + 2 * static_cast<int>(k))));
        row.justified[k] =
            static_cast<uint8_t>(std::min<int64_t>(255, r.i64(15 + 2 * static_cast<int>(k))));
      }
      row.in_scope = in_scope;
      if (in_scope) scope_pupils.push_back(row.pupil_id);
      if (in_scope && row.household_id) households.push_back(row.household_id);
      if (auto it = partners.empty() ? partners.end() : partners.find(std::string(row.massar));
          it != partners.end()) {
        read.emplace(row.massar);
        if (in_scope) wanted.insert(it->second.begin(), it->second.end());
      }
      fn(row);
    };
  };
  auto tallies_of = [](const std::string& year_param) {
    return fmt::format("LEFT JOIN absence_tallies t ON t.pupil_id = p.id AND t.school_year = {}",
                       year_param);
  };
  const std::string tallies = tallies_of(y);
  const char* pupils_of_year =
      "SELECT {}{} FROM {} JOIN pupils p ON p.id = e.pupil_id LEFT JOIN "
      "household_members m ON m.pupil_id = p.id LEFT JOIN households h ON h.id = m.household_id "
      "{} WHERE e.school_year = {}";
  const std::vector<Value> year_only{year};
  if (scope.kind == NodeKind::nation) {
    db_.query_large(fmt::format(fmt::runtime(pupils_of_year), kPupilColumns, tally_columns,
                                "enrolments e", tallies_of("$1"), "$1"),
                    year_only, emit(true));
    return;
  }
  // The scope's schools first, staged: joined through communes, a region's schools were
  // estimated from the share of its communes, ten times too few on a database holding one
  // region, and PostgreSQL probed the tallies by index for each of 924,000 rows.
  std::vector<int64_t> schools;
  auto [scope_where, scope_values] = scope_filter(scope);
  db_.query(fmt::format("SELECT sc.id FROM schools sc JOIN communes cm ON cm.code = "
                        "sc.commune_code WHERE {}",
                        scope_where),
            scope_values, [&](const ResultRow& r) { schools.push_back(r.i64(0)); });
  const auto scope_schools = static_cast<int64_t>(schools.size());
  stage_ids(db_, "stage_snapshot_schools", std::move(schools));
  // A scope that is a small part of a PostgreSQL database (a region of the national one): its
  // enrolments of the year staged first, then joined to the rest. Joined directly, the planner
  // hashed the whole country's pupils, memberships and households for an eighth of them
  // (10.4–12.2 s; staged 5.5 s). Where the scope is most of the database, the direct join keeps
  // its parallel plan, which a temporary table would take away (2.2 s; staged 5.3 s).
  const bool stage_enrolments =
      db_.dialect() == Dialect::postgres &&
      db_.scalar_i64("SELECT count(*) FROM schools").value_or(0) > 4 * scope_schools;
  if (stage_enrolments) {
    db_.execute("DROP TABLE IF EXISTS stage_snapshot_enrolments");
    db_.execute("CREATE TEMPORARY TABLE stage_snapshot_enrolments (LIKE enrolments)");
    db_.execute(
        "INSERT INTO stage_snapshot_enrolments SELECT e.* FROM enrolments e JOIN "
        "stage_snapshot_schools s ON s.id = e.school_id WHERE e.school_year = $1",
        year_only);
    db_.execute("ANALYZE stage_snapshot_enrolments");
    db_.query_large(fmt::format(fmt::runtime(pupils_of_year), kPupilColumns, tally_columns,
                                "stage_snapshot_enrolments e", tallies_of("$1"), "$1"),
                    year_only, emit(true));
    db_.execute("DROP TABLE stage_snapshot_enrolments");
  } else {
    db_.query_large(fmt::format(fmt::runtime(pupils_of_year), kPupilColumns, tally_columns,
                                "enrolments e JOIN stage_snapshot_schools s ON s.id = e.school_id",
                                tallies_of("$1"), "$1"),
                    year_only, emit(true));
  }
  db_.execute("DROP TABLE stage_snapshot_schools");
  // Pupils enrolled outside the scope, reached from ids staged in a temporary table by `from`
  // (which names the table {0} and joins p, m and h).
  auto read_outside = [&](const char* stage, std::vector<int64_t> ids, const char* from) {
    stage_ids(db_, stage, std::move(ids));
    db_.query_large(fmt::format("SELECT {}{} FROM {} JOIN enrolments e ON e.pupil_id = p.id JOIN "
                                "schools sc ON sc.id = e.school_id JOIN communes cm ON cm.code = "
                                "sc.commune_code {} WHERE e.school_year = {} AND NOT ({})",
                                kPupilColumns, tally_columns,
                                fmt::format(fmt::runtime(from), stage), tallies, y, q.where),
                    q.values, emit(false));
    db_.execute(fmt::format("DROP TABLE {}", stage));
  };
  // Their households' other children: the members of the households just read who were not
  // read in the scope, then their enrolments elsewhere. (A pupil read in the scope needs no row
  // from outside: his rows in the scope rank first. One query joining the households' members
  // to their enrolments outside the scope hashed the whole country's members, pupils and
  // enrolments: 6 s for a region on a national database, to find a few children.)
  if (!households.empty()) {
    stage_ids(db_, "stage_snapshot_households", std::move(households));
    std::sort(scope_pupils.begin(), scope_pupils.end());
    std::vector<int64_t> others;
    db_.query_large(
        "SELECT m.pupil_id FROM stage_snapshot_households s JOIN household_members m ON "
        "m.household_id = s.id",
        {}, [&](const ResultRow& r) {
          const int64_t id = r.i64(0);
          if (!std::binary_search(scope_pupils.begin(), scope_pupils.end(), id))
            others.push_back(id);
        });
    db_.execute("DROP TABLE stage_snapshot_households");
    if (!others.empty())
      read_outside("stage_snapshot_others", std::move(others),
                   "{0} s JOIN pupils p ON p.id = s.id JOIN household_members m ON m.pupil_id = "
                   "p.id JOIN households h ON h.id = m.household_id");
  }
  // The partners of the linked pupils read in the scope, enrolled elsewhere that year.
  std::vector<int64_t> ids;
  for (const auto& code : wanted)
    if (!read.count(code))
      if (auto id = db_.scalar_i64("SELECT id FROM pupils WHERE massar = $1", {code}))
        ids.push_back(*id);
  if (!ids.empty())
    read_outside("stage_snapshot_linked", std::move(ids),
                 "{0} s JOIN pupils p ON p.id = s.id LEFT JOIN household_members m ON m.pupil_id "
                 "= p.id LEFT JOIN households h ON h.id = m.household_id");
}

void TayssirStore::each_transfer_into(const Scope& scope, const std::string& year,
                                      const std::function<void(int64_t, const std::string&)>& fn) {
  if (scope.kind == NodeKind::nation) return;  // every school is in the scope
  Params q(scope);
  std::string y = q.add(year);
  // Transfers that left a school outside the scope, for a pupil enrolled in one inside it (an
  // EXISTS per transfer: SQLite would build the whole scope's list of pupils for an IN).
  db_.query(fmt::format("SELECT t.pupil_id, max(t.left_date) FROM enrolments t WHERE "
                        "t.school_year = {0} AND t.status = 'transferred' AND t.left_date IS NOT "
                        "NULL AND t.school_id NOT IN (SELECT sc.id FROM schools sc JOIN communes "
                        "cm ON cm.code = sc.commune_code WHERE {1}) AND EXISTS (SELECT 1 FROM "
                        "enrolments e JOIN schools sc ON sc.id = e.school_id JOIN communes cm ON "
                        "cm.code = sc.commune_code WHERE e.pupil_id = t.pupil_id AND "
                        "e.school_year = {0} AND e.status <> 'transferred' AND {1}) GROUP BY "
                        "t.pupil_id",
                        y, q.where),
            q.values, [&](const ResultRow& r) { fn(r.i64(0), r.text(1)); });
}

// --- reviews -----------------------------------------------------------------------------------

std::vector<ReviewRow> TayssirStore::reviews() {
  std::vector<ReviewRow> out;
  db_.query(
      "SELECT kind, a, b, decision, note, decided_by, decided_at FROM tayssir_reviews ORDER BY "
      "kind, a, b",
      {}, [&](const ResultRow& r) {
        out.push_back(
            {r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)});
      });
  return out;
}

void TayssirStore::put_review(const ReviewRow& r) {
  db_.execute("DELETE FROM tayssir_reviews WHERE kind = $1 AND a = $2 AND b = $3",
              {r.kind, r.a, r.b});
  db_.execute(
      "INSERT INTO tayssir_reviews (kind, a, b, decision, note, decided_by, decided_at) VALUES "
      "($1, $2, $3, $4, $5, $6, $7)",
      {r.kind, r.a, r.b, r.decision, r.note, r.decided_by, r.decided_at});
}

// --- cycles ------------------------------------------------------------------------------------

std::optional<CycleRow> TayssirStore::cycle(int64_t id) {
  std::optional<CycleRow> out;
  db_.query(fmt::format("SELECT {} FROM tayssir_cycles c JOIN tayssir_policies p ON p.id = "
                        "c.policy_id WHERE c.id = $1",
                        kCycleColumns),
            {id}, [&](const ResultRow& r) { out = read_cycle(r); });
  return out;
}

std::optional<CycleRow> TayssirStore::cycle(int64_t policy_id, const std::string& period,
                                            const std::string& directorate) {
  std::optional<CycleRow> out;
  db_.query(fmt::format("SELECT {} FROM tayssir_cycles c JOIN tayssir_policies p ON p.id = "
                        "c.policy_id WHERE c.policy_id = $1 AND c.period = $2 AND "
                        "c.directorate_code = $3",
                        kCycleColumns),
            {policy_id, period, directorate}, [&](const ResultRow& r) { out = read_cycle(r); });
  return out;
}

std::vector<CycleRow> TayssirStore::cycles(int64_t policy_id, const std::string& period,
                                           const Scope& scope) {
  std::vector<Value> params{policy_id};
  std::string where = "c.policy_id = $1";
  if (!period.empty()) {
    params.push_back(period);
    where += " AND c.period = $2";
  }
  switch (scope.kind) {
    case NodeKind::nation:
      break;
    case NodeKind::region:
      params.push_back(scope.code);
      where += fmt::format(
          " AND c.directorate_code IN (SELECT code FROM directorates WHERE region_code = ${})",
          params.size());
      break;
    case NodeKind::directorate:
      params.push_back(scope.code);
      where += fmt::format(" AND c.directorate_code = ${}", params.size());
      break;
    case NodeKind::commune:
    case NodeKind::school: {
      // The cycle of the directorate the node belongs to.
      params.push_back(scope.code);
      where += fmt::format(
          fmt::runtime(
              scope.kind == NodeKind::commune
                  ? " AND c.directorate_code = (SELECT directorate_code FROM communes WHERE code = "
                    "${})"
                  : " AND c.directorate_code = (SELECT cm.directorate_code FROM schools sc JOIN "
                    "communes cm ON cm.code = sc.commune_code WHERE sc.code = ${})"),
          params.size());
      break;
    }
  }
  std::vector<CycleRow> out;
  db_.query(fmt::format("SELECT {} FROM tayssir_cycles c JOIN tayssir_policies p ON p.id = "
                        "c.policy_id WHERE {} ORDER BY c.period, c.directorate_code",
                        kCycleColumns, where),
            params, [&](const ResultRow& r) { out.push_back(read_cycle(r)); });
  return out;
}

int64_t TayssirStore::insert_cycle(const CycleRow& c) {
  std::optional<int64_t> id;
  db_.query(
      "INSERT INTO tayssir_cycles (policy_id, period, directorate_code, state, computed_at, "
      "computed_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
      {c.policy_id, c.period, c.directorate_code, c.state, c.computed_at, c.computed_by},
      [&](const ResultRow& r) { id = r.i64(0); });
  if (!id) throw DbError("the cycle was not inserted");
  return *id;
}

void TayssirStore::update_cycle_totals(const CycleRow& c) {
  db_.execute(
      "UPDATE tayssir_cycles SET computed_at = $2, computed_by = $3, pupils = $4, beneficiaries "
      "= $5, households = $6, due = $7, forfeited = $8, adjustments = $9 WHERE id = $1",
      {c.id, c.computed_at, c.computed_by, c.pupils, c.beneficiaries, c.households, c.due,
       c.forfeited, c.adjustments});
}

bool TayssirStore::move_cycle(int64_t id, const std::string& from, const std::string& to,
                              const std::string& payment_sha256) {
  if (!payment_sha256.empty())
    return db_.execute(
               "UPDATE tayssir_cycles SET state = $3, payment_sha256 = $4 WHERE id = $1 AND "
               "state = $2",
               {id, from, to, payment_sha256}) == 1;
  return db_.execute("UPDATE tayssir_cycles SET state = $3 WHERE id = $1 AND state = $2",
                     {id, from, to}) == 1;
}

LineChanges TayssirStore::replace_lines(int64_t cycle_id, const std::vector<CycleLineRow>& lines) {
  const bool pg = db_.dialect() == Dialect::postgres;
  const std::string partition = fmt::format("tayssir_lines_{}", cycle_id);
  // On PostgreSQL a cycle's lines are a partition of their own, made with its first lines.
  const bool first =
      pg ? !db_.scalar_i64(
               "SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
               "WHERE i.inhparent = 'tayssir_lines'::regclass AND c.relname = $1",
               {partition})
         : !db_.scalar_i64("SELECT 1 FROM tayssir_lines WHERE cycle_id = $1 LIMIT 1", {cycle_id});

  // Only the lines that differ from those stored are rewritten (deleted, then inserted).
  std::unordered_map<int64_t, CycleLineRow> before;
  if (!first) each_line(cycle_id, 0, [&](const CycleLineRow& r) { before.emplace(r.pupil_id, r); });
  LineChanges out;
  std::vector<const CycleLineRow*> put;
  std::vector<int64_t> gone;
  put.reserve(lines.size());
  for (const auto& l : lines) {
    auto b = before.find(l.pupil_id);
    if (b != before.end()) {
      bool same = b->second == l;
      before.erase(b);
      if (same) continue;
      gone.push_back(l.pupil_id);
    }
    put.push_back(&l);
  }
  for (const auto& [pupil, row] : before) gone.push_back(pupil);
  out.deleted = static_cast<int64_t>(gone.size());
  out.written = static_cast<int64_t>(put.size());

  if (!gone.empty()) {
    stage_ids(db_, "stage_lines_gone", std::move(gone));
    db_.execute(
        "DELETE FROM tayssir_lines WHERE cycle_id = $1 AND pupil_id IN (SELECT id FROM "
        "stage_lines_gone)",
        {cycle_id});
    db_.execute("DROP TABLE stage_lines_gone");
  }
  if (put.empty()) return out;
  // A new partition is filled as a table of its own, then attached: its foreign keys are checked
  // by one query each instead of a trigger per row and key.
  const bool attach = pg && first;
  if (attach) db_.execute(fmt::format("CREATE TABLE {} (LIKE tayssir_lines)", partition));
  std::size_t i = 0;
  db_.bulk_insert(attach ? partition : "tayssir_lines",
                  {"cycle_id", "pupil_id", "school_id", "household_id", "level", "reason",
                   "monthly", "months", "absences", "due", "forfeited"},
                  [&](std::vector<Value>& v) {
                    if (i == put.size()) return false;
                    const auto& l = *put[i++];
                    v = {cycle_id,   l.pupil_id, l.school_id, id_or_null(l.household_id),
                         l.level,    l.reason,   l.monthly,   l.months,
                         l.absences, l.due,      l.forfeited};
                    return true;
                  });
  if (attach)
    db_.execute(fmt::format("ALTER TABLE tayssir_lines ATTACH PARTITION {} FOR VALUES IN ({})",
                            partition, cycle_id));
  return out;
}

namespace {
CycleLineRow line_of_row(const ResultRow& r) {
  return {r.i64(0), r.i64(1),  r.i64(2),  r.text(3), r.text(4),
          r.i64(5), r.text(6), r.text(7), r.i64(8),  r.i64(9)};
}
}  // namespace

void TayssirStore::each_line(int64_t cycle_id, int64_t school_id,
                             const std::function<void(const CycleLineRow&)>& fn) {
  std::vector<Value> params{cycle_id};
  std::string where = "cycle_id = $1";
  if (school_id) {
    params.push_back(school_id);
    where += " AND school_id = $2";
  }
  db_.query_large(
      "SELECT pupil_id, school_id, household_id, level, reason, monthly, months, absences, due, "
      "forfeited FROM tayssir_lines WHERE " +
          where,
      params, [&](const ResultRow& r) { fn(line_of_row(r)); });
}

std::optional<CycleLineRow> TayssirStore::line(int64_t cycle_id, int64_t pupil_id) {
  std::optional<CycleLineRow> out;
  db_.query(
      "SELECT pupil_id, school_id, household_id, level, reason, monthly, months, absences, due, "
      "forfeited FROM tayssir_lines WHERE cycle_id = $1 AND pupil_id = $2",
      {cycle_id, pupil_id}, [&](const ResultRow& r) { out = line_of_row(r); });
  return out;
}

void TayssirStore::each_line_detail(int64_t cycle_id, int64_t school_id,
                                    const std::function<void(const LineDetailRow&)>& fn) {
  std::vector<Value> params{cycle_id};
  std::string where = "l.cycle_id = $1";
  if (school_id) {
    params.push_back(school_id);
    where += " AND l.school_id = $2";
  }
  db_.query_large(
      "SELECT l.pupil_id, l.school_id, l.household_id, l.level, l.reason, l.monthly, l.months, "
      "l.absences, l.due, l.forfeited, p.massar, p.last_ar, p.first_ar, p.last_fr, p.first_fr, "
      "sc.code, h.payee_cin, h.payee_name FROM tayssir_lines l JOIN pupils p ON p.id = "
      "l.pupil_id JOIN schools sc ON sc.id = l.school_id LEFT JOIN households h ON h.id = "
      "l.household_id WHERE " +
          where + " ORDER BY sc.code, h.payee_cin, p.massar",
      params, [&](const ResultRow& r) {
        LineDetailRow d;
        d.line = {r.i64(0), r.i64(1),  r.i64(2),  r.text(3), r.text(4),
                  r.i64(5), r.text(6), r.text(7), r.i64(8),  r.i64(9)};
        d.massar = r.text(10);
        d.last_ar = r.text(11);
        d.first_ar = r.text(12);
        d.last_fr = r.text(13);
        d.first_fr = r.text(14);
        d.school_code = r.text(15);
        d.payee_cin = r.text(16);
        d.payee_name = r.text(17);
        fn(d);
      });
}

void TayssirStore::replace_adjustments(int64_t cycle_id, const std::vector<AdjustmentRow>& rows) {
  db_.execute("DELETE FROM tayssir_adjustments WHERE cycle_id = $1", {cycle_id});
  for (const auto& a : rows)
    db_.execute(
        "INSERT INTO tayssir_adjustments (cycle_id, source_cycle_id, pupil_id, school_id, "
        "household_id, amount, reason, appeal_id, kind, reason_detail) VALUES ($1, $2, $3, $4, "
        "$5, $6, $7, $8, $9, $10)",
        {cycle_id, a.source_cycle_id, a.pupil_id, a.school_id, id_or_null(a.household_id), a.amount,
         a.reason, id_or_null(a.appeal_id), a.kind, a.reason_detail});
}

std::vector<AdjustmentRow> TayssirStore::adjustments(int64_t cycle_id) {
  std::vector<AdjustmentRow> out;
  db_.query(
      "SELECT j.source_cycle_id, j.pupil_id, j.school_id, j.household_id, j.amount, j.reason, "
      "j.appeal_id, p.massar, sc.code, h.payee_cin, h.payee_name, j.kind, j.reason_detail "
      "FROM tayssir_adjustments j "
      "JOIN pupils p ON p.id = j.pupil_id JOIN schools sc ON sc.id = j.school_id LEFT JOIN "
      "households h ON h.id = j.household_id WHERE j.cycle_id = $1 ORDER BY "
      "sc.code, p.massar, j.source_cycle_id, j.appeal_id",
      {cycle_id}, [&](const ResultRow& r) {
        out.push_back({r.i64(0), r.i64(1), r.i64(2), r.i64(3), r.i64(4), r.text(5), r.i64(6),
                       r.text(7), r.text(8), r.text(9), r.text(10), r.text(11), r.text(12)});
      });
  return out;
}

std::vector<std::pair<int64_t, int64_t>> TayssirStore::adjusted_for(int64_t source_cycle_id,
                                                                    int64_t except_cycle_id) {
  std::vector<std::pair<int64_t, int64_t>> out;
  db_.query(
      "SELECT pupil_id, sum(amount) FROM tayssir_adjustments WHERE source_cycle_id = $1 AND "
      "cycle_id <> $2 AND kind <> 'carried' GROUP BY pupil_id ORDER BY pupil_id",
      {source_cycle_id, except_cycle_id},
      [&](const ResultRow& r) { out.emplace_back(r.i64(0), r.i64(1)); });
  return out;
}

std::set<int64_t> TayssirStore::carried_from(int64_t source_cycle_id, int64_t except_cycle_id) {
  std::set<int64_t> out;
  db_.query(
      "SELECT household_id FROM tayssir_adjustments WHERE kind = 'carried' AND source_cycle_id = "
      "$1 AND cycle_id <> $2 AND household_id IS NOT NULL",
      {source_cycle_id, except_cycle_id}, [&](const ResultRow& r) { out.insert(r.i64(0)); });
  return out;
}

namespace {
constexpr const char* kAppealColumns =
    "a.id, a.cycle_id, a.pupil_id, p.massar, a.grounds, a.filed_by, a.filed_at, a.state, "
    "a.months, a.decision_note, a.decided_by, a.decided_at, a.amount, a.adjusted_in, "
    "l.school_id, l.household_id, sc.code";
// An appeal with its pupil and the pupil's line in the appealed cycle.
constexpr const char* kAppealFrom =
    "tayssir_appeals a JOIN pupils p ON p.id = a.pupil_id LEFT JOIN tayssir_lines l ON "
    "l.cycle_id = a.cycle_id AND l.pupil_id = a.pupil_id LEFT JOIN schools sc ON sc.id = "
    "l.school_id";
AppealRow read_appeal(const ResultRow& r) {
  return {r.i64(0),  r.i64(1),  r.i64(2),  r.text(3), r.text(4),  r.text(5),
          r.text(6), r.text(7), r.text(8), r.text(9), r.text(10), r.text(11),
          r.i64(12), r.i64(13), r.i64(14), r.i64(15), r.text(16)};
}
}  // namespace

int64_t TayssirStore::insert_appeal(const AppealRow& a) {
  std::optional<int64_t> id;
  db_.query(
      "INSERT INTO tayssir_appeals (cycle_id, pupil_id, grounds, filed_by, filed_at, state) "
      "VALUES ($1, $2, $3, $4, $5, 'open') RETURNING id",
      {a.cycle_id, a.pupil_id, a.grounds, a.filed_by, a.filed_at},
      [&](const ResultRow& r) { id = r.i64(0); });
  if (!id) throw DbError("the appeal was not inserted");
  return *id;
}

std::optional<AppealRow> TayssirStore::appeal(int64_t id) {
  std::optional<AppealRow> out;
  db_.query(fmt::format("SELECT {} FROM {} "
                        "WHERE a.id = $1",
                        kAppealColumns, kAppealFrom),
            {id}, [&](const ResultRow& r) { out = read_appeal(r); });
  return out;
}

std::vector<AppealRow> TayssirStore::appeals_of_cycle(int64_t cycle_id) {
  std::vector<AppealRow> out;
  db_.query(fmt::format("SELECT {} FROM {} "
                        "WHERE a.cycle_id = $1 ORDER BY a.id",
                        kAppealColumns, kAppealFrom),
            {cycle_id}, [&](const ResultRow& r) { out.push_back(read_appeal(r)); });
  return out;
}

void TayssirStore::update_appeal_decision(const AppealRow& a) {
  db_.execute(
      "UPDATE tayssir_appeals SET state = $2, months = $3, amount = $4, decision_note = $5, "
      "decided_by = $6, decided_at = $7 WHERE id = $1",
      {a.id, a.state, a.months, a.amount, a.decision_note, a.decided_by, a.decided_at});
}

std::vector<AppealRow> TayssirStore::appeals_to_pay(const std::string& program,
                                                    const std::string& directorate,
                                                    int64_t cycle_id) {
  std::vector<AppealRow> out;
  db_.query(fmt::format("SELECT {} FROM {} "
                        "JOIN tayssir_cycles c ON c.id = a.cycle_id JOIN tayssir_policies o ON "
                        "o.id = c.policy_id WHERE a.state = 'upheld' AND o.program = $1 AND "
                        "c.directorate_code = $2 AND a.cycle_id <> $3 AND (a.adjusted_in IS "
                        "NULL OR a.adjusted_in = $3) ORDER BY a.id",
                        kAppealColumns, kAppealFrom),
            {program, directorate, cycle_id},
            [&](const ResultRow& r) { out.push_back(read_appeal(r)); });
  return out;
}

void TayssirStore::mark_appeals_paid(int64_t cycle_id, const std::vector<int64_t>& appeal_ids) {
  db_.execute("UPDATE tayssir_appeals SET adjusted_in = NULL WHERE adjusted_in = $1", {cycle_id});
  for (int64_t id : appeal_ids)
    db_.execute("UPDATE tayssir_appeals SET adjusted_in = $1 WHERE id = $2", {cycle_id, id});
}

void TayssirStore::put_school_check(int64_t cycle_id, const SchoolCheckRow& c) {
  db_.execute("DELETE FROM tayssir_school_checks WHERE cycle_id = $1 AND school_id = $2",
              {cycle_id, c.school_id});
  db_.execute(
      "INSERT INTO tayssir_school_checks (cycle_id, school_id, state, note, checked_by, "
      "checked_at) VALUES ($1, $2, $3, $4, $5, $6)",
      {cycle_id, c.school_id, c.state, c.note, c.checked_by, c.checked_at});
}

std::vector<SchoolCheckRow> TayssirStore::school_checks(int64_t cycle_id) {
  std::vector<SchoolCheckRow> out;
  db_.query(
      "SELECT k.school_id, sc.code, k.state, k.note, k.checked_by, k.checked_at FROM "
      "tayssir_school_checks k JOIN schools sc ON sc.id = k.school_id WHERE k.cycle_id = $1 "
      "ORDER BY sc.code",
      {cycle_id}, [&](const ResultRow& r) {
        out.push_back({r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5)});
      });
  return out;
}

void TayssirStore::clear_school_checks(int64_t cycle_id) {
  db_.execute("DELETE FROM tayssir_school_checks WHERE cycle_id = $1", {cycle_id});
}

std::vector<CycleSchool> TayssirStore::schools_of_cycle(int64_t cycle_id) {
  std::vector<CycleSchool> out;
  db_.query(
      "SELECT sc.id, sc.code FROM schools sc WHERE sc.id IN (SELECT school_id FROM tayssir_lines "
      "WHERE cycle_id = $1) ORDER BY sc.id",
      {cycle_id}, [&](const ResultRow& r) {
        out.push_back({r.i64(0), r.text(1)});
      });
  return out;
}

bool TayssirStore::household_exists(const std::string& payee_cin) {
  return db_.scalar_i64("SELECT 1 FROM households WHERE payee_cin = $1", {payee_cin}).has_value();
}

std::optional<int64_t> TayssirStore::school_id(const std::string& code) {
  return db_.scalar_i64("SELECT id FROM schools WHERE code = $1", {code});
}

std::optional<int64_t> TayssirStore::pupil_id(const std::string& massar) {
  return db_.scalar_i64("SELECT id FROM pupils WHERE massar = $1", {massar});
}

}  // namespace sanad::store
