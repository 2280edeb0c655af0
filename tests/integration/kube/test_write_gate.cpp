// The write gate (the lock's fence) is checked when the request goes on the
// wire, not before the connection is made: a connection that takes long to
// set up (a slow TLS handshake, a process frozen mid-call) must not carry a
// write the fence no longer allows.
//
// Seen in the fault tier: a holder frozen between the gate check and the send
// woke after its lease had run out and still updated the Service.
#include "integration/http/local_servers.hpp"

#include <sluice/kube/client.hpp>
#include <sluice/kube/fenced_client.hpp>

#include <catch2/catch.hpp>

#include <atomic>

using namespace sluice::kube;
using sluice::testing::HttpTestServer;
using sluice::testing::shared_tls_certs;
using sluice::testing::SlowRelay;

TEST_CASE("a write whose fence lapses while the connection is set up is never sent", "[kube][fence]") {
  // Given an API server behind a connection that takes 600 ms to set up, and a fence open for 150 ms
  const auto& certs = shared_tls_certs();
  HttpTestServer server(&certs);
  std::atomic<int> writes{0};
  server.routes().Put(R"(/api/v1/namespaces/shop/configmaps/(.*))",
                      [&writes](const httplib::Request& req, httplib::Response& res) {
                        ++writes;
                        res.set_content(req.body, "application/json");
                      });
  server.routes().Get(R"(/api/v1/namespaces/shop/configmaps/(.*))",
                      [](const httplib::Request&, httplib::Response& res) {
                        res.set_content(R"({"metadata":{"name":"a"}})", "application/json");
                      });
  server.start();
  SlowRelay relay(server.port(), std::chrono::milliseconds(600));
  Config config;
  config.cluster.server = "https://127.0.0.1:" + std::to_string(relay.port());
  config.cluster.certificate_authority_data = certs.ca_cert_pem;
  auto made = make_client(config);
  REQUIRE(made.ok());
  Client& inner = **made;
  auto& clock = sluice::util::system_clock();

  SECTION("open when asked, lapsed by the time the connection is ready: refused, nothing sent") {
    Fence fence(clock);
    REQUIRE(fence.extend_until(clock.now() + std::chrono::milliseconds(150)));
    FencedClient client(inner, fence);
    // When
    auto written = client.update(k_configmaps, "shop", Json{{"metadata", {{"name", "a"}}}});
    // Then
    REQUIRE_FALSE(written.ok());
    CHECK(written.error().kind == sluice::util::ErrorKind::cancelled);
    CHECK(written.error().message.find("write refused") != std::string::npos);
    CHECK(writes.load() == 0);
    CHECK(fence.refused() == 1);
  }
  SECTION("still open when the connection is ready: sent once") {
    Fence fence(clock);
    REQUIRE(fence.extend_until(clock.now() + std::chrono::seconds(30)));
    FencedClient client(inner, fence);
    auto written = client.update(k_configmaps, "shop", Json{{"metadata", {{"name", "a"}}}});
    REQUIRE(written.ok());
    CHECK(writes.load() == 1);
  }
  SECTION("reads pass a lapsed fence") {
    Fence fence(clock);
    FencedClient client(inner, fence);
    CHECK(client.get(k_configmaps, "shop", "a").ok());
  }
}
