// The registry's routes, for its module value (registry/registry.hpp).
#pragma once
#include <vector>

#include "core/http/routes.hpp"

namespace sanad::http {

// The territory, schools, pupils, exports and imports (api_registry.cpp).
const std::vector<Route>& registry_routes();
// The import requests (api_requests.cpp).
const std::vector<Route>& requests_routes();

}  // namespace sanad::http
