// `sluice validate PLAN...`: exit 0 when every plan is valid, 2 otherwise.
#include <sluice/cli/app.hpp>
#include <sluice/cli/override_flags.hpp>
#include <sluice/report/validate.hpp>

#include <CLI/CLI.hpp>

#include <vector>

namespace sluice::cli {

void add_validate(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("validate", "Check plans for errors without contacting anything");
  auto& paths = ctx.keep<std::vector<std::string>>();
  auto& overrides = ctx.keep<OverrideFlags>();
  sub->add_option("PLAN", paths, "Plan files")->required();
  add_override_flags(*sub, overrides);
  sub->callback([&ctx, &paths, &overrides] {
    auto given = read_override_flags(overrides, ctx);
    bool valid =
        given && report::validate_files(paths, ctx.global.output == "json", *ctx.out, *ctx.err, *given);
    ctx.exit_code = valid ? k_exit_ok : k_exit_usage;
  });
}

}  // namespace sluice::cli
