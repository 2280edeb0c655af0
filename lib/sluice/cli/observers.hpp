// What watches a rollout verb's events besides the person running it:
// notifications (the user/CI-wide config file, --config, and the plan's
// receivers) and telemetry (--metrics-file, --pushgateway). While a
// RunObservers lives, they sit in front of the run's reporter.
#pragma once

#include <sluice/cli/app.hpp>
#include <sluice/notify/notice.hpp>
#include <sluice/plan/model.hpp>

#include <memory>
#include <optional>

namespace sluice::report {
class Reporter;
}
namespace sluice::http {
class Client;
}
namespace sluice::notify {
class NotifyingReporter;
}
namespace sluice::telemetry {
class TelemetryReporter;
}
namespace sluice::engine {
class LockWaitWatch;
}

namespace sluice::cli {

class EngineEnv;

// The config file's receivers: none when there is no file at the default
// place; nullopt (problems printed, exit 2) when the file is invalid or a
// --config file is missing.
std::optional<plan::Notifications> config_notifications(Context& ctx);

class RunObservers {
 public:
  // `facts`: the rollout's name, namespace and context, known before its events.
  RunObservers(Context& ctx, EngineEnv& env, const plan::Notifications& receivers,
               notify::RolloutFacts facts);
  ~RunObservers();
  RunObservers(const RunObservers&) = delete;
  RunObservers& operator=(const RunObservers&) = delete;

 private:
  EngineEnv& env_;
  report::Reporter* previous_ = nullptr;
  std::unique_ptr<http::Client> http_;
  std::unique_ptr<telemetry::TelemetryReporter> telemetry_;
  std::unique_ptr<engine::LockWaitWatch> lock_wait_;  // after telemetry_: dies before it
  std::unique_ptr<notify::NotifyingReporter> notifier_;
};

}  // namespace sluice::cli
