// The arithmetic of a failover (pure, table-tested): how much capacity each
// surviving region needs to carry the failed region's load, and the traffic
// shares once the failed region carries none.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sluice::drill {

// What a region runs now, as recorded before a failover.
struct RegionCapacity {
  std::string region;
  int replicas = 0;         // the Deployment's spec.replicas
  bool autoscaled = false;  // an HPA owns the replica count
  int min_replicas = 0;     // the HPA's minReplicas (autoscaled only)
  int max_replicas = 0;     // the HPA's maxReplicas (autoscaled only)
};

// What failover writes for one surviving region: the Deployment's replicas,
// or, when autoscaled, the HPA's minReplicas (never the Deployment's).
struct CapacityChange {
  std::string region;
  bool autoscaled = false;
  int from = 0;  // replicas, or minReplicas when autoscaled
  int to = 0;
  bool capped = false;  // autoscaled: the need exceeded maxReplicas, which bounds it
};

// Each survivor's replicas scaled by total / survivors' total, rounded up, so
// that together they run at least what all regions ran. When the survivors run
// nothing, the failed region's replicas are shared evenly (rounded up). An HPA's
// minReplicas is raised to the need (never lowered, at most maxReplicas).
std::vector<CapacityChange> survivor_capacity(const std::vector<RegionCapacity>& regions,
                                              const std::string& failed);

// Traffic shares in percent after failing over from `failed`: the survivors'
// recorded weights scaled to 100 (evenly when they were all 0), the failed
// region 0. Percentages are whole numbers summing to 100; the remainder goes to
// the first regions in name order.
std::map<std::string, int> failover_shares(const std::map<std::string, int>& recorded,
                                           const std::string& failed);

}  // namespace sluice::drill
