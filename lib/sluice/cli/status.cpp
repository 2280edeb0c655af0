// `sluice status NAME [--watch]`: the rollout as the cluster records it.
// `sluice status RELEASE-FILE`: the release's record (docs/releases.md).
// Exit: the rollout's own code (0 healthy or progressing, 4 paused, 3 aborted
// or rolled back...), 10 when --watch --timeout ran out before it settled.
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>
#include <sluice/cli/release_verbs.hpp>
#include <sluice/engine/status_watch.hpp>
#include <sluice/plan/release_parser.hpp>
#include <sluice/report/status.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

namespace {

struct StatusFlags {
  std::string name;
  bool watch = false;
  std::string timeout;  // with --watch: "" waits until the rollout settles
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
  if (*code == k_exit_interrupted && env.timed_out()) {
    // As `kubectl rollout status --timeout`: the rollout goes on; only the watching stops.
    *ctx.err << "sluice status: --timeout " << flags.timeout << " ran out before " << flags.name
             << " settled\n";
    return k_exit_timed_out;
  }
  return *code;
}

}  // namespace

void add_status(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("status", "Show a rollout's state from the cluster");
  auto& flags = ctx.keep<StatusFlags>();
  sub->add_option("NAME", flags.name, "Rollout (plan) name, or a release file")->required();
  auto* watch = sub->add_flag("-w,--watch", flags.watch,
                              "Follow the rollout until it settles (healthy, paused or rolled back)");
  add_timeout_flag(*sub, flags.timeout, "With --watch: stop watching after this long (e.g. 90s, 5m), exit 10")
      ->needs(watch);
  sub->callback([&ctx, &flags, watch] {
    if (plan::is_release_file(flags.name)) {
      if (watch->count() > 0) {
        *ctx.err << "sluice status: --watch applies to a rollout, not to a release\n";
        ctx.exit_code = k_exit_usage;
        return;
      }
      ctx.exit_code = run_status_release(ctx, flags.name);
      return;
    }
    auto env = EngineEnv::create(ctx);
    if (env && !flags.timeout.empty()) env->stop_after(timeout_of(flags.timeout), flags.timeout);
    ctx.exit_code = env ? show_status(ctx, *env, flags) : k_exit_preflight;
  });
}

}  // namespace sluice::cli
