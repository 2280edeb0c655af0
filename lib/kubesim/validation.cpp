#include <kubesim/validation.hpp>

#include <kubesim/quantity.hpp>
#include <kubesim/validation_rules.hpp>

#include <openssl/evp.h>

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

// Quantities in canonical form ("1000m" -> "1"), and a limit without a
// request sets the request (core/v1 defaults.go SetDefaults_Pod).
void default_resources(Json& resources) {
  if (!resources.is_object()) return;
  for (const char* bag : {"limits", "requests"}) {
    if (!resources.contains(bag) || !resources[bag].is_object()) continue;
    for (auto& [name, value] : resources[bag].items()) {
      const auto q = parse_quantity(value.is_string() ? value.get<std::string>() : value.dump());
      if (q) value = canonical_quantity(*q);
    }
  }
  if (!resources.contains("limits") || !resources["limits"].is_object()) return;
  for (const auto& [name, value] : resources["limits"].items()) {
    if (!resources["requests"].is_object()) resources["requests"] = Json::object();
    if (!resources["requests"].contains(name)) resources["requests"][name] = value;
  }
}

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
  default_resources(container["resources"]);
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
    if (!strategy.contains("type")) strategy["type"] = "RollingUpdate";
    if (strategy.value("type", "") == "RollingUpdate") {
      Json& rolling = strategy["rollingUpdate"];
      if (!rolling.is_object()) rolling = Json::object();
      if (!rolling.contains("maxSurge")) rolling["maxSurge"] = "25%";
      if (!rolling.contains("maxUnavailable")) rolling["maxUnavailable"] = "25%";
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
  if (spec["type"] == "ExternalName") return;
  if (!spec.contains("clusterIP")) spec["clusterIP"] = next_cluster_ip();
  if (!spec.contains("clusterIPs")) spec["clusterIPs"] = Json::array({spec["clusterIP"]});
  if (!spec.contains("ipFamilies")) spec["ipFamilies"] = Json::array({"IPv4"});
  if (!spec.contains("ipFamilyPolicy")) spec["ipFamilyPolicy"] = "SingleStack";
  if (!spec.contains("internalTrafficPolicy")) spec["internalTrafficPolicy"] = "Cluster";
  const std::string type = spec["type"];
  if ((type == "NodePort" || type == "LoadBalancer") && !spec.contains("externalTrafficPolicy"))
    spec["externalTrafficPolicy"] = "Cluster";
  if (spec.contains("ports") && spec["ports"].is_array()) {
    for (auto& port : spec["ports"]) {
      if (!port.is_object()) continue;
      if (!port.contains("protocol")) port["protocol"] = "TCP";
      if (!port.contains("targetPort") && port.contains("port")) port["targetPort"] = port["port"];
    }
  }
}

// metav1.LabelSelector as field.Error prints it (%#v: only *LabelSelector has String()).
std::string go_label_selector(const Json& selector) {
  const Json labels = selector.value("matchLabels", Json());
  std::string expressions;
  for (const auto& e : selector.value("matchExpressions", Json::array())) {
    std::string values;
    for (const auto& v : e.value("values", Json::array()))
      values += (values.empty() ? "" : ", ") + go_quote(v.is_string() ? v.get<std::string>() : "");
    expressions += std::string(expressions.empty() ? "" : ", ") +
                   "v1.LabelSelectorRequirement{Key:" + go_quote(e.value("key", "")) +
                   ", Operator:" + go_quote(e.value("operator", "")) +
                   ", Values:" + (e.contains("values") ? "[]string{" + values + "}" : "[]string(nil)") + "}";
  }
  return "v1.LabelSelector{MatchLabels:" + go_string_map(labels) + ", MatchExpressions:" +
         (selector.contains("matchExpressions") ? "[]v1.LabelSelectorRequirement{" + expressions + "}"
                                                : "[]v1.LabelSelectorRequirement(nil)") +
         "}";
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
             "Invalid value: " + go_string_map(labels) + ": `selector` does not match template `labels`"});
        break;
      }
    }
  }
  if (spec.value("replicas", 0) < 0) {
    errors.push_back({"spec.replicas", "FieldValueInvalid",
                      "Invalid value: " + std::to_string(spec.value("replicas", 0)) +
                          ": must be greater than or equal to 0"});
  }
  const Json template_spec = spec.value("template", Json::object());
  validate_meta_labels(template_spec.value("metadata", Json::object()), "spec.template.metadata", errors);
  validate_pod_spec(template_spec.value("spec", Json::object()), "spec.template.spec", errors);
  if (object.value("kind", "") == "Deployment" && spec.contains("strategy"))
    validate_deployment_strategy(spec["strategy"], errors);
}

// Secret stringData is write-only: merged into data as base64 (core/v1
// conversion), type defaults to Opaque.
void default_secret(Json& object) {
  if (!object.contains("type")) object["type"] = "Opaque";
  if (!object.contains("stringData")) return;
  if (object["stringData"].is_object()) {
    if (!object["data"].is_object()) object["data"] = Json::object();
    for (const auto& [key, value] : object["stringData"].items()) {
      const std::string text = value.is_string() ? value.get<std::string>() : "";
      std::string encoded(4 * ((text.size() + 2) / 3) + 1, '\0');
      const int n =
          EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
      encoded.resize(static_cast<std::size_t>(n));
      object["data"][key] = encoded;
    }
  }
  object.erase("stringData");
}

// What the server keeps from the stored object on update: a Service's
// allocated cluster IPs (service REST patchAllocatedValues).
void keep_allocated(const ResourceType& type, Json& object, const Json* previous) {
  if (previous == nullptr || type.kind != "Service" || !object["spec"].is_object()) return;
  const Json old = previous->value("spec", Json::object());
  for (const char* field : {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"}) {
    if (!object["spec"].contains(field) && old.contains(field)) object["spec"][field] = old[field];
  }
}

}  // namespace

void apply_defaults(const ResourceType& type, Json& object, const Json* previous) {
  if (type.kind == "Deployment" || type.kind == "ReplicaSet")
    default_workload(object, type.kind == "Deployment");
  if (type.kind == "Pod" && object.contains("spec")) {
    default_pod_spec(object["spec"]);
    if (!object["spec"].contains("enableServiceLinks")) object["spec"]["enableServiceLinks"] = true;
  }
  if (type.kind == "Service") {
    keep_allocated(type, object, previous);
    default_service(object);
  }
  if (type.kind == "Secret") default_secret(object);
  // The NamespaceDefaultLabelName feature (GA in 1.22): the label always equals the name.
  if (type.kind == "Namespace") {
    Json& meta = object["metadata"];
    if (!meta["labels"].is_object()) meta["labels"] = Json::object();
    meta["labels"]["kubernetes.io/metadata.name"] = meta.value("name", "");
  }
}

namespace {

// The apiserver defaults what it decodes from storage as well, so the stored
// Pod is compared in its defaulted form: a Pod written without a default
// (by an older kubesim, or straight into the store) still passes an update
// that changes only its metadata.
Json defaulted_pod_spec(const ResourceType& type, Json stored) {
  apply_defaults(type, stored);
  return stored.value("spec", Json::object());
}

}  // namespace

std::optional<ApiError> validate_object(const ResourceType& type, const Json& object, const Json* previous) {
  std::vector<FieldError> errors;
  validate_name(type, object, errors);
  validate_meta_labels(object["metadata"], "metadata", errors);
  const Json spec = object.value("spec", Json::object());
  const Json old_spec = previous != nullptr ? previous->value("spec", Json::object()) : Json::object();
  if (type.kind == "Deployment" || type.kind == "ReplicaSet") {
    validate_workload(object, errors);
    // apps/v1 made the selector immutable: a changed one would orphan the pods it selected.
    if (previous != nullptr && old_spec.contains("selector") && spec.contains("selector") &&
        old_spec["selector"] != spec["selector"])
      errors.push_back({"spec.selector", "FieldValueInvalid",
                        "Invalid value: " + go_label_selector(spec["selector"]) + ": field is immutable"});
  }
  if (type.kind == "Pod") {
    validate_pod_spec(spec, "spec", errors);
    if (previous != nullptr) validate_pod_update(spec, defaulted_pod_spec(type, *previous), errors);
  }
  if (type.kind == "Service") {
    validate_service_spec(spec, errors);
    if (previous != nullptr) validate_service_update(spec, old_spec, errors);
  }
  if (type.kind == "ConfigMap" || type.kind == "Secret") {
    validate_config_data(type.kind, object, errors);
    if (previous != nullptr) validate_config_update(type.kind, object, *previous, errors);
  }
  if (errors.empty()) return std::nullopt;
  return invalid(type, object["metadata"].value("name", ""), errors);
}

}  // namespace kubesim
