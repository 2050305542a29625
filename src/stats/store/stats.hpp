// Persistence of statistics: the registry rows an indicator snapshot is built from, census
// indicators of communes, indicator definitions, targets, reported values, observations received
// from the planning directorate. Reads and writes rows; decides nothing.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/store/store.hpp"

namespace sanad::store {

struct StatsSchoolRow {
  int64_t id = 0;
  std::string code, commune_code, milieu, name_ar, name_fr;
};
// One enrolment of a pupil in one of the years asked, with what the pupil carries.
struct StatsEnrolmentRow {
  int64_t pupil_id = 0, school_id = 0;
  std::string school_year, level, status, left_date, sex, birth_date;
};
struct StatsAbsenceRow {
  int64_t pupil_id = 0, days = 0, unjustified = 0;
};
// A pupil behind a figure, with the enrolment of the year (or of the year before for those who
// left).
struct StatsPupilRow {
  int64_t id = 0;
  std::string massar, last_ar, first_ar, last_fr, first_fr, sex, birth_date;
  std::string school_year, school_code, level, status;
};
struct DefinitionRow {
  std::string code, body, updated_by, updated_at;
};
struct TargetRow {
  std::string indicator, node_kind, node_code, school_year;
  double baseline = 0, target = 0;
  std::string set_by, set_at;
};
struct ReportRow {
  std::string indicator, node_kind, node_code, school_year;
  std::optional<double> value;
  int64_t numerator = 0, denominator = 0;
  std::string state, note, updated_by, updated_at;
};
struct ObservationRow {
  std::string indicator, ref_area, school_year, sex, milieu, level;
  std::optional<double> value;
  std::string obs_status, conf_status, source, imported_at;
};

struct DeliveryRow {
  int64_t id = 0;
  std::string started_at;
  int64_t started_epoch = 0;
  std::string finished_at;
  int64_t finished_epoch = 0;
  std::string school_year, destination, files, sha256;
  int64_t bytes = 0, attempt = 1;
  std::string status, error, trigger, actor;
};

class StatsStore {
 public:
  explicit StatsStore(Store& st) : db_(st.db()) {}

  // Snapshot rows, ordered by pupil then year then enrolment.
  void each_school(const std::function<void(const StatsSchoolRow&)>& fn);
  void each_enrolment(const std::vector<std::string>& years,
                      const std::function<void(const StatsEnrolmentRow&)>& fn);
  // Absence days per pupil in [from, to] (ISO dates), and how many were not justified.
  void each_absence_total(const std::string& from, const std::string& to,
                          const std::function<void(const StatsAbsenceRow&)>& fn);
  std::optional<std::pair<std::string, std::string>> school_year_dates(const std::string& year);

  // Census indicators of communes (HCP).
  void put_indicator(const std::string& commune, const std::string& indicator, double value,
                     const std::string& source);
  void each_indicator(const std::function<void(const std::string& commune,
                                               const std::string& indicator, double value)>& fn);

  // The pupils of `ids` (in that order) with their latest enrolment among `years`.
  std::vector<StatsPupilRow> pupils(const std::vector<int64_t>& ids,
                                    const std::vector<std::string>& years);

  std::vector<DefinitionRow> definitions();
  void put_definition(const DefinitionRow& d);
  bool delete_definition(const std::string& code);

  std::vector<TargetRow> targets(const std::string& indicator);  // all when empty
  void put_target(const TargetRow& t);
  std::optional<ReportRow> report(const std::string& indicator, const std::string& node_kind,
                                  const std::string& node_code, const std::string& year);
  std::vector<ReportRow> reports(const std::string& year);
  void put_report(const ReportRow& r);

  // Observations received; put replaces the one of the same key. Returns whether it was new,
  // changed or the same ('i', 'u', '=').
  char put_observation(const ObservationRow& o);
  std::vector<ObservationRow> observations(const std::string& indicator);  // all when empty
  // The exchange's delivery log, newest first.
  int64_t insert_delivery(const DeliveryRow& d);  // returns its id
  void finish_delivery(const DeliveryRow& d);     // status, files, checksum, error, finish time
  std::vector<DeliveryRow> deliveries(int64_t limit, const std::string& destination = "");

  std::vector<ObservationRow> observations_at(const std::string& ref_area, const std::string& year);

 private:
  Db& db_;
};

}  // namespace sanad::store
