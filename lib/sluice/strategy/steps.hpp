// The named steps a rollout runs, per strategy, and the resume rule that says
// what to do when a rollout record is already in the cluster. Pure: the
// drivers in engine/ walk these lists; canary adds its own step kinds here.
#pragma once

#include <sluice/plan/model.hpp>
#include <sluice/state/phase.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace sluice::strategy {

enum class StepKind {
  roll_out,               // rolling: set image digest + surge/unavailable, watch until rolled out (checks
                          // alongside); one step, redone whole on resume (the template write is idempotent)
  create_preview,         // blue-green: create/adopt the new Deployment beside the live one
  point_preview_service,  // blue-green: the preview Service selects the new pods
  wait_preview_ready,     // blue-green: watch until the new Deployment is fully available
  run_checks,             // run named checks to a verdict
  await_promotion,        // stop here (exit 4) until `sluice promote`
  switch_service,         // blue-green: the live Service selects the new pods, one write
  scale_down_old,         // blue-green: after scaleDownDelay, scale the old version to 0
  create_canary,          // canary: create/adopt the canary Deployment beside the stable one, 0 pods
  set_weight,             // canary: move traffic (replicas or HTTPRoute weights) to the step's weight
  timed_pause,            // canary: wait the pause's duration, checks measured alongside
  set_canary_scale,       // canary: resize the canary at the current weight
  promote_canary,         // canary: stable takes the new version, the canary is retired
  finish,                 // mark the rollout healthy, append to history
};

const char* to_string(StepKind kind);  // "RollOut", ...

struct StepSpec {
  StepKind kind = StepKind::finish;
  std::string name;                 // display name: "RollOut", "RunChecks(pre-promotion)"
  std::vector<std::string> checks;  // for run_checks / roll_out
  std::size_t plan_step = 0;        // canary: index into strategy.canary.steps
};

// The steps recorded in the rollout state for a plan, in order. Preflight and
// taking the lock come before them and write nothing, so they are not listed.
std::vector<StepSpec> steps_for(const plan::Plan& plan);

using state::RecordPhase;

// What a rollout record says about where a previous run got to.
struct PreviousRun {
  RecordPhase phase = RecordPhase::healthy;
  std::string plan_hash;
  std::size_t step_index = 0;
};

enum class ResumeAction {
  start_new,          // nothing running: begin a new rollout at step 0
  resume,             // same plan: continue at `step_index` (the step recorded as started is redone)
  continue_rollback,  // killed while rolling back: finish the rollback
  refuse,             // a different plan is mid-rollout; the user must abort it first
  abort_previous,     // a different plan is mid-rollout and the user asked to abort it first
};

struct ResumeDecision {
  ResumeAction action = ResumeAction::start_new;
  std::size_t step_index = 0;
  std::string reason;
};

// `plan_hash` is the hash of the plan being applied; `abort_previous` is the
// user's --abort-previous flag.
ResumeDecision decide_resume(const std::optional<PreviousRun>& previous, const std::string& plan_hash,
                             bool abort_previous);

}  // namespace sluice::strategy
