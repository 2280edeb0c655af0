// Kubernetes Status objects: every error kubesim answers is one, with the
// reason, code and message wording the real apiserver uses.
#pragma once

#include <kubesim/store.hpp>

#include <string>

namespace kubesim {

struct ApiError {
  int code = 500;
  std::string reason;  // NotFound, AlreadyExists, Conflict, Invalid, Gone, ...
  std::string message;
  Json details = Json::object();  // {name, group, kind, causes[]}, optional
};

Json status_json(const ApiError& error);
// Maps a Store error to the Status the apiserver would send for `type`/`name`.
ApiError from_store_error(const sluice::util::Error& error, const ResourceType& type,
                          const std::string& name);

ApiError not_found(const ResourceType& type, const std::string& name);
ApiError bad_request(const std::string& message);
ApiError method_not_allowed();
ApiError unsupported_media_type(const std::string& content_type);
ApiError not_acceptable();
// 422 Invalid: `Deployment.apps "web" is invalid: <field>: <detail>`; causes carry each field.
struct FieldError {
  std::string field;   // spec.template.spec.containers[0].image
  std::string type;    // FieldValueRequired, FieldValueInvalid
  std::string detail;  // "Required value" or `Invalid value: "x": ...`
};
ApiError invalid(const ResourceType& type, const std::string& name, const std::vector<FieldError>& errors);

// "deployments.apps" for group kinds, "pods" for core.
std::string qualified_resource(const ResourceType& type);
// "Deployment.apps" for group kinds, "Pod" for core.
std::string qualified_kind(const ResourceType& type);

}  // namespace kubesim
