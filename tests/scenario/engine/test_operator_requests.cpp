// An operator's `abort` and `promote` reach a rollout that another process
// (a CI job) is running: the request goes into the rollout record, the
// running process acts on it at once, and the operator's command reports
// what came of it.
#include "scenario/engine/world.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

#include <thread>

using sluice::scenario::Json;
using sluice::scenario::wait_for_event;
using sluice::scenario::World;

namespace {

auto pause_started = [](const Json& e) {
  return e["type"] == "step_started" && e.value("stepName", "").find("Pause") != std::string::npos;
};

}  // namespace

TEST_CASE("abort from another process reaches a running apply: it rolls back at once and exits 3") {
  // Given a canary that a CI job is running, in a long pause at 50%
  World w(4);
  auto plan = w.write_plan(
      "web.yaml", w.canary_plan(w.image("web", "2"),
                                "    steps:\n      - setWeight: 50\n      - pause: {duration: 10m}\n"));
  auto* ci = w.start_sluice({"apply", plan, "--lease-seconds", "5"});
  REQUIRE(wait_for_event(*ci, pause_started));

  // When an operator aborts it from another process
  auto started = std::chrono::steady_clock::now();
  auto aborted = w.sluice({"abort", "web", "-n", w.ns, "--lease-seconds", "5"});

  // Then the running apply rolls back and exits 3, the operator's abort exits 0 (stable serves),
  // and the Service kept its floor all along
  CHECK(aborted.exit_code == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));  // not the 10 min pause
  auto ci_exit = ci->wait(std::chrono::seconds(20));
  REQUIRE(ci_exit.has_value());
  CHECK(*ci_exit == 3);
  auto status = w.sluice({"status", "web", "-n", w.ns});
  CHECK(status.exit_code == 3);
  CHECK(status.events.back()["rollout"]["phase"] == "Aborted");
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.deployment("web")["spec"]["replicas"] == 4);
  CHECK(w.min_ready("web") >= 4);
}

TEST_CASE("promote from another process ends a running apply's timed pause") {
  // Given a canary that a CI job is running, in a long pause at 50%
  World w(4);
  auto plan = w.write_plan("web.yaml",
                           w.canary_plan(w.image("web", "2"),
                                         "    steps:\n      - setWeight: 50\n      - pause: {duration: 10m}\n"
                                         "      - setWeight: 100\n"));
  auto* ci = w.start_sluice({"apply", plan, "--lease-seconds", "5"});
  REQUIRE(wait_for_event(*ci, pause_started));

  // When an operator promotes it from another process
  auto promoted = w.sluice({"promote", "web", "-n", w.ns});

  // Then the promote exits 0 and the running apply goes on to the end
  CHECK(promoted.exit_code == 0);
  auto ci_exit = ci->wait(std::chrono::seconds(30));
  REQUIRE(ci_exit.has_value());
  CHECK(*ci_exit == 0);
  CHECK(w.serving_image("web") != w.first_image);
  CHECK(w.min_ready("web") >= 4);
}

TEST_CASE("abort of a rollout no process runs any more takes it back directly") {
  // Given a blue-green rollout whose process was killed (the record says Progressing)
  World w;
  auto plan = w.write_plan("web.yaml", w.bluegreen_plan(w.image("web", "2"), false));
  auto* ci = w.start_sluice({"apply", plan, "--lease-seconds", "2"});
  REQUIRE(wait_for_event(
      *ci, [](const Json& e) { return e["type"] == "step_started" && e.value("step", 0) == 3; }));
  ::kill(ci->pid(), SIGKILL);
  ci->wait(std::chrono::seconds(5));

  // When an operator aborts it
  auto aborted = w.sluice({"abort", "web", "-n", w.ns, "--lease-seconds", "2"});

  // Then it is rolled back by this process, and status says so
  CHECK(aborted.exit_code == 0);
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.sluice({"status", "web", "-n", w.ns}).exit_code == 3);
  CHECK(w.min_ready("web") >= 3);
}
