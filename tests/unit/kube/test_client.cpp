#include "fake_http.hpp"

#include <sluice/kube/client.hpp>

#include <catch2/catch.hpp>

using namespace sluice::kube;
using sluice::kube::testing::answer;
using sluice::kube::testing::FakeHttp;
using sluice::kube::testing::transport_error;
using sluice::util::Duration;
using sluice::util::ErrorKind;
using sluice::util::ManualClock;

namespace {

struct Fixture {
  ManualClock clock;
  std::shared_ptr<FakeHttp::State> http = std::make_shared<FakeHttp::State>();
  std::unique_ptr<Client> client;

  explicit Fixture(Config config = base_config()) {
    ClientOptions options;
    options.clock = &clock;
    options.http_factory = [state = http](const sluice::http::ClientOptions& o) {
      state->created_with.push_back(o);
      return std::make_unique<FakeHttp>(state);
    };
    auto made = make_client(config, options);
    REQUIRE(made.ok());
    client = std::move(*made);
  }
  static Config base_config() {
    Config c;
    c.cluster.server = "https://k8s.test:6443";
    c.user.token = "s3cret-token";
    return c;
  }
  const sluice::http::Request& request(std::size_t i) { return http->requests.at(i); }
  void push(sluice::kube::testing::FakeAnswer a) { http->answers.push_back(std::move(a)); }
};

const char* k_web =
    R"({"kind":"Deployment","metadata":{"name":"web","namespace":"prod","resourceVersion":"7"}})";

std::string header(const sluice::http::Request& r, const std::string& name) {
  sluice::http::Response fake{0, r.headers, ""};
  return fake.header(name);
}

}  // namespace

TEST_CASE("resource paths follow the API layout", "[kube][client]") {
  CHECK(k_deployments.path("prod", "web") == "/apis/apps/v1/namespaces/prod/deployments/web");
  CHECK(k_pods.path("prod") == "/api/v1/namespaces/prod/pods");
  CHECK(k_pods.path("") == "/api/v1/pods");
  CHECK(k_deployments.path("prod", "web", "scale") == "/apis/apps/v1/namespaces/prod/deployments/web/scale");
  CHECK(k_namespaces.path("ignored", "prod") == "/api/v1/namespaces/prod");
  CHECK(k_httproutes.key() == "httproutes.gateway.networking.k8s.io");
}

TEST_CASE("get sends the bearer token and decodes the object", "[kube][client]") {
  Fixture f;
  f.push(answer(200, k_web));
  auto web = f.client->get(k_deployments, "prod", "web");
  REQUIRE(web.ok());
  CHECK((*web)["metadata"]["resourceVersion"] == "7");
  CHECK(f.request(0).method == "GET");
  CHECK(f.request(0).url == "https://k8s.test:6443/apis/apps/v1/namespaces/prod/deployments/web");
  CHECK(header(f.request(0), "Authorization") == "Bearer s3cret-token");
  CHECK(header(f.request(0), "Accept") == "application/json");
  CHECK(f.client->requests_made() == 1);
}

TEST_CASE("list escapes selectors and list_all follows continue tokens", "[kube][client]") {
  Fixture f;
  f.push(
      answer(200, R"({"metadata":{"resourceVersion":"10","continue":"tok 2"},"items":[{"n":1},{"n":2}]})"));
  f.push(answer(200, R"({"metadata":{"resourceVersion":"11"},"items":[{"n":3}]})"));
  ListOptions options;
  options.label_selector = "app=web,track in (canary)";
  options.limit = 2;
  auto all = f.client->list_all(k_pods, "prod", options);
  REQUIRE(all.ok());
  CHECK(all->items.size() == 3);
  CHECK(all->resource_version == "10");
  CHECK(
      f.request(0).url ==
      "https://k8s.test:6443/api/v1/namespaces/prod/pods?labelSelector=app%3Dweb%2Ctrack%20in%20%28canary%29"
      "&limit=2");
  CHECK(f.request(1).url.find("&continue=tok%202") != std::string::npos);
}

TEST_CASE("writes use the right verb, path and content type", "[kube][client]") {
  Fixture f;
  auto web = nlohmann::json::parse(k_web);
  for (int i = 0; i < 8; ++i) f.push(answer(200, k_web));
  REQUIRE(f.client->create(k_deployments, "prod", web).ok());
  REQUIRE(f.client->update(k_deployments, "prod", web).ok());
  REQUIRE(f.client
              ->patch(k_deployments, "prod", "web", PatchType::json,
                      nlohmann::json::array({{{"op", "replace"}, {"path", "/spec/replicas"}, {"value", 2}}}))
              .ok());
  REQUIRE(f.client->patch(k_deployments, "prod", "web", PatchType::strategic, {{"spec", {}}}).ok());
  REQUIRE(f.client->apply(k_deployments, "prod", web).ok());
  REQUIRE(f.client->remove(k_deployments, "prod", "web", {Propagation::foreground, std::nullopt, ""}).ok());
  REQUIRE(f.client->update_status(k_deployments, "prod", web).ok());
  REQUIRE(f.client->set_scale(k_deployments, "prod", "web", 4).ok());

  CHECK(f.request(0).method == "POST");
  CHECK(f.request(0).url == "https://k8s.test:6443/apis/apps/v1/namespaces/prod/deployments");
  CHECK(header(f.request(0), "Content-Type") == "application/json");
  CHECK(f.request(1).method == "PUT");
  CHECK(f.request(1).url == "https://k8s.test:6443/apis/apps/v1/namespaces/prod/deployments/web");
  CHECK(header(f.request(2), "Content-Type") == "application/json-patch+json");
  CHECK(header(f.request(3), "Content-Type") == "application/strategic-merge-patch+json");
  CHECK(header(f.request(4), "Content-Type") == "application/apply-patch+yaml");
  CHECK(f.request(4).url.find("?fieldManager=sluice&force=true") != std::string::npos);
  CHECK(f.request(5).method == "DELETE");
  CHECK(nlohmann::json::parse(f.request(5).body)["propagationPolicy"] == "Foreground");
  CHECK(f.request(6).url.find("/deployments/web/status") != std::string::npos);
  CHECK(f.request(7).url.find("/deployments/web/scale?fieldManager=sluice") != std::string::npos);
  CHECK(header(f.request(7), "Content-Type") == "application/merge-patch+json");
  CHECK(f.request(7).body == R"({"spec":{"replicas":4}})");
}

TEST_CASE("429 and 5xx with Retry-After are retried after the time asked", "[kube][client][retry]") {
  Fixture f;
  auto start = f.clock.now();
  f.push(answer(429, R"({"kind":"Status","reason":"TooManyRequests","code":429})", {{"Retry-After", "2"}}));
  f.push(answer(503, "busy", {{"Retry-After", "1"}}));
  f.push(answer(201, k_web));
  auto created = f.client->create(k_deployments, "prod", nlohmann::json::parse(k_web));
  REQUIRE(created.ok());
  CHECK(f.http->requests.size() == 3);
  CHECK(f.clock.now() - start >= Duration{3000});
}

TEST_CASE("a write answered 5xx without Retry-After is not retried", "[kube][client][retry]") {
  Fixture f;
  f.push(answer(500, R"({"kind":"Status","reason":"InternalError","message":"etcd down","code":500})"));
  auto created = f.client->create(k_deployments, "prod", nlohmann::json::parse(k_web));
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().kind == ErrorKind::server_error);
  CHECK(created.error().message == "etcd down");
  CHECK(f.http->requests.size() == 1);
}

TEST_CASE("a read answered by a passing 5xx is retried, a few times at most", "[kube][client][retry]") {
  Fixture f;
  f.push(answer(500, R"({"kind":"Status","reason":"InternalError","message":"etcd down","code":500})"));
  f.push(answer(200, k_web));
  CHECK(f.client->get(k_deployments, "prod", "web").ok());
  CHECK(f.http->requests.size() == 2);

  for (int i = 0; i < 8; ++i)
    f.push(answer(503, R"({"kind":"Status","reason":"ServiceUnavailable","message":"down","code":503})"));
  auto got = f.client->get(k_pods, "prod", "p");
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().message == "down");
  CHECK(f.http->requests.size() == 2 + 5);
}

TEST_CASE("connection failures are retried for reads, never for writes", "[kube][client][retry]") {
  Fixture f;
  f.push(transport_error(ErrorKind::unavailable, "connection reset"));
  f.push(answer(200, k_web));
  CHECK(f.client->get(k_deployments, "prod", "web").ok());
  CHECK(f.http->requests.size() == 2);

  f.push(transport_error(ErrorKind::unavailable, "connection reset"));
  f.push(answer(200, k_web));
  auto created = f.client->create(k_deployments, "prod", nlohmann::json::parse(k_web));
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().kind == ErrorKind::unavailable);
  CHECK(f.http->requests.size() == 3);
}

TEST_CASE("retries are bounded by max_attempts", "[kube][client][retry]") {
  Fixture f;
  for (int i = 0; i < 12; ++i) f.push(answer(429, "", {{"Retry-After", "1"}}));
  auto got = f.client->get(k_pods, "prod", "p");
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::too_many_requests);
  CHECK(f.http->requests.size() == 10);
}

TEST_CASE("requests beyond the burst wait for the rate limit", "[kube][client][rate]") {
  Config config = Fixture::base_config();
  ManualClock clock;
  auto state = std::make_shared<FakeHttp::State>();
  ClientOptions options;
  options.clock = &clock;
  options.qps = 10;
  options.burst = 2;
  options.http_factory = [state](const sluice::http::ClientOptions&) {
    return std::make_unique<FakeHttp>(state);
  };
  auto client = make_client(config, options);
  REQUIRE(client.ok());
  for (int i = 0; i < 4; ++i) state->answers.push_back(answer(200, "{}"));
  for (int i = 0; i < 4; ++i) REQUIRE((*client)->get(k_pods, "p", "x").ok());
  CHECK(clock.now() - sluice::util::TimePoint{} == Duration{200});
}

TEST_CASE("watch requests take no token from the rate limit", "[kube][client][rate]") {
  Config config = Fixture::base_config();
  ManualClock clock;
  auto state = std::make_shared<FakeHttp::State>();
  ClientOptions options;
  options.clock = &clock;
  options.qps = 10;
  options.burst = 2;
  options.http_factory = [state](const sluice::http::ClientOptions&) {
    return std::make_unique<FakeHttp>(state);
  };
  auto client = make_client(config, options);
  REQUIRE(client.ok());
  for (int i = 0; i < 20; ++i) state->answers.push_back(sluice::kube::testing::stream_answer({}));
  for (int i = 0; i < 2; ++i) state->answers.push_back(answer(200, "{}"));
  for (int i = 0; i < 20; ++i)
    REQUIRE((*client)->watch(k_pods, "p", {}, [](const WatchEvent&) { return true; }).ok());
  for (int i = 0; i < 2; ++i) REQUIRE((*client)->get(k_pods, "p", "x").ok());
  CHECK(state->requests.size() == 22);
  CHECK(clock.now() - sluice::util::TimePoint{} == Duration{0});
}

TEST_CASE("TLS settings reach the transport; insecure-skip-tls-verify warns loudly", "[kube][client]") {
  Config config = Fixture::base_config();
  config.cluster.insecure_skip_tls_verify = true;
  config.cluster.tls_server_name = "api.internal";
  config.cluster.proxy_url = "http://proxy:3128";
  config.cluster_name = "dev";
  std::vector<std::string> warnings;
  auto state = std::make_shared<FakeHttp::State>();
  ClientOptions options;
  options.warn = [&](const std::string& w) { warnings.push_back(w); };
  options.http_factory = [state](const sluice::http::ClientOptions& o) {
    state->created_with.push_back(o);
    return std::make_unique<FakeHttp>(state);
  };
  auto client = make_client(config, options);
  REQUIRE(client.ok());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("WARNING: insecure-skip-tls-verify is set for cluster \"dev\"") == 0);
  state->answers.push_back(answer(200, "{}"));
  REQUIRE((*client)->get(k_pods, "p", "x").ok());
  REQUIRE(state->created_with.size() == 1);
  CHECK_FALSE(state->created_with[0].tls.verify);
  CHECK(state->created_with[0].tls.server_name == "api.internal");
  CHECK(state->created_with[0].proxy_url == "http://proxy:3128");
}

TEST_CASE("basic auth is sent when the user has username and password", "[kube][client]") {
  Config config = Fixture::base_config();
  config.user.token.clear();
  config.user.username = "alice";
  config.user.password = "wonderland";
  Fixture f(config);
  f.push(answer(200, "{}"));
  REQUIRE(f.client->get(k_pods, "p", "x").ok());
  CHECK(header(f.request(0), "Authorization") == "Basic YWxpY2U6d29uZGVybGFuZA==");
}

TEST_CASE("a watch stream delivers events and a 410 answer is gone", "[kube][client][watch]") {
  Fixture f;
  f.push(sluice::kube::testing::stream_answer(
      {R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})", "",
       R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}})"}));
  f.push(answer(410, R"({"kind":"Status","reason":"Expired","code":410,"message":"too old"})"));
  std::vector<std::string> types;
  WatchOptions options;
  options.resource_version = "4";
  auto status = f.client->watch(k_pods, "prod", options, [&](const WatchEvent& e) {
    types.push_back(e.type);
    return true;
  });
  REQUIRE(status.ok());
  CHECK(types == std::vector<std::string>{"ADDED", "BOOKMARK"});
  CHECK(f.request(0).url ==
        "https://k8s.test:6443/api/v1/namespaces/prod/"
        "pods?resourceVersion=4&allowWatchBookmarks=true&watch=true"
        "&timeoutSeconds=300");
  status = f.client->watch(k_pods, "prod", options, [&](const WatchEvent&) { return true; });
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().kind == ErrorKind::gone);
}
