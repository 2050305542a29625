// What Tayssir gives the statistics: the lines of the year's cycles, summed per school, pupil's
// sex, level, cycle state and decision (a row standing for that many lines, with their amounts due
// and lost to absences added, so that the statistics read thousands of rows, not millions); and
// each pupil's outcome of the year (eligible, paid). The indicators Tayssir ships are defined over
// them.
#include "modules/tayssir/app/tayssir.hpp"

#include "modules/tayssir/domain/tayssir.hpp"
#include "modules/tayssir/store/tayssir.hpp"

namespace sanad::app {

FactShape line_fact_shape() {
  FactShape s;
  s.sex = s.level = s.at_schools = true;
  FactShape::Field state{"state", {}};
  for (auto v : cycle_workflow().states()) state.values.emplace_back(v);
  FactShape::Field reason{"reason", {}};
  for (int i = 0; i < tayssir::kReasonCount; ++i)
    reason.values.emplace_back(tayssir::reason_code(static_cast<tayssir::Reason>(i)));
  s.fields = {state, reason};
  s.quantities = {"due", "forfeited", "entitled"};  // centimes; entitled = due + forfeited
  return s;
}

FactRows line_facts(store::Store& st, const std::string& school_year) {
  const FactShape shape = line_fact_shape();
  auto index = [](const std::vector<std::string>& values, const std::string& v) {
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i] == v) return static_cast<uint8_t>(i);
    return static_cast<uint8_t>(values.size());  // not a value: kept by no filter
  };
  FactRows rows;
  rows.fields.resize(2);
  rows.quantities.resize(3);
  store::TayssirStore(st).each_line_fact(school_year, [&](const store::TayssirStore::LineFact& f) {
    rows.school_id.push_back(f.school_id);
    rows.weight.push_back(f.lines);
    rows.sex.push_back(f.sex);
    rows.level.push_back(f.level);
    rows.fields[0].push_back(index(shape.fields[0].values, f.state));
    rows.fields[1].push_back(index(shape.fields[1].values, f.reason));
    rows.quantities[0].push_back(f.due);
    rows.quantities[1].push_back(f.forfeited);
    rows.quantities[2].push_back(f.due + f.forfeited);
  });
  return rows;
}

void give_pupil_outcomes(store::Store& st, const std::string& school_year,
                         const std::function<void(int64_t, uint8_t)>& give) {
  store::TayssirStore(st).each_pupil_outcome(school_year,
                                             [&](int64_t pupil, bool eligible, bool paid) {
                                               if (paid || eligible) give(pupil, paid ? 2 : 1);
                                             });
}

// The pupils paid and the coverage (paid ÷ eligible); the amounts of the cycles paid (exported or
// closed) and the share lost to absences.
const char* const kIndicators = R"([
  {"code": "TAYSSIR_BENEFICIARIES", "name_ar": "المستفيدون من تيسير",
   "name_fr": "Bénéficiaires de Tayssir", "unit": "pupils", "direction": "higher",
   "numerator": {"kind": "count", "filter": {"row": ["current"]}, "where": {"tayssir": ["paid"]}},
   "disaggregations": ["sex", "milieu", "level", "cycle"]},
  {"code": "TAYSSIR_COVERAGE", "name_ar": "نسبة تغطية تيسير", "name_fr": "Couverture de Tayssir",
   "unit": "%", "factor": 100, "direction": "higher",
   "numerator": {"kind": "count", "filter": {"row": ["current"]}, "where": {"tayssir": ["paid"]}},
   "denominator": {"kind": "count", "filter": {"row": ["current"]},
                   "where": {"tayssir": ["eligible", "paid"]}},
   "disaggregations": ["sex", "milieu", "level", "cycle"]},
  {"code": "TAYSSIR_AMOUNT_PAID", "name_ar": "مبالغ تيسير المؤداة",
   "name_fr": "Montants Tayssir payés", "unit": "MAD", "factor": 0.01, "direction": "higher",
   "numerator": {"kind": "sum", "source": "tayssir_lines", "sum": "due",
                 "where": {"state": ["exported", "closed"]}},
   "disaggregations": ["sex", "milieu", "level", "cycle"]},
  {"code": "TAYSSIR_FORFEITED_RATE", "name_ar": "نسبة مبالغ تيسير الضائعة بسبب الغياب",
   "name_fr": "Part des montants Tayssir perdus pour absences", "unit": "%", "factor": 100,
   "direction": "lower",
   "numerator": {"kind": "sum", "source": "tayssir_lines", "sum": "forfeited",
                 "where": {"state": ["exported", "closed"]}},
   "denominator": {"kind": "sum", "source": "tayssir_lines", "sum": "entitled",
                   "where": {"state": ["exported", "closed"]}},
   "disaggregations": ["sex", "milieu", "level", "cycle"]}
])";

}  // namespace sanad::app
