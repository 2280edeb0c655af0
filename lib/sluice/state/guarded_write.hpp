// Retrying read-modify-write calls that carry the resourceVersion they read.
// Such a write is safe to repeat after a 409 or a transient failure (5xx,
// 429, timeout, connection lost): if the first attempt did land, the retry's
// re-read sees it (or gets 409 and re-reads). Bounded, honours Retry-After.
#pragma once

#include <sluice/util/backoff.hpp>
#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <algorithm>
#include <type_traits>

namespace sluice::state {

inline bool retryable_for_guarded_write(util::ErrorKind kind) {
  using util::ErrorKind;
  return kind == ErrorKind::conflict || kind == ErrorKind::server_error ||
         kind == ErrorKind::too_many_requests || kind == ErrorKind::timeout || kind == ErrorKind::unavailable;
}

// Calls `fn` (which must re-read what it changes) up to `attempts` times.
template <class Fn>
auto retry_guarded_write(Fn&& fn, util::Clock& clock, const util::CancelToken* cancel = nullptr,
                         int attempts = 8) -> std::invoke_result_t<Fn&> {
  for (int attempt = 1;; ++attempt) {
    auto result = fn();
    if (result.ok() || attempt >= attempts || !retryable_for_guarded_write(result.error().kind))
      return result;
    util::Duration delay = util::doubling_backoff(util::Duration(10), attempt, util::Duration(1000));
    util::Duration wait = result.error().retry_after.value_or(delay);
    if (!clock.sleep_for(std::min(wait, util::Duration(5000)), cancel)) return result;
  }
}

}  // namespace sluice::state
