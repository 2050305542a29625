// Who may do what, and where: the one place where roles, permissions and scopes meet.
// Every account has a role and a scope (a node of the territory tree); a request is allowed
// when the role grants the action and the record lies inside the scope.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/store.hpp"
#include "kernel/ids.hpp"

namespace sanad::app {

enum class Role {
  national_admin,
  academy_officer,
  directorate_manager,
  school_head,
  statistician,
  complaints_officer,
  auditor
};

enum class Action {
  read_registry,   // territory, schools, pupils, households, absences
  import_data,     // upload and write rosters, absences, households, schools
  export_data,     // download lists
  read_audit,      // the history of records and the whole log
  manage_users,    // create, change, disable accounts (inside the admin's scope)
  tayssir_read,    // Tayssir cycles, lines and explanations within the scope
  tayssir_check,   // a school confirms or flags its list in a draft cycle
  tayssir_run,     // compute cycles, approve, export for payment, close, decide appeals
  tayssir_appeal,  // file an appeal for a household
  stats_manage,    // set targets, submit reported values (approve those of the level below)
  exchange,        // run the SDMX exchange with the planning directorate, see its delivery log
  tayssir_policy,  // create, copy and edit program policies (national rules)
  tayssir_plan     // run a what-if of a policy variant on the registry of the scope
};

std::string_view role_name(Role r);
std::optional<Role> parse_role(std::string_view s);
std::string_view role_label(Role r, bool arabic);
const std::vector<Role>& all_roles();

// What each role may do, whatever the scope (access.cpp: for each action, the roles granted it).
bool role_allows(Role r, Action a);
std::string_view action_name(Action a);
const std::vector<Action>& all_actions();
// The role × action table as text: a heading row of roles, then each action with "yes" or "-"
// under each role (`sanad roles`).
std::string roles_table();
// The kinds of node a role's scope may be (a school head has a school, …).
bool scope_fits_role(Role r, NodeKind k);

struct Principal {
  int64_t user_id = 0;
  std::string login, full_name;
  Role role = Role::auditor;
  Scope scope;
  std::vector<Scope> scope_path;  // nation → … → scope
};

// True when `node` (given by its ancestry, nation first) lies inside `scope`.
bool within(const Scope& scope, const std::vector<Scope>& node_ancestry);
// Looks the node up and checks it is inside the principal's scope. A node that does not exist
// and a node outside the scope answer the same: false (the caller answers 404 for both).
bool can_see(store::Store& st, const Principal& p, const Scope& node);

// A program's record that belongs to a directorate (a Tayssir cycle, a kits forecast, a grants
// ranking): within reach when the directorate lies inside the principal's scope, or the
// principal's commune or school lies inside the directorate.
bool directorate_record_in_reach(store::Store& st, const Principal& p,
                                 const std::string& directorate);
// Below a directorate a principal sees only its own part of such a record (its school's lines
// and totals, not the directorate's).
bool sees_only_its_part(const Principal& p);
// The schools of such a record a principal reaches: all from a directorate up, else those of
// its scope.
struct SchoolReach {
  bool whole = true;
  std::set<std::string> schools;
  bool has(const std::string& code) const { return whole || schools.count(code) > 0; }
};
SchoolReach school_reach(store::Store& st, const Principal& p);

// A school list changes the map of schools: imported only from a directorate up.
bool may_import_schools(const Principal& p);
// The audit log names people and places across the country: listed only by nation-wide
// auditing roles (a record's own history is shown where the record is).
bool may_list_audit(const Principal& p);

}  // namespace sanad::app
