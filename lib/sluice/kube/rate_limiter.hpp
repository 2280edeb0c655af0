// Client-side token bucket so a stampede of rollouts cannot flood the API
// server: `burst` requests at once, then `qps` per second, waits via the Clock.
#pragma once

#include <sluice/util/clock.hpp>

#include <mutex>

namespace sluice::kube {

class TokenBucket {
 public:
  // qps <= 0: unlimited.
  TokenBucket(double qps, int burst, util::Clock& clock);

  // How long the caller must wait before its request may go (a token is
  // reserved now, so concurrent callers queue fairly). Zero when one is free.
  util::Duration reserve();
  // reserve() then wait on the clock; false when cancelled while waiting.
  bool acquire(const util::CancelToken* cancel = nullptr);

 private:
  double qps_;
  double burst_;
  util::Clock& clock_;
  std::mutex mutex_;
  double tokens_;  // may go negative: reservations not yet due
  util::TimePoint last_;
};

}  // namespace sluice::kube
