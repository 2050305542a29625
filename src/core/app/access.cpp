#include "core/app/access.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <memory>

#include "core/app/versioned.hpp"

namespace sanad::app {
namespace {

struct RoleInfo {
  Role role;
  std::string_view name, ar, fr;
  std::array<bool, 5> kinds;  // nation, region, directorate, commune, school
};

// clang-format off
constexpr RoleInfo kRoles[] = {
  {Role::national_admin, "national_admin", "مدير وطني للنظام", "Administrateur national",
   {true, false, false, false, false}},
  {Role::academy_officer, "academy_officer", "مسؤول بالأكاديمية", "Cadre de l'académie",
   {false, true, false, false, false}},
  {Role::directorate_manager, "directorate_manager", "مسؤول الدعم الاجتماعي بالمديرية",
   "Responsable de l'appui social (direction)", {false, false, true, false, false}},
  {Role::school_head, "school_head", "مدير المؤسسة", "Directeur d'établissement",
   {false, false, false, false, true}},
  {Role::statistician, "statistician", "إحصائي", "Statisticien", {true, true, true, false, false}},
  {Role::complaints_officer, "complaints_officer", "مسؤول الشكايات", "Chargé des réclamations",
   {false, true, true, false, false}},
  {Role::auditor, "auditor", "مدقق (قراءة فقط)", "Auditeur (lecture seule)",
   {true, true, true, true, true}},
};

// What each role may do, action by action: the roles granted it, by name.
struct ActionInfo {
  Action action;
  std::string_view name;
  std::initializer_list<Role> roles;
};
using enum Role;
const ActionInfo kActions[] = {
  {Action::read_registry, "read_registry", {national_admin, academy_officer, directorate_manager,
                                            school_head, statistician, complaints_officer, auditor}},
  {Action::import_data, "import_data", {national_admin, academy_officer, directorate_manager,
                                        school_head}},
  {Action::export_data, "export_data", {national_admin, academy_officer, directorate_manager,
                                        school_head, statistician}},
  {Action::read_audit, "read_audit", {national_admin, academy_officer, auditor}},
  {Action::manage_users, "manage_users", {national_admin}},
  {Action::tayssir_read, "tayssir_read", {national_admin, academy_officer, directorate_manager,
                                          school_head, statistician, complaints_officer, auditor}},
  {Action::tayssir_check, "tayssir_check", {school_head}},
  {Action::tayssir_run, "tayssir_run", {national_admin, directorate_manager}},
  {Action::tayssir_appeal, "tayssir_appeal", {national_admin, directorate_manager, school_head,
                                              complaints_officer}},
  {Action::stats_manage, "stats_manage", {national_admin, academy_officer, directorate_manager,
                                          statistician}},
  {Action::exchange, "exchange", {national_admin, academy_officer, statistician}},
  {Action::tayssir_policy, "tayssir_policy", {national_admin}},
  {Action::tayssir_plan, "tayssir_plan", {national_admin, academy_officer, directorate_manager,
                                          statistician}},
};
// clang-format on

const RoleInfo& info(Role r) {
  for (const auto& i : kRoles)
    if (i.role == r) return i;
  return kRoles[0];
}

const ActionInfo* action_info(Action a) {
  for (const auto& i : kActions)
    if (i.action == a) return &i;
  return nullptr;
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
  const ActionInfo* i = action_info(a);
  return i && std::find(i->roles.begin(), i->roles.end(), r) != i->roles.end();
}

std::string_view action_name(Action a) {
  const ActionInfo* i = action_info(a);
  return i ? i->name : "";
}

const std::vector<Action>& all_actions() {
  static const std::vector<Action> actions = [] {
    std::vector<Action> v;
    for (const auto& i : kActions) v.push_back(i.action);
    return v;
  }();
  return actions;
}

std::string roles_table() {
  std::string out = "action";
  for (const auto& r : kRoles) out += "\t" + std::string(r.name);
  out += "\n";
  for (const auto& a : kActions) {
    out += a.name;
    for (const auto& r : kRoles) out += role_allows(r.role, a.action) ? "\tyes" : "\t-";
    out += "\n";
  }
  return out;
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

bool directorate_record_in_reach(store::Store& st, const Principal& p,
                                 const std::string& directorate) {
  Scope d{NodeKind::directorate, directorate};
  if (can_see(st, p, d)) return true;  // the directorate is inside the principal's scope
  return within(d, p.scope_path);      // the principal's commune or school is inside it
}

bool sees_only_its_part(const Principal& p) {
  return p.scope.kind == NodeKind::commune || p.scope.kind == NodeKind::school;
}

SchoolReach school_reach(store::Store& st, const Principal& p) {
  SchoolReach r;
  if (!sees_only_its_part(p)) return r;
  r.whole = false;
  for (const auto& s : st.schools(p.scope)) r.schools.insert(s.code);
  return r;
}

bool may_list_audit(const Principal& p) {
  return role_allows(p.role, Action::read_audit) && p.scope.kind == NodeKind::nation;
}

}  // namespace sanad::app
