// The statistics: indicators of every territory computed from a columnar snapshot of the
// registry, targets and reported values, and the SDMX exchange with the planning directorate,
// delivered regularly by the server.
#pragma once
#include "core/module.hpp"

namespace sanad::stats {

// Its routes, commands (stats, exchange), the exchange's options of `sanad serve` and its
// background work (the figures kept fresh, the regular delivery).
const Module& module();

}  // namespace sanad::stats
