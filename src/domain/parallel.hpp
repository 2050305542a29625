// Work split in parts run side by side on the machine's cores.
#pragma once
#include <cstddef>
#include <exception>
#include <system_error>
#include <thread>
#include <vector>

namespace sanad {

// Runs part(0) … part(n - 1): part 0 on this thread, the others on threads of their own, and
// returns when all have ended. A thread that cannot be had leaves its part to this thread. If
// parts throw, the first of them in part order is rethrown here once all have ended.
template <typename Part>
void run_in_parallel(std::size_t n, Part&& part) {
  std::vector<std::exception_ptr> failed(n);
  auto guarded = [&](std::size_t k) {
    try {
      part(k);
    } catch (...) {
      failed[k] = std::current_exception();
    }
  };
  std::vector<std::thread> helpers;
  std::size_t started = 1;
  try {
    for (; started < n; ++started) helpers.emplace_back(guarded, started);
  } catch (const std::system_error&) {  // no more threads to be had: the rest on this one
  }
  for (std::size_t k = started; k < n; ++k) guarded(k);
  if (n > 0) guarded(0);
  for (auto& h : helpers) h.join();
  for (auto& f : failed)
    if (f) std::rethrow_exception(f);
}

}  // namespace sanad
