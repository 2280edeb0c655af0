// The engine tier on a clock the test moves (support/stepped_clock): timed
// pauses end when the clock says, and a resumed pause waits only what is left.
// Nothing here sleeps for the pause in real time.
#include "engine/engine_world.hpp"
#include "support/stepped_clock.hpp"

#include <sluice/util/exit_code.hpp>

#include <catch2/catch.hpp>

#include <future>

using namespace engine_test;
using namespace std::chrono_literals;
using sluice::test::SteppedClock;
using sluice::util::Duration;

namespace {

const std::string k_paused_canary =
    "  canary:\n    steps:\n      - setWeight: 50\n      - pause: {duration: 10m}\n      - setWeight: 100\n";

// True when a sleep's time left is `left`, to the second (a resumed pause
// counts from a start stored in microseconds).
auto about(Duration left) {
  return [left](Duration d) { return d <= left && d > left - 1s; };
}

// A lock that needs no renewal while the test moves the clock by minutes.
EngineWorld& with_long_lease(EngineWorld& world) {
  world.options().lease_duration = std::chrono::hours(24);
  return world;
}

}  // namespace

TEST_CASE("engine: a canary's timed pause ends when the clock says, and not before",
          "[engine][canary][time]") {
  SteppedClock clock;
  EngineWorld world(4, &clock);
  with_long_lease(world);
  // given a canary at 50% in a 10-minute pause
  auto run =
      std::async(std::launch::async, [&] { return world.apply(EngineWorld::plan(k_v2, k_paused_canary)); });
  REQUIRE(clock.wait_for_sleep(about(10min)));
  CHECK(world.deployment("web-canary").value("/spec/replicas"_json_pointer, -1) == 2);

  // when 9 minutes pass, the pause waits on for the last minute
  clock.advance(9min);
  REQUIRE(clock.wait_for_sleep(about(1min)));
  CHECK(run.wait_for(0s) == std::future_status::timeout);

  // then the last minute ends it and the canary is promoted
  clock.advance(1min);
  auto out = run.get();
  INFO(out.message);
  CHECK(out.exit_code == sluice::k_exit_ok);
  CHECK(world.image_of("web") == k_v2);
}

TEST_CASE("engine: a pause resumed after an interruption waits only what is left of it",
          "[engine][canary][time]") {
  SteppedClock clock;
  EngineWorld world(4, &clock);
  with_long_lease(world);
  auto first =
      std::async(std::launch::async, [&] { return world.apply(EngineWorld::plan(k_v2, k_paused_canary)); });
  REQUIRE(clock.wait_for_sleep(about(10min)));
  // given 4 minutes of the pause passed when the run was interrupted
  clock.advance(4min);
  REQUIRE(clock.wait_for_sleep(about(6min)));
  world.interrupt("SIGTERM");
  REQUIRE(first.get().exit_code == sluice::k_exit_interrupted);

  // when the same plan is applied again, its pause has 6 minutes left, not 10
  auto second =
      std::async(std::launch::async, [&] { return world.apply(EngineWorld::plan(k_v2, k_paused_canary)); });
  // (the lock's renewal sleeps too, for hours: not a pause's length)
  auto left = clock.wait_for_sleep([](Duration d) { return d > 1min && d <= 10min; });
  REQUIRE(left);
  CHECK(*left <= 6min);
  CHECK(*left > 6min - 1s);

  // then 6 minutes end it
  clock.advance(6min);
  auto out = second.get();
  INFO(out.message);
  CHECK(out.exit_code == sluice::k_exit_ok);
  CHECK(world.image_of("web") == k_v2);
}
