#include "store/store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "domain/text.hpp"
#include "domain/vocab.hpp"
#include "store/embedded.hpp"

namespace sanad::store {
namespace {

struct StageColumn {
  std::string name;
  bool integer = false;
};

// An upsert by natural key through a staging table: the rows are bulk-loaded, counted against
// the target (new, changed, same), then merged with one INSERT … ON CONFLICT.
struct Merge {
  std::string target;
  std::vector<std::string> key;                             // target's unique key columns
  std::vector<std::pair<std::string, std::string>> select;  // target column ← source expression
  std::string from;                                         // FROM clause over the stage
  bool update_existing = true;                              // false: insert missing rows only
};

std::string stage_ddl(Dialect d, const std::string& name, const std::vector<StageColumn>& cols) {
  std::string s = fmt::format("CREATE TEMP TABLE {} (", name);
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (i) s += ", ";
    s += cols[i].name +
         (cols[i].integer ? (d == Dialect::postgres ? " BIGINT" : " INTEGER") : " TEXT");
  }
  return s + ")";
}

template <typename T>
MergeCounts run_merge(Db& db, const std::string& stage, const std::vector<StageColumn>& cols,
                      const std::vector<T>& rows,
                      const std::function<void(const T&, std::vector<Value>&)>& to_values,
                      const Merge& m) {
  MergeCounts counts;
  if (rows.empty()) return counts;
  db.execute(fmt::format("DROP TABLE IF EXISTS {}", stage));
  db.execute(stage_ddl(db.dialect(), stage, cols));
  std::vector<std::string> names;
  for (const auto& c : cols) names.push_back(c.name);
  std::size_t i = 0;
  db.bulk_insert(stage, names, [&](std::vector<Value>& out) {
    if (i == rows.size()) return false;
    to_values(rows[i++], out);
    return true;
  });
  if (db.dialect() == Dialect::postgres) db.execute(fmt::format("ANALYZE {}", stage));

  std::string src = "SELECT ";
  for (std::size_t k = 0; k < m.select.size(); ++k) {
    if (k) src += ", ";
    src += m.select[k].second + " AS " + m.select[k].first;
  }
  src += " FROM " + m.from;
  std::string key_join;
  for (const auto& k : m.key) {
    if (!key_join.empty()) key_join += " AND ";
    key_join += fmt::format("t.{0} = src.{0}", k);
  }
  std::string same = key_join;
  std::string differs, set_list;
  for (const auto& [col, expr] : m.select) {
    if (std::find(m.key.begin(), m.key.end(), col) != m.key.end()) continue;
    same += fmt::format(" AND t.{0} IS NOT DISTINCT FROM src.{0}", col);
    if (!differs.empty()) differs += " OR ";
    differs += fmt::format("{0}.{1} IS DISTINCT FROM excluded.{1}", m.target, col);
    if (!set_list.empty()) set_list += ", ";
    set_list += fmt::format("{0} = excluded.{0}", col);
  }
  int64_t total = db.scalar_i64(fmt::format("SELECT count(*) FROM ({}) src", src)).value_or(0);
  counts.inserted = db.scalar_i64(fmt::format("SELECT count(*) FROM ({}) src WHERE NOT EXISTS "
                                              "(SELECT 1 FROM {} t WHERE {})",
                                              src, m.target, key_join))
                        .value_or(0);
  if (m.update_existing) {
    counts.unchanged = db.scalar_i64(fmt::format("SELECT count(*) FROM ({}) src JOIN {} t ON {}",
                                                 src, m.target, same))
                           .value_or(0);
  } else {
    counts.unchanged = total - counts.inserted;
  }
  counts.updated = total - counts.inserted - counts.unchanged;

  std::string cols_list;
  for (const auto& s : m.select) cols_list += (cols_list.empty() ? "" : ", ") + s.first;
  std::string sql =
      fmt::format("INSERT INTO {} ({}) SELECT {} FROM ({}) src WHERE true ON CONFLICT ({}) ",
                  m.target, cols_list, cols_list, src, fmt::join(m.key, ", "));
  if (!m.update_existing || set_list.empty())
    sql += "DO NOTHING";
  else
    sql += fmt::format("DO UPDATE SET {} WHERE {}", set_list, differs);
  if (counts.inserted + counts.updated > 0) db.execute(sql);
  db.execute(fmt::format("DROP TABLE {}", stage));
  return counts;
}

Value text_or_null(const std::string& s) {
  return null_if_empty(s);
}

// The condition that keeps rows of a scope, over schools `sc` joined to communes `cm`.
std::pair<std::string, std::vector<Value>> scope_filter(const Scope& s) {
  switch (s.kind) {
    case NodeKind::nation:
      return {"1 = 1", {}};
    case NodeKind::region:
      return {"cm.region_code = $1", {s.code}};
    case NodeKind::directorate:
      return {"cm.directorate_code = $1", {s.code}};
    case NodeKind::commune:
      return {"cm.code = $1", {s.code}};
    case NodeKind::school:
      return {"sc.code = $1", {s.code}};
  }
  return {"1 = 0", {}};
}

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

Store::Store(std::unique_ptr<Db> db) : db_(std::move(db)) {}

// --- migrations -------------------------------------------------------------------------------

static std::vector<std::pair<std::string, std::string_view>> migrations_for(Dialect d) {
  std::string prefix =
      d == Dialect::sqlite ? "src/store/migrations/sqlite/" : "src/store/migrations/postgres/";
  std::vector<std::pair<std::string, std::string_view>> out;
  for (std::size_t i = 0; i < embedded::file_count; ++i) {
    std::string_view p = embedded::files[i].path;
    if (p.rfind(prefix, 0) == 0)
      out.emplace_back(std::string(p.substr(prefix.size())), embedded::files[i].data);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Store::pending_migrations() {
  db_->execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT "
      "NULL)");
  std::set<std::string> done;
  db_->query("SELECT name FROM schema_migrations", {},
             [&](const ResultRow& r) { done.insert(r.text(0)); });
  std::vector<std::string> pending;
  for (const auto& [name, sql] : migrations_for(dialect()))
    if (!done.count(name)) pending.push_back(name);
  return pending;
}

std::vector<std::string> Store::migrate() {
  Transaction tx(*db_);
  db_->lock_job(0x5A4E4144);  // two processes never migrate at once
  auto pending = pending_migrations();
  for (const auto& [name, sql] : migrations_for(dialect())) {
    if (std::find(pending.begin(), pending.end(), name) == pending.end()) continue;
    try {
      db_->exec_script(sql);
    } catch (const DbError& e) {
      throw DbError(fmt::format("migration {} failed: {}", name, e.what()));
    }
    db_->execute("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)",
                 {name, now_iso()});
  }
  tx.commit();
  return pending;
}

bool Store::initialized() {
  bool has_table = false;
  if (dialect() == Dialect::sqlite) {
    has_table =
        db_->scalar_i64("SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'")
            .value_or(0) > 0;
  } else {
    has_table = db_->scalar_i64(
                       "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations' "
                       "AND schemaname = current_schema()")
                    .value_or(0) > 0;
  }
  if (!has_table) return false;
  std::set<std::string> done;
  db_->query("SELECT name FROM schema_migrations", {},
             [&](const ResultRow& r) { done.insert(r.text(0)); });
  for (const auto& [name, sql] : migrations_for(dialect()))
    if (!done.count(name)) return false;
  return true;
}

// --- territory --------------------------------------------------------------------------------

MergeCounts Store::put_regions(const std::vector<Region>& rows) {
  return run_merge<Region>(
      *db_, "stage_regions",
      {{"code"}, {"name_ar"}, {"name_fr"}, {"population", true}, {"households", true}}, rows,
      [](const Region& r, std::vector<Value>& v) {
        v = {r.code, r.name_ar, r.name_fr, r.population, r.households};
      },
      {"regions",
       {"code"},
       {{"code", "s.code"},
        {"name_ar", "s.name_ar"},
        {"name_fr", "s.name_fr"},
        {"population", "s.population"},
        {"households", "s.households"}},
       "stage_regions s"});
}

MergeCounts Store::put_provinces(const std::vector<Province>& rows) {
  return run_merge<Province>(*db_, "stage_provinces",
                             {{"code"},
                              {"region_code"},
                              {"kind"},
                              {"name_ar"},
                              {"name_fr"},
                              {"population", true},
                              {"households", true}},
                             rows,
                             [](const Province& r, std::vector<Value>& v) {
                               v = {r.code,    r.region_code, r.kind,      r.name_ar,
                                    r.name_fr, r.population,  r.households};
                             },
                             {"provinces",
                              {"code"},
                              {{"code", "s.code"},
                               {"region_code", "s.region_code"},
                               {"kind", "s.kind"},
                               {"name_ar", "s.name_ar"},
                               {"name_fr", "s.name_fr"},
                               {"population", "s.population"},
                               {"households", "s.households"}},
                              "stage_provinces s"});
}

MergeCounts Store::put_directorates(const std::vector<Directorate>& rows) {
  return run_merge<Directorate>(*db_, "stage_directorates",
                                {{"code"}, {"region_code"}, {"name_ar"}, {"name_fr"}}, rows,
                                [](const Directorate& r, std::vector<Value>& v) {
                                  v = {r.code, r.region_code, r.name_ar, r.name_fr};
                                },
                                {"directorates",
                                 {"code"},
                                 {{"code", "s.code"},
                                  {"region_code", "s.region_code"},
                                  {"name_ar", "s.name_ar"},
                                  {"name_fr", "s.name_fr"}},
                                 "stage_directorates s",
                                 false});
}

MergeCounts Store::put_communes(const std::vector<Commune>& rows) {
  // The directorate of an existing commune is kept: it is the academy's to edit.
  return run_merge<Commune>(
      *db_, "stage_communes",
      {{"code"},
       {"province_code"},
       {"region_code"},
       {"directorate_code"},
       {"milieu"},
       {"name_ar"},
       {"name_fr"},
       {"population", true},
       {"households", true}},
      rows,
      [](const Commune& r, std::vector<Value>& v) {
        v = {r.code,    r.province_code, r.region_code, r.directorate_code, r.milieu,
             r.name_ar, r.name_fr,       r.population,  r.households};
      },
      {"communes",
       {"code"},
       {{"code", "s.code"},
        {"province_code", "s.province_code"},
        {"region_code", "s.region_code"},
        {"directorate_code",
         "COALESCE((SELECT c.directorate_code FROM communes c WHERE c.code = s.code), "
         "s.directorate_code)"},
        {"milieu", "s.milieu"},
        {"name_ar", "s.name_ar"},
        {"name_fr", "s.name_fr"},
        {"population", "s.population"},
        {"households", "s.households"}},
       "stage_communes s"});
}

std::vector<Region> Store::regions() {
  std::vector<Region> out;
  db_->query("SELECT code, name_ar, name_fr, population, households FROM regions ORDER BY code", {},
             [&](const ResultRow& r) {
               out.push_back({r.text(0), r.text(1), r.text(2), r.i64(3), r.i64(4)});
             });
  return out;
}

std::vector<Province> Store::provinces() {
  std::vector<Province> out;
  db_->query(
      "SELECT code, region_code, kind, name_ar, name_fr, population, households FROM provinces "
      "ORDER BY code",
      {}, [&](const ResultRow& r) {
        out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.i64(5), r.i64(6)});
      });
  return out;
}

std::vector<Directorate> Store::directorates(const Scope& scope) {
  std::string where = "1 = 1";
  std::vector<Value> params;
  if (scope.kind == NodeKind::region) {
    where = "d.region_code = $1";
    params = {scope.code};
  } else if (scope.kind == NodeKind::directorate) {
    where = "d.code = $1";
    params = {scope.code};
  } else if (scope.kind != NodeKind::nation) {
    where =
        "d.code IN (SELECT cm.directorate_code FROM communes cm LEFT JOIN schools sc ON "
        "sc.commune_code = "
        "cm.code WHERE " +
        scope_filter(scope).first + ")";
    params = scope_filter(scope).second;
  }
  std::vector<Directorate> out;
  db_->query("SELECT d.code, d.region_code, d.name_ar, d.name_fr FROM directorates d WHERE " +
                 where + " ORDER BY d.code",
             params, [&](const ResultRow& r) {
               out.push_back({r.text(0), r.text(1), r.text(2), r.text(3)});
             });
  return out;
}

std::vector<Commune> Store::communes(const Scope& scope) {
  auto [where, params] = scope_filter(scope);
  if (scope.kind == NodeKind::school)
    where = "cm.code IN (SELECT sc.commune_code FROM schools sc WHERE sc.code = $1)";
  std::vector<Commune> out;
  db_->query(
      "SELECT cm.code, cm.province_code, cm.region_code, cm.directorate_code, cm.milieu, "
      "cm.name_ar, "
      "cm.name_fr, cm.population, cm.households FROM communes cm WHERE " +
          where + " ORDER BY cm.code",
      params, [&](const ResultRow& r) {
        out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6),
                       r.i64(7), r.i64(8)});
      });
  return out;
}

bool Store::scope_exists(const Scope& s) {
  switch (s.kind) {
    case NodeKind::nation:
      return true;
    case NodeKind::region:
      return db_->scalar_i64("SELECT count(*) FROM regions WHERE code = $1", {s.code}).value_or(0);
    case NodeKind::directorate:
      return db_->scalar_i64("SELECT count(*) FROM directorates WHERE code = $1", {s.code})
          .value_or(0);
    case NodeKind::commune:
      return db_->scalar_i64("SELECT count(*) FROM communes WHERE code = $1", {s.code}).value_or(0);
    case NodeKind::school:
      return db_->scalar_i64("SELECT count(*) FROM schools WHERE code = $1", {s.code}).value_or(0);
  }
  return false;
}

// --- schools ----------------------------------------------------------------------------------

MergeCounts Store::put_schools(const std::vector<School>& rows) {
  return run_merge<School>(*db_, "stage_schools",
                           {{"code"},
                            {"name_ar"},
                            {"name_fr"},
                            {"name_norm"},
                            {"cycles"},
                            {"commune_code"},
                            {"milieu"},
                            {"sector"},
                            {"boarding_beds", true},
                            {"canteen", true}},
                           rows,
                           [](const School& s, std::vector<Value>& v) {
                             v = {s.code,
                                  s.name_ar,
                                  s.name_fr,
                                  normalize_name(s.name_ar + " " + s.name_fr),
                                  join_cycles(s.cycles, Lang::fr),
                                  s.commune_code,
                                  s.milieu,
                                  s.sector,
                                  s.boarding_beds,
                                  int64_t{s.canteen ? 1 : 0}};
                           },
                           {"schools",
                            {"code"},
                            {{"code", "s.code"},
                             {"name_ar", "s.name_ar"},
                             {"name_fr", "s.name_fr"},
                             {"name_norm", "s.name_norm"},
                             {"cycles", "s.cycles"},
                             {"commune_code", "s.commune_code"},
                             {"milieu", "s.milieu"},
                             {"sector", "s.sector"},
                             {"boarding_beds", "s.boarding_beds"},
                             {"canteen", "s.canteen"}},
                            "stage_schools s"});
}

std::vector<School> Store::schools(const Scope& scope) {
  auto [where, params] = scope_filter(scope);
  std::vector<School> out;
  db_->query(
      "SELECT sc.code, sc.name_ar, sc.name_fr, sc.cycles, sc.commune_code, sc.milieu, sc.sector, "
      "sc.boarding_beds, sc.canteen FROM schools sc JOIN communes cm ON cm.code = sc.commune_code "
      "WHERE " +
          where + " ORDER BY sc.code",
      params, [&](const ResultRow& r) {
        School s;
        s.code = r.text(0);
        s.name_ar = r.text(1);
        s.name_fr = r.text(2);
        s.cycles = parse_cycles(r.text(3)).value_or(std::vector<std::string>{});
        s.commune_code = r.text(4);
        s.milieu = r.text(5);
        s.sector = r.text(6);
        s.boarding_beds = r.i64(7);
        s.canteen = r.i64(8) != 0;
        out.push_back(std::move(s));
      });
  return out;
}

void Store::ensure_school_years(const std::vector<std::string>& codes) {
  for (const auto& c : codes) {
    int y = std::stoi(c.substr(0, 4));
    db_->execute(
        "INSERT INTO school_years (code, starts, ends) VALUES ($1, $2, $3) ON CONFLICT (code) DO "
        "NOTHING",
        {c, fmt::format("{}-09-01", y), fmt::format("{}-08-31", y + 1)});
  }
}

// --- pupils and enrolments --------------------------------------------------------------------

MergeCounts Store::put_pupils(const std::vector<Pupil>& rows) {
  return run_merge<Pupil>(*db_, "stage_pupils",
                          {{"massar"},
                           {"last_ar"},
                           {"first_ar"},
                           {"last_fr"},
                           {"first_fr"},
                           {"name_ar_norm"},
                           {"name_fr_norm"},
                           {"sex"},
                           {"birth_date"},
                           {"birth_place"}},
                          rows,
                          [](const Pupil& p, std::vector<Value>& v) {
                            std::string fr = trim(p.first_fr + " " + p.last_fr);
                            v = {p.massar,
                                 p.last_ar,
                                 p.first_ar,
                                 text_or_null(p.last_fr),
                                 text_or_null(p.first_fr),
                                 normalize_name(p.first_ar + " " + p.last_ar),
                                 fr.empty() ? Value{} : Value{latin_key(fr)},
                                 p.sex,
                                 text_or_null(p.birth_date),
                                 text_or_null(p.birth_place)};
                          },
                          {"pupils",
                           {"massar"},
                           {{"massar", "s.massar"},
                            {"last_ar", "s.last_ar"},
                            {"first_ar", "s.first_ar"},
                            {"last_fr", "s.last_fr"},
                            {"first_fr", "s.first_fr"},
                            {"name_ar_norm", "s.name_ar_norm"},
                            {"name_fr_norm", "s.name_fr_norm"},
                            {"sex", "s.sex"},
                            {"birth_date", "s.birth_date"},
                            {"birth_place", "s.birth_place"}},
                           "stage_pupils s"});
}

MergeCounts Store::put_enrolments(const std::vector<Enrolment>& rows) {
  return run_merge<Enrolment>(*db_, "stage_enrolments",
                              {{"massar"},
                               {"school_year"},
                               {"school_code"},
                               {"level"},
                               {"class_name"},
                               {"status"},
                               {"transfer_to"},
                               {"left_date"}},
                              rows,
                              [](const Enrolment& e, std::vector<Value>& v) {
                                v = {e.massar,
                                     e.school_year,
                                     e.school_code,
                                     e.level,
                                     e.class_name,
                                     e.status,
                                     text_or_null(e.transfer_to),
                                     text_or_null(e.left_date)};
                              },
                              {"enrolments",
                               {"pupil_id", "school_year", "school_id"},
                               {{"pupil_id", "p.id"},
                                {"school_year", "s.school_year"},
                                {"school_id", "sc.id"},
                                {"level", "s.level"},
                                {"class_name", "s.class_name"},
                                {"status", "s.status"},
                                {"transfer_to", "s.transfer_to"},
                                {"left_date", "s.left_date"}},
                               "stage_enrolments s JOIN pupils p ON p.massar = s.massar JOIN "
                               "schools sc ON sc.code = s.school_code"});
}

// --- households -------------------------------------------------------------------------------

MergeCounts Store::put_households(const std::vector<Household>& rows) {
  return run_merge<Household>(
      *db_, "stage_households",
      {{"payee_cin"}, {"payee_name"}, {"payee_name_norm"}, {"phone"}, {"ramed"}}, rows,
      [](const Household& h, std::vector<Value>& v) {
        v = {h.payee_cin, h.payee_name, normalize_name(h.payee_name), text_or_null(h.phone),
             text_or_null(h.ramed)};
      },
      {"households",
       {"payee_cin"},
       {{"payee_cin", "s.payee_cin"},
        {"payee_name", "s.payee_name"},
        {"payee_name_norm", "s.payee_name_norm"},
        {"phone", "s.phone"},
        {"ramed", "s.ramed"}},
       "stage_households s"});
}

MergeCounts Store::put_memberships(const std::vector<Membership>& rows) {
  return run_merge<Membership>(
      *db_, "stage_members", {{"massar"}, {"payee_cin"}, {"relation"}}, rows,
      [](const Membership& m, std::vector<Value>& v) {
        v = {m.massar, m.payee_cin, m.relation};
      },
      {"household_members",
       {"pupil_id"},
       {{"pupil_id", "p.id"}, {"household_id", "h.id"}, {"relation", "s.relation"}},
       "stage_members s JOIN pupils p ON p.massar = s.massar JOIN households h ON h.payee_cin = "
       "s.payee_cin"});
}

MergeCounts Store::put_absences(const std::vector<Absence>& rows) {
  return run_merge<Absence>(*db_, "stage_absences", {{"massar"}, {"day"}, {"justified", true}},
                            rows,
                            [](const Absence& a, std::vector<Value>& v) {
                              v = {a.massar, a.date, int64_t{a.justified ? 1 : 0}};
                            },
                            {"absences",
                             {"pupil_id", "day"},
                             {{"pupil_id", "p.id"}, {"day", "s.day"}, {"justified", "s.justified"}},
                             "stage_absences s JOIN pupils p ON p.massar = s.massar"});
}

std::vector<std::string> Store::unknown_pupils(const std::vector<std::string>& massar) {
  std::vector<std::string> out;
  if (massar.empty()) return out;
  db_->execute("DROP TABLE IF EXISTS stage_codes");
  db_->execute(stage_ddl(dialect(), "stage_codes", {{"n", true}, {"massar"}}));
  std::size_t i = 0;
  db_->bulk_insert("stage_codes", {"n", "massar"}, [&](std::vector<Value>& v) {
    if (i == massar.size()) return false;
    v = {static_cast<int64_t>(i), massar[i]};
    ++i;
    return true;
  });
  std::set<std::string> seen;
  db_->query(
      "SELECT s.massar FROM stage_codes s WHERE NOT EXISTS (SELECT 1 FROM pupils p WHERE p.massar "
      "= "
      "s.massar) ORDER BY s.n",
      {}, [&](const ResultRow& r) {
        std::string m = r.text(0);
        if (seen.insert(m).second) out.push_back(std::move(m));
      });
  db_->execute("DROP TABLE stage_codes");
  return out;
}

// --- lists ------------------------------------------------------------------------------------

void Store::each_enrolment(const Scope& scope, const std::string& year,
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

void Store::each_membership(const Scope& scope,
                            const std::function<void(const Household&, const Membership&)>& fn) {
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

void Store::each_absence(const Scope& scope, const std::function<void(const Absence&)>& fn) {
  auto [where, params] = scope_filter(scope);
  std::string in_scope =
      scope.kind == NodeKind::nation
          ? std::string("1 = 1")
          : "EXISTS (SELECT 1 FROM enrolments e JOIN schools sc ON sc.id = e.school_id JOIN "
            "communes cm ON cm.code = sc.commune_code WHERE e.pupil_id = a.pupil_id AND " +
                where + ")";
  db_->query(
      "SELECT p.massar, a.day, a.justified FROM absences a JOIN pupils p ON p.id = a.pupil_id "
      "WHERE " +
          in_scope + " ORDER BY p.massar, a.day",
      params, [&](const ResultRow& r) {
        fn(Absence{r.text(0), r.text(1), r.i64(2) != 0});
      });
}

int64_t Store::count(const std::string& table) {
  static const std::set<std::string> allowed = {
      "regions",    "provinces",  "directorates",      "communes", "schools",      "pupils",
      "enrolments", "households", "household_members", "absences", "school_years", "audit_log"};
  if (!allowed.count(table)) throw DbError("unknown table " + table);
  return db_->scalar_i64("SELECT count(*) FROM " + table).value_or(0);
}

void Store::audit(const AuditEntry& e) {
  db_->execute(
      "INSERT INTO audit_log (at, actor, origin, action, subject, detail) VALUES ($1, $2, $3, $4, "
      "$5, $6)",
      {now_iso(), e.actor, e.origin, e.action, e.subject, e.detail});
}

}  // namespace sanad::store
