// The Tayssir engine on hand-made registries: the published rules pinned one by one.
#include <fmt/format.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <tuple>

#include "core/app/appeals.hpp"
#include "core/app/school_checks.hpp"
#include "kernel/dates.hpp"
#include "modules/tayssir/app/tayssir.hpp"
#include "modules/tayssir/domain/tayssir.hpp"

using namespace sanad;
using namespace sanad::tayssir;

namespace {

constexpr const char* kRural = "01.511.01.01";
constexpr const char* kUrban = "01.511.01.02";
constexpr const char* kFormerlyCovered = "01.511.01.03";

// A small registry: three communes (rural, urban, rural formerly covered), one school in each,
// every month of 2025-2026 loaded.
struct Registry {
  Snapshot s;
  Registry() {
    s.commune_code = {kRural, kUrban, kFormerlyCovered};
    s.commune_rural = {1, 0, 1};
    s.school_code = {"R001", "U001", "F001"};
    s.school_commune = {0, 1, 2};
    s.months = published_policy("2025-2026").months;
  }
  int32_t household(const std::string& cin, const std::string& name, bool ramed = true) {
    s.household_cin.push_back(cin);
    s.household_name_norm.push_back(name);
    s.household_ramed.push_back(ramed ? 1 : 0);
    return static_cast<int32_t>(s.household_cin.size() - 1);
  }
  int32_t pupil(const std::string& massar, const std::string& level, int32_t school,
                int32_t household, Status status = Status::enrolled,
                const std::string& left_month = "", const std::string& birth = "") {
    s.pupil_id.push_back(static_cast<int64_t>(s.massar.size()) + 100);
    s.massar.push_back(massar);
    s.name_ar_key.push_back(std::hash<std::string>{}(massar) | 1);  // distinct names
    s.name_fr_key.push_back(0);
    s.birth_day.push_back(birth.empty() ? kNoDate
                                        : static_cast<int32_t>(parse_iso_date(birth)->days()));
    auto it = std::find(s.level_codes.begin(), s.level_codes.end(), level);
    if (it == s.level_codes.end()) {
      s.level_codes.push_back(level);
      it = s.level_codes.end() - 1;
    }
    s.level.push_back(static_cast<uint8_t>(it - s.level_codes.begin()));
    s.status.push_back(status);
    s.left_month.push_back(left_month);
    s.school.push_back(school);
    s.household.push_back(household);
    s.in_scope.push_back(1);
    s.absent_unjustified.resize(s.absent_unjustified.size() + s.months.size(), 0);
    s.absent_justified.resize(s.absent_justified.size() + s.months.size(), 0);
    return static_cast<int32_t>(s.massar.size() - 1);
  }
  void absent(int32_t pupil, const std::string& month, int unjustified, int justified = 0) {
    std::size_t cell = static_cast<std::size_t>(pupil) * s.months.size() +
                       static_cast<std::size_t>(s.month_index(month));
    s.absent_unjustified[cell] = static_cast<uint8_t>(unjustified);
    s.absent_justified[cell] = static_cast<uint8_t>(justified);
  }
};

const Period& period(const Policy& p, const std::string& code) {
  for (const auto& per : p.periods)
    if (per.code == code) return per;
  throw std::runtime_error("no period " + code);
}

const PupilLine& line_of(const CycleResult& r, int32_t pupil) {
  for (const auto& l : r.lines)
    if (l.pupil == pupil) return l;
  throw std::runtime_error("no line");
}

}  // namespace

TEST(TayssirPolicy, PublishedValuesAreTheDefaults) {
  Policy p = published_policy("2025-2026");
  EXPECT_TRUE(validate(p).empty());
  EXPECT_EQ(p.amounts.at("1AP"), 6000);  // 60 MAD in centimes
  EXPECT_EQ(p.amounts.at("2AP"), 6000);
  EXPECT_EQ(p.amounts.at("3AP"), 8000);
  EXPECT_EQ(p.amounts.at("4AP"), 8000);
  EXPECT_EQ(p.amounts.at("5AP"), 10000);
  EXPECT_EQ(p.amounts.at("6AP"), 10000);
  EXPECT_EQ(p.amounts.at("1AC"), 14000);
  EXPECT_EQ(p.amounts.at("3AC"), 14000);
  EXPECT_FALSE(p.amounts.count("TC"));
  EXPECT_EQ(p.months.size(), 10u);
  EXPECT_EQ(p.months.front(), "2025-09");
  EXPECT_EQ(p.months.back(), "2026-06");
  EXPECT_EQ(p.absence_threshold.at("primaire"), 4);
  EXPECT_EQ(p.absence_threshold.at("college"), 6);
  EXPECT_EQ(p.household_cap, 3);
  ASSERT_EQ(p.periods.size(), 3u);
  EXPECT_EQ(p.periods[0].months,
            (std::vector<std::string>{"2025-09", "2025-10", "2025-11", "2025-12"}));
  EXPECT_EQ(p.periods[1].months, (std::vector<std::string>{"2026-01", "2026-02", "2026-03"}));
  EXPECT_EQ(p.periods[2].months, (std::vector<std::string>{"2026-04", "2026-05", "2026-06"}));
}

TEST(TayssirPolicy, CopyForAnotherYearMovesMonthsAndPeriods) {
  Policy p = policy_for_year(published_policy("2025-2026"), "2026-2027", "tayssir-next");
  EXPECT_TRUE(validate(p).empty());
  EXPECT_EQ(p.code, "tayssir-next");
  EXPECT_EQ(p.name_fr, "Tayssir 2026-2027");
  EXPECT_EQ(p.months.front(), "2026-09");
  EXPECT_EQ(p.periods[1].months.front(), "2027-01");
}

TEST(TayssirPolicy, ValidationNamesEachProblem) {
  Policy p = published_policy("2025-2026");
  p.amounts["1AP"] = -100;
  p.periods[1].months.push_back("2025-12");  // also in T1
  p.periods[2].months.push_back("2026-07");  // not a covered month
  p.absence_threshold.erase("college");
  p.targets.push_back({"college", {"nonsense"}, "", "", 0});
  auto problems = validate(p);
  auto has = [&](const std::string& s) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& x) { return x.find(s) != std::string::npos; });
  };
  EXPECT_TRUE(has("the amount for 1AP is negative"));
  EXPECT_TRUE(has("T1 and T2 overlap on 2025-12"));
  EXPECT_TRUE(has("T3 pays 2026-07, a month the policy does not cover"));
  EXPECT_TRUE(has("no absence threshold for the cycle college"));
  EXPECT_TRUE(has("\"nonsense\" is not a commune code"));
  EXPECT_EQ(problems.size(), 5u);
}

// Every problem the validation can name is said in Arabic and French too, with its values.
TEST(TayssirPolicy, EveryProblemIsSaidInArabicAndFrench) {
  std::vector<Policy> bad;
  Policy a = published_policy("2025-2026");
  a.code = "bad code!";
  a.school_year = "2025";
  a.program = "";
  a.months = {"x"};
  a.amounts.clear();
  a.periods.clear();
  a.absence_threshold = {{"nope", 40}};
  a.household_cap = 99;
  a.targets = {{"nope", {}, "", "", 0}};
  bad.push_back(a);
  Policy b = published_policy("2025-2026");
  b.code = "";
  b.months.push_back("2024-09");
  b.amounts["ZZ"] = 100;
  b.amounts["1AP"] = -1;
  b.absence_threshold.erase("college");
  b.targets.push_back({"college", {"nonsense"}, "space", "poverty_rate", std::nan("")});
  b.ramed_exempt_communes = {"x"};
  b.periods.push_back({"", "", "", {}});
  b.periods.push_back(b.periods[0]);
  b.periods[1].months.push_back("2025-12");
  b.periods[2].months.push_back("2026-07");
  bad.push_back(b);
  Policy c = published_policy("2025-2026");
  c.months.clear();
  std::erase_if(c.targets, [](const TargetRule& t) { return t.cycle == "primaire"; });
  bad.push_back(c);

  std::set<std::string_view> seen;
  for (const auto& p : bad)
    for (const auto& pr : problems(p)) {
      seen.insert(pr.templ);
      EXPECT_TRUE(sanad::app::policy_problem_listed(pr.templ)) << pr.templ;
      const std::string ar = sanad::app::render_problem(pr, Lang::ar);
      const std::string fr = sanad::app::render_problem(pr, Lang::fr);
      EXPECT_NE(ar, pr.message) << pr.templ;
      EXPECT_NE(fr, pr.message) << pr.templ;
      for (const auto& arg : pr.args) {
        EXPECT_NE(ar.find(arg), std::string::npos) << ar << " lacks " << arg;
        EXPECT_NE(fr.find(arg), std::string::npos) << fr << " lacks " << arg;
      }
    }
  EXPECT_EQ(seen.size(), 26u);  // every sentence of the validation met once at least
}

// A wrong field of a policy's JSON is named with what is wrong, in Arabic and French too.
TEST(TayssirPolicy, AWrongFieldIsSaidInArabicAndFrench) {
  auto j = nlohmann::json::parse(sanad::app::policy_to_json(published_policy("2025-2026")));
  auto refusal = [](const nlohmann::json& doc) {
    try {
      sanad::app::policy_from_json(doc.dump());
    } catch (const sanad::app::TayssirError& e) {
      return e;
    }
    return sanad::app::TayssirError("accepted");
  };
  auto bad = j;
  bad["absence_threshold_days"]["primaire"] = -3;
  auto e = refusal(bad);
  EXPECT_EQ(std::string(e.what()), "policy: absence_threshold_days.primaire must be 0 to 31");
  EXPECT_EQ(e.message_ar, "السياسة: الحقل absence_threshold_days.primaire يجب أن يكون بين 0 و31");
  EXPECT_EQ(e.message_fr,
            "politique : le champ absence_threshold_days.primaire doit être de 0 à 31");
  bad = j;
  bad["surprise"] = 1;
  EXPECT_NE(refusal(bad).message_ar.find("surprise ليس حقلا من حقول السياسة"), std::string::npos);
  bad = j;
  bad["household_cap"] = "three";
  EXPECT_NE(refusal(bad).message_fr.find("household_cap doit être un nombre entier"),
            std::string::npos);
  bad = j;
  bad["cap_rule"] = "random";
  EXPECT_NE(refusal(bad).message_ar.find("cap_rule يجب أن يكون largest_amount"), std::string::npos);
}

// The templates `function("…" "…", …)` is called with in `src` (string literals joined).
std::vector<std::string> templates_passed_to(const std::string& src, const std::string& function) {
  const std::regex call(function + R"re(\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+))re");
  const std::regex literal(R"re("((?:[^"\\]|\\.)*)")re");
  const std::regex escaped_quote(R"re(\\")re");
  std::vector<std::string> out;
  for (std::sregex_iterator it(src.begin(), src.end(), call), end; it != end; ++it) {
    std::string templ;
    const std::string lits = (*it)[1];
    for (std::sregex_iterator l(lits.begin(), lits.end(), literal); l != end; ++l)
      templ += std::regex_replace((*l)[1].str(), escaped_quote, "\"");
    out.push_back(templ);
  }
  return out;
}

// Every refusal the Tayssir use cases write (refuse("…", …) in app/tayssir_*.cpp) and every
// reason of an adjustment line (adjustment_reason("…", …)) is said in Arabic and French, each
// translation with as many values as the English.
TEST(TayssirPolicy, EveryRefusalOfTheUseCasesIsTranslated) {
  const std::filesystem::path app =
      std::filesystem::path(SANAD_EXAMPLES_DIR) / "../../../src/modules/tayssir/app";
  std::string src;
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(app)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("tayssir_", 0) != 0 || e.path().extension() != ".cpp") continue;
    std::ifstream in(e.path());
    src.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    ++files;
  }
  ASSERT_GE(files, 6) << "the sources of the use cases in " << app;
  const auto refusals = templates_passed_to(src, "refuse");
  for (const auto& templ : refusals)
    EXPECT_TRUE(sanad::app::refusal_listed(templ)) << "not translated: " << templ;
  EXPECT_GE(refusals.size(),
            40u);  // the scan found the calls (checks and appeals say theirs in core/)
  const auto reasons = templates_passed_to(src, "adjustment_reason");
  for (const auto& templ : reasons)
    EXPECT_TRUE(sanad::app::adjustment_reason_listed(templ)) << "not translated: " << templ;
  EXPECT_EQ(reasons.size(), 7u);
  EXPECT_TRUE(sanad::app::translations_complete());
  const auto fr = sanad::app::render_refusal("cycle {} is {}: schools check a draft",
                                             {"3", "approved"}, Lang::fr, "");
  EXPECT_EQ(fr, "le cycle 3 est approved : les établissements vérifient un brouillon");
  EXPECT_TRUE(sanad::app::school_check_sentences_complete());  // the core's checks, which it uses
  EXPECT_TRUE(sanad::app::appeal_sentences_complete());        // and appeals
}

// An adjustment's reason is kept as its template and values: a list says it in its language,
// decisions included; a row from before (English only) shows its English.
TEST(TayssirPolicy, AdjustmentReasonsAreSaidInTheListsLanguage) {
  using sanad::tayssir::Reason;
  auto why = sanad::app::adjustment_reason("{}: decision {} → {}",
                                           {"T1", "eligible", "household_cap"}, {1, 2});
  EXPECT_EQ(why.english, "T1: decision eligible → household_cap");
  sanad::store::AdjustmentRow a;
  a.reason = why.english;
  a.reason_detail = why.detail;
  EXPECT_EQ(sanad::app::render_adjustment_reason(a, Lang::fr),
            fmt::format("T1 : décision {} → {}", reason_label(Reason::eligible, false),
                        reason_label(Reason::household_cap, false)));
  EXPECT_EQ(sanad::app::render_adjustment_reason(a, Lang::ar),
            fmt::format("T1: القرار من {} إلى {}", reason_label(Reason::eligible, true),
                        reason_label(Reason::household_cap, true)));
  // The months of a line, kept as letters, are said as words.
  auto months =
      sanad::app::adjustment_reason("{}: months {} → {}, absence days {} → {}",
                                    {"T1", "PPF-", "PPPL", "0,0,6,0", "0,0,3,0"}, {}, {1, 2});
  EXPECT_EQ(months.english, "T1: months PPF- → PPPL, absence days 0,0,6,0 → 0,0,3,0");
  sanad::store::AdjustmentRow m;
  m.reason = months.english;
  m.reason_detail = months.detail;
  const std::string fr = sanad::app::render_adjustment_reason(m, Lang::fr);
  EXPECT_NE(fr.find("payé, payé, perdu (absences), non dû → payé, payé, payé, parti"),
            std::string::npos)
      << fr;
  const std::string ar = sanad::app::render_adjustment_reason(m, Lang::ar);
  EXPECT_NE(ar.find("مستحق، مستحق، ضائع (غياب)، غير مستحق"), std::string::npos) << ar;
  EXPECT_EQ(ar.find("PPF"), std::string::npos) << ar;

  a.reason_detail = "";
  EXPECT_EQ(sanad::app::render_adjustment_reason(a, Lang::ar), why.english);
  a.reason_detail = "{not json";
  EXPECT_EQ(sanad::app::render_adjustment_reason(a, Lang::ar), why.english);
}

TEST(TayssirCycle, TheFourAmounts) {
  Registry r;
  auto h1 = r.household("AB123456", "a"), h2 = r.household("AB123457", "b");
  auto p1 = r.pupil("A000000001", "1AP", 0, h1);
  auto p3 = r.pupil("A000000002", "3AP", 0, h1);
  auto p5 = r.pupil("A000000003", "5AP", 0, h2);
  auto c1 = r.pupil("A000000004", "1AC", 0, h2);
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  auto c = run_cycle(p, period(p, "T1"), r.s, e);
  EXPECT_EQ(line_of(c, p1).due, 4 * 6000);
  EXPECT_EQ(line_of(c, p3).due, 4 * 8000);
  EXPECT_EQ(line_of(c, p5).due, 4 * 10000);
  EXPECT_EQ(line_of(c, c1).due, 4 * 14000);
  EXPECT_EQ(c.total.due, 4 * (6000 + 8000 + 10000 + 14000));
  EXPECT_EQ(c.total.beneficiaries, 4);
  EXPECT_EQ(c.total.households, 2);
}

TEST(TayssirCycle, AbsenceThresholdPerCycle) {
  Registry r;
  auto h = r.household("AB123456", "a");
  auto prim = r.pupil("A000000001", "2AP", 0, h);
  auto col = r.pupil("A000000002", "2AC", 0, h);
  r.absent(prim, "2025-10", 4);     // 4: paid
  r.absent(prim, "2025-11", 5);     // 5: forfeited
  r.absent(prim, "2025-12", 2, 3);  // 2 + 3 justified: forfeited, justified count by default
  r.absent(col, "2025-10", 6);      // 6: paid in collège
  r.absent(col, "2025-11", 7);      // 7: forfeited
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  auto c = run_cycle(p, period(p, "T1"), r.s, e);
  EXPECT_EQ(line_of(c, prim).months, "PPFF");
  EXPECT_EQ(line_of(c, prim).due, 2 * 6000);
  EXPECT_EQ(line_of(c, prim).forfeited, 2 * 6000);
  EXPECT_EQ(line_of(c, prim).absences, (std::vector<uint8_t>{0, 4, 5, 5}));
  EXPECT_EQ(line_of(c, col).months, "PPFP");
  EXPECT_EQ(line_of(c, col).due, 3 * 14000);

  // Justified absences not counted: December is paid again.
  p.justified_absences_count = false;
  e = decide(p, r.s, {});
  c = run_cycle(p, period(p, "T1"), r.s, e);
  EXPECT_EQ(line_of(c, prim).months, "PPFP");
  EXPECT_EQ(line_of(c, prim).absences, (std::vector<uint8_t>{0, 4, 5, 2}));
}

TEST(TayssirCycle, HouseholdOfFourPaidForThreeByThePolicysRule) {
  Registry r;
  auto h = r.household("AB123456", "a");
  auto a = r.pupil("A000000004", "1AP", 0, h, Status::enrolled, "", "2019-03-01");  // 60
  auto b = r.pupil("A000000003", "3AP", 0, h, Status::enrolled, "", "2017-03-01");  // 80
  auto c = r.pupil("A000000002", "5AP", 0, h, Status::enrolled, "", "2015-03-01");  // 100
  auto d = r.pupil("A000000001", "1AC", 0, h, Status::enrolled, "", "2013-03-01");  // 140
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  // Default: the three largest amounts.
  EXPECT_EQ(e.reason[static_cast<std::size_t>(a)], Reason::household_cap);
  for (auto k : {b, c, d}) EXPECT_EQ(e.reason[static_cast<std::size_t>(k)], Reason::eligible);
  auto cyc = run_cycle(p, period(p, "T1"), r.s, e);
  EXPECT_EQ(cyc.total.due, 4 * (8000 + 10000 + 14000));
  EXPECT_EQ(cyc.total.households, 1);
  EXPECT_EQ(line_of(cyc, a).months, "----");

  // The three oldest: the same here; the three youngest leave out the collège pupil.
  p.cap_rule = CapRule::youngest;
  e = decide(p, r.s, {});
  EXPECT_EQ(e.reason[static_cast<std::size_t>(d)], Reason::household_cap);
  EXPECT_EQ(e.eligible(), 3);

  // Equal amounts: ties go by code Massar.
  Registry r2;
  auto h2 = r2.household("AB123456", "a");
  std::vector<int32_t> kids;
  for (auto m : {"A000000009", "A000000005", "A000000007", "A000000006"})
    kids.push_back(r2.pupil(m, "2AP", 0, h2));
  auto e2 = decide(published_policy("2025-2026"), r2.s, {});
  EXPECT_EQ(e2.reason[static_cast<std::size_t>(kids[0])], Reason::household_cap);

  // No cap.
  p = published_policy("2025-2026");
  p.household_cap = 0;
  EXPECT_EQ(decide(p, r.s, {}).eligible(), 4);
}

TEST(TayssirCycle, PupilWhoLeavesInFebruaryIsPaidUntilThatMonth) {
  Registry r;
  auto h = r.household("AB123456", "a");
  auto left = r.pupil("A000000001", "4AP", 0, h, Status::left, "2026-02");
  auto gone = r.pupil("A000000002", "4AP", 0, h, Status::left, "2025-08");
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  EXPECT_EQ(e.reason[static_cast<std::size_t>(left)], Reason::eligible);
  EXPECT_EQ(e.reason[static_cast<std::size_t>(gone)], Reason::left_school);
  auto t1 = run_cycle(p, period(p, "T1"), r.s, e);
  EXPECT_EQ(line_of(t1, left).months, "PPPP");
  auto t2 = run_cycle(p, period(p, "T2"), r.s, e);
  EXPECT_EQ(line_of(t2, left).months, "PPL");
  EXPECT_EQ(line_of(t2, left).due, 2 * 8000);
  EXPECT_EQ(line_of(t2, left).forfeited, 0);
  // Gone before the third transfer: listed as having left, not a beneficiary of it.
  auto t3 = run_cycle(p, period(p, "T3"), r.s, e);
  EXPECT_EQ(line_of(t3, left).due, 0);
  EXPECT_EQ(reason_code(line_of(t3, left).reason), "left_school");
  EXPECT_EQ(line_of(t3, left).months, "LLL");
  EXPECT_EQ(t2.total.beneficiaries, 1);
  EXPECT_EQ(t3.total.beneficiaries, 0);
  EXPECT_EQ(t3.total.pupils, 2);
}

// Come by a transfer in November from a school outside the scope: that school pays up to
// November, this one from December; absences before do not forfeit anything here.
TEST(TayssirCycle, PupilTransferredInIsPaidHereAfterTheMonthOfHisTransfer) {
  Registry r;
  auto h = r.household("AB123456", "a");
  auto came = r.pupil("A000000001", "4AP", 0, h);
  r.s.earlier[came] = {
      Stint{kNone, r.s.level[static_cast<std::size_t>(came)], Status::enrolled, 0, "2025-11"}};
  r.absent(came, "2025-10", 9);
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  EXPECT_EQ(e.reason[static_cast<std::size_t>(came)], Reason::eligible);
  auto t1 = run_cycle(p, period(p, "T1"), r.s, e);
  EXPECT_EQ(line_of(t1, came).months, "TTTP");
  EXPECT_EQ(line_of(t1, came).due, 8000);
  EXPECT_EQ(line_of(t1, came).forfeited, 0);
  EXPECT_EQ(line_of(run_cycle(p, period(p, "T2"), r.s, e), came).months, "PPP");
}

namespace {
// The lines of a pupil in a cycle, by school code.
std::map<std::string, PupilLine> lines_of(const CycleResult& r, const Snapshot& s, int32_t pupil) {
  std::map<std::string, PupilLine> out;
  for (const auto& l : r.lines)
    if (l.pupil == pupil) out[s.school_code[static_cast<std::size_t>(l.school)]] = l;
  return out;
}
}  // namespace

// Issue 26, item 1: a child who left before a transfer period takes no place in the household cap
// of that period (his brother is paid in his stead), is not counted as a beneficiary of it; one
// who forfeits every month of it for absences keeps his place.
TEST(TayssirCycle, TheHouseholdCapIsDecidedEachPeriodAmongTheChildrenWithAMonthDue) {
  Registry r;
  auto h = r.household("AB123456", "a");
  auto left = r.pupil("A000000001", "1AC", 0, h, Status::left, "2025-12");  // 140 MAD
  auto absent = r.pupil("A000000002", "1AC", 0, h);                         // 140 MAD
  auto third = r.pupil("A000000003", "5AP", 0, h);                          // 100 MAD
  auto fourth = r.pupil("A000000004", "1AP", 0, h);                         // 60 MAD
  for (const char* m : {"2026-01", "2026-02", "2026-03"}) r.absent(absent, m, 9);
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  auto t1 = run_cycle(p, period(p, "T1"), r.s, e);
  EXPECT_EQ(reason_code(line_of(t1, left).reason), "eligible");
  EXPECT_EQ(line_of(t1, left).months, "PPPP");
  EXPECT_EQ(reason_code(line_of(t1, fourth).reason), "household_cap");
  EXPECT_EQ(t1.total.beneficiaries, 3);

  auto t2 = run_cycle(p, period(p, "T2"), r.s, e);
  EXPECT_EQ(reason_code(line_of(t2, left).reason), "left_school");
  EXPECT_EQ(line_of(t2, left).due, 0);
  // Every month forfeited: his place kept.
  EXPECT_EQ(reason_code(line_of(t2, absent).reason), "eligible");
  EXPECT_EQ(line_of(t2, absent).months, "FFF");
  EXPECT_EQ(reason_code(line_of(t2, third).reason), "eligible");
  // The left child's place goes to the youngest.
  EXPECT_EQ(reason_code(line_of(t2, fourth).reason), "eligible");
  EXPECT_EQ(line_of(t2, fourth).due, 3 * 6000);
  EXPECT_EQ(t2.total.beneficiaries, 3);
  EXPECT_EQ(t2.total.pupils, 4);
  EXPECT_EQ(t2.total.due, 3 * 10000 + 3 * 6000);
}

// Issue 26, item 2: a pupil moved on a known date between two schools of the computed scope is
// judged month by month at the school he was at: a rural primary school (targeted) pays
// September to November, the month of the move included; the urban one (not targeted for
// primary) nothing. The other way round, one month. Each line is listed under its school, and
// the child counts once.
TEST(TayssirCycle, AMoveInsideTheScopeIsJudgedMonthByMonthAtTheSchoolOfThatMonth) {
  Registry r;
  auto h1 = r.household("AB000001", "a");
  auto h2 = r.household("AB000002", "b");
  // Rural (R001) until November, urban (U001) from December.
  auto to_town = r.pupil("A000000001", "4AP", 1, h1);
  r.s.earlier[to_town] = {
      Stint{0, r.s.level[static_cast<std::size_t>(to_town)], Status::enrolled, 1, "2025-11"}};
  // Urban until November, rural from December.
  auto to_village = r.pupil("A000000002", "4AP", 0, h2);
  r.s.earlier[to_village] = {
      Stint{1, r.s.level[static_cast<std::size_t>(to_village)], Status::enrolled, 1, "2025-11"}};
  r.absent(to_town, "2025-12", 20);  // at the urban school: not his rural school's to forfeit
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  EXPECT_EQ(reason_code(e.reason[static_cast<std::size_t>(to_town)]), "eligible");
  auto t1 = run_cycle(p, period(p, "T1"), r.s, e);
  auto a = lines_of(t1, r.s, to_town);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(reason_code(a["R001"].reason), "eligible");
  EXPECT_EQ(a["R001"].months, "PPPT");
  EXPECT_EQ(a["R001"].due, 3 * 8000);
  EXPECT_EQ(reason_code(a["U001"].reason), "commune_not_targeted");
  EXPECT_EQ(a["U001"].due, 0);
  auto b = lines_of(t1, r.s, to_village);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(reason_code(b["U001"].reason), "commune_not_targeted");
  EXPECT_EQ(b["R001"].months, "TTTP");
  EXPECT_EQ(b["R001"].due, 8000);
  EXPECT_EQ(t1.total.pupils, 2);
  EXPECT_EQ(t1.total.beneficiaries, 2);
  EXPECT_EQ(t1.total.due, 4 * 8000);
  // In the next period each is at his last school only.
  auto t2 = run_cycle(p, period(p, "T2"), r.s, e);
  EXPECT_EQ(lines_of(t2, r.s, to_town).size(), 1u);
  EXPECT_EQ(reason_code(lines_of(t2, r.s, to_town)["U001"].reason), "commune_not_targeted");
  EXPECT_EQ(lines_of(t2, r.s, to_village)["R001"].months, "PPP");
}

// A move from 6AP to 1AC is paid at each level for its months, each month's absences judged
// against its cycle's threshold.
TEST(TayssirCycle, AChangeOfLevelAtAMoveIsPaidAtEachLevelForItsMonths) {
  Registry r;
  auto h = r.household("AB000001", "a");
  auto pupil = r.pupil("A000000001", "1AC", 1, h);  // collège in town: targeted everywhere
  r.pupil("A000000009", "6AP", 0, kNone);           // makes 6AP a level of the snapshot
  const auto six = static_cast<uint8_t>(
      std::find(r.s.level_codes.begin(), r.s.level_codes.end(), "6AP") - r.s.level_codes.begin());
  r.s.earlier[pupil] = {Stint{0, six, Status::enrolled, 1, "2025-10"}};
  r.absent(pupil, "2025-11", 5);  // 5 days: over primary's 4, within collège's 6
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  EXPECT_EQ(e.monthly[static_cast<std::size_t>(pupil)], 14000);
  auto t1 = run_cycle(p, period(p, "T1"), r.s, e);
  auto l = lines_of(t1, r.s, pupil);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(r.s.level_codes[l["R001"].level], "6AP");
  EXPECT_EQ(l["R001"].monthly, 10000);
  EXPECT_EQ(l["R001"].months, "PPTT");
  EXPECT_EQ(r.s.level_codes[l["U001"].level], "1AC");
  EXPECT_EQ(l["U001"].monthly, 14000);
  EXPECT_EQ(l["U001"].months, "TTPP");
  EXPECT_EQ(t1.total.due, 2 * 10000 + 2 * 14000);
}

// Moved on a known date to a school outside the scope: this school pays up to the month of the
// move; the months after are another school's ('T'), and once every month of a period is
// there he is listed here as transferred, not as having left school.
TEST(TayssirCycle, APupilTransferredOutIsSaidTransferredNotLeft) {
  Registry r;
  auto h = r.household("AB000001", "a");
  auto pupil = r.pupil("A000000001", "4AP", kNone, h);
  r.s.in_scope[static_cast<std::size_t>(pupil)] = 0;
  r.s.earlier[pupil] = {
      Stint{0, r.s.level[static_cast<std::size_t>(pupil)], Status::enrolled, 1, "2025-10"}};
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  auto t1 = run_cycle(p, period(p, "T1"), r.s, e);
  EXPECT_EQ(line_of(t1, pupil).months, "PPTT");
  EXPECT_EQ(line_of(t1, pupil).due, 2 * 8000);
  auto t2 = run_cycle(p, period(p, "T2"), r.s, e);
  EXPECT_EQ(reason_code(line_of(t2, pupil).reason), "transferred_out");
  EXPECT_EQ(r.s.school_code[static_cast<std::size_t>(line_of(t2, pupil).school)], "R001");
  EXPECT_EQ(t2.total.beneficiaries, 0);
}

TEST(TayssirEligibility, TargetingAndRamedExemptionOfFormerlyCoveredCommunes) {
  Registry r;
  auto with = r.household("AB000001", "a", true);
  auto without = r.household("AB000002", "b", false);
  auto rural_prim = r.pupil("A000000001", "1AP", 0, with);
  auto urban_prim = r.pupil("A000000002", "1AP", 1, with);
  auto urban_col = r.pupil("A000000003", "1AC", 1, with);
  auto lycee = r.pupil("A000000004", "TC", 0, without);
  auto no_ramed = r.pupil("A000000005", "2AP", 0, without);
  auto no_ramed_exempt = r.pupil("A000000006", "2AP", 2, without);
  auto no_household = r.pupil("A000000007", "2AP", 0, kNone);
  auto moved = r.pupil("A000000008", "2AP", 0, with, Status::transferred_out);
  auto repeater = r.pupil("A000000009", "2AP", 2, without, Status::repeating);
  Policy p = published_policy("2025-2026");
  p.ramed_exempt_communes = {kFormerlyCovered};
  auto e = decide(p, r.s, {});
  auto why = [&](int32_t i) { return reason_code(e.reason[static_cast<std::size_t>(i)]); };
  EXPECT_EQ(why(rural_prim), "eligible");
  EXPECT_EQ(why(urban_prim), "commune_not_targeted");
  EXPECT_EQ(why(urban_col), "eligible");
  EXPECT_EQ(why(lycee), "level_not_covered");
  EXPECT_EQ(why(no_ramed), "ramed_missing");
  EXPECT_EQ(why(no_ramed_exempt), "eligible");
  EXPECT_EQ(why(no_household), "no_household");
  EXPECT_EQ(why(moved), "transferred_out");
  EXPECT_EQ(why(repeater), "eligible");
  p.repeaters_eligible = false;
  p.require_ramed = false;
  e = decide(p, r.s, {});
  EXPECT_EQ(why(repeater), "repeating");
  EXPECT_EQ(why(no_ramed), "eligible");

  // Before 2018: a list of target communes, primary only.
  p = published_policy("2025-2026");
  p.targets = {{"primaire", {kFormerlyCovered}, "", "", 0},
               {"college", {kFormerlyCovered}, "", "", 0}};
  p.require_ramed = false;
  e = decide(p, r.s, {});
  EXPECT_EQ(why(rural_prim), "commune_not_targeted");
  EXPECT_EQ(why(no_ramed_exempt), "eligible");
  EXPECT_EQ(why(urban_col), "commune_not_targeted");

  // A rule on an HCP indicator: collège in urban communes whose poverty rate is at least 10.
  p = published_policy("2025-2026");
  p.targets = {{"primaire", {}, "rural", "", 0}, {"college", {}, "urban", "poverty_rate", 10}};
  r.s.indicators["poverty_rate"] = {20, 9.5, 30};
  e = decide(p, r.s, {});
  EXPECT_EQ(why(urban_col), "commune_not_targeted");
  r.s.indicators["poverty_rate"] = {20, 10, 30};
  e = decide(p, r.s, {});
  EXPECT_EQ(why(urban_col), "eligible");
}

TEST(TayssirEligibility, SameChildEnrolledTwiceIsHeldForReviewNeverMerged) {
  Registry r;
  auto h = r.household("AB000001", "a");
  auto first = r.pupil("A000000001", "3AP", 0, h, Status::enrolled, "", "2017-05-02");
  auto second = r.pupil("B000000001", "3AP", 1, h, Status::enrolled, "", "2017-05-02");
  auto twin = r.pupil("A000000002", "3AP", 0, h, Status::enrolled, "", "2017-05-02");
  r.s.name_ar_key[static_cast<std::size_t>(second)] =
      r.s.name_ar_key[static_cast<std::size_t>(first)];
  r.s.school_commune[1] = 0;  // both schools targeted
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  EXPECT_EQ(e.reason[static_cast<std::size_t>(first)], Reason::eligible);
  EXPECT_EQ(e.reason[static_cast<std::size_t>(second)], Reason::probable_duplicate);
  EXPECT_EQ(e.reason[static_cast<std::size_t>(twin)], Reason::eligible);  // other name
  ASSERT_EQ(e.suspects.size(), 1u);
  EXPECT_EQ(e.suspects[0].kind, "pupil");
  EXPECT_EQ(e.suspects[0].a, "A000000001");
  EXPECT_EQ(e.suspects[0].b, "B000000001");
  EXPECT_EQ(e.suspects[0].decision, "");

  EXPECT_EQ(e.suspects[0].why, "same Arabic name and birth date, same household");
  EXPECT_EQ(sanad::app::render_suspect_why(e.suspects[0].why, Lang::fr),
            "même nom en arabe et même date de naissance, même ménage");

  // A namesake born the same day in another household is listed, not held back.
  auto other = r.household("XY000001", "x");
  auto namesake = r.pupil("C000000001", "3AP", 0, other, Status::enrolled, "", "2017-05-02");
  r.s.name_ar_key[static_cast<std::size_t>(namesake)] =
      r.s.name_ar_key[static_cast<std::size_t>(first)];
  e = decide(p, r.s, {});
  EXPECT_EQ(e.reason[static_cast<std::size_t>(namesake)], Reason::eligible);
  ASSERT_EQ(e.suspects.size(), 2u);
  EXPECT_EQ(e.suspects[1].b, "C000000001");
  EXPECT_EQ(e.suspects[1].why, "same Arabic name and birth date, other households");
  for (const auto& x : e.suspects) EXPECT_TRUE(sanad::app::suspect_why_listed(x.why)) << x.why;
  e = decide(p, r.s, {{"pupil", "A000000001", "C000000001", "same"}});
  EXPECT_EQ(e.reason[static_cast<std::size_t>(namesake)], Reason::duplicate_confirmed);

  e = decide(p, r.s, {{"pupil", "A000000001", "B000000001", "distinct"}});
  EXPECT_EQ(e.reason[static_cast<std::size_t>(second)], Reason::eligible);
  EXPECT_EQ(e.suspects[0].decision, "distinct");
  e = decide(p, r.s, {{"pupil", "A000000001", "B000000001", "same"}});
  EXPECT_EQ(e.reason[static_cast<std::size_t>(second)], Reason::duplicate_confirmed);
}

// Holding back a probable duplicate is a rule of the policy (issue 26, item 3): on by default and
// for every policy saved before it could be said; off, the pair is still listed for a person to
// review, and the child is paid; a confirmed duplicate is never paid.
TEST(TayssirEligibility, HoldingBackAProbableDuplicateIsTheDefaultRuleOfThePolicy) {
  Registry r;
  auto h = r.household("AB000001", "a");
  auto first = r.pupil("A000000001", "3AP", 0, h, Status::enrolled, "", "2017-05-02");
  auto second = r.pupil("B000000001", "3AP", 1, h, Status::enrolled, "", "2017-05-02");
  r.s.name_ar_key[static_cast<std::size_t>(second)] =
      r.s.name_ar_key[static_cast<std::size_t>(first)];
  r.s.school_commune[1] = 0;
  Policy p = published_policy("2025-2026");
  EXPECT_TRUE(p.hold_probable_duplicates);
  auto j = nlohmann::json::parse(sanad::app::policy_to_json(p));
  EXPECT_EQ(j["hold_probable_duplicates"], true);
  j.erase("hold_probable_duplicates");  // a policy saved before the rule existed
  EXPECT_TRUE(sanad::app::policy_from_json(j.dump()).hold_probable_duplicates);
  j["hold_probable_duplicates"] = "no";
  EXPECT_THROW(sanad::app::policy_from_json(j.dump()), sanad::app::TayssirError);

  p.hold_probable_duplicates = false;
  EXPECT_FALSE(
      sanad::app::policy_from_json(sanad::app::policy_to_json(p)).hold_probable_duplicates);
  auto e = decide(p, r.s, {});
  EXPECT_EQ(e.reason[static_cast<std::size_t>(second)], Reason::eligible);
  ASSERT_EQ(e.suspects.size(), 1u);  // still listed for review
  e = decide(p, r.s, {{"pupil", "A000000001", "B000000001", "same"}});
  EXPECT_EQ(e.reason[static_cast<std::size_t>(second)], Reason::duplicate_confirmed);
}

// The French spelling alone finds the same child too (its pass runs beside the Arabic one); a pair
// found by both names is listed once, as the Arabic found it.
TEST(TayssirEligibility, SameChildUnderTheSameFrenchNameIsHeldForReview) {
  Registry r;
  auto h = r.household("AB000001", "a");
  auto first = r.pupil("A000000001", "3AP", 0, h, Status::enrolled, "", "2017-05-02");
  auto second = r.pupil("B000000001", "3AP", 0, h, Status::enrolled, "", "2017-05-02");
  auto third = r.pupil("C000000001", "3AP", 0, h, Status::enrolled, "", "2017-05-02");
  auto at = [](int32_t i) { return static_cast<std::size_t>(i); };
  r.s.name_fr_key[at(first)] = r.s.name_fr_key[at(second)] = 77;
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  EXPECT_EQ(e.reason[at(first)], Reason::eligible);
  EXPECT_EQ(e.reason[at(second)], Reason::probable_duplicate);
  EXPECT_EQ(e.reason[at(third)], Reason::eligible);
  ASSERT_EQ(e.suspects.size(), 1u);
  EXPECT_EQ(e.suspects[0].why, "same French name and birth date, same household");
  e = decide(p, r.s, {{"pupil", "A000000001", "B000000001", "same"}});
  EXPECT_EQ(e.reason[at(second)], Reason::duplicate_confirmed);

  // The third shares the Arabic name with the first, and the French one too: one pair, Arabic.
  r.s.name_fr_key[at(third)] = 77;
  r.s.name_ar_key[at(third)] = r.s.name_ar_key[at(first)];
  e = decide(p, r.s, {});
  EXPECT_EQ(e.reason[at(third)], Reason::probable_duplicate);
  std::vector<std::string> listed;
  for (const auto& x : e.suspects) listed.push_back(x.a + " " + x.b + ": " + std::string(x.why));
  EXPECT_EQ(listed, (std::vector<std::string>{
                        "A000000001 B000000001: same French name and birth date, same household",
                        "A000000001 C000000001: same Arabic name and birth date, same household"}));
}

// Many namesakes (the national demo flags millions of pairs): each pair is listed once, by kind
// then codes in their string order — codes of any length, relaxed ones included — with the
// Arabic reason when both names match, and what a reviewer decided.
TEST(TayssirEligibility, FlaggedPairsAreListedOnceInTheOrderOfTheirCodes) {
  Registry r;
  std::mt19937 rng(7);
  std::vector<std::string> codes;
  for (int i = 0; i < 400; ++i) {
    // Codes Massar, and relaxed codes longer than 16 characters sharing long prefixes.
    std::string c = i % 3 ? fmt::format("{}{:09}", char('A' + rng() % 3), rng() % 1000)
                          : fmt::format("RELAXED-CODE-{:04}-{}", rng() % 5, rng() % 20);
    if (std::find(codes.begin(), codes.end(), c) == codes.end()) codes.push_back(c);
  }
  for (const auto& c : codes) {
    auto h = r.household(fmt::format("AB{:06}", rng() % 50), "x");
    auto p = r.pupil(c, "3AP", 0, h, Status::enrolled, "", "2017-05-02");
    r.s.name_ar_key[static_cast<std::size_t>(p)] = 1 + rng() % 4;
    r.s.name_fr_key[static_cast<std::size_t>(p)] = 1 + rng() % 4;
  }
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  ASSERT_GT(e.suspects.size(), 100u);
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (std::size_t k = 0; k < e.suspects.size(); ++k) {
    const auto& x = e.suspects[k];
    EXPECT_LT(x.a, x.b);
    EXPECT_TRUE(seen.insert({x.kind, x.a, x.b}).second) << x.a << " " << x.b;
    if (k > 0) {
      const auto& w = e.suspects[k - 1];
      EXPECT_LT(std::tie(w.kind, w.a, w.b), std::tie(x.kind, x.a, x.b)) << k;
    }
    EXPECT_TRUE(sanad::app::suspect_why_listed(x.why)) << x.why;
    EXPECT_EQ(x.decision, "");
  }
  // The same registry with every code replaced by a short one in the same order: the same
  // pairs, in the same order (long codes sharing their first 16 characters are compared in full).
  std::vector<std::string> sorted = r.s.massar;
  std::sort(sorted.begin(), sorted.end());
  std::map<std::string, std::string> shorter, back;
  for (std::size_t k = 0; k < sorted.size(); ++k) {
    shorter[sorted[k]] = fmt::format("A{:09}", k);
    back[fmt::format("A{:09}", k)] = sorted[k];
  }
  Registry renamed = r;
  for (auto& c : renamed.s.massar) c = shorter.at(c);
  auto short_e = decide(p, renamed.s, {});
  ASSERT_EQ(short_e.suspects.size(), e.suspects.size());
  auto original = [&](const tayssir::Suspect& x, const std::string& code) {
    return x.kind == "pupil" ? back.at(code) : code;  // payees keep their CINs
  };
  for (std::size_t k = 0; k < e.suspects.size(); ++k) {
    const auto& x = short_e.suspects[k];
    EXPECT_EQ(x.kind, e.suspects[k].kind) << k;
    EXPECT_EQ(original(x, x.a), e.suspects[k].a) << k;
    EXPECT_EQ(original(x, x.b), e.suspects[k].b) << k;
    EXPECT_EQ(x.why, e.suspects[k].why) << k;
  }
  // A reviewer's decision comes with its pair.
  const auto& some = e.suspects[e.suspects.size() / 2];
  auto again = decide(p, r.s, {{"pupil", some.a, some.b, "distinct"}});
  ASSERT_EQ(again.suspects.size(), e.suspects.size());
  EXPECT_EQ(again.suspects[e.suspects.size() / 2].decision, "distinct");

  // Found by both names: listed once, said by the Arabic one.
  Registry two;
  auto h = two.household("AB000001", "a");
  for (auto c : {"A000000001", "A000000002"}) {
    auto i =
        static_cast<std::size_t>(two.pupil(c, "3AP", 0, h, Status::enrolled, "", "2017-05-02"));
    two.s.name_ar_key[i] = 11;
    two.s.name_fr_key[i] = 22;
  }
  auto both = decide(p, two.s, {});
  ASSERT_EQ(both.suspects.size(), 1u);
  EXPECT_EQ(both.suspects[0].why, "same Arabic name and birth date, same household");
}

TEST(TayssirEligibility, SamePayeeUnderTwoCinsIsListedAndCappedOnceConfirmed) {
  Registry r;
  auto h1 = r.household("AB123456", "محمد العلوي");
  auto h2 = r.household("AB123465", "محمد العلوي");  // two digits swapped
  auto h3 = r.household("CD999999", "محمد العلوي");  // same name, another CIN: not suspect
  for (auto m : {"A000000001", "A000000002"}) r.pupil(m, "2AP", 0, h1);
  for (auto m : {"A000000003", "A000000004"}) r.pupil(m, "2AP", 0, h2);
  r.pupil("A000000005", "2AP", 0, h3);
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  ASSERT_EQ(e.suspects.size(), 1u);
  EXPECT_EQ(e.suspects[0].kind, "payee");
  EXPECT_EQ(e.suspects[0].a, "AB123456");
  EXPECT_EQ(e.suspects[0].b, "AB123465");
  EXPECT_EQ(sanad::app::render_suspect_why(e.suspects[0].why, Lang::ar),
            "نفس اسم المستفيد ورقم بطاقة يختلف بحرف واحد، في نفس الجماعة");
  EXPECT_EQ(e.eligible(), 5);  // listed, not merged
  e = decide(p, r.s, {{"payee", "AB123456", "AB123465", "same"}});
  EXPECT_EQ(e.eligible(), 4);  // one household of four now: three paid
  EXPECT_EQ(e.reason[3], Reason::household_cap);
  auto c = run_cycle(p, period(p, "T1"), r.s, e);
  EXPECT_EQ(c.total.households, 2);
}

TEST(TayssirCycle, SiblingOutsideTheScopeTakesItsPlaceInTheCapButIsNotPaidHere) {
  Registry r;
  auto h = r.household("AB123456", "a");
  auto elsewhere = r.pupil("A000000001", "1AC", 0, h);
  r.s.in_scope[static_cast<std::size_t>(elsewhere)] = 0;
  for (auto m : {"A000000002", "A000000003", "A000000004"}) r.pupil(m, "2AP", 0, h);
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  auto c = run_cycle(p, period(p, "T1"), r.s, e);
  EXPECT_EQ(c.lines.size(), 3u);
  EXPECT_EQ(c.total.beneficiaries, 2);
  EXPECT_EQ(c.total.due, 2 * 4 * 6000);
  EXPECT_EQ(line_of(c, 3).reason, Reason::household_cap);
}

TEST(TayssirCycle, MonthsNotLoadedAreAnError) {
  Registry r;
  r.s.months = {"2025-09"};
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  EXPECT_THROW(run_cycle(p, period(p, "T1"), r.s, e), std::invalid_argument);
}

// Issue 26, item 3: a policy requiring RAMED with no commune exempt says so when it is created or
// saved (in the three languages); once communes are exempt, nothing is said.
TEST(TayssirPolicy, RequiringRamedEverywhereIsSaid) {
  Policy p = published_policy("2025-2026");
  auto w = warnings(p);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].message.find("RAMED will be required in every commune"), std::string::npos);
  EXPECT_NE(sanad::app::render_problem(w[0], Lang::ar).find("راميد"), std::string::npos);
  EXPECT_NE(sanad::app::render_problem(w[0], Lang::fr).find("toutes les communes"),
            std::string::npos);
  p.ramed_exempt_communes = {kFormerlyCovered};
  EXPECT_TRUE(warnings(p).empty());
  p.ramed_exempt_communes.clear();
  p.require_ramed = false;
  EXPECT_TRUE(warnings(p).empty());
}

// Issue 26, item 3: the targeting of the pilot years, poverty rate >= 30% and primary dropout
// >= 8%, as one rule whose conditions all hold; the policy's JSON keeps them (and reads a policy
// written before them).
TEST(TayssirEligibility, ARuleTargetsWhereAllItsConditionsHold) {
  Registry r;
  r.s.commune_code.push_back("01.511.01.04");
  r.s.commune_rural.push_back(1);
  r.s.school_code.push_back("P001");
  r.s.school_commune.push_back(3);
  const double nan = std::nan("");
  r.s.indicators["poverty_rate"] = {35, 35, 20, nan};
  r.s.indicators["dropout_primary"] = {9, 5, 9, 12};
  auto h = r.household("AB000001", "a");
  auto both = r.pupil("A000000001", "1AP", 0, h);
  auto poor_only = r.pupil("A000000002", "1AP", 1, r.household("AB000002", "b"));
  auto dropout_only = r.pupil("A000000003", "1AP", 2, r.household("AB000003", "c"));
  auto unknown = r.pupil("A000000004", "1AP", 3, r.household("AB000004", "d"));
  Policy p = published_policy("2025-2026");
  p.targets = {{"primaire", {}, "", "poverty_rate", 30, {{"dropout_primary", 8}}},
               {"college", {}, "", "", 0, {}}};
  ASSERT_TRUE(validate(p).empty());
  auto e = decide(p, r.s, {});
  auto why = [&](int32_t i) { return reason_code(e.reason[static_cast<std::size_t>(i)]); };
  EXPECT_EQ(why(both), "eligible");
  EXPECT_EQ(why(poor_only), "commune_not_targeted");
  EXPECT_EQ(why(dropout_only), "commune_not_targeted");
  EXPECT_EQ(why(unknown), "commune_not_targeted");  // no poverty rate known there
  // An indicator the registry does not have: no commune matches that rule.
  p.targets[0].and_indicators.push_back({"no_such_indicator", 0});
  EXPECT_EQ(reason_code(decide(p, r.s, {}).reason[static_cast<std::size_t>(both)]),
            "commune_not_targeted");
  p.targets[0].and_indicators.pop_back();

  const std::string text = sanad::app::policy_to_json(p);
  EXPECT_EQ(sanad::app::policy_from_json(text), p);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["targets"][0]["and_indicators"][0]["indicator"], "dropout_primary");
  j["targets"][0].erase("and_indicators");  // as written before the conditions
  EXPECT_TRUE(sanad::app::policy_from_json(j.dump()).targets[0].and_indicators.empty());
  j["targets"][0]["and_indicators"] = {{{"min_value", 8}}};
  EXPECT_THROW(sanad::app::policy_from_json(j.dump()), std::exception);
}

// Issue 26, item 3: a policy may count the sessions missed rather than the days (the thresholds
// then in sessions): three days of two sessions are three days (within primary's 4) but six
// sessions (over a threshold of 5). A snapshot without the sessions is refused for such a policy;
// the JSON keeps the unit, and a policy written before it counts days.
TEST(TayssirCycle, APolicyMayCountTheSessionsMissed) {
  Registry r;
  auto h = r.household("AB000001", "a");
  auto pupil = r.pupil("A000000001", "4AP", 0, h);
  r.absent(pupil, "2025-10", 3);
  Policy p = published_policy("2025-2026");
  auto e = decide(p, r.s, {});
  EXPECT_EQ(line_of(run_cycle(p, period(p, "T1"), r.s, e), pupil).months, "PPPP");
  p.absence_unit = AbsenceUnit::session;
  p.absence_threshold = {{"primaire", 5}, {"college", 8}};
  ASSERT_TRUE(validate(p).empty());
  EXPECT_THROW(run_cycle(p, period(p, "T1"), r.s, e), std::invalid_argument);
  r.s.sessions_unjustified.assign(r.s.absent_unjustified.size(), 0);
  r.s.sessions_justified.assign(r.s.absent_justified.size(), 0);
  r.s.sessions_unjustified[static_cast<std::size_t>(pupil) * r.s.months.size() +
                           static_cast<std::size_t>(r.s.month_index("2025-10"))] = 6;
  auto l = line_of(run_cycle(p, period(p, "T1"), r.s, e), pupil);
  EXPECT_EQ(l.months, "PFPP");
  EXPECT_EQ(l.absences[1], 6);
  p.absence_threshold["primaire"] = 201;
  EXPECT_FALSE(validate(p).empty());
  p.absence_threshold["primaire"] = 5;

  auto j = nlohmann::json::parse(sanad::app::policy_to_json(p));
  EXPECT_EQ(j["absence_unit"], "session");
  EXPECT_EQ(sanad::app::policy_from_json(j.dump()), p);
  j.erase("absence_unit");
  EXPECT_EQ(sanad::app::policy_from_json(j.dump()).absence_unit, AbsenceUnit::day);
  j["absence_unit"] = "hour";
  EXPECT_THROW(sanad::app::policy_from_json(j.dump()), std::exception);
}
