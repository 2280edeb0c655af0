#include <sluice/telemetry/api_counts.hpp>
#include <sluice/telemetry/export.hpp>
#include <sluice/telemetry/rollout_metrics.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "support/temp_dir.hpp"

using namespace sluice;
using namespace sluice::telemetry;
using report::Event;
using report::EventType;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("a run's metrics are learnt from its events", "[telemetry]") {
  util::ManualClock clock;
  RolloutMetrics metrics(clock, "shop");
  clock.advance(util::Duration{2000});  // preflight and the lock
  metrics.observe(Event{EventType::rollout_started, "web", 0, 0, "", "", {{"strategy", "canary"}}});
  metrics.observe(Event{EventType::step_started, "web", 1, 2, "RollOut", "", {}});
  clock.advance(util::Duration{1500});
  metrics.observe(Event{EventType::step_finished, "web", 1, 2, "RollOut", "", {{"result", "done"}}});
  metrics.observe(Event{EventType::step_started, "web", 2, 2, "Analysis(errors)", "", {}});
  metrics.observe(Event{EventType::check_measured,
                        "web",
                        2,
                        2,
                        "Analysis(errors)",
                        "",
                        {{"check", "errors"}, {"verdict", "Successful"}}});
  metrics.observe(Event{EventType::check_measured,
                        "web",
                        2,
                        2,
                        "Analysis(errors)",
                        "",
                        {{"check", "errors"}, {"verdict", "Successful"}}});
  clock.advance(util::Duration{250});
  metrics.observe(Event{EventType::step_finished, "web", 2, 2, "Analysis(errors)", "", {{"result", "done"}}});
  metrics.observe(Event{EventType::finished, "web", 0, 0, "", "", {{"outcome", "Healthy"}, {"exitCode", 0}}});
  std::string text = metrics.render();
  auto has = [&](const std::string& line) {
    INFO(text);
    CHECK(text.find(line + "\n") != std::string::npos);
  };
  has("# TYPE sluice_rollout_duration_seconds gauge");
  has("sluice_rollout_duration_seconds{rollout=\"web\",namespace=\"shop\",strategy=\"canary\"} 1.750");
  has("# TYPE sluice_rollouts_total counter");
  has("sluice_rollouts_total{rollout=\"web\",namespace=\"shop\",strategy=\"canary\",outcome=\"Healthy\"} 1");
  has("sluice_rollout_exit_code{rollout=\"web\",namespace=\"shop\"} 0");
  has("sluice_step_duration_seconds{rollout=\"web\",namespace=\"shop\",step=\"RollOut\"} 1.500");
  has("sluice_analysis_duration_seconds{rollout=\"web\",namespace=\"shop\",step=\"Analysis(errors)\"} 0.250");
  has("sluice_check_measurements_total{rollout=\"web\",namespace=\"shop\",check=\"errors\",verdict="
      "\"Successful\"} 2");
  CHECK(text.find("step=\"RollOut\"} 1.500\nsluice_analysis") == std::string::npos);
}

TEST_CASE("a run that never started is counted with strategy unknown", "[telemetry]") {
  util::ManualClock clock;
  RolloutMetrics metrics(clock, "shop");
  clock.advance(util::Duration{500});
  metrics.observe(
      Event{EventType::finished, "web", 0, 0, "", "locked", {{"outcome", "Unchanged"}, {"exitCode", 5}}});
  std::string text = metrics.render();
  CHECK(text.find("sluice_rollouts_total{rollout=\"web\",namespace=\"shop\",strategy=\"unknown\",outcome="
                  "\"Unchanged\"} 1\n") != std::string::npos);
  CHECK(text.find("sluice_rollout_duration_seconds{rollout=\"web\",namespace=\"shop\",strategy=\"unknown\"} "
                  "0.500\n") != std::string::npos);
}

TEST_CASE("the Pushgateway group names the rollout and its namespace", "[telemetry]") {
  CHECK(pushgateway_group_url("http://127.0.0.1:9091/", "web", "shop") ==
        "http://127.0.0.1:9091/metrics/job/sluice/rollout/web/namespace/shop");
  CHECK(pushgateway_group_url("http://pg", "web", "a/b") ==
        "http://pg/metrics/job/sluice/rollout/web/namespace@base64/YS9i");
}

TEST_CASE("the metrics file is replaced whole", "[telemetry]") {
  testing::TempDir dir;
  std::string path = dir.path().string() + "/sluice.prom";
  REQUIRE(write_metrics_file(path, "old 1\n"));
  REQUIRE(write_metrics_file(path, "new 2\n"));
  CHECK(read(path) == "new 2\n");
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()),
                      std::filesystem::directory_iterator()) == 1);
  SECTION("a directory that does not exist is an error naming the file") {
    auto written = write_metrics_file(dir.path().string() + "/missing/sluice.prom", "x 1\n");
    REQUIRE_FALSE(written);
    CHECK(written.error().message == "writing metrics file '" + dir.path().string() +
                                         "/missing/sluice.prom.tmp." + std::to_string(::getpid()) +
                                         "': No such file or directory");
  }
}

TEST_CASE("API requests and retries by verb and code, and the lock wait, are in the metrics", "[telemetry]") {
  util::ManualClock clock;
  ApiCounts api;
  RolloutMetrics metrics(clock, "shop");
  metrics.count_api(&api);
  api.count("GET", "200", false);
  api.count("GET", "200", false);
  api.count("POST", "429", true);
  api.count("POST", "201", false);
  api.count("WATCH", "<error>", false);
  metrics.lock_waited(util::Duration{1250});
  metrics.lock_waited(util::Duration{250});
  metrics.observe(Event{EventType::finished, "web", 0, 0, "", "", {{"outcome", "Healthy"}, {"exitCode", 0}}});
  std::string text = metrics.render();
  INFO(text);
  CHECK(text.find("# TYPE sluice_lock_wait_seconds gauge\n"
                  "sluice_lock_wait_seconds{rollout=\"web\",namespace=\"shop\"} 1.500\n") !=
        std::string::npos);
  CHECK(text.find(
            "# TYPE sluice_api_requests_total counter\n"
            "sluice_api_requests_total{rollout=\"web\",namespace=\"shop\",verb=\"GET\",code=\"200\"} 2\n"
            "sluice_api_requests_total{rollout=\"web\",namespace=\"shop\",verb=\"POST\",code=\"201\"} 1\n"
            "sluice_api_requests_total{rollout=\"web\",namespace=\"shop\",verb=\"POST\",code=\"429\"} 1\n"
            "sluice_api_requests_total{rollout=\"web\",namespace=\"shop\",verb=\"WATCH\",code=\"<error>\"} "
            "1\n") != std::string::npos);
  CHECK(text.find(
            "# TYPE sluice_api_retries_total counter\n"
            "sluice_api_retries_total{rollout=\"web\",namespace=\"shop\",verb=\"POST\",code=\"429\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("sluice_api_retries_total{rollout=\"web\",namespace=\"shop\",verb=\"GET\"") ==
        std::string::npos);
}

TEST_CASE("a run that never waited for the lock has no lock wait sample", "[telemetry]") {
  util::ManualClock clock;
  RolloutMetrics metrics(clock, "shop");
  metrics.observe(
      Event{EventType::finished, "web", 0, 0, "", "", {{"outcome", "Degraded"}, {"exitCode", 6}}});
  std::string text = metrics.render();
  CHECK(text.find("# TYPE sluice_lock_wait_seconds gauge\n") != std::string::npos);
  CHECK(text.find("sluice_lock_wait_seconds{") == std::string::npos);
  CHECK(text.find("sluice_api_requests_total") == std::string::npos);
}
