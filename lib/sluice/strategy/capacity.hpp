// Serving-capacity arithmetic for rollouts: the floor of ready endpoints the
// live Service must never drop below, and the rolling-update parameters that
// respect it. Pure functions, table-tested; the drivers only apply the results.
#pragma once

#include <sluice/plan/model.hpp>

#include <optional>
#include <string>

namespace sluice::strategy {

// The fewest ready pods the live Service may have at any moment. Default:
// desired - maxUnavailable (rounded down, as Kubernetes does), an explicit
// minAvailable overrides it; never below 1 while anything is desired, and
// never above desired.
int serving_floor(int desired, const plan::IntOrPercent& max_unavailable,
                  const std::optional<plan::IntOrPercent>& min_available);

// Absolute maxSurge/maxUnavailable to write into the Deployment, with
// maxUnavailable lowered so the floor holds, and maxSurge raised to 1 when
// both would be 0 (Kubernetes rejects that pair).
struct RollingParameters {
  int max_surge = 0;
  int max_unavailable = 0;
  int floor = 1;
};
RollingParameters rolling_parameters(int desired, const plan::IntOrPercent& max_surge,
                                     const plan::IntOrPercent& max_unavailable,
                                     const std::optional<plan::IntOrPercent>& min_available);

// Blue-green keeps the whole old version serving until the switch, so its
// floor is the old version's ready count bounded by the plan's floor.
// Scaling the old version down is allowed only when the new one alone meets
// the floor; this is the one rule every scale-down obeys.
bool may_scale_down_old(int new_ready, int floor);

// Replicas for the blue-green preview: as many as the live version desires,
// at least 1 (a scaled-to-zero target still gets one pod to test).
int bluegreen_preview_replicas(int live_desired);

}  // namespace sluice::strategy
