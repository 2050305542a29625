// The Tayssir routes of the API: cycles, their lines, the schools' checks, the steps of a cycle,
// its lists, the payment file, explanations and appeals. Each translates the request into a call
// of app::TayssirFor, which checks who may do what, and its answer into JSON; what the caller may
// not do comes back as an exception the router turns into 403, 404, 400 or 422.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <variant>

#include "core/app/accounts.hpp"
#include "kernel/dates.hpp"
#include "kernel/text.hpp"
#include "modules/tayssir/app/tayssir_for.hpp"
#include "modules/tayssir/http/routes.hpp"

namespace sanad::http {
namespace {

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

std::string scope_text(const Scope& s) {
  return s.kind == NodeKind::nation ? "MA" : s.code;
}

json body_of(const Ctx& c) {
  return json::parse(c.req.body, nullptr, false);
}

std::string text_field(const json& in, const char* k) {
  return in.is_object() && in.contains(k) && in[k].is_string() ? in[k].get<std::string>() : "";
}

// --- routes ----------------------------------------------------------------------------------

app::TayssirFor tayssir_for(Ctx& c) {
  return {c.st, c.caller()};
}

// The id in the path; 0, which names nothing, when it is not a number (the use case answers
// "not found" after checking the caller's right, as for any id that is not there).
int64_t id_of(Ctx& c) {
  return to_int(c.params[0]).value_or(0);
}

json policy_item(const app::TayssirFor::PolicyItem& item) {
  const auto& p = item.policy;
  json rules = json::parse(app::policy_to_json(p));
  json warnings = json::array();
  for (const auto& w : tayssir::warnings(p))
    warnings.push_back({{"message", w.message},
                        {"message_ar", app::render_problem(w, Lang::ar)},
                        {"message_fr", app::render_problem(w, Lang::fr)}});
  return {{"code", p.code},
          {"program", p.program},
          {"school_year", p.school_year},
          {"name_ar", p.name_ar},
          {"name_fr", p.name_fr},
          {"frozen", item.frozen},
          {"periods", rules["periods"]},
          {"policy", rules},
          {"warnings", warnings}};
}

ApiResponse r_policies(Ctx& c) {
  json out = json::array();
  for (const auto& p : tayssir_for(c).policies()) out.push_back(policy_item(p));
  return reply(200, out);
}

// A new policy: a copy of another ({"from", "code", "school_year"}) or the published rules of
// a school year ({"school_year", "code"}).
ApiResponse r_create_policy(Ctx& c) {
  auto t = tayssir_for(c);
  t.may_edit_policies();
  json in = body_of(c);
  if (!in.is_object())
    return error(400, "bad_request",
                 "expected {\"from\": …, \"code\": …, \"school_year\": …} or "
                 "{\"school_year\": …}");
  const std::string from = text_field(in, "from"), code = text_field(in, "code");
  const std::string year = text_field(in, "school_year");
  return reply(201, policy_item(from.empty() ? t.publish_policy(year, code)
                                             : t.copy_policy(from, code, year)));
}

// Replaces a policy by the one in the body (the JSON of GET /tayssir/policies' "policy").
ApiResponse r_update_policy(Ctx& c) {
  return reply(200, policy_item(tayssir_for(c).update_policy(c.params[0], c.req.body)));
}

// The commune codes of a CSV or XLSX file sent as the body (?name= names it in refusals), for a
// policy's RAMED exemptions: nothing is saved.
ApiResponse r_communes_file(Ctx& c) {
  auto t = tayssir_for(c);
  t.may_edit_policies();
  std::string name = c.q("name");
  if (name.empty()) name = "file";
  auto codes = t.communes_from_file(c.req.body, name);
  return reply(200, {{"communes", codes}, {"count", codes.size()}});
}

ApiResponse r_cycles(Ctx& c) {
  json out = json::array();
  for (const auto& row : tayssir_for(c).cycles(c.q("policy"), c.q("period")))
    out.push_back(cycle_json(row));
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
  auto t = tayssir_for(c);
  t.may_compute();
  json in = body_of(c);
  if (!in.is_object()) return error(400, "bad_request", "expected a JSON object");
  auto r = t.compute(text_field(in, "policy"), text_field(in, "period"), text_field(in, "scope"));
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
      200, {{"cycles", cycles}, {"suspects", suspects}, {"suspects_pending", r.suspects_pending}});
}

ApiResponse r_cycle(Ctx& c) {
  auto d = tayssir_for(c).cycle(id_of(c));
  json checks = json::array(), appeals = json::array();
  for (const auto& k : d.checks)
    checks.push_back({{"school", k.school_code},
                      {"state", k.state},
                      {"note", k.note},
                      {"by", k.checked_by},
                      {"at", k.checked_at}});
  for (const auto& a : d.appeals)
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
  json out = cycle_json(d.cycle);
  out["schools"] = d.schools;
  out["checks"] = checks;
  out["appeals"] = appeals;
  if (d.payable)  // what the payment file will pay, for the confirmation before paying
    out["payable"] = {{"households", d.payable->households},
                      {"amount", d.payable->amount},
                      {"owing_households", d.payable->owing_households},
                      {"owing", d.payable->owing}};
  return reply(200, out);
}

ApiResponse r_lines(Ctx& c) {
  auto t = tayssir_for(c);
  const int64_t id = id_of(c);
  int64_t page = 1, size = 100;
  if (auto bad = read_paging(c, 500, page, size)) {
    t.may_read_lines(id, c.q("school"));  // who may not read the cycle learns nothing more
    return *bad;
  }
  auto r = t.lines(id, c.q("school"), c.q("reason"), page, size);
  json items = json::array();
  for (const auto& d : r.items)
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
  return reply(200, {{"cycle", r.cycle},
                     {"months", r.months},
                     {"total", r.total},
                     {"page", page},
                     {"page_size", size},
                     {"items", items}});
}

ApiResponse r_check(Ctx& c) {
  json in = body_of(c);
  std::optional<bool> confirmed;
  if (in.is_object() && in.contains("confirmed") && in["confirmed"].is_boolean())
    confirmed = in["confirmed"].get<bool>();
  tayssir_for(c).check(id_of(c), text_field(in, "school"), confirmed, text_field(in, "note"));
  return reply(200, {{"ok", true}});
}

ApiResponse r_advance(Ctx& c) {
  return reply(200, cycle_json(tayssir_for(c).advance(id_of(c), text_field(body_of(c), "to"))));
}

std::optional<app::ListOptions> list_options(Ctx& c, std::string& format) {
  format = c.q("format").empty() ? "xlsx" : c.q("format");
  const std::string lang = c.q("lang").empty() ? "ar" : c.q("lang");
  auto ff = app::parse_file_format(format);
  if (!ff || (lang != "ar" && lang != "fr")) return std::nullopt;
  return app::ListOptions{*ff, lang == "ar" ? Lang::ar : Lang::fr, ascii_upper(c.q("school"))};
}

ApiResponse r_list(Ctx& c) {
  auto t = tayssir_for(c);
  const int64_t id = id_of(c);
  auto kind = app::parse_cycle_list(c.params[1]);
  std::string format;
  auto opt = list_options(c, format);
  t.may_write_list(id, kind, opt);
  int64_t rows = 0;
  std::string bytes = temp_file_bytes(
      format, [&](const std::string& path) { rows = t.write_list(id, *kind, *opt, path); });
  auto res = file_response(std::move(bytes), format,
                           fmt::format("tayssir-{}-{}{}", id, c.params[1],
                                       opt->school.empty() ? std::string() : "-" + opt->school));
  res.headers.emplace_back("X-Rows", std::to_string(rows));
  return res;
}

ApiResponse r_pay(Ctx& c) {
  auto t = tayssir_for(c);
  const int64_t id = id_of(c);
  t.may_pay(id);
  std::string format;
  auto opt = list_options(c, format);
  if (!opt) return error(400, "bad_request", "format is csv, xlsx or pdf, lang ar or fr");
  app::PaymentExport r;
  std::string bytes =
      temp_file_bytes(format, [&](const std::string& path) { r = t.pay(id, *opt, path); });
  auto res = file_response(std::move(bytes), format, fmt::format("tayssir-{}-payments", id));
  res.headers.emplace_back("X-Sha256", r.sha256);
  res.headers.emplace_back("X-Households-Owing", std::to_string(r.owing_households));
  return res;
}

ApiResponse r_explain(Ctx& c) {
  auto x = tayssir_for(c).explain(id_of(c), c.params[1]);
  json months = json::array();
  for (const auto& m : x.months)
    months.push_back({{"month", m.month},
                      {"school", m.school},
                      {"counted", m.counted},
                      {"threshold", m.threshold},
                      {"unjustified_now", m.unjustified},
                      {"justified_now", m.justified},
                      {"state", std::string(1, m.state)}});
  json siblings = json::array();
  for (const auto& s : x.siblings)
    siblings.push_back({{"massar", s.massar},
                        {"school", s.school_code},
                        {"level", s.level},
                        {"reason", s.reason},
                        {"monthly", s.monthly},
                        {"due", s.due}});
  return reply(200, {{"massar", x.massar},
                     {"school", x.school_code},
                     {"schools", x.schools},
                     {"siblings", siblings},
                     {"level", x.level},
                     {"reason", x.reason},
                     {"monthly", x.monthly},
                     {"due", x.due},
                     {"forfeited", x.forfeited},
                     {"months", months}});
}

ApiResponse r_file_appeal(Ctx& c) {
  json in = body_of(c);
  int64_t id =
      tayssir_for(c).file_appeal(id_of(c), text_field(in, "massar"), text_field(in, "grounds"));
  return reply(201, {{"id", id}});
}

// {"upheld": true|false, "note": …, "months": ["2025-10", …]}: nothing when it is not that.
std::optional<app::AppealDecision> decision_of(const json& in) {
  if (!in.is_object() || !in.contains("upheld") || !in["upheld"].is_boolean()) return std::nullopt;
  app::AppealDecision d{in["upheld"].get<bool>(), text_field(in, "note"), {}};
  if (in.contains("months")) {
    if (!in["months"].is_array()) return std::nullopt;
    for (const auto& m : in["months"]) {
      if (!m.is_string()) return std::nullopt;
      d.months.push_back(m.get<std::string>());
    }
  }
  return d;
}

ApiResponse r_decide_appeal(Ctx& c) {
  auto r = tayssir_for(c).decide_appeal(id_of(c), decision_of(body_of(c)));
  return reply(200, {{"id", r.id}, {"state", r.state}, {"months", r.months}, {"amount", r.amount}});
}

// --- what-if and duplicates -----------------------------------------------------------------

// The two policies and the scope of a what-if from its body: {"base", "variant" | "variant_policy",
// "scope"}; the scope defaults to the principal's and must lie inside it.
app::TayssirFor::WhatIfAsk what_if_ask(Ctx& c, app::TayssirFor& t) {
  t.may_plan();
  json in = body_of(c);
  if (!in.is_object())
    throw app::BadRequest("expected {\"base\": …, \"variant\": … or \"variant_policy\": {…}}");
  std::optional<std::string> variant_policy;
  if (in.contains("variant_policy")) {
    if (!in["variant_policy"].is_object())
      throw app::BadRequest("variant_policy is a policy object");
    variant_policy = in["variant_policy"].dump();
  }
  return t.what_if_ask(text_field(in, "base"), text_field(in, "variant"), variant_policy,
                       text_field(in, "scope"));
}

json figures_json(const app::WhatIfFigures& f) {
  return {{"beneficiaries", f.beneficiaries}, {"households", f.households}, {"cost", f.cost}};
}

ApiResponse r_what_if(Ctx& c) {
  auto t = tayssir_for(c);
  auto a = what_if_ask(c, t);
  int64_t limit = 100;
  if (auto n = to_int(c.q("limit")); n && *n >= 0 && *n <= 1000) limit = *n;
  auto r = t.what_if(a);
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
}

ApiResponse r_what_if_changes(Ctx& c) {
  auto t = tayssir_for(c);
  t.may_write_what_if_changes();
  auto a = what_if_ask(c, t);
  std::string format;
  auto opt = list_options(c, format);
  if (!opt || format == "pdf")
    return error(400, "bad_request", "format is csv or xlsx, lang ar or fr");
  int64_t rows = 0;
  auto r = t.what_if(a);
  std::string bytes = temp_file_bytes(
      format, [&](const std::string& path) { rows = t.write_what_if_changes(a, r, path, *opt); });
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
  auto t = tayssir_for(c);
  int64_t page = 1, size = 50;
  t.may_review_suspects(c.q("policy"), c.q("scope"));
  if (auto bad = read_paging(c, 200, page, size)) return *bad;
  auto s = t.suspects(c.q("policy"), c.q("scope"), (page - 1) * size, size);
  json items = json::array();
  for (const auto& d : s.page.items)
    items.push_back(with_why({{"kind", d.pair.kind},
                              {"decision", d.pair.decision},
                              {"a", side_json(d.pair.kind, d.a)},
                              {"b", side_json(d.pair.kind, d.b)}},
                             d.pair.why));
  return reply(200, {{"policy", s.policy},
                     {"scope", scope_text(s.scope)},
                     {"total", s.page.total},
                     {"pending", s.page.pending},
                     {"outside", s.page.outside},
                     {"page", page},
                     {"page_size", size},
                     {"items", items}});
}

ApiResponse r_review(Ctx& c) {
  json in = body_of(c);
  tayssir_for(c).review(text_field(in, "kind"), text_field(in, "a"), text_field(in, "b"),
                        text_field(in, "decision"), text_field(in, "note"));
  return reply(200, {{"ok", true}});
}

}  // namespace

const std::vector<Route>& tayssir_routes() {
  static const std::vector<Route> routes = {
      {"GET", "/tayssir/policies", false, r_policies},
      {"POST", "/tayssir/policies", false, r_create_policy},
      {"POST", "/tayssir/policies/{code}", false, r_update_policy},
      {"POST", "/tayssir/communes-file", false, r_communes_file},
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
