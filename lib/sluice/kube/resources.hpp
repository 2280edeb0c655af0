// Which Kubernetes resource a request is about, and the kinds sluice uses.
// New kinds need only a new ResourceRef: every verb goes through the generic path.
#pragma once

#include <string>

namespace sluice::kube {

struct ResourceRef {
  std::string group;    // "" for the core group
  std::string version;  // "v1"
  std::string plural;   // "deployments"
  bool namespaced = true;
  std::string kind;  // "Deployment" (for messages and apply bodies)

  // "apps/v1" or "v1".
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  // "deployments.apps" or "pods": the name kubectl uses and kubesim keys by.
  std::string key() const { return group.empty() ? plural : plural + "." + group; }
  // "/apis/apps/v1/namespaces/ns/deployments/name[/sub]"; `ns` ignored for
  // cluster-scoped kinds and when empty (all namespaces); `name` may be empty.
  std::string path(const std::string& ns, const std::string& name = "",
                   const std::string& subresource = "") const;
};

inline const ResourceRef k_deployments{"apps", "v1", "deployments", true, "Deployment"};
inline const ResourceRef k_replicasets{"apps", "v1", "replicasets", true, "ReplicaSet"};
inline const ResourceRef k_pods{"", "v1", "pods", true, "Pod"};
inline const ResourceRef k_services{"", "v1", "services", true, "Service"};
inline const ResourceRef k_endpoints{"", "v1", "endpoints", true, "Endpoints"};
inline const ResourceRef k_configmaps{"", "v1", "configmaps", true, "ConfigMap"};
inline const ResourceRef k_namespaces{"", "v1", "namespaces", false, "Namespace"};
inline const ResourceRef k_leases{"coordination.k8s.io", "v1", "leases", true, "Lease"};
inline const ResourceRef k_events{"", "v1", "events", true, "Event"};
inline const ResourceRef k_secrets{"", "v1", "secrets", true, "Secret"};  // read only: check credentials
inline const ResourceRef k_httproutes{"gateway.networking.k8s.io", "v1", "httproutes", true, "HTTPRoute"};
inline const ResourceRef k_ingresses{"networking.k8s.io", "v1", "ingresses", true, "Ingress"};
inline const ResourceRef k_selfsubjectreviews{"authentication.k8s.io", "v1", "selfsubjectreviews", false,
                                              "SelfSubjectReview"};
inline const ResourceRef k_selfsubjectaccessreviews{"authorization.k8s.io", "v1", "selfsubjectaccessreviews",
                                                    false, "SelfSubjectAccessReview"};

}  // namespace sluice::kube
