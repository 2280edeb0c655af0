#include <sluice/cli/app.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_history(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("history", "List past rollouts of a target");
  static std::string arg;  // lives as long as the parsed command line
  sub->add_option("NAME", arg, "Rollout (plan) name")->required();
  sub->callback([&ctx] { ctx.exit_code = not_built_yet(ctx, "history"); });
}

}  // namespace sluice::cli
