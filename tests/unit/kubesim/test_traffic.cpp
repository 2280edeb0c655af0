#include "unit/kubesim/traffic_objects.hpp"

#include <kubesim/traffic.hpp>

#include <catch2/catch.hpp>

#include <map>

using kubesim::Json;
using kubesim::traffic_flows;
using kubesim::TrafficFlow;
using kubesim::testing::pod;
using kubesim::testing::service;

namespace {

Json route(const std::string& name, int stable_weight, int canary_weight) {
  return Json{{"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec",
               {{"rules",
                 {{{"backendRefs",
                    {{{"name", "web"}, {"port", 80}, {"weight", stable_weight}},
                     {{"name", "web-canary"}, {"port", 80}, {"weight", canary_weight}}}}}}}}}};
}

std::map<std::string, double> by_pod(const std::vector<TrafficFlow>& flows) {
  std::map<std::string, double> out;
  for (const auto& f : flows) out[f.service + "/" + f.pod] += f.requests_per_second;
  return out;
}

auto rate(double rps) {
  return [rps](const std::string&, const std::string&) { return rps; };
}

}  // namespace

TEST_CASE("a Service's traffic is split evenly over its ready pods") {
  std::vector<Json> pods{pod("web-a-1", "a", "web:1", true),  pod("web-a-2", "a", "web:1", true),
                         pod("web-a-3", "a", "web:1", true),  pod("web-b-1", "b", "web:2", true),
                         pod("web-b-2", "b", "web:2", false), pod("db-1", "d", "db:1", true, "db")};
  auto flows = traffic_flows({service("web", {{"app", "web"}})}, pods, {}, rate(20));
  auto share = by_pod(flows);
  CHECK(share == std::map<std::string, double>{
                     {"web/web-a-1", 5}, {"web/web-a-2", 5}, {"web/web-a-3", 5}, {"web/web-b-1", 5}});
  CHECK(flows[3].pod_template_hash == "b");
  CHECK(flows[3].image == "web:2");
}

TEST_CASE("terminating pods and Services without a selector get no traffic") {
  Json terminating = pod("web-a-1", "a", "web:1", true);
  terminating["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  auto flows = traffic_flows({service("web", {{"app", "web"}}), service("external", Json::object())},
                             {terminating, pod("web-a-2", "a", "web:1", true)}, {}, rate(10));
  CHECK(by_pod(flows) == std::map<std::string, double>{{"web/web-a-2", 10}});
}

TEST_CASE("an HTTPRoute splits its traffic by backend weights") {
  std::vector<Json> pods{pod("web-a-1", "a", "web:1", true), pod("web-a-2", "a", "web:1", true),
                         pod("web-b-1", "b", "web:2", true)};
  std::vector<Json> services{service("web", {{"app", "web"}, {"pod-template-hash", "a"}}),
                             service("web-canary", {{"app", "web"}, {"pod-template-hash", "b"}})};
  auto flows = traffic_flows(services, pods, {route("web-route", 90, 10)}, rate(100));
  CHECK(by_pod(flows) ==
        std::map<std::string, double>{{"web/web-a-1", 45}, {"web/web-a-2", 45}, {"web-canary/web-b-1", 10}});
  SECTION("a zero weight sends nothing") {
    flows = traffic_flows(services, pods, {route("web-route", 100, 0)}, rate(100));
    CHECK(by_pod(flows) == std::map<std::string, double>{{"web/web-a-1", 50}, {"web/web-a-2", 50}});
  }
}
