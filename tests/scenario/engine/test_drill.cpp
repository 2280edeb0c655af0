// Failover and failback with the sluice binary over three kubesims as three
// clusters (contexts eu, us, ap of one merged kubeconfig): survivors scale up
// first (an HPA's minReplicas when one owns the replicas, the Deployment never
// written then), traffic moves on the HTTPRoute, and failback restores both.
#include "support/kubesim_clusters.hpp"
#include "support/process.hpp"
#include "support/prometheus_process.hpp"
#include "support/temp_dir.hpp"
#include "tree_paths.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>

using sluice::test::Kubesim;
using sluice::test::KubesimClusters;
using Json = nlohmann::json;

namespace {

std::string sluice_binary() {
  const char* env = std::getenv("SLUICE_BIN");
  return env != nullptr ? env : std::string(SLUICE_BINARY_DIR) + "/sluice";
}

sluice::test::KubesimOptions fast() {
  sluice::test::KubesimOptions o;
  o.sim_config = {{"timing", {{"controllerDelayMs", 2}, {"podDeleteMs", 5}}},
                  {"default", {{"startupMs", 20}}}};
  return o;
}

const char* const k_drill = R"(apiVersion: sluice/v1
kind: Drill
metadata: {name: web-dr}
service:
  - {name: eu, context: eu, namespace: shop, deployment: web}
  - {name: us, context: us, namespace: shop, deployment: web}
  - {name: ap, context: ap, namespace: shop, deployment: web}
record: {context: us, namespace: shop}
director:
  httpRoute: {context: us, namespace: shop, name: web, backends: {eu: web-eu, us: web-us, ap: web-ap}}
failover: {from: eu}
)";

Json route() {
  Json refs = Json::array();
  for (const char* backend : {"web-eu", "web-us", "web-ap"})
    refs.push_back({{"name", backend}, {"port", 80}, {"weight", 34}});
  return {{"apiVersion", "gateway.networking.k8s.io/v1"},
          {"kind", "HTTPRoute"},
          {"metadata", {{"name", "web"}}},
          {"spec", {{"parentRefs", {{{"name", "edge"}}}}, {"rules", {{{"backendRefs", refs}}}}}}};
}

Json hpa(int min_replicas) {
  return {{"apiVersion", "autoscaling/v2"},
          {"kind", "HorizontalPodAutoscaler"},
          {"metadata", {{"name", "web"}}},
          {"spec",
           {{"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"}}},
            {"minReplicas", min_replicas},
            {"maxReplicas", 10}}}};
}

struct Regions {
  explicit Regions(bool with_hpa) : clusters({"eu", "us", "ap"}, fast()) {
    for (const std::string& context : clusters.contexts()) {
      Kubesim& sim = clusters[context];
      sim.create_namespace("shop");
      sim.create_deployment("shop", "web", "web:1", 2);
      if (with_hpa) {
        auto created =
            sim.request("POST", "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers", hpa(2));
        REQUIRE(created.status == 201);
      }
    }
    auto created = clusters["us"].request(
        "POST", "/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes", route());
    REQUIRE(created.status == 201);
    drill = dir.write("drill.yaml", k_drill).string();
  }

  sluice::test::RunResult sluice(const std::string& verb, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {verb, drill, "--kubeconfig", clusters.kubeconfig_path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return sluice::test::run(sluice_binary(), args, {}, std::chrono::seconds(60));
  }
  void set_objectives(const std::string& objectives) {
    drill = dir.write("drill.yaml", std::string(k_drill) + objectives).string();
  }
  // Writes by sluice (its user agent) in any cluster.
  int writes_by_sluice() {
    int writes = 0;
    for (const std::string& context : clusters.contexts()) {
      Json log = clusters[context].audit();
      for (const Json& r : log["requests"]) {
        bool write = r["verb"] != "get" && r["verb"] != "list" && r["verb"] != "watch";
        if (write && r["userAgent"].get<std::string>().rfind("sluice/", 0) == 0) ++writes;
      }
    }
    return writes;
  }
  int replicas(const std::string& context) {
    return clusters[context].get_object("/apis/apps/v1/namespaces/shop/deployments/web")["spec"]["replicas"];
  }
  int min_replicas(const std::string& context) {
    return clusters[context].get_object(
        "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/web")["spec"]["minReplicas"];
  }
  std::vector<int> weights() {
    // Kept: a range-for over a temporary's member would dangle.
    Json route =
        clusters["us"].get_object("/apis/gateway.networking.k8s.io/v1/namespaces/shop/httproutes/web");
    std::vector<int> out;
    for (const Json& ref : route["spec"]["rules"][0]["backendRefs"]) out.push_back(ref.value("weight", 1));
    return out;
  }
  // Writes by sluice (its user agent) to a Deployment, in any cluster.
  int deployment_writes_by_sluice() {
    int writes = 0;
    for (const std::string& context : clusters.contexts()) {
      Json log = clusters[context].audit();
      for (const Json& r : log["requests"]) {
        bool write = r["verb"] == "patch" || r["verb"] == "update";
        if (write && r["userAgent"].get<std::string>().rfind("sluice/", 0) == 0 &&
            r["path"].get<std::string>().find("/deployments/web") != std::string::npos)
          ++writes;
      }
    }
    return writes;
  }

  KubesimClusters clusters;
  sluice::testing::TempDir dir{"sluice-drill"};
  std::string drill;
};

}  // namespace

TEST_CASE("failover raises the survivors' replicas before moving traffic; failback restores both",
          "[drill]") {
  // Given three regions of 2 replicas each and a route sharing traffic between them
  Regions regions(false);
  // When failing over from eu
  auto failover = regions.sluice("failover");
  INFO(failover.out << failover.err);
  REQUIRE(failover.exit_code == 0);
  // Then us and ap carry 6 replicas between them and eu gets no traffic
  CHECK(regions.replicas("us") == 3);
  CHECK(regions.replicas("ap") == 3);
  CHECK(regions.replicas("eu") == 2);
  CHECK(regions.weights() == std::vector<int>{0, 50, 50});
  // And a second failover changes nothing
  auto again = regions.sluice("failover");
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("already failed over from eu") != std::string::npos);
  // When failing back
  auto failback = regions.sluice("failback");
  INFO(failback.out << failback.err);
  REQUIRE(failback.exit_code == 0);
  // Then weights and replicas are what they were
  CHECK(regions.weights() == std::vector<int>{34, 34, 34});
  CHECK(regions.replicas("us") == 2);
  CHECK(regions.replicas("ap") == 2);
}

TEST_CASE("with an HPA, failover raises minReplicas and never writes the Deployment", "[drill]") {
  // Given three regions whose replicas an HPA owns (minReplicas 2)
  Regions regions(true);
  // When failing over from eu and back
  auto failover = regions.sluice("failover");
  INFO(failover.out << failover.err);
  REQUIRE(failover.exit_code == 0);
  // Then the survivors' HPAs ask for 3 and their controllers scaled the Deployments
  CHECK(regions.min_replicas("us") == 3);
  CHECK(regions.min_replicas("ap") == 3);
  CHECK(regions.replicas("us") == 3);
  auto failback = regions.sluice("failback");
  INFO(failback.out << failback.err);
  REQUIRE(failback.exit_code == 0);
  CHECK(regions.min_replicas("us") == 2);
  CHECK(regions.min_replicas("ap") == 2);
  // And sluice wrote no Deployment anywhere
  CHECK(regions.deployment_writes_by_sluice() == 0);
}

TEST_CASE("a drill measures RTO and failback time and restores everything", "[drill]") {
  // Given three regions and objectives a drill of a few seconds meets
  Regions regions(false);
  regions.set_objectives("objectives: {rto: 5m, failback: 10m}\n");
  const std::string report = regions.dir.path().string() + "/drill.json";
  // When rehearsing the drill
  auto drill = regions.sluice("drill", {"--report", report});
  INFO(drill.out << drill.err);
  // Then it exits 0 with the RTO in the summary and the report
  CHECK(drill.exit_code == 0);
  CHECK(drill.out.find("RTO: ") != std::string::npos);
  Json written = Json::parse(std::ifstream(report));
  CHECK(written["rtoMs"].is_number_integer());
  CHECK(written["rtoMet"] == true);
  CHECK(written["restored"] == true);
  CHECK(written["timeline"].size() >= 9);
  // And traffic and capacity are back
  CHECK(regions.weights() == std::vector<int>{34, 34, 34});
  CHECK(regions.replicas("us") == 2);
}

TEST_CASE("a drill that misses its RTO exits 12 with everything restored", "[drill]") {
  // Given an objective no real failover meets
  Regions regions(false);
  regions.set_objectives("objectives: {rto: 1ms}\n");
  // When rehearsing the drill
  auto drill = regions.sluice("drill");
  INFO(drill.out << drill.err);
  // Then it exits with the objective-missed code, and traffic and capacity are back
  CHECK(drill.exit_code == 12);
  CHECK(drill.out.find("(objective 1ms)") != std::string::npos);
  CHECK(regions.weights() == std::vector<int>{34, 34, 34});
  CHECK(regions.replicas("us") == 2);
  CHECK(regions.replicas("ap") == 2);
}

TEST_CASE("a drill's dry run prints its actions and writes nothing", "[drill]") {
  Regions regions(false);
  auto drill = regions.sluice("drill", {"--dry-run"});
  INFO(drill.out << drill.err);
  CHECK(drill.exit_code == 0);
  CHECK(drill.out.find("would scale Deployment web 2 -> 3 in us\n") != std::string::npos);
  CHECK(drill.out.find("would set the HTTPRoute's weights: ap 50, eu 0, us 50\n") != std::string::npos);
  CHECK(regions.writes_by_sluice() == 0);
}

TEST_CASE("a failover killed while the survivors come up resumes from its record", "[drill]") {
  // Given a survivor whose controllers are frozen, so it never becomes ready
  Regions regions(false);
  REQUIRE(regions.clusters["ap"].control("PUT", "freeze", {{"frozen", true}}).status == 200);
  sluice::test::Process first(sluice_binary(), {"failover", regions.drill, "--kubeconfig",
                                                regions.clusters.kubeconfig_path(), "--lease-seconds", "2"});
  // When the failover is killed -9 after raising capacity, while it waits
  REQUIRE(first.wait_for_output("step CapacityRaised done", std::chrono::seconds(30)));
  ::kill(first.pid(), SIGKILL);
  REQUIRE(first.wait(std::chrono::seconds(10)));
  // Then traffic has not moved
  CHECK(regions.weights() == std::vector<int>{34, 34, 34});
  // When the survivor thaws and the failover runs again
  REQUIRE(regions.clusters["ap"].control("PUT", "freeze", {{"frozen", false}}).status == 200);
  auto again = regions.sluice("failover", {"--lease-seconds", "2"});
  INFO(again.out << again.err);
  // Then it continues after the recorded step and finishes
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("resuming after step CapacityRaised") != std::string::npos);
  CHECK(regions.weights() == std::vector<int>{0, 50, 50});
  CHECK(regions.replicas("ap") == 3);
}

namespace {

// The recovery gate, from Debian's Prometheus scraping us (the survivor that
// takes most of eu's load): us's error ratio over the last 4 s, with us's
// Service web carrying 100 simulated requests a second.
std::string prometheus_gate(Regions& regions,
                            std::unique_ptr<sluice::testing::PrometheusProcess>& prometheus) {
  Kubesim& us = regions.clusters["us"];
  us.create_service("shop", "web", {{"app", "web"}});
  REQUIRE(us.control("PUT", "traffic", {{"defaultRate", 100}}).status == 200);
  prometheus = std::make_unique<sluice::testing::PrometheusProcess>(
      std::stoi(us.url().substr(us.url().rfind(':') + 1)));
  return "checks:\n  us-errors:\n    prometheus:\n      address: " + prometheus->address() +
         "\n      query: sum(rate(kubesim_http_requests_total{namespace=\"shop\", code=\"500\"}[4s])) / "
         "sum(rate(kubesim_http_requests_total{namespace=\"shop\"}[4s]))\n"
         "    successCondition: result < 0.05\n    initialDelay: 4s\n    interval: 1s\n    count: 2\n";
}

}  // namespace

TEST_CASE("a drill's recovery gates read from a real Prometheus: green, the drill passes and restores",
          "[drill][prometheus]") {
  // Given healthy regions and a gate on us's measured error ratio
  Regions regions(false);
  std::unique_ptr<sluice::testing::PrometheusProcess> prometheus;
  regions.set_objectives(prometheus_gate(regions, prometheus) + "objectives: {rto: 5m, failback: 10m}\n");
  // When rehearsing the drill
  auto drill = regions.sluice("drill");
  INFO(drill.out << drill.err);
  // Then the gates were green at baseline, after failover and after failback
  CHECK(drill.exit_code == 0);
  CHECK(drill.out.find("RecoveryGatesGreen") != std::string::npos);
  CHECK(drill.out.find("restored: objectives met, everything restored") != std::string::npos);
  CHECK(regions.weights() == std::vector<int>{34, 34, 34});
  CHECK(regions.replicas("us") == 2);
}

TEST_CASE("a drill whose gate measures errors at baseline exits 6 and changes nothing",
          "[drill][prometheus]") {
  // Given us's version failing half its requests, as Prometheus measures it
  Regions regions(false);
  std::unique_ptr<sluice::testing::PrometheusProcess> prometheus;
  const std::string gate = prometheus_gate(regions, prometheus);
  REQUIRE(regions.clusters["us"]
              .control("PUT", "config", {{"images", {{"web:1", {{"errorRate", 0.5}}}}}})
              .status == 200);
  regions.set_objectives(gate);
  // When rehearsing the drill
  auto drill = regions.sluice("drill");
  INFO(drill.out << drill.err);
  // Then it stops before failing over: a failed baseline is not a drill to run
  CHECK(drill.exit_code == 6);
  CHECK(drill.out.find("does not meet successCondition 'result < 0.05'") != std::string::npos);
  CHECK(regions.writes_by_sluice() == 0);
  CHECK(regions.weights() == std::vector<int>{34, 34, 34});
}
