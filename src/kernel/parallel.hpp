// Work split in parts run side by side on the machine's cores.
#pragma once
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace sanad {

// A pass run on a thread of its own, or at once when no thread can be had; join() waits for it
// and rethrows what it threw (destroyed unjoined, it still waits).
class Beside {
 public:
  explicit Beside(std::function<void()> fn) : fn_(std::move(fn)) {
    try {
      thread_.emplace([this] { run(); });
    } catch (const std::system_error&) {
      run();
    }
  }
  Beside(const Beside&) = delete;
  Beside& operator=(const Beside&) = delete;
  void join() {
    if (thread_ && thread_->joinable()) thread_->join();
    if (failed_) std::rethrow_exception(std::exchange(failed_, nullptr));
  }

 private:
  void run() {
    try {
      fn_();
    } catch (...) {
      failed_ = std::current_exception();
    }
  }
  std::function<void()> fn_;
  std::exception_ptr failed_;
  std::optional<std::jthread> thread_;  // last: joined before the rest goes
};

// Runs part(0) … part(n - 1): part 0 on this thread, each other beside it (see Beside), and
// returns when all have ended. If parts throw, the first of them in part order is rethrown.
template <typename Part>
void run_in_parallel(std::size_t n, Part&& part) {
  std::vector<std::unique_ptr<Beside>> helpers;
  for (std::size_t k = 1; k < n; ++k)
    helpers.push_back(std::make_unique<Beside>([&part, k] { part(k); }));
  std::exception_ptr failed;
  try {
    if (n > 0) part(0);
  } catch (...) {
    failed = std::current_exception();
  }
  for (auto& h : helpers) {
    try {
      h->join();
    } catch (...) {
      if (!failed) failed = std::current_exception();
    }
  }
  if (failed) std::rethrow_exception(failed);
}

}  // namespace sanad
