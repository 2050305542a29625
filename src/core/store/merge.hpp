// What the stores of every part share: the merge engine that writes a table by difference, the
// staging of codes and ids to join against. Only stores (PART/store/) include it.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/store/store.hpp"
#include "kernel/dates.hpp"

namespace sanad::store::detail {

struct StageColumn {
  std::string name;
  bool integer = false;
  bool kept = false;  // written when the row is new, never changed afterwards (academy edits)
};

std::string stage_ddl(Dialect d, const std::string& name, const std::vector<StageColumn>& cols);

// The indices 0…n-1 ordered by key(i), bytewise (ties by index).
std::vector<uint32_t> key_order(std::size_t n,
                                const std::function<std::string_view(std::size_t)>& key);

// What diff_merge found of each row (see its `states`).
constexpr uint8_t kRowNew = 0, kRowSame = 1, kRowChanged = 2;

// A table written by difference: the natural keys of the rows are looked up in the target
// (skipped when it is empty), each row is compared in memory with what is stored, then the new
// rows are appended in bulk (COPY on PostgreSQL) with ids assigned here — in `order` when given,
// so that a large load writes its indexes in key order — and only the changed rows are updated.
// Writers of a table are serialised (SQLite's write lock; a table lock on PostgreSQL), so the ids
// assigned cannot collide.
struct Target {
  std::string table;
  bool has_id = false;            // a surrogate key "id"
  std::vector<StageColumn> key;   // the natural key
  std::vector<StageColumn> cols;  // everything else
};

// Row i's values: the key columns then the other columns, in the order of Target.
template <typename... A>
void set_row(std::vector<Value>& v, A&&... a) {
  v.clear();
  (v.emplace_back(std::forward<A>(a)), ...);
}
using RowGen = std::function<void(std::size_t, std::vector<Value>&)>;

// Writes rows by difference with what is there: inserts the new, updates the changed, leaves the
// same. With `changed_fields`, each updated row's index and its fields that changed, as JSON
// {"column": [before, after]} (the columns derived for search, *_norm, left out).
MergeCounts diff_merge(Db& db, const Target& t, std::size_t n, const RowGen& gen,
                       std::vector<int64_t>* ids = nullptr,
                       std::vector<std::pair<std::size_t, std::string>>* changed_fields = nullptr,
                       const std::vector<uint32_t>* order = nullptr,
                       std::vector<uint8_t>* states = nullptr);

// Stages codes in a temporary table (stage_codes(code)); how many.
std::size_t stage_codes(Db& db, const std::vector<std::string>& codes);
std::unordered_map<std::string, int64_t> ids_by_code(Db& db, const std::string& table,
                                                     const std::string& code_col,
                                                     const std::vector<std::string>& codes);
int64_t id_or_throw(const std::unordered_map<std::string, int64_t>& ids, const std::string& code,
                    const char* what);

}  // namespace sanad::store::detail
