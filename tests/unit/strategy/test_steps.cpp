#include <sluice/strategy/steps.hpp>

#include <catch2/catch.hpp>

using namespace sluice::strategy;
namespace plan = sluice::plan;

namespace {
std::vector<std::string> names(const std::vector<StepSpec>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps) out.push_back(s.name);
  return out;
}
}  // namespace

TEST_CASE("a rolling plan rolls out in one step with its checks, then finishes") {
  plan::Plan p;
  p.strategy = plan::RollingStrategy{{25, true}, {0, false}, {"errors"}};
  auto steps = steps_for(p);
  CHECK(names(steps) == std::vector<std::string>{"RollOut", "Finish"});
  CHECK(steps[0].checks == std::vector<std::string>{"errors"});
}

TEST_CASE("a blue-green plan lists checks and the promotion pause only when asked for") {
  plan::BlueGreenStrategy bg;
  SECTION("automatic promotion without checks") {
    plan::Plan p;
    p.strategy = bg;
    CHECK(names(steps_for(p)) == std::vector<std::string>{"CreatePreview", "PointPreviewService",
                                                          "WaitPreviewReady", "SwitchService", "ScaleDownOld",
                                                          "Finish"});
  }
  SECTION("manual promotion with pre- and post-promotion checks") {
    bg.auto_promote = false;
    bg.pre_promotion_checks = {"smoke"};
    bg.post_promotion_checks = {"errors", "latency"};
    plan::Plan p;
    p.strategy = bg;
    auto steps = steps_for(p);
    CHECK(names(steps) == std::vector<std::string>{"CreatePreview", "PointPreviewService", "WaitPreviewReady",
                                                   "RunChecks(pre-promotion)", "AwaitPromotion",
                                                   "SwitchService", "RunChecks(post-promotion)",
                                                   "ScaleDownOld", "Finish"});
    CHECK(steps[3].checks == std::vector<std::string>{"smoke"});
    CHECK(steps[6].checks == std::vector<std::string>{"errors", "latency"});
  }
}

TEST_CASE("a canary plan maps each of its steps to one named step, between create and promote") {
  plan::CanaryStrategy c;
  c.steps = {{plan::SetWeightStep{10}, {}},
             {plan::PauseStep{plan::Duration{90000}}, {}},
             {plan::AnalysisStep{{"errors", "latency"}}, {}},
             {plan::SetCanaryScaleStep{3, std::nullopt, false}, {}},
             {plan::PauseStep{std::nullopt}, {}},
             {plan::PauseStep{plan::Duration{1500}}, {}},
             {plan::SetWeightStep{100}, {}}};
  plan::Plan p;
  p.strategy = c;
  auto steps = steps_for(p);
  CHECK(names(steps) == std::vector<std::string>{"CreateCanary", "SetWeight(10)", "Pause(90s)",
                                                 "Analysis(errors,latency)", "SetCanaryScale", "Pause",
                                                 "Pause(1500ms)", "SetWeight(100)", "PromoteCanary",
                                                 "Finish"});
  // analysis is a checks step and a manual pause awaits promotion: promote treats them as for blue-green
  CHECK(steps[3].kind == StepKind::run_checks);
  CHECK(steps[3].checks == std::vector<std::string>{"errors", "latency"});
  CHECK(steps[5].kind == StepKind::await_promotion);
  CHECK(steps[2].kind == StepKind::timed_pause);
  CHECK(steps[4].kind == StepKind::set_canary_scale);
  // each names the plan step it runs, for the canary arithmetic
  for (std::size_t i = 1; i + 2 < steps.size(); ++i) CHECK(steps[i].plan_step == i - 1);
}

TEST_CASE("record phases round-trip through their names") {
  for (auto phase :
       {RecordPhase::progressing, RecordPhase::paused, RecordPhase::rolling_back, RecordPhase::healthy,
        RecordPhase::degraded, RecordPhase::aborted, RecordPhase::rolled_back})
    CHECK(sluice::state::parse_record_phase(sluice::state::to_string(phase)) == phase);
  CHECK_FALSE(sluice::state::parse_record_phase("Running").has_value());
}

TEST_CASE("resume decisions follow the recorded phase and plan hash") {
  struct Row {
    std::optional<PreviousRun> previous;
    bool abort_previous;
    ResumeAction action;
    std::size_t step;
  };
  auto row = GENERATE(values<Row>({
      {std::nullopt, false, ResumeAction::start_new, 0},
      {PreviousRun{RecordPhase::healthy, "other", 5}, false, ResumeAction::start_new, 0},
      {PreviousRun{RecordPhase::rolled_back, "h1", 2}, false, ResumeAction::start_new, 0},
      {PreviousRun{RecordPhase::progressing, "h1", 2}, false, ResumeAction::resume, 2},
      {PreviousRun{RecordPhase::paused, "h1", 4}, false, ResumeAction::resume, 4},
      {PreviousRun{RecordPhase::progressing, "other", 2}, false, ResumeAction::refuse, 2},
      {PreviousRun{RecordPhase::paused, "other", 4}, true, ResumeAction::abort_previous, 4},
      {PreviousRun{RecordPhase::rolling_back, "other", 3}, false, ResumeAction::continue_rollback, 3},
  }));
  auto d = decide_resume(row.previous, "h1", row.abort_previous);
  CHECK(d.action == row.action);
  CHECK(d.step_index == row.step);
}

TEST_CASE("refusing a different plan says how to get past it") {
  auto d = decide_resume(PreviousRun{RecordPhase::progressing, "other", 1}, "h1", false);
  CHECK(d.reason ==
        "an unfinished rollout of a different plan is recorded; run `sluice abort` or apply with "
        "--abort-previous");
}
