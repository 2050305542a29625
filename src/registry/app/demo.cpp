#include "registry/app/demo.hpp"

#include <fmt/format.h>

#include <map>

#include "kernel/dates.hpp"
#include "registry/domain/demo.hpp"
#include "registry/store/registry_store.hpp"

namespace sanad::app {

bool valid_scale(const std::string& s) {
  return s == "school" || s == "province" || s == "region" || s == "national";
}

DemoResult run_demo(store::Store& st, const DemoOptions& opt) {
  if (!valid_scale(opt.scale))
    throw DemoError(
        fmt::format("unknown scale {}: expected school, province, region or national", opt.scale));
  if (!st.initialized()) throw DemoError("the database is not initialised: run `sanad init` first");
  if (st.count("pupils") > 0 || st.count("schools") > 0)
    throw DemoError(
        "the registry already holds schools or pupils: demo data goes only into an empty database "
        "(use a new database file, or --db)");
  demo::Params params;
  params.seed = opt.seed;
  params.school_year = opt.school_year;
  params.absences = opt.absences;
  if (opt.years < 1 || opt.years > 2) throw DemoError("--years is 1 or 2");
  params.previous_year = opt.years == 2;

  // The demo province (Taounate) and region (Fès-Meknès) match ../examples.
  const std::string demo_province = "03.531", demo_region = "03";
  std::map<std::string, std::vector<demo::CommuneInfo>> by_province;
  int64_t pupil_offset = 0, commune_offset = 0;
  std::map<std::string, std::pair<int64_t, int64_t>>
      offsets;  // province → (pupils, communes) before it
  for (const auto& c : st.communes(Scope::nation()))
    by_province[c.province_code].push_back(
        {c.code, c.province_code, c.milieu, c.name_ar, c.population});
  for (auto& [prov, cs] : by_province) {
    offsets[prov] = {pupil_offset, commune_offset};
    for (const auto& c : cs) pupil_offset += demo::pupils_of_commune(params, c.population);
    commune_offset += static_cast<int64_t>(cs.size());
  }
  std::vector<std::string> provinces;
  for (const auto& [prov, cs] : by_province) {
    if (opt.scale == "national" || (opt.scale == "region" && prov.substr(0, 2) == demo_region) ||
        ((opt.scale == "province" || opt.scale == "school") && prov == demo_province))
      provinces.push_back(prov);
  }
  if (provinces.empty()) throw DemoError("the territory is not loaded: run `sanad init` first");

  DemoResult res;
  store::Transaction tx(st.db());
  if (params.previous_year) {
    const int y = school_year_start(opt.school_year);
    st.ensure_school_years({fmt::format("{}-{}", y - 1, y), opt.school_year});
  } else {
    st.ensure_school_years({opt.school_year});
  }
  std::size_t done = 0;
  for (const auto& prov : provinces) {
    auto [po, co] = offsets[prov];
    auto communes = by_province[prov];
    if (opt.communes > 0 && communes.size() > static_cast<std::size_t>(opt.communes)) {
      // Spread over the province's list (towns come first in it, villages after).
      std::vector<demo::CommuneInfo> sample;
      const std::size_t n = static_cast<std::size_t>(opt.communes), size = communes.size();
      for (std::size_t k = 0; k < n; ++k) sample.push_back(communes[(2 * k + 1) * size / (2 * n)]);
      communes = std::move(sample);
    }
    demo::Chunk ch =
        demo::generate_province(params, communes, po, co, opt.scale == "school" ? 1 : 0);
    res.schools += st.put_schools(ch.schools).inserted;
    store::RegistryStore reg(st);
    auto [pupils, enrolments] = reg.put_roster(ch.pupils, ch.enrolments, "demo");
    res.pupils += pupils.inserted;
    res.enrolments += enrolments.inserted;
    res.households += reg.put_households(ch.households).inserted;
    reg.put_memberships(ch.memberships);
    res.absences += reg.put_absences(ch.absences).inserted;
    ++done;
    if (opt.progress)
      opt.progress(fmt::format("province {} ({}/{}): {} schools, {} pupils so far", prov, done,
                               provinces.size(), res.schools, res.pupils));
  }
  st.audit(
      {opt.actor, "local", "demo", opt.scale,
       fmt::format(
           "seed={} year={} years={} communes={} schools={} pupils={} households={} absences={}",
           opt.seed, opt.school_year, opt.years, opt.communes, res.schools, res.pupils,
           res.households, res.absences)});
  tx.commit();
  return res;
}

}  // namespace sanad::app
