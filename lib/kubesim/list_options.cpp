// ListOptions parsing and the apiserver's validation of it
// (apimachinery pkg/apis/meta/internalversion/validation/validation.go).
#include <kubesim/list_options.hpp>

namespace kubesim {

namespace {

const ResourceType k_list_options{"meta.k8s.io", "v1", "ListOptions", "listoptions", false};

bool read_bool(const httplib::Request& req, const char* name, ListOptions& options) {
  if (!req.has_param(name)) return false;
  const std::string text = req.get_param_value(name);
  const auto value = parse_go_bool(text);
  if (!value && options.malformed.empty())
    options.malformed = "strconv.ParseBool: parsing \"" + text + "\": invalid syntax";
  return value.value_or(false);
}

FieldError forbidden(const std::string& field, const std::string& detail) {
  return {field, "FieldValueForbidden", "Forbidden: " + detail};
}

FieldError not_supported(const std::string& value, const std::string& supported) {
  return {"resourceVersionMatch", "FieldValueNotSupported",
          "Unsupported value: \"" + value + "\": supported values: " + supported};
}

std::vector<FieldError> watch_errors(const ListOptions& o, bool watch_list) {
  std::vector<FieldError> errors;
  const std::string& match = o.resource_version_match;
  if (o.send_initial_events) {
    if (match != "NotOlderThan")
      errors.push_back(forbidden("resourceVersionMatch",
                                 "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
    if (!watch_list)
      errors.push_back(
          forbidden("sendInitialEvents",
                    "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled"));
    if (*o.send_initial_events && !o.allow_watch_bookmarks)
      errors.push_back(forbidden("allowWatchBookmarks",
                                 "allowWatchBookmarks must be set to true when sendInitialEvents is true"));
  }
  if (!match.empty()) {
    if (!o.send_initial_events)
      errors.push_back(
          forbidden("resourceVersionMatch",
                    "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
    if (match != "NotOlderThan") errors.push_back(not_supported(match, "\"NotOlderThan\""));
    if (!o.continue_token.empty())
      errors.push_back(
          forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
  }
  return errors;
}

std::vector<FieldError> list_errors(const ListOptions& o) {
  std::vector<FieldError> errors;
  const std::string& match = o.resource_version_match;
  if (!match.empty()) {
    if (o.resource_version.empty())
      errors.push_back(forbidden("resourceVersionMatch",
                                 "resourceVersionMatch is forbidden unless resourceVersion is provided"));
    if (!o.continue_token.empty())
      errors.push_back(
          forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
    if (match != "Exact" && match != "NotOlderThan")
      errors.push_back(not_supported(match, "\"Exact\", \"NotOlderThan\", \"\""));
    if (match == "Exact" && o.resource_version == "0")
      errors.push_back(forbidden("resourceVersionMatch",
                                 "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
  }
  if (o.send_initial_events)
    errors.push_back(forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"));
  return errors;
}

}  // namespace

std::optional<bool> parse_go_bool(const std::string& text) {
  if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" || text == "True")
    return true;
  if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" || text == "False")
    return false;
  return std::nullopt;
}

ListOptions read_list_options(const httplib::Request& req) {
  ListOptions options;
  options.watch = read_bool(req, "watch", options);
  options.allow_watch_bookmarks = read_bool(req, "allowWatchBookmarks", options);
  if (req.has_param("sendInitialEvents"))
    options.send_initial_events = read_bool(req, "sendInitialEvents", options);
  options.resource_version = req.get_param_value("resourceVersion");
  options.resource_version_match = req.get_param_value("resourceVersionMatch");
  options.continue_token = req.get_param_value("continue");
  if (req.has_param("limit")) {
    try {
      options.limit = std::stol(req.get_param_value("limit"));
    } catch (const std::exception&) {
      if (options.malformed.empty())
        options.malformed =
            "strconv.ParseInt: parsing \"" + req.get_param_value("limit") + "\": invalid syntax";
    }
  }
  return options;
}

std::optional<ApiError> validate_list_options(const ListOptions& options, bool watch_list) {
  if (!options.malformed.empty()) return bad_request(options.malformed);
  const auto errors = options.watch ? watch_errors(options, watch_list) : list_errors(options);
  if (errors.empty()) return std::nullopt;
  ApiError error = invalid(k_list_options, "", errors);
  error.details.erase("name");
  return error;
}

}  // namespace kubesim
