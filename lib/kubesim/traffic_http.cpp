#include <kubesim/traffic_http.hpp>

#include <httplib.h>

namespace kubesim {

namespace {

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

}  // namespace

bool serve_traffic(TrafficSimulator& traffic, const httplib::Request& req, httplib::Response& res) {
  if (req.path == k_metrics_path) {
    if (req.method != "GET") {
      send_json(res, 405, Json{{"error", "use GET"}});
      return true;
    }
    res.set_content(traffic.render_metrics(), "text/plain; version=0.0.4; charset=utf-8");
    return true;
  }
  if (req.path != k_traffic_control_path) return false;
  if (req.method == "GET") {
    send_json(res, 200, traffic.settings_json());
    return true;
  }
  if (req.method != "PUT" && req.method != "POST") {
    send_json(res, 405, Json{{"error", "use GET or PUT"}});
    return true;
  }
  Json body = Json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    send_json(res, 400,
              Json{{"error", "body must be a JSON object like {\"defaultRate\": 10, \"rates\": {}}"}});
    return true;
  }
  traffic.load_settings_json(body);
  send_json(res, 200, traffic.settings_json());
  return true;
}

}  // namespace kubesim
