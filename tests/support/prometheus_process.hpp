// Test helpers for the gate tier: Debian's real /usr/bin/prometheus started
// on 127.0.0.1 with a temporary config and storage dir, scraping a loopback
// target every second; and a cpp-httplib server on a free port.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

namespace sluice::testing {

// A free TCP port on 127.0.0.1 at the time of the call.
int free_loopback_port();

class PrometheusProcess {
 public:
  // Starts Prometheus scraping http://127.0.0.1:<scrape_port><path> for each
  // path every second and waits (bounded) until it answers /-/ready; throws on failure.
  explicit PrometheusProcess(int scrape_port, const std::vector<std::string>& paths = {"/metrics"});
  ~PrometheusProcess();
  PrometheusProcess(const PrometheusProcess&) = delete;
  PrometheusProcess& operator=(const PrometheusProcess&) = delete;

  std::string address() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Kills it at once (an outage); idempotent.
  void kill();

 private:
  TempDir dir_{"sluice-prometheus"};
  int port_ = 0;
  int pid_ = -1;
};

// A cpp-httplib server listening on a free loopback port on its own thread.
class LoopbackServer {
 public:
  LoopbackServer();
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  httplib::Server& server() { return server_; }
  // Binds and starts serving; register handlers first.
  void start();
  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// Polls `done` every 50 ms until it is true or `limit` passes; returns the last answer.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit);

}  // namespace sluice::testing
