#include <sluice/kube/rate_limiter.hpp>

#include <catch2/catch.hpp>

using sluice::kube::TokenBucket;
using sluice::util::Duration;
using sluice::util::ManualClock;

TEST_CASE("the token bucket allows a burst, then qps per second", "[kube][rate]") {
  ManualClock clock;
  TokenBucket bucket(50, 100, clock);
  for (int i = 0; i < 100; ++i) REQUIRE(bucket.reserve() == Duration{0});
  CHECK(bucket.reserve() == Duration{20});  // 1/50 s
  CHECK(bucket.reserve() == Duration{40});  // queued behind the previous reservation
  clock.advance(Duration{40});
  CHECK(bucket.reserve() == Duration{20});
}

TEST_CASE("tokens refill up to the burst, no further", "[kube][rate]") {
  ManualClock clock;
  TokenBucket bucket(10, 2, clock);
  CHECK(bucket.reserve() == Duration{0});
  CHECK(bucket.reserve() == Duration{0});
  CHECK(bucket.reserve() == Duration{100});
  clock.advance(Duration{10000});
  CHECK(bucket.reserve() == Duration{0});
  CHECK(bucket.reserve() == Duration{0});
  CHECK(bucket.reserve() == Duration{100});
}

TEST_CASE("acquire waits on the injected clock", "[kube][rate]") {
  ManualClock clock;
  TokenBucket bucket(5, 1, clock);
  auto start = clock.now();
  REQUIRE(bucket.acquire());
  REQUIRE(bucket.acquire());
  CHECK(clock.now() - start == Duration{200});
}

TEST_CASE("qps <= 0 disables the limit", "[kube][rate]") {
  ManualClock clock;
  TokenBucket bucket(0, 1, clock);
  for (int i = 0; i < 1000; ++i) REQUIRE(bucket.reserve() == Duration{0});
}
