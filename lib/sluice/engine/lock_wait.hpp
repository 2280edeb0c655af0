// How long a run took to take its rollout's lock (or to learn that another run
// holds it), for whoever watches the run (telemetry's sluice_lock_wait_seconds).
// While a LockWaitWatch lives, every with_lock on the thread that made it
// tells it; a watch made later on the same thread takes over until it dies.
#pragma once

#include <sluice/util/clock.hpp>

#include <functional>

namespace sluice::engine {

class LockWaitWatch {
 public:
  explicit LockWaitWatch(std::function<void(util::Duration)> on_wait);
  ~LockWaitWatch();
  LockWaitWatch(const LockWaitWatch&) = delete;
  LockWaitWatch& operator=(const LockWaitWatch&) = delete;

 private:
  std::function<void(util::Duration)> on_wait_;
  LockWaitWatch* outer_;
  friend void tell_lock_wait(util::Duration waited);
};

// with_lock: tells the innermost watch of this thread, if any.
void tell_lock_wait(util::Duration waited);

}  // namespace sluice::engine
