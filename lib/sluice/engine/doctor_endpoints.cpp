#include <sluice/engine/doctor_endpoints.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/preflight.hpp>

#include <sluice/gate/provider.hpp>
#include <sluice/gate/secrets.hpp>
#include <sluice/http/client.hpp>
#include <sluice/http/connect_probe.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/metrics/prometheus.hpp>
#include <sluice/registry/registry.hpp>

#include <fmt/format.h>

namespace sluice::engine {

namespace {

using kube::DoctorCheck;
using util::ErrorKind;

DoctorCheck passed(const std::string& name, std::string detail) {
  return {name, true, std::move(detail)};
}
DoctorCheck failed(const std::string& name, std::string detail) {
  return {name, false, std::move(detail)};
}
DoctorCheck warned(const std::string& name, std::string detail) {
  DoctorCheck c{name, true, std::move(detail)};
  c.warning = true;
  return c;
}

// The line already names the image: "image web:2: image reg/web:2: tag ..." reads "tag ...".
std::string without_image_prefix(std::string message) {
  while (message.rfind("image ", 0) == 0) {
    auto colon = message.find(": ");
    if (colon == std::string::npos || message.find(' ', 6) < colon) break;
    message.erase(0, colon + 2);
  }
  return message;
}

std::string platform_list(const std::vector<registry::Platform>& platforms) {
  std::string text;
  for (const auto& p : platforms) text += (text.empty() ? "" : ", ") + p.str();
  return text;
}

bool is_transport(ErrorKind kind) {
  return kind == ErrorKind::timeout || kind == ErrorKind::unavailable || kind == ErrorKind::tls;
}

// Resolved exactly as apply's preflight resolves it; the digest feeds {{digest}}.
DoctorCheck check_image(const plan::Plan& plan, registry::Registry* registry, std::string& digest) {
  std::string name = "image " + plan.image;
  if (registry == nullptr) return failed(name, "no registry client");
  auto resolved = resolve_plan_image(plan, *registry);
  if (!resolved) {
    std::string why = without_image_prefix(resolved.error().message);
    return failed(name, is_transport(resolved.error().kind) ? "registry unreachable: " + why : why);
  }
  digest = resolved->pinned_ref;
  return passed(name, fmt::format("{} ({})", resolved->digest, platform_list(resolved->platforms)));
}

// The serving version's pod-template-hash; "" when the cluster cannot say.
std::string stable_template_hash(kube::Client* kube, const std::string& ns, const std::string& deployment) {
  if (kube == nullptr || deployment.empty()) return "";
  auto dep = kube->get(kube::k_deployments, ns, deployment);
  if (!dep) return "";
  kube::ListOptions options;
  options.label_selector =
      selector_string(dep->value("/spec/selector/matchLabels"_json_pointer, Json::object()));
  auto replicasets = kube->list_all(kube::k_replicasets, ns, options);
  return replicasets ? current_template_hash(*dep, replicasets->items) : "";
}

// No new version exists before a rollout: the live one stands in for it, so
// templated queries and URLs read as they will against real series.
gate::CheckContext live_context(const plan::Plan& plan, const std::string& ns, kube::Client* kube,
                                const std::string& digest) {
  gate::CheckContext c;
  c.rollout = plan.name;
  c.ns = ns;
  c.service = plan.target.service;
  c.stable_hash = stable_template_hash(kube, ns, plan.target.deployment);
  c.canary_hash = c.stable_hash;
  c.digest = digest;
  c.strategy = plan::to_string(plan::kind_of(plan.strategy));
  c.step = 0;
  c.weight = 0;
  return c;
}

// "Prometheus 2.42.0 at <address>", or why the server does not answer us.
util::Result<std::string> prometheus_answers(http::Client& client, const std::string& address,
                                             const http::Headers& headers, util::Duration timeout) {
  std::string shown = http::redact_url(address);
  http::Request request;
  request.url = address + (address.back() == '/' ? "" : "/") + "api/v1/status/buildinfo";
  request.headers = headers;
  request.headers.emplace_back("Accept", "application/json");
  request.timeout = timeout;
  request.connect_timeout = timeout;
  auto answer = client.send(request);
  if (!answer) return answer.error().with_context("Prometheus at " + shown + " unreachable");
  if (answer->status == 401 || answer->status == 403) {
    return util::make_error(
        util::ErrorKind::unauthorized,
        fmt::format("Prometheus at {} refused the check's credentials (HTTP {})", shown, answer->status));
  }
  // Servers that speak the query API without buildinfo (proxies, other TSDBs) are judged by the query.
  auto doc = nlohmann::json::parse(answer->body, nullptr, false);
  std::string version = doc.is_object() ? doc.value("/data/version"_json_pointer, std::string()) : "";
  return version.empty() ? "Prometheus at " + shown : fmt::format("Prometheus {} at {}", version, shown);
}

// The query run once as an instant query: a parse or execution error fails,
// no series is only a warning (the new version has none before it runs).
DoctorCheck judge_query(const std::string& label, metrics::PrometheusClient& prometheus,
                        const std::string& query, const std::map<std::string, std::string>& vars,
                        const std::string& server) {
  auto expanded = gate::expand_template(query, vars);
  if (!expanded) return failed(label, "query: " + expanded.error().message);
  auto answer = prometheus.send_query(*expanded);
  if (!answer) return failed(label, server + " unreachable: " + answer.error().message);
  auto result = metrics::parse_query_response(answer->status, answer->body);
  if (!result) {
    bool parse = result.error().message.rfind("bad_data", 0) == 0;
    return failed(label,
                  (parse ? "the query does not parse: " : "the query failed: ") + result.error().message);
  }
  if (result->samples.empty()) {
    return warned(label, server +
                             " answers; the query returns no data yet (expected before the new "
                             "version runs)");
  }
  if (result->samples.size() > 1) {
    return warned(label, fmt::format("{} answers; the query returns {} series, a check needs one "
                                     "(aggregate it, e.g. sum(...))",
                                     server, result->samples.size()));
  }
  return passed(label, fmt::format("{} answers; the query returns {:g}", server, result->samples[0].value));
}

DoctorCheck check_prometheus(const plan::Check& check, const plan::PrometheusSource& source,
                             const gate::CheckContext& context, const EndpointDeps& deps) {
  std::string label = "check " + check.name;
  if (deps.http == nullptr) return failed(label, "no HTTP client");
  auto headers = gate::credential_headers(source.credentials, context.ns, gate::default_secret_reader());
  if (!headers) return failed(label, "credentials: " + headers.error().message);
  auto server = prometheus_answers(*deps.http, source.address, *headers, deps.timeout);
  if (!server) return failed(label, server.error().message);
  metrics::PrometheusClient prometheus(*deps.http, source.address, deps.timeout);
  prometheus.set_headers(std::move(*headers));
  DoctorCheck main = judge_query(label, prometheus, source.query, context.variables(), *server);
  if (!check.baseline || !main.ok) return main;
  DoctorCheck baseline =
      judge_query(label, prometheus, check.baseline->query, context.baseline_variables(), *server);
  bool worse = !baseline.ok || (baseline.warning && !main.warning);
  if (!worse) return main;
  baseline.detail = "baseline: " + baseline.detail;
  return baseline;
}

bool in_cluster_host(const std::string& host) {
  auto ends_with = [&](const std::string& suffix) {
    return host.size() > suffix.size() &&
           host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".svc") || ends_with(".cluster.local") || ends_with(".cluster.local.");
}

// Resolve and connect only: the status is judged during the rollout, and a
// webhook is never sent (its receiver may act on it).
DoctorCheck check_connect(const std::string& label, const std::string& url_template,
                          const gate::CheckContext& context, util::Duration timeout,
                          const std::string& unsent) {
  auto url = gate::expand_template(url_template, context.variables());
  if (!url) return failed(label, "url: " + url.error().message);
  std::string shown = http::redact_url(*url);
  auto probe = http::probe_connect(*url, timeout);
  switch (probe.outcome) {
    case http::ConnectOutcome::connected: return passed(label, "connects to " + shown + " (" + unsent + ")");
    case http::ConnectOutcome::unresolved:
      if (in_cluster_host(probe.host)) {
        return warned(label, probe.host +
                                 " does not resolve from here: the check runs where sluice runs, so " +
                                 shown + " must be reachable from there");
      }
      return failed(label, "host " + probe.host + " does not resolve: " + probe.message);
    case http::ConnectOutcome::failed: break;
  }
  return failed(label, "cannot connect to " + shown + ": " + probe.message);
}

DoctorCheck check_endpoint(const plan::Check& check, const gate::CheckContext& context,
                           const EndpointDeps& deps) {
  if (const auto* prom = std::get_if<plan::PrometheusSource>(&check.source))
    return check_prometheus(check, *prom, context, deps);
  if (const auto* probe = std::get_if<plan::HttpSource>(&check.source)) {
    return check_connect("check " + check.name, probe->url, context, deps.timeout,
                         "its status is judged during the rollout");
  }
  const auto& hook = std::get<plan::WebhookSource>(check.source);
  return check_connect("check " + check.name, hook.url, context, deps.timeout,
                       "not POSTed: the receiver may act on it");
}

}  // namespace

std::vector<DoctorCheck> check_plan_endpoints(const plan::Plan& plan, const std::string& ns,
                                              const EndpointDeps& deps) {
  std::vector<DoctorCheck> checks;
  std::string digest;
  checks.push_back(check_image(plan, deps.registry, digest));
  if (plan.checks.empty()) return checks;
  std::optional<gate::KubeSecretsScope> secrets;
  if (deps.kube != nullptr) secrets.emplace(*deps.kube);
  gate::CheckContext context = live_context(plan, ns, deps.kube, digest);
  for (const auto& [name, check] : plan.checks) checks.push_back(check_endpoint(check, context, deps));
  return checks;
}

}  // namespace sluice::engine
