#include "stats/store/stats.hpp"

#include <fmt/format.h>

#include <map>

namespace sanad::store {

namespace {

Value number(double v) {
  return Value{fmt::format("{}", v)};
}
Value optional_number(const std::optional<double>& v) {
  return v ? number(*v) : Value{};
}
std::optional<double> read_number(const ResultRow& r, int col) {
  if (r.is_null(col)) return std::nullopt;
  return std::stod(r.text(col));
}

}  // namespace

void StatsStore::each_school(const std::function<void(const StatsSchoolRow&)>& fn) {
  db_.query("SELECT id, code, commune_code, milieu, name_ar, name_fr FROM schools ORDER BY code",
            {}, [&](const ResultRow& r) {
              fn({r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5)});
            });
}

void StatsStore::each_enrolment(const std::vector<std::string>& years,
                                const std::function<void(const StatsEnrolmentRow&)>& fn) {
  if (years.empty()) return;
  std::vector<Value> params;
  std::string in;
  for (const auto& y : years) {
    params.emplace_back(y);
    in += fmt::format("{}${}", in.empty() ? "" : ", ", params.size());
  }
  db_.query(
      fmt::format("SELECT e.pupil_id, e.school_id, e.school_year, e.level, e.status, "
                  "e.left_date, p.sex, p.birth_date FROM enrolments e JOIN pupils p ON p.id "
                  "= e.pupil_id WHERE e.school_year IN ({}) ORDER BY e.pupil_id, "
                  "e.school_year, e.id",
                  in),
      params, [&](const ResultRow& r) {
        fn({r.i64(0), r.i64(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7)});
      });
}

void StatsStore::each_absence_total(const std::string& from, const std::string& to,
                                    const std::function<void(const StatsAbsenceRow&)>& fn) {
  db_.query(
      "SELECT pupil_id, count(*), sum(1 - justified) FROM absences WHERE day >= $1 AND day <= $2 "
      "GROUP BY pupil_id",
      {from, to}, [&](const ResultRow& r) {
        fn({r.i64(0), r.i64(1), r.i64(2)});
      });
}

std::optional<std::pair<std::string, std::string>> StatsStore::school_year_dates(
    const std::string& year) {
  std::optional<std::pair<std::string, std::string>> out;
  db_.query("SELECT starts, ends FROM school_years WHERE code = $1", {year},
            [&](const ResultRow& r) { out.emplace(r.text(0), r.text(1)); });
  return out;
}

std::vector<StatsPupilRow> StatsStore::pupils(const std::vector<int64_t>& ids,
                                              const std::vector<std::string>& years) {
  std::vector<StatsPupilRow> out;
  if (ids.empty() || years.empty()) return out;
  std::vector<Value> params;
  std::string in_ids, in_years;
  for (auto id : ids) {
    params.emplace_back(id);
    in_ids += fmt::format("{}${}", in_ids.empty() ? "" : ", ", params.size());
  }
  for (const auto& y : years) {
    params.emplace_back(y);
    in_years += fmt::format("{}${}", in_years.empty() ? "" : ", ", params.size());
  }
  std::map<int64_t, StatsPupilRow> found;
  db_.query(fmt::format("SELECT p.id, p.massar, p.last_ar, p.first_ar, coalesce(p.last_fr, ''), "
                        "coalesce(p.first_fr, ''), p.sex, coalesce(p.birth_date, ''), "
                        "e.school_year, s.code, e.level, e.status FROM pupils p JOIN enrolments e "
                        "ON e.pupil_id = p.id JOIN schools s ON s.id = e.school_id WHERE p.id IN "
                        "({}) AND e.school_year IN ({}) ORDER BY p.id, e.school_year, e.id",
                        in_ids, in_years),
            params, [&](const ResultRow& r) {
              // The later enrolment wins (rows come oldest first).
              found[r.i64(0)] = {r.i64(0),  r.text(1), r.text(2),  r.text(3),
                                 r.text(4), r.text(5), r.text(6),  r.text(7),
                                 r.text(8), r.text(9), r.text(10), r.text(11)};
            });
  for (auto id : ids) {
    auto it = found.find(id);
    if (it != found.end()) out.push_back(it->second);
  }
  return out;
}

// --- census indicators ---------------------------------------------------------------------------

void StatsStore::put_indicator(const std::string& commune, const std::string& indicator,
                               double value, const std::string& source) {
  int64_t n = db_.execute(
      "UPDATE commune_indicators SET value = $3, source = $4 WHERE commune_code = $1 AND "
      "indicator = $2",
      {commune, indicator, number(value), source});
  if (n == 0)
    db_.execute(
        "INSERT INTO commune_indicators (commune_code, indicator, value, source) VALUES ($1, $2, "
        "$3, $4)",
        {commune, indicator, number(value), source});
}

void StatsStore::each_indicator(
    const std::function<void(const std::string&, const std::string&, double)>& fn) {
  db_.query("SELECT commune_code, indicator, value FROM commune_indicators ORDER BY 1, 2", {},
            [&](const ResultRow& r) { fn(r.text(0), r.text(1), std::stod(r.text(2))); });
}

// --- definitions, targets, reports -------------------------------------------------------------

std::vector<DefinitionRow> StatsStore::definitions() {
  std::vector<DefinitionRow> out;
  db_.query("SELECT code, body, updated_by, updated_at FROM indicator_definitions ORDER BY code",
            {}, [&](const ResultRow& r) {
              out.push_back({r.text(0), r.text(1), r.text(2), r.text(3)});
            });
  return out;
}

void StatsStore::put_definition(const DefinitionRow& d) {
  if (db_.execute("UPDATE indicator_definitions SET body = $2, updated_by = $3, updated_at = $4 "
                  "WHERE code = $1",
                  {d.code, d.body, d.updated_by, d.updated_at}) == 0)
    db_.execute(
        "INSERT INTO indicator_definitions (code, body, updated_by, updated_at) VALUES ($1, $2, "
        "$3, $4)",
        {d.code, d.body, d.updated_by, d.updated_at});
}

bool StatsStore::delete_definition(const std::string& code) {
  return db_.execute("DELETE FROM indicator_definitions WHERE code = $1", {code}) > 0;
}

std::vector<TargetRow> StatsStore::targets(const std::string& indicator) {
  std::vector<TargetRow> out;
  db_.query(
      "SELECT indicator, node_kind, node_code, school_year, baseline, target, set_by, set_at FROM "
      "indicator_targets WHERE $1 = '' OR indicator = $1 ORDER BY indicator, node_kind, "
      "node_code, school_year",
      {indicator}, [&](const ResultRow& r) {
        out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), std::stod(r.text(4)),
                       std::stod(r.text(5)), r.text(6), r.text(7)});
      });
  return out;
}

void StatsStore::put_target(const TargetRow& t) {
  if (db_.execute("UPDATE indicator_targets SET baseline = $5, target = $6, set_by = $7, set_at = "
                  "$8 WHERE indicator = $1 AND node_kind = $2 AND node_code = $3 AND "
                  "school_year = $4",
                  {t.indicator, t.node_kind, t.node_code, t.school_year, number(t.baseline),
                   number(t.target), t.set_by, t.set_at}) == 0)
    db_.execute(
        "INSERT INTO indicator_targets (indicator, node_kind, node_code, school_year, baseline, "
        "target, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {t.indicator, t.node_kind, t.node_code, t.school_year, number(t.baseline), number(t.target),
         t.set_by, t.set_at});
}

namespace {
constexpr const char* kReportColumns =
    "indicator, node_kind, node_code, school_year, value, numerator, denominator, state, note, "
    "updated_by, updated_at";
ReportRow read_report(const ResultRow& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3), read_number(r, 4), r.i64(5),
          r.i64(6),  r.text(7), r.text(8), r.text(9), r.text(10)};
}
}  // namespace

std::optional<ReportRow> StatsStore::report(const std::string& indicator,
                                            const std::string& node_kind,
                                            const std::string& node_code, const std::string& year) {
  std::optional<ReportRow> out;
  db_.query(fmt::format("SELECT {} FROM indicator_reports WHERE indicator = $1 AND node_kind = $2 "
                        "AND node_code = $3 AND school_year = $4",
                        kReportColumns),
            {indicator, node_kind, node_code, year},
            [&](const ResultRow& r) { out = read_report(r); });
  return out;
}

std::vector<ReportRow> StatsStore::reports(const std::string& year) {
  std::vector<ReportRow> out;
  db_.query(fmt::format("SELECT {} FROM indicator_reports WHERE school_year = $1 ORDER BY "
                        "indicator, node_kind, node_code",
                        kReportColumns),
            {year}, [&](const ResultRow& r) { out.push_back(read_report(r)); });
  return out;
}

void StatsStore::put_report(const ReportRow& r) {
  std::vector<Value> p{
      r.indicator, r.node_kind,   r.node_code, r.school_year, optional_number(r.value),
      r.numerator, r.denominator, r.state,     r.note,        r.updated_by,
      r.updated_at};
  if (db_.execute("UPDATE indicator_reports SET value = $5, numerator = $6, denominator = $7, "
                  "state = $8, note = $9, updated_by = $10, updated_at = $11 WHERE indicator = $1 "
                  "AND node_kind = $2 AND node_code = $3 AND school_year = $4",
                  p) == 0)
    db_.execute(fmt::format("INSERT INTO indicator_reports ({}) VALUES ($1, $2, $3, $4, $5, $6, "
                            "$7, $8, $9, $10, $11)",
                            kReportColumns),
                p);
}

// --- exchange ------------------------------------------------------------------------------------

char StatsStore::put_observation(const ObservationRow& o) {
  std::optional<ObservationRow> old;
  db_.query(
      "SELECT value, obs_status, conf_status FROM exchange_observations WHERE indicator = $1 AND "
      "ref_area = $2 AND school_year = $3 AND sex = $4 AND milieu = $5 AND level = $6",
      {o.indicator, o.ref_area, o.school_year, o.sex, o.milieu, o.level}, [&](const ResultRow& r) {
        ObservationRow x;
        x.value = read_number(r, 0);
        x.obs_status = r.text(1);
        x.conf_status = r.text(2);
        old = x;
      });
  std::vector<Value> p{o.indicator,
                       o.ref_area,
                       o.school_year,
                       o.sex,
                       o.milieu,
                       o.level,
                       optional_number(o.value),
                       o.obs_status,
                       o.conf_status,
                       o.source,
                       o.imported_at};
  if (!old) {
    db_.execute(
        "INSERT INTO exchange_observations (indicator, ref_area, school_year, sex, milieu, level, "
        "value, obs_status, conf_status, source, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
        "$8, $9, $10, $11)",
        p);
    return 'i';
  }
  if (old->value == o.value && old->obs_status == o.obs_status && old->conf_status == o.conf_status)
    return '=';
  db_.execute(
      "UPDATE exchange_observations SET value = $7, obs_status = $8, conf_status = $9, source = "
      "$10, imported_at = $11 WHERE indicator = $1 AND ref_area = $2 AND school_year = $3 AND sex "
      "= $4 AND milieu = $5 AND level = $6",
      p);
  return 'u';
}

std::vector<ObservationRow> StatsStore::observations(const std::string& indicator) {
  std::vector<ObservationRow> out;
  db_.query(
      "SELECT indicator, ref_area, school_year, sex, milieu, level, value, obs_status, "
      "conf_status, source, imported_at FROM exchange_observations WHERE $1 = '' OR indicator = "
      "$1 ORDER BY indicator, ref_area, school_year, sex, milieu, level",
      {indicator}, [&](const ResultRow& r) {
        out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5),
                       read_number(r, 6), r.text(7), r.text(8), r.text(9), r.text(10)});
      });
  return out;
}

std::vector<ObservationRow> StatsStore::observations_at(const std::string& ref_area,
                                                        const std::string& year) {
  std::vector<ObservationRow> out;
  db_.query(
      "SELECT indicator, ref_area, school_year, sex, milieu, level, value, obs_status, "
      "conf_status, source, imported_at FROM exchange_observations WHERE ref_area = $1 AND "
      "school_year = $2 ORDER BY indicator, sex, milieu, level",
      {ref_area, year}, [&](const ResultRow& r) {
        out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5),
                       read_number(r, 6), r.text(7), r.text(8), r.text(9), r.text(10)});
      });
  return out;
}

// --- the delivery log ---------------------------------------------------------------------------

int64_t StatsStore::insert_delivery(const DeliveryRow& d) {
  std::optional<int64_t> id;
  db_.query(
      "INSERT INTO exchange_deliveries (started_at, started_epoch, finished_at, finished_epoch, "
      "school_year, destination, files, sha256, bytes, attempt, status, error, trigger, actor) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
      {d.started_at, d.started_epoch, d.finished_at, d.finished_epoch, d.school_year, d.destination,
       d.files, d.sha256, d.bytes, d.attempt, d.status, d.error, d.trigger, d.actor},
      [&](const ResultRow& r) { id = r.i64(0); });
  if (!id) throw DbError("the delivery was not logged");
  return *id;
}

void StatsStore::finish_delivery(const DeliveryRow& d) {
  db_.execute(
      "UPDATE exchange_deliveries SET finished_at = $2, finished_epoch = $3, files = $4, sha256 = "
      "$5, bytes = $6, status = $7, error = $8 WHERE id = $1",
      {d.id, d.finished_at, d.finished_epoch, d.files, d.sha256, d.bytes, d.status, d.error});
}

std::vector<DeliveryRow> StatsStore::deliveries(int64_t limit, const std::string& destination) {
  std::vector<DeliveryRow> out;
  db_.query(
      "SELECT id, started_at, started_epoch, finished_at, finished_epoch, school_year, "
      "destination, files, sha256, bytes, attempt, status, error, trigger, actor FROM "
      "exchange_deliveries WHERE $1 = '' OR destination = $1 ORDER BY id DESC LIMIT $2",
      {destination, limit}, [&](const ResultRow& r) {
        out.push_back({r.i64(0), r.text(1), r.i64(2), r.text(3), r.i64(4), r.text(5), r.text(6),
                       r.text(7), r.text(8), r.i64(9), r.i64(10), r.text(11), r.text(12),
                       r.text(13), r.text(14)});
      });
  return out;
}

}  // namespace sanad::store
