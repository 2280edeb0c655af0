#include <sluice/util/backoff.hpp>

#include <algorithm>

namespace sluice::util {

Duration doubling_backoff(Duration base, int attempt, Duration cap) {
  Duration delay = base;
  for (int i = 1; i < attempt && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

Duration equal_jitter(Duration delay, double random01) {
  auto half = delay / 2;
  return half + Duration{static_cast<Duration::rep>(static_cast<double>((delay - half).count()) * random01)};
}

}  // namespace sluice::util
