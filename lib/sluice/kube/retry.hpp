// Optimistic-concurrency helper: re-read and re-apply a change when the
// server answers 409 Conflict, with client-go's defaults (5 tries, 10 ms, jitter 0.1).
#pragma once

#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <random>
#include <type_traits>

namespace sluice::kube {

struct ConflictBackoff {
  int steps = 5;             // attempts in total
  util::Duration delay{10};  // wait before a retry
  double factor = 1.0;       // growth per retry
  double jitter = 0.1;       // up to +10% random extra per wait
};

// The wait before retry number `attempt` (1-based), `unit` in [0,1) drawn by the caller.
util::Duration conflict_backoff_delay(const ConflictBackoff& backoff, int attempt, double unit);

// Calls `fn` (which must re-read the object itself) until it succeeds, fails
// with anything but conflict, or `backoff.steps` attempts are spent; returns
// fn's last result. Waits go through `clock` and stop early on `cancel`.
template <class Fn>
auto retry_on_conflict(Fn&& fn, util::Clock& clock = util::system_clock(),
                       const ConflictBackoff& backoff = {}, const util::CancelToken* cancel = nullptr)
    -> std::invoke_result_t<Fn&> {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int attempt = 1;; ++attempt) {
    auto result = fn();
    if (result.ok() || result.error().kind != util::ErrorKind::conflict || attempt >= backoff.steps)
      return result;
    if (!clock.sleep_for(conflict_backoff_delay(backoff, attempt, unit(rng)), cancel)) return result;
  }
}

}  // namespace sluice::kube
