#include "core/app/accounts_for.hpp"

namespace sanad::app {

std::vector<std::string> AccountsFor::actions() const {
  std::vector<std::string> out;
  for (auto a : all_actions())
    if (c_.may(a)) out.emplace_back(action_name(a));
  return out;
}

void AccountsFor::may_manage() {
  require(c_, {Action::manage_users});
}

void AccountsFor::may_manage(const std::string& login) {
  may_manage();
  found_if(may_manage_user(st_, c_.who, login));
}

std::vector<UserView> AccountsFor::users() {
  may_manage();
  return users_visible_to(st_, c_.who);
}

UserView AccountsFor::add(const NewUser& u) {
  may_manage();
  if (!may_manage_scope(st_, c_.who, u.scope))
    throw AccountError("the scope is not a node of your territory");
  return add_user(st_, u, c_.who.login, c_.origin);
}

void AccountsFor::set_password(const std::string& login, const std::string& password) {
  may_manage(login);
  app::set_password(st_, login, password, c_.who.login, c_.origin);
}

void AccountsFor::set_disabled(const std::string& login, bool disabled) {
  may_manage(login);
  if (disabled && login == c_.who.login) throw AccountError("you cannot disable your own account");
  app::set_disabled(st_, login, disabled, c_.who.login, c_.origin);
}

std::vector<store::AuditRecord> AccountsFor::history(const std::string& login) {
  may_manage(login);
  return st_.audit_of("user " + login, 200);
}

void AccountsFor::may_list_audit() {
  if (!app::may_list_audit(c_.who)) throw Forbidden();
}

std::vector<store::AuditRecord> AccountsFor::audit(const std::string& subject, int64_t limit) {
  may_list_audit();
  return st_.audit_latest(subject, limit);
}

}  // namespace sanad::app
