// The registry's persistence: pupils and their enrolments, households and their members,
// absences with their monthly tallies — over the core's Db, beside the core's tables (territory,
// schools, accounts, audit: core/store/store.hpp). Programs read the registry through it. It reads
// and writes records; it decides nothing about them (the registry's use cases do: app/).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/store/store.hpp"
#include "kernel/ids.hpp"
#include "kernel/records.hpp"

namespace sanad::store {

class RegistryStore {
 public:
  explicit RegistryStore(Store& st) : db_(&st.db()) {}

  // Upserts by natural key that count what was inserted, updated and left as it was; the
  // absences keep their tallies (registry/store/tallies.hpp) with them.
  // Pupils and their enrolments together (the enrolments find their pupils without a lookup;
  // an enrolment of a pupil not in `pupils` must name one already in the registry).
  // `source` names what enrols them (the file and the day), kept with each new enrolment.
  std::pair<MergeCounts, MergeCounts> put_roster(const std::vector<Pupil>& pupils,
                                                 const std::vector<Enrolment>& enrolments,
                                                 const std::string& source = {});
  MergeCounts put_households(const std::vector<Household>& rows);
  MergeCounts put_memberships(const std::vector<Membership>& rows);
  MergeCounts put_absences(const std::vector<Absence>& rows);
  // The schools each of these pupils is enrolled in for `year`: (code Massar, school code) pairs.
  std::vector<std::pair<std::string, std::string>> enrolled_schools(
      const std::vector<std::string>& massar, const std::string& year);
  // The absences from `from` to `to` (ISO dates, inclusive) of the pupils enrolled in `year` in
  // one of these schools, ordered by code Massar and day.
  std::vector<Absence> absences_in_schools(const std::vector<std::string>& schools,
                                           const std::string& year, const std::string& from,
                                           const std::string& to);
  // Deletes these absences (by pupil and day); returns how many there were.
  int64_t delete_absences(const std::vector<Absence>& rows);

  // Which of these codes Massar have no pupil (order of the input, each once); with a scope,
  // also those whose pupil was never enrolled in a school of that scope.
  std::vector<std::string> unknown_pupils(const std::vector<std::string>& massar,
                                          const Scope& scope = Scope::nation());

  // What an import needs to know of the records its rows name, to tell whose they are: the
  // pupils among these codes that exist, each with every enrolment (every year and school), by
  // code; and the households among these CINs that exist, each with its children's codes.
  struct PupilOnRecord {
    Pupil pupil;
    std::vector<Enrolment> enrolments;  // by year, then school
    std::vector<std::string> sources;   // what made each enrolment ("" when not kept)
    std::string payee_cin;              // his household's payee ("" when he has none)
  };
  std::vector<PupilOnRecord> pupils_on_record(const std::vector<std::string>& massar);
  struct HouseholdOnRecord {
    Household household;
    std::vector<std::string> children;  // codes Massar, ordered
  };
  std::vector<HouseholdOnRecord> households_on_record(const std::vector<std::string>& cins);

  // One pupil and what hangs on it.
  std::optional<Pupil> pupil(const std::string& massar);
  std::vector<Enrolment> enrolments_of(const std::string& massar);  // by year, then school
  std::optional<std::pair<Household, Membership>> household_of(const std::string& massar);
  std::vector<Membership> members_of(const std::string& payee_cin);
  std::vector<Absence> absences_of(const std::string& massar);

  // The pupils of the year (enrolled or repeating) of every school that has some, by code.
  std::vector<std::pair<std::string, int64_t>> pupils_per_school(const std::string& year);

  // Lists, in a stable order, filtered by scope.
  void each_enrolment(const Scope& scope, const std::string& year,
                      const std::function<void(const Pupil&, const Enrolment&)>& fn);
  void each_membership(const Scope& scope,
                       const std::function<void(const Household&, const Membership&)>& fn);
  void each_absence(const Scope& scope, const std::function<void(const Absence&)>& fn);

 private:
  Db* db_;
};

}  // namespace sanad::store
