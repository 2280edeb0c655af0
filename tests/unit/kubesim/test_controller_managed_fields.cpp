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

  // Pods are left without the controllers' and the kubelet's entries (cost; docs/kubesim.md).
  CHECK(entry(cluster.pods_with("app", "web").at(0), "kubelet", "status").is_null());

  REQUIRE(cluster.wait_for([&] {
    const auto endpoints = cluster.store.get("endpoints", k_ns, "web");
    return endpoints && owns(entry(*endpoints, "kube-controller-manager"), "/f:subsets");
  }));
  const Json slice = cluster.list("endpointslices.discovery.k8s.io").at(0);
  CHECK(owns(entry(slice, "kube-controller-manager"), "/f:addressType"));
}
