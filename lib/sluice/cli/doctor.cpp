// `sluice doctor [PLAN]`: flags only; the checks live in kube/doctor.
#include <sluice/cli/app.hpp>
#include <sluice/kube/doctor.hpp>
#include <sluice/kube/permissions.hpp>
#include <sluice/plan/parser.hpp>
#include <sluice/plan/secrets.hpp>
#include <sluice/report/doctor.hpp>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

namespace sluice::cli {

namespace {

struct DoctorFlags {
  std::string plan;
  double timeout_seconds = 10;
  bool print_role = false;
};

// -v shows each request, -vv its (redacted) headers (spdlog default logger).
void set_log_level(int verbosity) {
  if (verbosity >= 2) {
    spdlog::set_level(spdlog::level::trace);
  } else if (verbosity == 1) {
    spdlog::set_level(spdlog::level::debug);
  }
}

struct DoctorOptions {
  kube::LoadOptions load;                    // kubeconfig and context
  std::optional<kube::DoctorTarget> target;  // from the plan (and -n)
  kube::ClientOptions client;
  bool json = false;
};

// Loads the config, builds the client, runs and prints the checks: 0 or 6.
int check_cluster(const DoctorOptions& options, std::ostream& out, std::ostream& err) {
  auto config = kube::load_kubeconfig(options.load);
  if (!config) {
    err << "sluice doctor: " << config.error().message << "\n";
    return k_exit_preflight;
  }
  auto client = kube::make_client(*config, options.client);
  if (!client) {
    err << "sluice doctor: " << client.error().message << "\n";
    return k_exit_preflight;
  }
  kube::DoctorReport report = kube::run_doctor(**client, *config, options.target);
  report::print_doctor_report(report, out, options.json);
  return report.ok() ? k_exit_ok : k_exit_preflight;
}

kube::PermissionNeeds permission_needs(const plan::Plan& plan) {
  kube::PermissionNeeds needs;
  const auto* canary = std::get_if<plan::CanaryStrategy>(&plan.strategy);
  needs.gateway_route = canary != nullptr && canary->traffic == plan::CanaryStrategy::Traffic::gateway_route;
  needs.secret_refs = plan::reads_kubernetes_secrets(plan);
  return needs;
}

// The Role for the target's namespace (-n, the plan's, else the context's),
// printed without asking the cluster anything.
int print_role(const DoctorOptions& options, std::ostream& out, std::ostream& err) {
  kube::DoctorTarget target = options.target.value_or(kube::DoctorTarget{});
  if (target.ns.empty()) {
    auto config = kube::load_kubeconfig(options.load);
    if (!config) {
      err << "sluice doctor: " << config.error().message << " (pass -n to name the namespace)\n";
      return k_exit_preflight;
    }
    target.ns = config->ns;
  }
  out << kube::role_manifest(kube::required_rules(target.needs), target.ns);
  return k_exit_ok;
}

int run_doctor(Context& ctx, const DoctorFlags& flags) {
  set_log_level(ctx.global.verbosity);
  DoctorOptions options;
  options.load.explicit_path = ctx.global.kubeconfig;
  options.load.context = ctx.global.context;
  options.json = ctx.global.output == "json";
  auto timeout = util::Duration{static_cast<long long>(flags.timeout_seconds * 1000)};
  options.client.connect_timeout = timeout;
  options.client.request_timeout = timeout;
  options.client.max_attempts = 3;  // doctor answers quickly rather than riding out long outages
  if (!ctx.global.ns.empty()) options.target = kube::DoctorTarget{ctx.global.ns, "", ""};
  if (!flags.plan.empty()) {
    auto parsed = plan::load_plan(flags.plan);
    if (!parsed.ok()) {
      for (const auto& d : parsed.diagnostics) *ctx.err << d.to_string() << "\n";
      return k_exit_usage;
    }
    const plan::Target& t = parsed.plan->target;
    // --context and -n override the plan, as for every verb.
    if (options.load.context.empty()) options.load.context = t.context;
    options.target = kube::DoctorTarget{ctx.global.ns.empty() ? t.ns : ctx.global.ns, t.deployment, t.service,
                                        permission_needs(*parsed.plan)};
  }
  if (flags.print_role) return print_role(options, *ctx.out, *ctx.err);
  return check_cluster(options, *ctx.out, *ctx.err);
}

}  // namespace

void add_doctor(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("doctor",
                                 "Check that the cluster and the plan's target are reachable and that sluice "
                                 "may do there what a rollout does");
  auto& flags = ctx.keep<DoctorFlags>();
  sub->add_option("PLAN", flags.plan,
                  "Plan file (optional): also checks its namespace, Deployment and Service");
  sub->add_option("--timeout", flags.timeout_seconds, "Seconds to wait for the cluster to answer")
      ->capture_default_str();
  sub->add_flag(
      "--print-role", flags.print_role,
      "Print the ServiceAccount, Role and RoleBinding sluice needs (for the plan, in its namespace) "
      "and exit, without contacting the cluster");
  sub->callback([&ctx, &flags] { ctx.exit_code = run_doctor(ctx, flags); });
}

}  // namespace sluice::cli
