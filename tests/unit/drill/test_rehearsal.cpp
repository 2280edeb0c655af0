// The drill's verdict and report: exit codes against objectives, the JSON
// report and the human summary.
#include <sluice/drill/rehearsal.hpp>
#include <sluice/util/exit_code.hpp>

#include <catch2/catch.hpp>

using namespace sluice::drill;
using sluice::util::Duration;

namespace {

DrillReport finished(std::optional<Duration> rto, std::optional<Duration> failback) {
  DrillReport report;
  report.drill = "web-dr";
  report.from = "eu";
  report.failed_over = true;
  report.restored = true;
  report.rto = rto;
  report.failback = failback;
  report.timeline = {{"FailoverStarted", "2026-12-07T22:00:00Z", Duration(0)},
                     {"RecoveryGatesGreen", "2026-12-07T22:00:02Z", Duration(2500)}};
  return report;
}

}  // namespace

TEST_CASE("a drill exits 0 only when restored within its objectives", "[drill]") {
  sluice::plan::Objectives objectives{Duration(300'000), Duration(600'000)};
  CHECK(drill_exit_code(finished(Duration(2500), Duration(4000)), objectives) == sluice::k_exit_ok);
  CHECK(drill_exit_code(finished(Duration(400'000), Duration(4000)), objectives) ==
        sluice::k_exit_objective_missed);
  CHECK(drill_exit_code(finished(Duration(2500), Duration(700'000)), objectives) ==
        sluice::k_exit_objective_missed);
  CHECK(drill_exit_code(finished(std::nullopt, Duration(4000)), objectives) ==
        sluice::k_exit_objective_missed);
  CHECK(drill_exit_code(finished(Duration(2500), Duration(4000)), {}) == sluice::k_exit_ok);
  DrillReport stopped = finished(std::nullopt, Duration(4000));
  stopped.failed_over = false;
  CHECK(drill_exit_code(stopped, {}) == sluice::k_exit_objective_missed);
  DrillReport stuck = finished(Duration(2500), std::nullopt);
  stuck.restored = false;
  CHECK(drill_exit_code(stuck, objectives) == sluice::k_exit_needs_human);
}

TEST_CASE("a drill report carries the timeline, RTO and objectives", "[drill]") {
  sluice::plan::Objectives objectives{Duration(1), std::nullopt};
  DrillReport report = finished(Duration(2500), Duration(4000));
  report.exit_code = drill_exit_code(report, objectives);
  report.message = "an objective was missed";
  auto json = to_json(report, objectives);
  CHECK(json["rtoMs"] == 2500);
  CHECK(json["failbackMs"] == 4000);
  CHECK(json["objectives"]["rtoMs"] == 1);
  CHECK(json["objectives"]["failbackMs"].is_null());
  CHECK(json["rtoMet"] == false);
  CHECK(json["failbackMet"] == true);
  CHECK(json["timeline"][1] == nlohmann::ordered_json{{"event", "RecoveryGatesGreen"},
                                                      {"at", "2026-12-07T22:00:02Z"},
                                                      {"offsetMs", 2500}});
  CHECK(json["exitCode"] == sluice::k_exit_objective_missed);
  CHECK(summary(report, objectives) ==
        "drill web-dr (failover from eu)\n"
        "  2026-12-07T22:00:00Z  +0s  FailoverStarted\n"
        "  2026-12-07T22:00:02Z  +2s500ms  RecoveryGatesGreen\n"
        "RTO: 2s500ms (objective 1ms)\n"
        "failback: 4s (objective -)\n"
        "restored: an objective was missed\n");
}
