// `sluice validate PLAN...`: exit 0 when every plan is valid, 2 otherwise.
#include <sluice/cli/app.hpp>
#include <sluice/report/validate.hpp>

#include <CLI/CLI.hpp>

#include <vector>

namespace sluice::cli {

void add_validate(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("validate", "Check plans for errors without contacting anything");
  auto& paths = ctx.keep<std::vector<std::string>>();
  sub->add_option("PLAN", paths, "Plan files")->required();
  sub->callback([&ctx, &paths] {
    bool valid = report::validate_files(paths, ctx.global.output == "json", *ctx.out, *ctx.err);
    ctx.exit_code = valid ? k_exit_ok : k_exit_usage;
  });
}

}  // namespace sluice::cli
