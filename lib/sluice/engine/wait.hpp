// Waiting for a version to come up, driven by the shared watches: wakes on
// every change to the awaited Deployments and the rollout's Pods (and on interrupt),
// judges rollout status and fail-fast pod signals, and takes check
// measurements when they are due. No polling interval: the next write
// follows the awaited change as soon as the watch delivers it.
#pragma once

#include <sluice/engine/driver.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sluice::gate {
class AnalysisRunner;
}

namespace sluice::engine {

struct VersionWait {
  std::string deployment;  // the Deployment carrying the new version
  std::string image;       // its pods run this image: checked for failure signals
  util::TimePoint deadline;
  gate::AnalysisRunner* checks = nullptr;  // measured alongside; may be null
  // Extra versions to report in progress events (blue-green: the live one).
  std::vector<std::string> also_report;
  // Ready once this many pods are available; < 0: once fully rolled out and available.
  int min_available = -1;
};

enum class WaitEnd { ready, failed, inconclusive, interrupted };
struct VersionWaitResult {
  WaitEnd end = WaitEnd::ready;
  std::string message;
};

// A wait for `deployment` to run `image`, bounded by the plan's progress deadline.
VersionWait version_wait(Driver& d, std::string deployment, std::string image);

VersionWaitResult wait_for_version(Driver& d, const VersionWait& wait);

// A rollback's wait for the version it returns to: ok once ready; a
// cancelled error when interrupted, else why it did not come back.
util::Status wait_back(Driver& d, const VersionWait& wait);

// As wait_for_version, but ready only once no pod of an older version is
// left among the Deployment's pods either (terminating ones included): the
// moment a rolling update's checks may start measuring the new version alone.
VersionWaitResult wait_for_settled(Driver& d, const VersionWait& wait);

// Measures `checks` to their verdict while watching the version's pods and
// Deployment for failure signals (wait.checks and wait.deadline are not
// used: the checks' count and interval bound the wait). ready = passed.
VersionWaitResult wait_for_verdict(Driver& d, const VersionWait& wait, gate::AnalysisRunner& checks);

// What a step does after such a wait: go on when ready, stop when
// interrupted, pause on inconclusive checks, roll back on a failure.
StepResult step_after(const VersionWaitResult& end);

// Judges a Deployment: done when rolled out and every desired replica is available.
bool fully_available(const nlohmann::json& deployment);

// Sleeps a driver until one of `deployments` changes, a pod of the rollout
// changes in a way that matters, a deadline passes or the run is
// interrupted: the one way drivers wait. With `image`, a pod event wakes it
// only when a pod running `image` shows a failure signal, a pod is deleted
// or the stream fails (pod events are judged on the watch thread, without a
// copy); without, every pod event wakes it.
class ChangeWaiter {
 public:
  ChangeWaiter(Driver& d, const std::vector<std::string>& deployments, std::string image = "");
  ~ChangeWaiter();
  ChangeWaiter(const ChangeWaiter&) = delete;
  ChangeWaiter& operator=(const ChangeWaiter&) = delete;
  void sleep_until(util::TimePoint until);
  // failing_pod(d, image) of the constructor's image, judging only the pods
  // that changed since the last call (the first call, and one after a
  // stream error, judge them all): a wake per pod event visiting every pod
  // made CPU grow with replicas squared.
  std::optional<std::string> failing_pod();

 private:
  struct PodSignals {
    std::mutex mutex;
    std::optional<std::string> signal;  // the first failure signal seen since the last look
    bool error = false;                 // the stream reported an error
  };
  std::function<void(const kube::WatchEvent&)> on_pod_event() const;

  Driver& d_;
  std::shared_ptr<Wakeup> wake_;
  std::shared_ptr<PodSignals> pods_;
  std::string image_;
  bool judged_all_ = false;
  std::vector<int> subscriptions_;
};

// Deployment `name` as the shared watch sees it now.
std::optional<nlohmann::json> watched_deployment(Driver& d, const std::string& name);

// The first pod running `image` that shows a failure signal, described in
// one line; or the server's refusal of the pods watch (e.g. forbidden).
std::optional<std::string> failing_pod(Driver& d, const std::string& image);

// The stream the rollout's pods are watched in: what the target Deployment
// selects, less the labels sluice adds, so every version's pods are in it.
// Computed once per run (Driver::pods()).
kube::WatchScope rollout_pods(const Target& target);

// The pod-template-hash of `deployment`'s pods running `image`, from the
// shared pods stream (no request of its own once it runs); nullopt unless
// exactly one hash is found (none yet, or several ReplicaSets of one image).
std::optional<std::string> template_hash_of_pods(Driver& d, const nlohmann::json& deployment,
                                                 const std::string& image);

}  // namespace sluice::engine
