// What the drill commands are given: one Kubernetes client and watch hub per
// kubeconfig context the drill names, the HTTP client for checks, the clock,
// the reporter and the interrupt. The CLI builds it (cli/drill_env.cpp).
#pragma once

#include <sluice/engine/context.hpp>
#include <sluice/kube/client.hpp>
#include <sluice/kube/watch.hpp>

#include <map>
#include <string>

namespace sluice::drill {

struct Cluster {
  kube::Client* kube = nullptr;
  kube::WatchHub* hub = nullptr;
};

struct DrillDeps {
  std::map<std::string, Cluster> clusters;  // by kubeconfig context
  http::Client* http = nullptr;             // for checks; null: a drill with checks is refused
  util::Clock* clock = &util::system_clock();
  report::Reporter* out = nullptr;
  engine::Interrupt* interrupt = nullptr;
  std::string identity;                   // the lock holder
  util::Duration ready_timeout{600'000};  // how long a region may take to be ready
  util::Duration lease_duration{15'000};

  // The cluster of `context`; throws std::out_of_range for one the CLI did not build.
  Cluster& at(const std::string& context) { return clusters.at(context); }
};

// How a drill command ended: the exit code (util/exit_code.hpp) and why.
struct DrillOutcome {
  int exit_code = 0;
  std::string message;
};

}  // namespace sluice::drill
