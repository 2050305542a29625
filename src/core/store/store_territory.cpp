// The Store's territory: regions, provinces, directorates, communes, schools, a node's ancestry.
#include "core/store/scope_sql.hpp"
#include "core/store/store.hpp"

#include <optional>

#include "kernel/dates.hpp"
#include "kernel/text.hpp"

#include "core/store/merge.hpp"
#include "kernel/vocab.hpp"

namespace sanad::store {
using namespace detail;

// --- territory --------------------------------------------------------------------------------

MergeCounts Store::put_regions(const std::vector<Region>& rows) {
  static const Target target{
      "regions",
      false,
      {{"code"}},
      {{"name_ar"}, {"name_fr"}, {"population", true}, {"households", true}}};
  return diff_merge(*db_, target, rows.size(), [&](std::size_t i, std::vector<Value>& v) {
    const Region& r = rows[i];
    set_row(v, r.code, r.name_ar, r.name_fr, r.population, r.households);
  });
}

MergeCounts Store::put_provinces(const std::vector<Province>& rows) {
  static const Target target{"provinces",
                             false,
                             {{"code"}},
                             {{"region_code"},
                              {"kind"},
                              {"name_ar"},
                              {"name_fr"},
                              {"population", true},
                              {"households", true}}};
  return diff_merge(*db_, target, rows.size(), [&](std::size_t i, std::vector<Value>& v) {
    const Province& r = rows[i];
    set_row(v, r.code, r.region_code, r.kind, r.name_ar, r.name_fr, r.population, r.households);
  });
}

MergeCounts Store::put_directorates(const std::vector<Directorate>& rows) {
  // A directorate, once there, is the academy's to edit: a reload only adds missing ones.
  static const Target target{
      "directorates",
      false,
      {{"code"}},
      {{"region_code", false, true}, {"name_ar", false, true}, {"name_fr", false, true}}};
  return diff_merge(*db_, target, rows.size(), [&](std::size_t i, std::vector<Value>& v) {
    const Directorate& r = rows[i];
    set_row(v, r.code, r.region_code, r.name_ar, r.name_fr);
  });
}

MergeCounts Store::put_communes(const std::vector<Commune>& rows) {
  // The directorate of an existing commune is kept: it is the academy's to edit.
  static const Target target{"communes",
                             false,
                             {{"code"}},
                             {{"province_code"},
                              {"region_code"},
                              {"directorate_code", false, true},
                              {"milieu"},
                              {"name_ar"},
                              {"name_fr"},
                              {"population", true},
                              {"households", true}}};
  return diff_merge(*db_, target, rows.size(), [&](std::size_t i, std::vector<Value>& v) {
    const Commune& r = rows[i];
    set_row(v, r.code, r.province_code, r.region_code, r.directorate_code, r.milieu, r.name_ar,
            r.name_fr, r.population, r.households);
  });
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
  static const Target target{"schools",
                             true,
                             {{"code"}},
                             {{"name_ar"},
                              {"name_fr"},
                              {"name_norm"},
                              {"cycles"},
                              {"commune_code"},
                              {"milieu"},
                              {"sector"},
                              {"boarding_beds", true},
                              {"canteen", true}}};
  std::vector<std::pair<std::size_t, std::string>> changed;
  auto counts = diff_merge(
      *db_, target, rows.size(),
      [&](std::size_t i, std::vector<Value>& v) {
        const School& s = rows[i];
        set_row(v, s.code, s.name_ar, s.name_fr, normalize_name(s.name_ar + " " + s.name_fr),
                join_cycles(s.cycles, Lang::fr), s.commune_code, s.milieu, s.sector,
                s.boarding_beds, int64_t{s.canteen ? 1 : 0});
      },
      nullptr, &changed);
  for (auto& [i, fields] : changed)
    counts.changes.push_back({"school", rows[i].code, "", std::move(fields)});
  return counts;
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
    const SchoolYear y{school_year_start(c)};
    db_->execute(
        "INSERT INTO school_years (code, starts, ends) VALUES ($1, $2, $3) ON CONFLICT (code) DO "
        "NOTHING",
        {c, y.first_day(), y.last_day()});
  }
}

// --- territory ancestry ---------------------------------------------------------------------

std::optional<std::vector<Scope>> Store::ancestry(const Scope& node) {
  std::vector<Scope> out{Scope::nation()};
  std::optional<std::vector<Scope>> found;
  auto chain = [&](const std::string& sql, const std::string& code, bool school) {
    db_->query(sql, {code}, [&](const ResultRow& r) {
      out.push_back({NodeKind::region, r.text(0)});
      out.push_back({NodeKind::directorate, r.text(1)});
      out.push_back({NodeKind::commune, r.text(2)});
      if (school) out.push_back({NodeKind::school, r.text(3)});
      found = out;
    });
  };
  switch (node.kind) {
    case NodeKind::nation:
      return out;
    case NodeKind::region:
      if (db_->scalar_i64("SELECT 1 FROM regions WHERE code = $1", {node.code}))
        return std::vector<Scope>{Scope::nation(), node};
      return std::nullopt;
    case NodeKind::directorate: {
      auto r =
          db_->scalar_text("SELECT region_code FROM directorates WHERE code = $1", {node.code});
      if (!r) return std::nullopt;
      return std::vector<Scope>{Scope::nation(), {NodeKind::region, *r}, node};
    }
    case NodeKind::commune:
      chain("SELECT region_code, directorate_code, code FROM communes WHERE code = $1", node.code,
            false);
      return found;
    case NodeKind::school:
      chain(
          "SELECT cm.region_code, cm.directorate_code, cm.code, sc.code FROM schools sc JOIN "
          "communes cm ON cm.code = sc.commune_code WHERE sc.code = $1",
          node.code, true);
      return found;
  }
  return std::nullopt;
}

std::vector<std::string> Store::school_years() {
  std::vector<std::string> out;
  db_->query("SELECT code FROM school_years ORDER BY code", {},
             [&](const ResultRow& r) { out.push_back(r.text(0)); });
  return out;
}

}  // namespace sanad::store
