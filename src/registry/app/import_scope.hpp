// Scope through imports: the one place where every import learns whose records its rows name.
//
// An account below the nation reads and writes only its scope, and an import is no way around
// it. Each record a row names is looked up once per import and stands, from the importing
// scope, as
//  - new: nowhere in the registry; the row creates it;
//  - the scope's own: the row writes it;
//  - another scope's. Where the row needs the record to exist (an absence's pupil, a
//    household's child) it is refused exactly as an unknown record is, with the same words;
//    where the row would create or change it (a roster's pupil enrolled this year elsewhere, a
//    household whose children are all elsewhere) the row is held, unwritten, as a request that
//    the record's scope accepts or refuses (app/requests.hpp); nothing of the record is written,
//    counted or shown to the importer.
// Rules, for a scope S (its schools):
//  - a pupil is S's today when he is enrolled in a school of S in his latest school year; only
//    then may S change his identity (names, sex, birth);
//  - a roster row enrolling him in S for year Y is written when he has an enrolment in S that
//    year, when he is S's today, or when he has none that year (an arrival: a new school year,
//    or after leaving) and the row's identity is his (normalized Arabic names, sex and birth
//    date); when he is enrolled that year elsewhere — unless that school marked him transferred
//    to a school of S, or left — it is held as a transfer request to that school; when he is
//    enrolled in a later year elsewhere it is refused;
//  - an absence on day D needs a pupil enrolled in S in D's school year, and not gone from it
//    before D (a transfer's or a leaving's date);
//  - a household row needs its child to be S's today; its payee's CIN is S's when one of the
//    household's children is S's today (or it has none left); otherwise the row is held as a
//    request to link the child, to the schools of the household's children.
// At the nation's scope everything is its own, and nothing is looked up.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/store/store.hpp"
#include "kernel/ids.hpp"
#include "kernel/records.hpp"
#include "registry/store/registry_store.hpp"

namespace sanad::app {

// The pure rules, over what the registry holds (unit-tested without a store).
namespace gate {
// The latest school year among the enrolments ("" when none).
std::string latest_year(const std::vector<Enrolment>& es);
// Enrolled in a school of `schools` in his latest school year.
bool current_in(const std::vector<Enrolment>& es, const std::set<std::string>& schools);
// Enrolled in a school of `schools` in the school year of `day` (ISO), and not gone from it
// (transferred or left with a date) before that day.
bool present_on(const std::vector<Enrolment>& es, const std::string& day,
                const std::set<std::string>& schools);
// The same person, as far as a roster can tell: normalized Arabic names, sex, and birth date
// when both give one.
bool same_identity(const Pupil& a, const Pupil& b);

struct RosterStanding {
  enum Kind {
    fresh,              // no such pupil: created
    own,                // written, identity included
    own_keep_identity,  // the enrolment is written; his identity stays as recorded
    identity_differs,   // refused: the row's identity is not the recorded one
    later_elsewhere,    // refused: enrolled in a later year outside the scope
    held                // a transfer request to `holders`
  } kind = fresh;
  std::vector<std::string> holders;
};
// A roster row `row` enrolling a pupil in a school of `schools` for `year`; `es` the enrolments
// on record (none with `exists` false).
RosterStanding roster_standing(bool exists, const Pupil& recorded, const std::vector<Enrolment>& es,
                               const Pupil& row, const std::string& year,
                               const std::set<std::string>& schools);
}  // namespace gate

class ScopeGate {
 public:
  ScopeGate(store::Store& st, const Scope& scope);
  // The nation's scope: every record is its own, nothing is looked up.
  bool open() const { return open_; }
  const Scope& scope() const { return scope_; }
  // The scope's schools, by code (every school at the nation's scope).
  const std::map<std::string, School>& schools() const { return schools_; }

  // What the registry holds of these pupils and payees, read once before the rows are judged
  // (more may be added later; a code already read is not read again).
  // `records`: who they are and where they are enrolled, which rosters and households files judge;
  // an absences file at the nation's scope asks only whether they exist.
  void load_pupils(const std::vector<std::string>& massar, bool records = true);
  void load_households(const std::vector<std::string>& cins);

  // A school code of the file used by a school outside the scope (a schools file).
  bool school_elsewhere(const std::string& code);
  // The pupil exists and is the scope's today (a household's child).
  bool pupil_current(const std::string& massar) const;
  // The pupil exists and attends a school of the scope on `day` (an absence).
  bool pupil_present(const std::string& massar, const std::string& day) const;
  gate::RosterStanding roster(const Pupil& row, const std::string& year) const;
  // The school of the scope the pupil attends in his latest school year ("" when none).
  std::string current_school(const std::string& massar) const;
  // The destination recorded for his transfer from `school` in `year` ("" when none): a scope's
  // export leaves a destination outside it unnamed, and importing that file again keeps it.
  std::string recorded_transfer_to(const std::string& massar, const std::string& year,
                                   const std::string& school) const;

  struct HouseholdStanding {
    bool held = false;
    std::vector<std::string> holders;  // the schools its children attend today
  };
  HouseholdStanding household(const std::string& cin) const;

  // What the registry holds of a pupil read by load_pupils (nothing when there is no such pupil),
  // and of a payee read by load_households.
  const store::RegistryStore::PupilOnRecord* pupil(const std::string& massar) const;
  const store::RegistryStore::HouseholdOnRecord* recorded_household(const std::string& cin) const;

 private:
  store::Store& st_;
  Scope scope_;
  bool open_;
  std::map<std::string, School> schools_;
  std::set<std::string> codes_;  // the keys of schools_
  std::map<std::string, store::RegistryStore::PupilOnRecord> pupils_;
  std::set<std::string> pupils_read_;
  std::map<std::string, store::RegistryStore::HouseholdOnRecord> households_;
  std::set<std::string> elsewhere_;
  bool elsewhere_read_ = false;
};

}  // namespace sanad::app
