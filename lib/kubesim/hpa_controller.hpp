// The simulated HorizontalPodAutoscaler controller (autoscaling/v2) for HPAs
// whose scaleTargetRef is a Deployment: it keeps the Deployment's replicas at
// the autoscaler's recommendation clamped to [minReplicas, maxReplicas],
// scales back any other writer's change, and writes status as the real one.
#pragma once

#include <kubesim/controller_context.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace kubesim {

inline constexpr const char* k_hpas = "horizontalpodautoscalers.autoscaling";
inline constexpr const char* k_work_hpa = "hpa";

// What one reconciliation decides (pure, table-tested).
struct HpaDecision {
  long long desired = 0;  // the replica count the target should have
  bool scale = false;     // the target's replicas must be written
  std::string limited;    // ScalingLimited reason: TooFewReplicas, TooManyReplicas, DesiredWithinRange
  bool disabled = false;  // the target has 0 replicas: autoscaling is off (ScalingDisabled)
};

// `recommendation` stands for what the metrics would ask for; `current` is the target's spec.replicas.
HpaDecision decide_hpa(long long recommendation, long long current, long long min_replicas,
                       long long max_replicas);

// The HPA's status after a decision; `previous` is its current status (lastScaleTime and each
// condition's lastTransitionTime are kept when nothing changed). `target_replicas` is the
// target's status.replicas, what the real controller reports as currentReplicas.
Json hpa_status(const Json& hpa, const Json& previous, const HpaDecision& decision, long long target_replicas,
                bool scaled, const std::string& now);

class HpaController {
 public:
  explicit HpaController(ControllerContext& ctx) : ctx_(ctx) {}
  sluice::util::Status sync(const std::string& ns, const std::string& name);

  // The HPAs of `ns` whose target is this Deployment (a Deployment change enqueues them).
  void enqueue_for_deployment(const std::string& ns, const std::string& deployment);

  // Sets what the simulated metrics recommend (the control API); not_found when absent.
  sluice::util::Status set_recommendation(const std::string& ns, const std::string& name, long long replicas);
  void forget(const std::string& uid);

 private:
  long long recommendation_for(const std::string& uid, long long current);
  sluice::util::Status write_status(const Json& hpa, const HpaDecision& decision, long long target_replicas,
                                    bool scaled);

  ControllerContext& ctx_;
  std::mutex mutex_;
  std::map<std::string, long long> recommendations_;  // HPA uid -> replicas the load asks for
};

}  // namespace kubesim
