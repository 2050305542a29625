// Statistics use cases: the indicator catalogue (built in, plus definitions added as JSON), the
// snapshot of a school year computed into the cube, figures of a node with their
// disaggregations, its children ranked, trends over the years, the pupils behind a figure,
// targets with progress and the reporting of values (draft → submitted → approved | returned).
#pragma once
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/app/actor.hpp"
#include "core/app/registry_version.hpp"
#include "core/app/workflow.hpp"
#include "core/store/store.hpp"
#include "stats/domain/indicators.hpp"
#include "stats/store/stats.hpp"

namespace sanad::app {

struct StatsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Definitions as JSON: {"code", "name_ar", "name_fr", "unit", "numerator": MEASURE,
// "denominator": MEASURE, "factor", "direction": "higher|lower|neutral", "disaggregations":
// ["sex", …], "personal"} where MEASURE is {"kind": "count|sum|schools|census|census_weight",
// "quantity": "absence_days|unjustified_days|days_enrolled", "census": NAME, "filter": {FIELD:
// [VALUES]} , "age": [MIN, MAX]}. Parsing names the field that is wrong.
std::string definition_to_json(const stats::Definition& d);
stats::Definition definition_from_json(const std::string& text);

// The built-in indicators followed by those defined in the database (which may not reuse a
// built-in code).
std::vector<stats::Definition> catalogue(store::Store& st);
void define_indicator(store::Store& st, const stats::Definition& d, const Actor& who);

// A school year of the registry as the cube sees it, computed.
struct StatsSnapshot {
  std::string year;
  stats::Tree tree;
  stats::Facts facts;
  stats::Census census;
  std::vector<stats::SourceFacts> sources;    // the programs' facts of the year
  std::vector<std::string> name_ar, name_fr;  // of each node of the tree
  // Whether a node is a school or has one under it: the others have no figures to show, rank
  // or publish.
  std::vector<uint8_t> has_school;
  std::unique_ptr<stats::Cube> cube;
  std::string computed_at;
  double seconds = 0;
};
std::shared_ptr<const StatsSnapshot> compute_stats(store::Store& st, const std::string& year,
                                                   int threads = 2);

// The school years of the registry (those enrolments were imported for), oldest first.
std::vector<std::string> stats_years(store::Store& st);

// The snapshots of the years asked for, recomputed when the registry changed since (the audit
// log's head moved; its hash tells one database from another): what a server keeps between
// requests. Years are computed one at a time each, without holding up the other years; a reader
// of a year being computed waits for it. With `allow_stale`, a reader gets the snapshot it has,
// even if the registry changed since, and leaves the recomputation to a refresher that calls
// get() without it (the server's).
class StatsCache {
 public:
  std::shared_ptr<const StatsSnapshot> get(store::Store& st, const std::string& year,
                                           bool allow_stale = false);
  std::vector<std::string> years();  // those computed

 private:
  struct Entry {
    std::string head;
    std::shared_ptr<const StatsSnapshot> snap;
    bool computing = false;
  };
  std::mutex mu_;
  std::condition_variable done_;
  std::map<std::string, Entry> years_;
};

// The node of the tree for a scope, or kNone.
int32_t node_of(const stats::Tree& t, const Scope& s);
Scope scope_of(const stats::Tree& t, int32_t node);

struct FigureRow {
  std::string indicator;
  std::string dimension, value;  // "" for the total; else sex|milieu|level|cycle and its code
  stats::Figure figure;
};
// Every indicator at a node: the total, then one row per value of each disaggregation.
std::vector<FigureRow> node_figures(const StatsSnapshot& s, int32_t node, bool disaggregate);

struct Ranked {
  int32_t node = stats::kNone;
  stats::Figure figure;
};
// The children of a node that have schools under them.
std::vector<int32_t> children_with_schools(const StatsSnapshot& s, int32_t node);

// The children of a node with schools by an indicator, best first (by its direction; neutral:
// descending); with `schools`, every school under the node instead. Those without a value come
// last.
std::vector<Ranked> rank_children(const StatsSnapshot& s, std::size_t indicator, int32_t node,
                                  const stats::Slice& slice = {}, bool schools = false);

// A slice from the dimension and code of a FigureRow ("sex", "F"); refuses unknown ones.
stats::Slice parse_slice(const std::string& dimension, const std::string& value);

// The pupils behind a figure: registry ids in a stable order.
std::vector<int64_t> pupils_behind(const StatsSnapshot& s, std::size_t indicator, int32_t node,
                                   const stats::Slice& slice, bool denominator);

// Targets and reporting.
void set_target(store::Store& st, const store::TargetRow& t, const Actor& who);
std::optional<double> progress_of(store::Store& st, const StatsSnapshot& s, std::size_t indicator,
                                  int32_t node);
// Moves a reported value: "submit" (draft|returned → submitted, the value is taken from the
// figures now), "approve" or "return" (submitted → …). Refuses any other move.
// A reported value's life: draft → submitted → approved, or returned (with a note) and submitted
// again. Moves are named by what is asked: submit, approve, return.
const Workflow& report_workflow();
store::ReportRow report_value(store::Store& st, const StatsSnapshot& s, std::size_t indicator,
                              int32_t node, const std::string& action, const std::string& note,
                              const Actor& who);

std::string format_figure(const stats::Definition& d, const stats::Figure& f);

}  // namespace sanad::app
