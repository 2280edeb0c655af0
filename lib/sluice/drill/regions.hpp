// What the drill commands do to one region or to the director: read what runs
// (replicas, the HPA owning them, traffic weights), raise or restore capacity,
// wait (on the shared watches) until a region is ready, and move traffic.
#pragma once

#include <sluice/drill/capacity.hpp>
#include <sluice/drill/clusters.hpp>
#include <sluice/drill/record.hpp>
#include <sluice/plan/drill_model.hpp>

namespace sluice::drill {

inline const kube::ResourceRef k_hpas{"autoscaling", "v2", "horizontalpodautoscalers", true,
                                      "HorizontalPodAutoscaler"};

// The region as it runs now: replicas, and the HPA whose target is its Deployment.
util::Result<RecordedRegion> observe_region(const plan::Region& region, Cluster& cluster);

// The director's weights now: the HTTPRoute's; even shares for a webhook
// (its state cannot be read); empty for `none`.
util::Result<std::map<std::string, int>> observe_weights(const plan::Drill& drill, DrillDeps& deps);

// Writes one capacity change: the HPA's minReplicas when autoscaled, else the Deployment's replicas.
util::Status apply_capacity(const RecordedRegion& region, const CapacityChange& change, Cluster& cluster);

// Waits until the region's Deployment wants at least `replicas` and all of them are available.
util::Status wait_ready(const RecordedRegion& region, int replicas, DrillDeps& deps);

// Sets the director's weights: the HTTPRoute's, or POSTs them to the webhook
// naming `action` ("failover" | "failback") and the region failed over from.
util::Status set_weights(const plan::Drill& drill, const std::map<std::string, int>& weights, DrillDeps& deps,
                         const std::string& action, const std::string& from);

// The drill's checks to a verdict: ok when all passed (no checks: ok).
util::Status run_recovery_gates(const plan::Drill& drill, DrillDeps& deps);

}  // namespace sluice::drill
