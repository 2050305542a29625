// The version of the registry as the audit log tells it: it changes when anything that figures
// or lists are made of changes (imports, cycles, definitions, census), not when someone signs in,
// manages accounts, exports or reports (each part names its actions that change no figure:
// Module::quiet_audit). Caches compare it to know they are out of date. With `also_quiet`, the
// entries whose action or subject begins with it do not change it either.
#pragma once
#include <string>

#include "core/store/store.hpp"

namespace sanad::app {

std::string registry_version(store::Store& st, const std::string& also_quiet = "");

}  // namespace sanad::app
