#include <sluice/util/cancel_wakeup.hpp>
#include <sluice/util/clock.hpp>

#include <map>

namespace sluice::util {

void CancelToken::cancel() {
  {
    std::lock_guard lock(mutex_);
    if (cancelled_.exchange(true)) return;
  }
  cv_.notify_all();
  detail::run_wakeups(*this);
}

namespace {

struct Wakeups {
  std::mutex mutex;
  std::map<int, std::pair<const CancelToken*, std::function<void()>>> by_id;
  int next = 1;
};

Wakeups& wakeups() {
  static Wakeups w;
  return w;
}

}  // namespace

int add_wakeup(const CancelToken& token, std::function<void()> wake) {
  auto& w = wakeups();
  std::lock_guard lock(w.mutex);
  // Checked under the registry's lock: a cancel either sees this entry or set its flag before.
  if (token.cancelled()) {
    wake();
    return 0;
  }
  int id = w.next++;
  w.by_id.emplace(id, std::make_pair(&token, std::move(wake)));
  return id;
}

void remove_wakeup(int id) {
  if (id == 0) return;
  auto& w = wakeups();
  std::lock_guard lock(w.mutex);
  w.by_id.erase(id);
}

void detail::run_wakeups(const CancelToken& token) {
  auto& w = wakeups();
  // Under the lock, so remove_wakeup can promise the callback is not running.
  std::lock_guard lock(w.mutex);
  for (auto& [id, entry] : w.by_id)
    if (entry.first == &token) entry.second();
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
