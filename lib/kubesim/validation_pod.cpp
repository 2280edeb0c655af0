// Containers and pod updates, as kubernetes pkg/apis/core/validation
// (validateContainers, validateContainerPorts, validateEnv,
// ValidateResourceRequirements, ValidatePodUpdate) checks them.
#include <kubesim/quantity.hpp>
#include <kubesim/validation_rules.hpp>

#include <regex>
#include <set>

namespace kubesim {

namespace {

const char* const k_label_message =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char* const k_env_message =
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and "
    "must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for "
    "validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
const char* const k_port_range = "must be between 1 and 65535, inclusive";
const char* const k_protocols = "supported values: \"SCTP\", \"TCP\", \"UDP\"";

void required(FieldErrors& errors, const std::string& field) {
  errors.push_back({field, "FieldValueRequired", "Required value"});
}

void invalid_quoted(FieldErrors& errors, const std::string& field, const std::string& value,
                    const std::string& message) {
  errors.push_back({field, "FieldValueInvalid", "Invalid value: " + go_quote(value) + ": " + message});
}

std::vector<std::string> port_name_errors(const std::string& name) {
  static const std::regex charset("[-a-z0-9]+");
  static const std::regex letter(".*[a-z].*");
  std::vector<std::string> errors;
  if (name.size() > 15) errors.push_back("must be no more than 15 characters");
  if (!std::regex_match(name, charset))
    errors.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!std::regex_match(name, letter)) errors.push_back("must contain at least one letter (a-z)");
  if (name.find("--") != std::string::npos) errors.push_back("must not contain consecutive hyphens");
  if (!name.empty() && (name.front() == '-' || name.back() == '-'))
    errors.push_back("must not begin or end with a hyphen");
  return errors;
}

void validate_ports(const Json& ports, const std::string& path, FieldErrors& errors) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const Json& port = ports[i];
    const std::string at = path + "[" + std::to_string(i) + "]";
    const std::string name = port.value("name", "");
    const auto name_errors = port_name_errors(name);
    for (const auto& message : name.empty() ? std::vector<std::string>{} : name_errors)
      invalid_quoted(errors, at + ".name", name, message);
    if (!name.empty() && name_errors.empty() && !names.insert(name).second)
      errors.push_back({at + ".name", "FieldValueDuplicate", "Duplicate value: " + go_quote(name)});
    const long long number = port.value("containerPort", 0LL);
    if (number == 0) required(errors, at + ".containerPort");
    if (number < 0 || number > 65535)
      errors.push_back({at + ".containerPort", "FieldValueInvalid",
                        "Invalid value: " + std::to_string(number) + ": " + k_port_range});
    const std::string protocol = port.value("protocol", "TCP");
    if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP")
      errors.push_back({at + ".protocol", "FieldValueNotSupported",
                        "Unsupported value: " + go_quote(protocol) + ": " + k_protocols});
  }
}

void validate_env(const Json& env, const std::string& path, FieldErrors& errors) {
  static const std::regex pattern("[-._a-zA-Z][-._a-zA-Z0-9]*");
  for (std::size_t i = 0; i < env.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "].name";
    const std::string name = env[i].value("name", "");
    if (name.empty()) {
      required(errors, at);
      continue;
    }
    if (!std::regex_match(name, pattern)) invalid_quoted(errors, at, name, k_env_message);
    if (name == ".") invalid_quoted(errors, at, name, "must not be '.'");
    if (name == "..") invalid_quoted(errors, at, name, "must not be '..'");
    if (name.size() > 2 && name.rfind("..", 0) == 0)
      invalid_quoted(errors, at, name, "must not start with '..'");
  }
}

std::optional<Quantity> quantity_of(const Json& value) {
  if (value.is_string()) return parse_quantity(value.get<std::string>());
  if (value.is_number()) return parse_quantity(value.dump());
  return std::nullopt;
}

void validate_resources(const Json& resources, const std::string& path, FieldErrors& errors) {
  const Json limits = resources.value("limits", Json::object());
  const Json requests = resources.value("requests", Json::object());
  for (const auto& [name, value] : requests.items()) {
    const auto request = quantity_of(value);
    if (!request || !limits.contains(name)) continue;
    const auto limit = quantity_of(limits[name]);
    if (limit && compare_quantities(*request, *limit) > 0) {
      invalid_quoted(errors, path + ".requests", canonical_quantity(*request),
                     "must be less than or equal to " + name + " limit of " + canonical_quantity(*limit));
    }
  }
}

void validate_container(const Json& c, const std::string& at, std::set<std::string>& names,
                        FieldErrors& errors) {
  static const std::regex label("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  const std::string name = c.value("name", "");
  if (name.empty()) {
    required(errors, at + ".name");
  } else if (name.size() > 63) {
    invalid_quoted(errors, at + ".name", name, "must be no more than 63 characters");
  } else if (!std::regex_match(name, label)) {
    invalid_quoted(errors, at + ".name", name, k_label_message);
  } else if (!names.insert(name).second) {
    errors.push_back({at + ".name", "FieldValueDuplicate", "Duplicate value: " + go_quote(name)});
  }
  if (c.value("image", "").empty()) required(errors, at + ".image");
  if (c.contains("ports") && c["ports"].is_array()) validate_ports(c["ports"], at + ".ports", errors);
  if (c.contains("env") && c["env"].is_array()) validate_env(c["env"], at + ".env", errors);
  if (c.contains("resources") && c["resources"].is_object())
    validate_resources(c["resources"], at + ".resources", errors);
}

// The spec with the fields a Pod update may change set to the old values.
Json munge_updatable(Json spec, const Json& old) {
  for (const char* list : {"containers", "initContainers"}) {
    if (!spec.contains(list) || !old.contains(list) || spec[list].size() != old[list].size()) continue;
    for (std::size_t i = 0; i < spec[list].size(); ++i) {
      if (old[list][i].contains("image")) spec[list][i]["image"] = old[list][i]["image"];
    }
  }
  for (const char* field : {"activeDeadlineSeconds", "tolerations"}) {
    if (old.contains(field)) {
      spec[field] = old[field];
    } else {
      spec.erase(field);
    }
  }
  return spec;
}

}  // namespace

void validate_pod_spec(const Json& spec, const std::string& path, FieldErrors& errors) {
  if (!spec.contains("containers") || !spec["containers"].is_array() || spec["containers"].empty()) {
    required(errors, path + ".containers");
    return;
  }
  std::set<std::string> names;
  for (const char* list : {"containers", "initContainers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (std::size_t i = 0; i < spec[list].size(); ++i)
      validate_container(spec[list][i], path + "." + list + "[" + std::to_string(i) + "]", names, errors);
  }
}

void validate_pod_update(const Json& spec, const Json& old, FieldErrors& errors) {
  if (munge_updatable(spec, old) == old) return;
  errors.push_back(
      {"spec", "FieldValueForbidden",
       "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
       "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
       "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set "
       "to 1 if it was previously negative)"});
}

}  // namespace kubesim
