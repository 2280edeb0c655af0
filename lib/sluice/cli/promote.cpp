// `sluice promote NAME [--full]`: continue a paused rollout from this process.
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>
#include <sluice/gate/secrets.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_promote(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("promote", "Continue a paused rollout, driving it on from this process");
  auto& args = ctx.keep<OperatorArgs>();
  auto& full = ctx.keep<bool>();
  add_operator_flags(*sub, args);
  sub->add_flag("--full", full, "Skip the remaining checks and pauses");
  sub->callback([&ctx, &args, &full] {
    ctx.exit_code = run_operator(
        ctx, args, [&args, &full](const std::string& ns, engine::Deps& deps, const engine::RunOptions& o) {
          gate::KubeSecretsScope secrets(*deps.kube);  // checks read secretKeyRef values through it
          return engine::promote_rollout(ns, args.name, full, deps, o);
        });
  });
}

}  // namespace sluice::cli
