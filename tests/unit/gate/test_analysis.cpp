#include <sluice/gate/analysis.hpp>

#include <catch2/catch.hpp>

#include <vector>

using sluice::gate::AnalysisRun;
using sluice::gate::Limits;
using sluice::gate::Phase;
using sluice::gate::Verdict;
using namespace std::chrono_literals;

namespace {

constexpr Phase S = Phase::successful;
constexpr Phase F = Phase::failed;
constexpr Phase I = Phase::inconclusive;
constexpr Phase E = Phase::error;

Limits limits(int count, int failure_limit = 0, int inconclusive_limit = 0, int error_limit = 4) {
  Limits l;
  l.count = count;
  l.failure_limit = failure_limit;
  l.inconclusive_limit = inconclusive_limit;
  l.consecutive_error_limit = error_limit;
  return l;
}

Verdict replay(const Limits& l, const std::vector<Phase>& phases) {
  AnalysisRun run(l);
  for (Phase p : phases) run.record(p);
  return run.verdict();
}

}  // namespace

TEST_CASE("an analysis run reaches its verdict from the measurement counts and limits") {
  struct Row {
    const char* what;
    Limits limits;
    std::vector<Phase> phases;
    Verdict expected;
  };
  std::vector<Row> rows{
      {"no measurement yet", limits(3), {}, Verdict::running},
      {"count reached, all successful", limits(3), {S, S, S}, Verdict::successful},
      {"count not reached", limits(3), {S, S}, Verdict::running},
      {"one failure beyond failureLimit 0", limits(3), {S, F}, Verdict::failed},
      {"failures within failureLimit", limits(3, 1), {S, F, S}, Verdict::successful},
      {"failures beyond failureLimit 1", limits(5, 1), {F, S, F}, Verdict::failed},
      {"inconclusive beyond inconclusiveLimit 0", limits(3), {S, I}, Verdict::inconclusive},
      {"inconclusive within its limit", limits(3, 0, 1), {I, S, S}, Verdict::successful},
      {"four consecutive errors are tolerated", limits(1), {E, E, E, E}, Verdict::running},
      {"five consecutive errors exceed the default limit", limits(1), {E, E, E, E, E}, Verdict::error},
      {"errors do not count towards count", limits(2), {S, E, E}, Verdict::running},
      {"errors interrupted by a result reset the streak",
       limits(9),
       {E, E, E, E, S, E, E, E, E},
       Verdict::running},
      {"consecutiveErrorLimit 0: the first error ends it", limits(3, 0, 0, 0), {S, E}, Verdict::error},
      {"failure beats a later success", limits(2), {F, S}, Verdict::failed},
      {"count 0 runs until finished", limits(0), {S, S, S, S, S, S}, Verdict::running},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(replay(row.limits, row.phases) == row.expected);
  }
}

TEST_CASE("a Prometheus outage never makes a run successful") {
  AnalysisRun run(limits(3));
  for (int i = 0; i < 20; ++i) run.record(E);
  CHECK(run.verdict() == Verdict::error);
  CHECK(run.counts().successful == 0);
  CHECK(run.explain() ==
        "5 consecutive errors exceed consecutiveErrorLimit 4: the data source failed, not the version");
}

TEST_CASE("measurements after the verdict are not counted") {
  AnalysisRun run(limits(1));
  run.record(F);
  run.record(S);
  CHECK(run.verdict() == Verdict::failed);
  CHECK(run.counts().measured == 1);
}

TEST_CASE("finishing a run judges what it has") {
  SECTION("results and no trailing error: successful") {
    AnalysisRun run(limits(0));
    run.record(S);
    run.record(E);
    run.record(S);
    CHECK(run.finish() == Verdict::successful);
  }
  SECTION("trailing errors: inconclusive, never successful") {
    AnalysisRun run(limits(0));
    run.record(S);
    run.record(E);
    CHECK(run.finish() == Verdict::inconclusive);
    CHECK(run.explain() == "stopped after 1 consecutive error(s): health could not be confirmed");
  }
  SECTION("nothing measured: inconclusive") {
    AnalysisRun run(limits(0));
    CHECK(run.finish() == Verdict::inconclusive);
    CHECK(run.explain() == "stopped before any measurement could be taken");
  }
  SECTION("a failure stays a failure") {
    AnalysisRun run(limits(0));
    run.record(F);
    CHECK(run.finish() == Verdict::failed);
  }
}

TEST_CASE("the next measurement waits initialDelay, then interval, and retries errors sooner") {
  Limits l = limits(5);
  l.initial_delay = 60s;
  l.interval = 30s;
  l.error_retry = 10s;
  AnalysisRun run(l);
  CHECK(run.next_delay() == 60s);
  run.record(S);
  CHECK(run.next_delay() == 30s);
  run.record(E);
  CHECK(run.next_delay() == 10s);
  SECTION("an interval shorter than the retry wins") {
    l.interval = 2s;
    AnalysisRun fast(l);
    fast.record(E);
    CHECK(fast.next_delay() == 2s);
  }
}

TEST_CASE("verdicts are explained with their limit") {
  AnalysisRun failed(limits(3, 1));
  failed.record(F);
  failed.record(F);
  CHECK(failed.explain() == "2 failed measurement(s) exceed failureLimit 1");
  AnalysisRun inconclusive(limits(3));
  inconclusive.record(I);
  CHECK(inconclusive.explain() == "1 inconclusive measurement(s) exceed inconclusiveLimit 0");
  AnalysisRun ok(limits(3, 1));
  ok.record(F);
  ok.record(S);
  ok.record(S);
  CHECK(ok.explain() == "2 of 3 measurement(s) successful");
}

TEST_CASE("combining verdicts keeps the worst") {
  using sluice::gate::worst;
  CHECK(worst(Verdict::successful, Verdict::running) == Verdict::running);
  CHECK(worst(Verdict::running, Verdict::inconclusive) == Verdict::inconclusive);
  CHECK(worst(Verdict::error, Verdict::inconclusive) == Verdict::error);
  CHECK(worst(Verdict::error, Verdict::failed) == Verdict::failed);
  CHECK(worst(Verdict::successful, Verdict::successful) == Verdict::successful);
}
