#include "core/app/accounts.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/app/versioned.hpp"
#include "kernel/text.hpp"

namespace sanad::app {
namespace {

void init_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium could not be initialised");
}

std::string iso_in(long seconds) {
  std::time_t t = std::time(nullptr) + seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool valid_login(const std::string& l) {
  if (l.size() < 3 || l.size() > 64) return false;
  for (unsigned char c : l)
    if (!(std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@')) return false;
  return true;
}

UserView view_of(const store::UserRow& u) {
  return {u.login, u.full_name, u.role, u.scope_code, u.disabled, u.created_at};
}

nlohmann::json json_of(const store::UserRow& u) {
  return {{"login", u.login},
          {"full_name", u.full_name},
          {"role", u.role},
          {"scope", u.scope_code},
          {"disabled", u.disabled}};
}

void audit_user(store::Store& st, const std::string& action, const store::UserRow* before,
                const store::UserRow& after, const std::string& actor, const std::string& origin) {
  nlohmann::json d{{"before", before ? json_of(*before) : nlohmann::json(nullptr)},
                   {"after", json_of(after)}};
  st.audit({actor, origin, action, "user " + after.login, d.dump()});
}

store::UserRow must_find(store::Store& st, const std::string& login) {
  auto u = st.user_by_login(login);
  if (!u) throw AccountError(fmt::format("no account with login {}", login));
  return *u;
}

}  // namespace

bool same_secret(const std::string& a, const std::string& b) {
  init_sodium();
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_token() {
  init_sodium();
  unsigned char b[32];
  randombytes_buf(b, sizeof b);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, b, sizeof b);
  return hex;
}

std::optional<std::string> password_problem(const std::string& p) {
  if (utf8_length(p) < 10) return "a password has at least 10 characters";
  if (p.size() > 1024) return "a password has at most 1024 bytes";
  bool lower = false, upper = false, digit = false, other = false;
  for (unsigned char c : p) {
    if (std::islower(c))
      lower = true;
    else if (std::isupper(c))
      upper = true;
    else if (std::isdigit(c))
      digit = true;
    else
      other = true;
  }
  if (lower + upper + digit + other < 2)
    return "a password mixes at least two kinds of characters (letters, digits, others)";
  return std::nullopt;
}

std::string hash_password(const std::string& password) {
  init_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return out;
}

bool verify_password(const std::string& hash, const std::string& password) {
  init_sodium();
  if (hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

UserView add_user(store::Store& st, const NewUser& in, const std::string& actor,
                  const std::string& origin) {
  if (!valid_login(in.login))
    throw AccountError("a login is 3 to 64 letters, digits, '.', '_', '-' or '@'");
  auto role = parse_role(in.role);
  if (!role) {
    std::string all;
    for (auto r : all_roles()) all += (all.empty() ? "" : ", ") + std::string(role_name(r));
    throw AccountError(fmt::format("unknown role {}; roles: {}", in.role, all));
  }
  auto scope = parse_scope(in.scope);
  if (!scope || !st.ancestry(*scope))
    throw AccountError(
        fmt::format("unknown scope {}: give a region (03), a directorate "
                    "(03.531), a commune (03.531.01.05), a school code, or MA",
                    in.scope));
  if (!scope_fits_role(*role, scope->kind))
    throw AccountError(fmt::format("a {} cannot have a {} as scope", role_name(*role),
                                   node_kind_name(scope->kind)));
  std::string name = trim(in.full_name);
  if (name.empty() || utf8_length(name) > 120 || !utf8_valid(name))
    throw AccountError("the full name is required (at most 120 characters)");
  if (auto p = password_problem(in.password)) throw AccountError(*p);
  store::Transaction tx(st.db());
  if (st.user_by_login(in.login))
    throw AccountError(fmt::format("the login {} is taken", in.login));
  store::UserRow u;
  u.login = in.login;
  u.full_name = name;
  u.role = std::string(role_name(*role));
  u.scope_code = scope->code;
  u.password_hash = hash_password(in.password);
  u.created_at = u.updated_at = store::now_iso();
  u.id = st.insert_user(u);
  audit_user(st, "user add", nullptr, u, actor, origin);
  tx.commit();
  return view_of(u);
}

void set_password(store::Store& st, const std::string& login, const std::string& password,
                  const std::string& actor, const std::string& origin) {
  if (auto p = password_problem(password)) throw AccountError(*p);
  store::Transaction tx(st.db());
  auto before = must_find(st, login);
  auto u = before;
  u.password_hash = hash_password(password);
  u.updated_at = store::now_iso();
  st.update_user(u);
  st.delete_sessions_of(u.id);  // a new password ends every session of the account
  st.clear_login_failures(login);
  audit_user(st, "user passwd", &before, u, actor, origin);
  tx.commit();
}

void set_disabled(store::Store& st, const std::string& login, bool disabled,
                  const std::string& actor, const std::string& origin) {
  store::Transaction tx(st.db());
  auto before = must_find(st, login);
  auto u = before;
  u.disabled = disabled;
  u.updated_at = store::now_iso();
  st.update_user(u);
  if (disabled) st.delete_sessions_of(u.id);
  audit_user(st, disabled ? "user disable" : "user enable", &before, u, actor, origin);
  tx.commit();
}

std::vector<UserView> list_users(store::Store& st) {
  std::vector<UserView> out;
  for (const auto& u : st.users()) out.push_back(view_of(u));
  return out;
}

bool may_manage_scope(store::Store& st, const Principal& p, const std::string& scope) {
  if (!role_allows(p.role, Action::manage_users)) return false;
  auto s = parse_scope(scope);
  return s && can_see(st, p, *s);
}

bool may_manage_user(store::Store& st, const Principal& p, const std::string& login) {
  auto u = st.user_by_login(login);
  return u && may_manage_scope(st, p, u->scope_code);
}

std::vector<UserView> users_visible_to(store::Store& st, const Principal& p) {
  std::vector<UserView> out;
  if (!role_allows(p.role, Action::manage_users)) return out;
  for (const auto& u : st.users())
    if (may_manage_scope(st, p, u.scope_code)) out.push_back(view_of(u));
  return out;
}

namespace {
std::optional<Principal> principal_of(store::Store& st, const store::UserRow& u) {
  auto role = parse_role(u.role);
  auto scope = parse_scope(u.scope_code);
  if (!role || !scope) return std::nullopt;
  auto path = st.ancestry(*scope);
  if (!path) return std::nullopt;  // the scope's node is gone: no access rather than too much
  return Principal{u.id, u.login, u.full_name, *role, *scope, *path};
}
}  // namespace

std::string network_of(const std::string& address) {
  unsigned char b[16];
  if (inet_pton(AF_INET, address.c_str(), b) == 1)
    return fmt::format("{}.{}.{}.0/24", b[0], b[1], b[2]);
  if (inet_pton(AF_INET6, address.c_str(), b) == 1) {
    const bool mapped = std::all_of(b, b + 10, [](unsigned char x) { return x == 0; }) &&
                        b[10] == 0xff && b[11] == 0xff;
    if (mapped) return fmt::format("{}.{}.{}.0/24", b[12], b[13], b[14]);
    return fmt::format("{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}::/64", b[0], b[1], b[2],
                       b[3], b[4], b[5], b[6], b[7]);
  }
  return address;
}

LoginResult login(store::Store& st, const std::string& login, const std::string& password,
                  const std::string& origin, const SessionPolicy& policy) {
  const std::string wrong = "wrong login or password";
  if (login.empty() || login.size() > 64 || password.size() > 1024) throw AccountError(wrong);
  const std::string since = iso_in(-60L * policy.throttle.window_minutes);
  if (st.login_failures_since(login, since) >= policy.throttle.max_failures) {
    throw AccountError(
        fmt::format("too many failed attempts for this login: try again in {} minutes or ask an "
                    "administrator to reset the password",
                    policy.throttle.window_minutes));
  }
  const std::string network = network_of(origin);
  if (st.login_failures_from(origin, since) >= policy.throttle.max_failures_per_origin ||
      st.login_failures_from_network(network, since) >= policy.throttle.max_failures_per_network)
    throw AccountError(
        fmt::format("too many failed attempts from this address: try again in {} minutes",
                    policy.throttle.window_minutes));
  // The password is checked outside the transaction: hashing takes a while, and the write lock
  // is not held meanwhile. The hash is checked even for an unknown login, so that timing does
  // not tell which logins exist.
  auto u = st.user_by_login(login);
  static const std::string dummy = hash_password("not-a-real-password-0");
  bool ok = verify_password(u ? u->password_hash : dummy, password) && u.has_value();
  store::Transaction tx(st.db());
  if (!ok) {
    st.add_login_failure(login, origin, network, store::now_iso());
    st.audit({login, origin, "login failed", "user " + login, "{}"});
    tx.commit();
    throw AccountError(wrong);
  }
  if (u->disabled) {
    tx.commit();
    throw AccountError("this account is disabled");
  }
  auto who = principal_of(st, *u);
  if (!who) throw AccountError("this account's role or scope is no longer valid");
  st.clear_login_failures(login);
  st.delete_expired_sessions(store::now_iso());
  LoginResult r{random_token(), random_token(), *who};
  st.put_session(
      {sha256_hex(r.token), u->id, r.csrf, origin, store::now_iso(), iso_in(3600L * policy.hours)});
  st.audit({login, origin, "login", "user " + login, "{}"});
  tx.commit();
  return r;
}

void logout(store::Store& st, const std::string& token) {
  if (token.empty()) return;
  store::Transaction tx(st.db());
  auto s = st.session(sha256_hex(token));
  if (s) {
    st.delete_session(s->token_hash);
    auto u = st.user_by_id(s->user_id);
    if (u) st.audit({u->login, s->origin, "logout", "user " + u->login, "{}"});
  }
  tx.commit();
}

std::shared_ptr<const Authenticated> authenticate(store::Store& st, const std::string& token) {
  if (token.size() != 64) return nullptr;
  // Sessions already checked, kept while the audit log's head stays where it was: every way a
  // session or an account changes (sign in and out, password, disabling, any account change)
  // writes an audit entry, on this server or another. One query a request instead of three or
  // four; the expiry is checked by time.
  struct Checked {
    Authenticated auth;
    std::string expires_at;
  };
  static VersionedCache<Checked> sessions(100000);
  const std::string hash = sha256_hex(token), now = store::now_iso();
  auto c = sessions.get(st.audit_head(), hash, [&]() -> std::shared_ptr<const Checked> {
    auto s = st.session(hash);
    if (!s) return nullptr;
    auto u = st.user_by_id(s->user_id);
    if (!u || u->disabled) return nullptr;
    auto who = principal_of(st, *u);
    if (!who) return nullptr;
    return std::make_shared<const Checked>(Checked{{*who, s->csrf}, s->expires_at});
  });
  if (!c || c->expires_at <= now) return nullptr;
  return {c, &c->auth};
}

}  // namespace sanad::app
