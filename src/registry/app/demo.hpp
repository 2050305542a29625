// `sanad demo`: fills an empty registry with the synthetic data of domain/demo.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "core/store/store.hpp"

namespace sanad::app {

struct DemoOptions {
  std::string scale = "province";  // school, province, region or national
  uint64_t seed = 1;
  std::string school_year = "2025-2026";
  bool absences = true;
  // Only this many communes of each province (0: all), taken evenly along its list: a small
  // registry that still has towns and villages, primary schools, a collège and a lycée.
  int communes = 0;
  // 2: also the school year before (where this year's pupils were, and those who dropped out),
  // for cohort rates (dropout, repetition, promotion) and trends.
  int years = 1;
  std::string actor = "cli";
  std::function<void(const std::string&)> progress;
};

struct DemoResult {
  int64_t schools = 0, pupils = 0, enrolments = 0, households = 0, absences = 0;
};

struct DemoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool valid_scale(const std::string& s);
DemoResult run_demo(store::Store& st, const DemoOptions& opt);

}  // namespace sanad::app
