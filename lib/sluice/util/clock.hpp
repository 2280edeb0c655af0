// Injected time. Library code never reads the wall clock or sleeps directly:
// it asks a Clock, so tests can drive time with ManualClock.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace sluice::util {

using Duration = std::chrono::milliseconds;
using TimePoint = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

// Cooperative cancellation shared between a caller and the work it started.
// Waiting on it is how library code "sleeps": it wakes early when cancelled.
class CancelToken {
 public:
  void cancel();
  bool cancelled() const { return cancelled_.load(); }
  // Waits until `deadline` (steady clock) or cancellation; true when cancelled.
  bool wait_until(TimePoint deadline) const;

 private:
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;      // monotonic: deadlines, intervals
  virtual WallTime wall_now() const = 0;  // for timestamps written out
  // Sleeps for `d` or until `cancel` fires; returns false when cancelled.
  virtual bool sleep_for(Duration d, const CancelToken* cancel = nullptr) = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  WallTime wall_now() const override { return std::chrono::system_clock::now(); }
  bool sleep_for(Duration d, const CancelToken* cancel = nullptr) override;
};

// A clock tests advance by hand; sleep_for advances time instantly.
class ManualClock final : public Clock {
 public:
  TimePoint now() const override;
  WallTime wall_now() const override;
  bool sleep_for(Duration d, const CancelToken* cancel = nullptr) override;
  void advance(Duration d);

 private:
  mutable std::mutex mutex_;
  Duration elapsed_{0};
};

Clock& system_clock();

}  // namespace sluice::util
