// The live terminal view: what the status line shows and what it never does
// (wrap, count more ready pods than desired, colour without being asked).
#include <sluice/report/terminal.hpp>
#include <sluice/util/rfc3339.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace sluice::report;
using sluice::util::ManualClock;

namespace {

Event event(EventType type, Json data = Json::object()) {
  Event e;
  e.type = type;
  e.rollout = "checkout";
  e.data = std::move(data);
  return e;
}

Event step(int n, const std::string& name) {
  Event e = event(EventType::step_started);
  e.step = n;
  e.steps = 6;
  e.step_name = name;
  return e;
}

Event versions(int canary_ready, int stable_ready) {
  return event(
      EventType::progress,
      {{"versions", Json::array({{{"name", "checkout-canary"}, {"ready", canary_ready}, {"desired", 1}},
                                 {{"name", "checkout"}, {"ready", stable_ready}, {"desired", 5}}})}});
}

// The status line as last drawn: what follows the last "\r\033[K".
std::string last_status(const std::string& text) {
  return text.substr(text.rfind("\r\033[K") + 4);
}

}  // namespace

TEST_CASE("terminal: the status line shows the step and each version, never more ready than desired") {
  ManualClock clock;
  std::ostringstream out;
  auto r = make_terminal_reporter(out, clock, TerminalOptions{false, [] { return 200; }, false});
  r->emit(step(2, "WaitCanaryReady"));
  r->emit(versions(1, 6));  // a surge: 6 stable pods ready of 5
  CHECK(last_status(out.str()) ==
        "[   0.0s] checkout [2/6] WaitCanaryReady | checkout-canary 1/1, checkout 5/5");
  r->emit(versions(1, 5));
  CHECK(last_status(out.str()) ==
        "[   0.0s] checkout [2/6] WaitCanaryReady | checkout-canary 1/1, checkout 5/5");
}

TEST_CASE("terminal: a timed pause and an analysis interval count down") {
  ManualClock clock;
  std::ostringstream out;
  auto r = make_terminal_reporter(out, clock, TerminalOptions{false, [] { return 200; }, false});
  r->emit(step(3, "Pause"));
  auto until = sluice::util::format_rfc3339(clock.wall_now() + std::chrono::seconds(90));
  r->emit(event(EventType::progress, {{"pauseUntil", until}, {"pauseSeconds", 90}}));
  CHECK(last_status(out.str()).find("| pause ends in 1:30") != std::string::npos);
  clock.advance(std::chrono::seconds(31));
  r->emit(versions(1, 5));
  CHECK(last_status(out.str()).find("| pause ends in 0:59") != std::string::npos);

  r->emit(step(4, "Analysis"));
  CHECK(last_status(out.str()).find("pause ends") ==
        std::string::npos);  // a new step drops the old countdown
  r->emit(event(EventType::check_measured,
                {{"check", "errors"}, {"verdict", "Successful"}, {"nextInSeconds", 30}}));
  clock.advance(std::chrono::seconds(12));
  r->emit(versions(1, 5));
  CHECK(last_status(out.str()).find("| next measurement in 0:18") != std::string::npos);
}

TEST_CASE("terminal: the status line is cut to the width so it never wraps") {
  ManualClock clock;
  std::ostringstream out;
  auto r = make_terminal_reporter(out, clock, TerminalOptions{false, [] { return 40; }, false});
  r->emit(step(2, "WaitCanaryReady"));
  r->emit(versions(1, 5));
  std::string status = last_status(out.str());
  CHECK(status.size() < 40);
  CHECK(status.substr(status.size() - 3) == "...");
}

TEST_CASE("terminal: colour only where asked, on the outcome") {
  ManualClock clock;
  std::ostringstream coloured, plain;
  auto with = make_terminal_reporter(coloured, clock, TerminalOptions{true, [] { return 80; }, false});
  auto without = make_terminal_reporter(plain, clock, TerminalOptions{false, [] { return 80; }, false});
  for (auto* r : {with.get(), without.get()}) {
    r->emit(event(EventType::check_measured, {{"check", "errors"}, {"verdict", "Failed"}}));
    r->emit(event(EventType::finished, {{"outcome", "Healthy"}, {"exitCode", 0}, {"meaning", "success"}}));
  }
  CHECK(coloured.str().find("\033[31mcheck errors: Failed") != std::string::npos);
  CHECK(coloured.str().find("\033[32mfinished: Healthy") != std::string::npos);
  CHECK(plain.str().find("\033[3") == std::string::npos);
}

TEST_CASE("terminal: NO_COLOR or --no-color turn colour off") {
  CHECK_FALSE(color_wanted(true));
  ::setenv("NO_COLOR", "1", 1);
  CHECK_FALSE(color_wanted(false));
  ::setenv("NO_COLOR", "", 1);
  CHECK(color_wanted(false));  // set but empty does not count (no-color.org)
  ::unsetenv("NO_COLOR");
  CHECK(color_wanted(false));
}
