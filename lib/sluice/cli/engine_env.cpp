#include <sluice/cli/engine_env.hpp>

#include <CLI/CLI.hpp>

#include <sluice/http/client.hpp>
#include <sluice/kube/client.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/registry/registry.hpp>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <ostream>
#include <thread>

namespace sluice::cli {

struct EngineEnv::Parts {
  kube::Config config;
  std::unique_ptr<kube::Client> kube;
  std::unique_ptr<kube::WatchHub> hub;
  std::unique_ptr<registry::Registry> registry;
  std::unique_ptr<http::Client> http;
  std::unique_ptr<report::Reporter> reporter;
  engine::Interrupt interrupt;
};

EngineEnv::~EngineEnv() = default;

void route_signals_to(engine::Interrupt& interrupt) {
  // Blocked here, before any other thread starts, so only the waiter sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, &interrupt] {
    int sig = 0;
    if (sigwait(&set, &sig) == 0) interrupt.fire(sig == SIGINT ? "SIGINT" : "SIGTERM");
  }).detach();
}

std::unique_ptr<EngineEnv> EngineEnv::create(Context& ctx, const std::string& plan_context) {
  std::unique_ptr<EngineEnv> env(new EngineEnv());
  env->parts_ = std::make_unique<Parts>();
  auto& p = *env->parts_;
  route_signals_to(p.interrupt);
  kube::LoadOptions load;
  load.explicit_path = ctx.global.kubeconfig;
  load.context = ctx.global.context.empty() ? plan_context : ctx.global.context;
  auto config = kube::load_kubeconfig(load);
  if (!config) {
    *ctx.err << "sluice: kubeconfig: " << config.error().message << "\n";
    return nullptr;
  }
  p.config = *config;
  auto client = kube::make_client(p.config);
  if (!client) {
    *ctx.err << "sluice: " << client.error().message << "\n";
    return nullptr;
  }
  p.kube = std::move(*client);
  p.hub = std::make_unique<kube::WatchHub>(*p.kube);
  registry::RegistryOptions ropts;
  ropts.credentials = registry::credentials_from_env();
  p.registry = registry::make_registry(ropts);
  p.http = http::make_curl_client(http::ClientOptions{});
  bool json = ctx.global.output == "json";
  p.reporter = report::make_reporter(json ? report::Format::json : report::Format::text, *ctx.out,
                                     !json && isatty(STDOUT_FILENO) == 1, util::system_clock());
  env->deps_ = engine::Deps{p.kube.get(),          p.hub.get(),      p.registry.get(), p.http.get(),
                            &util::system_clock(), p.reporter.get(), &p.interrupt,     load.context};
  return env;
}

std::string EngineEnv::ns(const Context& ctx) const {
  return ctx.global.ns.empty() ? parts_->config.ns : ctx.global.ns;
}

int EngineEnv::finish(const std::string& rollout, const engine::Outcome& outcome) {
  engine::emit_finished(*deps_.out, rollout, outcome);
  return outcome.exit_code;
}

void add_operator_flags(CLI::App& sub, OperatorArgs& args) {
  sub.add_option("NAME", args.name, "Rollout (plan) name")->required();
  sub.add_option("--lease-seconds", args.lease_seconds, "Lock lease duration in seconds")
      ->check(CLI::Range(1, 3600));
}

int run_operator(Context& ctx, const OperatorArgs& args, const OperatorAction& action) {
  auto env = EngineEnv::create(ctx);
  if (!env) return k_exit_preflight;
  engine::RunOptions options;
  options.lease_duration = std::chrono::seconds(args.lease_seconds);
  return env->finish(args.name, action(env->ns(ctx), env->deps(), options));
}

}  // namespace sluice::cli
