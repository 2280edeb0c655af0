// Simulated request traffic for kubesim, so gates can be tested end to end
// against a real Prometheus: each Service (or HTTPRoute) receives requests at
// a configurable rate, split over ready pods, answered with the per-image
// error rate and latency of SimConfig, and counted as Prometheus metrics.
#pragma once

#include <kubesim/sim_config.hpp>
#include <kubesim/store.hpp>
#include <sluice/util/clock.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace kubesim {

// One ready pod behind a Service and the requests per second it receives.
struct TrafficFlow {
  std::string ns;
  std::string service;
  std::string pod;
  std::string pod_template_hash;
  std::string image;  // the pod's first container's image
  double requests_per_second = 0;
};

// Pure: where traffic goes. A Service referenced by an HTTPRoute backendRef
// gets the route's rate split by backend weights (rules share the route's
// rate equally); any other Service with a selector gets `rate_for(ns, name)`
// itself. Each Service's share is split evenly over its ready, non-terminating
// pods matching the selector. A backend without ready pods gets nothing.
std::vector<TrafficFlow> traffic_flows(
    const std::vector<Json>& services, const std::vector<Json>& pods, const std::vector<Json>& routes,
    const std::function<double(const std::string& ns, const std::string& name)>& rate_for);

// Latency histogram bucket bounds in seconds (le labels), +Inf implied.
const std::vector<double>& latency_buckets();

class TrafficSimulator {
 public:
  TrafficSimulator(Store& store, SimConfig& config);
  ~TrafficSimulator();
  TrafficSimulator(const TrafficSimulator&) = delete;
  TrafficSimulator& operator=(const TrafficSimulator&) = delete;

  // Simulates `elapsed` of traffic against the cluster as it is now. Request
  // and error counts use exact fractional carry, so results are deterministic.
  void tick(sluice::util::Duration elapsed);
  // All counters in the Prometheus text exposition format (version 0.0.4):
  // kubesim_http_requests_total and kubesim_http_request_duration_seconds.
  std::string render_metrics() const;

  // Requests per second for every Service or HTTPRoute without its own rate (default 10).
  void set_default_rate(double requests_per_second);
  // Rate for one Service or HTTPRoute by namespace and name; < 0 removes the override.
  void set_rate(const std::string& ns, const std::string& name, double requests_per_second);
  // Control-API form: {"defaultRate": 10, "rates": {"ns/name": 5}}; load merges.
  Json settings_json() const;
  void load_settings_json(const Json& settings);

  // Ticks every `period` of `clock` on a thread until stop(). Starts at most
  // once; stop() is idempotent and also runs on destruction.
  void start(sluice::util::Clock& clock, sluice::util::Duration period = sluice::util::Duration{100});
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubesim
