// Blue-green rollouts on kubesim, driven by the real sluice binary.
#include "scenario/engine/world.hpp"
#include "support/prometheus_process.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using sluice::scenario::Json;
using sluice::scenario::World;
using sluice::testing::PrometheusProcess;

namespace {
std::string digest_of(const Json& deployment) {
  return deployment["spec"]["template"]["spec"]["containers"][0]["image"].get<std::string>();
}
}  // namespace

TEST_CASE("blue-green: a healthy version is switched to in one write and the old one stays warm") {
  World w;
  std::string v2 = w.image("web", "2");
  auto plan = w.write_plan("web.yaml", w.bluegreen_plan(v2, true));
  auto mark = w.audit_mark();

  auto run = w.sluice({"apply", plan});

  REQUIRE(run.exit_code == 0);
  REQUIRE(run.last() != nullptr);
  CHECK((*run.last())["type"] == "finished");
  CHECK((*run.last())["outcome"] == "Healthy");
  auto selector = w.service("web")["spec"]["selector"];
  REQUIRE(selector.contains("sluice.io/version"));
  std::string green = "web-" + selector["sluice.io/version"].get<std::string>();
  CHECK(digest_of(w.deployment(green)).find("/web@sha256:") != std::string::npos);
  CHECK(w.serving_image("web") == digest_of(w.deployment(green)));
  CHECK(w.deployment("web")["spec"]["replicas"] == 3);  // kept warm for an instant rollback
  CHECK(w.min_ready("web") >= 3);
  // One write pins the live Service to the old pods, one switches it.
  CHECK(w.service_writes("web", mark) == 2);
}

TEST_CASE("blue-green: manual promotion pauses with exit 4 until promote") {
  World w;
  auto plan = w.write_plan("web.yaml", w.bluegreen_plan(w.image("web", "2"), false));

  auto first = w.sluice({"apply", plan});
  REQUIRE(first.exit_code == 4);
  CHECK((*first.last())["outcome"] == "Paused");
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.sluice({"status", "web", "-n", w.ns}).exit_code == 4);

  auto promoted = w.sluice({"promote", "web", "-n", w.ns});
  REQUIRE(promoted.exit_code == 0);
  CHECK(w.serving_image("web") != w.first_image);
  CHECK(w.serving_image("web").find("/web@sha256:") != std::string::npos);
  CHECK(w.sluice({"status", "web", "-n", w.ns}).exit_code == 0);
  CHECK(w.min_ready("web") >= 3);
}

TEST_CASE("blue-green: rollback after a finished rollout is one Service write") {
  World w;
  auto plan = w.write_plan("web.yaml", w.bluegreen_plan(w.image("web", "2"), true));
  REQUIRE(w.sluice({"apply", plan}).exit_code == 0);
  auto mark = w.audit_mark();

  auto back = w.sluice({"rollback", "web", "-n", w.ns});

  REQUIRE(back.exit_code == 0);
  CHECK(w.service_writes("web", mark) == 1);
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.min_ready("web") >= 3);
  auto history = w.sluice({"history", "web", "-n", w.ns});
  CHECK(history.exit_code == 0);
  CHECK(history.events.size() == 2);
}

TEST_CASE("blue-green: abort from another process while paused returns to the old version") {
  World w;
  auto plan = w.write_plan("web.yaml", w.bluegreen_plan(w.image("web", "2"), false));
  REQUIRE(w.sluice({"apply", plan}).exit_code == 4);

  auto aborted = w.sluice({"abort", "web", "-n", w.ns});

  REQUIRE(aborted.exit_code == 0);
  CHECK((*aborted.last())["outcome"] == "Aborted");
  CHECK(w.serving_image("web") == w.first_image);
  auto selector = w.service("web")["spec"]["selector"];
  CHECK_FALSE(selector.contains("sluice.io/version"));
  CHECK(w.sluice({"status", "web", "-n", w.ns}).exit_code == 3);
  CHECK(w.min_ready("web") >= 3);
}

TEST_CASE("blue-green: a crash-looping version never takes traffic and is rolled back fast") {
  World w;
  w.behave("web-crash", {{"crashLoop", true}});
  auto plan = w.write_plan("web.yaml", w.bluegreen_plan(w.image("web-crash", "1"), true));
  auto started = std::chrono::steady_clock::now();

  auto run = w.sluice({"apply", plan});

  REQUIRE(run.exit_code == 3);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));  // deadline is 20 s
  CHECK((*run.last())["outcome"] == "RolledBack");
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.min_ready("web") >= 3);
}

TEST_CASE("blue-green: a Prometheus check scoped to the new pods' hash passes on a healthy version") {
  // Given kubesim's traffic scraped by Prometheus and a post-promotion check of the
  // request rate of the new pods only (by their pod-template-hash)
  World w;
  auto traffic = w.sim.control("PUT", "traffic", {{"rates", {{w.ns + "/web", 100}}}});
  if (traffic.status != 200) throw std::runtime_error("setting the traffic rate: " + traffic.body.dump());
  PrometheusProcess prom(w.sim_port());
  std::string checks =
      "    postPromotionChecks: [new-pods-serve]\nchecks:\n  new-pods-serve:\n    prometheus:\n"
      "      address: " +
      prom.address() +
      "\n      query: sum(rate(kubesim_http_requests_total{namespace=\"{{namespace}}\", "
      "pod_template_hash=\"{{canary_hash}}\"}[5s]))\n"
      "    successCondition: result > 0\n    interval: 1s\n    initialDelay: 4s\n    count: 2\n"
      "    consecutiveErrorLimit: 3\n";
  auto plan = w.write_plan("web.yaml", w.bluegreen_plan(w.image("web", "2"), true, checks));

  // When it is applied
  auto run = w.sluice({"apply", plan}, std::chrono::seconds(90));

  // Then the check finds the new pods' traffic and the rollout completes
  REQUIRE(run.exit_code == 0);
  int successful = 0;
  for (const auto& e : run.events)
    if (e["type"] == "check_measured" && e["verdict"] == "Successful") ++successful;
  CHECK(successful == 2);
  // and the record names both versions' hashes: green's is its current ReplicaSet's
  auto record = Json::parse(w.configmap("sluice-web")["data"]["rollout"].get<std::string>());
  std::string version = w.service("web")["spec"]["selector"]["sluice.io/version"].get<std::string>();
  Json green_sets = w.sim.get_object("/apis/apps/v1/namespaces/" + w.ns +
                                     "/replicasets?labelSelector=sluice.io%2Fversion%3D" + version);
  REQUIRE(green_sets["items"].size() == 1);
  CHECK(record["next"]["podTemplateHash"] ==
        green_sets["items"][0]["metadata"]["labels"]["pod-template-hash"].get<std::string>());
  CHECK_FALSE(record["previous"]["podTemplateHash"].get<std::string>().empty());
  CHECK(record["previous"]["podTemplateHash"] != record["next"]["podTemplateHash"]);
  CHECK(w.min_ready("web") >= 3);
}
