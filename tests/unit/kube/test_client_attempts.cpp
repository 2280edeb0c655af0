// The kube client tells every attempt (verb, code, sent again or not) to a
// transport that listens: what telemetry counts as API requests and retries.
#include "fake_http.hpp"

#include <sluice/kube/attempt_listener.hpp>
#include <sluice/kube/client.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace sluice::kube;
using sluice::kube::testing::answer;
using sluice::kube::testing::FakeHttp;
using sluice::kube::testing::stream_answer;
using sluice::kube::testing::transport_error;
using sluice::util::ErrorKind;
using sluice::util::ManualClock;

namespace {

const char* k_web =
    R"({"kind":"Deployment","metadata":{"name":"web","namespace":"prod","resourceVersion":"7"}})";

struct Told {
  ManualClock clock;
  std::shared_ptr<FakeHttp::State> http = std::make_shared<FakeHttp::State>();
  std::vector<std::string> attempts;  // "VERB CODE" or "VERB CODE retried"
  std::unique_ptr<Client> client;

  Told() {
    ClientOptions options;
    options.clock = &clock;
    options.http_factory = [this](const sluice::http::ClientOptions&) {
      return listening_transport(std::make_unique<FakeHttp>(http), [this](const ApiAttempt& a) {
        attempts.push_back(a.verb + " " + a.code + (a.retried ? " retried" : ""));
      });
    };
    Config config;
    config.cluster.server = "https://k8s.test:6443";
    auto made = make_client(config, options);
    REQUIRE(made.ok());
    client = std::move(*made);
  }
  void push(sluice::kube::testing::FakeAnswer a) { http->answers.push_back(std::move(a)); }
};

}  // namespace

TEST_CASE("each API attempt is told with its verb and code, retries marked", "[kube][client][attempts]") {
  Told t;
  t.push(answer(429, R"({"kind":"Status","reason":"TooManyRequests","code":429})", {{"Retry-After", "1"}}));
  t.push(answer(201, k_web));
  REQUIRE(t.client->create(k_deployments, "prod", nlohmann::json::parse(k_web)).ok());
  t.push(transport_error(ErrorKind::unavailable, "connection reset"));
  t.push(answer(200, k_web));
  REQUIRE(t.client->get(k_deployments, "prod", "web").ok());
  t.push(answer(404, R"({"kind":"Status","reason":"NotFound","code":404})"));
  REQUIRE_FALSE(t.client->get(k_deployments, "prod", "gone").ok());
  CHECK(t.attempts == std::vector<std::string>{"POST 429 retried", "POST 201", "GET <error> retried",
                                               "GET 200", "GET 404"});
}

TEST_CASE("a watch request is told as WATCH", "[kube][client][attempts]") {
  Told t;
  t.push(stream_answer({R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})"}));
  t.push(answer(410, R"({"kind":"Status","reason":"Expired","code":410,"message":"too old"})"));
  auto keep_going = [](const WatchEvent&) { return true; };
  REQUIRE(t.client->watch(k_pods, "prod", WatchOptions{}, keep_going).ok());
  REQUIRE_FALSE(t.client->watch(k_pods, "prod", WatchOptions{}, keep_going).ok());
  CHECK(t.attempts == std::vector<std::string>{"WATCH 200", "WATCH 410"});
}
