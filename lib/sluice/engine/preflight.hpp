// Preflight: everything sluice must know before its first write — the
// cluster answers and lets us in, the namespace, Deployment and Service
// exist, the image resolves to a digest with the plan's platforms, and each
// Prometheus check's server answers. Any failure is exit 6, nothing changed.
#pragma once

#include <sluice/engine/context.hpp>
#include <sluice/plan/model.hpp>
#include <sluice/registry/registry.hpp>
#include <sluice/trust/verify.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace sluice::engine {

// The live objects and the resolved image a run works on.
struct Target {
  std::string ns;
  nlohmann::json deployment;  // the plan's target Deployment as read
  nlohmann::json live;        // the Deployment serving now (blue-green: the one the Service selects)
  nlohmann::json service;     // the live Service as read
  std::size_t container = 0;  // index of the target container
  std::string digest_ref;     // "repo@sha256:..." to deploy
  int desired = 1;            // replicas the live version runs (`live`'s)
  int floor = 1;              // serving-capacity floor
};

struct PreflightResult {
  bool ok = false;
  std::vector<std::string> problems;  // one line each
  Target target;
};

// `probe_checks`: a rollout starts here: also ask each Prometheus check's
// server a query, and prove the image's signature when the plan has `verify`.
// Off for continuing a recorded rollout: abort and rollback must work while
// the metrics are down, promote's checks report an outage themselves, and the
// image was verified when the rollout started.
PreflightResult preflight(const plan::Plan& plan, Deps& deps, const std::string& ns,
                          bool probe_checks = true);

// Asks the server of each Prometheus check in `checks` one query,
// authenticated as the check will be (secretKeyRef credentials read in
// `ns`): one line for each that cannot be asked or does not answer 200.
std::vector<std::string> probe_prometheus(const std::map<std::string, plan::Check>& checks,
                                          http::Client* http, const std::string& ns,
                                          const util::CancelToken* cancel);

// The plan's image resolved to a digest, with every platform the plan
// requires checked; errors say "image <as the plan writes it>: ...".
util::Result<registry::ResolvedImage> resolve_plan_image(const plan::Plan& plan, registry::Registry& registry,
                                                         const util::CancelToken* cancel = nullptr);

// The plan's `verify` section with its keys read (valueFrom: env, file, or a
// Secret in `ns`); errors name the key (`verify.keys[1]`), never its bytes.
util::Result<trust::Policy> trust_policy(const plan::VerifyPolicy& verify, const std::string& ns);

// The floor for a plan and desired replica count (strategy/capacity.hpp rules per strategy).
int plan_floor(const plan::Plan& plan, int desired);

}  // namespace sluice::engine
