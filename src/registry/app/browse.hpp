// Reading the registry as a signed-in person: every function checks the role and the scope
// first, and answers "not found" for a record outside the scope exactly as for a record that
// does not exist.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/app/access.hpp"
#include "core/store/store.hpp"
#include "kernel/records.hpp"

namespace sanad::app {

struct PupilLine {
  Pupil pupil;
  Enrolment enrolment;
};

std::optional<School> find_school(store::Store& st, const Principal& p, const std::string& code);
// The pupils enrolled in a school in a year (all years when empty); nothing when the school is
// outside the principal's scope.
std::optional<std::vector<PupilLine>> school_pupils(store::Store& st, const Principal& p,
                                                    const std::string& code,
                                                    const std::string& year);

// A school's pupils for one year, searched and filtered, one page at a time.
struct PupilQuery {
  std::string year;  // empty: the latest school year
  std::string q;     // words of a name (Arabic or French spelling, misspellings allowed) or a
                     // code Massar (or its beginning)
  std::string level, class_name, sex, status;
  int64_t page = 1, page_size = 50;
};
struct PupilPage {
  std::string year;
  int64_t total = 0, page = 1, page_size = 50;
  std::vector<PupilLine> items;
  std::vector<std::string> years, levels, classes;  // what the filters can choose from
};
std::optional<PupilPage> search_school_pupils(store::Store& st, const Principal& p,
                                              const std::string& school_code, const PupilQuery& q);

// A pupil's record: identity, enrolments, household, absences by month. Nothing when the pupil
// was never enrolled in a school of the principal's scope.
struct PupilRecord {
  // His enrolments in schools of the principal's scope only; a transfer to a school outside it
  // does not name that school (transfer_to empty, transfer_elsewhere set).
  struct Stay {
    Enrolment enrolment;
    bool in_scope = true;
    std::string school_name_ar, school_name_fr;
    bool transfer_elsewhere = false;
  };
  struct Sibling {
    Pupil pupil;
    std::string relation;
  };
  struct Month {
    std::string month;  // yyyy-mm
    int64_t days = 0, justified = 0;
  };
  Pupil pupil;
  std::vector<Stay> history;
  std::optional<Household> household;
  std::string relation;
  int64_t household_children = 0;  // he and the siblings within the scope
  std::vector<Sibling> siblings;   // the other children of the household within the scope
  std::vector<Month> absences;
};
// The history of a record: what imports changed in it, field by field, newest first, each with
// its audit entry (who, when, from where, which file). A pupil's covers its identity, its
// enrolments in schools the principal may see, its household membership and its absences;
// nothing (404) outside the principal's scope, as for the record itself.
using RecordHistory = std::vector<std::pair<store::AuditRecord, store::RecordChange>>;
std::optional<RecordHistory> pupil_history(store::Store& st, const Principal& p,
                                           const std::string& massar);
std::optional<RecordHistory> school_history(store::Store& st, const Principal& p,
                                            const std::string& code);

std::optional<PupilRecord> pupil_record(store::Store& st, const Principal& p,
                                        const std::string& massar);

// A node of the territory with its children, each with its schools and pupils counted.
struct NodeLine {
  Scope node;
  std::string name_ar, name_fr;
  int64_t schools = 0, pupils = 0;
};
struct TerritoryView {
  std::string year;
  std::vector<std::string> years;
  std::vector<NodeLine> path;  // from the principal's own scope down to the node's parent
  NodeLine self;
  std::vector<NodeLine> children;
};
// Counts the schools and pupils under the nation, each region and each directorate for the
// latest school year, if the registry changed since: a server does it in the background, so that
// the territory's pages do not wait for a national count.
void warm_territory_counts(store::Store& st);
std::optional<TerritoryView> territory_view(store::Store& st, const Principal& p, const Scope& node,
                                            const std::string& year);

}  // namespace sanad::app
