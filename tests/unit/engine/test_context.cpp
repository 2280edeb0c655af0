#include <sluice/engine/context.hpp>

#include <catch2/catch.hpp>

using namespace sluice::engine;

TEST_CASE("a change notified before the driver sleeps is not slept through") {
  sluice::util::ManualClock clock;
  Wakeup wake;
  wake.notify();
  CHECK_FALSE(wake.sleep_until(clock, clock.now() + std::chrono::seconds(10)));
  CHECK(clock.now() == sluice::util::TimePoint{});                         // no time passed
  CHECK(wake.sleep_until(clock, clock.now() + std::chrono::seconds(10)));  // nothing pending: the full wait
  CHECK(clock.now() == sluice::util::TimePoint{} + std::chrono::seconds(10));
}

TEST_CASE("an interrupt fires once, keeps the first reason and runs hooks added later at once") {
  Interrupt interrupt;
  int calls = 0;
  interrupt.on_fire([&calls] { ++calls; });
  interrupt.fire("SIGINT");
  interrupt.fire("SIGTERM");
  CHECK(interrupt.fired());
  CHECK(interrupt.reason() == "SIGINT");
  CHECK(calls == 1);
  interrupt.on_fire([&calls] { ++calls; });
  CHECK(calls == 2);
}

TEST_CASE("an abort request stops the run's waits with who asked, and wakes its sleepers") {
  sluice::util::ManualClock clock;
  RunRequests requests;
  auto wake = std::make_shared<Wakeup>();
  requests.add_waker(wake);
  requests.request_abort("laptop/pid 7");
  CHECK(requests.abort_requested());
  CHECK(requests.stop().fired());
  CHECK(requests.stop().reason() == "abort requested by laptop/pid 7");
  CHECK_FALSE(wake->sleep_until(clock, clock.now() + std::chrono::seconds(10)));  // woken, no time passed
  CHECK(clock.now() == sluice::util::TimePoint{});
}

TEST_CASE("a promote request is taken once and does not stop the run") {
  RunRequests requests;
  CHECK_FALSE(requests.take_promote());
  requests.request_promote();
  CHECK_FALSE(requests.stop().fired());
  CHECK(requests.take_promote());
  CHECK_FALSE(requests.take_promote());
}

TEST_CASE("a printed command names -n and --context only when the shell's defaults would miss them") {
  // Table: what the shell reaches by default, where the rollout is -> the command.
  struct Row {
    Reach reach;
    std::string ns;
    std::string command;
  };
  const Row rows[] = {
      {{"kind", true, "default"}, "default", "`sluice promote web`"},
      {{"kind", true, "default"}, "shop", "`sluice promote web -n shop`"},
      {{"kind", true, "shop"}, "shop", "`sluice promote web`"},
      {{"prod", false, "shop"}, "shop", "`sluice promote web --context prod`"},
      {{"prod", false, "default"}, "shop", "`sluice promote web -n shop --context prod`"},
      {{"", false, "default"}, "default", "`sluice promote web`"},  // no context known: none to name
  };
  for (const auto& row : rows) {
    INFO(row.command);
    CHECK(sluice_command(row.reach, "promote", "web", row.ns) == row.command);
  }
}
