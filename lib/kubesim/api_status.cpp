#include <kubesim/api_status.hpp>

namespace kubesim {

std::string qualified_resource(const ResourceType& type) {
  return type.key();
}

std::string qualified_kind(const ResourceType& type) {
  return type.group.empty() ? type.kind : type.kind + "." + type.group;
}

Json status_json(const ApiError& error) {
  Json status = {{"kind", "Status"},    {"apiVersion", "v1"},       {"metadata", Json::object()},
                 {"status", "Failure"}, {"message", error.message}, {"reason", error.reason},
                 {"code", error.code}};
  if (!error.details.empty()) status["details"] = error.details;
  return status;
}

namespace {

Json name_details(const ResourceType& type, const std::string& name) {
  Json details = {{"kind", type.plural}};
  if (!name.empty()) details["name"] = name;
  if (!type.group.empty()) details["group"] = type.group;
  return details;
}

}  // namespace

ApiError not_found(const ResourceType& type, const std::string& name) {
  return {404, "NotFound", qualified_resource(type) + " \"" + name + "\" not found",
          name_details(type, name)};
}

ApiError bad_request(const std::string& message) {
  return {400, "BadRequest", message, Json::object()};
}

ApiError method_not_allowed() {
  return {405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
          Json::object()};
}

ApiError unsupported_media_type(const std::string& content_type) {
  return {415, "UnsupportedMediaType",
          "the body of the request was in an unknown format - accepted media types include: "
          "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, "
          "application/strategic-merge-patch+json (got " +
              content_type + ")",
          Json::object()};
}

ApiError not_acceptable() {
  return {406, "NotAcceptable", "only the following media types are accepted: application/json",
          Json::object()};
}

ApiError invalid(const ResourceType& type, const std::string& name, const std::vector<FieldError>& errors) {
  std::string joined;
  Json causes = Json::array();
  for (const auto& e : errors) {
    const std::string text = e.field + ": " + e.detail;
    joined += (joined.empty() ? "" : ", ") + text;
    causes.push_back({{"reason", e.type}, {"message", e.detail}, {"field", e.field}});
  }
  if (errors.size() > 1) joined = "[" + joined + "]";
  Json details = {{"name", name}, {"kind", type.kind}, {"causes", causes}};
  if (!type.group.empty()) details["group"] = type.group;
  return {422, "Invalid", qualified_kind(type) + " \"" + name + "\" is invalid: " + joined, details};
}

ApiError from_store_error(const sluice::util::Error& error, const ResourceType& type,
                          const std::string& name) {
  using sluice::util::ErrorKind;
  switch (error.kind) {
    case ErrorKind::not_found: return not_found(type, name);
    case ErrorKind::already_exists: return {409, "AlreadyExists", error.message, name_details(type, name)};
    case ErrorKind::conflict: return {409, "Conflict", error.message, name_details(type, name)};
    case ErrorKind::gone: return {410, "Expired", error.message, Json::object()};
    case ErrorKind::invalid:
      return invalid(type, name,
                     {{error.message.substr(0, error.message.find(':')), "FieldValueRequired",
                       error.message.substr(error.message.find(':') + 2)}});
    default: return {500, "InternalError", error.message, Json::object()};
  }
}

}  // namespace kubesim
