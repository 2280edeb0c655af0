// `sluice validate FILE...`: exit 0 when every plan or drill is valid, 2 otherwise.
#include <sluice/cli/app.hpp>
#include <sluice/cli/override_flags.hpp>
#include <sluice/drill/validate.hpp>
#include <sluice/plan/drill_parser.hpp>
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
    bool valid = given.has_value();
    const bool json = ctx.global.output == "json";
    for (const std::string& path : given ? paths : std::vector<std::string>{}) {
      // A drill's contexts are checked against the kubeconfig; --image/--set are a plan's.
      valid = (plan::is_drill_file(path)
                   ? drill::validate_drill_file(path, {ctx.global.kubeconfig, "", std::nullopt}, json,
                                                *ctx.out, *ctx.err)
                   : report::validate_files({path}, json, *ctx.out, *ctx.err, *given)) &&
              valid;
    }
    ctx.exit_code = valid ? k_exit_ok : k_exit_usage;
  });
}

}  // namespace sluice::cli
