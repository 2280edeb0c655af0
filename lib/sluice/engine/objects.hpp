// Pure functions over the Kubernetes objects a rollout touches (Deployment,
// Service, Pod JSON): reading and setting the target container's image,
// ready counts, selectors, and building the blue-green preview Deployment.
#pragma once

#include <sluice/strategy/capacity.hpp>
#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace sluice::engine {

using Json = nlohmann::json;

// Label sluice puts on blue-green pods and adds to Service selectors.
inline constexpr const char* k_version_label = "sluice.io/version";
inline constexpr const char* k_rollout_label = "sluice.io/rollout";
// On a blue-green live Service: "<rollout>/<id>" of the rollout an abort
// switched it back for, written with the switch itself so that a run killed
// right after it still knows the rollout is being aborted.
inline constexpr const char* k_aborted_annotation = "sluice.io/aborted";

// Index of `container` in the pod template (empty name: the only container).
util::Result<std::size_t> container_index(const Json& deployment, const std::string& container);
std::string container_image(const Json& deployment, std::size_t index);

struct ReadyCounts {
  int desired = 0;
  int updated = 0;
  int ready = 0;
  int available = 0;
};
ReadyCounts ready_counts(const Json& deployment);

// "a=b,c=d" for a matchLabels / Service selector map (keys sorted).
std::string selector_string(const Json& labels);

// The blue-green Deployment name for a new version: "<deployment>-<10 hex of sha256(digest)>".
std::string version_id(const std::string& digest);
std::string preview_name(const std::string& deployment, const std::string& version);
// The canary Deployment beside `deployment`: "<deployment>-canary".
std::string canary_name(const std::string& deployment);

// The new blue-green Deployment: a copy of `live`'s spec with `image` in
// container `index`, `replicas`, and the version label added to its
// selector and pod labels so the two versions' pods never mix.
Json make_preview_deployment(const Json& live, const std::string& name, const std::string& rollout,
                             const std::string& version, std::size_t index, const std::string& image,
                             int replicas);

// The one rolling-update spec sluice writes (a rolling rollout's template
// change and a canary's promotion): RollingUpdate with `params`' absolute
// surge and unavailable, and the plan's progress deadline, so Kubernetes too
// reports a rollout that stopped progressing.
void set_rolling_update(Json& deployment, const strategy::RollingParameters& params,
                        util::Duration progress_deadline);

// A rolling rollout's one template write: `image` in container `index` and
// set_rolling_update's spec (rolling.cpp writes it, `sluice diff` shows it).
void roll_template_to(Json& deployment, std::size_t index, const std::string& image,
                      const strategy::RollingParameters& params, util::Duration progress_deadline);

// A Service sluice creates beside the target (blue-green preview, canary):
// `selector`, the ports of `target_service` without nodePorts, labelled as sluice's.
Json sluice_service(const std::string& name, const std::string& ns, const std::string& rollout,
                    const Json& selector, const Json& target_service);

// A recorded pod template made fit to write back into a Deployment: without
// the pod-template-hash label a ReplicaSet's copy of it carries.
Json writable_template(Json pod_template);

// `selector` plus {sluice.io/version: version}, or the pod-template-hash pin.
Json selector_with(const Json& selector, const std::string& key, const std::string& value);

// The two Services a Gateway API canary splits an HTTPRoute's traffic between.
struct RouteBackends {
  std::string ns;      // the route's namespace: backendRefs without one are in it
  std::string stable;  // the Service users reach
  std::string canary;  // the canary Service
};

// Sets `stable_weight` on every backendRef to the stable Service and
// `canary_weight` on the canary's beside it (adding it, with the stable
// ref's port, where missing). Rules without the stable Service are left
// alone. Returns how many rules were changed; 0 means the route does not
// send traffic to the stable Service at all.
int set_backend_weights(Json& route, const RouteBackends& backends, int stable_weight, int canary_weight);

// Names of pods among `pods` that run `image` in some container.
std::vector<Json> pods_running(const std::vector<Json>& pods, const std::string& image);

// The pod-template-hash label of the ReplicaSet that is `deployment`'s
// current revision, from the ReplicaSets it owns; "" when not found.
std::string current_template_hash(const Json& deployment, const std::vector<Json>& replicasets);
std::string current_revision(const Json& deployment);

}  // namespace sluice::engine
