// `sluice rollback NAME [--to-revision N]`: after a finished rollout, go back.
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>
#include <sluice/gate/secrets.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_rollback(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("rollback", "Return a finished rollout to the version before it");
  static OperatorArgs args;  // lives as long as the parsed command line
  static int to_revision = 0;
  add_operator_flags(*sub, args);
  sub->add_option("--to-revision", to_revision, "Rollout number from `sluice history` to return to");
  sub->callback([&ctx] {
    ctx.exit_code =
        run_operator(ctx, args, [](const std::string& ns, engine::Deps& deps, const engine::RunOptions& o) {
          std::optional<int> to = to_revision > 0 ? std::optional<int>(to_revision) : std::nullopt;
          gate::KubeSecretsScope secrets(*deps.kube);  // checks read secretKeyRef values through it
          return engine::rollback_rollout(ns, args.name, to, deps, o);
        });
  });
}

}  // namespace sluice::cli
