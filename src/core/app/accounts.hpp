// Accounts, passwords and sessions. Passwords are hashed with argon2id (libsodium); a session
// is a random token whose SHA-256 alone is stored, with a CSRF token beside it; failed logins
// are counted per login and refused for a while after too many.
#pragma once
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/app/access.hpp"
#include "core/store/store.hpp"

namespace sanad::app {

// A request that cannot be carried out, with a message for the person who made it.
struct AccountError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct NewUser {
  std::string login, full_name, role, scope, password;
};

struct UserView {
  std::string login, full_name, role, scope;
  bool disabled = false;
  std::string created_at;
};

// `actor` is who does it (a login, or "cli:…" from the command line), for the audit log.
UserView add_user(store::Store& st, const NewUser& u, const std::string& actor,
                  const std::string& origin);
void set_password(store::Store& st, const std::string& login, const std::string& password,
                  const std::string& actor, const std::string& origin);
void set_disabled(store::Store& st, const std::string& login, bool disabled,
                  const std::string& actor, const std::string& origin);
std::vector<UserView> list_users(store::Store& st);

// For a signed-in principal (the web app): managing accounts needs the manage_users action and
// an account whose scope lies inside the principal's; anything else is "not found".
bool may_manage_scope(store::Store& st, const Principal& p, const std::string& scope);
bool may_manage_user(store::Store& st, const Principal& p, const std::string& login);
std::vector<UserView> users_visible_to(store::Store& st, const Principal& p);

// The policy for passwords: at least 10 characters, not all of one kind of character.
std::optional<std::string> password_problem(const std::string& password);
std::string hash_password(const std::string& password);
bool verify_password(const std::string& hash, const std::string& password);

struct Throttle {
  int max_failures = 5;              // failed attempts …
  int window_minutes = 15;           // … within this window lock the login for the rest of it
  int max_failures_per_origin = 30;  // failed attempts from one address, whatever the logins
  // … and from one network (network_of), whatever the addresses in it.
  int max_failures_per_network = 90;
};

// The network an address belongs to, for counting failed logins: the /24 of an IPv4 address
// ("10.1.2.0/24", also when written as ::ffff:10.1.2.3), the /64 of an IPv6 one; the text
// itself when it is not an address.
std::string network_of(const std::string& address);

struct LoginResult {
  std::string token;  // for the cookie; only its hash is stored
  std::string csrf;   // sent back by the app in a header on every change
  Principal who;
};

struct SessionPolicy {
  int hours = 12;
  Throttle throttle;
};

// Throws AccountError("…") with a message fit to show: wrong login or password (the same for
// both), account disabled, too many attempts.
LoginResult login(store::Store& st, const std::string& login, const std::string& password,
                  const std::string& origin, const SessionPolicy& policy = {});
void logout(store::Store& st, const std::string& token);

struct Authenticated {
  Principal who;
  std::string csrf;
};
// The principal behind a session token, if the session is live and the account enabled.
std::shared_ptr<const Authenticated> authenticate(store::Store& st, const std::string& token);

std::string random_token();  // 32 random bytes, hex
// Compares two secrets in constant time.
bool same_secret(const std::string& a, const std::string& b);
using store::sha256_hex;

}  // namespace sanad::app
