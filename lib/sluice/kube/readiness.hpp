// Readiness of the kinds sluice waits on, as pure functions of the object's
// JSON: Deployment rollout status with `kubectl rollout status` rules, and the
// pod signals that show a version is broken long before the progress deadline.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace sluice::kube {

struct RolloutStatus {
  bool done = false;
  bool failed = false;  // ProgressDeadlineExceeded: it will not finish by itself
  std::string message;  // kubectl's wording: "Waiting for deployment \"web\" rollout to finish: ..."
};

// As kubectl: wait while generation > observedGeneration (a deadline condition
// from an older generation is stale); then failed when Progressing has reason
// ProgressDeadlineExceeded; wait while updatedReplicas < spec.replicas; while
// replicas > updatedReplicas; while availableReplicas < updatedReplicas; else done.
RolloutStatus deployment_rollout_status(const nlohmann::json& deployment);

constexpr int k_default_restart_threshold = 3;

// Why this pod shows its version is broken, or nullopt: a container (init
// included) waiting in CrashLoopBackOff, ErrImagePull, ImagePullBackOff,
// InvalidImageName, CreateContainerConfigError, or restarted more than
// `restart_threshold` times. Message: "pod web-abc container app: CrashLoopBackOff: <message>".
std::optional<std::string> pod_failure_signal(const nlohmann::json& pod,
                                              int restart_threshold = k_default_restart_threshold);

// True when the pod has condition Ready=True.
bool pod_ready(const nlohmann::json& pod);

}  // namespace sluice::kube
