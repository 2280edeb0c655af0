#include <sluice/kube/rate_limiter.hpp>

#include <algorithm>
#include <cmath>

namespace sluice::kube {

TokenBucket::TokenBucket(double qps, int burst, util::Clock& clock)
    : qps_(qps), burst_(std::max(1, burst)), clock_(clock), tokens_(std::max(1, burst)), last_(clock.now()) {}

util::Duration TokenBucket::reserve() {
  if (qps_ <= 0) return util::Duration{0};
  std::lock_guard lock(mutex_);
  auto now = clock_.now();
  double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
  tokens_ -= 1.0;
  if (tokens_ >= 0) return util::Duration{0};
  // The deficit is paid back at qps tokens per second.
  return util::Duration{static_cast<long long>(std::ceil(-tokens_ / qps_ * 1000.0))};
}

bool TokenBucket::acquire(const util::CancelToken* cancel) {
  util::Duration wait = reserve();
  if (wait.count() == 0) return cancel == nullptr || !cancel->cancelled();
  return clock_.sleep_for(wait, cancel);
}

}  // namespace sluice::kube
