// The statistics as a caller asks for them. Each call checks the caller's right and that the node
// lies in its scope, then reads or writes in the caller's name; the API's routes call these and
// nothing else (a caller who may not gets Forbidden or NotFound, core/app/caller.hpp; input that
// is not what a call takes BadRequest; a rule of the statistics that refuses a StatsError).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/app/caller.hpp"
#include "stats/app/delivery.hpp"
#include "stats/app/stats.hpp"

namespace sanad::app {

class StatsFor {
 public:
  // `snapshot` gives a year's figures (the server's cache).
  using Snapshots = std::function<std::shared_ptr<const StatsSnapshot>(const std::string& year)>;
  StatsFor(store::Store& st, Caller c, Snapshots snapshot)
      : st_(st), c_(std::move(c)), snapshot_(std::move(snapshot)) {}

  // A node of the territory in the caller's scope ("MA", a region, a directorate, a commune or
  // a school's code) in a school year of the registry (the latest when empty).
  struct At {
    std::vector<std::string> years;  // of the registry, oldest first
    std::shared_ptr<const StatsSnapshot> snap;
    int32_t node = stats::kNone;
    Scope scope;
  };
  At at(const std::string& node, const std::string& year);

  // The indicators' definitions: anyone signed in reads them; the country's catalogue is defined
  // (added to or changed) by whoever manages statistics over the whole country.
  std::vector<stats::Definition> catalogue();
  void define(const stats::Definition& d);

  // What the dashboard shows beside the figures: the trend's years, targets, reported values,
  // what the planning directorate sent back, which nodes above are the caller's, what it may do.
  struct Dashboard {
    At at;
    std::vector<std::pair<std::string, std::shared_ptr<const StatsSnapshot>>> past;  // ≤ 5 years
    std::map<std::string, store::TargetRow> targets;                                 // indicator
    std::map<std::string, store::ReportRow> reports;
    std::map<std::string, std::optional<double>> received;
    std::vector<bool> above_in_scope;  // the nodes above, nation first: within the caller's scope
    bool may_set_targets = false, may_approve = false, may_see_pupils = false;
  };
  Dashboard dashboard(const std::string& node, const std::string& year);

  // The pupils behind a figure (the registry's right), a page of them.
  struct Pupils {
    At at;
    std::size_t indicator = 0;
    int64_t total = 0;
    std::vector<store::StatsPupilRow> rows;
  };
  Pupils pupils(const std::string& node, const std::string& year, const std::string& indicator,
                const stats::Slice& slice, bool denominator, int64_t page, int64_t size);
  void may_see_pupils();

  // A node's figures (with targets and progress) to a file, XLSX or CSV, in Arabic or French;
  // recorded in the audit log. Rows written.
  void may_export();
  int64_t write_figures(const At& at, const std::string& format, bool arabic,
                        const std::string& path);

  void may_manage();
  void set_target(const std::string& node, const std::string& year, const std::string& indicator,
                  double baseline, double target);
  // submit (the node's own level), approve or return (the level above).
  store::ReportRow report(const std::string& node, const std::string& year,
                          const std::string& indicator, const std::string& action,
                          const std::string& note);

  // The exchange with the planning directorate: the whole country's.
  void may_exchange();
  std::vector<store::DeliveryRow> deliveries(int64_t limit);
  store::DeliveryRow deliver();

 private:
  store::Store& st_;
  Caller c_;
  Snapshots snapshot_;
};

}  // namespace sanad::app
