// http and webhook checks against a cpp-httplib server on loopback,
// including a timeout and a non-2xx answer.
#include <sluice/gate/runner.hpp>
#include <sluice/http/client.hpp>
#include <sluice/plan/model.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mutex>

#include "support/prometheus_process.hpp"

using namespace sluice;
using namespace std::chrono_literals;
using gate::Phase;

namespace {

struct App {
  testing::LoopbackServer server;
  std::mutex mutex;
  std::vector<std::string> hook_bodies;

  App() {
    auto& s = server.server();
    s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("status: ok", "text/plain");
    });
    s.Get("/down", [](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_content("status: down", "text/plain");
    });
    s.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(1s);  // longer than the check's timeout
      res.set_content("status: ok", "text/plain");
    });
    s.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      hook_bodies.push_back(req.body);
      res.status = req.has_param("deny") ? 403 : 200;
    });
    s.Post("/slow-hook", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(1s);  // longer than the check's timeout
      res.status = 200;
    });
    server.start();
  }
};

gate::Measurement measure(const plan::Check& check, const gate::CheckContext& context = {}) {
  static auto client = http::make_curl_client({});
  return gate::make_provider(check, *client, util::system_clock())->measure(context, nullptr);
}

plan::Check http_check(const std::string& url, const std::string& body_match = "") {
  plan::Check check;
  check.name = "smoke";
  check.source = plan::HttpSource{"GET", url, 200, body_match, 300ms, {}};
  return check;
}

plan::Check webhook_check(const std::string& url) {
  plan::Check check;
  check.name = "approval";
  check.source = plan::WebhookSource{url, 2s, {}};
  return check;
}

}  // namespace

TEST_CASE("an http check passes on the expected status and body") {
  App app;
  CHECK(measure(http_check(app.server.url("/health"), "ok")).phase == Phase::successful);
  CHECK(measure(http_check(app.server.url("/health"), "ready")).phase == Phase::failed);
  auto down = measure(http_check(app.server.url("/down")));
  CHECK(down.phase == Phase::failed);
  CHECK(down.message == "GET " + app.server.url("/down") + ": status 503, expected 200");
}

TEST_CASE("an http check that times out or cannot connect is an Error") {
  App app;
  auto started = std::chrono::steady_clock::now();
  auto slow = measure(http_check(app.server.url("/slow")));
  CHECK(slow.phase == Phase::error);
  CHECK(std::chrono::steady_clock::now() - started < 900ms);
  int closed_port = testing::free_loopback_port();
  auto refused = measure(http_check("http://127.0.0.1:" + std::to_string(closed_port) + "/health"));
  CHECK(refused.phase == Phase::error);
}

TEST_CASE("a webhook check POSTs the rollout and step and passes on 2xx only") {
  App app;
  gate::CheckContext context;
  context.rollout = "web";
  context.ns = "shop";
  context.step = 3;
  context.weight = 50;
  context.canary_hash = "abc123";
  CHECK(measure(webhook_check(app.server.url("/hook")), context).phase == Phase::successful);
  auto denied = measure(webhook_check(app.server.url("/hook?deny=1")), context);
  CHECK(denied.phase == Phase::failed);
  CHECK(denied.value == 403);
  std::lock_guard lock(app.mutex);
  REQUIRE(app.hook_bodies.size() == 2);
  auto body = nlohmann::json::parse(app.hook_bodies[0]);
  CHECK(body["rollout"] == "web");
  CHECK(body["namespace"] == "shop");
  CHECK(body["step"] == 3);
  CHECK(body["weight"] == 50);
  CHECK(body["canaryHash"] == "abc123");
}

TEST_CASE("a webhook that does not answer in time is an Error") {
  App app;
  plan::Check check = webhook_check(app.server.url("/slow-hook"));
  std::get<plan::WebhookSource>(check.source).timeout = 200ms;
  auto m = measure(check);
  CHECK(m.phase == Phase::error);
  CHECK(m.message.rfind("webhook " + app.server.url("/slow-hook") + ": ", 0) == 0);
}
