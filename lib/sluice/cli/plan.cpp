// `sluice plan PLAN`: what a rollout would do, step by step, contacting nothing.
// `sluice plan RELEASE`: the waves, and what each target's plan would do.
#include <sluice/cli/app.hpp>
#include <sluice/cli/override_flags.hpp>
#include <sluice/plan/release_parser.hpp>
#include <sluice/release/validate.hpp>
#include <sluice/report/validate.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_plan(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("plan", "Show what a rollout of a plan would do");
  auto& path = ctx.keep<std::string>();
  auto& overrides = ctx.keep<OverrideFlags>();
  sub->add_option("PLAN", path, "Plan file")->required();
  add_override_flags(*sub, overrides);
  sub->callback([&ctx, &path, &overrides] {
    auto given = read_override_flags(overrides, ctx);
    bool json = ctx.global.output == "json";
    bool valid = false;
    if (given && plan::is_release_file(path)) {
      kube::LoadOptions kubeconfig;
      kubeconfig.explicit_path = ctx.global.kubeconfig;
      valid = release::preview_release(path, kubeconfig, json, *ctx.out, *ctx.err);
    } else {
      valid = given && report::preview_file(path, json, *ctx.out, *ctx.err, *given);
    }
    ctx.exit_code = valid ? k_exit_ok : k_exit_usage;
  });
}

}  // namespace sluice::cli
