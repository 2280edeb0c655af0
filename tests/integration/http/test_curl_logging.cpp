#include "local_servers.hpp"

#include <sluice/http/client.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

#include <sstream>

using sluice::http::make_curl_client;
using sluice::testing::HttpTestServer;

namespace {

// Routes spdlog's default logger into a string for the test's lifetime.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace

TEST_CASE("the request log never shows credentials") {
  HttpTestServer server;
  server.routes().Get("/secret", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Set-Cookie", "session=cookie-secret-value");
    res.set_content("ok", "text/plain");
  });
  server.start();
  int closed_port = 0;
  {
    sluice::testing::SilentServer gone;
    closed_port = gone.port();
  }

  CapturedLog log;
  auto client = make_curl_client({});
  std::string url = "http://alice:hunter2-password@127.0.0.1:" + std::to_string(server.port()) +
                    "/secret?token=query-secret-token&access_token=other-secret&watch=true";
  auto got = client->send({.url = url,
                           .headers = {{"Authorization", "Bearer header-secret-token"},
                                       {"Cookie", "session=cookie-secret-value"},
                                       {"Proxy-Authorization", "Basic proxy-secret"}}});
  REQUIRE(got.ok());
  auto failed =
      client->send({.url = "http://bob:failed-secret@127.0.0.1:" + std::to_string(closed_port) + "/"});
  REQUIRE_FALSE(failed.ok());

  std::string text = log.text();
  CAPTURE(text);
  for (const char* secret : {"hunter2-password", "query-secret-token", "other-secret", "header-secret-token",
                             "cookie-secret-value", "proxy-secret", "failed-secret"}) {
    CHECK(text.find(secret) == std::string::npos);
  }
  CHECK(failed.error().message.find("failed-secret") == std::string::npos);
  // The log is still useful: it shows what was sent.
  CHECK(text.find("Authorization: Bearer ***") != std::string::npos);
  CHECK(text.find("http://alice:***@127.0.0.1:") != std::string::npos);
  CHECK(text.find("token=***&access_token=***&watch=true") != std::string::npos);
  CHECK(text.find("-> 200 in ") != std::string::npos);
  CHECK(text.find("-> unavailable in ") != std::string::npos);
}
