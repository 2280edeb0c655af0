// The simulated HorizontalPodAutoscaler controller: it owns its Deployment's
// replica count within [minReplicas, maxReplicas], scales back other writers
// ("never fight an HPA") and reports status in the real controller's shapes.
#include "api_fixture.hpp"
#include "test_controller_harness.hpp"

#include <kubesim/hpa_controller.hpp>

#include <catch2/catch.hpp>

using namespace kubesim_test;

namespace {

Json hpa(const std::string& name, const std::string& target, int min_replicas, int max_replicas,
         const std::string& kind = "Deployment") {
  return Json{{"apiVersion", "autoscaling/v2"},
              {"kind", "HorizontalPodAutoscaler"},
              {"metadata", {{"name", name}, {"namespace", k_ns}}},
              {"spec",
               {{"scaleTargetRef", {{"apiVersion", "apps/v1"}, {"kind", kind}, {"name", target}}},
                {"minReplicas", min_replicas},
                {"maxReplicas", max_replicas}}}};
}

long long replicas_of(Cluster& cluster, const std::string& deployment) {
  return kubesim::int_at(cluster.get("deployments.apps", deployment), "/spec/replicas", -1);
}

// The HPA has seen the Deployment with `replicas` running and says so in its status.
bool settled(Cluster& cluster, const std::string& name, long long replicas) {
  Json h = cluster.get(kubesim::k_hpas, name);
  Json d = cluster.get("deployments.apps", kubesim::string_at(h, "/spec/scaleTargetRef/name"));
  return kubesim::int_at(h, "/status/desiredReplicas", -1) == replicas &&
         kubesim::int_at(h, "/status/currentReplicas", -1) == replicas &&
         kubesim::int_at(d, "/spec/replicas", -1) == replicas && rollout_done(d);
}

}  // namespace

TEST_CASE("an HPA's decision clamps the recommendation to its bounds", "[hpa]") {
  struct Row {
    long long recommendation, current, min, max, desired;
    bool scale;
    const char* limited;
  };
  const Row rows[] = {
      {3, 3, 2, 5, 3, false, "DesiredWithinRange"}, {1, 1, 2, 5, 2, true, "TooFewReplicas"},
      {9, 3, 2, 5, 5, true, "TooManyReplicas"},     {3, 7, 2, 5, 3, true, "DesiredWithinRange"},
      {3, 3, 6, 10, 6, true, "TooFewReplicas"},
  };
  for (const Row& row : rows) {
    auto decision = kubesim::decide_hpa(row.recommendation, row.current, row.min, row.max);
    INFO("recommendation " << row.recommendation << ", current " << row.current);
    CHECK(decision.desired == row.desired);
    CHECK(decision.scale == row.scale);
    CHECK(decision.limited == row.limited);
    CHECK_FALSE(decision.disabled);
  }
  auto zero = kubesim::decide_hpa(3, 0, 2, 5);
  CHECK(zero.disabled);
  CHECK_FALSE(zero.scale);
}

TEST_CASE("an HPA raises a Deployment below minReplicas and reports it in status", "[hpa]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 1)));
  REQUIRE(cluster.store.create(kubesim::k_hpas, hpa("web", "web", 3, 6)));
  REQUIRE(cluster.wait_for([&] { return settled(cluster, "web", 3); }));
  Json status = cluster.get(kubesim::k_hpas, "web")["status"];
  CHECK(status["observedGeneration"] == 1);
  CHECK(status.contains("lastScaleTime"));
  CHECK(condition(cluster.get(kubesim::k_hpas, "web"), "ScalingLimited") ==
        Json{{"type", "ScalingLimited"},
             {"status", "True"},
             {"reason", "TooFewReplicas"},
             {"message", "the desired replica count is less than the minimum replica count"},
             {"lastTransitionTime",
              condition(cluster.get(kubesim::k_hpas, "web"), "ScalingLimited")["lastTransitionTime"]}});
  CHECK(condition(cluster.get(kubesim::k_hpas, "web"), "ScalingActive")["reason"] == "ValidMetricFound");
  const Json able = condition(cluster.get(kubesim::k_hpas, "web"), "AbleToScale");
  CHECK(able["status"] == "True");
  CHECK((able["reason"] == "ReadyForNewScale" || able["reason"] == "SucceededRescale"));
}

TEST_CASE("an HPA scales back a write by anyone else to its Deployment's replicas", "[hpa]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 2)));
  REQUIRE(cluster.store.create(kubesim::k_hpas, hpa("web", "web", 2, 5)));
  REQUIRE(cluster.wait_for([&] { return settled(cluster, "web", 2); }));
  std::vector<long long> seen;
  std::mutex mutex;
  auto observation = cluster.observe([&](const kubesim::WatchEvent& event) {
    if (event.resource != "deployments.apps") return;
    std::lock_guard lock(mutex);
    seen.push_back(kubesim::int_at(event.object, "/spec/replicas", -1));
  });
  cluster.change("deployments.apps", "web", [](Json& d) { d["spec"]["replicas"] = 4; });
  REQUIRE(cluster.wait_for([&] {
    std::lock_guard lock(mutex);
    return std::find(seen.begin(), seen.end(), 4) != seen.end() && settled(cluster, "web", 2);
  }));
  CHECK(replicas_of(cluster, "web") == 2);
}

TEST_CASE("raising an HPA's minReplicas scales up, lowering it returns to the recommendation", "[hpa]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 2)));
  REQUIRE(cluster.store.create(kubesim::k_hpas, hpa("web", "web", 1, 10)));
  REQUIRE(cluster.wait_for([&] { return settled(cluster, "web", 2); }));
  cluster.change(kubesim::k_hpas, "web", [](Json& h) { h["spec"]["minReplicas"] = 5; });
  REQUIRE(cluster.wait_for([&] { return settled(cluster, "web", 5); }));
  CHECK(condition(cluster.get(kubesim::k_hpas, "web"), "ScalingLimited")["reason"] == "TooFewReplicas");
  cluster.change(kubesim::k_hpas, "web", [](Json& h) { h["spec"]["minReplicas"] = 1; });
  REQUIRE(cluster.wait_for([&] { return settled(cluster, "web", 2); }));
  CHECK(condition(cluster.get(kubesim::k_hpas, "web"), "ScalingLimited")["reason"] == "DesiredWithinRange");
}

TEST_CASE("an HPA follows its simulated recommendation up to maxReplicas", "[hpa]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 2)));
  REQUIRE(cluster.store.create(kubesim::k_hpas, hpa("web", "web", 1, 4)));
  REQUIRE(cluster.wait_for([&] { return settled(cluster, "web", 2); }));
  REQUIRE(cluster.controllers.set_hpa_recommendation(k_ns, "web", 3).ok());
  REQUIRE(cluster.wait_for([&] { return settled(cluster, "web", 3); }));
  REQUIRE(cluster.controllers.set_hpa_recommendation(k_ns, "web", 9).ok());
  REQUIRE(cluster.wait_for([&] { return settled(cluster, "web", 4); }));
  CHECK(condition(cluster.get(kubesim::k_hpas, "web"), "ScalingLimited")["reason"] == "TooManyReplicas");
  auto missing = cluster.controllers.set_hpa_recommendation(k_ns, "nope", 3);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == sluice::util::ErrorKind::not_found);
}

TEST_CASE("an HPA whose target is not a Deployment is left alone", "[hpa]") {
  Cluster cluster;
  REQUIRE(cluster.store.create("deployments.apps", deployment("web", "web:1", 1)));
  REQUIRE(cluster.store.create(kubesim::k_hpas, hpa("sts", "web", 3, 6, "StatefulSet")));
  // A second HPA on a Deployment proves the controller ran after the first was created.
  REQUIRE(cluster.store.create("deployments.apps", deployment("api", "api:1", 1)));
  REQUIRE(cluster.store.create(kubesim::k_hpas, hpa("api", "api", 2, 6)));
  REQUIRE(cluster.wait_for([&] { return settled(cluster, "api", 2); }));
  CHECK(replicas_of(cluster, "web") == 1);
  CHECK_FALSE(cluster.get(kubesim::k_hpas, "sts").contains("status"));
}

TEST_CASE("the control API sets an HPA's recommendation", "[hpa]") {
  sluice::test::Kubesim sim;
  sim.create_deployment("default", "web", "web:1", 1);
  auto created = sim.request("POST", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers",
                             hpa("web", "web", 1, 5));
  REQUIRE(created.status == 201);
  const std::string path = "namespaces/default/horizontalpodautoscalers/web/recommendation";
  auto set = sim.control("PUT", path, {{"replicas", 3}});
  CHECK(set.status == 200);
  CHECK(set.body["replicas"] == 3);
  auto bad = sim.control("PUT", path, {{"replicas", -1}});
  CHECK(bad.status == 422);
  CHECK(bad.body["message"] == "replicas: must be a non-negative integer");
  auto missing = sim.control("PUT", "namespaces/default/horizontalpodautoscalers/nope/recommendation",
                             {{"replicas", 3}});
  CHECK(missing.status == 404);
  CHECK(missing.body["message"] == "horizontalpodautoscalers.autoscaling \"nope\" not found");
}
