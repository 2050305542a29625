// Ids of the store's rows mapped to positions in arrays.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sanad {

// The store's ids (from sequences: dense from 1) to indices: a table while they stay below
// kDense, a hash map above (a registry whose ids were moved far, or hostile).
class IdIndex {
 public:
  static constexpr int32_t kAbsent = -1;
  int32_t find(int64_t id) const {
    if (id >= 0 && id < kDense)
      return static_cast<std::size_t>(id) < table_.size() ? table_[static_cast<std::size_t>(id)]
                                                          : kAbsent;
    auto it = sparse_.find(id);
    return it == sparse_.end() ? kAbsent : it->second;
  }
  // The index of `id`, or `index` given to it when it had none (then true).
  std::pair<int32_t, bool> emplace(int64_t id, int32_t index) {
    if (id >= 0 && id < kDense) {
      const auto at = static_cast<std::size_t>(id);
      if (at >= table_.size())
        table_.resize(
            std::min(std::max(at + 1, table_.size() * 2), static_cast<std::size_t>(kDense)),
            kAbsent);
      if (table_[at] != kAbsent) return {table_[at], false};
      table_[at] = index;
      return {index, true};
    }
    auto [it, fresh] = sparse_.emplace(id, index);
    return {it->second, fresh};
  }
  void set(int64_t id, int32_t index) {
    if (!emplace(id, index).second) {
      if (id >= 0 && id < kDense)
        table_[static_cast<std::size_t>(id)] = index;
      else
        sparse_[id] = index;
    }
  }

 private:
  static constexpr int64_t kDense = int64_t{1} << 25;  // a table of at most 128 MB
  std::vector<int32_t> table_;
  std::unordered_map<int64_t, int32_t> sparse_;
};

}  // namespace sanad
