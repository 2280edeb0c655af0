// The engine tier: whole rollouts of each strategy run in this process
// against an embedded kubesim, read as given / when / then. Fast (no child
// processes, pods start in 20 ms), so the strategy drivers are tested here
// first; the scenario tier runs the real binary.
#include "engine/engine_world.hpp"

#include <sluice/engine/strategy_driver.hpp>
#include <sluice/util/exit_code.hpp>

#include <catch2/catch.hpp>

using namespace engine_test;
using sluice::state::RecordPhase;

namespace {

const std::string k_rolling = "  rolling:\n    maxSurge: 1\n    maxUnavailable: 0\n";
const std::string k_blue_green = "  blueGreen:\n    scaleDownDelay: 0s\n";
const std::string k_canary = "  canary:\n    steps:\n      - setWeight: 50\n";

}  // namespace

TEST_CASE("engine: a rolling rollout moves the Deployment to the new digest, and rollback returns it",
          "[engine][rolling]") {
  EngineWorld world;  // given web at v1
  auto out = world.apply(EngineWorld::plan(k_v2, k_rolling));
  INFO(out.message);
  INFO(world.describe());
  CHECK(out.exit_code == sluice::k_exit_ok);
  CHECK(out.phase == RecordPhase::healthy);
  CHECK(world.image_of("web") == k_v2);
  CHECK(world.deployment("web").value("/spec/progressDeadlineSeconds"_json_pointer, 0) == 20);

  auto back = world.rollback();  // when a human rolls back
  CHECK(back.exit_code == sluice::k_exit_ok);
  CHECK(world.image_of("web") == k_v1);
}

TEST_CASE("engine: a rolling rollout of a crashing version rolls back by itself", "[engine][rolling]") {
  EngineWorld world;
  auto out = world.apply(EngineWorld::plan(k_bad, k_rolling));
  INFO(out.message);
  INFO(world.describe());
  CHECK(out.exit_code == sluice::k_exit_rolled_back);
  CHECK(out.phase == RecordPhase::rolled_back);
  CHECK(world.image_of("web") == k_v1);
  CHECK(world.saw_event(sluice::report::EventType::rolled_back));
}

TEST_CASE("engine: blue-green switches the Service in one write and retires the old version",
          "[engine][blueGreen]") {
  EngineWorld world;
  auto out = world.apply(EngineWorld::plan(k_v2, k_blue_green));
  INFO(out.message);
  INFO(world.describe());
  REQUIRE(out.exit_code == sluice::k_exit_ok);
  auto selector = world.service("web").value("/spec/selector"_json_pointer, Json::object());
  REQUIRE(selector.contains("sluice.io/version"));
  std::string preview = "web-" + selector["sluice.io/version"].get<std::string>();
  CHECK(world.image_of(preview) == k_v2);
  CHECK(world.deployment("web").value("/spec/replicas"_json_pointer, -1) == 0);
}

TEST_CASE("engine: blue-green of a crashing version never moves the Service", "[engine][blueGreen]") {
  EngineWorld world;
  auto out = world.apply(EngineWorld::plan(k_bad, k_blue_green));
  INFO(out.message);
  INFO(world.describe());
  CHECK(out.exit_code == sluice::k_exit_rolled_back);
  auto selector = world.service("web").value("/spec/selector"_json_pointer, Json::object());
  CHECK_FALSE(selector.contains("sluice.io/version"));
  CHECK(world.deployment("web").value("/spec/replicas"_json_pointer, 0) == 4);
}

// Issue 13: canary promotion wrote the rolling-update spec without
// progressDeadlineSeconds (rolling wrote it): one helper writes both now.
TEST_CASE("engine: canary promotion moves stable with the plan's surge limits and progress deadline",
          "[engine][canary]") {
  EngineWorld world;
  auto out = world.apply(EngineWorld::plan(k_v2, k_canary));
  INFO(out.message);
  INFO(world.describe());
  REQUIRE(out.exit_code == sluice::k_exit_ok);
  auto stable = world.deployment("web");
  CHECK(world.image_of("web") == k_v2);
  CHECK(stable.value("/spec/progressDeadlineSeconds"_json_pointer, 0) == 20);
  CHECK(stable.value("/spec/strategy/type"_json_pointer, std::string()) == "RollingUpdate");
  CHECK(world.deployment("web-canary").value("/spec/replicas"_json_pointer, -1) == 0);
}

TEST_CASE("engine: a crashing canary rolls back: stable at full size, the canary at 0", "[engine][canary]") {
  EngineWorld world;
  auto out = world.apply(EngineWorld::plan(k_bad, k_canary));
  INFO(out.message);
  INFO(world.describe());
  CHECK(out.exit_code == sluice::k_exit_rolled_back);
  CHECK(world.image_of("web") == k_v1);
  CHECK(world.deployment("web").value("/spec/replicas"_json_pointer, 0) == 4);
  CHECK(world.deployment("web-canary").value("/spec/replicas"_json_pointer, -1) == 0);
}

TEST_CASE("engine: a paused canary is aborted from another command: stable serves", "[engine][canary]") {
  EngineWorld world;
  auto paused = world.apply(EngineWorld::plan(k_v2, k_canary + "      - pause: {}\n"));
  REQUIRE(paused.exit_code == sluice::k_exit_paused);
  auto aborted = world.abort();
  CHECK(aborted.exit_code == sluice::k_exit_ok);
  CHECK(aborted.phase == RecordPhase::aborted);
  CHECK(world.image_of("web") == k_v1);
  CHECK(world.deployment("web-canary").value("/spec/replicas"_json_pointer, -1) == 0);
}

TEST_CASE("engine: one table chooses the strategy, a row per kind", "[engine]") {
  using sluice::plan::StrategyKind;
  for (auto kind : {StrategyKind::rolling, StrategyKind::blue_green, StrategyKind::canary}) {
    INFO(sluice::plan::to_string(kind));
    const auto& entry = sluice::engine::strategy_entry(kind);
    CHECK(entry.kind == kind);
    CHECK(entry.make != nullptr);
    CHECK(entry.versions != nullptr);
  }
  sluice::state::Record r;
  r.previous.deployment = "web";
  r.next.deployment = "web";
  auto roles = sluice::engine::strategy_entry(StrategyKind::canary).versions(r);
  REQUIRE(roles.size() == 2);
  CHECK(roles[0] == std::pair<std::string, std::string>{"web-canary", "canary"});
}
