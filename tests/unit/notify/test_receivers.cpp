#include <sluice/http/secret_registry.hpp>
#include <sluice/notify/receivers.hpp>

#include <catch2/catch.hpp>

#include "notify_test_util.hpp"

using namespace sluice;
using namespace sluice::notify;
using notify_test::notice;
using plan::NotifyOn;
using report::EventType;

namespace {

ReadyReceiver ready(plan::Receiver::Kind kind, std::string url, std::string key = "") {
  plan::Receiver spec;
  spec.name = "r";
  spec.kind = kind;
  spec.on = plan::default_notify_on(plan::Receiver::Kind::webhook);  // everything
  return ReadyReceiver{spec, std::move(url), std::move(key), {}};
}

std::string header(const http::Request& request, const std::string& name) {
  for (const auto& [n, v] : request.headers)
    if (n == name) return v;
  return "";
}

}  // namespace

TEST_CASE("HMAC-SHA256 signatures match RFC 4231's test vector", "[notify]") {
  CHECK(webhook_signature("Jefe", "what do ya want for nothing?") ==
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("a Slack message is Block Kit with the rollout's facts and the command to run", "[notify]") {
  auto n = notice(NotifyOn::paused, EventType::paused, "waiting for `sluice promote web`");
  auto message = slack_message(n);
  CHECK(message["text"] == "Rollout web paused, waiting for promote");
  auto blocks = message["blocks"];
  REQUIRE(blocks.size() == 3);
  CHECK(
      blocks[0] ==
      report::Json::parse(
          R"({"type":"header","text":{"type":"plain_text","text":"Rollout web paused, waiting for promote"}})"));
  CHECK(blocks[1]["type"] == "section");
  std::vector<std::string> fields;
  for (const auto& f : blocks[1]["fields"]) {
    CHECK(f["type"] == "mrkdwn");
    fields.push_back(f["text"]);
  }
  CHECK(fields == std::vector<std::string>{"*Rollout*\nweb", "*Cluster*\nprod", "*Namespace*\nshop",
                                           "*Image*\nregistry.example.com/shop/web@sha256:9f00",
                                           "*Step*\n[3/6] Analysis(errors)",
                                           "*Reason*\nwaiting for `sluice promote web`"});
  CHECK(blocks[2]["text"]["text"] == "`sluice promote web -n shop --context prod`");
  SECTION("a failure held for a human names abort") {
    auto held = notice(NotifyOn::needs_human, EventType::paused, "check failed");
    CHECK(slack_message(held)["blocks"][2]["text"]["text"] == "`sluice abort web -n shop --context prod`");
  }
}

TEST_CASE("PagerDuty gets a trigger per failure and a resolve on success, one dedup key per rollout",
          "[notify]") {
  auto failed =
      pagerduty_event(notice(NotifyOn::rolled_back, EventType::rolled_back, "errors 5% > 1%"), "rk-1");
  REQUIRE(failed);
  CHECK((*failed)["routing_key"] == "rk-1");
  CHECK((*failed)["event_action"] == "trigger");
  CHECK((*failed)["dedup_key"] == "sluice/prod/shop/web");
  CHECK((*failed)["payload"]["summary"] == "Rollout web rolled back: errors 5% > 1%");
  CHECK((*failed)["payload"]["source"] == "prod");
  CHECK((*failed)["payload"]["severity"] == "error");
  CHECK((*failed)["payload"]["timestamp"] == "2026-11-28T01:02:03Z");
  auto resolved = pagerduty_event(notice(NotifyOn::succeeded, EventType::finished, "rolled out"), "rk-1");
  REQUIRE(resolved);
  CHECK(*resolved ==
        report::Json::parse(
            R"({"routing_key":"rk-1","event_action":"resolve","dedup_key":"sluice/prod/shop/web"})"));
  SECTION("severities") {
    CHECK(std::string(severity_of(NotifyOn::needs_human)) == "critical");
    CHECK(std::string(severity_of(NotifyOn::step_failed)) == "warning");
    CHECK(std::string(severity_of(NotifyOn::lock_contention)) == "warning");
    CHECK(std::string(severity_of(NotifyOn::paused)) == "info");
  }
  SECTION("a start pages nobody") {
    CHECK_FALSE(pagerduty_event(notice(NotifyOn::started, EventType::rollout_started, ""), "rk-1"));
  }
}

TEST_CASE("Alertmanager gets a firing alert with labels and a resolve with endsAt", "[notify]") {
  auto firing = alertmanager_alerts(notice(NotifyOn::needs_human, EventType::finished, "rollback failed"));
  REQUIRE(firing);
  REQUIRE(firing->size() == 1);
  CHECK((*firing)[0]["labels"] ==
        report::Json::parse(
            R"({"alertname":"SluiceRolloutFailed","rollout":"web","namespace":"shop",
                                          "cluster":"prod","severity":"critical"})"));
  CHECK((*firing)[0]["annotations"]["description"] == "rollback failed");
  CHECK((*firing)[0]["startsAt"] == "2026-11-28T01:02:03Z");
  CHECK_FALSE((*firing)[0].contains("endsAt"));
  auto resolved = alertmanager_alerts(notice(NotifyOn::succeeded, EventType::finished, ""));
  REQUIRE(resolved);
  CHECK(resolved->size() == 4);
  for (const auto& alert : *resolved) CHECK(alert["endsAt"] == "2026-11-28T01:02:03Z");
}

TEST_CASE("each receiver's request: URL, headers and body", "[notify]") {
  auto n = notice(NotifyOn::rolled_back, EventType::rolled_back, "errors");
  SECTION("the generic webhook sends the -o json event, signed") {
    auto receiver = ready(plan::Receiver::Kind::webhook, "http://hooks/x", "hook-key");
    receiver.headers.emplace_back("X-Team", "payments");
    auto request = request_for(receiver, n);
    REQUIRE(request);
    CHECK(request->method == "POST");
    CHECK(report::Json::parse(request->body) == n.json);
    CHECK(header(*request, "Content-Type") == "application/json");
    CHECK(header(*request, "X-Team") == "payments");
    CHECK(header(*request, "X-Sluice-Event") == "rolledBack");
    CHECK(header(*request, "X-Sluice-Signature") == webhook_signature("hook-key", request->body));
  }
  SECTION("Alertmanager's API path is added to its base URL") {
    auto request = request_for(ready(plan::Receiver::Kind::alertmanager, "http://am:9093/"), n);
    REQUIRE(request);
    CHECK(request->url == "http://am:9093/api/v2/alerts");
  }
  SECTION("a receiver is sent only what its on: list asks for") {
    auto receiver = ready(plan::Receiver::Kind::slack, "http://slack/x");
    receiver.spec.on = {NotifyOn::succeeded};
    CHECK_FALSE(request_for(receiver, n));
  }
}

TEST_CASE("a receiver's secrets are read and registered for redaction", "[notify]") {
  plan::Receiver spec;
  spec.name = "pd";
  spec.kind = plan::Receiver::Kind::pagerduty;
  spec.url.literal = plan::k_pagerduty_events_url;
  spec.key = plan::SecretRef{plan::SecretRef::Kind::env, "PD_KEY", ""};
  SECTION("read: the value is hidden everywhere from then on") {
    auto made = make_ready(spec, [](const plan::SecretRef&) -> util::Result<std::string> {
      return std::string("planted-routing-key-7731");
    });
    REQUIRE(made);
    CHECK(made->key == "planted-routing-key-7731");
    CHECK(http::redact_registered("key planted-routing-key-7731 here") == "key *** here");
    CHECK(http::redact_url("https://x/planted-routing-key-7731/y") == "https://x/***/y");
  }
  SECTION("unreadable: the error says where it was looked for") {
    auto made = make_ready(spec, [](const plan::SecretRef& ref) { return read_secret_ref(ref); });
    REQUIRE_FALSE(made);
    CHECK(made.error().message == "receiver 'pd' key: environment variable PD_KEY is not set");
  }
  SECTION("an empty value in a Kubernetes Secret is named by its Secret and key") {
    spec.key = plan::SecretRef{plan::SecretRef::Kind::secret_key, "pager", "routing"};
    auto made =
        make_ready(spec, [](const plan::SecretRef&) -> util::Result<std::string> { return std::string(); });
    REQUIRE_FALSE(made);
    CHECK(made.error().message == "receiver 'pd' key: Secret pager key 'routing' is empty");
  }
}
