#include "modules/tayssir/domain/tayssir.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <exception>
#include <functional>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "kernel/dates.hpp"
#include "kernel/ids.hpp"
#include "kernel/parallel.hpp"
#include "kernel/vocab.hpp"

namespace sanad::tayssir {

namespace {

bool valid_month(std::string_view m) {
  if (m.size() != 7 || m[4] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6})
    if (m[i] < '0' || m[i] > '9') return false;
  int mo = (m[5] - '0') * 10 + (m[6] - '0');
  return mo >= 1 && mo <= 12;
}

std::string month_name(int y, int m) {
  return fmt::format("{:04d}-{:02d}", y, m);
}

// "2025-09" moved by whole years.
std::string shift_month(const std::string& m, int years) {
  if (!valid_month(m)) return m;
  return month_name(std::stoi(m.substr(0, 4)) + years, std::stoi(m.substr(5, 2)));
}

}  // namespace

std::string_view cap_rule_name(CapRule r) {
  switch (r) {
    case CapRule::largest_amount:
      return "largest_amount";
    case CapRule::youngest:
      return "youngest";
    case CapRule::oldest:
      return "oldest";
  }
  return "largest_amount";
}

std::optional<CapRule> parse_cap_rule(std::string_view s) {
  for (CapRule r : {CapRule::largest_amount, CapRule::youngest, CapRule::oldest})
    if (cap_rule_name(r) == s) return r;
  return std::nullopt;
}

Policy published_policy(const std::string& school_year) {
  int y = school_year_start(school_year);
  Policy p;
  p.code = "tayssir-" + school_year;
  p.school_year = school_year;
  p.name_ar = "تيسير " + school_year;
  p.name_fr = "Tayssir " + school_year;
  p.targets = {{"primaire", {}, "rural", "", 0, {}}, {"college", {}, "", "", 0, {}}};
  for (const char* l : {"1AP", "2AP"}) p.amounts[l] = 6000;
  for (const char* l : {"3AP", "4AP"}) p.amounts[l] = 8000;
  for (const char* l : {"5AP", "6AP"}) p.amounts[l] = 10000;
  for (const char* l : {"1AC", "2AC", "3AC"}) p.amounts[l] = 14000;
  for (int m = 9; m <= 12; ++m) p.months.push_back(month_name(y, m));
  for (int m = 1; m <= 6; ++m) p.months.push_back(month_name(y + 1, m));
  p.absence_threshold = {{"primaire", 4}, {"college", 6}};
  auto span = [&](std::size_t from, std::size_t to) {
    return std::vector<std::string>(p.months.begin() + static_cast<std::ptrdiff_t>(from),
                                    p.months.begin() + static_cast<std::ptrdiff_t>(to));
  };
  p.periods = {
      {"T1", "التحويل الأول (شتنبر–دجنبر)", "1er transfert (sept.–déc.)", span(0, 4)},
      {"T2", "التحويل الثاني (يناير–مارس)", "2e transfert (janv.–mars)", span(4, 7)},
      {"T3", "التحويل الثالث (أبريل–يونيو)", "3e transfert (avr.–juin)", span(7, 10)},
  };
  return p;
}

Policy policy_for_year(const Policy& src, const std::string& school_year, const std::string& code) {
  Policy p = src;
  int delta = school_year_start(school_year) - school_year_start(src.school_year);
  p.code = code;
  p.school_year = school_year;
  auto rename = [&](std::string& name) {
    auto at = name.find(src.school_year);
    if (at != std::string::npos) name.replace(at, src.school_year.size(), school_year);
  };
  rename(p.name_ar);
  rename(p.name_fr);
  for (auto& m : p.months) m = shift_month(m, delta);
  for (auto& per : p.periods)
    for (auto& m : per.months) m = shift_month(m, delta);
  return p;
}

int absence_threshold(const Policy& p, std::string_view level) {
  auto it = p.absence_threshold.find(std::string(cycle_of_level(level)));
  return it == p.absence_threshold.end() ? 0 : it->second;
}

std::vector<Problem> problems(const Policy& p) {
  std::vector<Problem> out;
  auto bad = [&](std::string_view templ, const auto&... args) {
    Problem pr{fmt::format(fmt::runtime(templ), args...), templ, {}};
    (pr.args.push_back(fmt::format("{}", args)), ...);
    out.push_back(std::move(pr));
  };
  if (p.code.empty() || p.code.size() > 64) bad("the policy needs a code of 1 to 64 characters");
  for (char c : p.code)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      bad("the code \"{}\" may hold only letters, digits, '-', '_' and '.'", p.code);
      break;
    }
  auto year = parse_school_year(p.school_year);
  if (!year || *year != p.school_year)
    bad("school year \"{}\" is not written like 2025-2026", p.school_year);
  if (p.program.empty()) bad("the program has no name");

  // Months: valid, in order, within the school year (September to August).
  std::set<std::string> months;
  for (std::size_t i = 0; i < p.months.size(); ++i) {
    const auto& m = p.months[i];
    if (!valid_month(m)) {
      bad("month \"{}\" is not written like 2025-09", m);
      continue;
    }
    if (year) {
      int y = school_year_start(*year);
      if (m < month_name(y, 9) || m > month_name(y + 1, 8))
        bad("month {} is outside the school year {}", m, *year);
    }
    if (i > 0 && m <= p.months[i - 1])
      bad("months must be listed once each, in order ({} after {})", m, p.months[i - 1]);
    months.insert(m);
  }
  if (p.months.empty()) bad("the policy covers no month");

  // Amounts and thresholds.
  std::set<std::string> cycles_covered;
  for (const auto& [level, amount] : p.amounts) {
    if (!levels().has(level)) {
      bad("unknown level \"{}\" (levels: {})", level, levels().codes());
      continue;
    }
    if (amount < 0) bad("the amount for {} is negative", level);
    cycles_covered.insert(std::string(cycle_of_level(level)));
  }
  if (p.amounts.empty()) bad("the policy covers no level");
  for (const auto& c : cycles_covered) {
    auto t = p.absence_threshold.find(c);
    if (t == p.absence_threshold.end()) bad("no absence threshold for the cycle {}", c);
  }
  for (const auto& [c, t] : p.absence_threshold) {
    if (!cycles().has(c)) bad("unknown cycle \"{}\" in the absence thresholds", c);
    if (p.absence_unit == AbsenceUnit::day && (t < 0 || t > 31))
      bad("the absence threshold of {} must be 0 to 31 days", c);
    if (p.absence_unit == AbsenceUnit::session && (t < 0 || t > 200))
      bad("the absence threshold of {} must be 0 to 200 sessions", c);
  }
  if (p.household_cap < 0 || p.household_cap > 20)
    bad("the household cap must be 0 (none) to 20 children");

  // Targeting.
  std::set<std::string> cycles_targeted;
  for (const auto& t : p.targets) {
    if (!cycles().has(t.cycle)) {
      bad("unknown cycle \"{}\" in a targeting rule", t.cycle);
      continue;
    }
    cycles_targeted.insert(t.cycle);
    if (!t.milieu.empty() && !milieus().has(t.milieu))
      bad("unknown milieu \"{}\" in a targeting rule", t.milieu);
    for (const auto& c : t.communes)
      if (!valid_commune_code(c)) bad("\"{}\" is not a commune code", c);
    if (!t.indicator.empty() && !std::isfinite(t.min_value))
      bad("the threshold of {} is not a number", t.indicator);
    for (const auto& b : t.and_indicators) {
      if (b.indicator.empty()) bad("a condition of a targeting rule names no indicator");
      if (!std::isfinite(b.min_value)) bad("the threshold of {} is not a number", b.indicator);
    }
  }
  for (const auto& c : cycles_covered)
    if (!cycles_targeted.count(c))
      bad("levels of the cycle {} are covered but no rule targets a commune for it", c);
  for (const auto& c : p.ramed_exempt_communes)
    if (!valid_commune_code(c)) bad("\"{}\" is not a commune code", c);

  // Periods: named once, months of the policy, no month paid by two periods.
  std::map<std::string, std::string> paid_by;
  std::set<std::string> codes;
  for (const auto& per : p.periods) {
    if (per.code.empty() || per.code.size() > 16) bad("a transfer period needs a short code");
    if (!codes.insert(per.code).second) bad("the transfer period {} is defined twice", per.code);
    if (per.months.empty()) bad("the transfer period {} pays no month", per.code);
    for (const auto& m : per.months) {
      if (!months.count(m))
        bad("the transfer period {} pays {}, a month the policy does not cover", per.code, m);
      auto [it, fresh] = paid_by.emplace(m, per.code);
      if (!fresh) bad("the transfer periods {} and {} overlap on {}", it->second, per.code, m);
    }
  }
  if (p.periods.empty()) bad("the policy has no transfer period");
  return out;
}

std::vector<std::string> validate(const Policy& p) {
  std::vector<std::string> out;
  for (auto& pr : problems(p)) out.push_back(std::move(pr.message));
  return out;
}

std::vector<Problem> warnings(const Policy& p) {
  std::vector<Problem> out;
  if (p.require_ramed && p.ramed_exempt_communes.empty()) {
    constexpr std::string_view kNoExemption =
        "RAMED will be required in every commune: the policy exempts none (the communes covered "
        "up to 2017-18 can be imported from a file of their codes)";
    out.push_back({std::string(kNoExemption), kNoExemption, {}});
  }
  return out;
}

int Snapshot::month_index(std::string_view m) const {
  for (std::size_t i = 0; i < months.size(); ++i)
    if (months[i] == m) return static_cast<int>(i);
  return -1;
}

namespace {
constexpr std::string_view kReasons[] = {
    "eligible",     "commune_not_targeted", "level_not_covered",   "no_household",
    "no_payee_cin", "ramed_missing",        "left_school",         "transferred_out",
    "repeating",    "probable_duplicate",   "duplicate_confirmed", "household_cap"};
struct Label {
  std::string_view ar, fr;
};
constexpr Label kReasonLabels[] = {
    {"مستفيد", "éligible"},
    {"الجماعة غير مستهدفة", "commune non ciblée"},
    {"المستوى غير مشمول", "niveau non couvert"},
    {"لا أسرة مسجلة", "aucun ménage enregistré"},
    {"لا رقم بطاقة وطنية للمستفيد", "pas de CIN du bénéficiaire"},
    {"بطاقة راميد غير مدلى بها", "carte RAMED manquante"},
    {"غادر المؤسسة", "a quitté l'établissement"},
    {"انتقل إلى مؤسسة أخرى", "transféré vers un autre établissement"},
    {"مكرر", "redoublant"},
    {"تسجيل مكرر محتمل", "doublon probable"},
    {"تسجيل مكرر مؤكد", "doublon confirmé"},
    {"بلغت الأسرة الحد الأقصى", "plafond du ménage atteint"},
};
}  // namespace

std::string_view reason_code(Reason r) {
  return kReasons[static_cast<int>(r)];
}

std::optional<Reason> parse_reason(std::string_view s) {
  for (std::size_t i = 0; i < std::size(kReasons); ++i)
    if (kReasons[i] == s) return static_cast<Reason>(i);
  return std::nullopt;
}

std::string_view reason_label(Reason r, bool arabic) {
  const auto& l = kReasonLabels[static_cast<int>(r)];
  return arabic ? l.ar : l.fr;
}

int64_t Eligibility::eligible() const {
  return std::count(reason.begin(), reason.end(), Reason::eligible);
}

namespace {

// Within one edit (substitution, insertion, deletion or swap of neighbours): a mistyped CIN.
bool one_edit_apart(std::string_view a, std::string_view b) {
  if (a == b) return false;
  if (a.size() == b.size()) {
    std::size_t i = 0;
    while (a[i] == b[i]) ++i;
    if (a.substr(i + 1) == b.substr(i + 1)) return true;
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           a.substr(i + 2) == b.substr(i + 2);
  }
  if (a.size() + 1 == b.size()) std::swap(a, b);
  if (b.size() + 1 != a.size()) return false;
  std::size_t i = 0;
  while (i < b.size() && a[i] == b[i]) ++i;
  return a.substr(i + 1) == b.substr(i);
}

struct UnionFind {
  std::vector<int32_t> up;
  explicit UnionFind(std::size_t n) : up(n) { std::iota(up.begin(), up.end(), 0); }
  int32_t find(int32_t x) {
    while (up[static_cast<std::size_t>(x)] != x)
      x = up[static_cast<std::size_t>(x)] =
          up[static_cast<std::size_t>(up[static_cast<std::size_t>(x)])];
    return x;
  }
  void join(int32_t a, int32_t b) {
    a = find(a);
    b = find(b);
    if (a != b) up[static_cast<std::size_t>(std::max(a, b))] = std::min(a, b);
  }
};

// The key of a reviewed pair, written into `out` (reused: millions of pairs may be looked up).
const std::string& pair_key(std::string& out, std::string_view kind, const std::string& a,
                            const std::string& b) {
  return out.assign(kind).append(1, '\x1f').append(a).append(1, '\x1f').append(b);
}

// Eight bytes of a code from `from`, big-endian: integers in the codes' order (ties compared in
// full), so that millions of codes Massar sort without comparing strings.
uint64_t prefix_key(const std::string& code, std::size_t from = 0) {
  unsigned char b[8] = {};
  if (from < code.size())
    std::memcpy(b, code.data() + from, std::min<std::size_t>(8, code.size() - from));
  uint64_t k = 0;
  for (unsigned char c : b) k = k << 8 | c;
  return k;
}

// What a flagged pair has in common (Suspect::why).
constexpr std::array<const char*, 5> kWhy = {
    "same Arabic name and birth date, same household",
    "same Arabic name and birth date, other households",
    "same French name and birth date, same household",
    "same French name and birth date, other households",
    "same payee name, CIN one character apart, same commune"};
constexpr uint8_t kWhyPayee = 4;

// The reviewers' decisions on pairs, by kind and codes.
class Decisions {
 public:
  explicit Decisions(const std::vector<Review>& reviews) {
    std::string key;
    for (const auto& r : reviews)
      decided_[pair_key(key, r.kind, std::min(r.a, r.b), std::max(r.a, r.b))] = r.decision;
  }
  // "" when undecided; `scratch` is the caller's (threads each have their own).
  const std::string& of(std::string& scratch, const char* kind, const std::string& a,
                        const std::string& b) const {
    static const std::string kUndecided;
    if (decided_.empty()) return kUndecided;
    auto it = decided_.find(pair_key(scratch, kind, a, b));
    return it == decided_.end() ? kUndecided : it->second;
  }

 private:
  std::unordered_map<std::string, std::string> decided_;
};

}  // namespace

namespace {

// A policy's rules over a snapshot's communes and levels.
struct Rules {
  std::vector<int64_t> level_amount;  // per level of the snapshot; -1 when not covered
  std::vector<int> level_threshold;
  std::map<std::string, std::vector<uint8_t>> targeted;  // cycle → per commune
  std::vector<const std::vector<uint8_t>*> level_targeted;
  std::vector<uint8_t> exempt;  // per commune: exempt from RAMED
};

// A commune matches a target rule when it is listed (or the rule lists none), has the milieu
// (if one is set) and its indicator (if one is named) is at least the bound; a cycle is targeted
// in a commune when any of its rules matches.
Rules rules_of(const Policy& p, const Snapshot& s) {
  const std::size_t nc = s.commune_code.size();
  Rules R;
  for (const auto& t : p.targets) {
    auto& v = R.targeted[t.cycle];
    v.resize(nc, 0);
    std::unordered_set<std::string> listed(t.communes.begin(), t.communes.end());
    // Every indicator the rule bounds, each with its bound: all must hold.
    std::vector<std::pair<const std::vector<double>*, double>> bounds;
    bool unknown = false;
    auto bound = [&](const std::string& name, double min) {
      if (name.empty()) return;
      auto it = s.indicators.find(name);
      if (it == s.indicators.end())
        unknown = true;  // no value known: no commune matches
      else
        bounds.emplace_back(&it->second, min);
    };
    bound(t.indicator, t.min_value);
    for (const auto& b : t.and_indicators) bound(b.indicator, b.min_value);
    if (unknown) continue;
    for (std::size_t c = 0; c < nc; ++c) {
      if (!listed.empty() && !listed.count(s.commune_code[c])) continue;
      if (!t.milieu.empty() && (t.milieu == "rural") != (s.commune_rural[c] != 0)) continue;
      if (std::any_of(bounds.begin(), bounds.end(), [&](const auto& b) {
            return !(c < b.first->size() && (*b.first)[c] >= b.second);
          }))
        continue;
      v[c] = 1;
    }
  }
  R.exempt.assign(nc, 0);
  {
    std::unordered_set<std::string> ex(p.ramed_exempt_communes.begin(),
                                       p.ramed_exempt_communes.end());
    for (std::size_t c = 0; c < nc; ++c) R.exempt[c] = ex.count(s.commune_code[c]) ? 1 : 0;
  }
  const std::size_t nl = s.level_codes.size();
  R.level_amount.assign(nl, -1);
  R.level_threshold.assign(nl, 0);
  R.level_targeted.assign(nl, nullptr);
  for (std::size_t l = 0; l < nl; ++l) {
    auto it = p.amounts.find(s.level_codes[l]);
    if (it != p.amounts.end()) R.level_amount[l] = it->second;
    R.level_threshold[l] = absence_threshold(p, s.level_codes[l]);
    auto tg = R.targeted.find(std::string(cycle_of_level(s.level_codes[l])));
    if (tg != R.targeted.end()) R.level_targeted[l] = &tg->second;
  }
  return R;
}

// One of a pupil's schools of the year: an earlier one, or the last (the snapshot's columns).
struct At {
  int32_t school;
  uint8_t level;
  Status status;
  uint8_t in_scope;
};

// The pupil's schools in order, the last one last.
struct Schools {
  const std::vector<Stint>* earlier = nullptr;
  At last;
  std::size_t size() const { return (earlier ? earlier->size() : 0) + 1; }
  At operator[](std::size_t j) const {
    if (earlier && j < earlier->size()) {
      const Stint& x = (*earlier)[j];
      return {x.school, x.level, x.status, x.in_scope};
    }
    return last;
  }
};

Schools schools_of(const Snapshot& s, std::size_t i) {
  Schools out;
  out.last = {s.school[i], s.level[i], s.status[i], s.in_scope[i]};
  if (!s.earlier.empty())
    if (auto it = s.earlier.find(static_cast<int32_t>(i)); it != s.earlier.end())
      out.earlier = &it->second;
  return out;
}

constexpr int8_t kLeft = -1;  // a month after the pupil left school

// Which of the pupil's schools (an index of Schools) held each of `months`, or kLeft. A school
// left by a transfer holds the month of the transfer; a pupil who left school is paid the month
// he left.
void where_of(const Snapshot& s, std::size_t i, const Schools& at,
              const std::vector<std::string>& months, std::vector<int8_t>& where) {
  where.assign(months.size(), 0);
  const std::size_t last = at.size() - 1;
  const bool left = s.status[i] == Status::left;
  for (std::size_t k = 0; k < months.size(); ++k) {
    std::size_t j = 0;
    while (j < last && months[k] > (*at.earlier)[j].until) ++j;
    if (j == last && left && months[k] > s.left_month[i])
      where[k] = kLeft;
    else
      where[k] = static_cast<int8_t>(j);
  }
}

// The decision at one of a pupil's schools: the first reason that applies.
Reason reason_at(const Policy& p, const Snapshot& s, const Rules& R,
                 const std::vector<uint8_t>& dup, std::size_t i, const At& a) {
  if (a.school == kNone || a.status == Status::transferred_out) return Reason::transferred_out;
  const int32_t c = s.school_commune[static_cast<std::size_t>(a.school)];
  const int32_t h = s.household[i];
  if (R.level_amount[a.level] < 0) return Reason::level_not_covered;
  if (c == kNone || !R.level_targeted[a.level] ||
      !(*R.level_targeted[a.level])[static_cast<std::size_t>(c)])
    return Reason::commune_not_targeted;
  if (a.status == Status::repeating && !p.repeaters_eligible) return Reason::repeating;
  if (h == kNone) return Reason::no_household;
  if (s.household_cin[static_cast<std::size_t>(h)].empty()) return Reason::no_payee_cin;
  if (p.require_ramed && !s.household_ramed[static_cast<std::size_t>(h)] &&
      !R.exempt[static_cast<std::size_t>(c)])
    return Reason::ramed_missing;
  if (dup[i] == 2) return Reason::duplicate_confirmed;
  if (dup[i] == 1 && p.hold_probable_duplicates) return Reason::probable_duplicate;
  return Reason::eligible;
}

// Each pupil's decision over `months`: eligible when one of them is due to him at the school of
// that month (absences aside), with the largest amount of those months; otherwise the reason at
// the school of the latest month he was at one, or left_school. Then the household cap, among
// the eligible children of each household (after confirmed joins), ranked by the policy's rule.
void decide_months(const Policy& p, const Snapshot& s, const Rules& R,
                   const std::vector<uint8_t>& dup, const std::vector<int32_t>& group,
                   const std::vector<std::string>& months, std::vector<Reason>& reason,
                   std::vector<int64_t>& monthly) {
  const std::size_t n = s.pupils();
  reason.assign(n, Reason::eligible);
  monthly.assign(n, 0);
  const std::string first = months.empty() ? std::string() : months.front();
  std::vector<int8_t> where;
  for (std::size_t i = 0; i < n; ++i) {
    const Schools at = schools_of(s, i);
    if (!at.earlier) {  // one school the whole year: nearly every pupil
      if (s.status[i] == Status::left && s.left_month[i] < first) {
        reason[i] = Reason::left_school;
        continue;
      }
      reason[i] = reason_at(p, s, R, dup, i, at.last);
      if (reason[i] == Reason::eligible) monthly[i] = R.level_amount[at.last.level];
      continue;
    }
    where_of(s, i, at, months, where);
    std::optional<Reason> latest;
    bool due = false;
    int64_t amount = 0;
    int last_j = -1;
    Reason last_r = Reason::eligible;
    for (int8_t j : where) {
      if (j == kLeft) continue;
      if (j != last_j) {
        last_j = j;
        last_r = reason_at(p, s, R, dup, i, at[static_cast<std::size_t>(j)]);
      }
      latest = last_r;
      if (last_r == Reason::eligible) {
        due = true;
        amount = std::max(amount, R.level_amount[at[static_cast<std::size_t>(j)].level]);
      }
    }
    reason[i] = due ? Reason::eligible : latest ? *latest : Reason::left_school;
    monthly[i] = due ? amount : 0;
  }

  if (p.household_cap <= 0) return;
  // Only the households with more eligible children than the cap are ranked.
  auto group_of = [&](std::size_t i) { return group[static_cast<std::size_t>(s.household[i])]; };
  std::vector<int32_t> count(group.size(), 0);
  for (std::size_t i = 0; i < n; ++i)
    if (reason[i] == Reason::eligible) ++count[static_cast<std::size_t>(group_of(i))];
  std::vector<int32_t> order;
  for (std::size_t i = 0; i < n; ++i)
    if (reason[i] == Reason::eligible &&
        count[static_cast<std::size_t>(group_of(i))] > p.household_cap)
      order.push_back(static_cast<int32_t>(i));
  auto before = [&](int32_t a, int32_t b) {
    auto ua = static_cast<std::size_t>(a), ub = static_cast<std::size_t>(b);
    int32_t ga = group_of(ua), gb = group_of(ub);
    if (ga != gb) return ga < gb;
    switch (p.cap_rule) {
      case CapRule::largest_amount:
        if (monthly[ua] != monthly[ub]) return monthly[ua] > monthly[ub];
        break;
      case CapRule::youngest:
      case CapRule::oldest: {
        // Unknown birth dates last.
        int64_t da = s.birth_day[ua], db = s.birth_day[ub];
        bool ka = da != kNoDate, kb = db != kNoDate;
        if (ka != kb) return ka;
        if (da != db) return p.cap_rule == CapRule::youngest ? da > db : da < db;
        break;
      }
    }
    return s.massar[ua] < s.massar[ub];
  };
  std::sort(order.begin(), order.end(), before);
  int kept = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k == 0 || group_of(static_cast<std::size_t>(order[k])) !=
                      group_of(static_cast<std::size_t>(order[k - 1])))
      kept = 0;
    if (++kept > p.household_cap) {
      auto i = static_cast<std::size_t>(order[k]);
      reason[i] = Reason::household_cap;
      monthly[i] = 0;
    }
  }
}

}  // namespace

Eligibility decide_unlisted(const Policy& p, const Snapshot& s,
                            const std::vector<Review>& reviews) {
  const std::size_t n = s.pupils();
  Eligibility out;
  out.reason.assign(n, Reason::eligible);
  out.monthly.assign(n, 0);

  const Decisions decided(reviews);
  std::string lookup;
  std::vector<FlaggedPair> flags;

  // The same payee under two CINs one keystroke apart, with the same normalized name, whose
  // children go to school in the same commune: listed; joined into one household for the cap
  // only once a reviewer confirmed it.
  const std::size_t nh = s.household_cin.size();
  UnionFind uf(nh);
  std::vector<FlaggedPair> payee_flags;
  auto payees = [&] {
    std::string scratch;
    std::vector<int32_t> commune_of(nh, kNone);
    for (std::size_t i = 0; i < n; ++i) {
      int32_t h = s.household[i], sc = s.school[i];
      if (h != kNone && sc != kNone && commune_of[static_cast<std::size_t>(h)] == kNone)
        commune_of[static_cast<std::size_t>(h)] = s.school_commune[static_cast<std::size_t>(sc)];
    }
    std::vector<int32_t> order;
    for (std::size_t h = 0; h < nh; ++h)
      if (!s.household_name_norm[h].empty()) order.push_back(static_cast<int32_t>(h));
    auto name = [&](int32_t h) -> const std::string& {
      return s.household_name_norm[static_cast<std::size_t>(h)];
    };
    std::vector<uint64_t> name_hash(nh, 0);
    for (int32_t h : order)
      name_hash[static_cast<std::size_t>(h)] = std::hash<std::string>{}(name(h));
    auto commune = [&](int32_t h) { return commune_of[static_cast<std::size_t>(h)]; };
    auto hash = [&](int32_t h) { return name_hash[static_cast<std::size_t>(h)]; };
    std::sort(order.begin(), order.end(), [&](int32_t x, int32_t y) {
      if (commune(x) != commune(y)) return commune(x) < commune(y);
      if (hash(x) != hash(y)) return hash(x) < hash(y);
      return x < y;
    });
    for (std::size_t lo = 0; lo < order.size();) {
      std::size_t hi = lo + 1;
      while (hi < order.size() && commune(order[hi]) == commune(order[lo]) &&
             hash(order[hi]) == hash(order[lo]))
        ++hi;
      if (hi - lo <= 2000)
        for (std::size_t i = lo; i < hi; ++i)
          for (std::size_t j = i + 1; j < hi; ++j) {
            const auto& a = s.household_cin[static_cast<std::size_t>(order[i])];
            const auto& b = s.household_cin[static_cast<std::size_t>(order[j])];
            if (!one_edit_apart(a, b) || name(order[i]) != name(order[j])) continue;
            const bool ab = a < b;
            const std::string& d = decided.of(scratch, "payee", ab ? a : b, ab ? b : a);
            payee_flags.push_back(
                {1, kWhyPayee, ab ? order[i] : order[j], ab ? order[j] : order[i]});
            if (d == "same") uf.join(order[i], order[j]);
          }
      lo = hi;
    }
  };
  // Nationally the payees take 1.7 s, each of the two name passes below 1.0–1.3 s: the payees
  // and the French names run beside the Arabic names on threads of their own (they share nothing
  // but what they read).
  Beside worker(payees);

  // The same child enrolled twice: same birth date and same normalized name (Arabic or French).
  // In the same household the later code Massar is held back until a reviewer decides; across
  // households (namesakes born the same day happen) the pair is only listed. A reviewer's
  // "same" holds the later code back for good, "distinct" clears it. Pupils are grouped by
  // sorting (key, birth date, code Massar) rather than hashing into many small vectors.
  std::vector<uint8_t> dup(n, 0);  // 1 probable, 2 confirmed
  {
    struct Item {
      uint64_t key, code;  // name key; the code Massar's prefix key
      int32_t birth, pupil;
    };
    // One pass a name, each into its own flags and marks (`scratch`: its own too).
    auto add = [&](const std::vector<uint64_t>& keys, uint8_t why_same,
                   std::vector<FlaggedPair>& found, std::vector<uint8_t>& marks,
                   std::string& scratch) {
      std::vector<Item> items;
      items.reserve(n);
      for (std::size_t i = 0; i < n; ++i)
        if (keys[i] != 0 && s.birth_day[i] != kNoDate)
          items.push_back(
              {keys[i], prefix_key(s.massar[i]), s.birth_day[i], static_cast<int32_t>(i)});
      std::sort(items.begin(), items.end(), [&](const Item& x, const Item& y) {
        if (x.key != y.key) return x.key < y.key;
        if (x.birth != y.birth) return x.birth < y.birth;
        if (x.code != y.code) return x.code < y.code;
        return s.massar[static_cast<std::size_t>(x.pupil)] <
               s.massar[static_cast<std::size_t>(y.pupil)];
      });
      for (std::size_t lo = 0; lo < items.size();) {
        std::size_t hi = lo + 1;
        while (hi < items.size() && items[hi].key == items[lo].key &&
               items[hi].birth == items[lo].birth)
          ++hi;
        for (std::size_t k = lo + 1; k < hi; ++k) {
          auto i = static_cast<std::size_t>(items[k].pupil);
          // The earliest code before it, preferring one of the same household.
          std::optional<std::size_t> same_household, any;
          for (std::size_t j = lo; j < k; ++j) {
            auto o = static_cast<std::size_t>(items[j].pupil);
            if (s.massar[o] == s.massar[i]) continue;
            if (!any) any = o;
            if (!same_household && s.household[o] != kNone && s.household[o] == s.household[i])
              same_household = o;
          }
          if (!any) continue;
          std::size_t first = same_household ? *same_household : *any;
          const std::string& d = decided.of(scratch, "pupil", s.massar[first], s.massar[i]);
          found.push_back({0, static_cast<uint8_t>(why_same + (same_household ? 0 : 1)),
                           static_cast<int32_t>(first), static_cast<int32_t>(i)});
          if (d == "same")
            marks[i] = 2;
          else if (d.empty() && same_household)
            marks[i] = std::max<uint8_t>(marks[i], 1);
        }
        lo = hi;
      }
    };
    // The French names' marks are joined to the Arabic's after, the higher kept (as a second pass
    // would have raised the first's).
    std::vector<FlaggedPair> fr_flags;
    std::vector<uint8_t> fr_dup(n, 0);
    Beside french([&] {
      std::string scratch;
      add(s.name_fr_key, 2, fr_flags, fr_dup, scratch);
    });
    add(s.name_ar_key, 0, flags, dup, lookup);
    french.join();
    for (std::size_t i = 0; i < n; ++i) dup[i] = std::max(dup[i], fr_dup[i]);
    flags.insert(flags.end(), fr_flags.begin(), fr_flags.end());
  }

  worker.join();
  flags.insert(flags.end(), payee_flags.begin(), payee_flags.end());
  payee_flags = {};
  // The same payee confirmed under two CINs without a similar name is joined too.
  if (std::any_of(reviews.begin(), reviews.end(),
                  [](const Review& r) { return r.kind == "payee" && r.decision == "same"; })) {
    std::unordered_map<std::string_view, int32_t> by_cin;
    for (std::size_t h = 0; h < nh; ++h)
      by_cin.emplace(s.household_cin[h], static_cast<int32_t>(h));
    for (const auto& r : reviews)
      if (r.kind == "payee" && r.decision == "same") {
        auto x = by_cin.find(r.a), y = by_cin.find(r.b);
        if (x != by_cin.end() && y != by_cin.end()) uf.join(x->second, y->second);
      }
  }
  out.group.resize(nh);
  for (std::size_t h = 0; h < nh; ++h) out.group[h] = uf.find(static_cast<int32_t>(h));
  out.flagged = std::move(flags);

  // Each pupil's decision over the school year, the household cap among the children with a
  // month due.
  out.duplicate = std::move(dup);
  decide_months(p, s, rules_of(p, s), out.duplicate, out.group, p.months, out.reason, out.monthly);
  return out;
}

std::vector<Suspect> suspects_of(const Snapshot& s, const std::vector<FlaggedPair>& flagged,
                                 const std::vector<Review>& reviews) {
  // The pairs by kind and codes, once each (a pair found by both names keeps the Arabic).
  const Decisions decided(reviews);
  std::string lookup;
  std::vector<Suspect> out;
  auto code = [&](uint8_t payee, int32_t i) -> const std::string& {
    return payee ? s.household_cin[static_cast<std::size_t>(i)]
                 : s.massar[static_cast<std::size_t>(i)];
  };
  struct Keyed {
    std::array<uint64_t, 4> key;  // 16 bytes of each code: all of a code Massar or a CIN
    FlaggedPair f;
    bool long_a, long_b;  // a code over 16 bytes: equal keys are compared in full
  };
  std::vector<Keyed> keyed;
  keyed.reserve(flagged.size());
  for (const auto& f : flagged) {
    const auto &a = code(f.payee, f.a), &b = code(f.payee, f.b);
    keyed.push_back({{prefix_key(a), prefix_key(a, 8), prefix_key(b), prefix_key(b, 8)},
                     f,
                     a.size() > 16,
                     b.size() > 16});
  }
  // <0, 0, >0 as the (kind, a, b) of x against y's.
  auto compare = [&](const Keyed& x, const Keyed& y) -> int {
    if (x.f.payee != y.f.payee) return x.f.payee > y.f.payee ? -1 : 1;
    for (int k : {0, 1, 2, 3}) {
      if (x.key[k] != y.key[k]) return x.key[k] < y.key[k] ? -1 : 1;
      if (k == 1 && (x.long_a || y.long_a))
        if (int c = code(x.f.payee, x.f.a).compare(code(y.f.payee, y.f.a))) return c;
    }
    if (x.long_b || y.long_b) return code(x.f.payee, x.f.b).compare(code(y.f.payee, y.f.b));
    return 0;
  };
  std::sort(keyed.begin(), keyed.end(), [&](const Keyed& x, const Keyed& y) {
    int c = compare(x, y);
    return c != 0 ? c < 0 : x.f.why < y.f.why;
  });
  out.reserve(keyed.size());
  for (std::size_t k = 0; k < keyed.size(); ++k) {
    if (k > 0 && compare(keyed[k - 1], keyed[k]) == 0) continue;
    const FlaggedPair& f = keyed[k].f;
    const char* kind = f.payee ? "payee" : "pupil";
    const std::string& a = code(f.payee, f.a);
    const std::string& b = code(f.payee, f.b);
    out.push_back({kind, a, b, kWhy[f.why], decided.of(lookup, kind, a, b)});
  }
  return out;
}

Eligibility decide(const Policy& p, const Snapshot& s, const std::vector<Review>& reviews) {
  Eligibility e = decide_unlisted(p, s, reviews);
  e.suspects = suspects_of(s, e.flagged, reviews);
  e.flagged = {};
  return e;
}

namespace {

struct PeriodColumns {
  std::vector<int> col;  // snapshot month column per period month
};

PeriodColumns columns_of(const Period& period, const Snapshot& s) {
  PeriodColumns pc;
  for (const auto& m : period.months) {
    int c = s.month_index(m);
    if (c < 0)
      throw std::invalid_argument(
          fmt::format("the absences of {} (period {}) were not loaded", m, period.code));
    pc.col.push_back(c);
  }
  return pc;
}

}  // namespace

CycleResult run_cycle(const Policy& p, const Period& period, const Snapshot& s,
                      const Eligibility& e) {
  const auto pc = columns_of(period, s);
  const std::size_t n = s.pupils(), nm = s.months.size(), pm = period.months.size();
  const Rules R = rules_of(p, s);
  const bool sessions = p.absence_unit == AbsenceUnit::session;
  if (sessions && s.sessions_unjustified.size() != s.absent_unjustified.size())
    throw std::invalid_argument("the sessions missed were not loaded for a policy counting them");
  const auto& unjustified = sessions ? s.sessions_unjustified : s.absent_unjustified;
  const auto& justified = sessions ? s.sessions_justified : s.absent_justified;
  // The decisions of this period: who has a month due in it, and the household cap among them.
  std::vector<Reason> reason;
  std::vector<int64_t> monthly;
  decide_months(p, s, R, e.duplicate, e.group, period.months, reason, monthly);

  CycleResult out;
  out.months = period.months;
  out.lines.reserve(static_cast<std::size_t>(std::count(s.in_scope.begin(), s.in_scope.end(), 1)));
  std::vector<int32_t> paid_groups;
  std::vector<int8_t> where;
  std::vector<int> counted(pm);
  // The schools of a pupil's lines, in the order he was at them: (school, its latest index in
  // his Schools holding a month of the period).
  std::vector<std::pair<int32_t, std::size_t>> line_schools;
  for (std::size_t i = 0; i < n; ++i) {
    const Schools at = schools_of(s, i);
    if (!at.earlier && !at.last.in_scope) continue;
    where_of(s, i, at, period.months, where);
    for (std::size_t k = 0; k < pm; ++k) {
      std::size_t cell = i * nm + static_cast<std::size_t>(pc.col[k]);
      counted[k] = unjustified[cell] + (p.justified_absences_count ? justified[cell] : 0);
    }
    line_schools.clear();
    bool held = false;  // a school held a month of the period
    for (int8_t j : where) {
      if (j == kLeft) continue;
      held = true;
      const At a = at[static_cast<std::size_t>(j)];
      if (a.school == kNone || !a.in_scope) continue;
      auto it = std::find_if(line_schools.begin(), line_schools.end(),
                             [&](const auto& x) { return x.first == a.school; });
      if (it == line_schools.end())
        line_schools.emplace_back(a.school, static_cast<std::size_t>(j));
      else
        it->second = std::max(it->second, static_cast<std::size_t>(j));
    }
    bool eligible_child = false;
    std::size_t first_line = out.lines.size();
    for (const auto& [school, j] : line_schools) {
      const At a = at[j];
      PupilLine line;
      line.pupil = static_cast<int32_t>(i);
      line.school = school;
      line.level = a.level;
      line.reason = reason_at(p, s, R, e.duplicate, i, a);
      if (line.reason == Reason::eligible && reason[i] == Reason::household_cap)
        line.reason = Reason::household_cap;
      const bool eligible = line.reason == Reason::eligible;
      line.monthly = eligible ? R.level_amount[a.level] : 0;
      line.months.assign(pm, '-');
      line.absences.assign(pm, 0);
      const int threshold = R.level_threshold[a.level];
      for (std::size_t k = 0; k < pm; ++k) {
        line.absences[k] = static_cast<uint8_t>(std::min(counted[k], 255));
        char st;
        if (where[k] == kLeft)
          st = 'L';
        else if (at[static_cast<std::size_t>(where[k])].school != school)
          st = 'T';
        else if (!eligible)
          st = '-';
        else
          st = counted[k] > threshold ? 'F' : 'P';
        line.months[k] = st;
        if (st == 'F') line.forfeited += line.monthly;
        if (st == 'P') line.due += line.monthly;
      }
      eligible_child = eligible_child || eligible;
      out.lines.push_back(std::move(line));
    }
    if (out.lines.size() == first_line) {
      // At no school of the scope in the period: listed at the last one he was at here, as
      // transferred (another school has his months) or as having left school.
      std::optional<At> here;
      for (std::size_t j = 0; j < at.size(); ++j)
        if (at[j].school != kNone && at[j].in_scope) here = at[j];
      if (!here) continue;
      PupilLine line;
      line.pupil = static_cast<int32_t>(i);
      line.school = here->school;
      line.level = here->level;
      line.reason = here->status == Status::transferred_out ? Reason::transferred_out
                    : !held                                 ? Reason::left_school
                    : reason[i] == Reason::eligible || reason[i] == Reason::household_cap
                        ? Reason::transferred_out
                        : reason[i];
      line.months.resize(pm);
      line.absences.resize(pm);
      for (std::size_t k = 0; k < pm; ++k) {
        line.months[k] = where[k] == kLeft ? 'L' : 'T';
        line.absences[k] = static_cast<uint8_t>(std::min(counted[k], 255));
      }
      out.lines.push_back(std::move(line));
    }
    out.total.pupils++;
    if (eligible_child) out.total.beneficiaries++;
    int64_t due = 0;
    for (std::size_t k = first_line; k < out.lines.size(); ++k) {
      out.total.due += out.lines[k].due;
      out.total.forfeited += out.lines[k].forfeited;
      due += out.lines[k].due;
    }
    if (due > 0) paid_groups.push_back(e.group[static_cast<std::size_t>(s.household[i])]);
  }
  std::sort(paid_groups.begin(), paid_groups.end());
  out.total.households = std::unique(paid_groups.begin(), paid_groups.end()) - paid_groups.begin();
  return out;
}

}  // namespace sanad::tayssir
