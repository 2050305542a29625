// The registry's routes: the territory, schools and pupils within the principal's scope, their
// histories, exports and imports (app/browse, app/export, app/import decide what each may see).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/http/json_out.hpp"
#include "core/io/table.hpp"
#include "kernel/dates.hpp"
#include "kernel/text.hpp"
#include "registry/app/browse.hpp"
#include "registry/app/export.hpp"
#include "registry/app/import.hpp"
#include "registry/app/registry_for.hpp"
#include "registry/http/routes.hpp"

namespace sanad::http {
namespace {

json school_json(const School& s) {
  return {{"code", s.code},
          {"name_ar", s.name_ar},
          {"name_fr", s.name_fr},
          {"cycles", s.cycles},
          {"commune", s.commune_code},
          {"milieu", s.milieu},
          {"sector", s.sector},
          {"boarding_beds", s.boarding_beds},
          {"canteen", s.canteen}};
}

json node_json(const app::NodeLine& l) {
  return {{"kind", node_kind_name(l.node.kind)},
          {"code", l.node.code},
          {"name_ar", l.name_ar},
          {"name_fr", l.name_fr},
          {"schools", l.schools},
          {"pupils", l.pupils}};
}

ApiResponse r_territory(Ctx& c) {
  Scope node = c.who->scope;
  if (!c.q("node").empty()) {
    auto s = parse_scope(c.q("node"));
    if (!s) return not_found();
    node = *s;
  }
  auto v = app::territory_view(c.st, *c.who, node, c.q("year"));
  if (!v) return not_found();
  json path = json::array(), children = json::array();
  for (const auto& l : v->path) path.push_back(node_json(l));
  for (const auto& l : v->children) children.push_back(node_json(l));
  return reply(200, {{"year", v->year},
                     {"years", v->years},
                     {"path", path},
                     {"node", node_json(v->self)},
                     {"children", children}});
}

ApiResponse r_school(Ctx& c) {
  auto s = app::find_school(c.st, *c.who, c.params[0]);
  if (!s) return not_found();
  json out = school_json(*s);
  return reply(200, out);
}

ApiResponse r_school_pupils(Ctx& c) {
  app::PupilQuery q;
  q.year = c.q("year");
  q.q = c.q("q");
  q.level = c.q("level");
  q.class_name = c.q("class");
  q.sex = c.q("sex");
  q.status = c.q("status");
  if (auto bad = read_paging(c, 500, q.page, q.page_size)) return *bad;
  if (q.q.size() > 200) return error(400, "bad_request", "the search is at most 200 bytes");
  auto page = app::search_school_pupils(c.st, *c.who, c.params[0], q);
  if (!page) return not_found();
  // The route called most: its answer is written as it goes, not built as a document first.
  JsonOut out;
  out.begin_object()
      .field("school", c.params[0])
      .field("year", page->year)
      .strings("years", page->years)
      .strings("levels", page->levels)
      .strings("classes", page->classes)
      .field("total", page->total)
      .field("page", page->page)
      .field("page_size", page->page_size)
      .key("items")
      .begin_array();
  for (const auto& l : page->items) {
    const auto& p = l.pupil;
    const auto& e = l.enrolment;
    out.begin_object()
        .field("massar", p.massar)
        .field("last_ar", p.last_ar)
        .field("first_ar", p.first_ar)
        .field("last_fr", p.last_fr)
        .field("first_fr", p.first_fr)
        .field("sex", p.sex)
        .field("birth_date", p.birth_date)
        .field("school_year", e.school_year)
        .field("level", e.level)
        .field("class", e.class_name)
        .field("status", e.status)
        .end_object();
  }
  out.end_array().end_object();
  ApiResponse r;
  r.body = out.take();
  return r;
}

// A record's history: the changes, newest first, each with its audit entry.
ApiResponse history_reply(const std::optional<app::RecordHistory>& h) {
  if (!h) return not_found();
  json out = json::array();
  for (const auto& [a, change] : *h) {
    json fields = json::parse(change.fields, nullptr, false);
    out.push_back({{"audit_id", a.id},
                   {"at", a.at},
                   {"actor", a.actor},
                   {"origin", a.origin},
                   {"action", a.action},
                   {"subject", a.subject},
                   {"file", app::imported_file(a)},
                   {"kind", change.kind},
                   {"record", change.record},
                   {"part", change.part},
                   {"fields", fields.is_discarded() ? json::object() : fields}});
  }
  return reply(200, out);
}

ApiResponse r_pupil_history(Ctx& c) {
  return history_reply(app::pupil_history(c.st, *c.who, ascii_upper(c.params[0])));
}

ApiResponse r_school_history(Ctx& c) {
  return history_reply(app::school_history(c.st, *c.who, c.params[0]));
}

ApiResponse r_pupil(Ctx& c) {
  auto r = app::pupil_record(c.st, *c.who, ascii_upper(c.params[0]));
  if (!r) return not_found();
  const auto& p = r->pupil;
  json history = json::array(), siblings = json::array(), months = json::array();
  for (const auto& s : r->history) {
    const auto& e = s.enrolment;
    history.push_back({{"school_year", e.school_year},
                       {"school", e.school_code},
                       {"in_scope", s.in_scope},
                       {"school_name_ar", s.school_name_ar},
                       {"school_name_fr", s.school_name_fr},
                       {"level", e.level},
                       {"class", e.class_name},
                       {"status", e.status},
                       {"transfer_to", e.transfer_to},
                       {"transfer_elsewhere", s.transfer_elsewhere},
                       {"left_date", e.left_date}});
  }
  for (const auto& s : r->siblings)
    siblings.push_back({{"massar", s.pupil.massar},
                        {"last_ar", s.pupil.last_ar},
                        {"first_ar", s.pupil.first_ar},
                        {"last_fr", s.pupil.last_fr},
                        {"first_fr", s.pupil.first_fr},
                        {"relation", s.relation}});
  for (const auto& m : r->absences)
    months.push_back({{"month", m.month},
                      {"days", m.days},
                      {"justified", m.justified},
                      {"unjustified", m.days - m.justified}});
  json household = nullptr;
  if (r->household)
    household = {{"payee_cin", r->household->payee_cin},
                 {"payee_name", r->household->payee_name},
                 {"phone", r->household->phone},
                 {"ramed", r->household->ramed},
                 {"relation", r->relation},
                 {"children", r->household_children},
                 {"siblings", siblings}};
  return reply(200, {{"massar", p.massar},
                     {"last_ar", p.last_ar},
                     {"first_ar", p.first_ar},
                     {"last_fr", p.last_fr},
                     {"first_fr", p.first_fr},
                     {"sex", p.sex},
                     {"birth_date", p.birth_date},
                     {"birth_place", p.birth_place},
                     {"history", history},
                     {"household", household},
                     {"absences", months}});
}

ApiResponse r_export(Ctx& c) {
  auto opt = app::export_for(c.st, c.caller(), c.params[0], c.q("scope"));
  const auto kind = app::parse_list_kind(c.params[0]);
  const std::string format = c.q("format").empty() ? "csv" : c.q("format");
  if (!app::parse_file_format(format))
    return error(400, "bad_request", "format is csv, xlsx or pdf");
  opt.format = *app::parse_file_format(format);
  const std::string lang = c.q("lang").empty() ? "ar" : c.q("lang");
  if (lang != "ar" && lang != "fr") return error(400, "bad_request", "lang is ar or fr");
  opt.lang = lang == "ar" ? Lang::ar : Lang::fr;
  opt.year = c.q("year");
  if (!opt.year.empty() && !parse_school_year(opt.year))
    return error(400, "bad_request", "year is a school year such as 2024-2025");
  int64_t rows = 0;
  std::string bytes = temp_file_bytes(
      format, [&](const std::string& path) { rows = app::export_list(c.st, *kind, path, opt); });
  std::string scope_name = opt.scope.kind == NodeKind::nation ? "MA" : opt.scope.code;
  auto res = file_response(std::move(bytes), format,
                           fmt::format("{}-{}", app::list_kind_name(*kind), scope_name));
  res.headers.emplace_back("X-Rows", std::to_string(rows));
  return res;
}

ApiResponse r_import(Ctx& c) {
  app::ImportOptions opt = app::import_for(c.caller(), c.params[0]);
  const auto kind = app::parse_list_kind(c.params[0]);
  if (c.req.body.empty()) return error(400, "bad_request", "the request body is the file");
  const std::string name = safe_file_name(c.q("file"));
  opt.dry_run = c.q("commit") != "1";
  opt.skip_invalid = c.q("skip_invalid") == "1";
  opt.accept_identity_changes = c.q("accept_identity_changes") == "1";
  opt.replace_from = c.q("replace_from");
  opt.replace_to = c.q("replace_to");
  opt.limits.max_rows = 1'000'000;
  opt.max_issues = 1000;
  app::ImportResult r;
  try {
    io::Table t = c.req.body.rfind("PK\x03\x04", 0) == 0
                      ? io::read_xlsx_bytes(c.req.body, name, opt.limits)
                      : io::read_csv_bytes(c.req.body, name, opt.limits);
    r = app::import_table(c.st, *kind, t, opt);
  } catch (const io::ReadError& e) {
    return error(422, "unreadable", e.what());
  } catch (const app::ImportOptionError& e) {
    return error(400, "bad_request", e.what());
  } catch (const app::ImportError& e) {
    return error(422, "unreadable", e.what());
  }
  json issues = json::array(), held = json::array(), counts = json::object();
  constexpr std::size_t kMaxIssues = 1000;
  auto issue_json = [](const app::ImportIssue& x) {
    return json{{"file", x.file},
                {"sheet", x.sheet},
                {"row", x.row},
                {"column", x.column},
                {"value", x.value},
                {"reason", x.reason},
                {"reason_ar", app::render_reason(x, Lang::ar)},
                {"reason_fr", app::render_reason(x, Lang::fr)}};
  };
  for (std::size_t i = 0; i < r.issues.size() && i < kMaxIssues; ++i)
    issues.push_back(issue_json(r.issues[i]));
  for (std::size_t i = 0; i < r.held.size() && i < kMaxIssues; ++i)
    held.push_back(issue_json(r.held[i]));
  for (const auto& [what, n] : r.counts)
    counts[what] = {{"inserted", n.inserted},
                    {"updated", n.updated},
                    {"unchanged", n.unchanged},
                    {"deleted", n.deleted}};
  return reply(200, {{"kind", app::list_kind_name(*kind)},
                     {"file", name},
                     {"rows_read", r.rows_read},
                     {"rows_valid", r.rows_valid},
                     {"rows_rejected", r.rows_rejected},
                     {"rows_held", r.rows_held},
                     {"identity_changes", r.identity_changes},
                     {"held", held},
                     {"issues_total", r.issues_total},
                     {"issues", issues},
                     {"warnings", r.warnings},
                     {"counts", counts},
                     {"replaced_schools", r.replaced_schools},
                     {"to_delete", r.to_delete},
                     {"written", r.written}});
}

}  // namespace

const std::vector<Route>& registry_routes() {
  // clang-format off
  static const std::vector<Route> routes = {
    {"GET", "/territory", false, r_territory},
    {"GET", "/schools/{code}", false, r_school},
    {"GET", "/schools/{code}/pupils", false, r_school_pupils},
    {"GET", "/pupils/{massar}", false, r_pupil},
    {"GET", "/pupils/{massar}/history", false, r_pupil_history},
    {"GET", "/schools/{code}/history", false, r_school_history},
    {"GET", "/exports/{kind}", false, r_export, Work::long_work},
    {"POST", "/imports/{kind}", false, r_import, Work::upload, app::Action::import_data},
  };
  // clang-format on
  return routes;
}

}  // namespace sanad::http
