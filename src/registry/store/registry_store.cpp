// The registry's tables: pupils and enrolments, households, absences, one pupil's record, lists
// by scope.
#include "registry/store/registry_store.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>

#include "kernel/text.hpp"

#include "core/store/merge.hpp"
#include "core/store/scope_sql.hpp"
#include "registry/store/tallies.hpp"

namespace sanad::store {
using namespace detail;

// --- pupils and enrolments --------------------------------------------------------------------

namespace {
const Target pupils_target{"pupils",
                           true,
                           {{"massar"}},
                           {{"last_ar"},
                            {"first_ar"},
                            {"last_fr"},
                            {"first_fr"},
                            {"name_ar_norm"},
                            {"name_fr_norm"},
                            {"sex"},
                            {"birth_date"},
                            {"birth_place"}}};

void pupil_values(const Pupil& p, std::vector<Value>& v) {
  std::string fr = trim(p.first_fr + " " + p.last_fr);
  set_row(v, p.massar, p.last_ar, p.first_ar, null_if_empty(p.last_fr), null_if_empty(p.first_fr),
          normalize_name(p.first_ar + " " + p.last_ar), fr.empty() ? Value{} : Value{latin_key(fr)},
          p.sex, null_if_empty(p.birth_date), null_if_empty(p.birth_place));
}

std::unordered_map<std::string, int64_t> all_school_ids(Db& db) {
  std::unordered_map<std::string, int64_t> out;
  db.query("SELECT code, id FROM schools", {},
           [&](const ResultRow& r) { out.emplace(r.text(0), r.i64(1)); });
  return out;
}
}  // namespace

std::pair<MergeCounts, MergeCounts> RegistryStore::put_roster(
    const std::vector<Pupil>& pupils, const std::vector<Enrolment>& enrolments,
    const std::string& source) {
  // New pupils get their ids in code Massar order, so the code's unique index is written from
  // left to right; the enrolments follow in the same order (by pupil id for new pupils, the
  // order of their unique key; their school index is built afterwards on a large first load).
  const auto pupil_order =
      key_order(pupils.size(), [&](std::size_t i) -> std::string_view { return pupils[i].massar; });
  std::vector<int64_t> ids;
  std::vector<std::pair<std::size_t, std::string>> changed;
  MergeCounts pc = diff_merge(
      *db_, pupils_target, pupils.size(),
      [&](std::size_t i, std::vector<Value>& v) { pupil_values(pupils[i], v); }, &ids, &changed,
      &pupil_order);
  for (auto& [i, fields] : changed)
    pc.changes.push_back({"pupil", pupils[i].massar, "", std::move(fields)});
  changed.clear();
  // Each enrolment's pupil id: both lists walked in code order; pupils not in this file are
  // looked up in the store.
  const auto enrolment_order = key_order(
      enrolments.size(), [&](std::size_t i) -> std::string_view { return enrolments[i].massar; });
  std::vector<int64_t> pupil_of(enrolments.size(), 0);
  std::vector<std::string> missing;
  std::size_t p = 0;
  for (uint32_t k : enrolment_order) {
    const std::string& code = enrolments[k].massar;
    while (p < pupil_order.size() && pupils[pupil_order[p]].massar < code) ++p;
    if (p < pupil_order.size() && pupils[pupil_order[p]].massar == code)
      pupil_of[k] = ids[pupil_order[p]];
    else if (missing.empty() || missing.back() != code)
      missing.push_back(code);
  }
  if (!missing.empty()) {
    auto known = ids_by_code(*db_, "pupils", "massar", missing);
    for (std::size_t k = 0; k < enrolments.size(); ++k)
      if (!pupil_of[k]) pupil_of[k] = id_or_throw(known, enrolments[k].massar, "pupil");
  }
  auto school_ids = all_school_ids(*db_);
  static const Target target{"enrolments",
                             true,
                             {{"pupil_id", true}, {"school_year"}, {"school_id", true}},
                             {{"level"},
                              {"class_name"},
                              {"status"},
                              {"transfer_to"},
                              {"left_date"},
                              {"source", false, true}}};
  MergeCounts ec = diff_merge(
      *db_, target, enrolments.size(),
      [&](std::size_t i, std::vector<Value>& v) {
        const Enrolment& e = enrolments[i];
        set_row(v, pupil_of[i], e.school_year, id_or_throw(school_ids, e.school_code, "school"),
                e.level, e.class_name, e.status, null_if_empty(e.transfer_to),
                null_if_empty(e.left_date), null_if_empty(source));
      },
      nullptr, &changed, &enrolment_order);
  for (auto& [i, fields] : changed) {
    const Enrolment& e = enrolments[i];
    ec.changes.push_back(
        {"enrolment", e.massar, e.school_year + " " + e.school_code, std::move(fields)});
  }
  return {pc, ec};
}

// --- households -------------------------------------------------------------------------------

MergeCounts RegistryStore::put_households(const std::vector<Household>& rows) {
  static const Target target{"households",
                             true,
                             {{"payee_cin"}},
                             {{"payee_name"}, {"payee_name_norm"}, {"phone"}, {"ramed"}}};
  std::vector<std::pair<std::size_t, std::string>> changed;
  auto counts = diff_merge(
      *db_, target, rows.size(),
      [&](std::size_t i, std::vector<Value>& v) {
        const Household& h = rows[i];
        set_row(v, h.payee_cin, h.payee_name, normalize_name(h.payee_name), null_if_empty(h.phone),
                null_if_empty(h.ramed));
      },
      nullptr, &changed);
  for (auto& [i, fields] : changed)
    counts.changes.push_back({"household", rows[i].payee_cin, "", std::move(fields)});
  return counts;
}

MergeCounts RegistryStore::put_memberships(const std::vector<Membership>& rows) {
  std::vector<std::string> massars, cins;
  for (const auto& m : rows) {
    massars.push_back(m.massar);
    cins.push_back(m.payee_cin);
  }
  auto pupil_ids = ids_by_code(*db_, "pupils", "massar", massars);
  auto household_ids = ids_by_code(*db_, "households", "payee_cin", cins);
  static const Target target{
      "household_members", false, {{"pupil_id", true}}, {{"household_id", true}, {"relation"}}};
  // The household is recorded by its payee's CIN, not by its row number.
  std::unordered_map<int64_t, std::string> cin_of;
  for (const auto& [cin, id] : household_ids) cin_of.emplace(id, cin);
  std::vector<std::pair<std::size_t, std::string>> changed;
  auto counts = diff_merge(
      *db_, target, rows.size(),
      [&](std::size_t i, std::vector<Value>& v) {
        const Membership& m = rows[i];
        set_row(v, id_or_throw(pupil_ids, m.massar, "pupil"),
                id_or_throw(household_ids, m.payee_cin, "household"), m.relation);
      },
      nullptr, &changed);
  for (auto& [i, fields] : changed) {
    auto f = nlohmann::json::parse(fields);
    if (f.contains("household_id"))
      for (auto& side : f["household_id"])
        if (side.is_number_integer()) {
          const int64_t id = side.get<int64_t>();
          if (!cin_of.count(id))  // the household left: not among this file's
            cin_of[id] = db_->scalar_text("SELECT payee_cin FROM households WHERE id = $1", {id})
                             .value_or(std::to_string(id));
          side = cin_of[id];
        }
    nlohmann::json out = nlohmann::json::object();
    for (auto& [k, val] : f.items()) out[k == "household_id" ? "payee_cin" : k] = val;
    counts.changes.push_back({"membership", rows[i].massar, "", out.dump()});
  }
  return counts;
}

MergeCounts RegistryStore::put_absences(const std::vector<Absence>& rows) {
  std::vector<std::string> massars;
  massars.reserve(rows.size());
  for (const auto& a : rows) massars.push_back(a.massar);
  auto pupil_ids = ids_by_code(*db_, "pupils", "massar", massars);
  std::vector<int64_t> pupil_of(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    pupil_of[i] = id_or_throw(pupil_ids, rows[i].massar, "pupil");
  // New absences go in the order of their key (pupil, day): the table is that index.
  std::vector<uint32_t> order(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    if (pupil_of[x] != pupil_of[y]) return pupil_of[x] < pupil_of[y];
    return rows[x].date != rows[y].date ? rows[x].date < rows[y].date : x < y;
  });
  static const Target target{
      "absences", false, {{"pupil_id", true}, {"day"}}, {{"justified", true}, {"sessions", true}}};
  std::vector<std::pair<std::size_t, std::string>> changed;
  std::vector<uint8_t> state;
  auto counts = diff_merge(
      *db_, target, rows.size(),
      [&](std::size_t i, std::vector<Value>& v) {
        const Absence& a = rows[i];
        set_row(v, pupil_of[i], a.date, int64_t{a.justified ? 1 : 0}, int64_t{a.sessions});
      },
      nullptr, &changed, &order, &state);
  // The days whose justification changed (a change of sessions alone leaves the tallies of days).
  std::vector<uint8_t> moved(rows.size(), 0);
  for (auto& [i, fields] : changed) {
    moved[i] = fields.find("\"justified\"") != std::string::npos;
    counts.changes.push_back({"absence", rows[i].massar, rows[i].date, std::move(fields)});
  }
  // The tallies take the differences: a new day counts, a day whose justification changed moves.
  std::vector<tallies::Delta> deltas;
  for (uint32_t i : order) {
    if (state[i] == kRowSame || (state[i] == kRowChanged && !moved[i])) continue;
    auto day = parse_iso_date(rows[i].date);
    if (!day) throw DbError("not a date: " + rows[i].date);
    tallies::count_day(deltas, pupil_of[i], *day, rows[i].justified);
    if (state[i] == kRowChanged)
      tallies::count_day(deltas, pupil_of[i], *day, !rows[i].justified, -1);
  }
  tallies::add(*db_, deltas);
  return counts;
}

std::vector<std::pair<std::string, std::string>> RegistryStore::enrolled_schools(
    const std::vector<std::string>& massar, const std::string& year) {
  std::vector<std::pair<std::string, std::string>> out;
  if (massar.empty()) return out;
  stage_codes(*db_, massar);
  db_->query(
      "SELECT p.massar, sc.code FROM stage_codes s JOIN pupils p ON p.massar = s.code JOIN "
      "enrolments e ON e.pupil_id = p.id AND e.school_year = $1 JOIN schools sc ON sc.id = "
      "e.school_id ORDER BY p.massar, sc.code",
      {year}, [&](const ResultRow& r) { out.emplace_back(r.text(0), r.text(1)); });
  db_->execute("DROP TABLE stage_codes");
  return out;
}

std::vector<Absence> RegistryStore::absences_in_schools(const std::vector<std::string>& schools,
                                                        const std::string& year,
                                                        const std::string& from,
                                                        const std::string& to) {
  std::vector<Absence> out;
  if (schools.empty()) return out;
  stage_codes(*db_, schools);
  db_->query(
      "SELECT p.massar, a.day, a.justified, a.sessions FROM absences a JOIN pupils p ON p.id = "
      "a.pupil_id "
      "WHERE a.day >= $1 AND a.day <= $2 AND a.pupil_id IN (SELECT e.pupil_id FROM enrolments e "
      "JOIN schools sc ON sc.id = e.school_id JOIN stage_codes s ON s.code = sc.code WHERE "
      "e.school_year = $3) ORDER BY p.massar, a.day",
      {from, to, year}, [&](const ResultRow& r) {
        out.push_back({r.text(0), r.text(1), r.i64(2) != 0, static_cast<int>(r.i64(3))});
      });
  db_->execute("DROP TABLE stage_codes");
  return out;
}

int64_t RegistryStore::delete_absences(const std::vector<Absence>& rows) {
  if (rows.empty()) return 0;
  std::vector<std::string> massars;
  massars.reserve(rows.size());
  for (const auto& a : rows) massars.push_back(a.massar);
  auto pupil_ids = ids_by_code(*db_, "pupils", "massar", massars);
  std::vector<int64_t> pupils;
  pupils.reserve(rows.size());
  for (const auto& a : rows) pupils.push_back(id_or_throw(pupil_ids, a.massar, "pupil"));
  db_->execute("DROP TABLE IF EXISTS stage_gone");
  db_->execute(stage_ddl(db_->dialect(), "stage_gone", {{"pupil_id", true}, {"day"}}));
  std::size_t i = 0;
  db_->bulk_insert("stage_gone", {"pupil_id", "day"}, [&](std::vector<Value>& v) {
    if (i == rows.size()) return false;
    set_row(v, pupils[i], rows[i].date);
    ++i;
    return true;
  });
  const int64_t n = db_->execute(
      "DELETE FROM absences WHERE EXISTS (SELECT 1 FROM stage_gone g WHERE g.pupil_id = "
      "absences.pupil_id AND g.day = absences.day)");
  db_->execute("DROP TABLE stage_gone");
  if (n > 0) tallies::recount(*db_, std::move(pupils));
  return n;
}

std::vector<std::string> RegistryStore::unknown_pupils(const std::vector<std::string>& massar,
                                                       const Scope& scope) {
  std::unordered_map<std::string, int64_t> known;
  if (scope.kind == NodeKind::nation) {
    known = ids_by_code(*db_, "pupils", "massar", massar);
  } else if (!massar.empty()) {
    stage_codes(*db_, massar);
    auto [where, params] = scope_filter(scope);
    db_->query(
        "SELECT p.massar, p.id FROM stage_codes s JOIN pupils p ON p.massar = s.code WHERE EXISTS "
        "(SELECT 1 FROM enrolments e JOIN schools sc ON sc.id = e.school_id JOIN communes cm ON "
        "cm.code = sc.commune_code WHERE e.pupil_id = p.id AND " +
            where + ")",
        params, [&](const ResultRow& r) { known.emplace(r.text(0), r.i64(1)); });
    db_->execute("DROP TABLE stage_codes");
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& m : massar)
    if (!known.count(m) && seen.insert(m).second) out.push_back(m);
  return out;
}

std::vector<RegistryStore::PupilOnRecord> RegistryStore::pupils_on_record(
    const std::vector<std::string>& massar) {
  std::vector<PupilOnRecord> out;
  if (massar.empty()) return out;
  stage_codes(*db_, massar);
  db_->query(
      "SELECT p.massar, p.last_ar, p.first_ar, p.last_fr, p.first_fr, p.sex, p.birth_date, "
      "p.birth_place, e.school_year, sc.code, e.level, e.class_name, e.status, e.transfer_to, "
      "e.left_date, e.source FROM stage_codes s JOIN pupils p ON p.massar = s.code LEFT JOIN "
      "enrolments e "
      "ON e.pupil_id = p.id LEFT JOIN schools sc ON sc.id = e.school_id ORDER BY p.massar, "
      "e.school_year, sc.code",
      {}, [&](const ResultRow& r) {
        if (out.empty() || out.back().pupil.massar != r.view(0))
          out.push_back({Pupil{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5),
                               r.text(6), r.text(7)},
                         {},
                         {},
                         {}});
        if (!r.is_null(8)) {
          out.back().enrolments.push_back({r.text(0), r.text(8), r.text(9), r.text(10), r.text(11),
                                           r.text(12), r.text(13), r.text(14)});
          out.back().sources.push_back(r.is_null(15) ? std::string() : r.text(15));
        }
      });
  // Their households' payees (out is in code order).
  db_->query(
      "SELECT p.massar, h.payee_cin FROM stage_codes s JOIN pupils p ON p.massar = s.code JOIN "
      "household_members m ON m.pupil_id = p.id JOIN households h ON h.id = m.household_id",
      {}, [&](const ResultRow& r) {
        auto it = std::lower_bound(
            out.begin(), out.end(), r.view(0),
            [](const PupilOnRecord& x, std::string_view code) { return x.pupil.massar < code; });
        if (it != out.end() && it->pupil.massar == r.view(0)) it->payee_cin = r.text(1);
      });
  db_->execute("DROP TABLE stage_codes");
  return out;
}

std::vector<RegistryStore::HouseholdOnRecord> RegistryStore::households_on_record(
    const std::vector<std::string>& cins) {
  std::vector<HouseholdOnRecord> out;
  if (cins.empty()) return out;
  stage_codes(*db_, cins);
  db_->query(
      "SELECT h.payee_cin, h.payee_name, h.phone, h.ramed, p.massar FROM stage_codes s JOIN "
      "households h ON h.payee_cin = s.code LEFT JOIN household_members m ON m.household_id = "
      "h.id LEFT JOIN pupils p ON p.id = m.pupil_id ORDER BY h.payee_cin, p.massar",
      {}, [&](const ResultRow& r) {
        if (out.empty() || out.back().household.payee_cin != r.view(0))
          out.push_back({Household{r.text(0), r.text(1), r.text(2), r.text(3)}, {}});
        if (!r.is_null(4)) out.back().children.push_back(r.text(4));
      });
  db_->execute("DROP TABLE stage_codes");
  return out;
}

// --- one pupil --------------------------------------------------------------------------------

std::optional<Pupil> RegistryStore::pupil(const std::string& massar) {
  std::optional<Pupil> out;
  db_->query(
      "SELECT massar, last_ar, first_ar, last_fr, first_fr, sex, birth_date, birth_place FROM "
      "pupils WHERE massar = $1",
      {massar}, [&](const ResultRow& r) {
        out = Pupil{r.text(0), r.text(1), r.text(2), r.text(3),
                    r.text(4), r.text(5), r.text(6), r.text(7)};
      });
  return out;
}

std::vector<Enrolment> RegistryStore::enrolments_of(const std::string& massar) {
  std::vector<Enrolment> out;
  db_->query(
      "SELECT p.massar, e.school_year, sc.code, e.level, e.class_name, e.status, e.transfer_to, "
      "e.left_date FROM enrolments e JOIN pupils p ON p.id = e.pupil_id JOIN schools sc ON sc.id "
      "= e.school_id WHERE p.massar = $1 ORDER BY e.school_year, sc.code",
      {massar}, [&](const ResultRow& r) {
        out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6),
                       r.text(7)});
      });
  return out;
}

std::optional<std::pair<Household, Membership>> RegistryStore::household_of(
    const std::string& massar) {
  std::optional<std::pair<Household, Membership>> out;
  db_->query(
      "SELECT h.payee_cin, h.payee_name, h.phone, h.ramed, m.relation FROM household_members m "
      "JOIN households h ON h.id = m.household_id JOIN pupils p ON p.id = m.pupil_id WHERE "
      "p.massar = $1",
      {massar}, [&](const ResultRow& r) {
        out.emplace(Household{r.text(0), r.text(1), r.text(2), r.text(3)},
                    Membership{massar, r.text(0), r.text(4)});
      });
  return out;
}

std::vector<Membership> RegistryStore::members_of(const std::string& payee_cin) {
  std::vector<Membership> out;
  db_->query(
      "SELECT p.massar, m.relation FROM household_members m JOIN households h ON h.id = "
      "m.household_id JOIN pupils p ON p.id = m.pupil_id WHERE h.payee_cin = $1 ORDER BY "
      "p.massar",
      {payee_cin}, [&](const ResultRow& r) {
        out.push_back({r.text(0), payee_cin, r.text(1)});
      });
  return out;
}

std::vector<Absence> RegistryStore::absences_of(const std::string& massar) {
  std::vector<Absence> out;
  db_->query(
      "SELECT a.day, a.justified, a.sessions FROM absences a JOIN pupils p ON p.id = a.pupil_id "
      "WHERE p.massar = $1 ORDER BY a.day",
      {massar}, [&](const ResultRow& r) {
        out.push_back(Absence{massar, r.text(0), r.i64(1) != 0, static_cast<int>(r.i64(2))});
      });
  return out;
}

std::vector<std::pair<std::string, int64_t>> RegistryStore::pupils_per_school(
    const std::string& year) {
  std::vector<std::pair<std::string, int64_t>> out;
  db_->query(
      "SELECT sc.code, n.pupils FROM (SELECT school_id, count(*) AS pupils FROM enrolments WHERE "
      "school_year = $1 AND status IN ('enrolled', 'repeating') GROUP BY school_id) n JOIN "
      "schools sc ON sc.id = n.school_id ORDER BY sc.code",
      {year}, [&](const ResultRow& r) { out.emplace_back(r.text(0), r.i64(1)); });
  return out;
}

// --- lists ------------------------------------------------------------------------------------

void RegistryStore::each_enrolment(const Scope& scope, const std::string& year,
                                   const std::function<void(const Pupil&, const Enrolment&)>& fn) {
  auto [where, params] = scope_filter(scope);
  if (!year.empty()) {
    params.push_back(year);
    where += fmt::format(" AND e.school_year = ${}", params.size());
  }
  db_->query(
      "SELECT p.massar, p.last_ar, p.first_ar, p.last_fr, p.first_fr, p.sex, p.birth_date, "
      "p.birth_place, "
      "e.school_year, sc.code, e.level, e.class_name, e.status, e.transfer_to, e.left_date "
      "FROM enrolments e JOIN pupils p ON p.id = e.pupil_id JOIN schools sc ON sc.id = e.school_id "
      "JOIN communes cm ON cm.code = sc.commune_code WHERE " +
          where + " ORDER BY sc.code, e.school_year, e.level, e.class_name, p.massar",
      params, [&](const ResultRow& r) {
        Pupil p{r.text(0), r.text(1), r.text(2), r.text(3),
                r.text(4), r.text(5), r.text(6), r.text(7)};
        Enrolment e{p.massar,   r.text(8),  r.text(9),  r.text(10),
                    r.text(11), r.text(12), r.text(13), r.text(14)};
        fn(p, e);
      });
}

void RegistryStore::each_membership(
    const Scope& scope, const std::function<void(const Household&, const Membership&)>& fn) {
  auto [where, params] = scope_filter(scope);
  std::string in_scope =
      scope.kind == NodeKind::nation
          ? std::string("1 = 1")
          : "EXISTS (SELECT 1 FROM enrolments e JOIN schools sc ON sc.id = e.school_id JOIN "
            "communes cm ON cm.code = sc.commune_code WHERE e.pupil_id = m.pupil_id AND " +
                where + ")";
  db_->query(
      "SELECT h.payee_cin, h.payee_name, h.phone, h.ramed, p.massar, m.relation FROM "
      "household_members m "
      "JOIN households h ON h.id = m.household_id JOIN pupils p ON p.id = m.pupil_id WHERE " +
          in_scope + " ORDER BY p.massar",
      params, [&](const ResultRow& r) {
        Household h{r.text(0), r.text(1), r.text(2), r.text(3)};
        Membership m{r.text(4), h.payee_cin, r.text(5)};
        fn(h, m);
      });
}

void RegistryStore::each_absence(const Scope& scope,
                                 const std::function<void(const Absence&)>& fn) {
  auto [where, params] = scope_filter(scope);
  std::string in_scope =
      scope.kind == NodeKind::nation
          ? std::string("1 = 1")
          : "EXISTS (SELECT 1 FROM enrolments e JOIN schools sc ON sc.id = e.school_id JOIN "
            "communes cm ON cm.code = sc.commune_code WHERE e.pupil_id = a.pupil_id AND " +
                where + ")";
  db_->query(
      "SELECT p.massar, a.day, a.justified, a.sessions FROM absences a JOIN pupils p ON p.id = "
      "a.pupil_id "
      "WHERE " +
          in_scope + " ORDER BY p.massar, a.day",
      params, [&](const ResultRow& r) {
        fn(Absence{r.text(0), r.text(1), r.i64(2) != 0, static_cast<int>(r.i64(3))});
      });
}

}  // namespace sanad::store
