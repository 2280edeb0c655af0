#include <sluice/util/clock.hpp>

namespace sluice::util {

void CancelToken::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_.store(true);
  }
  cv_.notify_all();
}

bool CancelToken::wait_until(TimePoint deadline) const {
  std::unique_lock lock(mutex_);
  cv_.wait_until(lock, deadline, [this] { return cancelled_.load(); });
  return cancelled_.load();
}

bool SystemClock::sleep_for(Duration d, const CancelToken* cancel) {
  auto deadline = std::chrono::steady_clock::now() + d;
  if (cancel != nullptr) return !cancel->wait_until(deadline);
  CancelToken never;
  never.wait_until(deadline);
  return true;
}

TimePoint ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return TimePoint{} + elapsed_;
}

WallTime ManualClock::wall_now() const {
  std::lock_guard lock(mutex_);
  return WallTime{} + std::chrono::hours(24 * 365 * 56) + elapsed_;
}

bool ManualClock::sleep_for(Duration d, const CancelToken* cancel) {
  if (cancel != nullptr && cancel->cancelled()) return false;
  advance(d);
  return true;
}

void ManualClock::advance(Duration d) {
  std::lock_guard lock(mutex_);
  elapsed_ += d;
}

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

}  // namespace sluice::util
