// The JSON API called as the server calls it: sessions, CSRF, and every route against every
// role, in its own scope and in a foreign one, on both backends.
#include <nlohmann/json.hpp>

#include "app/accounts.hpp"
#include "app/import.hpp"
#include "http/api.hpp"
#include "store/backend.hpp"

using namespace sanad;
using namespace sanad::app;
using namespace sanad::http;
using json = nlohmann::json;

namespace {

const std::string kPw = "correct horse 42";

class Api : public sanad::testing::BothBackends {
 protected:
  void SetUp() override {
    BothBackends::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(import_examples(
        {{ListKind::schools, "schools.csv"}, {ListKind::pupils, "roster_1AP-1.xlsx"}}));
  }
  void add(const std::string& login, const std::string& role, const std::string& scope) {
    add_user(st(), {login, "Test " + login, role, scope, kPw}, "test", "local");
  }
  ApiResponse call(const std::string& method, const std::string& target,
                   const std::string& cookie = "", const std::string& csrf = "",
                   const std::string& body = "") {
    return handle_api(st(), {method, target, cookie, csrf, body, "127.0.0.1", false});
  }
  // Signs in; returns the Cookie header to send and the CSRF token.
  std::pair<std::string, std::string> sign_in(const std::string& login) {
    auto r =
        call("POST", "/api/v1/login", "", "", json{{"login", login}, {"password", kPw}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    std::string cookie;
    for (const auto& [k, v] : r.headers)
      if (k == "Set-Cookie") cookie = v.substr(0, v.find(';'));
    return {cookie, json::parse(r.body).value("csrf", "")};
  }
};

TEST_P(Api, LoginSetsAnHttpOnlySameSiteCookieAndLogoutNeedsTheCsrfToken) {
  add("head1", "school_head", "35310051B");
  auto bad = call("POST", "/api/v1/login", "", "", R"({"login":"head1","password":"nope"})");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(call("POST", "/api/v1/login", "", "", "not json").status, 400);
  auto r =
      call("POST", "/api/v1/login", "", "", json{{"login", "head1"}, {"password", kPw}}.dump());
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_NE(r.headers[0].second.find("HttpOnly"), std::string::npos);
  EXPECT_NE(r.headers[0].second.find("SameSite=Strict"), std::string::npos);
  auto [cookie, csrf] = sign_in("head1");
  auto me = call("GET", "/api/v1/session", cookie);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(json::parse(me.body)["role"], "school_head");
  EXPECT_EQ(call("POST", "/api/v1/logout", cookie).status, 403);              // no token
  EXPECT_EQ(call("POST", "/api/v1/logout", cookie, csrf + "0").status, 403);  // wrong token
  EXPECT_EQ(call("POST", "/api/v1/logout", cookie, csrf).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/session", cookie).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/schools/35310051B").status, 401);  // no cookie at all
}

TEST_P(Api, EveryRoleSeesItsScopeAndNothingElse) {
  // A directorate of another region, for the foreign academy and directorate accounts.
  auto other_dir = st().db().scalar_text(
      "SELECT code FROM directorates WHERE region_code = '04' ORDER BY code LIMIT 1");
  ASSERT_TRUE(other_dir);
  struct Case {
    std::string login, role, scope;
    bool sees_school_a;  // 35310051B, where the roster is
  };
  const std::vector<Case> cases = {
      {"admin", "national_admin", "MA", true},
      {"fes", "academy_officer", "03", true},
      {"rabat", "academy_officer", "04", false},
      {"taounate", "directorate_manager", "03.531", true},
      {"elsewhere", "directorate_manager", *other_dir, false},
      {"head-a", "school_head", "35310051B", true},
      {"head-b", "school_head", "35310077K", false},
      {"stat", "statistician", "03", true},
      {"stat-rabat", "statistician", "04", false},
      {"complaints", "complaints_officer", "03.531", true},
      {"complaints-x", "complaints_officer", *other_dir, false},
      {"audit-commune", "auditor", "03.531.01.05", true},
      {"audit-other", "auditor", "03.531.05.07", false},
  };
  const std::vector<std::string> routes = {"/api/v1/schools/35310051B",
                                           "/api/v1/schools/35310051B/pupils",
                                           "/api/v1/schools/35310051B/pupils?year=2024-2025"};
  add("root", "national_admin", "MA");
  auto nothing = call("GET", "/api/v1/schools/NOSUCH99", sign_in("root").first);
  ASSERT_EQ(nothing.status, 404);
  for (const auto& c : cases) {
    add(c.login, c.role, c.scope);
    auto [cookie, csrf] = sign_in(c.login);
    for (const auto& route : routes) {
      auto r = call("GET", route, cookie);
      if (c.sees_school_a) {
        EXPECT_EQ(r.status, 200) << c.login << " " << route << ": " << r.body;
        if (route.find("pupils") != std::string::npos) {
          auto j = json::parse(r.body);
          EXPECT_EQ(j["total"], 24) << c.login;
          EXPECT_EQ(j["items"][0]["level"], "1AP");
        }
      } else {
        // Outside the scope looks exactly like a school that does not exist.
        EXPECT_EQ(r.status, 404) << c.login << " " << route;
        EXPECT_EQ(r.body, nothing.body) << c.login;
        EXPECT_EQ(r.body.find("35310051B"), std::string::npos);
      }
    }
  }
}

TEST_P(Api, HostileRequestsGetClearErrorsNotCrashes) {
  add("head1", "school_head", "35310051B");
  // Deeply nested or oversized JSON, wrong types, a login far too long.
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(call("POST", "/api/v1/login", "", "", deep).status, 400);
  EXPECT_EQ(call("POST", "/api/v1/login", "", "", R"({"login":1,"password":[]})").status, 400);
  auto longer = json{{"login", std::string(100000, 'a')}, {"password", "x"}}.dump();
  EXPECT_EQ(call("POST", "/api/v1/login", "", "", longer).status, 401);
  // A forged or truncated cookie is no session.
  EXPECT_EQ(call("GET", "/api/v1/session", "sanad_session=" + std::string(64, '0')).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/session", "sanad_session=;;;=").status, 401);
  auto [cookie, csrf] = sign_in("head1");
  // Encoded paths: %42 is 'B'; '+' in a path is not a space; traversal finds nothing.
  EXPECT_EQ(call("GET", "/api/v1/schools/35310051%42", cookie).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/schools/3531+0051B", cookie).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/schools/..%2F..%2Fetc", cookie).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/schools/35310051B/pupils?year=%27%3B--", cookie).status, 200);
  EXPECT_EQ(call("DELETE", "/api/v1/schools/35310051B", cookie, csrf).status, 405);
  EXPECT_EQ(call("GET", "/api/v2/schools/35310051B", cookie).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, Api, ::testing::Values("sqlite", "postgres"),
                         sanad::testing::backend_name);

}  // namespace
