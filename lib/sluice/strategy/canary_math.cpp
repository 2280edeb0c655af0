#include <sluice/strategy/canary_math.hpp>

#include <algorithm>

namespace sluice::strategy {

namespace {

int clamp_percent(int percent) {
  return std::clamp(percent, 0, 100);
}

double weight_of(int canary, int stable) {
  if (canary + stable == 0) return 0;
  return 100.0 * canary / (canary + stable);
}

// ceil(total * percent / 100), at least one pod for a non-zero percent.
int pods_for_share(int total, int percent) {
  int pods = (total * clamp_percent(percent) + 99) / 100;
  return percent > 0 ? std::max(pods, 1) : pods;
}

int canary_override(int total, int weight_pods, const CanaryScale& scale) {
  if (scale.match_traffic_weight) return weight_pods;
  if (scale.replicas) return std::max(*scale.replicas, 0);
  if (scale.weight) return pods_for_share(total, *scale.weight);
  return weight_pods;
}

}  // namespace

ReplicaSplit canary_replica_counts(int total, int weight_percent, const CanaryScale& scale) {
  total = std::max(total, 0);
  int weight = clamp_percent(weight_percent);
  int canary = 0;
  int stable = total;
  if (weight == 100) {
    canary = total;
    stable = 0;
  } else if (weight > 0 && total == 1) {
    canary = 1;  // one pod cannot be split: run one of each
  } else if (weight > 0 && total > 1) {
    int scaled = total * weight;
    canary = scaled / 100 + (scaled % 100 > 50 ? 1 : 0);  // nearest, ties to fewer canary pods
    canary = std::clamp(canary, 1, total - 1);
    stable = total - canary;
  }
  canary = canary_override(total, canary, scale);
  return ReplicaSplit{canary, stable, weight_of(canary, stable)};
}

namespace {

// A shrinking side keeps ready capacity at the floor with the other side's ready pods.
int shrink(int target, int current, int ready_other, int floor) {
  return std::max(target, std::min(current, floor - ready_other));
}

int grow(int target, int current, int room) {
  return std::min(target, std::max(current, room));
}

}  // namespace

PodCounts next_scale(const ReplicaSplit& target, PodCounts current, PodCounts ready, int total, int floor,
                     int max_surge) {
  int surge = std::max(max_surge, 0);
  if (surge == 0 && floor >= total) surge = 1;  // otherwise neither side could ever move
  int ceiling = std::max(total, target.canary + target.stable) + surge;
  PodCounts now = current;
  if (target.stable < current.stable) now.stable = shrink(target.stable, current.stable, ready.canary, floor);
  if (target.canary < current.canary) now.canary = shrink(target.canary, current.canary, ready.stable, floor);
  if (target.stable > current.stable) now.stable = grow(target.stable, current.stable, ceiling - now.canary);
  if (target.canary > current.canary) now.canary = grow(target.canary, current.canary, ceiling - now.stable);
  return now;
}

double measured_weight(PodCounts ready) {
  return weight_of(std::max(ready.canary, 0), std::max(ready.stable, 0));
}

GatewaySplit gateway_split(int total, int weight_percent, const CanaryScale& scale) {
  total = std::max(total, 0);
  int weight = clamp_percent(weight_percent);
  GatewaySplit split;
  split.route_canary_weight = weight;
  split.route_stable_weight = 100 - weight;
  split.canary_replicas = canary_override(total, pods_for_share(total, weight), scale);
  split.stable_replicas = total;
  return split;
}

CanaryPosition canary_position(const std::vector<plan::Step>& steps, std::size_t index) {
  CanaryPosition position;
  for (std::size_t i = 0; i < index && i < steps.size(); ++i) {
    if (const auto* weight = std::get_if<plan::SetWeightStep>(&steps[i].action)) {
      position.weight = clamp_percent(weight->percent);
    } else if (const auto* scale = std::get_if<plan::SetCanaryScaleStep>(&steps[i].action)) {
      position.scale =
          scale->match_traffic_weight ? CanaryScale{} : CanaryScale{scale->replicas, scale->weight, false};
    }
  }
  return position;
}

}  // namespace sluice::strategy
