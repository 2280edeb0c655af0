#include <sluice/cli/app.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_doctor(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("doctor", "Check that the cluster and the plan's target are reachable");
  static std::string arg;  // lives as long as the parsed command line
  sub->add_option("PLAN", arg, "Plan file (optional)");
  sub->callback([&ctx] { ctx.exit_code = not_built_yet(ctx, "doctor"); });
}

}  // namespace sluice::cli
