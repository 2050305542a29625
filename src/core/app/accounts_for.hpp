// Accounts and the audit log as a caller asks for them: each call checks the caller's right
// (manage_users; listing the audit log is for nation-wide auditing roles) and that the account
// lies inside the caller's scope, then acts in the caller's name. The API's routes call these.
#pragma once
#include <string>
#include <vector>

#include "core/app/accounts.hpp"
#include "core/app/caller.hpp"
#include "core/store/store.hpp"

namespace sanad::app {

class AccountsFor {
 public:
  AccountsFor(store::Store& st, Caller c) : st_(st), c_(std::move(c)) {}

  // The actions the caller's role allows, by name (what the web shows and hides).
  std::vector<std::string> actions() const;

  std::vector<UserView> users();
  void may_manage();
  // And the account `login` lies inside the caller's scope (NotFound otherwise).
  void may_manage(const std::string& login);
  // An account in the caller's scope; AccountError when it cannot be made.
  UserView add(const NewUser& u);
  // Each: NotFound for an account outside the caller's scope; AccountError when refused.
  void set_password(const std::string& login, const std::string& password);
  void set_disabled(const std::string& login, bool disabled);
  std::vector<store::AuditRecord> history(const std::string& login);

  void may_list_audit();
  std::vector<store::AuditRecord> audit(const std::string& subject, int64_t limit);

 private:
  store::Store& st_;
  Caller c_;
};

}  // namespace sanad::app
