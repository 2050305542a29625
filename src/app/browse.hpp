// Reading the registry as a signed-in person: every function checks the role and the scope
// first, and answers "not found" for a record outside the scope exactly as for a record that
// does not exist.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "app/access.hpp"
#include "domain/registry.hpp"
#include "store/store.hpp"

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

}  // namespace sanad::app
