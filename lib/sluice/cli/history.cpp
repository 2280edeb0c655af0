// `sluice history NAME`: the finished rollouts kept in the record (newest last).
// `sluice history RELEASE-FILE`: the release's runs (docs/releases.md).
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>
#include <sluice/cli/release_verbs.hpp>
#include <sluice/plan/release_parser.hpp>
#include <sluice/report/status.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_history(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("history", "List a rollout's past rollouts");
  auto& name = ctx.keep<std::string>();
  sub->add_option("NAME", name, "Rollout (plan) name, or a release file")->required();
  sub->callback([&ctx, &name] {
    if (plan::is_release_file(name)) {
      ctx.exit_code = run_history_release(ctx, name);
      return;
    }
    auto env = EngineEnv::create(ctx);
    if (!env) {
      ctx.exit_code = k_exit_preflight;
      return;
    }
    auto history = engine::read_history(*env->deps().kube, *env->deps().clock, env->ns(ctx), name);
    if (!history) {
      *ctx.err << "sluice history: " << history.error().message << "\n";
      ctx.exit_code = history.error().kind == util::ErrorKind::not_found ? k_exit_usage : k_exit_preflight;
      return;
    }
    report::print_history(*history, *ctx.out, ctx.global.output == "json");
  });
}

}  // namespace sluice::cli
