#include <kubesim/validation.hpp>

#include <atomic>
#include <regex>

namespace kubesim {

namespace {

const char* const k_subdomain_message =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* const k_label_message =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char* const k_dns1035_message =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, "
    "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
    "'[a-z]([-a-z0-9]*[a-z0-9])?')";

void default_container(Json& container) {
  if (!container.is_object()) return;
  if (!container.contains("imagePullPolicy")) {
    const std::string image = container.value("image", "");
    const bool latest = image.find(':') == std::string::npos || image.size() < 7 ||
                        image.compare(image.size() - 7, 7, ":latest") == 0;
    container["imagePullPolicy"] = latest && image.find('@') == std::string::npos ? "Always" : "IfNotPresent";
  }
  if (!container.contains("terminationMessagePath"))
    container["terminationMessagePath"] = "/dev/termination-log";
  if (!container.contains("terminationMessagePolicy")) container["terminationMessagePolicy"] = "File";
  if (!container.contains("resources")) container["resources"] = Json::object();
  if (container.contains("ports") && container["ports"].is_array()) {
    for (auto& port : container["ports"]) {
      if (port.is_object() && !port.contains("protocol")) port["protocol"] = "TCP";
    }
  }
}

void default_pod_spec(Json& spec) {
  if (!spec.is_object()) return;
  for (const char* list : {"containers", "initContainers"}) {
    if (spec.contains(list) && spec[list].is_array()) {
      for (auto& c : spec[list]) default_container(c);
    }
  }
  if (!spec.contains("restartPolicy")) spec["restartPolicy"] = "Always";
  if (!spec.contains("terminationGracePeriodSeconds")) spec["terminationGracePeriodSeconds"] = 30;
  if (!spec.contains("dnsPolicy")) spec["dnsPolicy"] = "ClusterFirst";
  if (!spec.contains("schedulerName")) spec["schedulerName"] = "default-scheduler";
  if (!spec.contains("securityContext")) spec["securityContext"] = Json::object();
}

void default_workload(Json& object, bool deployment) {
  Json& spec = object["spec"];
  if (!spec.is_object()) return;
  if (!spec.contains("replicas")) spec["replicas"] = 1;
  if (deployment) {
    if (!spec.contains("strategy")) spec["strategy"] = {{"type", "RollingUpdate"}};
    Json& strategy = spec["strategy"];
    if (strategy.value("type", "") == "RollingUpdate" && !strategy.contains("rollingUpdate")) {
      strategy["rollingUpdate"] = {{"maxSurge", "25%"}, {"maxUnavailable", "25%"}};
    }
    if (!spec.contains("revisionHistoryLimit")) spec["revisionHistoryLimit"] = 10;
    if (!spec.contains("progressDeadlineSeconds")) spec["progressDeadlineSeconds"] = 600;
  }
  if (spec.contains("template") && spec["template"].contains("spec"))
    default_pod_spec(spec["template"]["spec"]);
}

std::string next_cluster_ip() {
  static std::atomic<int> counter{10};
  const int n = counter++;
  return "10.96." + std::to_string((n / 250) % 250) + "." + std::to_string(n % 250 + 1);
}

void default_service(Json& object) {
  Json& spec = object["spec"];
  if (!spec.is_object()) return;
  if (!spec.contains("type")) spec["type"] = "ClusterIP";
  if (!spec.contains("sessionAffinity")) spec["sessionAffinity"] = "None";
  if (!spec.contains("clusterIP")) spec["clusterIP"] = next_cluster_ip();
  if (!spec.contains("clusterIPs")) spec["clusterIPs"] = Json::array({spec["clusterIP"]});
  if (spec.contains("ports") && spec["ports"].is_array()) {
    for (auto& port : spec["ports"]) {
      if (!port.is_object()) continue;
      if (!port.contains("protocol")) port["protocol"] = "TCP";
      if (!port.contains("targetPort") && port.contains("port")) port["targetPort"] = port["port"];
    }
  }
}

FieldError required(const std::string& field) {
  return {field, "FieldValueRequired", "Required value"};
}

void validate_name(const ResourceType& type, const Json& object, std::vector<FieldError>& errors) {
  static const std::regex subdomain("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  static const std::regex label("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  static const std::regex dns1035("[a-z]([-a-z0-9]*[a-z0-9])?");
  const std::string name = object["metadata"].value("name", "");
  if (name.empty()) {
    errors.push_back(
        {"metadata.name", "FieldValueRequired", "Required value: name or generateName is required"});
    return;
  }
  const bool is_service = type.kind == "Service";
  const bool is_namespace = type.kind == "Namespace";
  const std::regex& pattern = is_service ? dns1035 : (is_namespace ? label : subdomain);
  const char* message =
      is_service ? k_dns1035_message : (is_namespace ? k_label_message : k_subdomain_message);
  const std::size_t max = (is_service || is_namespace) ? 63 : 253;
  if (!std::regex_match(name, pattern)) {
    errors.push_back({"metadata.name", "FieldValueInvalid", "Invalid value: \"" + name + "\": " + message});
  } else if (name.size() > max) {
    errors.push_back(
        {"metadata.name", "FieldValueInvalid",
         "Invalid value: \"" + name + "\": must be no more than " + std::to_string(max) + " characters"});
  }
}

void validate_containers(const Json& pod_spec, const std::string& path, std::vector<FieldError>& errors) {
  if (!pod_spec.contains("containers") || !pod_spec["containers"].is_array() ||
      pod_spec["containers"].empty()) {
    errors.push_back(required(path + ".containers"));
    return;
  }
  for (std::size_t i = 0; i < pod_spec["containers"].size(); ++i) {
    const Json& c = pod_spec["containers"][i];
    const std::string at = path + ".containers[" + std::to_string(i) + "]";
    if (c.value("name", "").empty()) errors.push_back(required(at + ".name"));
    if (c.value("image", "").empty()) errors.push_back(required(at + ".image"));
  }
}

void validate_workload(const Json& object, std::vector<FieldError>& errors) {
  const Json spec = object.value("spec", Json::object());
  if (!spec.contains("selector") || !spec["selector"].is_object() || spec["selector"].empty()) {
    errors.push_back(required("spec.selector"));
  }
  const Json labels = spec.value("template", Json::object())
                          .value("metadata", Json::object())
                          .value("labels", Json::object());
  if (spec.contains("selector") && spec["selector"].contains("matchLabels")) {
    for (const auto& [k, v] : spec["selector"]["matchLabels"].items()) {
      if (!labels.contains(k) || labels[k] != v) {
        errors.push_back(
            {"spec.template.metadata.labels", "FieldValueInvalid",
             "Invalid value: " + labels.dump() + ": `selector` does not match template `labels`"});
        break;
      }
    }
  }
  if (spec.value("replicas", 0) < 0) {
    errors.push_back({"spec.replicas", "FieldValueInvalid",
                      "Invalid value: " + std::to_string(spec.value("replicas", 0)) +
                          ": must be greater than or equal to 0"});
  }
  validate_containers(spec.value("template", Json::object()).value("spec", Json::object()),
                      "spec.template.spec", errors);
}

}  // namespace

void apply_defaults(const ResourceType& type, Json& object) {
  if (type.kind == "Deployment" || type.kind == "ReplicaSet")
    default_workload(object, type.kind == "Deployment");
  if (type.kind == "Pod" && object.contains("spec")) default_pod_spec(object["spec"]);
  if (type.kind == "Service") default_service(object);
}

std::optional<ApiError> validate_object(const ResourceType& type, const Json& object, const Json* previous) {
  std::vector<FieldError> errors;
  validate_name(type, object, errors);
  if (type.kind == "Deployment" || type.kind == "ReplicaSet") {
    validate_workload(object, errors);
    // apps/v1 made the selector immutable: a changed one would orphan the pods it selected.
    auto selector = "/spec/selector"_json_pointer;
    if (previous != nullptr && previous->contains(selector) && object.contains(selector) &&
        previous->at(selector) != object.at(selector))
      errors.push_back({"spec.selector", "FieldValueInvalid",
                        "Invalid value: " + object.at(selector).dump() + ": field is immutable"});
  }
  if (type.kind == "Pod") validate_containers(object.value("spec", Json::object()), "spec", errors);
  if (type.kind == "Service") {
    const Json spec = object.value("spec", Json::object());
    const bool headless = spec.value("clusterIP", "") == "None";
    if (!headless && spec.value("type", "ClusterIP") != "ExternalName" &&
        (!spec.contains("ports") || spec["ports"].empty())) {
      errors.push_back(required("spec.ports"));
    }
  }
  if (errors.empty()) return std::nullopt;
  return invalid(type, object["metadata"].value("name", ""), errors);
}

}  // namespace kubesim
