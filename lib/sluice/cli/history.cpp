// `sluice history NAME`: the finished rollouts kept in the record (newest last).
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_history(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("history", "List a rollout's past rollouts");
  static std::string name;  // lives as long as the parsed command line
  sub->add_option("NAME", name, "Rollout (plan) name")->required();
  sub->callback([&ctx] {
    auto env = EngineEnv::create(ctx);
    if (!env) {
      ctx.exit_code = k_exit_preflight;
      return;
    }
    auto shown =
        engine::print_history(*env->deps().kube, env->ns(ctx), name, *ctx.out, ctx.global.output == "json");
    if (!shown) {
      *ctx.err << "sluice history: " << shown.error().message << "\n";
      ctx.exit_code = shown.error().kind == util::ErrorKind::not_found ? k_exit_usage : k_exit_preflight;
    }
  });
}

}  // namespace sluice::cli
