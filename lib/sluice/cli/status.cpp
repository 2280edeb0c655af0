// `sluice status NAME [--watch]`: the rollout as the cluster records it.
// Exit 0 healthy (or progressing), 4 paused, 3 degraded, aborted or rolled back.
#include <sluice/cli/app.hpp>
#include <sluice/cli/engine_env.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/state/record_store.hpp>

#include <CLI/CLI.hpp>

namespace sluice::cli {

namespace {

bool settled(const engine::StatusView& view) {
  if (!view.record || view.abandoned) return true;
  auto phase = view.record->phase;
  return phase != state::RecordPhase::progressing && phase != state::RecordPhase::rolling_back;
}

int show_status(Context& ctx, EngineEnv& env, const std::string& name, bool watch) {
  std::string ns = env.ns(ctx);
  bool json = ctx.global.output == "json";
  for (;;) {
    auto view = engine::read_status(*env.deps().kube, ns, name, env.deps().clock->wall_now());
    if (!view) {
      *ctx.err << "sluice status: " << view.error().message << "\n";
      return view.error().kind == util::ErrorKind::not_found ? k_exit_usage : k_exit_preflight;
    }
    engine::print_status(*view, *ctx.out, json);
    if (!watch || settled(*view)) return view->exit_code;
    // Next change of the record, by watch.
    std::string rv;
    auto cm_name = state::RecordStore::object_name(name);
    auto first = env.deps().kube->get(kube::k_configmaps, ns, cm_name);
    if (first) rv = first->value("/metadata/resourceVersion"_json_pointer, std::string());
    auto changed = env.deps().hub->wait_until(
        kube::k_configmaps, ns, cm_name,
        [&rv](const nlohmann::json& cm) {
          return cm.value("/metadata/resourceVersion"_json_pointer, rv) != rv;
        },
        env.deps().clock->now() + std::chrono::hours(24), &env.deps().interrupt->token());
    if (!changed) return env.deps().interrupt->fired() ? k_exit_interrupted : k_exit_preflight;
  }
}

}  // namespace

void add_status(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand("status", "Show a rollout's state from the cluster");
  static std::string name;  // lives as long as the parsed command line
  static bool watch = false;
  sub->add_option("NAME", name, "Rollout (plan) name")->required();
  sub->add_flag("-w,--watch", watch, "Follow the rollout until it settles (healthy, paused or rolled back)");
  sub->callback([&ctx] {
    auto env = EngineEnv::create(ctx);
    ctx.exit_code = env ? show_status(ctx, *env, name, watch) : k_exit_preflight;
  });
}

}  // namespace sluice::cli
