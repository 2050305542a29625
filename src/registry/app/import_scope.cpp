#include "registry/app/import_scope.hpp"

#include <algorithm>

#include "kernel/dates.hpp"
#include "kernel/text.hpp"

namespace sanad::app {
namespace gate {

std::string latest_year(const std::vector<Enrolment>& es) {
  std::string y;
  for (const auto& e : es) y = std::max(y, e.school_year);
  return y;
}

bool current_in(const std::vector<Enrolment>& es, const std::set<std::string>& schools) {
  const std::string y = latest_year(es);
  return std::any_of(es.begin(), es.end(), [&](const Enrolment& e) {
    return e.school_year == y && schools.count(e.school_code);
  });
}

bool present_on(const std::vector<Enrolment>& es, const std::string& day,
                const std::set<std::string>& schools) {
  auto d = parse_iso_date(day);
  if (!d) return false;
  const std::string y = SchoolYear::of(*d).code();
  return std::any_of(es.begin(), es.end(), [&](const Enrolment& e) {
    if (e.school_year != y || !schools.count(e.school_code)) return false;
    const bool gone = e.status == "transferred" || e.status == "left";
    return !(gone && !e.left_date.empty() && day > e.left_date);
  });
}

bool same_identity(const Pupil& a, const Pupil& b) {
  if (normalize_name(a.last_ar) != normalize_name(b.last_ar) ||
      normalize_name(a.first_ar) != normalize_name(b.first_ar) || a.sex != b.sex)
    return false;
  return a.birth_date.empty() || b.birth_date.empty() || a.birth_date == b.birth_date;
}

RosterStanding roster_standing(bool exists, const Pupil& recorded, const std::vector<Enrolment>& es,
                               const Pupil& row, const std::string& year,
                               const std::set<std::string>& schools) {
  RosterStanding s;
  if (!exists) return s;  // fresh
  const bool current = current_in(es, schools);
  auto arriving = [&] {
    s.kind = current                        ? RosterStanding::own
             : same_identity(recorded, row) ? RosterStanding::own_keep_identity
                                            : RosterStanding::identity_differs;
    return s;
  };
  std::vector<const Enrolment*> that_year;
  for (const auto& e : es)
    if (e.school_year == year) that_year.push_back(&e);
  for (const auto* e : that_year)
    if (schools.count(e->school_code)) return arriving();  // his enrolment in the scope that year
  if (!that_year.empty()) {
    // Enrolled that year elsewhere: released to the scope (a transfer to one of its schools,
    // or a leaving), or held by those schools.
    for (const auto* e : that_year) {
      const bool released =
          e->status == "left" || (e->status == "transferred" && schools.count(e->transfer_to) > 0);
      if (!released) s.holders.push_back(e->school_code);
    }
    if (s.holders.empty()) return arriving();
    s.kind = RosterStanding::held;
    return s;
  }
  if (!current && latest_year(es) > year) {
    s.kind = RosterStanding::later_elsewhere;
    return s;
  }
  return arriving();  // no enrolment that year: a new school year, or back in the scope
}

}  // namespace gate

ScopeGate::ScopeGate(store::Store& st, const Scope& scope)
    : st_(st), scope_(scope), open_(scope.kind == NodeKind::nation) {
  for (auto& s : st.schools(scope)) {
    codes_.insert(s.code);
    schools_.emplace(s.code, std::move(s));
  }
}

void ScopeGate::load_pupils(const std::vector<std::string>& massar, bool records) {
  std::vector<std::string> wanted;
  for (const auto& m : massar)
    if (pupils_read_.insert(m).second) wanted.push_back(m);
  if (wanted.empty()) return;
  if (open_ && !records) {
    auto unknown = store::RegistryStore(st_).unknown_pupils(wanted);
    std::set<std::string> gone(unknown.begin(), unknown.end());
    for (auto& m : wanted)
      if (!gone.count(m)) pupils_.emplace(m, store::RegistryStore::PupilOnRecord{});
    return;
  }
  // Every scope, the nation's included, reads who they are and where they are enrolled: a roster
  // does not change who a pupil is, nor enrol him at a second school, unnoticed.
  for (auto& p : store::RegistryStore(st_).pupils_on_record(wanted)) {
    std::string code = p.pupil.massar;
    pupils_.emplace(std::move(code), std::move(p));
  }
}

void ScopeGate::load_households(const std::vector<std::string>& cins) {
  if (cins.empty()) return;
  std::vector<std::string> children;
  for (auto& h : store::RegistryStore(st_).households_on_record(cins)) {
    children.insert(children.end(), h.children.begin(), h.children.end());
    std::string cin = h.household.payee_cin;
    households_.emplace(std::move(cin), std::move(h));
  }
  if (!open_) load_pupils(children);  // whose they are: the nation's are all its own
}

const store::RegistryStore::PupilOnRecord* ScopeGate::pupil(const std::string& massar) const {
  auto it = pupils_.find(massar);
  return it == pupils_.end() ? nullptr : &it->second;
}

bool ScopeGate::school_elsewhere(const std::string& code) {
  if (open_) return false;
  if (!elsewhere_read_) {
    for (auto& s : st_.schools(Scope::nation()))
      if (!codes_.count(s.code)) elsewhere_.insert(s.code);
    elsewhere_read_ = true;
  }
  return elsewhere_.count(code) > 0;
}

bool ScopeGate::pupil_current(const std::string& massar) const {
  const auto* p = pupil(massar);
  return p && (open_ || gate::current_in(p->enrolments, codes_));
}

bool ScopeGate::pupil_present(const std::string& massar, const std::string& day) const {
  const auto* p = pupil(massar);
  return p && (open_ || gate::present_on(p->enrolments, day, codes_));
}

gate::RosterStanding ScopeGate::roster(const Pupil& row, const std::string& year) const {
  const auto* p = pupil(row.massar);
  if (open_) {
    gate::RosterStanding s;
    s.kind = p ? gate::RosterStanding::own : gate::RosterStanding::fresh;
    return s;
  }
  static const std::vector<Enrolment> none;
  return gate::roster_standing(p != nullptr, p ? p->pupil : Pupil{}, p ? p->enrolments : none, row,
                               year, codes_);
}

std::string ScopeGate::current_school(const std::string& massar) const {
  const auto* p = pupil(massar);
  if (!p) return "";
  const std::string y = gate::latest_year(p->enrolments);
  for (const auto& e : p->enrolments)
    if (e.school_year == y && codes_.count(e.school_code)) return e.school_code;
  return "";
}

std::string ScopeGate::recorded_transfer_to(const std::string& massar, const std::string& year,
                                            const std::string& school) const {
  const auto* p = pupil(massar);
  if (!p) return "";
  for (const auto& e : p->enrolments)
    if (e.school_year == year && e.school_code == school) return e.transfer_to;
  return "";
}

const store::RegistryStore::HouseholdOnRecord* ScopeGate::recorded_household(
    const std::string& cin) const {
  auto it = households_.find(cin);
  return it == households_.end() ? nullptr : &it->second;
}

ScopeGate::HouseholdStanding ScopeGate::household(const std::string& cin) const {
  HouseholdStanding s;
  if (open_) return s;
  auto it = households_.find(cin);
  if (it == households_.end() || it->second.children.empty()) return s;  // new, or no child left
  std::set<std::string> holders;
  for (const auto& child : it->second.children) {
    const auto* p = pupil(child);
    if (!p) continue;
    if (gate::current_in(p->enrolments, codes_)) return s;  // one of its children is ours today
    const std::string y = gate::latest_year(p->enrolments);
    for (const auto& e : p->enrolments)
      if (e.school_year == y) holders.insert(e.school_code);
  }
  s.held = true;
  s.holders.assign(holders.begin(), holders.end());
  return s;
}

}  // namespace sanad::app
