#include <kubesim/traffic.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <mutex>
#include <set>
#include <tuple>
#include <vector>

namespace kubesim {

namespace {

// Only pods a Service selects carry traffic (traffic_flows): list the pods of
// the namespaces that have such a Service rather than copying every pod of
// the cluster ten times a second, a cost that grew with each pod's size.
std::vector<Json> pods_behind_services(const Store& store, const std::vector<Json>& services) {
  std::set<std::string> namespaces;
  for (const Json& service : services) {
    const Json* selector = service.contains("spec") && service["spec"].contains("selector")
                               ? &service["spec"]["selector"]
                               : nullptr;
    if (selector != nullptr && selector->is_object() && !selector->empty())
      namespaces.insert(service.contains("metadata") ? service["metadata"].value("namespace", "") : "");
  }
  std::vector<Json> pods;
  for (const std::string& ns : namespaces) {
    auto listed = store.list("pods", ns).first;
    pods.insert(pods.end(), std::make_move_iterator(listed.begin()), std::make_move_iterator(listed.end()));
  }
  return pods;
}

struct SeriesKey {
  std::string ns, service, pod, hash;
  bool operator<(const SeriesKey& o) const {
    return std::tie(ns, service, pod, hash) < std::tie(o.ns, o.service, o.pod, o.hash);
  }
};

struct SeriesState {
  double request_carry = 0;  // fractional requests not yet served
  double error_carry = 0;    // fractional errors not yet answered
  std::uint64_t ok = 0;
  std::uint64_t errors = 0;
  std::vector<std::uint64_t> buckets = std::vector<std::uint64_t>(latency_buckets().size(), 0);
  double duration_sum = 0;
};

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string labels(const SeriesKey& k) {
  return fmt::format(R"(namespace="{}",service="{}",pod="{}",pod_template_hash="{}")", escape_label(k.ns),
                     escape_label(k.service), escape_label(k.pod), escape_label(k.hash));
}

// Floating-point sums of 0.1 or 0.2 land a hair below whole numbers; the
// slack keeps 10 x 0.1 s at 10 rps equal to exactly 10 requests.
constexpr double k_slack = 1e-9;

void serve(SeriesState& s, double requests, const ImageBehaviour& behaviour) {
  s.request_carry += requests;
  auto n = static_cast<std::uint64_t>(std::floor(s.request_carry + k_slack));
  s.request_carry -= static_cast<double>(n);
  s.error_carry += static_cast<double>(n) * std::clamp(behaviour.error_rate, 0.0, 1.0);
  auto errors = static_cast<std::uint64_t>(std::floor(s.error_carry + k_slack));
  s.error_carry -= static_cast<double>(errors);
  s.errors += errors;
  s.ok += n - errors;
  double seconds = std::max(behaviour.latency_ms, 0) / 1000.0;
  const auto& bounds = latency_buckets();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (seconds <= bounds[i]) s.buckets[i] += n;
  }
  s.duration_sum += seconds * static_cast<double>(n);
}

}  // namespace

struct TrafficSimulator::Impl {
  Impl(Store& s, SimConfig& c) : store(s), config(c) {}

  Store& store;
  SimConfig& config;
  mutable std::mutex mutex;
  std::map<SeriesKey, SeriesState> series;
  double default_rate = 10;
  std::map<std::string, double> rates;  // "ns/name" -> rps
  sluice::util::CancelToken cancel;
  std::thread thread;

  double rate_for(const std::string& ns, const std::string& name) const {
    auto it = rates.find(ns + "/" + name);
    return it == rates.end() ? default_rate : it->second;
  }
};

TrafficSimulator::TrafficSimulator(Store& store, SimConfig& config)
    : impl_(std::make_unique<Impl>(store, config)) {}

TrafficSimulator::~TrafficSimulator() {
  stop();
}

void TrafficSimulator::tick(sluice::util::Duration elapsed) {
  auto services = impl_->store.list("services", "").first;
  auto pods = pods_behind_services(impl_->store, services);
  auto routes = impl_->store.list("httproutes.gateway.networking.k8s.io", "").first;
  std::lock_guard lock(impl_->mutex);
  auto flows = traffic_flows(services, pods, routes, [this](const std::string& ns, const std::string& name) {
    return impl_->rate_for(ns, name);
  });
  double seconds = std::chrono::duration<double>(elapsed).count();
  for (const auto& flow : flows) {
    SeriesState& s = impl_->series[SeriesKey{flow.ns, flow.service, flow.pod, flow.pod_template_hash}];
    serve(s, flow.requests_per_second * seconds, impl_->config.behaviour_for(flow.image));
  }
}

std::string TrafficSimulator::render_metrics() const {
  std::lock_guard lock(impl_->mutex);
  std::string out =
      "# HELP kubesim_http_requests_total Simulated HTTP requests served by pods behind Services.\n"
      "# TYPE kubesim_http_requests_total counter\n";
  for (const auto& [key, s] : impl_->series) {
    // Both codes always exist, so an error ratio is 0 rather than "no data".
    out += fmt::format("kubesim_http_requests_total{{{},code=\"200\"}} {}\n", labels(key), s.ok);
    out += fmt::format("kubesim_http_requests_total{{{},code=\"500\"}} {}\n", labels(key), s.errors);
  }
  out +=
      "# HELP kubesim_http_request_duration_seconds Latency of simulated HTTP requests.\n"
      "# TYPE kubesim_http_request_duration_seconds histogram\n";
  const auto& bounds = latency_buckets();
  for (const auto& [key, s] : impl_->series) {
    std::string l = labels(key);
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      out += fmt::format("kubesim_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", l, bounds[i],
                         s.buckets[i]);
    }
    out += fmt::format("kubesim_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", l,
                       s.ok + s.errors);
    out += fmt::format("kubesim_http_request_duration_seconds_sum{{{}}} {}\n", l, s.duration_sum);
    out += fmt::format("kubesim_http_request_duration_seconds_count{{{}}} {}\n", l, s.ok + s.errors);
  }
  return out;
}

void TrafficSimulator::set_default_rate(double requests_per_second) {
  std::lock_guard lock(impl_->mutex);
  impl_->default_rate = std::max(requests_per_second, 0.0);
}

void TrafficSimulator::set_rate(const std::string& ns, const std::string& name, double requests_per_second) {
  std::lock_guard lock(impl_->mutex);
  if (requests_per_second < 0) {
    impl_->rates.erase(ns + "/" + name);
  } else {
    impl_->rates[ns + "/" + name] = requests_per_second;
  }
}

Json TrafficSimulator::settings_json() const {
  std::lock_guard lock(impl_->mutex);
  return Json{{"defaultRate", impl_->default_rate}, {"rates", impl_->rates}};
}

void TrafficSimulator::load_settings_json(const Json& settings) {
  if (settings.contains("defaultRate") && settings["defaultRate"].is_number()) {
    set_default_rate(settings["defaultRate"].get<double>());
  }
  if (settings.contains("rates") && settings["rates"].is_object()) {
    for (const auto& [key, value] : settings["rates"].items()) {
      auto slash = key.find('/');
      if (slash != std::string::npos && value.is_number()) {
        set_rate(key.substr(0, slash), key.substr(slash + 1), value.get<double>());
      }
    }
  }
}

void TrafficSimulator::start(sluice::util::Clock& clock, sluice::util::Duration period) {
  if (impl_->thread.joinable()) return;
  impl_->thread = std::thread([this, &clock, period] {
    auto last = clock.now();
    while (clock.sleep_for(period, &impl_->cancel)) {
      auto now = clock.now();
      tick(std::chrono::duration_cast<sluice::util::Duration>(now - last));
      last = now;
    }
  });
}

void TrafficSimulator::stop() {
  impl_->cancel.cancel();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace kubesim
