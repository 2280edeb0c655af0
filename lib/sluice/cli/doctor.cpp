// `sluice doctor [PLAN]`: flags only; the checks live in kube/doctor.
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>
#include <sluice/engine/doctor_endpoints.hpp>
#include <sluice/http/client.hpp>
#include <sluice/kube/doctor.hpp>
#include <sluice/kube/permissions.hpp>
#include <sluice/plan/parser.hpp>
#include <sluice/plan/secrets.hpp>
#include <sluice/report/doctor.hpp>
#include <sluice/report/validate.hpp>

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
  std::optional<plan::Plan> plan;  // also its image and check endpoints
  bool json = false;
};

// The registry as apply builds it, and a plain HTTP client, each held to the doctor's timeout.
std::vector<kube::DoctorCheck> check_endpoints(const DoctorOptions& options, const std::string& ns,
                                               kube::Client* kube) {
  registry::RegistryOptions registry_options;
  registry_options.request_timeout = options.client.request_timeout;
  registry_options.max_attempts = 1;
  auto registry = make_rollout_registry(std::move(registry_options));
  auto http = http::make_curl_client(http::ClientOptions{});
  engine::EndpointDeps deps{kube, registry.get(), http.get(), options.client.request_timeout};
  return engine::check_plan_endpoints(*options.plan, ns, deps);
}

// Loads the config, builds the client, runs and prints the checks: 0 or 6.
int check_cluster(const DoctorOptions& options, std::ostream& out, std::ostream& err) {
  auto config = kube::load_kubeconfig(options.load);
  if (!config) {
    report::print_doctor_failure(config.error().message, out, err, options.json);
    return k_exit_preflight;
  }
  auto client = kube::make_client(*config, options.client);
  if (!client) {
    report::print_doctor_failure(client.error().message, out, err, options.json);
    return k_exit_preflight;
  }
  kube::DoctorReport report = kube::run_doctor(**client, *config, options.target);
  if (options.plan) {
    bool reachable = !report.checks.empty() && report.checks.front().ok;
    std::string ns = options.target && !options.target->ns.empty() ? options.target->ns : config->ns;
    auto more = check_endpoints(options, ns, reachable ? client->get() : nullptr);
    report.checks.insert(report.checks.end(), more.begin(), more.end());
  }
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
    // Problems read as validate prints them (JSON lines under -o json).
    auto parsed = report::load_checked(flags.plan, options.json, *ctx.out, *ctx.err);
    if (!parsed.ok()) return k_exit_usage;
    const plan::Target& t = parsed.plan->target;
    // --context and -n override the plan, as for every verb.
    if (options.load.context.empty()) options.load.context = t.context;
    options.target = kube::DoctorTarget{ctx.global.ns.empty() ? t.ns : ctx.global.ns, t.deployment, t.service,
                                        permission_needs(*parsed.plan)};
    options.plan = *parsed.plan;
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
  sub->add_option(
      "PLAN", flags.plan,
      "Plan file (optional): also checks its namespace, Deployment, Service, image and check endpoints");
  sub->add_option("--timeout", flags.timeout_seconds, "Seconds to wait for the cluster to answer")
      ->capture_default_str();
  sub->add_flag(
      "--print-role", flags.print_role,
      "Print the ServiceAccount, Role and RoleBinding sluice needs (for the plan, in its namespace) "
      "and exit, without contacting the cluster");
  sub->callback([&ctx, &flags] { ctx.exit_code = run_doctor(ctx, flags); });
}

}  // namespace sluice::cli
