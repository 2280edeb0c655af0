// `sluice rollback NAME [--to-revision N]`: after a finished rollout, go back.
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>
#include <sluice/gate/secrets.hpp>
#include <sluice/util/quote.hpp>

#include <CLI/CLI.hpp>

#include <charconv>

namespace sluice::cli {

namespace {

// Rollout numbers from `sluice history` start at 1. Refusing 0 and negatives
// here matters: taken as "not given", they silently became a plain rollback.
std::string check_revision(std::string& text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && end == text.data() + text.size() && value >= 1) return "";
  return "must be a rollout number from `sluice history` (1 or more), not " + util::quoted(text);
}

}  // namespace

void add_rollback(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("rollback", "Return a finished rollout to the version before it");
  auto& args = ctx.keep<OperatorArgs>();
  auto& to_revision = ctx.keep<int>();  // 0: not given (given values are checked to be >= 1)
  add_operator_flags(*sub, args);
  sub->add_option("--to-revision", to_revision, "Rollout number from `sluice history` to return to")
      ->check(CLI::Validator(check_revision, "N>=1", "rollout number"));
  sub->callback([&ctx, &args, &to_revision] {
    ctx.exit_code = run_operator(
        ctx, args,
        [&args, &to_revision](const std::string& ns, engine::Deps& deps, const engine::RunOptions& o) {
          std::optional<int> to = to_revision > 0 ? std::optional<int>(to_revision) : std::nullopt;
          gate::KubeSecretsScope secrets(*deps.kube);  // checks read secretKeyRef values through it
          return engine::rollback_rollout(ns, args.name, to, deps, o);
        });
  });
}

}  // namespace sluice::cli
