// The table of resource types kubesim serves; discovery, routing and the store
// all read it, so adding a kind here is all it takes to serve it generically.
#include <kubesim/store.hpp>

namespace kubesim {

namespace {

ResourceType make(std::string group, std::string version, std::string kind, std::string plural,
                  bool namespaced, std::vector<std::string> short_names, bool has_status, bool has_scale,
                  bool in_all) {
  ResourceType type;
  type.group = std::move(group);
  type.version = std::move(version);
  type.kind = std::move(kind);
  type.plural = std::move(plural);
  type.namespaced = namespaced;
  type.short_names = std::move(short_names);
  type.has_status = has_status;
  type.has_scale = has_scale;
  type.in_all = in_all;
  return type;
}

// Per kind, as the apiserver's registry strategies say (pkg/registry/<group>/<kind>/strategy.go):
// Services, Endpoints, Events and Leases may be created by PUT; a Lease may
// not be updated without a resourceVersion; generation is set by the
// workload, Ingress and custom-resource strategies only (Pods, ConfigMaps,
// Services... have none).
void set_update_policy(std::vector<ResourceType>& table) {
  for (auto& type : table) {
    type.create_on_update =
        type.kind == "Service" || type.kind == "Endpoints" || type.kind == "Event" || type.kind == "Lease";
    type.unconditional_update = type.kind != "Lease";
    type.has_generation = type.kind == "Deployment" || type.kind == "ReplicaSet" || type.kind == "Ingress" ||
                          type.kind == "HTTPRoute";
  }
}

std::vector<ResourceType> build_table() {
  std::vector<ResourceType> table = {
      make("", "v1", "Namespace", "namespaces", false, {"ns"}, true, false, false),
      make("", "v1", "Pod", "pods", true, {"po"}, true, false, true),
      make("", "v1", "Service", "services", true, {"svc"}, true, false, true),
      make("", "v1", "Endpoints", "endpoints", true, {"ep"}, false, false, false),
      make("", "v1", "ConfigMap", "configmaps", true, {"cm"}, false, false, false),
      make("", "v1", "Secret", "secrets", true, {}, false, false, false),
      make("", "v1", "Event", "events", true, {"ev"}, false, false, false),
      // The same Events in their newer version (events_api.cpp converts; nothing is stored under it).
      make("events.k8s.io", "v1", "Event", "events", true, {"ev"}, false, false, false),
      make("apps", "v1", "Deployment", "deployments", true, {"deploy"}, true, true, true),
      make("apps", "v1", "ReplicaSet", "replicasets", true, {"rs"}, true, true, true),
      make("coordination.k8s.io", "v1", "Lease", "leases", true, {}, false, false, false),
      make("networking.k8s.io", "v1", "Ingress", "ingresses", true, {"ing"}, true, false, false),
      make("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes", true, {}, true, false, false),
      // Kinds every real cluster serves, stored and listed generically.
      make("", "v1", "Node", "nodes", false, {"no"}, true, false, false),
      make("", "v1", "ServiceAccount", "serviceaccounts", true, {"sa"}, false, false, false),
      make("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, {}, false, false, false),
      make("rbac.authorization.k8s.io", "v1", "Role", "roles", true, {}, false, false, false),
      make("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, {}, false, false, false),
      make("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, {}, false, false, false),
      make("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, {}, false,
           false, false),
      make("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, {"hpa"}, true,
           false, true),
      make("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, {"pdb"}, true, false, false),
      make("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false,
           {"crd", "crds"}, true, false, false),
      // Create-only reviews (reviews.cpp), never stored.
      make("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false, {},
           false, false, false),
      make("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", false, {}, false, false,
           false),
      make("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false, {},
           false, false, false),
      make("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", false, {}, false,
           false, false),
  };
  set_update_policy(table);
  return table;
}

}  // namespace

const std::vector<ResourceType>& resource_types() {
  static const std::vector<ResourceType> table = build_table();
  return table;
}

const ResourceType* find_resource_type(const std::string& key) {
  for (const auto& type : resource_types()) {
    if (type.key() == key) return &type;
  }
  return nullptr;
}

const ResourceType* find_resource_type(const std::string& group, const std::string& plural) {
  for (const auto& type : resource_types()) {
    if (type.group == group && type.plural == plural) return &type;
  }
  return nullptr;
}

}  // namespace kubesim
