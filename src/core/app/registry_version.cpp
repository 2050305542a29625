#include "core/app/registry_version.hpp"

#include "core/app/versioned.hpp"
#include "core/module.hpp"

namespace sanad::app {

std::string registry_version(store::Store& st, const std::string& also_quiet) {
  // What leaves the figures as they are: signing in and out, accounts, and what the parts say.
  static const auto quiet = [] {
    std::pair<std::vector<std::string>, std::vector<std::string>> q{
        {"login", "login failed", "logout"}, {"user "}};
    for (const Module* m : modules())
      if (m->quiet_audit) m->quiet_audit(q.first, q.second);
    return q;
  }();
  // Kept with the head it was computed at: while the head stays there (no entry at all since,
  // in this database or another), so does the version. Heads of two databases never meet (the
  // first entry carries a random identity).
  static VersionedCache<std::string> kept(8);
  return *kept.get(st.audit_head(), also_quiet, [&] {
    auto prefixes = quiet.second;
    if (!also_quiet.empty()) prefixes.push_back(also_quiet);
    return std::make_shared<const std::string>(st.audit_head_ignoring(quiet.first, prefixes));
  });
}

}  // namespace sanad::app
