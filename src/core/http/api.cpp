#include "core/http/api.hpp"
#include "core/http/json_out.hpp"
#include "core/http/routes.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include <algorithm>

#include "core/app/accounts.hpp"
#include "core/app/accounts_for.hpp"
#include "core/app/refusal.hpp"
#include "core/module.hpp"
#include "core/store/embedded.hpp"
#include "kernel/dates.hpp"
#include "kernel/text.hpp"
#include "kernel/vocab.hpp"

namespace sanad::http {

ApiResponse reply(int status, const json& body) {
  ApiResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}
ApiResponse error(int status, const std::string& code, const std::string& message) {
  return reply(status, {{"error", code}, {"message", message}});
}
ApiResponse not_found() {
  return error(404, "not_found", "not found");
}
ApiResponse forbidden() {
  return error(403, "forbidden", "your role does not allow this");
}
std::optional<int64_t> to_int(const std::string& s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}
ApiResponse file_response(std::string bytes, const std::string& format, const std::string& name) {
  ApiResponse res;
  res.status = 200;
  res.content_type = format == "csv" ? "text/csv; charset=utf-8"
                     : format == "pdf"
                         ? "application/pdf"
                         : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  res.body = std::move(bytes);
  res.headers.emplace_back("Content-Disposition",
                           fmt::format("attachment; filename=\"{}.{}\"", name, format));
  return res;
}

std::optional<ApiResponse> read_paging(const Ctx& c, int64_t max, int64_t& page, int64_t& size) {
  if (!c.q("page").empty()) {
    auto v = to_int(c.q("page"));
    if (!v || *v < 1) return error(400, "bad_request", "page is a number from 1");
    page = *v;
  }
  if (!c.q("page_size").empty()) {
    auto v = to_int(c.q("page_size"));
    if (!v || *v < 1 || *v > max)
      return error(400, "bad_request", fmt::format("page_size is 1 to {}", max));
    size = *v;
  }
  return std::nullopt;
}

std::string temp_file_bytes(const std::string& extension,
                            const std::function<void(const std::string& path)>& write) {
  auto path = std::filesystem::temp_directory_path() /
              ("sanad-" + app::random_token().substr(0, 16) + "." + extension);
  std::string bytes;
  try {
    write(path.string());
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  } catch (...) {
    std::filesystem::remove(path);
    throw;
  }
  std::filesystem::remove(path);
  return bytes;
}

namespace {
constexpr const char* kCookie = "sanad_session";

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.push_back(percent_decode(path.substr(i, j - i)));
    i = j;
  }
  return parts;
}

json principal_json(const app::Principal& p) {
  return {{"login", p.login},
          {"full_name", p.full_name},
          {"role", app::role_name(p.role)},
          {"role_ar", app::role_label(p.role, true)},
          {"role_fr", app::role_label(p.role, false)},
          {"scope", {{"kind", node_kind_name(p.scope.kind)}, {"code", p.scope.code}}}};
}

std::string session_cookie(const std::string& value, bool tls, bool clear) {
  return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict{}{}", kCookie, value,
                     tls ? "; Secure" : "", clear ? "; Max-Age=0" : "");
}

}  // namespace

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  while (i <= q.size()) {
    std::size_t j = q.find('&', i);
    if (j == std::string_view::npos) j = q.size();
    auto part = q.substr(i, j - i);
    if (!part.empty()) {
      auto eq = part.find('=');
      if (eq == std::string_view::npos)
        out[percent_decode(part, true)] = "";
      else
        out[percent_decode(part.substr(0, eq), true)] = percent_decode(part.substr(eq + 1), true);
    }
    i = j + 1;
  }
  return out;
}

std::string safe_file_name(const std::string& s) {
  std::string out;
  for (char c : s)
    out.push_back((static_cast<unsigned char>(c) < 0x20 || c == '/' || c == '\\') ? '_' : c);
  if (out.size() > 120) out.resize(120);
  return out.empty() ? "upload" : out;
}

std::string cookie_value(std::string_view header, std::string_view name) {
  std::size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ';')) ++i;
    std::size_t j = header.find(';', i);
    if (j == std::string_view::npos) j = header.size();
    auto part = header.substr(i, j - i);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name)
      return std::string(part.substr(eq + 1));
    i = j;
  }
  return {};
}

namespace {

json user_json(const app::UserView& u) {
  return {{"login", u.login}, {"full_name", u.full_name}, {"role", u.role},
          {"scope", u.scope}, {"disabled", u.disabled},   {"created_at", u.created_at}};
}

json audit_json(const std::vector<store::AuditRecord>& rows) {
  json out = json::array();
  for (const auto& a : rows) {
    json detail = json::parse(a.detail, nullptr, false);
    out.push_back({{"id", a.id},
                   {"at", a.at},
                   {"actor", a.actor},
                   {"origin", a.origin},
                   {"action", a.action},
                   {"subject", a.subject},
                   {"detail", detail.is_discarded() ? json(a.detail) : detail}});
  }
  return out;
}

// --- routes -------------------------------------------------------------------------------------

ApiResponse r_login(Ctx& c) {
  // A page of another site must not sign a browser in (into an account of its choosing): it
  // cannot send JSON without the browser asking this server first, nor hide where it comes from.
  const std::string_view type =
      std::string_view(c.req.content_type)
          .substr(0, std::min(c.req.content_type.find(';'), c.req.content_type.size()));
  if (c.req.foreign_origin) return error(403, "csrf", "a sign-in comes from Sanad's own pages");
  if (trim(type) != "application/json")
    return error(415, "unsupported_media_type", "a sign-in is sent as application/json");
  json in = json::parse(c.req.body, nullptr, false);
  if (!in.is_object() || !in.contains("login") || !in.contains("password") ||
      !in["login"].is_string() || !in["password"].is_string())
    return error(400, "bad_request", "expected {\"login\": …, \"password\": …}");
  try {
    auto r = app::login(c.st, in["login"].get<std::string>(), in["password"].get<std::string>(),
                        c.req.origin);
    json out = principal_json(r.who);
    out["csrf"] = r.csrf;
    auto res = reply(200, out);
    res.headers.emplace_back("Set-Cookie", session_cookie(r.token, c.req.tls, false));
    return res;
  } catch (const app::AccountError& e) {
    return error(401, "login_failed", e.what());
  }
}

app::AccountsFor accounts_for(Ctx& c) {
  return {c.st, c.caller()};
}

ApiResponse r_session(Ctx& c) {
  json out = principal_json(*c.who);
  out["csrf"] = c.csrf;
  out["actions"] = accounts_for(c).actions();
  return reply(200, out);
}

ApiResponse r_logout(Ctx& c) {
  app::logout(c.st, c.token);
  auto res = reply(200, {{"ok", true}});
  res.headers.emplace_back("Set-Cookie", session_cookie("", c.req.tls, true));
  return res;
}

ApiResponse r_roles(Ctx&) {
  json out = json::array();
  const NodeKind kinds[] = {NodeKind::nation, NodeKind::region, NodeKind::directorate,
                            NodeKind::commune, NodeKind::school};
  for (auto r : app::all_roles()) {
    json k = json::array();
    for (auto n : kinds)
      if (app::scope_fits_role(r, n)) k.push_back(node_kind_name(n));
    out.push_back({{"role", app::role_name(r)},
                   {"ar", app::role_label(r, true)},
                   {"fr", app::role_label(r, false)},
                   {"scope_kinds", k}});
  }
  return reply(200, out);
}

ApiResponse r_users(Ctx& c) {
  json out = json::array();
  for (const auto& u : accounts_for(c).users()) out.push_back(user_json(u));
  return reply(200, out);
}

ApiResponse r_add_user(Ctx& c) {
  auto a = accounts_for(c);
  a.may_manage();
  json in = json::parse(c.req.body, nullptr, false);
  auto str = [&](const char* k) {
    return in.is_object() && in.contains(k) && in[k].is_string() ? in[k].get<std::string>()
                                                                 : std::string();
  };
  if (!in.is_object()) return error(400, "bad_request", "expected a JSON object");
  try {
    return reply(201, user_json(a.add({str("login"), str("full_name"), str("role"), str("scope"),
                                       str("password")})));
  } catch (const app::AccountError& e) {
    return error(422, "invalid", e.what());
  }
}

ApiResponse r_user_change(Ctx& c, const std::string& what) {
  auto a = accounts_for(c);
  try {
    if (what == "password") {
      json in = json::parse(c.req.body, nullptr, false);
      std::optional<std::string> password;
      if (in.is_object() && in.contains("password") && in["password"].is_string())
        password = in["password"].get<std::string>();
      if (!password) {
        a.may_manage(c.params[0]);  // who may not manage the account learns nothing more
        return error(400, "bad_request", "expected {\"password\": …}");
      }
      a.set_password(c.params[0], *password);
    } else {
      a.set_disabled(c.params[0], what == "disable");
    }
  } catch (const app::AccountError& e) {
    return error(422, "invalid", e.what());
  }
  return reply(200, {{"ok", true}});
}
ApiResponse r_user_password(Ctx& c) {
  return r_user_change(c, "password");
}
ApiResponse r_user_disable(Ctx& c) {
  return r_user_change(c, "disable");
}
ApiResponse r_user_enable(Ctx& c) {
  return r_user_change(c, "enable");
}

ApiResponse r_user_history(Ctx& c) {
  return reply(200, audit_json(accounts_for(c).history(c.params[0])));
}

ApiResponse r_audit(Ctx& c) {
  auto a = accounts_for(c);
  a.may_list_audit();
  int64_t limit = 100;
  if (!c.q("limit").empty()) {
    auto v = to_int(c.q("limit"));
    if (!v || *v < 1 || *v > 1000) return error(400, "bad_request", "limit is 1 to 1000");
    limit = *v;
  }
  return reply(200, audit_json(a.audit(c.q("subject"), limit)));
}

// The labels of every code the API returns (levels, statuses, …), in Arabic and French.
ApiResponse r_vocabulary(Ctx&) {
  json out = json::object();
  for (const Vocabulary* v : {&levels(), &cycles(), &sexes(), &enrolment_statuses(), &relations(),
                              &milieus(), &sectors()}) {
    json terms = json::array();
    for (const auto& t : v->terms())
      terms.push_back({{"code", t.code}, {"ar", t.ar}, {"fr", t.fr}});
    out[std::string(v->name())] = terms;
  }
  for (const Module* m : modules())
    if (m->vocabulary) m->vocabulary(out);
  return reply(200, out);
}

// The description of every route: the core's, with each part's paths and schemas merged in.
const std::string& openapi_text() {
  static const std::string text = [] {
    json doc = json::parse(embedded::find("src/core/http/openapi.json").value_or("{}"));
    for (const Module* m : modules()) {
      if (m->openapi.empty()) continue;
      auto fragment = embedded::find(m->openapi);
      if (!fragment)
        throw std::runtime_error("missing OpenAPI fragment " + std::string(m->openapi));
      json part = json::parse(*fragment);
      // Two parts describing one path or one schema name would hide each other: refused.
      auto add = [&](json& into, const std::string& key, const json& value) {
        if (into.contains(key))
          throw std::runtime_error(std::string(m->openapi) + " describes " + key + " again");
        into[key] = value;
      };
      for (auto& [path, item] : part["paths"].items()) add(doc["paths"], path, item);
      if (part.contains("components"))
        for (auto& [kind, entries] : part["components"].items())
          for (auto& [name, value] : entries.items()) add(doc["components"][kind], name, value);
    }
    return doc.dump(1);
  }();
  return text;
}

ApiResponse r_openapi(Ctx&) {
  ApiResponse r;
  r.body = openapi_text();
  return r;
}

// clang-format off
const Route kCoreRoutes[] = {
  {"POST", "/login", true, r_login},
  {"GET", "/openapi.json", true, r_openapi},
  {"GET", "/vocabulary", true, r_vocabulary},
  {"GET", "/session", false, r_session},
  {"POST", "/logout", false, r_logout},
  {"GET", "/roles", false, r_roles},
  {"GET", "/users", false, r_users},
  {"POST", "/users", false, r_add_user},
  {"POST", "/users/{login}/password", false, r_user_password},
  {"POST", "/users/{login}/disable", false, r_user_disable},
  {"POST", "/users/{login}/enable", false, r_user_enable},
  {"GET", "/users/{login}/history", false, r_user_history},
  {"GET", "/audit", false, r_audit},
};
// clang-format on

const std::vector<Route>& all_routes() {
  static const std::vector<Route> routes = [] {
    std::vector<Route> v(std::begin(kCoreRoutes), std::end(kCoreRoutes));
    for (const Module* m : modules())
      if (m->routes)
        for (const auto& r : m->routes()) v.push_back(r);
    return v;
  }();
  return routes;
}

// The route's parameters when the path fits its pattern.
// The parameters of a path that fits a route's pattern ("/schools/{code}/pupils"), without
// allocating for the many routes that do not fit.
std::optional<std::vector<std::string>> match(std::string_view pattern,
                                              const std::vector<std::string>& path) {
  std::size_t i = 0, n = 0;
  while (i < pattern.size()) {  // first pass: does it fit?
    while (i < pattern.size() && pattern[i] == '/') ++i;
    if (i == pattern.size()) break;
    std::size_t j = std::min(pattern.find('/', i), pattern.size());
    std::string_view part = pattern.substr(i, j - i);
    if (n >= path.size() || (part.front() != '{' && part != path[n])) return std::nullopt;
    ++n;
    i = j;
  }
  if (n != path.size()) return std::nullopt;
  std::vector<std::string> params;
  i = n = 0;
  while (i < pattern.size()) {
    while (i < pattern.size() && pattern[i] == '/') ++i;
    if (i == pattern.size()) break;
    std::size_t j = std::min(pattern.find('/', i), pattern.size());
    if (pattern[i] == '{') params.push_back(path[n]);
    ++n;
    i = j;
  }
  return params;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> api_routes() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : all_routes()) out.emplace_back(r.method, std::string("/api/v1") + r.pattern);
  return out;
}

namespace {
// The route a call asks for, with the path's parameters; nothing when none fits.
const Route* route_of(std::string_view method, std::string_view target,
                      std::vector<std::string>* params = nullptr) {
  auto path = split_path(target.substr(0, target.find('?')));
  if (path.size() < 2 || path[0] != "api" || path[1] != "v1") return nullptr;
  path.erase(path.begin(), path.begin() + 2);
  for (const auto& r : all_routes())
    if (r.method == method)
      if (auto p = match(r.pattern, path)) {
        if (params) *params = std::move(*p);
        return &r;
      }
  return nullptr;
}
}  // namespace

Work work_of(std::string_view method, std::string_view target) {
  const Route* r = route_of(method, target);
  return r ? r->work : Work::quick;
}

std::optional<ApiResponse> check_upload_headers(store::Store& st, const ApiRequest& req) {
  std::vector<std::string> params;
  const Route* route = route_of(req.method, req.target, &params);
  if (!route || route->work != Work::upload) return not_found();
  std::string_view target = req.target;
  auto qpos = target.find('?');
  for (const auto& p : params)
    if (!utf8_valid(p))
      return error(400, "bad_request", "the address holds bytes that are not UTF-8 text");
  for (const auto& [k, v] :
       parse_query(qpos == std::string_view::npos ? "" : target.substr(qpos + 1)))
    if (!utf8_valid(k) || !utf8_valid(v))
      return error(400, "bad_request", "the address holds bytes that are not UTF-8 text");
  store::Store::RequestView view(st);
  auto auth = app::authenticate(st, cookie_value(req.cookie, kCookie));
  if (!auth) return error(401, "unauthenticated", "sign in first");
  if (!app::same_secret(req.csrf, auth->csrf))
    return error(403, "csrf", "missing or wrong X-CSRF-Token header");
  if (route->action && !app::role_allows(auth->who.role, *route->action)) return forbidden();
  return std::nullopt;
}

// The route's answer; what a use case throws when the caller may not, or what was sent is not
// what it takes, said in HTTP (the same for every route, public ones included).
ApiResponse answer(const Route& route, Ctx& c) {
  try {
    return route.fn(c);
  } catch (const app::Forbidden&) {
    return forbidden();
  } catch (const app::NotFound& e) {
    return e.code == "not_found" ? not_found() : error(404, e.code, e.what());
  } catch (const app::BadRequest& e) {
    return error(400, "bad_request", e.what());
  } catch (const app::Refusal& e) {
    if (e.message_ar.empty()) return error(422, "refused", e.what());
    return reply(422, {{"error", "refused"},
                       {"message", e.what()},
                       {"message_ar", e.message_ar},
                       {"message_fr", e.message_fr}});
  }
}

ApiResponse handle_api(store::Store& st, const ApiRequest& req) {
  std::string_view target = req.target;
  auto qpos = target.find('?');
  auto path = split_path(target.substr(0, qpos));
  if (path.size() < 2 || path[0] != "api" || path[1] != "v1") return not_found();
  path.erase(path.begin(), path.begin() + 2);
  const std::string method = req.method == "HEAD" ? "GET" : req.method;

  const Route* route = nullptr;
  bool other_method = false;
  std::vector<std::string> params;
  for (const auto& r : all_routes()) {
    auto p = match(r.pattern, path);
    if (!p) continue;
    if (r.method != method) {
      other_method = true;
      continue;
    }
    route = &r;
    params = std::move(*p);
    break;
  }
  if (!route)
    return other_method ? error(405, "method_not_allowed", "this method is not allowed here")
                        : not_found();
  Ctx c{st,
        req,
        std::move(params),
        parse_query(qpos == std::string_view::npos ? "" : target.substr(qpos + 1)),
        nullptr,
        "",
        ""};
  // Every name and value of the address is text: bytes that are not UTF-8 are refused here,
  // before any route reads them.
  bool text = std::all_of(c.params.begin(), c.params.end(),
                          [](const std::string& p) { return utf8_valid(p); });
  for (const auto& [k, v] : c.query) text = text && utf8_valid(k) && utf8_valid(v);
  if (!text) return error(400, "bad_request", "the address holds bytes that are not UTF-8 text");
  store::Store::RequestView view(st);
  if (route->public_route) return answer(*route, c);

  // Everything else needs a live session.
  c.token = cookie_value(req.cookie, kCookie);
  auto auth = app::authenticate(st, c.token);
  if (!auth) return error(401, "unauthenticated", "sign in first");
  // Changes need the session's CSRF token in a header a foreign page cannot set.
  if (method != "GET" && !app::same_secret(req.csrf, auth->csrf))
    return error(403, "csrf", "missing or wrong X-CSRF-Token header");
  c.who = &auth->who;
  c.csrf = auth->csrf;
  return answer(*route, c);
}

}  // namespace sanad::http
