#include <sluice/release/prepare.hpp>

#include <sluice/engine/commands.hpp>
#include <sluice/engine/preflight.hpp>
#include <sluice/kube/client.hpp>
#include <sluice/registry/registry.hpp>

namespace sluice::release {

std::string target_name(const plan::ReleaseTarget& target) {
  return target.context + "/" + target.ns + "/" + target.plan.target.deployment;
}

util::Result<std::string> resolve_release_image(const plan::Release& release, registry::Registry* registry,
                                                const util::CancelToken* cancel) {
  if (registry == nullptr) {
    if (release.image.find("@sha256:") != std::string::npos) return release.image;
    return util::make_error(
        util::ErrorKind::invalid,
        "image " + release.image + ": no registry access configured to resolve the tag to a digest");
  }
  plan::Plan image_only;
  image_only.image = release.image;
  image_only.platforms = release.platforms;
  auto resolved = engine::resolve_plan_image(image_only, *registry, cancel);
  if (!resolved) return resolved.error();
  return resolved->pinned_ref;
}

namespace {

// The target's plan deploying exactly `digest`; its platforms were checked
// with the release's, once.
plan::Plan pinned(const plan::ReleaseTarget& target, const std::string& digest) {
  plan::Plan plan = target.plan;
  plan.image = digest;
  plan.platforms.clear();
  return plan;
}

// One request, not retried: a cluster that cannot be reached at all is
// reported at once rather than after the run's client has retried for a
// minute. Anything else (a missing namespace, RBAC) is preflight's to say.
std::optional<std::string> unreachable(const kube::Config& config, const std::string& ns) {
  kube::ClientOptions options;
  options.max_attempts = 1;
  auto client = kube::make_client(config, options);
  if (!client) return client.error().message;
  auto got = (*client)->get(kube::k_namespaces, "", ns);
  if (got) return std::nullopt;
  auto kind = got.error().kind;
  bool transport = kind == util::ErrorKind::unavailable || kind == util::ErrorKind::timeout ||
                   kind == util::ErrorKind::tls;
  if (!transport) return std::nullopt;
  return "cluster " + config.cluster.server + " (context " + config.context +
         ") cannot be reached: " + got.error().message;
}

void prepare_one(std::size_t wave, const plan::ReleaseTarget& target, const std::string& digest,
                 const kube::LoadOptions& kubeconfig, const SharedDeps& shared, Prepared& out) {
  Slot slot;
  slot.wave = wave;
  slot.name = target_name(target);
  slot.target = &target;
  slot.plan = pinned(target, digest);
  auto env = TargetEnv::create(kubeconfig, target.context, slot.name, shared);
  if (!env) {
    out.problems.push_back(slot.name + ": " + env.error().message);
    return;
  }
  slot.env = std::move(*env);
  if (auto why = unreachable(slot.env->config(), target.ns)) {
    out.problems.push_back(slot.name + ": " + *why);
    return;
  }
  auto pf = engine::preflight(slot.plan, slot.env->deps(), target.ns);
  for (const auto& problem : pf.problems) out.problems.push_back(slot.name + ": " + problem);
  slot.already_serving = pf.ok && engine::already_serving(pf.target);
  out.slots.push_back(std::move(slot));
}

}  // namespace

Prepared prepare_targets(const plan::Release& release, const std::string& digest,
                         const kube::LoadOptions& kubeconfig, const SharedDeps& shared) {
  Prepared out;
  // The release's own checks gate every wave: a Prometheus that cannot be
  // asked now would fail the release after wave 1 had changed clusters.
  for (const auto& problem :
       engine::probe_prometheus(release.checks, shared.http, "", &shared.interrupt->token()))
    out.problems.push_back("release " + problem);
  for (std::size_t w = 0; w < release.waves.size(); ++w) {
    for (const auto& target : release.waves[w].targets)
      prepare_one(w, target, digest, kubeconfig, shared, out);
  }
  return out;
}

}  // namespace sluice::release
