// The Tayssir routes against every role, in its own scope and a foreign one, on both backends:
// a school head sees and checks its own school's part of a cycle and nothing of the others.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "app/accounts.hpp"
#include "app/demo.hpp"
#include "app/tayssir.hpp"
#include "http/api.hpp"
#include "http/signed_in.hpp"
#include "store/backend.hpp"

using namespace sanad;
using namespace sanad::app;
using namespace sanad::http;
using json = nlohmann::json;

namespace {

const std::string kPw = "correct horse 42";

class TayssirApi : public sanad::testing::BothBackends {
 protected:
  void SetUp() override {
    BothBackends::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    DemoOptions d;
    d.communes = 6;
    run_demo(st(), d);
    create_policy(st(), tayssir::published_policy("2025-2026"), {"test", "local"});
    other_dir = *st().db().scalar_text(
        "SELECT code FROM directorates WHERE region_code = '04' ORDER BY code LIMIT 1");
    for (auto [login, role, scope] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"admin", "national_admin", "MA"},
             {"manager", "directorate_manager", "03.531"},
             {"foreign", "directorate_manager", other_dir},
             {"stat", "statistician", "03"},
             {"complaints", "complaints_officer", "03.531"},
             {"auditor", "auditor", "03.531"}})
      add_user(st(), {login, "Test " + login, role, scope, kPw}, "test", "local");
  }
  ApiResponse call(const std::string& method, const std::string& target, const std::string& who,
                   const std::string& body = "") {
    return api_.call(method, target, who, body);
  }
  std::pair<std::string, std::string> session(const std::string& login) {
    return api_.session(login);
  }
  json get(const std::string& target, const std::string& who, int status = 200) {
    return api_.get(target, who, status);
  }
  std::string other_dir;
  sanad::testing::SignedIn api_{[this]() -> store::Store& { return st(); }, kPw};
};

TEST_P(TayssirApi, EachRoleReachesItsOwnPartOfACycle) {
  // Computing: the directorate's manager; not a school head, not another directorate.
  const std::string body = R"({"policy":"tayssir-2025-2026","period":"T1"})";
  auto lines_of = [&](int64_t cycle) {
    std::map<std::string, int64_t> per_school;
    store::TayssirStore(st()).each_line_detail(
        cycle, 0, [&](const store::LineDetailRow& d) { per_school[d.school_code]++; });
    return per_school;
  };
  auto paid_schools = [&](int64_t cycle) {
    std::set<std::string> out;
    store::TayssirStore(st()).each_line_detail(cycle, 0, [&](const store::LineDetailRow& d) {
      if (d.line.due > 0) out.insert(d.school_code);
    });
    return out;
  };
  // Another directorate's manager computes in its own scope, where this demo has no pupil.
  EXPECT_EQ(call("POST", "/api/v1/tayssir/cycles", "foreign", body).status, 200);
  EXPECT_TRUE(get("/api/v1/tayssir/cycles", "foreign").empty());  // nothing was in its scope
  auto computed = call("POST", "/api/v1/tayssir/cycles", "manager", body);
  ASSERT_EQ(computed.status, 200) << computed.body;
  int64_t id = json::parse(computed.body)["cycles"][0]["id"];
  EXPECT_EQ(call("POST", "/api/v1/tayssir/cycles", "foreign",
                 R"({"policy":"tayssir-2025-2026","period":"T1","scope":"03.531"})")
                .status,
            404);
  auto per_school = lines_of(id);
  auto paid = paid_schools(id);
  ASSERT_GE(paid.size(), 2u);
  const std::string school_a = *paid.begin();
  const std::string school_b = *std::next(paid.begin());
  add_user(st(), {"head-a", "Head A", "school_head", school_a, kPw}, "test", "local");
  add_user(st(), {"head-b", "Head B", "school_head", school_b, kPw}, "test", "local");
  EXPECT_EQ(call("POST", "/api/v1/tayssir/cycles", "head-a", body).status, 403);

  const std::string cyc = fmt::format("/api/v1/tayssir/cycles/{}", id);
  // Reading: everyone of the directorate; the foreign manager gets 404.
  for (const char* who : {"admin", "manager", "stat", "complaints", "auditor", "head-a"})
    EXPECT_EQ(get(cyc, who)["id"], id) << who;
  get(cyc, "foreign", 404);
  get(cyc + "/lines", "foreign", 404);
  get("/api/v1/tayssir/cycles/999999", "admin", 404);

  // A school head: its school's totals and lines, never another school's.
  auto whole = get(cyc, "manager");
  auto part = get(cyc, "head-a");
  EXPECT_EQ(part["pupils"], per_school[school_a]);
  EXPECT_LT(part["pupils"].get<int64_t>(), whole["pupils"].get<int64_t>());
  EXPECT_EQ(part["schools"], 1);
  auto lines = get(cyc + "/lines?page_size=500", "head-a");
  EXPECT_EQ(lines["total"], per_school[school_a]);
  for (const auto& l : lines["items"]) EXPECT_EQ(l["school"], school_a);
  get(cyc + "/lines?school=" + school_b, "head-a", 404);
  EXPECT_EQ(get(cyc + "/lines?school=" + school_b, "manager")["total"], per_school[school_b]);
  std::string pupil_b = get(cyc + "/lines?school=" + school_b, "manager")["items"][0]["massar"];
  std::string pupil_a = lines["items"][0]["massar"];
  get(cyc + "/explain/" + pupil_b, "head-a", 404);
  EXPECT_EQ(get(cyc + "/explain/" + pupil_a, "head-a")["massar"], pupil_a);
  // Lists: its own school's beneficiaries; not the payments.
  auto list = call("GET", cyc + "/lists/beneficiaries?format=csv&lang=fr", "head-a");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(school_a), std::string::npos);
  EXPECT_EQ(list.body.find(school_b), std::string::npos);
  EXPECT_EQ(call("GET", cyc + "/lists/beneficiaries?school=" + school_b, "head-a").status, 404);
  EXPECT_EQ(call("GET", cyc + "/lists/payments", "head-a").status, 403);
  EXPECT_EQ(call("GET", cyc + "/lists/totals?format=csv", "stat").status, 200);
  EXPECT_EQ(call("GET", cyc + "/lists/totals", "auditor").status, 403);  // no export right
  EXPECT_EQ(call("GET", cyc + "/lists/nonsense", "manager").status, 404);

  // Checking: the school head of that school only.
  const std::string ok = R"({"confirmed":true})";
  EXPECT_EQ(call("POST", cyc + "/check", "head-a", ok).status, 200);
  EXPECT_EQ(
      call("POST", cyc + "/check", "head-a", json{{"school", school_b}, {"confirmed", true}}.dump())
          .status,
      404);
  for (const char* who : {"manager", "stat", "complaints", "auditor", "admin"})
    EXPECT_EQ(
        call("POST", cyc + "/check", who, json{{"school", school_a}, {"confirmed", true}}.dump())
            .status,
        403)
        << who;
  auto checks = get(cyc, "head-a")["checks"];
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0]["by"], "head-a");
  EXPECT_TRUE(get(cyc, "head-b")["checks"].empty());  // head-a's check is not head-b's business

  // Advancing: the manager; refused with the reason while schools have not confirmed.
  auto refused = call("POST", cyc + "/advance", "manager", R"({"to":"checked"})");
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(json::parse(refused.body)["message"].get<std::string>().find("have not confirmed"),
            std::string::npos);
  EXPECT_EQ(call("POST", cyc + "/advance", "head-a", R"({"to":"checked"})").status, 403);
  EXPECT_EQ(call("POST", cyc + "/advance", "foreign", R"({"to":"checked"})").status, 404);
  for (const auto& [school, n] : per_school)
    check_school(st(), id, school, true, "", {"head", "local"});
  EXPECT_EQ(call("POST", cyc + "/advance", "manager", R"({"to":"checked"})").status, 200);
  auto approved = call("POST", cyc + "/advance", "manager", R"({"to":"approved"})");
  ASSERT_EQ(approved.status, 200);
  EXPECT_EQ(json::parse(approved.body)["state"], "approved");

  // Paying: once, by the manager; the CSRF token is required like every change.
  auto no_token = handle_api(
      st(), {"POST", cyc + "/pay", session("manager").first, "", "", "127.0.0.1", false});
  EXPECT_EQ(no_token.status, 403);
  EXPECT_EQ(call("POST", cyc + "/pay", "head-a").status, 403);
  auto pay = call("POST", cyc + "/pay?format=csv&lang=fr", "manager");
  ASSERT_EQ(pay.status, 200) << pay.body;
  EXPECT_EQ(pay.body.rfind("\xEF\xBB\xBF"
                           "CIN;",
                           0),
            0u)
      << pay.body.substr(0, 40);
  EXPECT_EQ(call("POST", cyc + "/pay", "manager").status, 422);
  EXPECT_EQ(get(cyc, "manager")["state"], "exported");

  // Appeals: filed by the complaints officer or the school head (its own pupils), decided by the
  // manager.
  auto filed = call("POST", cyc + "/appeals", "head-a",
                    json{{"massar", pupil_b}, {"grounds", "not mine"}}.dump());
  EXPECT_EQ(filed.status, 404);
  filed =
      call("POST", cyc + "/appeals", "complaints",
           json{{"massar", pupil_b}, {"grounds", "the household filed its RAMED receipt"}}.dump());
  ASSERT_EQ(filed.status, 201) << filed.body;
  int64_t appeal = json::parse(filed.body)["id"];
  const std::string decide = fmt::format("/api/v1/tayssir/appeals/{}/decision", appeal);
  EXPECT_EQ(call("POST", decide, "complaints", R"({"upheld":false,"note":"x"})").status, 403);
  EXPECT_EQ(call("POST", decide, "foreign", R"({"upheld":false,"note":"x"})").status, 404);
  auto decided = call("POST", decide, "manager", R"({"upheld":false,"note":"no receipt"})");
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(json::parse(decided.body)["state"], "rejected");
  EXPECT_EQ(get(cyc, "manager")["appeals"][0]["state"], "rejected");
  EXPECT_TRUE(get(cyc, "head-a")["appeals"].empty());  // a pupil of another school
}

TEST_P(TayssirApi, VocabularyNamesTheReasonsAndPoliciesAreListed) {
  auto v = json::parse(handle_api(st(), {"GET", "/api/v1/vocabulary", "", "", "", "", false}).body);
  bool found = false;
  for (const auto& t : v["tayssir_reasons"])
    if (t["code"] == "ramed_missing") found = t["fr"] == "carte RAMED manquante";
  EXPECT_TRUE(found);
  auto p = get("/api/v1/tayssir/policies", "stat");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0]["code"], "tayssir-2025-2026");
  EXPECT_EQ(p[0]["periods"].size(), 3u);
  EXPECT_EQ(p[0]["policy"]["monthly_amount_centimes"]["1AC"], 14000);
}

INSTANTIATE_TEST_SUITE_P(Backends, TayssirApi, ::testing::Values("sqlite", "postgres"),
                         sanad::testing::backend_name);

}  // namespace
