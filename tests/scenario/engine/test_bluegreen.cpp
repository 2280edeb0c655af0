// Blue-green rollouts on kubesim, driven by the real sluice binary.
#include "scenario/engine/world.hpp"

#include <catch2/catch.hpp>

using sluice::scenario::Json;
using sluice::scenario::World;

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
