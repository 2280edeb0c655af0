// `sluice diff PLAN`: what apply's first step would change, asked of the API
// server with dryRun=All; nothing is written, no lock taken.
#include <sluice/cli/diff.hpp>
#include <sluice/cli/engine_env.hpp>
#include <sluice/gate/secrets.hpp>
#include <sluice/report/object_diff.hpp>
#include <sluice/report/validate.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

int run_dry_run(Context& ctx, const std::string& plan_path, const OverrideFlags& flags,
                bool exit_code_on_changes) {
  auto overrides = read_override_flags(flags, ctx);
  if (!overrides) return k_exit_usage;
  bool json = ctx.global.output == "json";
  auto parsed = report::load_checked(plan_path, json, *ctx.out, *ctx.err, *overrides);
  if (!parsed.ok()) return k_exit_usage;
  auto env = EngineEnv::create(ctx, parsed.plan->target.context);
  if (!env) return k_exit_preflight;
  // Text is the diff itself, as kubectl diff prints it; -o json keeps the events.
  auto printer = report::make_diff_printer(*ctx.out);
  if (!json) env->deps().out = printer.get();
  gate::KubeSecretsScope secrets(*env->deps().kube);  // preflight probes checks with their credentials
  engine::RunOptions options;
  options.ns_override = ctx.global.ns;
  options.default_ns = env->ns(ctx);
  auto result = engine::dry_run_plan(*parsed.plan, env->deps(), options);
  if (exit_code_on_changes && result.outcome.exit_code == k_exit_ok && result.changed > 0)
    result.outcome.exit_code = k_exit_changes;
  return env->finish(parsed.plan->name, result.outcome);
}

namespace {

struct DiffArgs {
  std::string plan_path;
  bool exit_code = false;
  OverrideFlags overrides;
};

}  // namespace

void add_diff(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand(
      "diff",
      "Show what apply's first step would change in the cluster (server-side dry run; writes nothing)");
  auto& args = ctx.keep<DiffArgs>();
  sub->add_option("PLAN", args.plan_path, "Plan file")->required();
  sub->add_flag("--exit-code", args.exit_code,
                "Exit 11 when something would change (default: 0 whether or not it would)");
  add_override_flags(*sub, args.overrides);
  sub->callback(
      [&ctx, &args] { ctx.exit_code = run_dry_run(ctx, args.plan_path, args.overrides, args.exit_code); });
}

}  // namespace sluice::cli
