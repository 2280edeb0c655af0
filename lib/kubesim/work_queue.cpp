#include <kubesim/work_queue.hpp>

namespace kubesim {

WorkQueue::WorkQueue(const sluice::util::Clock& clock, std::function<bool()> paused)
    : clock_(clock), paused_(std::move(paused)) {}

void WorkQueue::add(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    add_locked(key);
  }
  cv_.notify_one();
}

void WorkQueue::add_locked(const std::string& key) {
  if (shut_down_ || dirty_.count(key) != 0) return;
  dirty_.insert(key);
  if (processing_.count(key) == 0) ready_.push_back(key);
}

void WorkQueue::add_after(const std::string& key, sluice::util::Duration delay) {
  if (delay.count() <= 0) return add(key);
  {
    std::lock_guard lock(mutex_);
    if (shut_down_ || dirty_.count(key) != 0)
      return;  // runs soon anyway, and each sync schedules its own timers
    sluice::util::TimePoint due = clock_.now() + delay;
    auto found = due_.find(key);
    if (found != due_.end() && found->second <= due) return;
    due_[key] = due;
    timers_.emplace(due, key);
  }
  // Every worker may be sleeping until a later timer: all must re-check.
  cv_.notify_all();
}

void WorkQueue::promote_due_locked() {
  sluice::util::TimePoint now = clock_.now();
  while (!timers_.empty() && timers_.top().first <= now) {
    Timer timer = timers_.top();
    timers_.pop();
    auto found = due_.find(timer.second);
    if (found == due_.end() || found->second != timer.first) continue;  // superseded by an earlier timer
    due_.erase(found);
    add_locked(timer.second);
  }
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  while (!shut_down_) {
    bool paused = paused_();
    if (!paused) {
      promote_due_locked();
      if (!ready_.empty()) {
        std::string key = std::move(ready_.front());
        ready_.pop_front();
        dirty_.erase(key);
        processing_.insert(key);
        return key;
      }
    }
    if (paused || timers_.empty()) {
      cv_.wait(lock);
    } else {
      cv_.wait_for(lock, timers_.top().first - clock_.now());
    }
  }
  return std::nullopt;
}

void WorkQueue::done(const std::string& key) {
  bool requeued = false;
  {
    std::lock_guard lock(mutex_);
    processing_.erase(key);
    if (dirty_.count(key) != 0) {
      ready_.push_back(key);
      requeued = true;
    }
  }
  if (requeued) cv_.notify_one();
}

void WorkQueue::wake() {
  { std::lock_guard lock(mutex_); }
  cv_.notify_all();
}

void WorkQueue::shut_down() {
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
  }
  cv_.notify_all();
}

std::size_t WorkQueue::pending() const {
  std::lock_guard lock(mutex_);
  return ready_.size() + due_.size();
}

}  // namespace kubesim
