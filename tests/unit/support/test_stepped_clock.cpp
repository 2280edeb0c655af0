// The engine tier's clock (support/stepped_clock) is itself tested: a test
// that relied on a clock that never ends a sleep, or ends it early, could not fail.
#include "support/stepped_clock.hpp"

#include <catch2/catch.hpp>

#include <future>

using namespace std::chrono_literals;
using sluice::test::SteppedClock;
using sluice::util::Duration;

TEST_CASE("a stepped clock ends a sleep only once advanced past its end") {
  SteppedClock clock;
  auto start = clock.now();
  auto slept = std::async(std::launch::async, [&] { return clock.sleep_for(10min); });
  REQUIRE(clock.wait_for_sleep([](Duration d) { return d == 10min; }));
  clock.advance(9min);
  REQUIRE(clock.wait_for_sleep([](Duration d) { return d == 1min; }));
  CHECK(slept.wait_for(20ms) == std::future_status::timeout);
  clock.advance(1min);
  CHECK(slept.get());
  CHECK(clock.now() - start == 10min);
}

TEST_CASE("a stepped clock's sleep ends early when its token is cancelled") {
  SteppedClock clock;
  sluice::util::CancelToken token;
  auto slept = std::async(std::launch::async, [&] { return clock.sleep_for(1h, &token); });
  REQUIRE(clock.wait_for_sleep([](Duration d) { return d == 1h; }));
  token.cancel();
  CHECK_FALSE(slept.get());
}

TEST_CASE("a stepped clock lets a backoff's short sleep pass in real time without moving") {
  SteppedClock clock;
  auto start = clock.now();
  CHECK(clock.sleep_for(5ms));
  CHECK(clock.now() == start);
  CHECK_FALSE(clock.wait_for_sleep([](Duration) { return true; }, 10ms));
}
