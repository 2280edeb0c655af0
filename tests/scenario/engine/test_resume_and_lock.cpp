// Resume after kill -9, the lock between concurrent applies, and API faults.
#include "scenario/engine/world.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

#include <thread>

using sluice::scenario::Json;
using sluice::scenario::World;

namespace {

// Waits (bounded) until the running sluice has printed an event matching `pred`.
bool wait_for_event(sluice::test::Process& p, const std::function<bool(const Json&)>& pred,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    std::istringstream lines(p.stdout_text());
    for (std::string line; std::getline(lines, line);) {
      auto j = Json::parse(line, nullptr, false);
      if (!j.is_discarded() && pred(j)) return true;
    }
    if (!p.running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

auto step_started(int step) {
  return [step](const Json& e) { return e["type"] == "step_started" && e.value("step", 0) == step; };
}

void freeze(World& w, bool frozen) {
  REQUIRE(w.sim.control("PUT", "freeze", {{"frozen", frozen}}).status == 200);
}

}  // namespace

TEST_CASE("kill -9 at each blue-green step, then apply again: the rollout finishes") {
  World w;
  // CreatePreview, PointPreviewService, WaitPreviewReady, SwitchService, ScaleDownOld
  for (int step = 1; step <= 5; ++step) {
    DYNAMIC_SECTION("killed once step " << step << " started") {
      auto plan = w.write_plan("web.yaml", w.bluegreen_plan(w.image("web", "2"), true));
      auto* first = w.start_sluice({"apply", plan});
      bool seen = wait_for_event(*first, step_started(step));
      ::kill(first->pid(), SIGKILL);
      first->wait(std::chrono::seconds(5));
      INFO("step seen: " << seen);

      auto again = w.sluice({"apply", plan});

      REQUIRE(again.exit_code == 0);
      CHECK(w.serving_image("web").find("/web@sha256:") != std::string::npos);
      CHECK(w.serving_image("web") != w.first_image);
      CHECK(w.min_ready("web") >= 3);
    }
  }
}

TEST_CASE("kill -9 while waiting for the new version, then apply again: it resumes and finishes") {
  World w;
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));
  freeze(w, true);
  auto* first = w.start_sluice({"apply", plan});
  REQUIRE(wait_for_event(*first, step_started(2)));  // WaitRolledOut, held by the frozen controllers
  ::kill(first->pid(), SIGKILL);
  first->wait(std::chrono::seconds(5));
  freeze(w, false);

  auto again = w.sluice({"apply", plan});

  REQUIRE(again.exit_code == 0);
  bool resumed = false;
  for (const auto& e : again.events)
    resumed = resumed || (e["type"] == "rollout_started" && e["resumed"] == true);
  CHECK(resumed);
  CHECK(w.min_ready("web") >= 3);
}

TEST_CASE("two applies on one target: one proceeds, the other exits 5 naming the holder") {
  World w;
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));
  freeze(w, true);
  auto* first = w.start_sluice({"apply", "--lease-seconds", "3", plan});
  REQUIRE(wait_for_event(*first, step_started(2)));

  auto second = w.sluice({"apply", "--lease-seconds", "3", plan});

  CHECK(second.exit_code == 5);
  CHECK((*second.last())["message"].get<std::string>().find("locked by") != std::string::npos);
  freeze(w, false);
  CHECK(first->wait(std::chrono::seconds(30)) == 0);
}

TEST_CASE("API faults during a rollout do not change its outcome") {
  World w;
  auto plan = w.write_plan("web.yaml", w.bluegreen_plan(w.image("web", "2"), true));
  auto fault = [&](const Json& rule) { REQUIRE(w.sim.control("POST", "faults", rule).status == 201); };
  // A 5xx burst as an overloaded API server sends it (with Retry-After), and 5xx on writes without it.
  fault(
      {{"verb", "get"}, {"path", "/deployments/"}, {"count", 2}, {"status", 503}, {"retryAfterSeconds", 1}});
  fault({{"verb", "patch"}, {"path", "/scale$"}, {"count", 1}, {"status", 500}});
  fault({{"verb", "create"}, {"path", "/deployments$"}, {"count", 1}, {"status", 503}});
  fault({{"verb", "update"}, {"path", "/services/web$"}, {"count", 1}, {"status", 409}});
  fault({{"verb", "update"}, {"path", "/configmaps/"}, {"count", 2}, {"status", 409}});
  freeze(w, true);
  auto* run = w.start_sluice({"apply", plan});
  bool waiting = wait_for_event(*run, step_started(3));
  INFO(run->stdout_text() << run->stderr_text());
  REQUIRE(waiting);
  REQUIRE(w.sim.control("POST", "watches/drop").status == 200);
  freeze(w, false);

  CHECK(run->wait(std::chrono::seconds(30)) == 0);
  CHECK(w.serving_image("web") != w.first_image);
  CHECK(w.min_ready("web") >= 3);
}
