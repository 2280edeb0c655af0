#include <sluice/cli/app.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_plan(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("plan", "Show what a rollout of a plan would do");
  static std::string arg;  // lives as long as the parsed command line
  sub->add_option("PLAN", arg, "Plan file")->required();
  sub->callback([&ctx] { ctx.exit_code = not_built_yet(ctx, "plan"); });
}

}  // namespace sluice::cli
