// `sluice status NAME [--watch]`: the rollout as the cluster records it.
// Exit 0 healthy (or progressing), 4 paused, 3 degraded, aborted or rolled back.
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>
#include <sluice/engine/status_watch.hpp>
#include <sluice/report/status.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

namespace {

struct StatusFlags {
  std::string name;
  bool watch = false;
};

int show_status(Context& ctx, EngineEnv& env, const StatusFlags& flags) {
  bool json = ctx.global.output == "json";
  auto code = engine::follow_status(
      env.deps(), env.ns(ctx), flags.name, flags.watch,
      [&](const engine::StatusView& view) { report::print_status(view, *ctx.out, json); });
  if (!code) {
    *ctx.err << "sluice status: " << code.error().message << "\n";
    return code.error().kind == util::ErrorKind::not_found ? k_exit_usage : k_exit_preflight;
  }
  return *code;
}

}  // namespace

void add_status(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("status", "Show a rollout's state from the cluster");
  auto& flags = ctx.keep<StatusFlags>();
  sub->add_option("NAME", flags.name, "Rollout (plan) name")->required();
  sub->add_flag("-w,--watch", flags.watch,
                "Follow the rollout until it settles (healthy, paused or rolled back)");
  sub->callback([&ctx, &flags] {
    auto env = EngineEnv::create(ctx);
    ctx.exit_code = env ? show_status(ctx, *env, flags) : k_exit_preflight;
  });
}

}  // namespace sluice::cli
