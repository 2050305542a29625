#include "app/access.hpp"

#include <array>
#include <memory>

#include "app/versioned.hpp"

namespace sanad::app {
namespace {

struct RoleInfo {
  Role role;
  std::string_view name, ar, fr;
  // read, import, export, audit, users, tayssir read, check, run, appeal, stats, exchange,
  // policy, plan
  std::array<bool, 13> actions;
  std::array<bool, 5> kinds;  // nation, region, directorate, commune, school
};

// clang-format off
constexpr RoleInfo kRoles[] = {
  {Role::national_admin, "national_admin", "مدير وطني للنظام", "Administrateur national",
   {true, true, true, true, true, true, false, true, true, true, true, true, true}, {true, false, false, false, false}},
  {Role::academy_officer, "academy_officer", "مسؤول بالأكاديمية", "Cadre de l'académie",
   {true, true, true, true, false, true, false, false, false, true, true, false, true}, {false, true, false, false, false}},
  {Role::directorate_manager, "directorate_manager", "مسؤول الدعم الاجتماعي بالمديرية",
   "Responsable de l'appui social (direction)",
   {true, true, true, false, false, true, false, true, true, true, false, false, true}, {false, false, true, false, false}},
  {Role::school_head, "school_head", "مدير المؤسسة", "Directeur d'établissement",
   {true, true, true, false, false, true, true, false, true, false, false, false, false}, {false, false, false, false, true}},
  {Role::statistician, "statistician", "إحصائي", "Statisticien",
   {true, false, true, false, false, true, false, false, false, true, true, false, true}, {true, true, true, false, false}},
  {Role::complaints_officer, "complaints_officer", "مسؤول الشكايات", "Chargé des réclamations",
   {true, false, false, false, false, true, false, false, true, false, false, false, false}, {false, true, true, false, false}},
  {Role::auditor, "auditor", "مدقق (قراءة فقط)", "Auditeur (lecture seule)",
   {true, false, false, true, false, true, false, false, false, false, false, false, false}, {true, true, true, true, true}},
};
// clang-format on

const RoleInfo& info(Role r) {
  for (const auto& i : kRoles)
    if (i.role == r) return i;
  return kRoles[0];
}

}  // namespace

std::string_view role_name(Role r) {
  return info(r).name;
}

std::string_view role_label(Role r, bool arabic) {
  return arabic ? info(r).ar : info(r).fr;
}

std::optional<Role> parse_role(std::string_view s) {
  for (const auto& i : kRoles)
    if (i.name == s) return i.role;
  return std::nullopt;
}

const std::vector<Role>& all_roles() {
  static const std::vector<Role> roles = [] {
    std::vector<Role> v;
    for (const auto& i : kRoles) v.push_back(i.role);
    return v;
  }();
  return roles;
}

bool role_allows(Role r, Action a) {
  return info(r).actions[static_cast<std::size_t>(a)];
}

bool scope_fits_role(Role r, NodeKind k) {
  return info(r).kinds[static_cast<std::size_t>(k)];
}

bool within(const Scope& scope, const std::vector<Scope>& node_ancestry) {
  for (const auto& s : node_ancestry)
    if (s.kind == scope.kind && s.code == scope.code) return true;
  return false;
}

namespace {

// The ancestry of the nodes asked about, kept while the audit log's head stays where it was (a
// school or a directorate only moves by an audited change): a scope check costs one small query.
std::shared_ptr<const std::vector<Scope>> ancestry_of(store::Store& st, const Scope& node) {
  static VersionedCache<std::vector<Scope>> known(200000);
  return known.get(st.audit_head(), std::string(node_kind_name(node.kind)) + ":" + node.code,
                   [&]() -> std::shared_ptr<const std::vector<Scope>> {
                     auto p = st.ancestry(node);
                     if (!p) return nullptr;
                     return std::make_shared<const std::vector<Scope>>(std::move(*p));
                   });
}

}  // namespace

bool can_see(store::Store& st, const Principal& p, const Scope& node) {
  if (p.scope.kind == NodeKind::nation)
    return node.kind == NodeKind::nation || ancestry_of(st, node) != nullptr;
  auto path = ancestry_of(st, node);
  return path && within(p.scope, *path);
}

bool may_import_schools(const Principal& p) {
  return role_allows(p.role, Action::import_data) &&
         (p.scope.kind == NodeKind::nation || p.scope.kind == NodeKind::region ||
          p.scope.kind == NodeKind::directorate);
}

bool cycle_in_reach(store::Store& st, const Principal& p, const std::string& directorate) {
  Scope d{NodeKind::directorate, directorate};
  if (can_see(st, p, d)) return true;  // the directorate is inside the principal's scope
  return within(d, p.scope_path);      // the principal's commune or school is inside it
}

bool sees_part_of_cycle(const Principal& p) {
  return p.scope.kind == NodeKind::commune || p.scope.kind == NodeKind::school;
}

SchoolReach cycle_reach(store::Store& st, const Principal& p) {
  SchoolReach r;
  if (!sees_part_of_cycle(p)) return r;
  r.whole = false;
  for (const auto& s : st.schools(p.scope)) r.schools.insert(s.code);
  return r;
}

bool may_approve_report(store::Store& st, const Principal& p, const Scope& node) {
  if (!role_allows(p.role, Action::stats_manage)) return false;
  if (p.scope.kind == NodeKind::nation) return true;
  if (node.kind == p.scope.kind && node.code == p.scope.code) return false;
  return can_see(st, p, node);
}

bool may_run_exchange(const Principal& p) {
  return role_allows(p.role, Action::exchange) && p.scope.kind == NodeKind::nation;
}

bool may_edit_policies(const Principal& p) {
  return role_allows(p.role, Action::tayssir_policy) && p.scope.kind == NodeKind::nation;
}

bool may_review_duplicates(const Principal& p) {
  return role_allows(p.role, Action::tayssir_run) && !sees_part_of_cycle(p);
}

bool may_list_audit(const Principal& p) {
  return role_allows(p.role, Action::read_audit) && p.scope.kind == NodeKind::nation;
}

}  // namespace sanad::app
