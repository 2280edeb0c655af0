// Retry waits, in one place: every client (Kubernetes API, HTTP checks,
// registry, guarded writes) doubles its wait per attempt up to a cap; the
// HTTP client adds "equal jitter" so retrying callers spread out.
#pragma once

#include <sluice/util/clock.hpp>

namespace sluice::util {

// `base` doubled for each attempt after the first (attempt is 1-based), at most `cap`.
Duration doubling_backoff(Duration base, int attempt, Duration cap);

// A point in the upper half of `delay`: delay/2 + (delay - delay/2) * random01, random01 in [0, 1).
Duration equal_jitter(Duration delay, double random01);

}  // namespace sluice::util
