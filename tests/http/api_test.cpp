// The JSON API called as the server calls it: sessions, CSRF, and every route against every
// role, in its own scope and in a foreign one, on both backends.
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/app/accounts.hpp"
#include "core/http/api.hpp"
#include "http/openapi_check.hpp"
#include "registry/app/import.hpp"
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
    auto r = handle_api(
        st(), {method, target, cookie, csrf, body, "127.0.0.1", false, "application/json", false});
    sanad::testing::expect_described(st(), method, target, r);
    return r;
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
  // A page of another site cannot sign a browser in (login CSRF, issue 24): neither as a form or
  // text it may send without asking, nor from its own origin.
  const std::string good = json{{"login", "head1"}, {"password", kPw}}.dump();
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", ""})
    EXPECT_EQ(
        handle_api(st(), {"POST", "/api/v1/login", "", "", good, "127.0.0.1", false, type, false})
            .status,
        415)
        << type;
  auto foreign = handle_api(
      st(), {"POST", "/api/v1/login", "", "", good, "127.0.0.1", false, "application/json", true});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_TRUE(foreign.headers.empty());  // no cookie
  EXPECT_EQ(handle_api(st(), {"POST", "/api/v1/login", "", "", good, "127.0.0.1", false,
                              "application/json; charset=utf-8", false})
                .status,
            200);
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
  const std::vector<std::string> routes = {
      "/api/v1/schools/35310051B",
      "/api/v1/schools/35310051B/pupils",
      "/api/v1/schools/35310051B/pupils?year=2024-2025&q=zakaria+alaoui",
      "/api/v1/territory?node=35310051B",
      "/api/v1/pupils/R938826497",
      "/api/v1/pupils/R938826497/history",
      "/api/v1/schools/35310051B/history",
      "/api/v1/exports/pupils?scope=35310051B"};
  add("root", "national_admin", "MA");
  auto nothing = call("GET", "/api/v1/schools/NOSUCH99", sign_in("root").first);
  ASSERT_EQ(nothing.status, 404);
  for (const auto& c : cases) {
    add(c.login, c.role, c.scope);
    auto [cookie, csrf] = sign_in(c.login);
    for (const auto& route : routes) {
      auto r = call("GET", route, cookie);
      const bool exporting = route.find("/exports/") != std::string::npos;
      if (exporting && !role_allows(*parse_role(c.role), Action::export_data)) {
        EXPECT_EQ(r.status, 403) << c.login << " " << route;  // whatever the scope
      } else if (c.sees_school_a) {
        EXPECT_EQ(r.status, 200) << c.login << " " << route << ": " << r.body;
        if (route.find("/pupils") != std::string::npos &&
            route.find("/schools/") != std::string::npos) {
          auto j = json::parse(r.body);
          EXPECT_EQ(j["total"], route.find("q=") == std::string::npos ? 24 : 1) << c.login;
          EXPECT_EQ(j["items"][0]["level"], "1AP");
        }
        if (exporting) {
          EXPECT_NE(r.body.find("R938826497"), std::string::npos) << c.login;
        }
      } else {
        // Outside the scope looks exactly like a record that does not exist.
        EXPECT_EQ(r.status, 404) << c.login << " " << route;
        EXPECT_EQ(r.body, nothing.body) << c.login;
        EXPECT_EQ(r.body.find("35310051B"), std::string::npos);
      }
    }
  }
}

TEST_P(Api, SearchFindsMisspeltNamesInBothSpellingsAndPages) {
  add("head1", "school_head", "35310051B");
  auto [cookie, csrf] = sign_in("head1");
  auto get = [&](const std::string& q) {
    auto r = call("GET", "/api/v1/schools/35310051B/pupils" + q, cookie);
    EXPECT_EQ(r.status, 200) << q << ": " << r.body;
    return json::parse(r.body);
  };
  auto massars = [](const json& j) {
    std::vector<std::string> out;
    for (const auto& i : j["items"]) out.push_back(i["massar"]);
    return out;
  };
  // زكرياء العلوي / Zakaria Alaoui, spelt otherwise: ta marbuta for alef, a y for the i.
  EXPECT_EQ(
      massars(get("?q=%D8%B2%D9%83%D8%B1%D9%8A%D8%A9%20%D8%A7%D9%84%D8%B9%D9%84%D9%88%D9%8A")),
      std::vector<std::string>{"R938826497"});
  EXPECT_EQ(massars(get("?q=Zakarya+alaoui")), std::vector<std::string>{"R938826497"});
  EXPECT_EQ(massars(get("?q=r9388")), std::vector<std::string>{"R938826497"});
  EXPECT_EQ(get("?q=xyzzyq")["total"], 0);
  // Filters and pages.
  auto girls = get("?sex=F")["total"].get<int>();
  auto boys = get("?sex=M")["total"].get<int>();
  EXPECT_EQ(girls + boys, 24);
  EXPECT_GT(girls, 0);
  auto page3 = get("?page_size=10&page=3");
  EXPECT_EQ(page3["items"].size(), 4u);
  EXPECT_EQ(page3["total"], 24);
  EXPECT_EQ(get("?level=1AP&class=1-1")["total"], 24);
  EXPECT_EQ(get("?level=2AP")["total"], 0);
  EXPECT_EQ(call("GET", "/api/v1/schools/35310051B/pupils?page=0", cookie).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/schools/35310051B/pupils?page_size=9999", cookie).status, 400);
}

TEST_P(Api, PupilRecordAndTerritoryCounts) {
  ASSERT_TRUE(import_examples(
      {{ListKind::households, "households.csv"}, {ListKind::absences, "absences.csv"}}));
  add("root", "national_admin", "MA");
  auto [cookie, csrf] = sign_in("root");
  auto r = call("GET", "/api/v1/pupils/r938826497", cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  auto p = json::parse(r.body);
  EXPECT_EQ(p["first_fr"], "Zakaria");
  ASSERT_EQ(p["history"].size(), 1u);
  EXPECT_EQ(p["history"][0]["school"], "35310051B");
  EXPECT_EQ(p["history"][0]["in_scope"], true);
  // Absences by month add up to the pupil's absence days.
  int64_t days = 0;
  for (const auto& m : p["absences"]) days += m["days"].get<int64_t>();
  EXPECT_EQ(days, *st().db().scalar_i64("SELECT count(*) FROM absences a JOIN pupils p ON p.id = "
                                        "a.pupil_id WHERE p.massar = 'R938826497'"));
  EXPECT_EQ(call("GET", "/api/v1/pupils/Z000000000", cookie).status, 404);

  auto nation = json::parse(call("GET", "/api/v1/territory", cookie).body);
  EXPECT_EQ(nation["children"].size(), 12u);
  EXPECT_EQ(nation["node"]["schools"], 3);
  EXPECT_EQ(nation["node"]["pupils"], 24);
  auto dir = json::parse(call("GET", "/api/v1/territory?node=03.531", cookie).body);
  EXPECT_EQ(dir["node"]["kind"], "directorate");
  EXPECT_EQ(dir["path"].size(), 2u);  // nation, region
  int64_t schools = 0, pupils = 0;
  for (const auto& c : dir["children"]) {
    schools += c["schools"].get<int64_t>();
    pupils += c["pupils"].get<int64_t>();
  }
  EXPECT_EQ(schools, 3);
  EXPECT_EQ(pupils, 24);
  // A school head's path starts at the school: nothing above it is named.
  add("head1", "school_head", "35310051B");
  auto head = json::parse(call("GET", "/api/v1/territory", sign_in("head1").first).body);
  EXPECT_EQ(head["node"]["code"], "35310051B");
  EXPECT_EQ(head["path"].size(), 0u);
  EXPECT_EQ(head["node"]["pupils"], 24);

  // The counts are kept between requests, and follow the next import at once.
  const std::string year = st().school_years().back();
  const std::string file = ::testing::TempDir() + "/one-more-pupil.csv";
  std::ofstream(file) << "Code Massar;Nom (arabe);Prénom (arabe);Nom;Prénom;Sexe;Date de "
                         "naissance;Code GRESA;Année scolaire;Niveau;Classe\n"
                      << "D199999999;العلمي;سامي;Alami;Sami;M;01/02/2018;35310051B;" << year
                      << ";1AP;1-1\n";
  app::ImportOptions o;
  o.actor = "test";
  o.today = "2026-11-23";
  ASSERT_TRUE(app::import_file(st(), ListKind::pupils, file, o).written);
  nation = json::parse(call("GET", "/api/v1/territory", cookie).body);
  EXPECT_EQ(nation["node"]["pupils"], 25);
  dir = json::parse(call("GET", "/api/v1/territory?node=03.531", cookie).body);
  EXPECT_EQ(dir["node"]["pupils"], 25);
}

TEST_P(Api, ImportsAreCheckedThenWrittenOnlyWithinTheScope) {
  add("head-a", "school_head", "35310051B");
  add("head-b", "school_head", "35310077K");
  add("stat", "statistician", "03");
  std::ifstream in(std::string(SANAD_EXAMPLES_DIR) + "/roster_1AP-1.csv", std::ios::binary);
  std::string roster((std::istreambuf_iterator<char>(in)), {});
  const std::string url = "/api/v1/imports/pupils?file=roster.csv";
  {
    auto [cookie, csrf] = sign_in("stat");  // may not import at all
    EXPECT_EQ(call("POST", url, cookie, csrf, roster).status, 403);
  }
  {
    auto [cookie, csrf] = sign_in("head-b");  // another school's roster: every row refused
    EXPECT_EQ(call("POST", url, cookie, "", roster).status, 403);  // no CSRF token
    auto r = call("POST", url + "&commit=1&skip_invalid=1", cookie, csrf, roster);
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = json::parse(r.body);
    EXPECT_EQ(j["rows_rejected"], 24);
    EXPECT_EQ(j["issues"][0]["reason"], "unknown school (import the schools first)");
    EXPECT_EQ(j["issues"][0]["file"], "roster.csv");
    EXPECT_EQ(call("POST", "/api/v1/imports/schools", cookie, csrf, "x").status, 403);
  }
  auto before = st().count("audit_log");
  {
    auto [cookie, csrf] = sign_in("head-a");
    std::string bad = roster;
    bad.replace(bad.find("27/08/2018"), 10, "31/02/2018");
    auto check = json::parse(call("POST", url, cookie, csrf, bad).body);
    EXPECT_EQ(check["rows_rejected"], 1);
    EXPECT_EQ(check["written"], false);
    EXPECT_EQ(check["issues"][0]["row"], 12);
    auto commit = json::parse(call("POST", url + "&commit=1", cookie, csrf, roster).body);
    EXPECT_EQ(commit["written"], true);
    EXPECT_EQ(commit["counts"]["pupils"]["unchanged"], 24);
    EXPECT_EQ(call("POST", url, cookie, csrf, "").status, 400);
    EXPECT_EQ(call("POST", url, cookie, csrf, "only,one\n").status, 422);
    // A period to replace that is not one is a bad request, whatever the file.
    auto across = call("POST",
                       "/api/v1/imports/absences?file=a.csv&replace_from=2024-11-01&replace_to="
                       "2025-11-30",
                       cookie, csrf, "رقم التلميذ,تاريخ الغياب,مبرر\n");
    EXPECT_EQ(across.status, 400);
    EXPECT_NE(across.body.find("within one school year"), std::string::npos) << across.body;
    EXPECT_EQ(
        call("POST", url + "&replace_from=2024-11-01&replace_to=2024-11-30", cookie, csrf, roster)
            .status,
        400);  // only absences replace a period
  }
  // The written import is in the audit log under the head's login.
  auto log = st().audit_latest("pupils", 1);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].actor, "head-a");
  EXPECT_GT(st().count("audit_log"), before);
}

// A roster imported again with a corrected name and class: the pupil's history names what changed,
// before and after, who did it, from where, with which file; not to another school's head.
TEST_P(Api, APupilsHistoryShowsWhatAnImportChanged) {
  add("head-a", "school_head", "35310051B");
  add("head-b", "school_head", "35310077K");
  std::ifstream in(std::string(SANAD_EXAMPLES_DIR) + "/roster_1AP-1.csv", std::ios::binary);
  std::string roster((std::istreambuf_iterator<char>(in)), {});
  roster.replace(roster.find("Zakaria"), 7, "Zakariae");
  auto [cookie, csrf] = sign_in("head-a");
  EXPECT_EQ(call("GET", "/api/v1/pupils/R938826497/history", cookie).body, "[]");
  // A corrected name is a change of who the pupil is: refused with the old and new values, in the
  // reader's language, unless the import accepts identity changes.
  auto refused =
      call("POST", "/api/v1/imports/pupils?file=corrected.csv&commit=1", cookie, csrf, roster);
  ASSERT_EQ(refused.status, 200) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["written"], false);
  EXPECT_NE(refused.body.find("Zakaria"), std::string::npos) << refused.body;
  EXPECT_EQ(call("GET", "/api/v1/pupils/R938826497/history", cookie).body, "[]");
  auto commit =
      call("POST", "/api/v1/imports/pupils?file=corrected.csv&commit=1&accept_identity_changes=1",
           cookie, csrf, roster);
  ASSERT_EQ(commit.status, 200) << commit.body;
  EXPECT_EQ(json::parse(commit.body)["written"], true);
  auto r = call("GET", "/api/v1/pupils/r938826497/history", cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  auto h = json::parse(r.body);
  ASSERT_EQ(h.size(), 1u) << r.body;
  EXPECT_EQ(h[0]["kind"], "pupil");
  EXPECT_EQ(h[0]["fields"], json::parse(R"({"first_fr": ["Zakaria", "Zakariae"]})"));
  EXPECT_EQ(h[0]["actor"], "head-a");
  EXPECT_EQ(h[0]["origin"], "127.0.0.1");
  EXPECT_EQ(h[0]["file"], "corrected.csv");
  EXPECT_EQ(h[0]["action"], "import");
  // Another pupil of the roster was not changed: nothing in its history.
  EXPECT_EQ(call("GET", "/api/v1/pupils/R730699660/history", cookie).body, "[]");
  auto [other, other_csrf] = sign_in("head-b");
  EXPECT_EQ(call("GET", "/api/v1/pupils/R938826497/history", other).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/schools/35310051B/history", other).status, 404);
}

TEST_P(Api, AccountsAreManagedByAdministratorsWithTheirHistory) {
  add("root", "national_admin", "MA");
  add("head1", "school_head", "35310051B");
  {
    auto [cookie, csrf] = sign_in("head1");
    EXPECT_EQ(call("GET", "/api/v1/users", cookie).status, 403);
    EXPECT_EQ(call("GET", "/api/v1/audit", cookie).status, 403);  // not a nation-wide auditor
    EXPECT_EQ(call("POST", "/api/v1/users/root/disable", cookie, csrf).status, 403);
  }
  auto [cookie, csrf] = sign_in("root");
  auto users = json::parse(call("GET", "/api/v1/users", cookie).body);
  EXPECT_EQ(users.size(), 2u);
  json nu = {{"login", "fes1"},
             {"full_name", "Officer"},
             {"role", "academy_officer"},
             {"scope", "03"},
             {"password", kPw}};
  EXPECT_EQ(call("POST", "/api/v1/users", cookie, csrf, nu.dump()).status, 201);
  EXPECT_EQ(call("POST", "/api/v1/users", cookie, csrf, nu.dump()).status, 422);  // exists
  nu["login"] = "fes2";
  nu["scope"] = "35310051B";  // an academy officer's scope is a region
  EXPECT_EQ(call("POST", "/api/v1/users", cookie, csrf, nu.dump()).status, 422);
  EXPECT_EQ(call("POST", "/api/v1/users/root/disable", cookie, csrf).status, 422);  // oneself
  EXPECT_EQ(call("POST", "/api/v1/users/nobody/disable", cookie, csrf).status, 404);
  EXPECT_EQ(call("POST", "/api/v1/users/fes1/disable", cookie, csrf).status, 200);
  EXPECT_EQ(
      call("POST", "/api/v1/users/fes1/password", cookie, csrf, R"({"password":"short"})").status,
      422);
  auto history = json::parse(call("GET", "/api/v1/users/fes1/history", cookie).body);
  ASSERT_EQ(history.size(), 2u);  // created, then disabled: newest first
  EXPECT_EQ(history[0]["actor"], "root");
  EXPECT_EQ(history[0]["detail"]["before"]["disabled"], false);
  EXPECT_EQ(history[0]["detail"]["after"]["disabled"], true);
  EXPECT_EQ(json::parse(call("GET", "/api/v1/audit?subject=user%20fes", cookie).body).size(), 2u);
  // Enabled again, with a new password: the officer signs in with it.
  EXPECT_EQ(call("POST", "/api/v1/users/fes1/enable", cookie, csrf).status, 200);
  const std::string fresh = "another-long-passphrase";
  EXPECT_EQ(
      call("POST", "/api/v1/users/fes1/password", cookie, csrf, json{{"password", fresh}}.dump())
          .status,
      200);
  EXPECT_EQ(
      call("POST", "/api/v1/login", "", "", json{{"login", "fes1"}, {"password", fresh}}.dump())
          .status,
      200);
  // The roles an administrator gives, each with the kinds of scope it takes.
  auto roles = json::parse(call("GET", "/api/v1/roles", cookie).body);
  bool head = false;
  for (const auto& r : roles)
    if (r["role"] == "school_head") head = r["scope_kinds"] == json::array({"school"});
  EXPECT_TRUE(head) << roles.dump();
}

// Every route the API serves is described in /api/v1/openapi.json, and nothing else is.
TEST_P(Api, TheOpenApiDescriptionListsExactlyTheRoutes) {
  auto r = call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = json::parse(r.body);
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::pair<std::string, std::string>> documented, served;
  for (const auto& [path, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.emplace(m, path);
      EXPECT_TRUE(op.contains("responses")) << method << " " << path;
    }
  for (const auto& route : api_routes()) served.insert(route);
  EXPECT_EQ(documented, served);
  // A route's public/private nature is as documented: the public ones answer without a session.
  for (const auto& [method, path] : served) {
    std::string m = method;
    for (auto& ch : m) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const bool is_public = doc["paths"][path][m]["security"].empty();
    if (path.find('{') != std::string::npos) continue;
    auto res = call(method, path, "", "", "{}");
    if (is_public)
      EXPECT_NE(res.status, 401) << path;
    else
      EXPECT_EQ(res.status, 401) << method << " " << path;
  }
}

// Every JSON answer a route gives on success is described field by field (the web's types are
// generated from these schemas), and the check the route tests run on every answer catches an
// answer that drifts from its description.
TEST_P(Api, EverySuccessfulAnswerHasARealSchemaAndDriftIsCaught) {
  auto doc = json::parse(call("GET", "/api/v1/openapi.json").body);
  auto resolve = [&](json s) {
    while (s.contains("$ref")) {
      const std::string ref = s["$ref"];
      s = doc["components"]["schemas"][ref.substr(ref.rfind('/') + 1)];
    }
    return s;
  };
  int described = 0;
  for (const auto& [path, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items())
      for (const auto& [status, response] : op["responses"].items()) {
        if (status[0] != '2' || !response.contains("content") ||
            !response["content"].contains("application/json") || path == "/api/v1/openapi.json")
          continue;
        json s = resolve(response["content"]["application/json"]["schema"]);
        if (s["type"] == "array") s = resolve(s["items"]);
        EXPECT_TRUE(s.contains("properties") || s.contains("additionalProperties"))
            << method << " " << path << " " << status << ": " << s.dump();
        ++described;
      }
  EXPECT_GT(described, 40);

  const json user = doc["components"]["schemas"]["User"];
  const json good = {{"login", "a"},  {"full_name", "b"},  {"role", "school_head"},
                     {"scope", "MA"}, {"disabled", false}, {"created_at", "2026-01-01"}};
  auto problems = [&](const json& v) {
    std::vector<std::string> out;
    sanad::testing::check_schema(doc, user, v, "$", out);
    return out;
  };
  EXPECT_TRUE(problems(good).empty());
  json missing = good, wrong = good, extra = good;
  missing.erase("role");
  wrong["disabled"] = "no";
  extra["password_hash"] = "x";
  EXPECT_EQ(problems(missing), std::vector<std::string>{"$: missing role"});
  EXPECT_EQ(problems(wrong), std::vector<std::string>{"$.disabled: expected boolean, got string"});
  EXPECT_EQ(problems(extra), std::vector<std::string>{"$.password_hash: not described"});
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

// Bytes that are not UTF-8 in any parameter of any route, in the query or the path, are a bad
// request: never a 500, never read by the route (issue 24). The routes and their parameters are
// those the OpenAPI description lists (checked against the router by the test above).
TEST_P(Api, BytesThatAreNotUtf8InAnyParameterOfAnyRouteAre400) {
  add("admin", "national_admin", "MA");
  auto [cookie, csrf] = sign_in("admin");
  auto doc = json::parse(call("GET", "/api/v1/openapi.json").body);
  int checked = 0;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::vector<std::pair<std::string, std::string>> params;  // (in, name)
      for (const auto& p : op.value("parameters", json::array()))
        if (p["in"] == "query" || p["in"] == "path") params.emplace_back(p["in"], p["name"]);
      for (const auto& [in, name] : params) {
        std::string target = path, query;
        for (const auto& [in2, name2] : params)
          if (in2 == "path") {
            const std::string value = name2 == name ? "%FF%FE" : "x";
            target.replace(target.find("{" + name2 + "}"), name2.size() + 2, value);
          }
        if (in == "query") target += "?" + name + "=%C3%28";
        std::string verb = method;
        for (auto& ch : verb) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        auto r = call(verb, target, cookie, csrf, "{}");
        EXPECT_EQ(r.status, 400) << verb << " " << target << ": " << r.body;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 40);
  // The same value, valid, is not refused for being there.
  EXPECT_EQ(call("GET", "/api/v1/territory?year=2024-2025", cookie).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, Api, ::testing::Values("sqlite", "postgres"),
                         sanad::testing::backend_name);

}  // namespace
