// `sluice doctor [PLAN]`: flags only; the checks live in kube/doctor.
#include <sluice/cli/app.hpp>
#include <sluice/kube/doctor.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

namespace {

struct DoctorFlags {
  std::string plan;
  double timeout_seconds = 10;
};

int run_doctor(Context& ctx, const DoctorFlags& flags) {
  kube::DoctorOptions options;
  options.load.explicit_path = ctx.global.kubeconfig;
  options.load.context = ctx.global.context;
  options.json = ctx.global.output == "json";
  auto timeout = util::Duration{static_cast<long long>(flags.timeout_seconds * 1000)};
  options.client.connect_timeout = timeout;
  options.client.request_timeout = timeout;
  options.client.max_attempts = 3;  // doctor answers quickly rather than riding out long outages
  if (!flags.plan.empty()) {
    *ctx.err << "sluice doctor: reading plans is not available in this build yet; run without PLAN\n";
    return k_exit_usage;
  }
  if (!ctx.global.ns.empty()) options.target = kube::DoctorTarget{ctx.global.ns, "", ""};
  return kube::doctor_command(options, *ctx.out, *ctx.err);
}

}  // namespace

void add_doctor(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("doctor", "Check that the cluster and the plan's target are reachable");
  static DoctorFlags flags;  // lives as long as the parsed command line
  sub->add_option("PLAN", flags.plan,
                  "Plan file (optional): also checks its namespace, Deployment and Service");
  sub->add_option("--timeout", flags.timeout_seconds, "Seconds to wait for the cluster to answer")
      ->capture_default_str();
  sub->callback([&ctx] { ctx.exit_code = run_doctor(ctx, flags); });
}

}  // namespace sluice::cli
