// The canary's shared parts (canary_parts.hpp).
#include <sluice/engine/canary_parts.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/writes.hpp>
#include <sluice/kube/resources.hpp>

namespace sluice::engine::canary_parts {

using Json = nlohmann::json;
using plan::CanaryStrategy;

const CanaryStrategy& canary(const Driver& d) {
  return std::get<CanaryStrategy>(d.plan().strategy);
}

bool gateway(const Driver& d) {
  return canary(d).traffic == CanaryStrategy::Traffic::gateway_route;
}

const std::string& stable_name(const Driver& d) {
  return d.plan().target.deployment;
}

std::string canary_service(const Driver& d) {
  const auto& s = canary(d).canary_service;
  return s.empty() ? d.plan().target.service + "-canary" : s;
}

int total(Driver& d) {
  return std::max(1, d.record().total_replicas);
}

int replicas_of(const Json& deployment) {
  return deployment.value("/spec/replicas"_json_pointer, 1);
}

// Status lags a scale-down: counting the leaving pods would overstate capacity.
int serving(const Json& deployment) {
  return std::min(ready_counts(deployment).available, replicas_of(deployment));
}

util::Status set_route_weights(Driver& d, int stable_weight, int canary_weight) {
  const std::string& route_name = canary(d).route_name;
  RouteBackends backends{d.ns(), d.plan().target.service, canary_service(d)};
  bool routed = true;
  auto s = d.writes().modify(kube::k_httproutes, route_name, [&](Json& route) {
    Json before = route;
    routed = set_backend_weights(route, backends, stable_weight, canary_weight) > 0;
    return routed && route != before;  // unchanged: already there (resumed)
  });
  if (s && !routed) {
    return util::make_error(
        util::ErrorKind::invalid,
        "HTTPRoute " + route_name + " has no rule with a backendRef to Service " + backends.stable);
  }
  return s;
}

util::Status with_context(const util::Status& s, const std::string& what) {
  if (s) return s;
  return s.error().with_context(what);
}

}  // namespace sluice::engine::canary_parts
