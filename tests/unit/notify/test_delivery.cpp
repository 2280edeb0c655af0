#include <sluice/notify/delivery.hpp>

#include <catch2/catch.hpp>

#include <future>

#include "notify_test_util.hpp"
#include "support/stepped_clock.hpp"

using namespace sluice;
using namespace sluice::notify;
using namespace std::chrono_literals;
using notify_test::ScriptedClient;
using notify_test::status;

namespace {

DeliveryOptions fast_options() {
  DeliveryOptions options;
  options.base_delay = Duration{10};  // real-time sleeps on SteppedClock: keep them short
  options.max_delay = Duration{5000};
  return options;
}

Delivery delivery() {
  return Delivery{"chat", "slack", http::Request{.method = "POST", .url = "http://127.0.0.1:9/hook"}};
}

struct Failures {
  std::mutex mutex;
  std::vector<DeliveryFailure> seen;
  Dispatcher::FailureHandler handler() {
    return [this](const DeliveryFailure& f) {
      std::lock_guard lock(mutex);
      seen.push_back(f);
    };
  }
};

}  // namespace

TEST_CASE("which answers are retried, and after how long", "[notify]") {
  DeliveryOptions options = fast_options();
  auto now = notify_test::at();
  auto answer = [](int code, std::string retry_after = "") {
    http::Headers headers;
    if (!retry_after.empty()) headers.emplace_back("Retry-After", retry_after);
    return status(code, headers);
  };
  SECTION("429 and 5xx are retried with backoff; other statuses are not") {
    auto r500 = answer(500);
    auto r429 = answer(429);
    auto r404 = answer(404);
    CHECK(retry_delay(options, 1, &r500, nullptr, now, 0.0) == Duration{5});
    CHECK(retry_delay(options, 2, &r429, nullptr, now, 0.99).value() <= Duration{20});
    CHECK_FALSE(retry_delay(options, 1, &r404, nullptr, now, 0.0));
  }
  SECTION("Retry-After is honoured, up to max_delay") {
    auto soon = answer(429, "2");
    auto late = answer(503, "600");
    CHECK(retry_delay(options, 1, &soon, nullptr, now, 0.5) == Duration{2000});
    CHECK(retry_delay(options, 1, &late, nullptr, now, 0.5) == Duration{5000});
  }
  SECTION("the last attempt is never retried") {
    auto r500 = answer(500);
    CHECK_FALSE(retry_delay(options, 3, &r500, nullptr, now, 0.0));
  }
  SECTION("timeouts and dropped connections are retried; TLS and cancellation are not") {
    auto timeout = util::make_error(util::ErrorKind::timeout, "t");
    auto closed = util::make_error(util::ErrorKind::unavailable, "c");
    auto tls = util::make_error(util::ErrorKind::tls, "x");
    auto cancelled = util::make_error(util::ErrorKind::cancelled, "x");
    CHECK(retry_delay(options, 1, nullptr, &timeout, now, 0.0));
    CHECK(retry_delay(options, 1, nullptr, &closed, now, 0.0));
    CHECK_FALSE(retry_delay(options, 1, nullptr, &tls, now, 0.0));
    CHECK_FALSE(retry_delay(options, 1, nullptr, &cancelled, now, 0.0));
  }
}

TEST_CASE("a delivery is retried until it succeeds, within the attempts allowed", "[notify]") {
  test::SteppedClock clock;
  Failures failures;
  SECTION("two 500s then 200: delivered, no failure") {
    ScriptedClient client({status(500), status(500), status(200)});
    {
      Dispatcher dispatcher(client, clock, fast_options(), failures.handler());
      dispatcher.post(delivery());
      auto finishing = std::async(std::launch::async, [&] { dispatcher.finish(Duration{3000}); });
      // finish waits on the clock only as long as sending takes: here it returns without the clock moving.
      finishing.get();
    }
    CHECK(client.sent() == 3);
    CHECK(failures.seen.empty());
    CHECK(client.requests[0].timeout == Duration{5000});
    CHECK(client.requests[0].max_attempts == 1);
  }
  SECTION("always 500: one failure after the last attempt") {
    ScriptedClient client({status(500)});
    {
      Dispatcher dispatcher(client, clock, fast_options(), failures.handler());
      dispatcher.post(delivery());
      dispatcher.finish(Duration{3000});
    }
    CHECK(client.sent() == 3);
    REQUIRE(failures.seen.size() == 1);
    CHECK(failures.seen[0].why == "HTTP 500 (attempt 3 of 3)");
    CHECK(failures.seen[0].receiver == "chat");
  }
}

TEST_CASE("a 429's Retry-After is waited on the clock", "[notify]") {
  test::SteppedClock clock;
  Failures failures;
  ScriptedClient client({status(429, {{"Retry-After", "2"}}), status(204)});
  Dispatcher dispatcher(client, clock, fast_options(), failures.handler());
  dispatcher.post(delivery());
  auto waited = clock.wait_for_sleep([](util::Duration d) { return d == Duration{2000}; });
  REQUIRE(waited);
  CHECK(client.sent() == 1);
  clock.advance(Duration{2000});
  dispatcher.finish(Duration{3000});
  CHECK(client.sent() == 2);
  CHECK(failures.seen.empty());
}

TEST_CASE("at exit the wait is bounded: what is left is given up as a failure", "[notify]") {
  test::SteppedClock clock;
  Failures failures;
  ScriptedClient client({status(503, {{"Retry-After", "4"}})});
  Dispatcher dispatcher(client, clock, fast_options(), failures.handler());
  dispatcher.post(delivery());
  REQUIRE(clock.wait_for_sleep([](util::Duration d) { return d == Duration{4000}; }));
  auto finishing = std::async(std::launch::async, [&] { dispatcher.finish(Duration{3000}); });
  REQUIRE(clock.wait_for_sleep([](util::Duration d) { return d == Duration{3000}; }));
  clock.advance(Duration{3000});  // the budget is spent before the receiver's Retry-After
  finishing.get();
  CHECK(client.sent() == 1);
  REQUIRE(failures.seen.size() == 1);
  CHECK(failures.seen[0].why == "HTTP 503 (attempt 1 of 3)");
}

TEST_CASE("posting never waits: a full queue drops the delivery as a failure", "[notify]") {
  test::SteppedClock clock;
  Failures failures;
  ScriptedClient client({status(503, {{"Retry-After", "4"}})});
  DeliveryOptions options = fast_options();
  options.queue_limit = 1;
  Dispatcher dispatcher(client, clock, options, failures.handler());
  dispatcher.post(delivery());  // taken by the sender, which then waits 4 s
  REQUIRE(clock.wait_for_sleep([](util::Duration d) { return d == Duration{4000}; }));
  dispatcher.post(delivery());  // queued
  dispatcher.post(delivery());  // over the limit
  {
    std::lock_guard lock(failures.mutex);
    REQUIRE(failures.seen.size() == 1);
    CHECK(failures.seen[0].why == "not sent: too many notifications queued");
  }
  dispatcher.finish(Duration{0});
  CHECK(failures.seen.size() == 3);
}
