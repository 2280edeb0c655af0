#include <sluice/kube/retry.hpp>

#include <catch2/catch.hpp>

using sluice::kube::ConflictBackoff;
using sluice::kube::retry_on_conflict;
using sluice::util::Duration;
using sluice::util::ErrorKind;
using sluice::util::make_error;
using sluice::util::ManualClock;
using sluice::util::Result;

TEST_CASE("retry_on_conflict re-runs on conflict up to client-go's 5 attempts", "[kube][retry]") {
  ManualClock clock;
  int calls = 0;
  auto result = retry_on_conflict(
      [&]() -> Result<int> {
        ++calls;
        return make_error(ErrorKind::conflict, "the object has been modified");
      },
      clock);
  CHECK_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::conflict);
  CHECK(calls == 5);
  // Four waits of 10 ms plus at most 10% jitter each.
  auto waited = clock.now() - sluice::util::TimePoint{};
  CHECK(waited >= Duration{40});
  CHECK(waited <= Duration{44});
}

TEST_CASE("retry_on_conflict returns at once on success or another error", "[kube][retry]") {
  ManualClock clock;
  int calls = 0;
  auto ok = retry_on_conflict(
      [&]() -> Result<int> {
        ++calls;
        if (calls < 3) return make_error(ErrorKind::conflict, "stale");
        return 7;
      },
      clock);
  REQUIRE(ok.ok());
  CHECK(*ok == 7);
  CHECK(calls == 3);

  calls = 0;
  auto status = retry_on_conflict(
      [&]() -> sluice::util::Status {
        ++calls;
        return make_error(ErrorKind::not_found, "gone");
      },
      clock);
  CHECK(status.error().kind == ErrorKind::not_found);
  CHECK(calls == 1);
}

TEST_CASE("conflict backoff grows by factor and adds jitter", "[kube][retry]") {
  ConflictBackoff backoff{5, Duration{10}, 2.0, 0.5};
  CHECK(sluice::kube::conflict_backoff_delay(backoff, 1, 0.0) == Duration{10});
  CHECK(sluice::kube::conflict_backoff_delay(backoff, 3, 0.0) == Duration{40});
  CHECK(sluice::kube::conflict_backoff_delay(backoff, 3, 1.0) == Duration{60});
}
