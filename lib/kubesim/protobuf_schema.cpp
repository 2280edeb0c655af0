// Field numbers from k8s.io/api core/v1, apps/v1 and k8s.io/apimachinery
// meta/v1 generated.proto, for the kinds kubectl's typed commands send.
#include <kubesim/protobuf_schema.hpp>

#include <map>

namespace kubesim::proto {

namespace {

using K = Kind;

Field msg(int n, const char* name, const char* type, bool repeated = false, bool pointer = false) {
  return {n, name, K::message, type, repeated, pointer};
}
Field str(int n, const char* name, bool repeated = false) {
  return {n, name, K::string, "", repeated, false};
}
Field num(int n, const char* name, bool pointer = false) {
  return {n, name, K::varint, "", false, pointer};
}
Field flag(int n, const char* name, bool pointer = false) {
  return {n, name, K::boolean, "", false, pointer};
}
Field of(int n, const char* name, Kind kind) {
  return {n, name, kind, "", false, false};
}

const std::vector<Message>& messages() {
  static const std::vector<Message> all = {
      {"Unknown",
       {msg(1, "typeMeta", "TypeMeta"), of(2, "raw", K::bytes), str(3, "contentEncoding"),
        str(4, "contentType")}},
      {"TypeMeta", {str(1, "apiVersion"), str(2, "kind")}},
      {"ObjectMeta",
       {str(1, "name"), str(2, "generateName"), str(3, "namespace"), str(4, "selfLink"), str(5, "uid"),
        str(6, "resourceVersion"), num(7, "generation"), of(8, "creationTimestamp", K::time),
        of(9, "deletionTimestamp", K::time), num(10, "deletionGracePeriodSeconds", true),
        of(11, "labels", K::string_map), of(12, "annotations", K::string_map),
        msg(13, "ownerReferences", "OwnerReference", true), str(14, "finalizers", true)}},
      {"OwnerReference",
       {str(1, "kind"), str(3, "name"), str(4, "uid"), str(5, "apiVersion"), flag(6, "controller", true),
        flag(7, "blockOwnerDeletion", true)}},
      {"LabelSelector",
       {of(1, "matchLabels", K::string_map), msg(2, "matchExpressions", "LabelSelectorRequirement", true)}},
      {"LabelSelectorRequirement", {str(1, "key"), str(2, "operator"), str(3, "values", true)}},
      {"Empty", {}},  // a status a client sends empty
      {"Namespace",
       {msg(1, "metadata", "ObjectMeta"), msg(2, "spec", "NamespaceSpec"), msg(3, "status", "Empty")}},
      {"NamespaceSpec", {str(1, "finalizers", true)}},
      {"ConfigMap",
       {msg(1, "metadata", "ObjectMeta"), of(2, "data", K::string_map), of(3, "binaryData", K::bytes_map),
        flag(4, "immutable", true)}},
      {"Secret",
       {msg(1, "metadata", "ObjectMeta"), of(2, "data", K::bytes_map), str(3, "type"),
        of(4, "stringData", K::string_map), flag(5, "immutable", true)}},
      {"ServiceAccount",
       {msg(1, "metadata", "ObjectMeta"), msg(2, "secrets", "ObjectReference", true),
        msg(3, "imagePullSecrets", "LocalObjectReference", true),
        flag(4, "automountServiceAccountToken", true)}},
      // rbac.authorization.k8s.io/v1 (`kubectl create role|rolebinding|clusterrole|clusterrolebinding`).
      {"Role", {msg(1, "metadata", "ObjectMeta"), msg(2, "rules", "PolicyRule", true)}},
      {"ClusterRole",
       {msg(1, "metadata", "ObjectMeta"), msg(2, "rules", "PolicyRule", true),
        msg(3, "aggregationRule", "AggregationRule", false, true)}},
      {"AggregationRule", {msg(1, "clusterRoleSelectors", "LabelSelector", true)}},
      {"PolicyRule",
       {str(1, "verbs", true), str(2, "apiGroups", true), str(3, "resources", true),
        str(4, "resourceNames", true), str(5, "nonResourceURLs", true)}},
      {"RoleBinding",
       {msg(1, "metadata", "ObjectMeta"), msg(2, "subjects", "Subject", true), msg(3, "roleRef", "RoleRef")}},
      {"Subject", {str(1, "kind"), str(2, "apiGroup"), str(3, "name"), str(4, "namespace")}},
      {"RoleRef", {str(1, "apiGroup"), str(2, "kind"), str(3, "name")}},
      // authorization.k8s.io/v1 reviews (`kubectl auth can-i [--list]`).
      {"SelfSubjectAccessReview",
       {msg(1, "metadata", "ObjectMeta"), msg(2, "spec", "SelfSubjectAccessReviewSpec"),
        msg(3, "status", "SubjectAccessReviewStatus")}},
      {"SelfSubjectAccessReviewSpec",
       {msg(1, "resourceAttributes", "ResourceAttributes", false, true),
        msg(2, "nonResourceAttributes", "NonResourceAttributes", false, true)}},
      {"ResourceAttributes",
       {str(1, "namespace"), str(2, "verb"), str(3, "group"), str(4, "version"), str(5, "resource"),
        str(6, "subresource"), str(7, "name")}},
      {"NonResourceAttributes", {str(1, "path"), str(2, "verb")}},
      {"SubjectAccessReviewStatus",
       {flag(1, "allowed"), str(2, "reason"), str(3, "evaluationError"), flag(4, "denied")}},
      {"SelfSubjectRulesReview",
       {msg(1, "metadata", "ObjectMeta"), msg(2, "spec", "SelfSubjectRulesReviewSpec"),
        msg(3, "status", "Empty")}},
      {"SelfSubjectRulesReviewSpec", {str(1, "namespace")}},
      {"SelfSubjectReview", {msg(1, "metadata", "ObjectMeta"), msg(2, "status", "Empty")}},
      {"TokenRequest",  // POST serviceaccounts/NAME/token (`kubectl create token`)
       {msg(1, "metadata", "ObjectMeta"), msg(2, "spec", "TokenRequestSpec"),
        msg(3, "status", "TokenRequestStatus")}},
      {"TokenRequestSpec",
       {str(1, "audiences", true), msg(3, "boundObjectRef", "BoundObjectReference", false, true),
        num(4, "expirationSeconds", true)}},
      {"BoundObjectReference", {str(1, "kind"), str(2, "apiVersion"), str(3, "name"), str(4, "uid")}},
      {"TokenRequestStatus", {str(1, "token"), of(2, "expirationTimestamp", K::time)}},
      {"ObjectReference",
       {str(1, "kind"), str(2, "namespace"), str(3, "name"), str(4, "uid"), str(5, "apiVersion"),
        str(6, "resourceVersion"), str(7, "fieldPath")}},
      {"LocalObjectReference", {str(1, "name")}},
      {"Service",
       {msg(1, "metadata", "ObjectMeta"), msg(2, "spec", "ServiceSpec"), msg(3, "status", "Empty")}},
      {"ServiceSpec",
       {msg(1, "ports", "ServicePort", true), of(2, "selector", K::string_map), str(3, "clusterIP"),
        str(4, "type"), str(5, "externalIPs", true), str(7, "sessionAffinity"), str(8, "loadBalancerIP"),
        str(9, "loadBalancerSourceRanges", true), str(10, "externalName"), str(11, "externalTrafficPolicy"),
        num(12, "healthCheckNodePort"), flag(13, "publishNotReadyAddresses"), str(17, "ipFamilyPolicy"),
        str(18, "clusterIPs", true), str(19, "ipFamilies", true),
        flag(20, "allocateLoadBalancerNodePorts", true), str(21, "loadBalancerClass"),
        str(22, "internalTrafficPolicy")}},
      {"ServicePort",
       {str(1, "name"), str(2, "protocol"), num(3, "port"), of(4, "targetPort", K::int_or_string),
        num(5, "nodePort"), str(6, "appProtocol")}},
      {"Deployment",
       {msg(1, "metadata", "ObjectMeta"), msg(2, "spec", "DeploymentSpec"), msg(3, "status", "Empty")}},
      {"DeploymentSpec",
       {num(1, "replicas", true), msg(2, "selector", "LabelSelector", false, true),
        msg(3, "template", "PodTemplateSpec"), msg(4, "strategy", "DeploymentStrategy"),
        num(5, "minReadySeconds"), num(6, "revisionHistoryLimit", true), flag(7, "paused"),
        num(9, "progressDeadlineSeconds", true)}},
      {"DeploymentStrategy",
       {str(1, "type"), msg(2, "rollingUpdate", "RollingUpdateDeployment", false, true)}},
      {"RollingUpdateDeployment",
       {of(1, "maxUnavailable", K::int_or_string), of(2, "maxSurge", K::int_or_string)}},
      {"PodTemplateSpec", {msg(1, "metadata", "ObjectMeta"), msg(2, "spec", "PodSpec")}},
      {"PodSpec",
       {msg(2, "containers", "Container", true),
        str(3, "restartPolicy"),
        num(4, "terminationGracePeriodSeconds", true),
        num(5, "activeDeadlineSeconds", true),
        str(6, "dnsPolicy"),
        of(7, "nodeSelector", K::string_map),
        str(8, "serviceAccountName"),
        str(9, "serviceAccount"),
        str(10, "nodeName"),
        flag(11, "hostNetwork"),
        flag(12, "hostPID"),
        flag(13, "hostIPC"),
        msg(15, "imagePullSecrets", "LocalObjectReference", true),
        str(16, "hostname"),
        str(17, "subdomain"),
        str(19, "schedulerName"),
        msg(20, "initContainers", "Container", true),
        flag(21, "automountServiceAccountToken", true),
        str(24, "priorityClassName"),
        flag(30, "enableServiceLinks", true)}},
      {"Container",
       {str(1, "name"), str(2, "image"), str(3, "command", true), str(4, "args", true), str(5, "workingDir"),
        msg(6, "ports", "ContainerPort", true), msg(7, "env", "EnvVar", true),
        msg(8, "resources", "ResourceRequirements"), str(13, "terminationMessagePath"),
        str(14, "imagePullPolicy"), flag(16, "stdin"), flag(17, "stdinOnce"), flag(18, "tty"),
        str(20, "terminationMessagePolicy")}},
      {"ContainerPort",
       {str(1, "name"), num(2, "hostPort"), num(3, "containerPort"), str(4, "protocol"), str(5, "hostIP")}},
      {"EnvVar", {str(1, "name"), str(2, "value")}},
      // A DELETE's body (helm uninstall sends it as protobuf).
      {"DeleteOptions",
       {num(1, "gracePeriodSeconds", true), msg(2, "preconditions", "Preconditions", false, true),
        flag(3, "orphanDependents", true), str(4, "propagationPolicy"), str(5, "dryRun", true)}},
      {"Preconditions", {str(1, "uid"), str(2, "resourceVersion")}},
      {"ResourceRequirements", {of(1, "limits", K::quantity_map), of(2, "requests", K::quantity_map)}},
  };
  return all;
}

}  // namespace

const Message* find_message(const std::string& name) {
  for (const auto& m : messages()) {
    if (name == m.name) return &m;
  }
  return nullptr;
}

const Message* find_kind(const std::string& api_version, const std::string& kind) {
  static const std::map<std::pair<std::string, std::string>, std::string> kinds = {
      {{"v1", "Namespace"}, "Namespace"},
      {{"v1", "ConfigMap"}, "ConfigMap"},
      {{"v1", "Secret"}, "Secret"},
      {{"v1", "ServiceAccount"}, "ServiceAccount"},
      {{"authentication.k8s.io/v1", "TokenRequest"}, "TokenRequest"},
      {{"rbac.authorization.k8s.io/v1", "Role"}, "Role"},
      {{"rbac.authorization.k8s.io/v1", "ClusterRole"}, "ClusterRole"},
      {{"rbac.authorization.k8s.io/v1", "RoleBinding"}, "RoleBinding"},
      {{"rbac.authorization.k8s.io/v1", "ClusterRoleBinding"}, "RoleBinding"},
      {{"authorization.k8s.io/v1", "SelfSubjectAccessReview"}, "SelfSubjectAccessReview"},
      {{"authorization.k8s.io/v1", "SelfSubjectRulesReview"}, "SelfSubjectRulesReview"},
      {{"authentication.k8s.io/v1", "SelfSubjectReview"}, "SelfSubjectReview"},
      {{"v1", "Service"}, "Service"},
      {{"apps/v1", "Deployment"}, "Deployment"},
      {{"v1", "DeleteOptions"}, "DeleteOptions"},
      {{"meta.k8s.io/v1", "DeleteOptions"}, "DeleteOptions"}};
  const auto it = kinds.find({api_version, kind});
  return it == kinds.end() ? nullptr : find_message(it->second);
}

}  // namespace kubesim::proto
