// Canary arithmetic, pure and table-tested: how many whole pods give a traffic
// weight (and the weight they really give), how far stable may shrink while
// the canary comes up without breaking the serving floor, and the HTTPRoute
// weights and canary size in Gateway API mode.
#pragma once

#include <sluice/plan/model.hpp>

#include <cstddef>
#include <optional>
#include <vector>

namespace sluice::strategy {

// setCanaryScale: size the canary independently of its traffic weight.
struct CanaryScale {
  std::optional<int> replicas;        // exact canary replicas
  std::optional<int> weight;          // canary replicas for this percent of the total
  bool match_traffic_weight = false;  // back to the default: replicas follow the weight
};

struct ReplicaSplit {
  int canary = 0;
  int stable = 0;
  double weight = 0;  // the percent of traffic these counts give (canary / (canary + stable))
};

// Replica-ratio traffic: the split of `total` pods whose canary share is
// closest to `weight_percent` (ties go to fewer canary pods), with at least
// one canary pod for a weight above 0 and at least one stable pod below 100.
// A CanaryScale override sets the canary count; stable keeps the count the
// weight alone would give it. Weight reported is the one the pods really give.
ReplicaSplit canary_replica_counts(int total, int weight_percent, const CanaryScale& scale = {});

struct PodCounts {
  int canary = 0;
  int stable = 0;
};

// The next replica writes towards `target` without breaking capacity. A side
// that shrinks goes down only as far as the other side's READY pods keep
// ready capacity at `floor` (stable scaled down only as canary pods become
// ready, and the reverse when traffic moves back). A side that grows does so
// within the surge allowance: pods above max(total, target sum), at least one
// when the floor leaves no room to shrink first. Never shrinks a growing side.
PodCounts next_scale(const ReplicaSplit& target, PodCounts current, PodCounts ready, int total, int floor,
                     int max_surge);

// The share of traffic the canary really gets with replica-ratio routing:
// its ready pods over all ready pods behind the Service, in percent.
double measured_weight(PodCounts ready);

struct GatewaySplit {
  int route_canary_weight = 0;  // HTTPRoute backendRef weights, exact, summing to 100
  int route_stable_weight = 100;
  int canary_replicas = 0;  // enough canary pods to carry its share of `total`'s traffic
  int stable_replicas = 0;  // stable stays fully scaled until promotion
};

// Gateway API traffic: exact route weights, canary sized to ceil(total * weight
// / 100) (at least one when weight > 0) unless a CanaryScale override says otherwise.
GatewaySplit gateway_split(int total, int weight_percent, const CanaryScale& scale = {});

// Where a canary stands after steps [0, index) ran: the traffic weight of the
// last setWeight and the scale override of the last setCanaryScale
// (matchTrafficWeight clears it). What a resumed run restores before going on.
struct CanaryPosition {
  int weight = 0;
  CanaryScale scale;
};
CanaryPosition canary_position(const std::vector<plan::Step>& steps, std::size_t index);

}  // namespace sluice::strategy
