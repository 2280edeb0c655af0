// The Endpoints controller and garbage collection.
#include "test_controller_harness.hpp"

#include <kubesim/endpoints_controller.hpp>

#include <catch2/catch.hpp>

using namespace kubesim_test;

namespace {

std::size_t count(const Json& endpoints, const char* field) {
  std::size_t n = 0;
  if (!endpoints.is_object()) return 0;
  for (const Json& subset : endpoints.value("subsets", Json::array()))
    n += subset.value(field, Json::array()).size();
  return n;
}

}  // namespace

TEST_CASE("Endpoints follow the ready pods behind a Service", "[endpoints]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("services", service("front", "web")));
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 3)));
  REQUIRE(cluster.wait_for([&] { return count(cluster.get("endpoints", "front"), "addresses") == 3; }));

  Json endpoints = cluster.get("endpoints", "front");
  CHECK(endpoints["metadata"]["labels"]["team"] == "a");
  const Json& subset = endpoints["subsets"][0];
  CHECK(subset["ports"] == Json::parse(R"([{"name": "web", "port": 8080, "protocol": "TCP"}])"));
  const Json& address = subset["addresses"][0];
  CHECK(address["targetRef"]["kind"] == "Pod");
  CHECK(address["nodeName"] == "kubesim-node-1");
  Json pod = cluster.get("pods", address["targetRef"]["name"]);
  CHECK(address["ip"] == pod["status"]["podIP"]);

  std::string flipped = address["targetRef"]["name"];
  REQUIRE(cluster.controllers.set_pod_ready(k_ns, flipped, false).ok());
  REQUIRE(cluster.wait_for([&] {
    Json current = cluster.get("endpoints", "front");
    return count(current, "addresses") == 2 && count(current, "notReadyAddresses") == 1;
  }));
  CHECK(cluster.get("endpoints", "front")["subsets"][0]["notReadyAddresses"][0]["targetRef"]["name"] ==
        flipped);
  REQUIRE(cluster.controllers.set_pod_ready(k_ns, flipped, true).ok());
  REQUIRE(cluster.wait_for([&] {
    Json current = cluster.get("endpoints", "front");
    return count(current, "addresses") == 3 && count(current, "notReadyAddresses") == 0;
  }));

  SECTION("deleting the Service deletes its Endpoints") {
    REQUIRE(cluster.store.remove("services", k_ns, "front"));
    REQUIRE(cluster.wait_for([&] { return cluster.get("endpoints", "front").is_null(); }));
  }
  SECTION("scaling to zero leaves an Endpoints object without subsets") {
    cluster.change("deployments.apps", "web", [](Json& d) { d["spec"]["replicas"] = 0; });
    REQUIRE(cluster.wait_for([&] {
      Json current = cluster.get("endpoints", "front");
      return !current.is_null() && !current.contains("subsets");
    }));
  }
}

TEST_CASE("endpoint_subsets skips terminating pods and pods without the named port", "[endpoints]") {
  auto pod = [](const std::string& name, const std::string& ip, bool ready, bool named_port) {
    Json ports = named_port ? Json::parse(R"([{"name": "http", "containerPort": 9000}])") : Json::array();
    Json object;
    object["metadata"] = {{"name", name}, {"namespace", "default"}, {"uid", name + "-uid"}};
    object["spec"]["containers"] = Json::array({{{"name", "app"}, {"ports", ports}}});
    object["status"] = {{"phase", "Running"}, {"podIP", ip}};
    object["status"]["conditions"] = Json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}});
    return std::make_shared<const Json>(object);
  };
  Json svc = service("front", "web");
  auto terminating = std::make_shared<Json>(*pod("c", "10.244.0.4", true, true));
  (*terminating)["metadata"]["deletionTimestamp"] = "2030-01-01T00:00:00Z";
  Json subsets = kubesim::endpoint_subsets(
      svc, {pod("b", "10.244.0.3", true, true), pod("a", "10.244.0.2", false, true), terminating,
            pod("d", "10.244.0.5", true, false), pod("e", "", true, true)});
  REQUIRE(subsets.size() == 1);
  CHECK(subsets[0]["addresses"].size() == 1);
  CHECK(subsets[0]["addresses"][0]["ip"] == "10.244.0.3");
  CHECK(subsets[0]["notReadyAddresses"][0]["ip"] == "10.244.0.2");
  CHECK(subsets[0]["ports"][0]["port"] == 9000);
}

TEST_CASE("deleting a Deployment takes its ReplicaSets and pods with it", "[gc]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 3)));
  REQUIRE(cluster.wait_for([&] { return rollout_done(cluster.get("deployments.apps", "web")); }));
  REQUIRE(cluster.store.remove("deployments.apps", k_ns, "web"));
  REQUIRE(cluster.wait_for(
      [&] { return cluster.list("replicasets.apps").empty() && cluster.list("pods").empty(); }));
}

TEST_CASE("objects whose owner uid no longer exists are collected", "[gc]") {
  Cluster cluster;
  Json missing_owner = {{"apiVersion", "apps/v1"},
                        {"kind", "Deployment"},
                        {"name", "gone"},
                        {"uid", "no-such-uid"},
                        {"controller", true}};
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "stray"}, {"namespace", k_ns}, {"ownerReferences", {missing_owner}}}},
              {"spec", {{"containers", {{{"name", "app"}, {"image", "web:1"}}}}}}};
  REQUIRE(cluster.store.create("pods", pod));
  REQUIRE(cluster.wait_for([&] { return cluster.get("pods", "stray").is_null(); }));

  // An orphaned ReplicaSet goes, and the pods it managed to create go after it.
  Json d = deployment("orphan", "web:1", 2);
  Json rs = {
      {"apiVersion", "apps/v1"},
      {"kind", "ReplicaSet"},
      {"metadata", {{"name", "orphan-1"}, {"namespace", k_ns}, {"ownerReferences", {missing_owner}}}},
      {"spec", {{"replicas", 2}, {"selector", d["spec"]["selector"]}, {"template", d["spec"]["template"]}}}};
  REQUIRE(cluster.store.create("replicasets.apps", rs));
  REQUIRE(cluster.wait_for(
      [&] { return cluster.list("replicasets.apps").empty() && cluster.list("pods").empty(); }));
}
