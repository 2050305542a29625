#include "modules/tayssir/store/tayssir.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/store/scope_sql.hpp"
#include "kernel/id_index.hpp"

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

namespace {

// A small vocabulary read from many rows (levels, statuses, dates): each value kept once.
class Interned {
 public:
  uint32_t of(std::string_view v) {
    auto it = index_.find(v);
    if (it != index_.end()) return it->second;
    const auto i = static_cast<uint32_t>(values_.size());
    values_.emplace_back(v);
    index_.emplace(std::string(v), i);
    return i;
  }
  std::string_view at(uint32_t i) const { return values_[i]; }

 private:
  std::vector<std::string> values_;
  std::map<std::string, uint32_t, std::less<>> index_;
};

// A pupil's own columns, the first five of a row: id, code Massar, normalized names, birth date.
void read_pupil_columns(SnapshotPupilRow& row, const ResultRow& r) {
  row.pupil_id = r.i64(0);
  row.massar = r.view(1);
  row.name_ar_norm = r.view(2);
  row.name_fr_norm = r.view(3);
  row.birth_date = r.view(4);
}

// Texts of many rows, one after the other in one string.
class TextArena {
 public:
  // Keeps the texts; returns where they begin.
  std::size_t add(std::initializer_list<std::string_view> texts) {
    const std::size_t at = chars_.size();
    for (auto t : texts) chars_.append(t);
    return at;
  }
  std::string_view at(std::size_t from, std::size_t size) const {
    return std::string_view(chars_).substr(from, size);
  }

 private:
  std::string chars_;
};

}  // namespace

void TayssirStore::each_snapshot_pupil(
    const Scope& scope, const std::string& year, const std::vector<std::string>& months,
    const std::vector<std::pair<std::string, std::string>>& linked,
    const std::function<void(const SnapshotPupilRow&)>& fn) {
  Params q(scope);
  std::string y = q.add(year);
  // The tallies' columns of the months asked for.
  if (months.size() > 12) throw DbError("more than twelve months asked for");
  std::string tally_columns, tally_fields;
  for (const auto& m : months) {
    int mm = m.size() == 7 ? std::atoi(m.c_str() + 5) : 0;
    if (mm < 1 || mm > 12) throw DbError("not a month: " + m);
    tally_columns +=
        fmt::format(", coalesce(t.unjustified_{0:02}, 0), coalesce(t.justified_{0:02}, 0)", mm);
    tally_fields += fmt::format(", t.unjustified_{0:02}, t.justified_{0:02}", mm);
  }
  const std::size_t nmonths = months.size();
  auto count = [](int64_t n) { return static_cast<uint8_t>(std::clamp<int64_t>(n, 0, 255)); };
  std::unordered_map<std::string, std::vector<std::string>> partners;
  for (const auto& [a, b] : linked) {
    partners[a].push_back(b);
    partners[b].push_back(a);
  }
  std::set<std::string> read, wanted;  // codes among the linked read so far; their partners
  auto deliver = [&](const SnapshotPupilRow& row) {
    if (auto it = partners.empty() ? partners.end() : partners.find(std::string(row.massar));
        it != partners.end()) {
      read.emplace(row.massar);
      if (row.in_scope) wanted.insert(it->second.begin(), it->second.end());
    }
    fn(row);
  };
  const std::vector<Value> year_only{year};

  // The scope's pupils are read table by table and joined here, by arrays indexed by id: the
  // server joining pupils, enrolments, memberships, households and tallies hashed them all and
  // spilled to disk (2.5 s for a region; the five plain reads take 1.6 s, and a national
  // computation's share grows with the country). Where the scope is a small part of the
  // database (a region of the national one), the rows are chosen by the server from the scope's
  // schools and pupils staged in temporary tables; otherwise every row is read and those of
  // other pupils skipped.
  const bool nation = scope.kind == NodeKind::nation;
  bool small = false;
  if (!nation) {
    std::vector<int64_t> schools;
    auto [scope_where, scope_values] = scope_filter(scope);
    db_.query(fmt::format("SELECT sc.id FROM schools sc JOIN communes cm ON cm.code = "
                          "sc.commune_code WHERE {}",
                          scope_where),
              scope_values, [&](const ResultRow& r) { schools.push_back(r.i64(0)); });
    const auto scope_schools = static_cast<int64_t>(schools.size());
    small = db_.scalar_i64("SELECT count(*) FROM schools").value_or(0) > 4 * scope_schools;
    stage_ids(db_, "stage_snapshot_schools", std::move(schools));
  }

  // Where every tally is read whole, they come on a second connection (PostgreSQL, inside a
  // read transaction: the same snapshot) while this one reads the enrolments, memberships and
  // payees. The server's process is the slower side of each read: nationally the five reads took
  // 14.5 s one after the other, two streams at once about half as long.
  std::unique_ptr<Db> beside = !small && nmonths ? db_.reader_beside() : nullptr;
  std::vector<int64_t> tally_ids;
  std::vector<uint8_t> tally_days;  // 2 × nmonths a row, in the order of tally_ids
  std::exception_ptr tally_failed;
  std::optional<std::jthread> tally_reader;
  if (beside)
    tally_reader.emplace([&] {
      try {
        beside->query_large(
            fmt::format("SELECT t.pupil_id{} FROM absence_tallies t WHERE t.school_year = $1",
                        tally_fields),
            year_only, [&](const ResultRow& r) {
              tally_ids.push_back(r.i64(0));
              for (std::size_t j = 0; j < 2 * nmonths; ++j)
                tally_days.push_back(count(r.i64(1 + static_cast<int>(j))));
            });
      } catch (...) {
        tally_failed = std::current_exception();
      }
    });

  // 1. The enrolments of the year in the scope, a chain of them per pupil.
  IdIndex pupil_at;                      // pupil id → k
  std::vector<int64_t> pupil_ids;        // k → pupil id
  std::vector<int32_t> first_enrolment;  // k → his last enrolment read, then each one's next
  struct Enrolment {
    int64_t id, school_id;
    uint32_t level, status, left_date;
    int32_t next;
  };
  std::vector<Enrolment> enrolments;
  Interned words;  // levels, statuses and dates of leaving
  db_.query_large(
      fmt::format("SELECT e.pupil_id, e.school_id, e.level, e.status, e.left_date, e.id FROM {} "
                  "WHERE e.school_year = $1",
                  nation ? "enrolments e"
                         : "enrolments e JOIN stage_snapshot_schools s ON s.id = e.school_id"),
      year_only, [&](const ResultRow& r) {
        auto [k, fresh] = pupil_at.emplace(r.i64(0), static_cast<int32_t>(pupil_ids.size()));
        if (fresh) {
          pupil_ids.push_back(r.i64(0));
          first_enrolment.push_back(-1);
        }
        auto& head = first_enrolment[static_cast<std::size_t>(k)];
        enrolments.push_back({r.i64(5), r.i64(1), words.of(r.view(2)), words.of(r.view(3)),
                              words.of(r.view(4)), head});
        head = static_cast<int32_t>(enrolments.size() - 1);
      });
  if (!nation) db_.execute("DROP TABLE stage_snapshot_schools");
  const std::size_t npupils = pupil_ids.size();
  if (small) stage_ids(db_, "stage_snapshot_pupils", pupil_ids);
  const char* of_pupils = small ? "stage_snapshot_pupils s JOIN " : "";
  auto pupil_join = [&](const char* alias) {
    return small ? fmt::format(" ON {}.pupil_id = s.id", alias) : std::string();
  };

  // 2. Their households (a pupil is in one at most); members of those households who are not
  // pupils of the scope are the other children, read further down.
  std::vector<int64_t> household_of(npupils, 0);
  std::vector<std::pair<int64_t, int64_t>> outside_members;  // (pupil, household), full reads
  db_.query_large(fmt::format("SELECT m.pupil_id, m.household_id FROM {}household_members m{}",
                              of_pupils, pupil_join("m")),
                  {}, [&](const ResultRow& r) {
                    const int32_t k = pupil_at.find(r.i64(0));
                    if (k != IdIndex::kAbsent)
                      household_of[static_cast<std::size_t>(k)] = r.i64(1);
                    else if (!nation)
                      outside_members.emplace_back(r.i64(0), r.i64(1));
                  });
  std::vector<int64_t> households;
  for (int64_t h : household_of)
    if (h) households.push_back(h);
  std::sort(households.begin(), households.end());
  households.erase(std::unique(households.begin(), households.end()), households.end());
  if (small && !households.empty()) stage_ids(db_, "stage_snapshot_households", households);
  struct Payee {
    std::size_t at = 0;
    uint32_t cin = 0, name = 0, ramed = 0;
  };
  IdIndex household_at;
  for (std::size_t i = 0; i < households.size(); ++i)
    household_at.set(households[i], static_cast<int32_t>(i));
  std::vector<Payee> payees(households.size());
  TextArena payee_texts;
  if (!households.empty())
    db_.query_large(small
                        ? "SELECT h.id, h.payee_cin, h.payee_name_norm, h.ramed FROM "
                          "stage_snapshot_households s JOIN households h ON h.id = s.id"
                        : "SELECT h.id, h.payee_cin, h.payee_name_norm, h.ramed FROM households h",
                    {}, [&](const ResultRow& r) {
                      const int32_t i = household_at.find(r.i64(0));
                      if (i == IdIndex::kAbsent) return;
                      auto cin = r.view(1), name = r.view(2), ramed = r.view(3);
                      payees[static_cast<std::size_t>(i)] = {
                          payee_texts.add({cin, name, ramed}), static_cast<uint32_t>(cin.size()),
                          static_cast<uint32_t>(name.size()), static_cast<uint32_t>(ramed.size())};
                    });

  // 3. Their absence days in the months asked for.
  std::vector<uint8_t> absent(npupils * 2 * nmonths, 0);  // k → (unjustified, justified) a month
  if (tally_reader) {
    tally_reader->join();
    tally_reader.reset();
    beside.reset();
    if (tally_failed) std::rethrow_exception(tally_failed);
    for (std::size_t row = 0; row < tally_ids.size(); ++row) {
      const int32_t k = pupil_at.find(tally_ids[row]);
      if (k == IdIndex::kAbsent) continue;
      std::copy_n(&tally_days[row * 2 * nmonths], 2 * nmonths,
                  &absent[static_cast<std::size_t>(k) * 2 * nmonths]);
    }
    tally_ids = {};
    tally_days = {};
  } else if (nmonths) {
    db_.query_large(fmt::format("SELECT t.pupil_id{} FROM {}absence_tallies t{} WHERE "
                                "t.school_year = $1",
                                tally_fields, of_pupils, pupil_join("t")),
                    year_only, [&](const ResultRow& r) {
                      const int32_t k = pupil_at.find(r.i64(0));
                      if (k == IdIndex::kAbsent) return;
                      uint8_t* a = &absent[static_cast<std::size_t>(k) * 2 * nmonths];
                      for (std::size_t j = 0; j < 2 * nmonths; ++j)
                        a[j] = count(r.i64(1 + static_cast<int>(j)));
                    });
  }

  // 4. The pupils themselves, each delivered with every enrolment of his in the scope.
  db_.query_large(
      fmt::format("SELECT p.id, p.massar, p.name_ar_norm, p.name_fr_norm, p.birth_date FROM "
                  "{}pupils p{}",
                  of_pupils, small ? " ON p.id = s.id" : ""),
      {}, [&](const ResultRow& r) {
        const int32_t k = pupil_at.find(r.i64(0));
        if (k == IdIndex::kAbsent) return;
        const auto kk = static_cast<std::size_t>(k);
        SnapshotPupilRow row;
        read_pupil_columns(row, r);
        row.household_id = household_of[kk];
        if (row.household_id) {
          const Payee& p = payees[static_cast<std::size_t>(household_at.find(row.household_id))];
          row.payee_cin = payee_texts.at(p.at, p.cin);
          row.payee_name_norm = payee_texts.at(p.at + p.cin, p.name);
          row.ramed = payee_texts.at(p.at + p.cin + p.name, p.ramed);
        }
        const uint8_t* a = &absent[kk * 2 * nmonths];
        for (std::size_t j = 0; j < nmonths; ++j) {
          row.unjustified[j] = a[2 * j];
          row.justified[j] = a[2 * j + 1];
        }
        row.in_scope = true;
        for (int32_t e = first_enrolment[kk]; e >= 0;) {
          const Enrolment& en = enrolments[static_cast<std::size_t>(e)];
          row.enrolment_id = en.id;
          row.school_id = en.school_id;
          row.level = words.at(en.level);
          row.status = words.at(en.status);
          row.left_date = words.at(en.left_date);
          deliver(row);
          e = en.next;
        }
      });
  if (small) db_.execute("DROP TABLE stage_snapshot_pupils");
  if (nation) return;  // every enrolment of the year was read

  // Pupils enrolled outside the scope, reached from ids staged in a temporary table by `from`
  // (which names the table {0} and joins p, m and h).
  auto read_outside = [&](const char* stage, std::vector<int64_t> ids, const char* from) {
    stage_ids(db_, stage, std::move(ids));
    db_.query_large(fmt::format("SELECT {}{} FROM {} JOIN enrolments e ON e.pupil_id = p.id JOIN "
                                "schools sc ON sc.id = e.school_id JOIN communes cm ON cm.code = "
                                "sc.commune_code LEFT JOIN absence_tallies t ON t.pupil_id = p.id "
                                "AND t.school_year = {} WHERE e.school_year = {} AND NOT ({})",
                                kPupilColumns, tally_columns,
                                fmt::format(fmt::runtime(from), stage), y, y, q.where),
                    q.values, [&](const ResultRow& r) {
                      SnapshotPupilRow row;
                      read_pupil_columns(row, r);
                      row.school_id = r.i64(5);
                      row.level = r.view(6);
                      row.status = r.view(7);
                      row.left_date = r.view(8);
                      row.household_id = r.i64(9);
                      row.payee_cin = r.view(10);
                      row.payee_name_norm = r.view(11);
                      row.ramed = r.view(12);
                      row.enrolment_id = r.i64(13);
                      for (std::size_t j = 0; j < nmonths; ++j) {
                        row.unjustified[j] = count(r.i64(14 + 2 * static_cast<int>(j)));
                        row.justified[j] = count(r.i64(15 + 2 * static_cast<int>(j)));
                      }
                      row.in_scope = false;
                      deliver(row);
                    });
    db_.execute(fmt::format("DROP TABLE {}", stage));
  };
  // Their households' other children: the members of those households who are not pupils of
  // the scope, then their enrolments elsewhere. (One query joining the households' members to
  // their enrolments outside the scope hashed the whole country's members, pupils and
  // enrolments: 6 s for a region on a national database, to find a few children.) When every
  // membership was read above, they are among those kept aside; otherwise the server finds them.
  if (!households.empty()) {
    std::vector<int64_t> others;
    if (small) {
      db_.query_large(
          "SELECT m.pupil_id FROM stage_snapshot_households s JOIN household_members m ON "
          "m.household_id = s.id",
          {}, [&](const ResultRow& r) {
            if (pupil_at.find(r.i64(0)) == IdIndex::kAbsent) others.push_back(r.i64(0));
          });
      db_.execute("DROP TABLE stage_snapshot_households");
    } else {
      for (const auto& [pupil, household] : outside_members)
        if (household_at.find(household) != IdIndex::kAbsent) others.push_back(pupil);
    }
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

  // Only the pupils whose lines differ from those stored are rewritten (all their lines deleted,
  // then inserted). A pupil has a line per school he was at in the period: nearly always one.
  struct Stored {
    CycleLineRow first;
    std::vector<CycleLineRow> more;  // his lines at other schools
  };
  std::unordered_map<int64_t, Stored> before;
  if (!first)
    each_line(cycle_id, 0, [&](const CycleLineRow& r) {
      auto [it, fresh] = before.try_emplace(r.pupil_id, Stored{r, {}});
      if (!fresh) it->second.more.push_back(r);
    });
  LineChanges out;
  std::vector<const CycleLineRow*> put;
  std::vector<int64_t> gone;
  put.reserve(lines.size());
  auto by_school = [](const CycleLineRow* a, const CycleLineRow* b) {
    return a->school_id < b->school_id;
  };
  std::vector<const CycleLineRow*> now, was;
  for (std::size_t k = 0; k < lines.size();) {
    // The lines of one pupil (given together).
    std::size_t end = k + 1;
    while (end < lines.size() && lines[end].pupil_id == lines[k].pupil_id) ++end;
    const int64_t pupil = lines[k].pupil_id;
    auto b = before.find(pupil);
    if (b != before.end()) {
      bool same;
      if (end == k + 1 && b->second.more.empty()) {
        same = b->second.first == lines[k];
      } else {
        now.clear();
        was = {&b->second.first};
        for (std::size_t j = k; j < end; ++j) now.push_back(&lines[j]);
        for (const auto& r : b->second.more) was.push_back(&r);
        std::sort(now.begin(), now.end(), by_school);
        std::sort(was.begin(), was.end(), by_school);
        same = std::equal(now.begin(), now.end(), was.begin(), was.end(),
                          [](const CycleLineRow* x, const CycleLineRow* y) { return *x == *y; });
      }
      out.deleted += 1 + static_cast<int64_t>(b->second.more.size());
      before.erase(b);
      if (same) {
        out.deleted -= static_cast<int64_t>(end - k);
        k = end;
        continue;
      }
      gone.push_back(pupil);
    }
    for (std::size_t j = k; j < end; ++j) put.push_back(&lines[j]);
    k = end;
  }
  for (const auto& [pupil, rows] : before) {
    gone.push_back(pupil);
    out.deleted += 1 + static_cast<int64_t>(rows.more.size());
  }
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
  // A new partition is filled as a table of its own, then attached: its indexes are built once
  // each and no trigger fires per row (its lines are checked just below, by one query each).
  const bool attach = pg && first;
  if (attach) {
    // Its lines are checked here, not by the partitioned table's trigger (migration postgres
    // 014): the cycle, and the schools they name, by their ids.
    if (!db_.scalar_i64("SELECT 1 FROM tayssir_cycles WHERE id = $1 FOR KEY SHARE", {cycle_id}))
      throw DbError(fmt::format("a Tayssir line names cycle {}, which does not exist", cycle_id));
    std::vector<int64_t> schools;
    schools.reserve(put.size());
    for (const auto* l : put) schools.push_back(l->school_id);
    std::sort(schools.begin(), schools.end());
    schools.erase(std::unique(schools.begin(), schools.end()), schools.end());
    if (auto unknown = db_.scalar_i64(
            "SELECT x FROM unnest($1::bigint[]) x WHERE NOT EXISTS (SELECT 1 FROM schools s "
            "WHERE s.id = x) LIMIT 1",
            {fmt::format("{{{}}}", fmt::join(schools, ","))}))
      throw DbError(fmt::format("a Tayssir line names school {}, which does not exist", *unknown));
    db_.execute(fmt::format("CREATE TABLE {} (LIKE tayssir_lines)", partition));
  }
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

void TayssirStore::each_absence_sessions(
    const std::string& from, const std::string& to,
    const std::function<void(int64_t, const std::string&, int64_t, int64_t)>& fn) {
  db_.query_large(
      "SELECT pupil_id, substr(day, 1, 7), sum(CASE WHEN justified = 0 THEN sessions ELSE 0 END), "
      "sum(CASE WHEN justified = 1 THEN sessions ELSE 0 END) FROM absences WHERE day >= $1 AND "
      "day <= $2 GROUP BY pupil_id, substr(day, 1, 7)",
      {from, to}, [&](const ResultRow& r) { fn(r.i64(0), r.text(1), r.i64(2), r.i64(3)); });
}

std::vector<TayssirStore::SiblingLine> TayssirStore::sibling_lines(int64_t policy_id,
                                                                   const std::string& period,
                                                                   int64_t household_id,
                                                                   int64_t except_pupil) {
  std::vector<SiblingLine> out;
  db_.query(
      "SELECT p.massar, sc.code, l.level, l.reason, l.monthly, l.due FROM household_members m "
      "JOIN tayssir_cycles c ON c.policy_id = $1 AND c.period = $2 JOIN tayssir_lines l ON "
      "l.cycle_id = c.id AND l.pupil_id = m.pupil_id JOIN pupils p ON p.id = m.pupil_id JOIN "
      "schools sc ON sc.id = l.school_id WHERE m.household_id = $3 AND m.pupil_id <> $4 "
      "ORDER BY p.massar, sc.code",
      {policy_id, period, household_id, except_pupil}, [&](const ResultRow& r) {
        out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.i64(4), r.i64(5)});
      });
  return out;
}

std::vector<CycleLineRow> TayssirStore::lines_of(int64_t cycle_id, int64_t pupil_id) {
  std::vector<CycleLineRow> out;
  db_.query(
      "SELECT pupil_id, school_id, household_id, level, reason, monthly, months, absences, due, "
      "forfeited FROM tayssir_lines WHERE cycle_id = $1 AND pupil_id = $2 ORDER BY school_id",
      {cycle_id, pupil_id}, [&](const ResultRow& r) { out.push_back(line_of_row(r)); });
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
// An appeal with its pupil and the pupil's line in the appealed cycle (of a pupil with lines at
// two schools in that period, the one of the school with the highest id: one school answers).
constexpr const char* kAppealFrom =
    "tayssir_appeals a JOIN pupils p ON p.id = a.pupil_id LEFT JOIN tayssir_lines l ON "
    "l.cycle_id = a.cycle_id AND l.pupil_id = a.pupil_id AND l.school_id = (SELECT "
    "max(x.school_id) FROM tayssir_lines x WHERE x.cycle_id = a.cycle_id AND x.pupil_id = "
    "a.pupil_id) LEFT JOIN schools sc ON sc.id = l.school_id";
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

void TayssirStore::each_line_fact(const std::string& school_year,
                                  const std::function<void(const LineFact&)>& fn) {
  LineFact f;
  db_.query(
      "SELECT l.school_id, count(*), sum(l.due), sum(l.forfeited), l.level, l.reason, c.state, "
      "p.sex FROM tayssir_lines l JOIN tayssir_cycles c ON c.id = l.cycle_id JOIN "
      "tayssir_policies o ON o.id = c.policy_id JOIN pupils p ON p.id = l.pupil_id WHERE "
      "o.school_year = $1 GROUP BY l.school_id, l.level, l.reason, c.state, p.sex",
      {school_year}, [&](const ResultRow& r) {
        f.school_id = r.i64(0);
        f.lines = r.i64(1);
        f.due = r.i64(2);
        f.forfeited = r.i64(3);
        f.level = r.text(4);
        f.reason = r.text(5);
        f.state = r.text(6);
        f.sex = r.text(7) == "F" ? 'F' : 'M';
        fn(f);
      });
}

void TayssirStore::each_pupil_outcome(
    const std::string& school_year,
    const std::function<void(int64_t pupil, bool eligible, bool paid)>& fn) {
  db_.query(
      "SELECT l.pupil_id, max(CASE WHEN l.reason = 'eligible' THEN 1 ELSE 0 END), max(CASE WHEN "
      "l.due > 0 THEN 1 ELSE 0 END) FROM tayssir_lines l JOIN tayssir_cycles c ON c.id = "
      "l.cycle_id JOIN tayssir_policies p ON p.id = c.policy_id WHERE p.school_year = $1 GROUP BY "
      "l.pupil_id",
      {school_year}, [&](const ResultRow& r) { fn(r.i64(0), r.i64(1) != 0, r.i64(2) != 0); });
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
