// Issue 17: `sluice diff` / `apply --dry-run` show what apply's first step
// would change, asked of the API server with dryRun=All. Each case checks
// the printed diff and, from kubesim's audit, that every write carried
// dryRun and that nothing stored moved (the store's resourceVersion).
#include "engine/engine_world.hpp"

#include <sluice/kube/resources.hpp>
#include <sluice/report/events.hpp>
#include <sluice/util/exit_code.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace engine_test;
using sluice::report::EventType;

namespace {

const std::string k_rolling = "  rolling:\n    maxSurge: 1\n    maxUnavailable: 0\n";
const std::string k_blue_green = "  blueGreen:\n    autoPromote: false\n    scaleDownDelay: 0s\n";
const std::string k_canary = "  canary:\n    steps:\n      - setWeight: 50\n      - pause: {}\n";

bool is_write(const Json& r) {
  const std::string verb = r.value("verb", "");
  return verb == "create" || verb == "update" || verb == "patch" || verb == "delete";
}

// The writes among `requests`, one line each, and whether each was a dry run.
struct Writes {
  int total = 0;
  int dry = 0;
  std::string log;
};

Writes writes_in(const Json& requests) {
  Writes w;
  for (const auto& r : requests) {
    if (!is_write(r)) continue;
    ++w.total;
    w.dry += r.value("dryRun", false) ? 1 : 0;
    w.log += r.value("verb", "") + " " + r.value("path", "") + "?" + r.value("query", "") + "\n";
  }
  return w;
}

// The store's resourceVersion: any stored change moves it.
std::string store_version(EngineWorld& world) {
  auto list = world.kube().list(sluice::kube::k_configmaps, world.ns);
  return list ? list->value("/metadata/resourceVersion"_json_pointer, std::string()) : "";
}

std::vector<Json> diffs(EngineWorld& world) {
  std::vector<Json> out;
  for (const auto& e : world.events().events)
    if (e.type == EventType::diff) out.push_back(e.data);
  return out;
}

std::string messages(EngineWorld& world) {
  std::string text;
  for (const auto& e : world.events().events) text += e.message + "\n";
  return text;
}

// Runs the dry run and checks it wrote nothing: every write a dry run, the store unmoved.
sluice::engine::DryRunOutcome dry_run_writing_nothing(EngineWorld& world, const std::string& plan) {
  std::string before = store_version(world);
  auto mark = world.audit_mark();
  auto out = world.dry_run(plan);
  Writes w = writes_in(world.requests_since(mark));
  INFO(w.log);
  CHECK(w.total > 0);
  CHECK(w.dry == w.total);
  CHECK(store_version(world) == before);
  return out;
}

}  // namespace

TEST_CASE("engine: diff of a rolling plan shows the template's new image and writes nothing",
          "[engine][rolling][dryrun]") {
  EngineWorld world;                                                              // given web running v1
  auto out = dry_run_writing_nothing(world, EngineWorld::plan(k_v2, k_rolling));  // when diffed for v2
  INFO(messages(world));
  REQUIRE(out.outcome.exit_code == sluice::k_exit_ok);
  CHECK(out.changed == 1);
  auto found = diffs(world);
  REQUIRE(found.size() == 1);
  CHECK(found[0]["kind"] == "Deployment");
  CHECK(found[0]["name"] == "web");
  CHECK(found[0]["action"] == "update");
  const std::string diff = found[0]["diff"];
  CHECK(diff.rfind("--- Deployment shop/web (live)\n+++ Deployment shop/web (dry run)\n@@ ", 0) == 0);
  CHECK(diff.find("\n-      - image: " + k_v1 + "\n") != std::string::npos);
  CHECK(diff.find("\n+      - image: " + k_v2 + "\n") != std::string::npos);
  CHECK(diff.find("+  progressDeadlineSeconds: 20\n") != std::string::npos);
  CHECK(diff.find("resourceVersion") == std::string::npos);
  CHECK(diff.find("managedFields") == std::string::npos);
  CHECK(world.image_of("web") == k_v1);  // then nothing changed
  CHECK_FALSE(world.saw_event(EventType::rollout_started));
}

TEST_CASE("engine: diff of a blue-green plan creates the new version's Deployment and pins the Service",
          "[engine][blueGreen][dryrun]") {
  EngineWorld world;
  auto out = dry_run_writing_nothing(world, EngineWorld::plan(k_v2, k_blue_green));
  INFO(messages(world));
  REQUIRE(out.outcome.exit_code == sluice::k_exit_ok);
  auto found = diffs(world);
  REQUIRE(found.size() == 2);
  CHECK(found[0]["kind"] == "Service");
  CHECK(found[0]["action"] == "update");
  CHECK(found[0]["diff"].get<std::string>().find("+    pod-template-hash: ") != std::string::npos);
  CHECK(found[1]["kind"] == "Deployment");
  CHECK(found[1]["action"] == "create");
  const std::string name = found[1]["name"];
  CHECK(name.rfind("web-", 0) == 0);
  const std::string diff = found[1]["diff"];
  CHECK(diff.rfind("--- Deployment shop/" + name + " (new object)\n", 0) == 0);
  CHECK(diff.find("\n+      - image: " + k_v2 + "\n") != std::string::npos);
  CHECK(world.deployment(name).is_null());  // then it does not exist
  CHECK(world.service("web")["spec"]["selector"] == Json{{"app", "web"}});
}

TEST_CASE("engine: diff of a canary plan creates the canary Deployment with no pods",
          "[engine][canary][dryrun]") {
  EngineWorld world;
  auto out = dry_run_writing_nothing(world, EngineWorld::plan(k_v2, k_canary));
  INFO(messages(world));
  REQUIRE(out.outcome.exit_code == sluice::k_exit_ok);
  auto found = diffs(world);
  REQUIRE(found.size() == 1);
  CHECK(found[0]["name"] == "web-canary");
  CHECK(found[0]["action"] == "create");
  const std::string diff = found[0]["diff"];
  CHECK(diff.find("\n+  replicas: 0\n") != std::string::npos);
  CHECK(diff.find("\n+      - image: " + k_v2 + "\n") != std::string::npos);
  CHECK(world.deployment("web-canary").is_null());
}

TEST_CASE("engine: diff of a plan whose image already serves changes nothing", "[engine][dryrun]") {
  EngineWorld world;
  std::string before = store_version(world);
  auto mark = world.audit_mark();
  auto out = world.dry_run(EngineWorld::plan(k_v1, k_rolling));
  CHECK(out.outcome.exit_code == sluice::k_exit_ok);
  CHECK(out.changed == 0);
  CHECK(out.outcome.message == "no change: web already runs " + k_v1);
  CHECK(diffs(world).empty());
  CHECK(writes_in(world.requests_since(mark)).total == 0);
  CHECK(store_version(world) == before);
}

TEST_CASE("engine: diff of a paused rollout names it and how to see it", "[engine][blueGreen][dryrun]") {
  EngineWorld world;  // given a blue-green rollout to v2 paused before its switch
  REQUIRE(world.apply(EngineWorld::plan(k_v2, k_blue_green)).exit_code == sluice::k_exit_paused);
  world.events().events.clear();
  world.new_process();
  auto out = dry_run_writing_nothing(world, EngineWorld::plan(k_v2, k_blue_green));
  CHECK(out.outcome.exit_code == sluice::k_exit_ok);
  std::string text = messages(world);
  INFO(text);
  CHECK(text.find("rollout web #1 of " + k_v2 + " is in progress (Paused, step ") != std::string::npos);
  CHECK(text.find("`sluice status web -n shop` shows it") != std::string::npos);
  CHECK(out.changed == 0);  // the first step's writes are all made already
}
