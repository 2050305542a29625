#include "core/app/territory.hpp"

#include "core/app/accounts.hpp"

#include <fmt/format.h>

#include <map>

#include "core/io/table.hpp"
#include "core/module.hpp"
#include "core/store/embedded.hpp"

namespace sanad::app {
namespace {

// Rows of an embedded CSV as maps from column name to value.
std::vector<std::map<std::string, std::string>> embedded_csv(const std::string& path) {
  auto data = embedded::find(path);
  if (!data) throw std::runtime_error("missing embedded file " + path);
  io::Table t = io::read_csv_bytes(std::string(*data), path);
  std::vector<std::map<std::string, std::string>> out;
  if (t.rows.empty()) return out;
  const auto& head = t.rows[0].cells;
  for (std::size_t r = 1; r < t.rows.size(); ++r) {
    if (t.rows[r].blank()) continue;
    std::map<std::string, std::string> m;
    for (std::size_t c = 0; c < head.size() && c < t.rows[r].cells.size(); ++c)
      m[std::string(head[c])] = std::string(t.rows[r].cells[c]);
    out.push_back(std::move(m));
  }
  return out;
}

int64_t num(const std::string& s) {
  return s.empty() ? 0 : std::stoll(s);
}

}  // namespace

Territory shipped_territory() {
  Territory t;
  for (auto& r : embedded_csv("data/territory/regions.csv"))
    t.regions.push_back({r["code"], r["name_ar"], r["name_fr"], num(r["population_2024"]),
                         num(r["households_2024"])});
  for (auto& r : embedded_csv("data/territory/provinces.csv")) {
    Province p{r["code"],
               r["region_code"],
               r["type"],
               r["name_ar"],
               r["name_fr"],
               num(r["population_2024"]),
               num(r["households_2024"])};
    // The prefectures of arrondissements split Casablanca and hold no commune of their own:
    // they are kept as territory, not as directorates.
    if (p.kind != "prefecture_of_arrondissements")
      t.directorates.push_back({p.code, p.region_code, p.name_ar, p.name_fr});
    t.provinces.push_back(std::move(p));
  }
  for (auto& r : embedded_csv("data/territory/communes.csv"))
    t.communes.push_back({r["code"], r["province_code"], r["region_code"], r["province_code"],
                          r["type"], r["name_ar"], r["name_fr"], num(r["population_2024"]),
                          num(r["households_2024"])});
  return t;
}

std::vector<InitResult::Restored> check_derived(store::Store& st) {
  std::vector<InitResult::Restored> out;
  for (const Module* m : modules())
    for (const Upkeep& u : m->upkeep)
      if (const int64_t n = u.run(st, false))
        out.push_back({std::string(u.action), std::string(u.unit), std::string(u.what), n});
  return out;
}

InitResult init_database(store::Store& st, const std::string& actor, std::string_view through) {
  InitResult res;
  res.migrations = st.migrate(through);
  Territory t = shipped_territory();
  store::Transaction tx(st.db());
  res.regions = st.put_regions(t.regions);
  res.provinces = st.put_provinces(t.provinces);
  res.directorates = st.put_directorates(t.directorates);
  res.communes = st.put_communes(t.communes);
  if (!res.migrations.empty() ||
      res.regions.inserted + res.regions.updated + res.communes.inserted + res.communes.updated > 0)
    // A new database gets an identity of its own in its first entry: the audit chain (whose
    // head the caches compare) then differs from any other database's from the start.
    st.audit({actor, "local", "init", "database",
              fmt::format(
                  "migrations={}; regions +{} ~{}; provinces +{} ~{}; communes +{} ~{}{}",
                  res.migrations.size(), res.regions.inserted, res.regions.updated,
                  res.provinces.inserted, res.provinces.updated, res.communes.inserted,
                  res.communes.updated,
                  res.regions.inserted > 0 ? "; database " + random_token().substr(0, 16) : "")});
  tx.commit();
  // What the parts derive from their rows, counted again where it drifted: a change of what
  // programs read, so recorded, which also moves the registry's version (a server's kept snapshot
  // is read again).
  for (const Module* m : modules())
    for (const Upkeep& u : m->upkeep) {
      store::Transaction restore(st.db());
      const int64_t n = u.run(st, true);
      if (n) {
        st.audit(
            {actor, "local", std::string(u.action), std::string(u.subject),
             fmt::format("{} {}: {} did not match what they are counted from", n, u.unit, u.what)});
        res.restored.push_back(
            {std::string(u.action), std::string(u.unit), std::string(u.what), n});
      }
      restore.commit();
    }
  return res;
}

}  // namespace sanad::app
