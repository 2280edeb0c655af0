#include <sluice/util/backoff.hpp>

#include <catch2/catch.hpp>

using namespace sluice::util;

TEST_CASE("doubling_backoff doubles per attempt up to the cap") {
  Duration base{100}, cap{1000};
  CHECK(doubling_backoff(base, 1, cap) == Duration{100});
  CHECK(doubling_backoff(base, 2, cap) == Duration{200});
  CHECK(doubling_backoff(base, 4, cap) == Duration{800});
  CHECK(doubling_backoff(base, 5, cap) == Duration{1000});
  CHECK(doubling_backoff(base, 1000, cap) == Duration{1000});  // no overflow on long retry runs
  CHECK(doubling_backoff(Duration{2000}, 1, cap) == Duration{1000});
}

TEST_CASE("doubling_backoff reproduces each client's former schedule") {
  SECTION("registry: 500 ms doubling to 8 s") {
    CHECK(doubling_backoff(Duration{500}, 1, Duration{8000}) == Duration{500});
    CHECK(doubling_backoff(Duration{500}, 5, Duration{8000}) == Duration{8000});
    CHECK(doubling_backoff(Duration{500}, 9, Duration{8000}) == Duration{8000});
  }
  SECTION("Kubernetes API: 100 ms doubling to 25.6 s") {
    CHECK(doubling_backoff(Duration{100}, 9, Duration{25600}) == Duration{25600});
    CHECK(doubling_backoff(Duration{100}, 12, Duration{25600}) == Duration{25600});
  }
  SECTION("guarded writes: 10 ms doubling to 1 s") {
    CHECK(doubling_backoff(Duration{10}, 3, Duration{1000}) == Duration{40});
    CHECK(doubling_backoff(Duration{10}, 8, Duration{1000}) == Duration{1000});
  }
}

TEST_CASE("equal_jitter keeps the wait in the upper half of the delay") {
  CHECK(equal_jitter(Duration{1000}, 0.0) == Duration{500});
  CHECK(equal_jitter(Duration{1000}, 0.5) == Duration{750});
  CHECK(equal_jitter(Duration{1000}, 0.999) == Duration{999});
  CHECK(equal_jitter(Duration{0}, 0.7) == Duration{0});
}
