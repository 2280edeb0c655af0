// `sluice doctor PLAN` as a user runs it before a rollout: the real binary
// against the world's kubesim and docker-registry.
#include "scenario/engine/world.hpp"

#include <catch2/catch.hpp>

using sluice::scenario::Json;
using sluice::scenario::World;

TEST_CASE("doctor PLAN with a tag the registry does not have fails on one line naming the image: exit 6") {
  // Given the world's target and a plan for a tag that was never pushed
  World w;
  w.image("web", "2");  // the repository exists; only the tag is missing
  std::string missing = w.registry.host() + "/web:404";
  auto plan = w.write_plan("web.yaml", w.rolling_plan(missing));

  // When doctor checks the plan
  auto run = w.sluice({"doctor", plan});
  INFO(run.out << run.err);

  // Then it exits 6 and exactly one check failed: the image, saying which tag is missing
  CHECK(run.exit_code == 6);
  std::vector<Json> failed;
  for (const auto& e : run.events) {
    if (e.value("kind", "") == "check" && !e.value("ok", true)) failed.push_back(e);
  }
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["check"] == "image " + missing);
  CHECK(failed[0]["detail"] == "tag \"404\" not found");
  CHECK(run.last() != nullptr);
  CHECK((*run.last())["exitCode"] == 6);
}
