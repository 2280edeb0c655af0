// Issue 15: when a rolling update is done. With no checks to follow, nothing
// measures the new version alone: the run ends once the Deployment is
// complete by `kubectl rollout status` rules, the old pods may still be
// terminating. With checks, they measure only once the old pods are gone,
// terminating ones included. kubesim's pod termination is made slow so that
// the two ends are apart (no timed assertion: what is left when apply returns).
#include "engine/engine_world.hpp"

#include <sluice/kube/readiness.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/util/exit_code.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace engine_test;

namespace {

const std::string k_rolling = "  rolling:\n    maxSurge: 1\n    maxUnavailable: 0\n";

// Deleted pods stay terminating for `ms` before the simulated kubelet removes them.
void terminate_slowly(EngineWorld& world, int ms) {
  auto timing = world.sim().config().timing();
  timing.pod_delete_ms = ms;
  world.sim().config().set_timing(timing);
}

struct Pods {
  int terminating = 0;  // of any version
  int of_image = 0;     // running the image asked for, not terminating
};

Pods pods_now(EngineWorld& world, const std::string& image) {
  Pods p;
  auto pods = world.kube().list(sluice::kube::k_pods, world.ns);
  REQUIRE(pods.ok());
  for (const auto& pod : (*pods)["items"]) {
    if (pod["metadata"].contains("deletionTimestamp")) {
      ++p.terminating;
    } else if (pod.value("/spec/containers/0/image"_json_pointer, std::string()) == image) {
      ++p.of_image;
    }
  }
  return p;
}

}  // namespace

TEST_CASE("engine: a rolling apply without checks ends at complete, the old pods still terminating",
          "[engine][rolling][done]") {
  EngineWorld world;  // given web at v1 (4 pods) whose deleted pods take ten minutes to go
  terminate_slowly(world, 600'000);

  auto out = world.apply(EngineWorld::plan(k_v2, k_rolling));  // when v2 is applied with no checks

  // Then it succeeded as soon as the rollout was complete, without waiting for the old pods
  INFO(world.describe());
  REQUIRE(out.exit_code == sluice::k_exit_ok);
  CHECK(sluice::kube::deployment_rollout_status(world.deployment("web")).done);
  Pods left = pods_now(world, k_v2);
  CHECK(left.of_image == 4);
  CHECK(left.terminating == 4);
}

TEST_CASE("engine: a rolling apply with checks measures only once the old pods are gone",
          "[engine][rolling][done]") {
  EngineWorld world;  // given web at v1 whose deleted pods take 1.5 s to go, and a check that passes
  terminate_slowly(world, 1500);
  std::string checks = k_rolling + "    checks: [up]\nchecks:\n  up:\n    http: {url: '" + world.sim().url() +
                       "/version'}\n    interval: 1s\n    count: 1\n";

  auto out = world.apply(EngineWorld::plan(k_v2, checks));  // when v2 is applied

  // Then the check measured v2 alone: by the time the run ended no old pod was left
  INFO(world.describe());
  REQUIRE(out.exit_code == sluice::k_exit_ok);
  Pods left = pods_now(world, k_v2);
  CHECK(left.of_image == 4);
  CHECK(left.terminating == 0);
}
