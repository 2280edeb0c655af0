// `sluice apply PLAN`: parse the plan and hand it to engine::apply_plan.
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>
#include <sluice/gate/secrets.hpp>
#include <sluice/plan/parser.hpp>

#include <CLI/CLI.hpp>

#include <fstream>
#include <sstream>

namespace sluice::cli {

namespace {

struct ApplyArgs {
  std::string plan_path;
  bool abort_previous = false;
  int lease_seconds = 15;
};

int run_apply(Context& ctx, const ApplyArgs& args) {
  std::ifstream in(args.plan_path, std::ios::binary);
  if (!in) {
    *ctx.err << "sluice apply: cannot read plan '" << args.plan_path << "'\n";
    return k_exit_usage;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = plan::parse_plan(text.str(), args.plan_path);
  if (!parsed.ok()) {
    for (const auto& d : parsed.diagnostics) *ctx.err << d.to_string() << "\n";
    return k_exit_usage;
  }
  auto env = EngineEnv::create(ctx, parsed.plan->target.context);
  if (!env) return k_exit_preflight;
  gate::KubeSecretsScope secrets(*env->deps().kube);  // checks read secretKeyRef values through it
  engine::RunOptions options;
  options.abort_previous = args.abort_previous;
  options.lease_duration = std::chrono::seconds(args.lease_seconds);
  options.ns_override = ctx.global.ns;
  options.default_ns = env->ns(ctx);
  auto outcome = engine::apply_plan(*parsed.plan, text.str(), env->deps(), options);
  return env->finish(parsed.plan->name, outcome);
}

}  // namespace

void add_apply(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("apply", "Run a plan's rollout to completion or to a pause");
  static ApplyArgs args;  // lives as long as the parsed command line
  sub->add_option("PLAN", args.plan_path, "Plan file")->required();
  sub->add_flag("--abort-previous", args.abort_previous,
                "Abort an unfinished rollout of a different plan for this target first");
  sub->add_option("--lease-seconds", args.lease_seconds, "Lock lease duration in seconds")
      ->check(CLI::Range(1, 3600));
  sub->callback([&ctx] { ctx.exit_code = run_apply(ctx, args); });
}

}  // namespace sluice::cli
