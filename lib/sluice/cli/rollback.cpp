#include <sluice/cli/app.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_rollback(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("rollback", "Return a finished rollout to an earlier revision");
  static std::string arg;  // lives as long as the parsed command line
  sub->add_option("NAME", arg, "Rollout (plan) name")->required();
  sub->callback([&ctx] { ctx.exit_code = not_built_yet(ctx, "rollback"); });
}

}  // namespace sluice::cli
