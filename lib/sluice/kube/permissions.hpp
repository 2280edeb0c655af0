// What sluice calls in a target namespace, as RBAC rules. One list serves
// deploy/rbac.yaml (a unit test holds the two equal), `sluice doctor`'s
// access reviews and `sluice doctor --print-role`.
#pragma once

#include <sluice/kube/client.hpp>
#include <sluice/util/result.hpp>

#include <string>
#include <vector>

namespace sluice::kube {

struct PermissionRule {
  std::string group;     // "" for the core group
  std::string resource;  // "deployments", or "deployments/scale" for a subresource
  std::vector<std::string> verbs;
  std::string why;  // a comment in the printed Role
};

// What a plan uses beyond every rollout's needs.
struct PermissionNeeds {
  bool gateway_route = false;  // a canary shifting traffic through an HTTPRoute
  bool secret_refs = false;    // a check credential read from a Secret (secretKeyRef)
};

// The rules for a plan with `needs`, in the order they are printed.
std::vector<PermissionRule> required_rules(const PermissionNeeds& needs);

// A ServiceAccount `sluice`, a Role `sluice` with `rules` and their
// RoleBinding, in namespace `ns`: YAML for `kubectl apply -f -`.
std::string role_manifest(const std::vector<PermissionRule>& rules, const std::string& ns);

// Asks the server, one SelfSubjectAccessReview per verb, whether the caller
// may do each of `rules` in `ns`. Returns the ones refused, as
// "create leases.coordination.k8s.io"; an error when a review fails.
util::Result<std::vector<std::string>> denied_permissions(Client& client, const std::string& ns,
                                                          const std::vector<PermissionRule>& rules);

}  // namespace sluice::kube
