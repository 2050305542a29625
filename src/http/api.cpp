#include "http/api.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "app/accounts.hpp"
#include "app/browse.hpp"
#include "domain/vocab.hpp"

namespace sanad::http {
namespace {

using json = nlohmann::json;
constexpr const char* kCookie = "sanad_session";

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

json pupil_line_json(const app::PupilLine& l) {
  const auto& p = l.pupil;
  const auto& e = l.enrolment;
  return {{"massar", p.massar},         {"last_ar", p.last_ar},
          {"first_ar", p.first_ar},     {"last_fr", p.last_fr},
          {"first_fr", p.first_fr},     {"sex", p.sex},
          {"birth_date", p.birth_date}, {"school_year", e.school_year},
          {"level", e.level},           {"class", e.class_name},
          {"status", e.status}};
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

ApiResponse handle_api(store::Store& st, const ApiRequest& req) {
  std::string_view target = req.target;
  auto qpos = target.find('?');
  auto path = split_path(target.substr(0, qpos));
  auto query = parse_query(qpos == std::string_view::npos ? "" : target.substr(qpos + 1));
  if (path.size() < 2 || path[0] != "api" || path[1] != "v1") return not_found();
  path.erase(path.begin(), path.begin() + 2);
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";

  if (path == std::vector<std::string>{"login"}) {
    if (!post) return error(405, "method_not_allowed", "use POST");
    json in = json::parse(req.body, nullptr, false);
    if (!in.is_object() || !in.contains("login") || !in.contains("password") ||
        !in["login"].is_string() || !in["password"].is_string())
      return error(400, "bad_request", "expected {\"login\": …, \"password\": …}");
    try {
      auto r = app::login(st, in["login"].get<std::string>(), in["password"].get<std::string>(),
                          req.origin);
      json out = principal_json(r.who);
      out["csrf"] = r.csrf;
      auto res = reply(200, out);
      res.headers.emplace_back("Set-Cookie", session_cookie(r.token, req.tls, false));
      return res;
    } catch (const app::AccountError& e) {
      return error(401, "login_failed", e.what());
    }
  }

  // Everything else needs a live session.
  const std::string token = cookie_value(req.cookie, kCookie);
  auto auth = app::authenticate(st, token);
  if (!auth) return error(401, "unauthenticated", "sign in first");
  const auto& who = auth->who;
  // Changes need the session's CSRF token in a header a foreign page cannot set.
  if (!get && !app::same_secret(req.csrf, auth->csrf))
    return error(403, "csrf", "missing or wrong X-CSRF-Token header");

  if (path == std::vector<std::string>{"session"}) {
    if (!get) return error(405, "method_not_allowed", "use GET");
    json out = principal_json(who);
    out["csrf"] = auth->csrf;
    return reply(200, out);
  }
  if (path == std::vector<std::string>{"logout"}) {
    if (!post) return error(405, "method_not_allowed", "use POST");
    app::logout(st, token);
    auto res = reply(200, {{"ok", true}});
    res.headers.emplace_back("Set-Cookie", session_cookie("", req.tls, true));
    return res;
  }
  if (path.size() >= 2 && path[0] == "schools") {
    if (!get) return error(405, "method_not_allowed", "use GET");
    const std::string& code = path[1];
    if (path.size() == 2) {
      auto s = app::find_school(st, who, code);
      return s ? reply(200, school_json(*s)) : not_found();
    }
    if (path.size() == 3 && path[2] == "pupils") {
      auto year = query.count("year") ? query["year"] : "";
      auto lines = app::school_pupils(st, who, code, year);
      if (!lines) return not_found();
      json items = json::array();
      for (const auto& l : *lines) items.push_back(pupil_line_json(l));
      return reply(200, {{"school", code}, {"total", items.size()}, {"items", items}});
    }
  }
  return not_found();
}

}  // namespace sanad::http
