// Deployment strategies (kubernetes pkg/apis/apps/validation:
// ValidateDeploymentStrategy, ValidateRollingUpdateDeployment) and Services
// (pkg/apis/core/validation: ValidateService, validateServicePort,
// ValidateServiceUpdate's clusterIP rule).
#include <kubesim/validation_rules.hpp>

#include <regex>
#include <set>

namespace kubesim {

namespace {

const char* const k_percent_message =
    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex "
    "used for validation is '[0-9]+%')";
const char* const k_label_message =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

// An IntOrString as field.Error prints it: %#v, since only *IntOrString has String().
std::string go_int_or_string(const Json& value) {
  if (value.is_string())
    return "intstr.IntOrString{Type:1, IntVal:0, StrVal:" + go_quote(value.get<std::string>()) + "}";
  return "intstr.IntOrString{Type:0, IntVal:" +
         std::to_string(value.is_number_integer() ? value.get<long long>() : 0) + ", StrVal:\"\"}";
}

// The number a maxSurge/maxUnavailable holds, and whether it is a percentage.
std::pair<long long, bool> int_or_percent(const Json& value) {
  static const std::regex percent("[0-9]+%");
  if (value.is_number_integer()) return {value.get<long long>(), false};
  const std::string text = value.is_string() ? value.get<std::string>() : "";
  if (!std::regex_match(text, percent)) return {0, true};
  return {std::stoll(text.substr(0, text.size() - 1)), true};
}

void validate_int_or_percent(const Json& value, const std::string& field, FieldErrors& errors) {
  static const std::regex percent("[0-9]+%");
  const std::string invalid = "Invalid value: " + go_int_or_string(value) + ": ";
  if (value.is_string() && !std::regex_match(value.get<std::string>(), percent))
    errors.push_back({field, "FieldValueInvalid", invalid + k_percent_message});
  if (value.is_number_integer() && value.get<long long>() < 0)
    errors.push_back({field, "FieldValueInvalid",
                      "Invalid value: " + value.dump() + ": must be greater than or equal to 0"});
}

void validate_rolling_update(const Json& rolling, FieldErrors& errors) {
  const std::string path = "spec.strategy.rollingUpdate";
  const Json unavailable = rolling.value("maxUnavailable", Json(0));
  const Json surge = rolling.value("maxSurge", Json(0));
  validate_int_or_percent(unavailable, path + ".maxUnavailable", errors);
  validate_int_or_percent(surge, path + ".maxSurge", errors);
  if (int_or_percent(unavailable).first == 0 && int_or_percent(surge).first == 0) {
    errors.push_back(
        {path + ".maxUnavailable", "FieldValueInvalid",
         "Invalid value: " + go_int_or_string(unavailable) + ": may not be 0 when `maxSurge` is 0"});
  }
  const auto [value, is_percent] = int_or_percent(unavailable);
  if (is_percent && value > 100) {
    errors.push_back({path + ".maxUnavailable", "FieldValueInvalid",
                      "Invalid value: " + go_int_or_string(unavailable) + ": must not be greater than 100%"});
  }
}

void validate_service_port(const Json& port, const std::string& at, bool require_name,
                           std::set<std::string>& names, FieldErrors& errors) {
  static const std::regex label("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  const std::string name = port.value("name", "");
  if (require_name && name.empty()) {
    errors.push_back({at + ".name", "FieldValueRequired", "Required value"});
  } else if (!name.empty()) {
    if (name.size() > 63)
      errors.push_back({at + ".name", "FieldValueInvalid",
                        "Invalid value: " + go_quote(name) + ": must be no more than 63 characters"});
    if (!std::regex_match(name, label))
      errors.push_back(
          {at + ".name", "FieldValueInvalid", "Invalid value: " + go_quote(name) + ": " + k_label_message});
    if (!names.insert(name).second)
      errors.push_back({at + ".name", "FieldValueDuplicate", "Duplicate value: " + go_quote(name)});
  }
  const long long number = port.value("port", 0LL);
  if (number < 1 || number > 65535)
    errors.push_back(
        {at + ".port", "FieldValueInvalid",
         "Invalid value: " + std::to_string(number) + ": must be between 1 and 65535, inclusive"});
  const std::string protocol = port.value("protocol", "TCP");
  if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP")
    errors.push_back(
        {at + ".protocol", "FieldValueNotSupported",
         "Unsupported value: " + go_quote(protocol) + ": supported values: \"SCTP\", \"TCP\", \"UDP\""});
}

}  // namespace

void validate_deployment_strategy(const Json& strategy, FieldErrors& errors) {
  if (!strategy.is_object()) return;
  const std::string type = strategy.value("type", "");
  if (type == "Recreate") {
    if (strategy.contains("rollingUpdate") && !strategy["rollingUpdate"].is_null())
      errors.push_back({"spec.strategy.rollingUpdate", "FieldValueForbidden",
                        "Forbidden: may not be specified when strategy `type` is 'Recreate'"});
    return;
  }
  if (type != "RollingUpdate") {
    errors.push_back(
        {"spec.strategy.type", "FieldValueNotSupported",
         "Unsupported value: " + go_quote(type) + ": supported values: \"Recreate\", \"RollingUpdate\""});
    return;
  }
  if (strategy.contains("rollingUpdate") && strategy["rollingUpdate"].is_object())
    validate_rolling_update(strategy["rollingUpdate"], errors);
}

void validate_service_spec(const Json& spec, FieldErrors& errors) {
  const bool headless = spec.value("clusterIP", "") == "None";
  const std::string type = spec.value("type", "ClusterIP");
  const Json ports = spec.value("ports", Json::array());
  if (!headless && type != "ExternalName" && ports.empty())
    errors.push_back({"spec.ports", "FieldValueRequired", "Required value"});
  std::set<std::string> names;
  for (std::size_t i = 0; i < ports.size(); ++i)
    validate_service_port(ports[i], "spec.ports[" + std::to_string(i) + "]", ports.size() > 1, names, errors);
  if (type != "ClusterIP" && type != "ExternalName" && type != "LoadBalancer" && type != "NodePort")
    errors.push_back(
        {"spec.type", "FieldValueNotSupported",
         "Unsupported value: " + go_quote(type) +
             ": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""});
  const std::string affinity = spec.value("sessionAffinity", "None");
  if (affinity != "None" && affinity != "ClientIP")
    errors.push_back(
        {"spec.sessionAffinity", "FieldValueNotSupported",
         "Unsupported value: " + go_quote(affinity) + ": supported values: \"ClientIP\", \"None\""});
}

void validate_service_update(const Json& spec, const Json& old, FieldErrors& errors) {
  const std::string before = old.value("clusterIP", "");
  const std::string after = spec.value("clusterIP", "");
  if (before.empty() || after == before || old.value("type", "") == "ExternalName" ||
      spec.value("type", "") == "ExternalName")
    return;
  errors.push_back({"spec.clusterIPs[0]", "FieldValueInvalid",
                    "Invalid value: []string{" + go_quote(after) + "}: may not change once set"});
}

}  // namespace kubesim
