#include "local_servers.hpp"

#include <sluice/http/client.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using sluice::http::ClientOptions;
using sluice::http::make_curl_client;
using sluice::http::Request;
using sluice::testing::FullBacklogPort;
using sluice::testing::HttpTestServer;
using sluice::testing::ScriptedServer;
using sluice::testing::SilentServer;
using sluice::util::ErrorKind;

namespace {

std::string local_url(int port, const std::string& path = "/") {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

auto elapsed_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::steady_clock::now() - start;
}

}  // namespace

TEST_CASE("send returns status, headers and body; HTTP errors are responses") {
  HttpTestServer server;
  server.routes().Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Echo-Agent", req.get_header_value("User-Agent"));
    res.set_content("hi " + req.get_header_value("X-Name"), "text/plain");
  });
  server.routes().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 201;
    res.set_content(req.body, req.get_header_value("Content-Type"));
  });
  server.start();
  auto client = make_curl_client({});

  auto got = client->send({.url = server.url("/hello"), .headers = {{"X-Name", "sluice"}}});
  REQUIRE(got.ok());
  CHECK(got->status == 200);
  CHECK(got->body == "hi sluice");
  CHECK(got->header("x-echo-agent") == "sluice/" SLUICE_VERSION);
  CHECK(got->header("content-type") == "text/plain");

  Request post{
      .method = "POST", .url = server.url("/echo"), .headers = {{"Content-Type", "application/json"}}};
  post.body = R"({"a":1})";
  auto posted = client->send(post);
  REQUIRE(posted.ok());
  CHECK(posted->status == 201);
  CHECK(posted->body == R"({"a":1})");
  CHECK(posted->header("Content-Type") == "application/json");

  auto missing = client->send({.url = server.url("/nowhere")});
  REQUIRE(missing.ok());
  CHECK(missing->status == 404);
}

TEST_CASE("sequential requests reuse one connection") {
  HttpTestServer server;
  server.routes().Get("/port", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(std::to_string(req.remote_port), "text/plain");
  });
  server.start();
  auto client = make_curl_client({});
  auto first = client->send({.url = server.url("/port")});
  auto second = client->send({.url = server.url("/port")});
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->body == second->body);
}

TEST_CASE("a connect that cannot complete times out after connect_timeout") {
  FullBacklogPort blackhole;
  auto client = make_curl_client({});
  auto start = std::chrono::steady_clock::now();
  auto got = client->send({.url = local_url(blackhole.port()), .connect_timeout = 200ms, .timeout = 10s});
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::timeout);
  CHECK(elapsed_since(start) < 3s);
}

TEST_CASE("a server that never answers times out after the total timeout") {
  SilentServer silent;
  auto client = make_curl_client({});
  auto start = std::chrono::steady_clock::now();
  auto got = client->send({.url = local_url(silent.port(), "/slow"), .timeout = 300ms});
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::timeout);
  CHECK(got.error().message.rfind("GET http://127.0.0.1:", 0) == 0);
  CHECK(elapsed_since(start) >= 250ms);
  CHECK(elapsed_since(start) < 3s);
}

TEST_CASE("a refused connection is unavailable") {
  int port = 0;
  {
    SilentServer closed_soon;  // grab a free port, then free it again
    port = closed_soon.port();
  }
  auto client = make_curl_client({});
  auto got = client->send({.url = local_url(port)});
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::unavailable);
}

TEST_CASE("a malformed URL is invalid") {
  auto client = make_curl_client({});
  auto got = client->send({.url = "http://exa mple.com:notaport/"});
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::invalid);
}

TEST_CASE("transport errors are retried only for replay-safe requests") {
  ScriptedServer hangs_up("");  // reads the request, closes without a word
  ClientOptions options;
  options.retry.max_attempts = 3;
  sluice::util::ManualClock clock;
  options.clock = &clock;
  auto client = make_curl_client(options);

  SECTION("POST is sent once") {
    auto got = client->send({.method = "POST", .url = local_url(hangs_up.port()), .body = "{}"});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().kind == ErrorKind::unavailable);
    CHECK(hangs_up.requests() == 1);
  }
  SECTION("GET is tried max_attempts times") {
    auto got = client->send({.url = local_url(hangs_up.port())});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().kind == ErrorKind::unavailable);
    CHECK(got.error().message.find("(after 3 attempts)") != std::string::npos);
    CHECK(hangs_up.requests() == 3);
  }
  SECTION("POST marked replay-safe is retried") {
    auto got = client->send({.method = "POST", .url = local_url(hangs_up.port()), .replay_safe = true});
    REQUIRE_FALSE(got.ok());
    CHECK(hangs_up.requests() == 3);
  }
}

TEST_CASE("proxy_url sends requests through the proxy") {
  HttpTestServer proxy;
  proxy.routes().Get(".*", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("proxied " + req.target, "text/plain");
  });
  proxy.start();
  ClientOptions options;
  options.proxy_url = proxy.url("");
  auto got = make_curl_client(options)->send({.url = "http://app.sluice.invalid/path?x=1"});
  REQUIRE(got.ok());
  CHECK(got->body == "proxied http://app.sluice.invalid/path?x=1");
}

TEST_CASE("one client serves many threads at once") {
  std::atomic<int> served{0};  // outlives the server whose handler counts
  HttpTestServer server;
  server.routes().Get("/n", [&served](const httplib::Request&, httplib::Response& res) {
    ++served;
    res.set_content("ok", "text/plain");
  });
  server.start();
  auto client = make_curl_client({});
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto got = client->send({.url = server.url("/n")});
        if (got.ok() && got->body == "ok") ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(ok == 40);
  CHECK(served == 40);
}

TEST_CASE("redirects are followed only on request, without credentials to another host") {
  HttpTestServer server;
  std::string other_host = "http://localhost:" + std::to_string(server.port());
  server.routes().Get("/old", [other_host](const httplib::Request&, httplib::Response& res) {
    res.set_redirect(other_host + "/new");
  });
  server.routes().Get("/new", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("auth=[" + req.get_header_value("Authorization") + "]", "text/plain");
  });
  server.start();
  auto client = make_curl_client({});
  Request request{.url = server.url("/old"), .headers = {{"Authorization", "Bearer secret"}}};
  auto not_followed = client->send(request);
  REQUIRE(not_followed.ok());
  CHECK(not_followed->status == 302);
  request.follow_redirects = true;
  auto followed = client->send(request);
  REQUIRE(followed.ok());
  CHECK(followed->status == 200);
  CHECK(followed->body == "auth=[]");
}
