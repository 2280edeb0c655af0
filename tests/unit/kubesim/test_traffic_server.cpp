// The API server mounts the traffic simulator: GET /metrics shows simulated
// requests to a Service with ready pods, without credentials even when
// authentication is on (Prometheus scrapes it like a pod's /metrics).
#include "support/kubesim_fixture.hpp"

#include <httplib.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

namespace {

using sluice::test::Json;

// Polls /metrics (bounded) until the text contains `needle`; returns the last body.
std::string metrics_containing(sluice::test::Kubesim& sim, const std::string& needle) {
  std::string body;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto r = sim.request("GET", "/metrics");
    body = r.body.is_string() ? r.body.get<std::string>() : r.body.dump();
    if (r.status == 200 && body.find(needle) != std::string::npos) return body;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return body;
}

}  // namespace

TEST_CASE("a started kubesim serves simulated traffic metrics for a Service with ready pods",
          "[kubesim][traffic]") {
  sluice::test::KubesimOptions options;
  options.token = "s3cret";
  sluice::test::Kubesim sim(options);
  sim.create_namespace("shop");
  sim.create_deployment("shop", "web", "web:1", 2);
  sim.create_service("shop", "web", Json{{"app", "web"}});

  const std::string body = metrics_containing(sim, "service=\"web\"");
  CHECK(body.find("kubesim_http_requests_total{") != std::string::npos);
  CHECK(body.find("namespace=\"shop\"") != std::string::npos);
  CHECK(body.find("service=\"web\"") != std::string::npos);

  SECTION("metrics need no credentials; the API still does") {
    httplib::Client anonymous("127.0.0.1", sim.server()->port());
    anonymous.set_connection_timeout(5);
    anonymous.set_read_timeout(5);
    const auto metrics = anonymous.Get("/metrics");
    REQUIRE(metrics);
    CHECK(metrics->status == 200);
    const auto pods = anonymous.Get("/api/v1/namespaces/shop/pods");
    REQUIRE(pods);
    CHECK(pods->status == 403);  // anonymous is forbidden, as on an apiserver
  }
  SECTION("the traffic settings are served by the control API") {
    const auto put = sim.control("PUT", "traffic", Json{{"defaultRate", 25}});
    CHECK(put.status == 200);
    CHECK(put.body["defaultRate"] == 25);
  }
}
