// The per-target lock: a coordination.k8s.io/v1 Lease `sluice-<name>` that
// one sluice process holds while it changes the target. Renewed in the
// background; a holder that cannot renew cancels its work at once. Another
// holder's lease is judged expired only by this process's own clock: when it
// has not changed for leaseDurationSeconds since we first saw it.
#pragma once

#include <sluice/kube/client.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace sluice::state {

using Json = nlohmann::json;

enum class LeaseState { free, ours, held };

// Pure: what a Lease object (null when absent) says about `me`.
LeaseState lease_state(const Json& lease, const std::string& me);

// Pure: a holder "host/pid N ..." on this very host whose process is gone
// cannot renew, so its lease may be taken at once instead of waiting it out.
bool holder_is_dead_local_process(const std::string& holder, const std::string& my_host,
                                  const std::function<bool(int pid)>& pid_alive);

// The Lease body for `holder` (create or take over); `previous` is the
// observed object or null.
Json lease_for(const std::string& ns, const std::string& name, const std::string& holder,
               int duration_seconds, const std::string& now_micro, const Json& previous);

struct LockOptions {
  util::Duration lease_duration{15000};  // written as leaseDurationSeconds (rounded up, >= 1 s)
  util::Duration renew_interval{0};      // 0: a third of lease_duration
};

struct AcquireResult {
  bool acquired = false;
  bool took_over = false;  // from an expired or dead holder
  std::string holder;      // who holds it when not acquired
};

class LeaseLock {
 public:
  LeaseLock(kube::Client& client, kube::WatchHub& hub, util::Clock& clock, std::string ns,
            std::string rollout, std::string identity, LockOptions options = {});
  ~LeaseLock();  // stops renewing; does not release (call release())
  LeaseLock(const LeaseLock&) = delete;
  LeaseLock& operator=(const LeaseLock&) = delete;

  // Takes the lock, waiting at most one lease duration to learn whether
  // another holder is alive. Not acquired: `holder` names who has it.
  util::Result<AcquireResult> acquire(const util::CancelToken* cancel = nullptr);

  // Renews until release(); calls `on_lost` (from the renewing thread) when
  // a renewal cannot be made before the lease would expire, or someone else
  // took the lease: the caller must stop writing at once.
  void start_renewing(std::function<void()> on_lost);

  // Stops renewing and clears the holder so the next run need not wait.
  util::Status release();

  const std::string& identity() const { return identity_; }
  static std::string lease_name(const std::string& rollout) { return "sluice-" + rollout; }

 private:
  util::Result<AcquireResult> try_take(const Json& observed, bool took_over);
  util::Result<bool> wait_for_change(const Json& observed, const util::CancelToken* cancel);
  void renew_loop(const std::function<void()>& on_lost);
  util::Result<bool> renew_once();  // false: someone else holds it now
  void stop_renewing();

  kube::Client& client_;
  kube::WatchHub& hub_;
  util::Clock& clock_;
  std::string ns_;
  std::string name_;
  std::string identity_;
  LockOptions options_;
  util::TimePoint last_renew_{};
  util::CancelToken stop_;
  std::thread renewer_;
  std::atomic<bool> held_{false};
};

}  // namespace sluice::state
