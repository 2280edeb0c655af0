#include "local_servers.hpp"

#include <sluice/http/client.hpp>

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using namespace std::chrono_literals;
using sluice::http::make_curl_client;
using sluice::testing::HttpTestServer;
using sluice::testing::ScriptedServer;
using sluice::util::CancelToken;
using sluice::util::ErrorKind;

namespace {

std::string chunk(const std::string& data) {
  char size[16];
  std::snprintf(size, sizeof(size), "%zx", data.size());
  return std::string(size) + "\r\n" + data + "\r\n";
}

const std::string k_chunked_head =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string local_url(int port) {
  return "http://127.0.0.1:" + std::to_string(port) + "/watch";
}

struct Lines {
  std::vector<std::string> seen;
  sluice::http::LineHandler handler() {
    return [this](const std::string& line) {
      seen.push_back(line);
      return true;
    };
  }
};

}  // namespace

TEST_CASE("stream delivers lines split across chunks, and a final unterminated line") {
  HttpTestServer server;
  server.routes().Get("/watch", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/json", [](size_t, httplib::DataSink& sink) {
      for (std::string piece : {"{\"a\":", "1}\n{\"b\"", ":2}\r\n", "\n{\"c\":3}"})
        sink.write(piece.data(), piece.size());
      sink.done();
      return true;
    });
  });
  server.start();
  Lines lines;
  auto got = make_curl_client({})->stream({.url = server.url("/watch")}, lines.handler());
  REQUIRE(got.ok());
  CHECK(got->status == 200);
  CHECK(got->body.empty());
  CHECK(got->header("Content-Type") == "application/json");
  CHECK(lines.seen == std::vector<std::string>{R"({"a":1})", R"({"b":2})", "", R"({"c":3})"});
}

TEST_CASE("a stream cut mid-line delivers the complete lines, then reports unavailable") {
  ScriptedServer cuts(k_chunked_head + chunk("{\"a\":1}\n{\"b\":2}\n{\"c\""));  // then closes
  Lines lines;
  auto got = make_curl_client({})->stream({.url = local_url(cuts.port())}, lines.handler());
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::unavailable);
  CHECK(got.error().message.find("stream cut; 4 bytes of an unfinished line dropped") != std::string::npos);
  CHECK(lines.seen == std::vector<std::string>{R"({"a":1})", R"({"b":2})"});
  CHECK(cuts.requests() == 1);
}

TEST_CASE("a stream that delivered lines is not replayed, even when retries are allowed") {
  ScriptedServer cuts(k_chunked_head + chunk("{\"a\":1}\n"));
  sluice::http::ClientOptions options;
  options.retry.max_attempts = 3;
  sluice::util::ManualClock clock;
  options.clock = &clock;
  Lines lines;
  auto got = make_curl_client(options)->stream({.url = local_url(cuts.port())}, lines.handler());
  REQUIRE_FALSE(got.ok());
  CHECK(cuts.requests() == 1);
  CHECK(lines.seen.size() == 1);
}

TEST_CASE("a stream that goes quiet ends with a timeout after the idle limit") {
  ScriptedServer stalls(k_chunked_head + chunk("{\"a\":1}\n"), /*hold_open=*/true);
  Lines lines;
  auto start = std::chrono::steady_clock::now();
  auto got =
      make_curl_client({})->stream({.url = local_url(stalls.port()), .timeout = 300ms}, lines.handler());
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::timeout);
  CHECK(got.error().message == "GET " + local_url(stalls.port()) + ": timed out: no data for 300 ms");
  CHECK(lines.seen.size() == 1);
  CHECK(std::chrono::steady_clock::now() - start < 3s);
}

TEST_CASE("the idle limit is not a total limit: a slow steady stream runs past it") {
  HttpTestServer server;
  server.routes().Get("/watch", [&server](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/json", [&server](size_t, httplib::DataSink& sink) {
      for (int i = 0; i < 5; ++i) {
        std::string line = "{\"n\":" + std::to_string(i) + "}\n";
        sink.write(line.data(), line.size());
        server.released().wait_until(std::chrono::steady_clock::now() + 100ms);
      }
      sink.done();
      return true;
    });
  });
  server.start();
  Lines lines;
  auto got = make_curl_client({})->stream({.url = server.url("/watch"), .timeout = 250ms}, lines.handler());
  REQUIRE(got.ok());
  CHECK(lines.seen.size() == 5);
}

TEST_CASE("cancelling a blocked stream aborts it promptly") {
  ScriptedServer stalls(k_chunked_head + chunk("{\"a\":1}\n"), /*hold_open=*/true);
  CancelToken cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(150ms);
    cancel.cancel();
  });
  Lines lines;
  auto start = std::chrono::steady_clock::now();
  auto got = make_curl_client({})->stream({.url = local_url(stalls.port()), .timeout = 30s}, lines.handler(),
                                          &cancel);
  canceller.join();
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::cancelled);
  CHECK(lines.seen.size() == 1);
  CHECK(std::chrono::steady_clock::now() - start < 2s);
}

TEST_CASE("a handler returning false ends the stream normally") {
  ScriptedServer endless(k_chunked_head + chunk("1\n2\n3\n"), /*hold_open=*/true);
  std::vector<std::string> seen;
  auto got = make_curl_client({})->stream({.url = local_url(endless.port())}, [&](const std::string& line) {
    seen.push_back(line);
    return seen.size() < 2;
  });
  REQUIRE(got.ok());
  CHECK(got->status == 200);
  CHECK(seen == std::vector<std::string>{"1", "2"});
}

TEST_CASE("an error answer to a stream request is returned with its body") {
  HttpTestServer server;
  server.routes().Get("/watch", [](const httplib::Request&, httplib::Response& res) {
    res.status = 410;
    res.set_content(R"({"kind":"Status","code":410,"reason":"Expired"})", "application/json");
  });
  server.start();
  Lines lines;
  auto got = make_curl_client({})->stream({.url = server.url("/watch")}, lines.handler());
  REQUIRE(got.ok());
  CHECK(got->status == 410);
  CHECK(got->body == R"({"kind":"Status","code":410,"reason":"Expired"})");
  CHECK(lines.seen.empty());
}
