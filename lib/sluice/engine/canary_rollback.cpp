// The canary's rollback: all traffic to stable in one write first (the
// route's weights, or the Service pinned to the stable pods), then stable back
// at full size, then the canary scaled to 0 once the Service routes to enough
// stable pods.
#include <sluice/engine/canary_parts.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/wait.hpp>
#include <sluice/engine/writes.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/strategy/capacity.hpp>

namespace sluice::engine::canary_parts {

using Json = nlohmann::json;

util::Status restore_service(Driver& d) {
  if (d.plan().target.service.empty()) return {};
  return d.writes().set_selector(d.plan().target.service, d.record().previous.service_selector);
}

namespace {

// What a rollback starts from: whether promotion had already moved the stable
// template, and how many stable pods serve now.
struct RollbackStart {
  bool template_moved = false;
  int stable_serving = 0;
  std::string stable_hash;  // of the stable pods now: a pin to any other hash would select nothing
};

util::Result<RollbackStart> read_rollback(Driver& d) {
  auto stable = d.deps().kube->get(kube::k_deployments, d.ns(), stable_name(d));
  if (!stable) return stable.error().with_context("reading " + stable_name(d));
  auto hash = current_hash(d, *stable);
  return RollbackStart{container_image(*stable, d.target().container) != d.record().previous.image,
                       serving(*stable), hash ? *hash : ""};
}

// All traffic to stable in one write: the route's weights, or the Service
// pinned to the stable pods. With replica traffic the pin waits (`early`)
// until the stable pods alone meet the serving floor; after promotion began
// the stable pods are mid-change and the Service keeps its own selector.
util::Status traffic_to_stable(Driver& d, const RollbackStart& start, bool early) {
  const auto& rec = d.record();
  if (gateway(d)) return with_context(set_route_weights(d, 100, 0), "sending all traffic to stable");
  if (start.template_moved || d.plan().target.service.empty() || rec.previous.pod_template_hash.empty() ||
      rec.previous.pod_template_hash != start.stable_hash)
    return {};
  if (early && start.stable_serving < plan_floor(d.plan(), total(d))) return {};
  Json pinned =
      selector_with(rec.previous.service_selector, "pod-template-hash", rec.previous.pod_template_hash);
  return with_context(d.writes().set_selector(d.plan().target.service, pinned),
                      "sending all traffic to stable");
}

// Stable back at full size (on its recorded template if promotion had begun), watched until ready.
util::Status stable_at_full_size(Driver& d, const RollbackStart& start) {
  const auto& rec = d.record();
  util::Status resized =
      start.template_moved ? d.writes().update_deployment(stable_name(d),
                                                          [&](Json& dep) {
                                                            dep["spec"]["replicas"] = total(d);
                                                            dep["spec"]["template"] =
                                                                writable_template(rec.previous.template_spec);
                                                          })
                           : d.writes().scale(stable_name(d), total(d));
  if (!resized) return with_context(resized, "scaling " + stable_name(d) + " back up");
  VersionWait w = version_wait(d, stable_name(d), rec.previous.image);
  w.also_report = {canary_name(stable_name(d))};
  return with_context(wait_back(d, w), "the stable version did not come back");
}

// Ready endpoints of the plan's Service that are not canary pods.
int stable_endpoints(const Json& endpoints, const std::string& canary_prefix) {
  int n = 0;
  for (const auto& subset : endpoints.value("subsets", Json::array())) {
    for (const auto& a : subset.value("addresses", Json::array()))
      if (a.value("/targetRef/name"_json_pointer, std::string()).rfind(canary_prefix, 0) != 0) ++n;
  }
  return n;
}

}  // namespace

// Before the canary's pods go, the Service must already route to enough
// stable pods: a Deployment counts a pod available before the endpoints
// controller adds it to the Service, and scaling the canary down in that gap
// would drop ready endpoints below the floor. Replica traffic only (a route
// sends nothing to the canary by then); no Service in the plan: nothing to watch.
util::Status stable_serves(Driver& d) {
  if (gateway(d) || d.plan().target.service.empty()) return {};
  int floor = plan_floor(d.plan(), total(d));
  std::string prefix = canary_name(stable_name(d)) + "-";
  auto served = d.deps().hub->wait_until(
      kube::k_endpoints, d.ns(), d.plan().target.service,
      [&](const Json& endpoints) { return stable_endpoints(endpoints, prefix) >= floor; },
      d.deps().clock->now() + d.plan().progress_deadline, &d.cancel());
  if (!served) return served.error().with_context("waiting for the Service to route to the stable pods");
  return {};
}

namespace {

// The canary scaled to 0, then the Service selects by its own selector again.
util::Status retire_canary(Driver& d) {
  if (auto serves = stable_serves(d); !serves) return serves;
  auto s = d.writes().scale(canary_name(stable_name(d)), 0);
  if (!s && s.error().kind != util::ErrorKind::not_found)
    return with_context(s, "scaling down " + canary_name(stable_name(d)));
  return with_context(restore_service(d), "restoring " + d.plan().target.service);
}

}  // namespace

util::Result<std::string> roll_back(Driver& d) {
  auto& rec = d.record();
  if (rec.total_replicas == 0) return std::string("nothing had changed");
  auto back = read_rollback(d);
  util::Status s = back ? traffic_to_stable(d, *back, true) : util::Status(back.error());
  if (s) s = stable_at_full_size(d, *back);
  if (s) s = traffic_to_stable(d, *back, false);  // no write when step 1 already did it
  if (s) s = retire_canary(d);
  if (!s) return s.error();
  rec.traffic = state::Traffic{0, 0, 0, total(d)};
  return stable_name(d) + " serves " + rec.previous.image + " again";
}

}  // namespace sluice::engine::canary_parts
