// events.k8s.io/v1 Events: the same objects as core/v1 Events (one storage,
// two versions, as the apiserver serves them). A request in the events.k8s.io
// form is converted to the core form, served by the core handlers, and its
// answer converted back; a watch converts each line (watch.cpp).
#include <kubesim/event_versions.hpp>
#include <kubesim/patch.hpp>
#include <kubesim/server_internal.hpp>

namespace kubesim {

namespace {

bool has_type(const httplib::Request& req, const char* part) {
  return req.get_header_value("Content-Type").find(part) != std::string::npos;
}

// The body in core's form, or the 400 the core handler would have sent.
std::optional<ApiError> body_to_core(httplib::Request& req) {
  auto body = parse_json_or_yaml(req.body);
  if (!body.ok() || (!body->is_object() && !body->is_array()))
    return std::nullopt;  // the core handler says why
  const std::string wanted = std::string(k_events_group) + "/v1";
  if (body->is_object() && body->contains("apiVersion") && (*body)["apiVersion"] != wanted &&
      !has_type(req, "json-patch") && !has_type(req, "merge-patch")) {
    return bad_request("the API version in the data (" + body->value("apiVersion", "") +
                       ") does not match the expected API version (" + wanted + ")");
  }
  const Json core = has_type(req, "json-patch") ? event_json_patch_to_core(std::move(*body))
                                                : event_to_core(std::move(*body));
  req.body = core.dump();
  if (!has_type(req, "patch")) req.set_header("Content-Type", "application/json");
  return std::nullopt;
}

std::optional<ApiError> field_selector_to_core(httplib::Request& req) {
  const auto found = req.params.find("fieldSelector");
  if (found == req.params.end()) return std::nullopt;
  auto core = event_field_selector_to_core(found->second);
  if (!core.ok()) return bad_request(core.error().message);
  found->second = *core;
  return std::nullopt;
}

// The events.k8s.io names in an error: `events.events.k8s.io "x" not found`.
void qualify_status(Json& status) {
  Json& details = status["details"];
  if (details.is_object() && details.value("kind", "") == "events") details["group"] = k_events_group;
  std::string message = status.value("message", "");
  for (const std::string plain : {"events \"", "Event \""}) {
    if (message.rfind(plain, 0) == 0) {
      message = plain.substr(0, plain.size() - 2) + "." + k_events_group + message.substr(plain.size() - 2);
      break;
    }
  }
  status["message"] = message;
}

void answer_to_events_v1(httplib::Response& res) {
  if (res.body.empty() || res.get_header_value("Content-Type").find("json") == std::string::npos) return;
  Json answer = Json::parse(res.body, nullptr, false);
  if (!answer.is_object()) return;
  const std::string kind = answer.value("kind", "");
  if (kind == "Event" || kind == "EventList") {
    answer = event_to_events_v1(std::move(answer));
  } else if (kind == "Status") {
    qualify_status(answer);
  } else {
    return;  // a Table prints the same columns for both versions
  }
  res.set_content(answer.dump(), "application/json");
}

}  // namespace

void handle_events_v1(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                      const ApiRoute& route) {
  httplib::Request core_req = req;
  if (auto error = field_selector_to_core(core_req)) return send_error(res, *error);
  if ((req.method == "POST" || req.method == "PUT" || req.method == "PATCH") && !req.body.empty()) {
    if (auto error = body_to_core(core_req)) return send_error(res, *error);
  }
  ApiRoute core = route;
  core.type = ctx.store.types().find("events");
  core.served = route.type;
  handle_resource(ctx, core_req, res, core);
  answer_to_events_v1(res);
}

}  // namespace kubesim
