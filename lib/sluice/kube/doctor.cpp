#include <sluice/kube/doctor.hpp>
#include <sluice/kube/errors.hpp>

#include <fmt/format.h>

namespace sluice::kube {

using util::ErrorKind;

namespace {

DoctorCheck check_reachable(Client& client, const Config& config) {
  ApiRequest r;
  r.path = "/version";
  auto version = client.request(r);
  if (version) {
    return {"reachable", true,
            fmt::format("{} ({})", config.cluster.server, version->value("gitVersion", "unknown"))};
  }
  // Any HTTP answer, even 401/403/404, means the server is there.
  if (version.error().http_status != 0) return {"reachable", true, config.cluster.server};
  return {"reachable", false, fmt::format("{}: {}", config.cluster.server, version.error().message)};
}

DoctorCheck check_identity(Client& client) {
  Json review = {{"apiVersion", k_selfsubjectreviews.api_version()}, {"kind", "SelfSubjectReview"}};
  auto answer = client.create(k_selfsubjectreviews, "", review);
  if (answer) {
    const Json user = answer->value("status", Json::object()).value("userInfo", Json::object());
    return {"authenticated as", true, user.value("username", "unknown")};
  }
  switch (answer.error().kind) {
    case ErrorKind::unauthorized: return {"authenticated as", false, answer.error().message};
    case ErrorKind::not_found:
    case ErrorKind::forbidden:
      return {"authenticated as", true, "unknown (the server does not say: SelfSubjectReview not available)"};
    default: return {"authenticated as", false, answer.error().message};
  }
}

DoctorCheck check_exists(Client& client, const ResourceRef& ref, const std::string& ns,
                         const std::string& name) {
  std::string label = fmt::format("{} {}", ref.kind, ref.namespaced ? ns + "/" + name : name);
  auto object = client.get(ref, ns, name);
  if (object) return {label, true, "exists"};
  if (object.error().kind == ErrorKind::not_found) return {label, false, "not found"};
  return {label, false, object.error().message};
}

DoctorCheck check_permissions(Client& client, const DoctorTarget& t) {
  const auto rules = required_rules(t.needs);
  std::string label = "permissions in " + t.ns;
  auto denied = denied_permissions(client, t.ns, rules);
  if (!denied) {
    // A server without access reviews cannot say; the rollout will find out.
    if (denied.error().kind == ErrorKind::not_found)
      return {label, true, "unknown (the server does not answer SelfSubjectAccessReview)"};
    return {label, false, denied.error().message};
  }
  size_t asked = 0;
  for (const auto& rule : rules) asked += rule.verbs.size();
  if (denied->empty()) return {label, true, fmt::format("all {} a rollout needs are allowed", asked)};
  std::string missing;
  for (const auto& d : *denied) missing += (missing.empty() ? "" : ", ") + d;
  return {label, false,
          fmt::format("{} of {} refused: {} (`sluice doctor --print-role` prints a Role that grants them)",
                      denied->size(), asked, missing)};
}

}  // namespace

bool DoctorReport::ok() const {
  for (const auto& c : checks) {
    if (!c.ok) return false;
  }
  return true;
}

DoctorReport run_doctor(Client& client, const Config& config, const std::optional<DoctorTarget>& target) {
  DoctorReport report;
  report.context = config.context;
  report.checks.push_back(check_reachable(client, config));
  if (!report.checks.back().ok) return report;
  report.checks.push_back(check_identity(client));
  DoctorTarget t = target.value_or(DoctorTarget{config.ns, "", ""});
  if (t.ns.empty()) t.ns = config.ns;
  report.checks.push_back(check_exists(client, k_namespaces, "", t.ns));
  if (!t.deployment.empty()) report.checks.push_back(check_exists(client, k_deployments, t.ns, t.deployment));
  if (!t.service.empty()) report.checks.push_back(check_exists(client, k_services, t.ns, t.service));
  report.checks.push_back(check_permissions(client, t));
  return report;
}

}  // namespace sluice::kube
