// The HTTP face of kubesim's traffic simulation, for the API server to mount:
// GET /metrics (Prometheus text format) and the /kubesim/v1/traffic settings.
#pragma once

#include <kubesim/traffic.hpp>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace kubesim {

inline constexpr const char* k_metrics_path = "/metrics";
inline constexpr const char* k_traffic_control_path = "/kubesim/v1/traffic";

// Answers GET /metrics, and GET/PUT /kubesim/v1/traffic (body: the form of
// TrafficSimulator::settings_json; PUT merges and answers the new settings).
// Returns false, leaving `res` alone, for any other path.
bool serve_traffic(TrafficSimulator& traffic, const httplib::Request& req, httplib::Response& res);

}  // namespace kubesim
