// The arithmetic of retrying: how long to wait before attempt n+1, given the
// policy and what the server said in Retry-After. Pure, so it is table-tested.
#pragma once

#include <sluice/http/client.hpp>

#include <optional>

namespace sluice::http {

// The wait before the next attempt after `attempt` (1-based) failed.
// With Retry-After: that value, capped by max_delay. Otherwise exponential
// backoff base_delay * 2^(attempt-1), capped by max_delay, with "equal
// jitter": a uniform pick in [d/2, d] driven by `random01` in [0, 1).
Duration backoff_delay(const RetryPolicy& policy, int attempt, std::optional<Duration> retry_after,
                       double random01);

}  // namespace sluice::http
