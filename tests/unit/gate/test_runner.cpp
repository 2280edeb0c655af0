#include <sluice/gate/runner.hpp>

#include <catch2/catch.hpp>

#include <deque>
#include <memory>
#include <vector>

using namespace sluice;
using gate::Phase;
using gate::Verdict;
using namespace std::chrono_literals;

namespace {

// Plays back a script of phases and remembers when (on the clock) it was asked.
class ScriptedProvider final : public gate::Provider {
 public:
  ScriptedProvider(util::Clock& clock, std::deque<Phase> script)
      : clock_(clock), script_(std::move(script)) {}

  gate::Measurement measure(const gate::CheckContext& context, const util::CancelToken*) override {
    times.push_back(std::chrono::duration_cast<util::Duration>(clock_.now().time_since_epoch()));
    steps.push_back(context.step);
    gate::Measurement m;
    m.phase = script_.empty() ? Phase::successful : script_.front();
    if (!script_.empty()) script_.pop_front();
    m.message = std::string("scripted ") + to_string(m.phase);
    m.at = clock_.wall_now();
    return m;
  }

  std::vector<util::Duration> times;
  std::vector<int> steps;

 private:
  util::Clock& clock_;
  std::deque<Phase> script_;
};

gate::Limits limits(int count, std::chrono::milliseconds interval) {
  gate::Limits l;
  l.count = count;
  l.interval = interval;
  return l;
}

}  // namespace

TEST_CASE("a check is measured at its interval until its count is reached") {
  util::ManualClock clock;
  auto provider = std::make_shared<ScriptedProvider>(clock, std::deque<Phase>{});
  gate::Limits l = limits(3, 30s);
  l.initial_delay = 5s;
  std::vector<std::string> seen;
  auto result = gate::run_checks(
      {{"errors", l, provider}}, {}, clock, nullptr,
      [&](const std::string& check, const gate::Measurement& m, const gate::AnalysisRun& run) {
        seen.push_back(check + ":" + to_string(m.phase) + ":" + std::to_string(run.counts().measured));
      });
  CHECK(result.verdict == Verdict::successful);
  CHECK(provider->times == std::vector<util::Duration>{5s, 35s, 65s});
  CHECK(seen ==
        std::vector<std::string>{"errors:Successful:1", "errors:Successful:2", "errors:Successful:3"});
  CHECK(result.message == "1 check(s) successful");
  REQUIRE(result.checks.size() == 1);
  CHECK(result.checks[0].measurements.size() == 3);
}

TEST_CASE("errors are retried after the error retry interval and never promote") {
  util::ManualClock clock;
  std::deque<Phase> outage(10, Phase::error);
  auto provider = std::make_shared<ScriptedProvider>(clock, outage);
  auto result = gate::run_checks({{"errors", limits(3, 30s), provider}}, {}, clock, nullptr);
  CHECK(result.verdict == Verdict::error);
  CHECK(provider->times == std::vector<util::Duration>{0s, 10s, 20s, 30s, 40s});
  CHECK(
      result.message ==
      "check 'errors': 5 consecutive errors exceed consecutiveErrorLimit 4: the data source failed, not the "
      "version: scripted Error");
}

TEST_CASE("the first failing check stops the others") {
  util::ManualClock clock;
  auto slow = std::make_shared<ScriptedProvider>(clock, std::deque<Phase>{});
  auto failing =
      std::make_shared<ScriptedProvider>(clock, std::deque<Phase>{Phase::successful, Phase::failed});
  auto result = gate::run_checks({{"latency", limits(10, 60s), slow}, {"errors", limits(5, 10s), failing}},
                                 {}, clock, nullptr);
  CHECK(result.verdict == Verdict::failed);
  CHECK(failing->times == std::vector<util::Duration>{0s, 10s});
  CHECK(slow->times == std::vector<util::Duration>{0s});
  CHECK(result.message == "check 'errors': 1 failed measurement(s) exceed failureLimit 0: scripted Failed");
  REQUIRE(result.checks.size() == 2);
  CHECK(result.checks[0].verdict == Verdict::running);
}

TEST_CASE("an inconclusive check pauses the analysis") {
  util::ManualClock clock;
  auto provider = std::make_shared<ScriptedProvider>(clock, std::deque<Phase>{Phase::inconclusive});
  auto result = gate::run_checks({{"errors", limits(3, 1s), provider}}, {}, clock, nullptr);
  CHECK(result.verdict == Verdict::inconclusive);
}

TEST_CASE("no checks is an immediate success") {
  util::ManualClock clock;
  auto result = gate::run_checks({}, {}, clock, nullptr);
  CHECK(result.verdict == Verdict::successful);
  CHECK(result.message == "no checks to run");
}

TEST_CASE("a driver can poll the runner between other waits") {
  util::ManualClock clock;
  auto provider = std::make_shared<ScriptedProvider>(clock, std::deque<Phase>{});
  gate::CheckContext context;
  context.step = 1;
  gate::AnalysisRunner runner({{"bg", limits(0, 20s), provider}}, context, clock);
  CHECK(runner.poll(nullptr) == Verdict::running);
  CHECK(runner.next_due() == clock.now() + 20s);
  clock.advance(5s);
  CHECK(runner.poll(nullptr) == Verdict::running);
  CHECK(provider->times.size() == 1);
  clock.advance(15s);
  context.step = 2;
  runner.set_context(context);
  CHECK(runner.poll(nullptr) == Verdict::running);
  CHECK(provider->steps == std::vector<int>{1, 2});
  CHECK(runner.finish().verdict == Verdict::successful);
}

TEST_CASE("a cancelled run stops without a verdict") {
  util::ManualClock clock;
  auto provider = std::make_shared<ScriptedProvider>(clock, std::deque<Phase>{});
  util::CancelToken cancel;
  cancel.cancel();
  auto result = gate::run_checks({{"errors", limits(3, 1s), provider}}, {}, clock, &cancel);
  CHECK(result.verdict == Verdict::running);
  CHECK(result.message == "analysis cancelled");
  CHECK(provider->times.empty());
}

TEST_CASE("a runner whose checks all have their verdict asks a driver for no wake-up") {
  // A driver waiting on watches too sleeps until next_due(): a time already
  // past once the checks are done would make its wait loop spin.
  util::ManualClock clock;
  auto provider = std::make_shared<ScriptedProvider>(clock, std::deque<Phase>{});
  gate::AnalysisRunner runner({{"errors", limits(1, 10s), provider}}, {}, clock);
  CHECK(runner.poll(nullptr) == Verdict::successful);
  clock.advance(1s);
  CHECK(runner.next_due() == util::TimePoint::max());
  CHECK(runner.poll(nullptr) == Verdict::successful);
  CHECK(provider->times.size() == 1);
}
