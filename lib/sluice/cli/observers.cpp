#include <sluice/cli/observers.hpp>

#include <sluice/cli/engine_env.hpp>
#include <sluice/engine/lock_wait.hpp>
#include <sluice/gate/secrets.hpp>
#include <sluice/http/client.hpp>
#include <sluice/notify/notifier.hpp>
#include <sluice/plan/user_config.hpp>
#include <sluice/telemetry/telemetry_reporter.hpp>

#include <cstdlib>
#include <filesystem>
#include <ostream>

namespace sluice::cli {

std::optional<plan::Notifications> config_notifications(Context& ctx) {
  std::string path = ctx.global.config;
  if (path.empty()) {
    path = plan::default_user_config_path(std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME"));
    std::error_code ignored;
    if (path.empty() || !std::filesystem::exists(path, ignored)) return plan::Notifications{};
  }
  auto parse = plan::load_user_config(path);
  if (!parse.config) {
    for (const auto& d : parse.diagnostics) *ctx.err << d.to_string() << "\n";
    return std::nullopt;
  }
  return parse.config->notifications;
}

namespace {

// Receivers' secrets: the environment and files, and Secrets in the rollout's
// namespace read with the run's Kubernetes client, all when the run starts.
notify::SecretLookup secret_lookup(kube::Client& kube, const std::string& ns) {
  return [&kube, ns](const plan::SecretRef& ref) -> util::Result<std::string> {
    if (ref.kind != plan::SecretRef::Kind::secret_key) return notify::read_secret_ref(ref);
    gate::KubeSecretsScope scope(kube);
    return gate::default_secret_reader().read(ref, ns);
  };
}

}  // namespace

RunObservers::RunObservers(Context& ctx, EngineEnv& env, const plan::Notifications& receivers,
                           notify::RolloutFacts facts)
    : env_(env) {
  bool telemetry = !ctx.global.metrics_file.empty() || !ctx.global.pushgateway.empty();
  if (receivers.receivers.empty() && !telemetry) return;
  auto& deps = env.deps();
  previous_ = deps.out;
  http_ = http::make_curl_client(http::ClientOptions{});
  if (telemetry) {
    telemetry_ = std::make_unique<telemetry::TelemetryReporter>(
        *deps.out, *http_, *deps.clock, *ctx.err,
        telemetry::TelemetryOptions{ctx.global.metrics_file, ctx.global.pushgateway, util::Duration{3000},
                                    &env.api_counts()},
        facts.ns);
    deps.out = telemetry_.get();
    auto* reporter = telemetry_.get();
    lock_wait_ = std::make_unique<engine::LockWaitWatch>(
        [reporter](util::Duration waited) { reporter->lock_waited(waited); });
  }
  if (receivers.receivers.empty()) return;
  notify::NotifierOptions options;
  options.facts = std::move(facts);
  notifier_ = std::make_unique<notify::NotifyingReporter>(*deps.out, receivers,
                                                          secret_lookup(*deps.kube, options.facts.ns), *http_,
                                                          *deps.clock, *ctx.err, options);
  deps.out = notifier_.get();
}

RunObservers::~RunObservers() {
  if (previous_ != nullptr) env_.deps().out = previous_;
}

}  // namespace sluice::cli
