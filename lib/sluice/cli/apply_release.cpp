// `sluice apply RELEASE`: load and check the release (as validate does), build
// the shared clients (registry, HTTP, reporter, signals) and hand it to
// release::apply_release, which builds each target's own. `sluice abort
// RELEASE` the same way, handing it to release::abort_release.
#include <sluice/cli/engine_env.hpp>
#include <sluice/cli/release_verbs.hpp>
#include <sluice/gate/secrets.hpp>
#include <sluice/plan/release_parser.hpp>
#include <sluice/release/abort.hpp>
#include <sluice/release/apply.hpp>
#include <sluice/release/validate.hpp>

#include <functional>
#include <sstream>

namespace sluice::cli {

namespace {

using ReleaseVerb = std::function<engine::Outcome(const plan::Release&, const release::SharedDeps&,
                                                  registry::Registry*, const release::ApplyOptions&)>;

// Checks the release as validate does, builds the shared clients and runs `verb`.
int run_release_verb(Context& ctx, const ReleaseApplyArgs& args, const ReleaseVerb& verb) {
  kube::LoadOptions kubeconfig;
  kubeconfig.explicit_path = ctx.global.kubeconfig;
  std::ostringstream quiet;
  if (!release::validate_release(args.path, kubeconfig, ctx.global.output == "json", quiet, *ctx.err)) {
    if (ctx.global.output == "json") *ctx.out << quiet.str();
    return k_exit_usage;
  }
  auto parsed = plan::load_release(args.path);
  if (!parsed.ok()) return k_exit_usage;  // validated just above; the file changed since
  const plan::Release& rel = *parsed.release;
  auto env = EngineEnv::create(ctx, rel.record.context);
  if (!env) return k_exit_preflight;
  if (!args.timeout.empty()) env->stop_after(timeout_of(args.timeout), args.timeout);
  engine::Deps& deps = env->deps();
  gate::KubeSecretsScope secrets(*deps.kube);  // the release's checks read secretKeyRef values through it
  release::SharedReporter out(*deps.out);
  release::SharedDeps shared{deps.clock, &out, deps.interrupt, deps.starter, deps.http};
  release::ApplyOptions options;
  options.kubeconfig = kubeconfig;
  options.lease_duration = std::chrono::seconds(args.lease_seconds);
  auto outcome = verb(rel, shared, deps.registry, options);
  return env->finish(rel.name, outcome);
}

}  // namespace

int run_apply_release(Context& ctx, const ReleaseApplyArgs& args) {
  return run_release_verb(ctx, args, release::apply_release);
}

int run_abort_release(Context& ctx, const ReleaseApplyArgs& args) {
  return run_release_verb(
      ctx, args,
      [](const plan::Release& rel, const release::SharedDeps& shared, registry::Registry*,
         const release::ApplyOptions& options) { return release::abort_release(rel, shared, options); });
}

}  // namespace sluice::cli
