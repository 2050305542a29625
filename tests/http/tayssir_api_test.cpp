// The Tayssir routes against every role, in its own scope and a foreign one, on both backends:
// a school head sees and checks its own school's part of a cycle and nothing of the others.
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/app/accounts.hpp"
#include "core/http/api.hpp"
#include "core/io/table.hpp"
#include "http/signed_in.hpp"
#include "modules/tayssir/app/tayssir.hpp"
#include "registry/app/demo.hpp"
#include "registry/app/import.hpp"
#include "registry/store/registry_store.hpp"
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
  {
    // The pending pairs are counted; only the first come with the answer (the list has pages).
    const json j = json::parse(computed.body);
    auto listed =
        app::list_suspects(st(), "tayssir-2025-2026", Scope{NodeKind::directorate, "03.531"});
    int64_t pending = std::count_if(listed.begin(), listed.end(),
                                    [](const auto& x) { return x.decision.empty(); });
    EXPECT_EQ(j["suspects_pending"], pending);
    EXPECT_EQ(j["suspects"].size(), std::min<std::size_t>(50, static_cast<std::size_t>(pending)));
  }
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
  {
    // A school outside the cycle's directorate answers as one that does not exist (issue 24).
    ImportOptions o;
    o.actor = "test";
    auto commune = st().db().scalar_text(
        "SELECT code FROM communes WHERE region_code = '04' ORDER BY code LIMIT 1");
    ASSERT_TRUE(import_table(st(), ListKind::schools,
                             io::read_csv_bytes("Code établissement,Nom établissement "
                                                "(arabe),Cycle,Code commune\n04X00001A,مدرسة,"
                                                "primaire," +
                                                    *commune + "\n",
                                                "s.csv"),
                             o)
                    .written);
    auto elsewhere = call("GET", cyc + "/lines?school=04X00001A", "manager");
    auto nowhere = call("GET", cyc + "/lines?school=NOPE00001", "manager");
    EXPECT_EQ(elsewhere.status, 404);
    EXPECT_EQ(elsewhere.body, nowhere.body);
    EXPECT_EQ(call("GET", cyc + "/lines?school=04X00001A", "admin").status, 404);
  }
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
  auto no_token = handle_api(st(), {"POST", cyc + "/pay", session("manager").first, "", "",
                                    "127.0.0.1", false, "", false});
  EXPECT_EQ(no_token.status, 403);
  EXPECT_EQ(call("POST", cyc + "/pay", "head-a").status, 403);
  // Before paying, the manager sees what the file will pay; a school head does not.
  const json payable = get(cyc, "manager")["payable"];
  EXPECT_FALSE(get(cyc, "head-a").contains("payable"));
  auto pay = call("POST", cyc + "/pay?format=csv&lang=fr", "manager");
  ASSERT_EQ(pay.status, 200) << pay.body;
  {
    // The file pays what was announced: its amounts summed, its households counted.
    int64_t households = 0, amount = 0;
    std::istringstream in(pay.body);
    std::string line;
    std::getline(in, line);  // headings
    while (std::getline(in, line)) {
      std::vector<std::string> cells;
      std::istringstream cs(line);
      for (std::string x; std::getline(cs, x, ';');) cells.push_back(x);
      ASSERT_GE(cells.size(), 3u) << line;
      auto dot = cells[2].find('.');
      amount += std::stoll(cells[2].substr(0, dot)) * 100 + std::stoll(cells[2].substr(dot + 1));
      ++households;
    }
    EXPECT_GT(households, 0);
    EXPECT_EQ(payable["households"], households);
    EXPECT_EQ(payable["amount"], amount);
    EXPECT_EQ(payable["owing_households"], 0);
    std::map<std::string, std::string> headers(pay.headers.begin(), pay.headers.end());
    EXPECT_EQ(headers["X-Households-Owing"], "0");
    EXPECT_EQ(headers["X-Sha256"].size(), 64u);
    EXPECT_FALSE(get(cyc, "manager").contains("payable"));  // exported: nothing left to pay
  }
  EXPECT_EQ(pay.body.rfind("\xEF\xBB\xBF"
                           "CIN;",
                           0),
            0u)
      << pay.body.substr(0, 40);
  auto again = call("POST", cyc + "/pay", "manager");
  EXPECT_EQ(again.status, 422);
  // The refusal is said in Arabic and French too: paid once.
  EXPECT_NE(json::parse(again.body).value("message_ar", "").find("الدورة تؤدى مرة واحدة"),
            std::string::npos)
      << again.body;
  EXPECT_NE(json::parse(again.body).value("message_fr", "").find("un cycle se paie une fois"),
            std::string::npos)
      << again.body;
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
  auto v = json::parse(
      handle_api(st(), {"GET", "/api/v1/vocabulary", "", "", "", "", false, "", false}).body);
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

TEST_P(TayssirApi, PoliciesAreEditedNationallyAndFrozenOnceUsed) {
  const std::string copy = R"({"from":"tayssir-2025-2026","code":"variant-a"})";
  for (const char* who : {"manager", "stat", "auditor"})
    EXPECT_EQ(call("POST", "/api/v1/tayssir/policies", who, copy).status, 403) << who;
  auto made = call("POST", "/api/v1/tayssir/policies", "admin", copy);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(json::parse(made.body)["school_year"], "2025-2026");
  EXPECT_EQ(call("POST", "/api/v1/tayssir/policies", "admin", copy).status, 422);  // taken
  EXPECT_EQ(
      call("POST", "/api/v1/tayssir/policies", "admin", R"({"from":"nonesuch","code":"variant-b"})")
          .status,
      404);
  // A copy for the next year moves the months with it.
  auto next = call("POST", "/api/v1/tayssir/policies", "admin",
                   R"({"from":"tayssir-2025-2026","code":"tayssir-2026-2027",
                       "school_year":"2026-2027"})");
  ASSERT_EQ(next.status, 201) << next.body;
  EXPECT_EQ(json::parse(next.body)["policy"]["months"][0], "2026-09");
  EXPECT_EQ(call("POST", "/api/v1/tayssir/policies", "admin",
                 R"({"from":"tayssir-2025-2026","code":"x","school_year":"someday"})")
                .status,
            422);

  // Editing: the amounts of the copy, by the national administrator only.
  json pol = json::parse(made.body)["policy"];
  pol["monthly_amount_centimes"]["1AC"] = 20000;
  const std::string url = "/api/v1/tayssir/policies/variant-a";
  EXPECT_EQ(call("POST", url, "manager", pol.dump()).status, 403);
  auto saved = call("POST", url, "admin", pol.dump());
  ASSERT_EQ(saved.status, 200) << saved.body;
  bool found = false;
  for (const auto& p : get("/api/v1/tayssir/policies", "auditor"))
    if (p["code"] == "variant-a") found = p["policy"]["monthly_amount_centimes"]["1AC"] == 20000;
  EXPECT_TRUE(found);
  EXPECT_EQ(call("POST", "/api/v1/tayssir/policies/tayssir-2025-2026", "admin", pol.dump()).status,
            400);  // the body names another policy
  EXPECT_EQ(call("POST", "/api/v1/tayssir/policies/nonesuch", "admin", pol.dump()).status, 404);
  pol["monthly_amount_centimes"]["1AC"] = -5;
  auto bad = call("POST", url, "admin", pol.dump());
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(json::parse(bad.body)["message"].get<std::string>().find("1AC"), std::string::npos)
      << bad.body;
  // … and said in Arabic and French for the interface.
  EXPECT_NE(json::parse(bad.body).value("message_ar", "").find("المبلغ الخاص بـ 1AC سالب"),
            std::string::npos)
      << bad.body;
  EXPECT_NE(json::parse(bad.body).value("message_fr", "").find("le montant de 1AC est négatif"),
            std::string::npos)
      << bad.body;
  pol["monthly_amount_centimes"]["1AC"] = 20000;
  pol["surprise"] = 1;
  EXPECT_EQ(call("POST", url, "admin", pol.dump()).status, 422);  // an unknown field is named
  pol.erase("surprise");

  // Once a cycle of the policy has left the draft, it is frozen.
  ComputeOptions o{
      "variant-a", "T1", Scope{NodeKind::directorate, "03.531"}, {"test", "local"}, {}};
  auto r = compute_cycles(st(), o);
  ASSERT_EQ(r.cycles.size(), 1u);
  for (const auto& school : store::TayssirStore(st()).schools_of_cycle(r.cycles[0].cycle_id))
    check_school(st(), r.cycles[0].cycle_id, school.code, true, "", {"head", "local"});
  advance_cycle(st(), r.cycles[0].cycle_id, "checked", {"test", "local"});
  pol["monthly_amount_centimes"]["1AC"] = 21000;
  auto frozen = call("POST", url, "admin", pol.dump());
  EXPECT_EQ(frozen.status, 422);
  EXPECT_NE(json::parse(frozen.body)["message"].get<std::string>().find("frozen"),
            std::string::npos);
  for (const auto& p : get("/api/v1/tayssir/policies", "admin"))
    if (p["code"] == "variant-a") {
      EXPECT_TRUE(p["frozen"].get<bool>());
    }
}

TEST_P(TayssirApi, WhatIfComparesAVariantWithinTheScopeWritingNothing) {
  json variant = json::parse(policy_to_json(get_policy(st(), "tayssir-2025-2026")));
  variant["code"] = "no-cap";
  variant["household_cap"] = 0;
  const std::string body = json{{"base", "tayssir-2025-2026"}, {"variant_policy", variant}}.dump();
  for (const char* who : {"manager", "stat", "complaints", "auditor", "foreign"})
    get("/api/v1/session", who);  // signed in before counting what the runs write
  auto lines = [&] { return *st().db().scalar_i64("SELECT count(*) FROM tayssir_lines"); };
  const auto audit_before = st().count("audit_log");
  const auto lines_before = lines();
  for (const char* who : {"complaints", "auditor"})
    EXPECT_EQ(call("POST", "/api/v1/tayssir/whatif", who, body).status, 403) << who;
  auto scoped =
      json{{"base", "tayssir-2025-2026"}, {"variant_policy", variant}, {"scope", "03.531"}}.dump();
  EXPECT_EQ(call("POST", "/api/v1/tayssir/whatif", "foreign", scoped).status, 404);
  auto res = call("POST", "/api/v1/tayssir/whatif?limit=1000", "manager", body);
  ASSERT_EQ(res.status, 200) << res.body;
  auto w = json::parse(res.body);
  EXPECT_EQ(w["scope"], "03.531");
  // Without a cap, the children held back by it enter; nobody leaves.
  const auto& total = w["total"];
  int64_t entering = w["entering"]["count"];
  EXPECT_GT(entering, 0);
  EXPECT_EQ(w["leaving"]["count"], 0);
  EXPECT_EQ(total["variant"]["beneficiaries"].get<int64_t>() -
                total["base"]["beneficiaries"].get<int64_t>(),
            entering);
  EXPECT_GT(total["variant"]["cost"].get<int64_t>(), total["base"]["cost"].get<int64_t>());
  ASSERT_EQ(w["entering"]["items"].size(), static_cast<std::size_t>(entering));
  for (const auto& c : w["entering"]["items"]) {
    EXPECT_EQ(c["reason_base"], "household_cap");
    EXPECT_EQ(c["reason_variant"], "eligible");
  }
  int64_t sum = 0;
  for (const auto& d : w["by_directorate"]) {
    EXPECT_EQ(d["directorate"], "03.531");
    EXPECT_FALSE(d["name_ar"].get<std::string>().empty());
    sum += d["variant"]["cost"].get<int64_t>();
  }
  EXPECT_EQ(sum, total["variant"]["cost"].get<int64_t>());
  // The statistician of the region asks for the directorate; the same answer.
  auto by_stat = call("POST", "/api/v1/tayssir/whatif?limit=1000", "stat", scoped);
  ASSERT_EQ(by_stat.status, 200);
  EXPECT_EQ(json::parse(by_stat.body)["total"], total);
  // The changes as a file: one line per pupil who enters, after the heading.
  auto file = call("POST", "/api/v1/tayssir/whatif/changes?format=csv&lang=fr", "manager", body);
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(std::count(file.body.begin(), file.body.end(), '\n'), entering + 1);
  EXPECT_EQ(call("POST", "/api/v1/tayssir/whatif/changes", "auditor", body).status, 403);
  // Nothing written but the export's audit entry.
  EXPECT_EQ(lines(), lines_before);
  EXPECT_EQ(st().count("audit_log"), audit_before + 1);
  // A variant of another year is refused with the reason.
  variant["school_year"] = "2026-2027";
  auto other = call("POST", "/api/v1/tayssir/whatif", "manager",
                    json{{"base", "tayssir-2025-2026"}, {"variant_policy", variant}}.dump());
  EXPECT_EQ(other.status, 422);
}

TEST_P(TayssirApi, SuspectedDuplicatesAreReviewedWithinTheScope) {
  // A child entered twice: the same names and birth date under a second code Massar, in another
  // school of the directorate.
  std::optional<std::pair<Pupil, Enrolment>> first;
  std::string other_school;
  store::RegistryStore(st()).each_enrolment(
      Scope{NodeKind::directorate, "03.531"}, "2025-2026", [&](const Pupil& p, const Enrolment& e) {
        if (!first && !p.birth_date.empty()) first = {p, e};
        if (first && e.school_code != first->second.school_code && other_school.empty())
          other_school = e.school_code;
      });
  ASSERT_TRUE(first && !other_school.empty());
  Pupil twin = first->first;
  twin.massar = "Z900000001";
  Enrolment e2 = first->second;
  e2.massar = twin.massar;
  e2.school_code = other_school;
  {
    store::Transaction tx(st().db());
    store::RegistryStore(st()).put_roster({twin}, {e2});
    tx.commit();
  }

  const std::string url = "/api/v1/tayssir/suspects?policy=tayssir-2025-2026&page_size=200";
  add_user(st(), {"head", "Head", "school_head", first->second.school_code, kPw}, "test", "local");
  for (const char* who : {"stat", "auditor", "complaints", "head"})  // reviewers run the cycles
    EXPECT_EQ(call("GET", url, who).status, 403) << who;
  // Nor does a school head plan or edit policies.
  EXPECT_EQ(call("POST", "/api/v1/tayssir/whatif", "head",
                 R"({"base":"tayssir-2025-2026","variant":"tayssir-2025-2026"})")
                .status,
            403);
  EXPECT_EQ(
      call("POST", "/api/v1/tayssir/policies", "head", R"({"school_year":"2026-2027"})").status,
      403);
  EXPECT_EQ(get(url, "admin")["total"], get(url, "manager")["total"]);  // all in 03.531
  auto page = get(url, "manager");
  json pair;
  for (const auto& it : page["items"])
    if (it["a"]["code"] == twin.massar || it["b"]["code"] == twin.massar) pair = it;
  ASSERT_FALSE(pair.is_null()) << page.dump();
  EXPECT_EQ(pair["kind"], "pupil");
  EXPECT_EQ(pair["decision"], "");
  EXPECT_EQ(pair["why_fr"], "même nom en arabe et même date de naissance, deux ménages")
      << pair.dump();
  EXPECT_EQ(pair["why_ar"], "نفس الاسم بالعربية وتاريخ الازدياد، في أسرتين مختلفتين");
  EXPECT_EQ(pair["a"]["name_ar"], pair["b"]["name_ar"]);
  EXPECT_EQ(pair["a"]["birth_date"], first->first.birth_date);
  std::set<std::string> schools{pair["a"]["school"], pair["b"]["school"]};
  EXPECT_EQ(schools, (std::set<std::string>{first->second.school_code, other_school}));
  // The foreign directorate neither sees nor decides it.
  for (const auto& it : get(url, "foreign")["items"]) EXPECT_NE(it["a"]["code"], twin.massar);
  const json decision = {{"kind", "pupil"},
                         {"a", pair["a"]["code"]},
                         {"b", pair["b"]["code"]},
                         {"decision", "distinct"},
                         {"note", "twins, checked at school"}};
  EXPECT_EQ(call("POST", "/api/v1/tayssir/suspects/review", "foreign", decision.dump()).status,
            404);
  auto bad = decision;
  bad["decision"] = "maybe";
  EXPECT_EQ(call("POST", "/api/v1/tayssir/suspects/review", "manager", bad.dump()).status, 422);
  auto ok = call("POST", "/api/v1/tayssir/suspects/review", "manager", decision.dump());
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto after = get(url, "manager");
  EXPECT_EQ(after["pending"].get<int64_t>(), page["pending"].get<int64_t>() - 1);
  for (const auto& it : after["items"])
    if (it["a"]["code"] == twin.massar || it["b"]["code"] == twin.massar) {
      EXPECT_EQ(it["decision"], "distinct");
    }
  // The decision is in the audit log with its author.
  EXPECT_EQ(*st().db().scalar_text(
                "SELECT actor FROM audit_log WHERE action = 'tayssir duplicate reviewed' "
                "ORDER BY id DESC LIMIT 1"),
            "manager");
}

INSTANTIATE_TEST_SUITE_P(Backends, TayssirApi, ::testing::Values("sqlite", "postgres"),
                         sanad::testing::backend_name);

}  // namespace
