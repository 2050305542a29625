// The registry: the territory, schools, pupils, households and absences, their imports and
// exports, and the requests an import files for another scope (app/import_scope.hpp). The core
// and every program build on it.
#pragma once
#include "core/module.hpp"

namespace sanad::registry {

// Its routes, commands (import, export, demo, requests) and background work (the territory's
// counts kept up to date for its pages).
const Module& module();

}  // namespace sanad::registry
