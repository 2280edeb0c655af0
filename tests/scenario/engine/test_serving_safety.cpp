// The commands that move traffic back (rollback, abort, the rollback an
// interrupted run left unfinished) never leave the Service with fewer ready
// endpoints than the floor, and never accept a version that failed.
#include "scenario/engine/world.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>

#include <thread>
#include "tree_paths.hpp"

using sluice::scenario::Json;
using sluice::scenario::wait_for_event;
using sluice::scenario::World;

namespace {

// A blue-green plan that retires the old version as soon as the new one serves.
std::string bluegreen_retiring(World& w, const std::string& image, bool auto_promote) {
  return "apiVersion: sluice/v1\nkind: Plan\nmetadata:\n  name: web\ntarget:\n  namespace: " + w.ns +
         "\n  deployment: web\n  service: web\nimage: " + image +
         "\nprogressDeadline: 20s\nstrategy:\n  blueGreen:\n    previewService: web-preview\n    "
         "autoPromote: " +
         (auto_promote ? "true" : "false") + "\n    scaleDownDelay: 0s\n";
}

// Lowest ready-endpoint count of the Service in the audit log since `mark`.
int min_ready_since(World& w, const std::string& svc, std::uint64_t mark) {
  int lowest = 1 << 30;
  Json log = w.sim.audit(mark);
  for (const auto& e : log["serving"])
    if (e["kind"] == "Service" && e["name"] == svc && e["namespace"] == w.ns)
      lowest = std::min(lowest, e["state"].value("readyTotal", 0));
  return lowest;
}

std::string selected_deployment(World& w) {
  auto selector = w.service("web")["spec"]["selector"];
  return selector.contains("sluice.io/version") ? "web-" + selector["sluice.io/version"].get<std::string>()
                                                : "web";
}

std::string image_of(const Json& deployment) {
  return deployment["spec"]["template"]["spec"]["containers"][0]["image"].get<std::string>();
}

}  // namespace

TEST_CASE("blue-green: rollback to a revision whose version was retired brings it up before the switch") {
  // Given two blue-green rollouts, the second of which retired the first's version to 0 replicas
  World w;
  std::string v2 = w.image("web", "2");
  REQUIRE(w.sluice({"apply", w.write_plan("v2.yaml", bluegreen_retiring(w, v2, true))}).exit_code == 0);
  std::string v2_deployment = selected_deployment(w);
  REQUIRE(w.sluice({"apply", w.write_plan("v3.yaml", bluegreen_retiring(w, w.image("web", "3"), true))})
              .exit_code == 0);
  REQUIRE(w.deployment(v2_deployment)["spec"]["replicas"] == 0);
  auto mark = w.audit_mark();

  // When rolling back to the first rollout
  auto back = w.sluice({"rollback", "web", "-n", w.ns, "--to-revision", "1"});

  // Then its version serves again at full size, and the Service never lost its ready endpoints
  REQUIRE(back.exit_code == 0);
  CHECK(selected_deployment(w) == v2_deployment);
  CHECK(w.deployment(v2_deployment)["spec"]["replicas"] == 3);
  CHECK(w.serving_image("web") == image_of(w.deployment(v2_deployment)));
  CHECK(min_ready_since(w, "web", mark) >= 3);
  CHECK(w.min_ready("web") >= 3);
}

TEST_CASE("blue-green: abort of a paused rollout never shrinks the live version, even with a pod not ready") {
  // Given a live version from an earlier blue-green rollout, one of its pods not ready,
  // and a second rollout paused before its switch
  World w;
  REQUIRE(w.sluice({"apply", w.write_plan("v2.yaml", bluegreen_retiring(w, w.image("web", "2"), true))})
              .exit_code == 0);
  std::string live = selected_deployment(w);
  REQUIRE(w.sluice({"apply", w.write_plan("v3.yaml", bluegreen_retiring(w, w.image("web", "3"), false))})
              .exit_code == 4);
  auto pods = w.sim.get("/api/v1/namespaces/" + w.ns + "/pods").body["items"];
  std::string flipped;
  for (const auto& p : pods)
    if (p["metadata"]["name"].get<std::string>().rfind(live + "-", 0) == 0)
      flipped = p["metadata"]["name"].get<std::string>();
  REQUIRE_FALSE(flipped.empty());
  w.serving_floor = 2;  // one of the three pods is made unready by hand
  REQUIRE(
      w.sim.control("PUT", "namespaces/" + w.ns + "/pods/" + flipped + "/ready", {{"ready", false}}).status ==
      200);
  auto mark = w.audit_mark();

  // When the paused rollout is aborted
  auto aborted = w.sluice({"abort", "web", "-n", w.ns});

  // Then the live version keeps every replica and the Service every ready endpoint it had
  REQUIRE(aborted.exit_code == 0);
  CHECK(selected_deployment(w) == live);
  CHECK(w.deployment(live)["spec"]["replicas"] == 3);
  CHECK(min_ready_since(w, "web", mark) >= 2);
}

TEST_CASE("rolling: an interrupted automatic rollback exits 130 and the next apply finishes it") {
  // Given a rolling rollout of a crash-looping version whose rollback is slow
  // (the stable version takes two seconds to start)
  World w;
  w.behave("web-crash", {{"crashLoop", true}});
  w.behave("web", {{"startupMs", 2000}});
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web-crash", "1")));
  auto* run = w.start_sluice({"apply", plan});

  // When it is interrupted while rolling back
  REQUIRE(wait_for_event(
      *run, [](const Json& e) { return e["type"] == "step_finished" && e.value("result", "") == "failed"; }));
  ::kill(run->pid(), SIGINT);
  auto run_exit = run->wait(std::chrono::seconds(20));

  // Then it exits 130, status says no one is running it, and the next apply finishes the
  // rollback instead of calling the failed version healthy
  REQUIRE(run_exit.has_value());
  CHECK(*run_exit == 130);
  auto status = w.sluice({"status", "web", "-n", w.ns});
  CHECK(status.exit_code == 130);
  REQUIRE_FALSE(status.events.empty());
  CHECK(status.events.back()["rollout"]["phase"] == "RollingBack");
  CHECK(status.events.back()["abandoned"] == true);
  auto again = w.sluice({"apply", plan});
  CHECK(again.exit_code == 3);
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.sluice({"apply", plan}).exit_code != 0);  // tried again: it fails again, never "already runs"
  CHECK(w.min_ready("web") >= 3);
}

TEST_CASE("a version recorded as failed that still serves is rolled back by the next apply, not accepted") {
  // Given a rolling rollout that failed and whose record says so, while (after a lost
  // rollback) the failed version still serves
  World w;
  std::string bad = w.image("web", "2");
  // Hand the record the state an interrupted rollback used to leave: Degraded, new version serving.
  auto first = w.sluice({"apply", w.write_plan("ok.yaml", w.rolling_plan(bad))});
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  auto cm = w.configmap("sluice-web");
  Json rec = Json::parse(cm["data"]["rollout"].get<std::string>());
  rec["phase"] = "Degraded";
  cm["data"]["rollout"] = rec.dump();
  REQUIRE(w.sim.request("PUT", "/api/v1/namespaces/" + w.ns + "/configmaps/sluice-web", cm).status == 200);

  // When the same plan is applied again
  auto again = w.sluice({"apply", w.write_plan("ok.yaml", w.rolling_plan(bad))});

  // Then it finishes the rollback (exit 3) rather than report "already runs"
  CHECK(again.exit_code == 3);
  CHECK(w.serving_image("web") == w.first_image);
}

TEST_CASE("canary: canary pods that stop being ready below the floor fail fast and stable serves again") {
  // Given a canary at 50% paused for a long time, with stable scaled down for it
  World w(4);
  auto plan = w.write_plan(
      "web.yaml", w.canary_plan(w.image("web", "2"),
                                "    steps:\n      - setWeight: 50\n      - pause: {duration: 60s}\n"));
  auto* run = w.start_sluice({"apply", plan});
  REQUIRE(wait_for_event(*run, [](const Json& e) {
    return e["type"] == "step_started" && e.value("stepName", "").find("Pause") != std::string::npos;
  }));

  // When the canary's pods stop being ready
  w.serving_floor = 2;  // the two canary pods are made unready by hand; stable's two must still serve
  auto pods = w.sim.get("/api/v1/namespaces/" + w.ns + "/pods").body["items"];
  for (const auto& p : pods) {
    std::string name = p["metadata"]["name"].get<std::string>();
    if (name.rfind("web-canary-", 0) == 0)
      w.sim.control("PUT", "namespaces/" + w.ns + "/pods/" + name + "/ready", {{"ready", false}});
  }

  // Then sluice rolls back at once (not at the progress deadline) and stable serves at full size
  auto run_exit = run->wait(std::chrono::seconds(15));
  REQUIRE(run_exit.has_value());
  CHECK(*run_exit == 3);
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.deployment("web")["spec"]["replicas"] == 4);
}

TEST_CASE("a plan without target.namespace runs in the kubeconfig context's namespace, and hints name it") {
  // Given a plan that names no namespace, and a kubeconfig whose context's namespace is the target's
  World w;
  std::string text = w.bluegreen_plan(w.image("web", "2"), false);
  std::string line = "  namespace: " + w.ns + "\n";
  text.replace(text.find(line), line.size(), "");
  auto plan = w.write_plan("web.yaml", text);
  std::ifstream in(w.sim.kubeconfig_path());
  std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(config.find("namespace: default") != std::string::npos);
  config.replace(config.find("namespace: default"), 18, "namespace: " + w.ns);
  std::string kubeconfig = w.write_plan("kubeconfig", config);

  // When applied with that kubeconfig and no -n
  auto run = sluice::test::run(
      std::getenv("SLUICE_BIN") ? std::getenv("SLUICE_BIN") : SLUICE_BINARY_DIR "/sluice",
      {"-o", "json", "--kubeconfig", kubeconfig, "apply", plan}, {}, std::chrono::seconds(60));

  // Then it pauses in that namespace, and the printed command reaches the same rollout: that
  // kubeconfig's namespace is the rollout's, so it needs no -n
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 4);
  CHECK(run.out.find("`sluice promote web`") != std::string::npos);
  CHECK(w.sluice({"promote", "web", "-n", w.ns}).exit_code == 0);
}

TEST_CASE("one 500 on the read before the blue-green switch is retried, not a page for a human") {
  // Given the API answering the first read of the new version's Deployment with a 500
  World w;
  REQUIRE(
      w.sim
          .control("POST", "faults",
                   {{"verb", "get"}, {"path", "/deployments/web-[0-9a-f]+$"}, {"count", 1}, {"status", 500}})
          .status < 300);
  auto plan = w.write_plan("web.yaml", w.bluegreen_plan(w.image("web", "2"), true));

  // When the rollout runs
  auto run = w.sluice({"apply", plan});

  // Then the read is retried and the rollout finishes
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(w.serving_image("web") != w.first_image);
  CHECK(w.min_ready("web") >= 3);
}

TEST_CASE("rollout_started names the image serving before the rollout, in every strategy") {
  World w(4);
  std::string v2 = w.image("web", "2");
  std::string plans[] = {w.rolling_plan(v2), w.bluegreen_plan(v2, true),
                         w.canary_plan(v2, "    steps:\n      - setWeight: 50\n")};
  for (const auto& text : plans) {
    DYNAMIC_SECTION(text.substr(text.find("strategy:"), 30)) {
      auto run = w.sluice({"apply", w.write_plan("web.yaml", text)});
      INFO(run.out << run.err);
      REQUIRE_FALSE(run.events.empty());
      CHECK(run.events.front()["type"] == "rollout_started");
      CHECK(run.events.front()["previousImage"] == w.first_image);
    }
  }
}
