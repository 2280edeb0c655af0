#include <sluice/strategy/capacity.hpp>

#include <algorithm>

namespace sluice::strategy {

int serving_floor(int desired, const plan::IntOrPercent& max_unavailable,
                  const std::optional<plan::IntOrPercent>& min_available) {
  if (desired <= 0) return 0;
  int floor = min_available ? min_available->resolve(desired, true)
                            : desired - max_unavailable.resolve(desired, false);
  return std::clamp(floor, 1, desired);
}

RollingParameters rolling_parameters(int desired, const plan::IntOrPercent& max_surge,
                                     const plan::IntOrPercent& max_unavailable,
                                     const std::optional<plan::IntOrPercent>& min_available) {
  RollingParameters p;
  p.floor = serving_floor(desired, max_unavailable, min_available);
  p.max_surge = std::max(0, max_surge.resolve(desired, true));
  int allowed = std::max(0, desired - p.floor);
  p.max_unavailable = std::clamp(max_unavailable.resolve(desired, false), 0, allowed);
  if (p.max_surge == 0 && p.max_unavailable == 0) p.max_surge = 1;
  return p;
}

bool may_scale_down_old(int new_ready, int floor) {
  return new_ready >= floor;
}

int bluegreen_preview_replicas(int live_desired) {
  return std::max(1, live_desired);
}

}  // namespace sluice::strategy
