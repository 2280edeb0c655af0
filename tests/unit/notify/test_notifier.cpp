#include <sluice/notify/notifier.hpp>

#include <catch2/catch.hpp>

#include <sstream>

#include "notify_test_util.hpp"
#include "support/stepped_clock.hpp"

using namespace sluice;
using namespace sluice::notify;
using notify_test::ScriptedClient;
using notify_test::status;
using report::Event;
using report::EventType;

namespace {

const std::string k_planted_url = "https://hooks.example.com/services/T0/B0/planted-url-secret-4411";
const std::string k_planted_key = "planted-signing-key-9902";
const std::string k_planted_header = "planted-header-token-1234";

plan::Notifications receivers(const std::vector<plan::Receiver::Kind>& kinds) {
  plan::Notifications out;
  for (auto kind : kinds) {
    plan::Receiver r;
    r.name = std::string(plan::to_string(kind)) + "-r";
    r.kind = kind;
    r.url.from = plan::SecretRef{plan::SecretRef::Kind::env, "URL", ""};
    if (kind == plan::Receiver::Kind::pagerduty || kind == plan::Receiver::Kind::webhook)
      r.key = plan::SecretRef{plan::SecretRef::Kind::env, "KEY", ""};
    if (kind == plan::Receiver::Kind::webhook || kind == plan::Receiver::Kind::alertmanager)
      r.headers["Authorization"].from = plan::SecretRef{plan::SecretRef::Kind::env, "HEADER", ""};
    r.on = plan::default_notify_on(plan::Receiver::Kind::webhook);
    out.receivers.push_back(r);
  }
  return out;
}

util::Result<std::string> planted(const plan::SecretRef& ref) {
  if (ref.name == "URL") return k_planted_url;
  if (ref.name == "KEY") return k_planted_key;
  return "Bearer " + k_planted_header;
}

std::vector<Event> a_rollback() {
  return {
      Event{EventType::rollout_started,
            "web",
            0,
            0,
            "",
            "",
            {{"strategy", "canary"}, {"digest", "r/web@sha256:1"}}},
      Event{EventType::step_finished,
            "web",
            2,
            4,
            "Analysis(errors)",
            "errors 5% > 1%",
            {{"result", "failed"}}},
      Event{EventType::rolled_back, "web", 0, 0, "", "errors 5% > 1%", {{"to", "r/web:1"}}},
      Event{
          EventType::finished, "web", 0, 0, "", "rolled back", {{"outcome", "RolledBack"}, {"exitCode", 3}}}};
}

struct Run {
  report::MemoryReporter inner;
  std::ostringstream warnings;
  std::string json_lines() const {
    std::string out;
    for (const auto& e : inner.events) out += report::to_json(e, notify_test::at()).dump() + "\n";
    return out;
  }
};

const std::vector<plan::Receiver::Kind> k_all = {plan::Receiver::Kind::slack, plan::Receiver::Kind::pagerduty,
                                                 plan::Receiver::Kind::webhook,
                                                 plan::Receiver::Kind::alertmanager};

}  // namespace

TEST_CASE("events pass through unchanged while receivers are sent what they asked for", "[notify]") {
  test::SteppedClock clock;
  ScriptedClient client({status(202)});
  Run run;
  {
    NotifyingReporter reporter(run.inner, receivers({plan::Receiver::Kind::webhook}), planted, client, clock,
                               run.warnings, NotifierOptions{});
    for (const auto& e : a_rollback()) reporter.emit(e);
  }
  REQUIRE(run.inner.events.size() == 4);
  CHECK(run.inner.events.back().type == EventType::finished);
  CHECK(run.warnings.str().empty());
  // started, stepFailed, rolledBack (a finished with exit 3 is no moment of its own).
  REQUIRE(client.sent() == 3);
  CHECK(report::Json::parse(client.requests[1].body)["type"] == "step_finished");
}

TEST_CASE("a delivery given up is one warning line and one event, before finished, and the run goes on",
          "[notify]") {
  test::SteppedClock clock;
  ScriptedClient client({status(500)});
  Run run;
  NotifierOptions options;
  options.delivery.base_delay = util::Duration{5};
  plan::Notifications only_end = receivers({plan::Receiver::Kind::webhook});
  only_end.receivers[0].on = {plan::NotifyOn::rolled_back};
  {
    NotifyingReporter reporter(run.inner, only_end, planted, client, clock, run.warnings, options);
    for (const auto& e : a_rollback()) reporter.emit(e);
  }
  CHECK(
      run.warnings.str() ==
      "sluice: warning: notification to receiver 'webhook-r' (webhook) not delivered: HTTP 500 (attempt 3 of "
      "3)\n");
  REQUIRE(run.inner.events.size() == 5);
  const auto& warning = run.inner.events[3];
  CHECK(warning.type == EventType::info);
  CHECK(warning.data["notification"] == "failed");
  CHECK(warning.data["receiver"] == "webhook-r");
  CHECK(run.inner.events[4].type == EventType::finished);
  CHECK(run.inner.events[4].data["exitCode"] == 3);
}

TEST_CASE("planted secrets reach the receivers and nothing else, for every receiver kind", "[notify]") {
  test::SteppedClock clock;
  Run run;
  NotifierOptions options;
  options.delivery.base_delay = util::Duration{5};
  SECTION("delivered") {
    ScriptedClient client({status(200)});
    {
      NotifyingReporter reporter(run.inner, receivers(k_all), planted, client, clock, run.warnings, options);
      for (const auto& e : a_rollback()) reporter.emit(e);
    }
    std::string sent;
    for (const auto& r : client.requests) {
      sent += r.url + r.body;
      for (const auto& [n, v] : r.headers) sent += n + v;
    }
    CHECK(sent.find(k_planted_url) != std::string::npos);
    CHECK(sent.find(k_planted_key) != std::string::npos);  // PagerDuty's routing key is in its body
    CHECK(sent.find(k_planted_header) != std::string::npos);
  }
  SECTION("refused with an error that quotes the URL") {
    ScriptedClient client({util::Result<http::Response>(
        util::make_error(util::ErrorKind::unavailable,
                         "POST " + k_planted_url + " with " + k_planted_key + ": connection reset"))});
    {
      NotifyingReporter reporter(run.inner, receivers(k_all), planted, client, clock, run.warnings, options);
      for (const auto& e : a_rollback()) reporter.emit(e);
    }
    CHECK(run.warnings.str().find("connection reset") != std::string::npos);
  }
  std::string shown = run.warnings.str() + run.json_lines();
  for (const auto& secret : {k_planted_url, k_planted_key, k_planted_header}) {
    INFO(secret);
    CHECK(shown.find(secret) == std::string::npos);
    CHECK(shown.find("planted") == std::string::npos);
  }
}

TEST_CASE("a receiver whose secret cannot be read is left out with a warning", "[notify]") {
  test::SteppedClock clock;
  ScriptedClient client({status(200)});
  Run run;
  {
    NotifyingReporter reporter(
        run.inner, receivers({plan::Receiver::Kind::slack}),
        [](const plan::SecretRef&) -> util::Result<std::string> {
          return util::make_error(util::ErrorKind::not_found, "environment variable URL is not set");
        },
        client, clock, run.warnings, NotifierOptions{});
    for (const auto& e : a_rollback()) reporter.emit(e);
  }
  CHECK(run.warnings.str() ==
        "sluice: warning: notification to receiver 'slack-r' (slack) not used: receiver 'slack-r' url: "
        "environment variable URL is not set\n");
  CHECK(client.sent() == 0);
  REQUIRE(run.inner.events.size() == 5);
  CHECK(run.inner.events[0].data["notification"] == "failed");
}
