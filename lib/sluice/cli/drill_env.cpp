#include <sluice/cli/drill_env.hpp>

#include <sluice/cli/engine_env.hpp>
#include <sluice/drill/validate.hpp>
#include <sluice/http/client.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/plan/drill_parser.hpp>
#include <sluice/report/validate.hpp>
#include <sluice/state/record.hpp>
#include <sluice/util/exit_code.hpp>

#include <ostream>

namespace sluice::cli {

struct DrillEnv::Parts {
  std::vector<std::unique_ptr<kube::Client>> clients;
  std::vector<std::unique_ptr<kube::WatchHub>> hubs;  // after the clients: destroyed first
  std::unique_ptr<http::Client> http;
  std::unique_ptr<report::Reporter> reporter;
  engine::Interrupt interrupt;
  std::unique_ptr<SignalRouter> signals;  // last: stopped before anything it could reach dies
};

DrillEnv::~DrillEnv() = default;

std::unique_ptr<DrillEnv> DrillEnv::create(Context& ctx, const plan::Drill& drill) {
  std::unique_ptr<DrillEnv> env(new DrillEnv());
  env->parts_ = std::make_unique<Parts>();
  Parts& p = *env->parts_;
  p.signals = std::make_unique<SignalRouter>(p.interrupt);
  const state::Starter starter = state::current_starter();
  for (const plan::ContextRef& context : drill.contexts()) {
    if (env->deps_.clusters.count(context.name)) continue;
    auto config = kube::load_kubeconfig({ctx.global.kubeconfig, context.name, std::nullopt});
    if (!config) {
      *ctx.err << "sluice: kubeconfig: " << config.error().message << "\n";
      return nullptr;
    }
    kube::ClientOptions options;
    options.user_agent = std::string("sluice/") + SLUICE_VERSION + " (" + starter.identity() + ")";
    auto client = kube::make_client(*config, options);
    if (!client) {
      *ctx.err << "sluice: " << client.error().message << "\n";
      return nullptr;
    }
    p.clients.push_back(std::move(*client));
    p.hubs.push_back(std::make_unique<kube::WatchHub>(*p.clients.back()));
    env->deps_.clusters[context.name] = {p.clients.back().get(), p.hubs.back().get()};
  }
  p.http = http::make_curl_client(http::ClientOptions{});
  p.reporter =
      report::make_reporter(ctx.global.output == "json" ? report::Format::json : report::Format::text,
                            *ctx.out, false, util::system_clock());
  env->deps_.http = p.http.get();
  env->deps_.out = p.reporter.get();
  env->deps_.interrupt = &p.interrupt;
  env->deps_.identity = starter.identity();
  return env;
}

int run_drill_verb(Context& ctx, const std::string& path,
                   const std::function<drill::DrillOutcome(const plan::Drill&, drill::DrillDeps&)>& action) {
  plan::DrillParse parse = plan::load_drill(path);
  const bool json = ctx.global.output == "json";
  if (!parse.ok()) {
    drill::validate_drill_file(path, {ctx.global.kubeconfig, "", std::nullopt}, json, *ctx.out, *ctx.err);
    return k_exit_usage;
  }
  auto env = DrillEnv::create(ctx, *parse.drill);
  if (!env) return k_exit_preflight;
  drill::DrillOutcome outcome = action(*parse.drill, env->deps());
  env->deps().out->emit(report::Event{report::EventType::finished,
                                      parse.drill->name,
                                      0,
                                      0,
                                      "",
                                      outcome.message,
                                      {{"outcome", outcome.exit_code == k_exit_ok ? "done" : "failed"},
                                       {"exitCode", outcome.exit_code},
                                       {"meaning", exit_code_meaning(outcome.exit_code)}}});
  return outcome.exit_code;
}

}  // namespace sluice::cli
