// The arithmetic of the Deployment controller as pure functions, following
// kubernetes pkg/controller/deployment and its util package: surge and
// unavailability limits, how far each rolling-update step may scale, the
// pod-template-hash, revision numbering and revision-history cleanup.
#pragma once

#include <kubesim/kube_object.hpp>
#include <sluice/util/result.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace kubesim {

// intstr.GetScaledValueFromIntOrPercent: an int as is, "25%" of `total`
// rounded up or down; any other string is invalid.
sluice::util::Result<int> scaled_value(const Json& int_or_percent, int total, bool round_up);

struct Fenceposts {
  int max_surge = 0;
  int max_unavailable = 0;
};
// ResolveFenceposts: surge rounds up, unavailable rounds down, and when both
// come out zero unavailable becomes 1 so the rollout can still move.
sluice::util::Result<Fenceposts> resolve_fenceposts(const Json& max_surge, const Json& max_unavailable,
                                                    int desired);

// A Deployment's spec reduced to what the scaling arithmetic needs, with the
// apiserver's defaults (replicas 1, RollingUpdate 25%/25%) applied.
struct RolloutLimits {
  int replicas = 1;
  bool rolling = true;
  int max_surge = 0;        // MaxSurge(): 0 for Recreate
  int max_unavailable = 0;  // MaxUnavailable(): 0 for Recreate or 0 replicas, never above replicas
};
sluice::util::Result<RolloutLimits> rollout_limits(const Json& deployment_spec);

// One ReplicaSet as the scaling steps see it.
struct ReplicaSetCounts {
  std::string name;
  int replicas = 0;   // spec.replicas
  int available = 0;  // status.availableReplicas
};

// NewRSNewReplicas: the size the new ReplicaSet may grow to now.
int new_rs_new_replicas(const RolloutLimits& limits, int all_replicas, int new_rs_replicas);

// reconcileOldReplicaSets: first cleanupUnhealthyReplicas, then
// scaleDownOldReplicaSetsForRollingUpdate. `old_oldest_first` are the active
// old ReplicaSets by creation time. Returns the new size of each one changed.
std::vector<std::pair<std::string, int>> old_replica_set_scale_down(
    const RolloutLimits& limits, const std::vector<ReplicaSetCounts>& old_oldest_first,
    const ReplicaSetCounts& new_rs);

// A ReplicaSet taking part in proportional scaling (DeploymentController.scale).
struct ScalingReplicaSet {
  std::string name;
  int replicas = 0;
  std::optional<int> max_replicas_annotation;  // deployment.kubernetes.io/max-replicas
  int age_rank = 0;                            // creation order: higher is newer
};
// Sizes for every active ReplicaSet when a Deployment is resized mid-rollout.
std::map<std::string, int> proportional_sizes(const RolloutLimits& limits, int deployment_status_replicas,
                                              std::vector<ScalingReplicaSet> active);

// FNV-32a, and rand.SafeEncodeString's alphabet without vowels and lookalikes.
std::uint32_t fnv32a(const std::string& bytes, std::uint32_t hash = 2166136261u);
std::string safe_encode_string(const std::string& text);
// controller.ComputeHash: FNV-32a of the printed template (hash label left
// out, normalized) plus the collision count, rendered with SafeEncodeString.
std::string pod_template_hash(const Json& pod_template, std::optional<int> collision_count);
// The 5-character suffix the apiserver appends to a generateName.
std::string random_suffix(std::mt19937& rng, int length = 5);

// Revision annotations of a ReplicaSet that becomes (or stays) the new one
// (SetNewReplicaSetAnnotations): the revision only ever rises, and a reused
// ReplicaSet keeps its earlier numbers in revision-history.
struct RevisionAnnotations {
  bool changed = false;
  std::string revision;
  std::string history;  // empty: no revision-history annotation
};
long long max_revision(const std::vector<long long>& revisions);
RevisionAnnotations next_revision_annotations(const std::string& current_revision,
                                              const std::string& current_history, long long new_revision);

// One old ReplicaSet as revision-history cleanup sees it.
struct HistoryEntry {
  std::string name;
  long long revision = 0;
  int age_rank = 0;
  int spec_replicas = 0;
  int status_replicas = 0;
  bool settled = true;    // status.observedGeneration >= metadata.generation
  bool deleting = false;  // deletionTimestamp set
};
// cleanupDeployment: the oldest revisions beyond `limit` that are fully scaled down.
std::vector<std::string> replica_sets_beyond_history(std::vector<HistoryEntry> old_rss, int limit);

struct DeploymentCounts {
  long long observed_generation = 0;
  int replicas = 0;
  int updated = 0;
  int ready = 0;
  int available = 0;
  int unavailable = 0;
};
DeploymentCounts deployment_counts(const Json& status);
// util.DeploymentComplete and util.DeploymentProgressing.
bool deployment_complete(int spec_replicas, long long generation, const DeploymentCounts& status);
bool deployment_progressing(const DeploymentCounts& before, const DeploymentCounts& after);

// Conditions on a status object, as SetDeploymentCondition keeps them: an
// unchanged status and reason is left alone; an unchanged status keeps its
// lastTransitionTime.
Json make_condition(const std::string& type, const std::string& status, const std::string& reason,
                    const std::string& message, const std::string& now);
const Json* find_condition(const Json& status, const std::string& type);
void set_condition(Json& status, Json condition);
void remove_condition(Json& status, const std::string& type);

}  // namespace kubesim
