#include <sluice/engine/context.hpp>

#include <algorithm>

namespace sluice::engine {

std::string sluice_command(const Reach& reach, const std::string& verb, const std::string& name,
                           const std::string& ns) {
  std::string c = "`sluice " + verb + " " + name;
  if (ns != reach.default_ns) c += " -n " + ns;
  if (!reach.context_is_default && !reach.context.empty()) c += " --context " + reach.context;
  return c + "`";
}

void Wakeup::notify() {
  std::lock_guard lock(mutex_);
  pending_ = true;
  current_->cancel();
}

bool Wakeup::sleep_until(util::Clock& clock, util::TimePoint deadline) {
  std::shared_ptr<util::CancelToken> token;
  {
    std::lock_guard lock(mutex_);
    if (pending_) {
      // A change arrived while we were evaluating: do not sleep through it.
      pending_ = false;
      current_ = std::make_shared<util::CancelToken>();
      return false;
    }
    token = current_;
  }
  auto now = clock.now();
  bool slept = deadline <= now ||
               clock.sleep_for(std::chrono::duration_cast<util::Duration>(deadline - now), token.get());
  std::lock_guard lock(mutex_);
  if (!slept || pending_) {
    pending_ = false;
    current_ = std::make_shared<util::CancelToken>();
    return false;
  }
  return true;
}

void Interrupt::fire(const std::string& reason) {
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard lock(mutex_);
    if (token_.cancelled()) return;
    reason_ = reason;
    hooks.swap(hooks_);
  }
  token_.cancel();
  for (auto& hook : hooks) hook();
}

std::string Interrupt::reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

void Interrupt::on_fire(std::function<void()> hook) {
  {
    std::lock_guard lock(mutex_);
    if (!token_.cancelled()) {
      hooks_.push_back(std::move(hook));
      return;
    }
  }
  hook();
}

void RunRequests::request_abort(const std::string& by) {
  abort_ = true;
  stop_.fire("abort requested by " + (by.empty() ? std::string("another process") : by));
  wake_all();
}

void RunRequests::request_promote() {
  promote_ = true;
  wake_all();
}

void RunRequests::add_waker(std::weak_ptr<Wakeup> waker) {
  std::lock_guard lock(mutex_);
  wakers_.erase(std::remove_if(wakers_.begin(), wakers_.end(), [](const auto& w) { return w.expired(); }),
                wakers_.end());
  wakers_.push_back(std::move(waker));
}

void RunRequests::wake_all() {
  std::vector<std::weak_ptr<Wakeup>> wakers;
  {
    std::lock_guard lock(mutex_);
    wakers = wakers_;
  }
  for (auto& w : wakers)
    if (auto live = w.lock()) live->notify();
}

}  // namespace sluice::engine
