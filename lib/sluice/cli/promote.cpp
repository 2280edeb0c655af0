// `sluice promote NAME [--full]`: continue a paused rollout from this process.
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_promote(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("promote", "Continue a paused rollout, driving it on from this process");
  static std::string name;  // lives as long as the parsed command line
  static bool full = false;
  static int lease_seconds = 15;
  sub->add_option("NAME", name, "Rollout (plan) name")->required();
  sub->add_flag("--full", full, "Skip the remaining checks and pauses");
  sub->add_option("--lease-seconds", lease_seconds, "Lock lease duration in seconds")
      ->check(CLI::Range(1, 3600));
  sub->callback([&ctx] {
    auto env = EngineEnv::create(ctx);
    if (!env) {
      ctx.exit_code = k_exit_preflight;
      return;
    }
    engine::RunOptions options;
    options.lease_duration = std::chrono::seconds(lease_seconds);
    ctx.exit_code =
        env->finish(name, engine::promote_rollout(env->ns(ctx), name, full, env->deps(), options));
  });
}

}  // namespace sluice::cli
