// Labels, annotations and ConfigMap/Secret data, as apimachinery
// pkg/api/validation/objectmeta.go, pkg/apis/meta/v1/validation (labels),
// pkg/util/validation (qualified names, label values, config keys) and
// kubernetes pkg/apis/core/validation (ValidateConfigMap, ValidateSecret and
// their Update variants) check them.
#include <kubesim/validation_rules.hpp>

#include <cstdio>
#include <regex>

namespace kubesim {

namespace {

const char* const k_qualified_message =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const char* const k_label_value_message =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const char* const k_subdomain_message =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* const k_config_key_message =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
    "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
constexpr std::size_t k_annotations_limit = 256 * 1024;
constexpr std::size_t k_max_secret_size = 1024 * 1024;
const char* const k_immutable_set = "field is immutable when `immutable` is set";

// IsQualifiedName: the messages for a label or annotation key.
std::vector<std::string> qualified_name_errors(const std::string& value) {
  static const std::regex name_pattern("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  static const std::regex subdomain("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  std::vector<std::string> errors;
  const auto slash = value.find('/');
  std::string name = value;
  if (slash != std::string::npos) {
    if (value.find('/', slash + 1) != std::string::npos) {
      return {std::string("a qualified name ") + k_qualified_message +
              " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"};
    }
    const std::string prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) errors.push_back("prefix part must be non-empty");
    if (prefix.size() > 253) errors.push_back("prefix part must be no more than 253 characters");
    if (!prefix.empty() && !std::regex_match(prefix, subdomain))
      errors.push_back(std::string("prefix part ") + k_subdomain_message);
  }
  if (name.empty()) errors.push_back("name part must be non-empty");
  if (name.size() > 63) errors.push_back("name part must be no more than 63 characters");
  if (!std::regex_match(name, name_pattern))
    errors.push_back(std::string("name part ") + k_qualified_message);
  return errors;
}

void invalid_value(FieldErrors& errors, const std::string& field, const std::string& value,
                   const std::string& message) {
  errors.push_back({field, "FieldValueInvalid", "Invalid value: " + go_quote(value) + ": " + message});
}

void validate_labels(const Json& labels, const std::string& path, FieldErrors& errors) {
  static const std::regex value_pattern("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  if (!labels.is_object()) return;
  for (const auto& [key, value] : labels.items()) {
    for (const auto& message : qualified_name_errors(key)) invalid_value(errors, path, key, message);
    const std::string text = value.is_string() ? value.get<std::string>() : "";
    if (text.size() > 63) invalid_value(errors, path, text, "must be no more than 63 characters");
    if (!std::regex_match(text, value_pattern)) invalid_value(errors, path, text, k_label_value_message);
  }
}

void validate_annotations(const Json& annotations, const std::string& path, FieldErrors& errors) {
  if (!annotations.is_object()) return;
  std::size_t total = 0;
  for (const auto& [key, value] : annotations.items()) {
    std::string lower = key;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& message : qualified_name_errors(lower)) invalid_value(errors, path, key, message);
    total += key.size() + (value.is_string() ? value.get<std::string>().size() : 0);
  }
  if (total > k_annotations_limit) {
    errors.push_back({path, "FieldValueTooLong", "Too long: may not be more than 262144 bytes"});
  }
}

std::vector<std::string> config_key_errors(const std::string& key) {
  static const std::regex pattern("[-._a-zA-Z0-9]+");
  std::vector<std::string> errors;
  if (key.size() > 253) errors.push_back("must be no more than 253 characters");
  if (!std::regex_match(key, pattern)) errors.push_back(k_config_key_message);
  if (key == ".") errors.push_back("must not be '.'");
  if (key == "..") errors.push_back("must not be '..'");
  if (key.size() > 2 && key.rfind("..", 0) == 0) errors.push_back("must not start with '..'");
  return errors;
}

// Secret data and binaryData hold base64: their size is that of the decoded bytes.
std::size_t value_size(const Json& value, bool base64) {
  if (!value.is_string()) return 0;
  const std::size_t n = value.get<std::string>().size();
  return base64 ? n / 4 * 3 : n;
}

std::size_t check_keys(const Json& object, const char* bag, bool base64, FieldErrors& errors) {
  std::size_t total = 0;
  if (!object.contains(bag) || !object[bag].is_object()) return 0;
  for (const auto& [key, value] : object[bag].items()) {
    for (const auto& message : config_key_errors(key))
      invalid_value(errors, std::string(bag) + "[" + key + "]", key, message);
    total += value_size(value, base64);
  }
  return total;
}

}  // namespace

std::string go_quote(const std::string& value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string go_string_map(const Json& map) {
  if (!map.is_object()) return "map[string]string(nil)";
  std::string out;
  for (const auto& [key, value] : map.items()) {
    out += (out.empty() ? "" : ", ") + go_quote(key) + ":" +
           go_quote(value.is_string() ? value.get<std::string>() : "");
  }
  return "map[string]string{" + out + "}";
}

void validate_meta_labels(const Json& meta, const std::string& path, FieldErrors& errors) {
  if (!meta.is_object()) return;
  if (meta.contains("labels")) validate_labels(meta["labels"], path + ".labels", errors);
  if (meta.contains("annotations")) validate_annotations(meta["annotations"], path + ".annotations", errors);
}

void validate_config_data(const std::string& kind, const Json& object, FieldErrors& errors) {
  if (kind == "ConfigMap") {
    const std::size_t total =
        check_keys(object, "data", false, errors) + check_keys(object, "binaryData", true, errors);
    if (total > k_max_secret_size)
      errors.push_back({"[]", "FieldValueTooLong", "Too long: may not be more than 1048576 bytes"});
    return;
  }
  if (check_keys(object, "data", true, errors) > k_max_secret_size)
    errors.push_back({"data", "FieldValueTooLong", "Too long: may not be more than 1048576 bytes"});
}

void validate_config_update(const std::string& kind, const Json& object, const Json& old,
                            FieldErrors& errors) {
  if (kind == "Secret" && object.value("type", "Opaque") != old.value("type", "Opaque")) {
    invalid_value(errors, "type", object.value("type", ""), "field is immutable");
  }
  if (!old.value("immutable", false)) return;
  if (!object.value("immutable", false))
    errors.push_back({"immutable", "FieldValueForbidden", std::string("Forbidden: ") + k_immutable_set});
  for (const char* bag : {"data", "binaryData"}) {
    if (kind == "Secret" && std::string(bag) == "binaryData") continue;
    if (object.value(bag, Json::object()) != old.value(bag, Json::object()))
      errors.push_back({bag, "FieldValueForbidden", std::string("Forbidden: ") + k_immutable_set});
  }
}

}  // namespace kubesim
