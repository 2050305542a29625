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
#include "stats/http/routes.hpp"

namespace sanad::http {
namespace {

std::atomic<bool> g_refresher{false};

app::StatsCache& cache() {
  return stats_cache();
}

bool allowed(const Ctx& c, app::Action a) {
  return app::role_allows(c.who->role, a);
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

// What a statistics route works on: the snapshot of the year asked (the latest by default) and
// the node of the path, if the principal may see it.
struct Target {
  std::vector<std::string> years;  // of the registry, oldest first
  std::shared_ptr<const app::StatsSnapshot> snap;
  int32_t node = stats::kNone;
  Scope scope;
};

std::optional<ApiResponse> resolve(Ctx& c, const std::string& year_q, Target& out) {
  auto scope = parse_scope(c.params[0]);
  if (!scope || !app::can_see(c.st, *c.who, *scope)) return not_found();
  out.years = app::stats_years(c.st);
  const auto& years = out.years;
  std::string year = year_q;
  if (year.empty()) {
    if (years.empty()) return error(404, "no_data", "no school year has been imported yet");
    year = years.back();
  } else if (!parse_school_year(year) ||
             std::find(years.begin(), years.end(), year) == years.end()) {
    return error(400, "bad_request", "year is one of the school years of the registry");
  }
  out.snap = cache().get(c.st, year, g_refresher.load());
  out.node = app::node_of(out.snap->tree, *scope);
  if (out.node == stats::kNone) return not_found();
  out.scope = *scope;
  return std::nullopt;
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
  for (const auto& d : app::catalogue(c.st)) out.push_back(json::parse(app::definition_to_json(d)));
  return reply(200, out);
}

ApiResponse r_dashboard(Ctx& c) {
  Target t;
  if (auto e = resolve(c, c.q("year"), t)) return *e;
  const auto& s = *t.snap;
  const auto& defs = s.cube->catalogue();
  const std::string kind(node_kind_name(t.scope.kind));

  // The trend: the same node in the (at most five) years up to this one.
  const auto& years = t.years;
  auto last = std::find(years.begin(), years.end(), s.year);
  auto first = last - std::min<std::ptrdiff_t>(4, last - years.begin());
  std::vector<std::pair<std::string, std::shared_ptr<const app::StatsSnapshot>>> past;
  for (auto y = first; y != last + 1; ++y)
    past.emplace_back(*y, *y == s.year ? t.snap : cache().get(c.st, *y, g_refresher.load()));

  store::StatsStore ss(c.st);
  std::map<std::string, store::TargetRow> targets;
  for (const auto& tr : ss.targets(""))
    if (tr.node_kind == kind && tr.node_code == t.scope.code && tr.school_year == s.year)
      targets[tr.indicator] = tr;
  std::map<std::string, store::ReportRow> reports;
  for (const auto& r : ss.reports(s.year))
    if (r.node_kind == kind && r.node_code == t.scope.code) reports[r.indicator] = r;
  std::map<std::string, std::optional<double>> received;
  for (const auto& o : ss.observations_at(app::area_id(t.scope.kind, t.scope.code), s.year))
    if (o.sex == "_T" && o.milieu == "_T" && o.level == "_T") received[o.indicator] = o.value;

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
  for (auto it = up.rbegin(); it != up.rend(); ++it) {
    auto j = node_json(s, *it);
    j["in_scope"] = app::can_see(c.st, *c.who, app::scope_of(s.tree, *it));
    path.push_back(j);
  }
  for (auto ch : app::children_with_schools(s, t.node)) children.push_back(node_json(s, ch));
  const bool manage = allowed(c, app::Action::stats_manage);
  return reply(200, {{"year", s.year},
                     {"years", years},
                     {"computed_at", s.computed_at},
                     {"seconds", s.seconds},
                     {"node", node_json(s, t.node)},
                     {"path", path},
                     {"children", children},
                     {"may_set_targets", manage},
                     {"may_approve", app::may_approve_report(c.st, *c.who, t.scope)},
                     {"may_see_pupils", allowed(c, app::Action::read_registry)},
                     {"indicators", indicators}});
}

ApiResponse r_rank(Ctx& c) {
  Target t;
  if (auto e = resolve(c, c.q("year"), t)) return *e;
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
  if (!allowed(c, app::Action::read_registry)) return forbidden();
  Target t;
  if (auto e = resolve(c, c.q("year"), t)) return *e;
  const auto& s = *t.snap;
  auto i = indicator_of(c, s);
  if (!i) return error(400, "bad_request", "indicator is a code of the catalogue");
  int64_t page = 1, size = 50;
  if (auto bad = read_paging(c, 200, page, size)) return *bad;
  const bool denominator = c.q("denominator") == "1" || c.q("denominator") == "true";
  std::string why;
  auto slice = slice_of(c, why);
  if (!slice) return error(400, "bad_request", why);
  auto ids = app::pupils_behind(s, *i, t.node, *slice, denominator);
  const auto total = static_cast<int64_t>(ids.size());
  std::vector<int64_t> part;
  for (int64_t k = (page - 1) * size; k < std::min(total, page * size); ++k)
    part.push_back(ids[static_cast<std::size_t>(k)]);
  const int start = school_year_start(s.year);
  auto rows =
      store::StatsStore(c.st).pupils(part, {fmt::format("{}-{}", start - 1, start), s.year});
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
  if (!allowed(c, app::Action::export_data)) return forbidden();
  Target t;
  if (auto e = resolve(c, c.q("year"), t)) return *e;
  const auto& s = *t.snap;
  const std::string format = c.q("format").empty() ? "xlsx" : c.q("format");
  if (format != "xlsx" && format != "csv")
    return error(400, "bad_request", "format is xlsx or csv");
  const std::string lang = c.q("lang").empty() ? "ar" : c.q("lang");
  if (lang != "ar" && lang != "fr") return error(400, "bad_request", "lang is ar or fr");
  const bool ar = lang == "ar";
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
      s.name_ar.empty() ? "" : (ar ? s.name_ar : s.name_fr)[static_cast<std::size_t>(t.node)];
  spec.title = fmt::format("{} — {}", place, s.year);
  spec.headings = ar ? std::vector<std::string>{"الرمز",  "المؤشر",    "التفصيل", "القيمة", "البسط",
                                                "المقام", "خط الأساس", "الهدف",   "التقدم"}
                     : std::vector<std::string>{"Code",   "Indicateur", "Ventilation",
                                                "Valeur", "Numérateur", "Dénominateur",
                                                "Base",   "Cible",      "Progression"};
  spec.types = {io::ColumnType::text, io::ColumnType::text,    io::ColumnType::text,
                io::ColumnType::text, io::ColumnType::integer, io::ColumnType::integer,
                io::ColumnType::text, io::ColumnType::text,    io::ColumnType::text};
  const std::string kind(node_kind_name(t.scope.kind));
  std::map<std::string, store::TargetRow> targets;
  for (const auto& tr : store::StatsStore(c.st).targets(""))
    if (tr.node_kind == kind && tr.node_code == t.scope.code && tr.school_year == s.year)
      targets[tr.indicator] = tr;
  int64_t rows = 0;
  std::string bytes = temp_file_bytes(format, [&](const std::string& path) {
    auto w = format == "xlsx" ? io::open_xlsx_writer(path, spec) : io::open_csv_writer(path, spec);
    for (const auto& r : app::node_figures(s, t.node, true)) {
      const auto& d = defs[*s.cube->indicator(r.indicator)];
      std::string base, goal, progress;
      if (auto it = targets.find(d.code); r.dimension.empty() && it != targets.end()) {
        base = fmt::format("{}", it->second.baseline);
        goal = fmt::format("{}", it->second.target);
        if (r.figure.value)
          if (auto p = stats::progress(*r.figure.value, it->second.baseline, it->second.target))
            progress = fmt::format("{:.0f} %", *p * 100);
      }
      w->row({d.code, ar ? d.name_ar : d.name_fr, dim_label(r.dimension, r.value),
              app::format_figure(d, r.figure), std::to_string(r.figure.numerator),
              std::to_string(r.figure.denominator), base, goal, progress});
      ++rows;
    }
    w->close();
  });
  const std::string code = api_code(s.tree, t.node);
  c.st.audit({c.who->login, c.req.origin, "export", "indicators",
              json{{"scope", code}, {"year", s.year}, {"format", format}, {"rows", rows}}.dump()});
  return file_response(std::move(bytes), format, fmt::format("indicators-{}-{}", code, s.year));
}

ApiResponse r_target(Ctx& c) {
  if (!allowed(c, app::Action::stats_manage)) return forbidden();
  json in = body_of(c);
  if (!in.is_object() || !in.contains("indicator") || !in["indicator"].is_string() ||
      !in.contains("baseline") || !in["baseline"].is_number() || !in.contains("target") ||
      !in["target"].is_number())
    return error(400, "bad_request",
                 "expected {\"indicator\": CODE, \"year\": YEAR, \"baseline\": N, \"target\": N}");
  Target t;
  std::string year =
      in.contains("year") && in["year"].is_string() ? in["year"].get<std::string>() : std::string();
  if (auto e = resolve(c, year, t)) return *e;
  try {
    app::set_target(c.st,
                    {in["indicator"].get<std::string>(), std::string(node_kind_name(t.scope.kind)),
                     t.scope.code, t.snap->year, in["baseline"].get<double>(),
                     in["target"].get<double>(), "", ""},
                    {c.who->login, c.req.origin});
  } catch (const app::StatsError& e) {
    return error(422, "refused", e.what());
  }
  return reply(200, {{"ok", true}});
}

ApiResponse r_report(Ctx& c) {
  if (!allowed(c, app::Action::stats_manage)) return forbidden();
  json in = body_of(c);
  if (!in.is_object() || !in.contains("indicator") || !in["indicator"].is_string() ||
      !in.contains("action") || !in["action"].is_string())
    return error(400, "bad_request",
                 "expected {\"indicator\": CODE, \"year\": YEAR, \"action\": "
                 "\"submit|approve|return\", \"note\": TEXT}");
  Target t;
  std::string year =
      in.contains("year") && in["year"].is_string() ? in["year"].get<std::string>() : std::string();
  if (auto e = resolve(c, year, t)) return *e;
  const std::string action = in["action"].get<std::string>();
  if (action != "submit" && action != "approve" && action != "return")
    return error(400, "bad_request", "action is submit, approve or return");
  // The level above approves or returns; the node's own level submits.
  if (action != "submit" && !app::may_approve_report(c.st, *c.who, t.scope)) return forbidden();
  auto i = t.snap->cube->indicator(in["indicator"].get<std::string>());
  if (!i) return error(400, "bad_request", "indicator is a code of the catalogue");
  std::string note =
      in.contains("note") && in["note"].is_string() ? in["note"].get<std::string>() : std::string();
  if (note.size() > 2000) return error(400, "bad_request", "the note is at most 2000 bytes");
  try {
    auto r =
        app::report_value(c.st, *t.snap, *i, t.node, action, note, {c.who->login, c.req.origin});
    return reply(200, {{"state", r.state},
                       {"value", number_or_null(r.value)},
                       {"updated_by", r.updated_by},
                       {"updated_at", r.updated_at}});
  } catch (const app::StatsError& e) {
    return error(422, "refused", e.what());
  }
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
  if (!app::may_run_exchange(*c.who)) return forbidden();
  json out = json::array();
  for (const auto& d : store::StatsStore(c.st).deliveries(100)) out.push_back(delivery_json(d));
  return reply(200, {{"configured", app::delivery_configured()}, {"items", out}});
}

ApiResponse r_deliver(Ctx& c) {
  if (!app::may_run_exchange(*c.who)) return forbidden();
  if (!app::delivery_configured())
    return error(409, "not_configured",
                 "no destination: start the server with --exchange-outbox or --exchange-url");
  try {
    auto d = app::deliver_now(c.st, {c.who->login, c.req.origin}, "manual");
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
