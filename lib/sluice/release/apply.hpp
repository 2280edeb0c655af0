// `sluice apply RELEASE` as a library function: preflight every target and
// the image (once) before the first write anywhere; take the release's lock
// and record; run the waves; on a failure beyond a wave's budget stop, abort
// the targets in flight and, per onFailure, roll back the targets done (exit
// 3) or hold them (exit 4). A killed apply resumes from the record.
#pragma once

#include <sluice/engine/step_result.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/plan/release_model.hpp>
#include <sluice/release/target_env.hpp>

namespace sluice::registry {
class Registry;
}

namespace sluice::release {

struct ApplyOptions {
  kube::LoadOptions kubeconfig;          // the file(s); each target sets its context
  util::Duration lease_duration{15000};  // the release's lock and each target's
};

// `registry` resolves the image's tag once; nullptr: the image must be a digest.
engine::Outcome apply_release(const plan::Release& release, const SharedDeps& shared,
                              registry::Registry* registry, const ApplyOptions& options);

}  // namespace sluice::release
