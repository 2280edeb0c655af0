#include <sluice/strategy/steps.hpp>
#include <sluice/util/strings.hpp>

#include <array>
#include <utility>

namespace sluice::strategy {

const char* to_string(StepKind kind) {
  switch (kind) {
    case StepKind::roll_out: return "RollOut";
    case StepKind::create_preview: return "CreatePreview";
    case StepKind::point_preview_service: return "PointPreviewService";
    case StepKind::wait_preview_ready: return "WaitPreviewReady";
    case StepKind::run_checks: return "RunChecks";
    case StepKind::await_promotion: return "AwaitPromotion";
    case StepKind::switch_service: return "SwitchService";
    case StepKind::scale_down_old: return "ScaleDownOld";
    case StepKind::create_canary: return "CreateCanary";
    case StepKind::set_weight: return "SetWeight";
    case StepKind::timed_pause: return "Pause";
    case StepKind::set_canary_scale: return "SetCanaryScale";
    case StepKind::promote_canary: return "PromoteCanary";
    case StepKind::finish: return "Finish";
  }
  return "Unknown";
}

namespace {

StepSpec step(StepKind kind) {
  return StepSpec{kind, to_string(kind), {}, 0};
}

StepSpec checks_step(const std::string& label, const std::vector<std::string>& checks) {
  return StepSpec{StepKind::run_checks, std::string("RunChecks(") + label + ")", checks, 0};
}

// One step, not "update the template" then "wait": the record is written
// once before it (saying what served before), and a run killed anywhere in
// it redoes the idempotent template write and waits again.
std::vector<StepSpec> rolling_steps(const plan::RollingStrategy& s) {
  StepSpec roll_out = step(StepKind::roll_out);
  roll_out.checks = s.checks;
  return {roll_out, step(StepKind::finish)};
}

std::vector<StepSpec> bluegreen_steps(const plan::BlueGreenStrategy& s) {
  std::vector<StepSpec> steps{step(StepKind::create_preview), step(StepKind::point_preview_service),
                              step(StepKind::wait_preview_ready)};
  if (!s.pre_promotion_checks.empty()) steps.push_back(checks_step("pre-promotion", s.pre_promotion_checks));
  if (!s.auto_promote) steps.push_back(step(StepKind::await_promotion));
  steps.push_back(step(StepKind::switch_service));
  if (!s.post_promotion_checks.empty())
    steps.push_back(checks_step("post-promotion", s.post_promotion_checks));
  steps.push_back(step(StepKind::scale_down_old));
  steps.push_back(step(StepKind::finish));
  return steps;
}

std::string seconds_text(plan::Duration d) {
  auto ms = d.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

StepSpec canary_step(const plan::Step& s, std::size_t index) {
  StepSpec out;
  out.plan_step = index;
  if (const auto* w = std::get_if<plan::SetWeightStep>(&s.action)) {
    out.kind = StepKind::set_weight;
    out.name = "SetWeight(" + std::to_string(w->percent) + ")";
  } else if (const auto* p = std::get_if<plan::PauseStep>(&s.action)) {
    out.kind = p->duration ? StepKind::timed_pause : StepKind::await_promotion;
    out.name = p->duration ? "Pause(" + seconds_text(*p->duration) + ")" : "Pause";
  } else if (const auto* a = std::get_if<plan::AnalysisStep>(&s.action)) {
    out.kind = StepKind::run_checks;
    out.name = "Analysis(" + util::join(a->checks, ",") + ")";
    out.checks = a->checks;
  } else {
    out.kind = StepKind::set_canary_scale;
    out.name = to_string(StepKind::set_canary_scale);
  }
  return out;
}

std::vector<StepSpec> canary_steps(const plan::CanaryStrategy& c) {
  std::vector<StepSpec> steps{step(StepKind::create_canary)};
  for (std::size_t i = 0; i < c.steps.size(); ++i) steps.push_back(canary_step(c.steps[i], i));
  steps.push_back(step(StepKind::promote_canary));
  steps.push_back(step(StepKind::finish));
  return steps;
}

}  // namespace

std::vector<StepSpec> steps_for(const plan::Plan& plan) {
  if (const auto* r = std::get_if<plan::RollingStrategy>(&plan.strategy)) return rolling_steps(*r);
  if (const auto* b = std::get_if<plan::BlueGreenStrategy>(&plan.strategy)) return bluegreen_steps(*b);
  return canary_steps(std::get<plan::CanaryStrategy>(plan.strategy));
}

ResumeDecision decide_resume(const std::optional<PreviousRun>& previous, const std::string& plan_hash,
                             bool abort_previous) {
  if (!previous || is_terminal(previous->phase))
    return {ResumeAction::start_new, 0, "no rollout in progress"};
  if (previous->phase == RecordPhase::rolling_back) {
    return {ResumeAction::continue_rollback, previous->step_index,
            "a previous run was rolling back when it stopped; finishing the rollback first"};
  }
  if (previous->plan_hash == plan_hash)
    return {ResumeAction::resume, previous->step_index, "resuming the rollout of the same plan"};
  if (abort_previous) {
    return {ResumeAction::abort_previous, previous->step_index,
            "aborting the unfinished rollout of a different plan first (--abort-previous)"};
  }
  return {ResumeAction::refuse, previous->step_index,
          "an unfinished rollout of a different plan is recorded; run `sluice abort` or apply with "
          "--abort-previous"};
}

}  // namespace sluice::strategy
