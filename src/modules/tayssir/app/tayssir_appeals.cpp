// Tayssir's appeals: filed on a line of a cycle past its draft, decided, paid as an adjustment.
#include "modules/tayssir/app/tayssir.hpp"
#include "modules/tayssir/app/tayssir_internal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kernel/dates.hpp"
#include "kernel/text.hpp"

namespace sanad::app {

using nlohmann::json;
using store::TayssirStore;
using tayssir::Policy;

// --- appeals -------------------------------------------------------------------------------------

// A line's absence days per month, stored as "2,0,5,1".
std::vector<int> counted_days(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stoi(item));
  return out;
}

int64_t file_appeal(store::Store& st, int64_t cycle_id, const std::string& massar,
                    const std::string& said, const Actor& who) {
  Appeals appeals = appeals_of(st);
  const std::string grounds = appeals.grounds(said);
  TayssirStore ts(st);
  store::Transaction tx(st.db());
  auto c = ts.cycle(cycle_id);
  if (!c) refuse("no cycle {}", cycle_id);
  if (c->state == "draft")
    refuse("cycle {} is a draft: the school flags the error and the cycle is recomputed", cycle_id);
  auto pid = ts.pupil_id(massar);
  if (!pid || ts.lines_of(cycle_id, *pid).empty())
    refuse("pupil {} is not in cycle {}", massar, cycle_id);
  std::optional<int64_t> open;
  for (const auto& a : ts.appeals_of_cycle(cycle_id))
    if (a.pupil_id == *pid && a.state == "open") open = a.id;
  appeals.none_open(open);
  store::AppealRow row;
  row.cycle_id = cycle_id;
  row.pupil_id = *pid;
  row.massar = massar;
  row.grounds = grounds;
  row.filed_by = who.name;
  row.filed_at = store::now_iso();
  int64_t id = ts.insert_appeal(row);
  appeals.filed(cycle_id, id, massar, grounds, who);
  tx.commit();
  return id;
}

store::AppealRow decide_appeal(store::Store& st, int64_t appeal_id, const AppealDecision& d,
                               const Actor& who) {
  Appeals appeals = appeals_of(st);
  TayssirStore ts(st);
  store::Transaction tx(st.db());
  auto a = ts.appeal(appeal_id);
  if (!a) refuse_no_appeal(appeal_id);
  const Appeals::Decision decision = appeals.decide(a->id, a->state, d.upheld, d.note);
  auto c = *ts.cycle(a->cycle_id);
  Policy pol = get_policy(st, c.policy_code);
  const auto& per = period_of(pol, c.period);
  const std::vector<store::CycleLineRow> lines = ts.lines_of(c.id, a->pupil_id);
  if (lines.empty()) refuse("pupil {} is not in cycle {}", a->massar, c.id);
  a->state = decision.state;
  a->decision_note = decision.note;
  a->decided_by = who.name;
  a->decided_at = store::now_iso();
  if (d.upheld) {
    // Each month is judged on the line of the school he was at that month (a pupil moved in the
    // period has a line at each school; the other's months read 'T' there): an eligible line's
    // month first.
    auto line_of_month = [&](std::size_t k) -> const store::CycleLineRow& {
      const store::CycleLineRow* best = &lines.back();
      int rank = -1;
      for (const auto& l : lines) {
        char state = k < l.months.size() ? l.months[k] : '-';
        int r = state == 'T' ? 0 : state == '-' ? 1 : 2;
        if (r > rank) best = &l, rank = r;
      }
      return *best;
    };
    auto monthly_of = [&](const store::CycleLineRow& l) {
      auto amount = pol.amounts.find(l.level);
      return l.monthly > 0 ? l.monthly : amount != pol.amounts.end() ? amount->second : 0;
    };
    // By default the months not paid, except after leaving school, at another school (that
    // school paid them) and those whose absence days were over the threshold (an appeal on
    // absences names its months).
    std::vector<std::string> months;
    int64_t amount = 0;
    for (std::size_t k = 0; k < per.months.size(); ++k) {
      const store::CycleLineRow& line = line_of_month(k);
      const int threshold = tayssir::absence_threshold(pol, line.level);
      const auto counted = counted_days(line.absences);
      char state = k < line.months.size() ? line.months[k] : '-';
      bool over = k < counted.size() && counted[k] > threshold;
      bool asked = d.months.empty() ? state != 'P' && state != 'L' && state != 'T' && !over
                                    : std::find(d.months.begin(), d.months.end(), per.months[k]) !=
                                          d.months.end();
      if (!asked) continue;
      if (state == 'P') refuse("{} was already paid in cycle {}", per.months[k], c.id);
      const int64_t monthly = monthly_of(line);
      if (monthly <= 0)
        refuse("the level {} has no amount in policy {}: nothing to pay", line.level, pol.code);
      months.push_back(per.months[k]);
      amount += monthly;
    }
    for (const auto& m : d.months)
      if (std::find(per.months.begin(), per.months.end(), m) == per.months.end())
        refuse("{} is not a month of period {} ({})", m, per.code,
               fmt::format("{}", fmt::join(per.months, ", ")));
    if (months.empty()) refuse("no month left to pay for this pupil in that period");
    a->months = fmt::format("{}", fmt::join(months, ","));
    a->amount = amount;
  }
  ts.update_appeal_decision(*a);
  appeals.decided(c.id, decision,
                  json{{"pupil", a->massar}, {"months", a->months}, {"amount", a->amount}}, who);
  tx.commit();
  return *a;
}

std::vector<store::AppealRow> list_appeals(store::Store& st, int64_t cycle_id) {
  get_cycle(st, cycle_id);
  return TayssirStore(st).appeals_of_cycle(cycle_id);
}

}  // namespace sanad::app
