// The simulated Deployment controller, following kubernetes
// pkg/controller/deployment: it finds or creates the new ReplicaSet for the
// current template, scales new and old ReplicaSets as RollingUpdate or
// Recreate allow, keeps revision annotations and history, and reports status
// with the Progressing and Available conditions, progress deadline included.
#pragma once

#include <kubesim/controller_context.hpp>
#include <kubesim/controller_math.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace kubesim {

inline constexpr const char* k_revision_annotation = "deployment.kubernetes.io/revision";
inline constexpr const char* k_revision_history_annotation = "deployment.kubernetes.io/revision-history";
inline constexpr const char* k_desired_replicas_annotation = "deployment.kubernetes.io/desired-replicas";
inline constexpr const char* k_max_replicas_annotation = "deployment.kubernetes.io/max-replicas";

class DeploymentController {
 public:
  explicit DeploymentController(ControllerContext& ctx) : ctx_(ctx) {}
  // One reconcile of the named Deployment; a conflict means "requeue".
  sluice::util::Status sync(const std::string& ns, const std::string& name);
  void forget(const std::string& uid);

 private:
  // One sync's working copies, kept current as it writes.
  struct Rollout {
    Json d;
    RolloutLimits limits;
    std::vector<Json> rss;  // owned ReplicaSets, oldest first
    std::optional<std::size_t> new_rs;
    std::vector<std::size_t> old() const;
    std::vector<std::size_t> active_old() const;
  };

  // deployment_controller.cpp: the strategies.
  sluice::util::Status check_paused_conditions(Rollout& r);
  // ControllerRefManager's adoption: orphaned ReplicaSets the selector matches become this Deployment's.
  sluice::util::Status adopt_orphans(Rollout& r);
  sluice::util::Result<bool> is_scaling_event(Rollout& r);
  sluice::util::Status scale(Rollout& r);
  sluice::util::Status rollout_rolling(Rollout& r);
  sluice::util::Status rollout_recreate(Rollout& r);
  sluice::util::Result<bool> scale_replica_set(Rollout& r, std::size_t index, int replicas);
  bool old_pods_running(const Rollout& r) const;

  // deployment_revisions.cpp: the new ReplicaSet, revisions, history.
  sluice::util::Status find_new_replica_set(Rollout& r, bool create);
  sluice::util::Status create_new_replica_set(Rollout& r, long long revision);
  sluice::util::Status write_deployment_revision(Rollout& r, const std::string& revision);
  sluice::util::Status cleanup(Rollout& r);

  // deployment_status.cpp: status, conditions, progress deadline.
  Json calculate_status(const Rollout& r) const;
  sluice::util::Status sync_rollout_status(Rollout& r);
  sluice::util::Status sync_status_only(Rollout& r);
  sluice::util::Status write_status(Rollout& r, Json status);
  bool timed_out(const Rollout& r, const Json& condition) const;
  void mark_progress(const Rollout& r, const std::string& now_text);
  void schedule_deadline_check(const Rollout& r, const Json& status);
  std::optional<sluice::util::TimePoint> progress_since(const Rollout& r, const Json& condition) const;

  ControllerContext& ctx_;
  // lastUpdateTime of each Deployment's Progressing condition to the
  // millisecond: the written timestamp has whole seconds only.
  mutable std::mutex progress_mutex_;
  std::unordered_map<std::string, std::pair<std::string, sluice::util::TimePoint>> progress_;
};

int rs_replicas(const Json& rs);
long long rs_revision(const Json& rs);

}  // namespace kubesim
