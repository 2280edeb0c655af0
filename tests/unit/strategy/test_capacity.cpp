#include <sluice/strategy/capacity.hpp>

#include <catch2/catch.hpp>

using sluice::plan::IntOrPercent;
using namespace sluice::strategy;

TEST_CASE("the serving floor is desired minus maxUnavailable, never below one") {
  struct Row {
    int desired;
    IntOrPercent max_unavailable;
    std::optional<IntOrPercent> min_available;
    int floor;
  };
  auto row = GENERATE(values<Row>({
      {4, {0, false}, std::nullopt, 4},
      {4, {1, false}, std::nullopt, 3},
      {4, {25, true}, std::nullopt, 3},
      {3, {25, true}, std::nullopt, 3},   // 0.75 rounds down to 0 unavailable
      {1, {1, false}, std::nullopt, 1},   // never zero
      {2, {50, false}, std::nullopt, 1},  // more unavailable than desired
      {10, {0, false}, IntOrPercent{50, true}, 5},
      {10, {0, false}, IntOrPercent{15, false}, 10},  // never above desired
      {3, {0, false}, IntOrPercent{0, false}, 1},
      {0, {0, false}, std::nullopt, 0},  // nothing desired, nothing to protect
  }));
  CHECK(serving_floor(row.desired, row.max_unavailable, row.min_available) == row.floor);
}

TEST_CASE("rolling parameters keep maxUnavailable within the floor and never both zero") {
  struct Row {
    int desired;
    IntOrPercent surge, unavailable;
    std::optional<IntOrPercent> min_available;
    int max_surge, max_unavailable, floor;
  };
  auto row = GENERATE(values<Row>({
      {4, {25, true}, {0, false}, std::nullopt, 1, 0, 4},
      {4, {25, true}, {25, true}, std::nullopt, 1, 1, 3},
      {10, {25, true}, {25, true}, std::nullopt, 3, 2, 8},           // surge rounds up, unavailable down
      {4, {0, false}, {0, false}, std::nullopt, 1, 0, 4},            // both zero -> surge 1
      {4, {1, false}, {3, false}, IntOrPercent{3, false}, 1, 1, 3},  // floor caps unavailable
      {1, {0, false}, {1, false}, std::nullopt, 1, 0, 1},            // one replica: surge, never drop to 0
  }));
  auto p = rolling_parameters(row.desired, row.surge, row.unavailable, row.min_available);
  CHECK(p.max_surge == row.max_surge);
  CHECK(p.max_unavailable == row.max_unavailable);
  CHECK(p.floor == row.floor);
}

TEST_CASE("the old blue-green version is scaled down only when the new one meets the floor") {
  CHECK(may_scale_down_old(3, 3));
  CHECK(may_scale_down_old(4, 3));
  CHECK_FALSE(may_scale_down_old(2, 3));
}

TEST_CASE("a blue-green preview gets the live replica count, at least one") {
  CHECK(bluegreen_preview_replicas(5) == 5);
  CHECK(bluegreen_preview_replicas(0) == 1);
}
