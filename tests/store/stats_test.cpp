// Indicators on a hand-made registry of three schools in two regions over two school years,
// against figures counted by hand, at every level of the territory, on both backends.
#include <fmt/format.h>

#include <cmath>

#include "backend.hpp"
#include "kernel/dates.hpp"
#include "modules/tayssir/store/tayssir.hpp"
#include "registry/store/registry_store.hpp"
#include "stats/app/exchange.hpp"
#include "stats/app/stats.hpp"

using namespace sanad;
using sanad::testing::BothBackends;

namespace {

const std::string kY = "2025-2026", kPrev = "2024-2025";
const std::string kTanger = "01.511.01.0", kTaounate = "03.531.01.05", kBouchabel = "03.531.05.03";

School school(const std::string& code, const std::string& commune, const std::string& milieu,
              std::vector<std::string> cycles) {
  School s;
  s.code = code;
  s.name_ar = "مدرسة " + code;
  s.name_fr = "Ecole " + code;
  s.cycles = std::move(cycles);
  s.commune_code = commune;
  s.milieu = milieu;
  s.sector = "public";
  return s;
}

class Stats : public BothBackends {
 protected:
  void SetUp() override {
    BothBackends::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store::Transaction tx(st().db());
    st().ensure_school_years({kPrev, kY});
    st().put_schools({school("S1TNG", kTanger, "urban", {"primaire"}),
                      school("S2TAO", kTaounate, "urban", {"college"}),
                      school("S3BCH", kBouchabel, "rural", {"primaire"})});
    std::vector<Pupil> pupils;
    std::vector<Enrolment> enr;
    auto pupil = [&](const std::string& m, const std::string& sex, const std::string& born) {
      pupils.push_back({m, "ع", "ب", "A", "B", sex, born, ""});
    };
    auto enrol = [&](const std::string& m, const std::string& year, const std::string& sc,
                     const std::string& level, const std::string& status,
                     const std::string& left = "") {
      enr.push_back({m, year, sc, level, "1", status, "", left});
    };
    // S1 (Tanger, urban, primary): P1 promoted from 1AP, P2 repeats 1AP, P3 and P4 new.
    pupil("A000000001", "F", "2018-03-01");  // 7 in 2025
    pupil("A000000002", "M", "2018-05-01");
    pupil("A000000003", "F", "2019-01-10");  // 6
    pupil("A000000004", "M", "2013-01-10");  // 12
    enrol("A000000001", kPrev, "S1TNG", "1AP", "enrolled");
    enrol("A000000001", kY, "S1TNG", "2AP", "enrolled");
    enrol("A000000002", kPrev, "S1TNG", "1AP", "enrolled");
    enrol("A000000002", kY, "S1TNG", "1AP", "repeating");
    enrol("A000000003", kY, "S1TNG", "1AP", "enrolled");
    enrol("A000000004", kY, "S1TNG", "6AP", "enrolled");
    // S2 (Taounate, urban, collège): four girls and two boys, one girl left in January; P11
    // was there last year and transferred out of the registry.
    for (int i = 5; i <= 10; ++i) {
      std::string m = "A00000000" + std::to_string(i % 10);
      if (i == 10) m = "A000000010";
      pupil(m, i <= 8 ? "F" : "M", "2012-06-01");  // 13
      enrol(m, kY, "S2TAO", "1AC", i == 5 ? "left" : "enrolled", i == 5 ? "2026-01-15" : "");
    }
    pupil("A000000011", "M", "2011-06-01");
    enrol("A000000011", kPrev, "S2TAO", "1AC", "transferred");
    // S3 (Bouchabel, rural, primary): three girls and two boys; P12 dropped out after 2AP.
    for (int i = 13; i <= 17; ++i) {
      std::string m = "A0000000" + std::to_string(i);
      pupil(m, i <= 15 ? "F" : "M", "2016-02-01");  // 9
      enrol(m, kY, "S3BCH", "3AP", "enrolled");
    }
    pupil("A000000012", "F", "2016-02-01");
    enrol("A000000012", kPrev, "S3BCH", "2AP", "enrolled");
    store::RegistryStore(st()).put_roster(pupils, enr);
    // Absences: P1 three days (one justified), P6 five days unjustified, one of last year.
    store::RegistryStore(st()).put_absences({{"A000000001", "2025-10-06", true},
                                             {"A000000001", "2025-10-07", false},
                                             {"A000000001", "2025-10-08", false},
                                             {"A000000006", "2025-11-03", false},
                                             {"A000000006", "2025-11-04", false},
                                             {"A000000006", "2025-11-05", false},
                                             {"A000000006", "2025-11-10", false},
                                             {"A000000006", "2025-11-11", false},
                                             {"A000000012", "2024-11-11", false}});
    store::StatsStore ss(st());
    ss.put_indicator(kTanger, "schooling_rate_6_to_11", 95, "test");
    ss.put_indicator(kTaounate, "schooling_rate_6_to_11", 90, "test");
    tx.commit();
    snap_ = app::compute_stats(st(), kY);
  }

  double value(const std::string& ind, NodeKind k, const std::string& code,
               const std::string& dim = "", const std::string& v = "") {
    auto i = snap_->cube->indicator(ind);
    EXPECT_TRUE(i) << ind;
    auto n = app::node_of(snap_->tree, {k, code});
    EXPECT_NE(n, stats::kNone) << code;
    auto f = snap_->cube->figure(*i, n, app::parse_slice(dim, v));
    return f.value ? *f.value : NAN;
  }

  std::shared_ptr<const app::StatsSnapshot> snap_;
};

constexpr auto kSchool = NodeKind::school, kCommune = NodeKind::commune,
               kDir = NodeKind::directorate, kRegion = NodeKind::region, kNation = NodeKind::nation;

TEST_P(Stats, CountsAtEveryLevelOfTheTerritory) {
  EXPECT_EQ(value("PUPILS", kSchool, "S1TNG"), 4);
  EXPECT_EQ(value("PUPILS", kSchool, "S2TAO"), 6);
  EXPECT_EQ(value("PUPILS", kCommune, kBouchabel), 5);
  EXPECT_EQ(value("PUPILS", kDir, "03.531"), 11);
  EXPECT_EQ(value("PUPILS", kRegion, "03"), 11);
  EXPECT_EQ(value("PUPILS", kRegion, "01"), 4);
  EXPECT_EQ(value("PUPILS", kNation, ""), 15);
  EXPECT_EQ(value("GIRLS", kNation, ""), 9);
  EXPECT_EQ(value("PUPILS", kNation, "", "sex", "M"), 6);
  EXPECT_EQ(value("PUPILS", kNation, "", "milieu", "rural"), 5);
  EXPECT_EQ(value("PUPILS", kNation, "", "cycle", "college"), 6);
  EXPECT_EQ(value("PUPILS", kSchool, "S1TNG", "level", "1AP"), 2);
  EXPECT_EQ(value("SCHOOLS", kNation, ""), 3);
  EXPECT_EQ(value("SCHOOLS", kNation, "", "milieu", "rural"), 1);
  EXPECT_EQ(value("PUPILS_PER_SCHOOL", kNation, ""), 5);
  EXPECT_EQ(value("PUPILS_6_11", kSchool, "S1TNG"), 3);  // 7, 7 and 6; 12 is too old
  EXPECT_EQ(value("PUPILS_6_11", kNation, ""), 8);       // and the five of S3, aged 9
}

TEST_P(Stats, RatesByHand) {
  EXPECT_DOUBLE_EQ(value("GPI", kNation, ""), 9.0 / 6.0);
  EXPECT_DOUBLE_EQ(value("GPI", kSchool, "S2TAO"), 2.0);
  EXPECT_DOUBLE_EQ(value("RURAL_SHARE", kNation, ""), 100.0 * 5 / 15);
  EXPECT_DOUBLE_EQ(value("LEFT_IN_YEAR_RATE", kSchool, "S2TAO"), 100.0 / 6);
  EXPECT_DOUBLE_EQ(value("REPEATERS_SHARE", kCommune, kTanger), 25.0);
  // Cohort: P1 promoted, P2 repeated (S1), P12 dropped (S3), P11 transferred (not counted).
  EXPECT_DOUBLE_EQ(value("DROPOUT_RATE", kNation, ""), 100.0 / 3);
  EXPECT_DOUBLE_EQ(value("PROMOTION_RATE", kSchool, "S1TNG"), 50.0);
  EXPECT_DOUBLE_EQ(value("REPETITION_RATE", kDir, "01.511"), 50.0);
  EXPECT_DOUBLE_EQ(value("DROPOUT_RATE", kSchool, "S3BCH"), 100.0);
  EXPECT_DOUBLE_EQ(value("DROPOUT_RATE", kRegion, "03"), 100.0);
  EXPECT_TRUE(std::isnan(value("DROPOUT_RATE", kSchool, "S2TAO")));  // nobody to count
  // Absences: days of lessons of the year for each pupil, until January 15 for the one who left.
  const double year = school_days_between({2025, 9, 1}, {2026, 8, 31});
  const double left = school_days_between({2025, 9, 1}, {2026, 1, 14});
  ASSERT_GT(year, 150);
  ASSERT_LT(left, year);
  EXPECT_DOUBLE_EQ(value("ABSENCE_RATE", kSchool, "S1TNG"), 100.0 * 3 / (4 * year));
  EXPECT_DOUBLE_EQ(value("UNJUSTIFIED_ABSENCE_RATE", kSchool, "S1TNG"), 100.0 * 2 / (4 * year));
  EXPECT_DOUBLE_EQ(value("ABSENCE_RATE", kDir, "03.531"), 100.0 * 5 / (10 * year + left));
  EXPECT_DOUBLE_EQ(value("ABSENCE_RATE", kNation, ""), 100.0 * 8 / (14 * year + left));
  // Census: the communes' values weighted by their population; communes without a value out.
  EXPECT_NEAR(value("CENSUS_SCHOOLING_RATE_6_11", kDir, "03.531"), 90.0, 1e-9);
  EXPECT_NEAR(value("CENSUS_SCHOOLING_RATE_6_11", kNation, ""),
              (95.0 * 1275428 + 90.0 * 39114) / (1275428 + 39114), 1e-6);
  EXPECT_TRUE(std::isnan(value("TAYSSIR_COVERAGE", kNation, "")));
}

TEST_P(Stats, EveryCountIsTheSumOfItsParts) {
  const auto& t = snap_->tree;
  const auto& defs = snap_->cube->catalogue();
  int checked = 0;
  for (std::size_t i = 0; i < defs.size(); ++i)
    for (std::size_t n = 0; n < t.size(); ++n) {
      if (t.kind[n] == NodeKind::school) continue;
      // Census values are the communes' own, not their schools'.
      if (!defs[i].personal && defs[i].code != "SCHOOLS" && t.kind[n] == NodeKind::commune)
        continue;
      auto whole = snap_->cube->figure(i, static_cast<int32_t>(n));
      int64_t num = 0, den = 0;
      for (auto c : t.children(static_cast<int32_t>(n))) {
        auto part = snap_->cube->figure(i, c);
        num += part.numerator;
        den += part.denominator;
      }
      if (t.children(static_cast<int32_t>(n)).empty()) continue;
      ASSERT_EQ(whole.numerator, num) << defs[i].code << " at " << t.code[n];
      ASSERT_EQ(whole.denominator, den) << defs[i].code << " at " << t.code[n];
      ++checked;
    }
  EXPECT_GT(checked, 1000);
}

TEST_P(Stats, PupilsBehindAFigure) {
  auto i = *snap_->cube->indicator("LEFT_IN_YEAR_RATE");
  auto n = app::node_of(snap_->tree, {kRegion, "03"});
  auto ids = app::pupils_behind(*snap_, i, n, {}, false);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0], store::TayssirStore(st()).pupil_id("A000000005").value_or(-1));  // who left
  auto girls = app::pupils_behind(*snap_, *snap_->cube->indicator("PUPILS"), n,
                                  app::parse_slice("sex", "F"), false);
  EXPECT_EQ(girls.size(), 7u);  // four in S2, three in S3
  EXPECT_THROW(app::parse_slice("colour", "red"), app::StatsError);
  EXPECT_THROW(app::parse_slice("sex", "X"), app::StatsError);
}

TEST_P(Stats, DefinedIndicatorIsComputedLikeABuiltIn) {
  auto d = app::definition_from_json(R"({"code": "RURAL_GIRLS", "name_ar": "فتيات قرويات",
    "name_fr": "Filles rurales", "unit": "pupils",
    "numerator": {"kind": "count", "filter": {"row": ["current"], "sex": ["F"],
                  "milieu": ["rural"]}}})");
  app::define_indicator(st(), d, {});
  auto snap = app::compute_stats(st(), kY);
  auto i = snap->cube->indicator("RURAL_GIRLS");
  ASSERT_TRUE(i);
  EXPECT_EQ(snap->cube->figure(*i, 0).value, 3.0);
  // Refusals name the field.
  try {
    app::definition_from_json(R"({"code": "X", "name_ar": "x", "name_fr": "x",
      "numerator": {"kind": "count", "filter": {"sex": ["W"]}}})");
    FAIL();
  } catch (const app::StatsError& e) {
    EXPECT_NE(std::string(e.what()).find("numerator.filter.sex"), std::string::npos) << e.what();
  }
  EXPECT_THROW(app::define_indicator(st(), snap->cube->catalogue()[0], {}), app::StatsError);
}

TEST_P(Stats, TargetsProgressAndReporting) {
  auto i = *snap_->cube->indicator("DROPOUT_RATE");
  auto nation = app::node_of(snap_->tree, Scope::nation());
  EXPECT_FALSE(app::progress_of(st(), *snap_, i, nation));
  app::set_target(st(), {"DROPOUT_RATE", "nation", "", kY, 50, 0, "", ""}, {});
  // 33.3 % from a baseline of 50 towards 0: a third of the way.
  EXPECT_NEAR(*app::progress_of(st(), *snap_, i, nation), 1.0 / 3, 1e-9);
  EXPECT_EQ(stats::progress(80, 50, 0), 0.0);  // worse than the baseline: bounded
  EXPECT_EQ(stats::progress(-5, 50, 0), 1.0);

  EXPECT_THROW(app::report_value(st(), *snap_, i, nation, "approve", "", {}), app::StatsError);
  auto r = app::report_value(st(), *snap_, i, nation, "submit", "", {"officer", "test"});
  EXPECT_EQ(r.state, "submitted");
  EXPECT_NEAR(*r.value, 100.0 / 3, 1e-9);
  EXPECT_THROW(app::report_value(st(), *snap_, i, nation, "return", "", {}), app::StatsError);
  r = app::report_value(st(), *snap_, i, nation, "return", "check S3", {"chief", "test"});
  EXPECT_EQ(r.state, "returned");
  r = app::report_value(st(), *snap_, i, nation, "submit", "", {});
  r = app::report_value(st(), *snap_, i, nation, "approve", "", {"chief", "test"});
  EXPECT_EQ(r.state, "approved");
  EXPECT_EQ(r.updated_by, "chief");
  auto history = st().audit_of("indicator:DROPOUT_RATE:nation::2025-2026", 100);
  ASSERT_EQ(history.size(), 5u);  // the target, then four moves of the value
  int moves = 0;
  for (const auto& h : history) moves += h.action.rfind("indicator.report.", 0) == 0;
  EXPECT_EQ(moves, 4);
}

TEST_P(Stats, CacheFollowsChangesOfTheRegistry) {
  app::StatsCache cache;
  auto a = cache.get(st(), kY);
  EXPECT_EQ(cache.get(st(), kY), a);  // nothing changed: the same snapshot
  // A target, a reported value, an export are audited but leave the figures as they are.
  app::set_target(st(), {"PUPILS", "nation", "", kY, 10, 20, "", ""}, {});
  app::report_value(st(), *a, *a->cube->indicator("PUPILS"), 0, "submit", "", {});
  EXPECT_EQ(cache.get(st(), kY), a);
  // A new definition changes what is computed: a new snapshot that has it.
  app::define_indicator(st(), app::definition_from_json(R"({"code": "BOYS", "name_ar": "ذكور",
      "name_fr": "Garçons", "unit": "pupils", "numerator": {"kind": "count",
      "filter": {"row": ["current"], "sex": ["M"]}}})"),
                        {});
  // A server's request does not wait: it gets the snapshot at hand until the refresher has
  // computed the new one.
  EXPECT_EQ(cache.get(st(), kY, true), a);
  auto b = cache.get(st(), kY);
  EXPECT_NE(b, a);
  EXPECT_EQ(cache.get(st(), kY, true), b);
  EXPECT_EQ(cache.years(), std::vector<std::string>{kY});
  EXPECT_FALSE(a->cube->indicator("BOYS"));
  ASSERT_TRUE(b->cube->indicator("BOYS"));
  EXPECT_EQ(b->cube->figure(*b->cube->indicator("PUPILS"), 0).value, 15.0);
}

// An indicator that counts one sex or milieu (GIRLS) is the same count as PUPILS on that slice:
// what one withholds, the other never publishes, and a total minus the published parts never
// gives back a withheld count, whatever the indicators they are published under.
TEST_P(Stats, WithheldCountsStayWithheldUnderEveryIndicator) {
  // Twenty more girls in Taounate's collège: 24 girls and 2 boys there, so the boys are withheld
  // and so is one more of girls or total — which GIRLS, published on its own, must not undo.
  {
    store::Transaction tx(st().db());
    std::vector<Pupil> pupils;
    std::vector<Enrolment> enr;
    for (int i = 0; i < 20; ++i) {
      std::string m = fmt::format("B{:09d}", i);
      pupils.push_back({m, "ع", "ب", "A", "B", "F", "2012-06-01", ""});
      enr.push_back({m, kY, "S2TAO", "1AC", "1", "enrolled", "", ""});
    }
    store::RegistryStore(st()).put_roster(pupils, enr);
    tx.commit();
  }
  auto snap = app::compute_stats(st(), kY);
  auto data = app::exchange_data(app::exchange_dsd(st()), *snap, 5);
  std::map<std::vector<std::string>, std::optional<double>> v;
  for (const auto& o : data.obs) v[o.key] = o.value;
  ASSERT_GT(data.withheld_primary, 0);
  int compared = 0;
  for (const auto& [key, value] : v) {
    if (key[0] != "GIRLS" || key[2] != "_T" || key[3] != "_T" || key[4] != "_T") continue;
    auto pupils_f = v.find({"PUPILS", key[1], "F", "_T", "_T"});
    ASSERT_NE(pupils_f, v.end()) << key[1];
    EXPECT_EQ(value.has_value(), pupils_f->second.has_value()) << key[1];
    if (value && pupils_f->second) {
      EXPECT_EQ(*value, *pupils_f->second);
    }
    // No subtraction of published figures gives back a withheld count: of total = girls +
    // boys, never exactly one unknown, whichever indicator published the girls.
    auto total = v.find({"PUPILS", key[1], "_T", "_T", "_T"});
    auto boys = v.find({"PUPILS", key[1], "M", "_T", "_T"});
    const bool girls_known = value.has_value() || pupils_f->second.has_value();
    const int unknown = !total->second.has_value() + !girls_known + !boys->second.has_value();
    EXPECT_NE(unknown, 1) << key[1];
    ++compared;
  }
  EXPECT_GE(compared, 3);  // the nation, a region, a directorate at least
}

INSTANTIATE_TEST_SUITE_P(Backends, Stats, ::testing::Values("sqlite", "postgres"),
                         sanad::testing::backend_name);

}  // namespace
