// `sluice status RELEASE` and `sluice history RELEASE`: the release file says
// where its record lives; the record says where each target stands.
#include <sluice/cli/engine_env.hpp>
#include <sluice/cli/release_verbs.hpp>
#include <sluice/plan/release_parser.hpp>
#include <sluice/release/status.hpp>

namespace sluice::cli {

namespace {

struct ReleaseReach {
  std::string name;
  std::string ns;
  std::unique_ptr<EngineEnv> env;
};

// The release's name and record place, and clients for its record's context;
// nullopt (with *exit set and the reason printed) when either fails.
std::optional<ReleaseReach> reach_release(Context& ctx, const std::string& verb, const std::string& path,
                                          int* exit) {
  auto parsed = plan::load_release(path);
  if (!parsed.ok()) {
    for (const auto& d : parsed.diagnostics) *ctx.err << "sluice " << verb << ": " << d.to_string() << "\n";
    *exit = k_exit_usage;
    return std::nullopt;
  }
  const plan::Release& rel = *parsed.release;
  auto env = EngineEnv::create(ctx, rel.record.context);
  if (!env) {
    *exit = k_exit_preflight;
    return std::nullopt;
  }
  return ReleaseReach{rel.name, rel.record.ns, std::move(env)};
}

int read_failed(Context& ctx, const std::string& verb, const util::Error& error) {
  *ctx.err << "sluice " << verb << ": " << error.message << "\n";
  return error.kind == util::ErrorKind::not_found ? k_exit_usage : k_exit_preflight;
}

}  // namespace

int run_status_release(Context& ctx, const std::string& path) {
  int exit = k_exit_ok;
  auto reach = reach_release(ctx, "status", path, &exit);
  if (!reach) return exit;
  engine::Deps& deps = reach->env->deps();
  auto status = release::read_release_status(*deps.kube, *deps.clock, reach->ns, reach->name);
  if (!status) return read_failed(ctx, "status", status.error());
  release::print_release_status(*status, *ctx.out, ctx.global.output == "json");
  return status->exit_code;
}

int run_history_release(Context& ctx, const std::string& path) {
  int exit = k_exit_ok;
  auto reach = reach_release(ctx, "history", path, &exit);
  if (!reach) return exit;
  auto record = release::read_release_record(*reach->env->deps().kube, reach->ns, reach->name);
  if (!record) return read_failed(ctx, "history", record.error());
  release::print_release_history(*record, *ctx.out, ctx.global.output == "json");
  return k_exit_ok;
}

}  // namespace sluice::cli
