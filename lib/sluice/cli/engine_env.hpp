// What the rollout verbs (apply, promote, abort, rollback, status, history)
// build from the global flags: the Kubernetes client and shared watches, the
// registry and HTTP clients, the reporter, and SIGINT/SIGTERM handling.
#pragma once

#include <sluice/cli/app.hpp>
#include <sluice/engine/commands.hpp>

#include <memory>
#include <string>

namespace sluice::kube {
class Client;
class WatchHub;
}  // namespace sluice::kube

namespace sluice::cli {

class EngineEnv {
 public:
  ~EngineEnv();
  // Builds the clients; on failure prints why and returns nullptr.
  // `plan_context` is the plan's target.context (the --context flag wins).
  static std::unique_ptr<EngineEnv> create(Context& ctx, const std::string& plan_context = "");

  engine::Deps& deps() { return deps_; }
  // -n, else the kubeconfig context's namespace.
  std::string ns(const Context& ctx) const;
  // Ends a run: the `finished` event, returns the exit code.
  int finish(const std::string& rollout, const engine::Outcome& outcome);

 private:
  EngineEnv() = default;
  struct Parts;
  std::unique_ptr<Parts> parts_;
  engine::Deps deps_;
};

// Turns SIGINT/SIGTERM into `interrupt` firing (a thread waits for them).
void route_signals_to(engine::Interrupt& interrupt);

}  // namespace sluice::cli
