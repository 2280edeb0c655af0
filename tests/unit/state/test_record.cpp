#include <sluice/state/record.hpp>

#include <catch2/catch.hpp>

using namespace sluice::state;
using sluice::state::RecordPhase;

namespace {
Record sample() {
  Record r;
  r.name = "web";
  r.ns = "prod";
  r.strategy = sluice::plan::StrategyKind::blue_green;
  r.rollout_id = 7;
  r.plan_hash = "abc";
  r.plan_text = "apiVersion: x\n";
  r.image = "registry/web:2";
  r.digest = "registry/web@sha256:00";
  r.phase = RecordPhase::paused;
  r.step_index = 3;
  r.steps = {{"CreatePreview", StepState::done, "t1", "t2", "web-1 with 3 replicas"},
             {"AwaitPromotion", StepState::running, "t3", "", ""}};
  r.previous = {"web",
                "registry/web:1",
                "4",
                "h1",
                Json{{"spec", {{"containers", Json::array()}}}},
                Json{{"app", "web"}}};
  r.next.deployment = "web-1";
  r.measurements = {{"errors", "RunChecks(pre-promotion)", "Successful", "0.01", "ok", "t4"}};
  r.started_by = {"ci-7", 4242, "builder", "99", "5eed1e55"};
  r.promote_requested = true;
  r.abort_requested = true;
  r.switched_at = "t5";
  r.total_replicas = 10;
  r.traffic = Traffic{10, 10.0, 1, 9};
  return r;
}
}  // namespace

TEST_CASE("a rollout record survives a JSON round trip unchanged") {
  Record r = sample();
  auto back = record_from_json(to_json(r));
  REQUIRE(back.ok());
  CHECK(to_json(*back) == to_json(r));
  CHECK(back->phase == RecordPhase::paused);
  CHECK(back->steps[1].state == StepState::running);
  CHECK(back->started_by.identity() == "ci-7/pid 4242 (ci job 99) #5eed1e55");
  CHECK(back->total_replicas == 10);
  CHECK(back->traffic == Traffic{10, 10.0, 1, 9});
  CHECK(back->strategy == sluice::plan::StrategyKind::blue_green);
  CHECK(to_json(r)["strategy"] == "blueGreen");
}

TEST_CASE("a record with an unknown phase or a newer format is refused") {
  Json j = to_json(sample());
  SECTION("unknown strategy") {
    j["strategy"] = "yolo";
    auto r = record_from_json(j);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "rollout record has unknown strategy 'yolo'");
  }
  SECTION("unknown phase") {
    j["phase"] = "Exploded";
    auto r = record_from_json(j);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "rollout record has unknown phase 'Exploded'");
  }
  SECTION("newer format") {
    j["format"] = 2;
    auto r = record_from_json(j);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "rollout record format 2 is newer than this sluice understands");
  }
}

TEST_CASE("history keeps only the newest entries") {
  std::vector<HistoryEntry> history;
  for (int i = 1; i <= 12; ++i) {
    Record r = sample();
    r.rollout_id = i;
    append_history(history, history_entry(r), 10);
  }
  REQUIRE(history.size() == 10);
  CHECK(history.front().rollout_id == 3);
  CHECK(history.back().rollout_id == 12);
  auto back = history_entry_from_json(to_json(history.back()));
  REQUIRE(back.ok());
  CHECK(to_json(*back) == to_json(history.back()));
}

TEST_CASE("a healthy rollout's history entry remembers the version it left serving") {
  Record r = sample();
  r.phase = RecordPhase::healthy;
  CHECK(history_entry(r).version.deployment == "web-1");
  r.phase = RecordPhase::rolled_back;
  CHECK(history_entry(r).version.deployment == "web");
}

TEST_CASE("measurements are bounded so the record stays small") {
  Record r;
  for (std::size_t i = 0; i < k_max_measurements + 5; ++i)
    add_measurement(r, Measurement{"c", "s", "Successful", std::to_string(i), "", ""});
  REQUIRE(r.measurements.size() == k_max_measurements);
  CHECK(r.measurements.front().value == "5");
}

TEST_CASE("a record never stores an inline secret of its plan, even one read from an older record") {
  sluice::state::Record r;
  r.name = "web";
  r.plan_text =
      "checks:\n  smoke:\n    http:\n      url: http://u:planted-pw@probe/?api_key=planted-key\n"
      "      headers: {Authorization: Bearer planted-token, X-Token: {valueFrom: {env: TOKEN}}}\n";
  std::string stored = sluice::state::to_json(r)["planText"].get<std::string>();
  CHECK(stored ==
        "checks:\n  smoke:\n    http:\n      url: \"http://u:<redacted>@probe/?api_key=<redacted>\"\n"
        "      headers: {Authorization: \"<redacted>\", X-Token: {valueFrom: {env: TOKEN}}}\n");
  CHECK(sluice::state::recordable_plan_text(r.plan_text) == stored);
}

TEST_CASE("this process's identity ends with a random nonce drawn once") {
  Starter me = current_starter();
  CHECK(me.nonce.size() == 8);
  CHECK(me.nonce.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(current_starter().identity() == me.identity());
  CHECK(me.identity().size() > me.nonce.size() + 2);
  CHECK(me.identity().substr(me.identity().size() - me.nonce.size() - 2) == " #" + me.nonce);
}
