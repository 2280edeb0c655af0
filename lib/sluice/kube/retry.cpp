#include <sluice/kube/retry.hpp>

#include <cmath>

namespace sluice::kube {

util::Duration conflict_backoff_delay(const ConflictBackoff& backoff, int attempt, double unit) {
  double base = static_cast<double>(backoff.delay.count()) * std::pow(backoff.factor, attempt - 1);
  double jittered = base + base * backoff.jitter * unit;
  return util::Duration{static_cast<long long>(std::llround(jittered))};
}

}  // namespace sluice::kube
