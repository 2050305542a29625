// Imports through the API never reach another scope (issue 24): every importing role, every kind
// of import, a foreign code Massar and a foreign CIN, on both backends; and the import requests'
// routes that let the other scope decide.
#include <nlohmann/json.hpp>

#include "core/app/accounts.hpp"
#include "core/http/api.hpp"
#include "core/io/table.hpp"
#include "http/signed_in.hpp"
#include "registry/app/import.hpp"
#include "store/backend.hpp"

using namespace sanad;
using namespace sanad::app;
using json = nlohmann::json;

namespace {

const std::string kPw = "correct horse 42";
const std::string kSchoolA = "35310051B";  // where the example roster is (2024-2025)
const std::string kSchoolX = "04X00001A";  // a school of region 04

class ImportScopeApi : public sanad::testing::BothBackends {
 protected:
  void SetUp() override {
    BothBackends::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(import_examples(
        {{ListKind::schools, "schools.csv"}, {ListKind::pupils, "roster_1AP-1.xlsx"}}));
    auto commune = st().db().scalar_text(
        "SELECT code FROM communes WHERE region_code = '04' ORDER BY code LIMIT 1");
    ASSERT_TRUE(commune);
    nation(ListKind::schools, "Code établissement,Nom établissement (arabe),Cycle,Code commune\n" +
                                  kSchoolX + ",مدرسة سين,primaire," + *commune + "\n");
    nation(ListKind::pupils,
           "Code Massar,Nom (arabe),Prénom (arabe),Sexe,Date de naissance,Code GRESA,Année "
           "scolaire,Niveau,Classe\nF000000001,الفاسي,فاطمة,F,2017-03-01," +
               kSchoolX + ",2024-2025,2AP,2AP-1\n");
    nation(ListKind::households,
           "Code Massar,CIN du tuteur,Nom du tuteur,Lien de parenté,Téléphone,N° RAMED\n"
           "F000000001,ZZ100,خديجة الفاسي,الأم,0661000001,RM-77\n");
    auto dir_x =
        st().db().scalar_text("SELECT directorate_code FROM communes WHERE code = $1", {*commune});
    for (auto [login, role, scope] : {std::tuple{"head-a", "school_head", kSchoolA},
                                      {"dir", "directorate_manager", "03.531"},
                                      {"acad", "academy_officer", "03"},
                                      {"head-x", "school_head", kSchoolX},
                                      {"dir-x", "directorate_manager", *dir_x},
                                      {"stat", "statistician", "03"}})
      add_user(st(), {login, login, role, scope, kPw}, "test", "local");
  }
  void nation(ListKind kind, const std::string& csv) {
    ImportOptions o;
    o.actor = "test";
    o.today = "2026-05-20";
    ASSERT_TRUE(import_table(st(), kind, io::read_csv_bytes(csv, "seed.csv"), o).written);
  }
  json import(const std::string& who, const std::string& kind, const std::string& csv,
              int status = 200) {
    auto r = api_.call("POST", "/api/v1/imports/" + kind + "?file=f.csv&commit=1", who, csv);
    EXPECT_EQ(r.status, status) << who << " " << kind << ": " << r.body;
    return r.status == 200 ? json::parse(r.body) : json();
  }
  std::string field(const std::string& sql) { return st().db().scalar_text(sql).value_or("?"); }
  sanad::testing::SignedIn api_{[this]() -> store::Store& { return st(); }, kPw};
};

TEST_P(ImportScopeApi, NoImportingRoleReachesAnotherScopesPupilOrHousehold) {
  const std::string roster_head =
      "Code Massar,Nom (arabe),Prénom (arabe),Sexe,Date de naissance,Code GRESA,Année "
      "scolaire,Niveau,Classe\n";
  const std::string household_head =
      "Code Massar,CIN du tuteur,Nom du tuteur,Lien de parenté,Téléphone,N° RAMED\n";
  for (const std::string who : {"head-a", "dir", "acad"}) {
    SCOPED_TRACE(who);
    // A roster enrolling the foreign pupil at A, under another name.
    auto r = import(
        who, "pupils",
        roster_head + "F000000001,المهاجم,اسم,M,2010-01-01," + kSchoolA + ",2024-2025,1AP,1-1\n");
    EXPECT_EQ(r["rows_held"], 1);
    EXPECT_EQ(r["rows_rejected"], 0);
    EXPECT_EQ(r["counts"]["pupils"]["updated"], 0);
    EXPECT_EQ(r["counts"]["enrolments"]["inserted"], 0);
    EXPECT_EQ(r["held"][0]["row"], 2);
    EXPECT_NE(r["held"][0]["reason_ar"].get<std::string>(), r["held"][0]["reason"]);
    EXPECT_EQ(field("SELECT first_ar || sex || birth_date FROM pupils WHERE massar = "
                    "'F000000001'"),
              "فاطمةF2017-03-01");
    EXPECT_EQ(field("SELECT COUNT(*) FROM enrolments e JOIN pupils p ON p.id = e.pupil_id WHERE "
                    "p.massar = 'F000000001'"),
              "1");
    // A household naming the foreign payee for a pupil of A.
    auto h =
        import(who, "households", household_head + "R938826497,ZZ100,اسم آخر,الأب,0600000000,\n");
    EXPECT_EQ(h["rows_held"], 1);
    EXPECT_EQ(h["counts"]["households"],
              (json{{"inserted", 0}, {"updated", 0}, {"unchanged", 0}, {"deleted", 0}}));
    EXPECT_EQ(field("SELECT payee_name || phone || ramed FROM households WHERE payee_cin = "
                    "'ZZ100'"),
              "خديجة الفاسي0661000001RM-77");
    // The foreign pupil in a households or an absences file: unknown, as a code never seen.
    for (const std::string code : {"F000000001", "U000000009"}) {
      auto hh = import(who, "households", household_head + code + ",AB123,أحد,الأب,,\n");
      EXPECT_EQ(hh["written"], false);
      EXPECT_EQ(hh["issues"][0]["reason"], "unknown pupil (import the pupils first)");
      auto ab = import(who, "absences", "Code Massar,Date d'absence\n" + code + ",12/11/2024\n");
      EXPECT_EQ(ab["written"], false);
      EXPECT_EQ(ab["issues"][0]["reason"], "unknown pupil (import the pupils first)");
    }
    EXPECT_EQ(field("SELECT payee_cin FROM households h JOIN household_members m ON "
                    "m.household_id = h.id JOIN pupils p ON p.id = m.pupil_id WHERE p.massar = "
                    "'F000000001'"),
              "ZZ100");
    EXPECT_EQ(field("SELECT COUNT(*) FROM absences"), "0");
    // A schools file naming the foreign school: refused (a school head may not import schools).
    const std::string schools =
        "Code établissement,Nom établissement (arabe),Cycle,Code "
        "commune\n" +
        kSchoolX + ",مدرسة مسروقة,primaire,03.531.01.05\n";
    if (who == "head-a") {
      import(who, "schools", schools, 403);
    } else {
      auto s = import(who, "schools", schools);
      EXPECT_EQ(s["written"], false);
      EXPECT_EQ(s["issues"][0]["reason"], "this school code is used outside your scope");
    }
  }
  EXPECT_EQ(field("SELECT name_ar FROM schools WHERE code = '04X00001A'"), "مدرسة سين");
  // Three importers asked the same transfer and the same link: one request each, pending.
  EXPECT_EQ(field("SELECT COUNT(*) FROM import_requests WHERE state = 'pending'"), "2");
}

TEST_P(ImportScopeApi, TheOtherScopeDecidesWhatWasHeld) {
  api_.call("POST", "/api/v1/imports/pupils?file=f.csv&commit=1", "head-a",
            "Code Massar,Nom (arabe),Prénom (arabe),Sexe,Date de naissance,Code GRESA,Année "
            "scolaire,Niveau,Classe\nF000000001,الفاسي,فاطمة,F,2017-03-01," +
                kSchoolA + ",2024-2025,2AP,1-1\n");
  api_.call("POST", "/api/v1/imports/households?file=h.csv&commit=1", "head-a",
            "Code Massar,CIN du tuteur,Nom du tuteur,Lien de parenté\nR938826497,ZZ100,خديجة "
            "الفاسي,الأم\n");
  // The asking side follows its requests, without the school that holds the pupil.
  auto sent = api_.get("/api/v1/requests?box=outgoing", "head-a");
  ASSERT_EQ(sent["items"].size(), 2u);
  EXPECT_EQ(sent["pending"]["outgoing"], 2);
  EXPECT_EQ(sent["items"].dump().find(kSchoolX), std::string::npos);
  EXPECT_EQ(api_.get("/api/v1/requests", "head-a")["items"].size(), 0u);
  // The holding school receives both; a statistician may not look; bad filters are 400.
  auto in = api_.get("/api/v1/requests?state=pending", "head-x");
  ASSERT_EQ(in["items"].size(), 2u);
  api_.get("/api/v1/requests", "stat", 403);
  api_.get("/api/v1/requests?box=all", "head-x", 400);
  api_.get("/api/v1/requests?state=done", "head-x", 400);
  int64_t transfer = 0, link = 0;
  for (const auto& i : in["items"]) (i["kind"] == "transfer" ? transfer : link) = i["id"];
  const std::string t = "/api/v1/requests/" + std::to_string(transfer);
  const std::string l = "/api/v1/requests/" + std::to_string(link);
  // Only the holders decide; another scope gets "not found", as for a request that is not there.
  EXPECT_EQ(api_.call("POST", t + "/accept", "head-a", "{}").status, 404);
  EXPECT_EQ(api_.call("POST", "/api/v1/requests/999999/accept", "head-x", "{}").status, 404);
  auto no_note = api_.call("POST", l + "/refuse", "head-x", "{}");
  EXPECT_EQ(no_note.status, 422);
  EXPECT_FALSE(json::parse(no_note.body)["message_ar"].get<std::string>().empty());
  EXPECT_EQ(api_.call("POST", t + "/accept", "head-x", R"({"left_date":"2030-01-01"})").status,
            422);
  EXPECT_EQ(api_.call("POST", t + "/accept", "head-x", R"({"left_date":5})").status, 400);
  auto refused = api_.call("POST", l + "/refuse", "head-x", R"({"note":"not the same mother"})");
  ASSERT_EQ(refused.status, 200) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["state"], "refused");
  auto accepted = api_.call("POST", t + "/accept", "dir-x", R"({"left_date":"2025-01-15"})");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(json::parse(accepted.body)["state"], "accepted");
  EXPECT_EQ(api_.call("POST", t + "/accept", "head-x", "{}").status, 422);  // once
  // The pupil is now A's: its head reads him, and he left X on that day.
  api_.get("/api/v1/pupils/F000000001", "head-a");
  EXPECT_EQ(field("SELECT status || ' ' || left_date FROM enrolments e JOIN schools s ON s.id = "
                  "e.school_id WHERE s.code = '04X00001A'"),
            "transferred 2025-01-15");
  auto after = api_.get("/api/v1/requests?box=outgoing", "head-a");
  EXPECT_EQ(after["pending"]["outgoing"], 0);
  EXPECT_EQ(st().audit_latest("household_link R938826497", 1).at(0).action, "request-refuse");
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportScopeApi, ::testing::Values("sqlite", "postgres"),
                         sanad::testing::backend_name);

}  // namespace
