// Conditional cash transfers of the Tayssir shape: a policy (every rule a parameter, versioned
// by school year), the eligibility of every pupil with a reason, and a payment cycle per transfer
// period (months paid or forfeited by absences, households within their cap). Pure code over
// arrays: the snapshot is loaded by app/, the engine never sees a database.
#pragma once
#include <climits>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sanad::tayssir {

// An indicator a commune's value of must be at least `min_value`.
struct IndicatorBound {
  std::string indicator;
  double min_value = 0;
  bool operator==(const IndicatorBound&) const = default;
};

// Which communes a cycle of schooling is targeted in. A commune matches a rule when it is in
// `communes` (if the list is not empty), has the `milieu` (if set), its `indicator` (if set)
// is at least `min_value` and so is each indicator of `and_indicators` (the pilot years: poverty
// rate >= 30% and primary dropout >= 8%). A commune is targeted for a cycle when any rule of
// that cycle matches.
struct TargetRule {
  std::string cycle;                  // "primaire", "college", "lycee"
  std::vector<std::string> communes;  // HCP codes; empty: any commune
  std::string milieu;                 // "rural", "urban" or "" for both
  std::string indicator;              // e.g. "poverty_rate"; "" for none
  double min_value = 0;               // the indicator's value must be >= this
  std::vector<IndicatorBound> and_indicators = {};
  bool operator==(const TargetRule&) const = default;
};

// How the children of a household over its cap are chosen: the ones kept are the first by
// this order, ties broken by code Massar.
enum class CapRule { largest_amount, youngest, oldest };

// What a month's absences are counted in: days (a day with any absence is one) or the sessions
// (half-days) missed, as Massar records them (the absences file's sessions, 1 a day where it
// does not say). The thresholds are in that unit.
enum class AbsenceUnit : uint8_t { day, session };
std::string_view cap_rule_name(CapRule r);
std::optional<CapRule> parse_cap_rule(std::string_view s);

// A transfer: the months it pays ("2025-09" …), a subset of the policy's months.
struct Period {
  std::string code, name_ar, name_fr;
  std::vector<std::string> months;
  bool operator==(const Period&) const = default;
};

struct Policy {
  std::string code;  // unique, e.g. "tayssir-2025-2026"
  std::string program = "tayssir";
  std::string school_year;  // "2025-2026"
  std::string name_ar, name_fr;
  std::vector<TargetRule> targets;
  std::map<std::string, int64_t> amounts;        // level → centimes a month; the levels covered
  std::vector<std::string> months;               // the months covered, in order ("2025-09" …)
  std::map<std::string, int> absence_threshold;  // cycle → most absence days a month still paid
  bool justified_absences_count = true;
  AbsenceUnit absence_unit = AbsenceUnit::day;
  int household_cap = 3;  // children paid per household; 0 for no cap
  CapRule cap_rule = CapRule::largest_amount;
  bool require_ramed = true;
  std::vector<std::string> ramed_exempt_communes;  // e.g. communes covered up to 2017-18
  bool repeaters_eligible = true;
  // A child who looks enrolled twice (the same name and birth date) is held back until a person
  // decides: a safeguard, and the default; off, the pair is still listed for review but paid.
  bool hold_probable_duplicates = true;
  std::vector<Period> periods;
  bool operator==(const Policy&) const = default;
};

// The published Tayssir rules from 2018-19 as a policy for a school year: 60/80/100 MAD a month
// in primary by pairs of levels, 140 MAD in collège; ten months September–June; a month lost
// above 4 absence days in primary, 6 in collège, justified ones counting; three children per
// household, the largest amounts first; all primary pupils of rural communes and all collège
// pupils; a RAMED card or receipt required; repeaters kept; three transfers (Sept–Dec,
// Jan–Mar, Apr–Jun).
Policy published_policy(const std::string& school_year);

// A copy of a policy for another school year: months and periods moved by whole years.
Policy policy_for_year(const Policy& p, const std::string& school_year, const std::string& code);

// The most absence days a month still paid for a level (its cycle's threshold; 0 when none).
int absence_threshold(const Policy& p, std::string_view level);

// What is wrong with a policy, one problem a sentence: in English, and as its template ({} for
// each argument, in order) with the arguments, for the interface to say it in Arabic or French.
struct Problem {
  std::string message;
  std::string_view templ;
  std::vector<std::string> args;
};
std::vector<Problem> problems(const Policy& p);
// The English sentences of problems() (empty when the policy is valid).
std::vector<std::string> validate(const Policy& p);
// What a valid policy does that its editor may not mean, said when it is created or saved: RAMED
// required with no commune exempt.
std::vector<Problem> warnings(const Policy& p);

// ---------------------------------------------------------------------------------------------
// The snapshot the engine works on: one row per pupil (its enrolment of the year that counts),
// with its school, commune and household as indices into the other arrays.

constexpr int32_t kNone = -1;
constexpr int32_t kNoDate = INT32_MIN;

enum class Status : uint8_t { enrolled, repeating, left, transferred_out };

// A school a pupil was at before the one he is at now, in the same school year: he was there up
// to `until` ("2025-11", the month of his transfer, paid by that school). A school outside the
// scope, unknown here, is kNone (its months are another school's to pay).
struct Stint {
  int32_t school = -1;
  uint8_t level = 0;
  Status status = Status::enrolled;  // enrolled or repeating
  uint8_t in_scope = 0;
  std::string until;
  bool operator==(const Stint&) const = default;
};

struct Snapshot {
  // Communes.
  std::vector<std::string> commune_code;
  std::vector<uint8_t> commune_rural;
  // HCP indicators by name, one value per commune (NaN when unknown).
  std::map<std::string, std::vector<double>> indicators;

  // Schools.
  std::vector<std::string> school_code;
  std::vector<int32_t> school_commune;

  // Households (payees).
  std::vector<std::string> household_cin, household_name_norm;
  std::vector<uint8_t> household_ramed;  // a RAMED card or receipt is on file

  // Pupils.
  std::vector<int64_t> pupil_id;  // the store's id, carried through
  std::vector<std::string> massar;
  // Hashes of the normalized full names (Arabic, French), 0 when empty: equal names, equal keys.
  std::vector<uint64_t> name_ar_key, name_fr_key;
  std::vector<int32_t> birth_day;        // days since 1970-01-01; kNoDate when unknown
  std::vector<std::string> level_codes;  // the levels met, indexed by `level`
  std::vector<uint8_t> level;
  std::vector<Status> status;
  std::vector<std::string> left_month;  // "2026-02" for status left, else ""
  // The school, level, status and scope above are those of the pupil's last school of the year;
  // a pupil moved by a dated transfer was before at the schools of `earlier` (in order, each up to
  // its month). Moved to a school outside the scope: the last school is kNone, not in scope.
  // Few pupils: by pupil index.
  std::unordered_map<int32_t, std::vector<Stint>> earlier;
  std::vector<int32_t> school;     // for transferred_out, the school left
  std::vector<int32_t> household;  // kNone when no household is on file
  std::vector<uint8_t> in_scope;   // 0: a sibling outside the cycle's scope (counts for
                                   // the household cap, is not paid here)

  // Absence days per pupil and month: months[] names the columns, row-major by pupil.
  std::vector<std::string> months;
  std::vector<uint8_t> absent_unjustified, absent_justified;
  // The same in sessions missed (Policy::absence_unit); empty unless loaded for such a policy.
  std::vector<uint8_t> sessions_unjustified, sessions_justified;

  std::size_t pupils() const { return massar.size(); }
  int month_index(std::string_view m) const;  // -1 when not loaded
};

// Decisions of a reviewer on a pair the engine flagged (by code Massar or by payee CIN):
// "same" or "distinct".
struct Review {
  std::string kind;  // "pupil" or "payee"
  std::string a, b;  // a < b
  std::string decision;
};

enum class Reason : uint8_t {
  eligible,
  commune_not_targeted,
  level_not_covered,
  no_household,
  no_payee_cin,
  ramed_missing,
  left_school,
  transferred_out,
  repeating,
  probable_duplicate,
  duplicate_confirmed,
  household_cap,
};
constexpr int kReasonCount = 12;  // Reason values are 0 … kReasonCount - 1
std::string_view reason_code(Reason r);
std::optional<Reason> parse_reason(std::string_view s);
std::string_view reason_label(Reason r, bool arabic);

// A pair flagged for review: the same child enrolled twice, or the same payee under two CINs.
struct Suspect {
  std::string kind;      // "pupil" or "payee"
  std::string a, b;      // codes Massar or CINs, a < b
  std::string_view why;  // what matched (a sentence of the engine's, static)
  std::string decision;  // the review's decision, "" while pending
};

// A pair flagged while deciding: indices (pupils, or households for payees) rather than strings;
// `a`'s code before `b`'s.
struct FlaggedPair {
  uint8_t payee, why;  // payee 0: a pupil pair ("payee" sorts before "pupil")
  int32_t a, b;
};

// Per pupil over the whole school year (a cycle decides again over its period's months): a child
// is eligible when at least one month is due to him, before absences, at the school of that month;
// the household cap is applied among those children. `monthly` is the largest amount of his
// months due.
struct Eligibility {
  std::vector<Reason> reason;        // per pupil
  std::vector<int64_t> monthly;      // centimes a month when eligible, else 0
  std::vector<uint8_t> duplicate;    // per pupil: 1 held back as a probable duplicate, 2 confirmed
  std::vector<int32_t> group;        // per household: its group after confirmed "same payee"
  std::vector<Suspect> suspects;     // sorted by kind, a, b
  std::vector<FlaggedPair> flagged;  // from decide_unlisted: the pairs not yet listed
  int64_t eligible() const;
};

// Every pupil's decision and the flagged pairs listed as suspects.
Eligibility decide(const Policy& p, const Snapshot& s, const std::vector<Review>& reviews);
// The same decisions, the flagged pairs left in `flagged` and `suspects` empty: listing them
// (nationally three million pairs, 3 s) can then be done beside other work by suspects_of.
Eligibility decide_unlisted(const Policy& p, const Snapshot& s, const std::vector<Review>& reviews);
std::vector<Suspect> suspects_of(const Snapshot& s, const std::vector<FlaggedPair>& flagged,
                                 const std::vector<Review>& reviews);

// ---------------------------------------------------------------------------------------------
// A cycle decides over its period's months alone: a child with no month due in the period (left
// before it, or at schools that do not qualify) takes no place in the household cap, one whose
// every month is forfeited by absences keeps his. A line per pupil and school where he was in a
// month of the period, judged at that school and level: for each month paid ('P'), forfeited by
// absences ('F'), after leaving school ('L'), at another school that month ('T': that school pays
// it) or nothing because the pupil is not eligible ('-'). A pupil at no school of the scope in
// the period (left before it, or moved out) is listed at the last one he was at here, every
// month 'L' or 'T'.

struct PupilLine {
  int32_t pupil = 0;
  int32_t school = kNone;  // the snapshot's school of the line
  uint8_t level = 0;       // the level he had there
  Reason reason = Reason::eligible;
  int64_t monthly = 0, due = 0, forfeited = 0;
  std::string months;             // one letter per month of the period
  std::vector<uint8_t> absences;  // counted absence days per month of the period
};

// Pupils and beneficiaries are children (a pupil moved between two schools of the scope has two
// lines and counts once).
struct Totals {
  int64_t pupils = 0, beneficiaries = 0, households = 0, due = 0, forfeited = 0;
  bool operator==(const Totals&) const = default;
};

struct CycleResult {
  std::vector<std::string> months;  // the period's months
  std::vector<PupilLine> lines;     // every pupil in scope, in snapshot order, his schools in
                                    // the order he was at them
  Totals total;                     // over the lines (households after confirmed joins)
};

// Throws std::invalid_argument when a month of the period has no absences loaded.
CycleResult run_cycle(const Policy& p, const Period& period, const Snapshot& s,
                      const Eligibility& e);

// One month of a pupil's line as an officer reads it (app/ fills it from a cycle's line).
struct MonthDetail {
  std::string month;
  std::string school;  // the school he was at that month, when one of the cycle's
  int unjustified = 0, justified = 0, counted = 0, threshold = 0;
  char state = '-';
};

}  // namespace sanad::tayssir
