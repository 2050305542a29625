// The absence tallies (table absence_tallies): each pupil's absence days per school year and
// month, unjustified then justified, September first. The registry's store keeps them with every
// write of absences; programs read them in place of counting the absences.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/store/store.hpp"
#include "kernel/dates.hpp"

namespace sanad::store::tallies {

constexpr int kMonths = 12;

// One pupil's difference in one school year.
struct Delta {
  int64_t pupil = 0;
  int start = 0;  // of the school year
  std::array<int32_t, 2 * kMonths> days{};
};

// Adds these differences (one per pupil and year, in pupil order) to the tallies.
void add(Db& db, const std::vector<Delta>& deltas);
// One absence day more (or, with n = -1, less) in the tallies being built, which come in pupil
// and day order.
void count_day(std::vector<Delta>& t, int64_t pupil, const Date& day, bool justified,
               int32_t n = 1);
// Counts the tallies of these pupils again from their absences.
void recount(Db& db, std::vector<int64_t> pupils);
// The tallies checked against the absences, pupil by pupil and month by month (absences written
// or moved around the store, a database from before the tallies). Returns how many pupils'
// tallies differ; with `repair`, those are counted again from their absences (the caller holds
// the transaction).
int64_t ensure(Store& st, bool repair);

}  // namespace sanad::store::tallies
