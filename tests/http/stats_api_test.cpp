// The statistics routes as a user meets them, on both backends: a territory's dashboard gives the
// figures the engine computes, rankings put the best first, every figure leads to exactly the
// pupils behind it, nobody reads another scope's figures, values are submitted below and approved
// above; and the exchange's deliveries land in the outbox, are logged, and are retried.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/app/accounts.hpp"
#include "core/http/api.hpp"
#include "http/signed_in.hpp"
#include "registry/app/demo.hpp"
#include "stats/app/delivery.hpp"
#include "stats/app/stats.hpp"
#include "store/backend.hpp"

using namespace sanad;
using namespace sanad::app;
using namespace sanad::http;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kPw = "correct horse 42";

class StatsApi : public sanad::testing::BothBackends {
 protected:
  void SetUp() override {
    BothBackends::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    DemoOptions d;
    d.communes = 4;
    run_demo(st(), d);
    school = *st().db().scalar_text(
        "SELECT s.code FROM schools s JOIN communes c ON c.code = s.commune_code WHERE "
        "c.directorate_code = '03.531' ORDER BY s.code LIMIT 1");
    // A school of another region (the demo fills one province).
    auto commune = st().db().scalar_text(
        "SELECT code FROM communes WHERE region_code = '04' ORDER BY code LIMIT 1");
    ASSERT_TRUE(commune);
    other_school = "04000001X";
    store::Transaction tx(st().db());
    st().put_schools({{other_school,
                       "مدرسة أخرى",
                       "Autre école",
                       {"primary"},
                       *commune,
                       "urban",
                       "public",
                       0,
                       false}});
    tx.commit();
    for (auto [login, role, scope] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"admin", "national_admin", "MA"},
             {"academy", "academy_officer", "03"},
             {"manager", "directorate_manager", "03.531"},
             {"stat", "statistician", "03"},
             {"stat-rabat", "statistician", "04"},
             {"head", "school_head", school},
             {"auditor", "auditor", "03.531"}})
      add_user(st(), {login, "Test " + login, role, scope, kPw}, "test", "local");
  }
  void TearDown() override {
    configure_delivery(std::nullopt);
    BothBackends::TearDown();
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
  static const json& indicator(const json& dash, const std::string& code) {
    for (const auto& i : dash["indicators"])
      if (i["code"] == code) return i;
    static const json none;
    ADD_FAILURE() << "no indicator " << code;
    return none;
  }
  std::string school, other_school;
  sanad::testing::SignedIn api_{[this]() -> store::Store& { return st(); }, kPw};
};

TEST_P(StatsApi, DashboardGivesTheEnginesFiguresWithTheirParts) {
  auto snap = compute_stats(st(), "2025-2026");
  auto catalogue = get("/api/v1/stats/catalogue", "manager");
  ASSERT_TRUE(catalogue.is_array());
  bool gpi = false;
  for (const auto& d : catalogue) gpi = gpi || d["code"] == "GPI";
  EXPECT_TRUE(gpi) << catalogue.dump().substr(0, 300);
  auto dir = get("/api/v1/stats/nodes/03.531", "manager");
  ASSERT_TRUE(dir.is_object());
  EXPECT_EQ(dir["year"], "2025-2026");
  EXPECT_EQ(dir["node"]["kind"], "directorate");
  EXPECT_FALSE(dir["node"]["name_ar"].get<std::string>().empty());
  ASSERT_EQ(dir["path"].size(), 2u);  // nation, region
  EXPECT_EQ(dir["path"][0]["code"], "MA");
  EXPECT_EQ(dir["path"][0]["in_scope"], false);  // above a directorate's manager
  const int32_t node = node_of(snap->tree, {NodeKind::directorate, "03.531"});
  for (const char* code : {"PUPILS", "GPI", "ABSENCE_RATE", "PUPILS_PER_SCHOOL"}) {
    const auto& i = indicator(dir, code);
    auto f = snap->cube->figure(*snap->cube->indicator(code), node);
    ASSERT_TRUE(f.value) << code;
    EXPECT_NEAR(i["figure"]["value"].get<double>(), *f.value, 1e-6) << code;
    EXPECT_EQ(i["figure"]["numerator"], f.numerator) << code;
    ASSERT_EQ(i["trend"].size(), 1u);  // one school year in this registry
    EXPECT_NEAR(i["trend"][0]["value"].get<double>(), *f.value, 1e-6);
  }
  // The parts of a count add up to its total: girls and boys, each level.
  const auto& pupils = indicator(dir, "PUPILS");
  int64_t by_sex = 0, by_level = 0;
  for (const auto& b : pupils["by"]) {
    if (b["dimension"] == "sex") by_sex += b["figure"]["numerator"].get<int64_t>();
    if (b["dimension"] == "level") by_level += b["figure"]["numerator"].get<int64_t>();
  }
  EXPECT_EQ(by_sex, pupils["figure"]["numerator"]);
  EXPECT_EQ(by_level, pupils["figure"]["numerator"]);
  // Children: the communes that have schools, whose pupils add up to the directorate's.
  int64_t sum = 0;
  for (const auto& c : dir["children"]) {
    EXPECT_EQ(c["kind"], "commune");
    sum += indicator(get("/api/v1/stats/nodes/" + c["code"].get<std::string>(), "manager"),
                     "PUPILS")["figure"]["numerator"]
               .get<int64_t>();
  }
  EXPECT_EQ(sum, pupils["figure"]["numerator"]);
  // Exactly the communes that have schools (the others have no figures to show).
  EXPECT_EQ(static_cast<int64_t>(dir["children"].size()),
            *st().db().scalar_i64("SELECT count(DISTINCT s.commune_code) FROM schools s JOIN "
                                  "communes c ON c.code = s.commune_code WHERE "
                                  "c.directorate_code = '03.531'"));
  EXPECT_EQ(get("/api/v1/stats/nodes/03.531/rank?indicator=PUPILS", "manager")["items"].size(),
            dir["children"].size());
  EXPECT_EQ(dir["may_approve"], false);  // its own level submits, the academy approves
  EXPECT_EQ(get("/api/v1/stats/nodes/03", "academy")["may_approve"], false);
  EXPECT_EQ(get("/api/v1/stats/nodes/03.531", "academy")["may_approve"], true);
  get("/api/v1/stats/nodes/03.531?year=1999-2000", "manager", 400);
  get("/api/v1/stats/nodes/03.531?year=banana", "manager", 400);
}

TEST_P(StatsApi, NobodyReadsTheFiguresOfAnotherScope) {
  auto missing = call("GET", "/api/v1/stats/nodes/NOSUCH99", "admin");
  ASSERT_EQ(missing.status, 404);
  const std::vector<std::string> routes = {
      "/api/v1/stats/nodes/{}",
      "/api/v1/stats/nodes/{}/rank?indicator=PUPILS",
      "/api/v1/stats/nodes/{}/pupils?indicator=PUPILS",
      "/api/v1/stats/nodes/{}/export?format=csv",
  };
  struct Case {
    std::string who, mine, foreign;
  };
  for (const auto& c : std::vector<Case>{{"head", school, other_school},
                                         {"head", school, "MA"},
                                         {"manager", "03.531", "03"},
                                         {"stat", "03", "04"},
                                         {"stat-rabat", "04", "03.531"},
                                         {"auditor", "03.531", other_school}}) {
    for (const auto& r : routes) {
      auto own = call("GET", fmt::format(fmt::runtime(r), c.mine), c.who);
      const bool exports = r.find("/export") != std::string::npos;
      const bool may_export = c.who != "auditor";
      EXPECT_EQ(own.status, exports && !may_export ? 403 : 200) << c.who << " " << r << own.body;
      auto other = call("GET", fmt::format(fmt::runtime(r), c.foreign), c.who);
      if (exports && !may_export) {
        EXPECT_EQ(other.status, 403) << c.who << " " << r;
      } else {
        EXPECT_EQ(other.status, 404) << c.who << " " << r;
        EXPECT_EQ(other.body, missing.body);
      }
    }
  }
}

TEST_P(StatsApi, RankingPutsTheBestFirstAndEachFigureLeadsToItsPupils) {
  auto rank = get("/api/v1/stats/nodes/03.531/rank?indicator=ABSENCE_RATE", "manager");
  ASSERT_GE(rank["items"].size(), 2u);
  EXPECT_EQ(rank["direction"], "lower");
  double prev = -1;
  for (const auto& it : rank["items"]) {
    if (it["figure"]["value"].is_null()) continue;
    EXPECT_GE(it["figure"]["value"].get<double>(), prev);  // lowest absence first
    prev = it["figure"]["value"].get<double>();
  }
  EXPECT_EQ(rank["best"], rank["items"][0]["code"]);
  auto schools = get("/api/v1/stats/nodes/03.531/rank?indicator=PUPILS&of=schools", "manager");
  int64_t total = 0;
  std::set<std::string> codes;
  for (const auto& it : schools["items"]) {
    EXPECT_EQ(it["kind"], "school");
    codes.insert(it["code"]);
    total += it["figure"]["numerator"].get<int64_t>();
  }
  EXPECT_TRUE(codes.count(school));
  EXPECT_FALSE(codes.count(other_school));
  auto dash = get("/api/v1/stats/nodes/03.531", "manager");
  EXPECT_EQ(total, indicator(dash, "PUPILS")["figure"]["numerator"]);
  get("/api/v1/stats/nodes/03.531/rank?indicator=NOPE", "manager", 400);
  get("/api/v1/stats/nodes/03.531/rank?indicator=PUPILS&dimension=sex&value=X", "manager", 400);

  // The girls of the head's school: exactly the figure's count, all girls, all of that school.
  auto mine = get("/api/v1/stats/nodes/" + school, "head");
  int64_t girls = 0;
  for (const auto& b : indicator(mine, "PUPILS")["by"])
    if (b["dimension"] == "sex" && b["value"] == "F") girls = b["figure"]["numerator"];
  ASSERT_GT(girls, 0);
  auto page = get("/api/v1/stats/nodes/" + school +
                      "/pupils?indicator=PUPILS&dimension=sex&value=F&page_size=200",
                  "head");
  EXPECT_EQ(page["total"], girls);
  EXPECT_EQ(page["items"].size(), static_cast<std::size_t>(std::min<int64_t>(girls, 200)));
  for (const auto& p : page["items"]) {
    EXPECT_EQ(p["sex"], "F");
    EXPECT_EQ(p["school"], school);
  }
  // The absence rate's denominator is every pupil of the school.
  auto den =
      get("/api/v1/stats/nodes/" + school + "/pupils?indicator=ABSENCE_RATE&denominator=1", "head");
  EXPECT_EQ(den["total"], indicator(mine, "PUPILS")["figure"]["numerator"]);
  get("/api/v1/stats/nodes/" + school + "/pupils?indicator=PUPILS&page_size=500", "head", 400);
}

TEST_P(StatsApi, FiguresExportAsASpreadsheet) {
  auto x = call("GET", "/api/v1/stats/nodes/03.531/export", "manager");
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_NE(x.content_type.find("spreadsheetml"), std::string::npos);
  EXPECT_EQ(x.body.substr(0, 2), "PK");
  auto c = call("GET", "/api/v1/stats/nodes/03.531/export?format=csv&lang=fr", "manager");
  ASSERT_EQ(c.status, 200);
  auto dash = get("/api/v1/stats/nodes/03.531", "manager");
  const auto& pupils = indicator(dash, "PUPILS");
  EXPECT_NE(c.body.find(fmt::format("PUPILS,{},Total,{},{}", pupils["name_fr"].get<std::string>(),
                                    pupils["figure"]["display"].get<std::string>(),
                                    pupils["figure"]["numerator"].get<int64_t>())),
            std::string::npos)
      << c.body.substr(0, 400);
  EXPECT_NE(c.body.find("PUPILS," + pupils["name_fr"].get<std::string>() + ",F,"),
            std::string::npos);  // the parts, named in French
  EXPECT_EQ(call("GET", "/api/v1/stats/nodes/03.531/export?format=pdf", "manager").status, 400);
}

TEST_P(StatsApi, ValuesAreSubmittedBelowAndApprovedAbove) {
  const std::string to = "/api/v1/stats/nodes/03.531/";
  auto target = json{{"indicator", "GPI"}, {"baseline", 0.8}, {"target", 1.0}}.dump();
  EXPECT_EQ(call("POST", to + "target", "head", target).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/stats/nodes/04/target", "manager", target).status, 404);
  ASSERT_EQ(call("POST", to + "target", "manager", target).status, 200);
  auto gpi = indicator(get(to.substr(0, to.size() - 1), "manager"), "GPI");
  EXPECT_EQ(gpi["target"]["target"], 1.0);
  ASSERT_TRUE(gpi["target"]["progress"].is_number());
  EXPECT_GE(gpi["target"]["progress"].get<double>(), 0.0);
  EXPECT_LE(gpi["target"]["progress"].get<double>(), 1.0);
  EXPECT_EQ(call("POST", to + "target", "manager", R"({"indicator":"GPI","baseline":"x"})").status,
            400);

  auto move = [&](const std::string& who, const std::string& action, const std::string& note = "") {
    return call("POST", to + "report", who,
                json{{"indicator", "GPI"}, {"action", action}, {"note", note}}.dump());
  };
  EXPECT_EQ(move("manager", "approve").status, 403);  // not its own value
  auto sub = move("manager", "submit");
  ASSERT_EQ(sub.status, 200) << sub.body;
  EXPECT_EQ(json::parse(sub.body)["state"], "submitted");
  EXPECT_NEAR(json::parse(sub.body)["value"].get<double>(), gpi["figure"]["value"].get<double>(),
              1e-9);
  EXPECT_EQ(move("academy", "return").status, 422);  // a return says why
  EXPECT_EQ(move("academy", "return", "girls of 6AP missing").status, 200);
  EXPECT_EQ(move("manager", "submit").status, 200);
  EXPECT_EQ(move("stat-rabat", "approve").status, 404);
  auto ok = move("academy", "approve");
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(json::parse(ok.body)["updated_by"], "academy");
  EXPECT_EQ(move("academy", "approve").status, 422);  // approved once
  EXPECT_EQ(indicator(get(to.substr(0, to.size() - 1), "auditor"), "GPI")["report"]["state"],
            "approved");
  // Without the CSRF token nothing moves.
  auto [cookie, csrf] = session("manager");
  EXPECT_EQ(handle_api(st(), {"POST", to + "target", cookie, "", target, "127.0.0.1", false,
                              "application/json", false})
                .status,
            403);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_P(StatsApi, ExchangeIsDeliveredToTheOutboxLoggedAndRetried) {
  EXPECT_EQ(call("POST", "/api/v1/exchange/deliveries", "admin").status, 409);  // nowhere to send
  fs::path outbox = fs::temp_directory_path() / ("sanad-outbox-" + random_token().substr(0, 8));
  DeliveryConfig c;
  c.destination = outbox.string();
  c.send = outbox_sender(outbox.string());
  c.sdmx_dir = SANAD_TEST_DATA_DIR "/../../data/sdmx-2.1/schemas";
  c.every_seconds = 3600;
  c.retries = 2;
  c.retry_seconds = 60;
  configure_delivery(c);
  EXPECT_EQ(call("POST", "/api/v1/exchange/deliveries", "stat").status, 403);  // a region's
  auto r = call("POST", "/api/v1/exchange/deliveries", "admin");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = json::parse(r.body);
  EXPECT_EQ(d["status"], "ok");
  EXPECT_EQ(d["year"], "2025-2026");
  // One complete folder, whose checksums are those logged.
  std::vector<fs::path> folders;
  for (const auto& e : fs::directory_iterator(outbox)) folders.push_back(e.path());
  ASSERT_EQ(folders.size(), 1u);
  EXPECT_EQ(folders[0].filename().string().rfind("SANAD_2025-2026_", 0), 0u);
  auto data = slurp(folders[0] / "SANAD_2025-2026.xml");
  EXPECT_EQ(store::sha256_hex(data), d["sha256"]);
  EXPECT_NE(slurp(folders[0] / "SHA256SUMS")
                .find(d["sha256"].get<std::string>() + "  SANAD_2025-2026.xml"),
            std::string::npos);
  EXPECT_EQ(d["files"].size(), 4u);

  // The schedule: the next regular slot an hour after, not before.
  const int64_t t0 = std::time(nullptr);
  EXPECT_FALSE(deliver_if_due(st(), t0 + 10));
  // A destination that refuses: logged as failed, retried after 60 s then 120 s, then left
  // until the next slot.
  int calls = 0;
  c.send = [&](const std::vector<DeliveryFile>&) {
    ++calls;
    throw DeliveryError("connection refused");
  };
  configure_delivery(c);
  auto f1 = deliver_if_due(st(), t0 + 3700);
  ASSERT_TRUE(f1);
  EXPECT_EQ(f1->status, "failed");
  EXPECT_EQ(f1->attempt, 1);
  EXPECT_EQ(f1->error, "connection refused");
  const int64_t end1 = f1->finished_epoch;
  EXPECT_FALSE(deliver_if_due(st(), end1 + 30));
  auto f2 = deliver_if_due(st(), end1 + 61);
  ASSERT_TRUE(f2);
  EXPECT_EQ(f2->attempt, 2);
  EXPECT_EQ(f2->trigger, "retry");
  // The log's times are the clock's; the schedule reads them back.
  EXPECT_FALSE(deliver_if_due(st(), f2->finished_epoch + 100));
  auto f3 = deliver_if_due(st(), f2->finished_epoch + 121);
  ASSERT_TRUE(f3);
  EXPECT_EQ(f3->attempt, 3);
  EXPECT_FALSE(deliver_if_due(st(), f3->finished_epoch + 1000));  // retries spent
  EXPECT_EQ(calls, 3);
  auto log = get("/api/v1/exchange/deliveries", "admin");
  EXPECT_EQ(log["configured"], true);
  ASSERT_EQ(log["items"].size(), 4u);
  EXPECT_EQ(log["items"][0]["status"], "failed");
  EXPECT_EQ(log["items"][3]["status"], "ok");
  get("/api/v1/exchange/deliveries", "head", 403);
  // A manual send while it fails answers 502 and is logged too.
  EXPECT_EQ(call("POST", "/api/v1/exchange/deliveries", "admin").status, 502);
  std::error_code ec;
  fs::remove_all(outbox, ec);
}

TEST(DeliverySchedule, SlotsRetriesAndStaleRuns) {
  DeliveryConfig c;
  c.every_seconds = 1000;
  c.retries = 1;
  c.retry_seconds = 10;
  auto row = [](int64_t start, int64_t end, int64_t attempt, const char* status) {
    store::DeliveryRow r;
    r.started_epoch = start;
    r.finished_epoch = end;
    r.attempt = attempt;
    r.status = status;
    return r;
  };
  EXPECT_TRUE(delivery_due({}, c, 0).due);
  EXPECT_FALSE(delivery_due({row(100, 110, 1, "ok")}, c, 1099).due);
  EXPECT_TRUE(delivery_due({row(100, 110, 1, "ok")}, c, 1100).due);
  EXPECT_FALSE(delivery_due({row(100, 110, 1, "running")}, c, 1200).due);   // someone is on it
  auto stale = delivery_due({row(100, 110, 1, "running")}, c, 100 + 3600);  // … who died
  EXPECT_TRUE(stale.due);
  EXPECT_EQ(stale.attempt, 2);
  auto retry = delivery_due({row(100, 110, 1, "failed")}, c, 120);
  EXPECT_TRUE(retry.due);
  EXPECT_EQ(retry.trigger, "retry");
  // Retries spent: the next slot counts from the first attempt of the series.
  std::vector<store::DeliveryRow> spent = {row(120, 130, 2, "failed"), row(100, 110, 1, "failed")};
  EXPECT_FALSE(delivery_due(spent, c, 1099).due);
  auto next = delivery_due(spent, c, 1100);
  EXPECT_TRUE(next.due);
  EXPECT_EQ(next.attempt, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, StatsApi, ::testing::Values("sqlite", "postgres"),
                         sanad::testing::backend_name);

}  // namespace
