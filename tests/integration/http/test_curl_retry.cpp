#include "local_servers.hpp"

#include <sluice/http/client.hpp>

#include <fmt/chrono.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace std::chrono_literals;
using sluice::http::ClientOptions;
using sluice::http::Duration;
using sluice::http::make_curl_client;
using sluice::testing::HttpTestServer;
using sluice::util::ErrorKind;
using sluice::util::ManualClock;

namespace {

// Answers `failures` times with `status` (and Retry-After when not empty), then 200.
struct FlakyServer {
  std::atomic<int> attempts{0};  // declared first: outlives the server's handler threads
  HttpTestServer server;

  FlakyServer(int failures, int status, std::string retry_after) {
    server.routes().Get("/flaky", [=, this](const httplib::Request&, httplib::Response& res) {
      if (++attempts <= failures) {
        res.status = status;
        if (!retry_after.empty()) res.set_header("Retry-After", retry_after);
        return;
      }
      res.set_content("ok", "text/plain");
    });
    server.start();
  }
};

ClientOptions retrying(ManualClock& clock, int max_attempts) {
  ClientOptions options;
  options.clock = &clock;
  options.retry.max_attempts = max_attempts;
  options.retry.base_delay = Duration{100};
  options.retry.max_delay = Duration{10000};
  return options;
}

}  // namespace

TEST_CASE("429 with Retry-After is retried after exactly that long") {
  FlakyServer flaky(2, 429, "2");
  ManualClock clock;
  auto client = make_curl_client(retrying(clock, 3));
  auto wall_start = std::chrono::steady_clock::now();
  auto got = client->send({.url = flaky.server.url("/flaky")});
  REQUIRE(got.ok());
  CHECK(got->status == 200);
  CHECK(flaky.attempts == 3);
  CHECK(clock.now() - sluice::util::TimePoint{} == 4s);
  CHECK(std::chrono::steady_clock::now() - wall_start < 2s);  // the waits were the clock's, not real sleeps
}

TEST_CASE("Retry-After as an HTTP-date is honoured against the clock's wall time") {
  ManualClock clock;
  auto when = std::chrono::floor<std::chrono::seconds>(clock.wall_now()) + 3s;
  FlakyServer flaky(
      1, 503,
      fmt::format("{:%a, %d %b %Y %H:%M:%S} GMT", fmt::gmtime(std::chrono::system_clock::to_time_t(when))));
  auto client = make_curl_client(retrying(clock, 3));
  auto got = client->send({.url = flaky.server.url("/flaky")});
  REQUIRE(got.ok());
  CHECK(flaky.attempts == 2);
  auto waited = clock.now() - sluice::util::TimePoint{};
  CHECK(waited > 2s);
  CHECK(waited <= 3s);
}

TEST_CASE("a Retry-After longer than max_delay waits max_delay") {
  FlakyServer flaky(1, 429, "3600");
  ManualClock clock;
  auto client = make_curl_client(retrying(clock, 2));
  REQUIRE(client->send({.url = flaky.server.url("/flaky")}).ok());
  CHECK(clock.now() - sluice::util::TimePoint{} == 10s);
}

TEST_CASE("429 without Retry-After backs off exponentially with jitter") {
  FlakyServer flaky(3, 429, "");
  ManualClock clock;
  auto client = make_curl_client(retrying(clock, 4));
  REQUIRE(client->send({.url = flaky.server.url("/flaky")}).ok());
  CHECK(flaky.attempts == 4);
  // 100, 200, 400 ms with equal jitter: each wait in [d/2, d].
  auto waited = clock.now() - sluice::util::TimePoint{};
  CHECK(waited >= 350ms);
  CHECK(waited <= 700ms);
}

TEST_CASE("retries stop at max_attempts and return the last answer") {
  FlakyServer flaky(10, 429, "1");
  ManualClock clock;
  auto client = make_curl_client(retrying(clock, 3));
  auto got = client->send({.url = flaky.server.url("/flaky")});
  REQUIRE(got.ok());
  CHECK(got->status == 429);
  CHECK(flaky.attempts == 3);
  SECTION("a request may lower the attempts") {
    auto once = client->send({.url = flaky.server.url("/flaky"), .max_attempts = 1});
    CHECK(flaky.attempts == 4);
  }
}

TEST_CASE("5xx is retried only when the server sends Retry-After") {
  ManualClock clock;
  SECTION("without Retry-After: one attempt") {
    FlakyServer flaky(1, 500, "");
    auto got = make_curl_client(retrying(clock, 3))->send({.url = flaky.server.url("/flaky")});
    REQUIRE(got.ok());
    CHECK(got->status == 500);
    CHECK(flaky.attempts == 1);
  }
  SECTION("with Retry-After: retried") {
    FlakyServer flaky(1, 503, "1");
    auto got = make_curl_client(retrying(clock, 3))->send({.url = flaky.server.url("/flaky")});
    REQUIRE(got.ok());
    CHECK(got->status == 200);
    CHECK(flaky.attempts == 2);
  }
}

TEST_CASE("a custom should_retry hook replaces the default rule") {
  FlakyServer flaky(1, 500, "");
  ManualClock clock;
  auto options = retrying(clock, 3);
  options.retry.should_retry = [](const auto&, const sluice::http::Response* response, const auto*) {
    return response != nullptr && response->status == 500;
  };
  auto got = make_curl_client(options)->send({.url = flaky.server.url("/flaky")});
  REQUIRE(got.ok());
  CHECK(got->status == 200);
  CHECK(flaky.attempts == 2);
}

TEST_CASE("cancelling during a backoff wait returns promptly") {
  FlakyServer flaky(5, 429, "30");
  ClientOptions options;  // the real clock: the wait must be interruptible
  options.retry.max_attempts = 3;
  options.retry.max_delay = Duration{30000};
  auto client = make_curl_client(options);
  sluice::util::CancelToken cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(150ms);
    cancel.cancel();
  });
  auto start = std::chrono::steady_clock::now();
  auto got = client->send({.url = flaky.server.url("/flaky")}, &cancel);
  canceller.join();
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::cancelled);
  CHECK(std::chrono::steady_clock::now() - start < 3s);
  CHECK(flaky.attempts == 1);
}
