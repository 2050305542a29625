// SQL shared by the store's files (not part of its interface).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/store/db.hpp"
#include "kernel/ids.hpp"

namespace sanad::store {

// The condition that keeps rows of a scope, over schools `sc` joined to communes `cm`, with its
// parameters numbered from $1.
std::pair<std::string, std::vector<Value>> scope_filter(const Scope& s);

// A new temporary table `table` (id) holding these ids (once each), to join against; the caller
// drops it.
void stage_ids(Db& db, const std::string& table, std::vector<int64_t> ids);

}  // namespace sanad::store
