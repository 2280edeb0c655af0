// A blue-green abort writes the live Service first, before the lock and the
// record (issue 15). These cases stop it right after that write: the lock
// cannot be taken (kubesim answers every Lease request 503), so the record
// still says Paused while the Service carries the abort. Whatever runs next
// must read the cluster as "being aborted": status shows it, and both `abort`
// and `apply` of the same plan finish the abort instead of going on.
#include "engine/engine_world.hpp"

#include <sluice/engine/commands.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/util/exit_code.hpp>

#include <httplib.h>
#include <catch2/catch.hpp>

using namespace engine_test;

namespace {

const std::string k_paused_blue_green = "  blueGreen:\n    autoPromote: false\n    scaleDownDelay: 0s\n";

void refuse_leases(EngineWorld& world, bool on) {
  httplib::Client cli(world.sim().url());
  if (!on) {
    REQUIRE(cli.Delete("/kubesim/v1/faults")->status == 200);
    return;
  }
  Json rule{{"verb", "*"}, {"path", "/leases"}, {"count", -1}, {"status", 503}};
  auto res = cli.Post("/kubesim/v1/faults", rule.dump(), "application/json");
  REQUIRE(res);
  REQUIRE(res->status < 300);
}

std::string aborted_mark(EngineWorld& world) {
  return world.service("web")
      .value("/metadata/annotations"_json_pointer, Json::object())
      .value("sluice.io/aborted", "");
}

}  // namespace

TEST_CASE("engine: a blue-green abort stopped right after its Service write is finished by the next command",
          "[engine][blueGreen][abort]") {
  EngineWorld world;  // given a blue-green rollout paused before its switch
  std::string plan = EngineWorld::plan(k_v2, k_paused_blue_green);
  REQUIRE(world.apply(plan).exit_code == sluice::k_exit_paused);
  Json before = world.service("web").at("spec").at("selector");

  // when an abort writes the Service, then cannot take the lock
  refuse_leases(world, true);
  world.new_process();
  auto stopped = world.abort();
  refuse_leases(world, false);
  INFO(stopped.message);
  REQUIRE(stopped.exit_code == sluice::k_exit_preflight);
  CHECK(aborted_mark(world) == "web/1");
  CHECK(world.service("web").at("spec").at("selector") == before);

  // then status says it is being rolled back, not paused
  auto view = engine::read_status(world.kube(), sluice::util::system_clock(), world.ns, "web");
  REQUIRE(view);
  REQUIRE(view->record);
  CHECK(view->record->phase == sluice::state::RecordPhase::rolling_back);
  CHECK(view->record->message.find("aborting") != std::string::npos);

  // and the next command finishes the abort
  world.new_process();
  SECTION("abort again") {
    auto out = world.abort();
    INFO(out.message);
    CHECK(out.exit_code == sluice::k_exit_ok);
    CHECK(out.phase == sluice::state::RecordPhase::aborted);
  }
  SECTION("apply of the same plan") {
    auto out = world.apply(plan);
    INFO(out.message);
    CHECK(out.exit_code == sluice::k_exit_rolled_back);
    CHECK(out.phase == sluice::state::RecordPhase::aborted);
  }
  SECTION("promote") {
    auto out = world.promote();
    INFO(out.message);
    CHECK(out.exit_code == sluice::k_exit_rolled_back);
    CHECK(out.phase == sluice::state::RecordPhase::aborted);
  }
  CHECK(world.service("web").at("spec").at("selector") == before);
  CHECK(world.image_of("web") == k_v1);
  Json preview = world.deployment(engine::preview_name("web", engine::version_id(k_v2)));
  CHECK(preview.value("/spec/replicas"_json_pointer, -1) == 0);
}
