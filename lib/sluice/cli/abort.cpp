// `sluice abort NAME`: send an unfinished rollout back to the stable version now.
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_abort(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("abort", "Send a rollout back to the stable version now");
  static std::string name;  // lives as long as the parsed command line
  static int lease_seconds = 15;
  sub->add_option("NAME", name, "Rollout (plan) name")->required();
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
    ctx.exit_code = env->finish(name, engine::abort_rollout(env->ns(ctx), name, env->deps(), options));
  });
}

}  // namespace sluice::cli
