// What the parts of Tayssir's use cases (tayssir_*.cpp) share, and nothing else includes.
#pragma once
#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/app/appeals.hpp"
#include "core/app/school_checks.hpp"
#include "modules/tayssir/app/tayssir.hpp"

namespace sanad::app {

// Refuses with a sentence said in English, Arabic and French (tayssir_sentences.cpp holds the
// translations; an unlisted sentence stays English).
template <typename... A>
[[noreturn]] void refuse(std::string_view templ, const A&... args) {
  TayssirError e(fmt::format(fmt::runtime(templ), args...));
  const std::vector<std::string> values{fmt::format("{}", args)...};
  e.message_ar = render_refusal(templ, values, Lang::ar, e.what());
  e.message_fr = render_refusal(templ, values, Lang::fr, e.what());
  throw e;
}

// The period `code` of a policy, or a refusal naming the periods it has.
const tayssir::Period& period_of(const tayssir::Policy& p, const std::string& code);
// The lock a cycle's writing holds (one per policy, period and directorate).
int64_t cycle_lock_key(int64_t policy_id, const std::string& period, const std::string& dir);
// The schools' answers on a cycle (the core's checks, subject "tayssir cycle").
inline SchoolChecks checks_of(store::Store& st, int64_t cycle_id) {
  return SchoolChecks(st, "tayssir", "tayssir cycle", cycle_id);
}
// Appeals on a cycle's lines (the core's steps, subject "tayssir cycle").
inline Appeals appeals_of(store::Store& st) {
  return Appeals(st, "tayssir", "tayssir cycle");
}
// A line's absence days per month, stored as "2,0,5,1".
std::vector<int> counted_days(const std::string& text);
// Refuses a policy whose rules are not valid, each problem in the three languages.
void refuse_invalid(const tayssir::Policy& p);

}  // namespace sanad::app
