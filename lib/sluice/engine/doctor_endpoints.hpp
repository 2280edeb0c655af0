// `sluice doctor PLAN` beyond the cluster: does the plan's image resolve the
// way apply's preflight resolves it, does every Prometheus check's server
// answer and its query parse, and does every HTTP check's and webhook's host
// accept a connection. Read-only: nothing is POSTed and no status code is
// judged, since the new version is not running yet.
#pragma once

#include <sluice/kube/doctor.hpp>
#include <sluice/plan/model.hpp>
#include <sluice/util/clock.hpp>

#include <string>
#include <vector>

namespace sluice::http {
class Client;
}
namespace sluice::registry {
class Registry;
}

namespace sluice::engine {

struct EndpointDeps {
  kube::Client* kube = nullptr;            // null: template hashes stay empty
  registry::Registry* registry = nullptr;  // null: a tag cannot be resolved
  http::Client* http = nullptr;            // for Prometheus
  util::Duration timeout{10000};           // each request or connection
};

// One check per line of the report: the image, then each plan check by name.
// A warning (ok, warning set) for what is expected before a rollout: a query
// with no data yet, an in-cluster host that does not resolve from here.
std::vector<kube::DoctorCheck> check_plan_endpoints(const plan::Plan& plan, const std::string& ns,
                                                    const EndpointDeps& deps);

}  // namespace sluice::engine
