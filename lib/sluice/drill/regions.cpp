#include <sluice/drill/regions.hpp>

#include <sluice/drill/route_weights.hpp>
#include <sluice/drill/webhook_director.hpp>
#include <sluice/engine/wait.hpp>
#include <sluice/gate/runner.hpp>
#include <sluice/kube/resources.hpp>

namespace sluice::drill {

using nlohmann::json;

namespace {

int int_at(const json& object, const char* pointer, int fallback) {
  json value = object.value(json::json_pointer(pointer), json(fallback));
  return value.is_number_integer() ? value.get<int>() : fallback;
}

RegionBackends backends_of(const plan::Drill& drill, const plan::HttpRouteDirector& route) {
  RegionBackends backends;
  for (const plan::Region& region : drill.regions) backends[region.name] = route.backend_of(region.name);
  return backends;
}

}  // namespace

util::Result<RecordedRegion> observe_region(const plan::Region& region, Cluster& cluster) {
  RecordedRegion out{region.name, region.context.name, region.ns, region.deployment, 0, "", 0, 0};
  auto deployment = cluster.kube->get(kube::k_deployments, region.ns, region.deployment);
  if (!deployment) return deployment.error().with_context("region '" + region.name + "'");
  out.replicas = int_at(*deployment, "/spec/replicas", 1);
  auto hpas = cluster.kube->list(k_hpas, region.ns);
  if (!hpas)
    return hpas.error().with_context("region '" + region.name + "': listing HorizontalPodAutoscalers");
  for (const json& hpa : hpas->value("items", json::array())) {
    if (hpa.value("/spec/scaleTargetRef/kind"_json_pointer, std::string()) != "Deployment" ||
        hpa.value("/spec/scaleTargetRef/name"_json_pointer, std::string()) != region.deployment)
      continue;
    out.hpa = hpa.value("/metadata/name"_json_pointer, std::string());
    out.min_replicas = int_at(hpa, "/spec/minReplicas", 1);
    out.max_replicas = int_at(hpa, "/spec/maxReplicas", 1);
  }
  return out;
}

util::Result<std::map<std::string, int>> observe_weights(const plan::Drill& drill, DrillDeps& deps) {
  if (std::holds_alternative<plan::WebhookDirector>(drill.director)) {
    std::vector<std::string> names;
    for (const plan::Region& region : drill.regions) names.push_back(region.name);
    return even_shares(names);
  }
  const auto* route = std::get_if<plan::HttpRouteDirector>(&drill.director);
  if (route == nullptr) return std::map<std::string, int>{};
  auto object = deps.at(route->context.name).kube->get(kube::k_httproutes, route->ns, route->name);
  if (!object) return object.error().with_context("director HTTPRoute '" + route->name + "'");
  auto weights = route_weights(*object, backends_of(drill, *route));
  if (!weights) return weights.error().with_context("director HTTPRoute '" + route->name + "'");
  return weights;
}

util::Status apply_capacity(const RecordedRegion& region, const CapacityChange& change, Cluster& cluster) {
  // Never fight an HPA: with one, only its minReplicas is written.
  auto written = region.hpa.empty()
                     ? cluster.kube->patch(kube::k_deployments, region.ns, region.deployment,
                                           kube::PatchType::merge, json{{"spec", {{"replicas", change.to}}}})
                     : cluster.kube->patch(k_hpas, region.ns, region.hpa, kube::PatchType::merge,
                                           json{{"spec", {{"minReplicas", change.to}}}});
  if (!written) return written.error().with_context("region '" + region.region + "'");
  return {};
}

util::Status wait_ready(const RecordedRegion& region, int replicas, DrillDeps& deps) {
  Cluster& cluster = deps.at(region.context);
  auto ready = [replicas](const json& deployment) {
    return int_at(deployment, "/spec/replicas", 1) >= replicas && engine::fully_available(deployment);
  };
  auto waited = cluster.hub->wait_until(kube::k_deployments, region.ns, region.deployment, ready,
                                        deps.clock->now() + deps.ready_timeout,
                                        deps.interrupt ? &deps.interrupt->token() : nullptr);
  if (!waited) return waited.error().with_context("region '" + region.region + "': waiting until ready");
  return {};
}

util::Status set_weights(const plan::Drill& drill, const std::map<std::string, int>& weights, DrillDeps& deps,
                         const std::string& action, const std::string& from) {
  if (const auto* webhook = std::get_if<plan::WebhookDirector>(&drill.director)) {
    return post_shares(*webhook, webhook_body(drill.name, action, from, weights), deps);
  }
  const auto* route = std::get_if<plan::HttpRouteDirector>(&drill.director);
  if (route == nullptr) return {};
  kube::Client& kube = *deps.at(route->context.name).kube;
  util::Error last = util::make_error(util::ErrorKind::conflict, "no attempt made");
  for (int attempt = 0; attempt < 5; ++attempt) {  // a conflict: re-read and apply again
    auto object = kube.get(kube::k_httproutes, route->ns, route->name);
    if (!object) return object.error().with_context("director HTTPRoute '" + route->name + "'");
    if (set_route_weights(*object, backends_of(drill, *route), weights) == 0) return {};
    auto written = kube.update(kube::k_httproutes, route->ns, *object);
    if (written) return {};
    last = written.error();
    if (last.kind != util::ErrorKind::conflict) break;
  }
  return last.with_context("director HTTPRoute '" + route->name + "'");
}

util::Status run_recovery_gates(const plan::Drill& drill, DrillDeps& deps) {
  if (drill.checks.empty()) return {};
  if (deps.http == nullptr) return util::make_error(util::ErrorKind::internal, "no HTTP client for checks");
  plan::Plan plan;  // the check builder reads a plan's checks
  plan.name = drill.name;
  plan.checks = drill.checks;
  std::vector<std::string> names;
  for (const auto& [name, check] : drill.checks) names.push_back(name);
  auto specs = gate::make_check_specs(plan, names, *deps.http, *deps.clock);
  if (!specs) return specs.error();
  gate::CheckContext context;
  context.rollout = drill.name;
  auto result = gate::run_checks(std::move(*specs), context, *deps.clock,
                                 deps.interrupt ? &deps.interrupt->token() : nullptr);
  if (result.verdict == gate::Verdict::successful) return {};
  if (result.verdict == gate::Verdict::running)
    return util::make_error(util::ErrorKind::cancelled, "interrupted");
  return util::make_error(util::ErrorKind::invalid, "recovery gates: " + result.message);
}

}  // namespace sluice::drill
