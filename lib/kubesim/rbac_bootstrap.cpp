// The default ClusterRoles and ClusterRoleBindings every cluster starts with
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go). admin, edit
// and view are stored with their aggregated rules already filled in, as the
// clusterrole-aggregation controller leaves them, limited to the kinds kubesim serves.
#include <kubesim/patch.hpp>
#include <kubesim/rbac.hpp>

namespace kubesim {

namespace {

const char* const k_read = "[get, list, watch]";
const char* const k_write = "[create, delete, deletecollection, patch, update]";

std::string rule(const std::string& group, const std::string& resources, const std::string& verbs) {
  return "  - {apiGroups: [\"" + group + "\"], resources: [" + resources + "], verbs: " + verbs + "}\n";
}

std::string view_rules() {
  return rule("",
              "pods, pods/status, pods/log, services, services/status, endpoints, configmaps, "
              "serviceaccounts, events, persistentvolumeclaims, replicationcontrollers, limitranges, "
              "resourcequotas, bindings, namespaces, namespaces/status",
              k_read) +
         rule("discovery.k8s.io", "endpointslices", k_read) +
         rule("apps",
              "deployments, deployments/scale, deployments/status, replicasets, replicasets/scale, "
              "replicasets/status, statefulsets, statefulsets/scale, statefulsets/status, daemonsets, "
              "daemonsets/status, controllerrevisions",
              k_read) +
         rule("autoscaling", "horizontalpodautoscalers, horizontalpodautoscalers/status", k_read) +
         rule("policy", "poddisruptionbudgets, poddisruptionbudgets/status", k_read) +
         rule("networking.k8s.io", "ingresses, ingresses/status, networkpolicies", k_read);
}

// Since 1.22 (CVE-2021-25740) edit may not write Endpoints or EndpointSlices.
std::string edit_rules() {
  return rule("", "pods/attach, pods/exec, pods/portforward, pods/proxy, secrets, services/proxy", k_read) +
         rule("", "serviceaccounts", "[impersonate]") +
         rule("", "pods, pods/attach, pods/exec, pods/portforward, pods/proxy", k_write) +
         rule("", "pods/eviction, serviceaccounts/token", "[create]") +
         rule("",
              "configmaps, events, persistentvolumeclaims, replicationcontrollers, secrets, "
              "serviceaccounts, services, services/proxy",
              k_write) +
         rule("apps",
              "deployments, deployments/rollback, deployments/scale, replicasets, replicasets/scale, "
              "statefulsets, statefulsets/scale, daemonsets",
              k_write) +
         rule("autoscaling", "horizontalpodautoscalers", k_write) +
         rule("policy", "poddisruptionbudgets", k_write) +
         rule("networking.k8s.io", "ingresses, networkpolicies", k_write) + view_rules();
}

std::string admin_rules() {
  return rule("authorization.k8s.io", "localsubjectaccessreviews", "[create]") +
         rule("rbac.authorization.k8s.io", "roles, rolebindings",
              "[create, delete, deletecollection, get, list, patch, update, watch]") +
         edit_rules();
}

std::string cluster_role(const std::string& name, const std::string& rules) {
  return "- metadata: {name: \"" + name +
         "\", labels: {kubernetes.io/bootstrapping: rbac-defaults}, annotations: "
         "{rbac.authorization.kubernetes.io/autoupdate: \"true\"}}\n  rules:\n" +
         rules;
}

std::string urls(const std::string& list) {
  return "  - {nonResourceURLs: [" + list + "], verbs: [get]}\n";
}

std::string cluster_roles() {
  const std::string info = "/healthz, /livez, /readyz, /version, /version/";
  return cluster_role("cluster-admin",
                      "  - {apiGroups: [\"*\"], resources: [\"*\"], verbs: [\"*\"]}\n"
                      "  - {nonResourceURLs: [\"*\"], verbs: [\"*\"]}\n") +
         cluster_role("admin", admin_rules()) + cluster_role("edit", edit_rules()) +
         cluster_role("view", view_rules()) +
         cluster_role("system:discovery",
                      urls("/api, /api/*, /apis, /apis/*, /openapi, /openapi/*, " + info)) +
         cluster_role("system:public-info-viewer", urls(info)) +
         cluster_role(
             "system:basic-user",
             rule("authorization.k8s.io", "selfsubjectaccessreviews, selfsubjectrulesreviews", "[create]") +
                 rule("authentication.k8s.io", "selfsubjectreviews", "[create]"));
}

std::string binding(const std::string& name, const std::string& groups) {
  std::string subjects;
  std::size_t start = 0;
  for (;;) {
    const auto comma = groups.find(',', start);
    subjects += "{kind: Group, apiGroup: rbac.authorization.k8s.io, name: \"" +
                groups.substr(start, comma - start) + "\"}";
    if (comma == std::string::npos) break;
    subjects += ", ";
    start = comma + 1;
  }
  return "- metadata: {name: \"" + name +
         "\", labels: {kubernetes.io/bootstrapping: rbac-defaults}, annotations: "
         "{rbac.authorization.kubernetes.io/autoupdate: \"true\"}}\n"
         "  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: \"" +
         name + "\"}\n  subjects: [" + subjects + "]\n";
}

std::string cluster_role_bindings() {
  return binding("cluster-admin", "system:masters") + binding("system:discovery", "system:authenticated") +
         binding("system:basic-user", "system:authenticated") +
         binding("system:public-info-viewer", "system:authenticated,system:unauthenticated");
}

void create_all(Store& store, const std::string& key, const std::string& kind, const std::string& yaml) {
  auto objects = parse_json_or_yaml(yaml);
  if (!objects.ok()) throw std::logic_error("bootstrap RBAC: " + objects.error().message);
  for (Json object : *objects) {
    object["apiVersion"] = "rbac.authorization.k8s.io/v1";
    object["kind"] = kind;
    (void)store.create(key, std::move(object));
  }
}

}  // namespace

void create_bootstrap_rbac(Store& store) {
  create_all(store, "clusterroles.rbac.authorization.k8s.io", "ClusterRole", cluster_roles());
  create_all(store, "clusterrolebindings.rbac.authorization.k8s.io", "ClusterRoleBinding",
             cluster_role_bindings());
}

}  // namespace kubesim
