#include <sluice/engine/step_result.hpp>

#include <catch2/catch.hpp>

using namespace sluice::engine;
using sluice::gate::Verdict;

TEST_CASE("one reading of a checks verdict for every step") {
  struct Row {
    Verdict verdict;
    StepStatus status;
    PauseReason pause;
    std::string message;
  };
  const Row rows[] = {
      {Verdict::successful, StepStatus::next, PauseReason::step, "2 of 2 passed"},
      {Verdict::failed, StepStatus::rollback, PauseReason::step, "2 of 2 passed"},
      {Verdict::error, StepStatus::rollback, PauseReason::step, "2 of 2 passed"},
      {Verdict::inconclusive, StepStatus::paused, PauseReason::inconclusive, "2 of 2 passed; promote it"},
      {Verdict::running, StepStatus::interrupted, PauseReason::step, "interrupted during checks"},
  };
  for (const auto& row : rows) {
    INFO(sluice::gate::to_string(row.verdict));
    auto r = after_verdict(row.verdict, "2 of 2 passed", "promote it");
    CHECK(r.status == row.status);
    CHECK(r.pause == row.pause);
    CHECK(r.message == row.message);
  }
}
