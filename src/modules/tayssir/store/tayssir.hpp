// Persistence of the Tayssir module: policies (stored as the JSON app/ writes), the registry
// rows a cycle's snapshot is built from, reviews, cycles with their lines, adjustments and
// school checks. Reads and writes rows; decides nothing.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/store.hpp"
#include "kernel/ids.hpp"

namespace sanad::store {

struct PolicyRow {
  int64_t id = 0;
  std::string code, program, school_year, body, created_at, updated_at;
};

struct CycleRow {
  int64_t id = 0, policy_id = 0;
  std::string policy_code, period, directorate_code, state, computed_at, computed_by;
  int64_t pupils = 0, beneficiaries = 0, households = 0, due = 0, forfeited = 0, adjustments = 0;
  std::string payment_sha256;
};

struct CycleLineRow {
  int64_t pupil_id = 0, school_id = 0, household_id = 0;  // household 0: none
  std::string level, reason;
  int64_t monthly = 0;
  std::string months, absences;
  int64_t due = 0, forfeited = 0;
  bool operator==(const CycleLineRow&) const = default;
};

// What replacing a cycle's lines wrote: lines inserted (new or changed) and deleted (changed or
// gone); a line that is the same is left alone.
struct LineChanges {
  int64_t written = 0, deleted = 0;
};

struct AdjustmentRow {
  int64_t source_cycle_id = 0, pupil_id = 0, school_id = 0, household_id = 0, amount = 0;
  std::string reason;                                      // in English
  int64_t appeal_id = 0;                                   // 0: a recomputation
  std::string massar, school_code, payee_cin, payee_name;  // read with the row (not written)
  std::string kind = "correction";                         // or "appeal", "carried"
  std::string reason_detail;  // the reason's template and values (JSON); "" before 011
};

struct CycleSchool {
  int64_t id = 0;
  std::string code;
};

struct AppealRow {
  int64_t id = 0, cycle_id = 0, pupil_id = 0;
  std::string massar, grounds, filed_by, filed_at, state, months, decision_note, decided_by,
      decided_at;
  int64_t amount = 0, adjusted_in = 0;
  // Read from the pupil's line in the cycle (not written).
  int64_t school_id = 0, household_id = 0;
  std::string school_code;
};

// A line with what a list for people needs: the pupil's names and school, the payee.
struct LineDetailRow {
  CycleLineRow line;
  std::string massar, last_ar, first_ar, last_fr, first_fr, school_code, payee_cin, payee_name;
};

struct ReviewRow {
  std::string kind, a, b, decision, note, decided_by, decided_at;
};

// Raw registry rows for a cycle's snapshot. The texts are views of the row as read, valid only
// while the callback that receives it runs (no copy of a million rows' names).
struct SnapshotPupilRow {
  int64_t pupil_id = 0, enrolment_id = 0, school_id = 0, household_id = 0;  // household 0: none
  std::string_view massar, name_ar_norm, name_fr_norm, birth_date, level, status, left_date;
  std::string_view payee_cin, payee_name_norm, ramed;  // the household's, with each of its pupils
  // Absence days in each of the months asked for, in their order (at most twelve).
  std::array<uint8_t, 12> unjustified{}, justified{};
  bool in_scope = true;
};
struct SnapshotSchoolRow {
  int64_t id = 0;
  std::string code, commune_code;
};

class TayssirStore {
 public:
  explicit TayssirStore(Store& st) : db_(st.db()) {}

  // Policies.
  std::optional<PolicyRow> policy(const std::string& code);
  std::vector<PolicyRow> policies();
  int64_t insert_policy(const PolicyRow& p);
  void update_policy(const PolicyRow& p);
  // Cycles of the policy that left the draft state.
  int64_t cycles_beyond_draft(int64_t policy_id);

  // Snapshot rows. Pupils: every enrolment of the year in a school of the scope, plus the
  // enrolments of the year of their households' other children outside the scope (in_scope
  // false; only children not enrolled in the scope themselves), each with its household's payee and
  // RAMED and its absence days of the months asked for (read from the tallies kept beside the
  // absences). Rows come in no particular order (a pupil's enrolments need not be together; sorting
  // a region's rows cost the server a sort spilled to disk).
  void each_school(const std::function<void(const SnapshotSchoolRow&)>& fn);
  // `linked`: pairs of codes Massar; when one of a pair is read in the scope, the other comes
  // too (out of the scope) if nothing else brought it. The tables are read one after the other:
  // hold a ReadTransaction around the call for one state of the database (on PostgreSQL the
  // tallies then come on a second connection, at the same time).
  void each_snapshot_pupil(const Scope& scope, const std::string& year,
                           const std::vector<std::string>& months,  // "2025-09", in the year
                           const std::vector<std::pair<std::string, std::string>>& linked,
                           const std::function<void(const SnapshotPupilRow&)>& fn);

  // Pupils enrolled in the scope that year who were transferred, on a date, from a school outside
  // it: (pupil id, the latest such date).
  void each_transfer_into(const Scope& scope, const std::string& year,
                          const std::function<void(int64_t, const std::string&)>& fn);

  // The sessions missed per pupil and month ("2025-10") from `from` to `to` (ISO days), read from
  // the absences themselves (no tallies are kept of them): unjustified, justified.
  void each_absence_sessions(
      const std::string& from, const std::string& to,
      const std::function<void(int64_t, const std::string&, int64_t, int64_t)>& fn);

  // Reviews of suspected duplicates.
  std::vector<ReviewRow> reviews();
  void put_review(const ReviewRow& r);  // replaces the decision on that pair

  // Cycles.
  std::optional<CycleRow> cycle(int64_t id);
  std::optional<CycleRow> cycle(int64_t policy_id, const std::string& period,
                                const std::string& directorate);
  // Cycles of a policy (all periods when `period` is empty) whose directorate is in `scope`.
  std::vector<CycleRow> cycles(int64_t policy_id, const std::string& period, const Scope& scope);
  int64_t insert_cycle(const CycleRow& c);
  void update_cycle_totals(const CycleRow& c);  // totals, computed_at/by
  // Moves the cycle from one state to another; false when it was not in `from` any more.
  bool move_cycle(int64_t id, const std::string& from, const std::string& to,
                  const std::string& payment_sha256 = "");

  // Makes the cycle's lines these (a pupil's lines given together), rewriting only the pupils
  // whose lines differ.
  LineChanges replace_lines(int64_t cycle_id, const std::vector<CycleLineRow>& lines);
  // In no order; the callback may not query the store (on PostgreSQL the rows are still
  // arriving).
  void each_line(int64_t cycle_id, int64_t school_id,  // school 0: all
                 const std::function<void(const CycleLineRow&)>& fn);
  // The lines of a household's other children in the cycles of a policy's period (every
  // directorate): who holds its places under the cap.
  struct SiblingLine {
    std::string massar, school_code, level, reason;
    int64_t monthly = 0, due = 0;
  };
  std::vector<SiblingLine> sibling_lines(int64_t policy_id, const std::string& period,
                                         int64_t household_id, int64_t except_pupil);
  // A pupil's lines in a cycle: one per school he was at in its period (nearly always one).
  std::vector<CycleLineRow> lines_of(int64_t cycle_id, int64_t pupil_id);
  // Ordered by school code, payee CIN, code Massar; the callback may not query the store.
  // Every line of the cycles of a school year's policies, with its cycle's state and the pupil's
  // sex (the statistics' facts).
  // The lines of a school alike in level, decision, cycle state and the pupil's sex: how many,
  // and their amounts added.
  struct LineFact {
    int64_t school_id = 0, lines = 0, due = 0, forfeited = 0;
    std::string level, reason, state;
    char sex = 'M';
  };
  void each_line_fact(const std::string& school_year,
                      const std::function<void(const LineFact&)>& fn);
  // Per pupil, whether a cycle of a policy of that school year found him eligible, and paid him.
  void each_pupil_outcome(const std::string& school_year,
                          const std::function<void(int64_t pupil, bool eligible, bool paid)>& fn);
  void each_line_detail(int64_t cycle_id, int64_t school_id,  // school 0: all
                        const std::function<void(const LineDetailRow&)>& fn);
  void replace_adjustments(int64_t cycle_id, const std::vector<AdjustmentRow>& rows);
  std::vector<AdjustmentRow> adjustments(int64_t cycle_id);
  // Per pupil, the sum of adjustments for `source_cycle_id` made in cycles other than
  // `except_cycle_id`; carried nets are not corrections of the source cycle and are left out.
  std::vector<std::pair<int64_t, int64_t>> adjusted_for(int64_t source_cycle_id,
                                                        int64_t except_cycle_id);
  // The households whose net in `source_cycle_id` a cycle other than `except_cycle_id` carried
  // already (adjustment lines of kind "carried").
  std::set<int64_t> carried_from(int64_t source_cycle_id, int64_t except_cycle_id);

  // Appeals.
  int64_t insert_appeal(const AppealRow& a);
  std::optional<AppealRow> appeal(int64_t id);
  std::vector<AppealRow> appeals_of_cycle(int64_t cycle_id);
  void update_appeal_decision(const AppealRow& a);  // state, months, amount, note, by, at
  // Upheld appeals on other cycles of the program in the directorate, not yet paid by another
  // cycle than `cycle_id`.
  std::vector<AppealRow> appeals_to_pay(const std::string& program, const std::string& directorate,
                                        int64_t cycle_id);
  void mark_appeals_paid(int64_t cycle_id, const std::vector<int64_t>& appeal_ids);

  // The schools with lines in the cycle, by id.
  std::vector<CycleSchool> schools_of_cycle(int64_t cycle_id);

  // Codes ↔ ids for the records a cycle names.
  std::optional<int64_t> school_id(const std::string& code);
  std::optional<int64_t> pupil_id(const std::string& massar);
  bool household_exists(const std::string& payee_cin);

 private:
  Db& db_;
};

}  // namespace sanad::store
