// A clock only the test moves. now() stands still until advance(); a sleep
// blocks (in real time) until the clock is advanced past its end or its
// cancel token fires, so a timed pause or an analysis interval ends exactly
// when the test says and never before. Watch-driven waits still wake at once:
// they sleep with a token their watch cancels. Sleeps shorter than a second
// (retry backoffs) pass in real time without moving the clock.
#pragma once

#include <sluice/util/clock.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

namespace sluice::test {

class SteppedClock final : public util::Clock {
 public:
  SteppedClock();
  util::TimePoint now() const override;
  util::WallTime wall_now() const override;
  bool sleep_for(util::Duration d, const util::CancelToken* cancel = nullptr) override;
  void advance(util::Duration d);

  // Blocks until a thread sleeps on this clock with a time left that `fits`
  // accepts, or `limit` (real time) passes; returns that time left.
  std::optional<util::Duration> wait_for_sleep(const std::function<bool(util::Duration)>& fits,
                                               std::chrono::milliseconds limit = std::chrono::seconds(30));

 private:
  std::optional<util::Duration> fitting_locked(const std::function<bool(util::Duration)>& fits) const;

  static constexpr util::Duration k_real_below{1000};
  const util::TimePoint base_;
  const util::WallTime wall_base_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  util::Duration elapsed_{0};
  std::multimap<util::Duration, int> sleeping_;  // each sleeper's end, on this clock's elapsed time
};

}  // namespace sluice::test
