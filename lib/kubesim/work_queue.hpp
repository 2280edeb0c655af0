// The controllers' work queue, after client-go's delaying workqueue: a key
// queued many times is processed once, never by two workers at the same time,
// and again if it was queued while being processed. Delayed keys wait in a
// heap and the workers sleep exactly until the earliest one is due.
#pragma once

#include <sluice/util/clock.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace kubesim {

class WorkQueue {
 public:
  // `paused` is asked before handing out work (SimConfig::frozen); call wake() when it may have changed.
  explicit WorkQueue(
      const sluice::util::Clock& clock, std::function<bool()> paused = [] { return false; });

  void add(const std::string& key);
  void add_after(const std::string& key, sluice::util::Duration delay);
  // Blocks until a key is due and the queue is not paused; nullopt once shut down.
  std::optional<std::string> get();
  void done(const std::string& key);
  void wake();
  void shut_down();
  // Keys ready or waiting for their time, not counting those being processed.
  std::size_t pending() const;

 private:
  void add_locked(const std::string& key);
  void promote_due_locked();

  using Timer = std::pair<sluice::util::TimePoint, std::string>;
  const sluice::util::Clock& clock_;
  std::function<bool()> paused_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> ready_;
  std::unordered_set<std::string> dirty_;
  std::unordered_set<std::string> processing_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::unordered_map<std::string, sluice::util::TimePoint> due_;  // earliest due time per waiting key
  bool shut_down_ = false;
};

}  // namespace kubesim
