// `sluice abort RELEASE` as a library function (docs/releases.md): aborts
// each target the release record shows in progress, as `sluice abort` does
// for a plan. While an apply of the release runs, each abort is recorded in
// that target's rollout record; the running apply rolls the target back,
// counts it as failed and makes the group decision (onFailure).
#pragma once

#include <sluice/engine/step_result.hpp>
#include <sluice/plan/release_model.hpp>
#include <sluice/release/apply.hpp>

namespace sluice::release {

// 0 every target in progress serves its stable version again (or had
// finished before the abort reached it); 2 nothing in progress (never
// applied, finished, or between waves); 7 a target's rollback did not finish.
engine::Outcome abort_release(const plan::Release& release, const SharedDeps& shared,
                              const ApplyOptions& options);

}  // namespace sluice::release
