// `sluice rollback NAME [--to-revision N]`: after a finished rollout, go back.
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_rollback(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("rollback", "Return a finished rollout to the version before it");
  static std::string name;  // lives as long as the parsed command line
  static int to_revision = 0;
  static int lease_seconds = 15;
  sub->add_option("NAME", name, "Rollout (plan) name")->required();
  sub->add_option("--to-revision", to_revision, "Rollout number from `sluice history` to return to");
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
    std::optional<int> to = to_revision > 0 ? std::optional<int>(to_revision) : std::nullopt;
    ctx.exit_code = env->finish(name, engine::rollback_rollout(env->ns(ctx), name, to, env->deps(), options));
  });
}

}  // namespace sluice::cli
