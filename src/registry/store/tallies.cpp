// The absence tallies: kept with every write of absences, counted again when they drift.
#include "registry/store/tallies.hpp"

#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <optional>

#include "core/store/merge.hpp"
#include "core/store/scope_sql.hpp"

namespace sanad::store::tallies {
using namespace detail;

namespace {
// Absence tallies (migration absence_tallies): each pupil's absence days per school year and
// month, unjustified then justified, September first: column k of tally_columns().
const std::vector<std::string>& tally_columns() {
  static const std::vector<std::string> cols = [] {
    std::vector<std::string> out;
    for (const char* kind : {"unjustified", "justified"})
      for (int k = 0; k < kMonths; ++k)
        out.push_back(fmt::format("{}_{:02}", kind, (k + 8) % 12 + 1));
    return out;
  }();
  return cols;
}
int tally_column(const Date& day, bool justified) {
  return (day.month + 3) % 12 + (justified ? kMonths : 0);
}
}  // namespace

// Adds these differences (one per pupil and year) to the tallies: into an empty table they are
// the tallies; otherwise each is added to the pupil's row of that year, or makes it.
void add(Db& db, const std::vector<Delta>& deltas) {
  if (deltas.empty()) return;
  const auto& cols = tally_columns();
  std::vector<std::string> names{"pupil_id", "school_year"};
  names.insert(names.end(), cols.begin(), cols.end());
  const bool empty = !db.scalar_i64("SELECT 1 FROM absence_tallies LIMIT 1");
  if (!empty) {
    std::vector<StageColumn> stage{{"pupil_id", true}, {"school_year"}};
    for (const auto& c : cols) stage.push_back({c, true});
    db.execute("DROP TABLE IF EXISTS stage_tallies");
    db.execute(stage_ddl(db.dialect(), "stage_tallies", stage));
  }
  std::size_t k = 0;
  db.bulk_insert(empty ? "absence_tallies" : "stage_tallies", names, [&](std::vector<Value>& v) {
    if (k == deltas.size()) return false;
    const Delta& t = deltas[k++];
    v.clear();
    v.emplace_back(t.pupil);
    v.emplace_back(SchoolYear{t.start}.code());
    for (int32_t x : t.days) v.emplace_back(int64_t{x});
    return true;
  });
  if (empty) return;
  std::string sum;
  for (const auto& c : cols)
    sum += fmt::format("{}{} = absence_tallies.{} + excluded.{}", sum.empty() ? "" : ", ", c, c, c);
  // "WHERE true": SQLite's reading of an INSERT … SELECT followed by ON CONFLICT.
  db.execute(
      fmt::format("INSERT INTO absence_tallies ({0}) SELECT {0} FROM stage_tallies WHERE "
                  "true ON CONFLICT (pupil_id, school_year) DO UPDATE SET {1}",
                  fmt::join(names, ", "), sum));
  db.execute("DROP TABLE stage_tallies");
}

// One absence day more (or less) in the tallies being built, which come in pupil and day order.
void count_day(std::vector<Delta>& t, int64_t pupil, const Date& day, bool justified, int32_t n) {
  const int start = SchoolYear::of(day).start;
  if (t.empty() || t.back().pupil != pupil || t.back().start != start)
    t.push_back({pupil, start, {}});
  t.back().days[static_cast<std::size_t>(tally_column(day, justified))] += n;
}

// The tallies counted from the absences of the pupils `which` selects (a condition on pupil_id;
// their tallies deleted before), by ranges of 100,000 pupil ids so that memory stays small and
// nothing is written while a query is still being read.
static void count_tallies(Db& db, const std::string& which) {
  std::optional<int64_t> lo, hi;
  db.query("SELECT min(pupil_id), max(pupil_id) FROM absences WHERE " + which, {},
           [&](const ResultRow& r) {
             if (!r.is_null(0)) lo = r.i64(0), hi = r.i64(1);
           });
  if (!lo) return;
  constexpr int64_t kRange = 100'000;
  for (int64_t from = *lo; from <= *hi; from += kRange) {
    std::vector<Delta> counts;
    db.query(fmt::format("SELECT pupil_id, day, justified FROM absences WHERE pupil_id >= $1 AND "
                         "pupil_id < $2 AND {} ORDER BY pupil_id, day",
                         which),
             {from, from + kRange}, [&](const ResultRow& r) {
               if (auto day = parse_iso_date(r.text(1)))
                 count_day(counts, r.i64(0), *day, r.i64(2) != 0);
             });
    add(db, counts);
  }
}

// After absences were deleted: the pupils' tallies counted again from the absences they have.
void recount(Db& db, std::vector<int64_t> pupils) {
  if (pupils.empty()) return;
  stage_ids(db, "stage_tally_pupils", std::move(pupils));
  db.execute("DELETE FROM absence_tallies WHERE pupil_id IN (SELECT id FROM stage_tally_pupils)");
  count_tallies(db, "pupil_id IN (SELECT id FROM stage_tally_pupils)");
  db.execute("DROP TABLE stage_tally_pupils");
}

namespace {

// The pupils with ids in [from, to) whose tallies differ from their absences, in one school year's
// month or more: both read in (pupil, school year) order and walked side by side.
std::vector<int64_t> drifted_in(Db& db, int64_t from, int64_t to) {
  std::vector<Delta> counted, tallied;
  db.query(
      "SELECT pupil_id, day, justified FROM absences WHERE pupil_id >= $1 AND pupil_id < $2 "
      "ORDER BY pupil_id, day",
      {from, to}, [&](const ResultRow& r) {
        if (auto day = parse_iso_date(r.text(1))) count_day(counted, r.i64(0), *day, r.i64(2) != 0);
      });
  db.query(fmt::format("SELECT pupil_id, school_year, {} FROM absence_tallies WHERE pupil_id >= "
                       "$1 AND pupil_id < $2 ORDER BY pupil_id, school_year",
                       fmt::join(tally_columns(), ", ")),
           {from, to}, [&](const ResultRow& r) {
             Delta d{r.i64(0), school_year_start(r.view(1)), {}};
             for (std::size_t k = 0; k < d.days.size(); ++k)
               d.days[k] = static_cast<int32_t>(r.i64(2 + static_cast<int>(k)));
             tallied.push_back(d);
           });
  auto empty = [](const Delta& d) {
    for (int32_t x : d.days)
      if (x) return false;
    return true;
  };
  std::vector<int64_t> out;
  auto flag = [&](int64_t pupil) {
    if (out.empty() || out.back() != pupil) out.push_back(pupil);
  };
  std::size_t i = 0, j = 0;
  auto before = [](const Delta& x, const Delta& y) {
    return x.pupil != y.pupil ? x.pupil < y.pupil : x.start < y.start;
  };
  while (i < counted.size() || j < tallied.size()) {
    if (j == tallied.size() || (i < counted.size() && before(counted[i], tallied[j]))) {
      if (!empty(counted[i])) flag(counted[i].pupil);
      ++i;
    } else if (i == counted.size() || before(tallied[j], counted[i])) {
      if (!empty(tallied[j])) flag(tallied[j].pupil);
      ++j;
    } else {
      if (counted[i].days != tallied[j].days) flag(counted[i].pupil);
      ++i, ++j;
    }
  }
  return out;
}

}  // namespace

int64_t ensure(Store& st, bool repair) {
  Db& db = st.db();
  std::optional<int64_t> lo, hi;
  for (const char* table : {"absences", "absence_tallies"})
    db.query(fmt::format("SELECT min(pupil_id), max(pupil_id) FROM {}", table), {},
             [&](const ResultRow& r) {
               if (r.is_null(0)) return;
               lo = lo ? std::min(*lo, r.i64(0)) : r.i64(0);
               hi = hi ? std::max(*hi, r.i64(1)) : r.i64(1);
             });
  if (!lo) return 0;
  // By ranges of pupil ids, so that memory stays small whatever the country's size.
  constexpr int64_t kRange = 100'000;
  std::vector<int64_t> drifted;
  for (int64_t from = *lo; from <= *hi; from += kRange)
    for (int64_t p : drifted_in(db, from, from + kRange)) drifted.push_back(p);
  if (repair && !drifted.empty()) recount(db, drifted);
  return static_cast<int64_t>(drifted.size());
}

}  // namespace sanad::store::tallies
