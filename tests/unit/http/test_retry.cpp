#include <catch2/catch.hpp>

#include <sluice/http/retry.hpp>

using namespace std::chrono;
using sluice::http::backoff_delay;
using sluice::http::default_should_retry;
using sluice::http::Duration;
using sluice::http::parse_retry_after;
using sluice::http::Request;
using sluice::http::Response;
using sluice::http::RetryPolicy;
using sluice::util::ErrorKind;
using sluice::util::make_error;

namespace {
// Sun, 06 Nov 1994 08:49:37 GMT
system_clock::time_point rfc_example() {
  return sys_days{1994y / 11 / 6} + 8h + 49min + 37s;
}
}  // namespace

TEST_CASE("parse_retry_after reads delta seconds") {
  auto now = rfc_example();
  CHECK(parse_retry_after("120", now) == Duration{120000});
  CHECK(parse_retry_after(" 0 ", now) == Duration{0});
  CHECK(parse_retry_after("99999999999", now) == Duration{hours{24}});
}

TEST_CASE("parse_retry_after reads an HTTP-date relative to now") {
  auto now = rfc_example() - 5s;
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now) == Duration{5000});
  SECTION("a date in the past means retry now") {
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now + 1h) == Duration{0});
  }
}

TEST_CASE("parse_retry_after rejects what it cannot read") {
  auto now = rfc_example();
  CHECK_FALSE(parse_retry_after("", now).has_value());
  CHECK_FALSE(parse_retry_after("-5", now).has_value());
  CHECK_FALSE(parse_retry_after("1.5", now).has_value());
  CHECK_FALSE(parse_retry_after("soon", now).has_value());
  CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:49:37 PST", now).has_value());
  CHECK_FALSE(parse_retry_after("Sun, 31 Feb 1994 08:49:37 GMT", now).has_value());
  CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT trailing", now).has_value());
}

TEST_CASE("backoff_delay doubles from the base, capped, with equal jitter") {
  RetryPolicy policy;
  policy.base_delay = Duration{100};
  policy.max_delay = Duration{1000};
  CHECK(backoff_delay(policy, 1, std::nullopt, 0.0) == Duration{50});
  CHECK(backoff_delay(policy, 1, std::nullopt, 0.999) == Duration{99});
  CHECK(backoff_delay(policy, 3, std::nullopt, 0.0) == Duration{200});
  CHECK(backoff_delay(policy, 10, std::nullopt, 0.0) == Duration{500});
  CHECK(backoff_delay(policy, 60, std::nullopt, 0.999) <= Duration{1000});
}

TEST_CASE("backoff_delay honours Retry-After up to max_delay, without jitter") {
  RetryPolicy policy;
  policy.max_delay = Duration{10000};
  CHECK(backoff_delay(policy, 1, Duration{3000}, 0.7) == Duration{3000});
  CHECK(backoff_delay(policy, 1, Duration{60000}, 0.7) == Duration{10000});
}

TEST_CASE("default_should_retry follows client-go's rules") {
  Request get;
  Request post;
  post.method = "POST";
  Response answer;
  SECTION("429 always") {
    answer.status = 429;
    CHECK(default_should_retry(post, &answer, nullptr));
  }
  SECTION("5xx only with Retry-After") {
    answer.status = 503;
    CHECK_FALSE(default_should_retry(get, &answer, nullptr));
    answer.headers = {{"retry-after", "1"}};
    CHECK(default_should_retry(get, &answer, nullptr));
  }
  SECTION("other statuses never") {
    answer.status = 409;
    CHECK_FALSE(default_should_retry(get, &answer, nullptr));
  }
  SECTION("transport errors only for replay-safe requests") {
    auto refused = make_error(ErrorKind::unavailable, "refused");
    CHECK(default_should_retry(get, nullptr, &refused));
    CHECK_FALSE(default_should_retry(post, nullptr, &refused));
    post.replay_safe = true;
    CHECK(default_should_retry(post, nullptr, &refused));
    auto tls = make_error(ErrorKind::tls, "bad cert");
    CHECK_FALSE(default_should_retry(get, nullptr, &tls));
  }
}
