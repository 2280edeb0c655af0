#include "support/stepped_clock.hpp"

namespace sluice::test {

SteppedClock::SteppedClock()
    : base_(std::chrono::steady_clock::now()), wall_base_(std::chrono::system_clock::now()) {}

util::TimePoint SteppedClock::now() const {
  std::lock_guard lock(mutex_);
  return base_ + elapsed_;
}

util::WallTime SteppedClock::wall_now() const {
  std::lock_guard lock(mutex_);
  return wall_base_ + elapsed_;
}

bool SteppedClock::sleep_for(util::Duration d, const util::CancelToken* cancel) {
  if (d < k_real_below) {
    util::CancelToken never;
    return !(cancel != nullptr ? cancel : &never)->wait_until(std::chrono::steady_clock::now() + d);
  }
  std::unique_lock lock(mutex_);
  const util::Duration end = elapsed_ + d;
  auto me = sleeping_.emplace(end, 0);
  changed_.notify_all();
  // The token has no hook to wake this wait, so it is looked at every few milliseconds.
  while (elapsed_ < end && !(cancel != nullptr && cancel->cancelled()))
    changed_.wait_for(lock, std::chrono::milliseconds(2));
  bool woke = elapsed_ >= end;
  sleeping_.erase(me);
  return woke;
}

void SteppedClock::advance(util::Duration d) {
  std::lock_guard lock(mutex_);
  elapsed_ += d;
  changed_.notify_all();
}

std::optional<util::Duration> SteppedClock::fitting_locked(
    const std::function<bool(util::Duration)>& fits) const {
  for (const auto& [end, unused] : sleeping_)
    if (fits(end - elapsed_)) return end - elapsed_;
  return std::nullopt;
}

std::optional<util::Duration> SteppedClock::wait_for_sleep(const std::function<bool(util::Duration)>& fits,
                                                           std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  std::optional<util::Duration> found;
  changed_.wait_for(lock, limit, [&] { return (found = fitting_locked(fits)).has_value(); });
  return found;
}

}  // namespace sluice::test
