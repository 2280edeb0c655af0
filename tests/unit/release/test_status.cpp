// `sluice status RELEASE` / `history RELEASE` output and exit codes, from a
// release record (docs/releases.md, docs/exit-codes.md).
#include <sluice/release/status.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace sluice::release;

namespace {

ReleaseRecord held() {
  ReleaseRecord r;
  r.name = "shop";
  r.image = "reg/app:2";
  r.digest = "reg/app@sha256:aa";
  r.on_failure = "hold";
  r.phase = "Held";
  r.message = "wave rest: 1 target(s) failed";
  r.started_at = "2026-01-01T00:00:00Z";
  r.updated_at = "2026-01-01T00:01:00Z";
  r.targets.push_back({"first", "east", "shop", "web", "web", "rolling", TargetOutcome::done, 0,
                       "rolled out reg/app@sha256:aa"});
  r.targets.push_back(
      {"rest", "west", "shop", "web", "web", "canary", TargetOutcome::failed, 3, "check failed"});
  return r;
}

}  // namespace

TEST_CASE("a release's status exit code is its apply's", "[release][status]") {
  ReleaseRecord r;
  r.phase = "Succeeded";
  CHECK(release_status_exit_code(r, false) == 0);
  r.phase = "RolledBack";
  CHECK(release_status_exit_code(r, false) == 3);
  r.phase = "Held";
  CHECK(release_status_exit_code(r, false) == 4);
  r.phase = "Failed";
  CHECK(release_status_exit_code(r, false) == 7);
  r.phase = "Progressing";
  CHECK(release_status_exit_code(r, false) == 0);
  CHECK(release_status_exit_code(r, true) == 130);
}

TEST_CASE("release status text shows one line per target with its wave, strategy and outcome",
          "[release][status]") {
  ReleaseStatus status{held(), "", false, 4};
  std::ostringstream out;
  print_release_status(status, out, false);
  std::string text = out.str();
  CHECK(text.rfind("release shop: Held — wave rest: 1 target(s) failed\n", 0) == 0);
  CHECK(text.find("  digest   reg/app@sha256:aa\n") != std::string::npos);
  CHECK(text.find("  target   first        east/shop/web                    rolling    Done\n") !=
        std::string::npos);
  CHECK(text.find("  target   rest         west/shop/web                    canary     Failed  (exit 3: "
                  "check failed)\n") != std::string::npos);
  CHECK(text.find("lock") == std::string::npos);  // finished: no holder to name
}

TEST_CASE("release status of an abandoned release says how to resume it", "[release][status]") {
  ReleaseRecord r = held();
  r.phase = "Progressing";
  r.message.clear();
  std::ostringstream out;
  print_release_status(ReleaseStatus{r, "", true, 130}, out, false);
  CHECK(out.str().find("  lock     free\n  note     no process is running this release: `sluice apply` of "
                       "its file resumes it\n") != std::string::npos);
}

TEST_CASE("release status -o json is one object with the targets and the exit code", "[release][status]") {
  std::ostringstream out;
  print_release_status(ReleaseStatus{held(), "", false, 4}, out, true);
  auto j = nlohmann::json::parse(out.str());
  CHECK(out.str().find('\n') == out.str().size() - 1);
  CHECK(j["exitCode"] == 4);
  CHECK(j["release"]["phase"] == "Held");
  CHECK(j["release"]["targets"][1]["outcome"] == "Failed");
  CHECK(j["release"]["targets"][1]["wave"] == "rest");
  CHECK_FALSE(j["release"].contains("history"));
}

TEST_CASE("release history lists the earlier runs, then the current, one line each", "[release][history]") {
  ReleaseRecord current = with_history_of(held(), [] {
    ReleaseRecord first = held();
    first.phase = "Succeeded";
    first.digest = "reg/app@sha256:11";
    first.message.clear();
    first.targets[1].outcome = TargetOutcome::done;
    return first;
  }());
  std::ostringstream text;
  print_release_history(current, text, false);
  CHECK(text.str() ==
        "Succeeded   2026-01-01T00:01:00Z  reg/app@sha256:11  2/2 target(s) done\n"
        "Held        2026-01-01T00:01:00Z  reg/app@sha256:aa  1/2 target(s) done  — wave rest: 1 target(s) "
        "failed\n");
  std::ostringstream json;
  print_release_history(current, json, true);
  std::istringstream lines(json.str());
  std::vector<nlohmann::json> runs;
  for (std::string line; std::getline(lines, line);) runs.push_back(nlohmann::json::parse(line));
  REQUIRE(runs.size() == 2);
  CHECK(runs[0]["phase"] == "Succeeded");
  CHECK(runs[1]["phase"] == "Held");
  CHECK_FALSE(runs[1].contains("history"));
}
