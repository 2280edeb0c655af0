#include "unit/kubesim/traffic_objects.hpp"

#include <kubesim/traffic.hpp>

#include <catch2/catch.hpp>

#include <string>

using kubesim::Json;
using kubesim::testing::pod;
using kubesim::testing::service;

namespace {

// Creates the object under `resource` in a store, as the API server would.
void put(kubesim::Store& store, const std::string& resource, Json object) {
  REQUIRE(store.create(resource, std::move(object)).ok());
}

std::string line_for(const std::string& metrics, const std::string& prefix) {
  auto at = metrics.find(prefix);
  if (at == std::string::npos) return "";
  return metrics.substr(at, metrics.find('\n', at) - at);
}

}  // namespace

TEST_CASE("the simulator counts requests and errors per pod by image behaviour") {
  kubesim::Store store;
  kubesim::SimConfig config;
  kubesim::ImageBehaviour broken;
  broken.error_rate = 0.2;
  broken.latency_ms = 200;
  config.set_behaviour("web:2", broken);
  put(store, "services", service("web", {{"app", "web"}}));
  put(store, "pods", pod("web-a-1", "a", "web:1", true));
  put(store, "pods", pod("web-b-1", "b", "web:2", true));
  kubesim::TrafficSimulator traffic(store, config);
  traffic.set_rate("default", "web", 20);
  for (int i = 0; i < 10; ++i) traffic.tick(std::chrono::milliseconds(100));
  std::string metrics = traffic.render_metrics();
  const std::string b = R"(namespace="default",service="web",pod="web-b-1",pod_template_hash="b")";
  CHECK(line_for(metrics, "kubesim_http_requests_total{" + b + ",code=\"200\"}") ==
        "kubesim_http_requests_total{" + b + ",code=\"200\"} 8");
  CHECK(line_for(metrics, "kubesim_http_requests_total{" + b + ",code=\"500\"}") ==
        "kubesim_http_requests_total{" + b + ",code=\"500\"} 2");
  CHECK(line_for(metrics, "kubesim_http_request_duration_seconds_bucket{" + b + ",le=\"0.1\"}") ==
        "kubesim_http_request_duration_seconds_bucket{" + b + ",le=\"0.1\"} 0");
  CHECK(line_for(metrics, "kubesim_http_request_duration_seconds_bucket{" + b + ",le=\"0.25\"}") ==
        "kubesim_http_request_duration_seconds_bucket{" + b + ",le=\"0.25\"} 10");
  CHECK(line_for(metrics, "kubesim_http_request_duration_seconds_count{" + b + "}") ==
        "kubesim_http_request_duration_seconds_count{" + b + "} 10");
  const std::string a = R"(namespace="default",service="web",pod="web-a-1",pod_template_hash="a")";
  CHECK(line_for(metrics, "kubesim_http_requests_total{" + a + ",code=\"500\"}") ==
        "kubesim_http_requests_total{" + a + ",code=\"500\"} 0");
  CHECK(metrics.find("# TYPE kubesim_http_requests_total counter\n") != std::string::npos);
  CHECK(metrics.find("# TYPE kubesim_http_request_duration_seconds histogram\n") != std::string::npos);
}

TEST_CASE("traffic settings round-trip through their control-API form") {
  kubesim::Store store;
  kubesim::SimConfig config;
  kubesim::TrafficSimulator traffic(store, config);
  traffic.load_settings_json(Json{{"defaultRate", 5}, {"rates", {{"demo/web", 50}}}});
  CHECK(traffic.settings_json() == Json{{"defaultRate", 5.0}, {"rates", {{"demo/web", 50.0}}}});
  traffic.load_settings_json(Json{{"rates", {{"demo/web", -1}}}});
  CHECK(traffic.settings_json()["rates"].empty());
}
