// Before the first write anywhere: every target's clients, the image resolved
// once to a digest (platforms checked once), and every target preflighted
// with its plan pinned to that digest. Internal to lib/sluice/release.
#pragma once

#include <sluice/plan/release_model.hpp>
#include <sluice/release/target_env.hpp>

#include <memory>
#include <string>
#include <vector>

namespace sluice::registry {
class Registry;
}

namespace sluice::release {

// One target of the release, ready to run.
struct Slot {
  std::size_t wave = 0;
  std::string name;  // context/namespace/deployment, as events name it
  const plan::ReleaseTarget* target = nullptr;
  plan::Plan plan;  // the image pinned to the release's digest
  std::unique_ptr<TargetEnv> env;
  bool already_serving = false;  // preflight found the digest serving already
};

struct Prepared {
  std::vector<Slot> slots;  // in wave order
  std::vector<std::string> problems;
};

// "context/namespace/deployment".
std::string target_name(const plan::ReleaseTarget& target);

// The release's image as a digest reference: `registry` resolves the tag
// once (nullptr: the image must already be a digest). Errors name the image.
util::Result<std::string> resolve_release_image(const plan::Release& release, registry::Registry* registry,
                                                const util::CancelToken* cancel);

// Builds every target's clients and preflights it with `digest`; problems
// are one line each, naming the target. Reads only.
Prepared prepare_targets(const plan::Release& release, const std::string& digest,
                         const kube::LoadOptions& kubeconfig, const SharedDeps& shared);

}  // namespace sluice::release
