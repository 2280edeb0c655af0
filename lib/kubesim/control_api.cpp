// The control API under /kubesim/v1 (a path kubectl never uses): simulation
// config, fault injection, watch drops, history compaction, freezing the
// controllers, pod readiness, an HPA's simulated recommendation and the audit log. Documented in
// docs/kubesim.md.
#include <kubesim/controllers.hpp>
#include <kubesim/server_internal.hpp>

namespace kubesim {

namespace {

Result<Json> body_json(const httplib::Request& req) {
  if (req.body.empty()) return Json::object();
  try {
    return Json::parse(req.body);
  } catch (const Json::exception& e) {
    return sluice::util::make_error(sluice::util::ErrorKind::invalid, e.what());
  }
}

void add_fault(ApiContext& ctx, const Json& body, httplib::Response& res) {
  FaultRule rule;
  rule.verb = body.value("verb", "*");
  rule.path_pattern = body.value("path", ".*");
  try {
    rule.path = std::regex(rule.path_pattern);
  } catch (const std::regex_error& e) {
    return send_error(res, bad_request("path: invalid regular expression: " + std::string(e.what())));
  }
  rule.remaining = body.value("count", 1);
  rule.status = body.value("status", 0);
  rule.retry_after_seconds = body.value("retryAfterSeconds", 0);
  rule.latency_ms = body.value("latencyMs", 0);
  ctx.faults.add(rule);
  send_json(res, 201, ctx.faults.to_json());
}

bool handle_pod_ready(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                      const Json& body) {
  static const std::regex pod_ready("^/kubesim/v1/namespaces/([^/]+)/pods/([^/]+)/ready$");
  std::smatch m;
  if (!std::regex_match(req.path, m, pod_ready)) return false;
  if (ctx.controllers == nullptr) {
    send_error(res, {503, "ServiceUnavailable", "controllers are not running", Json::object()});
    return true;
  }
  auto done = ctx.controllers->set_pod_ready(m[1], m[2], body.value("ready", true));
  if (!done.ok()) {
    send_error(res, {404, "NotFound", "pods \"" + m[2].str() + "\" not found", Json::object()});
    return true;
  }
  send_json(res, 200, {{"namespace", m[1]}, {"name", m[2]}, {"ready", body.value("ready", true)}});
  return true;
}

bool handle_hpa_recommendation(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                               const Json& body) {
  static const std::regex recommendation(
      "^/kubesim/v1/namespaces/([^/]+)/horizontalpodautoscalers/([^/]+)/recommendation$");
  std::smatch m;
  if (!std::regex_match(req.path, m, recommendation)) return false;
  if (ctx.controllers == nullptr) {
    send_error(res, {503, "ServiceUnavailable", "controllers are not running", Json::object()});
    return true;
  }
  const Json replicas = body.value("replicas", Json());
  if (!replicas.is_number_integer() || replicas.get<long long>() < 0) {
    send_error(res, {422, "Invalid", "replicas: must be a non-negative integer", Json::object()});
    return true;
  }
  if (!ctx.controllers->set_hpa_recommendation(m[1], m[2], replicas.get<long long>()).ok()) {
    send_error(res, {404, "NotFound", "horizontalpodautoscalers.autoscaling \"" + m[2].str() + "\" not found",
                     Json::object()});
    return true;
  }
  send_json(res, 200, {{"namespace", m[1]}, {"name", m[2]}, {"replicas", replicas}});
  return true;
}

}  // namespace

void handle_control(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto parsed = body_json(req);
  if (!parsed.ok()) return send_error(res, bad_request(parsed.error().message));
  const Json& body = *parsed;
  const std::string& p = req.path;
  const std::string& m = req.method;
  if (p == "/kubesim/v1/config") {
    if (m == "PUT" || m == "POST" || m == "PATCH") {
      if (auto applied = ctx.config.apply_json(body); !applied.ok()) {
        return send_error(res, {422, "Invalid", applied.error().message, Json::object()});
      }
    }
    return send_json(res, 200, ctx.config.to_json());
  }
  if (p == "/kubesim/v1/faults") {
    if (m == "POST") return add_fault(ctx, body, res);
    if (m == "DELETE") ctx.faults.clear();
    return send_json(res, 200, ctx.faults.to_json());
  }
  if (p == "/kubesim/v1/latency" && m == "PUT") {
    ctx.faults.set_latency(body.value("ms", 0));
    return send_json(res, 200, ctx.faults.to_json());
  }
  if (p == "/kubesim/v1/watches")
    return send_json(res, 200, {{"open", ctx.watches.open()}, {"queued", ctx.watches.queued()}});
  if (p == "/kubesim/v1/watches/drop" && m == "POST") {
    const auto open = ctx.watches.open();
    ctx.watches.drop_all();
    return send_json(res, 200, {{"dropped", open}});
  }
  if (p == "/kubesim/v1/compact" && m == "POST") {
    ctx.store.compact();
    return send_json(res, 200, {{"resourceVersion", std::to_string(ctx.store.resource_version())}});
  }
  if (p == "/kubesim/v1/freeze") {
    if (m == "PUT" || m == "POST") ctx.config.set_frozen(body.value("frozen", true));
    return send_json(res, 200, {{"frozen", ctx.config.frozen()}});
  }
  if (p == "/kubesim/v1/audit") {
    if (m == "DELETE") ctx.audit.clear();
    const std::string since = req.get_param_value("since");
    const std::uint64_t from = since.empty() ? 0 : std::strtoull(since.c_str(), nullptr, 10);
    return send_json(res, 200, ctx.audit.to_json(from));
  }
  if (p == "/kubesim/v1/state") {
    return send_json(res, 200,
                     {{"resourceVersion", std::to_string(ctx.store.resource_version())},
                      {"oldestRetained", std::to_string(ctx.store.oldest_retained())},
                      {"openWatches", ctx.watches.open()}});
  }
  if ((m == "PUT" || m == "POST") && handle_pod_ready(ctx, req, res, body)) return;
  if ((m == "PUT" || m == "POST") && handle_hpa_recommendation(ctx, req, res, body)) return;
  send_error(res, {404, "NotFound", "the server could not find the requested resource", Json::object()});
}

}  // namespace kubesim
