// The serving invariant every rollout must keep, read from kubesim's audit
// log: the ready endpoints of the Service users reach never fall below the
// plan's capacity floor, and never to 0, at any recorded moment. One helper,
// shared by every tier that drives a rollout (scenario, faults).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::test {

// Each `serving` record of Service `ns`/`service` in `audit` (the document
// GET /kubesim/v1/audit returns) whose readyTotal is below `floor` or 0, as
// "seq 52 at <time>: 2 ready endpoints ({...}), below the floor of 3" (or
// "...: no ready endpoint").
// Empty when the invariant held.
std::vector<std::string> serving_violations(const nlohmann::json& audit, const std::string& ns,
                                            const std::string& service, int floor);

// The same over an audit log, as one Catch2 CHECK that names every violation.
void expect_serving_invariant(const nlohmann::json& audit, const std::string& ns, const std::string& service,
                              int floor);

}  // namespace sluice::test
