// Who calls a use case: the signed-in principal (account, role, scope) and where from. A use case
// that takes a Caller checks the right and the reach itself and writes the audit entry as the
// caller: http/ and cli/ only translate. What it answers when the caller may not:
//   Forbidden — the caller's role does not allow the action (the API's 403);
//   BadRequest — what was sent is not what the use case takes (400);
//   NotFound  — what was named is not there, or lies outside the caller's reach: the two answer
//               the same, so that nobody learns what exists elsewhere (the API's 404).
#pragma once
#include <stdexcept>
#include <string>

#include "core/app/access.hpp"
#include "core/app/actor.hpp"

namespace sanad::app {

struct Caller {
  const Principal& who;
  std::string origin;  // "api 192.0.2.1", "local"
  // The command line's operator: whoever runs `sanad` beside the database holds the database
  // itself, so may take every action over the whole country (local_operator()); the audit log
  // names the system user ("cli:USER") and the origin "local".
  bool local = false;
  Actor actor() const { return {who.login, origin}; }
  bool may(Action a) const { return local || role_allows(who.role, a); }
};

// The principal the command line acts as: the whole country, under the system user's name.
inline Principal local_operator(const std::string& login) {
  Principal p;
  p.login = login;
  p.full_name = login;
  p.role = Role::national_admin;
  p.scope = Scope::nation();
  p.scope_path = {Scope::nation()};
  return p;
}
inline constexpr const char* kLocalOperatorSays =
    "The command line (sanad COMMAND, beside the database) acts as the local operator: every "
    "action, over the whole country, in the audit log as cli:USER from \"local\".\n";

struct Forbidden : std::runtime_error {
  Forbidden() : std::runtime_error("your role does not allow this") {}
};
struct NotFound : std::runtime_error {
  NotFound() : std::runtime_error("not found or outside your access") {}
  // Something that is nowhere (no school year imported yet…), said with its own code.
  NotFound(std::string c, const std::string& message)
      : std::runtime_error(message), code(std::move(c)) {}
  std::string code = "not_found";
};
// What the caller sent is not what the use case takes (a field missing or of the wrong kind):
// the API's 400. A rule of the program that refuses is a Refusal (422).
struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws Forbidden unless the caller's role allows every action named.
inline void require(const Caller& c, std::initializer_list<Action> actions) {
  for (Action a : actions)
    if (!c.may(a)) throw Forbidden();
}
// Throws NotFound unless `ok`.
inline void found_if(bool ok) {
  if (!ok) throw NotFound();
}

}  // namespace sanad::app
