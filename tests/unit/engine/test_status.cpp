#include <sluice/engine/commands.hpp>
#include <sluice/util/exit_code.hpp>
#include <sluice/util/rfc3339.hpp>

#include <catch2/catch.hpp>

using namespace sluice;
using state::RecordPhase;

TEST_CASE("status exits with the code the rollout's run ends with") {
  struct Row {
    RecordPhase phase;
    state::PauseReason pause_reason;
    bool abandoned;
    int code;
  };
  const Row rows[] = {
      {RecordPhase::healthy, state::PauseReason::none, false, k_exit_ok},
      {RecordPhase::progressing, state::PauseReason::none, false, k_exit_ok},
      {RecordPhase::progressing, state::PauseReason::none, true, k_exit_interrupted},
      {RecordPhase::rolling_back, state::PauseReason::none, true, k_exit_interrupted},
      {RecordPhase::paused, state::PauseReason::step, false, k_exit_paused},
      {RecordPhase::paused, state::PauseReason::inconclusive, false, k_exit_paused},
      {RecordPhase::paused, state::PauseReason::failed, false, k_exit_held},
      {RecordPhase::rolled_back, state::PauseReason::none, false, k_exit_rolled_back},
      {RecordPhase::aborted, state::PauseReason::none, false, k_exit_rolled_back},
      {RecordPhase::degraded, state::PauseReason::none, false, k_exit_needs_human},
  };
  for (const auto& row : rows) {
    state::Record r;
    r.phase = row.phase;
    r.pause_reason = row.pause_reason;
    INFO(state::to_string(row.phase) << " " << state::to_string(row.pause_reason)
                                     << " abandoned=" << row.abandoned);
    CHECK(engine::status_exit_code(r, row.abandoned) == row.code);
  }
}

TEST_CASE("a lock whose last renewal is older than twice its lease has no live holder") {
  auto now = *util::parse_rfc3339("2026-12-07T10:00:00Z");
  nlohmann::json lease = {{"spec",
                           {{"holderIdentity", "ci/pid 1 #ab12"},
                            {"leaseDurationSeconds", 15},
                            {"renewTime", "2026-12-07T09:59:40.000000Z"}}}};
  CHECK(engine::live_lock_holder(lease, now) == "ci/pid 1 #ab12");  // 20 s: within 2 x 15 s of slack
  lease["spec"]["renewTime"] = "2026-12-07T09:59:20.000000Z";
  CHECK(engine::live_lock_holder(lease, now).empty());  // 40 s ago
  lease["spec"]["holderIdentity"] = "";
  CHECK(engine::live_lock_holder(lease, now).empty());  // released
}
