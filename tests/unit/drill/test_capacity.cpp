// The failover arithmetic: survivors' capacity and traffic shares.
#include <sluice/drill/capacity.hpp>

#include <catch2/catch.hpp>

using sluice::drill::CapacityChange;
using sluice::drill::failover_shares;
using sluice::drill::RegionCapacity;
using sluice::drill::survivor_capacity;
using Shares = std::map<std::string, int>;

namespace {

std::vector<int> targets(const std::vector<CapacityChange>& changes) {
  std::vector<int> out;
  for (const auto& change : changes) out.push_back(change.to);
  return out;
}

}  // namespace

TEST_CASE("survivors' replicas are scaled by total over survivors, rounded up", "[drill]") {
  CHECK(targets(survivor_capacity({{"eu", 2}, {"us", 2}, {"ap", 2}}, "eu")) == std::vector<int>{3, 3});
  CHECK(targets(survivor_capacity({{"eu", 3}, {"us", 2}}, "eu")) == std::vector<int>{5});
  CHECK(targets(survivor_capacity({{"eu", 4}, {"us", 1}, {"ap", 2}}, "eu")) == std::vector<int>{3, 5});
  // Survivors running nothing share the failed region's replicas evenly.
  CHECK(targets(survivor_capacity({{"eu", 3}, {"us", 0}, {"ap", 0}}, "eu")) == std::vector<int>{2, 2});
  auto changes = survivor_capacity({{"eu", 2}, {"us", 2}}, "eu");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].region == "us");
  CHECK(changes[0].from == 2);
  CHECK_FALSE(changes[0].autoscaled);
}

TEST_CASE("an autoscaled survivor gets a higher minReplicas, bounded by maxReplicas", "[drill]") {
  auto changes = survivor_capacity({{"eu", 2}, {"us", 2, true, 1, 10}, {"ap", 2, true, 1, 2}}, "eu");
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].autoscaled);
  CHECK(changes[0].from == 1);
  CHECK(changes[0].to == 3);
  CHECK_FALSE(changes[0].capped);
  CHECK(changes[1].to == 2);
  CHECK(changes[1].capped);
  // A minReplicas already above the need is never lowered.
  CHECK(targets(survivor_capacity({{"eu", 2}, {"us", 5, true, 5, 10}}, "eu")) == std::vector<int>{7});
  CHECK(targets(survivor_capacity({{"eu", 1}, {"us", 8, true, 8, 10}}, "eu")) == std::vector<int>{9});
}

TEST_CASE("traffic shares after failover give the failed region nothing", "[drill]") {
  CHECK(failover_shares({{"eu", 34}, {"us", 33}, {"ap", 33}}, "eu") ==
        Shares{{"ap", 50}, {"eu", 0}, {"us", 50}});
  CHECK(failover_shares({{"eu", 50}, {"us", 30}, {"ap", 10}}, "eu") ==
        Shares{{"ap", 25}, {"eu", 0}, {"us", 75}});
  CHECK(failover_shares({{"eu", 100}, {"us", 0}, {"ap", 0}}, "eu") ==
        Shares{{"ap", 50}, {"eu", 0}, {"us", 50}});
  CHECK(failover_shares({{"eu", 1}, {"us", 1}, {"ap", 1}, {"sa", 1}}, "sa") ==
        Shares{{"ap", 34}, {"eu", 33}, {"sa", 0}, {"us", 33}});
}
