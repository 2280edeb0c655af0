// The simulated ReplicaSet controller, following kubernetes
// pkg/controller/replicaset: it creates pods from the template (named
// "<rs>-<5 chars>", owned by the ReplicaSet) or deletes the least useful ones
// first, and reports replicas, fullyLabeled, ready and available counts.
#pragma once

#include <kubesim/controller_context.hpp>
#include <kubesim/pod_managed_fields.hpp>

#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace kubesim {

class ReplicaSetController {
 public:
  explicit ReplicaSetController(ControllerContext& ctx);
  sluice::util::Status sync(const std::string& ns, const std::string& name);

 private:
  Json pod_from_template(const Json& rs) const;
  sluice::util::Status create_pods(const Json& rs, int count);
  sluice::util::Status delete_pods(const Json& rs, std::vector<ObjectPtr> pods, int count);
  // Also says when the next pod turns available (minReadySeconds).
  Json calculate_status(const Json& rs, const std::vector<ObjectPtr>& pods,
                        std::optional<sluice::util::Duration>& recheck) const;
  std::string pod_name(const std::string& rs_name);

  ControllerContext& ctx_;
  std::mutex rng_mutex_;
  std::mt19937 rng_;
  PodTemplateFields template_fields_;
};

// getPodsToDelete's order: true when `a` should go before `b`.
bool delete_before(const Json& a, const Json& b);

}  // namespace kubesim
