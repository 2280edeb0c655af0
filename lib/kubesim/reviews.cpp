// The create-only review APIs (kubectl `auth can-i`, `auth can-i --list`,
// `auth whoami`) and TokenRequest (`kubectl create token`). Reviews answer
// from the same authorizer that guards requests (rbac.cpp).
#include <kubesim/kube_object.hpp>
#include <kubesim/protobuf.hpp>
#include <kubesim/rbac.hpp>
#include <kubesim/server_internal.hpp>

namespace kubesim {

namespace {

Json user_info(const UserInfo& user) {
  Json info = {{"username", user.name}, {"groups", user.groups}};
  if (!user.uid.empty()) info["uid"] = user.uid;
  return info;
}

Json request_body(const httplib::Request& req) {
  Json body = Json::object();
  if (req.get_header_value("Content-Type").find("protobuf") != std::string::npos) {
    auto decoded = decode_kubernetes_protobuf(req.body);
    if (decoded.ok()) body = *decoded;
  } else {
    try {
      body = Json::parse(req.body);
    } catch (const Json::exception&) {
    }
  }
  return body.is_object() ? body : Json::object();
}

Json echoed(const httplib::Request& req, const ResourceType& type) {
  Json body = request_body(req);
  body["apiVersion"] = type.api_version();
  body["kind"] = type.kind;
  if (!body.contains("metadata") || !body["metadata"].is_object()) body["metadata"] = Json::object();
  body["metadata"]["creationTimestamp"] = nullptr;
  return body;
}

// authorization/v1 ResourceAttributes or NonResourceAttributes, as the
// authorizer sees them (registry/authorization/util ResourceAttributesFrom).
RequestAttributes review_attributes(const Json& spec) {
  RequestAttributes a;
  if (spec.contains("nonResourceAttributes")) {
    const Json& n = spec["nonResourceAttributes"];
    a.verb = n.value("verb", "");
    a.path = n.value("path", "");
    return a;
  }
  const Json r = spec.value("resourceAttributes", Json::object());
  a.resource_request = true;
  a.verb = r.value("verb", "");
  a.api_group = r.value("group", "");
  a.api_version = r.value("version", "");
  a.resource = r.value("resource", "");
  a.subresource = r.value("subresource", "");
  a.ns = r.value("namespace", "");
  a.name = r.value("name", "");
  return a;
}

Json access_status(const ApiContext& ctx, const UserInfo& user, const Json& spec) {
  const Decision decision = authorize(ctx.store, user, review_attributes(spec));
  Json status = {{"allowed", decision.allowed}};
  if (!decision.reason.empty()) status["reason"] = decision.reason;
  return status;
}

// SubjectAccessReview: the user named in the spec, groups as given.
UserInfo subject_of(const Json& spec) {
  return {spec.value("user", ""), spec.value("uid", ""), spec.value("groups", std::vector<std::string>{})};
}

}  // namespace

bool is_review(const ResourceType& type) {
  return type.kind == "SelfSubjectAccessReview" || type.kind == "SelfSubjectReview" ||
         type.kind == "SelfSubjectRulesReview" || type.kind == "SubjectAccessReview";
}

UserInfo current_identity() {
  const RequestInfo& info = current_request();
  return info.user.empty() ? unauthenticated_admin() : info.identity;
}

void handle_review(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const ApiRoute& route) {
  if (req.method != "POST" || !route.name.empty()) return send_error(res, method_not_allowed());
  Json review = echoed(req, *route.type);
  const Json spec = review.value("spec", Json::object());
  const std::string& kind = route.type->kind;
  if (kind == "SelfSubjectReview") {
    review["status"] = {{"userInfo", user_info(current_identity())}};
  } else if (kind == "SelfSubjectRulesReview") {
    if (spec.value("namespace", "").empty()) return send_error(res, bad_request("no namespace on request"));
    review["status"] = rules_review_status(ctx.store, current_identity(), spec["namespace"]);
  } else if (kind == "SubjectAccessReview") {
    if (spec.value("user", "").empty() && spec.value("groups", Json::array()).empty()) {
      return send_error(res,
                        invalid(*route.type, "",
                                {{"spec.user", "FieldValueInvalid",
                                  "Invalid value: \"\": at least one of user or group must be specified"}}));
    }
    review["status"] = access_status(ctx, subject_of(spec), spec);
  } else {
    review["status"] = access_status(ctx, current_identity(), spec);
  }
  send_json(res, 201, review);
}

namespace {

constexpr long long k_default_token_seconds = 3600;
constexpr long long k_min_token_seconds = 600;
constexpr long long k_max_token_seconds = 1LL << 32;

// ValidateTokenRequest (pkg/apis/authentication/validation), answered as
// token.go does: errors.NewInvalid(TokenRequest.authentication.k8s.io, "", errs).
std::optional<ApiError> check_expiration(long long seconds) {
  std::string detail;
  if (seconds < k_min_token_seconds) detail = "may not specify a duration less than 10 minutes";
  if (seconds > k_max_token_seconds) detail = "may not specify a duration larger than 2^32 seconds";
  if (detail.empty()) return std::nullopt;
  detail = "Invalid value: " + std::to_string(seconds) + ": " + detail;
  return ApiError{
      422, "Invalid", "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: " + detail,
      Json{{"name", ""},
           {"group", "authentication.k8s.io"},
           {"kind", "TokenRequest"},
           {"causes",
            {{{"reason", "FieldValueInvalid"}, {"message", detail}, {"field", "spec.expirationSeconds"}}}}}};
}

}  // namespace

void handle_token_request(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                          const ApiRoute& route) {
  if (req.method != "POST") return send_error(res, method_not_allowed());
  auto account = ctx.store.get("serviceaccounts", route.ns, route.name);
  if (!account.ok()) return send_error(res, from_store_error(account.error(), *route.type, route.name));
  Json request = request_body(req);
  Json spec = request.value("spec", Json::object());
  if (!spec.contains("expirationSeconds") || !spec["expirationSeconds"].is_number_integer())
    spec["expirationSeconds"] = k_default_token_seconds;
  const long long seconds = spec["expirationSeconds"].get<long long>();
  if (auto error = check_expiration(seconds)) return send_error(res, *error);
  if (spec.value("audiences", Json::array()).empty())
    spec["audiences"] = {"https://kubernetes.default.svc.cluster.local"};
  if (!spec.contains("boundObjectRef")) spec["boundObjectRef"] = nullptr;
  const sluice::util::Clock& clock = ctx.authenticator->clock();
  const auto expires = clock.wall_now() + std::chrono::seconds(seconds);
  const std::string token = ctx.authenticator->service_account_tokens().issue(*account, expires);
  send_json(
      res, 201,
      {{"kind", "TokenRequest"},
       {"apiVersion", "authentication.k8s.io/v1"},
       {"metadata",
        {{"name", route.name}, {"namespace", route.ns}, {"creationTimestamp", rfc3339(clock.wall_now())}}},
       {"spec", spec},
       {"status", {{"token", token}, {"expirationTimestamp", rfc3339(expires)}}}});
}

}  // namespace kubesim
