// The engine tier: whole rollouts of each strategy run in this process
// against an embedded kubesim, read as given / when / then. Fast (no child
// processes, pods start in 20 ms), so the strategy drivers are tested here
// first; the scenario tier runs the real binary.
#include "engine/engine_world.hpp"

#include <sluice/engine/strategy_driver.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/plan/parser.hpp>
#include <sluice/state/record_store.hpp>
#include <sluice/util/exit_code.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <vector>

using namespace engine_test;
using sluice::state::RecordPhase;

namespace {

const std::string k_rolling = "  rolling:\n    maxSurge: 1\n    maxUnavailable: 0\n";
const std::string k_blue_green = "  blueGreen:\n    scaleDownDelay: 0s\n";
const std::string k_canary = "  canary:\n    steps:\n      - setWeight: 50\n";

// Each strategy, given web at v1 (4 replicas), applied with a healthy and a
// crashing version: how the run ends, what web runs after, and what else must
// hold for that strategy.
struct Row {
  const char* what;
  const std::string& strategy;
  const std::string& image;
  int exit_code;
  RecordPhase phase;
  const std::string& web_runs;
  std::function<void(EngineWorld&)> then;
};

std::string selector_version(EngineWorld& world) {
  auto selector = world.service("web").value("/spec/selector"_json_pointer, Json::object());
  return selector.value("sluice.io/version", std::string());
}

int replicas(EngineWorld& world, const std::string& name) {
  return world.deployment(name).value("/spec/replicas"_json_pointer, -1);
}

const std::vector<Row>& rows() {
  using sluice::k_exit_ok;
  using sluice::k_exit_rolled_back;
  static const std::vector<Row> table = {
      {"rolling moves the Deployment, with the plan's progress deadline", k_rolling, k_v2, k_exit_ok,
       RecordPhase::healthy, k_v2,
       [](EngineWorld& w) {
         CHECK(w.deployment("web").value("/spec/progressDeadlineSeconds"_json_pointer, 0) == 20);
         auto back = w.rollback();  // and a human's rollback returns it
         CHECK(back.exit_code == k_exit_ok);
         CHECK(w.image_of("web") == k_v1);
       }},
      {"rolling of a crashing version rolls back by itself", k_rolling, k_bad, k_exit_rolled_back,
       RecordPhase::rolled_back, k_v1,
       [](EngineWorld& w) { CHECK(w.saw_event(sluice::report::EventType::rolled_back)); }},
      {"blue-green switches the Service in one write and retires the old version", k_blue_green, k_v2,
       k_exit_ok, RecordPhase::healthy, k_v1,
       [](EngineWorld& w) {
         std::string version = selector_version(w);
         REQUIRE_FALSE(version.empty());
         CHECK(w.image_of("web-" + version) == k_v2);
         CHECK(replicas(w, "web") == 0);
       }},
      {"blue-green of a crashing version never moves the Service", k_blue_green, k_bad, k_exit_rolled_back,
       RecordPhase::rolled_back, k_v1,
       [](EngineWorld& w) {
         CHECK(selector_version(w).empty());
         CHECK(replicas(w, "web") == 4);
       }},
      // Issue 13: canary promotion wrote the rolling-update spec without
      // progressDeadlineSeconds (rolling wrote it): one helper writes both now.
      {"canary promotion moves stable with the plan's surge limits and progress deadline", k_canary, k_v2,
       k_exit_ok, RecordPhase::healthy, k_v2,
       [](EngineWorld& w) {
         auto stable = w.deployment("web");
         CHECK(stable.value("/spec/progressDeadlineSeconds"_json_pointer, 0) == 20);
         CHECK(stable.value("/spec/strategy/type"_json_pointer, std::string()) == "RollingUpdate");
         CHECK(replicas(w, "web-canary") == 0);
       }},
      {"a crashing canary rolls back: stable at full size, the canary at 0", k_canary, k_bad,
       k_exit_rolled_back, RecordPhase::rolled_back, k_v1,
       [](EngineWorld& w) {
         CHECK(replicas(w, "web") == 4);
         CHECK(replicas(w, "web-canary") == 0);
       }},
  };
  return table;
}

}  // namespace

TEST_CASE("engine: each strategy with a healthy and a crashing version",
          "[engine][rolling][blueGreen][canary]") {
  for (const auto& row : rows()) {
    DYNAMIC_SECTION(row.what) {
      EngineWorld world;                                                   // given web at v1
      auto out = world.apply(EngineWorld::plan(row.image, row.strategy));  // when the plan is applied
      INFO(out.message);
      INFO(world.describe());
      CHECK(out.exit_code == row.exit_code);  // then
      CHECK(out.phase == row.phase);
      CHECK(world.image_of("web") == row.web_runs);
      row.then(world);
    }
  }
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

// Issue 13: `status` read the record ConfigMap itself; RecordStore is now the
// only reader, and gives `status --watch` the resourceVersion to watch from.
TEST_CASE("engine: status and history read the record through the record store", "[engine]") {
  EngineWorld world;
  REQUIRE(world.apply(EngineWorld::plan(k_v2, k_rolling)).exit_code == sluice::k_exit_ok);
  auto& clock = sluice::util::system_clock();
  auto view = sluice::engine::read_status(world.kube(), clock, world.ns, "web");
  REQUIRE(view.ok());
  REQUIRE(view->record);
  CHECK(view->record->phase == RecordPhase::healthy);
  CHECK(view->exit_code == sluice::k_exit_ok);
  auto cm = world.kube().get(sluice::kube::k_configmaps, world.ns, "sluice-web");
  REQUIRE(cm.ok());
  CHECK(view->resource_version == cm->value("/metadata/resourceVersion"_json_pointer, std::string()));

  auto history = sluice::engine::read_history(world.kube(), clock, world.ns, "web");
  REQUIRE(history.ok());
  CHECK(history->size() == 1);
  auto missing = sluice::engine::read_history(world.kube(), clock, world.ns, "ghost");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == sluice::util::ErrorKind::not_found);
  CHECK(missing.error().message == "no rollout named ghost in namespace shop");
}

// Rolling was two steps (UpdateTemplate, WaitRolledOut) before it was one
// (RollOut): a record an older sluice left waiting must resume at RollOut,
// not at the index that is now Finish (which would call v1 healthy as v2).
TEST_CASE("engine: a rolling record an older sluice left at WaitRolledOut resumes at RollOut",
          "[engine][rolling][resume]") {
  EngineWorld world;  // given web at v1 and an old record: template step done, waiting
  std::string plan_yaml = EngineWorld::plan(k_v2, k_rolling);
  auto parsed = sluice::plan::parse_plan(plan_yaml, "plan.yaml");
  REQUIRE(parsed.ok());
  sluice::state::Record old;
  old.name = "web";
  old.ns = world.ns;
  old.rollout_id = 1;
  old.plan_hash = parsed.plan->source_hash;
  old.plan_text = plan_yaml;
  old.image = k_v2;
  old.digest = k_v2;
  old.step_index = 1;
  old.steps = {{"UpdateTemplate", sluice::state::StepState::done, "", "", ""},
               {"WaitRolledOut", sluice::state::StepState::running, "", "", ""},
               {"Finish", sluice::state::StepState::pending, "", "", ""}};
  old.previous.image = k_v1;
  sluice::state::RecordStore store(world.kube(), sluice::util::system_clock(), world.ns, "web");
  REQUIRE(store.save(old).ok());

  auto out = world.apply(plan_yaml);  // when apply runs again

  INFO(out.message << "\n" << world.describe());
  REQUIRE(out.exit_code == sluice::k_exit_ok);  // then it rolls v2 out, not just records it
  CHECK(world.image_of("web") == k_v2);
  auto rec = store.load();
  REQUIRE(rec.ok());
  REQUIRE(rec->has_value());
  CHECK((**rec).steps.size() == 2);
  CHECK((**rec).steps[0].name == "RollOut");
  CHECK((**rec).steps[0].state == sluice::state::StepState::done);
}
