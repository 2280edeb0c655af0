#include <sluice/report/events.hpp>
#include <sluice/report/terminal.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace sluice::report;

namespace {
Event finished() {
  Event e;
  e.type = EventType::finished;
  e.rollout = "web";
  e.data = {{"outcome", "RolledBack"}, {"exitCode", 3}, {"meaning", "rolled back"}};
  return e;
}
}  // namespace

TEST_CASE("json output is one object per line with the documented fields") {
  sluice::util::ManualClock clock;
  std::ostringstream out;
  auto r = make_reporter(Format::json, out, false, clock);
  Event step;
  step.type = EventType::step_started;
  step.rollout = "web";
  step.step = 2;
  step.steps = 6;
  step.step_name = "WaitPreviewReady";
  r->emit(step);
  r->emit(finished());
  std::istringstream lines(out.str());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  auto a = Json::parse(first);
  CHECK(a["type"] == "step_started");
  CHECK(a["step"] == 2);
  CHECK(a["steps"] == 6);
  CHECK(a["stepName"] == "WaitPreviewReady");
  CHECK(a.contains("time"));
  auto b = Json::parse(second);
  CHECK(b["type"] == "finished");
  CHECK(b["exitCode"] == 3);
  CHECK_FALSE(b.contains("step"));
}

TEST_CASE("plain text output is one timestamped line per event, the outcome last") {
  sluice::util::ManualClock clock;
  std::ostringstream out;
  auto r = make_reporter(Format::text, out, false, clock);
  Event progress;
  progress.type = EventType::progress;
  progress.rollout = "web";
  progress.data = {{"versions", Json::array({{{"name", "web-1"}, {"ready", 2}, {"desired", 3}}})}};
  r->emit(progress);
  r->emit(finished());
  std::string text = out.str();
  CHECK(text.find("web versions: web-1 2/3 ready\n") != std::string::npos);
  CHECK(text.find("web finished: RolledBack (exit 3: rolled back)\n") != std::string::npos);
  CHECK(text.find("\033") == std::string::npos);
}

TEST_CASE("a terminal gets one live status line redrawn in place") {
  sluice::util::ManualClock clock;
  std::ostringstream out;
  auto r = make_terminal_reporter(out, clock, TerminalOptions{false, [] { return 0; }, false});
  Event progress;
  progress.type = EventType::progress;
  progress.rollout = "web";
  progress.data = {{"versions", Json::array({{{"name", "web-1"}, {"ready", 1}, {"desired", 3}}})}};
  r->emit(progress);
  clock.advance(std::chrono::milliseconds(1500));
  r->emit(finished());
  std::string text = out.str();
  CHECK(text.rfind("\r\033[K[   0.0s] web | web-1 1/3", 0) == 0);
  CHECK(text.find("\r\033[K[   1.5s] web finished: RolledBack (exit 3: rolled back)\n") != std::string::npos);
  CHECK(text.find("\033[3") == std::string::npos);  // no colour asked
}
