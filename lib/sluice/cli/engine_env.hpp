// What the rollout verbs (apply, promote, abort, rollback, status, history)
// build from the global flags: the Kubernetes client and shared watches, the
// registry and HTTP clients, the reporter, and SIGINT/SIGTERM handling.
#pragma once

#include <sluice/cli/app.hpp>
#include <sluice/engine/commands.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace CLI {
class Option;
}
namespace sluice::kube {
class Client;
class WatchHub;
}  // namespace sluice::kube
namespace sluice::telemetry {
class ApiCounts;
}
namespace sluice::registry {
class Registry;
struct RegistryOptions;
}  // namespace sluice::registry

namespace sluice::cli {

class EngineEnv {
 public:
  ~EngineEnv();
  // Builds the clients; on failure prints why and returns nullptr.
  // `plan_context` is the plan's target.context (the --context flag wins).
  static std::unique_ptr<EngineEnv> create(Context& ctx, const std::string& plan_context = "");

  engine::Deps& deps() { return deps_; }
  // The Kubernetes API requests (and retries) of this run so far, by verb and code.
  const telemetry::ApiCounts& api_counts() const;
  // -n, else the kubeconfig context's namespace.
  std::string ns(const Context& ctx) const;
  // Interrupts the run once `limit` has passed (--timeout): it stops as on
  // SIGINT, state saved and lock released, and exits 10 instead of 130.
  void stop_after(util::Duration limit, const std::string& flag_text);
  // The run was stopped by stop_after's limit.
  bool timed_out() const;
  // Ends a run: from here on signals change nothing. Emits the `finished`
  // event and returns the exit code (130 for a preflight a signal cut short,
  // 10 for a run its --timeout stopped).
  int finish(const std::string& rollout, engine::Outcome outcome);

 private:
  EngineEnv() = default;
  struct Parts;
  std::unique_ptr<Parts> parts_;
  engine::Deps deps_;
};

// The registry client as apply uses it: `options` plus the credentials apply
// finds (REGISTRY_USERNAME/REGISTRY_PASSWORD, else the Docker config).
std::unique_ptr<registry::Registry> make_rollout_registry(registry::RegistryOptions options);

// The flags and run shared by the operator verbs that take the lock on a named
// rollout (promote, abort, rollback): NAME and --lease-seconds.
struct OperatorArgs {
  std::string name;
  int lease_seconds = 15;
};
void add_operator_flags(CLI::App& sub, OperatorArgs& args);
using OperatorAction = std::function<engine::Outcome(const std::string& ns, engine::Deps& deps,
                                                     const engine::RunOptions& options)>;
// Builds the clients, runs `action` and returns its exit code (6 when the clients cannot be built).
int run_operator(Context& ctx, const OperatorArgs& args, const OperatorAction& action);

// --timeout DURATION (`90s`, `5m`, as in plans) for `sub`; "" when not given.
CLI::Option* add_timeout_flag(CLI::App& sub, std::string& text, const std::string& what);
// The duration add_timeout_flag accepted (0 when none was given).
util::Duration timeout_of(const std::string& text);

// Turns SIGINT/SIGTERM into `interrupt` firing. The signals are blocked in
// every thread and read from a signalfd by a thread this object owns; the
// destructor wakes it (eventfd) and joins it, so it never outlives the
// Interrupt. They stay blocked afterwards: a signal during teardown is never
// delivered and cannot change the exit code.
class SignalRouter {
 public:
  explicit SignalRouter(engine::Interrupt& interrupt);
  ~SignalRouter();
  SignalRouter(const SignalRouter&) = delete;
  SignalRouter& operator=(const SignalRouter&) = delete;

  // The run's outcome is decided: later signals are read and dropped.
  void outcome_decided() { decided_ = true; }

 private:
  void wait_for_signals();

  engine::Interrupt& interrupt_;
  int signal_fd_ = -1;
  int stop_fd_ = -1;
  std::atomic<bool> decided_{false};
  std::thread thread_;
};

}  // namespace sluice::cli
