// `sluice abort NAME`: send an unfinished rollout back to the stable version now.
// `sluice abort RELEASE-FILE`: the same for each target of the release in progress.
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>
#include <sluice/cli/release_verbs.hpp>
#include <sluice/gate/secrets.hpp>
#include <sluice/plan/release_parser.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_abort(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("abort", "Send a rollout back to the stable version now");
  auto& args = ctx.keep<OperatorArgs>();
  add_operator_flags(*sub, args);
  sub->callback([&ctx, &args] {
    if (plan::is_release_file(args.name)) {
      ctx.exit_code = run_abort_release(ctx, {args.name, args.lease_seconds, ""});
      return;
    }
    ctx.exit_code = run_operator(
        ctx, args, [&args](const std::string& ns, engine::Deps& deps, const engine::RunOptions& o) {
          gate::KubeSecretsScope secrets(*deps.kube);  // checks read secretKeyRef values through it
          return engine::abort_rollout(ns, args.name, deps, o);
        });
  });
}

}  // namespace sluice::cli
