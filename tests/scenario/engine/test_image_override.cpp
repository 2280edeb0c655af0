// `apply --image` / `--set` with the real binary: the override is checked like
// the plan file, recorded with the rollout, and resuming needs the same one.
#include "scenario/engine/world.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

using sluice::scenario::Json;
using sluice::scenario::wait_for_event;
using sluice::scenario::World;

namespace {

void freeze(World& w, bool frozen) {
  REQUIRE(w.sim.control("PUT", "freeze", {{"frozen", frozen}}).status == 200);
}

std::string message_of(const sluice::scenario::SluiceRun& run) {
  return run.last() != nullptr ? run.last()->value("message", "") : run.out + run.err;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("apply --image deploys that image; a rollout it started resumes only with the same --image",
          "[override]") {
  // Given a rolling rollout of web:3 started with --image over a plan that names web:2, killed mid-way
  World w;
  std::string in_file = w.image("web", "2");
  std::string digest = w.registry.push("web", "3");
  std::string given = w.registry.host() + "/web:3";
  auto plan = w.write_plan("web.yaml", w.rolling_plan(in_file));
  freeze(w, true);
  auto* first = w.start_sluice({"apply", plan, "--image", given});
  REQUIRE(wait_for_event(*first,
                         [](const Json& e) { return e["type"] == "progress" && e.value("step", 0) == 1; }));
  ::kill(first->pid(), SIGKILL);
  first->wait(std::chrono::seconds(5));
  freeze(w, false);
  CHECK(w.configmap("sluice-web")["data"].contains("rollout"));

  SECTION("apply without --image is refused, naming both images and how to resume") {
    auto again = w.sluice({"apply", plan});
    CHECK(again.exit_code == 2);
    std::string message = message_of(again);
    CHECK(contains(message, "an unfinished rollout of " + given));
    CHECK(contains(message, "this run would deploy " + in_file));
    CHECK(contains(message, "apply the same plan file with --image=" + given));
  }
  SECTION("apply with a different --image is refused, naming both images") {
    std::string other = w.image("web", "4");
    auto again = w.sluice({"apply", plan, "--image", other});
    CHECK(again.exit_code == 2);
    CHECK(contains(message_of(again), "an unfinished rollout of " + given));
    CHECK(contains(message_of(again), "this run would deploy " + other));
  }
  SECTION("apply with the same --image resumes and deploys it") {
    auto again = w.sluice({"apply", plan, "--image", given});
    REQUIRE(again.exit_code == 0);
    bool resumed = false;
    for (const auto& e : again.events)
      resumed = resumed || (e["type"] == "rollout_started" && e["resumed"] == true && e["image"] == given);
    CHECK(resumed);
    CHECK(w.serving_image("web") == w.registry.host() + "/web@" + digest);
  }
}

TEST_CASE("a bad --set or --image is a usage error naming the flag, and nothing is written", "[override]") {
  World w;
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));
  auto mark = w.audit_mark();

  auto bad_value = w.sluice({"apply", plan, "--set", "progressDeadline=10"});
  CHECK(bad_value.exit_code == 2);
  CHECK(contains(bad_value.out, R"("path":"--set progressDeadline")"));
  auto bad_field = w.sluice({"apply", plan, "--set", "metadata.name=other"});
  CHECK(bad_field.exit_code == 2);
  CHECK(contains(bad_field.out, "'metadata.name' cannot be set from the command line"));
  auto bad_image = w.sluice({"apply", plan, "--image", "Web:2"});
  CHECK(bad_image.exit_code == 2);
  CHECK(contains(bad_image.out, R"("path":"--image")"));

  CHECK(w.writes_to("/deployments/web", mark) == 0);
  CHECK(w.sim.get("/api/v1/namespaces/" + w.ns + "/configmaps/sluice-web").status == 404);
}
