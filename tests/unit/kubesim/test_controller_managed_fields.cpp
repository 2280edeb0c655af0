// The simulated control plane writes through ownership as the real one does,
// so its writes show in managedFields: kube-controller-manager (the
// Deployment, ReplicaSet, endpoints and EndpointSlice controllers) with
// operation Update, its status writes with subresource status. Upstream: apimachinery
// pkg/util/managedfields/internal/fieldmanager.go (every write through the
// API is recorded), the managers' user agents (kube-controller-manager,
// kubelet), and real `kubectl get -o yaml --show-managed-fields` output (a
// Deployment's status entry: manager kube-controller-manager, operation
// Update, subresource status).
#include "test_controller_harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

using namespace kubesim_test;
using kubesim::string_at;

namespace {

// The managedFields entry of (manager, subresource), or null.
Json entry(const Json& object, const std::string& manager, const std::string& subresource = "") {
  for (const Json& e : object["metadata"].value("managedFields", Json::array())) {
    if (e["manager"] == manager && e.value("subresource", "") == subresource) return e;
  }
  return nullptr;
}

bool owns(const Json& e, const std::string& pointer) {
  return e.is_object() && e["fieldsV1"].contains(Json::json_pointer(pointer));
}

// A Deployment whose pods have a port and an env var, to see their keys.
Json deployment_with_env() {
  Json d = deployment("web", "web:1", 2);
  d["spec"]["template"]["spec"]["containers"][0]["env"] = {{{"name", "MODE"}, {"value", "prod"}}};
  return d;
}

}  // namespace

TEST_CASE("the controllers' writes appear in managedFields", "[kubesim][managed]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 2)));
  REQUIRE(cluster.store.create("services", service("web", "web")));
  REQUIRE(cluster.wait_for([&] {
    const Json d = cluster.get("deployments.apps", "web");
    return d.value("status", Json::object()).value("availableReplicas", 0) == 2;
  }));

  const Json status = entry(cluster.get("deployments.apps", "web"), "kube-controller-manager", "status");
  REQUIRE(status.is_object());
  CHECK(status["operation"] == "Update");
  CHECK(status["apiVersion"] == "apps/v1");
  CHECK(status["fieldsType"] == "FieldsV1");
  CHECK(owns(status, "/f:status/f:availableReplicas"));
  CHECK(owns(status, "/f:status/f:conditions/k:{\"type\":\"Available\"}/f:status"));
  CHECK_FALSE(owns(status, "/f:spec"));

  const Json rs = cluster.list("replicasets.apps").at(0);
  const Json rs_spec = entry(rs, "kube-controller-manager");
  REQUIRE(rs_spec.is_object());
  CHECK(rs_spec["operation"] == "Update");
  CHECK(owns(rs_spec, "/f:spec/f:replicas"));
  CHECK(owns(rs_spec, "/f:spec/f:template/f:spec/f:containers/k:{\"name\":\"app\"}/f:image"));
  CHECK(owns(entry(rs, "kube-controller-manager", "status"), "/f:status/f:readyReplicas"));

  REQUIRE(cluster.wait_for([&] {
    const auto endpoints = cluster.store.get("endpoints", k_ns, "web");
    return endpoints && owns(entry(*endpoints, "kube-controller-manager"), "/f:subsets");
  }));
  const Json slice = cluster.list("endpointslices.discovery.k8s.io").at(0);
  CHECK(owns(entry(slice, "kube-controller-manager"), "/f:addressType"));
}

// A real pod made by a ReplicaSet (`kubectl get pod -o yaml --show-managed-fields`):
// kube-controller-manager's Update entry holds what the ReplicaSet controller
// set, keyed as structured-merge-diff keys the pod's lists (containers and env
// by name, ports by containerPort and protocol, the atomic ownerReferences by
// uid); nodeName (the binding's) and status are not in it.
TEST_CASE("a ReplicaSet's pods carry kube-controller-manager's entry for what it set", "[kubesim][managed]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment_with_env()));
  REQUIRE(cluster.wait_for([&] { return cluster.pods_with("app", "web").size() == 2; }));
  const Json pod = cluster.pods_with("app", "web").at(0);
  const std::string rs_uid = pod["metadata"]["ownerReferences"][0]["uid"];

  const Json created = entry(pod, "kube-controller-manager");
  REQUIRE(created.is_object());
  CHECK(created["operation"] == "Update");
  CHECK(created["apiVersion"] == "v1");
  CHECK(created["fieldsType"] == "FieldsV1");
  CHECK_FALSE(created.contains("subresource"));
  CHECK(owns(created, "/f:metadata/f:generateName"));
  CHECK(owns(created, "/f:metadata/f:labels/f:app"));
  CHECK(created["fieldsV1"]["f:metadata"]["f:ownerReferences"] ==
        Json{{"k:{\"uid\":\"" + rs_uid + "\"}", Json::object()}});
  const std::string web = "/f:spec/f:containers/k:{\"name\":\"app\"}";
  for (const char* field : {"/f:image", "/f:name", "/f:imagePullPolicy", "/f:terminationMessagePath",
                            "/f:terminationMessagePolicy", "/f:env/k:{\"name\":\"MODE\"}/f:value",
                            "/f:ports/k:{\"containerPort\":8080,\"protocol\":\"TCP\"}/f:containerPort",
                            "/f:ports/k:{\"containerPort\":8080,\"protocol\":\"TCP\"}/f:protocol",
                            "/f:ports/k:{\"containerPort\":8080,\"protocol\":\"TCP\"}/f:name"}) {
    CHECK(owns(created, web + field));
  }
  for (const char* field : {"dnsPolicy", "restartPolicy", "schedulerName", "securityContext",
                            "terminationGracePeriodSeconds", "enableServiceLinks"}) {
    CHECK(owns(created, std::string("/f:spec/f:") + field));
  }
  CHECK_FALSE(owns(created, "/f:spec/f:nodeName"));
  CHECK_FALSE(owns(created, "/f:metadata/f:name"));
  CHECK_FALSE(owns(created, "/f:status"));
}

// The kubelet writes status through /status as `kubelet` (operation Update,
// subresource status) and comes to own what it changed: the conditions it
// sets (PodScheduled is the binding's), containerStatuses (atomic), the host
// and pod IPs (podIPs keyed by ip), startTime and the phase; qosClass was set
// at creation. Its writes leave kube-controller-manager's entry as the
// create wrote it, and the binding adds no entry of its own.
TEST_CASE("the kubelet's status writes own the status and leave the controller's entry untouched",
          "[kubesim][managed]") {
  Cluster cluster;
  std::map<std::string, Json> created;  // pod name -> its managedFields when created
  auto observation = cluster.observe([&](const kubesim::WatchEvent& event) {
    if (event.resource == "pods" && event.type == "ADDED")
      created[event.object["metadata"]["name"]] = event.object["metadata"].value("managedFields", Json());
  });
  REQUIRE(cluster.store.create("deployments.apps", deployment_with_env()));
  REQUIRE(cluster.wait_for([&] {
    const auto pods = cluster.pods_with("app", "web");
    return pods.size() == 2 && std::all_of(pods.begin(), pods.end(), pod_is_ready);
  }));

  for (const Json& pod : cluster.pods_with("app", "web")) {
    const Json managers = pod["metadata"].value("managedFields", Json::array());
    REQUIRE(managers.size() == 2);
    CHECK(managers[0] == created.at(pod["metadata"]["name"]).at(0));

    const Json status = entry(pod, "kubelet", "status");
    REQUIRE(status.is_object());
    CHECK(status["operation"] == "Update");
    CHECK(status["apiVersion"] == "v1");
    for (const char* type : {"Initialized", "Ready", "ContainersReady"}) {
      const std::string at = std::string("/f:status/f:conditions/k:{\"type\":\"") + type + "\"}";
      for (const char* field : {"/f:type", "/f:status", "/f:lastProbeTime", "/f:lastTransitionTime"})
        CHECK(owns(status, at + field));
    }
    CHECK_FALSE(owns(status, "/f:status/f:conditions/k:{\"type\":\"PodScheduled\"}"));
    CHECK(status["fieldsV1"]["f:status"]["f:containerStatuses"] == Json::object());
    CHECK(status["fieldsV1"]["f:status"]["f:hostIPs"] == Json::object());
    for (const char* field : {"hostIP", "phase", "podIP", "startTime"})
      CHECK(owns(status, std::string("/f:status/f:") + field));
    const std::string ip = pod["status"]["podIP"];
    CHECK(owns(status, "/f:status/f:podIPs/k:{\"ip\":\"" + ip + "\"}/f:ip"));
    CHECK_FALSE(owns(status, "/f:status/f:qosClass"));
    CHECK_FALSE(owns(status, "/f:spec"));
  }
}
