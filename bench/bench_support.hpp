// What the rollout benches share: percentiles over samples, and an embedded
// kubesim with fast timing (2 ms controller delay, 20 ms pod start-up) with a
// client and a watch hub on it.
#pragma once

#include <kubesim/server.hpp>
#include <sluice/engine/wait.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/kube/watch.hpp>

#include <algorithm>
#include <memory>
#include <vector>

namespace bench {

struct Stats {
  std::vector<double> values;
  double pct(double p) const {
    if (values.empty()) return 0;
    auto v = values;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
  }
};

class EmbeddedCluster {
 public:
  EmbeddedCluster() : server_(fast_options()) {}
  explicit EmbeddedCluster(kubesim::ServerOptions options) : server_(std::move(options)) {}
  // Starts the server and connects; false when either fails.
  bool start() {
    if (!server_.start().ok()) return false;
    auto config = sluice::kube::config_from_yaml(server_.kubeconfig(), "/tmp", "");
    if (!config.ok()) return false;
    auto client = sluice::kube::make_client(*config);
    if (!client.ok()) return false;
    client_ = std::move(*client);
    hub_ = std::make_unique<sluice::kube::WatchHub>(*client_);
    return true;
  }
  // Namespace "bench" with Deployment "web" (`replicas` pods of
  // bench/web@sha256:0) and Service "web"; true once every pod is available.
  bool create_web(int replicas) {
    using sluice::kube::Json;
    Json dep = {{"metadata", {{"name", "web"}, {"labels", {{"app", "web"}}}}},
                {"spec",
                 {{"replicas", replicas},
                  {"selector", {{"matchLabels", {{"app", "web"}}}}},
                  {"template",
                   {{"metadata", {{"labels", {{"app", "web"}}}}},
                    {"spec", {{"containers", {{{"name", "web"}, {"image", "bench/web@sha256:0"}}}}}}}}}}};
    Json svc = {{"metadata", {{"name", "web"}}},
                {"spec", {{"selector", {{"app", "web"}}}, {"ports", {{{"port", 80}}}}}}};
    auto& kube = *client_;
    return kube.create(sluice::kube::k_namespaces, "", {{"metadata", {{"name", "bench"}}}}).ok() &&
           kube.create(sluice::kube::k_deployments, "bench", dep).ok() &&
           kube.create(sluice::kube::k_services, "bench", svc).ok() &&
           hub_->wait_until(sluice::kube::k_deployments, "bench", "web", sluice::engine::fully_available,
                            sluice::util::system_clock().now() + std::chrono::seconds(30))
               .ok();
  }
  kubesim::Server& server() { return server_; }
  sluice::kube::Client& kube() { return *client_; }
  sluice::kube::WatchHub& hub() { return *hub_; }

  static kubesim::ServerOptions fast_options() {
    kubesim::ServerOptions o;
    o.sim_config = {{"timing", {{"controllerDelayMs", 2}, {"podDeleteMs", 5}}},
                    {"default", {{"startupMs", 20}}}};
    return o;
  }

 private:
  kubesim::Server server_;
  std::unique_ptr<sluice::kube::Client> client_;
  std::unique_ptr<sluice::kube::WatchHub> hub_;
};

}  // namespace bench
