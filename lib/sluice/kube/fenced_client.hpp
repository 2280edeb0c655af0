// Fencing: a process that lost its lock must not write to the cluster any
// more. A Fence says until when (by this process's monotonic clock) writes
// are allowed; FencedClient refuses every write verb (create, update, patch,
// delete, scale...) locally once the fence is closed or its deadline passed.
// Reads and watches go through untouched.
#pragma once

#include <sluice/kube/client.hpp>
#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace sluice::kube {

class Fence {
 public:
  explicit Fence(util::Clock& clock) : clock_(clock) {}

  // Allows writes until `deadline`. False, and nothing changes, when the
  // fence is already closed or its deadline has passed: a lock that lapsed
  // once stays lost, even if a late renewal succeeds.
  bool extend_until(util::TimePoint deadline);
  // No write from now on; `why` is what refused writes say.
  void close(const std::string& why);
  // Ok while writes are allowed; otherwise the refusal (kind cancelled, so the
  // run stops as it does when interrupted). A refusal calls the on_refused hook.
  util::Status check_write();
  // Closed, or open with its deadline passed.
  bool lapsed() const;
  std::string why() const;
  std::uint64_t refused() const { return refused_.load(); }
  // Called (on the writing thread) at every refused write.
  void on_refused(std::function<void()> hook);

 private:
  bool lapsed_locked() const;

  util::Clock& clock_;
  mutable std::mutex mutex_;
  std::optional<util::TimePoint> deadline_;  // none: never opened
  bool closed_ = false;
  std::string why_ = "the lock is not held";
  std::function<void()> on_refused_;
  std::atomic<std::uint64_t> refused_{0};
};

// A Client whose writes pass only while `fence` allows them.
class FencedClient final : public Client {
 public:
  // The fence is also handed to `inner` as its write gate, so a write is
  // checked once more just before it goes on the wire; removed on destruction.
  FencedClient(Client& inner, Fence& fence);
  ~FencedClient() override;
  FencedClient(const FencedClient&) = delete;
  FencedClient& operator=(const FencedClient&) = delete;

  Result<Json> request(const ApiRequest& request, const CancelToken* cancel = nullptr) override;
  util::Status watch_stream(const ApiRequest& request, const std::function<bool(const WatchEvent&)>& on_event,
                            const CancelToken* cancel = nullptr) override;
  std::uint64_t requests_made() const override { return inner_.requests_made(); }

 private:
  Client& inner_;
  Fence& fence_;
};

}  // namespace sluice::kube
