#include <sluice/drill/capacity.hpp>

#include <algorithm>

namespace sluice::drill {

namespace {

long long ceil_div(long long numerator, long long denominator) {
  return (numerator + denominator - 1) / denominator;
}

CapacityChange change_for(const RegionCapacity& region, long long need) {
  CapacityChange change;
  change.region = region.region;
  change.autoscaled = region.autoscaled;
  if (!region.autoscaled) {
    change.from = region.replicas;
    change.to = static_cast<int>(std::max<long long>(need, region.replicas));
    return change;
  }
  change.from = region.min_replicas;
  long long wanted = std::max<long long>(need, region.min_replicas);
  change.capped = region.max_replicas > 0 && wanted > region.max_replicas;
  change.to = static_cast<int>(change.capped ? std::max(region.max_replicas, region.min_replicas) : wanted);
  return change;
}

}  // namespace

std::vector<CapacityChange> survivor_capacity(const std::vector<RegionCapacity>& regions,
                                              const std::string& failed) {
  long long total = 0;
  long long survivors_total = 0;
  long long survivors = 0;
  for (const RegionCapacity& region : regions) {
    total += region.replicas;
    if (region.region == failed) continue;
    survivors_total += region.replicas;
    ++survivors;
  }
  std::vector<CapacityChange> changes;
  for (const RegionCapacity& region : regions) {
    if (region.region == failed) continue;
    long long need = survivors_total > 0 ? ceil_div(region.replicas * total, survivors_total)
                                         : ceil_div(total, std::max<long long>(survivors, 1));
    changes.push_back(change_for(region, need));
  }
  return changes;
}

std::map<std::string, int> failover_shares(const std::map<std::string, int>& recorded,
                                           const std::string& failed) {
  long long survivors_weight = 0;
  int survivors = 0;
  for (const auto& [region, weight] : recorded) {
    if (region == failed) continue;
    survivors_weight += std::max(weight, 0);
    ++survivors;
  }
  std::map<std::string, int> shares;
  int given = 0;
  for (const auto& [region, weight] : recorded) {
    if (region == failed) {
      shares[region] = 0;
      continue;
    }
    long long part =
        survivors_weight > 0 ? std::max(weight, 0) * 100LL / survivors_weight : 100LL / survivors;
    shares[region] = static_cast<int>(part);
    given += static_cast<int>(part);
  }
  // Whole percentages: hand out what rounding down left, one each, to survivors in order.
  for (auto& [region, share] : shares) {
    if (given >= 100 || survivors == 0) break;
    if (region == failed || (survivors_weight > 0 && recorded.at(region) <= 0)) continue;
    ++share;
    ++given;
  }
  return shares;
}

}  // namespace sluice::drill
