// The statistics routes of the API: the catalogue, a territory's dashboard (every indicator with
// its disaggregations, target, reported state, what the planning directorate sent back, and its
// trend over the years), its children ranked, the pupils behind a figure, the figures as a file,
// targets and reported values; and the exchange's delivery log. Who may see and do what is
// app/access's; the figures are app/stats's.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "core/app/accounts.hpp"
#include "core/io/write.hpp"
#include "kernel/dates.hpp"
#include "kernel/vocab.hpp"
#include "stats/app/delivery.hpp"
#include "stats/app/exchange.hpp"
#include "stats/app/stats.hpp"
#include "stats/app/stats_for.hpp"
#include "stats/http/routes.hpp"

namespace sanad::http {
namespace {

std::atomic<bool> g_refresher{false};

app::StatsCache& cache() {
  return stats_cache();
}

json number_or_null(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return std::round(*v * 1e6) / 1e6;
}

json figure_json(const stats::Definition& d, const stats::Figure& f) {
  return {{"value", number_or_null(f.value)},       {"numerator", f.numerator},
          {"denominator", f.denominator},           {"numerator_rows", f.numerator_rows},
          {"denominator_rows", f.denominator_rows}, {"display", app::format_figure(d, f)}};
}

std::string api_code(const stats::Tree& t, int32_t n) {
  return t.kind[static_cast<std::size_t>(n)] == NodeKind::nation
             ? "MA"
             : t.code[static_cast<std::size_t>(n)];
}

json node_json(const app::StatsSnapshot& s, int32_t n) {
  auto i = static_cast<std::size_t>(n);
  return {{"kind", node_kind_name(s.tree.kind[i])},
          {"code", api_code(s.tree, n)},
          {"name_ar", s.name_ar[i]},
          {"name_fr", s.name_fr[i]}};
}

json body_of(const Ctx& c) {
  return json::parse(c.req.body, nullptr, false);
}

app::StatsFor stats_for(Ctx& c) {
  store::Store& st = c.st;
  return {st, c.caller(),
          [&st](const std::string& year) { return cache().get(st, year, g_refresher.load()); }};
}

std::optional<std::size_t> indicator_of(const Ctx& c, const app::StatsSnapshot& s) {
  return s.cube->indicator(c.q("indicator"));
}

std::optional<stats::Slice> slice_of(const Ctx& c, std::string& why) {
  try {
    return app::parse_slice(c.q("dimension"), c.q("value"));
  } catch (const app::StatsError& e) {
    why = e.what();
    return std::nullopt;
  }
}

// --- routes ----------------------------------------------------------------------------------

ApiResponse r_catalogue(Ctx& c) {
  json out = json::array();
  for (const auto& d : stats_for(c).catalogue())
    out.push_back(json::parse(app::definition_to_json(d)));
  return reply(200, out);
}

ApiResponse r_dashboard(Ctx& c) {
  auto view = stats_for(c).dashboard(c.params[0], c.q("year"));
  const auto& t = view.at;
  const auto& s = *t.snap;
  const auto& defs = s.cube->catalogue();
  const auto& years = t.years;
  const auto& past = view.past;
  const auto& targets = view.targets;
  const auto& reports = view.reports;
  const auto& received = view.received;

  auto rows = app::node_figures(s, t.node, true);
  json indicators = json::array();
  for (std::size_t i = 0; i < defs.size(); ++i) {
    const auto& d = defs[i];
    json by = json::array();
    json total;
    for (const auto& r : rows) {
      if (r.indicator != d.code) continue;
      if (r.dimension.empty())
        total = figure_json(d, r.figure);
      else
        by.push_back(
            {{"dimension", r.dimension}, {"value", r.value}, {"figure", figure_json(d, r.figure)}});
    }
    json trend = json::array();
    for (const auto& [y, snap] : past) {
      auto n = app::node_of(snap->tree, t.scope);
      auto k = snap->cube->indicator(d.code);
      std::optional<double> v;
      if (n != stats::kNone && k) v = snap->cube->figure(*k, n).value;
      trend.push_back({{"year", y}, {"value", number_or_null(v)}});
    }
    json target = nullptr, report = nullptr, got = nullptr;
    if (auto it = targets.find(d.code); it != targets.end()) {
      std::optional<double> progress;
      if (auto v = s.cube->figure(i, t.node).value)
        progress = stats::progress(*v, it->second.baseline, it->second.target);
      target = {{"baseline", it->second.baseline},
                {"target", it->second.target},
                {"progress", number_or_null(progress)},
                {"set_by", it->second.set_by},
                {"set_at", it->second.set_at}};
    }
    if (auto it = reports.find(d.code); it != reports.end())
      report = {{"state", it->second.state},
                {"value", number_or_null(it->second.value)},
                {"note", it->second.note},
                {"updated_by", it->second.updated_by},
                {"updated_at", it->second.updated_at}};
    if (auto it = received.find(d.code); it != received.end()) got = number_or_null(it->second);
    json disagg = json::array();
    for (auto f : d.disaggregations) disagg.push_back(stats::field_name(f));
    indicators.push_back({{"code", d.code},
                          {"name_ar", d.name_ar},
                          {"name_fr", d.name_fr},
                          {"unit", d.unit},
                          {"direction", d.direction == stats::Direction::higher  ? "higher"
                                        : d.direction == stats::Direction::lower ? "lower"
                                                                                 : "neutral"},
                          {"has_denominator", d.denominator.has_value()},
                          {"pupils", d.numerator.kind == stats::MeasureKind::count ||
                                         d.numerator.kind == stats::MeasureKind::sum},
                          {"disaggregations", disagg},
                          {"figure", total},
                          {"by", by},
                          {"trend", trend},
                          {"target", target},
                          {"report", report},
                          {"received", got}});
  }

  json path = json::array(), children = json::array();
  std::vector<int32_t> up;
  for (int32_t n = s.tree.parent[static_cast<std::size_t>(t.node)]; n != stats::kNone;
       n = s.tree.parent[static_cast<std::size_t>(n)])
    up.push_back(n);
  std::size_t k = 0;
  for (auto it = up.rbegin(); it != up.rend(); ++it, ++k) {
    auto j = node_json(s, *it);
    j["in_scope"] = view.above_in_scope[k];
    path.push_back(j);
  }
  for (auto ch : app::children_with_schools(s, t.node)) children.push_back(node_json(s, ch));
  return reply(200, {{"year", s.year},
                     {"years", years},
                     {"computed_at", s.computed_at},
                     {"seconds", s.seconds},
                     {"node", node_json(s, t.node)},
                     {"path", path},
                     {"children", children},
                     {"may_set_targets", view.may_set_targets},
                     {"may_approve", view.may_approve},
                     {"may_see_pupils", view.may_see_pupils},
                     {"indicators", indicators}});
}

ApiResponse r_rank(Ctx& c) {
  auto t = stats_for(c).at(c.params[0], c.q("year"));
  const auto& s = *t.snap;
  auto i = indicator_of(c, s);
  if (!i) return error(400, "bad_request", "indicator is a code of the catalogue");
  const auto& d = s.cube->catalogue()[*i];
  const bool schools = c.q("of") == "schools";
  if (!c.q("of").empty() && c.q("of") != "schools" && c.q("of") != "children")
    return error(400, "bad_request", "of is children or schools");
  std::string why;
  auto slice = slice_of(c, why);
  if (!slice) return error(400, "bad_request", why);
  auto ranked = app::rank_children(s, *i, t.node, *slice, schools);
  json items = json::array();
  int rank = 0;
  for (const auto& r : ranked) {
    auto j = node_json(s, r.node);
    j["figure"] = figure_json(d, r.figure);
    j["rank"] = r.figure.value ? ++rank : 0;
    items.push_back(j);
  }
  json best = nullptr, worst = nullptr;
  if (rank > 0) {
    best = items.front()["code"];
    worst = items[static_cast<std::size_t>(rank - 1)]["code"];
  }
  return reply(200, {{"year", s.year},
                     {"indicator", d.code},
                     {"direction", d.direction == stats::Direction::higher  ? "higher"
                                   : d.direction == stats::Direction::lower ? "lower"
                                                                            : "neutral"},
                     {"of", schools ? "schools" : "children"},
                     {"best", best},
                     {"worst", worst},
                     {"items", items}});
}

ApiResponse r_pupils(Ctx& c) {
  auto sf = stats_for(c);
  sf.may_see_pupils();
  auto at = sf.at(c.params[0], c.q("year"));
  if (!at.snap->cube->indicator(c.q("indicator")))
    return error(400, "bad_request", "indicator is a code of the catalogue");
  int64_t page = 1, size = 50;
  if (auto bad = read_paging(c, 200, page, size)) return *bad;
  const bool denominator = c.q("denominator") == "1" || c.q("denominator") == "true";
  std::string why;
  auto slice = slice_of(c, why);
  if (!slice) return error(400, "bad_request", why);
  auto found =
      sf.pupils(c.params[0], at.snap->year, c.q("indicator"), *slice, denominator, page, size);
  const auto& s = *found.at.snap;
  const auto& t = found.at;
  const auto& rows = found.rows;
  const auto total = found.total;
  const auto i = &found.indicator;
  json items = json::array();
  for (const auto& p : rows)
    items.push_back({{"massar", p.massar},
                     {"last_ar", p.last_ar},
                     {"first_ar", p.first_ar},
                     {"last_fr", p.last_fr},
                     {"first_fr", p.first_fr},
                     {"sex", p.sex},
                     {"birth_date", p.birth_date},
                     {"school_year", p.school_year},
                     {"school", p.school_code},
                     {"level", p.level},
                     {"status", p.status}});
  return reply(200, {{"year", s.year},
                     {"indicator", s.cube->catalogue()[*i].code},
                     {"node", node_json(s, t.node)},
                     {"denominator", denominator},
                     {"total", total},
                     {"page", page},
                     {"page_size", size},
                     {"items", items}});
}

ApiResponse r_export(Ctx& c) {
  auto sf = stats_for(c);
  sf.may_export();
  auto t = sf.at(c.params[0], c.q("year"));
  const std::string format = c.q("format").empty() ? "xlsx" : c.q("format");
  if (format != "xlsx" && format != "csv")
    return error(400, "bad_request", "format is xlsx or csv");
  const std::string lang = c.q("lang").empty() ? "ar" : c.q("lang");
  if (lang != "ar" && lang != "fr") return error(400, "bad_request", "lang is ar or fr");
  std::string bytes = temp_file_bytes(
      format, [&](const std::string& path) { sf.write_figures(t, format, lang == "ar", path); });
  return file_response(
      std::move(bytes), format,
      fmt::format("indicators-{}-{}", api_code(t.snap->tree, t.node), t.snap->year));
}

ApiResponse r_target(Ctx& c) {
  auto sf = stats_for(c);
  sf.may_manage();
  json in = body_of(c);
  if (!in.is_object() || !in.contains("indicator") || !in["indicator"].is_string() ||
      !in.contains("baseline") || !in["baseline"].is_number() || !in.contains("target") ||
      !in["target"].is_number())
    return error(400, "bad_request",
                 "expected {\"indicator\": CODE, \"year\": YEAR, \"baseline\": N, \"target\": N}");
  std::string year =
      in.contains("year") && in["year"].is_string() ? in["year"].get<std::string>() : std::string();
  sf.set_target(c.params[0], year, in["indicator"].get<std::string>(), in["baseline"].get<double>(),
                in["target"].get<double>());
  return reply(200, {{"ok", true}});
}

ApiResponse r_report(Ctx& c) {
  auto sf = stats_for(c);
  sf.may_manage();
  json in = body_of(c);
  if (!in.is_object() || !in.contains("indicator") || !in["indicator"].is_string() ||
      !in.contains("action") || !in["action"].is_string())
    return error(400, "bad_request",
                 "expected {\"indicator\": CODE, \"year\": YEAR, \"action\": "
                 "\"submit|approve|return\", \"note\": TEXT}");
  std::string year =
      in.contains("year") && in["year"].is_string() ? in["year"].get<std::string>() : std::string();
  std::string note =
      in.contains("note") && in["note"].is_string() ? in["note"].get<std::string>() : std::string();
  auto r = sf.report(c.params[0], year, in["indicator"].get<std::string>(),
                     in["action"].get<std::string>(), note);
  return reply(200, {{"state", r.state},
                     {"value", number_or_null(r.value)},
                     {"updated_by", r.updated_by},
                     {"updated_at", r.updated_at}});
}

json delivery_json(const store::DeliveryRow& d) {
  return {{"id", d.id},
          {"started_at", d.started_at},
          {"finished_at", d.finished_at},
          {"year", d.school_year},
          {"destination", d.destination},
          {"files", json::parse(d.files, nullptr, false)},
          {"sha256", d.sha256},
          {"bytes", d.bytes},
          {"attempt", d.attempt},
          {"status", d.status},
          {"error", d.error},
          {"trigger", d.trigger}};
}

ApiResponse r_deliveries(Ctx& c) {
  json out = json::array();
  for (const auto& d : stats_for(c).deliveries(100)) out.push_back(delivery_json(d));
  return reply(200, {{"configured", app::delivery_configured()}, {"items", out}});
}

ApiResponse r_deliver(Ctx& c) {
  auto sf = stats_for(c);
  sf.may_exchange();
  if (!app::delivery_configured())
    return error(409, "not_configured",
                 "no destination: start the server with --exchange-outbox or --exchange-url");
  try {
    auto d = sf.deliver();
    return reply(d.status == "ok" ? 200 : 502, delivery_json(d));
  } catch (const app::DeliveryError& e) {
    return error(409, "busy", e.what());
  }
}

// clang-format off
const Route kStatsRoutes[] = {
  {"GET", "/stats/catalogue", false, r_catalogue},
  {"GET", "/stats/nodes/{node}", false, r_dashboard},
  {"GET", "/stats/nodes/{node}/rank", false, r_rank},
  {"GET", "/stats/nodes/{node}/pupils", false, r_pupils},
  {"GET", "/stats/nodes/{node}/export", false, r_export, Work::long_work},
  {"POST", "/stats/nodes/{node}/target", false, r_target},
  {"POST", "/stats/nodes/{node}/report", false, r_report},
  {"GET", "/exchange/deliveries", false, r_deliveries},
  {"POST", "/exchange/deliveries", false, r_deliver, Work::long_work},
};
// clang-format on

}  // namespace

app::StatsCache& stats_cache() {
  static app::StatsCache c;
  return c;
}

void stats_refresher(bool running) {
  g_refresher = running;
}

const std::vector<Route>& stats_routes() {
  static const std::vector<Route> routes(std::begin(kStatsRoutes), std::end(kStatsRoutes));
  return routes;
}

}  // namespace sanad::http
