// The EndpointSlice controller's slices (pkg/controller/endpointslice):
// labels, owner, endpoint conditions, ports, placeholder and cleanup.
#include "test_controller_harness.hpp"

#include <kubesim/endpoints_controller.hpp>

#include <catch2/catch.hpp>

using namespace kubesim_test;
using kubesim::string_at;

namespace {

std::vector<Json> slices_of(Cluster& cluster, const std::string& service) {
  std::vector<Json> out;
  for (Json& slice : cluster.list("endpointslices.discovery.k8s.io")) {
    if (slice["metadata"]["labels"].value("kubernetes.io/service-name", "") == service) out.push_back(slice);
  }
  return out;
}

std::size_t endpoints_with(const std::vector<Json>& slices, const char* condition, bool value) {
  std::size_t n = 0;
  for (const Json& slice : slices) {
    for (const Json& e : slice.value("endpoints", Json::array()))
      n += e["conditions"][condition] == value ? 1 : 0;
  }
  return n;
}

}  // namespace

TEST_CASE("a Service's EndpointSlice lists its pods with their conditions", "[endpoints]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("services", service("front", "web")));
  REQUIRE(cluster.wait_for([&] { return slices_of(cluster, "front").size() == 1; }));
  Json placeholder = slices_of(cluster, "front")[0];
  CHECK(placeholder["endpoints"] == Json::array());
  CHECK(placeholder["ports"].is_null());

  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 3)));
  REQUIRE(cluster.wait_for([&] { return endpoints_with(slices_of(cluster, "front"), "ready", true) == 3; }));
  std::vector<Json> slices = slices_of(cluster, "front");
  REQUIRE(slices.size() == 1);
  const Json& slice = slices[0];
  const Json service = cluster.get("services", "front");
  CHECK(slice["addressType"] == "IPv4");
  CHECK(string_at(slice, "/metadata/name").rfind("front-", 0) == 0);
  CHECK(slice["metadata"]["labels"] ==
        Json{{"team", "a"},
             {"kubernetes.io/service-name", "front"},
             {"endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"}});
  CHECK(slice["metadata"]["ownerReferences"][0]["kind"] == "Service");
  CHECK(slice["metadata"]["ownerReferences"][0]["uid"] == service["metadata"]["uid"]);
  CHECK(slice["ports"] == Json::parse(R"([{"name": "web", "port": 8080, "protocol": "TCP"}])"));
  const Json& endpoint = slice["endpoints"][0];
  const Json pod = cluster.get("pods", endpoint["targetRef"]["name"]);
  CHECK(endpoint["addresses"] == Json::array({pod["status"]["podIP"]}));
  CHECK(endpoint["nodeName"] == "kubesim-node-1");
  CHECK(endpoint["conditions"] == Json{{"ready", true}, {"serving", true}, {"terminating", false}});

  SECTION("a terminating pod stays listed, not ready, until it is gone") {
    std::string doomed = endpoint["targetRef"]["name"];
    cluster.config.set_timing({1, 2000, 20});
    REQUIRE(cluster.store.mark_deleted("pods", k_ns, doomed, 30));
    REQUIRE(cluster.wait_for(
        [&] { return endpoints_with(slices_of(cluster, "front"), "terminating", true) == 1; }));
    const Json now = slices_of(cluster, "front").at(0);
    for (const Json& e : now["endpoints"]) {
      if (e["targetRef"]["name"] != doomed) continue;
      CHECK(e["conditions"] == Json{{"ready", false}, {"serving", true}, {"terminating", true}});
    }
  }
  SECTION("the slices go with their Service") {
    REQUIRE(cluster.store.remove("services", k_ns, "front"));
    REQUIRE(cluster.wait_for([&] { return slices_of(cluster, "front").empty(); }));
  }
}
