// The create-only review APIs kubectl's `auth can-i` and `auth whoami` call.
// kubesim has no authorizer: every authenticated user may do everything, so a
// SelfSubjectAccessReview is always allowed, saying why.
#include <kubesim/server_internal.hpp>

namespace kubesim {

namespace {

Json user_info() {
  const std::string& user = current_request().user;
  return {{"username", user.empty() ? "kubernetes-admin" : user},
          {"groups", {"system:masters", "system:authenticated"}}};
}

Json echoed(const httplib::Request& req, const ResourceType& type) {
  Json body = Json::object();
  try {
    body = Json::parse(req.body);
  } catch (const Json::exception&) {
  }
  if (!body.is_object()) body = Json::object();
  body["apiVersion"] = type.api_version();
  body["kind"] = type.kind;
  if (!body.contains("metadata") || !body["metadata"].is_object()) body["metadata"] = Json::object();
  body["metadata"]["creationTimestamp"] = nullptr;
  return body;
}

}  // namespace

bool is_review(const ResourceType& type) {
  return type.kind == "SelfSubjectAccessReview" || type.kind == "SelfSubjectReview";
}

void handle_review(const httplib::Request& req, httplib::Response& res, const ApiRoute& route) {
  if (req.method != "POST" || !route.name.empty()) return send_error(res, method_not_allowed());
  Json review = echoed(req, *route.type);
  if (route.type->kind == "SelfSubjectReview") {
    review["status"] = {{"userInfo", user_info()}};
  } else {
    review["status"] = {{"allowed", true}, {"reason", "kubesim authorizes every authenticated request"}};
  }
  send_json(res, 201, review);
}

}  // namespace kubesim
