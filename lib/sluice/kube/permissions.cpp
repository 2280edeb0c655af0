#include <sluice/kube/permissions.hpp>

#include <fmt/format.h>

namespace sluice::kube {

namespace {

const std::vector<std::string> k_read{"get", "list", "watch"};
const std::vector<std::string> k_read_write{"get", "list", "watch", "create", "update", "patch"};

// Every rollout's needs, each for a reason a reader of the Role can check.
std::vector<PermissionRule> base_rules() {
  return {
      {"apps", "deployments", k_read_write,
       "The workload: read, watch, change the pod template and replicas, and create the second "
       "Deployment of a blue-green rollout (sluice deletes nothing)."},
      {"apps", "deployments/scale", {"get", "update", "patch"}, "Replicas of each version."},
      {"",
       "namespaces",
       {"get"},
       "The target Namespace itself (`sluice doctor`, and preflight when the Deployment is missing): a "
       "Role grants get on its own namespace's object."},
      {"apps", "replicasets", k_read, "Readiness of each version."},
      {"", "pods", k_read, "Readiness, crashes and pull failures."},
      {"", "endpoints", k_read, "The Service's ready endpoints (a canary's rollback waits on them)."},
      {"", "services", k_read_write, "Switched (blue-green), and the preview Service created."},
      {"", "configmaps", k_read_write, "The rollout record (state)."},
      {"coordination.k8s.io",
       "leases",
       {"get", "list", "watch", "create", "update", "delete"},
       "The lock: taken, renewed, watched while another holds it, released."},
  };
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "\"" : ", \"") + item + "\"";
  return "[" + out + "]";
}

// "leases.coordination.k8s.io", "deployments.apps/scale", "pods".
std::string resource_name(const PermissionRule& rule) {
  std::string resource = rule.resource, sub;
  if (auto slash = resource.find('/'); slash != std::string::npos) {
    sub = resource.substr(slash);
    resource.resize(slash);
  }
  return (rule.group.empty() ? resource : resource + "." + rule.group) + sub;
}

Json access_review(const PermissionRule& rule, const std::string& verb, const std::string& ns) {
  Json attributes = {{"namespace", ns}, {"verb", verb}, {"group", rule.group}};
  const auto slash = rule.resource.find('/');
  attributes["resource"] = rule.resource.substr(0, slash);
  if (slash != std::string::npos) attributes["subresource"] = rule.resource.substr(slash + 1);
  if (rule.resource == "namespaces") attributes["name"] = ns;  // a Role reaches only its own Namespace
  return {{"apiVersion", k_selfsubjectaccessreviews.api_version()},
          {"kind", k_selfsubjectaccessreviews.kind},
          {"spec", {{"resourceAttributes", attributes}}}};
}

}  // namespace

std::vector<PermissionRule> required_rules(const PermissionNeeds& needs) {
  auto rules = base_rules();
  if (needs.gateway_route) {
    rules.push_back({"gateway.networking.k8s.io",
                     "httproutes",
                     {"get", "update", "patch"},
                     "Traffic shifting for canaries, only when a plan routes traffic through a Gateway API "
                     "HTTPRoute."});
  }
  if (needs.secret_refs) {
    rules.push_back(
        {"",
         "secrets",
         {"get"},
         "Check credentials a plan reads from a Secret (secretKeyRef); read only, never stored."});
  }
  return rules;
}

std::string role_manifest(const std::vector<PermissionRule>& rules, const std::string& ns) {
  std::string out = fmt::format(
      "# The least privilege sluice needs in namespace {0}, printed by `sluice doctor --print-role`.\n"
      "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sluice\n  namespace: {0}\n---\n"
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: sluice\n  namespace: {0}\n"
      "rules:\n",
      ns);
  for (const auto& rule : rules) {
    out += fmt::format("  # {}\n  - apiGroups: [\"{}\"]\n    resources: [\"{}\"]\n    verbs: {}\n", rule.why,
                       rule.group, rule.resource, quoted_list(rule.verbs));
  }
  out += fmt::format(
      "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: sluice\n"
      "  namespace: {0}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: sluice\n"
      "subjects:\n  - kind: ServiceAccount\n    name: sluice\n    namespace: {0}\n",
      ns);
  return out;
}

util::Result<std::vector<std::string>> denied_permissions(Client& client, const std::string& ns,
                                                          const std::vector<PermissionRule>& rules) {
  std::vector<std::string> denied;
  for (const auto& rule : rules) {
    for (const auto& verb : rule.verbs) {
      auto answer = client.create(k_selfsubjectaccessreviews, "", access_review(rule, verb, ns));
      if (!answer)
        return answer.error().with_context("asking whether sluice may " + verb + " " + rule.resource);
      if (!answer->value("status", Json::object()).value("allowed", false))
        denied.push_back(verb + " " + resource_name(rule));
    }
  }
  return denied;
}

}  // namespace sluice::kube
