// `sluice failover DRILL [--from REGION]` and `sluice failback DRILL`:
// move a service's traffic away from one region and back (docs/drills.md).
#include <sluice/cli/app.hpp>
#include <sluice/cli/drill_env.hpp>
#include <sluice/drill/failover.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

void add_failover(CLI::App& app, Context& ctx) {
  auto* sub =
      app.add_subcommand("failover", "Move a service's traffic away from one region (a drill document)");
  auto& path = ctx.keep<std::string>();
  auto& from = ctx.keep<std::string>();
  auto& lease_seconds = ctx.keep<int>();
  lease_seconds = 15;
  sub->add_option("DRILL", path, "Drill file")->required();
  sub->add_option("--from", from, "Region to fail over from (default: the drill's failover.from)");
  sub->add_option("--lease-seconds", lease_seconds, "Drill lock lease duration")->check(CLI::Range(1, 3600));
  sub->callback([&ctx, &path, &from, &lease_seconds] {
    ctx.exit_code =
        run_drill_verb(ctx, path, [&from, &lease_seconds](const plan::Drill& drill, drill::DrillDeps& deps) {
          deps.lease_duration = std::chrono::seconds(lease_seconds);
          return drill::run_failover(drill, from, deps);
        });
  });
}

void add_failback(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("failback", "Return traffic and capacity to what failover recorded");
  auto& path = ctx.keep<std::string>();
  sub->add_option("DRILL", path, "Drill file")->required();
  sub->callback([&ctx, &path] {
    ctx.exit_code = run_drill_verb(ctx, path, [](const plan::Drill& drill, drill::DrillDeps& deps) {
      return drill::run_failback(drill, deps);
    });
  });
}

}  // namespace sluice::cli
