// HTTPS with given certificate files and client-certificate authentication.
#include "support/process.hpp"

#include <kubesim/server.hpp>
#include <kubesim/tls.hpp>

#include <catch2/catch.hpp>

#include <httplib.h>

#include <fstream>

using kubesim::Json;

TEST_CASE("client certificates signed by --client-ca authenticate; none is anonymous", "[kubesim][auth]") {
  sluice::test::TempDir dir;
  auto certs = kubesim::generate_server_certs();
  REQUIRE(certs.ok());
  auto alice = kubesim::generate_client_cert(*certs, "alice");
  REQUIRE(alice.ok());
  std::ofstream(dir.file("ca.pem")) << certs->ca_pem;
  std::ofstream(dir.file("server.pem")) << certs->server_cert_pem;
  std::ofstream(dir.file("server-key.pem")) << certs->server_key_pem;
  std::ofstream(dir.file("alice.pem")) << alice->first;
  std::ofstream(dir.file("alice-key.pem")) << alice->second;

  kubesim::ServerOptions options;
  options.tls = true;
  options.tls_cert_file = dir.file("server.pem");
  options.tls_key_file = dir.file("server-key.pem");
  options.client_ca_file = dir.file("ca.pem");
  options.run_controllers = false;
  kubesim::Server server(options);
  REQUIRE(server.start().ok());

  httplib::Client with_cert(server.url(), dir.file("alice.pem"), dir.file("alice-key.pem"));
  with_cert.set_ca_cert_path(dir.file("ca.pem").c_str());
  auto ok = with_cert.Get("/api/v1/namespaces");
  REQUIRE(ok);
  CHECK(ok->status == 200);

  httplib::Client without(server.url());
  without.set_ca_cert_path(dir.file("ca.pem").c_str());
  auto anonymous = without.Get("/api/v1/namespaces");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 403);
  CHECK(Json::parse(anonymous->body)["message"] ==
        "namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group "
        "\"\" at "
        "the cluster scope");
  server.stop();
}
