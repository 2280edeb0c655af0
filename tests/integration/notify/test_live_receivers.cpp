// Notifications and telemetry against real services on loopback: Debian's
// Alertmanager (routing to its own webhook receiver, a capture server here),
// Pushgateway scraped by the real Prometheus, and capture servers that check
// what Slack and PagerDuty would receive, byte for byte.
#include <sluice/notify/delivery.hpp>
#include <sluice/notify/receivers.hpp>
#include <sluice/telemetry/export.hpp>
#include <sluice/telemetry/rollout_metrics.hpp>

#include <catch2/catch.hpp>

#include <curl/curl.h>

#include <mutex>

#include "services.hpp"
#include "support/prometheus_process.hpp"

using namespace sluice;
using namespace std::chrono_literals;
using notify::Json;
using plan::NotifyOn;
using report::EventType;

namespace {

// Requests a LoopbackServer received on a path, kept for the test to read.
struct Capture {
  std::mutex mutex;
  std::vector<httplib::Request> requests;

  void on(testing::LoopbackServer& server, const std::string& path, int status = 200) {
    server.server().Post(path, [this, status](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex);
      requests.push_back(request);
      response.status = status;
    });
  }
  std::vector<httplib::Request> seen() {
    std::lock_guard lock(mutex);
    return requests;
  }
  bool any_body_has(const std::string& text) {
    for (const auto& r : seen())
      if (r.body.find(text) != std::string::npos) return true;
    return false;
  }
};

notify::Notice notice(NotifyOn on, EventType type, std::string message) {
  notify::RolloutFacts facts;
  facts.rollout = "web";
  facts.context = "prod";
  facts.ns = "shop";
  facts.digest = "registry.example.com/shop/web@sha256:9f00";
  report::Event event{type, "web", 0, 0, "", std::move(message), Json::object()};
  auto now = std::chrono::system_clock::now();
  return notify::Notice{on, event, report::to_json(event, now), facts, now};
}

notify::ReadyReceiver receiver(plan::Receiver::Kind kind, std::string url, std::string key = "") {
  plan::Receiver spec;
  spec.name = "r";
  spec.kind = kind;
  spec.on = plan::default_notify_on(plan::Receiver::Kind::webhook);
  return notify::ReadyReceiver{spec, std::move(url), std::move(key), {}};
}

// Sends through the Dispatcher, as a rollout does, and waits for the queue (bounded).
std::vector<notify::DeliveryFailure> deliver(const notify::ReadyReceiver& r,
                                             const std::vector<notify::Notice>& notices) {
  auto client = http::make_curl_client({});
  std::vector<notify::DeliveryFailure> failures;
  std::mutex mutex;
  notify::Dispatcher dispatcher(*client, util::system_clock(), {}, [&](const notify::DeliveryFailure& f) {
    std::lock_guard lock(mutex);
    failures.push_back(f);
  });
  for (const auto& n : notices)
    if (auto request = notify::request_for(r, n))
      dispatcher.post({"r", plan::to_string(r.spec.kind), *request});
  dispatcher.finish(util::Duration{10000});
  return failures;
}

std::string promql(const std::string& address, const std::string& query) {
  char* escaped = curl_easy_escape(nullptr, query.c_str(), static_cast<int>(query.size()));
  std::string url = address + "/api/v1/query?query=" + escaped;
  curl_free(escaped);
  auto client = http::make_curl_client({});
  http::Request request{.url = url};
  request.timeout = 2s;
  auto response = client->send(request);
  return response && response->status == 200 ? response->body : "";
}

}  // namespace

TEST_CASE("an alert goes through the real Alertmanager's routing to its webhook receiver, then resolves",
          "[notify-live]") {
  testing::LoopbackServer hook;
  Capture capture;
  capture.on(hook, "/hook");
  hook.start();
  testing::AlertmanagerProcess alertmanager(hook.url("/hook"));
  auto r = receiver(plan::Receiver::Kind::alertmanager, alertmanager.address());
  CHECK(deliver(r, {notice(NotifyOn::rolled_back, EventType::rolled_back, "errors 5% > 1%")}).empty());
  REQUIRE(testing::eventually([&] { return capture.any_body_has("\"status\":\"firing\""); }, 20s));
  auto firing = Json::parse(capture.seen().front().body);
  CHECK(firing["receiver"] == "capture");
  REQUIRE(firing["alerts"].size() == 1);
  CHECK(firing["alerts"][0]["labels"] == Json::parse(R"({"alertname":"SluiceRolloutFailed","rollout":"web",
      "namespace":"shop","cluster":"prod","severity":"error"})"));
  CHECK(firing["alerts"][0]["annotations"]["description"] == "errors 5% > 1%");
  CHECK(deliver(r, {notice(NotifyOn::succeeded, EventType::finished, "rolled out")}).empty());
  REQUIRE(testing::eventually([&] { return capture.any_body_has("\"status\":\"resolved\""); }, 20s));
}

TEST_CASE("metrics pushed to the real Pushgateway are scraped by Prometheus and read back with PromQL",
          "[notify-live]") {
  testing::PushgatewayProcess pushgateway;
  util::ManualClock clock;
  telemetry::RolloutMetrics metrics(clock, "shop");
  metrics.observe({EventType::rollout_started, "web", 0, 0, "", "", {{"strategy", "canary"}}});
  clock.advance(util::Duration{4000});
  metrics.observe({EventType::finished, "web", 0, 0, "", "", {{"outcome", "Healthy"}, {"exitCode", 0}}});
  auto client = http::make_curl_client({});
  auto pushed =
      telemetry::push_metrics(*client, telemetry::pushgateway_group_url(pushgateway.address(), "web", "shop"),
                              metrics.render(), 3000ms);
  INFO((pushed ? "" : pushed.error().message));
  REQUIRE(pushed);
  testing::PrometheusProcess prometheus(pushgateway.port(), {"/metrics"});
  std::string answer;
  bool read = testing::eventually(
      [&] {
        answer = promql(prometheus.address(),
                        "sluice_rollouts_total{rollout=\"web\",namespace=\"shop\",outcome=\"Healthy\"}");
        return answer.find("\"strategy\":\"canary\"") != std::string::npos;
      },
      20s);
  INFO(answer);
  REQUIRE(read);
  auto result = Json::parse(answer)["data"]["result"];
  REQUIRE(result.size() == 1);
  CHECK(result[0]["value"][1] == "1");
  std::string duration = promql(prometheus.address(), "sluice_rollout_duration_seconds{rollout=\"web\"}");
  CHECK(Json::parse(duration)["data"]["result"][0]["value"][1] == "4");
}

TEST_CASE("Slack and PagerDuty receive their APIs' exact shapes and headers", "[notify-live]") {
  testing::LoopbackServer server;
  Capture slack, pagerduty;
  slack.on(server, "/services/T0/B0/x");
  pagerduty.on(server, "/v2/enqueue", 202);
  server.start();
  auto paused = notice(NotifyOn::paused, EventType::paused, "waiting for `sluice promote web`");
  CHECK(deliver(receiver(plan::Receiver::Kind::slack, server.url("/services/T0/B0/x")), {paused}).empty());
  REQUIRE(slack.seen().size() == 1);
  auto got = slack.seen()[0];
  CHECK(got.get_header_value("Content-Type") == "application/json");
  CHECK(Json::parse(got.body) == notify::slack_message(paused));
  auto failed = notice(NotifyOn::needs_human, EventType::finished, "rollback failed");
  auto healthy = notice(NotifyOn::succeeded, EventType::finished, "rolled out");
  CHECK(
      deliver(receiver(plan::Receiver::Kind::pagerduty, server.url("/v2/enqueue"), "rk-1"), {failed, healthy})
          .empty());
  REQUIRE(pagerduty.seen().size() == 2);
  auto trigger = Json::parse(pagerduty.seen()[0].body);
  CHECK(trigger["event_action"] == "trigger");
  CHECK(trigger["payload"]["severity"] == "critical");
  CHECK(Json::parse(pagerduty.seen()[1].body) ==
        Json::parse(R"({"routing_key":"rk-1","event_action":"resolve","dedup_key":"sluice/prod/shop/web"})"));
}
