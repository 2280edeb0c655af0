#include <sluice/gate/pod_health.hpp>

#include <catch2/catch.hpp>

using namespace sluice;
using gate::Phase;
using nlohmann::json;

namespace {

json pod(const std::string& name, json container_status) {
  return json{{"metadata", {{"name", name}, {"namespace", "default"}}},
              {"status", {{"phase", "Running"}, {"containerStatuses", json::array({container_status})}}}};
}

json running(int restarts = 0) {
  return json{
      {"name", "app"}, {"ready", true}, {"restartCount", restarts}, {"state", {{"running", json::object()}}}};
}

json waiting(const std::string& reason) {
  return json{{"name", "app"},
              {"ready", false},
              {"restartCount", 0},
              {"state", {{"waiting", {{"reason", reason}, {"message", "back-off"}}}}}};
}

}  // namespace

TEST_CASE("pod health fails on failure signals and passes otherwise") {
  util::WallTime at{};
  SECTION("healthy pods") {
    auto m = gate::judge_pods({pod("web-1", running()), pod("web-2", running(1))}, at);
    CHECK(m.phase == Phase::successful);
    CHECK(m.value == 0);
    CHECK(m.message == "2 pod(s) show no failure signal");
  }
  SECTION("no pods yet") {
    CHECK(gate::judge_pods({}, at).message == "no pods yet");
  }
  SECTION("a crash-looping pod") {
    auto m = gate::judge_pods({pod("web-1", running()), pod("web-2", waiting("CrashLoopBackOff"))}, at);
    CHECK(m.phase == Phase::failed);
    CHECK(m.value == 1);
    CHECK(m.message.rfind("1 of 2 pod(s) failing: ", 0) == 0);
    CHECK(m.message.find("CrashLoopBackOff") != std::string::npos);
  }
  SECTION("too many restarts") {
    CHECK(gate::judge_pods({pod("web-1", running(4))}, at).phase == Phase::failed);
    CHECK(gate::judge_pods({pod("web-1", running(4))}, at, 10).phase == Phase::successful);
  }
}

TEST_CASE("pod health that cannot list pods is an Error") {
  util::ManualClock clock;
  auto provider = gate::make_pod_health_provider(
      [](const gate::CheckContext&) -> util::Result<std::vector<json>> {
        return util::make_error(util::ErrorKind::unavailable, "connection refused");
      },
      clock);
  auto m = provider->measure({}, nullptr);
  CHECK(m.phase == Phase::error);
  CHECK(m.message == "listing pods: connection refused");
}
