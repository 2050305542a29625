// The Tayssir routes of the API: cycles, their lines, the schools' checks, the steps of a cycle,
// its lists, the payment file, explanations and appeals. Who may do what is app/access's.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <variant>

#include "core/app/accounts.hpp"
#include "kernel/dates.hpp"
#include "kernel/text.hpp"
#include "modules/tayssir/app/tayssir.hpp"
#include "modules/tayssir/http/routes.hpp"

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

std::string scope_text(const Scope& s) {
  return s.kind == NodeKind::nation ? "MA" : s.code;
}

json body_of(const Ctx& c) {
  return json::parse(c.req.body, nullptr, false);
}

std::string text_field(const json& in, const char* k) {
  return in.is_object() && in.contains(k) && in[k].is_string() ? in[k].get<std::string>() : "";
}

ApiResponse refused(const app::TayssirError& e) {
  if (e.message_ar.empty()) return error(422, "refused", e.what());
  return reply(422, {{"error", "refused"},
                     {"message", e.what()},
                     {"message_ar", e.message_ar},
                     {"message_fr", e.message_fr}});
}

// --- routes ----------------------------------------------------------------------------------

json policy_item(Ctx& c, const tayssir::Policy& p) {
  json rules = json::parse(app::policy_to_json(p));
  return {{"code", p.code},
          {"program", p.program},
          {"school_year", p.school_year},
          {"name_ar", p.name_ar},
          {"name_fr", p.name_fr},
          {"frozen", app::policy_frozen(c.st, p.code)},
          {"periods", rules["periods"]},
          {"policy", rules}};
}

ApiResponse r_policies(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_read)) return forbidden();
  json out = json::array();
  for (const auto& p : app::list_policies(c.st)) out.push_back(policy_item(c, p));
  return reply(200, out);
}

// A new policy: a copy of another ({"from", "code", "school_year"}) or the published rules of
// a school year ({"school_year", "code"}).
ApiResponse r_create_policy(Ctx& c) {
  if (!app::may_edit_policies(*c.who)) return forbidden();
  json in = body_of(c);
  if (!in.is_object())
    return error(400, "bad_request",
                 "expected {\"from\": …, \"code\": …, \"school_year\": …} or "
                 "{\"school_year\": …}");
  const std::string from = text_field(in, "from"), code = text_field(in, "code");
  const std::string year = text_field(in, "school_year");
  const app::Actor who{c.who->login, c.req.origin};
  try {
    tayssir::Policy p;
    if (!from.empty()) {
      if (code.empty()) return error(400, "bad_request", "a copy needs the new policy's code");
      if (!app::find_policy(c.st, from)) return not_found();
      p = app::copy_policy(c.st, from, code, year, who);
    } else {
      auto y = parse_school_year(year);
      if (!y) return error(400, "bad_request", "school_year is written like 2026-2027");
      p = tayssir::published_policy(*y);
      if (!code.empty()) p.code = code;
      app::create_policy(c.st, p, who);
    }
    return reply(201, policy_item(c, p));
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
}

// Replaces a policy by the one in the body (the JSON of GET /tayssir/policies' "policy").
ApiResponse r_update_policy(Ctx& c) {
  if (!app::may_edit_policies(*c.who)) return forbidden();
  if (!app::find_policy(c.st, c.params[0])) return not_found();
  try {
    auto p = app::policy_from_json(c.req.body);
    if (p.code != c.params[0])
      return error(400, "bad_request",
                   fmt::format("the body describes policy {}, not {}", p.code, c.params[0]));
    app::update_policy(c.st, p, {c.who->login, c.req.origin});
    return reply(200, policy_item(c, p));
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
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

// A pair of suspects with what matched: in English, Arabic and French.
json with_why(json pair, std::string_view why) {
  pair["why"] = why;
  pair["why_ar"] = app::render_suspect_why(why, Lang::ar);
  pair["why_fr"] = app::render_suspect_why(why, Lang::fr);
  return pair;
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
      j["lines_written"] = cc.lines.written;
      j["lines_deleted"] = cc.lines.deleted;
      cycles.push_back(j);
    }
    // The first pairs only (the list is /api/v1/tayssir/suspects, by pages).
    for (const auto& s : r.suspects)
      suspects.push_back(with_why({{"kind", s.kind}, {"a", s.a}, {"b", s.b}}, s.why));
    return reply(
        200,
        {{"cycles", cycles}, {"suspects", suspects}, {"suspects_pending", r.suspects_pending}});
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
  if (row->state == "approved" && allowed(c, app::Action::tayssir_run)) {
    // What the payment file will pay, for the confirmation before paying.
    auto p = app::payment_totals(c.st, row->id);
    out["payable"] = {{"households", p.households},
                      {"amount", p.amount},
                      {"owing_households", p.owing_households},
                      {"owing", p.owing}};
  }
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
    // A school of the cycle's directorate within reach, or "not found" as for one that is not
    // there: a school elsewhere answers the same.
    if (!reach.has(school)) return not_found();
    auto where = c.st.ancestry({NodeKind::school, school});
    if (!where || !app::within({NodeKind::directorate, row->directorate_code}, *where))
      return not_found();
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
      rows = app::write_cycle_list(c.st, row->id, *kind, path, *opt, {c.who->login, c.req.origin});
    });
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
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
  res.headers.emplace_back("X-Households-Owing", std::to_string(r.owing_households));
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

// --- what-if and duplicates -----------------------------------------------------------------

// The two policies and the scope of a what-if from its body: {"base", "variant" | "variant_policy",
// "scope"}; the scope defaults to the principal's and must lie inside it.
struct WhatIfAsk {
  tayssir::Policy base, variant;
  Scope scope;
};
std::variant<WhatIfAsk, ApiResponse> what_if_ask(Ctx& c) {
  json in = body_of(c);
  if (!in.is_object())
    return error(400, "bad_request",
                 "expected {\"base\": …, \"variant\": … or \"variant_policy\": {…}}");
  auto base = app::find_policy(c.st, text_field(in, "base"));
  if (!base) return not_found();
  WhatIfAsk a{*base, {}, c.who->scope};
  if (in.contains("variant_policy")) {
    if (!in["variant_policy"].is_object())
      return error(400, "bad_request", "variant_policy is a policy object");
    try {
      a.variant = app::policy_from_json(in["variant_policy"].dump());
    } catch (const app::TayssirError& e) {
      return refused(e);
    }
  } else {
    auto v = app::find_policy(c.st, text_field(in, "variant"));
    if (!v) return not_found();
    a.variant = *v;
  }
  if (!text_field(in, "scope").empty()) {
    auto s = parse_scope(text_field(in, "scope"));
    if (!s || !app::can_see(c.st, *c.who, *s)) return not_found();
    a.scope = *s;
  }
  return a;
}

json figures_json(const app::WhatIfFigures& f) {
  return {{"beneficiaries", f.beneficiaries}, {"households", f.households}, {"cost", f.cost}};
}

ApiResponse r_what_if(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_plan)) return forbidden();
  auto ask = what_if_ask(c);
  if (auto* r = std::get_if<ApiResponse>(&ask)) return *r;
  auto& a = std::get<WhatIfAsk>(ask);
  int64_t limit = 100;
  if (auto n = to_int(c.q("limit")); n && *n >= 0 && *n <= 1000) limit = *n;
  try {
    auto r = app::what_if(c.st, a.base, a.variant, a.scope);
    std::map<std::string, std::pair<std::string, std::string>> names;
    for (const auto& d : c.st.directorates(a.scope)) names[d.code] = {d.name_ar, d.name_fr};
    auto row_json = [&](const app::WhatIfRow& w) {
      return json{{"directorate", w.directorate},
                  {"name_ar", names[w.directorate].first},
                  {"name_fr", names[w.directorate].second},
                  {"base", figures_json(w.base)},
                  {"variant", figures_json(w.variant)}};
    };
    json rows = json::array();
    for (const auto& w : r.by_directorate) rows.push_back(row_json(w));
    auto changes = [&](const std::vector<app::WhatIfChange>& v) {
      json items = json::array();
      for (std::size_t i = 0; i < v.size() && static_cast<int64_t>(i) < limit; ++i)
        items.push_back({{"massar", v[i].massar},
                         {"school", v[i].school_code},
                         {"directorate", v[i].directorate},
                         {"reason_base", v[i].reason_base},
                         {"reason_variant", v[i].reason_variant},
                         {"monthly_base", v[i].monthly_base},
                         {"monthly_variant", v[i].monthly_variant}});
      return json{{"count", v.size()}, {"items", items}};
    };
    json total = row_json(r.total);
    total["directorate"] = "total";
    return reply(200, {{"base", a.base.code},
                       {"variant", a.variant.code},
                       {"school_year", a.base.school_year},
                       {"scope", scope_text(a.scope)},
                       {"by_directorate", rows},
                       {"total", total},
                       {"entering", changes(r.entering)},
                       {"leaving", changes(r.leaving)}});
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
}

ApiResponse r_what_if_changes(Ctx& c) {
  if (!allowed(c, app::Action::tayssir_plan) || !allowed(c, app::Action::export_data))
    return forbidden();
  auto ask = what_if_ask(c);
  if (auto* r = std::get_if<ApiResponse>(&ask)) return *r;
  auto& a = std::get<WhatIfAsk>(ask);
  std::string format;
  auto opt = list_options(c, format);
  if (!opt || format == "pdf")
    return error(400, "bad_request", "format is csv or xlsx, lang ar or fr");
  int64_t rows = 0;
  std::string bytes;
  try {
    auto r = app::what_if(c.st, a.base, a.variant, a.scope);
    bytes = temp_file_bytes(format, [&](const std::string& path) {
      rows = app::write_what_if_changes(c.st, r, path, *opt, {c.who->login, c.req.origin},
                                        a.base.code, a.variant.code, scope_text(a.scope));
    });
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
  auto res = file_response(std::move(bytes), format,
                           fmt::format("whatif-{}-{}", a.base.code, a.variant.code));
  res.headers.emplace_back("X-Rows", std::to_string(rows));
  return res;
}

json side_json(const std::string& kind, const app::SuspectSide& s) {
  if (kind == "pupil")
    return {{"code", s.code},       {"name_ar", s.name_ar},
            {"name_fr", s.name_fr}, {"birth_date", s.birth_date},
            {"sex", s.sex},         {"school", s.school_code},
            {"level", s.level},     {"payee_cin", s.payee_cin}};
  return {{"code", s.code},
          {"payee_name", s.payee_name},
          {"phone", s.phone},
          {"ramed", s.ramed},
          {"children", s.children}};
}

ApiResponse r_suspects(Ctx& c) {
  if (!app::may_review_duplicates(*c.who)) return forbidden();
  auto pol = app::find_policy(c.st, c.q("policy"));
  if (!pol) return not_found();
  Scope scope = c.who->scope;
  if (!c.q("scope").empty()) {
    auto s = parse_scope(c.q("scope"));
    if (!s || !app::can_see(c.st, *c.who, *s)) return not_found();
    scope = *s;
  }
  int64_t page = 1, size = 50;
  if (auto bad = read_paging(c, 200, page, size)) return *bad;
  try {
    auto r = app::suspects_to_review(c.st, pol->code, scope, (page - 1) * size, size);
    json items = json::array();
    for (const auto& d : r.items)
      items.push_back(with_why({{"kind", d.pair.kind},
                                {"decision", d.pair.decision},
                                {"a", side_json(d.pair.kind, d.a)},
                                {"b", side_json(d.pair.kind, d.b)}},
                               d.pair.why));
    return reply(200, {{"policy", pol->code},
                       {"scope", scope_text(scope)},
                       {"total", r.total},
                       {"pending", r.pending},
                       {"outside", r.outside},
                       {"page", page},
                       {"page_size", size},
                       {"items", items}});
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
}

ApiResponse r_review(Ctx& c) {
  if (!app::may_review_duplicates(*c.who)) return forbidden();
  json in = body_of(c);
  const std::string kind = text_field(in, "kind");
  std::string a = text_field(in, "a"), b = text_field(in, "b");
  if (kind == "pupil") {
    a = ascii_upper(a);
    b = ascii_upper(b);
  }
  if (kind != "pupil" && kind != "payee")
    return error(400, "bad_request",
                 "expected {\"kind\": \"pupil\"|\"payee\", \"a\": …, \"b\": …, "
                 "\"decision\": \"same\"|\"distinct\", \"note\": …}");
  if (a.empty() || b.empty() || !app::pair_within(c.st, kind, a, b, c.who->scope))
    return not_found();
  try {
    app::review_pair(c.st, kind, a, b, text_field(in, "decision"), text_field(in, "note"),
                     {c.who->login, c.req.origin});
  } catch (const app::TayssirError& e) {
    return refused(e);
  }
  return reply(200, {{"ok", true}});
}

}  // namespace

const std::vector<Route>& tayssir_routes() {
  static const std::vector<Route> routes = {
      {"GET", "/tayssir/policies", false, r_policies},
      {"POST", "/tayssir/policies", false, r_create_policy},
      {"POST", "/tayssir/policies/{code}", false, r_update_policy},
      {"POST", "/tayssir/whatif", false, r_what_if, Work::long_work},
      {"POST", "/tayssir/whatif/changes", false, r_what_if_changes, Work::long_work},
      {"GET", "/tayssir/suspects", false, r_suspects},
      {"POST", "/tayssir/suspects/review", false, r_review},
      {"GET", "/tayssir/cycles", false, r_cycles},
      {"POST", "/tayssir/cycles", false, r_compute, Work::long_work},
      {"GET", "/tayssir/cycles/{id}", false, r_cycle},
      {"GET", "/tayssir/cycles/{id}/lines", false, r_lines},
      {"POST", "/tayssir/cycles/{id}/check", false, r_check},
      {"POST", "/tayssir/cycles/{id}/advance", false, r_advance},
      {"GET", "/tayssir/cycles/{id}/lists/{kind}", false, r_list, Work::long_work},
      {"POST", "/tayssir/cycles/{id}/pay", false, r_pay, Work::long_work},
      {"GET", "/tayssir/cycles/{id}/explain/{massar}", false, r_explain},
      {"POST", "/tayssir/cycles/{id}/appeals", false, r_file_appeal},
      {"POST", "/tayssir/appeals/{id}/decision", false, r_decide_appeal},
  };
  return routes;
}

}  // namespace sanad::http
