// The Tayssir routes of the API: cycles, their lines, the schools' checks, the steps of a cycle,
// its lists, the payment file, explanations and appeals. Who may do what is app/access's.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "app/accounts.hpp"
#include "app/tayssir.hpp"
#include "domain/text.hpp"
#include "http/routes.hpp"

namespace sanad::http {
namespace {

bool allowed(const Ctx& c, app::Action a) {
  return app::role_allows(c.who->role, a);
}

json cycle_json(const store::CycleRow& r) {
  return {{"id", r.id},
          {"policy", r.policy_code},
          {"period", r.period},
          {"directorate", r.directorate_code},
          {"state", r.state},
          {"computed_at", r.computed_at},
          {"computed_by", r.computed_by},
          {"pupils", r.pupils},
          {"beneficiaries", r.beneficiaries},
          {"households", r.households},
          {"due", r.due},
          {"forfeited", r.forfeited},
          {"adjustments", r.adjustments},
          {"payment_sha256", r.payment_sha256}};
}

// The cycle named in the path, if the principal may read it; 404 otherwise.
std::optional<store::CycleRow> cycle_of(Ctx& c) {
  auto id = to_int(c.params[0]);
  if (!id) return std::nullopt;
  auto row = store::TayssirStore(c.st).cycle(*id);
  if (!row || !app::cycle_in_reach(c.st, *c.who, row->directorate_code)) return std::nullopt;
  return row;
}

// A cycle as the principal sees it: below a directorate, the totals of its own schools.
json visible_cycle(Ctx& c, const store::CycleRow& row) {
  auto reach = app::cycle_reach(c.st, *c.who);
  if (reach.whole) return cycle_json(row);
  return cycle_json(
      app::part_of_cycle(c.st, row, [&](const std::string& school) { return reach.has(school); }));
}

json body_of(const Ctx& c) {
  return json::parse(c.req.body, nullptr, false);
}

std::string text_field(const json& in, const char* k) {
  return in.is_object() && in.contains(k) && in[k].is_string() ? in[k].get<std::string>() : "";
}

ApiResponse refused(const app::TayssirError& e) {
  return error(422, "refused", e.what());
}

// --- routes ----------------------------------------------------------------------------------

ApiResponse r_policies(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_read)) return forbidden();
  json out = json::array();
  for (const auto& p : app::list_policies(c.st)) {
    json periods = json::array();
    for (const auto& per : p.periods)
      periods.push_back({{"code", per.code},
                         {"name_ar", per.name_ar},
                         {"name_fr", per.name_fr},
                         {"months", per.months}});
    out.push_back({{"code", p.code},
                   {"program", p.program},
                   {"school_year", p.school_year},
                   {"name_ar", p.name_ar},
                   {"name_fr", p.name_fr},
                   {"frozen", app::policy_frozen(c.st, p.code)},
                   {"periods", periods},
                   {"policy", json::parse(app::policy_to_json(p))}});
  }
  return reply(200, out);
}

ApiResponse r_cycles(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_read)) return forbidden();
  store::TayssirStore ts(c.st);
  json out = json::array();
  for (const auto& p : ts.policies()) {
    if (!c.q("policy").empty() && p.code != c.q("policy")) continue;
    for (const auto& row : ts.cycles(p.id, c.q("period"), c.who->scope))
      out.push_back(visible_cycle(c, row));
  }
  return reply(200, out);
}

ApiResponse r_compute(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_run)) return forbidden();
  json in = body_of(c);
  if (!in.is_object()) return error(400, "bad_request", "expected a JSON object");
  app::ComputeOptions o;
  o.policy = text_field(in, "policy");
  o.period = text_field(in, "period");
  o.scope = c.who->scope;
  if (!text_field(in, "scope").empty()) {
    auto s = parse_scope(text_field(in, "scope"));
    if (!s || !app::can_see(c.st, *c.who, *s)) return not_found();
    o.scope = *s;
  }
  o.who = {c.who->login, c.req.origin};
  try {
    auto r = app::compute_cycles(c.st, o);
    json cycles = json::array(), suspects = json::array();
    for (const auto& cc : r.cycles) {
      json j = cycle_json(cc.row);
      j["recomputed"] = cc.recomputed;
      j["adjustment_lines"] = cc.adjustment_lines;
      cycles.push_back(j);
    }
    for (const auto& s : r.suspects)
      suspects.push_back({{"kind", s.kind}, {"a", s.a}, {"b", s.b}, {"why", s.why}});
    return reply(200, {{"cycles", cycles}, {"suspects", suspects}});
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
}

ApiResponse r_cycle(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_read)) return forbidden();
  auto row = cycle_of(c);
  if (!row) return not_found();
  auto reach = app::cycle_reach(c.st, *c.who);
  store::TayssirStore ts(c.st);
  json checks = json::array(), appeals = json::array();
  for (const auto& k : ts.school_checks(row->id))
    if (reach.has(k.school_code))
      checks.push_back({{"school", k.school_code},
                        {"state", k.state},
                        {"note", k.note},
                        {"by", k.checked_by},
                        {"at", k.checked_at}});
  int64_t schools = 0;
  for (const auto& school : ts.schools_of_cycle(row->id)) schools += reach.has(school.code);
  for (const auto& a : ts.appeals_of_cycle(row->id)) {
    if (!reach.has(a.school_code)) continue;
    appeals.push_back({{"id", a.id},
                       {"massar", a.massar},
                       {"school", a.school_code},
                       {"grounds", a.grounds},
                       {"filed_by", a.filed_by},
                       {"filed_at", a.filed_at},
                       {"state", a.state},
                       {"months", a.months},
                       {"amount", a.amount},
                       {"note", a.decision_note},
                       {"adjusted_in", a.adjusted_in}});
  }
  json out = visible_cycle(c, *row);
  out["schools"] = schools;
  out["checks"] = checks;
  out["appeals"] = appeals;
  return reply(200, out);
}

ApiResponse r_lines(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_read)) return forbidden();
  auto row = cycle_of(c);
  if (!row) return not_found();
  auto reach = app::cycle_reach(c.st, *c.who);
  std::string school = ascii_upper(c.q("school"));
  int64_t school_id = 0;
  if (!school.empty()) {
    if (!reach.has(school)) return not_found();
    auto id = store::TayssirStore(c.st).school_id(school);
    if (!id) return not_found();
    school_id = *id;
  }
  int64_t page = 1, size = 100;
  if (auto bad = read_paging(c, 500, page, size)) return *bad;
  const std::string reason = c.q("reason");
  const bool eligible_only = reason == "eligible", excluded_only = reason == "excluded";
  json items = json::array();
  int64_t total = 0;
  store::TayssirStore(c.st).each_line_detail(
      row->id, school_id, [&](const store::LineDetailRow& d) {
        if (!reach.has(d.school_code)) return;
        bool eligible = d.line.reason == "eligible";
        if ((eligible_only && !eligible) || (excluded_only && eligible)) return;
        if (!reason.empty() && !eligible_only && !excluded_only && d.line.reason != reason) return;
        ++total;
        if (total <= (page - 1) * size || total > page * size) return;
        items.push_back({{"massar", d.massar},
                         {"last_ar", d.last_ar},
                         {"first_ar", d.first_ar},
                         {"last_fr", d.last_fr},
                         {"first_fr", d.first_fr},
                         {"school", d.school_code},
                         {"level", d.line.level},
                         {"reason", d.line.reason},
                         {"monthly", d.line.monthly},
                         {"months", d.line.months},
                         {"absences", d.line.absences},
                         {"due", d.line.due},
                         {"forfeited", d.line.forfeited},
                         {"payee_cin", d.payee_cin},
                         {"payee_name", d.payee_name}});
      });
  auto pol = app::get_policy(c.st, row->policy_code);
  json months = json::array();
  for (const auto& per : pol.periods)
    if (per.code == row->period) months = per.months;
  return reply(200, {{"cycle", row->id},
                     {"months", months},
                     {"total", total},
                     {"page", page},
                     {"page_size", size},
                     {"items", items}});
}

ApiResponse r_check(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_check)) return forbidden();
  auto row = cycle_of(c);
  if (!row) return not_found();
  json in = body_of(c);
  if (!in.is_object() || !in.contains("confirmed") || !in["confirmed"].is_boolean())
    return error(400, "bad_request",
                 "expected {\"school\": …, \"confirmed\": true|false, \"note\": …}");
  std::string school = ascii_upper(text_field(in, "school"));
  if (school.empty() && c.who->scope.kind == NodeKind::school) school = c.who->scope.code;
  if (!app::can_see(c.st, *c.who, Scope{NodeKind::school, school})) return not_found();
  try {
    app::check_school(c.st, row->id, school, in["confirmed"].get<bool>(), text_field(in, "note"),
                      {c.who->login, c.req.origin});
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
  return reply(200, {{"ok", true}});
}

ApiResponse r_advance(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_run)) return forbidden();
  auto row = cycle_of(c);
  if (!row || app::sees_part_of_cycle(*c.who)) return not_found();
  json in = body_of(c);
  std::string to = text_field(in, "to");
  if (to.empty()) return error(400, "bad_request", "expected {\"to\": \"checked\"|…}");
  try {
    app::advance_cycle(c.st, row->id, to, {c.who->login, c.req.origin});
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
  return reply(200, cycle_json(app::get_cycle(c.st, row->id)));
}

std::optional<app::ListOptions> list_options(Ctx& c, std::string& format) {
  format = c.q("format").empty() ? "xlsx" : c.q("format");
  const std::string lang = c.q("lang").empty() ? "ar" : c.q("lang");
  auto ff = app::parse_file_format(format);
  if (!ff || (lang != "ar" && lang != "fr")) return std::nullopt;
  return app::ListOptions{*ff, lang == "ar" ? Lang::ar : Lang::fr, ascii_upper(c.q("school"))};
}

ApiResponse r_list(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_read) || !allowed(c, app::Action::export_data))
    return forbidden();
  auto row = cycle_of(c);
  if (!row) return not_found();
  auto kind = app::parse_cycle_list(c.params[1]);
  if (!kind) return not_found();
  std::string format;
  auto opt = list_options(c, format);
  if (!opt) return error(400, "bad_request", "format is csv, xlsx or pdf, lang ar or fr");
  auto reach = app::cycle_reach(c.st, *c.who);
  if (!reach.whole) {
    // Below a directorate: the lists of one's own school only.
    if (!app::is_school_list(*kind)) return forbidden();
    if (opt->school.empty() && c.who->scope.kind == NodeKind::school)
      opt->school = c.who->scope.code;
    if (opt->school.empty()) return error(400, "bad_request", "name the school");
  }
  if (!opt->school.empty() && !reach.has(opt->school)) return not_found();
  if (!opt->school.empty() && !app::can_see(c.st, *c.who, Scope{NodeKind::school, opt->school}))
    return not_found();
  int64_t rows = 0;
  std::string bytes;
  try {
    bytes = temp_file_bytes(format, [&](const std::string& path) {
      rows = app::write_cycle_list(c.st, row->id, *kind, path, *opt);
    });
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
  c.st.audit({c.who->login, c.req.origin, "export", fmt::format("tayssir cycle {}", row->id),
              json{{"list", c.params[1]}, {"school", opt->school}, {"rows", rows}}.dump()});
  auto res = file_response(std::move(bytes), format,
                           fmt::format("tayssir-{}-{}{}", row->id, c.params[1],
                                       opt->school.empty() ? std::string() : "-" + opt->school));
  res.headers.emplace_back("X-Rows", std::to_string(rows));
  return res;
}

ApiResponse r_pay(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_run)) return forbidden();
  auto row = cycle_of(c);
  if (!row || app::sees_part_of_cycle(*c.who)) return not_found();
  std::string format;
  auto opt = list_options(c, format);
  if (!opt) return error(400, "bad_request", "format is csv, xlsx or pdf, lang ar or fr");
  opt->school.clear();
  app::PaymentExport r;
  std::string bytes;
  try {
    bytes = temp_file_bytes(format, [&](const std::string& path) {
      r = app::export_payments(c.st, row->id, path, *opt, {c.who->login, c.req.origin});
    });
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
  auto res = file_response(std::move(bytes), format, fmt::format("tayssir-{}-payments", row->id));
  res.headers.emplace_back("X-Sha256", r.sha256);
  return res;
}

ApiResponse r_explain(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_read)) return forbidden();
  auto row = cycle_of(c);
  if (!row) return not_found();
  try {
    auto x = app::explain_line(c.st, row->id, ascii_upper(c.params[1]));
    if (!app::cycle_reach(c.st, *c.who).has(x.school_code)) return not_found();
    json months = json::array();
    for (const auto& m : x.months)
      months.push_back({{"month", m.month},
                        {"counted", m.counted},
                        {"threshold", m.threshold},
                        {"unjustified_now", m.unjustified},
                        {"justified_now", m.justified},
                        {"state", std::string(1, m.state)}});
    return reply(200, {{"massar", x.massar},
                       {"school", x.school_code},
                       {"level", x.level},
                       {"reason", x.reason},
                       {"monthly", x.monthly},
                       {"due", x.due},
                       {"forfeited", x.forfeited},
                       {"months", months}});
  } catch (const app::TayssirError&) {
    return not_found();
  }
}

ApiResponse r_file_appeal(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_appeal)) return forbidden();
  auto row = cycle_of(c);
  if (!row) return not_found();
  json in = body_of(c);
  std::string massar = ascii_upper(text_field(in, "massar"));
  try {
    auto x = app::explain_line(c.st, row->id, massar);
    if (!app::cycle_reach(c.st, *c.who).has(x.school_code)) return not_found();
  } catch (const app::TayssirError&) {
    return not_found();
  }
  try {
    int64_t id = app::file_appeal(c.st, row->id, massar, text_field(in, "grounds"),
                                  {c.who->login, c.req.origin});
    return reply(201, {{"id", id}});
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
}

ApiResponse r_decide_appeal(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_run)) return forbidden();
  auto id = to_int(c.params[0]);
  if (!id) return not_found();
  store::TayssirStore ts(c.st);
  auto a = ts.appeal(*id);
  if (!a) return not_found();
  auto row = ts.cycle(a->cycle_id);
  if (!row || !app::cycle_in_reach(c.st, *c.who, row->directorate_code) ||
      app::sees_part_of_cycle(*c.who))
    return not_found();
  json in = body_of(c);
  if (!in.is_object() || !in.contains("upheld") || !in["upheld"].is_boolean())
    return error(400, "bad_request", "expected {\"upheld\": true|false, \"note\": …}");
  app::AppealDecision d{in["upheld"].get<bool>(), text_field(in, "note"), {}};
  if (in.contains("months")) {
    if (!in["months"].is_array()) return error(400, "bad_request", "months is a list");
    for (const auto& m : in["months"]) {
      if (!m.is_string()) return error(400, "bad_request", "months is a list of 2025-10 …");
      d.months.push_back(m.get<std::string>());
    }
  }
  try {
    auto r = app::decide_appeal(c.st, *id, d, {c.who->login, c.req.origin});
    return reply(200,
                 {{"id", r.id}, {"state", r.state}, {"months", r.months}, {"amount", r.amount}});
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
}

}  // namespace

const std::vector<Route>& tayssir_routes() {
  static const std::vector<Route> routes = {
      {"GET", "/tayssir/policies", false, r_policies},
      {"GET", "/tayssir/cycles", false, r_cycles},
      {"POST", "/tayssir/cycles", false, r_compute},
      {"GET", "/tayssir/cycles/{id}", false, r_cycle},
      {"GET", "/tayssir/cycles/{id}/lines", false, r_lines},
      {"POST", "/tayssir/cycles/{id}/check", false, r_check},
      {"POST", "/tayssir/cycles/{id}/advance", false, r_advance},
      {"GET", "/tayssir/cycles/{id}/lists/{kind}", false, r_list},
      {"POST", "/tayssir/cycles/{id}/pay", false, r_pay},
      {"GET", "/tayssir/cycles/{id}/explain/{massar}", false, r_explain},
      {"POST", "/tayssir/cycles/{id}/appeals", false, r_file_appeal},
      {"POST", "/tayssir/appeals/{id}/decision", false, r_decide_appeal},
  };
  return routes;
}

}  // namespace sanad::http
