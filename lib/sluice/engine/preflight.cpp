#include <sluice/engine/objects.hpp>
#include <sluice/engine/preflight.hpp>

#include <sluice/gate/secrets.hpp>
#include <sluice/http/client.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/metrics/prometheus.hpp>
#include <sluice/registry/registry.hpp>
#include <sluice/strategy/capacity.hpp>
#include <sluice/trust/verify.hpp>

#include <fmt/format.h>

namespace sluice::engine {

int plan_floor(const plan::Plan& plan, int desired) {
  plan::IntOrPercent unavailable{0, false};
  if (const auto* r = std::get_if<plan::RollingStrategy>(&plan.strategy)) unavailable = r->max_unavailable;
  if (const auto* c = std::get_if<plan::CanaryStrategy>(&plan.strategy)) unavailable = c->max_unavailable;
  return strategy::serving_floor(desired, unavailable, plan.min_available);
}

namespace {

void read_object(Deps& deps, const kube::ResourceRef& ref, const std::string& ns, const std::string& name,
                 nlohmann::json& into, PreflightResult& r) {
  auto got = deps.kube->get(ref, ns, name, &deps.interrupt->token());
  if (got) {
    into = std::move(*got);
    return;
  }
  std::string where = ref.kind + " " + (ref.namespaced ? ns + "/" : "") + name;
  if (got.error().kind == util::ErrorKind::not_found) {
    r.problems.push_back(where + " does not exist");
  } else {
    r.problems.push_back("reading " + where + ": " + got.error().message);
  }
}

// The Deployment first: the namespace costs a request only when the
// Deployment is missing, to say which of the two is. False when nothing
// else is worth asking (unreachable, unauthorized, no namespace).
bool read_target_deployment(const plan::Plan& plan, Deps& deps, const std::string& ns, PreflightResult& r) {
  auto got = deps.kube->get(kube::k_deployments, ns, plan.target.deployment, &deps.interrupt->token());
  if (got) {
    r.target.deployment = std::move(*got);
    return true;
  }
  if (got.error().kind != util::ErrorKind::not_found) {
    r.problems.push_back("reading Deployment " + ns + "/" + plan.target.deployment + ": " +
                         got.error().message);
    return false;
  }
  nlohmann::json ns_object;
  read_object(deps, kube::k_namespaces, "", ns, ns_object, r);
  if (!r.problems.empty()) return false;
  r.problems.push_back("Deployment " + ns + "/" + plan.target.deployment + " does not exist");
  return true;
}

// The image's signature (and attestations) against the plan's `verify`
// policy: a refusal is a preflight problem, so nothing is written.
void verify_signature(const plan::Plan& plan, const registry::ResolvedImage& image, Deps& deps,
                      PreflightResult& r) {
  auto policy = trust_policy(*plan.verify, r.target.ns);
  if (!policy) {
    r.problems.push_back(policy.error().message);
    return;
  }
  auto verified = trust::verify_image(image, *policy, *deps.registry, &deps.interrupt->token());
  if (!verified) r.problems.push_back(verified.error().message);
}

std::string resolve_image(const plan::Plan& plan, Deps& deps, PreflightResult& r, bool starting) {
  if (deps.registry == nullptr) {
    if (starting && plan.verify) {
      r.problems.push_back("image " + plan.image + ": verify needs registry access to fetch its signatures");
      return "";
    }
    if (plan.image.find("@sha256:") != std::string::npos) return plan.image;
    r.problems.push_back("image " + plan.image +
                         ": no registry access configured to resolve the tag to a digest");
    return "";
  }
  auto resolved = resolve_plan_image(plan, *deps.registry, &deps.interrupt->token());
  if (!resolved) {
    r.problems.push_back(resolved.error().message);
    return "";
  }
  if (starting && plan.verify) verify_signature(plan, *resolved, deps, r);
  return resolved->pinned_ref;
}

// What serves now: blue-green moves the Service between Deployments
// `<deployment>-<version>`, so the live size is the selected one's, not the
// (possibly retired, 0-replica) plan target's.
nlohmann::json live_deployment(const plan::Plan& plan, Deps& deps, const PreflightResult& r) {
  if (!std::holds_alternative<plan::BlueGreenStrategy>(plan.strategy)) return r.target.deployment;
  auto selector = r.target.service.value("/spec/selector"_json_pointer, nlohmann::json::object());
  if (!selector.contains(k_version_label)) return r.target.deployment;
  auto live =
      deps.kube->get(kube::k_deployments, r.target.ns,
                     preview_name(plan.target.deployment, selector[k_version_label].get<std::string>()));
  return live ? *live : r.target.deployment;
}

// Rolling moves no traffic: its Service matters only to the checks, which
// may measure through it ({{service}}); without checks it is not read.
bool reads_service(const plan::Plan& plan) {
  if (plan.target.service.empty()) return false;
  const auto* rolling = std::get_if<plan::RollingStrategy>(&plan.strategy);
  return rolling == nullptr || !rolling->checks.empty();
}

}  // namespace

util::Result<trust::Policy> trust_policy(const plan::VerifyPolicy& verify, const std::string& ns) {
  trust::Policy policy;
  for (std::size_t i = 0; i < verify.keys.size(); ++i) {
    const std::string name = "verify.keys[" + std::to_string(i) + "]";
    auto pem = gate::resolve_secret(verify.keys[i], name, ns, gate::default_secret_reader());
    if (!pem) return pem.error();
    policy.keys.push_back({name, std::move(*pem)});
  }
  policy.annotations = verify.annotations;
  policy.attestations = verify.attestations;
  return policy;
}

util::Result<registry::ResolvedImage> resolve_plan_image(const plan::Plan& plan, registry::Registry& registry,
                                                         const util::CancelToken* cancel) {
  auto ref = registry::parse_image_ref(plan.image);
  if (!ref) return ref.error();
  std::vector<registry::Platform> platforms;
  for (const auto& p : plan.platforms) {
    auto parsed = registry::parse_platform(p);
    if (parsed) platforms.push_back(*parsed);
  }
  auto resolved = registry.resolve(*ref, platforms, cancel);
  if (!resolved) return resolved.error().with_context("image " + plan.image);
  return resolved;
}

PreflightResult preflight(const plan::Plan& plan, Deps& deps, const std::string& ns, bool probe_checks) {
  PreflightResult r;
  r.target.ns = ns;
  if (!read_target_deployment(plan, deps, ns, r)) return r;
  bool needs_service = std::holds_alternative<plan::BlueGreenStrategy>(plan.strategy);
  if (needs_service && plan.target.service.empty()) r.problems.push_back("blue-green needs target.service");
  if (reads_service(plan)) read_object(deps, kube::k_services, ns, plan.target.service, r.target.service, r);
  if (const auto* c = std::get_if<plan::CanaryStrategy>(&plan.strategy);
      c != nullptr && c->traffic == plan::CanaryStrategy::Traffic::gateway_route) {
    if (plan.target.service.empty()) r.problems.push_back("a gatewayRoute canary needs target.service");
    nlohmann::json route;
    read_object(deps, kube::k_httproutes, ns, c->route_name, route, r);
  }
  if (r.target.deployment.is_object()) {
    auto index = container_index(r.target.deployment, plan.target.container);
    if (index) {
      r.target.container = *index;
    } else {
      r.problems.push_back(index.error().message);
    }
    r.target.live = live_deployment(plan, deps, r);
    r.target.desired = ready_counts(r.target.live).desired;
  }
  r.target.digest_ref = resolve_image(plan, deps, r, probe_checks);
  if (probe_checks) {
    auto unanswered = probe_prometheus(plan.checks, deps.http, r.target.ns, &deps.interrupt->token());
    r.problems.insert(r.problems.end(), unanswered.begin(), unanswered.end());
  }
  r.target.floor = plan_floor(plan, r.target.desired);
  r.ok = r.problems.empty();
  return r;
}

std::vector<std::string> probe_prometheus(const std::map<std::string, plan::Check>& checks,
                                          http::Client* http, const std::string& ns,
                                          const util::CancelToken* cancel) {
  std::vector<std::string> problems;
  for (const auto& [name, check] : checks) {
    const auto* prom = std::get_if<plan::PrometheusSource>(&check.source);
    if (prom == nullptr) continue;
    std::string address = http::redact_url(prom->address);
    if (http == nullptr) {
      problems.push_back(fmt::format("check {}: no HTTP client to reach {}", name, address));
      continue;
    }
    // The probe authenticates as the check will: a Prometheus behind auth answers it.
    auto headers = gate::credential_headers(prom->credentials, ns, gate::default_secret_reader());
    if (!headers) {
      problems.push_back("check " + name + ": " + headers.error().message);
      continue;
    }
    metrics::PrometheusClient prometheus(*http, prom->address, util::Duration(5000));
    prometheus.set_headers(std::move(*headers));
    auto answer = prometheus.send_query("1", cancel);
    if (!answer) {
      problems.push_back(
          fmt::format("check {}: Prometheus at {} unreachable: {}", name, address, answer.error().message));
    } else if (answer->status != 200) {
      problems.push_back(
          fmt::format("check {}: Prometheus at {} answered HTTP {}", name, address, answer->status));
    }
  }
  return problems;
}

}  // namespace sluice::engine
