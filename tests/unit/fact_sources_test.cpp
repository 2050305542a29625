// A program's facts in the statistics' cube: counted and summed by territory, sex and level as the
// pupils are, kept by their own fields, rolled up the tree; definitions over them checked against
// what the facts have.
#include <gtest/gtest.h>

#include "stats/domain/indicators.hpp"

namespace {

using namespace sanad;
using namespace sanad::stats;

// nation ← region R ← directorate D ← commune C (rural) ← schools A and B.
Tree small_tree() {
  Tree t;
  auto add = [&](NodeKind k, const std::string& code, int32_t parent, uint8_t rural) {
    t.code.push_back(code);
    t.kind.push_back(k);
    t.parent.push_back(parent);
    t.rural.push_back(rural);
    t.population.push_back(0);
  };
  add(NodeKind::nation, "", kNone, 0);
  add(NodeKind::region, "R", 0, 0);
  add(NodeKind::directorate, "D", 1, 0);
  add(NodeKind::commune, "C", 2, 1);
  add(NodeKind::school, "A", 3, 1);
  add(NodeKind::school, "B", 3, 1);
  t.seal();
  return t;
}

// Complaints: answered on time or late, days to answer; two at school A (a girl's family and a
// boy's), one at school B, one filed with the directorate itself.
SourceFacts complaints() {
  SourceFacts s;
  s.name = "complaints";
  s.has_sex = true;
  s.at_schools = false;
  s.field_names = {"answer"};
  s.field_values = {{"on_time", "late"}};
  s.quantity_names = {"days"};
  s.node = {4, 4, 5, 2};
  s.sex = {1, 0, 1, 0};
  s.level.assign(4, kUnknownLevel);
  s.fields = {{0, 1, 0, 0}};
  s.quantities = {{10, 75, 20, 5}};
  return s;
}

Measure over(const std::string& field_value, MeasureKind kind = MeasureKind::count) {
  Measure m;
  m.kind = kind;
  m.source = "complaints";
  if (!field_value.empty()) m.where["answer"] = field_value == "on_time" ? 1u : 2u;
  if (kind == MeasureKind::sum) m.source_quantity = "days";
  return m;
}

Definition on_time_rate() {
  Definition d;
  d.code = "COMPLAINTS_ON_TIME";
  d.name_ar = "نسبة الشكايات المجاب عنها داخل الأجل";
  d.name_fr = "Plaintes répondues dans le délai";
  d.unit = "%";
  d.numerator = over("on_time");
  d.denominator = over("");
  d.factor = 100;
  return d;
}

// The mean days to answer: days summed over the complaints counted.
Definition mean_days() {
  Definition days = on_time_rate();
  days.code = "COMPLAINT_DAYS";
  days.numerator = over("", MeasureKind::sum);
  days.denominator = over("");
  days.factor = 1;
  return days;
}

TEST(FactSources, AProgramsFactsAreCountedAndSummedUpTheTree) {
  const Tree t = small_tree();
  Cube cube({on_time_rate(), mean_days()}, t);
  cube.compute(Facts{}, Census{}, 1, {complaints()});
  const std::size_t rate = *cube.indicator("COMPLAINTS_ON_TIME");
  const std::size_t mean = *cube.indicator("COMPLAINT_DAYS");
  // School A: one of two on time; the directorate counts its own with its schools': 3 of 4.
  EXPECT_EQ(cube.figure(rate, 4).numerator, 1);
  EXPECT_EQ(cube.figure(rate, 4).denominator, 2);
  EXPECT_EQ(cube.figure(rate, 4).value, 50.0);
  EXPECT_EQ(cube.figure(rate, 2).numerator, 3);
  EXPECT_EQ(cube.figure(rate, 2).denominator, 4);
  EXPECT_EQ(cube.figure(rate, 0).value, 75.0);
  EXPECT_EQ(cube.figure(rate, 3).denominator, 3);  // the commune: its schools only
  // Days summed: (10 + 75 + 20 + 5) / 4 at the directorate.
  EXPECT_EQ(cube.figure(mean, 2).numerator, 110);
  EXPECT_EQ(cube.figure(mean, 2).value, 27.5);
  // By sex: the girls' families' two complaints, both on time.
  Slice girls;
  girls.sex = 1;
  EXPECT_EQ(cube.figure(rate, 2, girls).numerator, 2);
  EXPECT_EQ(cube.figure(rate, 2, girls).denominator, 2);
  // No pupil is behind a program's facts; a source not given counts nothing.
  EXPECT_TRUE(cube.rows_behind(Facts{}, rate, 2, {}, false).empty());
  Cube without({on_time_rate()}, t);
  without.compute(Facts{}, Census{}, 1, {});
  EXPECT_EQ(without.figure(0, 0).denominator, 0);
  EXPECT_FALSE(without.figure(0, 0).value);
}

// A program may sum its facts before giving them (Tayssir's lines per school, sex, level, state
// and decision): a row standing for several facts counts as that many, its quantities as given.
TEST(FactSources, ARowSummedAtTheSourceCountsAsTheFactsItStandsFor) {
  const Tree t = small_tree();
  SourceFacts summed = complaints();
  // School A's on-time complaint is now three alike (30 days between them), B's two (40 days).
  summed.weight = {3, 1, 2, 1};
  summed.quantities = {{30, 75, 40, 5}};
  Cube cube({on_time_rate(), mean_days()}, t);
  cube.compute(Facts{}, Census{}, 1, {summed});
  const std::size_t rate = *cube.indicator("COMPLAINTS_ON_TIME");
  const std::size_t mean = *cube.indicator("COMPLAINT_DAYS");
  EXPECT_EQ(cube.figure(rate, 4).numerator, 3);
  EXPECT_EQ(cube.figure(rate, 4).denominator, 4);
  EXPECT_EQ(cube.figure(rate, 2).numerator, 6);  // 3 + 2 + the directorate's own
  EXPECT_EQ(cube.figure(rate, 2).denominator, 7);
  EXPECT_EQ(cube.figure(rate, 2).numerator_rows, 6);
  EXPECT_EQ(cube.figure(mean, 2).numerator, 150);  // 30 + 75 + 40 + 5 days over 7 complaints
  EXPECT_EQ(cube.figure(mean, 2).denominator, 7);
}

TEST(FactSources, ADefinitionNamesOnlyWhatTheFactsHave) {
  const std::vector<SourceFacts> sources{complaints()};
  EXPECT_TRUE(validate(on_time_rate(), sources).empty());
  auto problem = [&](const Definition& d) {
    auto p = validate(d, sources);
    return p.empty() ? std::string() : p.front();
  };
  Definition d = on_time_rate();
  d.numerator.source = "vouchers";
  EXPECT_EQ(problem(d), "numerator: no source of facts vouchers (sources: complaints)");
  d = on_time_rate();
  d.numerator.where = {{"channel", 1u}};
  EXPECT_EQ(problem(d), "numerator: complaints has no field channel (fields: answer)");
  d = on_time_rate();
  d.numerator.where = {{"answer", 0u}};
  EXPECT_EQ(problem(d), "numerator: where on answer keeps no value");
  d = on_time_rate();
  d.numerator = over("", MeasureKind::sum);
  d.numerator.source_quantity = "hours";
  EXPECT_EQ(problem(d), "numerator: complaints has no quantity hours (quantities: days)");
  d = on_time_rate();
  d.disaggregations = {Field::level};
  EXPECT_EQ(problem(d), "disaggregations: the facts of complaints have no level");
  d.disaggregations = {Field::milieu};  // some are filed with a directorate: no milieu
  EXPECT_EQ(problem(d), "disaggregations: the facts of complaints have no milieu");
  d.disaggregations = {Field::sex};
  EXPECT_TRUE(validate(d, sources).empty());
  d = on_time_rate();
  d.numerator.kind = MeasureKind::schools;
  EXPECT_EQ(problem(d), "numerator: a source's facts are counted or summed");
}

}  // namespace
