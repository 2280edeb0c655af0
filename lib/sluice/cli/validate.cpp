// `sluice validate FILE...`: exit 0 when every plan, release or drill is valid, 2 otherwise.
#include <sluice/cli/app.hpp>
#include <sluice/cli/override_flags.hpp>
#include <sluice/drill/validate.hpp>
#include <sluice/plan/drill_parser.hpp>
#include <sluice/plan/release_parser.hpp>
#include <sluice/release/validate.hpp>
#include <sluice/report/validate.hpp>

#include <CLI/CLI.hpp>

#include <vector>

namespace sluice::cli {

namespace {

// Each file in turn by its kind: a release, a drill (its contexts checked
// against the kubeconfig; --image/--set are a plan's), or a plan.
bool validate_each(const std::vector<std::string>& paths, const Context& ctx,
                   const plan::Overrides& overrides) {
  bool json = ctx.global.output == "json";
  bool all_valid = true;
  for (const auto& path : paths) {
    bool valid = false;
    if (plan::is_release_file(path)) {
      kube::LoadOptions kubeconfig;
      kubeconfig.explicit_path = ctx.global.kubeconfig;
      valid = release::validate_release(path, kubeconfig, json, *ctx.out, *ctx.err);
    } else if (plan::is_drill_file(path)) {
      valid = drill::validate_drill_file(path, {ctx.global.kubeconfig, "", std::nullopt}, json, *ctx.out,
                                         *ctx.err);
    } else {
      valid = report::validate_files({path}, json, *ctx.out, *ctx.err, overrides);
    }
    all_valid = all_valid && valid;
  }
  return all_valid;
}

}  // namespace

void add_validate(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("validate", "Check plans for errors without contacting anything");
  auto& paths = ctx.keep<std::vector<std::string>>();
  auto& overrides = ctx.keep<OverrideFlags>();
  sub->add_option("PLAN", paths, "Plan files")->required();
  add_override_flags(*sub, overrides);
  sub->callback([&ctx, &paths, &overrides] {
    auto given = read_override_flags(overrides, ctx);
    bool valid = given && validate_each(paths, ctx, *given);
    ctx.exit_code = valid ? k_exit_ok : k_exit_usage;
  });
}

}  // namespace sluice::cli
