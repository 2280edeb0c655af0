#include <sluice/strategy/canary_math.hpp>

#include <catch2/catch.hpp>

#include <vector>

using namespace sluice::strategy;

TEST_CASE("canary replica counts give the closest achievable weight with whole pods") {
  struct Row {
    int total;
    int weight;
    int canary;
    int stable;
    double actual;
  };
  std::vector<Row> rows{
      {10, 0, 0, 10, 0},   {10, 10, 1, 9, 10}, {10, 50, 5, 5, 50},       {10, 100, 10, 0, 100},
      {4, 10, 1, 3, 25},   {4, 50, 2, 2, 50},  {4, 90, 3, 1, 75},        {5, 50, 2, 3, 40},
      {5, 30, 1, 4, 20},   {5, 31, 2, 3, 40},  {3, 33, 1, 2, 100.0 / 3}, {1, 10, 1, 1, 50},
      {1, 100, 1, 0, 100}, {0, 50, 0, 0, 0},   {10, 150, 10, 0, 100},    {10, -5, 0, 10, 0},
  };
  for (const auto& row : rows) {
    INFO("total " << row.total << " weight " << row.weight);
    auto split = canary_replica_counts(row.total, row.weight);
    CHECK(split.canary == row.canary);
    CHECK(split.stable == row.stable);
    CHECK(split.weight == Approx(row.actual));
  }
}

TEST_CASE("setCanaryScale overrides the canary size, and the reported weight follows") {
  SECTION("replicas") {
    auto split = canary_replica_counts(10, 10, CanaryScale{3, std::nullopt, false});
    CHECK(split.canary == 3);
    CHECK(split.stable == 9);
    CHECK(split.weight == Approx(25));
  }
  SECTION("weight") {
    auto split = canary_replica_counts(10, 10, CanaryScale{std::nullopt, 25, false});
    CHECK(split.canary == 3);
    CHECK(split.stable == 9);
  }
  SECTION("matchTrafficWeight goes back to the default") {
    auto split = canary_replica_counts(10, 20, CanaryScale{3, std::nullopt, true});
    CHECK(split.canary == 2);
    CHECK(split.stable == 8);
  }
}

TEST_CASE("stable shrinks only as canary pods become ready") {
  ReplicaSplit target = canary_replica_counts(10, 50);  // 5 / 5
  const int total = 10;
  const int floor = 10;  // maxUnavailable 0
  const int surge = 3;   // 25% of 10, rounded up
  struct Row {
    PodCounts current;
    PodCounts ready;
    PodCounts expected;
  };
  std::vector<Row> rows{
      {{0, 10}, {0, 10}, {3, 10}},  // canary grows within the surge, stable untouched
      {{3, 10}, {2, 10}, {5, 8}},   // two canary pods ready: two stable pods go, canary grows into the room
      {{5, 8}, {3, 8}, {5, 7}},     // stable down to floor - ready canary
      {{5, 7}, {5, 7}, {5, 5}},     // all ready: target reached
      {{5, 5}, {5, 5}, {5, 5}},
  };
  for (const auto& row : rows) {
    INFO("current " << row.current.canary << "/" << row.current.stable << " ready " << row.ready.canary << "/"
                    << row.ready.stable);
    auto now = next_scale(target, row.current, row.ready, total, floor, surge);
    CHECK(now.canary == row.expected.canary);
    CHECK(now.stable == row.expected.stable);
    CHECK(now.stable + row.ready.canary >= floor);
  }
}

TEST_CASE("scale moves never strand capacity") {
  SECTION("no surge and no unavailability still makes progress one pod at a time") {
    auto now = next_scale(canary_replica_counts(4, 50), {0, 4}, {0, 4}, 4, 4, 0);
    CHECK(now.canary == 1);
    CHECK(now.stable == 4);
  }
  SECTION("with maxUnavailable, stable may shrink to the floor before the canary is ready") {
    auto now = next_scale(canary_replica_counts(10, 50), {0, 10}, {0, 10}, 10, 8, 0);
    CHECK(now.stable == 8);
    CHECK(now.canary == 2);
  }
  SECTION("traffic moving back to stable: canary shrinks only as stable pods become ready") {
    ReplicaSplit back = canary_replica_counts(10, 10);  // 1 / 9
    auto now = next_scale(back, {5, 5}, {5, 5}, 10, 10, 3);
    CHECK(now.canary == 5);
    CHECK(now.stable == 8);  // within the surge: 13 pods at most
    now = next_scale(back, {5, 8}, {5, 8}, 10, 10, 3);
    CHECK(now.canary == 2);
    CHECK(now.stable == 9);
  }
}

TEST_CASE("Gateway API weights are exact and the canary is sized to carry its share") {
  struct Row {
    int total;
    int weight;
    int canary_replicas;
  };
  std::vector<Row> rows{{10, 0, 0}, {10, 5, 1},  {10, 10, 1}, {10, 33, 4},
                        {4, 10, 1}, {4, 100, 4}, {3, 50, 2}};
  for (const auto& row : rows) {
    INFO("total " << row.total << " weight " << row.weight);
    auto split = gateway_split(row.total, row.weight);
    CHECK(split.route_canary_weight == row.weight);
    CHECK(split.route_stable_weight == 100 - row.weight);
    CHECK(split.canary_replicas == row.canary_replicas);
    CHECK(split.stable_replicas == row.total);
  }
  CHECK(gateway_split(10, 10, CanaryScale{4, std::nullopt, false}).canary_replicas == 4);
}

TEST_CASE("a canary's position is the last weight and scale set before a step") {
  using sluice::plan::Step;
  std::vector<Step> steps{
      Step{sluice::plan::SetCanaryScaleStep{1, std::nullopt, false}, {}},
      Step{sluice::plan::SetWeightStep{5}, {}},
      Step{sluice::plan::PauseStep{}, {}},
      Step{sluice::plan::SetCanaryScaleStep{std::nullopt, std::nullopt, true}, {}},
      Step{sluice::plan::SetWeightStep{50}, {}},
  };
  struct Row {
    std::size_t index;
    int weight;
    std::optional<int> replicas;
  };
  std::vector<Row> rows{
      {0, 0, std::nullopt},  {1, 0, 1}, {2, 5, 1}, {3, 5, 1}, {4, 5, std::nullopt}, {5, 50, std::nullopt},
      {99, 50, std::nullopt}};
  for (const auto& row : rows) {
    INFO("index " << row.index);
    auto position = canary_position(steps, row.index);
    CHECK(position.weight == row.weight);
    CHECK(position.scale.replicas == row.replicas);
  }
}

TEST_CASE("the measured weight is the canary's share of ready pods") {
  CHECK(measured_weight({1, 9}) == Approx(10));
  CHECK(measured_weight({1, 3}) == Approx(25));
  CHECK(measured_weight({0, 0}) == 0);
  CHECK(measured_weight({4, 0}) == Approx(100));
}
