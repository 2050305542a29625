#include "app/browse.hpp"

namespace sanad::app {
namespace {

bool may_read_school(store::Store& st, const Principal& p, const std::string& code) {
  if (!role_allows(p.role, Action::read_registry)) return false;
  return can_see(st, p, Scope{NodeKind::school, code});
}

}  // namespace

std::optional<School> find_school(store::Store& st, const Principal& p, const std::string& code) {
  if (!may_read_school(st, p, code)) return std::nullopt;
  for (auto& s : st.schools(Scope{NodeKind::school, code})) return s;
  return std::nullopt;
}

std::optional<std::vector<PupilLine>> school_pupils(store::Store& st, const Principal& p,
                                                    const std::string& code,
                                                    const std::string& year) {
  if (!may_read_school(st, p, code)) return std::nullopt;
  std::vector<PupilLine> out;
  st.each_enrolment(Scope{NodeKind::school, code}, year, [&](const Pupil& pu, const Enrolment& e) {
    out.push_back({pu, e});
  });
  return out;
}

}  // namespace sanad::app
