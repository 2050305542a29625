// Tayssir use cases: policies (create, copy, edit while not frozen), cycles computed per
// directorate from a snapshot of the registry (draft → checked → approved → exported → closed),
// adjustments for corrections found after payment, reviews of suspected duplicates, and the
// lists people sign and pay from. Each change is one transaction and one audit entry.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/app/actor.hpp"
#include "core/app/refusal.hpp"
#include "core/app/workflow.hpp"
#include "core/store/store.hpp"
#include "kernel/facts.hpp"
#include "modules/tayssir/domain/tayssir.hpp"
#include "modules/tayssir/store/tayssir.hpp"
#include "registry/app/export.hpp"

namespace sanad::app {

// A refusal to show the user as it is (a rule, a state, a missing record), with its Arabic and
// French when it has them (an invalid policy's problems).
using TayssirError = Refusal;

// A policy's problem in Arabic or French (tayssir_sentences.cpp); in English when not listed.
std::string render_problem(const tayssir::Problem& p, Lang lang);
bool policy_problem_listed(std::string_view templ);
// Any other refusal of the use cases below, its template filled with the values, in Arabic or
// French; `english` when the template is not listed.
std::string render_refusal(std::string_view templ, const std::vector<std::string>& values,
                           Lang lang, const std::string& english);
bool refusal_listed(std::string_view templ);
bool translations_complete();  // every translation has as many values as its English
// Why an adjustment line was made: its English sentence (stored as `reason`) and its template
// with the values (stored as `reason_detail`); values at the positions in `decisions` are
// decision codes (eligible, household_cap…), said in the list's language.
struct AdjustmentReason {
  std::string english, detail;
};
// `month_states`: the indices of the values that are a period's months as letters (PPFL), said
// as words in the list's language.
AdjustmentReason adjustment_reason(std::string_view templ, const std::vector<std::string>& values,
                                   const std::vector<int>& decisions = {},
                                   const std::vector<int>& month_states = {});
// A month's state in a line (P paid, F forfeited, L after leaving, T before a transfer into the
// school) in Arabic or French; "" for a month not due.
std::string month_state_label(char state, bool ar);
// An adjustment's reason in Arabic or French; its English when the row has no detail (written
// before migration 011) or the template is not listed.
std::string render_adjustment_reason(const store::AdjustmentRow& a, Lang lang);
bool adjustment_reason_listed(std::string_view templ);
// What a pair of suspects has in common (tayssir::Suspect::why) in Arabic or French.
std::string render_suspect_why(std::string_view why, Lang lang);
bool suspect_why_listed(std::string_view why);
// A field of a policy's JSON that is wrong ("policy: PATH WHY"), in Arabic or French.
std::string render_field_problem(std::string_view path, std::string_view why, Lang lang);

// The policy as JSON (amounts in centimes) and back; parsing names the field that is wrong.
std::string policy_to_json(const tayssir::Policy& p);
tayssir::Policy policy_from_json(const std::string& text);

// Policies.
std::optional<tayssir::Policy> find_policy(store::Store& st, const std::string& code);
tayssir::Policy get_policy(store::Store& st, const std::string& code);  // or TayssirError
std::vector<tayssir::Policy> list_policies(store::Store& st);
void create_policy(store::Store& st, const tayssir::Policy& p, const Actor& who);
// Replaces a policy; refused when invalid or frozen (a cycle of it left the draft state).
void update_policy(store::Store& st, const tayssir::Policy& p, const Actor& who);
bool policy_frozen(store::Store& st, const std::string& code);
// The commune codes of a CSV or XLSX file (its bytes; `name` names it in refusals): the column
// headed "commune" or "code" (or رمز الجماعة), else the first; blank rows skipped. Every code must
// be a commune of the territory: a refusal names each wrong row's file, row, column and value.
std::vector<std::string> communes_from_file(store::Store& st, const std::string& bytes,
                                            const std::string& name);
// A new policy `code` with the rules of `from`; with another school year (like 2026-2027), its
// months and periods moved by whole years. Refused when the year is not one or the code is taken.
tayssir::Policy copy_policy(store::Store& st, const std::string& from, const std::string& code,
                            const std::string& school_year, const Actor& who);

// The registry of a scope as the engine sees it, with the store's ids beside the indices.
struct LoadedSnapshot {
  tayssir::Snapshot s;
  std::vector<int64_t> school_id, household_id;  // by index
  std::vector<std::string> school_directorate;   // by school index
  // The index of the pupil of store id `id` (the pupils are in the order of their ids), or -1.
  int32_t pupil_at(int64_t id) const;
};
std::vector<tayssir::Review> load_reviews(store::Store& st);
// With `reviews`, the other enrolment of a child reviewed as enrolled twice comes in from
// outside the scope.
// With `sessions`, the sessions missed are read too (a policy counting them).
LoadedSnapshot load_snapshot(store::Store& st, const Scope& scope, const std::string& year,
                             const std::vector<std::string>& months,
                             const std::vector<tayssir::Review>& reviews, bool sessions = false);
// The same, kept in this process (a server) between what-ifs and lists of suspected duplicates
// while nothing it is read from has changed: any audited change moves it but the Tayssir
// program's own steps (cycles, checks, appeals, policies, reviews: the reviews it depends on are
// part of what it is kept under) and sign-ins or exports — as the statistics are kept. The last
// two snapshots are kept, of at most kKeptSnapshotPupils pupils each (a region; not the nation).
// Cycles, which pay, always read the registry afresh.
constexpr std::size_t kKeptSnapshotPupils = 2'500'000;
std::shared_ptr<const LoadedSnapshot> snapshot_of(store::Store& st, const Scope& scope,
                                                  const std::string& year,
                                                  const std::vector<std::string>& months,
                                                  const std::vector<tayssir::Review>& reviews,
                                                  bool sessions = false);

// Cycles.
constexpr std::size_t kSuspectsShown = 50;

struct ComputeOptions {
  std::string policy, period;
  Scope scope;  // the nation, a region or a directorate: one cycle per directorate in it
  Actor who;
  std::function<void(const std::string&)> progress;
};

struct ComputedCycle {
  std::string directorate;
  int64_t cycle_id = 0;
  bool recomputed = false;  // false: the cycle had left the draft state and was kept
  store::CycleRow row;      // as it stands after the run
  int64_t adjustment_lines = 0;
  store::LineChanges lines;  // lines written and deleted (a recomputation rewrites the changed)
};

struct ComputeResult {
  std::vector<ComputedCycle> cycles;
  // Pairs pending review in the scope: how many, and the first kSuspectsShown of them (a
  // national computation may flag millions; list_suspects has them all).
  int64_t suspects_pending = 0;
  std::vector<tayssir::Suspect> suspects;
};

ComputeResult compute_cycles(store::Store& st, const ComputeOptions& opt);
// Cycles are written one directorate at a time, across servers too (the key of a lock held by
// each directorate's transaction): on PostgreSQL attaching a cycle's lines locks the lines table,
// then the cycles table, which another directorate's transaction holds from its first statement
// (two computations at once deadlocked).
inline constexpr int64_t kCycleWritingLock = 0x5A4E5459;

// A school confirms its list, or flags errors with a note. Only while the cycle is a draft.
void check_school(store::Store& st, int64_t cycle_id, const std::string& school_code,
                  bool confirmed, const std::string& note, const Actor& who);
// draft → checked (every school confirmed, none flagged), checked → approved,
// exported → closed. Exporting is export_payments.
// A cycle's life: draft → checked (every school confirmed) → approved → exported (by writing its
// payment file) → closed; a checked cycle may be sent back to draft. Moves are named by the state
// they lead to.
const Workflow& cycle_workflow();

// What Tayssir gives the statistics (tayssir_facts.cpp): a row per line of a school year's cycles;
// each pupil's outcome of the year (1 eligible, 2 paid; the others none); the indicators it ships
// (JSON, as `sanad stats define` takes them).
FactShape line_fact_shape();
FactRows line_facts(store::Store& st, const std::string& school_year);
void give_pupil_outcomes(store::Store& st, const std::string& school_year,
                         const std::function<void(int64_t, uint8_t)>& give);
extern const char* const kIndicators;
void advance_cycle(store::Store& st, int64_t cycle_id, const std::string& to, const Actor& who);

store::CycleRow get_cycle(store::Store& st, int64_t cycle_id);  // or TayssirError
// The cycle's totals over the schools `keep` accepts (a school head's own part).
store::CycleRow part_of_cycle(store::Store& st, const store::CycleRow& c,
                              const std::function<bool(const std::string& school)>& keep);

// Lists of a cycle, written to a file (CSV or XLSX, Arabic or French headings).
enum class CycleList {
  beneficiaries,  // per school, for signature: pupil, level, months, amount
  exclusions,     // pupils not eligible, with the reason
  payments,       // per household: payee CIN and name, amount, children
  totals,         // per school, commune and directorate
  adjustments,    // adjustment lines with their reason
};
std::optional<CycleList> parse_cycle_list(const std::string& s);
// Lists of one school's pupils (the others are a directorate's: payments, totals, adjustments).
bool is_school_list(CycleList l);

struct ListOptions {
  FileFormat format = FileFormat::xlsx;
  Lang lang = Lang::ar;
  std::string school;  // beneficiaries / exclusions of one school; empty: all
};
// Writes a cycle's list and records it in the audit log (lists of minors' personal data are
// audited, from the command line as from the API).
int64_t write_cycle_list(store::Store& st, int64_t cycle_id, CycleList list,
                         const std::string& path, const ListOptions& opt, const Actor& who);

// Writes the payment file and moves the cycle approved → exported, once: a second export (from
// this process or another server) is refused and writes nothing.
struct PaymentExport {
  int64_t households = 0, amount = 0;
  std::string sha256;
  // Households left off the file because their net is below zero, and what they owe (< 0): the
  // next cycle computed recovers it.
  int64_t owing_households = 0, owing = 0;
};
PaymentExport export_payments(store::Store& st, int64_t cycle_id, const std::string& path,
                              const ListOptions& opt, const Actor& who);
// What exporting the cycle would pay (no file, no sha256): to confirm before paying.
PaymentExport payment_totals(store::Store& st, int64_t cycle_id);

// Suspected duplicates and their review: the pairs the eligibility of a policy's year flags in a
// scope (pending first, then those decided), and a reviewer's decision on one.
std::vector<tayssir::Suspect> list_suspects(store::Store& st, const std::string& policy,
                                            const Scope& scope);

// The pairs a reviewer of `scope` decides: both sides inside it (pupils enrolled in one of its
// schools, payees with a child there), with what a reviewer compares. Pairs that reach outside
// the scope are counted, not shown: they are decided from the level that holds both sides.
struct SuspectSide {
  std::string code;  // code Massar or payee CIN
  // A pupil: names, birth, sex, this year's school and level, the payee of its household.
  std::string name_ar, name_fr, birth_date, sex, school_code, level, payee_cin;
  // A payee: name, phone, RAMED, the children of the household.
  std::string payee_name, phone, ramed;
  std::vector<std::string> children;
};
struct SuspectDetail {
  tayssir::Suspect pair;
  SuspectSide a, b;
};
struct SuspectPage {
  int64_t total = 0, pending = 0, outside = 0;  // within the scope; pending of them; outside
  std::vector<SuspectDetail> items;             // the page asked for, pending first
};
SuspectPage suspects_to_review(store::Store& st, const std::string& policy, const Scope& scope,
                               int64_t offset, int64_t limit);
// True when both sides of a pair lie inside the scope.
bool pair_within(store::Store& st, const std::string& kind, const std::string& a,
                 const std::string& b, const Scope& scope);
void review_pair(store::Store& st, const std::string& kind, const std::string& a,
                 const std::string& b, const std::string& decision, const std::string& note,
                 const Actor& who);

// What led to a pupil's line in a cycle: decision, months, absences, threshold.
// A pupil's line in a cycle; a pupil moved between two schools of the cycle in its period has a
// line at each: the figures are added, each month says the school he was at, and `school_code`,
// `level`, `reason` and `monthly` are those of his first eligible line (else his last).
struct Explanation {
  std::string massar, level, reason, school_code;
  std::vector<std::string> schools;  // of his lines
  int64_t monthly = 0, due = 0, forfeited = 0;
  std::vector<tayssir::MonthDetail> months;
  // The household's other children in the period's cycles: those eligible hold its places
  // under the cap (a child capped out reads here who holds them).
  std::vector<store::TayssirStore::SiblingLine> siblings;
};
Explanation explain_line(store::Store& st, int64_t cycle_id, const std::string& massar);

// Appeals: a household or a school contests a pupil's line in a cycle that left the draft (a
// draft is corrected by the school's flag and a recomputation). The officer reads explain_line,
// then decides; an upheld appeal pays the months it names (by default every month of the
// period not paid, except after leaving school) at the level's amount, as an adjustment in the
// next cycle of the program computed for the directorate.
int64_t file_appeal(store::Store& st, int64_t cycle_id, const std::string& massar,
                    const std::string& grounds, const Actor& who);
struct AppealDecision {
  bool upheld = false;
  std::string note;
  std::vector<std::string> months;
};
store::AppealRow decide_appeal(store::Store& st, int64_t appeal_id, const AppealDecision& d,
                               const Actor& who);
std::vector<store::AppealRow> list_appeals(store::Store& st, int64_t cycle_id);

// What-if: a policy and a variant run side by side on the registry of their school year, for a
// whole year (every period, with the absences recorded so far), writing nothing.
struct WhatIfFigures {
  int64_t beneficiaries = 0, households = 0, cost = 0;  // cost in centimes
};
struct WhatIfRow {
  std::string directorate;
  WhatIfFigures base, variant;
};
struct WhatIfChange {  // a pupil who enters or leaves the program under the variant
  std::string massar, school_code, directorate, reason_base, reason_variant;
  int64_t monthly_base = 0, monthly_variant = 0;
};
struct WhatIfResult {
  std::vector<WhatIfRow> by_directorate;  // in code order
  WhatIfRow total;
  std::vector<WhatIfChange> entering, leaving;
};
WhatIfResult what_if(store::Store& st, const tayssir::Policy& base, const tayssir::Policy& variant,
                     const Scope& scope,
                     const std::function<void(const std::string&)>& progress = {});
// The pupils who enter or leave, to a file (CSV or XLSX), recorded in the audit log with the
// policies compared and the scope.
int64_t write_what_if_changes(store::Store& st, const WhatIfResult& r, const std::string& path,
                              const ListOptions& opt, const Actor& who, const std::string& base,
                              const std::string& variant, const std::string& scope);

std::string format_mad(int64_t centimes);  // "1234.50"

}  // namespace sanad::app
