// The per-target lock: a coordination.k8s.io/v1 Lease `sluice-<name>` that
// one sluice process holds while it changes the target. Renewed in the
// background; every Lease update carries the resourceVersion last seen, so a
// write that raced another process is refused by the API server (409).
// Liveness comes from renewals only: another holder's lease is judged expired
// when it has not changed for leaseDurationSeconds by this process's own clock.
// The lock keeps a write Fence (kube/fenced_client.hpp) open only while a
// renewal proves it is still held, with a margin before any observer could
// judge it expired.
#pragma once

#include <sluice/kube/client.hpp>
#include <sluice/kube/fenced_client.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sluice::state {

using Json = nlohmann::json;

enum class LeaseState { free, ours, held };

// Pure: what a Lease object (null when absent) says about `me`.
LeaseState lease_state(const Json& lease, const std::string& me);

// The Lease body for `holder` (create or take over); `previous` is the
// observed object or null.
Json lease_for(const std::string& ns, const std::string& name, const std::string& holder,
               int duration_seconds, const std::string& now_micro, const Json& previous);

struct LockOptions {
  util::Duration lease_duration{15000};  // written as leaseDurationSeconds (rounded up, >= 1 s)
  util::Duration renew_interval{0};      // 0: a third of lease_duration
};

// How long after sending a successful write of the lease this process may
// still write: the lease duration less a margin for the request's own travel
// and for clocks that run at slightly different rates.
util::Duration write_window(util::Duration lease_duration);

struct AcquireResult {
  bool acquired = false;
  bool took_over = false;  // from a holder that stopped renewing
  std::string holder;      // who holds it when not acquired
  // Taken over at the resourceVersion a finished run recorded as it let the
  // lock go: no one has held it since that run's last write.
  bool handed_over = false;
};

class LeaseLock {
 public:
  LeaseLock(kube::Client& client, kube::WatchHub& hub, util::Clock& clock, std::string ns,
            const std::string& rollout, std::string identity, LockOptions options = {});
  ~LeaseLock();  // stops renewing; does not release (call release())
  LeaseLock(const LeaseLock&) = delete;
  LeaseLock& operator=(const LeaseLock&) = delete;

  // Takes the lock, waiting at most one lease duration to learn whether
  // another holder is alive. Not acquired: `holder` names who has it.
  // `released_version`: the Lease's resourceVersion a finished run recorded
  // as released (hand_off); tried first with one update preconditioned on it.
  util::Result<AcquireResult> acquire(const util::CancelToken* cancel = nullptr,
                                      const std::string& released_version = "");

  // Renews until release(); calls `on_lost` once (from the renewing thread)
  // when a renewal cannot be made before the write window closes, or someone
  // else wrote the lease. The fence is closed before on_lost runs.
  void start_renewing(std::function<void()> on_lost);

  // Letting the lock go with the run's last record write instead of a Lease
  // delete: stops renewing (the fence stays open for what is left of the
  // write window) and returns the Lease's resourceVersion, which no longer
  // changes, for the record to carry; nullopt when the lock is not provably
  // held. Once that record write succeeded, handed_off() says so and
  // release() deletes nothing; otherwise release() deletes as usual.
  std::optional<std::string> hand_off();
  void handed_off() { handed_off_ = true; }

  // Stops renewing and deletes the Lease (if it is still the version this
  // process last wrote) so the next run need not wait. Writes nothing once
  // the lock was lost, or when it was handed off.
  util::Status release();

  // Open while the lock is provably ours; writes to the cluster go through it.
  kube::Fence& fence() { return fence_; }
  bool lost() const { return lost_.load(); }
  // Who holds the lease now (a read), for telling the user who took it.
  std::string current_holder();

  const std::string& identity() const { return identity_; }
  static std::string lease_name(const std::string& rollout) { return "sluice-" + rollout; }

 private:
  util::Result<std::optional<AcquireResult>> try_create();  // nullopt: the Lease exists
  util::Result<std::optional<AcquireResult>> try_handover(const std::string& released_version);
  util::Result<AcquireResult> take_when_free(const util::CancelToken* cancel);
  util::Result<AcquireResult> try_take(const Json& observed, bool took_over);
  util::Result<bool> wait_for_change(const Json& observed, const util::CancelToken* cancel);
  util::Result<Json> write_lease(const Json& observed);  // create, or update carrying its RV
  void renew_loop(const std::function<void()>& on_lost);
  util::Status renew_once();
  util::Status remove_lease(const Json& observed);  // delete, preconditioned on its resourceVersion
  util::Status release_observed();                  // reads the lease and deletes it if still ours
  void lose(const std::string& why, const std::function<void()>& on_lost);
  void stop_renewing();

  kube::Client& client_;
  kube::WatchHub& hub_;
  util::Clock& clock_;
  std::string ns_;
  std::string name_;
  std::string identity_;
  LockOptions options_;
  kube::Fence fence_;
  Json lease_;  // as the last successful write returned it: its RV is the next write's precondition
  util::CancelToken stop_;
  std::thread renewer_;
  std::atomic<bool> held_{false};
  std::atomic<bool> lost_{false};
  bool handed_off_ = false;
};

}  // namespace sluice::state
