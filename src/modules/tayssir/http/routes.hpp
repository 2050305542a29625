// The Tayssir routes, for its module value (modules/tayssir/tayssir.hpp).
#pragma once
#include <vector>

#include "core/http/routes.hpp"

namespace sanad::http {

const std::vector<Route>& tayssir_routes();

}  // namespace sanad::http
