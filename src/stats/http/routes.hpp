// The statistics' routes and the snapshots they serve, for its module value (stats/stats.hpp).
#pragma once
#include <vector>

#include "core/http/routes.hpp"
#include "stats/app/stats.hpp"

namespace sanad::http {

// The catalogue, dashboards, rankings, pupils behind a figure, targets, reports, deliveries.
const std::vector<Route>& stats_routes();
// The statistics snapshots the API serves, shared with the server's refresher; while a refresher
// runs, requests are answered from the snapshot at hand and never wait for a recomputation.
app::StatsCache& stats_cache();
void stats_refresher(bool running);

}  // namespace sanad::http
