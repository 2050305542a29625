// Tayssir, conditional cash transfers: policies by school year, cycles computed per directorate
// and transfer period from the registry (draft → checked → approved → exported → closed),
// appeals, what-ifs, suspected duplicates, and the lists people sign and pay from.
#pragma once
#include "core/module.hpp"

namespace sanad::tayssir {

// Its routes, its command (`sanad tayssir …`) and the labels of its decisions' reasons.
const Module& module();

}  // namespace sanad::tayssir
