// `sluice apply PLAN`: parse the plan and hand it to engine::apply_plan.
#include <sluice/cli/app.hpp>
#include <sluice/cli/diff.hpp>
#include <sluice/cli/engine_env.hpp>
#include <sluice/cli/observers.hpp>
#include <sluice/cli/override_flags.hpp>
#include <sluice/cli/release_verbs.hpp>
#include <sluice/gate/secrets.hpp>
#include <sluice/plan/notifications.hpp>
#include <sluice/plan/release_parser.hpp>
#include <sluice/report/validate.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

namespace {

struct ApplyArgs {
  std::string plan_path;
  bool abort_previous = false;
  bool dry_run = false;
  int lease_seconds = 15;
  std::string timeout;  // "" : no limit beyond the plan's own deadlines
  OverrideFlags overrides;
};

// A release runs its targets' plans as written: the flags that change one plan do not apply.
int run_apply_to_release(Context& ctx, const ApplyArgs& args) {
  if (args.dry_run || args.abort_previous || !args.overrides.image.empty() || !args.overrides.sets.empty()) {
    *ctx.err << "sluice: " << args.plan_path
             << " is a Release: --dry-run, --abort-previous, --image and --set apply to plans only\n";
    return k_exit_usage;
  }
  return run_apply_release(ctx, {args.plan_path, args.lease_seconds, args.timeout});
}

// What notifications say about the rollout before its first event: where it runs.
notify::RolloutFacts rollout_facts(const Context& ctx, EngineEnv& env, const plan::Plan& plan) {
  notify::RolloutFacts facts;
  facts.rollout = plan.name;
  facts.context = env.deps().reach.context;
  facts.ns = !ctx.global.ns.empty() ? ctx.global.ns : !plan.target.ns.empty() ? plan.target.ns : env.ns(ctx);
  facts.image = plan.image;
  return facts;
}

int run_apply(Context& ctx, const ApplyArgs& args) {
  if (plan::is_release_file(args.plan_path)) return run_apply_to_release(ctx, args);
  if (args.dry_run) return run_dry_run(ctx, args.plan_path, args.overrides, false);
  // The same bounded loader as validate: a FIFO, a device or a huge file is
  // refused without being read, with validate's words and exit code.
  auto overrides = read_override_flags(args.overrides, ctx);
  if (!overrides) return k_exit_usage;
  auto parsed =
      report::load_checked(args.plan_path, ctx.global.output == "json", *ctx.out, *ctx.err, *overrides);
  if (!parsed.ok()) return k_exit_usage;
  auto config = config_notifications(ctx);
  if (!config) return k_exit_usage;
  auto env = EngineEnv::create(ctx, parsed.plan->target.context);
  if (!env) return k_exit_preflight;
  RunObservers observers(
      ctx, *env, plan::merge_notifications(*config, plan::plan_notifications(parsed.text, args.plan_path)),
      rollout_facts(ctx, *env, *parsed.plan));
  if (!args.timeout.empty()) env->stop_after(timeout_of(args.timeout), args.timeout);
  gate::KubeSecretsScope secrets(*env->deps().kube);  // checks read secretKeyRef values through it
  engine::RunOptions options;
  options.abort_previous = args.abort_previous;
  options.lease_duration = std::chrono::seconds(args.lease_seconds);
  options.ns_override = ctx.global.ns;
  options.default_ns = env->ns(ctx);
  auto outcome = engine::apply_plan(*parsed.plan, parsed.text, env->deps(), options);
  return env->finish(parsed.plan->name, outcome);
}

}  // namespace

void add_apply(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("apply", "Run a plan's rollout to completion or to a pause");
  auto& args = ctx.keep<ApplyArgs>();
  sub->add_option("PLAN", args.plan_path, "Plan file")->required();
  sub->add_flag("--abort-previous", args.abort_previous,
                "Abort an unfinished rollout of a different plan for this target first");
  sub->add_flag("--dry-run", args.dry_run,
                "Preflight and the diff of the first step (server-side dry run), then stop: writes nothing");
  sub->add_option("--lease-seconds", args.lease_seconds, "Lock lease duration in seconds")
      ->check(CLI::Range(1, 3600));
  add_timeout_flag(
      *sub, args.timeout,
      "Stop after this long (e.g. 90s, 5m): state saved and lock released as on SIGINT, exit 10");
  add_override_flags(*sub, args.overrides);
  sub->callback([&ctx, &args] { ctx.exit_code = run_apply(ctx, args); });
}

}  // namespace sluice::cli
