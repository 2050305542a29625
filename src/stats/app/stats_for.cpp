#include "stats/app/stats_for.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/app/lists.hpp"
#include "core/app/refusal.hpp"
#include "kernel/dates.hpp"
#include "kernel/vocab.hpp"
#include "stats/app/exchange.hpp"
#include "stats/store/stats.hpp"

namespace sanad::app {

namespace {

// A reported value is approved or returned by the level above: an account managing statistics
// whose scope strictly contains the node (the national scope also approves the nation's own).
bool approves_report(store::Store& st, const Principal& p, const Scope& node) {
  if (!role_allows(p.role, Action::stats_manage)) return false;
  if (p.scope.kind == NodeKind::nation) return true;
  if (node.kind == p.scope.kind && node.code == p.scope.code) return false;
  return can_see(st, p, node);
}

// The exchange with the planning directorate is the whole country's: its delivery log is read and
// a delivery sent by an account with the exchange action and the national scope.
bool runs_exchange(const Principal& p) {
  return role_allows(p.role, Action::exchange) && p.scope.kind == NodeKind::nation;
}

}  // namespace

StatsFor::At StatsFor::at(const std::string& node, const std::string& year_asked) {
  auto scope = parse_scope(node);
  found_if(scope && can_see(st_, c_.who, *scope));
  At out;
  out.years = stats_years(st_);
  std::string year = year_asked;
  if (year.empty()) {
    if (out.years.empty()) throw NotFound("no_data", "no school year has been imported yet");
    year = out.years.back();
  } else if (!parse_school_year(year) ||
             std::find(out.years.begin(), out.years.end(), year) == out.years.end()) {
    throw BadRequest("year is one of the school years of the registry");
  }
  out.snap = snapshot_(year);
  out.node = node_of(out.snap->tree, *scope);
  found_if(out.node != stats::kNone);
  out.scope = *scope;
  return out;
}

std::vector<stats::Definition> StatsFor::catalogue() {
  return app::catalogue(st_);
}

void StatsFor::define(const stats::Definition& d) {
  may_manage();
  if (c_.who.scope.kind != NodeKind::nation) throw Forbidden();
  define_indicator(st_, d, c_.actor());
}

StatsFor::Dashboard StatsFor::dashboard(const std::string& node, const std::string& year) {
  Dashboard d{at(node, year), {}, {}, {}, {}, {}, false, false, false};
  const auto& s = *d.at.snap;
  const std::string kind(node_kind_name(d.at.scope.kind));
  // The trend: the same node in the (at most five) years up to this one.
  const auto& years = d.at.years;
  auto last = std::find(years.begin(), years.end(), s.year);
  auto first = last - std::min<std::ptrdiff_t>(4, last - years.begin());
  for (auto y = first; y != last + 1; ++y)
    d.past.emplace_back(*y, *y == s.year ? d.at.snap : snapshot_(*y));

  store::StatsStore ss(st_);
  for (const auto& tr : ss.targets(""))
    if (tr.node_kind == kind && tr.node_code == d.at.scope.code && tr.school_year == s.year)
      d.targets[tr.indicator] = tr;
  for (const auto& r : ss.reports(s.year))
    if (r.node_kind == kind && r.node_code == d.at.scope.code) d.reports[r.indicator] = r;
  for (const auto& o : ss.observations_at(area_id(d.at.scope.kind, d.at.scope.code), s.year))
    if (o.sex == "_T" && o.milieu == "_T" && o.level == "_T") d.received[o.indicator] = o.value;

  std::vector<int32_t> up;
  for (int32_t n = s.tree.parent[static_cast<std::size_t>(d.at.node)]; n != stats::kNone;
       n = s.tree.parent[static_cast<std::size_t>(n)])
    up.push_back(n);
  for (auto it = up.rbegin(); it != up.rend(); ++it)
    d.above_in_scope.push_back(can_see(st_, c_.who, scope_of(s.tree, *it)));
  d.may_set_targets = c_.may(Action::stats_manage);
  d.may_approve = approves_report(st_, c_.who, d.at.scope);
  d.may_see_pupils = c_.may(Action::read_registry);
  return d;
}

void StatsFor::may_see_pupils() {
  require(c_, {Action::read_registry});
}

StatsFor::Pupils StatsFor::pupils(const std::string& node, const std::string& year,
                                  const std::string& indicator, const stats::Slice& slice,
                                  bool denominator, int64_t page, int64_t size) {
  may_see_pupils();
  Pupils out{at(node, year), 0, 0, {}};
  const auto& s = *out.at.snap;
  auto i = s.cube->indicator(indicator);
  if (!i) throw BadRequest("indicator is a code of the catalogue");
  out.indicator = *i;
  auto ids = pupils_behind(s, *i, out.at.node, slice, denominator);
  out.total = static_cast<int64_t>(ids.size());
  std::vector<int64_t> part;
  for (int64_t k = (page - 1) * size; k < std::min(out.total, page * size); ++k)
    part.push_back(ids[static_cast<std::size_t>(k)]);
  const int start = school_year_start(s.year);
  out.rows = store::StatsStore(st_).pupils(part, {fmt::format("{}-{}", start - 1, start), s.year});
  return out;
}

void StatsFor::may_export() {
  require(c_, {Action::export_data});
}

int64_t StatsFor::write_figures(const At& at, const std::string& format, bool ar,
                                const std::string& path) {
  may_export();
  const auto& s = *at.snap;
  const auto& defs = s.cube->catalogue();
  auto dim_label = [&](const std::string& dim, const std::string& value) -> std::string {
    if (dim.empty()) return ar ? "المجموع" : "Total";
    const Vocabulary* v = dim == "sex"      ? &sexes()
                          : dim == "milieu" ? &milieus()
                          : dim == "level"  ? &levels()
                                            : &cycles();
    std::string l(v->label(value, ar ? Lang::ar : Lang::fr));
    return l.empty() ? value : l;
  };
  io::SheetSpec spec;
  spec.right_to_left = ar;
  spec.name = ar ? "المؤشرات" : "Indicateurs";
  const std::string place =
      s.name_ar.empty() ? "" : (ar ? s.name_ar : s.name_fr)[static_cast<std::size_t>(at.node)];
  spec.title = fmt::format("{} — {}", place, s.year);
  spec.headings = ar ? std::vector<std::string>{"الرمز",  "المؤشر",    "التفصيل", "القيمة", "البسط",
                                                "المقام", "خط الأساس", "الهدف",   "التقدم"}
                     : std::vector<std::string>{"Code",   "Indicateur", "Ventilation",
                                                "Valeur", "Numérateur", "Dénominateur",
                                                "Base",   "Cible",      "Progression"};
  spec.types = {io::ColumnType::text, io::ColumnType::text,    io::ColumnType::text,
                io::ColumnType::text, io::ColumnType::integer, io::ColumnType::integer,
                io::ColumnType::text, io::ColumnType::text,    io::ColumnType::text};
  const std::string kind(node_kind_name(at.scope.kind));
  std::map<std::string, store::TargetRow> targets;
  for (const auto& tr : store::StatsStore(st_).targets(""))
    if (tr.node_kind == kind && tr.node_code == at.scope.code && tr.school_year == s.year)
      targets[tr.indicator] = tr;
  ListFile w(path, format == "xlsx" ? FileFormat::xlsx : FileFormat::csv, spec);
  for (const auto& r : node_figures(s, at.node, true)) {
    const auto& d = defs[*s.cube->indicator(r.indicator)];
    std::string base, goal, progress;
    if (auto it = targets.find(d.code); r.dimension.empty() && it != targets.end()) {
      base = fmt::format("{}", it->second.baseline);
      goal = fmt::format("{}", it->second.target);
      if (r.figure.value)
        if (auto p = stats::progress(*r.figure.value, it->second.baseline, it->second.target))
          progress = fmt::format("{:.0f} %", *p * 100);
    }
    w.row({d.code, ar ? d.name_ar : d.name_fr, dim_label(r.dimension, r.value),
           format_figure(d, r.figure), std::to_string(r.figure.numerator),
           std::to_string(r.figure.denominator), base, goal, progress});
  }
  const std::string code = at.scope.kind == NodeKind::nation ? "MA" : at.scope.code;
  return w.done(st_, c_.actor(), "indicators", nlohmann::json{{"scope", code}, {"year", s.year}});
}

void StatsFor::may_manage() {
  require(c_, {Action::stats_manage});
}

void StatsFor::set_target(const std::string& node, const std::string& year,
                          const std::string& indicator, double baseline, double target) {
  may_manage();
  auto a = at(node, year);
  try {
    app::set_target(st_,
                    {indicator, std::string(node_kind_name(a.scope.kind)), a.scope.code,
                     a.snap->year, baseline, target, "", ""},
                    c_.actor());
  } catch (const StatsError& e) {
    throw Refusal(e.what());
  }
}

store::ReportRow StatsFor::report(const std::string& node, const std::string& year,
                                  const std::string& indicator, const std::string& action,
                                  const std::string& note) {
  may_manage();
  auto a = at(node, year);
  if (action != "submit" && action != "approve" && action != "return")
    throw BadRequest("action is submit, approve or return");
  // The level above approves or returns; the node's own level submits.
  if (action != "submit" && !approves_report(st_, c_.who, a.scope)) throw Forbidden();
  auto i = a.snap->cube->indicator(indicator);
  if (!i) throw BadRequest("indicator is a code of the catalogue");
  if (note.size() > 2000) throw BadRequest("the note is at most 2000 bytes");
  try {
    return report_value(st_, *a.snap, *i, a.node, action, note, c_.actor());
  } catch (const StatsError& e) {
    throw Refusal(e.what());
  }
}

void StatsFor::may_exchange() {
  if (!runs_exchange(c_.who)) throw Forbidden();
}

std::vector<store::DeliveryRow> StatsFor::deliveries(int64_t limit) {
  may_exchange();
  return store::StatsStore(st_).deliveries(limit);
}

store::DeliveryRow StatsFor::deliver() {
  may_exchange();
  return deliver_now(st_, c_.actor(), "manual");
}

}  // namespace sanad::app
