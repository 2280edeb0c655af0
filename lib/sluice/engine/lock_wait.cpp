#include <sluice/engine/lock_wait.hpp>

namespace sluice::engine {

namespace {

// One run per thread: the CLI runs its verb on the main thread; a release's
// targets run on threads of their own and are not watched by it.
thread_local LockWaitWatch* innermost = nullptr;

}  // namespace

LockWaitWatch::LockWaitWatch(std::function<void(util::Duration)> on_wait)
    : on_wait_(std::move(on_wait)), outer_(innermost) {
  innermost = this;
}

LockWaitWatch::~LockWaitWatch() {
  innermost = outer_;
}

void tell_lock_wait(util::Duration waited) {
  if (innermost != nullptr && innermost->on_wait_) innermost->on_wait_(waited);
}

}  // namespace sluice::engine
