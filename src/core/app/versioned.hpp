// Values read or computed from the database, kept while a version stays where it was: the audit
// log's head (every change is audited, on this server or another) or the registry's version.
// When the version moves, everything kept is dropped. Shared by the threads of a server.
#pragma once
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sanad::app {

template <typename Value>
class VersionedCache {
 public:
  explicit VersionedCache(std::size_t max_entries) : max_(max_entries) {}

  // The value kept for `key` under `version`, or compute() — kept unless it is empty (nothing
  // found is asked again) or the version moved while it was computed. When full, the cache
  // starts afresh.
  template <typename Compute>
  std::shared_ptr<const Value> get(const std::string& version, const std::string& key,
                                   Compute&& compute) {
    {
      std::lock_guard lock(mu_);
      if (version != version_) {
        version_ = version;
        kept_.clear();
      } else if (auto it = kept_.find(key); it != kept_.end()) {
        return it->second;
      }
    }
    std::shared_ptr<const Value> v = compute();
    std::lock_guard lock(mu_);
    if (v && version == version_) {
      if (kept_.size() >= max_) kept_.clear();
      kept_[key] = v;
    }
    return v;
  }

 private:
  std::mutex mu_;
  std::string version_;
  std::unordered_map<std::string, std::shared_ptr<const Value>> kept_;
  const std::size_t max_;
};

}  // namespace sanad::app
