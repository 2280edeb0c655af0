// `sluice drill DRILL [--from REGION] [--report FILE] [--dry-run]`: rehearse a
// failover and failback end to end and measure RTO (docs/drills.md).
#include <sluice/cli/app.hpp>
#include <sluice/cli/drill_env.hpp>
#include <sluice/drill/rehearsal.hpp>
#include <sluice/util/exit_code.hpp>

#include <CLI/CLI.hpp>

#include <fstream>

namespace sluice::cli {

namespace {

struct DrillArgs {
  std::string path;
  std::string from;
  std::string report;
  bool dry_run = false;
};

drill::DrillOutcome dry_run(Context& ctx, const plan::Drill& drill, drill::DrillDeps& deps,
                            const DrillArgs& args) {
  auto lines = drill::drill_dry_run(drill, args.from, deps);
  if (!lines) return {k_exit_preflight, "reading what runs: " + lines.error().message};
  for (const std::string& line : *lines) *ctx.out << "would " << line << "\n";
  return {k_exit_ok, "dry run: nothing was changed"};
}

drill::DrillOutcome rehearse(Context& ctx, const plan::Drill& drill, drill::DrillDeps& deps,
                             const DrillArgs& args) {
  drill::DrillReport report = drill::run_drill(drill, args.from, deps);
  if (ctx.global.output != "json") *ctx.out << drill::summary(report, drill.objectives);
  if (!args.report.empty()) {
    std::ofstream file(args.report, std::ios::trunc);
    file << drill::to_json(report, drill.objectives).dump(2) << "\n";
    if (!file) *ctx.err << "sluice: could not write the report to " << args.report << "\n";
  }
  return {report.exit_code, report.message};
}

}  // namespace

void add_drill(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("drill", "Rehearse failover and failback end to end, measuring RTO");
  auto& args = ctx.keep<DrillArgs>();
  sub->add_option("DRILL", args.path, "Drill file")->required();
  sub->add_option("--from", args.from, "Region to fail over from (default: the drill's failover.from)");
  sub->add_option("--report", args.report, "Write the JSON report to this file");
  sub->add_flag("--dry-run", args.dry_run, "Print what the drill would do; change nothing");
  sub->callback([&ctx, &args] {
    ctx.exit_code =
        run_drill_verb(ctx, args.path, [&ctx, &args](const plan::Drill& drill, drill::DrillDeps& deps) {
          return args.dry_run ? dry_run(ctx, drill, deps, args) : rehearse(ctx, drill, deps, args);
        });
  });
}

}  // namespace sluice::cli
