// What the canary's steps (canary.cpp) and its rollback (canary_rollback.cpp)
// share: the plan's names for the two Deployments and the route, the replica
// arithmetic read off a watched Deployment, and the HTTPRoute write.
#pragma once

#include <sluice/engine/driver.hpp>
#include <sluice/plan/model.hpp>
#include <sluice/util/result.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace sluice::engine::canary_parts {

const plan::CanaryStrategy& canary(const Driver& d);
// True when traffic moves by HTTPRoute weights, false by replica ratio.
bool gateway(const Driver& d);
const std::string& stable_name(const Driver& d);
std::string canary_service(const Driver& d);
// The replicas the rollout keeps serving across both Deployments.
int total(Driver& d);
int replicas_of(const nlohmann::json& deployment);
// Ready pods a Deployment serves with, never more than it is asked to run.
int serving(const nlohmann::json& deployment);
// Sets the stable and canary backend weights on the route, re-reading on 409.
util::Status set_route_weights(Driver& d, int stable_weight, int canary_weight);
util::Status with_context(const util::Status& s, const std::string& what);

// Back to the stable version: all traffic to stable first, then stable at full size, then the canary retired.
util::Result<std::string> roll_back(Driver& d);
// The Service's own selector again (after a pin to the stable pods).
util::Status restore_service(Driver& d);
// Waits until the Service routes to enough stable pods for the canary's to go.
util::Status stable_serves(Driver& d);

}  // namespace sluice::engine::canary_parts
