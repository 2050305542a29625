// The Store's accounts and sessions, and the failed logins counted against guessing.
#include "core/store/store.hpp"

#include <fmt/format.h>

#include <optional>

#include "core/store/merge.hpp"

namespace sanad::store {
using namespace detail;

namespace {

UserRow read_user(const ResultRow& r) {
  UserRow u;
  u.id = r.i64(0);
  u.login = r.text(1);
  u.full_name = r.text(2);
  u.role = r.text(3);
  u.scope_code = r.text(4);
  u.password_hash = r.text(5);
  u.disabled = r.i64(6) != 0;
  u.created_at = r.text(7);
  u.updated_at = r.text(8);
  return u;
}
constexpr const char* kUserCols =
    "id, login, full_name, role, scope_code, password_hash, disabled, created_at, updated_at";

}  // namespace

// --- accounts and sessions ----------------------------------------------------------------------

std::optional<UserRow> Store::user_by_login(const std::string& login) {
  std::optional<UserRow> u;
  db_->query(fmt::format("SELECT {} FROM users WHERE login = $1", kUserCols), {login},
             [&](const ResultRow& r) { u = read_user(r); });
  return u;
}

std::optional<UserRow> Store::user_by_id(int64_t id) {
  std::optional<UserRow> u;
  db_->query(fmt::format("SELECT {} FROM users WHERE id = $1", kUserCols), {id},
             [&](const ResultRow& r) { u = read_user(r); });
  return u;
}

std::vector<UserRow> Store::users() {
  std::vector<UserRow> out;
  db_->query(fmt::format("SELECT {} FROM users ORDER BY login", kUserCols), {},
             [&](const ResultRow& r) { out.push_back(read_user(r)); });
  return out;
}

int64_t Store::insert_user(const UserRow& u) {
  int64_t id = 0;
  db_->query(
      "INSERT INTO users (login, full_name, role, scope_code, password_hash, disabled, "
      "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
      {u.login, u.full_name, u.role, u.scope_code, u.password_hash, int64_t{u.disabled ? 1 : 0},
       u.created_at, u.updated_at},
      [&](const ResultRow& r) { id = r.i64(0); });
  return id;
}

void Store::update_user(const UserRow& u) {
  db_->execute(
      "UPDATE users SET full_name = $1, role = $2, scope_code = $3, password_hash = $4, disabled "
      "= $5, updated_at = $6 WHERE id = $7",
      {u.full_name, u.role, u.scope_code, u.password_hash, int64_t{u.disabled ? 1 : 0},
       u.updated_at, u.id});
}

void Store::put_session(const SessionRow& s) {
  db_->execute(
      "INSERT INTO sessions (token_hash, user_id, csrf, origin, created_at, expires_at) VALUES "
      "($1, $2, $3, $4, $5, $6)",
      {s.token_hash, s.user_id, s.csrf, s.origin, s.created_at, s.expires_at});
}

std::optional<SessionRow> Store::session(const std::string& token_hash) {
  std::optional<SessionRow> out;
  db_->query(
      "SELECT token_hash, user_id, csrf, origin, created_at, expires_at FROM sessions WHERE "
      "token_hash = $1",
      {token_hash}, [&](const ResultRow& r) {
        out = SessionRow{r.text(0), r.i64(1), r.text(2), r.text(3), r.text(4), r.text(5)};
      });
  return out;
}

void Store::delete_session(const std::string& token_hash) {
  db_->execute("DELETE FROM sessions WHERE token_hash = $1", {token_hash});
}

void Store::delete_sessions_of(int64_t user_id) {
  db_->execute("DELETE FROM sessions WHERE user_id = $1", {user_id});
}

void Store::delete_expired_sessions(const std::string& now) {
  db_->execute("DELETE FROM sessions WHERE expires_at <= $1", {now});
}

void Store::add_login_failure(const std::string& login, const std::string& origin,
                              const std::string& network, const std::string& at) {
  db_->execute("INSERT INTO login_failures (login, origin, network, at) VALUES ($1, $2, $3, $4)",
               {login, origin, network, at});
}

int64_t Store::login_failures_from_network(const std::string& network, const std::string& since) {
  return db_
      ->scalar_i64("SELECT count(*) FROM login_failures WHERE network = $1 AND at >= $2",
                   {network, since})
      .value_or(0);
}

int64_t Store::login_failures_since(const std::string& login, const std::string& since) {
  return db_
      ->scalar_i64("SELECT count(*) FROM login_failures WHERE login = $1 AND at >= $2",
                   {login, since})
      .value_or(0);
}

int64_t Store::login_failures_from(const std::string& origin, const std::string& since) {
  return db_
      ->scalar_i64("SELECT count(*) FROM login_failures WHERE origin = $1 AND at >= $2",
                   {origin, since})
      .value_or(0);
}

void Store::clear_login_failures(const std::string& login) {
  db_->execute("DELETE FROM login_failures WHERE login = $1", {login});
}

}  // namespace sanad::store
