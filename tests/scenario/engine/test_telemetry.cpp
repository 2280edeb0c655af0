// sluice's own metrics from the real binary: the file --metrics-file names
// holds the run's Kubernetes API requests by verb and code and its lock wait.
#include "scenario/engine/world.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

using sluice::scenario::SluiceRun;
using sluice::scenario::World;
using namespace std::chrono_literals;

TEST_CASE("the metrics file counts the run's API requests by verb and code and has its lock wait",
          "[scenario][telemetry]") {
  World w;
  std::string metrics = w.dir.file("web.prom");
  std::string plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));

  SluiceRun run = w.sluice({"--metrics-file", metrics, "apply", plan}, 90s);

  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::stringstream text;
  text << std::ifstream(metrics).rdbuf();
  INFO(text.str());
  std::string id = "rollout=\"web\",namespace=\"" + w.ns + "\"";
  auto sample = [&](const std::string& series) {
    std::smatch found;
    std::string all = text.str();
    std::regex line("(^|\n)" + std::regex_replace(series, std::regex(R"([{}()\[\].*+?^$|\\])"), R"(\$&)") +
                    " ([0-9.]+)\n");
    return std::regex_search(all, found, line) ? std::stod(found[2].str()) : -1.0;
  };
  // Reads of the plan's objects, the record and the lease answered 200; the lock's Lease created (201).
  CHECK(sample("sluice_api_requests_total{" + id + ",verb=\"GET\",code=\"200\"}") >= 1);
  CHECK(sample("sluice_api_requests_total{" + id + ",verb=\"POST\",code=\"201\"}") >= 1);
  CHECK(sample("sluice_lock_wait_seconds{" + id + "}") >= 0);
  CHECK(text.str().find("# TYPE sluice_api_retries_total counter\n") != std::string::npos);
}
