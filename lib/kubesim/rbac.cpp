// RBAC as kube-apiserver decides it: cluster-wide bindings first, then the
// RoleBindings of the request's namespace; the first rule that matches allows
// (plugin/pkg/auth/authorizer/rbac/rbac.go, pkg/apis/rbac/v1/evaluation_helpers.go).
#include <kubesim/rbac.hpp>

#include <functional>
#include <sstream>

namespace kubesim {

namespace {

const std::string k_roles = "roles.rbac.authorization.k8s.io";
const std::string k_cluster_roles = "clusterroles.rbac.authorization.k8s.io";
const std::string k_role_bindings = "rolebindings.rbac.authorization.k8s.io";
const std::string k_cluster_role_bindings = "clusterrolebindings.rbac.authorization.k8s.io";

std::vector<std::string> path_parts(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream stream(path);
  for (std::string part; std::getline(stream, part, '/');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

std::string verb_for_method(const std::string& method) {
  if (method == "POST") return "create";
  if (method == "GET" || method == "HEAD") return "get";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return "delete";
  return "";
}

// `metadata.name=NAME` in a field selector names the object of a list or watch.
std::string selected_name(const std::string& field_selector) {
  const std::string key = "metadata.name=";
  if (field_selector.rfind(key, 0) != 0 || field_selector.find(',') != std::string::npos) return "";
  std::string name = field_selector.substr(key.size());
  if (!name.empty() && name[0] == '=') name.erase(0, 1);
  return name.find('/') == std::string::npos ? name : "";
}

// After the group and version: [watch/][namespaces/NS/]resource[/name[/subresource]].
void read_resource_parts(std::vector<std::string> parts, RequestAttributes& a, bool watch,
                         const std::string& field_selector) {
  if (parts.front() == "watch" && parts.size() >= 2) {
    a.verb = "watch";
    parts.erase(parts.begin());
  }
  if (parts.front() == "namespaces" && parts.size() > 1) {
    a.ns = parts[1];
    if (parts.size() > 2 && parts[2] != "status" && parts[2] != "finalize")
      parts.erase(parts.begin(), parts.begin() + 2);
  }
  a.resource = parts[0];
  if (parts.size() >= 2) a.name = parts[1];
  if (parts.size() >= 3) a.subresource = parts[2];
  if (a.name.empty() && a.verb == "get") {
    a.verb = watch ? "watch" : "list";
    a.name = selected_name(field_selector);
  }
  if (a.name.empty() && a.verb == "delete") a.verb = "deletecollection";
}

bool has(const Json& rule, const char* field, const std::string& value) {
  const Json values = rule.value(field, Json::array());
  return std::any_of(values.begin(), values.end(), [&](const Json& v) { return v == value; });
}

bool resource_matches(const Json& rule, const RequestAttributes& a) {
  const std::string combined = a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
  for (const Json& r : rule.value("resources", Json::array())) {
    if (r == "*" || r == combined || (!a.subresource.empty() && r == "*/" + a.subresource)) return true;
  }
  return false;
}

bool url_matches(const Json& rule, const std::string& path) {
  for (const Json& entry : rule.value("nonResourceURLs", Json::array())) {
    const std::string url = entry.is_string() ? entry.get<std::string>() : "";
    if (url == "*" || url == path) return true;
    if (!url.empty() && url.back() == '*' && path.rfind(url.substr(0, url.size() - 1), 0) == 0) return true;
  }
  return false;
}

bool rule_allows(const RequestAttributes& a, const Json& rule) {
  if (!has(rule, "verbs", "*") && !has(rule, "verbs", a.verb)) return false;
  if (!a.resource_request) return url_matches(rule, a.path);
  const Json names = rule.value("resourceNames", Json::array());
  return (has(rule, "apiGroups", "*") || has(rule, "apiGroups", a.api_group)) && resource_matches(rule, a) &&
         (names.empty() || has(rule, "resourceNames", a.name));
}

std::string describe_subject(const Json& subject, const std::string& binding_ns) {
  const std::string kind = subject.value("kind", "");
  std::string name = subject.value("name", "");
  if (kind == "ServiceAccount") name += "/" + subject.value("namespace", binding_ns);
  return kind + " \"" + name + "\"";
}

// The binding's first subject that is `user` (rbac.go appliesToUser), if any.
std::optional<Json> subject_for(const Json& binding, const UserInfo& user, const std::string& binding_ns) {
  for (const Json& subject : binding.value("subjects", Json::array())) {
    const std::string kind = subject.value("kind", "");
    const std::string name = subject.value("name", "");
    bool applies = false;
    if (kind == "User") applies = name == user.name;
    if (kind == "Group")
      applies = std::find(user.groups.begin(), user.groups.end(), name) != user.groups.end();
    if (kind == "ServiceAccount") {
      const std::string ns = subject.value("namespace", binding_ns);
      applies = !ns.empty() && user.name == "system:serviceaccount:" + ns + ":" + name;
    }
    if (applies) return subject;
  }
  return std::nullopt;
}

Result<Json> role_rules(const Store& store, const Json& role_ref, const std::string& binding_ns) {
  const std::string name = role_ref.value("name", "");
  const bool cluster = role_ref.value("kind", "") == "ClusterRole";
  auto role = cluster ? store.get(k_cluster_roles, "", name) : store.get(k_roles, binding_ns, name);
  if (!role.ok()) {
    return sluice::util::make_error(sluice::util::ErrorKind::not_found,
                                    std::string(cluster ? "clusterrole" : "role") +
                                        ".rbac.authorization.k8s.io \"" + name + "\" not found");
  }
  return role->value("rules", Json::array());
}

// Calls `visit(source, rules)` for each binding that applies to `user`, until
// it returns false; unresolvable roles land in `errors`.
void visit_bindings(const Store& store, const UserInfo& user, const std::string& ns,
                    const std::function<bool(const std::string&, const Json&)>& visit,
                    std::vector<std::string>& errors) {
  auto visit_kind = [&](const std::string& key, const std::string& list_ns, const char* kind) {
    for (const Json& binding : store.list(key, list_ns).first) {
      const auto subject = subject_for(binding, user, list_ns);
      if (!subject) continue;
      const Json ref = binding.value("roleRef", Json::object());
      auto rules = role_rules(store, ref, list_ns);
      if (!rules.ok()) {
        errors.push_back(rules.error().message);
        continue;
      }
      // rule.go's describers: a RoleBinding is named "name/namespace".
      const std::string name = binding["metadata"].value("name", "") + (list_ns.empty() ? "" : "/" + list_ns);
      const std::string source = std::string(kind) + " \"" + name + "\" of " + ref.value("kind", "") + " \"" +
                                 ref.value("name", "") + "\" to " + describe_subject(*subject, list_ns);
      if (!visit(source, *rules)) return false;
    }
    return true;
  };
  if (!visit_kind(k_cluster_role_bindings, "", "ClusterRoleBinding") || ns.empty()) return;
  visit_kind(k_role_bindings, ns, "RoleBinding");
}

std::string errors_reason(const std::vector<std::string>& errors) {
  if (errors.empty()) return "";
  std::string joined;
  for (const auto& e : errors) joined += (joined.empty() ? "" : ", ") + e;
  return "RBAC: " + (errors.size() > 1 ? "[" + joined + "]" : joined);
}

Json resource_rule(const Json& rule) {
  Json out = {{"verbs", rule.value("verbs", Json::array())},
              {"apiGroups", rule.value("apiGroups", Json::array())},
              {"resources", rule.value("resources", Json::array())}};
  if (rule.contains("resourceNames")) out["resourceNames"] = rule["resourceNames"];
  return out;
}

}  // namespace

RequestAttributes request_attributes(const std::string& method, const std::string& path, bool watch,
                                     const std::string& field_selector) {
  RequestAttributes a;
  a.path = path;
  a.verb = method;
  std::transform(a.verb.begin(), a.verb.end(), a.verb.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  auto parts = path_parts(path);
  const bool core = parts.size() >= 3 && parts[0] == "api";
  const bool group = parts.size() >= 4 && parts[0] == "apis";
  if (!core && !group) return a;  // /api, /apis/apps/v1, /version...: non-resource URLs
  a.resource_request = true;
  a.verb = verb_for_method(method);
  if (group) a.api_group = parts[1];
  a.api_version = parts[group ? 2 : 1];
  parts.erase(parts.begin(), parts.begin() + (group ? 3 : 2));
  read_resource_parts(parts, a, watch, field_selector);
  return a;
}

Decision authorize(const Store& store, const UserInfo& user, const RequestAttributes& attributes) {
  if (is_privileged(user)) return {true, ""};
  Decision decision;
  std::vector<std::string> errors;
  visit_bindings(
      store, user, attributes.ns,
      [&](const std::string& source, const Json& rules) {
        for (const Json& rule : rules) {
          if (!rule_allows(attributes, rule)) continue;
          decision = {true, "RBAC: allowed by " + source};
          return false;
        }
        return true;
      },
      errors);
  if (!decision.allowed) decision.reason = errors_reason(errors);
  return decision;
}

Json rules_review_status(const Store& store, const UserInfo& user, const std::string& ns) {
  Json resources = Json::array();
  Json urls = Json::array();
  if (is_privileged(user)) {
    resources.push_back({{"verbs", {"*"}}, {"apiGroups", {"*"}}, {"resources", {"*"}}});
    urls.push_back({{"verbs", {"*"}}, {"nonResourceURLs", {"*"}}});
  }
  std::vector<std::string> errors;
  visit_bindings(
      store, user, ns,
      [&](const std::string&, const Json& rules) {
        for (const Json& rule : rules) {
          if (!rule.value("resources", Json::array()).empty()) resources.push_back(resource_rule(rule));
          if (!rule.value("nonResourceURLs", Json::array()).empty()) {
            urls.push_back({{"verbs", rule.value("verbs", Json::array())},
                            {"nonResourceURLs", rule["nonResourceURLs"]}});
          }
        }
        return true;
      },
      errors);
  Json status = {{"resourceRules", resources}, {"nonResourceRules", urls}, {"incomplete", !errors.empty()}};
  if (!errors.empty()) status["evaluationError"] = errors_reason(errors).substr(6);
  return status;
}

ApiError forbidden(const std::string& user, const RequestAttributes& a, const std::string& reason) {
  std::string why = "User \"" + user + "\" cannot " + a.verb;
  if (!a.resource_request) {
    why += " path \"" + a.path + "\"";
  } else {
    why += " resource \"" + (a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource) +
           "\" in API group \"" + a.api_group + "\"";
    why += a.ns.empty() ? " at the cluster scope" : " in the namespace \"" + a.ns + "\"";
  }
  if (!reason.empty()) why += ": " + reason;
  if (a.resource.empty()) return {403, "Forbidden", "forbidden: " + why, Json::object()};
  const std::string qualified = a.api_group.empty() ? a.resource : a.resource + "." + a.api_group;
  Json details = {{"kind", a.resource}};
  if (!a.name.empty()) details["name"] = a.name;
  if (!a.api_group.empty()) details["group"] = a.api_group;
  return {403, "Forbidden",
          qualified + (a.name.empty() ? "" : " \"" + a.name + "\"") + " is forbidden: " + why, details};
}

}  // namespace kubesim
