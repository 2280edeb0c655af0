// What the drill verbs (failover, failback) build: a Kubernetes client and
// watch hub for every kubeconfig context the drill names, the HTTP client for
// its checks, the reporter, and SIGINT/SIGTERM handling.
#pragma once

#include <sluice/cli/app.hpp>
#include <sluice/drill/clusters.hpp>
#include <sluice/plan/drill_model.hpp>

#include <memory>

namespace sluice::cli {

class DrillEnv {
 public:
  ~DrillEnv();
  // Builds the clients; on failure prints why and returns nullptr.
  static std::unique_ptr<DrillEnv> create(Context& ctx, const plan::Drill& drill);
  drill::DrillDeps& deps() { return deps_; }

 private:
  DrillEnv() = default;
  struct Parts;
  std::unique_ptr<Parts> parts_;
  drill::DrillDeps deps_;
};

// Loads and validates the drill at `path` (diagnostics printed as validate
// prints them), builds the clients and runs `action`; returns the exit code.
int run_drill_verb(Context& ctx, const std::string& path,
                   const std::function<drill::DrillOutcome(const plan::Drill&, drill::DrillDeps&)>& action);

}  // namespace sluice::cli
