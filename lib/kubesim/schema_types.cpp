// The field schema of the kinds kubesim serves, written from the Go types in
// k8s.io/api (core/v1, apps/v1, coordination/v1) and apimachinery's
// ObjectMeta. Leaf codes: s string, b bool, i32/i64 integers, n number,
// q quantity, io int-or-string, m map[string]string, any (not checked);
// "#Name" refers to another definition; [x] is a list of x; {"*": x} a map of x.
#include <kubesim/schema.hpp>

namespace kubesim {

namespace {

const char* const k_definitions = R"({
  "ObjectMeta": {"name": "s", "generateName": "s", "namespace": "s", "selfLink": "s", "uid": "s",
    "resourceVersion": "s", "generation": "i64", "creationTimestamp": "s", "deletionTimestamp": "s",
    "deletionGracePeriodSeconds": "i64", "labels": "m", "annotations": "m",
    "ownerReferences": ["#OwnerReference"], "finalizers": ["s"], "managedFields": ["any"]},
  "OwnerReference": {"apiVersion": "s", "kind": "s", "name": "s", "uid": "s", "controller": "b",
    "blockOwnerDeletion": "b"},
  "LabelSelector": {"matchLabels": "m", "matchExpressions": ["#LabelSelectorRequirement"]},
  "LabelSelectorRequirement": {"key": "s", "operator": "s", "values": ["s"]},
  "PodTemplateSpec": {"metadata": "#ObjectMeta", "spec": "#PodSpec"},
  "PodSpec": {"volumes": ["any"], "initContainers": ["#Container"], "containers": ["#Container"],
    "ephemeralContainers": ["any"], "restartPolicy": "s", "terminationGracePeriodSeconds": "i64",
    "activeDeadlineSeconds": "i64", "dnsPolicy": "s", "nodeSelector": "m", "serviceAccountName": "s",
    "serviceAccount": "s", "automountServiceAccountToken": "b", "nodeName": "s", "hostNetwork": "b",
    "hostPID": "b", "hostIPC": "b", "shareProcessNamespace": "b", "securityContext": "any",
    "imagePullSecrets": ["#LocalObjectReference"], "hostname": "s", "subdomain": "s", "affinity": "any",
    "schedulerName": "s", "tolerations": ["any"], "hostAliases": ["any"], "priorityClassName": "s",
    "priority": "i32", "dnsConfig": "any", "readinessGates": ["any"], "runtimeClassName": "s",
    "enableServiceLinks": "b", "preemptionPolicy": "s", "overhead": {"*": "q"},
    "topologySpreadConstraints": ["any"], "setHostnameAsFQDN": "b", "os": "any", "hostUsers": "b",
    "schedulingGates": ["any"], "resourceClaims": ["any"], "resources": "#ResourceRequirements"},
  "LocalObjectReference": {"name": "s"},
  "Container": {"name": "s", "image": "s", "command": ["s"], "args": ["s"], "workingDir": "s",
    "ports": ["#ContainerPort"], "envFrom": ["any"], "env": ["#EnvVar"],
    "resources": "#ResourceRequirements", "resizePolicy": ["any"], "restartPolicy": "s",
    "volumeMounts": ["any"], "volumeDevices": ["any"], "livenessProbe": "any", "readinessProbe": "any",
    "startupProbe": "any", "lifecycle": "any", "terminationMessagePath": "s",
    "terminationMessagePolicy": "s", "imagePullPolicy": "s", "securityContext": "any", "stdin": "b",
    "stdinOnce": "b", "tty": "b"},
  "ContainerPort": {"name": "s", "hostPort": "i32", "containerPort": "i32", "protocol": "s", "hostIP": "s"},
  "EnvVar": {"name": "s", "value": "s", "valueFrom": "any"},
  "ResourceRequirements": {"limits": {"*": "q"}, "requests": {"*": "q"}, "claims": ["any"]},
  "DeploymentSpec": {"replicas": "i32", "selector": "#LabelSelector", "template": "#PodTemplateSpec",
    "strategy": "#DeploymentStrategy", "minReadySeconds": "i32", "revisionHistoryLimit": "i32",
    "paused": "b", "progressDeadlineSeconds": "i32"},
  "DeploymentStrategy": {"type": "s", "rollingUpdate": "#RollingUpdateDeployment"},
  "RollingUpdateDeployment": {"maxUnavailable": "io", "maxSurge": "io"},
  "ReplicaSetSpec": {"replicas": "i32", "minReadySeconds": "i32", "selector": "#LabelSelector",
    "template": "#PodTemplateSpec"},
  "ServiceSpec": {"ports": ["#ServicePort"], "selector": "m", "clusterIP": "s", "clusterIPs": ["s"],
    "type": "s", "externalIPs": ["s"], "sessionAffinity": "s", "loadBalancerIP": "s",
    "loadBalancerSourceRanges": ["s"], "externalName": "s", "externalTrafficPolicy": "s",
    "healthCheckNodePort": "i32", "publishNotReadyAddresses": "b", "sessionAffinityConfig": "any",
    "ipFamilies": ["s"], "ipFamilyPolicy": "s", "allocateLoadBalancerNodePorts": "b",
    "loadBalancerClass": "s", "internalTrafficPolicy": "s", "trafficDistribution": "s"},
  "ServicePort": {"name": "s", "protocol": "s", "appProtocol": "s", "port": "i32", "targetPort": "io",
    "nodePort": "i32"},
  "NamespaceSpec": {"finalizers": ["s"]},
  "LeaseSpec": {"holderIdentity": "s", "leaseDurationSeconds": "i32", "acquireTime": "s",
    "renewTime": "s", "leaseTransitions": "i32", "strategy": "s", "preferredHolder": "s"},
  "Deployment": {"spec": "#DeploymentSpec", "status": "any"},
  "ReplicaSet": {"spec": "#ReplicaSetSpec", "status": "any"},
  "Pod": {"spec": "#PodSpec", "status": "any"},
  "Service": {"spec": "#ServiceSpec", "status": "any"},
  "Namespace": {"spec": "#NamespaceSpec", "status": "any"},
  "ConfigMap": {"data": "m", "binaryData": "m", "immutable": "b"},
  "Secret": {"data": "m", "stringData": "m", "type": "s", "immutable": "b"},
  "Endpoints": {"subsets": ["any"]},
  "Lease": {"spec": "#LeaseSpec"},
  "Event": {"involvedObject": "any", "reason": "s", "message": "s", "source": "any",
    "firstTimestamp": "s", "lastTimestamp": "s", "count": "i32", "type": "s", "eventTime": "s",
    "series": "any", "action": "s", "related": "any", "reportingComponent": "s",
    "reportingInstance": "s"},
  "Ingress": {"spec": "any", "status": "any"},
  "HTTPRoute": {"spec": "any", "status": "any"}
})";

}  // namespace

const Json& schema_definitions() {
  static const Json definitions = [] {
    Json defs = Json::parse(k_definitions);
    for (const char* kind : {"Deployment", "ReplicaSet", "Pod", "Service", "Namespace", "ConfigMap", "Secret",
                             "Endpoints", "Lease", "Event", "Ingress", "HTTPRoute"}) {
      Json& def = defs[kind];
      def["apiVersion"] = "s";
      def["kind"] = "s";
      def["metadata"] = "#ObjectMeta";
    }
    return defs;
  }();
  return definitions;
}

}  // namespace kubesim
