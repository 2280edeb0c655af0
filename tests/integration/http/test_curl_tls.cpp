#include "local_servers.hpp"
#include "support/temp_dir.hpp"

#include <sluice/http/client.hpp>

#include <catch2/catch.hpp>

using sluice::http::ClientOptions;
using sluice::http::make_curl_client;
using sluice::testing::HttpTestServer;
using sluice::testing::make_tls_certs;
using sluice::testing::shared_tls_certs;
using sluice::testing::TempDir;
using sluice::testing::TlsCertOptions;
using sluice::util::ErrorKind;

namespace {

void serve_hello(HttpTestServer& server) {
  server.routes().Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hello over tls", "text/plain");
  });
  server.start();
}

ClientOptions trusting(const std::string& ca_file) {
  ClientOptions options;
  options.tls.ca_file = ca_file;
  return options;
}

}  // namespace

TEST_CASE("TLS with the CA given as a file or as PEM data") {
  const auto& certs = shared_tls_certs();
  HttpTestServer server(&certs);
  serve_hello(server);
  SECTION("file") {
    auto got = make_curl_client(trusting(certs.ca_cert.string()))->send({.url = server.url("/hello")});
    REQUIRE(got.ok());
    CHECK(got->body == "hello over tls");
  }
  SECTION("data") {
    ClientOptions options;
    options.tls.ca_data = certs.ca_cert_pem;
    auto got = make_curl_client(options)->send({.url = server.url("/hello")});
    REQUIRE(got.ok());
    CHECK(got->status == 200);
  }
  SECTION("localhost is in the certificate too") {
    std::string url = "https://localhost:" + std::to_string(server.port()) + "/hello";
    auto got = make_curl_client(trusting(certs.ca_cert.string()))->send({.url = url});
    REQUIRE(got.ok());
  }
}

TEST_CASE("a server certificate from an untrusted CA is a tls error unless verification is off") {
  const auto& certs = shared_tls_certs();
  HttpTestServer server(&certs);
  serve_hello(server);
  TempDir other_dir;
  auto other = make_tls_certs(other_dir.path());
  SECTION("verified: refused") {
    auto got = make_curl_client(trusting(other.ca_cert.string()))->send({.url = server.url("/hello")});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().kind == ErrorKind::tls);
    CHECK(got.error().message.rfind("GET " + server.url("/hello") + ": TLS failure: ", 0) == 0);
  }
  SECTION("insecure-skip-tls-verify: accepted") {
    ClientOptions options = trusting(other.ca_cert.string());
    options.tls.verify = false;
    auto got = make_curl_client(options)->send({.url = server.url("/hello")});
    REQUIRE(got.ok());
    CHECK(got->status == 200);
  }
}

TEST_CASE("a server that requires a client certificate") {
  const auto& certs = shared_tls_certs();
  HttpTestServer server(&certs, /*require_client_cert=*/true);
  serve_hello(server);
  auto options = trusting(certs.ca_cert.string());
  SECTION("without one: tls error") {
    auto got = make_curl_client(options)->send({.url = server.url("/hello")});
    REQUIRE_FALSE(got.ok());
    CAPTURE(got.error().message);
    // TLS 1.3 rejects the missing certificate after the client's side of the
    // handshake is done: usually libcurl reads the alert (tls), but the server
    // may close first and the client only sees a dropped connection.
    CHECK((got.error().kind == ErrorKind::tls || got.error().kind == ErrorKind::unavailable));
  }
  SECTION("client cert and key from files") {
    options.tls.client_cert_file = certs.client_cert.string();
    options.tls.client_key_file = certs.client_key.string();
    auto got = make_curl_client(options)->send({.url = server.url("/hello")});
    REQUIRE(got.ok());
    CHECK(got->body == "hello over tls");
  }
  SECTION("client cert and key as PEM data") {
    options.tls.client_cert_data = certs.client_cert_pem;
    options.tls.client_key_data = certs.client_key_pem;
    auto got = make_curl_client(options)->send({.url = server.url("/hello")});
    REQUIRE(got.ok());
    CHECK(got->status == 200);
  }
}

TEST_CASE("tls server_name checks the certificate against another name than the URL host") {
  TempDir dir;
  TlsCertOptions only_a_name;
  only_a_name.server_dns = {"api.sluice.invalid"};
  only_a_name.server_ips = {};
  auto certs = make_tls_certs(dir.path(), only_a_name);
  HttpTestServer server(&certs);
  server.routes().Get("/host", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.get_header_value("Host"), "text/plain");
  });
  server.start();
  auto options = trusting(certs.ca_cert.string());
  SECTION("without the override the name does not match") {
    auto got = make_curl_client(options)->send({.url = server.url("/host")});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().kind == ErrorKind::tls);
  }
  SECTION("with the override it does, and Host stays the URL's") {
    options.tls.server_name = "api.sluice.invalid";
    auto got = make_curl_client(options)->send({.url = server.url("/host")});
    REQUIRE(got.ok());
    CHECK(got->body == "127.0.0.1:" + std::to_string(server.port()));
  }
}
