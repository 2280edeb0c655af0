#include <sluice/cli/app.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_apply(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("apply", "Run a plan's rollout to completion or to a pause");
  static std::string arg;  // lives as long as the parsed command line
  sub->add_option("PLAN", arg, "Plan file")->required();
  sub->callback([&ctx] { ctx.exit_code = not_built_yet(ctx, "apply"); });
}

}  // namespace sluice::cli
